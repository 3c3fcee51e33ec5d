//! Message templates: a rule's `message` split into literal text and `{…}` placeholders.
//! `{v.name}` interpolates, `{{` and `}}` are literal braces. Which variable and field a
//! placeholder's path names, and whether it names one at all, is `check`'s job.

use crate::ast::{DayFn, Ident, Path, StrLit};
use crate::source::Span;

/// A message template as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// Literal text and placeholders, in order; a literal run is never empty.
    pub parts: Vec<Part>,
    /// The text has a `{` with no `}` after it; `parts` stops before that `{`.
    pub unclosed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Literal text, escapes (`{{`, `}}`) already replaced by their brace.
    Lit(String),
    Placeholder(Placeholder),
}

/// `{v.owner.name}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Placeholder {
    /// The text between the braces, trimmed.
    pub text: String,
    /// The placeholder with its braces in the source; the whole literal when the
    /// placeholder cannot be found in the literal's source text (escapes make the two differ).
    pub span: Span,
    /// `text` split at its dots, when each segment is a non-empty run of letters, digits and
    /// `_`. Segment spans count from just after the `{`. For a call (`call` is set), the
    /// argument's path, its spans where it is written.
    pub path: Option<Path>,
    /// `{days_since(PATH)}` or `{days_until(PATH)}`: the function called on `path`.
    pub call: Option<DayFn>,
}

/// Split the string literal `lit`, whose source text is `raw`, into a template.
pub fn parse(lit: &StrLit, raw: &str) -> Template {
    let mut parts = Vec::new();
    let mut text = String::new();
    let s = &lit.value;
    let mut i = 0;
    let bytes = s.as_bytes();
    while let Some(&c) = bytes.get(i) {
        if c == b'{' && bytes.get(i + 1) == Some(&b'{') {
            text.push('{');
            i += 2;
        } else if c == b'}' && bytes.get(i + 1) == Some(&b'}') {
            text.push('}');
            i += 2;
        } else if c == b'{' {
            if !text.is_empty() {
                parts.push(Part::Lit(std::mem::take(&mut text)));
            }
            let Some(close) = s[i..].find('}') else {
                return Template {
                    parts,
                    unclosed: true,
                };
            };
            let raw_inner = &s[i + 1..i + close];
            let inner = raw_inner.trim();
            let lead = raw_inner.len() - raw_inner.trim_start().len();
            // Locate the placeholder in the raw source for the label; fall back to the literal.
            let span = raw
                .find(&s[i..=i + close])
                .map(|off| {
                    Span::new(
                        lit.span.start as usize + off,
                        lit.span.start as usize + off + close + 1,
                    )
                })
                .unwrap_or(lit.span);
            let (call, path) = match day_call(inner) {
                Some((func, arg, at)) => {
                    // The argument's segments, where they are written after `{`.
                    let base = Span::new(
                        span.start as usize + lead + at,
                        span.start as usize + lead + at + arg.len(),
                    );
                    (Some(func), self::path(arg, base))
                }
                None => (None, path(inner, span)),
            };
            parts.push(Part::Placeholder(Placeholder {
                text: inner.to_owned(),
                span,
                path,
                call,
            }));
            i += close + 1;
        } else {
            let ch = s[i..].chars().next().unwrap_or(' ');
            text.push(ch);
            i += ch.len_utf8();
        }
    }
    if !text.is_empty() {
        parts.push(Part::Lit(text));
    }
    Template {
        parts,
        unclosed: false,
    }
}

/// `days_since(ARG)` / `days_until(ARG)`: the function, the argument's trimmed text and
/// its byte offset in `inner`.
fn day_call(inner: &str) -> Option<(DayFn, &str, usize)> {
    let (func, rest) = [DayFn::Since, DayFn::Until]
        .into_iter()
        .find_map(|f| inner.strip_prefix(f.as_str()).map(|rest| (f, rest)))?;
    let body = rest.strip_prefix('(')?.strip_suffix(')')?;
    let arg = body.trim();
    let at = inner.len() - 1 - body.len() + (body.len() - body.trim_start().len());
    Some((func, arg, at))
}

