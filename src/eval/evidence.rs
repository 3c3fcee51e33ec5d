//! Evidence: what the evaluator observed about a failing entity, and the sentences users read.
//!
//! The evaluator (`eval/mod.rs`) decides truth and records *what* it saw as an [`Evidence`]
//! value: which expression (as it reads, [`describe`]), which value it had (a [`Seen`], an
//! owned snapshot of a runtime value), which test, and how it came out. It writes no
//! sentences. This module is the only place that turns evidence into words: the
//! `Display` impl of [`Evidence`] is the text of a fact, and the same text in every output
//! format (human, JSON, SARIF, JUnit, GitHub annotations, `custody test`), because each
//! renderer reads [`Fact::text`](super::Fact::text), computed once from the evidence when the
//! fact is made ([`Fact::new`](super::Fact::new)).
//!
//! Values inside a sentence are rendered here too ([`Seen::plain`], [`Seen::quoted`]), and
//! `value::Display` renders through [`Seen`], so a value reads the same in a fact, a message
//! template and an `explain` tree.
//!
//! Every `match` here is exhaustive: a new kind of evidence must say how it reads.

use super::{Context, days_between};
use crate::ast::{CmpOp, Unit};
use crate::check::{CExpr, CKind, Shape};
use crate::inventory::Overlap;
use jiff::civil::Date;
use std::fmt;

/// An owned snapshot of a runtime value, with names resolved (categories by name, entities
/// as `KIND/ID`), so evidence outlives the inventory borrow of `Val`.
#[derive(Clone, Debug, PartialEq)]
pub enum Seen {
    Missing,
    Bool(bool),
    Num(f64),
    Str(String),
    Date(Date),
    /// A data category, by name.
    Cat(String),
    /// An entity, as `KIND/ID`.
    Entity(String),
    List(Vec<Seen>),
    /// A nested mapping that is present.
    Object,
}

impl Seen {
    /// Plain rendering, as in message templates: dates ISO, lists comma-joined.
    pub fn plain(&self) -> String {
        match self {
            Seen::Missing => "(missing)".into(),
            Seen::Bool(b) => b.to_string(),
            Seen::Num(n) => super::value::num(*n),
            Seen::Str(s) | Seen::Cat(s) | Seen::Entity(s) => s.clone(),
            Seen::Date(d) => d.to_string(),
            Seen::List(items) => join(items),
            Seen::Object => "(set)".into(),
        }
    }
    /// Rendering inside a sentence: strings in backticks, lists in brackets.
    pub fn quoted(&self) -> String {
        match self {
            Seen::Str(s) => format!("`{s}`"),
            Seen::List(items) => format!("[{}]", join(items)),
            Seen::Missing
            | Seen::Bool(_)
            | Seen::Num(_)
            | Seen::Date(_)
            | Seen::Cat(_)
            | Seen::Entity(_)
            | Seen::Object => self.plain(),
        }
    }
}

fn join(items: &[Seen]) -> String {
    items.iter().map(Seen::plain).collect::<Vec<_>>().join(", ")
}

/// The other side of a comparison or a date order: its value, and how it reads when it is
/// not a literal (`None` for a constant, whose value says it all).
#[derive(Clone, Debug, PartialEq)]
pub struct Operand {
    pub described: Option<String>,
    pub value: Seen,
}

/// How a vendor or store comes to have a declared category.
#[derive(Clone, Debug, PartialEq)]
pub enum Reached {
    /// In its own `handles` (vendors) or `holds` (stores).
    Own,
    /// Held by the data store with this id, which the vendor accesses.
    Accesses(String),
    /// Held by the data store with this id, which the vendor hosts.
    Hosts(String),
}

/// Which date-window test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Window {
    /// `within` and `within last`.
    Within,
    /// `within next`.
    WithinNext,
    OlderThan,
}

