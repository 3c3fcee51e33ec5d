//! Syntax errors in plain words: every diagnostic the parser produces is built here, and
//! pest's errors are translated here so that its rule names never reach the user.
//!
//! A pest error is a position plus the set of rules that could have matched there. That set
//! is turned into a few [`Expect`] categories, and the message is chosen from the categories
//! and the tokens around the position (what came before, what was found), most specific
//! case first.

use super::grammar::Rule;
use super::lex::{self, TokKind, Token};
use crate::diag::code::Code;
use crate::diag::codes;
use crate::diag::{Diag, did_you_mean};
use crate::source::{FileId, Loc, Span};
use std::collections::BTreeSet;

const UNEXPECTED_TOKEN: &Code = &codes::syntax::UNEXPECTED_TOKEN;
const EXPECTED_ITEM: &Code = &codes::syntax::EXPECTED_ITEM;
const UNKNOWN_CLAUSE: &Code = &codes::syntax::UNKNOWN_CLAUSE;
const RESERVED_WORD: &Code = &codes::syntax::RESERVED_WORD;
const MISSING_UNIT: &Code = &codes::syntax::MISSING_UNIT;
const UNCLOSED: &Code = &codes::syntax::UNCLOSED_DELIMITER;
const CHAINED: &Code = &codes::syntax::CHAINED_COMPARISON;
const UNTERMINATED_STRING: &Code = &codes::syntax::UNTERMINATED_STRING;
const INVALID_ESCAPE: &Code = &codes::syntax::INVALID_ESCAPE;
const INVALID_DATE: &Code = &codes::syntax::INVALID_DATE;
const INVALID_NUMBER: &Code = &codes::syntax::INVALID_NUMBER;
const INVALID_DURATION: &Code = &codes::syntax::INVALID_DURATION;
const TOO_DEEP: &Code = &codes::syntax::TOO_DEEP;
const TOO_COMPLEX: &Code = &codes::syntax::TOO_COMPLEX;
const INTERNAL: &Code = &codes::syntax::INTERNAL;

const UNITS: &[&str] = &[
    "day", "days", "week", "weeks", "month", "months", "year", "years",
];
/// Operators as written, for did-you-mean on a word where an operator could go.
const OPERATORS: &[&str] = &[
    "and",
    "or",
    "in",
    "not in",
    "contains",
    "matches",
    "is set",
    "is missing",
    "is empty",
    "handles",
    "holds",
    "receives",
    "within",
    "older than",
    "before",
    "after",
];
const SEVERITIES: &str = "severities are `critical`, `high`, `medium`, `low` and `info`";

/// Quote user text for a message: in backticks, shortened if long.
fn quote(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("`{}…`", text.get(..cut).unwrap_or(text)),
        None => format!("`{text}`"),
    }
}

// ---------------------------------------------------------------------------------------
// Diagnostics found outside pest: by the tokenizer, the depth guard and lowering.

pub(super) fn unterminated_string(loc: Loc) -> Diag {
    Diag::new(UNTERMINATED_STRING, "unterminated string")
        .at(loc, "this string has no closing `\"`")
        .help("close it with `\"` on the same line; a string cannot span lines (write `\\n` for a line break)")
}

pub(super) fn invalid_escape(loc: Loc, c: char) -> Diag {
    let shown = if c.is_control() {
        format!("{c:?}")
    } else {
        format!("`\\{c}`")
    };
    Diag::new(INVALID_ESCAPE, format!("unknown escape {shown} in a string"))
        .at(loc, "unknown escape")
        .help(if "dDwWsSbB.".contains(c) {
            format!("to pass `\\{c}` to a regex, write `\\\\{c}`; the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`")
        } else {
            "the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`; write `\\\\` for a backslash".to_string()
        })
}

pub(super) fn too_deep(loc: Loc) -> Diag {
    Diag::new(
        TOO_DEEP,
        format!("expression is nested more than {} levels deep", super::MAX_DEPTH),
    )
    .at(loc, "the limit is crossed here")
    .help("simplify the expression or split it: move values into `let`s, and write a long `or` of comparisons as `x in [...]`")
}

pub(super) fn too_complex(loc: Loc) -> Diag {
    Diag::new(TOO_COMPLEX, "this item is too large to parse")
        .at(loc, "in this item")
        .help("split it into smaller rules or `let`s")
}

