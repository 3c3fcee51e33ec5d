//! `custody lint`: the UI cases under `tests/ui/lint_*` (whole output snapshotted), each
//! warning's positive and negative cases, the errors lint shares with `check`, and the
//! real binary's exit codes.

mod common;
use common::custody;

use custody::cli::{ColorChoice, InputArgs, LintArgs};
use custody::cmd::Output;
use custody::cmd::lint;
use custody::project::Settings;
use custody::types::Exit;
use jiff::ToSpan;
use std::path::Path;

fn lint_args(dir: &Path, deny_warnings: bool) -> LintArgs {
    LintArgs {
        input: InputArgs {
            path: Some(dir.to_path_buf()),
            policies: Vec::new(),
            inventory: Vec::new(),
            waivers: None,
            max_file_size: None,
            color: ColorChoice::Never,
        },
        changed: Vec::new(),
        changed_files: false,
        deny_warnings,
        as_of: Some(common::as_of()),
    }
}

/// `custody lint DIR --as-of 2026-11-24`, in-process, with cwd = DIR.
fn lint_dir(dir: &Path, deny_warnings: bool) -> Output {
    lint::run(
        &lint_args(dir, deny_warnings),
        dir.to_path_buf(),
        common::as_of(),
    )
}

fn render(out: &Output) -> String {
    format!(
        "{}--- stderr ---\n{}--- exit code: {} ---\n",
        out.stdout, out.stderr, out.exit as i32
    )
}

#[test]
fn ui_cases() {
    insta::glob!("ui/lint_*/custody.yaml", |config| {
        let dir = config.parent().expect("case directory");
        insta::assert_snapshot!(render(&lint_dir(dir, false)));
    });
}

/// (code, message) of every diagnostic lint gives for `files` (see `common::run_files`).
fn lint_files(files: &[(&str, &str)]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        let p = dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, content).expect("write");
    }
    if !files.iter().any(|(n, _)| *n == "custody.yaml") {
        let waivers = if files.iter().any(|(n, _)| *n == "waivers.yaml") {
            "waivers: waivers.yaml\n"
        } else {
            ""
        };
        std::fs::write(
            dir.path().join("custody.yaml"),
            format!("policies: [.]\ninventory: [inventory]\n{waivers}"),
        )
        .expect("write config");
    }
    if !files.iter().any(|(n, _)| n.starts_with("inventory/")) {
        std::fs::create_dir_all(dir.path().join("inventory")).expect("mkdir");
        std::fs::write(dir.path().join("inventory/vendors.yaml"), "vendors: []\n").expect("write");
    }
    let settings = Settings {
        cwd: dir.path().to_path_buf(),
        config_dir: Some(dir.path().to_path_buf()),
        as_of: Some(common::as_of()),
        ..Settings::default()
    };
    let loaded = common::load(&settings, common::as_of());
    lint::diagnostics(&loaded)
        .into_iter()
        .map(|d| (d.code.to_owned(), d.message))
        .collect()
}

/// The lint codes (`custody::lint::*` shortened to the name) for one rule whose `for` and
/// `require` clauses are given; the rule has references and a remediation.
fn rule_warnings(for_clause: &str, requires: &[&str]) -> Vec<String> {
    let requires: String = requires
        .iter()
        .map(|r| format!("  require {r}\n"))
        .collect();
    let policy = format!(
        "rule R-1 \"t\" {{\n  references \"x\"\n  {for_clause}\n{requires}  remediation \"y\"\n}}\n"
    );
    lint_only(&[("rules.policy", &policy)])
}

fn lint_only(files: &[(&str, &str)]) -> Vec<String> {
    let all = lint_files(files);
    let errors: Vec<&(String, String)> = all
        .iter()
        .filter(|(c, _)| !c.starts_with("custody::lint::") && !c.starts_with("custody::waiver::"))
        .collect();
    assert!(errors.is_empty(), "unexpected diagnostics: {errors:#?}");
    all.into_iter()
        .map(|(c, _)| c.trim_start_matches("custody::lint::").to_owned())
        .collect()
}

