//! Sources, aggregates, reference identity, arithmetic and category exclusions (SPEC §7.4,
//! §7.7; docs/language.md), one behaviour per test, end to end through the real pipeline.

mod common;
use common::{AS_OF, failing_ids};

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Three hosts: `big` hosts three stores (one of them unencrypted), `small` one, `none` none;
/// `reader` reaches two stores it does not host.
const HOSTS: &str = "
vendors:
  - id: big
    accesses: [a, b]
  - id: none
  - id: reader
    accesses: [a, d]
  - id: small
data_stores:
  - id: a
    hosted_by: big
    holds: [personal.contact.email]
    records: 100
    encrypted_at_rest: true
  - id: b
    hosted_by: big
    holds: [personal.contact.address]
    records: 50
    encrypted_at_rest: false
  - id: c
    hosted_by: big
    holds: [system.logs]
    encrypted_at_rest: true
  - id: d
    hosted_by: small
    holds: [personal]
    records: 7
    encrypted_at_rest: true
";

#[test]
fn a_quantifier_over_every_entity_of_a_kind_with_reference_identity() {
    // Every store a vendor hosts is encrypted: `big` hosts `b`, which is not.
    assert_eq!(
        failing_ids(
            "for vendor v",
            "all data_store s where s.hosted_by == v: s.encrypted_at_rest",
            HOSTS,
            AS_OF
        ),
        ids(&["big"])
    );
    // `any` over a kind: vendors that host some store holding personal data.
    assert_eq!(
        failing_ids(
            "for vendor v",
            "no data_store s where s holds personal: s.hosted_by == v",
            HOSTS,
            AS_OF
        ),
        ids(&["big", "small"])
    );
    // `!=` between references is identity too: stores hosted by another vendor.
    assert_eq!(
        failing_ids(
            "for vendor v",
            "count(data_store s where s.hosted_by != v) == 4",
            HOSTS,
            AS_OF
        ),
        ids(&["big", "small"])
    );
}

