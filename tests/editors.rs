//! The editor support in `editors/`: the TextMate grammar for `.policy` files
//! (`editors/custody.tmLanguage.json`) and the VS Code extension (`editors/vscode/`).
//!
//! - The grammar is tokenized as VS Code does it, by `vscode-textmate` with the Oniguruma
//!   engine `vscode-oniguruma` (`tests/editors/tokenize.js`), on every `.policy` file under
//!   examples/ and policies/: every regex compiles, no line stops early or comes out
//!   `invalid`, and specific tokens get specific scopes; a sample with every construct
//!   (`tests/editors/sample.policy`) is snapshotted.
//! - Without node: every keyword of grammar/custody.pest, every severity and every
//!   top-level category of the shipped taxonomy appears in the grammar (so the two cannot
//!   drift), every `include` resolves, and the extension's package.json names files that
//!   exist, with a copy of the grammar identical to editors/custody.tmLanguage.json.
//!
//! Nothing is installed from here: `.ci/install-tools` installs the two npm packages under
//! .ci/.tools/npm and exports `CUSTODY_NODE_MODULES` (node is `$CUSTODY_NODE`, else `node`
//! on PATH). Without node or the packages the
//! tokenizer tests fail under `CI=true` and say why, and are skipped elsewhere.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    common::repo_root()
}

fn grammar_path() -> PathBuf {
    root().join("editors/custody.tmLanguage.json")
}

fn read_json(path: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------
// The tokenizer (node + vscode-textmate + vscode-oniguruma)

/// One token: its text and its scopes, the root `source.custody` left out.
#[derive(Debug, Clone)]
struct Token {
    text: String,
    scopes: Vec<String>,
}

/// One tokenized line: its tokens, or why it could not be tokenized.
#[derive(Debug)]
struct Line {
    tokens: Vec<Token>,
    error: Option<String>,
}

/// `node` and the directory holding vscode-textmate and vscode-oniguruma. `None`, with
/// the reason, when either is missing (a failure under `CI=true`).
fn tokenizer(test: &str) -> Option<(PathBuf, PathBuf)> {
    let node =
        std::env::var_os("CUSTODY_NODE").map_or_else(|| PathBuf::from("node"), PathBuf::from);
    let modules = std::env::var_os("CUSTODY_NODE_MODULES")
        .map_or_else(|| root().join(".ci/.tools/npm/node_modules"), PathBuf::from);
    let loads = Command::new(&node)
        .env("NODE_PATH", &modules)
        .args([
            "-e",
            "require('vscode-textmate'); require('vscode-oniguruma')",
        ])
        .output();
    let why = match loads {
        Err(e) => format!("cannot run {} ({e})", node.display()),
        Ok(o) if !o.status.success() => format!(
            "node cannot load vscode-textmate and vscode-oniguruma from {} \
             (CUSTODY_NODE_MODULES): {}",
            modules.display(),
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .find(|l| l.contains("Error"))
                .unwrap_or("")
        ),
        Ok(_) => return Some((node, modules)),
    };
    let why = format!("{why}; run `eval \"$(.ci/install-tools)\"`");
    assert!(
        std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false"),
        "CI=true and {test} cannot run: {why}"
    );
    eprintln!("SKIPPED {test}: {why}");
    None
}

/// Tokenize `files` with the grammar: for each file, its lines.
fn tokenize(node: &Path, modules: &Path, files: &[PathBuf]) -> Vec<(PathBuf, Vec<Line>)> {
    let out = Command::new(node)
        .env("NODE_PATH", modules)
        .arg(root().join("tests/editors/tokenize.js"))
        .arg(grammar_path())
        .args(files)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "tokenize.js failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("tokenize.js JSON");
    let files_out = json.as_array().expect("an array of files");
    assert_eq!(files_out.len(), files.len());
    files
        .iter()
        .zip(files_out)
        .map(|(path, f)| {
            let lines = f["lines"]
                .as_array()
                .expect("lines")
                .iter()
                .map(|l| Line {
                    error: l["error"].as_str().map(str::to_owned),
                    tokens: l["tokens"]
                        .as_array()
                        .expect("tokens")
                        .iter()
                        .map(|t| Token {
                            text: t["text"].as_str().expect("text").to_owned(),
                            scopes: t["scopes"]
                                .as_array()
                                .expect("scopes")
                                .iter()
                                .map(|s| s.as_str().expect("scope").to_owned())
                                .filter(|s| s != "source.custody")
                                .collect(),
                        })
                        .collect(),
                })
                .collect();
            (path.clone(), lines)
        })
        .collect()
}

/// Every `.policy` file under `dir`, recursively, in path order.
fn policies_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            policies_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "policy") {
            out.push(p);
        }
    }
}

