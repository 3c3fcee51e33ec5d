//! `custody impact`: the breach view on the airline example's contact-centre outsourcer
//! (`meridian-contact`), its CRM platform (`tessaly-crm`) and the CRM's store, in human and
//! JSON output, plus unknown records, cycles and errors on a fixture.

mod common;
use common::custody;

use serde_json::Value;
use std::path::Path;

fn impact_in(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = custody()
        .current_dir(dir)
        .arg("impact")
        .args(args)
        .args(["--as-of", common::AS_OF, "--color", "never"])
        .output()
        .expect("run");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// `custody impact ENTITY examples/airline ...` from the repository root.
fn impact(entity: &str, args: &[&str]) -> (String, String, i32) {
    let mut all = vec![entity, "examples/airline"];
    all.extend_from_slice(args);
    impact_in(&common::repo_root(), &all)
}

fn json(entity: &str) -> Value {
    let (out, err, code) = impact(entity, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("JSON")
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x[key].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_contact_centre_outsourcer() {
    let (out, err, code) = impact("vendor/meridian-contact", &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    insta::assert_snapshot!(out);
}

#[test]
fn the_contact_centre_outsourcer_as_json() {
    let v = json("vendor/meridian-contact");
    assert_eq!(v["version"], 1);
    assert_eq!(v["as_of"], "2026-11-24");
    assert_eq!(v["entity"], "vendor/meridian-contact");
    assert_eq!(v["tier"], "critical");
    // Every category it can reach, each with the way it reaches it.
    let cats = strings(&v["categories"], "category");
    assert_eq!(cats.len(), 10, "{cats:?}");
    assert!(cats.contains(&"personal.contact.address".to_owned()));
    assert!(cats.contains(&"personal.identity.passport".to_owned()));
    let address = &v["categories"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|c| c["category"] == "personal.contact.address")
        })
        .expect("address")["sources"];
    assert_eq!(
        strings(address, "store"),
        ["data_store/booking-db", "data_store/crm-contacts"]
    );
    assert_eq!(address[0]["via"], "accesses");
    assert_eq!(
        address[0]["location"]["file"],
        "examples/airline/inventory/data_stores.yaml"
    );
    // The records at stake, per store and in total.
    assert_eq!(
        strings(&v["stores"], "store"),
        ["data_store/booking-db", "data_store/crm-contacts"]
    );
    assert_eq!(v["stores"][0]["records"], 14_500_000);
    assert_eq!(v["records"]["total"], 20_200_000);
    assert_eq!(v["records"]["at_least"], false);
    // Its fourth parties, transitively, with the path; nobody passes data to it.
    assert_eq!(
        strings(&v["fourth_parties"], "vendor"),
        [
            "vendor/tessaly-crm",
            "vendor/voxline-telephony",
            "vendor/cirrus-hosting",
            "vendor/echolane-speech"
        ]
    );
    assert_eq!(
        v["fourth_parties"][2]["path"],
        serde_json::json!([
            "vendor/meridian-contact",
            "vendor/tessaly-crm",
            "vendor/cirrus-hosting"
        ])
    );
    assert_eq!(v["upstream"], serde_json::json!([]));
    // The rules it fails now.
    assert_eq!(
        strings(&v["findings"], "rule"),
        ["TPR-003", "TPR-SC-01", "TPR-XB-03"]
    );
    assert_eq!(v["findings"][0]["status"], "fail");
    assert!(
        v["findings"][0]["reasons"][0]
            .as_str()
            .is_some_and(|r| r.contains("vendor/tessaly-crm")),
        "{v}"
    );
}

#[test]
fn the_crm_platform_the_breach_came_through() {
    let (out, err, code) = impact("vendor/tessaly-crm", &[]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
    let v = json("vendor/tessaly-crm");
    assert_eq!(v["records"]["total"], 5_700_000);
    assert_eq!(v["stores"][0]["accesses"], true);
    assert_eq!(v["stores"][0]["hosts"], true);
    assert_eq!(
        strings(&v["upstream"], "vendor"),
        ["vendor/meridian-contact"]
    );
    assert_eq!(
        v["upstream"][0]["path"],
        serde_json::json!(["vendor/meridian-contact", "vendor/tessaly-crm"])
    );
    assert_eq!(
        strings(&v["fourth_parties"], "vendor"),
        ["vendor/cirrus-hosting"]
    );
    assert_eq!(
        strings(&v["findings"], "rule"),
        [
            "TPR-001",
            "TPR-ACC-01",
            "TPR-ACC-02",
            "TPR-ACC-03",
            "TPR-AUD-02",
            "TPR-AUD-04",
            "TPR-CON-01",
            "TPR-CON-02",
            "TPR-CON-03",
            "TPR-CON-05",
            "TPR-XB-01"
        ]
    );
}

#[test]
fn a_store_lists_who_can_reach_it_and_where_its_data_goes_next() {
    let (out, err, code) = impact("data_store/crm-contacts", &[]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
    let v = json("data_store/crm-contacts");
    assert_eq!(
        strings(&v["reached_by"], "vendor"),
        ["vendor/meridian-contact", "vendor/tessaly-crm"]
    );
    assert_eq!(v["reached_by"][1]["hosts"], true);
    assert_eq!(
        strings(&v["reached_by"][0]["passes_to"], "vendor"),
        [
            "vendor/tessaly-crm",
            "vendor/voxline-telephony",
            "vendor/cirrus-hosting",
            "vendor/echolane-speech"
        ]
    );
    assert_eq!(strings(&v["holds"], "category").len(), 7);
    assert_eq!(v["records"]["total"], 5_700_000);
}

#[test]
fn a_waived_finding_is_shown_as_waived() {
    let v = json("vendor/globalres-gds");
    let tpr001 = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule"] == "TPR-001"))
        .expect("TPR-001")
        .clone();
    assert_eq!(tpr001["status"], "waived");
    assert_eq!(tpr001["waived_until"], "2027-03-31");
    let (out, _, _) = impact("vendor/globalres-gds", &[]);
    assert!(out.contains("(and 1 waived)"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("TPR-001 ")
                && l.contains(" waived until 2027-03-31")),
        "{out}"
    );
}

#[test]
fn json_output_is_byte_identical_across_runs() {
    let a = impact("vendor/meridian-contact", &["--format", "json"]).0;
    let b = impact("vendor/meridian-contact", &["--format", "json"]).0;
    assert_eq!(a, b);
}

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        (
            "custody.yaml",
            "policies: [rules.policy]\ninventory: [inventory.yaml]\nschema:\n  site:\n    collection: sites\n    fields:\n      city: {type: string}\n",
        ),
        (
            "rules.policy",
            "rule R-1 \"Audited\" {\n  severity high\n  for vendor v\n  require v.last_audit is set\n}\n",
        ),
        (
            "inventory.yaml",
            r#"vendors:
  - id: a
    tier: high
    accesses: [counted, uncounted]
    subprocessors: [b]
  - id: b
    subprocessors: [a]
data_stores:
  - id: counted
    holds: [personal.contact.email]
    records: 1200
  - id: uncounted
    holds: [personal.health]
    hosted_by: b
sites:
  - id: hq
    city: Sydney
"#,
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

#[test]
fn unknown_record_counts_make_the_total_a_lower_bound_and_cycles_end() {
    let dir = fixture();
    let (out, err, code) = impact_in(dir.path(), &["vendor/a"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
    assert!(
        out.contains("Records at stake: at least 1,200 in 2 stores (1 with no record count)"),
        "{out}"
    );
    // a and b pass data to each other: each is the other's fourth party and upstream,
    // and neither is its own.
    assert!(out.contains("vendor/b  (no tier)  a → b"), "{out}");
    let (out, _, _) = impact_in(dir.path(), &["vendor/a", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["records"]["at_least"], true);
    assert_eq!(v["records"]["unknown_stores"], 1);
    assert!(v["stores"][1]["records"].is_null());
    assert_eq!(strings(&v["upstream"], "vendor"), ["vendor/b"]);
}

#[test]
fn unknown_entities_and_other_kinds_are_errors() {
    let dir = fixture();
    let mut all = String::new();
    for e in ["vendor/aa", "data_stores/counted", "counted", "site/hq"] {
        let (out, err, code) = impact_in(dir.path(), &[e]);
        assert_eq!(code, 2, "{e}");
        assert_eq!(out, "", "{e}");
        all.push_str(&format!("$ custody impact {e}\n{err}"));
    }
    insta::assert_snapshot!(all);
}
