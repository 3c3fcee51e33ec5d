//! Name resolution and type checking of policies against the schema and taxonomy.
//!
//! Input: parsed `PolicyFile`s. Output: `CheckedRule`s (see `ir`) plus diagnostics. A rule
//! with any error is left out of the program, so a policy that cannot be type-correct never
//! runs; the other rules still do. [`project`] is the stage over a loaded project: it checks
//! its policies and keeps the library rules the config selects ([`program`]).

pub mod ir;

use crate::ast::{self, ClauseKind, CmpOp, Expr, ExprKind, IsTest, PolicyFile};
use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::inventory::{CatId, FieldType, KindId, Schema, Taxonomy};
use crate::project::Project;
use crate::project::policies::{Definition, Override, Policies};
use crate::source::{FileId, Loc, SourceMap, Span};
use crate::types::{RuleId, Severity};
pub use ir::*;
use std::collections::{HashMap, HashSet};

/// Virtual fields every kind has, beside the schema's.
const VIRTUAL_ID: &str = "id";
/// Virtual field of vendors: the transitive closure of `subprocessors`.
const VIRTUAL_SUPPLY_CHAIN: &str = "supply_chain";
/// `x.link`: the link through which a quantifier's variable was reached.
const LINK: &str = "link";
/// `p.depth` and `p.via`: where a `supply_chain` element sits on its path.
const DEPTH: &str = "depth";
const VIA: &str = "via";

#[derive(Debug, Default)]
pub struct Program {
    /// In rule-ID order.
    pub rules: Vec<CheckedRule>,
    /// The policy files that parsed, in load order (`lint` reads them again for warnings
    /// about what was written, such as unused `let`s).
    pub files: Vec<FileId>,
    /// Rules `library.disable` removed, with where each is disabled (waivers naming one
    /// say so).
    pub disabled: Vec<(RuleId, Loc)>,
    /// Every export of the run (`export let`, `definitions:`, built-in), by name.
    pub exports: Vec<Export>,
}

/// An export: its name, its whole declaration (`export let NAME = VALUE`, for `custody
/// explain`) and its checked value (`None` when it has errors), for checking more policy
/// text against the same exports (`custody query`, [`check_with_exports`]).
#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    pub name_loc: Loc,
    pub loc: Loc,
    pub value: Option<CExpr>,
}

impl Program {
    pub fn rule(&self, id: &RuleId) -> Option<&CheckedRule> {
        self.rules.iter().find(|r| &r.id == id)
    }
}

/// A loaded project and its checked policies: what evaluation, `lint`, `explain`, `query`
/// and `impact` start from.
pub struct Checked {
    pub project: Project,
    pub program: Program,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.project.has_errors()
    }
}

/// The check stage: check the project's policies into a program.
pub fn project(mut project: Project) -> Checked {
    let program = program(
        &project.policies,
        &project.sources,
        &project.schema,
        &project.taxonomy,
        &mut project.diags,
    );
    project.timings.lap(crate::project::POLICIES);
    Checked { project, program }
}

/// Check parsed policies, then keep only the library rules the `builtin:` entries select
/// and drop the `library.disable`d ones (a disabled ID that names no loaded rule is an error).
pub fn program(
    policies: &Policies,
    sources: &SourceMap,
    schema: &Schema,
    taxonomy: &Taxonomy,
    diags: &mut Vec<Diag>,
) -> Program {
    let extra = Extra {
        prelude: &policies.prelude,
        overrides: &policies.overrides,
        definitions: &policies.definitions,
        seed: &[],
        broken: &policies.broken,
    };
    let mut program = check_with(&policies.files, &extra, sources, schema, taxonomy, diags);
    let library = &policies.library_files;
    // Library rules not selected by a `builtin:` entry, and disabled rules, do not run.
    program
        .rules
        .retain(|r| !library.contains(&r.loc.file) || policies.selection.keeps(&r.references));
    for (id, loc) in &policies.disable {
        match program.rules.iter().position(|r| &r.id == id) {
            Some(i) => {
                program.rules.remove(i);
                program.disabled.push((id.clone(), *loc));
            }
            None if !policies.strict && library.is_empty() => {}
            None => diags.push(
                Diag::new(
                    &codes::library::UNKNOWN_RULE,
                    format!("`library.disable` names `{id}`, which no loaded policy defines"),
                )
                .at(*loc, "no such rule")
                .help_opt(diag::suggest(
                    id.as_str(),
                    program.rules.iter().map(|r| r.id.as_str()),
                    "loaded rules",
                )),
            ),
        }
    }
    program
}

/// The names `check` needs from the schema, looked up once.
pub struct Builtins {
    pub vendor: Option<KindId>,
    pub data_store: Option<KindId>,
}

impl Builtins {
    pub fn new(schema: &Schema) -> Builtins {
        Builtins {
            vendor: schema.kind_by_name("vendor"),
            data_store: schema.kind_by_name("data_store"),
        }
    }
}

/// Check all policy files. Rule IDs must be unique across all of them.
pub fn check(
    files: &[PolicyFile],
    sources: &SourceMap,
    schema: &Schema,
    taxonomy: &Taxonomy,
    diags: &mut Vec<Diag>,
) -> Program {
    let extra = Extra::default();
    check_with(files, &extra, sources, schema, taxonomy, diags)
}

/// [`check`], with the exports of a program checked before (a `custody query` sees the
/// project's exports and the built-in ones).
pub fn check_with_exports(
    files: &[PolicyFile],
    exports: &[Export],
    sources: &SourceMap,
    schema: &Schema,
    taxonomy: &Taxonomy,
    diags: &mut Vec<Diag>,
) -> Program {
    let extra = Extra {
        seed: exports,
        ..Extra::default()
    };
    check_with(files, &extra, sources, schema, taxonomy, diags)
}

/// What a run checks besides its policy files (nothing, for [`check`]).
#[derive(Default)]
struct Extra<'x> {
    /// Exports from no policy file: built-in, custody.yaml's `definitions:`.
    prelude: &'x [PolicyFile],
    /// Library `let`s given another value by custody.yaml's `library.parameters`.
    overrides: &'x [Override],
    definitions: &'x [Definition],
    /// Exports checked before (`custody query`).
    seed: &'x [Export],
    /// Policy files that did not parse at all: a use of one of their exports is a
    /// consequence of that error, not reported again.
    broken: &'x [FileId],
}

/// [`check`], with what [`Extra`] adds: the `let`s whose values custody.yaml's
/// `library.parameters` replaced (a mistake in such a value is labelled in custody.yaml, and
/// a value of another type than the library's default is an error there, the rules using it
/// do not run), and exports from outside the policy files (built-in, `definitions:`),
/// checked like theirs.
///
/// `let`s are checked first, all of them, in an order where each comes after what it
/// names: an export is visible in every file whatever the load order, so a `let` may name
/// an export of a later file ([`let_order`]). Rules are checked after, file by file; a
/// file `let` is visible to the items below it only (`Checker::at_item`).
#[allow(clippy::too_many_arguments)]
fn check_with(
    files: &[PolicyFile],
    extra: &Extra<'_>,
    sources: &SourceMap,
    schema: &Schema,
    taxonomy: &Taxonomy,
    diags: &mut Vec<Diag>,
) -> Program {
    let Extra {
        prelude,
        overrides,
        definitions,
        seed,
        broken,
    } = *extra;
    let builtins = Builtins::new(schema);
    let all: Vec<&PolicyFile> = prelude.iter().chain(files).collect();
    let names = Names::collect(&all, definitions, sources, diags);
    let (order, cyclic) = let_order(&all, &names, overrides, diags);
    let mut scopes: Vec<FileScope> = all
        .iter()
        .map(|pf| FileScope {
            lets: HashMap::new(),
            unparsed: names.unparsed(pf),
        })
        .collect();
    let mut exports = Exports {
        bound: HashMap::new(),
        failed: names.unparsed_exports(&all, broken),
        local: names.local_files(&all),
    };
    for e in seed {
        match &e.value {
            Some(value) => {
                let binding = LetBinding {
                    value: value.clone(),
                    name_loc: e.name_loc,
                    item: 0,
                };
                exports.bound.insert(e.name.clone(), binding);
            }
            None => {
                exports.failed.insert(e.name.clone());
            }
        }
    }
    for (fi, ii) in order {
        let (Some(pf), Some(scope)) = (all.get(fi), scopes.get_mut(fi)) else {
            continue;
        };
        let Some(ast::Item::Let(l)) = pf.items.get(ii) else {
            continue;
        };
        let name = l.name.name.clone();
        let exported = l.export.is_some();
        let value = if cyclic.contains(&(fi, ii)) {
            None
        } else {
            let mut cx = Checker::new(
                pf.file, overrides, sources, schema, taxonomy, &builtins, &exports,
            );
            cx.at_item = ii;
            cx.lets = std::mem::take(&mut scope.lets);
            cx.unparsed_lets = std::mem::take(&mut scope.unparsed);
            let value = cx.let_value(l);
            scope.lets = cx.lets;
            scope.unparsed = cx.unparsed_lets;
            let mut found = cx.diags;
            if let Some(d) = definitions.iter().find(|d| d.source == pf.file) {
                found = found.into_iter().map(|x| d.moved(x)).collect();
            }
            diags.append(&mut found);
            value
        };
        let name_loc = names.name_loc(pf, l);
        match (value, exported) {
            (Some(value), true) => {
                exports.bound.insert(
                    name,
                    LetBinding {
                        value,
                        name_loc,
                        item: ii,
                    },
                );
            }
            (Some(value), false) => {
                scope.lets.insert(
                    name,
                    LetBinding {
                        value,
                        name_loc,
                        item: ii,
                    },
                );
            }
            // Its error is reported; uses of the name would only repeat it.
            (None, true) => {
                exports.failed.insert(name);
            }
            (None, false) => scope.unparsed.push(name),
        }
    }
    let mut rules: Vec<CheckedRule> = Vec::new();
    let mut seen: HashMap<String, Loc> = HashMap::new();
    for (fi, pf) in all.iter().enumerate().skip(prelude.len()) {
        let Some(scope) = scopes.get_mut(fi) else {
            continue;
        };
        let mut cx = Checker::new(
            pf.file, overrides, sources, schema, taxonomy, &builtins, &exports,
        );
        cx.lets = std::mem::take(&mut scope.lets);
        cx.unparsed_lets = std::mem::take(&mut scope.unparsed);
        for (ii, item) in pf.items.iter().enumerate() {
            cx.at_item = ii;
            match item {
                // Checked above.
                ast::Item::Let(_) => {}
                ast::Item::Rule(r) => {
                    let loc = cx.loc(r.id.span);
                    if let Some(first) = seen.get(&r.id.name) {
                        cx.diags.push(
                            Diag::new(&codes::policy::DUPLICATE_RULE, format!("rule `{}` is defined twice", r.id.name))
                                .at(loc, "second definition")
                                .also(*first, "first defined here")
                                .help("rule IDs are unique across all loaded policies; rename one of them"),
                        );
                        continue;
                    }
                    seen.insert(r.id.name.clone(), loc);
                    if let Some(rule) = cx.rule(r) {
                        rules.push(rule);
                    }
                }
            }
        }
        diags.append(&mut cx.diags);
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let mut exported: Vec<Export> = names
        .exports
        .iter()
        .filter_map(|(name, &(fi, ii))| {
            let pf = all.get(fi)?;
            let ast::Item::Let(l) = pf.items.get(ii)? else {
                return None;
            };
            // An overridden library parameter is shown as custody.yaml gives it.
            let loc = match overrides
                .iter()
                .find(|o| o.file == pf.file && o.name == **name)
            {
                Some(o) => {
                    let text = sources.text(o.source);
                    Loc::new(o.source, Span::new(0, text.trim_end().len()))
                }
                None => Loc::new(pf.file, l.span),
            };
            Some(Export {
                name: (*name).to_owned(),
                name_loc: names.name_loc(pf, l),
                loc,
                value: exports.bound.get(*name).map(|b| b.value.clone()),
            })
        })
        .collect();
    exported.sort_by(|a, b| a.name.cmp(&b.name));
    Program {
        rules,
        files: files.iter().map(|pf| pf.file).collect(),
        disabled: Vec::new(),
        exports: exported,
    }
}

/// The `let`s of one file, as checked so far.
struct FileScope {
    lets: HashMap<String, LetBinding>,
    /// See `Checker::unparsed_lets`.
    unparsed: Vec<String>,
}

/// The exports of the run, as checked so far.
struct Exports {
    bound: HashMap<String, LetBinding>,
    /// Exports that did not parse or check (reported): a use is a consequence.
    failed: HashSet<String>,
    /// Every file `let` name, with the first file that defines it: an unknown name that is
    /// a `let` of another file gets a help saying so.
    local: HashMap<String, FileId>,
}

/// Where each `let` and export is, by name, before anything is checked (indices into the
/// run's files and their items). Duplicates are reported here and left out.
struct Names<'f> {
    /// Export name → (file, item): the first one in load order.
    exports: HashMap<&'f str, (usize, usize)>,
    /// Per file, file `let` name → item: the first one.
    locals: Vec<HashMap<&'f str, usize>>,
    /// `definitions:` entries by their source.
    definitions: &'f [Definition],
    sources: &'f SourceMap,
}

