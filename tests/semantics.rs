//! The language's semantics (docs/language.md; categories: docs/inventory.md), one behaviour
//! per test, end to end through the real pipeline: parse, check, load, evaluate.

mod common;
use common::{AS_OF, failing_ids};

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const TAXONOMY_INV: &str = "
vendors:
  - id: exact
    handles: [personal.contact.address]
  - id: broader
    handles: [personal]
  - id: middle
    handles: [personal.contact]
  - id: sibling
    handles: [personal.contact.email]
  - id: unrelated
    handles: [system.logs]
  - id: nothing
";

#[test]
fn overlap_matches_equal_narrower_and_broader_but_not_siblings() {
    // A rule that fails every vendor it selects shows which were selected.
    let sel = failing_ids(
        "for vendor v where v handles personal.contact.address",
        "false",
        TAXONOMY_INV,
        AS_OF,
    );
    assert_eq!(sel, ids(&["broader", "exact", "middle"]));
    let sel = failing_ids(
        "for vendor v where v handles personal",
        "false",
        TAXONOMY_INV,
        AS_OF,
    );
    assert_eq!(sel, ids(&["broader", "exact", "middle", "sibling"]));
    let sel = failing_ids(
        "for vendor v where v handles [system, personal.contact.email]",
        "false",
        TAXONOMY_INV,
        AS_OF,
    );
    assert_eq!(sel, ids(&["broader", "middle", "sibling", "unrelated"]));
}

#[test]
fn overlap_case_is_named_in_the_evidence() {
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "rule T-1 \"t\" {\n for vendor v where v handles personal.contact.address\n require false\n}\n",
        ),
        ("inventory/v.yaml", TAXONOMY_INV),
    ]);
    let broad = common::evidence(&r, "broader").join("\n");
    assert!(
        broad.contains(
            "declares the broader personal (may include personal.contact.address) in its handles"
        ),
        "{broad}"
    );
    let exact = common::evidence(&r, "exact").join("\n");
    assert!(
        exact.contains("declares personal.contact.address in its handles"),
        "{exact}"
    );
    let middle = common::evidence(&r, "middle").join("\n");
    assert!(
        middle.contains(
            "declares the broader personal.contact (may include personal.contact.address)"
        ),
        "{middle}"
    );
}

const DERIVED_INV: &str = "
vendors:
  - id: via-access
    accesses: [crm]
  - id: via-host
  - id: plain
data_stores:
  - id: crm
    holds: [personal.contact.address]
  - id: hosted
    holds: [personal.loyalty.member_number]
    hosted_by: via-host
";

#[test]
fn handles_is_derived_through_accessed_and_hosted_stores() {
    let sel = failing_ids(
        "for vendor v where v handles personal.contact.address",
        "false",
        DERIVED_INV,
        AS_OF,
    );
    assert_eq!(sel, ids(&["via-access"]));
    let sel = failing_ids(
        "for vendor v where v handles personal.loyalty",
        "false",
        DERIVED_INV,
        AS_OF,
    );
    assert_eq!(sel, ids(&["via-host"]));
    // Stores `hold`, they do not `handle`.
    let sel = failing_ids(
        "for data_store s where s holds personal",
        "false",
        DERIVED_INV,
        AS_OF,
    );
    assert_eq!(sel, ids(&["crm", "hosted"]));
}

#[test]
fn derived_handles_evidence_names_the_store_and_its_file() {
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "rule T-1 \"t\" {\n for vendor v where v handles personal.contact.address\n require false\n}\n",
        ),
        ("inventory/inv.yaml", DERIVED_INV),
    ]);
    let f = &r.findings[0];
    let fact = &f.selected()[0];
    assert_eq!(
        fact.text,
        "accesses data store crm, which holds personal.contact.address"
    );
    let loc = fact.loc.expect("location");
    assert_eq!(r.project.sources.display(loc), "inventory/inv.yaml:9:13");
}

const CHAIN_INV: &str = "
vendors:
  - id: a
    tier: critical
    subprocessors: [b]
    last_audit: 2026-01-01
  - id: b
    subprocessors: [c]
    last_audit: 2026-01-01
  - id: c
    subprocessors: [a, d]
    last_audit: 2026-01-01
  - id: d
    last_audit: 2020-01-01
  - id: lonely
    tier: critical