/// One observation. `what` is always how an expression reads in a sentence ([`describe`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Evidence {
    /// A path's first missing step, or a value that is absent.
    Missing { what: String },
    /// A value: a boolean used as a condition, or a string that `is empty` found not empty.
    Value { what: String, value: Seen },
    /// `is set` / `is missing` on a value that is present.
    Set { what: String, value: Seen },
    /// `is empty` on a list that has entries.
    Entries {
        what: String,
        count: usize,
        value: Seen,
    },
    /// An empty value (`is empty`), or a quantifier's empty list.
    Empty { what: String },
    /// `==`, `<`, …: the left-hand side's value and, when the test failed, what was required.
    Compared {
        what: String,
        value: Seen,
        op: CmpOp,
        against: Operand,
        holds: bool,
    },
    /// `in` / `not in`: whether the value is a member of the list.
    Membership {
        what: String,
        value: Seen,
        list: Seen,
        member: bool,
    },
    /// `contains`.
    Contains {
        what: String,
        value: Seen,
        needle: Seen,
        holds: bool,
    },
    /// `matches`.
    Matches {
        what: String,
        value: Seen,
        pattern: String,
        holds: bool,
    },
    /// A `within` / `older than` operand that is present but not a date.
    NotADate { what: String },
    /// `within` / `within next` / `older than`: the date, the as-of date, the limit and the
    /// cutoff it gives.
    Window {
        test: Window,
        what: String,
        date: Date,
        as_of: Date,
        amount: i64,
        unit: Unit,
        /// `as_of − amount unit` (`as_of + amount unit` for `within next`); `None` outside
        /// the supported dates.
        cutoff: Option<Date>,
        holds: bool,
    },
    /// `before` / `after`.
    Order {
        what: String,
        value: Seen,
        after: bool,
        other: Operand,
        holds: bool,
    },
    /// `handles` / `holds` that matched: the declared category, how it overlaps the policy's,
    /// and how the subject has it. `subject` is `None` for the rule's own entity.
    Category {
        subject: Option<String>,
        handles: bool,
        reached: Reached,
        declared: String,
        policy: String,
        overlap: Overlap,
    },
    /// `handles` / `holds` that did not match: the categories wanted, and whether the
    /// subject declares any at all.
    NoCategory {
        subject: Option<String>,
        handles: bool,
        wanted: Vec<String>,
        /// The exclusions of a pattern `C except E`.
        except: Vec<String>,
        declares_any: bool,
    },
    /// `receives` that held: the vendor `from` handles `policy`, and it reaches the subject
    /// through `links` subprocessor links. The chain follows as `Category` (the handling
    /// vendor) and `Passes` facts.
    Received {
        subject: Option<String>,
        policy: String,
        from: String,
        links: usize,
    },
    /// One subprocessor link of a `receives` chain: `from` lists `to`, and the link passes
    /// `policy`, through a declared category of its `handles` (with how it overlaps), or
    /// because the link has no `handles` (`None`).
    Passes {
        from: String,
        to: String,
        policy: String,
        link: Option<(String, Overlap)>,
    },
    /// `receives` that did not hold: the categories wanted, and how many vendors list the
    /// subject as a subprocessor.
    NotReceived {
        subject: Option<String>,
        wanted: Vec<String>,
        except: Vec<String>,
        listed_by: usize,
    },
    /// Evidence about one element of a quantifier's list: the element, the vendor it is
    /// reached through (over a `supply_chain`), and what was seen of it.
    Element {
        value: Seen,
        via: Option<String>,
        of: Box<Evidence>,
    },
    /// `any` over a non-empty list that has no witness.
    NoneQualifies { what: String, count: usize },
    /// `no` over a non-empty list whose every element is a witness.
    AllQualify { what: String, count: usize },
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::Missing { what } => write!(f, "{what} is missing"),
            Evidence::Value { what, value } => write!(f, "{what} is {}", value.quoted()),
            Evidence::Set { what, value } => write!(f, "{what} is set to {}", value.quoted()),
            Evidence::Entries { what, count, value } => write!(
                f,
                "{what} has {count} {}: {}",
                if *count == 1 { "entry" } else { "entries" },
                value.quoted()
            ),
            Evidence::Empty { what } => write!(f, "{what} is empty"),
            Evidence::Compared {
                what,
                value,
                op,
                against,
                holds,
            } => {
                write!(f, "{what} is {}", value.quoted())?;
                if *holds {
                    return Ok(());
                }
                write!(f, "; the rule requires {} ", op.as_str())?;
                match &against.described {
                    None => write!(f, "{}", against.value.quoted()),
                    Some(d) => write!(f, "{d} ({})", against.value.quoted()),
                }
            }
            Evidence::Membership {
                what,
                value,
                list,
                member,
            } => write!(
                f,
                "{what} is {}, which is {}in {}",
                value.quoted(),
                if *member { "" } else { "not " },
                list.quoted()
            ),
            Evidence::Contains {
                what,
                value,
                needle,
                holds,
            } => write!(
                f,
                "{what} is {}, which {} {}",
                value.quoted(),
                if *holds {
                    "contains"
                } else {
                    "does not contain"
                },
                needle.quoted()
            ),
            Evidence::Matches {
                what,
                value,
                pattern,
                holds,
            } => write!(
                f,
                "{what} is {}, which {} `{pattern}`",
                value.quoted(),
                if *holds { "matches" } else { "does not match" }
            ),
            Evidence::NotADate { what } => write!(f, "{what} is not a date"),
            Evidence::Window {
                test,
                what,
                date,
                as_of,
                amount,
                unit,
                cutoff,
                holds,
            } => {
                let limit = format!("{amount} {}", unit.name(*amount));
                let age = days_between(*date, *as_of);
                let cutoff = cutoff.map(|c| c.to_string()).unwrap_or_default();
                match (test, holds) {
                    (Window::Within, true) => write!(
                        f,
                        "{what} {date} is {} before {as_of}, within {limit}",
                        days(age)
                    ),
                    (Window::Within, false) if age < 0 => write!(
                        f,
                        "{what} {date} is in the future ({} after {as_of}); the rule requires within {limit}",
                        days(-age)
                    ),
                    (Window::Within, false) => write!(
                        f,
                        "{what} {date} is {} before {as_of}; the limit is {limit}",
                        days(age)
                    ),
                    (Window::WithinNext, true) => write!(
                        f,
                        "{what} {date} is {} after {as_of}, within the next {limit} (by {cutoff})",
                        days(-age)
                    ),
                    (Window::WithinNext, false) if age > 0 => write!(
                        f,
                        "{what} {date} is in the past ({} before {as_of}); the rule requires within the next {limit}",
                        days(age)
                    ),
                    (Window::WithinNext, false) => write!(
                        f,
                        "{what} {date} is {} after {as_of}; the limit is the next {limit} (by {cutoff})",
                        days(-age)
                    ),
                    (Window::OlderThan, true) => {
                        write!(f, "{what} {date} is older than {limit} (before {cutoff})")
                    }
                    (Window::OlderThan, false) => write!(
                        f,
                        "{what} {date} is not older than {limit} (the cutoff is {cutoff})"
                    ),
                }
            }
            Evidence::Order {
                what,
                value,
                after,
                other,
                holds,
            } => {
                let word = if *after { "after" } else { "before" };
                let not = if *holds { "" } else { "not " };
                write!(f, "{what} {} is {not}{word} ", value.plain())?;
                match &other.described {
                    None => write!(f, "{}", other.value.plain()),
                    Some(d) => write!(f, "{d} ({})", other.value.plain()),
                }
            }
            Evidence::Category {
                subject,
                handles,
                reached,
                declared,
                policy,
                overlap,
            } => {
                if let Some(s) = subject {
                    write!(f, "{s} ")?;
                }
                // Name the overlap case: equal, narrower (under), broader (fail closed).
                let how = match overlap {
                    Overlap::Equal => declared.clone(),
                    Overlap::Narrower => format!("{declared} (under {policy})"),
                    Overlap::Broader => format!("the broader {declared} (may include {policy})"),
                };
                match reached {
                    Reached::Own if *handles => write!(f, "declares {how} in its handles"),
                    Reached::Own => write!(f, "holds {how}"),
                    Reached::Accesses(s) => {
                        write!(f, "accesses data store {s}, which holds {how}")
                    }
                    Reached::Hosts(s) => write!(f, "hosts data store {s}, which holds {how}"),
                }
            }
            Evidence::NoCategory {
                subject,
                handles,
                wanted,
                except,
                declares_any,
            } => {
                if let Some(s) = subject {
                    write!(f, "{s} ")?;
                }
                let wanted = pattern_words(wanted, except);
                match (declares_any, handles) {
                    (false, true) => {
                        write!(f, "handles no data categories at all, so not {wanted}")
                    }
                    (false, false) => write!(f, "holds no data categories at all, so not {wanted}"),
                    (true, true) => write!(f, "does not handle {wanted}"),
                    (true, false) => write!(f, "does not hold {wanted}"),
                }
            }
            Evidence::Received {
                subject,
                policy,
                from,
                links,
            } => {
                if let Some(s) = subject {
                    write!(f, "{s} ")?;
                }
                let links = if *links == 1 {
                    "its direct subprocessor link".to_owned()
                } else {
                    format!("a chain of {links} subprocessor links")
                };
                write!(f, "receives {policy} from {from}, through {links}")
            }
            Evidence::Passes {
                from,
                to,
                policy,
                link,
            } => {
                write!(f, "{from} lists {to} as a subprocessor; the link ")?;
                match link {
                    None => write!(f, "declares no handles, so it passes everything {from} has"),
                    Some((declared, overlap)) => {
                        let how = match overlap {
                            Overlap::Equal => declared.clone(),
                            Overlap::Narrower => format!("{declared} (under {policy})"),
                            Overlap::Broader => {
                                format!("the broader {declared} (may include {policy})")
                            }
                        };
                        write!(f, "handles {how}")
                    }
                }
            }
            Evidence::NotReceived {
                subject,
                wanted,
                except,
                listed_by,
            } => {
                if let Some(s) = subject {
                    write!(f, "{s} ")?;
                }
                let wanted = pattern_words(wanted, except);
                match listed_by {
                    0 => write!(
                        f,
                        "is no vendor's subprocessor, so it does not receive {wanted}"
                    ),
                    1 => write!(
                        f,
                        "does not receive {wanted}: the vendor that lists it as a subprocessor neither handles nor receives it, or its link does not pass it"
                    ),
                    n => write!(
                        f,
                        "does not receive {wanted}: none of the {n} vendors that list it as a subprocessor both has it and passes it on"
                    ),
                }
            }
            Evidence::Element { value, via, of } => {
                write!(f, "{}: {of}", element_label(value, via.as_deref()))
            }
            Evidence::NoneQualifies { what, count } => {
                write!(f, "none of the {count} entries of {what} qualifies")
            }
            Evidence::AllQualify { what, count } => {
                write!(f, "all {count} entries of {what} qualify")
            }
        }
    }
}

