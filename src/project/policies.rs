//! Stage 2 of loading: the policy files, read and parsed. Paths are walked for `*.policy`
//! files; `builtin:` entries load the embedded library ([`crate::library`]), with the
//! config's `library.parameters` spliced into its `let`s before anything is checked.
//! Which library rules run (`builtin:` selections, `library.disable`) is applied to the
//! checked rules by `check::program`, from what this stage records in [`Policies`].

use crate::ast::{Item, PolicyFile};
use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::library::Selection;
use crate::project::config::Parameter;
use crate::source::{FileId, Loc, SourceMap};
use crate::sources::{self, FileKind, Input};
use crate::types::RuleId;
use std::path::{Path, PathBuf};

/// Where the rules of a `policies` entry come from: policy files (a file, or a directory
/// walked for `*.policy`), or the embedded standard library, `builtin:NAME` (`tpr`, or a
/// framework such as `gdpr`; checked against the library's names by [`read`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PolicySource {
    File(PathBuf),
    Builtin(String),
}

impl PolicySource {
    /// A `policies` entry of custody.yaml: `builtin:NAME`, else a path, which `path`
    /// resolves (against the config's directory).
    pub fn parse(entry: &str, path: impl FnOnce(&str) -> PathBuf) -> PolicySource {
        match builtin_name(entry) {
            Some(name) => PolicySource::Builtin(name.to_owned()),
            None => PolicySource::File(path(entry)),
        }
    }

    /// A `--policy` argument: `builtin:NAME`, else a path.
    pub fn from_cli(path: PathBuf) -> PolicySource {
        match path.to_str().and_then(builtin_name) {
            Some(name) => PolicySource::Builtin(name.to_owned()),
            None => PolicySource::File(path),
        }
    }
}

/// The NAME of `builtin:NAME` (a repeated `builtin:` prefix is dropped too).
fn builtin_name(entry: &str) -> Option<&str> {
    entry
        .strip_prefix("builtin:")
        .map(|name| name.trim_start_matches("builtin:"))
}

/// A `policies` entry, and where it was named (a line of custody.yaml or of a test file),
/// if not on the command line.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyInput {
    pub source: PolicySource,
    pub named_at: Option<Loc>,
}

/// The parsed policies and what decides which library rules run.
#[derive(Debug, Default)]
pub struct Policies {
    /// Every policy file that parsed: the library's first, then the user's, in load order.
    pub files: Vec<PolicyFile>,
    /// The library's files in the source map (empty when no `builtin:` entry is loaded).
    pub library_files: Vec<FileId>,
    /// Which library rules the `builtin:` entries select.
    pub selection: Selection,
    /// `library.disable`: rule IDs to drop, with where each is written.
    pub disable: Vec<(RuleId, Loc)>,
    /// Report `library.disable` entries that match nothing even when no library is loaded.
    pub strict: bool,
    /// The `let`s whose value `library.parameters` replaced, so the checker can label a
    /// mistake in a value where the user wrote it.
    pub overrides: Vec<Override>,
    /// Exports that come from no policy file of the run: the built-in country groups
    /// (`builtin:countries.policy`), then custody.yaml's `definitions:`, each parsed from a
    /// source of its own. Checked with `files`, but no rule, lint or count sees them.
    pub prelude: Vec<PolicyFile>,
    /// The `definitions:` entries parsed into `prelude`, so the checker can label a mistake
    /// in a value where the user wrote it.
    pub definitions: Vec<Definition>,
    /// Policy files read that gave nothing to check (their errors are reported): the checker
    /// does not report uses of the exports they meant to define.
    pub broken: Vec<FileId>,
}

/// One entry of custody.yaml's `definitions:`, parsed as `export let NAME = VALUE` from a
/// source of its own.
#[derive(Clone, Debug)]
pub struct Definition {
    pub name: String,
    /// The source the definition was parsed from (its spans are in it).
    pub source: FileId,
    /// Where the name and the value are written in custody.yaml.
    pub name_loc: Loc,
    pub value_loc: Loc,
}

