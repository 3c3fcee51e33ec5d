//! `custody schema`: the JSON Schemas it prints are valid draft-07 schemas (checked against
//! the draft-07 meta-schema by the `jsonschema` crate), every inventory, waivers file and
//! custody.yaml in the repository validates, and each kind of mistake custody rejects is
//! rejected by the schema too, at the path of the mistake. YAML is read into JSON with
//! serde-saphyr, a reader independent of custody's own.

mod common;

use serde_json::Value;
use std::path::Path;

fn custody(args: &[&str], cwd: &Path) -> std::process::Output {
    common::run_in(args, cwd)
}

/// `custody schema ARGS` run in `cwd`, parsed.
fn schema(args: &[&str], cwd: &Path) -> Value {
    let mut all = vec!["schema"];
    all.extend_from_slice(args);
    let out = custody(&all, cwd);
    assert_eq!(
        out.status.code(),
        Some(0),
        "custody {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("custody schema prints JSON")
}

/// Every document of a YAML text, as JSON.
fn yaml_docs(text: &str) -> Vec<Value> {
    serde_saphyr::from_multiple::<Value>(text).expect("valid YAML")
}

/// The validation errors of `instance`, as `PATH: message` lines (empty: valid).
fn errors(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::draft7::new(schema).expect("the schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The instance paths `instance` fails at.
fn error_paths(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::draft7::new(schema).expect("the schema compiles");
    let mut paths: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| e.instance_path().to_string())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(p);
        }
    }
}

#[test]
fn every_schema_is_a_valid_draft_07_schema() {
    let root = common::repo_root();
    for args in [
        &["--kind", "inventory"][..],
        &["--kind", "waivers"],
        &["--kind", "config"],
        &["examples/airline"],
    ] {
        let s = schema(args, &root);
        if let Err(e) = jsonschema::draft7::meta::validate(&s) {
            panic!("custody schema {args:?} is not a valid draft-07 schema: {e}");
        }
        assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
        jsonschema::draft7::new(&s).expect("the schema compiles");
    }
}

#[test]
fn the_output_is_deterministic_and_ends_with_a_newline() {
    let root = common::repo_root();
    let a = custody(&["schema", "examples/airline"], &root);
    let b = custody(&["schema", "examples/airline"], &root);
    assert_eq!(a.stdout, b.stdout);
    assert!(a.stdout.ends_with(b"}\n"));
}

#[test]
fn every_example_file_validates() {
    let root = common::repo_root();
    let airline = root.join("examples/airline");
    let inventory = schema(&["examples/airline"], &root);
    let waivers = schema(&["--kind", "waivers"], &root);
    let config = schema(&["--kind", "config"], &root);
    let mut checked = 0;
    let mut files = Vec::new();
    yaml_files(&root.join("examples"), &mut files);
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let name = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        let which = if name.ends_with("custody.yaml") {
            &config
        } else if name.ends_with("waivers.yaml") {
            &waivers
        } else if path.starts_with(airline.join("inventory")) {
            &inventory
        } else if name.ends_with(".test.yaml") {
            // Policy test files: their inline fixtures are inventory documents.
            for doc in yaml_docs(&text) {
                if let Some(fixture) = doc.get("inventory").filter(|v| v.is_object()) {
                    let e = errors(&inventory, fixture);
                    assert!(e.is_empty(), "{name}: inventory: {e:#?}");
                    checked += 1;
                }
            }
            continue;
        } else {
            panic!("{name}: which schema describes it? (tests/schema.rs)");
        };
        for doc in yaml_docs(&text) {
            let e = errors(which, &doc);
            assert!(e.is_empty(), "{name}: {e:#?}");
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} documents checked");
}