";

#[test]
fn supply_chain_is_a_cycle_safe_transitive_closure_excluding_the_vendor() {
    // a → b → c → {a, d}: a's chain is b, c, d (not a itself), and it terminates.
    let fails = failing_ids(
        "for vendor v where v.id == \"a\"",
        "count(v.supply_chain) == 3",
        CHAIN_INV,
        AS_OF,
    );
    assert!(fails.is_empty(), "{fails:?}");
    let fails = failing_ids(
        "for vendor v",
        "not (any p in v.supply_chain: p.id == v.id)",
        CHAIN_INV,
        AS_OF,
    );
    assert!(
        fails.is_empty(),
        "no vendor is in its own supply chain: {fails:?}"
    );
    // d (audited 2020) is a fourth party of a, b and c.
    let fails = failing_ids(
        "for vendor v",
        "all p in v.supply_chain: p.last_audit within 24 months",
        CHAIN_INV,
        AS_OF,
    );
    assert_eq!(fails, ids(&["a", "b", "c"]));
    // An empty supply chain: `all` holds, `any` fails.
    let fails = failing_ids(
        "for vendor v where v.id == \"lonely\"",
        "any p in v.supply_chain: true",
        CHAIN_INV,
        AS_OF,
    );
    assert_eq!(fails, ids(&["lonely"]));
}

fn audit_inv(dates: &[(&str, &str)]) -> String {
    let mut s = String::from("vendors:\n");
    for (id, d) in dates {
        s.push_str(&format!("  - id: {id}\n    last_audit: {d}\n"));
    }
    s
}

#[test]
fn month_arithmetic_clamps_to_the_end_of_the_month() {
    // As of 2026-03-31, one month back is 2026-02-28 (clamped), inclusive.
    let inv = audit_inv(&[
        ("feb27", "2026-02-27"),
        ("feb28", "2026-02-28"),
        ("mar31", "2026-03-31"),
        ("apr01", "2026-04-01"),
    ]);
    let fails = failing_ids(
        "for vendor v",
        "v.last_audit within 1 month",
        &inv,
        "2026-03-31",
    );
    assert_eq!(
        fails,
        ids(&["apr01", "feb27"]),
        "future dates are not within; the clamped bound is inclusive"
    );
    let fails = failing_ids(
        "for vendor v",
        "v.last_audit older than 1 month",
        &inv,
        "2026-03-31",
    );
    assert_eq!(fails, ids(&["apr01", "feb28", "mar31"]));
    let fails = failing_ids(
        "for vendor v",
        "v.last_audit >= today - 1 month",
        &inv,
        "2026-03-31",
    );
    assert_eq!(fails, ids(&["feb27"]));
}

#[test]
fn leap_day_arithmetic() {
    // As of 2028-02-29, one year back is 2027-02-28; 2024-02-29 + 4 years is 2028-02-29.
    let inv = audit_inv(&[
        ("y27feb27", "2027-02-27"),
        ("y27feb28", "2027-02-28"),
        ("leap", "2024-02-29"),
    ]);
    let fails = failing_ids(
        "for vendor v",
        "v.last_audit within 1 year",
        &inv,
        "2028-02-29",
    );
    assert_eq!(fails, ids(&["leap", "y27feb27"]));
    let fails = failing_ids(
        "for vendor v where v.id == \"leap\"",
        "v.last_audit + 4 years == today",
        &inv,
        "2028-02-29",
    );
    assert!(fails.is_empty());
    let fails = failing_ids(
        "for vendor v where v.id == \"leap\"",
        "v.last_audit + 1 year == 2025-02-28",
        &inv,
        "2028-02-29",
    );
    assert!(fails.is_empty(), "2024-02-29 + 1 year clamps to 2025-02-28");
}

