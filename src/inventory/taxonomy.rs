//! The data-category taxonomy: a tree of dotted names, with overlap matching.
//! The shipped taxonomy is `policies/taxonomy.yaml`, embedded in the binary; its header
//! comment documents the format, which `custody.yaml`'s `taxonomy:` key shares.

use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::source::{FileId, Loc};
use crate::yaml::{self, Node, NodeKind};

/// The shipped taxonomy's text.
pub const BUILTIN_TAXONOMY: &str = include_str!("../../policies/taxonomy.yaml");

/// Categories nest at most this deep (`personal.contact.address` has depth 2).
pub const MAX_CATEGORY_DEPTH: usize = 32;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct CatId(pub u32);

/// How a declared category D overlaps a policy category C (docs/inventory.md, "Overlap matching").
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Overlap {
    /// D is C.
    Equal,
    /// D lies under C (declared `personal.contact.address`, policy `personal`).
    Narrower,
    /// D lies above C (declared the broad `personal`, policy `personal.contact.address`): fail closed.
    Broader,
}

#[derive(Clone, Debug, Default)]
pub struct Taxonomy {
    names: Vec<String>,
    parent: Vec<Option<CatId>>,
    depth: Vec<u8>,
    docs: Vec<String>,
    by_name: std::collections::HashMap<String, CatId>,
    children: Vec<Vec<CatId>>,
}

impl Taxonomy {
    /// The shipped taxonomy (`policies/taxonomy.yaml`).
    pub fn builtin() -> Taxonomy {
        let mut diags = Vec::new();
        let taxonomy = Taxonomy::builtin_with_diags(&mut diags);
        debug_assert!(
            diags.is_empty(),
            "policies/taxonomy.yaml is invalid: {diags:?}"
        );
        taxonomy
    }

    /// The shipped taxonomy and any problem in it (a test asserts there is none).
    pub(crate) fn builtin_with_diags(diags: &mut Vec<Diag>) -> Taxonomy {
        let mut taxonomy = Taxonomy::default();
        for doc in yaml::parse(FileId(0), BUILTIN_TAXONOMY, diags) {
            taxonomy.extend(FileId(0), &doc, diags);
        }
        taxonomy
    }

    /// Add the categories of `node` (the shipped format). Never removes or renames; restating
    /// an existing category is how children are added below it.
    pub fn extend(&mut self, file: FileId, node: &Node, diags: &mut Vec<Diag>) {
        let loc = |n: &Node| Loc::new(file, n.span);
        if node.is_null() {
            return;
        }
        // Explicit stack: the YAML is at most `yaml::MAX_DEPTH` deep, but no recursion at all
        // is simpler to trust.
        let mut stack: Vec<(Option<CatId>, &Node)> = vec![(None, node)];
        while let Some((parent, map)) = stack.pop() {
            let Some(entries) = map.as_map() else {
                diags.push(
                    Diag::new(
                        &codes::taxonomy::INVALID,
                        format!(
                            "a taxonomy is a mapping of category names, found {}",
                            map.describe()
                        ),
                    )
                    .at(loc(map), "expected a mapping")
                    .help(
                        "write categories as `name: description` or `name: {doc: ..., child: ...}`",
                    ),
                );
                continue;
            };
            let mut nested = Vec::new();
            for (key, value) in entries {
                let Some(name) = key.as_str() else {
                    diags.push(
                        Diag::new(
                            &codes::taxonomy::INVALID_NAME,
                            format!("a category name must be a string, found {}", key.describe()),
                        )
                        .at(loc(key), "not a name"),
                    );
                    continue;
                };
                if name == "doc" {
                    if parent.is_none() {
                        diags.push(
                            Diag::new(
                                &codes::taxonomy::INVALID,
                                "`doc` describes a category, but this is the top level",
                            )
                            .at(loc(key), "no category to describe here")
                            .help("put `doc:` inside a category's mapping"),
                        );
                    }
                    continue;
                }
                if !matches!(
                    value.kind,
                    NodeKind::Null | NodeKind::Str { .. } | NodeKind::Map(_)
                ) {
                    let full = match parent {
                        Some(p) => format!("{}.{name}", self.name(p)),
                        None => name.to_string(),
                    };
                    diags.push(
                        Diag::new(
                            &codes::taxonomy::INVALID,
                            format!(
                                "category `{full}` must be a description or a mapping, found {}",
                                value.describe()
                            ),
                        )
                        .at(loc(value), "expected a string or a mapping")
                        .help(
                            "write `name: description`, or `name: {doc: description, child: ...}`",
                        ),
                    );
                    continue;
                }
                let Some(id) = self.add_path(parent, name, loc(key), diags) else {
                    continue;
                };
                match &value.kind {
                    NodeKind::Null => {}
                    NodeKind::Str { value: doc, .. } => self.set_doc(id, doc),
                    NodeKind::Map(_) => {
                        match value.get("doc") {
                            None => {}
                            Some(Node {
                                kind: NodeKind::Str { value: doc, .. },
                                ..
                            }) => self.set_doc(id, doc),
                            Some(other) => diags.push(
                                Diag::new(
                                    &codes::taxonomy::INVALID,
                                    format!(
                                        "`doc` of `{}` must be a string, found {}",
                                        self.name(id),
                                        other.describe()
                                    ),
                                )
                                .at(loc(other), "expected a one-line description"),
                            ),
                        }
                        nested.push((Some(id), value));
                    }
                    _ => {}
                }
            }
            // Reversed, so children are visited in the order they are written.
            stack.extend(nested.into_iter().rev());
        }
    }

