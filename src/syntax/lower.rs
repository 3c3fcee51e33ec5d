//! Lowering: pest pairs of one item → the AST. Literals are checked here (dates, escapes,
//! numbers, durations) and so is the exact expression depth.
//!
//! Lowering recurses over pest's tree, whose depth the pre-scan in `lex.rs` has already
//! bounded; the AST depth is computed as nodes are built (flat `and`/`or`/`not` chains
//! deepen the AST without deepening pest's tree) and refused past [`MAX_DEPTH`].

use super::MAX_DEPTH;
use super::errors;
use super::grammar::Rule;
use crate::ast::*;
use crate::diag::Diag;
use crate::source::{FileId, Loc, Span};
use pest::iterators::{Pair, Pairs};

/// Why lowering an item stopped early. The diagnostic has already been pushed.
pub(super) enum Stop {
    /// The AST got deeper than [`MAX_DEPTH`].
    TooDeep,
    /// The tree did not have the shape the grammar promises: a bug, reported as such.
    Shape,
}

type Res<T> = Result<T, Stop>;

/// An expression and its depth: how many nodes enclose its deepest leaf (a leaf is 0,
/// `(a)` is 1), so 256 nested parentheses are allowed and the 257th is refused.
type Lowered = (Expr, usize);

pub(super) struct Lowerer<'d> {
    file: FileId,
    /// Byte offset of the text pest saw within the file.
    offset: usize,
    diags: &'d mut Vec<Diag>,
    /// A literal was bad: the item is reported and dropped, but lowering goes on so every
    /// bad literal in it is reported.
    pub failed: bool,
}

