//! One `custody check` run: the pipeline from settings to a `Report`, with every stage's
//! diagnostics collected. Nothing here touches the process (exit codes, stdout, the clock).

use crate::check::{self, Program, Severity};
use crate::cli::config::{self, Config};
use crate::diag::{self, Diag};
use crate::eval::waivers::{self, Waiver};
use crate::eval::{self, Finding, RuleStats, Status};
use crate::inventory::{self, Inventory, Schema, Taxonomy};
use crate::source::SourceMap;
use crate::sources::{self, FileKind};
use jiff::civil::Date;
use std::path::PathBuf;

/// What a run needs, already validated by the CLI layer.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub cwd: PathBuf,
    /// The PATH argument: a directory holding custody.yaml (or the config file itself).
    pub config_dir: Option<PathBuf>,
    /// `--policy`, `--inventory`, `--waivers`: replace the config's lists when given.
    pub policies: Vec<PathBuf>,
    pub inventory: Vec<PathBuf>,
    pub waivers: Option<PathBuf>,
    pub as_of: Option<Date>,
    pub fail_on: Option<Severity>,
    /// `--rule`: only these rules.
    pub rules: Vec<String>,
    pub max_file_size: Option<u64>,
    /// Stop after checking (for `lint`).
    pub no_eval: bool,
    /// `--baseline`: known findings that do not fail the run.
    pub baseline: Option<PathBuf>,
    /// Findings without evidence, for a renderer that adds it one finding at a time
    /// (`eval::Context::with_evidence`): the streamed JSON report.
    pub defer_evidence: bool,
}

/// Everything a renderer needs.
pub struct Report {
    /// Phase times (`--timings`); never part of any output format.
    pub timings: Timings,
    pub sources: SourceMap,
    pub schema: Schema,
    pub taxonomy: Taxonomy,
    pub inventory: Inventory,
    pub program: Program,
    pub findings: Vec<Finding>,
    pub stats: Vec<RuleStats>,
    /// Which rules were evaluated (all, or those named by `--rule`).
    pub evaluated: Vec<bool>,
    pub waivers: Vec<Waiver>,
    /// Errors and warnings, sorted.
    pub diags: Vec<Diag>,
    pub as_of: Date,
    pub fail_on: Severity,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Exit {
    /// No failing finding at or above the threshold.
    #[default]
    Clean = 0,
    /// Failing findings.
    Findings = 1,
    /// Invalid input or usage.
    Invalid = 2,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diag::is_error)
    }
    pub fn failing(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.status == Status::Fail)
    }
    pub fn exit(&self) -> Exit {
        if self.has_errors() {
            Exit::Invalid
        } else if self
            .failing()
            .any(|f| eval::fails(self.program.rules[f.rule].severity, self.fail_on))
        {
            Exit::Findings
        } else {
            Exit::Clean
        }
    }
}

/// Everything before evaluation: config, schema, taxonomy, checked policies, the validated
/// inventory and the waivers, with every diagnostic so far. What `lint`, `explain`,
/// `query` and `impact` start from.
pub struct Loaded {
    pub timings: Timings,
    pub sources: SourceMap,
    pub schema: Schema,
    pub taxonomy: Taxonomy,
    pub inventory: Inventory,
    pub program: Program,
    pub waivers: Vec<Waiver>,
    pub diags: Vec<Diag>,
    pub as_of: Date,
    pub fail_on: Severity,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diag::is_error)
    }
    /// An evaluation context over everything loaded.
    pub fn context(&self) -> eval::Context<'_> {
        eval::Context::new(
            &self.program,
            &self.inventory,
            &self.schema,
            &self.taxonomy,
            &self.sources,
            self.as_of,
        )
    }
}

/// Phase times for `--timings`. Monotonic time only: nothing here reaches the output
/// formats, so output stays deterministic.
#[derive(Clone, Debug)]
pub struct Timings {
    last: std::time::Instant,
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings {
            last: std::time::Instant::now(),
            phases: Vec::new(),
        }
    }
}

impl Timings {
    /// Close the current phase under `name`.
    pub fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.phases.push((name, now - self.last));
        self.last = now;
    }
    /// `read    12.3 ms` lines and a total, for stderr.
    pub fn render(&self) -> String {
        let total: std::time::Duration = self.phases.iter().map(|(_, d)| *d).sum();
        let mut out = String::from("custody timings:\n");
        for (name, d) in self.phases.iter().chain(std::iter::once(&("total", total))) {
            out.push_str(&format!(
                "  {name:<28} {:>10.1} ms\n",
                d.as_secs_f64() * 1000.0
            ));
        }
        out
    }
}