#[test]
fn every_shipped_policy_tokenizes_cleanly() {
    let Some((node, modules)) = tokenizer("every_shipped_policy_tokenizes_cleanly") else {
        return;
    };
    let mut files = Vec::new();
    policies_under(&root().join("examples"), &mut files);
    policies_under(&root().join("policies"), &mut files);
    files.push(root().join("tests/editors/sample.policy"));
    assert!(files.len() >= 10, "too few policies found: {files:?}");
    let mut problems = Vec::new();
    let mut lines_seen = 0;
    for (path, lines) in tokenize(&node, &modules, &files) {
        let text = std::fs::read_to_string(&path).expect("read policy");
        assert_eq!(lines.len(), text.lines().count(), "{}", path.display());
        for ((n, line), source) in lines.iter().enumerate().zip(text.lines()) {
            lines_seen += 1;
            let at = format!("{}:{}", path.display(), n + 1);
            if let Some(e) = &line.error {
                problems.push(format!("{at}: {e}"));
            }
            let joined: String = line.tokens.iter().map(|t| t.text.as_str()).collect();
            if line.error.is_none() && joined != source {
                problems.push(format!("{at}: tokens do not cover the line"));
            }
            for t in &line.tokens {
                if let Some(s) = t.scopes.iter().find(|s| s.starts_with("invalid.")) {
                    problems.push(format!("{at}: `{}` is {s}", t.text));
                }
            }
        }
    }
    assert!(lines_seen > 500, "only {lines_seen} lines tokenized");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The scopes of the `nth` (from 0) token whose text is `text` on line `line` (from 1),
/// the `.custody` suffixes left out.
fn scopes_of(lines: &[Line], line: usize, text: &str, nth: usize) -> Vec<String> {
    let tokens = &lines[line - 1].tokens;
    let t = tokens
        .iter()
        .filter(|t| t.text == text)
        .nth(nth)
        .unwrap_or_else(|| panic!("no token {nth} `{text}` on line {line}: {tokens:?}"));
    t.scopes
        .iter()
        .map(|s| s.trim_end_matches(".custody").to_owned())
        .collect()
}

#[track_caller]
fn assert_innermost(lines: &[Line], line: usize, text: &str, nth: usize, scope: &str) {
    let scopes = scopes_of(lines, line, text, nth);
    assert_eq!(
        scopes.last().map(String::as_str),
        Some(scope),
        "line {line} `{text}` #{nth}: {scopes:?}"
    );
}

#[test]
fn tokens_get_their_scopes() {
    let Some((node, modules)) = tokenizer("tokens_get_their_scopes") else {
        return;
    };
    let sample = root().join("tests/editors/sample.policy");
    let tokenized = tokenize(&node, &modules, std::slice::from_ref(&sample));
    let lines = &tokenized[0].1;
    let c = |line, text, scope| assert_innermost(lines, line, text, 0, scope);
    // A comment.
    c(1, "#", "punctuation.definition.comment");
    assert_eq!(scopes_of(lines, 1, "#", 0)[0], "comment.line.number-sign");
    // Items: `export let`, `rule ID "title"`.
    c(2, "export", "storage.modifier.export");
    c(2, "let", "storage.type.let");
    c(2, "large", "entity.name.variable.let");
    c(2, "1_000_000", "constant.numeric");
    c(6, "rule", "storage.type.rule");
    c(6, "TPR-XB-01", "entity.name.function.rule-id");
    c(6, "\\\"", "constant.character.escape");
    c(6, "in scope", "string.quoted.double.title");
    // Clauses and severities.
    c(7, "severity", "keyword.other.clause");
    c(7, "high", "constant.language.severity");
    c(8, "references", "keyword.other.clause");
    c(8, "GDPR Art. 28", "string.quoted.double");
    c(11, "for", "keyword.other.clause");
    c(11, "vendor", "entity.name.type.kind");
    c(11, "where", "keyword.other.clause");
    // Categories: after `handles`, a root of the taxonomy, in a list after `holds`.
    c(11, "handles", "keyword.operator.word");
    c(11, "personal", "constant.other.category");
    c(11, "except", "keyword.operator.word");
    c(4, "personal.health", "constant.other.category");
    c(16, "personal.contact", "constant.other.category");
    c(16, "credentials", "constant.other.category");
    c(17, "credentials.password", "constant.other.category");
    // A clause word after a dot is a field.
    c(11, "description", "variable.other.property");
    c(11, "is", "keyword.operator.word");
    c(11, "set", "keyword.operator.word");
    // `within last N unit`: `last` is a word here; a number with its unit.
    c(12, "within", "keyword.operator.word");
    c(12, "last", "keyword.operator.word");
    c(12, "12", "constant.numeric.duration");
    c(12, "months", "keyword.other.unit");
    c(12, "today", "constant.language.today");
    c(12, "30", "constant.numeric.duration");
    c(12, "days", "keyword.other.unit");
    c(14, "older", "keyword.operator.word");
    c(14, "than", "keyword.operator.word");
    c(14, "2025-01-01", "constant.numeric.date");
    // Quantifiers and aggregates bind a variable (and a kind).
    c(14, "all", "keyword.control.quantifier");
    assert_innermost(lines, 14, "p", 0, "variable.parameter");
    c(15, "count", "support.function.aggregate");
    c(15, "data_store", "entity.name.type.kind");
    assert_innermost(lines, 15, "s", 0, "variable.parameter");
    c(15, "<=", "keyword.operator.comparison");
    c(15, "*", "keyword.operator.arithmetic");
    c(16, "sum", "support.function.aggregate");
    c(18, "days_since", "support.function.days");
    c(18, "-3", "constant.numeric");
    // A message template: placeholders, `{{` escapes, days_since inside.
    c(19, "message", "keyword.other.clause");
    assert_innermost(
        lines,
        19,
        "{",
        0,
        "punctuation.definition.placeholder.begin",
    );
    assert_eq!(
        scopes_of(lines, 19, "name", 0),
        [
            "meta.rule",
            "string.quoted.double.message",
            "meta.placeholder",
            "variable.other.property"
        ]
    );
    assert_eq!(
        scopes_of(lines, 19, "days_since", 0)[2..],
        ["meta.placeholder", "support.function.days"]
    );
    c(19, "{{", "constant.character.escape.brace");
    c(20, "\\n", "constant.character.escape");
    c(21, "}", "punctuation.section.block.end");
}

/// Contextual words stay names outside their context.
#[test]
fn contextual_words_are_names_elsewhere() {
    let Some((node, modules)) = tokenizer("contextual_words_are_names_elsewhere") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("names.policy");
    std::fs::write(
        &file,
        "let next = v.last\n\
         let max = days_since + v.severity\n\
         require max(x in l: x) > 0 and v.except == 1\n\
         severity info\n\
         rule R \"a\\q\" {\n\
           severity hgh\n\
         }\n",
    )
    .expect("write");
    let tokenized = tokenize(&node, &modules, &[file]);
    let lines = &tokenized[0].1;
    assert_innermost(lines, 1, "next", 0, "entity.name.variable.let");
    assert_innermost(lines, 1, "last", 0, "variable.other.property");
    assert_innermost(lines, 2, "max", 0, "entity.name.variable.let");
    assert_innermost(lines, 2, "days_since", 0, "variable.other");
    assert_innermost(lines, 2, "severity", 0, "variable.other.property");
    assert_innermost(lines, 3, "max", 0, "support.function.aggregate");
    assert_innermost(lines, 3, "except", 0, "variable.other.property");
    // Outside a rule, `severity` is a name.
    assert_innermost(lines, 4, "severity", 0, "variable.other");
    // What the shipped policies must never show: an unknown escape, an unknown severity.
    assert_innermost(lines, 5, "\\q", 0, "invalid.illegal.unknown-escape");
    assert_innermost(lines, 6, "hgh", 0, "invalid.illegal.severity");
}

#[test]
fn sample_snapshot() {
    let Some((node, modules)) = tokenizer("sample_snapshot") else {
        return;
    };
    let sample = root().join("tests/editors/sample.policy");
    let tokenized = tokenize(&node, &modules, std::slice::from_ref(&sample));
    let mut out = String::new();
    for (n, line) in tokenized[0].1.iter().enumerate() {
        out.push_str(&format!("{:>2} ", n + 1));
        let mut first = true;
        for t in line.tokens.iter().filter(|t| !t.text.trim().is_empty()) {
            if !first {
                out.push_str("   ");
            }
            first = false;
            let scopes: Vec<&str> = t
                .scopes
                .iter()
                .map(|s| s.trim_end_matches(".custody"))
                .filter(|s| *s != "meta.rule")
                .collect();
            out.push_str(&format!("{:?} {}\n", t.text, scopes.join(" ")));
        }
        if first {
            out.push('\n');
        }
    }
    insta::assert_snapshot!("sample", out);
}

// ---------------------------------------------------------------------------------------
// Without node

/// Every word in the grammar's regexes (`match`, `begin`, `end`), lowercase runs of
/// letters and `_`.
fn grammar_words(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if let ("match" | "begin" | "end", serde_json::Value::String(re)) = (k.as_str(), v)
                {
                    let mut word = String::new();
                    for ch in re.chars().chain(std::iter::once(' ')) {
                        if ch.is_ascii_lowercase() || ch == '_' {
                            word.push(ch);
                        } else {
                            if !word.is_empty() {
                                out.insert(std::mem::take(&mut word));
                            }
                            word.clear();
                        }
                    }
                } else {
                    grammar_words(v, out);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| grammar_words(v, out)),
        _ => {}
    }
}

