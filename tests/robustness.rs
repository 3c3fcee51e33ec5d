//! Hostile input (docs/language.md "Limits", docs/inventory.md): each ends in a diagnostic and exit 2, with no panic, no stack
//! overflow and no hang. The binary runs in a child process, so a crash fails the test.

mod common;

use assert_cmd::Command;
use std::path::Path;

const POLICY: &str = "rule R-1 \"r\" {\n for vendor v\n require v.mfa_enforced\n}\n";

/// Run `custody check` on `rules.policy` + `inv` in `dir`; return (exit code, stderr).
fn check(dir: &Path, inv: &str, extra: &[&str]) -> (Option<i32>, String) {
    if !dir.join("rules.policy").exists() {
        std::fs::write(dir.join("rules.policy"), POLICY).expect("write policy");
    }
    let out = Command::cargo_bin("custody")
        .expect("binary")
        .current_dir(dir)
        .args([
            "check",
            "--policy",
            "rules.policy",
            "--inventory",
            inv,
            "--as-of",
            "2026-11-24",
            "--color",
            "never",
        ])
        .args(extra)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn billion_laughs_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut y = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = i - 1;
        y.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
    }
    std::fs::write(dir.path().join("laughs.yaml"), y).expect("write");
    let (code, err) = check(dir.path(), "laughs.yaml", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("custody::yaml::alias_budget"), "{err}");
    insta::assert_snapshot!(err);
}

/// Aliases that repeat one long string: 5,000 aliases of a 100 KB string are a 279 KB file
/// that would hold 500 MB of copies (its peak RSS was 500 MB). The text aliases repeat is
/// budgeted (16 MiB, or twice the file if larger), so the file is refused at the alias that
/// passes the budget, the 168th (168 × 100,000 > 16,777,216), before more is copied; the
/// same anchor repeated 100 times (10 MB) is read normally.
#[test]
fn aliases_repeating_a_long_string_are_refused_by_their_text() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = |aliases: usize| {
        let mut y = format!(
            "vendors:\n  - id: v0\n    description: &big \"{}\"\n",
            "x".repeat(100_000)
        );
        for i in 1..=aliases {
            y.push_str(&format!("  - id: v{i}\n    description: *big\n"));
        }
        y
    };
    std::fs::write(dir.path().join("long.yaml"), file(5_000)).expect("write");
    let (code, err) = check(dir.path(), "long.yaml", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("custody::yaml::alias_budget"), "{err}");
    assert!(
        err.contains("aliases in this file repeat more than 16,777,216 bytes of text"),
        "{err}"
    );
    assert!(err.contains("long.yaml:339:18"), "{err}");
    assert_eq!(
        err.matches("custody::yaml::alias_budget").count(),
        1,
        "{err}"
    );

    std::fs::write(dir.path().join("fewer.yaml"), file(100)).expect("write");
    let (code, err) = check(dir.path(), "fewer.yaml", &[]);
    assert!(!err.contains("alias_budget"), "{err}");
    assert_ne!(code, Some(2), "{err}");
}

#[test]
fn deeply_nested_yaml_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("flow.yaml"),
        format!("vendors: {}{}", "[".repeat(20_000), "]".repeat(20_000)),
    )
    .expect("write");
    let (code, err) = check(dir.path(), "flow.yaml", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("custody::yaml::too_deep"), "{err}");
    insta::assert_snapshot!("deep_flow_yaml", err);
    // Compact nested block sequences: 20,000 levels in one 40 KB line.
    std::fs::write(
        dir.path().join("block.yaml"),
        format!("vendors:\n{}x\n", "- ".repeat(20_000)),
    )
    .expect("write");
    let (code, err) = check(dir.path(), "block.yaml", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("custody::yaml::too_deep"), "{err}");
    insta::assert_snapshot!("deep_block_yaml", err);
}

