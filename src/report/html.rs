//! `--format html` / `--report html=FILE`: one self-contained page for an auditor (SPEC §12).
//!
//! Inline CSS and a small vanilla script, nothing fetched: no CDN, no fonts, no images.
//! The page is complete without JavaScript (the findings table is real HTML, each finding's
//! evidence an expandable `<details>`); the script only adds sorting by column, filters
//! (severity, status, free text) and the visible row count, reading what it needs from the
//! table's own `data-*` attributes, so no data is embedded in the script. Every string from
//! the input goes through maud's escaping; the supply-chain graph is inline SVG ([`svg`]).
//! A pure function of the report: no timestamps, so two runs write identical bytes.

mod svg;

use crate::eval::{Finding, Status};
use crate::report::{Report, entity_name, entity_str, place, summary};
use crate::types::{Exit, Severity};
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// At most this many entities are drawn in the graph (see [`svg`]).
pub const MAX_GRAPH_NODES: usize = svg::MAX_NODES;

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// The page.
pub fn render(r: &Report) -> String {
    // Evidence deferred by the evaluation is added here, one finding at a time.
    let cx = r.evidence_context();
    let s = summary(r);
    let project = project_name(r);
    let title = match &project {
        Some(p) => format!("custody report: {p}, as of {}", r.project.as_of),
        None => format!("custody report, as of {}", r.project.as_of),
    };
    let failing: Vec<_> = r
        .failing()
        .map(|f| (f.entity, r.program.rules[f.rule].severity))
        .collect();
    let graph = crate::report::graph::build(&r.project, &failing, None);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("custody ", env!("CARGO_PKG_VERSION")));
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 {
                        "Third-party risk report"
                        @if let Some(p) = &project { ": " span.project { (p) } }
                    }
                    p.meta {
                        "As of " strong { (r.project.as_of) } " · "
                        (count(s.rules, "rule", "rules")) " over "
                        (count(s.entities, "entity", "entities")) " · "
                        (count(s.selected, "check of a rule on an entity", "checks of a rule on an entity"))
                    }
                    nav {
                        a href="#summary" { "Summary" } " "
                        a href="#rules" { "Rules" } " "
                        a href="#findings" { "Findings" } " "
                        a href="#graph" { "Supply chain" }
                        @if s.errors + s.warnings > 0 { " " a href="#problems" { "Input problems" } }
                    }
                }
                main {
                    (summary_section(r, &s))
                    (rules_section(r))
                    (findings_section(r, cx.as_ref()))
                    section #graph {
                        h2 { "Supply chain" }
                        (svg::render(&graph))
                    }
                    @if s.errors + s.warnings > 0 { (problems_section(r)) }
                }
                footer {
                    "Written by custody " (env!("CARGO_PKG_VERSION"))
                    " (custody check --format html). Findings are ordered by rule, then entity; "
                    "the page is the same for the same input and as-of date."
                }
                script { (PreEscaped(JS)) }
            }
        }
    };
    page.into_string()
}

/// The directory of `custody.yaml` as the run names it (`examples/airline`), or the working
/// directory's name when the config is there; `None` without a config.
fn project_name(r: &Report) -> Option<String> {
    let sources = &r.project.sources;
    let file = (0..sources.len())
        .map(|i| sources.get(crate::source::FileId(i as u32)))
        .find(|f| {
            std::path::Path::new(&f.name).file_name()
                == Some(std::ffi::OsStr::new(crate::project::config::FILE_NAME))
        })?;
    let dir = std::path::Path::new(&file.name).parent()?;
    let name = dir.to_string_lossy();
    if name.is_empty() {
        r.project
            .cwd
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
    } else {
        Some(name.into_owned())
    }
}

