//! Links on reference-list entries and reverse lists (SPEC §7.1, §7.3; docs/inventory.md,
//! "Links" and "Reverse lists"; docs/language.md, "Links and reverse lists"), end to end.

mod common;
use common::{AS_OF, failing_ids};

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const INV: &str = "
vendors:
  - id: tessaly-crm
    transfer: dpf
    subprocessors:
      - mailfast
      - id: cloudhost
        handles: [personal.contact]
        country: DE
        transfer: scc
        purpose: hosting
    accesses:
      - {id: crm-contacts, access: write}
      - id: crm-backup
        access: read
        purpose: restore tests
  - id: mailfast
    accesses: [crm-contacts]
    subprocessors:
      - {id: cloudhost, transfer: none}
  - id: cloudhost
    fourth_party: true
  - id: idle
data_stores:
  - id: crm-contacts
    hosted_by: cloudhost
  - id: crm-backup
    hosted_by: cloudhost
  - id: lonely
";

fn fails(for_clause: &str, require: &str) -> Vec<String> {
    failing_ids(for_clause, require, INV, AS_OF)
}

#[test]
fn a_link_field_is_read_through_the_quantifier_variable_long_and_short_form() {
    // Long form (flow and block): the link's values.
    assert_eq!(
        fails(
            "for vendor v",
            "no s in v.accesses: s.link.access == \"write\""
        ),
        ids(&["tessaly-crm"])
    );
    assert_eq!(
        fails(
            "for vendor v",
            "all s in v.accesses: s.link.purpose != \"restore tests\""
        ),
        ids(&["mailfast", "tessaly-crm"])
    );
    // Short form: the link has no fields, so every test on one is false.
    assert_eq!(
        fails(
            "for vendor v",
            "all s in v.accesses: s.link.access == \"read\""
        ),
        ids(&["mailfast", "tessaly-crm"])
    );
    assert_eq!(
        fails(
            "for vendor v",
            "all s in v.accesses: s.link.access != \"read\""
        ),
        ids(&["mailfast", "tessaly-crm"])
    );
    assert_eq!(
        fails(
            "for vendor v",
            "all s in v.accesses: s.link.access is missing"
        ),
        ids(&["tessaly-crm"])
    );
}

#[test]
fn a_missing_link_field_is_missing_and_lists_in_links_are_lists() {
    // cloudhost's link from tessaly-crm has `handles`; mailfast's (short form) has none.
    assert_eq!(
        fails(
            "for vendor v",
            "all p in v.subprocessors: p.link.handles contains personal.contact"
        ),
        ids(&["mailfast", "tessaly-crm"])
    );
    assert_eq!(
        fails(
            "for vendor v",
            "all p in v.subprocessors: p.link.country == \"DE\""
        ),
        ids(&["mailfast", "tessaly-crm"])
    );
    assert_eq!(
        fails(
            "for vendor v",
            "all p in v.subprocessors: p.link.transfer in [\"scc\", \"adequacy\"]"
        ),
        ids(&["mailfast", "tessaly-crm"])
    );
    // The element is still the entity: its own fields read as before.
    assert_eq!(
        fails(
            "for vendor v",
            "no p in v.subprocessors: p.fourth_party and p.link.transfer == \"scc\""
        ),
        ids(&["tessaly-crm"])
    );
}

#[test]
fn nested_quantifiers_each_keep_their_own_link() {
    assert_eq!(
        fails(
            "for vendor v",
            "all s in v.accesses: all u in s.accessed_by: u.link.access == s.link.access"
        ),
        ids(&["mailfast", "tessaly-crm"])
    );
    assert_eq!(
        fails(
            "for vendor v",
            "any s in v.accesses: s.link.access == \"read\" and any u in s.accessed_by: u.link.access == \"read\""
        ),
        ids(&["cloudhost", "idle", "mailfast"])
    );
}

#[test]
fn accessed_by_is_the_reverse_of_accesses_with_the_forward_link() {
    assert_eq!(
        fails("for data_store s", "count(s.accessed_by) == 1"),
        ids(&["crm-contacts", "lonely"])
    );
    assert_eq!(
        fails("for data_store s", "s.accessed_by is empty"),
        ids(&["crm-backup", "crm-contacts"])
    );
    // u.link is what vendor u wrote on its `accesses` entry for s.
    assert_eq!(
        fails(
            "for data_store s",
            "no u in s.accessed_by: u.link.access == \"write\""
        ),
        ids(&["crm-contacts"])
    );
    assert_eq!(
        fails(
            "for data_store s",
            "all u in s.accessed_by: u.link.access == \"read\""
        ),
        ids(&["crm-contacts"])
    );
    assert_eq!(
        fails("for data_store s", "all u in s.accessed_by: u.mfa_enforced"),
        ids(&["crm-backup", "crm-contacts"])
    );
}