#[test]
fn grammar_knows_every_keyword() {
    let pest = std::fs::read_to_string(root().join("grammar/custody.pest")).expect("pest");
    // Every quoted word of the pest grammar (comments left out).
    let mut keywords = BTreeSet::new();
    for line in pest.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (i, part) in code.split('"').enumerate() {
            if i % 2 == 1
                && !part.is_empty()
                && part.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            {
                keywords.insert(part.to_owned());
            }
        }
    }
    for must in [
        "and",
        "receives",
        "except",
        "export",
        "days_since",
        "last",
        "months",
        "sum",
    ] {
        assert!(
            keywords.contains(must),
            "`{must}` not found in the pest grammar"
        );
    }
    // The severities and the shipped taxonomy's top-level categories.
    let mut words = keywords.clone();
    for s in custody::types::Severity::ALL {
        words.insert(s.as_str().to_owned());
    }
    let taxonomy =
        std::fs::read_to_string(root().join("policies/taxonomy.yaml")).expect("taxonomy");
    let roots: Vec<String> = taxonomy
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '-']) && l.ends_with(':'))
        .map(|l| l.trim_end_matches(':').to_owned())
        .filter(|l| l.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect();
    assert!(
        roots.contains(&"personal".to_owned()),
        "taxonomy roots: {roots:?}"
    );
    words.extend(roots);
    let mut in_grammar = BTreeSet::new();
    grammar_words(&read_json(&grammar_path()), &mut in_grammar);
    let missing: Vec<&String> = words.iter().filter(|w| !in_grammar.contains(*w)).collect();
    assert!(
        missing.is_empty(),
        "words of grammar/custody.pest, severities or taxonomy roots missing from \
         editors/custody.tmLanguage.json: {missing:?}"
    );
}

