//! Inventories: YAML files → a validated, spanned model of entities, plus the schema and
//! taxonomy they are checked against.
//!
//! **Architecture invariant:** YAML-library types (granit_parser / serde-saphyr) never leave
//! this module; the rest of custody sees `yaml::Node` and `model::Inventory`.

pub mod load;
pub mod model;
pub mod schema;
pub mod taxonomy;
pub mod yaml;

pub use load::load;
pub use model::{Entity, EntityId, Field, Inventory, Value};
pub use schema::{FieldId, FieldSchema, FieldType, KindId, KindSchema, Schema};
pub use taxonomy::{CatId, Overlap, Taxonomy};

#[cfg(test)]
mod tests;
