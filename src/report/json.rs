//! `--format json`: one object, `{"version": 1, "as_of", "summary", "findings", "errors",
//! "warnings"}`. No timings or other run-dependent values: two runs print identical bytes.
//!
//! Findings are serialized from borrowed data, never kept as a whole: [`write`] renders them
//! in ordered chunks on the rayon pool (`--threads`), each chunk into its own buffer, and
//! writes the buffers in order while the next window of chunks is rendered; at most two
//! windows of text exist at once, so a large report never exists twice in memory (once as
//! findings, once as text). Each finding is pretty-printed at the depth it has in the
//! document (serde_json's `PrettyFormatter`, advanced to that depth), so the bytes equal
//! those of serializing the whole document in one pass ([`write_serial`], the reference the
//! tests compare it with).

use crate::diag::Diag;
use crate::eval::{Finding, Status};
use crate::report::Report;
use crate::report::{Summary, entity_name, summary};
use crate::source::Loc;
use crate::types::RuleId;
use rayon::prelude::*;
use serde::{Serialize, Serializer};
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::Write;

/// Failing findings rendered by one task, and tasks per window (findings in flight are at
/// most two windows: one being written, the next being rendered). About 1.3 KB of JSON a
/// finding on the benchmark, so a window is about 1.3 MB of text; many small tasks keep
/// both cores busy up to the end of each window.
const CHUNK: usize = 16;
const WINDOW: usize = 64;

#[derive(Serialize)]
struct Out<'a> {
    version: u32,
    as_of: String,
    summary: Summary,
    findings: Findings<'a>,
    errors: Diags<'a>,
    warnings: Diags<'a>,
}

/// The findings, built and serialized one at a time.
struct Findings<'a>(&'a Report);

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        // Evidence was deferred: add it to one finding at a time, serialize, drop.
        let Some(cx) = r.evidence_context() else {
            return s.collect_seq(r.findings.iter().map(|f| finding_out(r, f)));
        };
        let mut seq = s.serialize_seq(Some(r.findings.len()))?;
        for f in &r.findings {
            let full = cx.with_evidence(f);
            serde::ser::SerializeSeq::serialize_element(&mut seq, &finding_out(r, &full))?;
        }
        serde::ser::SerializeSeq::end(seq)
    }
}

/// Errors (`true`) or warnings (`false`).
struct Diags<'a>(&'a Report, bool);

impl Serialize for Diags<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.0
                .project
                .diags
                .iter()
                .filter(|d| d.is_error() == self.1)
                .map(|d| diag_out(self.0, d)),
        )
    }
}

#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    rule: &'a RuleId,
    title: &'a str,
    severity: &'static str,
    entity: String,
    /// The entity's `name` and `owner` fields (null when not set).
    name: Option<&'a str>,
    owner: Option<&'a str>,
    status: &'static str,
    message: &'a str,
    location: Location<'a>,
    evidence: Vec<EvidenceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<&'a str>,
    references: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<WaiverOut<'a>>,
}

#[derive(Serialize)]
struct EvidenceOut<'a> {
    /// `selected` (why the rule applies) or `failed` (why a requirement failed).
    kind: &'static str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location<'a>>,
    /// For `failed`: the `require` clause's location in the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    require: Option<Location<'a>>,
}

#[derive(Serialize)]
struct WaiverOut<'a> {
    /// `live` or `expired`.
    state: &'static str,
    reason: &'a str,
    approved_by: &'a str,
    expires: String,
    location: Location<'a>,
}

#[derive(Serialize)]
struct DiagOut<'a> {
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    code: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    /// The diagnostic's other places (a duplicate's first definition, the other side of a
    /// comparison); absent when it has none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedOut<'a>>,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: Option<&'a str>,
}

fn location(r: &Report, loc: Loc) -> Location<'_> {
    let (line, column) = r.project.sources.line_col(loc);
    Location {
        file: r.project.sources.name(loc.file),
        line,
        column,
    }
}

fn diag_out<'a>(r: &'a Report, d: &'a Diag) -> DiagOut<'a> {
    let loc = d.primary.as_ref().map(|l| location(r, l.loc));
    DiagOut {
        file: loc.as_ref().map(|l| l.file),
        line: loc.as_ref().map(|l| l.line),
        column: loc.as_ref().map(|l| l.column),
        code: d.code,
        message: &d.message,
        help: d.help.as_deref(),
        related: d
            .secondary
            .iter()
            .map(|l| {
                let at = location(r, l.loc);
                RelatedOut {
                    file: at.file,
                    line: at.line,
                    column: at.column,
                    message: l.text.as_deref(),
                }
            })
            .collect(),
    }
}

fn finding_out<'a>(r: &'a Report, f: &'a Finding) -> FindingOut<'a> {
    let rule = &r.program.rules[f.rule];
    let ent = r.project.inventory.get(f.entity);
    let mut evidence: Vec<EvidenceOut> = f
        .selected()
        .iter()
        .map(|fact| EvidenceOut {
            kind: "selected",
            text: &fact.text,
            location: fact.loc.map(|l| location(r, l)),
            require: None,
        })
        .collect();
    for fr in &f.failed {
        let req = rule.requires.get(fr.index).map(|q| q.loc);
        for fact in &fr.facts {
            evidence.push(EvidenceOut {
                kind: "failed",
                text: &fact.text,
                location: fact.loc.map(|l| location(r, l)),
                require: req.map(|l| location(r, l)),
            });
        }
    }
    let waiver = match (&f.status, f.expired_waiver) {
        (Status::Waived(wi), _) => Some((*wi, "live")),
        (Status::Fail, Some((wi, _))) => Some((wi, "expired")),
        _ => None,
    }
    .and_then(|(wi, state)| r.project.waiver(wi).map(|w| (w, state)))
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
        name: crate::report::entity_str(r, f.entity, "name"),
        owner: crate::report::entity_str(r, f.entity, "owner"),
        status: f.status.as_str(),
        message: f.message(),
        location: location(r, ent.loc),
        evidence,
        remediation: rule.remediation.as_deref(),
        references: &rule.references,
        tags: &rule.tags,
        waiver,
    }
}

