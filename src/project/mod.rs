//! Loading a project: what a run reads before anything is checked or evaluated.
//!
//! The stages, in data-flow order, each a function over the previous stage's output:
//!
//! 1. [`setup`]: find and read `custody.yaml` ([`config`]), put the command line's lists in
//!    place of its lists, extend the shipped schema and taxonomy → a [`Setup`];
//! 2. [`policies`]: read and parse the policy files and the `builtin:` library, with the
//!    config's library parameters spliced in ([`mod@policies`]);
//! 3. [`inventory`]: read the inventory files and validate them into the model;
//! 4. [`waivers`]: read the waivers file ([`mod@waivers`]).
//!
//! [`load`] runs them all into a [`Project`]. Every stage adds its problems to the setup's
//! diagnostics instead of stopping, so one run reports every problem in every file.
//! Checking the policies is the next layer's job (`check::project`).

pub mod config;
pub mod json_schema;
pub mod policies;
pub mod waivers;

use crate::diag::Diag;
use crate::diag::codes;
use crate::inventory::{self, Inventory, Schema, Taxonomy};
use crate::source::{FileId, SourceMap};
use crate::sources::{self, FileKind, Input};
use crate::types::{Severity, WaiverId};
use crate::yaml;
use config::Config;
use jiff::civil::Date;
use policies::{Policies, PolicyInput, PolicySource};
use std::path::PathBuf;
use waivers::Waiver;

/// What to load, from the command line.
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
    pub max_file_size: Option<u64>,
    /// Which inputs the command uses: a config is required only when the command line does
    /// not name every one of them, and only a needed input missing is an error.
    pub needs: Needs,
    /// Keep every inventory text in memory. By default a large file's text is let go once
    /// parsed and read again for a snippet (`SourceMap::lend`), which needs the files
    /// to stay where they are: `diff` keeps the texts of a base it reads from a temporary
    /// directory.
    pub keep_texts: bool,
}

/// The inputs a command uses (SPEC §9: commands need only what they use). `check` and
/// `explain` need both; `lint` only policies (it validates an inventory when there is
/// one); `query` and `impact` only an inventory (they use policies when there are some).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    pub policies: bool,
    pub inventory: bool,
}

impl Needs {
    pub const BOTH: Needs = Needs {
        policies: true,
        inventory: true,
    };
    pub const POLICIES: Needs = Needs {
        policies: true,
        inventory: false,
    };
    pub const INVENTORY: Needs = Needs {
        policies: false,
        inventory: true,
    };
}

impl Default for Needs {
    fn default() -> Needs {
        Needs::BOTH
    }
}

/// Stage 1: the configuration read and the inputs decided.
pub struct Setup {
    pub timings: Timings,
    pub sources: SourceMap,
    pub diags: Vec<Diag>,
    pub cwd: PathBuf,
    /// The config found (or the default one, when there is none).
    pub config: Config,
    /// Policy paths and `builtin:` entries: the command line's, else the config's.
    pub policies: Vec<PolicyInput>,
    /// Inventory paths: the command line's, else the config's.
    pub inventory: Vec<Input>,
    pub waivers: Option<Input>,
    /// `--policy` replaced the config's policies: its `library:` settings then have no
    /// library to apply to, and are only checked when one is loaded anyway.
    pub policies_from_cli: bool,
    pub schema: Schema,
    pub taxonomy: Taxonomy,
    pub max_file_size: u64,
    pub as_of: Date,
    pub fail_on: Severity,
    /// [`Settings::keep_texts`].
    pub keep_texts: bool,
}

/// Everything loaded: what `check` starts from.
pub struct Project {
    /// Phase times (`--timings`); never part of any output format.
    pub timings: Timings,
    pub sources: SourceMap,
    /// Every problem so far, in the order found (sorted before they are shown).
    pub diags: Vec<Diag>,
    pub cwd: PathBuf,
    pub schema: Schema,
    pub taxonomy: Taxonomy,
    pub policies: Policies,
    pub inventory: Inventory,
    pub waivers: Vec<Waiver>,
    pub as_of: Date,
    pub fail_on: Severity,
    /// The config's `lint:` settings (for `custody lint`).
    pub lint: config::LintSettings,
}

impl Project {
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diag::is_error)
    }
    /// The project's waiver `id` names (`None` for an id from another list).
    pub fn waiver(&self, id: WaiverId) -> Option<&Waiver> {
        waivers::get(&self.waivers, id)
    }
}

