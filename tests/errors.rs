//! The error catalogue (`docs/errors.md`) against the code: every code in `src/` has an
//! entry, and every entry's example, run through the real binary, produces its code (or
//! the test file its `Produced by:` line names mentions the code).

mod common;

use custody::cmd::help_code::{self, Entry};
use std::collections::BTreeSet;
use std::path::Path;

/// Codes no input is known to produce: guards against bugs in custody itself. Their
/// entries say so with an `Unreachable:` line instead of an example.
const UNREACHABLE: &[&str] = &[
    "custody::syntax::internal",
    "custody::policy::invalid_let",
    "custody::fmt::internal",
];

/// Every `"custody::NAMESPACE::NAME"` string literal in `src/**/*.rs`, outside unit-test
/// modules.
fn source_codes() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&common::repo_root().join("src"), &mut files);
    let mut codes = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        // A file's own test module may define codes of its own (`diag::code`'s example).
        let text = text
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or_default();
        for (i, _) in text.match_indices("\"custody::") {
            let rest = &text[i + 1..];
            let end = rest
                .find(|c: char| {
                    !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':')
                })
                .unwrap_or(rest.len());
            let code = &rest[..end];
            let closed = rest[end..].starts_with('"');
            let parts: Vec<&str> = code.split("::").collect();
            if closed && parts.len() == 3 && parts.iter().all(|p| !p.is_empty()) {
                codes.insert(code.to_owned());
            }
        }
    }
    codes
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn catalogue() -> String {
    std::fs::read_to_string(common::repo_root().join("docs/errors.md")).expect("docs/errors.md")
}

/// Does `text` contain `code` as a whole code (not as the start of a longer one)?
fn mentions(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(i, _)| {
        !text[i + code.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    })
}

#[test]
fn every_code_in_the_source_is_documented_and_every_documented_code_exists() {
    let doc = catalogue();
    let documented: BTreeSet<String> = help_code::entries(&doc)
        .iter()
        .map(|e| e.code.to_owned())
        .collect();
    let source = source_codes();
    let undocumented: Vec<&String> = source.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "codes without an entry in docs/errors.md: {undocumented:#?}"
    );
    let stale: Vec<&String> = documented.difference(&source).collect();
    assert!(
        stale.is_empty(),
        "entries in docs/errors.md for codes no longer in src/: {stale:#?}"
    );
}

/// `Run: custody lint --as-of 2026-11-24` → the arguments after `custody`, with
/// single- and double-quoted words kept whole.
fn split_args(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    if out.first().is_some_and(|w| w == "custody") {
        out.remove(0);
    }
    out
}

/// The command an entry runs: its `Run:` line, else one chosen by its namespace.
fn command(e: &Entry<'_>) -> Vec<String> {
    if let Some(run) = e.field("Run") {
        return split_args(run.trim_matches('`'));
    }
    let ns = e.code.split("::").nth(1).unwrap_or("");
    let cmd: &[&str] = match ns {
        "lint" => &["lint"],
        "fmt" => &["fmt", "--check"],
        "test" => &["test"],
        _ => &["check"],
    };
    cmd.iter().map(|s| s.to_string()).collect()
}

const DEFAULT_POLICY: &str = r#"rule DOC-1 "Vendors name an owner" {
  references "docs/errors.md"
  for vendor v
  require v.owner is set
  remediation "Record the owner."
}
"#;