#[test]
fn a_where_narrows_the_list_a_quantifier_ranges_over() {
    // Only stores with more than 60 records must be encrypted: `reader` reaches `a` (100,
    // encrypted) and `d` (7); `big` reaches `a` and `b` (50, unencrypted, left out).
    assert_eq!(
        failing_ids(
            "for vendor v",
            "all s in v.accesses where s.records > 60: s.encrypted_at_rest",
            HOSTS,
            AS_OF
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        failing_ids(
            "for vendor v",
            "all s in v.accesses where s.records > 10: s.encrypted_at_rest",
            HOSTS,
            AS_OF
        ),
        ids(&["big"])
    );
    // `any` over an empty selection fails, `all` and `no` hold.
    assert_eq!(
        failing_ids(
            "for vendor v where v.accesses is set",
            "any s in v.accesses where s.records > 1000: true",
            HOSTS,
            AS_OF
        ),
        ids(&["big", "reader"])
    );
}

#[test]
fn count_sum_min_and_max_over_sources_skip_missing_values() {
    // `c` has no `records`: skipped by sum, min and max, still counted.
    let cases: &[(&str, &[&str])] = &[
        ("count(data_store s where s.hosted_by == v) == 3", &["big"]),
        (
            "count(data_store s) == 4",
            &["big", "none", "reader", "small"],
        ),
        (
            "sum(data_store s where s.hosted_by == v: s.records) == 150",
            &["big"],
        ),
        (
            "min(data_store s where s.hosted_by == v: s.records) == 50",
            &["big"],
        ),
        (
            "max(data_store s where s.hosted_by == v: s.records) == 100",
            &["big"],
        ),
        ("sum(s in v.accesses: s.records) == 107", &["reader"]),
        // `sum` of nothing is 0 …
        ("sum(s in v.accesses: s.records) == 0", &["none", "small"]),
        // … `min` and `max` of nothing are missing, so every comparison is false.
        ("max(s in v.accesses: s.records) >= 0", &["big", "reader"]),
        (
            "min(s in v.accesses: s.records) is missing",
            &["none", "small"],
        ),
        // `d` declares the broad `personal`, which may include contacts (fail closed).
        (
            "count(s in v.accesses where s holds personal.contact) == 2",
            &["big", "reader"],
        ),
    ];
    for (test, selected) in cases {
        // The rule fails exactly the vendors for which the test is false.
        let mut expected: Vec<String> = ["big", "none", "reader", "small"]
            .iter()
            .filter(|v| !selected.contains(v))
            .map(|s| s.to_string())
            .collect();
        expected.sort();
        assert_eq!(
            failing_ids("for vendor v", test, HOSTS, AS_OF),
            expected,
            "{test}"
        );
    }
}

#[test]
fn concentration_of_stores_on_one_host_as_in_the_spec() {
    // SPEC §7.4: big hosts 3 of 4 stores (75%), small 1 (25%), the others none.
    assert_eq!(
        failing_ids(
            "for vendor v",
            "count(data_store s where s.hosted_by == v) * 100 / count(data_store s) <= 40",
            HOSTS,
            AS_OF
        ),
        ids(&["big"])
    );
}

#[test]
fn arithmetic_precedence_and_division_by_zero() {
    let inv = "vendors:\n  - id: v1\n    contract: {breach_notification_hours: 0}\n";
    let holds = |test: &str| failing_ids("for vendor v", test, inv, AS_OF).is_empty();
    assert!(holds("1 + 2 * 3 == 7"));
    assert!(holds("(1 + 2) * 3 == 9"));
    assert!(holds("10 - 2 - 3 == 5"));
    assert!(holds("12 / 4 / 3 == 1"));
    assert!(holds("2 * -3 == -6"));
    assert!(holds("7 / 2 == 3.5"));
    // Division by zero is missing: every comparison on it is false, `is missing` true.
    assert!(!holds("1 / v.contract.breach_notification_hours == 1"));
    assert!(!holds("1 / v.contract.breach_notification_hours != 1"));
    assert!(holds("1 / v.contract.breach_notification_hours is missing"));
    // A missing operand makes the result missing.
    assert!(holds("v.contract.breach_notification_hours * 2 + 1 == 1"));
    // Dates still take durations, and `x - 3` next to `x - 3 days`.
    assert!(holds("today - 1 year + 2 days == 2025-11-26"));
}

#[test]
fn plus_joins_lists() {
    let inv = "vendors:\n  - id: au\n    country: AU\n  - id: ch\n    country: CH\n  - id: us\n    country: US\n";
    assert_eq!(
        failing_ids(
            "for vendor v",
            "v.country in [\"AU\", \"NZ\"] + [\"CH\"]",
            inv,
            AS_OF
        ),
        ids(&["us"])
    );
    assert_eq!(
        failing_ids(
            "for vendor v",
            "count([\"a\"] + [] + [\"b\", \"c\"]) == 3",
            inv,
            AS_OF
        ),
        Vec::<String>::new()
    );
}

const PREFS: &str = "
vendors:
  - id: broad
    handles: [personal]
  - id: email
    handles: [personal.contact.email]
  - id: meal
    handles: [personal.preferences.meal]
  - id: prefs
    handles: [personal.preferences]
  - id: health
    handles: [personal.health]
  - id: logs
    handles: [system.logs]
";

#[test]
fn except_leaves_out_a_branch_but_keeps_broader_declarations() {
    // SPEC §7.7: matches `personal` (broad: may include others) and `personal.contact.email`,
    // never `personal.preferences.meal`.
    assert_eq!(
        failing_ids(
            "for vendor v where v handles personal except personal.preferences",
            "false",
            PREFS,
            AS_OF
        ),
        ids(&["broad", "email", "health"])
    );
    // Lists on both sides, and through a `let`.
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "let sensitive = [personal, system] except [personal.preferences, personal.health]\n\
             rule T-1 \"t\" {\n for vendor v where v handles sensitive\n require false\n}\n",
        ),
        ("inventory/v.yaml", PREFS),
    ]);
    let failing: Vec<String> = common::findings(&r).into_iter().map(|f| f.1).collect();
    assert_eq!(
        failing,
        ["vendor/broad", "vendor/email", "vendor/logs"],
        "{}",
        common::render(&r)
    );
}

