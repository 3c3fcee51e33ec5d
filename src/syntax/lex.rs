//! A tolerant tokenizer used around pest, never instead of it (and by the editor queries,
//! `ide`, on text being typed): it finds where items start
//! (for error recovery), refuses too-deep nesting before pest can recurse, catches
//! unterminated strings, and names the tokens around a syntax error.
//!
//! It never fails: any byte sequence becomes tokens, unknown characters included.

use super::MAX_DEPTH;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokKind {
    /// A name, keyword or rule ID.
    Word,
    /// Digits, possibly with `_`, a decimal part, or trailing letters (`12months`).
    Number,
    /// Digits with dashes: `2026-11-24`, or a malformed attempt like `2026-1-5`.
    Date,
    /// A string closed on its line.
    Str,
    /// A string whose closing quote is missing before the end of the line.
    UnterminatedStr,
    /// Operators and brackets.
    Punct,
    /// Any other character (a smart quote, `@`, ...).
    Other,
    /// A `#` comment, up to (not including) the end of its line. Only
    /// [`lex_with_comments`] produces these; it does not change `first_on_line`.
    Comment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokKind,
    pub start: usize,
    pub end: usize,
    /// No other token precedes it on its line.
    pub first_on_line: bool,
}

impl Token {
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Split `text` into tokens, skipping whitespace and `#` comments.
pub fn lex(text: &str) -> Vec<Token> {
    lex_all(text, false)
}

/// [`lex`], keeping `#` comments as [`TokKind::Comment`] tokens (for `custody fmt`).
pub fn lex_with_comments(text: &str) -> Vec<Token> {
    lex_all(text, true)
}

fn lex_all(text: &str, keep_comments: bool) -> Vec<Token> {
    let bytes = text.as_bytes();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let mut tokens: Vec<Token> = Vec::new();
    // Editors on some systems start files with a byte-order mark; it is not content.
    let mut i = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut first_on_line = true;
    while i < bytes.len() {
        let b = at(i);
        let start = i;
        match b {
            b'\n' => {
                first_on_line = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && at(i) != b'\n' {
                    i += 1;
                }
                if keep_comments {
                    // A CRLF line's `\r` is not part of the comment.
                    let end = if i > start && at(i - 1) == b'\r' {
                        i - 1
                    } else {
                        i
                    };
                    tokens.push(Token {
                        kind: TokKind::Comment,
                        start,
                        end,
                        first_on_line,
                    });
                }
                continue;
            }
            _ => {}
        }
        let kind = match b {
            b'"' => {
                i += 1;
                loop {
                    if i >= bytes.len() {
                        break TokKind::UnterminatedStr;
                    }
                    match at(i) {
                        b'"' => {
                            i += 1;
                            break TokKind::Str;
                        }
                        b'\n' => break TokKind::UnterminatedStr,
                        b'\\' => {
                            if i + 1 >= bytes.len() || at(i + 1) == b'\n' {
                                i += 1;
                                break TokKind::UnterminatedStr;
                            }
                            // Byte-wise scanning is safe in UTF-8: continuation bytes never
                            // equal a quote, a backslash or a newline.
                            i += 2;
                        }
                        _ => i += 1,
                    }
                }
            }
            b'0'..=b'9' => {
                while at(i).is_ascii_digit() || at(i) == b'_' {
                    i += 1;
                }
                let mut kind = TokKind::Number;
                if at(i) == b'-' && at(i + 1).is_ascii_digit() {
                    kind = TokKind::Date;
                    while at(i) == b'-' && at(i + 1).is_ascii_digit() {
                        i += 1;
                        while at(i).is_ascii_digit() {
                            i += 1;
                        }
                    }
                } else if at(i) == b'.' && at(i + 1).is_ascii_digit() {
                    i += 1;
                    while at(i).is_ascii_digit() || at(i) == b'_' {
                        i += 1;
                    }
                }
                // `12months` is one token, so an error can quote it whole.
                while is_word_char(at(i)) {
                    i += 1;
                }
                kind
            }
            _ if is_word_start(b) => {
                // A rule ID may contain `-` and `.`; it only ever follows `rule`.
                let after_rule = tokens
                    .iter()
                    .rfind(|t| t.kind != TokKind::Comment)
                    .is_some_and(|t| t.kind == TokKind::Word && t.text(text) == "rule");
                while is_word_char(at(i)) || (after_rule && matches!(at(i), b'-' | b'.')) {
                    i += 1;
                }
                TokKind::Word
            }
            _ => {
                let two = text.get(i..i + 2).unwrap_or("");
                if matches!(two, "==" | "!=" | "<=" | ">=" | "&&" | "||") {
                    i += 2;
                    TokKind::Punct
                } else if b"(){}[],:.=<>+-*/!".contains(&b) {
                    i += 1;
                    TokKind::Punct
                } else {
                    // One whole character, so a smart quote is quoted intact.
                    let len = text
                        .get(i..)
                        .and_then(|s| s.chars().next())
                        .map_or(1, char::len_utf8);
                    i += len;
                    TokKind::Other
                }
            }
        };
        // A string that runs to the end of the line stops before a `\r` of a CRLF ending.
        let mut end = i.min(bytes.len());
        if kind == TokKind::UnterminatedStr && end > start + 1 && at(end - 1) == b'\r' {
            end -= 1;
        }
        tokens.push(Token {
            kind,
            start,
            end,
            first_on_line,
        });
        first_on_line = false;
    }
    tokens
}

/// Words that are operators or prefixes, never names (docs/language.md, "Reserved words").
pub const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "set", "missing", "empty", "handles", "holds", "receives",
    "within", "older", "than", "before", "after", "today", "count", "all", "any", "no", "contains",
    "matches", "true", "false", "where", "for", "require", "rule", "let",
];