#[test]
fn hosts_and_subprocessor_of_are_reverse_lists() {
    assert_eq!(
        fails("for vendor v", "v.hosts is empty"),
        ids(&["cloudhost"])
    );
    assert_eq!(
        fails("for vendor v", "count(v.hosts) == 2"),
        ids(&["idle", "mailfast", "tessaly-crm"])
    );
    assert_eq!(
        fails("for vendor v", "v.subprocessor_of is empty"),
        ids(&["cloudhost", "mailfast"])
    );
    // Reverse over links: cloudhost is reached from tessaly-crm (scc) and mailfast (none).
    assert_eq!(
        fails(
            "for vendor v",
            "all u in v.subprocessor_of: u.link.transfer != \"none\""
        ),
        ids(&["cloudhost", "mailfast"])
    );
    assert_eq!(
        fails(
            "for vendor v",
            "no u in v.subprocessor_of: u.link.purpose == \"hosting\""
        ),
        ids(&["cloudhost"])
    );
    // A reverse list is a list: its elements navigate.
    assert_eq!(
        fails(
            "for vendor v",
            "no s in v.hosts: any u in s.accessed_by: u.id == \"mailfast\""
        ),
        ids(&["cloudhost"])
    );
}

#[test]
fn reverse_lists_are_in_id_order_of_the_referencing_entities() {
    let (_d, r) = common::run_files(&[
        (
            "rules.policy",
            "rule T-1 \"t\" {\n for data_store s\n require all u in s.accessed_by: u.link.access == \"admin\"\n}\n",
        ),
        (
            "inventory/a.yaml",
            "vendors:\n  - id: zed\n    accesses: [db]\n",
        ),
        (
            "inventory/b.yaml",
            "vendors:\n  - id: abe\n    accesses: [{id: db, access: read}]\ndata_stores:\n  - id: db\n",
        ),
    ]);
    let ev = common::evidence(&r, "db").join("\n");
    let abe = ev.find("vendor/abe").expect("abe in the evidence");
    let zed = ev.find("vendor/zed").expect("zed in the evidence");
    assert!(abe < zed, "{ev}");
    assert!(ev.contains("link.access is `read`"), "{ev}");
    assert!(ev.contains("link.access is (missing)"), "{ev}");
}

#[test]
fn a_user_reference_field_names_its_reverse() {
    let config = "policies: [.]\ninventory: [inventory]\nschema:\n  team:\n    collection: teams\n    doc: an internal team\n    fields:\n      uses:\n        type: list<ref<vendor>>\n        reverse: used_by\n        link: {fields: {since: date, seats: number}}\n      lead_vendor: {type: ref<vendor>, reverse: led_teams}\n";
    let inv = "teams:\n  - id: sales\n    uses:\n      - {id: acme, since: 2024-01-01, seats: 40}\n      - globex\n    lead_vendor: acme\n  - id: ops\n    uses: [acme]\nvendors:\n  - id: acme\n  - id: globex\n";
    let policy = "rule T-1 \"busy\" {\n  for vendor v\n  require count(v.used_by) < 2\n}\nrule T-2 \"seats\" {\n  for vendor v\n  require all t in v.used_by: t.link.seats < 10\n}\nrule T-3 \"led\" {\n  for vendor v\n  require v.led_teams is empty\n}\nrule T-4 \"team links\" {\n  for team t\n  require all x in t.uses: x.link.since before 2025-01-01\n}\n";
    let (_d, r) = common::run_files(&[
        ("custody.yaml", config),
        ("rules.policy", policy),
        ("inventory/i.yaml", inv),
    ]);
    assert!(r.project.diags.is_empty(), "{:?}", r.project.diags);
    let found: Vec<(String, String, String)> = common::findings(&r);
    let pairs: Vec<(String, String)> = found.into_iter().map(|(a, b, _)| (a, b)).collect();
    let want = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        pairs,
        vec![
            want("T-1", "vendor/acme"),
            want("T-2", "vendor/acme"),
            want("T-2", "vendor/globex"),
            want("T-3", "vendor/acme"),
            want("T-4", "team/ops"),
            want("T-4", "team/sales"),
        ]
    );
}

#[test]
fn short_form_only_inventories_are_unchanged_by_links() {
    // v1 lists of ids still load and navigate as before.
    assert_eq!(
        fails(
            "for vendor v",
            "all s in v.accesses: s.hosted_by.id == \"cloudhost\""
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        fails("for vendor v", "count(v.subprocessors) == 0"),
        ids(&["mailfast", "tessaly-crm"])
    );
}
