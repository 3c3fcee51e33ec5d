//! `custody fmt`: the canonical layout of a policy file, with every comment kept in place.
//!
//! The layout (documented for users in `docs/authoring.md`):
//! - items (`let`, `rule`) are separated by one blank line; clauses are indented two spaces,
//!   one per line, in the order written; a single blank line between clauses is kept;
//! - one space around operators and after keywords and commas, none inside brackets;
//! - `references` and `tags` stay on one line unless it would pass 100 columns, then one
//!   string per line, aligned under the first;
//! - an expression stays on its line unless it would pass 100 columns: then it breaks
//!   before each `and`/`or` of the loosest chain (and then of inner ones), continuation
//!   lines indented two more spaces; a list that does not fit puts one element per line
//!   with a trailing comma;
//! - parentheses are kept as written, numbers as written, strings re-escaped canonically
//!   (`\"`, `\\`, `\n`, `\t`), duration units singular after `1` and plural otherwise;
//! - LF line endings, no trailing spaces, one newline at the end, no byte-order mark.
//!
//! How: the file is parsed to the AST and the AST is printed, token by token in source
//! order, into a small Wadler-style document (text, breakable lines, groups, nesting) that
//! is then laid out to [`WIDTH`] columns. Comments are not in the AST: the tokenizer gives
//! them with their byte offsets, and each is emitted just before the first printed token
//! that follows it in the source, so it stays between the same two tokens. A comment that
//! ended a line after a token (a trailing comment) stays at the end of that token's line;
//! one on its own line stays on its own line, indented like the line that follows it.
//! The one exception is a comment inside an item's header (`rule ID "title" {`,
//! `let NAME =`): it moves to just after the `{` or `=`.
//!
//! [`format_file`] re-parses what it printed and refuses its own output when the rules
//! differ (ignoring spans) or a comment is missing, so a formatter bug can never change
//! what a policy means or lose a comment.

use super::lex::{self, TokKind, Token};
use crate::ast::*;
use crate::diag::Diag;
use crate::source::{FileId, Span};

/// The column limit of the layout.
pub const WIDTH: usize = 100;

/// Why a file was not formatted.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// The file has syntax errors; they have been pushed to the diagnostics.
    Syntax,
    /// The formatter's output did not survive its own check (a custody bug): what differed.
    Unsafe(&'static str),
}

/// Format one policy file. Syntax errors go to `diags` and give [`Error::Syntax`]: a file
/// that does not parse is never formatted. Runs on the caller's stack; the public entry
/// point, [`super::format_policy`], makes sure it is deep enough.
pub(super) fn format_file(
    file: FileId,
    text: &str,
    diags: &mut Vec<Diag>,
) -> Result<String, Error> {
    let before = diags.len();
    let parsed = super::parse_file(file, text, diags);
    let parsed = match parsed {
        Some(p) if diags.len() == before => p,
        _ => return Err(Error::Syntax),
    };
    let out = render(Builder::new(text).file(&parsed));

    // The safety net: the output must parse to the same rules and keep every comment.
    let mut again = Vec::new();
    let reparsed = super::parse_file(file, &out, &mut again);
    match reparsed {
        Some(r) if again.is_empty() => {
            if strip_spans(&r) != strip_spans(&parsed) {
                return Err(Error::Unsafe("the rules would change"));
            }
        }
        _ => return Err(Error::Unsafe("the output would not parse")),
    }
    if comment_texts(text) != comment_texts(&out) {
        return Err(Error::Unsafe("a comment would be lost or changed"));
    }
    Ok(out)
}

/// The text of every `#` comment in `text`, in order, without trailing whitespace.
pub fn comment_texts(text: &str) -> Vec<&str> {
    lex::lex_with_comments(text)
        .iter()
        .filter(|t| t.kind == TokKind::Comment)
        .map(|t| t.text(text).trim_end())
        .collect()
}

// ---------------------------------------------------------------------------------------
// The document

