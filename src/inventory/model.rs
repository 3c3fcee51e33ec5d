//! The validated inventory model: entities with typed, spanned field values.

use crate::inventory::schema::{FieldId, KindId};
use crate::inventory::taxonomy::CatId;
use crate::source::Loc;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct EntityId(pub u32);

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(Box<str>),
    Num(f64),
    Bool(bool),
    Date(jiff::civil::Date),
    Cat(CatId),
    Ref(EntityId),
    List(Vec<Field>),
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
}

impl Inventory {
    pub fn get(&self, id: EntityId) -> &Entity {
        &self.entities[id.0 as usize]
    }
    pub fn lookup(&self, kind: KindId, id: &str) -> Option<EntityId> {
        self.index.get(&(kind, Box::from(id))).copied()
    }
    pub fn of_kind(&self, kind: KindId) -> &[EntityId] {
        self.by_kind
            .get(kind.0 as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}
