//! Evaluation: checked rules × inventory → findings with evidence. Never fails.
//!
//! Each (rule, entity) is evaluated on the fast path with no tracing; only for entities that
//! fail a `require` is the evaluation repeated with a fact sink, to build the evidence that
//! says why the entity was selected and why each requirement failed.
//! Evidence is recorded as typed [`evidence::Evidence`] values; the sentences users read are
//! made from them in `evidence.rs`, and nowhere in this module.

pub mod baseline;
pub mod derived;
pub mod evidence;
pub mod explain;
pub mod impact;
pub mod value;
pub mod waivers;

use crate::ast::{AggOp, ArithOp, CmpOp, DateOp, DayFn, IsTest, Quantifier, Unit};
use crate::check::{CExpr, CKind, CheckedRule, Program, Shape, TemplatePart, Ty};
use crate::inventory::{
    CatId, EntityId, EnumValues, FieldId, FieldType, Inventory, KindId, Overlap, Schema, Taxonomy,
    Value,
};
use crate::source::{Loc, SourceMap};
use crate::types::WaiverId;
use derived::{ChainStep, Derived, Receivers, Via};
use evidence::{Evidence, Operand, Reached, Seen, Window};
use jiff::civil::Date;
use rayon::prelude::*;
use std::collections::HashMap;
use value::{Display, List, Val};

/// One statement of evidence, with where its fact is written (when it is written somewhere).
#[derive(Clone, Debug, PartialEq)]
pub struct Fact {
    /// What the evaluator observed.
    pub evidence: Evidence,
    /// The sentence users read: `evidence` in words (`evidence.rs`), made once by [`Fact::new`].
    pub text: String,
    pub loc: Option<Loc>,
}

impl Fact {
    pub fn new(evidence: Evidence, loc: Option<Loc>) -> Fact {
        Fact {
            text: evidence.to_string(),
            evidence,
            loc,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FailedRequire {
    /// Index into the rule's `requires`.
    pub index: usize,
    pub facts: Vec<Fact>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Fail,
    /// Covered by a live waiver.
    Waived(WaiverId),
    /// Known from the baseline file: reported, but does not fail the run.
    Baselined,
}

impl Status {
    /// As in JSON output: `fail`, `waived`, `baselined`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Waived(_) => "waived",
            Status::Baselined => "baselined",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Index into `Program::rules`.
    pub rule: usize,
    pub entity: EntityId,
    pub status: Status,
    /// Every failed `require`, with why it failed.
    pub failed: Vec<FailedRequire>,
    /// Where the primary label goes: the offending value, or the entity's id when missing.
    pub primary: Loc,
    /// Set when an expired waiver names this finding: its expiry date.
    pub expired_waiver: Option<(WaiverId, Date)>,
    /// The message, the selection's facts and the label; `None` in a finding made with
    /// `Context::defer_evidence` (a register's hundreds of thousands of findings then take
    /// 8 bytes for them, not 72).
    words: Option<Box<Words>>,
}

/// What a finding says, apart from its failed requirements.
#[derive(Clone, Debug, PartialEq)]
struct Words {
    message: String,
    /// Why the `for`/`where` selected the entity.
    selected: Vec<Fact>,
    primary_label: String,
}

impl Finding {
    /// Made with `Context::defer_evidence`: no message, facts or label yet.
    pub fn is_thin(&self) -> bool {
        self.words.is_none() && self.failed.iter().all(|f| f.facts.is_empty())
    }

    /// The message users read ("" in a thin finding).
    pub fn message(&self) -> &str {
        self.words.as_deref().map_or("", |w| w.message.as_str())
    }

    /// Why the `for`/`where` selected the entity (none in a thin finding).
    pub fn selected(&self) -> &[Fact] {
        self.words.as_deref().map_or(&[], |w| w.selected.as_slice())
    }

    /// The primary label's text ("" in a thin finding).
    pub fn primary_label(&self) -> &str {
        self.words
            .as_deref()
            .map_or("", |w| w.primary_label.as_str())
    }
}

/// Per-rule counts, for summaries and tests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleStats {
    pub selected: usize,
    pub failing: usize,
    /// The selected entities, in id order (JUnit reports passing entities too).
    pub selected_entities: Vec<EntityId>,
}

pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub stats: Vec<RuleStats>,
}

/// The elements of a list a variable ranges over ([`Context::elements`]).
pub struct Elements<'a> {
    pub items: List<'a>,
    /// Over a reference list, where the links are: `Some(None)` when the list's owner is
    /// missing (no elements anyway); `None` for any other list (no link slot).
    links: Option<Option<(EntityId, FieldId)>>,
    /// Over a `supply_chain`, each element's path (`p.link`, `p.depth`, `p.via`).
    chain: Option<Vec<ChainStep>>,
}

/// Everything evaluation reads. Built once per run.
pub struct Context<'a> {
    pub program: &'a Program,
    pub inv: &'a Inventory,
    pub schema: &'a Schema,
    pub taxonomy: &'a Taxonomy,
    pub sources: &'a SourceMap,
    pub as_of: Date,
    /// Shared, so a renderer that evaluates again (deferred evidence) reuses the run's
    /// ([`Context::with_derived`]) instead of building them a second time.
    pub derived: std::sync::Arc<Derived>,
    /// Leave evidence out of findings (`Finding::is_thin`); `with_evidence` adds it later,
    /// one finding at a time, so a streamed report never holds every finding's evidence.
    pub defer_evidence: bool,
    /// The value of each closed aggregate and quantifier (one that mentions no variable
    /// bound outside it, such as `count(data_store s)`), computed the first time it is
    /// needed and then shared by every entity. Keyed by the node's address in `program`,
    /// which outlives the context and is never moved while it is borrowed.
    memo: std::collections::HashMap<usize, std::sync::OnceLock<Val<'a>>>,
    /// For joins ([`Context::source_elements`]): the entities whose single reference field
    /// names each entity, by (kind, field, target); built on first use.
    referrers: std::sync::OnceLock<HashMap<(KindId, FieldId, EntityId), Vec<EntityId>>>,
    /// Which vendors receive each category pattern that a `receives` in the program tests,
    /// by category and exclusions ([`Derived::receivers`]): computed the first time it is
    /// needed, then shared by every rule and entity.
    receivers: ReceiverMemo,
}

/// A `where` of a source over every entity of a kind that requires `X.field == T`, with
/// `X` the source's variable (at `slot`), `field` a single reference and `T` mentioning
/// only variables bound outside: the field and `T`. Looks through `and`s, either side.
fn join_key(filter: &CExpr, slot: usize) -> Option<(FieldId, &CExpr)> {
    let own_field = |e: &CExpr| {
        if let CKind::Field { base, field, .. } = &e.kind
            && matches!(base.kind, CKind::Var(s) if s == slot)
            && matches!(e.ty, Ty::Entity(_))
        {
            Some(*field)
        } else {
            None
        }
    };
    let outside = |e: &CExpr| !e.mentions_at_or_above(slot);
    if let CKind::And(a, b) = &filter.kind {
        return join_key(a, slot).or_else(|| join_key(b, slot));
    }
    if let CKind::Compare {
        op: CmpOp::Eq,
        lhs,
        rhs,
    } = &filter.kind
    {
        if let Some(f) = own_field(lhs)
            && outside(rhs)
        {
            return Some((f, rhs));
        }
        if let Some(f) = own_field(rhs)
            && outside(lhs)
        {
            return Some((f, lhs));
        }
    }
    None
}