/// Write the entry's examples into a fresh directory, with defaults for what they leave
/// out, run the command there and return everything it printed.
fn run_example(e: &Entry<'_>) -> Result<String, String> {
    let dir = tempfile::tempdir().map_err(|x| x.to_string())?;
    let examples = e.examples();
    let written: Vec<String> = examples.iter().filter_map(|x| x.title.clone()).collect();
    if written.is_empty() && e.field("Run").is_none() {
        return Err("no example with a `title=\"FILE\"` and no `Run:` line".into());
    }
    for x in &examples {
        let Some(title) = &x.title else { continue };
        let p = dir.path().join(title);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|x| x.to_string())?;
        }
        std::fs::write(&p, &x.content).map_err(|x| x.to_string())?;
    }
    if !written.iter().any(|w| w == "custody.yaml") {
        let mut cfg = String::from("policies: [.]\ninventory: [inventory]\n");
        if written.iter().any(|w| w == "waivers.yaml") {
            cfg.push_str("waivers: waivers.yaml\n");
        }
        std::fs::write(dir.path().join("custody.yaml"), cfg).map_err(|x| x.to_string())?;
    }
    if !written.iter().any(|w| w.ends_with(".policy")) {
        std::fs::write(dir.path().join("rules.policy"), DEFAULT_POLICY)
            .map_err(|x| x.to_string())?;
    }
    if !written.iter().any(|w| w.starts_with("inventory")) {
        std::fs::create_dir_all(dir.path().join("inventory")).map_err(|x| x.to_string())?;
        std::fs::write(dir.path().join("inventory/vendors.yaml"), "vendors: []\n")
            .map_err(|x| x.to_string())?;
    }
    let args = command(e);
    let out = assert_cmd::Command::cargo_bin("custody")
        .map_err(|x| x.to_string())?
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(&args)
        .output()
        .map_err(|x| x.to_string())?;
    Ok(format!(
        "$ custody {}\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

#[test]
fn every_documented_code_is_produced_by_its_example_or_a_named_test() {
    let doc = catalogue();
    let entries = help_code::entries(&doc);
    assert!(entries.len() > 50, "only {} entries", entries.len());
    let mut failures = Vec::new();
    for e in &entries {
        if let Some(reason) = e.field("Unreachable") {
            if !UNREACHABLE.contains(&e.code) {
                failures.push(format!(
                    "{}: `Unreachable: {reason}`, but the code is not in UNREACHABLE (tests/errors.rs)",
                    e.code
                ));
            }
            continue;
        }
        if let Some(file) = e.field("Produced by") {
            let file = file.trim_matches('`');
            match std::fs::read_to_string(common::repo_root().join(file)) {
                Ok(text) if mentions(&text, e.code) => {}
                Ok(_) => failures.push(format!("{}: `{file}` does not mention the code", e.code)),
                Err(x) => failures.push(format!("{}: cannot read `{file}`: {x}", e.code)),
            }
            continue;
        }
        match run_example(e) {
            Ok(out) if mentions(&out, e.code) => {}
            Ok(out) => failures.push(format!(
                "{}: the example does not produce it; the run printed:\n{out}",
                e.code
            )),
            Err(x) => failures.push(format!("{}: {x}", e.code)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_entry_says_what_it_means_and_how_to_fix_it() {
    let doc = catalogue();
    let mut failures = Vec::new();
    for e in help_code::entries(&doc) {
        let level = e.field("Level");
        let want = if e.code.starts_with("custody::lint::") {
            Some("warning")
        } else {
            level
        };
        if !matches!(level, Some("error" | "warning")) || level != want {
            failures.push(format!("{}: `Level:` is {level:?}", e.code));
        }
        if !e.lines.iter().any(|l| l.starts_with("Fix:")) {
            failures.push(format!("{}: no `Fix:` paragraph", e.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn help_code_prints_an_entry_with_or_without_the_prefix() {
    let run = |code: &str| {
        assert_cmd::Command::cargo_bin("custody")
            .expect("binary")
            .env("NO_COLOR", "1")
            .args(["help-code", code])
            .output()
            .expect("run")
    };
    let full = run("custody::lint::unused_let");
    let short = run("lint::unused_let");
    assert_eq!(full.status.code(), Some(0));
    assert_eq!(full.stdout, short.stdout);
    let text = String::from_utf8_lossy(&full.stdout).into_owned();
    insta::assert_snapshot!("help_code_unused_let", text);
}

#[test]
fn help_code_on_an_unknown_code_suggests_one_and_exits_2() {
    let out = assert_cmd::Command::cargo_bin("custody")
        .expect("binary")
        .env("NO_COLOR", "1")
        .args(["help-code", "custody::policy::unknown_feild"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!(
        "help_code_unknown",
        String::from_utf8_lossy(&out.stderr).into_owned()
    );
}

/// The catalogue's proof for `custody::syntax::too_complex`: an item too large for the
/// parser's budget of steps is a diagnostic, not a hang. (Slow in a debug build: pest
/// must spend its whole budget first.)
#[test]
fn an_item_too_large_for_the_parser_is_custody_syntax_too_complex() {
    let policy = format!("let x = [{}1]\n", "1,".repeat(250_000));
    let (_dir, r) = common::run_files(&[
        ("rules.policy", &policy),
        ("inventory/vendors.yaml", "vendors: []\n"),
    ]);
    assert_eq!(common::codes(&r), ["custody::syntax::too_complex"]);
}

#[test]
fn help_code_on_a_namespace_lists_its_codes() {
    let out = assert_cmd::Command::cargo_bin("custody")
        .expect("binary")
        .env("NO_COLOR", "1")
        .args(["help-code", "lint"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.starts_with("custody::lint has 11 codes"), "{text}");
    assert!(
        text.contains("\ncustody::lint::waiver_expires_soon (warning)\n"),
        "{text}"
    );
}

/// docs/errors.md is generated from the code definitions (`diag::codes`, each lint's
/// `CODE`). `CUSTODY_UPDATE_DOCS=1 cargo test --test errors` rewrites it.
#[test]
fn the_catalogue_page_is_generated_from_the_code_definitions() {
    let generated = help_code::catalogue();
    let path = common::repo_root().join("docs/errors.md");
    if std::env::var_os("CUSTODY_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("write docs/errors.md");
    }
    let on_disk = catalogue();
    if on_disk != generated {
        let line = on_disk
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or(
                on_disk.lines().count().min(generated.lines().count()),
                |i| i,
            );
        panic!(
            "docs/errors.md differs from the code definitions from line {}: edit the doc comment \
             of the code's definition, then run `CUSTODY_UPDATE_DOCS=1 cargo test --test errors`",
            line + 1
        );
    }
}

/// Each code is defined once, and its summary is one line: the first sentence of its
/// entry, which `custody help-code NAMESPACE` lists.
#[test]
fn every_code_is_defined_once_with_a_one_line_summary() {
    let all = help_code::all_codes();
    let mut names: Vec<&str> = all.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "a code is defined twice");
    assert!(n >= 113, "{n} codes");
    let doc = help_code::catalogue();
    for code in all {
        assert!(
            !code.summary.is_empty() && !code.summary.contains('\n'),
            "{}: summary must be one line",
            code.name
        );
        let entry = help_code::lookup(&doc, code.name).expect("entry");
        assert_eq!(code.summary, entry.summary(), "{}", code.name);
    }
}
