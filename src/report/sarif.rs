//! `--format sarif`: SARIF 2.1.0 (serde-sarif types), for code-scanning UIs. Findings land
//! on the YAML line of the offending value; fingerprints are rule + entity, so they survive
//! unrelated edits; waived findings carry an external suppression; input errors become tool
//! execution notifications with `executionSuccessful: false`.
//!
//! Made for GitHub code scanning: every rule has a `help`; `primaryLocationLineHash` (which
//! GitHub reads, ignoring other fingerprints) is a hash of the same rule + entity identity;
//! columns are declared as code points (what `line_col` counts); a location in a `builtin:`
//! library file has no artifact (it exists in no checkout), only a message naming the place;
//! and GitHub's limits are kept ([`Limits::GITHUB`]), what is left out said in a warning.

use crate::diag::{Diag, Level};
use crate::eval::Status;
use crate::report::Report;
use crate::report::{entity_name, fingerprint, place};
use crate::source::Loc;
use crate::types::Severity;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Suppression, Tool, ToolComponent,
};
use std::collections::BTreeMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const URI_BASE: &str = "%SRCROOT%";

/// How much of a run a SARIF consumer accepts.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Results per run; past it, the most severe are kept (then in rule, entity order).
    pub results: usize,
    /// Tags per rule; past it, the first are kept.
    pub tags: usize,
}

impl Limits {
    /// GitHub code scanning: 25,000 results per run, 20 tags per rule.
    pub const GITHUB: Limits = Limits {
        results: 25_000,
        tags: 20,
    };
}

/// FNV-1a, 64 bits: a hash that is the same on every platform and in every release.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// GitHub's `primaryLocationLineHash` (`HASH:OCCURRENCE`), from the rule + entity identity
/// rather than the text of a line, so it survives edits and line moves. A fingerprint is
/// unique in a run, so the occurrence is always 1.
pub fn line_hash(fingerprint: &str) -> String {
    format!("{:016x}:1", fnv1a(fingerprint))
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium | Severity::Low => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn level_str(s: Severity) -> &'static str {
    match level(s) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        _ => "note",
    }
}

/// GitHub code scanning ranks security results by this score (0.0 to 10.0).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn message(text: impl Into<String>) -> Message {
    Message::builder().text(text.into()).build()
}

fn location(r: &Report, loc: Loc, text: Option<String>) -> Location {
    let p = place(r, loc);
    // A library file is in no checkout: no artifact, the place in the message instead.
    if p.file.starts_with("builtin:") {
        let at = format!("{}:{}:{}", p.file, p.line, p.column);
        let text = match text {
            Some(t) => format!("{t} ({at})"),
            None => at,
        };
        return Location::builder().message(message(text)).build();
    }
    // Paths relative to the working directory are relative to the source root in CI;
    // an absolute path (outside the working directory) is a file URI with no base.
    let artifact = if p.file.starts_with('/') {
        ArtifactLocation::builder()
            .uri(format!("file://{}", p.file))
            .build()
    } else {
        ArtifactLocation::builder()
            .uri(p.file.clone())
            .uri_base_id(URI_BASE.to_owned())
            .build()
    };
    let region = Region::builder()
        .start_line(p.line as i64)
        .start_column(p.column as i64)
        .end_line(p.end_line as i64)
        .end_column(
            p.end_column
                .max(p.column + usize::from(p.end_line == p.line && p.end_column <= p.column))
                as i64,
        )
        .build();
    let physical = PhysicalLocation::builder()
        .artifact_location(artifact)
        .region(region)
        .build();
    match text {
        Some(t) => Location::builder()
            .physical_location(physical)
            .message(message(t))
            .build(),
        None => Location::builder().physical_location(physical).build(),
    }
}

fn notification(r: &Report, d: &Diag) -> Notification {
    let mut text = d.message.clone();
    if let Some(h) = &d.help {
        text.push_str(&format!(" (help: {h})"));
    }
    let lvl = if d.level == Level::Error {
        "error"
    } else {
        "warning"
    };
    let mut props = PropertyBag::builder().build();
    props
        .additional_properties
        .insert("code".into(), serde_json::Value::String(d.code.to_owned()));
    let base = Notification::builder()
        .message(message(text))
        .level(serde_json::Value::String(lvl.into()))
        .properties(props);
    match &d.primary {
        Some(l) => base.locations(vec![location(r, l.loc, None)]).build(),
        None => base.build(),
    }
}

fn warning(text: String) -> Notification {
    Notification::builder()
        .message(message(text))
        .level(serde_json::Value::String("warning".into()))
        .build()
}

/// custody's home, the SARIF `informationUri`; library rules' help pages are below it.
const INFORMATION_URI: &str = "https://github.com/custody-dev/custody";

pub fn render(r: &Report) -> String {
    render_limited(r, Limits::GITHUB)
}