/// Run every stage. `today` is the default as-of date (read once by the caller).
pub fn load(settings: &Settings, today: Date) -> Project {
    let mut setup = setup(settings, today);
    let policies = policies(&mut setup);
    setup.timings.lap(POLICIES);
    let inventory = inventory(&mut setup);
    finish(setup, policies, inventory)
}

/// Stages 1 and 3 only: the config (for its inventory list and its schema and taxonomy
/// extensions) and the inventory; no policy and no waiver is read, so their mistakes do not
/// stop a command that draws the inventory alone (`custody graph`). Set `settings.needs`
/// to [`Needs::INVENTORY`].
pub fn load_inventory(settings: &Settings, today: Date) -> Project {
    let mut setup = setup(settings, today);
    setup.policies.clear();
    setup.waivers = None;
    let inventory = inventory(&mut setup);
    finish(setup, Policies::default(), inventory)
}

/// What [`load_incremental`] keeps between runs: the parsed policy files, and the validated
/// inventory with the diagnostics its stage gave and the texts it was built from.
pub struct LoadCache {
    kept: Option<KeptInventory>,
    /// Each inventory file's first-pass load, for the one schema and taxonomy of
    /// `schema_texts` (the config and its extension files, as read).
    files: inventory::load::FileCache,
    schema_texts: Vec<(PathBuf, std::sync::Arc<String>)>,
    /// The parsed policy files, by file and text.
    parsed: policies::ParseCache,
    /// The inventory an edit replaced, freed by [`LoadCache::prepare`] once the new one
    /// is answered for (freeing 30,000 entities takes a core for tens of milliseconds).
    trash: Option<KeptInventory>,
}

impl Default for LoadCache {
    fn default() -> LoadCache {
        LoadCache {
            kept: None,
            files: inventory::load::FileCache::default(),
            schema_texts: Vec::new(),
            parsed: policies::ParseCache::keeping(),
            trash: None,
        }
    }
}

struct KeptInventory {
    /// `None` while the project built from it holds it (until [`LoadCache::keep`]).
    inventory: Option<Inventory>,
    diags: Vec<Diag>,
    /// The inventory inputs, the size limit, and every file the inventory depends on (the
    /// config, its schema and taxonomy extensions, the inventory files) with the text read.
    inputs: Vec<Input>,
    max_file_size: u64,
    files: Vec<(PathBuf, std::sync::Arc<String>)>,
}

impl LoadCache {
    /// The inventory files the last [`load_incremental`] parsed: none when it reused the
    /// inventory, only the changed ones when one changed (all when the schema did).
    pub fn inventory_parsed(&self) -> &[crate::source::FileId] {
        self.files.parsed()
    }
    /// Prepare for the next [`load_incremental`] while the reader is idle: copies of the
    /// kept file loads, made on a thread of their own, for its merge to move instead of
    /// copying them then ([`inventory::load::FileCache::prepare`]).
    pub fn prepare(&mut self) {
        if let Some(old) = self.trash.take() {
            // On a thread of its own: not one of the pool's, which the next edit uses.
            let _ = std::thread::Builder::new()
                .name("custody-free".into())
                .spawn(move || drop(old));
        }
        self.files.prepare();
    }
    /// Take the kept inventory back from a project that is no longer needed, for the next
    /// [`load_incremental`] to reuse.
    pub fn keep(&mut self, project: &mut Project) {
        if let Some(kept) = self.kept.as_mut() {
            kept.inventory = Some(std::mem::take(&mut project.inventory));
        }
    }
}