    /// Find or create every category along the dotted `path` below `parent`.
    fn add_path(
        &mut self,
        parent: Option<CatId>,
        path: &str,
        loc: Loc,
        diags: &mut Vec<Diag>,
    ) -> Option<CatId> {
        let mut current = parent;
        for segment in path.split('.') {
            // The same shape as a name in a policy (`[A-Za-z_][A-Za-z0-9_]*`), so every
            // category can be written in a rule.
            let valid = segment
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid || segment == "doc" {
                let fixed: String = segment
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                let fixed = if fixed.starts_with(|c: char| c.is_ascii_digit()) {
                    format!("_{fixed}")
                } else {
                    fixed
                };
                let help = if segment == "doc" {
                    "`doc` is reserved for a category's description".to_owned()
                } else {
                    format!(
                        "category names use letters, digits and `_` and do not start with a digit, so policies can name them: try `{fixed}`"
                    )
                };
                diags.push(
                    Diag::new(
                        &codes::taxonomy::INVALID_NAME,
                        format!("invalid category name `{path}`"),
                    )
                    .at(loc, "not a valid name")
                    .help(help),
                );
                return None;
            }
            let full = match current {
                Some(p) => format!("{}.{segment}", self.name(p)),
                None => segment.to_string(),
            };
            if let Some(&id) = self.by_name.get(&full) {
                current = Some(id);
                continue;
            }
            let depth = current.map(|p| self.depth_of(p) + 1).unwrap_or(0);
            if depth >= MAX_CATEGORY_DEPTH {
                diags.push(
                    Diag::new(
                        &codes::taxonomy::INVALID_NAME,
                        format!(
                            "category `{full}` is nested more than {MAX_CATEGORY_DEPTH} levels deep"
                        ),
                    )
                    .at(loc, "too deep")
                    .help("use a flatter hierarchy"),
                );
                return None;
            }
            let id = CatId(self.names.len() as u32);
            self.names.push(full.clone());
            self.parent.push(current);
            self.depth.push(depth as u8);
            self.docs.push(String::new());
            self.children.push(Vec::new());
            if let Some(kids) = current.and_then(|p| self.children.get_mut(p.0 as usize)) {
                kids.push(id);
            }
            self.by_name.insert(full, id);
            current = Some(id);
        }
        current
    }

    /// Set a description, unless the category already has one (shipped docs win).
    fn set_doc(&mut self, id: CatId, doc: &str) {
        if let Some(slot) = self.docs.get_mut(id.0 as usize)
            && slot.is_empty()
        {
            *slot = doc.trim().to_string();
        }
    }

    pub fn lookup(&self, dotted: &str) -> Option<CatId> {
        self.by_name.get(dotted).copied()
    }
    pub fn name(&self, id: CatId) -> &str {
        self.names
            .get(id.0 as usize)
            .map(String::as_str)
            .unwrap_or("")
    }
    pub fn doc(&self, id: CatId) -> &str {
        self.docs
            .get(id.0 as usize)
            .map(String::as_str)
            .unwrap_or("")
    }
    pub fn parent(&self, id: CatId) -> Option<CatId> {
        self.parent.get(id.0 as usize).copied().flatten()
    }
    /// Direct sub-categories, in the order they were defined.
    pub fn children(&self, id: CatId) -> &[CatId] {
        self.children
            .get(id.0 as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
    /// Levels above the category: 0 for `personal`, 2 for `personal.contact.address`.
    pub fn depth_of(&self, id: CatId) -> usize {
        self.depth.get(id.0 as usize).copied().unwrap_or(0) as usize
    }
    /// Every category id, in definition order.
    pub fn ids(&self) -> impl Iterator<Item = CatId> + Clone {
        (0..self.names.len() as u32).map(CatId)
    }
    pub fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.names.iter().map(String::as_str)
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The ancestor of `id` at depth `depth` (itself when already there).
    fn ancestor_at(&self, mut id: CatId, depth: usize) -> Option<CatId> {
        let mut d = self.depth_of(id);
        while d > depth {
            id = self.parent(id)?;
            d -= 1;
        }
        Some(id)
    }

    /// Does declared category `declared` overlap policy category `policy`, and how?
    /// O(depth), no allocation.
    pub fn overlap(&self, declared: CatId, policy: CatId) -> Option<Overlap> {
        if declared == policy {
            return Some(Overlap::Equal);
        }
        let (dd, dp) = (self.depth_of(declared), self.depth_of(policy));
        if dd > dp && self.ancestor_at(declared, dp) == Some(policy) {
            Some(Overlap::Narrower)
        } else if dd < dp && self.ancestor_at(policy, dd) == Some(declared) {
            Some(Overlap::Broader)
        } else {
            None
        }
    }

    /// `help` for an unknown category: a near name, or the full path of a category whose
    /// last segment was written alone (`address` → `personal.contact.address`).
    pub fn suggest(&self, name: &str) -> Option<String> {
        if let Some(near) = diag::did_you_mean(name, self.names()) {
            return Some(format!("did you mean `{near}`?"));
        }
        let mut by_leaf = self
            .names()
            .filter(|full| full.rsplit('.').next() == Some(name) && *full != name);
        if let Some(full) = by_leaf.next() {
            return Some(format!(
                "categories are written as full dotted paths: did you mean `{full}`?"
            ));
        }
        None
    }
}
