//! The GitHub Action (`action.yml`, `ci/github-action.sh`) run locally, as a runner would
//! run its step: the environment GitHub sets, with `CUSTODY_BIN` pointing at the binary
//! under test instead of a fresh `cargo install`. And the GitLab template's shape.

mod common;

use std::path::Path;

struct Run {
    code: Option<i32>,
    stdout: String,
    summary: String,
    outputs: String,
}

fn action(dir: &Path, inputs: &[(&str, &str)]) -> Run {
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "Output of an earlier step\n").expect("w");
    let outputs = dir.join("github_output");
    let mut c = std::process::Command::new("bash");
    c.arg(common::repo_root().join("ci/github-action.sh"))
        .current_dir(common::repo_root())
        .env("GITHUB_ACTION_PATH", common::repo_root())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_TEMP", dir)
        .env("CUSTODY_BIN", assert_cmd::cargo::cargo_bin!("custody"))
        .env_remove("NO_COLOR");
    for (k, v) in inputs {
        c.env(k, v);
    }
    let out = c.output().expect("bash");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        outputs: std::fs::read_to_string(&outputs).unwrap_or_default(),
    }
}

#[test]
fn the_action_annotates_writes_sarif_and_appends_the_summary() {
    let dir = tempfile::tempdir().expect("tmp");
    let sarif = dir.path().join("custody.sarif");
    let sarif_text = sarif.to_string_lossy().into_owned();
    let run = action(
        dir.path(),
        &[
            ("INPUT_PATH", "examples/airline"),
            ("INPUT_ARGS", "--as-of 2026-11-24"),
            ("INPUT_SARIF", &sarif_text),
        ],
    );
    assert_eq!(
        run.code,
        Some(1),
        "failing findings fail the step: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .starts_with("::error file=examples/airline/inventory/"),
        "annotations, most severe first: {}",
        run.stdout
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("SARIF written"))
            .expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(68));
    assert!(
        run.summary
            .starts_with("Output of an earlier step\n\n## custody: failed"),
        "the summary is appended to: {}",
        run.summary
    );
    assert_eq!(run.outputs, format!("sarif={sarif_text}\nexit-code=1\n"));
}

#[test]
fn the_action_passes_its_args_and_exits_2_on_invalid_input() {
    let dir = tempfile::tempdir().expect("tmp");
    let sarif = dir.path().join("out.sarif");
    let sarif_text = sarif.to_string_lossy().into_owned();
    let clean = action(
        dir.path(),
        &[
            ("INPUT_PATH", "examples/airline"),
            (
                "INPUT_ARGS",
                "--as-of 2026-11-24 --rule TPR-013 --fail-on critical",
            ),
            ("INPUT_SARIF", &sarif_text),
        ],
    );
    assert_eq!(clean.code, Some(0), "TPR-013 is low: {}", clean.stdout);
    assert!(
        clean.outputs.ends_with("exit-code=0\n"),
        "{}",
        clean.outputs
    );

    let broken = action(
        dir.path(),
        &[
            ("INPUT_PATH", "tests/ui/inventory_errors"),
            ("INPUT_SARIF", &sarif_text),
        ],
    );
    assert_eq!(broken.code, Some(2));
    assert!(
        broken.outputs.ends_with("exit-code=2\n"),
        "{}",
        broken.outputs
    );
}

/// action.yml runs the script with each input it declares, and the GitLab template hands
/// its reports to GitLab.
#[test]
fn the_action_and_the_gitlab_template_are_wired_to_their_reports() {
    let action =
        std::fs::read_to_string(common::repo_root().join("action.yml")).expect("action.yml");
    assert!(action.contains("using: composite"));
    assert!(action.contains(r#"run: '"$GITHUB_ACTION_PATH/ci/github-action.sh"'"#));
    for input in ["path", "args", "sarif"] {
        assert!(action.contains(&format!("  {input}:\n")), "input {input}");
        let var = format!("INPUT_{}: ${{{{ inputs.{input} }}}}", input.to_uppercase());
        assert!(action.contains(&var), "{var}");
    }
    let gitlab =
        std::fs::read_to_string(common::repo_root().join("ci/gitlab-ci.yml")).expect("template");
    for line in [
        "codequality: gl-code-quality-report.json",
        "junit: custody-junit.xml",
        "--report gitlab=gl-code-quality-report.json",
        "--report junit=custody-junit.xml",
    ] {
        assert!(gitlab.contains(line), "{line}");
    }
}
