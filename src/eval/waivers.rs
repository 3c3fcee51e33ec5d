//! Waivers (SPEC §4): accepted risks that turn a finding's status to `waived` while live.

use crate::check::Program;
use crate::diag::{self, Diag};
use crate::eval::{Finding, Status};
use crate::inventory::yaml::{Node, NodeKind};
use crate::inventory::{EntityId, Inventory, Schema};
use crate::nodes::{MapReader, kind_words};
use crate::source::{FileId, Loc};
use jiff::civil::Date;

#[derive(Clone, Debug, PartialEq)]
pub struct Waiver {
    pub rule: String,
    pub rule_loc: Loc,
    /// `KIND/ID`
    pub entity: String,
    pub entity_loc: Loc,
    pub reason: String,
    pub approved_by: String,
    pub expires: Date,
    pub expires_loc: Loc,
    /// The first line of the waiver entry.
    pub loc: Loc,
}

impl Waiver {
    /// Live while as-of ≤ expires.
    pub fn live(&self, as_of: Date) -> bool {
        as_of <= self.expires
    }
}

const CODE: &str = "custody::waiver::malformed";
const KEYS: [&str; 5] = ["rule", "entity", "reason", "approved_by", "expires"];

/// Read the waivers file's documents. Every malformed waiver is an error.
pub fn parse(file: FileId, docs: &[Node], diags: &mut Vec<Diag>) -> Vec<Waiver> {
    let mut out = Vec::new();
    for doc in docs {
        let Some(top) = MapReader::new(file, doc, "a waivers file", diags) else {
            continue;
        };
        top.reject_unknown(&["waivers"], CODE, "a waivers file", diags);
        let Some(list) = top.get("waivers") else {
            diags.push(
                Diag::error(CODE, "the waivers file has no `waivers:` list")
                    .at(crate::nodes::first_line(file, doc), "expected `waivers:` here")
                    .help("write `waivers:` followed by a list of entries with rule, entity, reason, approved_by and expires"),
            );
            continue;
        };
        let items: &[Node] = match &list.kind {
            NodeKind::Seq(items) => items,
            NodeKind::Null => &[],
            _ => {
                diags.push(
                    Diag::error(
                        CODE,
                        format!("`waivers` must be a list, found {}", kind_words(list)),
                    )
                    .at(Loc::new(file, list.span), "expected a list"),
                );
                continue;
            }
        };
        for item in items {
            let Some(m) = MapReader::new(file, item, "a waiver", diags) else {
                continue;
            };
            let before = diags.len();
            m.reject_unknown(&KEYS, CODE, "a waiver", diags);
            let rule = m.required_str("rule", CODE, "this waiver", diags);
            let entity = m.required_str("entity", CODE, "this waiver", diags);
            let reason = m.required_str("reason", CODE, "this waiver", diags);
            let approved = m.required_str("approved_by", CODE, "this waiver", diags);
            let expires = m
                .required_str("expires", CODE, "this waiver", diags)
                .and_then(|(s, loc)| match s.parse::<Date>() {
                    Ok(d) => Some((d, loc)),
                    Err(_) => {
                        diags.push(
                            Diag::error(CODE, format!("`{s}` is not a valid date"))
                                .at(loc, "expected a date such as 2027-03-31")
                                .help("write the expiry as an ISO date, YYYY-MM-DD"),
                        );
                        None
                    }
                });
            if let Some((e, loc)) = &entity
                && !e.contains('/')
            {
                diags.push(
                    Diag::error(CODE, format!("`{e}` does not name an entity as `KIND/ID`"))
                        .at(*loc, "expected e.g. `vendor/crm-platform`")
                        .help(format!("write `vendor/{e}` or `data_store/{e}`")),
                );
                continue;
            }
            if diags[before..].iter().any(Diag::is_error) {
                continue;
            }
            if let (Some(r), Some(e), Some(re), Some(a), Some(x)) =
                (rule, entity, reason, approved, expires)
            {
                out.push(Waiver {
                    rule: r.0,
                    rule_loc: r.1,
                    entity: e.0,
                    entity_loc: e.1,
                    reason: re.0,
                    approved_by: a.0,
                    expires: x.0,
                    expires_loc: x.1,
                    loc: crate::nodes::first_line(file, item),
                });
            }
        }
    }
    out
}