/// [`load`] for a long-lived reader (the language server): files are read through
/// `sources` (an indexed map, so a file already in it is not read again, and the editor's
/// unsaved texts stand in for the files), and the inventory in `cache` is reused as it is
/// when no file it was built from changed (same paths, same texts): the common case of
/// editing a policy. Otherwise it is validated again from the texts in `sources` and kept.
/// Give the project's inventory back with [`LoadCache::keep`] before the next run.
pub fn load_incremental(
    settings: &Settings,
    today: Date,
    sources: SourceMap,
    cache: &mut LoadCache,
) -> Project {
    let mut setup = setup_with(settings, today, sources);
    let policies = policies_cached(&mut setup, &mut cache.parsed);
    setup.timings.lap(POLICIES);
    let cwd = setup.cwd.clone();
    let mut scratch = Vec::new();
    let mut depends: Vec<PathBuf> = setup.config.path.iter().cloned().collect();
    depends.extend(
        setup
            .config
            .schema
            .iter()
            .chain(&setup.config.taxonomy)
            .filter_map(|e| setup.sources.path_of(e.file).map(PathBuf::from)),
    );
    let schema_depends = depends.len();
    depends.extend(sources::collect(
        &setup.inventory,
        FileKind::Inventory,
        &cwd,
        &mut scratch,
    ));
    let texts_of = |depends: &[PathBuf],
                    sources: &SourceMap|
     -> Option<Vec<(PathBuf, std::sync::Arc<String>)>> {
        depends
            .iter()
            .map(|p| {
                let key = sources::normalize(&cwd.join(p));
                let id = sources.lookup(&key)?;
                Some((key, sources.get(id).text_arc()))
            })
            .collect()
    };
    let texts = |sources: &SourceMap| texts_of(&depends, sources);
    let same = |kept: &KeptInventory| {
        kept.inputs == setup.inventory
            && kept.max_file_size == setup.max_file_size
            && texts(&setup.sources).is_some_and(|now| same_texts(&now, &kept.files))
    };
    let inventory = match cache.kept.take() {
        Some(mut kept) if kept.inventory.is_some() && same(&kept) => {
            cache.files.clear_parsed();
            setup.diags.extend(kept.diags.iter().cloned());
            setup.timings.lap("inventory: reused");
            let inventory = kept.inventory.take().unwrap_or_default();
            cache.kept = Some(kept);
            inventory
        }
        stale => {
            // The inventory built last time is freed after this one is answered for
            // (`prepare`): freeing its entities one by one would take a core from this
            // analysis. (If the last one is still there, it is freed now.)
            cache.trash = stale;
            let before = setup.diags.len();
            // Only the inventory files whose text changed are parsed again, unless the
            // schema or taxonomy did.
            let schema_texts =
                texts_of(depends.get(..schema_depends).unwrap_or(&[]), &setup.sources);
            // A file that could not be read: parse everything again (fail safe).
            let same_schema = schema_texts
                .as_ref()
                .is_some_and(|now| same_texts(now, &cache.schema_texts));
            if !same_schema {
                cache.files.clear();
                cache.schema_texts = schema_texts.unwrap_or_default();
            }
            let inventory = inventory_with(&mut setup, Some(&mut cache.files));
            cache.kept = texts(&setup.sources).map(|files| KeptInventory {
                inventory: None,
                diags: setup.diags.get(before..).unwrap_or(&[]).to_vec(),
                inputs: setup.inventory.clone(),
                max_file_size: setup.max_file_size,
                files,
            });
            inventory
        }
    };
    finish(setup, policies, inventory)
}

/// The same files with the same texts (the same shared text, not merely equal bytes: a text
/// the editor replaced is a new `Arc`).
fn same_texts(
    now: &[(PathBuf, std::sync::Arc<String>)],
    kept: &[(PathBuf, std::sync::Arc<String>)],
) -> bool {
    now.len() == kept.len()
        && now
            .iter()
            .zip(kept)
            .all(|(a, b)| a.0 == b.0 && std::sync::Arc::ptr_eq(&a.1, &b.1))
}

/// The last stage (waivers) and the project.
fn finish(mut setup: Setup, policies: Policies, inventory: Inventory) -> Project {
    let waivers = waivers(&mut setup);
    setup.timings.lap("waivers: read");
    let Setup {
        timings,
        sources,
        diags,
        cwd,
        schema,
        taxonomy,
        as_of,
        fail_on,
        config,
        ..
    } = setup;
    Project {
        timings,
        sources,
        diags,
        cwd,
        schema,
        taxonomy,
        policies,
        inventory,
        waivers,
        as_of,
        fail_on,
        lint: config.lint,
    }
}

/// Stage 1: find and read the config, decide what to load, extend schema and taxonomy.
pub fn setup(settings: &Settings, today: Date) -> Setup {
    setup_with(settings, today, SourceMap::new())
}

