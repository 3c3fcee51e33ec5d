//! `custody help-code CODE`: print a code's entry from the error catalogue as plain text.
//!
//! The catalogue is generated from the code definitions (`diag::codes` and each lint's
//! `CODE`): [`catalogue`] renders it as Markdown, which is also `docs/errors.md` (a test
//! keeps the file equal to it), and the entries are read back from that Markdown.

use super::{Output, Std};
use crate::cli::{ColorChoice, HelpCodeArgs};
use crate::diag::code::Code;
use crate::diag::{self, Diag, Level, codes};
use crate::source::SourceMap;
use crate::types::Exit;

/// The catalogue, rendered once per process.
static CATALOGUE: std::sync::LazyLock<String> = std::sync::LazyLock::new(catalogue);

/// Every code custody defines, in catalogue order within each namespace.
pub fn all_codes() -> Vec<&'static Code> {
    codes::ALL
        .iter()
        .copied()
        .chain(crate::lint::codes())
        .collect()
}

/// The error catalogue as Markdown, from the code definitions: `docs/errors.md` is this
/// text (`tests/errors.rs` keeps it so).
pub fn catalogue() -> String {
    let all = all_codes();
    let mut out = format!("{}\n\n", codes::PREAMBLE);
    for section in codes::SECTIONS {
        out.push_str(&format!("## {}\n\n", section.title));
        if !section.intro.is_empty() {
            out.push_str(&format!("{}\n\n", section.intro));
        }
        for ns in section.namespaces {
            for code in all.iter().filter(|c| c.namespace() == *ns) {
                let level = match code.level {
                    Level::Error => "error",
                    Level::Warning => "warning",
                };
                out.push_str(&format!(
                    "### {}\nLevel: {level}\n\n{}\n",
                    code.name,
                    code.entry()
                ));
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The prefix every code starts with; `help-code` accepts codes without it.
const PREFIX: &str = "custody::";

/// One `### custody::…` section of the catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<'a> {
    pub code: &'a str,
    /// The lines after the heading, up to the next heading.
    pub lines: Vec<&'a str>,
}

/// A fenced example in an entry: ```` ```policy title="rules.policy" ````.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    pub lang: String,
    /// The file the example is written to (`title="…"`), if given.
    pub title: Option<String>,
    pub content: String,
}

/// Every entry of a catalogue, in page order. HTML comments (the format description at the
/// top) and fenced blocks are skipped when looking for headings.
pub fn entries(doc: &str) -> Vec<Entry<'_>> {
    let mut out: Vec<Entry<'_>> = Vec::new();
    let (mut in_comment, mut in_fence) = (false, false);
    for line in doc.lines() {
        let t = line.trim_start();
        if in_comment {
            in_comment = !line.contains("-->");
            continue;
        }
        if !in_fence && t.starts_with("<!--") {
            in_comment = !line.contains("-->");
            continue;
        }
        if t.starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence && line.starts_with('#') {
            if let Some(code) = line
                .strip_prefix("### ")
                .map(|c| c.trim().trim_matches('`'))
                && code.starts_with(PREFIX)
            {
                out.push(Entry {
                    code,
                    lines: Vec::new(),
                });
            } else {
                // Any other heading ends the entry before it.
                out.push(Entry {
                    code: "",
                    lines: Vec::new(),
                });
            }
            continue;
        }
        if let Some(e) = out.last_mut() {
            e.lines.push(line);
        }
    }
    out.retain(|e| !e.code.is_empty());
    out
}

impl Entry<'_> {
    /// The value of a `Key: value` line, e.g. `Level`, `Run`, `Produced by`.
    pub fn field(&self, key: &str) -> Option<&str> {
        self.lines.iter().find_map(|l| {
            l.strip_prefix(key)
                .and_then(|r| r.strip_prefix(':'))
                .map(str::trim)
        })
    }

    /// The first sentence of the entry's first paragraph.
    pub fn summary(&self) -> String {
        let para: Vec<&str> = self
            .lines
            .iter()
            .map(|l| l.trim())
            .skip_while(|l| l.is_empty() || l.starts_with("Level:"))
            .take_while(|l| !l.is_empty())
            .collect();
        let text = para.join(" ");
        match text.find(". ") {
            Some(i) => text[..=i].to_owned(),
            None => text,
        }
    }

    /// The fenced examples, in order.
    pub fn examples(&self) -> Vec<Example> {
        let mut out = Vec::new();
        let mut open: Option<Example> = None;
        for line in &self.lines {
            let t = line.trim_start();
            match (&mut open, t.strip_prefix("```")) {
                (None, Some(info)) => {
                    let lang = info.split_whitespace().next().unwrap_or("").to_owned();
                    let title = info
                        .split_once("title=\"")
                        .and_then(|(_, rest)| rest.split_once('"'))
                        .map(|(t, _)| t.to_owned());
                    open = Some(Example {
                        lang,
                        title,
                        content: String::new(),
                    });
                }
                (Some(_), Some(_)) => out.extend(open.take()),
                (Some(ex), None) => {
                    ex.content.push_str(line);
                    ex.content.push('\n');
                }
                (None, None) => {}
            }
        }
        out
    }

    /// The entry as plain text for a terminal: the code and level, the prose, each example
    /// under its file name and indented, and the fix. Test-only markers are left out.
    pub fn plain(&self) -> String {
        let level = self.field("Level").unwrap_or("error");
        let mut out = format!("{} ({level})\n", self.code);
        let mut in_fence = false;
        let mut blank = false;
        for line in &self.lines {
            let t = line.trim_start();
            if let Some(info) = t.strip_prefix("```") {
                if !in_fence {
                    let title = info
                        .split_once("title=\"")
                        .and_then(|(_, rest)| rest.split_once('"'))
                        .map(|(t, _)| t.to_owned())
                        .unwrap_or_else(|| info.trim().to_owned());
                    if !title.is_empty() {
                        out.push_str(&format!("  {title}:\n"));
                    }
                }
                in_fence = !in_fence;
                blank = false;
                continue;
            }
            if in_fence {
                if !line.trim().is_empty() {
                    out.push_str("    ");
                    out.push_str(line);
                }
                out.push('\n');
                continue;
            }
            if t.starts_with("Level:") || t.starts_with("Produced by:") {
                continue;
            }
            if line.trim().is_empty() {
                // Collapse runs of blank lines (a dropped marker leaves one behind).
                if !blank {
                    out.push('\n');
                }
                blank = true;
                continue;
            }
            blank = false;
            out.push_str(line);
            out.push('\n');
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

/// The entry for `code`, with or without the `custody::` prefix.
pub fn lookup<'a>(doc: &'a str, code: &str) -> Option<Entry<'a>> {
    let full = full_code(code);
    entries(doc).into_iter().find(|e| e.code == full)
}

pub fn run(args: &HelpCodeArgs, cwd: std::path::PathBuf, today: jiff::civil::Date) -> Output {
    let _ = (cwd, today);
    if let Some(entry) = lookup(&CATALOGUE, &args.code) {
        return Output {
            stdout: entry.plain(),
            ..Output::default()
        };
    }
    if let Some(list) = namespace(&CATALOGUE, &args.code) {
        return Output {
            stdout: list,
            ..Output::default()
        };
    }
    let style = super::style(ColorChoice::Auto, Std::Err);
    Output {
        stdout: String::new(),
        stderr: diag::render_all(
            &[unknown(&CATALOGUE, &args.code)],
            &SourceMap::new(),
            &diag::handler(style.color, style.width),
        ),
        exit: Exit::Invalid,
        ..Output::default()
    }
}

fn full_code(code: &str) -> String {
    let code = code.trim();
    if code.starts_with(PREFIX) {
        code.to_owned()
    } else {
        format!("{PREFIX}{code}")
    }
}

/// `custody help-code lint`: each code of a namespace with its first sentence.
pub fn namespace(doc: &str, name: &str) -> Option<String> {
    let ns = format!("{}::", full_code(name).trim_end_matches(':'));
    let inside: Vec<Entry<'_>> = entries(doc)
        .into_iter()
        .filter(|e| e.code.starts_with(&ns))
        .collect();
    if inside.is_empty() {
        return None;
    }
    let n = inside.len();
    let mut out = format!(
        "{} has {n} {}; `custody help-code CODE` prints one in full.\n",
        ns.trim_end_matches(':'),
        if n == 1 { "code" } else { "codes" }
    );
    for e in &inside {
        let summary = textwrap::fill(
            &e.summary(),
            textwrap::Options::new(92)
                .initial_indent("  ")
                .subsequent_indent("  ")
                .word_splitter(textwrap::WordSplitter::NoHyphenation),
        );
        out.push_str(&format!(
            "\n{} ({})\n{summary}\n",
            e.code,
            e.field("Level").unwrap_or("error"),
        ));
    }
    Some(out)
}

/// The error for a code the catalogue does not have, with a did-you-mean.
pub fn unknown(doc: &str, code: &str) -> Diag {
    let all = entries(doc);
    let help = match diag::did_you_mean(&full_code(code), all.iter().map(|e| e.code)) {
        Some(near) => format!("did you mean `{near}`?"),
        None => "codes look like `custody::policy::unknown_field`; each diagnostic shows its code above the message, and `custody help-code lint` lists the codes of a namespace".to_owned(),
    };
    Diag::new(
        &codes::cli::UNKNOWN_CODE,
        format!("`{}` is not a custody error or warning code", code.trim()),
    )
    .help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"# Catalogue

<!-- Format:

### custody::namespace::name
Level: error
-->

## Policy checking

### custody::policy::unknown_field
Level: error

A field the schema does not have.

```policy title="rules.policy"
rule R "t" {
  for vendor v
  require v.teir == "high"
}
```

Produced by: tests/robustness.rs

Fix: correct the name.

### custody::lint::unused_let
Level: warning

Unused.

## Formatting

Text of another section.
"#;

    #[test]
    fn entries_skip_the_format_comment_and_end_at_any_heading() {
        let e = entries(DOC);
        let codes: Vec<&str> = e.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                "custody::policy::unknown_field",
                "custody::lint::unused_let"
            ]
        );
        assert!(!e[1].lines.iter().any(|l| l.contains("another section")));
        assert_eq!(e[0].field("Produced by"), Some("tests/robustness.rs"));
        assert_eq!(e[1].field("Level"), Some("warning"));
        let ex = e[0].examples();
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].lang, "policy");
        assert_eq!(ex[0].title.as_deref(), Some("rules.policy"));
        assert!(ex[0].content.starts_with("rule R"));
    }

    #[test]
    fn plain_text_keeps_examples_and_drops_markers() {
        let e = lookup(DOC, "policy::unknown_field").map(|e| e.plain());
        insta::assert_snapshot!(e.unwrap_or_default(), @r#"
        custody::policy::unknown_field (error)

        A field the schema does not have.

          rules.policy:
            rule R "t" {
              for vendor v
              require v.teir == "high"
            }

        Fix: correct the name.
        "#);
    }

    #[test]
    fn unknown_codes_get_a_did_you_mean() {
        let d = unknown(DOC, "policy::unknwn_field");
        assert_eq!(
            d.help.as_deref(),
            Some("did you mean `custody::policy::unknown_field`?")
        );
        assert_eq!(
            d.message,
            "`policy::unknwn_field` is not a custody error or warning code"
        );
    }

    #[test]
    fn a_namespace_lists_its_codes() {
        assert_eq!(namespace(DOC, "nope"), None);
        insta::assert_snapshot!(namespace(DOC, "custody::lint").unwrap_or_default(), @r"
        custody::lint has 1 code; `custody help-code CODE` prints one in full.

        custody::lint::unused_let (warning)
          Unused.
        ");
    }

    #[test]
    fn every_catalogue_entry_has_a_level_and_renders() {
        let all = entries(&CATALOGUE);
        for e in &all {
            assert!(
                matches!(e.field("Level"), Some("error" | "warning")),
                "{} has no `Level: error` or `Level: warning` line",
                e.code
            );
            assert!(lookup(&CATALOGUE, e.code).is_some());
            assert!(e.plain().starts_with(e.code));
        }
        let mut codes: Vec<&str> = all.iter().map(|e| e.code).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(n, codes.len(), "a code is documented twice");
    }
}
