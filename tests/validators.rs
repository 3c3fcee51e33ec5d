//! custody's CI formats checked by the real validators, on the airline example (exit 1)
//! and on a project with input errors (`tests/ui/inventory_errors`, exit 2):
//!
//! - SARIF: Microsoft's SARIF Multitool (`validate`), zero errors and zero warnings;
//! - JUnit: `xmllint --schema` against the junit-10 XSD (`tests/data/junit-10.xsd`);
//! - GitLab Code Quality: every issue against GitLab's own schema
//!   (`tests/data/gitlab-codeclimate.json`), with the `jsonschema` crate.
//!
//! Sources of the vendored schemas: `tests/data/README.md`. Nothing is installed from here:
//! `.ci/install-tools` (run by `.ci/run`) installs the tools and exports
//! `CUSTODY_SARIF_MULTITOOL` and `CUSTODY_XMLLINT`; otherwise `sarif-multitool` and
//! `xmllint` on PATH are used. Without one, its test fails under `CI=true` and says why,
//! and returns elsewhere.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The two runs every validator sees: (name, working directory, arguments, exit code).
fn cases() -> [(&'static str, PathBuf, Vec<&'static str>, i32); 2] {
    let root = common::repo_root();
    [
        (
            "airline",
            root.clone(),
            vec!["check", "examples/airline", "--as-of", "2026-11-24"],
            1,
        ),
        (
            "inventory_errors",
            root.join("tests/ui/inventory_errors"),
            vec!["check"],
            2,
        ),
    ]
}

