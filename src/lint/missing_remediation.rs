use super::{Cx, Lint};
use crate::check::CheckedRule;
use crate::diag::Diag;
use crate::diag::code::Code;

crate::codes! {
    /// A rule has no `remediation`. The remediation is the help of every finding: without it the
    /// owner of a failing vendor is told what is wrong but not what to do.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors name an owner" {
    ///   references "Vendor management standard 4.2"
    ///   for vendor v
    ///   require v.owner is set
    /// }
    /// ```
    ///
    /// Fix: add `remediation "..."` saying what the owner should do.
    pub CODE = warning "custody::lint::missing_remediation",
        "A rule has no `remediation`.";
}

/// A rule without a `remediation`.
pub struct MissingRemediation;

impl Lint for MissingRemediation {
    fn code(&self) -> &'static Code {
        &CODE
    }

    fn rule<'a>(&self, _cx: &Cx<'a>, r: &'a CheckedRule, out: &mut Vec<Diag>) {
        if r.remediation.is_none() {
            out.push(
                Diag::new(&CODE, format!("rule `{}` has no `remediation`", r.id))
                    .at(r.loc, "no remediation")
                    .help("add `remediation \"...\"` saying what the owner should do: it is shown as the help of every finding of this rule"),
            );
        }
    }
}
