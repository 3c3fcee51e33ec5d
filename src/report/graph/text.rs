//! The words on the drawing, shared by every format: a node's lines (`KIND/ID`, its name,
//! its failing findings) and an edge's (`field: attr=value`, then one attribute a line).
//! Each format escapes them and joins the lines its own way.

use super::{Edge, Node};

/// `vendor/tessaly-crm`, then the name, then `3 failing (worst: high)` when the graph was
/// drawn from an evaluation with failing findings about the entity.
pub fn node_lines(node: &Node) -> Vec<String> {
    let mut lines = vec![node.key()];
    if let Some(name) = node.name.as_ref().filter(|n| !n.is_empty()) {
        lines.push(name.clone());
    }
    if node.failing > 0 {
        lines.push(match node.worst {
            Some(sev) => format!("{} failing (worst: {})", node.failing, sev.as_str()),
            None => format!("{} failing", node.failing),
        });
    }
    lines
}

/// `accesses: access=write`, then each further attribute on a line of its own
/// (`purpose=Customer support`); just the field for a plain reference.
pub fn edge_lines(edge: &Edge) -> Vec<String> {
    let mut attrs = edge.attrs.iter().map(|(k, v)| format!("{k}={v}"));
    let first = match attrs.next() {
        Some(a) => format!("{}: {a}", edge.field),
        None => edge.field.clone(),
    };
    std::iter::once(first).chain(attrs).collect()
}

/// The node's shape class: what every format draws differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Vendor,
    Store,
    Other,
}

pub fn shape(node: &Node) -> Shape {
    match node.kind.as_str() {
        "vendor" => Shape::Vendor,
        "data_store" => Shape::Store,
        _ => Shape::Other,
    }
}
