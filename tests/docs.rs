//! The commands shown in the documentation, run: every `custody` command in README.md,
//! examples/airline/README.md and docs/*.md is run through the real binary and its output
//! compared with what the page shows, so the docs cannot drift from the code.
//!
//! Not covered here: docs/rules/ (`custody docs --check` keeps it current, tests/library.rs)
//! and docs/errors.md (generated; tests/errors.rs runs its examples).
//!
//! # What runs
//!
//! - A fenced code block whose first line starts with `$ ` shows commands. Each `$ ` line
//!   is a command; the lines after it, up to the next `$ ` line or the end of the block, are
//!   its expected output. A command ending in ` \` continues on the next line.
//! - Only `custody ARGS` and `cargo run --release -- ARGS` (the same binary) run, and
//!   `cd DIR` changes the working directory for the rest of the section. Every other `$ `
//!   line (`cargo install`, `git`, `pre-commit`, ...) is shown, never run, and so is a
//!   block that does not start with `$ ` (```` ```sh ```` snippets of CI scripts, say).
//! - The arguments are split as a shell would (single and double quotes, backslashes); shell
//!   operators (`|`, `>`, `<`, `;`, `&`) are not supported: such a command is a failure
//!   unless its block is marked not run.
//! - Every custody command must have output in its block, and a command that accepts
//!   `--as-of` (check, lint, explain, query, impact) must show it, so its output does not
//!   depend on the day the docs are read.
//!
//! # Where it runs
//!
//! Each `#`/`##` section of a page gets a fresh temporary directory holding a copy of the
//! repository's `examples/` and `tests/fixtures/`; commands run there (or below, after a
//! `cd`), so paths such as `examples/airline/...` print as on the page and a tour may write
//! files without touching the checkout. A section's files persist into its `###`
//! subsections, in page order.
//!
//! A block declares a file of the section when its info string has `title="PATH"`
//! (```` ```policy title="rules.policy" ````: the whole block is the file) or its first line is
//! `# PATH` with PATH ending in `.policy`, `.yaml`, `.yml` or `.json` (that line is a label
//! and not part of the file). PATH is relative to the current directory. A later block with
//! the same PATH replaces the file.
//!
//! # Markers
//!
//! HTML comments on a line of their own, before the block they apply to:
//!
//! - `<!-- test: not run: REASON -->`: the next block's commands are not run (the reason is
//!   required). Use it sparingly.
//! - ``<!-- test: replace PATH `OLD` `NEW` -->``: before the next command, replace the one
//!   occurrence of OLD in the section's file PATH by NEW (for "fix it and run again").
//!
//! # Comparing
//!
//! The expected output is what a terminal shows: custody's stderr then its stdout (the
//! order it writes them), or, where a page reads better that way, its stdout then its
//! stderr; either order matches. Trailing whitespace and trailing blank lines are ignored.
//! A line that is just `...` or `[...]` (indentation allowed) matches any run of lines,
//! including none; `...` or `[...]` inside a line matches any text. Everything else is
//! compared exactly. Colour is off (output is not a terminal), exit codes are reported but
//! not compared (the prose states them).
//!
//! Every mismatch is reported, with the page, line, command, working directory, exit code
//! and a diff (`-` expected, `+` actual, `~` actual lines a `...` stands for); the full
//! actual output of each command is written to `target/tmp/docs/` for copying into the page.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The pages whose commands run, relative to the repository root.
fn pages() -> Vec<String> {
    let root = common::repo_root();
    let mut pages = vec![
        "README.md".to_owned(),
        "examples/airline/README.md".to_owned(),
    ];
    let mut docs: Vec<String> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "errors.md")
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// Subcommands whose output may depend on the evaluation date.
const DATED: &[&str] = &["check", "lint", "explain", "query", "impact"];

#[derive(Debug)]
enum Item {
    /// A `#` or `##` heading: a new section, a new directory.
    Section,
    /// `<!-- test: replace PATH `OLD` `NEW` -->`.
    Replace {
        line: usize,
        path: String,
        old: String,
        new: String,
    },
    /// A block that declares a file.
    File { path: String, content: String },
    /// A block of `$ ` commands.
    Commands {
        not_run: Option<String>,
        cmds: Vec<Shown>,
    },
    /// A marker that does not parse, or a `not run` marker with nothing to apply to.
    Bad { line: usize, problem: String },
}

