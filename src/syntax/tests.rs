//! Tests for the policy parser: AST shapes, precedence, literals, spans, recovery, the
//! depth guard, snapshots of what users see for realistic mistakes, and "never panics".

use super::*;
use crate::ast::*;
use crate::source::SourceMap;

/// Parse `text` as a file; return the result, the diagnostics and their rendering.
fn parse(text: &str) -> (Option<PolicyFile>, Vec<Diag>, String) {
    let mut sources = SourceMap::new();
    let file = sources.add("test.policy", text);
    let mut diags = Vec::new();
    let parsed = parse_policy(file, text, &mut diags);
    let rendered = crate::diag::render_plain(&diags, &sources);
    (parsed, diags, rendered)
}

/// Parse a file that must have no errors.
fn parse_ok(text: &str) -> PolicyFile {
    let (parsed, diags, rendered) = parse(text);
    assert!(
        diags.is_empty(),
        "unexpected errors for {text:?}:\n{rendered}"
    );
    match parsed {
        Some(p) => p,
        None => panic!("no file for {text:?}"),
    }
}

/// The codes of the errors `text` produces.
fn codes(text: &str) -> Vec<&'static str> {
    parse(text).1.iter().map(|d| d.code).collect()
}

fn rules(file: &PolicyFile) -> Vec<&crate::ast::Rule> {
    file.items
        .iter()
        .filter_map(|i| match i {
            Item::Rule(r) => Some(r),
            Item::Let(_) => None,
        })
        .collect()
}

/// The value of `let x = SRC`, as an S-expression (see [`sexp`]).
fn expr(src: &str) -> String {
    let file = parse_ok(&format!("let x = {src}"));
    match file.items.as_slice() {
        [Item::Let(l)] => sexp(&l.value),
        other => panic!("expected one let, got {other:?}"),
    }
}

/// Each source expression parses to its S-expression.
fn assert_exprs(cases: &[(&str, &str)]) {
    for (src, want) in cases {
        assert_eq!(expr(src), *want, "{src}");
    }
}

/// The codes of the errors in `let x = SRC`.
fn expr_err(src: &str) -> Vec<&'static str> {
    codes(&format!("let x = {src}"))
}

fn dur(d: &Duration) -> String {
    format!("{}{}", d.amount, d.unit.name(d.amount))
}

/// A compact, readable form of an expression: `(and (not (== a b)) c)`.
fn sexp(e: &Expr) -> String {
    use ExprKind as K;
    match &e.kind {
        K::Or(a, b) => format!("(or {} {})", sexp(a), sexp(b)),
        K::And(a, b) => format!("(and {} {})", sexp(a), sexp(b)),
        K::Not(a) => format!("(not {})", sexp(a)),
        K::Compare { op, lhs, rhs } => format!("({} {} {})", op.as_str(), sexp(lhs), sexp(rhs)),
        K::In { negated, lhs, rhs } => {
            let op = if *negated { "not-in" } else { "in" };
            format!("({op} {} {})", sexp(lhs), sexp(rhs))
        }
        K::Contains { lhs, rhs } => format!("(contains {} {})", sexp(lhs), sexp(rhs)),
        K::Matches { lhs, pattern } => format!("(matches {} {:?})", sexp(lhs), pattern.value),
        K::Is { lhs, test } => format!("(is-{test:?} {})", sexp(lhs)).to_lowercase(),
        K::Handles { subject, cats } => format!("(handles {} {})", sexp(subject), sexp(cats)),
        K::Holds { subject, cats } => format!("(holds {} {})", sexp(subject), sexp(cats)),
        K::Receives { subject, cats } => {
            format!("(receives {} {})", sexp(subject), sexp(cats))
        }
        K::Within {
            date,
            duration,
            dir,
        } => {
            let word = match dir {
                WithinDir::Plain => "within",
                WithinDir::Last => "within-last",
                WithinDir::Next => "within-next",
            };
            format!("({word} {} {})", sexp(date), dur(duration))
        }
        K::Days { func, date } => format!("({} {})", func.as_str(), sexp(date)),
        K::OlderThan { date, duration } => {
            format!("(older-than {} {})", sexp(date), dur(duration))
        }
        K::Before(a, b) => format!("(before {} {})", sexp(a), sexp(b)),
        K::After(a, b) => format!("(after {} {})", sexp(a), sexp(b)),
        K::Quant {
            quantifier,
            var,
            list,
            filter,
            body,
        } => match filter {
            None => format!(
                "({} {} {} {})",
                quantifier.as_str(),
                var.name,
                sexp(list),
                sexp(body)
            ),
            Some(f) => format!(
                "({} {} {} (where {}) {})",
                quantifier.as_str(),
                var.name,
                sexp(list),
                sexp(f),
                sexp(body)
            ),
        },
        K::Count(a) => format!("(count {})", sexp(a)),
        K::Aggregate {
            op,
            var,
            list,
            filter,
            value,
        } => {
            let mut out = format!("({} {} {}", op.as_str(), var.name, sexp(list));
            if let Some(f) = filter {
                out += &format!(" (where {})", sexp(f));
            }
            if let Some(v) = value {
                out += &format!(" {}", sexp(v));
            }
            out + ")"
        }
        K::Entities(k) => format!("(every {})", k.name),
        K::Arith { op, lhs, rhs } => format!("({} {} {})", op.as_str(), sexp(lhs), sexp(rhs)),
        K::Except { cats, excluded } => format!("(except {} {})", sexp(cats), sexp(excluded)),
        K::DateArith { base, op, duration } => {
            let op = match op {
                DateOp::Plus => "+",
                DateOp::Minus => "-",
            };
            format!("({op} {} {})", sexp(base), dur(duration))
        }
        K::Path(p) => p.dotted(),
        K::Today => "today".to_string(),
        K::Bool(b) => b.to_string(),
        K::Number(_, text) => text.clone(),
        K::Str(s) => format!("{s:?}"),
        K::Date(d) => format!("date:{d}"),
        K::List(items) => {
            let items: Vec<String> = items.iter().map(sexp).collect();
            format!("[{}]", items.join(" "))
        }
        K::Paren(a) => format!("(paren {})", sexp(a)),
    }
}

