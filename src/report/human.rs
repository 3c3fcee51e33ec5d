//! Human output: each failing finding as a miette diagnostic whose label sits on the
//! offending YAML value (or the entity's id when the value is missing), with the policy's
//! `require` line and evidence in other files as related notes, and the remediation as help.

use crate::diag::{Note, Shown};
use crate::eval::{Finding, Status};
use crate::report::Report;
use crate::report::{GroupBy, Summary, entity_name, groups, headline, summary};
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

/// Labels further than this many lines from the primary label are shown as notes, so a
/// snippet never spans the lines between two distant places.
const NEAR_LINES: usize = 3;

/// At most this many facts (labels and notes of evidence) per finding besides the primary
/// label, unless `--verbose`; the rest are counted in an "and N more facts" note.
const MAX_FACTS: usize = 5;

/// A failing finding as miette shows it, through the same adapter as every diagnostic.
///
/// The snippet holds the primary label and the facts on nearby lines of the same file;
/// other facts are notes. Without `--verbose`, a note is one line naming its place, and
/// evidence past [`MAX_FACTS`] is counted, not shown.
fn finding_diag<'r>(r: &'r Report, f: &Finding, style: &Style) -> Shown<'r> {
    let rule = &r.program.rules[f.rule];
    let sources = &r.project.sources;
    let file = f.primary.file;
    let line_of = |l: Loc| sources.line_col(l).0;
    let primary_line = line_of(f.primary);
    // On a long line (minified JSON), every other fact gets its own note: see `on_long_line`.
    let long = crate::diag::on_long_line(sources, f.primary);
    // Texts per labelled place: two reasons at one place are joined, so none is lost.
    let mut places: Vec<(Loc, Vec<String>)> = vec![(f.primary, vec![f.primary_label().to_owned()])];
    let mut related = Vec::new();
    let note = |text: String, loc: Option<Loc>| match loc {
        Some(l) if !style.verbose => Note {
            text: format!("{text} ({})", sources.display(l)),
            loc: None,
            sources,
        },
        loc => Note {
            text,
            loc: loc.map(|l| (l, None)),
            sources,
        },
    };
    // Further facts: labels when near the primary in the same file, notes otherwise.
    let failed = f
        .failed
        .iter()
        .flat_map(|fr| &fr.facts)
        .map(|fact| (fact, fact.text.clone()));
    let selected = f
        .selected()
        .iter()
        .map(|fact| (fact, format!("selected: {}", fact.text)));
    let mut shown = 0;
    let mut hidden = 0;
    for (fact, text) in failed.chain(selected) {
        if fact.loc == Some(f.primary) && text == f.primary_label() {
            continue;
        }
        let known = |p: &Vec<(Loc, Vec<String>)>| {
            p.iter()
                .any(|(x, texts)| Some(*x) == fact.loc && texts.contains(&text))
        };
        if known(&places) {
            continue;
        }
        if !style.verbose && shown >= MAX_FACTS {
            hidden += 1;
            continue;
        }
        shown += 1;
        match fact.loc {
            Some(l)
                if !long && l.file == file && line_of(l).abs_diff(primary_line) <= NEAR_LINES =>
            {
                match places.iter_mut().find(|(x, _)| *x == l) {
                    Some((_, texts)) => texts.push(text),
                    None => places.push((l, vec![text])),
                }
            }
            loc => related.push(note(text, loc)),
        }
    }
    if hidden > 0 {
        related.push(Note {
            text: format!(
                "and {hidden} more {} (`--verbose` shows all)",
                if hidden == 1 { "fact" } else { "facts" }
            ),
            loc: None,
            sources,
        });
    }
    let labels: Vec<(Loc, Option<String>)> = places
        .into_iter()
        .map(|(l, texts)| (l, Some(texts.join("; "))))
        .collect();
    // The failing requirements: one note naming them all, or with `--verbose` one note
    // each with its snippet.
    let failing_requires: Vec<Loc> = f
        .failed
        .iter()
        .filter_map(|fr| rule.requires.get(fr.index))
        .map(|req| req.loc)
        .collect();
    if style.verbose {
        for loc in &failing_requires {
            related.push(Note {
                text: format!("required by rule {} ({})", rule.id, sources.display(*loc)),
                loc: Some((*loc, Some("this requirement fails".into()))),
                sources,
            });
        }
    } else if !failing_requires.is_empty() {
        let mut places: Vec<String> = failing_requires
            .iter()
            .take(MAX_FACTS)
            .map(|l| sources.display(*l))
            .collect();
        if failing_requires.len() > MAX_FACTS {
            places.push(format!("and {} more", failing_requires.len() - MAX_FACTS));
        }
        related.push(Note {
            text: format!("required by rule {} ({})", rule.id, places.join(", ")),
            loc: None,
            sources,
        });
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
        message: format!("{}: {}", headline(r, f), f.message()),
        code: None,
        severity: miette_severity(rule.severity),
        help,
        sources: &r.project.sources,
        labels,
        notes: related,
        tight: Some(crate::diag::Tight(sources.get(f.primary.file))),
    }
}

