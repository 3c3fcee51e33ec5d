//! The source map: every file custody reads, kept once, addressed by `FileId`; `Loc` points into it.

use std::fmt;
use std::sync::Arc;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct FileId(pub u32);

/// A byte range in one file. Offsets are `u32`: custody refuses files over 4 GiB before reading.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A span in a particular file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

impl Loc {
    pub fn new(file: FileId, span: Span) -> Loc {
        Loc { file, span }
    }
}

impl fmt::Debug for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}..{}", self.file.0, self.span.start, self.span.end)
    }
}

/// One file's name (as shown to the user) and text.
pub struct SourceFile {
    pub name: String,
    /// `Arc<String>`, not `Arc<str>`: a file's text is moved in, never copied (inventories
    /// can be large), and cloning the handle is cheap. Empty once let go
    /// ([`SourceMap::lend`]) until something asks for the text again ([`SourceFile::text`]).
    text: std::sync::OnceLock<Arc<String>>,
    /// Where to read a let-go text again, and what the file was when it was first read.
    released: Option<Released>,
    /// The text's length in bytes, known with or without the text.
    len: usize,
    line_starts: Vec<u32>,
    /// Offsets of carriage returns not followed by a line feed: miette counts each as a line
    /// break, `line_starts` does not. Almost always empty.
    lone_crs: Vec<u32>,
    /// Characters before each `CHUNK`-byte boundary, built on first use: the column of a
    /// label far into a long line (a minified JSON inventory is one line) is then counted
    /// from the nearest boundary, not from the line's start.
    chars_before: std::sync::OnceLock<Vec<u32>>,
    /// For each `LINE_BUCKET`-byte boundary, how many line starts are at or before it, built
    /// on first use in a file of more than `LINE_BUCKET_MIN` lines: a line is then searched
    /// among the few starts of its bucket, not the whole index (a report of a large
    /// inventory looks up hundreds of thousands of locations).
    lines_before: std::sync::OnceLock<Vec<u32>>,
}

/// Bytes between the checkpoints of `SourceFile::chars_before`.
const CHUNK: usize = 4096;

/// Bytes per bucket of `SourceFile::lines_before`, and the lines a file needs to have one.
const LINE_BUCKET: usize = 1024;
const LINE_BUCKET_MIN: usize = 4096;

/// Characters starting in `bytes` (a UTF-8 character starts at every byte that is not a
/// continuation byte), so a range need not fall on character boundaries.
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

