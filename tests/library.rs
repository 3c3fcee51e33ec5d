//! The standard policy library: embedded completely, lint-clean, every rule tested, docs
//! generated and current, and the `builtin:`/`library:` mechanism in custody.yaml.

mod common;

use assert_cmd::Command;

fn custody(dir: &std::path::Path) -> Command {
    let mut c = common::custody();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

/// A project using the library, with one vendor that passes nothing.
fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("custody.yaml"), config).expect("w");
    std::fs::create_dir(dir.path().join("inventory")).expect("mkdir");
    std::fs::write(
        dir.path().join("inventory/vendors.yaml"),
        "vendors:\n  - id: offshore\n    tier: critical\n    country: BR\n    handles: [personal.contact.address]\n",
    )
    .expect("w");
    dir
}

fn by_rule(dir: &std::path::Path) -> (i32, Vec<String>, serde_json::Value) {
    let out = custody(dir)
        .args(["check", "--format", "json", "--as-of", "2026-11-24"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rules = v["summary"]["by_rule"]
        .as_array()
        .expect("by_rule")
        .iter()
        .map(|r| r["rule"].as_str().unwrap_or("").to_owned())
        .collect();
    (out.status.code().unwrap_or(-1), rules, v)
}

#[test]
fn every_library_file_is_embedded_as_it_is_on_disk() {
    let dir = common::repo_root().join("policies/library");
    let mut on_disk: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("policies/library")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|p| {
            (
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read_to_string(&p).expect("read"),
            )
        })
        .collect();
    on_disk.sort();
    let mut embedded: Vec<(String, String)> = custody::library::FILES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    embedded.sort();
    assert_eq!(
        embedded, on_disk,
        "library::FILES must list every policies/library/*.policy"
    );
}

#[test]
fn the_library_has_at_least_24_documented_rules_and_is_lint_clean() {
    let dir = project("policies: [builtin:tpr]\ninventory: [inventory]\n");
    let (_, rules, v) = by_rule(dir.path());
    assert!(rules.len() >= 24, "{} rules", rules.len());
    assert!(
        v["errors"].as_array().is_some_and(Vec::is_empty),
        "{}",
        v["errors"]
    );
    let out = custody(dir.path())
        .args(["lint", "--deny-warnings"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every rule names its controls, explains itself and says how to fix it.
    let docs = custody::cmd::docs::pages().expect("library checks");
    for id in &rules {
        let page = &docs
            .iter()
            .find(|(n, _)| n == &format!("{id}.md"))
            .expect("a page per rule")
            .1;
        assert!(
            page.contains("## What it checks, and why\n\n")
                && !page.contains("(no remediation given)"),
            "{id}"
        );
        assert!(page.contains("## References\n\n- "), "{id} has references");
    }
}

#[test]
fn every_library_rule_has_passing_tests() {
    let root = common::repo_root();
    let out = custody(&root)
        .args(["test", "policies/library/tests", "--coverage"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = text.lines().last().unwrap_or("");
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    assert!(
        !text.contains("without a test"),
        "coverage lists untested rules:\n{text}"
    );
}

#[test]
fn generated_rule_docs_are_current() {
    let root = common::repo_root();
    let out = custody(&root)
        .args(["docs", "--check"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "run `custody docs`:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn framework_selection_disable_and_unknown_names() {
    let all = by_rule(project("policies: [builtin:tpr]\ninventory: [inventory]\n").path()).1;
    let (_, gdpr, _) =
        by_rule(project("policies: [builtin:gdpr]\ninventory: [inventory]\n").path());
    assert!(
        !gdpr.is_empty() && gdpr.len() < all.len(),
        "{} of {}",
        gdpr.len(),
        all.len()
    );
    let pages = custody::cmd::docs::pages().expect("docs");
    for id in &gdpr {
        let page = &pages
            .iter()
            .find(|(n, _)| n == &format!("{id}.md"))
            .expect("page")
            .1;
        assert!(
            page.contains("- GDPR "),
            "{id} is selected by builtin:gdpr without a GDPR reference"
        );
    }
    let first = all[0].clone();
    let (_, fewer, _) = by_rule(
        project(&format!(
            "policies: [builtin:tpr]\ninventory: [inventory]\nlibrary:\n  disable: [{first}]\n"
        ))
        .path(),
    );
    assert_eq!(fewer.len(), all.len() - 1);
    assert!(!fewer.contains(&first));

    let (code, _, v) =
        by_rule(project("policies: [builtin:gdrp]\ninventory: [inventory]\n").path());
    assert_eq!(code, 2);
    assert_eq!(v["errors"][0]["code"], "custody::library::unknown");
    assert_eq!(v["errors"][0]["help"], "did you mean `builtin:gdpr`?");
    let (code, _, v) = by_rule(
        project(
            "policies: [builtin:tpr]\ninventory: [inventory]\nlibrary:\n  disable: [TPR-NOPE-99]\n",
        )
        .path(),
    );
    assert_eq!(code, 2);
    assert_eq!(v["errors"][0]["code"], "custody::library::unknown_rule");
}

#[test]
fn parameters_override_library_lets_by_name() {
    // The vendor processes data in BR: outside the default allowed countries.
    let base = "policies: [builtin:tpr]\ninventory: [inventory]\n";
    let (_, _, v) = by_rule(project(base).path());
    let fails_xb = |v: &serde_json::Value| {
        v["findings"].as_array().expect("findings").iter().any(|f| {
            f["rule"].as_str().is_some_and(|r| r.starts_with("TPR-XB"))
                && f["entity"] == "vendor/offshore"
        })
    };
    assert!(fails_xb(&v), "BR is not an allowed country by default");
    let (_, _, v) = by_rule(
        project(&format!(
            "{base}library:\n  parameters:\n    allowed_countries: [AU, BR]\n"
        ))
        .path(),
    );
    assert!(
        v["errors"].as_array().is_some_and(Vec::is_empty),
        "{}",
        v["errors"]
    );
    assert!(
        !fails_xb(&v),
        "allowing BR removes the cross-border finding"
    );
    // So does making BR home, or recording a transfer mechanism on the vendor.
    let (_, _, v) = by_rule(
        project(&format!(
            "{base}library:\n  parameters:\n    home_jurisdiction: [BR]\n"
        ))
        .path(),
    );
    assert!(!fails_xb(&v), "BR is home: no transfer");
    let dir = project(base);
    std::fs::write(
        dir.path().join("inventory/vendors.yaml"),
        "vendors:\n  - id: offshore\n    country: BR\n    transfer: scc\n    handles: [personal.contact.address]\n",
    )
    .expect("w");
    let (_, _, v) = by_rule(dir.path());
    assert!(!fails_xb(&v), "standard contractual clauses cover BR");

    let (code, _, v) = by_rule(
        project(&format!(
            "{base}library:\n  parameters:\n    allowed_countrys: [AU]\n"
        ))
        .path(),
    );
    assert_eq!(code, 2);
    assert_eq!(
        v["errors"][0]["code"],
        "custody::library::unknown_parameter"
    );
    assert_eq!(v["errors"][0]["help"], "did you mean `allowed_countries`?");
    // A value that is not a policy expression: one error where it is written.
    let (code, _, v) = by_rule(
        project(&format!(
            "{base}library:\n  parameters:\n    allowed_countries: \"[AU,\"\n"
        ))
        .path(),
    );
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["errors"][0]["code"], "custody::library::bad_parameter");
    assert_eq!(v["errors"][0]["file"], "custody.yaml");
}

#[test]
fn a_parameter_of_the_wrong_type_is_an_error_on_the_custody_yaml_value() {
    // A date for a number of hours, a YAML list (strings) for data categories, and a value
    // naming something unknown: each labelled on the value in custody.yaml, with the
    // library's `let` as a note (not at a comment of the library file, nor at each use).
    let dir = project(
        "policies: [builtin:tpr]\ninventory: [inventory]\nlibrary:\n  parameters:\n    breach_notice_hours: today\n    encryption_required_data: [personal, credentials]\n    low_tier_max_records: \"records_limit\"\n    allowed_countries: [AU, BR]\n",
    );
    let out = custody(dir.path())
        .args(["check", "--as-of", "2026-11-24", "--color", "never"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("type_mismatch"), "{stderr}");
    insta::assert_snapshot!(stderr);
    let (code, rules, v) = by_rule(dir.path());
    assert_eq!(code, 2);
    let codes: Vec<(&str, &str, i64)> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap_or(""),
                e["file"].as_str().unwrap_or(""),
                e["line"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("custody::library::parameter_type", "custody.yaml", 5),
            ("custody::library::parameter_type", "custody.yaml", 6),
            ("custody::policy::unknown_name", "custody.yaml", 7),
        ]
    );
    // The rules that use a wrong parameter do not run; the others do.
    assert!(!rules.iter().any(|r| r == "TPR-CON-03"), "{rules:?}");
    assert!(rules.iter().any(|r| r == "TPR-XB-01"), "{rules:?}");
}

/// Regression: `custody test` could not load `builtin:` policies (found migrating the example).
#[test]
fn policy_tests_load_the_library_with_the_configs_parameters() {
    let dir = project(
        "policies: [builtin:tpr]\ninventory: [inventory]\nlibrary:\n  parameters:\n    allowed_countries: [AU, BR]\n",
    );
    std::fs::write(
        dir.path().join("xb.test.yaml"),
        "as_of: 2026-11-24\ninventory:\n  vendors:\n    - {id: br, country: BR, handles: [personal.contact.email]}\n    - {id: cn, country: CN, handles: [personal.contact.email]}\nexpect:\n  TPR-XB-01:\n    pass: [vendor/br]\n    fail: [vendor/cn]\n",
    )
    .expect("w");
    let out = custody(dir.path())
        .args(["test", "xb.test.yaml"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.ends_with("1 passed, 0 failed\n"), "{text}");
}

/// Regression: `--policy` replacing a config's policies made its `library.parameters` an error.
#[test]
fn policy_flag_without_the_library_ignores_the_configs_library_settings() {
    let dir = project(
        "policies: [builtin:tpr]\ninventory: [inventory]\nlibrary:\n  parameters:\n    allowed_countries: [AU]\n  disable: [TPR-OWN-01]\n",
    );
    std::fs::write(
        dir.path().join("own.policy"),
        "rule OWN-1 \"o\" {\n for vendor v\n require v.owner is set\n}\n",
    )
    .expect("w");
    let out = custody(dir.path())
        .args([
            "check",
            "--policy",
            "own.policy",
            "--format",
            "json",
            "--as-of",
            "2026-11-24",
        ])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = custody(dir.path())
        .args([
            "check",
            "--policy",
            "builtin:tpr",
            "--format",
            "json",
            "--as-of",
            "2026-11-24",
        ])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v["errors"].as_array().is_some_and(Vec::is_empty),
        "{}",
        v["errors"]
    );
    assert!(
        !v["summary"]["by_rule"]
            .as_array()
            .expect("by_rule")
            .iter()
            .any(|r| r["rule"] == "TPR-OWN-01"),
        "still disabled"
    );
}
