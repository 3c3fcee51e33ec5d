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
