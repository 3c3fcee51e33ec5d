//! Editor queries on YAML text: inventory files, the waivers file and custody.yaml.
//!
//! The cursor's place is read from the text, not from a parse (the file is often broken
//! while it is typed): the cursor's line is split into its list dashes, its key and its
//! value (and, inside `[...]` or `{...}`, the element or key under the cursor); then lines
//! above it are walked back, each less-indented key or dash being a parent, up to the
//! top-level key. The walk reads only lines at most as indented as the current parent, so
//! it costs one pass back over the lines above, whatever the file's size. The resulting
//! chain of keys and list items is interpreted by the file's role (an inventory's
//! `vendors` → item → `contract` → `expires`), and names are looked up in the checked
//! project.

use super::{Completion, CompletionKind, Hover, Symbol, SymbolKind, Target, YamlRole};
use super::{policy, summary};
use crate::check::Checked;
use crate::eval::Finding;
use crate::inventory::{EntityId, FieldId, FieldType, KindId, Schema};
use crate::source::{FileId, Span};
use crate::types::EntityRef;

/// At most this many entity ids in one completion list.
const MAX_ENTITIES: usize = 1000;

/// The keys of a waiver, with their meaning.
const WAIVER_KEYS: &[(&str, &str)] = &[
    ("rule", "the ID of the rule the waiver covers"),
    (
        "entity",
        "the entity it covers, as `KIND/ID` (`vendor/acme`)",
    ),
    ("reason", "why the risk is accepted"),
    ("approved_by", "who accepted it"),
    (
        "expires",
        "the last day the waiver is live (YYYY-MM-DD); after it the finding fails again",
    ),
];

/// The keys of custody.yaml, with their meaning.
const CONFIG_KEYS: &[(&str, &str)] = &[
    (
        "policies",
        "policy files and directories (walked for `*.policy`), and `builtin:` library entries",
    ),
    (
        "inventory",
        "inventory files and directories (every `*.yaml`, `*.yml` and `*.json` file under them, merged)",
    ),
    (
        "waivers",
        "the waivers file: accepted risks, each with an owner and an expiry date",
    ),
    (
        "taxonomy",
        "data categories added to the shipped taxonomy, in its format",
    ),
    (
        "schema",
        "kinds and fields added to the shipped schema, in its format",
    ),
    (
        "fail_on",
        "the lowest severity of a failing finding that fails the run: critical, high, medium or low (default low)",
    ),
    ("max_file_size", "the largest input file read, in bytes"),
    (
        "library",
        "`parameters:` values for the library's exports, `disable:` library rules to leave out",
    ),
    (
        "lint",
        "`allow:` lint codes not to report, `waiver_expiry_days:` how early a waiver's expiry is flagged",
    ),
    (
        "definitions",
        "exports visible in every policy file, `NAME: VALUE`",
    ),
];

/// One step of the chain above the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Item,
}

/// What the cursor is on.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Pos {
    /// A key (or the key being typed, with a colon).
    Key { name: String, span: Span },
    /// A scalar value: the one after the last key of the chain, or a `[...]` element.
    Value { text: String, span: Span },
    /// A word alone (after a dash or on a line of its own): a key being typed or a list
    /// element, as the chain decides.
    Bare { text: String, span: Span },
    /// Inside a block or multi-line scalar.
    Scalar,
}

#[derive(Clone, Debug)]
struct Ctx {
    path: Vec<Seg>,
    pos: Pos,
}

/// A list dash or a key on a line.
#[derive(Clone, Debug)]
struct Opener {
    /// Column (bytes from the line start).
    col: usize,
    /// `None` for a dash.
    key: Option<(String, Span, usize)>,
}

/// One line split up.
#[derive(Clone, Debug, Default)]
struct Line {
    openers: Vec<Opener>,
    /// The value after the last opener: trimmed, without a comment or a leading anchor.
    value: Option<Span>,
    /// Where a `#` comment starts.
    comment: Option<usize>,
    /// `---` or `...`.
    marker: bool,
}

fn parse_line(text: &str, start: usize, end: usize) -> Line {
    let line = text.get(start..end).unwrap_or("");
    let line = line.strip_suffix('\r').unwrap_or(line);
    let b = line.as_bytes();
    let mut out = Line::default();
    if (line.starts_with("---") || line.starts_with("..."))
        && b.get(3).is_none_or(|c| *c == b' ' || *c == b'\t')
    {
        out.marker = true;
        return out;
    }
    // A comment: `#` at the start or after a blank, outside quotes.
    let (mut single, mut double) = (false, false);
    for (i, c) in b.iter().enumerate() {
        match c {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'#' if !single && !double && (i == 0 || matches!(b[i - 1], b' ' | b'\t')) => {
                out.comment = Some(start + i);
                break;
            }
            _ => {}
        }
    }
    let limit = out.comment.map_or(b.len(), |c| c - start);
    let at = |i: usize| b.get(i).copied().unwrap_or(b'\n');
    let blank = |c: u8| c == b' ' || c == b'\t';
    let mut i = 0;
    loop {
        while i < limit && blank(at(i)) {
            i += 1;
        }
        if i >= limit {
            break;
        }
        if at(i) == b'-' && (i + 1 >= limit || blank(at(i + 1))) {
            out.openers.push(Opener { col: i, key: None });
            i += 1;
            continue;
        }
        if let Some((ns, ne, colon)) = key_at(b, i, limit) {
            let name = line.get(ns..ne).unwrap_or("").to_string();
            out.openers.push(Opener {
                col: i,
                key: Some((name, Span::new(start + ns, start + ne), start + colon)),
            });
            i = colon + 1;
        }
        // The value: what is left, trimmed, without an anchor or a tag before it.
        let mut v = i;
        while v < limit && blank(at(v)) {
            v += 1;
        }
        while v < limit && matches!(at(v), b'&' | b'!') {
            while v < limit && !blank(at(v)) {
                v += 1;
            }
            while v < limit && blank(at(v)) {
                v += 1;
            }
        }
        let mut e = limit;
        while e > v && blank(at(e - 1)) {
            e -= 1;
        }
        if e > v {
            out.value = Some(Span::new(start + v, start + e));
        }
        break;
    }
    out
}