pub(super) fn internal(loc: Loc) -> Diag {
    Diag::new(INTERNAL, "custody could not read this item")
        .at(loc, "here")
        .help("this is a bug in custody; please report it with this policy text")
}

pub(super) fn invalid_number(loc: Loc, text: &str) -> Diag {
    Diag::new(
        INVALID_NUMBER,
        format!("number {} is too large", quote(text)),
    )
    .at(loc, "too large")
}

pub(super) fn invalid_duration(loc: Loc, text: &str, negative: bool) -> Diag {
    if negative {
        Diag::new(INVALID_DURATION, "a duration cannot be negative")
            .at(loc, "negative")
            .help("use a positive amount; to go back in time write `D - 3 days`")
    } else if text.contains('.') {
        Diag::new(
            INVALID_DURATION,
            format!("a duration is a whole number of units, not {}", quote(text)),
        )
        .at(loc, "not a whole number")
        .help("use a smaller unit, e.g. `18 months` instead of `1.5 years`")
    } else {
        Diag::new(
            INVALID_DURATION,
            format!("duration {} is too large", quote(text)),
        )
        .at(loc, "too large")
    }
}

/// A date token that is not `YYYY-MM-DD` (`2026-1-5`, `2026-01`).
pub(super) fn malformed_date(loc: Loc, text: &str, nums: &[i64]) -> Diag {
    let help = match nums {
        [y, m, d] if (0..=9999).contains(y) => {
            format!("write dates as `YYYY-MM-DD`, e.g. `{y:04}-{m:02}-{d:02}`")
        }
        _ => "write dates as `YYYY-MM-DD`, e.g. `2027-01-31`".to_string(),
    };
    Diag::new(INVALID_DATE, format!("{} is not a valid date", quote(text)))
        .at(loc, "not a date")
        .help(help)
}

/// A well-formed date that does not exist (`2026-02-30`).
pub(super) fn invalid_date(loc: Loc, text: &str, year: i64, month: i64) -> Diag {
    let help = if !(1..=12).contains(&month) {
        "months run from `01` to `12`".to_string()
    } else {
        // INVARIANT: a four-digit year and a month in 1..=12 always make a valid first day.
        match jiff::civil::Date::new(year as i16, month as i8, 1) {
            Ok(first) => format!(
                "{} {year} has {} days",
                first.strftime("%B"),
                first.days_in_month()
            ),
            Err(_) => "write dates as `YYYY-MM-DD`".to_string(),
        }
    };
    Diag::new(INVALID_DATE, format!("{} is not a valid date", quote(text)))
        .at(loc, "no such day")
        .help(help)
}

// ---------------------------------------------------------------------------------------
// Errors at item level, found by the driver.

/// Something other than `rule` or `let` where an item should start.
pub(super) fn expected_item(file: FileId, tok: &Token, text: &str) -> Diag {
    let found = tok.text(text);
    let loc = Loc::new(file, Span::new(tok.start, tok.end));
    if tok.kind == TokKind::Punct && found == "}" {
        return Diag::new(UNEXPECTED_TOKEN, "unexpected `}`")
            .at(loc, "this does not close anything")
            .help("remove it, or check the rule above for a `}` too many");
    }
    let help = if tok.kind == TokKind::Word && found == "export" {
        Some("`export` goes right before `let`: `export let NAME = VALUE`".to_string())
    } else if tok.kind == TokKind::Word {
        did_you_mean(found, ["rule", "let"])
            .map(|s| format!("did you mean `{s}`?"))
            .or_else(|| {
                lex::CLAUSES.contains(&found).then(|| {
                    "clauses go inside a rule's braces: `rule ID \"title\" { ... }`".to_string()
                })
            })
    } else {
        None
    };
    Diag::new(
        EXPECTED_ITEM,
        format!("expected `rule` or `let`, found {}", quote(found)),
    )
    .at(loc, "not the start of a rule or a `let`")
    .help(help.unwrap_or_else(|| {
        "a policy file holds `let NAME = VALUE` and `rule ID \"title\" { ... }` items".to_string()
    }))
}

// ---------------------------------------------------------------------------------------
// Translating pest errors.

