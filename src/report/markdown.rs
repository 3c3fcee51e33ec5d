//! `--format markdown`: a summary for `$GITHUB_STEP_SUMMARY` or a merge-request comment:
//! counts by severity and status, failing findings grouped by rule, waivers expiring soon.

use crate::eval::Status;
use crate::report::{entity_name, place, summary};
use crate::run::Report;
use std::fmt::Write;

/// Waivers expiring within this many days are listed.
const EXPIRING_DAYS: i64 = 30;

/// Table cells: pipes and newlines would break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(r: &Report) -> String {
    let s = summary(r);
    let mut out = String::new();
    let verdict = match s.exit_code {
        0 => "passed",
        1 => "failed",
        _ => "could not run: the input has errors",
    };
    let _ = writeln!(out, "## custody: {verdict}\n");
    let _ = writeln!(
        out,
        "{} rules over {} entities, as of {}.\n",
        s.rules, s.entities, r.as_of
    );
    let _ = writeln!(out, "| severity | failing | waived | baselined |");
    let _ = writeln!(out, "|---|---:|---:|---:|");
    for c in &s.by_severity {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            c.severity, c.failing, c.waived, c.baselined
        );
    }
    let _ = writeln!(
        out,
        "| **total** | **{}** | **{}** | **{}** |\n",
        s.failing, s.waived, s.baselined
    );
    if s.errors > 0 {
        let _ = writeln!(
            out,
            "**{} input errors** (run `custody check` locally for details):\n",
            s.errors
        );
        for d in r.diags.iter().filter(|d| d.is_error()) {
            let at = d
                .primary
                .as_ref()
                .map(|l| format!(" ({})", r.sources.display(l.loc)))
                .unwrap_or_default();
            let _ = writeln!(out, "- `{}`: {}{}", d.code, d.message, at);
        }
        out.push('\n');
    }
    let mut current = usize::MAX;
    for f in r.findings.iter().filter(|f| f.status == Status::Fail) {
        let rule = &r.program.rules[f.rule];
        if f.rule != current {
            current = f.rule;
            if !out.ends_with("\n\n") {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "### {} {} ({})\n",
                rule.id,
                cell(&rule.title),
                rule.severity.as_str()
            );
            let _ = writeln!(out, "| entity | problem | where |");
            let _ = writeln!(out, "|---|---|---|");
        }
        let p = place(r, f.primary);
        let _ = writeln!(
            out,
            "| `{}` | {} | `{}:{}` |",
            entity_name(r, f.entity),
            cell(&f.primary_label),
            p.file,
            p.line
        );
    }
    let expiring: Vec<_> = r
        .waivers
        .iter()
        .filter(|w| {
            w.live(r.as_of)
                && crate::eval::shift(r.as_of, EXPIRING_DAYS, crate::ast::Unit::Day)
                    .is_some_and(|limit| w.expires <= limit)
        })
        .collect();
    if !expiring.is_empty() {
        let _ = writeln!(out, "\n### Waivers expiring within {EXPIRING_DAYS} days\n");
        let _ = writeln!(out, "| rule | entity | expires | approved by |");
        let _ = writeln!(out, "|---|---|---|---|");
        for w in expiring {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                w.rule,
                cell(&w.entity),
                w.expires,
                cell(&w.approved_by)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::run::{Settings, run};

    #[test]
    fn lists_waivers_expiring_within_30_days_and_groups_findings_by_rule() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path();
        std::fs::write(p.join("r.policy"), "rule M-1 \"MFA | enforced\" {\n severity high\n for vendor v\n require v.mfa_enforced\n}\n").expect("w");
        std::fs::write(
            p.join("i.yaml"),
            "vendors:\n  - id: soon\n  - id: later\n  - id: open\n",
        )
        .expect("w");
        let waiver = |id: &str, expires: &str| {
            format!(
                "  - rule: M-1\n    entity: vendor/{id}\n    reason: r\n    approved_by: ciso\n    expires: {expires}\n"
            )
        };
        std::fs::write(
            p.join("w.yaml"),
            format!(
                "waivers:\n{}{}",
                waiver("soon", "2026-12-24"),
                waiver("later", "2026-12-25")
            ),
        )
        .expect("w");
        let as_of: jiff::civil::Date = "2026-11-24".parse().expect("date");
        let settings = Settings {
            cwd: p.to_path_buf(),
            policies: vec![p.join("r.policy")],
            inventory: vec![p.join("i.yaml")],
            waivers: Some(p.join("w.yaml")),
            as_of: Some(as_of),
            ..Settings::default()
        };
        let text = super::render(&run(&settings, as_of));
        assert!(text.starts_with("## custody: failed\n"), "{text}");
        assert!(
            text.contains("### M-1 MFA \\| enforced (high)"),
            "pipes in titles are escaped: {text}"
        );
        assert!(
            text.contains("| `vendor/open` | mfa_enforced is missing |"),
            "{text}"
        );
        let expiring = text
            .split("### Waivers expiring within 30 days")
            .nth(1)
            .expect("section");
        assert!(
            expiring.contains("`vendor/soon` | 2026-12-24"),
            "as-of + 30 days is included: {expiring}"
        );
        assert!(
            !expiring.contains("vendor/later"),
            "31 days out is not: {expiring}"
        );
    }
}
