//! Supply chain paths and data flowing down them (SPEC §7.2; docs/language.md, "Supply chain
//! paths" and "`receives`: data flowing to fourth parties"), end to end.

mod common;
use common::{AS_OF, failing_ids};

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A diamond (root lists a and b, both list c), a chain below it (c lists d), the same
/// diamond listed the other way round (flip lists b before a), and a cycle (x → y → z → x).
const PATHS: &str = "
vendors:
  - id: root
    subprocessors:
      - id: a
        handles: [personal.contact]
        transfer: scc
      - b
  - id: flip
    subprocessors: [b, a]
  - id: a
    name: Alpha
    subprocessors: [c]
  - id: b
    name: Beta
    subprocessors:
      - {id: c, transfer: dpf}
  - id: c
    subprocessors:
      - {id: d, country: DE}
  - id: d
  - id: x
    subprocessors: [y]
  - id: y
    subprocessors: [z]
  - id: z
    subprocessors: [x, y]
";

fn paths(require: &str) -> Vec<String> {
    failing_ids("for vendor v", require, PATHS, AS_OF)
}

#[test]
fn depth_counts_links_from_the_vendor_breadth_first() {
    // root: a and b at 1, c at 2 (through either), d at 3.
    assert_eq!(
        paths("no p in v.supply_chain: p.depth == 3"),
        ids(&["flip", "root"])
    );
    assert_eq!(
        paths("count(p in v.supply_chain where p.depth == 1) != 2"),
        ids(&["flip", "root", "z"])
    );
    // d is at depth 3 below root, at depth 2 below a and b.
    assert_eq!(
        paths("all p in v.supply_chain: p.id != \"d\" or p.depth != 2"),
        ids(&["a", "b"])
    );
    // d has no supply chain: `max` of nothing is missing, and `<` on it is false.
    assert_eq!(
        paths("max(p in v.supply_chain: p.depth) < 3"),
        ids(&["d", "flip", "root"])
    );
}

#[test]
fn via_is_the_vendor_that_lists_it_ties_broken_by_list_order() {
    // Direct subprocessors are listed by the vendor itself.
    assert_eq!(
        paths("all p in v.supply_chain where p.depth == 1: p.via == v"),
        ids(&[])
    );
    // c is reached through a below root (a comes first in root's list), through b below
    // flip (b comes first there).
    assert_eq!(
        paths("no p in v.supply_chain where p.id == \"c\": p.via.name == \"Alpha\""),
        ids(&["a", "root"])
    );
    assert_eq!(
        paths("no p in v.supply_chain where p.id == \"c\": p.via.id == \"b\""),
        ids(&["b", "flip"])
    );
}

#[test]
fn link_is_the_link_from_via_and_missing_for_the_short_form() {
    assert_eq!(
        paths("no p in v.supply_chain: p.link.transfer == \"scc\""),
        ids(&["root"])
    );
    // root → b is the short form; flip → b too.
    assert_eq!(
        paths("no p in v.supply_chain where p.id == \"b\": p.link.transfer is missing"),
        ids(&["flip", "root"])
    );
    // c below flip comes through b's link (dpf); below root through a's short form.
    assert_eq!(
        paths("no p in v.supply_chain: p.link.transfer == \"dpf\""),
        ids(&["b", "flip"])
    );
    // d's link from c carries a country, whatever the depth.
    assert_eq!(
        paths("no p in v.supply_chain: p.link.country == \"DE\""),
        ids(&["a", "b", "c", "flip", "root"])
    );
}

#[test]
fn a_cycle_terminates_and_the_vendor_itself_is_excluded() {
    assert_eq!(
        paths("count(v.supply_chain) == 2 or v.id not in [\"x\", \"y\", \"z\"]"),
        ids(&[])
    );
    // Below x: y at 1, z at 2 through y; x itself never.
    assert_eq!(
        paths("no p in v.supply_chain: p.id == \"z\" and p.depth == 2 and p.via.id == \"y\""),
        ids(&["x"])
    );
    assert_eq!(paths("all p in v.supply_chain: p != v"), ids(&[]));
}