const README_EXAMPLE: &str = r#"let address = personal.contact.address

rule TPR-001 "Vendors handling addresses require an annual audit" {
  severity high
  references "APP 11.1", "ISO/IEC 27001:2022 A.5.22"
  for vendor v where v handles address
  require v.last_audit within 12 months
  message "{v.name} handles customer addresses; last audit {v.last_audit}"
  remediation "Commission an independent security audit and record its date in last_audit."
}

rule TPR-002 "Stores holding loyalty data are encrypted at rest" {
  severity critical
  for data_store s where s holds personal.loyalty
  require s.encrypted_at_rest
}

rule TPR-003 "Fourth parties of critical vendors were audited within two years" {
  severity medium
  for vendor v where v.tier == "critical"
  require all p in v.supply_chain: p.last_audit within 24 months
}
"#;

/// A readable summary of a clause.
fn clause(c: &Clause) -> String {
    fn strs(v: &[StrLit]) -> String {
        let v: Vec<String> = v.iter().map(|s| format!("{:?}", s.value)).collect();
        v.join(", ")
    }
    match &c.kind {
        ClauseKind::Severity(w) => format!("severity {}", w.name),
        ClauseKind::References(v) => format!("references {}", strs(v)),
        ClauseKind::Tags(v) => format!("tags {}", strs(v)),
        ClauseKind::Description(s) => format!("description {:?}", s.value),
        ClauseKind::Message(s) => format!("message {:?}", s.value),
        ClauseKind::Remediation(s) => format!("remediation {:?}", s.value),
        ClauseKind::For(f) => match &f.filter {
            Some(e) => format!("for {} {} where {}", f.kind.name, f.var.name, sexp(e)),
            None => format!("for {} {}", f.kind.name, f.var.name),
        },
        ClauseKind::Require(e) => format!("require {}", sexp(e)),
    }
}

// ---------------------------------------------------------------------------------------
// The README's example policy (the airline's TPR-001 to TPR-003)

#[test]
fn spec_example_parses_into_the_expected_shape() {
    let file = parse_ok(README_EXAMPLE);
    assert_eq!(file.items.len(), 4);
    let Some(Item::Let(address)) = file.items.first() else {
        panic!("first item is not a let");
    };
    assert_eq!(address.name.name, "address");
    assert_eq!(sexp(&address.value), "personal.contact.address");

    let rules = rules(&file);
    let shapes: Vec<(String, String, Vec<String>)> = rules
        .iter()
        .map(|r| {
            (
                r.id.name.clone(),
                r.title.value.clone(),
                r.clauses.iter().map(clause).collect(),
            )
        })
        .collect();
    assert_eq!(
        shapes,
        vec![
            (
                "TPR-001".to_string(),
                "Vendors handling addresses require an annual audit".to_string(),
                vec![
                    "severity high".to_string(),
                    r#"references "APP 11.1", "ISO/IEC 27001:2022 A.5.22""#.to_string(),
                    "for vendor v where (handles v address)".to_string(),
                    "require (within v.last_audit 12months)".to_string(),
                    r#"message "{v.name} handles customer addresses; last audit {v.last_audit}""#
                        .to_string(),
                    r#"remediation "Commission an independent security audit and record its date in last_audit.""#
                        .to_string(),
                ]
            ),
            (
                "TPR-002".to_string(),
                "Stores holding loyalty data are encrypted at rest".to_string(),
                vec![
                    "severity critical".to_string(),
                    "for data_store s where (holds s personal.loyalty)".to_string(),
                    "require s.encrypted_at_rest".to_string(),
                ]
            ),
            (
                "TPR-003".to_string(),
                "Fourth parties of critical vendors were audited within two years".to_string(),
                vec![
                    "severity medium".to_string(),
                    r#"for vendor v where (== v.tier "critical")"#.to_string(),
                    "require (all p v.supply_chain (within p.last_audit 24months))".to_string(),
                ]
            ),
        ]
    );
}

#[test]
fn spans_point_at_what_was_written() {
    let file = parse_ok(README_EXAMPLE);
    let text = README_EXAMPLE;
    let at = |span: Span| text.get(span.range()).unwrap_or("<out of range>");
    let rules = rules(&file);
    let r = rules[0];
    assert!(at(r.span).starts_with("rule TPR-001 \"Vendors"));
    assert!(at(r.span).ends_with("last_audit.\"\n}"));
    assert_eq!(at(r.id.span), "TPR-001");
    assert_eq!(
        at(r.title.span),
        "\"Vendors handling addresses require an annual audit\""
    );
    let c = &r.clauses[2];
    assert_eq!(at(c.keyword), "for");
    assert_eq!(at(c.span), "for vendor v where v handles address");
    let ClauseKind::For(f) = &c.kind else {
        panic!("not a for clause")
    };
    assert_eq!(at(f.kind.span), "vendor");
    assert_eq!(at(f.var.span), "v");
    let Some(filter) = &f.filter else {
        panic!("no filter")
    };
    assert_eq!(at(filter.span), "v handles address");
    let require = &r.clauses[3];
    assert_eq!(at(require.keyword), "require");
    let ClauseKind::Require(e) = &require.kind else {
        panic!("not a require")
    };
    assert_eq!(at(e.span), "v.last_audit within 12 months");
    let ExprKind::Within { date, duration, .. } = &e.kind else {
        panic!("not within")
    };
    assert_eq!(at(date.span), "v.last_audit");
    assert_eq!(at(duration.span), "12 months");
    let ExprKind::Path(p) = &date.kind else {
        panic!("not a path")
    };
    let segs: Vec<&str> = p.segments.iter().map(|s| at(s.span)).collect();
    assert_eq!(segs, ["v", "last_audit"]);

    let ClauseKind::References(refs) = &r.clauses[1].kind else {
        panic!("not references")
    };
    assert_eq!(at(refs[1].span), "\"ISO/IEC 27001:2022 A.5.22\"");

    let quant = rules[2].clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Require(e) => Some(e),
        _ => None,
    });
    let Some(quant) = quant else {
        panic!("no require")
    };
    assert_eq!(
        at(quant.span),
        "all p in v.supply_chain: p.last_audit within 24 months"
    );
}