/// A layout document. `Line`s inside a `Group` are all spaces when the group fits on the
/// rest of the line, and all newlines when it does not.
#[derive(Clone, Debug)]
enum Doc {
    Text(String),
    /// A space, dropped at the start of a line.
    Space,
    /// A space when flat, a newline when broken.
    Line,
    /// Nothing when flat, a newline when broken.
    SoftLine,
    /// Always a newline.
    HardLine,
    /// Ask for a blank line before the next line (at most one; none right after `{`).
    Blank,
    /// Text only when the enclosing group is broken (a list's trailing comma).
    IfBreak(&'static str),
    Comment(Comment),
    /// Children indented this many more columns after a newline.
    Nest(usize, Vec<Doc>),
    /// Children indented from the indentation of the line they start on, not from the
    /// enclosing nesting: a bracket that opens on a continuation line closes under it.
    FromLine(Vec<Doc>),
    /// When a newline is due (after a comment), indent it at the current nesting: closing
    /// brackets go back to their opening line's indentation.
    Realign,
    Group(Vec<Doc>),
}

#[derive(Clone, Debug)]
struct Comment {
    /// Byte offset of the `#`.
    start: usize,
    text: String,
    /// A token precedes it on its line.
    trailing: bool,
    /// A blank line precedes it.
    blank_before: bool,
}

/// Whether a blank line separates `pos` from whatever precedes it (nothing at the start).
fn blank_before(text: &str, pos: usize) -> bool {
    let before = text.get(..pos).unwrap_or("");
    let trimmed = before.trim_end_matches([' ', '\t', '\r', '\n']);
    if trimmed.is_empty() || trimmed == "\u{feff}" {
        return false;
    }
    before
        .get(trimmed.len()..)
        .is_some_and(|gap| gap.matches('\n').count() >= 2)
}

/// Whether something other than blanks precedes `pos` on its line.
fn after_token(text: &str, pos: usize) -> bool {
    let before = text.get(..pos).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("");
    !line.trim_matches([' ', '\t', '\r', '\u{feff}']).is_empty()
}

/// A string literal, quoted and escaped canonically.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------
// AST → document

/// Walks the AST in source order, emitting each token with the comments that precede it.
struct Builder<'t> {
    text: &'t str,
    /// The source's tokens without comments; `cursor` is the first not yet printed.
    toks: Vec<Token>,
    cursor: usize,
    comments: Vec<Comment>,
    next_comment: usize,
    /// Inside an item's header: comments are held back until the header's end.
    held: Option<Vec<Comment>>,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Builder<'t> {
        let (comments, toks): (Vec<Token>, Vec<Token>) = lex::lex_with_comments(text)
            .into_iter()
            .partition(|t| t.kind == TokKind::Comment);
        let comments = comments
            .iter()
            .map(|t| Comment {
                start: t.start,
                text: t.text(text).trim_end().to_owned(),
                trailing: after_token(text, t.start),
                blank_before: blank_before(text, t.start),
            })
            .collect();
        Builder {
            text,
            toks,
            cursor: 0,
            comments,
            next_comment: 0,
            held: None,
        }
    }

    /// Emit the comments that start before byte `pos`.
    fn comments_before(&mut self, pos: usize, out: &mut Vec<Doc>) {
        while let Some(c) = self
            .comments
            .get(self.next_comment)
            .filter(|c| c.start < pos)
        {
            let c = c.clone();
            self.next_comment += 1;
            match &mut self.held {
                Some(held) => held.push(c),
                None => out.push(Doc::Comment(c)),
            }
        }
    }

    /// End an item's header: emit the comments held back inside it.
    fn release(&mut self, out: &mut Vec<Doc>) {
        if let Some(held) = self.held.take() {
            out.extend(held.into_iter().map(Doc::Comment));
        }
    }

    /// A token whose span is known, printed as `s`.
    fn at(&mut self, span: Span, s: impl Into<String>, out: &mut Vec<Doc>) {
        self.comments_before(span.start as usize, out);
        let end = span.end as usize;
        while self.toks.get(self.cursor).is_some_and(|t| t.start < end) {
            self.cursor += 1;
        }
        out.push(Doc::Text(s.into()));
    }

    /// [`Builder::at`], keeping a blank line the source had before the token (and its
    /// comments): clauses and items.
    fn at_keeping_blank(&mut self, span: Span, s: &str, out: &mut Vec<Doc>) {
        self.comments_before(span.start as usize, out);
        if blank_before(self.text, span.start as usize) {
            out.push(Doc::Blank);
        }
        self.at(span, s, out);
    }

    /// A keyword or operator the AST keeps no span for: the next source token. When the
    /// tokenizer split the source differently from the grammar (`2026-01-01-1 year`), the
    /// text is printed without moving: the comments wait for the next token.
    fn next(&mut self, s: &str, out: &mut Vec<Doc>) {
        match self.toks.get(self.cursor) {
            Some(t) if t.text(self.text) == s => {
                let span = Span::new(t.start, t.end);
                self.at(span, s, out);
            }
            _ => out.push(Doc::Text(s.to_owned())),
        }
    }

    /// The source token starting at byte `pos`.
    fn token_at(&self, pos: u32) -> Option<Token> {
        let i = self.toks.partition_point(|t| t.start < pos as usize);
        self.toks
            .get(i)
            .copied()
            .filter(|t| t.start == pos as usize)
    }

    /// The last source token starting before byte `end`.
    fn token_before(&self, end: u32) -> Option<Token> {
        let i = self.toks.partition_point(|t| t.start < end as usize);
        i.checked_sub(1).and_then(|i| self.toks.get(i)).copied()
    }

    fn file(mut self, pf: &PolicyFile) -> Vec<Doc> {
        let mut out = Vec::new();
        for (i, item) in pf.items.iter().enumerate() {
            if i > 0 {
                out.push(Doc::HardLine);
                out.push(Doc::Blank);
            }
            match item {
                Item::Let(l) => self.let_item(l, &mut out),
                Item::Rule(r) => self.rule(r, &mut out),
            }
        }
        self.comments_before(usize::MAX, &mut out);
        out
    }

    /// `let NAME = EXPR`, `export let NAME = EXPR`
    fn let_item(&mut self, l: &LetDecl, out: &mut Vec<Doc>) {
        match l.export {
            Some(kw) => {
                self.at_keeping_blank(kw, "export", out);
                out.push(Doc::Space);
                self.next("let", out);
            }
            None => self.at_keeping_blank(word_at(l.span.start, "let"), "let", out),
        }
        self.held = Some(Vec::new());
        out.push(Doc::Space);
        self.at(l.name.span, &l.name.name, out);
        out.push(Doc::Space);
        self.next("=", out);
        out.push(Doc::Space);
        let mut value = Vec::new();
        self.release(&mut value);
        self.expr(&l.value, &mut value);
        out.push(Doc::Nest(2, value));
    }

    /// `rule ID "title" { clauses }`
    fn rule(&mut self, r: &crate::ast::Rule, out: &mut Vec<Doc>) {
        self.at_keeping_blank(word_at(r.span.start, "rule"), "rule", out);
        self.held = Some(Vec::new());
        out.push(Doc::Space);
        self.at(r.id.span, &r.id.name, out);
        out.push(Doc::Space);
        self.at(r.title.span, quote(&r.title.value), out);
        out.push(Doc::Space);
        self.next("{", out);
        let mut body = Vec::new();
        self.release(&mut body);
        for c in &r.clauses {
            body.push(Doc::HardLine);
            self.clause(c, &mut body);
        }
        // Comments before the `}` stay inside the body.
        let close = r.span.end.saturating_sub(1);
        self.comments_before(close as usize, &mut body);
        out.push(Doc::Nest(2, body));
        out.push(Doc::HardLine);
        self.at(Span::new(close as usize, r.span.end as usize), "}", out);
    }

    fn clause(&mut self, c: &Clause, out: &mut Vec<Doc>) {
        let keyword = c.kind.keyword();
        self.at_keeping_blank(c.keyword, keyword, out);
        out.push(Doc::Space);
        match &c.kind {
            ClauseKind::Severity(w) => self.at(w.span, &w.name, out),
            ClauseKind::References(list) | ClauseKind::Tags(list) => {
                // One line, or one string per line aligned under the first.
                if let Some(first) = list.first() {
                    self.comments_before(first.span.start as usize, out);
                }
                let mut strings = Vec::new();
                for (i, s) in list.iter().enumerate() {
                    if i > 0 {
                        self.next(",", &mut strings);
                        strings.push(Doc::Line);
                    }
                    self.at(s.span, quote(&s.value), &mut strings);
                }
                out.push(Doc::Group(vec![Doc::Nest(keyword.len() + 1, strings)]));
            }
            ClauseKind::Description(s) | ClauseKind::Message(s) | ClauseKind::Remediation(s) => {
                self.at(s.span, quote(&s.value), out)
            }
            ClauseKind::For(f) => {
                self.at(f.kind.span, &f.kind.name, out);
                out.push(Doc::Space);
                self.at(f.var.span, &f.var.name, out);
                if let Some(filter) = &f.filter {
                    out.push(Doc::Space);
                    self.next("where", out);
                    out.push(Doc::Space);
                    let mut e = Vec::new();
                    self.expr(filter, &mut e);
                    out.push(Doc::Nest(2, e));
                }
            }
            ClauseKind::Require(e) => {
                let mut doc = Vec::new();
                self.expr(e, &mut doc);
                out.push(Doc::Nest(2, doc));
            }
        }
    }

    /// A quantifier's or aggregate's source: `VAR in LIST` or `KIND VAR`, then `where F`.
    fn source(&mut self, var: &Ident, list: &Expr, filter: Option<&Expr>, out: &mut Vec<Doc>) {
        if let ExprKind::Entities(kind) = &list.kind {
            self.at(kind.span, &kind.name, out);
            out.push(Doc::Space);
            self.at(var.span, &var.name, out);
        } else {
            self.at(var.span, &var.name, out);
            out.push(Doc::Space);
            self.next("in", out);
            out.push(Doc::Space);
            self.expr(list, out);
        }
        if let Some(filter) = filter {
            out.push(Doc::Space);
            self.next("where", out);
            out.push(Doc::Space);
            self.expr(filter, out);
        }
    }

    /// `lhs WORDS`: an operand and the keywords or operator after it, which have no spans.
    fn operand_then(&mut self, lhs: &Expr, words: &[&str], out: &mut Vec<Doc>) {
        self.expr(lhs, out);
        for w in words {
            out.push(Doc::Space);
            self.next(w, out);
        }
    }

    /// `lhs WORDS rhs`
    fn binary(&mut self, lhs: &Expr, words: &[&str], rhs: &Expr, out: &mut Vec<Doc>) {
        self.operand_then(lhs, words, out);
        out.push(Doc::Space);
        self.expr(rhs, out);
    }

    fn expr(&mut self, e: &Expr, out: &mut Vec<Doc>) {
        let start = e.span.start;
        // Comments before the expression go before any group it opens: inside the group
        // they would force it to break, and the layout would depend on where they were.
        self.comments_before(start as usize, out);
        match &e.kind {
            ExprKind::Or(..) | ExprKind::And(..) => self.chain(e, out),
            ExprKind::Not(inner) => {
                self.at(word_at(start, "not"), "not", out);
                out.push(Doc::Space);
                self.expr(inner, out);
            }
            ExprKind::Compare { op, lhs, rhs } => self.binary(lhs, &[op.as_str()], rhs, out),
            ExprKind::In { negated, lhs, rhs } => {
                let words: &[&str] = if *negated { &["not", "in"] } else { &["in"] };
                self.binary(lhs, words, rhs, out)
            }
            ExprKind::Contains { lhs, rhs } => self.binary(lhs, &["contains"], rhs, out),
            ExprKind::Matches { lhs, pattern } => {
                self.operand_then(lhs, &["matches"], out);
                out.push(Doc::Space);
                self.at(pattern.span, quote(&pattern.value), out);
            }
            ExprKind::Is { lhs, test } => {
                let word = match test {
                    IsTest::Set => "set",
                    IsTest::Missing => "missing",
                    IsTest::Empty => "empty",
                };
                self.operand_then(lhs, &["is", word], out);
            }
            ExprKind::Handles { subject, cats } => self.binary(subject, &["handles"], cats, out),
            ExprKind::Holds { subject, cats } => self.binary(subject, &["holds"], cats, out),
            ExprKind::Receives { subject, cats } => self.binary(subject, &["receives"], cats, out),
            ExprKind::Within {
                date,
                duration,
                dir,
            } => {
                let words: &[&str] = match dir {
                    WithinDir::Plain => &["within"],
                    WithinDir::Last => &["within", "last"],
                    WithinDir::Next => &["within", "next"],
                };
                self.operand_then(date, words, out);
                out.push(Doc::Space);
                self.duration(duration, out);
            }
            ExprKind::OlderThan { date, duration } => {
                self.operand_then(date, &["older", "than"], out);
                out.push(Doc::Space);
                self.duration(duration, out);
            }
            ExprKind::Before(lhs, rhs) => self.binary(lhs, &["before"], rhs, out),
            ExprKind::After(lhs, rhs) => self.binary(lhs, &["after"], rhs, out),
            ExprKind::Quant {
                quantifier,
                var,
                list,
                filter,
                body,
            } => {
                let q = quantifier.as_str();
                let mut g = Vec::new();
                self.at(word_at(start, q), q, &mut g);
                g.push(Doc::Space);
                self.source(var, list, filter.as_deref(), &mut g);
                self.next(":", &mut g);
                let mut b = vec![Doc::Line];
                self.expr(body, &mut b);
                g.push(Doc::FromLine(vec![Doc::Nest(2, b)]));
                out.push(Doc::Group(g));
            }
            ExprKind::Count(inner) => {
                self.at(word_at(start, "count"), "count", out);
                self.next("(", out);
                self.closed(inner, e.span, ")", out);
            }
            ExprKind::Aggregate {
                op,
                var,
                list,
                filter,
                value,
            } => {
                let name = op.as_str();
                self.at(word_at(start, name), name, out);
                self.next("(", out);
                let mut doc = Vec::new();
                self.source(var, list, filter.as_deref(), &mut doc);
                if let Some(value) = value {
                    self.next(":", &mut doc);
                    doc.push(Doc::Space);
                    self.expr(value, &mut doc);
                }
                let end = e.span.end.saturating_sub(1);
                self.comments_before(end as usize, &mut doc);
                out.push(Doc::FromLine(vec![Doc::Nest(2, doc), Doc::Realign]));
                self.at(Span::new(end as usize, e.span.end as usize), ")", out);
            }
            // Printed by `source`, as the `KIND` of `KIND VAR`.
            ExprKind::Entities(kind) => self.at(kind.span, &kind.name, out),
            ExprKind::Arith { op, lhs, rhs } => self.binary(lhs, &[op.as_str()], rhs, out),
            ExprKind::Except { cats, excluded } => self.binary(cats, &["except"], excluded, out),
            ExprKind::Days { func, date } => {
                let name = func.as_str();
                self.at(word_at(start, name), name, out);
                self.next("(", out);
                self.closed(date, e.span, ")", out);
            }
            ExprKind::DateArith { base, op, duration } => {
                let op = match op {
                    DateOp::Plus => "+",
                    DateOp::Minus => "-",
                };
                self.operand_then(base, &[op], out);
                out.push(Doc::Space);
                self.duration(duration, out);
            }
            ExprKind::Path(p) => self.at(e.span, p.dotted(), out),
            ExprKind::Today => self.at(e.span, "today", out),
            ExprKind::Bool(b) => self.at(e.span, if *b { "true" } else { "false" }, out),
            ExprKind::Number(_, text) => self.at(e.span, text.as_str(), out),
            ExprKind::Str(s) => self.at(e.span, quote(s), out),
            ExprKind::Date(d) => {
                let iso = format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
                self.at(e.span, iso, out)
            }
            ExprKind::List(items) => self.list(items, e.span, out),
            ExprKind::Paren(inner) => {
                self.at(Span::new(start as usize, start as usize + 1), "(", out);
                self.closed(inner, e.span, ")", out);
            }
        }
    }

    /// The inside of `( .. )` or `count( .. )` and its closing bracket, which ends `span`.
    fn closed(&mut self, inner: &Expr, span: Span, close: &str, out: &mut Vec<Doc>) {
        let mut doc = Vec::new();
        self.expr(inner, &mut doc);
        let end = span.end.saturating_sub(1);
        self.comments_before(end as usize, &mut doc);
        out.push(Doc::FromLine(vec![Doc::Nest(2, doc), Doc::Realign]));
        self.at(Span::new(end as usize, span.end as usize), close, out);
    }

    /// `a and b and c`: one group, breaking before each operator.
    fn chain(&mut self, e: &Expr, out: &mut Vec<Doc>) {
        let is_or = matches!(e.kind, ExprKind::Or(..));
        let op = if is_or { "or" } else { "and" };
        // The chain is left-associative: walk down its left spine.
        let mut operands = Vec::new();
        let mut cur = e;
        loop {
            match (&cur.kind, is_or) {
                (ExprKind::Or(l, r), true) | (ExprKind::And(l, r), false) => {
                    operands.push(r.as_ref());
                    cur = l;
                }
                _ => {
                    operands.push(cur);
                    break;
                }
            }
        }
        let mut g = Vec::new();
        for (i, operand) in operands.iter().rev().enumerate() {
            if i > 0 {
                g.push(Doc::Line);
                self.next(op, &mut g);
                g.push(Doc::Space);
            }
            self.expr(operand, &mut g);
        }
        out.push(Doc::Group(g));
    }

    /// `[a, b]`, or one element per line with a trailing comma when it does not fit.
    fn list(&mut self, items: &[Expr], span: Span, out: &mut Vec<Doc>) {
        let start = span.start as usize;
        let close = span.end.saturating_sub(1) as usize;
        let mut g = Vec::new();
        self.at(Span::new(start, start + 1), "[", &mut g);
        let mut inner = Vec::new();
        if !items.is_empty() {
            inner.push(Doc::SoftLine);
        }
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.next(",", &mut inner);
                inner.push(Doc::Line);
            }
            self.expr(item, &mut inner);
        }
        if !items.is_empty() {
            inner.push(Doc::IfBreak(","));
        }
        self.comments_before(close, &mut inner);
        let mut block = vec![Doc::Nest(2, inner), Doc::Realign];
        if !items.is_empty() {
            block.push(Doc::SoftLine);
        }
        g.push(Doc::FromLine(block));
        self.at(Span::new(close, close + 1), "]", &mut g);
        out.push(Doc::Group(g));
    }

    /// `12 months`: the amount as written, the unit singular after 1 and plural otherwise.
    fn duration(&mut self, d: &Duration, out: &mut Vec<Doc>) {
        match self.token_at(d.span.start) {
            Some(t) => {
                let amount = t.text(self.text).to_owned();
                self.at(Span::new(t.start, t.end), amount, out);
            }
            None => out.push(Doc::Text(d.amount.to_string())),
        }
        out.push(Doc::Space);
        let unit = d.unit.name(d.amount);
        match self.token_before(d.span.end) {
            Some(t) => self.at(Span::new(t.start, t.end), unit, out),
            None => out.push(Doc::Text(unit.to_owned())),
        }
    }
}

