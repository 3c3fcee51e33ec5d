//! Random policy text and random YAML never panic the parser, the loader or the checker.

use custody::source::SourceMap;
use proptest::prelude::*;

const POLICY_SEED: &str = "let address = personal.contact.address\nrule TPR-001 \"t\" {\n  severity high\n  references \"APP 11.1\", \"ISO\"\n  for vendor v where v handles address and v.tier == \"critical\"\n  require v.last_audit within 12 months\n  require all p in v.supply_chain: p.last_audit within 24 months or count(v.accesses) == 0\n  message \"{v.name} {{x}}\"\n}\n";
const YAML_SEED: &str = "vendors:\n  - id: a\n    tier: high\n    handles: [personal.contact.address]\n    accesses: [s]\n    contract: {dpa_signed: true, expires: 2027-01-01}\n  - &x {id: b, last_audit: 2026-01-01}\ndata_stores:\n  - id: s\n    holds: [personal]\n    hosted_by: a\n";

fn mutate(seed: &str, cuts: &[(usize, usize, String)]) -> String {
    let mut s: Vec<char> = seed.chars().collect();
    for (at, len, ins) in cuts {
        let at = at % (s.len() + 1);
        let end = (at + len).min(s.len());
        s.splice(at..end, ins.chars());
    }
    s.into_iter().collect()
}

fn run_all(policy: &str, yaml: &str) {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let pf = sources.add("p.policy", policy);
    let yf = sources.add("i.yaml", yaml);
    let schema = custody::inventory::Schema::builtin();
    let tax = custody::inventory::Taxonomy::builtin();
    let parsed: Vec<_> = custody::syntax::parse_policy(pf, policy, &mut diags)
        .into_iter()
        .collect();
    let program = custody::check::check(&parsed, &sources, &schema, &tax, &mut diags);
    let inv = custody::inventory::load(&[yf], &sources, &schema, &tax, &mut diags);
    let cx = custody::eval::Context::new(
        &program,
        &inv,
        &schema,
        &tax,
        &sources,
        "2026-11-24".parse().expect("date"),
    );
    let _ = cx.run(None);
    let _ = custody::diag::render_plain(&diags, &sources);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(policy in "\\PC{0,200}", yaml in "\\PC{0,200}") {
        run_all(&policy, &yaml);
    }

    #[test]
    fn mutated_valid_input_never_panics(
        pcuts in prop::collection::vec((0usize..400, 0usize..8, "[ -~\\n]{0,6}"), 1..4),
        ycuts in prop::collection::vec((0usize..400, 0usize..8, "[ -~\\n]{0,6}"), 1..4),
    ) {
        run_all(&mutate(POLICY_SEED, &pcuts), &mutate(YAML_SEED, &ycuts));
    }
}

/// `custody impact`'s upstream vendors (found with one backwards search) are exactly the
/// vendors whose own breadth-first supply chain reaches the vendor, each with that chain's
/// path: random subprocessor graphs with cycles, self-links, repeats and ties.
fn upstream_matches_per_vendor_search(links: &[Vec<usize>]) {
    use custody::eval::impact::{self, Impact};
    let mut yaml = String::from("vendors:\n");
    for (i, l) in links.iter().enumerate() {
        let list: Vec<String> = l.iter().map(|t| format!("v{}", t % links.len())).collect();
        yaml.push_str(&format!(
            "  - id: v{i}\n    subprocessors: [{}]\n",
            list.join(", ")
        ));
    }
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let yf = sources.add("i.yaml", yaml.as_str());
    let schema = custody::inventory::Schema::builtin();
    let tax = custody::inventory::Taxonomy::builtin();
    let inv = custody::inventory::load(&[yf], &sources, &schema, &tax, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    let program = custody::check::check(&[], &sources, &schema, &tax, &mut diags);
    let cx = custody::eval::Context::new(
        &program,
        &inv,
        &schema,
        &tax,
        &sources,
        "2026-11-24".parse().expect("date"),
    );
    let vk = schema.kind_by_name("vendor").expect("vendor kind");
    for &v in inv.of_kind(vk) {
        let Some(Impact::Vendor(found)) = impact::impact(&cx, &[], v) else {
            panic!("a vendor's impact");
        };
        let mut expected: Vec<impact::Chain> = inv
            .of_kind(vk)
            .iter()
            .filter(|&&o| o != v)
            .filter_map(|&o| {
                let c = impact::chains(&cx, o).into_iter().find(|c| c.vendor == v)?;
                Some(impact::Chain {
                    vendor: o,
                    path: c.path,
                })
            })
            .collect();
        expected.sort_by(|a, b| inv.get(a.vendor).id.cmp(&inv.get(b.vendor).id));
        assert_eq!(found.upstream, expected, "vendor {}\n{yaml}", inv.get(v).id);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn impact_upstream_equals_a_search_from_each_vendor(
        links in prop::collection::vec(prop::collection::vec(0usize..9, 0..4), 1..9),
    ) {
        upstream_matches_per_vendor_search(&links);
    }
}