/// What pest would have accepted at the error position, in user terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Expect {
    RuleId,
    RuleTitle,
    RuleOpen,
    SeverityWord,
    LetName,
    LetEq,
    ForKind,
    ForVar,
    QuantVar,
    QuantIn,
    QuantColon,
    IsWhat,
    Than,
    Unit,
    Field,
    CountOpen,
    /// A number: after `within`, `than`, `+`, `-` it is a duration's amount.
    Number,
    Str,
    Expr,
    /// A comparison or test operator (`==`, `in`, `within`, ...).
    TestOp,
    /// `+`/`-` with a duration.
    Arith,
    /// `and`/`or`.
    Logic,
    Where,
    Comma,
    ParenClose,
    ListClose,
    Clause,
    RuleClose,
    /// The next `rule` or `let`, or the end of the file.
    Item,
}

fn expect_of(rule: Rule) -> Option<Expect> {
    use Expect as E;
    use Rule as R;
    Some(match rule {
        R::rule_id => E::RuleId,
        R::rule_title => E::RuleTitle,
        R::rule_open => E::RuleOpen,
        R::rule_close => E::RuleClose,
        R::severity_word => E::SeverityWord,
        R::let_name => E::LetName,
        R::let_eq => E::LetEq,
        R::for_kind => E::ForKind,
        R::for_var => E::ForVar,
        R::kw_where => E::Where,
        // A source that made no progress wanted its first name (`x in` or `KIND x`).
        R::quant_var | R::source_kind_name | R::source => E::QuantVar,
        R::quant_in => E::QuantIn,
        R::quant_colon | R::agg_colon => E::QuantColon,
        R::is_what => E::IsWhat,
        R::kw_than => E::Than,
        R::duration_unit => E::Unit,
        R::duration | R::number => E::Number,
        R::field => E::Field,
        R::count_open => E::CountOpen,
        R::string => E::Str,
        R::list_comma => E::Comma,
        R::paren_close => E::ParenClose,
        R::list_close => E::ListClose,
        R::clause
        | R::severity_clause
        | R::references_clause
        | R::tags_clause
        | R::description_clause
        | R::message_clause
        | R::remediation_clause
        | R::for_clause
        | R::require_clause
        | R::kw_severity
        | R::kw_references
        | R::kw_tags
        | R::kw_description
        | R::kw_message
        | R::kw_remediation
        | R::kw_for
        | R::kw_require => E::Clause,
        R::kw_or | R::kw_and => E::Logic,
        R::arith_op | R::mul_op | R::kw_except => E::Arith,
        R::cmp_op
        | R::compare
        | R::kw_in
        | R::in_test
        | R::kw_not
        | R::not_in_test
        | R::kw_contains
        | R::contains_test
        | R::kw_matches
        | R::matches_test
        | R::kw_is
        | R::is_test
        | R::kw_handles
        | R::handles_test
        | R::kw_holds
        | R::holds_test
        | R::kw_receives
        | R::receives_test
        | R::kw_within
        | R::within_test
        | R::kw_older
        | R::older_test
        | R::kw_before
        | R::before_test
        | R::kw_after
        | R::after_test => E::TestOp,
        R::or_expr
        | R::and_expr
        | R::not_expr
        | R::quantified
        | R::quantifier
        | R::test
        | R::operand
        | R::term
        | R::pattern
        | R::aggregate
        | R::agg_name
        | R::paren
        | R::list
        | R::count
        | R::kw_count
        | R::days_call
        | R::days_fn
        | R::kw_today
        | R::boolean
        | R::date
        | R::path
        | R::ident => E::Expr,
        R::EOI | R::kw_rule | R::kw_let | R::kw_export => E::Item,
        _ => return None,
    })
}

/// Missing pieces whose message needs nothing but the previous token: the category, what
/// is expected (in the message, then in the label) and the help.
const SIMPLE: &[(Expect, &str, &str, &str)] = &[
    (
        Expect::SeverityWord,
        "a severity such as `high`",
        "a severity",
        SEVERITIES,
    ),
    (
        Expect::LetName,
        "a name",
        "a name",
        "write `let NAME = VALUE`",
    ),
    (
        Expect::ForKind,
        "an entity kind such as `vendor`",
        "an entity kind",
        "write `for KIND VAR`, e.g. `for vendor v where v.tier == \"critical\"`",
    ),
    (
        Expect::QuantIn,
        "`in`",
        "`in`",
        "write `all x in LIST: CONDITION`",
    ),
    (
        Expect::Than,
        "`than`",
        "`than`",
        "write `D older than 2 years`",
    ),
    (Expect::CountOpen, "`(`", "`(`", "write `count(LIST)`"),
];

