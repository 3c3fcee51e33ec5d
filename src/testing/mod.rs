//! Policy tests (`custody test`): run `*.test.yaml` files, each an inventory fixture, an
//! as-of date, optional waivers and, per rule, the entities expected to fail, pass, be
//! waived or not be selected; optionally measure coverage.
//!
//! - [`discover`] finds the test files, in path order, and the config that applies to each
//!   (a [`TestFile`]);
//! - [`spec`] reads a test file into a `TestSpec` (structural diagnostics);
//! - [`run`] runs the test files: for each, it loads its policies (cached per config and
//!   policy list, so a policy set is read, parsed and checked once), its fixture and its
//!   waivers, checks the names in `expect`, evaluates and compares: one [`Case`] per
//!   (test file, rule);
//! - [`coverage`] records which clauses were seen true and false;
//! - [`render`] prints it all in the style of `cargo test`.
//!
//! An inline fixture (`inventory:` written as a mapping) is given to the ordinary inventory
//! loader as a copy of the test file in which everything outside that mapping is blanked
//! with spaces: byte offsets, lines and columns are unchanged, so every inventory
//! diagnostic is moved back onto the test file itself and points at the right place.

pub mod coverage;
pub mod discover;
pub mod render;
pub mod spec;

use crate::check::{self, Program};
use crate::diag::code::Code;
use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::eval::value::{Display, Val};
use crate::eval::waivers;
use crate::eval::{self, Fact, Finding, Status};
use crate::inventory::{self, EntityId, Inventory, Schema, Taxonomy};
use crate::project;
use crate::project::config::{self, Config};
use crate::project::policies::{PolicyInput, PolicySource};
use crate::project::waivers::Waiver;
use crate::source::{FileId, Loc, SourceMap, Span};
use crate::sources::{self, FileKind, display_path};
use crate::types::{EntityRef, Exit, RuleId};
use crate::yaml;
use coverage::Coverage;
pub use discover::{TestFile, normalize};
use spec::{Expect, InventorySpec, Named, TestSpec, WaiverSpec};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What `custody test` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Absolute: the paths below are relative to it.
    pub cwd: PathBuf,
    /// Test files or directories; empty means the working directory.
    pub paths: Vec<PathBuf>,
    /// `--policy`: used by test files that do not name their own `policies:`.
    pub policies: Vec<PathBuf>,
    pub coverage: bool,
}

/// Everything a run found out, for the renderer.
pub struct Outcome {
    pub sources: SourceMap,
    /// Sorted; errors make the run exit 2.
    pub diags: Vec<Diag>,
    /// In path order.
    pub files: Vec<FileOutcome>,
    pub coverage: Option<Coverage>,
}

/// One test file: its cases, or `invalid` when it could not be run.
pub struct FileOutcome {
    /// As shown to the user (relative to the working directory).
    pub name: String,
    pub invalid: bool,
    /// In rule-ID order.
    pub cases: Vec<Case>,
}

/// One (test file, rule): passed, or what went wrong.
pub struct Case {
    pub rule: RuleId,
    pub failure: Option<Failure>,
}

/// Expected against actual, for a case that failed.
pub struct Failure {
    /// Per status in play: (status, expected entities, actual entities).
    pub lists: Vec<(Expect, Vec<String>, Vec<String>)>,
    /// Each listed entity whose actual status is not the expected one, in the order written.
    pub mismatches: Vec<Mismatch>,
}

pub struct Mismatch {
    pub entity: String,
    pub expected: Expect,
    pub actual: Expect,
    /// Why, in lines: the finding's evidence (each failed `require`), or why the entity
    /// passes or is not selected. Each ends with the location of its fact when it has one.
    pub why: Vec<String>,
}

