//! `custody explain`: the evaluation tree on the airline example and on a fixture that
//! exercises every kind of node, the rule documentation, exit codes and the errors.

mod common;
use common::custody;

use custody::eval::Context;
use custody::project::Settings;
use std::path::Path;

/// Run `custody explain ARGS... examples/airline --as-of 2026-11-24` from the repository root.
fn explain(args: &[&str]) -> (String, String, i32) {
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    common::on_airline(&all)
}

#[test]
fn a_failing_vendor_shows_which_store_selected_it_and_why_the_require_failed() {
    let (out, err, code) = explain(&["TPR-001", "vendor/tessaly-crm"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err, "");
    insta::assert_snapshot!(out);
}

#[test]
fn a_passing_vendor_exits_0_with_the_date_arithmetic_spelled_out() {
    let (out, err, code) = explain(&["TPR-001", "vendor/meridian-contact"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "2026-02-10 ≥ 2025-11-24 (as-of 2026-11-24 − 12 months) and 2026-02-10 ≤ 2026-11-24 (as-of)? true (287 days before as-of)"
        ),
        "{out}"
    );
    assert!(
        out.contains("result: vendor/meridian-contact passes TPR-001"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_quantifier_over_the_supply_chain_lists_each_fourth_party() {
    let (out, err, code) = explain(&["TPR-003", "vendor/meridian-contact"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("✗ p = vendor/tessaly-crm"), "{out}");
    assert!(
        out.contains("✓ p = vendor/cirrus-hosting (subprocessor of vendor/tessaly-crm)"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn two_failing_requires_and_a_missing_nested_field() {
    // The airline's CRM platform has no contract block at all.
    let (out, _, code) = explain(&["TPR-CON-01", "vendor/tessaly-crm"]);
    assert_eq!(code, 1);
    assert!(out.contains("contract.dpa_signed is missing"), "{out}");
    assert!(out.contains("1 of 1 require fails"), "{out}");
    insta::assert_snapshot!(out);
    // No airline finding fails two requires of one rule, so a one-store inventory under
    // the library's two-require rule: a card store that says nothing about encryption.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("inventory.yaml"),
        "data_stores:\n  - id: card-files\n    name: Card files\n    holds: [personal.financial.payment_card]\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("custody.yaml"),
        "policies: [builtin:tpr]\ninventory: [inventory.yaml]\n",
    )
    .expect("write");
    let (out, code) = explain_in(dir.path(), &["TPR-PCI-03", "data_store/card-files"]);
    assert_eq!(code, 1);
    assert!(out.contains("2 of 2 requires fail"), "{out}");
    assert!(out.contains("encrypted_at_rest is missing"), "{out}");
    assert!(out.contains("encrypted_in_transit is missing"), "{out}");
    insta::assert_snapshot!("two_failing_requires_in_the_library", out);
}

#[test]
fn a_store_rule_follows_a_reference_to_the_host() {
    let (out, _, code) = explain(&["TPR-CONC-01", "data_store/marketing-lists"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn a_live_waiver_makes_a_failing_entity_exit_0_and_says_so() {
    let (out, _, code) = explain(&["TPR-001", "vendor/globalres-gds"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("fails TPR-001: 1 of 1 require fails; waived until 2027-03-31"),
        "{out}"
    );
}

#[test]
fn an_expired_waiver_leaves_it_failing() {
    let (out, _, code) = explain(&["TPR-LIF-01", "vendor/opinio-surveys"]);
    assert_eq!(code, 1);
    assert!(out.contains("its waiver expired on 2026-08-31"), "{out}");
}

#[test]
fn an_entity_the_where_does_not_select_exits_0() {
    let (out, _, code) = explain(&["TPR-PCI-01", "vendor/meridian-contact"]);
    assert_eq!(code, 0);
    assert!(out.contains("where: does not select the entity"), "{out}");
    assert!(
        out.contains("require 1 of 1: not checked, shown for information"),
        "{out}"
    );
    assert!(
        out.contains("is not selected by TPR-PCI-01: the `where` clause is false"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn without_an_entity_it_prints_the_rule_documentation() {
    let (out, err, code) = explain(&["TPR-001"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("# TPR-001: Vendors handling addresses require an annual audit\n"));
    // The `let` the rule uses comes with it.
    assert!(
        out.contains("let address = personal.contact.address"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn the_project_directory_may_come_right_after_the_rule() {
    // `custody explain TPR-002 examples/airline`: a directory holding custody.yaml is the
    // project, not an entity.
    let out = custody()
        .current_dir(common::repo_root())
        .args(["explain", "TPR-002", "examples/airline"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# TPR-002: "));
}

#[test]
fn unknown_rules_and_entities_are_errors_with_a_did_you_mean() {
    let cases: &[&[&str]] = &[
        &["TPR-01", "vendor/tessaly-crm"],
        &["TPR-001", "vendor/tessaly-crn"],
        &["TPR-001", "vendors/tessaly-crm"],
        &["TPR-001", "tessaly-crm"],
        &["TPR-001", "vendor/crm-contacts"],
        &["TPR-001", "data_store/crm-contacts"],
        &["TPR-001", "supplier/tessaly-crm"],
    ];
    let mut all = String::new();
    for args in cases {
        let (out, err, code) = explain(args);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(out, "", "{args:?}");
        all.push_str(&format!("$ custody explain {}\n{err}", args.join(" ")));
    }
    insta::assert_snapshot!(all);
}

const FIXTURE_POLICY: &str = r#"let cutoff = 2026-02-01

rule T-1 "Overlap cases" {
  for vendor v where v handles personal.contact.address
  require v handles [personal.health, personal.biometric]
  require v handles credentials or v handles business
}

rule T-2 "Dates and lists" {
  for vendor v
  require v.last_audit >= today - 1 year and v.last_audit before cutoff
  require v.last_audit older than 2 months
  require v.certifications contains "iso27001"
  require v.description contains "centre"
  require not (v.tier in ["low", "medium"])
  require count(v.accesses) > 1 or v.accesses is empty
  require v.mfa_enforced
}

rule T-3 "Quantifiers" {
  for vendor v where count(v.subprocessors) > 0
  require all p in v.supply_chain: p.last_audit within 2 years
  require no s in v.accesses: s holds personal.financial
  require any c in v.certifications: c == "soc2"
}
"#;

const FIXTURE_INVENTORY: &str = r#"vendors:
  - id: hub
    name: Hub, Inc.
    tier: critical
    handles: [personal.contact]
    accesses: [broad, exact, narrow]
    subprocessors: [s01, s02, s03, s04, s05, s06, s07, s08, s09, s10, s11, s12]
    last_audit: 2026-01-31
    description: runs the contact centre
  - {id: s01, last_audit: 2026-01-01}
  - {id: s02, last_audit: 2020-01-01}
  - {id: s03}
  - {id: s04, last_audit: 2026-01-01}
  - {id: s05, last_audit: 2026-01-01}
  - {id: s06, last_audit: 2026-01-01}
  - {id: s07, last_audit: 2026-01-01}
  - {id: s08, last_audit: 2026-01-01}
  - {id: s09, last_audit: 2026-01-01}
  - {id: s10, last_audit: 2026-01-01}
  - {id: s11, last_audit: 2020-01-01, subprocessors: [deep]}
  - {id: s12, last_audit: 2026-01-01}
  - {id: deep, last_audit: 2026-06-01}
data_stores:
  - id: broad
    holds: [personal]
    records: 10
  - id: exact
    holds: [personal.contact.address]
    hosted_by: hub
  - id: narrow
    holds: [business.confidential]
"#;

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("rules.policy"), FIXTURE_POLICY).expect("write");
    std::fs::write(dir.path().join("inventory.yaml"), FIXTURE_INVENTORY).expect("write");
    std::fs::write(
        dir.path().join("custody.yaml"),
        "policies: [rules.policy]\ninventory: [inventory.yaml]\n",
    )
    .expect("write");
    dir
}

fn explain_in(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = custody()
        .current_dir(dir)
        .arg("explain")
        .args(args)
        .args(["--as-of", common::AS_OF])
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn every_overlap_case_with_its_source_and_location() {
    let dir = fixture();
    let (out, code) = explain_in(dir.path(), &["T-1", "vendor/hub"]);
    assert_eq!(code, 0);
    // broader (own handles, via an accessed store), equal (accessed and hosted store).
    assert!(out.contains("personal.contact (broader: may include personal.contact.address) in its own handles  (inventory.yaml:5:15)"), "{out}");
    assert!(out.contains("personal (broader: may include personal.contact.address) held by data store broad, which it accesses"), "{out}");
    assert!(
        out.contains("personal.contact.address (equal) held by data store exact, which it hosts"),
        "{out}"
    );
    // narrower, and one line per policy category of a list.
    assert!(out.contains("business.confidential (narrower: under business) held by data store narrow, which it accesses"), "{out}");
    assert!(
        out.contains("for personal.health: personal (broader"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn dates_lists_and_missing_values() {
    let dir = fixture();
    let (out, code) = explain_in(dir.path(), &["T-2", "vendor/hub"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("today - 1 year = 2025-11-24 (2026-11-24 − 1 year)"),
        "{out}"
    );
    assert!(out.contains("cutoff = 2026-02-01"), "{out}");
    assert!(
        out.contains("2026-01-31 < 2026-09-24 (as-of 2026-11-24 − 2 months)? true"),
        "{out}"
    );
    assert!(out.contains("an absent list counts as empty"), "{out}");
    assert!(
        out.contains("v.mfa_enforced = (missing): mfa_enforced is missing"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn windows_ahead_day_counts_and_ordered_tiers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = "rule T-9 \"Renewals\" {\n  for vendor v where v.tier >= \"high\"\n  require v.contract.expires within next 30 days\n  require days_since(v.last_audit) <= 365\n}\n";
    let inventory = "vendors:\n  - id: soon\n    tier: critical\n    last_audit: 2025-01-01\n    contract: {expires: 2027-01-10}\n";
    std::fs::write(dir.path().join("rules.policy"), policy).expect("write");
    std::fs::write(dir.path().join("inventory.yaml"), inventory).expect("write");
    std::fs::write(
        dir.path().join("custody.yaml"),
        "policies: [rules.policy]\ninventory: [inventory.yaml]\n",
    )
    .expect("write");
    let (out, code) = explain_in(dir.path(), &["T-9", "vendor/soon"]);
    assert_eq!(code, 1);
    assert!(out.contains("`critical` >= `high`? true"), "{out}");
    assert!(
        out.contains("2027-01-10 ≥ 2026-11-24 (as-of) and 2027-01-10 ≤ 2026-12-24 (as-of 2026-11-24 + 30 days)? false (47 days after as-of)"),
        "{out}"
    );
    assert!(out.contains("days_since(v.last_audit) = 692"), "{out}");
    assert!(out.contains("692 <= 365? false"), "{out}");
}

#[test]
fn long_quantifier_lists_are_capped_and_counted() {
    let dir = fixture();
    let (out, code) = explain_in(dir.path(), &["T-3", "vendor/hub"]);
    assert_eq!(code, 1);
    // 13 vendors in the chain (s01..s12, then deep through s11): ten shown, three counted.
    assert!(out.contains("├─ … and 3 more (2 true, 1 false)"), "{out}");
    assert!(
        out.contains("the condition is true for 10 of 13 elements, false for 3"),
        "{out}"
    );
    assert!(out.contains("the list is empty, so `any` fails"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_tree_of_nested_quantifiers_is_bounded() {
    // Five nested `any` over eleven subprocessors each: 161,051 bodies to evaluate, far
    // too many lines to show. The tree stops at a budget and counts the rest.
    let dir = tempfile::tempdir().expect("tempdir");
    let ids: Vec<String> = (0..12).map(|i| format!("v{i:02}")).collect();
    let mut inv = String::from("vendors:\n");
    for id in &ids {
        let others: Vec<&str> = ids
            .iter()
            .filter(|x| *x != id)
            .map(String::as_str)
            .collect();
        inv.push_str(&format!(
            "  - id: {id}\n    subprocessors: [{}]\n",
            others.join(", ")
        ));
    }
    let mut body = "p5.id == \"zz\"".to_owned();
    for k in (1..=5).rev() {
        let list = if k == 1 {
            "v.subprocessors".to_owned()
        } else {
            format!("p{}.subprocessors", k - 1)
        };
        body = format!("any p{k} in {list}: {body}");
    }
    let policy = format!("rule D-1 \"deep\" {{\n  for vendor v\n  require {body}\n}}\n");
    std::fs::write(dir.path().join("rules.policy"), policy).expect("write");
    std::fs::write(dir.path().join("inventory.yaml"), inv).expect("write");
    std::fs::write(
        dir.path().join("custody.yaml"),
        "policies: [rules.policy]\ninventory: [inventory.yaml]\n",
    )
    .expect("write");
    let (out, code) = explain_in(dir.path(), &["D-1", "vendor/v00"]);
    assert_eq!(code, 1);
    assert!(out.lines().count() < 3_000, "{} lines", out.lines().count());
    assert!(out.contains("result: vendor/v00 fails D-1"), "{out}");
}

/// The explanation's verdicts are the evaluator's: for every rule and every entity of its
/// kind in the airline example, the `where` and each `require` agree with the findings of
/// `custody check`.
#[test]
fn explanations_agree_with_check_on_every_rule_and_entity() {
    let dir = common::repo_root().join("examples/airline");
    let settings = Settings {
        cwd: dir.clone(),
        config_dir: Some(dir),
        as_of: Some(common::as_of()),
        ..Settings::default()
    };
    let report = common::check(&settings, common::as_of());
    let loaded = common::load(&settings, common::as_of());
    let cx = Context::of(&loaded);
    let mut checked = 0;
    for (ri, rule) in loaded.program.rules.iter().enumerate() {
        for &e in loaded.project.inventory.of_kind(rule.kind) {
            let x = custody::eval::explain::explain(&cx, ri, e).expect("explanation");
            let finding = report
                .findings
                .iter()
                .find(|f| report.program.rules[f.rule].id == rule.id && f.entity == e);
            let failed: Vec<usize> = x
                .requires
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.holds)
                .map(|(i, _)| i)
                .collect();
            assert_eq!(x.selected, x.filter.as_ref().is_none_or(|f| f.holds));
            match finding {
                Some(f) => {
                    assert!(x.selected, "{} {e:?}", rule.id);
                    let want: Vec<usize> = f.failed.iter().map(|r| r.index).collect();
                    assert_eq!(failed, want, "{} {e:?}", rule.id);
                    assert_eq!(x.finding.as_ref().map(|x| x.message()), Some(f.message()));
                }
                None => assert!(
                    !x.selected || failed.is_empty(),
                    "{} {e:?}: explain says it fails, check does not",
                    rule.id
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn the_documentation_and_the_tree_show_the_exports_a_rule_uses() {
    let dir = tempfile::tempdir().expect("tmp");
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    w(
        "custody.yaml",
        "policies: [a.policy, b.policy]\ninventory: [inventory.yaml]\ndefinitions:\n  approved: [AU]\n",
    );
    w(
        "a.policy",
        "rule T-1 \"Vendors are in the EEA or approved\" {\n  for vendor v\n  require v.country in ours or v.country in approved\n}\n",
    );
    w(
        "b.policy",
        "# Where we may send data.\nexport let ours = EEA\n",
    );
    w("inventory.yaml", "vendors:\n  - id: far\n    country: CN\n");
    let (doc, code) = explain_in(dir.path(), &["T-1"]);
    assert_eq!(code, 0);
    assert!(
        doc.contains("# b.policy\n# Where we may send data.\nexport let ours = EEA\n\n# custody.yaml: definitions.approved\nexport let approved = [\"AU\"]\n\nrule T-1"),
        "{doc}"
    );
    let (tree, code) = explain_in(dir.path(), &["T-1", "vendor/far"]);
    assert_eq!(code, 1);
    assert!(tree.contains("├─ ours = [AT, BE,"), "{tree}");
    assert!(tree.contains("├─ approved = [AU]"), "{tree}");
}
