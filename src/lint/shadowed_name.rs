use super::expr::item_exprs;
use super::{Cx, File, Lint};
use crate::ast::{self, ClauseKind, ExprKind};
use crate::diag::Diag;
use crate::diag::code::Code;

crate::codes! {
    /// A name hides another one. Three cases:
    ///
    /// - a `let` named like a top-level data category (`let personal = ...`): below it, the name
    ///   means the `let`, and no category under it (`personal.contact`) can be written in the file
    ///   (in every file, for an `export let`);
    /// - a `for` or quantifier variable named like a top-level category, with the same effect
    ///   inside its rule;
    /// - two rule IDs that differ only in letter case (`TPR-001` and `tpr-001`): they are
    ///   different rules, but `--rule`, waivers and readers will confuse them.
    ///
    /// ```policy title="rules.policy"
    /// let personal = personal.contact
    ///
    /// rule R-1 "Vendors handling contact details name an owner" {
    ///   references "Vendor management standard 4.2"
    ///   for vendor v where v handles personal
    ///   require v.owner is set
    ///   remediation "Record the accountable owner."
    /// }
    /// ```
    ///
    /// Fix: rename the `let`, the variable or one of the rules.
    pub CODE = warning "custody::lint::shadowed_name",
        "A name hides another one.";
}

/// A `let` or variable named like a top-level category; rule IDs differing only in case.
pub struct ShadowedName;

impl Lint for ShadowedName {
    fn code(&self) -> &'static Code {
        &CODE
    }

    fn file(&self, cx: &Cx<'_>, file: &File<'_>, out: &mut Vec<Diag>) {
        for item in &file.ast.items {
            match item {
                ast::Item::Let(l) => {
                    if cx.taxonomy.lookup(&l.name.name).is_some() {
                        let n = &l.name.name;
                        let (kw, help) = match l.export {
                            Some(_) => (
                                "export let",
                                format!(
                                    "in every policy file `{n}` means this export, and no category under `{n}` can be written; rename the export"
                                ),
                            ),
                            None => (
                                "let",
                                format!(
                                    "below this line `{n}` means this `let`, and no category under `{n}` can be written in this file; rename the `let`"
                                ),
                            ),
                        };
                        out.push(
                            Diag::new(&CODE, format!("`{kw} {n}` hides the data category `{n}`"))
                                .at(file.loc(l.name.span), "same name as a top-level category")
                                .help(help),
                        );
                    }
                }
                ast::Item::Rule(r) => {
                    let loc = file.loc(r.id.span);
                    if let Some((first, first_loc)) = cx.rule_ids.get(&r.id.name.to_lowercase())
                        && *first != r.id.name
                    {
                        out.push(
                            Diag::new(
                                &CODE,
                                format!(
                                    "rule `{}` differs from rule `{first}` only in letter case",
                                    r.id.name
                                ),
                            )
                            .at(loc, "this rule")
                            .also(*first_loc, "the other rule")
                            .help("rule IDs are case-sensitive, so these are two rules, but `--rule`, waivers and readers will confuse them; rename one"),
                        );
                    }
                    let mut vars: Vec<&ast::Ident> = Vec::new();
                    for c in &r.clauses {
                        if let ClauseKind::For(f) = &c.kind {
                            vars.push(&f.var);
                        }
                    }
                    for e in item_exprs(item) {
                        e.walk(&mut |x| {
                            if let ExprKind::Quant { var, .. } | ExprKind::Aggregate { var, .. } =
                                &x.kind
                            {
                                vars.push(var);
                            }
                        });
                    }
                    for v in vars {
                        if cx.taxonomy.lookup(&v.name).is_some() {
                            let n = &v.name;
                            out.push(
                                Diag::new(
                                    &CODE,
                                    format!("variable `{n}` hides the data category `{n}`"),
                                )
                                .at(file.loc(v.span), "same name as a top-level category")
                                .help(format!("in this rule `{n}` means the variable, and no category under `{n}` can be written; pick another variable name")),
                            );
                        }
                    }
                }
            }
        }
    }
}