/// [`setup`], reading files into `sources` (an indexed map keeps what it already holds).
pub fn setup_with(settings: &Settings, today: Date, mut sources: SourceMap) -> Setup {
    let mut diags: Vec<Diag> = Vec::new();
    let cwd = &settings.cwd;
    let mut timings = Timings::default();

    let needs = settings.needs;
    // The command line names every input the command needs: no config is required.
    let explicit = (!needs.policies || !settings.policies.is_empty())
        && (!needs.inventory || !settings.inventory.is_empty());
    let cfg = match config::discover(settings.config_dir.as_deref(), cwd) {
        Some(path) => config::load(&path, cwd, &mut sources, &mut diags),
        None => {
            if !explicit {
                diags.push(config::not_found(
                    settings.config_dir.as_deref(),
                    cwd,
                    needs,
                ));
            }
            Config::default()
        }
    };
    let from_cli = |paths: &[PathBuf]| paths.iter().cloned().map(Input::cli).collect::<Vec<_>>();
    let policies = if settings.policies.is_empty() {
        cfg.policies.clone()
    } else {
        settings
            .policies
            .iter()
            .map(|p| PolicyInput {
                source: PolicySource::from_cli(p.clone()),
                named_at: None,
            })
            .collect()
    };
    let inventory = if settings.inventory.is_empty() {
        cfg.inventory.clone()
    } else {
        from_cli(&settings.inventory)
    };
    let waivers = settings
        .waivers
        .clone()
        .map(Input::cli)
        .or(cfg.waivers.clone());
    let fail_on = settings.fail_on.or(cfg.fail_on).unwrap_or(Severity::Low);
    let max_file_size = settings
        .max_file_size
        .or(cfg.max_file_size)
        .unwrap_or(sources::DEFAULT_MAX_FILE_SIZE);
    let as_of = settings.as_of.unwrap_or(today);
    if cfg.path.is_some() || explicit {
        if needs.policies && policies.is_empty() {
            diags.push(
                Diag::new(&codes::config::NO_POLICIES, "no policy files to load")
                    .help("list them under `policies:` in custody.yaml, or pass `--policy PATH`"),
            );
        }
        if needs.inventory && inventory.is_empty() {
            diags.push(
                Diag::new(&codes::config::NO_INVENTORY, "no inventory files to load").help(
                    "list them under `inventory:` in custody.yaml, or pass `--inventory PATH`",
                ),
            );
        }
    }

    let mut schema = Schema::builtin();
    for ext in &cfg.schema {
        schema.extend(ext.file, &ext.node, &mut diags);
    }
    let mut taxonomy = Taxonomy::builtin();
    for ext in &cfg.taxonomy {
        taxonomy.extend(ext.file, &ext.node, &mut diags);
    }
    timings.lap("config, schema, taxonomy");
    Setup {
        timings,
        sources,
        diags,
        cwd: cwd.clone(),
        config: cfg,
        policies,
        inventory,
        waivers,
        policies_from_cli: !settings.policies.is_empty(),
        schema,
        taxonomy,
        max_file_size,
        as_of,
        fail_on,
        keep_texts: settings.keep_texts,
    }
}

/// Stage 2: read and parse the policies, with the embedded library for `builtin:` entries.
pub fn policies(setup: &mut Setup) -> Policies {
    policies_cached(setup, &mut policies::ParseCache::default())
}

/// [`policies`], parsing through `cache` (files whose text did not change are not parsed
/// again).
fn policies_cached(setup: &mut Setup, cache: &mut policies::ParseCache) -> Policies {
    let library = policies::Library {
        parameters: &setup.config.parameters,
        definitions: &setup.config.definitions,
        disable: &setup.config.disable,
        strict: !setup.policies_from_cli,
    };
    let (cwd, max_size) = (&setup.cwd, setup.max_file_size);
    policies::read_cached(
        setup.policies.clone(),
        &library,
        cwd,
        &mut setup.sources,
        &mut setup.diags,
        &mut |p, s, d| sources::read(p, cwd, max_size, s, d),
        cache,
    )
}

/// Stage 3: read the inventory files and validate them against the schema and taxonomy.
pub fn inventory(setup: &mut Setup) -> Inventory {
    inventory_with(setup, None)
}