#[test]
fn depth_and_via_work_in_aggregates_and_nested_quantifiers() {
    // Nested: the inner variable's slots come after the outer one's extras.
    assert_eq!(
        paths(
            "all p in v.supply_chain: all q in p.supply_chain: q.depth >= 1 and p.depth >= 1 and q.via is set"
        ),
        ids(&[])
    );
    assert_eq!(
        paths("sum(p in v.supply_chain where p.via == v: p.depth) == count(v.subprocessors)"),
        ids(&[])
    );
    // Over a reference list inside a supply-chain quantifier, link slots stay apart.
    assert_eq!(
        paths(
            "no p in v.supply_chain: any s in p.subprocessors: s.link.transfer == \"dpf\" and p.depth == 1"
        ),
        ids(&["flip", "root"])
    );
}

/// `receives`: h handles addresses and passes them down a 3-hop chain of short-form links;
/// links with `handles` narrow what passes.
const FLOW: &str = "
vendors:
  - id: h
    handles: [personal.contact.address]
    subprocessors:
      - r1
      - id: n-health
        handles: [personal.health]
      - id: n-contact
        handles: [personal.contact]
      - id: n-empty
        handles: []
  - id: r1
    subprocessors:
      - {id: r2, transfer: scc}
      - id: r2x
        handles: [system.logs]
  - id: r2
    subprocessors: [r3]
  - id: r3
    subprocessors: [c1]
  - id: r2x
  - id: n-health
  - id: n-contact
  - id: n-empty
  - id: c1
    subprocessors: [c2]
  - id: c2
    subprocessors: [c1, h]
  - id: health
    handles: [personal.health]
    subprocessors: [hs]
  - id: hs
  - id: q
    subprocessors: [w]
  - id: w
  - id: via-store
    accesses: [records]
    subprocessors: [vs]
  - id: vs
data_stores:
  - id: records
    holds: [personal.contact.email]
";

fn receivers(c: &str) -> Vec<String> {
    failing_ids(
        &format!("for vendor v where v receives {c}"),
        "false",
        FLOW,
        AS_OF,
    )
}

#[test]
fn receives_through_one_and_three_hops_and_the_handler_itself_does_not() {
    let got = receivers("personal.contact.address");
    for v in ["r1", "r2", "r3", "n-contact"] {
        assert!(got.contains(&v.to_owned()), "{v} in {got:?}");
    }
    // h handles it but is not downstream of a vendor that has it... except through the
    // cycle c1 → c2 → h, which does make it a receiver of its own data.
    assert!(got.contains(&"h".to_owned()), "{got:?}");
    // q lists w but has nothing: w receives nothing.
    assert!(!got.contains(&"w".to_owned()), "{got:?}");
    assert!(!got.contains(&"q".to_owned()), "{got:?}");
}

#[test]
fn a_handler_not_downstream_does_not_receive() {
    // `health` handles personal.health, and nobody lists it; n-health's link passes health,
    // but h, which lists it, has none.
    let got = receivers("personal.health");
    assert_eq!(got, ids(&["hs"]));
}

#[test]
fn link_handles_narrow_what_passes_and_an_empty_list_passes_nothing() {
    let got = receivers("personal.contact.address");
    assert!(!got.contains(&"n-health".to_owned()), "{got:?}");
    assert!(!got.contains(&"n-empty".to_owned()), "{got:?}");
    assert!(!got.contains(&"r2x".to_owned()), "{got:?}");
    // A link without `handles` passes everything: r1 (short form), r2 (long form, no
    // `handles`).
    assert!(got.contains(&"r2".to_owned()), "{got:?}");
    // r2x's link passes system.logs, which nothing upstream has.
    assert_eq!(receivers("system.logs"), ids(&[]));
}

#[test]
fn receives_follows_what_a_vendor_handles_through_its_stores() {
    let got = receivers("personal.contact.email");
    assert!(got.contains(&"vs".to_owned()), "{got:?}");
    // h handles addresses, a sibling of email: nothing of h's flows as email.
    assert!(!got.contains(&"r1".to_owned()), "{got:?}");
    // A broader pattern catches both.
    let got = receivers("personal.contact");
    assert!(
        got.contains(&"vs".to_owned()) && got.contains(&"r1".to_owned()),
        "{got:?}"
    );
}

#[test]
fn receives_with_except_and_lists() {
    let got = receivers("personal except personal.contact");
    assert_eq!(got, ids(&["hs"]));
    let got = receivers("[personal.health, system.logs]");
    assert_eq!(got, ids(&["hs"]));
    // `except` bound by a `let`, as `handles` takes it.
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "let wanted = personal except personal.health\nrule T-1 \"t\" {\n for vendor v where v receives wanted\n require false\n}\n",
        ),
        ("inventory/v.yaml", FLOW),
    ]);
    let got: Vec<String> = r
        .findings
        .iter()
        .map(|f| r.project.inventory.get(f.entity).id.to_string())
        .collect();
    assert!(
        !got.contains(&"hs".to_owned()) && got.contains(&"r1".to_owned()),
        "{got:?}"
    );
}

