//! `custody fmt`: ugly → canonical snapshots, the formatter's properties (idempotent, the
//! rules unchanged, every comment kept) over the repo's policies and generated ones, and
//! the command line (`--check` diffs, atomic writes, stdin, exit codes).

mod common;
use common::custody;

use custody::source::FileId;
use custody::syntax::{self, fmt};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------
// Helpers

/// Format `text`; `None` when it has syntax errors.
fn format(text: &str) -> Option<String> {
    let mut diags = Vec::new();
    match syntax::format_policy(FileId(0), text, &mut diags) {
        Ok(out) => Some(out),
        Err(fmt::Error::Syntax) => None,
        Err(e) => panic!("the formatter refused its own output: {e:?}\n--- input ---\n{text}"),
    }
}

/// The parsed rules with spans removed; `None` on syntax errors.
fn rules(text: &str) -> Option<custody::ast::PolicyFile> {
    let mut diags = Vec::new();
    let pf = syntax::parse_policy(FileId(0), text, &mut diags)?;
    diags.is_empty().then(|| fmt::strip_spans(&pf))
}

/// The formatter's three properties on one text that parses: the output parses to the same
/// rules, keeps every comment in order, and is its own formatting.
fn assert_properties(text: &str) -> String {
    let once = format(text).unwrap_or_else(|| panic!("does not parse:\n{text}"));
    assert_eq!(
        rules(&once),
        rules(text),
        "formatting changed the rules\n--- input ---\n{text}\n--- output ---\n{once}"
    );
    assert_eq!(
        fmt::comment_texts(&once),
        fmt::comment_texts(text),
        "formatting lost or changed a comment\n--- input ---\n{text}\n--- output ---\n{once}"
    );
    let twice = format(&once).unwrap_or_else(|| panic!("output does not parse:\n{once}"));
    assert_eq!(twice, once, "not idempotent\n--- input ---\n{text}");
    once
}

/// Every `*.policy` file under the repository (not `target/`, not hidden directories).
fn repo_policies() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || name == "target" {
                continue;
            }
            if p.is_dir() {
                walk(&p, out);
            } else if name.ends_with(".policy") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&common::repo_root(), &mut out);
    out
}

/// The repo's policies that parse, with their text (read once per test binary).
fn parsing_repo_policies() -> &'static [(PathBuf, String)] {
    static FILES: std::sync::OnceLock<Vec<(PathBuf, String)>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        repo_policies()
            .into_iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(&p).ok()?;
                rules(&text).map(|_| (p, text))
            })
            .collect()
    })
}

// ---------------------------------------------------------------------------------------
// Snapshots: ugly → canonical

#[test]
fn ugly_to_canonical() {
    insta::glob!("fmt/*.policy", |path| {
        let text = std::fs::read_to_string(path).expect("read case");
        insta::assert_snapshot!(assert_properties(&text));
    });
}

#[test]
fn crlf_and_byte_order_mark_become_plain_lf() {
    let text = "\u{feff}# header\r\nlet x = 1 # one\r\n\r\nrule A \"t\" {\r\n  for vendor v\r\n  require v.n == x\r\n}\r\n";
    let out = assert_properties(text);
    assert_eq!(
        out,
        "# header\nlet x = 1 # one\n\nrule A \"t\" {\n  for vendor v\n  require v.n == x\n}\n"
    );
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(format("").as_deref(), Some(""));
    assert_eq!(format(" \n\n\t\n").as_deref(), Some(""));
    assert_eq!(
        format("\n\n# only\n\n\n#   comments   \n\n").as_deref(),
        Some("# only\n\n#   comments\n")
    );
}

