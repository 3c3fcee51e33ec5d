//! The checked program: rules with every name resolved and every type known.
//!
//! **Architecture invariant:** once `check` has produced a `CheckedRule`, evaluating it cannot
//! fail: no names are looked up and no types are tested at evaluation time.

use crate::ast::{AggOp, ArithOp, CmpOp, DateOp, DayFn, IsTest, Quantifier, Unit};
use crate::inventory::{CatId, EnumValues, FieldId, KindId};
use crate::source::Loc;
use crate::types::{RuleId, Severity};

/// A static type.
#[derive(Clone, PartialEq, Debug)]
pub enum Ty {
    Bool,
    Num,
    Str,
    /// A string restricted to these values (`tier`, `kind`); ordered ones compare by rank.
    Enum(EnumValues),
    Date,
    Cat,
    Entity(KindId),
    List(Box<Ty>),
    /// A nested mapping such as `contract`: only `is set` / `is missing` apply.
    Object,
    /// The element type of an empty list literal: fits any list.
    Unknown,
    /// Categories with exclusions, `C except E`: only `handles` and `holds` take one.
    Pattern,
}

impl Ty {
    /// "a number", "a list of categories", for messages.
    pub fn words(&self, kinds: &dyn Fn(KindId) -> String) -> String {
        match self {
            Ty::Bool => "true or false".into(),
            Ty::Num => "a number".into(),
            Ty::Str => "a string".into(),
            Ty::Enum(v) => format!(
                "one of {}",
                v.listed()
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Ty::Date => "a date".into(),
            Ty::Cat => "a data category".into(),
            Ty::Entity(k) => format!("a {}", kinds(*k)),
            Ty::List(inner) => match &**inner {
                Ty::Bool => "a list of booleans".into(),
                Ty::Num => "a list of numbers".into(),
                Ty::Str | Ty::Enum(_) => "a list of strings".into(),
                Ty::Date => "a list of dates".into(),
                Ty::Cat => "a list of data categories".into(),
                Ty::Entity(k) => format!("a list of {} references", kinds(*k)),
                Ty::List(_) | Ty::Object | Ty::Unknown | Ty::Pattern => "a list".into(),
            },
            Ty::Object => "a nested mapping".into(),
            Ty::Unknown => "a value".into(),
            Ty::Pattern => "a category pattern (`C except E`)".into(),
        }
    }
    /// The values of an enum type (`tier`, `kind`), ordered or not.
    pub fn enum_values(&self) -> Option<&EnumValues> {
        match self {
            Ty::Enum(v) => Some(v),
            Ty::Bool
            | Ty::Num
            | Ty::Str
            | Ty::Date
            | Ty::Cat
            | Ty::Entity(_)
            | Ty::List(_)
            | Ty::Object
            | Ty::Unknown
            | Ty::Pattern => None,
        }
    }
    pub fn is_stringy(&self) -> bool {
        matches!(self, Ty::Str | Ty::Enum(_))
    }
    /// Do values of these types compare with `==`?
    pub fn compatible(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Unknown, _) | (_, Ty::Unknown) => true,
            (a, b) if a.is_stringy() && b.is_stringy() => true,
            (Ty::Entity(a), Ty::Entity(b)) => a == b,
            (Ty::List(a), Ty::List(b)) => a.compatible(b),
            (
                a @ (Ty::Bool
                | Ty::Num
                | Ty::Str
                | Ty::Enum(_)
                | Ty::Date
                | Ty::Cat
                | Ty::Entity(_)
                | Ty::List(_)
                | Ty::Object
                | Ty::Pattern),
                b,
            ) => a == b,
        }
    }
}

/// A message template: literal text and interpolated paths.
#[derive(Clone, Debug)]
pub enum TemplatePart {
    Lit(String),
    Path { expr: CExpr, text: String },
}