/// What a command prints and how it exits; `main` writes it out.
#[derive(Debug, Default, PartialEq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub exit: Exit,
}

/// Load config, policies, inventory and waivers. `today` is the default as-of date (read
/// once by the caller).
pub fn load(settings: &Settings, today: Date) -> Loaded {
    let mut diags: Vec<Diag> = Vec::new();
    let mut sources = SourceMap::new();
    let cwd = &settings.cwd;

    let mut timings = Timings::default();
    // 1. Configuration.
    let explicit = !settings.policies.is_empty() && !settings.inventory.is_empty();
    let cfg = match config::discover(settings.config_dir.as_deref(), cwd) {
        Some(path) => config::load(&path, cwd, &mut sources, &mut diags),
        None => {
            if !explicit {
                let (message, help) = match &settings.config_dir {
                    Some(d) => (
                        format!(
                            "no `{}` in `{}`",
                            config::FILE_NAME,
                            sources::display_path(d, cwd)
                        ),
                        "create one there (see docs/inventory.md), or pass `--policy` and `--inventory`",
                    ),
                    None => (
                        format!(
                            "no `{}` found in this directory or any parent",
                            config::FILE_NAME
                        ),
                        "run custody from a project with a custody.yaml, name its directory (`custody check DIR`), or pass `--policy` and `--inventory`",
                    ),
                };
                diags.push(Diag::error("custody::config::not_found", message).help(help));
            }
            Config::default()
        }
    };
    let from_cli = |paths: &[PathBuf]| {
        paths
            .iter()
            .cloned()
            .map(sources::Input::cli)
            .collect::<Vec<_>>()
    };
    let policies = if settings.policies.is_empty() {
        cfg.policies.clone()
    } else {
        from_cli(&settings.policies)
    };
    let inventory_paths = if settings.inventory.is_empty() {
        cfg.inventory.clone()
    } else {
        from_cli(&settings.inventory)
    };
    let waivers_path = settings
        .waivers
        .clone()
        .map(sources::Input::cli)
        .or(cfg.waivers.clone());
    let fail_on = settings.fail_on.or(cfg.fail_on).unwrap_or(Severity::Low);
    let max_size = settings
        .max_file_size
        .or(cfg.max_file_size)
        .unwrap_or(sources::DEFAULT_MAX_FILE_SIZE);
    let as_of = settings.as_of.unwrap_or(today);
    if cfg.path.is_some() || explicit {
        if policies.is_empty() {
            diags.push(
                Diag::error("custody::config::no_policies", "no policy files to load")
                    .help("list them under `policies:` in custody.yaml, or pass `--policy PATH`"),
            );
        }
        if inventory_paths.is_empty() {
            diags.push(
                Diag::error(
                    "custody::config::no_inventory",
                    "no inventory files to load",
                )
                .help("list them under `inventory:` in custody.yaml, or pass `--inventory PATH`"),
            );
        }
    }

    // 2. Schema and taxonomy, with the config's extensions.
    let mut schema = Schema::builtin();
    for ext in &cfg.schema {
        schema.extend(ext.file, &ext.node, &mut diags);
    }
    let mut taxonomy = Taxonomy::builtin();
    for ext in &cfg.taxonomy {
        taxonomy.extend(ext.file, &ext.node, &mut diags);
    }

    timings.lap("config, schema, taxonomy");
    // 3. Policies: read, parse, check, with the embedded library for `builtin:` entries.
    let library = Library {
        parameters: &cfg.parameters,
        disable: &cfg.disable,
        // A `--policy` that replaces the config's policies leaves its `library:` settings
        // without a library to apply to: they are only checked when one is loaded.
        strict: settings.policies.is_empty(),
    };
    let program = load_policies(
        policies,
        &library,
        cwd,
        &schema,
        &taxonomy,
        &mut sources,
        &mut diags,
        &mut |p, s, d| sources::read(p, cwd, max_size, s, d),
    );
    timings.lap("policies: read, parse, check");

    // 4. Inventory.
    let inv_files: Vec<_> =
        sources::collect(&inventory_paths, FileKind::Inventory, cwd, &mut diags)
            .iter()
            .filter_map(|p| sources::read(p, cwd, max_size, &mut sources, &mut diags))
            .collect();
    timings.lap("inventory: read");
    let inventory = inventory::load(&inv_files, &sources, &schema, &taxonomy, &mut diags);
    timings.lap("inventory: parse, validate");

    // 5. Waivers.
    let waivers = match &waivers_path {
        Some(p) => match sources::read_input(p, cwd, max_size, &mut sources, &mut diags) {
            Some(file) => {
                let text = sources.get(file).text.clone();
                let docs = inventory::yaml::parse(file, &text, &mut diags);
                waivers::parse(file, &docs, &mut diags)
            }
            None => Vec::new(),
        },
        None => Vec::new(),
    };

    timings.lap("waivers: read");
    Loaded {
        timings,
        sources,
        schema,
        taxonomy,
        inventory,
        program,
        waivers,
        diags,
        as_of,
        fail_on,
    }
}

