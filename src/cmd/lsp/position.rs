//! LSP positions (a line, and a column in UTF-16 code units) to and from byte offsets.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as LSP says. Every conversion clamps: a column
//! past the end of its line is the line's end, a line past the last is the end of the text,
//! a column inside a surrogate pair (half an emoji) is the character's start, and an offset
//! past the end (or inside a character or a `\r\n`) is moved back to where it can stand.

/// Where each line of one text starts.
#[derive(Debug)]
pub struct LineIndex {
    /// Byte offset of each line's start; the first is 0.
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        // Each line break ends a line: `\n`, `\r\n` (at its `\n`) and a lone `\r`.
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes.get(i) == Some(&b'\n') || bytes.get(i + 1) != Some(&b'\n') {
                starts.push(i + 1);
            }
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The byte range of `line`'s text, without its line ending.
    fn line(&self, text: &str, line: usize) -> Option<(usize, usize)> {
        let start = *self.starts.get(line)?;
        let end = match self.starts.get(line + 1) {
            Some(&next) => {
                let bytes = text.as_bytes();
                let mut end = next;
                if end > start && bytes.get(end - 1) == Some(&b'\n') {
                    end -= 1;
                }
                if end > start && bytes.get(end - 1) == Some(&b'\r') {
                    end -= 1;
                }
                end
            }
            None => self.len,
        };
        Some((start, end.max(start)))
    }

    /// The byte offset of (`line`, `character`), `character` in UTF-16 code units.
    pub fn offset(&self, text: &str, line: u32, character: u32) -> usize {
        let Some((start, end)) = self.line(text, line as usize) else {
            return self.len;
        };
        let mut units = 0usize;
        let want = character as usize;
        for (i, c) in text.get(start..end).unwrap_or("").char_indices() {
            let next = units + c.len_utf16();
            if next > want {
                return start + i;
            }
            units = next;
        }
        end
    }

    /// The (line, character) of byte `offset`, `character` in UTF-16 code units.
    pub fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let mut offset = offset.min(self.len).min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let (start, end) = self.line(text, line).unwrap_or((0, 0));
        let upto = offset.clamp(start, end);
        let units: usize = text
            .get(start..upto)
            .unwrap_or("")
            .chars()
            .map(char::len_utf16)
            .sum();
        (line as u32, units as u32)
    }

    /// The position just past the text's end.
    pub fn end(&self, text: &str) -> (u32, u32) {
        self.position(text, self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    fn both(text: &str, offset: usize, pos: (u32, u32)) {
        let ix = LineIndex::new(text);
        assert_eq!(
            ix.position(text, offset),
            pos,
            "position of {offset} in {text:?}"
        );
        assert_eq!(
            ix.offset(text, pos.0, pos.1),
            offset,
            "offset of {pos:?} in {text:?}"
        );
    }

    #[test]
    fn ascii_lines() {
        let t = "ab\ncd\n";
        both(t, 0, (0, 0));
        both(t, 2, (0, 2));
        both(t, 3, (1, 0));
        both(t, 5, (1, 2));
        both(t, 6, (2, 0));
    }

    #[test]
    fn non_ascii_counts_utf16_units() {
        // é is 2 bytes and 1 unit; 😀 is 4 bytes and 2 units (a surrogate pair).
        let t = "# é 😀 x\nrule";
        both(t, 2, (0, 2)); // before é
        both(t, 5, (0, 4)); // after "é " (é = bytes 2..4)
        both(t, 9, (0, 6)); // after 😀 (bytes 5..9)
        both(t, 10, (0, 7)); // x
        both(t, 12, (1, 0));
        let ix = LineIndex::new(t);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(ix.offset(t, 0, 5), 5);
        // An offset inside a character moves back to its start.
        assert_eq!(ix.position(t, 3), (0, 2));
        assert_eq!(ix.position(t, 7), (0, 4));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let t = "a\r\nbé\rc";
        both(t, 0, (0, 0));
        both(t, 1, (0, 1));
        both(t, 3, (1, 0));
        both(t, 6, (1, 2));
        both(t, 7, (2, 0));
        both(t, 8, (2, 1));
        let ix = LineIndex::new(t);
        // Between \r and \n: the end of the line.
        assert_eq!(ix.position(t, 2), (0, 1));
        // A column past the line's end stops before its \r\n.
        assert_eq!(ix.offset(t, 0, 99), 1);
        assert_eq!(ix.offset(t, 1, 99), 6);
    }

    #[test]
    fn out_of_range_clamps() {
        let t = "ab\ncd";
        let ix = LineIndex::new(t);
        assert_eq!(ix.offset(t, 0, 99), 2);
        assert_eq!(ix.offset(t, 9, 0), 5);
        assert_eq!(ix.offset(t, u32::MAX, u32::MAX), 5);
        assert_eq!(ix.position(t, 999), (1, 2));
        assert_eq!(ix.end(t), (1, 2));
        let empty = LineIndex::new("");
        assert_eq!(empty.offset("", 3, 3), 0);
        assert_eq!(empty.position("", 3), (0, 0));
    }

    #[test]
    fn every_offset_round_trips_through_a_position() {
        let t = "é😀\r\n\r\nx\ry\n\u{10FFFF}z";
        let ix = LineIndex::new(t);
        for (i, _) in t.char_indices() {
            let (l, c) = ix.position(t, i);
            let back = ix.offset(t, l, c);
            // Offsets inside a line ending map to the line's end.
            let line_end_ok = t
                .get(back..i)
                .is_some_and(|s| s.chars().all(|c| c == '\r' || c == '\n'));
            assert!(back == i || line_end_ok, "{i} -> ({l},{c}) -> {back}");
        }
    }
}