pub struct Style {
    pub color: bool,
    pub width: usize,
    /// `--verbose`: every fact of a finding, and snippets for notes.
    pub verbose: bool,
}

fn handler(style: &Style) -> miette::GraphicalReportHandler {
    crate::diag::handler(style.color, style.width)
}

/// Findings (in groups with a heading each, with `--group-by`), waived findings, the
/// per-rule table and the summary line: what goes to stdout.
pub fn render(r: &Report, style: &Style, group: GroupBy) -> String {
    let h = handler(style);
    let mut out = String::new();
    for (heading, findings) in groups(r, group) {
        if !heading.is_empty() {
            let n = findings.len();
            let _ = writeln!(
                out,
                "{heading}: {n} failing {}\n",
                if n == 1 { "finding" } else { "findings" }
            );
        }
        for f in findings {
            let d = finding_diag(r, f, style);
            let _ = h.render_report(&mut out, &d);
            out.push('\n');
        }
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
    // One count of the findings serves the table and the summary line.
    let s = summary(r);
    out.push_str(&rule_table(r, &s));
    out.push_str(&summary_line_of(r, &s));
    out.push('\n');
    out
}

/// After the findings, one row per rule with failing, waived or baselined findings, most
/// severe first: `TPR-004  critical  3 failing  1 waived  Vendors … enforce MFA`.
fn rule_table(r: &Report, s: &Summary) -> String {
    let mut rows: Vec<(crate::types::Severity, Vec<String>)> = Vec::new();
    for c in &s.by_rule {
        if c.failing + c.waived + c.baselined == 0 {
            continue;
        }
        let Some(rule) = r.program.rules.iter().find(|x| x.id == c.rule) else {
            continue;
        };
        let mut counts = vec![format!("{} failing", c.failing)];
        if c.waived > 0 {
            counts.push(format!("{} waived", c.waived));
        }
        if c.baselined > 0 {
            counts.push(format!("{} baselined", c.baselined));
        }
        rows.push((
            rule.severity,
            vec![
                rule.id.to_string(),
                rule.severity.as_str().to_owned(),
                counts.join(", "),
                rule.title.clone(),
            ],
        ));
    }
    if rows.is_empty() {
        return String::new();
    }
    // Most severe first; within a severity, rule-ID order (the order of `by_rule`).
    rows.sort_by_key(|(sev, _)| std::cmp::Reverse(*sev));
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(_, row)| row).collect();
    format!(
        "Rules with findings:\n{}\n",
        crate::report::aligned(&rows, "  ")
    )
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
///
/// A run with input errors (exit 2) leads with them, and the counts that follow are of
/// what could be evaluated: `custody: could not evaluate everything: 2 errors, 0 warnings;
/// of what was evaluated, no failing findings, …`.
pub fn summary_line(r: &Report) -> String {
    summary_line_of(r, &summary(r))
}

fn summary_line_of(r: &Report, s: &Summary) -> String {
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
    let problems = format!(
        "{}, {}",
        count(s.errors, "error", "errors"),
        count(s.warnings, "warning", "warnings")
    );
    if s.errors > 0 {
        let mut line = format!(
            "custody: could not evaluate everything: {problems}; of what was evaluated, {failing}, {} waived; {} over {}, as of {}",
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
        return line;
    }
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
    if s.warnings > 0 {
        let _ = write!(line, "; {problems}");
    }
    line
}