#[test]
fn a_file_with_syntax_errors_is_not_formatted() {
    let mut diags = Vec::new();
    let text = "rule A \"t\" {\n  for vendor v\n  require v.x ==\n}\n\nrule B \"fine\" {\n  for vendor v\n  require v.y\n}\n";
    let r = syntax::format_policy(FileId(0), text, &mut diags);
    assert_eq!(r, Err(fmt::Error::Syntax));
    assert!(!diags.is_empty());
    assert!(
        diags
            .iter()
            .all(|d| d.code.starts_with("custody::syntax::"))
    );
}

#[test]
fn the_repo_policies_keep_their_rules_and_comments_and_are_stable() {
    let all = repo_policies();
    let parsing = parsing_repo_policies();
    // The examples, the UI fixtures and the ugly cases above at least.
    assert!(
        parsing.len() >= 15,
        "{} of {} parse",
        parsing.len(),
        all.len()
    );
    for (path, text) in parsing {
        eprintln!("{}", path.display());
        assert_properties(text);
    }
}

#[test]
fn deep_nesting_is_formatted_without_overflow() {
    let depth = syntax::MAX_DEPTH - 2;
    let text = format!(
        "rule D \"deep\" {{\n  for vendor v\n  require {}v.x{}\n}}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let out = assert_properties(&text);
    assert!(out.contains("v.x"));
}

// ---------------------------------------------------------------------------------------
// Properties over generated policies

const NAMES: &[&str] = &[
    "v",
    "p",
    "s",
    "vendor_x",
    "_tmp",
    "next",
    "last",
    "days_since",
];
const FIELDS: &[&str] = &["tier", "last_audit", "count", "rule", "accesses", "a1"];

fn path_strategy() -> impl Strategy<Value = String> {
    (
        prop::sample::select(NAMES),
        prop::collection::vec(prop::sample::select(FIELDS), 0..3),
    )
        .prop_map(|(head, fields)| {
            let mut s = head.to_owned();
            for f in fields {
                s.push('.');
                s.push_str(f);
            }
            s
        })
}

fn string_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(
            &[
                "a", "Z", " ", "#", "{x}", "{{", "\\\"", "\\\\", "\\n", "\\t", "\t", "é", "東",
                "😀",
            ][..],
        ),
        0..6,
    )
    .prop_map(|parts| format!("\"{}\"", parts.concat()))
}

fn duration_strategy() -> impl Strategy<Value = Vec<String>> {
    (
        prop::sample::select(&["0", "1", "12", "1_0", "01"][..]),
        prop::sample::select(
            &[
                "day", "days", "week", "weeks", "month", "months", "year", "years",
            ][..],
        ),
    )
        .prop_map(|(n, u)| vec![n.to_owned(), u.to_owned()])
}

/// Tokens of a primary expression without recursion.
fn leaf_strategy() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        path_strategy().prop_map(|p| vec![p]),
        prop::sample::select(&["1", "-3", "1_000_000", "0.5", "2026-11-24", "2024-02-29"][..])
            .prop_map(|n| vec![n.to_owned()]),
        string_strategy().prop_map(|s| vec![s]),
        prop::sample::select(&["today", "true", "false"][..]).prop_map(|w| vec![w.to_owned()]),
    ]
}

