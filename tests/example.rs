//! The airline example against `examples/airline/EXPECTED.md`: per rule (the library's
//! `builtin:tpr` and the airline's own), the selected count and the failing and waived
//! entities. The airline's own rules and a sample of library rules were computed by hand
//! from the inventory; EXPECTED.md says which.

mod common;

#[test]
fn airline_example_matches_the_hand_computed_expectations() {
    let r = common::run_dir(&common::repo_root().join("examples/airline"));
    assert!(
        r.project.diags.is_empty(),
        "{}",
        custody::diag::render_plain(&r.project.diags, &r.project.sources)
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
        ("TPR-013", 6, &["cirrus-hosting"], &[]),
        (
            "TPR-ACC-01",
            13,
            &[
                "deskpoint",
                "globalres-gds",
                "skygate-catering",
                "tessaly-crm",
            ],
            &[],
        ),
        ("TPR-ACC-02", 7, &["globalres-gds", "tessaly-crm"], &[]),
        (
            "TPR-ACC-03",
            6,
            &["deskpoint", "globalres-gds", "tessaly-crm"],
            &[],
        ),
        ("TPR-AUD-01", 6, &["globalres-gds"], &[]),
        ("TPR-AUD-02", 3, &["tessaly-crm"], &[]),
        (
            "TPR-AUD-03",
            8,
            &["deskpoint", "globalres-gds", "vaultline-backup"],
            &[],
        ),
        ("TPR-AUD-04", 13, &["skygate-catering", "tessaly-crm"], &[]),
        ("TPR-AUD-05", 6, &[], &[]),
        ("TPR-AUD-06", 15, &[], &[]),
        ("TPR-CON-01", 13, &["tessaly-crm"], &[]),
        (
            "TPR-CON-02",
            13,
            &[
                "globalres-gds",
                "postbird",
                "skygate-catering",
                "tessaly-crm",
            ],
            &[],
        ),
        (
            "TPR-CON-03",
            13,
            &[
                "globalres-gds",
                "postbird",
                "skygate-catering",
                "tessaly-crm",
            ],
            &[],
        ),
        ("TPR-CON-04", 6, &["globalres-gds", "paylink"], &[]),
        ("TPR-CON-05", 14, &["globalres-gds", "tessaly-crm"], &[]),
        ("TPR-CON-06", 8, &[], &[]),
        ("TPR-CONC-01", 2, &["app-logs", "marketing-lists"], &[]),
        ("TPR-CONC-02", 2, &["lumen-logs"], &[]),
        ("TPR-CONC-03", 8, &[], &[]),
        (
            "TPR-ENC-01",
            10,
            &["catering-manifests", "marketing-lists"],
            &[],
        ),
        ("TPR-ENC-02", 10, &[], &[]),
        ("TPR-LIF-01", 2, &["opinio-surveys"], &[]),
        ("TPR-LIF-02", 9, &[], &[]),
        ("TPR-LIF-03", 15, &[], &[]),
        ("TPR-OWN-01", 17, &["skygate-catering"], &[]),
        ("TPR-OWN-02", 11, &[], &[]),
        ("TPR-OWN-03", 15, &[], &[]),
        ("TPR-PCI-01", 3, &["vaultline-backup"], &[]),
        ("TPR-PCI-02", 3, &["globalres-gds", "vaultline-backup"], &[]),
        ("TPR-PCI-03", 2, &[], &[]),
        ("TPR-RET-01", 10, &["loyalty-members"], &[]),
        ("TPR-RET-02", 3, &["booking-db", "data-warehouse"], &[]),
        (
            "TPR-REV-01",
            8,
            &[
                "app-logs",
                "crm-contacts",
                "data-warehouse",
                "marketing-lists",
            ],
            &[],
        ),
        (
            "TPR-REV-02",
            10,
            &[
                "catering-manifests",
                "crm-contacts",
                "helpdesk-tickets",
                "marketing-lists",
            ],
            &[],
        ),
        ("TPR-SC-01", 6, &["loyaltyworks", "meridian-contact"], &[]),
        ("TPR-SC-02", 6, &["loyaltyworks"], &[]),
        (
            "TPR-XB-01",
            13,
            &["deskpoint", "tessaly-crm", "voxline-telephony"],
            &[],
        ),
        ("TPR-XB-02", 10, &["helpdesk-tickets"], &[]),
        (
            "TPR-XB-03",
            13,
            &["keystone-id", "meridian-contact", "voxline-telephony"],
            &[],
        ),
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
    // The expired waiver on TPR-LIF-01 (Opinio's remaining access) is reported on the
    // finding.
    let f = r
        .findings
        .iter()
        .find(|f| r.program.rules[f.rule].id == "TPR-LIF-01")
        .expect("TPR-LIF-01 finding");
    assert_eq!(
        f.expired_waiver.map(|(_, d)| d.to_string()),
        Some("2026-08-31".to_owned())
    );
}
