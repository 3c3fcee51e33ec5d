//! `custody init`: the starter project it writes passes `check`, `lint` and `fmt --check`
//! at once and validates against `custody schema`; it never overwrites a file, and writes
//! nothing at all when any of its files is in the way or a write fails.

mod common;

use std::path::Path;

fn custody(args: &[&str], cwd: &Path) -> std::process::Output {
    common::run_in(args, cwd)
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    )
}

/// The starter files and their contents, in order.
fn snapshot_files(dir: &Path) -> Vec<(String, Option<String>)> {
    custody::cmd::init::FILES
        .iter()
        .map(|f| (f.to_string(), std::fs::read_to_string(dir.join(f)).ok()))
        .collect()
}

fn today() -> String {
    jiff::Zoned::now().date().to_string()
}

#[test]
fn init_writes_a_project_that_check_lint_and_fmt_accept() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A directory that does not exist yet is created.
    let out = custody(&["init", "vendor-risk"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    insta::assert_snapshot!("init_output", text(&out));
    let dir = tmp.path().join("vendor-risk");
    for (name, content) in snapshot_files(&dir) {
        assert!(content.is_some(), "{name} was not written");
    }

    let check = custody(&["check"], &dir);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    insta::assert_snapshot!("init_check", text(&check).replace(&today(), "TODAY"));

    let lint = custody(&["lint", "--deny-warnings"], &dir);
    assert_eq!(lint.status.code(), Some(0), "{}", text(&lint));
    insta::assert_snapshot!("init_lint", text(&lint));

    let fmt = custody(&["fmt", "--check"], &dir);
    assert_eq!(fmt.status.code(), Some(0), "{}", text(&fmt));
    insta::assert_snapshot!("init_fmt", text(&fmt));

    // The second of the next steps it prints.
    let explain = custody(
        &["explain", custody::cmd::init::RULE, "vendor/mailwave"],
        &dir,
    );
    assert_eq!(explain.status.code(), Some(0), "{}", text(&explain));
    assert!(text(&explain).contains("vendor/mailwave passes OWN-001"));
}

#[test]
fn init_in_the_working_directory_prints_commands_without_cd() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = custody(&["init"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    insta::assert_snapshot!("init_here_output", text(&out));
    assert!(tmp.path().join("custody.yaml").is_file());
}

/// Every written file validates against the schemas `custody schema` prints for the project.
#[test]
fn the_written_files_validate_against_custody_schema() {
    let tmp = tempfile::tempdir().expect("tmp");
    assert_eq!(custody(&["init"], tmp.path()).status.code(), Some(0));
    let schema = |kind: &str| -> serde_json::Value {
        let out = custody(&["schema", "--kind", kind], tmp.path());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    for (file, kind) in [
        ("custody.yaml", "config"),
        ("inventory/vendors.yaml", "inventory"),
        ("inventory/data_stores.yaml", "inventory"),
    ] {
        let validator = jsonschema::draft7::new(&schema(kind)).expect("compiles");
        let yaml = std::fs::read_to_string(tmp.path().join(file)).expect("read");
        for doc in serde_saphyr::from_multiple::<serde_json::Value>(&yaml).expect("YAML") {
            let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{file}: {errors:#?}");
        }
    }
}

#[test]
fn a_second_init_refuses_and_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    assert_eq!(custody(&["init"], tmp.path()).status.code(), Some(0));
    std::fs::write(tmp.path().join("custody.yaml"), "policies: [mine]\n").expect("write");
    let before = snapshot_files(tmp.path());
    let out = custody(&["init"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!("init_refuses", text(&out));
    assert_eq!(snapshot_files(tmp.path()), before);
}

#[test]
fn one_file_in_the_way_is_named_and_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(tmp.path().join("project/policies")).expect("mkdir");
    std::fs::write(tmp.path().join("project/policies/main.policy"), "# mine\n").expect("write");
    let out = custody(&["init", "project"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("init_one_file_in_the_way", text(&out));
    let after = snapshot_files(&tmp.path().join("project"));
    assert_eq!(
        after,
        [
            ("custody.yaml".to_string(), None),
            ("inventory/vendors.yaml".to_string(), None),
            ("inventory/data_stores.yaml".to_string(), None),
            (
                "policies/main.policy".to_string(),
                Some("# mine\n".to_string())
            ),
        ]
    );
    assert!(!tmp.path().join("project/inventory").exists());
}

/// `custody::init::write_failed`: a directory cannot be created; what the run wrote before
/// (files and directories) is removed again.
#[cfg(unix)]
#[test]
fn a_write_that_fails_is_custody_init_write_failed_and_leaves_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let project = tmp.path().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    // `policies` is a dangling symlink: not a starter file, but no directory can be made
    // there, so the last file fails after the first three were written.
    std::os::unix::fs::symlink("nowhere", project.join("policies")).expect("symlink");
    let out = custody(&["init", "project"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let shown = text(&out);
    assert!(shown.contains("custody::init::write_failed"), "{shown}");
    assert!(
        shown.contains("cannot write `project/policies/main.policy`"),
        "{shown}"
    );
    let mut left: Vec<String> = std::fs::read_dir(&project)
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["policies"]);
}
