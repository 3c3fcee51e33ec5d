use super::expr::{path_of, paths};
use super::{Cx, Lint};
use crate::check::{CheckedRule, TemplatePart};
use crate::diag::Diag;
use crate::diag::code::Code;

crate::codes! {
    /// The rule's `message` shows a field that neither its `where` nor any `require` tests, which
    /// usually means the message was copied from another rule. Fields that name or describe the
    /// entity (`id`, `name`, `description`, `owner`, also through a reference such as
    /// `{s.hosted_by.name}`) may always be shown; a field counts as tested when the rule tests it or
    /// a path through it (`{s.hosted_by}` when the rule tests `s.hosted_by.tier`), and
    /// `supply_chain` counts as testing `subprocessors`.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors were audited in the last year" {
    ///   references "Vendor management standard 4.2"
    ///   for vendor v
    ///   require v.last_audit within 12 months
    ///   message "{v.name} was last reviewed on {v.contract.expires}"
    ///   remediation "Commission an audit and record its date in last_audit."
    /// }
    /// ```
    ///
    /// Fix: show the field the rule tests (`{v.last_audit}`), or test the field you show.
    pub CODE = warning "custody::lint::template_field_untouched",
        "The rule's `message` shows a field that neither its `where` nor any `require` tests, which usually means the message was copied from another rule.";
}

/// Fields that name or describe an entity rather than test it: a message may show them
/// whatever the rule checks (`{v.name} has no audit`).
const IDENTIFYING: [&str; 4] = ["id", "name", "description", "owner"];

/// A field the rule's `message` shows but neither its `where` nor a `require` tests.
pub struct TemplateFieldUntouched;

impl Lint for TemplateFieldUntouched {
    fn code(&self) -> &'static Code {
        &CODE
    }

    fn rule<'a>(&self, _cx: &Cx<'a>, r: &'a CheckedRule, out: &mut Vec<Diag>) {
        let Some(parts) = &r.message else {
            return;
        };
        let mut touched: Vec<Vec<String>> = Vec::new();
        for e in r.filter.iter().chain(r.requires.iter().map(|q| &q.expr)) {
            paths(e, &mut touched);
        }
        // `supply_chain` is derived from `subprocessors`: testing it reads them.
        let mut reads = touched.clone();
        for p in &touched {
            if let Some(i) = p.iter().position(|s| s == "supply_chain") {
                let mut q = p[..i].to_vec();
                q.push("subprocessors".into());
                reads.push(q);
            }
        }
        let starts = |p: &[String]| reads.iter().any(|t| t.starts_with(p));
        let mut tested: Vec<String> = touched
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| format!("`{}.{}`", r.var, t.join(".")))
            .collect();
        tested.sort();
        tested.dedup();
        for part in parts {
            let TemplatePart::Path { expr, text } = part else {
                continue;
            };
            let Some(p) = path_of(expr).filter(|(slot, _)| *slot == 0).map(|(_, p)| p) else {
                continue;
            };
            let identifying = p.last().is_some_and(|l| IDENTIFYING.contains(&l.as_str()));
            let head = &p[..p.len().saturating_sub(1)];
            if p.is_empty() || starts(&p) || (identifying && (head.is_empty() || starts(head))) {
                continue;
            }
            let help = if tested.is_empty() {
                format!(
                    "a message should describe what the rule checks: test `{text}` in a `require`, or leave it out of the message"
                )
            } else {
                format!(
                    "a message should describe what the rule checks, which is {}: test `{text}` in a `require`, or show a field the rule tests",
                    tested.join(", ")
                )
            };
            out.push(
                Diag::new(
                    &CODE,
                    format!(
                        "the message shows `{text}`, which rule `{}` never tests",
                        r.id
                    ),
                )
                .at(expr.loc, "not tested by the rule")
                .help(help),
            );
        }
    }
}
