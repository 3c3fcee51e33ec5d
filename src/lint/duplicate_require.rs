use super::expr::same;
use super::{Cx, Lint};
use crate::check::CheckedRule;
use crate::diag::Diag;
use crate::diag::code::Code;

crate::codes! {
    /// A rule has two `require` clauses that test the same thing (after `let` names are replaced by
    /// their values), so the second can never fail on its own.
    ///
    /// ```policy title="rules.policy"
    /// let approved = ["AU", "NZ"]
    ///
    /// rule R-1 "Vendors process data in approved countries" {
    ///   references "Privacy standard 8.1"
    ///   for vendor v
    ///   require v.country in approved
    ///   require v.country in ["AU", "NZ"]
    ///   remediation "Move the processing to an approved country."
    /// }
    /// ```
    ///
    /// Fix: remove one of them.
    pub CODE = warning "custody::lint::duplicate_require",
        "A rule has two `require` clauses that test the same thing (after `let` names are replaced by their values), so the second can never fail on its own.";
}

/// A `require` that tests the same thing as an earlier one of its rule.
pub struct DuplicateRequire;

impl Lint for DuplicateRequire {
    fn code(&self) -> &'static Code {
        &CODE
    }

    fn rule<'a>(&self, _cx: &Cx<'a>, r: &'a CheckedRule, out: &mut Vec<Diag>) {
        for (j, later) in r.requires.iter().enumerate() {
            if let Some(first) = r.requires[..j].iter().find(|x| same(&x.expr, &later.expr)) {
                out.push(
                    Diag::new(&CODE, format!("rule `{}` repeats this `require`", r.id))
                        .at(later.loc, "same condition as an earlier `require`")
                        .also(first.loc, "first here")
                        .help("remove one of them: the repeated clause fails exactly when the first one does"),
                );
            }
        }
    }
}
