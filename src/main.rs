//! The `custody` binary: parse arguments, run the command, write its output, exit.

// Nothing a user controls may panic: no `unwrap`/`expect` outside tests (clippy.toml allows
// them in tests).
#![deny(clippy::unwrap_used, clippy::expect_used)]

use clap::Parser;
use custody::cli::{Cli, Command};
use custody::cmd;
use custody::types::Exit;
use std::io::Write;

fn main() {
    let cli = Cli::parse();
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read the working directory: {e}");
            std::process::exit(Exit::Invalid.code());
        }
    };
    // The clock is read once, here, and passed down.
    let today = jiff::Zoned::now().date();
    let out = match &cli.command {
        Command::Check(args) => cmd::check::run(args, cwd, today),
        Command::Lint(args) => cmd::lint::run(args, cwd, today),
        Command::Fmt(args) => cmd::fmt::run(args, cwd, today),
        Command::Test(args) => cmd::test::run(args, cwd, today),
        Command::Explain(args) => cmd::explain::run(args, cwd, today),
        Command::Query(args) => cmd::query::run(args, cwd, today),
        Command::Impact(args) => cmd::impact::run(args, cwd, today),
        Command::HelpCode(args) => cmd::help_code::run(args, cwd, today),
        Command::Docs(args) => cmd::docs::run(args, cwd, today),
        Command::Completions(args) => cmd::completions(args),
        Command::Man => cmd::man(),
    };
    let exit = out.exit;
    let code = match emit(out) {
        Ok(()) => exit.code(),
        Err(e) => {
            // Best effort: stderr may be what failed.
            let _ = writeln!(
                std::io::stderr(),
                "error: cannot write the output: {}",
                custody::sources::io_words(&e)
            );
            Exit::Invalid.code()
        }
    };
    std::process::exit(code);
}

/// Write a command's output: stderr, stdout, then the streamed report and what follows it
/// on stderr. Every part is attempted; the first write error is returned, except a closed
/// pipe (`custody check | head`), which is not an error: the reader has what it wanted.
fn emit(out: cmd::Output) -> std::io::Result<()> {
    let mut first: Option<std::io::Error> = None;
    let mut note = |r: std::io::Result<()>| {
        if let Err(e) = r
            && e.kind() != std::io::ErrorKind::BrokenPipe
            && first.is_none()
        {
            first = Some(e);
        }
    };
    note(std::io::stderr().write_all(out.stderr.as_bytes()));
    let mut stdout = std::io::stdout().lock();
    note(stdout.write_all(out.stdout.as_bytes()));
    if let Some(stream) = out.stream {
        match stream(&mut stdout) {
            Ok(trailer) => {
                note(stdout.flush());
                note(std::io::stderr().write_all(trailer.as_bytes()));
            }
            Err(e) => note(Err(e)),
        }
    }
    note(stdout.flush());
    match first {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
