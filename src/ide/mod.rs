//! Editor queries over one analysed project: what the language server answers (hover,
//! completion, definition, references, document symbols, code lenses), independent of the
//! protocol. Positions are byte offsets into a file of the project's `SourceMap`; the
//! language server (`cmd::lsp`) converts them to and from LSP's UTF-16 positions.
//!
//! Every function reads a [`Checked`] project (parsed policies, the validated inventory,
//! waivers, schema and taxonomy, the checked program) and, where findings matter, the
//! findings of its last evaluation. A file with errors still answers from what parsed.
//!
//! What the cursor is on is read from the text around the offset, not from the parse: the
//! text being typed rarely parses. In a policy ([`policy`]) the tokenizer (`syntax::lex`)
//! splits the current item, `for KIND VAR` and quantifier/aggregate sources bind variables,
//! and a dotted path is resolved against them, the `let`s and the taxonomy. In YAML
//! ([`yaml`]) the chain of keys and list items above the cursor is read from indentation
//! (and `[...]`/`{...}` on the cursor's line), then interpreted for the file's role:
//! inventory, waivers or custody.yaml. Names are then looked up in the checked project
//! (entities, rules, categories, schema fields); the answers' words come from the schema's
//! and taxonomy's docs, so they read as the CLI does. No offset panics: past the end or inside
//! a multi-byte character, it is moved back to a character boundary.

mod policy;
mod summary;
mod yaml;

use crate::check::Checked;
use crate::eval::Finding;
use crate::source::{FileId, Loc, Span};

/// A hover: the range it is about and its text (Markdown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// What a completion item is, for the editor's icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A clause keyword (`for`, `where`, `require`, `severity`, ...).
    Keyword,
    /// An entity kind (`vendor`, `data_store`).
    Kind,
    /// A field of a kind, or a member of an object field.
    Field,
    /// A data category of the taxonomy.
    Category,
    /// An entity id (in a reference, a waiver, a test file).
    Entity,
    /// A `let`, an export or a bound variable.
    Variable,
    /// A rule id.
    Rule,
    /// An enum value.
    Value,
}

/// One completion item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    /// One line shown beside the label (a field's type, a category's parent).
    pub detail: Option<String>,
    /// Longer Markdown documentation.
    pub documentation: Option<String>,
    /// The text the label replaces, up to the cursor: the word typed before it in a policy
    /// (after the last `.` of a path), the scalar from its start in YAML (where a category
    /// or a `KIND/ID` is completed whole). Empty, at the cursor, when nothing is typed.
    pub replace: Span,
}

/// What a document symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Rule,
    Let,
    /// An entity in an inventory file.
    Entity,
    /// A waiver in the waivers file.
    Waiver,
    /// A top-level section of a YAML file (`vendors:`, `data_stores:`).
    Section,
}

/// One document symbol, with the symbols inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole declaration.
    pub span: Span,
    /// The name within it.
    pub selection: Span,
    pub children: Vec<Symbol>,
}

/// A code lens: a line of text above a rule (its failing count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    pub span: Span,
    pub title: String,
}

/// The hover at `offset` in `file`.
pub fn hover(checked: &Checked, findings: &[Finding], file: FileId, offset: u32) -> Option<Hover> {
    let offset = clamp(checked, file, offset)?;
    match role(checked, file) {
        Role::Policy => policy::hover(checked, findings, file, offset),
        Role::Yaml(r) => yaml::hover(checked, findings, file, offset, r),
    }
}

/// The completions at `offset` in `file` (the text before `offset` decides which).
pub fn completion(checked: &Checked, file: FileId, offset: u32) -> Vec<Completion> {
    let Some(offset) = clamp(checked, file, offset) else {
        return Vec::new();
    };
    match role(checked, file) {
        Role::Policy => policy::completion(checked, file, offset),
        Role::Yaml(r) => yaml::completion(checked, file, offset, r),
    }
}

/// Where the name at `offset` in `file` is declared.
pub fn definition(checked: &Checked, file: FileId, offset: u32) -> Vec<Loc> {
    let Some(offset) = clamp(checked, file, offset) else {
        return Vec::new();
    };
    let target = match role(checked, file) {
        Role::Policy => policy::target(checked, file, offset),
        Role::Yaml(r) => yaml::target(checked, file, offset, r),
    };
    target.map_or_else(Vec::new, |t| t.declaration(checked))
}