/// One `$ ` line and the output shown after it.
#[derive(Debug)]
struct Shown {
    line: usize,
    command: String,
    expected: Vec<String>,
}

fn parse(text: &str) -> Vec<Item> {
    let lines: Vec<&str> = text.lines().collect();
    let mut items = Vec::new();
    let mut not_run: Option<(usize, String)> = None;
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line = raw.trim_start();
        let indent = raw.len() - line.len();
        if let Some(rest) = line.strip_prefix("<!-- test:") {
            let body = rest.trim().trim_end_matches("-->").trim();
            if let Some(reason) = body.strip_prefix("not run:") {
                if reason.trim().is_empty() {
                    items.push(Item::Bad {
                        line: i + 1,
                        problem: "`not run` needs a reason".into(),
                    });
                }
                not_run = Some((i + 1, reason.trim().to_owned()));
            } else if let Some(r) = body.strip_prefix("replace ") {
                match parse_replace(r) {
                    Some((path, old, new)) => items.push(Item::Replace {
                        line: i + 1,
                        path,
                        old,
                        new,
                    }),
                    None => items.push(Item::Bad {
                        line: i + 1,
                        problem: "expected `replace PATH `OLD` `NEW``".into(),
                    }),
                }
            } else {
                items.push(Item::Bad {
                    line: i + 1,
                    problem: format!("unknown marker `{body}`"),
                });
            }
            i += 1;
            continue;
        }
        if indent == 0 && (line.starts_with("# ") || line.starts_with("## ")) {
            items.push(Item::Section);
            i += 1;
            continue;
        }
        let ticks = line.chars().take_while(|&c| c == '`').count();
        if ticks < 3 {
            i += 1;
            continue;
        }
        // A fenced block: its info string, then its lines up to the closing fence.
        let info = &line[ticks..];
        let start = i + 1;
        let mut body = Vec::new();
        i += 1;
        while i < lines.len() {
            let l = lines[i];
            let t = l.trim_start();
            if t.chars().take_while(|&c| c == '`').count() >= ticks
                && t.trim_matches('`').is_empty()
            {
                break;
            }
            body.push(l.get(indent..).unwrap_or(l.trim_start()));
            i += 1;
        }
        i += 1;
        let not_run = not_run.take();
        if let Some(path) = title(info) {
            items.push(Item::File {
                path,
                content: body.iter().map(|l| format!("{l}\n")).collect(),
            });
        } else if let Some(path) = body.first().and_then(|l| file_label(l)) {
            items.push(Item::File {
                path,
                content: body[1..].iter().map(|l| format!("{l}\n")).collect(),
            });
        } else if body.first().is_some_and(|l| l.starts_with("$ ")) {
            items.push(Item::Commands {
                not_run: not_run.map(|(_, r)| r),
                cmds: commands(&body, start + 1),
            });
        } else if let Some((line, _)) = not_run {
            items.push(Item::Bad {
                line,
                problem: "`not run` before a block that shows no command".into(),
            });
        }
    }
    if let Some((line, _)) = not_run {
        items.push(Item::Bad {
            line,
            problem: "`not run` before no block".into(),
        });
    }
    items
}

/// `path `old` `new``.
fn parse_replace(s: &str) -> Option<(String, String, String)> {
    let (path, rest) = s.split_once(' ')?;
    let parts: Vec<&str> = rest.split('`').collect();
    // "", old, " ", new, ""
    if parts.len() != 5 || !parts[0].trim().is_empty() || !parts[2].trim().is_empty() {
        return None;
    }
    Some((path.to_owned(), parts[1].to_owned(), parts[3].to_owned()))
}

/// `title="PATH"` in a fence's info string.
fn title(info: &str) -> Option<String> {
    let rest = &info[info.find("title=\"")? + 7..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// `# PATH` naming a policy, YAML or JSON file.
fn file_label(line: &str) -> Option<String> {
    let path = line.strip_prefix("# ")?.trim();
    let ok = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c))
        && [".policy", ".yaml", ".yml", ".json"]
            .iter()
            .any(|e| path.ends_with(e));
    ok.then(|| path.to_owned())
}

