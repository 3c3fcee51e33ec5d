//! One user-facing diagnostic type for every error and warning, and its miette rendering.
//!
//! Every stage pushes `Diag`s into a shared list instead of stopping, so one run reports
//! all problems in all files. A `Diag` is plain data (code, words, locations); it becomes a
//! `miette::Diagnostic` only when rendered, against the `SourceMap`.

pub mod code;
pub mod codes;

use crate::source::{Loc, SourceMap};
use code::Code;
use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
pub enum Level {
    Error,
    Warning,
}

/// A label: a location and optional words shown beside it.
#[derive(Clone, PartialEq, Debug)]
pub struct Label {
    pub loc: Loc,
    pub text: Option<String>,
}

impl Label {
    pub fn new(loc: Loc, text: impl Into<String>) -> Label {
        Label {
            loc,
            text: Some(text.into()),
        }
    }
}

/// A problem the user can fix: bad YAML, an unknown name, a type error, a hostile input.
///
/// Wording follows cedar's style guide: `message` is lowercase, one sentence, no final
/// period, user input in backticks; advice goes in `help`.
#[derive(Clone, PartialEq, Debug)]
pub struct Diag {
    pub level: Level,
    /// Stable code, e.g. `custody::inventory::unknown_field`.
    pub code: &'static str,
    pub message: String,
    /// Where the problem is. `None` for problems with no location (a missing directory).
    pub primary: Option<Label>,
    /// More places in the same or other files (labels in other files render as related notes).
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diag {
    /// A diagnostic of `code`, at the code's level: the only way to make one, so every
    /// code shown has a definition and a catalogue entry.
    pub fn new(code: &'static Code, message: impl Into<String>) -> Diag {
        Diag {
            level: code.level,
            code: code.name,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
        }
    }
    /// Put the primary label at `loc`, with `text` beside it.
    pub fn at(mut self, loc: Loc, text: impl Into<String>) -> Diag {
        self.primary = Some(Label::new(loc, text));
        self
    }
    pub fn also(mut self, loc: Loc, text: impl Into<String>) -> Diag {
        self.secondary.push(Label::new(loc, text));
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Diag {
        self.help = Some(help.into());
        self
    }
    pub fn help_opt(mut self, help: Option<String>) -> Diag {
        if help.is_some() {
            self.help = help;
        }
        self
    }
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// Sort key: file, position, then code and message, so output order never depends on
    /// the order work happened in.
    pub fn sort_key(&self) -> (u32, u32, u32, &'static str, &str) {
        match &self.primary {
            Some(l) => (
                l.loc.file.0,
                l.loc.span.start,
                l.loc.span.end,
                self.code,
                &self.message,
            ),
            None => (0, 0, 0, self.code, &self.message),
        }
    }
}

/// Sort diagnostics deterministically: errors without location first, then by file and position.
pub fn sort(diags: &mut [Diag]) {
    diags.sort_by(|a, b| {
        (a.primary.is_some(), a.sort_key()).cmp(&(b.primary.is_some(), b.sort_key()))
    });
}

/// Did-you-mean: the closest candidate to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &'a str)> = None;
    // Hoisted out of the loop: a dangling reference is compared with every id of its kind
    // (thousands), and each comparison used to lowercase both names again.
    let lower = name.to_lowercase();
    let edits = (name.chars().count().max(3) / 3).max(1);
    let counts = ascii_counts(name);
    for c in candidates {
        if c == name {
            continue;
        }
        let score = if c.is_ascii() && !c.bytes().any(|b| b.is_ascii_uppercase()) {
            strsim::jaro_winkler(&lower, c)
        } else {
            strsim::jaro_winkler(&lower, &c.to_lowercase())
        };
        let close = score >= 0.85
            || (!surely_far(counts.as_ref(), c, edits)
                && strsim::damerau_levenshtein(name, c) <= edits);
        if close && best.is_none_or(|(s, b)| score > s || (score == s && c < b)) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// How often each byte occurs in an ASCII `s` (`None` otherwise).
fn ascii_counts(s: &str) -> Option<[i32; 128]> {
    let mut counts = [0i32; 128];
    for b in s.bytes() {
        *counts.get_mut(usize::from(b))? += 1;
    }
    Some(counts)
}

/// Whether `c` is certainly more than `edits` edits (insertions, deletions, substitutions,
/// transpositions) from the name whose `ascii_counts` are `counts`: each edit changes the
/// character counts by at most 2 in all, so half their difference is a lower bound of the
/// distance. `false` when unsure (non-ASCII text): then the distance is computed.
fn surely_far(counts: Option<&[i32; 128]>, c: &str, edits: usize) -> bool {
    let (Some(counts), Some(other)) = (counts, ascii_counts(c)) else {
        return false;
    };
    let diff: i32 = counts
        .iter()
        .zip(other.iter())
        .map(|(a, b)| (a - b).abs())
        .sum();
    diff as usize > 2 * edits
}

/// `help` text for an unknown name: "did you mean `x`?", else the list of valid names when short.
pub fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> Option<String> {
    if let Some(near) = did_you_mean(name, candidates.clone()) {
        return Some(format!("did you mean `{near}`?"));
    }
    let mut all: Vec<&str> = candidates.into_iter().collect();
    all.sort_unstable();
    all.dedup();
    if all.is_empty() {
        None
    } else if all.len() <= 12 {
        let list: Vec<String> = all.iter().map(|c| format!("`{c}`")).collect();
        Some(format!("{what} are: {}", list.join(", ")))
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------
// Rendering through miette.

/// What miette renders, for errors, warnings and findings alike: the one adapter between
/// custody's data and `miette::Diagnostic`. A [`Diag`] becomes one with [`Shown::diag`];
/// `report::human` builds one per failing finding.
pub struct Shown<'a> {
    /// The code above the message (a finding names its rule in the message instead).
    pub code: Option<&'a str>,
    pub severity: miette::Severity,
    pub message: String,
    pub help: Option<String>,
    pub sources: &'a SourceMap,
    /// Labelled places in one file; the first is the primary one, whose `file:line:column`
    /// heads the snippet. Empty for a problem with no location.
    pub labels: Vec<(Loc, Option<String>)>,
    /// Notes under the snippet: places in other files, or facts without a place.
    pub notes: Vec<Note<'a>>,
    /// The primary file without blank context lines in the snippet (findings); `None`: the
    /// file as it is (diagnostics).
    pub tight: Option<Tight<'a>>,
}

/// A note under a diagnostic: words, and optionally a place shown with them.
pub struct Note<'a> {
    pub text: String,
    pub loc: Option<(Loc, Option<String>)>,
    pub sources: &'a SourceMap,
}

impl<'a> Shown<'a> {
    /// A diagnostic: its primary label and the secondary labels in the same file in the
    /// snippet; secondary labels in other files (or any, on a long line) as notes naming
    /// their place.
    pub fn diag(diag: &'a Diag, sources: &'a SourceMap) -> Shown<'a> {
        let severity = match diag.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
        };
        let mut labels = Vec::new();
        let mut notes = Vec::new();
        // Secondary labels share the snippet only in the primary label's file, and not on a
        // line too long to show whole.
        let mut snippet_file = None;
        if let Some(primary) = &diag.primary {
            labels.push((primary.loc, primary.text.clone()));
            if !on_long_line(sources, primary.loc) {
                snippet_file = Some(primary.loc.file);
            }
        }
        for l in &diag.secondary {
            if snippet_file == Some(l.loc.file) {
                labels.push((l.loc, l.text.clone()));
            } else {
                let text = l.text.as_deref().unwrap_or("see here");
                notes.push(Note {
                    text: format!("{text} ({})", sources.display(l.loc)),
                    loc: Some((l.loc, None)),
                    sources,
                });
            }
        }
        Shown {
            code: Some(diag.code),
            severity,
            message: diag.message.clone(),
            help: diag.help.clone(),
            sources,
            labels,
            notes,
            tight: None,
        }
    }
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code.map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        let (loc, _) = self.labels.first()?;
        match &self.tight {
            Some(t) => Some(t as &dyn miette::SourceCode),
            None => Some(self.sources.get(loc.file) as &dyn miette::SourceCode),
        }
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(
            |(i, (l, text))| {
                let span = (l.span.start as usize, l.span.len());
                if i == 0 {
                    miette::LabeledSpan::new_primary_with_span(text.clone(), span)
                } else {
                    miette::LabeledSpan::new_with_span(text.clone(), span)
                }
            },
        )))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.notes.is_empty() {
            return None;
        }
        Some(Box::new(
            self.notes.iter().map(|n| n as &dyn miette::Diagnostic),
        ))
    }
}

