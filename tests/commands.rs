//! Issue 11, SPEC §9: commands need only what they use, and the command-line details around
//! that (lint settings in custody.yaml, baselines, paths in output, the summary line,
//! coverage, pre-commit's file names). Each test runs the real binary in a temporary
//! project and asserts what the user sees and the exit code.

mod common;
use common::custody;

use std::path::Path;

const POLICY: &str = "rule TPR-004 \"Vendors reaching customer data enforce MFA\" {\n  severity critical\n  references \"ISO/IEC 27001:2022 A.5.19\"\n  for vendor v where v handles personal\n  require v.mfa_enforced\n  remediation \"Enforce MFA on every account that reaches our data.\"\n}\n";
const INVENTORY: &str = "vendors:\n  - id: crm-platform\n    name: CRM Platform\n    handles: [personal.contact.address]\n    mfa_enforced: false\n";

/// A temporary directory holding `files` (name, content).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        let p = dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, content).expect("write");
    }
    dir
}

/// Run custody in `dir` with `args`: (stdout, stderr, exit code).
fn run(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = custody()
        .current_dir(dir)
        .args(args)
        .args(["--color", "never"])
        .output()
        .expect("run");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn lint_runs_on_policies_alone() {
    let dir = project(&[("rules.policy", POLICY)]);
    let (stdout, stderr, code) = run(dir.path(), &["lint", "--policy", "rules.policy"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(
        stdout,
        "custody lint: 1 rule checked in 1 policy file, 0 entities, 0 waivers: no problems\n"
    );
    // Without policies there is nothing to lint: the config is still looked for, and the
    // help names only the flag lint needs.
    let (_, stderr, code) = run(dir.path(), &["lint", "--inventory", "inv"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("custody::config::not_found"), "{stderr}");
    assert!(stderr.contains("or pass `--policy`\n"), "{stderr}");
}

#[test]
fn lint_with_a_config_without_inventory_is_fine() {
    let dir = project(&[
        ("custody.yaml", "policies: [rules.policy]\n"),
        ("rules.policy", POLICY),
    ]);
    let (stdout, stderr, code) = run(dir.path(), &["lint"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.ends_with("no problems\n"), "{stdout}");
    // check still needs an inventory.
    let (_, stderr, code) = run(dir.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("custody::config::no_inventory"), "{stderr}");
}

#[test]
fn query_and_impact_run_on_an_inventory_alone() {
    let dir = project(&[("inv/vendors.yaml", INVENTORY)]);
    let (stdout, stderr, code) = run(dir.path(), &["query", "vendor v", "--inventory", "inv"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(
        stdout,
        "entity\nvendor/crm-platform\n\n1 of 1 vendors matches\n"
    );
    let (stdout, stderr, code) = run(
        dir.path(),
        &[
            "impact",
            "vendor/crm-platform",
            "--inventory",
            "inv",
            "--as-of",
            "2026-11-24",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    assert!(
        stdout.starts_with("Impact of a breach at vendor/crm-platform"),
        "{stdout}"
    );
    assert!(stdout.ends_with("Rules it fails now: none\n"), "{stdout}");
    // Without an inventory, the help names `--inventory` only.
    let (_, stderr, code) = run(dir.path(), &["query", "vendor v"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("or pass `--inventory`\n"), "{stderr}");
}

#[test]
fn paths_in_output_are_normalised() {
    let dir = project(&[("rules.policy", POLICY), ("inv/vendors.yaml", INVENTORY)]);
    let (stdout, stderr, code) = run(
        dir.path(),
        &[
            "check",
            "--policy",
            "./rules.policy",
            "--inventory",
            "./inv/../inv/vendors.yaml",
            "--format",
            "concise",
            "--as-of",
            "2026-11-24",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.starts_with("inv/vendors.yaml:5:19: critical TPR-004 vendor/crm-platform:"),
        "{stdout}"
    );
    // Errors name the file the same way.
    let (_, stderr, code) = run(
        dir.path(),
        &[
            "check",
            "--policy",
            "rules.policy",
            "--inventory",
            "inv/./x/../missing.yaml",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read `inv/missing.yaml`"),
        "{stderr}"
    );
}

#[test]
fn the_summary_of_a_run_with_input_errors_leads_with_them() {
    let broken = "vendors:\n  - id: crm-platform\n    handles: [personal.contact.adress]\n";
    let dir = project(&[("rules.policy", POLICY), ("inv/vendors.yaml", broken)]);
    let args = [
        "check",
        "--policy",
        "rules.policy",
        "--inventory",
        "inv",
        "--as-of",
        "2026-11-24",
    ];
    let (stdout, _, code) = run(dir.path(), &args);
    assert_eq!(code, 2);
    assert!(
        stdout.ends_with("custody: could not evaluate everything: 1 error, 0 warnings; of what was evaluated, no failing findings, 0 waived; 1 rule over 1 entity, as of 2026-11-24\n"),
        "{stdout}"
    );
    let (stdout, _, code) = run(dir.path(), &[&args[..], &["--format", "concise"]].concat());
    assert_eq!(code, 2);
    assert!(
        stdout.starts_with("custody: could not evaluate everything: 1 error"),
        "{stdout}"
    );
}

const TWO_RULES: &str = "rule TPR-004 \"Vendors enforce MFA\" {\n  for vendor v\n  require v.mfa_enforced\n}\n\nrule TPR-005 \"Vendors name an owner\" {\n  for vendor v\n  require v.owner is set\n}\n";

fn baseline_project(mfa: bool) -> tempfile::TempDir {
    let inventory = format!("vendors:\n  - id: crm-platform\n    mfa_enforced: {mfa}\n");
    project(&[
        (
            "custody.yaml",
            "policies: [rules.policy]\ninventory: [inv]\n",
        ),
        ("rules.policy", TWO_RULES),
        ("inv/vendors.yaml", &inventory),
    ])
}

#[test]
fn writing_a_baseline_exits_0_and_says_where() {
    let dir = baseline_project(false);
    let (stdout, stderr, code) = run(
        dir.path(),
        &["check", "--write-baseline", "./inv/../b.json"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("2 failing findings"), "{stdout}");
    assert_eq!(stderr, "custody: recorded 2 failing findings in b.json\n");
    let written = std::fs::read_to_string(dir.path().join("b.json")).expect("baseline");
    assert!(written.contains("TPR-004|vendor/crm-platform"), "{written}");
    // The baseline makes the same findings pass.
    let (_, stderr, code) = run(dir.path(), &["check", "--baseline", "b.json"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    // Input errors still exit 2; a file that cannot be written too, and is not announced.
    std::fs::write(dir.path().join("inv/bad.yaml"), "vendors: 3\n").expect("write");
    let (_, _, code) = run(dir.path(), &["check", "--write-baseline", "c.json"]);
    assert_eq!(code, 2);
    std::fs::remove_file(dir.path().join("inv/bad.yaml")).expect("rm");
    let (_, stderr, code) = run(
        dir.path(),
        &["check", "--write-baseline", "no/such/dir/b.json"],
    );
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: cannot write"), "{stderr}");
    assert!(!stderr.contains("recorded"), "{stderr}");
}

#[test]
fn with_rule_only_the_selected_rules_baseline_entries_can_be_fixed() {
    let dir = baseline_project(false);
    let (_, stderr, code) = run(dir.path(), &["check", "--write-baseline", "b.json"]);
    assert_eq!(code, 0, "{stderr}");
    // TPR-004 is fixed; TPR-005 still fails.
    let dir2 = baseline_project(true);
    std::fs::copy(dir.path().join("b.json"), dir2.path().join("b.json")).expect("copy");
    let (_, stderr, code) = run(
        dir2.path(),
        &["check", "--rule", "TPR-005", "--baseline", "b.json"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr, "",
        "TPR-004 was not evaluated, so its entry is not fixed"
    );
    let (_, stderr, code) = run(
        dir2.path(),
        &["check", "--rule", "TPR-004", "--baseline", "b.json"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("custody::baseline::fixed"), "{stderr}");
    assert!(stderr.contains("1 baselined finding is fixed"), "{stderr}");
    assert!(
        stderr.contains("`TPR-004|vendor/crm-platform` no longer occurs"),
        "{stderr}"
    );
}

const LINTED: &str = "let unused = 3\nlet other = 4 # custody: allow lint::unused_let\nlet third = 5 # custody: allow custody::lint::missing_references\n\nrule R-1 \"t\" {\n  for vendor v\n  require v.mfa_enforced\n}\n";
const WAIVERS: &str = "waivers:\n  - rule: R-1\n    entity: vendor/crm\n    reason: accepted\n    approved_by: a@example.com\n    expires: 2026-12-20\n";

fn lint_project(lint: &str) -> tempfile::TempDir {
    let config = format!("policies: [rules.policy]\ninventory: [inv]\nwaivers: w.yaml\n{lint}");
    project(&[
        ("custody.yaml", &config),
        ("rules.policy", LINTED),
        (
            "inv/v.yaml",
            "vendors:\n  - id: crm\n    mfa_enforced: false\n",
        ),
        ("w.yaml", WAIVERS),
    ])
}

/// The codes of the warnings and errors `custody lint` printed, with their line.
fn shown_codes(stderr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut code = None;
    for line in stderr.lines() {
        if line.starts_with("custody::") {
            code = Some(line.to_owned());
        } else if let (Some(c), Some(at)) = (&code, line.trim_start().strip_prefix("╭─[")) {
            out.push(format!("{c} {}", at.trim_end_matches(']')));
            code = None;
        }
    }
    out
}

#[test]
fn lint_warnings_by_default() {
    let dir = lint_project("");
    let (stdout, stderr, code) = run(dir.path(), &["lint", "--as-of", "2026-12-01"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.ends_with(": 5 warnings\n"), "{stdout}");
    assert_eq!(
        shown_codes(&stderr),
        [
            "custody::lint::unused_let rules.policy:1:5",
            "custody::lint::unused_let rules.policy:3:5",
            "custody::lint::missing_references rules.policy:5:6",
            "custody::lint::missing_remediation rules.policy:5:6",
            "custody::lint::waiver_expires_soon w.yaml:6:14",
        ]
    );
}

#[test]
fn lint_allow_and_allow_comments_silence_warnings() {
    // `other` is silenced by the comment on its line; `third`'s comment names another code.
    let dir = lint_project(
        "lint:\n  allow: [custody::lint::missing_remediation, lint::missing_references]\n  waiver_expiry_days: 10\n",
    );
    let (stdout, stderr, code) = run(dir.path(), &["lint", "--as-of", "2026-12-01"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.ends_with(": 2 warnings\n"), "{stdout}");
    assert_eq!(
        shown_codes(&stderr),
        [
            "custody::lint::unused_let rules.policy:1:5",
            "custody::lint::unused_let rules.policy:3:5",
        ]
    );
    // A wider window than the default warns earlier.
    let dir = lint_project("lint:\n  waiver_expiry_days: 20\n");
    let (_, stderr, _) = run(dir.path(), &["lint", "--as-of", "2026-11-29"]);
    assert!(!stderr.contains("waiver_expires_soon"), "21 days: {stderr}");
    let (_, stderr, _) = run(dir.path(), &["lint", "--as-of", "2026-11-30"]);
    assert!(stderr.contains("expires in 20 days"), "{stderr}");
}

#[test]
fn lint_settings_mistakes_are_config_errors() {
    let dir = lint_project(
        "lint:\n  allow: [lint::unused_lett, custody::lint::missing_remediation]\n  waiver_expiry_days: soon\n  deny: []\n",
    );
    let (stdout, stderr, code) = run(dir.path(), &["lint", "--as-of", "2026-12-01"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.contains(": 3 errors,"), "{stdout}");
    insta::assert_snapshot!(stderr);
    // `check` reads the section too (no unknown key), and ignores what only lint uses.
    let dir = lint_project("lint:\n  allow: [custody::lint::missing_remediation]\n");
    let (_, stderr, code) = run(dir.path(), &["check", "--as-of", "2026-12-01"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn files_pre_commit_passes_are_changed_files_not_the_config_path() {
    let dir = project(&[
        (
            "custody.yaml",
            "policies: [rules.policy]\ninventory: [inv]\n",
        ),
        ("rules.policy", POLICY),
        ("inv/vendors.yaml", INVENTORY),
    ]);
    let all = run(dir.path(), &["check", "--as-of", "2026-11-24"]);
    assert_eq!(all.2, 1, "{}", all.1);
    // As the hook runs it (`entry: custody check --changed-files`, then the hook's `args`,
    // then the files): the whole project, the same output.
    let changed = run(
        dir.path(),
        &[
            "check",
            "--changed-files",
            "--as-of",
            "2026-11-24",
            "inv/vendors.yaml",
            "custody.yaml",
            "rules.policy",
        ],
    );
    assert_eq!(changed, all);
    // Without the flag, files after PATH are changed files too.
    let parent = dir.path().parent().expect("parent");
    let name = dir
        .path()
        .file_name()
        .and_then(|n| n.to_str())
        .expect("name");
    let (stdout, stderr, code) = run(
        parent,
        &[
            "check",
            name,
            "--as-of",
            "2026-11-24",
            "rules.policy",
            "x.yaml",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("1 failing finding"), "{stdout}");
    // lint likewise.
    let (stdout, stderr, code) = run(
        dir.path(),
        &[
            "lint",
            "--deny-warnings",
            "--changed-files",
            "inv/vendors.yaml",
            "rules.policy",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.ends_with("no problems\n"), "{stdout}");
}

#[test]
fn the_hooks_pass_changed_files() {
    let hooks =
        std::fs::read_to_string(common::repo_root().join(".pre-commit-hooks.yaml")).expect("hooks");
    assert!(
        hooks.contains("entry: custody check --changed-files\n"),
        "{hooks}"
    );
    assert!(
        hooks.contains("entry: custody lint --deny-warnings --changed-files\n"),
        "{hooks}"
    );
}
