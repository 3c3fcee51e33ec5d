use super::expr::text;
use super::{Cx, Lint};
use crate::ast::Unit;
use crate::check::{CExpr, CKind, CheckedRule};
use crate::diag::Diag;
use crate::diag::code::Code;
use crate::inventory::When;

crate::codes! {
    /// A date window looks the wrong way for its field. `within` (or `within last`, `older
    /// than`) looks back from today, but the field is declared `when: future` in the schema
    /// (a contract's expiry), or `within next` looks ahead at a `when: past` field (the last
    /// audit). `v.contract.expires within 60 days` matches only contracts that have already
    /// expired, never one about to.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Contracts about to expire are renewed" {
    ///   references "Vendor management standard 4.2"
    ///   for vendor v where v.contract.expires within 60 days
    ///   require v.owner is set
    ///   remediation "Start the renewal."
    /// }
    /// ```
    ///
    /// Fix: look the field's way: `v.contract.expires within next 60 days`, or
    /// `v.last_audit within last 12 months`. Declare a date field's direction in the schema
    /// with `when: past` or `when: future`.
    pub CODE = warning "custody::lint::window_direction",
        "A date window looks the wrong way for its field.";
}

/// A past window on a `when: future` date field, or a future window on a `when: past` one.
pub struct WindowDirection;

impl Lint for WindowDirection {
    fn code(&self) -> &'static Code {
        &CODE
    }

    fn rule<'a>(&self, cx: &Cx<'a>, rule: &'a CheckedRule, out: &mut Vec<Diag>) {
        for e in rule
            .filter
            .iter()
            .chain(rule.requires.iter().map(|r| &r.expr))
        {
            walk(cx, e, out);
        }
    }
}

/// Check every window in `e`.
fn walk(cx: &Cx<'_>, e: &CExpr, out: &mut Vec<Diag>) {
    // (the window looks ahead, its date, its length)
    let window = match &e.kind {
        CKind::Within { date, amount, unit } | CKind::OlderThan { date, amount, unit } => {
            Some((false, date, *amount, *unit))
        }
        CKind::WithinNext { date, amount, unit } => Some((true, date, *amount, *unit)),
        _ => None,
    };
    if let Some((ahead, date, amount, unit)) = window {
        check(cx, e, ahead, date, amount, unit, out);
    }
    for c in e.children() {
        walk(cx, c, out);
    }
}

fn check(
    cx: &Cx<'_>,
    e: &CExpr,
    ahead: bool,
    date: &CExpr,
    amount: i64,
    unit: Unit,
    out: &mut Vec<Diag>,
) {
    let CKind::Field {
        kind, field, name, ..
    } = &date.kind
    else {
        return;
    };
    let when = cx.eval.schema.kind(*kind).field_schema(*field).when;
    let (looks, is) = match (ahead, when) {
        (false, Some(When::Future)) => ("back from today", When::Future),
        (true, Some(When::Past)) => ("ahead of today", When::Past),
        (false, Some(When::Past) | None) | (true, Some(When::Future) | None) => return,
    };
    let written = text(cx.sources, e.loc);
    let path = text(cx.sources, date.loc);
    let limit = format!("{amount} {}", unit.name(amount));
    let older = matches!(e.kind, CKind::OlderThan { .. });
    let (label, help) = match is {
        When::Future if older => (
            "true only once the date has passed".to_owned(),
            format!(
                "to test how far ahead it is, write `{path} after today + {limit}`; to test that it has passed, `{path} before today`"
            ),
        ),
        When::Future => (
            "matches only dates that have already passed".to_owned(),
            format!("write `{path} within next {limit}`"),
        ),
        When::Past => (
            "matches only dates still to come".to_owned(),
            format!("write `{path} within last {limit}`"),
        ),
    };
    out.push(
        Diag::new(
            &CODE,
            format!(
                "`{written}` looks {looks}, but `{name}` is a date in the {} (`when: {}`)",
                is.as_str(),
                is.as_str()
            ),
        )
        .at(e.loc, label)
        .help(help),
    );
}