/// The span of keyword `word` written at byte `start`.
fn word_at(start: u32, word: &str) -> Span {
    Span::new(start as usize, start as usize + word.len())
}

// ---------------------------------------------------------------------------------------
// Document → text

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Flat,
    Break,
}

/// The output being laid out. Newlines and spaces are written lazily, so a trailing
/// comment can still join the line of the token before it, and a line never ends in a space.
struct Printer {
    lines: Vec<String>,
    /// A newline is due before the next text, indented this much.
    newline: Option<usize>,
    space: bool,
    blank: bool,
    /// Right after a `{` (or at the start): a blank line here is dropped.
    no_blank: bool,
    /// The current line ends in a comment: nothing more may join it.
    commented: bool,
}

impl Printer {
    fn at_start(&self) -> bool {
        self.lines.len() == 1 && self.lines.first().is_some_and(String::is_empty)
    }

    /// Append to the current (last) line.
    fn push(&mut self, s: &str) {
        match self.lines.last_mut() {
            Some(line) => line.push_str(s),
            None => self.lines.push(s.to_owned()),
        }
    }

    /// Whether the current line holds anything but indentation.
    fn line_has_text(&self) -> bool {
        self.lines.last().is_some_and(|l| !l.trim().is_empty())
    }

    /// The column the next text would start at.
    fn column(&self) -> usize {
        match self.newline {
            Some(indent) => indent,
            None => {
                let len = self.lines.last().map_or(0, |l| l.chars().count());
                len + usize::from(self.space && len > 0)
            }
        }
    }

