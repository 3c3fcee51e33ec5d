//! Tests of the inventory layer: YAML reading, schema, taxonomy, loading and its diagnostics.
//!
//! Diagnostics are snapshotted as the user sees them (`diag::render_plain`), in
//! `src/inventory/snapshots/`.

use super::*;
use crate::diag::{self, Diag, render_plain};
use crate::source::{FileId, SourceMap};
use crate::yaml::{self, MAX_DEPTH, Node, NodeKind, Plain, resolve_plain};

/// A source map holding the named texts.
fn sources_of(files: &[(&str, &str)]) -> (SourceMap, Vec<FileId>) {
    let mut sources = SourceMap::new();
    let ids = files.iter().map(|(n, t)| sources.add(*n, *t)).collect();
    (sources, ids)
}

/// Load named texts as inventory files, with the shipped schema and taxonomy.
fn load_texts(files: &[(&str, &str)]) -> (Inventory, Vec<Diag>, SourceMap) {
    let (sources, ids) = sources_of(files);
    let mut diags = Vec::new();
    let inv = load(
        &ids,
        &sources,
        &Schema::builtin(),
        &Taxonomy::builtin(),
        &mut diags,
    );
    diag::sort(&mut diags);
    (inv, diags, sources)
}

/// The rendered diagnostics of loading one file.
fn render_one(text: &str) -> String {
    let (_, diags, sources) = load_texts(&[("inventory.yaml", text)]);
    render_plain(&diags, &sources)
}

/// Parse one YAML text; the documents, the diagnostics, and the source map to render them.
fn parse_text(text: &str) -> (Vec<Node>, Vec<Diag>, SourceMap) {
    let mut sources = SourceMap::new();
    let file = sources.add("input.yaml", text);
    let mut diags = Vec::new();
    let docs = yaml::parse(file, text, &mut diags);
    diag::sort(&mut diags);
    (docs, diags, sources)
}

fn codes(diags: &[Diag]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code).collect()
}

fn vendor(inv: &Inventory, id: &str) -> Entity {
    let kind = KindId(0);
    match inv.lookup(kind, id) {
        Some(e) => inv.get(e).clone(),
        None => panic!("no vendor {id}"),
    }
}

fn field<'e>(schema: &Schema, e: &'e Entity, name: &str) -> Option<&'e Value> {
    let fid = schema.kind(e.kind).field(name)?;
    e.field(fid).map(|f| &f.value)
}

// ---------------------------------------------------------------------------------------
// YAML: scalars.

#[test]
fn plain_scalars_resolve_by_the_core_schema() {
    let cases: &[(&str, Option<Plain>)] = &[
        ("", Some(Plain::Null)),
        ("~", Some(Plain::Null)),
        ("null", Some(Plain::Null)),
        ("Null", Some(Plain::Null)),
        ("NULL", Some(Plain::Null)),
        ("nULL", None),
        ("true", Some(Plain::Bool(true))),
        ("True", Some(Plain::Bool(true))),
        ("TRUE", Some(Plain::Bool(true))),
        ("false", Some(Plain::Bool(false))),
        ("FALSE", Some(Plain::Bool(false))),
        ("yes", None),
        ("no", None),
        ("on", None),
        ("0", Some(Plain::Int(0))),
        ("72", Some(Plain::Int(72))),
        ("-3", Some(Plain::Int(-3))),
        ("+12", Some(Plain::Int(12))),
        ("007", Some(Plain::Int(7))),
        ("0x1F", Some(Plain::Int(31))),
        ("0o17", Some(Plain::Int(15))),
        ("0x", None),
        ("0o8", None),
        ("1_000", None),
        ("1.5", Some(Plain::Float(1.5))),
        ("-.5", Some(Plain::Float(-0.5))),
        ("1.", Some(Plain::Float(1.0))),
        ("1e3", Some(Plain::Float(1000.0))),
        ("2.5E-1", Some(Plain::Float(0.25))),
        ("1e", None),
        (".", None),
        ("-", None),
        (".inf", Some(Plain::Float(f64::INFINITY))),
        ("-.Inf", Some(Plain::Float(f64::NEG_INFINITY))),
        ("+.INF", Some(Plain::Float(f64::INFINITY))),
        ("99999999999999999999", Some(Plain::Float(1e20))),
        ("2026-01-01", None),
        ("1.2.3", None),
        ("v1", None),
        ("personal.contact.address", None),
    ];
    for (text, want) in cases {
        assert_eq!(resolve_plain(text), *want, "resolving {text:?}");
    }
    assert!(matches!(resolve_plain(".nan"), Some(Plain::Float(f)) if f.is_nan()));
    assert!(matches!(resolve_plain(".NaN"), Some(Plain::Float(f)) if f.is_nan()));
    assert_eq!(resolve_plain("-.nan"), None);
}

#[test]
fn quoted_and_block_scalars_are_strings() {
    let (docs, diags, _) = parse_text("a: \"72\"\nb: 'true'\nc: |\n  x\nd: >\n  y\ne: 72\nf: ~\n");
    assert!(diags.is_empty(), "{diags:?}");
    let doc = &docs[0];
    let str_of = |k: &str| match &doc.get(k).map(|n| &n.kind) {
        Some(NodeKind::Str { value, quoted }) => (value.clone(), *quoted),
        other => panic!("{k}: {other:?}"),
    };
    assert_eq!(str_of("a"), ("72".into(), true));
    assert_eq!(str_of("b"), ("true".into(), true));
    assert_eq!(str_of("c"), ("x\n".into(), true));
    assert_eq!(str_of("d"), ("y\n".into(), true));
    assert_eq!(doc.get("e").map(|n| &n.kind), Some(&NodeKind::Int(72)));
    assert_eq!(doc.get("f").map(|n| &n.kind), Some(&NodeKind::Null));
}

#[test]
fn core_tags_are_honoured_and_others_rejected() {
    let (docs, diags, sources) =
        parse_text("a: !!str 72\nb: !!int \"5\"\nc: !!float 1\nd: !vault secret\ne: !!int abc\n");
    let doc = &docs[0];
    assert_eq!(doc.get("a").and_then(Node::as_str), Some("72"));
    assert_eq!(doc.get("b").map(|n| &n.kind), Some(&NodeKind::Int(5)));
    assert_eq!(doc.get("c").map(|n| &n.kind), Some(&NodeKind::Float(1.0)));
    // Read as if untagged, with an error.
    assert_eq!(doc.get("d").and_then(Node::as_str), Some("secret"));
    assert_eq!(
        codes(&diags),
        [
            "custody::yaml::unsupported_tag",
            "custody::yaml::tag_mismatch"
        ]
    );
    insta::assert_snapshot!("yaml_tags", render_plain(&diags, &sources));
}

#[test]
fn spans_cover_the_written_text() {
    let text = "vendors:\n  - id: a\n    tags: [x, y]\n    contract:\n      dpa: true\n";
    let (docs, diags, _) = parse_text(text);
    assert!(diags.is_empty());
    let entity = &docs[0].get("vendors").and_then(Node::as_seq).unwrap_or(&[])[0];
    assert_eq!(
        &text[entity.span.range()],
        "id: a\n    tags: [x, y]\n    contract:\n      dpa: true"
    );
    let tags = entity.get("tags").map(|n| n.span).unwrap_or_default();
    assert_eq!(&text[tags.range()], "[x, y]");
    let contract = entity.get("contract").map(|n| n.span).unwrap_or_default();
    assert_eq!(&text[contract.range()], "dpa: true");
}

// ---------------------------------------------------------------------------------------
// YAML: documents, anchors, aliases, merges.

#[test]
fn documents_are_split_and_empty_ones_skipped() {
    let (docs, diags, _) =
        parse_text("---\n---\na: 1\n--- ~\n---\n# just a comment\n...\n---\n[1]\n");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(docs.len(), 2);
    let (docs, diags, _) = parse_text("");
    assert!(docs.is_empty() && diags.is_empty());
}

#[test]
fn aliases_replay_the_anchored_node() {
    let (docs, diags, _) = parse_text("a: &x {k: [1, 2]}\nb: *x\nc: &s hello\nd: *s\n");
    assert!(diags.is_empty(), "{diags:?}");
    let doc = &docs[0];
    assert_eq!(doc.get("a").map(|n| &n.kind), doc.get("b").map(|n| &n.kind));
    assert_eq!(doc.get("d").and_then(Node::as_str), Some("hello"));
}

#[test]
fn merge_keys_merge_one_or_several_mappings() {
    let text = "\
base: &base {tier: low, country: AU, owner: a}
extra: &extra {owner: b, name: N, tier: high}
one:
  <<: *base
  tier: high
several:
  <<: [*extra, *base]
  country: NZ
";
    let (docs, diags, _) = parse_text(text);
    assert!(diags.is_empty(), "{diags:?}");
    let get = |m: &str, k: &str| {
        docs[0]
            .get(m)
            .and_then(|n| n.get(k))
            .and_then(Node::as_str)
            .map(String::from)
    };
    // Explicit keys win over merged ones.
    assert_eq!(get("one", "tier").as_deref(), Some("high"));
    assert_eq!(get("one", "country").as_deref(), Some("AU"));
    assert!(docs[0].get("one").and_then(|n| n.get("<<")).is_none());
    // Earlier mappings in the list win over later ones.
    assert_eq!(get("several", "owner").as_deref(), Some("b"));
    assert_eq!(get("several", "tier").as_deref(), Some("high"));
    assert_eq!(get("several", "country").as_deref(), Some("NZ"));
    assert_eq!(get("several", "name").as_deref(), Some("N"));
    // A quoted "<<" is an ordinary key.
    let (docs, _, _) = parse_text("a: {\"<<\": 1}\n");
    assert!(docs[0].get("a").and_then(|n| n.get("<<")).is_some());
}

