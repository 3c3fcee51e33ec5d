//! `--format json` renders findings in parallel chunks (`report::json::write`); its bytes
//! must equal those of one serde_json pass over the whole document (`write_serial`), with
//! deferred and with full evidence, for any chunking and any number of threads.

mod common;

use custody::cmd::check::{Options, report};
use custody::project::Settings;
use custody::report::{Report, json};
use jiff::civil::date;
use std::fmt::Write as _;
use std::path::Path;

/// A register of `n` vendors and `2n` stores in the benchmark's shape (a deterministic
/// pseudo-random mix), with names that need escaping, the eight benchmark rules and two
/// with messages, remediation, references and tags, waivers (live, expired, unmatched,
/// naming unknown entities and rules: warnings) and entities with unknown fields (errors).
fn project(dir: &Path, n: usize) {
    let mut seed: u64 = 648;
    let mut next = move |m: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % m
    };
    let cats = [
        "personal.contact.address",
        "personal.loyalty",
        "personal.financial.payment_card",
        "personal.identity.name",
        "credentials.password",
    ];
    let tiers = ["critical", "high", "medium", "low"];
    let mut v = String::from("vendors:\n");
    for i in 0..n {
        let _ = writeln!(v, "  - id: v{i:05}");
        let name = match i % 4 {
            0 => format!("\"Vendor {i} \\\"Quoted\\\" \\t Ltd\""),
            1 => format!("Vendör {i} — Ünïcode"),
            2 => format!("'Vendor {i} \\ back\\slash'"),
            _ => format!("Vendor {i}"),
        };
        let _ = writeln!(v, "    name: {name}");
        if i % 5 != 0 {
            let _ = writeln!(v, "    owner: owner{}@example.com", i % 7);
        }
        let _ = writeln!(v, "    tier: {}", tiers[next(4)]);
        let _ = writeln!(
            v,
            "    handles: [{}, {}]",
            cats[next(cats.len())],
            cats[next(cats.len())]
        );
        let _ = writeln!(
            v,
            "    accesses: [s{:05}, s{:05}]",
            next(2 * n),
            next(2 * n)
        );
        if i > 0 {
            let _ = writeln!(v, "    subprocessors: [v{:05}]", next(i));
        }
        if next(3) > 0 {
            let _ = writeln!(
                v,
                "    last_audit: 202{}-0{}-1{}",
                4 + next(3),
                1 + next(9),
                next(9)
            );
        }
        if next(2) == 0 {
            let _ = writeln!(v, "    certifications: [soc2-type2]");
        }
        let _ = writeln!(v, "    mfa_enforced: {}", next(2) == 0);
        if next(7) == 0 {
            let _ = writeln!(v, "    offboarded: 2025-01-01");
        }
        let _ = writeln!(
            v,
            "    contract:\n      dpa_signed: {}\n      breach_notification_hours: {}",
            next(2) == 0,
            [24, 72, 96][next(3)]
        );
        if i % 97 == 3 {
            let _ = writeln!(v, "    colour: blue");
        }
    }
    // A duplicate id: an error with a related place (the first definition).
    v.push_str("  - id: v00000\n    name: Again\n");
    let mut s = String::from("data_stores:\n");
    for i in 0..2 * n {
        let _ = writeln!(s, "  - id: s{i:05}\n    name: Store {i}");
        let _ = writeln!(s, "    holds: [{}]", cats[next(cats.len())]);
        if next(2) == 0 {
            let _ = writeln!(s, "    hosted_by: v{:05}", next(n));
        }
        let _ = writeln!(s, "    encrypted_at_rest: {}", next(2) == 0);
        let _ = writeln!(s, "    records: {}", next(3_000_000));
        if next(4) > 0 {
            let _ = writeln!(s, "    last_access_review: 2026-0{}-01", 1 + next(9));
        }
    }
    let mut policy = std::fs::read_to_string(common::repo_root().join("benches/bench.policy"))
        .expect("bench policy");
    policy.push_str(
        "rule M1 \"Vendors with a tier have an owner and MFA\" {\n  severity high\n  references \"APP 11.1\", \"SOC 2 CC6.1\"\n  tags \"access\", \"mfa\"\n  for vendor v where v.tier is set\n  require v.owner is set\n  require v.mfa_enforced\n  message \"{v.name} (tier {v.tier}) needs an owner and MFA\"\n  remediation \"Name an owner; turn on MFA.\"\n}\n",
    );
    let mut w = String::from("waivers:\n");
    for i in (0..n).step_by(3) {
        let expires = if i % 2 == 0 {
            "2027-01-01"
        } else {
            "2026-01-01"
        };
        let rule = ["B4", "B5", "M1", "B1"][i % 4];
        let _ = writeln!(
            w,
            "  - rule: {rule}\n    entity: vendor/v{i:05}\n    reason: \"accepted: \\\"risk\\\" {i}\\nsecond line\"\n    approved_by: ciso@example.com\n    expires: {expires}"
        );
    }
    w.push_str("  - rule: B4\n    entity: vendor/nobody\n    reason: r\n    approved_by: a\n    expires: 2027-01-01\n");
    w.push_str("  - rule: NOPE\n    entity: vendor/v00001\n    reason: r\n    approved_by: a\n    expires: 2027-01-01\n");
    for (name, text) in [
        ("vendors.yaml", v),
        ("data_stores.yaml", s),
        ("r.policy", policy),
        ("w.yaml", w),
    ] {
        std::fs::write(dir.join(name), text).expect("write");
    }
}

