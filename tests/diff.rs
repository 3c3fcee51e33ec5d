//! `custody diff BASE`: findings new, fixed and unchanged since a git revision, in a real
//! temporary git repository. The working tree is never touched.

mod common;

use common::custody;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

const POLICY: &str = "rule MFA-1 \"Vendors enforce MFA\" {\n  severity high\n  for vendor v\n  require v.mfa_enforced\n}\n";

fn vendor(id: &str, mfa: bool) -> String {
    format!("  - id: {id}\n    name: {id}\n    mfa_enforced: {mfa}\n")
}

/// A repository whose first commit has failing `a` and `b`; HEAD fixes `a`, moves `b` to
/// another file, and the working tree adds a failing `c` (uncommitted).
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        "custody.yaml",
        "policies: [rules.policy]\ninventory: [inventory]\n",
    );
    write(d, "rules.policy", POLICY);
    write(
        d,
        "inventory/vendors.yaml",
        &format!(
            "vendors:\n{}{}{}",
            vendor("a", false),
            vendor("b", false),
            vendor("ok", true)
        ),
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    git(d, &["tag", "base"]);
    // Fix `a`, move `b` to another file.
    write(
        d,
        "inventory/vendors.yaml",
        &format!("vendors:\n{}{}", vendor("ok", true), vendor("a", true)),
    );
    write(
        d,
        "inventory/more.yaml",
        &format!("vendors:\n{}", vendor("b", false)),
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "fix a, move b"]);
    // Uncommitted: a new failing vendor.
    write(
        d,
        "inventory/new.yaml",
        &format!("vendors:\n{}", vendor("c", false)),
    );
    dir
}

fn diff(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = custody()
        .current_dir(dir)
        .arg("diff")
        .args(args)
        .args(["--color", "never", "--as-of", "2026-11-24"])
        .output()
        .expect("run");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn new_fixed_and_unchanged_by_fingerprint_and_the_tree_is_untouched() {
    let dir = repo();
    let d = dir.path();
    let status_before = git(d, &["status", "--porcelain"]);
    let head_before = git(d, &["rev-parse", "HEAD"]);
    let (stdout, stderr, code) = diff(d, &["base"]);
    assert_eq!(code, 1, "a new failing finding fails: {stdout}{stderr}");
    assert_eq!(stderr, "");
    assert!(
        stdout.ends_with("custody diff: 1 new, 1 fixed, 1 unchanged since base\n"),
        "{stdout}"
    );
    insta::assert_snapshot!(stdout);

    let (json, _, code) = diff(d, &["base", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let ids = |k: &str| -> Vec<String> {
        v[k].as_array()
            .expect(k)
            .iter()
            .map(|f| format!("{}:{}", f["rule"].as_str().unwrap_or(""), f["entity"]))
            .collect()
    };
    assert_eq!(ids("new").len(), 1);
    assert!(
        ids("new")[0].contains("\"c\"") || json.contains("vendor/c"),
        "{json}"
    );
    assert!(json.contains("\"base\": \"base\""), "{json}");
    assert_eq!(v["summary"]["new"], 1);
    assert_eq!(v["summary"]["fixed"], 1);
    assert_eq!(v["summary"]["unchanged"], 1);

    let (md, _, _) = diff(d, &["base", "--format", "markdown"]);
    assert!(md.contains("**1 new**, 1 fixed, 1 unchanged."), "{md}");
    assert!(md.contains("| high | MFA-1 | `vendor/c` |"), "{md}");
    assert!(md.contains("<details><summary>1 fixed</summary>"), "{md}");

    // SARIF: the new findings only, for code scanning on the pull request.
    let (sarif, _, code) = diff(d, &["base", "--format", "sarif"]);
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{sarif}");
    assert_eq!(
        results[0]["partialFingerprints"]["custody/v1"],
        "MFA-1|vendor/c"
    );

    // Against HEAD only `c` is new; with the new vendor fixed nothing is new: exit 0.
    let (out, _, code) = diff(d, &["HEAD"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("1 new, 0 fixed, 1 unchanged since HEAD"),
        "{out}"
    );
    let (out, _, code) = diff(d, &["HEAD", "--fail-on", "critical"]);
    assert_eq!(
        code, 0,
        "a new finding below --fail-on does not fail: {out}"
    );

    assert_eq!(git(d, &["status", "--porcelain"]), status_before);
    assert_eq!(git(d, &["rev-parse", "HEAD"]), head_before);
    std::fs::remove_file(d.join("inventory/new.yaml")).expect("rm");
    let (out, _, code) = diff(d, &["base"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("0 new, 1 fixed, 1 unchanged since base"),
        "{out}"
    );
}

#[test]
fn a_missing_base_exits_2_with_the_code() {
    let dir = repo();
    let (stdout, stderr, code) = diff(dir.path(), &["no-such-branch"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("custody::diff::unknown_base"), "{stderr}");
    assert!(
        stderr.contains("`no-such-branch` is not a revision"),
        "{stderr}"
    );
}

#[test]
fn a_shallow_clone_suggests_fetching_more_history() {
    let dir = repo();
    let clone = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", dir.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let c = clone.path().join("c");
    let (_, stderr, code) = diff(&c, &["HEAD~1"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("custody::diff::unknown_base"), "{stderr}");
    assert!(
        stderr.contains("--deepen=50") && stderr.contains("fetch-depth: 0"),
        "{stderr}"
    );
}

#[test]
fn outside_a_git_repository_is_a_git_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "custody.yaml",
        "policies: [rules.policy]\ninventory: [inventory]\n",
    );
    let out = custody()
        .current_dir(dir.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            dir.path().parent().expect("parent"),
        )
        .args(["diff", "HEAD", "--color", "never"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("custody::diff::git_failed"));
}

#[test]
fn an_input_error_at_base_exits_2() {
    let dir = repo();
    let d = dir.path();
    write(d, "rules.policy", "rule broken {\n");
    git(d, &["commit", "-qam", "break"]);
    write(d, "rules.policy", POLICY);
    let (_, stderr, code) = diff(d, &["HEAD"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("custody diff: in `HEAD`:"), "{stderr}");

    // The gate says so in its own words.
    let out = custody()
        .current_dir(d)
        .args([
            "check",
            "--new-since",
            "HEAD",
            "--as-of",
            "2026-11-24",
            "--color",
            "never",
        ])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("custody::diff::base_invalid"), "{stderr}");
}

#[test]
fn check_new_since_fails_only_on_new_findings() {
    let dir = repo();
    let d = dir.path();
    let run = |args: &[&str]| {
        let out = custody()
            .current_dir(d)
            .arg("check")
            .args(args)
            .args([
                "--color",
                "never",
                "--as-of",
                "2026-11-24",
                "--format",
                "json",
            ])
            .output()
            .expect("run");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        (v, out.status.code().unwrap_or(-1))
    };
    let (v, code) = run(&["--new-since", "base"]);
    assert_eq!(code, 1, "{v}");
    let status = |v: &serde_json::Value, id: &str| -> String {
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["entity"].to_string().contains(id))
            .map(|f| f["status"].as_str().unwrap_or("").to_owned())
            .unwrap_or_default()
    };
    assert_eq!(status(&v, "vendor/c"), "fail");
    assert_eq!(status(&v, "vendor/b"), "baselined");
    std::fs::remove_file(d.join("inventory/new.yaml")).expect("rm");
    let (v, code) = run(&["--new-since", "base"]);
    assert_eq!(code, 0, "only known findings: {v}");
    let out = custody()
        .current_dir(d)
        .args(["check", "--new-since", "nope", "--color", "never"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("custody::diff::unknown_base"));
}
