//! The `custody` binary: parse arguments, run the command, write its output, exit.

use clap::{CommandFactory, Parser};
use custody::cli::{self, Cli, Command, Format};
use custody::cmd;
use custody::report::{human, json};
use custody::run::{self, Exit, Output};
use std::io::Write;

fn main() {
    let cli = Cli::parse();
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read the working directory: {e}");
            std::process::exit(Exit::Invalid as i32);
        }
    };
    // The clock is read once, here, and passed down.
    let today = jiff::Zoned::now().date();
    let out = match &cli.command {
        Command::Check(args) => check(args, cwd, today),
        Command::Lint(args) => cmd::lint::run(args, cwd, today),
        Command::Fmt(args) => cmd::fmt::run(args, cwd, today),
        Command::Test(args) => cmd::test::run(args, cwd, today),
        Command::Explain(args) => cmd::explain::run(args, cwd, today),
        Command::Query(args) => cmd::query::run(args, cwd, today),
        Command::Impact(args) => cmd::impact::run(args, cwd, today),
        Command::HelpCode(args) => cmd::help_code::run(args, cwd, today),
        Command::Completions(args) => {
            let mut buf = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "custody", &mut buf);
            Output {
                stdout: String::from_utf8_lossy(&buf).into_owned(),
                ..Output::default()
            }
        }
        Command::Man => {
            let mut buf = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
                Ok(()) => Output {
                    stdout: String::from_utf8_lossy(&buf).into_owned(),
                    ..Output::default()
                },
                Err(e) => Output {
                    stderr: format!("error: cannot render the man page: {e}\n"),
                    exit: Exit::Invalid,
                    ..Output::default()
                },
            }
        }
    };
    if !out.stderr.is_empty() {
        let _ = std::io::stderr().write_all(out.stderr.as_bytes());
    }
    // A closed pipe (`custody check | head`) is not an error.
    let mut so = std::io::stdout().lock();
    let _ = so.write_all(out.stdout.as_bytes()).and_then(|_| so.flush());
    std::process::exit(out.exit as i32);
}

fn check(args: &cli::CheckArgs, cwd: std::path::PathBuf, today: jiff::civil::Date) -> Output {
    let report = run::run(&args.settings(cwd), today);
    let out_style = cli::style(args.input.color, cli::Stream::Stdout);
    let err_style = cli::style(args.input.color, cli::Stream::Stderr);
    let stdout = match args.format {
        Format::Human => human::render(&report, &out_style),
        Format::Json => json::render(&report),
    };
    Output {
        stdout,
        stderr: human::render_diags(&report, &err_style),
        exit: report.exit(),
    }
}