impl<'f> Names<'f> {
    fn collect(
        all: &[&'f PolicyFile],
        definitions: &'f [Definition],
        sources: &'f SourceMap,
        diags: &mut Vec<Diag>,
    ) -> Names<'f> {
        let mut names = Names {
            exports: HashMap::new(),
            locals: Vec::new(),
            definitions,
            sources,
        };
        let lets = |pf: &'f PolicyFile| {
            pf.items.iter().enumerate().filter_map(|(ii, i)| match i {
                ast::Item::Let(l) => Some((ii, l)),
                ast::Item::Rule(_) => None,
            })
        };
        // What custody ships (built-in groups, the library) comes first, so a clash is
        // reported at what the user wrote (custody.yaml or a policy file).
        let mut written: Vec<(usize, &'f PolicyFile)> = all.iter().copied().enumerate().collect();
        written.sort_by_key(|(_, pf)| !sources.name(pf.file).starts_with("builtin:"));
        for (fi, pf) in written {
            for (ii, l) in lets(pf).filter(|(_, l)| l.export.is_some()) {
                let name = l.name.name.as_str();
                match names
                    .exports
                    .get(name)
                    .and_then(|&(f, i)| names.let_at(all, f, i))
                {
                    Some((first_pf, first)) => {
                        let first_loc = names.name_loc(first_pf, first);
                        let from = sources.name(first_pf.file);
                        let help = if from.starts_with(&crate::library::source_name("")) {
                            format!(
                                "`{name}` is a parameter of the policy library: give it another value under `library.parameters` in custody.yaml, or pick another name"
                            )
                        } else if from.starts_with("builtin:") {
                            format!("`{name}` is built in; pick another name")
                        } else {
                            "an export is visible in every policy file of the run, so its name is unique across them; keep one, or rename one".to_owned()
                        };
                        diags.push(
                            Diag::new(
                                &codes::policy::DUPLICATE_EXPORT,
                                format!("`{name}` is exported twice"),
                            )
                            .at(names.name_loc(pf, l), "exported again here")
                            .also(first_loc, "first exported here")
                            .help(help),
                        );
                    }
                    None => {
                        names.exports.insert(name, (fi, ii));
                    }
                }
            }
        }
        for (fi, pf) in all.iter().enumerate() {
            let mut locals: HashMap<&'f str, usize> = HashMap::new();
            for (ii, l) in lets(pf).filter(|(_, l)| l.export.is_none()) {
                let name = l.name.name.as_str();
                let name_loc = Loc::new(pf.file, l.name.span);
                if let Some(first) = locals.get(name).and_then(|&i| names.let_at(all, fi, i)) {
                    diags.push(
                        Diag::new(
                            &codes::policy::DUPLICATE_LET,
                            format!("`{name}` is already defined"),
                        )
                        .at(name_loc, "defined again here")
                        .also(Loc::new(pf.file, first.1.name.span), "first defined here")
                        .help("a `let` name can be defined once per file; pick another name"),
                    );
                    continue;
                }
                locals.insert(name, ii);
                if let Some((export_pf, export)) = names
                    .exports
                    .get(name)
                    .and_then(|&(f, i)| names.let_at(all, f, i))
                {
                    diags.push(
                        Diag::new(
                            &codes::policy::SHADOWED_EXPORT,
                            format!("`let {name}` has the name of an export"),
                        )
                        .at(name_loc, "a `let` of this file")
                        .also(names.name_loc(export_pf, export), "the export, visible in every policy file")
                        .help(if names.sources.name(export_pf.file).starts_with(&crate::library::source_name("")) {
                            format!("`{name}` is a parameter of the policy library, visible in every policy file: rename the `let`, or give the parameter another value under `library.parameters` in custody.yaml")
                        } else {
                            format!("`{name}` would mean this `let` in this file and the export everywhere else; rename the `let`")
                        }),
                    );
                }
            }
            names.locals.push(locals);
        }
        names
    }

    /// The `let` at item `ii` of file `fi`.
    fn let_at(
        &self,
        all: &[&'f PolicyFile],
        fi: usize,
        ii: usize,
    ) -> Option<(&'f PolicyFile, &'f ast::LetDecl)> {
        let pf: &'f PolicyFile = all.get(fi)?;
        match pf.items.get(ii)? {
            ast::Item::Let(l) => Some((pf, l)),
            ast::Item::Rule(_) => None,
        }
    }

    /// Where a `let`'s name is written: in custody.yaml for a `definitions:` entry.
    fn name_loc(&self, pf: &PolicyFile, l: &ast::LetDecl) -> Loc {
        self.definitions
            .iter()
            .find(|d| d.source == pf.file)
            .map_or(Loc::new(pf.file, l.name.span), |d| d.name_loc)
    }

    /// Is item `ii` of file `fi` the `let` its name stands for (not a duplicate)?
    fn live(&self, fi: usize, ii: usize, l: &ast::LetDecl) -> bool {
        let name = l.name.name.as_str();
        if l.export.is_some() {
            self.exports.get(name) == Some(&(fi, ii))
        } else {
            self.locals.get(fi).and_then(|m| m.get(name)) == Some(&ii)
        }
    }

    /// What a name used in item `ii` of file `fi` refers to among the `let`s: a `let` of
    /// the file above it, else an export.
    fn resolve(&self, fi: usize, ii: usize, name: &str) -> Option<(usize, usize)> {
        match self.locals.get(fi).and_then(|m| m.get(name)) {
            Some(&j) if j < ii => Some((fi, j)),
            _ => self.exports.get(name).copied(),
        }
    }

    /// Names of `let`s written in a file that did not parse (a use is a consequence).
    fn unparsed(&self, pf: &PolicyFile) -> Vec<String> {
        let parsed: Vec<&str> = pf
            .items
            .iter()
            .filter_map(|i| match i {
                ast::Item::Let(l) => Some(l.name.name.as_str()),
                ast::Item::Rule(_) => None,
            })
            .collect();
        let_names_in(self.text(pf))
            .into_iter()
            .filter(|(n, exported)| !exported && !parsed.contains(&n.as_str()))
            .map(|(n, _)| n)
            .collect()
    }

    /// Names of exports written in any file that did not parse.
    fn unparsed_exports(&self, all: &[&PolicyFile], broken: &[FileId]) -> HashSet<String> {
        all.iter()
            .map(|pf| pf.file)
            .chain(broken.iter().copied())
            .flat_map(|f| let_names_in(self.sources.text(f)))
            .filter(|(n, exported)| *exported && !self.exports.contains_key(n.as_str()))
            .map(|(n, _)| n)
            .collect()
    }

    /// Every file `let` name with the first file defining it.
    fn local_files(&self, all: &[&PolicyFile]) -> HashMap<String, FileId> {
        let mut out = HashMap::new();
        for (pf, locals) in all.iter().zip(&self.locals) {
            for name in locals.keys() {
                out.entry((*name).to_owned()).or_insert(pf.file);
            }
        }
        out
    }

    fn text(&self, pf: &PolicyFile) -> &'f str {
        self.sources.text(pf.file)
    }
}

/// An item of the run: (file, item), indices into the run's files and their items.
type Item = (usize, usize);

/// The order in which to check the `let`s of all files: each after the `let`s and exports
/// its value names, found by a depth-first search (with an explicit stack: a long chain of
/// exports must not overflow it). A cycle is reported once, at the use that closes it; its
/// members are returned so that they are not checked (their uses are then silent).
fn let_order(
    all: &[&PolicyFile],
    names: &Names<'_>,
    overrides: &[Override],
    diags: &mut Vec<Diag>,
) -> (Vec<Item>, Vec<Item>) {
    // 0: not seen, 1: on the stack, 2: done.
    let mut state: Vec<Vec<u8>> = all.iter().map(|pf| vec![0; pf.items.len()]).collect();
    let mut order = Vec::new();
    let mut cyclic = Vec::new();
    let deps = |fi: usize, ii: usize| -> Vec<((usize, usize), Span)> {
        let mut out: Vec<((usize, usize), Span)> = Vec::new();
        let Some((pf, l)) = names.let_at(all, fi, ii) else {
            return out;
        };
        let default = overrides
            .iter()
            .find(|o| o.file == pf.file && o.name == l.name.name)
            .map(|o| &o.default);
        for e in std::iter::once(&l.value).chain(default) {
            e.walk(&mut |x| {
                if let ExprKind::Path(p) = &x.kind
                    && let Some(first) = p.segments.first()
                    && let Some(target) = names.resolve(fi, ii, &first.name)
                    && !out.iter().any(|(t, _)| *t == target)
                {
                    out.push((target, x.span));
                }
            });
        }
        out
    };
    for (fi, pf) in all.iter().enumerate() {
        for (ii, item) in pf.items.iter().enumerate() {
            let ast::Item::Let(l) = item else { continue };
            if !names.live(fi, ii, l) || state.get(fi).and_then(|s| s.get(ii)) != Some(&0) {
                continue;
            }
            // (node, its dependencies, the next one to visit)
            let mut stack = vec![((fi, ii), deps(fi, ii), 0usize)];
            set(&mut state, (fi, ii), 1);
            while let Some((node, ds, next)) = stack.last_mut() {
                let node = *node;
                let Some(&(dep, use_span)) = ds.get(*next) else {
                    stack.pop();
                    set(&mut state, node, 2);
                    order.push(node);
                    continue;
                };
                *next += 1;
                match state.get(dep.0).and_then(|s| s.get(dep.1)) {
                    Some(0) => {
                        set(&mut state, dep, 1);
                        let d = deps(dep.0, dep.1);
                        stack.push((dep, d, 0));
                    }
                    Some(1) => {
                        let from = stack.iter().position(|(n, _, _)| *n == dep).unwrap_or(0);
                        let members: Vec<(usize, usize)> = stack
                            .get(from..)
                            .unwrap_or(&[])
                            .iter()
                            .map(|(n, _, _)| *n)
                            .collect();
                        diags.push(cycle_error(all, names, &members, node, use_span));
                        cyclic.extend(members);
                    }
                    _ => {}
                }
            }
        }
    }
    (order, cyclic)
}

