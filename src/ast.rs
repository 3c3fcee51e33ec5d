//! The typed policy AST. Every node carries a `Span` into its policy file; no pest types.
//!
//! The AST is what was written, not what it means: `personal.contact.address`, `v.tier` and
//! `address` are all `ExprKind::Path`; `check` decides which is a category, a field or a `let`.

use crate::source::{FileId, Span};

/// One `.policy` file.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyFile {
    pub file: FileId,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Let(LetDecl),
    Rule(Rule),
}

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string literal after unescaping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// `let NAME = EXPR`, or `export let NAME = EXPR`
#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    /// The `export` keyword, when the `let` is exported (visible in every policy file).
    pub export: Option<Span>,
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `rule ID "title" { clauses }`
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub id: Ident,
    pub title: StrLit,
    /// In source order; repeated or missing clauses are reported by `check`, not the parser.
    pub clauses: Vec<Clause>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub kind: ClauseKind,
    /// The whole clause, keyword included.
    pub span: Span,
    /// The keyword alone (`severity`, `require`, ...).
    pub keyword: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClauseKind {
    /// `severity critical|high|medium|low|info`: the word as written, checked by `check`.
    Severity(Ident),
    References(Vec<StrLit>),
    Tags(Vec<StrLit>),
    Description(StrLit),
    Message(StrLit),
    Remediation(StrLit),
    For(ForClause),
    Require(Expr),
}

impl ClauseKind {
    /// The keyword that starts the clause.
    pub fn keyword(&self) -> &'static str {
        match self {
            ClauseKind::Severity(_) => "severity",
            ClauseKind::References(_) => "references",
            ClauseKind::Tags(_) => "tags",
            ClauseKind::Description(_) => "description",
            ClauseKind::Message(_) => "message",
            ClauseKind::Remediation(_) => "remediation",
            ClauseKind::For(_) => "for",
            ClauseKind::Require(_) => "require",
        }
    }
}

/// `for KIND VAR [where EXPR]`
#[derive(Clone, Debug, PartialEq)]
pub struct ForClause {
    pub kind: Ident,
    pub var: Ident,
    pub filter: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IsTest {
    Set,
    Missing,
    Empty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quantifier {
    All,
    Any,
    No,
}

impl Quantifier {
    pub fn as_str(self) -> &'static str {
        match self {
            Quantifier::All => "all",
            Quantifier::Any => "any",
            Quantifier::No => "no",
        }
    }
}

/// The aggregates over a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggOp {
    Count,
    Sum,
    Min,
    Max,
}

impl AggOp {
    pub fn as_str(self) -> &'static str {
        match self {
            AggOp::Count => "count",
            AggOp::Sum => "sum",
            AggOp::Min => "min",
            AggOp::Max => "max",
        }
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    /// The unit's name, plural when `n != 1`.
    pub fn name(self, n: i64) -> &'static str {
        match (self, n == 1) {
            (Unit::Day, true) => "day",
            (Unit::Day, false) => "days",
            (Unit::Week, true) => "week",
            (Unit::Week, false) => "weeks",
            (Unit::Month, true) => "month",
            (Unit::Month, false) => "months",
            (Unit::Year, true) => "year",
            (Unit::Year, false) => "years",
        }
    }
}

/// Which way a `within` window looks, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WithinDir {
    /// `within N unit` (v1): the past N units.
    Plain,
    /// `within last N unit`: the same window, said explicitly.
    Last,
    /// `within next N unit`: the coming N units.
    Next,
}

/// `days_since(D)` or `days_until(D)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DayFn {
    Since,
    Until,
}

impl DayFn {
    pub fn as_str(self) -> &'static str {
        match self {
            DayFn::Since => "days_since",
            DayFn::Until => "days_until",
        }
    }
}

/// `N unit`, e.g. `12 months`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Duration {
    pub amount: i64,
    pub unit: Unit,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateOp {
    Plus,
    Minus,
}

/// A dotted name: `v.contract.expires`, `personal.contact.address`, `address`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    pub segments: Vec<Ident>,
}

impl Path {
    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }
}

