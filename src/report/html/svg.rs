//! The supply-chain graph of the HTML report, as inline SVG, from [`graph::Graph`].
//!
//! A layered layout, computed here with no randomness: three columns, data stores (and
//! any other kinds) on the left, the vendors we contract with in the middle, fourth parties
//! on the right, so every `accesses`, `hosted_by` and `subprocessors` edge joins
//! neighbouring columns. Vendors start in id order; two sweeps then order each column by
//! the mean position of its neighbours in the next column (ties kept in the previous
//! order), which removes most crossings. Edges are curves carrying their field and link
//! attributes as a tooltip. A failing entity is drawn with a thick border in its worst
//! severity's colour *and* a `✖ N failing · worst` line; a fourth party has a dashed
//! border and says so.
//!
//! Past [`MAX_NODES`] entities a drawing of everything is unreadable: the graph then shows
//! the failing entities, most severe (then most findings) first, each with its neighbours,
//! up to the cap, and says what was left out.

use crate::report::graph::{Edge, Graph, Node};
use maud::{Markup, html};
use std::collections::BTreeSet;

/// At most this many entities are drawn.
pub const MAX_NODES: usize = 150;

const NODE_W: i64 = 240;
const NODE_H: i64 = 54;
const ROW_GAP: i64 = 14;
const COL_GAP: i64 = 190;
const MARGIN: i64 = 16;
const HEADER: i64 = 34;
/// Characters of an id or name that fit on a node's line.
const ID_CHARS: usize = 30;
const NAME_CHARS: usize = 36;

/// The graph's section content: a note on what is drawn, the legend and the SVG.
pub fn render(g: &Graph) -> Markup {
    if g.nodes.is_empty() {
        return html! { p { "The inventory has no entities." } };
    }
    let kept = select(g);
    let failing_total = g.nodes.iter().filter(|n| n.failing > 0).count();
    let failing_kept = kept.iter().filter(|&&i| g.nodes[i].failing > 0).count();
    let layout = Layout::new(g, &kept);
    html! {
        p.note {
            @if kept.len() == g.nodes.len() {
                "Every entity in the inventory ("
                (super::thousands(g.nodes.len())) ") and every reference between them ("
                (super::thousands(layout.edges.len())) "). "
            } @else {
                "Showing " (super::thousands(kept.len())) " of " (super::thousands(g.nodes.len()))
                " entities: " (super::thousands(failing_kept)) " of the "
                (super::thousands(failing_total)) " failing entities (the most severe first) and "
                "the entities they reference or are referenced by, up to " (MAX_NODES)
                ". Left out: " (super::thousands(failing_total - failing_kept)) " failing and "
                (super::thousands(g.nodes.len() - kept.len() - (failing_total - failing_kept)))
                " other entities. " code { "custody graph --focus KIND/ID" } " draws any entity's neighbourhood. "
            }
            "Hover over a line for the reference and its attributes; select an entity to filter the findings."
        }
        ul.legend {
            li { span.key.ok {} "no failing findings" }
            @for sev in crate::types::Severity::ALL {
                @if g.nodes.iter().any(|n| n.worst == Some(sev)) {
                    li { span class={ "key sev-" (sev.as_str()) } {} "✖ failing, worst " (sev.as_str()) }
                }
            }
            @if g.nodes.iter().any(|n| n.fourth_party) {
                li { span.key.fourth {} "fourth party (no contract)" }
            }
        }
        div.graph {
            (layout.svg(g))
        }
    }
}

/// The nodes drawn, as indexes into `g.nodes`, in graph order.
fn select(g: &Graph) -> Vec<usize> {
    if g.nodes.len() <= MAX_NODES {
        return (0..g.nodes.len()).collect();
    }
    let mut near: Vec<Vec<usize>> = vec![Vec::new(); g.nodes.len()];
    for e in &g.edges {
        if let Some(v) = near.get_mut(e.from) {
            v.push(e.to);
        }
        if let Some(v) = near.get_mut(e.to) {
            v.push(e.from);
        }
    }
    let mut seeds: Vec<usize> = (0..g.nodes.len())
        .filter(|&i| g.nodes[i].failing > 0)
        .collect();
    seeds.sort_by_key(|&i| {
        (
            std::cmp::Reverse(g.nodes[i].worst),
            std::cmp::Reverse(g.nodes[i].failing),
            i,
        )
    });
    let mut kept = BTreeSet::new();
    'seeds: for s in seeds {
        for i in std::iter::once(s).chain(near[s].iter().copied()) {
            if kept.len() >= MAX_NODES {
                break 'seeds;
            }
            kept.insert(i);
        }
    }
    if kept.is_empty() {
        kept.extend(0..MAX_NODES);
    }
    kept.into_iter().collect()
}

