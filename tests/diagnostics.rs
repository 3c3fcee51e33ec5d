//! Diagnostics across stages, as the user sees them: helps for common mistakes, related
//! places in human and JSON output, and no cascades after a YAML error (issue 11).

mod common;

use custody::report::Report;
use custody::report::human;

/// The diagnostics as printed on stderr, without colour, then the exit code.
fn stderr(r: &Report) -> String {
    let style = human::Style {
        color: false,
        width: 100,
        verbose: false,
    };
    format!(
        "{}--- exit code: {} ---\n",
        human::render_diags(r, &style),
        r.exit() as i32
    )
}

const RULE: &str = "rule R-1 \"Stores are hosted\" {\n  severity high\n  for data_store s\n  require s.hosted_by is set\n}\n";

#[test]
fn one_broken_entity_is_one_error_not_a_cascade_of_unknown_references() {
    let (_dir, r) = common::run_files(&[
        ("rules.policy", RULE),
        (
            "inventory/vendors.yaml",
            "vendors:\n  - id: crm\n  - id: payroll\n    name: [Payroll\n  - id: email\n",
        ),
        (
            "inventory/stores.yaml",
            "data_stores:\n  - id: s1\n    hosted_by: payroll\n  - id: s2\n    hosted_by: email\n  - id: s3\n    hosted_by: crm\n",
        ),
    ]);
    assert_eq!(common::codes(&r), ["custody::yaml::syntax"]);
    assert_eq!(r.exit() as i32, 2);
    insta::assert_snapshot!(stderr(&r));
}

#[test]
fn comparing_a_reference_with_a_string_suggests_its_id() {
    let (_dir, r) = common::run_files(&[
        (
            "rules.policy",
            "rule R-1 \"Hosted by us\" {\n  severity high\n  for data_store s\n  require s.hosted_by == \"aws\"\n}\n",
        ),
        ("inventory/v.yaml", "vendors:\n  - id: aws\n"),
    ]);
    assert_eq!(common::codes(&r), ["custody::policy::type_mismatch"]);
    assert_eq!(
        r.project.diags[0].help.as_deref(),
        Some("compare its id: `s.hosted_by.id == \"aws\"`")
    );
    assert_eq!(r.exit() as i32, 2);
    insta::assert_snapshot!(stderr(&r));
}

const DISABLED: &[(&str, &str)] = &[
    (
        "custody.yaml",
        "policies: [builtin:tpr]\ninventory: [inventory]\nwaivers: waivers.yaml\nlibrary:\n  disable: [TPR-ACC-01]\n",
    ),
    (
        "waivers.yaml",
        "waivers:\n  - rule: TPR-ACC-01\n    entity: vendor/acme\n    reason: Audit booked\n    approved_by: ciso@example.com\n    expires: 2099-01-31\n",
    ),
    (
        "inventory/v.yaml",
        "vendors:\n  - id: acme\n    owner: jo@example.com\n    tier: low\n",
    ),
];

#[test]
fn a_waiver_for_a_disabled_rule_says_it_is_disabled_and_where() {
    let (_dir, r) = common::run_files(DISABLED);
    assert_eq!(common::codes(&r), ["custody::waiver::disabled_rule"]);
    let d = &r.project.diags[0];
    assert_eq!(d.secondary.len(), 1, "points at the `disable` entry");
    // A warning: the run is decided by its findings, as before.
    assert_ne!(r.exit() as i32, 2);
    let rendered = stderr(&r);
    assert!(rendered.contains("custody.yaml:5:13"), "{rendered}");
    insta::assert_snapshot!(rendered);
}

