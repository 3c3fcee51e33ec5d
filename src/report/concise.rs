//! `--format concise`: one line per failing finding, `path:line:col: severity RULE entity
//! (owner): message`, then the summary line; errors and warnings one line each
//! ([`diags`], for stderr). Grep- and editor-friendly: every line starts with a place.

use crate::diag::Diag;
use crate::eval::Finding;
use crate::report::{GroupBy, Report, groups, headline, human, one_line};
use crate::source::SourceMap;
use std::fmt::Write;

/// Failing findings, one line each (with a heading line per group), then the summary.
pub fn render(r: &Report, group: GroupBy) -> String {
    let mut out = String::new();
    for (heading, findings) in groups(r, group) {
        if !heading.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            let n = findings.len();
            let _ = writeln!(
                out,
                "{heading}: {n} failing {}",
                if n == 1 { "finding" } else { "findings" }
            );
        }
        for f in findings {
            let _ = writeln!(out, "{}", line(r, f));
        }
    }
    out.push_str(&human::summary_line(r));
    out.push('\n');
    out
}

/// One failing finding: `path:line:col: severity RULE entity (owner): message` (also the
/// lines of `custody diff`).
pub fn line(r: &Report, f: &Finding) -> String {
    format!(
        "{}: {}: {}",
        r.project.sources.display(f.primary),
        headline(r, f),
        one_line(f.message())
    )
}

/// Errors and warnings, one line each: `path:line:col: error CODE: message`.
pub fn diags(diags: &[Diag], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let level = if d.is_error() { "error" } else { "warning" };
        if let Some(l) = &d.primary {
            let _ = write!(out, "{}: ", sources.display(l.loc));
        }
        let _ = writeln!(out, "{level} {}: {}", d.code, one_line(&d.message));
    }
    out
}
