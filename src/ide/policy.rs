//! Editor queries on `.policy` text. The cursor's context comes from the tokens of the item
//! around it (`syntax::lex`, which never fails on partial text): which rule or `let` it is
//! in, the variables bound before it (`for KIND VAR`, `all|any|no VAR in LIST`,
//! `all|any|no KIND VAR`, and the same sources in `count|sum|min|max(...)`), and the dotted
//! path under it, resolved against those variables, the `let`s and exports, the schema and
//! the taxonomy. The AST is used where the answer is about declarations (symbols, lenses,
//! `let`s).

use super::summary::{self, Counts};
use super::{Completion, CompletionKind, Hover, Lens, Symbol, SymbolKind, Target};
use crate::ast::{ClauseKind, Item};
use crate::check::Checked;
use crate::eval::Finding;
use crate::inventory::{CatId, FieldId, FieldType, KindId, Schema};
use crate::source::{FileId, Loc, Span};
use crate::syntax::lex::{self, TokKind, Token};

/// Each keyword's one-line meaning, in the words of docs/language.md.
const KEYWORDS: &[(&str, &str)] = &[
    (
        "rule",
        "`rule ID \"title\" { clauses }`: a rule; its ID is unique across all policy files",
    ),
    (
        "let",
        "`let NAME = EXPR`: names a value for the items below it in this file",
    ),
    (
        "export",
        "`export let NAME = EXPR`: a `let` visible in every policy file",
    ),
    (
        "severity",
        "`severity critical|high|medium|low|info`: how serious a finding is; compared with `fail_on` (default `medium`)",
    ),
    (
        "references",
        "`references \"a\", \"b\"`: control IDs the rule implements",
    ),
    ("tags", "`tags \"a\", \"b\"`: free labels for your own use"),
    (
        "description",
        "`description \"...\"`: a longer explanation of the rule, for people reading the policy",
    ),
    (
        "message",
        "`message \"template\"`: the finding's message; `{v.name}` is replaced by the value",
    ),
    (
        "remediation",
        "`remediation \"...\"`: what to do about a finding; shown as help",
    ),
    (
        "for",
        "`for KIND VAR [where EXPR]`: which entities the rule applies to",
    ),
    (
        "where",
        "`where EXPR`: keeps only the entities (or elements) for which EXPR holds",
    ),
    (
        "require",
        "`require EXPR`: a condition every selected entity must meet",
    ),
    ("and", "`a and b`: both hold"),
    ("or", "`a or b`: at least one holds"),
    (
        "not",
        "`not a`: a does not hold; `x not in LIST`: x is not an element",
    ),
    (
        "in",
        "`x in LIST`: x is an element of the list; in a quantifier or aggregate, `VAR in LIST` ranges over it",
    ),
    (
        "is",
        "`is set`, `is missing`, `is empty`: whether a value is present",
    ),
    ("set", "`x is set`: present and not null"),
    ("missing", "`x is missing`: absent or null"),
    (
        "empty",
        "`x is empty`: absent, an empty list or the empty string",
    ),
    (
        "contains",
        "`LIST contains X`: an element equals X; on strings, a case-sensitive substring",
    ),
    (
        "matches",
        "`S matches \"regex\"`: the regex matches anywhere in the string (case-sensitive; `(?i)` ignores case)",
    ),
    (
        "handles",
        "`v handles C`: the vendor handles data of category C or a narrower or broader one, directly or through the data stores it accesses or hosts",
    ),
    (
        "holds",
        "`s holds C`: the data store holds data of category C or a narrower or broader one",
    ),
    (
        "receives",
        "`v receives C`: data of category C flows to the vendor down the supply chain",
    ),
    (
        "except",
        "`C except E`: the categories C, leaving out the branch E",
    ),
    (
        "within",
        "`D within N unit`: as-of − N ≤ D ≤ as-of; `within next N unit`: as-of ≤ D ≤ as-of + N",
    ),
    (
        "last",
        "`D within last N unit`: the same as `D within N unit`",
    ),
    (
        "next",
        "`D within next N unit`: as-of ≤ D ≤ as-of + N (both ends included)",
    ),
    ("older", "`D older than N unit`: D < as-of − N"),
    ("than", "`D older than N unit`: D < as-of − N"),
    ("before", "`D before E`: D < E (strict)"),
    ("after", "`D after E`: D > E (strict)"),
    (
        "today",
        "the as-of date of the run (`--as-of`, default today)",
    ),
    (
        "count",
        "`count(LIST)`, `count(VAR in LIST where ...)`, `count(KIND VAR where ...)`: the number of elements",
    ),
    (
        "sum",
        "`sum(SOURCE: VALUE)`: the total of VALUE over the source's elements",
    ),
    (
        "min",
        "`min(SOURCE: VALUE)`: the smallest VALUE over the source's elements",
    ),
    (
        "max",
        "`max(SOURCE: VALUE)`: the largest VALUE over the source's elements",
    ),
    (
        "all",
        "`all X in LIST: BODY`: BODY holds for every element (true on an empty list)",
    ),
    (
        "any",
        "`any X in LIST: BODY`: BODY holds for at least one element (false on an empty list)",
    ),
    (
        "no",
        "`no X in LIST: BODY`: BODY holds for no element (true on an empty list)",
    ),
    ("true", "the boolean true"),
    ("false", "the boolean false"),
    (
        "days_since",
        "`days_since(D)`: the number of calendar days from D to the as-of date",
    ),
    (
        "days_until",
        "`days_until(D)`: the number of calendar days from the as-of date to D",
    ),
    ("critical", "severity `critical`: the most serious"),
    ("high", "severity `high`"),
    ("medium", "severity `medium` (the default)"),
    ("low", "severity `low`"),
    ("info", "severity `info`: reported, never fails the run"),
];

/// Words that start an operand, offered where an expression may start.
const EXPR_START: &[&str] = &[
    "not",
    "all",
    "any",
    "no",
    "count",
    "sum",
    "min",
    "max",
    "today",
    "true",
    "false",
    "days_since",
    "days_until",
];

/// Words that may follow an operand.
const AFTER_OPERAND: &[&str] = &[
    "and", "or", "in", "not", "is", "contains", "matches", "handles", "holds", "receives",
    "except", "within", "older", "before", "after", "where",
];

const SEVERITIES: &[&str] = &["critical", "high", "medium", "low", "info"];

/// The words that take a category (and lists of them) after them.
const CATEGORY_OPS: &[&str] = &["handles", "holds", "receives", "except"];

fn keyword_doc(word: &str) -> Option<&'static str> {
    KEYWORDS.iter().find(|(w, _)| *w == word).map(|(_, d)| *d)
}

