//! Writing YAML: a small tree of values ([`Out`]) serialized by serde-saphyr's emitter, so
//! quoting, escaping and block scalars are the YAML library's decisions, not hand-written
//! rules. Used by `custody import` for the inventory it writes.
//!
//! Scalars are written for the YAML 1.2 core schema, the one custody reads: a string is
//! quoted exactly when YAML 1.2 would read it as something else (`true`, `null`, `12`, a
//! leading `-` or `:`...), so `2026-03-31` and `NO` stay plain. Mappings keep the order
//! they are given in; lists are block lists (`- item`), indented two spaces under their key.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A value to write.
#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    Str(String),
    /// Written as an integer when it is one (`72`, not `72.0`).
    Num(f64),
    Bool(bool),
    Seq(Vec<Out>),
    /// Keys in the order given.
    Map(Vec<(String, Out)>),
}

impl Serialize for Out {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Out::Str(v) => s.serialize_str(v),
            Out::Num(n) => {
                // Exactly representable integers print without a fraction.
                if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
                    s.serialize_i64(*n as i64)
                } else {
                    s.serialize_f64(*n)
                }
            }
            Out::Bool(b) => s.serialize_bool(*b),
            Out::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Out::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// `value` as one YAML document (no `---`, ending in a newline).
pub fn document(value: &Out) -> Result<String, String> {
    let options = serde_saphyr::ser_options! {
        indent_step: 2,
        compact_list_indent: false,
        yaml_12: true,
        no_lang_directive: true,
    };
    let mut text =
        serde_saphyr::to_string_with_options(value, options).map_err(|e| e.to_string())?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_block_lists_and_plain_dates() {
        let doc = Out::Map(vec![(
            "vendors".into(),
            Out::Seq(vec![Out::Map(vec![
                ("id".into(), Out::Str("acme".into())),
                ("name".into(), Out::Str("Acme: \"the\" best".into())),
                ("country".into(), Out::Str("NO".into())),
                ("tier".into(), Out::Str("true".into())),
                ("records".into(), Out::Num(1200.0)),
                ("ratio".into(), Out::Num(0.5)),
                ("last_audit".into(), Out::Str("2026-03-31".into())),
                ("notes".into(), Out::Str("line one\nline two".into())),
                (
                    "handles".into(),
                    Out::Seq(vec![Out::Str("personal.contact.email".into())]),
                ),
                (
                    "contract".into(),
                    Out::Map(vec![("dpa_signed".into(), Out::Bool(true))]),
                ),
            ])]),
        )]);
        let text = document(&doc).unwrap();
        insta::assert_snapshot!(text);
    }
}
