//! Policy text → AST: the pest parser (`grammar/custody.pest`), lowering, and syntax errors
//! in plain words.
//!
//! The file is parsed one item (`let`, `export let` or `rule`) at a time. A tolerant tokenizer (`lex`)
//! finds where items start, so after an error parsing resumes at the next line that starts
//! with `rule` or `let`, and every item that parses is kept. Before pest sees an item, the
//! tokenizer rejects unterminated strings and nesting deeper than [`MAX_DEPTH`]: pest is
//! recursive descent and would overflow the stack on 20,000 `(` long before lowering could
//! count them.
//!
//! **Architecture invariant:** pest types (`Pair`, `Rule`) never leave this module.

mod errors;
pub mod fmt;
pub mod lex;
mod lower;
mod query;
pub mod template;
#[cfg(test)]
mod tests;

use crate::ast::PolicyFile;
use crate::diag::Diag;
use crate::source::{FileId, Loc, Span};
use lex::{TokKind, Token};
use pest::Parser as _;
pub use query::parse_query;
use std::num::NonZeroUsize;

/// The pest parser. Kept in its own module so the generated `Rule` enum stays private.
mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/custody.pest"]
    pub(super) struct PolicyParser;
}

use grammar::{PolicyParser, Rule};

/// Expressions nested deeper than this are an error, checked before recursion can overflow.
pub const MAX_DEPTH: usize = 256;

/// pest's budget of rule calls for one item, a backstop against pathological backtracking.
/// The grammar never re-parses a subexpression, so real items use a small fraction of it.
/// It is a process-wide setting, so it is one constant rather than a per-item size.
const CALL_LIMIT: usize = 20_000_000;

/// Stack the parser needs for the deepest item it accepts. pest spends about 8 KB of stack
/// per nesting level in a debug build (far less optimised), lowering about 3 KB; they run
/// one after the other, so 256 levels need about 2 MB. With less left than `STACK_RED_ZONE`
/// the parse moves to a fresh `STACK_SIZE` stack, so it works on any thread (rayon's and
/// the test harness's are 2 MB).
const STACK_RED_ZONE: usize = 4 << 20;
const STACK_SIZE: usize = 16 << 20;

/// Is `word` reserved (an operator or keyword that cannot be a name)?
pub fn is_reserved(word: &str) -> bool {
    lex::KEYWORDS.contains(&word)
}

/// Parse one policy file. Syntax errors go to `diags`; `None` when nothing usable was parsed.
pub fn parse_policy(file: FileId, text: &str, diags: &mut Vec<Diag>) -> Option<PolicyFile> {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SIZE, || parse_file(file, text, diags))
}

/// Format one policy file in the canonical layout, keeping its comments (`custody fmt`, see
/// [`fmt`]). A file with syntax errors is not formatted: they go to `diags`.
pub fn format_policy(
    file: FileId,
    text: &str,
    diags: &mut Vec<Diag>,
) -> Result<String, fmt::Error> {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SIZE, || {
        fmt::format_file(file, text, diags)
    })
}