impl<'d> Lowerer<'d> {
    pub fn new(file: FileId, offset: usize, diags: &'d mut Vec<Diag>) -> Lowerer<'d> {
        Lowerer {
            file,
            offset,
            diags,
            failed: false,
        }
    }

    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.offset + s.start(), self.offset + s.end())
    }

    fn loc(&self, span: Span) -> Loc {
        Loc::new(self.file, span)
    }

    fn error(&mut self, diag: Diag) {
        self.failed = true;
        self.diags.push(diag);
    }

    /// The next child, which the grammar guarantees; a missing one is a custody bug,
    /// reported once by [`Lowerer::item`].
    fn next<'i>(it: &mut Pairs<'i, Rule>) -> Res<Pair<'i, Rule>> {
        it.next().ok_or(Stop::Shape)
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    /// Lower a `let_item` or `rule_item`.
    pub fn item(&mut self, pair: Pair<'_, Rule>) -> Res<Item> {
        let span = self.span(&pair);
        let item = match pair.as_rule() {
            Rule::let_item => self.let_item(pair).map(Item::Let),
            Rule::rule_item => self.rule_item(pair).map(Item::Rule),
            _ => Err(Stop::Shape),
        };
        if let Err(Stop::Shape) = item {
            let loc = self.loc(span);
            self.error(errors::internal(loc));
        }
        item
    }

    fn let_item(&mut self, pair: Pair<'_, Rule>) -> Res<LetDecl> {
        let mut it = pair.into_inner();
        let mut kw = Self::next(&mut it)?;
        let mut export = None;
        if kw.as_rule() == Rule::kw_export {
            export = Some(kw);
            kw = Self::next(&mut it)?;
        }
        let name = Self::next(&mut it)?;
        let _eq = Self::next(&mut it)?;
        let value = self.expr(Self::next(&mut it)?)?.0;
        let first = export.as_ref().unwrap_or(&kw);
        Ok(LetDecl {
            export: export.as_ref().map(|e| self.span(e)),
            name: self.ident(&name),
            // Not pest's span for the item: it would include trailing whitespace.
            span: self.span(first).to(value.span),
            value,
        })
    }

    fn rule_item(&mut self, pair: Pair<'_, Rule>) -> Res<Rule_> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let _kw = Self::next(&mut it)?;
        let id = Self::next(&mut it)?;
        let title = Self::next(&mut it)?;
        let id = self.ident(&id);
        let title = self.string(&title);
        let mut clauses = Vec::new();
        for p in it {
            if p.as_rule() == Rule::clause {
                clauses.push(self.clause(p)?);
            }
        }
        Ok(Rule_ {
            id,
            title,
            clauses,
            span,
        })
    }

    fn clause(&mut self, pair: Pair<'_, Rule>) -> Res<Clause> {
        let inner = Self::next(&mut pair.into_inner())?;
        let rule = inner.as_rule();
        let mut it = inner.into_inner();
        let kw = Self::next(&mut it)?;
        let keyword = self.span(&kw);
        let kind = match rule {
            Rule::severity_clause => {
                let word = Self::next(&mut it)?;
                ClauseKind::Severity(self.ident(&word))
            }
            Rule::references_clause => ClauseKind::References(self.strings(it)),
            Rule::tags_clause => ClauseKind::Tags(self.strings(it)),
            Rule::description_clause => ClauseKind::Description(self.string(&Self::next(&mut it)?)),
            Rule::message_clause => ClauseKind::Message(self.string(&Self::next(&mut it)?)),
            Rule::remediation_clause => ClauseKind::Remediation(self.string(&Self::next(&mut it)?)),
            Rule::for_clause => {
                let kind = Self::next(&mut it)?;
                let var = Self::next(&mut it)?;
                // `where` and the filter, when present.
                let filter = match (it.next(), it.next()) {
                    (Some(_where), Some(e)) => Some(self.expr(e)?.0),
                    _ => None,
                };
                ClauseKind::For(ForClause {
                    kind: self.ident(&kind),
                    var: self.ident(&var),
                    filter,
                })
            }
            Rule::require_clause => ClauseKind::Require(self.expr(Self::next(&mut it)?)?.0),
            _ => return Err(Stop::Shape),
        };
        // The span ends at the last part, not where pest's does: a clause ending in an
        // optional part (`where`, more strings) would include the whitespace after it.
        let end = match &kind {
            ClauseKind::Severity(w) => w.span,
            ClauseKind::References(v) | ClauseKind::Tags(v) => v.last().map_or(keyword, |s| s.span),
            ClauseKind::Description(s) | ClauseKind::Message(s) | ClauseKind::Remediation(s) => {
                s.span
            }
            ClauseKind::For(f) => f.filter.as_ref().map_or(f.var.span, |e| e.span),
            ClauseKind::Require(e) => e.span,
        };
        Ok(Clause {
            kind,
            span: keyword.to(end),
            keyword,
        })
    }

    fn strings(&mut self, it: Pairs<'_, Rule>) -> Vec<StrLit> {
        it.filter(|p| p.as_rule() == Rule::string)
            .map(|p| self.string(&p))
            .collect()
    }

    /// Unescape a string token (quotes included), reporting each unknown escape.
    fn string(&mut self, pair: &Pair<'_, Rule>) -> StrLit {
        let span = self.span(pair);
        let raw = pair.as_str();
        let body = raw
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(raw);
        let mut value = String::with_capacity(body.len());
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((j, other)) => {
                    // +1 for the opening quote.
                    let start = span.start as usize + 1 + i;
                    let end = span.start as usize + 1 + j + other.len_utf8();
                    let loc = self.loc(Span::new(start, end));
                    self.error(errors::invalid_escape(loc, other));
                    value.push(other);
                }
                None => value.push('\\'),
            }
        }
        StrLit { value, span }
    }

    /// Build a node of depth `depth`, refusing it past the limit. `at` is the token that
    /// added the level (an operator, a `not`, a bracket), where the error points.
    fn node(&mut self, kind: ExprKind, span: Span, depth: usize, at: Span) -> Res<Lowered> {
        if depth > MAX_DEPTH {
            let loc = self.loc(at);
            self.error(errors::too_deep(loc));
            return Err(Stop::TooDeep);
        }
        Ok((Expr { kind, span }, depth))
    }

    /// Lower any expression pair. Each kind of node has its own function so that the
    /// recursive path (this dispatcher, then one small function) keeps stack frames small.
    pub fn expr(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let pair = skip_wrappers(pair);
        match pair.as_rule() {
            Rule::or_expr | Rule::and_expr => self.logic(pair),
            Rule::not_expr => self.not(pair),
            Rule::quantified => self.quantified(pair),
            Rule::test => self.test(pair),
            Rule::operand | Rule::term => self.operand(pair),
            Rule::pattern => self.pattern(pair),
            Rule::aggregate => self.aggregate(pair),
            Rule::paren => self.paren(pair),
            Rule::list => self.list(pair),
            Rule::count => self.count(pair),
            Rule::days_call => self.days_call(pair),
            _ => self.leaf(pair),
        }
    }

    /// `a or b or c`, `a and b`: left-associative.
    fn logic(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let is_or = pair.as_rule() == Rule::or_expr;
        let mut it = pair.into_inner();
        let first = Self::next(&mut it)?;
        let (mut acc, mut depth) = self.expr(first)?;
        while let Some(op) = it.next() {
            let rhs = Self::next(&mut it)?;
            let (rhs, d) = self.expr(rhs)?;
            let whole = acc.span.to(rhs.span);
            let (l, r) = (Box::new(acc), Box::new(rhs));
            let kind = if is_or {
                ExprKind::Or(l, r)
            } else {
                ExprKind::And(l, r)
            };
            (acc, depth) = self.node(kind, whole, depth.max(d) + 1, self.span(&op))?;
        }
        Ok((acc, depth))
    }

    /// `not not x`: each `not` wraps everything to its right.
    fn not(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let mut nots = Vec::new();
        let mut inner = None;
        for p in pair.into_inner() {
            if p.as_rule() == Rule::kw_not {
                nots.push(self.span(&p));
            } else {
                inner = Some(p);
            }
        }
        let (mut acc, mut depth) = self.expr(inner.ok_or(Stop::Shape)?)?;
        for kw in nots.into_iter().rev() {
            let whole = kw.to(acc.span);
            (acc, depth) = self.node(ExprKind::Not(Box::new(acc)), whole, depth + 1, kw)?;
        }
        Ok((acc, depth))
    }

    /// `all|any|no SOURCE: BODY`
    fn quantified(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let mut it = pair.into_inner();
        let q = Self::next(&mut it)?;
        let quantifier = match q.as_str() {
            "all" => Quantifier::All,
            "any" => Quantifier::Any,
            _ => Quantifier::No,
        };
        let src = self.source(Self::next(&mut it)?)?;
        let _colon = Self::next(&mut it)?;
        let (body, db) = self.expr(Self::next(&mut it)?)?;
        let span = self.span(&q).to(body.span);
        let kind = ExprKind::Quant {
            quantifier,
            var: src.var,
            list: src.list,
            filter: src.filter,
            body: Box::new(body),
        };
        self.node(kind, span, src.depth.max(db) + 1, self.span(&q))
    }

    /// `VAR in LIST [where FILTER]` or `KIND VAR [where FILTER]`.
    fn source(&mut self, pair: Pair<'_, Rule>) -> Res<Source> {
        let mut it = pair.into_inner();
        let first = Self::next(&mut it)?;
        let (var, list, mut depth) = if first.as_rule() == Rule::source_kind_name {
            let kind = self.ident(&first);
            let var = self.ident(&Self::next(&mut it)?);
            let span = kind.span;
            let list = Expr {
                kind: ExprKind::Entities(kind),
                span,
            };
            (var, list, 0)
        } else {
            let var = self.ident(&first);
            let _in = Self::next(&mut it)?;
            let (list, d) = self.expr(Self::next(&mut it)?)?;
            (var, list, d)
        };
        let filter = match (it.next(), it.next()) {
            (Some(_where), Some(e)) => {
                let (f, d) = self.expr(e)?;
                depth = depth.max(d);
                Some(Box::new(f))
            }
            _ => None,
        };
        Ok(Source {
            var,
            list: Box::new(list),
            filter,
            depth,
        })
    }

    /// `operand [tail]`. The span is computed from the parts: pest's span for a rule that
    /// ends in an optional part includes the whitespace (and comments) after it.
    fn test(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let mut it = pair.into_inner();
        let (lhs, dl) = self.expr(Self::next(&mut it)?)?;
        let Some(tail) = it.next() else {
            return Ok((lhs, dl));
        };
        let tail_rule = tail.as_rule();
        let mut parts = tail.into_inner();
        let op = Self::next(&mut parts)?;
        let at = self.span(&op);
        let start = lhs.span;
        let lhs = Box::new(lhs);
        // The right-hand operand of tests that take one.
        let rhs = |this: &mut Self, parts: &mut Pairs<'_, Rule>| -> Res<(Box<Expr>, usize, Span)> {
            let (e, d) = this.expr(Self::next(parts)?)?;
            let span = e.span;
            Ok((Box::new(e), d, span))
        };
        let (kind, depth, end) = match tail_rule {
            Rule::compare => {
                let op = match op.as_str() {
                    "==" => CmpOp::Eq,
                    "!=" => CmpOp::Ne,
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::Le,
                    ">" => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let (rhs, dr, end) = rhs(self, &mut parts)?;
                (ExprKind::Compare { op, lhs, rhs }, dl.max(dr), end)
            }
            Rule::in_test | Rule::not_in_test => {
                let negated = tail_rule == Rule::not_in_test;
                if negated {
                    let _in = Self::next(&mut parts)?;
                }
                let (rhs, dr, end) = rhs(self, &mut parts)?;
                (ExprKind::In { negated, lhs, rhs }, dl.max(dr), end)
            }
            Rule::contains_test => {
                let (rhs, dr, end) = rhs(self, &mut parts)?;
                (ExprKind::Contains { lhs, rhs }, dl.max(dr), end)
            }
            Rule::matches_test => {
                let pattern = self.string(&Self::next(&mut parts)?);
                let end = pattern.span;
                (ExprKind::Matches { lhs, pattern }, dl, end)
            }
            Rule::is_test => {
                let what = Self::next(&mut parts)?;
                let test = match what.as_str() {
                    "set" => IsTest::Set,
                    "missing" => IsTest::Missing,
                    _ => IsTest::Empty,
                };
                (ExprKind::Is { lhs, test }, dl, self.span(&what))
            }
            Rule::handles_test | Rule::holds_test | Rule::receives_test => {
                let (cats, dr, end) = rhs(self, &mut parts)?;
                let subject = lhs;
                let kind = if tail_rule == Rule::handles_test {
                    ExprKind::Handles { subject, cats }
                } else if tail_rule == Rule::receives_test {
                    ExprKind::Receives { subject, cats }
                } else {
                    ExprKind::Holds { subject, cats }
                };
                (kind, dl.max(dr), end)
            }
            Rule::within_test | Rule::older_test => {
                if tail_rule == Rule::older_test {
                    let _than = Self::next(&mut parts)?;
                }
                let mut dir = WithinDir::Plain;
                let mut next = Self::next(&mut parts)?;
                if next.as_rule() == Rule::within_dir {
                    dir = if next.as_str() == "next" {
                        WithinDir::Next
                    } else {
                        WithinDir::Last
                    };
                    next = Self::next(&mut parts)?;
                }
                let duration = self.duration(next);
                let end = duration.span;
                let date = lhs;
                let kind = if tail_rule == Rule::within_test {
                    ExprKind::Within {
                        date,
                        duration,
                        dir,
                    }
                } else {
                    ExprKind::OlderThan { date, duration }
                };
                (kind, dl, end)
            }
            Rule::before_test | Rule::after_test => {
                let (rhs, dr, end) = rhs(self, &mut parts)?;
                let kind = if tail_rule == Rule::before_test {
                    ExprKind::Before(lhs, rhs)
                } else {
                    ExprKind::After(lhs, rhs)
                };
                (kind, dl.max(dr), end)
            }
            _ => return Err(Stop::Shape),
        };
        self.node(kind, start.to(end), depth + 1, at)
    }

    /// `term ((+|-) (duration|term))*` and `primary ((*|/) primary)*`, left-associative.
    fn operand(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let mut it = pair.into_inner();
        let (mut acc, mut depth) = self.expr(Self::next(&mut it)?)?;
        while let Some(op) = it.next() {
            let at = self.span(&op);
            let rhs = Self::next(&mut it)?;
            if rhs.as_rule() == Rule::duration {
                let duration = self.duration(rhs);
                let op = if op.as_str() == "+" {
                    DateOp::Plus
                } else {
                    DateOp::Minus
                };
                let whole = acc.span.to(duration.span);
                let kind = ExprKind::DateArith {
                    base: Box::new(acc),
                    op,
                    duration,
                };
                (acc, depth) = self.node(kind, whole, depth + 1, at)?;
                continue;
            }
            let op = match op.as_str() {
                "+" => ArithOp::Add,
                "-" => ArithOp::Sub,
                "*" => ArithOp::Mul,
                _ => ArithOp::Div,
            };
            let (rhs, d) = self.expr(rhs)?;
            let whole = acc.span.to(rhs.span);
            let kind = ExprKind::Arith {
                op,
                lhs: Box::new(acc),
                rhs: Box::new(rhs),
            };
            (acc, depth) = self.node(kind, whole, depth.max(d) + 1, at)?;
        }
        Ok((acc, depth))
    }

    /// `C except E`
    fn pattern(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let mut it = pair.into_inner();
        let (cats, dc) = self.expr(Self::next(&mut it)?)?;
        let Some(kw) = it.next() else {
            return Ok((cats, dc));
        };
        let (excluded, de) = self.expr(Self::next(&mut it)?)?;
        let whole = cats.span.to(excluded.span);
        let kind = ExprKind::Except {
            cats: Box::new(cats),
            excluded: Box::new(excluded),
        };
        self.node(kind, whole, dc.max(de) + 1, self.span(&kw))
    }

    /// `( EXPR )`
    fn paren(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let span = self.span(&pair);
        let (e, d) = self.expr(Self::next(&mut pair.into_inner())?)?;
        let open = Span::new(span.start as usize, span.start as usize + 1);
        self.node(ExprKind::Paren(Box::new(e)), span, d + 1, open)
    }

    /// `[a, b]`
    fn list(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let span = self.span(&pair);
        let open = Span::new(span.start as usize, span.start as usize + 1);
        let mut items = Vec::new();
        let mut depth = 0;
        for p in pair.into_inner() {
            if !matches!(p.as_rule(), Rule::list_comma | Rule::list_close) {
                let (e, d) = self.expr(p)?;
                depth = depth.max(d);
                items.push(e);
            }
        }
        self.node(ExprKind::List(items), span, depth + 1, open)
    }

    /// `count(EXPR)`, `count(SOURCE)`
    fn count(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let kw = Self::next(&mut it)?;
        let _open = Self::next(&mut it)?;
        let inner = Self::next(&mut it)?;
        if inner.as_rule() == Rule::source {
            let src = self.source(inner)?;
            let kind = ExprKind::Aggregate {
                op: AggOp::Count,
                var: src.var,
                list: src.list,
                filter: src.filter,
                value: None,
            };
            return self.node(kind, span, src.depth + 1, self.span(&kw));
        }
        let (e, d) = self.expr(inner)?;
        self.node(ExprKind::Count(Box::new(e)), span, d + 1, self.span(&kw))
    }

    /// `sum(SOURCE: VALUE)`, `min(...)`, `max(...)`
    fn aggregate(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let name = Self::next(&mut it)?;
        let op = match name.as_str() {
            "sum" => AggOp::Sum,
            "min" => AggOp::Min,
            _ => AggOp::Max,
        };
        let _open = Self::next(&mut it)?;
        let src = self.source(Self::next(&mut it)?)?;
        let _colon = Self::next(&mut it)?;
        let (value, dv) = self.expr(Self::next(&mut it)?)?;
        let kind = ExprKind::Aggregate {
            op,
            var: src.var,
            list: src.list,
            filter: src.filter,
            value: Some(Box::new(value)),
        };
        self.node(kind, span, src.depth.max(dv) + 1, self.span(&name))
    }

    /// `days_since(D)`, `days_until(D)`
    fn days_call(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let name = Self::next(&mut it)?;
        let func = if name.as_str() == "days_until" {
            DayFn::Until
        } else {
            DayFn::Since
        };
        let _open = Self::next(&mut it)?;
        let (e, d) = self.expr(Self::next(&mut it)?)?;
        let kind = ExprKind::Days {
            func,
            date: Box::new(e),
        };
        self.node(kind, span, d + 1, self.span(&name))
    }

    /// Literals, `today` and paths.
    fn leaf(&mut self, pair: Pair<'_, Rule>) -> Res<Lowered> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::kw_today => ExprKind::Today,
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            // On a bad date `failed` is set and the item dropped, so the placeholder is
            // never seen.
            Rule::date => self
                .date(pair.as_str(), span)
                .map_or(ExprKind::Bool(false), ExprKind::Date),
            Rule::number => {
                let text = pair.as_str();
                ExprKind::Number(self.number(text, span), text.to_string())
            }
            Rule::string => ExprKind::Str(self.string(&pair).value),
            Rule::path => {
                let segments = pair.into_inner().map(|p| self.ident(&p)).collect();
                ExprKind::Path(Path { segments })
            }
            _ => return Err(Stop::Shape),
        };
        Ok((Expr { kind, span }, 0))
    }

    fn number(&mut self, text: &str, span: Span) -> f64 {
        let digits: String = text.chars().filter(|&c| c != '_').collect();
        match digits.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                let loc = self.loc(span);
                self.error(errors::invalid_number(loc, text));
                0.0
            }
        }
    }

    /// Check a date token: exactly `YYYY-MM-DD`, and a real day.
    fn date(&mut self, text: &str, span: Span) -> Option<jiff::civil::Date> {
        let parts: Vec<&str> = text.split('-').collect();
        let loc = self.loc(span);
        let shape_ok =
            matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2);
        let nums: Vec<i64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
        if !shape_ok {
            self.error(errors::malformed_date(loc, text, &nums));
            return None;
        }
        let &[y, m, d] = nums.as_slice() else {
            self.error(errors::malformed_date(loc, text, &nums));
            return None;
        };
        // `y` has four digits, so these casts cannot truncate; `m` and `d` have two.
        match jiff::civil::Date::new(y as i16, m as i8, d as i8) {
            Ok(date) => Some(date),
            Err(_) => {
                self.error(errors::invalid_date(loc, text, y, m));
                None
            }
        }
    }

    fn duration(&mut self, pair: Pair<'_, Rule>) -> Duration {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let (amount, unit) = (it.next(), it.next());
        let unit = match unit.as_ref().map(|u| u.as_str()) {
            Some("day" | "days") => Unit::Day,
            Some("week" | "weeks") => Unit::Week,
            Some("month" | "months") => Unit::Month,
            _ => Unit::Year,
        };
        let amount = match amount {
            Some(a) => {
                let text = a.as_str();
                let digits: String = text.chars().filter(|&c| c != '_').collect();
                match digits.parse::<i64>() {
                    Ok(n) if n >= 0 => n,
                    other => {
                        let loc = self.loc(self.span(&a));
                        let negative = other.is_ok() || text.starts_with('-');
                        self.error(errors::invalid_duration(loc, text, negative));
                        0
                    }
                }
            }
            None => {
                self.error(errors::internal(self.loc(span)));
                0
            }
        };
        Duration { amount, unit, span }
    }
}

/// Step down through levels that only wrap one child (`or_expr` without `or`, `test`
/// without a tail, ...). Each parenthesis costs pest's tree about six such levels; skipping
/// them in a loop rather than by recursion keeps lowering's stack small.
fn skip_wrappers(mut pair: Pair<'_, Rule>) -> Pair<'_, Rule> {
    while matches!(
        pair.as_rule(),
        Rule::or_expr
            | Rule::and_expr
            | Rule::not_expr
            | Rule::test
            | Rule::pattern
            | Rule::operand
            | Rule::term
    ) {
        let mut inner = pair.clone().into_inner();
        match (inner.next(), inner.next()) {
            (Some(only), None) => pair = only,
            _ => break,
        }
    }
    pair
}

/// A lowered source: its variable, its list and filter, and the depth of the deepest.
struct Source {
    var: Ident,
    list: Box<Expr>,
    filter: Option<Box<Expr>>,
    depth: usize,
}

/// `ast::Rule`, renamed here because pest's generated enum is also called `Rule`.
type Rule_ = crate::ast::Rule;