#[test]
fn constant_conditions_are_only_what_is_provably_constant() {
    let constant: &[(&str, &str)] = &[
        ("for vendor v where true", "v.mfa_enforced"),
        ("for vendor v", "1 == 1"),
        ("for vendor v", "\"AU\" in [\"AU\", \"NZ\"]"),
        ("for vendor v", "2027-01-01 after 2026-01-01 + 1 year"),
        ("for vendor v", "v.mfa_enforced or true"),
        ("for vendor v", "v.tier != v.tier"),
        ("for vendor v", "v.last_audit before v.last_audit"),
        ("for vendor v", "v.id == v.id"),
        ("for vendor v", "count(v.accesses) >= 0"),
        ("for vendor v", "0 <= count(v.accesses)"),
        ("for vendor v", "count(v.accesses) < 0"),
        ("for vendor v", "count(v.accesses) == 0.5"),
        ("for vendor v", "v.supply_chain is set"),
        ("for vendor v", "today within 3 days"),
        ("for vendor v", "today older than 1 year"),
        ("for vendor v", "v.country in []"),
        ("for vendor v", "all p in v.subprocessors: true"),
        ("for vendor v", "no p in v.subprocessors: false"),
        ("for vendor v", "any p in []: p == v.country"),
        ("for vendor v", "not (v.mfa_enforced and false)"),
        ("for vendor v where v handles []", "v.mfa_enforced"),
    ];
    for (f, r) in constant {
        assert_eq!(
            rule_warnings(f, &[r]),
            ["constant_condition"],
            "{f} / require {r}"
        );
    }
    // A constant part of a condition that is not constant itself.
    assert_eq!(
        rule_warnings("for vendor v", &["v.mfa_enforced and 1 == 1"]),
        ["constant_condition"]
    );
    // On an empty list `any` fails and `all ...: false` holds, so these are not constant;
    // their bodies are.
    for (part, value) in [
        ("any p in v.subprocessors: true", "true"),
        ("all p in v.subprocessors: false", "false"),
    ] {
        let policy = format!(
            "rule R-1 \"t\" {{\n  references \"x\"\n  for vendor v\n  require {part}\n  remediation \"y\"\n}}\n"
        );
        let message = format!("part of a condition of rule `R-1` is always {value}");
        assert_eq!(
            lint_files(&[("rules.policy", &policy)]),
            [("custody::lint::constant_condition".to_owned(), message)],
            "{part}"
        );
    }
    let not_constant: &[(&str, &str)] = &[
        // Missing values make each of these false for some vendor.
        (
            "for vendor v",
            "v.tier in [\"critical\", \"high\", \"medium\", \"low\"]",
        ),
        ("for vendor v", "v.tier == v.tier"),
        ("for vendor v", "v.mfa_enforced or v.mfa_enforced == false"),
        ("for vendor v", "count(v.accesses) >= 1"),
        ("for vendor v", "v.country not in []"),
        // Depends on the as-of date.
        ("for vendor v", "today after 2026-01-01"),
        // Regression: a quantifier's body that tests only the element's link, or its place
        // on the supply chain, was taken for constant (its slots were not counted).
        (
            "for vendor v",
            "any s in v.accesses: s.link.access == \"write\"",
        ),
        (
            "for vendor v where any s in v.accesses where s holds personal: s.link.access in [\"write\", \"admin\"]",
            "v.mfa_enforced",
        ),
        ("for vendor v", "all p in v.supply_chain: p.depth <= 2"),
        (
            "for vendor v",
            "all p in v.supply_chain: p.link.transfer is set",
        ),
        (
            "for vendor v where v handles [personal, credentials, business, system]",
            "v.mfa_enforced",
        ),
    ];
    for (f, r) in not_constant {
        assert_eq!(
            rule_warnings(f, &[r]),
            Vec::<String>::new(),
            "{f} / require {r}"
        );
    }
}

#[test]
fn negated_missing_is_not_on_a_boolean_field_only() {
    assert_eq!(
        rule_warnings("for vendor v where not v.mfa_enforced", &["v.owner is set"]),
        ["negated_missing"]
    );
    assert_eq!(
        rule_warnings(
            "for vendor v",
            &["all s in v.accesses: not s.encrypted_at_rest"]
        ),
        ["negated_missing"]
    );
    for fine in [
        "v.mfa_enforced == false",
        "not (v.tier == \"low\")",
        "not v.last_audit within 1 year",
        "not v.owner is set",
    ] {
        assert_eq!(
            rule_warnings("for vendor v", &[fine]),
            Vec::<String>::new(),
            "{fine}"
        );
    }
}