#[test]
fn expression_spans_cover_the_whole_expression() {
    let text = "let x = not (a or b) and today - 1 year > c";
    let file = parse_ok(text);
    let Some(Item::Let(l)) = file.items.first() else {
        panic!("no let")
    };
    let at = |span: Span| text.get(span.range()).unwrap_or("");
    assert_eq!(at(l.span), "let x = not (a or b) and today - 1 year > c");
    assert_eq!(at(l.value.span), "not (a or b) and today - 1 year > c");
    let ExprKind::And(lhs, rhs) = &l.value.kind else {
        panic!("not and")
    };
    assert_eq!(at(lhs.span), "not (a or b)");
    assert_eq!(at(rhs.span), "today - 1 year > c");
    let ExprKind::Not(paren) = &lhs.kind else {
        panic!("not not")
    };
    assert_eq!(at(paren.span), "(a or b)");
    let ExprKind::Compare { lhs: arith, .. } = &rhs.kind else {
        panic!("not a comparison")
    };
    assert_eq!(at(arith.span), "today - 1 year");
}

// ---------------------------------------------------------------------------------------
// Precedence and every expression form

#[test]
fn precedence_loosest_first_or_and_not_then_tests() {
    assert_exprs(&[
        ("not a == b", "(not (== a b))"),
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("not a and b", "(and (not a) b)"),
        ("not not a", "(not (not a))"),
        ("a or b or c", "(or (or a b) c)"),
        ("a and b and c", "(and (and a b) c)"),
        ("not (a or b)", "(not (paren (or a b)))"),
        (
            "a == 1 or not b in [1, 2] and c",
            "(or (== a 1) (and (not (in b [1 2])) c))",
        ),
    ]);
}

#[test]
fn quantifier_body_extends_to_the_end_of_the_expression() {
    assert_exprs(&[
        (
            "all p in v.supply_chain: p.a and p.b",
            "(all p v.supply_chain (and p.a p.b))",
        ),
        (
            "x and all p in l: p.a or p.b",
            "(and x (all p l (or p.a p.b)))",
        ),
        ("(all p in l: p.a) and q", "(and (paren (all p l p.a)) q)"),
        ("not any p in l: p.a", "(not (any p l p.a))"),
        ("no p in l: all q in p.x: q.y", "(no p l (all q p.x q.y))"),
        ("[all p in l: p.a, b]", "[(all p l p.a) b]"),
        (
            "count(any s in v.accesses: s.records > 1_000)",
            "(count (any s v.accesses (> s.records 1_000)))",
        ),
    ]);
}

#[test]
fn every_comparison_and_test() {
    assert_exprs(&[
        ("a == b", "(== a b)"),
        ("a != \"x\"", "(!= a \"x\")"),
        ("a < 1", "(< a 1)"),
        ("a <= 1", "(<= a 1)"),
        ("a > 1", "(> a 1)"),
        ("a >= 1", "(>= a 1)"),
        (
            "v.country in [\"AU\", \"NZ\"]",
            "(in v.country [\"AU\" \"NZ\"])",
        ),
        ("v.country not in allowed", "(not-in v.country allowed)"),
        ("not v.x not in l", "(not (not-in v.x l))"),
        (
            "v.certifications contains \"soc2\"",
            "(contains v.certifications \"soc2\")",
        ),
        (
            "v.name matches \"^[a-z]+$\"",
            "(matches v.name \"^[a-z]+$\")",
        ),
        ("v.offboarded is set", "(is-set v.offboarded)"),
        ("v.offboarded is missing", "(is-missing v.offboarded)"),
        ("v.handles is empty", "(is-empty v.handles)"),
        ("v handles personal.contact", "(handles v personal.contact)"),
        (
            "v handles [personal.health, personal.biometric]",
            "(handles v [personal.health personal.biometric])",
        ),
        ("s holds address", "(holds s address)"),
        ("p receives personal", "(receives p personal)"),
        (
            "p receives personal except personal.health",
            "(receives p (except personal personal.health))",
        ),
        ("v.last_audit within 1 year", "(within v.last_audit 1year)"),
        (
            "v.last_audit older than 2 years",
            "(older-than v.last_audit 2years)",
        ),
        (
            "v.contract.expires before today",
            "(before v.contract.expires today)",
        ),
        (
            "v.contract.expires after 2027-01-01",
            "(after v.contract.expires date:2027-01-01)",
        ),
        (
            "count(v.subprocessors) > 3",
            "(> (count v.subprocessors) 3)",
        ),
        (
            "any s in v.accesses: s.records >= 1_000_000",
            "(any s v.accesses (>= s.records 1_000_000))",
        ),
    ]);
}

#[test]
fn date_arithmetic_chains_left_to_right_wherever_an_operand_is() {
    assert_exprs(&[
        ("today - 1 year + 2 days", "(+ (- today 1year) 2days)"),
        ("today + 30 days", "(+ today 30days)"),
        ("today-1 day", "(- today 1day)"),
        ("today -3 weeks", "(- today 3weeks)"),
        (
            "v.contract.expires before today + 3 months",
            "(before v.contract.expires (+ today 3months))",
        ),
        (
            "v.last_audit - 1 month > 2026-03-31 - 1 month",
            "(> (- v.last_audit 1month) (- date:2026-03-31 1month))",
        ),
        (
            "v.offboarded + 1 week within 1 day",
            "(within (+ v.offboarded 1week) 1day)",
        ),
    ]);
}

#[test]
fn windows_look_back_or_ahead_and_last_and_next_stay_names() {
    assert_exprs(&[
        (
            "v.last_audit within last 1 year",
            "(within-last v.last_audit 1year)",
        ),
        (
            "v.contract.expires within next 60 days",
            "(within-next v.contract.expires 60days)",
        ),
        ("v.next within next 2 weeks", "(within-next v.next 2weeks)"),
        ("last within last 1 day", "(within-last last 1day)"),
        ("next within 3 months", "(within next 3months)"),
        (
            "next + 1 day within next 1 day",
            "(within-next (+ next 1day) 1day)",
        ),
        ("v.last == next", "(== v.last next)"),
    ]);
    // `last` and `next` are names anywhere else.
    parse_ok("let next = 2026-01-01\nlet last = [1, 2]\n");
    // After `within last`, a duration is still required.
    assert_eq!(
        expr_err("d within last"),
        ["custody::syntax::unexpected_token"]
    );
}