#[test]
fn weeks_and_days_and_before_after_are_strict() {
    let inv = audit_inv(&[("d", "2026-11-10"), ("e", "2026-11-09")]);
    let fails = failing_ids("for vendor v", "v.last_audit within 2 weeks", &inv, AS_OF);
    assert_eq!(fails, ids(&["e"]));
    let fails = failing_ids("for vendor v", "v.last_audit after 2026-11-09", &inv, AS_OF);
    assert_eq!(fails, ids(&["e"]));
    let fails = failing_ids(
        "for vendor v",
        "v.last_audit before 2026-11-10",
        &inv,
        AS_OF,
    );
    assert_eq!(fails, ids(&["d"]));
}

const MISSING_INV: &str = "
vendors:
  - id: set
    mfa_enforced: true
    tier: high
    last_audit: 2026-10-01
    country: AU
  - id: missing
  - id: nulls
    mfa_enforced: null
    tier: ~
";

#[test]
fn missing_values_make_every_test_false() {
    for req in [
        "v.last_audit within 12 months",
        "v.last_audit older than 0 days or v.last_audit within 100 years",
        "v.tier == \"high\"",
        "v.tier != \"low\"",
        "v.country in [\"AU\"]",
        "v.country not in [\"NZ\"]",
        "v.mfa_enforced",
        "v.country matches \"A\"",
        "v.country contains \"A\"",
        "v.last_audit before 2030-01-01",
    ] {
        let fails = failing_ids("for vendor v", req, MISSING_INV, AS_OF);
        assert_eq!(fails, ids(&["missing", "nulls"]), "require {req}");
    }
}

#[test]
fn not_negates_a_missing_test_and_is_set_is_not_missing() {
    let fails = failing_ids("for vendor v", "not v.mfa_enforced", MISSING_INV, AS_OF);
    assert_eq!(fails, ids(&["set"]));
    let fails = failing_ids("for vendor v", "v.tier is set", MISSING_INV, AS_OF);
    assert_eq!(fails, ids(&["missing", "nulls"]), "null counts as missing");
    let fails = failing_ids("for vendor v", "v.tier is missing", MISSING_INV, AS_OF);
    assert_eq!(fails, ids(&["set"]));
}

#[test]
fn missing_reason_names_the_first_missing_step() {
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "rule T-1 \"t\" {\n for data_store s\n require s.hosted_by.tier == \"high\"\n}\nrule T-2 \"u\" {\n for vendor v\n require v.last_audit within 12 months\n}\n",
        ),
        (
            "inventory/inv.yaml",
            "vendors:\n  - id: v1\ndata_stores:\n  - id: s1\n",
        ),
    ]);
    assert_eq!(
        common::evidence(&r, "s1"),
        vec!["hosted_by is missing".to_string()]
    );
    assert_eq!(
        common::evidence(&r, "v1"),
        vec!["last_audit is missing".to_string()]
    );
    assert_eq!(r.findings[1].message(), "u: last_audit is missing");
}

const LIST_INV: &str = "
vendors:
  - id: absent
  - id: empty
    certifications: []
  - id: full
    certifications: [iso27001, pci-dss]
";

#[test]
fn absent_lists_behave_as_empty_except_is_missing() {
    let check = |req: &str| failing_ids("for vendor v", req, LIST_INV, AS_OF);
    assert_eq!(check("count(v.certifications) == 0"), ids(&["full"]));
    assert_eq!(
        check("all c in v.certifications: c == \"pci-dss\""),
        ids(&["full"])
    );
    assert_eq!(
        check("no c in v.certifications: c == \"pci-dss\""),
        ids(&["full"])
    );
    assert_eq!(
        check("any c in v.certifications: true"),
        ids(&["absent", "empty"])
    );
    assert_eq!(
        check("v.certifications contains \"pci-dss\""),
        ids(&["absent", "empty"])
    );
    assert_eq!(check("v.certifications is empty"), ids(&["full"]));
    assert_eq!(
        check("v.certifications is missing"),
        ids(&["empty", "full"])
    );
    assert_eq!(
        check("\"pci-dss\" in v.certifications"),
        ids(&["absent", "empty"])
    );
}