impl SourceFile {
    fn new(name: String, text: String) -> SourceFile {
        let text: Arc<String> = Arc::new(text);
        let len = text.len();
        let bytes = text.as_bytes();
        // memchr: a register's files are tens of megabytes, scanned once each.
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(0u32);
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| (i + 1) as u32));
        let lone_crs = memchr::memchr_iter(b'\r', bytes)
            .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
            .map(|i| i as u32)
            .collect();
        SourceFile {
            name,
            text: std::sync::OnceLock::from(text),
            released: None,
            len,
            line_starts,
            lone_crs,
            chars_before: std::sync::OnceLock::new(),
            lines_before: std::sync::OnceLock::new(),
        }
    }

    /// The 0-based line holding byte `offset`: the last line start at or before it.
    fn line_of(&self, offset: u32) -> usize {
        let starts = &self.line_starts;
        let whole = || starts.partition_point(|&s| s <= offset).saturating_sub(1);
        if starts.len() <= LINE_BUCKET_MIN {
            return whole();
        }
        let marks = self.lines_before.get_or_init(|| {
            let mut marks = Vec::with_capacity(self.len / LINE_BUCKET + 2);
            let mut seen = 0usize;
            for b in 0..=self.len / LINE_BUCKET + 1 {
                let at = b * LINE_BUCKET;
                seen += starts
                    .get(seen..)
                    .unwrap_or_default()
                    .partition_point(|&s| s as usize <= at);
                marks.push(seen as u32);
            }
            marks
        });
        // The starts at or before `offset` are at least those at or before its bucket's
        // first byte and at most those at or before the next bucket's.
        let b = offset as usize / LINE_BUCKET;
        match (marks.get(b), marks.get(b + 1)) {
            (Some(&lo), Some(&hi)) => match starts.get(lo as usize..hi as usize) {
                Some(within) => {
                    (lo as usize + within.partition_point(|&s| s <= offset)).saturating_sub(1)
                }
                None => whole(),
            },
            _ => whole(),
        }
    }

    /// 1-based line and column (column counted in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.line_starts.get(line).copied().unwrap_or(0) as usize;
        let end = (offset as usize).min(self.len);
        let col = if end < start {
            0
        } else if self.released.is_some() {
            // Only an all-ASCII text is let go: a character per byte, and the text need
            // not be read again to count them.
            end - start
        } else if !self.text().is_char_boundary(end) {
            end - start
        } else {
            self.chars_between(start, end)
        };
        (line + 1, col + 1)
    }

    /// Characters in `text[start..end]` (both character boundaries, `start <= end`), in
    /// time independent of how far apart they are once that is more than a few chunks.
    fn chars_between(&self, start: usize, end: usize) -> usize {
        let bytes = self.text().as_bytes();
        if end - start <= 4 * CHUNK {
            return char_starts(bytes.get(start..end).unwrap_or(&[]));
        }
        let marks = self.chars_before.get_or_init(|| {
            let mut marks = vec![0u32];
            let mut n = 0u32;
            for chunk in bytes.chunks(CHUNK) {
                n = n.saturating_add(char_starts(chunk) as u32);
                marks.push(n);
            }
            marks
        });
        let before = |x: usize| {
            let i = x / CHUNK;
            let at = marks.get(i).copied().unwrap_or(0) as usize;
            // A chunk with a character at every byte (ASCII, as a JSON file on one line
            // usually is) needs no counting.
            let whole = marks.get(i + 1).is_some_and(|&n| n as usize - at == CHUNK);
            at + if whole {
                x - i * CHUNK
            } else {
                char_starts(bytes.get(i * CHUNK..x).unwrap_or(&[]))
            }
        };
        before(end) - before(start)
    }

    /// The byte range of the line holding `offset`, without its `\n`: from the last line
    /// start at or before `offset` to the first `\n` at or after `end`, by the line index.
    pub fn line_around(&self, offset: usize, end: usize) -> (usize, usize) {
        let len = self.len;
        let start = self
            .line_starts
            .partition_point(|&s| s as usize <= offset)
            .checked_sub(1)
            .and_then(|i| self.line_starts.get(i))
            .map_or(0, |&s| s as usize);
        let next = self.line_starts.partition_point(|&s| s as usize <= end);
        let stop = self
            .line_starts
            .get(next)
            .map_or(len, |&s| (s as usize).saturating_sub(1));
        (start.min(len), stop.min(len))
    }

    /// The start of the line `back` lines above the one holding `offset` (`\n` lines), and
    /// the number of line breaks before it as miette counts them (`\n`, `\r\n` and a lone
    /// `\r` are each one): where a snippet can start reading instead of the file's start.
    pub fn line_start_before(&self, offset: u32, back: usize) -> (usize, usize) {
        let line = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let line = line.saturating_sub(back);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let crs = self.lone_crs.partition_point(|&c| c < start);
        (start as usize, line + crs)
    }

    /// The text of a span, or "" when the span is out of range.
    pub fn slice(&self, span: Span) -> &str {
        self.text().get(span.range()).unwrap_or("")
    }

    /// The file's text. A text let go ([`SourceMap::lend`]) is read again from its file
    /// the first time it is asked for, if the file still has the size and modification
    /// time it had when first read; otherwise (changed, removed, unreadable) the text is
    /// empty, so spans into it show no snippet instead of lines that are not the ones read.
    pub fn text(&self) -> &str {
        self.text_arc_ref().as_str()
    }

    /// The text's shared handle (see [`SourceFile::text`]).
    pub fn text_arc(&self) -> Arc<String> {
        Arc::clone(self.text_arc_ref())
    }

    fn text_arc_ref(&self) -> &Arc<String> {
        self.text.get_or_init(|| {
            let again = self
                .released
                .as_ref()
                .and_then(|r| r.read_again(self.len))
                .unwrap_or_default();
            Arc::new(again)
        })
    }

    /// Whether the text is in memory (not let go, or read again since).
    pub fn text_is_loaded(&self) -> bool {
        self.text.get().is_some()
    }

    /// The text's length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What a let-go text needs to be read again: its file, and the file's modification time