#[test]
fn cycles_terminate_and_everything_on_them_receives() {
    let got = receivers("personal.contact.address");
    assert!(
        got.contains(&"c1".to_owned()) && got.contains(&"c2".to_owned()),
        "{got:?}"
    );
}

#[test]
fn receives_in_a_quantifier_over_the_supply_chain() {
    assert_eq!(
        failing_ids(
            "for vendor v where v handles personal.contact.address",
            "no p in v.supply_chain: p receives personal.contact.address and p.depth == 3",
            FLOW,
            AS_OF,
        ),
        ids(&["h"])
    );
}

#[test]
fn the_evidence_is_the_chain_with_locations() {
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "rule T-1 \"t\" {\n for vendor v where v receives personal.contact.address\n require false\n}\n",
        ),
        ("inventory/v.yaml", FLOW),
    ]);
    let ev = common::evidence(&r, "r3").join("\n");
    assert_eq!(
        ev,
        "receives personal.contact.address from vendor/h, through a chain of 3 subprocessor links\n\
         vendor/h declares personal.contact.address in its handles\n\
         vendor/h lists vendor/r1 as a subprocessor; the link declares no handles, so it passes everything vendor/h has\n\
         vendor/r1 lists vendor/r2 as a subprocessor; the link declares no handles, so it passes everything vendor/r1 has\n\
         vendor/r2 lists vendor/r3 as a subprocessor; the link declares no handles, so it passes everything vendor/r2 has\n\
         false is false"
    );
    let f = r
        .findings
        .iter()
        .find(|f| &*r.project.inventory.get(f.entity).id == "n-contact")
        .expect("n-contact");
    let texts: Vec<String> = f.selected().iter().map(|x| x.text.clone()).collect();
    assert_eq!(
        texts[2],
        "vendor/h lists vendor/n-contact as a subprocessor; the link handles the broader personal.contact (may include personal.contact.address)"
    );
    let lines: Vec<usize> = f
        .selected()
        .iter()
        .map(|x| {
            let loc = x.loc.expect("every step is located");
            r.project.sources.line_col(loc).0
        })
        .collect();
    // The link to n-contact (line 9), h's category (line 4), the link again.
    assert_eq!(lines, [9, 4, 9]);
}

/// `custody explain` on a rule over `receives` and the supply chain's paths.
fn explain_flow(args: &[&str]) -> (String, i32) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("rules.policy"),
        "rule T-1 \"Fourth parties that receive addresses are close\" {\n  for vendor v where v receives personal.contact.address\n  require all p in v.supply_chain: p.depth <= 1 or p.via.name is set\n}\n\nrule T-2 \"Nothing flows to q's subprocessors\" {\n  for vendor v\n  require not v receives personal\n}\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("inventory.yaml"), FLOW).expect("write");
    std::fs::write(
        dir.path().join("custody.yaml"),
        "policies: [rules.policy]\ninventory: [inventory.yaml]\n",
    )
    .expect("write");
    let out = common::custody()
        .current_dir(dir.path())
        .arg("explain")
        .args(args)
        .args(["--as-of", AS_OF])
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn explain_shows_the_receives_chain_with_locations() {
    let (out, code) = explain_flow(&["T-1", "vendor/r2"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "vendor/h declares personal.contact.address in its handles  (inventory.yaml:4:15)"
        ),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn explain_shows_why_nothing_is_received() {
    let (out, code) = explain_flow(&["T-2", "vendor/w"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("does not receive personal: the vendor that lists it"),
        "{out}"
    );
    let (out, code) = explain_flow(&["T-2", "vendor/q"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("is no vendor's subprocessor"), "{out}");
}

#[test]
fn lint_treats_a_receives_list_like_a_handles_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("rules.policy"),
        "rule L-1 \"x\" {\n  references \"a\"\n  remediation \"b\"\n  for vendor v where v receives [personal.contact, personal.contact.email]\n  require v.owner is set\n}\n",
    )
    .expect("write");
    let out = common::custody()
        .current_dir(dir.path())
        .args(["lint", "--policy", "rules.policy", "--color", "never"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("custody::lint::covered_category"), "{err}");
    assert!(
        err.contains("`personal.contact.email` is already covered by `personal.contact`"),
        "{err}"
    );
}