#[test]
fn precedence_not_binds_looser_than_comparison_and_and_tighter_than_or() {
    let inv = "vendors:\n  - id: a\n    tier: high\n    mfa_enforced: false\n  - id: b\n    tier: low\n    mfa_enforced: true\n";
    // `not v.tier == "high"` is `not (v.tier == "high")`.
    assert_eq!(
        failing_ids("for vendor v", "not v.tier == \"high\"", inv, AS_OF),
        ids(&["a"])
    );
    // `or` is loosest: true or (false and …).
    assert_eq!(
        failing_ids(
            "for vendor v",
            "v.tier == \"high\" or v.mfa_enforced and false",
            inv,
            AS_OF
        ),
        ids(&["b"])
    );
    // A quantifier body extends to the end: `any … : A and B`.
    let inv2 = "vendors:\n  - id: a\n    certifications: [x, y]\n";
    assert_eq!(
        failing_ids(
            "for vendor v",
            "any c in v.certifications: c == \"x\" and c == \"y\"",
            inv2,
            AS_OF
        ),
        ids(&["a"])
    );
    assert!(
        failing_ids(
            "for vendor v",
            "(any c in v.certifications: c == \"x\") and (any c in v.certifications: c == \"y\")",
            inv2,
            AS_OF
        )
        .is_empty()
    );
}

#[test]
fn let_names_categories_lists_and_values() {
    let policy = "let allowed = [\"AU\", \"NZ\"]\nlet addr = personal.contact.address\nlet limit = 72\nrule T-1 \"t\" {\n for vendor v where v handles addr\n require v.country in allowed\n require v.contract.breach_notification_hours <= limit\n}\n";
    let inv = "vendors:\n  - id: ok\n    handles: [personal.contact.address]\n    country: AU\n    contract: {breach_notification_hours: 72}\n  - id: bad\n    handles: [personal.contact]\n    country: US\n    contract: {breach_notification_hours: 96}\n  - id: other\n    country: US\n";
    let (_d, r) = common::run_files(&[("rules.policy", policy), ("inventory/inv.yaml", inv)]);
    assert_eq!(
        common::findings(&r),
        vec![("T-1".into(), "vendor/bad".into(), "fail".into())]
    );
    assert_eq!(
        r.findings[0].failed.len(),
        2,
        "evidence lists every failed require"
    );
}

#[test]
fn numbers_compare_numerically_and_count_and_reference_navigation_work() {
    let inv = "
vendors:
  - id: big
    tier: low
    accesses: [s1, s2]
data_stores:
  - id: s1
    records: 1000001
    hosted_by: big
  - id: s2
    records: 9
";
    assert_eq!(
        failing_ids(
            "for vendor v",
            "any s in v.accesses: s.records > 1000000",
            inv,
            AS_OF
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        failing_ids("for vendor v", "count(v.accesses) == 1", inv, AS_OF),
        ids(&["big"])
    );
    assert_eq!(
        failing_ids(
            "for data_store s where s.hosted_by is set",
            "s.hosted_by.tier != \"low\"",
            inv,
            AS_OF
        ),
        ids(&["s1"])
    );
    assert_eq!(
        failing_ids("for data_store s", "s.records >= 10", inv, AS_OF),
        ids(&["s2"])
    );
}

#[test]
fn matches_is_an_unanchored_case_sensitive_search() {
    let inv = "vendors:\n  - id: a\n    owner: Alice@Example.com\n  - id: b\n    owner: bob@example.com\n";
    assert_eq!(
        failing_ids(
            "for vendor v",
            "v.owner matches \"example\\\\.com$\"",
            inv,
            AS_OF
        ),
        ids(&["a"])
    );
    assert_eq!(
        failing_ids("for vendor v", "v.owner contains \"Example\"", inv, AS_OF),
        ids(&["b"])
    );
}

#[test]
fn date_window_reason_spells_out_the_arithmetic() {
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "rule T-1 \"t\" {\n for vendor v\n require v.last_audit within 12 months\n}\n",
        ),
        (
            "inventory/inv.yaml",
            "vendors:\n  - id: old\n    last_audit: 2024-03-01\n",
        ),
    ]);
    assert_eq!(
        common::evidence(&r, "old"),
        vec![
            "last_audit 2024-03-01 is 998 days before 2026-11-24; the limit is 12 months"
                .to_string()
        ]
    );
}

