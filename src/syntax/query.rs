//! The entry point for `custody query`: `KIND VAR [where EXPR]`, parsed with the policy
//! grammar's own rules (`query` in `grammar/custody.pest`), so a query reads exactly like a
//! rule's `for` clause and its mistakes get the same words as in a policy file.

use super::grammar::{PolicyParser, Rule};
use super::{CALL_LIMIT, STACK_RED_ZONE, STACK_SIZE, errors, lex, lexical_problems, lower};
use crate::ast::{ForClause, Ident};
use crate::diag::Diag;
use crate::diag::code::Code;
use crate::diag::codes;
use crate::source::{FileId, Loc, Span};
use pest::Parser as _;
use std::num::NonZeroUsize;

const EMPTY: &Code = &codes::query::EMPTY;
const UNEXPECTED_TOKEN: &Code = &codes::syntax::UNEXPECTED_TOKEN;
const SHAPE: &str = "a query is `KIND VAR where CONDITION`, e.g. `vendor v where v handles personal.contact.address`";

/// Parse a query's text (the whole of file `file`). Syntax errors go to `diags`; `None` when
/// the query does not parse. A leading `for` is accepted: `for vendor v where ...` is the
/// same query as `vendor v where ...`.
pub fn parse_query(file: FileId, text: &str, diags: &mut Vec<Diag>) -> Option<ForClause> {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SIZE, || parse(file, text, diags))
}

fn parse(file: FileId, text: &str, diags: &mut Vec<Diag>) -> Option<ForClause> {
    pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT));
    let tokens = lex::lex(text);
    // Unterminated strings and too-deep nesting are refused before pest can recurse.
    let problems = lexical_problems(file, &tokens, text);
    if !problems.is_empty() {
        diags.extend(problems);
        return None;
    }
    let ctx = errors::Context {
        file,
        text,
        tokens: &tokens,
    };
    let query = match PolicyParser::parse(Rule::query, text) {
        Ok(mut pairs) => pairs.next(),
        Err(e) => {
            diags.push(match (&e.variant, tokens.first()) {
                (_, None) => Diag::new(EMPTY, "the query is empty").help(SHAPE),
                // pest names the whole query when its very first token is wrong.
                (pest::error::ErrorVariant::ParsingError { positives, .. }, Some(first))
                    if positives.as_slice() == [Rule::query] =>
                {
                    let found = first.text(text);
                    Diag::new(
                        UNEXPECTED_TOKEN,
                        format!("expected an entity kind such as `vendor`, found `{found}`"),
                    )
                    .at(
                        Loc::new(file, Span::new(first.start, first.end)),
                        "expected an entity kind",
                    )
                    .help(SHAPE)
                }
                _ => errors::from_pest(&e, 0, &ctx),
            });
            return None;
        }
    };
    let whole = Loc::new(file, Span::new(0, text.len()));
    // INVARIANT (grammar): a successful parse yields one `query` pair.
    let Some(query) = query else {
        diags.push(errors::internal(whole));
        return None;
    };
    let ident = |p: &pest::iterators::Pair<'_, Rule>| Ident {
        name: p.as_str().to_owned(),
        span: Span::new(p.as_span().start(), p.as_span().end()),
    };
    let (mut kind, mut var, mut filter) = (None, None, None);
    let mut lowerer = lower::Lowerer::new(file, 0, diags);
    for p in query.into_inner() {
        match p.as_rule() {
            Rule::for_kind => kind = Some(ident(&p)),
            Rule::for_var => var = Some(ident(&p)),
            Rule::kw_for | Rule::kw_where | Rule::query_end | Rule::EOI => {}
            // The one expression after `where`; lowering reports its own errors.
            _ => filter = Some(lowerer.expr(p).ok()?.0),
        }
    }
    if lowerer.failed {
        return None;
    }
    match (kind, var) {
        (Some(kind), Some(var)) => Some(ForClause { kind, var, filter }),
        _ => {
            diags.push(errors::internal(whole));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::ExprKind;

    fn parse_ok(text: &str) -> ForClause {
        let mut diags = Vec::new();
        let q = parse_query(FileId(0), text, &mut diags);
        assert!(diags.is_empty(), "{diags:#?}");
        q.expect("parses")
    }

    fn first_error(text: &str) -> Diag {
        let mut diags = Vec::new();
        let q = parse_query(FileId(0), text, &mut diags);
        assert!(q.is_none(), "{text:?} should not parse");
        diags.into_iter().next().expect("a diagnostic")
    }

    #[test]
    fn kind_var_and_filter() {
        let q = parse_ok("vendor v where v.tier == \"critical\" and v handles personal");
        assert_eq!(q.kind.name, "vendor");
        assert_eq!(q.var.name, "v");
        assert_eq!(q.var.span, Span::new(7, 8));
        assert!(matches!(q.filter.map(|e| e.kind), Some(ExprKind::And(..))));
    }

    #[test]
    fn without_where_and_with_a_leading_for() {
        let q = parse_ok("  data_store s  ");
        assert_eq!((q.kind.name.as_str(), q.filter), ("data_store", None));
        let q = parse_ok("for vendor v where v.mfa_enforced");
        assert_eq!(q.kind.name, "vendor");
        assert!(q.filter.is_some());
    }

    #[test]
    fn junk_after_the_query_is_an_error_without_talk_of_rules() {
        let d = first_error("vendor v where v.mfa_enforced extra");
        assert_eq!(d.code, "custody::syntax::unexpected_token");
        assert!(!d.message.contains("rule"), "{}", d.message);
        let d = first_error("vendor v extra");
        assert!(!d.message.contains("rule"), "{}", d.message);
    }

    #[test]
    fn syntax_errors_use_the_policy_words() {
        assert_eq!(
            first_error("vendor").code,
            "custody::syntax::unexpected_token"
        );
        assert_eq!(
            first_error("vendor v where v.last_audit within 12 monhts").code,
            "custody::syntax::missing_unit"
        );
        assert_eq!(
            first_error("vendor v where v.name == \"x").code,
            "custody::syntax::unterminated_string"
        );
        assert_eq!(
            first_error("vendor v where v.a == b == c").code,
            "custody::syntax::chained_comparison"
        );
        assert_eq!(
            first_error("vendor v where v.last_audit > 2026-02-30").code,
            "custody::syntax::invalid_date"
        );
    }

    #[test]
    fn an_empty_query_or_a_bad_first_word() {
        assert_eq!(first_error("  ").code, "custody::query::empty");
        let d = first_error("123 v");
        assert_eq!(d.code, "custody::syntax::unexpected_token");
        assert_eq!(
            d.message,
            "expected an entity kind such as `vendor`, found `123`"
        );
        assert_eq!(d.primary.map(|l| l.loc.span), Some(Span::new(0, 3)));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("vendor v where {}v.a{}", "(".repeat(300), ")".repeat(300));
        assert_eq!(first_error(&text).code, "custody::syntax::too_deep");
    }
}
