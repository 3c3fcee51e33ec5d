//! CI formats (SARIF, JUnit, GitHub, GitLab, Markdown), `--output`/`--report`, and baselines,
//! on the airline example and small fixtures, through the real binary.

mod common;

use assert_cmd::Command;
use custody::cmd::check::{Options, report};
use custody::project::Settings;
use custody::report::markdown;

fn custody() -> Command {
    let mut c = common::custody();
    c.current_dir(common::repo_root());
    c
}

fn airline(format: &str) -> String {
    let out = custody()
        .args([
            "check",
            "examples/airline",
            "--as-of",
            "2026-11-24",
            "--format",
            format,
        ])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The counts of the airline run, from its JSON summary.
struct Summary {
    rules: usize,
    selected: usize,
    findings: usize,
    failing: usize,
}

fn airline_summary() -> Summary {
    let v: serde_json::Value = serde_json::from_str(&airline("json")).expect("JSON");
    let n = |k: &str| {
        v["summary"][k]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or_else(|| panic!("summary.{k}: {}", v["summary"]))
    };
    Summary {
        rules: n("rules"),
        selected: n("selected"),
        findings: n("findings"),
        failing: n("failing"),
    }
}

/// The airline SARIF log in focused snapshots, each small enough to read: the run with its
/// results and rules left out, one line per result, one rule descriptor, and two whole
/// results (a failing one with related locations, and the waived one).
fn sarif_snapshots(value: &serde_json::Value) {
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).expect("JSON");
    let run = &value["runs"][0];
    let results = run["results"].as_array().expect("results");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");

    let mut skeleton = value.clone();
    skeleton["runs"][0]["results"] = serde_json::json!(format!(
        "{} results: see airline_sarif_results",
        results.len()
    ));
    skeleton["runs"][0]["tool"]["driver"]["rules"] =
        rules.iter().map(|r| r["id"].clone()).collect();
    insta::assert_snapshot!("airline_sarif_run", pretty(&skeleton));

    let lines: Vec<String> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            format!(
                "{:<8} {:<7} {}:{}:{} related={}{}  {}",
                r["ruleId"].as_str().unwrap_or("?"),
                r["level"].as_str().unwrap_or("?"),
                loc["artifactLocation"]["uri"].as_str().unwrap_or("?"),
                loc["region"]["startLine"],
                loc["region"]["startColumn"],
                r["relatedLocations"].as_array().map_or(0, Vec::len),
                if r["suppressions"].is_array() {
                    " suppressed"
                } else {
                    ""
                },
                r["partialFingerprints"]["custody/v1"]
                    .as_str()
                    .unwrap_or("?"),
            )
        })
        .collect();
    insta::assert_snapshot!("airline_sarif_results", lines.join("\n"));

    let rule = rules
        .iter()
        .find(|r| r["id"] == "TPR-001")
        .expect("TPR-001");
    insta::assert_snapshot!("airline_sarif_rule_tpr001", pretty(rule));
    let failing = results
        .iter()
        .find(|r| r["partialFingerprints"]["custody/v1"] == "TPR-001|vendor/tessaly-crm")
        .expect("TPR-001 on tessaly-crm");
    assert!(
        failing["suppressions"].is_null(),
        "a failing result, not the waived one"
    );
    insta::assert_snapshot!("airline_sarif_result_failing", pretty(failing));
    let waived = results
        .iter()
        .find(|r| r["suppressions"].is_array())
        .expect("a waived result");
    insta::assert_snapshot!("airline_sarif_result_waived", pretty(waived));
}