fn expiry_inv(dates: &[(&str, &str)]) -> String {
    let mut s = String::from("vendors:\n  - id: missing\n");
    for (id, d) in dates {
        s.push_str(&format!("  - id: {id}\n    contract: {{expires: {d}}}\n"));
    }
    s
}

#[test]
fn within_next_is_inclusive_at_both_ends_and_clamps_month_ends() {
    // As of 2026-01-31, one month ahead is 2026-02-28 (clamped); both ends are in.
    let inv = expiry_inv(&[
        ("jan30", "2026-01-30"),
        ("jan31", "2026-01-31"),
        ("feb28", "2026-02-28"),
        ("mar01", "2026-03-01"),
    ]);
    let fails = failing_ids(
        "for vendor v",
        "v.contract.expires within next 1 month",
        &inv,
        "2026-01-31",
    );
    assert_eq!(
        fails,
        ids(&["jan30", "mar01", "missing"]),
        "past dates are not within next; the clamped bound is inclusive; missing is false"
    );
    // Days, weeks and years the same way; as of 2028-02-29 one year ahead is 2029-02-28.
    let inv = expiry_inv(&[
        ("d7", "2026-12-01"),
        ("d8", "2026-12-02"),
        ("y29feb28", "2029-02-28"),
        ("y29mar01", "2029-03-01"),
    ]);
    let fails = failing_ids(
        "for vendor v",
        "v.contract.expires within next 1 week",
        &inv,
        AS_OF,
    );
    assert_eq!(fails, ids(&["d8", "missing", "y29feb28", "y29mar01"]));
    let fails = failing_ids(
        "for vendor v",
        "v.contract.expires within next 1 year",
        &inv,
        "2028-02-29",
    );
    assert_eq!(fails, ids(&["d7", "d8", "missing", "y29mar01"]));
}

#[test]
fn within_last_is_v1_within() {
    let inv = audit_inv(&[
        ("feb27", "2026-02-27"),
        ("feb28", "2026-02-28"),
        ("mar31", "2026-03-31"),
        ("apr01", "2026-04-01"),
    ]);
    for req in [
        "v.last_audit within last 1 month",
        "v.last_audit within 1 month",
    ] {
        let fails = failing_ids("for vendor v", req, &inv, "2026-03-31");
        assert_eq!(fails, ids(&["apr01", "feb27"]), "{req}");
    }
    // `last` and `next` are only words after `within`: a variable may be called `next`.
    let inv = "vendors:\n  - {id: a, subprocessors: [b]}\n  - {id: b, last_audit: 2026-11-25}\n  - {id: c, subprocessors: [a], last_audit: 2026-11-26}\n";
    let fails = failing_ids(
        "for vendor v where v.subprocessors is set",
        "all next in v.subprocessors: next.last_audit within next 1 day",
        inv,
        AS_OF,
    );
    assert_eq!(fails, ids(&["c"]), "as of {AS_OF}");
}

#[test]
fn days_since_and_days_until_count_calendar_days() {
    let inv = "
vendors:
  - id: year
    last_audit: 2025-11-24
    contract: {expires: 2026-12-24}
  - id: leap
    last_audit: 2024-02-29
    contract: {expires: 2026-11-23}
  - id: today
    last_audit: 2026-11-24
    contract: {expires: 2026-11-24}
  - id: missing
";
    let check = |req: &str, want: &[&str]| {
        assert_eq!(
            failing_ids("for vendor v", req, inv, AS_OF),
            ids(want),
            "{req}"
        );
    };
    check(
        "days_since(v.last_audit) == 365",
        &["leap", "missing", "today"],
    );
    check(
        "days_until(v.contract.expires) == 30",
        &["leap", "missing", "today"],
    );
    check(
        "days_since(v.last_audit) == 999",
        &["missing", "today", "year"],
    );
    // A past date is a negative number of days until it, and the reverse.
    check(
        "days_until(v.contract.expires) < 0",
        &["missing", "today", "year"],
    );
    check(
        "days_since(v.contract.expires) == 1",
        &["missing", "today", "year"],
    );
    check(
        "days_since(v.last_audit) == 0",
        &["leap", "missing", "year"],
    );
    // Missing is missing: every comparison on it is false.
    check(
        "days_since(v.last_audit) >= 0 or days_since(v.last_audit) < 0",
        &["missing"],
    );
    check("days_until(today + 1 month) == 30", &[]);
}

