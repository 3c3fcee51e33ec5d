//! A large all-ASCII inventory file's text is let go once it is parsed
//! (`SourceMap::lend`): reports need only its line index, and a snippet reads the file
//! again. Every report must be what it is when the text is kept, which a trailing comment
//! with one non-ASCII character forces (the same entities, lines and columns).

mod common;

use common::{custody, repo_root};
use custody::cmd::check::{Options, report};
use custody::project::Settings;
use custody::report::json;
use custody::source::RELEASE_MIN;
use jiff::civil::date;
use std::fmt::Write as _;
use std::path::Path;

/// A register in the benchmark's shape, each file over `RELEASE_MIN` bytes, with findings,
/// an unknown field (an error, shown with a snippet) and a reference to a missing store.
fn register(dir: &Path, tail: &str) {
    let tiers = ["critical", "high", "medium", "low"];
    let cats = [
        "personal.contact.address",
        "personal.identity.name",
        "credentials.password",
    ];
    let mut v = String::from("vendors:\n");
    let mut i = 0;
    while v.len() <= RELEASE_MIN {
        let _ = writeln!(v, "  - id: v{i:06}");
        let _ = writeln!(v, "    name: Vendor {i} Pty Ltd");
        let _ = writeln!(v, "    owner: owner{i}@example.com");
        let _ = writeln!(v, "    tier: {}", tiers[i % 4]);
        let _ = writeln!(v, "    country: AU");
        let _ = writeln!(v, "    handles: [{}]", cats[i % 3]);
        let _ = writeln!(v, "    accesses: [s{:06}]", (i * 7) % 5000);
        let _ = writeln!(v, "    last_audit: 2025-{:02}-15", i % 12 + 1);
        let _ = writeln!(v, "    mfa_enforced: {}", i % 5 != 0);
        if i == 4321 {
            v.push_str("    colour: blue\n");
        }
        i += 1;
    }
    v.push_str(tail);
    let mut s = String::from("data_stores:\n");
    let mut j = 0;
    while s.len() <= RELEASE_MIN {
        let _ = writeln!(s, "  - id: s{j:06}");
        let _ = writeln!(s, "    name: Store {j}");
        let _ = writeln!(s, "    kind: database");
        let _ = writeln!(s, "    holds: [{}, {}]", cats[j % 3], cats[(j + 1) % 3]);
        if j == 777 {
            s.push_str("    hosted_by: v999999\n");
        }
        let _ = writeln!(s, "    region: eu-west-1");
        let _ = writeln!(s, "    encrypted_at_rest: {}", j % 3 != 0);
        let _ = writeln!(s, "    records: {}", j * 31);
        let _ = writeln!(s, "    retention_days: 30");
        let _ = writeln!(s, "    last_access_review: 2026-0{}-03", j % 9 + 1);
        j += 1;
    }
    s.push_str(tail);
    std::fs::write(dir.join("vendors.yaml"), v).expect("write");
    std::fs::write(dir.join("data_stores.yaml"), s).expect("write");
}

fn policy() -> String {
    repo_root()
        .join("benches/bench.policy")
        .to_string_lossy()
        .into_owned()
}

fn run(dir: &Path, extra: &[&str]) -> (String, String, Option<i32>) {
    let out = custody()
        .current_dir(dir)
        .args([
            "check",
            "--policy",
            &policy(),
            "--inventory",
            "vendors.yaml",
        ])
        .args(["--inventory", "data_stores.yaml", "--as-of", "2026-11-24"])
        .args(extra)
        .output()
        .expect("run custody");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn reports_on_a_released_text_equal_those_on_a_kept_one() {
    let (released, kept) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    register(released.path(), "# end\n");
    register(kept.path(), "# énd\n");
    for extra in [
        &[][..],
        &["--format", "json"],
        &["--format", "sarif"],
        &["--format", "markdown"],
        &["--format", "json", "--output", "report.json"],
    ] {
        let a = run(released.path(), extra);
        let b = run(kept.path(), extra);
        assert_eq!(a.2, Some(2), "input errors: {}", a.1);
        assert_eq!(a, b, "{extra:?}");
    }
    let a = std::fs::read(released.path().join("report.json")).expect("report");
    let b = std::fs::read(kept.path().join("report.json")).expect("report");
    assert_eq!(a, b);
    // The snippets come from the file read again: the error's line is shown.
    let (_, stderr, _) = run(released.path(), &[]);
    assert!(stderr.contains("colour: blue"), "{stderr}");
    assert!(stderr.contains("hosted_by: v999999"), "{stderr}");
}

/// In the process: the text is let go after the load and a JSON report does not read it
/// again (it needs lines and columns only); the kept file's text stays.
#[test]
fn a_json_report_does_not_read_a_released_text_again() {
    for (tail, released) in [("# end\n", true), ("# énd\n", false)] {
        let tmp = tempfile::tempdir().expect("tmp");
        register(tmp.path(), tail);
        let as_of = date(2026, 11, 24);
        let options = Options {
            project: Settings {
                cwd: tmp.path().to_path_buf(),
                policies: vec![repo_root().join("benches/bench.policy")],
                inventory: vec![
                    tmp.path().join("vendors.yaml"),
                    tmp.path().join("data_stores.yaml"),
                ],
                as_of: Some(as_of),
                ..Settings::default()
            },
            defer_evidence: true,
            ..Options::default()
        };
        let r = report(&options, as_of);
        let mut out = Vec::new();
        json::write(&r, &mut out).expect("write");
        assert!(out.len() > 100_000);
        let files: Vec<_> = (0..r.project.sources.len() as u32)
            .map(custody::source::FileId)
            .filter(|&f| r.project.sources.name(f).ends_with(".yaml"))
            .collect();
        assert_eq!(files.len(), 2);
        for f in files {
            let file = r.project.sources.get(f);
            assert!(file.len() > RELEASE_MIN);
            assert_eq!(file.text_is_loaded(), !released, "{}", file.name);
        }
    }
}