    /// Start the due newline, with the blank line asked for.
    fn flush_newline(&mut self) {
        if let Some(indent) = self.newline.take() {
            let last_blank = self.lines.last().is_some_and(|l| l.trim().is_empty());
            if self.blank && !self.no_blank && !last_blank {
                self.lines.push(String::new());
            }
            self.lines.push(" ".repeat(indent));
            self.space = false;
            self.commented = false;
        }
        self.blank = false;
    }

    fn text(&mut self, s: &str) {
        self.flush_newline();
        if std::mem::take(&mut self.space) && self.line_has_text() {
            self.push(" ");
        }
        self.push(s);
        self.no_blank = s == "{";
    }

    fn newline(&mut self, indent: usize) {
        if !self.at_start() {
            self.newline = Some(indent);
            self.space = false;
        }
    }

    fn comment(&mut self, c: &Comment, indent: usize) {
        if c.trailing && !self.at_start() && !self.commented {
            // At the end of the line of the token before it, whatever comes next.
            if let Some(line) = self.lines.last_mut() {
                let kept = line.trim_end().len();
                line.truncate(kept);
            }
            self.push(" ");
            self.push(&c.text);
            self.commented = true;
            self.space = false;
            self.newline.get_or_insert(indent);
            return;
        }
        // On its own line, indented like the line that follows it.
        let indent = self.newline.unwrap_or(indent);
        if !self.at_start() {
            self.newline = Some(indent);
        }
        self.blank |= c.blank_before;
        self.flush_newline();
        self.push(&c.text);
        self.commented = true;
        self.no_blank = false;
        self.newline(indent);
    }