/// The tokens of one policy file.
struct Doc<'a> {
    text: &'a str,
    toks: Vec<Token>,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str) -> Doc<'a> {
        Doc {
            text,
            toks: lex::lex(text),
        }
    }
    fn tok(&self, i: usize) -> Option<&Token> {
        self.toks.get(i)
    }
    fn word(&self, i: usize) -> Option<&'a str> {
        self.tok(i)
            .filter(|t| t.kind == TokKind::Word)
            .map(|t| t.text(self.text))
    }
    fn is(&self, i: usize, s: &str) -> bool {
        self.tok(i).is_some_and(|t| t.text(self.text) == s)
    }
    /// The index of the first token starting at or after `offset`.
    fn index_at(&self, offset: usize) -> usize {
        self.toks.partition_point(|t| t.start < offset)
    }
    /// The token the cursor is on or just after (a word wins over punctuation before it).
    fn at(&self, offset: usize) -> Option<usize> {
        let i = self.toks.partition_point(|t| t.end < offset);
        let on = |j: usize| {
            self.tok(j)
                .is_some_and(|t| t.start <= offset && offset <= t.end)
        };
        match (on(i), on(i + 1)) {
            (true, true) if self.toks.get(i).is_some_and(|t| t.kind != TokKind::Word) => {
                Some(i + 1)
            }
            (true, _) => Some(i),
            (false, true) => Some(i + 1),
            (false, false) => None,
        }
    }
    /// The first token of the item (`rule`, `let`, `export let`) that token `i` is in.
    fn item_start(&self, i: usize) -> usize {
        (0..i.min(self.toks.len()))
            .rev()
            .find(|&j| {
                self.toks.get(j).is_some_and(|t| t.first_on_line)
                    && (self.is(j, "rule")
                        || self.is(j, "let")
                        || (self.is(j, "export") && self.is(j + 1, "let")))
            })
            .unwrap_or(0)
    }
    /// The end of the item starting at token `start`: the next item's first token.
    fn item_end(&self, start: usize) -> usize {
        (start + 1..self.toks.len())
            .find(|&j| {
                self.toks.get(j).is_some_and(|t| t.first_on_line)
                    && (self.is(j, "rule")
                        || self.is(j, "let")
                        || (self.is(j, "export") && self.is(j + 1, "let")))
            })
            .unwrap_or(self.toks.len())
    }
    /// The dotted path through token `i` (a word): its segments and the index of `i` in them.
    fn path_around(&self, i: usize) -> (Vec<(&'a str, Span)>, usize) {
        let mut first = i;
        while first >= 2 && self.is(first - 1, ".") && self.word(first - 2).is_some() {
            first -= 2;
        }
        let mut segs = Vec::new();
        let mut j = first;
        let mut at = 0;
        while let Some(w) = self.word(j) {
            if j == i {
                at = segs.len();
            }
            if let Some(t) = self.tok(j) {
                segs.push((w, Span::new(t.start, t.end)));
            }
            if !self.is(j + 1, ".") || self.word(j + 2).is_none() {
                break;
            }
            j += 2;
        }
        (segs, at)
    }
    /// The dotted path ending at token `i` (a word): what is before a `.` being typed.
    fn path_before(&self, i: usize) -> Vec<&'a str> {
        let mut first = i;
        while first >= 2 && self.is(first - 1, ".") && self.word(first - 2).is_some() {
            first -= 2;
        }
        (first..=i)
            .step_by(2)
            .filter_map(|j| self.word(j))
            .collect()
    }
    /// The path that starts at token `i`, and the index after it.
    fn path_from(&self, i: usize) -> (Vec<&'a str>, usize) {
        let mut segs = Vec::new();
        let mut j = i;
        while let Some(w) = self.word(j) {
            segs.push(w);
            j += 1;
            if !self.is(j, ".") || self.word(j + 1).is_none() {
                break;
            }
            j += 1;
        }
        (segs, j)
    }
}

/// What a path (or the part of it so far) denotes.
#[derive(Clone, Debug, PartialEq)]
enum T {
    /// An entity; `link` is the link schema of the list it was reached through, `chain`
    /// when it is an element of a `supply_chain`.
    Entity {
        kind: KindId,
        link: Option<KindId>,
        chain: bool,
    },
    /// A nested mapping field.
    Object { kind: KindId, field: FieldId },
    /// `x.link`.
    Link(KindId),
    /// A list of references (its elements are entities).
    Refs {
        kind: KindId,
        link: Option<KindId>,
        chain: bool,
    },
    /// Any other value.
    Plain(FieldType),
}

fn of_field(schema: &Schema, owner: KindId, field: FieldId) -> T {
    let f = schema.kind(owner).field_schema(field);
    match &f.ty {
        FieldType::Object => T::Object { kind: owner, field },
        FieldType::Ref(k) => T::Entity {
            kind: *k,
            link: None,
            chain: false,
        },
        FieldType::List(inner) => match &**inner {
            FieldType::Ref(k) => T::Refs {
                kind: *k,
                link: schema.link_of(owner, field),
                chain: false,
            },
            _ => T::Plain(f.ty.clone()),
        },
        FieldType::String
        | FieldType::Number
        | FieldType::Bool
        | FieldType::Date
        | FieldType::Category
        | FieldType::Enum(_) => T::Plain(f.ty.clone()),
    }
}

/// The elements' type of a list.
fn element(t: &T) -> Option<T> {
    match t {
        T::Refs { kind, link, chain } => Some(T::Entity {
            kind: *kind,
            link: *link,
            chain: *chain,
        }),
        T::Plain(FieldType::List(inner)) => Some(T::Plain((**inner).clone())),
        T::Plain(_) | T::Entity { .. } | T::Object { .. } | T::Link(_) => None,
    }
}

/// What one segment of a path is.
#[derive(Clone, Debug, PartialEq)]
enum Meaning {
    Var { name: String, ty: T, decl: Span },
    Field { kind: KindId, field: FieldId },
    Id(KindId),
    SupplyChain,
    LinkOf(KindId),
    Depth,
    Via,
    Let(LetInfo),
    Category(CatId),
    Kind(KindId),
}

/// A variable bound in the current item.
#[derive(Clone, Debug)]
struct Binding {
    name: String,
    ty: T,
    decl: Span,
}

/// A `let` or export declared in a parsed policy file (or the prelude).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct LetInfo {
    name: String,
    file: FileId,
    name_span: Span,
    span: Span,
    export: bool,
}