impl fmt::Debug for Note<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
impl fmt::Display for Note<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
impl std::error::Error for Note<'_> {}
impl miette::Diagnostic for Note<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.loc
            .as_ref()
            .map(|(l, _)| self.sources.get(l.file) as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let (l, text) = self.loc.as_ref()?;
        Some(Box::new(std::iter::once(miette::LabeledSpan::new(
            text.clone(),
            l.span.start as usize,
            l.span.len(),
        ))))
    }
}

/// Lines longer than this are shown as a window around the label, not in full: a minified
/// JSON inventory is one line of megabytes.
const LONG_LINE: usize = 240;

/// Is `loc` on a line too long to show whole? Several labels on such a line would make
/// miette show everything between them, so callers show each in its own note instead.
pub fn on_long_line(sources: &SourceMap, loc: Loc) -> bool {
    let file = sources.get(loc.file);
    let len = file.len();
    let start = (loc.span.start as usize).min(len);
    let end = (loc.span.end as usize).min(len).max(start);
    let (line_start, line_end) = file.line_around(start, end);
    line_end - line_start > LONG_LINE
}
/// Bytes shown on each side of a label on a long line.
const WINDOW: usize = 36;

/// A source file whose snippets leave out blank context lines: a finding's snippet shows
/// the labelled lines and the non-blank lines beside them only.
pub struct Tight<'a>(pub &'a crate::source::SourceFile);

