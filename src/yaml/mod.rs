//! The span-keeping YAML reader: a small spanned tree built from granit_parser events (the
//! parser inside serde-saphyr).
//!
//! **Architecture invariant:** YAML-library types (granit_parser / serde-saphyr) never leave
//! this module; the rest of custody sees [`Node`] and, for the streaming inventory loader,
//! the event reader (`Reader`, `Raw`).
//!
//! Used for every YAML file custody reads: inventories, waivers, `custody.yaml`, baselines,
//! test files, the shipped schema and taxonomy; [`map`] reads small documents into typed
//! settings with a diagnostic for every mistake. Guards: nesting deeper than `MAX_DEPTH` and alias expansion beyond
//! a budget are diagnostics, never a stack overflow or a memory blow-up.
//!
//! The work happens in `Reader`, which turns parser events into `Raw` nodes that borrow
//! their text from the input. [`parse`] converts whole documents into owned [`Node`]s; the
//! inventory loader instead drives the `Reader` itself and builds one entity at a time, so a
//! 90 MB inventory never exists as a tree.
//!
//! Scalars follow the YAML 1.2 core schema. Tags: the core tags (`!!str`, `!!int`, `!!float`,
//! `!!bool`, `!!null`, `!!seq`, `!!map`) are honoured; any other tag (`!vault`, `!!set`) is an
//! error, `custody::yaml::unsupported_tag`, and the value is read as if it were untagged.

pub mod emit;
pub(crate) mod json;
pub mod map;
pub mod split;

use crate::diag::Diag;
use crate::diag::codes;
use crate::source::{FileId, Loc, Span};
use serde_saphyr::granit_parser::{
    self as gp, ErrorKind, Event, Parser, ScalarStyle, StrInput, Tag,
};
use std::borrow::Cow;
use std::collections::HashMap;

/// Collections nested deeper than this are an error, before any recursion could overflow
/// the stack.
pub const MAX_DEPTH: usize = 256;

/// Alias replay may always produce this many nodes, however small the file.
const ALIAS_BUDGET_FLOOR: u64 = 1_000_000;

/// Alias replay may always repeat this many bytes of string text, however small the file;
/// beyond it, at most twice the file's size. Nodes alone do not bound memory: one alias of a
/// 100 KB string is one node.
const ALIAS_TEXT_FLOOR: u64 = 16 << 20;

/// No YAML text holds more nodes than this many per byte (`[:,:]` comes closest, at 1.5);
/// used to fail a billion-laughs file early, before its end is read.
const MAX_NODES_PER_BYTE: u64 = 4;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string scalar; `quoted` when written with quotes or as a block scalar.
    Str {
        value: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The string value, for string scalars (quoted or not).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str { value, .. } => Some(value),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        self.kind == NodeKind::Null
    }
    /// The value of key `key` in a mapping (string keys only).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
    /// What the node is, for messages: "a list", "the string `\"yes\"`", "the number `3`".
    pub fn describe(&self) -> String {
        match &self.kind {
            NodeKind::Null => "null".to_string(),
            NodeKind::Bool(b) => format!("`{b}`"),
            NodeKind::Int(i) => format!("the number `{i}`"),
            NodeKind::Float(f) => format!("the number `{f}`"),
            NodeKind::Str { value, .. } => describe_str(value),
            NodeKind::Seq(_) => "a list".to_string(),
            NodeKind::Map(_) => "a mapping".to_string(),
        }
    }
}

/// "the string `\"x\"`", shortened when long.
pub(crate) fn describe_str(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() > MAX {
        let short: String = s.chars().take(MAX).collect();
        format!("the string `{:?}…`", short)
    } else {
        format!("the string `{s:?}`")
    }
}

/// Parse every document in `text`; problems go to `diags` and the documents (or the parts
/// of them) that could be read are returned.
///
/// Empty documents (and documents that are just `null`) are skipped. When a document has a
/// syntax error, the entries completed before it are kept: the mapping being written when
/// the error struck is dropped, its enclosing lists and mappings are closed.
pub fn parse(file: FileId, text: &str, diags: &mut Vec<Diag>) -> Vec<Node> {
    let mut reader = Reader::new(file, text);
    let mut docs = Vec::new();
    reader.documents(diags, |r, first, diags| {
        let (root, stop) = match r.build(first, 0, true, diags) {
            Ok(root) => (Some(root), None),
            Err((stop, partial)) => (partial, Some(stop)),
        };
        if let Some(root) = root
            && !matches!(root.kind, RawKind::Null)
        {
            docs.push(root.into_node());
        }
        match stop {
            Some(stop) => Err(stop),
            None => Ok(()),
        }
    });
    docs
}

// ---------------------------------------------------------------------------------------
// Raw nodes: the tree the reader builds, borrowing scalar text from the input.