fn set(state: &mut [Vec<u8>], (fi, ii): (usize, usize), v: u8) {
    if let Some(s) = state.get_mut(fi).and_then(|s| s.get_mut(ii)) {
        *s = v;
    }
}

/// The error for a cycle among `let`s: `members` in the order they name each other, the
/// last one (`at`) naming the first at `use_span`.
fn cycle_error(
    all: &[&PolicyFile],
    names: &Names<'_>,
    members: &[(usize, usize)],
    at: (usize, usize),
    use_span: Span,
) -> Diag {
    let name_of = |(fi, ii): (usize, usize)| {
        names
            .let_at(all, fi, ii)
            .map_or(String::new(), |(_, l)| l.name.name.clone())
    };
    let first = members.first().copied().unwrap_or(at);
    let first_name = name_of(first);
    let use_loc = all
        .get(at.0)
        .map(|pf| Loc::new(pf.file, use_span))
        .unwrap_or_default();
    let (message, label) = if members.len() <= 1 {
        (
            format!("export `{first_name}` refers to itself"),
            "its own name, in its value".to_owned(),
        )
    } else {
        let chain: Vec<String> = members
            .iter()
            .map(|&m| format!("`{}`", name_of(m)))
            .chain(std::iter::once(format!("`{first_name}`")))
            .collect();
        (
            format!("`{first_name}` depends on itself: {}", chain.join(" → ")),
            "closes the cycle".to_owned(),
        )
    };
    let mut d = Diag::new(&codes::policy::CYCLIC_EXPORT, message).at(use_loc, label);
    if members.len() > 1 {
        for &m in members {
            if let Some((pf, l)) = names.let_at(all, m.0, m.1) {
                d = d.also(
                    names.name_loc(pf, l),
                    format!("`{}` is defined here", l.name.name),
                );
            }
        }
    }
    d.help("a `let` or export cannot use its own value; write one of them out as a value")
}

struct LetBinding {
    value: CExpr,
    name_loc: Loc,
    /// The item of its file that defines it: a file `let` is visible below it only.
    item: usize,
}

struct Var {
    name: String,
    ty: Ty,
    slot: usize,
    loc: Loc,
    /// Bound by a quantifier over a reference list: where its link is.
    link: Option<LinkVar>,
    /// Bound to the elements of a `supply_chain`: `depth` and `via` are in the slots
    /// [`CHAIN_DEPTH`] and [`CHAIN_VIA`] after `slot`.
    chain: bool,
    /// The first slot free after this variable and what comes with it
    /// ([`CExpr::body_depth`]).
    next: usize,
}

/// The link of a variable bound to an element of a reference list.
struct LinkVar {
    /// The env slot holding the link (the element's slot + 1).
    slot: usize,
    /// The link's schema; `None` when the list declares no link fields.
    kind: Option<KindId>,
    /// The list field, `vendor.accesses`, for messages.
    list: String,
    /// For a reverse list, the field it reverses (`data_store.hosted_by`).
    reverse_of: Option<String>,
}

struct Checker<'a> {
    file: FileId,
    /// Library `let`s given another value in custody.yaml (for every file; matched by file).
    overrides: &'a [Override],
    sources: &'a SourceMap,
    schema: &'a Schema,
    taxonomy: &'a Taxonomy,
    builtins: &'a Builtins,
    lets: HashMap<String, LetBinding>,
    /// The item being checked: only the file's `let`s above it are visible.
    at_item: usize,
    /// The run's exports, visible everywhere.
    exports: &'a Exports,
    vars: Vec<Var>,
    diags: Vec<Diag>,
    /// Names of `let`s in this file that did not parse or check: a use of one is a
    /// consequence of that error, already reported, so it is not reported again.
    unparsed_lets: Vec<String>,
    /// Set when an error was suppressed for that reason: the rule must still not run.
    poisoned: bool,
}

/// `let` names written in a file's text, whether or not the item parsed, each with whether
/// it is an `export let`.
fn let_names_in(text: &str) -> Vec<(String, bool)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            match l.strip_prefix("export") {
                Some(rest) if rest.starts_with([' ', '\t']) => {
                    rest.trim_start().strip_prefix("let ").map(|r| (r, true))
                }
                _ => l.strip_prefix("let ").map(|r| (r, false)),
            }
        })
        .filter_map(|(rest, exported)| {
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some((name, exported))
        })
        .collect()
}

impl Definition {
    /// A mistake found in a definition's value, moved onto the value in custody.yaml.
    fn moved(&self, mut d: Diag) -> Diag {
        if d.primary
            .as_ref()
            .is_some_and(|p| p.loc.file == self.source)
        {
            d.primary = d.primary.map(|p| crate::diag::Label {
                loc: self.value_loc,
                ..p
            });
            d.secondary.retain(|s| s.loc.file != self.source);
            d.message = format!("definition `{}`: {}", self.name, d.message);
        }
        d
    }
}

/// Whether a parameter's value of type `given` can stand for a default of type `default`: the
/// same type, a string for one of fixed values (or back), an empty list for any list.
fn fits(default: &Ty, given: &Ty) -> bool {
    match (default, given) {
        (Ty::List(d), Ty::List(g)) => **d == Ty::Unknown || **g == Ty::Unknown || fits(d, g),
        (Ty::Str | Ty::Enum(_), Ty::Str | Ty::Enum(_)) => true,
        (d, g) => d == g,
    }
}

