//! The layering in ARCHITECTURE.md, enforced: a module may only use modules of a lower
//! layer. A `use crate::eval` in `check`, or a `crate::cmd` anywhere but `main`, fails here.

use std::path::{Path, PathBuf};

/// Top-level modules of the library, lowest layer first. A module may name modules of
/// lower layers only (not its own layer's siblings, not higher layers).
const LAYERS: &[&[&str]] = &[
    &["source", "types", "memory"],
    &["diag"],
    &["ast", "sources", "yaml", "library"],
    &["syntax", "inventory"],
    &["project"],
    &["check"],
    &["eval"],
    &["lint", "report"],
    &["testing", "ide"],
    &["cli"],
    &["cmd"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level modules `text` names through `crate::…` paths, including the groups of
/// `use crate::{a, b::c}`, and macros exported at the root (`crate::codes!`). Comments and
/// string literals are not code and are skipped.
fn crate_refs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let code = strip_strings(code);
        let mut rest = code.as_str();
        while let Some(i) = rest.find("crate::") {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    out.push(ident(item.trim()));
                }
            } else {
                out.push(ident(rest));
            }
        }
    }
    out.retain(|m| !m.is_empty() && m != "self");
    out
}

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// `line` with the contents of its string literals blanked.
fn strip_strings(line: &str) -> String {
    let mut out = String::new();
    let mut in_str = false;
    let mut escaped = false;
    for c in line.chars() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
                out.push('"');
            }
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        out.push(c);
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file under `src` belongs to (`diag` for `src/diag/code.rs`).
fn module_of<'a>(src: &Path, file: &'a Path) -> &'a str {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel
        .components()
        .next()
        .and_then(|c| c.as_os_str().to_str())
        .expect("utf-8 path");
    first.trim_end_matches(".rs")
}

/// `#[macro_export]` macros live at the crate root (`crate::codes!`) whatever module
/// defines them: each `macro_rules! NAME` → the module it is written in.
fn macros(src: &Path, files: &[PathBuf]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("read");
        for line in text.lines() {
            if let Some(rest) = line.trim_start().strip_prefix("macro_rules!") {
                out.push((ident(rest.trim()), module_of(src, file).to_owned()));
            }
        }
    }
    out
}

/// (file, its module, the module it names) for every import that goes up or sideways.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let macros = macros(src, &files);
    let mut bad = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).expect("under src");
        let module = module_of(src, &file);
        if module == "lib" || module == "main" {
            continue;
        }
        let own = layer(module)
            .unwrap_or_else(|| panic!("src/{module} is in no layer: add it to LAYERS"));
        let text = std::fs::read_to_string(&file).expect("read");
        for used in crate_refs(&text) {
            // A macro counts as a use of the module that defines it.
            let used = match macros.iter().find(|(m, _)| *m == used) {
                Some((_, defined_in)) => defined_in.clone(),
                None => used,
            };
            if used == module {
                continue;
            }
            let Some(theirs) = layer(&used) else {
                bad.push(format!(
                    "{}: names `crate::{used}`, which is in no layer",
                    rel.display()
                ));
                continue;
            };
            if theirs >= own {
                bad.push(format!(
                    "{}: `{module}` (layer {own}) uses `crate::{used}` (layer {theirs})",
                    rel.display()
                ));
            }
        }
    }
    bad
}

#[test]
fn every_module_imports_only_from_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(
        bad.is_empty(),
        "imports against the layering:\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let mods: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(mods.len() >= 15, "{mods:?}");
    let missing: Vec<_> = mods.iter().filter(|m| layer(m).is_none()).collect();
    assert!(missing.is_empty(), "modules in no layer: {missing:?}");
}

/// The scanner itself: it sees plain paths, `use crate::{…}` groups and inline paths, and
/// ignores comments and strings; an upward import in a fixture tree is reported.
#[test]
fn the_scanner_finds_upward_imports() {
    assert_eq!(
        crate_refs(
            "use crate::{check::Program, eval, self};\nlet x = crate::report::f();\ncrate::codes! {}"
        ),
        ["check", "eval", "report", "codes"]
    );
    assert!(crate_refs("// crate::cmd\nlet s = \"crate::cmd\";\nmy_crate::cmd();").is_empty());

    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("check")).expect("mkdir");
    std::fs::write(
        dir.path().join("check/mod.rs"),
        "use crate::eval::Context;\nuse crate::ast::Expr;\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("cli.rs"), "use crate::types::Severity;\n").expect("write");
    // An exported macro is a use of the module that defines it: `diag` may use `types`'s,
    // `source` (its own layer) may not.
    std::fs::write(
        dir.path().join("types.rs"),
        "#[macro_export]\nmacro_rules! shout { () => { $crate::shout!(@x) } }\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("diag.rs"), "crate::shout!();\n").expect("write");
    std::fs::write(dir.path().join("source.rs"), "crate::shout!();\n").expect("write");
    assert_eq!(
        violations(dir.path()),
        [
            "check/mod.rs: `check` (layer 5) uses `crate::eval` (layer 6)",
            "source.rs: `source` (layer 0) uses `crate::types` (layer 0)"
        ]
    );
}