#[test]
fn except_applies_to_holds_and_derived_handles() {
    let inv = "
vendors:
  - id: via-store
    accesses: [meals]
  - id: via-other
    accesses: [emails]
data_stores:
  - id: meals
    holds: [personal.preferences.meal]
  - id: emails
    holds: [personal.contact.email]
";
    assert_eq!(
        failing_ids(
            "for vendor v where v handles personal except personal.preferences",
            "false",
            inv,
            AS_OF
        ),
        ids(&["via-other"])
    );
    assert_eq!(
        failing_ids(
            "for data_store s where s holds personal except personal.preferences",
            "false",
            inv,
            AS_OF
        ),
        ids(&["emails"])
    );
}

#[test]
fn evidence_names_the_exclusion_and_the_filtered_source() {
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "rule T-1 \"t\" {\n for vendor v\n require v handles personal except personal.preferences\n}\n\
             rule T-2 \"u\" {\n for vendor v\n require any data_store s where s.hosted_by == v: s.encrypted_at_rest\n}\n",
        ),
        ("inventory/v.yaml", PREFS),
    ]);
    let meal = common::render(&r);
    assert!(
        meal.contains("does not handle personal (except personal.preferences)"),
        "{meal}"
    );
    assert!(
        meal.contains("the data_store register where s.hosted_by == v is empty"),
        "{meal}"
    );
}

#[test]
fn links_are_read_in_filtered_sources_and_aggregates() {
    let inv = "
vendors:
  - id: writer
    accesses:
      - {id: a, access: write}
      - b
  - id: reader
    accesses:
      - {id: a, access: read}
      - {id: b, access: read}
data_stores:
  - id: a
    records: 10
    encrypted_at_rest: true
  - id: b
    records: 5
    encrypted_at_rest: false
";
    assert_eq!(
        failing_ids(
            "for vendor v",
            "count(s in v.accesses where s.link.access == \"write\") == 0",
            inv,
            AS_OF
        ),
        ids(&["writer"])
    );
    assert_eq!(
        failing_ids(
            "for vendor v",
            "sum(s in v.accesses where s.link.access == \"read\": s.records) == 15",
            inv,
            AS_OF
        ),
        ids(&["writer"])
    );
    // `b` is reached by `writer` through the short form: its link is missing.
    assert_eq!(
        failing_ids(
            "for vendor v",
            "all s in v.accesses where s.link.access is set: s.encrypted_at_rest",
            inv,
            AS_OF
        ),
        ids(&["reader"])
    );
    // Reverse lists too: the stores some vendor writes to.
    assert_eq!(
        failing_ids(
            "for data_store s",
            "count(u in s.accessed_by where u.link.access == \"write\") == 0",
            inv,
            AS_OF
        ),
        ids(&["a"])
    );
}

#[test]
fn a_join_on_a_reference_gives_what_a_scan_gives() {
    // `s.hosted_by == v` over every store is answered from an index of `hosted_by`; the
    // same question asked through ids scans every store. They must agree, whichever side
    // the reference is on and whatever else the `where` asks.
    let joined = [
        "count(data_store s where s.hosted_by == v)",
        "count(data_store s where v == s.hosted_by)",
        "count(data_store s where s holds personal and s.hosted_by == v)",
        "sum(data_store s where s.hosted_by == v and s.records > 10: s.records)",
    ];
    let scanned = [
        "count(data_store s where s.hosted_by.id == v.id)",
        "count(data_store s where v.id == s.hosted_by.id)",
        "count(data_store s where s holds personal and s.hosted_by.id == v.id)",
        "sum(data_store s where s.hosted_by.id == v.id and s.records > 10: s.records)",
    ];
    for (j, s) in joined.iter().zip(scanned) {
        for n in 0..5 {
            let test = |e: &str| failing_ids("for vendor v", &format!("{e} == {n}"), HOSTS, AS_OF);
            assert_eq!(test(j), test(s), "{j} == {n}");
        }
    }
    // Inside a quantifier over another source, the target is the outer element.
    assert_eq!(
        failing_ids(
            "for vendor v",
            "all s in v.accesses: count(data_store t where t.hosted_by == s.hosted_by) >= 3",
            HOSTS,
            AS_OF
        ),
        ids(&["reader"])
    );
}