/// The clause keywords, in the order the help text lists them.
pub const CLAUSES: &[&str] = &[
    "severity",
    "references",
    "tags",
    "description",
    "message",
    "remediation",
    "for",
    "require",
];

/// Words that test their left operand (`a in b`, `d within 3 days`, ...).
pub(super) const TEST_WORDS: &[&str] = &[
    "in", "contains", "matches", "is", "handles", "holds", "receives", "within", "older", "before",
    "after",
];

/// Where recovery may resume: the indices of the tokens that are `rule`, `let` or `export`
/// followed by `let`, first on their line, in order.
pub(super) fn item_starts(tokens: &[Token], text: &str) -> Vec<usize> {
    let starts =
        |i: usize| tokens.get(i).is_some_and(|t| t.first_on_line) && starts_item(tokens, i, text);
    (0..tokens.len())
        // The `let` of an `export let` split over two lines is part of the export.
        .filter(|&i| {
            starts(i)
                && !(i > 0
                    && starts(i - 1)
                    && tokens.get(i - 1).is_some_and(|t| t.text(text) == "export"))
        })
        .collect()
}

/// Does token `i` start an item: `rule`, `let`, or `export` followed by `let`? (`export`
/// alone is a name like any other.)
pub(super) fn starts_item(tokens: &[Token], i: usize, text: &str) -> bool {
    let word = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokKind::Word)
            .map(|t| t.text(text))
    };
    match word(i) {
        Some("rule" | "let") => true,
        Some("export") => word(i + 1) == Some("let"),
        _ => false,
    }
}

/// The first of `starts` after token `i`, or `len` (the number of tokens).
pub(super) fn next_item_start(starts: &[usize], i: usize, len: usize) -> usize {
    let k = starts.partition_point(|&s| s <= i);
    starts.get(k).copied().unwrap_or(len)
}

/// Find the first token at which nesting exceeds [`MAX_DEPTH`], if any.
///
/// This runs before pest, because pest is recursive descent: 20,000 `(` would overflow the
/// stack inside pest itself. It counts what surely nests in the AST: brackets, runs of
/// `not`, and quantifiers, whose bodies extend to the end of the enclosing group. Every
/// counted level is a distinct AST level, so this never refuses an expression that lowering
/// would accept; lowering then checks the exact depth.
pub(super) fn too_deep(tokens: &[Token], text: &str) -> Option<Token> {
    /// One bracket group: `base` levels outside it, then what is open inside it.
    struct Group {
        base: usize,
        quants: usize,
        nots: usize,
    }
    let fresh = || Group {
        base: 0,
        quants: 0,
        nots: 0,
    };
    let mut groups = vec![fresh()];
    let mut prev: Option<&Token> = None;
    for (i, tok) in tokens.iter().enumerate() {
        let word = tok.text(text);
        let after_dot = prev.is_some_and(|p| p.kind == TokKind::Punct && p.text(text) == ".");
        prev = Some(tok);
        let Some(top) = groups.last_mut() else {
            // INVARIANT: the outermost group is never popped (see `)` below).
            groups.push(fresh());
            continue;
        };
        let depth = top.base + top.quants + top.nots;
        match (tok.kind, word) {
            (TokKind::Punct, "(" | "[") => {
                let base = depth + 1;
                groups.push(Group {
                    base,
                    quants: 0,
                    nots: 0,
                });
                if base > MAX_DEPTH {
                    return Some(*tok);
                }
            }
            (TokKind::Punct, ")" | "]") => {
                if groups.len() > 1 {
                    groups.pop();
                }
                if let Some(top) = groups.last_mut() {
                    top.nots = 0;
                }
            }
            (TokKind::Punct, ",") => {
                top.quants = 0;
                top.nots = 0;
            }
            // A new clause or item starts a new expression: nothing stays open across it.
            // Not `where`: it also narrows a quantifier's source, inside an expression.
            (TokKind::Word, "require" | "for" | "rule" | "let") if !after_dot => {
                groups.clear();
                groups.push(fresh());
            }
            (TokKind::Word, "not") if !after_dot => {
                // `x not in L` is an operator, not a prefix.
                let next_is_in = tokens
                    .get(i + 1)
                    .is_some_and(|n| n.kind == TokKind::Word && n.text(text) == "in");
                if next_is_in {
                    top.nots = 0;
                } else {
                    top.nots += 1;
                    if depth + 1 > MAX_DEPTH {
                        return Some(*tok);
                    }
                }
            }
            (TokKind::Word, "all" | "any" | "no") if !after_dot => {
                // The `not`s before a quantifier enclose its whole body.
                top.quants += top.nots + 1;
                top.nots = 0;
                if depth + 1 > MAX_DEPTH {
                    return Some(*tok);
                }
            }
            _ => top.nots = 0,
        }
    }
    None
}
