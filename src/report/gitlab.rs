//! `--format gitlab`: GitLab Code Quality JSON (an array of issues with description,
//! check_name, fingerprint, severity and location), for merge-request widgets.

use crate::eval::Status;
use crate::report::Report;
use crate::report::{entity_name, fingerprint, place};
use crate::types::Severity;
use serde::Serialize;

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// GitLab's scale: info, minor, major, critical, blocker.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info => "info",
    }
}

pub fn render(r: &Report) -> String {
    let issues: Vec<Issue> = r
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| {
            let rule = &r.program.rules[f.rule];
            let p = place(r, f.primary);
            Issue {
                description: format!("{} {}: {}", rule.id, entity_name(r, f.entity), f.message),
                check_name: rule.id.to_string(),
                fingerprint: fingerprint(r, f),
                severity: severity(rule.severity),
                location: Location {
                    path: p.file,
                    lines: Lines { begin: p.line },
                },
            }
        })
        .collect();
    // INVARIANT: plain structs of strings and numbers serialize infallibly.
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_default();
    s.push('\n');
    s
}
