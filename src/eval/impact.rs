//! `custody impact ENTITY`: what a breach at one vendor or data store puts at stake.
//!
//! For a vendor: the data categories it can reach and through which store, the records at
//! stake, the fourth parties it passes data to, the vendors that pass data to it, and the
//! rules it fails now. For a data store: the vendors that can reach it, and what each passes
//! on. Everything comes from the facts evaluation already derives (`derived.rs`: handles
//! with their source, supply chains) and from the evaluator itself for failing rules, so
//! impact and `custody check` never disagree.

use crate::eval::derived::{Handled, Via};
use crate::eval::value::Val;
use crate::eval::waivers;
use crate::eval::{Context, Finding};
use crate::inventory::{CatId, EntityId, Value};
use crate::project::waivers::Waiver;
use crate::source::Loc;

/// A vendor reached through subprocessors, with the way there: `path` starts at the vendor
/// the chain is followed from and ends at `vendor`.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub vendor: EntityId,
    pub path: Vec<EntityId>,
}

/// One data category a vendor can reach, with every way it reaches it.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryReach {
    pub cat: CatId,
    /// Own handles first, then accessed stores, then hosted stores; by store id within each.
    pub sources: Vec<Handled>,
}

/// A store a vendor can reach, and its records.
#[derive(Clone, Debug, PartialEq)]
pub struct StoreReach {
    pub store: EntityId,
    pub accesses: bool,
    pub hosts: bool,
    /// `None` when the store does not say how many records it holds.
    pub records: Option<f64>,
    /// Where `records` is written, else the store's id.
    pub records_loc: Loc,
}

/// Records over several stores: the sum of the known counts, and how many stores did not
/// say (the total is then a lower bound).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Records {
    pub known: f64,
    pub unknown: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VendorImpact {
    pub vendor: EntityId,
    /// By category name.
    pub categories: Vec<CategoryReach>,
    /// Most records first; stores with no count last; then by id.
    pub stores: Vec<StoreReach>,
    pub records: Records,
    /// The supply chain, breadth-first (direct subprocessors first).
    pub fourth_parties: Vec<Chain>,
    /// Vendors with this one in their supply chain, by id; each path ends at this vendor.
    pub upstream: Vec<Chain>,
    /// Failing or waived findings of every rule on this vendor, by rule ID.
    pub findings: Vec<Finding>,
}

