//! The command line: clap types, the raw arguments. Turning them into project settings and
//! output styles is each command's business (`cmd`).

use crate::types::Severity;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// custody: which of our vendors and data stores break our third-party-risk rules, and why?
#[derive(Parser, Debug)]
#[command(name = "custody", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Evaluate the policies against the inventory and report findings.
    ///
    /// Exit codes: 0 no failing finding at or above --fail-on; 1 failing findings;
    /// 2 invalid input or usage (wins over 1).
    #[command(
        after_help = "Examples:\n  custody check examples/airline\n  custody check --policy rules.policy --inventory inventory/ --as-of 2026-11-24\n  custody check --format json --rule TPR-001 > findings.json"
    )]
    Check(CheckArgs),
    /// Findings new, fixed and unchanged since a git revision (a pull request's base).
    ///
    /// Exit codes: 0 no new failing finding at or above --fail-on; 1 new failing findings;
    /// 2 invalid input on either side, git errors or an unknown BASE.
    #[command(
        after_help = "Examples:\n  custody diff origin/main\n  custody diff HEAD~1 examples/airline --format markdown"
    )]
    Diff(DiffArgs),
    /// Parse and type-check policies and validate inventories and waivers, without evaluating;
    /// report warnings with stable codes.
    #[command(
        after_help = "Examples:\n  custody lint examples/airline\n  custody lint --deny-warnings --policy rules.policy --inventory inventory/"
    )]
    Lint(LintArgs),
    /// Format policy files canonically, keeping comments.
    #[command(
        after_help = "Examples:\n  custody fmt policies/\n  custody fmt --check policies/\n  cat rules.policy | custody fmt -"
    )]
    Fmt(FmtArgs),
    /// Run policy test files (`*.test.yaml`).
    #[command(after_help = "Examples:\n  custody test\n  custody test tests/policies/ --coverage")]
    Test(TestArgs),
    /// Explain one rule on one entity step by step, or show a rule's documentation.
    #[command(
        after_help = "Examples:\n  custody explain TPR-001 vendor/tessaly-crm --as-of 2026-11-24\n  custody explain TPR-001"
    )]
    Explain(ExplainArgs),
    /// List the entities that match a condition.
    #[command(
        after_help = "Examples:\n  custody query 'vendor v where v handles personal.loyalty.member_number' --show name --show tier\n  custody query 'data_store s where s.records > 1000000' --format csv"
    )]
    Query(QueryArgs),
    /// Incident response: what a breached vendor or store puts at stake.
    #[command(
        after_help = "Examples:\n  custody impact vendor/tessaly-crm\n  custody impact data_store/crm-contacts --format json"
    )]
    Impact(ImpactArgs),
    /// Draw the supply-chain graph (vendors, data stores, fourth parties; every reference an
    /// edge with its link's attributes) as Graphviz DOT or a Mermaid flowchart.
    ///
    /// Needs only an inventory (policies and waivers are not read, nothing is evaluated).
    ///
    /// Exit codes: 0 drawn; 2 invalid inventory or an unknown --focus entity (nothing is drawn).
    #[command(
        after_help = "Examples:\n  custody graph examples/airline | dot -Tsvg > graph.svg\n  custody graph --format mermaid --focus vendor/meridian-contact\n  custody graph --inventory inventory/ --output graph.dot"
    )]
    Graph(GraphArgs),
    /// Print the documentation of an error or warning code.
    #[command(
        name = "help-code",
        after_help = "Examples:\n  custody help-code custody::policy::unknown_field"
    )]
    HelpCode(HelpCodeArgs),
    /// Generate the policy library's documentation (a page per rule, an index per framework).
    #[command(after_help = "Examples:\n  custody docs\n  custody docs --check --out docs/rules")]
    Docs(DocsArgs),
    /// Print a JSON Schema (draft-07) of inventory files, waivers or custody.yaml, for editors.
    ///
    /// With a custody.yaml (in PATH, or found by walking up), the inventory schema includes
    /// its `schema:` and `taxonomy:` extensions; without one, the shipped schema and taxonomy.
    ///
    /// Exit codes: 0 printed; 2 no custody.yaml in PATH, or errors in the config.
    #[command(
        after_help = "Examples:\n  custody schema > .custody/inventory.schema.json\n  custody schema --kind waivers\n  custody schema --kind config"
    )]
    Schema(SchemaArgs),
    /// Start a project: write a starter custody.yaml, an inventory and a policy.
    ///
    /// Writes custody.yaml, inventory/vendors.yaml, inventory/data_stores.yaml and
    /// policies/main.policy into DIR (created if missing), then prints the next commands.
    ///
    /// Exit codes: 0 written; 2 a file already exists (nothing is written) or cannot be written.
    #[command(after_help = "Examples:\n  custody init\n  custody init vendor-risk")]
    Init(InitArgs),
    /// Import a CSV file or a spreadsheet as inventory YAML: one entity of KIND per row.
    ///
    /// The first row is the header: each column is a field of KIND, matched by name ignoring
    /// case, with spaces and `-` read as `_` (`Last Audit` is `last_audit`, `contract.expires`
    /// a member). Lists in a cell are separated by `;` or newlines. The schema and taxonomy are
    /// custody.yaml's (found by walking up, or in --config) or, without one, the shipped ones.
    ///
    /// Exit codes: 0 imported; 2 an error in the file or the arguments (all are reported, and
    /// nothing is written).
    #[command(
        after_help = "Examples:\n  custody import vendors.csv --kind vendor > inventory/vendors.yaml\n  custody import register.xlsx --kind vendor --sheet Vendors --map \"Vendor Name=name\" --map \"Notes=-\" --output inventory/vendors.yaml"
    )]
    Import(ImportArgs),
    /// Run the language server (LSP over stdio) for editors: diagnostics, hover, completion,
    /// definitions, references, formatting, symbols and code lenses.
    ///
    /// The project is found from the workspace the editor opens (the directory with
    /// custody.yaml, walking up); the editor starts the server, not you.
    #[command(after_help = "Examples:\n  custody lsp\n  custody lsp --stdio")]
    Lsp(LspArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  custody completions bash > /etc/bash_completion.d/custody\n  custody completions zsh > ~/.zfunc/_custody"
    )]
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    #[command(after_help = "Examples:\n  custody man > custody.1 && man ./custody.1")]
    Man,
}

