//! The JSON fast path for `.json` inventory files gives exactly what the YAML reader gives for
//! the same text: the same inventory (entities, spans, references, links) and the same
//! diagnostics in the same order, on the benchmark's S inventory and on adversarial files
//! (where it falls back to the YAML reader).

mod common;

use custody::diag::{self, Diag};
use custody::inventory::load::json::load_as_yaml;
use custody::inventory::{Inventory, Schema, Taxonomy, load};
use custody::source::SourceMap;

/// An inventory as comparable text: everything in it, hash maps in sorted order.
fn canonical(inv: &Inventory) -> String {
    inv.dump()
}

/// Load the named files both ways; both results must be equal. Returns the rendered
/// diagnostics, for the caller to check what was reported.
fn same_both_ways(files: &[(&str, &str)]) -> String {
    let mut sources = SourceMap::new();
    let ids: Vec<_> = files.iter().map(|(n, t)| sources.add(*n, *t)).collect();
    let (schema, taxonomy) = (Schema::builtin(), Taxonomy::builtin());
    let mut fast_diags: Vec<Diag> = Vec::new();
    let fast = load(&ids, &sources, &schema, &taxonomy, &mut fast_diags);
    let mut yaml_diags: Vec<Diag> = Vec::new();
    let yaml = load_as_yaml(&ids, &sources, &schema, &taxonomy, &mut yaml_diags);
    assert!(
        fast_diags == yaml_diags,
        "{files:?}: diagnostics differ\nfast: {fast_diags:#?}\nyaml: {yaml_diags:#?}"
    );
    let (fast, yaml) = (canonical(&fast), canonical(&yaml));
    if fast != yaml {
        let line = fast
            .lines()
            .zip(yaml.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{:.200?}: inventories differ at line {line}:\nfast: {:?}\nyaml: {:?}",
            files,
            fast.lines().nth(line),
            yaml.lines().nth(line)
        );
    }
    diag::render_plain(&fast_diags, &sources)
}

fn one(text: &str) -> String {
    same_both_ways(&[("inventory.json", text)])
}

#[test]
fn the_benchmark_s_inventory_loads_the_same_both_ways() {
    let ok = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: python3 is not installed; this test generates the S workload");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new("python3")
        .arg(common::repo_root().join("benches/gen_inventory.py"))
        .arg("S")
        .arg(tmp.path())
        .arg("--json")
        .output()
        .expect("generator");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(tmp.path().join("inventory.json")).expect("read");
    assert_eq!(one(&text), "", "the S workload has no input errors");
    // A copy with mistakes in it: every entity's diagnostics, in order, the same.
    let broken = text
        .replacen("\"tier\": \"medium\"", "\"tier\": \"medum\"", 50)
        .replacen("\"mfa_enforced\": true", "\"mfa_enforced\": \"yes\"", 50)
        .replacen("\"country\": \"AU\"", "\"countri\": \"AU\"", 50)
        .replacen("\"expires\": \"2027-", "\"expires\": \"2027-13-", 50)
        .replacen("\"accesses\": [\"s0", "\"accesses\": [\"x0", 50);
    let shown = one(&broken);
    assert!(shown.contains("`countri`"), "{shown}");
}

#[test]
fn a_small_committed_inventory_loads_the_same_both_ways() {
    let text = include_str!("fixtures/json/inventory.json");
    let shown = one(text);
    assert!(shown.contains("`colour`"), "{shown}");
}

#[test]
fn mistakes_in_entities_give_the_same_diagnostics() {
    let shown = one(r#"{
  "vendors": [
    {"id": "a", "tier": "hgh", "handles": ["personal.contact.emial"], "accesses": [{"id": "s1", "access": "wrte"}]},
    {"tier": "high"},
    {"id": "", "name": 3},
    {"id": "b", "contract": {"dpa_signed": "true", "expires": "2026-02-30"}},
    {"id": "c", "accesses": ["nope"], "country": "Mars"},
    "not a mapping",
    {"id": "a"}
  ],
  "data_stores": [{"id": "s1", "name": "S1", "vendor": "a"}],
  "vendorz": [],
  "systems": {"id": "x"}
}"#);
    assert!(shown.contains("unknown collection `vendorz`"), "{shown}");
}