#[test]
fn bad_merges_and_unknown_anchors_are_errors() {
    let (_, diags, sources) = parse_text("a:\n  <<: 3\n  b: *missing\n");
    assert_eq!(
        codes(&diags),
        ["custody::yaml::bad_merge", "custody::yaml::unknown_anchor"]
    );
    insta::assert_snapshot!(
        "yaml_bad_merge_unknown_anchor",
        render_plain(&diags, &sources)
    );
}

#[test]
fn recursive_alias_is_an_error_not_a_loop() {
    let (_, diags, _) = parse_text("a: &a [1, *a]\n");
    assert_eq!(codes(&diags), ["custody::yaml::recursive_alias"]);
}

#[test]
fn duplicate_keys_label_both() {
    let (docs, diags, sources) = parse_text("name: a\ntier: high\nname: b\n");
    assert_eq!(codes(&diags), ["custody::yaml::duplicate_key"]);
    assert_eq!(diags[0].secondary.len(), 1);
    // The first value is kept.
    assert_eq!(docs[0].get("name").and_then(Node::as_str), Some("a"));
    insta::assert_snapshot!("yaml_duplicate_key", render_plain(&diags, &sources));
}

#[test]
fn duplicate_keys_in_large_mappings_are_found() {
    let mut text: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
    text.push_str("k42: again\n");
    let (_, diags, _) = parse_text(&text);
    assert_eq!(codes(&diags), ["custody::yaml::duplicate_key"]);
}

#[test]
fn syntax_errors_are_readable_and_later_documents_still_load() {
    let (docs, diags, sources) = parse_text("a: [1, 2\nb: 3\n---\nc: 1\n");
    assert_eq!(codes(&diags), ["custody::yaml::syntax"]);
    assert!(diags[0].is_error());
    assert!(docs.iter().any(|d| d.get("c").is_some()));
    insta::assert_snapshot!("yaml_syntax_unclosed", render_plain(&diags, &sources));

    let (_, diags, sources) = parse_text("vendors:\n  - id: a\n    name: x\n   tier: high\n");
    insta::assert_snapshot!("yaml_syntax_indentation", render_plain(&diags, &sources));

    let (_, diags, sources) = parse_text("vendors:\n\t- id: a\n");
    insta::assert_snapshot!("yaml_syntax_tab", render_plain(&diags, &sources));
}

#[test]
fn a_tab_in_indentation_is_labelled_at_the_tab() {
    // The parser reports this one at the value `a` on the line before, as a tab in a scalar.
    let text = "vendors:\n  - id: a\n\tname: x\n";
    let (_, diags, sources) = parse_text(text);
    assert_eq!(codes(&diags), ["custody::yaml::syntax"]);
    let tab = text.find('\t').unwrap_or_default() as u32;
    assert_eq!(
        diags[0].primary.as_ref().map(|l| l.loc.span.start),
        Some(tab)
    );
    assert_eq!(
        diags[0].help.as_deref(),
        Some("YAML indentation must be spaces; replace the tab")
    );
    insta::assert_snapshot!(
        "yaml_syntax_tab_before_a_key",
        render_plain(&diags, &sources)
    );

    // After spaces, and inside an object's indentation.
    for text in [
        "vendors:\n  - id: a\n  \tname: x\n",
        "vendors:\n  - id: a\n    contract:\n\t  dpa_signed: true\n",
    ] {
        let (_, diags, _) = parse_text(text);
        let tab = text.find('\t').unwrap_or_default() as u32;
        assert_eq!(
            diags
                .iter()
                .map(|d| d.primary.as_ref().map(|l| l.loc.span.start))
                .collect::<Vec<_>>(),
            [Some(tab)],
            "{text:?}"
        );
    }
    // A tab inside a value is text, not indentation.
    let (_, diags, _) = parse_text("vendors:\n  - id: a\n    name: x\ty\n");
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn a_syntax_error_keeps_the_records_completed_before_it() {
    let text = "waivers:\n  - rule: A\n    entity: vendor/a\n  - rule: B\n    entity: [oops\n";
    let (docs, diags, _) = parse_text(text);
    assert_eq!(codes(&diags), ["custody::yaml::syntax"]);
    let waivers = docs[0].get("waivers").and_then(Node::as_seq).unwrap_or(&[]);
    assert_eq!(waivers.len(), 1, "{docs:?}");
    assert_eq!(waivers[0].get("rule").and_then(Node::as_str), Some("A"));
}

// ---------------------------------------------------------------------------------------
// YAML: hostile input.

#[test]
fn billion_laughs_stops_quickly_with_a_diagnostic() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..30 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let started = std::time::Instant::now();
    let (_, diags, sources) = parse_text(&text);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(codes(&diags), ["custody::yaml::alias_budget"]);
    insta::assert_snapshot!("yaml_billion_laughs", render_plain(&diags, &sources));
    // The loader reports it too, and the inventory stays usable (empty).
    let (inv, diags, _) = load_texts(&[("laughs.yaml", &text)]);
    assert!(codes(&diags).contains(&"custody::yaml::alias_budget"));
    assert!(inv.entities.is_empty());
}

#[test]
fn aliases_within_the_budget_are_fine() {
    // 1000 aliases of a 100-node list: 100,000 replayed nodes, under the 1,000,000 floor.
    let mut text = String::from("base: &b [");
    text.push_str(&vec!["x"; 99].join(", "));
    text.push_str("]\ncopies:\n");
    for _ in 0..1000 {
        text.push_str("  - *b\n");
    }
    let (docs, diags, _) = parse_text(&text);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        docs[0]
            .get("copies")
            .and_then(Node::as_seq)
            .map(<[Node]>::len),
        Some(1000)
    );
}

fn deep_flow(depth: usize) -> String {
    format!("{}{}\n", "[".repeat(depth), "]".repeat(depth))
}

fn deep_block(depth: usize) -> String {
    (0..depth)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect()
}

#[test]
fn nesting_at_the_limit_is_fine() {
    for text in [deep_flow(MAX_DEPTH), deep_block(MAX_DEPTH - 1)] {
        let (docs, diags, _) = parse_text(&text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(docs.len(), 1);
    }
}

#[test]
fn nesting_past_the_limit_is_a_diagnostic() {
    let (_, diags, sources) = parse_text(&deep_flow(MAX_DEPTH + 1));
    assert_eq!(codes(&diags), ["custody::yaml::too_deep"]);
    insta::assert_snapshot!("yaml_too_deep_flow", render_plain(&diags, &sources));
}

/// Run on a thread with the default 2 MiB stack: hostile depth must not need more.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new().stack_size(2 << 20).spawn(f);
    assert!(
        handle.map(|h| h.join().is_ok()).unwrap_or(false),
        "thread failed"
    );
}

#[test]
fn twenty_thousand_deep_flow_nesting_is_a_diagnostic() {
    on_small_stack(|| {
        let text = deep_flow(20_000);
        let (_, diags, _) = parse_text(&text);
        assert_eq!(codes(&diags), ["custody::yaml::too_deep"]);
        let (inv, diags, _) = load_texts(&[("deep.yaml", &format!("vendors: {text}"))]);
        assert_eq!(codes(&diags), ["custody::yaml::too_deep"]);
        assert!(inv.entities.is_empty());
    });
}

#[test]
fn twenty_thousand_deep_block_nesting_is_a_diagnostic() {
    // Compact block collections nest without indentation, so 20,000 levels take 40 KB:
    // `- - - x` (sequences), `? ? ? x` (mappings) and the two interleaved.
    on_small_stack(|| {
        for unit in ["- ", "? ", "- ? "] {
            let text = format!("{}x\n", unit.repeat(20_000));
            let (_, diags, _) = parse_text(&text);
            assert_eq!(codes(&diags), ["custody::yaml::too_deep"], "{unit:?}");
            let (_, diags, _) = load_texts(&[("deep.yaml", &format!("vendors:\n  {text}"))]);
            assert_eq!(codes(&diags), ["custody::yaml::too_deep"], "{unit:?}");
        }
        // Indented nesting needs quadratic text; 1,000 levels (half a megabyte) will do.
        let (_, diags, sources) = parse_text(&deep_block(1_000));
        assert_eq!(codes(&diags), ["custody::yaml::too_deep"]);
        let rendered = render_plain(&diags, &sources);
        assert!(rendered.contains("level 257 starts here"), "{rendered}");
    });
}

#[test]
fn deep_aliases_cannot_exceed_the_depth_limit() {
    // Each level is 200 deep; nesting the alias inside another 200 levels goes past 256.
    let text = format!(
        "a: &a {}\nb: {}*a{}\n",
        deep_flow(200).trim(),
        "[".repeat(200),
        "]".repeat(200)
    );
    let (_, diags, _) = parse_text(&text);
    assert_eq!(codes(&diags), ["custody::yaml::too_deep"]);
}

#[test]
fn a_huge_flat_list_loads() {
    let mut text = String::from("vendors:\n");
    for i in 0..200_000 {
        text.push_str(&format!("  - {{id: v{i}, tier: low}}\n"));
    }
    let (inv, diags, _) = load_texts(&[("flat.yaml", &text)]);
    assert!(diags.is_empty(), "{:?}", diags.first());
    assert_eq!(inv.of_kind(KindId(0)).len(), 200_000);
    let (docs, diags, _) = parse_text("[0, 1, 2]\n");
    assert!(diags.is_empty() && docs.len() == 1);
}

