//! Criterion benchmarks of the cases that once grew faster than their input (issue 11):
//! rendering N diagnostics in one file.
//! Each is run at two sizes 4 × apart, so linear cost shows as about 4 × the time.
//! Run: `cargo bench --bench scaling`.

use criterion::{Criterion, criterion_group, criterion_main};
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

fn diagnostics(c: &mut Criterion) {
    let schema = Schema::builtin();
    let taxonomy = Taxonomy::builtin();
    let mut group = c.benchmark_group("diagnostics");
    group.sample_size(10);
    for n in [6_000, 24_000] {
        let mut sources = SourceMap::new();
        let mut diags = Vec::new();
        let file = sources.add("vendors.yaml", unknown_fields(n));
        let _ = inventory::load(&[file], &sources, &schema, &taxonomy, &mut diags);
        assert_eq!(diags.len(), n, "one error per vendor");
        group.bench_function(format!("sort and render {n} errors in one file"), |b| {
            b.iter(|| {
                let mut d = diags.clone();
                custody::diag::sort(&mut d);
                custody::diag::render_plain(black_box(&d), &sources).len()
            })
        });
    }
    group.finish();
}

criterion_group!(scaling, diagnostics);
criterion_main!(scaling);
