//! Correctness at scale: on the benchmark workload, custody's per-rule selected and failing
//! counts equal those of an independent Python reference over the generator's JSON
//! (`tests/scale/reference.py`, written from the documented semantics, sharing no code with custody); and
//! results are the same with one thread and many. Without python3 the tests say so and return.

mod common;

use assert_cmd::Command;
use std::path::Path;

fn python() -> bool {
    let ok = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "SKIPPED: python3 is not installed; the scale tests need it to generate the workload"
        );
    }
    ok
}

/// Generate a workload of `size` into `dir` (YAML, and JSON when `json`).
fn generate(size: &str, dir: &Path, json: bool) {
    let mut c = std::process::Command::new("python3");
    c.arg(common::repo_root().join("benches/gen_inventory.py"))
        .arg(size)
        .arg(dir);
    if json {
        c.arg("--json");
    }
    let out = c.output().expect("generator");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn check(dir: &Path, extra: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("custody")
        .expect("binary")
        .current_dir(common::repo_root())
        .args([
            "check",
            "--policy",
            "benches/bench.policy",
            "--format",
            "json",
            "--as-of",
            "2026-11-24",
            "--inventory",
        ])
        .arg(dir.join("vendors.yaml"))
        .arg("--inventory")
        .arg(dir.join("data_stores.yaml"))
        .args(extra)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "no input errors: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn per_rule_counts_match_an_independent_reference_on_the_s_workload() {
    if !python() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    generate("S", tmp.path(), true);
    let reference = std::process::Command::new("python3")
        .arg(common::repo_root().join("tests/scale/reference.py"))
        .arg(tmp.path().join("inventory.json"))
        .output()
        .expect("reference");
    assert!(
        reference.status.success(),
        "{}",
        String::from_utf8_lossy(&reference.stderr)
    );
    let expected: serde_json::Value =
        serde_json::from_slice(&reference.stdout).expect("reference JSON");
    let report: serde_json::Value =
        serde_json::from_slice(&check(tmp.path(), &[])).expect("custody JSON");
    let by_rule = report["summary"]["by_rule"].as_array().expect("by_rule");
    assert_eq!(by_rule.len(), 8);
    for r in by_rule {
        let id = r["rule"].as_str().expect("rule");
        let want = &expected[id];
        assert_eq!(
            (&r["selected"], &r["failing"]),
            (&want[0], &want[1]),
            "{id}: custody {r} vs reference {want}"
        );
    }
    // The workload is not trivial: every rule selects something and fails something.
    for id in ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8"] {
        assert!(
            expected[id][1].as_u64().is_some_and(|n| n > 0),
            "{id}: {}",
            expected[id]
        );
    }
}

#[test]
fn one_thread_and_many_give_the_same_bytes_on_the_m_workload() {
    if !python() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    generate("M", tmp.path(), false);
    let parallel = check(tmp.path(), &["--threads", "2"]);
    let single = check(tmp.path(), &["--threads", "1"]);
    assert!(parallel == single, "--threads 1 and --threads 2 differ");
    assert!(parallel.len() > 1_000_000, "a real report");
}

/// Reading each file of the S workload in parts (`yaml::split`; every entry alone, and
/// parts of a few kilobytes) gives the inventory and diagnostics of reading it whole. (The
/// M test above compares whole reports: with two threads its files are read in parts.)
#[test]
fn reading_files_in_parts_equals_reading_them_whole_on_the_s_workload() {
    use custody::inventory::load::{Split, load_with, reads_in_parts};
    use custody::inventory::{Schema, Taxonomy};
    if !python() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    generate("S", tmp.path(), false);
    let mut sources = custody::source::SourceMap::new();
    let files: Vec<_> = ["vendors.yaml", "data_stores.yaml"]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(tmp.path().join(name)).expect("read");
            sources.add(*name, text)
        })
        .collect();
    let load = |split: Split| {
        let mut diags = Vec::new();
        let inv = load_with(
            &files,
            &sources,
            &Schema::builtin(),
            &Taxonomy::builtin(),
            split,
            &mut diags,
        );
        let text = format!("{}\n{diags:?}", inv.dump());
        (text, inv.entities.len())
    };
    for file in &files {
        let text = sources.text(*file);
        assert!(reads_in_parts(
            text,
            &Schema::builtin(),
            &Taxonomy::builtin(),
            1
        ));
    }
    let (whole, entities) = load(Split::Never);
    assert_eq!(entities, 600, "the S workload");
    for split in [Split::Parts(1), Split::Parts(4096), Split::Parts(60_000)] {
        assert!(
            load(split).0 == whole,
            "{split:?} differs from the whole read"
        );
    }
}