impl miette::SourceCode for Tight<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .0
            .read_span(span, context_lines_before, context_lines_after)?;
        let data = inner.data();
        let from = inner.span().offset();
        let (label_from, label_to) = (span.offset(), span.offset() + span.len());
        let mut skip = 0;
        let mut line = inner.line();
        let mut lines = inner.line_count();
        // Leading context lines that are blank, before the label.
        while lines > 1 {
            let rest = &data[skip..];
            let Some(nl) = rest.iter().position(|b| *b == b'\n') else {
                break;
            };
            if from + skip + nl >= label_from || !rest[..nl].iter().all(u8::is_ascii_whitespace) {
                break;
            }
            skip += nl + 1;
            line += 1;
            lines -= 1;
        }
        // Trailing context lines that are blank, after the label.
        let mut end = data.len();
        while lines > 1 {
            let body = &data[skip..end];
            let body = body.strip_suffix(b"\n").unwrap_or(body);
            let Some(nl) = body.iter().rposition(|b| *b == b'\n') else {
                break;
            };
            let last_start = skip + nl + 1;
            if from + last_start < label_to || !body[nl + 1..].iter().all(u8::is_ascii_whitespace) {
                break;
            }
            end = skip + nl;
            lines -= 1;
        }
        if skip == 0 && end == data.len() {
            return Ok(inner);
        }
        let column = if skip == 0 { inner.column() } else { 0 };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            inner.name().unwrap_or_default().to_owned(),
            &data[skip..end],
            (from + skip, end - skip).into(),
            line,
            column,
            lines,
        )))
    }
}