#[derive(clap::Args, Debug, Clone)]
pub struct LspArgs {
    /// Talk over standard input and output (the only transport; accepted because editors'
    /// clients pass it).
    #[arg(long)]
    pub stdio: bool,
    /// After each analysis, write its phase times and memory to standard error (the
    /// editor's log for the server).
    #[arg(long)]
    pub timings: bool,
}

#[derive(clap::Args, Debug, Clone)]
pub struct LintArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Changed files, after PATH (as pre-commit passes them): they restrict nothing (a change
    /// to one file can change findings anywhere, so the whole project is always linted).
    #[arg(value_name = "FILES")]
    pub changed: Vec<PathBuf>,
    /// Every positional argument is a changed file, none is PATH (custody.yaml is found by
    /// walking up): what the pre-commit hooks pass.
    #[arg(long)]
    pub changed_files: bool,
    /// Exit 1 when there are warnings.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Evaluation date for date-dependent warnings (waivers expiring soon); default today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<jiff::civil::Date>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct FmtArgs {
    /// Policy files or directories (default: the config's policies); `-` reads stdin and writes stdout.
    pub paths: Vec<PathBuf>,
    /// Do not write; exit 1 and print a unified diff for each file that is not formatted.
    #[arg(long)]
    pub check: bool,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(clap::Args, Debug, Clone)]
