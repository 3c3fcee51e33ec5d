use super::expr::constant;
use super::{Cx, Lint};
use crate::check::{CExpr, CKind, CheckedRule};
use crate::diag::Diag;
use crate::diag::code::Code;

crate::codes! {
    /// A `where`, a `require`, or a part of one has the same value for every entity on every date,
    /// so it cannot mean what it says. Only what is provably constant is reported:
    ///
    /// - a condition that mentions no field and no date (`1 == 1`, `true`, `"a" in ["a"]`);
    /// - an `and` with an always-false side, an `or` with an always-true side;
    /// - a value compared with itself: `x != x`, `x < x`, `x before x` are always false, and
    ///   `x == x` is always true for values that are never missing (`count(...)`, `v.id`);
    /// - `count(LIST) >= 0`, `count(LIST) < 0` and other comparisons a count (a whole number, never
    ///   negative) decides;
    /// - `x is set` and `x is missing` on values that are never missing;
    /// - `today within N days` (always true), `today older than N days` (always false);
    /// - `x in []` (always false); `all x in []: ...` and `no x in []: ...` (always true),
    ///   `any x in []: ...` (always false); `all x in L: true`, `no x in L: false` (always true)
    ///   and `any x in L: false` (always false).
    ///
    /// A test on a field is never constant, even when it lists every value the field may take:
    /// `v.tier in ["critical", "high", "medium", "low"]` is false when `tier` is missing.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors enforce MFA" {
    ///   references "Access control standard 2.1"
    ///   for vendor v
    ///   require v.mfa_enforced or true
    ///   remediation "Enforce MFA for every account that reaches our data."
    /// }
    /// ```
    ///
    /// Fix: test a field of the entity instead, or remove the constant part.
    pub CODE = warning "custody::lint::constant_condition",
        "A `where`, a `require`, or a part of one has the same value for every entity on every date, so it cannot mean what it says.";
}

/// A `where`, a `require`, or a part of one, that has the same value for every entity on
/// every date.
pub struct ConstantCondition;

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Where,
    Require,
    /// Part of a larger condition.
    Part,
}

impl Lint for ConstantCondition {
    fn code(&self) -> &'static Code {
        &CODE
    }

    fn rule<'a>(&self, cx: &Cx<'a>, rule: &'a CheckedRule, out: &mut Vec<Diag>) {
        if let Some(f) = &rule.filter {
            condition(cx, rule, f, 1, Role::Where, out);
        }
        for req in &rule.requires {
            condition(cx, rule, &req.expr, 1, Role::Require, out);
        }
    }
}

/// Report the largest constant parts of a condition.
fn condition<'a>(
    cx: &Cx<'a>,
    rule: &CheckedRule,
    e: &'a CExpr,
    depth: usize,
    role: Role,
    out: &mut Vec<Diag>,
) {
    if let Some((value, why)) = constant(cx, e, depth) {
        out.push(report(rule, e, value, why, role));
        return;
    }
    match &e.kind {
        CKind::Not(inner) => condition(cx, rule, inner, depth, Role::Part, out),
        CKind::And(a, b) | CKind::Or(a, b) => {
            condition(cx, rule, a, depth, Role::Part, out);
            condition(cx, rule, b, depth, Role::Part, out);
        }
        CKind::Quant {
            slot,
            list,
            filter,
            body,
            ..
        } => {
            let depth = CExpr::body_depth(*slot, list);
            if let Some(f) = filter {
                condition(cx, rule, f, depth, Role::Part, out);
            }
            condition(cx, rule, body, depth, Role::Part, out)
        }
        _ => {}
    }
}

/// The warning at `e`, a condition of `role` that is always `value`.
fn report(rule: &CheckedRule, e: &CExpr, value: bool, why: String, role: Role) -> Diag {
    let (message, help) = match (role, value) {
        (Role::Where, true) => (
            format!("the `where` clause of rule `{}` is always true", rule.id),
            "it selects every entity of the kind: remove it, or test a field".to_owned(),
        ),
        (Role::Where, false) => (
            format!("the `where` clause of rule `{}` is always false", rule.id),
            "the rule selects no entity and can never produce a finding: test a field instead".to_owned(),
        ),
        (Role::Require, true) => (
            format!("this `require` of rule `{}` is always true", rule.id),
            "it can never fail: test a field of the entity instead, or remove it".to_owned(),
        ),
        (Role::Require, false) => (
            format!("this `require` of rule `{}` is always false", rule.id),
            "every entity the rule selects fails it: test a field of the entity instead".to_owned(),
        ),
        (Role::Part, v) => (
            format!("part of a condition of rule `{}` is always {v}", rule.id),
            "the condition around it reads as if it could change; remove it or test a field of the entity".to_owned(),
        ),
    };
    Diag::new(&CODE, message).at(e.loc, why).help(help)
}