#[test]
fn days_since_and_days_until_are_calls_and_otherwise_names() {
    assert_exprs(&[
        (
            "days_since(v.last_audit) > 365",
            "(> (days_since v.last_audit) 365)",
        ),
        (
            "days_until(v.contract.expires) <= 30",
            "(<= (days_until v.contract.expires) 30)",
        ),
        (
            "days_until(today + 1 month) == 31",
            "(== (days_until (+ today 1month)) 31)",
        ),
        ("v.days_since > 1", "(> v.days_since 1)"),
        ("days_since < days_until", "(< days_since days_until)"),
    ]);
    parse_ok("let days_since = 3\n");
}

#[test]
fn every_unit_singular_and_plural() {
    for (word, unit) in [
        ("day", Unit::Day),
        ("days", Unit::Day),
        ("week", Unit::Week),
        ("weeks", Unit::Week),
        ("month", Unit::Month),
        ("months", Unit::Month),
        ("year", Unit::Year),
        ("years", Unit::Year),
    ] {
        let file = parse_ok(&format!("let x = d within 3 {word}"));
        let Some(Item::Let(l)) = file.items.first() else {
            panic!("no let")
        };
        let ExprKind::Within { duration, .. } = &l.value.kind else {
            panic!("not within")
        };
        assert_eq!((duration.amount, duration.unit), (3, unit), "{word}");
    }
}

#[test]
fn comparisons_do_not_chain() {
    assert_eq!(
        expr_err("a == b == c"),
        ["custody::syntax::chained_comparison"]
    );
    assert_eq!(
        expr_err("a < b < c"),
        ["custody::syntax::chained_comparison"]
    );
    assert_eq!(
        expr_err("a in l contains b"),
        ["custody::syntax::chained_comparison"]
    );
    assert_eq!(
        expr_err("a is set is empty"),
        ["custody::syntax::chained_comparison"]
    );
    // Parentheses make it a comparison of a result, which `check` judges.
    assert_eq!(expr("(a == b) == c"), "(== (paren (== a b)) c)");
}

// ---------------------------------------------------------------------------------------
// Literals, names, keywords