#[test]
fn window_direction_follows_the_fields_when() {
    for wrong in [
        "v.contract.expires within 60 days",
        "v.contract.expires within last 60 days",
        "v.contract.expires older than 1 month",
        "v.last_audit within next 12 months",
        "v.offboarded within next 1 week",
        "any s in v.accesses: s.last_access_review within next 3 months",
        "not v.contract.expires within 2 weeks",
    ] {
        assert_eq!(
            rule_warnings("for vendor v", &[wrong]),
            ["window_direction"],
            "{wrong}"
        );
    }
    for fine in [
        "v.contract.expires within next 60 days",
        "v.last_audit within 12 months",
        "v.last_audit within last 12 months",
        "v.last_audit older than 2 years",
        // A day count depends on the as-of date: not a constant condition either.
        "days_until(2027-01-01) > 30",
        // Arithmetic, other dates and fields with no `when:` are left alone.
        "v.contract.expires - 1 year within 1 month",
        "today within next 1 day",
        "2027-01-01 within next 5 years",
        "v.contract.expires before today + 60 days",
    ] {
        let got = rule_warnings("for vendor v", &[fine]);
        assert!(
            !got.iter().any(|w| w == "window_direction"),
            "{fine}: {got:?}"
        );
        if fine.starts_with("days_until") {
            assert_eq!(got, Vec::<String>::new(), "{fine}");
        }
    }
    // A field of the user's schema takes `when:` too.
    let config = "policies: [.]\ninventory: [inventory]\nschema:\n  vendor:\n    fields:\n      renewal: {type: date, when: future}\n      kickoff: date\n";
    let policy = "rule R-1 \"t\" {\n  references \"x\"\n  for vendor v\n  require v.renewal within 30 days\n  require v.kickoff within 30 days\n  require v.kickoff within next 30 days\n  remediation \"y\"\n}\n";
    assert_eq!(
        lint_only(&[("custody.yaml", config), ("rules.policy", policy)]),
        ["window_direction"]
    );
}

#[test]
fn duplicate_requires_compare_meaning_not_text() {
    let policy = r#"let approved = ["AU", "NZ"]
let cat = personal.contact

rule R-1 "t" {
  references "x"
  for vendor v
  require v.country in approved
  require v.country  in  ["AU", "NZ"]
  require v handles cat
  require v handles personal.contact
  require v.country in ["AU"]
  require v handles personal.contact.email
  remediation "y"
}
"#;
    let all = lint_files(&[("rules.policy", policy)]);
    let dups: Vec<&String> = all
        .iter()
        .filter(|(c, _)| c == "custody::lint::duplicate_require")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(dups.len(), 2, "{all:#?}");
}

#[test]
fn unused_lets_respect_order_and_files() {
    let a = r#"let used_by_rule = ["AU"]
let used_by_let = personal.contact
let chain = [used_by_let]
let used_above = 3

rule R-1 "t" {
  references "x"
  for vendor v where v handles chain and v.country in used_by_rule
  require v.mfa_enforced
  remediation "y"
}
"#;
    let b = r#"rule R-2 "t" {
  references "x"
  for vendor v where count(v.accesses) > 1
  require v.mfa_enforced
  remediation "y"
}
"#;
    let all = lint_files(&[("a.policy", a), ("b.policy", b)]);
    let unused: Vec<&String> = all
        .iter()
        .filter(|(c, _)| c == "custody::lint::unused_let")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(unused, ["`used_above` is never used"], "{all:#?}");
}

#[test]
fn covered_categories_follow_the_taxonomy_and_lets() {
    let policy = r#"let contact = [personal.contact.email, personal.contact.phone]
let fine = [personal.contact.email, personal.contact.phone, personal.health]

rule R-1 "t" {
  references "x"
  for vendor v where v handles [contact, personal.contact]
  require v handles [business.financial, personal.financial]
  require v handles fine
  remediation "y"
}
"#;
    let all = lint_files(&[("rules.policy", policy)]);
    let covered: Vec<&String> = all
        .iter()
        .filter(|(c, _)| c == "custody::lint::covered_category")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        covered,
        ["`contact` is already covered by `personal.contact` in this list"],
        "{all:#?}"
    );
}

