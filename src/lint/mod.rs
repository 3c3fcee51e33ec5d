//! `custody lint`'s warnings: policies that check but are probably not what their author
//! meant (an unused `let`, a condition that can never change, a message about a field the
//! rule never tests), and waivers that name nothing or are about to lapse.
//!
//! Two sources feed it. What was *written* (unused `let`s, names that hide categories,
//! category lists with redundant entries) comes from the policy AST, which lint parses
//! again from the source map (`Program::files`). What it *means* (constant conditions,
//! repeated `require`s, untested message fields) comes from the checked rules, where `let`s
//! are already inlined, so `v handles address` and `v handles personal.contact.address` are
//! the same condition. Nothing here evaluates the inventory; the only evaluation is of
//! expressions that mention no entity and no date, which is what makes them constant.

use crate::ast::{self, ClauseKind, CmpOp, Expr, ExprKind, IsTest, Quantifier};
use crate::check::{CExpr, CKind, CheckedRule, Const, Program, TemplatePart, Ty};
use crate::diag::{self, Diag};
use crate::eval::waivers;
use crate::eval::{self, value::Val};
use crate::inventory::taxonomy::Overlap;
use crate::inventory::{CatId, Inventory, Schema, Taxonomy};
use crate::project::waivers::Waiver;
use crate::source::{FileId, Loc, SourceMap, Span};
use jiff::ToSpan;
use jiff::civil::Date;
use std::collections::HashMap;

pub const UNUSED_LET: &str = "custody::lint::unused_let";
pub const SHADOWED_NAME: &str = "custody::lint::shadowed_name";
pub const CONSTANT_CONDITION: &str = "custody::lint::constant_condition";
pub const NEGATED_MISSING: &str = "custody::lint::negated_missing";
pub const DUPLICATE_REQUIRE: &str = "custody::lint::duplicate_require";
pub const COVERED_CATEGORY: &str = "custody::lint::covered_category";
pub const MISSING_REMEDIATION: &str = "custody::lint::missing_remediation";
pub const MISSING_REFERENCES: &str = "custody::lint::missing_references";
pub const TEMPLATE_FIELD_UNTOUCHED: &str = "custody::lint::template_field_untouched";
pub const WAIVER_EXPIRES_SOON: &str = "custody::lint::waiver_expires_soon";

/// A waiver expiring this many days after the as-of date (or sooner) is a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Fields that name or describe an entity rather than test it: a message may show them
/// whatever the rule checks (`{v.name} has no audit`).
const IDENTIFYING: [&str; 4] = ["id", "name", "description", "owner"];

/// Everything lint looks at: the output of `run::load`.
pub struct Input<'a> {
    pub sources: &'a SourceMap,
    pub schema: &'a Schema,
    pub taxonomy: &'a Taxonomy,
    pub inventory: &'a Inventory,
    pub program: &'a Program,
    pub waivers: &'a [Waiver],
    pub as_of: Date,
}

/// Every lint warning, sorted.
pub fn lint(input: &Input<'_>) -> Vec<Diag> {
    let mut out = Vec::new();
    // Lowercased rule ID → the first rule written with it.
    let mut rule_ids: HashMap<String, (String, Loc)> = HashMap::new();
    // Every rule ID written, whether or not the rule checked.
    let mut written: Vec<String> = Vec::new();
    for &file in &input.program.files {
        let text = input.sources.text(file);
        // The file parsed before (that is how it got into `files`); its syntax errors, if
        // any, are already reported, so the second parse's diagnostics are dropped.
        let Some(pf) = crate::syntax::parse_policy(file, text, &mut Vec::new()) else {
            continue;
        };
        written.extend(pf.items.iter().filter_map(|i| match i {
            ast::Item::Rule(r) => Some(r.id.name.clone()),
            ast::Item::Let(_) => None,
        }));
        let mut w = Written {
            file,
            sources: input.sources,
            taxonomy: input.taxonomy,
            out: &mut out,
        };
        w.lets(&pf);
        w.categories(&pf);
        w.shadowing(&pf, &mut rule_ids);
    }
    // Only expressions that mention no entity are ever evaluated, so the evaluator gets an
    // empty inventory: nothing to precompute however large the real one is.
    let nothing = Inventory::default();
    let cx = eval::Context::new(
        input.program,
        &nothing,
        input.schema,
        input.taxonomy,
        input.sources,
        input.as_of,
    );
    for rule in &input.program.rules {
        Meant {
            rule,
            cx: &cx,
            sources: input.sources,
            out: &mut out,
        }
        .rule();
    }
    lint_waivers(input, &written, &mut out);
    diag::sort(&mut out);
    out.dedup();
    out
}