/// `SourceFile` is miette source code directly: no copy of large inventories.
impl miette::SourceCode for crate::source::SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text: &str = self.text();
        let start = span.offset().min(text.len());
        let end = (start + span.len()).min(text.len());
        // From the line index: scanning for the line's ends would cost the whole line for
        // every label on a one-line (minified) file.
        let (line_start, line_end) = self.line_around(start, end);
        let one_line = !text[start..end].contains('\n');
        if one_line
            && line_end - line_start > LONG_LINE
            && context_lines_before == 0
            && context_lines_after == 0
        {
            // miette asks for the label alone to print its `file:line:column`.
            let (line, column) = self.line_col(start as u32);
            return Ok(Box::new(miette::MietteSpanContents::new_named(
                self.name.clone(),
                &text.as_bytes()[start..end],
                (start, end - start).into(),
                line - 1,
                column - 1,
                1,
            )));
        }
        if one_line && line_end - line_start > LONG_LINE {
            // Show only the label's surroundings on this one line.
            let mut from = start.saturating_sub(WINDOW).max(line_start);
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = (end + WINDOW).min(line_end).max(from);
            while !text.is_char_boundary(to) {
                to += 1;
            }
            let (line, _) = self.line_col(from as u32);
            let column = self.line_col(from as u32).1 - 1;
            return Ok(Box::new(miette::MietteSpanContents::new_named(
                self.name.clone(),
                &text.as_bytes()[from..to],
                (from, to - from).into(),
                line - 1,
                column,
                1,
            )));
        }
        // miette's own `str` implementation counts lines from the start of the text, which
        // made rendering N diagnostics in one file quadratic. Hand it the text from a line
        // start just above the context instead, and shift what it finds back: the same
        // result, in time proportional to the snippet.
        let (base, lines_before) =
            self.line_start_before(start as u32, context_lines_before.saturating_add(1));
        let rest = text.get(base..).unwrap_or("");
        let shifted: miette::SourceSpan = (span.offset().saturating_sub(base), span.len()).into();
        let inner = rest.read_span(&shifted, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            (inner.span().offset() + base, inner.span().len()).into(),
            inner.line() + lines_before,
            inner.column(),
            inner.line_count() + lines_before,
        )))
    }
}

/// Render diagnostics as miette's graphical report into a string.
pub fn render_all(
    diags: &[Diag],
    sources: &SourceMap,
    handler: &miette::GraphicalReportHandler,
) -> String {
    let mut out = String::new();
    for d in diags {
        let _ = handler.render_report(&mut out, &Shown::diag(d, sources));
        out.push('\n');
    }
    out
}

