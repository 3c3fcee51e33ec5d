use super::expr::{item_exprs, strip_parens};
use super::{Cx, File, Lint};
use crate::ast::{self, Expr, ExprKind};
use crate::diag::Diag;
use crate::diag::code::Code;
use crate::inventory::taxonomy::Overlap;
use crate::inventory::{CatId, Taxonomy};
use crate::source::Span;
use std::collections::HashMap;

crate::codes! {
    /// A category list (after `handles`, `holds` or `receives`, or bound by a `let`) has an
    /// entry that another entry already covers: categories match by overlap, so anything that
    /// overlaps `personal.contact.email` also overlaps `personal.contact`, and the narrower
    /// entry changes nothing. An entry listed twice is reported too.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors handling contact details name an owner" {
    ///   references "Vendor management standard 4.2"
    ///   for vendor v where v handles [personal.contact, personal.contact.email]
    ///   require v.owner is set
    ///   remediation "Record the accountable owner."
    /// }
    /// ```
    ///
    /// Fix: remove the covered entry (or narrow the broader one, if that is what was meant).
    pub CODE = warning "custody::lint::covered_category",
        "A category list (after `handles`, `holds` or `receives`, or bound by a `let`) has an entry that another entry already covers: categories match by overlap, so anything that overlaps `personal.contact.email` also overlaps `personal.contact`, and the narrower entry changes nothing.";
}

/// In a category list (after `handles`/`holds`/`receives`, or bound by a `let`), an entry
/// that another entry already covers.
pub struct CoveredCategory;

impl Lint for CoveredCategory {
    fn code(&self) -> &'static Code {
        &CODE
    }

    fn file(&self, cx: &Cx<'_>, file: &File<'_>, out: &mut Vec<Diag>) {
        // `let` names in scope so far: the categories each binds (`None`: not categories).
        let mut lets: HashMap<&str, Option<Vec<CatId>>> = HashMap::new();
        for item in &file.ast.items {
            let mut lists: Vec<&[Expr]> = Vec::new();
            for e in item_exprs(item) {
                e.walk(&mut |x| {
                    if let ExprKind::Handles { cats, .. }
                    | ExprKind::Holds { cats, .. }
                    | ExprKind::Receives { cats, .. } = &x.kind
                        && let ExprKind::List(items) = &strip_parens(cats).kind
                    {
                        lists.push(items);
                    }
                });
            }
            if let ast::Item::Let(l) = item
                && let ExprKind::List(items) = &strip_parens(&l.value).kind
            {
                lists.push(items);
            }
            for items in lists {
                covered(cx, file, items, &lets, out);
            }
            if let ast::Item::Let(l) = item {
                let cats = resolve_cats(cx.taxonomy, &l.value, &lets);
                lets.insert(&l.name.name, cats);
            }
        }
    }
}

/// The categories an expression names: a category, a `let` bound to categories, or a
/// list of those. `None` when it is anything else.
fn resolve_cats(
    taxonomy: &Taxonomy,
    e: &Expr,
    lets: &HashMap<&str, Option<Vec<CatId>>>,
) -> Option<Vec<CatId>> {
    match &strip_parens(e).kind {
        ExprKind::Path(p) => {
            let first = p.segments.first()?;
            if let Some(bound) = lets.get(first.name.as_str()) {
                return if p.segments.len() == 1 {
                    bound.clone()
                } else {
                    None
                };
            }
            taxonomy.lookup(&p.dotted()).map(|c| vec![c])
        }
        ExprKind::List(items) => {
            let mut all = Vec::new();
            for i in items {
                all.extend(resolve_cats(taxonomy, i, lets)?);
            }
            Some(all)
        }
        _ => None,
    }
}

/// Report each entry of the list `items` that another entry covers.
fn covered(
    cx: &Cx<'_>,
    file: &File<'_>,
    items: &[Expr],
    lets: &HashMap<&str, Option<Vec<CatId>>>,
    out: &mut Vec<Diag>,
) {
    let entries: Vec<(Span, Vec<CatId>)> = items
        .iter()
        .filter_map(|i| {
            let cats = resolve_cats(cx.taxonomy, i, lets)?;
            (!cats.is_empty()).then_some((i.span, cats))
        })
        .collect();
    // Is every category of `a` equal to or under a category of `b`? Then anything
    // that overlaps `a` overlaps `b` too (docs/inventory.md, "Overlap matching"), and `a` adds nothing.
    let within = |a: &[CatId], b: &[CatId]| {
        a.iter().all(|&x| {
            b.iter().any(|&y| {
                matches!(
                    cx.taxonomy.overlap(x, y),
                    Some(Overlap::Equal | Overlap::Narrower)
                )
            })
        })
    };
    for (i, (span, cats)) in entries.iter().enumerate() {
        // Two entries that cover each other: only the later one is reported.
        let by = entries.iter().enumerate().find(|(j, (_, other))| {
            *j != i && within(cats, other) && (!within(other, cats) || *j < i)
        });
        let Some((_, (by_span, by_cats))) = by else {
            continue;
        };
        let text = cx.sources.get(file.id).slice(*span).to_owned();
        let by_text = cx.sources.get(file.id).slice(*by_span).to_owned();
        let (message, help) = if within(by_cats, cats) {
            (
                format!("`{text}` repeats `{by_text}` in this list"),
                "the two entries name the same categories; remove one".to_owned(),
            )
        } else {
            (
                format!("`{text}` is already covered by `{by_text}` in this list"),
                format!(
                    "categories match by overlap: an inventory category that overlaps `{text}` also overlaps `{by_text}`, so this entry changes nothing; remove it"
                ),
            )
        };
        out.push(
            Diag::new(&CODE, message)
                .at(file.loc(*span), format!("covered by `{by_text}`"))
                .also(file.loc(*by_span), "this entry covers it")
                .help(help),
        );
    }
}
