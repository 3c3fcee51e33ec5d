//! The `custody` binary: parse arguments, run, pick the renderer, map to an exit code.

use clap::Parser;
use custody::cli::{self, Cli, Command, Format};
use custody::report::{human, json};
use custody::run::{self, Exit};
use std::io::{IsTerminal, Write};

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(&args, false),
        Command::Lint(args) => {
            let check_args = cli::CheckArgs {
                input: args,
                as_of: None,
                fail_on: None,
                format: Format::Human,
                rules: Vec::new(),
            };
            check(&check_args, true)
        }
    };
    std::process::exit(code as i32);
}

fn check(args: &cli::CheckArgs, lint: bool) -> Exit {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read the working directory: {e}");
            return Exit::Invalid;
        }
    };
    // The clock is read once, here, and passed down.
    let today = jiff::Zoned::now().date();
    let mut settings = args.settings(cwd);
    settings.no_eval = lint;
    let report = run::run(&settings, today);
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let out_style = human::Style {
        color: cli::use_color(args.input.color, no_color, std::io::stdout().is_terminal()),
        width: 100,
    };
    let err_style = human::Style {
        color: cli::use_color(args.input.color, no_color, std::io::stderr().is_terminal()),
        width: 100,
    };
    let stdout = match (args.format, lint) {
        (_, true) => {
            let s = custody::report::summary(&report);
            format!(
                "custody lint: {} rules checked, {} entities validated; {} errors, {} warnings\n",
                report.program.rules.len(),
                s.entities,
                s.errors,
                s.warnings
            )
        }
        (Format::Human, false) => human::render(&report, &out_style),
        (Format::Json, false) => json::render(&report),
    };
    let stderr = human::render_diags(&report, &err_style);
    if !stderr.is_empty() {
        let _ = std::io::stderr().write_all(stderr.as_bytes());
    }
    // A closed pipe (`custody check | head`) is not an error.
    let mut so = std::io::stdout().lock();
    let _ = so.write_all(stdout.as_bytes()).and_then(|_| so.flush());
    let exit = report.exit();
    if lint && exit == Exit::Findings {
        Exit::Clean
    } else {
        exit
    }
}