/// A YAML node whose strings borrow from the input where the parser allows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Raw<'a> {
    pub span: Span,
    pub kind: RawKind<'a>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RawKind<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string; `true` when quoted or a block scalar.
    Str(Cow<'a, str>, bool),
    Seq(Vec<Raw<'a>>),
    Map(Vec<(Raw<'a>, Raw<'a>)>),
}

impl<'a> Raw<'a> {
    /// The owned public form. Recursion is bounded: a `Raw` is never deeper than `MAX_DEPTH`.
    pub fn into_node(self) -> Node {
        let kind = match self.kind {
            RawKind::Null => NodeKind::Null,
            RawKind::Bool(b) => NodeKind::Bool(b),
            RawKind::Int(i) => NodeKind::Int(i),
            RawKind::Float(f) => NodeKind::Float(f),
            RawKind::Str(s, quoted) => NodeKind::Str {
                value: s.into_owned(),
                quoted,
            },
            RawKind::Seq(items) => NodeKind::Seq(items.into_iter().map(Raw::into_node).collect()),
            RawKind::Map(entries) => NodeKind::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.into_node(), v.into_node()))
                    .collect(),
            ),
        };
        Node {
            span: self.span,
            kind,
        }
    }

    /// The key identity of a scalar, for duplicate and merge detection; `None` for
    /// collections, which never count as duplicates.
    fn key(&self) -> Option<KeyRef<'_>> {
        Some(match &self.kind {
            RawKind::Null => KeyRef::Null,
            RawKind::Bool(b) => KeyRef::Bool(*b),
            RawKind::Int(i) => KeyRef::Int(*i),
            RawKind::Float(f) => KeyRef::Float(f.to_bits()),
            RawKind::Str(s, _) => KeyRef::Str(s),
            RawKind::Seq(_) | RawKind::Map(_) => return None,
        })
    }

    pub fn is_merge_key(&self) -> bool {
        matches!(&self.kind, RawKind::Str(s, false) if s == "<<")
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum KeyRef<'r> {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(&'r str),
}

/// What a plain scalar resolves to by the YAML 1.2 core schema, when it is not a string.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Plain {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
}

/// Resolve a plain scalar by the YAML 1.2 core schema: `None` means it is a string.
pub(crate) fn resolve_plain(s: &str) -> Option<Plain> {
    let Some(&first) = s.as_bytes().first() else {
        return Some(Plain::Null);
    };
    match first {
        b'~' | b'n' | b'N' if matches!(s, "~" | "null" | "Null" | "NULL") => Some(Plain::Null),
        b't' | b'T' if matches!(s, "true" | "True" | "TRUE") => Some(Plain::Bool(true)),
        b'f' | b'F' if matches!(s, "false" | "False" | "FALSE") => Some(Plain::Bool(false)),
        b'0'..=b'9' | b'+' | b'-' | b'.' => resolve_number(s),
        _ => None,
    }
}

fn resolve_number(s: &str) -> Option<Plain> {
    let (digits, negative) = match s.as_bytes().first()? {
        b'-' => (s.get(1..)?, true),
        b'+' => (s.get(1..)?, false),
        _ => (s, false),
    };
    if let Some(hex) = s.strip_prefix("0x") {
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return i64::from_str_radix(hex, 16).ok().map(Plain::Int);
        }
        return None;
    }
    if let Some(oct) = s.strip_prefix("0o") {
        if !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return i64::from_str_radix(oct, 8).ok().map(Plain::Int);
        }
        return None;
    }
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(match s.parse::<i64>() {
            Ok(i) => Plain::Int(i),
            // Too large for an i64: still a number, now approximate.
            Err(_) => Plain::Float(s.parse::<f64>().ok()?),
        });
    }
    match digits {
        ".inf" | ".Inf" | ".INF" => {
            return Some(Plain::Float(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }));
        }
        ".nan" | ".NaN" | ".NAN" if s == digits => return Some(Plain::Float(f64::NAN)),
        _ => {}
    }
    // [0-9]+(\.[0-9]*)? | \.[0-9]+, then an optional exponent.
    let b = digits.as_bytes();
    let mut i = 0;
    let int_digits = count_digits(b, i);
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = count_digits(b, i);
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = count_digits(b, i);
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok().map(Plain::Float)
}

impl Plain {
    fn into_raw<'a>(self) -> RawKind<'a> {
        match self {
            Plain::Null => RawKind::Null,
            Plain::Bool(b) => RawKind::Bool(b),
            Plain::Int(i) => RawKind::Int(i),
            Plain::Float(f) => RawKind::Float(f),
        }
    }
}

fn count_digits(b: &[u8], from: usize) -> usize {
    b.get(from..)
        .map(|rest| rest.iter().take_while(|c| c.is_ascii_digit()).count())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// The reader: parser events → Raw nodes, with the depth and alias guards.

/// Why reading stopped early. A diagnostic has already been pushed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Stop {
    /// This document is abandoned; the next one may still be read.
    Document,
    /// Nothing more can be read from this file.
    File,
}

/// One parser event with its span (and its tag's span, when it has a tag).
pub(crate) struct Ev<'a> {
    pub event: Event<'a>,
    pub span: Span,
    pub tag_span: Option<Span>,
}

/// An anchored node, kept for replay by aliases.
struct Anchor<'a> {
    node: Raw<'a>,
    /// Nodes in `node`, counted against the alias budget at each replay.
    count: u64,
    /// Bytes of string text in `node`, counted against the alias text budget at each replay.
    bytes: u64,
    /// Collection levels in `node` (0 for a scalar), checked against `MAX_DEPTH` at replay.
    height: usize,
}

/// A collection being built.
struct Frame<'a> {
    start: u32,
    /// The furthest end of any child so far.
    end: u32,
    flow: bool,
    anchor: usize,
    count: u64,
    bytes: u64,
    height: usize,
    kind: FrameKind<'a>,
}

enum FrameKind<'a> {
    Seq(Vec<Raw<'a>>),
    Map {
        entries: Vec<(Raw<'a>, Raw<'a>)>,
        key: Option<Raw<'a>>,
        has_merge: bool,
    },
}