/// Tokens of a whole expression, following the grammar's layers: `or` of `and` of `not*`
/// (quantifier | operand [test]).
fn expr_strategy() -> impl Strategy<Value = Vec<String>> {
    leaf_strategy().prop_recursive(5, 48, 4, |inner| {
        let operand = prop_oneof![
            4 => leaf_strategy(),
            1 => inner.clone().prop_map(|e| wrap("(", e, ")")),
            1 => inner.clone().prop_map(|e| wrap("count(", e, ")")),
            1 => (prop::sample::select(&["days_since(", "days_until("][..]), inner.clone())
                .prop_map(|(f, e)| wrap(f, e, ")")),
            1 => prop::collection::vec(inner.clone(), 0..4).prop_map(|items| {
                let mut t = vec!["[".to_owned()];
                for (i, item) in items.into_iter().enumerate() {
                    if i > 0 {
                        t.push(",".to_owned());
                    }
                    t.extend(item);
                }
                t.push("]".to_owned());
                t
            }),
            1 => (leaf_strategy(), prop::sample::select(&["+", "-"][..]), duration_strategy())
                .prop_map(|(base, op, d)| [base, vec![op.to_owned()], d].concat()),
            1 => (leaf_strategy(), prop::sample::select(&["+", "-", "*", "/"][..]), leaf_strategy())
                .prop_map(|(l, op, r)| [l, vec![op.to_owned()], r].concat()),
            1 => (
                prop::sample::select(&["sum(", "min(", "max(", "count("][..]),
                prop::sample::select(NAMES),
                prop::bool::ANY,
                leaf_strategy(),
                inner.clone(),
                leaf_strategy(),
            )
                .prop_map(|(f, var, by_kind, list, filter, value)| {
                    let mut t = vec![f.to_owned()];
                    if by_kind {
                        t.extend(["data_store".to_owned(), var.to_owned()]);
                    } else {
                        t.extend([var.to_owned(), "in".to_owned()]);
                        t.extend(list);
                    }
                    t.push("where".to_owned());
                    t.extend(filter);
                    if f != "count(" {
                        t.push(":".to_owned());
                        t.extend(value);
                    }
                    t.push(")".to_owned());
                    t
                }),
        ]
        .boxed();
        let test = prop_oneof![
            2 => operand.clone(),
            2 => (
                operand.clone(),
                prop::sample::select(&["==", "!=", "<", "<=", ">", ">=", "in", "not in", "contains", "handles", "holds", "receives", "before", "after"][..]),
                operand.clone(),
            )
                .prop_map(|(l, op, r)| {
                    let ops: Vec<String> = op.split(' ').map(str::to_owned).collect();
                    [l, ops, r].concat()
                }),
            1 => (operand.clone(), prop::sample::select(&["handles", "holds", "receives"][..]), operand.clone(), operand.clone())
                .prop_map(|(l, op, c, e)| [l, vec![op.to_owned()], c, vec!["except".to_owned()], e].concat()),
            1 => (operand.clone(), prop::sample::select(&["set", "missing", "empty"][..]))
                .prop_map(|(l, w)| [l, vec!["is".to_owned(), w.to_owned()]].concat()),
            1 => (operand.clone(), string_strategy())
                .prop_map(|(l, s)| [l, vec!["matches".to_owned(), s]].concat()),
            1 => (operand.clone(), prop::sample::select(&["older than", "within", "within last", "within next"][..]), duration_strategy()).prop_map(|(l, w, d)| {
                let words: Vec<String> = w.split(' ').map(str::to_owned).collect();
                [l, words, d].concat()
            }),
        ];
        let quantified = (
            prop::sample::select(&["all", "any", "no"][..]),
            prop::sample::select(NAMES),
            operand,
            prop::option::of(inner.clone()),
            prop::bool::ANY,
            inner.clone(),
        )
            .prop_map(|(q, var, list, filter, by_kind, body)| {
                let mut t = vec![q.to_owned()];
                if by_kind {
                    t.extend(["vendor".to_owned(), var.to_owned()]);
                } else {
                    t.extend([var.to_owned(), "in".to_owned()]);
                    t.extend(list);
                }
                if let Some(f) = filter {
                    // Parenthesized: a quantifier in a `where` would take the `:` as its own.
                    t.push("where".to_owned());
                    t.push("(".to_owned());
                    t.extend(f);
                    t.push(")".to_owned());
                }
                t.push(":".to_owned());
                t.extend(body);
                t
            });
        let not = (0..3usize, prop_oneof![4 => test, 1 => quantified]).prop_map(|(n, e)| {
            let mut t = vec!["not".to_owned(); n];
            t.extend(e);
            t
        });
        prop::collection::vec((not, prop::sample::select(&["and", "or"][..])), 1..4).prop_map(|parts| {
            let mut t = Vec::new();
            for (i, (e, op)) in parts.into_iter().enumerate() {
                if i > 0 {
                    t.push(op.to_owned());
                }
                t.extend(e);
            }
            t
        })
    })
}

