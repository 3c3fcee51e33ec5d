//! The impact of a breach at one vendor or data store (`custody impact`), as aligned text
//! with headings or as one JSON object: pure functions of what `eval::impact` found.

use crate::eval::Context;
use crate::eval::derived::{Handled, Via};
use crate::eval::impact::{Chain, Impact, Records, StoreImpact, VendorImpact};
use crate::eval::value::Val;
use crate::eval::{Finding, Status};
use crate::inventory::EntityId;
use crate::project::waivers::{self, Waiver};
use crate::source::Loc;
use crate::types::RuleId;
use serde::Serialize;
use std::fmt::Write;

/// The impact as text: a heading per section, rows in aligned columns.
pub fn text(cx: &Context<'_>, waivers: &[Waiver], imp: &Impact) -> String {
    let view = View { cx, waivers };
    match imp {
        Impact::Vendor(v) => view.vendor_text(v),
        Impact::Store(s) => view.store_text(s),
    }
}

/// The impact as one pretty-printed JSON object, ending in a newline.
pub fn json(cx: &Context<'_>, waivers: &[Waiver], imp: &Impact) -> String {
    View { cx, waivers }.json(imp)
}

struct View<'v, 'a> {
    cx: &'v Context<'a>,
    waivers: &'v [Waiver],
}

