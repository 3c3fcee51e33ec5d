//! `custody lint`: every error `check` would report about the input, without evaluating,
//! plus warnings with stable codes (`check::lint`).

use crate::check::lint::{self, Input};
use crate::cli::{self, LintArgs, Stream};
use crate::diag;
use crate::run::{self, Exit, Loaded, Output, Settings};

pub fn run(args: &LintArgs, cwd: std::path::PathBuf, today: jiff::civil::Date) -> Output {
    let settings = Settings {
        no_eval: true,
        as_of: args.as_of,
        ..args.input.settings(cwd)
    };
    let loaded = run::load(&settings, today);
    let diags = diagnostics(&loaded);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let style = cli::style(args.input.color, Stream::Stderr);
    let stderr = diag::render_all(
        &diags,
        &loaded.sources,
        &diag::handler(style.color, style.width),
    );
    let exit = if errors > 0 {
        Exit::Invalid
    } else if args.deny_warnings && warnings > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    };
    Output {
        stdout: summary_line(&loaded, errors, warnings, args.deny_warnings),
        stderr,
        exit,
    }
}

/// The load's errors and warnings and lint's warnings, sorted.
pub fn diagnostics(loaded: &Loaded) -> Vec<diag::Diag> {
    let mut diags = loaded.diags.clone();
    diags.extend(lint::lint(&Input {
        sources: &loaded.sources,
        schema: &loaded.schema,
        taxonomy: &loaded.taxonomy,
        inventory: &loaded.inventory,
        program: &loaded.program,
        waivers: &loaded.waivers,
        as_of: loaded.as_of,
    }));
    diag::sort(&mut diags);
    diags.dedup();
    diags
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `custody lint: 13 rules checked in 3 policy files, 23 entities, 2 waivers: no problems`
fn summary_line(l: &Loaded, errors: usize, warnings: usize, deny: bool) -> String {
    let problems = match (errors, warnings) {
        (0, 0) => "no problems".to_owned(),
        (0, w) => count(w, "warning", "warnings"),
        (e, 0) => count(e, "error", "errors"),
        (e, w) => format!(
            "{}, {}",
            count(e, "error", "errors"),
            count(w, "warning", "warnings")
        ),
    };
    let denied = if deny && errors == 0 && warnings > 0 {
        " (denied by --deny-warnings)"
    } else {
        ""
    };
    format!(
        "custody lint: {} checked in {}, {}, {}: {problems}{denied}\n",
        count(l.program.rules.len(), "rule", "rules"),
        count(l.program.files.len(), "policy file", "policy files"),
        count(l.inventory.entities.len(), "entity", "entities"),
        count(l.waivers.len(), "waiver", "waivers"),
    )
}
