//! Renderers over one [`Report`]: human (miette), JSON, SARIF, JUnit, GitHub and GitLab
//! annotations, Markdown, OSCAL, a self-contained HTML page. Each is a pure function of the report, so output is
//! deterministic. [`impact`] renders `custody impact` the same way, from what
//! `eval::impact` found; [`aligned`] is the column layout of the text tables.

pub mod concise;
pub mod github;
pub mod gitlab;
pub mod graph;
pub mod html;
pub mod human;
pub mod impact;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod oscal;
pub mod sarif;

use crate::check::Program;
use crate::eval::{Finding, RuleStats, Status};
use crate::project::Project;
use crate::types::{Exit, RuleId, Severity};
use std::fmt::Write as _;

/// Everything a renderer needs: the loaded project, its checked rules, and what evaluating
/// them found.
pub struct Report {
    pub project: Project,
    pub program: Program,
    pub findings: Vec<Finding>,
    pub stats: Vec<RuleStats>,
    /// Which rules were evaluated (all, or those named by `--rule`).
    pub evaluated: Vec<bool>,
    /// The evaluation's derived facts, kept when evidence was deferred so the renderer that
    /// adds it reuses them (`eval::Context::with_derived`).
    pub derived: Option<std::sync::Arc<crate::eval::derived::Derived>>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.project.has_errors()
    }
    pub fn failing(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.status == Status::Fail)
    }
    /// When the evaluation deferred evidence (`Finding::is_thin`), the context that adds it
    /// to one finding at a time (`Context::with_evidence`), reusing the evaluation's derived
    /// facts; `None` when every finding has its evidence.
    pub fn evidence_context(&self) -> Option<crate::eval::Context<'_>> {
        self.findings.iter().any(Finding::is_thin).then(|| {
            let (p, inv, schema) = (&self.project, &self.project.inventory, &self.project.schema);
            let derived = self.derived.clone().unwrap_or_else(|| {
                std::sync::Arc::new(crate::eval::derived::Derived::new(inv, schema))
            });
            crate::eval::Context::with_derived(
                &self.program,
                inv,
                schema,
                &p.taxonomy,
                &p.sources,
                p.as_of,
                derived,
            )
        })
    }
    /// 2 on any error; 1 when a failing finding is at or above `--fail-on`; else 0.
    pub fn exit(&self) -> Exit {
        if self.has_errors() {
            Exit::Invalid
        } else if self.failing().any(|f| {
            self.program.rules[f.rule]
                .severity
                .fails(self.project.fail_on)
        }) {
            Exit::Findings
        } else {
            Exit::Clean
        }
    }
}

/// Counts shown at the end of human output and in JSON's `summary`.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    pub rules: usize,
    pub entities: usize,
    pub selected: usize,
    pub findings: usize,
    pub failing: usize,
    pub waived: usize,
    /// Known findings recorded in the `--baseline` file: reported, not failing.
    pub baselined: usize,
    /// Failing findings whose waiver has expired.
    pub expired_waivers: usize,
    /// Per severity, most severe first: failing and waived counts.
    pub by_severity: Vec<SeverityCount>,
    pub errors: usize,
    pub warnings: usize,
    pub exit_code: i32,
    /// Per evaluated rule, in rule-ID order: entities selected, failing, waived, baselined.
    pub by_rule: Vec<RuleCount>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RuleCount {
    pub rule: RuleId,
    pub selected: usize,
    pub failing: usize,
    pub waived: usize,
    pub baselined: usize,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct SeverityCount {
    pub severity: &'static str,
    pub failing: usize,
    pub waived: usize,
    pub baselined: usize,
}

pub fn summary(r: &Report) -> Summary {
    let evaluated = r.evaluated.iter().filter(|e| **e).count();
    let mut by_severity = Vec::new();
    for sev in Severity::ALL {
        let of = |st: fn(&Status) -> bool| {
            r.findings
                .iter()
                .filter(|f| r.program.rules[f.rule].severity == sev && st(&f.status))
                .count()
        };
        by_severity.push(SeverityCount {
            severity: sev.as_str(),
            failing: of(|s| *s == Status::Fail),
            waived: of(|s| matches!(s, Status::Waived(_))),
            baselined: of(|s| *s == Status::Baselined),
        });
    }
    Summary {
        rules: evaluated,
        entities: r.project.inventory.entities.len(),
        selected: r.stats.iter().map(|s| s.selected).sum(),
        findings: r.findings.len(),
        failing: r.failing().count(),
        waived: r
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Waived(_)))
            .count(),
        baselined: r
            .findings
            .iter()
            .filter(|f| f.status == Status::Baselined)
            .count(),
        expired_waivers: r.failing().filter(|f| f.expired_waiver.is_some()).count(),
        by_severity,
        errors: r.project.diags.iter().filter(|d| d.is_error()).count(),
        warnings: r.project.diags.iter().filter(|d| !d.is_error()).count(),
        exit_code: r.exit() as i32,
        by_rule: r
            .program
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| r.evaluated.get(*i).copied().unwrap_or(false))
            .map(|(i, rule)| {
                let of = |st: fn(&Status) -> bool| {
                    r.findings
                        .iter()
                        .filter(|f| f.rule == i && st(&f.status))
                        .count()
                };
                RuleCount {
                    rule: rule.id.clone(),
                    selected: r.stats.get(i).map(|s| s.selected).unwrap_or(0),
                    failing: of(|s| *s == Status::Fail),
                    waived: of(|s| matches!(s, Status::Waived(_))),
                    baselined: of(|s| *s == Status::Baselined),
                }
            })
            .collect(),
    }
}

