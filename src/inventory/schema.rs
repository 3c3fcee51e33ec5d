//! The inventory schema: kinds (`vendor`, `data_store`, user-defined), their collections and
//! typed fields. The shipped schema is `policies/schema.yaml`, embedded in the binary.

use crate::diag::Diag;
use crate::inventory::yaml::Node;
use crate::source::FileId;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct KindId(pub u16);

/// Index of a field within its kind's `fields`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct FieldId(pub u16);

#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    String,
    Number,
    Bool,
    Date,
    Category,
    Enum(Vec<String>),
    Ref(KindId),
    List(Box<FieldType>),
    /// A nested mapping such as `contract`; its members are fields named `contract.x`.
    Object,
}

#[derive(Clone, Debug)]
pub struct FieldSchema {
    /// Full dotted name: `tier`, `contract.dpa_signed`.
    pub name: String,
    pub ty: FieldType,
    pub doc: String,
    /// The enclosing object field, for `contract.dpa_signed` the field `contract`.
    pub parent: Option<FieldId>,
}

#[derive(Clone, Debug)]
pub struct KindSchema {
    /// Singular, as in policies and output: `vendor`.
    pub name: String,
    /// The top-level YAML key holding the list: `vendors`.
    pub collection: String,
    pub doc: String,
    pub fields: Vec<FieldSchema>,
}

impl KindSchema {
    pub fn field(&self, dotted: &str) -> Option<FieldId> {
        self.fields
            .iter()
            .position(|f| f.name == dotted)
            .map(|i| FieldId(i as u16))
    }
    pub fn field_schema(&self, id: FieldId) -> &FieldSchema {
        &self.fields[id.0 as usize]
    }
}

#[derive(Clone, Debug)]
pub struct Schema {
    pub kinds: Vec<KindSchema>,
}

impl Schema {
    /// The shipped schema (`policies/schema.yaml`).
    pub fn builtin() -> Schema {
        todo!("inventory helper")
    }
    /// Add kinds and fields from `custody.yaml`'s `schema:`; never removes shipped names.
    pub fn extend(&mut self, file: FileId, node: &Node, diags: &mut Vec<Diag>) {
        let _ = (file, node, diags);
        todo!("inventory helper")
    }
    pub fn kind_by_name(&self, name: &str) -> Option<KindId> {
        self.kinds
            .iter()
            .position(|k| k.name == name)
            .map(|i| KindId(i as u16))
    }
    pub fn kind_by_collection(&self, name: &str) -> Option<KindId> {
        self.kinds
            .iter()
            .position(|k| k.collection == name)
            .map(|i| KindId(i as u16))
    }
    pub fn kind(&self, id: KindId) -> &KindSchema {
        &self.kinds[id.0 as usize]
    }
}
