//! `custody explain RULE ENTITY`: one rule's evaluation on one entity as a tree, every
//! sub-expression with its value, for a policy author asking "why?".
//!
//! Nothing here decides a truth value: every ✓ and ✗ comes from [`Context::cond`] and every
//! value from [`Context::val`], the functions `custody check` runs, so an explanation can never
//! disagree with a finding. This module only walks the checked expression and says, for
//! each node, what went in (field values with their YAML location, date arithmetic, the
//! declared categories that overlap) and what came out.

use crate::ast::{DateOp, IsTest, Quantifier};
use crate::check::{CExpr, CKind, Shape, Ty};
use crate::eval::derived::Via;
use crate::eval::evidence::days;
use crate::eval::value::{List, Val};
use crate::eval::{Context, Finding, days_between, shift};
use crate::inventory::{CatId, EntityId, Overlap};
use crate::source::{Loc, SourceMap};
use std::fmt::Write;

/// Elements of a quantifier's list shown one by one; the rest are counted.
pub const LIST_CAP: usize = 10;
/// Declared categories named when none of them matches.
const DECLARED_CAP: usize = 8;
/// Conditions explained in one tree at most. Nested quantifiers multiply (ten elements of
/// ten elements of ...), so a hostile policy could otherwise ask for a tree of any size.
const NODE_BUDGET: usize = 500;

/// One line of the tree: its words, where its fact is written, and the lines under it.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub text: String,
    pub loc: Option<Loc>,
    pub children: Vec<Node>,
}

impl Node {
    fn new(text: impl Into<String>) -> Node {
        Node {
            text: text.into(),
            loc: None,
            children: Vec::new(),
        }
    }
    fn at(mut self, loc: Option<Loc>) -> Node {
        self.loc = loc;
        self
    }
    fn with(mut self, children: Vec<Node>) -> Node {
        self.children = children;
        self
    }

    /// The tree in box-drawing characters, each location as `(file:line:column)`.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        self.render_into(sources, "", "", &mut out);
        out
    }

    fn render_into(&self, sources: &SourceMap, first: &str, rest: &str, out: &mut String) {
        out.push_str(first);
        out.push_str(&self.text);
        if let Some(loc) = self.loc {
            let _ = write!(out, "  ({})", sources.display(loc));
        }
        out.push('\n');
        let n = self.children.len();
        for (i, c) in self.children.iter().enumerate() {
            let last = i + 1 == n;
            let (f, r) = if last {
                ("└─ ", "   ")
            } else {
                ("├─ ", "│  ")
            };
            c.render_into(sources, &format!("{rest}{f}"), &format!("{rest}{r}"), out);
        }
    }
}

/// One clause (`where` or a `require`): its truth and its tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub holds: bool,
    pub tree: Node,
}

/// The whole explanation of a rule on an entity.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// Index into `Program::rules`.
    pub rule: usize,
    pub entity: EntityId,
    /// `None` when the rule has no `where`: every entity of the kind is selected.
    pub filter: Option<Clause>,
    pub selected: bool,
    pub requires: Vec<Clause>,
    /// The finding `custody check` reports, when the entity is selected and fails.
    pub finding: Option<Finding>,
}

/// Explain rule `ri` on entity `e`; `None` when there is no such rule or `e` is not of the
/// rule's kind (its fields would not be the ones the rule was checked against).
pub fn explain<'a>(cx: &Context<'a>, ri: usize, e: EntityId) -> Option<Explanation> {
    let rule = cx.program.rules.get(ri)?;
    if cx.inv.get(e).kind != rule.kind {
        return None;
    }
    let x = Explainer {
        cx,
        budget: std::cell::Cell::new(NODE_BUDGET),
    };
    let mut env = vec![Val::Entity(e)];
    let filter = rule.filter.as_ref().map(|f| Clause {
        holds: cx.cond(f, &mut env, &mut ()),
        tree: x.cond_node(f, &mut env),
    });
    let requires = rule
        .requires
        .iter()
        .map(|r| Clause {
            holds: cx.cond(&r.expr, &mut env, &mut ()),
            tree: x.cond_node(&r.expr, &mut env),
        })
        .collect();
    // The verdict is the evaluator's own, with its finding (message, evidence).
    let (selected, finding) = cx.eval_entity(ri, rule, e);
    Some(Explanation {
        rule: ri,
        entity: e,
        filter,
        selected,
        requires,
        finding,
    })
}

