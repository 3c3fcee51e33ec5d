//! The pre-commit hooks, with the real pre-commit: installed from PyPI into a throwaway
//! virtualenv, used from a temporary git repository whose `.pre-commit-config.yaml` points
//! at this checkout (its committed HEAD). pre-commit builds custody with `cargo install`,
//! as it would for a user. Without python3 or git the test says so and returns.

mod common;

use std::path::Path;
use std::process::Command;

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().expect("spawn");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn git(dir: &Path, args: &[&str]) -> String {
    let (code, text) = run(Command::new("git").current_dir(dir).args(args));
    assert_eq!(code, 0, "git {args:?}: {text}");
    text
}

#[test]
fn pre_commit_runs_the_hooks_from_this_checkout() {
    if !have("python3", "--version") || !have("git", "--version") {
        eprintln!(
            "SKIPPED pre_commit_runs_the_hooks_from_this_checkout: python3 or git is not installed"
        );
        return;
    }
    let root = common::repo_root();
    let rev = git(&root, &["rev-parse", "HEAD"]).trim().to_owned();
    let tmp = tempfile::tempdir().expect("tmp");
    let venv = tmp.path().join("venv");
    let (code, text) = run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    assert_eq!(code, 0, "venv: {text}");
    let (code, text) = run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "pre-commit",
    ]));
    assert_eq!(code, 0, "pip install pre-commit: {text}");

    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join("inventory")).expect("mkdir");
    git(&repo, &["init", "--quiet"]);
    std::fs::write(
        repo.join("custody.yaml"),
        "policies: [rules.policy]\ninventory: [inventory]\n",
    )
    .expect("w");
    std::fs::write(
        repo.join("rules.policy"),
        "rule TPR-004 \"Vendors reaching customer data enforce MFA\" {\n  severity critical\n  references \"ISO/IEC 27001:2022 A.5.19\"\n  for vendor v where v handles personal\n  require v.mfa_enforced\n  remediation \"Enforce MFA on every account that reaches our data.\"\n}\n",
    )
    .expect("w");
    let inventory = |mfa: bool| {
        format!(
            "vendors:\n  - id: crm-platform\n    handles: [personal.contact.address]\n    mfa_enforced: {mfa}\n"
        )
    };
    std::fs::write(repo.join("inventory/vendors.yaml"), inventory(false)).expect("w");
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!("repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: custody-check\n      - id: custody-lint\n", root.display()),
    )
    .expect("w");
    git(&repo, &["add", "-A"]);

    // pre-commit's cargo install builds into our own target dir, so reruns are incremental.
    let pre_commit = || {
        let mut c = Command::new(venv.join("bin/pre-commit"));
        c.current_dir(&repo)
            .args(["run", "--all-files", "--color", "never"])
            .env("PRE_COMMIT_HOME", tmp.path().join("cache"))
            .env("CARGO_TARGET_DIR", root.join("target/pre-commit"))
            .env("NO_COLOR", "1");
        c
    };
    let (code, text) = run(&mut pre_commit());
    assert_eq!(code, 1, "a bad inventory fails the hook:\n{text}");
    assert!(
        text.contains("custody check") && text.contains("Failed"),
        "{text}"
    );
    assert!(
        text.contains("TPR-004")
            && text.contains("vendor/crm-platform")
            && text.contains("mfa_enforced is false"),
        "{text}"
    );

    std::fs::write(repo.join("inventory/vendors.yaml"), inventory(true)).expect("w");
    git(&repo, &["add", "-A"]);
    let (code, text) = run(&mut pre_commit());
    assert_eq!(code, 0, "a good inventory passes:\n{text}");
    assert!(
        text.contains("custody check") && text.contains("Passed"),
        "{text}"
    );
}
