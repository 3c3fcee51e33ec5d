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
        Command::Diff(args) => cmd::diff::run(args, cwd, today),
        Command::Lint(args) => cmd::lint::run(args, cwd, today),
        Command::Fmt(args) => cmd::fmt::run(args, cwd, today),
        Command::Test(args) => cmd::test::run(args, cwd, today),
        Command::Explain(args) => cmd::explain::run(args, cwd, today),
        Command::Query(args) => cmd::query::run(args, cwd, today),
        Command::Impact(args) => cmd::impact::run(args, cwd, today),
        Command::Graph(args) => cmd::graph::run(args, cwd, today),
        Command::HelpCode(args) => cmd::help_code::run(args, cwd, today),
        Command::Docs(args) => cmd::docs::run(args, cwd, today),
        Command::Schema(args) => cmd::schema::run(args, cwd, today),
        Command::Init(args) => cmd::init::run(args, cwd, today),
        Command::Import(args) => cmd::import::run(args, cwd, today),
        Command::Lsp(args) => cmd::lsp::run(args, cwd, today),
        Command::Completions(args) => cmd::completions(args),
        Command::Man => cmd::man(),
    };
    let exit = out.exit;
    if stdout_was_closed() && (!out.stdout.is_empty() || out.stream.is_some()) {
        // `custody check >&-`: the output would be lost without a word.
        let _ = std::io::stderr().write_all(out.stderr.as_bytes());
        let _ = writeln!(
            std::io::stderr(),
            "error: cannot write the output: stdout is closed"
        );
        std::process::exit(Exit::Invalid.code());
    }
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

/// Was stdout closed when the process started (`custody check >&-`)? Rust's runtime reopens
/// a closed standard descriptor on /dev/null before `main`, after which nothing can tell;
/// so this is read earlier, by a function in `.init_array`, which the loader runs before
/// `main` (std itself reads `argv` there on Linux).
#[cfg(target_os = "linux")]
fn stdout_was_closed() -> bool {
    closed_stdout::CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

#[cfg(not(target_os = "linux"))]
fn stdout_was_closed() -> bool {
    false
}

#[cfg(target_os = "linux")]
mod closed_stdout {
    use std::sync::atomic::{AtomicBool, Ordering};

    pub static CLOSED: AtomicBool = AtomicBool::new(false);

    extern "C" fn probe() {
        // SAFETY: `fcntl(F_GETFD)` only reads descriptor 1's flags; it fails (with EBADF)
        // only when the descriptor is not open.
        if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
            CLOSED.store(true, Ordering::Relaxed);
        }
    }

    // SAFETY: the loader calls each `.init_array` entry once, before `main`, with no other
    // thread running; `probe` touches only an atomic.
    #[used]
    #[unsafe(link_section = ".init_array")]
    static PROBE: extern "C" fn() = probe;
}