/// `1 rule`, `42 rules` (thousands separated).
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `17,719`
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Position in `Severity::ALL`: 0 for critical, for sorting most severe first.
fn rank(s: Severity) -> usize {
    Severity::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

fn summary_section(r: &Report, s: &crate::report::Summary) -> Markup {
    let fail_on = r.project.fail_on.as_str();
    let blocking = r
        .failing()
        .filter(|f| r.program.rules[f.rule].severity.fails(r.project.fail_on))
        .count();
    let (class, verdict, meaning) = match r.exit() {
        Exit::Clean => (
            "pass",
            "Passed",
            format!("exit code 0: no failing finding at or above {fail_on}"),
        ),
        Exit::Findings => (
            "fail",
            "Failed",
            format!(
                "exit code 1: {} at or above {fail_on}",
                count(blocking, "failing finding", "failing findings")
            ),
        ),
        Exit::Invalid => (
            "invalid",
            "Incomplete",
            format!(
                "exit code 2: the input has {}; only what could be loaded was evaluated",
                count(s.errors, "error", "errors")
            ),
        ),
    };
    html! {
        section #summary {
            h2 { "Summary" }
            div class={ "verdict " (class) } {
                strong { (verdict) } " · " (meaning) "."
            }
            div.cards {
                @for c in &s.by_severity {
                    div class={ "card sev-" (c.severity) } {
                        div.sev { (c.severity) }
                        div.num { (thousands(c.failing)) }
                        div.what { "failing" }
                        div.more {
                            (thousands(c.waived)) " waived · " (thousands(c.baselined)) " baselined"
                        }
                    }
                }
                div.card.total {
                    div.sev { "total" }
                    div.num { (thousands(s.failing)) }
                    div.what { "failing" }
                    div.more {
                        (thousands(s.waived)) " waived · " (thousands(s.baselined)) " baselined"
                    }
                }
            }
            @if s.expired_waivers > 0 {
                p.note {
                    (count(s.expired_waivers, "failing finding has", "failing findings have"))
                    " an expired waiver."
                }
            }
            p.note {
                "Waived findings are accepted risks (a live waiver with an owner and an expiry date); "
                "baselined findings were known before and do not fail the run. Both are listed "
                "below, marked, and never change the exit code. Findings of severity info never fail the run."
            }
        }
    }
}