#[test]
fn days_since_reads_in_evidence_and_message_templates_as_a_whole_number() {
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "rule T-1 \"t\" {\n for vendor v\n message \"{v.id}: audited {days_since(v.last_audit)} days ago, {days_until(v.contract.expires)} days left\"\n require days_since(v.last_audit) <= 365\n require v.contract.expires within next 30 days\n}\n",
        ),
        (
            "inventory/inv.yaml",
            "vendors:\n  - id: old\n    last_audit: 2024-03-01\n    contract: {expires: 2027-01-10}\n  - id: none\n",
        ),
    ]);
    let messages: Vec<(String, String, String)> = common::findings(&r);
    let msg = |id: &str| {
        r.findings
            .iter()
            .find(|f| &*r.project.inventory.get(f.entity).id == id)
            .map(|f| f.message().to_owned())
    };
    assert_eq!(
        msg("old").as_deref(),
        Some("old: audited 998 days ago, 47 days left")
    );
    assert_eq!(
        msg("none").as_deref(),
        Some("none: audited (missing) days ago, (missing) days left"),
        "{messages:?}"
    );
    assert_eq!(
        common::evidence(&r, "old"),
        vec![
            "days_since(v.last_audit) is 998; the rule requires <= 365".to_string(),
            "contract.expires 2027-01-10 is 47 days after 2026-11-24; the limit is the next 30 days (by 2026-12-24)"
                .to_string(),
        ]
    );
}

#[test]
fn within_next_evidence_says_how_far_ahead_and_the_bound() {
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "rule T-1 \"t\" {\n for vendor v where v.contract.expires within next 60 days\n require v.contract.expires within next 1 day\n}\n",
        ),
        (
            "inventory/inv.yaml",
            "vendors:\n  - id: soon\n    contract: {expires: 2027-01-10}\n",
        ),
    ]);
    assert_eq!(
        common::evidence(&r, "soon"),
        vec![
            "contract.expires 2027-01-10 is 47 days after 2026-11-24, within the next 60 days (by 2027-01-23)"
                .to_string(),
            "contract.expires 2027-01-10 is 47 days after 2026-11-24; the limit is the next 1 day (by 2026-11-25)"
                .to_string(),
        ]
    );
    let past = failing_ids(
        "for vendor v",
        "v.contract.expires within next 1 day",
        "vendors:\n  - id: gone\n    contract: {expires: 2026-11-20}\n",
        AS_OF,
    );
    assert_eq!(past, ids(&["gone"]));
}

const TIER_INV: &str = "
vendors:
  - {id: low, tier: low, subprocessors: [high]}
  - {id: medium, tier: medium, subprocessors: [low]}
  - {id: high, tier: high, subprocessors: [critical]}
  - {id: critical, tier: critical, subprocessors: [medium, low]}
  - {id: missing, subprocessors: [low]}
";

#[test]
fn ordered_enums_compare_by_their_order_and_missing_is_false() {
    let check = |req: &str, want: &[&str]| {
        assert_eq!(
            failing_ids("for vendor v", req, TIER_INV, AS_OF),
            ids(want),
            "{req}"
        );
    };
    check("v.tier >= \"high\"", &["low", "medium", "missing"]);
    check("v.tier > \"high\"", &["high", "low", "medium", "missing"]);
    check(
        "v.tier < \"medium\"",
        &["critical", "high", "medium", "missing"],
    );
    check(
        "v.tier <= \"low\"",
        &["critical", "high", "medium", "missing"],
    );
    check(
        "v.tier > \"critical\"",
        &["critical", "high", "low", "medium", "missing"],
    );
    // The constant may be on the left, or a `let`.
    check("\"medium\" <= v.tier", &["low", "missing"]);
    // Two fields of the same ordered enum: the subprocessors are no more critical than v.
    check(
        "all p in v.subprocessors: p.tier <= v.tier",
        &["high", "low", "missing"],
    );
    // `==` is as before.
    check(
        "v.tier == \"critical\"",
        &["high", "low", "medium", "missing"],
    );
    // `not` negates the missing test's false, as everywhere.
    check("not v.tier < \"high\"", &["low", "medium"]);
}

