//! `--format gitlab`: GitLab Code Quality JSON (an array of issues with description,
//! check_name, fingerprint, severity and location), for merge-request widgets. Input
//! errors come first, each an issue of severity `blocker` named by its code, so a broken
//! inventory never looks clean in the widget.

use crate::eval::Status;
use crate::report::Report;
use crate::report::{entity_with_name_and_owner, fingerprint, place};
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

/// An input error as an issue: `check_name` its code, the fingerprint `CODE|FILE|MESSAGE`
/// (no line, so it survives line moves like a finding's), located on its primary label; a
/// problem with no place (a usage or discovery error) is put on `custody.yaml`, line 1.
fn input_error(r: &Report, d: &crate::diag::Diag) -> Issue {
    let (path, line) = match &d.primary {
        Some(l) => {
            let p = place(r, l.loc);
            (p.file, p.line)
        }
        None => ("custody.yaml".to_owned(), 1),
    };
    let mut description = format!("{}: {}", d.code, d.message);
    if let Some(h) = &d.help {
        description.push_str(&format!(" (help: {h})"));
    }
    Issue {
        description,
        check_name: d.code.to_owned(),
        fingerprint: format!("{}|{}|{}", d.code, path, d.message),
        severity: "blocker",
        location: Location {
            path,
            lines: Lines { begin: line },
        },
    }
}

pub fn render(r: &Report) -> String {
    let errors = r
        .project
        .diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| input_error(r, d));
    let issues: Vec<Issue> = errors
        .chain(
            r.findings
                .iter()
                .filter(|f| f.status == Status::Fail)
                .map(|f| {
                    let rule = &r.program.rules[f.rule];
                    let p = place(r, f.primary);
                    Issue {
                        description: format!(
                            "{} {}: {}",
                            rule.id,
                            entity_with_name_and_owner(r, f.entity),
                            f.message()
                        ),
                        check_name: rule.id.to_string(),
                        fingerprint: fingerprint(r, f),
                        severity: severity(rule.severity),
                        location: Location {
                            path: p.file,
                            lines: Lines { begin: p.line },
                        },
                    }
                }),
        )
        .collect();
    // INVARIANT: plain structs of strings and numbers serialize infallibly.
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_default();
    s.push('\n');
    s
}
