//! Where a large inventory file can be cut so that its parts are read in parallel.
//!
//! An inventory file is usually one mapping of collections whose values are long block
//! lists: `vendors:` at column 0, then `  - id: ...` entries. [`plan`] finds those entries
//! with a line scan and groups them into parts of about a given size; each part (whole
//! entries only) is then read on its own by a [`super::Reader`] made with
//! [`super::Reader::new_in`], as if it were a document whose root is the list.
//!
//! The scan looks only at line starts. It accepts a file only when every line at column 0
//! is blank, a comment, a plain collection key (`NAME:`, nothing after it but a comment,
//! each name once and known to the caller) or, for a list written at column 0, an entry;
//! and when every key's value begins with a list entry. Anything else (a document marker,
//! a directive, a flow or quoted root, a byte-order mark, a tab or a lone carriage return at
//! a line start, an unknown or repeated key, a list written at column 0 that another
//! collection follows) gives `None`, and the file is read whole.
//!
//! A part starts at a line holding exactly the list's indentation and `- `. Such a line is
//! a new entry of the list in the whole file, unless it is inside a construct that spans
//! lines: it cannot be inside a block scalar or a plain scalar (their lines are indented
//! more than the list), so only a quoted scalar or a flow collection opened in the part
//! before could hold it, and then that part, read alone, ends inside an open quote or
//! bracket: a syntax error. The caller therefore trusts the parts only if every part reads
//! without any diagnostic and without anchors or aliases (which may cross parts and are
//! counted against budgets per file); otherwise it reads the file whole. Either way the
//! result is the serial one, which `inventory::load`'s tests check on adversarial files.

use std::ops::Range;

/// One collection of the file and the parts its list was cut into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section<'t> {
    /// The collection's key, as written at column 0.
    pub name: &'t str,
    /// Whole entries of the list, in order.
    pub parts: Vec<Part>,
}

/// Some whole entries of a list: `text[range]` starts at the first one's line.
///
/// A value's span can depend on what follows it (an empty or block scalar ends at the next
/// token), so a part that the file does not end with also holds the first token after its
/// entries, read but not kept: see [`Tail`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub range: Range<usize>,
    pub tail: Tail,
}

/// What the end of a part's range holds after its entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tail {
    /// Nothing: the file ends there.
    End,
    /// The next entry's dash (read as one more, empty, entry: drop it).
    Entry,
    /// The next collection's key and colon (the list ends before it: stop there).
    Key,
}

/// Where parts end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Parts of at least this many bytes of entries (the last part of a list may be
    /// shorter): for reading in parallel.
    Bytes(usize),
    /// A part ends before each entry whose first line's hash is divisible by this (about
    /// one entry in so many): the cuts depend only on the entries' own lines, so an edit
    /// changes the part it is in and leaves the others' texts as they were (for keeping
    /// parts between reads).
    Content(u64),
}

/// Cut `text` into parts as `cut` says, or `None` when the file is not of the simple shape
/// described above. `is_collection` says whether a key names a collection. Collections with no entries
/// (`vendors:` followed by nothing) have no parts.
pub fn plan<'t>(
    text: &'t str,
    is_collection: impl Fn(&str) -> bool,
    cut: Cut,
) -> Option<Vec<Section<'t>>> {
    let bytes = text.as_bytes();
    if text.starts_with('\u{feff}') {
        return None;
    }
    // A lone CR is a line break to YAML but not to this scan.
    if memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n')) {
        return None;
    }
    let mut sections: Vec<Section<'t>> = Vec::new();
    // The open section: its list's indentation once known, and where its open part starts.
    let mut indent: Option<usize> = None;
    let mut part_start = 0;
    let mut start = 0;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let line = &bytes[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line_start = start;
        start = end + 1;
        let spaces = line.iter().take_while(|b| **b == b' ').count();
        let rest = &line[spaces..];
        if rest.is_empty() || rest[0] == b'#' {
            continue;
        }
        let is_entry = rest[0] == b'-' && matches!(rest.get(1), None | Some(b' '));
        if spaces == 0 && !is_entry {
            // A new collection: close the open one.
            let name = collection_key(line)?;
            let name = text.get(line_start..line_start + name.len())?;
            if !is_collection(name) || sections.iter().any(|s| s.name == name) {
                return None;
            }
            // A list at column 0 followed by a key: read alone, the list cannot end at the
            // key (the parser wants another `-`), and without the key its last value's
            // span may differ. Such a file is read whole.
            if indent == Some(0) {
                return None;
            }
            if let (Some(_), Some(open)) = (indent, sections.last_mut()) {
                open.parts.push(Part {
                    range: part_start..line_start + name.len() + 1,
                    tail: Tail::Key,
                });
            }
            sections.push(Section {
                name,
                parts: Vec::new(),
            });
            indent = None;
            continue;
        }
        // Content before the first collection key, or an entry at column 0 after a list
        // that was indented.
        sections.last()?;
        if spaces == 0 && indent.is_some_and(|d| d != 0) {
            return None;
        }
        match indent {
            None if is_entry => {
                indent = Some(spaces);
                part_start = line_start;
            }
            // The collection's value is not a block list.
            None => return None,
            Some(d) if is_entry && spaces == d => {
                let cut_here = match cut {
                    Cut::Bytes(bytes) => line_start - part_start >= bytes,
                    Cut::Content(every) => {
                        use std::hash::{Hash, Hasher};
                        let mut h = std::hash::DefaultHasher::new();
                        line.hash(&mut h);
                        h.finish().is_multiple_of(every.max(1))
                    }
                };
                if cut_here
                    && line_start > part_start
                    && let Some(open) = sections.last_mut()
                {
                    open.parts.push(Part {
                        range: part_start..line_start + d + 1,
                        tail: Tail::Entry,
                    });
                    part_start = line_start;
                }
            }
            // Inside an entry (or a mistake, which the part holding it reports).
            Some(_) => {}
        }
    }
    if let (Some(_), Some(open)) = (indent, sections.last_mut()) {
        open.parts.push(Part {
            range: part_start..bytes.len(),
            tail: Tail::End,
        });
    }
    Some(sections)
}

