//! The pre-commit hooks, with the real pre-commit, used from a temporary git repository
//! whose `.pre-commit-config.yaml` points at this checkout (its committed HEAD).
//! pre-commit builds custody with `cargo install`, as it would for a user.
//!
//! Nothing is installed from here: `.ci/install-tools` (run by `.ci/run`) installs the
//! pinned pre-commit and exports `CUSTODY_PRE_COMMIT`; otherwise `pre-commit` on PATH is
//! used. Without it, the test fails under `CI=true` and says why and returns elsewhere.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn have(cmd: &std::ffi::OsStr, arg: &str) -> bool {
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

/// The pre-commit to run: `CUSTODY_PRE_COMMIT`, else `pre-commit` on PATH. `None`, with
/// the reason, when there is none (a failure under `CI=true`).
fn pre_commit_binary() -> Option<PathBuf> {
    let named = std::env::var_os("CUSTODY_PRE_COMMIT").map(PathBuf::from);
    let candidate = named.clone().unwrap_or_else(|| PathBuf::from("pre-commit"));
    if have(candidate.as_os_str(), "--version") && have("git".as_ref(), "--version") {
        return Some(candidate);
    }
    let why = match named {
        Some(p) => format!("CUSTODY_PRE_COMMIT={} does not run", p.display()),
        None => "pre-commit is not on PATH and CUSTODY_PRE_COMMIT is not set (or git is missing); run `eval \"$(.ci/install-tools)\"`".to_owned(),
    };
    assert!(
        std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false"),
        "CI=true and the pre-commit test cannot run: {why}"
    );
    eprintln!("SKIPPED pre_commit_runs_the_hooks_from_this_checkout: {why}");
    None
}

#[test]
fn pre_commit_runs_the_hooks_from_this_checkout() {
    let Some(pre_commit_bin) = pre_commit_binary() else {
        return;
    };
    let root = common::repo_root();
    let rev = git(&root, &["rev-parse", "HEAD"]).trim().to_owned();
    let tmp = tempfile::tempdir().expect("tmp");

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
        // The check hook is given the changed files (`pass_filenames`), which custody
        // must read as changed files after `--`, not as the config path.
        format!("repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: custody-check\n        pass_filenames: true\n      - id: custody-lint\n", root.display()),
    )
    .expect("w");
    git(&repo, &["add", "-A"]);

    // pre-commit's cargo install builds into our own target dir, so reruns are incremental.
    let pre_commit = || {
        let mut c = Command::new(&pre_commit_bin);
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
