//! `custody::graph::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// The `--focus` argument of `custody graph` is not `KIND/ID` (or an ID that exactly one entity has), names an unknown kind, or names no entity of that kind.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: crm-platform
    ///     accesses: [crm-contacts]
    /// data_stores:
    ///   - id: crm-contacts
    ///     holds: [personal.contact.address]
    /// ```
    ///
    /// Run: custody graph --inventory inventory --focus vendor/crm-platfrom
    ///
    /// Fix: name the entity as `KIND/ID`, e.g. `vendor/crm-platform`, or by its ID alone when no other entity has the same ID; the help suggests the closest id.
    pub UNKNOWN_ENTITY = error "custody::graph::unknown_entity",
        "The `--focus` argument of `custody graph` is not `KIND/ID` (or an ID that exactly one entity has), names an unknown kind, or names no entity of that kind.";

    /// The Mermaid graph has more edges or text than Mermaid draws with its default settings.
    ///
    /// Mermaid's defaults are 500 edges (`maxEdges`) and 50,000 characters (`maxTextSize`). The output is still written, and is valid, but a Mermaid viewer (GitHub, GitLab, the Mermaid Live Editor) shows an error instead of the graph.
    ///
    /// Produced by: tests/graph.rs
    ///
    /// Fix: draw one entity's neighbourhood with `--focus KIND/ID`, or use `--format dot`: Graphviz reads a graph of any size (lay out a `--focus` graph of a large register, which `dot` draws quickly).
    pub MERMAID_TOO_LARGE = warning "custody::graph::mermaid_too_large",
        "The Mermaid graph has more edges or text than Mermaid draws with its default settings.";
}