#[test]
fn ordered_enum_comparison_with_a_let() {
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "let floor = \"high\"\nrule T-1 \"t\" {\n for vendor v\n require v.tier >= floor\n}\n",
        ),
        ("inventory/inv.yaml", TIER_INV),
    ]);
    let failing: Vec<String> = r
        .findings
        .iter()
        .map(|f| r.project.inventory.get(f.entity).id.to_string())
        .collect();
    assert_eq!(failing, ids(&["low", "medium", "missing"]));
    assert_eq!(
        common::evidence(&r, "medium"),
        vec!["tier is `medium`; the rule requires >= `high`".to_string()]
    );
}

#[test]
fn output_is_ordered_by_rule_then_entity() {
    let policy = "rule B-2 \"b\" {\n for vendor v\n require false\n}\nrule A-1 \"a\" {\n for vendor v\n require false\n}\n";
    let inv = "vendors:\n  - id: zeta\n  - id: alpha\n";
    let (_d, r) = common::run_files(&[("rules.policy", policy), ("inventory/inv.yaml", inv)]);
    let got: Vec<(String, String)> = common::findings(&r)
        .into_iter()
        .map(|(a, b, _)| (a, b))
        .collect();
    let want = [
        ("A-1", "vendor/alpha"),
        ("A-1", "vendor/zeta"),
        ("B-2", "vendor/alpha"),
        ("B-2", "vendor/zeta"),
    ];
    assert_eq!(
        got,
        want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
    );
}

// ---------------------------------------------------------------------------------------
// Shared definitions (SPEC §7.8)

const COUNTRIES_INV: &str = "vendors:\n  - id: au\n    country: AU\n  - id: de\n    country: DE\n  - id: no\n    country: NO\n  - id: jp\n    country: JP\n  - id: cn\n    country: CN\n";

fn failing(r: &custody::report::Report, rule: &str) -> Vec<String> {
    assert!(
        r.project.diags.iter().all(|d| !d.is_error()),
        "{}",
        common::render(r)
    );
    common::findings(r)
        .into_iter()
        .filter(|(id, _, _)| id == rule)
        .map(|(_, e, _)| e)
        .collect()
}

#[test]
fn an_export_is_visible_in_every_file_whatever_the_load_order() {
    // a.policy loads first and uses an export of b.policy; a's `later`, below the rule
    // that uses it, is itself b's `approved`.
    let a = "rule T-1 \"t\" {\n  for vendor v\n  require v.country in approved\n}\nexport let extra = [\"JP\"]\nrule T-2 \"u\" {\n  for vendor v\n  require v.country in later\n}\nexport let later = approved\n";
    let b = "let base = [\"AU\", \"DE\"]\nexport let approved = [\"NO\"]\nexport let unused_here = base\n";
    let (_d, r) = common::run_files(&[
        ("a.policy", a),
        ("b.policy", b),
        ("inventory/v.yaml", COUNTRIES_INV),
    ]);
    assert_eq!(
        failing(&r, "T-1"),
        ["vendor/au", "vendor/cn", "vendor/de", "vendor/jp"]
    );
    // An export defined below the rule, in the same file, is visible too.
    assert_eq!(failing(&r, "T-2"), failing(&r, "T-1"));
}

#[test]
fn an_export_sees_the_lets_above_it_in_its_own_file_and_exports_anywhere() {
    let a = "let mine = [\"AU\"]\nexport let ours = mine\nrule T-1 \"t\" {\n  for vendor v\n  require v.country in ours or v.country in theirs\n}\n";
    let b = "export let theirs = core\nlet core = [\"DE\"]\n";
    let (_d, r) = common::run_files(&[
        ("a.policy", a),
        ("b.policy", b),
        ("inventory/v.yaml", COUNTRIES_INV),
    ]);
    // `core` is below `theirs`: not visible to it.
    assert_eq!(common::codes(&r), ["custody::policy::unknown_name"]);
    let (_d, r) = common::run_files(&[
        ("a.policy", a),
        (
            "b.policy",
            "let core = [\"DE\"]\nexport let theirs = core\n",
        ),
        ("inventory/v.yaml", COUNTRIES_INV),
    ]);
    assert_eq!(failing(&r, "T-1"), ["vendor/cn", "vendor/jp", "vendor/no"]);
}