impl<'a> Checker<'a> {
    #[allow(clippy::too_many_arguments)]
    fn new(
        file: FileId,
        overrides: &'a [Override],
        sources: &'a SourceMap,
        schema: &'a Schema,
        taxonomy: &'a Taxonomy,
        builtins: &'a Builtins,
        exports: &'a Exports,
    ) -> Checker<'a> {
        Checker {
            file,
            overrides,
            sources,
            schema,
            taxonomy,
            builtins,
            lets: HashMap::new(),
            at_item: 0,
            exports,
            vars: Vec::new(),
            diags: Vec::new(),
            unparsed_lets: Vec::new(),
            poisoned: false,
        }
    }

    /// What a `let` name means here: a `let` of this file above the current item, else an
    /// export (with `true`).
    fn binding(&self, name: &str) -> Option<(&LetBinding, bool)> {
        match self.lets.get(name).filter(|l| l.item < self.at_item) {
            Some(l) => Some((l, false)),
            None => self.exports.bound.get(name).map(|l| (l, true)),
        }
    }

    fn loc(&self, span: Span) -> Loc {
        Loc::new(self.file, span)
    }

    fn kind_name(&self, k: KindId) -> String {
        self.schema.kind(k).name.clone()
    }

    fn ty_words(&self, ty: &Ty) -> String {
        ty.words(&|k| self.kind_name(k))
    }

    fn text(&self, span: Span) -> &str {
        self.sources.get(self.file).slice(span)
    }

    /// Check a `let`'s value, or the value custody.yaml's `library.parameters` gives it.
    /// `None` when it is wrong (reported).
    fn let_value(&mut self, l: &ast::LetDecl) -> Option<CExpr> {
        let value = match self
            .overrides
            .iter()
            .find(|o| o.file == self.file && o.name == l.name.name)
        {
            Some(o) => self.overridden(l, o),
            None => self.expr(&l.value),
        }?;
        match &value.ty {
            Ty::Cat
            | Ty::Pattern
            | Ty::List(_)
            | Ty::Str
            | Ty::Enum(_)
            | Ty::Num
            | Ty::Date
            | Ty::Bool => Some(value),
            other @ (Ty::Entity(_) | Ty::Object | Ty::Unknown) => {
                let words = self.ty_words(other);
                self.diags.push(
                    Diag::new(
                        &codes::policy::INVALID_LET,
                        format!("`let {}` binds {words}", l.name.name),
                    )
                    .at(self.loc(l.value.span), "cannot be named with `let`")
                    .help("`let` names a data category, a list, a string, a number or a date"),
                );
                None
            }
        }
    }

    /// A library `let`'s value from custody.yaml: checked in its own source, its mistakes
    /// moved onto the custody.yaml value (with the library's `let` as a note), and its type
    /// held to the default's. `None` when it is wrong (reported).
    fn overridden(&mut self, l: &ast::LetDecl, o: &Override) -> Option<CExpr> {
        let library_file = self.file;
        let outer = std::mem::take(&mut self.diags);
        // The default's type, in the library (where it always checks).
        let default = self.expr(&o.default);
        self.diags.clear();
        self.file = o.source;
        let value = self.expr(&l.value);
        self.file = library_file;
        let mistakes = std::mem::replace(&mut self.diags, outer);
        let note = format!("the library's `let {}`", o.name);
        for mut d in mistakes {
            let moved = d.primary.as_ref().is_some_and(|p| p.loc.file == o.source);
            if moved {
                d.primary = d.primary.map(|p| crate::diag::Label {
                    loc: o.value_loc,
                    ..p
                });
                d.secondary.retain(|s| s.loc.file != o.source);
                d.message = format!("library parameter `{}`: {}", o.name, d.message);
                d = d.also(o.let_loc, note.clone());
            }
            self.diags.push(d);
        }
        let value = value?;
        let default = default?;
        if fits(&default.ty, &value.ty) {
            return Some(value);
        }
        let (want, got) = (self.ty_words(&default.ty), self.ty_words(&value.ty));
        // The default on one line (`[personal, credentials]`), to show what is expected.
        let written = self.sources.get(library_file).slice(o.default.span);
        let example = written
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace("[ ", "[")
            .replace(", ]", "]");
        let help = match (&default.ty, &value.ty) {
            (Ty::List(d), Ty::List(v)) if **d == Ty::Cat && **v == Ty::Str => format!(
                "a YAML list is a list of strings; write data categories as a policy expression in quotes, e.g. `{}: \"{}\"`",
                o.name,
                if written.contains('#') {
                    "[personal.health, personal.financial]"
                } else {
                    &example
                }
            ),
            _ => format!("write {want}, like the library's default `{example}`"),
        };
        self.diags.push(
            Diag::new(
                &codes::library::PARAMETER_TYPE,
                format!(
                    "library parameter `{}` must be {want}, but this value is {got}",
                    o.name
                ),
            )
            .at(o.value_loc, got.clone())
            .also(o.let_loc, format!("{note}, {want}"))
            .help(help),
        );
        None
    }

    fn rule(&mut self, r: &ast::Rule) -> Option<CheckedRule> {
        let before = self.diags.len();
        self.poisoned = false;
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        let mut severity = Severity::Medium;
        let (mut references, mut tags) = (Vec::new(), Vec::new());
        let (mut description, mut remediation, mut message_lit) = (None, None, None);
        let mut for_clause: Option<(&ast::ForClause, Span)> = None;
        let mut require_exprs: Vec<(&Expr, Span)> = Vec::new();

        for c in &r.clauses {
            let name = c.kind.keyword();
            if name != "require" {
                if let Some(first) = seen.get(name) {
                    let what = if name == "for" {
                        "a rule has exactly one `for` clause".to_owned()
                    } else {
                        format!("remove one of the `{name}` clauses")
                    };
                    self.diags.push(
                        Diag::new(
                            &codes::policy::DUPLICATE_CLAUSE,
                            format!("rule `{}` has more than one `{name}` clause", r.id.name),
                        )
                        .at(self.loc(c.keyword), "repeated here")
                        .also(self.loc(*first), "first here")
                        .help(what),
                    );
                    continue;
                }
                seen.insert(name, c.keyword);
            }
            match &c.kind {
                ClauseKind::Severity(word) => match Severity::parse(&word.name) {
                    Some(s) => severity = s,
                    None => {
                        let names = Severity::ALL.map(Severity::as_str);
                        self.diags.push(
                            Diag::new(
                                &codes::policy::UNKNOWN_SEVERITY,
                                format!("`{}` is not a severity", word.name),
                            )
                            .at(self.loc(word.span), "unknown severity")
                            .help_opt(diag::suggest(
                                &word.name,
                                names.iter().copied(),
                                "severities",
                            )),
                        );
                    }
                },
                ClauseKind::References(v) => {
                    references = v.iter().map(|s| s.value.clone()).collect()
                }
                ClauseKind::Tags(v) => tags = v.iter().map(|s| s.value.clone()).collect(),
                ClauseKind::Description(s) => description = Some(s.value.clone()),
                ClauseKind::Remediation(s) => remediation = Some(s.value.clone()),
                ClauseKind::Message(s) => message_lit = Some(s),
                ClauseKind::For(f) => for_clause = Some((f, c.span)),
                ClauseKind::Require(e) => require_exprs.push((e, c.span)),
            }
        }

        let rule_loc = self.loc(r.id.span);
        let Some((fc, for_span)) = for_clause else {
            self.diags.push(
                Diag::new(
                    &codes::policy::MISSING_FOR,
                    format!("rule `{}` has no `for` clause", r.id.name),
                )
                .at(rule_loc, "this rule selects nothing")
                .help("add a clause such as `for vendor v where v handles personal`"),
            );
            return None;
        };
        if require_exprs.is_empty() {
            self.diags.push(
                Diag::new(
                    &codes::policy::MISSING_REQUIRE,
                    format!("rule `{}` has no `require` clause", r.id.name),
                )
                .at(rule_loc, "this rule checks nothing")
                .help("add at least one `require EXPR`, e.g. `require v.mfa_enforced`"),
            );
        }
        let kind = self.kind(&fc.kind, "`for`")?;
        self.vars.clear();
        self.push_var(&fc.var, Ty::Entity(kind));
        let filter = fc
            .filter
            .as_ref()
            .and_then(|e| self.cond(e, "the `where` clause"));
        let mut requires = Vec::new();
        for (e, span) in &require_exprs {
            if let Some(expr) = self.cond(e, "a `require` clause") {
                requires.push(Require {
                    expr,
                    loc: self.loc(*span),
                });
            }
        }
        let message = message_lit.and_then(|m| self.template(m));
        self.vars.clear();
        if self.poisoned || self.diags[before..].iter().any(Diag::is_error) {
            return None;
        }
        Some(CheckedRule {
            id: RuleId::new(r.id.name.clone()),
            title: r.title.value.clone(),
            severity,
            references,
            tags,
            description,
            remediation,
            message,
            kind,
            var: fc.var.name.clone(),
            filter,
            requires,
            loc: rule_loc,
            for_loc: self.loc(for_span),
        })
    }

    /// The kind a name (`for KIND`, a `KIND X` source) names; unknown is an error.
    fn kind(&mut self, name: &ast::Ident, what: &str) -> Option<KindId> {
        if let Some(k) = self.schema.kind_by_name(&name.name) {
            return Some(k);
        }
        let names: Vec<&str> = self.schema.kinds.iter().map(|k| k.name.as_str()).collect();
        let mut help = diag::suggest(&name.name, names.iter().copied(), "kinds");
        if let Some(k) = self.schema.kind_by_collection(&name.name) {
            help = Some(format!(
                "{what} takes the singular kind: did you mean `{}`?",
                self.kind_name(k)
            ));
        }
        self.diags.push(
            Diag::new(
                &codes::policy::UNKNOWN_KIND,
                format!("unknown kind `{}`", name.name),
            )
            .at(self.loc(name.span), "not a kind in the schema")
            .help_opt(help),
        );
        None
    }

    /// A source's list and the type of its elements: `LIST` must be a list.
    fn source_list(&mut self, list: &Expr, what: &str) -> Option<(CExpr, Ty)> {
        let l = self.expr(list)?;
        match &l.ty {
            Ty::List(elem) => {
                let elem = (**elem).clone();
                Some((l, elem))
            }
            other @ (Ty::Bool
            | Ty::Num
            | Ty::Str
            | Ty::Enum(_)
            | Ty::Date
            | Ty::Cat
            | Ty::Entity(_)
            | Ty::Object
            | Ty::Unknown
            | Ty::Pattern) => {
                let words = self.ty_words(other);
                self.type_error(
                    list.span,
                    format!("`{what}` ranges over a list, but this is {words}"),
                    format!("this is {words}"),
                    None,
                );
                None
            }
        }
    }

    /// Bind a source's variable and check its filter and the expressions that see the
    /// variable (`parts`, each a condition or a number). The variable is unbound again after.
    fn with_source<T>(
        &mut self,
        var: &ast::Ident,
        (list, elem): (&CExpr, Ty),
        filter: Option<&Expr>,
        parts: impl FnOnce(&mut Self) -> Option<T>,
    ) -> (usize, Option<Option<CExpr>>, Option<T>) {
        let depth = self.vars.len();
        let slot = self.push_var(var, elem);
        self.bind_link(slot, list);
        if let Some(v) = self.vars.last_mut() {
            v.chain = list.is_supply_chain();
            v.next = CExpr::body_depth(slot, list);
        }
        let f = match filter {
            Some(f) => self.cond(f, "`where`").map(Some),
            None => Some(None),
        };
        let rest = parts(self);
        self.vars.truncate(depth);
        (slot, f, rest)
    }

    /// A variable just bound at `slot` to the elements of `list`: over a reference list,
    /// it also has the link each element was reached through, in the next slot
    /// (`x.link.FIELD`; `CExpr::link_source`).
    fn bind_link(&mut self, slot: usize, list: &CExpr) {
        if list.is_supply_chain()
            && let Some(vk) = self.builtins.vendor
            && let Some(sub) = self.schema.kind(vk).field("subprocessors")
            && let Some(v) = self.vars.last_mut()
        {
            v.link = Some(LinkVar {
                slot: slot + CHAIN_LINK,
                kind: self.schema.link_of(vk, sub),
                list: "vendor.subprocessors".into(),
                reverse_of: None,
            });
            return;
        }
        if let Some((kind, field)) = list.link_source()
            && let Some(v) = self.vars.last_mut()
        {
            let ks = self.schema.kind(kind);
            let fs = ks.field_schema(field);
            v.link = Some(LinkVar {
                slot: slot + 1,
                kind: self.schema.link_of(kind, field),
                list: format!("{}.{}", ks.name, fs.name),
                reverse_of: fs.reverse_of.map(|(k, f)| {
                    let k = self.schema.kind(k);
                    format!("{}.{}", k.name, k.field_schema(f).name)
                }),
            });
        }
    }

    /// Bind a variable; variables may not shadow a variable or a `let`.
    fn push_var(&mut self, id: &ast::Ident, ty: Ty) -> usize {
        let loc = self.loc(id.span);
        if let Some(prev) = self.vars.iter().find(|v| v.name == id.name) {
            self.diags.push(
                Diag::new(
                    &codes::policy::SHADOWED_VARIABLE,
                    format!("variable `{}` is already bound", id.name),
                )
                .at(loc, "bound again here")
                .also(prev.loc, "first bound here")
                .help("quantifier variables may not shadow; pick another name"),
            );
        } else if let Some((l, exported)) = self.binding(&id.name) {
            let what = if exported { "an export" } else { "a `let`" };
            self.diags.push(
                Diag::new(
                    &codes::policy::SHADOWED_VARIABLE,
                    format!("variable `{}` shadows {what} of the same name", id.name),
                )
                .at(loc, "bound here")
                .also(
                    l.name_loc,
                    if exported { "the export" } else { "the `let`" },
                )
                .help("pick another variable name"),
            );
        }
        let slot = self.vars.last().map_or(0, |v| v.next);
        self.vars.push(Var {
            name: id.name.clone(),
            ty,
            slot,
            loc,
            link: None,
            chain: false,
            next: slot + 1,
        });
        slot
    }

    /// Check a message template (parsed by `syntax::template`): each placeholder must be a
    /// field path of the rule's variable.
    fn template(&mut self, lit: &ast::StrLit) -> Option<Vec<TemplatePart>> {
        use crate::syntax::template::{self, Part};
        let parsed = template::parse(lit, self.text(lit.span));
        let mut parts = Vec::new();
        let mut ok = true;
        for part in parsed.parts {
            match part {
                Part::Lit(text) => parts.push(TemplatePart::Lit(text)),
                Part::Placeholder(p) => match self.template_path(&p) {
                    Some(expr) => parts.push(TemplatePart::Path { expr, text: p.text }),
                    None => ok = false,
                },
            }
        }
        if parsed.unclosed {
            self.diags.push(
                Diag::new(
                    &codes::policy::BAD_TEMPLATE,
                    "unclosed `{` in the message template",
                )
                .at(self.loc(lit.span), "no matching `}`")
                .help("write `{{` for a literal brace"),
            );
            return None;
        }
        ok.then_some(parts)
    }

    fn template_path(&mut self, p: &crate::syntax::template::Placeholder) -> Option<CExpr> {
        let (inner, span) = (p.text.as_str(), p.span);
        let path = p.path.as_ref().filter(|path| {
            path.segments
                .first()
                .is_some_and(|first| self.vars.iter().any(|v| v.name == first.name))
        });
        let Some(path) = path else {
            let var = self
                .vars
                .first()
                .map(|v| v.name.clone())
                .unwrap_or_else(|| "v".into());
            self.diags.push(
                Diag::new(
                    &codes::policy::BAD_TEMPLATE,
                    format!("`{{{inner}}}` is not a field path of `{var}`"),
                )
                .at(
                    self.loc(span),
                    "message templates interpolate field paths only",
                )
                .help(format!(
                    "write a path such as `{{{var}.name}}`, or `{{{{` for a literal brace"
                )),
            );
            return None;
        };
        let value = self.path(path, span)?;
        let Some(func) = p.call else {
            return Some(value);
        };
        if value.ty != Ty::Date {
            let words = self.ty_words(&value.ty);
            let name = func.as_str();
            return self.type_error(
                span,
                format!("`{name}` needs a date, but `{}` is {words}", path.dotted()),
                format!("this is {words}"),
                Some("dates are fields such as `v.last_audit` or `v.contract.expires`".into()),
            );
        }
        self.mk(
            CKind::Days {
                func,
                date: Box::new(value),
            },
            Ty::Num,
            span,
        )
    }

    /// Check an expression that must be a condition.
    fn cond(&mut self, e: &Expr, what: &str) -> Option<CExpr> {
        let c = self.expr(e)?;
        if c.ty != Ty::Bool {
            let words = self.ty_words(&c.ty);
            let help = match &c.ty {
                Ty::Date => "test a date with `within`, `older than`, `before` or `after`, e.g. `v.last_audit within 12 months`".to_owned(),
                Ty::List(_) => "test a list with `is empty`, `contains`, `count(...)` or a quantifier such as `any x in LIST: ...`".to_owned(),
                Ty::Cat | Ty::Pattern => "test categories with `v handles CATEGORY` or `s holds CATEGORY`".to_owned(),
                Ty::Bool
                | Ty::Num
                | Ty::Str
                | Ty::Enum(_)
                | Ty::Entity(_)
                | Ty::Object
                | Ty::Unknown => {
                    "compare it, e.g. `== \"value\"`, or test it with `is set`".to_owned()
                }
            };
            self.diags.push(
                Diag::new(
                    &codes::policy::NOT_A_CONDITION,
                    format!("{what} needs a condition, but this is {words}"),
                )
                .at(c.loc, format!("this is {words}"))
                .help(help),
            );
            return None;
        }
        Some(c)
    }

    fn mk(&self, kind: CKind, ty: Ty, span: Span) -> Option<CExpr> {
        Some(CExpr {
            kind,
            ty,
            loc: self.loc(span),
        })
    }

    fn type_error(
        &mut self,
        span: Span,
        message: String,
        label: String,
        help: Option<String>,
    ) -> Option<CExpr> {
        self.diags.push(
            Diag::new(&codes::policy::TYPE_MISMATCH, message)
                .at(self.loc(span), label)
                .help_opt(help),
        );
        None
    }

    fn expr(&mut self, e: &Expr) -> Option<CExpr> {
        let span = e.span;
        match &e.kind {
            ExprKind::Paren(inner) => {
                let mut c = self.expr(inner)?;
                c.loc = self.loc(span);
                Some(c)
            }
            ExprKind::Bool(b) => self.mk(CKind::Const(Const::Bool(*b)), Ty::Bool, span),
            ExprKind::Number(n, _) => self.mk(CKind::Const(Const::Num(*n)), Ty::Num, span),
            ExprKind::Str(s) => self.mk(CKind::Const(Const::Str(s.clone())), Ty::Str, span),
            ExprKind::Date(d) => self.mk(CKind::Const(Const::Date(*d)), Ty::Date, span),
            ExprKind::Today => self.mk(CKind::Today, Ty::Date, span),
            ExprKind::List(items) => {
                let mut out = Vec::new();
                let mut elem = Ty::Unknown;
                let mut ok = true;
                for it in items {
                    let Some(c) = self.expr(it) else {
                        ok = false;
                        continue;
                    };
                    if elem == Ty::Unknown {
                        elem = c.ty.clone();
                    } else if !elem.compatible(&c.ty) {
                        let (a, b) = (self.ty_words(&elem), self.ty_words(&c.ty));
                        self.type_error(
                            it.span,
                            format!("list elements must all be of one type, but this is {b}"),
                            format!("this is {b}"),
                            Some(format!("the first element is {a}")),
                        );
                        ok = false;
                    }
                    out.push(c);
                }
                if !ok {
                    return None;
                }
                if matches!(elem, Ty::List(_)) {
                    return self.type_error(
                        span,
                        "lists of lists are not supported".into(),
                        "nested list".into(),
                        None,
                    );
                }
                self.mk(CKind::List(out), Ty::List(Box::new(elem)), span)
            }
            ExprKind::Path(p) => self.path(p, span),
            ExprKind::Not(inner) => {
                let c = self.cond(inner, "`not`")?;
                self.mk(CKind::Not(Box::new(c)), Ty::Bool, span)
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let word = if matches!(e.kind, ExprKind::And(..)) {
                    "`and`"
                } else {
                    "`or`"
                };
                let (a, b) = (self.cond(a, word), self.cond(b, word));
                let (a, b) = (Box::new(a?), Box::new(b?));
                let kind = if matches!(e.kind, ExprKind::And(..)) {
                    CKind::And(a, b)
                } else {
                    CKind::Or(a, b)
                };
                self.mk(kind, Ty::Bool, span)
            }
            ExprKind::Compare { op, lhs, rhs } => self.compare(*op, lhs, rhs, span),
            ExprKind::In { negated, lhs, rhs } => {
                let (l, r) = (self.expr(lhs), self.expr(rhs));
                let (l, r) = (l?, r?);
                let kw = if *negated { "not in" } else { "in" };
                let Ty::List(elem) = &r.ty else {
                    let words = self.ty_words(&r.ty);
                    return self.type_error(
                        rhs.span,
                        format!("the right side of `{kw}` must be a list, but this is {words}"),
                        format!("this is {words}"),
                        Some(
                            "write a list such as `[\"AU\", \"NZ\"]`, a `let` list or a list field"
                                .into(),
                        ),
                    );
                };
                if !l.ty.compatible(elem) {
                    let (a, b) = (self.ty_words(&l.ty), self.ty_words(&r.ty));
                    return self.type_error(
                        span,
                        format!("`{kw}` looks for {a} in {b}"),
                        "these types do not match".into(),
                        None,
                    );
                }
                self.check_enum_consts(&l.ty, &r)?;
                self.check_enum_consts(elem, &l)?;
                self.mk(
                    CKind::In {
                        negated: *negated,
                        lhs: Box::new(l),
                        rhs: Box::new(r),
                    },
                    Ty::Bool,
                    span,
                )
            }
            ExprKind::Contains { lhs, rhs } => {
                let (l, r) = (self.expr(lhs), self.expr(rhs));
                let (l, r) = (l?, r?);
                match &l.ty {
                    Ty::List(elem) if elem.compatible(&r.ty) => {
                        self.check_enum_consts(elem, &r)?;
                    }
                    t if t.is_stringy() && r.ty.is_stringy() => {}
                    Ty::Bool
                    | Ty::Num
                    | Ty::Str
                    | Ty::Enum(_)
                    | Ty::Date
                    | Ty::Cat
                    | Ty::Entity(_)
                    | Ty::List(_)
                    | Ty::Object
                    | Ty::Unknown
                    | Ty::Pattern => {
                        let (a, b) = (self.ty_words(&l.ty), self.ty_words(&r.ty));
                        return self.type_error(span, format!("`contains` looks in a list or a string, but this looks for {b} in {a}"), "these types do not match".into(), Some("`LIST contains VALUE` tests membership; `STRING contains \"text\"` tests for a substring".into()));
                    }
                }
                self.mk(
                    CKind::Contains {
                        lhs: Box::new(l),
                        rhs: Box::new(r),
                    },
                    Ty::Bool,
                    span,
                )
            }
            ExprKind::Matches { lhs, pattern } => {
                let l = self.expr(lhs)?;
                if !l.ty.is_stringy() {
                    let words = self.ty_words(&l.ty);
                    return self.type_error(
                        lhs.span,
                        format!("`matches` tests strings, but this is {words}"),
                        format!("this is {words}"),
                        None,
                    );
                }
                let regex = match regex::RegexBuilder::new(&pattern.value)
                    .size_limit(1 << 20)
                    .build()
                {
                    Ok(r) => r,
                    Err(err) => {
                        let detail = regex_error_words(&err);
                        self.diags.push(
                            Diag::new(&codes::policy::INVALID_REGEX, format!("`{}` is not a valid regular expression", pattern.value))
                                .at(self.loc(pattern.span), detail)
                                .help("custody uses Rust `regex` syntax (no look-around or backreferences); escape special characters with `\\`"),
                        );
                        return None;
                    }
                };
                self.mk(
                    CKind::Matches {
                        lhs: Box::new(l),
                        regex,
                        pattern: pattern.value.clone(),
                    },
                    Ty::Bool,
                    span,
                )
            }
            ExprKind::Is { lhs, test } => {
                let l = self.expr(lhs)?;
                if *test == IsTest::Empty && !matches!(l.ty, Ty::List(_) | Ty::Str | Ty::Enum(_)) {
                    let words = self.ty_words(&l.ty);
                    return self.type_error(
                        lhs.span,
                        format!("`is empty` tests lists and strings, but this is {words}"),
                        format!("this is {words}"),
                        Some("use `is missing` to test whether a value is absent".into()),
                    );
                }
                self.mk(
                    CKind::Is {
                        lhs: Box::new(l),
                        test: *test,
                    },
                    Ty::Bool,
                    span,
                )
            }
            ExprKind::Handles { subject, cats } => self.category_test(true, subject, cats, span),
            ExprKind::Holds { subject, cats } => self.category_test(false, subject, cats, span),
            ExprKind::Receives { subject, cats } => self.receives_test(subject, cats, span),
            ExprKind::Within { date, duration, .. } | ExprKind::OlderThan { date, duration } => {
                let word = match &e.kind {
                    ExprKind::Within { dir, .. } => match dir {
                        ast::WithinDir::Plain => "within",
                        ast::WithinDir::Last => "within last",
                        ast::WithinDir::Next => "within next",
                    },
                    _ => "older than",
                };
                let d = self.date_operand(date, word)?;
                self.duration_ok(duration)?;
                let (amount, unit) = (duration.amount, duration.unit);
                let kind = if word == "within next" {
                    CKind::WithinNext {
                        date: Box::new(d),
                        amount,
                        unit,
                    }
                } else if matches!(e.kind, ExprKind::Within { .. }) {
                    CKind::Within {
                        date: Box::new(d),
                        amount,
                        unit,
                    }
                } else {
                    CKind::OlderThan {
                        date: Box::new(d),
                        amount,
                        unit,
                    }
                };
                self.mk(kind, Ty::Bool, span)
            }
            ExprKind::Before(a, b) | ExprKind::After(a, b) => {
                let word = if matches!(e.kind, ExprKind::Before(..)) {
                    "before"
                } else {
                    "after"
                };
                let (x, y) = (self.date_operand(a, word), self.date_operand(b, word));
                let (x, y) = (Box::new(x?), Box::new(y?));
                let kind = if word == "before" {
                    CKind::Before(x, y)
                } else {
                    CKind::After(x, y)
                };
                self.mk(kind, Ty::Bool, span)
            }
            ExprKind::DateArith { base, op, duration } => {
                let b =
                    self.date_operand(base, if *op == ast::DateOp::Plus { "+" } else { "-" })?;
                self.duration_ok(duration)?;
                self.mk(
                    CKind::DateArith {
                        base: Box::new(b),
                        op: *op,
                        amount: duration.amount,
                        unit: duration.unit,
                    },
                    Ty::Date,
                    span,
                )
            }
            ExprKind::Days { func, date } => {
                let d = self.date_operand(date, func.as_str())?;
                self.mk(
                    CKind::Days {
                        func: *func,
                        date: Box::new(d),
                    },
                    Ty::Num,
                    span,
                )
            }
            ExprKind::Count(inner) => {
                let c = self.expr(inner)?;
                if !matches!(c.ty, Ty::List(_)) {
                    let words = self.ty_words(&c.ty);
                    return self.type_error(
                        inner.span,
                        format!("`count` takes a list, but this is {words}"),
                        format!("this is {words}"),
                        None,
                    );
                }
                self.mk(CKind::Count(Box::new(c)), Ty::Num, span)
            }
            ExprKind::Quant {
                quantifier,
                var,
                list,
                filter,
                body,
            } => {
                let q = quantifier.as_str();
                let (l, elem) = self.source_list(list, q)?;
                let what = format!("the body of `{q}`");
                let (slot, f, b) = self.with_source(var, (&l, elem), filter.as_deref(), |this| {
                    this.cond(body, &what)
                });
                let (f, b) = (f?, b?);
                self.mk(
                    CKind::Quant {
                        quantifier: *quantifier,
                        slot,
                        var: var.name.clone(),
                        list: Box::new(l),
                        filter: f.map(Box::new),
                        body: Box::new(b),
                    },
                    Ty::Bool,
                    span,
                )
            }
            ExprKind::Aggregate {
                op,
                var,
                list,
                filter,
                value,
            } => {
                let name = op.as_str();
                let (l, elem) = self.source_list(list, name)?;
                let (slot, f, v) = self.with_source(var, (&l, elem), filter.as_deref(), |this| {
                    let Some(value) = value else {
                        return Some(None);
                    };
                    let v = this.expr(value)?;
                    if v.ty != Ty::Num {
                        let words = this.ty_words(&v.ty);
                        return this
                            .type_error(
                                value.span,
                                format!("`{name}` takes a number for each element, but this is {words}"),
                                format!("this is {words}"),
                                Some(format!(
                                    "write a number for each element after the `:`, e.g. `{name}(s in v.accesses: s.records)`"
                                )),
                            )
                            .map(Some);
                    }
                    Some(Some(v))
                });
                let (f, v) = (f?, v?);
                self.mk(
                    CKind::Agg {
                        op: *op,
                        slot,
                        var: var.name.clone(),
                        list: Box::new(l),
                        filter: f.map(Box::new),
                        value: v.map(Box::new),
                    },
                    Ty::Num,
                    span,
                )
            }
            ExprKind::Entities(kind) => {
                let k = self.kind(kind, "a source")?;
                self.mk(CKind::Entities(k), Ty::List(Box::new(Ty::Entity(k))), span)
            }
            ExprKind::Arith { op, lhs, rhs } => self.arith(*op, lhs, rhs, span),
            ExprKind::Except { cats, excluded } => {
                let (c, x) = (self.categories(cats), self.categories(excluded));
                let ((c, c_except), (x, x_except)) = (c?, x?);
                if !c_except.is_empty() || !x_except.is_empty() {
                    return self.type_error(
                        span,
                        "`except` cannot be applied twice".into(),
                        "more than one `except`".into(),
                        Some("list every exclusion after one `except`: `personal except [personal.preferences, personal.health]`".into()),
                    );
                }
                self.mk(
                    CKind::Const(Const::Pattern { cats: c, except: x }),
                    Ty::Pattern,
                    span,
                )
            }
        }
    }

    /// `a + b`, `a - b`, `a * b`, `a / b`: numbers; `+` also joins two lists of one type.
    fn arith(&mut self, op: ast::ArithOp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<CExpr> {
        let (l, r) = (self.expr(lhs), self.expr(rhs));
        let (l, r) = (l?, r?);
        let ty = match (&l.ty, &r.ty) {
            (Ty::Num, Ty::Num) => Some(Ty::Num),
            (Ty::List(a), Ty::List(b)) if op == ast::ArithOp::Add && a.compatible(b) => {
                Some(if **a == Ty::Unknown {
                    r.ty.clone()
                } else {
                    l.ty.clone()
                })
            }
            _ => None,
        };
        let Some(ty) = ty else {
            let (a, b) = (self.ty_words(&l.ty), self.ty_words(&r.ty));
            let sym = op.as_str();
            let help = match (&l.ty, &r.ty) {
                (Ty::Date, _) if matches!(op, ast::ArithOp::Add | ast::ArithOp::Sub) => {
                    Some(format!(
                        "a date takes a duration: `{} {sym} 30 days`",
                        self.text(lhs.span)
                    ))
                }
                (Ty::List(_), Ty::List(_)) if op == ast::ArithOp::Add => {
                    Some("`+` joins lists whose elements are of one type".to_owned())
                }
                (Ty::List(_), _) | (_, Ty::List(_)) => Some(
                    "`+` joins two lists; to count a list's elements use `count(LIST)`".to_owned(),
                ),
                _ => Some(format!(
                    "`{sym}` works on numbers, e.g. `count(v.accesses) {sym} 2`"
                )),
            };
            self.diags.push(
                Diag::new(
                    &codes::policy::TYPE_MISMATCH,
                    format!("cannot apply `{sym}` to {a} and {b}"),
                )
                .at(self.loc(lhs.span), format!("this is {a}"))
                .also(self.loc(rhs.span), format!("this is {b}"))
                .help_opt(help),
            );
            return None;
        };
        self.mk(
            CKind::Arith {
                op,
                lhs: Box::new(l),
                rhs: Box::new(r),
            },
            ty,
            span,
        )
    }

    fn duration_ok(&mut self, d: &ast::Duration) -> Option<()> {
        if d.amount < 0 || d.amount > 100_000 {
            self.diags.push(
                Diag::new(&codes::policy::INVALID_DURATION, format!("`{}` is out of range for a duration", d.amount))
                    .at(self.loc(d.span), "out of range")
                    .help("durations are whole numbers from 0 to 100000; use `before`/`after` to look forward"),
            );
            return None;
        }
        Some(())
    }

    fn date_operand(&mut self, e: &Expr, word: &str) -> Option<CExpr> {
        let c = self.expr(e)?;
        if c.ty != Ty::Date {
            let words = self.ty_words(&c.ty);
            return self.type_error(e.span, format!("`{word}` needs a date, but this is {words}"), format!("this is {words}"), Some("dates are fields such as `v.last_audit`, `today`, or written bare: `2027-01-01`".into()));
        }
        Some(c)
    }

    fn compare(&mut self, op: CmpOp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<CExpr> {
        let (l, r) = (self.expr(lhs), self.expr(rhs));
        let (l, r) = (l?, r?);
        let ordering = !matches!(op, CmpOp::Eq | CmpOp::Ne);
        let ok = if ordering {
            matches!((&l.ty, &r.ty), (Ty::Num, Ty::Num) | (Ty::Date, Ty::Date))
                || ordered_pair(&l, &r)
        } else {
            l.ty.compatible(&r.ty) && !matches!(l.ty, Ty::List(_) | Ty::Object)
        };
        if !ok {
            let (a, b) = (self.ty_words(&l.ty), self.ty_words(&r.ty));
            let lt = self.text(lhs.span).to_owned();
            let rt = self.text(rhs.span).to_owned();
            let help = if ordering {
                Some(order_help(op, (&l, &lt), (&r, &rt)))
            } else if matches!(l.ty, Ty::List(_)) {
                Some("to test a list, use `contains`, `is empty` or `count(...)`".into())
            } else {
                // An entity (a reference) compared with a string: the string is its id.
                let op = op.as_str();
                let text = |t: &Ty| matches!(t, Ty::Str | Ty::Enum(_));
                let entity = |t: &Ty| matches!(t, Ty::Entity(_));
                if entity(&l.ty) && text(&r.ty) {
                    Some(format!("compare its id: `{lt}.id {op} {rt}`"))
                } else if text(&l.ty) && entity(&r.ty) {
                    Some(format!("compare its id: `{lt} {op} {rt}.id`"))
                } else {
                    None
                }
            };
            self.diags.push(
                Diag::new(
                    &codes::policy::TYPE_MISMATCH,
                    format!(
                        "cannot compare `{lt}` ({a}) with `{rt}` ({b}) using `{}`",
                        op.as_str()
                    ),
                )
                .at(self.loc(lhs.span), format!("this is {a}"))
                .also(self.loc(rhs.span), format!("this is {b}"))
                .help_opt(help),
            );
            return None;
        }
        self.check_enum_consts(&l.ty, &r)?;
        self.check_enum_consts(&r.ty, &l)?;
        self.mk(
            CKind::Compare {
                op,
                lhs: Box::new(l),
                rhs: Box::new(r),
            },
            Ty::Bool,
            span,
        )
    }

    /// String constants compared with an enum field must be one of its values.
    fn check_enum_consts<'x>(&mut self, ty: &Ty, other: &'x CExpr) -> Option<()> {
        let Ty::Enum(values) = ty else {
            return Some(());
        };
        let str_const = |e: &'x CExpr| match e.as_const() {
            Some(Const::Str(s)) => Some((s.as_str(), e.loc)),
            Some(
                Const::Bool(_)
                | Const::Num(_)
                | Const::Date(_)
                | Const::Cat(_)
                | Const::Pattern { .. },
            )
            | None => None,
        };
        let consts: Vec<(&str, Loc)> = match other.as_list() {
            Some(items) => items.iter().filter_map(str_const).collect(),
            None => str_const(other).into_iter().collect(),
        };
        let mut ok = true;
        let mut found = Vec::new();
        for (s, loc) in consts {
            if !values.contains(s) {
                found.push(
                    Diag::new(
                        &codes::policy::UNKNOWN_ENUM_VALUE,
                        format!("`{s}` is not an allowed value here"),
                    )
                    .at(loc, "not one of the allowed values")
                    .help_opt(diag::suggest(
                        s,
                        values.listed(),
                        "allowed values",
                    )),
                );
                ok = false;
            }
        }
        self.diags.extend(found);
        ok.then_some(())
    }

    /// `handles` (vendors) and `holds` (data stores).
    fn category_test(
        &mut self,
        handles: bool,
        subject: &Expr,
        cats: &Expr,
        span: Span,
    ) -> Option<CExpr> {
        let s = self.expr(subject);
        let c = self.categories(cats);
        let (s, (cats, except)) = (s?, c?);
        let (word, want, other_word) = if handles {
            ("handles", self.builtins.vendor, "holds")
        } else {
            ("holds", self.builtins.data_store, "handles")
        };
        let kind_ok = matches!(s.ty, Ty::Entity(k) if Some(k) == want);
        if !kind_ok {
            let words = self.ty_words(&s.ty);
            let help = match (&s.ty, handles) {
                (Ty::Entity(k), true) if Some(*k) == self.builtins.data_store => {
                    Some(format!("for data stores use `{other_word}`: `s holds ...`"))
                }
                (Ty::Entity(k), false) if Some(*k) == self.builtins.vendor => {
                    Some(format!("for vendors use `{other_word}`: `v handles ...`"))
                }
                (
                    Ty::Bool
                    | Ty::Num
                    | Ty::Str
                    | Ty::Enum(_)
                    | Ty::Date
                    | Ty::Cat
                    | Ty::Entity(_)
                    | Ty::List(_)
                    | Ty::Object
                    | Ty::Unknown
                    | Ty::Pattern,
                    _,
                ) => None,
            };
            let applies = if handles { "vendors" } else { "data stores" };
            return self.type_error(
                subject.span,
                format!("`{word}` applies to {applies}, but this is {words}"),
                format!("this is {words}"),
                help,
            );
        }
        let kind = if handles {
            CKind::Handles {
                subject: Box::new(s),
                cats,
                except,
            }
        } else {
            CKind::Holds {
                subject: Box::new(s),
                cats,
                except,
            }
        };
        self.mk(kind, Ty::Bool, span)
    }

    /// `v receives C`: vendors only, like `handles`.
    fn receives_test(&mut self, subject: &Expr, cats: &Expr, span: Span) -> Option<CExpr> {
        let s = self.expr(subject);
        let c = self.categories(cats);
        let (s, (cats, except)) = (s?, c?);
        let vendor = self.builtins.vendor;
        if !matches!(s.ty, Ty::Entity(k) if Some(k) == vendor) {
            let words = self.ty_words(&s.ty);
            let help = match &s.ty {
                Ty::Entity(k) if Some(*k) == self.builtins.data_store => Some(
                    "`receives` follows vendors' subprocessors; for data stores use `holds`: `s holds ...`, or ask about its vendors: `any x in s.accessed_by: x receives ...`"
                        .into(),
                ),
                Ty::Bool
                | Ty::Num
                | Ty::Str
                | Ty::Enum(_)
                | Ty::Date
                | Ty::Cat
                | Ty::Entity(_)
                | Ty::List(_)
                | Ty::Object
                | Ty::Unknown
                | Ty::Pattern => None,
            };
            return self.type_error(
                subject.span,
                format!("`receives` applies to vendors, but this is {words}"),
                format!("this is {words}"),
                help,
            );
        }
        self.mk(
            CKind::Receives {
                subject: Box::new(s),
                cats,
                except,
            },
            Ty::Bool,
            span,
        )
    }

    /// A category, a `let` naming one or a list of them, a list literal of those, or a
    /// pattern `C except E`: the categories and the exclusions.
    fn categories(&mut self, e: &Expr) -> Option<(Vec<CatId>, Vec<CatId>)> {
        let c = self.expr(e)?;
        if let Some(Const::Pattern { cats, except }) = c.as_const() {
            return Some((cats.clone(), except.clone()));
        }
        let mut out = Vec::new();
        let ok = collect_cats(&c, &mut out);
        if !ok {
            let words = self.ty_words(&c.ty);
            self.type_error(e.span, format!("expected a data category or a list of them, but this is {words}"), format!("this is {words}"), Some("write a category such as `personal.contact.address`, or a list `[personal.health, personal.biometric]`".into()));
            return None;
        }
        Some((out, Vec::new()))
    }

    /// Resolve a dotted path: a variable's field, a `let` name, or a data category.
    fn path(&mut self, p: &ast::Path, span: Span) -> Option<CExpr> {
        let first = p.segments.first()?;
        if let Some(v) = self.vars.iter().rev().find(|v| v.name == first.name) {
            let base = CExpr {
                kind: CKind::Var(v.slot),
                ty: v.ty.clone(),
                loc: self.loc(first.span),
            };
            if p.segments.get(1).is_some_and(|s| s.name == LINK) {
                return self.link(p, span);
            }
            if p.segments
                .get(1)
                .is_some_and(|s| s.name == DEPTH || s.name == VIA)
            {
                return self.chain_step(p);
            }
            return self.navigate(base, &p.segments[1..]);
        }
        if let Some((l, _)) = self.binding(&first.name) {
            if p.segments.len() > 1 {
                let d = Diag::new(
                    &codes::policy::NOT_AN_ENTITY,
                    format!(
                        "`{}` is a `let` name, not a variable: it has no fields",
                        first.name
                    ),
                )
                .at(
                    self.loc(span),
                    "fields apply to variables bound by `for` or a quantifier",
                );
                self.diags.push(d);
                return None;
            }
            let mut value = l.value.clone();
            value.loc = self.loc(span);
            return Some(value);
        }
        let dotted = p.dotted();
        if let Some(cat) = self.taxonomy.lookup(&dotted) {
            return self.mk(CKind::Const(Const::Cat(cat)), Ty::Cat, span);
        }
        if p.segments.len() == 1
            && (self.unparsed_lets.contains(&first.name)
                || self.exports.failed.contains(&first.name))
        {
            self.poisoned = true;
            return None;
        }
        // Unknown. Say what it most likely was meant to be.
        let top_is_category = self.taxonomy.lookup(&first.name).is_some();
        let d = if p.segments.len() > 1 && top_is_category {
            Diag::new(&codes::policy::UNKNOWN_CATEGORY, format!("unknown data category `{dotted}`"))
                .at(self.loc(span), "not in the taxonomy")
                .help_opt(diag::suggest(&dotted, self.taxonomy.names(), "categories").or(Some("categories are written as full dotted paths; add new ones under `taxonomy:` in custody.yaml".into())))
        } else if p.segments.len() > 1 {
            let vars: Vec<&str> = self.vars.iter().map(|v| v.name.as_str()).collect();
            let help = diag::did_you_mean(&first.name, vars.iter().copied())
                .map(|n| format!("did you mean `{n}`?"))
                .or_else(|| {
                    diag::did_you_mean(&dotted, self.taxonomy.names())
                        .map(|n| format!("did you mean the category `{n}`?"))
                })
                .or_else(|| {
                    (!vars.is_empty()).then(|| {
                        format!(
                            "variables in scope: {}",
                            vars.iter()
                                .map(|v| format!("`{v}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                });
            Diag::new(
                &codes::policy::UNKNOWN_NAME,
                format!("unknown variable `{}`", first.name),
            )
            .at(
                self.loc(first.span),
                "not bound by `for`, a quantifier or `let`",
            )
            .help_opt(help)
        } else {
            let mut names: Vec<&str> = self.vars.iter().map(|v| v.name.as_str()).collect();
            names.extend(
                self.lets
                    .iter()
                    .filter(|(_, l)| l.item < self.at_item)
                    .map(|(n, _)| n.as_str()),
            );
            names.extend(self.exports.bound.keys().map(String::as_str));
            let elsewhere = self
                .exports
                .local
                .get(&first.name)
                .filter(|f| **f != self.file)
                .map(|f| {
                    format!(
                        "`{}` is a `let` of {}, visible only in that file; write `export let {}` there to share it",
                        first.name,
                        self.sources.name(*f),
                        first.name
                    )
                });
            let help = elsewhere
                .or_else(|| {
                    diag::did_you_mean(&first.name, names.iter().copied())
                        .map(|n| format!("did you mean `{n}`?"))
                })
                .or_else(|| {
                    let leaf = self
                        .taxonomy
                        .names()
                        .filter(|n| n.rsplit('.').next() == Some(first.name.as_str()))
                        .min();
                    leaf.map(|n| format!("categories are written in full: did you mean `{n}`?"))
                })
                .or_else(|| {
                    diag::did_you_mean(&first.name, self.taxonomy.names())
                        .map(|n| format!("did you mean the category `{n}`?"))
                });
            Diag::new(
                &codes::policy::UNKNOWN_NAME,
                format!("unknown name `{}`", first.name),
            )
            .at(self.loc(span), "not a variable, a `let` or a data category")
            .help_opt(help)
        };
        self.diags.push(d);
        None
    }

    /// `x.link.FIELD`: the link through which `x` was reached, where `x` ranges over a
    /// reference list.
    fn link(&mut self, p: &ast::Path, span: Span) -> Option<CExpr> {
        let (first, link_seg) = (p.segments.first()?, p.segments.get(1)?);
        let v = self.vars.iter().rev().find(|v| v.name == first.name)?;
        let var_name = v.name.clone();
        let here = self.loc(Span::new(
            first.span.start as usize,
            link_seg.span.end as usize,
        ));
        let Some(lv) = &v.link else {
            let bound = if v.slot == 0 {
                "the rule's variable: it is not reached through a reference"
            } else {
                "not ranging over a reference list"
            };
            self.diags.push(
                Diag::new(
                    &codes::policy::LINK_UNAVAILABLE,
                    format!("`{var_name}` has no link: it is {bound}"),
                )
                .at(here, "no link here")
                .help("`link` is available on a variable of a quantifier over a reference list: `all s in v.accesses: s.link.access == \"read\"`, over a reverse list such as `s.accessed_by`, or over `v.supply_chain`"),
            );
            return None;
        };
        let list = lv.list.clone();
        let (link_slot, link_kind) = (lv.slot, lv.kind);
        let reverse_note = lv
            .reverse_of
            .as_ref()
            .map(|f| format!("; `{list}` is the reverse of `{f}`"))
            .unwrap_or_default();
        let Some(link_kind) = link_kind else {
            self.diags.push(
                Diag::new(
                    &codes::policy::LINK_UNAVAILABLE,
                    format!("`{list}` declares no link fields"),
                )
                .at(here, format!("`{var_name}` comes from `{list}`"))
                .help(format!(
                    "links are declared with `link: {{fields: ...}}` on a `list<ref<KIND>>` field under `schema:` in custody.yaml{}",
                    reverse_note
                )),
            );
            return None;
        };
        if p.segments.len() < 3 {
            let names: Vec<String> = self
                .schema
                .kind(link_kind)
                .members(None)
                .map(|(_, f)| format!("`{var_name}.link.{}`", f.name))
                .collect();
            self.diags.push(
                Diag::new(
                    &codes::policy::NOT_A_CONDITION,
                    format!("`{var_name}.link` is the whole link; read one of its fields"),
                )
                .at(self.loc(span), "a link, not a value")
                .help(format!("write {}", names.join(" or "))),
            );
            return None;
        }
        let base = CExpr {
            kind: CKind::Var(link_slot),
            ty: Ty::Entity(link_kind),
            loc: here,
        };
        self.navigate(base, &p.segments[2..])
    }

    /// `p.depth` and `p.via` (then navigated further: `p.via.name`), where `p` ranges over a
    /// `supply_chain`.
    fn chain_step(&mut self, p: &ast::Path) -> Option<CExpr> {
        let (first, seg) = (p.segments.first()?, p.segments.get(1)?);
        let v = self.vars.iter().rev().find(|v| v.name == first.name)?;
        let here = self.loc(Span::new(first.span.start as usize, seg.span.end as usize));
        if !v.chain {
            let var_name = v.name.clone();
            let bound = if v.slot == 0 {
                "the rule's variable"
            } else {
                "not ranging over a `supply_chain`"
            };
            self.diags
                .push(chain_unavailable(&var_name, &seg.name, bound, here));
            return None;
        }
        let (slot, ty) = if seg.name == DEPTH {
            (v.slot + CHAIN_DEPTH, Ty::Num)
        } else {
            let vendor = match &v.ty {
                Ty::Entity(k) => *k,
                Ty::Bool
                | Ty::Num
                | Ty::Str
                | Ty::Enum(_)
                | Ty::Date
                | Ty::Cat
                | Ty::List(_)
                | Ty::Object
                | Ty::Unknown
                | Ty::Pattern => return None,
            };
            (v.slot + CHAIN_VIA, Ty::Entity(vendor))
        };
        let base = CExpr {
            kind: CKind::Var(slot),
            ty,
            loc: here,
        };
        let mut e = self.navigate(base, &p.segments[2..])?;
        // Evidence names a field of `via` as written (`via.tier`), not as the element's own.
        let mut cur = &mut e;
        while let CKind::Field { base, name, .. } = &mut cur.kind {
            if matches!(base.kind, CKind::Var(_)) {
                *name = format!("{VIA}.{name}");
                break;
            }
            cur = base;
        }
        Some(e)
    }

    /// Follow field names from an entity-valued expression.
    fn navigate(&mut self, mut cur: CExpr, segs: &[ast::Ident]) -> Option<CExpr> {
        let mut i = 0;
        while i < segs.len() {
            let seg = &segs[i];
            let kind = match &cur.ty {
                Ty::Entity(k) => *k,
                Ty::List(_) => {
                    let list_text = self
                        .text(Span::new(
                            cur.loc.span.start as usize,
                            cur.loc.span.end as usize,
                        ))
                        .to_owned();
                    let d = Diag::new(
                        &codes::policy::PATH_THROUGH_LIST,
                        format!(
                            "`{list_text}` is a list, so `.{}` cannot be taken from it directly",
                            seg.name
                        ),
                    )
                    .at(
                        self.loc(Span::new(
                            cur.loc.span.start as usize,
                            seg.span.end as usize,
                        )),
                        "a path through a list",
                    )
                    .help(format!(
                        "use a quantifier: `any x in {list_text}: x.{} ...`, or `all x in ...`",
                        seg.name
                    ));
                    self.diags.push(d);
                    return None;
                }
                other @ (Ty::Bool
                | Ty::Num
                | Ty::Str
                | Ty::Enum(_)
                | Ty::Date
                | Ty::Cat
                | Ty::Object
                | Ty::Unknown
                | Ty::Pattern) => {
                    let words = self.ty_words(other);
                    let text = self.text(cur.loc.span).to_owned();
                    let d = Diag::new(
                        &codes::policy::NO_SUCH_FIELD,
                        format!("`{text}` is {words} and has no field `{}`", seg.name),
                    )
                    .at(self.loc(seg.span), "no such field");
                    self.diags.push(d);
                    return None;
                }
            };
            let span = Span::new(cur.loc.span.start as usize, seg.span.end as usize);
            let ks = self.schema.kind(kind);
            if seg.name == LINK && !Schema::is_link(kind) {
                let text = self.text(cur.loc.span).to_owned();
                self.diags.push(
                    Diag::new(
                        &codes::policy::LINK_UNAVAILABLE,
                        format!("`{text}` has no link: only a quantifier's variable does"),
                    )
                    .at(self.loc(span), "no link here")
                    .help("`link` is available on a variable of a quantifier over a reference list: `all s in v.accesses: s.link.access == \"read\"`, over a reverse list such as `s.accessed_by`, or over `v.supply_chain`"),
                );
                return None;
            }
            if (seg.name == DEPTH || seg.name == VIA) && ks.field(&seg.name).is_none() {
                let text = self.text(cur.loc.span).to_owned();
                self.diags.push(chain_unavailable(
                    &text,
                    &seg.name,
                    "not a variable ranging over a `supply_chain`",
                    self.loc(span),
                ));
                return None;
            }
            if seg.name == VIRTUAL_ID && !Schema::is_link(kind) {
                cur = CExpr {
                    kind: CKind::Id(Box::new(cur)),
                    ty: Ty::Str,
                    loc: self.loc(span),
                };
                i += 1;
                continue;
            }
            if seg.name == VIRTUAL_SUPPLY_CHAIN && Some(kind) == self.builtins.vendor {
                cur = CExpr {
                    kind: CKind::SupplyChain(Box::new(cur)),
                    ty: Ty::List(Box::new(Ty::Entity(kind))),
                    loc: self.loc(span),
                };
                i += 1;
                continue;
            }
            // Dotted fields (`contract.expires`) are matched segment by segment.
            let mut name = seg.name.clone();
            let mut end = i;
            let mut end_span = seg.span;
            loop {
                match ks.field(&name) {
                    Some(fid)
                        if ks.field_schema(fid).ty == FieldType::Object && end + 1 < segs.len() =>
                    {
                        end += 1;
                        name = format!("{name}.{}", segs[end].name);
                        end_span = segs[end].span;
                    }
                    Some(fid) => {
                        let fs = ks.field_schema(fid);
                        let ty = field_ty(&fs.ty);
                        let full = Span::new(cur.loc.span.start as usize, end_span.end as usize);
                        cur = CExpr {
                            kind: CKind::Field {
                                base: Box::new(cur),
                                kind,
                                field: fid,
                                // Evidence names a link's field as it is written.
                                name: if Schema::is_link(kind) {
                                    format!("{LINK}.{name}")
                                } else {
                                    name.clone()
                                },
                            },
                            ty,
                            loc: self.loc(full),
                        };
                        break;
                    }
                    None => {
                        let prefix = name
                            .rsplit_once('.')
                            .map(|(p, _)| format!("{p}."))
                            .unwrap_or_default();
                        let mut candidates: Vec<&str> = ks
                            .fields
                            .iter()
                            .map(|f| f.name.as_str())
                            .filter(|n| n.starts_with(&prefix) && !n[prefix.len()..].contains('.'))
                            .collect();
                        if prefix.is_empty() && !Schema::is_link(kind) {
                            candidates.push(VIRTUAL_ID);
                            if Some(kind) == self.builtins.vendor {
                                candidates.push(VIRTUAL_SUPPLY_CHAIN);
                            }
                        }
                        let help = diag::did_you_mean(&name, candidates.iter().copied())
                            .map(|n| format!("did you mean `{n}`?"))
                            .unwrap_or_else(|| {
                                if Schema::is_link(kind) {
                                    let mut names: Vec<String> =
                                        candidates.iter().map(|n| format!("`{n}`")).collect();
                                    names.sort();
                                    format!("the fields of {} are {}", ks.name, names.join(", "))
                                } else {
                                    format!(
                                        "see `custody.yaml` `schema:` to add fields to `{}`",
                                        ks.name
                                    )
                                }
                            });
                        let d = Diag::new(
                            &codes::policy::UNKNOWN_FIELD,
                            format!("{} has no field `{name}`", ks.name),
                        )
                        .at(
                            self.loc(Span::new(seg.span.start as usize, end_span.end as usize)),
                            "unknown field",
                        )
                        .help(help);
                        self.diags.push(d);
                        return None;
                    }
                }
            }
            i = end + 1;
        }
        Some(cur)
    }
}

/// Do `l` and `r` compare by an enum's order: both of one ordered enum, or one of them an
/// ordered enum and the other a string constant (validated against it after)?
fn ordered_pair(l: &CExpr, r: &CExpr) -> bool {
    let str_const = |e: &CExpr| matches!(e.as_const(), Some(Const::Str(_)));
    match (&l.ty, &r.ty) {
        (Ty::Enum(a), Ty::Enum(b)) => a.ordered && a == b,
        (Ty::Enum(a), Ty::Str) => a.ordered && str_const(r),
        (Ty::Str, Ty::Enum(b)) => b.ordered && str_const(l),
        (
            Ty::Bool
            | Ty::Num
            | Ty::Str
            | Ty::Enum(_)
            | Ty::Date
            | Ty::Cat
            | Ty::Entity(_)
            | Ty::List(_)
            | Ty::Object
            | Ty::Unknown
            | Ty::Pattern,
            _,
        ) => false,
    }
}

/// The help for `< <= > >=` between operands that do not compare: why, when an enum is
/// involved (it has no order, or the two have different orders), and what to write.
fn order_help(op: CmpOp, (l, lt): (&CExpr, &str), (r, rt): (&CExpr, &str)) -> String {
    let op = op.as_str();
    let enum_of = |e: &CExpr| e.ty.enum_values().cloned();
    let (le, re) = (enum_of(l), enum_of(r));
    let unordered = [(&le, lt), (&re, rt)]
        .into_iter()
        .find(|(e, _)| e.as_ref().is_some_and(|v| !v.ordered));
    if let Some((_, text)) = unordered {
        return format!(
            "`{text}` is an enum with no order: test it with `==` or `in [...]`; a field declared `ordered(a, b, c)` in the schema (lowest first) compares with `<`, `<=`, `>` and `>=`"
        );
    }
    match (le, re) {
        (Some(_), Some(_)) => format!(
            "`{lt}` and `{rt}` are values of different ordered enums, which have no common order"
        ),
        (Some(v), None) | (None, Some(v)) => {
            let text = if enum_of(l).is_some() { lt } else { rt };
            let listed = v.listed();
            let example = listed.get(1).or(listed.first()).copied().unwrap_or("value");
            format!(
                "`{text}` is an ordered enum (lowest first: {}); compare it with one of its values, e.g. `{text} {op} \"{example}\"`",
                v.values.join(", ")
            )
        }
        (None, None) => format!("`{op}` compares numbers, dates or values of an ordered enum"),
    }
}

/// `x.depth` or `x.via` where `x` does not range over a `supply_chain`.
fn chain_unavailable(what: &str, field: &str, bound: &str, here: Loc) -> Diag {
    Diag::new(
        &codes::policy::CHAIN_UNAVAILABLE,
        format!("`{what}` has no `{field}`: it is {bound}"),
    )
    .at(here, format!("no `{field}` here"))
    .help(format!(
        "`depth` and `via` are available on a variable of a quantifier, `count` or aggregate over a `supply_chain`: `all p in v.supply_chain: p.{field} ...`"
    ))
}

fn collect_cats(c: &CExpr, out: &mut Vec<crate::inventory::CatId>) -> bool {
    if let Some(items) = c.as_list() {
        return items.iter().all(|i| collect_cats(i, out));
    }
    match c.as_const() {
        Some(Const::Cat(id)) => {
            out.push(*id);
            true
        }
        Some(
            Const::Bool(_) | Const::Num(_) | Const::Str(_) | Const::Date(_) | Const::Pattern { .. },
        )
        | None => false,
    }
}

pub fn field_ty(t: &FieldType) -> Ty {
    match t {
        FieldType::String => Ty::Str,
        FieldType::Number => Ty::Num,
        FieldType::Bool => Ty::Bool,
        FieldType::Date => Ty::Date,
        FieldType::Category => Ty::Cat,
        FieldType::Enum(v) => Ty::Enum(v.clone()),
        FieldType::Ref(k) => Ty::Entity(*k),
        FieldType::List(inner) => Ty::List(Box::new(field_ty(inner))),
        FieldType::Object => Ty::Object,
    }
}

/// The last line of a regex error is the useful part ("error: unclosed group").
fn regex_error_words(e: &regex::Error) -> String {
    let s = e.to_string();
    let last = s
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid pattern");
    last.trim().trim_start_matches("error: ").to_owned()
}
