//! `--format oscal`: an OSCAL 1.1.2 assessment-results document (JSON), for GRC tools and
//! auditors that read NIST's Open Security Controls Assessment Language.
//!
//! One `result` for the run, starting at the as-of date at midnight UTC; its
//! `reviewed-controls` has a control selection per evaluated rule (the rule ID as the
//! control, its framework references as props); each failing (rule, entity) is one
//! `observation` (the evidence facts as `relevant-evidence`, the entity as its subject) and
//! one `finding` (the message, the rule as its `not-satisfied` objective, the framework
//! references as props) that cites it. Entities are `inventory-items` and custody itself a
//! `software` component of the result's `local-definitions`, so every UUID a subject or an
//! origin names is defined in the document. Waived and baselined findings are not findings
//! here; the result's props count them. The import-ap names a back-matter resource that
//! describes the policy set (custody has no separate assessment plan).
//!
//! Deterministic: UUIDs are version 5 (name-based) in [`namespace`], from names such as
//! the rule ID, entity and as-of date; no clock is read. Props that OSCAL does not define
//! are in the [`NS`] namespace (documented in docs/output.md).

use crate::eval::Finding;
use crate::report::{Report, entity_name, entity_str, entity_with_name_and_owner, one_line};
use serde::Serialize;
use std::collections::BTreeSet;
use uuid::Uuid;

/// The OSCAL version of the document: that of the schema it is validated against
/// (tests/fixtures/oscal/).
pub const OSCAL_VERSION: &str = "1.1.2";

/// The namespace of custody's own prop names (`rule`, `severity`, `framework-reference`, …).
pub const NS: &str = "https://github.com/custody-dev/custody/ns/oscal";

/// The namespace of custody's UUIDs: the v5 UUID of [`NS`] in the URL namespace.
pub fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes())
}

/// A v5 UUID from the parts of a name (joined by line breaks, which no part contains in a
/// way that makes two names equal: rule IDs and dates have none).
fn uuid(parts: &[&str]) -> String {
    Uuid::new_v5(&namespace(), parts.join("\n").as_bytes()).to_string()
}

