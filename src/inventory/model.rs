//! The validated inventory model: entities with typed, spanned field values.

use crate::inventory::schema::{FieldId, KindId, Schema};
use crate::inventory::taxonomy::CatId;
use crate::source::{Loc, Span};
use crate::types::EntityRef;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct EntityId(pub u32);

/// Ids with this bit set name a link (`Inventory::links`), not an entity.
pub const LINK_BIT: u32 = 1 << 31;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Up to 24 bytes inline (an id, an enum value, a country code, most names), longer ones
    /// on the heap; the same 24 bytes as a `Box<str>` and its tag, without an allocation
    /// for each of a register's million short strings.
    Str(compact_str::CompactString),
    Num(f64),
    Bool(bool),
    Date(jiff::civil::Date),
    Cat(CatId),
    Ref(EntityId),
    /// A boxed slice, not a `Vec`: 8 bytes less in every field slot of every entity.
    List(Box<[Field]>),
    /// A nested mapping (`contract:`); its members are separate fields.
    Object,
}

/// A field value and where it was written: a span in the file of the entity that holds it
/// ([`Entity::loc_of`]), 8 bytes instead of a `Loc`'s 12 in every field and list element.
/// The one exception is an element of a reverse list (`data_store.accessed_by`): it is
/// located at the forward reference, in the file of the entity it names
/// ([`Inventory::reverse_loc`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Entity {
    pub kind: KindId,
    pub id: compact_str::CompactString,
    /// The whole entity mapping.
    pub loc: Loc,
    /// The `id` value: where labels go when a finding is about the entity as a whole.
    pub id_loc: Loc,
    /// The fields present (absent or null ones are missing), looked up by `FieldId`.
    pub fields: Fields,
}

impl Entity {
    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.get(id)
    }
    /// Where `f`, one of this entity's fields (or an element of one of its lists other than
    /// a reverse list), is written: every value of an entity is in the entity's own file.
    pub fn loc_of(&self, f: &Field) -> Loc {
        Loc::new(self.loc.file, f.span)
    }
    /// Where field `id` is written, if present.
    pub fn field_loc(&self, id: FieldId) -> Option<Loc> {
        self.field(id).map(|f| self.loc_of(f))
    }
}

/// An entity's field values, sparse: only the fields present take room (an inventory's
/// entities leave most optional fields out, and each slot is a whole `Field`).
///
/// For a kind with fewer than 64 fields (every shipped kind), `mask` has bit `i` set when
/// `slots` holds `FieldId(i)`, and `slots` lists those fields in id order, so a field's
/// position is the number of bits set below its own. A kind with more fields is stored
/// densely (`mask == DENSE`, `slots` indexed by `FieldId`). A slot may be `None` when the
/// merge pass drops a dangling reference: missing, as if absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields {
    mask: u64,
    slots: Box<[Option<Field>]>,
}

/// `Fields::mask` of a dense set (bit 63 is never a field's bit in the sparse form).
const DENSE: u64 = 1 << 63;

