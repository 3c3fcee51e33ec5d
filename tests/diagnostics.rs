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