/// One library `let` whose value comes from custody.yaml's `library.parameters`.
#[derive(Clone, Debug)]
pub struct Override {
    /// The library file holding the `let`, and the `let`'s name.
    pub file: FileId,
    pub name: String,
    /// Where the name is written in the library.
    pub let_loc: Loc,
    /// The library's own value (its spans in `file`), for its type.
    pub default: crate::ast::Expr,
    /// The source the new value was parsed from (its spans are in it).
    pub source: FileId,
    /// Where the value is written in custody.yaml.
    pub value_loc: Loc,
}

/// Reads one policy file into the source map (see `load_policies`).
pub type ReadFile<'r> = dyn FnMut(&Path, &mut SourceMap, &mut Vec<Diag>) -> Option<FileId> + 'r;

/// The `library:` settings of a config.
pub struct Library<'a> {
    pub parameters: &'a [Parameter],
    /// custody.yaml's `definitions:` (not the library's, but read alike).
    pub definitions: &'a [Parameter],
    pub disable: &'a [(RuleId, Loc)],
    /// Report parameters and disabled rules that match nothing even when no library is
    /// loaded (they come from the same config as the policies).
    pub strict: bool,
}

/// Read and parse policy files: paths (directories walked) and `builtin:` entries, which
/// load the embedded library with `library`'s parameters. `read` reads one file into the
/// source map (the test runner reads each file once across many test files).
pub fn read(
    policies: Vec<PolicyInput>,
    library: &Library<'_>,
    cwd: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
    read: &mut ReadFile<'_>,
) -> Policies {
    read_cached(
        policies,
        library,
        cwd,
        sources,
        diags,
        read,
        &mut ParseCache::default(),
    )
}

/// Parsed policy files kept between runs by a long-lived reader (the language server): a
/// file whose text is the same `Arc` as when it was parsed is not parsed again, its
/// diagnostics are given again instead. A new cache (`default`) keeps nothing.
#[derive(Default)]
pub struct ParseCache {
    /// Whether to keep what is parsed (off in a one-shot run: nothing would reuse it).
    pub keep: bool,
    parsed: std::collections::HashMap<FileId, Parsed>,
}

struct Parsed {
    text: std::sync::Arc<String>,
    file: Option<PolicyFile>,
    diags: Vec<Diag>,
}

impl ParseCache {
    /// A cache that keeps every file it parses.
    pub fn keeping() -> ParseCache {
        ParseCache {
            keep: true,
            parsed: std::collections::HashMap::new(),
        }
    }

    /// `syntax::parse_policy`, or what it gave for the same text last time.
    fn parse(
        &mut self,
        file: FileId,
        sources: &SourceMap,
        diags: &mut Vec<Diag>,
    ) -> Option<PolicyFile> {
        let text = sources.get(file).text_arc();
        if let Some(p) = self.parsed.get(&file)
            && std::sync::Arc::ptr_eq(&p.text, &text)
        {
            diags.extend(p.diags.iter().cloned());
            return p.file.clone();
        }
        if !self.keep {
            return crate::syntax::parse_policy(file, &text, diags);
        }
        let mut own = Vec::new();
        let parsed = crate::syntax::parse_policy(file, &text, &mut own);
        diags.extend(own.iter().cloned());
        self.parsed.insert(
            file,
            Parsed {
                text,
                file: parsed.clone(),
                diags: own,
            },
        );
        parsed
    }
}