impl LetInfo {
    pub(super) fn target(&self, checked: &Checked) -> Target {
        Target::Let {
            name: self.name.clone(),
            decl: self.decl(checked),
            export: self.export,
        }
    }
    /// Where the name is declared: in its policy file, or for a custody.yaml `definitions:`
    /// entry (parsed from a source of its own) its key in custody.yaml.
    fn decl(&self, checked: &Checked) -> Loc {
        checked
            .project
            .policies
            .definitions
            .iter()
            .find(|d| d.source == self.file)
            .map_or(Loc::new(self.file, self.name_span), |d| d.name_loc)
    }
}

/// The export named `name` (`library.parameters` and `definitions:` keys name them).
pub(super) fn export_named(checked: &Checked, name: &str) -> Option<LetInfo> {
    all_lets(checked)
        .into_iter()
        .find(|l| l.export && l.name == name)
}

/// The library's exports, the parameters `library.parameters` may set, as completions.
pub(super) fn parameter_items(checked: &Checked, prefix: &str, replace: Span) -> Vec<Completion> {
    let library = &checked.project.policies.library_files;
    let mut seen = std::collections::HashSet::new();
    let mut items: Vec<Completion> = all_lets(checked)
        .into_iter()
        .filter(|l| l.export && library.contains(&l.file) && l.name.starts_with(prefix))
        .filter(|l| seen.insert(l.name.clone()))
        .map(|l| Completion {
            documentation: Some(let_markdown(checked, &l)),
            label: l.name,
            kind: CompletionKind::Variable,
            detail: Some("library parameter".to_string()),
            replace,
        })
        .collect();
    items.sort_by(|a, b| a.label.cmp(&b.label));
    items
}

fn all_lets(checked: &Checked) -> Vec<LetInfo> {
    let policies = &checked.project.policies;
    let mut out = Vec::new();
    for pf in policies.files.iter().chain(&policies.prelude) {
        for item in &pf.items {
            if let Item::Let(l) = item {
                out.push(LetInfo {
                    name: l.name.name.clone(),
                    file: pf.file,
                    name_span: l.name.span,
                    span: l.span,
                    export: l.export.is_some(),
                });
            }
        }
    }
    out
}

/// The `let`s visible at `offset` in `file`: its own above the offset, every export.
fn visible_lets(checked: &Checked, file: FileId, offset: usize) -> Vec<LetInfo> {
    let mut lets: Vec<LetInfo> = all_lets(checked)
        .into_iter()
        .filter(|l| l.export || (l.file == file && (l.span.end as usize) <= offset))
        .collect();
    // A file's own `let` first, so a lookup by name finds it.
    lets.sort_by_key(|l| l.export);
    lets
}

/// The analysis of the cursor's item.
struct Cx<'a> {
    checked: &'a Checked,
    doc: Doc<'a>,
    bindings: Vec<Binding>,
    lets: Vec<LetInfo>,
}

