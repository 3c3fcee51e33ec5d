//! `custody lint`: every error `check` would report about the input, without evaluating,
//! plus warnings with stable codes (`crate::lint`).

use super::{Output, Std};
use crate::check::{self, Checked};
use crate::cli::LintArgs;
use crate::diag;
use crate::lint::{self, Input};
use crate::project;
use crate::types::Exit;

pub fn run(args: &LintArgs, cwd: std::path::PathBuf, today: jiff::civil::Date) -> Output {
    let settings = project::Settings {
        as_of: args.as_of,
        needs: project::Needs::POLICIES,
        ..super::settings_with_changed(&args.input, args.changed_files, cwd)
    };
    let loaded = check::project(project::load(&settings, today));
    let diags = diagnostics(&loaded);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let style = super::style(args.input.color, Std::Err);
    let stderr = diag::render_all(
        &diags,
        &loaded.project.sources,
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
        ..Output::default()
    }
}

/// The load's errors and warnings and lint's warnings, sorted.
pub fn diagnostics(loaded: &Checked) -> Vec<diag::Diag> {
    let mut diags = loaded.project.diags.clone();
    diags.extend(lint::lint(&Input {
        sources: &loaded.project.sources,
        schema: &loaded.project.schema,
        taxonomy: &loaded.project.taxonomy,
        inventory: &loaded.project.inventory,
        program: &loaded.program,
        waivers: &loaded.project.waivers,
        as_of: loaded.project.as_of,
        settings: &loaded.project.lint,
    }));
    diag::sort(&mut diags);
    diags.dedup();
    diags
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `custody lint: 13 rules checked in 3 policy files, 23 entities, 2 waivers: no problems`
fn summary_line(l: &Checked, errors: usize, warnings: usize, deny: bool) -> String {
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
        count(l.project.inventory.entities.len(), "entity", "entities"),
        count(l.project.waivers.len(), "waiver", "waivers"),
    )
}