/// Run the pipeline: load, evaluate, apply waivers. `today` is the default as-of date.
pub fn run(settings: &Settings, today: Date) -> Report {
    let Loaded {
        mut timings,
        mut sources,
        schema,
        taxonomy,
        inventory,
        program,
        waivers,
        mut diags,
        as_of,
        fail_on,
    } = load(settings, today);
    // 6. `--rule` selection.
    let mut evaluated = vec![settings.rules.is_empty(); program.rules.len()];
    for r in &settings.rules {
        match program.rules.iter().position(|x| &x.id == r) {
            Some(i) => evaluated[i] = true,
            None => diags.push(
                Diag::error(
                    "custody::cli::unknown_rule",
                    format!("`--rule {r}` names no loaded rule"),
                )
                .help_opt(diag::suggest(
                    r,
                    program.rules.iter().map(|x| x.id.as_str()),
                    "loaded rules",
                )),
            ),
        }
    }

    // 7. Evaluate and apply waivers.
    let (mut findings, stats) = if settings.no_eval {
        (Vec::new(), vec![RuleStats::default(); program.rules.len()])
    } else {
        let only: Vec<usize> = (0..program.rules.len()).filter(|&i| evaluated[i]).collect();
        let mut cx = eval::Context::new(&program, &inventory, &schema, &taxonomy, &sources, as_of);
        cx.defer_evidence = settings.defer_evidence;
        let ev = cx.run(Some(&only));
        (ev.findings, ev.stats)
    };
    timings.lap("evaluate");
    if !settings.no_eval {
        waivers::apply(
            &mut findings,
            &waivers,
            &program,
            &evaluated,
            &inventory,
            &schema,
            as_of,
            &mut diags,
        );
    }
    let baseline_file = match &settings.baseline {
        Some(path) if !settings.no_eval => sources::read(
            path,
            &settings.cwd,
            sources::DEFAULT_MAX_FILE_SIZE,
            &mut sources,
            &mut diags,
        ),
        _ => None,
    };
    if let Some(file) = baseline_file {
        let text = sources.get(file).text.clone();
        let docs = inventory::yaml::parse(file, &text, &mut diags);
        let recorded = crate::eval::baseline::parse(file, &docs, &mut diags);
        let name = |f: &Finding| {
            let e = inventory.get(f.entity);
            crate::eval::baseline::fingerprint(
                &program.rules[f.rule].id,
                &schema.kind(e.kind).name,
                &e.id,
            )
        };
        crate::eval::baseline::apply(&mut findings, &recorded, name, &mut diags);
    }
    diag::sort(&mut diags);
    diags.dedup();
    timings.lap("waivers, baseline");
    Report {
        timings,
        sources,
        schema,
        taxonomy,
        inventory,
        program,
        findings,
        stats,
        evaluated,
        waivers,
        diags,
        as_of,
        fail_on,
    }
}

/// Reads one policy file into the source map (see `load_policies`).
pub type ReadFile<'r> = dyn FnMut(&std::path::Path, &mut SourceMap, &mut Vec<Diag>) -> Option<crate::source::FileId>
    + 'r;

/// The `library:` settings of a config.
pub struct Library<'a> {
    pub parameters: &'a [config::Parameter],
    pub disable: &'a [(String, crate::source::Loc)],
    /// Report parameters and disabled rules that match nothing even when no library is
    /// loaded (they come from the same config as the policies).
    pub strict: bool,
}

