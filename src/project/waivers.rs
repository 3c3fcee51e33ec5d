//! Stage 4 of loading: the waivers file. A waiver is an accepted risk: while it is live, the
//! finding it names has status `waived` and does not fail the run (applied by
//! `eval::waivers`). Every malformed waiver is an error.

use crate::diag::Diag;
use crate::diag::code::Code;
use crate::diag::codes;
use crate::source::{FileId, Loc};
use crate::types::{EntityRef, RuleId, WaiverId};
use crate::yaml::map::{MapReader, kind_words};
use crate::yaml::{Node, NodeKind};
use jiff::civil::Date;

#[derive(Clone, Debug, PartialEq)]
pub struct Waiver {
    pub rule: RuleId,
    pub rule_loc: Loc,
    pub entity: EntityRef,
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

/// The waiver `id` names in `list`, the list it was made for; `None` when out of range.
pub fn get(list: &[Waiver], id: WaiverId) -> Option<&Waiver> {
    list.get(id.index())
}

/// Each waiver of `list` with its id.
pub fn enumerate(list: &[Waiver]) -> impl Iterator<Item = (WaiverId, &Waiver)> {
    list.iter().enumerate().map(|(i, w)| (WaiverId::new(i), w))
}

const CODE: &Code = &codes::waiver::MALFORMED;
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
                Diag::new(CODE, "the waivers file has no `waivers:` list")
                    .at(crate::yaml::map::first_line(file, doc), "expected `waivers:` here")
                    .help("write `waivers:` followed by a list of entries with rule, entity, reason, approved_by and expires"),
            );
            continue;
        };
        let items: &[Node] = match &list.kind {
            NodeKind::Seq(items) => items,
            NodeKind::Null => &[],
            _ => {
                diags.push(
                    Diag::new(
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
                            Diag::new(CODE, format!("`{s}` is not a valid date"))
                                .at(loc, "expected a date such as 2027-03-31")
                                .help("write the expiry as an ISO date, YYYY-MM-DD"),
                        );
                        None
                    }
                });
            let entity = match entity {
                Some((e, loc)) => match EntityRef::parse(&e) {
                    Some(r) => Some((r, loc)),
                    None => {
                        diags.push(
                            Diag::new(CODE, format!("`{e}` does not name an entity as `KIND/ID`"))
                                .at(loc, "expected e.g. `vendor/crm-platform`")
                                .help(format!("write `vendor/{e}` or `data_store/{e}`")),
                        );
                        continue;
                    }
                },
                None => None,
            };
            if diags[before..].iter().any(Diag::is_error) {
                continue;
            }
            if let (Some(r), Some(e), Some(re), Some(a), Some(x)) =
                (rule, entity, reason, approved, expires)
            {
                out.push(Waiver {
                    rule: RuleId::new(r.0),
                    rule_loc: r.1,
                    entity: e.0,
                    entity_loc: e.1,
                    reason: re.0,
                    approved_by: a.0,
                    expires: x.0,
                    expires_loc: x.1,
                    loc: crate::yaml::map::first_line(file, item),
                });
            }
        }
    }
    out
}
