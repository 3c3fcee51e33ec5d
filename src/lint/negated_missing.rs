use super::expr::{constant, text};
use super::{Cx, Lint};
use crate::check::{CExpr, CKind, CheckedRule, Ty};
use crate::diag::Diag;
use crate::diag::code::Code;

crate::codes! {
    /// `not v.FIELD` on a true-or-false field also holds when the field is missing: a test on a
    /// missing value is false, and `not` turns that into true. In a `require` that lets a vendor
    /// that never answered pass; in a `where`, it selects it.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Offboarded vendors hold no DPA obligations" {
    ///   references "Vendor management standard 4.2"
    ///   for vendor v where not v.contract.dpa_signed
    ///   require v.offboarded is set
    ///   remediation "Sign a DPA or offboard the vendor."
    /// }
    /// ```
    ///
    /// Fix: write `v.contract.dpa_signed == false` if a missing value should not count, or
    /// `v.contract.dpa_signed == false or v.contract.dpa_signed is missing` to say that it should.
    pub CODE = warning "custody::lint::negated_missing",
        "`not v.FIELD` on a true-or-false field also holds when the field is missing: a test on a missing value is false, and `not` turns that into true.";
}

/// `not` on a true-or-false field, which also holds when the field is missing.
pub struct NegatedMissing;

impl Lint for NegatedMissing {
    fn code(&self) -> &'static Code {
        &CODE
    }

    fn rule<'a>(&self, cx: &Cx<'a>, rule: &'a CheckedRule, out: &mut Vec<Diag>) {
        for e in rule
            .filter
            .iter()
            .chain(rule.requires.iter().map(|r| &r.expr))
        {
            condition(cx, e, 1, out);
        }
    }
}

/// Report each `not FIELD` in a condition, outside its constant parts (those are
/// `constant_condition`'s).
fn condition<'a>(cx: &Cx<'a>, e: &'a CExpr, depth: usize, out: &mut Vec<Diag>) {
    if constant(cx, e, depth).is_some() {
        return;
    }
    match &e.kind {
        CKind::Not(inner) => {
            if let CKind::Field { name, .. } = &inner.kind
                && inner.ty == Ty::Bool
            {
                let path = text(cx.sources, inner.loc);
                out.push(
                    Diag::new(
                        &CODE,
                        format!("`not {path}` also holds when `{name}` is missing"),
                    )
                    .at(e.loc, format!("true when `{name}` is false or missing"))
                    .help(format!("write `{path} == false` if a missing value should not count, or `{path} == false or {path} is missing` to say that it should")),
                );
            }
            condition(cx, inner, depth, out);
        }
        CKind::And(a, b) | CKind::Or(a, b) => {
            condition(cx, a, depth, out);
            condition(cx, b, depth, out);
        }
        CKind::Quant {
            slot, list, body, ..
        } => condition(cx, body, CExpr::body_depth(*slot, list), out),
        _ => {}
    }
}
