//! Typed reading of small YAML documents (config, waivers) with diagnostics for every
//! mistake: unknown keys with did-you-mean, wrong types, missing required keys.

use crate::diag::code::Code;
use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::source::{FileId, Loc};
use crate::yaml::{Node, NodeKind};

/// A mapping being read: remembers which keys were used, so unknown ones can be reported.
pub struct MapReader<'n> {
    pub file: FileId,
    pub node: &'n Node,
    entries: &'n [(Node, Node)],
}

pub fn key_str(n: &Node) -> Option<&str> {
    match &n.kind {
        NodeKind::Str { value, .. } => Some(value),
        _ => None,
    }
}

/// "a string", "a list", … for messages.
pub fn kind_words(n: &Node) -> String {
    match &n.kind {
        NodeKind::Null => "nothing (null)".into(),
        NodeKind::Bool(b) => format!("the boolean `{b}`"),
        NodeKind::Int(i) => format!("the number `{i}`"),
        NodeKind::Float(f) => format!("the number `{f}`"),
        NodeKind::Str { value, .. } => format!("the string `{value}`"),
        NodeKind::Seq(_) => "a list".into(),
        NodeKind::Map(_) => "a mapping".into(),
    }
}

impl<'n> MapReader<'n> {
    /// `None` (with a diagnostic) when `node` is not a mapping.
    pub fn new(
        file: FileId,
        node: &'n Node,
        what: &str,
        diags: &mut Vec<Diag>,
    ) -> Option<MapReader<'n>> {
        match &node.kind {
            NodeKind::Map(entries) => Some(MapReader {
                file,
                node,
                entries,
            }),
            _ => {
                diags.push(
                    Diag::new(
                        &codes::config::WRONG_TYPE,
                        format!("{what} must be a mapping, found {}", kind_words(node)),
                    )
                    .at(
                        Loc::new(file, node.span),
                        "expected `key: value` lines here",
                    ),
                );
                None
            }
        }
    }

    pub fn entries(&self) -> &'n [(Node, Node)] {
        self.entries
    }

    pub fn loc(&self, n: &Node) -> Loc {
        Loc::new(self.file, n.span)
    }

    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| key_str(k) == Some(key))
            .map(|(_, v)| v)
    }

    /// Report keys not in `known`, with did-you-mean.
    pub fn reject_unknown(
        &self,
        known: &[&str],
        code: &'static Code,
        what: &str,
        diags: &mut Vec<Diag>,
    ) {
        for (k, _) in self.entries {
            let name = key_str(k).unwrap_or("");
            if !known.contains(&name) {
                diags.push(
                    Diag::new(code, format!("unknown key `{name}` in {what}"))
                        .at(self.loc(k), "not a known key")
                        .help_opt(diag::suggest(name, known.iter().copied(), "known keys")),
                );
            }
        }
    }

    pub fn str(
        &self,
        key: &str,
        code: &'static Code,
        diags: &mut Vec<Diag>,
    ) -> Option<(String, Loc)> {
        let n = self.get(key)?;
        match &n.kind {
            NodeKind::Str { value, .. } => Some((value.clone(), self.loc(n))),
            _ => {
                diags.push(
                    Diag::new(
                        code,
                        format!("`{key}` must be a string, found {}", kind_words(n)),
                    )
                    .at(self.loc(n), "expected a string"),
                );
                None
            }
        }
    }

    /// A string or a list of strings.
    pub fn strings(
        &self,
        key: &str,
        code: &'static Code,
        diags: &mut Vec<Diag>,
    ) -> Option<Vec<(String, Loc)>> {
        let n = self.get(key)?;
        match &n.kind {
            NodeKind::Str { value, .. } => Some(vec![(value.clone(), self.loc(n))]),
            NodeKind::Seq(items) => {
                let mut out = Vec::new();
                for i in items {
                    match &i.kind {
                        NodeKind::Str { value, .. } => out.push((value.clone(), self.loc(i))),
                        _ => diags.push(
                            Diag::new(
                                code,
                                format!(
                                    "entries of `{key}` must be strings, found {}",
                                    kind_words(i)
                                ),
                            )
                            .at(self.loc(i), "expected a path"),
                        ),
                    }
                }
                Some(out)
            }
            _ => {
                diags.push(
                    Diag::new(
                        code,
                        format!(
                            "`{key}` must be a path or a list of paths, found {}",
                            kind_words(n)
                        ),
                    )
                    .at(self.loc(n), "expected a list of paths"),
                );
                None
            }
        }
    }

    /// A required string with a "missing key" diagnostic on the mapping.
    pub fn required_str(
        &self,
        key: &str,
        code: &'static Code,
        what: &str,
        diags: &mut Vec<Diag>,
    ) -> Option<(String, Loc)> {
        if self.get(key).is_none() {
            diags.push(
                Diag::new(code, format!("{what} has no `{key}`"))
                    .at(
                        first_line(self.file, self.node),
                        format!("`{key}` is required"),
                    )
                    .help(format!("add `{key}: ...`")),
            );
            return None;
        }
        self.str(key, code, diags)
    }
}

/// A label for a whole mapping: its first line only, so snippets stay short.
pub fn first_line(file: FileId, node: &Node) -> Loc {
    let mut span = node.span;
    if let NodeKind::Map(entries) = &node.kind
        && let Some((k, _)) = entries.first()
    {
        span = k.span;
    }
    Loc::new(file, span)
}
