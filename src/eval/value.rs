//! Runtime values, borrowed from the inventory and the checked program.

use crate::check::Const;
use crate::eval::evidence::Seen;
use crate::inventory::{CatId, EntityId, Field, Inventory, Schema, Taxonomy, Value};
use jiff::civil::Date;

#[derive(Clone, Debug, PartialEq)]
pub enum Val<'a> {
    /// Absent or null: every comparison and test on it is false.
    Missing,
    Bool(bool),
    Num(f64),
    Str(&'a str),
    Date(Date),
    Cat(CatId),
    Entity(EntityId),
    List(List<'a>),
    /// A nested mapping that is present.
    Object,
}

#[derive(Clone, Debug, PartialEq)]
pub enum List<'a> {
    Fields(&'a [Field]),
    Vals(Vec<Val<'a>>),
    /// Entities of the inventory (every entity of a kind), without copying the ids.
    Ids(&'a [EntityId]),
}

impl<'a> List<'a> {
    pub fn len(&self) -> usize {
        match self {
            List::Fields(f) => f.len(),
            List::Vals(v) => v.len(),
            List::Ids(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn get(&self, i: usize) -> Val<'a> {
        match self {
            List::Fields(f) => f
                .get(i)
                .map(|f| Val::from_value(&f.value))
                .unwrap_or(Val::Missing),
            List::Vals(v) => v.get(i).cloned().unwrap_or(Val::Missing),
            List::Ids(v) => v.get(i).map_or(Val::Missing, |e| Val::Entity(*e)),
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = Val<'a>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl<'a> Val<'a> {
    pub fn from_value(v: &'a Value) -> Val<'a> {
        match v {
            Value::Str(s) => Val::Str(s),
            Value::Num(n) => Val::Num(*n),
            Value::Bool(b) => Val::Bool(*b),
            Value::Date(d) => Val::Date(*d),
            Value::Cat(c) => Val::Cat(*c),
            Value::Ref(e) => Val::Entity(*e),
            Value::List(l) => Val::List(List::Fields(l)),
            Value::Object => Val::Object,
        }
    }
    pub fn from_const(c: &'a Const) -> Val<'a> {
        match c {
            Const::Bool(b) => Val::Bool(*b),
            Const::Num(n) => Val::Num(*n),
            Const::Str(s) => Val::Str(s),
            Const::Date(d) => Val::Date(*d),
            Const::Cat(c) => Val::Cat(*c),
            // Only `handles` and `holds` take a pattern, and they read it from the checked
            // node, never as a value.
            Const::Pattern { .. } => Val::Missing,
        }
    }
    pub fn is_missing(&self) -> bool {
        matches!(self, Val::Missing)
    }
    /// Lists: an absent list is empty (docs/language.md, "Absent lists").
    pub fn as_list(&self) -> Option<List<'a>> {
        match self {
            Val::List(l) => Some(l.clone()),
            Val::Missing => Some(List::Vals(Vec::new())),
            Val::Bool(_)
            | Val::Num(_)
            | Val::Str(_)
            | Val::Date(_)
            | Val::Cat(_)
            | Val::Entity(_)
            | Val::Object => None,
        }
    }
    /// Equality as `==` sees it; false when either side is missing.
    pub fn equals(&self, other: &Val<'_>) -> bool {
        match (self, other) {
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Num(a), Val::Num(b)) => a == b,
            (Val::Str(a), Val::Str(b)) => a == b,
            (Val::Date(a), Val::Date(b)) => a == b,
            (Val::Cat(a), Val::Cat(b)) => a == b,
            (Val::Entity(a), Val::Entity(b)) => a == b,
            (
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::Entity(_)
                | Val::List(_)
                | Val::Object,
                _,
            ) => false,
        }
    }
}

/// Formats values for messages: dates ISO, lists comma-joined, references `KIND/ID`.
pub struct Display<'x> {
    pub inv: &'x Inventory,
    pub schema: &'x Schema,
    pub taxonomy: &'x Taxonomy,
}

impl Display<'_> {
    pub fn entity(&self, e: EntityId) -> String {
        self.inv.entity_ref(self.schema, e).to_string()
    }
    /// An owned snapshot of a value, for evidence: categories by name, entities as `KIND/ID`.
    pub fn seen(&self, v: &Val<'_>) -> Seen {
        match v {
            Val::Missing => Seen::Missing,
            Val::Bool(b) => Seen::Bool(*b),
            Val::Num(n) => Seen::Num(*n),
            Val::Str(s) => Seen::Str((*s).to_owned()),
            Val::Date(d) => Seen::Date(*d),
            Val::Cat(c) => Seen::Cat(self.taxonomy.name(*c).to_owned()),
            Val::Entity(e) => Seen::Entity(self.entity(*e)),
            Val::List(l) => Seen::List(l.iter().map(|x| self.seen(&x)).collect()),
            Val::Object => Seen::Object,
        }
    }
    /// Plain rendering, as in message templates ([`Seen::plain`]).
    pub fn plain(&self, v: &Val<'_>) -> String {
        self.seen(v).plain()
    }
    /// Rendering inside a sentence: strings in backticks, lists in brackets ([`Seen::quoted`]).
    pub fn quoted(&self, v: &Val<'_>) -> String {
        self.seen(v).quoted()
    }
}

/// Whole numbers print without a fraction.
pub fn num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
