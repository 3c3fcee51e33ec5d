//! `custody check`: load, check, evaluate, apply waivers and the baseline, then render the
//! report in the chosen format (and any `--report` files).
//!
//! Exit code: 0 when no failing finding is at or above `--fail-on`; 1 when one is; 2 on
//! any error in the input or the command line (2 wins over 1). `--write-baseline` exits 0
//! once it has written the file, whatever the findings (still 2 on input or write errors).

use super::{Output, append, write_atomic};
use crate::check::{self, Checked};
use crate::cli::{self, CheckArgs, CheckFormat};
use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::eval::{self, Finding, RuleStats, Status, baseline, waivers};
use crate::project::{self, Settings};
use crate::report::{
    self, GroupBy, Report, concise, github, gitlab, html, human, json, junit, markdown, oscal,
    sarif,
};
use crate::sources;
use crate::types::{Exit, RuleId};
use crate::yaml;
use jiff::civil::Date;
use std::path::PathBuf;

/// What `check` is asked to do beyond loading the project.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub project: Settings,
    /// `--rule`: only these rules.
    pub rules: Vec<RuleId>,
    /// `--baseline`: known findings that do not fail the run.
    pub baseline: Option<PathBuf>,
    /// Findings without evidence, for a renderer that adds it one finding at a time
    /// (`eval::Context::with_evidence`): the streamed JSON report.
    pub defer_evidence: bool,
}

impl Options {
    pub fn of(args: &CheckArgs, cwd: PathBuf) -> Options {
        Options {
            project: Settings {
                as_of: args.as_of,
                fail_on: args.fail_on.map(Into::into),
                ..super::settings_with_changed(&args.input, args.changed_files, cwd)
            },
            rules: args.rules.iter().map(RuleId::new).collect(),
            baseline: args.baseline.clone(),
            defer_evidence: false,
        }
    }
}

/// Do two paths name the same file: the same text, or the same file on disk?
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b
        || match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

/// Render a report in one of `check`'s formats.
fn render(report: &Report, format: CheckFormat, style: &human::Style, group: GroupBy) -> String {
    match format {
        CheckFormat::Human => human::render(report, style, group),
        CheckFormat::Concise => concise::render(report, group),
        CheckFormat::Json => json::render(report),
        CheckFormat::Sarif => sarif::render(report),
        CheckFormat::Junit => junit::render(report),
        CheckFormat::Github => github::render(report),
        CheckFormat::Gitlab => gitlab::render(report),
        CheckFormat::Markdown => markdown::render(report, group),
        CheckFormat::Oscal => oscal::render(report),
        CheckFormat::Html => html::render(report),
    }
}

fn group_by(g: Option<cli::GroupBy>) -> GroupBy {
    match g {
        None => GroupBy::None,
        Some(cli::GroupBy::Rule) => GroupBy::Rule,
        Some(cli::GroupBy::Owner) => GroupBy::Owner,
        Some(cli::GroupBy::Entity) => GroupBy::Entity,
        Some(cli::GroupBy::File) => GroupBy::File,
    }
}

pub fn run(args: &CheckArgs, cwd: PathBuf, today: Date) -> Output {
    if let Some(n) = args.threads {
        // Only fails if the pool was already built, which cannot happen before this point.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build_global();
    }
    // A JSON report on stdout is streamed; with no other report to render, the evidence of
    // each finding is built as it is written rather than all kept in memory.
    let stream_json = args.format == CheckFormat::Json && args.output.is_none();
    let options = Options {
        defer_evidence: stream_json && args.reports.is_empty(),
        ..Options::of(args, cwd)
    };
    let mut report = self::report(&options, today);
    let mut base_stderr = String::new();
    if let Some(base) = &args.new_since {
        match super::diff::base_report(&options.project, base, today) {
            Ok((before, _)) => {
                if !before.project.diags.is_empty() {
                    base_stderr = format!(
                        "custody: in `{base}`:\n{}",
                        human::render_diags(
                            &before,
                            &super::style(args.input.color, super::Std::Err)
                        )
                    );
                }
                if before.has_errors() {
                    report.project.diags.push(Diag::new(
                        &codes::diff::BASE_INVALID,
                        format!("`--new-since {base}`: the project has errors at `{base}`"),
                    ));
                }
                let known: std::collections::HashSet<String> = before
                    .failing()
                    .map(|f| report::fingerprint(&before, f))
                    .collect();
                let marks: Vec<bool> = report
                    .findings
                    .iter()
                    .map(|f| {
                        f.status == Status::Fail && known.contains(&report::fingerprint(&report, f))
                    })
                    .collect();
                for (f, old) in report.findings.iter_mut().zip(marks) {
                    if old {
                        f.status = Status::Baselined;
                    }
                }
            }
            Err(d) => report.project.diags.push(d),
        }
    }
    let out_style = human::Style {
        verbose: args.verbose,
        ..super::style(args.input.color, super::Std::Out)
    };
    let err_style = super::style(args.input.color, super::Std::Err);
    // Files never get colour.
    let file_style = human::Style {
        color: false,
        width: 100,
        verbose: args.verbose,
    };
    let group = group_by(args.group_by);
    // Diagnostics go to stderr: one line each with `--format concise`, else as miette shows them.
    let mut stderr = if args.format == CheckFormat::Concise {
        concise::diags(&report.project.diags, &report.project.sources)
    } else {
        human::render_diags(&report, &err_style)
    };
    stderr.push_str(&base_stderr);
    let mut exit = report.exit();
    // A Markdown report to the GitHub step summary is appended, so what the step's other
    // commands wrote stays; every other file is replaced.
    let step_summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty());
    let appends = |format: CheckFormat, path: &std::path::Path| {
        format == CheckFormat::Markdown
            && step_summary
                .as_deref()
                .is_some_and(|s| same_file(path, std::path::Path::new(s)))
    };
    let mut write = |path: &std::path::Path, content: &str, append_to: bool| match if append_to {
        append(path, content)
    } else {
        write_atomic(path, content)
    } {
        Ok(()) => true,
        Err(e) => {
            stderr.push_str(&format!("error: {e}\n"));
            exit = Exit::Invalid;
            false
        }
    };
    let stdout = match &args.output {
        Some(path) => {
            write(
                path,
                &render(&report, args.format, &file_style, group),
                appends(args.format, path),
            );
            String::new()
        }
        None if stream_json => String::new(),
        None => render(&report, args.format, &out_style, group),
    };
    for (format, path) in &args.reports {
        write(
            path,
            &render(&report, *format, &file_style, group),
            appends(*format, path),
        );
    }
    if let Some(path) = &args.write_baseline {
        let mut entries: Vec<baseline::Entry> = report
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Baselined))
            .map(|f| baseline::Entry {
                fingerprint: report::fingerprint(&report, f),
                rule: report.program.rules[f.rule].id.clone(),
                entity: report
                    .project
                    .inventory
                    .entity_ref(&report.project.schema, f.entity),
            })
            .collect();
        let n = entries.len();
        if write(path, &baseline::write(&mut entries), false) {
            stderr.push_str(&format!(
                "custody: recorded {n} failing findings in {}\n",
                sources::display_path(path, &report.project.cwd)
            ));
            // Recording the findings is the point of the run: they do not fail it (input
            // errors and write failures still exit 2).
            if exit == Exit::Findings {
                exit = Exit::Clean;
            }
        }
    }
    let timings = args.timings;
    if stream_json {
        return Output {
            stdout,
            stderr,
            exit,
            stream: Some(Box::new(move |out| {
                // A write error, a closed pipe (`| head`) included, goes to `main` to judge.
                json::write(&report, out)?;
                report.project.timings.lap("render");
                Ok(if timings {
                    report.project.timings.render()
                } else {
                    String::new()
                })
            })),
        };
    }
    report.project.timings.lap("render");
    if timings {
        stderr.push_str(&report.project.timings.render());
    }
    Output {
        stdout,
        stderr,
        exit,
        stream: None,
    }
}