/// [`Context::receivers`]: per category, per list of exclusions.
type ReceiverMemo =
    std::collections::HashMap<CatId, Vec<(Vec<CatId>, std::sync::OnceLock<Receivers>)>>;

/// Every category pattern a `receives` under `e` tests, for [`Context::receivers`].
fn receive_patterns(e: &CExpr, out: &mut ReceiverMemo) {
    if let CKind::Receives { cats, except, .. } = &e.kind {
        for &c in cats {
            let entry = out.entry(c).or_default();
            if !entry.iter().any(|(x, _)| x == except) {
                entry.push((except.clone(), std::sync::OnceLock::new()));
            }
        }
    }
    for c in e.children() {
        receive_patterns(c, out);
    }
}

/// The key of a node in [`Context::memo`].
fn node_key(e: &CExpr) -> usize {
    std::ptr::from_ref(e) as usize
}

/// Every closed aggregate and quantifier over `e`, for [`Context::memo`].
fn closed_nodes(e: &CExpr, out: &mut Vec<usize>) {
    let slot = if let CKind::Agg { slot, .. } | CKind::Quant { slot, .. } = &e.kind {
        Some(*slot)
    } else {
        None
    };
    if let Some(slot) = slot
        && !e.mentions_below(slot)
    {
        out.push(node_key(e));
    }
    for c in e.children() {
        closed_nodes(c, out);
    }
}

impl<'a> Context<'a> {
    /// A context over everything a checked project loaded.
    pub fn of(checked: &'a crate::check::Checked) -> Context<'a> {
        let p = &checked.project;
        Context::new(
            &checked.program,
            &p.inventory,
            &p.schema,
            &p.taxonomy,
            &p.sources,
            p.as_of,
        )
    }
    pub fn new(
        program: &'a Program,
        inv: &'a Inventory,
        schema: &'a Schema,
        taxonomy: &'a Taxonomy,
        sources: &'a SourceMap,
        as_of: Date,
    ) -> Context<'a> {
        let derived = std::sync::Arc::new(Derived::new(inv, schema));
        Context::with_derived(program, inv, schema, taxonomy, sources, as_of, derived)
    }