#[test]
fn literals() {
    assert_eq!(expr("true"), "true");
    assert_eq!(expr("false"), "false");
    assert_eq!(expr("[]"), "[]");
    assert_eq!(expr("[1, 2,]"), "[1 2]");
    assert_eq!(expr("[\n  1, # one\n  2,\n]"), "[1 2]");
    assert_eq!(expr("2026-11-24"), "date:2026-11-24");
    assert_eq!(expr("2024-02-29"), "date:2024-02-29");
    assert_eq!(expr("today"), "today");

    let file = parse_ok("let a = -3\nlet b = 1_000_000\nlet c = 0.5\nlet d = -0.25\nlet e = 72");
    let numbers: Vec<(f64, String)> = file
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Let(LetDecl {
                export: None,
                value:
                    Expr {
                        kind: ExprKind::Number(v, t),
                        ..
                    },
                ..
            }) => Some((*v, t.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        numbers,
        vec![
            (-3.0, "-3".to_string()),
            (1_000_000.0, "1_000_000".to_string()),
            (0.5, "0.5".to_string()),
            (-0.25, "-0.25".to_string()),
            (72.0, "72".to_string()),
        ]
    );
}

#[test]
fn string_escapes() {
    assert_eq!(
        expr(r#""a \"quoted\" word, a back\\slash,\na tab\there""#),
        "\"a \\\"quoted\\\" word, a back\\\\slash,\\na tab\\there\""
    );
    assert_eq!(expr(r#""""#), "\"\"");
    assert_eq!(expr("\"unicode: café ✓\""), "\"unicode: café ✓\"");
    assert_eq!(
        expr_err(r#""bad \q escape""#),
        ["custody::syntax::invalid_escape"]
    );
    // Every bad escape in an item is reported.
    assert_eq!(
        expr_err(r#""\d+" == "\w""#),
        [
            "custody::syntax::invalid_escape",
            "custody::syntax::invalid_escape"
        ]
    );
}

#[test]
fn bad_dates_and_numbers() {
    assert_eq!(expr_err("2026-02-30"), ["custody::syntax::invalid_date"]);
    assert_eq!(expr_err("2026-13-01"), ["custody::syntax::invalid_date"]);
    assert_eq!(expr_err("2025-02-29"), ["custody::syntax::invalid_date"]);
    assert_eq!(expr_err("2026-1-5"), ["custody::syntax::invalid_date"]);
    assert_eq!(expr_err("2026-01"), ["custody::syntax::invalid_date"]);
    let big = format!("1{}", "0".repeat(400));
    assert_eq!(expr_err(&big), ["custody::syntax::invalid_number"]);
    assert_eq!(
        expr_err("d within 1.5 years"),
        ["custody::syntax::invalid_duration"]
    );
    assert_eq!(
        expr_err("today + -3 days"),
        ["custody::syntax::invalid_duration"]
    );
    assert_eq!(
        expr_err("d within 99999999999999999999 days"),
        ["custody::syntax::invalid_duration"]
    );
}

#[test]
fn rule_ids_may_contain_dashes_and_dots() {
    for id in ["TPR-001", "a", "A.b-c_d", "for-1", "x-", "Rule9"] {
        let file = parse_ok(&format!("rule {id} \"t\" {{ require a }}"));
        assert_eq!(rules(&file)[0].id.name, id);
    }
    assert_eq!(
        codes("rule 1A \"t\" { }"),
        ["custody::syntax::unexpected_token"]
    );
    assert_eq!(
        codes("rule -A \"t\" { }"),
        ["custody::syntax::unexpected_token"]
    );
}

#[test]
fn arithmetic_binds_tighter_than_comparison_and_products_tighter_than_sums() {
    assert_eq!(expr("a + b * c > d"), "(> (+ a (* b c)) d)");
    assert_eq!(expr("a - b - c"), "(- (- a b) c)");
    assert_eq!(expr("a / b * c"), "(* (/ a b) c)");
    assert_eq!(expr("(a + b) * c"), "(* (paren (+ a b)) c)");
    // A duration after `+`/`-` is date arithmetic; a bare number is a number.
    assert_eq!(expr("d - 3 days - 3"), "(- (- d 3days) 3)");
    assert_eq!(expr("x + -3"), "(+ x -3)");
    assert_eq!(expr("[\"a\"] + l"), "(+ [\"a\"] l)");
}

#[test]
fn sources_in_quantifiers_and_aggregates() {
    assert_eq!(
        expr("all s in v.accesses where s.records > 1: s.x"),
        "(all s v.accesses (where (> s.records 1)) s.x)"
    );
    assert_eq!(
        expr("any data_store s where s holds personal: s.hosted_by == v"),
        "(any s (every data_store) (where (holds s personal)) (== s.hosted_by v))"
    );
    assert_eq!(expr("no vendor x: x.tier"), "(no x (every vendor) x.tier)");
    assert_eq!(expr("count(v.accesses)"), "(count v.accesses)");
    assert_eq!(
        expr("count(s in v.accesses where s.x)"),
        "(count s v.accesses (where s.x))"
    );
    assert_eq!(expr("count(data_store s)"), "(count s (every data_store))");
    // A source only when the `)` follows it: this parsed as an expression before sources
    // existed (a proptest found it), and still does.
    assert_eq!(expr("count( v in v and v )"), "(count (and (in v v) v))");
    assert_eq!(
        expr("sum(data_store s where s.hosted_by == v: s.records)"),
        "(sum s (every data_store) (where (== s.hosted_by v)) s.records)"
    );
    assert_eq!(
        expr("max(s in v.accesses: s.records) - min(s in l: s)"),
        "(- (max s v.accesses s.records) (min s l s))"
    );
    // `sum`, `min` and `max` are names unless a `(` follows.
    assert_eq!(expr("max > v.min"), "(> max v.min)");
}

#[test]
fn except_is_an_operator_not_a_reserved_word() {
    assert_eq!(
        expr("v handles personal except personal.preferences"),
        "(handles v (except personal personal.preferences))"
    );
    assert_eq!(
        expr("v handles [a, b] except [c] and x"),
        "(and (handles v (except [a b] [c])) x)"
    );
    assert_eq!(expr("except"), "except");
    assert_eq!(parse_ok("let p = personal except x\n").items.len(), 1);
}

#[test]
fn keywords_are_reserved_as_names_but_allowed_after_a_dot() {
    assert_eq!(codes("let in = 3"), ["custody::syntax::reserved_word"]);
    assert_eq!(
        codes("rule A \"t\" { for vendor all require a }"),
        ["custody::syntax::reserved_word"]
    );
    assert_eq!(
        codes("let x = all count in l: true"),
        ["custody::syntax::reserved_word"]
    );
    assert_eq!(expr("v.count"), "v.count");
    assert_eq!(expr("v.set is set"), "(is-set v.set)");
    // Words that merely start like a keyword are names.
    assert_eq!(
        expr("inside and order or nothing"),
        "(or (and inside order) nothing)"
    );
    assert_eq!(expr("notes contains today_x"), "(contains notes today_x)");
    // Clause words are not reserved.
    assert_eq!(
        expr("v.description == message"),
        "(== v.description message)"
    );
}

#[test]
fn clause_keywords_in_any_order_and_repeated() {
    let file = parse_ok(
        r#"rule R "t" {
  require a
  for vendor v
  tags "x", "y"
  require b
  description "d"
  severity nonsense
  severity low
}"#,
    );
    let got: Vec<String> = rules(&file)[0].clauses.iter().map(clause).collect();
    assert_eq!(
        got,
        [
            "require a",
            "for vendor v",
            r#"tags "x", "y""#,
            "require b",
            r#"description "d""#,
            "severity nonsense",
            "severity low"
        ]
    );
    // An empty rule parses; `check` reports the missing clauses.
    assert!(rules(&parse_ok("rule E \"t\" {}"))[0].clauses.is_empty());
}

#[test]
fn references_continue_after_a_comma_and_comments_go_anywhere() {
    let text = r#"# leading comment
let a = 1 # trailing
# between items

rule R "t" { # after the brace
  # own line
  references "APP 11.1", # after a comma
    "ISO 27001",
    "NIST"   # after the last
  tags "a",
       "b"
  for vendor v # before where
    where v.tier == "critical" # after the filter
      and v handles a # continues the filter
  require # before the expression
    v.mfa_enforced
}
# last line, no newline"#;
    let file = parse_ok(text);
    let got: Vec<String> = rules(&file)[0].clauses.iter().map(clause).collect();
    assert_eq!(
        got,
        [
            r#"references "APP 11.1", "ISO 27001", "NIST""#,
            r#"tags "a", "b""#,
            r#"for vendor v where (and (== v.tier "critical") (handles v a))"#,
            "require v.mfa_enforced",
        ]
    );
    // A `#` inside a string is text, not a comment.
    assert_eq!(expr("\"a # b\""), "\"a # b\"");
}

#[test]
fn items_may_share_a_line_and_files_may_be_empty() {
    let file = parse_ok("let a = 1 let b = [a] rule X \"y\" { require a } let c = 2");
    assert_eq!(file.items.len(), 4);
    assert!(parse_ok("").items.is_empty());
    assert!(parse_ok("# only a comment\n\n").items.is_empty());
}

#[test]
fn odd_characters() {
    // A byte-order mark at the start is not content.
    assert_eq!(parse_ok("\u{feff}let a = 1").items.len(), 1);
    let (_, diags, _) = parse("let a =\u{a0}1");
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "unexpected invisible character U+00A0");
    let (_, diags, _) = parse("let café = 1");
    assert_eq!(diags[0].message, "unexpected `é`");
    let (_, diags, _) = parse("rule A \"t\" { severity high; require x }");
    assert_eq!(diags[0].message, "unexpected `;`");
    let (_, diags, _) = parse("let a = \"x\" \0");
    assert_eq!(diags[0].message, "unexpected invisible character U+0000");
}

#[test]
fn crlf_line_endings() {
    let text = README_EXAMPLE.replace('\n', "\r\n");
    assert_eq!(parse_ok(&text).items.len(), 4);
    let (_, diags, _) = parse("rule A \"t\" {\r\n  message \"oops\r\n}\r\n");
    assert_eq!(diags.len(), 1);
    let Some(label) = &diags[0].primary else {
        panic!("no label")
    };
    // The unterminated string's label stops before the `\r`.
    assert_eq!(label.loc.span, Span::new(24, 29));
}

// ---------------------------------------------------------------------------------------
// Recovery

#[test]
fn all_errors_are_reported_and_good_items_kept() {
    let text = r#"let ok1 = personal.contact
rule BAD-1 "missing unit" {
  require v.last_audit within 12
}
rule OK-1 "fine" { require v.x }
rule BAD-2 "unclosed" {
  severity high
rule OK-2 "fine" { require v.y }
let bad = 2026-02-30
let ok2 = [1, 2]
ruel BAD-3 "typo" { }
rule BAD-4 "title" { message "unterminated
}
let ok3 = 3
"#;
    let (parsed, diags, rendered) = parse(text);
    let file = parsed.unwrap_or_else(|| panic!("no file:\n{rendered}"));
    let names: Vec<&str> = file
        .items
        .iter()
        .map(|i| match i {
            Item::Let(l) => l.name.name.as_str(),
            Item::Rule(r) => r.id.name.as_str(),
        })
        .collect();
    assert_eq!(names, ["ok1", "OK-1", "OK-2", "ok2", "ok3"]);
    let got: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert_eq!(
        got,
        [
            "custody::syntax::missing_unit",
            "custody::syntax::unclosed_delimiter",
            "custody::syntax::invalid_date",
            "custody::syntax::expected_item",
            "custody::syntax::unterminated_string",
        ],
        "{rendered}"
    );
}

#[test]
fn nothing_usable_is_none() {
    let (parsed, diags, _) = parse("rule A { }");
    assert!(parsed.is_none());
    assert_eq!(diags.len(), 1);
    let (parsed, diags, _) = parse("hello world");
    assert!(parsed.is_none());
    assert_eq!(diags.len(), 1);
}

#[test]
fn junk_after_a_let() {
    // On the let's own line the junk is part of a broken expression: the let is dropped.
    let (parsed, diags, _) = parse("let a = v.x and\nlet b = 1");
    assert_eq!(parsed.map(|p| p.items.len()), Some(1));
    assert_eq!(diags[0].message, "expected an expression after `and`");
    // The operators that could have continued it are named.
    let (_, diags, _) = parse("let a = v.x ?");
    assert_eq!(diags[0].message, "unexpected `?`");
    let label = diags[0].primary.as_ref().and_then(|l| l.text.clone());
    assert_eq!(
        label.as_deref(),
        Some("expected an operator or the next `rule` or `let`")
    );
    // On a later line the let is whole and kept; the junk is a bad item.
    let (parsed, diags, _) = parse("let a = v.x\nruel R \"t\" {}\nlet b = 1");
    assert_eq!(parsed.map(|p| p.items.len()), Some(2));
    assert_eq!(diags[0].code, "custody::syntax::expected_item");
}

#[test]
fn a_stray_brace_after_a_rule_keeps_the_rule() {
    let (parsed, diags, _) = parse("rule A \"t\" { require a }\n}\nlet b = 1");
    assert_eq!(parsed.map(|p| p.items.len()), Some(2));
    assert_eq!(diags.len(), 1);
}

// ---------------------------------------------------------------------------------------
// The depth guard. These run on the test harness's 2 MB threads.

fn too_deep_at(text: &str) -> Option<u32> {
    let (_, diags, _) = parse(text);
    let deep: Vec<&Diag> = diags
        .iter()
        .filter(|d| d.code == "custody::syntax::too_deep")
        .collect();
    assert_eq!(deep.len(), diags.len(), "{diags:?}");
    deep.first()
        .and_then(|d| d.primary.as_ref())
        .map(|l| l.loc.span.start)
}

#[test]
fn hostile_nesting_is_a_diagnostic_not_a_stack_overflow() {
    const N: usize = 20_000;
    let prefix = "let x = ".len();
    let cases = [
        (format!("let x = {}a{}", "(".repeat(N), ")".repeat(N)), 256),
        (format!("let x = {}", "[".repeat(N)), 256),
        (format!("let x = {}a", "not ".repeat(N)), 256 * 4),
        (format!("let x = {}a", "all a in b: ".repeat(N)), 256 * 12),
        (format!("let x = {}a", "count(".repeat(N)), 256 * 6 + 5),
        (
            format!("let x = {}a{}", "(not ".repeat(N), ")".repeat(N)),
            128 * 5,
        ),
        (
            format!(
                "rule R \"t\" {{ require {}a{} }}",
                "[(".repeat(N),
                ")]".repeat(N)
            ),
            usize::MAX,
        ),
    ];
    for (text, offset) in cases {
        let at = too_deep_at(&text);
        assert!(at.is_some(), "no too_deep for {}", &text[..40]);
        if offset != usize::MAX {
            // The label is on the token that crossed the limit.
            assert_eq!(at, Some((prefix + offset) as u32), "{}", &text[..40]);
        }
    }
}

#[test]
fn long_flat_chains_are_limited_by_lowering() {
    let chain = |n: usize, op: &str| format!("let x = {}", vec!["a"; n].join(op));
    // 257 operands make 256 nested `and` nodes: allowed; one more is not.
    assert!(codes(&chain(257, " and ")).is_empty());
    assert_eq!(codes(&chain(258, " and ")), ["custody::syntax::too_deep"]);
    assert_eq!(codes(&chain(20_000, " or ")), ["custody::syntax::too_deep"]);
    let arith = format!("let x = today{}", " + 1 day".repeat(20_000));
    assert_eq!(codes(&arith), ["custody::syntax::too_deep"]);
    // A long flat list is not deep.
    let list = format!("let x = [{}]", vec!["1"; 20_000].join(", "));
    assert!(codes(&list).is_empty());
}

#[test]
fn the_deepest_allowed_nesting_parses() {
    let n = MAX_DEPTH;
    for text in [
        format!("let x = {}a{}", "(".repeat(n), ")".repeat(n)),
        format!("let x = {}a{}", "[".repeat(n), "]".repeat(n)),
        format!("let x = {}a", "not ".repeat(n)),
        format!("let x = {}a", "all a in b: ".repeat(n)),
        format!("let x = {}a{}", "count(".repeat(n), ")".repeat(n)),
    ] {
        assert!(codes(&text).is_empty(), "{}", &text[..40]);
        let deeper = text.replacen("= ", "= (", 1) + ")";
        assert_eq!(
            codes(&deeper),
            ["custody::syntax::too_deep"],
            "{}",
            &text[..40]
        );
    }
}

#[test]
fn the_pre_scan_refuses_before_pest_runs() {
    // Straight to the tokenizer's guard: no pest, no stack growth.
    let text = format!("let x = {}", "(".repeat(100_000));
    let tokens = lex::lex(&text);
    let t = lex::too_deep(&tokens, &text);
    assert_eq!(t.map(|t| t.start), Some("let x = ".len() + MAX_DEPTH));
    // Separate groups and clauses do not add up.
    let text = format!(
        "rule R \"t\" {{ {} }}",
        "require (((a))) and not b and [all c in d: not e]\n".repeat(1000)
    );
    let tokens = lex::lex(&text);
    assert!(lex::too_deep(&tokens, &text).is_none());
}

// ---------------------------------------------------------------------------------------
// What users see: rendered diagnostics for realistic mistakes.

/// Each case: a name and a policy with one realistic mistake.
const MISTAKES: &[(&str, &str)] = &[
    (
        "missing_duration_unit",
        "rule TPR-001 \"Annual audit\" {\n  for vendor v\n  require v.last_audit within 12\n}\n",
    ),
    (
        "misspelled_duration_unit",
        "rule TPR-001 \"Annual audit\" {\n  for vendor v\n  require v.last_audit within 12 monhts\n}\n",
    ),
    (
        "missing_brace_after_title",
        "rule TPR-001 \"Annual audit\"\n  severity high\n  for vendor v\n  require v.mfa_enforced\n}\n",
    ),
    (
        "unterminated_string",
        "rule TPR-001 \"Annual audit\" {\n  message \"{v.name} was not audited\n  for vendor v\n  require v.mfa_enforced\n}\n",
    ),
    (
        "dangling_and",
        "rule TPR-001 \"Annual audit\" {\n  for vendor v\n  require v.mfa_enforced and\n}\n",
    ),
    (
        "misspelled_clause",
        "rule TPR-001 \"Annual audit\" {\n  severty high\n  for vendor v\n  require v.mfa_enforced\n}\n",
    ),
    ("invalid_date", "let cutoff = 2026-02-30\n"),
    ("malformed_date", "let cutoff = 2026-3-1\n"),
    (
        "unknown_escape",
        "rule TPR-001 \"Annual audit\" {\n  for vendor v\n  require v.name matches \"^\\d+$\"\n}\n",
    ),
    (
        "chained_comparison",
        "rule TPR-001 \"Small\" {\n  for vendor v\n  require 0 < v.contract.breach_notification_hours <= 72\n}\n",
    ),
    (
        "single_equals",
        "rule TPR-003 \"Critical\" {\n  for vendor v where v.tier = \"critical\"\n  require v.mfa_enforced\n}\n",
    ),
    (
        "double_ampersand",
        "rule TPR-003 \"Critical\" {\n  for vendor v\n  require v.mfa_enforced && v.contract.dpa_signed\n}\n",
    ),
    (
        "unquoted_title",
        "rule TPR-001 Vendors are audited yearly {\n  for vendor v\n  require v.mfa_enforced\n}\n",
    ),
    (
        "missing_rule_id",
        "rule \"Vendors are audited yearly\" {\n  for vendor v\n  require v.mfa_enforced\n}\n",
    ),
    (
        "missing_closing_brace",
        "rule TPR-001 \"Annual audit\" {\n  for vendor v\n  require v.mfa_enforced\n\nrule TPR-002 \"Encrypted\" {\n  for data_store s\n  require s.encrypted_at_rest\n}\n",
    ),
    (
        "unclosed_parenthesis",
        "rule TPR-001 \"Annual audit\" {\n  for vendor v\n  require (v.mfa_enforced or v.tier == \"low\"\n  severity high\n}\n",
    ),
    (
        "unclosed_list",
        "let regions = [\"ap-southeast-2\", \"eu-west-1\"\nlet x = 1\n",
    ),
    (
        "quantifier_missing_colon",
        "rule TPR-003 \"Fourth parties\" {\n  for vendor v\n  require all p in v.supply_chain p.last_audit within 24 months\n}\n",
    ),
    (
        "is_not_set",
        "rule TPR-009 \"Offboarded\" {\n  for vendor v\n  require v.offboarded is not set\n}\n",
    ),
    (
        "older_without_than",
        "rule TPR-009 \"Stale\" {\n  for vendor v\n  require not v.last_audit older 2 years\n}\n",
    ),
    ("keyword_as_name", "let in = [\"AU\", \"NZ\"]\n"),
    (
        "keyword_as_variable",
        "rule TPR-010 \"Stores\" {\n  for data_store set\n  require set.encrypted_at_rest\n}\n",
    ),
    (
        "trailing_comma_in_references",
        "rule TPR-001 \"Annual audit\" {\n  references \"APP 11.1\",\n  for vendor v\n  require v.mfa_enforced\n}\n",
    ),
    (
        "unquoted_reference",
        "rule TPR-001 \"Annual audit\" {\n  references APP 11.1\n  for vendor v\n  require v.mfa_enforced\n}\n",
    ),
    (
        "smart_quotes",
        "rule TPR-001 \"Annual audit\" {\n  message “{v.name} needs an audit”\n  for vendor v\n  require v.mfa_enforced\n}\n",
    ),
    (
        "missing_severity_word",
        "rule TPR-001 \"Annual audit\" {\n  severity\n  for vendor v\n  require v.mfa_enforced\n}\n",
    ),
    (
        "missing_for_variable",
        "rule TPR-001 \"Annual audit\" {\n  for vendor where vendor.tier == \"high\"\n  require v.mfa_enforced\n}\n",
    ),
    (
        "count_without_parentheses",
        "rule TPR-011 \"Few subprocessors\" {\n  for vendor v\n  require count v.subprocessors <= 5\n}\n",
    ),
    (
        "dangling_dot",
        "rule TPR-001 \"Annual audit\" {\n  for vendor v\n  require v. last_audit within 1 year\n}\n",
    ),
    (
        "clause_outside_rule",
        "severity high\nrule TPR-001 \"Annual audit\" {\n  for vendor v\n  require v.mfa_enforced\n}\n",
    ),
    (
        "stray_closing_brace",
        "rule TPR-001 \"Annual audit\" {\n  for vendor v\n  require v.mfa_enforced\n}\n}\n",
    ),
    (
        "regex_not_quoted",
        "rule TPR-012 \"Names\" {\n  for vendor v\n  require v.name matches ^[A-Z]\n}\n",
    ),
    (
        "word_after_expression",
        "rule TPR-013 \"MFA\" {\n  for vendor v\n  require v.mfa_enforced is_set\n}\n",
    ),
    (
        "too_deep",
        "let x = ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a\n",
    ),
    (
        "two_mistakes_in_one_file",
        "let a = personal.contact.address\nrule TPR-001 \"One\" {\n  require v handles a and\n}\nrule TPR-002 \"Two\" {\n  require v.last_audit within twelve months\n}\n",
    ),
];

#[test]
fn rendered_syntax_errors() {
    for (name, text) in MISTAKES {
        let (_, diags, rendered) = parse(text);
        assert!(!diags.is_empty(), "{name}: no error");
        // pest's own words never reach the user (the code line aside, which has `_`s).
        let words: String = rendered
            .lines()
            .filter(|l| !l.starts_with("custody::syntax::"))
            .collect();
        for banned in [
            "positives",
            "kw_",
            "_expr",
            "_clause",
            "_test",
            "rule_",
            "_close",
            "quant_",
            "EOI",
            "Rule::",
            "ident",
        ] {
            assert!(
                !words.contains(banned),
                "{name} leaks `{banned}`:\n{rendered}"
            );
        }
        insta::with_settings!({ description => *text, omit_expression => true }, {
            insta::assert_snapshot!(*name, rendered);
        });
    }
}

// ---------------------------------------------------------------------------------------
// Hostile input never panics.

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Tokens that make random text look like policy, so mutations reach deep states.
    const PIECES: &[&str] = &[
        "rule ",
        "let ",
        "R-1 ",
        "\"t\" ",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ",",
        ":",
        ".",
        "=",
        "==",
        "<=",
        "-",
        "+",
        "not ",
        "and ",
        "or ",
        "in ",
        "all ",
        "p ",
        "v.x ",
        "within ",
        "12 ",
        "months ",
        "older ",
        "than ",
        "is ",
        "set ",
        "2026-02-30 ",
        "\"",
        "\\",
        "#",
        "\n",
        "require ",
        "for ",
        "vendor ",
        "where ",
        "severity ",
        "references ",
        "count(",
        "today ",
        "-3 ",
        "1_000 ",
        "0.5 ",
        "“",
        "é",
        "\r\n",
        "matches ",
        "handles ",
    ];

    fn policy_like() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn random_text(chars in prop::collection::vec(any::<char>(), 0..200)) {
            let text: String = chars.into_iter().collect();
            let _ = parse(&text);
        }

        #[test]
        fn random_policy_like_text(text in policy_like()) {
            let _ = parse(&text);
        }

        #[test]
        fn mutations_of_a_valid_policy(
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..4, prop::sample::select(PIECES)), 1..6)
        ) {
            let mut text = README_EXAMPLE.to_string();
            for (at, kind, piece) in edits {
                // Edit at a character boundary.
                let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
                let i = boundaries[at.index(boundaries.len())];
                match kind {
                    0 => text.insert_str(i, piece),
                    1 => {
                        let end = text[i..].char_indices().nth(3).map_or(text.len(), |(j, _)| i + j);
                        text.replace_range(i..end, "");
                    }
                    2 => {
                        let end = text[i..].char_indices().nth(1).map_or(text.len(), |(j, _)| i + j);
                        text.replace_range(i..end, piece);
                    }
                    _ => text.truncate(i),
                }
            }
            let (_, diags, rendered) = parse(&text);
            for d in &diags {
                prop_assert!(d.code.starts_with("custody::syntax::"));
                prop_assert!(d.code != "custody::syntax::internal", "{}\n{}", text, rendered);
            }
        }
    }
}

#[test]
fn export_let_is_an_item_and_export_is_not_reserved() {
    let text = "export let a = [\"AU\"]\nlet export = 3\nexport\n  let b = export\nrule R-1 \"t\" {\n  for vendor v\n  require v.export == b\n}\nlet c = 1 export let d = 2\n";
    let file = parse_ok(text);
    let lets: Vec<(&str, bool)> = file
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Let(l) => Some((l.name.name.as_str(), l.export.is_some())),
            Item::Rule(_) => None,
        })
        .collect();
    assert_eq!(
        lets,
        [
            ("a", true),
            ("export", false),
            ("b", true),
            ("c", false),
            ("d", true)
        ]
    );
    // The declaration's span starts at `export`.
    let Some(Item::Let(a)) = file.items.first() else {
        panic!("no let")
    };
    assert_eq!(text.get(a.span.range()), Some("export let a = [\"AU\"]"));
    // `export` before anything but `let` is not an item; the next item still parses.
    let (parsed, diags, rendered) = parse("export rule\nlet x = 1\n");
    assert_eq!(
        diags.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["custody::syntax::expected_item"]
    );
    assert!(
        rendered.contains("`export` goes right before `let`"),
        "{rendered}"
    );
    assert_eq!(parsed.map(|f| f.items.len()), Some(1));
}