/// The whole pipeline: load, check, select rules, evaluate, apply waivers and the baseline.
/// `today` is the default as-of date.
pub fn report(options: &Options, today: Date) -> Report {
    let Checked {
        mut project,
        program,
    } = check::project(project::load(&options.project, today));
    // `--rule` selection.
    let mut evaluated = vec![options.rules.is_empty(); program.rules.len()];
    for r in &options.rules {
        match program.rules.iter().position(|x| &x.id == r) {
            Some(i) => evaluated[i] = true,
            None => project.diags.push(
                Diag::new(
                    &codes::cli::UNKNOWN_RULE,
                    format!("`--rule {r}` names no loaded rule"),
                )
                .help_opt(diag::suggest(
                    r.as_str(),
                    program.rules.iter().map(|x| x.id.as_str()),
                    "loaded rules",
                )),
            ),
        }
    }

    // Evaluate and apply waivers.
    let (mut findings, stats, derived): (Vec<Finding>, Vec<RuleStats>, _) = {
        let only: Vec<usize> = (0..program.rules.len()).filter(|&i| evaluated[i]).collect();
        let mut cx = eval::Context::new(
            &program,
            &project.inventory,
            &project.schema,
            &project.taxonomy,
            &project.sources,
            project.as_of,
        );
        cx.defer_evidence = options.defer_evidence;
        let ev = cx.run(Some(&only));
        let derived = options.defer_evidence.then(|| cx.derived.clone());
        (ev.findings, ev.stats, derived)
    };
    project.timings.lap("evaluate");
    waivers::apply(
        &mut findings,
        &project.waivers,
        &program,
        &evaluated,
        &project.inventory,
        &project.schema,
        project.as_of,
        &mut project.diags,
    );
    let baseline_file = match &options.baseline {
        Some(path) => sources::read(
            path,
            &project.cwd,
            sources::DEFAULT_MAX_FILE_SIZE,
            &mut project.sources,
            &mut project.diags,
        ),
        None => None,
    };
    if let Some(file) = baseline_file {
        let text = project.sources.get(file).text_arc();
        let docs = yaml::parse(file, &text, &mut project.diags);
        let recorded = baseline::parse(file, &docs, &mut project.diags);
        let (inventory, schema) = (&project.inventory, &project.schema);
        let name = |f: &Finding| {
            baseline::fingerprint(
                &program.rules[f.rule].id,
                &inventory.entity_ref(schema, f.entity),
            )
        };
        // With `--rule`, only the selected rules' entries can be fixed; without it, every
        // entry can (a rule no longer loaded has no findings left).
        let was_evaluated = |rule: &str| {
            options.rules.is_empty()
                || program
                    .rules
                    .iter()
                    .position(|r| r.id.as_str() == rule)
                    .is_some_and(|i| evaluated[i])
        };
        baseline::apply(
            &mut findings,
            &recorded,
            name,
            was_evaluated,
            &mut project.diags,
        );
    }
    diag::sort(&mut project.diags);
    project.diags.dedup();
    project.timings.lap("waivers, baseline");
    Report {
        project,
        program,
        findings,
        stats,
        evaluated,
        derived,
    }
}