struct Explainer<'c, 'a> {
    cx: &'c Context<'a>,
    /// Conditions still allowed in the tree.
    budget: std::cell::Cell<usize>,
}

fn mark(b: bool) -> &'static str {
    if b { "✓" } else { "✗" }
}

/// The policy text of an expression on one line, without the `#` comments of a clause
/// written over several lines.
fn one_line(s: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    for line in s.lines() {
        // Cut at a `#` outside a string.
        let (mut in_str, mut escaped, mut end) = (false, false, line.len());
        for (i, c) in line.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_str => escaped = true,
                '"' => in_str = !in_str,
                '#' if !in_str => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        words.extend(line.get(..end).unwrap_or(line).split_whitespace());
    }
    words.join(" ")
}

/// Is this policy text a name (a `let`), as opposed to a literal?
fn is_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(s, "true" | "false" | "today")
}

impl<'a> Explainer<'_, 'a> {
    fn src(&self, e: &CExpr) -> String {
        one_line(self.cx.sources.slice(e.loc))
    }

    fn words(&self, v: &Val<'_>) -> String {
        self.cx.display().quoted(v)
    }

    /// A condition: ✓ or ✗, its text, and why.
    fn cond_node(&self, e: &'a CExpr, env: &mut Vec<Val<'a>>) -> Node {
        let truth = self.cx.cond(e, env, &mut ());
        let head = format!("{} {}", mark(truth), self.src(e));
        let left = self.budget.get();
        if left == 0 {
            return Node::new(head).with(vec![Node::new(
                "… (the explanation is too long; the rest is not shown)",
            )]);
        }
        self.budget.set(left - 1);
        match &e.kind {
            CKind::And(..) | CKind::Or(..) => {
                let mut parts = Vec::new();
                flatten(e, matches!(e.kind, CKind::And(..)), &mut parts);
                let children = parts.into_iter().map(|p| self.cond_node(p, env)).collect();
                Node::new(head).with(children)
            }
            CKind::Not(inner) => Node::new(head).with(vec![self.cond_node(inner, env)]),
            CKind::Quant { .. } => self.quant(head, e, env),
            CKind::Const(_)
            | CKind::List(_)
            | CKind::Today
            | CKind::Var(_)
            | CKind::Field { .. }
            | CKind::Id(_)
            | CKind::SupplyChain(_)
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
            | CKind::Count(_)
            | CKind::Agg { .. }
            | CKind::Entities(_)
            | CKind::Arith { .. }
            | CKind::Days { .. }
            | CKind::DateArith { .. } => Node::new(head).with(self.leaf(e, env, truth)),
        }
    }

    /// What went into a test and what came out.
    fn leaf(&self, e: &'a CExpr, env: &mut Vec<Val<'a>>, truth: bool) -> Vec<Node> {
        let mut out: Vec<Node> = Vec::new();
        let missing_note = "a test on a missing value is false";
        match &e.kind {
            CKind::Compare { op, lhs, rhs } => {
                let (l, r) = (self.cx.val(lhs, env), self.cx.val(rhs, env));
                out.extend(self.operand(lhs, env));
                out.extend(self.operand(rhs, env));
                out.push(Node::new(format!(
                    "{} {} {}? {truth}",
                    self.words(&l),
                    op.as_str(),
                    self.words(&r)
                )));
                if l.is_missing() || r.is_missing() {
                    out.push(Node::new(missing_note));
                }
            }
            CKind::In { negated, lhs, rhs } => {
                let l = self.cx.val(lhs, env);
                let r = self.cx.val(rhs, env);
                let list = r.as_list().map(Val::List).unwrap_or(r);
                out.extend(self.operand(lhs, env));
                out.extend(self.operand(rhs, env));
                let op = if *negated { "not in" } else { "in" };
                out.push(Node::new(format!(
                    "{} {op} {}? {truth}",
                    self.words(&l),
                    self.words(&list)
                )));
                if l.is_missing() {
                    out.push(Node::new(missing_note));
                }
            }
            CKind::Contains { lhs, rhs } => {
                let (l, r) = (self.cx.val(lhs, env), self.cx.val(rhs, env));
                out.extend(self.operand(lhs, env));
                out.extend(self.operand(rhs, env));
                let shown = match (&l, &lhs.ty) {
                    (Val::Missing, crate::check::Ty::List(_)) => Val::List(List::Vals(Vec::new())),
                    (
                        Val::Missing,
                        Ty::Bool
                        | Ty::Num
                        | Ty::Str
                        | Ty::Enum(_)
                        | Ty::Date
                        | Ty::Cat
                        | Ty::Entity(_)
                        | Ty::Object
                        | Ty::Unknown
                        | Ty::Pattern,
                    )
                    | (
                        Val::Bool(_)
                        | Val::Num(_)
                        | Val::Str(_)
                        | Val::Date(_)
                        | Val::Cat(_)
                        | Val::Entity(_)
                        | Val::List(_)
                        | Val::Object,
                        _,
                    ) => l.clone(),
                };
                out.push(Node::new(format!(
                    "{} contains {}? {truth}",
                    self.words(&shown),
                    self.words(&r)
                )));
                if l.is_missing() && matches!(lhs.ty, crate::check::Ty::List(_)) {
                    out.push(Node::new("an absent list counts as empty"));
                } else if l.is_missing() || r.is_missing() {
                    out.push(Node::new(missing_note));
                }
            }
            CKind::Matches { lhs, pattern, .. } => {
                let l = self.cx.val(lhs, env);
                out.extend(self.operand(lhs, env));
                out.push(Node::new(format!(
                    "{} matches \"{pattern}\"? {truth}",
                    self.words(&l)
                )));
                if l.is_missing() {
                    out.push(Node::new(missing_note));
                }
            }
            CKind::Is { lhs, test } => {
                let l = self.cx.val(lhs, env);
                out.extend(self.operand(lhs, env));
                let word = match test {
                    IsTest::Set => "set",
                    IsTest::Missing => "missing",
                    IsTest::Empty => "empty",
                };
                out.push(Node::new(format!("{} is {word}? {truth}", self.words(&l))));
            }
            CKind::Handles {
                subject,
                cats,
                except,
            }
            | CKind::Holds {
                subject,
                cats,
                except,
            } => {
                let handles = matches!(e.kind, CKind::Handles { .. });
                out.extend(self.categories(handles, subject, (cats, except), env));
            }
            // The chain as a tree: how the vendor receives it, then the vendor that handles
            // it and each subprocessor link down to it, each with its location.
            CKind::Receives { subject, .. } => {
                if !matches!(subject.kind, CKind::Var(_)) {
                    out.extend(self.operand(subject, env));
                }
                let mut facts = self.cx.explain_receives(e, env, truth).into_iter();
                if let Some(head) = facts.next() {
                    let steps = facts.map(|f| Node::new(f.text).at(f.loc)).collect();
                    out.push(Node::new(head.text).at(head.loc).with(steps));
                }
            }
            CKind::Within { date, amount, unit }
            | CKind::WithinNext { date, amount, unit }
            | CKind::OlderThan { date, amount, unit } => {
                let next = matches!(e.kind, CKind::WithinNext { .. });
                let d = self.cx.val(date, env);
                out.extend(self.operand(date, env));
                let as_of = self.cx.as_of;
                let limit = format!("{amount} {}", unit.name(*amount));
                let Val::Date(dv) = d else {
                    out.push(Node::new(missing_note));
                    return out;
                };
                let (step, sign) = if next {
                    (*amount, "+")
                } else {
                    (-amount, "−")
                };
                let Some(cutoff) = shift(as_of, step, *unit) else {
                    out.push(Node::new(format!(
                        "as-of {as_of} {sign} {limit} is outside the supported dates, so the test is false"
                    )));
                    return out;
                };
                let age = days_between(dv, as_of);
                let age_words = match age {
                    0 => "on the as-of date".to_owned(),
                    n if n > 0 => format!("{} before as-of", days(n)),
                    n => format!("{} after as-of", days(-n)),
                };
                let text = if next {
                    format!(
                        "{dv} ≥ {as_of} (as-of) and {dv} ≤ {cutoff} (as-of {as_of} + {limit})? {truth} ({age_words})"
                    )
                } else if matches!(e.kind, CKind::Within { .. }) {
                    format!(
                        "{dv} ≥ {cutoff} (as-of {as_of} − {limit}) and {dv} ≤ {as_of} (as-of)? {truth} ({age_words})"
                    )
                } else {
                    format!("{dv} < {cutoff} (as-of {as_of} − {limit})? {truth} ({age_words})")
                };
                out.push(Node::new(text));
            }
            CKind::Before(a, b) | CKind::After(a, b) => {
                let (x, y) = (self.cx.val(a, env), self.cx.val(b, env));
                out.extend(self.operand(a, env));
                out.extend(self.operand(b, env));
                let op = if matches!(e.kind, CKind::Before(..)) {
                    "<"
                } else {
                    ">"
                };
                out.push(Node::new(format!(
                    "{} {op} {}? {truth}",
                    self.words(&x),
                    self.words(&y)
                )));
                if x.is_missing() || y.is_missing() {
                    out.push(Node::new(missing_note));
                }
            }
            // A boolean field or constant used as a condition.
            CKind::Const(_)
            | CKind::List(_)
            | CKind::Today
            | CKind::Var(_)
            | CKind::Field { .. }
            | CKind::Id(_)
            | CKind::SupplyChain(_)
            | CKind::Not(_)
            | CKind::And(..)
            | CKind::Or(..)
            | CKind::Quant { .. }
            | CKind::Count(_)
            | CKind::Agg { .. }
            | CKind::Entities(_)
            | CKind::Arith { .. }
            | CKind::Days { .. }
            | CKind::DateArith { .. } => {
                let v = self.cx.val(e, env);
                if let Some(mut n) = self.operand(e, env) {
                    if v.is_missing() {
                        n.children.push(Node::new(missing_note));
                    }
                    out.push(n);
                }
            }
        }
        out
    }

    /// The value of an operand, when it is worth a line: field paths with their location,
    /// `today`, `let` names, counts and date arithmetic spelled out. `None` for literals.
    fn operand(&self, e: &'a CExpr, env: &mut Vec<Val<'a>>) -> Option<Node> {
        let text = self.src(e);
        let v = self.cx.val(e, env);
        match &e.kind {
            CKind::Const(_) | CKind::List(_) => {
                is_name(&text).then(|| Node::new(format!("{text} = {}", self.words(&v))))
            }
            CKind::Today => Some(Node::new(format!(
                "today = {} (the as-of date)",
                self.cx.as_of
            ))),
            CKind::Var(_) => Some(Node::new(format!("{text} = {}", self.words(&v)))),
            CKind::Field { .. } | CKind::Id(_) | CKind::SupplyChain(_) => {
                if v.is_missing() {
                    let why = self.cx.missing(e, env);
                    let reason = why
                        .as_ref()
                        .map(|f| f.text.clone())
                        .unwrap_or_else(|| "missing".into());
                    Some(
                        Node::new(format!("{text} = (missing): {reason}"))
                            .at(why.and_then(|f| f.loc)),
                    )
                } else {
                    let loc = self.cx.value_loc(e, env);
                    Some(Node::new(format!("{text} = {}", self.words(&v))).at(loc))
                }
            }
            CKind::Count(inner) | CKind::Days { date: inner, .. } => {
                let children = self.operand(inner, env).into_iter().collect();
                Some(Node::new(format!("{text} = {}", self.words(&v))).with(children))
            }
            CKind::Agg { .. } => Some(Node::new(format!("{text} = {}", self.words(&v)))),
            CKind::Arith { lhs, rhs, .. } => {
                let children = [lhs, rhs]
                    .into_iter()
                    .filter_map(|x| self.operand(x, env))
                    .collect();
                Some(Node::new(format!("{text} = {}", self.words(&v))).with(children))
            }
            CKind::Entities(_) => None,
            CKind::DateArith {
                base,
                op,
                amount,
                unit,
            } => {
                let b = self.cx.val(base, env);
                let sign = if *op == DateOp::Plus { "+" } else { "−" };
                let spelled = match &b {
                    Val::Date(_) => {
                        format!(
                            " ({} {sign} {amount} {})",
                            self.words(&b),
                            unit.name(*amount)
                        )
                    }
                    Val::Missing
                    | Val::Bool(_)
                    | Val::Num(_)
                    | Val::Str(_)
                    | Val::Cat(_)
                    | Val::Entity(_)
                    | Val::List(_)
                    | Val::Object => String::new(),
                };
                let children = match base.shape() {
                    Shape::Today | Shape::Const(_) => Vec::new(),
                    Shape::List(_) | Shape::Var(_) | Shape::Computed => {
                        self.operand(base, env).into_iter().collect()
                    }
                };
                Some(Node::new(format!("{text} = {}{spelled}", self.words(&v))).with(children))
            }
            // A condition used as a value (`v.a == (v.b > 1)`).
            CKind::Not(_)
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
            | CKind::Quant { .. } => Some(self.cond_node(e, env)),
        }
    }

    /// `handles` and `holds`: every declared category that overlaps, how, and where.
    fn categories(
        &self,
        handles: bool,
        subject: &'a CExpr,
        (cats, except): (&[CatId], &[CatId]),
        env: &mut Vec<Val<'a>>,
    ) -> Vec<Node> {
        let cx = self.cx;
        let tax = cx.taxonomy;
        let mut out: Vec<Node> = Vec::new();
        if !matches!(subject.kind, CKind::Var(_)) {
            out.extend(self.operand(subject, env));
        }
        let Val::Entity(ent) = cx.val(subject, env) else {
            out.push(Node::new("a test on a missing value is false"));
            return out;
        };
        let declared: Vec<(CatId, Via, Loc)> = if handles {
            cx.derived
                .handles
                .get(ent.0 as usize)
                .map(|hs| hs.iter().map(|h| (h.cat, h.via, h.loc)).collect())
                .unwrap_or_default()
        } else {
            cx.holds(ent)
                .into_iter()
                .map(|(c, l)| (c, Via::Own, l))
                .collect()
        };
        let source = |via: Via| -> String {
            match via {
                Via::Own if handles => "in its own handles".to_owned(),
                Via::Own => "in its holds".to_owned(),
                Via::Accesses(s) => {
                    format!("held by data store {}, which it accesses", cx.inv.get(s).id)
                }
                Via::Hosts(s) => format!("held by data store {}, which it hosts", cx.inv.get(s).id),
            }
        };
        let several = cats.len() > 1;
        let mut matched = false;
        // Declared categories a pattern's `except` leaves out (equal to or under one).
        let excluded = |cat: CatId| {
            except.iter().copied().find(|&x| {
                matches!(
                    tax.overlap(cat, x),
                    Some(Overlap::Equal | Overlap::Narrower)
                )
            })
        };
        for (cat, via, loc) in &declared {
            if let Some(x) = excluded(*cat)
                && cats.iter().any(|&c| tax.overlap(*cat, c).is_some())
            {
                out.push(
                    Node::new(format!(
                        "{} {} is left out by `except {}`",
                        tax.name(*cat),
                        source(*via),
                        tax.name(x)
                    ))
                    .at(Some(*loc)),
                );
            }
        }
        for &c in cats {
            let policy = tax.name(c);
            for (cat, via, loc) in &declared {
                if excluded(*cat).is_some() {
                    continue;
                }
                let Some(ov) = tax.overlap(*cat, c) else {
                    continue;
                };
                matched = true;
                let case = match ov {
                    Overlap::Equal => "(equal)".to_owned(),
                    Overlap::Narrower => format!("(narrower: under {policy})"),
                    Overlap::Broader => format!("(broader: may include {policy})"),
                };
                let prefix = if several {
                    format!("for {policy}: ")
                } else {
                    String::new()
                };
                out.push(
                    Node::new(format!(
                        "{prefix}{} {case} {}",
                        tax.name(*cat),
                        source(*via)
                    ))
                    .at(Some(*loc)),
                );
            }
        }
        if !matched {
            let wanted: Vec<&str> = cats.iter().map(|c| tax.name(*c)).collect();
            let wanted = if several {
                format!("any of [{}]", wanted.join(", "))
            } else {
                wanted.join(", ")
            };
            let id_loc = Some(cx.inv.get(ent).id_loc);
            if declared.is_empty() {
                let what = if handles {
                    "it declares no data categories and reaches no store that holds any"
                } else {
                    "it holds no data categories"
                };
                out.push(Node::new(format!("{what}, so not {wanted}")).at(id_loc));
            } else {
                let mut names: Vec<&str> = declared.iter().map(|(c, ..)| tax.name(*c)).collect();
                names.sort_unstable();
                names.dedup();
                let n = names.len();
                let mut list = names
                    .iter()
                    .take(DECLARED_CAP)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ");
                if n > DECLARED_CAP {
                    let _ = write!(list, ", … and {} more", n - DECLARED_CAP);
                }
                let text = if n == 1 {
                    format!("its only declared category, {list}, does not overlap {wanted}")
                } else {
                    format!("none of its {n} declared categories overlaps {wanted}: {list}")
                };
                out.push(Node::new(text).at(id_loc));
            }
        }
        out
    }

    /// `all|any|no X in LIST: BODY`: the list, then each element's outcome (the first
    /// [`LIST_CAP`] in full, the rest counted).
    fn quant(&self, head: String, e: &'a CExpr, env: &mut Vec<Val<'a>>) -> Node {
        let CKind::Quant {
            quantifier: q,
            slot,
            var,
            list,
            filter,
            body,
        } = &e.kind
        else {
            return Node::new(head);
        };
        let (q, slot) = (*q, *slot);
        let cx = self.cx;
        let mut children: Vec<Node> = self.operand(list, env).into_iter().collect();
        let elements = cx.elements(list, env);
        let items = &elements.items;
        // Over a supply chain, say how each further party is reached.
        let label_of = cx.element_labeller(list, env);
        let (mut trues, mut falses) = (0usize, 0usize);
        let (mut hidden_true, mut hidden_false) = (0usize, 0usize);
        let mut shown = 0usize;
        let mut left_out = 0usize;
        for i in 0..items.len() {
            let item = cx.bind(&elements, i, slot, env);
            let label = label_of(&item);
            if let Some(f) = filter
                && !cx.cond(f, env, &mut ())
            {
                left_out += 1;
                env.truncate(slot);
                continue;
            }
            let r = cx.cond(body, env, &mut ());
            if r {
                trues += 1;
            } else {
                falses += 1;
            }
            if shown < LIST_CAP && self.budget.get() > 0 {
                shown += 1;
                let tree = self.cond_node(body, env);
                children.push(Node::new(format!("{} {var} = {label}", mark(r))).with(vec![tree]));
            } else if r {
                hidden_true += 1;
            } else {
                hidden_false += 1;
            }
            env.truncate(slot);
        }
        let n = items.len() - left_out;
        if shown < n {
            children.push(Node::new(format!(
                "… and {} more ({hidden_true} true, {hidden_false} false)",
                n - shown
            )));
        }
        if let Some(f) = filter {
            children.push(Node::new(format!(
                "{left_out} of {} {} left out by `where {}`",
                items.len(),
                if items.len() == 1 {
                    "element"
                } else {
                    "elements"
                },
                self.src(f)
            )));
        }
        let word = q.as_str();
        let summary = if n == 0 {
            let outcome = match q {
                Quantifier::All | Quantifier::No => "holds",
                Quantifier::Any => "fails",
            };
            let empty = if filter.is_some() {
                "no element is selected"
            } else {
                "the list is empty"
            };
            format!("{empty}, so `{word}` {outcome}")
        } else {
            format!(
                "the condition is true for {trues} of {n} {}, false for {falses}",
                if n == 1 { "element" } else { "elements" }
            )
        };
        children.push(Node::new(summary));
        Node::new(head).with(children)
    }
}

/// The operands of a chain of one operator (`a and b and c`), left to right.
fn flatten<'e>(e: &'e CExpr, and: bool, out: &mut Vec<&'e CExpr>) {
    match (&e.kind, and) {
        (CKind::And(a, b), true) | (CKind::Or(a, b), false) => {
            flatten(a, and, out);
            flatten(b, and, out);
        }
        (
            CKind::Const(_)
            | CKind::List(_)
            | CKind::Today
            | CKind::Var(_)
            | CKind::Field { .. }
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
            | CKind::Entities(_)
            | CKind::Arith { .. }
            | CKind::Days { .. }
            | CKind::DateArith { .. },
            _,
        ) => out.push(e),
    }
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn one_line_drops_comments_but_not_hashes_in_strings() {
        assert_eq!(
            one_line("v.a == \"#1\" and # why\n    v.b"),
            "v.a == \"#1\" and v.b"
        );
        assert_eq!(one_line("v.a == \"x\\\"#\""), "v.a == \"x\\\"#\"");
    }
}