/// Write the report as pretty JSON, ending in a newline. A write error is returned with its
/// own kind (a closed pipe stays `BrokenPipe`). Findings are rendered in parallel (see the
/// module's documentation); the bytes are those of [`write_serial`].
pub fn write(r: &Report, w: impl Write) -> std::io::Result<()> {
    write_chunked(r, w, CHUNK, WINDOW)
}

/// [`write`] with `chunk` findings per task and `window` tasks per window (both at least 1).
pub fn write_chunked(
    r: &Report,
    w: impl Write,
    chunk: usize,
    window: usize,
) -> std::io::Result<()> {
    let (chunk, window) = (chunk.max(1), window.max(1));
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    // The fields of `Out`, in its order, each value at depth 1.
    key(&mut w, true, "version")?;
    pretty_at(&mut w, 1, &1u32)?;
    key(&mut w, false, "as_of")?;
    pretty_at(&mut w, 1, &r.project.as_of.to_string())?;
    key(&mut w, false, "summary")?;
    pretty_at(&mut w, 1, &summary(r))?;
    key(&mut w, false, "findings")?;
    if r.findings.is_empty() {
        w.write_all(b"[]")?;
    } else {
        w.write_all(b"[")?;
        // Evidence was deferred: add it to one finding at a time, serialize, drop.
        let cx = r.evidence_context();
        // Each finding as `,` + its line break and indent + the finding at depth 2; the
        // very first comma is left out when written.
        let render = |fs: &[Finding]| -> Vec<u8> {
            let mut buf = Vec::with_capacity(fs.len() * 1536);
            for f in fs {
                buf.extend_from_slice(b",\n    ");
                let full;
                let f = match &cx {
                    Some(cx) => {
                        full = cx.with_evidence(f);
                        &full
                    }
                    None => f,
                };
                // INVARIANT: writing to a Vec cannot fail, and these types serialize infallibly.
                let _ = pretty_at(&mut buf, 2, &finding_out(r, f));
            }
            buf
        };
        let mut ready: Vec<Vec<u8>> = Vec::new();
        let mut first = true;
        for win in r.findings.chunks(chunk * window) {
            let mut next = Vec::new();
            // The next window renders on the pool while this thread writes the last one.
            let written = rayon::in_place_scope(|s| {
                s.spawn(|_| next = win.par_chunks(chunk).map(render).collect());
                write_bufs(&mut w, &ready, &mut first)
            });
            written?;
            ready = next;
        }
        write_bufs(&mut w, &ready, &mut first)?;
        w.write_all(b"\n  ]")?;
    }
    key(&mut w, false, "errors")?;
    pretty_at(&mut w, 1, &Diags(r, true))?;
    key(&mut w, false, "warnings")?;
    pretty_at(&mut w, 1, &Diags(r, false))?;
    w.write_all(b"\n}\n")?;
    w.flush()
}

/// A key of the top-level object, as `PrettyFormatter` writes it (names need no escaping).
fn key(w: &mut impl Write, first: bool, name: &str) -> std::io::Result<()> {
    w.write_all(if first { b"{\n  \"" } else { b",\n  \"" })?;
    w.write_all(name.as_bytes())?;
    w.write_all(b"\": ")
}

/// `v` pretty-printed as it is when nested `depth` levels deep: the formatter is first
/// taken `depth` levels in (its indent is all the state it keeps between values).
fn pretty_at(w: impl Write, depth: usize, v: &impl Serialize) -> std::io::Result<()> {
    let mut f = PrettyFormatter::new();
    for _ in 0..depth {
        f.begin_array(&mut std::io::sink())?;
    }
    v.serialize(&mut serde_json::Serializer::with_formatter(w, f))
        .map_err(std::io::Error::from)
}

/// Rendered chunks in order; the first byte of all (the first finding's comma) is skipped.
fn write_bufs(w: &mut impl Write, bufs: &[Vec<u8>], first: &mut bool) -> std::io::Result<()> {
    for b in bufs {
        let b = if std::mem::take(first) {
            b.get(1..).unwrap_or_default()
        } else {
            b
        };
        w.write_all(b)?;
    }
    Ok(())
}

/// The report written in one pass of serde_json over the whole document, one finding at a
/// time on this thread: what [`write`] must equal byte for byte (the tests compare them).
pub fn write_serial(r: &Report, w: impl Write) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    let out = Out {
        version: 1,
        as_of: r.project.as_of.to_string(),
        summary: summary(r),
        findings: Findings(r),
        errors: Diags(r, true),
        warnings: Diags(r, false),
    };
    serde_json::to_writer_pretty(&mut w, &out).map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// The report as a JSON string.
pub fn render(r: &Report) -> String {
    let mut buf = Vec::new();
    // INVARIANT: writing to a Vec cannot fail, and these types serialize infallibly.
    let _ = write(r, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// One finding as in `check`'s JSON `findings`, as a value (for `custody diff`).
pub fn finding_value(r: &Report, f: &Finding) -> serde_json::Value {
    serde_json::to_value(finding_out(r, f)).unwrap_or(serde_json::Value::Null)
}