pub struct TestArgs {
    /// Test files or directories to search for `*.test.yaml` (default: the working directory).
    pub paths: Vec<PathBuf>,
    /// Report rules with no test and clauses never seen both true and false.
    #[arg(long)]
    pub coverage: bool,
    /// Policy files or directories (repeatable), for test files without `policies:` (default: the policies of the custody.yaml above each test file).
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ExplainArgs {
    /// The rule ID, e.g. TPR-001.
    pub rule: String,
    /// The entity as KIND/ID, e.g. vendor/tessaly-crm; without it, the rule's documentation.
    pub entity: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Evaluation date (YYYY-MM-DD); default today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<jiff::civil::Date>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryFormat {
    Table,
    Json,
    Csv,
}

#[derive(clap::Args, Debug, Clone)]
pub struct QueryArgs {
    /// `KIND VAR where EXPR`, e.g. 'vendor v where v handles personal.contact.address'.
    pub query: String,
    /// A field to show as a column (repeatable), e.g. --show name --show contract.expires.
    #[arg(long = "show", value_name = "FIELD")]
    pub show: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    pub format: QueryFormat,
    #[command(flatten)]
    pub input: InputArgs,
    /// Evaluation date (YYYY-MM-DD); default today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<jiff::civil::Date>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ImpactArgs {
    /// The breached entity as KIND/ID, e.g. vendor/tessaly-crm.
    pub entity: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub input: InputArgs,
    /// Evaluation date (YYYY-MM-DD); default today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<jiff::civil::Date>,
}

/// Formats of `custody graph`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (GitHub and GitLab draw it in Markdown).
    Mermaid,
}

#[derive(clap::Args, Debug, Clone)]
pub struct GraphArgs {
    /// Directory holding custody.yaml (default: found by walking up from the working directory).
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Only this entity and the entities it references or is referenced by: KIND/ID, e.g.
    /// vendor/tessaly-crm (an ID alone when no other entity has it).
    #[arg(long, value_name = "KIND/ID")]
    pub focus: Option<String>,
    /// Write the graph to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Inventory file or directory (repeatable); replaces the config's `inventory`.
    #[arg(long = "inventory", value_name = "PATH")]
    pub inventory: Vec<PathBuf>,
    /// Refuse input files larger than this many bytes (default 1 GiB, or the config's `max_file_size`).
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// When to use colour (in diagnostics): auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(clap::Args, Debug, Clone)]
pub struct DocsArgs {
    /// Directory to write the pages to.
    #[arg(long, value_name = "DIR", default_value = "docs/rules")]
    pub out: PathBuf,
    /// Do not write; exit 1 if a page is missing or out of date.
    #[arg(long)]
    pub check: bool,
}

/// The file `custody schema` describes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// Inventory files (`vendors:`, `data_stores:`, ...).
    Inventory,
    /// The waivers file.
    Waivers,
    /// custody.yaml.
    Config,
}

#[derive(clap::Args, Debug, Clone)]
pub struct SchemaArgs {
    /// Which file the schema describes.
    #[arg(long, value_enum, default_value_t = SchemaKind::Inventory)]
    pub kind: SchemaKind,
    /// Directory holding custody.yaml, or the file, for `--kind inventory` (default: found by
    /// walking up from the working directory; none: the shipped schema and taxonomy).
    pub path: Option<PathBuf>,
    /// When to use colour (in diagnostics).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(clap::Args, Debug, Clone)]
pub struct InitArgs {
    /// Directory to start the project in (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// When to use colour (in diagnostics).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ImportArgs {
    /// The file to import: `.csv` (comma-separated, UTF-8) or a spreadsheet (`.xlsx`, `.xlsm`,
    /// `.xlsb`, `.xls`, `.ods`).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The kind of entity each row is (`vendor`, `data_store`, or a kind of custody.yaml's schema).
    #[arg(long, value_name = "KIND")]
    pub kind: String,
    /// Map a column to a field: `--map "Vendor Name=name"`; `--map "Notes=-"` skips the column
    /// (repeatable).
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub maps: Vec<String>,
    /// The sheet of a spreadsheet to import (default: the first).
    #[arg(long, value_name = "SHEET")]
    pub sheet: Option<String>,
    /// Write the YAML to this file instead of stdout; an existing file is never overwritten.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Directory holding custody.yaml, or the file (default: found by walking up from the
    /// working directory; none: the shipped schema and taxonomy).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// When to use colour (in diagnostics).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(clap::Args, Debug, Clone)]
pub struct HelpCodeArgs {
    /// The code, e.g. custody::policy::unknown_field (the `custody::` prefix may be left out).
    pub code: String,
}

#[derive(clap::Args, Debug, Clone)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Directory holding custody.yaml (default: found by walking up from the working directory).
    pub path: Option<PathBuf>,
    /// Policy file or directory (repeatable); replaces the config's `policies`.
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Inventory file or directory (repeatable); replaces the config's `inventory`.
    #[arg(long = "inventory", value_name = "PATH")]
    pub inventory: Vec<PathBuf>,
    /// Waivers file; replaces the config's `waivers`.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Refuse input files larger than this many bytes (default 1 GiB, or the config's `max_file_size`).
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// When to use colour: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Changed files, after PATH (as pre-commit passes them): they restrict nothing (a change
    /// to one file can change findings anywhere, so the whole project is always checked).
    #[arg(value_name = "FILES")]
    pub changed: Vec<PathBuf>,
    /// Every positional argument is a changed file, none is PATH (custody.yaml is found by
    /// walking up): what the pre-commit hooks pass.
    #[arg(long)]
    pub changed_files: bool,
    /// Evaluation date (YYYY-MM-DD); default today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<jiff::civil::Date>,
    /// Lowest severity whose failing findings fail the run (info never fails). Default: the config's `fail_on`, else low.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Write the --format output to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write another format to a file in the same run (repeatable), e.g. --report sarif=custody.sarif.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report)]
    pub reports: Vec<(CheckFormat, PathBuf)>,
    /// Known findings: failing findings recorded in FILE are `baselined` and do not fail the run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Gate a pull request: only failing findings new since this git revision fail the run;
    /// those also failing at BASE are reported `baselined` (see `custody diff`).
    #[arg(long, value_name = "BASE")]
    pub new_since: Option<String>,
    /// Record the current failing findings in FILE, to adopt custody on an existing inventory; exits 0 once written (2 on input errors).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Only evaluate this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Print the time each phase took (read, parse, check, evaluate, render) to stderr.
    #[arg(long)]
    pub timings: bool,
    /// Worker threads for parsing and evaluation (default: one per core; `RAYON_NUM_THREADS`
    /// also works). Results are the same with any number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Human output: every fact of each finding (not the first 5), with a snippet for each.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Group failing findings under a heading per rule, owner, entity or file (human,
    /// concise and Markdown output).
    #[arg(long, value_enum, value_name = "KEY")]
    pub group_by: Option<GroupBy>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct DiffArgs {
    /// The git revision to compare with: a commit, branch or tag (e.g. origin/main).
    pub base: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// Evaluation date (YYYY-MM-DD) for both sides; default today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<jiff::civil::Date>,
    /// Lowest severity whose new failing findings fail the run (info never fails). Default: the config's `fail_on`, else low.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
}

/// Formats of `custody diff`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Human,
    Json,
    /// A pull-request comment: counts, a table of new findings, the fixed ones collapsed.
    Markdown,
    /// SARIF 2.1.0 with the new findings only, for code scanning on a pull request.
    Sarif,
}

/// `--group-by` keys.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Rule,
    Owner,
    Entity,
    File,
}

/// Formats of `custody check`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFormat {
    Human,
    /// One line per finding, error and warning: `path:line:col: severity RULE entity (owner): message`.
    Concise,
    Json,
    Sarif,
    Junit,
    Github,
    Gitlab,
    Markdown,
    /// OSCAL 1.1 assessment-results JSON: an observation and a finding per failing (rule, entity).
    Oscal,
    /// One self-contained HTML page: summary, sortable and filterable findings with
    /// evidence, and the supply-chain graph (write it to a file: --output or --report).
    Html,
}

fn parse_report(s: &str) -> Result<(CheckFormat, PathBuf), String> {
    let (format, file) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not FORMAT=FILE, e.g. sarif=custody.sarif"))?;
    let format = CheckFormat::from_str(format, true).map_err(|_| {
        format!("`{format}` is not a format; use one of human, concise, json, sarif, junit, github, gitlab, markdown, html, oscal")
    })?;
    if file.is_empty() {
        return Err(format!("`{s}` names no file after `=`"));
    }
    Ok((format, PathBuf::from(file)))
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse::<jiff::civil::Date>()
        .map_err(|_| format!("`{s}` is not a date; write it as YYYY-MM-DD, e.g. 2026-11-24"))
}
