//! Helpers the lints share: over the written AST (an item's expressions), and over checked
//! expressions (structural equality, subexpressions, paths from the rule's variable, and
//! constant folding through the evaluator).

use super::Cx;
use crate::ast::{self, ClauseKind, CmpOp, Expr, ExprKind, IsTest, Quantifier};
use crate::check::{CExpr, CKind, Const};
use crate::eval::value::Val;
use crate::source::{Loc, SourceMap};

// ---------------------------------------------------------------------------------------
// The written AST.

/// The expressions of an item: a `let`'s value, a rule's `where` and `require`s.
pub fn item_exprs(item: &ast::Item) -> Vec<&Expr> {
    match item {
        ast::Item::Let(l) => vec![&l.value],
        ast::Item::Rule(r) => r
            .clauses
            .iter()
            .filter_map(|c| match &c.kind {
                ClauseKind::For(f) => f.filter.as_ref(),
                ClauseKind::Require(e) => Some(e),
                _ => None,
            })
            .collect(),
    }
}

/// `e` without the parentheses around it.
pub fn strip_parens(mut e: &Expr) -> &Expr {
    while let ExprKind::Paren(inner) = &e.kind {
        e = inner;
    }
    e
}

// ---------------------------------------------------------------------------------------
// Checked expressions.

/// Are two checked expressions the same computation (locations aside)?
pub fn same(a: &CExpr, b: &CExpr) -> bool {
    use CKind as K;
    let all =
        |x: &[CExpr], y: &[CExpr]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q));
    match (&a.kind, &b.kind) {
        (K::Const(x), K::Const(y)) => x == y,
        (K::List(x), K::List(y)) => all(x, y),
        (K::Today, K::Today) => true,
        (K::Var(x), K::Var(y)) => x == y,
        (
            K::Field {
                base: b1,
                kind: k1,
                field: f1,
                ..
            },
            K::Field {
                base: b2,
                kind: k2,
                field: f2,
                ..
            },
        ) => k1 == k2 && f1 == f2 && same(b1, b2),
        (K::Id(x), K::Id(y))
        | (K::SupplyChain(x), K::SupplyChain(y))
        | (K::Not(x), K::Not(y))
        | (K::Count(x), K::Count(y)) => same(x, y),
        (K::And(a1, b1), K::And(a2, b2))
        | (K::Or(a1, b1), K::Or(a2, b2))
        | (K::Before(a1, b1), K::Before(a2, b2))
        | (K::After(a1, b1), K::After(a2, b2))
        | (K::Contains { lhs: a1, rhs: b1 }, K::Contains { lhs: a2, rhs: b2 }) => {
            same(a1, a2) && same(b1, b2)
        }
        (
            K::Compare {
                op: o1,
                lhs: a1,
                rhs: b1,
            },
            K::Compare {
                op: o2,
                lhs: a2,
                rhs: b2,
            },
        ) => o1 == o2 && same(a1, a2) && same(b1, b2),
        (
            K::In {
                negated: n1,
                lhs: a1,
                rhs: b1,
            },
            K::In {
                negated: n2,
                lhs: a2,
                rhs: b2,
            },
        ) => n1 == n2 && same(a1, a2) && same(b1, b2),
        (
            K::Matches {
                lhs: a1,
                pattern: p1,
                ..
            },
            K::Matches {
                lhs: a2,
                pattern: p2,
                ..
            },
        ) => p1 == p2 && same(a1, a2),
        (K::Is { lhs: a1, test: t1 }, K::Is { lhs: a2, test: t2 }) => t1 == t2 && same(a1, a2),
        (
            K::Handles {
                subject: s1,
                cats: c1,
                except: x1,
            },
            K::Handles {
                subject: s2,
                cats: c2,
                except: x2,
            },
        )
        | (
            K::Holds {
                subject: s1,
                cats: c1,
                except: x1,
            },
            K::Holds {
                subject: s2,
                cats: c2,
                except: x2,
            },
        )
        | (
            K::Receives {
                subject: s1,
                cats: c1,
                except: x1,
            },
            K::Receives {
                subject: s2,
                cats: c2,
                except: x2,
            },
        ) => c1 == c2 && x1 == x2 && same(s1, s2),
        (
            K::Within {
                date: d1,
                amount: n1,
                unit: u1,
            },
            K::Within {
                date: d2,
                amount: n2,
                unit: u2,
            },
        )
        | (
            K::WithinNext {
                date: d1,
                amount: n1,
                unit: u1,
            },
            K::WithinNext {
                date: d2,
                amount: n2,
                unit: u2,
            },
        )
        | (
            K::OlderThan {
                date: d1,
                amount: n1,
                unit: u1,
            },
            K::OlderThan {
                date: d2,
                amount: n2,
                unit: u2,
            },
        ) => n1 == n2 && u1 == u2 && same(d1, d2),
        (K::Days { func: f1, date: d1 }, K::Days { func: f2, date: d2 }) => {
            f1 == f2 && same(d1, d2)
        }
        (
            K::DateArith {
                base: d1,
                op: o1,
                amount: n1,
                unit: u1,
            },
            K::DateArith {
                base: d2,
                op: o2,
                amount: n2,
                unit: u2,
            },
        ) => o1 == o2 && n1 == n2 && u1 == u2 && same(d1, d2),
        (
            K::Quant {
                quantifier: q1,
                slot: s1,
                list: l1,
                filter: f1,
                body: b1,
                ..
            },
            K::Quant {
                quantifier: q2,
                slot: s2,
                list: l2,
                filter: f2,
                body: b2,
                ..
            },
        ) => q1 == q2 && s1 == s2 && same(l1, l2) && same_opt(f1, f2) && same(b1, b2),
        (
            K::Agg {
                op: o1,
                slot: s1,
                list: l1,
                filter: f1,
                value: v1,
                ..
            },
            K::Agg {
                op: o2,
                slot: s2,
                list: l2,
                filter: f2,
                value: v2,
                ..
            },
        ) => o1 == o2 && s1 == s2 && same(l1, l2) && same_opt(f1, f2) && same_opt(v1, v2),
        (K::Entities(k1), K::Entities(k2)) => k1 == k2,
        (
            K::Arith {
                op: o1,
                lhs: a1,
                rhs: b1,
            },
            K::Arith {
                op: o2,
                lhs: a2,
                rhs: b2,
            },
        ) => o1 == o2 && same(a1, a2) && same(b1, b2),
        _ => false,
    }
}