/// A vendor that can reach a store.
#[derive(Clone, Debug, PartialEq)]
pub struct Reacher {
    pub vendor: EntityId,
    pub accesses: bool,
    pub hosts: bool,
    /// Its supply chain: where the store's data can go on to.
    pub passes_to: Vec<Chain>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoreImpact {
    pub store: EntityId,
    /// The store's `holds`, in the order written.
    pub holds: Vec<(CatId, Loc)>,
    pub records: Option<f64>,
    pub records_loc: Loc,
    /// By vendor id.
    pub reached_by: Vec<Reacher>,
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Impact {
    Vendor(VendorImpact),
    Store(StoreImpact),
}

/// The impact of a breach at `e`. `None` when `e` is neither a vendor nor a data store.
pub fn impact(cx: &Context<'_>, waivers: &[Waiver], e: EntityId) -> Option<Impact> {
    let kind = cx.inv.get(e).kind;
    if Some(kind) == cx.derived.fields.vendor {
        Some(Impact::Vendor(vendor(cx, waivers, e)))
    } else if Some(kind) == cx.derived.fields.data_store {
        Some(Impact::Store(store(cx, waivers, e)))
    } else {
        None
    }
}

fn vendor(cx: &Context<'_>, waivers: &[Waiver], v: EntityId) -> VendorImpact {
    let handled: &[Handled] = cx.derived.handles.get(v.0 as usize).unwrap_or(&[]);
    let mut categories: Vec<CategoryReach> = Vec::new();
    for h in handled {
        match categories.iter_mut().find(|c| c.cat == h.cat) {
            Some(c) => c.sources.push(*h),
            None => categories.push(CategoryReach {
                cat: h.cat,
                sources: vec![*h],
            }),
        }
    }
    let via_key = |h: &Handled| match h.via {
        Via::Own => (0, ""),
        Via::Accesses(s) => (1, &*cx.inv.get(s).id),
        Via::Hosts(s) => (2, &*cx.inv.get(s).id),
    };
    for c in &mut categories {
        c.sources.sort_by(|a, b| via_key(a).cmp(&via_key(b)));
        c.sources.dedup();
    }
    categories.sort_by(|a, b| cx.taxonomy.name(a.cat).cmp(cx.taxonomy.name(b.cat)));

    let mut stores: Vec<StoreReach> = Vec::new();
    let mut reach = |store: EntityId, accesses: bool| {
        let i = match stores.iter().position(|s| s.store == store) {
            Some(i) => i,
            None => {
                let (records, records_loc) = records_of(cx, store);
                stores.push(StoreReach {
                    store,
                    accesses: false,
                    hosts: false,
                    records,
                    records_loc,
                });
                stores.len() - 1
            }
        };
        if let Some(s) = stores.get_mut(i) {
            if accesses {
                s.accesses = true;
            } else {
                s.hosts = true;
            }
        }
    };
    for s in refs(cx, v, cx.derived.fields.accesses) {
        reach(s, true);
    }
    for s in hosted_by(cx, v) {
        reach(s, false);
    }
    stores.sort_by(|a, b| {
        let key = |s: &StoreReach| s.records.map(|r| -r);
        match (key(a), key(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then_with(|| cx.inv.get(a.store).id.cmp(&cx.inv.get(b.store).id))
    });
    let records = Records {
        known: stores.iter().filter_map(|s| s.records).sum(),
        unknown: stores.iter().filter(|s| s.records.is_none()).count(),
    };

    let fourth_parties = chains(cx, v);
    let mut upstream = upstream(cx, v);
    upstream.sort_by(|a, b| cx.inv.get(a.vendor).id.cmp(&cx.inv.get(b.vendor).id));

    VendorImpact {
        vendor: v,
        categories,
        stores,
        records,
        fourth_parties,
        upstream,
        findings: findings(cx, waivers, v),
    }
}

fn store(cx: &Context<'_>, waivers: &[Waiver], s: EntityId) -> StoreImpact {
    let (records, records_loc) = records_of(cx, s);
    let mut reached_by: Vec<Reacher> = Vec::new();
    if let Some(vk) = cx.derived.fields.vendor {
        let host = match cx
            .derived
            .fields
            .hosted_by
            .and_then(|f| cx.inv.get(s).field(f))
            .map(|f| &f.value)
        {
            Some(Value::Ref(h)) => Some(*h),
            Some(
                Value::Str(_)
                | Value::Num(_)
                | Value::Bool(_)
                | Value::Date(_)
                | Value::Cat(_)
                | Value::List(_)
                | Value::Object,
            )
            | None => None,
        };
        for &v in cx.inv.of_kind(vk) {
            let accesses = refs(cx, v, cx.derived.fields.accesses).contains(&s);
            let hosts = host == Some(v);
            if accesses || hosts {
                reached_by.push(Reacher {
                    vendor: v,
                    accesses,
                    hosts,
                    passes_to: chains(cx, v),
                });
            }
        }
    }
    reached_by.sort_by(|a, b| cx.inv.get(a.vendor).id.cmp(&cx.inv.get(b.vendor).id));
    StoreImpact {
        store: s,
        holds: cx.holds(s),
        records,
        records_loc,
        reached_by,
        findings: findings(cx, waivers, s),
    }
}

/// The entities a list-of-references field of `e` names, in the order written.
fn refs(cx: &Context<'_>, e: EntityId, field: Option<crate::inventory::FieldId>) -> Vec<EntityId> {
    match field.and_then(|f| cx.inv.get(e).field(f)).map(|f| &f.value) {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|i| match i.value {
                Value::Ref(r) => Some(r),
                Value::Str(_)
                | Value::Num(_)
                | Value::Bool(_)
                | Value::Date(_)
                | Value::Cat(_)
                | Value::List(_)
                | Value::Object => None,
            })
            .collect(),
        Some(
            Value::Str(_)
            | Value::Num(_)
            | Value::Bool(_)
            | Value::Date(_)
            | Value::Cat(_)
            | Value::Ref(_)
            | Value::Object,
        )
        | None => Vec::new(),
    }
}

/// The stores `hosted_by` vendor `v`, by id.
fn hosted_by(cx: &Context<'_>, v: EntityId) -> Vec<EntityId> {
    let (Some(sk), Some(f)) = (cx.derived.fields.data_store, cx.derived.fields.hosted_by) else {
        return Vec::new();
    };
    cx.inv
        .of_kind(sk)
        .iter()
        .copied()
        .filter(
            |&s| matches!(cx.inv.get(s).field(f).map(|x| &x.value), Some(Value::Ref(h)) if *h == v),
        )
        .collect()
}

/// A store's `records`, and where it is written (else where the store's id is).
fn records_of(cx: &Context<'_>, s: EntityId) -> (Option<f64>, Loc) {
    let ent = cx.inv.get(s);
    let field = cx
        .schema
        .kind(ent.kind)
        .field("records")
        .and_then(|f| ent.field(f));
    match field {
        Some(f) => match Val::from_value(&f.value) {
            Val::Num(n) => (Some(n), ent.loc_of(f)),
            Val::Missing
            | Val::Bool(_)
            | Val::Str(_)
            | Val::Date(_)
            | Val::Cat(_)
            | Val::Entity(_)
            | Val::List(_)
            | Val::Object => (None, ent.loc_of(f)),
        },
        None => (None, ent.id_loc),
    }
}

/// `v`'s supply chain with the path to each vendor in it, breadth-first.
pub fn chains(cx: &Context<'_>, v: EntityId) -> Vec<Chain> {
    let chain = cx.derived.supply_chain(cx.inv, v);
    let from: std::collections::HashMap<EntityId, EntityId> = chain.iter().copied().collect();
    chain
        .iter()
        .map(|&(target, _)| {
            let mut path = vec![target];
            let mut cur = target;
            // Each step moves one level closer to `v` in the breadth-first tree, so the
            // walk ends within `chain.len()` steps; the bound only guards the invariant.
            for _ in 0..=chain.len() {
                match from.get(&cur) {
                    Some(&prev) => {
                        path.push(prev);
                        if prev == v {
                            break;
                        }
                        cur = prev;
                    }
                    None => break,
                }
            }
            path.reverse();
            Chain {
                vendor: target,
                path,
            }
        })
        .collect()
}

/// The vendors with `v` in their supply chain, each with the path [`chains`] gives it (from
/// it to `v`), in time linear in the vendors, their subprocessor links and the paths.
///
/// One breadth-first search backwards from `v` gives each vendor's distance to `v`. The
/// path breadth-first search takes from a vendor `u` to `v` is the shortest one that, at
/// each step, follows the earliest-listed subprocessor possible (breadth-first search
/// dequeues each level in the order of those choices, and a vendor is reached first from
/// the earliest vendor of the level before). So each vendor's next step towards `v` is its
/// first listed subprocessor one step closer, and a path is those steps followed: no search
/// per vendor (which made this cubic on long chains).
fn upstream(cx: &Context<'_>, v: EntityId) -> Vec<Chain> {
    let Some(vk) = cx.derived.fields.vendor else {
        return Vec::new();
    };
    let vendors = cx.inv.of_kind(vk);
    let n = cx.inv.entities.len();
    let subs: Vec<Vec<EntityId>> = vendors
        .iter()
        .map(|&u| refs(cx, u, cx.derived.fields.subprocessors))
        .collect();
    let mut listed_by: Vec<Vec<EntityId>> = vec![Vec::new(); n];
    for (&u, list) in vendors.iter().zip(&subs) {
        for &s in list {
            if let Some(l) = listed_by.get_mut(s.0 as usize) {
                l.push(u);
            }
        }
    }
    let mut dist: Vec<Option<u32>> = vec![None; n];
    let Some(d0) = dist.get_mut(v.0 as usize) else {
        return Vec::new();
    };
    *d0 = Some(0);
    let mut queue = std::collections::VecDeque::from([(v, 0u32)]);
    while let Some((cur, d)) = queue.pop_front() {
        for &u in listed_by
            .get(cur.0 as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            if let Some(slot @ None) = dist.get_mut(u.0 as usize) {
                *slot = Some(d + 1);
                queue.push_back((u, d + 1));
            }
        }
    }
    let dist_of = |e: EntityId| dist.get(e.0 as usize).copied().flatten();
    let mut next: Vec<Option<EntityId>> = vec![None; n];
    for (&u, list) in vendors.iter().zip(&subs) {
        if let Some(d) = dist_of(u).filter(|&d| d > 0) {
            let step = list.iter().copied().find(|&s| dist_of(s) == Some(d - 1));
            if let Some(slot) = next.get_mut(u.0 as usize) {
                *slot = step;
            }
        }
    }
    let mut out = Vec::new();
    for &u in vendors {
        let Some(d) = dist_of(u).filter(|&d| d > 0) else {
            continue;
        };
        let mut path = Vec::with_capacity(d as usize + 1);
        path.push(u);
        let mut cur = u;
        // Each step is one closer to `v`, so the walk ends within `d` steps.
        for _ in 0..d {
            match next.get(cur.0 as usize).copied().flatten() {
                Some(s) => {
                    path.push(s);
                    cur = s;
                }
                None => break,
            }
        }
        out.push(Chain { vendor: u, path });
    }
    out
}

/// Every rule of the entity's kind evaluated on it: its failing findings with waivers
/// applied (so an accepted risk shows as waived), by rule ID.
fn findings(cx: &Context<'_>, waivers: &[Waiver], e: EntityId) -> Vec<Finding> {
    let kind = cx.inv.get(e).kind;
    let mut out: Vec<Finding> = cx
        .program
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == kind)
        .filter_map(|(ri, r)| cx.eval_entity(ri, r, e).1)
        .collect();
    // Waivers for other entities "match no finding" here; those warnings belong to
    // `custody check` and `lint`, so they are dropped.
    let evaluated = vec![true; cx.program.rules.len()];
    let mut scratch = Vec::new();
    waivers::apply(
        &mut out,
        waivers,
        cx.program,
        &evaluated,
        cx.inv,
        cx.schema,
        cx.as_of,
        &mut scratch,
    );
    out
}
