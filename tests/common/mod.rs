//! Shared test helpers: run the pipeline in-process on a directory or on inline files, and
//! render what the user would see.

#![allow(dead_code)]

use custody::check::Checked;
use custody::cmd::check::Options;
use custody::project::Settings;
use custody::report::Report;
use custody::report::human;
use std::path::{Path, PathBuf};

pub const AS_OF: &str = "2026-11-24";

pub fn as_of() -> jiff::civil::Date {
    AS_OF.parse().expect("valid date")
}

/// `custody check` in-process: load, check, evaluate with `settings`.
pub fn check(settings: &Settings, today: jiff::civil::Date) -> Report {
    let options = Options {
        project: settings.clone(),
        ..Options::default()
    };
    custody::cmd::check::report(&options, today)
}

/// Load and check the project, without evaluating (what `lint` and `explain` start from).
pub fn load(settings: &Settings, today: jiff::civil::Date) -> Checked {
    custody::check::project(custody::project::load(settings, today))
}

/// Run `custody check` on a directory holding custody.yaml, with cwd = that directory.
pub fn run_dir(dir: &Path) -> Report {
    let settings = Settings {
        cwd: dir.to_path_buf(),
        config_dir: Some(dir.to_path_buf()),
        as_of: Some(as_of()),
        ..Settings::default()
    };
    check(&settings, as_of())
}

/// Write `files` (name, content) into a fresh temp dir and run on it.
pub fn run_files(files: &[(&str, &str)]) -> (tempfile::TempDir, Report) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        let p = dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, content).expect("write");
    }
    if !files.iter().any(|(n, _)| *n == "custody.yaml") {
        std::fs::write(
            dir.path().join("custody.yaml"),
            "policies: [.]\ninventory: [inventory]\n",
        )
        .expect("write config");
    }
    let r = run_dir(dir.path());
    (dir, r)
}

/// Everything the user sees, without colour: stdout, then stderr, then the exit code.
pub fn render(r: &Report) -> String {
    let style = human::Style {
        color: false,
        width: 100,
        verbose: false,
    };
    let out = human::render(r, &style, custody::report::GroupBy::None);
    let err = human::render_diags(r, &style);
    format!(
        "{out}--- stderr ---\n{err}--- exit code: {} ---\n",
        r.exit() as i32
    )
}

/// (rule, entity, status) of every finding.
pub fn findings(r: &Report) -> Vec<(String, String, String)> {
    r.findings
        .iter()
        .map(|f| {
            let status = f.status.as_str();
            (
                r.program.rules[f.rule].id.to_string(),
                custody::report::entity_name(r, f.entity),
                status.to_owned(),
            )
        })
        .collect()
}

/// Error codes of the run's diagnostics.
pub fn codes(r: &Report) -> Vec<&'static str> {
    r.project.diags.iter().map(|d| d.code).collect()
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `rule T { for KIND v [where …] require EXPR }` over an inventory at `as_of`; return the
/// ids of the entities that fail, sorted.
pub fn failing_ids(for_clause: &str, require: &str, inventory: &str, as_of: &str) -> Vec<String> {
    let policy = format!("rule T-1 \"test\" {{\n  {for_clause}\n  require {require}\n}}\n");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("rules.policy"), policy).expect("write");
    std::fs::write(dir.path().join("inventory.yaml"), inventory).expect("write");
    let date: jiff::civil::Date = as_of.parse().expect("date");
    let settings = Settings {
        cwd: dir.path().to_path_buf(),
        policies: vec![dir.path().join("rules.policy")],
        inventory: vec![dir.path().join("inventory.yaml")],
        as_of: Some(date),
        ..Settings::default()
    };
    let r = check(&settings, date);
    let errors: Vec<String> = r
        .project
        .diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
    r.findings
        .iter()
        .map(|f| r.project.inventory.get(f.entity).id.to_string())
        .collect()
}

/// The evidence texts (selected, then failed) of the finding for `id`.
pub fn evidence(r: &Report, id: &str) -> Vec<String> {
    let f = r
        .findings
        .iter()
        .find(|f| &*r.project.inventory.get(f.entity).id == id)
        .expect("finding for id");
    f.selected()
        .iter()
        .chain(f.failed.iter().flat_map(|x| &x.facts))
        .map(|x| x.text.clone())
        .collect()
}

/// The real binary, with the caller's colour settings cleared.
pub fn custody() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("custody").expect("binary");
    c.env_remove("NO_COLOR").env("CLICOLOR", "0");
    c
}

/// Run `custody ARGS...` in `cwd` with `NO_COLOR=1`: its output, whatever the exit.
pub fn run_in(args: &[&str], cwd: &Path) -> std::process::Output {
    assert_cmd::Command::cargo_bin("custody")
        .expect("binary")
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run custody")
}

/// Run `custody ARGS... examples/airline --as-of 2026-11-24 --color never` from the repository
/// root: (stdout, stderr, exit code).
pub fn on_airline(args: &[&str]) -> (String, String, i32) {
    let out = custody()
        .current_dir(repo_root())
        .args(args)
        .args(["examples/airline", "--as-of", AS_OF, "--color", "never"])
        .output()
        .expect("run");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// The official SARIF 2.1.0 schema, vendored byte for byte from serde-sarif (which ships it).
/// One erratum: its two `language` patterns have a stray `]`
/// (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), which a strict validator refuses to compile;
/// they are replaced here, in memory, by the pattern they mean. Every other rule applies as
/// published.
pub fn sarif_validator(schema: &serde_json::Value) -> jsonschema::Validator {
    const ERRATUM: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    fn fix(v: &mut serde_json::Value, fixed: &mut usize) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if k == "pattern" && val == ERRATUM {
                        *val = serde_json::json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                        *fixed += 1;
                    } else {
                        fix(val, fixed);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| fix(i, fixed)),
            _ => {}
        }
    }
    let mut schema = schema.clone();
    let mut fixed = 0;
    fix(&mut schema, &mut fixed);
    assert_eq!(fixed, 2, "the erratum this test works around");
    jsonschema::draft7::new(&schema).expect("the SARIF schema compiles")
}
