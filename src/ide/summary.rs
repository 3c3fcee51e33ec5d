//! The Markdown both sides of the editor show: an entity's summary and the findings on it, a
//! rule's title, severity and counts, a category's place in the taxonomy, a field's type
//! and doc; and the lookups behind definition and references of rules and entities.

use crate::ast::{ClauseKind, Item};
use crate::check::Checked;
use crate::eval::{Finding, Status};
use crate::inventory::{CatId, EntityId, FieldId, FieldType, KindId, Value};
use crate::source::Loc;

/// At most this many fields in an entity's summary, and list elements in a value.
const SUMMARY_FIELDS: usize = 8;
const LIST_ELEMENTS: usize = 5;

/// How the findings of one rule (or on one entity) stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Counts {
    pub fail: usize,
    pub waived: usize,
    pub baselined: usize,
}

impl Counts {
    pub fn add(&mut self, f: &Finding) {
        match f.status {
            Status::Fail => self.fail += 1,
            Status::Waived(_) => self.waived += 1,
            Status::Baselined => self.baselined += 1,
        }
    }
    /// `3 failing · 1 waived`, `passing`.
    pub fn words(&self) -> String {
        let mut parts = Vec::new();
        if self.fail > 0 {
            parts.push(format!("{} failing", self.fail));
        }
        if self.waived > 0 {
            parts.push(format!("{} waived", self.waived));
        }
        if self.baselined > 0 {
            parts.push(format!("{} baselined", self.baselined));
        }
        if self.fail == 0 {
            parts.insert(0, "passing".to_string());
        }
        parts.join(" · ")
    }
}

/// Where a rule is evaluated from, when it is: its index in the program, if the rule of
/// that id is the one in the program.
pub(super) fn rule_index(checked: &Checked, id: &str) -> Option<usize> {
    checked
        .program
        .rules
        .iter()
        .position(|r| r.id.as_str() == id)
}

/// The counts of a rule's findings; `None` when it was not evaluated (it has errors, is
/// disabled, or the project has errors and nothing was evaluated).
pub(super) fn rule_counts(checked: &Checked, findings: &[Finding], index: usize) -> Option<Counts> {
    if findings.is_empty() && checked.has_errors() {
        return None;
    }
    let mut c = Counts::default();
    findings
        .iter()
        .filter(|f| f.rule == index)
        .for_each(|f| c.add(f));
    Some(c)
}

/// The declaration of rule `id`: the checked rule's id, or, for a rule with errors, where
/// a policy file writes it.
pub(super) fn rule_decl(checked: &Checked, id: &str) -> Option<Loc> {
    if let Some(r) = checked.program.rules.iter().find(|r| r.id.as_str() == id) {
        return Some(r.loc);
    }
    checked.project.policies.files.iter().find_map(|pf| {
        pf.items.iter().find_map(|item| match item {
            Item::Rule(r) if r.id.name == id => Some(Loc::new(pf.file, r.id.span)),
            Item::Rule(_) | Item::Let(_) => None,
        })
    })
}