#[test]
fn sarif_snapshot_and_schema_validation() {
    let text = airline("sarif");
    let value: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    sarif_snapshots(&value);
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).expect("schema");
    let validator = common::sarif_validator(&schema);
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}",
        errors.join("\n")
    );
    let summary = airline_summary();
    let run = &value["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().map(Vec::len),
        Some(summary.rules)
    );
    assert_eq!(summary.rules, 42, "38 library rules and the airline's 4");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), summary.findings);
    // Waived: an external suppression with the waiver's reason.
    let waived: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["suppressions"][0]["kind"], "external");
    // Fingerprints are rule + entity, not line numbers.
    let tessaly = results
        .iter()
        .find(|r| r["partialFingerprints"]["custody/v1"] == "TPR-001|vendor/tessaly-crm")
        .expect("TPR-001 on tessaly-crm");
    let loc = &tessaly["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "examples/airline/inventory/vendors.yaml"
    );
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 65);
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn sarif_reports_input_errors_as_notifications() {
    let out = custody()
        .current_dir(common::repo_root().join("tests/ui/inventory_errors"))
        .args(["check", "--format", "sarif"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let inv = &value["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(
        notes
            .iter()
            .any(|n| n["properties"]["code"] == "custody::inventory::unknown_field")
    );
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).expect("schema");
    assert!(common::sarif_validator(&schema).is_valid(&value));
}

#[test]
fn fingerprints_survive_unrelated_line_moves() {
    let dir = tempfile::tempdir().expect("tmp");
    let policy = "rule F-1 \"f\" {\n for vendor v\n require v.mfa_enforced\n}\n";
    std::fs::write(dir.path().join("r.policy"), policy).expect("w");
    let fp = |inv: &str| {
        std::fs::write(dir.path().join("i.yaml"), inv).expect("w");
        let out = Command::cargo_bin("custody")
            .expect("bin")
            .current_dir(dir.path())
            .args([
                "check",
                "--policy",
                "r.policy",
                "--inventory",
                "i.yaml",
                "--format",
                "sarif",
            ])
            .output()
            .expect("run");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        (
            v["runs"][0]["results"][0]["partialFingerprints"].clone(),
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
                .clone(),
        )
    };
    let (a, la) = fp("vendors:\n  - id: x\n    mfa_enforced: false\n");
    let (b, lb) =
        fp("vendors:\n  - id: other\n    mfa_enforced: true\n  - id: x\n    mfa_enforced: false\n");
    assert_eq!(a, b);
    assert_ne!(la, lb);
}

#[test]
fn junit_snapshot_parses_back_with_one_suite_per_rule_and_one_case_per_selected_entity() {
    let text = airline("junit");
    insta::assert_snapshot!("airline_junit", text);
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let suites: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let summary = airline_summary();
    assert_eq!(suites.len(), summary.rules);
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(
        cases, summary.selected,
        "one test case per selected entity, passing ones included"
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        summary.failing
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("skipped"))
            .count(),
        1,
        "the waived finding"
    );
    let tpr1 = suites
        .iter()
        .find(|s| {
            s.attribute("name")
                .is_some_and(|n| n.starts_with("TPR-001"))
        })
        .expect("TPR-001 suite");
    assert_eq!(tpr1.attribute("tests"), Some("7"));
    assert_eq!(tpr1.attribute("failures"), Some("2"));
}

#[test]
fn github_gitlab_markdown_snapshots() {
    insta::assert_snapshot!("airline_github", airline("github"));
    let gitlab = airline("gitlab");
    insta::assert_snapshot!("airline_gitlab", gitlab);
    let v: serde_json::Value = serde_json::from_str(&gitlab).expect("JSON");
    let issues = v.as_array().expect("array");
    assert_eq!(
        issues.len(),
        airline_summary().failing,
        "failing findings only"
    );
    for i in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].is_string(), "{key}: {i}");
        }
        assert!(i["location"]["path"].is_string() && i["location"]["lines"]["begin"].is_u64());
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap_or(""))
        );
    }
    insta::assert_snapshot!("airline_markdown", airline("markdown"));
}