/// The categories a test wanted, with a pattern's exclusions: `personal (except
/// personal.preferences)`, `any of [a, b] (except [c, d])`.
fn pattern_words(wanted: &[String], except: &[String]) -> String {
    let mut words = match wanted {
        [one] => one.clone(),
        several => format!("any of [{}]", several.join(", ")),
    };
    match except {
        [] => {}
        [one] => words += &format!(" (except {one})"),
        several => words += &format!(" (except [{}])", several.join(", ")),
    }
    words
}

/// How an element of a quantifier's list is named: its value and, over a `supply_chain`,
/// the vendor it is reached through (`vendor/cirrus-hosting (subprocessor of
/// vendor/tessaly-crm)`).
pub fn element_label(value: &Seen, via: Option<&str>) -> String {
    match via {
        Some(from) => format!("{} (subprocessor of {from})", value.plain()),
        None => value.plain(),
    }
}

/// How an expression reads in a sentence: a field path without its variable
/// (`contract.expires`), else the policy text.
pub fn describe(cx: &Context<'_>, e: &CExpr) -> String {
    match &e.kind {
        CKind::Field { base, name, .. } => match base.shape() {
            Shape::Var(_) => name.clone(),
            Shape::Const(_) | Shape::List(_) | Shape::Today | Shape::Computed => {
                format!("{}.{name}", describe(cx, base))
            }
        },
        CKind::Id(base) if matches!(base.kind, CKind::Var(_)) => "id".into(),
        CKind::SupplyChain(base) if matches!(base.kind, CKind::Var(_)) => "supply_chain".into(),
        CKind::Today => format!("today ({})", cx.as_of),
        CKind::Entities(kind) => format!("the {} register", cx.schema.kind(*kind).name),
        CKind::Const(_)
        | CKind::List(_)
        | CKind::Var(_)
        | CKind::Id(_)
        | CKind::SupplyChain(_)
        | CKind::Not(_)
        | CKind::And(..)
        | CKind::Or(..)
        | CKind::Compare { .. }
        | CKind::In { .. }
        | CKind::Contains { .. }
        | CKind::Matches { .. }
        | CKind::Is { .. }
        | CKind::Handles { .. }
        | CKind::Holds { .. }
        | CKind::Receives { .. }
        | CKind::Within { .. }
        | CKind::WithinNext { .. }
        | CKind::OlderThan { .. }
        | CKind::Before(..)
        | CKind::After(..)
        | CKind::Quant { .. }
        | CKind::Count(_)
        | CKind::Agg { .. }
        | CKind::Arith { .. }
        | CKind::Days { .. }
        | CKind::DateArith { .. } => cx.sources.slice(e.loc).to_owned(),
    }
}

/// How a quantifier's source reads in a sentence: its list ([`describe`]), and its `where`
/// as written when it has one (`the data_store register where s holds personal`).
pub fn describe_source(cx: &Context<'_>, list: &CExpr, filter: Option<&CExpr>) -> String {
    let list = describe(cx, list);
    match filter {
        Some(f) => format!("{list} where {}", cx.sources.slice(f.loc)),
        None => list,
    }
}

/// `1 day`, `998 days`.
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}