/// Read, parse and check policy files: paths (directories walked) and `builtin:` entries,
/// which load the embedded library with `library`'s parameters and keep only the selected
/// rules; disabled rules are dropped. `read` reads one file into the source map (the test
/// runner reads each file once across many test files).
#[allow(clippy::too_many_arguments)]
pub fn load_policies(
    policies: Vec<sources::Input>,
    library: &Library<'_>,
    cwd: &std::path::Path,
    schema: &Schema,
    taxonomy: &Taxonomy,
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
    read: &mut ReadFile<'_>,
) -> Program {
    let (builtins, policies): (Vec<_>, Vec<_>) = policies
        .into_iter()
        .partition(|i| i.path.to_str().is_some_and(|p| p.starts_with("builtin:")));
    let mut selection = crate::library::Selection::default();
    for b in &builtins {
        let name = b.path.to_str().unwrap_or("").trim_start_matches("builtin:");
        if let Err(names) = selection.add(name) {
            let d = Diag::error(
                "custody::library::unknown",
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
            diags.push(match b.named_at {
                Some(loc) => d.at(loc, "unknown library"),
                None => d,
            });
        }
    }
    let mut parsed = Vec::new();
    let mut library_files = Vec::new();
    if !selection.is_empty() {
        for (name, text) in crate::library::FILES {
            let file = sources.add(crate::library::source_name(name), *text);
            library_files.push(file);
            if let Some(mut pf) = crate::syntax::parse_policy(file, text, diags) {
                override_parameters(&mut pf, library.parameters, sources, diags);
                parsed.push(pf);
            }
        }
    }
    if library.strict || !library_files.is_empty() {
        check_parameters(&parsed, &library_files, library.parameters, diags);
    }
    for path in sources::collect(&policies, FileKind::Policy, cwd, diags) {
        if let Some(file) = read(&path, sources, diags) {
            let text = sources.get(file).text.clone();
            if let Some(pf) = crate::syntax::parse_policy(file, &text, diags) {
                parsed.push(pf);
            }
        }
    }
    let mut program = check::check(&parsed, sources, schema, taxonomy, diags);
    drop(parsed);
    // Library rules not selected by a `builtin:` entry, and disabled rules, do not run.
    program
        .rules
        .retain(|r| !library_files.contains(&r.loc.file) || selection.keeps(r));
    for (id, loc) in library.disable {
        match program.rules.iter().position(|r| &r.id == id) {
            Some(i) => {
                program.rules.remove(i);
            }
            None if !library.strict && library_files.is_empty() => {}
            None => diags.push(
                Diag::error(
                    "custody::library::unknown_rule",
                    format!("`library.disable` names `{id}`, which no loaded policy defines"),
                )
                .at(*loc, "no such rule")
                .help_opt(diag::suggest(
                    id,
                    program.rules.iter().map(|r| r.id.as_str()),
                    "loaded rules",
                )),
            ),
        }
    }
    program
}

/// Replace the value of each library `let` named in `library.parameters` by the override,
/// parsed as a policy expression from a source of its own (so a mistake in it is labelled
/// there, under the name `custody.yaml: library.parameters.NAME`).
fn override_parameters(
    pf: &mut crate::ast::PolicyFile,
    params: &[config::Parameter],
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
) {
    for item in &mut pf.items {
        let crate::ast::Item::Let(l) = item else {
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
                crate::ast::Item::Let(new) => Some(new.value),
                crate::ast::Item::Rule(_) => None,
            });
        match value {
            Some(v) if diags.len() == before => l.value = v,
            _ => {
                // One error, in custody.yaml where the value is written; the parser's words
                // (about the synthetic `let NAME = VALUE`) become its help.
                let why = diags.drain(before..).next().map(|d| d.message);
                diags.push(
                    Diag::error(
                        "custody::library::bad_parameter",
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
    parsed: &[crate::ast::PolicyFile],
    library: &[crate::source::FileId],
    params: &[config::Parameter],
    diags: &mut Vec<Diag>,
) {
    let names: Vec<&str> = parsed
        .iter()
        .filter(|f| library.contains(&f.file))
        .flat_map(|f| &f.items)
        .filter_map(|i| match i {
            crate::ast::Item::Let(l) => Some(l.name.name.as_str()),
            crate::ast::Item::Rule(_) => None,
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
                Diag::error(
                    "custody::library::unknown_parameter",
                    format!("`{}` is not a parameter of the policy library", p.name),
                )
                .at(p.name_loc, "unknown parameter")
                .help_opt(help),
            );
        }
    }
}