fn wrap(open: &str, inner: Vec<String>, close: &str) -> Vec<String> {
    [vec![open.to_owned()], inner, vec![close.to_owned()]].concat()
}

fn clause_strategy() -> impl Strategy<Value = Vec<String>> {
    let strings = prop::collection::vec(string_strategy(), 1..5).prop_map(|ss| {
        let mut t = Vec::new();
        for (i, s) in ss.into_iter().enumerate() {
            if i > 0 {
                t.push(",".to_owned());
            }
            t.push(s);
        }
        t
    });
    prop_oneof![
        prop::sample::select(&["critical", "high", "medium", "low", "info"][..])
            .prop_map(|w| vec!["severity".to_owned(), w.to_owned()]),
        (prop::sample::select(&["references", "tags"][..]), strings).prop_map(|(k, s)| [
            vec![k.to_owned()],
            s
        ]
        .concat()),
        (
            prop::sample::select(&["description", "message", "remediation"][..]),
            string_strategy()
        )
            .prop_map(|(k, s)| vec![k.to_owned(), s]),
        (
            prop::sample::select(&["vendor", "data_store"][..]),
            prop::sample::select(NAMES),
            prop::option::of(expr_strategy())
        )
            .prop_map(|(kind, var, filter)| {
                let mut t = vec!["for".to_owned(), kind.to_owned(), var.to_owned()];
                if let Some(f) = filter {
                    t.push("where".to_owned());
                    t.extend(f);
                }
                t
            }),
        expr_strategy().prop_map(|e| [vec!["require".to_owned()], e].concat()),
    ]
}

fn item_strategy() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        (any::<bool>(), prop::sample::select(NAMES), expr_strategy()).prop_map(
            |(export, name, e)| {
                let mut t: Vec<String> = export.then(|| "export".to_owned()).into_iter().collect();
                t.extend(["let".to_owned(), name.to_owned(), "=".to_owned()]);
                t.extend(e);
                t
            }
        ),
        (
            prop::sample::select(&["TPR-001", "A", "x.y-z_1"][..]),
            string_strategy(),
            prop::collection::vec(clause_strategy(), 0..5),
        )
            .prop_map(|(id, title, clauses)| {
                let mut t = vec!["rule".to_owned(), id.to_owned(), title, "{".to_owned()];
                t.extend(clauses.into_iter().flatten());
                t.push("}".to_owned());
                t
            }),
    ]
}

/// What may separate two tokens: spaces, newlines, comments. Never nothing, so two words
/// cannot merge.
const TRIVIA: &[&str] = &[
    " ",
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "\n  ",
    "\n\n",
    "\r\n",
    " # trailing\n",
    "# tight\n",
    "\n# own line\n",
    "\n\n  ## spaced # own line\n\n",
    " #\n",
];

/// Join tokens with the chosen trivia (cycled).
fn join(tokens: &[String], trivia: &[&str]) -> String {
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push_str(trivia.get(i % trivia.len().max(1)).copied().unwrap_or(" "));
        }
        out.push_str(t);
    }
    out
}