#[test]
fn adversarial_json_gives_what_the_yaml_reader_gives() {
    let deep = format!(
        r#"{{"vendors": [{{"id": "v", "name": {}1{}}}]}}"#,
        "[".repeat(300),
        "]".repeat(300)
    );
    let deep_ok = format!(
        r#"{{"vendors": [{{"id": "v", "name": {}1{}}}]}}"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    let long_key = format!(
        r#"{{"vendors": [{{"id": "v", "{}": 1}}]}}"#,
        "k".repeat(2000)
    );
    let texts: Vec<&str> = vec![
        // Escapes, surrogate pairs, lone surrogates.
        r#"{"vendors": [{"id": "v\n1", "name": "a\tb\"c\\d\/e\u00e9"}]}"#,
        r#"{"vendors": [{"id": "v1", "name": "\ud83d\ude00"}]}"#,
        r#"{"vendors": [{"id": "v1", "name": "\ud83d"}]}"#,
        r#"{"vendors": [{"id": "v1", "name": "\ude00x"}]}"#,
        r#"{"vendors": [{"id": "v\u0031", "owner": "\u0000"}]}"#,
        // Numbers, in string and number fields.
        r#"{"vendors": [{"id": "v1", "name": 0, "owner": -0, "tier": 1.0},
                        {"id": "v2", "name": 1e3, "owner": 1E-2, "tier": 12345678901234567890},
                        {"id": "v3", "name": -1.5e+300, "contract": {"breach_notification_hours": 1e3}},
                        {"id": "v4", "contract": {"breach_notification_hours": -0}},
                        {"id": 5}, {"id": 5.0}, {"id": true}, {"id": null}]}"#,
        // Empty collections and values.
        r#"{}"#,
        r#"{"vendors": []}"#,
        r#"{"vendors": null, "data_stores": [{}]}"#,
        r#"{"vendors": [{"id": "v1", "handles": [], "contract": {}}]}"#,
        r#"[]"#,
        r#""vendors""#,
        r#"null"#,
        "",
        // Nesting beyond the YAML depth limit, and within it.
        &deep,
        &deep_ok,
        // Duplicate keys, at each level.
        r#"{"vendors": [{"id": "v1", "id": "v2"}]}"#,
        r#"{"vendors": [], "vendors": [{"id": "v1"}]}"#,
        r#"{"vendors": [{"id": "v1", "contract": {"expires": "2026-01-01", "expires": "2027-01-01"}}]}"#,
        r#"{"vendorz": [{"id": "v1", "id": "v2"}]}"#,
        // Trailing commas, truncation, trailing text, a second document.
        r#"{"vendors": [{"id": "v1"},]}"#,
        r#"{"vendors": [{"id": "v1",}]}"#,
        r#"{"vendors": [{"id": "v1"}"#,
        r#"{"vendors": [{"id": "v1"#,
        r#"{"vendors": [{"id": "v1"}]} x"#,
        "{\"vendors\": []}\n---\n{\"data_stores\": []}\n",
        // A byte-order mark; whitespace variants.
        "\u{feff}{\"vendors\": [{\"id\": \"v1\"}]}",
        "{\r\n\t\"vendors\": [\r\n\t\t{\"id\": \"v1\"}\r\n\t]\r\n}\r\n",
        "\n\n   {\"vendors\":[{\"id\":\"v1\",\"tier\":\"high\"}]}   \n\n",
        "{\"vendors\"\n: [{\"id\": \"v1\"}]}",
        "{\"vendors\": [{\"id\"\n: \"v1\"}]}",
        "{\"vendors\": [{\"id\": \"v1\", \"name\": \"\u{2028}\u{85}\"}]}",
        "{\"vendors\": [{\"id\": \"v1\", \"name\": \"\u{7f}\"}]}",
        // Strings that look like dates, numbers, booleans or categories.
        r#"{"vendors": [{"id": "2026-01-01", "last_audit": "2026-01-01", "mfa_enforced": "true",
                        "tier": "null", "handles": ["personal.contact.email", "personal"],
                        "contract": {"breach_notification_hours": "24", "expires": "2027-01-01T00:00:00Z"}}]}"#,
        r#"{"vendors": [{"id": "v1", "last_audit": 20260101, "handles": "personal.contact.email"}]}"#,
        // Keys that are YAML syntax elsewhere.
        r#"{"<<": {"vendors": []}, "vendors": [{"id": "v1", "<<": {"tier": "high"}}]}"#,
        r##"{"vendors": [{"id": "v1", "&a": 1, "*a": 2, "!tag": 3, "# c": 4, "- x": 5}]}"##,
        &long_key,
    ];
    for text in texts {
        one(text);
    }
}
