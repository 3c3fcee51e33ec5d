//! Editor queries over one analysed project: what the language server answers (hover,
//! completion, definition, references, document symbols, code lenses), independent of the
//! protocol. Positions are byte offsets into a file of the project's `SourceMap`; the
//! language server (`cmd::lsp`) converts them to and from LSP's UTF-16 positions.
//!
//! Every function reads a [`Checked`] project (parsed policies, the validated inventory,
//! waivers, schema and taxonomy, the checked program) and, where findings matter, the
//! findings of its last evaluation. A file with errors still answers from what parsed.

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
pub fn hover(
    _checked: &Checked,
    _findings: &[Finding],
    _file: FileId,
    _offset: u32,
) -> Option<Hover> {
    None
}

/// The completions at `offset` in `file` (the text before `offset` decides which).
pub fn completion(_checked: &Checked, _file: FileId, _offset: u32) -> Vec<Completion> {
    Vec::new()
}

/// Where the name at `offset` in `file` is declared.
pub fn definition(_checked: &Checked, _file: FileId, _offset: u32) -> Vec<Loc> {
    Vec::new()
}

/// Every place the name at `offset` in `file` is used (and declared, when asked).
pub fn references(
    _checked: &Checked,
    _file: FileId,
    _offset: u32,
    _include_declaration: bool,
) -> Vec<Loc> {
    Vec::new()
}

/// The outline of `file`.
pub fn symbols(_checked: &Checked, _file: FileId) -> Vec<Symbol> {
    Vec::new()
}

/// One lens per rule of `file`: its failing count.
pub fn lenses(_checked: &Checked, _findings: &[Finding], _file: FileId) -> Vec<Lens> {
    Vec::new()
}