/// A finding's headline in human and concise output: `high TPR-001 vendor/tessaly-crm
/// (dana@example.com)`, the owner when the entity has one.
pub fn headline(r: &Report, f: &Finding) -> String {
    let rule = &r.program.rules[f.rule];
    let owner = entity_str(r, f.entity, "owner")
        .map(|o| format!(" ({o})"))
        .unwrap_or_default();
    format!(
        "{} {} {}{owner}",
        rule.severity.as_str(),
        rule.id,
        entity_name(r, f.entity)
    )
}

/// Text on one line: each line break (LF, CR or both, and the blanks around it) becomes one
/// space. For formats that promise a line per finding or an attribute without breaks.
pub fn one_line(s: &str) -> String {
    s.split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `vendor/crm-platform`
pub fn entity_name(r: &Report, e: crate::inventory::EntityId) -> String {
    r.project
        .inventory
        .entity_ref(&r.project.schema, e)
        .to_string()
}

/// How human, concise and Markdown output group failing findings (`--group-by`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GroupBy {
    /// In rule-ID order, with no headings (Markdown: a section per rule).
    #[default]
    None,
    Rule,
    Owner,
    Entity,
    File,
}

/// Failing findings in groups, each with its heading: by rule in rule-ID order, otherwise
/// by owner, entity or file in name order (findings without an owner last). Within a
/// group, findings keep their order (rule ID, then entity). `GroupBy::None` is one group
/// with an empty heading.
pub fn groups(r: &Report, by: GroupBy) -> Vec<(String, Vec<&Finding>)> {
    let failing: Vec<&Finding> = r.failing().collect();
    let key = |f: &Finding| -> (u8, String) {
        match by {
            GroupBy::None => (0, String::new()),
            GroupBy::Rule => {
                let rule = &r.program.rules[f.rule];
                (
                    0,
                    format!("{} {} ({})", rule.id, rule.title, rule.severity.as_str()),
                )
            }
            GroupBy::Owner => match entity_str(r, f.entity, "owner") {
                Some(o) => (0, format!("owner {o}")),
                None => (1, "no owner".to_owned()),
            },
            GroupBy::Entity => {
                let e = entity_name(r, f.entity);
                match entity_str(r, f.entity, "name") {
                    Some(n) => (0, format!("{e} ({n})")),
                    None => (0, e),
                }
            }
            GroupBy::File => (0, r.project.sources.name(f.primary.file).to_owned()),
        }
    };
    // Groups in order of first appearance, found by key in one map: a register of thousands
    // of entities has as many groups under `--group-by entity`.
    let mut out: Vec<((u8, String), Vec<&Finding>)> = Vec::new();
    let mut index: std::collections::HashMap<(u8, String), usize> =
        std::collections::HashMap::new();
    for f in failing {
        let k = key(f);
        match index.get(&k) {
            // INVARIANT: `index` holds positions in `out`.
            Some(&i) => out[i].1.push(f),
            None => {
                index.insert(k.clone(), out.len());
                out.push((k, vec![f]));
            }
        }
    }
    if !matches!(by, GroupBy::None | GroupBy::Rule) {
        out.sort_by(|a, b| a.0.cmp(&b.0));
    }
    out.into_iter().map(|((_, k), v)| (k, v)).collect()
}

/// `vendor/tessaly-crm (Tessaly Cloud CRM; owner dana@example.com)`: the entity with the
/// `name` and `owner` the inventory gives it, for formats with one text field per finding.
pub fn entity_with_name_and_owner(r: &Report, e: crate::inventory::EntityId) -> String {
    let mut extra = Vec::new();
    if let Some(n) = entity_str(r, e, "name") {
        extra.push(n.to_owned());
    }
    if let Some(o) = entity_str(r, e, "owner") {
        extra.push(format!("owner {o}"));
    }
    if extra.is_empty() {
        entity_name(r, e)
    } else {
        format!("{} ({})", entity_name(r, e), extra.join("; "))
    }
}

/// A string field of an entity (`name`, `owner`), when the schema has it and it is set.
pub fn entity_str<'r>(
    r: &'r Report,
    e: crate::inventory::EntityId,
    field: &str,
) -> Option<&'r str> {
    let ent = r.project.inventory.get(e);
    let id = r.project.schema.kind(ent.kind).field(field)?;
    match &ent.field(id)?.value {
        crate::inventory::model::Value::Str(s) => Some(s),
        crate::inventory::model::Value::Num(_)
        | crate::inventory::model::Value::Bool(_)
        | crate::inventory::model::Value::Date(_)
        | crate::inventory::model::Value::Cat(_)
        | crate::inventory::model::Value::Ref(_)
        | crate::inventory::model::Value::List(_)
        | crate::inventory::model::Value::Object => None,
    }
}

/// A finding's identity across runs (see `eval::baseline::fingerprint`).
pub fn fingerprint(r: &Report, f: &crate::eval::Finding) -> String {
    crate::eval::baseline::fingerprint(
        &r.program.rules[f.rule].id,
        &r.project.inventory.entity_ref(&r.project.schema, f.entity),
    )
}

/// A span as 1-based (file, start line, start column, end line, end column).
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn place(r: &Report, loc: crate::source::Loc) -> Place {
    let file = r.project.sources.get(loc.file);
    let (line, column) = file.line_col(loc.span.start);
    let (end_line, end_column) = file.line_col(loc.span.end);
    Place {
        file: file.name.clone(),
        line,
        column,
        end_line,
        end_column,
    }
}

/// Rows of cells as text in aligned columns, each line after `indent`. A column is as wide
/// as its widest cell among the rows that continue past it; the last cell of a row is not
/// padded, so no line ends in spaces.
pub fn aligned(rows: &[Vec<String>], indent: &str) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .filter(|r| r.len() > i + 1)
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(indent);
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                let w = widths.get(i).copied().unwrap_or(0);
                let _ = write!(line, "{c:<w$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