fn parse_file(file: FileId, text: &str, diags: &mut Vec<Diag>) -> Option<PolicyFile> {
    pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT));
    let tokens = lex::lex(text);
    let starts = lex::item_starts(&tokens, text);
    let mut items = Vec::new();
    let first_diag = diags.len();
    // Tokens before this index belong to chunks already scanned for lexical problems.
    let mut scanned = 0;
    let mut i = 0;
    while let Some(tok) = tokens.get(i) {
        // An `export let` runs from `export` to the next item after its `let`.
        let keyword = if tok.text(text) == "export" && lex::starts_item(&tokens, i, text) {
            i + 1
        } else {
            i
        };
        let chunk_end = lex::next_item_start(&starts, keyword, tokens.len());
        if !lex::starts_item(&tokens, i, text) {
            diags.push(errors::expected_item(file, tok, text));
            i = chunk_end;
            continue;
        }
        let chunk = tokens.get(i..chunk_end).unwrap_or(&[]);
        if i >= scanned {
            scanned = chunk_end;
            let problems = lexical_problems(file, chunk, text);
            if !problems.is_empty() {
                diags.extend(problems);
                i = chunk_end;
                continue;
            }
        }
        let end = tokens.get(chunk_end).map_or(text.len(), |t| t.start);
        let ctx = errors::Context {
            file,
            text,
            tokens: chunk,
        };
        match parse_item(&ctx, tok.start, end, diags) {
            Some((item, item_end)) => {
                // Continue right after the item: another item may follow on the same line.
                let next = tokens.partition_point(|t| t.start < item_end).max(i + 1);
                let junk = tokens
                    .get(next)
                    .filter(|_| next < chunk_end && !lex::starts_item(&tokens, next, text));
                i = next;
                if let Some(junk) = junk {
                    // Something that can neither continue the item nor start the next one:
                    // reported and skipped. On the item's own line it is probably the rest
                    // of a broken expression (`let x = a and`), so the item is not kept; on
                    // a later line the item is whole and is kept, so uses of a `let` do not
                    // fail too.
                    diags.push(explain_junk(&ctx, tok, junk, end));
                    let last_end = next
                        .checked_sub(1)
                        .and_then(|k| tokens.get(k))
                        .map_or(0, |t| t.end);
                    let same_line = !text.get(last_end..junk.start).unwrap_or("").contains('\n');
                    if !same_line {
                        items.extend(item);
                    }
                    i = chunk_end;
                } else {
                    items.extend(item);
                }
            }
            // The error is reported; resume at the next item.
            None => i = chunk_end,
        }
    }
    // Every diagnostic the parser makes is an error.
    if diags.len() > first_diag && items.is_empty() {
        return None;
    }
    Some(PolicyFile { file, items })
}

/// Unterminated strings and too-deep nesting in one item's tokens. Either makes the pest
/// parse pointless (or dangerous), so the item is reported and skipped.
fn lexical_problems(file: FileId, chunk: &[Token], text: &str) -> Vec<Diag> {
    let mut out: Vec<Diag> = chunk
        .iter()
        .filter(|t| t.kind == TokKind::UnterminatedStr)
        .map(|t| errors::unterminated_string(Loc::new(file, Span::new(t.start, t.end))))
        .collect();
    if let Some(t) = lex::too_deep(chunk, text) {
        out.push(errors::too_deep(Loc::new(file, Span::new(t.start, t.end))));
    }
    out
}

/// The error for `junk` found after the item starting with `first`. After a `let`, pest
/// says which operators could have continued it; after a rule only an item can follow.
fn explain_junk(ctx: &errors::Context<'_>, first: &Token, junk: &Token, end: usize) -> Diag {
    if matches!(first.text(ctx.text), "let" | "export") {
        let src = ctx.text.get(first.start..end).unwrap_or("");
        if let Err(e) = PolicyParser::parse(Rule::let_then_end, src) {
            return errors::from_pest(&e, first.start, ctx);
        }
    }
    errors::expected_item(ctx.file, junk, ctx.text)
}

/// Parse and lower the item starting at byte `start`; `end` is where the next item's line
/// starts. Returns the item (`None` when lowering reported errors) and where it ends, or
/// `None` when pest could not parse it (the error is in `diags`).
fn parse_item(
    ctx: &errors::Context<'_>,
    start: usize,
    end: usize,
    diags: &mut Vec<Diag>,
) -> Option<(Option<crate::ast::Item>, usize)> {
    let src = ctx.text.get(start..end).unwrap_or("");
    let pairs = match PolicyParser::parse(Rule::item, src) {
        Ok(pairs) => pairs,
        Err(e) => {
            diags.push(errors::from_pest(&e, start, ctx));
            return None;
        }
    };
    // INVARIANT (grammar): `item` holds exactly one `let_item` or `rule_item`.
    let Some(inner) = pairs.into_iter().next().and_then(|p| p.into_inner().next()) else {
        diags.push(errors::internal(Loc::new(ctx.file, Span::new(start, end))));
        return None;
    };
    let item_end = start + inner.as_span().end();
    let mut lowerer = lower::Lowerer::new(ctx.file, start, diags);
    let item = lowerer.item(inner).ok().filter(|_| !lowerer.failed);
    Some((item, item_end))
}