/// A finished node with its size, on its way to its parent.
struct Done<'a> {
    node: Raw<'a>,
    count: u64,
    /// Bytes of string text in `node`, replayed ones included.
    bytes: u64,
    height: usize,
    /// Where the text that produced it ends (an alias ends at its `*name` token, not at the
    /// replayed node).
    end: u32,
}

impl<'a> Frame<'a> {
    fn new(span: Span, style: gp::StructureStyle, anchor: usize, kind: FrameKind<'a>) -> Frame<'a> {
        Frame {
            start: span.start,
            end: span.end,
            flow: style == gp::StructureStyle::Flow,
            anchor,
            count: 1,
            bytes: 0,
            height: 1,
            kind,
        }
    }
}

fn attach<'a>(frame: &mut Frame<'a>, done: Done<'a>) {
    frame.count = frame.count.saturating_add(done.count);
    frame.bytes = frame.bytes.saturating_add(done.bytes);
    frame.height = frame.height.max(done.height + 1);
    // Empty spans (implicit nulls) sit wherever the parser put them; they extend nothing.
    if done.end > frame.end && !done.node.span.is_empty() {
        frame.end = done.end;
    }
    match &mut frame.kind {
        FrameKind::Seq(items) => items.push(done.node),
        FrameKind::Map {
            entries,
            key,
            has_merge,
        } => match key.take() {
            None => *key = Some(done.node),
            Some(k) => {
                *has_merge |= k.is_merge_key();
                entries.push((k, done.node));
            }
        },
    }
}

/// A key for duplicate detection, borrowed or owned.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key<S> {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(S),
}

impl<'r> KeyRef<'r> {
    fn owned(self) -> Key<String> {
        match self {
            KeyRef::Null => Key::Null,
            KeyRef::Bool(b) => Key::Bool(b),
            KeyRef::Int(i) => Key::Int(i),
            KeyRef::Float(f) => Key::Float(f),
            KeyRef::Str(s) => Key::Str(s.to_string()),
        }
    }
}

pub(crate) struct Reader<'a> {
    parser: Parser<'a, StrInput<'a>>,
    pub file: FileId,
    text: &'a str,
    anchors: HashMap<usize, Anchor<'a>>,
    /// Nodes written in the text so far.
    literal: u64,
    /// Nodes produced by alias replay so far.
    replayed: u64,
    /// Bytes of string text produced by alias replay so far.
    replayed_bytes: u64,
    last_alias: Span,
    dead: bool,
    /// Where the node now being read starts: what an abandoned document loses from.
    mark: usize,
    /// Where an abandoned document's unread part starts, until reading resumes.
    lost_from: Option<usize>,
    /// The parts of the text an error kept from being read (see [`Reader::lost`]).
    lost: Vec<Span>,
    /// Where the parsed part starts in `text` (see [`Reader::new_in`]): added to every span.
    offset: usize,
    /// An anchor was defined or an alias read (see [`Reader::used_anchors`]).
    anchored: bool,
}