/// [`read`], parsing through `cache`.
pub fn read_cached(
    policies: Vec<PolicyInput>,
    library: &Library<'_>,
    cwd: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
    read: &mut ReadFile<'_>,
    cache: &mut ParseCache,
) -> Policies {
    let mut builtins = Vec::new();
    let mut paths = Vec::new();
    for p in policies {
        match p.source {
            PolicySource::Builtin(name) => builtins.push((name, p.named_at)),
            PolicySource::File(path) => paths.push(Input {
                path,
                named_at: p.named_at,
            }),
        }
    }
    let mut selection = Selection::default();
    for (name, named_at) in &builtins {
        let name = name.as_str();
        if let Err(names) = selection.add(name) {
            let d = Diag::new(
                &codes::library::UNKNOWN,
                format!("`builtin:{name}` is not a policy library"),
            )
            .help(match diag::did_you_mean(name, names.iter().copied()) {
                Some(n) => format!("did you mean `builtin:{n}`?"),
                None => format!(
                    "libraries are {}",
                    names
                        .iter()
                        .map(|n| format!("`builtin:{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
            diags.push(match named_at {
                Some(loc) => d.at(*loc, "unknown library"),
                None => d,
            });
        }
    }
    let mut prelude = Vec::new();
    let (name, text) = crate::library::COUNTRIES;
    let file = sources.add(format!("builtin:{name}"), text);
    prelude.extend(cache.parse(file, sources, diags));
    let mut definitions = Vec::new();
    for d in library.definitions {
        if let Some((pf, def)) = define(d, sources, diags) {
            prelude.push(pf);
            definitions.push(def);
        }
    }
    let mut files = Vec::new();
    let mut library_files = Vec::new();
    let mut overrides = Vec::new();
    if !selection.is_empty() {
        for (name, text) in crate::library::FILES {
            let file = sources.add(crate::library::source_name(name), *text);
            library_files.push(file);
            if let Some(mut pf) = cache.parse(file, sources, diags) {
                override_parameters(&mut pf, library.parameters, sources, diags, &mut overrides);
                files.push(pf);
            }
        }
    }
    if library.strict || !library_files.is_empty() {
        check_parameters(&files, &library_files, library.parameters, diags);
    }
    let mut broken = Vec::new();
    for path in sources::collect(&paths, FileKind::Policy, cwd, diags) {
        if let Some(file) = read(&path, sources, diags) {
            match cache.parse(file, sources, diags) {
                Some(pf) => files.push(pf),
                None => broken.push(file),
            }
        }
    }
    Policies {
        files,
        library_files,
        selection,
        disable: library.disable.to_vec(),
        strict: library.strict,
        overrides,
        prelude,
        definitions,
        broken,
    }
}

/// Parse one `definitions:` entry as `export let NAME = VALUE`, in a source of its own named
/// `custody.yaml: definitions.NAME`. A name that is not one, or a value that does not
/// parse, is one error in custody.yaml.
fn define(
    d: &Parameter,
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
) -> Option<(PolicyFile, Definition)> {
    let is_name = d
        .name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && d.name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !is_name || crate::syntax::is_reserved(&d.name) {
        let why = if is_name {
            format!("`{}` is a reserved word", d.name)
        } else {
            "a name is letters, digits and `_`, starting with a letter or `_`".to_owned()
        };
        diags.push(
            Diag::new(
                &codes::config::BAD_DEFINITION,
                format!("`{}` cannot be the name of a definition", d.name),
            )
            .at(d.name_loc, "not a name")
            .help(format!(
                "{why}; policies use the name as written, e.g. `v.country in approved_countries`"
            )),
        );
        return None;
    }
    let text = format!("export let {} = {}\n", d.name, d.text);
    let file = sources.add(
        format!("custody.yaml: definitions.{}", d.name),
        text.clone(),
    );
    let before = diags.len();
    let parsed = crate::syntax::parse_policy(file, &text, diags);
    let whole = parsed.filter(|pf| diags.len() == before && pf.items.len() == 1);
    if let Some(pf) = whole {
        let def = Definition {
            name: d.name.clone(),
            source: file,
            name_loc: d.name_loc,
            value_loc: d.value_loc,
        };
        return Some((pf, def));
    }
    // One error, in custody.yaml where the value is written; the parser's words (about the
    // synthetic `export let NAME = VALUE`) become its help.
    let why = diags.drain(before..).next().map(|d| d.message);
    let write = format!("write the value as after `let {} =` in a policy", d.name);
    diags.push(
        Diag::new(
            &codes::config::BAD_DEFINITION,
            format!(
                "`{}` is not a value for the definition `{}`",
                d.text, d.name
            ),
        )
        .at(d.value_loc, "not a policy expression")
        .help(match why {
            Some(w) => format!("{w}; {write}"),
            None => format!("a definition is one value; {write}"),
        }),
    );
    None
}

/// Replace the value of each library `let` named in `library.parameters` by the override,
/// parsed as a policy expression from a source of its own (so a mistake in it is labelled
/// there, under the name `custody.yaml: library.parameters.NAME`).
fn override_parameters(
    pf: &mut PolicyFile,
    params: &[Parameter],
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
    overrides: &mut Vec<Override>,
) {
    for item in &mut pf.items {
        let Item::Let(l) = item else {
            continue;
        };
        let Some(p) = params.iter().find(|p| p.name == l.name.name) else {
            continue;
        };
        let text = format!("let {} = {}\n", p.name, p.text);
        let file = sources.add(
            format!("custody.yaml: library.parameters.{}", p.name),
            text.clone(),
        );
        let before = diags.len();
        let parsed = crate::syntax::parse_policy(file, &text, diags);
        let value = parsed
            .and_then(|f| f.items.into_iter().next())
            .and_then(|i| match i {
                Item::Let(new) => Some(new.value),
                Item::Rule(_) => None,
            });
        match value {
            Some(v) if diags.len() == before => {
                let default = std::mem::replace(&mut l.value, v);
                overrides.push(Override {
                    file: pf.file,
                    name: p.name.clone(),
                    let_loc: Loc::new(pf.file, l.name.span),
                    default,
                    source: file,
                    value_loc: p.value_loc,
                });
            }
            _ => {
                // One error, in custody.yaml where the value is written; the parser's words
                // (about the synthetic `let NAME = VALUE`) become its help.
                let why = diags.drain(before..).next().map(|d| d.message);
                diags.push(
                    Diag::new(
                        &codes::library::BAD_PARAMETER,
                        format!(
                            "`{}` is not a value for the library parameter `{}`",
                            p.text, p.name
                        ),
                    )
                    .at(p.value_loc, "not a policy expression")
                    .help(match why {
                        Some(w) => format!(
                            "{w}; write the value as after `let {} =` in a policy",
                            p.name
                        ),
                        None => format!("write the value as after `let {} =` in a policy", p.name),
                    }),
                );
            }
        }
    }
}

/// Every overridden parameter must name a `let` of the loaded library.
fn check_parameters(
    parsed: &[PolicyFile],
    library: &[FileId],
    params: &[Parameter],
    diags: &mut Vec<Diag>,
) {
    let names: Vec<&str> = parsed
        .iter()
        .filter(|f| library.contains(&f.file))
        .flat_map(|f| &f.items)
        .filter_map(|i| match i {
            Item::Let(l) => Some(l.name.name.as_str()),
            Item::Rule(_) => None,
        })
        .collect();
    for p in params {
        if !names.contains(&p.name.as_str()) {
            let help = if library.is_empty() {
                Some("parameters apply to the policy library: add `builtin:tpr` (or a framework such as `builtin:gdpr`) to `policies`".to_owned())
            } else {
                diag::suggest(&p.name, names.iter().copied(), "library parameters")
            };
            diags.push(
                Diag::new(
                    &codes::library::UNKNOWN_PARAMETER,
                    format!("`{}` is not a parameter of the policy library", p.name),
                )
                .at(p.name_loc, "unknown parameter")
                .help_opt(help),
            );
        }
    }
}