#[test]
fn github_escaping_golden_cases() {
    use custody::report::github::{escape_data, escape_property};
    assert_eq!(
        escape_data("100% done\nnext line\r\n"),
        "100%25 done%0Anext line%0D%0A"
    );
    assert_eq!(
        escape_property("dir:a,b/file 50%.yaml"),
        "dir%3Aa%2Cb/file 50%25.yaml"
    );
    assert_eq!(escape_property("a\nb"), "a%0Ab");
    // `%` first, so an escape is never escaped twice.
    assert_eq!(escape_data("%0A"), "%250A");
    // End to end: a message with a newline, a colon and a comma, a path with a comma.
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("r.policy"), "rule G-1 \"Title: with, punctuation\" {\n for vendor v\n require v.mfa_enforced\n message \"50% of {v.name}, really:\\nyes\"\n}\n").expect("w");
    std::fs::write(
        dir.path().join("odd,name.yaml"),
        "vendors:\n  - id: x\n    name: X\n",
    )
    .expect("w");
    let out = Command::cargo_bin("custody")
        .expect("bin")
        .current_dir(dir.path())
        .args([
            "check",
            "--policy",
            "r.policy",
            "--inventory",
            "odd,name.yaml",
            "--format",
            "github",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        text,
        "::warning file=odd%2Cname.yaml,line=2,col=9,endLine=2,endColumn=10,title=G-1 Title%3A with%2C punctuation::vendor/x (X): 50%25 of X, really:%0Ayes%0A- mfa_enforced is missing\n"
    );
}

#[test]
fn output_and_report_write_files_identical_to_stdout() {
    let dir = tempfile::tempdir().expect("tmp");
    let sarif = dir.path().join("out.sarif");
    let junit = dir.path().join("out.xml");
    let json = dir.path().join("out.json");
    let out = custody()
        .args([
            "check",
            "examples/airline",
            "--as-of",
            "2026-11-24",
            "--format",
            "json",
            "--output",
        ])
        .arg(&json)
        .arg("--report")
        .arg(format!("sarif={}", sarif.display()))
        .arg("--report")
        .arg(format!("junit={}", junit.display()))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "--output sends the main format to the file"
    );
    assert_eq!(
        std::fs::read_to_string(&sarif).expect("sarif"),
        airline("sarif")
    );
    assert_eq!(
        std::fs::read_to_string(&junit).expect("junit"),
        airline("junit")
    );
    assert_eq!(
        std::fs::read_to_string(&json).expect("json"),
        airline("json")
    );
    // Human output to the log, machine files behind: the CI step.
    let out = custody()
        .args([
            "check",
            "examples/airline",
            "--as-of",
            "2026-11-24",
            "--color",
            "never",
            "--report",
        ])
        .arg(format!("gitlab={}", dir.path().join("gl.json").display()))
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("failing findings"));
    assert!(dir.path().join("gl.json").exists());
    let bad = custody()
        .args(["check", "examples/airline", "--report", "pdf=x.pdf"])
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("`pdf` is not a format"));
}