#[test]
fn grammar_is_well_formed() {
    let g = read_json(&grammar_path());
    assert_eq!(g["scopeName"], "source.custody");
    assert_eq!(g["fileTypes"], serde_json::json!(["policy"]));
    let repository = g["repository"].as_object().expect("repository");
    // Every include names a repository entry (VS Code ignores a dangling one silently).
    fn includes(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("include", serde_json::Value::String(s)) => out.push(s.clone()),
                        _ => includes(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| includes(v, out)),
            _ => {}
        }
    }
    let mut names = Vec::new();
    includes(&g, &mut names);
    assert!(!names.is_empty());
    for name in &names {
        let key = name
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("include {name} is not a repository reference"));
        assert!(
            repository.contains_key(key),
            "include {name} resolves to nothing"
        );
    }
    // And every repository entry is used.
    for key in repository.keys() {
        assert!(
            names.iter().any(|n| n == &format!("#{key}")),
            "repository entry {key} is never included"
        );
    }
}

#[test]
fn sample_is_a_formatted_policy() {
    // The snapshot shows real syntax: the sample parses and is as `custody fmt` prints it.
    common::custody()
        .args(["fmt", "--check"])
        .arg(root().join("tests/editors/sample.policy"))
        .assert()
        .success();
}

// ---------------------------------------------------------------------------------------
// The VS Code extension