// ---------------------------------------------------------------------------------------
// What was written: the AST.

struct Written<'a, 'o> {
    file: FileId,
    sources: &'a SourceMap,
    taxonomy: &'a Taxonomy,
    out: &'o mut Vec<Diag>,
}

/// The expressions of an item: a `let`'s value, a rule's `where` and `require`s.
fn item_exprs(item: &ast::Item) -> Vec<&Expr> {
    match item {
        ast::Item::Let(l) => vec![&l.value],
        ast::Item::Rule(r) => r
            .clauses
            .iter()
            .filter_map(|c| match &c.kind {
                ClauseKind::For(f) => f.filter.as_ref(),
                ClauseKind::Require(e) => Some(e),
                _ => None,
            })
            .collect(),
    }
}

fn strip_parens(mut e: &Expr) -> &Expr {
    while let ExprKind::Paren(inner) = &e.kind {
        e = inner;
    }
    e
}

impl Written<'_, '_> {
    fn loc(&self, span: Span) -> Loc {
        Loc::new(self.file, span)
    }

    /// `custody::lint::unused_let`: a `let` no rule or later `let` in its file mentions.
    fn lets(&mut self, pf: &ast::PolicyFile) {
        // name → (its declaration, used so far). A `let` is visible below it in its file;
        // a variable may not have a visible `let`'s name (`check` reports that), so a
        // path starting with the name below the `let` is a use of it.
        let mut defined: Vec<(&ast::LetDecl, bool)> = Vec::new();
        for item in &pf.items {
            for e in item_exprs(item) {
                e.walk(&mut |x| {
                    if let ExprKind::Path(p) = &x.kind
                        && let Some(first) = p.segments.first()
                        && let Some(slot) = defined
                            .iter_mut()
                            .rev()
                            .find(|(l, _)| l.name.name == first.name)
                    {
                        slot.1 = true;
                    }
                });
            }
            if let ast::Item::Let(l) = item {
                defined.push((l, false));
            }
        }
        for (l, used) in defined {
            if !used {
                self.out.push(
                    Diag::warning(UNUSED_LET, format!("`{}` is never used", l.name.name))
                        .at(self.loc(l.name.span), "defined here, used by no rule below")
                        .help("a `let` is visible only below it, in its own file: use it in a rule after this line, or remove it"),
                );
            }
        }
    }

    /// `custody::lint::shadowed_name`: a `let` or variable named like a top-level data
    /// category (it hides the category), and rule IDs that differ only in letter case.
    fn shadowing(&mut self, pf: &ast::PolicyFile, rule_ids: &mut HashMap<String, (String, Loc)>) {
        for item in &pf.items {
            match item {
                ast::Item::Let(l) => {
                    if self.taxonomy.lookup(&l.name.name).is_some() {
                        let n = &l.name.name;
                        self.out.push(
                            Diag::warning(
                                SHADOWED_NAME,
                                format!("`let {n}` hides the data category `{n}`"),
                            )
                            .at(self.loc(l.name.span), "same name as a top-level category")
                            .help(format!("below this line `{n}` means this `let`, and no category under `{n}` can be written in this file; rename the `let`")),
                        );
                    }
                }
                ast::Item::Rule(r) => {
                    let key = r.id.name.to_lowercase();
                    let loc = self.loc(r.id.span);
                    match rule_ids.get(&key) {
                        Some((first, first_loc)) if *first != r.id.name => {
                            self.out.push(
                                Diag::warning(
                                    SHADOWED_NAME,
                                    format!(
                                        "rule `{}` differs from rule `{first}` only in letter case",
                                        r.id.name
                                    ),
                                )
                                .at(loc, "this rule")
                                .also(*first_loc, "the other rule")
                                .help("rule IDs are case-sensitive, so these are two rules, but `--rule`, waivers and readers will confuse them; rename one"),
                            );
                        }
                        Some(_) => {}
                        None => {
                            rule_ids.insert(key, (r.id.name.clone(), loc));
                        }
                    }
                    let mut vars: Vec<&ast::Ident> = Vec::new();
                    for c in &r.clauses {
                        if let ClauseKind::For(f) = &c.kind {
                            vars.push(&f.var);
                        }
                    }
                    for e in item_exprs(item) {
                        e.walk(&mut |x| {
                            if let ExprKind::Quant { var, .. } = &x.kind {
                                vars.push(var);
                            }
                        });
                    }
                    for v in vars {
                        if self.taxonomy.lookup(&v.name).is_some() {
                            let n = &v.name;
                            self.out.push(
                                Diag::warning(
                                    SHADOWED_NAME,
                                    format!("variable `{n}` hides the data category `{n}`"),
                                )
                                .at(self.loc(v.span), "same name as a top-level category")
                                .help(format!("in this rule `{n}` means the variable, and no category under `{n}` can be written; pick another variable name")),
                            );
                        }
                    }
                }
            }
        }
    }