/// taken before it was first read.
struct Released {
    path: std::path::PathBuf,
    modified: std::time::SystemTime,
}

impl Released {
    /// The file's text, if it is still the one first read (same size and modification time,
    /// valid UTF-8).
    fn read_again(&self, len: usize) -> Option<String> {
        let unchanged = |m: &std::fs::Metadata| {
            m.len() == len as u64 && m.modified().ok() == Some(self.modified)
        };
        let before = std::fs::metadata(&self.path).ok()?;
        if !unchanged(&before) {
            return None;
        }
        let text = String::from_utf8(std::fs::read(&self.path).ok()?).ok()?;
        let after = std::fs::metadata(&self.path).ok()?;
        (text.len() == len && unchanged(&after)).then_some(text)
    }
}

/// Files smaller than this keep their text: letting it go saves little, and reading it
/// again for a snippet would cost more than keeping it.
pub const RELEASE_MIN: usize = 1 << 20;

/// All files read in a run. Files are only ever added, so a `FileId` stays valid.
///
/// Cloning is cheap (each file is shared): a long-lived reader (the language server) keeps
/// one map across analyses, made with [`SourceMap::indexed`], in which a file read from a
/// path is found again by its path instead of being read again, a file added without a path
/// with the same name and text as one already there is that file, and a file's text can be
/// replaced in place ([`SourceMap::set_text`]), keeping its `FileId`.
#[derive(Clone, Default)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
    index: Option<Arc<PathIndex>>,
}

/// The paths of an indexed map (see [`SourceMap::indexed`]).
#[derive(Clone, Default)]
struct PathIndex {
    by_path: std::collections::HashMap<std::path::PathBuf, FileId>,
    path_of: std::collections::HashMap<FileId, std::path::PathBuf>,
    /// Files added without a path (the embedded library, definitions), by name.
    by_name: std::collections::HashMap<String, Vec<FileId>>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// An empty map that remembers the path each file was read from (see [`SourceMap`]).
    pub fn indexed() -> SourceMap {
        SourceMap {
            files: Vec::new(),
            index: Some(Arc::default()),
        }
    }

    /// In an indexed map, the file read from `path` (an absolute, normalised path).
    pub fn lookup(&self, path: &std::path::Path) -> Option<FileId> {
        self.index.as_ref()?.by_path.get(path).copied()
    }

    /// In an indexed map, the path `file` was read from.
    pub fn path_of(&self, file: FileId) -> Option<&std::path::Path> {
        self.index.as_ref()?.path_of.get(&file).map(|p| p.as_path())
    }

    /// In an indexed map, record that `file` holds the text of `path`; no-op otherwise.
    pub fn remember(&mut self, path: std::path::PathBuf, file: FileId) {
        if let Some(index) = self.index.as_mut() {
            let index = Arc::make_mut(index);
            index.path_of.insert(file, path.clone());
            index.by_path.insert(path, file);
        }
    }

    /// In an indexed map, forget where `path` is, so the next read reads it again.
    pub fn forget(&mut self, path: &std::path::Path) {
        if let Some(index) = self.index.as_mut() {
            let index = Arc::make_mut(index);
            if let Some(id) = index.by_path.remove(path) {
                index.path_of.remove(&id);
            }
        }
    }

