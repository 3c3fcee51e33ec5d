//! `custody.yaml`: discovery (walk up from the working directory, or the directory given)
//! and reading, with a diagnostic for every mistake.

use crate::diag::code::Code;
use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::project::policies::{PolicyInput, PolicySource};
use crate::source::{FileId, Loc, SourceMap};
use crate::sources::Input;
use crate::types::{RuleId, Severity};
use crate::yaml::map::{MapReader, kind_words};
use crate::yaml::{self, Node, NodeKind};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "custody.yaml";
const CODE: &Code = &codes::config::INVALID;
const KEYS: [&str; 10] = [
    "policies",
    "inventory",
    "waivers",
    "taxonomy",
    "schema",
    "fail_on",
    "max_file_size",
    "library",
    "lint",
    "definitions",
];

/// An extension (`taxonomy:` or `schema:`): inline in the config, or in a file it names.
pub struct Extension {
    pub file: FileId,
    pub node: Node,
}

#[derive(Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub policies: Vec<PolicyInput>,
    pub inventory: Vec<Input>,
    pub waivers: Option<Input>,
    pub taxonomy: Vec<Extension>,
    pub schema: Vec<Extension>,
    pub fail_on: Option<Severity>,
    pub max_file_size: Option<u64>,
    /// `library.disable`: rule IDs to turn off, with where each is written.
    pub disable: Vec<(RuleId, Loc)>,
    /// `library.parameters`: `let` name → new value (a policy expression), with locations.
    pub parameters: Vec<Parameter>,
    /// `lint:`: which warnings `custody lint` gives.
    pub lint: LintSettings,
    /// `definitions:`: shared definitions (exports), name → value, read as
    /// `library.parameters` values are.
    pub definitions: Vec<Parameter>,
}

/// The `lint:` section: settings of `custody lint`'s warnings.
#[derive(Clone, Debug, Default)]
pub struct LintSettings {
    /// `lint.allow`: the codes to silence, as written (`custody::lint::NAME`, or without the
    /// `custody::` prefix), with where each is written. The lint layer checks the names.
    pub allow: Vec<(String, Loc)>,
    /// `lint.waiver_expiry_days`: warn about waivers expiring within this many days.
    pub waiver_expiry_days: Option<u32>,
}

/// One overridden library parameter, or one entry of `definitions:`.
pub struct Parameter {
    pub name: String,
    pub name_loc: Loc,
    /// The value as policy-language text: YAML strings are expressions, lists become list
    /// literals of strings, numbers and booleans stay as they are.
    pub text: String,
    pub value_loc: Loc,
}

/// Find `custody.yaml`: in `dir` when given, else walking up from `cwd`.
/// `dir`, named as the directory of the config, holds none: `leave_out` names the argument
/// to leave out for the shipped schema and taxonomy (for the commands that need no config).
pub fn not_found_in(dir: &Path, cwd: &Path, leave_out: &str) -> Diag {
    Diag::new(
        &codes::config::NOT_FOUND,
        format!(
            "no `{}` in `{}`",
            FILE_NAME,
            crate::sources::display_path(dir, cwd)
        ),
    )
    .help(format!(
        "name the directory that holds custody.yaml, or leave {leave_out} out for the shipped schema and taxonomy"
    ))
}

pub fn discover(dir: Option<&Path>, cwd: &Path) -> Option<PathBuf> {
    match dir {
        Some(d) if d.is_file() => Some(d.to_path_buf()),
        Some(d) => {
            let p = d.join(FILE_NAME);
            p.is_file().then_some(p)
        }
        None => cwd
            .ancestors()
            .map(|a| a.join(FILE_NAME))
            .find(|p| p.is_file()),
    }
}