#[derive(Serialize)]
struct Document {
    #[serde(rename = "assessment-results")]
    assessment_results: AssessmentResults,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentResults {
    uuid: String,
    metadata: Metadata,
    import_ap: ImportAp,
    results: Vec<AssessmentResult>,
    back_matter: BackMatter,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata {
    title: String,
    last_modified: String,
    version: String,
    oscal_version: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
}

#[derive(Serialize)]
struct ImportAp {
    href: String,
    remarks: String,
}

#[derive(Serialize)]
struct BackMatter {
    resources: Vec<Resource>,
}

#[derive(Serialize)]
struct Resource {
    uuid: String,
    title: String,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentResult {
    uuid: String,
    title: String,
    description: String,
    start: String,
    end: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
    local_definitions: LocalDefinitions,
    reviewed_controls: ReviewedControls,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    observations: Vec<Observation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<OscalFinding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct LocalDefinitions {
    components: Vec<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    inventory_items: Vec<InventoryItem>,
}

#[derive(Serialize)]
struct Component {
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    description: &'static str,
    props: Vec<Prop>,
    status: State,
}

#[derive(Serialize)]
struct State {
    state: &'static str,
}

#[derive(Serialize)]
struct InventoryItem {
    uuid: String,
    description: String,
    props: Vec<Prop>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ReviewedControls {
    description: String,
    control_selections: Vec<ControlSelection>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlSelection {
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    include_controls: Vec<ControlId>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlId {
    control_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Observation {
    uuid: String,
    title: String,
    description: String,
    props: Vec<Prop>,
    methods: Vec<&'static str>,
    types: Vec<&'static str>,
    origins: Vec<Origin>,
    subjects: Vec<Subject>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    relevant_evidence: Vec<Evidence>,
    collected: String,
}

#[derive(Serialize)]
struct Origin {
    actors: Vec<Actor>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Actor {
    #[serde(rename = "type")]
    kind: &'static str,
    actor_uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Subject {
    subject_uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
}

#[derive(Serialize)]
struct Evidence {
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct OscalFinding {
    uuid: String,
    title: String,
    description: String,
    props: Vec<Prop>,
    origins: Vec<Origin>,
    target: Target,
    related_observations: Vec<RelatedObservation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Target {
    #[serde(rename = "type")]
    kind: &'static str,
    target_id: String,
    status: TargetStatus,
}

#[derive(Serialize)]
struct TargetStatus {
    state: &'static str,
    reason: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RelatedObservation {
    observation_uuid: String,
}

/// A name/value pair in custody's namespace.
#[derive(Serialize)]
struct Prop {
    name: &'static str,
    ns: &'static str,
    value: String,
}

/// A prop, or none when the value is blank: OSCAL's string values are one line, with no
/// blanks at either end, and not empty.
fn prop(name: &'static str, value: impl AsRef<str>) -> Option<Prop> {
    let value = one_line(value.as_ref());
    (!value.is_empty()).then_some(Prop {
        name,
        ns: NS,
        value,
    })
}

/// Text for a field OSCAL requires, never empty.
fn or_none(s: String, none: &str) -> String {
    if s.trim().is_empty() {
        none.to_owned()
    } else {
        s
    }
}

fn origins(tool: &str) -> Vec<Origin> {
    vec![Origin {
        actors: vec![Actor {
            kind: "tool",
            actor_uuid: tool.to_owned(),
        }],
    }]
}

/// The rule's props: its ID, severity and each framework reference, in the order written.
fn rule_props(rule: &crate::check::CheckedRule) -> Vec<Prop> {
    [
        prop("rule", rule.id.to_string()),
        prop("severity", rule.severity.as_str()),
    ]
    .into_iter()
    .chain(
        rule.references
            .iter()
            .map(|r| prop("framework-reference", r)),
    )
    .flatten()
    .collect()
}

fn evidence(r: &Report, f: &Finding) -> Vec<Evidence> {
    let selected = f.selected().iter().map(|x| (x, "selected"));
    let failed = f
        .failed
        .iter()
        .flat_map(|x| &x.facts)
        .map(|x| (x, "failed"));
    selected
        .chain(failed)
        .map(|(fact, role)| Evidence {
            description: or_none(fact.text.clone(), "(no text)"),
            props: [
                prop("evidence-role", role),
                fact.loc
                    .and_then(|l| prop("location", r.project.sources.display(l))),
            ]
            .into_iter()
            .flatten()
            .collect(),
        })
        .collect()
}

pub fn render(r: &Report) -> String {
    let as_of = r.project.as_of.to_string();
    let at = format!("{as_of}T00:00:00Z");
    let summary = crate::report::summary(r);
    let tool = uuid(&["tool", "custody"]);
    let evaluated: Vec<&crate::check::CheckedRule> = r
        .program
        .rules
        .iter()
        .enumerate()
        .filter(|(i, _)| r.evaluated.get(*i).copied().unwrap_or(false))
        .map(|(_, rule)| rule)
        .collect();
    let failing: Vec<&Finding> = r.failing().collect();

    // The plan: the policy set, described in the back matter.
    let rule_ids: Vec<String> = evaluated.iter().map(|x| x.id.to_string()).collect();
    let mut plan_name = vec!["assessment-plan"];
    plan_name.extend(rule_ids.iter().map(String::as_str));
    let plan = uuid(&plan_name);
    let files: Vec<&str> = r
        .program
        .files
        .iter()
        .map(|f| r.project.sources.name(*f))
        .collect();
    let resource = Resource {
        uuid: plan.clone(),
        title: "custody policy set".to_owned(),
        description: format!(
            "The rules custody evaluated: {} rule{} from {} policy file{}.",
            evaluated.len(),
            if evaluated.len() == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        ),
        props: files
            .iter()
            .filter_map(|f| prop("policy-file", f))
            .collect(),
    };

    // Subjects: each entity with a failing finding, in entity order.
    let entities: BTreeSet<crate::inventory::EntityId> = failing.iter().map(|f| f.entity).collect();
    let inventory_items: Vec<InventoryItem> = entities
        .iter()
        .map(|&e| {
            let name = entity_name(r, e);
            let ent = r.project.inventory.get(e);
            InventoryItem {
                uuid: uuid(&["entity", &name]),
                description: entity_with_name_and_owner(r, e),
                props: [
                    prop("entity", &name),
                    prop("kind", &r.project.schema.kind(ent.kind).name),
                    entity_str(r, e, "name").and_then(|v| prop("name", v)),
                    entity_str(r, e, "owner").and_then(|v| prop("owner", v)),
                ]
                .into_iter()
                .flatten()
                .collect(),
            }
        })
        .collect();

    let mut observations = Vec::with_capacity(failing.len());
    let mut findings = Vec::with_capacity(failing.len());
    for f in &failing {
        let rule = &r.program.rules[f.rule];
        let id = rule.id.to_string();
        let entity = entity_name(r, f.entity);
        let observation = uuid(&["observation", &as_of, &id, &entity]);
        let mut props = vec![prop("rule", &id), prop("entity", &entity)];
        props.extend(
            f.expired_waiver
                .map(|(_, until)| prop("expired-waiver", until.to_string())),
        );
        observations.push(Observation {
            uuid: observation.clone(),
            title: format!("{id} on {entity}"),
            description: or_none(f.message().to_owned(), &rule.title),
            props: props.into_iter().flatten().collect(),
            methods: vec!["EXAMINE"],
            types: vec!["finding"],
            origins: origins(&tool),
            subjects: vec![Subject {
                subject_uuid: uuid(&["entity", &entity]),
                kind: "inventory-item",
                title: entity.clone(),
            }],
            relevant_evidence: evidence(r, f),
            collected: at.clone(),
        });
        let mut props = rule_props(rule);
        props.extend(prop("entity", &entity));
        props.extend(prop("fingerprint", crate::report::fingerprint(r, f)));
        findings.push(OscalFinding {
            uuid: uuid(&["finding", &as_of, &id, &entity]),
            title: format!("{id} {}: {entity}", rule.title),
            description: or_none(f.message().to_owned(), &rule.title),
            props,
            origins: origins(&tool),
            target: Target {
                kind: "objective-id",
                target_id: id,
                status: TargetStatus {
                    state: "not-satisfied",
                    reason: "fail",
                },
            },
            related_observations: vec![RelatedObservation {
                observation_uuid: observation,
            }],
            remarks: rule.remediation.clone().filter(|s| !s.trim().is_empty()),
        });
    }

    let mut control_selections: Vec<ControlSelection> = evaluated
        .iter()
        .map(|rule| ControlSelection {
            description: format!("{} {}", rule.id, rule.title),
            props: rule_props(rule),
            include_controls: vec![ControlId {
                control_id: rule.id.to_string(),
            }],
        })
        .collect();
    if control_selections.is_empty() {
        control_selections.push(ControlSelection {
            description: "No rule was evaluated.".to_owned(),
            props: Vec::new(),
            include_controls: Vec::new(),
        });
    }

    let errors: Vec<String> = r
        .project
        .diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| match &d.primary {
            Some(l) => format!(
                "- {} ({}): {}",
                r.project.sources.display(l.loc),
                d.code,
                d.message
            ),
            None => format!("- {}: {}", d.code, d.message),
        })
        .collect();
    let remarks = (!errors.is_empty()).then(|| {
        format!(
            "The input has {} error{}; rules or entities may be missing from these results.\n\n{}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            errors.join("\n")
        )
    });

    // The document and result identities follow what was assessed and found.
    let fingerprints: Vec<String> = failing
        .iter()
        .map(|f| crate::report::fingerprint(r, f))
        .collect();
    let mut name = vec![as_of.as_str(), plan.as_str()];
    name.extend(fingerprints.iter().map(String::as_str));
    let mut doc_name = vec!["assessment-results"];
    doc_name.extend(name.iter().copied());
    let mut result_name = vec!["result"];
    result_name.extend(name.iter().copied());

    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let result = AssessmentResult {
        uuid: uuid(&result_name),
        title: format!("custody check as of {as_of}"),
        description: format!(
            "{} evaluated over {}: {} failing, {} waived, {} baselined.",
            plural(summary.rules, "rule", "rules"),
            plural(summary.entities, "entity", "entities"),
            summary.failing,
            summary.waived,
            summary.baselined
        ),
        start: at.clone(),
        end: at.clone(),
        props: [
            prop("rules-evaluated", summary.rules.to_string()),
            prop("entities", summary.entities.to_string()),
            prop("failing-findings", summary.failing.to_string()),
            prop("waived-findings", summary.waived.to_string()),
            prop("baselined-findings", summary.baselined.to_string()),
            prop("input-errors", summary.errors.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect(),
        local_definitions: LocalDefinitions {
            components: vec![Component {
                uuid: tool.clone(),
                kind: "software",
                title: "custody",
                description: "The policy-as-code compliance evaluator that produced these results.",
                props: prop("version", env!("CARGO_PKG_VERSION"))
                    .into_iter()
                    .collect(),
                status: State {
                    state: "operational",
                },
            }],
            inventory_items,
        },
        reviewed_controls: ReviewedControls {
            description: "The rules custody evaluated, each with its framework references."
                .to_owned(),
            control_selections,
        },
        observations,
        findings,
        remarks,
    };
    let doc = Document {
        assessment_results: AssessmentResults {
            uuid: uuid(&doc_name),
            metadata: Metadata {
                title: format!("custody assessment results as of {as_of}"),
                last_modified: at.clone(),
                version: as_of.clone(),
                oscal_version: OSCAL_VERSION,
                props: prop("as-of", &as_of).into_iter().collect(),
            },
            import_ap: ImportAp {
                href: format!("#{plan}"),
                remarks: "custody has no separate assessment plan: the plan is the policy set \
                          described by this back-matter resource."
                    .to_owned(),
            },
            results: vec![result],
            back_matter: BackMatter {
                resources: vec![resource],
            },
        },
    };
    // INVARIANT: these types serialize infallibly (strings and vectors of them).
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