impl<'a> Reader<'a> {
    pub fn new(file: FileId, text: &'a str) -> Reader<'a> {
        Reader::new_in(file, text, 0..text.len())
    }

    /// A reader of `text[range]` alone, as if it were the whole stream, whose spans are
    /// offsets in `text` (see [`split`]). An empty reader if `range` is not within `text`
    /// on character boundaries.
    pub fn new_in(file: FileId, text: &'a str, range: std::ops::Range<usize>) -> Reader<'a> {
        let offset = range.start;
        let part = text.get(range).unwrap_or("");
        let options = gp::options! {
            emit_comments: false,
            emit_unresolved_aliases: true,
            // One above ours, so our own check normally fires first.
            flow_nesting_limit: MAX_DEPTH + 1,
            block_nesting_limit: MAX_DEPTH + 1,
        };
        Reader {
            parser: Parser::new_from_str_with_options(part, options),
            file,
            text,
            anchors: HashMap::new(),
            literal: 0,
            replayed: 0,
            replayed_bytes: 0,
            last_alias: Span::default(),
            dead: false,
            mark: 0,
            lost_from: None,
            lost: Vec::new(),
            offset,
            anchored: false,
        }
    }

    /// Whether an anchor was defined or an alias read so far: a part read with
    /// [`Reader::new_in`] that uses them cannot stand for its place in the whole file.
    pub fn used_anchors(&self) -> bool {
        self.anchored
    }

    /// Say that the node about to be read starts at `offset`: if an error abandons the
    /// document, the text from here to where reading resumes is recorded as lost.
    pub fn mark(&mut self, offset: usize) {
        self.mark = offset;
    }

    /// The parts of the text that errors kept from being read: each from the start of the
    /// node being read when its document was abandoned (see [`Reader::mark`]; by default
    /// the document's start) to the start of the next document read, or the end of the file.
    pub fn lost(&self) -> &[Span] {
        &self.lost
    }

    /// Reading resumes at `offset`: close the lost part, if there is one.
    fn resume(&mut self, offset: usize) {
        if let Some(start) = self.lost_from.take() {
            self.lost.push(Span::new(start, offset.max(start)));
        }
    }

    pub fn loc(&self, span: Span) -> Loc {
        Loc::new(self.file, span)
    }

    /// The source text of a span ("" if out of range).
    pub fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// Call `on_doc` with the first event of each non-empty document's root node, and
    /// recover at the next document after an error. `on_doc` must consume the root node.
    pub fn documents(
        &mut self,
        diags: &mut Vec<Diag>,
        mut on_doc: impl FnMut(&mut Reader<'a>, Ev<'a>, &mut Vec<Diag>) -> Result<(), Stop>,
    ) {
        loop {
            let result = match self.next(diags) {
                Ok(Ev {
                    event: Event::StreamEnd,
                    ..
                }) => break,
                Ok(Ev {
                    event: Event::DocumentStart(..),
                    span,
                    ..
                }) => {
                    self.resume(span.start as usize);
                    self.mark = span.start as usize;
                    self.document(diags, &mut on_doc)
                }
                Ok(_) => Ok(()),
                Err(stop) => Err(stop),
            };
            if let Err(stop) = result {
                self.lost_from = Some(self.mark);
                if !self.recover(stop, diags) {
                    break;
                }
            }
        }
        self.resume(self.text.len());
        self.finish(diags);
    }

    fn document(
        &mut self,
        diags: &mut Vec<Diag>,
        on_doc: &mut impl FnMut(&mut Reader<'a>, Ev<'a>, &mut Vec<Diag>) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        // Anchor names never reach across documents.
        self.anchors.clear();
        let first = self.next(diags)?;
        if matches!(first.event, Event::DocumentEnd) {
            return Ok(());
        }
        on_doc(self, first, diags)?;
        let end = self.next(diags)?;
        match end.event {
            Event::DocumentEnd => Ok(()),
            _ => Err(self.internal(end.span, diags)),
        }
    }

    /// Skip to the next document after `stop`; false when nothing more can be read.
    fn recover(&mut self, stop: Stop, diags: &mut Vec<Diag>) -> bool {
        if stop == Stop::File || self.dead {
            return false;
        }
        match self.parser.proceed_next_document() {
            Ok(more) => more,
            Err(e) => {
                diags.push(self.syntax_diag(&e));
                false
            }
        }
    }

    /// The end-of-file alias check: replay may not exceed twice the nodes in the text.
    fn finish(&mut self, diags: &mut Vec<Diag>) {
        if !self.dead && self.replayed > self.budget(self.literal) {
            diags.push(self.budget_diag());
            self.dead = true;
        }
    }

    fn budget(&self, literal: u64) -> u64 {
        ALIAS_BUDGET_FLOOR.max(literal.saturating_mul(2))
    }

    /// Bytes of string text alias replay may produce in this file.
    fn text_budget(&self) -> u64 {
        ALIAS_TEXT_FLOOR.max((self.text.len() as u64).saturating_mul(2))
    }

    fn text_budget_diag(&self) -> Diag {
        Diag::new(
            &codes::yaml::ALIAS_BUDGET,
            format!(
                "aliases in this file repeat more than {} bytes of text",
                thousands(self.text_budget())
            ),
        )
        .at(self.loc(self.last_alias), "expansion passed the limit at this alias")
        .help("each alias copies its anchor's whole value; write a long value once and refer to it from fewer places")
    }

    /// The next event, with parser errors turned into diagnostics.
    pub fn next(&mut self, diags: &mut Vec<Diag>) -> Result<Ev<'a>, Stop> {
        if self.dead {
            return Err(Stop::File);
        }
        match self.parser.next_event() {
            None => Err(Stop::File),
            Some(Ok((event, span))) => Ok(Ev {
                tag_span: span.tag_span().map(|t| self.span(&t)),
                span: self.span(&span),
                event,
            }),
            Some(Err(e)) => {
                diags.push(self.syntax_diag(&e));
                Err(Stop::Document)
            }
        }
    }

    fn span(&self, span: &gp::Span) -> Span {
        match span.byte_range() {
            Some(r) => {
                let len = self.text.len();
                Span::new(
                    (r.start + self.offset).min(len),
                    (r.end + self.offset).min(len),
                )
            }
            None => Span::default(),
        }
    }

    /// A state the parser promises never to produce: reported rather than trusted.
    pub fn internal(&self, span: Span, diags: &mut Vec<Diag>) -> Stop {
        diags.push(
            Diag::new(&codes::yaml::SYNTAX, "invalid YAML: unexpected structure")
                .at(self.loc(span), "not expected here"),
        );
        Stop::Document
    }

    /// Build the node that starts with `first`, reading events until it is complete.
    /// `depth` is the number of collections already open around it.
    ///
    /// On error the node is lost, unless `salvage` is set: then the entries completed so far
    /// come back in closed collections (see [`parse`]).
    pub fn build(
        &mut self,
        first: Ev<'a>,
        depth: usize,
        salvage: bool,
        diags: &mut Vec<Diag>,
    ) -> Result<Raw<'a>, (Stop, Option<Raw<'a>>)> {
        let mut stack: Vec<Frame<'a>> = Vec::new();
        let mut ev = first;
        loop {
            match self.step(ev, depth, &mut stack, diags) {
                Ok(Some(done)) => match stack.last_mut() {
                    Some(top) => attach(top, done),
                    None => return Ok(done.node),
                },
                Ok(None) => {}
                Err(stop) => return Err((stop, self.salvage(stack, salvage, diags))),
            }
            ev = match self.next(diags) {
                Ok(ev) => ev,
                Err(stop) => return Err((stop, self.salvage(stack, salvage, diags))),
            };
        }
    }

