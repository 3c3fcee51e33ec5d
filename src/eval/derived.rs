//! Facts computed once per run: each vendor's derived `handles` (with where each category
//! came from), the `supply_chain` closure with each element's path, and which vendors
//! `receive` a category ([`Receivers`], one fixed point per category pattern).

use crate::inventory::{CatId, EntityId, FieldId, Inventory, KindId, Schema, Value};
use crate::source::Loc;
use rayon::prelude::*;
use std::collections::VecDeque;

/// Why a vendor handles a category.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Via {
    /// Listed in the vendor's own `handles`.
    Own,
    /// Held by a store the vendor `accesses`.
    Accesses(EntityId),
    /// Held by a store `hosted_by` the vendor.
    Hosts(EntityId),
}

/// One category a vendor handles: the category as declared, how, and where it is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Handled {
    pub cat: CatId,
    pub via: Via,
    pub loc: Loc,
}

/// Schema fields the derived facts are built from, looked up once.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub vendor: Option<KindId>,
    pub data_store: Option<KindId>,
    pub handles: Option<FieldId>,
    pub accesses: Option<FieldId>,
    pub subprocessors: Option<FieldId>,
    pub holds: Option<FieldId>,
    pub hosted_by: Option<FieldId>,
    /// `handles` on a `subprocessors` link: what the vendor passes on.
    pub link_handles: Option<FieldId>,
    /// The reverse of `subprocessors`.
    pub subprocessor_of: Option<FieldId>,
}

impl Fields {
    pub fn new(schema: &Schema) -> Fields {
        let vendor = schema.kind_by_name("vendor");
        let data_store = schema.kind_by_name("data_store");
        let f = |k: Option<KindId>, name: &str| k.and_then(|k| schema.kind(k).field(name));
        let subprocessors = f(vendor, "subprocessors");
        let link = vendor
            .zip(subprocessors)
            .and_then(|(k, s)| schema.link_of(k, s));
        Fields {
            link_handles: f(link, "handles"),
            subprocessor_of: f(vendor, "subprocessor_of"),
            vendor,
            data_store,
            handles: f(vendor, "handles"),
            accesses: f(vendor, "accesses"),
            subprocessors,
            holds: f(data_store, "holds"),
            hosted_by: f(data_store, "hosted_by"),
        }
    }
}

pub struct Derived {
    pub fields: Fields,
    /// Indexed by entity; empty for non-vendors.
    pub handles: Handles,
}

/// Each entity's derived categories, all in one array with an offset per entity: one
/// allocation instead of one per vendor, and no 24-byte list header for every entity of a
/// register (most are not vendors).
#[derive(Default)]
pub struct Handles {
    /// Entity `i`'s categories are `items[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    items: Vec<Handled>,
}

impl Handles {
    /// Entity `i`'s categories; `None` past the last entity.
    pub fn get(&self, i: usize) -> Option<&[Handled]> {
        let (&from, &to) = (self.starts.get(i)?, self.starts.get(i + 1)?);
        self.items.get(from as usize..to as usize)
    }
}

impl std::ops::Index<usize> for Handles {
    type Output = [Handled];
    /// Entity `i`'s categories (none past the last entity).
    fn index(&self, i: usize) -> &[Handled] {
        self.get(i).unwrap_or(&[])
    }
}

fn list_field(inv: &Inventory, e: EntityId, f: Option<FieldId>) -> &[crate::inventory::Field] {
    match f.and_then(|f| inv.get(e).field(f)).map(|f| &f.value) {
        Some(Value::List(l)) => l,
        Some(
            Value::Str(_)
            | Value::Num(_)
            | Value::Bool(_)
            | Value::Date(_)
            | Value::Cat(_)
            | Value::Ref(_)
            | Value::Object,
        )
        | None => &[],
    }
}

fn cats_of(inv: &Inventory, e: EntityId, f: Option<FieldId>, via: Via, out: &mut Vec<Handled>) {
    for item in list_field(inv, e, f) {
        if let Value::Cat(c) = item.value {
            out.push(Handled {
                cat: c,
                via,
                loc: inv.get(e).loc_of(item),
            });
        }
    }
}