/// Every place the name at `offset` in `file` is used (and declared, when asked).
pub fn references(
    checked: &Checked,
    file: FileId,
    offset: u32,
    include_declaration: bool,
) -> Vec<Loc> {
    let Some(offset) = clamp(checked, file, offset) else {
        return Vec::new();
    };
    let target = match role(checked, file) {
        Role::Policy => policy::target(checked, file, offset),
        Role::Yaml(r) => yaml::target(checked, file, offset, r),
    };
    let Some(target) = target else {
        return Vec::new();
    };
    let mut out = target.uses(checked);
    if include_declaration {
        out.extend(target.declaration(checked));
    }
    let sources = &checked.project.sources;
    out.sort_by(|a, b| {
        (sources.name(a.file), a.span.start).cmp(&(sources.name(b.file), b.span.start))
    });
    out.dedup();
    out
}

/// The outline of `file`.
pub fn symbols(checked: &Checked, file: FileId) -> Vec<Symbol> {
    if (file.0 as usize) >= checked.project.sources.len() {
        return Vec::new();
    }
    match role(checked, file) {
        Role::Policy => policy::symbols(checked, file),
        Role::Yaml(r) => yaml::symbols(checked, file, r),
    }
}

/// One lens per rule of `file`: its failing count.
pub fn lenses(checked: &Checked, findings: &[Finding], file: FileId) -> Vec<Lens> {
    if (file.0 as usize) >= checked.project.sources.len() {
        return Vec::new();
    }
    match role(checked, file) {
        Role::Policy => policy::lenses(checked, findings, file),
        Role::Yaml(_) => Vec::new(),
    }
}

/// What kind of file a query is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Policy,
    Yaml(YamlRole),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum YamlRole {
    Inventory,
    Waivers,
    Config,
    /// A YAML file custody does not know (answers nothing).
    Other,
}

/// A policy file is one the project parsed (or failed to), or any `.policy`; custody.yaml is
/// known by its name; another YAML file holds the project's waivers, or is read from its
/// first top-level key naming a collection or `waivers` (so a file whose entities all have
/// errors is still an inventory file).
fn role(checked: &Checked, file: FileId) -> Role {
    let project = &checked.project;
    let policies = &project.policies;
    let name = project.sources.name(file);
    if name.ends_with(".policy")
        || policies.files.iter().any(|p| p.file == file)
        || policies.broken.contains(&file)
    {
        return Role::Policy;
    }
    if project.waivers.iter().any(|w| w.loc.file == file) {
        return Role::Yaml(YamlRole::Waivers);
    }
    let base = name.rsplit('/').next().unwrap_or(name);
    if matches!(base, "custody.yaml" | "custody.yml") {
        return Role::Yaml(YamlRole::Config);
    }
    for key in yaml::top_level_keys(project.sources.text(file)) {
        if key == "waivers" {
            return Role::Yaml(YamlRole::Waivers);
        }
        if project.schema.kind_by_collection(key).is_some() {
            return Role::Yaml(YamlRole::Inventory);
        }
    }
    Role::Yaml(YamlRole::Other)
}

/// `offset` moved into `file`'s text and back to a character boundary (`None`: no such
/// file).
fn clamp(checked: &Checked, file: FileId, offset: u32) -> Option<usize> {
    if (file.0 as usize) >= checked.project.sources.len() {
        return None;
    }
    let text = checked.project.sources.text(file);
    Some(floor_char_boundary(text, offset as usize))
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while o > 0 && !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// What a definition or references query is about.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    /// A `let` or export: its name and where its name is declared.
    Let {
        name: String,
        decl: Loc,
        export: bool,
    },
    /// A variable bound in a rule (`for vendor v`, `all s in ...`): only its binding.
    Var {
        decl: Loc,
        uses: Vec<Loc>,
    },
    Rule(String),
    Entity(crate::inventory::EntityId),
}

impl Target {
    fn declaration(&self, checked: &Checked) -> Vec<Loc> {
        match self {
            Target::Let { decl, .. } | Target::Var { decl, .. } => vec![*decl],
            Target::Rule(id) => summary::rule_decl(checked, id).into_iter().collect(),
            Target::Entity(e) => vec![checked.project.inventory.get(*e).id_loc],
        }
    }

    fn uses(&self, checked: &Checked) -> Vec<Loc> {
        match self {
            Target::Let { name, decl, export } => policy::let_uses(checked, name, *decl, *export),
            Target::Var { uses, .. } => uses.clone(),
            Target::Rule(id) => checked
                .project
                .waivers
                .iter()
                .filter(|w| w.rule.as_str() == id)
                .map(|w| w.rule_loc)
                .chain(
                    checked
                        .program
                        .disabled
                        .iter()
                        .filter(|(r, _)| r.as_str() == id)
                        .map(|(_, loc)| *loc),
                )
                .collect(),
            Target::Entity(e) => summary::entity_uses(checked, *e),
        }
    }
}
