//! `custody diff BASE [PATH]`: evaluate the working tree and the git revision BASE, and
//! report failing findings new (now, not at BASE), fixed (at BASE, not now) and unchanged,
//! matched by fingerprint (rule + entity, never a file or line), so moving an entity to
//! another file is not new.
//!
//! BASE is read through the user's `git`: `git archive BASE` unpacked into a temporary
//! directory, so the working tree and the index are never touched. The project is loaded
//! there from the same place relative to the repository root as the working directory.
//!
//! Exit code: 1 only when a new failing finding is at or above `--fail-on`; 2 on any error
//! in either side's input, in git, or when BASE is not in the repository (2 wins over 1).

use super::Output;
use crate::cli::{DiffArgs, DiffFormat};
use crate::diag::{Diag, codes};
use crate::eval::Finding;
use crate::project::Settings;
use crate::report::markdown::cell;
use crate::report::{Report, human, json};
use crate::types::{Exit, Severity};
use jiff::civil::Date;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A failing finding as the diff shows it.
struct Item {
    fingerprint: String,
    rule: String,
    entity: String,
    severity: Severity,
    message: String,
    location: String,
    /// The line of the human output, as `--format concise` prints a finding.
    line: String,
    /// The finding as `check --format json` has it, built only for `--format json`.
    json: Option<serde_json::Value>,
}

fn items(r: &Report, with_json: bool) -> Vec<Item> {
    r.failing()
        .map(|f: &Finding| {
            let rule = &r.program.rules[f.rule];
            Item {
                fingerprint: crate::report::fingerprint(r, f),
                rule: rule.id.to_string(),
                entity: crate::report::entity_name(r, f.entity),
                severity: rule.severity,
                message: crate::report::one_line(f.message()),
                location: r.project.sources.display(f.primary),
                line: crate::report::concise::line(r, f),
                json: with_json.then(|| json::finding_value(r, f)),
            }
        })
        .collect()
}