#[test]
fn the_built_in_country_groups() {
    let rules = "rule T-EU \"t\" {\n  for vendor v\n  require v.country in EU\n}\nrule T-EEA \"t\" {\n  for vendor v\n  require v.country in EEA\n}\nrule T-ADQ \"t\" {\n  for vendor v\n  require v.country in EU_ADEQUACY or v.country in EEA\n}\n";
    let (_d, r) =
        common::run_files(&[("rules.policy", rules), ("inventory/v.yaml", COUNTRIES_INV)]);
    assert_eq!(
        failing(&r, "T-EU"),
        ["vendor/au", "vendor/cn", "vendor/jp", "vendor/no"]
    );
    assert_eq!(
        failing(&r, "T-EEA"),
        ["vendor/au", "vendor/cn", "vendor/jp"]
    );
    assert_eq!(failing(&r, "T-ADQ"), ["vendor/au", "vendor/cn"]);
}

#[test]
fn the_built_in_country_lists_are_complete() {
    let text = std::fs::read_to_string(common::repo_root().join("policies/countries.policy"))
        .expect("countries.policy");
    let list = |name: &str| -> Vec<String> {
        let start = text
            .find(&format!("export let {name} = ["))
            .expect("defined");
        let rest = &text[start..];
        let body = &rest[rest.find('[').expect("[") + 1..rest.find(']').expect("]")];
        body.split(',')
            .map(|c| c.trim().trim_matches('"').to_owned())
            .filter(|c| !c.is_empty())
            .collect()
    };
    let eu = list("EU");
    let eea = list("EEA");
    assert_eq!(eu.len(), 27);
    assert!(eu.iter().all(|c| eea.contains(c)));
    assert_eq!(eea.len(), 30);
    for c in ["IS", "LI", "NO"] {
        assert!(eea.contains(&c.to_owned()));
    }
    let adequacy = list("EU_ADEQUACY");
    assert_eq!(
        adequacy,
        [
            "AD", "AR", "CA", "CH", "FO", "GB", "GG", "IL", "IM", "JE", "JP", "KR", "NZ", "US",
            "UY"
        ]
    );
    assert!(
        eu.iter()
            .chain(&adequacy)
            .all(|c| c.len() == 2 && c.chars().all(|x| x.is_ascii_uppercase()))
    );
}

#[test]
fn definitions_in_custody_yaml_are_exports() {
    let config = "policies: [rules.policy]\ninventory: [inventory]\ndefinitions:\n  approved: [AU, JP]\n  contact: personal.contact\n  more: '[\"DE\"]'\n";
    let rules = "rule T-1 \"t\" {\n  for vendor v where v handles contact\n  require v.country in approved or v.country in more\n}\n";
    let inv = "vendors:\n  - id: au\n    country: AU\n    handles: [personal.contact.email]\n  - id: de\n    country: DE\n    handles: [personal.contact]\n  - id: cn\n    country: CN\n    handles: [personal]\n  - id: us\n    country: US\n    handles: [system.logs]\n";
    let (_d, r) = common::run_files(&[
        ("custody.yaml", config),
        ("rules.policy", rules),
        ("inventory/v.yaml", inv),
    ]);
    assert_eq!(failing(&r, "T-1"), ["vendor/cn"]);
}

#[test]
fn library_parameters_are_exports_even_when_only_some_library_rules_are_loaded() {
    let config = "policies: [builtin:gdpr, rules.policy]\ninventory: [inventory]\nlibrary:\n  parameters:\n    allowed_countries: [AU, DE]\n";
    let rules = "rule T-1 \"t\" {\n  for vendor v\n  require v.country in allowed_countries and count(accepted_certifications) == 2\n}\n";
    let (_d, r) = common::run_files(&[
        ("custody.yaml", config),
        ("rules.policy", rules),
        ("inventory/v.yaml", COUNTRIES_INV),
    ]);
    assert_eq!(failing(&r, "T-1"), ["vendor/cn", "vendor/jp", "vendor/no"]);
}