    /// The indentation of the line the next text goes on.
    fn line_indent(&self) -> usize {
        match self.newline {
            Some(indent) => indent,
            None => self
                .lines
                .last()
                .map_or(0, |l| l.len() - l.trim_start_matches(' ').len()),
        }
    }

    fn finish(self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        let trimmed = out.trim_end_matches('\n').len();
        out.truncate(trimmed);
        if !out.is_empty() {
            out.push('\n');
        }
        out
    }
}

/// Lay the document out to [`WIDTH`] columns.
fn render(doc: Vec<Doc>) -> String {
    let mut p = Printer {
        lines: vec![String::new()],
        newline: None,
        space: false,
        blank: false,
        no_blank: true,
        commented: false,
    };
    let mut stack: Vec<(usize, Mode, &Doc)> =
        doc.iter().rev().map(|d| (0, Mode::Break, d)).collect();
    while let Some((indent, mode, d)) = stack.pop() {
        match d {
            Doc::Text(s) => p.text(s),
            Doc::Space => p.space = true,
            Doc::Line if mode == Mode::Flat => p.space = true,
            Doc::Line | Doc::HardLine => p.newline(indent),
            Doc::SoftLine => {
                if mode == Mode::Break {
                    p.newline(indent)
                }
            }
            Doc::Blank => p.blank = true,
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    p.text(s)
                }
            }
            Doc::Comment(c) => p.comment(c, indent),
            Doc::Realign => {
                if p.newline.is_some() {
                    p.newline = Some(indent);
                }
            }
            Doc::FromLine(children) => {
                let base = p.line_indent();
                stack.extend(children.iter().rev().map(|c| (base, mode, c)));
            }
            Doc::Nest(n, children) => {
                stack.extend(children.iter().rev().map(|c| (indent + n, mode, c)));
            }
            Doc::Group(children) => {
                let room = WIDTH as isize - p.column() as isize;
                let flat = mode == Mode::Flat || fits(children, &stack, room);
                let mode = if flat { Mode::Flat } else { Mode::Break };
                stack.extend(children.iter().rev().map(|c| (indent, mode, c)));
            }
        }
    }
    p.finish()
}

