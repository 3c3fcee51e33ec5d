//! `custody lint`'s warnings: policies that check but are probably not what their author
//! meant (an unused `let`, a condition that can never change, a message about a field the
//! rule never tests), and waivers that name nothing or are about to lapse.
//!
//! Each lint is a [`Lint`] in a file of its own, next to the definition of its code (whose
//! doc comment is the code's entry in `docs/errors.md`), and [`ALL`] lists them. A lint
//! looks at up to three things, through the hooks it implements:
//!
//! - what was *written*, [`Lint::file`]: the AST of each policy file, which lint parses
//!   again from the source map (`Program::files`);
//! - what it *means*, [`Lint::rule`]: the checked rules, where `let`s are already inlined,
//!   so `v handles address` and `v handles personal.contact.address` are the same
//!   condition;
//! - the waivers, [`Lint::waiver`]: each waiver that names a known rule and entity.
//!
//! Nothing here evaluates the inventory; the only evaluation is of expressions that
//! mention no entity and no date, which is what makes them constant.

mod expr;

pub mod constant_condition;
pub mod covered_category;
pub mod duplicate_require;
pub mod missing_references;
pub mod missing_remediation;
pub mod negated_missing;
pub mod shadowed_name;
pub mod template_field_untouched;
pub mod unused_let;
pub mod waiver_expires_soon;
pub mod window_direction;

use crate::ast;
use crate::check::{CheckedRule, Program};
use crate::diag::code::Code;
use crate::diag::{self, Diag};
use crate::eval::{self, waivers};
use crate::inventory::{Inventory, Schema, Taxonomy};
use crate::project::config::LintSettings;
use crate::project::waivers::Waiver;
use crate::source::{FileId, Loc, SourceMap, Span};
use jiff::civil::Date;
use std::collections::HashMap;

/// One lint: its code, and what it looks at. Each hook has a default that reports nothing,
/// so a lint implements only the ones it needs; every hook pushes its warnings onto `out`
/// (in any order: [`lint`] sorts them).
pub trait Lint {
    /// The code of every warning the lint gives.
    fn code(&self) -> &'static Code;
    /// A policy file as written, once per file in `Program::files`.
    fn file(&self, _cx: &Cx<'_>, _file: &File<'_>, _out: &mut Vec<Diag>) {}
    /// A checked rule, once per rule in the program (a rule with errors is not there).
    fn rule<'a>(&self, _cx: &Cx<'a>, _rule: &'a CheckedRule, _out: &mut Vec<Diag>) {}
    /// A waiver naming a rule of the program and an entity of the inventory.
    fn waiver(&self, _cx: &Cx<'_>, _waiver: &Waiver, _out: &mut Vec<Diag>) {}
}

/// Every lint, in the order of their codes in `docs/errors.md`.
pub const ALL: &[&dyn Lint] = &[
    &unused_let::UnusedLet,
    &shadowed_name::ShadowedName,
    &constant_condition::ConstantCondition,
    &negated_missing::NegatedMissing,
    &window_direction::WindowDirection,
    &duplicate_require::DuplicateRequire,
    &covered_category::CoveredCategory,
    &missing_remediation::MissingRemediation,
    &missing_references::MissingReferences,
    &template_field_untouched::TemplateFieldUntouched,
    &waiver_expires_soon::WaiverExpiresSoon,
];

/// The lint codes, in catalogue order.
pub fn codes() -> Vec<&'static Code> {
    ALL.iter().map(|l| l.code()).collect()
}

/// Everything lint looks at: the output of `run::load`.
pub struct Input<'a> {
    pub sources: &'a SourceMap,
    pub schema: &'a Schema,
    pub taxonomy: &'a Taxonomy,
    pub inventory: &'a Inventory,
    pub program: &'a Program,
    pub waivers: &'a [Waiver],
    pub as_of: Date,
    /// custody.yaml's `lint:` section.
    pub settings: &'a LintSettings,
}

/// What every hook may consult.
pub struct Cx<'a> {
    pub sources: &'a SourceMap,
    pub taxonomy: &'a Taxonomy,
    pub as_of: Date,
    /// `lint.waiver_expiry_days` (default [`waiver_expires_soon::EXPIRY_WARNING_DAYS`]).
    pub waiver_expiry_days: i64,
    /// An evaluator over an empty inventory, for expressions that mention no entity
    /// (`expr::constant`).
    pub eval: eval::Context<'a>,
    /// Lowercased rule ID → the first rule written with it (its ID as written, and where),
    /// over every policy file, whether or not the rule checked.
    pub rule_ids: HashMap<String, (String, Loc)>,
}

/// A policy file as written.
pub struct File<'a> {
    pub id: FileId,
    pub ast: &'a ast::PolicyFile,
}

impl File<'_> {
    pub fn loc(&self, span: Span) -> Loc {
        Loc::new(self.id, span)
    }
}