    /// Handle one event: `Some` when it completes a node.
    fn step(
        &mut self,
        ev: Ev<'a>,
        depth: usize,
        stack: &mut Vec<Frame<'a>>,
        diags: &mut Vec<Diag>,
    ) -> Result<Option<Done<'a>>, Stop> {
        let open = depth + stack.len();
        let Ev {
            event,
            span,
            tag_span,
        } = ev;
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                self.literal += 1;
                let kind = self.scalar(value, style, tag.as_deref(), span, tag_span, diags);
                let bytes = match &kind {
                    RawKind::Str(s, _) => s.len() as u64,
                    RawKind::Null
                    | RawKind::Bool(_)
                    | RawKind::Int(_)
                    | RawKind::Float(_)
                    | RawKind::Seq(_)
                    | RawKind::Map(_) => 0,
                };
                let node = Raw { span, kind };
                if anchor != 0 {
                    let copy = Anchor {
                        node: node.clone(),
                        count: 1,
                        bytes,
                        height: 0,
                    };
                    self.anchors.insert(anchor, copy);
                    self.anchored = true;
                }
                Ok(Some(Done {
                    node,
                    count: 1,
                    bytes,
                    height: 0,
                    end: span.end,
                }))
            }
            Event::SequenceStart(style, anchor, tag) => {
                self.open(open, span, diags)?;
                self.check_collection_tag(tag.as_deref(), "seq", span, tag_span, diags);
                stack.push(Frame::new(span, style, anchor, FrameKind::Seq(Vec::new())));
                Ok(None)
            }
            Event::MappingStart(style, anchor, tag) => {
                self.open(open, span, diags)?;
                self.check_collection_tag(tag.as_deref(), "map", span, tag_span, diags);
                let kind = FrameKind::Map {
                    entries: Vec::new(),
                    key: None,
                    has_merge: false,
                };
                stack.push(Frame::new(span, style, anchor, kind));
                Ok(None)
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(frame) => Ok(Some(self.close(frame, span, true, diags))),
                None => Err(self.internal(span, diags)),
            },
            Event::Alias(id) => self.alias(id, span, open, diags).map(Some),
            Event::UnresolvedAlias(name) => {
                self.literal += 1;
                diags.push(
                    Diag::new(
                        &codes::yaml::UNKNOWN_ANCHOR,
                        format!("unknown anchor `{name}`"),
                    )
                    .at(
                        self.loc(span),
                        "no `&` anchor of this name comes before it in this document",
                    )
                    .help(format!(
                        "define the anchor first, e.g. `key: &{name} value`, or remove the alias"
                    )),
                );
                Ok(Some(Done {
                    node: Raw {
                        span,
                        kind: RawKind::Null,
                    },
                    count: 1,
                    bytes: 0,
                    height: 0,
                    end: span.end,
                }))
            }
            _ => Err(self.internal(span, diags)),
        }
    }

    /// A collection opens with `open` collections already around it.
    fn open(&mut self, open: usize, span: Span, diags: &mut Vec<Diag>) -> Result<(), Stop> {
        self.literal += 1;
        if open >= MAX_DEPTH {
            diags.push(self.too_deep_diag(span));
            return Err(Stop::Document);
        }
        Ok(())
    }

    fn too_deep_diag(&self, span: Span) -> Diag {
        Diag::new(
            &codes::yaml::TOO_DEEP,
            format!("lists and mappings are nested more than {MAX_DEPTH} levels deep"),
        )
        .at(
            self.loc(span),
            format!("level {} starts here", MAX_DEPTH + 1),
        )
        .help("flatten the structure; custody reads at most 256 levels of nesting")
    }

    fn budget_diag(&self) -> Diag {
        Diag::new(
            &codes::yaml::ALIAS_BUDGET,
            format!(
                "aliases in this file expand to more than {} nodes",
                thousands(self.budget(self.literal))
            ),
        )
        .at(self.loc(self.last_alias), "expansion passed the limit at this alias")
        .help("aliases that repeat aliases grow exponentially (a \"billion laughs\" file); expand fewer of them")
    }

    /// Close a finished collection: flow collections end at their bracket, block ones at
    /// their last child.
    fn close(
        &mut self,
        frame: Frame<'a>,
        end_span: Span,
        register: bool,
        diags: &mut Vec<Diag>,
    ) -> Done<'a> {
        let end = if frame.flow {
            frame.end.max(end_span.end)
        } else {
            frame.end
        };
        let span = Span {
            start: frame.start,
            end: end.max(frame.start),
        };
        let kind = match frame.kind {
            FrameKind::Seq(items) => RawKind::Seq(items),
            FrameKind::Map {
                entries, has_merge, ..
            } => RawKind::Map(self.finish_map(entries, has_merge, diags)),
        };
        let node = Raw { span, kind };
        if register && frame.anchor != 0 {
            let copy = Anchor {
                node: node.clone(),
                count: frame.count,
                bytes: frame.bytes,
                height: frame.height,
            };
            self.anchors.insert(frame.anchor, copy);
            self.anchored = true;
        }
        Done {
            node,
            count: frame.count,
            bytes: frame.bytes,
            height: frame.height,
            end: span.end,
        }
    }

    fn alias(
        &mut self,
        id: usize,
        span: Span,
        open: usize,
        diags: &mut Vec<Diag>,
    ) -> Result<Done<'a>, Stop> {
        self.anchored = true;
        let Some(anchor) = self.anchors.get(&id) else {
            // The parser resolved the name, so the anchor is on a collection still open
            // around this alias: a recursive structure.
            let name = self.slice(span);
            diags.push(
                Diag::new(
                    &codes::yaml::RECURSIVE_ALIAS,
                    format!("alias `{name}` refers to a collection that contains it"),
                )
                .at(self.loc(span), "this alias is inside its own anchor")
                .help("custody cannot read recursive structures; copy the values instead"),
            );
            return Ok(Done {
                node: Raw {
                    span,
                    kind: RawKind::Null,
                },
                count: 0,
                bytes: 0,
                height: 0,
                end: span.end,
            });
        };
        if open + anchor.height > MAX_DEPTH {
            diags.push(self.too_deep_diag(span));
            return Err(Stop::Document);
        }
        let (count, bytes, height) = (anchor.count, anchor.bytes, anchor.height);
        self.replayed = self.replayed.saturating_add(count);
        self.replayed_bytes = self.replayed_bytes.saturating_add(bytes);
        self.last_alias = span;
        if self.replayed_bytes > self.text_budget() {
            // Each replay copies its strings into the inventory: stop before memory grows
            // with the aliases rather than with the file.
            diags.push(self.text_budget_diag());
            self.dead = true;
            return Err(Stop::File);
        }
        let remaining = self.text.len().saturating_sub(span.end as usize) as u64;
        let most_literal = self
            .literal
            .saturating_add(remaining.saturating_mul(MAX_NODES_PER_BYTE));
        if self.replayed > self.budget(most_literal) {
            // Over the limit whatever the rest of the file holds: stop before building more.
            diags.push(self.budget_diag());
            self.dead = true;
            return Err(Stop::File);
        }
        let node = anchor.node.clone();
        Ok(Done {
            node,
            count,
            bytes,
            height,
            end: span.end,
        })
    }

    /// Resolve a scalar by its style and tag.
    fn scalar(
        &mut self,
        value: Cow<'a, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
        tag_span: Option<Span>,
        diags: &mut Vec<Diag>,
    ) -> RawKind<'a> {
        let plain = style == ScalarStyle::Plain;
        let untagged = |value: Cow<'a, str>| {
            if plain {
                match resolve_plain(&value) {
                    Some(p) => p.into_raw(),
                    None => RawKind::Str(value, false),
                }
            } else {
                RawKind::Str(value, true)
            }
        };
        let Some(tag) = tag else {
            return untagged(value);
        };
        let tag_loc = self.loc(tag_span.unwrap_or(span));
        let core = tag.core_suffix();
        let want = match core {
            Some("str") => return RawKind::Str(value, true),
            Some(t @ ("int" | "float" | "bool" | "null")) => t,
            Some(_) => {
                diags.push(self.tag_mismatch(tag, &value, tag_loc));
                return untagged(value);
            }
            None => {
                diags.push(
                    Diag::new(
                        &codes::yaml::UNSUPPORTED_TAG,
                        format!("unsupported tag `{}`", tag_text(tag)),
                    )
                    .at(tag_loc, "custody only reads the YAML core tags")
                    .help("remove the tag; custody reads plain YAML values"),
                );
                return untagged(value);
            }
        };
        let resolved = resolve_plain(value.trim());
        let kind = match (want, resolved) {
            ("int", Some(Plain::Int(i))) => Some(RawKind::Int(i)),
            ("float", Some(Plain::Int(i))) => Some(RawKind::Float(i as f64)),
            ("float", Some(Plain::Float(f))) => Some(RawKind::Float(f)),
            ("bool", Some(Plain::Bool(b))) => Some(RawKind::Bool(b)),
            ("null", Some(Plain::Null)) => Some(RawKind::Null),
            _ => None,
        };
        match kind {
            Some(kind) => kind,
            None => {
                diags.push(self.tag_mismatch(tag, &value, tag_loc));
                untagged(value)
            }
        }
    }

    fn tag_mismatch(&self, tag: &Tag, value: &str, loc: Loc) -> Diag {
        Diag::new(
            &codes::yaml::TAG_MISMATCH,
            format!("{} is not a valid `{}`", describe_str(value), tag_text(tag)),
        )
        .at(loc, "this tag does not fit the value")
        .help("remove the tag, or write a value of that type")
    }

    fn check_collection_tag(
        &self,
        tag: Option<&Tag>,
        want: &str,
        span: Span,
        tag_span: Option<Span>,
        diags: &mut Vec<Diag>,
    ) {
        let Some(tag) = tag else { return };
        if tag.core_suffix() == Some(want) {
            return;
        }
        let what = if want == "seq" { "a list" } else { "a mapping" };
        let (code, message) = match tag.core_suffix() {
            Some(_) => (
                &codes::yaml::TAG_MISMATCH,
                format!("{what} cannot be tagged `{}`", tag_text(tag)),
            ),
            None => (
                &codes::yaml::UNSUPPORTED_TAG,
                format!("unsupported tag `{}`", tag_text(tag)),
            ),
        };
        diags.push(
            Diag::new(code, message)
                .at(
                    self.loc(tag_span.unwrap_or(span)),
                    "custody only reads the YAML core tags",
                )
                .help("remove the tag; custody reads plain YAML values"),
        );
    }

    /// Explicit keys first (later duplicates reported and dropped), then `<<` merges: keys
    /// not already present, earlier merged mappings first.
    fn finish_map(
        &self,
        mut entries: Vec<(Raw<'a>, Raw<'a>)>,
        has_merge: bool,
        diags: &mut Vec<Diag>,
    ) -> Vec<(Raw<'a>, Raw<'a>)> {
        let mut merges = Vec::new();
        if has_merge {
            let mut explicit = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                if k.is_merge_key() {
                    merges.push(v);
                } else {
                    explicit.push((k, v));
                }
            }
            entries = explicit;
        }
        self.dedup(&mut entries, diags);
        if !merges.is_empty() {
            self.merge(&mut entries, merges, diags);
        }
        entries
    }

    fn dedup(&self, entries: &mut Vec<(Raw<'a>, Raw<'a>)>, diags: &mut Vec<Diag>) {
        let mut dups: Vec<(usize, usize)> = Vec::new();
        if entries.len() <= 16 {
            for j in 1..entries.len() {
                let Some(kj) = entries.get(j).and_then(|(k, _)| k.key()) else {
                    continue;
                };
                if let Some(i) = entries
                    .iter()
                    .take(j)
                    .position(|(k, _)| k.key() == Some(kj))
                {
                    dups.push((i, j));
                }
            }
        } else {
            let mut seen: HashMap<KeyRef<'_>, usize> = HashMap::with_capacity(entries.len());
            for (j, (k, _)) in entries.iter().enumerate() {
                if let Some(key) = k.key() {
                    match seen.get(&key) {
                        Some(&i) => dups.push((i, j)),
                        None => {
                            seen.insert(key, j);
                        }
                    }
                }
            }
        }
        if dups.is_empty() {
            return;
        }
        let mut drop = vec![false; entries.len()];
        for &(i, j) in &dups {
            let (Some((first, _)), Some((again, _))) = (entries.get(i), entries.get(j)) else {
                continue;
            };
            let name = self.slice(again.span);
            diags.push(
                Diag::new(
                    &codes::yaml::DUPLICATE_KEY,
                    format!("duplicate key `{name}`"),
                )
                .at(self.loc(again.span), "defined again here")
                .also(self.loc(first.span), "first defined here")
                .help("a key may appear once in a mapping; remove or rename one of them"),
            );
            if let Some(d) = drop.get_mut(j) {
                *d = true;
            }
        }
        let mut index = 0;
        entries.retain(|_| {
            let keep = !drop.get(index).copied().unwrap_or(false);
            index += 1;
            keep
        });
    }

    fn merge(
        &self,
        entries: &mut Vec<(Raw<'a>, Raw<'a>)>,
        merges: Vec<Raw<'a>>,
        diags: &mut Vec<Diag>,
    ) {
        let mut present: std::collections::HashSet<Key<String>> = entries
            .iter()
            .filter_map(|(k, _)| k.key())
            .map(KeyRef::owned)
            .collect();
        let mut sources = Vec::new();
        for m in merges {
            match m.kind {
                RawKind::Map(e) => sources.push(e),
                RawKind::Seq(items) => {
                    for item in items {
                        match item.kind {
                            RawKind::Map(e) => sources.push(e),
                            _ => diags.push(self.bad_merge(&item)),
                        }
                    }
                }
                _ => diags.push(self.bad_merge(&m)),
            }
        }
        for (k, v) in sources.into_iter().flatten() {
            let fresh = match k.key() {
                Some(key) => present.insert(key.owned()),
                None => true,
            };
            if fresh {
                entries.push((k, v));
            }
        }
    }

    pub fn bad_merge(&self, node: &Raw<'a>) -> Diag {
        Diag::new(
            &codes::yaml::BAD_MERGE,
            format!("`<<` merges mappings, found {}", describe_raw(node)),
        )
        .at(self.loc(node.span), "not a mapping")
        .help("write `<<: *anchor` or `<<: [*a, *b]` where each anchor names a mapping")
    }

    /// After an error: keep what was complete. The innermost open mapping (the record being
    /// written) is dropped unless it is the root; every other open collection is closed.
    fn salvage(
        &mut self,
        mut stack: Vec<Frame<'a>>,
        salvage: bool,
        diags: &mut Vec<Diag>,
    ) -> Option<Raw<'a>> {
        if !salvage {
            return None;
        }
        if let Some(i) = stack
            .iter()
            .rposition(|f| matches!(f.kind, FrameKind::Map { .. }))
            && i > 0
        {
            stack.truncate(i);
        }
        let mut done: Option<Done<'a>> = None;
        while let Some(mut frame) = stack.pop() {
            if let Some(d) = done.take() {
                attach(&mut frame, d);
            }
            let end = Span::new(frame.end as usize, frame.end as usize);
            done = Some(self.close(frame, end, false, diags));
        }
        done.map(|d| d.node)
    }

    fn syntax_diag(&self, e: &gp::ScanError) -> Diag {
        let offset = match e.marker().byte_offset() {
            Some(b) => (b + self.offset).min(self.text.len()),
            // Character index → byte offset (only reached if the input lacks byte offsets).
            None => self
                .text
                .get(self.offset..)
                .unwrap_or("")
                .char_indices()
                .nth(e.marker().index())
                .map(|(b, _)| b + self.offset)
                .unwrap_or(self.text.len()),
        };
        let width = self
            .text
            .get(offset..)
            .and_then(|rest| rest.chars().next())
            .filter(|c| *c != '\n' && *c != '\r')
            .map(char::len_utf8)
            .unwrap_or(0);
        let span = Span::new(offset, offset + width);
        if matches!(e.kind(), ErrorKind::RecursionLimitExceeded) {
            return self.too_deep_diag(span);
        }
        if is_tab_error(e.kind())
            && let Some(tab) = indentation_tab(self.text, offset)
        {
            return Diag::new(
                &codes::yaml::SYNTAX,
                "invalid YAML: a tab is used for indentation",
            )
            .at(self.loc(Span::new(tab, tab + 1)), "tab character")
            .help("YAML indentation must be spaces; replace the tab");
        }
        let (message, label, help) = describe_scan_error(e.kind());
        Diag::new(&codes::yaml::SYNTAX, format!("invalid YAML: {message}"))
            .at(self.loc(span), label)
            .help_opt(help)
    }
}