/// Replace each run of whitespace outside strings and comments with the chosen trivia
/// (cycled); a run after a comment keeps its newline first.
fn respace(text: &str, trivia: &[&str]) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    let mut k = 0;
    let mut after_comment = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if d == '"' {
                        break;
                    }
                }
                after_comment = false;
            }
            '#' => {
                out.push(c);
                while let Some(&d) = chars.peek() {
                    if d == '\n' {
                        break;
                    }
                    out.push(d);
                    chars.next();
                }
                after_comment = true;
            }
            c if c.is_whitespace() => {
                while chars.peek().is_some_and(|d| d.is_whitespace()) {
                    chars.next();
                }
                if after_comment {
                    out.push('\n');
                }
                k += 1;
                out.push_str(trivia.get(k % trivia.len().max(1)).copied().unwrap_or(" "));
                after_comment = false;
            }
            c => {
                out.push(c);
                after_comment = false;
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_policies_format_stably_and_keep_rules_and_comments(
        items in prop::collection::vec(item_strategy(), 0..4),
        trivia in prop::collection::vec(prop::sample::select(TRIVIA), 1..12),
    ) {
        let tokens: Vec<String> = items.into_iter().flatten().collect();
        let text = join(&tokens, &trivia);
        assert_properties(&text);
    }

    #[test]
    fn respaced_repo_policies_format_stably_and_keep_rules_and_comments(
        pick in any::<prop::sample::Index>(),
        trivia in prop::collection::vec(prop::sample::select(TRIVIA), 1..12),
    ) {
        let files = parsing_repo_policies();
        let (_, text) = pick.get(files);
        let respaced = respace(text, &trivia);
        prop_assume!(rules(&respaced).is_some());
        assert_eq!(rules(&respaced), rules(text), "respacing changed the rules:\n{respaced}");
        assert_properties(&respaced);
    }

    #[test]
    fn random_edits_never_panic(
        cuts in prop::collection::vec((any::<usize>(), 0usize..8, "[a-z\"#(){}\\[\\],:.=<>!\\- \n\t]{0,6}"), 0..8),
    ) {
        let seed = include_str!("fmt/comments_everywhere.policy");
        let mut s: Vec<char> = seed.chars().collect();
        for (at, len, ins) in &cuts {
            let at = at % (s.len() + 1);
            let end = (at + len).min(s.len());
            s.splice(at..end, ins.chars());
        }
        let text: String = s.into_iter().collect();
        let mut diags = Vec::new();
        match syntax::format_policy(FileId(0), &text, &mut diags) {
            Ok(_) => { assert_properties(&text); }
            Err(fmt::Error::Syntax) => prop_assert!(!diags.is_empty()),
            Err(e) => panic!("the formatter refused its own output: {e:?}\n{text}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The command line

const UGLY: &str =
    "rule A \"t\" {for vendor v where v.tier==\"critical\"\n# why\nrequire v.mfa_enforced}\n";
const CANONICAL: &str = "rule A \"t\" {\n  for vendor v where v.tier == \"critical\"\n  # why\n  require v.mfa_enforced\n}\n";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = custody();
    cmd.current_dir(dir).arg("fmt").args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().expect("run");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn shown(r: &Run) -> String {
    format!(
        "{}--- stderr ---\n{}--- exit code: {} ---\n",
        r.stdout,
        r.stderr,
        r.code.unwrap_or(-1)
    )
}

/// A temp project: custody.yaml naming `policies/`, with the given policy files.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("custody.yaml"),
        "policies: [policies]\ninventory: [inventory]\n",
    )
    .expect("config");
    for (name, text) in files {
        let p = dir.path().join("policies").join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join("policies").join(name)).expect("read")
}

#[test]
fn check_prints_a_unified_diff_and_exits_1_without_writing() {
    let dir = project(&[("a.policy", UGLY), ("b.policy", CANONICAL)]);
    let r = run_in(dir.path(), &["--check"], None);
    assert_eq!(r.code, Some(1), "{}", shown(&r));
    assert!(
        r.stdout
            .starts_with("--- a/policies/a.policy\n+++ b/policies/a.policy\n")
    );
    assert!(!r.stdout.contains("b.policy"));
    assert_eq!(read(dir.path(), "a.policy"), UGLY, "--check never writes");
    insta::assert_snapshot!(shown(&r));
}

#[test]
fn check_exits_0_when_everything_is_formatted() {
    let dir = project(&[("a.policy", CANONICAL)]);
    let r = run_in(dir.path(), &["--check", "policies/a.policy"], None);
    assert_eq!(r.code, Some(0), "{}", shown(&r));
    assert_eq!(r.stdout, "");
    insta::assert_snapshot!(shown(&r));
}

#[test]
fn check_diff_applies_to_the_canonical_text() {
    // The diff is the whole story: applying it to the old text gives the formatted text.
    let dir = project(&[("a.policy", UGLY)]);
    let r = run_in(dir.path(), &["--check", "policies"], None);
    assert_eq!(r.code, Some(1));
    let mut new_lines = Vec::new();
    for line in r.stdout.lines().skip(2) {
        if let Some(rest) = line.strip_prefix('+') {
            new_lines.push(rest);
        } else if let Some(rest) = line.strip_prefix(' ') {
            new_lines.push(rest);
        }
    }
    assert_eq!(new_lines.join("\n") + "\n", CANONICAL);
}

#[cfg(unix)]
#[test]
fn writes_are_atomic_and_only_when_the_text_changes() {
    use std::os::unix::fs::MetadataExt;
    let dir = project(&[("a.policy", UGLY), ("b.policy", CANONICAL)]);
    let inode = |name: &str| {
        std::fs::metadata(dir.path().join("policies").join(name))
            .expect("stat")
            .ino()
    };
    let (a_before, b_before) = (inode("a.policy"), inode("b.policy"));
    let r = run_in(dir.path(), &[], None);
    assert_eq!(r.code, Some(0), "{}", shown(&r));
    assert_eq!(read(dir.path(), "a.policy"), CANONICAL);
    assert_eq!(read(dir.path(), "b.policy"), CANONICAL);
    // A rename put a new file in place; the formatted file was not touched at all.
    assert_ne!(inode("a.policy"), a_before);
    assert_eq!(inode("b.policy"), b_before);
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path().join("policies"))
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    insta::assert_snapshot!(shown(&r));

    let again = run_in(dir.path(), &[], None);
    assert_eq!(again.code, Some(0));
    assert!(
        again
            .stderr
            .contains("0 files reformatted, 2 already formatted"),
        "{}",
        again.stderr
    );
}

#[cfg(unix)]
#[test]
fn writing_keeps_permissions_and_follows_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("a.policy", UGLY)]);
    let real = dir.path().join("policies").join("a.policy");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let link = dir.path().join("link.policy");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let r = run_in(dir.path(), &["link.policy"], None);
    assert_eq!(r.code, Some(0), "{}", shown(&r));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("lstat")
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).expect("read"), CANONICAL);
    let mode = std::fs::metadata(&real).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run_in(dir.path(), &["-"], Some(UGLY));
    assert_eq!(r.code, Some(0), "{}", shown(&r));
    assert_eq!(r.stdout, CANONICAL);
    assert_eq!(r.stderr, "");
}