/// Whether `group`, laid out flat, and what follows it up to the next possible line break
/// fit in `room` columns. A comment or a hard line inside the group never fits flat.
fn fits(group: &[Doc], rest: &[(usize, Mode, &Doc)], mut room: isize) -> bool {
    let mut stack: Vec<(Mode, &Doc)> = group.iter().rev().map(|d| (Mode::Flat, d)).collect();
    let mut rest = rest.iter().rev();
    loop {
        if room < 0 {
            return false;
        }
        let (mode, d) = match stack.pop() {
            Some(x) => x,
            None => match rest.next() {
                Some(&(_, mode, d)) => (mode, d),
                None => return true,
            },
        };
        match d {
            Doc::Text(s) => room -= s.chars().count() as isize,
            Doc::Space => room -= 1,
            Doc::Line | Doc::SoftLine if mode == Mode::Break => return true,
            Doc::Line => room -= 1,
            Doc::SoftLine | Doc::Blank | Doc::Realign => {}
            Doc::HardLine | Doc::Comment(_) => return mode == Mode::Break,
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    room -= s.len() as isize
                }
            }
            Doc::Nest(_, children) | Doc::FromLine(children) | Doc::Group(children) => {
                stack.extend(children.iter().rev().map(|c| (mode, c)));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Comparing ASTs

/// A copy of `pf` with every span zeroed, so two parses of differently laid out text
/// compare equal exactly when they mean the same rules.
pub fn strip_spans(pf: &PolicyFile) -> PolicyFile {
    let mut pf = pf.clone();
    for item in &mut pf.items {
        match item {
            Item::Let(l) => {
                l.span = Span::default();
                l.export = l.export.map(|_| Span::default());
                l.name.span = Span::default();
                strip_expr(&mut l.value);
            }
            Item::Rule(r) => {
                r.span = Span::default();
                r.id.span = Span::default();
                r.title.span = Span::default();
                for c in &mut r.clauses {
                    strip_clause(c);
                }
            }
        }
    }
    pf
}

fn strip_clause(c: &mut Clause) {
    c.span = Span::default();
    c.keyword = Span::default();
    match &mut c.kind {
        ClauseKind::Severity(w) => w.span = Span::default(),
        ClauseKind::References(list) | ClauseKind::Tags(list) => {
            for s in list {
                s.span = Span::default();
            }
        }
        ClauseKind::Description(s) | ClauseKind::Message(s) | ClauseKind::Remediation(s) => {
            s.span = Span::default()
        }
        ClauseKind::For(f) => {
            f.kind.span = Span::default();
            f.var.span = Span::default();
            if let Some(e) = &mut f.filter {
                strip_expr(e);
            }
        }
        ClauseKind::Require(e) => strip_expr(e),
    }
}

fn strip_expr(e: &mut Expr) {
    e.span = Span::default();
    match &mut e.kind {
        ExprKind::Or(a, b)
        | ExprKind::And(a, b)
        | ExprKind::Before(a, b)
        | ExprKind::After(a, b)
        | ExprKind::Compare { lhs: a, rhs: b, .. }
        | ExprKind::In { lhs: a, rhs: b, .. }
        | ExprKind::Contains { lhs: a, rhs: b }
        | ExprKind::Handles {
            subject: a,
            cats: b,
        }
        | ExprKind::Holds {
            subject: a,
            cats: b,
        }
        | ExprKind::Receives {
            subject: a,
            cats: b,
        } => {
            strip_expr(a);
            strip_expr(b);
        }
        ExprKind::Not(a)
        | ExprKind::Count(a)
        | ExprKind::Days { date: a, .. }
        | ExprKind::Paren(a)
        | ExprKind::Is { lhs: a, .. } => strip_expr(a),
        ExprKind::Matches { lhs, pattern } => {
            strip_expr(lhs);
            pattern.span = Span::default();
        }
        ExprKind::Within { date, duration, .. } | ExprKind::OlderThan { date, duration } => {
            strip_expr(date);
            duration.span = Span::default();
        }
        ExprKind::DateArith { base, duration, .. } => {
            strip_expr(base);
            duration.span = Span::default();
        }
        ExprKind::Quant {
            var,
            list,
            filter,
            body,
            ..
        } => {
            var.span = Span::default();
            strip_expr(list);
            if let Some(f) = filter {
                strip_expr(f);
            }
            strip_expr(body);
        }
        ExprKind::Aggregate {
            var,
            list,
            filter,
            value,
            ..
        } => {
            var.span = Span::default();
            strip_expr(list);
            for x in [filter, value].into_iter().flatten() {
                strip_expr(x);
            }
        }
        ExprKind::Entities(kind) => kind.span = Span::default(),
        ExprKind::Arith { lhs: a, rhs: b, .. }
        | ExprKind::Except {
            cats: a,
            excluded: b,
        } => {
            strip_expr(a);
            strip_expr(b);
        }
        ExprKind::Path(p) => {
            for s in &mut p.segments {
                s.span = Span::default();
            }
        }
        ExprKind::List(items) => {
            for i in items {
                strip_expr(i);
            }
        }
        ExprKind::Today
        | ExprKind::Bool(_)
        | ExprKind::Number(..)
        | ExprKind::Str(_)
        | ExprKind::Date(_) => {}
    }
}