/// A key starting at `i`: the name's range and the colon's position.
fn key_at(b: &[u8], i: usize, limit: usize) -> Option<(usize, usize, usize)> {
    let ends_key = |j: usize| j + 1 >= limit || matches!(b.get(j + 1), Some(b' ' | b'\t'));
    let first = *b.get(i)?;
    if first == b'"' || first == b'\'' {
        let close = (i + 1..limit).find(|&j| b.get(j) == Some(&first))?;
        return (b.get(close + 1) == Some(&b':') && ends_key(close + 1)).then_some((
            i + 1,
            close,
            close + 1,
        ));
    }
    if matches!(
        first,
        b'[' | b'{' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`'
    ) {
        return None;
    }
    let colon = (i..limit).find(|&j| b.get(j) == Some(&b':') && ends_key(j))?;
    let mut ne = colon;
    while ne > i && matches!(b.get(ne - 1), Some(b' ' | b'\t')) {
        ne -= 1;
    }
    Some((i, ne, colon))
}

/// The bounds of the line holding `offset` (without its newline).
fn line_at(text: &str, offset: usize) -> (usize, usize) {
    let start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = text
        .get(offset..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| offset + i);
    (start, end)
}

/// The scalar (or flow element) under the cursor within a value, with the keys and items
/// of `[...]`/`{...}` around it.
fn in_value(text: &str, value: Span, offset: usize) -> (Vec<Seg>, Pos) {
    let v = text.get(value.range()).unwrap_or("");
    let b = v.as_bytes();
    let rel = offset.saturating_sub(value.start as usize).min(b.len());
    if !matches!(b.first(), Some(b'[' | b'{')) {
        let (s, e) = unquote(b, 0, b.len());
        return (
            Vec::new(),
            Pos::Value {
                text: v.get(s..e).unwrap_or("").to_string(),
                span: Span::new(value.start as usize + s, value.start as usize + e),
            },
        );
    }
    // The chain inside the value, up to the cursor: each open `[` is an item; inside an
    // open `{`, the key written before a nested `[`/`{` is a key of the chain.
    let mut path = Vec::new();
    let mut depth: Vec<(u8, usize)> = Vec::new();
    let mut quote = None;
    let mut start = 0;
    for (i, c) in b.iter().enumerate().take(rel) {
        if let Some(q) = quote {
            if *c == q {
                quote = None;
            }
            continue;
        }
        match c {
            b'"' | b'\'' => quote = Some(*c),
            b'[' | b'{' => {
                if let Some((b'{', _)) = depth.last()
                    && let Some(k) = flow_key(v, start, i)
                {
                    path.push(Seg::Key(k));
                }
                if *c == b'[' {
                    path.push(Seg::Item);
                }
                depth.push((*c, path.len()));
                start = i + 1;
            }
            b']' | b'}' => {
                if let Some((_, len)) = depth.pop() {
                    path.truncate(len.saturating_sub(if *c == b']' { 1 } else { 0 }));
                    if let Some((b'{', l)) = depth.last() {
                        path.truncate(*l);
                    }
                }
                start = i + 1;
            }
            b',' => start = i + 1,
            _ => {}
        }
    }
    // The element under the cursor: from its start to the next delimiter.
    let mut end = rel;
    while end < b.len() && !matches!(b.get(end), Some(b',' | b']' | b'}' | b'[' | b'{')) {
        end += 1;
    }
    let base = value.start as usize;
    let in_map = matches!(depth.last(), Some((b'{', _)));
    let seg = v.get(start..end).unwrap_or("");
    if in_map {
        match seg.find(':') {
            Some(c) if start + c < rel => {
                let key = seg.get(..c).unwrap_or("").trim().to_string();
                path.push(Seg::Key(key));
                let (s, e) = unquote(b, start + c + 1, end);
                (
                    path,
                    Pos::Value {
                        text: v.get(s..e).unwrap_or("").to_string(),
                        span: Span::new(base + s, base + e),
                    },
                )
            }
            Some(c) => {
                let (s, e) = unquote(b, start, start + c);
                (
                    path,
                    Pos::Key {
                        name: v.get(s..e).unwrap_or("").to_string(),
                        span: Span::new(base + s, base + e),
                    },
                )
            }
            None => {
                let (s, e) = unquote(b, start, end);
                (
                    path,
                    Pos::Key {
                        name: v.get(s..e).unwrap_or("").to_string(),
                        span: Span::new(base + s, base + e),
                    },
                )
            }
        }
    } else {
        let (s, e) = unquote(b, start, end);
        (
            path,
            Pos::Value {
                text: v.get(s..e).unwrap_or("").to_string(),
                span: Span::new(base + s, base + e),
            },
        )
    }
}

/// The key of a flow-mapping entry `key: [` written between `from` and `to`.
fn flow_key(v: &str, from: usize, to: usize) -> Option<String> {
    let seg = v.get(from..to)?;
    let c = seg.rfind(':')?;
    let k = seg.get(..c)?.trim().trim_matches(|c| c == '"' || c == '\'');
    (!k.is_empty()).then(|| k.to_string())
}

/// `from..to` trimmed of blanks and one pair of quotes.
fn unquote(b: &[u8], from: usize, to: usize) -> (usize, usize) {
    let (mut s, mut e) = (from, to.min(b.len()));
    while s < e && matches!(b.get(s), Some(b' ' | b'\t')) {
        s += 1;
    }
    while e > s && matches!(b.get(e - 1), Some(b' ' | b'\t')) {
        e -= 1;
    }
    if let Some(q @ (b'"' | b'\'')) = b.get(s).copied() {
        s += 1;
        if e > s && b.get(e - 1) == Some(&q) {
            e -= 1;
        }
    }
    (s, e.max(s))
}

/// The chain above `offset` and what the cursor is on; `None` in a comment.
fn context(text: &str, offset: usize) -> Option<Ctx> {
    let (ls, le) = line_at(text, offset);
    let line = parse_line(text, ls, le);
    if line.marker || line.comment.is_some_and(|c| offset > c) {
        return None;
    }
    let mut local = Vec::new();
    let mut pos = None;
    for (n, o) in line.openers.iter().enumerate() {
        match &o.key {
            None if ls + o.col < offset => local.push(Seg::Item),
            None => break,
            Some((name, span, colon)) => {
                if offset <= *colon {
                    if offset >= span.start as usize || n == 0 {
                        pos = Some(Pos::Key {
                            name: name.clone(),
                            span: *span,
                        });
                    }
                    break;
                }
                local.push(Seg::Key(name.clone()));
            }
        }
    }
    let last_is_key = matches!(line.openers.last(), Some(Opener { key: Some(_), .. }));
    let pos = match pos {
        Some(p) => p,
        None => match line.value {
            Some(v) if offset >= v.start as usize => {
                let (more, p) = in_value(text, v, offset);
                let flow = !more.is_empty();
                local.extend(more);
                match p {
                    Pos::Value { text, span } if !last_is_key && !flow => Pos::Bare { text, span },
                    other => other,
                }
            }
            _ if last_is_key => Pos::Value {
                text: String::new(),
                span: Span::new(offset, offset),
            },
            _ => Pos::Bare {
                text: String::new(),
                span: Span::new(offset, offset),
            },
        },
    };
    // Where the parent search starts: the line's first dash or key, else the cursor's
    // column (on a blank line) or the typed word's.
    let (mut col, mut dash) = match line.openers.first() {
        Some(o) => (o.col, o.key.is_none()),
        None => match &pos {
            Pos::Bare { span, .. } if !span.is_empty() => (span.start as usize - ls, false),
            _ => (offset - ls, false),
        },
    };
    let mut path = local;
    let mut pos = pos;
    let bytes = text.as_bytes();
    let mut before = ls;
    let mut first = true;
    while col > 0 || dash {
        if before == 0 {
            break;
        }
        let ps = text
            .get(..before - 1)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let pe = before - 1;
        before = ps;
        let mut ind = ps;
        while ind < pe && bytes.get(ind) == Some(&b' ') {
            ind += 1;
        }
        let c = ind - ps;
        let head = bytes.get(ind).copied();
        if ind >= pe || head == Some(b'#') || head == Some(b'\r') || c > col {
            continue;
        }
        if c == 0 && (text.get(ps..pe).is_some_and(|l| l.starts_with("---"))) {
            // A document marker: the chain starts below it.
            break;
        }
        if c == col && (!dash || head == Some(b'-')) {
            continue;
        }
        let pl = parse_line(text, ps, pe);
        if pl.marker {
            break;
        }
        let Some(ix) = pl
            .openers
            .iter()
            .rposition(|o| o.col < col || (dash && o.col == col && o.key.is_some()))
        else {
            continue;
        };
        let Some(matched) = pl.openers.get(ix) else {
            break;
        };
        if first && matched.key.is_some() && ix + 1 == pl.openers.len() && pl.value.is_some() {
            // The cursor's line continues this key's scalar.
            path.clear();
            pos = Pos::Scalar;
        }
        first = false;
        let mut segs: Vec<Seg> = pl
            .openers
            .iter()
            .take(ix + 1)
            .map(|o| match &o.key {
                Some((name, ..)) => Seg::Key(name.clone()),
                None => Seg::Item,
            })
            .collect();
        segs.append(&mut path);
        path = segs;
        let Some(head) = pl.openers.first() else {
            break;
        };
        col = head.col;
        dash = head.key.is_none();
    }
    Some(Ctx { path, pos })
}

/// The keys at column 0, in order (for a file's role).
pub(super) fn top_level_keys(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|l| {
        let b = l.as_bytes();
        if matches!(b.first(), None | Some(b' ' | b'\t' | b'#' | b'-' | b'.')) {
            return None;
        }
        key_at(b, 0, b.len()).and_then(|(s, e, _)| l.get(s..e))
    })
}

/// What an inventory chain leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    Top,
    Collection(KindId),
    Entity(KindId),
    /// `id` of an entity.
    Id(KindId),
    /// A field (of a kind or of a link schema).
    Field(KindId, FieldId),
    /// An element of a list field.
    Element(KindId, FieldId),
    /// `id` in a link mapping (`- {id: crm, access: write}`).
    LinkId(KindId, FieldId),
    Unknown,
}

fn step(schema: &Schema, node: Node, seg: &Seg) -> Node {
    match (node, seg) {
        (Node::Top, Seg::Key(n)) => schema
            .kind_by_collection(n)
            .map_or(Node::Unknown, Node::Collection),
        (Node::Collection(k), Seg::Item) => Node::Entity(k),
        (Node::Entity(k), Seg::Key(n)) => {
            if n == "id" {
                return Node::Id(k);
            }
            let ks = schema.kind(k);
            ks.field(n)
                .filter(|f| ks.field_schema(*f).parent.is_none())
                .map_or(Node::Unknown, |f| Node::Field(k, f))
        }
        (Node::Field(k, f), Seg::Key(n)) => {
            let ks = schema.kind(k);
            let fs = ks.field_schema(f);
            if fs.ty != FieldType::Object {
                return Node::Unknown;
            }
            ks.field(&format!("{}.{n}", fs.name))
                .map_or(Node::Unknown, |f| Node::Field(k, f))
        }
        (Node::Field(k, f), Seg::Item) => match schema.kind(k).field_schema(f).ty {
            FieldType::List(_) => Node::Element(k, f),
            _ => Node::Unknown,
        },
        (Node::Element(k, f), Seg::Key(n)) => {
            if n == "id" {
                return Node::LinkId(k, f);
            }
            schema
                .link_of(k, f)
                .and_then(|l| schema.kind(l).field(n).map(|lf| Node::Field(l, lf)))
                .unwrap_or(Node::Unknown)
        }
        _ => Node::Unknown,
    }
}

fn walk(schema: &Schema, path: &[Seg]) -> Node {
    path.iter().fold(Node::Top, |n, s| step(schema, n, s))
}

/// The type of the values written at `node`.
fn value_type(schema: &Schema, node: Node) -> Option<FieldType> {
    match node {
        Node::Id(_) => Some(FieldType::String),
        Node::Field(k, f) => Some(schema.kind(k).field_schema(f).ty.clone()),
        Node::Element(k, f) | Node::LinkId(k, f) => match &schema.kind(k).field_schema(f).ty {
            FieldType::List(inner) => Some((**inner).clone()),
            _ => None,
        },
        Node::Top | Node::Collection(_) | Node::Entity(_) | Node::Unknown => None,
    }
}

/// The entity a value at `node` names.
fn entity_at(checked: &Checked, node: Node, text: &str) -> Option<EntityId> {
    let schema = &checked.project.schema;
    let inventory = &checked.project.inventory;
    match node {
        Node::Id(k) => inventory.lookup(k, text),
        _ => match value_type(schema, node)? {
            FieldType::Ref(k) => inventory.lookup(k, text),
            _ => None,
        },
    }
}

/// A `Bare` word is a list element where the chain is a list's item, else a key.
fn bare_is_value(node: Node) -> bool {
    matches!(node, Node::Element(..))
}

pub(super) fn hover(
    checked: &Checked,
    findings: &[Finding],
    file: FileId,
    offset: usize,
    role: YamlRole,
) -> Option<Hover> {
    let text = checked.project.sources.text(file);
    let cx = context(text, offset)?;
    if let Pos::Key { span, .. } | Pos::Bare { span, .. } = &cx.pos
        && offset < span.start as usize
    {
        // In the indentation before a key.
        return None;
    }
    let schema = &checked.project.schema;
    match role {
        YamlRole::Inventory => {
            let node = walk(schema, &cx.path);
            let (key, value) = split(&cx.pos, bare_is_value(node));
            if let Some((name, span)) = key {
                let markdown = match step(schema, node, &Seg::Key(name.to_string())) {
                    Node::Collection(k) => summary::kind_markdown(checked, k),
                    Node::Id(k) => summary::id_markdown(checked, k),
                    Node::Field(k, f) => summary::field_markdown(checked, k, f),
                    Node::LinkId(k, f) => link_id_markdown(checked, k, f),
                    _ => return None,
                };
                return Some(Hover { span, markdown });
            }
            if let Some((value, span)) = value {
                if let Some(e) = entity_at(checked, node, value) {
                    return Some(Hover {
                        span,
                        markdown: summary::entity_markdown(checked, findings, e),
                    });
                }
                if matches!(value_type(schema, node), Some(FieldType::Category))
                    && let Some(c) = category_under(checked, value, span, offset)
                {
                    return Some(Hover {
                        span,
                        markdown: summary::category_markdown(checked, c),
                    });
                }
            }
            let span = match &cx.pos {
                Pos::Value { span, .. } | Pos::Bare { span, .. } | Pos::Key { span, .. } => *span,
                Pos::Scalar => Span::new(offset, offset),
            };
            match node {
                Node::Field(k, f) | Node::Element(k, f) => Some(Hover {
                    span,
                    markdown: summary::field_markdown(checked, k, f),
                }),
                _ => None,
            }
        }
        YamlRole::Waivers => {
            let in_waiver = cx.path.first() == Some(&Seg::Key("waivers".into()))
                && cx.path.get(1) == Some(&Seg::Item);
            if !in_waiver {
                return None;
            }
            if let Pos::Key { name, span } | Pos::Bare { text: name, span } = &cx.pos
                && cx.path.len() == 2
            {
                let (_, doc) = WAIVER_KEYS.iter().find(|(k, _)| k == name)?;
                return Some(Hover {
                    span: *span,
                    markdown: format!("**{name}**: {doc}"),
                });
            }
            let (Some(Seg::Key(field)), Pos::Value { text, span }) = (cx.path.get(2), &cx.pos)
            else {
                return None;
            };
            let markdown = match field.as_str() {
                "rule" => summary::rule_markdown(checked, findings, text)?,
                "entity" => {
                    let r = EntityRef::parse(text)?;
                    let e = checked.project.inventory.find(schema, &r)?;
                    summary::entity_markdown(checked, findings, e)
                }
                _ => return None,
            };
            Some(Hover {
                span: *span,
                markdown,
            })
        }
        YamlRole::Config => {
            if let Some(rule) = disabled_rule(&cx) {
                let (_, span) = rule;
                let markdown = summary::rule_markdown(checked, findings, rule.0)?;
                return Some(Hover { span, markdown });
            }
            let (Pos::Key { name, span } | Pos::Bare { text: name, span }) = &cx.pos else {
                return None;
            };
            if names_export(&cx) {
                let l = policy::export_named(checked, name)?;
                return Some(Hover {
                    span: *span,
                    markdown: policy::let_markdown(checked, &l),
                });
            }
            if !cx.path.is_empty() {
                return None;
            }
            let (_, doc) = CONFIG_KEYS.iter().find(|(k, _)| k == name)?;
            Some(Hover {
                span: *span,
                markdown: format!("**{name}**: {doc}"),
            })
        }
        YamlRole::Other => None,
    }
}

/// The category a value names, or the one named by its segments up to the cursor
/// (`personal` in `personal.contact.addres` while it is typed).
fn category_under(
    checked: &Checked,
    value: &str,
    span: Span,
    offset: usize,
) -> Option<crate::inventory::CatId> {
    let tax = &checked.project.taxonomy;
    if let Some(c) = tax.lookup(value) {
        return Some(c);
    }
    let upto = offset.saturating_sub(span.start as usize);
    let end = value
        .get(upto..)
        .and_then(|rest| rest.find('.'))
        .map_or(value.len(), |i| upto + i);
    tax.lookup(value.get(..end)?)
}

fn link_id_markdown(checked: &Checked, k: KindId, f: FieldId) -> String {
    let schema = &checked.project.schema;
    let fs = schema.kind(k).field_schema(f);
    format!(
        "**id**: the entity this entry of `{}.{}` names; the other keys describe the link (`{}`)",
        schema.kind(k).name,
        fs.name,
        schema.type_name(&fs.ty)
    )
}

/// The key or the value the cursor is on.
#[allow(clippy::type_complexity)]
fn split(pos: &Pos, bare_value: bool) -> (Option<(&str, Span)>, Option<(&str, Span)>) {
    match pos {
        Pos::Key { name, span } => (Some((name, *span)), None),
        Pos::Bare { text, span } if !bare_value => (Some((text, *span)), None),
        Pos::Value { text, span } | Pos::Bare { text, span } => (None, Some((text, *span))),
        Pos::Scalar => (None, None),
    }
}

pub(super) fn completion(
    checked: &Checked,
    file: FileId,
    offset: usize,
    role: YamlRole,
) -> Vec<Completion> {
    let text = checked.project.sources.text(file);
    let Some(cx) = context(text, offset) else {
        return Vec::new();
    };
    let schema = &checked.project.schema;
    let typed = |span: Span| -> (String, Span) {
        let start = (span.start as usize).min(offset);
        (
            text.get(start..offset).unwrap_or("").to_string(),
            Span::new(start, offset),
        )
    };
    let keyed = |items: &[(&str, &str)], span: Span| {
        let (prefix, replace) = typed(span);
        let written = written_keys(text, span);
        items
            .iter()
            .filter(|(k, _)| k.starts_with(prefix.as_str()) && !written.contains(*k))
            .map(|(k, d)| Completion {
                label: (*k).to_string(),
                kind: CompletionKind::Field,
                detail: None,
                documentation: Some((*d).to_string()),
                replace,
            })
            .collect::<Vec<_>>()
    };
    match role {
        YamlRole::Inventory => {
            let node = walk(schema, &cx.path);
            let (key, value) = split(&cx.pos, bare_is_value(node));
            if let Some((_, span)) = key {
                let (prefix, replace) = typed(span);
                let written = written_keys(text, span);
                return key_items(checked, node, replace)
                    .into_iter()
                    .filter(|c| c.label.starts_with(prefix.as_str()) && !written.contains(&c.label))
                    .collect();
            }
            let Some((_, span)) = value else {
                return Vec::new();
            };
            let (prefix, replace) = typed(span);
            value_items(checked, node, &prefix, replace)
        }
        YamlRole::Waivers => {
            if cx.path.first() != Some(&Seg::Key("waivers".into())) {
                return Vec::new();
            }
            match (&cx.pos, cx.path.get(2)) {
                (Pos::Key { span, .. } | Pos::Bare { span, .. }, None) if cx.path.len() == 2 => {
                    keyed(WAIVER_KEYS, *span)
                }
                (Pos::Value { span, .. }, Some(Seg::Key(field))) => {
                    let (prefix, replace) = typed(*span);
                    match field.as_str() {
                        "rule" => rule_items(checked, &prefix, replace),
                        "entity" => entity_ref_items(checked, &prefix, replace),
                        _ => Vec::new(),
                    }
                }
                _ => Vec::new(),
            }
        }
        YamlRole::Config => match (&cx.pos, cx.path.as_slice()) {
            (Pos::Key { span, .. } | Pos::Bare { span, .. }, []) => keyed(CONFIG_KEYS, *span),
            (Pos::Key { span, .. } | Pos::Bare { span, .. }, [Seg::Key(l), Seg::Key(p)])
                if l == "library" && p == "parameters" =>
            {
                let (prefix, replace) = typed(*span);
                policy::parameter_items(checked, &prefix, replace)
            }
            (
                Pos::Value { span, .. } | Pos::Bare { span, .. },
                [Seg::Key(l), Seg::Key(d), Seg::Item],
            ) if l == "library" && d == "disable" => {
                let (prefix, replace) = typed(*span);
                rule_items(checked, &prefix, replace)
            }
            (Pos::Value { span, .. }, [Seg::Key(k)]) if k == "fail_on" => {
                let (prefix, replace) = typed(*span);
                ["critical", "high", "medium", "low"]
                    .iter()
                    .filter(|v| v.starts_with(prefix.as_str()))
                    .map(|v| Completion {
                        label: (*v).to_string(),
                        kind: CompletionKind::Value,
                        detail: None,
                        documentation: None,
                        replace,
                    })
                    .collect()
            }
            _ => Vec::new(),
        },
        YamlRole::Other => Vec::new(),
    }
}

/// The other keys of the block mapping the key at `span` is in (so completion does not
/// offer them again): keys at the same column on the lines around it, up to a line less
/// indented or a list item at that column.
fn written_keys(text: &str, span: Span) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    let at = span.start as usize;
    let (ls, le) = line_at(text, at);
    let col = at - ls;
    // Is this line a member of the mapping, a line inside it, or past its end?
    let mut visit = |start: usize, end: usize, own_start: bool| -> bool {
        let line = parse_line(text, start, end);
        if line.marker {
            return false;
        }
        let Some(first) = line.openers.first() else {
            // Blank, a comment, or a scalar's continuation.
            let ind = text
                .get(start..end)
                .map_or(0, |l| l.len() - l.trim_start().len());
            return line.value.is_none() || ind > col;
        };
        // Going back, a line with a dash before the key's column starts the mapping (its
        // key is one of them); going forward, it starts the next item.
        if first.col < col && !own_start {
            return false;
        }
        if let Some(Opener {
            key: Some((name, span, _)),
            ..
        }) = line.openers.iter().find(|o| o.col == col)
            && span.start as usize != at
        {
            out.insert(name.clone());
        }
        first.col >= col
    };
    // A mapping that starts on the cursor's line (`- na`) has nothing above it.
    let own = parse_line(text, ls, le);
    let starts_here = own.openers.first().is_some_and(|o| o.col < col);
    let mut before = if starts_here { 0 } else { ls };
    while before > 0 {
        let ps = text
            .get(..before - 1)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        if !visit(ps, before - 1, true) {
            break;
        }
        before = ps;
    }
    let mut after = le;
    while after < text.len() {
        let ne = text
            .get(after + 1..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| after + 1 + i);
        if !visit(after + 1, ne, false) {
            break;
        }
        after = ne;
    }
    out
}

/// The keys that may be written inside `node`.
fn key_items(checked: &Checked, node: Node, replace: Span) -> Vec<Completion> {
    let schema = &checked.project.schema;
    let field = |k: KindId, f: FieldId| {
        let fs = schema.kind(k).field_schema(f);
        Completion {
            label: fs.short_name().to_string(),
            kind: CompletionKind::Field,
            detail: Some(schema.type_name(&fs.ty)),
            documentation: (!fs.doc.is_empty()).then(|| fs.doc.clone()),
            replace,
        }
    };
    let id = Completion {
        label: "id".to_string(),
        kind: CompletionKind::Field,
        detail: Some("string".to_string()),
        documentation: Some("the entity's id".to_string()),
        replace,
    };
    match node {
        Node::Top => schema
            .kind_ids()
            .map(|k| {
                let ks = schema.kind(k);
                Completion {
                    label: ks.collection.clone(),
                    kind: CompletionKind::Kind,
                    detail: Some(format!("{} entities", ks.name)),
                    documentation: (!ks.doc.is_empty()).then(|| ks.doc.clone()),
                    replace,
                }
            })
            .collect(),
        Node::Entity(k) => std::iter::once(id)
            .chain(
                schema
                    .kind(k)
                    .members(None)
                    .filter(|(_, f)| f.reverse_of.is_none())
                    .map(|(f, _)| field(k, f)),
            )
            .collect(),
        Node::Field(k, f) if schema.kind(k).field_schema(f).ty == FieldType::Object => schema
            .kind(k)
            .members(Some(f))
            .map(|(f, _)| field(k, f))
            .collect(),
        Node::Element(k, f) => match schema.link_of(k, f) {
            Some(l) => std::iter::once(id)
                .chain(schema.kind(l).members(None).map(|(lf, _)| field(l, lf)))
                .collect(),
            None => Vec::new(),
        },
        Node::Field(..) | Node::Collection(_) | Node::Id(_) | Node::LinkId(..) | Node::Unknown => {
            Vec::new()
        }
    }
}

/// The values that may be written at `node`: entity ids of the right kind, categories,
/// enum values, booleans.
fn value_items(checked: &Checked, node: Node, prefix: &str, replace: Span) -> Vec<Completion> {
    let project = &checked.project;
    let schema = &project.schema;
    let ty = match value_type(schema, node) {
        Some(FieldType::List(inner)) => *inner,
        Some(t) => t,
        None => return Vec::new(),
    };
    if matches!(node, Node::Id(_)) {
        return Vec::new();
    }
    let value = |label: &str| Completion {
        label: label.to_string(),
        kind: CompletionKind::Value,
        detail: None,
        documentation: None,
        replace,
    };
    match ty {
        FieldType::Ref(k) => entity_items(checked, k, prefix, replace, false),
        FieldType::Category => {
            let tax = &project.taxonomy;
            tax.ids()
                .filter(|c| tax.name(*c).starts_with(prefix))
                .map(|c| Completion {
                    label: tax.name(c).to_string(),
                    kind: CompletionKind::Category,
                    detail: tax.parent(c).map(|p| tax.name(p).to_string()),
                    documentation: (!tax.doc(c).is_empty()).then(|| tax.doc(c).to_string()),
                    replace,
                })
                .collect()
        }
        FieldType::Enum(v) => v
            .values
            .iter()
            .filter(|x| x.starts_with(prefix))
            .map(|x| value(x))
            .collect(),
        FieldType::Bool => ["true", "false"]
            .iter()
            .filter(|x| x.starts_with(prefix))
            .map(|x| value(x))
            .collect(),
        FieldType::String
        | FieldType::Number
        | FieldType::Date
        | FieldType::Object
        | FieldType::List(_) => Vec::new(),
    }
}

/// The ids of `kind`'s entities starting with `prefix` (as `KIND/ID` when `qualified`).
fn entity_items(
    checked: &Checked,
    kind: KindId,
    prefix: &str,
    replace: Span,
    qualified: bool,
) -> Vec<Completion> {
    let project = &checked.project;
    let schema = &project.schema;
    let ks = schema.kind(kind);
    let name_field = ks.field("name");
    let mut out = Vec::new();
    for e in project.inventory.of_kind(kind) {
        let ent = project.inventory.get(*e);
        let label = if qualified {
            format!("{}/{}", ks.name, ent.id)
        } else {
            ent.id.to_string()
        };
        if !label.starts_with(prefix) {
            continue;
        }
        let detail = name_field
            .and_then(|f| ent.field(f))
            .and_then(|f| match &f.value {
                crate::inventory::Value::Str(s) => Some(s.to_string()),
                _ => None,
            });
        out.push(Completion {
            label,
            kind: CompletionKind::Entity,
            detail,
            documentation: None,
            replace,
        });
        if out.len() == MAX_ENTITIES {
            break;
        }
    }
    out
}

/// A waiver's `entity:`: `KIND/` while no kind is typed, then that kind's entities.
fn entity_ref_items(checked: &Checked, prefix: &str, replace: Span) -> Vec<Completion> {
    let schema = &checked.project.schema;
    match prefix.split_once('/') {
        Some((kind, _)) => match schema.kind_by_name(kind) {
            Some(k) => entity_items(checked, k, prefix, replace, true),
            None => Vec::new(),
        },
        None => schema
            .kind_ids()
            .map(|k| schema.kind(k))
            .filter(|ks| ks.name.starts_with(prefix))
            .map(|ks| Completion {
                label: format!("{}/", ks.name),
                kind: CompletionKind::Kind,
                detail: Some(format!("{} entities", ks.name)),
                documentation: None,
                replace,
            })
            .collect(),
    }
}

/// Every loaded rule's ID starting with `prefix`, in ID order.
fn rule_items(checked: &Checked, prefix: &str, replace: Span) -> Vec<Completion> {
    checked
        .program
        .rules
        .iter()
        .filter(|r| r.id.as_str().starts_with(prefix))
        .map(|r| Completion {
            label: r.id.to_string(),
            kind: CompletionKind::Rule,
            detail: Some(format!("{} · {}", r.title, r.severity.as_str())),
            documentation: None,
            replace,
        })
        .collect()
}

pub(super) fn target(
    checked: &Checked,
    file: FileId,
    offset: usize,
    role: YamlRole,
) -> Option<Target> {
    let text = checked.project.sources.text(file);
    let cx = context(text, offset)?;
    let schema = &checked.project.schema;
    match role {
        YamlRole::Inventory => {
            let node = walk(schema, &cx.path);
            let (key, value) = split(&cx.pos, bare_is_value(node));
            if key.is_some() {
                return None;
            }
            let (value, _) = value?;
            entity_at(checked, node, value).map(Target::Entity)
        }
        YamlRole::Waivers => {
            let (Some(Seg::Key(field)), Pos::Value { text, .. }) = (cx.path.get(2), &cx.pos) else {
                return None;
            };
            match field.as_str() {
                "rule" => Some(Target::Rule(text.clone())),
                "entity" => {
                    let r = EntityRef::parse(text)?;
                    checked
                        .project
                        .inventory
                        .find(schema, &r)
                        .map(Target::Entity)
                }
                _ => None,
            }
        }
        YamlRole::Config => {
            if let Some((rule, _)) = disabled_rule(&cx) {
                return Some(Target::Rule(rule.to_string()));
            }
            match &cx.pos {
                Pos::Key { name, .. } | Pos::Bare { text: name, .. } if names_export(&cx) => {
                    policy::export_named(checked, name).map(|l| l.target(checked))
                }
                _ => None,
            }
        }
        YamlRole::Other => None,
    }
}

/// Is the cursor on a key of custody.yaml's `library.parameters` or `definitions` (each
/// names an export)?
fn names_export(cx: &Ctx) -> bool {
    match cx.path.as_slice() {
        [Seg::Key(l), Seg::Key(p)] => l == "library" && p == "parameters",
        [Seg::Key(d)] => d == "definitions",
        _ => false,
    }
}

/// A rule ID in custody.yaml's `library.disable` list, under the cursor.
fn disabled_rule(cx: &Ctx) -> Option<(&str, Span)> {
    match (cx.path.as_slice(), &cx.pos) {
        (
            [Seg::Key(l), Seg::Key(d), Seg::Item],
            Pos::Value { text, span } | Pos::Bare { text, span },
        ) if l == "library" && d == "disable" => Some((text, *span)),
        _ => None,
    }
}

/// Top-level keys with the span of their section (up to the next top-level key).
fn sections(text: &str) -> Vec<(String, Span, Span)> {
    let mut out: Vec<(String, Span, Span)> = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let b = line.as_bytes();
        if !matches!(
            b.first(),
            None | Some(b' ' | b'\t' | b'#' | b'-' | b'.' | b'\r' | b'\n')
        ) && let Some((s, e, _)) = key_at(b, 0, line.trim_end().len())
            && let Some(name) = line.get(s..e)
        {
            out.push((
                name.to_string(),
                Span::new(start, start + line.trim_end().len()),
                Span::new(start + s, start + e),
            ));
        }
        start += line.len();
    }
    // Each section runs to the last non-blank text before the next one.
    let ends: Vec<usize> = out
        .iter()
        .skip(1)
        .map(|(_, s, _)| s.start as usize)
        .chain(std::iter::once(text.len()))
        .collect();
    for ((_, span, _), end) in out.iter_mut().zip(ends) {
        let body = text.get(span.start as usize..end).unwrap_or("").trim_end();
        *span = Span::new(span.start as usize, span.start as usize + body.len());
    }
    out
}

pub(super) fn symbols(checked: &Checked, file: FileId, role: YamlRole) -> Vec<Symbol> {
    let project = &checked.project;
    let text = project.sources.text(file);
    match role {
        YamlRole::Inventory | YamlRole::Config => {
            let mut out: Vec<Symbol> = sections(text)
                .into_iter()
                .map(|(name, span, selection)| Symbol {
                    name,
                    detail: None,
                    kind: SymbolKind::Section,
                    span,
                    selection,
                    children: Vec::new(),
                })
                .collect();
            if role == YamlRole::Inventory {
                let name_of = |e: &crate::inventory::Entity| {
                    project
                        .schema
                        .kind(e.kind)
                        .field("name")
                        .and_then(|f| e.field(f))
                        .and_then(|f| match &f.value {
                            crate::inventory::Value::Str(s) => Some(s.to_string()),
                            _ => None,
                        })
                };
                for e in project
                    .inventory
                    .entities
                    .iter()
                    .filter(|e| e.loc.file == file)
                {
                    let collection = &project.schema.kind(e.kind).collection;
                    // The section (of this kind) the entity is written in.
                    let Some(section) = out.iter_mut().rev().find(|s| {
                        &s.name == collection
                            && s.span.start <= e.loc.span.start
                            && e.loc.span.start <= s.span.end
                    }) else {
                        continue;
                    };
                    section.children.push(Symbol {
                        name: e.id.to_string(),
                        detail: name_of(e),
                        kind: SymbolKind::Entity,
                        span: e.loc.span.to(e.id_loc.span),
                        selection: e.id_loc.span,
                        children: Vec::new(),
                    });
                }
                for s in &mut out {
                    s.children.sort_by_key(|c| c.span.start);
                }
            }
            out
        }
        YamlRole::Waivers => project
            .waivers
            .iter()
            .filter(|w| w.loc.file == file)
            .map(|w| {
                let end = [w.rule_loc, w.entity_loc, w.expires_loc]
                    .iter()
                    .filter(|l| l.file == file)
                    .map(|l| l.span)
                    .fold(w.loc.span, Span::to);
                Symbol {
                    name: format!("{} {}", w.rule, w.entity),
                    detail: Some(format!("expires {}", w.expires)),
                    kind: SymbolKind::Waiver,
                    span: end,
                    selection: w.rule_loc.span,
                    children: Vec::new(),
                }
            })
            .collect(),
        YamlRole::Other => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chain and position at the `|` in `text`.
    fn at(text: &str) -> (Vec<Seg>, Pos) {
        let offset = text.find('|').unwrap();
        let text = text.replacen('|', "", 1);
        let cx = context(&text, offset).unwrap();
        (cx.path, cx.pos)
    }

    fn keys(path: &[Seg]) -> String {
        path.iter()
            .map(|s| match s {
                Seg::Key(k) => k.as_str(),
                Seg::Item => "-",
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn block_keys_and_items() {
        let text = "vendors:\n  - id: a\n    contract:\n      # note\n      exp|ires: 2026-01-01\n";
        let (path, pos) = at(text);
        assert_eq!(keys(&path), "vendors - contract");
        assert!(matches!(pos, Pos::Key { name, .. } if name == "expires"));
        // Indentless sequences, and a value.
        let (path, pos) = at("vendors:\n- id: a\n  accesses:\n  - c|rm\n");
        assert_eq!(keys(&path), "vendors - accesses -");
        assert!(matches!(pos, Pos::Bare { text, .. } if text == "crm"));
        let (path, pos) = at("vendors:\n  - id: a\n    tier: hi|gh\n");
        assert_eq!(keys(&path), "vendors - tier");
        assert!(matches!(pos, Pos::Value { text, .. } if text == "high"));
    }

    #[test]
    fn keys_already_written_in_the_mapping() {
        let text = "vendors:\n  - id: a\n    name: x\n    contract:\n      dpa_signed: true\n    ti\n    owner: y\n  - id: b\n    tier: low\n";
        let at = text.find("ti\n").unwrap();
        let mut keys: Vec<String> = written_keys(text, Span::new(at, at + 2))
            .into_iter()
            .collect();
        keys.sort();
        assert_eq!(keys, ["contract", "id", "name", "owner"]);
        let text = "vendors:\n  - id: a\n  - na\n    tier: x\n  - id: c\n";
        let at = text.find("na").unwrap();
        let keys: Vec<String> = written_keys(text, Span::new(at, at + 2))
            .into_iter()
            .collect();
        assert_eq!(keys, ["tier"]);
    }

    #[test]
    fn flow_collections() {
        let (path, pos) = at("vendors:\n  - handles: [a.b, c|.d]\n");
        assert_eq!(keys(&path), "vendors - handles -");
        assert!(matches!(pos, Pos::Value { text, .. } if text == "c.d"));
        let (path, pos) = at("vendors:\n  - accesses:\n      - {id: crm, acc|\n");
        assert_eq!(keys(&path), "vendors - accesses -");
        assert!(matches!(pos, Pos::Key { name, .. } if name == "acc"));
        let (path, pos) = at("vendors:\n  - accesses: [{id: crm, access: wr|}]\n");
        assert_eq!(keys(&path), "vendors - accesses - access");
        assert!(matches!(pos, Pos::Value { text, .. } if text == "wr"));
    }

    #[test]
    fn block_scalars_blank_lines_and_comments() {
        let text = "vendors:\n  - id: a\n    description: >-\n      some: text |here\n";
        let (path, pos) = at(text);
        assert_eq!(keys(&path), "vendors - description");
        assert_eq!(pos, Pos::Scalar);
        let (path, pos) = at("vendors:\n  - id: a\n\n    |\n");
        assert_eq!(keys(&path), "vendors -");
        assert!(matches!(pos, Pos::Bare { text, .. } if text.is_empty()));
        assert!(context("a: b # c\n", 7).is_none());
        // A document marker starts again from the top.
        let (path, _) = at("vendors:\n  - id: a\n---\ndata_stores:\n  - id: |b\n");
        assert_eq!(keys(&path), "data_stores - id");
        let (path, _) = at("data_stores:\n- id: a\n---\n- id: |b\n");
        assert_eq!(keys(&path), "- id");
    }
}