#[test]
fn lint_reports_a_waiver_for_a_disabled_rule_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in DISABLED {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let out = common::custody()
        .current_dir(dir.path())
        .args(["lint", "--deny-warnings"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("custody::waiver::disabled_rule"), "{err}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_duplicate_id_names_kind_and_id_and_where_it_was_first_defined() {
    let files = [
        ("rules.policy", RULE),
        ("inventory/a.yaml", "vendors:\n  - id: crm\n"),
        ("inventory/b.yaml", "vendors:\n  - id: other\n  - id: crm\n"),
    ];
    let (_dir, r) = common::run_files(&files);
    assert_eq!(common::codes(&r), ["custody::inventory::duplicate_id"]);
    assert_eq!(r.exit() as i32, 2);
    insta::assert_snapshot!(stderr(&r));

    let json: serde_json::Value =
        serde_json::from_str(&custody::report::json::render(&r)).expect("json");
    let e = &json["errors"][0];
    assert_eq!(e["message"], "duplicate id `vendor/crm`");
    assert_eq!(
        (e["file"].as_str(), e["line"].as_u64()),
        (Some("inventory/b.yaml"), Some(3))
    );
    assert_eq!(
        e["related"],
        serde_json::json!([{
            "file": "inventory/a.yaml",
            "line": 2,
            "column": 9,
            "message": "first defined here"
        }])
    );
}

#[test]
fn json_diagnostics_without_other_places_have_no_related_key() {
    let (_dir, r) = common::run_files(&[
        ("rules.policy", RULE),
        (
            "inventory/v.yaml",
            "vendors:\n  - id: crm\n    teir: high\n",
        ),
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&custody::report::json::render(&r)).expect("json");
    assert!(json["errors"][0].get("related").is_none(), "{json}");
}

// ---------------------------------------------------------------------------------------
// Shared definitions (SPEC §7.8): every mistake names both places.

const ONE_VENDOR: &str = "vendors:\n  - id: crm\n    country: DE\n";

#[test]
fn an_export_defined_twice_names_both_places() {
    let (_dir, r) = common::run_files(&[
        ("a.policy", "export let approved = [\"AU\"]\n"),
        ("b.policy", "# Ours.\nexport let approved = [\"NZ\"]\n"),
        ("inventory/v.yaml", ONE_VENDOR),
    ]);
    assert_eq!(common::codes(&r), ["custody::policy::duplicate_export"]);
    insta::assert_snapshot!(stderr(&r));
}

#[test]
fn a_file_let_with_the_name_of_an_export_names_both_places() {
    let (_dir, r) = common::run_files(&[
        ("a.policy", "export let approved = [\"AU\"]\n"),
        (
            "b.policy",
            "let approved = [\"NZ\"]\nlet EU = [\"DE\"]\nrule R-1 \"t\" {\n  for vendor v\n  require v.country in approved or v.country in EU\n}\n",
        ),
        ("inventory/v.yaml", ONE_VENDOR),
    ]);
    assert_eq!(
        common::codes(&r),
        [
            "custody::policy::shadowed_export",
            "custody::policy::shadowed_export"
        ]
    );
    insta::assert_snapshot!(stderr(&r));
}

#[test]
fn exports_in_a_cycle_are_one_error_and_no_hang() {
    let (_dir, r) = common::run_files(&[
        (
            "a.policy",
            "export let core = extra\nrule R-1 \"t\" {\n  for vendor v\n  require v.country in core\n}\n",
        ),
        (
            "b.policy",
            "let mine = core\nexport let extra = mine\nexport let me = me\n",
        ),
        ("inventory/v.yaml", ONE_VENDOR),
    ]);
    assert_eq!(
        common::codes(&r),
        [
            "custody::policy::cyclic_export",
            "custody::policy::cyclic_export"
        ]
    );
    insta::assert_snapshot!(stderr(&r));
}

#[test]
fn a_long_chain_of_exports_is_checked_without_deep_recursion() {
    // Each export names the next one, in another file order than they are defined.
    let n = 20_000;
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!("export let e{i} = e{}\n", i + 1));
    }
    text.push_str(&format!("export let e{n} = [\"DE\"]\n"));
    text.push_str("rule R-1 \"t\" {\n  for vendor v\n  require v.country in e0\n}\n");
    let (_dir, r) = common::run_files(&[("a.policy", &text), ("inventory/v.yaml", ONE_VENDOR)]);
    assert_eq!(common::codes(&r), Vec::<&str>::new());
    assert!(r.findings.is_empty());
}

#[test]
fn a_mistake_in_a_definition_is_reported_on_its_custody_yaml_line() {
    let (_dir, r) = common::run_files(&[
        (
            "custody.yaml",
            "policies: [rules.policy]\ninventory: [inventory]\ndefinitions:\n  contact: personal.contakt\n  approved: '[\"AU\", \"NZ\"'\n  in: [AU]\n",
        ),
        ("rules.policy", RULE),
        ("inventory/v.yaml", ONE_VENDOR),
    ]);
    assert_eq!(
        common::codes(&r),
        [
            "custody::policy::unknown_category",
            "custody::config::bad_definition",
            "custody::config::bad_definition"
        ]
    );
    insta::assert_snapshot!(stderr(&r));
}

#[test]
fn a_definition_with_the_name_of_an_export_names_both_places() {
    let (_dir, r) = common::run_files(&[
        (
            "custody.yaml",
            "policies: [rules.policy, builtin:gdpr]\ninventory: [inventory]\ndefinitions:\n  EEA: [DE]\n  allowed_countries: [DE]\n",
        ),
        ("rules.policy", RULE),
        ("inventory/v.yaml", ONE_VENDOR),
    ]);
    assert_eq!(
        common::codes(&r),
        [
            "custody::policy::duplicate_export",
            "custody::policy::duplicate_export"
        ]
    );
    insta::assert_snapshot!(stderr(&r));
}

#[test]
fn an_unknown_name_suggests_exports_and_names_a_let_of_another_file() {
    let (_dir, r) = common::run_files(&[
        (
            "a.policy",
            "export let approved_countries = [\"AU\"]\nlet local_only = [\"NZ\"]\n",
        ),
        (
            "b.policy",
            "rule R-1 \"t\" {\n  for vendor v\n  require v.country in aproved_countries or v.country in local_only or v.country in EEE\n}\n",
        ),
        ("inventory/v.yaml", ONE_VENDOR),
    ]);
    let helps: Vec<Option<&str>> = r.project.diags.iter().map(|d| d.help.as_deref()).collect();
    assert_eq!(
        helps,
        [
            Some("did you mean `approved_countries`?"),
            Some(
                "`local_only` is a `let` of a.policy, visible only in that file; write `export let local_only` there to share it"
            ),
            Some("did you mean `EEA`?"),
        ]
    );
    insta::assert_snapshot!(stderr(&r));
}

#[test]
fn an_export_that_does_not_parse_is_one_error_not_one_per_use() {
    let (_dir, r) = common::run_files(&[
        ("a.policy", "export let broken = [\"AU\" \"NZ\"]\n"),
        (
            "b.policy",
            "rule R-1 \"t\" {\n  for vendor v\n  require v.country in broken\n}\n",
        ),
        ("inventory/v.yaml", ONE_VENDOR),
    ]);
    assert_eq!(r.project.diags.len(), 1, "{}", common::render(&r));
    assert!(r.program.rules.is_empty());
}
