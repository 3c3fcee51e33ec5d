//! `--format json`: one object, `{"version": 1, "as_of", "summary", "findings", "errors",
//! "warnings"}`. No timings or other run-dependent values: two runs print identical bytes.

use crate::diag::Diag;
use crate::eval::Status;
use crate::report::{Summary, entity_name, summary};
use crate::run::Report;
use crate::source::Loc;
use serde::Serialize;

#[derive(Serialize)]
struct Out<'a> {
    version: u32,
    as_of: String,
    summary: Summary,
    findings: Vec<FindingOut<'a>>,
    errors: Vec<DiagOut>,
    warnings: Vec<DiagOut>,
}

#[derive(Serialize)]
struct Location {
    file: String,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    rule: &'a str,
    title: &'a str,
    severity: &'static str,
    entity: String,
    status: &'static str,
    message: &'a str,
    location: Location,
    evidence: Vec<EvidenceOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<&'a str>,
    references: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<WaiverOut<'a>>,
}

#[derive(Serialize)]
struct EvidenceOut {
    /// `selected` (why the rule applies) or `failed` (why a requirement failed).
    kind: &'static str,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
    /// For `failed`: the `require` clause's location in the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    require: Option<Location>,
}

#[derive(Serialize)]
struct WaiverOut<'a> {
    /// `live` or `expired`.
    state: &'static str,
    reason: &'a str,
    approved_by: &'a str,
    expires: String,
    location: Location,
}

#[derive(Serialize)]
struct DiagOut {
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    code: &'static str,
    message: String,
    help: Option<String>,
}

fn location(r: &Report, loc: Loc) -> Location {
    let (line, column) = r.sources.line_col(loc);
    Location {
        file: r.sources.name(loc.file).to_owned(),
        line,
        column,
    }
}

fn diag_out(r: &Report, d: &Diag) -> DiagOut {
    let loc = d.primary.as_ref().map(|l| location(r, l.loc));
    DiagOut {
        file: loc.as_ref().map(|l| l.file.clone()),
        line: loc.as_ref().map(|l| l.line),
        column: loc.as_ref().map(|l| l.column),
        code: d.code,
        message: d.message.clone(),
        help: d.help.clone(),
    }
}

pub fn render(r: &Report) -> String {
    let findings = r
        .findings
        .iter()
        .map(|f| {
            let rule = &r.program.rules[f.rule];
            let ent = r.inventory.get(f.entity);
            let mut evidence: Vec<EvidenceOut> = f
                .selected
                .iter()
                .map(|fact| EvidenceOut {
                    kind: "selected",
                    text: fact.text.clone(),
                    location: fact.loc.map(|l| location(r, l)),
                    require: None,
                })
                .collect();
            for fr in &f.failed {
                let req = rule.requires.get(fr.index).map(|q| location(r, q.loc));
                for fact in &fr.facts {
                    evidence.push(EvidenceOut {
                        kind: "failed",
                        text: fact.text.clone(),
                        location: fact.loc.map(|l| location(r, l)),
                        require: req.as_ref().map(|l| Location {
                            file: l.file.clone(),
                            line: l.line,
                            column: l.column,
                        }),
                    });
                }
            }
            let waiver = match (&f.status, f.expired_waiver) {
                (Status::Waived(wi), _) => Some((*wi, "live")),
                (Status::Fail, Some((wi, _))) => Some((wi, "expired")),
                _ => None,
            }
            .and_then(|(wi, state)| r.waivers.get(wi).map(|w| (w, state)))
            .map(|(w, state)| WaiverOut {
                state,
                reason: &w.reason,
                approved_by: &w.approved_by,
                expires: w.expires.to_string(),
                location: location(r, w.loc),
            });
            FindingOut {
                rule: &rule.id,
                title: &rule.title,
                severity: rule.severity.as_str(),
                entity: entity_name(r, f.entity),
                status: f.status.as_str(),
                message: &f.message,
                location: location(r, ent.loc),
                evidence,
                remediation: rule.remediation.as_deref(),
                references: &rule.references,
                waiver,
            }
        })
        .collect();
    let out = Out {
        version: 1,
        as_of: r.as_of.to_string(),
        summary: summary(r),
        findings,
        errors: r
            .diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| diag_out(r, d))
            .collect(),
        warnings: r
            .diags
            .iter()
            .filter(|d| !d.is_error())
            .map(|d| diag_out(r, d))
            .collect(),
    };
    // INVARIANT: these types serialize infallibly (strings, numbers, no maps with non-string keys).
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
    s.push('\n');
    s
}