impl Fields {
    /// From slots indexed by `FieldId` (`None`: missing), taking the values out of them.
    /// The fields in `reserve` get a slot even when missing, so that filling them later
    /// ([`Fields::set`], the merge pass's reverse lists) does not move the others.
    pub fn take_from(slots: &mut [Option<Field>], reserve: impl Fn(FieldId) -> bool) -> Fields {
        if slots.len() >= 64 {
            return Fields {
                mask: DENSE,
                slots: slots.iter_mut().map(Option::take).collect(),
            };
        }
        let mut mask: u64 = 0;
        for (i, slot) in slots.iter().enumerate() {
            if slot.is_some() || reserve(FieldId(i as u16)) {
                mask |= 1 << i;
            }
        }
        let mut present = Vec::with_capacity(mask.count_ones() as usize);
        present.extend(
            slots
                .iter_mut()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, s)| s.take()),
        );
        Fields {
            mask,
            slots: present.into_boxed_slice(),
        }
    }

    /// Where field `id` is in `slots`, if it has a slot.
    fn position(&self, id: FieldId) -> Option<usize> {
        let i = u32::from(id.0);
        if self.mask == DENSE {
            return Some(i as usize);
        }
        if i >= 63 {
            return None;
        }
        let bit = 1u64 << i;
        if self.mask & bit == 0 {
            return None;
        }
        Some((self.mask & (bit - 1)).count_ones() as usize)
    }

    pub fn get(&self, id: FieldId) -> Option<&Field> {
        self.slots.get(self.position(id)?).and_then(Option::as_ref)
    }

    pub fn get_mut(&mut self, id: FieldId) -> Option<&mut Option<Field>> {
        let at = self.position(id)?;
        self.slots.get_mut(at)
    }

    /// Store `field` as `id` (replacing any value), for a kind of `count` fields.
    pub fn set(&mut self, id: FieldId, count: usize, field: Field) {
        if let Some(slot) = self.get_mut(id) {
            *slot = Some(field);
            return;
        }
        let i = usize::from(id.0);
        let mut slots = std::mem::take(&mut self.slots).into_vec();
        if self.mask == DENSE || count >= 64 {
            // Dense (a kind this large is dense from the start).
            if slots.len() <= i {
                slots.resize(i + 1, None);
            }
            if let Some(slot) = slots.get_mut(i) {
                *slot = Some(field);
            }
            self.mask = DENSE;
        } else if i < 63 {
            let bit = 1u64 << i;
            let at = (self.mask & (bit - 1)).count_ones() as usize;
            slots.insert(at, Some(field));
            self.mask |= bit;
        }
        self.slots = slots.into_boxed_slice();
    }

    /// The fields present, mutably, in `FieldId` order (their ids are those of [`Fields::iter`]).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Field> {
        self.slots.iter_mut().flatten()
    }

    /// The fields present, in `FieldId` order.
    pub fn iter(&self) -> impl Iterator<Item = (FieldId, &Field)> {
        let dense = self.mask == DENSE;
        let mut mask = self.mask;
        self.slots.iter().enumerate().filter_map(move |(i, slot)| {
            let id = if dense {
                i as u16
            } else {
                let bit = mask.trailing_zeros() as u16;
                mask &= mask.wrapping_sub(1);
                bit
            };
            slot.as_ref().map(|f| (FieldId(id), f))
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub entities: Vec<Entity>,
    /// Entities of each kind, in id order.
    pub by_kind: Vec<Vec<EntityId>>,
    /// Entities by kind and id ([`Inventory::lookup`]).
    pub index: IdIndex,
    /// The links written on reference-list entries (`- {id: crm, access: write}`), each an
    /// `Entity` of its link schema's kind (`Schema::links`) whose fields are the link's, so
    /// link values are typed and spanned like any field. Named by `EntityId(LINK_BIT | i)`.
    /// A side table rather than a `Value` variant: entities without links pay nothing, and
    /// a list element stays a plain `Value::Ref`.
    pub links: Vec<Entity>,
    /// The link of an element: (owner entity, list field, position in the list) to its
    /// link. Short-form entries have none. Reverse lists have entries too: the link written
    /// on the forward reference.
    pub link_of: HashMap<(EntityId, FieldId, u32), EntityId>,
}

impl Inventory {
    /// Everything the inventory holds as text, in an order that does not depend on hashing
    /// (the index as what each entity's kind and id find): for tests that compare two loads
    /// of the same files (whole and in parts, JSON and YAML, cached and fresh).
    pub fn dump(&self) -> String {
        let index: Vec<_> = self
            .entities
            .iter()
            .map(|e| self.lookup(e.kind, &e.id))
            .collect();
        let mut link_of: Vec<_> = self.link_of.iter().collect();
        link_of.sort();
        format!(
            "{:#?}\n{:?}\n{:#?}\n{:?}\n{:?}",
            self.entities, self.by_kind, self.links, index, link_of
        )
    }

    pub fn get(&self, id: EntityId) -> &Entity {
        // INVARIANT: EntityIds are made by `load` for this inventory's `entities` (or, with
        // `LINK_BIT`, its `links`).
        if id.0 & LINK_BIT != 0 {
            return &self.links[(id.0 & !LINK_BIT) as usize];
        }
        &self.entities[id.0 as usize]
    }
    /// Where `item`, an element of a reverse list, is written: at the forward reference,
    /// in the file of the entity it names. `None` if it names none.
    pub fn reverse_loc(&self, item: &Field) -> Option<Loc> {
        match item.value {
            Value::Ref(u) => Some(Loc::new(self.get(u).loc.file, item.span)),
            Value::Str(_)
            | Value::Num(_)
            | Value::Bool(_)
            | Value::Date(_)
            | Value::Cat(_)
            | Value::List(_)
            | Value::Object => None,
        }
    }
    /// The link through which element `elem` of `owner`'s reference list `field` was written
    /// (forward or reverse list); `None` for the short form.
    pub fn link(&self, owner: EntityId, field: FieldId, elem: usize) -> Option<EntityId> {
        let elem = u32::try_from(elem).ok()?;
        self.link_of.get(&(owner, field, elem)).copied()
    }
    /// The entity of `kind` with this id. No allocation.
    pub fn lookup(&self, kind: KindId, id: &str) -> Option<EntityId> {
        self.index.get(kind, id, &self.entities)
    }
    /// The entity `r` names, if its kind is in `schema` and such an entity exists.
    pub fn find(&self, schema: &Schema, r: &EntityRef) -> Option<EntityId> {
        schema
            .kind_by_name(&r.kind)
            .and_then(|k| self.lookup(k, &r.id))
    }
    /// How users name the entity: `KIND/ID`.
    pub fn entity_ref(&self, schema: &Schema, e: EntityId) -> EntityRef {
        let ent = self.get(e);
        EntityRef::new(schema.kind(ent.kind).name.as_str(), &*ent.id)
    }
    pub fn of_kind(&self, kind: KindId) -> &[EntityId] {
        self.by_kind
            .get(kind.0 as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// Entities by `(kind, id)`, holding no copy of the ids: a map from the hash of the pair to
/// the entity, whose own `kind` and `id` are compared on a hit. An entity whose hash another
/// entity already has (practically never: a 64-bit hash with a per-run random key) goes to
/// `spill`, searched in full.
#[derive(Clone, Debug)]
pub struct IdIndex {
    hasher: std::hash::RandomState,
    /// The bits of the hash used: all of them, except in a test of the spill.
    bits: u64,
    by_hash: HashMap<u64, EntityId, BuildHasherDefault<PreHashed>>,
    spill: Vec<EntityId>,
}

impl Default for IdIndex {
    fn default() -> IdIndex {
        IdIndex::with_capacity(0)
    }
}

impl IdIndex {
    pub fn with_capacity(n: usize) -> IdIndex {
        IdIndex {
            hasher: std::hash::RandomState::new(),
            bits: u64::MAX,
            by_hash: HashMap::with_capacity_and_hasher(n, BuildHasherDefault::default()),
            spill: Vec::new(),
        }
    }

    /// An index where every hash is `hash & bits`: a test makes them collide.
    #[cfg(test)]
    pub(crate) fn with_hash_bits(bits: u64) -> IdIndex {
        IdIndex {
            bits,
            ..IdIndex::default()
        }
    }

    fn hash(&self, kind: KindId, id: &str) -> u64 {
        self.hasher.hash_one((kind, id)) & self.bits
    }

    /// The entity of `kind` named `id`, among `entities` (the ones this index was built on).
    pub fn get(&self, kind: KindId, id: &str, entities: &[Entity]) -> Option<EntityId> {
        let found = *self.by_hash.get(&self.hash(kind, id))?;
        let e = entities.get(found.0 as usize)?;
        if e.kind == kind && *e.id == *id {
            return Some(found);
        }
        self.spill.iter().copied().find(|s| {
            entities
                .get(s.0 as usize)
                .is_some_and(|e| e.kind == kind && *e.id == *id)
        })
    }

    /// Index `entities[e]` (already pushed); `Err` with the entity that has its kind and id.
    pub fn insert(&mut self, e: EntityId, entities: &[Entity]) -> Result<(), EntityId> {
        let Some(ent) = entities.get(e.0 as usize) else {
            return Ok(());
        };
        let h = self.hash(ent.kind, &ent.id);
        match self.by_hash.entry(h) {
            Entry::Vacant(v) => {
                v.insert(e);
                Ok(())
            }
            Entry::Occupied(o) => {
                let first = *o.get();
                let same = |x: EntityId| {
                    entities
                        .get(x.0 as usize)
                        .is_some_and(|f| f.kind == ent.kind && f.id == ent.id)
                };
                if same(first) {
                    return Err(first);
                }
                match self.spill.iter().copied().find(|&x| same(x)) {
                    Some(x) => Err(x),
                    None => {
                        self.spill.push(e);
                        Ok(())
                    }
                }
            }
        }
    }

    /// How many entities are indexed.
    pub fn len(&self) -> usize {
        self.by_hash.len() + self.spill.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The hasher of `IdIndex::by_hash`, whose keys are hashes already.
#[derive(Default)]
pub struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