    /// `custody::lint::covered_category`: in a category list (after `handles`/`holds`, or
    /// bound by a `let`), an entry that another entry already covers.
    fn categories(&mut self, pf: &ast::PolicyFile) {
        // `let` names in scope so far: the categories each binds (`None`: not categories).
        let mut lets: HashMap<&str, Option<Vec<CatId>>> = HashMap::new();
        for item in &pf.items {
            let mut lists: Vec<&[Expr]> = Vec::new();
            for e in item_exprs(item) {
                e.walk(&mut |x| {
                    if let ExprKind::Handles { cats, .. } | ExprKind::Holds { cats, .. } = &x.kind
                        && let ExprKind::List(items) = &strip_parens(cats).kind
                    {
                        lists.push(items);
                    }
                });
            }
            if let ast::Item::Let(l) = item
                && let ExprKind::List(items) = &strip_parens(&l.value).kind
            {
                lists.push(items);
            }
            for items in lists {
                self.covered(items, &lets);
            }
            if let ast::Item::Let(l) = item {
                let cats = self.resolve_cats(&l.value, &lets);
                lets.insert(&l.name.name, cats);
            }
        }
    }

    /// The categories an expression names: a category, a `let` bound to categories, or a
    /// list of those. `None` when it is anything else.
    fn resolve_cats(
        &self,
        e: &Expr,
        lets: &HashMap<&str, Option<Vec<CatId>>>,
    ) -> Option<Vec<CatId>> {
        match &strip_parens(e).kind {
            ExprKind::Path(p) => {
                let first = p.segments.first()?;
                if let Some(bound) = lets.get(first.name.as_str()) {
                    return if p.segments.len() == 1 {
                        bound.clone()
                    } else {
                        None
                    };
                }
                self.taxonomy.lookup(&p.dotted()).map(|c| vec![c])
            }
            ExprKind::List(items) => {
                let mut all = Vec::new();
                for i in items {
                    all.extend(self.resolve_cats(i, lets)?);
                }
                Some(all)
            }
            _ => None,
        }
    }

