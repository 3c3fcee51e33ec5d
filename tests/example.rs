//! The airline example against `examples/airline/EXPECTED.md`, which was computed by hand
//! from the inventory (independently of the engine): per rule, the selected count and the
//! failing and waived entities.

mod common;

#[test]
fn airline_example_matches_the_hand_computed_expectations() {
    let r = common::run_dir(&common::repo_root().join("examples/airline"));
    assert!(
        r.diags.is_empty(),
        "{}",
        custody::diag::render_plain(&r.diags, &r.sources)
    );
    // (rule, selected, failing, waived)
    let expected: &[(&str, usize, &[&str], &[&str])] = &[
        (
            "TPR-001",
            7,
            &["tessaly-crm", "vaultline-backup"],
            &["globalres-gds"],
        ),
        (
            "TPR-002",
            7,
            &["catering-manifests", "marketing-lists"],
            &[],
        ),
        ("TPR-003", 6, &["loyaltyworks", "meridian-contact"], &[]),
        (
            "TPR-004",
            8,
            &["globalres-gds", "opinio-surveys", "tessaly-crm"],
            &[],
        ),
        (
            "TPR-005",
            14,
            &[
                "globalres-gds",
                "opinio-surveys",
                "postbird",
                "skygate-catering",
                "tessaly-crm",
            ],
            &[],
        ),
        ("TPR-006", 3, &["vaultline-backup"], &[]),
        ("TPR-007", 2, &["opinio-surveys"], &[]),
        (
            "TPR-008",
            8,
            &[
                "catering-manifests",
                "crm-contacts",
                "data-warehouse",
                "marketing-lists",
            ],
            &[],
        ),
        ("TPR-009", 6, &["globalres-gds", "paylink"], &[]),
        ("TPR-010", 8, &["marketing-lists"], &[]),
        ("TPR-011", 14, &["deskpoint", "voxline-telephony"], &[]),
        ("TPR-012", 16, &["opinio-surveys", "skygate-catering"], &[]),
        ("TPR-013", 6, &["cirrus-hosting"], &[]),
    ];
    assert_eq!(r.program.rules.len(), expected.len());
    let found = common::findings(&r);
    for (ri, (id, selected, failing, waived)) in expected.iter().enumerate() {
        assert_eq!(&r.program.rules[ri].id, id);
        assert_eq!(r.stats[ri].selected, *selected, "{id} selected");
        let of = |status: &str| -> Vec<String> {
            found
                .iter()
                .filter(|(rule, _, s)| rule == id && s == status)
                .map(|(_, e, _)| e.split_once('/').map(|x| x.1).unwrap_or(e).to_owned())
                .collect()
        };
        assert_eq!(of("fail"), failing.to_vec(), "{id} failing");
        assert_eq!(of("waived"), waived.to_vec(), "{id} waived");
    }
    // The expired waiver on TPR-007 is reported on the finding.
    let f = r
        .findings
        .iter()
        .find(|f| r.program.rules[f.rule].id == "TPR-007")
        .expect("TPR-007 finding");
    assert_eq!(
        f.expired_waiver.map(|(_, d)| d.to_string()),
        Some("2026-08-31".to_owned())
    );
}
