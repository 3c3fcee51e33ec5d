//! Inventories: YAML files → a validated, spanned model of entities, plus the schema and
//! taxonomy they are checked against.
//!
//! The YAML itself is read by [`crate::yaml`]; this module gives it meaning.
//!
//! - [`schema`] and [`taxonomy`]: the shipped `policies/schema.yaml` and
//!   `policies/taxonomy.yaml` (embedded), extensible from `custody.yaml` in the same format.
//! - [`mod@load`]: inventory files → [`Inventory`]. Pass 1 reads each file on its own, in
//!   parallel, streaming the collections and building one entity at a time (a 90 MB file is
//!   never a tree); pass 2 merges in file order, checks ids and resolves references.
//! - [`model`]: the validated entities, typed and spanned.
//!
//! Every problem is a `Diag` (`custody::yaml::*`, `custody::inventory::*`,
//! `custody::schema::*`, `custody::taxonomy::*`); whatever is valid is kept.

pub mod import;
pub mod load;
pub mod model;
pub mod schema;
pub mod taxonomy;

pub use load::load;
pub use model::{Entity, EntityId, Field, Fields, Inventory, Value};
pub use schema::{EnumValues, FieldId, FieldSchema, FieldType, KindId, KindSchema, Schema, When};
pub use taxonomy::{CatId, Overlap, Taxonomy};

#[cfg(test)]
mod tests;
