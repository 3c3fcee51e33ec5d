//! The validated inventory model: entities with typed, spanned field values.

use crate::inventory::schema::{FieldId, KindId, Schema};
use crate::inventory::taxonomy::CatId;
use crate::source::Loc;
use crate::types::EntityRef;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct EntityId(pub u32);

/// Ids with this bit set name a link (`Inventory::links`), not an entity.
pub const LINK_BIT: u32 = 1 << 31;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(Box<str>),
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

/// A field value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub value: Value,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Entity {
    pub kind: KindId,
    pub id: Box<str>,
    /// The whole entity mapping.
    pub loc: Loc,
    /// The `id` value: where labels go when a finding is about the entity as a whole.
    pub id_loc: Loc,
    /// Indexed by `FieldId`; `None` when absent or null (missing).
    pub fields: Vec<Option<Field>>,
}

impl Entity {
    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.get(id.0 as usize).and_then(Option::as_ref)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub entities: Vec<Entity>,
    /// Entities of each kind, in id order.
    pub by_kind: Vec<Vec<EntityId>>,
    pub index: HashMap<(KindId, Box<str>), EntityId>,
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
    pub fn get(&self, id: EntityId) -> &Entity {
        // INVARIANT: EntityIds are made by `load` for this inventory's `entities` (or, with
        // `LINK_BIT`, its `links`).
        if id.0 & LINK_BIT != 0 {
            return &self.links[(id.0 & !LINK_BIT) as usize];
        }
        &self.entities[id.0 as usize]
    }
    /// The link through which element `elem` of `owner`'s reference list `field` was written
    /// (forward or reverse list); `None` for the short form.
    pub fn link(&self, owner: EntityId, field: FieldId, elem: usize) -> Option<EntityId> {
        let elem = u32::try_from(elem).ok()?;
        self.link_of.get(&(owner, field, elem)).copied()
    }
    /// The entity of `kind` with this id. No allocation: the index is queried through
    /// [`IndexKey`], which `(KindId, Box<str>)` and `(KindId, &str)` both implement.
    pub fn lookup(&self, kind: KindId, id: &str) -> Option<EntityId> {
        self.index.get(&(kind, id) as &dyn IndexKey).copied()
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

/// A view of an index key as `(kind, id)`, so `Inventory::index` (keyed by owned
/// `(KindId, Box<str>)`) can be queried with a borrowed `(KindId, &str)`.
pub trait IndexKey {
    fn key(&self) -> (KindId, &str);
}

impl IndexKey for (KindId, Box<str>) {
    fn key(&self) -> (KindId, &str) {
        (self.0, &self.1)
    }
}

impl IndexKey for (KindId, &str) {
    fn key(&self) -> (KindId, &str) {
        (self.0, self.1)
    }
}

impl<'a> Borrow<dyn IndexKey + 'a> for (KindId, Box<str>) {
    fn borrow(&self) -> &(dyn IndexKey + 'a) {
        self
    }
}

/// Hashes exactly as the tuple `(KindId, Box<str>)` does: each element in order.
impl Hash for dyn IndexKey + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialEq for dyn IndexKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for dyn IndexKey + '_ {}