#[test]
fn every_library_test_fixture_validates_against_the_shipped_schema() {
    let root = common::repo_root();
    let inventory = schema(&[], &root.join("policies"));
    let mut files = Vec::new();
    yaml_files(&root.join("policies/library/tests"), &mut files);
    let mut checked = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read");
        for doc in yaml_docs(&text) {
            if let Some(fixture) = doc.get("inventory").filter(|v| v.is_object()) {
                let e = errors(&inventory, fixture);
                assert!(e.is_empty(), "{}: inventory: {e:#?}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} fixtures checked");
}

/// Write `inventory` as `inventory/main.yaml` in `dir` and ask custody whether it accepts it
/// (`query` needs only an inventory); exit 0 or 2.
fn custody_accepts(dir: &Path, inventory: &str) -> bool {
    std::fs::create_dir_all(dir.join("inventory")).expect("mkdir");
    std::fs::write(dir.join("inventory/main.yaml"), inventory).expect("write");
    let out = custody(
        &[
            "query",
            "vendor v",
            "--inventory",
            "inventory",
            "--as-of",
            "2026-11-24",
        ],
        dir,
    );
    match out.status.code() {
        Some(0) => true,
        Some(2) => false,
        other => panic!(
            "custody query exited {other:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

const GOOD: &str = "\
vendors:
  - id: crm
    name: CRM Co
    tier: critical
    handles: [personal.contact.email]
    accesses:
      - contacts
      - {id: backups, access: read, purpose: restores}
    subprocessors: [{id: mailer, transfer: scc, handles: [personal.contact]}]
    last_audit: 2026-02-10
    mfa_enforced: true
    contract: {dpa_signed: true, breach_notification_hours: 48, expires: 2027-01-31}
    offboarded: ~
  - {id: mailer}
  - id: 1234
data_stores:
  - {id: contacts, kind: saas, holds: [personal], hosted_by: crm, records: 1.5e3}
  - {id: backups}
";

#[test]
fn a_valid_inventory_validates_and_custody_accepts_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = schema(&[], dir.path());
    for doc in yaml_docs(GOOD) {
        assert_eq!(errors(&s, &doc), Vec::<String>::new());
    }
    assert!(custody_accepts(dir.path(), GOOD));
}

/// Each mistake: the inventory's text, and the path the schema reports it at. custody
/// rejects each too (exit 2), so the schema and the loader agree.
const BAD: &[(&str, &str, &str)] = &[
    (
        "unknown field",
        "vendors:\n  - {id: a, nmae: A}\n",
        "/vendors/0",
    ),
    (
        "unknown field in an object",
        "vendors:\n  - id: a\n    contract: {dpa_sigend: true}\n",
        "/vendors/0/contract",
    ),
    (
        "wrong type: a string for a bool",
        "vendors:\n  - {id: a, mfa_enforced: \"yes\"}\n",
        "/vendors/0/mfa_enforced",
    ),
    (
        "wrong type: a number for a string",
        "vendors:\n  - {id: a, name: 12}\n",
        "/vendors/0/name",
    ),
    (
        "wrong type: a scalar for a list",
        "vendors:\n  - {id: a, certifications: iso27001}\n",
        "/vendors/0/certifications",
    ),
    (
        "bad category",
        "vendors:\n  - {id: a, handles: [personal.contact.adress]}\n",
        "/vendors/0/handles/0",
    ),
    (
        "bad enum value",
        "vendors:\n  - {id: a, tier: urgent}\n",
        "/vendors/0/tier",
    ),
    (
        "bad enum value on a link",
        "vendors:\n  - {id: a, accesses: [{id: s, access: delete}]}\ndata_stores:\n  - {id: s}\n",
        "/vendors/0/accesses/0/access",
    ),
    (
        "bad date: no month 13",
        "vendors:\n  - {id: a, last_audit: 2026-13-01}\n",
        "/vendors/0/last_audit",
    ),
    (
        "bad date: a timestamp",
        "vendors:\n  - {id: a, last_audit: \"2026-01-01T10:00:00\"}\n",
        "/vendors/0/last_audit",
    ),
    ("missing id", "vendors:\n  - {name: A}\n", "/vendors/0"),
    (
        "invalid id",
        "vendors:\n  - {id: \"a b\"}\n",
        "/vendors/0/id",
    ),
    ("unknown collection", "vendor:\n  - {id: a}\n", ""),
    (
        "a reverse list written",
        "vendors:\n  - {id: a}\ndata_stores:\n  - {id: s, accessed_by: [a]}\n",
        "/data_stores/0",
    ),
    (
        "a mapping for a single reference",
        "data_stores:\n  - {id: s, hosted_by: {id: a}}\nvendors:\n  - {id: a}\n",
        "/data_stores/0/hosted_by",
    ),
    (
        "a link entry without id",
        "vendors:\n  - {id: a, accesses: [{access: read}]}\n",
        "/vendors/0/accesses/0",
    ),
    (
        "an entity that is not a mapping",
        "vendors:\n  - a\n",
        "/vendors/0",
    ),
];

#[test]
fn each_mistake_fails_at_its_path_and_custody_rejects_it_too() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = schema(&[], dir.path());
    let mut failures = Vec::new();
    for (what, text, path) in BAD {
        let docs = yaml_docs(text);
        let paths: Vec<String> = docs.iter().flat_map(|d| error_paths(&s, d)).collect();
        if !paths.iter().any(|p| p == path) {
            failures.push(format!(
                "{what}: expected an error at `{path}`, got {paths:?}"
            ));
        }
        if custody_accepts(dir.path(), text) {
            failures.push(format!("{what}: custody accepts it"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const EXTENSIONS: &str = "\
inventory: [inventory]
schema:
  vendor:
    fields:
      security_contact: {type: string, doc: who receives our incident notifications}
      risk: \"ordered(low, high)\"
  system:
    collection: systems
    doc: an application we run
    fields:
      runs_on: {type: \"ref<vendor>\", reverse: runs}
      depends_on:
        type: \"list<ref<system>>\"
        link:
          fields:
            critical: {type: bool, doc: an outage stops this system}
      review:
        type: object
        fields:
          due: {type: date, when: future}
          id: {type: string, doc: the review's ticket}
taxonomy:
  personal:
    contact:
      fax: fax numbers
";

const EXTENDED: &str = "\
vendors:
  - {id: host, security_contact: sec@host.example, risk: high, handles: [personal.contact.fax]}
systems:
  - id: billing
    runs_on: host
    depends_on: [{id: ledger, critical: true}]
    review: {due: 2027-01-01, id: OPS-12}
  - {id: ledger}
";

#[test]
fn a_config_extension_is_accepted_only_with_that_config() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("custody.yaml"), EXTENSIONS).expect("write");
    let extended = schema(&[], dir.path());
    let shipped = schema(
        &["--kind", "inventory"],
        &common::repo_root().join("policies"),
    );
    let config = schema(&["--kind", "config"], dir.path());
    assert_eq!(
        errors(&config, &yaml_docs(EXTENSIONS)[0]),
        Vec::<String>::new()
    );
    let doc = yaml_docs(EXTENDED).remove(0);
    assert_eq!(errors(&extended, &doc), Vec::<String>::new());
    assert!(custody_accepts(dir.path(), EXTENDED));
    // The same file against the shipped schema: each extension is a mistake.
    assert_eq!(
        error_paths(&shipped, &doc),
        ["", "/vendors/0", "/vendors/0/handles/0"]
    );
    // The extension's own types are enforced: an ordered enum, the link's fields, the
    // nested date, and the reverse list `runs` (read-only).
    for (text, path) in [
        ("vendors:\n  - {id: a, risk: medium}\n", "/vendors/0/risk"),
        (
            "systems:\n  - {id: a, depends_on: [{id: b, critical: maybe}]}\n  - {id: b}\n",
            "/systems/0/depends_on/0/critical",
        ),
        (
            "systems:\n  - {id: a, review: {due: soon}}\n",
            "/systems/0/review/due",
        ),
        (
            "vendors:\n  - {id: a, runs: [b]}\nsystems:\n  - {id: b}\n",
            "/vendors/0",
        ),
    ] {
        let doc = yaml_docs(text).remove(0);
        let paths = error_paths(&extended, &doc);
        assert!(paths.iter().any(|p| p == path), "{text}: {paths:?}");
        assert!(!custody_accepts(dir.path(), text), "custody accepts {text}");
    }
}

#[test]
fn waivers_and_config_mistakes_fail_at_their_paths() {
    let root = common::repo_root();
    let waivers = schema(&["--kind", "waivers"], &root);
    let config = schema(&["--kind", "config"], &root);
    let good_waiver = "waivers:\n  - {rule: R-1, entity: vendor/a, reason: r, approved_by: me, expires: 2027-03-31}\n";
    assert_eq!(
        errors(&waivers, &yaml_docs(good_waiver)[0]),
        Vec::<String>::new()
    );
    for (text, path) in [
        (
            "waivers:\n  - {rule: R-1, entity: vendor/a, reason: r, approved_by: me}\n",
            "/waivers/0",
        ),
        (
            "waivers:\n  - {rule: R-1, entity: a, reason: r, approved_by: me, expires: 2027-03-31}\n",
            "/waivers/0/entity",
        ),
        (
            "waivers:\n  - {rule: R-1, entity: vendor/a, reason: r, approved_by: me, expires: 31/03/2027}\n",
            "/waivers/0/expires",
        ),
        (
            "waivers:\n  - {rule: R-1, entity: vendor/a, reason: r, approved_by: me, expires: 2027-03-31, note: x}\n",
            "/waivers/0",
        ),
        ("waiver: []\n", ""),
    ] {
        let paths = error_paths(&waivers, &yaml_docs(text)[0]);
        assert!(paths.iter().any(|p| p == path), "{text}: {paths:?}");
    }
    for (text, path) in [
        ("polices: [rules.policy]\n", ""),
        ("fail_on: severe\n", "/fail_on"),
        ("max_file_size: 0\n", "/max_file_size"),
        ("library: {disabled: [TPR-001]}\n", "/library"),
        (
            "lint: {waiver_expiry_days: -1}\n",
            "/lint/waiver_expiry_days",
        ),
        (
            "schema: {vendor: {fields: {x: {type: strin}}}}\n",
            "/schema/vendor/fields/x/type",
        ),
        (
            "schema: {vendor: {fields: {link: string}}}\n",
            "/schema/vendor/fields",
        ),
        // `id` is built in at an entity's top level (an object's member may be called so).
        (
            "schema: {vendor: {fields: {id: string}}}\n",
            "/schema/vendor/fields",
        ),
        (
            "taxonomy: {personal: {contact: [fax]}}\n",
            "/taxonomy/personal/contact",
        ),
        ("definitions: {x: {a: 1}}\n", "/definitions/x"),
    ] {
        let paths = error_paths(&config, &yaml_docs(text)[0]);
        assert!(paths.iter().any(|p| p == path), "{text}: {paths:?}");
    }
}

#[test]
fn the_default_inventory_schema() {
    let out = custody(&["schema"], &common::repo_root().join("policies"));
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("inventory_schema", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn the_waivers_and_config_schemas() {
    let root = common::repo_root();
    for kind in ["waivers", "config"] {
        let out = custody(&["schema", "--kind", kind], &root);
        assert_eq!(out.status.code(), Some(0));
        insta::assert_snapshot!(
            format!("{kind}_schema"),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn a_path_without_a_config_or_a_broken_extension_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = custody(&["schema", "nowhere"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
    std::fs::write(
        dir.path().join("custody.yaml"),
        "schema:\n  vendor:\n    fields:\n      risk: {type: strng}\n",
    )
    .expect("write");
    let out = custody(&["schema"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    insta::assert_snapshot!("schema_errors", text);
}
