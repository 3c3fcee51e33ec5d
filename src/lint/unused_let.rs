use super::expr::item_exprs;
use super::{Cx, File, Lint};
use crate::ast::{self, ExprKind};
use crate::diag::Diag;
use crate::diag::code::Code;

crate::codes! {
    /// A `let` is used by no rule and no `let` below it in its file. A `let` is visible only below
    /// it, in the file that defines it, so a `let` used only above its definition, or only in
    /// another file, is unused too. An `export let` is never reported: it is visible in every
    /// policy file, and may be there for another run.
    ///
    /// ```policy title="rules.policy"
    /// let approved_countries = ["AU", "NZ"]
    ///
    /// rule R-1 "Vendors name an owner" {
    ///   references "Vendor management standard 4.2"
    ///   for vendor v
    ///   require v.owner is set
    ///   remediation "Record the accountable owner."
    /// }
    /// ```
    ///
    /// Fix: use it in a rule below it, or remove it.
    pub CODE = warning "custody::lint::unused_let",
        "A `let` is used by no rule and no `let` below it in its file.";
}

/// A `let` that no rule or later `let` in its file mentions.
pub struct UnusedLet;

impl Lint for UnusedLet {
    fn code(&self) -> &'static Code {
        &CODE
    }

    fn file(&self, _cx: &Cx<'_>, file: &File<'_>, out: &mut Vec<Diag>) {
        // name → (its declaration, used so far). A `let` is visible below it in its file;
        // a variable may not have a visible `let`'s name (`check` reports that), so a
        // path starting with the name below the `let` is a use of it.
        let mut defined: Vec<(&ast::LetDecl, bool)> = Vec::new();
        for item in &file.ast.items {
            for e in item_exprs(item) {
                e.walk(&mut |x| {
                    if let ExprKind::Path(p) = &x.kind
                        && let Some(first) = p.segments.first()
                        && let Some(slot) = defined
                            .iter_mut()
                            .rev()
                            .find(|(l, _)| l.name.name == first.name)
                    {
                        slot.1 = true;
                    }
                });
            }
            // An export is visible in every file of the run, and maybe of other runs.
            if let ast::Item::Let(l) = item
                && l.export.is_none()
            {
                defined.push((l, false));
            }
        }
        for (l, used) in defined {
            if !used {
                out.push(
                    Diag::new(&CODE, format!("`{}` is never used", l.name.name))
                        .at(file.loc(l.name.span), "defined here, used by no rule below")
                        .help("a `let` is visible only below it, in its own file: use it in a rule after this line, or remove it"),
                );
            }
        }
    }
}