/// Split a block into its `$ ` commands and their output; `first` is the page line of the
/// block's first line.
fn commands(body: &[&str], first: usize) -> Vec<Shown> {
    let mut out: Vec<Shown> = Vec::new();
    let mut j = 0;
    while j < body.len() {
        if let Some(cmd) = body[j].strip_prefix("$ ") {
            let line = first + j;
            let mut command = cmd.to_owned();
            while command.ends_with('\\') && j + 1 < body.len() {
                command.pop();
                j += 1;
                command.push_str(body[j].trim_start());
            }
            out.push(Shown {
                line,
                command: command.trim().to_owned(),
                expected: Vec::new(),
            });
        } else if let Some(last) = out.last_mut() {
            last.expected.push(body[j].to_owned());
        }
        j += 1;
    }
    out
}

/// Split a command line into words as a POSIX shell would, for the subset the docs use.
fn words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("unterminated '".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => cur.push(c),
                            Some(c) => {
                                cur.push('\\');
                                cur.push(c);
                            }
                            None => return Err("unterminated \"".into()),
                        },
                        Some('$' | '`') => return Err("shell expansion is not supported".into()),
                        Some(c) => cur.push(c),
                        None => return Err("unterminated \"".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    cur.push(c);
                }
            }
            '|' | '>' | '<' | ';' | '&' | '$' | '`' | '*' | '?' => {
                return Err(format!("shell syntax `{c}` is not supported"));
            }
            '#' if !in_word => break,
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

/// What a shown command is.
enum Kind {
    Custody(Vec<String>),
    Cd(String),
    /// Shown, never run (not custody).
    Other,
}

fn kind(command: &str) -> Result<Kind, String> {
    let is = |p: &str| command == p || command.starts_with(&format!("{p} "));
    if is("custody") || is("cargo run --release --") {
        let w = words(command)?;
        let skip = if w[0] == "custody" { 1 } else { 4 };
        Ok(Kind::Custody(w[skip..].to_vec()))
    } else if is("cd") {
        let w = words(command)?;
        match w.as_slice() {
            [_, dir] => Ok(Kind::Cd(dir.clone())),
            _ => Err("`cd` takes one directory".into()),
        }
    } else {
        Ok(Kind::Other)
    }
}

/// Copy a directory tree.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .expect("read_dir")
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let ty = e.file_type().expect("file type");
        let dest = to.join(e.file_name());
        if ty.is_dir() {
            copy_dir(&e.path(), &dest);
        } else if ty.is_file() {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// A section's directory, made when first needed.
struct Workspace {
    dir: Option<tempfile::TempDir>,
    /// The current directory, relative to the workspace root.
    cwd: PathBuf,
}

impl Workspace {
    fn new() -> Workspace {
        Workspace {
            dir: None,
            cwd: PathBuf::new(),
        }
    }

    fn root(&mut self) -> PathBuf {
        let dir = self.dir.get_or_insert_with(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let repo = common::repo_root();
            copy_dir(&repo.join("examples"), &dir.path().join("examples"));
            copy_dir(
                &repo.join("tests/fixtures"),
                &dir.path().join("tests/fixtures"),
            );
            dir
        });
        dir.path().to_path_buf()
    }

    fn cwd(&mut self) -> PathBuf {
        self.root().join(&self.cwd)
    }
}

/// A pattern line: `...` (any lines), or text with `...` wildcards.
enum Pat<'a> {
    Any,
    Line(&'a str),
}

fn pats(expected: &[String]) -> Vec<Pat<'_>> {
    expected
        .iter()
        .map(|l| match l.trim() {
            "..." | "[...]" => Pat::Any,
            _ => Pat::Line(l.as_str()),
        })
        .collect()
}

/// Does `actual` match the line pattern `pat` (`...`/`[...]` match any text)?
fn line_matches(pat: &str, actual: &str) -> bool {
    let pat = pat.replace("[...]", "...");
    let parts: Vec<&str> = pat.split("...").collect();
    if parts.len() == 1 {
        return pat == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &actual[first.len()..];
    if !rest.ends_with(last) {
        return false;
    }
    rest = &rest[..rest.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(k) => rest = &rest[k + part.len()..],
            None => return false,
        }
    }
    true
}

/// Does the whole of `actual` match `pats`?
fn matches(pats: &[Pat], actual: &[&str]) -> bool {
    // ok[i][j]: pats[i..] matches actual[j..].
    let (n, m) = (pats.len(), actual.len());
    let mut ok = vec![vec![false; m + 1]; n + 1];
    ok[n][m] = true;
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            ok[i][j] = match pats[i] {
                Pat::Any => ok[i + 1][j] || (j < m && ok[i][j + 1]),
                Pat::Line(p) => j < m && line_matches(p, actual[j]) && ok[i + 1][j + 1],
            };
        }
    }
    ok[0][0]
}

