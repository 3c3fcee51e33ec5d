//! The JSON fast path: JSON text read with jiter into the same [`Raw`] nodes (kinds, strings,
//! numbers, spans) that the YAML reader builds for the same text (JSON is YAML), several
//! times faster.
//!
//! It never reports anything: wherever its reading could differ from the YAML reader's (a
//! syntax error, a duplicate key, a lone surrogate, a character YAML treats specially, deep
//! nesting, a root that is not an object, ...) it returns `None`, and the caller reads the
//! file with the YAML reader, whose diagnostics are the ones users see. Numbers, `true`,
//! `false` and `null` are resolved from their text by the YAML reader's own
//! [`resolve_plain`], strings are double-quoted scalars (`quoted`), and every collection is
//! a flow collection spanning its brackets.
//!
//! The root object is read first ([`root`]), with each top-level array's elements only
//! located (skipped); the elements are then read one by one with [`node`], so a caller can
//! read them in parallel.

use super::{MAX_DEPTH, Raw, RawKind, resolve_plain};
use crate::source::Span;
use jiter::{Jiter, Peek};
use std::borrow::Cow;
use std::collections::HashSet;

/// Collections open deeper than this fall back to the YAML reader, well before its own
/// limit (`MAX_DEPTH`), whose diagnostic it then gives.
const MAX_JSON_DEPTH: usize = MAX_DEPTH / 2;

/// Keys longer than this fall back: YAML limits implicit keys to 1024 characters.
const MAX_KEY_LEN: usize = 1000;

/// A value of the root object.
#[derive(Debug)]
pub(crate) enum Top<'a> {
    /// An array, by the spans of its elements (read them with [`node`]).
    List(Vec<Span>),
    /// Any other value, read whole.
    Node(Raw<'a>),
}

/// Read a JSON document whose root is an object: each key with its value, in order; `None`
/// wherever the YAML reader could read the text differently (see the module doc).
pub(crate) fn root(text: &str) -> Option<Vec<(Raw<'_>, Top<'_>)>> {
    let data = text.as_bytes();
    let mut j = Jiter::new(data);
    let reader = JsonReader { text, base: 0 };
    if j.peek().ok()? != Peek::Object {
        return None;
    }
    let mut entries = Vec::new();
    let mut key = j.next_object_bytes().ok()?.map(|k| reader.range(k));
    while let Some(inner) = key {
        let k = reader.key(inner, j.current_index())?;
        let top = match j.peek().ok()? {
            Peek::Array => {
                let mut items = Vec::new();
                let mut next = j.known_array().ok()?;
                while let Some(peek) = next {
                    let start = j.current_index();
                    j.known_skip(peek).ok()?;
                    items.push(Span::new(start, j.current_index()));
                    next = j.array_step().ok()?;
                }
                Top::List(items)
            }
            peek => Top::Node(reader.build(&mut j, peek, 1)?),
        };
        entries.push((k, top));
        key = j.next_key_bytes().ok()?.map(|k| reader.range(k));
    }
    j.finish().ok()?;
    if has_duplicates(&entries) {
        return None;
    }
    Some(entries)
}

/// Read the value at `span` of `text` (an element found by [`root`]), nested in `depth`
/// collections; `None` wherever the YAML reader could read it differently.
pub(crate) fn node(text: &str, span: Span, depth: usize) -> Option<Raw<'_>> {
    let data = text.as_bytes().get(span.range())?;
    let mut j = Jiter::new(data);
    let reader = JsonReader {
        text,
        base: span.start as usize,
    };
    let peek = j.peek().ok()?;
    let raw = reader.build(&mut j, peek, depth)?;
    j.finish().ok()?;
    Some(raw)
}

/// A whole JSON document, as [`super::parse`] would read it (for tests that compare the two).
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Option<Raw<'_>> {
    node(text, Span::new(0, text.len()), 0)
}

/// A collection being read.
enum Open<'a> {
    Seq(usize, Vec<Raw<'a>>),
    Map(usize, Vec<(Raw<'a>, Raw<'a>)>, Option<Raw<'a>>),
}

/// Reads values from a jiter over `text[base..]`: jiter's indexes are relative to `base`.
struct JsonReader<'a> {
    text: &'a str,
    base: usize,
}