impl<'a> Cx<'a> {
    /// The `let`s visible at `offset`, no variable bound yet.
    fn unbound(checked: &'a Checked, file: FileId, offset: usize) -> Cx<'a> {
        Cx {
            checked,
            doc: Doc::new(checked.project.sources.text(file)),
            bindings: Vec::new(),
            lets: visible_lets(checked, file, offset),
        }
    }

    /// The analysis at `offset`: the `let`s visible there, the variables bound before it in
    /// its item.
    fn new(checked: &'a Checked, file: FileId, offset: usize) -> Cx<'a> {
        let mut cx = Cx::unbound(checked, file, offset);
        let upto = cx.doc.index_at(offset);
        let start = cx.doc.item_start(upto);
        cx.bind(start, upto);
        cx
    }

    /// With the bindings of the whole item around `offset`: a message template may name
    /// the rule's variable before its `for` clause.
    fn whole_item(checked: &'a Checked, file: FileId, offset: usize) -> Cx<'a> {
        let mut cx = Cx::unbound(checked, file, offset);
        let start = cx.doc.item_start(cx.doc.index_at(offset));
        let end = cx.doc.item_end(start);
        cx.bind(start, end);
        cx
    }

    fn schema(&self) -> &'a Schema {
        &self.checked.project.schema
    }

    /// Bind the variables introduced by tokens `start..upto`: `for KIND VAR`, a quantifier's
    /// or an aggregate's `VAR in LIST` (its elements' type) or `KIND VAR`.
    fn bind(&mut self, start: usize, upto: usize) {
        let schema = self.schema();
        let mut i = start;
        while i < upto {
            let Some(w) = self.doc.word(i) else {
                i += 1;
                continue;
            };
            let source = match w {
                "for" | "all" | "any" | "no" => Some(i + 1),
                "count" | "sum" | "min" | "max" if self.doc.is(i + 1, "(") => Some(i + 2),
                _ => None,
            };
            if let Some(j) = source
                && let (Some(a), Some(b)) = (self.doc.word(j), self.doc.word(j + 1))
            {
                let decl = |k: usize| self.doc.tok(k).map(|t| Span::new(t.start, t.end));
                if b == "in" {
                    let (path, _) = self.doc.path_from(j + 2);
                    let ty = self
                        .resolve(&path)
                        .last()
                        .and_then(|(_, t)| t.as_ref())
                        .and_then(element);
                    if let (Some(ty), Some(decl)) = (ty, decl(j)) {
                        self.bindings.push(Binding {
                            name: a.to_string(),
                            ty,
                            decl,
                        });
                    }
                } else if let (Some(kind), Some(decl)) = (schema.kind_by_name(a), decl(j + 1)) {
                    self.bindings.push(Binding {
                        name: b.to_string(),
                        ty: T::Entity {
                            kind,
                            link: None,
                            chain: false,
                        },
                        decl,
                    });
                }
            }
            i += 1;
        }
    }

    fn binding(&self, name: &str) -> Option<&Binding> {
        self.bindings.iter().rev().find(|b| b.name == name)
    }

    fn let_named(&self, name: &str) -> Option<&LetInfo> {
        self.lets.iter().find(|l| l.name == name)
    }

    /// Each segment's meaning and, where it has one, its type.
    fn resolve(&self, segs: &[&str]) -> Vec<(Option<Meaning>, Option<T>)> {
        let schema = self.schema();
        let tax = &self.checked.project.taxonomy;
        let mut out = Vec::new();
        let Some(first) = segs.first() else {
            return out;
        };
        if let Some(b) = self.binding(first) {
            let mut cur = Some(b.ty.clone());
            out.push((
                Some(Meaning::Var {
                    name: b.name.clone(),
                    ty: b.ty.clone(),
                    decl: b.decl,
                }),
                cur.clone(),
            ));
            for seg in segs.iter().skip(1) {
                let step = cur.as_ref().and_then(|t| self.member(t, seg));
                cur = step.as_ref().and_then(|(_, t)| t.clone());
                out.push(match step {
                    Some((m, t)) => (Some(m), t),
                    None => (None, None),
                });
            }
            return out;
        }
        if segs.len() == 1 {
            if let Some(l) = self.let_named(first) {
                out.push((Some(Meaning::Let(l.clone())), None));
                return out;
            }
            if let Some(k) = schema.kind_by_name(first) {
                out.push((Some(Meaning::Kind(k)), None));
                return out;
            }
        }
        for i in 0..segs.len() {
            let dotted = segs.get(..=i).unwrap_or(&[]).join(".");
            out.push((tax.lookup(&dotted).map(Meaning::Category), None));
        }
        out
    }

    /// The member `name` of a value of type `t`.
    fn member(&self, t: &T, name: &str) -> Option<(Meaning, Option<T>)> {
        let schema = self.schema();
        match t {
            T::Entity { kind, link, chain } => {
                if name == "id" {
                    return Some((Meaning::Id(*kind), Some(T::Plain(FieldType::String))));
                }
                if name == "link"
                    && let Some(l) = link
                {
                    return Some((Meaning::LinkOf(*l), Some(T::Link(*l))));
                }
                if *chain && name == "depth" {
                    return Some((Meaning::Depth, Some(T::Plain(FieldType::Number))));
                }
                if *chain && name == "via" {
                    return Some((
                        Meaning::Via,
                        Some(T::Entity {
                            kind: *kind,
                            link: None,
                            chain: false,
                        }),
                    ));
                }
                if name == "supply_chain" && schema.kind(*kind).name == "vendor" {
                    let sub = schema.kind(*kind).field("subprocessors");
                    return Some((
                        Meaning::SupplyChain,
                        Some(T::Refs {
                            kind: *kind,
                            link: sub.and_then(|f| schema.link_of(*kind, f)),
                            chain: true,
                        }),
                    ));
                }
                let k = schema.kind(*kind);
                let field = k
                    .field(name)
                    .filter(|f| k.field_schema(*f).parent.is_none())?;
                Some((
                    Meaning::Field { kind: *kind, field },
                    Some(of_field(schema, *kind, field)),
                ))
            }
            T::Object { kind, field } => {
                let k = schema.kind(*kind);
                let dotted = format!("{}.{name}", k.field_schema(*field).name);
                let f = k.field(&dotted)?;
                Some((
                    Meaning::Field {
                        kind: *kind,
                        field: f,
                    },
                    Some(of_field(schema, *kind, f)),
                ))
            }
            T::Link(l) => {
                let f = schema.kind(*l).field(name)?;
                Some((
                    Meaning::Field { kind: *l, field: f },
                    Some(of_field(schema, *l, f)),
                ))
            }
            T::Refs { .. } | T::Plain(_) => None,
        }
    }

    /// The members of a value of type `t`, as completions.
    fn members(&self, t: &T, replace: Span) -> Vec<Completion> {
        let schema = self.schema();
        let field_item = |kind: KindId, fid: FieldId| {
            let f = schema.kind(kind).field_schema(fid);
            Completion {
                label: f.short_name().to_string(),
                kind: CompletionKind::Field,
                detail: Some(schema.type_name(&f.ty)),
                documentation: (!f.doc.is_empty()).then(|| f.doc.clone()),
                replace,
            }
        };
        let virtual_item = |label: &str, detail: &str, doc: &str| Completion {
            label: label.to_string(),
            kind: CompletionKind::Field,
            detail: Some(detail.to_string()),
            documentation: Some(doc.to_string()),
            replace,
        };
        let mut out = Vec::new();
        match t {
            T::Entity { kind, link, chain } => {
                out.push(virtual_item("id", "string", "the entity's id"));
                out.extend(
                    schema
                        .kind(*kind)
                        .members(None)
                        .map(|(fid, _)| field_item(*kind, fid)),
                );
                if schema.kind(*kind).name == "vendor" {
                    out.push(virtual_item(
                        "supply_chain",
                        "list<ref<vendor>>",
                        "the vendor's subprocessors, theirs, and so on: each vendor once, the vendor itself excluded",
                    ));
                }
                if link.is_some() {
                    out.push(virtual_item(
                        "link",
                        "link",
                        "the link of the list entry through which this element was reached",
                    ));
                }
                if *chain {
                    out.push(virtual_item(
                        "depth",
                        "number",
                        "how far down the supply chain: 1 for a direct subprocessor",
                    ));
                    out.push(virtual_item(
                        "via",
                        "ref<vendor>",
                        "the vendor that lists this one as a subprocessor",
                    ));
                }
            }
            T::Object { kind, field } => out.extend(
                schema
                    .kind(*kind)
                    .members(Some(*field))
                    .map(|(fid, _)| field_item(*kind, fid)),
            ),
            T::Link(l) => out.extend(
                schema
                    .kind(*l)
                    .members(None)
                    .map(|(fid, _)| field_item(*l, fid)),
            ),
            T::Refs { .. } | T::Plain(_) => {}
        }
        out
    }
}

/// Markdown for one segment's meaning.
fn meaning_markdown(cx: &Cx, m: &Meaning) -> String {
    let checked = cx.checked;
    let schema = cx.schema();
    match m {
        Meaning::Var { name, ty, .. } => format!("**{name}**: {}", type_words(schema, ty)),
        Meaning::Field { kind, field } => summary::field_markdown(checked, *kind, *field),
        Meaning::Id(k) => summary::id_markdown(checked, *k),
        Meaning::SupplyChain => "**vendor.supply_chain**: `list<ref<vendor>>`\n\nthe vendor's subprocessors, theirs, and so on: each vendor once, the vendor itself excluded".to_string(),
        Meaning::LinkOf(l) => {
            let fields: Vec<String> = schema
                .kind(*l)
                .fields
                .iter()
                .map(|f| format!("`{}`", f.name))
                .collect();
            format!(
                "**link**\n\nthe link of the list entry through which this element was reached (`- {{id: ..., ...}}`); fields: {}",
                fields.join(", ")
            )
        }
        Meaning::Depth => "**depth**: `number`\n\nhow far down the supply chain: 1 for a direct subprocessor".to_string(),
        Meaning::Via => "**via**: `ref<vendor>`\n\nthe vendor that lists this one as a subprocessor".to_string(),
        Meaning::Let(l) => let_markdown(checked, l),
        Meaning::Category(c) => summary::category_markdown(checked, *c),
        Meaning::Kind(k) => summary::kind_markdown(checked, *k),
    }
}

fn type_words(schema: &Schema, t: &T) -> String {
    match t {
        T::Entity { kind, .. } => format!("a `{}`", schema.kind(*kind).name),
        T::Object { kind, field } => format!(
            "`{}.{}` (object)",
            schema.kind(*kind).name,
            schema.kind(*kind).field_schema(*field).name
        ),
        T::Link(_) => "a link".to_string(),
        T::Refs { kind, .. } => format!("`list<ref<{}>>`", schema.kind(*kind).name),
        T::Plain(ty) => format!("`{}`", schema.type_name(ty)),
    }
}

/// A `let`'s declaration, whether it is exported, where, and a `library.parameters` value.
pub(super) fn let_markdown(checked: &Checked, l: &LetInfo) -> String {
    let sources = &checked.project.sources;
    let decl = sources.slice(Loc::new(l.file, l.span));
    let decl: String = decl.lines().take(12).collect::<Vec<_>>().join("\n");
    let mut md = format!("```custody\n{decl}\n```\n\n");
    md.push_str(if l.export {
        "export, visible in every policy file"
    } else {
        "`let`, visible below it in this file"
    });
    md.push_str(&format!(
        " · `{}`",
        summary::location(checked, l.decl(checked))
    ));
    if let Some(e) = checked.program.exports.iter().find(|e| e.name == l.name)
        && let Some(v) = &e.value
    {
        let schema = &checked.project.schema;
        md.push_str(&format!(
            "\n\ntype: {}",
            v.ty.words(&|k| schema.kind(k).name.clone())
        ));
    }
    for o in &checked.project.policies.overrides {
        if o.name == l.name && o.file == l.file {
            md.push_str(&format!(
                "\n\ncustody.yaml sets it to `{}` (`{}`)",
                sources.slice(o.value_loc),
                summary::location(checked, o.value_loc)
            ));
        }
    }
    md
}

pub(super) fn hover(
    checked: &Checked,
    findings: &[Finding],
    file: FileId,
    offset: usize,
) -> Option<Hover> {
    let cx = Cx::new(checked, file, offset);
    let i = cx.doc.at(offset)?;
    let tok = *cx.doc.tok(i)?;
    if matches!(tok.kind, TokKind::Str | TokKind::UnterminatedStr) {
        // A placeholder of a message template: `{v.contract.expires}`.
        let cx = Cx::whole_item(checked, file, offset);
        let (segs, at) = placeholder(&cx.doc, i, offset)?;
        let names: Vec<&str> = segs.iter().map(|(w, _)| *w).collect();
        let (_, span) = segs.get(at)?;
        return match cx.resolve(&names).get(at) {
            Some((Some(m), _)) => Some(Hover {
                span: *span,
                markdown: meaning_markdown(&cx, m),
            }),
            _ => None,
        };
    }
    if tok.kind != TokKind::Word {
        return None;
    }
    let span = Span::new(tok.start, tok.end);
    let word = tok.text(cx.doc.text);
    // A rule's ID, in its header.
    if i > 0 && cx.doc.is(i - 1, "rule") {
        return summary::rule_markdown(checked, findings, word)
            .map(|markdown| Hover { span, markdown });
    }
    // A `let`'s name where it is declared.
    if i > 0 && cx.doc.is(i - 1, "let") {
        return all_lets(checked)
            .iter()
            .find(|l| l.file == file && l.name_span.start as usize == tok.start)
            .map(|l| Hover {
                span,
                markdown: let_markdown(checked, l),
            });
    }
    let (segs, at) = cx.doc.path_around(i);
    let names: Vec<&str> = segs.iter().map(|(w, _)| *w).collect();
    let path_word = names.len() > 1 || !lex::KEYWORDS.contains(&word);
    if path_word && !is_clause_or_severity(&cx.doc, i) {
        let resolved = cx.resolve(&names);
        if let Some((Some(m), _)) = resolved.get(at) {
            return Some(Hover {
                span,
                markdown: meaning_markdown(&cx, m),
            });
        }
    }
    keyword_doc(word).map(|d| Hover {
        span,
        markdown: format!("**{word}**: {d}"),
    })
}

/// Is token `i` a clause keyword at the start of its line, or a severity word after
/// `severity` (words that are names elsewhere)?
fn is_clause_or_severity(doc: &Doc, i: usize) -> bool {
    let Some(w) = doc.word(i) else { return false };
    let first = doc.tok(i).is_some_and(|t| t.first_on_line);
    (first && lex::CLAUSES.contains(&w))
        || (i > 0 && doc.is(i - 1, "severity") && SEVERITIES.contains(&w))
}

pub(super) fn target(checked: &Checked, file: FileId, offset: usize) -> Option<Target> {
    let cx = Cx::new(checked, file, offset);
    let i = cx.doc.at(offset)?;
    let tok = *cx.doc.tok(i)?;
    if tok.kind != TokKind::Word {
        return None;
    }
    let word = tok.text(cx.doc.text);
    if i > 0 && cx.doc.is(i - 1, "rule") {
        return Some(Target::Rule(word.to_string()));
    }
    if i > 0 && cx.doc.is(i - 1, ".") {
        return None;
    }
    // A declaration: `let NAME`.
    if i > 0 && cx.doc.is(i - 1, "let") {
        return all_lets(checked)
            .into_iter()
            .find(|l| l.file == file && l.name_span.start as usize == tok.start)
            .map(|l| l.target(checked));
    }
    // A variable: its binding is before the cursor (or is the cursor's word).
    let upto = cx.doc.index_at(tok.end);
    let start = cx.doc.item_start(upto);
    let mut scope = Cx {
        checked,
        doc: Doc::new(cx.doc.text),
        bindings: Vec::new(),
        lets: Vec::new(),
    };
    scope.bind(start, upto.max(i + 2).min(cx.doc.toks.len()));
    if let Some(b) = scope.binding(word) {
        let end = cx.doc.item_end(start);
        let uses = (start..end)
            .filter(|&j| cx.doc.word(j) == Some(word) && !(j > 0 && cx.doc.is(j - 1, ".")))
            .filter_map(|j| cx.doc.tok(j))
            .map(|t| Loc::new(file, Span::new(t.start, t.end)))
            .filter(|l| l.span != b.decl)
            .collect();
        return Some(Target::Var {
            decl: Loc::new(file, b.decl),
            uses,
        });
    }
    cx.let_named(word).map(|l| l.target(checked))
}

/// Every use of a `let` (not its declaration): in its own file, or for an export in every
/// policy file of the project.
pub(super) fn let_uses(checked: &Checked, name: &str, decl: Loc, export: bool) -> Vec<Loc> {
    let policies = &checked.project.policies;
    let mut files: Vec<FileId> = if export {
        policies
            .files
            .iter()
            .map(|p| p.file)
            .chain(policies.broken.iter().copied())
            .collect()
    } else {
        vec![decl.file]
    };
    files.sort();
    files.dedup();
    let mut out = Vec::new();
    for f in files {
        let doc = Doc::new(checked.project.sources.text(f));
        for (j, t) in doc.toks.iter().enumerate() {
            if t.kind != TokKind::Word || t.text(doc.text) != name {
                continue;
            }
            if j > 0 && (doc.is(j - 1, ".") || doc.is(j - 1, "let")) {
                continue;
            }
            out.push(Loc::new(f, Span::new(t.start, t.end)));
        }
    }
    out
}

pub(super) fn completion(checked: &Checked, file: FileId, offset: usize) -> Vec<Completion> {
    let text = checked.project.sources.text(file);
    let bytes = text.as_bytes();
    // The word being typed.
    let mut ps = offset;
    while ps > 0
        && bytes
            .get(ps - 1)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        ps -= 1;
    }
    let prefix = text.get(ps..offset).unwrap_or("");
    let replace = Span::new(ps, offset);
    // Nothing in a comment.
    if lex::lex_with_comments(text)
        .iter()
        .any(|t| t.kind == TokKind::Comment && t.start < offset && offset <= t.end)
    {
        return Vec::new();
    }
    let cx = Cx::new(checked, file, ps);
    let doc = &cx.doc;
    // Inside a string: a message template's placeholder, or enum values when it is
    // compared with an enum field.
    if let Some(s) = doc.toks.iter().position(|t| {
        matches!(t.kind, TokKind::Str | TokKind::UnterminatedStr)
            && t.start < offset
            && (offset < t.end || (t.kind == TokKind::UnterminatedStr && offset <= t.end))
    }) {
        if s > 0 && doc.is(s - 1, "message") {
            return template_completion(checked, file, s, offset, prefix, replace);
        }
        return string_completion(&cx, s, offset);
    }
    let before = doc.index_at(ps);
    let prev = before.checked_sub(1);
    let prev_text = prev.and_then(|p| doc.tok(p)).map(|t| t.text(doc.text));
    let filter = |items: Vec<Completion>| -> Vec<Completion> {
        items
            .into_iter()
            .filter(|c| c.label.starts_with(prefix) && c.label != prefix)
            .collect()
    };
    // After a dot: members of what is before it.
    if prev_text == Some(".")
        && let Some(p) = prev
        && p > 0
        && doc.word(p - 1).is_some()
    {
        let names = doc.path_before(p - 1);
        let resolved = cx.resolve(&names);
        let items = match resolved.last() {
            Some((_, Some(t))) => cx.members(t, replace),
            Some((Some(Meaning::Category(c)), _)) => {
                category_items(checked, checked.project.taxonomy.children(*c), replace)
            }
            _ => Vec::new(),
        };
        return filter(items);
    }
    let kinds = || kind_items(cx.schema(), replace);
    let first_on_line = text
        .get(..ps)
        .unwrap_or("")
        .rsplit('\n')
        .next()
        .is_some_and(|l| l.trim().is_empty());
    let start = doc.item_start(before);
    let in_item = start < before
        && (doc.is(start, "rule") || doc.is(start, "let") || doc.is(start, "export"));
    let in_rule = in_item && doc.is(start, "rule");
    let braces = (start..before).fold(0i32, |d, j| {
        if doc.is(j, "{") {
            d + 1
        } else if doc.is(j, "}") {
            d - 1
        } else {
            d
        }
    });
    let continues = prev_text.is_some_and(|p| {
        matches!(
            p,
            "and"
                | "or"
                | "not"
                | "("
                | "["
                | ","
                | "=="
                | "!="
                | "<"
                | "<="
                | ">"
                | ">="
                | "+"
                | "-"
                | "*"
                | "/"
                | ":"
                | "in"
                | "where"
                | "require"
                | "="
                | "handles"
                | "holds"
                | "receives"
                | "except"
        )
    });
    // At the start of a line: a clause inside a rule, else an item.
    if first_on_line && !continues {
        let words: &[&str] = if in_rule && braces > 0 {
            lex::CLAUSES
        } else {
            &["rule", "let", "export"]
        };
        return filter(keyword_items(words, replace));
    }
    let Some(p) = prev else {
        return filter(keyword_items(&["rule", "let", "export"], replace));
    };
    let prev_text = prev_text.unwrap_or("");
    match prev_text {
        "for" => return filter(kinds()),
        "all" | "any" | "no" => return filter(kinds()),
        "severity" => return filter(keyword_items(SEVERITIES, replace)),
        "is" => return filter(keyword_items(&["set", "missing", "empty"], replace)),
        "older" => return filter(keyword_items(&["than"], replace)),
        "within" => return filter(keyword_items(&["last", "next"], replace)),
        "rule" | "let" | "export" => return Vec::new(),
        _ => {}
    }
    if prev_text == "("
        && p > 0
        && doc
            .word(p - 1)
            .is_some_and(|w| matches!(w, "count" | "sum" | "min" | "max"))
    {
        let mut items = kinds();
        items.extend(operand_items(&cx, replace));
        return filter(items);
    }
    if category_position(doc, p) {
        let tax = &checked.project.taxonomy;
        let top: Vec<CatId> = tax.ids().filter(|c| tax.parent(*c).is_none()).collect();
        let mut items = category_items(checked, &top, replace);
        items.extend(let_items(&cx, replace));
        return filter(items);
    }
    let operand_done = doc.tok(p).is_some_and(|t| match t.kind {
        TokKind::Word => {
            !lex::KEYWORDS.contains(&t.text(doc.text))
                || matches!(
                    t.text(doc.text),
                    "today" | "true" | "false" | "set" | "missing" | "empty"
                )
        }
        TokKind::Str | TokKind::Number | TokKind::Date => true,
        TokKind::Punct => matches!(t.text(doc.text), ")" | "]"),
        TokKind::UnterminatedStr | TokKind::Other | TokKind::Comment => false,
    });
    // After `for KIND VAR` only `where` may come; after `for KIND` (or a quantifier's or
    // a source's `KIND`) a new name, after a quantifier's `VAR`, `in`.
    if p >= 2 && doc.is(p - 2, "for") {
        return filter(keyword_items(&["where"], replace));
    }
    let binder = |k: usize| {
        ["for", "all", "any", "no"].iter().any(|w| doc.is(k, w))
            || (doc.is(k, "(")
                && k > 0
                && doc
                    .word(k - 1)
                    .is_some_and(|w| matches!(w, "count" | "sum" | "min" | "max")))
    };
    if p >= 1 && binder(p - 1) {
        let kind = doc
            .word(p)
            .is_some_and(|w| cx.schema().kind_by_name(w).is_some());
        return if kind {
            Vec::new()
        } else {
            filter(keyword_items(&["in"], replace))
        };
    }
    if operand_done && !continues {
        return filter(keyword_items(AFTER_OPERAND, replace));
    }
    filter(operand_items(&cx, replace))
}

/// Is the token before the cursor (`p`) one after which a category comes: `handles`,
/// `holds`, `receives`, `except`, or `[`/`,` in a list following one?
fn category_position(doc: &Doc, p: usize) -> bool {
    let Some(w) = doc.tok(p).map(|t| t.text(doc.text)) else {
        return false;
    };
    if CATEGORY_OPS.contains(&w) {
        return true;
    }
    if !matches!(w, "[" | ",") {
        return false;
    }
    // The `[` this list opens with, and the word before it.
    let mut depth = 0i32;
    for j in (0..=p).rev() {
        match doc.tok(j).map(|t| t.text(doc.text)) {
            Some("]") | Some(")") => depth += 1,
            Some("[") | Some("(") if depth > 0 => depth -= 1,
            Some("[") => {
                return j > 0
                    && doc
                        .tok(j - 1)
                        .is_some_and(|t| CATEGORY_OPS.contains(&t.text(doc.text)));
            }
            Some("(") | None => return false,
            Some(_) => {}
        }
    }
    false
}

/// The `{...}` placeholder of a message template (string token `s`) around `offset`: its
/// path segments, with their spans, and the index of the one under the cursor. A
/// `days_since(PATH)`/`days_until(PATH)` placeholder gives its path.
fn placeholder<'a>(
    doc: &Doc<'a>,
    s: usize,
    offset: usize,
) -> Option<(Vec<(&'a str, Span)>, usize)> {
    if s == 0 || !doc.is(s - 1, "message") {
        return None;
    }
    let tok = doc.tok(s)?;
    let text = doc.text;
    let inner_start = tok.start + 1;
    let before = text.get(inner_start..offset)?;
    let open = inner_start + before.rfind('{')? + 1;
    if before.get(open - inner_start..)?.contains('}') {
        return None;
    }
    let rest = text.get(open..tok.end)?;
    let close = open + rest.find(['}', '"']).unwrap_or(rest.len());
    let mut from = open;
    let mut body = text.get(open..close)?;
    for f in ["days_since(", "days_until("] {
        if let Some(b) = body.trim_start().strip_prefix(f) {
            from = close - b.len();
            body = b.trim_end_matches(')');
        }
    }
    let mut segs = Vec::new();
    let mut at = 0;
    let mut pos = from;
    for seg in body.split('.') {
        let lead = seg.len() - seg.trim_start().len();
        let word = seg.trim();
        let start = pos + lead;
        if (start..=start + word.len()).contains(&offset) {
            at = segs.len();
        }
        segs.push((word, Span::new(start, start + word.len())));
        pos += seg.len() + 1;
    }
    Some((segs, at))
}

/// In a message template's `{`: the rule's variables, then the members of the path typed.
fn template_completion(
    checked: &Checked,
    file: FileId,
    s: usize,
    offset: usize,
    prefix: &str,
    replace: Span,
) -> Vec<Completion> {
    let cx = Cx::whole_item(checked, file, offset);
    let Some((segs, at)) = placeholder(&cx.doc, s, offset) else {
        return Vec::new();
    };
    let names: Vec<&str> = segs.iter().take(at).map(|(w, _)| *w).collect();
    let items = if names.is_empty() {
        let schema = cx.schema();
        cx.bindings
            .iter()
            .map(|b| Completion {
                label: b.name.clone(),
                kind: CompletionKind::Variable,
                detail: Some(type_words(schema, &b.ty).replace('`', "")),
                documentation: None,
                replace,
            })
            .collect()
    } else {
        match cx.resolve(&names).last() {
            Some((_, Some(t))) => cx.members(t, replace),
            _ => Vec::new(),
        }
    };
    items
        .into_iter()
        .filter(|c| c.label.starts_with(prefix) && c.label != prefix)
        .collect()
}

/// Enum values inside a string compared with an enum field: `v.tier == "`, `!=`, and
/// `v.tier in ["...", "`.
fn string_completion(cx: &Cx, s: usize, offset: usize) -> Vec<Completion> {
    let doc = &cx.doc;
    let Some(tok) = doc.tok(s) else {
        return Vec::new();
    };
    let typed_start = tok.start + 1;
    let typed = doc.text.get(typed_start..offset).unwrap_or("");
    let replace = Span::new(typed_start, offset);
    // The operator: directly before, or before the list's `[`.
    let mut j = s;
    while j > 0 && (doc.is(j - 1, ",") || doc.tok(j - 1).is_some_and(|t| t.kind == TokKind::Str)) {
        j -= 1;
    }
    let op = j.checked_sub(1);
    let lhs_end = match op.and_then(|o| doc.tok(o)).map(|t| t.text(doc.text)) {
        Some("==") | Some("!=") => op,
        Some("[") => op
            .and_then(|o| o.checked_sub(1))
            .filter(|&o| doc.is(o, "in"))
            .map(|o| {
                if o > 0 && doc.is(o - 1, "not") {
                    o - 1
                } else {
                    o
                }
            }),
        _ => None,
    };
    let Some(end) = lhs_end.filter(|&e| e > 0) else {
        return Vec::new();
    };
    if doc.word(end - 1).is_none() {
        return Vec::new();
    }
    let names = doc.path_before(end - 1);
    let ty = cx.resolve(&names).last().and_then(|(_, t)| t.clone());
    let values = match ty {
        Some(T::Plain(FieldType::Enum(v))) => v.values,
        _ => return Vec::new(),
    };
    values
        .into_iter()
        .filter(|v| v.starts_with(typed))
        .map(|v| Completion {
            label: v,
            kind: CompletionKind::Value,
            detail: None,
            documentation: None,
            replace,
        })
        .collect()
}

fn keyword_items(words: &[&str], replace: Span) -> Vec<Completion> {
    words
        .iter()
        .map(|w| Completion {
            label: (*w).to_string(),
            kind: CompletionKind::Keyword,
            detail: None,
            documentation: keyword_doc(w).map(str::to_string),
            replace,
        })
        .collect()
}

fn kind_items(schema: &Schema, replace: Span) -> Vec<Completion> {
    schema
        .kind_ids()
        .map(|k| {
            let ks = schema.kind(k);
            Completion {
                label: ks.name.clone(),
                kind: CompletionKind::Kind,
                detail: Some(format!("kind ({})", ks.collection)),
                documentation: (!ks.doc.is_empty()).then(|| ks.doc.clone()),
                replace,
            }
        })
        .collect()
}

/// Categories, by their last segment (after a dot) or whole (at the top level).
fn category_items(checked: &Checked, cats: &[CatId], replace: Span) -> Vec<Completion> {
    let tax = &checked.project.taxonomy;
    cats.iter()
        .map(|c| {
            let name = tax.name(*c);
            Completion {
                label: name.rsplit('.').next().unwrap_or(name).to_string(),
                kind: CompletionKind::Category,
                detail: Some(match tax.parent(*c) {
                    Some(p) => format!("in {}", tax.name(p)),
                    None => "data category".to_string(),
                }),
                documentation: (!tax.doc(*c).is_empty()).then(|| tax.doc(*c).to_string()),
                replace,
            }
        })
        .collect()
}

fn let_items(cx: &Cx, replace: Span) -> Vec<Completion> {
    let mut seen = std::collections::HashSet::new();
    cx.lets
        .iter()
        .filter(|l| seen.insert(l.name.clone()))
        .map(|l| Completion {
            label: l.name.clone(),
            kind: CompletionKind::Variable,
            detail: Some(if l.export { "export" } else { "let" }.to_string()),
            documentation: None,
            replace,
        })
        .collect()
}

/// Where an operand may start: bound variables, `let`s and exports, and the words that
/// start an expression.
fn operand_items(cx: &Cx, replace: Span) -> Vec<Completion> {
    let schema = cx.schema();
    let mut seen = std::collections::HashSet::new();
    let mut items: Vec<Completion> = cx
        .bindings
        .iter()
        .rev()
        .filter(|b| seen.insert(b.name.clone()))
        .map(|b| Completion {
            label: b.name.clone(),
            kind: CompletionKind::Variable,
            detail: Some(type_words(schema, &b.ty).replace('`', "")),
            documentation: None,
            replace,
        })
        .collect();
    items.extend(let_items(cx, replace));
    items.extend(keyword_items(EXPR_START, replace));
    items
}

/// An item as the tokens show it, parsed or not: its kind, name and whole span.
struct TextItem {
    rule: bool,
    name: Span,
    /// A rule's title, unquoted.
    title: Option<String>,
    span: Span,
}

/// The items of a policy file from its tokens, so an item that does not parse (yet) still
/// has a symbol and a lens.
fn text_items(doc: &Doc) -> Vec<TextItem> {
    let starts: Vec<usize> = (0..doc.toks.len())
        .filter(|&j| {
            doc.tok(j).is_some_and(|t| t.first_on_line)
                && (doc.is(j, "rule")
                    || (doc.is(j, "let") && !(j > 0 && doc.is(j - 1, "export")))
                    || (doc.is(j, "export") && doc.is(j + 1, "let")))
        })
        .collect();
    let mut out = Vec::new();
    for (n, &j) in starts.iter().enumerate() {
        let next = starts.get(n + 1).copied().unwrap_or(doc.toks.len());
        let name_at = if doc.is(j, "export") { j + 2 } else { j + 1 };
        let (Some(first), Some(last), Some(name)) = (
            doc.tok(j),
            doc.tok(next.saturating_sub(1).max(j)),
            doc.tok(name_at)
                .filter(|t| t.kind == TokKind::Word && name_at < next),
        ) else {
            continue;
        };
        let rule = doc.is(j, "rule");
        let title = doc
            .tok(name_at + 1)
            .filter(|t| rule && t.kind == TokKind::Str && name_at + 1 < next)
            .and_then(|t| doc.text.get(t.start + 1..t.end.saturating_sub(1)))
            .map(str::to_string);
        out.push(TextItem {
            rule,
            name: Span::new(name.start, name.end),
            title,
            span: Span::new(first.start, last.end.max(name.end)),
        });
    }
    out
}

pub(super) fn symbols(checked: &Checked, file: FileId) -> Vec<Symbol> {
    let ast: Vec<&Item> = checked
        .project
        .policies
        .files
        .iter()
        .filter(|p| p.file == file)
        .flat_map(|p| &p.items)
        .collect();
    let doc = Doc::new(checked.project.sources.text(file));
    text_items(&doc)
        .into_iter()
        .map(|t| {
            let parsed = ast.iter().find_map(|item| match item {
                Item::Rule(r) if r.id.span == t.name => Some(rule_symbol(r)),
                Item::Let(l) if l.name.span == t.name => Some(let_symbol(l)),
                Item::Rule(_) | Item::Let(_) => None,
            });
            parsed.unwrap_or_else(|| Symbol {
                name: doc.text.get(t.name.range()).unwrap_or("").to_string(),
                detail: Some(match (&t.title, t.rule) {
                    (Some(title), _) => format!("{title} · does not parse"),
                    (None, _) => "does not parse".to_string(),
                }),
                kind: if t.rule {
                    SymbolKind::Rule
                } else {
                    SymbolKind::Let
                },
                span: t.span,
                selection: t.name,
                children: Vec::new(),
            })
        })
        .collect()
}

fn rule_symbol(r: &crate::ast::Rule) -> Symbol {
    let severity = r
        .clauses
        .iter()
        .find_map(|c| match &c.kind {
            ClauseKind::Severity(s) => Some(s.name.as_str()),
            _ => None,
        })
        .unwrap_or("medium");
    Symbol {
        name: r.id.name.clone(),
        detail: Some(format!("{} · {}", r.title.value, severity)),
        kind: SymbolKind::Rule,
        span: r.span,
        selection: r.id.span,
        children: Vec::new(),
    }
}

fn let_symbol(l: &crate::ast::LetDecl) -> Symbol {
    Symbol {
        name: l.name.name.clone(),
        detail: Some(if l.export.is_some() { "export" } else { "let" }.to_string()),
        kind: SymbolKind::Let,
        span: l.span,
        selection: l.name.span,
        children: Vec::new(),
    }
}

pub(super) fn lenses(checked: &Checked, findings: &[Finding], file: FileId) -> Vec<Lens> {
    let doc = Doc::new(checked.project.sources.text(file));
    text_items(&doc)
        .into_iter()
        .filter(|t| t.rule)
        .map(|t| {
            let id = doc.text.get(t.name.range()).unwrap_or("");
            // The rule of this id checked from this file, if it is this declaration.
            let index =
                checked.program.rules.iter().position(|c| {
                    c.id.as_str() == id && c.loc.file == file && c.loc.span == t.name
                });
            let counts: Option<Counts> =
                index.and_then(|i| summary::rule_counts(checked, findings, i));
            Lens {
                span: t.name,
                title: counts.map_or_else(|| "not evaluated".to_string(), |c| c.words()),
            }
        })
        .collect()
}
