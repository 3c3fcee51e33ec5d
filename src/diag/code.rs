//! Diagnostic codes, typed: each code is defined once, with its level, a one-line summary
//! and its catalogue entry, and a `Diag` can only be made from one (`Diag::new`).
//! `docs/errors.md` and `custody help-code` are generated from these definitions.

use super::Level;

/// One diagnostic code.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    /// The stable name, e.g. `custody::inventory::unknown_field`.
    pub name: &'static str,
    pub level: Level,
    /// One line: what the problem is, for the catalogue's tables.
    pub summary: &'static str,
    /// The catalogue entry in Markdown (what it means, an example that triggers it, `Fix:`),
    /// written as the doc comment of the definition; each line starts with the space that
    /// follows `///`.
    pub doc: &'static str,
}

impl Code {
    /// The namespace: `inventory` for `custody::inventory::unknown_field`.
    pub fn namespace(&self) -> &'static str {
        self.name.split("::").nth(1).unwrap_or("")
    }
    /// The catalogue entry's Markdown, without the heading and `Level:` line.
    pub fn entry(&self) -> String {
        let mut out = String::new();
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }
}

/// Define codes: the doc comment is the catalogue entry.
///
/// ```text
/// codes! {
///     /// What it means.
///     ///
///     /// Fix: how to fix it.
///     pub NOT_FOUND = error "custody::io::not_found", "a named file cannot be read";
/// }
/// ```
#[macro_export]
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $vis:vis $id:ident = $level:ident $name:literal, $summary:literal;)*) => {
        $(
            #[allow(missing_docs)]
            $vis const $id: $crate::diag::code::Code = $crate::diag::code::Code {
                name: $name,
                level: $crate::codes!(@level $level),
                summary: $summary,
                doc: concat!($($doc, "\n"),*),
            };
        )*
    };
    (@level error) => { $crate::diag::Level::Error };
    (@level warning) => { $crate::diag::Level::Warning };
}

#[cfg(test)]
mod tests {
    crate::codes! {
        /// A file named in `custody.yaml` cannot be read.
        ///
        /// ```yaml title="custody.yaml"
        /// policies: [missing]
        /// ```
        ///
        /// Fix: correct the path.
        pub EXAMPLE = warning "custody::demo::example", "a named file cannot be read";
    }

    #[test]
    fn a_definition_carries_its_entry_level_and_summary() {
        assert_eq!(EXAMPLE.name, "custody::demo::example");
        assert_eq!(EXAMPLE.namespace(), "demo");
        assert_eq!(EXAMPLE.level, crate::diag::Level::Warning);
        assert_eq!(EXAMPLE.summary, "a named file cannot be read");
        assert_eq!(
            EXAMPLE.entry(),
            "A file named in `custody.yaml` cannot be read.\n\n```yaml title=\"custody.yaml\"\npolicies: [missing]\n```\n\nFix: correct the path.\n"
        );
        let d = crate::diag::Diag::new(&EXAMPLE, "m");
        assert!(!d.is_error());
        assert_eq!(d.code, "custody::demo::example");
    }
}