impl Outcome {
    pub fn cases(&self) -> impl Iterator<Item = (&FileOutcome, &Case)> {
        self.files
            .iter()
            .flat_map(|f| f.cases.iter().map(move |c| (f, c)))
    }
    pub fn passed(&self) -> usize {
        self.cases().filter(|(_, c)| c.failure.is_none()).count()
    }
    pub fn failed(&self) -> usize {
        self.cases().filter(|(_, c)| c.failure.is_some()).count()
    }
    pub fn invalid(&self) -> usize {
        self.files.iter().filter(|f| f.invalid).count()
    }
    /// 2 on any error (an invalid test file, policy or fixture), else 1 on any failed case.
    pub fn exit(&self) -> Exit {
        if self.diags.iter().any(Diag::is_error) {
            Exit::Invalid
        } else if self.failed() > 0 {
            Exit::Findings
        } else {
            Exit::Clean
        }
    }
}

// Diagnostic codes (documented in docs/errors.md, "Policy tests").
const NO_POLICIES: &Code = &codes::test::NO_POLICIES;
const UNKNOWN_RULE: &Code = &codes::test::UNKNOWN_RULE;
const UNKNOWN_ENTITY: &Code = &codes::test::UNKNOWN_ENTITY;
const WRONG_KIND: &Code = &codes::test::WRONG_KIND;
const DUPLICATE_ENTITY: &Code = &codes::test::DUPLICATE_ENTITY;
const EMPTY_EXPECTATION: &Code = &codes::test::EMPTY_EXPECTATION;

/// Run every test file under `opts.paths`.
pub fn run(opts: &Options) -> Outcome {
    let mut r = Runner {
        cwd: opts.cwd.clone(),
        sources: SourceMap::new(),
        diags: Vec::new(),
        configs: Vec::new(),
        policy_files: HashMap::new(),
        envs: Vec::new(),
    };
    let tests = discover::test_files(&opts.paths, &opts.cwd, &mut r.diags);
    let cli_policies: Vec<PolicyInput> = opts
        .policies
        .iter()
        .map(|p| PolicyInput {
            source: PolicySource::File(normalize(&opts.cwd.join(p))),
            named_at: None,
        })
        .collect();
    let mut cov = opts.coverage.then(Coverage::default);
    let files: Vec<FileOutcome> = tests
        .iter()
        .map(|t| r.test_file(t, &cli_policies, cov.as_mut()))
        .collect();
    if let Some(cov) = cov.as_mut() {
        for env in r.envs.iter().filter(|e| e.ok) {
            // The user's own rules, tested or not; a library rule only when a test named it
            // (and so was observed).
            for rule in &env.program.rules {
                if !env.library_files.contains(&rule.loc.file) {
                    cov.add_rule(rule, &r.sources);
                }
            }
        }
    }
    diag::sort(&mut r.diags);
    r.diags.dedup();
    Outcome {
        sources: r.sources,
        diags: r.diags,
        files,
        coverage: cov,
    }
}

/// `text` with every byte outside `keep` replaced by a space, line breaks kept: the same
/// offsets, lines and columns, and only the kept YAML left to parse.
fn mask(text: &str, keep: Span) -> String {
    let bytes: Vec<u8> = text
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            if keep.range().contains(&i) || b == b'\n' || b == b'\r' {
                b
            } else {
                b' '
            }
        })
        .collect();
    // Spans from the parser lie on character boundaries, so this is valid UTF-8; if it were
    // not, the lossy copy would still load, with slightly shifted columns.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A loaded policy set: what test files sharing a config and a policy list evaluate against.
struct Env {
    config: Option<usize>,
    policies: Vec<PolicySource>,
    schema: Schema,
    taxonomy: Taxonomy,
    program: Program,
    /// The embedded library's files in this policy set: its rules are not the user's, and
    /// coverage lists them only when a test names them.
    library_files: Vec<FileId>,
    max_size: u64,
    /// No errors in the config or the policies.
    ok: bool,
}

