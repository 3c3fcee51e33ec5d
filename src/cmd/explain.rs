//! `custody explain RULE ENTITY`: one rule's evaluation on one entity, as a tree with every
//! value and where it is written; `custody explain RULE`: the rule's documentation and
//! policy text, the way `ruff rule` prints a lint's.
//!
//! Exit code: 0 when the entity passes, is not selected or a live waiver covers the
//! finding (and for the documentation); 1 when it fails; 2 on any error.

use super::{Output, Std};
use crate::ast::{self, ClauseKind, ExprKind, Item};
use crate::check::CheckedRule;
use crate::check::{self, Checked};
use crate::cli::ExplainArgs;
use crate::diag::code::Code;
use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::eval::explain::{self, Clause, Explanation};
use crate::eval::{Context, Finding, Status};
use crate::inventory::{EntityId, Inventory, Schema};
use crate::project;
use crate::source::{Loc, SourceMap, Span};
use crate::types::{EntityRef, Exit};
use std::fmt::Write;

const UNKNOWN_RULE: &Code = &codes::explain::UNKNOWN_RULE;
const UNKNOWN_ENTITY: &Code = &codes::explain::UNKNOWN_ENTITY;
const WRONG_KIND: &Code = &codes::explain::WRONG_KIND;

pub fn run(args: &ExplainArgs, cwd: std::path::PathBuf, today: jiff::civil::Date) -> Output {
    // `custody explain TPR-001 examples/airline`: the second argument is the project
    // directory, not an entity (both are positional and the entity comes first).
    let mut args = args.clone();
    if args.input.path.is_none()
        && let Some(e) = &args.entity
        && cwd
            .join(e)
            .join(crate::project::config::FILE_NAME)
            .is_file()
    {
        args.input.path = args.entity.take().map(std::path::PathBuf::from);
    }
    with_project(
        &args.input,
        project::Needs::BOTH,
        args.as_of,
        cwd,
        today,
        |loaded| explain(&args, loaded),
    )
}

/// Load the project (`explain`, `query` and `impact` all start here), run `body` on it for
/// stdout and an exit code, and render every diagnostic to stderr; any error makes the
/// exit code 2.
pub(crate) fn with_project(
    input: &crate::cli::InputArgs,
    needs: project::Needs,
    as_of: Option<jiff::civil::Date>,
    cwd: std::path::PathBuf,
    today: jiff::civil::Date,
    body: impl FnOnce(&mut Checked) -> (String, Exit),
) -> Output {
    let settings = project::Settings {
        as_of,
        needs,
        ..super::settings(input, cwd)
    };
    let mut loaded = check::project(project::load(&settings, today));
    let (stdout, exit) = body(&mut loaded);
    let color = input.color;
    diag::sort(&mut loaded.project.diags);
    loaded.project.diags.dedup();
    let style = super::style(color, Std::Err);
    let stderr = diag::render_all(
        &loaded.project.diags,
        &loaded.project.sources,
        &diag::handler(style.color, style.width),
    );
    let exit = if loaded.has_errors() {
        Exit::Invalid
    } else {
        exit
    };
    Output {
        stdout,
        stderr,
        exit,
        ..Output::default()
    }
}

fn explain(args: &ExplainArgs, loaded: &mut Checked) -> (String, Exit) {
    let Some(ri) = resolve_rule(loaded, &args.rule) else {
        return (String::new(), Exit::Invalid);
    };
    let Some(entity) = &args.entity else {
        return (documentation(loaded, ri), Exit::Clean);
    };
    let Some(e) = resolve_entity(
        &mut loaded.project.sources,
        &loaded.project.schema,
        &loaded.project.inventory,
        entity,
        UNKNOWN_ENTITY,
        &mut loaded.project.diags,
    ) else {
        return (String::new(), Exit::Invalid);
    };
    let (rule_kind, ent_kind) = match loaded.program.rules.get(ri) {
        Some(r) => (r.kind, loaded.project.inventory.get(e).kind),
        None => return (String::new(), Exit::Invalid),
    };
    if rule_kind != ent_kind {
        let kinds = |k| loaded.project.schema.kind(k);
        let (rk, ek) = (kinds(rule_kind), kinds(ent_kind));
        let example = loaded
            .project
            .inventory
            .of_kind(rule_kind)
            .first()
            .map(|&x| {
                let example = loaded
                    .project
                    .inventory
                    .entity_ref(&loaded.project.schema, x);
                format!(", e.g. `{example}`")
            })
            .unwrap_or_default();
        let file = loaded.project.sources.add("<entity>", entity.clone());
        let d = Diag::new(
            WRONG_KIND,
            format!(
                "rule `{}` applies to {}, and `{entity}` is a {}",
                args.rule, rk.collection, ek.name
            ),
        )
        .at(
            Loc::new(file, Span::new(0, ek.name.len())),
            format!("not a {}", rk.name),
        )
        .help(format!("name a {}{example}", rk.name));
        loaded.project.diags.push(d);
        return (String::new(), Exit::Invalid);
    }
    let cx = Context::of(loaded);
    let Some(x) = explain::explain(&cx, ri, e) else {
        return (String::new(), Exit::Invalid);
    };
    let waived = x.finding.as_ref().map(|f| apply_waivers(loaded, f));
    let out = render(loaded, &x, waived.as_ref());
    let exit = match &waived {
        Some(f) if f.status == Status::Fail => Exit::Findings,
        _ => Exit::Clean,
    };
    (out, exit)
}