#[test]
fn message_fields_the_rule_never_tests() {
    let rule = |message: &str, requires: &str| {
        let policy = format!(
            "rule R-1 \"t\" {{\n  references \"x\"\n  for data_store s where s.hosted_by is set\n  require {requires}\n  message \"{message}\"\n  remediation \"y\"\n}}\n"
        );
        lint_only(&[("rules.policy", &policy)])
    };
    let none: Vec<String> = Vec::new();
    let untouched = vec!["template_field_untouched".to_owned()];
    assert_eq!(
        rule(
            "{s.name} {s.id} {s.owner} {s.description}",
            "s.encrypted_at_rest"
        ),
        none
    );
    assert_eq!(
        rule("{s.hosted_by.name} {s.hosted_by}", "s.encrypted_at_rest"),
        none
    );
    assert_eq!(
        rule("{s.hosted_by.tier}", "s.hosted_by.tier != \"low\""),
        none
    );
    assert_eq!(rule("{s.region}", "s.encrypted_at_rest"), untouched);
    assert_eq!(rule("{s.hosted_by.tier}", "s.encrypted_at_rest"), untouched);
    let vendor = |message: &str, requires: &str| {
        let policy = format!(
            "rule R-1 \"t\" {{\n  references \"x\"\n  for vendor v\n  require {requires}\n  message \"{message}\"\n  remediation \"y\"\n}}\n"
        );
        lint_only(&[("rules.policy", &policy)])
    };
    // `supply_chain` is derived from `subprocessors`.
    assert_eq!(
        vendor(
            "{v.subprocessors}",
            "all p in v.supply_chain: p.mfa_enforced"
        ),
        none
    );
    assert_eq!(
        vendor("{v.contract.expires}", "v.contract.dpa_signed"),
        untouched
    );
}

#[test]
fn missing_remediation_and_references() {
    let policy = "rule R-1 \"t\" {\n  for vendor v\n  require v.mfa_enforced\n}\n";
    assert_eq!(
        lint_only(&[("rules.policy", policy)]),
        ["missing_references", "missing_remediation"]
    );
}

#[test]
fn shadowed_names() {
    let policy = r#"let business = business.confidential

rule R-1 "t" {
  references "x"
  for vendor v where v handles business
  require v.mfa_enforced
  remediation "y"
}

rule r-1 "t" {
  references "x"
  for vendor credentials
  require credentials.mfa_enforced
  remediation "y"
}
"#;
    assert_eq!(
        lint_only(&[("rules.policy", policy)]),
        ["shadowed_name", "shadowed_name", "shadowed_name"]
    );
}

const ACME: &str = "vendors:\n  - id: acme\n";
const RULE: &str = "rule R-1 \"t\" {\n  references \"x\"\n  for vendor v\n  require v.mfa_enforced\n  remediation \"y\"\n}\n";

fn waiver(rule: &str, entity: &str, expires: &str) -> String {
    format!(
        "  - rule: {rule}\n    entity: {entity}\n    reason: r\n    approved_by: a\n    expires: {expires}\n"
    )
}

#[test]
fn waivers_that_expire_within_30_days_or_name_nothing() {
    // As of 2026-11-24: the 24th of December is 30 days away, the 25th 31 days.
    let waivers = format!(
        "waivers:\n{}{}{}{}{}{}",
        waiver("R-1", "vendor/acme", "2026-11-24"),
        waiver("R-1", "vendor/acme", "2026-12-24"),
        waiver("R-1", "vendor/acme", "2026-12-25"),
        waiver("R-1", "vendor/acme", "2026-11-23"),
        waiver("R-9", "vendor/acme", "2027-01-01"),
        waiver("R-1", "vendor/acne", "2027-01-01"),
    );
    let all = lint_files(&[
        ("rules.policy", RULE),
        ("inventory/vendors.yaml", ACME),
        ("waivers.yaml", &waivers),
    ]);
    let got: Vec<String> = all.iter().map(|(c, m)| format!("{c}: {m}")).collect();
    assert_eq!(
        got,
        [
            "custody::lint::waiver_expires_soon: waiver for `R-1` on `vendor/acme` expires today, on 2026-11-24",
            "custody::lint::waiver_expires_soon: waiver for `R-1` on `vendor/acme` expires in 30 days, on 2026-12-24",
            "custody::waiver::unknown_rule: waiver names unknown rule `R-9`",
            "custody::waiver::unknown_entity: waiver names unknown entity `vendor/acne`",
        ]
    );
}

