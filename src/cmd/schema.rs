//! `custody schema`: a JSON Schema (draft-07) for inventory files, the waivers file or
//! custody.yaml on stdout (`project::json_schema`). The inventory schema includes the
//! config's `schema:` and `taxonomy:` extensions when there is a config; without one it is
//! the shipped schema and taxonomy, so the command works anywhere.

use super::{Output, Std};
use crate::cli::{SchemaArgs, SchemaKind};
use crate::diag::{self, Diag};
use crate::project::{self, config, json_schema};
use crate::types::Exit;
use std::path::PathBuf;

pub fn run(args: &SchemaArgs, cwd: PathBuf, today: jiff::civil::Date) -> Output {
    let value = match args.kind {
        SchemaKind::Waivers => json_schema::waivers(),
        SchemaKind::Config => json_schema::config(),
        SchemaKind::Inventory => {
            if let Some(dir) = &args.path
                && config::discover(Some(dir), &cwd).is_none()
            {
                let d = config::not_found_in(dir, &cwd, "PATH");
                return failed(args, &[d], &crate::source::SourceMap::new());
            }
            let settings = project::Settings {
                cwd,
                config_dir: args.path.clone(),
                needs: project::Needs {
                    policies: false,
                    inventory: false,
                },
                ..project::Settings::default()
            };
            let mut setup = project::setup(&settings, today);
            if setup.diags.iter().any(Diag::is_error) {
                diag::sort(&mut setup.diags);
                return failed(args, &setup.diags, &setup.sources);
            }
            json_schema::inventory(&setup.schema, &setup.taxonomy)
        }
    };
    Output {
        stdout: json_schema::render(&value),
        ..Output::default()
    }
}

/// The config's errors, rendered; nothing on stdout, exit 2.
fn failed(args: &SchemaArgs, diags: &[Diag], sources: &crate::source::SourceMap) -> Output {
    let style = super::style(args.color, Std::Err);
    Output {
        stderr: diag::render_all(diags, sources, &diag::handler(style.color, style.width)),
        exit: Exit::Invalid,
        ..Output::default()
    }
}
