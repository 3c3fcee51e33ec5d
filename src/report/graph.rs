//! The supply-chain graph (SPEC §12): every entity a node, every reference an edge with its
//! link's attributes. One model for every drawing of it: `custody graph --format
//! dot|mermaid` and the inline SVG of `--report html`. Built in a fixed order (kinds in
//! schema order, entities by id, edges by source, field and position), so every drawing
//! is deterministic.

pub mod dot;
pub mod mermaid;
mod text;

use crate::inventory::model::{EntityId, Inventory, Value};
use crate::inventory::schema::{FieldId, Schema};
use crate::inventory::taxonomy::Taxonomy;
use crate::project::Project;
use crate::types::Severity;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub entity: EntityId,
    /// The kind's singular name: `vendor`, `data_store`.
    pub kind: String,
    pub id: String,
    /// The entity's `name` field, when it has one.
    pub name: Option<String>,
    /// A vendor we hold no contract with (`fourth_party: true`), reached through another
    /// vendor's `subprocessors`.
    pub fourth_party: bool,
    /// Failing findings about the entity (0 when the graph is drawn without evaluating).
    pub failing: usize,
    /// The most severe of them.
    pub worst: Option<Severity>,
}

impl Node {
    /// How users name the entity: `KIND/ID`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.kind, self.id)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// Indexes into [`Graph::nodes`].
    pub from: usize,
    pub to: usize,
    /// The reference field: `accesses`, `hosted_by`, `subprocessors`.
    pub field: String,
    /// The link's attributes as written (`access = write`), in the link schema's order;
    /// empty for a plain reference or a short-form list entry. List values are joined with
    /// `, `.
    pub attrs: Vec<(String, String)>,
}

/// The graph of `project`'s inventory. `failing` lists one (entity, severity) per failing
/// finding; `focus` limits the graph to that entity and the entities it references or is
/// referenced by (edges between any two of those are kept).
pub fn build(
    project: &Project,
    failing: &[(EntityId, Severity)],
    focus: Option<EntityId>,
) -> Graph {
    let inv = &project.inventory;
    let schema = &project.schema;
    let mut edges_of: Vec<(EntityId, FieldId, EntityId, Option<EntityId>)> = Vec::new();
    for kind in schema.kind_ids() {
        let ks = schema.kind(kind);
        for &e in inv.of_kind(kind) {
            for (fid, field) in inv.get(e).fields.iter() {
                // Reverse lists repeat forward references: each edge is drawn once.
                let Some(fs) = ks.fields.get(usize::from(fid.0)) else {
                    continue;
                };
                if fs.reverse_of.is_some() {
                    continue;
                }
                match &field.value {
                    Value::Ref(to) => edges_of.push((e, fid, *to, None)),
                    Value::List(items) => {
                        for (pos, item) in items.iter().enumerate() {
                            if let Value::Ref(to) = item.value {
                                edges_of.push((e, fid, to, inv.link(e, fid, pos)));
                            }
                        }
                    }
                    Value::Str(_)
                    | Value::Num(_)
                    | Value::Bool(_)
                    | Value::Date(_)
                    | Value::Cat(_)
                    | Value::Object => {}
                }
            }
        }
    }

    let near: Option<std::collections::HashSet<EntityId>> = focus.map(|f| {
        let mut near: std::collections::HashSet<EntityId> = edges_of
            .iter()
            .filter_map(|&(a, _, b, _)| match (a == f, b == f) {
                (true, _) => Some(b),
                (false, true) => Some(a),
                (false, false) => None,
            })
            .collect();
        near.insert(f);
        near
    });
    let keep = |e: EntityId| near.as_ref().is_none_or(|n| n.contains(&e));
    let mut worst: HashMap<EntityId, (usize, Severity)> = HashMap::new();
    for &(e, sev) in failing {
        let w = worst.entry(e).or_insert((0, sev));
        w.0 += 1;
        w.1 = w.1.max(sev);
    }

    let mut nodes = Vec::new();
    let mut index: HashMap<EntityId, usize> = HashMap::new();
    for kind in schema.kind_ids() {
        let ks = schema.kind(kind);
        let name_field = ks.field("name");
        let fourth_field = ks.field("fourth_party");
        for &e in inv.of_kind(kind) {
            if !keep(e) {
                continue;
            }
            let ent = inv.get(e);
            let name = name_field
                .and_then(|f| ent.field(f))
                .and_then(|f| match &f.value {
                    Value::Str(s) => Some(s.to_string()),
                    Value::Num(_)
                    | Value::Bool(_)
                    | Value::Date(_)
                    | Value::Cat(_)
                    | Value::Ref(_)
                    | Value::List(_)
                    | Value::Object => None,
                });
            let fourth_party = fourth_field
                .and_then(|f| ent.field(f))
                .is_some_and(|f| f.value == Value::Bool(true));
            let (failing, worst) = match worst.get(&e) {
                Some(&(n, sev)) => (n, Some(sev)),
                None => (0, None),
            };
            index.insert(e, nodes.len());
            nodes.push(Node {
                entity: e,
                kind: ks.name.clone(),
                id: ent.id.to_string(),
                name,
                fourth_party,
                failing,
                worst,
            });
        }
    }

    let mut edges = Vec::new();
    for (from, field, to, link) in edges_of {
        let (Some(&a), Some(&b)) = (index.get(&from), index.get(&to)) else {
            continue;
        };
        let fs = schema.kind(inv.get(from).kind).field_schema(field);
        let attrs = link
            .map(|l| attrs(inv, schema, &project.taxonomy, l))
            .unwrap_or_default();
        edges.push(Edge {
            from: a,
            to: b,
            field: fs.name.clone(),
            attrs,
        });
    }
    Graph { nodes, edges }
}

/// A link's fields as (dotted name, text), in its schema's order; objects are skipped
/// (their members are listed).
fn attrs(
    inv: &Inventory,
    schema: &Schema,
    tax: &Taxonomy,
    link: EntityId,
) -> Vec<(String, String)> {
    let ent = inv.get(link);
    let ks = schema.kind(ent.kind);
    let mut out = Vec::new();
    for (fid, field) in ent.fields.iter() {
        if let Value::Object = field.value {
            continue;
        }
        let name = ks.field_schema(fid).name.clone();
        out.push((name, value_text(inv, tax, &field.value)));
    }
    out
}

/// A value as the inventory would write it; a list's elements joined with `, `.
pub fn value_text(inv: &Inventory, tax: &Taxonomy, v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Num(n) => crate::eval::value::num(*n),
        Value::Bool(b) => b.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Cat(c) => tax.name(*c).to_string(),
        Value::Ref(e) => inv.get(*e).id.to_string(),
        Value::List(items) => items
            .iter()
            .map(|f| value_text(inv, tax, &f.value))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object => String::new(),
    }
}

/// A node of `kind` and `id` with nothing else set, for the renderers' tests.
#[cfg(test)]
pub(crate) fn test_node(kind: &str, id: &str) -> Node {
    Node {
        entity: EntityId(0),
        kind: kind.into(),
        id: id.into(),
        name: None,
        fourth_party: false,
        failing: 0,
        worst: None,
    }
}