    /// [`Context::new`] with the derived facts already built (`Derived::new` of the same
    /// inventory and schema; they depend on nothing else).
    pub fn with_derived(
        program: &'a Program,
        inv: &'a Inventory,
        schema: &'a Schema,
        taxonomy: &'a Taxonomy,
        sources: &'a SourceMap,
        as_of: Date,
        derived: std::sync::Arc<Derived>,
    ) -> Context<'a> {
        let mut closed = Vec::new();
        let mut receivers = ReceiverMemo::new();
        for rule in &program.rules {
            for e in rule
                .filter
                .iter()
                .chain(rule.requires.iter().map(|r| &r.expr))
            {
                closed_nodes(e, &mut closed);
                receive_patterns(e, &mut receivers);
            }
        }
        let memo = closed
            .into_iter()
            .map(|k| (k, std::sync::OnceLock::new()))
            .collect();
        Context {
            program,
            inv,
            schema,
            taxonomy,
            sources,
            as_of,
            derived,
            defer_evidence: false,
            memo,
            referrers: std::sync::OnceLock::new(),
            receivers,
        }
    }

    /// Apply `f` to the vendors that receive `cat` except `except` (memoized per run when
    /// the program tests that pattern; computed on the spot otherwise).
    fn with_receivers<R>(
        &self,
        cat: CatId,
        except: &[CatId],
        f: impl FnOnce(&Receivers) -> R,
    ) -> R {
        let compute = || {
            let cats = [cat];
            self.derived.receivers(self.inv, &|d| {
                self.category_match(d, &cats, except).is_some()
            })
        };
        let cell = self
            .receivers
            .get(&cat)
            .and_then(|v| v.iter().find(|(x, _)| x.as_slice() == except));
        match cell {
            Some((_, cell)) => f(cell.get_or_init(compute)),
            None => f(&compute()),
        }
    }

    pub fn display(&self) -> Display<'_> {
        Display {
            inv: self.inv,
            schema: self.schema,
            taxonomy: self.taxonomy,
        }
    }

    /// Evaluate every rule (or those in `only`). Findings are ordered by rule ID, then entity id.
    pub fn run(&self, only: Option<&[usize]>) -> Evaluation {
        let mut findings = Vec::new();
        let mut stats = vec![RuleStats::default(); self.program.rules.len()];
        for (ri, rule) in self.program.rules.iter().enumerate() {
            if only.is_some_and(|o| !o.contains(&ri)) {
                continue;
            }
            // Per chunk of entities, in order: those selected and the findings. Only what is
            // kept is collected (not a result slot the size of a finding per entity).
            let parts: Vec<(Vec<EntityId>, Vec<Finding>)> = self
                .inv
                .of_kind(rule.kind)
                .par_chunks(256)
                .map(|chunk| {
                    let (mut selected, mut failing) = (Vec::new(), Vec::new());
                    for &e in chunk {
                        let (sel, f) = self.eval_entity(ri, rule, e);
                        if sel {
                            selected.push(e);
                        }
                        failing.extend(f);
                    }
                    (selected, failing)
                })
                .collect();
            for (selected, failing) in parts {
                stats[ri].selected += selected.len();
                stats[ri].selected_entities.extend(selected);
                stats[ri].failing += failing.len();
                findings.extend(failing);
            }
            crate::memory::trim();
        }
        // `of_kind` is in id order and rules are in ID order, so this is already sorted; sort
        // anyway so the output order never depends on that.
        findings.sort_by(|a, b| {
            let (ra, rb) = (
                &self.program.rules[a.rule].id,
                &self.program.rules[b.rule].id,
            );
            ra.cmp(rb)
                .then_with(|| self.inv.get(a.entity).id.cmp(&self.inv.get(b.entity).id))
        });
        Evaluation { findings, stats }
    }

    /// (selected?, finding when a require failed)
    pub fn eval_entity(
        &self,
        ri: usize,
        rule: &'a CheckedRule,
        e: EntityId,
    ) -> (bool, Option<Finding>) {
        let mut env = vec![Val::Entity(e)];
        if let Some(f) = &rule.filter
            && !self.cond(f, &mut env, &mut ())
        {
            return (false, None);
        }
        let failing: Vec<usize> = (0..rule.requires.len())
            .filter(|&i| !self.cond(&rule.requires[i].expr, &mut env, &mut ()))
            .collect();
        if failing.is_empty() {
            return (true, None);
        }
        if self.defer_evidence {
            let ent = self.inv.get(e);
            let failed = failing
                .into_iter()
                .map(|index| FailedRequire {
                    index,
                    facts: Vec::new(),
                })
                .collect();
            let thin = Finding {
                rule: ri,
                entity: e,
                status: Status::Fail,
                failed,
                primary: ent.id_loc,
                expired_waiver: None,
                words: None,
            };
            return (true, Some(thin));
        }
        (true, Some(self.finding(ri, rule, e, &failing)))
    }

    /// The finding with its evidence, message and label (for a finding made with
    /// `defer_evidence`; a full one is returned as it is). Status and waiver are kept.
    pub fn with_evidence(&self, f: &Finding) -> Finding {
        let Some(rule) = self.program.rules.get(f.rule).filter(|_| f.is_thin()) else {
            return f.clone();
        };
        let failing: Vec<usize> = f.failed.iter().map(|x| x.index).collect();
        Finding {
            status: f.status.clone(),
            expired_waiver: f.expired_waiver,
            ..self.finding(f.rule, rule, f.entity, &failing)
        }
    }

    /// Evaluate again with tracing, to explain a failing entity.
    fn finding(&self, ri: usize, rule: &'a CheckedRule, e: EntityId, failing: &[usize]) -> Finding {
        let mut env = vec![Val::Entity(e)];
        let mut selected = Vec::new();
        if let Some(f) = &rule.filter {
            self.cond(f, &mut env, &mut selected);
        }
        let failed: Vec<FailedRequire> = failing
            .iter()
            .map(|&index| {
                let mut facts = Vec::new();
                self.cond(&rule.requires[index].expr, &mut env, &mut facts);
                FailedRequire { index, facts }
            })
            .collect();
        let ent = self.inv.get(e);
        // The label goes on the first offending value written in this entity, else on its id.
        let inside = |l: &Loc| {
            l.file == ent.loc.file
                && l.span.start >= ent.loc.span.start
                && l.span.end <= ent.loc.span.end
        };
        let first_fact = failed.first().and_then(|f| f.facts.first());
        let (primary, primary_label) = match failed
            .iter()
            .flat_map(|f| &f.facts)
            .find(|f| f.loc.as_ref().is_some_and(inside))
        {
            Some(f) => (f.loc.unwrap_or(ent.id_loc), f.text.clone()),
            None => (
                ent.id_loc,
                first_fact
                    .map(|f| f.text.clone())
                    .unwrap_or_else(|| "fails this rule".into()),
            ),
        };
        let reason = first_fact.map(|f| f.text.clone()).unwrap_or_default();
        let message = match &rule.message {
            Some(parts) => self.render_template(parts, &mut env),
            None if reason.is_empty() => rule.title.clone(),
            None => format!("{}: {}", rule.title, reason),
        };
        Finding {
            rule: ri,
            entity: e,
            status: Status::Fail,
            failed,
            primary,
            expired_waiver: None,
            words: Some(Box::new(Words {
                message,
                selected,
                primary_label,
            })),
        }
    }

    fn render_template(&self, parts: &'a [TemplatePart], env: &mut Vec<Val<'a>>) -> String {
        let d = self.display();
        parts
            .iter()
            .map(|p| match p {
                TemplatePart::Lit(s) => s.clone(),
                TemplatePart::Path { expr, .. } => d.plain(&self.val(expr, env)),
            })
            .collect()
    }

    // ------------------------------------------------------------------------------------
    // Values.

    pub fn val(&self, e: &'a CExpr, env: &mut Vec<Val<'a>>) -> Val<'a> {
        match &e.kind {
            CKind::Const(c) => Val::from_const(c),
            CKind::List(items) => {
                Val::List(List::Vals(items.iter().map(|i| self.val(i, env)).collect()))
            }
            CKind::Today => Val::Date(self.as_of),
            CKind::Var(slot) => env.get(*slot).cloned().unwrap_or(Val::Missing),
            CKind::Field { base, field, .. } => match self.val(base, env) {
                Val::Entity(ent) => self
                    .inv
                    .get(ent)
                    .field(*field)
                    .map(|f| Val::from_value(&f.value))
                    .unwrap_or(Val::Missing),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => Val::Missing,
            },
            CKind::Id(base) => match self.val(base, env) {
                Val::Entity(ent) => Val::Str(&self.inv.get(ent).id),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => Val::Missing,
            },
            CKind::SupplyChain(base) => match self.val(base, env) {
                Val::Entity(ent) => Val::List(List::Vals(
                    self.derived
                        .supply_chain_paths(self.inv, ent)
                        .into_iter()
                        .map(|s| Val::Entity(s.vendor))
                        .collect(),
                )),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => Val::List(List::Vals(Vec::new())),
            },
            CKind::Count(inner) => match self.val(inner, env).as_list() {
                Some(l) => Val::Num(l.len() as f64),
                None => Val::Missing,
            },
            CKind::Agg {
                op,
                slot,
                list,
                filter,
                value,
                ..
            } => match self.memo.get(&node_key(e)) {
                Some(cell) => cell
                    .get_or_init(|| {
                        self.aggregate(
                            *op,
                            *slot,
                            list,
                            filter.as_deref(),
                            value.as_deref(),
                            &mut env.clone(),
                        )
                    })
                    .clone(),
                None => self.aggregate(*op, *slot, list, filter.as_deref(), value.as_deref(), env),
            },
            CKind::Entities(kind) => Val::List(List::Ids(self.inv.of_kind(*kind))),
            CKind::Arith { op, lhs, rhs } => arith(*op, self.val(lhs, env), self.val(rhs, env)),
            CKind::Days { func, date } => match self.val(date, env) {
                Val::Date(d) => Val::Num(match func {
                    DayFn::Since => days_between(d, self.as_of),
                    DayFn::Until => days_between(self.as_of, d),
                } as f64),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Cat(_)
                | Val::Entity(_)
                | Val::List(_)
                | Val::Object => Val::Missing,
            },
            CKind::DateArith {
                base,
                op,
                amount,
                unit,
            } => match self.val(base, env) {
                Val::Date(d) => shift(
                    d,
                    if *op == DateOp::Plus {
                        *amount
                    } else {
                        -*amount
                    },
                    *unit,
                )
                .map(Val::Date)
                .unwrap_or(Val::Missing),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Cat(_)
                | Val::Entity(_)
                | Val::List(_)
                | Val::Object => Val::Missing,
            },
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
            | CKind::Quant { .. } => Val::Bool(self.cond(e, env, &mut ())),
        }
    }

    // ------------------------------------------------------------------------------------
    // Conditions, with facts when the sink records them.

    pub fn cond<S: Sink>(&self, e: &'a CExpr, env: &mut Vec<Val<'a>>, sink: &mut S) -> bool {
        match &e.kind {
            CKind::Not(inner) => !self.cond(inner, env, sink),
            CKind::And(a, b) => {
                let m = sink.len();
                if !self.cond(a, env, sink) {
                    return false;
                }
                let m2 = sink.len();
                let r = self.cond(b, env, sink);
                if !r {
                    sink.remove(m, m2); // only the false side explains a false `and`
                }
                r
            }
            CKind::Or(a, b) => {
                let m = sink.len();
                if self.cond(a, env, sink) {
                    return true;
                }
                let m2 = sink.len();
                let r = self.cond(b, env, sink);
                if r {
                    sink.remove(m, m2); // only the true side explains a true `or`
                }
                r
            }
            CKind::Quant {
                quantifier,
                slot,
                list,
                filter,
                body,
                ..
            } => {
                if !S::ON
                    && let Some(cell) = self.memo.get(&node_key(e))
                {
                    let q = (*quantifier, *slot);
                    let v = cell.get_or_init(|| {
                        let mut env = env.clone();
                        Val::Bool(self.quant(
                            q.0,
                            q.1,
                            list,
                            filter.as_deref(),
                            body,
                            &mut env,
                            &mut (),
                        ))
                    });
                    return matches!(v, Val::Bool(true));
                }
                self.quant(*quantifier, *slot, list, filter.as_deref(), body, env, sink)
            }
            CKind::Receives { .. } => {
                let r = self.test(e, env);
                if S::ON {
                    for fact in self.explain_receives(e, env, r) {
                        sink.push(fact);
                    }
                }
                r
            }
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
            | CKind::DateArith { .. } => {
                let r = self.test(e, env);
                if S::ON {
                    let fact = self.explain_test(e, env, r);
                    sink.push(fact);
                }
                r
            }
        }
    }

    /// `count`, `sum`, `min` or `max` over the elements of `list` bound to `slot` for
    /// which `filter` holds. Missing values are skipped; `sum` of nothing is 0, `min` and
    /// `max` of nothing are missing.
    fn aggregate(
        &self,
        op: AggOp,
        slot: usize,
        list: &'a CExpr,
        filter: Option<&'a CExpr>,
        value: Option<&'a CExpr>,
        env: &mut Vec<Val<'a>>,
    ) -> Val<'a> {
        let elements = self.source_elements(list, filter, slot, env);
        env.truncate(slot);
        let mut count = 0usize;
        let mut acc: Option<f64> = None;
        for i in 0..elements.items.len() {
            self.bind(&elements, i, slot, env);
            if filter.is_none_or(|f| self.cond(f, env, &mut ())) {
                count += 1;
                if let Some(Val::Num(n)) = value.map(|v| self.val(v, env)) {
                    acc = Some(match (op, acc) {
                        (_, None) => n,
                        (AggOp::Sum | AggOp::Count, Some(a)) => a + n,
                        (AggOp::Min, Some(a)) => a.min(n),
                        (AggOp::Max, Some(a)) => a.max(n),
                    });
                }
            }
            env.truncate(slot);
        }
        match op {
            AggOp::Count => Val::Num(count as f64),
            AggOp::Sum => Val::Num(acc.unwrap_or(0.0)),
            AggOp::Min | AggOp::Max => acc.map_or(Val::Missing, Val::Num),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn quant<S: Sink>(
        &self,
        q: Quantifier,
        slot: usize,
        list: &'a CExpr,
        filter: Option<&'a CExpr>,
        body: &'a CExpr,
        env: &mut Vec<Val<'a>>,
        sink: &mut S,
    ) -> bool {
        let elements = self.source_elements(list, filter, slot, env);
        let items = &elements.items;
        env.truncate(slot);
        // Is this element in the source? (Its `where`, when there is one.)
        let keep =
            |this: &Self, env: &mut Vec<Val<'a>>| filter.is_none_or(|f| this.cond(f, env, &mut ()));
        // all: holds unless a counterexample; any: holds on a witness; no: holds unless a witness.
        let wanted = q != Quantifier::All;
        if !S::ON {
            let mut found = false;
            for i in 0..items.len() {
                self.bind(&elements, i, slot, env);
                let r = keep(self, env) && self.cond(body, env, &mut ()) == wanted;
                env.truncate(slot);
                if r {
                    found = true;
                    break;
                }
            }
            return found == (q == Quantifier::Any);
        }
        // Tracing: keep the facts of the elements that decided the outcome (up to five).
        let seen_of = self.element_seer(list, env);
        let mut deciding: Vec<Fact> = Vec::new();
        let mut deciders = 0;
        let mut others: Vec<Fact> = Vec::new();
        let mut selected = 0;
        for i in 0..items.len() {
            let item = self.bind(&elements, i, slot, env);
            let (value, via) = seen_of(&item);
            if !keep(self, env) {
                env.truncate(slot);
                continue;
            }
            selected += 1;
            let mut local: Vec<Fact> = Vec::new();
            let r = self.cond(body, env, &mut local);
            env.truncate(slot);
            let target = if r == wanted {
                &mut deciding
            } else {
                &mut others
            };
            target.extend(local.into_iter().map(|f| {
                let of = Box::new(f.evidence);
                let (value, via) = (value.clone(), via.clone());
                Fact::new(Evidence::Element { value, via, of }, f.loc)
            }));
            if r == wanted {
                deciders += 1;
                if deciders >= 5 {
                    break;
                }
            }
        }
        let found = deciders > 0;
        let what = evidence::describe_source(self, list, filter);
        if found {
            for f in deciding {
                sink.push(f);
            }
        } else if selected == 0 {
            let loc = self.value_loc(list, env);
            sink.push(Fact::new(Evidence::Empty { what }, loc));
        } else if q == Quantifier::Any {
            let loc = self.value_loc(list, env);
            let count = selected;
            sink.push(Fact::new(Evidence::NoneQualifies { what, count }, loc));
            for f in others.into_iter().take(5) {
                sink.push(f);
            }
        } else {
            let loc = self.value_loc(list, env);
            let count = selected;
            sink.push(Fact::new(Evidence::AllQualify { what, count }, loc));
        }
        found == (q == Quantifier::Any)
    }

    /// The elements of a source's list, for a variable at `slot` whose `where` is `filter`.
    /// Over every entity of a kind, a `where` that requires a reference field to equal
    /// something bound outside (`data_store s where s.hosted_by == v and ...`) is a join:
    /// only the entities whose field names that entity can pass it, so only they are
    /// returned (from [`Context::referrers`], in id order), not the whole register. The
    /// `where` is still evaluated on each, so the result and the evidence are the same.
    fn source_elements(
        &self,
        list: &'a CExpr,
        filter: Option<&'a CExpr>,
        slot: usize,
        env: &mut Vec<Val<'a>>,
    ) -> Elements<'a> {
        if let (CKind::Entities(kind), Some(f)) = (&list.kind, filter)
            && let Some((field, target)) = join_key(f, slot)
        {
            let items = match self.val(target, env) {
                Val::Entity(t) => self
                    .referrers(*kind, field, t)
                    .iter()
                    .map(|&e| Val::Entity(e))
                    .collect(),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => Vec::new(),
            };
            return Elements {
                items: List::Vals(items),
                links: None,
                chain: None,
            };
        }
        self.elements(list, env)
    }

    /// The entities of `kind` whose single reference `field` names `target`, in id order.
    /// The index of every such field is built once, on the first join that needs one.
    fn referrers(&self, kind: KindId, field: FieldId, target: EntityId) -> &[EntityId] {
        let index = self.referrers.get_or_init(|| {
            let mut index: HashMap<(KindId, FieldId, EntityId), Vec<EntityId>> = HashMap::new();
            for (k, ks) in self.schema.kinds.iter().enumerate() {
                let k = KindId(k as u16);
                for (f, fs) in ks.fields.iter().enumerate() {
                    if !matches!(fs.ty, FieldType::Ref(_)) {
                        continue;
                    }
                    let f = FieldId(f as u16);
                    for &e in self.inv.of_kind(k) {
                        if let Some(Value::Ref(t)) = self.inv.get(e).field(f).map(|x| &x.value) {
                            index.entry((k, f, *t)).or_default().push(e);
                        }
                    }
                }
            }
            index
        });
        index.get(&(kind, field, target)).map_or(&[], Vec::as_slice)
    }

    /// The elements a variable ranges over (a quantifier's list), with what is needed to
    /// bind each with its link: over a reference list (a field list such as `v.accesses`
    /// or a reverse list such as `s.accessed_by`) the element's link goes in the slot
    /// after the element's, as the checker allotted ([`CExpr::link_source`]). Every form
    /// that binds a variable to list elements goes through this and [`Context::bind`].
    pub fn elements(&self, list: &'a CExpr, env: &mut Vec<Val<'a>>) -> Elements<'a> {
        if let CKind::SupplyChain(base) = &list.kind {
            let steps = match self.val(base, env) {
                Val::Entity(root) => self.derived.supply_chain_paths(self.inv, root),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => Vec::new(),
            };
            let items = List::Vals(steps.iter().map(|s| Val::Entity(s.vendor)).collect());
            return Elements {
                items,
                links: None,
                chain: Some(steps),
            };
        }
        let items = self
            .val(list, env)
            .as_list()
            .unwrap_or(List::Vals(Vec::new()));
        let mut links = None;
        if let (Some((_, field)), CKind::Field { base, .. }) = (list.link_source(), &list.kind) {
            let owner = match self.val(base, env) {
                Val::Entity(e) => Some(e),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => None,
            };
            links = Some(owner.map(|o| (o, field)));
        }
        Elements {
            items,
            links,
            chain: None,
        }
    }

    /// Bind element `i` of `elements` to the variable at `slot` (and, over a reference list,
    /// its link, or missing for the short form, at `slot + 1`; over a `supply_chain`, its
    /// link, depth and via at the offsets [`crate::check::CHAIN_LINK`], `CHAIN_DEPTH` and
    /// `CHAIN_VIA`); the element is returned.
    pub fn bind(
        &self,
        elements: &Elements<'a>,
        i: usize,
        slot: usize,
        env: &mut Vec<Val<'a>>,
    ) -> Val<'a> {
        env.truncate(slot);
        let item = elements.items.get(i);
        env.push(item.clone());
        if let Some(owner) = elements.links {
            let link = owner
                .and_then(|(o, f)| self.inv.link(o, f, i))
                .map(Val::Entity)
                .unwrap_or(Val::Missing);
            env.push(link);
        }
        if let Some(chain) = &elements.chain {
            // INVARIANT: `chain` and `items` have the same length, in the same order.
            match chain.get(i) {
                Some(step) => {
                    let link = self
                        .derived
                        .fields
                        .subprocessors
                        .and_then(|f| self.inv.link(step.via, f, step.index))
                        .map(Val::Entity)
                        .unwrap_or(Val::Missing);
                    env.push(link);
                    env.push(Val::Num(step.depth as f64));
                    env.push(Val::Entity(step.via));
                }
                None => env.extend([Val::Missing, Val::Missing, Val::Missing]),
            }
        }
        item
    }

    /// How evidence names each element of a quantifier's list, in words
    /// ([`evidence::element_label`]).
    pub fn element_labeller(
        &self,
        list: &'a CExpr,
        env: &mut Vec<Val<'a>>,
    ) -> impl Fn(&Val<'_>) -> String + '_ {
        let seen_of = self.element_seer(list, env);
        move |item| {
            let (value, via) = seen_of(item);
            evidence::element_label(&value, via.as_deref())
        }
    }

    /// Each element of a quantifier's list as evidence sees it: its value and, over a
    /// `supply_chain`, the vendor it is reached through.
    fn element_seer(
        &self,
        list: &'a CExpr,
        env: &mut Vec<Val<'a>>,
    ) -> impl Fn(&Val<'_>) -> (Seen, Option<String>) + '_ {
        let via: std::collections::HashMap<EntityId, EntityId> = match &list.kind {
            CKind::SupplyChain(base) => match self.val(base, env) {
                Val::Entity(root) => self
                    .derived
                    .supply_chain(self.inv, root)
                    .into_iter()
                    .filter(|(_, from)| *from != root)
                    .collect(),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => Default::default(),
            },
            CKind::Const(_)
            | CKind::List(_)
            | CKind::Today
            | CKind::Var(_)
            | CKind::Field { .. }
            | CKind::Id(_)
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
            | CKind::DateArith { .. } => Default::default(),
        };
        let d = self.display();
        move |item| {
            let from = match item {
                Val::Entity(e) => via.get(e).map(|from| d.entity(*from)),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => None,
            };
            (d.seen(item), from)
        }
    }

    /// A leaf test: no facts, just the truth.
    fn test(&self, e: &'a CExpr, env: &mut Vec<Val<'a>>) -> bool {
        match &e.kind {
            CKind::Compare { op, lhs, rhs } => {
                let (l, r) = (self.val(lhs, env), self.val(rhs, env));
                match ordered_enum(lhs, rhs) {
                    Some(values) => compare_ranked(*op, &l, &r, values),
                    None => compare(*op, &l, &r),
                }
            }
            CKind::In { negated, lhs, rhs } => {
                let l = self.val(lhs, env);
                if l.is_missing() {
                    return false;
                }
                let list = self
                    .val(rhs, env)
                    .as_list()
                    .unwrap_or(List::Vals(Vec::new()));
                list.iter().any(|x| x.equals(&l)) != *negated
            }
            CKind::Contains { lhs, rhs } => {
                let (l, r) = (self.val(lhs, env), self.val(rhs, env));
                match (&l, &r) {
                    (_, Val::Missing) => false,
                    (Val::Str(a), Val::Str(b)) => a.contains(b),
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
                    ) => l
                        .as_list()
                        .is_some_and(|list| list.iter().any(|x| x.equals(&r))),
                }
            }
            CKind::Matches { lhs, regex, .. } => match self.val(lhs, env) {
                Val::Str(s) => regex.is_match(s),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::Entity(_)
                | Val::List(_)
                | Val::Object => false,
            },
            CKind::Is { lhs, test } => {
                let v = self.val(lhs, env);
                match test {
                    IsTest::Set => !v.is_missing(),
                    IsTest::Missing => v.is_missing(),
                    IsTest::Empty => match &v {
                        Val::Missing => true,
                        Val::Str(s) => s.is_empty(),
                        Val::List(l) => l.is_empty(),
                        Val::Bool(_)
                        | Val::Num(_)
                        | Val::Date(_)
                        | Val::Cat(_)
                        | Val::Entity(_)
                        | Val::Object => false,
                    },
                }
            }
            CKind::Handles {
                subject,
                cats,
                except,
            } => match self.val(subject, env) {
                Val::Entity(v) => self.derived.handles[v.0 as usize]
                    .iter()
                    .any(|h| self.category_match(h.cat, cats, except).is_some()),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => false,
            },
            CKind::Holds {
                subject,
                cats,
                except,
            } => match self.val(subject, env) {
                Val::Entity(s) => self
                    .holds(s)
                    .iter()
                    .any(|(cat, _)| self.category_match(*cat, cats, except).is_some()),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => false,
            },
            CKind::Receives {
                subject,
                cats,
                except,
            } => match self.val(subject, env) {
                Val::Entity(v) => cats
                    .iter()
                    .any(|&c| self.with_receivers(c, except, |r| r.receives(v))),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => false,
            },
            CKind::Within { date, amount, unit } => match self.val(date, env) {
                Val::Date(d) => {
                    shift(self.as_of, -amount, *unit).is_some_and(|lo| lo <= d && d <= self.as_of)
                }
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Cat(_)
                | Val::Entity(_)
                | Val::List(_)
                | Val::Object => false,
            },
            CKind::WithinNext { date, amount, unit } => match self.val(date, env) {
                Val::Date(d) => {
                    shift(self.as_of, *amount, *unit).is_some_and(|hi| self.as_of <= d && d <= hi)
                }
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Cat(_)
                | Val::Entity(_)
                | Val::List(_)
                | Val::Object => false,
            },
            CKind::OlderThan { date, amount, unit } => match self.val(date, env) {
                Val::Date(d) => shift(self.as_of, -amount, *unit).is_some_and(|lo| d < lo),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Cat(_)
                | Val::Entity(_)
                | Val::List(_)
                | Val::Object => false,
            },
            CKind::Before(a, b) => {
                matches!((self.val(a, env), self.val(b, env)), (Val::Date(x), Val::Date(y)) if x < y)
            }
            CKind::After(a, b) => {
                matches!((self.val(a, env), self.val(b, env)), (Val::Date(x), Val::Date(y)) if x > y)
            }
            // A boolean-valued path or constant used as a condition.
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
            | CKind::DateArith { .. } => matches!(self.val(e, env), Val::Bool(true)),
        }
    }

    /// Does the declared category match the policy's `cats` less `except` (SPEC §2, §7.7)?
    /// The first policy category it overlaps, and how, unless it is equal to or under one
    /// of `except`.
    pub fn category_match(
        &self,
        declared: CatId,
        cats: &[CatId],
        except: &[CatId],
    ) -> Option<(CatId, Overlap)> {
        let excluded = except.iter().any(|&x| {
            matches!(
                self.taxonomy.overlap(declared, x),
                Some(Overlap::Equal | Overlap::Narrower)
            )
        });
        if excluded {
            return None;
        }
        cats.iter()
            .find_map(|&c| self.taxonomy.overlap(declared, c).map(|o| (c, o)))
    }

    pub fn holds(&self, s: EntityId) -> Vec<(crate::inventory::CatId, Loc)> {
        let store = self.inv.get(s);
        let f = self.derived.fields.holds.and_then(|f| store.field(f));
        match f.map(|f| &f.value) {
            Some(crate::inventory::Value::List(items)) => items
                .iter()
                .filter_map(|i| match i.value {
                    crate::inventory::Value::Cat(c) => Some((c, store.loc_of(i))),
                    crate::inventory::Value::Str(_)
                    | crate::inventory::Value::Num(_)
                    | crate::inventory::Value::Bool(_)
                    | crate::inventory::Value::Date(_)
                    | crate::inventory::Value::Ref(_)
                    | crate::inventory::Value::List(_)
                    | crate::inventory::Value::Object => None,
                })
                .collect(),
            Some(
                crate::inventory::Value::Str(_)
                | crate::inventory::Value::Num(_)
                | crate::inventory::Value::Bool(_)
                | crate::inventory::Value::Date(_)
                | crate::inventory::Value::Cat(_)
                | crate::inventory::Value::Ref(_)
                | crate::inventory::Value::Object,
            )
            | None => Vec::new(),
        }
    }

    // ------------------------------------------------------------------------------------
    // Evidence.

    /// How an expression reads in a sentence ([`evidence::describe`]).
    fn describe(&self, e: &CExpr) -> String {
        evidence::describe(self, e)
    }

    /// Where the value of an expression is written in the inventory, if it is.
    pub fn value_loc(&self, e: &'a CExpr, env: &mut Vec<Val<'a>>) -> Option<Loc> {
        match &e.kind {
            CKind::Field { base, field, .. } => match self.val(base, env) {
                Val::Entity(ent) => {
                    let en = self.inv.get(ent);
                    Some(en.field_loc(*field).unwrap_or(en.id_loc))
                }
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Str(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::List(_)
                | Val::Object => self.value_loc(base, env),
            },
            CKind::Count(inner) => self.value_loc(inner, env),
            CKind::Agg { .. } | CKind::Entities(_) | CKind::Arith { .. } => None,
            CKind::Var(slot) => match env.get(*slot) {
                Some(Val::Entity(ent)) => Some(self.inv.get(*ent).id_loc),
                Some(
                    Val::Missing
                    | Val::Bool(_)
                    | Val::Num(_)
                    | Val::Str(_)
                    | Val::Date(_)
                    | Val::Cat(_)
                    | Val::List(_)
                    | Val::Object,
                )
                | None => None,
            },
            CKind::Id(base) | CKind::SupplyChain(base) => self.value_loc(base, env),
            CKind::DateArith { base, .. } | CKind::Days { date: base, .. } => {
                self.value_loc(base, env)
            }
            CKind::Const(_)
            | CKind::List(_)
            | CKind::Today
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
            | CKind::Quant { .. } => None,
        }
    }

    /// "hosted_by is missing": the first missing step of a path, and where the entity lacking it is.
    pub fn missing(&self, e: &'a CExpr, env: &mut Vec<Val<'a>>) -> Option<Fact> {
        match &e.kind {
            CKind::Field {
                base, field, name, ..
            } => {
                if let Some(f) = self.missing(base, env) {
                    return Some(f);
                }
                match self.val(base, env) {
                    Val::Entity(ent) => {
                        let en = self.inv.get(ent);
                        en.field(*field).is_none().then(|| {
                            let what = name.clone();
                            Fact::new(Evidence::Missing { what }, Some(en.id_loc))
                        })
                    }
                    Val::Missing
                    | Val::Bool(_)
                    | Val::Num(_)
                    | Val::Str(_)
                    | Val::Date(_)
                    | Val::Cat(_)
                    | Val::List(_)
                    | Val::Object => None,
                }
            }
            CKind::DateArith { base, .. }
            | CKind::Count(base)
            | CKind::Id(base)
            | CKind::Days { date: base, .. } => self.missing(base, env),
            CKind::Arith { lhs, rhs, .. } => {
                self.missing(lhs, env).or_else(|| self.missing(rhs, env))
            }
            CKind::Agg { .. } | CKind::Entities(_) => None,
            CKind::Const(_)
            | CKind::List(_)
            | CKind::Today
            | CKind::Var(_)
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
            | CKind::Quant { .. } => None,
        }
    }

    fn explain_test(&self, e: &'a CExpr, env: &mut Vec<Val<'a>>, result: bool) -> Fact {
        let d = self.display();
        // Any operand missing: that is the reason.
        let operands: Vec<&'a CExpr> = match &e.kind {
            CKind::Compare { lhs, rhs, .. } | CKind::Before(lhs, rhs) | CKind::After(lhs, rhs) => {
                vec![lhs, rhs]
            }
            CKind::In { lhs, .. } | CKind::Matches { lhs, .. } => vec![lhs],
            CKind::Contains { lhs, rhs } => vec![lhs, rhs],
            CKind::Within { date, .. }
            | CKind::WithinNext { date, .. }
            | CKind::OlderThan { date, .. } => vec![date],
            CKind::Field { .. } => vec![e],
            CKind::Const(_)
            | CKind::List(_)
            | CKind::Today
            | CKind::Var(_)
            | CKind::Id(_)
            | CKind::SupplyChain(_)
            | CKind::Not(_)
            | CKind::And(..)
            | CKind::Or(..)
            | CKind::Is { .. }
            | CKind::Handles { .. }
            | CKind::Holds { .. }
            | CKind::Receives { .. }
            | CKind::Quant { .. }
            | CKind::Count(_)
            | CKind::Agg { .. }
            | CKind::Entities(_)
            | CKind::Arith { .. }
            | CKind::Days { .. }
            | CKind::DateArith { .. } => vec![],
        };
        for op in operands {
            if let Some(f) = self.missing(op, env) {
                return f;
            }
        }
        let loc_of = |s: &Self, x: &'a CExpr, env: &mut Vec<Val<'a>>| s.value_loc(x, env);
        match &e.kind {
            CKind::Compare { op, lhs, rhs } => {
                let (l, r) = (self.val(lhs, env), self.val(rhs, env));
                let described = match rhs.shape() {
                    Shape::Const(_) | Shape::Today => None,
                    Shape::List(_) | Shape::Var(_) | Shape::Computed => Some(self.describe(rhs)),
                };
                let evidence = Evidence::Compared {
                    what: self.describe(lhs),
                    value: d.seen(&l),
                    op: *op,
                    against: Operand {
                        described,
                        value: d.seen(&r),
                    },
                    holds: result,
                };
                let loc = loc_of(self, lhs, env).or_else(|| loc_of(self, rhs, env));
                Fact::new(evidence, loc)
            }
            CKind::In { negated, lhs, rhs } => {
                let (l, r) = (
                    self.val(lhs, env),
                    self.val(rhs, env)
                        .as_list()
                        .map(Val::List)
                        .unwrap_or(Val::Missing),
                );
                let evidence = Evidence::Membership {
                    what: self.describe(lhs),
                    value: d.seen(&l),
                    list: d.seen(&r),
                    member: result != *negated,
                };
                Fact::new(evidence, loc_of(self, lhs, env))
            }
            CKind::Contains { lhs, rhs } => {
                let (l, r) = (self.val(lhs, env), self.val(rhs, env));
                let l = l.as_list().map(Val::List).unwrap_or(l);
                let evidence = Evidence::Contains {
                    what: self.describe(lhs),
                    value: d.seen(&l),
                    needle: d.seen(&r),
                    holds: result,
                };
                Fact::new(evidence, loc_of(self, lhs, env))
            }
            CKind::Matches { lhs, pattern, .. } => {
                let l = self.val(lhs, env);
                let evidence = Evidence::Matches {
                    what: self.describe(lhs),
                    value: d.seen(&l),
                    pattern: pattern.clone(),
                    holds: result,
                };
                Fact::new(evidence, loc_of(self, lhs, env))
            }
            CKind::Is { lhs, test } => {
                let v = self.val(lhs, env);
                let what = self.describe(lhs);
                let evidence = match (test, &v) {
                    (IsTest::Set | IsTest::Missing, Val::Missing) => self
                        .missing(lhs, env)
                        .map(|f| f.evidence)
                        .unwrap_or(Evidence::Missing { what }),
                    (
                        IsTest::Set | IsTest::Missing,
                        Val::Bool(_)
                        | Val::Num(_)
                        | Val::Str(_)
                        | Val::Date(_)
                        | Val::Cat(_)
                        | Val::Entity(_)
                        | Val::List(_)
                        | Val::Object,
                    ) => Evidence::Set {
                        what,
                        value: d.seen(&v),
                    },
                    (IsTest::Empty, Val::List(l)) if !l.is_empty() => Evidence::Entries {
                        what,
                        count: l.len(),
                        value: d.seen(&v),
                    },
                    (IsTest::Empty, Val::Str(s)) if !s.is_empty() => Evidence::Value {
                        what,
                        value: d.seen(&v),
                    },
                    (
                        IsTest::Empty,
                        Val::Missing
                        | Val::Bool(_)
                        | Val::Num(_)
                        | Val::Str(_)
                        | Val::Date(_)
                        | Val::Cat(_)
                        | Val::Entity(_)
                        | Val::List(_)
                        | Val::Object,
                    ) => Evidence::Empty { what },
                };
                Fact::new(evidence, loc_of(self, lhs, env))
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
            } => self.explain_categories(e, subject, (cats, except), env, result),
            // `cond` asks `explain_receives` for the whole chain; this is its first fact.
            CKind::Receives { .. } => {
                let mut facts = self.explain_receives(e, env, result).into_iter();
                match facts.next() {
                    Some(f) => f,
                    None => Fact::new(
                        Evidence::Missing {
                            what: self.describe(e),
                        },
                        None,
                    ),
                }
            }
            CKind::Within { date, amount, unit } => {
                self.explain_window(Window::Within, date, *amount, *unit, env, result)
            }
            CKind::WithinNext { date, amount, unit } => {
                self.explain_window(Window::WithinNext, date, *amount, *unit, env, result)
            }
            CKind::OlderThan { date, amount, unit } => {
                self.explain_window(Window::OlderThan, date, *amount, *unit, env, result)
            }
            CKind::Before(a, b) | CKind::After(a, b) => {
                let (x, y) = (self.val(a, env), self.val(b, env));
                let described = match b.shape() {
                    Shape::Const(_) => None,
                    Shape::List(_) | Shape::Today | Shape::Var(_) | Shape::Computed => {
                        Some(self.describe(b))
                    }
                };
                let evidence = Evidence::Order {
                    what: self.describe(a),
                    value: d.seen(&x),
                    after: matches!(e.kind, CKind::After(..)),
                    other: Operand {
                        described,
                        value: d.seen(&y),
                    },
                    holds: result,
                };
                Fact::new(evidence, loc_of(self, a, env))
            }
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
                let v = self.val(e, env);
                let evidence = Evidence::Value {
                    what: self.describe(e),
                    value: d.seen(&v),
                };
                Fact::new(evidence, loc_of(self, e, env))
            }
        }
    }

    /// `within`, `within next`, `older than`: the date, and the window's far end.
    fn explain_window(
        &self,
        test: Window,
        date: &'a CExpr,
        amount: i64,
        unit: Unit,
        env: &mut Vec<Val<'a>>,
        result: bool,
    ) -> Fact {
        let Val::Date(dv) = self.val(date, env) else {
            let what = self.describe(date);
            return Fact::new(Evidence::NotADate { what }, None);
        };
        let step = match test {
            Window::Within | Window::OlderThan => -amount,
            Window::WithinNext => amount,
        };
        let evidence = Evidence::Window {
            test,
            what: self.describe(date),
            date: dv,
            as_of: self.as_of,
            amount,
            unit,
            cutoff: shift(self.as_of, step, unit),
            holds: result,
        };
        Fact::new(evidence, self.value_loc(date, env))
    }

    /// `v receives C`: when it holds, how (the receiving vendor and the category, the vendor
    /// that handles it, then each subprocessor link down to `v`, each at its YAML line);
    /// when it does not, what was wanted and how many vendors list `v` at all.
    pub fn explain_receives(
        &self,
        e: &'a CExpr,
        env: &mut Vec<Val<'a>>,
        result: bool,
    ) -> Vec<Fact> {
        let CKind::Receives {
            subject,
            cats,
            except,
        } = &e.kind
        else {
            return Vec::new();
        };
        let d = self.display();
        let Val::Entity(ent) = self.val(subject, env) else {
            let what = self.describe(subject);
            return vec![Fact::new(Evidence::Missing { what }, None)];
        };
        let subject_words = (!subject.is_var()).then(|| d.entity(ent));
        let names = |cs: &[CatId]| -> Vec<String> {
            cs.iter()
                .map(|c| self.taxonomy.name(*c).to_owned())
                .collect()
        };
        if result {
            for &c in cats.iter() {
                let chain = self.with_receivers(c, except, |r| r.chain(ent));
                let (Some(&(handler, _, _)), Some(&(last_from, last_index, _))) =
                    (chain.first(), chain.last())
                else {
                    continue;
                };
                let one = [c];
                let matches = |x: CatId| self.category_match(x, &one, except);
                let mut facts = vec![Fact::new(
                    Evidence::Received {
                        subject: subject_words.clone(),
                        policy: self.taxonomy.name(c).to_owned(),
                        from: d.entity(handler),
                        links: chain.len(),
                    },
                    self.derived
                        .subprocessor_loc(self.inv, last_from, last_index),
                )];
                if let Some(h) = self.derived.handles[handler.0 as usize]
                    .iter()
                    .find(|h| matches(h.cat).is_some())
                    && let Some((_, overlap)) = matches(h.cat)
                {
                    let reached = match h.via {
                        Via::Own => Reached::Own,
                        Via::Accesses(s) => Reached::Accesses(self.inv.get(s).id.to_string()),
                        Via::Hosts(s) => Reached::Hosts(self.inv.get(s).id.to_string()),
                    };
                    facts.push(Fact::new(
                        Evidence::Category {
                            subject: Some(d.entity(handler)),
                            handles: true,
                            reached,
                            declared: self.taxonomy.name(h.cat).to_owned(),
                            policy: self.taxonomy.name(c).to_owned(),
                            overlap,
                        },
                        Some(h.loc),
                    ));
                }
                for &(from, index, to) in &chain {
                    let passes = self
                        .derived
                        .passes(self.inv, from, index, &|x| matches(x).is_some())
                        .flatten()
                        .and_then(|(declared, _)| {
                            matches(declared).map(|(_, overlap)| {
                                (self.taxonomy.name(declared).to_owned(), overlap)
                            })
                        });
                    facts.push(Fact::new(
                        Evidence::Passes {
                            from: d.entity(from),
                            to: d.entity(to),
                            policy: self.taxonomy.name(c).to_owned(),
                            link: passes,
                        },
                        self.derived.subprocessor_loc(self.inv, from, index),
                    ));
                }
                return facts;
            }
        }
        vec![Fact::new(
            Evidence::NotReceived {
                subject: subject_words,
                wanted: names(cats),
                except: names(except),
                listed_by: self.derived.listed_by(self.inv, ent),
            },
            Some(self.inv.get(ent).id_loc),
        )]
    }

    fn explain_categories(
        &self,
        e: &'a CExpr,
        subject: &'a CExpr,
        (cats, except): (&[CatId], &[CatId]),
        env: &mut Vec<Val<'a>>,
        result: bool,
    ) -> Fact {
        let d = self.display();
        let handles = matches!(e.kind, CKind::Handles { .. });
        let Val::Entity(ent) = self.val(subject, env) else {
            let what = self.describe(subject);
            return Fact::new(Evidence::Missing { what }, None);
        };
        let subject_words = (!subject.is_var()).then(|| d.entity(ent));
        let sources: Vec<(crate::inventory::CatId, Via, Loc)> = if handles {
            self.derived.handles[ent.0 as usize]
                .iter()
                .map(|h| (h.cat, h.via, h.loc))
                .collect()
        } else {
            self.holds(ent)
                .into_iter()
                .map(|(c, l)| (c, Via::Own, l))
                .collect()
        };
        if result {
            for (cat, via, loc) in &sources {
                if let Some((c, overlap)) = self.category_match(*cat, cats, except) {
                    {
                        let reached = match via {
                            Via::Own => Reached::Own,
                            Via::Accesses(s) => Reached::Accesses(self.inv.get(*s).id.to_string()),
                            Via::Hosts(s) => Reached::Hosts(self.inv.get(*s).id.to_string()),
                        };
                        let evidence = Evidence::Category {
                            subject: subject_words,
                            handles,
                            reached,
                            declared: self.taxonomy.name(*cat).to_owned(),
                            policy: self.taxonomy.name(c).to_owned(),
                            overlap,
                        };
                        return Fact::new(evidence, Some(*loc));
                    }
                }
            }
        }
        let evidence = Evidence::NoCategory {
            subject: subject_words,
            handles,
            wanted: cats
                .iter()
                .map(|c| self.taxonomy.name(*c).to_owned())
                .collect(),
            except: except
                .iter()
                .map(|c| self.taxonomy.name(*c).to_owned())
                .collect(),
            declares_any: !sources.is_empty(),
        };
        Fact::new(evidence, Some(self.inv.get(ent).id_loc))
    }
}

