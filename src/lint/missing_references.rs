use super::{Cx, Lint};
use crate::check::CheckedRule;
use crate::diag::Diag;
use crate::diag::code::Code;

crate::codes! {
    /// A rule has no `references`: nothing says which standard, law or internal policy it enforces,
    /// which auditors and owners will ask.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors name an owner" {
    ///   for vendor v
    ///   require v.owner is set
    ///   remediation "Record the accountable owner."
    /// }
    /// ```
    ///
    /// Fix: add `references "..."`, e.g. `references "ISO/IEC 27001:2022 A.5.19"`.
    pub CODE = warning "custody::lint::missing_references",
        "A rule has no `references`: nothing says which standard, law or internal policy it enforces, which auditors and owners will ask.";
}

/// A rule without `references`.
pub struct MissingReferences;

impl Lint for MissingReferences {
    fn code(&self) -> &'static Code {
        &CODE
    }

    fn rule<'a>(&self, _cx: &Cx<'a>, r: &'a CheckedRule, out: &mut Vec<Diag>) {
        if r.references.is_empty() {
            out.push(
                Diag::new(&CODE, format!("rule `{}` has no `references`", r.id))
                    .at(r.loc, "no references")
                    .help("add `references \"...\"` naming the standard, law or internal policy the rule enforces, e.g. `references \"ISO/IEC 27001:2022 A.5.19\"`"),
            );
        }
    }
}