/// The error when no config was found and the command line does not name the inputs.
pub fn not_found(dir: Option<&Path>, cwd: &Path, needs: crate::project::Needs) -> Diag {
    let flags = match (needs.policies, needs.inventory) {
        (true, false) => "pass `--policy`",
        (false, true) => "pass `--inventory`",
        _ => "pass `--policy` and `--inventory`",
    };
    let (message, help) = match dir {
        Some(d) => (
            format!(
                "no `{FILE_NAME}` in `{}`",
                crate::sources::display_path(d, cwd)
            ),
            format!("create one there (see docs/inventory.md), or {flags}"),
        ),
        None => (
            format!("no `{FILE_NAME}` found in this directory or any parent"),
            format!(
                "run custody from a project with a custody.yaml, name its directory (`custody check DIR`), or {flags}"
            ),
        ),
    };
    Diag::new(&codes::config::NOT_FOUND, message).help(help)
}

/// Read a config file. Paths in it are made relative to its directory.
pub fn load(path: &Path, cwd: &Path, sources: &mut SourceMap, diags: &mut Vec<Diag>) -> Config {
    let mut cfg = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    let Some(file) = crate::sources::read(
        path,
        cwd,
        crate::sources::DEFAULT_MAX_FILE_SIZE,
        sources,
        diags,
    ) else {
        return cfg;
    };
    let text = sources.get(file).text_arc();
    let docs = yaml::parse(file, &text, diags);
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let rel = |p: &str| base.join(p);
    let Some(doc) = docs.first() else { return cfg };
    let Some(m) = MapReader::new(file, doc, "custody.yaml", diags) else {
        return cfg;
    };
    m.reject_unknown(&KEYS, CODE, "custody.yaml", diags);
    if let Some(list) = m.strings("policies", CODE, diags) {
        cfg.policies = list
            .iter()
            // `builtin:NAME` names the embedded library, not a path.
            .map(|(p, loc)| PolicyInput {
                source: PolicySource::parse(p, rel),
                named_at: Some(*loc),
            })
            .collect();
    }
    if let Some(list) = m.strings("inventory", CODE, diags) {
        cfg.inventory = list
            .iter()
            .map(|(p, loc)| Input {
                path: rel(p),
                named_at: Some(*loc),
            })
            .collect();
    }
    if let Some((w, loc)) = m.str("waivers", CODE, diags) {
        cfg.waivers = Some(Input {
            path: rel(&w),
            named_at: Some(loc),
        });
    }
    if let Some((s, loc)) = m.str("fail_on", CODE, diags) {
        match Severity::parse(&s).filter(|s| *s != Severity::Info) {
            Some(sev) => cfg.fail_on = Some(sev),
            None => diags.push(
                Diag::new(CODE, format!("`{s}` is not a severity `fail_on` accepts"))
                    .at(loc, "expected critical, high, medium or low")
                    .help_opt(diag::suggest(
                        &s,
                        ["critical", "high", "medium", "low"],
                        "accepted values",
                    )),
            ),
        }
    }
    if let Some(n) = m.get("max_file_size") {
        match n.kind {
            NodeKind::Int(i) if i > 0 => cfg.max_file_size = Some(i as u64),
            _ => diags.push(
                Diag::new(
                    CODE,
                    format!(
                        "`max_file_size` must be a positive number of bytes, found {}",
                        kind_words(n)
                    ),
                )
                .at(m.loc(n), "expected e.g. 1073741824"),
            ),
        }
    }
    if let Some(n) = m.get("library")
        && let Some(lib) = MapReader::new(file, n, "`library`", diags)
    {
        lib.reject_unknown(&["disable", "parameters"], CODE, "`library`", diags);
        if let Some(list) = lib.strings("disable", CODE, diags) {
            cfg.disable = list
                .into_iter()
                .map(|(id, loc)| (RuleId::new(id), loc))
                .collect();
        }
        if let Some(p) = lib.get("parameters")
            && let Some(params) = MapReader::new(file, p, "`library.parameters`", diags)
        {
            cfg.parameters = values(file, &params, "library parameter", diags);
        }
    }
    if let Some(n) = m.get("definitions")
        && let Some(defs) = MapReader::new(file, n, "`definitions`", diags)
    {
        cfg.definitions = values(file, &defs, "definition", diags);
    }
    if let Some(n) = m.get("lint")
        && let Some(lint) = MapReader::new(file, n, "`lint`", diags)
    {
        lint.reject_unknown(&["allow", "waiver_expiry_days"], CODE, "`lint`", diags);
        if let Some(list) = lint.strings("allow", CODE, diags) {
            cfg.lint.allow = list;
        }
        if let Some(n) = lint.get("waiver_expiry_days") {
            match n.kind {
                NodeKind::Int(i) if (0..=i64::from(u32::MAX)).contains(&i) => {
                    cfg.lint.waiver_expiry_days = u32::try_from(i).ok();
                }
                _ => diags.push(
                    Diag::new(
                        CODE,
                        format!(
                            "`lint.waiver_expiry_days` must be a whole number of days, found {}",
                            kind_words(n)
                        ),
                    )
                    .at(lint.loc(n), "expected e.g. 14")
                    .help("write the number of days before a waiver's expiry that `custody lint` starts to warn, e.g. `waiver_expiry_days: 14` (the default is 30)"),
                ),
            }
        }
    }
    for (key, out) in [("taxonomy", &mut cfg.taxonomy), ("schema", &mut cfg.schema)] {
        let Some(n) = m.get(key) else { continue };
        match &n.kind {
            NodeKind::Str { value, .. } => {
                let p = rel(value);
                if let Some(f) = crate::sources::read(
                    &p,
                    cwd,
                    crate::sources::DEFAULT_MAX_FILE_SIZE,
                    sources,
                    diags,
                ) {
                    let text = sources.get(f).text_arc();
                    for node in yaml::parse(f, &text, diags) {
                        out.push(Extension { file: f, node });
                    }
                }
            }
            NodeKind::Map(_) => out.push(Extension {
                file,
                node: n.clone(),
            }),
            NodeKind::Null => {}
            _ => diags.push(
                Diag::new(
                    CODE,
                    format!(
                        "`{key}` must be a mapping or the path of a YAML file, found {}",
                        kind_words(n)
                    ),
                )
                .at(Loc::new(file, n.span), "expected a mapping or a path"),
            ),
        }
    }
    cfg
}