/// The finding with the loaded waivers applied, as `custody check` would report it.
fn apply_waivers(loaded: &Checked, f: &Finding) -> Finding {
    let mut one = vec![f.clone()];
    let evaluated = vec![true; loaded.program.rules.len()];
    // Warnings about other waivers matching nothing belong to `check` and `lint`.
    let mut scratch = Vec::new();
    crate::eval::waivers::apply(
        &mut one,
        &loaded.project.waivers,
        &loaded.program,
        &evaluated,
        &loaded.project.inventory,
        &loaded.project.schema,
        loaded.project.as_of,
        &mut scratch,
    );
    one.pop().unwrap_or_else(|| f.clone())
}

/// The index of the rule named `id`, or an error with a did-you-mean.
fn resolve_rule(loaded: &mut Checked, id: &str) -> Option<usize> {
    if let Some(i) = loaded
        .program
        .rules
        .iter()
        .position(|r| r.id.as_str() == id)
    {
        return Some(i);
    }
    let file = loaded.project.sources.add("<rule>", id.to_owned());
    let ids = loaded.program.rules.iter().map(|r| r.id.as_str());
    let mut help = diag::suggest(id, ids, "the loaded rules");
    if loaded.has_errors() {
        let note = "a rule with errors is not loaded: fix the errors reported above";
        help = Some(match help {
            Some(h) => format!("{h}; {note}"),
            None => note.to_owned(),
        });
    } else if loaded.program.rules.is_empty() {
        help = Some(
            "no rules are loaded: check `policies:` in custody.yaml, or pass `--policy`".into(),
        );
    }
    let d = Diag::new(UNKNOWN_RULE, format!("no loaded rule is named `{id}`"))
        .at(
            Loc::new(file, Span::new(0, id.len())),
            "not the ID of a loaded rule",
        )
        .help_opt(help);
    loaded.project.diags.push(d);
    None
}

/// Resolve `KIND/ID` (a command-line argument) to an entity. The argument is added to the
/// source map as `<entity>`, so a mistake is labelled in it with a did-you-mean.
pub(crate) fn resolve_entity(
    sources: &mut SourceMap,
    schema: &Schema,
    inv: &Inventory,
    text: &str,
    code: &'static Code,
    diags: &mut Vec<Diag>,
) -> Option<EntityId> {
    let name_of = |e: EntityId| inv.entity_ref(schema, e).to_string();
    let Some(named) = EntityRef::parse(text) else {
        let file = sources.add("<entity>", text.to_owned());
        // A bare id: name the entity that has it, when one does.
        let same_id: Vec<String> = inv
            .entities
            .iter()
            .enumerate()
            .filter(|(_, e)| &*e.id == text)
            .map(|(i, _)| name_of(EntityId(i as u32)))
            .collect();
        let help = match same_id.first() {
            Some(n) => format!("entities are named KIND/ID: did you mean `{n}`?"),
            None => "name the entity as KIND/ID, e.g. `vendor/tessaly-crm`".to_owned(),
        };
        diags.push(
            Diag::new(code, format!("`{text}` is not an entity name"))
                .at(Loc::new(file, Span::new(0, text.len())), "expected KIND/ID")
                .help(help),
        );
        return None;
    };
    let (kind, id) = (named.kind.as_str(), named.id.as_str());
    let Some(k) = schema.kind_by_name(kind) else {
        let file = sources.add("<entity>", text.to_owned());
        let names: Vec<&str> = schema.kinds.iter().map(|k| k.name.as_str()).collect();
        let help = match schema.kind_by_collection(kind) {
            Some(k) => Some(format!(
                "kinds are singular: did you mean `{}/{id}`?",
                schema.kind(k).name
            )),
            None => diag::suggest(kind, names.iter().copied(), "kinds"),
        };
        diags.push(
            Diag::new(code, format!("unknown kind `{kind}`"))
                .at(
                    Loc::new(file, Span::new(0, kind.len())),
                    "not a kind in the schema",
                )
                .help_opt(help),
        );
        return None;
    };
    if let Some(e) = inv.lookup(k, id) {
        return Some(e);
    }
    let file = sources.add("<entity>", text.to_owned());
    let ks = schema.kind(k);
    let ids: Vec<&str> = inv.of_kind(k).iter().map(|&e| &*inv.get(e).id).collect();
    let elsewhere = schema
        .kind_ids()
        .filter(|&other| other != k)
        .find_map(|other| inv.lookup(other, id));
    let help = if let Some(near) = diag::did_you_mean(id, ids.iter().copied()) {
        Some(format!("did you mean `{}/{near}`?", ks.name))
    } else if let Some(e) = elsewhere {
        Some(format!("`{}` exists: did you mean it?", name_of(e)))
    } else if ids.is_empty() {
        Some(format!("the inventory has no {}", ks.collection))
    } else {
        None
    };
    let start = kind.len() + 1;
    diags.push(
        Diag::new(code, format!("no {} has the id `{id}`", ks.name))
            .at(
                Loc::new(file, Span::new(start, start + id.len())),
                format!("not a {} id", ks.name),
            )
            .help_opt(help),
    );
    None
}

