//! Human output: each failing finding as a miette diagnostic whose label sits on the
//! offending YAML value (or the entity's id when the value is missing), with the policy's
//! `require` line and evidence in other files as related notes, and the remediation as help.

use crate::diag::{Note, Shown};
use crate::eval::{Fact, Finding, Status};
use crate::report::Report;
use crate::report::{entity_name, summary};
use crate::source::Loc;
use crate::types::Severity;
use std::fmt::Write;

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium | Severity::Low => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// A failing finding as miette shows it, through the same adapter as every diagnostic.
fn finding_diag<'r>(r: &'r Report, f: &Finding) -> Shown<'r> {
    let rule = &r.program.rules[f.rule];
    let file = f.primary.file;
    // On a long line (minified JSON), every other fact gets its own note: see `on_long_line`.
    let long = crate::diag::on_long_line(&r.project.sources, f.primary);
    // Texts per labelled place: two reasons at one place are joined, so none is lost.
    let mut places: Vec<(Loc, Vec<String>)> = vec![(f.primary, vec![f.primary_label.clone()])];
    let mut related = Vec::new();
    let note = |text: String, fact: &Fact| Note {
        text,
        loc: fact.loc.map(|l| (l, None)),
        sources: &r.project.sources,
    };
    // Further facts: labels when in the same file, notes otherwise.
    let failed = f
        .failed
        .iter()
        .flat_map(|fr| &fr.facts)
        .map(|fact| (fact, fact.text.clone()));
    let selected = f
        .selected
        .iter()
        .map(|fact| (fact, format!("selected: {}", fact.text)));
    for (fact, text) in failed.chain(selected) {
        if fact.loc == Some(f.primary) && text == f.primary_label {
            continue;
        }
        match fact.loc {
            Some(l) if !long && l.file == file => match places.iter_mut().find(|(x, _)| *x == l) {
                Some((_, texts)) if texts.contains(&text) => {}
                Some((_, texts)) => texts.push(text),
                None => places.push((l, vec![text])),
            },
            _ => related.push(note(text, fact)),
        }
    }
    let labels: Vec<(Loc, Option<String>)> = places
        .into_iter()
        .map(|(l, texts)| (l, Some(texts.join("; "))))
        .collect();
    for fr in &f.failed {
        if let Some(req) = rule.requires.get(fr.index) {
            related.push(Note {
                text: format!(
                    "required by rule {} ({})",
                    rule.id,
                    r.project.sources.display(req.loc)
                ),
                loc: Some((req.loc, Some("this requirement fails".into()))),
                sources: &r.project.sources,
            });
        }
    }
    let mut help = rule.remediation.clone();
    if let Some((wi, date)) = f.expired_waiver {
        let who = r
            .project
            .waiver(wi)
            .map(|w| w.approved_by.as_str())
            .unwrap_or("");
        let extra = format!(
            "a waiver for this finding (approved by {who}) expired on {date}; renew it or fix the finding"
        );
        help = Some(match help {
            Some(h) => format!("{h}\n{extra}"),
            None => extra,
        });
    }
    Shown {
        message: format!(
            "{} {}: {}",
            rule.severity.as_str(),
            entity_name(r, f.entity),
            f.message
        ),
        code: rule.id.as_str(),
        severity: miette_severity(rule.severity),
        help,
        sources: &r.project.sources,
        labels,
        notes: related,
    }
}

pub struct Style {
    pub color: bool,
    pub width: usize,
}

fn handler(style: &Style) -> miette::GraphicalReportHandler {
    crate::diag::handler(style.color, style.width)
}

/// Findings, waived findings and the summary line: what goes to stdout.
pub fn render(r: &Report, style: &Style) -> String {
    let h = handler(style);
    let mut out = String::new();
    for f in r.failing() {
        let d = finding_diag(r, f);
        let _ = h.render_report(&mut out, &d);
        out.push('\n');
    }
    let waived: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Waived(_)))
        .collect();
    if !waived.is_empty() {
        let _ = writeln!(out, "Waived findings (accepted risks):");
        for f in waived {
            let rule = &r.program.rules[f.rule];
            if let Status::Waived(wi) = f.status
                && let Some(w) = r.project.waiver(wi)
            {
                let _ = writeln!(
                    out,
                    "  {} {}: {} (approved by {}, until {}; {})",
                    rule.id,
                    entity_name(r, f.entity),
                    w.reason,
                    w.approved_by,
                    w.expires,
                    r.project.sources.display(w.loc)
                );
            }
        }
        out.push('\n');
    }
    out.push_str(&summary_line(r));
    out.push('\n');
    out
}

/// Errors and warnings: what goes to stderr.
pub fn render_diags(r: &Report, style: &Style) -> String {
    crate::diag::render_all(&r.project.diags, &r.project.sources, &handler(style))
}

/// `1 rule`, `2 rules`
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `custody: 5 failing findings (1 critical, 2 high, 2 medium), 1 waived; 9 rules over 23 entities, as of 2026-11-24`
pub fn summary_line(r: &Report) -> String {
    let s = summary(r);
    let parts: Vec<String> = s
        .by_severity
        .iter()
        .filter(|c| c.failing > 0)
        .map(|c| format!("{} {}", c.failing, c.severity))
        .collect();
    let failing = match s.failing {
        0 => "no failing findings".to_owned(),
        n => format!(
            "{} ({})",
            count(n, "failing finding", "failing findings"),
            parts.join(", ")
        ),
    };
    let mut line = format!(
        "custody: {failing}, {} waived; {} over {}, as of {}",
        s.waived,
        count(s.rules, "rule", "rules"),
        count(s.entities, "entity", "entities"),
        r.project.as_of
    );
    if s.baselined > 0 {
        let _ = write!(line, "; {} baselined", s.baselined);
    }
    if s.expired_waivers > 0 {
        let _ = write!(line, "; {} with an expired waiver", s.expired_waivers);
    }
    if s.errors > 0 || s.warnings > 0 {
        let _ = write!(
            line,
            "; {}, {}",
            count(s.errors, "error", "errors"),
            count(s.warnings, "warning", "warnings")
        );
    }
    line
}
