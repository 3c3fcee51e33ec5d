//! Criterion micro-benchmarks of the evaluator's hot paths: taxonomy overlap, derived
//! `handles`, `supply_chain` closures and date windows, on a synthetic inventory built here
//! (deterministic, no generator needed). Run: `cargo bench --bench eval`.

use criterion::{Criterion, criterion_group, criterion_main};
use custody::check;
use custody::eval::{Context, derived::Derived};
use custody::inventory::{self, Schema, Taxonomy};
use custody::source::SourceMap;
use std::fmt::Write;
use std::hint::black_box;

const LEAVES: [&str; 12] = [
    "personal.contact.address",
    "personal.contact.email",
    "personal.identity.name",
    "personal.financial.payment_card",
    "personal.loyalty.member_number",
    "personal.travel.booking",
    "personal.health",
    "credentials.password",
    "business.confidential",
    "system.logs",
    "personal",
    "personal.contact",
];

/// A small linear congruential generator: deterministic and dependency-free.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn inventory_yaml(vendors: usize) -> String {
    let mut r = Lcg(648);
    let stores = vendors * 2;
    let mut y = String::from("vendors:\n");
    for i in 0..vendors {
        let _ = writeln!(
            y,
            "  - id: v{i}\n    tier: {}",
            ["critical", "high", "medium", "low"][r.next(4)]
        );
        let _ = writeln!(y, "    handles: [{}]", LEAVES[r.next(LEAVES.len())]);
        let _ = writeln!(
            y,
            "    accesses: [s{}, s{}]",
            r.next(stores),
            r.next(stores)
        );
        if i > 0 && r.next(10) < 4 {
            let _ = writeln!(y, "    subprocessors: [v{}]", r.next(i));
        }
        if r.next(10) < 9 {
            let _ = writeln!(
                y,
                "    last_audit: 2025-{:02}-{:02}",
                1 + r.next(12),
                1 + r.next(28)
            );
        }
    }
    y.push_str("data_stores:\n");
    for i in 0..stores {
        let _ = writeln!(
            y,
            "  - id: s{i}\n    holds: [{}, {}]",
            LEAVES[r.next(LEAVES.len())],
            LEAVES[r.next(LEAVES.len())]
        );
        if r.next(2) == 0 {
            let _ = writeln!(y, "    hosted_by: v{}", r.next(vendors));
        }
        let _ = writeln!(y, "    records: {}", r.next(5_000_000));
    }
    y
}

const POLICY: &str = "rule W-1 \"window\" {\n for vendor v where v handles personal.contact.address\n require v.last_audit within 12 months\n}\nrule C-1 \"chain\" {\n for vendor v where v.tier == \"critical\"\n require all p in v.supply_chain: p.last_audit within 24 months\n}\n";

fn benches(c: &mut Criterion) {
    let schema = Schema::builtin();
    let taxonomy = Taxonomy::builtin();
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let inv_file = sources.add("inventory.yaml", inventory_yaml(5_000));
    let pol_file = sources.add("bench.policy", POLICY);
    let inv = inventory::load(&[inv_file], &sources, &schema, &taxonomy, &mut diags);
    let parsed: Vec<_> = custody::syntax::parse_policy(pol_file, POLICY, &mut diags)
        .into_iter()
        .collect();
    let program = check::check(&parsed, &sources, &schema, &taxonomy, &mut diags);
    assert!(diags.is_empty(), "the benchmark input is valid: {diags:?}");
    let as_of = jiff::civil::date(2026, 11, 24);

    let cats: Vec<_> = LEAVES.iter().filter_map(|n| taxonomy.lookup(n)).collect();
    c.bench_function("taxonomy overlap, 12 x 12 categories", |b| {
        b.iter(|| {
            let mut n = 0;
            for &a in &cats {
                for &p in &cats {
                    n += usize::from(taxonomy.overlap(black_box(a), black_box(p)).is_some());
                }
            }
            n
        })
    });
    c.bench_function("derived handles, 5,000 vendors and 10,000 stores", |b| {
        b.iter(|| Derived::new(black_box(&inv), &schema))
    });
    let derived = Derived::new(&inv, &schema);
    let vendor = schema.kind_by_name("vendor").expect("vendor kind");
    c.bench_function("supply chains of 5,000 vendors", |b| {
        b.iter(|| {
            inv.of_kind(vendor)
                .iter()
                .map(|&v| derived.supply_chain(&inv, v).len())
                .sum::<usize>()
        })
    });
    let cx = Context::new(&program, &inv, &schema, &taxonomy, &sources, as_of);
    c.bench_function(
        "rule W-1: handles + 12-month date window, 5,000 vendors",
        |b| b.iter(|| cx.run(Some(&[1])).findings.len()),
    );
    c.bench_function(
        "rule C-1: all over supply_chain with date windows, 5,000 vendors",
        |b| b.iter(|| cx.run(Some(&[0])).findings.len()),
    );
}

criterion_group!(eval, benches);
criterion_main!(eval);