impl<'a> JsonReader<'a> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + start, self.base + end)
    }

    /// Where `inner` (a slice of the jiter's data, so of `text`) is in `text`.
    fn range(&self, inner: &[u8]) -> (usize, usize) {
        let start = (inner.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        (start, start.wrapping_add(inner.len()))
    }

    /// The string whose contents (between the quotes) are at `inner` in `text`.
    fn string(&self, (start, end): (usize, usize)) -> Option<Raw<'a>> {
        let raw = self.text.get(start..end)?;
        let value = if raw.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'\\') {
            // The common case, in one pass: printable ASCII without escapes.
            Cow::Borrowed(raw)
        } else if !yaml_safe(raw) {
            return None;
        } else if raw.contains('\\') {
            if has_surrogate_escape(raw) {
                return None;
            }
            let quoted = self.text.as_bytes().get(start.checked_sub(1)?..end + 1)?;
            // Escapes mean the same in both (`\/` included); only surrogates differ.
            Cow::Owned(Jiter::new(quoted).next_str().ok()?.to_string())
        } else {
            Cow::Borrowed(raw)
        };
        Some(Raw {
            span: Span::new(start - 1, end + 1),
            kind: RawKind::Str(value, true),
        })
    }

    /// A key, given its contents and the jiter's index just after its colon. A key written
    /// over more than one line (`"a"⏎:`) or longer than YAML allows falls back.
    fn key(&self, inner: (usize, usize), after_colon: usize) -> Option<Raw<'a>> {
        if inner.1.saturating_sub(inner.0) > MAX_KEY_LEN {
            return None;
        }
        let key = self.string(inner)?;
        let gap = self
            .text
            .get(key.span.end as usize..(self.base + after_colon).checked_sub(1)?)?;
        if gap.contains(['\n', '\r']) {
            return None;
        }
        Some(key)
    }

    /// Read the value that `peek` starts, inside `depth` open collections, with an explicit
    /// stack (no recursion per level).
    fn build(&self, j: &mut Jiter<'_>, peek: Peek, depth: usize) -> Option<Raw<'a>> {
        let mut stack: Vec<Open<'a>> = Vec::new();
        let mut peek = peek;
        loop {
            let start = j.current_index();
            let opens = matches!(peek, Peek::Array | Peek::Object);
            if opens && depth + stack.len() >= MAX_JSON_DEPTH {
                return None;
            }
            let mut done = match peek {
                Peek::Array => match j.known_array().ok()? {
                    Some(first) => {
                        stack.push(Open::Seq(start, Vec::new()));
                        peek = first;
                        continue;
                    }
                    None => Raw {
                        span: self.span(start, j.current_index()),
                        kind: RawKind::Seq(Vec::new()),
                    },
                },
                Peek::Object => match j.next_object_bytes().ok()?.map(|k| self.range(k)) {
                    Some(inner) => {
                        let key = self.key(inner, j.current_index())?;
                        stack.push(Open::Map(start, Vec::with_capacity(8), Some(key)));
                        peek = j.peek().ok()?;
                        continue;
                    }
                    None => Raw {
                        span: self.span(start, j.current_index()),
                        kind: RawKind::Map(Vec::new()),
                    },
                },
                Peek::String => self.string(self.range(j.known_bytes().ok()?))?,
                _ => {
                    // Numbers, `true`, `false`, `null`: plain scalars, resolved as YAML does.
                    j.known_skip(peek).ok()?;
                    let span = self.span(start, j.current_index());
                    let plain = self.text.get(span.range())?;
                    let kind = match resolve_plain(plain) {
                        Some(p) => p.into_raw(),
                        None => RawKind::Str(Cow::Borrowed(plain), false),
                    };
                    Raw { span, kind }
                }
            };
            // Attach the finished value, closing every collection it completes.
            loop {
                match stack.last_mut() {
                    None => return Some(done),
                    Some(Open::Seq(_, items)) => {
                        items.push(done);
                        if let Some(next) = j.array_step().ok()? {
                            peek = next;
                            break;
                        }
                    }
                    Some(Open::Map(_, entries, key)) => {
                        entries.push((key.take()?, done));
                        if let Some(inner) = j.next_key_bytes().ok()?.map(|k| self.range(k)) {
                            *key = Some(self.key(inner, j.current_index())?);
                            peek = j.peek().ok()?;
                            break;
                        }
                    }
                }
                let end = j.current_index();
                done = match stack.pop()? {
                    Open::Seq(start, items) => Raw {
                        span: self.span(start, end),
                        kind: RawKind::Seq(items),
                    },
                    Open::Map(start, entries, _) => {
                        if has_duplicates(&entries) {
                            return None;
                        }
                        Raw {
                            span: self.span(start, end),
                            kind: RawKind::Map(entries),
                        }
                    }
                };
            }
        }
    }
}