/// The name of a line `NAME:` (letters, digits, `_`, `-`; not starting with a digit or `-`)
/// with nothing after the colon but spaces and a comment.
fn collection_key(line: &[u8]) -> Option<&[u8]> {
    let first = *line.first()?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let len = line
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
        .count();
    let after = line.get(len..)?.strip_prefix(b":")?;
    match after.first() {
        None => line.get(..len),
        Some(b' ') => {
            let comment = after.trim_ascii_start();
            (comment.is_empty() || comment[0] == b'#').then(|| line.get(..len))?
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> bool {
        matches!(name, "vendors" | "data_stores")
    }

    fn parts(text: &str, part_bytes: usize) -> Option<Vec<(String, Vec<String>)>> {
        let plan = plan(text, known, Cut::Bytes(part_bytes))?;
        Some(
            plan.into_iter()
                .map(|s| {
                    let parts = s
                        .parts
                        .iter()
                        .map(|p| format!("{:?}:{}", p.tail, &text[p.range.clone()]))
                        .collect();
                    (s.name.to_string(), parts)
                })
                .collect(),
        )
    }

    #[test]
    fn cuts_lists_at_entries() {
        let text = "# head\nvendors:\n  - id: a\n    tier: low\n  - id: b\n\n  # c\n  - id: c\ndata_stores: # x\n- id: s\n- id: t\n";
        let got = parts(text, 1).unwrap();
        assert_eq!(
            got,
            vec![
                (
                    "vendors".to_string(),
                    vec![
                        "Entry:  - id: a\n    tier: low\n  -".to_string(),
                        "Entry:  - id: b\n\n  # c\n  -".to_string(),
                        "Key:  - id: c\ndata_stores:".to_string()
                    ]
                ),
                (
                    "data_stores".to_string(),
                    vec!["Entry:- id: s\n-".to_string(), "End:- id: t\n".to_string()]
                )
            ]
        );
        // Large parts: one per list.
        let got = parts(text, 1 << 20).unwrap();
        assert_eq!(got[0].1.len(), 1);
        assert_eq!(got[1].1, vec!["End:- id: s\n- id: t\n".to_string()]);
    }

    #[test]
    fn content_cuts_do_not_move_when_another_part_changes() {
        let entries: Vec<String> = (0..400)
            .map(|i| format!("  - id: v{i:04}\n    tier: low\n"))
            .collect();
        let text = format!("vendors:\n{}", entries.concat());
        let cut = |text: &str| {
            let plan = plan(text, known, Cut::Content(16)).unwrap();
            plan[0]
                .parts
                .iter()
                .map(|p| text[p.range.clone()].to_string())
                .collect::<Vec<_>>()
        };
        let before = cut(&text);
        assert!(before.len() > 10, "{} parts", before.len());
        // A field of entry 200 changes: only the part holding it changes text.
        let edited = text.replacen("v0200\n    tier: low", "v0200\n    tier: high", 1);
        let after = cut(&edited);
        assert_eq!(before.len(), after.len());
        let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        assert_eq!(changed, 1);
    }

    #[test]
    fn nested_lists_and_deeper_dashes_are_not_cuts() {
        let text = "vendors:\n  - id: a\n    handles:\n    - x\n      - y\n  - id: b\n";
        let got = parts(text, 1).unwrap();
        assert_eq!(got[0].1.len(), 2);
    }

    #[test]
    fn crlf_lines_are_lines() {
        let text = "vendors:\r\n  - id: a\r\n  - id: b\r\n";
        let got = parts(text, 1).unwrap();
        assert_eq!(
            got[0].1,
            vec![
                "Entry:  - id: a\r\n  -".to_string(),
                "End:  - id: b\r\n".to_string()
            ]
        );
    }

    #[test]
    fn empty_collections_have_no_parts() {
        let got = parts("vendors:\ndata_stores:\n  - id: s\n", 1).unwrap();
        assert_eq!(got[0].1, Vec::<String>::new());
        assert_eq!(got[1].1.len(), 1);
    }

    #[test]
    fn other_shapes_are_read_whole() {
        for text in [
            "---\nvendors:\n  - id: a\n",
            "%YAML 1.2\n---\nvendors:\n  - id: a\n",
            "\u{feff}vendors:\n  - id: a\n",
            "vendors: []\n",
            "vendors: &v\n  - id: a\n",
            "vendors:\n  id: a\n",
            "vendors:\n  - id: a\nvendors:\n  - id: b\n",
            "vendor:\n  - id: a\n",
            "\"vendors\":\n  - id: a\n",
            "vendors:\n\t- id: a\n",
            "vendors:\n  - id: a\n\tx\n",
            "vendors:\n  - id: a\rdata_stores:\n  - id: s\n",
            "{vendors: [{id: a}]}\n",
            "  - id: a\nvendors:\n  - id: b\n",
            "vendors:\n  - id: a\n...\n",
            "vendors:#x\n  - id: a\n",
            "vendors:\n  - id: a\n- id: b\n",
            "<<: {}\nvendors:\n  - id: a\n",
            "vendors:\n- id: a\ndata_stores:\n  - id: s\n",
        ] {
            assert_eq!(parts(text, 1), None, "{text:?}");
        }
    }
}