/// The entries of `library.parameters` or `definitions:` (`what` names one in messages).
fn values(file: FileId, map: &MapReader<'_>, what: &str, diags: &mut Vec<Diag>) -> Vec<Parameter> {
    let mut out = Vec::new();
    for (k, v) in map.entries() {
        let Some(name) = crate::yaml::map::key_str(k) else {
            continue;
        };
        match parameter_text(v) {
            Some(text) => out.push(Parameter { name: name.to_owned(), name_loc: Loc::new(file, k.span), text, value_loc: Loc::new(file, v.span) }),
            None => diags.push(
                Diag::new(CODE, format!("{what} `{name}` must be a value, a list or a policy expression, found {}", kind_words(v)))
                    .at(Loc::new(file, v.span), format!("not a {what} value"))
                    .help(if what == "definition" {
                        "write e.g. `approved_countries: [AU, NZ]`, `contact_data: personal.contact` or `audit_window_months: 12`"
                    } else {
                        "write e.g. `allowed_countries: [AU, NZ]`, `large_store_records: 500000` or `audit_cutoff_critical: today - 18 months`"
                    }),
            ),
        }
    }
    out
}

/// A parameter's YAML value as policy-language text.
fn parameter_text(n: &Node) -> Option<String> {
    match &n.kind {
        NodeKind::Str { value, .. } => Some(value.clone()),
        NodeKind::Int(i) => Some(i.to_string()),
        NodeKind::Float(f) => Some(f.to_string()),
        NodeKind::Bool(b) => Some(b.to_string()),
        NodeKind::Seq(items) => {
            let parts: Option<Vec<String>> = items
                .iter()
                .map(|i| match &i.kind {
                    NodeKind::Str { value, .. } => Some(format!(
                        "\"{}\"",
                        value.replace('\\', "\\\\").replace('"', "\\\"")
                    )),
                    NodeKind::Int(x) => Some(x.to_string()),
                    NodeKind::Float(x) => Some(x.to_string()),
                    NodeKind::Bool(x) => Some(x.to_string()),
                    _ => None,
                })
                .collect();
            parts.map(|p| format!("[{}]", p.join(", ")))
        }
        _ => None,
    }
}