/// A rule's hover: id, severity, title, and how its findings stand.
pub(super) fn rule_markdown(checked: &Checked, findings: &[Finding], id: &str) -> Option<String> {
    if let Some(i) = rule_index(checked, id) {
        let r = checked.program.rules.get(i)?;
        let status = match rule_counts(checked, findings, i) {
            Some(c) => c.words(),
            None => "not evaluated (the project has errors)".to_string(),
        };
        let mut md = format!(
            "**{}** · {}\n\n{}\n\n{}",
            r.id,
            r.severity.as_str(),
            r.title,
            status
        );
        md.push_str(&format!("\n\n`{}`", location(checked, r.loc)));
        return Some(md);
    }
    // A rule with errors (or disabled): what the text says.
    for pf in &checked.project.policies.files {
        for item in &pf.items {
            let Item::Rule(r) = item else { continue };
            if r.id.name != id {
                continue;
            }
            let severity = r
                .clauses
                .iter()
                .find_map(|c| match &c.kind {
                    ClauseKind::Severity(s) => Some(s.name.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "medium".to_string());
            let why = if checked
                .program
                .disabled
                .iter()
                .any(|(d, _)| d.as_str() == id)
            {
                "disabled by `library.disable`"
            } else {
                "not evaluated (the rule has errors)"
            };
            let loc = Loc::new(pf.file, r.id.span);
            return Some(format!(
                "**{}** · {}\n\n{}\n\n{}\n\n`{}`",
                r.id.name,
                severity,
                r.title.value,
                why,
                location(checked, loc)
            ));
        }
    }
    None
}

/// `file:line`.
pub(super) fn location(checked: &Checked, loc: Loc) -> String {
    let sources = &checked.project.sources;
    let (line, _) = sources.line_col(loc);
    format!("{}:{}", sources.name(loc.file), line)
}

/// A category's hover: its path, description, parent and children.
pub(super) fn category_markdown(checked: &Checked, cat: CatId) -> String {
    let tax = &checked.project.taxonomy;
    let mut md = format!("**{}** (data category)", tax.name(cat));
    let doc = tax.doc(cat);
    if !doc.is_empty() {
        md.push_str(&format!("\n\n{doc}"));
    }
    if let Some(p) = tax.parent(cat) {
        md.push_str(&format!("\n\nparent: `{}`", tax.name(p)));
    }
    let children = tax.children(cat);
    if !children.is_empty() {
        let names: Vec<String> = children
            .iter()
            .map(|c| format!("`{}`", tax.name(*c)))
            .collect();
        md.push_str(&format!("\n\nchildren: {}", names.join(", ")));
    }
    md
}

/// A field's hover: `kind.field`, its schema type and doc.
pub(super) fn field_markdown(checked: &Checked, kind: KindId, field: FieldId) -> String {
    let schema = &checked.project.schema;
    let k = schema.kind(kind);
    let f = k.field_schema(field);
    let mut md = if crate::inventory::Schema::is_link(kind) {
        // The list field whose entries carry this link.
        let list = schema.kinds.iter().find_map(|owner| {
            owner
                .fields
                .iter()
                .find(|lf| lf.link == Some(kind))
                .map(|lf| format!("{}.{}", owner.name, lf.name))
        });
        format!(
            "**link.{}**: `{}`{}",
            f.name,
            schema.type_name(&f.ty),
            list.map(|l| format!(" (on `{l}` entries)"))
                .unwrap_or_default()
        )
    } else {
        format!("**{}.{}**: `{}`", k.name, f.name, schema.type_name(&f.ty))
    };
    if let Some(w) = f.when {
        md.push_str(&format!(" (when: {})", w.as_str()));
    }
    if let Some((rk, rf)) = f.reverse_of {
        let rk = schema.kind(rk);
        md.push_str(&format!(
            "\n\nread-only: the {} entities whose `{}` names this one",
            rk.name,
            rk.field_schema(rf).name
        ));
    }
    if !f.doc.is_empty() {
        md.push_str(&format!("\n\n{}", f.doc));
    }
    md
}

/// The `id` every kind has.
pub(super) fn id_markdown(checked: &Checked, kind: KindId) -> String {
    let k = checked.project.schema.kind(kind);
    format!(
        "**{}.id**: `string`\n\nthe entity's id: letters, digits, `.`, `_`, `-`; unique among the {}",
        k.name, k.collection
    )
}

/// A kind's hover.
pub(super) fn kind_markdown(checked: &Checked, kind: KindId) -> String {
    let k = checked.project.schema.kind(kind);
    let mut md = format!("**{}** (kind; listed under `{}:`)", k.name, k.collection);
    if !k.doc.is_empty() {
        md.push_str(&format!("\n\n{}", k.doc));
    }
    md
}

/// An entity's summary and the findings on it.
pub(super) fn entity_markdown(checked: &Checked, findings: &[Finding], e: EntityId) -> String {
    let project = &checked.project;
    let schema = &project.schema;
    let ent = project.inventory.get(e);
    let k = schema.kind(ent.kind);
    let text = |name: &str| {
        k.field(name)
            .and_then(|f| ent.field(f))
            .map(|f| value_text(checked, &f.value))
    };
    let mut md = format!("**{}/{}**", k.name, ent.id);
    if let Some(name) = text("name") {
        md.push_str(&format!(" — {name}"));
    }
    let mut lines = Vec::new();
    for (fid, f) in k.members(None) {
        if lines.len() == SUMMARY_FIELDS {
            break;
        }
        if matches!(f.name.as_str(), "name" | "description") || f.reverse_of.is_some() {
            continue;
        }
        let scalar = match &f.ty {
            FieldType::String
            | FieldType::Number
            | FieldType::Bool
            | FieldType::Date
            | FieldType::Category
            | FieldType::Enum(_)
            | FieldType::Ref(_) => true,
            FieldType::List(_) | FieldType::Object => false,
        };
        if !scalar {
            continue;
        }
        if let Some(v) = ent.field(fid) {
            lines.push(format!("{}: `{}`", f.name, value_text(checked, &v.value)));
        }
    }
    if !lines.is_empty() {
        md.push_str("\n\n");
        md.push_str(&lines.join("  \n"));
    }
    md.push_str(&format!("\n\n`{}`", location(checked, ent.id_loc)));
    md.push_str(&findings_markdown(checked, findings, e));
    md
}

/// The failing findings on `e` (rule, severity, message), then how many are waived.
fn findings_markdown(checked: &Checked, findings: &[Finding], e: EntityId) -> String {
    let mut counts = Counts::default();
    let mut failing = Vec::new();
    for f in findings.iter().filter(|f| f.entity == e) {
        counts.add(f);
        if f.status == Status::Fail
            && let Some(r) = checked.program.rules.get(f.rule)
        {
            let message = if f.message().is_empty() {
                r.title.as_str()
            } else {
                f.message()
            };
            failing.push(format!(
                "- **{}** ({}): {}",
                r.id,
                r.severity.as_str(),
                message
            ));
        }
    }
    if findings.is_empty() && checked.has_errors() {
        return "\n\nfindings: not evaluated (the project has errors)".to_string();
    }
    let mut md = String::new();
    if failing.is_empty() {
        md.push_str("\n\nno failing findings");
    } else {
        md.push_str(&format!("\n\n{} failing:\n", failing.len()));
        md.push_str(&failing.join("\n"));
    }
    let mut rest = Vec::new();
    if counts.waived > 0 {
        rest.push(format!("{} waived", counts.waived));
    }
    if counts.baselined > 0 {
        rest.push(format!("{} baselined", counts.baselined));
    }
    if !rest.is_empty() {
        md.push_str(&format!("\n\n{}", rest.join(" · ")));
    }
    md
}

/// A value as the inventory would write it.
fn value_text(checked: &Checked, v: &Value) -> String {
    let project = &checked.project;
    match v {
        Value::Str(s) => s.to_string(),
        Value::Num(n) => crate::eval::value::num(*n),
        Value::Bool(b) => b.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Cat(c) => project.taxonomy.name(*c).to_string(),
        Value::Ref(e) => project.inventory.get(*e).id.to_string(),
        Value::List(items) => {
            let mut parts: Vec<String> = items
                .iter()
                .take(LIST_ELEMENTS)
                .map(|f| value_text(checked, &f.value))
                .collect();
            if items.len() > LIST_ELEMENTS {
                parts.push("…".to_string());
            }
            format!("[{}]", parts.join(", "))
        }
        Value::Object => "{…}".to_string(),
    }
}

/// Every place the inventory or the waivers name entity `e`: reference fields (and their
/// list elements) of every entity, and waivers' `entity:`.
pub(super) fn entity_uses(checked: &Checked, e: EntityId) -> Vec<Loc> {
    let project = &checked.project;
    let schema = &project.schema;
    let mut out = Vec::new();
    for ent in &project.inventory.entities {
        let k = schema.kind(ent.kind);
        for (i, field) in ent.fields.iter() {
            // Reverse lists repeat the forward references' locations.
            let computed = k
                .fields
                .get(usize::from(i.0))
                .is_none_or(|f| f.reverse_of.is_some());
            if computed {
                continue;
            }
            match &field.value {
                Value::Ref(r) if *r == e => out.push(ent.loc_of(field)),
                Value::List(items) => out.extend(
                    items
                        .iter()
                        .filter(|x| x.value == Value::Ref(e))
                        .map(|x| ent.loc_of(x)),
                ),
                Value::Ref(_)
                | Value::Str(_)
                | Value::Num(_)
                | Value::Bool(_)
                | Value::Date(_)
                | Value::Cat(_)
                | Value::Object => {}
            }
        }
    }
    for w in &project.waivers {
        if project.inventory.find(schema, &w.entity) == Some(e) {
            out.push(w.entity_loc);
        }
    }
    out
}