/// How a category reads in "expected …" lists.
fn describe(e: Expect) -> &'static str {
    use Expect as E;
    match e {
        E::RuleId => "a rule ID",
        E::RuleTitle => "the rule title",
        E::RuleOpen => "`{`",
        E::SeverityWord => "a severity",
        E::LetName | E::QuantVar | E::ForVar => "a name",
        E::LetEq => "`=`",
        E::ForKind => "an entity kind",
        E::QuantIn => "`in`",
        E::QuantColon => "`:`",
        E::IsWhat => "`set`, `missing` or `empty`",
        E::Than => "`than`",
        E::Unit => "a duration unit",
        E::Field => "a field name",
        E::CountOpen => "`(`",
        E::Number => "a number",
        E::Str => "a string",
        E::Expr => "an expression",
        E::TestOp | E::Arith | E::Logic => "an operator",
        E::Where => "`where`",
        E::Comma => "`,`",
        E::ParenClose => "`)`",
        E::ListClose => "`]`",
        E::Clause => "a clause",
        E::RuleClose => "`}`",
        E::Item => "the next `rule` or `let`",
    }
}

/// "a, b or c"
fn one_of(expects: &BTreeSet<Expect>) -> String {
    let mut words: Vec<&str> = Vec::new();
    for e in expects {
        let d = describe(*e);
        if !words.contains(&d) {
            words.push(d);
        }
    }
    match words.split_last() {
        None => "something else".to_string(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// What the translation needs to know about the item being parsed.
pub(super) struct Context<'a> {
    pub file: FileId,
    pub text: &'a str,
    /// The item's tokens: from its first token up to the next item start.
    pub tokens: &'a [Token],
}

/// Turn a pest error for the item in `ctx` into a diagnostic. `offset` is where the text
/// pest saw starts in the file.
pub(super) fn from_pest(err: &pest::error::Error<Rule>, offset: usize, ctx: &Context<'_>) -> Diag {
    let pos = offset
        + match err.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
    let item_loc = ctx
        .tokens
        .first()
        .map(|t| Loc::new(ctx.file, Span::new(t.start, t.end)))
        .unwrap_or(Loc::new(ctx.file, Span::new(pos, pos)));
    match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let expects: BTreeSet<Expect> =
                positives.iter().filter_map(|r| expect_of(*r)).collect();
            Translate::new(ctx, pos).diag(expects)
        }
        pest::error::ErrorVariant::CustomError { message } => {
            // pest's resource limits; the depth pre-scan should have caught deep nesting.
            if message.contains("stack") {
                too_deep(Loc::new(ctx.file, Span::new(pos, pos)))
            } else if message.contains("call limit") {
                too_complex(item_loc)
            } else {
                internal(item_loc)
            }
        }
    }
}

/// Where a label about a missing token sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// On the unexpected token found instead.
    Found,
    /// In the empty gap after the previous token.
    Gap,
    /// On the previous token (at the end of the file).
    AfterPrev,
}

/// The tokens around an error position.
struct Translate<'a> {
    file: FileId,
    text: &'a str,
    tokens: &'a [Token],
    /// Index (in `tokens`) of the token found at the error, if the item has one there.
    found: Option<usize>,
    /// Index of the last token before the error.
    prev: Option<usize>,
    pos: usize,
}

impl<'a> Translate<'a> {
    fn new(ctx: &Context<'a>, pos: usize) -> Translate<'a> {
        let first_at = ctx.tokens.partition_point(|t| t.end <= pos);
        // The error may fall inside a token (`12monhts`); that token is the one found.
        let found = (first_at < ctx.tokens.len()).then_some(first_at);
        let prev = first_at.checked_sub(1);
        Translate {
            file: ctx.file,
            text: ctx.text,
            tokens: ctx.tokens,
            found,
            prev,
            pos,
        }
    }

    fn tok(&self, i: Option<usize>) -> Option<&'a Token> {
        i.and_then(|i| self.tokens.get(i))
    }