/// The miette renderer for all human output: unicode, fixed width (output must not depend on
/// the terminal), related notes nested under their diagnostic.
pub fn handler(color: bool, width: usize) -> miette::GraphicalReportHandler {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false)
        .with_show_related_as_nested(true)
        .with_break_words(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// The renderer used for snapshots and `--color never`.
pub fn plain_handler(width: usize) -> miette::GraphicalReportHandler {
    handler(false, width)
}

/// Render diagnostics without colour at width 100: what tests snapshot.
pub fn render_plain(diags: &[Diag], sources: &SourceMap) -> String {
    render_all(diags, sources, &plain_handler(100))
}

#[cfg(test)]
mod tests {
    /// The shortcuts of `did_you_mean` (lowercasing once, the character-count bound) choose
    /// what comparing every candidate in full chooses.
    #[test]
    fn did_you_mean_equals_the_full_comparison() {
        fn full<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
            let mut best: Option<(f64, &'a str)> = None;
            for &c in candidates {
                if c == name {
                    continue;
                }
                let score = strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase());
                let close = score >= 0.85
                    || strsim::damerau_levenshtein(name, c)
                        <= (name.chars().count().max(3) / 3).max(1);
                if close && best.is_none_or(|(s, b)| score > s || (score == s && c < b)) {
                    best = Some((score, c));
                }
            }
            best.map(|(_, c)| c)
        }
        let words = [
            "v000000",
            "v000001",
            "v000010",
            "v000100",
            "v100000",
            "V000000",
            "v00000",
            "v0000000",
            "vendor",
            "vendors",
            "Vendor",
            "vnedor",
            "acme",
            "acme-corp",
            "acm",
            "ACME",
            "café",
            "cafe",
            "CAFÉ",
            "zürich",
            "zurich",
            "s000250",
            "s000205",
            "tier",
            "teir",
            "tire",
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "cba",
            "data_stores",
            "data_store",
            "datastores",
            "x0x0",
        ];
        for name in words {
            assert_eq!(
                super::did_you_mean(name, words),
                full(name, &words),
                "{name}"
            );
        }
    }

    use crate::source::SourceMap;
    use miette::SourceCode;

    /// `SourceFile::read_span` starts miette's line count near the snippet instead of at
    /// the start of the text: every short text over `a`, `\n` and `\r` (so `\r\n` and lone
    /// `\r` breaks too), every span and context size, gives what miette gives on the whole.
    #[test]
    fn read_span_from_a_nearby_line_start_equals_miette_on_the_whole_text() {
        let alphabet = [b'a', b'\n', b'\r'];
        let mut sources = SourceMap::new();
        let mut texts = Vec::new();
        for len in 0..=7u32 {
            for mut n in 0..3usize.pow(len) {
                let mut t = Vec::new();
                for _ in 0..len {
                    t.push(alphabet[n % 3]);
                    n /= 3;
                }
                texts.push(String::from_utf8(t).unwrap());
            }
        }
        for text in texts {
            let id = sources.add("t", text.clone());
            let file = sources.get(id);
            for start in 0..=text.len() {
                for len in 0..=(text.len() - start) {
                    let span: miette::SourceSpan = (start, len).into();
                    for before in 0..3 {
                        for after in 0..3 {
                            let ours = file.read_span(&span, before, after);
                            let theirs = text.as_str().read_span(&span, before, after);
                            match (ours, theirs) {
                                (Ok(o), Ok(t)) => assert_eq!(
                                    (o.data(), *o.span(), o.line(), o.column(), o.line_count()),
                                    (t.data(), *t.span(), t.line(), t.column(), t.line_count()),
                                    "{text:?} {start}+{len} context {before}/{after}"
                                ),
                                (Err(_), Err(_)) => {}
                                (o, t) => panic!(
                                    "{text:?} {start}+{len}: {:?} vs {:?}",
                                    o.is_ok(),
                                    t.is_ok()
                                ),
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod long_line_tests {
    use crate::source::{FileId, Loc, SourceMap, Span};

    /// On a long line with multi-byte characters, `line_col` (counted from chunk
    /// checkpoints) and `on_long_line` (from the line index) agree with counting and
    /// scanning from the line's start.
    #[test]
    fn columns_and_line_ends_on_a_long_line_equal_a_scan() {
        let mut text = String::from("short\n");
        for i in 0..20_000 {
            text.push_str(["a", "é", "字", "🦀"][i % 4]);
            if i % 7_919 == 0 {
                text.push('\n');
            }
        }
        text.push_str("\nend");
        let mut sources = SourceMap::new();
        let id: FileId = sources.add("t", text.clone());
        let file = sources.get(id);
        for offset in (0..=text.len()).step_by(37).chain([text.len()]) {
            let b = text.as_bytes();
            let line_start = b[..offset]
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(0, |i| i + 1);
            let line = b[..offset].iter().filter(|&&c| c == b'\n').count() + 1;
            let naive = match text.get(line_start..offset) {
                Some(s) => s.chars().count(),
                None => offset - line_start,
            };
            assert_eq!(file.line_col(offset as u32), (line, naive + 1), "{offset}");
            let line_end = b[offset..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(text.len(), |i| offset + i);
            assert_eq!(file.line_around(offset, offset), (line_start, line_end));
            let loc = Loc::new(id, Span::new(offset, offset));
            assert_eq!(
                super::on_long_line(&sources, loc),
                line_end - line_start > super::LONG_LINE
            );
        }
    }
}