/// Whether two keys of a mapping (all strings here) are equal: the YAML reader reports that.
fn has_duplicates<T>(entries: &[(Raw<'_>, T)]) -> bool {
    fn key<'e, T>((k, _): &'e (Raw<'_>, T)) -> Option<&'e str> {
        match &k.kind {
            RawKind::Str(s, _) => Some(s.as_ref()),
            RawKind::Null
            | RawKind::Bool(_)
            | RawKind::Int(_)
            | RawKind::Float(_)
            | RawKind::Seq(_)
            | RawKind::Map(_) => None,
        }
    }
    if entries.len() <= 16 {
        // As the YAML reader's `dedup`: small mappings without hashing or allocating.
        return entries
            .iter()
            .enumerate()
            .any(|(j, e)| entries.iter().take(j).any(|earlier| key(earlier) == key(e)));
    }
    let mut seen: HashSet<Option<&str>> = HashSet::with_capacity(entries.len());
    entries.iter().any(|e| !seen.insert(key(e)))
}

/// Whether YAML reads every character of `s` as JSON does: printable (YAML 1.2 `c-printable`),
/// not a byte-order mark, and not one of the characters YAML 1.1 took for line breaks.
fn yaml_safe(s: &str) -> bool {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return true;
    }
    s.chars().all(|c| {
        !matches!(c,
            '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
            | '\u{fffe}' | '\u{ffff}')
    })
}

/// Whether `raw` (a string's text between its quotes) may hold a `\uD800`–`\uDFFF` escape: a
/// surrogate, paired or lone, which the two readers may decode differently.
fn has_surrogate_escape(raw: &str) -> bool {
    raw.as_bytes().windows(3).any(|w| {
        matches!(
            w,
            [b'u', b'd' | b'D', b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F']
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    /// The fast path's reading of `text`, checked against the YAML reader's: `Some` only when
    /// the YAML reader reads the text without a diagnostic into the same nodes.
    fn both(text: &str) -> Option<crate::yaml::Node> {
        let mut diags = Vec::new();
        let yaml = crate::yaml::parse(FileId(0), text, &mut diags);
        let json = parse(text)?;
        let json = json.into_node();
        assert!(
            diags.is_empty(),
            "{text:?}: the YAML reader reports {diags:?}"
        );
        assert_eq!(yaml, vec![json.clone()], "{text:?}");
        Some(json)
    }

    #[test]
    fn same_nodes_as_the_yaml_reader() {
        let fast = [
            r#"{"a": 1}"#,
            r#"{"a":1,"b":[1,2,{"c":null}]}"#,
            "{\n  \"vendors\": [\n    {\"id\": \"v1\", \"tier\": \"high\"}\n  ]\n}\n",
            "{\r\n\"a\" : [ ] ,\r\n\"b\":{ }\r\n}",
            "  {\"a\": [true, false, null]}  \n\n",
            r#"{"n": [0, -0, 1.0, 1e3, 1E-2, 12345678901234567890, -1.5e+300, 0.5, -12]}"#,
            r#"{"s": ["\n\t\"\\\/", "\u00e9", "é", "\b\f\r", "\u0041", ""]}"#,
            r#"{"dates": ["2026-01-01", "2026-13-45", "personal.contact", "~", "null", "yes", "1.0"]}"#,
            "[1]",
            "[\n-1,\n-2\n]",
            r#""just a string""#,
            "1.5",
            "{\"k\u{e9}y\": \"\u{1F600}\"}",
        ];
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": [{i}]")).collect();
        let many_keys = format!("{{{}}}", keys.join(", "));
        for text in fast.into_iter().chain([many_keys.as_str()]) {
            assert!(both(text).is_some(), "{text:?}: not read by the fast path");
        }
    }

    #[test]
    fn tabs_are_whitespace_to_both() {
        for text in ["{\t\"a\":\t1}", "{\n\t\"a\": [\n\t\t1\n\t]\n}"] {
            assert!(both(text).is_some(), "{text:?}");
        }
    }

    /// Texts the fast path leaves to the YAML reader: errors and duplicates it must report,
    /// and texts it reads differently or might (surrogates, YAML's special characters, keys
    /// split over lines, a BOM, several documents, deep nesting).
    #[test]
    fn falls_back_where_the_readers_could_differ() {
        let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
        let deep_ok = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let keys: Vec<String> = (0..20).map(|i| format!("\"k{}\": {i}", i % 19)).collect();
        let many_keys = format!("{{{}}}", keys.join(", "));
        let texts = [
            "{\"a\":\n  1,\n\"b\"\n:2}",
            r#"{"a": "\ud83d\ude00"}"#,
            r#"{"a": "\ud83d"}"#,
            r#"{"a": "\uDE00"}"#,
            "{\"a\": \"\u{2028}\"}",
            "{\"a\": \"\u{85}\"}",
            "{\"a\": \"\u{7f}\"}",
            "{\"a\": \"\u{feff}\"}",
            "\u{feff}{\"a\": 1}",
            r#"{"a": 1, "a": 2}"#,
            r#"{"a": {"b": 1, "c": 2, "b": 3}}"#,
            r#"{"a": [1,]}"#,
            r#"{"a": 1,}"#,
            r#"{"a": [1"#,
            r#"{"a": "#,
            r#"{"a": "x"#,
            r#"{"a": 1} {"b": 2}"#,
            "{\"a\": 1}\n---\n{\"b\": 2}",
            r#"{"a": NaN}"#,
            r#"{"a": 01}"#,
            r#"{"a": .5}"#,
            r#"{a: 1}"#,
            "{\"a\": 1} # comment",
            "",
            "   ",
            &deep,
            &deep_ok,
            &many_keys,
        ];
        for text in texts {
            assert!(parse(text).is_none(), "{text:.80?}: read by the fast path");
        }
    }
}
