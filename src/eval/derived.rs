//! Facts computed once per run: each vendor's derived `handles` (with where each category
//! came from) and the `supply_chain` closure.

use crate::inventory::{CatId, EntityId, FieldId, Inventory, KindId, Schema, Value};
use crate::source::Loc;
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
}

impl Fields {
    pub fn new(schema: &Schema) -> Fields {
        let vendor = schema.kind_by_name("vendor");
        let data_store = schema.kind_by_name("data_store");
        let f = |k: Option<KindId>, name: &str| k.and_then(|k| schema.kind(k).field(name));
        Fields {
            vendor,
            data_store,
            handles: f(vendor, "handles"),
            accesses: f(vendor, "accesses"),
            subprocessors: f(vendor, "subprocessors"),
            holds: f(data_store, "holds"),
            hosted_by: f(data_store, "hosted_by"),
        }
    }
}

pub struct Derived {
    pub fields: Fields,
    /// Indexed by entity; empty for non-vendors.
    pub handles: Vec<Vec<Handled>>,
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
                loc: item.loc,
            });
        }
    }
}

impl Derived {
    pub fn new(inv: &Inventory, schema: &Schema) -> Derived {
        let fields = Fields::new(schema);
        let mut handles: Vec<Vec<Handled>> = vec![Vec::new(); inv.entities.len()];
        if let Some(vk) = fields.vendor {
            for &v in inv.of_kind(vk) {
                let out = &mut handles[v.0 as usize];
                cats_of(inv, v, fields.handles, Via::Own, out);
                for s in list_field(inv, v, fields.accesses) {
                    if let Value::Ref(store) = s.value {
                        cats_of(inv, store, fields.holds, Via::Accesses(store), out);
                    }
                }
            }
        }
        if let Some(sk) = fields.data_store {
            for &s in inv.of_kind(sk) {
                let host = fields
                    .hosted_by
                    .and_then(|f| inv.get(s).field(f))
                    .map(|f| &f.value);
                if let Some(Value::Ref(v)) = host {
                    let mut hs = Vec::new();
                    cats_of(inv, s, fields.holds, Via::Hosts(s), &mut hs);
                    handles[v.0 as usize].extend(hs);
                }
            }
        }
        Derived { fields, handles }
    }

    /// `v.supply_chain`: every vendor reachable through `subprocessors`, the vendor itself
    /// excluded, in breadth-first order; cycle-safe. With each, the vendor it was reached from.
    pub fn supply_chain(&self, inv: &Inventory, v: EntityId) -> Vec<(EntityId, EntityId)> {
        let mut seen = std::collections::HashSet::new();
        seen.insert(v);
        let mut out = Vec::new();
        let mut queue = VecDeque::from([v]);
        while let Some(cur) = queue.pop_front() {
            for s in list_field(inv, cur, self.fields.subprocessors) {
                if let Value::Ref(next) = s.value
                    && seen.insert(next)
                {
                    out.push((next, cur));
                    queue.push_back(next);
                }
            }
        }
        out
    }
}
