//! `custody lint`: everything `check` reports about the input, without evaluating.

use crate::cli::{self, LintArgs, Stream};
use crate::report::{human, summary};
use crate::run::{self, Exit, Output, Settings};

pub fn run(args: &LintArgs, cwd: std::path::PathBuf, today: jiff::civil::Date) -> Output {
    let settings = Settings {
        no_eval: true,
        as_of: args.as_of,
        ..args.input.settings(cwd)
    };
    let report = run::run(&settings, today);
    let s = summary(&report);
    let stdout = format!(
        "custody lint: {} rules checked, {} entities validated; {} errors, {} warnings\n",
        report.program.rules.len(),
        s.entities,
        s.errors,
        s.warnings
    );
    let stderr = human::render_diags(&report, &cli::style(args.input.color, Stream::Stderr));
    let exit = if s.errors > 0 {
        Exit::Invalid
    } else if args.deny_warnings && s.warnings > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    };
    Output {
        stdout,
        stderr,
        exit,
    }
}
