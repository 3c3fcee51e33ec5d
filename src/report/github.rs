//! `--format github`: GitHub Actions workflow commands, one annotation per failing finding
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`), with the escaping
//! GitHub documents for data and properties. Input errors and warnings are annotations too.
//!
//! GitHub shows only the first 10 error and 10 warning annotations of a step, so the order
//! is by importance: input errors first of all (the run proves nothing while the input is
//! broken), then failing findings most severe first (then rule ID, then entity), then input
//! warnings.

use crate::diag::Level;
use crate::eval::Status;
use crate::report::Report;
use crate::report::{entity_with_name_and_owner, place};
use crate::types::Severity;
use std::fmt::Write;

/// Escape a command's data (the message): `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value: as data, plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "notice",
    }
}

fn annotation(
    out: &mut String,
    cmd: &str,
    place: Option<&crate::report::Place>,
    title: &str,
    message: &str,
) {
    let mut props = Vec::new();
    if let Some(p) = place {
        props.push(format!("file={}", escape_property(&p.file)));
        props.push(format!("line={}", p.line));
        props.push(format!("col={}", p.column));
        props.push(format!("endLine={}", p.end_line));
        if p.end_line == p.line {
            props.push(format!("endColumn={}", p.end_column));
        }
    }
    props.push(format!("title={}", escape_property(title)));
    let _ = writeln!(out, "::{cmd} {}::{}", props.join(","), escape_data(message));
}

fn diag(out: &mut String, r: &Report, d: &crate::diag::Diag) {
    let p = d.primary.as_ref().map(|l| place(r, l.loc));
    let cmd = if d.level == Level::Error {
        "error"
    } else {
        "warning"
    };
    let mut msg = d.message.clone();
    if let Some(h) = &d.help {
        msg.push_str(&format!("\nhelp: {h}"));
    }
    annotation(out, cmd, p.as_ref(), d.code, &msg);
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    for d in r.project.diags.iter().filter(|d| d.level == Level::Error) {
        diag(&mut out, r, d);
    }
    // Findings are in (rule ID, entity) order; a stable sort keeps it within a severity.
    let mut failing: Vec<&crate::eval::Finding> = r
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    failing.sort_by_key(|f| std::cmp::Reverse(r.program.rules[f.rule].severity));
    for f in failing {
        let rule = &r.program.rules[f.rule];
        let p = place(r, f.primary);
        let mut msg = format!(
            "{}: {}",
            entity_with_name_and_owner(r, f.entity),
            f.message()
        );
        for fr in &f.failed {
            for fact in &fr.facts {
                msg.push_str(&format!("\n- {}", fact.text));
            }
        }
        if let Some(rem) = &rule.remediation {
            msg.push_str(&format!("\nFix: {rem}"));
        }
        annotation(
            &mut out,
            command(rule.severity),
            Some(&p),
            &format!("{} {}", rule.id, rule.title),
            &msg,
        );
    }
    for d in r.project.diags.iter().filter(|d| d.level != Level::Error) {
        diag(&mut out, r, d);
    }
    out
}