impl Derived {
    pub fn new(inv: &Inventory, schema: &Schema) -> Derived {
        let fields = Fields::new(schema);
        let n = inv.entities.len();
        // Each vendor's own and accessed categories, on the pool; `own_of[e]` is vendor
        // `e`'s position in `own`.
        let mut own: Vec<Vec<Handled>> = Vec::new();
        let mut own_of: Vec<u32> = Vec::new();
        if let Some(vk) = fields.vendor {
            let vendors = inv.of_kind(vk);
            own = vendors
                .par_iter()
                .map(|&v| {
                    let mut out = Vec::new();
                    cats_of(inv, v, fields.handles, Via::Own, &mut out);
                    for s in list_field(inv, v, fields.accesses) {
                        if let Value::Ref(store) = s.value {
                            cats_of(inv, store, fields.holds, Via::Accesses(store), &mut out);
                        }
                    }
                    out
                })
                .collect();
            own_of = vec![u32::MAX; n];
            for (k, &v) in vendors.iter().enumerate() {
                if let Some(slot) = own_of.get_mut(v.0 as usize) {
                    *slot = k as u32;
                }
            }
        }
        // The categories of the stores each vendor hosts, by vendor, in store order.
        let mut hosted: Vec<(EntityId, Handled)> = Vec::new();
        if let Some(sk) = fields.data_store {
            let mut hs = Vec::new();
            for &s in inv.of_kind(sk) {
                let host = fields
                    .hosted_by
                    .and_then(|f| inv.get(s).field(f))
                    .map(|f| &f.value);
                if let Some(Value::Ref(v)) = host {
                    cats_of(inv, s, fields.holds, Via::Hosts(s), &mut hs);
                    hosted.extend(hs.drain(..).map(|h| (*v, h)));
                }
            }
        }
        hosted.sort_by_key(|(v, _)| *v);
        // In entity order: a vendor's own and accessed categories, then those it hosts.
        let total = own.iter().map(Vec::len).sum::<usize>() + hosted.len();
        let mut starts = Vec::with_capacity(n + 1);
        let mut items = Vec::with_capacity(total);
        let mut hosted = hosted.into_iter().peekable();
        for e in 0..n {
            starts.push(items.len() as u32);
            if let Some(list) = own_of.get(e).and_then(|&k| own.get_mut(k as usize)) {
                // Moved out and freed as it goes.
                items.extend(std::mem::take(list));
            }
            while let Some((_, h)) = hosted.next_if(|(v, _)| v.0 as usize == e) {
                items.push(h);
            }
        }
        starts.push(items.len() as u32);
        Derived {
            fields,
            handles: Handles { starts, items },
        }
    }

    /// `v.supply_chain`: every vendor reachable through `subprocessors`, the vendor itself
    /// excluded, in breadth-first order; cycle-safe. With each, the vendor it was reached from.
    pub fn supply_chain(&self, inv: &Inventory, v: EntityId) -> Vec<(EntityId, EntityId)> {
        self.supply_chain_paths(inv, v)
            .into_iter()
            .map(|s| (s.vendor, s.via))
            .collect()
    }

    /// `v.supply_chain` with each element's path: the path found first breadth-first, ties
    /// broken by the order of the `subprocessors` lists (a vendor is reached through the
    /// first vendor, in that order, that lists it at the smallest depth).
    pub fn supply_chain_paths(&self, inv: &Inventory, v: EntityId) -> Vec<ChainStep> {
        let mut seen = std::collections::HashSet::new();
        seen.insert(v);
        let mut out = Vec::new();
        let mut queue = VecDeque::from([(v, 0usize)]);
        while let Some((cur, depth)) = queue.pop_front() {
            for (index, s) in list_field(inv, cur, self.fields.subprocessors)
                .iter()
                .enumerate()
            {
                if let Value::Ref(next) = s.value
                    && seen.insert(next)
                {
                    out.push(ChainStep {
                        vendor: next,
                        via: cur,
                        index,
                        depth: depth + 1,
                    });
                    queue.push_back((next, depth + 1));
                }
            }
        }
        out
    }

    /// The vendors that receive what `matches` accepts (SPEC §7.2): a vendor receives it
    /// when a vendor that handles or receives it lists it as a subprocessor through a link
    /// that passes it ([`Derived::passes`]). One breadth-first fixed point over the whole
    /// subprocessor graph, from every vendor that handles it, in id order: linear in the
    /// register, cycle-safe, and deterministic (each receiver keeps the first passing
    /// link that reached it, so its chain back to a handling vendor is a shortest one).
    pub fn receivers(&self, inv: &Inventory, matches: &dyn Fn(CatId) -> bool) -> Receivers {
        let n = inv.entities.len();
        let mut from = vec![None; n];
        let mut handler = vec![false; n];
        let mut queued = vec![false; n];
        let mut queue = VecDeque::new();
        if let Some(vk) = self.fields.vendor {
            for &u in inv.of_kind(vk) {
                let i = u.0 as usize;
                if self
                    .handles
                    .get(i)
                    .is_some_and(|hs| hs.iter().any(|h| matches(h.cat)))
                {
                    handler[i] = true;
                    queued[i] = true;
                    queue.push_back(u);
                }
            }
        }
        while let Some(u) = queue.pop_front() {
            for (index, s) in list_field(inv, u, self.fields.subprocessors)
                .iter()
                .enumerate()
            {
                let Value::Ref(w) = s.value else { continue };
                let wi = w.0 as usize;
                if from.get(wi).is_some_and(Option::is_none)
                    && self.passes(inv, u, index, matches).is_some()
                {
                    from[wi] = Some((u, index));
                    if !queued[wi] {
                        queued[wi] = true;
                        queue.push_back(w);
                    }
                }
            }
        }
        Receivers { from, handler }
    }