/// The rule (its index in `program`) and the entity a waiver names, or the warning that
/// one of them is unknown. `apply` and `custody lint` share it.
pub fn resolve(
    w: &Waiver,
    program: &Program,
    inv: &Inventory,
    schema: &Schema,
) -> Result<(usize, EntityId), Box<Diag>> {
    let Some(ri) = program.rules.iter().position(|r| r.id == w.rule) else {
        return Err(Box::new(
            Diag::warning(
                "custody::waiver::unknown_rule",
                format!("waiver names unknown rule `{}`", w.rule),
            )
            .at(w.rule_loc, "no rule with this ID is loaded")
            .help(
                diag::suggest(
                    &w.rule,
                    program.rules.iter().map(|r| r.id.as_str()),
                    "rule IDs",
                )
                .unwrap_or_else(|| {
                    "correct the rule ID, or remove the waiver if the rule is gone".into()
                }),
            ),
        ));
    };
    let (kind_name, id) = w.entity.split_once('/').unwrap_or(("", &w.entity));
    let entity = schema
        .kind_by_name(kind_name)
        .and_then(|k| inv.lookup(k, id));
    let Some(entity) = entity else {
        let all: Vec<String> = inv
            .entities
            .iter()
            .map(|e| format!("{}/{}", schema.kind(e.kind).name, e.id))
            .collect();
        return Err(Box::new(
            Diag::warning(
                "custody::waiver::unknown_entity",
                format!("waiver names unknown entity `{}`", w.entity),
            )
            .at(w.entity_loc, "no such entity in the inventory")
            .help(
                diag::did_you_mean(&w.entity, all.iter().map(String::as_str))
                    .map(|n| format!("did you mean `{n}`?"))
                    .unwrap_or_else(|| {
                        "write the entity as `KIND/ID` as in the inventory, or remove the waiver"
                            .into()
                    }),
            ),
        ));
    };
    Ok((ri, entity))
}

/// Apply waivers to findings: live ones waive, expired ones are recorded on the finding.
/// Waivers naming unknown rules or entities, or matching no finding, are warnings.
/// `evaluated` says which rules ran (a rule left out by `--rule` cannot leave a waiver unmatched).
#[allow(clippy::too_many_arguments)]
pub fn apply(
    findings: &mut [Finding],
    waivers: &[Waiver],
    program: &Program,
    evaluated: &[bool],
    inv: &Inventory,
    schema: &Schema,
    as_of: Date,
    diags: &mut Vec<Diag>,
) {
    for (wi, w) in waivers.iter().enumerate() {
        let (ri, entity) = match resolve(w, program, inv, schema) {
            Ok(found) => found,
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        if !evaluated.get(ri).copied().unwrap_or(false) {
            continue;
        }
        match findings
            .iter_mut()
            .find(|f| f.rule == ri && f.entity == entity)
        {
            Some(f) if w.live(as_of) => {
                if matches!(f.status, Status::Fail) {
                    f.status = Status::Waived(wi);
                    f.expired_waiver = None;
                }
            }
            Some(f) => {
                if matches!(f.status, Status::Fail)
                    && f.expired_waiver.is_none_or(|(_, d)| d < w.expires)
                {
                    f.expired_waiver = Some((wi, w.expires));
                }
            }
            None => diags.push(
                Diag::warning(
                    "custody::waiver::unmatched",
                    format!(
                        "waiver for `{}` on `{}` matches no finding",
                        w.rule, w.entity
                    ),
                )
                .at(w.loc, "this waiver is not needed")
                .help("no finding of this rule names this entity (it passes, or the rule does not select it); remove the waiver"),
            ),
        }
    }
}