/// The SARIF log, keeping to `limits`.
pub fn render_limited(r: &Report, limits: Limits) -> String {
    let mut limit_warnings = Vec::new();
    let rules: Vec<ReportingDescriptor> = r
        .program
        .rules
        .iter()
        .map(|rule| {
            if rule.tags.len() > limits.tags {
                limit_warnings.push(warning(format!(
                    "rule {} has {} tags; only the first {} are in this log (the limit of GitHub code scanning)",
                    rule.id,
                    rule.tags.len(),
                    limits.tags
                )));
            }
            let tags: Vec<String> = rule.tags.iter().take(limits.tags).cloned().collect();
            let mut props = PropertyBag::builder().tags(tags).build();
            props
                .additional_properties
                .insert("references".into(), serde_json::json!(rule.references));
            props.additional_properties.insert(
                "security-severity".into(),
                serde_json::json!(security_severity(rule.severity)),
            );
            props
                .additional_properties
                .insert("severity".into(), serde_json::json!(rule.severity.as_str()));
            let text = |s: &str| {
                MultiformatMessageString::builder()
                    .text(s.to_owned())
                    .build()
            };
            let mut d = ReportingDescriptor::builder()
                .id(rule.id.to_string())
                .name(rule.title.clone())
                .short_description(text(&rule.title))
                .full_description(text(rule.description.as_deref().unwrap_or(&rule.title)))
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(serde_json::json!(level_str(rule.severity)))
                        .build(),
                )
                .properties(props)
                .build();
            // Every rule has a help: the remediation, else what the rule is about.
            let help = rule
                .remediation
                .as_deref()
                .or(rule.description.as_deref())
                .unwrap_or(&rule.title);
            d.help = Some(text(help));
            // A rule of the built-in library has no file in any checkout: its `helpUri` is
            // its page in custody's documentation, at the release this binary is.
            if r.project.policies.library_files.contains(&rule.loc.file) {
                d.help_uri = Some(format!(
                    "{INFORMATION_URI}/blob/v{}/docs/rules/{}.md",
                    env!("CARGO_PKG_VERSION"),
                    rule.id
                ));
            }
            d
        })
        .collect();
    // Past the limit, the most severe findings are kept, ties in (rule ID, entity) order;
    // those kept stay in that order.
    let mut kept: Vec<usize> = (0..r.findings.len()).collect();
    let omitted = r.findings.len().saturating_sub(limits.results);
    if omitted > 0 {
        kept.sort_by_key(|&i| {
            let f = &r.findings[i];
            (std::cmp::Reverse(r.program.rules[f.rule].severity), i)
        });
        kept.truncate(limits.results);
        kept.sort_unstable();
        limit_warnings.push(warning(format!(
            "{omitted} of {} results were left out: GitHub code scanning accepts at most {} per run; the most severe were kept (the json format has them all)",
            r.findings.len(),
            limits.results
        )));
    }
    let results: Vec<SarifResult> = kept
        .iter()
        .filter_map(|&i| r.findings.get(i))
        .map(|f| {
            let rule = &r.program.rules[f.rule];
            let mut related = Vec::new();
            for fr in &f.failed {
                if let Some(req) = rule.requires.get(fr.index) {
                    related.push(location(
                        r,
                        req.loc,
                        Some(format!("required by rule {}", rule.id)),
                    ));
                }
            }
            for fact in f
                .selected()
                .iter()
                .map(|x| (x, "selected: "))
                .chain(f.failed.iter().flat_map(|x| &x.facts).map(|x| (x, "")))
            {
                if let Some(loc) = fact.0.loc {
                    related.push(location(r, loc, Some(format!("{}{}", fact.1, fact.0.text))));
                }
            }
            for (i, l) in related.iter_mut().enumerate() {
                l.id = Some(i as i64);
            }
            let mut fingerprints = BTreeMap::new();
            let fp = fingerprint(r, f);
            fingerprints.insert("primaryLocationLineHash".to_owned(), line_hash(&fp));
            fingerprints.insert("custody/v1".to_owned(), fp);
            let mut res = SarifResult::builder()
                .rule_id(rule.id.to_string())
                .rule_index(f.rule as i64)
                .level(level(rule.severity))
                .message(message(format!(
                    "{}: {}",
                    entity_name(r, f.entity),
                    f.message()
                )))
                .locations(vec![location(
                    r,
                    f.primary,
                    Some(f.primary_label().to_owned()),
                )])
                .related_locations(related)
                .partial_fingerprints(fingerprints)
                .build();
            // The entity's name and owner, for triage in a SARIF viewer.
            let mut props = PropertyBag::builder().build();
            for field in ["name", "owner"] {
                if let Some(v) = crate::report::entity_str(r, f.entity, field) {
                    props
                        .additional_properties
                        .insert(field.into(), serde_json::json!(v));
                }
            }
            if !props.additional_properties.is_empty() {
                res.properties = Some(props);
            }
            match &f.status {
                Status::Waived(wi) => {
                    let justification = r.project.waiver(*wi).map(|w| {
                        format!(
                            "{} (approved by {}, until {})",
                            w.reason, w.approved_by, w.expires
                        )
                    });
                    let mut s = Suppression::builder()
                        .kind(serde_json::json!("external"))
                        .build();
                    s.justification = justification;
                    res.suppressions = Some(vec![s]);
                }
                Status::Baselined => {
                    res.baseline_state = Some(serde_json::json!("unchanged"));
                }
                Status::Fail => {}
            }
            res
        })
        .collect();
    let notifications: Vec<Notification> = r
        .project
        .diags
        .iter()
        .map(|d| notification(r, d))
        .chain(limit_warnings)
        .collect();
    let mut invocation = Invocation::builder()
        .execution_successful(!r.has_errors())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let driver = ToolComponent::builder()
        .name("custody".to_owned())
        .version(env!("CARGO_PKG_VERSION").to_owned())
        .semantic_version(env!("CARGO_PKG_VERSION").to_owned())
        .information_uri(INFORMATION_URI.to_owned())
        .rules(rules)
        .build();
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        // `place` counts columns in characters, which are code points.
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    if omitted > 0 {
        let mut props = PropertyBag::builder().build();
        props
            .additional_properties
            .insert("custody/omittedResults".into(), serde_json::json!(omitted));
        props.additional_properties.insert(
            "custody/resultLimit".into(),
            serde_json::json!(limits.results),
        );
        run.properties = Some(props);
    }
    let sarif = Sarif::builder()
        .schema(SCHEMA.to_owned())
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    // INVARIANT: serde-sarif types serialize infallibly (strings, numbers, string-keyed maps).
    let mut s = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    s.push('\n');
    s
}