fn load(dir: &Path, defer_evidence: bool) -> Report {
    let as_of = date(2026, 11, 24);
    let options = Options {
        project: Settings {
            cwd: dir.to_path_buf(),
            policies: vec![dir.join("r.policy")],
            inventory: vec![dir.join("vendors.yaml"), dir.join("data_stores.yaml")],
            waivers: Some(dir.join("w.yaml")),
            as_of: Some(as_of),
            ..Settings::default()
        },
        defer_evidence,
        ..Options::default()
    };
    report(&options, as_of)
}

fn serial(r: &Report) -> Vec<u8> {
    let mut out = Vec::new();
    json::write_serial(r, &mut out).expect("write");
    out
}

fn chunked(r: &Report, chunk: usize, window: usize) -> Vec<u8> {
    let mut out = Vec::new();
    json::write_chunked(r, &mut out, chunk, window).expect("write");
    out
}

fn on_threads<T: Send>(n: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("pool")
        .install(f)
}

#[test]
fn the_parallel_writer_prints_the_serial_writers_bytes() {
    let tmp = tempfile::tempdir().expect("tmp");
    project(tmp.path(), 600);
    let full = load(tmp.path(), false);
    let thin = load(tmp.path(), true);
    // The data has what the document can hold.
    assert!(full.findings.len() > 1000, "{}", full.findings.len());
    assert!(thin.findings.iter().any(custody::eval::Finding::is_thin));
    assert!(!full.findings.iter().any(custody::eval::Finding::is_thin));
    let diags = &full.project.diags;
    assert!(diags.iter().any(|d| d.is_error()), "errors");
    assert!(diags.iter().any(|d| !d.is_error()), "warnings");
    let expected = serial(&full);
    let text = String::from_utf8_lossy(&expected);
    for needle in [
        "\"status\": \"waived\"",
        "\"state\": \"expired\"",
        "\"kind\": \"selected\"",
        "\"kind\": \"failed\"",
        "\\\"Quoted\\\" \\t",
        "Vendör",
        "\"remediation\":",
        "\"tags\": [",
        "\"related\": [",
    ] {
        assert!(text.contains(needle), "the reference has {needle}");
    }
    // Deferred evidence gives the same document as full findings.
    assert!(
        serial(&thin) == expected,
        "deferred and full evidence differ"
    );
    for r in [&full, &thin] {
        assert!(json::render(r).as_bytes() == expected.as_slice());
        for (chunk, window) in [(1, 1), (2, 3), (7, 5), (64, 64), (10_000, 1)] {
            for threads in [1, 2] {
                let got = on_threads(threads, || chunked(r, chunk, window));
                assert!(
                    got == expected,
                    "chunk {chunk}, window {window}, {threads} threads: differs at byte {}",
                    got.iter()
                        .zip(&expected)
                        .position(|(a, b)| a != b)
                        .unwrap_or(got.len().min(expected.len()))
                );
            }
        }
    }
}

#[test]
fn an_empty_report_is_written_as_the_serial_writer_writes_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let p = tmp.path();
    std::fs::write(
        p.join("r.policy"),
        "rule E-1 \"e\" {\n for vendor v\n require true\n}\n",
    )
    .expect("w");
    std::fs::write(p.join("vendors.yaml"), "vendors: []\n").expect("w");
    std::fs::write(p.join("data_stores.yaml"), "data_stores: []\n").expect("w");
    std::fs::write(p.join("w.yaml"), "waivers: []\n").expect("w");
    for defer in [false, true] {
        let r = load(p, defer);
        assert!(r.findings.is_empty() && r.project.diags.is_empty());
        let expected = serial(&r);
        assert!(String::from_utf8_lossy(&expected).contains("\"findings\": [],\n"));
        assert!(chunked(&r, 1, 1) == expected);
        assert!(json::render(&r).as_bytes() == expected.as_slice());
    }
}
