//! `custody fmt`: rewrite policy files in the canonical layout (`syntax::fmt`), or with
//! `--check` print what would change as a unified diff.
//!
//! Files are read with the same limits as `check` (size, UTF-8). A file with syntax errors
//! is reported and left untouched; a formatted file is written only when its text changes,
//! through a temporary file in the same directory that is then renamed over it, so a
//! reader never sees half a file. `-` reads standard input and writes the result to
//! standard output.

use super::{Output, Std};
use crate::cli::FmtArgs;
use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::project::config;
use crate::project::policies::PolicySource;
use crate::source::{FileId, SourceMap};
use crate::sources::{self, FileKind, Input};
use crate::syntax::{self, fmt::Error};
use crate::types::Exit;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The name standard input goes by in diagnostics and diffs.
const STDIN_NAME: &str = "<stdin>";

pub fn run(args: &FmtArgs, cwd: PathBuf, today: jiff::civil::Date) -> Output {
    // Formatting does not depend on the date.
    let _ = today;
    run_with_stdin(args, &cwd, &mut std::io::stdin().lock())
}

/// What happened to one file.
#[derive(Default)]
struct Tally {
    changed: usize,
    unchanged: usize,
    failed: usize,
}

/// [`run`], reading `-` from `stdin`.
pub fn run_with_stdin(args: &FmtArgs, cwd: &Path, stdin: &mut dyn Read) -> Output {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let mut stdout = String::new();
    let mut tally = Tally::default();
    let color = super::style(args.color, Std::Out).color;

    let use_stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    let (inputs, max_size) = inputs(args, cwd, &mut sources, &mut diags);
    let files = sources::collect(&inputs, FileKind::Policy, cwd, &mut diags);

    for path in &files {
        let Some(file) = sources::read(path, cwd, max_size, &mut sources, &mut diags) else {
            tally.failed += 1;
            continue;
        };
        let Some((old, new)) = format(file, &sources, &mut diags) else {
            tally.failed += 1;
            continue;
        };
        if old == new {
            tally.unchanged += 1;
            continue;
        }
        let name = sources.name(file).to_owned();
        if args.check {
            tally.changed += 1;
            stdout.push_str(&diff(&name, &old, &new, color));
        } else if let Err(e) = write_atomic(path, &new) {
            tally.failed += 1;
            diags.push(
                Diag::new(
                    &codes::fmt::WRITE_FAILED,
                    format!("cannot write `{name}`: {}", sources::io_words(&e)),
                )
                .help("check that the file and its directory are writable; the file was left as it was"),
            );
        } else {
            tally.changed += 1;
        }
    }

    if use_stdin {
        match read_stdin(stdin, max_size, &mut sources, &mut diags) {
            Some(file) => match format(file, &sources, &mut diags) {
                Some((old, new)) => {
                    if old == new {
                        tally.unchanged += 1;
                    } else {
                        tally.changed += 1;
                    }
                    if !args.check {
                        stdout.push_str(&new);
                    } else if old != new {
                        stdout.push_str(&diff(STDIN_NAME, &old, &new, color));
                    }
                }
                None => tally.failed += 1,
            },
            None => tally.failed += 1,
        }
    }

    let has_errors = diags.iter().any(Diag::is_error);
    diag::sort(&mut diags);
    let mut stderr = diag::render_all(&diags, &sources, &cli_handler(args));
    if !files.is_empty() {
        stderr.push_str(&summary(&tally, args.check));
    }
    let exit = if has_errors {
        Exit::Invalid
    } else if args.check && tally.changed > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    };
    Output {
        stdout,
        stderr,
        exit,
        ..Output::default()
    }
}

fn cli_handler(args: &FmtArgs) -> miette::GraphicalReportHandler {
    let style = super::style(args.color, Std::Err);
    diag::handler(style.color, style.width)
}

