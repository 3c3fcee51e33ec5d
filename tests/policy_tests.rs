//! `custody test`: the real binary on the airline example's policy tests and on the
//! fixtures in `tests/fixtures/ptest/` (exit codes, the final `N passed, M failed` line,
//! snapshots of everything the user sees).

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    common::repo_root().join("tests/fixtures/ptest")
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

impl Run {
    /// Everything the user sees, for snapshots.
    fn transcript(&self) -> String {
        format!(
            "{}--- stderr ---\n{}--- exit code: {} ---\n",
            self.stdout, self.stderr, self.code
        )
    }
    /// The last line of stdout, which CI tooling reads.
    fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or("")
    }
}

fn custody_test(dir: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("custody")
        .expect("binary")
        .env_remove("NO_COLOR")
        .current_dir(dir)
        .arg("test")
        .args(args)
        .args(["--color", "never"])
        .output()
        .expect("run");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
}

const RULE: &str = "rule AUD-001 \"Vendors handling addresses are audited yearly\" {\n  for vendor v where v handles personal.contact.address\n  require v.last_audit within 12 months\n}\n";

const PASSING_TEST: &str = "as_of: 2026-11-24\ninventory:\n  vendors:\n    - {id: fresh, handles: [personal.contact.address], last_audit: 2026-06-01}\n    - {id: stale, handles: [personal.contact.address], last_audit: 2024-01-01}\nexpect:\n  AUD-001:\n    fail: [vendor/stale]\n    pass: [vendor/fresh]\n";

const FAILING_TEST: &str = "as_of: 2026-11-24\ninventory:\n  vendors:\n    - {id: fresh, handles: [personal.contact.address], last_audit: 2026-06-01}\nexpect:\n  AUD-001:\n    fail: [vendor/fresh]\n";

/// The airline's own rules (in `examples/airline/policies`, not the library's, which are
/// tested in `policies/library/tests`), read from the policy files.
fn airline_own_rule_ids() -> Vec<String> {
    let dir = common::repo_root().join("examples/airline/policies");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .collect();
    files.sort();
    let mut ids = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for line in text.lines() {
            if let Some(id) = line
                .strip_prefix("rule ")
                .and_then(|rest| rest.split_whitespace().next())
            {
                ids.push(id.to_string());
            }
        }
    }
    ids.sort();
    ids
}

