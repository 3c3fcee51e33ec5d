//! Baselines: adopt custody on an inventory that already has findings. `--write-baseline`
//! records the current failing findings by fingerprint (rule + entity); `--baseline` marks
//! those findings `baselined`, so only new ones fail, and says when recorded ones are fixed.

use crate::diag::Diag;
use crate::diag::code::Code;
use crate::diag::codes;
use crate::eval::{Finding, Status};
use crate::source::{FileId, Loc};
use crate::types::{EntityRef, RuleId};
use crate::yaml::map::{MapReader, kind_words};
use crate::yaml::{Node, NodeKind};
use serde::Serialize;

const CODE: &Code = &codes::baseline::MALFORMED;

/// A finding's identity across runs: rule and entity, never line numbers, so it survives
/// unrelated edits that move lines. Used by baselines, SARIF and GitLab.
pub fn fingerprint(rule: &RuleId, entity: &EntityRef) -> String {
    format!("{rule}|{entity}")
}

/// One recorded finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: RuleId,
    pub entity: EntityRef,
}

#[derive(Serialize)]
struct File<'a> {
    version: u32,
    findings: &'a [Entry],
}

/// The baseline file's text for these entries (sorted, so it diffs well in git).
pub fn write(entries: &mut Vec<Entry>) -> String {
    entries.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
    entries.dedup();
    // INVARIANT: strings and numbers serialize infallibly.
    let mut s = serde_json::to_string_pretty(&File {
        version: 1,
        findings: entries,
    })
    .unwrap_or_default();
    s.push('\n');
    s
}

/// Read a baseline file's documents: fingerprints with where each is written.
pub fn parse(file: FileId, docs: &[Node], diags: &mut Vec<Diag>) -> Vec<(String, Loc)> {
    let mut out = Vec::new();
    for doc in docs {
        let Some(top) = MapReader::new(file, doc, "a baseline file", diags) else {
            continue;
        };
        top.reject_unknown(&["version", "findings"], CODE, "a baseline file", diags);
        let Some(list) = top.get("findings") else {
            diags.push(
                Diag::new(CODE, "the baseline file has no `findings` list")
                    .at(
                        crate::yaml::map::first_line(file, doc),
                        "expected `findings` here",
                    )
                    .help("write baselines with `custody check --write-baseline FILE`"),
            );
            continue;
        };
        let NodeKind::Seq(items) = &list.kind else {
            diags.push(
                Diag::new(
                    CODE,
                    format!("`findings` must be a list, found {}", kind_words(list)),
                )
                .at(Loc::new(file, list.span), "expected a list"),
            );
            continue;
        };
        for item in items {
            let Some(m) = MapReader::new(file, item, "a baseline entry", diags) else {
                continue;
            };
            if let Some(fp) = m.required_str("fingerprint", CODE, "this baseline entry", diags) {
                out.push(fp);
            }
        }
    }
    out
}

/// The rule part of a fingerprint (`TPR-001|vendor/x` → `TPR-001`).
pub fn rule_of(fingerprint: &str) -> &str {
    fingerprint.split_once('|').map_or(fingerprint, |(r, _)| r)
}

/// Mark failing findings recorded in the baseline as `baselined`; warn about recorded
/// findings that no longer occur. Only an entry whose rule was evaluated (`evaluated`, given
/// the rule part of its fingerprint) can be found fixed: under `--rule`, the other rules'
/// entries say nothing.
pub fn apply(
    findings: &mut [Finding],
    recorded: &[(String, Loc)],
    fingerprint: impl Fn(&Finding) -> String,
    evaluated: impl Fn(&str) -> bool,
    diags: &mut Vec<Diag>,
) {
    let known: std::collections::HashMap<&str, Loc> =
        recorded.iter().map(|(f, l)| (f.as_str(), *l)).collect();
    let mut seen = std::collections::HashSet::new();
    for f in findings.iter_mut() {
        let fp = fingerprint(f);
        if let Some((key, _)) = known.get_key_value(fp.as_str()) {
            seen.insert(*key);
            if f.status == Status::Fail {
                f.status = Status::Baselined;
            }
        }
    }
    let mut fixed: Vec<(&str, Loc)> = recorded
        .iter()
        .filter(|(f, _)| !seen.contains(f.as_str()) && evaluated(rule_of(f)))
        .map(|(f, l)| (f.as_str(), *l))
        .collect();
    fixed.sort_by_key(|(_, l)| *l);
    if let Some((first, loc)) = fixed.first() {
        let n = fixed.len();
        let what = if n == 1 {
            "1 baselined finding is fixed".to_owned()
        } else {
            format!("{n} baselined findings are fixed")
        };
        diags.push(
            Diag::new(&codes::baseline::FIXED, what)
                .at(*loc, format!("`{first}` no longer occurs"))
                .help("run `custody check --write-baseline FILE` to drop them from the baseline"),
        );
    }
}