struct Runner {
    cwd: PathBuf,
    sources: SourceMap,
    diags: Vec<Diag>,
    /// Each config read once: (path, config, free of errors).
    configs: Vec<(PathBuf, Config, bool)>,
    /// Each policy file read once, so identical diagnostics from two policy sets dedup.
    policy_files: HashMap<PathBuf, Option<FileId>>,
    envs: Vec<Env>,
}

impl Runner {
    fn errors_since(&self, before: usize) -> bool {
        self.diags
            .get(before..)
            .is_some_and(|d| d.iter().any(Diag::is_error))
    }

    fn config(&mut self, path: &Path) -> usize {
        if let Some(i) = self.configs.iter().position(|(p, _, _)| p == path) {
            return i;
        }
        let before = self.diags.len();
        let cfg = config::load(path, &self.cwd, &mut self.sources, &mut self.diags);
        let ok = !self.errors_since(before);
        self.configs.push((path.to_path_buf(), cfg, ok));
        self.configs.len() - 1
    }

    fn env(&mut self, config: Option<usize>, policies: &[PolicyInput]) -> usize {
        let paths: Vec<PolicySource> = policies.iter().map(|i| i.source.clone()).collect();
        if let Some(i) = self
            .envs
            .iter()
            .position(|e| e.config == config && e.policies == paths)
        {
            return i;
        }
        let before = self.diags.len();
        let mut schema = Schema::builtin();
        let mut taxonomy = Taxonomy::builtin();
        let mut max_size = sources::DEFAULT_MAX_FILE_SIZE;
        let mut ok = true;
        if let Some((_, cfg, cfg_ok)) = config.and_then(|c| self.configs.get(c)) {
            for ext in &cfg.schema {
                schema.extend(ext.file, &ext.node, &mut self.diags);
            }
            for ext in &cfg.taxonomy {
                taxonomy.extend(ext.file, &ext.node, &mut self.diags);
            }
            max_size = cfg.max_file_size.unwrap_or(max_size);
            ok &= cfg_ok;
        }
        // The same policy stage as `custody check` (paths and `builtin:` library entries, with
        // the config's `library:` settings); each file is read once across all test files.
        let no_params: Vec<crate::project::config::Parameter> = Vec::new();
        let no_disable: Vec<(RuleId, crate::source::Loc)> = Vec::new();
        let (parameters, disable, definitions) = match config.and_then(|c| self.configs.get(c)) {
            Some((_, cfg, _)) => (&cfg.parameters, &cfg.disable, &cfg.definitions),
            None => (&no_params, &no_disable, &no_params),
        };
        let library = project::policies::Library {
            parameters,
            definitions,
            disable,
            strict: false,
        };
        let cwd = self.cwd.clone();
        let policy_files = &mut self.policy_files;
        let mut read_ok = true;
        let parsed = project::policies::read(
            policies.to_vec(),
            &library,
            &cwd,
            &mut self.sources,
            &mut self.diags,
            &mut |path, srcs, diags| {
                let f = match policy_files.get(path) {
                    Some(f) => *f,
                    None => {
                        let f = sources::read(path, &cwd, max_size, srcs, diags);
                        policy_files.insert(path.to_path_buf(), f);
                        f
                    }
                };
                read_ok &= f.is_some();
                f
            },
        );
        let program = check::program(&parsed, &self.sources, &schema, &taxonomy, &mut self.diags);
        let library_files = parsed.library_files.clone();
        ok &= read_ok;
        ok &= !self.errors_since(before);
        self.envs.push(Env {
            config,
            policies: paths,
            schema,
            taxonomy,
            program,
            library_files,
            max_size,
            ok,
        });
        self.envs.len() - 1
    }

    /// A copy of `file` under the same name, with everything outside `keep` blanked: what
    /// the inventory loader reads for an inline fixture.
    fn masked(&mut self, file: FileId, keep: Span) -> FileId {
        let src = self.sources.get(file);
        let text = mask(src.text(), keep);
        let name = src.name.clone();
        self.sources.add(name, text)
    }

