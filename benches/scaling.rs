//! Criterion benchmarks of the cases that once grew faster than their input (issue 11):
//! rendering N diagnostics in one file, and `custody impact` on a long subprocessor chain.
//! Each is run at two sizes 4 × apart, so linear cost shows as about 4 × the time.
//! Run: `cargo bench --bench scaling`.

use criterion::{Criterion, criterion_group, criterion_main};
use custody::eval::{Context, impact};
use custody::inventory::{self, Schema, Taxonomy};
use custody::source::SourceMap;
use std::fmt::Write;
use std::hint::black_box;

/// `n` vendors, each with one unknown field: `n` errors in one file.
fn unknown_fields(n: usize) -> String {
    let mut y = String::from("vendors:\n");
    for i in 0..n {
        let _ = writeln!(y, "  - id: v{i}\n    tier: low\n    colour: red");
    }
    y
}

/// `v0 → v1 → … → v(n-1)` through `subprocessors`.
fn chain(n: usize) -> String {
    let mut y = String::from("vendors:\n");
    for i in 0..n {
        let _ = writeln!(y, "  - id: v{i}\n    tier: low");
        if i + 1 < n {
            let _ = writeln!(y, "    subprocessors: [v{}]", i + 1);
        }
    }
    y
}

/// The same vendors as one line of minified JSON.
fn unknown_fields_one_line(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"id":"v{i}","tier":"low","colour":"red"}}"#))
        .collect();
    format!(r#"{{"vendors":[{}]}}"#, items.join(","))
}

fn diagnostics(c: &mut Criterion) {
    let schema = Schema::builtin();
    let taxonomy = Taxonomy::builtin();
    let mut group = c.benchmark_group("diagnostics");
    group.sample_size(10);
    for (n, shape) in [
        (6_000, "one file"),
        (24_000, "one file"),
        (6_000, "one minified JSON line"),
        (24_000, "one minified JSON line"),
    ] {
        let mut sources = SourceMap::new();
        let mut diags = Vec::new();
        let file = if shape == "one file" {
            sources.add("vendors.yaml", unknown_fields(n))
        } else {
            sources.add("vendors.json", unknown_fields_one_line(n))
        };
        let _ = inventory::load(&[file], &sources, &schema, &taxonomy, &mut diags);
        assert_eq!(diags.len(), n, "one error per vendor");
        group.bench_function(format!("sort and render {n} errors in {shape}"), |b| {
            b.iter(|| {
                let mut d = diags.clone();
                custody::diag::sort(&mut d);
                custody::diag::render_plain(black_box(&d), &sources).len()
            })
        });
    }
    group.finish();
}

fn impact_chain(c: &mut Criterion) {
    let schema = Schema::builtin();
    let taxonomy = Taxonomy::builtin();
    let mut group = c.benchmark_group("impact");
    group.sample_size(10);
    for n in [500, 2_000] {
        let mut sources = SourceMap::new();
        let mut diags = Vec::new();
        let file = sources.add("vendors.yaml", chain(n));
        let inv = inventory::load(&[file], &sources, &schema, &taxonomy, &mut diags);
        let program = custody::check::check(&[], &sources, &schema, &taxonomy, &mut diags);
        assert!(diags.is_empty(), "the benchmark input is valid: {diags:?}");
        let cx = Context::new(
            &program,
            &inv,
            &schema,
            &taxonomy,
            &sources,
            jiff::civil::date(2026, 11, 24),
        );
        let vendor = schema.kind_by_name("vendor").expect("vendor kind");
        let vendors = inv.of_kind(vendor);
        for (at, e) in [("head", vendors[0]), ("middle", vendors[n / 2])] {
            group.bench_function(format!("impact text, {n}-vendor chain, at its {at}"), |b| {
                b.iter(|| {
                    let Some(imp) = impact::impact(&cx, &[], black_box(e)) else {
                        return 0;
                    };
                    custody::report::impact::text(&cx, &[], &imp).len()
                })
            });
        }
    }
    group.finish();
}

criterion_group!(scaling, diagnostics, impact_chain);
criterion_main!(scaling);
