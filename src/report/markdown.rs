//! `--format markdown`: a summary for `$GITHUB_STEP_SUMMARY` or a merge-request comment:
//! counts by severity and status, failing findings grouped by rule, waivers expiring soon.

use crate::report::Report;
use crate::report::{GroupBy, entity_name, entity_str, groups, place, summary};
use std::fmt::Write;

/// Waivers expiring within this many days are listed.
const EXPIRING_DAYS: i64 = 30;

/// Table cells: pipes and newlines would break the table.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(r: &Report, group: GroupBy) -> String {
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
        s.rules, s.entities, r.project.as_of
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
        for d in r.project.diags.iter().filter(|d| d.is_error()) {
            let at = d
                .primary
                .as_ref()
                .map(|l| format!(" ({})", r.project.sources.display(l.loc)))
                .unwrap_or_default();
            let _ = writeln!(out, "- `{}`: {}{}", d.code, d.message, at);
        }
        out.push('\n');
    }
    if matches!(group, GroupBy::None | GroupBy::Rule) {
        // A section per rule.
        let mut current = usize::MAX;
        for f in r.failing() {
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
                let _ = writeln!(out, "| entity | name | owner | problem | where |");
                let _ = writeln!(out, "|---|---|---|---|---|");
            }
            let p = place(r, f.primary);
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | `{}:{}` |",
                entity_name(r, f.entity),
                cell(entity_str(r, f.entity, "name").unwrap_or("")),
                cell(entity_str(r, f.entity, "owner").unwrap_or("")),
                cell(f.primary_label()),
                p.file,
                p.line
            );
        }
    } else {
        // A section per owner, entity or file, naming each finding's rule.
        for (heading, findings) in groups(r, group) {
            if !out.ends_with("\n\n") {
                out.push('\n');
            }
            let _ = writeln!(out, "### {} ({})\n", cell(&heading), findings.len());
            let _ = writeln!(
                out,
                "| rule | severity | entity | name | owner | problem | where |"
            );
            let _ = writeln!(out, "|---|---|---|---|---|---|---|");
            for f in findings {
                let rule = &r.program.rules[f.rule];
                let p = place(r, f.primary);
                let _ = writeln!(
                    out,
                    "| {} | {} | `{}` | {} | {} | {} | `{}:{}` |",
                    rule.id,
                    rule.severity.as_str(),
                    entity_name(r, f.entity),
                    cell(entity_str(r, f.entity, "name").unwrap_or("")),
                    cell(entity_str(r, f.entity, "owner").unwrap_or("")),
                    cell(f.primary_label()),
                    p.file,
                    p.line
                );
            }
        }
    }
    let expiring: Vec<_> = r
        .project
        .waivers
        .iter()
        .filter(|w| {
            w.live(r.project.as_of)
                && crate::eval::shift(r.project.as_of, EXPIRING_DAYS, crate::ast::Unit::Day)
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
                cell(&w.entity.to_string()),
                w.expires,
                cell(&w.approved_by)
            );
        }
    }
    out
}