/// Every rule of the airline example's own policies has a test, and they all pass:
/// `cargo test` (so CI) runs the example's policy tests.
#[test]
fn airline_policy_tests_pass_and_every_rule_has_one() {
    let own = airline_own_rule_ids();
    // The airline's three breach rules (README's tour) and its security-contact rule.
    assert_eq!(own, ["TPR-001", "TPR-002", "TPR-003", "TPR-013"]);
    let r = custody_test(
        &common::repo_root(),
        &["examples/airline/tests", "--coverage"],
    );
    assert_eq!(r.code, 0, "{}", r.transcript());
    let last = r.last_line();
    let passed: usize = last
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("last line is `N passed, 0 failed`: {last:?}"));
    assert!(passed >= own.len(), "{}", r.transcript());
    for id in &own {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.contains(&format!(":: {id} ... ok"))),
            "no passing test case for {id}:\n{}",
            r.stdout
        );
    }
    // The coverage report lists untested rules one per line, `    ID "title" (file:line)`:
    // only the airline's own (breach-2025 loads the library, whose rules the airline did not
    // write; those it names are counted as tested), and none is untested.
    assert!(
        !r.stdout.contains("rules with no test:") && !r.stdout.contains("(builtin:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("coverage: 12 of 12 rules tested;"),
        "{}",
        r.stdout
    );
    let untested: Vec<&str> = r
        .stdout
        .split_once("rules with no test:")
        .map(|(_, rest)| rest.lines().collect())
        .unwrap_or_default();
    for id in &own {
        assert!(
            !untested
                .iter()
                .any(|l| l.split_whitespace().next() == Some(id.as_str())),
            "airline rule {id} has no test:\n{}",
            r.stdout
        );
    }
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn passing_run_snapshot() {
    let r = custody_test(&common::repo_root(), &["examples/airline/tests"]);
    assert_eq!(r.code, 0);
    insta::assert_snapshot!("passing_run", r.transcript());
}

#[test]
fn failing_run_shows_expected_against_actual_and_exits_1() {
    let r = custody_test(&fixtures(), &["failing.yaml"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert_eq!(r.last_line(), "0 passed, 2 failed");
    assert!(
        r.stdout
            .contains("test result: FAILED. 0 passed; 2 failed\n"),
        "{}",
        r.stdout
    );
    // A `pass` entity that the rule does not select is a failure, not a pass.
    assert!(
        r.stdout
            .contains("vendor/logs-only: expected pass, but the rule does not select it"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("expired on 2026-10-31"), "{}", r.stdout);
    insta::assert_snapshot!("failing_run", r.transcript());
}

#[test]
fn coverage_report_snapshot() {
    // No PATHS: the working directory is searched, and only `coverage.test.yaml` there has a
    // test file's name.
    let r = custody_test(&fixtures(), &["--coverage"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_eq!(r.last_line(), "3 passed, 0 failed");
    assert!(r.stdout.contains("ENC-001"), "untested rule listed");
    assert!(r.stdout.contains("never evaluated"), "{}", r.stdout);
    insta::assert_snapshot!("coverage_report", r.transcript());
}

#[test]
fn malformed_test_file_snapshot() {
    let r = custody_test(&fixtures(), &["malformed.yaml"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.last_line(), "0 passed, 0 failed");
    assert!(r.stderr.contains("custody::test::malformed"));
    assert!(r.stderr.contains("did you mean `inventory`?"));
    insta::assert_snapshot!("malformed_test_file", r.transcript());
}

#[test]
fn unknown_names_in_expect_are_errors_with_did_you_mean() {
    let r = custody_test(&fixtures(), &["names.yaml"]);
    assert_eq!(r.code, 2);
    for code in [
        "custody::test::unknown_rule",
        "custody::test::unknown_entity",
        "custody::test::wrong_kind",
        "custody::test::duplicate_entity",
        "custody::test::empty_expectation",
    ] {
        assert!(r.stderr.contains(code), "{code} missing:\n{}", r.stderr);
    }
    assert!(r.stderr.contains("did you mean `AUD-001`?"));
    assert!(r.stderr.contains("did you mean `vendor/fresh`?"));
    insta::assert_snapshot!("unknown_names", r.transcript());
}

#[test]
fn errors_in_an_inline_fixture_point_into_the_test_file() {
    let r = custody_test(&fixtures(), &["bad-fixture.yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad-fixture.yaml:7:7"), "{}", r.stderr);
    insta::assert_snapshot!("inline_fixture_errors", r.transcript());
}

#[test]
fn invalid_input_wins_over_failures() {
    let r = custody_test(&fixtures(), &["failing.yaml", "malformed.yaml"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.last_line(), "0 passed, 2 failed");
    assert!(r.stdout.contains("1 invalid test file not run"));
}

#[test]
fn two_runs_print_identical_bytes() {
    let a = custody_test(&fixtures(), &["failing.yaml", "--coverage"]);
    let b = custody_test(&fixtures(), &["failing.yaml", "--coverage"]);
    assert_eq!(a.transcript(), b.transcript());
}

#[test]
fn policy_flag_serves_tests_outside_a_project() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        &[("rules.policy", RULE), ("audit.test.yaml", PASSING_TEST)],
    );
    let without = custody_test(dir.path(), &[]);
    assert_eq!(without.code, 2);
    assert!(
        without.stderr.contains("custody::test::no_policies"),
        "{}",
        without.stderr
    );
    let with = custody_test(dir.path(), &["--policy", "rules.policy"]);
    assert_eq!(with.code, 0, "{}", with.transcript());
    assert_eq!(with.last_line(), "1 passed, 0 failed");
}

#[test]
fn policies_in_the_test_file_are_relative_to_it_and_win_over_the_flag() {
    let dir = tempfile::tempdir().expect("tmp");
    let test = format!("policies: [../rules]\n{PASSING_TEST}");
    write(
        dir.path(),
        &[
            ("rules/audit.policy", RULE),
            (
                "other.policy",
                "rule X-1 \"x\" {\n  for vendor v\n  require v.owner is set\n}\n",
            ),
            ("tests/audit.test.yaml", &test),
        ],
    );
    let r = custody_test(dir.path(), &["tests", "--policy", "other.policy"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(
        r.stdout
            .contains("test tests/audit.test.yaml :: AUD-001 ... ok")
    );
}

#[test]
fn fixture_and_waivers_by_path() {
    let dir = tempfile::tempdir().expect("tmp");
    let test = "as_of: 2026-11-24\ninventory: [../inventory]\nwaivers: ../waivers.yaml\nexpect:\n  AUD-001:\n    waived: [vendor/stale]\n    pass: [vendor/fresh]\n";
    write(
        dir.path(),
        &[
            ("custody.yaml", "policies: [rules.policy]\n"),
            ("rules.policy", RULE),
            (
                "inventory/vendors.yaml",
                "vendors:\n  - {id: fresh, handles: [personal.contact.address], last_audit: 2026-06-01}\n  - {id: stale, handles: [personal.contact.address], last_audit: 2024-01-01}\n",
            ),
            (
                "waivers.yaml",
                "waivers:\n  - {rule: AUD-001, entity: vendor/stale, reason: booked, approved_by: ciso, expires: 2026-11-24}\n",
            ),
            ("tests/audit.test.yaml", test),
        ],
    );
    let r = custody_test(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_eq!(r.last_line(), "1 passed, 0 failed");
}

#[test]
fn search_skips_hidden_directories_and_target() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        &[
            ("custody.yaml", "policies: [rules.policy]\n"),
            ("rules.policy", RULE),
            ("a/ok.test.yaml", PASSING_TEST),
            (".hidden/broken.test.yaml", FAILING_TEST),
            ("target/broken.test.yaml", FAILING_TEST),
            ("a/not-a-test.yaml", "vendors: []\n"),
        ],
    );
    let r = custody_test(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_eq!(r.last_line(), "1 passed, 0 failed");
    assert!(r.stdout.starts_with("running 1 test\n"), "{}", r.stdout);
    // Named explicitly, a file runs whatever its place or name.
    let r = custody_test(dir.path(), &["target/broken.test.yaml"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.last_line(), "0 passed, 1 failed");
}

#[test]
fn no_test_files_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = custody_test(dir.path(), &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("custody::test::no_tests"), "{}", r.stderr);
    assert_eq!(r.last_line(), "0 passed, 0 failed");
    let r = custody_test(dir.path(), &["missing"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("custody::io::not_found"), "{}", r.stderr);
}

#[test]
fn a_test_file_must_fix_its_date() {
    let dir = tempfile::tempdir().expect("tmp");
    let undated = PASSING_TEST.replace("as_of: 2026-11-24\n", "");
    write(
        dir.path(),
        &[("rules.policy", RULE), ("audit.test.yaml", &undated)],
    );
    let r = custody_test(dir.path(), &["--policy", "rules.policy"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("the test file has no `as_of`"),
        "{}",
        r.stderr
    );
}