    /// Make `path`'s text `text` (an indexed map): the file already read from `path` keeps
    /// its `FileId` and gets the new text (unchanged, text and all, when it is the same), or
    /// a new file is added under `name`.
    pub fn set_text(&mut self, path: std::path::PathBuf, name: &str, text: String) -> FileId {
        match self.lookup(&path) {
            Some(id) => {
                if self.text(id) != text {
                    let name = self.name(id).to_owned();
                    if let Some(slot) = self.files.get_mut(id.0 as usize) {
                        *slot = Arc::new(SourceFile::new(name, text));
                    }
                }
                id
            }
            None => {
                let id = FileId(self.files.len() as u32);
                self.files
                    .push(Arc::new(SourceFile::new(name.to_owned(), text)));
                self.remember(path, id);
                id
            }
        }
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let (name, text) = (name.into(), text.into());
        let Some(index) = self.index.as_mut() else {
            let id = FileId(self.files.len() as u32);
            self.files.push(Arc::new(SourceFile::new(name, text)));
            return id;
        };
        let same = index.by_name.get(&name).and_then(|ids| {
            ids.iter().copied().find(|id| {
                self.files
                    .get(id.0 as usize)
                    .is_some_and(|f| f.text() == text)
            })
        });
        if let Some(id) = same {
            return id;
        }
        let id = FileId(self.files.len() as u32);
        Arc::make_mut(index)
            .by_name
            .entry(name.clone())
            .or_default()
            .push(id);
        self.files.push(Arc::new(SourceFile::new(name, text)));
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        // INVARIANT: FileIds are only made by `add`, and files are never removed.
        &self.files[id.0 as usize]
    }

    pub fn name(&self, id: FileId) -> &str {
        &self.get(id).name
    }

    pub fn text(&self, id: FileId) -> &str {
        self.get(id).text()
    }

    /// Let go of the text of `id`, read from `path` when the file had modification time
    /// `modified`, and hand it to the caller (the inventory loader reads the file from it
    /// and drops it as soon as the file is read); the map reads it again from the file if it
    /// is ever asked for ([`SourceFile::text`]), and keeps the line index, so lines and
    /// columns need no text. Only a file of at least [`RELEASE_MIN`] bytes, all ASCII
    /// (columns are then byte counts), that nothing else shares, is let go, and never in an
    /// indexed map (the language server's, whose texts may be an editor's unsaved ones);
    /// `None` otherwise.
    ///
    /// A large inventory's text is needed while it is parsed; afterwards a report needs only
    /// lines and columns, unless it shows a snippet (an error, a finding in the terminal).
    pub fn lend(
        &mut self,
        id: FileId,
        path: &std::path::Path,
        modified: std::time::SystemTime,
    ) -> Option<Arc<String>> {
        if self.index.is_some() {
            return None;
        }
        let file = self.files.get_mut(id.0 as usize).and_then(Arc::get_mut)?;
        let releasable = file.len >= RELEASE_MIN
            && file
                .text
                .get()
                .is_some_and(|t| Arc::strong_count(t) == 1 && t.is_ascii());
        if !releasable {
            return None;
        }
        let text = file.text.take();
        // Let go again after being read again: still the file as first read.
        if file.released.is_none() {
            file.released = Some(Released {
                path: path.to_path_buf(),
                modified,
            });
        }
        text
    }

    /// `file:line:column` of a location, 1-based.
    pub fn line_col(&self, loc: Loc) -> (usize, usize) {
        self.get(loc.file).line_col(loc.span.start)
    }

    pub fn display(&self, loc: Loc) -> String {
        let (l, c) = self.line_col(loc);
        format!("{}:{}:{}", self.name(loc.file), l, c)
    }