#[test]
fn stdin_with_check_prints_a_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run_in(dir.path(), &["--check", "-"], Some(UGLY));
    assert_eq!(r.code, Some(1), "{}", shown(&r));
    insta::assert_snapshot!(shown(&r));
    let ok = run_in(dir.path(), &["--check", "-"], Some(CANONICAL));
    assert_eq!(ok.code, Some(0));
    assert_eq!(ok.stdout, "");
}

#[test]
fn stdin_with_syntax_errors_prints_nothing_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run_in(
        dir.path(),
        &["--color", "never", "-"],
        Some("rule A \"t\" {\n  for vendor v\n  require v.x ==\n}\n"),
    );
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stdout, "");
    insta::assert_snapshot!(shown(&r));
}

#[test]
fn a_file_with_syntax_errors_is_reported_and_left_untouched() {
    let broken = "rule A \"t\" {\n  for vendor v\n  require v.last_audit within 12\n}\n";
    let dir = project(&[("broken.policy", broken), ("ugly.policy", UGLY)]);
    let r = run_in(dir.path(), &["--color", "never"], None);
    assert_eq!(r.code, Some(2), "{}", shown(&r));
    assert_eq!(read(dir.path(), "broken.policy"), broken);
    // The other file is still formatted.
    assert_eq!(read(dir.path(), "ugly.policy"), CANONICAL);
    insta::assert_snapshot!(shown(&r));
}