#[test]
fn baselines_keep_known_findings_out_of_the_exit_code() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path();
    std::fs::write(
        p.join("r.policy"),
        "rule B-1 \"b\" {\n severity high\n for vendor v\n require v.mfa_enforced\n}\n",
    )
    .expect("w");
    let inv = |vendors: &[&str]| {
        let mut s = String::from("vendors:\n");
        for v in vendors {
            s.push_str(&format!("  - id: {v}\n    mfa_enforced: false\n"));
        }
        std::fs::write(p.join("i.yaml"), s).expect("w");
    };
    let run = |extra: &[&str]| {
        Command::cargo_bin("custody")
            .expect("bin")
            .current_dir(p)
            .args([
                "check",
                "--policy",
                "r.policy",
                "--inventory",
                "i.yaml",
                "--color",
                "never",
            ])
            .args(extra)
            .output()
            .expect("run")
    };
    inv(&["old-a", "old-b", "old-c"]);
    let out = run(&["--write-baseline", "baseline.json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "writing the baseline is the point of the run: it exits 0 once written"
    );
    let text = std::fs::read_to_string(p.join("baseline.json")).expect("baseline");
    insta::assert_snapshot!("baseline_file", text);
    // Known findings only: exit 0, counted as baselined.
    let out = run(&["--baseline", "baseline.json"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("no failing findings, 0 waived; 1 rule over 3 entities, as of")
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 baselined"));
    // A new finding fails; a fixed one is reported.
    inv(&["old-a", "old-b", "new-d"]);
    let out = run(&["--baseline", "baseline.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let statuses: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["entity"].as_str().unwrap_or("").to_owned(),
                f["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("vendor/new-d".into(), "fail".into()),
            ("vendor/old-a".into(), "baselined".into()),
            ("vendor/old-b".into(), "baselined".into())
        ]
    );
    assert_eq!(v["warnings"][0]["code"], "custody::baseline::fixed");
    assert_eq!(v["warnings"][0]["message"], "1 baselined finding is fixed");
    // A malformed baseline is an input error.
    std::fs::write(
        p.join("bad.json"),
        "{\"version\": 1, \"findings\": [{\"rule\": \"B-1\"}]}",
    )
    .expect("w");
    let out = run(&["--baseline", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("custody::baseline::malformed"));
}

#[test]
fn markdown_lists_waivers_expiring_within_30_days_and_groups_findings_by_rule() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path();
    std::fs::write(p.join("r.policy"), "rule M-1 \"MFA | enforced\" {\n severity high\n for vendor v\n require v.mfa_enforced\n}\n").expect("w");
    std::fs::write(
        p.join("i.yaml"),
        "vendors:\n  - id: soon\n  - id: later\n  - id: open\n",
    )
    .expect("w");
    let waiver = |id: &str, expires: &str| {
        format!(
            "  - rule: M-1\n    entity: vendor/{id}\n    reason: r\n    approved_by: ciso\n    expires: {expires}\n"
        )
    };
    std::fs::write(
        p.join("w.yaml"),
        format!(
            "waivers:\n{}{}",
            waiver("soon", "2026-12-24"),
            waiver("later", "2026-12-25")
        ),
    )
    .expect("w");
    let as_of: jiff::civil::Date = "2026-11-24".parse().expect("date");
    let options = Options {
        project: Settings {
            cwd: p.to_path_buf(),
            policies: vec![p.join("r.policy")],
            inventory: vec![p.join("i.yaml")],
            waivers: Some(p.join("w.yaml")),
            as_of: Some(as_of),
            ..Settings::default()
        },
        ..Options::default()
    };
    let text = markdown::render(&report(&options, as_of), custody::report::GroupBy::None);
    assert!(text.starts_with("## custody: failed\n"), "{text}");
    assert!(
        text.contains("### M-1 MFA \\| enforced (high)"),
        "pipes in titles are escaped: {text}"
    );
    assert!(
        text.contains("| `vendor/open` |  |  | mfa_enforced is missing |"),
        "{text}"
    );
    let expiring = text
        .split("### Waivers expiring within 30 days")
        .nth(1)
        .expect("section");
    assert!(
        expiring.contains("`vendor/soon` | 2026-12-24"),
        "as-of + 30 days is included: {expiring}"
    );
    assert!(
        !expiring.contains("vendor/later"),
        "31 days out is not: {expiring}"
    );
}

/// `--format concise`: one line per finding (`path:line:col: severity RULE entity (owner):
/// message`), then the summary; errors and warnings one line each on stderr.
#[test]
fn concise_is_one_line_per_finding_and_per_diagnostic() {
    let out = custody()
        .args([
            "check",
            "examples/airline",
            "--as-of",
            common::AS_OF,
            "--format",
            "concise",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 68, "67 findings and the summary:\n{text}");
    assert_eq!(
        lines[0],
        "examples/airline/inventory/vendors.yaml:65:9: high TPR-001 vendor/tessaly-crm (dana.whitfield@southerncrossair.example): Tessaly Cloud CRM handles customer addresses; last audit (missing)"
    );
    assert!(lines[67].starts_with("custody: 67 failing findings"));

    let out = custody()
        .current_dir(common::repo_root().join("tests/ui/inventory_errors"))
        .args(["check", "--format", "concise"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    insta::assert_snapshot!("concise_diagnostics", stderr);
}

/// `--group-by owner`: a heading per owner with their findings under it, in human, concise
/// and Markdown output.
#[test]
fn group_by_owner_puts_an_owners_findings_together() {
    let run = |format: &str| {
        let out = custody()
            .args([
                "check",
                "examples/airline",
                "--as-of",
                common::AS_OF,
                "--color",
                "never",
                "--group-by",
                "owner",
                "--format",
                format,
            ])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let human = run("human");
    let dana = "owner dana.whitfield@southerncrossair.example: 18 failing findings";
    assert!(human.contains(&format!("{dana}\n\n  ")), "{human}");
    let concise = run("concise");
    let section: Vec<&str> = concise
        .split(&format!("{dana}\n"))
        .nth(1)
        .expect("heading")
        .split("\n\n")
        .next()
        .expect("group")
        .lines()
        .collect();
    assert_eq!(section.len(), 18);
    assert!(
        section
            .iter()
            .all(|l| l.contains("(dana.whitfield@southerncrossair.example)")),
        "{section:#?}"
    );
    let headings: Vec<&str> = concise
        .lines()
        .filter(|l| l.starts_with("owner ") || l.starts_with("no owner"))
        .collect();
    assert_eq!(
        headings.last().copied(),
        Some("no owner: 5 failing findings"),
        "findings without an owner come last"
    );
    let owners = &headings[..headings.len() - 1];
    let mut sorted = owners.to_vec();
    sorted.sort();
    assert_eq!(owners, sorted, "owners in name order");
    let markdown = run("markdown");
    assert!(
        markdown.contains("### owner dana.whitfield@southerncrossair.example (18)\n\n| rule | severity | entity | name | owner | problem | where |"),
        "{markdown}"
    );
}

/// Every finding carries its entity's `name` and `owner` in JSON.
#[test]
fn json_findings_carry_name_and_owner() {
    let v: serde_json::Value = serde_json::from_str(&airline("json")).expect("JSON");
    let findings = v["findings"].as_array().expect("findings");
    let tessaly = findings
        .iter()
        .find(|f| f["entity"] == "vendor/tessaly-crm")
        .expect("tessaly");
    assert_eq!(tessaly["name"], "Tessaly Cloud CRM");
    assert_eq!(tessaly["owner"], "dana.whitfield@southerncrossair.example");
    assert!(
        findings
            .iter()
            .all(|f| f.get("name").is_some() && f.get("owner").is_some())
    );
}

/// Run `custody check` in `dir` with `args` and return (exit code, stdout).
fn check_in(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::cargo_bin("custody")
        .expect("bin")
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A low rule that sorts first by ID, a critical one that sorts last, and an inventory
/// file with an unknown field (an input error).
fn mixed_severity_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("r.policy"),
        "rule A-1 \"low first by id\" {\n severity low\n for vendor v\n require v.mfa_enforced\n}\n\
         rule Z-1 \"critical last by id\" {\n severity critical\n for vendor v\n require v.mfa_enforced\n}\n",
    )
    .expect("w");
    std::fs::create_dir(dir.path().join("inv")).expect("mkdir");
    std::fs::write(
        dir.path().join("inv/a.yaml"),
        "vendors:\n  - id: x\n    mfa_enforced: false\n  - id: y\n    mfa_enforced: false\n",
    )
    .expect("w");
    std::fs::write(
        dir.path().join("inv/b.yaml"),
        "vendors:\n  - id: z\n    mfa_enforced: false\n    colour: red\n",
    )
    .expect("w");
    dir
}

#[test]
fn github_annotations_come_input_errors_first_then_most_severe_first() {
    let dir = mixed_severity_project();
    let (code, text) = check_in(
        dir.path(),
        &[
            "--policy",
            "r.policy",
            "--inventory",
            "inv",
            "--format",
            "github",
        ],
    );
    assert_eq!(code, Some(2), "{text}");
    let titles: Vec<&str> = text
        .lines()
        .map(|l| {
            let t = l.split("title=").nth(1).unwrap_or("");
            t.split("::").next().unwrap_or("")
        })
        .collect();
    assert_eq!(
        titles,
        [
            "custody%3A%3Ainventory%3A%3Aunknown_field",
            "Z-1 critical last by id",
            "Z-1 critical last by id",
            "Z-1 critical last by id",
            "A-1 low first by id",
            "A-1 low first by id",
            "A-1 low first by id",
        ],
        "{text}"
    );
    let entities: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split("::").nth(2))
        .map(|m| m.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(
        entities,
        [
            "vendor/x", "vendor/y", "vendor/z", "vendor/x", "vendor/y", "vendor/z"
        ],
        "within a severity, rule then entity order"
    );
}

#[test]
fn junit_is_valid_junit10_and_reports_input_errors_as_a_failing_suite() {
    // The airline run: no `skipped` on `testsuites` (the junit-10 XSD allows it only on
    // `testsuite`), and every `message` attribute on one line.
    let text = airline("junit");
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("skipped"), None, "{text}");
    assert!(
        doc.descendants()
            .filter(|n| n.has_tag_name("testsuite"))
            .all(|s| s.attribute("skipped").is_some()),
        "suites keep their skipped count"
    );
    // A message with a line break: one line in the attribute, the whole text in the body.
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("r.policy"),
        "rule N-1 \"n\" {\n for vendor v\n require v.mfa_enforced\n message \"first line\\nsecond line\"\n}\n",
    )
    .expect("w");
    std::fs::write(dir.path().join("i.yaml"), "vendors:\n  - id: x\n").expect("w");
    let (code, text) = check_in(
        dir.path(),
        &[
            "--policy",
            "r.policy",
            "--inventory",
            "i.yaml",
            "--format",
            "junit",
        ],
    );
    assert_eq!(code, Some(1), "{text}");
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert_eq!(failure.attribute("message"), Some("first line second line"));
    assert!(
        failure
            .text()
            .unwrap_or("")
            .contains("first line\nsecond line"),
        "{text}"
    );
    assert!(!text.contains("&#xA;") && !text.contains("&#10;"), "{text}");

    // Input errors: a suite of their own, first, one failing case per error.
    let dir = mixed_severity_project();
    let (code, text) = check_in(
        dir.path(),
        &[
            "--policy",
            "r.policy",
            "--inventory",
            "inv",
            "--format",
            "junit",
        ],
    );
    assert_eq!(code, Some(2), "{text}");
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let suites: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let errors = suites[0];
    assert_eq!(errors.attribute("name"), Some("custody input errors"));
    assert_eq!(errors.attribute("tests"), Some("1"));
    assert_eq!(errors.attribute("failures"), Some("1"));
    let case = errors
        .children()
        .find(|n| n.has_tag_name("testcase"))
        .expect("a case");
    let failure = case
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("failing");
    assert_eq!(
        failure.attribute("type"),
        Some("custody::inventory::unknown_field")
    );
    assert!(
        failure.text().unwrap_or("").starts_with("inv/b.yaml:4:5"),
        "{text}"
    );
    assert!(
        case.attribute("name")
            .unwrap_or("")
            .contains("inv/b.yaml:4:5")
    );
    insta::assert_snapshot!("junit_input_errors", text);
}

#[test]
fn gitlab_reports_input_errors_as_blocker_issues() {
    let dir = mixed_severity_project();
    let (code, text) = check_in(
        dir.path(),
        &[
            "--policy",
            "r.policy",
            "--inventory",
            "inv",
            "--format",
            "gitlab",
        ],
    );
    assert_eq!(code, Some(2), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let issues = v.as_array().expect("array");
    assert_eq!(issues.len(), 7, "one input error and six findings: {text}");
    let e = &issues[0];
    assert_eq!(e["check_name"], "custody::inventory::unknown_field");
    assert_eq!(e["severity"], "blocker");
    assert_eq!(e["location"]["path"], "inv/b.yaml");
    assert_eq!(e["location"]["lines"]["begin"], 4);
    let fp = e["fingerprint"].as_str().expect("fingerprint");
    assert!(
        fp.starts_with("custody::inventory::unknown_field|inv/b.yaml|"),
        "{fp}"
    );
    insta::assert_snapshot!(
        "gitlab_input_error",
        serde_json::to_string_pretty(e).expect("JSON")
    );
}

#[test]
fn markdown_to_the_github_step_summary_is_appended_other_files_replaced() {
    let dir = tempfile::tempdir().expect("tmp");
    let summary = dir.path().join("step_summary.md");
    let other = dir.path().join("other.md");
    std::fs::write(&summary, "## Build\n\nbuilt fine\n").expect("w");
    std::fs::write(&other, "old text\n").expect("w");
    let run = || {
        let out = custody()
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args([
                "check",
                "examples/airline",
                "--as-of",
                "2026-11-24",
                "--report",
            ])
            .arg(format!("markdown={}", summary.display()))
            .arg("--report")
            .arg(format!("markdown={}", other.display()))
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1));
    };
    run();
    let markdown = airline("markdown");
    assert_eq!(
        std::fs::read_to_string(&summary).expect("summary"),
        format!("## Build\n\nbuilt fine\n\n{markdown}"),
        "appended after a blank line"
    );
    assert_eq!(
        std::fs::read_to_string(&other).expect("other"),
        markdown,
        "a Markdown file that is not the step summary is replaced"
    );
    run();
    assert_eq!(
        std::fs::read_to_string(&summary).expect("summary"),
        format!("## Build\n\nbuilt fine\n\n{markdown}\n{markdown}")
    );
    // Without the variable, the same path is replaced as any other.
    let out = custody()
        .env_remove("GITHUB_STEP_SUMMARY")
        .args([
            "check",
            "examples/airline",
            "--as-of",
            "2026-11-24",
            "--report",
        ])
        .arg(format!("markdown={}", summary.display()))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&summary).expect("summary"),
        markdown
    );
}

fn sarif_schema_errors(value: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).expect("schema");
    common::sarif_validator(&schema)
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_library_locations_have_no_artifact_and_the_run_declares_version_and_columns() {
    let value: serde_json::Value = serde_json::from_str(&airline("sarif")).expect("JSON");
    let run = &value["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(
        run["tool"]["driver"]["semanticVersion"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let results = run["results"].as_array().expect("results");
    let mut library_places = 0;
    for res in results {
        for loc in res["locations"]
            .as_array()
            .into_iter()
            .chain(res["relatedLocations"].as_array())
            .flatten()
        {
            let uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or("");
            assert!(!uri.starts_with("builtin:"), "{loc}");
            if loc["physicalLocation"].is_null() {
                let text = loc["message"]["text"].as_str().expect("a message");
                assert!(text.contains("(builtin:tpr/"), "{text}");
                library_places += 1;
            }
        }
    }
    assert!(library_places > 0, "the airline runs library rules");
    let acc = results
        .iter()
        .find(|r| r["partialFingerprints"]["custody/v1"] == "TPR-ACC-01|vendor/deskpoint")
        .expect("TPR-ACC-01 on deskpoint");
    assert_eq!(
        acc["relatedLocations"][0],
        serde_json::json!({
            "id": 0,
            "message": { "text": "required by rule TPR-ACC-01 (builtin:tpr/access.policy:35:3)" }
        })
    );
    // GitHub's own fingerprint, from the rule + entity identity: one per result, distinct.
    let mut hashes: Vec<&str> = results
        .iter()
        .map(|r| {
            let fp = &r["partialFingerprints"];
            let h = fp["primaryLocationLineHash"].as_str().expect("line hash");
            assert_eq!(
                h,
                custody::report::sarif::line_hash(fp["custody/v1"].as_str().expect("v1"))
            );
            h
        })
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    assert_eq!(hashes.len(), results.len());
    assert_eq!(
        custody::report::sarif::line_hash("TPR-001|vendor/globalres-gds"),
        "4b83173bbdf12aca:1",
        "stable across releases and platforms"
    );
}

#[test]
fn sarif_gives_every_rule_a_help() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("r.policy"),
        "rule H-1 \"Only a title\" {\n for vendor v\n require v.mfa_enforced\n}\n\
         rule H-2 \"A title\" {\n description \"What the rule is about.\"\n for vendor v\n require v.mfa_enforced\n}\n\
         rule H-3 \"Another\" {\n description \"About.\"\n remediation \"Do this.\"\n for vendor v\n require v.mfa_enforced\n}\n",
    )
    .expect("w");
    std::fs::write(dir.path().join("i.yaml"), "vendors:\n  - id: x\n").expect("w");
    let (code, text) = check_in(
        dir.path(),
        &[
            "--policy",
            "r.policy",
            "--inventory",
            "i.yaml",
            "--format",
            "sarif",
        ],
    );
    assert_eq!(code, Some(1), "{text}");
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let helps: Vec<&serde_json::Value> = value["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| &r["help"]["text"])
        .collect();
    assert_eq!(
        helps,
        ["Only a title", "What the rule is about.", "Do this."]
    );
    assert_eq!(sarif_schema_errors(&value), Vec::<String>::new());
}

#[test]
fn sarif_keeps_to_result_and_tag_limits_most_severe_first_with_a_warning() {
    use custody::report::sarif::{Limits, render, render_limited};
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path();
    std::fs::write(
        p.join("r.policy"),
        "rule A-1 \"low\" {\n severity low\n tags \"t1\", \"t2\", \"t3\"\n for vendor v\n require v.mfa_enforced\n}\n\
         rule B-1 \"critical\" {\n severity critical\n for vendor v\n require v.mfa_enforced\n}\n",
    )
    .expect("w");
    std::fs::write(
        p.join("i.yaml"),
        "vendors:\n  - id: x\n  - id: y\n  - id: z\n",
    )
    .expect("w");
    let as_of: jiff::civil::Date = "2026-11-24".parse().expect("date");
    let options = Options {
        project: Settings {
            cwd: p.to_path_buf(),
            policies: vec![p.join("r.policy")],
            inventory: vec![p.join("i.yaml")],
            as_of: Some(as_of),
            ..Settings::default()
        },
        ..Options::default()
    };
    let r = report(&options, as_of);
    assert_eq!(r.findings.len(), 6);
    let limited = render_limited(
        &r,
        Limits {
            results: 4,
            tags: 2,
        },
    );
    let value: serde_json::Value = serde_json::from_str(&limited).expect("JSON");
    let run = &value["runs"][0];
    let kept: Vec<&str> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["partialFingerprints"]["custody/v1"]
                .as_str()
                .unwrap_or("?")
        })
        .collect();
    assert_eq!(
        kept,
        [
            "A-1|vendor/x",
            "B-1|vendor/x",
            "B-1|vendor/y",
            "B-1|vendor/z"
        ],
        "the critical ones, then the first low one; in rule, entity order"
    );
    assert_eq!(run["properties"]["custody/omittedResults"], 2);
    assert_eq!(run["properties"]["custody/resultLimit"], 4);
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["properties"]["tags"],
        serde_json::json!(["t1", "t2"])
    );
    let notes: Vec<&str> = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| {
            assert_eq!(n["level"], "warning");
            n["message"]["text"].as_str().unwrap_or("")
        })
        .collect();
    assert_eq!(
        notes,
        [
            "rule A-1 has 3 tags; only the first 2 are in this log (the limit of GitHub code scanning)",
            "2 of 6 results were left out: GitHub code scanning accepts at most 4 per run; the most severe were kept (the json format has them all)",
        ]
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(sarif_schema_errors(&value), Vec::<String>::new());
    // Under the limits nothing is left out and nothing is said.
    let full: serde_json::Value = serde_json::from_str(&render(&r)).expect("JSON");
    assert_eq!(full["runs"][0]["results"].as_array().map(Vec::len), Some(6));
    assert!(full["runs"][0]["properties"].is_null());
    assert!(full["runs"][0]["invocations"][0]["toolExecutionNotifications"].is_null());
}

/// A library rule's SARIF descriptor links its page in custody's docs (the page exists in
/// docs/rules); the project's own rules, whose files are in the checkout, have none.
#[test]
fn sarif_library_rules_link_their_documentation_page() {
    let v: serde_json::Value = serde_json::from_str(&airline("sarif")).expect("SARIF");
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).expect(id);
    let uri = rule("TPR-ACC-01")["helpUri"]
        .as_str()
        .expect("helpUri")
        .to_owned();
    assert_eq!(
        uri,
        format!(
            "https://github.com/custody-dev/custody/blob/v{}/docs/rules/TPR-ACC-01.md",
            env!("CARGO_PKG_VERSION")
        )
    );
    let page = uri
        .rsplit("/blob/")
        .next()
        .and_then(|p| p.split_once('/'))
        .map(|(_, p)| p);
    assert_eq!(page, Some("docs/rules/TPR-ACC-01.md"));
    assert!(
        common::repo_root()
            .join("docs/rules/TPR-ACC-01.md")
            .is_file()
    );
    assert!(
        rule("TPR-001").get("helpUri").is_none(),
        "the airline's own rule"
    );
}