    fn test_file(
        &mut self,
        test: &TestFile,
        cli_policies: &[PolicyInput],
        cov: Option<&mut Coverage>,
    ) -> FileOutcome {
        let path = test.path.as_path();
        let name = display_path(path, &self.cwd);
        let invalid = FileOutcome {
            name: name.clone(),
            invalid: true,
            cases: Vec::new(),
        };
        let before = self.diags.len();
        let Some(file) = sources::read(
            path,
            &self.cwd,
            sources::DEFAULT_MAX_FILE_SIZE,
            &mut self.sources,
            &mut self.diags,
        ) else {
            return invalid;
        };
        let text = self.sources.get(file).text_arc();
        let docs = yaml::parse(file, &text, &mut self.diags);
        let complete = !self.errors_since(before);
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let spec = spec::read(file, &docs, &dir, complete, &mut self.diags);

        // The policies: the test file's own, else `--policy`, else its config's.
        let config = test.config.as_deref().map(|p| self.config(p));
        let policies: Vec<PolicyInput> = match &spec.policies {
            Some(list) => list.clone(),
            None if !cli_policies.is_empty() => cli_policies.to_vec(),
            None => config
                .and_then(|c| self.configs.get(c))
                .map(|(_, cfg, _)| cfg.policies.clone())
                .unwrap_or_default(),
        };
        if policies.is_empty() {
            self.diags.push(
                Diag::new(NO_POLICIES, format!("no policies to test `{name}` against"))
                    .at(spec.head, "this test file names no policies")
                    .help("add `policies: [path/to/policies]` to the test file, pass `--policy PATH`, or keep the test below a directory whose custody.yaml lists `policies`"),
            );
            return invalid;
        }
        let env = self.env(config, &policies);
        let max_size = self.envs.get(env).map(|e| e.max_size).unwrap_or_default();

        // The fixture.
        let inv_files: Vec<FileId> = match &spec.inventory {
            Some(InventorySpec::Inline(span)) => vec![self.masked(file, *span)],
            Some(InventorySpec::Paths(inputs)) => {
                sources::collect(inputs, FileKind::Inventory, &self.cwd, &mut self.diags)
                    .iter()
                    .filter_map(|p| {
                        sources::read(p, &self.cwd, max_size, &mut self.sources, &mut self.diags)
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        let inv_before = self.diags.len();
        let Some(env) = self.envs.get(env) else {
            return invalid;
        };
        let inventory = inventory::load(
            &inv_files,
            &self.sources,
            &env.schema,
            &env.taxonomy,
            &mut self.diags,
        );
        if let Some(InventorySpec::Inline(_)) = &spec.inventory {
            // Move the loader's diagnostics from the blanked copy onto the test file.
            let copy = inv_files.first().copied();
            for d in self.diags.get_mut(inv_before..).into_iter().flatten() {
                for l in d.primary.iter_mut().chain(d.secondary.iter_mut()) {
                    if Some(l.loc.file) == copy {
                        l.loc.file = file;
                    }
                }
            }
        }
        let inventory_ok = !self
            .diags
            .get(inv_before..)
            .is_some_and(|d| d.iter().any(Diag::is_error));

        // The waivers.
        let waivers: Vec<Waiver> = match &spec.waivers {
            WaiverSpec::None => Vec::new(),
            WaiverSpec::Inline(node) => {
                project::waivers::parse(file, std::slice::from_ref(node), &mut self.diags)
            }
            WaiverSpec::Path(input) => {
                match sources::read_input(
                    input,
                    &self.cwd,
                    max_size,
                    &mut self.sources,
                    &mut self.diags,
                ) {
                    Some(f) => {
                        let text = self.sources.get(f).text_arc();
                        let docs = yaml::parse(f, &text, &mut self.diags);
                        project::waivers::parse(f, &docs, &mut self.diags)
                    }
                    None => Vec::new(),
                }
            }
        };

        // The names in `expect`.
        let cases = resolve(&spec, env, &inventory, inventory_ok, &mut self.diags);
        let Some(as_of) = spec.as_of else {
            return invalid;
        };
        if !env.ok || self.errors_since(before) {
            return invalid;
        }

        // Evaluate the rules under test, apply the waivers, compare.
        let cx = eval::Context::new(
            &env.program,
            &inventory,
            &env.schema,
            &env.taxonomy,
            &self.sources,
            as_of,
        );
        let mut evaluated = vec![false; env.program.rules.len()];
        let mut findings: Vec<Finding> = Vec::new();
        let mut selected: HashSet<(usize, EntityId)> = HashSet::new();
        for (ri, _) in &cases {
            let Some(rule) = env.program.rules.get(*ri) else {
                continue;
            };
            if let Some(slot) = evaluated.get_mut(*ri) {
                *slot = true;
            }
            for &e in inventory.of_kind(rule.kind) {
                let (sel, finding) = cx.eval_entity(*ri, rule, e);
                if sel {
                    selected.insert((*ri, e));
                }
                findings.extend(finding);
            }
        }
        waivers::apply(
            &mut findings,
            &waivers,
            &env.program,
            &evaluated,
            &inventory,
            &env.schema,
            as_of,
            &mut self.diags,
        );
        let judge = Judge {
            cx: &cx,
            findings: &findings,
            selected: &selected,
            waivers: &waivers,
        };
        let out: Vec<Case> = cases
            .iter()
            .filter_map(|(ri, named)| {
                let rule = env.program.rules.get(*ri)?;
                Some(Case {
                    rule: rule.id.clone(),
                    failure: judge.case(*ri, named),
                })
            })
            .collect();
        if let Some(cov) = cov {
            for (ri, _) in &cases {
                if let Some(rule) = env.program.rules.get(*ri) {
                    cov.observe(&cx, rule, &inventory);
                }
            }
        }
        FileOutcome {
            name,
            invalid: false,
            cases: out,
        }
    }
}

/// Check the rule and entity names of each expectation: (rule index, (entity, as written)).
fn resolve(
    spec: &TestSpec,
    env: &Env,
    inv: &Inventory,
    inventory_ok: bool,
    diags: &mut Vec<Diag>,
) -> Vec<(usize, Vec<(EntityId, Named)>)> {
    let mut out = Vec::new();
    for exp in &spec.expect {
        let Some(ri) = env.program.rules.iter().position(|r| r.id == exp.rule) else {
            // A rule with an error is left out of the program: that error is reported already.
            if env.ok {
                diags.push(
                    Diag::new(
                        UNKNOWN_RULE,
                        format!("`expect` names `{}`, which is not a loaded rule", exp.rule),
                    )
                    .at(exp.rule_loc, "no rule with this ID")
                    .help_opt(diag::suggest(
                        exp.rule.as_str(),
                        env.program.rules.iter().map(|r| r.id.as_str()),
                        "loaded rules",
                    )),
                );
            }
            continue;
        };
        let Some(rule) = env.program.rules.get(ri) else {
            continue;
        };
        let kind_name = env.schema.kind(rule.kind).name.as_str();
        if exp.entities.is_empty() && exp.clean {
            diags.push(
                Diag::new(
                    EMPTY_EXPECTATION,
                    format!("the expectation for `{}` lists no entity", exp.rule),
                )
                .at(exp.rule_loc, "this test case checks nothing")
                .help("list entities under `fail`, `pass`, `waived` or `not_selected`"),
            );
        }
        let mut seen: HashMap<&EntityRef, Loc> = HashMap::new();
        let mut entities = Vec::new();
        for n in &exp.entities {
            let name = n.entity.to_string();
            if let Some(first) = seen.get(&n.entity) {
                diags.push(
                    Diag::new(
                        DUPLICATE_ENTITY,
                        format!("`{name}` is listed twice for `{}`", exp.rule),
                    )
                    .at(n.loc, "listed again here")
                    .also(*first, "first listed here")
                    .help("an entity has one expected status per rule; keep one of the entries"),
                );
                continue;
            }
            seen.insert(&n.entity, n.loc);
            match env.schema.kind_by_name(&n.entity.kind) {
                Some(k) if k == rule.kind => match inv.lookup(k, &n.entity.id) {
                    Some(e) => entities.push((e, n.clone())),
                    // An entity with an error may be missing: that error is reported already.
                    None if inventory_ok => {
                        let all: Vec<String> = inv
                            .of_kind(k)
                            .iter()
                            .map(|&e| inv.entity_ref(&env.schema, e).to_string())
                            .collect();
                        diags.push(
                            Diag::new(
                                UNKNOWN_ENTITY,
                                format!("`{name}` is not in the test's inventory"),
                            )
                            .at(n.loc, "no such entity in the fixture")
                            .help_opt(diag::suggest(
                                &name,
                                all.iter().map(String::as_str),
                                "its entities of this kind",
                            )),
                        );
                    }
                    None => {}
                },
                Some(_) => diags.push(
                    Diag::new(
                        WRONG_KIND,
                        format!(
                            "`{name}` is not a {kind_name}, and rule `{}` applies to each {kind_name}",
                            exp.rule
                        ),
                    )
                    .at(n.loc, format!("expected a {kind_name}"))
                    .help(format!(
                        "list entities of kind `{kind_name}` here; `{name}` belongs in the test of a rule `for {} ...`",
                        n.entity.kind
                    )),
                ),
                None => diags.push(
                    Diag::new(
                        UNKNOWN_ENTITY,
                        format!("`{name}` names an unknown kind `{}`", n.entity.kind),
                    )
                    .at(n.loc, "unknown kind")
                    .help(format!("write `{kind_name}/{}`", n.entity.id)),
                ),
            }
        }
        out.push((ri, entities));
    }
    out
}

/// Compares actual outcomes with expectations, and explains the differences.
struct Judge<'a, 'x> {
    cx: &'x eval::Context<'a>,
    findings: &'x [Finding],
    selected: &'x HashSet<(usize, EntityId)>,
    waivers: &'x [Waiver],
}

impl<'a> Judge<'a, '_> {
    fn finding(&self, ri: usize, e: EntityId) -> Option<&Finding> {
        self.findings.iter().find(|f| f.rule == ri && f.entity == e)
    }

    fn actual(&self, ri: usize, e: EntityId) -> Expect {
        match self.finding(ri, e).map(|f| &f.status) {
            // Policy tests use no baseline; a baselined finding is still a failing entity.
            Some(Status::Fail | Status::Baselined) => Expect::Fail,
            Some(Status::Waived(_)) => Expect::Waived,
            None if self.selected.contains(&(ri, e)) => Expect::Pass,
            None => Expect::NotSelected,
        }
    }

    fn display(&self) -> Display<'_> {
        Display {
            inv: self.cx.inv,
            schema: self.cx.schema,
            taxonomy: self.cx.taxonomy,
        }
    }

    fn case(&self, ri: usize, named: &[(EntityId, Named)]) -> Option<Failure> {
        let mismatches: Vec<Mismatch> = named
            .iter()
            .filter_map(|(e, n)| {
                let actual = self.actual(ri, *e);
                (actual != n.expect).then(|| Mismatch {
                    entity: n.entity.to_string(),
                    expected: n.expect,
                    actual,
                    why: self.why(ri, *e, n.expect, actual),
                })
            })
            .collect();
        if mismatches.is_empty() {
            return None;
        }
        let rule = self.cx.program.rules.get(ri)?;
        let d = self.display();
        let ents = self.cx.inv.of_kind(rule.kind);
        let any_unselected = named
            .iter()
            .any(|(e, _)| self.actual(ri, *e) == Expect::NotSelected);
        let lists = Expect::ALL
            .into_iter()
            .filter_map(|status| {
                let expected: Vec<String> = named
                    .iter()
                    .filter(|(_, n)| n.expect == status)
                    .map(|(_, n)| n.entity.to_string())
                    .collect();
                let actual: Vec<String> = ents
                    .iter()
                    .filter(|&&e| self.actual(ri, e) == status)
                    .map(|&e| d.entity(e))
                    .collect();
                let show = match status {
                    // Every entity the rule does not select would be a long, unhelpful list.
                    Expect::NotSelected => !expected.is_empty() || any_unselected,
                    _ => !expected.is_empty() || !actual.is_empty(),
                };
                show.then_some((status, expected, actual))
            })
            .collect();
        Some(Failure { lists, mismatches })
    }

    fn fact_line(&self, f: &Fact) -> String {
        match f.loc {
            Some(loc) => format!("{} ({})", f.text, self.cx.sources.display(loc)),
            None => f.text.clone(),
        }
    }

    /// Why an entity's actual status is what it is.
    fn why(&self, ri: usize, e: EntityId, expected: Expect, actual: Expect) -> Vec<String> {
        let Some(rule) = self.cx.program.rules.get(ri) else {
            return Vec::new();
        };
        let mut lines = Vec::new();
        let mut env = vec![Val::Entity(e)];
        let mut facts: Vec<Fact> = Vec::new();
        // Expected not to be selected, but it is: why the `where` holds.
        if expected == Expect::NotSelected
            && actual != Expect::NotSelected
            && let Some(filter) = &rule.filter
        {
            self.cx.cond(filter, &mut env, &mut facts);
            lines.extend(
                facts
                    .iter()
                    .map(|f| format!("selected: {}", self.fact_line(f))),
            );
            facts.clear();
        }
        match actual {
            Expect::Fail | Expect::Waived => {
                if let Some(f) = self.finding(ri, e) {
                    for fr in &f.failed {
                        lines.extend(fr.facts.iter().map(|x| self.fact_line(x)));
                    }
                    match f.status {
                        Status::Waived(wi) => {
                            if let Some(w) = project::waivers::get(self.waivers, wi) {
                                lines.push(format!(
                                    "waived until {} by the waiver at {}",
                                    w.expires,
                                    self.cx.sources.display(w.loc)
                                ));
                            }
                        }
                        Status::Fail if expected == Expect::Waived => {
                            lines.push(match f.expired_waiver {
                                Some((wi, date)) => match project::waivers::get(self.waivers, wi) {
                                    Some(w) => format!(
                                        "the waiver at {} expired on {date}",
                                        self.cx.sources.display(w.loc)
                                    ),
                                    None => format!("its waiver expired on {date}"),
                                },
                                None => "no waiver names this rule and entity".to_owned(),
                            });
                        }
                        Status::Fail | Status::Baselined => {}
                    }
                }
            }
            Expect::Pass => {
                for r in &rule.requires {
                    self.cx.cond(&r.expr, &mut env, &mut facts);
                }
                lines.extend(facts.iter().map(|f| self.fact_line(f)));
            }
            Expect::NotSelected => {
                if let Some(filter) = &rule.filter {
                    self.cx.cond(filter, &mut env, &mut facts);
                }
                lines.extend(facts.iter().map(|f| self.fact_line(f)));
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_keeps_offsets_lines_and_the_kept_text() {
        let text = "as_of: 2026-11-24 # é\ninventory:\n  vendors: []\nexpect: {}\n";
        let start = text.find("vendors").unwrap_or(0);
        let keep = Span::new(start, start + "vendors: []".len());
        let m = mask(text, keep);
        assert_eq!(m.len(), text.len());
        assert_eq!(m.lines().count(), text.lines().count());
        assert_eq!(m.trim(), "vendors: []");
        assert_eq!(m.get(keep.range()), text.get(keep.range()));
    }
}