    fn found_text(&self) -> &'a str {
        self.tok(self.found).map_or("", |t| t.text(self.text))
    }

    fn prev_text(&self) -> &'a str {
        self.tok(self.prev).map_or("", |t| t.text(self.text))
    }

    fn loc_of(&self, tok: &Token) -> Loc {
        Loc::new(self.file, Span::new(tok.start, tok.end))
    }

    /// Where a "missing X" label goes: on the found token when it is on the same line as
    /// the previous one; else just after the previous token (the next line's token is rarely
    /// what the user got wrong), or on the previous token itself at the very end of the file,
    /// where an empty label would not show.
    fn place(&self) -> (Loc, Place) {
        let found = self.tok(self.found);
        let prev = self.tok(self.prev);
        match (found, prev) {
            (Some(f), Some(p)) if !self.text.get(p.end..f.start).unwrap_or("").contains('\n') => {
                (self.loc_of(f), Place::Found)
            }
            (Some(f), None) => (self.loc_of(f), Place::Found),
            (_, Some(p)) if p.end >= self.text.len() => (self.loc_of(p), Place::AfterPrev),
            (_, Some(p)) => (Loc::new(self.file, Span::new(p.end, p.end)), Place::Gap),
            (None, None) => (
                Loc::new(self.file, Span::new(self.pos, self.pos)),
                Place::Gap,
            ),
        }
    }

    /// A label saying `short` is expected, worded for where it sits.
    fn expected_label(&self, short: &str) -> (Loc, String) {
        let (loc, place) = self.place();
        let text = match place {
            Place::Found => format!("expected {short}, found {}", quote(self.found_text())),
            Place::Gap => format!("expected {short} here"),
            Place::AfterPrev => format!("expected {short} after this"),
        };
        (loc, text)
    }

    /// "expected LONG after `P`", labelled "expected SHORT".
    fn expected(&self, code: &'static Code, long: &str, short: &str) -> Diag {
        let msg = match self.tok(self.prev) {
            Some(p) => format!("expected {long} after {}", quote(p.text(self.text))),
            None => format!("expected {long}"),
        };
        self.expected_msg(code, msg, short)
    }

    fn expected_msg(&self, code: &'static Code, msg: String, short: &str) -> Diag {
        let (loc, label) = self.expected_label(short);
        Diag::new(code, msg).at(loc, label)
    }

    fn found_is_word(&self) -> bool {
        self.tok(self.found)
            .is_some_and(|t| t.kind == TokKind::Word)
    }

    fn found_is_reserved(&self) -> bool {
        self.found_is_word() && lex::KEYWORDS.contains(&self.found_text())
    }

    /// The found token starts its own line (a new clause rather than more expression).
    fn found_starts_line(&self) -> bool {
        self.place().1 != Place::Found
    }

    /// The found token is a comparison or test operator.
    fn found_is_test_op(&self) -> bool {
        let f = self.found_text();
        match self.tok(self.found).map(|t| t.kind) {
            Some(TokKind::Punct) => matches!(f, "==" | "!=" | "<" | "<=" | ">" | ">="),
            Some(TokKind::Word) => {
                lex::TEST_WORDS.contains(&f)
                    || (f == "not"
                        && self
                            .tok(self.found.map(|i| i + 1))
                            .is_some_and(|t| t.text(self.text) == "in"))
            }
            _ => false,
        }
    }

    /// The innermost bracket `open` left unclosed before the error.
    fn unclosed(&self, open: &str) -> Option<&'a Token> {
        let end = self.found.unwrap_or(self.tokens.len());
        let mut stack: Vec<&Token> = Vec::new();
        for t in self.tokens.get(..end).unwrap_or(&[]) {
            if t.kind != TokKind::Punct {
                continue;
            }
            match t.text(self.text) {
                "(" | "[" | "{" => stack.push(t),
                ")" | "]" | "}" => {
                    stack.pop();
                }
                _ => {}
            }
        }
        stack.into_iter().rev().find(|t| t.text(self.text) == open)
    }

    fn diag(&self, expects: BTreeSet<Expect>) -> Diag {
        use Expect as E;
        let has = |e: Expect| expects.contains(&e);
        let found = self.found_text();
        let prev = self.prev_text();
        let found_kind = self.tok(self.found).map(|t| t.kind);
        let did_you_mean_help = |candidates: &[&str]| {
            did_you_mean(found, candidates.iter().copied()).map(|c| format!("did you mean `{c}`?"))
        };

        // Characters that are never right, whatever was expected.
        if let Some(d) = self.bad_character(has(E::TestOp)) {
            return d;
        }
        // After a complete `let`, a line that starts with something else is a bad item,
        // not a bad operator.
        if has(E::Item)
            && (self.found_starts_line() || expects.iter().all(|e| *e == E::Item))
            && let Some(tok) = self.tok(self.found)
        {
            return expected_item(self.file, tok, self.text);
        }
        if has(E::Unit) {
            let d = self.expected_msg(
                MISSING_UNIT,
                format!(
                    "expected a duration unit such as `months` after {}",
                    quote(prev)
                ),
                "a unit",
            );
            let near = if self.place().1 == Place::Found && self.found_is_word() {
                did_you_mean_help(UNITS)
            } else {
                None
            };
            // `d - 24 dayz`: after `+`/`-` a number followed by a word is a duration.
            let after_arith = self
                .tok(self.prev.and_then(|p| p.checked_sub(1)))
                .is_some_and(|t| {
                    t.kind == TokKind::Punct && matches!(t.text(self.text), "+" | "-")
                });
            let help = near.unwrap_or_else(|| {
                if after_arith {
                    "`+` and `-` move a date by a duration, as in `today - 30 days`, or add and subtract numbers".to_string()
                } else {
                    "the units are `days`, `weeks`, `months` and `years` (or the singular)".to_string()
                }
            });
            return d.help(help);
        }
        if has(E::Field) {
            return self
                .expected(UNEXPECTED_TOKEN, "a field name", "a field name")
                .help("a path is names joined by dots, with no spaces: `v.contract.expires`");
        }
        let wants_name = has(E::LetName) || has(E::ForKind) || has(E::ForVar) || has(E::QuantVar);
        // `for vendor where ...`, `all in l`: the name is missing, not misused.
        let structural = matches!(found, "where" | "require" | "for" | "rule" | "let")
            || (has(E::QuantVar) && found == "in");
        if wants_name && self.found_is_reserved() && !structural {
            return Diag::new(
                RESERVED_WORD,
                format!(
                    "{} is a reserved word and cannot be used as a name",
                    quote(found)
                ),
            )
            .at(self.place().0, "reserved word")
            .help(format!("choose another name, such as `{found}_`"));
        }
        if has(E::RuleId) {
            let d = self.expected(UNEXPECTED_TOKEN, "a rule ID such as `TPR-001`", "a rule ID");
            return match found_kind {
                Some(TokKind::Str) => {
                    d.help("a rule starts with its ID, then its title: `rule TPR-001 \"title\" {`")
                }
                _ => {
                    d.help("a rule ID starts with a letter, then letters, digits, `_`, `.` or `-`")
                }
            };
        }
        if has(E::RuleTitle) {
            let d = self.expected(
                UNEXPECTED_TOKEN,
                "the rule's title in double quotes",
                "a quoted title",
            );
            return match found_kind {
                Some(TokKind::Word) => d.help("put the title in double quotes: `rule TPR-001 \"Vendors are audited yearly\" {`"),
                _ => d.help("every rule has a title: `rule TPR-001 \"Vendors are audited yearly\" {`"),
            };
        }
        if let Some((_, long, short, help)) = SIMPLE.iter().find(|(e, ..)| has(*e)) {
            return self.expected(UNEXPECTED_TOKEN, long, short).help(*help);
        }
        if has(E::RuleOpen) {
            return self
                .expected_msg(
                    UNEXPECTED_TOKEN,
                    "expected `{` after the rule title".to_string(),
                    "`{`",
                )
                .help("the clauses of a rule go between `{` and `}`");
        }
        if has(E::LetEq) {
            let d = self.expected(UNEXPECTED_TOKEN, "`=`", "`=`");
            return if found == "==" {
                d.help("a `let` binds with a single `=`")
            } else {
                d.help("write `let NAME = VALUE`")
            };
        }
        if has(E::ForVar) {
            return self
                .expected(UNEXPECTED_TOKEN, "a variable name", "a variable name")
                .help(format!(
                    "name the {prev} being checked, e.g. `for {prev} v`"
                ));
        }
        if has(E::QuantVar) {
            return self
                .expected(UNEXPECTED_TOKEN, "a variable name", "a variable name")
                .help(format!("write `{prev} x in LIST: CONDITION`"));
        }
        if has(E::QuantColon) {
            return self
                .expected_msg(
                    UNEXPECTED_TOKEN,
                    "expected `:` between the quantifier's list and its condition".to_string(),
                    "`:`",
                )
                .help("write `all x in LIST: CONDITION`");
        }
        if has(E::IsWhat) {
            let d = self.expected(
                UNEXPECTED_TOKEN,
                "`set`, `missing` or `empty`",
                "`set`, `missing` or `empty`",
            );
            return match found {
                "not" => d.help(
                    "write `is missing` for \"is not set\", and `is set` for \"is not missing\"",
                ),
                "null" | "none" | "absent" | "unset" => d.help("write `is missing`"),
                _ => d.help_opt(did_you_mean_help(&["set", "missing", "empty"])),
            };
        }
        if has(E::Number) && matches!(prev, "within" | "than" | "+" | "-" | "last" | "next") {
            let d = self.expected(
                UNEXPECTED_TOKEN,
                "a duration such as `12 months`",
                "a duration",
            );
            // `within nxt 30 days`: a misspelt direction.
            if prev == "within"
                && found_kind == Some(TokKind::Word)
                && let Some(help) = did_you_mean_help(&["last", "next"])
            {
                return d.help(format!(
                    "{help} `within next 30 days` looks ahead, `within last 30 days` back"
                ));
            }
            return d.help(
                "a duration is a whole number and a unit: `days`, `weeks`, `months` or `years`",
            );
        }
        if has(E::Str) && !has(E::Expr) {
            return self.expected_string(found_kind);
        }
        if self.found_is_test_op() && !has(E::TestOp) && (has(E::Logic) || has(E::Item)) {
            return Diag::new(
                CHAINED,
                format!("comparisons do not chain: {} follows a complete comparison", quote(found)),
            )
            .at(self.place().0, "a second comparison")
            .help("join the two tests with `and` (`a < b and b < c`), or add parentheses to compare a result");
        }
        if let Some(d) = self.unclosed_bracket(&expects) {
            return d;
        }
        if has(E::Clause) {
            if self.found_is_word()
                && !self.found_is_reserved()
                && (self.found_starts_line() || !has(E::TestOp))
                && let Some(tok) = self.tok(self.found)
            {
                let help = did_you_mean_help(lex::CLAUSES).unwrap_or_else(|| {
                    "the clauses are `severity`, `references`, `tags`, `description`, `message`, `remediation`, `for` and `require`".to_string()
                });
                return Diag::new(UNKNOWN_CLAUSE, format!("unknown clause {}", quote(found)))
                    .at(self.loc_of(tok), "not a clause")
                    .help(help);
            }
            if self.found.is_none() && has(E::RuleClose) {
                return self.unclosed_rule();
            }
        }
        if has(E::Expr) {
            let d = self.expected(UNEXPECTED_TOKEN, "an expression", "an expression");
            return if matches!(found, "all" | "any" | "no") && self.place().1 == Place::Found {
                d.help(format!(
                    "a quantifier cannot be an operand; put it in parentheses: `({found} x in LIST: CONDITION)`"
                ))
            } else if self.found_is_reserved() && self.place().1 == Place::Found {
                d.help(format!(
                    "{} is a reserved word; it cannot start an expression",
                    quote(found)
                ))
            } else {
                d
            };
        }
        self.generic(&expects)
    }

    /// A `)` or `]` was possible and the text ends, a new clause starts, or the wrong closer
    /// comes: report the unclosed opener.
    fn unclosed_bracket(&self, expects: &BTreeSet<Expect>) -> Option<Diag> {
        let (open, close, what) = if expects.contains(&Expect::ParenClose) {
            ("(", ")", "parenthesis")
        } else if expects.contains(&Expect::ListClose) {
            ("[", "]", "list")
        } else {
            return None;
        };
        let found = self.tok(self.found);
        let wrong_closer = found.is_some_and(|f| {
            f.kind == TokKind::Punct && matches!(f.text(self.text), ")" | "]" | "}")
        });
        if !(found.is_none() || wrong_closer || self.found_starts_line()) {
            return None;
        }
        let opener = self.unclosed(open)?;
        let (loc, label) = self.expected_label(&format!("`{close}`"));
        Some(
            Diag::new(UNCLOSED, format!("unclosed `{open}`"))
                .at(
                    self.loc_of(opener),
                    format!("this `{open}` is never closed"),
                )
                .also(loc, label)
                .help(format!("add `{close}` where the {what} ends")),
        )
    }

    /// `“`, `&&`, `=` where they never belong.
    /// `after_operand`: an operator could have come here, so `=` was meant as `==`.
    fn bad_character(&self, after_operand: bool) -> Option<Diag> {
        let tok = self.tok(self.found)?;
        let found = tok.text(self.text);
        // An invisible character (a non-breaking space pasted from a document) would show
        // as blank backticks, so it is named by its code point.
        if tok.kind == TokKind::Other
            && let Some(c) = found.chars().next()
            && (c.is_whitespace() || c.is_control() || c == '\u{feff}' || c == '\u{200b}')
        {
            return Some(
                Diag::new(
                    UNEXPECTED_TOKEN,
                    format!("unexpected invisible character U+{:04X}", c as u32),
                )
                .at(self.loc_of(tok), "here")
                .help("replace it with a plain space, or delete it"),
            );
        }
        let help = match (tok.kind, found) {
            (TokKind::Other, "“" | "”" | "„" | "‘" | "’") => {
                "strings use straight double quotes: `\"...\"`"
            }
            (TokKind::Other, "'") => "strings use double quotes: `\"...\"`",
            (TokKind::Other, c) if c.chars().all(char::is_alphanumeric) => {
                "names use ASCII letters, digits and `_`; other characters can only appear in strings"
            }
            (TokKind::Other, ";") => {
                "no `;` is needed: clauses and items are separated by spaces or newlines"
            }
            (TokKind::Punct, "&&") => "write `and`",
            (TokKind::Punct, "||") => "write `or`",
            (TokKind::Punct, "!") => "write `not`, or `!=` for \"not equal\"",
            (TokKind::Punct, "=") if after_operand => {
                "compare with `==`; a single `=` only appears in `let`"
            }
            _ => return None,
        };
        Some(
            Diag::new(UNEXPECTED_TOKEN, format!("unexpected {}", quote(found)))
                .at(self.loc_of(tok), "not valid here")
                .help(help),
        )
    }

    fn expected_string(&self, found_kind: Option<TokKind>) -> Diag {
        let prev = self.prev_text();
        if prev == "matches" {
            return self
                .expected(
                    UNEXPECTED_TOKEN,
                    "a pattern in double quotes",
                    "a quoted pattern",
                )
                .help("the pattern is a quoted regex: `matches \"^[a-z]+$\"`");
        }
        let d = if prev == "," {
            self.expected(UNEXPECTED_TOKEN, "another string", "a string")
        } else {
            self.expected(
                UNEXPECTED_TOKEN,
                "a string in double quotes",
                "a quoted string",
            )
        };
        match found_kind {
            Some(TokKind::Word | TokKind::Number | TokKind::Date)
                if self.place().1 == Place::Found =>
            {
                d.help("put the text in double quotes: `\"...\"`")
            }
            _ if prev == "," => d.help("remove the trailing comma, or add another string after it"),
            _ => d,
        }
    }

    /// The item ended (end of file or the next `rule`) inside a rule body.
    fn unclosed_rule(&self) -> Diag {
        let id = self.tokens.get(1).map_or("", |t| t.text(self.text));
        let open = self
            .tokens
            .iter()
            .find(|t| t.kind == TokKind::Punct && t.text(self.text) == "{");
        let (loc, label) = self.expected_label("`}`");
        let mut d = Diag::new(
            UNCLOSED,
            format!("rule {} is missing its closing `}}`", quote(id)),
        )
        .at(loc, label)
        .help("add `}` after the rule's last clause");
        if let Some(open) = open {
            d = d.also(self.loc_of(open), "the rule's body opens here");
        }
        d
    }

    /// Anything else: name the token found and what could have come instead.
    fn generic(&self, expects: &BTreeSet<Expect>) -> Diag {
        let what = one_of(expects);
        match self.tok(self.found) {
            Some(f) => {
                let msg = match f.kind {
                    TokKind::Str => format!("unexpected string {}", quote(f.text(self.text))),
                    _ => format!("unexpected {}", quote(f.text(self.text))),
                };
                let near = if f.kind == TokKind::Word && expects.contains(&Expect::TestOp) {
                    did_you_mean(f.text(self.text), OPERATORS.iter().copied())
                        .map(|op| format!("did you mean `{op}`?"))
                } else {
                    None
                };
                Diag::new(UNEXPECTED_TOKEN, msg)
                    .at(self.loc_of(f), format!("expected {what}"))
                    .help_opt(near)
            }
            None => self.expected(UNEXPECTED_TOKEN, &what, &what),
        }
    }
}
