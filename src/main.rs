//! The `custody` binary: parse arguments, run the command, write its output, exit.

use clap::{CommandFactory, Parser};
use custody::cli::{self, CheckFormat, Cli, Command};
use custody::cmd;
use custody::report::{github, gitlab, human, json, junit, markdown, sarif};
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
        Command::Docs(args) => cmd::docs::run(args, cwd, today),
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

/// Render a report in one of `check`'s formats.
fn render(report: &run::Report, format: CheckFormat, style: &human::Style) -> String {
    match format {
        CheckFormat::Human => human::render(report, style),
        CheckFormat::Json => json::render(report),
        CheckFormat::Sarif => sarif::render(report),
        CheckFormat::Junit => junit::render(report),
        CheckFormat::Github => github::render(report),
        CheckFormat::Gitlab => gitlab::render(report),
        CheckFormat::Markdown => markdown::render(report),
    }
}

fn check(args: &cli::CheckArgs, cwd: std::path::PathBuf, today: jiff::civil::Date) -> Output {
    if let Some(n) = args.threads {
        // Only fails if the pool was already built, which cannot happen before this point.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build_global();
    }
    // A JSON report on stdout is streamed; with no other report to render, the evidence of
    // each finding is built as it is written rather than all kept in memory.
    let stream_json = args.format == CheckFormat::Json && args.output.is_none();
    let settings = run::Settings {
        defer_evidence: stream_json && args.reports.is_empty(),
        ..args.settings(cwd)
    };
    let mut report = run::run(&settings, today);
    let out_style = cli::style(args.input.color, cli::Stream::Stdout);
    let err_style = cli::style(args.input.color, cli::Stream::Stderr);
    // Files never get colour.
    let file_style = human::Style {
        color: false,
        width: 100,
    };
    let mut stderr = human::render_diags(&report, &err_style);
    let mut exit = report.exit();
    let mut write = |path: &std::path::Path, content: &str| {
        if let Err(e) = cli::write_atomic(path, content) {
            stderr.push_str(&format!("error: {e}\n"));
            exit = Exit::Invalid;
        }
    };
    let stdout = match &args.output {
        Some(path) => {
            write(path, &render(&report, args.format, &file_style));
            String::new()
        }
        None if stream_json => String::new(),
        None => render(&report, args.format, &out_style),
    };
    for (format, path) in &args.reports {
        write(path, &render(&report, *format, &file_style));
    }
    if let Some(path) = &args.write_baseline {
        let mut entries: Vec<custody::eval::baseline::Entry> = report
            .findings
            .iter()
            .filter(|f| {
                matches!(
                    f.status,
                    custody::eval::Status::Fail | custody::eval::Status::Baselined
                )
            })
            .map(|f| custody::eval::baseline::Entry {
                fingerprint: custody::report::fingerprint(&report, f),
                rule: report.program.rules[f.rule].id.clone(),
                entity: custody::report::entity_name(&report, f.entity),
            })
            .collect();
        let n = entries.len();
        write(path, &custody::eval::baseline::write(&mut entries));
        stderr.push_str(&format!(
            "custody: recorded {n} failing findings in {}\n",
            path.display()
        ));
    }
    if stream_json {
        let _ = std::io::stderr().write_all(stderr.as_bytes());
        // A closed pipe (`custody check --format json | head`) is not an error.
        let _ = json::write(&report, std::io::stdout().lock());
        stderr = String::new();
    }
    report.timings.lap("render");
    if args.timings {
        stderr.push_str(&report.timings.render());
    }
    Output {
        stdout,
        stderr,
        exit,
    }
}