/// [`inventory`], parsing again only the files whose text is not the one in `cache`.
fn inventory_with(setup: &mut Setup, cache: Option<&mut inventory::load::FileCache>) -> Inventory {
    let (cwd, max_size) = (&setup.cwd, setup.max_file_size);
    // Each file with its modification time taken before it is read: its text may be let
    // go after the load and read again only if the file is still the one read.
    let read: Vec<(FileId, PathBuf, Option<std::time::SystemTime>)> =
        sources::collect(&setup.inventory, FileKind::Inventory, cwd, &mut setup.diags)
            .into_iter()
            .filter_map(|p| {
                let modified = std::fs::metadata(&p).and_then(|m| m.modified()).ok();
                let id = sources::read(&p, cwd, max_size, &mut setup.sources, &mut setup.diags)?;
                Some((id, p, modified))
            })
            .collect();
    let files: Vec<FileId> = read.iter().map(|(id, _, _)| *id).collect();
    setup.timings.lap("inventory: read");
    let (sources, schema, taxonomy) = (&setup.sources, &setup.schema, &setup.taxonomy);
    let inventory = match cache {
        Some(cache) => {
            inventory::load::load_cached(&files, sources, schema, taxonomy, cache, &mut setup.diags)
        }
        None => {
            // A large file's text is needed again after its parse only for a snippet (see
            // `SourceMap::lend`): the loader drops it once the file is read. The language
            // server (with a cache) keeps its texts.
            let lent = read
                .iter()
                .map(|(id, path, modified)| {
                    let text = match modified {
                        Some(m) if !setup.keep_texts => setup.sources.lend(*id, path, *m),
                        _ => None,
                    };
                    (*id, text)
                })
                .collect();
            let (sources, schema, taxonomy) = (&setup.sources, &setup.schema, &setup.taxonomy);
            inventory::load::load_lent(lent, sources, schema, taxonomy, &mut setup.diags)
        }
    };
    crate::memory::trim();
    setup.timings.lap("inventory: parse, validate");
    inventory
}

/// Stage 4: read the waivers file, if there is one.
pub fn waivers(setup: &mut Setup) -> Vec<Waiver> {
    let Some(input) = &setup.waivers else {
        return Vec::new();
    };
    let Some(file) = sources::read_input(
        input,
        &setup.cwd,
        setup.max_file_size,
        &mut setup.sources,
        &mut setup.diags,
    ) else {
        return Vec::new();
    };
    let text = setup.sources.get(file).text_arc();
    let docs = yaml::parse(file, &text, &mut setup.diags);
    waivers::parse(file, &docs, &mut setup.diags)
}

/// The `--timings` phase of policies: read and parsed here, checked by `check::project`.
pub const POLICIES: &str = "policies: read, parse, check";

/// Phase times for `--timings`, with the process's resident and peak memory at the end of
/// each phase where the system tells it (Linux `/proc/self/status`). Monotonic time only:
/// nothing here reaches the output formats, so output stays deterministic.
#[derive(Clone, Debug)]
pub struct Timings {
    last: std::time::Instant,
    pub phases: Vec<(&'static str, std::time::Duration)>,
    /// Resident and peak resident memory in KiB after each phase (same order as `phases`).
    memory: Vec<Option<(u64, u64)>>,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings {
            last: std::time::Instant::now(),
            phases: Vec::new(),
            memory: Vec::new(),
        }
    }
}

/// `VmRSS` and `VmHWM` of this process in KiB, where `/proc/self/status` has them.
fn memory_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

impl Timings {
    /// Close the current phase under `name`; a phase named again (policies are parsed
    /// while loading and checked after) adds to its first entry.
    pub fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        let d = now - self.last;
        let memory = memory_kib();
        match self.phases.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                self.phases[i].1 += d;
                self.memory[i] = memory;
            }
            None => {
                self.phases.push((name, d));
                self.memory.push(memory);
            }
        }
        self.last = now;
    }
    /// `read    12.3 ms    40.1 MB    52.0 MB` lines (time, then resident and peak memory
    /// after the phase) and a total, for stderr.
    pub fn render(&self) -> String {
        let total: std::time::Duration = self.phases.iter().map(|(_, d)| *d).sum();
        let mut out = format!(
            "custody timings:{:>32} {:>10} {:>10}\n",
            "time", "rss", "peak"
        );
        let rows = self.phases.iter().zip(self.memory.iter().copied());
        let last = self.memory.last().copied().flatten();
        for ((name, d), memory) in rows.chain(std::iter::once((&("total", total), last))) {
            let mb = |kib: u64| format!("{:>7.1} MB", kib as f64 / 1024.0);
            let (rss, peak) = match memory {
                Some((rss, peak)) => (mb(rss), mb(peak)),
                None => (String::new(), String::new()),
            };
            out.push_str(&format!(
                "  {name:<28} {:>10.1} ms {rss:>10} {peak:>10}\n",
                d.as_secs_f64() * 1000.0
            ));
        }
        out
    }
}