/// Where evaluation records facts. `()` records nothing and costs nothing.
pub trait Sink {
    const ON: bool;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn push(&mut self, f: Fact);
    /// Drop facts `from..to`.
    fn remove(&mut self, from: usize, to: usize);
}

impl Sink for () {
    const ON: bool = false;
    fn len(&self) -> usize {
        0
    }
    fn push(&mut self, _: Fact) {}
    fn remove(&mut self, _: usize, _: usize) {}
}

impl Sink for Vec<Fact> {
    const ON: bool = true;
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn push(&mut self, f: Fact) {
        Vec::push(self, f)
    }
    fn remove(&mut self, from: usize, to: usize) {
        let to = to.min(Vec::len(self));
        if from < to {
            self.drain(from..to);
        }
    }
}

/// Arithmetic on values: numbers, or `+` joining lists. Missing when an operand is missing
/// (or, for a list, not a list), on division by zero and on a result that is not finite.
fn arith<'a>(op: ArithOp, l: Val<'a>, r: Val<'a>) -> Val<'a> {
    if let (Val::Num(a), Val::Num(b)) = (&l, &r) {
        let n = match op {
            ArithOp::Add => a + b,
            ArithOp::Sub => a - b,
            ArithOp::Mul => a * b,
            ArithOp::Div if *b == 0.0 => return Val::Missing,
            ArithOp::Div => a / b,
        };
        return if n.is_finite() {
            Val::Num(n)
        } else {
            Val::Missing
        };
    }
    match (op, l.as_list(), r.as_list()) {
        (ArithOp::Add, Some(a), Some(b)) => {
            Val::List(List::Vals(a.iter().chain(b.iter()).collect()))
        }
        _ => Val::Missing,
    }
}