fn is_tab_error(kind: &ErrorKind) -> bool {
    use ErrorKind as K;
    matches!(
        kind,
        K::TabInBlockIndentation
            | K::TabInIndentation
            | K::TabNotAllowed
            | K::TabInPlainScalar
            | K::TabAtBlockScalarStart
    )
}

/// The tab in the indentation that a tab error at `offset` is about: in the indentation
/// of `offset`'s own line, up to it, or else in the indentation of the next line that is
/// not blank (the parser reports some tabs at the start of the value before them). `None`
/// when neither has one (a tab inside a value).
fn indentation_tab(text: &str, offset: usize) -> Option<usize> {
    let offset = offset.min(text.len());
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let tab_in_indent = |start: usize| -> (Option<usize>, usize) {
        let line = text.get(start..).unwrap_or("");
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        (
            line.get(..indent)
                .and_then(|i| i.find('\t'))
                .map(|i| start + i),
            start + indent,
        )
    };
    let (tab, indent_end) = tab_in_indent(line_start);
    if offset <= indent_end && tab.is_some() {
        return tab;
    }
    let mut start = offset + text.get(offset..)?.find('\n')? + 1;
    loop {
        let (tab, indent_end) = tab_in_indent(start);
        if tab.is_some() {
            return tab;
        }
        match text.get(indent_end..)?.chars().next() {
            Some('\n') => start = indent_end + 1,
            Some('\r') if text.get(indent_end + 1..)?.starts_with('\n') => start = indent_end + 2,
            _ => return None,
        }
    }
}

