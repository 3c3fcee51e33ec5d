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

use crate::ast;
use crate::check::{CheckedRule, Program};
use crate::diag::code::Code;
use crate::diag::{self, Diag};
use crate::eval::{self, waivers};
use crate::inventory::{Inventory, Schema, Taxonomy};
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
}

/// What every hook may consult.
pub struct Cx<'a> {
    pub sources: &'a SourceMap,
    pub taxonomy: &'a Taxonomy,
    pub as_of: Date,
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
        // A waiver naming an unknown rule or entity gets the warning `check` gives, unless
        // the rule is written but has errors (reported already).
        if let Err(d) = waivers::resolve(w, input.program, input.inventory, input.schema) {
            let has_errors =
                input.program.rule(&w.rule).is_none() && written.contains(&w.rule.as_str());
            if !has_errors {
                out.push(*d);
            }
            continue;
        }
        for l in ALL {
            l.waiver(&cx, w, &mut out);
        }
    }
    diag::sort(&mut out);
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOGUE: &str = include_str!("../../docs/errors.md");

    /// `### custody::lint::NAME` → its lines up to the next heading (outside fences).
    fn doc_entries() -> Vec<(&'static str, Vec<&'static str>)> {
        let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
        let mut in_fence = false;
        let mut current = false;
        for line in CATALOGUE.lines() {
            if line.trim_start().starts_with("```") {
                in_fence = !in_fence;
            }
            if !in_fence && line.starts_with('#') {
                current = false;
                if let Some(code) = line.strip_prefix("### ").map(str::trim)
                    && code.starts_with("custody::lint::")
                {
                    out.push((code, Vec::new()));
                    current = true;
                }
                continue;
            }
            if current && let Some((_, lines)) = out.last_mut() {
                lines.push(line);
            }
        }
        out
    }

    fn trim_blank_lines(lines: &[&str]) -> String {
        let start = lines.iter().position(|l| !l.trim().is_empty());
        let end = lines.iter().rposition(|l| !l.trim().is_empty());
        match (start, end) {
            (Some(s), Some(e)) => lines[s..=e].join("\n"),
            _ => String::new(),
        }
    }

    /// The first sentence of the first paragraph, as `help_code::Entry::summary` has it.
    fn first_sentence(body: &[&str]) -> String {
        let para: Vec<&str> = body
            .iter()
            .map(|l| l.trim())
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty())
            .collect();
        let text = para.join(" ");
        match text.find(". ") {
            Some(i) => text[..=i].to_owned(),
            None => text,
        }
    }

    #[test]
    fn the_catalogue_is_the_codes_doc_comments() {
        let entries = doc_entries();
        for code in codes() {
            let Some((_, lines)) = entries.iter().find(|(c, _)| *c == code.name) else {
                panic!("docs/errors.md has no `### {}`", code.name);
            };
            let level = match code.level {
                diag::Level::Error => "error",
                diag::Level::Warning => "warning",
            };
            assert_eq!(
                lines.first().copied(),
                Some(format!("Level: {level}").as_str()),
                "{}",
                code.name
            );
            let body = &lines[1..];
            let entry = code.entry();
            let entry: Vec<&str> = entry.lines().collect();
            assert_eq!(
                trim_blank_lines(&entry),
                trim_blank_lines(body),
                "{}: the doc comment of its definition is not its entry",
                code.name
            );
            assert_eq!(code.summary, first_sentence(body), "{}", code.name);
        }
        let documented: Vec<&str> = entries.iter().map(|(c, _)| *c).collect();
        let defined: Vec<&str> = codes().iter().map(|c| c.name).collect();
        assert_eq!(
            documented, defined,
            "lint codes in docs/errors.md, in order"
        );
    }

    #[test]
    fn every_lint_has_its_own_code() {
        let mut names: Vec<&str> = codes().iter().map(|c| c.name).collect();
        assert!(names.iter().all(|n| n.starts_with("custody::lint::")));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}