fn compare(op: CmpOp, l: &Val<'_>, r: &Val<'_>) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (l, r) {
        (Val::Num(a), Val::Num(b)) => a.partial_cmp(b),
        (Val::Date(a), Val::Date(b)) => Some(a.cmp(b)),
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
        ) => {
            return match op {
                CmpOp::Eq => l.equals(r),
                // `!=` is a test in its own right: false when either side is missing.
                CmpOp::Ne => !l.is_missing() && !r.is_missing() && !l.equals(r),
                CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => false,
            };
        }
    };
    let Some(o) = ord else { return false };
    match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    }
}

/// The ordered enum a comparison is between, when it is (`v.tier >= "high"`): `check` lets
/// `< <= > >=` through on enums only when they are ordered, and only between one enum.
fn ordered_enum<'e>(lhs: &'e CExpr, rhs: &'e CExpr) -> Option<&'e EnumValues> {
    [&lhs.ty, &rhs.ty]
        .into_iter()
        .find_map(|t| t.enum_values().filter(|v| v.ordered))
}

/// [`compare`] on an ordered enum: `< <= > >=` compare the values' ranks; a missing value
/// (or one outside the enum) makes them false. `==` and `!=` are as for strings.
fn compare_ranked(op: CmpOp, l: &Val<'_>, r: &Val<'_>, values: &EnumValues) -> bool {
    match op {
        CmpOp::Eq | CmpOp::Ne => compare(op, l, r),
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => {
            let rank = |v: &Val<'_>| match v {
                Val::Str(s) => values.rank(s).map(|n| Val::Num(n as f64)),
                Val::Missing
                | Val::Bool(_)
                | Val::Num(_)
                | Val::Date(_)
                | Val::Cat(_)
                | Val::Entity(_)
                | Val::List(_)
                | Val::Object => None,
            };
            match (rank(l), rank(r)) {
                (Some(a), Some(b)) => compare(op, &a, &b),
                _ => false,
            }
        }
    }
}

/// Calendar arithmetic: months and years clamp to the month's end (2026-03-31 − 1 month =
/// 2026-02-28). `None` when the result leaves the supported range.
pub fn shift(d: Date, amount: i64, unit: Unit) -> Option<Date> {
    let span = match unit {
        Unit::Day => jiff::Span::new().try_days(amount).ok()?,
        Unit::Week => jiff::Span::new().try_weeks(amount).ok()?,
        Unit::Month => jiff::Span::new().try_months(amount).ok()?,
        Unit::Year => jiff::Span::new().try_years(amount).ok()?,
    };
    d.checked_add(span).ok()
}

pub fn days_between(from: Date, to: Date) -> i64 {
    let f = from
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0);
    let t = to
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0);
    (t - f) / 86_400
}
