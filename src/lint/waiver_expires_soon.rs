use super::{Cx, Lint};
use crate::diag::Diag;
use crate::diag::code::Code;
use crate::project::waivers::Waiver;
use jiff::civil::Date;

crate::codes! {
    /// A live waiver expires within 30 days of the as-of date (`--as-of`, default today). When it
    /// lapses, the finding it covers fails the run again. `lint.waiver_expiry_days` in
    /// custody.yaml sets another window (`waiver_expiry_days: 14`).
    ///
    /// Run: custody lint --as-of 2026-11-24
    ///
    /// ```yaml title="waivers.yaml"
    /// waivers:
    ///   - rule: DOC-1
    ///     entity: vendor/acme
    ///     reason: Owner is being hired
    ///     approved_by: ciso@example.com
    ///     expires: 2026-12-10
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    /// ```
    ///
    /// Fix: renew the waiver (a new `expires`, approved again), or fix the finding before then.
    pub CODE = warning "custody::lint::waiver_expires_soon",
        "A live waiver expires within 30 days of the as-of date (`--as-of`, default today).";
}

/// A waiver expiring this many days after the as-of date (or sooner) is a warning, unless
/// custody.yaml sets `lint.waiver_expiry_days`.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// A live waiver that lapses within `lint.waiver_expiry_days` (default
/// [`EXPIRY_WARNING_DAYS`]) of the as-of date.
pub struct WaiverExpiresSoon;

impl Lint for WaiverExpiresSoon {
    fn code(&self) -> &'static Code {
        &CODE
    }

    fn waiver(&self, cx: &Cx<'_>, w: &Waiver, out: &mut Vec<Diag>) {
        let horizon = jiff::Span::new()
            .try_days(cx.waiver_expiry_days)
            .ok()
            .and_then(|span| cx.as_of.checked_add(span).ok())
            .unwrap_or(Date::MAX);
        if w.live(cx.as_of) && w.expires <= horizon {
            let days = cx.as_of.until(w.expires).map(|s| s.get_days()).unwrap_or(0);
            let when = match days {
                0 => "today".to_owned(),
                1 => "tomorrow".to_owned(),
                n => format!("in {n} days"),
            };
            out.push(
                Diag::new(
                    &CODE,
                    format!(
                        "waiver for `{}` on `{}` expires {when}, on {}",
                        w.rule, w.entity, w.expires
                    ),
                )
                .at(w.expires_loc, format!("expires {when}"))
                .help("renew it (a new `expires` date, approved again) or fix the finding before then: once the waiver lapses, the finding fails the run again"),
            );
        }
    }
}
