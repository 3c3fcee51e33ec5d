//! `custody query 'KIND VAR where EXPR'`: the entities that match a condition, with the
//! fields asked for by `--show`, as a table, JSON or CSV.
//!
//! The query is a rule without requires: it is parsed by the policy grammar, turned into a
//! one-rule policy and checked by `crate::check`, so a typo gets the same diagnostic and
//! did-you-mean as in a policy file, labelled in the query text (the source `<query>`).
//! Each `--show` path is checked the same way, as a field path of the query's variable
//! (the source `--show`). Evaluation is `Context::cond` and `Context::val`, as for rules.
//!
//! Exit code: 0, even when nothing matches; 2 on any error.

use super::Output;
use crate::ast::{self, ClauseKind, Expr, ExprKind, ForClause, IsTest, PolicyFile};
use crate::check::Checked;
use crate::check::{self, CExpr, CKind, Program};
use crate::cli::{QueryArgs, QueryFormat};
use crate::diag::Diag;
use crate::diag::code::Code;
use crate::diag::codes;
use crate::eval::Context;
use crate::eval::value::{Display, Val};
use crate::inventory::{EntityId, FieldType, KindId};
use crate::report::aligned;
use crate::source::{FileId, Loc, Span};
use crate::types::Exit;
use std::fmt::Write;

const INVALID_SHOW: &Code = &codes::query::INVALID_SHOW;
/// The synthetic rules' IDs. Never shown: a query has no rule to name.
const QUERY_RULE: &str = "query";

pub fn run(args: &QueryArgs, cwd: std::path::PathBuf, today: jiff::civil::Date) -> Output {
    super::explain::with_project(
        &args.input,
        crate::project::Needs::INVENTORY,
        args.as_of,
        cwd,
        today,
        |loaded| (query(args, loaded).unwrap_or_default(), Exit::Clean),
    )
}

/// A checked query: the kind, the `where` (if any) and the `--show` columns.
struct Query {
    kind: KindId,
    filter: Option<Program>,
    columns: Vec<(String, Program)>,
}

fn query(args: &QueryArgs, loaded: &mut Checked) -> Option<String> {
    let checked = check_query(args, loaded)?;
    let cx = Context::of(loaded);
    let rows = evaluate(&cx, &checked);
    let headers: Vec<&str> = checked.columns.iter().map(|(h, _)| h.as_str()).collect();
    Some(match args.format {
        QueryFormat::Table => table(&cx, checked.kind, &headers, &rows),
        QueryFormat::Json => json(&cx, &headers, &rows),
        QueryFormat::Csv => csv(&cx, &headers, &rows),
    })
}

/// Parse and check the query and the `--show` paths; `None` (with diagnostics) when any is wrong.
fn check_query(args: &QueryArgs, loaded: &mut Checked) -> Option<Query> {
    let file = loaded.project.sources.add("<query>", args.query.clone());
    let fc = crate::syntax::parse_query(file, &args.query, &mut loaded.project.diags)?;
    let mut diags = Vec::new();
    let program = check_rule(loaded, file, &fc, None, &mut diags);
    let failed = program.rules.is_empty() || diags.iter().any(Diag::is_error);
    loaded.project.diags.extend(diags);
    if failed {
        return None;
    }
    let kind = program.rules.first()?.kind;
    let filter = fc.filter.is_some().then_some(program);

    // Each `--show` path is a one-rule policy of its own (`for KIND VAR require PATH is
    // set`), in its own source, so its errors point at what the user typed.
    let mut columns = Vec::new();
    let mut ok = true;
    for text in &args.show {
        let file = loaded.project.sources.add("--show", text.clone());
        let Some(path) = show_path(file, text, &fc.var, &mut loaded.project.diags) else {
            ok = false;
            continue;
        };
        let mut diags = Vec::new();
        let program = check_rule(loaded, file, &fc, Some(path), &mut diags);
        for d in &mut diags {
            // The checker's advice (a quantifier) does not apply to a column.
            if d.code == codes::policy::PATH_THROUGH_LIST.name {
                d.help = Some(format!(
                    "a column holds one value per entity: show the list itself (`--show {}`), or query the other kind",
                    text.strip_prefix(&format!("{}.", fc.var.name))
                        .unwrap_or(text)
                        .split('.')
                        .next()
                        .unwrap_or(text)
                ));
            }
        }
        let failed = program.rules.is_empty() || diags.iter().any(Diag::is_error);
        loaded.project.diags.extend(diags);
        if failed {
            ok = false;
        } else {
            columns.push((text.clone(), program));
        }
    }
    ok.then_some(Query {
        kind,
        filter,
        columns,
    })
}

