//! The editor queries (`custody::ide`) on a small project on disk: a custody.yaml, a
//! two-file inventory, two policy files (a `let`, an export, three rules) and a waiver,
//! loaded, checked and evaluated as `custody check` does. Each query is made at an offset
//! found by searching the text for a marker; hovers and completion lists are snapshots,
//! definitions are asserted by file name and line. A second project adds files being typed
//! (a policy ending in `v.`, a rule without `require`, a YAML entity half written).

mod common;

use custody::check::Checked;
use custody::eval::Finding;
use custody::ide::{self, Completion, CompletionKind};
use custody::source::{FileId, Loc};

const CONFIG: &str = "policies: [policies]\ninventory: [inventory]\nwaivers: waivers.yaml\n";

const VENDORS: &str = "\
# Vendors: ünïcödé before every query, so offsets are bytes, not characters.
vendors:
  - id: acme
    name: Acme Corp — Zürich
    owner: jo@example.com
    tier: high
    country: CH
    handles: [personal.contact.email, personal.contact.address]
    accesses:
      - crm
      - {id: warehouse, access: write}
    contract:
      dpa_signed: true
      expires: 2027-01-01
    last_audit: 2024-01-01

  - id: beta
    name: Beta Ltd
    tier: low
    subprocessors: [acme]
";

const STORES: &str = "\
data_stores:
  - id: crm
    name: Customer CRM
    kind: saas
    holds:
      - personal.contact.email
    hosted_by: acme
  - id: warehouse
    name: Warehouse
    holds: [business.financial]
";

const MAIN: &str = r#"# Rules for the editor tests (ünïcödé).
let address = personal.contact.address

rule TPR-001 "Vendors handling addresses are audited yearly" {
  severity high
  for vendor v where v handles address
  require v.last_audit within 12 months
}

rule TPR-002 "High-tier vendors sign a DPA and never get admin" {
  for vendor v where v.tier == "high"
  require v.contract.dpa_signed
  require all s in v.accesses: s.link.access != "admin"
}
"#;

const SHARED: &str = r#"export let approved = ["CH", "AU"]

rule TPR-003 "Vendors are in approved countries" {
  severity low
  for vendor v
  require v.country in approved
}

rule TPR-004 "Fourth parties are near" {
  severity info
  message "{v.name} ({v.country}), audited {days_since(v.last_audit)} days ago"
  for vendor v
  require all p in v.supply_chain: p.depth < 3 or p.via.id == v.id
}
"#;

const WAIVERS: &str = "\
waivers:
  - rule: TPR-003
    entity: vendor/beta
    reason: moving to an approved country
    approved_by: ciso
    expires: 2027-01-01
";

/// Text being typed: a path ending in `.`, a rule missing its `require`, non-ASCII text
/// before the cursor.
const DRAFT: &str = r#"rule TPR-900 "Draft ünïcödé" {
  for vendor v where v.name == "Zürich AG" and v.
  require v.contract.
}

rule TPR-901 "No require yet" {
  severity h
  for data_store s where s holds personal.con
}