/// `inner` (a placeholder's trimmed text) as a dotted path, when it is one.
fn path(inner: &str, span: Span) -> Option<Path> {
    let valid = !inner.is_empty()
        && inner
            .split('.')
            .all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_alphanumeric() || c == '_'));
    if !valid {
        return None;
    }
    let mut offset = span.start as usize + 1;
    let segments = inner
        .split('.')
        .map(|seg| {
            let id = Ident {
                name: seg.to_owned(),
                span: Span::new(offset, offset + seg.len()),
            };
            offset += seg.len() + 1;
            id
        })
        .collect();
    Some(Path { segments })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template of `src`, a string literal starting at byte 10 of its file.
    fn parse_at_10(src: &str) -> Template {
        let value = src.trim_matches('"').replace("\\\"", "\"");
        let lit = StrLit {
            value,
            span: Span::new(10, 10 + src.len()),
        };
        parse(&lit, src)
    }

    fn lit(s: &str) -> Part {
        Part::Lit(s.to_owned())
    }

    #[test]
    fn placeholders_split_literal_text_and_escapes_are_braces() {
        let t = parse_at_10(r#""{{x}} owner { v.owner.name }: {v.tier}""#);
        assert!(!t.unclosed);
        let [a, Part::Placeholder(p), b, Part::Placeholder(q)] = t.parts.as_slice() else {
            panic!("{:?}", t.parts);
        };
        assert_eq!((a, b), (&lit("{x} owner "), &lit(": ")));
        assert_eq!(p.text, "v.owner.name");
        // `{` is at byte 13 of the literal's source.
        assert_eq!(p.span, Span::new(23, 23 + "{ v.owner.name }".len()));
        let names: Vec<(&str, Span)> = p
            .path
            .iter()
            .flat_map(|path| &path.segments)
            .map(|id| (id.name.as_str(), id.span))
            .collect();
        // Segment spans count from just after the `{`, as before trimming.
        assert_eq!(
            names,
            [
                ("v", Span::new(24, 25)),
                ("owner", Span::new(26, 31)),
                ("name", Span::new(32, 36))
            ]
        );
        assert_eq!(q.text, "v.tier");
        assert_eq!(q.span, Span::new(41, 49));
    }

    #[test]
    fn days_since_and_days_until_are_calls_on_a_path() {
        let t = parse_at_10(r#""{days_since(v.last_audit)} {days_until( v.contract.expires )}""#);
        let [Part::Placeholder(p), _, Part::Placeholder(q)] = t.parts.as_slice() else {
            panic!("{:?}", t.parts);
        };
        assert_eq!(p.call, Some(DayFn::Since));
        assert_eq!(p.text, "days_since(v.last_audit)");
        let segs: Vec<(&str, Span)> = p
            .path
            .iter()
            .flat_map(|path| &path.segments)
            .map(|id| (id.name.as_str(), id.span))
            .collect();
        // `{` is at byte 11; `v` follows `days_since(` (11 bytes) at byte 23.
        assert_eq!(
            segs,
            [("v", Span::new(23, 24)), ("last_audit", Span::new(25, 35))]
        );
        assert_eq!(q.call, Some(DayFn::Until));
        let names: Vec<&str> = q
            .path
            .iter()
            .flat_map(|path| &path.segments)
            .map(|id| id.name.as_str())
            .collect();
        assert_eq!(names, ["v", "contract", "expires"]);
        // Other names are not calls.
        let t = parse_at_10(r#""{days_since} {count(v.x)}""#);
        assert!(
            t.parts
                .iter()
                .all(|p| !matches!(p, Part::Placeholder(Placeholder { call: Some(_), .. })))
        );
    }

    #[test]
    fn text_that_is_not_a_dotted_path_has_no_path() {
        for src in [r#""{}""#, r#""{v..x}""#, r#""{v.a b}""#, r#""{v-x}""#] {
            let t = parse_at_10(src);
            let [Part::Placeholder(p)] = t.parts.as_slice() else {
                panic!("{src}: {:?}", t.parts);
            };
            assert_eq!(p.path, None, "{src}");
        }
    }

    #[test]
    fn a_placeholder_not_found_in_the_source_is_labelled_on_the_literal() {
        let lit = StrLit {
            value: "say \"{v.id}\"".to_owned(),
            span: Span::new(3, 20),
        };
        // Not in the raw text as written: the label falls back to the whole literal.
        let t = parse(&lit, r#""say \u0022{v\u002eid}\u0022""#);
        let [_, Part::Placeholder(p), _] = t.parts.as_slice() else {
            panic!("{:?}", t.parts);
        };
        assert_eq!(p.span, lit.span);
    }

    #[test]
    fn an_unclosed_brace_stops_the_parts() {
        let t = parse_at_10(r#""a {v.id} b { c""#);
        assert!(t.unclosed);
        assert_eq!(t.parts.len(), 3);
        assert_eq!(t.parts.last(), Some(&lit(" b ")));
    }
}