/// Every lint warning, sorted; with them, the warnings `check` gives about waivers that
/// name an unknown rule or entity.
pub fn lint(input: &Input<'_>) -> Vec<Diag> {
    let mut files: Vec<(FileId, ast::PolicyFile)> = Vec::new();
    for &file in &input.program.files {
        let text = input.sources.text(file);
        // The file parsed before (that is how it got into `files`); its syntax errors, if
        // any, are already reported, so the second parse's diagnostics are dropped.
        if let Some(pf) = crate::syntax::parse_policy(file, text, &mut Vec::new()) {
            files.push((file, pf));
        }
    }
    let mut rule_ids: HashMap<String, (String, Loc)> = HashMap::new();
    // Every rule ID written, whether or not the rule checked.
    let mut written: Vec<&str> = Vec::new();
    for (file, pf) in &files {
        for item in &pf.items {
            if let ast::Item::Rule(r) = item {
                written.push(&r.id.name);
                rule_ids
                    .entry(r.id.name.to_lowercase())
                    .or_insert_with(|| (r.id.name.clone(), Loc::new(*file, r.id.span)));
            }
        }
    }
    // Only expressions that mention no entity are ever evaluated, so the evaluator gets an
    // empty inventory: nothing to precompute however large the real one is.
    let nothing = Inventory::default();
    let cx = Cx {
        sources: input.sources,
        taxonomy: input.taxonomy,
        as_of: input.as_of,
        waiver_expiry_days: input
            .settings
            .waiver_expiry_days
            .map_or(waiver_expires_soon::EXPIRY_WARNING_DAYS, i64::from),
        eval: eval::Context::new(
            input.program,
            &nothing,
            input.schema,
            input.taxonomy,
            input.sources,
            input.as_of,
        ),
        rule_ids,
    };
    let mut out = Vec::new();
    for (id, ast) in &files {
        let file = File { id: *id, ast };
        for l in ALL {
            l.file(&cx, &file, &mut out);
        }
    }
    for rule in &input.program.rules {
        for l in ALL {
            l.rule(&cx, rule, &mut out);
        }
    }
    for w in input.waivers {
        // A waiver naming an unknown or disabled rule or an unknown entity gets the warning
        // `check` gives, unless the rule is written but has errors (reported already).
        if let Err(d) = waivers::resolve(w, input.program, input.inventory, input.schema) {
            let disabled = input.program.disabled.iter().any(|(id, _)| *id == w.rule);
            let has_errors = input.program.rule(&w.rule).is_none()
                && !disabled
                && written.contains(&w.rule.as_str());
            if !has_errors {
                out.push(*d);
            }
            continue;
        }
        for l in ALL {
            l.waiver(&cx, w, &mut out);
        }
    }
    let mut out = allow(input.settings, input.sources, out);
    diag::sort(&mut out);
    out.dedup();
    out
}

/// A code as written in `lint.allow` or a `# custody: allow` comment, without the
/// `custody::` prefix.
fn short(code: &str) -> &str {
    code.strip_prefix("custody::").unwrap_or(code)
}

/// Drop the warnings `lint.allow` names and those silenced by a `# custody: allow CODE`
/// comment on the line of their primary label (ruff's `# noqa` convention: the same line).
/// An unknown code in `lint.allow` is a config error, with a did-you-mean.
fn allow(settings: &LintSettings, sources: &SourceMap, warnings: Vec<Diag>) -> Vec<Diag> {
    let known: Vec<&str> = codes().iter().map(|c| short(c.name)).collect();
    let mut out = Vec::new();
    let mut allowed: Vec<&str> = Vec::new();
    for (code, loc) in &settings.allow {
        if known.contains(&short(code)) {
            allowed.push(short(code));
            continue;
        }
        let help = diag::did_you_mean(short(code), known.iter().copied()).map_or_else(
            || "`custody help-code lint` lists the lint codes".to_owned(),
            |c| format!("did you mean `custody::{c}`?"),
        );
        out.push(
            Diag::new(
                &crate::diag::codes::config::INVALID,
                format!("`{code}` in `lint.allow` is not a lint code"),
            )
            .at(*loc, "unknown lint code")
            .help(help),
        );
    }
    for d in warnings {
        let code = short(d.code);
        let silenced = !d.is_error()
            && known.contains(&code)
            && (allowed.contains(&code)
                || d.primary.as_ref().is_some_and(|l| {
                    allowed_on_line(sources.text(l.loc.file), l.loc.span.start as usize)
                        .any(|c| short(c) == code)
                }));
        if !silenced {
            out.push(d);
        }
    }
    out
}

/// The codes of a `# custody: allow CODE[, CODE]` comment on the line holding byte `at`.
fn allowed_on_line(text: &str, at: usize) -> impl Iterator<Item = &str> {
    let at = at.min(text.len());
    let start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = text
        .get(at..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| at + i);
    let line = text.get(start..end).unwrap_or("");
    line.match_indices('#')
        .filter_map(|(i, _)| {
            let rest = line.get(i + 1..)?.trim_start();
            let rest = rest.strip_prefix("custody:")?.trim_start();
            rest.strip_prefix("allow")
                .filter(|r| r.starts_with(char::is_whitespace))
        })
        .flat_map(|codes| {
            codes
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|c| !c.is_empty())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lint_has_its_own_code() {
        let mut names: Vec<&str> = codes().iter().map(|c| c.name).collect();
        assert!(names.iter().all(|n| n.starts_with("custody::lint::")));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}