#[test]
fn vscode_extension_is_consistent() {
    let dir = root().join("editors/vscode");
    let pkg = read_json(&dir.join("package.json"));
    let exists = |rel: &str| {
        let p = dir.join(rel);
        assert!(
            p.is_file(),
            "package.json names {rel}, which does not exist"
        );
        p
    };
    exists(pkg["main"].as_str().expect("main"));
    let languages = pkg["contributes"]["languages"]
        .as_array()
        .expect("languages");
    let custody = languages
        .iter()
        .find(|l| l["id"] == "custody")
        .expect("a custody language");
    assert_eq!(custody["extensions"], serde_json::json!([".policy"]));
    let config = read_json(&exists(
        custody["configuration"].as_str().expect("configuration"),
    ));
    assert_eq!(config["comments"]["lineComment"], "#");
    let grammars = pkg["contributes"]["grammars"].as_array().expect("grammars");
    assert_eq!(grammars.len(), 1);
    assert_eq!(grammars[0]["language"], "custody");
    assert_eq!(grammars[0]["scopeName"], "source.custody");
    let copy = exists(grammars[0]["path"].as_str().expect("grammar path"));
    assert_eq!(
        std::fs::read_to_string(&copy).expect("grammar copy"),
        std::fs::read_to_string(grammar_path()).expect("grammar"),
        "{} must be a copy of editors/custody.tmLanguage.json: cp editors/custody.tmLanguage.json {}",
        copy.display(),
        copy.display()
    );
    let props = &pkg["contributes"]["configuration"]["properties"];
    assert_eq!(props["custody.path"]["default"], "custody");
    let activation = pkg["activationEvents"]
        .as_array()
        .expect("activationEvents");
    assert!(activation.contains(&serde_json::json!("onLanguage:custody")));
    assert!(activation.contains(&serde_json::json!("workspaceContains:**/custody.yaml")));
    assert!(pkg["dependencies"]["vscode-languageclient"].is_string());
    assert!(pkg["engines"]["vscode"].is_string());
    // extension.js starts `custody lsp` from the setting.
    let js = std::fs::read_to_string(dir.join("extension.js")).expect("extension.js");
    for needle in [
        "custody.path",
        "'lsp'",
        "vscode-languageclient/node",
        "custody.yaml",
    ] {
        assert!(
            js.contains(needle),
            "extension.js does not mention {needle}"
        );
    }
    exists("README.md");
}

/// extension.js is JavaScript node accepts (`node --check`: parsed, not run; VS Code and
/// vscode-languageclient are not here).
#[test]
fn vscode_extension_js_parses() {
    let Some((node, _)) = tokenizer("vscode_extension_js_parses") else {
        return;
    };
    let js = root().join("editors/vscode/extension.js");
    let out = Command::new(&node)
        .arg("--check")
        .arg(&js)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "{} does not parse: {}",
        js.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