#[derive(Clone, Debug)]
pub struct Require {
    pub expr: CExpr,
    /// The whole `require` clause.
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct CheckedRule {
    pub id: RuleId,
    pub title: String,
    pub severity: Severity,
    pub references: Vec<String>,
    pub tags: Vec<String>,
    pub description: Option<String>,
    pub remediation: Option<String>,
    pub message: Option<Vec<TemplatePart>>,
    pub kind: KindId,
    pub var: String,
    pub filter: Option<CExpr>,
    pub requires: Vec<Require>,
    /// The rule's id in its header.
    pub loc: Loc,
    /// The `for` clause.
    pub for_loc: Loc,
}

/// A checked expression. `loc` is where it is written in the policy.
#[derive(Clone, Debug)]
pub struct CExpr {
    pub kind: CKind,
    pub ty: Ty,
    pub loc: Loc,
}

impl CExpr {
    /// The direct sub-expressions, for code that walks every node the same way.
    ///
    /// The order is fixed, and is the order in which the policy writes them:
    ///
    /// - no children: `Const`, `Today`, `Var`;
    /// - a list literal: its items, in order;
    /// - one child: the base of `Field`, `Id`, `SupplyChain`, `Count`, `DateArith`; the
    ///   operand of `Not`; the left-hand side of `Matches` and `Is`; the subject of `Handles`,
    ///   `Holds` and `Receives`; the date of `Within`, `WithinNext`, `OlderThan` and `Days`;
    /// - two children, left before right: `And`, `Or`, `Before`, `After`, `Compare`, `In`,
    ///   `Contains`, `Arith` (left-hand side, then right-hand side);
    /// - `Quant`: the list, the filter when there is one, the body; `Agg`: the list, the
    ///   filter, the value (each when there is one); `Entities` has none.
    ///
    /// `lint` and test coverage walk expressions through it. The match is exhaustive, so a
    /// new `CKind` must say what its children are.
    pub fn children(&self) -> Vec<&CExpr> {
        match &self.kind {
            CKind::Const(_) | CKind::Today | CKind::Var(_) | CKind::Entities(_) => Vec::new(),
            CKind::List(items) => items.iter().collect(),
            CKind::Field { base, .. }
            | CKind::Id(base)
            | CKind::SupplyChain(base)
            | CKind::Not(base)
            | CKind::Count(base)
            | CKind::Matches { lhs: base, .. }
            | CKind::Is { lhs: base, .. }
            | CKind::Handles { subject: base, .. }
            | CKind::Holds { subject: base, .. }
            | CKind::Receives { subject: base, .. }
            | CKind::Within { date: base, .. }
            | CKind::WithinNext { date: base, .. }
            | CKind::OlderThan { date: base, .. }
            | CKind::Days { date: base, .. }
            | CKind::DateArith { base, .. } => vec![base],
            CKind::And(a, b)
            | CKind::Or(a, b)
            | CKind::Before(a, b)
            | CKind::After(a, b)
            | CKind::Compare { lhs: a, rhs: b, .. }
            | CKind::In { lhs: a, rhs: b, .. }
            | CKind::Contains { lhs: a, rhs: b }
            | CKind::Arith { lhs: a, rhs: b, .. } => vec![a, b],
            CKind::Quant {
                list, filter, body, ..
            } => std::iter::once(&**list)
                .chain(filter.as_deref())
                .chain(std::iter::once(&**body))
                .collect(),
            CKind::Agg {
                list,
                filter,
                value,
                ..
            } => std::iter::once(&**list)
                .chain(filter.as_deref())
                .chain(value.as_deref())
                .collect(),
        }
    }
}

impl CExpr {
    /// Does this expression mention a variable bound at a slot below `slot` (bound outside
    /// a quantifier or aggregate whose own variable is at `slot`)? `false` means its value
    /// is the same for every entity.
    pub fn mentions_below(&self, slot: usize) -> bool {
        self.mentions_var(&|s| s < slot)
    }
    /// Does this expression mention a variable at `slot` or above (a source's own variable,
    /// or one bound inside it)? `false` means its value is fixed before the source binds.
    pub fn mentions_at_or_above(&self, slot: usize) -> bool {
        self.mentions_var(&|s| s >= slot)
    }
    fn mentions_var(&self, which: &dyn Fn(usize) -> bool) -> bool {
        match self.shape() {
            Shape::Var(s) => which(s),
            Shape::Const(_) | Shape::List(_) | Shape::Today | Shape::Computed => {
                self.children().iter().any(|c| c.mentions_var(which))
            }
        }
    }
}

/// What a node is, for code that only asks whether it is a constant, a list literal,
/// `today` or a bound variable: the one exhaustive match such questions need, so that a
/// new `CKind` is added here once rather than at every such question.
#[derive(Clone, Copy, Debug)]
pub enum Shape<'a> {
    Const(&'a Const),
    List(&'a [CExpr]),
    Today,
    Var(usize),
    /// Anything computed: a field, an operator, a quantifier, `count`, date arithmetic.
    Computed,
}

impl CExpr {
    pub fn shape(&self) -> Shape<'_> {
        match &self.kind {
            CKind::Const(c) => Shape::Const(c),
            CKind::List(items) => Shape::List(items),
            CKind::Today => Shape::Today,
            CKind::Var(slot) => Shape::Var(*slot),
            CKind::Field { .. }
            | CKind::Id(_)
            | CKind::SupplyChain(_)
            | CKind::Not(_)
            | CKind::And(..)
            | CKind::Or(..)
            | CKind::Compare { .. }
            | CKind::In { .. }
            | CKind::Contains { .. }
            | CKind::Matches { .. }
            | CKind::Is { .. }
            | CKind::Handles { .. }
            | CKind::Holds { .. }
            | CKind::Receives { .. }
            | CKind::Within { .. }
            | CKind::WithinNext { .. }
            | CKind::OlderThan { .. }
            | CKind::Before(..)
            | CKind::After(..)
            | CKind::Quant { .. }
            | CKind::Count(_)
            | CKind::Agg { .. }
            | CKind::Entities(_)
            | CKind::Arith { .. }
            | CKind::Days { .. }
            | CKind::DateArith { .. } => Shape::Computed,
        }
    }
    /// The constant, when this is one (`"a"`, `12`, `personal.contact`).
    pub fn as_const(&self) -> Option<&Const> {
        match self.shape() {
            Shape::Const(c) => Some(c),
            Shape::List(_) | Shape::Today | Shape::Var(_) | Shape::Computed => None,
        }
    }
    /// The items, when this is a list literal.
    pub fn as_list(&self) -> Option<&[CExpr]> {
        match self.shape() {
            Shape::List(items) => Some(items),
            Shape::Const(_) | Shape::Today | Shape::Var(_) | Shape::Computed => None,
        }
    }
    /// The reference-list field this list is, when it is one (`v.accesses`, a reverse list
    /// such as `s.accessed_by`): a variable bound to one of its elements also has the link
    /// it was reached through, in the env slot after the element's (`x.link.FIELD`).
    /// Checker and evaluator both ask this, so they agree on the slots.
    pub fn link_source(&self) -> Option<(KindId, FieldId)> {
        if let (CKind::Field { kind, field, .. }, Ty::List(elem)) = (&self.kind, &self.ty)
            && matches!(**elem, Ty::Entity(_))
        {
            return Some((*kind, *field));
        }
        None
    }
    /// Is this `X.supply_chain`? A variable bound to one of its elements `p` also has, in
    /// the env slots after its own, the link from `p.via` to `p` ([`CHAIN_LINK`]), `p.depth`
    /// ([`CHAIN_DEPTH`]) and `p.via` ([`CHAIN_VIA`]). Checker and evaluator both ask this.
    pub fn is_supply_chain(&self) -> bool {
        matches!(self.kind, CKind::SupplyChain(_))
    }
    /// How many env slots after its own a variable bound to an element of `self` takes: its
    /// link over a reference list; link, depth and via over a `supply_chain`. The one place
    /// that allots them, for the checker, the evaluator and lint alike.
    pub fn extra_slots(&self) -> usize {
        if self.is_supply_chain() {
            CHAIN_VIA
        } else {
            usize::from(self.link_source().is_some())
        }
    }
    /// The first env slot free inside a quantifier's body: after its element and, over a
    /// reference list, the element's link (over a `supply_chain`, also its depth and via).
    pub fn body_depth(slot: usize, list: &CExpr) -> usize {
        slot + 1 + list.extra_slots()
    }
    /// Is this a bound variable (the rule's entity, a quantifier's element)?
    pub fn is_var(&self) -> bool {
        matches!(self.shape(), Shape::Var(_))
    }
}

/// Over a `supply_chain`, the offsets from an element's env slot of what comes with it
/// ([`CExpr::extra_slots`]): the link from `via` to the element (missing for the short form),
/// its depth (1 = direct subprocessor) and the vendor that lists it on the path.
pub const CHAIN_LINK: usize = 1;
/// See [`CHAIN_LINK`].
pub const CHAIN_DEPTH: usize = 2;
/// See [`CHAIN_LINK`].
pub const CHAIN_VIA: usize = 3;

/// Constant values in a checked program.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Bool(bool),
    Num(f64),
    Str(String),
    Date(jiff::civil::Date),
    Cat(CatId),
    /// `C except E`: a declared category matches when it overlaps one of `cats` and is
    /// neither equal to nor under any of `except`.
    Pattern {
        cats: Vec<CatId>,
        except: Vec<CatId>,
    },
}