/// `for KIND VAR [where FILTER] require true`, or with `show`, `for KIND VAR require SHOW
/// is set` (its spans in `file`), checked by `crate::check`.
fn check_rule(
    loaded: &Checked,
    file: FileId,
    fc: &ForClause,
    show: Option<Expr>,
    diags: &mut Vec<Diag>,
) -> Program {
    let at = |span: Span| ast::Clause {
        kind: ClauseKind::Require(Expr {
            kind: ExprKind::Bool(true),
            span,
        }),
        span,
        keyword: span,
    };
    let empty = Span::new(0, 0);
    let (for_clause, require) = match show {
        None => (fc.clone(), at(empty)),
        Some(path) => {
            let span = path.span;
            let is_set = Expr {
                kind: ExprKind::Is {
                    lhs: Box::new(path),
                    test: IsTest::Set,
                },
                span,
            };
            // The kind and variable were checked with the query; here they only bind.
            let for_clause = ForClause {
                kind: ast::Ident {
                    name: fc.kind.name.clone(),
                    span: empty,
                },
                var: ast::Ident {
                    name: fc.var.name.clone(),
                    span: empty,
                },
                filter: None,
            };
            let mut req = at(span);
            req.kind = ClauseKind::Require(is_set);
            (for_clause, req)
        }
    };
    let rule = ast::Rule {
        id: ast::Ident {
            name: QUERY_RULE.into(),
            span: empty,
        },
        title: ast::StrLit {
            value: QUERY_RULE.into(),
            span: empty,
        },
        clauses: vec![
            ast::Clause {
                kind: ClauseKind::For(for_clause),
                span: empty,
                keyword: empty,
            },
            require,
        ],
        span: empty,
    };
    let pf = PolicyFile {
        file,
        items: vec![ast::Item::Rule(rule)],
    };
    check::check_with_exports(
        &[pf],
        &loaded.program.exports,
        &loaded.project.sources,
        &loaded.project.schema,
        &loaded.project.taxonomy,
        diags,
    )
}

/// A `--show` value as a field path of the query's variable: `contract.expires`, or with
/// the variable written out, `v.contract.expires`.
fn show_path(file: FileId, text: &str, var: &ast::Ident, diags: &mut Vec<Diag>) -> Option<Expr> {
    let segment_ok = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let whole = Loc::new(file, Span::new(0, text.len()));
    // Evaluation follows a path step by step, recursively: bound it as nesting is bounded.
    let steps = text.split('.').count();
    if steps > crate::syntax::MAX_DEPTH {
        diags.push(
            Diag::new(
                INVALID_SHOW,
                format!("a `--show` path of {steps} steps is too long"),
            )
            .at(whole, "too many steps")
            .help(format!(
                "a field path has at most {} steps",
                crate::syntax::MAX_DEPTH
            )),
        );
        return None;
    }
    if text.is_empty() || !text.split('.').all(segment_ok) {
        let bad = text
            .split('.')
            .scan(0usize, |start, seg| {
                let s = *start;
                *start += seg.len() + 1;
                Some((s, seg))
            })
            .find(|(_, seg)| !segment_ok(seg))
            .map(|(s, seg)| Loc::new(file, Span::new(s, s + seg.len())))
            .filter(|l| !l.span.is_empty())
            .unwrap_or(whole);
        diags.push(
            Diag::new(INVALID_SHOW, format!("`--show {text}` is not a field path"))
                .at(bad, "expected field names joined by dots")
                .help(format!(
                    "write a field of `{}`, such as `--show name` or `--show contract.expires`",
                    var.name
                )),
        );
        return None;
    }
    let mut segments = Vec::new();
    let mut offset = 0;
    for seg in text.split('.') {
        segments.push(ast::Ident {
            name: seg.to_owned(),
            span: Span::new(offset, offset + seg.len()),
        });
        offset += seg.len() + 1;
    }
    // `v.name`: the variable is written out; `name`: it is implied (at no position).
    if !(segments.len() > 1 && segments.first().is_some_and(|s| s.name == var.name)) {
        segments.insert(
            0,
            ast::Ident {
                name: var.name.clone(),
                span: Span::new(0, 0),
            },
        );
    }
    Some(Expr {
        kind: ExprKind::Path(ast::Path { segments }),
        span: whole.span,
    })
}