    fn covered(&mut self, items: &[Expr], lets: &HashMap<&str, Option<Vec<CatId>>>) {
        let entries: Vec<(Span, Vec<CatId>)> = items
            .iter()
            .filter_map(|i| {
                let cats = self.resolve_cats(i, lets)?;
                (!cats.is_empty()).then_some((i.span, cats))
            })
            .collect();
        // Is every category of `a` equal to or under a category of `b`? Then anything
        // that overlaps `a` overlaps `b` too (SPEC §2), and `a` adds nothing.
        let within = |a: &[CatId], b: &[CatId]| {
            a.iter().all(|&x| {
                b.iter().any(|&y| {
                    matches!(
                        self.taxonomy.overlap(x, y),
                        Some(Overlap::Equal | Overlap::Narrower)
                    )
                })
            })
        };
        for (i, (span, cats)) in entries.iter().enumerate() {
            // Two entries that cover each other: only the later one is reported.
            let by = entries.iter().enumerate().find(|(j, (_, other))| {
                *j != i && within(cats, other) && (!within(other, cats) || *j < i)
            });
            let Some((_, (by_span, by_cats))) = by else {
                continue;
            };
            let text = self.sources.get(self.file).slice(*span).to_owned();
            let by_text = self.sources.get(self.file).slice(*by_span).to_owned();
            let (message, help) = if within(by_cats, cats) {
                (
                    format!("`{text}` repeats `{by_text}` in this list"),
                    "the two entries name the same categories; remove one".to_owned(),
                )
            } else {
                (
                    format!("`{text}` is already covered by `{by_text}` in this list"),
                    format!(
                        "categories match by overlap: an inventory category that overlaps `{text}` also overlaps `{by_text}`, so this entry changes nothing; remove it"
                    ),
                )
            };
            self.out.push(
                Diag::warning(COVERED_CATEGORY, message)
                    .at(self.loc(*span), format!("covered by `{by_text}`"))
                    .also(self.loc(*by_span), "this entry covers it")
                    .help(help),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// What it means: the checked rules.

struct Meant<'a, 'o> {
    rule: &'a CheckedRule,
    cx: &'a eval::Context<'a>,
    sources: &'a SourceMap,
    out: &'o mut Vec<Diag>,
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Where,
    Require,
    /// Part of a larger condition.
    Part,
}

/// Are two checked expressions the same computation (locations aside)?
pub fn same(a: &CExpr, b: &CExpr) -> bool {
    use CKind as K;
    let all =
        |x: &[CExpr], y: &[CExpr]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q));
    match (&a.kind, &b.kind) {
        (K::Const(x), K::Const(y)) => x == y,
        (K::List(x), K::List(y)) => all(x, y),
        (K::Today, K::Today) => true,
        (K::Var(x), K::Var(y)) => x == y,
        (
            K::Field {
                base: b1,
                kind: k1,
                field: f1,
                ..
            },
            K::Field {
                base: b2,
                kind: k2,
                field: f2,
                ..
            },
        ) => k1 == k2 && f1 == f2 && same(b1, b2),
        (K::Id(x), K::Id(y))
        | (K::SupplyChain(x), K::SupplyChain(y))
        | (K::Not(x), K::Not(y))
        | (K::Count(x), K::Count(y)) => same(x, y),
        (K::And(a1, b1), K::And(a2, b2))
        | (K::Or(a1, b1), K::Or(a2, b2))
        | (K::Before(a1, b1), K::Before(a2, b2))
        | (K::After(a1, b1), K::After(a2, b2))
        | (K::Contains { lhs: a1, rhs: b1 }, K::Contains { lhs: a2, rhs: b2 }) => {
            same(a1, a2) && same(b1, b2)
        }
        (
            K::Compare {
                op: o1,
                lhs: a1,
                rhs: b1,
            },
            K::Compare {
                op: o2,
                lhs: a2,
                rhs: b2,
            },
        ) => o1 == o2 && same(a1, a2) && same(b1, b2),
        (
            K::In {
                negated: n1,
                lhs: a1,
                rhs: b1,
            },
            K::In {
                negated: n2,
                lhs: a2,
                rhs: b2,
            },
        ) => n1 == n2 && same(a1, a2) && same(b1, b2),
        (
            K::Matches {
                lhs: a1,
                pattern: p1,
                ..
            },
            K::Matches {
                lhs: a2,
                pattern: p2,
                ..
            },
        ) => p1 == p2 && same(a1, a2),
        (K::Is { lhs: a1, test: t1 }, K::Is { lhs: a2, test: t2 }) => t1 == t2 && same(a1, a2),
        (
            K::Handles {
                subject: s1,
                cats: c1,
            },
            K::Handles {
                subject: s2,
                cats: c2,
            },
        )
        | (
            K::Holds {
                subject: s1,
                cats: c1,
            },
            K::Holds {
                subject: s2,
                cats: c2,
            },
        ) => c1 == c2 && same(s1, s2),
        (
            K::Within {
                date: d1,
                amount: n1,
                unit: u1,
            },
            K::Within {
                date: d2,
                amount: n2,
                unit: u2,
            },
        )
        | (
            K::OlderThan {
                date: d1,
                amount: n1,
                unit: u1,
            },
            K::OlderThan {
                date: d2,
                amount: n2,
                unit: u2,
            },
        ) => n1 == n2 && u1 == u2 && same(d1, d2),
        (
            K::DateArith {
                base: d1,
                op: o1,
                amount: n1,
                unit: u1,
            },
            K::DateArith {
                base: d2,
                op: o2,
                amount: n2,
                unit: u2,
            },
        ) => o1 == o2 && n1 == n2 && u1 == u2 && same(d1, d2),
        (
            K::Quant {
                quantifier: q1,
                slot: s1,
                list: l1,
                body: b1,
                ..
            },
            K::Quant {
                quantifier: q2,
                slot: s2,
                list: l2,
                body: b2,
                ..
            },
        ) => q1 == q2 && s1 == s2 && same(l1, l2) && same(b1, b2),
        _ => false,
    }
}

/// Does `e` use a variable bound outside it (slot below `depth`), or `today`? If not, its
/// value is the same for every entity on every date.
fn depends(e: &CExpr, depth: usize) -> bool {
    match &e.kind {
        CKind::Var(s) => *s < depth,
        CKind::Today => true,
        _ => children(e).into_iter().any(|c| depends(c, depth)),
    }
}

/// The direct subexpressions of `e`, in order.
fn children(e: &CExpr) -> Vec<&CExpr> {
    use CKind as K;
    match &e.kind {
        K::Const(_) | K::Today | K::Var(_) => Vec::new(),
        K::List(items) => items.iter().collect(),
        K::Field { base, .. }
        | K::Id(base)
        | K::SupplyChain(base)
        | K::Not(base)
        | K::Count(base)
        | K::Matches { lhs: base, .. }
        | K::Is { lhs: base, .. }
        | K::Handles { subject: base, .. }
        | K::Holds { subject: base, .. }
        | K::Within { date: base, .. }
        | K::OlderThan { date: base, .. }
        | K::DateArith { base, .. } => vec![base],
        K::And(a, b)
        | K::Or(a, b)
        | K::Before(a, b)
        | K::After(a, b)
        | K::Compare { lhs: a, rhs: b, .. }
        | K::In { lhs: a, rhs: b, .. }
        | K::Contains { lhs: a, rhs: b }
        | K::Quant {
            list: a, body: b, ..
        } => vec![a, b],
    }
}

/// Values that are never missing, whatever the inventory: a comparison of one with itself
/// is decided.
fn never_missing(e: &CExpr) -> bool {
    match &e.kind {
        CKind::Const(_) | CKind::List(_) | CKind::Today | CKind::Count(_) => true,
        CKind::SupplyChain(_) => true,
        CKind::Id(base) => matches!(base.kind, CKind::Var(_)),
        _ => false,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// `count(L) OP n`: a count is a whole number ≥ 0.
fn count_against(op: CmpOp, n: f64) -> Option<bool> {
    let whole = n.fract() == 0.0;
    match op {
        CmpOp::Ge if n <= 0.0 => Some(true),
        CmpOp::Gt if n < 0.0 => Some(true),
        CmpOp::Lt if n <= 0.0 => Some(false),
        CmpOp::Le if n < 0.0 => Some(false),
        CmpOp::Eq if n < 0.0 || !whole => Some(false),
        CmpOp::Ne if n < 0.0 || !whole => Some(true),
        _ => None,
    }
}

impl<'a> Meant<'a, '_> {
    fn text(&self, loc: Loc) -> String {
        let t = self.sources.slice(loc);
        t.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// `` `x` `` for a short expression, else "this condition".
    fn shown(&self, loc: Loc) -> String {
        let t = self.text(loc);
        if t.chars().count() <= 40 && !t.is_empty() {
            format!("`{t}`")
        } else {
            "this condition".into()
        }
    }

    fn rule(&mut self) {
        let r = self.rule;
        if let Some(f) = &r.filter {
            self.condition(f, 1, Role::Where);
        }
        for req in &r.requires {
            self.condition(&req.expr, 1, Role::Require);
        }
        for (j, later) in r.requires.iter().enumerate() {
            if let Some(first) = r.requires[..j].iter().find(|x| same(&x.expr, &later.expr)) {
                self.out.push(
                    Diag::warning(
                        DUPLICATE_REQUIRE,
                        format!("rule `{}` repeats this `require`", r.id),
                    )
                    .at(later.loc, "same condition as an earlier `require`")
                    .also(first.loc, "first here")
                    .help("remove one of them: the repeated clause fails exactly when the first one does"),
                );
            }
        }
        if r.remediation.is_none() {
            self.out.push(
                Diag::warning(MISSING_REMEDIATION, format!("rule `{}` has no `remediation`", r.id))
                    .at(r.loc, "no remediation")
                    .help("add `remediation \"...\"` saying what the owner should do: it is shown as the help of every finding of this rule"),
            );
        }
        if r.references.is_empty() {
            self.out.push(
                Diag::warning(MISSING_REFERENCES, format!("rule `{}` has no `references`", r.id))
                    .at(r.loc, "no references")
                    .help("add `references \"...\"` naming the standard, law or internal policy the rule enforces, e.g. `references \"ISO/IEC 27001:2022 A.5.19\"`"),
            );
        }
        self.template();
    }

    /// Report the largest constant parts of a condition, and `not` on a boolean field.
    fn condition(&mut self, e: &'a CExpr, depth: usize, role: Role) {
        if let Some((value, why)) = self.constant(e, depth) {
            self.report_constant(e, value, why, role);
            return;
        }
        match &e.kind {
            CKind::Not(inner) => {
                if let CKind::Field { name, .. } = &inner.kind
                    && inner.ty == Ty::Bool
                {
                    let path = self.text(inner.loc);
                    self.out.push(
                        Diag::warning(
                            NEGATED_MISSING,
                            format!("`not {path}` also holds when `{name}` is missing"),
                        )
                        .at(e.loc, format!("true when `{name}` is false or missing"))
                        .help(format!("write `{path} == false` if a missing value should not count, or `{path} == false or {path} is missing` to say that it should")),
                    );
                }
                self.condition(inner, depth, Role::Part);
            }
            CKind::And(a, b) | CKind::Or(a, b) => {
                self.condition(a, depth, Role::Part);
                self.condition(b, depth, Role::Part);
            }
            CKind::Quant { body, .. } => self.condition(body, depth + 1, Role::Part),
            _ => {}
        }
    }

    fn report_constant(&mut self, e: &CExpr, value: bool, why: String, role: Role) {
        let (message, help) = match (role, value) {
            (Role::Where, true) => (
                format!("the `where` clause of rule `{}` is always true", self.rule.id),
                "it selects every entity of the kind: remove it, or test a field".to_owned(),
            ),
            (Role::Where, false) => (
                format!("the `where` clause of rule `{}` is always false", self.rule.id),
                "the rule selects no entity and can never produce a finding: test a field instead".to_owned(),
            ),
            (Role::Require, true) => (
                format!("this `require` of rule `{}` is always true", self.rule.id),
                "it can never fail: test a field of the entity instead, or remove it".to_owned(),
            ),
            (Role::Require, false) => (
                format!("this `require` of rule `{}` is always false", self.rule.id),
                "every entity the rule selects fails it: test a field of the entity instead".to_owned(),
            ),
            (Role::Part, v) => (
                format!("part of a condition of rule `{}` is always {v}", self.rule.id),
                "the condition around it reads as if it could change; remove it or test a field of the entity".to_owned(),
            ),
        };
        self.out.push(
            Diag::warning(CONSTANT_CONDITION, message)
                .at(e.loc, why)
                .help(help),
        );
    }

    /// Is the condition `e` the same for every entity, inventory and date? The reason is
    /// the label shown at it.
    fn constant(&self, e: &'a CExpr, depth: usize) -> Option<(bool, String)> {
        use CKind as K;
        if !depends(e, depth) {
            let mut env: Vec<Val<'a>> = vec![Val::Missing; depth];
            let v = self.cx.cond(e, &mut env, &mut ());
            let why = match &e.kind {
                K::Const(Const::Bool(b)) => format!("the literal `{b}`"),
                _ => "it mentions no field of the entity and no date".to_owned(),
            };
            return Some((v, why));
        }
        match &e.kind {
            K::Not(inner) => {
                let (v, why) = self.constant(inner, depth)?;
                Some((!v, why))
            }
            K::And(a, b) | K::Or(a, b) => {
                let is_and = matches!(e.kind, K::And(..));
                let word = if is_and { "and" } else { "or" };
                let (ca, cb) = (self.constant(a, depth), self.constant(b, depth));
                // `false and x`, `true or x`: one side decides.
                let decisive = !is_and;
                for (side, c) in [(a, &ca), (b, &cb)] {
                    if let Some((v, _)) = c
                        && *v == decisive
                    {
                        return Some((
                            decisive,
                            format!(
                                "{} makes the `{word}` always {decisive}",
                                self.shown(side.loc)
                            ),
                        ));
                    }
                }
                // Both sides constant and neither decisive: the other value.
                match (ca, cb) {
                    (Some(_), Some(_)) => Some((
                        !decisive,
                        format!("both sides of the `{word}` are constant"),
                    )),
                    _ => None,
                }
            }
            K::Compare { op, lhs, rhs } => {
                if same(lhs, rhs) {
                    let shown = self.shown(lhs.loc);
                    return match op {
                        CmpOp::Ne | CmpOp::Lt | CmpOp::Gt => {
                            Some((false, format!("{shown} is compared with itself")))
                        }
                        _ if never_missing(lhs) => {
                            Some((true, format!("{shown} is compared with itself")))
                        }
                        _ => None,
                    };
                }
                let number = |x: &CExpr| match &x.kind {
                    K::Const(Const::Num(n)) => Some(*n),
                    _ => None,
                };
                let decided = match (&lhs.kind, &rhs.kind) {
                    (K::Count(_), _) => number(rhs).and_then(|n| count_against(*op, n)),
                    (_, K::Count(_)) => number(lhs).and_then(|n| count_against(flip(*op), n)),
                    _ => None,
                };
                decided.map(|v| (v, "a count is a whole number, never negative".to_owned()))
            }
            K::In {
                negated: false,
                rhs,
                ..
            } if matches!(&rhs.kind, K::List(items) if items.is_empty()) => {
                Some((false, "nothing is in an empty list".to_owned()))
            }
            K::Is { lhs, test } if *test != IsTest::Empty && never_missing(lhs) => Some((
                *test == IsTest::Set,
                format!("{} is never missing", self.shown(lhs.loc)),
            )),
            K::Handles { cats, .. } | K::Holds { cats, .. } if cats.is_empty() => {
                Some((false, "no categories to match".to_owned()))
            }
            K::Within { date, .. } if matches!(date.kind, K::Today) => Some((
                true,
                "`today` is within any period that ends today".to_owned(),
            )),
            K::OlderThan { date, .. } if matches!(date.kind, K::Today) => {
                Some((false, "`today` is never older than today".to_owned()))
            }
            K::Before(a, b) | K::After(a, b) if same(a, b) => Some((
                false,
                format!("{} is compared with itself", self.shown(a.loc)),
            )),
            K::Quant {
                quantifier,
                list,
                body,
                ..
            } => {
                let q = *quantifier;
                if let K::List(items) = &list.kind
                    && items.is_empty()
                {
                    return Some((q != Quantifier::Any, "the list is empty".to_owned()));
                }
                let (b, _) = self.constant(body, depth + 1)?;
                // On an empty list `all` and `no` hold and `any` fails, so only these
                // combinations are decided whatever the list holds.
                let v = match (q, b) {
                    (Quantifier::All, true) => true,
                    (Quantifier::Any, false) => false,
                    (Quantifier::No, false) => true,
                    _ => return None,
                };
                Some((
                    v,
                    format!("its body is always {b}, so `{}` is always {v}", q.as_str()),
                ))
            }
            _ => None,
        }
    }

    /// `custody::lint::template_field_untouched`.
    fn template(&mut self) {
        let r = self.rule;
        let Some(parts) = &r.message else {
            return;
        };
        let mut touched: Vec<Vec<String>> = Vec::new();
        for e in r.filter.iter().chain(r.requires.iter().map(|q| &q.expr)) {
            paths(e, &mut touched);
        }
        // `supply_chain` is derived from `subprocessors`: testing it reads them.
        let mut reads = touched.clone();
        for p in &touched {
            if let Some(i) = p.iter().position(|s| s == "supply_chain") {
                let mut q = p[..i].to_vec();
                q.push("subprocessors".into());
                reads.push(q);
            }
        }
        let starts = |p: &[String]| reads.iter().any(|t| t.starts_with(p));
        let mut tested: Vec<String> = touched
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| format!("`{}.{}`", r.var, t.join(".")))
            .collect();
        tested.sort();
        tested.dedup();
        for part in parts {
            let TemplatePart::Path { expr, text } = part else {
                continue;
            };
            let Some(p) = path_of(expr).filter(|(slot, _)| *slot == 0).map(|(_, p)| p) else {
                continue;
            };
            let identifying = p.last().is_some_and(|l| IDENTIFYING.contains(&l.as_str()));
            let head = &p[..p.len().saturating_sub(1)];
            if p.is_empty() || starts(&p) || (identifying && (head.is_empty() || starts(head))) {
                continue;
            }
            let help = if tested.is_empty() {
                format!(
                    "a message should describe what the rule checks: test `{text}` in a `require`, or leave it out of the message"
                )
            } else {
                format!(
                    "a message should describe what the rule checks, which is {}: test `{text}` in a `require`, or show a field the rule tests",
                    tested.join(", ")
                )
            };
            self.out.push(
                Diag::warning(
                    TEMPLATE_FIELD_UNTOUCHED,
                    format!(
                        "the message shows `{text}`, which rule `{}` never tests",
                        r.id
                    ),
                )
                .at(expr.loc, "not tested by the rule")
                .help(help),
            );
        }
    }
}

/// A path from a variable: its slot and the steps (`["contract.expires"]`, `["hosted_by", "tier"]`).
fn path_of(e: &CExpr) -> Option<(usize, Vec<String>)> {
    match &e.kind {
        CKind::Var(s) => Some((*s, Vec::new())),
        CKind::Field { base, name, .. } => {
            let (s, mut p) = path_of(base)?;
            p.push(name.clone());
            Some((s, p))
        }
        CKind::Id(base) => {
            let (s, mut p) = path_of(base)?;
            p.push("id".into());
            Some((s, p))
        }
        CKind::SupplyChain(base) => {
            let (s, mut p) = path_of(base)?;
            p.push("supply_chain".into());
            Some((s, p))
        }
        _ => None,
    }
}

/// Every path from the rule's own variable (slot 0) mentioned in `e`.
fn paths(e: &CExpr, out: &mut Vec<Vec<String>>) {
    match path_of(e) {
        Some((0, p)) => out.push(p),
        _ => children(e).into_iter().for_each(|c| paths(c, out)),
    }
}

// ---------------------------------------------------------------------------------------
// Waivers.

/// Waivers naming an unknown rule or entity (the same warnings `check` gives), and live
/// waivers that lapse within [`EXPIRY_WARNING_DAYS`] of the as-of date.
/// `written`: the rule IDs in the policy files, so that a waiver naming a rule with an
/// error (reported already) is not also called unknown.
fn lint_waivers(input: &Input<'_>, written: &[String], out: &mut Vec<Diag>) {
    let horizon = input
        .as_of
        .checked_add(EXPIRY_WARNING_DAYS.days())
        .unwrap_or(Date::MAX);
    for w in input.waivers {
        if let Err(d) = waivers::resolve(w, input.program, input.inventory, input.schema) {
            let has_errors = input.program.rule(&w.rule).is_none() && written.contains(&w.rule);
            if !has_errors {
                out.push(*d);
            }
            continue;
        }
        if w.live(input.as_of) && w.expires <= horizon {
            let days = input
                .as_of
                .until(w.expires)
                .map(|s| s.get_days())
                .unwrap_or(0);
            let when = match days {
                0 => "today".to_owned(),
                1 => "tomorrow".to_owned(),
                n => format!("in {n} days"),
            };
            out.push(
                Diag::warning(
                    WAIVER_EXPIRES_SOON,
                    format!(
                        "waiver for `{}` on `{}` expires {when}, on {}",
                        w.rule, w.entity, w.expires
                    ),
                )
                .at(w.expires_loc, format!("expires {when}"))
                .help("renew it (a new `expires` date, approved again) or fix the finding before then: once the waiver lapses, the finding fails the run again"),
            );
        }
    }
}