/// Every error `check` reports, `lint` reports too, on every UI case.
#[test]
fn lint_reports_every_error_check_reports() {
    let ui = common::repo_root().join("tests/ui");
    let mut cases: Vec<_> = std::fs::read_dir(&ui)
        .expect("tests/ui")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("custody.yaml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 8);
    for dir in cases {
        let report = common::run_dir(&dir);
        let settings = Settings {
            cwd: dir.clone(),
            config_dir: Some(dir.clone()),
            as_of: Some(common::as_of()),
            ..Settings::default()
        };
        let lint_diags = lint::diagnostics(&common::load(&settings, common::as_of()));
        let errors = |ds: &[custody::diag::Diag]| {
            ds.iter()
                .filter(|d| d.is_error())
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            errors(&report.project.diags),
            errors(&lint_diags),
            "{}",
            dir.display()
        );
    }
}

#[test]
fn the_airline_example_has_no_warnings_today_or_on_its_as_of_date() {
    let dir = common::repo_root().join("examples/airline");
    let out = lint_dir(&dir, true);
    assert_eq!(out.exit, Exit::Clean, "{}", render(&out));
    assert_eq!(out.stderr, "");
    insta::assert_snapshot!(out.stdout, @"custody lint: 42 rules checked in 11 policy files, 28 entities, 2 waivers: no problems");
    let today = jiff::Zoned::now().date();
    let mut args = lint_args(&dir, true);
    args.as_of = None;
    let out = lint::run(&args, dir.clone(), today);
    // The live waiver expires on 2027-03-31; only in the 30 days before that may lint warn.
    let expiry: jiff::civil::Date = "2027-03-31".parse().expect("date");
    let soon = today <= expiry && expiry <= today.checked_add(30_i64.days()).expect("date");
    assert_eq!(out.exit == Exit::Clean, !soon, "{}", render(&out));
}

// ---------------------------------------------------------------------------------------
// The real binary.

#[test]
fn exit_codes_warnings_pass_unless_denied_and_errors_win() {
    let root = common::repo_root();
    let run = |case: &str, deny: bool| {
        let mut c = custody();
        c.current_dir(&root).args([
            "lint",
            &format!("tests/ui/{case}"),
            "--as-of",
            common::AS_OF,
        ]);
        if deny {
            c.arg("--deny-warnings");
        }
        c.output().expect("run")
    };
    let warned = run("lint_warnings", false);
    assert_eq!(warned.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&warned.stdout);
    assert!(stdout.ends_with(": 18 warnings\n"), "{stdout}");
    let stderr = String::from_utf8_lossy(&warned.stderr);
    assert!(stderr.contains("custody::lint::unused_let"), "{stderr}");

    let denied = run("lint_warnings", true);
    assert_eq!(denied.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&denied.stdout).ends_with("(denied by --deny-warnings)\n"),
        "{}",
        String::from_utf8_lossy(&denied.stdout)
    );

    assert_eq!(run("lint_errors", false).status.code(), Some(2));
    assert_eq!(run("lint_errors", true).status.code(), Some(2));
    assert_eq!(run("lint_clean", true).status.code(), Some(0));
}

#[test]
fn lint_does_not_evaluate() {
    // The airline example has failing findings; lint does not report them and exits 0.
    let out = custody()
        .current_dir(common::repo_root())
        .args(["lint", "examples/airline", "--as-of", common::AS_OF])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("TPR-"), "{all}");
}

#[test]
fn exports_are_never_unused_and_lint_agrees_with_check() {
    // `shared` is used only in another file, `spare` nowhere, and the built-in groups by
    // nobody: no warning. `helper` is a file `let` used only by an export below it: used.
    let a = "let helper = [\"AU\"]\nexport let shared = helper\nexport let spare = 3\n";
    let b = "rule R-1 \"t\" {\n  references \"x\"\n  for vendor v\n  require v.country in shared\n  remediation \"y\"\n}\n";
    assert_eq!(
        lint_only(&[("a.policy", a), ("b.policy", b)]),
        Vec::<String>::new()
    );
    // The errors `check` gives for exports are `lint`'s too.
    let all = lint_files(&[
        ("a.policy", "export let spare = 1\nlet EU = [\"DE\"]\n"),
        ("b.policy", "export let spare = 2\n"),
    ]);
    let codes: Vec<&str> = all.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "custody::lint::unused_let",
            "custody::policy::shadowed_export",
            "custody::policy::duplicate_export"
        ]
    );
}

#[test]
fn an_export_named_like_a_category_hides_it_everywhere() {
    let all = lint_files(&[("a.policy", "export let system = [\"AU\"]\n")]);
    let messages: Vec<&str> = all.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        messages,
        ["`export let system` hides the data category `system`"]
    );
}