    pub fn slice(&self, loc: Loc) -> &str {
        self.get(loc.file).slice(loc.span)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{FileId, Loc, SourceMap};
    use std::path::PathBuf;

    #[test]
    fn an_indexed_map_keeps_ids_per_path_and_shares_texts() {
        let mut map = SourceMap::indexed();
        let path = PathBuf::from("/p/rules.policy");
        let a = map.set_text(path.clone(), "rules.policy", "one\n".to_owned());
        assert_eq!(map.lookup(&path), Some(a));
        assert_eq!(map.path_of(a), Some(path.as_path()));
        let before = map.get(a).text_arc();
        // The same text: the same file, text and all.
        assert_eq!(map.set_text(path.clone(), "x", "one\n".to_owned()), a);
        assert!(std::sync::Arc::ptr_eq(&before, &map.get(a).text_arc()));
        // A new text: the same id, a new text and line index, the first name kept.
        assert_eq!(map.set_text(path.clone(), "x", "one\ntwo\n".to_owned()), a);
        assert_eq!(map.text(a), "one\ntwo\n");
        assert_eq!(map.name(a), "rules.policy");
        assert_eq!(map.get(a).line_col(4), (2, 1));
        // A clone taken before an edit keeps the text it had.
        let snapshot = map.clone();
        map.set_text(path.clone(), "x", "three\n".to_owned());
        assert_eq!(snapshot.text(a), "one\ntwo\n");
        // Files without a path: the same name and text is the same file.
        let lib = map.add("builtin:x", "let a = 1\n");
        assert_eq!(map.add("builtin:x", "let a = 1\n"), lib);
        assert_ne!(map.add("builtin:x", "let a = 2\n"), lib);
        // Forgotten: the path is looked up no more.
        map.forget(&path);
        assert_eq!(map.lookup(&path), None);
        assert_eq!(map.path_of(a), None);
    }

    /// Columns on a long line (counted by checkpoints, ASCII chunks without counting) are
    /// the characters before the offset, counted naively.
    #[test]
    fn columns_on_a_long_line_count_characters() {
        let mut line = "a".repeat(3 * super::CHUNK + 5);
        for i in 0..200usize {
            line.push_str(if i.is_multiple_of(3) {
                "é€😀"
            } else {
                "xyz"
            });
            line.push_str(&"b".repeat(i * 97));
        }
        let mut map = SourceMap::new();
        let file = map.add("long", format!("first\n{line}"));
        let text = map.text(file).to_owned();
        for offset in (6..text.len()).step_by(1013).chain([text.len()]) {
            if !text.is_char_boundary(offset) {
                continue;
            }
            let naive = text.get(6..offset).map_or(0, |s| s.chars().count());
            assert_eq!(
                map.get(file).line_col(offset as u32),
                (2, naive + 1),
                "{offset}"
            );
        }
    }

    #[test]
    fn the_bucketed_line_lookup_equals_a_search_of_the_whole_index() {
        // Lines of every length around the bucket size, empty lines, a text with and without
        // a final line feed, and offsets past the end.
        for (n, last) in [(5000, "\n"), (6000, ""), (4097, "tail")] {
            let mut text = String::new();
            for i in 0..n {
                text.push_str(&"x".repeat((i * 7919) % 1500));
                text.push('\n');
                if i % 13 == 0 {
                    text.push('\n');
                }
            }
            text.push_str(last);
            let mut map = SourceMap::new();
            let f = map.add("big", &text);
            let file = map.get(f);
            let plain = |offset: u32| match file.line_starts.binary_search(&offset) {
                Ok(i) => i,
                Err(i) => i.saturating_sub(1),
            };
            let len = text.len() as u32;
            for offset in (0..len + 3000)
                .step_by(97)
                .chain([0, 1, len - 1, len, len + 1])
            {
                assert_eq!(file.line_of(offset), plain(offset), "offset {offset}");
            }
            for &s in file.line_starts.iter().step_by(11) {
                for o in [s.saturating_sub(1), s, s + 1] {
                    assert_eq!(file.line_of(o), plain(o), "offset {o}");
                }
            }
        }
    }

    #[test]
    fn a_plain_map_adds_every_file() {
        let mut map = SourceMap::new();
        let a = map.add("a", "same");
        let b = map.add("a", "same");
        assert_ne!(a, b);
        assert_eq!(b, FileId(1));
        map.remember(PathBuf::from("/a"), a);
        assert_eq!(map.lookup(&PathBuf::from("/a")), None);
    }

    /// A let-go text: lines, columns and the line index need no text; the text is read
    /// again, once, when asked for, and only from the file as it was first read.
    #[test]
    fn a_released_text_is_read_again_only_when_asked_and_only_if_unchanged() {
        use super::{RELEASE_MIN, Span};
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("big.yaml");
        let line = "  - id: v000001\n    name: Vendor 1 Pty Ltd\n";
        let text = line.repeat(RELEASE_MIN / line.len() + 1);
        std::fs::write(&path, &text).expect("write");
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime");
        let mut map = SourceMap::new();
        let id = map.add("big.yaml", text.clone());
        let probes: Vec<u32> = (0..text.len() as u32).step_by(4099).collect();
        let before: Vec<_> = probes.iter().map(|&o| map.get(id).line_col(o)).collect();
        let around = map.get(id).line_around(5000, 5001);
        assert!(map.lend(id, &path, modified).is_some());
        assert!(!map.get(id).text_is_loaded());
        assert_eq!(map.get(id).len(), text.len());
        let after: Vec<_> = probes.iter().map(|&o| map.get(id).line_col(o)).collect();
        assert_eq!(before, after);
        assert_eq!(map.get(id).line_around(5000, 5001), around);
        assert!(
            !map.get(id).text_is_loaded(),
            "lines and columns read no text"
        );
        // Asked for: read again, the same text.
        assert_eq!(map.slice(Loc::new(id, Span::new(4, 15))), "id: v000001");
        assert!(map.get(id).text_is_loaded());
        assert_eq!(map.text(id), text);
        // Read again, it can be let go again.
        assert!(map.lend(id, &path, modified).is_some());
        assert!(!map.get(id).text_is_loaded());

        // The file changed since it was read: no text rather than lines that were not read.
        std::fs::write(&path, text.replace("Vendor", "Rodnev")).expect("write");
        let later = modified + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(later))
            .expect("set mtime");
        assert_eq!(map.text(id), "");
        assert_eq!(map.slice(Loc::new(id, Span::new(4, 15))), "");
        assert_eq!(
            map.get(id).line_col(4099),
            before[1],
            "the index still answers"
        );

        // Removed: the same.
        let mut map = SourceMap::new();
        let id = map.add("big.yaml", text.clone());
        assert!(map.lend(id, &path, modified).is_some());
        std::fs::remove_file(&path).expect("rm");
        assert_eq!(map.text(id), "");
    }