/// The files to format: the paths given (without `-`), or the config's policy files (never
/// a `builtin:` entry), or with no config the `.policy` files under the working directory. Also
/// the file size limit (the config's `max_file_size`, when there is a config).
fn inputs(
    args: &FmtArgs,
    cwd: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
) -> (Vec<Input>, u64) {
    if !args.paths.is_empty() {
        let inputs = args
            .paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .map(|p| Input::cli(cwd.join(p)))
            .collect();
        return (inputs, sources::DEFAULT_MAX_FILE_SIZE);
    }
    let Some(path) = config::discover(None, cwd) else {
        // No config: the policy files under the working directory.
        let files = sources::find_under(cwd, FileKind::Policy, cwd, diags);
        if files.is_empty() {
            diags.push(
                Diag::new(
                    &codes::config::NO_POLICIES,
                    format!(
                        "nothing to format: no `{}` found in this directory or any parent, and no `.policy` files below it",
                        config::FILE_NAME
                    ),
                )
                .help("name the files to format (`custody fmt rules.policy policies/`), or run it in a project with a custody.yaml"),
            );
        }
        return (
            files.into_iter().map(Input::cli).collect(),
            sources::DEFAULT_MAX_FILE_SIZE,
        );
    };
    let cfg = config::load(&path, cwd, sources, diags);
    if cfg.policies.is_empty() && !diags.iter().any(Diag::is_error) {
        diags.push(
            Diag::new(&codes::config::NO_POLICIES, "no policy files to load")
                .help("list them under `policies:` in custody.yaml, or name the files to format"),
        );
    }
    let max = cfg.max_file_size.unwrap_or(sources::DEFAULT_MAX_FILE_SIZE);
    // The user's policy files only: a `builtin:` entry is the embedded library, which is
    // not theirs to format.
    let inputs = cfg
        .policies
        .into_iter()
        .filter_map(|p| match p.source {
            PolicySource::File(path) => Some(Input {
                path,
                named_at: p.named_at,
            }),
            PolicySource::Builtin(_) => None,
        })
        .collect();
    (inputs, max)
}

/// The file's text and its formatted text; `None` when it cannot be formatted (the
/// reason is in `diags`).
fn format(file: FileId, sources: &SourceMap, diags: &mut Vec<Diag>) -> Option<(String, String)> {
    let src = sources.get(file);
    let old = src.text().to_string();
    match syntax::format_policy(file, &old, diags) {
        Ok(new) => Some((old, new)),
        Err(Error::Syntax) => None,
        Err(Error::Unsafe(why)) => {
            diags.push(
                Diag::new(
                    &codes::fmt::INTERNAL,
                    format!("`custody fmt` refused to format `{}`: {why}", src.name),
                )
                .help("this is a bug in custody: the file was left as it was; please report it with the file"),
            );
            None
        }
    }
}

/// Read standard input into the source map, with the same size and UTF-8 checks as a file.
fn read_stdin(
    stdin: &mut dyn Read,
    max_size: u64,
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
) -> Option<FileId> {
    let max_size = max_size.min(sources::HARD_MAX_FILE_SIZE);
    let mut bytes = Vec::new();
    if let Err(e) = stdin.take(max_size + 1).read_to_end(&mut bytes) {
        diags.push(Diag::new(
            &codes::io::NOT_FOUND,
            format!("cannot read standard input: {}", sources::io_words(&e)),
        ));
        return None;
    }
    if bytes.len() as u64 > max_size {
        diags.push(
            Diag::new(
                &codes::io::FILE_TOO_LARGE,
                format!("standard input is over the limit of {max_size} bytes"),
            )
            .help("split the file, or raise `max_file_size` in custody.yaml if it is legitimate"),
        );
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(sources.add(STDIN_NAME, text)),
        Err(e) => {
            let line = e
                .as_bytes()
                .iter()
                .take(e.utf8_error().valid_up_to())
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            diags.push(
                Diag::new(
                    &codes::io::INVALID_UTF8,
                    format!("standard input is not valid UTF-8 (first bad byte on line {line})"),
                )
                .help("save the file as UTF-8"),
            );
            None
        }
    }
}

/// A unified diff from `old` to `new`, git-style (`--- a/NAME`, `+++ b/NAME`).
fn diff(name: &str, old: &str, new: &str, color: bool) -> String {
    let text = similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    if !color {
        return text;
    }
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let code = if body.starts_with("---") || body.starts_with("+++") {
            "1"
        } else if body.starts_with("@@") {
            "36"
        } else if body.starts_with('-') {
            "31"
        } else if body.starts_with('+') {
            "32"
        } else {
            ""
        };
        if code.is_empty() {
            out.push_str(line);
        } else {
            out.push_str(&format!("\x1b[{code}m{body}\x1b[0m{nl}"));
        }
    }
    out
}

/// Replace `path`'s content with `text` atomically: write a temporary file in the same
/// directory (a rename across file systems would not be atomic), keep the original's
/// permissions, then rename it over the original. A symlink is followed, not replaced.
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".custody-fmt-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    let permissions = std::fs::metadata(&target)?.permissions();
    tmp.as_file().set_permissions(permissions)?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// `custody fmt: 2 files reformatted, 5 already formatted, 1 not formatted because of errors`
fn summary(t: &Tally, check: bool) -> String {
    let files = |n: usize| format!("{n} {}", if n == 1 { "file" } else { "files" });
    let changed = if check {
        format!("{} would be reformatted", files(t.changed))
    } else {
        format!("{} reformatted", files(t.changed))
    };
    let mut s = format!("custody fmt: {changed}, {} already formatted", t.unchanged);
    if t.failed > 0 {
        s.push_str(&format!(", {} not formatted because of errors", t.failed));
    }
    s.push('\n');
    s
}
