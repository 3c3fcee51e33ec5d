//! `custody query`: table, JSON and CSV output on the airline example, `--show` columns,
//! and the checker's diagnostics (with did-you-mean) for mistakes in the query.

mod common;

/// `custody query QUERY ARGS... examples/airline --as-of 2026-11-24` from the repository root.
fn query(q: &str, args: &[&str]) -> (String, String, i32) {
    let mut all = vec!["query", q];
    all.extend_from_slice(args);
    common::on_airline(&all)
}

#[test]
fn which_vendors_can_reach_frequent_flyer_numbers() {
    let (out, err, code) = query(
        "vendor v where v handles personal.loyalty.member_number",
        &["--show", "name", "--show", "tier", "--show", "mfa_enforced"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    assert!(out.ends_with("\n9 of 17 vendors match\n"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn rows_are_sorted_by_id_and_nested_mappings_show_their_members() {
    let (out, _, code) = query(
        "vendor v where v.tier == \"critical\"",
        &["--show", "contract", "--show", "v.security_contact"],
    );
    assert_eq!(code, 0);
    let ids: Vec<&str> = out
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    assert_eq!(ids.len(), 6);
    insta::assert_snapshot!(out);
}

#[test]
fn stores_and_their_records_as_csv() {
    let (out, err, code) = query(
        "data_store s where s holds personal.loyalty",
        &[
            "--show",
            "records",
            "--show",
            "hosted_by",
            "--show",
            "holds",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code, 0, "{err}");
    // Lists are comma-joined, so the csv crate quotes them.
    assert!(out.starts_with("entity,records,hosted_by,holds\n"), "{out}");
    assert!(
        out.contains(
            "data_store/loyalty-members,8200000,vendor/loyaltyworks,\"personal.identity.name, "
        ),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn json_is_an_array_of_objects_with_typed_values_in_column_order() {
    const Q: &str = "data_store s where s.records > 10_000_000";
    const ARGS: &[&str] = &[
        "--show",
        "records",
        "--show",
        "hosted_by.tier",
        "--show",
        "encrypted_at_rest",
        "--show",
        "last_access_review",
        "--format",
        "json",
    ];
    let (out, err, code) = query(Q, ARGS);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let rows = v.as_array().expect("array");
    let entities: Vec<&str> = rows.iter().filter_map(|r| r["entity"].as_str()).collect();
    assert_eq!(
        entities,
        [
            "data_store/app-logs",
            "data_store/backups",
            "data_store/booking-db",
            "data_store/data-warehouse"
        ]
    );
    let logs = &rows[0];
    assert_eq!(logs["fields"]["records"], 2_600_000_000_i64);
    assert_eq!(logs["fields"]["hosted_by.tier"], "low");
    assert_eq!(logs["fields"]["encrypted_at_rest"], true);
    assert!(logs["fields"]["last_access_review"].is_null());
    assert_eq!(
        logs["location"]["file"],
        "examples/airline/inventory/data_stores.yaml"
    );
    assert_eq!(logs["location"]["line"], 197);
    // Keys keep the order of --show.
    let keys: Vec<&str> = logs["fields"]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let at = |k: &str| out.find(&format!("\"{k}\"")).unwrap_or(usize::MAX);
    assert!(at("records") < at("hosted_by.tier") && at("hosted_by.tier") < at("encrypted_at_rest"));
    assert_eq!(keys.len(), 4);
    // Same input, same bytes.
    assert_eq!(out, query(Q, ARGS).0);
}

#[test]
fn no_match_is_not_an_error() {
    let (out, _, code) = query(
        "vendor v where v.tier == \"low\" and v handles credentials",
        &[],
    );
    assert_eq!(code, 0);
    assert_eq!(out, "no vendor matches (of 17)\n");
    let (out, _, code) = query(
        "vendor v where v handles credentials and v.tier == \"low\"",
        &["--format", "json"],
    );
    assert_eq!(code, 0);
    assert_eq!(out, "[]\n");
    let (out, _, code) = query(
        "vendor v where v handles personal.biometrics",
        &["--format", "csv"],
    );
    // An unknown name is an error, not an empty result.
    assert_eq!((out.as_str(), code), ("", 2));
}

#[test]
fn without_where_every_entity_of_the_kind_matches() {
    let (out, _, code) = query("data_store s", &["--format", "csv"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 12, "{out}");
}

#[test]
fn mistakes_get_the_checker_diagnostics_with_did_you_mean() {
    let cases: &[(&str, &[&str])] = &[
        ("vendor v where v.tierr == \"high\"", &[]),
        (
            "vendor v where v handles personal.loyalty.member_numbr",
            &[],
        ),
        ("vendor v where v.tier == \"critcal\"", &[]),
        ("vendors v", &[]),
        ("vendor v where v.last_audit within 12 monhts", &[]),
        ("vendor v where", &[]),
        ("vendor v where v.name", &[]),
        ("", &[]),
        (
            "vendor v",
            &[
                "--show",
                "nmae",
                "--show",
                "contract.expire",
                "--show",
                "contract expires",
                "--show",
                "accesses.records",
            ],
        ),
    ];
    let mut all = String::new();
    for (q, args) in cases {
        let (out, err, code) = query(q, args);
        assert_eq!(code, 2, "{q}");
        assert_eq!(out, "", "{q}");
        all.push_str(&format!("$ custody query '{q}' {}\n{err}", args.join(" ")));
    }
    insta::assert_snapshot!(all);
}

/// A query is checked exactly like a policy: the same code, message and help.
#[test]
fn a_query_error_is_the_policy_error() {
    let (_, err, _) = query("vendor v where v.last_audti within 1 year", &[]);
    let (_dir, report) = common::run_files(&[
        (
            "rules.policy",
            "rule R-1 \"r\" {\n  for vendor v where v.last_audti within 1 year\n  require true\n}\n",
        ),
        ("inventory/v.yaml", "vendors:\n  - id: a\n"),
    ]);
    let d = report
        .project
        .diags
        .iter()
        .find(|d| d.code == "custody::policy::unknown_field")
        .expect("policy diagnostic");
    assert!(err.contains(&d.message), "{err}");
    assert!(err.contains(d.help.as_deref().unwrap_or("?")), "{err}");
}

#[test]
fn a_very_long_show_path_is_refused_not_followed() {
    let long = vec!["name"; 10_000].join(".");
    let (out, err, code) = query("vendor v", &["--show", &long]);
    assert_eq!((out.as_str(), code), ("", 2));
    assert!(err.contains("custody::query::invalid_show"), "{err}");
    assert!(err.contains("10000 steps is too long"), "{err}");
}

#[test]
fn a_query_sees_the_built_in_country_groups_and_suggests_them() {
    let (inside, err, code) = query("vendor v where v.country in EEA", &[]);
    assert_eq!(code, 0, "{err}");
    let (outside, _, _) = query("vendor v where v.country not in EEA", &[]);
    let count = |out: &str| {
        out.lines()
            .last()
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0)
    };
    assert!(count(&inside) > 0, "{inside}");
    assert!(count(&outside) > 0, "{outside}");
    let (_, err, code) = query("vendor v where v.country in EEAA", &[]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `EEA`?"), "{err}");
}