/// `14,500,000`
fn grouped(n: f64) -> String {
    if n.fract() != 0.0 || n.abs() >= 1e15 {
        return crate::eval::value::num(n);
    }
    let digits = (n.abs() as i64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 { format!("-{out}") } else { out }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Rows of cells in aligned columns, indented under their heading.
fn aligned(rows: &[Vec<String>]) -> String {
    super::aligned(rows, "  ")
}

impl<'a> View<'_, 'a> {
    fn name(&self, e: EntityId) -> String {
        self.cx.display().entity(e)
    }

    fn id(&self, e: EntityId) -> &str {
        &self.cx.inv.get(e).id
    }

    fn loc(&self, l: Loc) -> String {
        self.cx.sources.display(l)
    }

    /// A field's value by name, as in messages; `None` when absent.
    fn field(&self, e: EntityId, name: &str) -> Option<String> {
        let ent = self.cx.inv.get(e);
        let f = self.cx.schema.kind(ent.kind).field(name)?;
        let v = Val::from_value(&ent.field(f)?.value);
        Some(self.cx.display().plain(&v))
    }

    /// `tier critical, country PH, owner ...`: the fields that exist, in this order.
    fn facts(&self, e: EntityId, names: &[&str]) -> String {
        names
            .iter()
            .filter_map(|n| {
                self.field(e, n)
                    .map(|v| format!("{} {v}", n.replace('_', " ")))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn header(&self, out: &mut String, e: EntityId, facts: &[&str]) {
        let ent = self.cx.inv.get(e);
        let title = match self.field(e, "name") {
            Some(n) => format!("{} ({n})", self.name(e)),
            None => self.name(e),
        };
        let _ = writeln!(
            out,
            "Impact of a breach at {title}, as of {}",
            self.cx.as_of
        );
        let facts = self.facts(e, facts);
        if !facts.is_empty() {
            let _ = writeln!(out, "  {facts}");
        }
        let _ = writeln!(out, "  defined at {}", self.loc(ent.loc));
    }

    /// The ways a vendor reaches one category, one line per store: `its own handles`,
    /// `data store crm-contacts (accesses, hosts)`, in the order of `sources`.
    fn sources(&self, sources: &[Handled]) -> Vec<(String, Loc)> {
        let mut lines: Vec<(Option<EntityId>, Vec<&str>, Loc)> = Vec::new();
        for h in sources {
            let (store, how) = match h.via {
                Via::Own => (None, "own"),
                Via::Accesses(s) => (Some(s), "accesses"),
                Via::Hosts(s) => (Some(s), "hosts"),
            };
            match lines
                .iter_mut()
                .find(|(s, ..)| store.is_some() && *s == store)
            {
                Some((_, hows, _)) => hows.push(how),
                None => lines.push((store, vec![how], h.loc)),
            }
        }
        lines
            .into_iter()
            .map(|(store, hows, loc)| {
                let words = match store {
                    None => "its own handles".to_owned(),
                    Some(s) => format!("data store {} ({})", self.id(s), hows.join(", ")),
                };
                (words, loc)
            })
            .collect()
    }

    fn records_words(&self, r: Records, stores: usize) -> String {
        match (r.unknown, stores) {
            (_, 0) => "no data store reached (record counts are kept per store)".into(),
            (0, _) => format!(
                "{} in {}",
                grouped(r.known),
                plural(stores, "store", "stores")
            ),
            (u, _) => format!(
                "at least {} in {} ({} with no record count)",
                grouped(r.known),
                plural(stores, "store", "stores"),
                u
            ),
        }
    }

    fn path(&self, c: &Chain) -> String {
        c.path
            .iter()
            .map(|&e| self.id(e))
            .collect::<Vec<_>>()
            .join(" → ")
    }

    fn chains(&self, out: &mut String, chains: &[Chain]) {
        let rows: Vec<Vec<String>> = chains
            .iter()
            .map(|c| {
                vec![
                    self.name(c.vendor),
                    self.field(c.vendor, "tier")
                        .unwrap_or_else(|| "(no tier)".into()),
                    self.path(c),
                ]
            })
            .collect();
        out.push_str(&aligned(&rows));
    }

    fn findings(&self, out: &mut String, findings: &[Finding]) {
        let failing = findings.iter().filter(|f| f.status == Status::Fail).count();
        let waived = findings.len() - failing;
        let _ = write!(
            out,
            "\nRules it fails now: {}",
            if failing == 0 {
                "none".to_owned()
            } else {
                failing.to_string()
            }
        );
        if waived > 0 {
            let _ = write!(out, " (and {waived} waived)");
        }
        out.push('\n');
        let rows: Vec<Vec<String>> = findings
            .iter()
            .filter_map(|f| {
                let rule = self.cx.program.rules.get(f.rule)?;
                let status = match f.status {
                    Status::Fail | Status::Baselined => rule.severity.as_str().to_owned(),
                    Status::Waived(wi) => match waivers::get(self.waivers, wi) {
                        Some(w) => format!("waived until {}", w.expires),
                        None => "waived".into(),
                    },
                };
                Some(vec![rule.id.to_string(), status, f.message().to_owned()])
            })
            .collect();
        out.push_str(&aligned(&rows));
    }

    fn vendor_text(&self, v: &VendorImpact) -> String {
        let tax = self.cx.taxonomy;
        let mut out = String::new();
        self.header(&mut out, v.vendor, &["tier", "country", "owner"]);

        let _ = writeln!(
            out,
            "\nData it can reach: {}",
            plural(v.categories.len(), "category", "categories")
        );
        let mut rows: Vec<Vec<String>> = Vec::new();
        for c in &v.categories {
            for (i, (words, loc)) in self.sources(&c.sources).into_iter().enumerate() {
                let cat = if i == 0 {
                    tax.name(c.cat).to_owned()
                } else {
                    String::new()
                };
                rows.push(vec![cat, words, self.loc(loc)]);
            }
        }
        out.push_str(&aligned(&rows));

        let _ = writeln!(
            out,
            "\nRecords at stake: {}",
            self.records_words(v.records, v.stores.len())
        );
        if !v.stores.is_empty() {
            let total = grouped(v.records.known);
            let counts: Vec<String> = v
                .stores
                .iter()
                .map(|s| s.records.map_or("unknown".into(), grouped))
                .collect();
            // Counts are right-aligned, with the total's digits under theirs.
            let width = counts
                .iter()
                .map(String::len)
                .chain(std::iter::once(grouped(v.records.known).len()))
                .max()
                .unwrap_or(0);
            let mut rows: Vec<Vec<String>> = v
                .stores
                .iter()
                .zip(&counts)
                .map(|(s, count)| {
                    let how = match (s.accesses, s.hosts) {
                        (true, true) => "accesses, hosts",
                        (true, false) => "accesses",
                        _ => "hosts",
                    };
                    vec![
                        self.name(s.store),
                        format!("{count:>width$}"),
                        how.to_owned(),
                        self.loc(s.records_loc),
                    ]
                })
                .collect();
            let mut total_row = vec!["total".into(), format!("{total:>width$}")];
            if v.records.unknown > 0 {
                total_row.push("at least".into());
            }
            rows.push(total_row);
            out.push_str(&aligned(&rows));
            if v.stores.len() > 1 {
                out.push_str("  (counted per store: the same people may be in several stores)\n");
            }
        }

        let _ = writeln!(
            out,
            "\nFourth parties it passes data to: {}",
            if v.fourth_parties.is_empty() {
                "none".to_owned()
            } else {
                v.fourth_parties.len().to_string()
            }
        );
        self.chains(&mut out, &v.fourth_parties);
        let _ = writeln!(
            out,
            "\nVendors that pass data to it: {}",
            if v.upstream.is_empty() {
                "none".to_owned()
            } else {
                v.upstream.len().to_string()
            }
        );
        self.chains(&mut out, &v.upstream);
        self.findings(&mut out, &v.findings);
        out
    }

    fn store_text(&self, s: &StoreImpact) -> String {
        let tax = self.cx.taxonomy;
        let mut out = String::new();
        self.header(&mut out, s.store, &["kind", "region", "hosted_by", "owner"]);
        let _ = writeln!(
            out,
            "\nRecords at stake: {}  ({})",
            s.records.map_or("unknown".into(), grouped),
            self.loc(s.records_loc)
        );
        let _ = writeln!(
            out,
            "\nData it holds: {}",
            plural(s.holds.len(), "category", "categories")
        );
        let rows: Vec<Vec<String>> = s
            .holds
            .iter()
            .map(|(c, l)| vec![tax.name(*c).to_owned(), self.loc(*l)])
            .collect();
        out.push_str(&aligned(&rows));
        let _ = writeln!(
            out,
            "\nVendors that can reach it: {}",
            if s.reached_by.is_empty() {
                "none".to_owned()
            } else {
                s.reached_by.len().to_string()
            }
        );
        let rows: Vec<Vec<String>> = s
            .reached_by
            .iter()
            .map(|r| {
                let how = match (r.accesses, r.hosts) {
                    (true, true) => "accesses, hosts",
                    (true, false) => "accesses",
                    _ => "hosts",
                };
                let passes = if r.passes_to.is_empty() {
                    "passes no data on".to_owned()
                } else {
                    format!(
                        "passes data on to {}",
                        r.passes_to
                            .iter()
                            .map(|c| self.id(c.vendor))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                vec![
                    self.name(r.vendor),
                    self.field(r.vendor, "tier")
                        .unwrap_or_else(|| "(no tier)".into()),
                    how.to_owned(),
                    passes,
                ]
            })
            .collect();
        out.push_str(&aligned(&rows));
        self.findings(&mut out, &s.findings);
        out
    }

    // ------------------------------------------------------------------------------------
    // JSON.

    fn location(&self, l: Loc) -> JLocation {
        let (line, column) = self.cx.sources.line_col(l);
        JLocation {
            file: self.cx.sources.name(l.file).to_owned(),
            line,
            column,
        }
    }

    fn chain_json(&self, c: &Chain) -> JChain {
        JChain {
            vendor: self.name(c.vendor),
            tier: self.field(c.vendor, "tier"),
            path: c.path.iter().map(|&e| self.name(e)).collect(),
        }
    }

    fn finding_json(&self, f: &Finding) -> Option<JFinding> {
        let rule = self.cx.program.rules.get(f.rule)?;
        let (status, waived_until) = match f.status {
            Status::Fail | Status::Baselined => ("fail", None),
            Status::Waived(wi) => (
                "waived",
                waivers::get(self.waivers, wi).map(|w| w.expires.to_string()),
            ),
        };
        Some(JFinding {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            severity: rule.severity.as_str(),
            status,
            waived_until,
            message: f.message().to_owned(),
            reasons: f
                .failed
                .iter()
                .flat_map(|r| &r.facts)
                .map(|x| x.text.clone())
                .collect(),
        })
    }

    fn json(&self, imp: &Impact) -> String {
        let tax = self.cx.taxonomy;
        let out = match imp {
            Impact::Vendor(v) => {
                let ent = self.cx.inv.get(v.vendor);
                JImpact {
                    version: 1,
                    as_of: self.cx.as_of.to_string(),
                    entity: self.name(v.vendor),
                    name: self.field(v.vendor, "name"),
                    tier: self.field(v.vendor, "tier"),
                    location: self.location(ent.loc),
                    categories: Some(
                        v.categories
                            .iter()
                            .map(|c| JCategory {
                                category: tax.name(c.cat).to_owned(),
                                sources: c
                                    .sources
                                    .iter()
                                    .map(|h| {
                                        let (via, store) = match h.via {
                                            Via::Own => ("handles", None),
                                            Via::Accesses(s) => ("accesses", Some(self.name(s))),
                                            Via::Hosts(s) => ("hosts", Some(self.name(s))),
                                        };
                                        JSource {
                                            via,
                                            store,
                                            location: self.location(h.loc),
                                        }
                                    })
                                    .collect(),
                            })
                            .collect(),
                    ),
                    holds: None,
                    stores: Some(
                        v.stores
                            .iter()
                            .map(|s| JStore {
                                store: self.name(s.store),
                                accesses: s.accesses,
                                hosts: s.hosts,
                                records: s.records.map(json_number),
                                location: self.location(s.records_loc),
                            })
                            .collect(),
                    ),
                    records: JRecords {
                        total: json_number(v.records.known),
                        unknown_stores: v.records.unknown,
                        at_least: v.records.unknown > 0,
                    },
                    fourth_parties: Some(
                        v.fourth_parties
                            .iter()
                            .map(|c| self.chain_json(c))
                            .collect(),
                    ),
                    upstream: Some(v.upstream.iter().map(|c| self.chain_json(c)).collect()),
                    reached_by: None,
                    findings: v
                        .findings
                        .iter()
                        .filter_map(|f| self.finding_json(f))
                        .collect(),
                }
            }
            Impact::Store(s) => {
                let ent = self.cx.inv.get(s.store);
                JImpact {
                    version: 1,
                    as_of: self.cx.as_of.to_string(),
                    entity: self.name(s.store),
                    name: self.field(s.store, "name"),
                    tier: None,
                    location: self.location(ent.loc),
                    categories: None,
                    holds: Some(
                        s.holds
                            .iter()
                            .map(|(c, l)| JHeld {
                                category: tax.name(*c).to_owned(),
                                location: self.location(*l),
                            })
                            .collect(),
                    ),
                    stores: None,
                    records: JRecords {
                        total: json_number(s.records.unwrap_or(0.0)),
                        unknown_stores: usize::from(s.records.is_none()),
                        at_least: s.records.is_none(),
                    },
                    fourth_parties: None,
                    upstream: None,
                    reached_by: Some(
                        s.reached_by
                            .iter()
                            .map(|r| JReacher {
                                vendor: self.name(r.vendor),
                                tier: self.field(r.vendor, "tier"),
                                accesses: r.accesses,
                                hosts: r.hosts,
                                passes_to: r.passes_to.iter().map(|c| self.chain_json(c)).collect(),
                            })
                            .collect(),
                    ),
                    findings: s
                        .findings
                        .iter()
                        .filter_map(|f| self.finding_json(f))
                        .collect(),
                }
            }
        };
        let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }
}

/// Whole numbers as JSON integers.
fn json_number(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

#[derive(Serialize)]
struct JLocation {
    file: String,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JSource {
    /// `handles` (its own), `accesses` or `hosts`.
    via: &'static str,
    store: Option<String>,
    location: JLocation,
}

#[derive(Serialize)]
struct JCategory {
    category: String,
    sources: Vec<JSource>,
}

#[derive(Serialize)]
struct JHeld {
    category: String,
    location: JLocation,
}

#[derive(Serialize)]
struct JStore {
    store: String,
    accesses: bool,
    hosts: bool,
    records: Option<serde_json::Value>,
    location: JLocation,
}

#[derive(Serialize)]
struct JRecords {
    total: serde_json::Value,
    unknown_stores: usize,
    at_least: bool,
}

#[derive(Serialize)]
struct JChain {
    vendor: String,
    tier: Option<String>,
    path: Vec<String>,
}

#[derive(Serialize)]
struct JReacher {
    vendor: String,
    tier: Option<String>,
    accesses: bool,
    hosts: bool,
    passes_to: Vec<JChain>,
}

#[derive(Serialize)]
struct JFinding {
    rule: RuleId,
    title: String,
    severity: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    waived_until: Option<String>,
    message: String,
    reasons: Vec<String>,
}

#[derive(Serialize)]
struct JImpact {
    version: u32,
    as_of: String,
    entity: String,
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<String>,
    location: JLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    categories: Option<Vec<JCategory>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    holds: Option<Vec<JHeld>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stores: Option<Vec<JStore>>,
    records: JRecords,
    #[serde(skip_serializing_if = "Option::is_none")]
    fourth_parties: Option<Vec<JChain>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    upstream: Option<Vec<JChain>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reached_by: Option<Vec<JReacher>>,
    findings: Vec<JFinding>,
}