/// The expression a `--show` rule checks: the path inside `require PATH is set`.
fn column_expr(p: &Program) -> Option<&CExpr> {
    match &p.rules.first()?.requires.first()?.expr.kind {
        CKind::Is { lhs, .. } => Some(lhs),
        _ => None,
    }
}

/// One matching entity and its `--show` values.
struct Row<'a> {
    entity: EntityId,
    values: Vec<Cell<'a>>,
}

/// A shown value. A nested mapping (`contract`) is shown as its members.
enum Cell<'a> {
    Val(Val<'a>),
    Object(Vec<(String, Cell<'a>)>),
}

fn evaluate<'a>(cx: &Context<'a>, q: &'a Query) -> Vec<Row<'a>> {
    let filter = q
        .filter
        .as_ref()
        .and_then(|p| p.rules.first())
        .and_then(|r| r.filter.as_ref());
    let mut rows: Vec<Row<'a>> = cx
        .inv
        .of_kind(q.kind)
        .iter()
        .filter_map(|&e| {
            let mut env = vec![Val::Entity(e)];
            if let Some(f) = filter
                && !cx.cond(f, &mut env, &mut ())
            {
                return None;
            }
            let values = q
                .columns
                .iter()
                .map(|(_, p)| match column_expr(p) {
                    Some(expr) => cell(cx, expr, &mut env),
                    None => Cell::Val(Val::Missing),
                })
                .collect();
            Some(Row { entity: e, values })
        })
        .collect();
    rows.sort_by(|a, b| cx.inv.get(a.entity).id.cmp(&cx.inv.get(b.entity).id));
    rows
}

fn cell<'a>(cx: &Context<'a>, e: &'a CExpr, env: &mut Vec<Val<'a>>) -> Cell<'a> {
    let v = cx.val(e, env);
    let CKind::Field {
        base, kind, field, ..
    } = &e.kind
    else {
        return Cell::Val(v);
    };
    if !matches!(v, Val::Object) {
        return Cell::Val(v);
    }
    let Val::Entity(ent) = cx.val(base, env) else {
        return Cell::Val(v);
    };
    Cell::Object(members(cx, ent, *kind, *field))
}

/// The members of a nested mapping field, present or not, in schema order.
fn members<'a>(
    cx: &Context<'a>,
    ent: EntityId,
    kind: KindId,
    field: crate::inventory::FieldId,
) -> Vec<(String, Cell<'a>)> {
    let ks = cx.schema.kind(kind);
    let e = cx.inv.get(ent);
    ks.members(Some(field))
        .map(|(fid, fs)| {
            let c = match (e.field(fid), &fs.ty) {
                (Some(_), FieldType::Object) => Cell::Object(members(cx, ent, kind, fid)),
                (Some(f), _) => Cell::Val(Val::from_value(&f.value)),
                (None, _) => Cell::Val(Val::Missing),
            };
            (fs.short_name().to_owned(), c)
        })
        .collect()
}

/// As in message templates: `(missing)`, ISO dates, lists comma-joined, `KIND/ID`.
fn plain(d: &Display<'_>, c: &Cell<'_>) -> String {
    match c {
        Cell::Val(v) => d.plain(v),
        Cell::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}: {}", plain(d, v)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn entity_name(cx: &Context<'_>, e: EntityId) -> String {
    cx.display().entity(e)
}