    /// Only a large, all-ASCII text that nothing else holds is let go.
    #[test]
    fn small_non_ascii_and_shared_texts_are_kept() {
        use super::RELEASE_MIN;
        let path = PathBuf::from("/nowhere/x.yaml");
        let now = std::time::SystemTime::now();
        let mut map = SourceMap::new();
        let small = map.add("small", "a: 1\n");
        assert!(map.lend(small, &path, now).is_none());
        let big = "a: 1\n".repeat(RELEASE_MIN / 5 + 1);
        let accented = map.add("accented", format!("{big}# café\n"));
        assert!(map.lend(accented, &path, now).is_none());
        let shared = map.add("shared", big.clone());
        let held = map.get(shared).text_arc();
        assert!(map.lend(shared, &path, now).is_none());
        drop(held);
        let snapshot = map.clone();
        assert!(
            map.lend(shared, &path, now).is_none(),
            "a clone of the map shares the file"
        );
        drop(snapshot);
        assert!(map.lend(shared, &path, now).is_some());
        assert!(map.get(accented).text_is_loaded() && map.get(small).text_is_loaded());
        // The language server's map may hold an editor's unsaved text: never let go.
        let mut indexed = SourceMap::indexed();
        let open = indexed.set_text(PathBuf::from("/p/v.yaml"), "v.yaml", big);
        assert!(indexed.lend(open, &path, now).is_none());
    }
}
