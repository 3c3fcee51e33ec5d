//! `custody import FILE --kind KIND`: a CSV file or a spreadsheet as inventory YAML
//! (`inventory::import`), on stdout or in a new `--output` file. The schema and taxonomy are
//! the config's when there is one (found by walking up, or named with `--config`); without
//! one, the shipped ones, so the command works anywhere. Nothing is written while there is
//! any error; an existing `--output` file is never replaced.

use super::{Output, Std};
use crate::cli::ImportArgs;
use crate::diag::{self, Diag, codes};
use crate::inventory::import::{self, Format};
use crate::project::{self, config};
use crate::source::{Loc, SourceMap, Span};
use crate::sources;
use crate::types::Exit;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(args: &ImportArgs, cwd: PathBuf, today: jiff::civil::Date) -> Output {
    let style = super::style(args.color, Std::Err);
    let failed = |diags: &[Diag], sources: &SourceMap| Output {
        stderr: diag::render_all(diags, sources, &diag::handler(style.color, style.width)),
        exit: Exit::Invalid,
        ..Output::default()
    };
    if let Some(dir) = &args.config
        && config::discover(Some(dir), &cwd).is_none()
    {
        let d = config::not_found_in(dir, &cwd, "--config");
        return failed(&[d], &SourceMap::new());
    }
    let settings = project::Settings {
        cwd: cwd.clone(),
        config_dir: args.config.clone(),
        needs: project::Needs {
            policies: false,
            inventory: false,
        },
        ..project::Settings::default()
    };
    let mut setup = project::setup(&settings, today);
    if setup.diags.iter().any(Diag::is_error) {
        diag::sort(&mut setup.diags);
        return failed(&setup.diags, &setup.sources);
    }
    let mut diags = std::mem::take(&mut setup.diags);
    let sources = &mut setup.sources;

    // The arguments, each in a source of its own so a mistake is labelled where it was typed.
    let kind_file = sources.add("--kind", args.kind.clone());
    let kind_loc = Loc::new(kind_file, Span::new(0, args.kind.len()));
    let mut maps = Vec::new();
    for text in &args.maps {
        let file = sources.add("--map", text.clone());
        match import::parse_map(text, file) {
            Ok(m) => maps.push(m),
            Err(d) => diags.push(*d),
        }
    }
    let sheet = args.sheet.as_ref().map(|s| {
        let file = sources.add("--sheet", s.clone());
        (s.as_str(), Loc::new(file, Span::new(0, s.len())))
    });

    let name = sources::display_path(&args.file, &cwd);
    if let Some(out) = &args.output
        && std::fs::symlink_metadata(out).is_ok()
    {
        diags.push(exists(out, &cwd));
    }
    let table = match import::format_of(&args.file) {
        None => {
            diags.push(
                Diag::new(
                    &codes::import::UNSUPPORTED_FORMAT,
                    format!("`{name}` is not a CSV file or a spreadsheet"),
                )
                .help(format!(
                    "`custody import` reads {}; export the data in one of these formats",
                    import::EXTENSIONS
                )),
            );
            None
        }
        Some(Format::Csv) => {
            if let Some((_, loc)) = sheet {
                diags.push(
                    Diag::new(
                        &codes::import::UNKNOWN_SHEET,
                        format!("`{name}` is a CSV file, which has no sheets"),
                    )
                    .at(loc, "only for spreadsheets")
                    .help("leave `--sheet` out for a CSV file"),
                );
            }
            sources::read(&args.file, &cwd, setup.max_file_size, sources, &mut diags)
                .and_then(|id| import::read_csv(&name, id, sources.text(id), &mut diags))
        }
        Some(Format::Workbook) => {
            sources::read_binary(&args.file, &cwd, setup.max_file_size, &mut diags)
                .and_then(|bytes| import::read_workbook(&name, bytes, sheet, &mut diags))
        }
    };
    let Some(table) = table else {
        return failed(&diags, sources);
    };
    let request = import::Request {
        kind: &args.kind,
        kind_loc,
        maps: &maps,
    };
    let yaml = import::import(&table, &setup.schema, &setup.taxonomy, &request, &mut diags);
    let imported = match yaml {
        Some(y) if !diags.iter().any(Diag::is_error) => y,
        _ => return failed(&diags, sources),
    };
    let warnings = diag::render_all(&diags, sources, &diag::handler(style.color, style.width));
    let Some(out) = &args.output else {
        return Output {
            stdout: imported.yaml,
            stderr: warnings,
            ..Output::default()
        };
    };
    match write_new(out, &imported.yaml, &cwd) {
        Ok(()) => {
            let n = imported.count;
            let kind = &args.kind;
            Output {
                stderr: format!(
                    "{warnings}imported {n} {kind}{} from {name} into {}\n",
                    if n == 1 { "" } else { "s" },
                    sources::display_path(out, &cwd)
                ),
                ..Output::default()
            }
        }
        Err(d) => failed(&[*d], sources),
    }
}

fn exists(out: &Path, cwd: &Path) -> Diag {
    Diag::new(
        &codes::import::OUTPUT_EXISTS,
        format!(
            "`{}` already exists; `custody import` never overwrites a file",
            sources::display_path(out, cwd)
        ),
    )
    .help("write to a new file (`--output FILE`), or remove the old one first if it is meant to be replaced")
}

/// Write `content` to a new file `path`, whole or not at all: a temporary file in the same
/// directory, linked into place only if `path` does not exist (never replacing a file, even
/// one created since the check above).
fn write_new(path: &Path, content: &str, cwd: &Path) -> Result<(), Box<Diag>> {
    let failed = |e: std::io::Error| {
        Box::new(
            Diag::new(
                &codes::import::WRITE_FAILED,
                format!(
                    "cannot write `{}`: {}",
                    sources::display_path(path, cwd),
                    sources::io_words(&e)
                ),
            )
            .help("write to a directory that exists and that you can write to"),
        )
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".custody-").suffix(".tmp");
    #[cfg(unix)]
    {
        // The file is created with this mode less the umask, as `>` in a shell would.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(failed)?;
    tmp.write_all(content.as_bytes()).map_err(failed)?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(Box::new(exists(path, cwd)))
        }
        Err(e) => Err(failed(e.error)),
    }
}