/// A readable diff of `pats` against `actual`: the longest alignment of the pattern's lines
/// with actual lines; actual lines in a gap the pattern has a `...` for are `~`, other
/// unmatched ones `+`, unmatched pattern lines `-`. Only lines near a change are shown.
fn lcs(pats: &[Pat], actual: &[&str]) -> Vec<Vec<usize>> {
    let (n, m) = (pats.len(), actual.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let here = match pats[i] {
                Pat::Line(p) if line_matches(p, actual[j]) => 1 + lcs[i + 1][j + 1],
                _ => 0,
            };
            lcs[i][j] = here.max(lcs[i + 1][j]).max(lcs[i][j + 1]);
        }
    }
    lcs
}

fn diff(pats: &[Pat], actual: &[&str]) -> String {
    let (n, m) = (pats.len(), actual.len());
    let lcs = lcs(pats, actual);
    // (tag, text): ' ' same, '-' expected only, '+' actual only, '~' stood for by `...`.
    let mut rows: Vec<(char, String)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut any = false;
    while i < n || j < m {
        if i < n && matches!(pats[i], Pat::Any) {
            any = true;
            i += 1;
            continue;
        }
        if i < n && j < m {
            if let Pat::Line(p) = pats[i]
                && line_matches(p, actual[j])
                && lcs[i][j] == 1 + lcs[i + 1][j + 1]
            {
                rows.push((' ', actual[j].to_owned()));
                any = false;
                i += 1;
                j += 1;
                continue;
            }
            if lcs[i][j + 1] >= lcs[i + 1][j] {
                rows.push((if any { '~' } else { '+' }, actual[j].to_owned()));
                j += 1;
            } else if let Pat::Line(p) = pats[i] {
                rows.push(('-', p.to_owned()));
                i += 1;
            }
        } else if j < m {
            rows.push((if any { '~' } else { '+' }, actual[j].to_owned()));
            j += 1;
        } else if let Pat::Line(p) = pats[i] {
            rows.push(('-', p.to_owned()));
            i += 1;
        }
    }
    let changed: Vec<bool> = rows.iter().map(|(t, _)| matches!(t, '-' | '+')).collect();
    let near = |k: usize| {
        let lo = k.saturating_sub(3);
        let hi = (k + 3).min(rows.len() - 1);
        (lo..=hi).any(|x| changed[x])
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (tag, text)) in rows.iter().enumerate() {
        if near(k) {
            if skipped {
                out.push_str("   ⋮\n");
                skipped = false;
            }
            let _ = writeln!(out, " {tag} {text}");
        } else {
            skipped = true;
        }
    }
    if skipped {
        out.push_str("   ⋮\n");
    }
    out
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn normalise(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_owned()).collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Per page: the number of commands run.
fn run_page(page: &str, problems: &mut Vec<String>) -> usize {
    let root = common::repo_root();
    let text = std::fs::read_to_string(root.join(page)).expect("read page");
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("docs");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let mut ws = Workspace::new();
    let mut ran = 0;
    let mut pending: Vec<(usize, String, String, String)> = Vec::new();
    for item in parse(&text) {
        match item {
            Item::Section => ws = Workspace::new(),
            Item::Bad { line, problem } => problems.push(format!("{page}:{line}: {problem}")),
            Item::Replace {
                line,
                path,
                old,
                new,
            } => pending.push((line, path, old, new)),
            Item::File { path, content } => {
                let p = ws.cwd().join(&path);
                std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
                std::fs::write(&p, content).expect("write file");
            }
            Item::Commands { not_run, cmds } => {
                for shown in cmds {
                    let at = format!("{page}:{}: `{}`", shown.line, shown.command);
                    let args = match kind(&shown.command) {
                        Ok(Kind::Other) => continue,
                        Ok(Kind::Cd(dir)) => {
                            if not_run.is_none() {
                                ws.cwd.push(dir);
                            }
                            continue;
                        }
                        Ok(Kind::Custody(args)) => args,
                        Err(e) if not_run.is_some() => {
                            let _ = e;
                            continue;
                        }
                        Err(e) => {
                            problems.push(format!("{at}: {e}; mark the block not run"));
                            continue;
                        }
                    };
                    if not_run.is_some() {
                        continue;
                    }
                    for (line, path, old, new) in pending.drain(..) {
                        let p = ws.cwd().join(&path);
                        let Ok(text) = std::fs::read_to_string(&p) else {
                            problems.push(format!("{page}:{line}: replace: no file {path}"));
                            continue;
                        };
                        if text.matches(&old).count() != 1 {
                            problems.push(format!(
                                "{page}:{line}: replace: `{old}` is not in {path} exactly once"
                            ));
                            continue;
                        }
                        std::fs::write(&p, text.replacen(&old, &new, 1)).expect("write");
                    }
                    if shown.expected.iter().all(|l| l.trim().is_empty()) {
                        problems.push(format!(
                            "{at}: the block shows no output for it; show the output (`...` \
                             abbreviates) or mark the block `<!-- test: not run: REASON -->`"
                        ));
                        continue;
                    }
                    if let Some(sub) = args.first()
                        && DATED.contains(&sub.as_str())
                        && !args
                            .iter()
                            .any(|a| a == "--as-of" || a.starts_with("--as-of="))
                    {
                        problems.push(format!(
                            "{at}: add `--as-of DATE`: without it the output depends on the day"
                        ));
                    }
                    ran += 1;
                    let cwd = ws.cwd();
                    let output = common::custody()
                        .current_dir(&cwd)
                        .env_remove("COLUMNS")
                        .args(&args)
                        .timeout(std::time::Duration::from_secs(120))
                        .output()
                        .expect("run custody");
                    let stdout = String::from_utf8_lossy(&output.stdout);
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    let code = output.status.code().unwrap_or(-1);
                    let terminal = normalise(&format!("{stderr}{stdout}"));
                    let streams = normalise(&format!("{stdout}{stderr}"));
                    let expected = normalise(&shown.expected.join("\n"));
                    let pats = pats(&expected);
                    let file = out_dir.join(format!(
                        "{}-{}.txt",
                        page.replace(['/', '.'], "_"),
                        shown.line
                    ));
                    std::fs::write(&file, terminal.join("\n") + "\n").expect("write actual");
                    if matches(&pats, &strs(&terminal)) || matches(&pats, &strs(&streams)) {
                        continue;
                    }
                    let rel = cwd
                        .strip_prefix(ws.root())
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                    problems.push(format!(
                        "{at} (cwd {}, exit {code}): output differs from the page \
                         (- page, + actual, ~ stood for by `...`; actual in {}):\n{}",
                        if rel.is_empty() { "." } else { &rel },
                        file.display(),
                        {
                            // Show the diff against the order that is closer to the page.
                            let (t, s) = (strs(&terminal), strs(&streams));
                            let closer = if lcs(&pats, &s)[0][0] > lcs(&pats, &t)[0][0] {
                                s
                            } else {
                                t
                            };
                            diff(&pats, &closer)
                        }
                    ));
                }
            }
        }
    }
    if let Some((line, ..)) = pending.first() {
        problems.push(format!("{page}:{line}: replace with no command after it"));
    }
    ran
}

#[test]
fn every_command_in_the_docs_prints_what_the_docs_show() {
    let mut problems = Vec::new();
    let mut counts = Vec::new();
    for page in pages() {
        let n = run_page(&page, &mut problems);
        counts.push(format!("{page}: {n}"));
    }
    eprintln!("commands run: {}", counts.join(", "));
    assert!(
        problems.is_empty(),
        "{} problem(s) in the docs:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn patterns() {
    assert!(line_matches("a ... c", "a b c"));
    assert!(line_matches("a [...] c", "a b c"));
    assert!(!line_matches("a ... c", "a b d"));
    assert!(line_matches("x...", "x"));
    let exp: Vec<String> = ["a", "...", "z"].iter().map(|s| s.to_string()).collect();
    assert!(matches(&pats(&exp), &["a", "b", "c", "z"]));
    assert!(matches(&pats(&exp), &["a", "z"]));
    assert!(!matches(&pats(&exp), &["a", "b"]));
    assert_eq!(
        words(r#"query 'v where x == "a"' --show "a b" c\ d # note"#).unwrap(),
        ["query", "v where x == \"a\"", "--show", "a b", "c d"]
    );
    assert!(words("check | head").is_err());
    assert_eq!(
        file_label("# rules.policy").as_deref(),
        Some("rules.policy")
    );
    assert_eq!(file_label("# Draft: a rule"), None);
}
