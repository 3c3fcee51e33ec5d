//! The graph as a Mermaid flowchart (`custody graph --format mermaid`): `flowchart LR`; a
//! node per entity with the ID `n0`, `n1`, … in the graph's order (never a Mermaid keyword
//! such as `end`, whatever the entity's id), its label `KIND/ID` and name, quoted; vendors
//! are rectangles, data stores cylinders, other kinds stadiums; the classes `vendor`,
//! `store`, `other`, `fourth` (dashed) and `failing` (red); an edge per reference labelled
//! with the field and the link's attributes. Every label is written by [`label`], the one
//! place that escapes.
//!
//! Mermaid refuses, by default, to draw a diagram of more than [`MAX_EDGES`] edges or
//! [`MAX_TEXT`] characters; [`too_large`] tells the caller, which warns.

use super::Graph;
use super::text::{self, Shape};
use std::fmt::Write as _;

/// Mermaid's default `maxEdges`.
pub const MAX_EDGES: usize = 500;
/// Mermaid's default `maxTextSize`, in characters.
pub const MAX_TEXT: usize = 50_000;

pub fn render(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    out.push_str("  classDef vendor fill:#e8f0fe,stroke:#1a56db\n");
    out.push_str("  classDef store fill:#e6f4ea,stroke:#137333\n");
    out.push_str("  classDef other fill:#f1f3f4,stroke:#5f6368\n");
    out.push_str("  classDef fourth stroke-dasharray:5 5\n");
    out.push_str("  classDef failing stroke:#c62828,stroke-width:3px\n");
    let mut classes: [(&str, Vec<usize>); 5] = [
        ("vendor", Vec::new()),
        ("store", Vec::new()),
        ("other", Vec::new()),
        ("fourth", Vec::new()),
        ("failing", Vec::new()),
    ];
    for (i, node) in graph.nodes.iter().enumerate() {
        let lines = label(&text::node_lines(node));
        let (open, close, class) = match text::shape(node) {
            Shape::Vendor => ("[", "]", 0),
            Shape::Store => ("[(", ")]", 1),
            Shape::Other => ("([", "])", 2),
        };
        let _ = writeln!(out, "  n{i}{open}{lines}{close}");
        let mut add = |c: usize| {
            if let Some((_, ids)) = classes.get_mut(c) {
                ids.push(i);
            }
        };
        add(class);
        if node.fourth_party {
            add(3);
        }
        if node.failing > 0 {
            add(4);
        }
    }
    for edge in &graph.edges {
        let _ = writeln!(
            out,
            "  n{} -->|{}| n{}",
            edge.from,
            label(&text::edge_lines(edge)),
            edge.to
        );
    }
    for (class, ids) in &classes {
        if ids.is_empty() {
            continue;
        }
        let ids: Vec<String> = ids.iter().map(|i| format!("n{i}")).collect();
        let _ = writeln!(out, "  class {} {class}", ids.join(","));
    }
    out
}

/// Whether Mermaid, with its default settings, refuses to draw `text` (the rendered
/// `graph`): more than [`MAX_EDGES`] edges or [`MAX_TEXT`] characters.
pub fn too_large(graph: &Graph, text: &str) -> bool {
    graph.edges.len() > MAX_EDGES || text.chars().count() > MAX_TEXT
}

/// `lines` as one quoted Mermaid label, shown as written: joined with `<br>`, each line's
/// `"` `#` `&` `<` `>` and backtick written as Mermaid entity codes (`#quot;`, `#35;`, …;
/// Mermaid would otherwise end the string, read an entity, draw HTML or a Markdown string);
/// control characters as U+FFFD. Inside the quotes, `]`, `;`, `|` and `-->` are text.
pub fn label(lines: &[String]) -> String {
    let mut out = String::from("\"");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' => out.push_str("#quot;"),
                '#' => out.push_str("#35;"),
                '&' => out.push_str("#38;"),
                '<' => out.push_str("#60;"),
                '>' => out.push_str("#62;"),
                '`' => out.push_str("#96;"),
                '\n' => out.push_str("<br>"),
                '\r' => {
                    if chars.peek() != Some(&'\n') {
                        out.push_str("<br>");
                    }
                }
                '\t' => out.push(' '),
                c if c.is_control() => out.push('\u{FFFD}'),
                c => out.push(c),
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::graph::Edge;
    use crate::types::Severity;

    #[test]
    fn label_escapes_what_mermaid_reads() {
        let one = |s: &str| label(&[s.to_owned()]);
        assert_eq!(one("plain"), r#""plain""#);
        assert_eq!(one(r#"say "hi""#), r#""say #quot;hi#quot;""#);
        assert_eq!(
            one("#quot; & <b>x</b> `md`"),
            "\"#35;quot; #38; #60;b#62;x#60;/b#62; #96;md#96;\""
        );
        assert_eq!(one("a\nb\r\nc\rd"), r#""a<br>b<br>c<br>d""#);
        assert_eq!(one("]; --> | end \\"), r#""]; --#62; | end \""#);
        assert_eq!(one("tab\t\u{0}"), "\"tab \u{FFFD}\"");
        assert_eq!(one("Zürich 東京"), "\"Zürich 東京\"");
        assert_eq!(label(&["a".into(), "b".into()]), r#""a<br>b""#);
    }

    use crate::report::graph::test_node as node;

    #[test]
    fn shapes_classes_and_edge_labels() {
        let mut v = node("vendor", "a");
        v.name = Some("A Corp".into());
        v.failing = 1;
        v.worst = Some(Severity::Critical);
        let mut f = node("vendor", "end");
        f.fourth_party = true;
        let g = Graph {
            nodes: vec![v, node("data_store", "s"), f, node("site", "hq")],
            edges: vec![
                Edge {
                    from: 0,
                    to: 1,
                    field: "accesses".into(),
                    attrs: vec![("access".into(), "write".into())],
                },
                Edge {
                    from: 0,
                    to: 2,
                    field: "subprocessors".into(),
                    attrs: vec![],
                },
            ],
        };
        let text = render(&g);
        assert!(!too_large(&g, &text));
        insta::assert_snapshot!(text, @r#"
        flowchart LR
          classDef vendor fill:#e8f0fe,stroke:#1a56db
          classDef store fill:#e6f4ea,stroke:#137333
          classDef other fill:#f1f3f4,stroke:#5f6368
          classDef fourth stroke-dasharray:5 5
          classDef failing stroke:#c62828,stroke-width:3px
          n0["vendor/a<br>A Corp<br>1 failing (worst: critical)"]
          n1[("data_store/s")]
          n2["vendor/end"]
          n3(["site/hq"])
          n0 -->|"accesses: access=write"| n1
          n0 -->|"subprocessors"| n2
          class n0,n2 vendor
          class n1 store
          class n3 other
          class n2 fourth
          class n0 failing
        "#);
    }
}