fn table(cx: &Context<'_>, kind: KindId, headers: &[&str], rows: &[Row<'_>]) -> String {
    let d = cx.display();
    let ks = cx.schema.kind(kind);
    let total = cx.inv.of_kind(kind).len();
    if rows.is_empty() {
        return format!("no {} matches (of {total})\n", ks.name);
    }
    let mut grid: Vec<Vec<String>> = vec![
        std::iter::once("entity".to_owned())
            .chain(headers.iter().map(|h| (*h).to_owned()))
            .collect(),
    ];
    for r in rows {
        grid.push(
            std::iter::once(entity_name(cx, r.entity))
                .chain(r.values.iter().map(|c| {
                    plain(&d, c)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                }))
                .collect(),
        );
    }
    let mut out = aligned(&grid, "");
    let n = rows.len();
    let _ = writeln!(
        out,
        "\n{n} of {total} {} {}",
        ks.collection,
        if n == 1 { "matches" } else { "match" }
    );
    out
}

fn json_val(d: &Display<'_>, c: &Cell<'_>) -> serde_json::Value {
    use serde_json::Value as J;
    match c {
        Cell::Object(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), json_val(d, v))).collect()),
        Cell::Val(v) => match v {
            Val::Missing => J::Null,
            Val::Bool(b) => J::Bool(*b),
            // Whole numbers as integers (`5700000`, not `5700000.0`).
            Val::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => J::from(*n as i64),
            Val::Num(n) => serde_json::Number::from_f64(*n).map_or(J::Null, J::Number),
            Val::List(l) => J::Array(l.iter().map(|x| json_val(d, &Cell::Val(x))).collect()),
            other => J::String(d.plain(other)),
        },
    }
}

/// One object per matching entity: `entity`, its `location`, and the `--show` values
/// under `fields` in the order asked for.
fn json(cx: &Context<'_>, headers: &[&str], rows: &[Row<'_>]) -> String {
    use serde::ser::{SerializeMap, Serializer};
    let d = cx.display();
    /// Keys in the order given (serde_json's map would sort them).
    struct Ordered(Vec<(String, serde_json::Value)>);
    impl serde::Serialize for Ordered {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in &self.0 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }
    #[derive(serde::Serialize)]
    struct Location {
        file: String,
        line: usize,
        column: usize,
    }
    #[derive(serde::Serialize)]
    struct Out {
        entity: String,
        location: Location,
        fields: Ordered,
    }
    let out: Vec<Out> = rows
        .iter()
        .map(|r| {
            let loc = cx.inv.get(r.entity).loc;
            let (line, column) = cx.sources.line_col(loc);
            Out {
                entity: entity_name(cx, r.entity),
                location: Location {
                    file: cx.sources.name(loc.file).to_owned(),
                    line,
                    column,
                },
                fields: Ordered(
                    headers
                        .iter()
                        .zip(&r.values)
                        .map(|(h, c)| ((*h).to_owned(), json_val(&d, c)))
                        .collect(),
                ),
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

fn csv(cx: &Context<'_>, headers: &[&str], rows: &[Row<'_>]) -> String {
    let d = cx.display();
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let header = std::iter::once("entity").chain(headers.iter().copied());
    let mut ok = w.write_record(header).is_ok();
    for r in rows {
        let record =
            std::iter::once(entity_name(cx, r.entity)).chain(r.values.iter().map(|c| match c {
                // An empty cell, as JSON has `null`: `(missing)` would read as a value.
                Cell::Val(Val::Missing) => String::new(),
                c => plain(&d, c),
            }));
        ok &= w.write_record(record).is_ok();
    }
    // Writing into memory cannot fail; should it, print nothing rather than half a file.
    match (ok, w.into_inner()) {
        (true, Ok(bytes)) => String::from_utf8(bytes).unwrap_or_default(),
        _ => String::new(),
    }
}
