//! One module per subcommand: each takes its clap arguments and returns an [`Output`] (what
//! to print, how to exit); `main` writes it out. This layer, and `main`, are the only code
//! that looks at the process (environment, terminals, files written on request).

pub mod check;
pub mod diff;
pub mod docs;
pub mod explain;
pub mod fmt;
pub mod graph;
pub mod help_code;
pub mod impact;
pub mod import;
pub mod init;
pub mod lint;
pub mod lsp;
pub mod query;
pub mod schema;
pub mod test;

use crate::cli::{ColorChoice, InputArgs};
use crate::project::Settings;
use crate::report::human::Style;
use crate::types::Exit;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a command prints and how it exits; `main` writes it out: `stderr`, then `stdout`,
/// then `stream` (if any) to stdout, with the text it returns to stderr.
#[derive(Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub exit: Exit,
    /// A report written straight to stdout rather than built in memory (`check --format
    /// json`); returns what to print to stderr after it (the `--timings` table).
    pub stream: Option<Stream>,
}

/// A deferred writer for [`Output::stream`]: a write error is returned, for `main` to report
/// (or to ignore, when it is a closed pipe).
pub type Stream = Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<String>>;

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .field("exit", &self.exit)
            .field("stream", &self.stream.is_some())
            .finish()
    }
}

/// The project settings named by the shared input flags.
pub fn settings(input: &InputArgs, cwd: PathBuf) -> Settings {
    Settings {
        cwd,
        config_dir: input.path.clone(),
        policies: input.policies.clone(),
        inventory: input.inventory.clone(),
        waivers: input.waivers.clone(),
        max_file_size: input.max_file_size,
        ..Settings::default()
    }
}

/// [`settings`] for `check` and `lint`, which also take changed files (`[PATH] [FILES]...`):
/// with `--changed-files` every positional argument is one, so the files pre-commit appends
/// are never taken as PATH. Changed files restrict nothing: the whole project is loaded.
pub fn settings_with_changed(input: &InputArgs, changed_files: bool, cwd: PathBuf) -> Settings {
    let mut s = settings(input, cwd);
    if changed_files {
        s.config_dir = None;
    }
    s
}

/// Colour decision: `--color`, then `NO_COLOR`, then whether the stream is a terminal.
pub fn use_color(choice: ColorChoice, no_color_env: bool, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color_env && is_terminal,
    }
}

/// An output stream, for the colour decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Std {
    Out,
    Err,
}

/// The human style for a stream: `--color`, then `NO_COLOR`, then whether it is a terminal.
pub fn style(choice: ColorChoice, stream: Std) -> Style {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let terminal = match stream {
        Std::Out => std::io::stdout().is_terminal(),
        Std::Err => std::io::stderr().is_terminal(),
    };
    Style {
        color: use_color(choice, no_color, terminal),
        width: 100,
        verbose: false,
    }
}

/// Write `content` to `path` (a report, a baseline, a generated page) so a reader never sees
/// half of it: through a temporary file next to the file, renamed over it. A symlink is
/// followed, and its target replaced, not the link; an existing file keeps its permissions,
/// a new one gets the umask's (0666 less the umask, as `>` in a shell would); something
/// that is not a regular file (`/dev/null`, a named pipe) cannot be replaced and is written
/// directly.
pub fn write_atomic(path: &Path, content: &str) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("cannot write `{}`: {e}", path.display());
    let target = follow_links(path).map_err(failed)?;
    let permissions = match std::fs::metadata(&target) {
        Ok(m) if m.is_file() => Some(m.permissions()),
        Ok(m) if !m.is_dir() => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .map_err(failed)?;
            return f.write_all(content.as_bytes()).map_err(failed);
        }
        // A new file; or a directory, which the rename refuses with its own error.
        _ => None,
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".custody-").suffix(".tmp");
    #[cfg(unix)]
    if permissions.is_none() {
        // The file is created with this mode less the umask (tempfile's default is 0600).
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in `{}`: {e}", dir.display()))?;
    tmp.write_all(content.as_bytes()).map_err(failed)?;
    if let Some(p) = permissions {
        tmp.as_file().set_permissions(p).map_err(failed)?;
    }
    tmp.persist(&target).map_err(|e| failed(e.error))?;
    Ok(())
}

/// Add `content` to the end of `path` (created if missing), after a blank line when the
/// file already has text: for the GitHub step summary, which other commands of the step
/// may have written to.
pub fn append(path: &Path, content: &str) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("cannot write `{}`: {e}", path.display());
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(failed)?;
    let has_text = f.metadata().map_err(failed)?.len() > 0;
    if has_text {
        f.write_all(b"\n").map_err(failed)?;
    }
    f.write_all(content.as_bytes()).map_err(failed)
}

/// The file a path names once symlinks are followed (the link's target may not exist yet).
fn follow_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    // As many links as Linux follows before ELOOP.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// `custody completions SHELL`: a completion script on stdout.
pub fn completions(args: &crate::cli::CompletionsArgs) -> Output {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut crate::cli::Cli::command(),
        "custody",
        &mut buf,
    );
    Output {
        stdout: String::from_utf8_lossy(&buf).into_owned(),
        ..Output::default()
    }
}

/// `custody man`: the man page (roff) on stdout.
pub fn man() -> Output {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    match clap_mangen::Man::new(crate::cli::Cli::command()).render(&mut buf) {
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