#[test]
fn deeply_nested_policy_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("inv.yaml"), "vendors:\n  - id: a\n").expect("write");
    for (name, expr) in [
        (
            "parens",
            format!("{}true{}", "(".repeat(20_000), ")".repeat(20_000)),
        ),
        ("nots", format!("{}true", "not ".repeat(20_000))),
        (
            "lists",
            format!(
                "v.country in {}\"AU\"{}",
                "[".repeat(20_000),
                "]".repeat(20_000)
            ),
        ),
    ] {
        std::fs::write(
            dir.path().join("rules.policy"),
            format!("rule R-1 \"r\" {{\n for vendor v\n require {expr}\n}}\n"),
        )
        .expect("write");
        let (code, err) = check(dir.path(), "inv.yaml", &[]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains("custody::syntax::too_deep"), "{name}: {err}");
        insta::assert_snapshot!(format!("deep_policy_{name}"), err);
    }
}

#[test]
fn invalid_utf8_is_reported_at_the_bad_byte() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("bad.yaml"), b"vendors:\n  - id: caf\xe9\n").expect("write");
    let (code, err) = check(dir.path(), "bad.yaml", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("custody::io::invalid_utf8"), "{err}");
    assert!(err.contains("line 2"), "{err}");
    insta::assert_snapshot!(err);
}

#[test]
fn an_empty_inventory_file_is_fine_and_an_empty_policy_set_is_not() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("empty.yaml"), "").expect("write");
    let (code, err) = check(dir.path(), "empty.yaml", &[]);
    assert_eq!(code, Some(0), "an empty inventory has no findings: {err}");
    std::fs::write(dir.path().join("rules.policy"), "").expect("write");
    let (code, err) = check(dir.path(), "empty.yaml", &[]);
    assert_eq!(
        code,
        Some(0),
        "an empty policy file is valid, with no rules: {err}"
    );
}

#[test]
fn a_directory_with_no_yaml_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join("inv")).expect("mkdir");
    std::fs::write(dir.path().join("inv/notes.txt"), "hello").expect("write");
    let (code, err) = check(dir.path(), "inv", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("custody::io::empty_directory"), "{err}");
    insta::assert_snapshot!(err);
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_reading() {
    let dir = tempfile::tempdir().expect("tmp");
    // A sparse 2 GiB file: refused by its size, so nothing is read and the test stays fast.
    let f = std::fs::File::create(dir.path().join("huge.yaml")).expect("create");
    f.set_len(2 << 30).expect("sparse");
    let (code, err) = check(dir.path(), "huge.yaml", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("custody::io::file_too_large"), "{err}");
    insta::assert_snapshot!(err);
    // The limit is configurable.
    std::fs::write(
        dir.path().join("small.yaml"),
        "vendors:\n  - id: a\n    mfa_enforced: true\n",
    )
    .expect("write");
    let (code, err) = check(dir.path(), "small.yaml", &["--max-file-size", "10"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("over the limit of 10 bytes"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_directory_symlink_loop_is_walked_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let inv = dir.path().join("inv/loop");
    std::fs::create_dir_all(&inv).expect("mkdir");
    std::fs::write(
        inv.join("vendors.yaml"),
        "vendors:\n  - id: a\n    mfa_enforced: true\n",
    )
    .expect("write");
    // `inv/loop/self -> .`, and a second link to the same directory.
    std::os::unix::fs::symlink(".", inv.join("self")).expect("symlink");
    std::os::unix::fs::symlink("loop", dir.path().join("inv/again")).expect("symlink");
    let (code, err) = check(dir.path(), "inv", &[]);
    assert_eq!(
        code,
        Some(0),
        "the file is loaded once, so no duplicate id: {err}"
    );
    assert_eq!(err, "", "a revisited directory is skipped silently");
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_not_read() {
    let dir = tempfile::tempdir().expect("tmp");
    mkfifo(&dir.path().join("pipe.yaml"));
    // With no writer, reading the pipe would block forever.
    let (code, err) = check(dir.path(), "pipe.yaml", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("custody::io::not_a_file"), "{err}");
    insta::assert_snapshot!(err);
    // A device is refused the same way.
    let (code, err) = check(dir.path(), "/dev/null", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("`/dev/null` is a character device, not a file"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_in_a_walked_directory_is_skipped() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join("inv")).expect("mkdir");
    std::fs::write(
        dir.path().join("inv/vendors.yaml"),
        "vendors:\n  - id: a\n    mfa_enforced: true\n",
    )
    .expect("write");
    mkfifo(&dir.path().join("inv/pipe.yaml"));
    let (code, err) = check(dir.path(), "inv", &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(err, "");
}
