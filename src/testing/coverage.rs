//! `custody test --coverage`: which rules no test exercises, and which `where` and `require`
//! clauses and quantifier bodies the fixtures never saw both true and false.
//!
//! A clause is keyed by its expression's location in the policy, so observations from every
//! test file add up even when each file loaded the policies on its own. The evaluation
//! mirrors `eval::Context`: the `where` is evaluated on every entity of the rule's kind, the
//! `require`s only on the entities it selects, and a quantifier's body once per element of
//! its list with the variable bound (every element, not only up to the deciding one, and
//! whether or not `and`/`or` would have reached the quantifier).

use crate::check::{CExpr, CKind, CheckedRule};
use crate::eval::Context;
use crate::eval::value::Val;
use crate::inventory::Inventory;
use crate::source::{Loc, SourceMap};
use crate::types::RuleId;
use std::collections::BTreeMap;

/// What a clause is, for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClauseKind {
    Where,
    Require,
    /// The body of a quantifier; the text is its head, e.g. `all p in v.supply_chain`.
    Body(String),
}

/// One clause of a rule and what it was seen to be.
#[derive(Clone, Debug)]
pub struct Clause {
    pub kind: ClauseKind,
    pub loc: Loc,
    pub seen_true: bool,
    pub seen_false: bool,
}

/// A rule's coverage.
#[derive(Clone, Debug)]
pub struct RuleCoverage {
    pub id: RuleId,
    pub title: String,
    pub loc: Loc,
    /// Named in the `expect` of at least one test file that ran.
    pub tested: bool,
    /// Where, requires, then quantifier bodies in the order they are written.
    pub clauses: Vec<Clause>,
}

/// Observations over all test files, keyed by the rule's location (its ID in the header).
#[derive(Default)]
pub struct Coverage {
    rules: BTreeMap<Loc, RuleCoverage>,
}

impl Coverage {
    /// Make the rule known (tested or not), with its clauses, never seen yet.
    pub fn add_rule(&mut self, rule: &CheckedRule, sources: &SourceMap) {
        self.rules.entry(rule.loc).or_insert_with(|| {
            let mut clauses = Vec::new();
            let mut push = |kind: ClauseKind, loc: Loc| {
                clauses.push(Clause {
                    kind,
                    loc,
                    seen_true: false,
                    seen_false: false,
                })
            };
            if let Some(f) = &rule.filter {
                push(ClauseKind::Where, f.loc);
            }
            for r in &rule.requires {
                push(ClauseKind::Require, r.expr.loc);
            }
            let mut bodies = Vec::new();
            if let Some(f) = &rule.filter {
                quantifiers(f, sources, &mut bodies);
            }
            for r in &rule.requires {
                quantifiers(&r.expr, sources, &mut bodies);
            }
            for (head, loc) in bodies {
                push(ClauseKind::Body(head), loc);
            }
            RuleCoverage {
                id: rule.id.clone(),
                title: rule.title.clone(),
                loc: rule.loc,
                tested: false,
                clauses,
            }
        });
    }

    /// Evaluate every clause of `rule` on every entity of its kind in `inv`.
    pub fn observe<'a>(&mut self, cx: &Context<'a>, rule: &'a CheckedRule, inv: &Inventory) {
        self.add_rule(rule, cx.sources);
        let Some(cov) = self.rules.get_mut(&rule.loc) else {
            return;
        };
        cov.tested = true;
        let mut seen: BTreeMap<Loc, (bool, bool)> = BTreeMap::new();
        for &e in inv.of_kind(rule.kind) {
            let mut env = vec![Val::Entity(e)];
            if let Some(f) = &rule.filter {
                let selected = cx.cond(f, &mut env, &mut ());
                record(&mut seen, f.loc, selected);
                bodies(cx, f, &mut env, &mut seen);
                if !selected {
                    continue;
                }
            }
            for r in &rule.requires {
                let ok = cx.cond(&r.expr, &mut env, &mut ());
                record(&mut seen, r.expr.loc, ok);
                bodies(cx, &r.expr, &mut env, &mut seen);
            }
        }
        for c in &mut cov.clauses {
            if let Some((t, f)) = seen.get(&c.loc) {
                c.seen_true |= t;
                c.seen_false |= f;
            }
        }
    }

    /// Every rule, in rule-ID order (then location, for equal IDs in different policy sets).
    pub fn rules(&self) -> Vec<&RuleCoverage> {
        let mut v: Vec<&RuleCoverage> = self.rules.values().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id).then(a.loc.cmp(&b.loc)));
        v
    }
}

fn record(seen: &mut BTreeMap<Loc, (bool, bool)>, loc: Loc, value: bool) {
    let e = seen.entry(loc).or_default();
    if value {
        e.0 = true;
    } else {
        e.1 = true;
    }
}

/// Evaluate the body of every quantifier in `e`, per element, as `Context::quant` does.
fn bodies<'a>(
    cx: &Context<'a>,
    e: &'a CExpr,
    env: &mut Vec<Val<'a>>,
    seen: &mut BTreeMap<Loc, (bool, bool)>,
) {
    if let CKind::Quant {
        slot, list, body, ..
    } = &e.kind
    {
        let elements = cx.elements(list, env);
        let saved: Vec<Val<'a>> = env.clone();
        env.truncate(*slot);
        for i in 0..elements.items.len() {
            cx.bind(&elements, i, *slot, env);
            let r = cx.cond(body, env, &mut ());
            record(seen, body.loc, r);
            bodies(cx, body, env, seen);
            env.truncate(*slot);
        }
        *env = saved;
        return;
    }
    for child in e.children() {
        bodies(cx, child, env, seen);
    }
}

/// The quantifiers in `e`, outermost first: (its head as written, its body's location).
fn quantifiers(e: &CExpr, sources: &SourceMap, out: &mut Vec<(String, Loc)>) {
    if let CKind::Quant {
        quantifier,
        var,
        list,
        body,
        ..
    } = &e.kind
    {
        out.push((
            format!(
                "{} {var} in {}",
                quantifier_word(*quantifier),
                one_line(sources.slice(list.loc))
            ),
            body.loc,
        ));
        quantifiers(list, sources, out);
        quantifiers(body, sources, out);
        return;
    }
    for child in e.children() {
        quantifiers(child, sources, out);
    }
}

fn quantifier_word(q: crate::ast::Quantifier) -> &'static str {
    match q {
        crate::ast::Quantifier::All => "all",
        crate::ast::Quantifier::Any => "any",
        crate::ast::Quantifier::No => "no",
    }
}

/// Policy text on one line: runs of whitespace (newlines, indentation) become one space.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