#[test]
fn without_paths_or_config_it_says_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run_in(dir.path(), &["--color", "never"], None);
    assert_eq!(r.code, Some(2));
    insta::assert_snapshot!(shown(&r));
}

#[test]
fn without_paths_it_formats_the_configs_policy_files_but_never_the_library() {
    let dir = project(&[("a.policy", UGLY)]);
    std::fs::write(
        dir.path().join("custody.yaml"),
        "policies: [builtin:tpr, policies]\ninventory: [inventory]\n",
    )
    .expect("config");
    let r = run_in(dir.path(), &["--color", "never"], None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "custody fmt: 1 file reformatted, 0 already formatted\n"
    );
    assert_eq!(read(dir.path(), "a.policy"), CANONICAL);
}

#[test]
fn without_paths_or_config_it_formats_the_policy_files_below_the_working_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["a.policy", "sub/b.policy", ".hidden/c.policy"] {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, UGLY).expect("write");
    }
    std::fs::write(dir.path().join("notes.txt"), UGLY).expect("write");
    let r = run_in(dir.path(), &["--color", "never", "--check"], None);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stdout.contains("--- a/a.policy"), "{}", r.stdout);
    assert!(r.stdout.contains("--- a/sub/b.policy"), "{}", r.stdout);
    assert!(!r.stdout.contains("c.policy"), "{}", r.stdout);
    assert!(!r.stdout.contains("notes.txt"), "{}", r.stdout);
    let r = run_in(dir.path(), &["--color", "never"], None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "custody fmt: 2 files reformatted, 0 already formatted\n"
    );
    let file = |n: &str| std::fs::read_to_string(dir.path().join(n)).expect("read");
    assert_eq!(file("sub/b.policy"), CANONICAL);
    assert_eq!(file(".hidden/c.policy"), UGLY);
}

#[test]
fn a_missing_path_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run_in(dir.path(), &["--color", "never", "nope.policy"], None);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("custody::io::not_found"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn a_write_failure_is_reported_and_the_file_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("a.policy", UGLY)]);
    let policies = dir.path().join("policies");
    let set_mode = |mode| {
        std::fs::set_permissions(&policies, std::fs::Permissions::from_mode(mode)).expect("chmod")
    };
    set_mode(0o555);
    // Root ignores directory permissions; an immutable directory stops it, where the file
    // system supports the attribute. Otherwise there is nothing to test here.
    let probe = policies.join("probe");
    let mut immutable = false;
    if std::fs::write(&probe, "").is_ok() {
        let _ = std::fs::remove_file(&probe);
        immutable = std::process::Command::new("chattr")
            .arg("+i")
            .arg(&policies)
            .output()
            .is_ok_and(|o| o.status.success());
        if !immutable {
            set_mode(0o755);
            return;
        }
    }
    let r = run_in(dir.path(), &["--color", "never"], None);
    if immutable {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&policies)
            .output();
    }
    set_mode(0o755);
    assert_eq!(r.code, Some(2), "{}", shown(&r));
    assert!(
        r.stderr.contains("custody::fmt::write_failed"),
        "{}",
        shown(&r)
    );
    assert_eq!(read(dir.path(), "a.policy"), UGLY);
    insta::assert_snapshot!(shown(&r));
}

#[test]
fn the_check_diff_is_coloured_on_request() {
    let dir = project(&[("a.policy", UGLY)]);
    let r = run_in(dir.path(), &["--check", "--color", "always"], None);
    assert_eq!(r.code, Some(1));
    assert!(r.stdout.contains("\x1b[31m-rule A"), "{:?}", r.stdout);
    assert!(r.stdout.contains("\x1b[32m+rule A"), "{:?}", r.stdout);
}