impl Expr {
    /// Every subexpression, this one first (pre-order).
    pub fn walk<'e>(&'e self, f: &mut dyn FnMut(&'e Expr)) {
        let e = self;
        f(e);
        match &e.kind {
            ExprKind::Or(a, b)
            | ExprKind::And(a, b)
            | ExprKind::Before(a, b)
            | ExprKind::After(a, b)
            | ExprKind::Compare { lhs: a, rhs: b, .. }
            | ExprKind::In { lhs: a, rhs: b, .. }
            | ExprKind::Contains { lhs: a, rhs: b }
            | ExprKind::Handles {
                subject: a,
                cats: b,
            }
            | ExprKind::Holds {
                subject: a,
                cats: b,
            }
            | ExprKind::Receives {
                subject: a,
                cats: b,
            }
            | ExprKind::Arith { lhs: a, rhs: b, .. }
            | ExprKind::Except {
                cats: a,
                excluded: b,
            } => {
                a.walk(f);
                b.walk(f);
            }
            ExprKind::Quant {
                list, filter, body, ..
            } => {
                list.walk(f);
                if let Some(x) = filter {
                    x.walk(f);
                }
                body.walk(f);
            }
            ExprKind::Aggregate {
                list,
                filter,
                value,
                ..
            } => {
                list.walk(f);
                for x in [filter, value].into_iter().flatten() {
                    x.walk(f);
                }
            }
            ExprKind::Not(a)
            | ExprKind::Paren(a)
            | ExprKind::Count(a)
            | ExprKind::Days { date: a, .. }
            | ExprKind::Matches { lhs: a, .. }
            | ExprKind::Is { lhs: a, .. }
            | ExprKind::Within { date: a, .. }
            | ExprKind::OlderThan { date: a, .. }
            | ExprKind::DateArith { base: a, .. } => a.walk(f),
            ExprKind::List(items) => items.iter().for_each(|i| i.walk(f)),
            ExprKind::Path(_)
            | ExprKind::Entities(_)
            | ExprKind::Today
            | ExprKind::Bool(_)
            | ExprKind::Number(..)
            | ExprKind::Str(_)
            | ExprKind::Date(_) => {}
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare {
        op: CmpOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `x in LIST` / `x not in LIST`
    In {
        negated: bool,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Contains {
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Matches {
        lhs: Box<Expr>,
        pattern: StrLit,
    },
    Is {
        lhs: Box<Expr>,
        test: IsTest,
    },
    /// `v handles C`: `cats` is a category path, a `let` name or a list literal of those.
    Handles {
        subject: Box<Expr>,
        cats: Box<Expr>,
    },
    Holds {
        subject: Box<Expr>,
        cats: Box<Expr>,
    },
    /// `v receives C`: C flows to `v` down the supply chain (SPEC §7.2).
    Receives {
        subject: Box<Expr>,
        cats: Box<Expr>,
    },
    Within {
        date: Box<Expr>,
        duration: Duration,
        dir: WithinDir,
    },
    OlderThan {
        date: Box<Expr>,
        duration: Duration,
    },
    Before(Box<Expr>, Box<Expr>),
    After(Box<Expr>, Box<Expr>),
    /// `all|any|no VAR in LIST [where FILTER]: BODY`; `LIST` is [`ExprKind::Entities`] for
    /// `all|any|no KIND VAR [where FILTER]: BODY`.
    Quant {
        quantifier: Quantifier,
        var: Ident,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
        body: Box<Expr>,
    },
    /// `count(LIST)`
    Count(Box<Expr>),
    /// `count(SOURCE)`, `sum(SOURCE: VALUE)`, `min(...)`, `max(...)`: the source is
    /// `VAR in LIST [where FILTER]` or `KIND VAR [where FILTER]` (`list` is then
    /// [`ExprKind::Entities`]); `value` is absent for `count`.
    Aggregate {
        op: AggOp,
        var: Ident,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
        value: Option<Box<Expr>>,
    },
    /// Every entity of a kind: the `KIND` of a `KIND VAR` source, never written on its own.
    Entities(Ident),
    /// `a + b`, `a - b`, `a * b`, `a / b` on numbers; `+` also joins lists.
    Arith {
        op: ArithOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `C except E`: categories with exclusions.
    Except {
        cats: Box<Expr>,
        excluded: Box<Expr>,
    },
    /// `days_since(D)`, `days_until(D)`
    Days {
        func: DayFn,
        date: Box<Expr>,
    },
    /// `D + N unit`, `D - N unit`
    DateArith {
        base: Box<Expr>,
        op: DateOp,
        duration: Duration,
    },
    Path(Path),
    Today,
    Bool(bool),
    /// A number literal: its value and its text as written (`1_000_000`).
    Number(f64, String),
    Str(String),
    Date(jiff::civil::Date),
    List(Vec<Expr>),
    /// `( EXPR )`, kept so spans and formatting stay faithful.
    Paren(Box<Expr>),
}