/// Which column a node goes in: 0 data stores and other kinds, 1 vendors, 2 fourth parties.
fn column(n: &Node) -> usize {
    if n.fourth_party {
        2
    } else if n.kind == "vendor" {
        1
    } else {
        0
    }
}

struct Layout<'g> {
    /// Per column (empty columns dropped): its title and its nodes top to bottom.
    columns: Vec<(String, Vec<usize>)>,
    /// Per node of `g`: (x, y) of its top-left corner, when drawn.
    at: Vec<Option<(i64, i64)>>,
    /// Column index per node (after dropping empty columns).
    col: Vec<usize>,
    edges: Vec<&'g Edge>,
    width: i64,
    height: i64,
}

impl<'g> Layout<'g> {
    fn new(g: &'g Graph, kept: &[usize]) -> Layout<'g> {
        let mut cols: [Vec<usize>; 3] = Default::default();
        for &i in kept {
            cols[column(&g.nodes[i])].push(i);
        }
        let mut drawn = vec![false; g.nodes.len()];
        for &i in kept {
            drawn[i] = true;
        }
        let edges: Vec<&Edge> = g
            .edges
            .iter()
            .filter(|e| drawn[e.from] && drawn[e.to] && e.from != e.to)
            .collect();
        // Barycentre sweeps: the side columns by the vendors, then the vendors by both.
        let mut pos = vec![0f64; g.nodes.len()];
        let place = |cols: &[Vec<usize>; 3], pos: &mut Vec<f64>| {
            for c in cols {
                for (k, &i) in c.iter().enumerate() {
                    pos[i] = k as f64;
                }
            }
        };
        place(&cols, &mut pos);
        for _ in 0..2 {
            for c in [0, 2, 1] {
                let mut keyed: Vec<(f64, usize, usize)> = cols[c]
                    .iter()
                    .enumerate()
                    .map(|(k, &i)| {
                        let (mut sum, mut n) = (0f64, 0usize);
                        for e in &edges {
                            let other = if e.from == i {
                                e.to
                            } else if e.to == i {
                                e.from
                            } else {
                                continue;
                            };
                            if column(&g.nodes[other]) != c {
                                sum += pos[other];
                                n += 1;
                            }
                        }
                        let bary = if n == 0 { k as f64 } else { sum / n as f64 };
                        (bary, k, i)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                cols[c] = keyed.into_iter().map(|(_, _, i)| i).collect();
                place(&cols, &mut pos);
            }
        }
        let titles = [
            if cols[0].iter().all(|&i| g.nodes[i].kind == "data_store") {
                "Data stores"
            } else {
                "Data stores and other entities"
            },
            "Vendors we contract with",
            "Fourth parties (no contract)",
        ];
        let columns: Vec<(String, Vec<usize>)> = titles
            .iter()
            .zip(cols)
            .filter(|(_, c)| !c.is_empty())
            .map(|(t, c)| ((*t).to_owned(), c))
            .collect();
        let tallest = columns.iter().map(|(_, c)| c.len()).max().unwrap_or(0) as i64;
        let pitch = NODE_H + ROW_GAP;
        let mut at = vec![None; g.nodes.len()];
        let mut col = vec![0; g.nodes.len()];
        for (ci, (_, nodes)) in columns.iter().enumerate() {
            let x = MARGIN + ci as i64 * (NODE_W + COL_GAP);
            // Shorter columns are centred on the tallest.
            let top = MARGIN + HEADER + (tallest - nodes.len() as i64) * pitch / 2;
            for (k, &i) in nodes.iter().enumerate() {
                at[i] = Some((x, top + k as i64 * pitch));
                col[i] = ci;
            }
        }
        let n = columns.len() as i64;
        Layout {
            width: 2 * MARGIN + n * NODE_W + (n - 1).max(0) * COL_GAP,
            height: 2 * MARGIN + HEADER + tallest * pitch - ROW_GAP,
            columns,
            at,
            col,
            edges,
        }
    }

    fn svg(&self, g: &Graph) -> Markup {
        html! {
            svg xmlns="http://www.w3.org/2000/svg" role="img"
                viewBox={ "0 0 " (self.width) " " (self.height) }
                width=(self.width) height=(self.height)
                aria-label="Supply-chain graph: data stores, vendors and fourth parties, failing entities marked" {
                @for (ci, (title, _)) in self.columns.iter().enumerate() {
                    text.colhead x=(MARGIN + ci as i64 * (NODE_W + COL_GAP) + NODE_W / 2) y=(MARGIN + 14) text-anchor="middle" { (title) }
                }
                g.edges {
                    @for e in &self.edges { (self.edge(g, e)) }
                }
                g.nodes {
                    @for (i, n) in g.nodes.iter().enumerate() {
                        @if let Some((x, y)) = self.at[i] { (node(n, x, y)) }
                    }
                }
            }
        }
    }

    fn edge(&self, g: &Graph, e: &Edge) -> Markup {
        let (Some((ax, ay)), Some((bx, by))) = (self.at[e.from], self.at[e.to]) else {
            return html! {};
        };
        let (ay, by) = (ay + NODE_H / 2, by + NODE_H / 2);
        let (ca, cb) = (self.col[e.from], self.col[e.to]);
        let d = if ca == cb {
            // Within a column: a loop out to the right.
            // Within a column: a loop out to the right, wider the further it goes, so loops
            // of different lengths do not lie on each other.
            let x = ax + NODE_W;
            let bulge = (24 + (ay - by).abs() / 5).min(COL_GAP * 2 / 5);
            format!("M{x} {ay}C{} {ay} {} {by} {x} {by}", x + bulge, x + bulge)
        } else {
            let (x1, x2) = if ca < cb {
                (ax + NODE_W, bx)
            } else {
                (ax, bx + NODE_W)
            };
            let mid = (x1 + x2) / 2;
            format!("M{x1} {ay}C{mid} {ay} {mid} {by} {x2} {by}")
        };
        let (from, to) = (&g.nodes[e.from], &g.nodes[e.to]);
        let mut tip = format!("{} → {}: {}", from.key(), to.key(), e.field);
        if !e.attrs.is_empty() {
            let attrs: Vec<String> = e.attrs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            tip.push_str(&format!(" ({})", attrs.join(", ")));
        }
        let hot = from.failing > 0 || to.failing > 0;
        html! {
            path class=(if hot { "edge hot" } else { "edge" }) d=(d) { title { (tip) } }
        }
    }
}

/// `s`, cut to `n` characters with an ellipsis.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

fn node(n: &Node, x: i64, y: i64) -> Markup {
    let sev = n.worst.map(|s| s.as_str());
    let class = format!(
        "node{}{}",
        sev.map(|s| format!(" failing sev-{s}")).unwrap_or_default(),
        if n.fourth_party { " fourth" } else { "" }
    );
    let key = n.key();
    let mut tip = key.clone();
    if let Some(name) = &n.name {
        tip.push_str(&format!(" ({name})"));
    }
    if n.fourth_party {
        tip.push_str(", a fourth party");
    }
    match sev {
        Some(s) => tip.push_str(&format!(
            ": {} failing {}, worst {s}",
            n.failing,
            if n.failing == 1 {
                "finding"
            } else {
                "findings"
            }
        )),
        None => tip.push_str(": no failing findings"),
    }
    let second = match (&n.name, n.fourth_party) {
        (Some(name), true) => format!("fourth party · {name}"),
        (Some(name), false) => name.clone(),
        (None, true) => "fourth party".to_owned(),
        (None, false) => n.kind.replace('_', " "),
    };
    html! {
        a href="#findings" data-entity=(key) {
            g class=(class) transform={ "translate(" (x) " " (y) ")" } {
                title { (tip) }
                rect width=(NODE_W) height=(NODE_H) rx="6" {}
                text.id x="10" y="18" { (cut(&n.id, ID_CHARS)) }
                text.name x="10" y="33" { (cut(&second, NAME_CHARS)) }
                @if let Some(s) = sev {
                    text.fails x="10" y="47" {
                        "✖ " (n.failing) " failing · " (s)
                    }
                }
            }
        }
    }
}