#[derive(Clone, Debug)]
pub enum CKind {
    Const(Const),
    List(Vec<CExpr>),
    Today,
    /// A bound variable: slot 0 is the rule's entity, quantifiers push more.
    Var(usize),
    /// A field of an entity-valued expression. `name` is the dotted field name.
    Field {
        base: Box<CExpr>,
        kind: KindId,
        field: FieldId,
        name: String,
    },
    /// The entity's own `id`.
    Id(Box<CExpr>),
    /// `v.supply_chain`: the transitive closure of `subprocessors`.
    SupplyChain(Box<CExpr>),
    Not(Box<CExpr>),
    And(Box<CExpr>, Box<CExpr>),
    Or(Box<CExpr>, Box<CExpr>),
    Compare {
        op: CmpOp,
        lhs: Box<CExpr>,
        rhs: Box<CExpr>,
    },
    In {
        negated: bool,
        lhs: Box<CExpr>,
        rhs: Box<CExpr>,
    },
    /// List membership or, on strings, substring.
    Contains {
        lhs: Box<CExpr>,
        rhs: Box<CExpr>,
    },
    Matches {
        lhs: Box<CExpr>,
        regex: regex::Regex,
        pattern: String,
    },
    Is {
        lhs: Box<CExpr>,
        test: IsTest,
    },
    /// `v handles C…`: any of `cats`, unless the declared category is (under) one of
    /// `except`.
    Handles {
        subject: Box<CExpr>,
        cats: Vec<CatId>,
        except: Vec<CatId>,
    },
    Holds {
        subject: Box<CExpr>,
        cats: Vec<CatId>,
        except: Vec<CatId>,
    },
    /// `v receives C…`: some vendor that handles or receives one of `cats` (unless
    /// excluded by `except`) lists `v` as a subprocessor, through a link that passes it.
    Receives {
        subject: Box<CExpr>,
        cats: Vec<CatId>,
        except: Vec<CatId>,
    },
    Within {
        date: Box<CExpr>,
        amount: i64,
        unit: Unit,
    },
    /// `D within next N unit`: as-of ≤ D ≤ as-of + N.
    WithinNext {
        date: Box<CExpr>,
        amount: i64,
        unit: Unit,
    },
    OlderThan {
        date: Box<CExpr>,
        amount: i64,
        unit: Unit,
    },
    Before(Box<CExpr>, Box<CExpr>),
    After(Box<CExpr>, Box<CExpr>),
    /// A quantifier over a source: the elements of `list` (of which `Entities` is every
    /// entity of a kind) bound to `slot`, those for which `filter` holds.
    Quant {
        quantifier: Quantifier,
        slot: usize,
        var: String,
        list: Box<CExpr>,
        filter: Option<Box<CExpr>>,
        body: Box<CExpr>,
    },
    Count(Box<CExpr>),
    /// `count`, `sum`, `min`, `max` over a source, like `Quant`; `value` is absent for
    /// `count`.
    Agg {
        op: AggOp,
        slot: usize,
        var: String,
        list: Box<CExpr>,
        filter: Option<Box<CExpr>>,
        value: Option<Box<CExpr>>,
    },
    /// Every entity of a kind, in id order.
    Entities(KindId),
    /// Number arithmetic; `Add` on lists joins them.
    Arith {
        op: ArithOp,
        lhs: Box<CExpr>,
        rhs: Box<CExpr>,
    },
    /// `days_since(D)` (as-of − D in days), `days_until(D)` (D − as-of): a number.
    Days {
        func: DayFn,
        date: Box<CExpr>,
    },
    DateArith {
        base: Box<CExpr>,
        op: DateOp,
        amount: i64,
        unit: Unit,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    /// A leaf whose location tells the children apart.
    fn leaf(n: u32) -> CExpr {
        CExpr {
            kind: CKind::Const(Const::Num(f64::from(n))),
            ty: Ty::Num,
            loc: Loc {
                file: FileId(0),
                span: Span {
                    start: n,
                    end: n + 1,
                },
            },
        }
    }

    fn node(kind: CKind) -> CExpr {
        CExpr {
            kind,
            ty: Ty::Bool,
            loc: leaf(99).loc,
        }
    }

    fn starts(e: &CExpr) -> Vec<u32> {
        e.children().iter().map(|c| c.loc.span.start).collect()
    }

    #[test]
    fn children_in_written_order() {
        let b = |n| Box::new(leaf(n));
        assert!(starts(&leaf(0)).is_empty());
        assert!(starts(&node(CKind::Today)).is_empty());
        assert_eq!(
            starts(&node(CKind::List(vec![leaf(1), leaf(2), leaf(3)]))),
            [1, 2, 3]
        );
        assert_eq!(starts(&node(CKind::Not(b(4)))), [4]);
        assert_eq!(starts(&node(CKind::And(b(1), b(2)))), [1, 2]);
        assert_eq!(
            starts(&node(CKind::Compare {
                op: CmpOp::Lt,
                lhs: b(5),
                rhs: b(6),
            })),
            [5, 6]
        );
        assert_eq!(
            starts(&node(CKind::Quant {
                quantifier: Quantifier::Any,
                slot: 1,
                var: "x".into(),
                list: b(7),
                filter: None,
                body: b(8),
            })),
            [7, 8]
        );
        assert_eq!(
            starts(&node(CKind::Within {
                date: b(9),
                amount: 1,
                unit: Unit::Year,
            })),
            [9]
        );
    }
}