#[test]
fn empty_and_comment_only_files_contribute_nothing() {
    let (inv, diags, _) = load_texts(&[
        ("empty.yaml", ""),
        ("comments.yaml", "# nothing yet\n"),
        ("nulls.yaml", "---\n---\n~\n"),
    ]);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(inv.entities.is_empty());
    assert_eq!(inv.by_kind.len(), 2);
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Text made of YAML's punctuation, so the parser's error paths get exercised.
    fn yamlish() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "vendors:",
            "data_stores:",
            "- ",
            "id: ",
            "a",
            "b1",
            "[",
            "]",
            "{",
            "}",
            ",",
            ":",
            " ",
            "  ",
            "\n",
            "\t",
            "&x ",
            "*x",
            "<<: ",
            "!!str ",
            "!t ",
            "'",
            "\"",
            "#",
            "---\n",
            "...\n",
            "? ",
            "|\n",
            ">-\n",
            "~",
            "72",
            "true",
            "tier: ",
            "handles: ",
            "personal",
            "2026-02-30",
            "\u{e9}",
            "\\",
            "%YAML 1.2\n",
            "&y [*x, *x]",
        ]);
        prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn parse_and_load_never_panic(text in yamlish()) {
            let (_, diags, sources) = parse_text(&text);
            let _ = render_plain(&diags, &sources);
            let (_, diags, sources) = load_texts(&[("random.yaml", &text)]);
            let _ = render_plain(&diags, &sources);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let (_, diags, _) = parse_text(&text);
            let _ = diags;
            let _ = load_texts(&[("random.yaml", &text)]);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Taxonomy.

/// Every category of the default taxonomy (docs/inventory.md, "The default taxonomy").
const DEFAULT_CATEGORIES: &[&str] = &[
    "personal",
    "personal.identity",
    "personal.identity.name",
    "personal.identity.date_of_birth",
    "personal.identity.government_id",
    "personal.identity.passport",
    "personal.contact",
    "personal.contact.address",
    "personal.contact.email",
    "personal.contact.phone",
    "personal.financial",
    "personal.financial.payment_card",
    "personal.financial.bank_account",
    "personal.loyalty",
    "personal.loyalty.member_number",
    "personal.loyalty.points_balance",
    "personal.travel",
    "personal.travel.booking",
    "personal.travel.itinerary",
    "personal.preferences",
    "personal.preferences.meal",
    "personal.preferences.seating",
    "personal.health",
    "personal.biometric",
    "personal.location",
    "personal.online",
    "personal.online.ip_address",
    "personal.online.device_id",
    "credentials",
    "credentials.password",
    "credentials.api_key",
    "business",
    "business.confidential",
    "business.financial",
    "system",
    "system.logs",
    "system.telemetry",
];

#[test]
fn builtin_taxonomy_has_every_spec_category_with_a_doc() {
    let mut diags = Vec::new();
    let t = Taxonomy::builtin_with_diags(&mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    for name in DEFAULT_CATEGORIES {
        let id = t.lookup(name).unwrap_or_else(|| panic!("missing {name}"));
        assert!(!t.doc(id).is_empty(), "{name} has no doc");
        assert_eq!(t.name(id), *name);
    }
    assert_eq!(t.len(), DEFAULT_CATEGORIES.len());
    let roots: Vec<&str> = t
        .ids()
        .filter(|&c| t.parent(c).is_none())
        .map(|c| t.name(c))
        .collect();
    assert_eq!(roots, ["personal", "credentials", "business", "system"]);
}

#[test]
fn overlap_in_both_directions_and_none_for_siblings() {
    let t = Taxonomy::builtin();
    let c = |n: &str| t.lookup(n).unwrap_or_else(|| panic!("{n}"));
    let address = c("personal.contact.address");
    assert_eq!(t.overlap(address, address), Some(Overlap::Equal));
    assert_eq!(t.overlap(address, c("personal")), Some(Overlap::Narrower));
    assert_eq!(
        t.overlap(address, c("personal.contact")),
        Some(Overlap::Narrower)
    );
    assert_eq!(t.overlap(c("personal"), address), Some(Overlap::Broader));
    assert_eq!(
        t.overlap(c("personal.contact"), address),
        Some(Overlap::Broader)
    );
    // Siblings, cousins and unrelated trees do not overlap.
    assert_eq!(t.overlap(address, c("personal.contact.email")), None);
    assert_eq!(t.overlap(address, c("personal.identity")), None);
    assert_eq!(
        t.overlap(c("personal.financial"), c("business.financial")),
        None
    );
    assert_eq!(
        t.overlap(c("business"), c("personal.contact.address")),
        None
    );
    assert_eq!(t.overlap(c("system.logs"), c("personal")), None);
}

#[test]
fn taxonomy_extends_with_the_same_format() {
    let mut t = Taxonomy::builtin();
    let before = t.len();
    let text = "\
personal:
  contact:
    fax: fax numbers
  health:
    doc: ignored, the shipped doc wins
    genetic: genetic test results
corporate.secrets.recipes: secret recipes
";
    let (docs, diags, _) = parse_text(text);
    assert!(diags.is_empty());
    let mut diags = Vec::new();
    t.extend(FileId(0), &docs[0], &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(t.len(), before + 5);
    let fax = t.lookup("personal.contact.fax").unwrap_or(CatId(0));
    assert_eq!(t.doc(fax), "fax numbers");
    assert_eq!(
        t.overlap(fax, t.lookup("personal").unwrap_or(CatId(0))),
        Some(Overlap::Narrower)
    );
    let health = t.lookup("personal.health").unwrap_or(CatId(0));
    assert_eq!(t.doc(health), "health, medical or disability information");
    assert!(t.lookup("personal.health.genetic").is_some());
    assert!(t.lookup("corporate.secrets").is_some());
    assert_eq!(t.children(health).len(), 1);
}

#[test]
fn taxonomy_errors() {
    let (docs, _, sources) =
        parse_text("personal:\n  bad name: x\n  list: [1]\n  ok: fine\ndoc: top\n");
    let mut t = Taxonomy::builtin();
    let mut diags = Vec::new();
    t.extend(FileId(0), &docs[0], &mut diags);
    diag::sort(&mut diags);
    assert_eq!(
        codes(&diags),
        [
            "custody::taxonomy::invalid_name",
            "custody::taxonomy::invalid",
            "custody::taxonomy::invalid"
        ]
    );
    assert!(t.lookup("personal.ok").is_some());
    assert!(t.lookup("personal.list").is_none());
    insta::assert_snapshot!("taxonomy_errors", render_plain(&diags, &sources));
}

// ---------------------------------------------------------------------------------------
// Schema.

#[test]
fn builtin_schema_matches_the_spec_table() {
    let mut diags = Vec::new();
    let s = Schema::builtin_with_diags(&mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    let names = |k: &str| -> Vec<String> {
        let kind = s.kind(s.kind_by_name(k).unwrap_or(KindId(99)));
        kind.fields
            .iter()
            .map(|f| format!("{}: {}", f.name, s.type_name(&f.ty)))
            .collect()
    };
    insta::assert_snapshot!("schema_vendor", names("vendor").join("\n"));
    insta::assert_snapshot!("schema_data_store", names("data_store").join("\n"));
    assert_eq!(s.kind_by_collection("vendors"), Some(KindId(0)));
    assert_eq!(s.kind_by_collection("data_stores"), Some(KindId(1)));
    for k in &s.kinds {
        assert!(!k.doc.is_empty());
        for f in &k.fields {
            assert!(!f.doc.is_empty(), "{}.{} has no doc", k.name, f.name);
        }
    }
    let v = s.kind(KindId(0));
    // Date fields that point one way (SPEC §7.5), and the ordered tier (§7.6).
    let when = |k: &KindSchema, f: &str| k.field(f).and_then(|f| k.field_schema(f).when);
    assert_eq!(when(v, "last_audit"), Some(When::Past));
    assert_eq!(when(v, "offboarded"), Some(When::Past));
    assert_eq!(when(v, "contract.expires"), Some(When::Future));
    let ds = s.kind(KindId(1));
    assert_eq!(when(ds, "last_access_review"), Some(When::Past));
    let tier = v.field("tier").map(|f| &v.field_schema(f).ty);
    assert!(matches!(tier, Some(FieldType::Enum(e)) if e.ordered && e.rank("high") == Some(2)));
    let contract = v.field("contract");
    assert_eq!(
        v.field("contract.dpa_signed")
            .map(|f| v.field_schema(f).parent),
        Some(contract)
    );
}

fn extend_schema(text: &str) -> (Schema, Vec<Diag>, SourceMap) {
    let (docs, mut diags, sources) = parse_text(text);
    let mut s = Schema::builtin();
    for doc in &docs {
        s.extend(FileId(0), doc, &mut diags);
    }
    diag::sort(&mut diags);
    (s, diags, sources)
}

#[test]
fn schema_extends_with_new_kinds_and_fields() {
    let text = "\
vendor:
  fields:
    risk_owner: {type: string, doc: who signs off the risk}
    contract:
      type: object
      fields:
        sla_hours: number
    tier: {type: \"enum(critical, high, medium, low)\"}
contact_centre:
  collection: contact_centres
  doc: an outsourced contact centre
  fields:
    operator: {type: \"ref<vendor>\", doc: who runs it}
    sites: {type: \"list<ref<site>>\"}
site:
  collection: sites
  fields:
    country: string
";
    let (s, diags, _) = extend_schema(text);
    assert!(diags.is_empty(), "{diags:?}");
    let v = s.kind(KindId(0));
    assert!(v.field("risk_owner").is_some());
    let sla = v.field("contract.sla_hours").map(|f| v.field_schema(f));
    assert_eq!(
        sla.map(|f| (&f.ty, f.parent)),
        Some((&FieldType::Number, v.field("contract")))
    );
    let cc = s.kind_by_collection("contact_centres").map(|k| s.kind(k));
    let sites = cc.and_then(|k| k.field("sites").map(|f| s.type_name(&k.field_schema(f).ty)));
    assert_eq!(sites.as_deref(), Some("list<ref<site>>"));

    // The extension loads like the shipped kinds.
    let mut sources = SourceMap::new();
    let file = sources.add(
        "cc.yaml",
        "contact_centres:\n  - id: cc1\n    operator: v1\n    sites: [manila]\nsites:\n  - {id: manila, country: PH}\nvendors:\n  - {id: v1, risk_owner: Ann, contract: {sla_hours: 4}}\n",
    );
    let mut diags = Vec::new();
    let inv = load(&[file], &sources, &s, &Taxonomy::builtin(), &mut diags);
    assert!(diags.is_empty(), "{}", render_plain(&diags, &sources));
    assert_eq!(inv.entities.len(), 3);
}

#[test]
fn schema_errors() {
    let text = "\
vendor:
  collection: suppliers
data_store:
  fields:
    records: string
    id: string
    encrypted: {type: boolean}
    hosts: {type: \"list<ref<vendr>>\"}
    size: {typ: number}
widget:
  doc: no collection
";
    let (_, diags, sources) = extend_schema(text);
    assert_eq!(
        codes(&diags),
        [
            "custody::schema::redefined_kind",
            "custody::schema::redefined_field",
            "custody::schema::invalid_name",
            "custody::schema::unknown_type",
            "custody::schema::unknown_kind",
            "custody::schema::invalid",
            "custody::schema::invalid",
        ]
    );
    insta::assert_snapshot!("schema_errors", render_plain(&diags, &sources));
}

#[test]
fn when_and_ordered_in_a_schema_extension() {
    let text = "\
vendor:
  fields:
    last_pentest: {type: date, when: past, doc: last penetration test}
    renewal: {type: date, when: future}
    sensitivity: \"ordered(public, internal, confidential)\"
    reviewed: {type: date, when: yesterday}
    region: {type: string, when: past}
    tier: {type: \"enum(low, medium, high, critical)\"}
    contract:
      type: object
      fields:
        expires: {type: date, when: past}
    levels: \"ordered(a, b, a)\"
";
    let (s, diags, sources) = extend_schema(text);
    assert_eq!(
        codes(&diags),
        [
            "custody::schema::invalid",
            "custody::schema::invalid",
            "custody::schema::redefined_field",
            "custody::schema::unknown_type",
        ]
    );
    insta::assert_snapshot!(
        "schema_when_and_ordered_errors",
        render_plain(&diags, &sources)
    );
    let v = s.kind(KindId(0));
    let field = |n: &str| v.field(n).map(|f| v.field_schema(f));
    assert_eq!(field("last_pentest").and_then(|f| f.when), Some(When::Past));
    assert_eq!(field("renewal").and_then(|f| f.when), Some(When::Future));
    assert_eq!(
        field("sensitivity").map(|f| s.type_name(&f.ty)).as_deref(),
        Some("ordered(public, internal, confidential)")
    );
    // A v1-style `enum(...)` restating the ordered tier keeps its order.
    assert_eq!(
        field("tier").map(|f| s.type_name(&f.ty)).as_deref(),
        Some("ordered(low, medium, high, critical)")
    );
}

// ---------------------------------------------------------------------------------------
// Loading.

#[test]
fn the_generated_s_inventory_loads_clean() {
    let vendors = include_str!("testdata/bench_s/vendors.yaml");
    let stores = include_str!("testdata/bench_s/data_stores.yaml");
    let (inv, diags, sources) =
        load_texts(&[("data_stores.yaml", stores), ("vendors.yaml", vendors)]);
    assert!(diags.is_empty(), "{}", render_plain(&diags, &sources));
    assert_eq!(inv.of_kind(KindId(0)).len(), 200);
    assert_eq!(inv.of_kind(KindId(1)).len(), 400);
    assert_eq!(inv.entities.len(), 600);
    assert_eq!(inv.index.len(), 600);
    // by_kind is in id order.
    let ids: Vec<&str> = inv
        .of_kind(KindId(0))
        .iter()
        .map(|&e| &*inv.get(e).id)
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));

    let schema = Schema::builtin();
    let v = vendor(&inv, "v000000");
    assert_eq!(&sources.slice(v.id_loc), &"v000000");
    assert!(
        sources
            .slice(v.loc)
            .starts_with("id: v000000\n    name: Vendor 0 Pty Ltd")
    );
    assert!(sources.slice(v.loc).ends_with("expires: 2027-02-02"));
    assert_eq!(
        field(&schema, &v, "tier"),
        Some(&Value::Str("medium".into()))
    );
    assert_eq!(
        field(&schema, &v, "contract.breach_notification_hours"),
        Some(&Value::Num(24.0))
    );
    assert_eq!(
        field(&schema, &v, "contract.dpa_signed"),
        Some(&Value::Bool(true))
    );
    assert_eq!(field(&schema, &v, "contract"), Some(&Value::Object));
    assert_eq!(field(&schema, &v, "offboarded"), None);
    let Some(Value::List(accesses)) = field(&schema, &v, "accesses") else {
        panic!("accesses");
    };
    let targets: Vec<&str> = accesses
        .iter()
        .filter_map(|f| match f.value {
            Value::Ref(e) => Some(&*inv.get(e).id),
            _ => None,
        })
        .collect();
    assert_eq!(targets, ["s000250", "s000292"]);
    let Some(Value::List(handles)) = field(&schema, &v, "handles") else {
        panic!("handles");
    };
    let t = Taxonomy::builtin();
    assert_eq!(
        handles[0].value,
        Value::Cat(t.lookup("personal.identity.passport").unwrap_or(CatId(0)))
    );
}

#[test]
fn loading_is_deterministic_and_independent_of_parallelism() {
    let vendors = include_str!("testdata/bench_s/vendors.yaml");
    let stores = include_str!("testdata/bench_s/data_stores.yaml");
    let (a, _, _) = load_texts(&[("data_stores.yaml", stores), ("vendors.yaml", vendors)]);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build();
    let (b, _, _) = match pool {
        Ok(pool) => {
            pool.install(|| load_texts(&[("data_stores.yaml", stores), ("vendors.yaml", vendors)]))
        }
        Err(_) => return,
    };
    assert_eq!(a.entities.len(), b.entities.len());
    for (x, y) in a.entities.iter().zip(&b.entities) {
        assert_eq!((&x.id, x.loc, &x.fields), (&y.id, y.loc, &y.fields));
    }
    assert_eq!(a.by_kind, b.by_kind);
}

#[test]
fn nulls_are_missing_and_empty_lists_are_present() {
    let (inv, diags, _) = load_texts(&[(
        "v.yaml",
        "vendors:\n  - id: a\n    tier: ~\n    handles: []\n    contract:\n    last_audit: null\n",
    )]);
    assert!(diags.is_empty(), "{diags:?}");
    let s = Schema::builtin();
    let v = vendor(&inv, "a");
    assert_eq!(field(&s, &v, "tier"), None);
    assert_eq!(field(&s, &v, "contract"), None);
    assert_eq!(field(&s, &v, "last_audit"), None);
    assert_eq!(field(&s, &v, "handles"), Some(&Value::List(Box::default())));
}

#[test]
fn anchors_and_merge_keys_work_in_inventories() {
    let text = "\
defaults: &std_contract {dpa_signed: true, breach_notification_hours: 72}
";
    let (_, diags, _) = load_texts(&[("x.yaml", text)]);
    assert_eq!(codes(&diags), ["custody::inventory::unknown_collection"]);
    let text = "\
vendors:
  - &base
    id: a
    tier: high
    contract: &c {dpa_signed: true, breach_notification_hours: 72}
  - <<: *base
    id: b
  - id: c
    contract:
      <<: *c
      dpa_signed: false
";
    let (inv, diags, _) = load_texts(&[("x.yaml", text)]);
    assert!(diags.is_empty(), "{diags:?}");
    let s = Schema::builtin();
    let b = vendor(&inv, "b");
    assert_eq!(field(&s, &b, "tier"), Some(&Value::Str("high".into())));
    let c = vendor(&inv, "c");
    assert_eq!(
        field(&s, &c, "contract.dpa_signed"),
        Some(&Value::Bool(false))
    );
    assert_eq!(
        field(&s, &c, "contract.breach_notification_hours"),
        Some(&Value::Num(72.0))
    );
}

#[test]
fn documents_and_anchored_collections_merge() {
    let text = "\
vendors: &vs
  - {id: a}
---
data_stores: [{id: s, hosted_by: a}]
---
vendors:
  - {id: b, subprocessors: [a]}
";
    let (inv, diags, _) = load_texts(&[("x.yaml", text)]);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(inv.entities.len(), 3);
}

/// One snapshot per validation error, each from one small inventory file.
const ERROR_CASES: &[(&str, &str)] = &[
    (
        "wrong_type_bool",
        "vendors:\n  - id: crm\n    mfa_enforced: \"yes\"\n  - id: hr\n    mfa_enforced: yes\n",
    ),
    (
        "wrong_type_number",
        "vendors:\n  - id: crm\n    contract:\n      breach_notification_hours: \"72\"\ndata_stores:\n  - id: s\n    records: lots\n",
    ),
    (
        "wrong_type_string_list_and_object",
        "vendors:\n  - id: crm\n    owner: 12345\n    handles: personal.contact.email\n    tier: [high]\n    contract: yes\n    certifications: [iso27001, 2]\n",
    ),
    (
        "invalid_dates",
        "vendors:\n  - id: a\n    last_audit: 2026-02-30\n    offboarded: 2026-13-01\n    contract:\n      expires: 2026-01-05T10:00:00Z\n  - id: b\n    last_audit: 5 March 2026\n",
    ),
    (
        "unknown_enum_value",
        "vendors:\n  - id: crm\n    tier: critcal\ndata_stores:\n  - id: s\n    kind: spreadsheet\n",
    ),
    (
        "unknown_field",
        "vendors:\n  - id: crm\n    mfa_enforce: true\n    contract:\n      dpa_sign: true\n    colour: red\n",
    ),
    (
        "unknown_category",
        "vendors:\n  - id: crm\n    handles: [personal.contact.adress, address, personal.contact.email, marketing]\n",
    ),
    (
        "unknown_collection",
        "vendor:\n  - id: crm\nsuppliers: []\n",
    ),
    (
        "missing_and_invalid_ids",
        "vendors:\n  - name: No Id Pty Ltd\n    tier: low\n  - id: crm platform\n  - id: ~\n  - id: [a]\n  - id: 1234\n  - id: \"\"\n",
    ),
    (
        "wrong_type_number_with_separators",
        "vendors:\n  - id: crm\n    contract:\n      breach_notification_hours: 2_100_000\ndata_stores:\n  - id: s\n    records: 1,000\n    retention_days: 1,5\n",
    ),
    (
        "wrong_type_yaml_reads_it_as_another_type",
        "vendors:\n  - id: crm\n    name: true\n    owner: 1e3\n    country: 0x1F\n    certifications: [iso27001, 2]\n",
    ),
    (
        "unknown_field_misindented",
        "vendors:\n  - id: crm\n    contract:\n    dpa_signed: true\n  - id: hr\n    contract:\n      expires: 2027-01-01\n      tier: high\n",
    ),
    ("not_a_mapping_document", "- id: crm\n"),
    (
        "not_a_list_or_mapping",
        "vendors:\n  id: crm\ndata_stores:\n  - just-a-name\n",
    ),
];

#[test]
fn each_validation_error_renders_with_its_label_and_help() {
    for (name, text) in ERROR_CASES {
        let rendered = render_one(text);
        assert!(!rendered.is_empty(), "{name}: no diagnostic");
        insta::assert_snapshot!(*name, rendered);
    }
}

#[test]
fn leap_days_are_real_days() {
    let (_, diags, _) =
        load_texts(&[("ok.yaml", "vendors:\n  - {id: a, last_audit: 2024-02-29}\n")]);
    assert!(diags.is_empty());
}

#[test]
fn invalid_ids_keep_their_entity() {
    let (inv, _, _) = load_texts(&[("x.yaml", "vendors:\n  - id: crm platform\n  - id: 1234\n")]);
    // An invalid id is reported but the entity is kept; a numeric id is read as written.
    assert!(inv.lookup(KindId(0), "crm platform").is_some());
    assert!(inv.lookup(KindId(0), "1234").is_some());
}

#[test]
fn duplicate_id_in_one_file() {
    let (inv, diags, sources) = load_texts(&[(
        "v.yaml",
        "vendors:\n  - id: crm\n    tier: high\n  - id: crm\n    tier: low\n",
    )]);
    assert_eq!(codes(&diags), ["custody::inventory::duplicate_id"]);
    // The first definition is kept.
    let s = Schema::builtin();
    assert_eq!(
        field(&s, &vendor(&inv, "crm"), "tier"),
        Some(&Value::Str("high".into()))
    );
    insta::assert_snapshot!(render_plain(&diags, &sources));
}

#[test]
fn duplicate_id_across_files_labels_both() {
    let (_, diags, sources) = load_texts(&[
        ("a.yaml", "vendors:\n  - id: crm\n"),
        (
            "b.yaml",
            "data_stores:\n  - id: crm\nvendors:\n  - id: other\n  - id: crm\n",
        ),
    ]);
    assert_eq!(codes(&diags), ["custody::inventory::duplicate_id"]);
    let d = &diags[0];
    let files: Vec<&str> = std::iter::once(&d.primary)
        .flatten()
        .chain(&d.secondary)
        .map(|l| sources.name(l.loc.file))
        .collect();
    assert_eq!(files, ["b.yaml", "a.yaml"]);
    insta::assert_snapshot!(render_plain(&diags, &sources));
}

#[test]
fn unknown_reference() {
    let text = "\
vendors:
  - id: crm-platform
    accesses: [crm-contacts, crm-contact, billing]
    subprocessors: [crm-platfrom]
data_stores:
  - id: crm-contacts
    hosted_by: crm-platform
  - id: backups
    hosted_by: nobody
";
    let (inv, diags, sources) = load_texts(&[("inv.yaml", text)]);
    insta::assert_snapshot!(render_plain(&diags, &sources));
    // Dangling references are dropped; the rest of the list stays.
    let s = Schema::builtin();
    let v = vendor(&inv, "crm-platform");
    let Some(Value::List(accesses)) = field(&s, &v, "accesses") else {
        panic!("accesses");
    };
    assert_eq!(accesses.len(), 1);
    assert_eq!(
        field(&s, &v, "subprocessors"),
        Some(&Value::List(Box::default()))
    );
    let backups = inv.get(inv.lookup(KindId(1), "backups").unwrap_or(EntityId(0)));
    assert_eq!(field(&s, backups, "hosted_by"), None);
}

#[test]
fn all_errors_in_all_files_in_one_run() {
    let (inv, diags, sources) = load_texts(&[
        (
            "a.yaml",
            "vendors:\n  - id: a\n    tier: hihg\n    subprocessors: [b, ghost]\n",
        ),
        (
            "b.yaml",
            "vendors:\n  - id: b\n    mfa_enforced: \"no\"\n    colour: red\n  - {id: c, handles: [personal.nope]}\n",
        ),
        (
            "c.yaml",
            "data_stores:\n  - id: s\n    records: [1\n---\ndata_stores:\n  - {id: t, hosted_by: a}\n",
        ),
    ]);
    assert_eq!(
        codes(&diags),
        [
            "custody::inventory::unknown_enum_value",
            "custody::inventory::unknown_reference",
            "custody::inventory::wrong_type",
            "custody::inventory::unknown_field",
            "custody::inventory::unknown_category",
            "custody::yaml::syntax",
        ]
    );
    // What was valid is kept: a, b, c and the store after the syntax error.
    assert_eq!(inv.entities.len(), 4);
    assert!(inv.lookup(KindId(1), "t").is_some());
    insta::assert_snapshot!(render_plain(&diags, &sources));
}

#[test]
fn index_lookup_needs_no_allocation_and_agrees_with_the_map() {
    let (inv, _, _) = load_texts(&[(
        "v.yaml",
        "vendors: [{id: a}, {id: b}]\ndata_stores: [{id: a}]\n",
    )]);
    assert_eq!(
        inv.lookup(KindId(0), "b"),
        inv.index.get(KindId(0), "b", &inv.entities)
    );
    assert_eq!(
        inv.lookup(KindId(0), "b").map(|e| &*inv.get(e).id),
        Some("b")
    );
    assert_ne!(inv.lookup(KindId(0), "a"), inv.lookup(KindId(1), "a"));
    assert_eq!(inv.lookup(KindId(0), "z"), None);
}

/// Load time of a generated inventory: `CUSTODY_BENCH_DIR=/tmp/benchL cargo test --release
/// --lib inventory::tests::bench_load -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark; needs CUSTODY_BENCH_DIR"]
fn bench_load() {
    let Ok(dir) = std::env::var("CUSTODY_BENCH_DIR") else {
        return;
    };
    let read = |n: &str| std::fs::read_to_string(format!("{dir}/{n}")).unwrap_or_default();
    let (stores, vendors) = (read("data_stores.yaml"), read("vendors.yaml"));
    let (sources, ids) = sources_of(&[("data_stores.yaml", &stores), ("vendors.yaml", &vendors)]);
    let (schema, taxonomy) = (Schema::builtin(), Taxonomy::builtin());
    let mut diags = Vec::new();
    let started = std::time::Instant::now();
    let inv = load(&ids, &sources, &schema, &taxonomy, &mut diags);
    println!(
        "load {:?}: {} entities, {} diags",
        started.elapsed(),
        inv.entities.len(),
        diags.len()
    );
}

/// JSON is YAML too: `gen_inventory.py M DIR --json` writes the same facts as one line of
/// flow style. `CUSTODY_JSON_DIR=DIR cargo test --release --lib inventory::tests::json_load
/// -- --ignored --nocapture`.
#[test]
#[ignore = "needs CUSTODY_JSON_DIR"]
fn json_load() {
    let Ok(dir) = std::env::var("CUSTODY_JSON_DIR") else {
        return;
    };
    let read = |n: &str| std::fs::read_to_string(format!("{dir}/{n}")).unwrap_or_default();
    let json = read("inventory.json");
    let started = std::time::Instant::now();
    let (a, diags, _) = load_texts(&[("inventory.json", &json)]);
    println!("json load {:?}", started.elapsed());
    assert!(diags.is_empty(), "{:?}", diags.first());
    let (stores, vendors) = (read("data_stores.yaml"), read("vendors.yaml"));
    let (b, _, _) = load_texts(&[("data_stores.yaml", &stores), ("vendors.yaml", &vendors)]);
    assert_eq!(a.entities.len(), b.entities.len());
    for kind in [KindId(0), KindId(1)] {
        for (&x, &y) in a.of_kind(kind).iter().zip(b.of_kind(kind)) {
            let (x, y) = (a.get(x), b.get(y));
            assert_eq!(x.id, y.id);
            let values = |inv: &Inventory, e: &Entity| -> Vec<String> {
                e.fields
                    .iter()
                    .map(|(id, f)| match &f.value {
                        Value::Ref(r) => format!("{id:?} {}", inv.get(*r).id),
                        Value::List(items) => items
                            .iter()
                            .map(|i| match &i.value {
                                Value::Ref(r) => inv.get(*r).id.to_string(),
                                v => format!("{v:?}"),
                            })
                            .collect::<Vec<_>>()
                            .join(","),
                        v => format!("{id:?} {v:?}"),
                    })
                    .collect()
            };
            assert_eq!(values(&a, x), values(&b, y));
        }
    }
}

#[test]
fn entities_before_an_error_are_kept_and_later_documents_load() {
    let text = format!(
        "vendors:\n  - id: a\n  - id: b\n  - id: c\n    tier: [high\n---\nvendors:\n  - id: d\n---\nvendors: {}\n---\nvendors: [{{id: e}}]\n",
        deep_flow(300).trim()
    );
    let (inv, diags, _) = load_texts(&[("x.yaml", &text)]);
    assert_eq!(
        codes(&diags),
        ["custody::yaml::syntax", "custody::yaml::too_deep"]
    );
    let ids: Vec<&str> = inv.entities.iter().map(|e| &*e.id).collect();
    assert_eq!(ids, ["a", "b", "d", "e"]);
}

#[test]
fn the_alias_budget_grows_with_the_file() {
    // 1,050 aliases of a 1,000-node list replay 1,050,000 nodes: over the 1,000,000 floor.
    let mut head = String::from("base: &b [");
    head.push_str(&vec!["x"; 999].join(","));
    head.push_str("]\ncopies:\n");
    head.push_str(&"  - *b\n".repeat(1050));
    // Followed by 600,000 nodes of its own, the limit is 2 x 601,000+ and the file is fine...
    let big = format!("{head}more:\n{}", "  - y\n".repeat(600_000));
    let (_, diags, _) = parse_text(&big);
    assert!(diags.is_empty(), "{diags:?}");
    // ...followed by the same bytes of comments instead, it is over the budget, which is
    // only known at the end of the file.
    let padded = format!("{head}# {}\n", "z".repeat(3_600_000));
    let (_, diags, _) = parse_text(&padded);
    assert_eq!(codes(&diags), ["custody::yaml::alias_budget"]);
}

#[test]
fn restating_the_shipped_schema_and_taxonomy_changes_nothing() {
    let (s, diags, _) = extend_schema(super::schema::BUILTIN_SCHEMA);
    assert!(diags.is_empty(), "{diags:?}");
    let builtin = Schema::builtin();
    assert_eq!(s.kinds.len(), builtin.kinds.len());
    for (a, b) in s.kinds.iter().zip(&builtin.kinds) {
        assert_eq!(a.fields.len(), b.fields.len());
    }
    let (docs, _, _) = parse_text(super::taxonomy::BUILTIN_TAXONOMY);
    let mut t = Taxonomy::builtin();
    let mut diags = Vec::new();
    t.extend(FileId(0), &docs[0], &mut diags);
    assert!(diags.is_empty());
    assert_eq!(t.len(), Taxonomy::builtin().len());
}

// ---------------------------------------------------------------------------------------
// No cascade: what a YAML error kept from being read is not reported again.

#[test]
fn references_into_text_a_syntax_error_hid_are_not_reported_as_unknown() {
    let vendors = "\
vendors:
  - id: a
  - id: b
    name: [oops
  - id: c
---
data_stores:
  - id: s9
    hosted_by: gone
";
    let stores = "\
data_stores:
  - id: s1
    hosted_by: b
  - id: s2
    hosted_by: c
  - id: s3
    hosted_by: a
  - id: s4
    hosted_by: zzz
";
    let (inv, diags, sources) = load_texts(&[("vendors.yaml", vendors), ("stores.yaml", stores)]);
    // `b` and `c` may be defined in the part of vendors.yaml the error hid; `zzz`, and `gone`
    // in the next document (which was read), are not written there.
    let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "invalid YAML: a `:` is not allowed here",
            "`hosted_by` refers to unknown vendor `gone`",
            "`hosted_by` refers to unknown vendor `zzz`",
        ],
        "{diags:#?}"
    );
    // The hidden references are dropped like any dangling one; the entities stay.
    let s1 = inv
        .get(inv.lookup(KindId(1), "s1").unwrap_or(EntityId(0)))
        .clone();
    assert_eq!(s1.fields.iter().count(), 0);
    assert!(inv.lookup(KindId(0), "a").is_some());
    insta::assert_snapshot!(
        "no_cascade_after_a_syntax_error",
        render_plain(&diags, &sources)
    );
}

#[test]
fn without_a_syntax_error_every_unknown_reference_is_reported() {
    let (_, diags, _) =
        load_texts(&[("v.yaml", "vendors:\n  - id: a\n    subprocessors: [b, c]\n")]);
    assert_eq!(
        codes(&diags),
        [
            "custody::inventory::unknown_reference",
            "custody::inventory::unknown_reference"
        ]
    );
}

#[test]
fn yaml_one_point_two_reads_no_and_on_as_strings() {
    // The Norway problem does not arise: only `true`/`false` are booleans.
    let (inv, diags, _) = load_texts(&[(
        "v.yaml",
        "vendors:\n  - id: a\n    country: NO\n    name: on\n",
    )]);
    assert!(diags.is_empty(), "{diags:?}");
    let s = Schema::builtin();
    let a = vendor(&inv, "a");
    assert_eq!(field(&s, &a, "country"), Some(&Value::Str("NO".into())));
    assert_eq!(field(&s, &a, "name"), Some(&Value::Str("on".into())));
}

// ---------------------------------------------------------------------------------------
// Reading a file in parts (yaml::split): the same inventory and diagnostics as reading it
// whole, on adversarial files.

/// Everything a load produced, in a deterministic text: entities, kinds, links, the index
/// and the rendered diagnostics.
fn load_fingerprint(files: &[(&str, &str)], split: load::Split) -> String {
    let (sources, ids) = sources_of(files);
    let mut diags = Vec::new();
    let inv = load::load_with(
        &ids,
        &sources,
        &Schema::builtin(),
        &Taxonomy::builtin(),
        split,
        &mut diags,
    );
    diag::sort(&mut diags);
    format!("{}\n{}", inv.dump(), render_plain(&diags, &sources))
}

/// (text, whether it is read in parts): every case must load the same in parts as whole.
const SPLIT_CASES: &[(&str, bool)] = &[
    // Comments, blank lines, a list at column 0, CRLF.
    (
        "# inventory\nvendors:\n  - id: a\n    tier: low\n\n  # between\n  - id: b\n# col 0\n  - id: c\ndata_stores:\n- id: s\n  hosted_by: a\n- id: t\n",
        true,
    ),
    (
        "vendors:\r\n  - id: a\r\n    tier: low\r\n  - id: b\r\n    accesses: [s]\r\ndata_stores:\r\n  - id: s\r\n",
        true,
    ),
    // Block scalars whose lines look like entries and keys, keep chomping before an entry.
    (
        "vendors:\n  - id: a\n    description: |\n      - id: fake\n      vendors:\n      # - id: no\n      x\n    tier: low\n  - id: b\n    description: |+\n      kept\n\n\n  - id: c\n    description: >-\n      folded\n      - still\n  - id: d\n    description: |\n  - id: e\n",
        true,
    ),
    // Quoted and flow values with the characters the cut looks for, on one line.
    (
        "vendors:\n  - id: a\n    name: \"x - y # z [ { '\"\n    description: 'it''s - [ ]'\n    handles: [personal.contact.email, \"personal.contact.address\"]\n    subprocessors: [{id: b, country: DE}, b]\n  - id: b\n    name: it's \"fine\" - [x\n",
        true,
    ),
    // Plain scalars over several lines, entries whose mapping starts on the next line.
    (
        "vendors:\n  - id: a\n    description: one\n      - two\n      three\n  -\n    id: b\n  -   id: c\n      tier: high\n",
        true,
    ),
    // Validation errors: kept and identical, still read in parts.
    (
        "vendors:\n  - id: a\n    tierr: low\n    last_audit: 2026-13-01\n  - id: a\n    handles: [personal.nope]\n  - id: c\n    accesses: [missing]\n  - tier: low\n  - [1, 2]\ndata_stores:\n  - id: s\n    hosted_by: zz\n",
        true,
    ),
    // Values whose span depends on what follows them (empty and block scalars), before an
    // entry, a collection key (after comments) and the end of the file.
    (
        "vendors:\n  - id: a\n    description:\n  - id: b\n    description: |\n  - id: c\n    description: >+\n\n# note\n\ndata_stores:\n  - id: s\n    description:\n  - id: t\n    description: |-\n",
        true,
    ),
    (
        "vendors:\n  - id: a\n    description: |\ndata_stores:\n  - id: s\n    description:\n\n",
        true,
    ),
    // A list at column 0 followed by another collection: read whole (see yaml::split).
    (
        "vendors:\n- id: a\n  description: |\n- id: b\n  tier: low\ndata_stores:\n- id: s\n",
        false,
    ),
    // Core tags are fine in a part.
    (
        "vendors:\n  - id: !!str 123\n    tier: !!str low\n  - id: b\n",
        true,
    ),
    // Unicode text and ids.
    (
        "vendors:\n  - id: é1\n    name: \"Zürich – 東京 \\u00e9\"\n  - id: b\n    name: ☃\n",
        true,
    ),
    // A multi-line quoted scalar holding an entry-like line: the part before the cut ends
    // inside the quote, so the file is read whole.
    (
        "vendors:\n  - id: a\n    name: \"first\n  - id: fake\n    end\"\n  - id: b\n",
        false,
    ),
    (
        "vendors:\n  - id: a\n    name: 'first\n  - id: fake\n    end'\n  - id: b\n",
        false,
    ),
    // A flow collection open across an entry-like line.
    (
        "vendors:\n  - id: a\n    handles: [personal.contact.email,\n  - personal.contact.address]\n  - id: b\n",
        false,
    ),
    // A quoted scalar running into a column-0 collection key.
    (
        "vendors:\n  - id: a\n    name: \"foo\ndata_stores:\n  - id: s\"\n  - id: b\n",
        false,
    ),
    // Anchors and aliases, within one entry and across entries, and merge keys.
    (
        "vendors:\n  - id: a\n    contract: &c\n      dpa_signed: true\n  - id: b\n    contract: *c\n",
        false,
    ),
    (
        "vendors:\n  - id: a\n    name: &n x\n    owner: *n\n  - id: b\n",
        false,
    ),
    (
        "vendors:\n  - &base\n    id: a\n    tier: low\n  - <<: *base\n    id: b\n",
        false,
    ),
    // YAML errors in one entry: the whole file says what is lost.
    (
        "vendors:\n  - id: a\n    tier: low\n   bad: indent\n  - id: b\n",
        false,
    ),
    (
        "vendors:\n  - id: a\n    tier: low\n    tier: high\n  - id: b\n",
        false,
    ),
    (
        "vendors:\n  - id: a\n    name: !vault secret\n  - id: b\n",
        false,
    ),
    ("vendors:\n  - id: a\n    name: \"unterminated\n", false),
    // Shapes the cut does not take.
    ("---\nvendors:\n  - id: a\n  - id: b\n...\n", false),
    ("vendors:\n  - id: a\nvendors:\n  - id: b\n", false),
    ("vendors: [{id: a}, {id: b}]\n", false),
    ("vendors:\n  - id: a\n\t- id: b\n", false),
    ("vendors:\n  - id: a\n- id: b\n", false),
];

#[test]
fn a_file_read_in_parts_loads_as_read_whole() {
    for (i, (text, in_parts)) in SPLIT_CASES.iter().enumerate() {
        let whole = load_fingerprint(&[("inventory.yaml", text)], load::Split::Never);
        for split in [
            load::Split::Parts(1),
            load::Split::Parts(40),
            load::Split::Auto,
        ] {
            let parts = load_fingerprint(&[("inventory.yaml", text)], split);
            assert_eq!(whole, parts, "case {i} with {split:?}:\n{text}");
        }
        let used = load::reads_in_parts(text, &Schema::builtin(), &Taxonomy::builtin(), 1);
        assert_eq!(used, *in_parts, "case {i}: read in parts?\n{text}");
    }
}

/// The nesting limit counts the same in a part as in the whole file.
#[test]
fn nesting_limit_is_the_same_in_parts() {
    for depth in [MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH] {
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let text = format!("vendors:\n  - id: a\n    description: {deep}\n  - id: b\n");
        let whole = load_fingerprint(&[("inventory.yaml", &text)], load::Split::Never);
        let parts = load_fingerprint(&[("inventory.yaml", &text)], load::Split::Parts(1));
        assert_eq!(whole, parts, "depth {depth}");
    }
}

/// The language server's cache keeps a large file in parts: after each edit only the
/// changed parts are read again, and the inventory and diagnostics are a fresh load's.
#[test]
fn cached_parts_of_an_edited_file_load_as_a_fresh_read() {
    cached_edits_load_as_fresh_reads(false);
}

/// The same edits, with copies of the kept loads prepared between them (as the language
/// server does while idle): the merges take them, and still load what a fresh read does.
#[test]
fn prepared_copies_of_kept_loads_merge_as_a_fresh_read() {
    cached_edits_load_as_fresh_reads(true);
}

fn cached_edits_load_as_fresh_reads(prepare: bool) {
    let vendors: String = (0..600)
        .map(|i| {
            format!(
                "  - id: v{i:04}\n    name: Vendor {i}\n    tier: low\n    description: |\n      note {i}\n    subprocessors: [v{:04}]\n",
                (i * 7 + 3) % 600
            )
        })
        .collect();
    let stores: String = (0..300)
        .map(|i| format!("  - id: s{i:04}\n    hosted_by: v{:04}\n", i % 600))
        .collect();
    let first = format!("vendors:\n{vendors}data_stores:\n{stores}");
    assert!(
        first.len() > 64 << 10,
        "{} bytes: kept in parts",
        first.len()
    );
    let edits: Vec<String> = vec![
        // A field in the middle.
        first.replacen("    name: Vendor 300\n", "    name: Vendor 300 Ltd\n", 1),
        // An entry line (a cut may move), a new entry, a deleted entry.
        first.replacen("  - id: v0100\n", "  - id: w0100\n", 1),
        first.replacen("  - id: v0200\n", "  - id: x0001\n    tier: high\n  - id: v0200\n", 1),
        first.replacen("  - id: v0400\n    name: Vendor 400\n    tier: low\n    description: |\n      note 400\n    subprocessors: [v0403]\n", "", 1),
        // A validation error, then a YAML error (read whole), then fixed again.
        first.replacen("    tier: low\n", "    tier: lowest\n", 1),
        first.replacen("    name: Vendor 5\n", "    name: \"Vendor 5\n", 1),
        first.clone(),
        // Everything after a point moves.
        format!("# a comment at the top\n{first}"),
    ];
    // A second, small file (kept whole) that is never edited, naming vendors of the first.
    let other =
        "data_stores:\n  - id: t0001\n    hosted_by: v0300\n  - id: t0002\n    hosted_by: v0100\n";
    let mut sources = SourceMap::indexed();
    let path = std::path::PathBuf::from("/inv/vendors.yaml");
    let file = sources.set_text(path.clone(), "vendors.yaml", first.clone());
    let other_file = sources.set_text("/inv/other.yaml".into(), "other.yaml", other.to_string());
    let mut cache = load::FileCache::default();
    let (schema, taxonomy) = (Schema::builtin(), Taxonomy::builtin());
    let mut diags = Vec::new();
    load::load_cached(
        &[file, other_file],
        &sources,
        &schema,
        &taxonomy,
        &mut cache,
        &mut diags,
    );
    let (read, reused) = cache.parts();
    assert!(
        read > 10 && reused == 0,
        "first load: {read} parts read, {reused} reused"
    );
    for (i, text) in edits.iter().enumerate() {
        if prepare {
            cache.prepare();
        }
        let file = sources.set_text(path.clone(), "vendors.yaml", text.clone());
        let mut cached_diags = Vec::new();
        let cached = load::load_cached(
            &[file, other_file],
            &sources,
            &schema,
            &taxonomy,
            &mut cache,
            &mut cached_diags,
        );
        let (fresh_sources, ids) = sources_of(&[("vendors.yaml", text), ("other.yaml", other)]);
        let mut fresh_diags = Vec::new();
        let fresh = load(&ids, &fresh_sources, &schema, &taxonomy, &mut fresh_diags);
        diag::sort(&mut cached_diags);
        diag::sort(&mut fresh_diags);
        assert_eq!(cached.dump(), fresh.dump(), "edit {i}");
        assert_eq!(
            render_plain(&cached_diags, &sources),
            render_plain(&fresh_diags, &fresh_sources),
            "edit {i}"
        );
        // Every load the merge consumed was prepared, but those of the parts read again.
        let (ready, copied) = cache.copies();
        if prepare {
            let ok = match i {
                // Read whole: the other file's copy was prepared, the whole load is new.
                5 => (ready, copied) == (1, 1),
                // Every part read again: only the other file's copy was prepared.
                6 => ready == 1 && copied > 10,
                _ => ready > 10 && copied <= 3,
            };
            assert!(ok, "edit {i}: {ready} prepared, {copied} copied");
        } else {
            assert_eq!(ready, 0, "edit {i}: {copied} copied");
        }
        let (read, reused) = cache.parts();
        match i {
            // A YAML error: the file is read whole.
            5 => assert_eq!((read, reused), (0, 0), "edit {i}"),
            // After the whole read nothing was kept in parts.
            6 => assert!(reused == 0 && read > 10, "edit {i}: {read} read"),
            _ => assert!(
                read <= 3 && reused > 10,
                "edit {i}: {read} read, {reused} reused"
            ),
        }
    }
}

/// A field value at `start` for the `Fields` tests.
fn num_at(n: f64, start: usize) -> Field {
    Field {
        value: Value::Num(n),
        span: crate::source::Span::new(start, start + 1),
    }
}

#[test]
fn sparse_and_dense_fields_read_as_the_slots_they_were_made_from() {
    for count in [3usize, 21, 63, 64, 70] {
        // Every third field present, and field 1 reserved (a slot, missing).
        let mut slots: Vec<Option<Field>> = (0..count)
            .map(|i| (i % 3 == 0).then(|| num_at(i as f64, i)))
            .collect();
        let expected = slots.clone();
        let mut fields = Fields::take_from(&mut slots, |f| f == FieldId(1));
        assert!(slots.iter().all(Option::is_none), "taken out");
        for (i, want) in expected.iter().enumerate() {
            assert_eq!(
                fields.get(FieldId(i as u16)),
                want.as_ref(),
                "{count} fields, #{i}"
            );
        }
        assert_eq!(fields.get(FieldId(count as u16)), None);
        assert_eq!(fields.get(FieldId(u16::MAX)), None);
        let listed: Vec<(FieldId, Field)> = fields.iter().map(|(i, f)| (i, f.clone())).collect();
        let want: Vec<(FieldId, Field)> = expected
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((FieldId(i as u16), f.clone()?)))
            .collect();
        assert_eq!(listed, want, "{count} fields");
        // Setting a reserved, a present and an absent field; clearing one.
        let (last, reserved) = (FieldId(count as u16 - 1), FieldId(1));
        fields.set(reserved, count, num_at(100.0, 1));
        fields.set(FieldId(0), count, num_at(101.0, 0));
        fields.set(last, count, num_at(102.0, 2));
        if let Some(slot) = fields.get_mut(FieldId(3)) {
            *slot = None;
        }
        assert_eq!(
            fields.get(reserved).map(|f| &f.value),
            Some(&Value::Num(100.0))
        );
        assert_eq!(
            fields.get(FieldId(0)).map(|f| &f.value),
            Some(&Value::Num(101.0))
        );
        assert_eq!(fields.get(last).map(|f| &f.value), Some(&Value::Num(102.0)));
        assert_eq!(fields.get(FieldId(3)), None);
        let ids: Vec<u16> = fields.iter().map(|(i, _)| i.0).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted, "in id order, once each");
        assert!(!ids.contains(&3));
    }
}

#[test]
fn a_kind_with_more_than_64_fields_loads_every_field() {
    let mut text = String::from("vendor:\n  fields:\n");
    for i in 0..70 {
        text.push_str(&format!("    extra{i}: number\n"));
    }
    let (schema, diags, _) = extend_schema(&text);
    assert!(diags.is_empty(), "{diags:?}");
    let inventory = "vendors:\n  - id: a\n    tier: high\n    extra0: 0\n    extra62: 62\n    extra63: 63\n    extra69: 69\n  - id: b\n    subprocessors: [a]\n";
    let (sources, ids) = sources_of(&[("v.yaml", inventory)]);
    let mut diags = Vec::new();
    let inv = load(&ids, &sources, &schema, &Taxonomy::builtin(), &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    let a = vendor(&inv, "a");
    let ks = schema.kind(KindId(0));
    let value = |name: &str| {
        let f = ks.fields.iter().position(|f| f.name == name)?;
        a.field(FieldId(f as u16)).map(|f| f.value.clone())
    };
    for i in [0, 62, 63, 69] {
        assert_eq!(value(&format!("extra{i}")), Some(Value::Num(f64::from(i))));
    }
    assert_eq!(value("extra1"), None);
    assert_eq!(value("tier"), Some(Value::Str("high".into())));
    // The reverse list, filled by the merge pass on a dense entity.
    let b = inv.lookup(KindId(0), "b");
    match value("subprocessor_of") {
        Some(Value::List(items)) => assert_eq!(
            items.iter().map(|f| f.value.clone()).collect::<Vec<_>>(),
            [Value::Ref(b.unwrap_or(EntityId(u32::MAX)))]
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_id_index_tells_entities_apart_when_their_hashes_collide() {
    let (inv, _, _) = load_texts(&[(
        "v.yaml",
        "vendors: [{id: a}, {id: b}, {id: c}]\ndata_stores: [{id: a}, {id: d}]\n",
    )]);
    // Two bits of hash: at most four buckets for five entities, so some share one.
    for bits in [0, 1, 3] {
        let mut index = model::IdIndex::with_hash_bits(bits);
        for i in 0..inv.entities.len() {
            assert_eq!(index.insert(EntityId(i as u32), &inv.entities), Ok(()));
        }
        assert_eq!(index.len(), 5);
        for (i, e) in inv.entities.iter().enumerate() {
            assert_eq!(
                index.get(e.kind, &e.id, &inv.entities),
                Some(EntityId(i as u32))
            );
            // Again: a duplicate, reported with the first.
            let mut again = inv.entities.clone();
            again.push(e.clone());
            assert_eq!(
                index.clone().insert(EntityId(5), &again),
                Err(EntityId(i as u32))
            );
        }
        assert_eq!(index.get(KindId(0), "d", &inv.entities), None);
        assert_eq!(index.get(KindId(1), "b", &inv.entities), None);
    }
}

#[test]
fn field_spans_are_in_the_entity_file_and_reverse_elements_in_the_referencing_file() {
    let stores = "data_stores:\n  - id: crm\n    region: eu-west-1\n    hosted_by: acme\n";
    let vendors =
        "vendors:\n  - id: acme\n    tier: high\n    accesses: [crm, {id: crm, access: read}]\n";
    let (inv, diags, sources) =
        load_texts(&[("data_stores.yaml", stores), ("vendors.yaml", vendors)]);
    assert!(diags.is_empty(), "{diags:?}");
    let schema = Schema::builtin();
    let id = |k: u16, id: &str| inv.lookup(KindId(k), id).unwrap_or(EntityId(u32::MAX));
    let (acme, crm) = (inv.get(id(0, "acme")), inv.get(id(1, "crm")));
    let fid = |k: u16, name: &str| schema.kind(KindId(k)).field(name);
    let at = |e: &Entity, name: &str, k: u16| {
        e.field_loc(fid(k, name).unwrap_or(FieldId(u16::MAX)))
            .map(|l| sources.slice(l).to_string())
    };
    assert_eq!(at(acme, "tier", 0).as_deref(), Some("high"));
    assert_eq!(at(crm, "region", 1).as_deref(), Some("eu-west-1"));
    assert_eq!(at(crm, "hosted_by", 1).as_deref(), Some("acme"));
    // A list's elements, in the entity's file.
    let accesses = fid(0, "accesses").and_then(|f| acme.field(f));
    let Some(Value::List(items)) = accesses.map(|f| &f.value) else {
        panic!("{accesses:?}")
    };
    let written: Vec<&str> = items
        .iter()
        .map(|i| sources.slice(acme.loc_of(i)))
        .collect();
    assert_eq!(written, ["crm", "crm"]);
    // The reverse lists: on the store, its elements are in vendors.yaml.
    let accessed_by = fid(1, "accessed_by").and_then(|f| crm.field(f));
    let Some(Value::List(items)) = accessed_by.map(|f| &f.value) else {
        panic!("{accessed_by:?}")
    };
    let locs: Vec<_> = items.iter().filter_map(|i| inv.reverse_loc(i)).collect();
    assert_eq!(locs.len(), 2);
    assert!(locs.iter().all(|l| l.file == acme.loc.file));
    let written: Vec<&str> = locs.iter().map(|l| sources.slice(*l)).collect();
    assert_eq!(written, ["crm", "crm"]);
    // The list itself is located at the store's id, in its own file.
    assert_eq!(at(crm, "accessed_by", 1).as_deref(), Some("crm"));
    assert_eq!(
        crm.field_loc(fid(1, "accessed_by").unwrap_or(FieldId(0)))
            .map(|l| l.file),
        Some(crm.loc.file)
    );
    let hosts = fid(0, "hosts").and_then(|f| acme.field(f));
    let Some(Value::List(items)) = hosts.map(|f| &f.value) else {
        panic!("{hosts:?}")
    };
    let locs: Vec<_> = items.iter().filter_map(|i| inv.reverse_loc(i)).collect();
    assert_eq!(
        locs.iter().map(|l| l.file).collect::<Vec<_>>(),
        [crm.loc.file]
    );
    assert_eq!(sources.slice(locs[0]), "acme");
}

/// A text lent to the loader ([`load::load_lent`]) is dropped once its file is read, and
/// the inventory is the one read from the source map, references, links and errors alike.
#[test]
fn a_lent_text_is_dropped_and_loads_the_same() {
    let mut v = String::from("vendors:\n");
    for i in 0..3000 {
        v.push_str(&format!(
            "  - id: v{i}\n    tier: low\n    subprocessors: [{{id: v{}, country: DE}}, nobody]\n",
            (i + 1) % 3000
        ));
    }
    let s = "data_stores:\n  - id: s\n    hosted_by: v7\n    accessed_by: [v1]\n".to_owned();
    let files = [
        ("vendors.yaml", v.as_str()),
        ("data_stores.yaml", s.as_str()),
    ];
    let kept = load_fingerprint(&files, load::Split::Auto);

    let (sources, ids) = sources_of(&files);
    let lent = std::sync::Arc::new(v.clone());
    let weak = std::sync::Arc::downgrade(&lent);
    let mut diags = Vec::new();
    let inv = load::load_lent(
        vec![(ids[0], Some(lent)), (ids[1], None)],
        &sources,
        &Schema::builtin(),
        &Taxonomy::builtin(),
        &mut diags,
    );
    assert!(weak.upgrade().is_none(), "the loader kept the lent text");
    diag::sort(&mut diags);
    assert!(!diags.is_empty());
    assert_eq!(
        format!("{}\n{}", inv.dump(), render_plain(&diags, &sources)),
        kept
    );

    // Lent files are read one at a time, largest first; the entities keep the files' order.
    let files = [
        ("data_stores.yaml", s.as_str()),
        ("vendors.yaml", v.as_str()),
    ];
    let kept = load_fingerprint(&files, load::Split::Auto);
    let (sources, ids) = sources_of(&files);
    let lent = |t: &str| Some(std::sync::Arc::new(t.to_owned()));
    let mut diags = Vec::new();
    let inv = load::load_lent(
        vec![(ids[0], lent(&s)), (ids[1], lent(&v))],
        &sources,
        &Schema::builtin(),
        &Taxonomy::builtin(),
        &mut diags,
    );
    diag::sort(&mut diags);
    assert_eq!(
        format!("{}\n{}", inv.dump(), render_plain(&diags, &sources)),
        kept
    );
}
