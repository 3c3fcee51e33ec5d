//! Applying waivers to findings: a live waiver turns a finding's status to `waived`; an
//! expired one is recorded on the finding. The waivers themselves are read by
//! `project::waivers`.

use crate::check::Program;
use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::eval::{Finding, Status};
use crate::inventory::{EntityId, Inventory, Schema};
use crate::project::waivers::Waiver;
use crate::types::EntityRef;
use jiff::civil::Date;

/// The rule (its index in `program`) and the entity a waiver names, or the warning that
/// one of them is unknown. `apply` and `custody lint` share it.
pub fn resolve(
    w: &Waiver,
    program: &Program,
    inv: &Inventory,
    schema: &Schema,
) -> Result<(usize, EntityId), Box<Diag>> {
    let Some(ri) = program.rules.iter().position(|r| r.id == w.rule) else {
        if let Some((_, loc)) = program.disabled.iter().find(|(id, _)| *id == w.rule) {
            return Err(Box::new(
                Diag::new(
                    &codes::waiver::DISABLED_RULE,
                    format!(
                        "waiver names `{}`, which `library.disable` turns off",
                        w.rule
                    ),
                )
                .at(w.rule_loc, "this rule does not run")
                .also(*loc, "disabled here")
                .help(format!(
                    "remove the waiver, or remove `{}` from `library.disable` if the rule should run",
                    w.rule
                )),
            ));
        }
        return Err(Box::new(
            Diag::new(
                &codes::waiver::UNKNOWN_RULE,
                format!("waiver names unknown rule `{}`", w.rule),
            )
            .at(w.rule_loc, "no rule with this ID is loaded")
            .help(
                diag::suggest(
                    w.rule.as_str(),
                    program.rules.iter().map(|r| r.id.as_str()),
                    "rule IDs",
                )
                .unwrap_or_else(|| {
                    "correct the rule ID, or remove the waiver if the rule is gone".into()
                }),
            ),
        ));
    };
    let Some(entity) = inv.find(schema, &w.entity) else {
        let all: Vec<String> = inv
            .entities
            .iter()
            .map(|e| EntityRef::new(schema.kind(e.kind).name.as_str(), &*e.id).to_string())
            .collect();
        return Err(Box::new(
            Diag::new(
                &codes::waiver::UNKNOWN_ENTITY,
                format!("waiver names unknown entity `{}`", w.entity),
            )
            .at(w.entity_loc, "no such entity in the inventory")
            .help(
                diag::did_you_mean(&w.entity.to_string(), all.iter().map(String::as_str))
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
    for (wi, w) in crate::project::waivers::enumerate(waivers) {
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
                Diag::new(
                    &codes::waiver::UNMATCHED,
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
