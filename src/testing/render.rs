//! `custody test` output in the style of `cargo test`: one line per case, the failures with
//! expected against actual entities, the coverage report, `test result: ...`, and last the
//! plain `N passed, M failed` line that CI tooling reads.

use crate::report::human::Style;
use crate::source::{Loc, SourceMap};
use crate::testing::coverage::{ClauseKind, Coverage, one_line};
use crate::testing::{Failure, Outcome};
use std::fmt::Write;

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

fn paint(style: &Style, color: &str, text: &str) -> String {
    if style.color {
        format!("{color}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What goes to stdout.
pub fn stdout(o: &Outcome, style: &Style) -> String {
    let mut out = String::new();
    let total = o.passed() + o.failed();
    let _ = writeln!(out, "running {}", plural(total, "test", "tests"));
    for f in &o.files {
        if f.invalid {
            let _ = writeln!(
                out,
                "test {} ... {}",
                f.name,
                paint(style, RED, "invalid (see the errors)")
            );
            continue;
        }
        for c in &f.cases {
            let status = match c.failure {
                None => paint(style, GREEN, "ok"),
                Some(_) => paint(style, RED, "FAILED"),
            };
            let _ = writeln!(out, "test {} :: {} ... {status}", f.name, c.rule);
        }
    }
    let failed: Vec<(String, &Failure)> = o
        .cases()
        .filter_map(|(f, c)| {
            c.failure
                .as_ref()
                .map(|x| (format!("{} :: {}", f.name, c.rule), x))
        })
        .collect();
    if !failed.is_empty() {
        out.push_str("\nfailures:\n");
        for (name, failure) in &failed {
            let _ = writeln!(out, "\n---- {name} ----");
            failure_text(&mut out, failure);
        }
        out.push_str("\nfailures:\n");
        for (name, _) in &failed {
            let _ = writeln!(out, "    {name}");
        }
    }
    if let Some(cov) = &o.coverage {
        out.push('\n');
        coverage_text(&mut out, cov, &o.sources, style);
    }
    let ok = o.failed() == 0 && o.invalid() == 0 && !o.diags.iter().any(|d| d.is_error());
    let verdict = if ok {
        paint(style, GREEN, "ok")
    } else {
        paint(style, RED, "FAILED")
    };
    let _ = write!(
        out,
        "\ntest result: {verdict}. {} passed; {} failed",
        o.passed(),
        o.failed()
    );
    if o.invalid() > 0 {
        let _ = write!(
            out,
            "; {} not run",
            plural(o.invalid(), "invalid test file", "invalid test files")
        );
    }
    let _ = writeln!(out, "\n\n{} passed, {} failed", o.passed(), o.failed());
    out
}

/// What goes to stderr: errors and warnings.
pub fn stderr(o: &Outcome, style: &Style) -> String {
    crate::diag::render_all(
        &o.diags,
        &o.sources,
        &crate::diag::handler(style.color, style.width),
    )
}

fn failure_text(out: &mut String, f: &Failure) {
    let labels: Vec<(String, String)> = f
        .lists
        .iter()
        .flat_map(|(status, expected, actual)| {
            let show = |v: &[String]| {
                if v.is_empty() {
                    "(none)".to_owned()
                } else {
                    v.join(", ")
                }
            };
            [
                (format!("expected {}:", status.words()), show(expected)),
                (format!("actual {}:", status.words()), show(actual)),
            ]
        })
        .collect();
    let width = labels.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    for (label, list) in &labels {
        let _ = writeln!(out, "{label:<width$} {list}");
    }
    out.push('\n');
    for m in &f.mismatches {
        let actual = match m.actual {
            crate::testing::spec::Expect::Fail => "it fails",
            crate::testing::spec::Expect::Pass => "it passes",
            crate::testing::spec::Expect::Waived => "its finding is waived",
            crate::testing::spec::Expect::NotSelected => "the rule does not select it",
        };
        let _ = writeln!(
            out,
            "{}: expected {}, but {actual}",
            m.entity,
            m.expected.words()
        );
        for line in &m.why {
            let _ = writeln!(out, "  {line}");
        }
    }
}

/// `file:line` of a policy location.
fn file_line(sources: &SourceMap, loc: Loc) -> String {
    let (line, _) = sources.line_col(loc);
    format!("{}:{line}", sources.name(loc.file))
}

/// A clause as written, on one line, shortened when long.
fn clause_text(sources: &SourceMap, loc: Loc) -> String {
    const MAX: usize = 72;
    let s = one_line(sources.slice(loc));
    if s.chars().count() > MAX {
        let short: String = s.chars().take(MAX - 1).collect();
        format!("{short}…")
    } else {
        s
    }
}

fn coverage_text(out: &mut String, cov: &Coverage, sources: &SourceMap, style: &Style) {
    let rules = cov.rules();
    let tested = rules.iter().filter(|r| r.tested).count();
    let clauses: Vec<_> = rules
        .iter()
        .filter(|r| r.tested)
        .flat_map(|r| r.clauses.iter().map(move |c| (*r, c)))
        .collect();
    let full = clauses
        .iter()
        .filter(|(_, c)| c.seen_true && c.seen_false)
        .count();
    let _ = writeln!(
        out,
        "coverage: {tested} of {} tested; {full} of {} of tested rules seen both true and false",
        plural(rules.len(), "rule", "rules"),
        plural(clauses.len(), "clause", "clauses"),
    );
    let untested: Vec<_> = rules.iter().filter(|r| !r.tested).collect();
    if !untested.is_empty() {
        let _ = writeln!(out, "\n{}", paint(style, YELLOW, "rules with no test:"));
        for r in untested {
            let _ = writeln!(
                out,
                "    {} \"{}\" ({})",
                r.id,
                r.title,
                file_line(sources, r.loc)
            );
        }
    }
    let partial: Vec<_> = clauses
        .iter()
        .filter(|(_, c)| !(c.seen_true && c.seen_false))
        .collect();
    if !partial.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint(style, YELLOW, "clauses not seen both true and false:")
        );
        for (r, c) in partial {
            let what = match &c.kind {
                ClauseKind::Where => "where".to_owned(),
                ClauseKind::Require => "require".to_owned(),
                ClauseKind::Body(head) => format!("body of `{head}`:"),
            };
            let seen = match (c.seen_true, c.seen_false) {
                (false, false) => "never evaluated",
                (true, _) => "never false",
                (_, true) => "never true",
            };
            let _ = writeln!(
                out,
                "    {} {what} `{}` ({}): {seen}",
                r.id,
                clause_text(sources, c.loc),
                file_line(sources, c.loc)
            );
        }
    }
}