    /// Does the `subprocessors` link at `index` of vendor `u` pass what `matches` accepts?
    /// `Some(None)` when the link has no `handles` (the short form, or a link without that
    /// field: fail closed, it passes everything `u` has); `Some(Some(item))` with the first
    /// entry of its `handles` that matches; `None` when it declares `handles` and none
    /// matches (an empty list passes nothing).
    pub fn passes(
        &self,
        inv: &Inventory,
        u: EntityId,
        index: usize,
        matches: &dyn Fn(CatId) -> bool,
    ) -> Option<Option<(CatId, Loc)>> {
        let link = self
            .fields
            .subprocessors
            .and_then(|f| inv.link(u, f, index));
        let Some(link) = link else {
            return Some(None);
        };
        let declared = self
            .fields
            .link_handles
            .and_then(|f| inv.get(link).field(f))
            .map(|f| &f.value);
        match declared {
            Some(Value::List(items)) => items.iter().find_map(|item| match item.value {
                Value::Cat(c) if matches(c) => Some(Some((c, inv.get(link).loc_of(item)))),
                Value::Cat(_)
                | Value::Str(_)
                | Value::Num(_)
                | Value::Bool(_)
                | Value::Date(_)
                | Value::Ref(_)
                | Value::List(_)
                | Value::Object => None,
            }),
            Some(
                Value::Str(_)
                | Value::Num(_)
                | Value::Bool(_)
                | Value::Date(_)
                | Value::Cat(_)
                | Value::Ref(_)
                | Value::Object,
            )
            | None => Some(None),
        }
    }

    /// The location of entry `index` of `u`'s `subprocessors` (where a link is written).
    pub fn subprocessor_loc(&self, inv: &Inventory, u: EntityId, index: usize) -> Option<Loc> {
        list_field(inv, u, self.fields.subprocessors)
            .get(index)
            .map(|f| inv.get(u).loc_of(f))
    }

    /// How many vendors list `v` as a subprocessor (its reverse list).
    pub fn listed_by(&self, inv: &Inventory, v: EntityId) -> usize {
        list_field(inv, v, self.fields.subprocessor_of).len()
    }
}

/// One element of `v.supply_chain` with its path: the vendor, the vendor that lists it on
/// that path (`p.via`), its position in that vendor's `subprocessors` (where the link
/// `p.link` is) and its depth (`p.depth`, 1 for a direct subprocessor).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChainStep {
    pub vendor: EntityId,
    pub via: EntityId,
    pub index: usize,
    pub depth: usize,
}

/// Which vendors receive one category pattern ([`Derived::receivers`]).
#[derive(Debug)]
pub struct Receivers {
    /// Indexed by entity: the first passing link that reached it, as the listing vendor and
    /// the position in its `subprocessors`.
    from: Vec<Option<(EntityId, usize)>>,
    /// Indexed by entity: handles the pattern itself.
    handler: Vec<bool>,
}

impl Receivers {
    pub fn receives(&self, v: EntityId) -> bool {
        self.from.get(v.0 as usize).is_some_and(Option::is_some)
    }

    /// The chain by which `v` receives, from the handling vendor down to `v`: each link as
    /// (listing vendor, position in its `subprocessors`, listed vendor). Empty when `v`
    /// receives nothing. Each step goes back to a vendor reached earlier in the fixed
    /// point, so the walk ends at a handling vendor.
    pub fn chain(&self, v: EntityId) -> Vec<(EntityId, usize, EntityId)> {
        let mut out = Vec::new();
        let mut cur = v;
        while let Some(Some((u, index))) = self.from.get(cur.0 as usize) {
            out.push((*u, *index, cur));
            if self.handler.get(u.0 as usize).copied().unwrap_or(true)
                || out.len() > self.from.len()
            {
                break;
            }
            cur = *u;
        }
        out.reverse();
        out
    }
}
