//! The command line: clap types (raw arguments) and their translation into validated
//! `run::Settings`. Only this module and `main.rs` touch the process.

pub mod config;

use crate::check::Severity;
use crate::run::Settings;
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
    /// Parse and type-check policies and validate inventories and waivers, without evaluating.
    #[command(
        after_help = "Examples:\n  custody lint examples/airline\n  custody lint --policy rules.policy --inventory inventory/"
    )]
    Lint(InputArgs),
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
    /// Evaluation date (YYYY-MM-DD); default today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<jiff::civil::Date>,
    /// Lowest severity whose failing findings fail the run (info never fails). Default: the config's `fail_on`, else low.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only evaluate this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
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

impl InputArgs {
    pub fn settings(&self, cwd: PathBuf) -> Settings {
        Settings {
            cwd,
            config_dir: self.path.clone(),
            policies: self.policies.clone(),
            inventory: self.inventory.clone(),
            waivers: self.waivers.clone(),
            max_file_size: self.max_file_size,
            ..Settings::default()
        }
    }
}

impl CheckArgs {
    pub fn settings(&self, cwd: PathBuf) -> Settings {
        Settings {
            as_of: self.as_of,
            fail_on: self.fail_on.map(Severity::from),
            rules: self.rules.clone(),
            ..self.input.settings(cwd)
        }
    }
}

/// Colour decision: `--color`, then `NO_COLOR`, then whether the stream is a terminal.
pub fn use_color(choice: ColorChoice, no_color_env: bool, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color_env && is_terminal,
    }
}