fn rules_section(r: &Report) -> Markup {
    struct Row<'a> {
        rule: &'a crate::check::CheckedRule,
        selected: usize,
        failing: usize,
        waived: usize,
        baselined: usize,
    }
    let mut with = Vec::new();
    let mut without = Vec::new();
    let mut counts = vec![(0usize, 0usize, 0usize); r.program.rules.len()];
    for f in &r.findings {
        if let Some(c) = counts.get_mut(f.rule) {
            match f.status {
                Status::Fail => c.0 += 1,
                Status::Waived(_) => c.1 += 1,
                Status::Baselined => c.2 += 1,
            }
        }
    }
    for (i, rule) in r.program.rules.iter().enumerate() {
        if !r.evaluated.get(i).copied().unwrap_or(false) {
            continue;
        }
        let (failing, waived, baselined) = counts.get(i).copied().unwrap_or_default();
        let row = Row {
            rule,
            selected: r.stats.get(i).map_or(0, |s| s.selected),
            failing,
            waived,
            baselined,
        };
        if failing + waived + baselined > 0 {
            with.push(row);
        } else {
            without.push(row);
        }
    }
    with.sort_by_key(|x| rank(x.rule.severity));
    html! {
        section #rules {
            h2 { "Rules with findings" }
            @if with.is_empty() {
                p { "No rule has findings." }
            } @else {
                table.rules {
                    thead { tr {
                        th { "Rule" } th { "Severity" } th { "Title" }
                        th.n { "Checked" } th.n { "Failing" } th.n { "Waived" } th.n { "Baselined" }
                    } }
                    tbody {
                        @for x in &with {
                            tr {
                                td.mono { (x.rule.id) }
                                td { span class={ "badge sev-" (x.rule.severity.as_str()) } { (x.rule.severity.as_str()) } }
                                td { (x.rule.title) }
                                td.n { (thousands(x.selected)) }
                                td.n.strong[x.failing > 0] { (thousands(x.failing)) }
                                td.n { (thousands(x.waived)) }
                                td.n { (thousands(x.baselined)) }
                            }
                        }
                    }
                }
            }
            @if !without.is_empty() {
                details.passed {
                    summary { (count(without.len(), "rule", "rules")) " evaluated with no findings" }
                    ul {
                        @for x in &without {
                            li {
                                span.mono { (x.rule.id) } " "
                                span class={ "badge sev-" (x.rule.severity.as_str()) } { (x.rule.severity.as_str()) }
                                " " (x.rule.title) " "
                                span.muted { "(" (count(x.selected, "entity", "entities")) " checked)" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// At most this many findings are rows of the table: past a few thousand rows a browser
/// takes many seconds to lay the page out, and nobody reads them there. The rows kept are
/// the failing findings first, most severe first, then waived and baselined ones; the
/// summary and the per-rule counts always count every finding.
pub const MAX_ROWS: usize = 2000;

/// The findings that are rows of the table, in report order (rule ID, then entity).
fn table_rows(r: &Report) -> Vec<&Finding> {
    if r.findings.len() <= MAX_ROWS {
        return r.findings.iter().collect();
    }
    let status = |f: &Finding| match f.status {
        Status::Fail => 0,
        Status::Waived(_) => 1,
        Status::Baselined => 2,
    };
    let mut order: Vec<usize> = (0..r.findings.len()).collect();
    order.sort_by_key(|&i| {
        let f = &r.findings[i];
        (status(f), rank(r.program.rules[f.rule].severity), i)
    });
    order.truncate(MAX_ROWS);
    order.sort_unstable();
    order.into_iter().map(|i| &r.findings[i]).collect()
}

fn findings_section(r: &Report, cx: Option<&crate::eval::Context>) -> Markup {
    let total = r.findings.len();
    let rows = table_rows(r);
    let mut sev_counts = [0usize; 5];
    for f in &rows {
        if let Some(c) = sev_counts.get_mut(rank(r.program.rules[f.rule].severity)) {
            *c += 1;
        }
    }
    let statuses = [
        ("fail", "failing"),
        ("waived", "waived"),
        ("baselined", "baselined"),
    ];
    html! {
        section #findings {
            h2 { "Findings" }
            @if total == 0 {
                p { "No findings." }
            } @else {
                // Shown by the script: without it, there is nothing to filter with.
                div #controls.controls hidden {
                    label { "Severity "
                        select #f-severity {
                            option value="" { "all" }
                            @for (sev, n) in Severity::ALL.iter().zip(sev_counts) {
                                @if n > 0 { option value=(sev.as_str()) { (sev.as_str()) " (" (thousands(n)) ")" } }
                            }
                        }
                    }
                    label { "Status "
                        select #f-status {
                            option value="" { "all" }
                            @for (value, text) in statuses {
                                option value=(value) { (text) }
                            }
                        }
                    }
                    label { "Search "
                        input #f-text type="search" placeholder="rule, entity, owner, message, evidence…";
                    }
                    span #f-count.count aria-live="polite" {}
                }
                p.count #f-static { (count(total, "finding", "findings")) ": "
                    (thousands(r.failing().count())) " failing, "
                    (thousands(r.findings.iter().filter(|f| matches!(f.status, Status::Waived(_))).count())) " waived, "
                    (thousands(r.findings.iter().filter(|f| f.status == Status::Baselined).count())) " baselined. "
                    "Open a finding's evidence to see why it was selected and why it fails."
                }
                @if rows.len() < total {
                    p.note.cap {
                        "The table lists " (thousands(rows.len())) " of the " (thousands(total))
                        " findings (failing ones first, the most severe first): a page of more rows "
                        "is too slow to open. Every finding is in the JSON, SARIF or concise report ("
                        code { "--report json=FILE" } ")."
                    }
                }
                table #findings-table.findings {
                    thead { tr {
                        th data-key="rule" { button type="button" { "Rule" } }
                        th data-key="severity" { button type="button" { "Severity" } }
                        th data-key="entity" { button type="button" { "Entity" } }
                        th data-key="owner" { button type="button" { "Owner" } }
                        th data-key="status" { button type="button" { "Status" } }
                        th data-key="message" { button type="button" { "Problem and evidence" } }
                        th data-key="place" { button type="button" { "Where" } }
                    } }
                    tbody {
                        @for f in rows {
                            @if let Some(cx) = cx {
                                (finding_row(r, &cx.with_evidence(f)))
                            } @else {
                                (finding_row(r, f))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn finding_row(r: &Report, f: &Finding) -> Markup {
    let rule = &r.program.rules[f.rule];
    let sev = rule.severity.as_str();
    let status = f.status.as_str();
    let entity = entity_name(r, f.entity);
    let name = entity_str(r, f.entity, "name");
    let owner = entity_str(r, f.entity, "owner");
    let p = place(r, f.primary);
    let sources = &r.project.sources;
    let waiver = match (&f.status, f.expired_waiver) {
        (Status::Waived(wi), _) => r.project.waiver(*wi).map(|w| (w, true)),
        (Status::Fail, Some((wi, _))) => r.project.waiver(wi).map(|w| (w, false)),
        _ => None,
    };
    let facts = f.selected().len() + f.failed.iter().map(|x| x.facts.len()).sum::<usize>();
    html! {
        tr class={ "st-" (status) } data-severity=(sev) data-status=(status) {
            td.mono data-sort=(rule.id) title=(rule.title) { (rule.id) }
            td data-sort=(rank(rule.severity)) { span class={ "badge sev-" (sev) } { (sev) } }
            td data-sort=(entity) {
                span.mono { (entity) }
                @if let Some(n) = name { br; span.muted { (n) } }
            }
            td.owner data-sort=(owner.unwrap_or("")) { (owner.unwrap_or("")) }
            td data-sort=(status) {
                @match &f.status {
                    Status::Fail => {
                        span.status.fail { "failing" }
                        @if f.expired_waiver.is_some() { br; span.muted { "waiver expired" } }
                    }
                    Status::Waived(_) => span.status.waived { "waived" },
                    Status::Baselined => span.status.baselined { "baselined" },
                }
            }
            td.msg {
                div { (f.message()) }
                details {
                    summary { "Evidence (" (count(facts, "fact", "facts")) ")" }
                    div.evidence {
                        @if !f.selected().is_empty() {
                            h4 { "Why the rule applies" }
                            ul { @for fact in f.selected() {
                                li { (fact.text) @if let Some(l) = fact.loc { " " span.where { (sources.display(l)) } } }
                            } }
                        }
                        @for fr in &f.failed {
                            h4 {
                                "Why it fails"
                                @if let Some(q) = rule.requires.get(fr.index) {
                                    " " span.where { "(require at " (sources.display(q.loc)) ")" }
                                }
                            }
                            ul { @for fact in &fr.facts {
                                li { (fact.text) @if let Some(l) = fact.loc { " " span.where { (sources.display(l)) } } }
                            } }
                        }
                        @if let Some(rem) = &rule.remediation {
                            h4 { "Remediation" }
                            p { (rem) }
                        }
                        @if let Some((w, live)) = waiver {
                            h4 { @if live { "Waiver" } @else { "Expired waiver" } }
                            p {
                                (w.reason) br;
                                "Approved by " (w.approved_by) "; "
                                @if live { "expires " } @else { "expired " } (w.expires)
                                " " span.where { (sources.display(w.loc)) }
                            }
                        }
                        @if !rule.references.is_empty() {
                            p.refs { "References: " (rule.references.join("; ")) }
                        }
                        @if !rule.tags.is_empty() {
                            p.refs { "Tags: " (rule.tags.join(", ")) }
                        }
                    }
                }
            }
            td.mono.where data-sort={ (p.file) ":" (format!("{:08}", p.line)) } {
                // A break is allowed after each `/` of a long path.
                @for (i, part) in p.file.split('/').enumerate() {
                    @if i > 0 { "/" wbr; }
                    (part)
                }
                ":" (p.line)
            }
        }
    }
}

fn problems_section(r: &Report) -> Markup {
    let sources = &r.project.sources;
    html! {
        section #problems {
            h2 { "Input problems" }
            p.note { "Errors mean the evaluation is incomplete: fix them and run again." }
            ul.problems {
                @for d in &r.project.diags {
                    li class=(if d.is_error() { "error" } else { "warning" }) {
                        strong { (if d.is_error() { "error" } else { "warning" }) } " "
                        span.mono { (d.code) } ": " (d.message)
                        @if let Some(l) = &d.primary { " " span.where { (sources.display(l.loc)) } }
                        @if let Some(h) = &d.help { br; span.muted { "help: " (h) } }
                    }
                }
            }
        }
    }
}