rule TPR-902 "Sources" {
  for vendor v
  require count(data_store x where x.hosted_by == v) > 0 and 
  require all s in v.accesses: s.link.
  require v.tier == "
  require v handles [personal.contact.email, 
  require v.mfa_enforced
  
}

rule TPR-903 "Templates" {
  message "{v.con
  message "Hi {
  for vendor v
}
"#;

const DRAFT_YAML: &str = "\
vendors:
  - id: gamma
    name: Gamma
    tier: 
    contract:
      dpa
    accesses:
      - w
      - {id: crm, acc
    handles: [personal.contact.email, personal.co
    subprocessors: [a
    la
";

struct Project {
    _dir: tempfile::TempDir,
    checked: Checked,
    findings: Vec<Finding>,
}

impl Project {
    fn new(extra: &[(&str, &str)]) -> Project {
        let mut files = vec![
            ("custody.yaml", CONFIG),
            ("inventory/vendors.yaml", VENDORS),
            ("inventory/stores.yaml", STORES),
            ("policies/main.policy", MAIN),
            ("policies/shared.policy", SHARED),
            ("waivers.yaml", WAIVERS),
        ];
        files.extend_from_slice(extra);
        let (dir, report) = common::run_files(&files);
        let checked = Checked {
            project: report.project,
            program: report.program,
        };
        Project {
            _dir: dir,
            checked,
            findings: report.findings,
        }
    }

    fn file(&self, suffix: &str) -> FileId {
        let sources = &self.checked.project.sources;
        (0..sources.len() as u32)
            .map(FileId)
            .find(|f| sources.name(*f).ends_with(suffix))
            .unwrap_or_else(|| panic!("no file {suffix}"))
    }

    fn text(&self, file: FileId) -> &str {
        self.checked.project.sources.text(file)
    }

    /// The offset of `marker` in `file` (its `n`th occurrence), plus `into` bytes.
    fn at(&self, suffix: &str, marker: &str, n: usize, into: usize) -> (FileId, u32) {
        let file = self.file(suffix);
        let text = self.text(file);
        let start = text
            .match_indices(marker)
            .nth(n)
            .unwrap_or_else(|| panic!("no {marker:?} #{n} in {suffix}"))
            .0;
        (file, (start + into) as u32)
    }

    /// The offset right after `marker`.
    fn after(&self, suffix: &str, marker: &str) -> (FileId, u32) {
        self.at(suffix, marker, 0, marker.len())
    }

    fn hover(&self, (file, offset): (FileId, u32)) -> String {
        match ide::hover(&self.checked, &self.findings, file, offset) {
            Some(h) => format!(
                "[{}]\n{}",
                &self.checked.project.sources.text(file)[h.span.range()],
                h.markdown
            ),
            None => "(none)".to_string(),
        }
    }

    fn complete(&self, (file, offset): (FileId, u32)) -> String {
        ide::completion(&self.checked, file, offset)
            .iter()
            .map(|c| self.item(file, c))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn labels(&self, (file, offset): (FileId, u32)) -> Vec<String> {
        ide::completion(&self.checked, file, offset)
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    fn item(&self, file: FileId, c: &Completion) -> String {
        let replaced = &self.text(file)[c.replace.range()];
        format!(
            "{:?} {} [{replaced}]{}",
            c.kind,
            c.label,
            c.detail
                .as_ref()
                .map(|d| format!(" — {d}"))
                .unwrap_or_default()
        )
    }

    /// `file:line: text of the line` for each location.
    fn places(&self, locs: &[Loc]) -> Vec<String> {
        let sources = &self.checked.project.sources;
        locs.iter()
            .map(|l| {
                let (line, _) = sources.line_col(*l);
                let name = sources.name(l.file);
                let name = name.rsplit('/').next().unwrap_or(name);
                format!("{name}:{line}: {}", sources.slice(*l))
            })
            .collect()
    }
}

fn clean() -> Project {
    let p = Project::new(&[]);
    assert!(
        !p.checked.has_errors(),
        "the clean project has errors: {:?}",
        p.checked.project.diags
    );
    p
}

fn typing() -> Project {
    Project::new(&[
        ("policies/draft.policy", DRAFT),
        ("inventory/draft.yaml", DRAFT_YAML),
    ])
}

// ---- policy hover ------------------------------------------------------------------------

#[test]
fn policy_hover() {
    let p = clean();
    let cases = [
        ("field (ordered enum)", p.at("main.policy", "v.tier", 0, 3)),
        ("nested field", p.at("main.policy", "dpa_signed", 0, 2)),
        ("link field", p.at("main.policy", "link.access", 0, 6)),
        (
            "category (whole path)",
            p.at("main.policy", "contact.address", 0, 9),
        ),
        (
            "category (a prefix of the path)",
            p.at("main.policy", "contact.address", 0, 1),
        ),
        (
            "let at its use",
            p.at("main.policy", "handles address", 0, 9),
        ),
        (
            "export at its use",
            p.at("shared.policy", "country in approved", 0, 12),
        ),
        ("rule id", p.at("main.policy", "TPR-001", 0, 2)),
        (
            "rule id with a waived finding",
            p.at("shared.policy", "TPR-003", 0, 0),
        ),
        ("variable", p.at("main.policy", "v.last_audit", 0, 0)),
        ("quantifier variable", p.at("main.policy", "s.link", 0, 0)),
        ("kind", p.at("main.policy", "vendor v", 0, 2)),
        ("keyword", p.at("main.policy", "within", 0, 3)),
        ("clause keyword", p.at("main.policy", "require", 0, 0)),
        ("severity word", p.at("main.policy", "high", 0, 1)),
        ("in a comment", p.at("main.policy", "editor", 0, 1)),
        (
            "a let where it is declared",
            p.at("main.policy", "address =", 0, 1),
        ),
        ("supply_chain", p.at("shared.policy", "supply_chain", 0, 1)),
        (
            "a supply chain element's depth",
            p.at("shared.policy", "depth", 0, 1),
        ),
        (
            "a supply chain element's via",
            p.at("shared.policy", "via", 0, 1),
        ),
        ("id", p.at("shared.policy", "via.id", 0, 4)),
        (
            "a field in a message template",
            p.at("shared.policy", "v.country}", 0, 3),
        ),
        (
            "a variable in a message template",
            p.at("shared.policy", "v.name}", 0, 0),
        ),
        (
            "a field in days_since(...) in a template",
            p.at("shared.policy", "last_audit)", 0, 2),
        ),
        ("template text", p.at("shared.policy", "audited {", 0, 2)),
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|(what, at)| format!("== {what}\n{}", p.hover(*at)))
        .collect();
    insta::assert_snapshot!(out.join("\n\n"));
}

// ---- policy completion --------------------------------------------------------------------

#[test]
fn policy_completion_while_typing() {
    let p = typing();
    let cases = [
        (
            "`v.` at the end of a line, after non-ASCII text",
            p.after("draft.policy", "and v."),
        ),
        ("object members", p.after("draft.policy", "v.contract.")),
        (
            "categories after a dotted prefix",
            p.after("draft.policy", "personal.con"),
        ),
        (
            "link fields of a quantifier variable",
            p.after("draft.policy", "s.link."),
        ),
        (
            "enum values in a string",
            p.after("draft.policy", "v.tier == \""),
        ),
        (
            "categories in a list",
            p.after("draft.policy", "contact.email, "),
        ),
        ("severity words", p.after("draft.policy", "severity h")),
        (
            "where an operand starts",
            p.after("draft.policy", "> 0 and "),
        ),
        (
            "clause keywords at the start of a line",
            p.at("draft.policy", "  \n}", 0, 2),
        ),
        (
            "fields in a message template",
            p.after("draft.policy", "{v.con"),
        ),
        (
            "variables in a message template",
            p.after("draft.policy", "Hi {"),
        ),
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|(what, at)| format!("== {what}\n{}", p.complete(*at)))
        .collect();
    insta::assert_snapshot!(out.join("\n\n"));
}

#[test]
fn policy_completion_on_whole_text() {
    let p = clean();
    // A prefix filters; a kind after `for`; fields after a nested path's dot.
    assert_eq!(
        p.labels(p.at("main.policy", "last_audit", 0, 4)),
        ["last_audit"]
    );
    let kinds = p.labels(p.at("main.policy", "vendor v where v handles", 0, 0));
    assert_eq!(kinds, ["vendor", "data_store"]);
    let fields = p.labels(p.at("main.policy", "dpa_signed", 0, 0));
    assert_eq!(
        fields,
        [
            "dpa_signed",
            "right_to_audit",
            "breach_notification_hours",
            "expires"
        ]
    );
    // `let`s and exports are offered as names where an operand starts.
    let names = p.labels(p.at("shared.policy", "approved\n", 0, 2));
    assert_eq!(names, ["approved"]);
    // A new name after `for KIND`; `in` after a quantifier's variable.
    assert!(
        p.labels(p.at("main.policy", "vendor v where v handles", 0, 7))
            .is_empty()
    );
    assert_eq!(
        p.labels(p.at("main.policy", "s in v.accesses", 0, 2)),
        ["in"]
    );
    // Nothing in a comment or a string that is not compared with an enum.
    assert!(p.labels(p.at("main.policy", "editor", 0, 3)).is_empty());
    assert!(
        p.labels(p.at("main.policy", "Vendors handling", 0, 3))
            .is_empty()
    );
    // Quantifier variables are names in their body.
    let items = ide::completion(
        &p.checked,
        p.file("main.policy"),
        p.at("main.policy", "s.link", 0, 0).1,
    );
    assert!(
        items
            .iter()
            .any(|c| c.label == "s" && c.kind == CompletionKind::Variable)
    );
}

// ---- YAML ---------------------------------------------------------------------------------

#[test]
fn yaml_hover() {
    let p = clean();
    let cases = [
        ("a field key", p.at("vendors.yaml", "tier:", 0, 1)),
        ("a nested field key", p.at("vendors.yaml", "expires:", 0, 1)),
        ("a collection key", p.at("vendors.yaml", "vendors:", 0, 2)),
        (
            "an entity id (findings on it)",
            p.at("vendors.yaml", "id: acme", 0, 5),
        ),
        (
            "a reference in a block list",
            p.at("vendors.yaml", "- crm", 0, 3),
        ),
        (
            "a reference in a flow mapping",
            p.at("vendors.yaml", "warehouse", 0, 2),
        ),
        ("a link key", p.at("vendors.yaml", "access: write", 0, 2)),
        (
            "a category in a flow list",
            p.at("vendors.yaml", "personal.contact.address", 0, 12),
        ),
        (
            "a category in a block list",
            p.at("stores.yaml", "personal.contact.email", 0, 3),
        ),
        (
            "a reference field's value",
            p.at("stores.yaml", "hosted_by: acme", 0, 12),
        ),
        ("an enum value", p.at("stores.yaml", "saas", 0, 1)),
        ("a waiver's rule", p.at("waivers.yaml", "TPR-003", 0, 3)),
        (
            "a waiver's entity (waived)",
            p.at("waivers.yaml", "vendor/beta", 0, 8),
        ),
        ("a waiver's key", p.at("waivers.yaml", "approved_by", 0, 3)),
        ("a custody.yaml key", p.at("custody.yaml", "waivers", 0, 2)),
        ("in a comment", p.at("vendors.yaml", "ünïcödé", 0, 2)),
        (
            "inside a multi-byte character",
            p.at("vendors.yaml", "Zürich", 0, 2),
        ),
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|(what, at)| format!("== {what}\n{}", p.hover(*at)))
        .collect();
    insta::assert_snapshot!(out.join("\n\n"));
}

#[test]
fn yaml_completion_while_typing() {
    let p = typing();
    let cases = [
        ("enum values", p.after("draft.yaml", "tier: ")),
        ("members of an object", p.after("draft.yaml", "dpa")),
        ("entity ids of the right kind", p.after("draft.yaml", "- w")),
        (
            "link keys in a flow mapping",
            p.after("draft.yaml", "crm, acc"),
        ),
        (
            "categories in a flow list",
            p.after("draft.yaml", "personal.co"),
        ),
        ("vendor ids in a flow list", p.after("draft.yaml", "[a")),
        (
            "entity keys not yet written",
            p.after("draft.yaml", "    la"),
        ),
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|(what, at)| format!("== {what}\n{}", p.complete(*at)))
        .collect();
    insta::assert_snapshot!(out.join("\n\n"));
}

#[test]
fn waiver_and_config_completion() {
    let p = clean();
    // A waiver's rule: every loaded rule's ID; its entity: `KIND/`, then that kind's ids.
    assert_eq!(
        p.labels(p.after("waivers.yaml", "rule: ")),
        ["TPR-001", "TPR-002", "TPR-003", "TPR-004"]
    );
    assert_eq!(
        p.labels(p.after("waivers.yaml", "entity: ")),
        ["vendor/", "data_store/"]
    );
    assert_eq!(
        p.labels(p.after("waivers.yaml", "entity: vendor/")),
        ["vendor/acme", "vendor/beta"]
    );
    // A waiver's keys, but not those it already has (`rule` is written).
    assert_eq!(p.labels(p.at("waivers.yaml", "reason", 0, 1)), ["reason"]);
    assert_eq!(p.labels(p.at("custody.yaml", "waivers", 0, 1)), ["waivers"]);
    // References of the right kind only: a store's `hosted_by` offers vendors.
    assert_eq!(
        p.labels(p.after("stores.yaml", "hosted_by: ")),
        ["acme", "beta"]
    );
}

// ---- definition and references ----------------------------------------------------------

#[test]
fn definitions() {
    let p = clean();
    let def = |at: (FileId, u32)| p.places(&ide::definition(&p.checked, at.0, at.1));
    // Policies: a `let`, an export, a bound variable.
    assert_eq!(
        def(p.at("main.policy", "handles address", 0, 9)),
        ["main.policy:2: address"]
    );
    assert_eq!(
        def(p.at("shared.policy", "country in approved", 0, 13)),
        ["shared.policy:1: approved"]
    );
    assert_eq!(
        def(p.at("main.policy", "s.link", 0, 0)),
        ["main.policy:13: s"]
    );
    assert_eq!(
        def(p.at("main.policy", "v.last_audit", 0, 0)),
        ["main.policy:6: v"]
    );
    // Waivers: the rule's declaration, the entity's id.
    assert_eq!(
        def(p.at("waivers.yaml", "TPR-003", 0, 1)),
        ["shared.policy:3: TPR-003"]
    );
    assert_eq!(
        def(p.at("waivers.yaml", "vendor/beta", 0, 9)),
        ["vendors.yaml:17: beta"]
    );
    // Inventory references, in block lists, flow mappings and plain fields.
    assert_eq!(
        def(p.at("vendors.yaml", "- crm", 0, 2)),
        ["stores.yaml:2: crm"]
    );
    assert_eq!(
        def(p.at("vendors.yaml", "warehouse", 0, 0)),
        ["stores.yaml:8: warehouse"]
    );
    assert_eq!(
        def(p.at("stores.yaml", "hosted_by: acme", 0, 11)),
        ["vendors.yaml:3: acme"]
    );
    assert_eq!(
        def(p.at("vendors.yaml", "[acme]", 0, 1)),
        ["vendors.yaml:3: acme"]
    );
    // Nothing on a field name or a keyword.
    assert!(def(p.at("main.policy", "v.tier", 0, 3)).is_empty());
    assert!(def(p.at("main.policy", "within", 0, 1)).is_empty());
}

#[test]
fn references() {
    let p = clean();
    let refs =
        |at: (FileId, u32), decl: bool| p.places(&ide::references(&p.checked, at.0, at.1, decl));
    // An entity: every reference across inventory files, and the waiver naming it.
    assert_eq!(
        refs(p.at("vendors.yaml", "id: acme", 0, 5), true),
        [
            "stores.yaml:7: acme",
            "vendors.yaml:3: acme",
            "vendors.yaml:20: acme",
        ]
    );
    assert_eq!(
        refs(p.at("vendors.yaml", "id: beta", 0, 5), false),
        ["waivers.yaml:3: vendor/beta"]
    );
    // A rule: its waivers (and its declaration).
    assert_eq!(
        refs(p.at("shared.policy", "TPR-003", 0, 0), true),
        ["shared.policy:3: TPR-003", "waivers.yaml:2: TPR-003"]
    );
    // An export: every use in every policy file; a file `let`: its file.
    assert_eq!(
        refs(p.at("shared.policy", "approved", 0, 0), true),
        ["shared.policy:1: approved", "shared.policy:6: approved"]
    );
    assert_eq!(
        refs(p.at("main.policy", "address", 0, 0), false),
        ["main.policy:6: address"]
    );
    // A variable: its uses in its rule.
    assert_eq!(
        refs(p.at("main.policy", "vendor v where v.tier", 0, 7), false),
        [
            "main.policy:11: v",
            "main.policy:12: v",
            "main.policy:13: v",
        ]
    );
}

// ---- symbols and lenses -------------------------------------------------------------------

#[test]
fn symbols() {
    let p = clean();
    let show = |suffix: &str| {
        let file = p.file(suffix);
        let text = p.text(file);
        let mut out = Vec::new();
        fn walk(out: &mut Vec<String>, text: &str, syms: &[ide::Symbol], depth: usize) {
            for s in syms {
                assert!(s.span.start <= s.selection.start && s.selection.end <= s.span.end);
                out.push(format!(
                    "{}{:?} {} — {} [{}]",
                    "  ".repeat(depth),
                    s.kind,
                    s.name,
                    s.detail.as_deref().unwrap_or("-"),
                    &text[s.selection.range()]
                ));
                walk(out, text, &s.children, depth + 1);
            }
        }
        walk(&mut out, text, &ide::symbols(&p.checked, file), 0);
        out.join("\n")
    };
    insta::assert_snapshot!(
        [
            "main.policy",
            "shared.policy",
            "vendors.yaml",
            "stores.yaml",
            "waivers.yaml",
            "custody.yaml"
        ]
        .iter()
        .map(|f| format!("== {f}\n{}", show(f)))
        .collect::<Vec<_>>()
        .join("\n\n")
    );
}

#[test]
fn lenses() {
    let p = clean();
    let show = |p: &Project, suffix: &str| {
        let file = p.file(suffix);
        ide::lenses(&p.checked, &p.findings, file)
            .iter()
            .map(|l| format!("{}: {}", &p.text(file)[l.span.range()], l.title))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        show(&p, "main.policy"),
        ["TPR-001: 1 failing", "TPR-002: 1 failing"]
    );
    assert_eq!(
        show(&p, "shared.policy"),
        ["TPR-003: passing · 1 waived", "TPR-004: passing"]
    );
    // With errors in the project, rules with errors are not evaluated.
    let t = typing();
    let draft = show(&t, "draft.policy");
    assert_eq!(
        draft,
        [
            "TPR-900: not evaluated",
            "TPR-901: not evaluated",
            "TPR-902: not evaluated",
            "TPR-903: not evaluated",
        ]
    );
    // Rules that do not parse still have their symbol.
    let file = t.file("draft.policy");
    let symbols: Vec<String> = ide::symbols(&t.checked, file)
        .iter()
        .map(|s| format!("{} — {}", s.name, s.detail.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        symbols,
        [
            "TPR-900 — Draft ünïcödé · does not parse",
            "TPR-901 — No require yet · h",
            "TPR-902 — Sources · does not parse",
            "TPR-903 — Templates · does not parse",
        ]
    );
}

// ---- robustness ---------------------------------------------------------------------------

/// Every query at every offset of every file (and past the end) answers without panicking.
#[test]
fn no_offset_panics() {
    for p in [clean(), typing()] {
        let sources = &p.checked.project.sources;
        for f in (0..sources.len() as u32).map(FileId) {
            let len = sources.text(f).len() as u32;
            for offset in (0..=len + 2).chain([u32::MAX]) {
                let _ = ide::hover(&p.checked, &p.findings, f, offset);
                let _ = ide::completion(&p.checked, f, offset);
                let _ = ide::definition(&p.checked, f, offset);
                let _ = ide::references(&p.checked, f, offset, true);
            }
            let _ = ide::symbols(&p.checked, f);
            let _ = ide::lenses(&p.checked, &p.findings, f);
        }
        let none = FileId(sources.len() as u32 + 5);
        assert!(ide::hover(&p.checked, &p.findings, none, 0).is_none());
        assert!(ide::symbols(&p.checked, none).is_empty());
    }
}

// ---- custody.yaml: library parameters, disabled rules, definitions -------------------------

const LIBRARY_CONFIG: &str = "\
policies: [builtin:tpr, policies]
inventory: [inventory]
waivers: waivers.yaml
library:
  parameters:
    large_store_records: 500_000
  disable:
    - TPR-ACC-02
definitions:
  approved_regions: [eu-west-1]
";

const REGIONS: &str = r#"rule TPR-005 "Stores are in approved regions" {
  for data_store s
  require s.region in approved_regions
}
"#;

#[test]
fn custody_yaml_names_library_parameters_rules_and_definitions() {
    let p = Project::new(&[
        ("custody.yaml", LIBRARY_CONFIG),
        ("policies/regions.policy", REGIONS),
    ]);
    let def = |at: (FileId, u32)| p.places(&ide::definition(&p.checked, at.0, at.1));
    // A parameter's key: the library's export (its declaration, and its value here).
    let hover = p.hover(p.at("custody.yaml", "large_store_records", 0, 2));
    assert!(
        hover.starts_with(
            "[large_store_records]\n```custody\nexport let large_store_records = 1_000_000\n```"
        ),
        "{hover}"
    );
    assert!(
        hover.contains("custody.yaml sets it to `500_000`"),
        "{hover}"
    );
    assert_eq!(
        def(p.at("custody.yaml", "large_store_records", 0, 0)),
        ["access.policy:11: large_store_records"]
    );
    let items = p.labels(p.at("custody.yaml", "large_store_records", 0, 5));
    assert_eq!(items, ["large_store_records"]);
    // A disabled rule: its hover and declaration.
    let hover = p.hover(p.at("custody.yaml", "TPR-ACC-02", 0, 3));
    assert!(hover.contains("disabled by `library.disable`"), "{hover}");
    assert_eq!(
        def(p.at("custody.yaml", "TPR-ACC-02", 0, 3)),
        ["access.policy:40: TPR-ACC-02"]
    );
    assert!(
        p.labels(p.at("custody.yaml", "TPR-ACC-02", 0, 8))
            .contains(&"TPR-ACC-01".to_string())
    );
    // Its references: the `library.disable` entry.
    assert_eq!(
        p.places(&ide::references(
            &p.checked,
            p.file("access.policy"),
            p.at("access.policy", "TPR-ACC-02", 0, 0).1,
            false
        )),
        ["custody.yaml:8: TPR-ACC-02"]
    );
    // A definition: a use in a policy goes to its key in custody.yaml; its references are
    // the uses.
    assert_eq!(
        def(p.at("regions.policy", "approved_regions", 0, 1)),
        ["custody.yaml:10: approved_regions"]
    );
    assert_eq!(
        p.places(&ide::references(
            &p.checked,
            p.file("custody.yaml"),
            p.at("custody.yaml", "approved_regions", 0, 1).1,
            false
        )),
        ["regions.policy:3: approved_regions"]
    );
}

/// Files with CRLF line ends answer as with LF.
#[test]
fn crlf_files() {
    let vendors = VENDORS.replace('\n', "\r\n");
    let main = MAIN.replace('\n', "\r\n");
    let draft = DRAFT_YAML.replace('\n', "\r\n");
    let crlf = Project::new(&[
        ("inventory/vendors.yaml", &vendors),
        ("policies/main.policy", &main),
        ("inventory/draft.yaml", &draft),
    ]);
    let lf = Project::new(&[("inventory/draft.yaml", DRAFT_YAML)]);
    let both = |f: &dyn Fn(&Project) -> String| (f(&lf), f(&crlf));
    let (a, b) = both(&|p| p.hover(p.at("vendors.yaml", "tier:", 0, 1)));
    assert_eq!(a, b);
    let (a, b) = both(&|p| p.hover(p.at("vendors.yaml", "- crm", 0, 3)));
    assert!(a.contains("data_store/crm"), "{a}");
    assert_eq!(a, b.replace("\r", ""));
    let (a, b) = both(&|p| p.hover(p.at("main.policy", "v.tier", 0, 3)));
    assert_eq!(a, b);
    let (a, b) = both(&|p| p.complete(p.after("draft.yaml", "    la")));
    assert_eq!(a, b);
    let (a, b) = both(&|p| p.complete(p.after("draft.yaml", "tier: ")));
    assert_eq!(a, b);
    let (a, b) = both(&|p| {
        p.places(&ide::definition(
            &p.checked,
            p.file("main.policy"),
            p.at("main.policy", "handles address", 0, 9).1,
        ))
        .join(",")
    });
    assert_eq!(a, b.replace("\r", ""));
}