/// Run git in `dir`: its stdout, or a diagnostic with git's words.
// A failure ends the command, once: the size of the error does not matter.
#[allow(clippy::result_large_err)]
fn git(dir: &Path, args: &[&str]) -> Result<String, Diag> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| {
            Diag::new(&codes::diff::GIT_FAILED, format!("cannot run `git`: {e}"))
                .help("install git, or put it on PATH")
        })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
    } else {
        Err(Diag::new(
            &codes::diff::GIT_FAILED,
            format!(
                "`git {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ))
    }
}

/// The tree of BASE, unpacked under `into`; the repository root and BASE's commit.
#[allow(clippy::result_large_err)]
fn unpack_base(cwd: &Path, base: &str, into: &Path) -> Result<(PathBuf, String), Diag> {
    let root = PathBuf::from(git(cwd, &["rev-parse", "--show-toplevel"])?);
    let commit = match git(
        &root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{base}^{{commit}}"),
        ],
    ) {
        Ok(c) if !c.is_empty() => c,
        _ => {
            let shallow =
                git(&root, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s == "true");
            let help = if shallow {
                "this is a shallow clone, whose history may stop before it: fetch more with `git fetch --deepen=50` (or check out with `fetch-depth: 0` in actions/checkout)".to_owned()
            } else {
                format!(
                    "name a commit, branch or tag of this repository; fetch it first if it is remote (`git fetch origin {base}`)"
                )
            };
            return Err(Diag::new(
                &codes::diff::UNKNOWN_BASE,
                format!("`{base}` is not a revision in this repository"),
            )
            .help(help));
        }
    };
    let tar = into.join("base.tar");
    let tar_s = tar.to_string_lossy().into_owned();
    git(&root, &["archive", "--format=tar", "-o", &tar_s, &commit])?;
    let tree = into.join("tree");
    std::fs::create_dir_all(&tree).map_err(|e| {
        Diag::new(
            &codes::diff::GIT_FAILED,
            format!("cannot create a directory for `{base}`: {e}"),
        )
    })?;
    let out = Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(&tree)
        .output()
        .map_err(|e| Diag::new(&codes::diff::GIT_FAILED, format!("cannot run `tar`: {e}")))?;
    if !out.status.success() {
        return Err(Diag::new(
            &codes::diff::GIT_FAILED,
            format!(
                "cannot unpack `{base}`: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    Ok((root, commit))
}

/// `path` as it is in BASE's tree: an absolute path inside the repository moves there; a
/// relative one stays relative (to the moved working directory).
fn moved(path: &Path, root: &Path, tree: &Path) -> PathBuf {
    if path.is_absolute() {
        let p = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Ok(rel) = p.strip_prefix(root) {
            return tree.join(rel);
        }
    }
    path.to_path_buf()
}

fn base_settings(head: &Settings, root: &Path, tree: &Path) -> Settings {
    let m = |p: &PathBuf| moved(p, root, tree);
    Settings {
        cwd: m(&head.cwd),
        config_dir: head.config_dir.as_ref().map(m),
        policies: head.policies.iter().map(m).collect(),
        inventory: head.inventory.iter().map(m).collect(),
        waivers: head.waivers.as_ref().map(m),
        // The base is read from a temporary directory, gone before the report is written.
        keep_texts: true,
        ..head.clone()
    }
}

/// The three lists.
struct Diff {
    new: Vec<Item>,
    fixed: Vec<Item>,
    unchanged: Vec<Item>,
}

fn diff(head: Vec<Item>, base: Vec<Item>) -> Diff {
    let before: HashSet<String> = base.iter().map(|i| i.fingerprint.clone()).collect();
    let now: HashSet<String> = head.iter().map(|i| i.fingerprint.clone()).collect();
    let (unchanged, new) = head
        .into_iter()
        .partition(|i| before.contains(&i.fingerprint));
    let fixed = base
        .into_iter()
        .filter(|i| !now.contains(&i.fingerprint))
        .collect();
    Diff {
        new,
        fixed,
        unchanged,
    }
}

fn summary_line(d: &Diff, base: &str) -> String {
    format!(
        "custody diff: {} new, {} fixed, {} unchanged since {base}",
        d.new.len(),
        d.fixed.len(),
        d.unchanged.len()
    )
}

fn render_human(d: &Diff, base: &str) -> String {
    let mut out = String::new();
    for (title, list) in [
        ("New", &d.new),
        ("Fixed", &d.fixed),
        ("Unchanged", &d.unchanged),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title} ({}):", list.len());
        for i in list {
            let _ = writeln!(out, "  {}", i.line);
        }
        out.push('\n');
    }
    out.push_str(&summary_line(d, base));
    out.push('\n');
    out
}

fn render_json(d: &Diff, base: &str, commit: &str, fail_on: Severity) -> String {
    let list = |l: &[Item]| l.iter().filter_map(|i| i.json.clone()).collect::<Vec<_>>();
    let v = serde_json::json!({
        "base": base,
        "base_commit": commit,
        "new": list(&d.new),
        "fixed": list(&d.fixed),
        "unchanged": list(&d.unchanged),
        "summary": {
            "new": d.new.len(),
            "new_failing": d.new.iter().filter(|i| i.severity.fails(fail_on)).count(),
            "fixed": d.fixed.len(),
            "unchanged": d.unchanged.len(),
        },
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn render_markdown(d: &Diff, base: &str) -> String {
    let mut out = format!("## custody: findings since `{}`\n\n", cell(base));
    let _ = writeln!(
        out,
        "**{} new**, {} fixed, {} unchanged.\n",
        d.new.len(),
        d.fixed.len(),
        d.unchanged.len()
    );
    if !d.new.is_empty() {
        out.push_str("| Severity | Rule | Entity | Message | Location |\n");
        out.push_str("|---|---|---|---|---|\n");
        for i in &d.new {
            let _ = writeln!(
                out,
                "| {} | {} | `{}` | {} | `{}` |",
                i.severity.as_str(),
                cell(&i.rule),
                cell(&i.entity),
                cell(&i.message),
                cell(&i.location)
            );
        }
        out.push('\n');
    }
    if !d.fixed.is_empty() {
        let _ = writeln!(out, "<details><summary>{} fixed</summary>\n", d.fixed.len());
        for i in &d.fixed {
            let _ = writeln!(
                out,
                "- {} {} `{}`: {}",
                i.severity.as_str(),
                cell(&i.rule),
                cell(&i.entity),
                cell(&i.message)
            );
        }
        out.push_str("\n</details>\n");
    }
    out
}

/// The report of the project `head` describes, as it is at the git revision `base` (and
/// the commit `base` names): for `custody diff` and `check --new-since`.
#[allow(clippy::result_large_err)]
pub fn base_report(head: &Settings, base: &str, today: Date) -> Result<(Report, String), Diag> {
    let tmp = tempfile::Builder::new()
        .prefix("custody-diff-")
        .tempdir()
        .map_err(|e| {
            Diag::new(
                &codes::diff::GIT_FAILED,
                format!("cannot create a temporary directory for `{base}`: {e}"),
            )
        })?;
    let (root, commit) = unpack_base(&head.cwd, base, tmp.path())?;
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let tree = tmp.path().join("tree");
    let mut head = head.clone();
    head.cwd = std::fs::canonicalize(&head.cwd).unwrap_or(head.cwd);
    if !head.cwd.starts_with(&root) {
        return Err(Diag::new(
            &codes::diff::GIT_FAILED,
            format!(
                "the working directory is not inside the repository at `{}`",
                root.display()
            ),
        ));
    }
    let options = super::check::Options {
        project: base_settings(&head, &root, &tree),
        ..super::check::Options::default()
    };
    Ok((super::check::report(&options, today), commit))
}

pub fn run(args: &DiffArgs, cwd: PathBuf, today: Date) -> Output {
    let head = super::check::Options {
        project: Settings {
            as_of: args.as_of,
            fail_on: args.fail_on.map(Into::into),
            ..super::settings(&args.input, cwd.clone())
        },
        ..super::check::Options::default()
    };
    let err_style = super::style(args.input.color, super::Std::Err);
    let handler = crate::diag::handler(err_style.color, err_style.width);
    let git_error = |d: Diag| Output {
        stderr: crate::diag::render_all(&[d], &crate::source::SourceMap::default(), &handler),
        exit: Exit::Invalid,
        ..Output::default()
    };
    let (before, commit) = match base_report(&head.project, &args.base, today) {
        Ok(x) => x,
        Err(d) => return git_error(d),
    };
    let mut now = super::check::report(&head, today);
    let mut stderr = human::render_diags(&now, &err_style);
    if !before.project.diags.is_empty() {
        let _ = writeln!(stderr, "custody diff: in `{}`:", args.base);
        stderr.push_str(&human::render_diags(&before, &err_style));
    }
    let fail_on = now.project.fail_on;
    let with_json = args.format == DiffFormat::Json;
    let d = diff(items(&now, with_json), items(&before, with_json));
    let new_prints: HashSet<&str> = d.new.iter().map(|i| i.fingerprint.as_str()).collect();
    let exit = if now.has_errors() || before.has_errors() {
        Exit::Invalid
    } else if d.new.iter().any(|i| i.severity.fails(fail_on)) {
        Exit::Findings
    } else {
        Exit::Clean
    };
    let stdout = match args.format {
        DiffFormat::Human => render_human(&d, &args.base),
        DiffFormat::Json => render_json(&d, &args.base, &commit, fail_on),
        DiffFormat::Markdown => render_markdown(&d, &args.base),
        DiffFormat::Sarif => {
            // The working tree's report with its new failing findings only.
            let keep: Vec<bool> = now
                .findings
                .iter()
                .map(|f| {
                    f.status == crate::eval::Status::Fail
                        && new_prints.contains(crate::report::fingerprint(&now, f).as_str())
                })
                .collect();
            let mut kept = keep.into_iter();
            now.findings.retain(|_| kept.next().unwrap_or(false));
            crate::report::sarif::render(&now)
        }
    };
    Output {
        stdout,
        stderr,
        exit,
        stream: None,
    }
}
