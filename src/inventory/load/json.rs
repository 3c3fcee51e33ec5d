//! The fast path for `.json` inventory files: the JSON reader (`yaml::json`) gives the same
//! nodes the YAML reader gives for the same text, and they go through the same
//! `FileLoader::entity`/`entities`, so entities, references and diagnostics are the same.
//! Each collection's entities are read and validated in parallel, in chunks, and the
//! chunks' results joined in order. Anything the JSON reader is unsure of makes the whole
//! file fall back to the YAML path (`None`).

use super::{FileLoad, FileLoader, Tables};
use crate::diag::Diag;
use crate::inventory::model::Inventory;
use crate::inventory::schema::Schema;
use crate::inventory::taxonomy::Taxonomy;
use crate::source::{FileId, SourceMap};
use crate::yaml::json::{self, Top};
use rayon::prelude::*;

/// Entities read and validated by one parallel task.
const CHUNK: usize = 512;

/// Whether a file is read by the JSON fast path first (by its name's extension).
pub(super) fn is_json(name: &str) -> bool {
    name.ends_with(".json")
}

/// [`super::load_file`] for a JSON file, or `None` when the file must be read as YAML.
pub(super) fn load_file<'a>(
    file: FileId,
    text: &'a str,
    schema: &Schema,
    tables: &Tables<'_>,
    taxonomy: &Taxonomy,
) -> Option<FileLoad<'a>> {
    let root = json::root(text)?;
    let loader = |out| FileLoader {
        schema,
        tables,
        taxonomy,
        file,
        text,
        out,
    };
    let mut main = loader(FileLoad::empty());
    let mut diags = Vec::new();
    // As `FileLoader::stream_root` does, collection by collection (`root` has no duplicate
    // keys, and a JSON key is never YAML's `<<`: it is quoted).
    for (key, value) in root {
        let kind = main.collection_kind(&key, &mut diags);
        match (kind, value) {
            (Some(kind), Top::List(items)) => {
                let parts = items
                    .par_chunks(CHUNK)
                    .map(|chunk| {
                        let mut part = loader(FileLoad::empty());
                        let mut diags = Vec::new();
                        for &span in chunk {
                            part.entity(kind, json::node(text, span, 2)?, &mut diags);
                        }
                        Some((part.out, diags))
                    })
                    .collect::<Option<Vec<_>>>()?;
                for (part, part_diags) in parts {
                    main.out.append(part);
                    diags.extend(part_diags);
                }
            }
            (Some(kind), Top::Node(node)) => main.entities(kind, &key, node, &mut diags),
            // An unknown collection is still read: what the YAML reader would report in it
            // (a duplicate key) must make the file fall back.
            (None, Top::List(items)) => {
                items
                    .par_iter()
                    .try_for_each(|&span| json::node(text, span, 2).map(drop))?;
            }
            (None, Top::Node(_)) => {}
        }
    }
    Some(FileLoad { diags, ..main.out })
}

/// [`super::load`] with every file read by the YAML reader, the JSON fast path off: for
/// tests that compare the two paths.
#[doc(hidden)]
pub fn load_as_yaml(
    files: &[FileId],
    sources: &SourceMap,
    schema: &Schema,
    taxonomy: &Taxonomy,
    diags: &mut Vec<Diag>,
) -> Inventory {
    let tables = Tables::new(schema);
    let loaded: Vec<FileLoad<'_>> = files
        .iter()
        .map(|&file| {
            let text = sources.text(file);
            super::load_file(
                file,
                text,
                false,
                schema,
                &tables,
                taxonomy,
                super::Split::Never,
            )
        })
        .collect();
    super::merge(loaded, schema, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Load one text with the fast path (which must take it) and with the YAML path: the
    /// merged inventories and the diagnostics must be the same.
    fn fast_and_yaml(text: &str) -> Vec<Diag> {
        let (schema, taxonomy) = (Schema::builtin(), Taxonomy::builtin());
        let tables = Tables::new(&schema);
        let file = FileId(0);
        let Some(fast) = load_file(file, text, &schema, &tables, &taxonomy) else {
            panic!("the fast path refused {text:.200}");
        };
        let yaml = super::super::load_file(
            file,
            text,
            false,
            &schema,
            &tables,
            &taxonomy,
            super::super::Split::Never,
        );
        let show = |load: FileLoad<'_>| {
            let mut diags = Vec::new();
            let inv = super::super::merge(vec![load], &schema, &mut diags);
            let text = inv.dump();
            (text, diags)
        };
        let (fast, yaml) = (show(fast), show(yaml));
        assert!(fast.0 == yaml.0, "the inventories differ");
        assert_eq!(fast.1, yaml.1);
        fast.1
    }

    #[test]
    fn the_committed_fixture_takes_the_fast_path() {
        let diags = fast_and_yaml(include_str!("../../../tests/fixtures/json/inventory.json"));
        assert_eq!(diags.len(), 2, "{diags:#?}");
    }

    /// More entities than one chunk, with references, links and mistakes throughout: the
    /// chunks' entities, references and diagnostics are joined in order.
    #[test]
    fn chunks_join_in_order() {
        let n = CHUNK * 2 + 37;
        let vendor = |i: usize| {
            let tier = if i.is_multiple_of(7) { "hgh" } else { "high" };
            format!(
                r#"{{"id": "v{i}", "tier": "{tier}", "accesses": [{{"id": "s{}", "access": "write"}}, "s{}"], "subprocessors": ["v{}"]}}"#,
                (i * 3) % n,
                if i.is_multiple_of(11) { n + i } else { i },
                (i + 1) % n
            )
        };
        let store = |i: usize| {
            format!(
                r#"{{"id": "s{i}", "hosted_by": "v{}", "kind": "saas"}}"#,
                i % 5
            )
        };
        let vendors: Vec<String> = (0..n).map(vendor).collect();
        let stores: Vec<String> = (0..n).map(store).collect();
        let text = format!(
            "{{\"vendors\": [{}],\n\"data_stores\": [\n{}\n]}}",
            vendors.join(", "),
            stores.join(",\n")
        );
        let diags = fast_and_yaml(&text);
        assert!(diags.len() > n / 7, "{}", diags.len());
    }
}
