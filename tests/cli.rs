//! The real binary: exit codes, JSON shape, determinism, flags.

mod common;
use common::custody;

use std::path::Path;

fn json_of(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).expect("stdout is JSON")
}

#[test]
fn example_has_findings_and_exits_1() {
    let out = custody()
        .current_dir(common::repo_root())
        .args(["check", "examples/airline", "--as-of", "2026-11-24"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("failing findings"), "{stdout}");
    assert!(stdout.contains("TPR-001"), "{stdout}");
}

#[test]
fn example_human_output_snapshot() {
    let out = custody()
        .current_dir(common::repo_root())
        .args([
            "check",
            "examples/airline",
            "--as-of",
            "2026-11-24",
            "--color",
            "never",
        ])
        .output()
        .expect("run");
    let text = format!(
        "{}--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!(text);
}

#[test]
fn json_has_the_documented_fields_and_is_byte_identical_across_runs() {
    let run = || {
        custody()
            .current_dir(common::repo_root())
            .args([
                "check",
                "examples/airline",
                "--as-of",
                "2026-11-24",
                "--format",
                "json",
            ])
            .output()
            .expect("run")
    };
    let (a, b) = (run(), run());
    assert_eq!(a.stdout, b.stdout, "two runs print identical bytes");
    assert_eq!(a.status.code(), Some(1));
    let v = json_of(&a.stdout);
    assert_eq!(v["version"], 1);
    assert_eq!(v["as_of"], "2026-11-24");
    let findings = v["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    for f in findings {
        for key in [
            "rule", "title", "severity", "entity", "status", "message", "location", "evidence",
        ] {
            assert!(f.get(key).is_some(), "finding lacks `{key}`: {f}");
        }
        assert!(f["entity"].as_str().is_some_and(|e| e.contains('/')));
        assert!(["fail", "waived"].contains(&f["status"].as_str().unwrap_or("")));
        assert!(f["location"]["line"].as_u64().is_some_and(|l| l >= 1));
        assert!(f["location"]["column"].as_u64().is_some_and(|c| c >= 1));
    }
    assert!(
        findings.iter().any(|f| f["status"] == "waived"),
        "the example has a live waiver"
    );
    // Ordered by rule ID, then entity.
    let keys: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_owned(),
                f["entity"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(0));
}

#[test]
fn json_reports_errors_with_location_code_and_help_and_exits_2() {
    let dir = common::repo_root().join("tests/ui/inventory_errors");
    let out = custody()
        .current_dir(&dir)
        .args(["check", "--format", "json", "--as-of", "2026-11-24"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let v = json_of(&out.stdout);
    let errors = v["errors"].as_array().expect("errors");
    assert!(errors.len() >= 5, "{errors:#?}");
    for e in errors {
        for key in ["file", "line", "column", "code", "message", "help"] {
            assert!(e.get(key).is_some(), "error lacks `{key}`: {e}");
        }
    }
    assert!(
        errors
            .iter()
            .any(|e| e["code"] == "custody::inventory::unknown_field"
                && e["help"].as_str().is_some_and(|h| h.contains("tier")))
    );
    // Human diagnostics still go to stderr with a machine format on stdout.
    assert!(String::from_utf8_lossy(&out.stderr).contains("custody::inventory::unknown_field"));
}

#[test]
fn fail_on_threshold_and_rule_filter() {
    let base = [
        "check",
        "examples/airline",
        "--as-of",
        "2026-11-24",
        "--format",
        "json",
    ];
    let out = custody()
        .current_dir(common::repo_root())
        .args(base)
        .args(["--rule", "TPR-001"])
        .output()
        .expect("run");
    let v = json_of(&out.stdout);
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["rule"] == "TPR-001")
    );
    let out = custody()
        .current_dir(common::repo_root())
        .args(base)
        .args(["--rule", "TPR-00l"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown --rule is a usage error"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `TPR-001`?"));
}

#[test]
fn fail_on_critical_ignores_lower_severities() {
    let dir = common::repo_root().join("tests/ui/waivers");
    // W-1 is high: failing findings exit 1 at the default threshold, 0 with --fail-on critical.
    let code = |extra: &[&str]| {
        custody()
            .current_dir(&dir)
            .args(["check", "--as-of", "2026-11-24"])
            .args(extra)
            .output()
            .expect("run")
            .status
            .code()
    };
    assert_eq!(code(&[]), Some(2), "this case also has a malformed waiver");
    let dir2 = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir2.path().join("r.policy"),
        "rule H-1 \"h\" {\n severity high\n for vendor v\n require v.mfa_enforced\n}\n",
    )
    .expect("w");
    std::fs::write(dir2.path().join("i.yaml"), "vendors:\n  - id: a\n").expect("w");
    let code = |extra: &[&str]| {
        custody()
            .current_dir(dir2.path())
            .args(["check", "--policy", "r.policy", "--inventory", "i.yaml"])
            .args(extra)
            .output()
            .expect("run")
            .status
            .code()
    };
    assert_eq!(code(&[]), Some(1));
    assert_eq!(code(&["--fail-on", "high"]), Some(1));
    assert_eq!(code(&["--fail-on", "critical"]), Some(0));
}

#[test]
fn no_config_and_no_flags_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = custody()
        .current_dir(dir.path())
        .args(["check"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `custody.yaml` found"));
}

#[test]
fn bad_as_of_is_a_usage_error() {
    let out = custody()
        .current_dir(common::repo_root())
        .args(["check", "examples/airline", "--as-of", "2026-13-01"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a date"));
}

#[test]
fn color_always_emits_ansi_and_never_does_not() {
    let run = |c: &str| {
        custody()
            .current_dir(common::repo_root())
            .args([
                "check",
                "examples/airline",
                "--as-of",
                "2026-11-24",
                "--color",
                c,
            ])
            .output()
            .expect("run")
    };
    assert!(run("always").stdout.contains(&0x1b));
    assert!(!run("never").stdout.contains(&0x1b));
    let out = custody()
        .env("NO_COLOR", "1")
        .current_dir(common::repo_root())
        .args(["check", "examples/airline", "--as-of", "2026-11-24"])
        .output()
        .expect("run");
    assert!(!out.stdout.contains(&0x1b));
}

#[test]
fn lint_validates_without_evaluating() {
    let out = custody()
        .current_dir(common::repo_root())
        .args(["lint", "examples/airline"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = custody()
        .current_dir(common::repo_root().join("tests/ui/policy_errors"))
        .args(["lint"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn paths_in_output_are_relative_to_the_working_directory() {
    let out = custody()
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(["check", "tests/ui/inventory_errors", "--format", "json"])
        .output()
        .expect("run");
    let v = json_of(&out.stdout);
    let files: Vec<&str> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["file"].as_str())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("tests/ui/inventory_errors/")),
        "{files:?}"
    );
}

#[test]
fn every_command_help_has_an_example() {
    for cmd in [
        "check",
        "lint",
        "fmt",
        "test",
        "explain",
        "query",
        "impact",
        "help-code",
        "completions",
        "man",
    ] {
        let out = custody().args([cmd, "--help"]).output().expect("run");
        assert_eq!(out.status.code(), Some(0), "{cmd} --help");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Examples:\n  custody "),
            "`custody {cmd} --help` has no example:\n{text}"
        );
    }
}

#[test]
fn completions_and_man_page() {
    for (shell, marker) in [
        ("bash", "_custody()"),
        ("zsh", "#compdef custody"),
        ("fish", "complete -c custody"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion"),
    ] {
        let out = custody()
            .args(["completions", shell])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{shell}: {text}");
        assert!(
            text.contains("explain") && text.contains("as-of"),
            "{shell} completes subcommands and flags"
        );
    }
    let out = custody().args(["man"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(".ie") || text.contains(".TH custody 1"),
        "{text}"
    );
    assert!(
        text.contains("SUBCOMMANDS") || text.contains("custody\\-check"),
        "{text}"
    );
}

/// `custody check examples/airline ARGS` with stdout (or stderr) sent to `/dev/full`.
#[cfg(target_os = "linux")]
fn check_into_dev_full(args: &[&str], stderr_too: bool) -> (Option<i32>, String) {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full")
    };
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("custody"));
    cmd.current_dir(common::repo_root())
        .args(["check", "examples/airline", "--as-of", "2026-11-24"])
        .args(args)
        .stdout(full());
    if stderr_too {
        cmd.stderr(full());
    }
    let out = cmd.output().expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_an_error_and_exits_2() {
    // The streamed JSON report and the rendered formats alike.
    for format in ["json", "human", "sarif"] {
        let (code, err) = check_into_dev_full(&["--format", format], false);
        assert_eq!(code, Some(2), "{format}: {err}");
        assert_eq!(
            err, "error: cannot write the output: no space left on device\n",
            "{format}"
        );
    }
    // stderr full too (`--timings` writes there): the message cannot be shown, the exit says it.
    let (code, _) = check_into_dev_full(&["--format", "json", "--timings"], true);
    assert_eq!(code, Some(2));
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_on_stdout_is_not_an_error() {
    for format in ["json", "human"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("custody"))
            .current_dir(common::repo_root())
            .args(["check", "examples/airline", "--as-of", "2026-11-24"])
            .args(["--format", format])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        // `| head` that has read enough: the reader goes away before custody writes.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), Some(1), "{format}: the findings exit");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{format}");
    }
}