/// [`same`] for optional parts (a `where`, an aggregate's value).
fn same_opt(a: &Option<Box<CExpr>>, b: &Option<Box<CExpr>>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => same(x, y),
        (None, None) => true,
        (Some(_), None) | (None, Some(_)) => false,
    }
}

/// Does `e` use a variable bound outside it (slot below `depth`), or `today`? If not, its
/// value is the same for every entity on every date.
fn depends(e: &CExpr, depth: usize) -> bool {
    match &e.kind {
        CKind::Var(s) => *s < depth,
        // `days_since`/`days_until` count from the as-of date, as `today` is it.
        CKind::Today | CKind::Days { .. } => true,
        _ => e.children().into_iter().any(|c| depends(c, depth)),
    }
}

/// Values that are never missing, whatever the inventory: a comparison of one with itself
/// is decided.
fn never_missing(e: &CExpr) -> bool {
    match &e.kind {
        CKind::Const(_) | CKind::List(_) | CKind::Today | CKind::Count(_) => true,
        CKind::SupplyChain(_) => true,
        CKind::Id(base) => matches!(base.kind, CKind::Var(_)),
        _ => false,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// `count(L) OP n`: a count is a whole number ≥ 0.
fn count_against(op: CmpOp, n: f64) -> Option<bool> {
    let whole = n.fract() == 0.0;
    match op {
        CmpOp::Ge if n <= 0.0 => Some(true),
        CmpOp::Gt if n < 0.0 => Some(true),
        CmpOp::Lt if n <= 0.0 => Some(false),
        CmpOp::Le if n < 0.0 => Some(false),
        CmpOp::Eq if n < 0.0 || !whole => Some(false),
        CmpOp::Ne if n < 0.0 || !whole => Some(true),
        _ => None,
    }
}

/// The source text at `loc`, with runs of whitespace (line breaks too) as one space.
pub fn text(sources: &SourceMap, loc: Loc) -> String {
    let t = sources.slice(loc);
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `` `x` `` for a short expression, else "this condition".
pub fn shown(sources: &SourceMap, loc: Loc) -> String {
    let t = text(sources, loc);
    if t.chars().count() <= 40 && !t.is_empty() {
        format!("`{t}`")
    } else {
        "this condition".into()
    }
}

/// Is the condition `e` the same for every entity, inventory and date? The reason is
/// the label shown at it.
pub fn constant<'a>(cx: &Cx<'a>, e: &'a CExpr, depth: usize) -> Option<(bool, String)> {
    use CKind as K;
    if !depends(e, depth) {
        let mut env: Vec<Val<'a>> = vec![Val::Missing; depth];
        let v = cx.eval.cond(e, &mut env, &mut ());
        let why = match &e.kind {
            K::Const(Const::Bool(b)) => format!("the literal `{b}`"),
            _ => "it mentions no field of the entity and no date".to_owned(),
        };
        return Some((v, why));
    }
    match &e.kind {
        K::Not(inner) => {
            let (v, why) = constant(cx, inner, depth)?;
            Some((!v, why))
        }
        K::And(a, b) | K::Or(a, b) => {
            let is_and = matches!(e.kind, K::And(..));
            let word = if is_and { "and" } else { "or" };
            let (ca, cb) = (constant(cx, a, depth), constant(cx, b, depth));
            // `false and x`, `true or x`: one side decides.
            let decisive = !is_and;
            for (side, c) in [(a, &ca), (b, &cb)] {
                if let Some((v, _)) = c
                    && *v == decisive
                {
                    return Some((
                        decisive,
                        format!(
                            "{} makes the `{word}` always {decisive}",
                            shown(cx.sources, side.loc)
                        ),
                    ));
                }
            }
            // Both sides constant and neither decisive: the other value.
            match (ca, cb) {
                (Some(_), Some(_)) => Some((
                    !decisive,
                    format!("both sides of the `{word}` are constant"),
                )),
                _ => None,
            }
        }
        K::Compare { op, lhs, rhs } => {
            if same(lhs, rhs) {
                let shown = shown(cx.sources, lhs.loc);
                return match op {
                    CmpOp::Ne | CmpOp::Lt | CmpOp::Gt => {
                        Some((false, format!("{shown} is compared with itself")))
                    }
                    _ if never_missing(lhs) => {
                        Some((true, format!("{shown} is compared with itself")))
                    }
                    _ => None,
                };
            }
            let number = |x: &CExpr| match &x.kind {
                K::Const(Const::Num(n)) => Some(*n),
                _ => None,
            };
            let decided = match (&lhs.kind, &rhs.kind) {
                (K::Count(_), _) => number(rhs).and_then(|n| count_against(*op, n)),
                (_, K::Count(_)) => number(lhs).and_then(|n| count_against(flip(*op), n)),
                _ => None,
            };
            decided.map(|v| (v, "a count is a whole number, never negative".to_owned()))
        }
        K::In {
            negated: false,
            rhs,
            ..
        } if matches!(&rhs.kind, K::List(items) if items.is_empty()) => {
            Some((false, "nothing is in an empty list".to_owned()))
        }
        K::Is { lhs, test } if *test != IsTest::Empty && never_missing(lhs) => Some((
            *test == IsTest::Set,
            format!("{} is never missing", shown(cx.sources, lhs.loc)),
        )),
        K::Handles { cats, .. } | K::Holds { cats, .. } | K::Receives { cats, .. }
            if cats.is_empty() =>
        {
            Some((false, "no categories to match".to_owned()))
        }
        K::Within { date, .. } if matches!(date.kind, K::Today) => Some((
            true,
            "`today` is within any period that ends today".to_owned(),
        )),
        K::WithinNext { date, .. } if matches!(date.kind, K::Today) => Some((
            true,
            "`today` is within any period that starts today".to_owned(),
        )),
        K::OlderThan { date, .. } if matches!(date.kind, K::Today) => {
            Some((false, "`today` is never older than today".to_owned()))
        }
        K::Before(a, b) | K::After(a, b) if same(a, b) => Some((
            false,
            format!("{} is compared with itself", shown(cx.sources, a.loc)),
        )),
        K::Quant {
            quantifier,
            slot,
            list,
            body,
            ..
        } => {
            let q = *quantifier;
            if let K::List(items) = &list.kind
                && items.is_empty()
            {
                return Some((q != Quantifier::Any, "the list is empty".to_owned()));
            }
            // The body also sees the element's link (and depth and via over a supply chain).
            let (b, _) = constant(cx, body, CExpr::body_depth(*slot, list))?;
            // On an empty list `all` and `no` hold and `any` fails, so only these
            // combinations are decided whatever the list holds.
            let v = match (q, b) {
                (Quantifier::All, true) => true,
                (Quantifier::Any, false) => false,
                (Quantifier::No, false) => true,
                _ => return None,
            };
            Some((
                v,
                format!("its body is always {b}, so `{}` is always {v}", q.as_str()),
            ))
        }
        _ => None,
    }
}

/// A path from a variable: its slot and the steps (`["contract.expires"]`, `["hosted_by", "tier"]`).
pub fn path_of(e: &CExpr) -> Option<(usize, Vec<String>)> {
    match &e.kind {
        CKind::Var(s) => Some((*s, Vec::new())),
        CKind::Field { base, name, .. } => {
            let (s, mut p) = path_of(base)?;
            p.push(name.clone());
            Some((s, p))
        }
        CKind::Id(base) => {
            let (s, mut p) = path_of(base)?;
            p.push("id".into());
            Some((s, p))
        }
        CKind::SupplyChain(base) => {
            let (s, mut p) = path_of(base)?;
            p.push("supply_chain".into());
            Some((s, p))
        }
        _ => None,
    }
}

/// Every path from the rule's own variable (slot 0) mentioned in `e`.
pub fn paths(e: &CExpr, out: &mut Vec<Vec<String>>) {
    match path_of(e) {
        Some((0, p)) => out.push(p),
        _ => e.children().into_iter().for_each(|c| paths(c, out)),
    }
}