/// `1000000` → `1,000,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn tag_text(tag: &Tag) -> String {
    tag.original()
}

/// "a list", "the string `\"x\"`", for messages about raw nodes.
pub(crate) fn describe_raw(node: &Raw<'_>) -> String {
    match &node.kind {
        RawKind::Null => "null".to_string(),
        RawKind::Bool(b) => format!("`{b}`"),
        RawKind::Int(i) => format!("the number `{i}`"),
        RawKind::Float(f) => format!("the number `{f}`"),
        RawKind::Str(s, _) => describe_str(s),
        RawKind::Seq(_) => "a list".to_string(),
        RawKind::Map(_) => "a mapping".to_string(),
    }
}

/// The parser's message in custody's words: lowercase, backticks, and a hint where the
/// usual cause is known.
fn describe_scan_error(kind: &ErrorKind) -> (String, &'static str, Option<String>) {
    use ErrorKind as K;
    let indent = Some("check the indentation of this line against the lines above it".to_string());
    let tabs = Some("indent with spaces; YAML does not allow tabs for indentation".to_string());
    match kind {
        K::ExpectedBlockMappingKey => (
            "expected a key in this mapping".into(),
            "expected `key: value` here",
            indent,
        ),
        K::ExpectedBlockSequenceEntry => (
            "expected a `-` list entry".into(),
            "expected `- ` here",
            indent,
        ),
        K::InvalidIndentation => (
            "this line is not indented consistently".into(),
            "unexpected indentation",
            indent,
        ),
        K::TabInBlockIndentation | K::TabInIndentation | K::TabNotAllowed => {
            ("a tab is not allowed here".into(), "tab character", tabs)
        }
        K::UnclosedFlowCollection { open } => (
            format!("`{open}` is never closed"),
            "unclosed",
            Some(format!(
                "add the matching `{}`",
                if *open == '[' { ']' } else { '}' }
            )),
        ),
        K::MismatchedFlowCollectionEnd { open, close } => (
            format!("`{open}` is closed by `{close}`"),
            "mismatched bracket",
            Some("make the brackets match".into()),
        ),
        K::MisplacedFlowCollectionEnd => (
            "a closing bracket has no opening one".into(),
            "unmatched bracket",
            None,
        ),
        K::UnclosedQuotedScalar | K::UnexpectedEof => (
            "the file ends inside a quoted string".into(),
            "the string never ends",
            Some("close the quote".into()),
        ),
        K::MappingValueNotAllowed | K::InvalidColonPlacement => (
            "a `:` is not allowed here".into(),
            "unexpected `:`",
            Some(
                "look for an unclosed `[` or `{` above, or quote the value if it contains `: `"
                    .into(),
            ),
        ),
        K::ExpectedFlowSequenceSeparator => (
            "expected `,` or `]` in this list".into(),
            "expected `,` or `]`",
            None,
        ),
        K::ExpectedFlowMappingSeparator => (
            "expected `,` or `}` in this mapping".into(),
            "expected `,` or `}`",
            None,
        ),
        K::UnexpectedCharacter { character } => (
            format!("unexpected character `{}`", character.escape_default()),
            "unexpected character",
            None,
        ),
        K::BlockEntryInFlowCollection => (
            "a `- ` entry cannot appear inside `[...]` or `{...}`".into(),
            "unexpected `-`",
            Some("separate flow entries with commas".into()),
        ),
        other => (readable(&other.to_string()), "here", None),
    }
}

/// Lowercase the first letter and put quoted characters in backticks: `'x'` → `` `x` ``.
fn readable(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let chars: Vec<char> = message.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let quoted = (c == '\'' || c == '`')
            && chars.get(i + 2) == Some(&'\'')
            && chars.get(i + 1).is_some_and(|q| *q != '\'');
        if quoted {
            out.push('`');
            if let Some(q) = chars.get(i + 1) {
                out.push(*q);
            }
            out.push('`');
            i += 3;
        } else {
            if out.is_empty() {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
            i += 1;
        }
    }
    out
}