/// Every case in `format`, written to `dir`: (name, file).
fn outputs(format: &str, dir: &Path) -> Vec<(&'static str, PathBuf)> {
    cases()
        .into_iter()
        .map(|(name, cwd, args, code)| {
            let out = common::custody()
                .current_dir(cwd)
                .args(args)
                .args(["--format", format])
                .output()
                .expect("run custody");
            assert_eq!(
                out.status.code(),
                Some(code),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let ext = match format {
                "junit" => "xml",
                "gitlab" => "json",
                other => other,
            };
            let path = dir.join(format!("{name}.{ext}"));
            std::fs::write(&path, &out.stdout).expect("write output");
            (name, path)
        })
        .collect()
}

fn runs(cmd: &Path, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The tool to run: `$env`, else `name` on PATH. `None`, with the reason, when there is
/// none (a failure under `CI=true`).
fn tool(env: &str, name: &str, test: &str) -> Option<PathBuf> {
    let named = std::env::var_os(env).map(PathBuf::from);
    let candidate = named.clone().unwrap_or_else(|| PathBuf::from(name));
    if runs(&candidate, "--version") {
        return Some(candidate);
    }
    let why = match named {
        Some(p) => format!("{env}={} does not run", p.display()),
        None => format!(
            "{name} is not on PATH and {env} is not set; run `eval \"$(.ci/install-tools)\"`"
        ),
    };
    assert!(
        std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false"),
        "CI=true and {test} cannot run: {why}"
    );
    eprintln!("SKIPPED {test}: {why}");
    None
}

/// The errors and warnings in a SARIF Multitool log: its results at level `error` or
/// `warning` (the default level), and its error and warning notifications.
fn multitool_problems(log: &serde_json::Value) -> Vec<String> {
    let level = |v: &serde_json::Value| v["level"].as_str().unwrap_or("warning").to_owned();
    let serious = |l: &str| l == "error" || l == "warning";
    let mut problems = Vec::new();
    for run in log["runs"].as_array().expect("runs") {
        for r in run["results"].as_array().into_iter().flatten() {
            if serious(&level(r)) {
                problems.push(format!(
                    "{} {}: {}",
                    level(r),
                    r["ruleId"].as_str().unwrap_or("?"),
                    r["message"]["text"].as_str().unwrap_or("?")
                ));
            }
        }
        for inv in run["invocations"].as_array().into_iter().flatten() {
            for key in [
                "toolExecutionNotifications",
                "toolConfigurationNotifications",
            ] {
                for n in inv[key].as_array().into_iter().flatten() {
                    if serious(&level(n)) {
                        problems.push(format!(
                            "{} notification {}: {}",
                            level(n),
                            n["descriptor"]["id"].as_str().unwrap_or("?"),
                            n["message"]["text"].as_str().unwrap_or("?")
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// `multitool validate FILE` with its log to `log`: the log's errors and warnings, and
/// what it printed.
fn multitool_validate(multitool: &Path, sarif: &Path, log: &Path) -> (Vec<String>, String) {
    // No argument holds a `;` or a space: the npm wrapper runs the tool through a shell.
    let out = Command::new(multitool)
        .arg("validate")
        .arg("--output")
        .arg(log)
        .arg(sarif)
        .output()
        .expect("run the SARIF Multitool");
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // It exits 0 even when it reports errors: they are read from its log.
    assert!(out.status.success(), "the Multitool failed:\n{console}");
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(log).expect("the Multitool's log"))
            .expect("the Multitool's log is JSON");
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"], true,
        "{console}"
    );
    (multitool_problems(&log), console)
}

#[test]
fn sarif_multitool_reports_no_errors_or_warnings() {
    let test = "sarif_multitool_reports_no_errors_or_warnings";
    let Some(multitool) = tool("CUSTODY_SARIF_MULTITOOL", "sarif-multitool", test) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).expect("schema");
    let schema = common::sarif_validator(&schema);

    // A canary: the airline log with a region on line 0 is reported, so a clean report
    // below means the Multitool read the file and found nothing.
    let (_, airline) = &outputs("sarif", dir.path())[0];
    let mut broken: serde_json::Value =
        serde_json::from_slice(&std::fs::read(airline).expect("read")).expect("JSON");
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    let canary = dir.path().join("canary.sarif");
    std::fs::write(&canary, broken.to_string()).expect("write");
    let (problems, console) = multitool_validate(
        &multitool,
        &canary,
        &dir.path().join("canary.validation.sarif"),
    );
    assert!(
        problems.iter().any(|p| p.starts_with("error JSON1008")),
        "the canary is reported: {problems:?}\n{console}"
    );

    for (name, sarif) in outputs("sarif", dir.path()) {
        // A log the Multitool cannot deserialize (a value outside an enum) is skipped
        // without a word: the published schema catches that first.
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&sarif).expect("read")).expect("JSON");
        assert!(schema.is_valid(&value), "{name}: not valid SARIF 2.1.0");
        let log = dir.path().join(format!("{name}.validation.sarif"));
        let (problems, console) = multitool_validate(&multitool, &sarif, &log);
        assert!(
            problems.is_empty(),
            "{name}: the SARIF Multitool reports:\n{}\n{console}",
            problems.join("\n")
        );
    }
}

#[test]
fn xmllint_validates_junit_against_the_junit10_xsd() {
    let test = "xmllint_validates_junit_against_the_junit10_xsd";
    let Some(xmllint) = tool("CUSTODY_XMLLINT", "xmllint", test) else {
        return;
    };
    let xsd = common::repo_root().join("tests/data/junit-10.xsd");
    let dir = tempfile::tempdir().expect("tmp");
    for (name, xml) in outputs("junit", dir.path()) {
        let out = Command::new(&xmllint)
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .arg(&xml)
            .output()
            .expect("run xmllint");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.trim_end().ends_with(" validates"),
            "{name}: xmllint reports:\n{stderr}"
        );
    }
}

#[test]
fn gitlab_issues_match_gitlabs_codeclimate_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/gitlab-codeclimate.json")).expect("schema");
    let validator = jsonschema::draft7::new(&schema).expect("GitLab's schema compiles");
    let dir = tempfile::tempdir().expect("tmp");
    for (name, json) in outputs("gitlab", dir.path()) {
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&json).expect("read")).expect("JSON");
        // GitLab's parser reads an array of issues and validates each.
        let issues = report.as_array().expect("a JSON array of issues");
        assert!(!issues.is_empty(), "{name}: no issues");
        let errors: Vec<String> = issues
            .iter()
            .enumerate()
            .flat_map(|(i, issue)| {
                validator
                    .iter_errors(issue)
                    .map(move |e| format!("[{i}]{}: {e}", e.instance_path()))
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
    }
}
