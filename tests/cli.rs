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
    // Every command `custody --help` lists, so a new one cannot be missed.
    let out = custody().arg("--help").output().expect("run");
    let top = String::from_utf8_lossy(&out.stdout).into_owned();
    let commands: Vec<&str> = top
        .split("Commands:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or("")
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(
        commands.len() > 10,
        "commands found in --help: {commands:?}"
    );
    for cmd in commands {
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

/// `custody check >&-`: stdout closed before custody starts. Rust's runtime would reopen it
/// on /dev/null and the report would vanish; custody notices first and exits 2. With
/// nothing for stdout (`--output FILE`), a closed stdout does not matter.
#[cfg(target_os = "linux")]
#[test]
fn a_closed_stdout_is_an_error_and_exits_2() {
    let run = |args: &str| {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "exec \"$0\" check examples/airline --as-of 2026-11-24 {args} >&-"
            ))
            .arg(assert_cmd::cargo::cargo_bin!("custody"))
            .current_dir(common::repo_root())
            .output()
            .expect("sh");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for format in ["json", "human"] {
        let (code, err) = run(&format!("--format {format}"));
        assert_eq!(code, Some(2), "{format}: {err}");
        assert_eq!(
            err, "error: cannot write the output: stdout is closed\n",
            "{format}"
        );
    }
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("report.json");
    let (code, err) = run(&format!("--format json --output {}", file.display()));
    assert_eq!(code, Some(1), "the findings exit: {err}");
    assert!(file.is_file());
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

/// `custody check examples/airline --as-of 2026-11-24 ARGS` under `umask`; the exit code.
#[cfg(unix)]
fn check_under_umask(umask: &str, args: &[&str]) -> Option<i32> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin!("custody"))
        .current_dir(common::repo_root())
        .args(["check", "examples/airline", "--as-of", "2026-11-24"])
        .args(args)
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&out.stderr).find("error"), None);
    out.status.code()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn reports_and_baselines_are_created_with_the_umask_and_keep_existing_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tmp");
    let (report, baseline) = (dir.path().join("r.json"), dir.path().join("b.json"));
    let arg = |p: &Path| p.to_str().expect("utf-8").to_owned();
    let args = [
        "--report".to_owned(),
        format!("json={}", arg(&report)),
        "--write-baseline".to_owned(),
        arg(&baseline),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    for (umask, want) in [("022", 0o644), ("027", 0o640), ("002", 0o664)] {
        let _ = std::fs::remove_file(&report);
        let _ = std::fs::remove_file(&baseline);
        // Writing a baseline exits 0 (docs/output.md, Baselines).
        assert_eq!(check_under_umask(umask, &args), Some(0));
        assert_eq!(mode(&report), want, "report, umask {umask}");
        assert_eq!(mode(&baseline), want, "baseline, umask {umask}");
    }
    // An existing file keeps its mode, whatever the umask.
    std::fs::write(&report, "old").expect("write");
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o604)).expect("chmod");
    assert_eq!(check_under_umask("077", &args), Some(0));
    assert_eq!(mode(&report), 0o604);
    assert!(
        std::fs::read_to_string(&report)
            .expect("read")
            .starts_with('{')
    );
}

#[cfg(unix)]
#[test]
fn a_report_through_a_symlink_is_written_to_its_target() {
    let dir = tempfile::tempdir().expect("tmp");
    let (real, link, null) = (
        dir.path().join("real.json"),
        dir.path().join("link.json"),
        dir.path().join("null.json"),
    );
    std::os::unix::fs::symlink("real.json", &link).expect("symlink");
    std::os::unix::fs::symlink("/dev/null", &null).expect("symlink");
    let report = |p: &Path| format!("json={}", p.display());
    assert_eq!(
        check_under_umask(
            "022",
            &["--report", &report(&link), "--report", &report(&null)]
        ),
        Some(1)
    );
    for (link, to) in [(&link, "real.json"), (&null, "/dev/null")] {
        let meta = std::fs::symlink_metadata(link).expect("lstat");
        assert!(
            meta.file_type().is_symlink(),
            "{} is still a link",
            link.display()
        );
        assert_eq!(std::fs::read_link(link).expect("readlink"), Path::new(to));
    }
    assert!(
        std::fs::read_to_string(&real)
            .expect("read")
            .starts_with('{')
    );
    // A link to a file that does not exist yet creates the file.
    std::fs::remove_file(&real).expect("rm");
    assert_eq!(
        check_under_umask("022", &["--report", &report(&link)]),
        Some(1)
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("lstat")
            .file_type()
            .is_symlink()
    );
    assert_eq!(mode(&real), 0o644);
}

#[cfg(unix)]
#[test]
fn a_report_into_a_named_pipe_is_written_to_the_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("tmp");
    let (fifo, got) = (dir.path().join("pipe"), dir.path().join("got.json"));
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let mut reader = std::process::Command::new("cat")
        .arg(&fifo)
        .stdout(std::fs::File::create(&got).expect("create"))
        .spawn()
        .expect("cat");
    let code = check_under_umask("022", &["--report", &format!("json={}", fifo.display())]);
    // The reader ends once custody has written and closed the pipe; if custody never opened
    // it, stop the reader rather than hang.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while reader.try_wait().expect("wait").is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let finished = reader.try_wait().expect("wait").is_some();
    if !finished {
        let _ = reader.kill();
        let _ = reader.wait();
    }
    assert_eq!(code, Some(1));
    assert!(finished, "custody never wrote to the pipe");
    assert!(
        std::fs::metadata(&fifo)
            .expect("stat")
            .file_type()
            .is_fifo()
    );
    assert!(
        std::fs::read_to_string(&got)
            .expect("read")
            .starts_with('{')
    );
}

#[test]
fn docs_removes_only_the_pages_it_generated() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("rules");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::write(out.join("NOTES.md"), "# My notes\n\nKeep these.\n").expect("write");
    // A page of a rule the library no longer has, as `custody docs` wrote it.
    std::fs::write(
        out.join("TPR-OLD-01.md"),
        format!(
            "# TPR-OLD-01: gone\n\n{}\n\nOld.\n",
            custody::cmd::docs::MARKER
        ),
    )
    .expect("write");
    #[cfg(unix)]
    assert!(
        std::process::Command::new("mkfifo")
            .arg(out.join("pipe.md"))
            .status()
            .expect("mkfifo")
            .success()
    );
    let run = |args: &[&str]| {
        let o = custody()
            .current_dir(dir.path())
            .arg("docs")
            .args(args)
            .args(["--out", "rules"])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("run");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = run(&["--check"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(", 1 are left over"), "{stderr}");
    assert!(
        stderr.contains("  TPR-OLD-01.md\n") && !stderr.contains("NOTES.md"),
        "{stderr}"
    );
    let (code, stdout2, stderr) = run(&[]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout2.ends_with(", removed 1\n"), "{stdout2}");
    assert!(!out.join("TPR-OLD-01.md").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("NOTES.md")).expect("NOTES.md is kept"),
        "# My notes\n\nKeep these.\n"
    );
    #[cfg(unix)]
    assert!(std::fs::symlink_metadata(out.join("pipe.md")).is_ok());
    let (code, _, stderr) = run(&["--check"]);
    assert_eq!(
        code,
        Some(0),
        "the user's files are not left-over pages: {stderr}"
    );
}
