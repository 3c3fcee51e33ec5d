//! The graph as Graphviz DOT (`custody graph --format dot`): `digraph custody`, laid out
//! left to right; a node per entity, its ID the quoted `KIND/ID` (stable as long as the
//! entity exists), its label `KIND/ID` and name; vendors are boxes, data stores cylinders,
//! other kinds ellipses; fourth parties dashed, entities with failing findings red; an edge
//! per reference, labelled with the field and the link's attributes. Every string is
//! written by [`quote`], the one place that escapes.

use super::Graph;
use super::text::{self, Shape};
use std::fmt::Write as _;

/// The failing entities' colour (as in the HTML report).
const FAILING: &str = "#c62828";

pub fn render(graph: &Graph) -> String {
    let mut out = String::from("digraph custody {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [fontname=\"Helvetica,Arial,sans-serif\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"Helvetica,Arial,sans-serif\", fontsize=9];\n");
    for node in &graph.nodes {
        let shape = match text::shape(node) {
            Shape::Vendor => "box",
            Shape::Store => "cylinder",
            Shape::Other => "ellipse",
        };
        let _ = write!(
            out,
            "  {} [label={}, shape={shape}",
            quote(&node.key()),
            quote(&text::node_lines(node).join("\n"))
        );
        if node.fourth_party {
            out.push_str(", style=dashed");
        }
        if node.failing > 0 {
            let _ = write!(out, ", color=\"{FAILING}\", penwidth=2");
        }
        out.push_str("];\n");
    }
    for edge in &graph.edges {
        // INVARIANT: `build` makes every edge's ends indexes into `nodes`.
        let (Some(from), Some(to)) = (graph.nodes.get(edge.from), graph.nodes.get(edge.to)) else {
            continue;
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            quote(&from.key()),
            quote(&to.key()),
            quote(&text::edge_lines(edge).join("\n"))
        );
    }
    out.push_str("}\n");
    out
}

/// `s` as a DOT double-quoted string, shown as written wherever Graphviz draws it: `"` and
/// `\` escaped (so no `\N`, `\l` or `\G` escape of Graphviz's label language, and no line
/// continuation, can be formed); a line break as `\n` (a centred line); `&` as `&amp;`
/// (Graphviz reads HTML entities such as `&lt;` in labels); other control characters as
/// U+FFFD. A quoted string is never a keyword (`node`, `edge`, `graph`, `strict`, …).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
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
    fn quote_escapes_what_dot_and_graphviz_labels_read() {
        assert_eq!(quote("plain"), r#""plain""#);
        assert_eq!(quote(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(quote(r"C:\new\N"), r#""C:\\new\\N""#);
        // A trailing backslash cannot escape the closing quote.
        assert_eq!(quote("end\\"), r#""end\\""#);
        assert_eq!(quote("a\nb\r\nc\rd"), r#""a\nb\nc\nd""#);
        assert_eq!(quote("AT&T &lt;"), r#""AT&amp;T &amp;lt;""#);
        assert_eq!(
            quote("tab\there\u{0}\u{7f}"),
            "\"tab here\u{FFFD}\u{FFFD}\""
        );
        assert_eq!(
            quote("Zürich → 東京 <b>]; -->"),
            "\"Zürich → 東京 <b>]; -->\""
        );
        assert_eq!(quote("node"), r#""node""#);
        assert_eq!(quote(""), r#""""#);
    }

    use crate::report::graph::test_node as node;

    #[test]
    fn shapes_dashes_failing_and_edge_labels() {
        let mut v = node("vendor", "a");
        v.name = Some("A \"Corp\"".into());
        v.failing = 2;
        v.worst = Some(Severity::High);
        let mut f = node("vendor", "b");
        f.fourth_party = true;
        let g = Graph {
            nodes: vec![v, node("data_store", "s"), f, node("site", "hq")],
            edges: vec![
                Edge {
                    from: 0,
                    to: 1,
                    field: "accesses".into(),
                    attrs: vec![
                        ("access".into(), "write".into()),
                        ("purpose".into(), "support".into()),
                    ],
                },
                Edge {
                    from: 0,
                    to: 2,
                    field: "subprocessors".into(),
                    attrs: vec![],
                },
            ],
        };
        insta::assert_snapshot!(render(&g), @r##"
        digraph custody {
          rankdir=LR;
          node [fontname="Helvetica,Arial,sans-serif", fontsize=10];
          edge [fontname="Helvetica,Arial,sans-serif", fontsize=9];
          "vendor/a" [label="vendor/a\nA \"Corp\"\n2 failing (worst: high)", shape=box, color="#c62828", penwidth=2];
          "data_store/s" [label="data_store/s", shape=cylinder];
          "vendor/b" [label="vendor/b", shape=box, style=dashed];
          "site/hq" [label="site/hq", shape=ellipse];
          "vendor/a" -> "data_store/s" [label="accesses: access=write\npurpose=support"];
          "vendor/a" -> "vendor/b" [label="subprocessors"];
        }
        "##);
    }
}