// ---------------------------------------------------------------------------------------
// The explanation.

fn clause_section(
    out: &mut String,
    sources: &SourceMap,
    header: String,
    loc: Loc,
    clause: &Clause,
) {
    let _ = writeln!(out, "{header}  ({})", sources.display(loc));
    out.push_str(&clause.tree.render(sources));
    out.push('\n');
}

fn render(loaded: &Checked, x: &Explanation, finding: Option<&Finding>) -> String {
    let sources = &loaded.project.sources;
    let Some(rule) = loaded.program.rules.get(x.rule) else {
        return String::new();
    };
    let ent = loaded.project.inventory.get(x.entity);
    let name = loaded
        .project
        .inventory
        .entity_ref(&loaded.project.schema, x.entity);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} \"{}\" ({})",
        rule.id,
        rule.title,
        rule.severity.as_str()
    );
    let _ = writeln!(
        out,
        "on {name} ({}), as of {}",
        sources.display(ent.loc),
        loaded.project.as_of
    );
    out.push('\n');
    match &x.filter {
        Some(f) => {
            let verdict = if f.holds {
                "selects the entity"
            } else {
                "does not select the entity"
            };
            clause_section(
                &mut out,
                sources,
                format!("where: {verdict}"),
                rule.for_loc,
                f,
            );
        }
        None => {
            let _ = writeln!(
                out,
                "for {} {}: every {} is selected  ({})\n",
                loaded.project.schema.kind(rule.kind).name,
                rule.var,
                loaded.project.schema.kind(rule.kind).name,
                sources.display(rule.for_loc)
            );
        }
    }
    let n = x.requires.len();
    for (i, (c, req)) in x.requires.iter().zip(&rule.requires).enumerate() {
        let verdict = match (x.selected, c.holds) {
            (false, _) => "not checked, shown for information",
            (true, true) => "holds",
            (true, false) => "fails",
        };
        clause_section(
            &mut out,
            sources,
            format!("require {} of {n}: {verdict}", i + 1),
            req.loc,
            c,
        );
    }
    let failed = x.requires.iter().filter(|c| !c.holds).count();
    let result = match (x.selected, finding) {
        (false, _) => format!(
            "{name} is not selected by {}: the `where` clause is false, so the rule does not apply",
            rule.id
        ),
        (true, None) => format!("{name} passes {}: every require holds", rule.id),
        (true, Some(f)) => {
            let fails = format!(
                "{name} fails {}: {failed} of {n} {} {}",
                rule.id,
                if n == 1 { "require" } else { "requires" },
                if failed == 1 { "fails" } else { "fail" }
            );
            match f.status {
                Status::Waived(wi) => match loaded.project.waiver(wi) {
                    Some(w) => format!(
                        "{fails}; waived until {} (approved by {}; {})",
                        w.expires,
                        w.approved_by,
                        sources.display(w.loc)
                    ),
                    None => format!("{fails}; waived"),
                },
                // explain reads no baseline: a baselined finding is a failing one.
                Status::Fail | Status::Baselined => match f.expired_waiver {
                    Some((_, date)) => format!("{fails}; its waiver expired on {date}"),
                    None => fails,
                },
            }
        }
    };
    let _ = writeln!(out, "result: {result}");
    if let (true, Some(f)) = (x.selected, finding) {
        let _ = writeln!(out, "message: {}", f.message());
        if let Some(r) = &rule.remediation {
            let _ = writeln!(out, "remediation: {r}");
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The rule's documentation.

fn documentation(loaded: &Checked, ri: usize) -> String {
    let Some(rule) = loaded.program.rules.get(ri) else {
        return String::new();
    };
    let sources = &loaded.project.sources;
    let mut out = String::new();
    let _ = writeln!(out, "# {}: {}\n", rule.id, rule.title);
    let _ = writeln!(out, "Severity: {}", rule.severity.as_str());
    let _ = writeln!(
        out,
        "Applies to: {}",
        loaded.project.schema.kind(rule.kind).collection
    );
    if !rule.tags.is_empty() {
        let _ = writeln!(out, "Tags: {}", rule.tags.join(", "));
    }
    if !rule.references.is_empty() {
        let _ = writeln!(out, "References: {}", rule.references.join("; "));
    }
    let (line, _) = sources.line_col(rule.loc);
    let _ = writeln!(out, "Defined in: {}:{line}", sources.name(rule.loc.file));
    if let Some(d) = &rule.description {
        let _ = writeln!(out, "\n## What it checks\n\n{d}");
    }
    if let Some(r) = &rule.remediation {
        let _ = writeln!(out, "\n## How to fix it\n\n{r}");
    }
    if let Some(text) = policy_text(sources, rule, &loaded.program.exports) {
        let _ = writeln!(out, "\n## Policy\n\n```\n{text}\n```");
    }
    out
}

/// The rule's text as written, with the comment lines right above it, preceded by the
/// `let`s of its file that it uses (so `address` in `v handles address` is explained), and
/// before them the exports it uses from elsewhere, each under a comment naming its file.
fn policy_text(
    sources: &SourceMap,
    rule: &CheckedRule,
    exports: &[crate::check::Export],
) -> Option<String> {
    let file = rule.loc.file;
    let text = sources.text(file);
    // The file parsed when it was loaded; parsing it again finds the rule's whole span.
    let mut scratch = Vec::new();
    let pf = crate::syntax::parse_policy(file, text, &mut scratch)?;
    let r = pf.items.iter().find_map(|i| match i {
        Item::Rule(r) if r.id.span == rule.loc.span => Some(r),
        _ => None,
    })?;
    let mut used: Vec<&str> = Vec::new();
    for c in &r.clauses {
        match &c.kind {
            ClauseKind::For(f) => {
                if let Some(e) = &f.filter {
                    names(e, &mut used);
                }
            }
            ClauseKind::Require(e) => names(e, &mut used),
            _ => {}
        }
    }
    let above: Vec<&ast::LetDecl> = pf
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Let(l) if l.span.start < r.span.start && used.contains(&l.name.name.as_str()) => {
                Some(l)
            }
            _ => None,
        })
        .collect();
    // Exports used from elsewhere (another file, custody.yaml, built-in, or below the rule).
    let mut parts: Vec<String> = used
        .iter()
        .filter(|n| !above.iter().any(|l| l.name.name == **n))
        .filter_map(|n| exports.iter().find(|e| e.name == *n))
        .map(|e| {
            let from = sources.name(e.loc.file);
            let text = with_comments(sources.text(e.loc.file), e.loc.span);
            format!("# {from}\n{text}")
        })
        .collect();
    parts.extend(above.iter().map(|l| with_comments(text, l.span)));
    parts.push(with_comments(text, r.span));
    Some(parts.join("\n\n"))
}

/// The text of `span`, from the start of its line, with the `#` comment lines directly
/// above it.
fn with_comments(text: &str, span: Span) -> String {
    let start = span.start as usize;
    let end = (span.end as usize).min(text.len());
    let mut from = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    while from > 0 {
        let prev_start = text
            .get(..from - 1)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line = text.get(prev_start..from - 1).unwrap_or("");
        if !line.trim_start().starts_with('#') {
            break;
        }
        from = prev_start;
    }
    text.get(from..end).unwrap_or("").to_owned()
}

/// The single-segment names (`let` uses) in an expression.
fn names<'e>(e: &'e ast::Expr, out: &mut Vec<&'e str>) {
    e.walk(&mut |x| {
        if let ExprKind::Path(p) = &x.kind
            && let [only] = p.segments.as_slice()
            && !out.contains(&only.name.as_str())
        {
            out.push(&only.name);
        }
    });
}
