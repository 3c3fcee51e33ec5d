//! Loading: YAML documents of all inventory files → one validated `Inventory`.
//!
//! Two passes. Each file is read on its own (in parallel, with rayon): the YAML events of a
//! document's top-level mapping and of each collection's list are consumed as a stream, and
//! only one entity at a time is built as a small tree, checked against the schema and turned
//! into an [`Entity`]; references are kept as pending ids. The merge pass then assigns
//! `EntityId`s in file order, reports duplicate ids, resolves references and sorts.

use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::inventory::model::{
    Entity, EntityId, Field, Fields, IdIndex, Inventory, LINK_BIT, Value,
};
use crate::inventory::schema::{FieldId, FieldType, KindId, Schema};
use crate::inventory::taxonomy::Taxonomy;
use crate::source::{FileId, Loc, SourceMap, Span};
use crate::types::EntityRef;
use crate::yaml::split::{Cut, Part, Tail};
use crate::yaml::{Ev, Raw, RawKind, Reader, Stop, describe_raw};
use rayon::prelude::*;
use serde_saphyr::granit_parser::Event;
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Placeholder for a reference until the merge pass resolves it.
const UNRESOLVED: EntityId = EntityId(u32::MAX);

/// Dangling references get a did-you-mean search over all ids of their kind; past this many
/// in one run they do not, so a systematic mistake cannot make loading quadratic.
const MAX_REFERENCE_SUGGESTIONS: usize = 16;

pub mod json;

/// Load and validate every inventory file. All problems in all files go to `diags`; what is
/// valid is kept, so errors in one file never hide findings in another.
pub fn load(
    files: &[FileId],
    sources: &SourceMap,
    schema: &Schema,
    taxonomy: &Taxonomy,
    diags: &mut Vec<Diag>,
) -> Inventory {
    load_with(files, sources, schema, taxonomy, Split::Auto, diags)
}

/// Whether a file is cut into parts read in parallel (see [`crate::yaml::split`]). The
/// result never depends on it: the choice is for speed, and for tests that compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Files of at least [`SPLIT_MIN_BYTES`], when more than one thread is available, in
    /// parts of about a quarter of a thread's share.
    Auto,
    /// Every file read whole, as one stream.
    Never,
    /// Every file that can be, in parts of at least this many bytes (1: every entry alone).
    Parts(usize),
}

/// Files smaller than this are read whole: their parse is shorter than the cut costs.
pub const SPLIT_MIN_BYTES: usize = 64 << 10;

/// [`load`], choosing how files are split.
pub fn load_with(
    files: &[FileId],
    sources: &SourceMap,
    schema: &Schema,
    taxonomy: &Taxonomy,
    split: Split,
    diags: &mut Vec<Diag>,
) -> Inventory {
    let files = files.iter().map(|&f| (f, None)).collect();
    load_texts(files, sources, schema, taxonomy, split, diags)
}

/// [`load`], with the texts of some files lent by the caller (taken out of the source map
/// with [`SourceMap::lend`]; `None`: read the map's): each lent text is dropped as soon as
/// its file is read, so a large register's texts are not all in memory at once with its
/// complete model.
pub fn load_lent(
    files: Vec<(FileId, Option<Arc<String>>)>,
    sources: &SourceMap,
    schema: &Schema,
    taxonomy: &Taxonomy,
    diags: &mut Vec<Diag>,
) -> Inventory {
    load_texts(files, sources, schema, taxonomy, Split::Auto, diags)
}

fn load_texts(
    files: Vec<(FileId, Option<Arc<String>>)>,
    sources: &SourceMap,
    schema: &Schema,
    taxonomy: &Taxonomy,
    split: Split,
    diags: &mut Vec<Diag>,
) -> Inventory {
    let tables = Tables::new(schema);
    let read = |file: FileId, text: &str| {
        let json = json::is_json(sources.name(file));
        // Owned (a file's references own their ids), so the text can go once it returns.
        load_file(file, text, json, schema, &tables, taxonomy, split).into_owned()
    };
    let (lent, kept): (Vec<_>, Vec<_>) = files
        .into_iter()
        .enumerate()
        .partition(|(_, (_, text))| text.is_some());
    // The source map's texts, the files side by side.
    let mut loaded: Vec<(usize, FileLoad<'static>)> = kept
        .into_par_iter()
        .map(|(i, (file, _))| (i, read(file, sources.text(file))))
        .collect();
    // Lent texts (large files, read in parts on every thread) one file at a time, largest
    // first, each dropped once read: at the end only the smallest is still in memory with
    // the model, not every text of the register.
    let mut lent: Vec<(usize, FileId, Arc<String>)> = lent
        .into_iter()
        .filter_map(|(i, (file, text))| Some((i, file, text?)))
        .collect();
    lent.sort_by_key(|(i, _, text)| (std::cmp::Reverse(text.len()), *i));
    for (i, file, text) in lent {
        loaded.push((i, read(file, &text)));
    }
    loaded.sort_by_key(|(i, _)| *i);
    merge(loaded.into_iter().map(|(_, l)| l).collect(), schema, diags)
}

/// What [`load_cached`] keeps between runs: each file's own load (pass 1), by file and the
/// text it was read from. Only for one schema and taxonomy: clear it when either changes.
#[derive(Default)]
pub struct FileCache {
    files: HashMap<FileId, KeptFile>,
    /// The files the last run parsed, in the order given.
    parsed: Vec<FileId>,
    /// Parts of changed files the last run read, and parts it took from the cache.
    parts: (usize, usize),
    /// Copies of the kept loads for the next run's merge to take (it consumes its loads),
    /// made on a thread of their own by [`FileCache::prepare`] while the reader is idle.
    spares: Option<std::thread::JoinHandle<Vec<Spare>>>,
    /// Of the loads the last merge consumed: how many were prepared copies, and how many it
    /// copied itself.
    copies: (usize, usize),
}

/// A kept load (the `Arc` keeps its address from being reused while the copy waits) and a
/// copy of it.
type Spare = (Arc<FileLoad<'static>>, FileLoad<'static>);

/// A file's text as last read, and its load.
type KeptFile = (std::sync::Arc<String>, Kept);

/// One file's load as kept by [`FileCache`].
enum Kept {
    Whole(Arc<FileLoad<'static>>),
    /// Read in parts cut by content ([`Cut::Content`]): when the file changes, a part whose
    /// text is unchanged is taken from here (its spans moved) instead of being read again.
    Parts(Vec<KeptPart>),
}

struct KeptPart {
    /// Where the part is in the text it was read from.
    range: std::ops::Range<usize>,
    kind: KindId,
    load: Arc<FileLoad<'static>>,
    /// Taken from the run before (for [`FileCache::parts`]).
    reused: bool,
    /// A prepared copy of `load` (moved as `load` was), until the merge takes it.
    spare: Option<FileLoad<'static>>,
}

/// Files at least this large are kept in parts; about one entry in this many ends a part.
const KEEP_PARTS_MIN_BYTES: usize = 64 << 10;
const KEEP_PARTS_EVERY: u64 = 32;

impl FileCache {
    pub fn clear(&mut self) {
        self.files.clear();
        self.spares = None;
    }
    /// Start copying the kept loads on a thread of its own, for the next [`load_cached`]
    /// to move into its merge instead of copying them then (the merge pass consumes what
    /// it merges; the cache keeps its own). A long-lived reader calls this once it has
    /// answered, while it waits for the next change. Copies already prepared are kept.
    pub fn prepare(&mut self) {
        if self.spares.is_some() {
            return;
        }
        let loads: Vec<Arc<FileLoad<'static>>> = self
            .files
            .values()
            .flat_map(|(_, kept)| match kept {
                Kept::Whole(load) => vec![load.clone()],
                Kept::Parts(parts) => parts.iter().map(|p| p.load.clone()).collect(),
            })
            .collect();
        self.spares = std::thread::Builder::new()
            .name("custody-spares".into())
            .spawn(move || {
                loads
                    .into_iter()
                    .map(|load| {
                        let copy = FileLoad::clone(&load);
                        (load, copy)
                    })
                    .collect()
            })
            .ok();
    }
    /// Of the loads the last [`load_cached`] merged: how many were copies made by
    /// [`FileCache::prepare`], and how many it copied itself.
    pub fn copies(&self) -> (usize, usize) {
        self.copies
    }
    /// The prepared copies, by the address of the load each copies.
    fn take_spares(&mut self) -> HashMap<usize, Spare> {
        let Some(handle) = self.spares.take() else {
            return HashMap::new();
        };
        handle
            .join()
            .unwrap_or_default()
            .into_iter()
            .map(|spare| (Arc::as_ptr(&spare.0) as usize, spare))
            .collect()
    }
    /// Nothing parsed: the caller reused what it built last time.
    pub fn clear_parsed(&mut self) {
        self.parsed.clear();
    }
    /// The files the last [`load_cached`] parsed (the others came from the cache), in
    /// whole or in part.
    pub fn parsed(&self) -> &[FileId] {
        &self.parsed
    }
    /// Of the files the last [`load_cached`] parsed in parts: how many parts it read, and
    /// how many it took unchanged from the run before.
    pub fn parts(&self) -> (usize, usize) {
        self.parts
    }
}

/// [`load`] for a long-lived reader (the language server): a file whose text is the one a
/// previous run read (the same shared text) is not parsed again; its first-pass result is
/// taken from `cache`. Only the files that changed are parsed (in parallel), and of a large
/// file only the parts whose text changed; then the merge pass runs over all of them as in
/// [`load`], so the result is the same.
pub fn load_cached(
    files: &[FileId],
    sources: &SourceMap,
    schema: &Schema,
    taxonomy: &Taxonomy,
    cache: &mut FileCache,
    diags: &mut Vec<Diag>,
) -> Inventory {
    let tables = Tables::new(schema);
    let text = |file: FileId| sources.get(file).text_arc();
    let fresh = |cache: &FileCache, file: FileId| {
        cache
            .files
            .get(&file)
            .is_some_and(|(kept, _)| std::sync::Arc::ptr_eq(kept, &text(file)))
    };
    // The changed files' earlier loads, taken out to be reused part by part.
    let changed: Vec<FileId> = files
        .iter()
        .copied()
        .filter(|&file| !fresh(cache, file))
        .collect();
    let mut spares = cache.take_spares();
    let stale: Vec<(FileId, Option<KeptFile>)> = changed
        .into_iter()
        .map(|file| (file, cache.files.remove(&file)))
        .collect();
    // The copies of the changed files' parts go with the parts, to be moved as they are.
    let stale: Vec<(FileId, Option<KeptFile>)> = stale
        .into_iter()
        .map(|(file, mut old)| {
            if let Some((_, Kept::Parts(parts))) = &mut old {
                for part in parts {
                    part.spare = spares
                        .remove(&(Arc::as_ptr(&part.load) as usize))
                        .map(|(_, copy)| copy);
                }
            }
            (file, old)
        })
        .collect();
    let parsed: Vec<(FileId, Kept)> = stale
        .into_par_iter()
        .map(|(file, old)| {
            let json = json::is_json(sources.name(file));
            let kept = load_kept(
                file,
                sources.text(file),
                json,
                old,
                schema,
                &tables,
                taxonomy,
            );
            (file, kept)
        })
        .collect();
    cache.parsed = parsed.iter().map(|(file, _)| *file).collect();
    cache.parts = (0, 0);
    for (_, kept) in &parsed {
        if let Kept::Parts(parts) = kept {
            let reused = parts.iter().filter(|p| p.reused).count();
            cache.parts.0 += parts.len() - reused;
            cache.parts.1 += reused;
        }
    }
    for (file, kept) in parsed {
        cache.files.insert(file, (text(file), kept));
    }
    // Files no longer in the inventory (a set: a register may be thousands of files).
    let wanted: HashSet<FileId> = files.iter().copied().collect();
    cache.files.retain(|file, _| wanted.contains(file));
    // What the merge consumes: the prepared copy of each load, else a copy made now.
    let mut copies: Vec<Vec<Copy>> = Vec::with_capacity(files.len());
    for file in files {
        let Some((_, kept)) = cache.files.get_mut(file) else {
            continue;
        };
        let mut spare =
            |load: &Arc<FileLoad<'static>>| match spares.remove(&(Arc::as_ptr(load) as usize)) {
                Some((_, copy)) => Copy::Ready(copy),
                None => Copy::Of(load.clone()),
            };
        copies.push(match kept {
            Kept::Whole(load) => vec![spare(load)],
            Kept::Parts(parts) => parts
                .iter_mut()
                .map(|p| match p.spare.take() {
                    Some(copy) => Copy::Ready(copy),
                    None => spare(&p.load),
                })
                .collect(),
        });
    }
    cache.copies = copies
        .iter()
        .flatten()
        .fold((0, 0), |(ready, of), copy| match copy {
            Copy::Ready(_) => (ready + 1, of),
            Copy::Of(_) => (ready, of + 1),
        });
    // Copies left over (of loads no longer kept) are freed on another thread.
    if !spares.is_empty() {
        rayon::spawn(move || drop(spares));
    }
    let loaded: Vec<FileLoad<'static>> = copies
        .into_par_iter()
        .filter_map(|copies| {
            join(
                copies
                    .into_iter()
                    .map(|copy| match copy {
                        Copy::Ready(load) => load,
                        Copy::Of(load) => FileLoad::clone(&load),
                    })
                    .collect(),
            )
        })
        .collect();
    merge(loaded, schema, diags)
}

/// A load for the merge: a copy prepared while idle, or one to make now.
enum Copy {
    Ready(FileLoad<'static>),
    Of(Arc<FileLoad<'static>>),
}

/// One changed file for [`FileCache`]: in parts cut by content when it is large and of the
/// simple shape, reusing every part of `old` with the same kind and text; else whole.
fn load_kept(
    file: FileId,
    text: &str,
    json: bool,
    old: Option<KeptFile>,
    schema: &Schema,
    tables: &Tables<'_>,
    taxonomy: &Taxonomy,
) -> Kept {
    if !json
        && text.len() >= KEEP_PARTS_MIN_BYTES
        && let Some(parts) = load_kept_parts(file, text, old, schema, tables, taxonomy)
    {
        return Kept::Parts(parts);
    }
    Kept::Whole(Arc::new(
        load_file(file, text, json, schema, tables, taxonomy, Split::Auto).into_owned(),
    ))
}

fn load_kept_parts(
    file: FileId,
    text: &str,
    old: Option<KeptFile>,
    schema: &Schema,
    tables: &Tables<'_>,
    taxonomy: &Taxonomy,
) -> Option<Vec<KeptPart>> {
    let is_collection = |name: &str| schema.kind_by_collection(name).is_some();
    let plan = crate::yaml::split::plan(text, is_collection, Cut::Content(KEEP_PARTS_EVERY))?;
    // The earlier parts by kind and text (the text they were read from is `old`'s).
    let (old_text, old_parts) = match old {
        Some((old_text, Kept::Parts(parts))) => (Some(old_text), parts),
        Some((_, Kept::Whole(_))) | None => (None, Vec::new()),
    };
    // The earlier parts by kind, length and first bytes (hashing every part's whole text,
    // twice, was most of an edit's reading time); equal texts are then compared in full.
    let key = |kind: KindId, t: &str| {
        let head = t.as_bytes().get(..64).unwrap_or(t.as_bytes());
        (kind, t.len(), head.to_vec())
    };
    let mut reuse: HashMap<(KindId, usize, Vec<u8>), Vec<KeptPart>> = HashMap::new();
    if let Some(old_text) = old_text.as_deref() {
        for part in old_parts {
            if let Some(t) = old_text.get(part.range.clone()) {
                reuse.entry(key(part.kind, t)).or_default().push(part);
            }
        }
    }
    let old_text = old_text.as_deref().map(String::as_str).unwrap_or("");
    let mut jobs: Vec<(KindId, Part, Option<KeptPart>)> = Vec::new();
    for section in &plan {
        let kind = schema.kind_by_collection(section.name)?;
        for part in &section.parts {
            let same = text.get(part.range.clone()).and_then(|t| {
                let candidates = reuse.get_mut(&key(kind, t))?;
                let at = candidates
                    .iter()
                    .rposition(|c| old_text.get(c.range.clone()) == Some(t))?;
                Some(candidates.remove(at))
            });
            jobs.push((kind, part.clone(), same));
        }
    }
    jobs.into_par_iter()
        .map(|(kind, part, same)| {
            let range = part.range.clone();
            let reused = same.is_some();
            let (load, spare) = match same {
                Some(kept) => {
                    // Not shared (the copy made of it is `kept.spare`): moved, not copied.
                    let mut load =
                        Arc::try_unwrap(kept.load).unwrap_or_else(|load| FileLoad::clone(&load));
                    let mut spare = kept.spare;
                    let delta = range.start as i64 - kept.range.start as i64;
                    load.shift(delta);
                    if let Some(spare) = &mut spare {
                        spare.shift(delta);
                    }
                    (load, spare)
                }
                None => (
                    load_part(file, text, part, kind, schema, tables, taxonomy)?.into_owned(),
                    None,
                ),
            };
            Some(KeptPart {
                range,
                kind,
                load: Arc::new(load),
                reused,
                spare,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Pass 1: one file.

/// What one file contributes: its entities (references still unresolved), diagnostics,
/// and the text a YAML error kept from being read.
#[derive(Clone)]
struct FileLoad<'a> {
    entities: Vec<Entity>,
    refs: Vec<PendingRef>,
    links: Vec<PendingLink>,
    diags: Vec<Diag>,
    lost: Vec<Cow<'a, str>>,
}

impl<'a> FileLoad<'a> {
    fn empty() -> Self {
        FileLoad {
            entities: Vec::new(),
            refs: Vec::new(),
            links: Vec::new(),
            diags: Vec::new(),
            lost: Vec::new(),
        }
    }

    /// Append the load of the entities that follow this one's: its references and links
    /// name entities by index, now after this load's.
    fn append(&mut self, part: FileLoad<'a>) {
        let offset = self.entities.len() as u32;
        self.entities.extend(part.entities);
        self.refs.extend(part.refs.into_iter().map(|r| PendingRef {
            entity: r.entity + offset,
            ..r
        }));
        self.links
            .extend(part.links.into_iter().map(|l| PendingLink {
                entity: l.entity + offset,
                ..l
            }));
        self.diags.extend(part.diags);
        self.lost.extend(part.lost);
    }

    /// Move every span by `delta` bytes: the same part, found elsewhere in a changed file.
    fn shift(&mut self, delta: i64) {
        if delta == 0 {
            return;
        }
        for e in self
            .entities
            .iter_mut()
            .chain(self.links.iter_mut().map(|l| &mut l.link))
        {
            shift_entity(e, delta);
        }
        for r in &mut self.refs {
            shift_loc(&mut r.loc, delta);
        }
        for d in &mut self.diags {
            for label in d.primary.iter_mut().chain(d.secondary.iter_mut()) {
                shift_loc(&mut label.loc, delta);
            }
        }
    }

    /// The same load, owning the text it borrowed from the file (to be kept across runs).
    fn into_owned(self) -> FileLoad<'static> {
        FileLoad {
            entities: self.entities,
            refs: self.refs,
            links: self.links,
            diags: self.diags,
            lost: self
                .lost
                .into_iter()
                .map(|t| Cow::Owned(t.into_owned()))
                .collect(),
        }
    }
}

fn shift_loc(loc: &mut Loc, delta: i64) {
    shift_span(&mut loc.span, delta);
}

fn shift_span(span: &mut Span, delta: i64) {
    let by = |offset: u32| u32::try_from(i64::from(offset) + delta).unwrap_or(offset);
    *span = Span {
        start: by(span.start),
        end: by(span.end),
    };
}

fn shift_entity(e: &mut Entity, delta: i64) {
    shift_loc(&mut e.loc, delta);
    shift_loc(&mut e.id_loc, delta);
    for field in e.fields.values_mut() {
        shift_field(field, delta);
    }
}

fn shift_field(field: &mut Field, delta: i64) {
    shift_span(&mut field.span, delta);
    if let Value::List(items) = &mut field.value {
        for item in items.iter_mut() {
            shift_field(item, delta);
        }
    }
}

/// A reference waiting for the merge pass.
#[derive(Clone)]
struct PendingRef {
    /// Index in `FileLoad::entities`.
    entity: u32,
    field: FieldId,
    /// Position in the list, for `list<ref<..>>` fields.
    elem: Option<u32>,
    target: KindId,
    /// Owned (inline up to 24 bytes), so a file's load outlives its text.
    id: compact_str::CompactString,
    loc: Loc,
}

/// A link written on a reference-list entry, waiting for the merge pass to name it.
#[derive(Clone)]
struct PendingLink {
    /// Index in `FileLoad::entities`.
    entity: u32,
    field: FieldId,
    /// Position in the list (of the entries kept).
    elem: u32,
    link: Entity,
}

/// Per-kind field lookup by the name written in YAML, level by level.
struct Tables<'s> {
    kinds: Vec<KindTable<'s>>,
    /// The link schemas' (`Schema::links`).
    links: Vec<KindTable<'s>>,
}

struct KindTable<'s> {
    /// Top-level fields.
    top: Vec<(&'s str, FieldId)>,
    /// Members of each object field.
    members: HashMap<FieldId, Vec<(&'s str, FieldId)>>,
}

impl<'s> Tables<'s> {
    fn new(schema: &'s Schema) -> Tables<'s> {
        let table = |k: &'s crate::inventory::KindSchema| {
            let mut table = KindTable {
                top: Vec::new(),
                members: HashMap::new(),
            };
            for (i, f) in k.fields.iter().enumerate() {
                let entry = (f.short_name(), FieldId(i as u16));
                match f.parent {
                    None => table.top.push(entry),
                    Some(p) => table.members.entry(p).or_default().push(entry),
                }
            }
            table
        };
        Tables {
            kinds: schema.kinds.iter().map(table).collect(),
            links: schema.links.iter().map(table).collect(),
        }
    }

    /// The names directly inside `parent` (`None`: top level) of `kind`.
    fn level(&self, kind: KindId, parent: Option<FieldId>) -> &[(&'s str, FieldId)] {
        let table = match kind.0.checked_sub(crate::inventory::schema::LINK_BASE) {
            Some(i) => self.links.get(i as usize),
            None => self.kinds.get(kind.0 as usize),
        };
        let Some(table) = table else {
            return &[];
        };
        match parent {
            None => &table.top,
            Some(p) => table.members.get(&p).map(Vec::as_slice).unwrap_or(&[]),
        }
    }

    fn find(&self, kind: KindId, parent: Option<FieldId>, name: &str) -> Option<FieldId> {
        self.level(kind, parent)
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| *id)
    }
}

/// One file's load; `json`: try the JSON fast path first (the same result, faster).
fn load_file<'a>(
    file: FileId,
    text: &'a str,
    json: bool,
    schema: &Schema,
    tables: &Tables<'_>,
    taxonomy: &Taxonomy,
    split: Split,
) -> FileLoad<'a> {
    if json && let Some(load) = json::load_file(file, text, schema, tables, taxonomy) {
        return load;
    }
    let part_bytes = match split {
        Split::Never => None,
        Split::Parts(bytes) => Some(bytes.max(1)),
        Split::Auto => {
            let threads = rayon::current_num_threads();
            (threads > 1 && text.len() >= SPLIT_MIN_BYTES).then(|| text.len() / (threads * 4))
        }
    };
    if let Some(part_bytes) = part_bytes
        && let Some(load) = load_parts(file, text, schema, tables, taxonomy, part_bytes)
    {
        return load;
    }
    load_whole(file, text, schema, tables, taxonomy)
}

/// A file cut into parts of whole list entries (see [`crate::yaml::split`]), the parts read
/// in parallel and joined in order; `None` when the file cannot be cut, or when any part
/// reads with a YAML diagnostic or an anchor or alias: then only the whole file says what
/// is wrong and where, and the caller reads it whole.
fn load_parts<'a>(
    file: FileId,
    text: &'a str,
    schema: &Schema,
    tables: &Tables<'_>,
    taxonomy: &Taxonomy,
    part_bytes: usize,
) -> Option<FileLoad<'a>> {
    let is_collection = |name: &str| schema.kind_by_collection(name).is_some();
    let plan = crate::yaml::split::plan(text, is_collection, Cut::Bytes(part_bytes))?;
    let parts: Vec<(KindId, Part)> = plan
        .iter()
        .filter_map(|section| {
            let kind = schema.kind_by_collection(section.name)?;
            Some(section.parts.iter().map(move |p| (kind, p.clone())))
        })
        .flatten()
        .collect();
    if parts.len() < 2 && !matches!(part_bytes, 1) {
        return None;
    }
    let loads: Vec<Option<FileLoad<'a>>> = parts
        .into_par_iter()
        .map(|(kind, part)| load_part(file, text, part, kind, schema, tables, taxonomy))
        .collect();
    join(loads.into_iter().collect::<Option<Vec<_>>>()?)
}

/// The loads of consecutive parts of one file as one load (entity indices renumbered).
fn join<'a>(loads: Vec<FileLoad<'a>>) -> Option<FileLoad<'a>> {
    let mut out = FileLoad::empty();
    // Sized once: grown by doubling, the lists of a large file would be copied (and held
    // twice) several times over.
    out.entities
        .reserve_exact(loads.iter().map(|l| l.entities.len()).sum());
    out.refs
        .reserve_exact(loads.iter().map(|l| l.refs.len()).sum());
    out.links
        .reserve_exact(loads.iter().map(|l| l.links.len()).sum());
    for load in loads {
        u32::try_from(out.entities.len() + load.entities.len()).ok()?;
        out.append(load);
    }
    Some(out)
}

/// One part: a list's entries, read as a document whose root is the list (see
/// [`Part`] for its tail). `None` if it reads with any YAML diagnostic, an anchor or alias,
/// or another shape.
fn load_part<'a>(
    file: FileId,
    text: &'a str,
    part: Part,
    kind: KindId,
    schema: &Schema,
    tables: &Tables<'_>,
    taxonomy: &Taxonomy,
) -> Option<FileLoad<'a>> {
    let mut loader = FileLoader {
        schema,
        tables,
        taxonomy,
        file,
        text,
        out: FileLoad::empty(),
    };
    let mut reader = Reader::new_in(file, text, part.range);
    let mut yaml = Vec::new();
    let mut checks = Vec::new();
    let next = |reader: &mut Reader<'a>, yaml: &mut Vec<Diag>| reader.next(yaml).ok();
    matches!(next(&mut reader, &mut yaml)?.event, Event::StreamStart).then_some(())?;
    matches!(
        next(&mut reader, &mut yaml)?.event,
        Event::DocumentStart(..)
    )
    .then_some(())?;
    let list = next(&mut reader, &mut yaml)?;
    matches!(list.event, Event::SequenceStart(_, 0, None)).then_some(())?;
    // Each entry is checked once the next one has been read, so that the tail's empty
    // entry (`Tail::Entry`) is never taken for one.
    let mut last: Option<Raw<'a>> = None;
    loop {
        let ev = next(&mut reader, &mut yaml)?;
        if let Event::SequenceEnd = ev.event {
            break;
        }
        // Entries sit at depth 2 in the whole file: its mapping, the list, the entry.
        let node = build(&mut reader, ev, 2, &mut yaml).ok()?;
        if !yaml.is_empty() || reader.used_anchors() {
            return None;
        }
        if let Some(entry) = last.replace(node) {
            loader.entity(kind, entry, &mut checks);
        }
    }
    match part.tail {
        Tail::Entry => {
            let dash = last.take()?;
            matches!(dash.kind, RawKind::Null).then_some(())?;
        }
        Tail::Key => {}
        Tail::End => {
            matches!(next(&mut reader, &mut yaml)?.event, Event::DocumentEnd).then_some(())?;
            matches!(next(&mut reader, &mut yaml)?.event, Event::StreamEnd).then_some(())?;
        }
    }
    if !yaml.is_empty() || reader.used_anchors() {
        return None;
    }
    if let Some(entry) = last {
        loader.entity(kind, entry, &mut checks);
    }
    loader.out.diags = checks;
    Some(loader.out)
}

/// The whole file as one stream of YAML events.
fn load_whole<'a>(
    file: FileId,
    text: &'a str,
    schema: &Schema,
    tables: &Tables<'_>,
    taxonomy: &Taxonomy,
) -> FileLoad<'a> {
    let mut loader = FileLoader {
        schema,
        tables,
        taxonomy,
        file,
        text,
        out: FileLoad::empty(),
    };
    let mut reader = Reader::new(file, text);
    let mut diags = Vec::new();
    reader.documents(&mut diags, |r, first, diags| {
        loader.document(r, first, diags)
    });
    let lost = reader
        .lost()
        .iter()
        .filter_map(|span| text.get(span.range()))
        .map(Cow::Borrowed)
        .collect();
    FileLoad {
        diags,
        lost,
        ..loader.out
    }
}

struct FileLoader<'s, 'a> {
    schema: &'s Schema,
    tables: &'s Tables<'s>,
    taxonomy: &'s Taxonomy,
    file: FileId,
    text: &'a str,
    out: FileLoad<'a>,
}

/// What an entity's fields leave for the merge pass: references and links.
struct Pending<'p> {
    refs: &'p mut Vec<PendingRef>,
    links: &'p mut Vec<PendingLink>,
}

/// Where a value sits, for messages: a field, or an entry of a list field.
#[derive(Clone, Copy)]
enum Slot<'n> {
    Field(&'n str),
    Entry(&'n str),
}

impl<'s, 'a> FileLoader<'s, 'a> {
    fn loc(&self, span: Span) -> Loc {
        Loc::new(self.file, span)
    }

    fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// One document, starting at its root node's first event.
    fn document(
        &mut self,
        r: &mut Reader<'a>,
        first: Ev<'a>,
        diags: &mut Vec<Diag>,
    ) -> Result<(), Stop> {
        // The common case streams; an anchored or tagged root is built whole first.
        if let Event::MappingStart(_, 0, None) = first.event {
            return self.stream_root(r, diags);
        }
        let root = build(r, first, 0, diags)?;
        match root.kind {
            RawKind::Null => {}
            RawKind::Map(entries) => {
                for (key, value) in entries {
                    self.collection(&key, value, diags);
                }
            }
            _ => diags.push(self.not_a_mapping_root(&root)),
        }
        Ok(())
    }

    fn not_a_mapping_root(&self, root: &Raw<'_>) -> Diag {
        Diag::new(
            &codes::inventory::NOT_A_MAPPING,
            format!("an inventory document must be a mapping of collections, found {}", describe_raw(root)),
        )
        .at(self.loc(root.span), "expected `vendors:`, `data_stores:`, ...")
        .help("start the document with a collection key, e.g. `vendors:` followed by a list of vendors")
    }

    /// The top-level mapping, key by key; each collection's list entry by entry.
    fn stream_root(&mut self, r: &mut Reader<'a>, diags: &mut Vec<Diag>) -> Result<(), Stop> {
        // Collections written so far, for duplicate keys and for `<<` (explicit keys win).
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut merges: Vec<Raw<'a>> = Vec::new();
        loop {
            let ev = r.next(diags)?;
            if let Event::MappingEnd = ev.event {
                break;
            }
            r.mark(ev.span.start as usize);
            let key = build(r, ev, 1, diags)?;
            let value = r.next(diags)?;
            if key.is_merge_key() {
                merges.push(build(r, value, 1, diags)?);
                continue;
            }
            let Some(kind) = self.collection_kind(&key, diags) else {
                // Still read it: its syntax errors are errors too.
                build(r, value, 1, diags)?;
                continue;
            };
            let name = self.key_text(&key);
            match seen.entry(name) {
                Entry::Occupied(first) => diags.push(
                    Diag::new(
                        &codes::yaml::DUPLICATE_KEY,
                        format!("duplicate key `{}`", first.key()),
                    )
                    .at(self.loc(key.span), "defined again here")
                    .also(self.loc(*first.get()), "first defined here")
                    .help("a key may appear once in a mapping; merge the two lists"),
                ),
                Entry::Vacant(v) => {
                    v.insert(key.span);
                }
            }
            match value.event {
                Event::SequenceStart(_, 0, None) => loop {
                    let ev = r.next(diags)?;
                    if let Event::SequenceEnd = ev.event {
                        break;
                    }
                    // An error inside this entity loses it and the rest of the document.
                    r.mark(ev.span.start as usize);
                    let node = build(r, ev, 2, diags)?;
                    r.mark(node.span.end as usize);
                    self.entity(kind, node, diags);
                },
                _ => {
                    let node = build(r, value, 1, diags)?;
                    self.entities(kind, &key, node, diags);
                }
            }
        }
        // `<<` at the top level adds the collections not written explicitly.
        for m in merges {
            let maps = match m.kind {
                RawKind::Map(entries) => vec![entries],
                RawKind::Seq(items) => items
                    .into_iter()
                    .filter_map(|item| match item.kind {
                        RawKind::Map(entries) => Some(entries),
                        _ => {
                            diags.push(r.bad_merge(&item));
                            None
                        }
                    })
                    .collect(),
                _ => {
                    diags.push(r.bad_merge(&m));
                    Vec::new()
                }
            };
            for (key, value) in maps.into_iter().flatten() {
                if let Entry::Vacant(v) = seen.entry(self.key_text(&key)) {
                    v.insert(key.span);
                    self.collection(&key, value, diags);
                }
            }
        }
        Ok(())
    }

    /// The kind whose collection `key` names, or a diagnostic.
    fn collection_kind(&self, key: &Raw<'a>, diags: &mut Vec<Diag>) -> Option<KindId> {
        let name = self.key_name(key, diags)?;
        if let Some(kind) = self.schema.kind_by_collection(name) {
            return Some(kind);
        }
        let collections = self.schema.kinds.iter().map(|k| k.collection.as_str());
        let help = match diag::did_you_mean(name, collections.clone()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => {
                let list: Vec<String> = collections.map(|c| format!("`{c}`")).collect();
                format!(
                    "collections are {}; declare new kinds under `schema:` in custody.yaml",
                    list.join(", ")
                )
            }
        };
        diags.push(
            Diag::new(
                &codes::inventory::UNKNOWN_COLLECTION,
                format!("unknown collection `{name}`"),
            )
            .at(self.loc(key.span), "not a collection")
            .help(help),
        );
        None
    }

    /// A collection built as a whole (anchored, aliased or merged).
    fn collection(&mut self, key: &Raw<'a>, value: Raw<'a>, diags: &mut Vec<Diag>) {
        if let Some(kind) = self.collection_kind(key, diags) {
            self.entities(kind, key, value, diags);
        }
    }

    fn entities(&mut self, kind: KindId, key: &Raw<'a>, value: Raw<'a>, diags: &mut Vec<Diag>) {
        match value.kind {
            RawKind::Null => {}
            RawKind::Seq(items) => {
                for item in items {
                    self.entity(kind, item, diags);
                }
            }
            _ => {
                let k = self.schema.kind(kind);
                diags.push(
                    Diag::new(
                        &codes::inventory::NOT_A_LIST,
                        format!(
                            "`{}` must be a list, found {}",
                            self.key_text(key),
                            describe_raw(&value)
                        ),
                    )
                    .at(
                        self.loc(value.span),
                        format!("expected a list of {} entries", k.name),
                    )
                    .help(format!(
                        "write each {} as a list entry: `- id: ...`",
                        k.name
                    )),
                );
            }
        }
    }

    /// A scalar key's text as the user means it (a string's value, other scalars as written).
    fn key_text(&self, key: &Raw<'a>) -> String {
        match &key.kind {
            RawKind::Str(s, _) => s.to_string(),
            _ => self.slice(key.span).to_string(),
        }
    }

    /// A mapping key as a name; scalars other than strings are read as written.
    fn key_name<'n>(&self, key: &'n Raw<'a>, diags: &mut Vec<Diag>) -> Option<&'n str> {
        match &key.kind {
            RawKind::Str(s, _) => Some(s),
            RawKind::Seq(_) | RawKind::Map(_) => {
                diags.push(
                    Diag::new(
                        &codes::inventory::INVALID_KEY,
                        format!("a key must be a name, found {}", describe_raw(key)),
                    )
                    .at(self.loc(key.span), "not a name")
                    .help("write keys as plain names such as `tier:`"),
                );
                None
            }
            _ => Some(self.slice(key.span)),
        }
    }

    /// One entity: its id, then each field against the schema. Kept (with whatever fields are
    /// valid) when it has an id.
    fn entity(&mut self, kind: KindId, node: Raw<'a>, diags: &mut Vec<Diag>) {
        let ks = self.schema.kind(kind);
        let loc = self.loc(node.span);
        let RawKind::Map(entries) = node.kind else {
            diags.push(
                Diag::new(
                    &codes::inventory::NOT_A_MAPPING,
                    format!(
                        "a {} must be a mapping, found {}",
                        ks.name,
                        describe_raw(&node)
                    ),
                )
                .at(loc, "expected `id:` and fields")
                .help(format!(
                    "write the {} as `- id: ...` with its fields below",
                    ks.name
                )),
            );
            return;
        };
        // A dense scratch row, indexed by `FieldId`, made sparse when the entity is kept.
        let mut fields: Vec<Option<Field>> = vec![None; ks.fields.len()];
        let mut refs: Vec<PendingRef> = Vec::new();
        let mut links: Vec<PendingLink> = Vec::new();
        let mut id: Option<(compact_str::CompactString, Loc)> = None;
        let mut has_id_key = false;
        for (key, value) in entries {
            let Some(name) = self.key_name(&key, diags) else {
                continue;
            };
            if name == "id" {
                has_id_key = true;
                id = self.id(kind, value, diags);
                continue;
            }
            match self.tables.find(kind, None, name) {
                Some(fid) if ks.field_schema(fid).reverse_of.is_some() => {
                    diags.push(self.read_only(kind, fid, key.span));
                }
                Some(fid) => {
                    let mut p = Pending {
                        refs: &mut refs,
                        links: &mut links,
                    };
                    self.field(kind, fid, value, &mut fields, &mut p, diags)
                }
                None => diags.push(self.unknown_field(kind, None, name, key.span)),
            }
        }
        let Some((id, id_loc)) = id else {
            if !has_id_key {
                diags.push(
                    Diag::new(
                        &codes::inventory::MISSING_ID,
                        format!("{} without an `id`", ks.name),
                    )
                    .at(
                        Loc::new(
                            self.file,
                            Span::new(loc.span.start as usize, loc.span.start as usize),
                        ),
                        "this entry has no `id`",
                    )
                    .help(format!(
                        "add `id:` with a name unique among {} (letters, digits, `.`, `_`, `-`)",
                        ks.collection
                    )),
                );
            }
            return;
        };
        let index = self.out.entities.len() as u32;
        for r in &mut refs {
            r.entity = index;
        }
        for l in &mut links {
            l.entity = index;
        }
        self.out.refs.append(&mut refs);
        self.out.links.append(&mut links);
        self.out.entities.push(Entity {
            kind,
            id,
            loc,
            id_loc,
            // Reverse lists get their slot now: most are filled by the merge pass.
            fields: Fields::take_from(&mut fields, |f| ks.field_schema(f).reverse_of.is_some()),
        });
    }

    /// The `id` value: `None` (with a diagnostic) when the entity cannot be named.
    fn id(
        &self,
        kind: KindId,
        node: Raw<'a>,
        diags: &mut Vec<Diag>,
    ) -> Option<(compact_str::CompactString, Loc)> {
        let ks = self.schema.kind(kind);
        let loc = self.loc(node.span);
        let text: &str = match &node.kind {
            RawKind::Str(s, _) if !s.is_empty() => s,
            // `id: 1234` is an id as written.
            RawKind::Int(_) | RawKind::Float(_) => self.slice(node.span),
            RawKind::Null | RawKind::Str(..) => {
                diags.push(
                    Diag::new(
                        &codes::inventory::MISSING_ID,
                        format!("{} with an empty `id`", ks.name),
                    )
                    .at(loc, "no id here")
                    .help(format!("give it a name unique among {}", ks.collection)),
                );
                return None;
            }
            _ => {
                diags.push(
                    Diag::new(
                        &codes::inventory::WRONG_TYPE,
                        format!("`id` expects a name, found {}", describe_raw(&node)),
                    )
                    .at(loc, "expected a name")
                    .help("ids use letters, digits, `.`, `_` and `-`"),
                );
                return None;
            }
        };
        if !id_chars_only(text) {
            let fixed = fixed_id(text);
            diags.push(
                Diag::new(
                    &codes::inventory::INVALID_ID,
                    format!("invalid {} id `{text}`", ks.name),
                )
                .at(
                    loc,
                    "ids may only contain letters, digits, `.`, `_` and `-`",
                )
                .help_opt((!fixed.is_empty()).then(|| format!("write it as `{fixed}`"))),
            );
        }
        Some((compact_str::CompactString::from(text), loc))
    }

    fn unknown_field(&self, kind: KindId, parent: Option<FieldId>, name: &str, span: Span) -> Diag {
        let ks = self.schema.kind(kind);
        let level = self.tables.level(kind, parent);
        // Reverse lists are read-only: never suggested.
        let writable = level
            .iter()
            .filter(|(_, id)| ks.field_schema(*id).reverse_of.is_none())
            .map(|(n, _)| *n);
        let (full, mut names): (String, Vec<&str>) = match parent {
            Some(p) => (
                format!("{}.{name}", ks.field_schema(p).name),
                writable.collect(),
            ),
            None => (
                name.to_string(),
                std::iter::once("id").chain(writable).collect(),
            ),
        };
        let link = Schema::is_link(kind);
        // A field written at the wrong indentation: a member of an object field at the
        // entity's level, or a field of the enclosing level inside an object.
        let misplaced = match parent {
            None => ks
                .fields
                .iter()
                .find(|f| f.parent.is_some() && f.short_name() == name)
                .and_then(|f| f.parent)
                .map(|p| {
                    let object = ks.field_schema(p);
                    format!(
                        "`{name}` is a field of `{}`; indent it under `{}:`",
                        object.name,
                        object.short_name()
                    )
                }),
            Some(p) => {
                let object = ks.field_schema(p);
                self.tables.find(kind, object.parent, name).map(|_| {
                    let owner = match object.parent {
                        Some(q) => format!("`{}`", ks.field_schema(q).name),
                        None => format!("a {}", ks.name),
                    };
                    format!(
                        "`{name}` is a field of {owner}, not of `{}`; unindent it to line up with `{}:`",
                        object.name,
                        object.short_name()
                    )
                })
            }
        };
        let near = match misplaced {
            Some(_) => None,
            None => diag::did_you_mean(name, names.iter().copied()),
        };
        let help = match (misplaced, near) {
            (Some(help), _) => help,
            (None, Some(near)) => format!("did you mean `{near}`?"),
            (None, None) => {
                names.sort_unstable();
                let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                let whose = match parent {
                    Some(p) => format!("`{}`", ks.field_schema(p).name),
                    None if link => ks.name.clone(),
                    None => format!("a {}", ks.name),
                };
                format!(
                    "fields of {whose} are {}; declare new fields under `schema:` in custody.yaml",
                    list.join(", ")
                )
            }
        };
        let message = if link {
            format!("unknown field `{full}` in {}", ks.name)
        } else {
            format!("unknown {} field `{full}`", ks.name)
        };
        Diag::new(&codes::inventory::UNKNOWN_FIELD, message)
            .at(
                self.loc(span),
                match parent {
                    Some(p) => format!("not a field of `{}`", ks.field_schema(p).name),
                    None if link => "not a link field".to_string(),
                    None => format!("not a field of {}", ks.name),
                },
            )
            .help(help)
    }

    /// A reverse list written in an inventory.
    fn read_only(&self, kind: KindId, fid: FieldId, span: Span) -> Diag {
        let ks = self.schema.kind(kind);
        let fs = ks.field_schema(fid);
        let from = fs
            .reverse_of
            .map(|(k, f)| {
                let k = self.schema.kind(k);
                format!("{}.{}", k.name, k.field_schema(f).name)
            })
            .unwrap_or_default();
        Diag::new(
            &codes::inventory::READ_ONLY_FIELD,
            format!(
                "`{}` of a {} is computed and cannot be written",
                fs.name, ks.name
            ),
        )
        .at(self.loc(span), format!("the reverse of `{from}`"))
        .help(format!(
            "remove it: it lists what names this {} in `{from}`, so write the reference there",
            ks.name
        ))
    }

    /// One entry of a reference list written as a mapping: `- {id: crm, access: write}`.
    /// The id is checked as the entry; the other keys are fields of the list's link.
    fn link_entry(
        &self,
        kind: KindId,
        fid: FieldId,
        node: Raw<'a>,
        elem: u32,
        p: &mut Pending<'_>,
        diags: &mut Vec<Diag>,
    ) -> Option<Field> {
        let fs = self.schema.kind(kind).field_schema(fid);
        let FieldType::List(inner) = &fs.ty else {
            return None;
        };
        let loc = self.loc(node.span);
        let RawKind::Map(entries) = node.kind else {
            return None;
        };
        let Some(lk) = fs.link else {
            diags.push(
                Diag::new(
                    &codes::inventory::NO_LINK,
                    format!("entries of `{}` take no link fields", fs.name),
                )
                .at(loc, "a mapping where an id was expected")
                .help(format!(
                    "write the id alone: `- ID`; or declare `link: {{fields: ...}}` on `{}` under `schema:` in custody.yaml",
                    fs.name
                )),
            );
            return None;
        };
        let mut fields: Vec<Option<Field>> = vec![None; self.schema.kind(lk).fields.len()];
        let mut id: Option<Raw<'a>> = None;
        // Links hold no references (the schema refuses them): these stay empty.
        let (mut no_refs, mut no_links) = (Vec::new(), Vec::new());
        for (key, value) in entries {
            let Some(name) = self.key_name(&key, diags) else {
                continue;
            };
            if name == "id" {
                id = Some(value);
                continue;
            }
            match self.tables.find(lk, None, name) {
                Some(lf) => {
                    let mut none = Pending {
                        refs: &mut no_refs,
                        links: &mut no_links,
                    };
                    self.field(lk, lf, value, &mut fields, &mut none, diags);
                }
                None => diags.push(self.unknown_field(lk, None, name, key.span)),
            }
        }
        let Some(id) = id else {
            diags.push(
                Diag::new(
                    &codes::inventory::MISSING_ID,
                    format!("an entry of `{}` without an `id`", fs.name),
                )
                .at(loc, "this entry has no `id`")
                .help(format!(
                    "add `id:` with {}: `- {{id: ..., ...}}`",
                    expected(self.schema, inner)
                )),
            );
            return None;
        };
        let id_loc = self.loc(id.span);
        let target = self.slice(id.span).trim_matches(['"', '\'']);
        let entry = self.scalar(
            fid,
            inner,
            Slot::Entry(&fs.name),
            id,
            Some(elem),
            p.refs,
            diags,
        )?;
        // A link with no field is the short form.
        if fields.iter().any(Option::is_some) {
            p.links.push(PendingLink {
                entity: 0,
                field: fid,
                elem,
                link: Entity {
                    kind: lk,
                    id: target.into(),
                    loc,
                    id_loc,
                    fields: Fields::take_from(&mut fields, |_| false),
                },
            });
        }
        Some(entry)
    }

    /// Check one field's value and store it. Null is missing: the slot stays `None`.
    fn field(
        &self,
        kind: KindId,
        fid: FieldId,
        node: Raw<'a>,
        fields: &mut [Option<Field>],
        p: &mut Pending<'_>,
        diags: &mut Vec<Diag>,
    ) {
        if let RawKind::Null = node.kind {
            return;
        }
        let fs = self.schema.kind(kind).field_schema(fid);
        let field = match &fs.ty {
            FieldType::Object => match node.kind {
                RawKind::Map(entries) => {
                    for (key, value) in entries {
                        let Some(name) = self.key_name(&key, diags) else {
                            continue;
                        };
                        match self.tables.find(kind, Some(fid), name) {
                            // Recursion follows the schema's object nesting, not the input.
                            Some(member) => self.field(kind, member, value, fields, p, diags),
                            None => diags.push(self.unknown_field(kind, Some(fid), name, key.span)),
                        }
                    }
                    Some(Field {
                        value: Value::Object,
                        span: node.span,
                    })
                }
                _ => {
                    diags.push(self.wrong_type(&fs.name, &fs.ty, Slot::Field(&fs.name), &node));
                    None
                }
            },
            FieldType::List(inner) => match node.kind {
                RawKind::Seq(items) => {
                    let mut values = Vec::with_capacity(items.len());
                    for item in items {
                        let elem = values.len() as u32;
                        let entry = match (&**inner, &item.kind) {
                            (FieldType::Ref(_), RawKind::Map(_)) => {
                                self.link_entry(kind, fid, item, elem, p, diags)
                            }
                            _ => self.scalar(
                                fid,
                                inner,
                                Slot::Entry(&fs.name),
                                item,
                                Some(elem),
                                p.refs,
                                diags,
                            ),
                        };
                        if let Some(v) = entry {
                            values.push(v);
                        }
                    }
                    Some(Field {
                        value: Value::List(values.into_boxed_slice()),
                        span: node.span,
                    })
                }
                _ => {
                    diags.push(self.wrong_type(&fs.name, &fs.ty, Slot::Field(&fs.name), &node));
                    None
                }
            },
            ty => self.scalar(fid, ty, Slot::Field(&fs.name), node, None, p.refs, diags),
        };
        if let Some(slot) = fields.get_mut(fid.0 as usize) {
            *slot = field;
        }
    }

    /// A single value of scalar type `ty` (a field, or one entry of a list field).
    #[expect(
        clippy::too_many_arguments,
        reason = "internal helper; the arguments are all distinct facts"
    )]
    fn scalar(
        &self,
        fid: FieldId,
        ty: &FieldType,
        slot: Slot<'_>,
        node: Raw<'a>,
        elem: Option<u32>,
        refs: &mut Vec<PendingRef>,
        diags: &mut Vec<Diag>,
    ) -> Option<Field> {
        let loc = self.loc(node.span);
        let name = match slot {
            Slot::Field(n) | Slot::Entry(n) => n,
        };
        let value = match (ty, node.kind) {
            (FieldType::String, RawKind::Str(s, _)) => {
                Value::Str(compact_str::CompactString::new(&s))
            }
            (FieldType::Number, RawKind::Int(i)) => Value::Num(i as f64),
            (FieldType::Number, RawKind::Float(f)) if !f.is_nan() => Value::Num(f),
            (FieldType::Bool, RawKind::Bool(b)) => Value::Bool(b),
            (FieldType::Date, RawKind::Str(s, _)) => match parse_date(&s) {
                Ok(d) => Value::Date(d),
                Err((label, help)) => {
                    let mut d = self
                        .type_diag(name, ty, slot, &format!("`{s}`"), loc)
                        .help(help);
                    if let Some(primary) = &mut d.primary {
                        primary.text = Some(label.to_string());
                    }
                    diags.push(d);
                    return None;
                }
            },
            (FieldType::Category, RawKind::Str(s, _)) => {
                match self.taxonomy.lookup(&s) {
                    Some(c) => Value::Cat(c),
                    None => {
                        diags.push(
                        Diag::new(&codes::inventory::UNKNOWN_CATEGORY, format!("unknown data category `{s}`"))
                            .at(loc, "not in the taxonomy")
                            .help(self.taxonomy.suggest(&s).unwrap_or_else(|| {
                                "add it under `taxonomy:` in custody.yaml to extend the taxonomy".to_string()
                            })),
                    );
                        return None;
                    }
                }
            }
            (
                FieldType::Enum(values),
                kind @ (RawKind::Str(..) | RawKind::Int(_) | RawKind::Float(_) | RawKind::Bool(_)),
            ) => {
                let text: &str = match &kind {
                    RawKind::Str(s, _) => s,
                    _ => self.slice(node.span),
                };
                if values.contains(text) {
                    Value::Str(compact_str::CompactString::new(text))
                } else {
                    diags.push(
                        Diag::new(
                            &codes::inventory::UNKNOWN_ENUM_VALUE,
                            format!("unknown `{name}` value `{text}`"),
                        )
                        .at(loc, format!("not a valid `{name}`"))
                        .help_opt(diag::suggest(
                            text,
                            values.listed(),
                            "valid values",
                        )),
                    );
                    return None;
                }
            }
            (FieldType::Ref(target), kind @ (RawKind::Str(..) | RawKind::Int(_))) => {
                let id = match kind {
                    RawKind::Str(s, _) => compact_str::CompactString::new(&s),
                    _ => compact_str::CompactString::new(self.slice(node.span)),
                };
                refs.push(PendingRef {
                    entity: 0,
                    field: fid,
                    elem,
                    target: *target,
                    id,
                    loc,
                });
                Value::Ref(UNRESOLVED)
            }
            (_, kind) => {
                let node = Raw {
                    span: node.span,
                    kind,
                };
                diags.push(self.wrong_type(name, ty, slot, &node));
                return None;
            }
        };
        Some(Field {
            value,
            span: node.span,
        })
    }

    fn type_diag(&self, name: &str, ty: &FieldType, slot: Slot<'_>, found: &str, loc: Loc) -> Diag {
        let expected = expected(self.schema, ty);
        let message = match slot {
            Slot::Field(_) => format!("`{name}` expects {expected}, found {found}"),
            Slot::Entry(_) => format!("each entry of `{name}` must be {expected}, found {found}"),
        };
        Diag::new(&codes::inventory::WRONG_TYPE, message).at(loc, format!("expected {expected}"))
    }

    fn wrong_type(&self, name: &str, ty: &FieldType, slot: Slot<'_>, node: &Raw<'_>) -> Diag {
        let loc = self.loc(node.span);
        let text = self.slice(node.span);
        let d = self.type_diag(name, ty, slot, &describe_raw(node), loc);
        let unseparated = match (ty, &node.kind) {
            (FieldType::Number, RawKind::Str(s, _)) => without_separators(s),
            _ => None,
        };
        let help = match (ty, &node.kind) {
            (FieldType::Number, RawKind::Str(..)) if unseparated.is_some() => unseparated
                .map(|(sep, n)| format!("write the number without `{sep}` separators: `{n}`")),
            (FieldType::Number, RawKind::Str(s, true)) if s.trim().parse::<f64>().is_ok() => {
                Some(format!("remove the quotes: `{}`", s.trim()))
            }
            (FieldType::Number, RawKind::Float(f)) if f.is_nan() => {
                Some("write a number".to_string())
            }
            (FieldType::Bool, RawKind::Str(s, true)) if matches!(s.as_ref(), "true" | "false") => {
                Some(format!("remove the quotes: `{s}`"))
            }
            (FieldType::Bool, RawKind::Str(s, false))
                if matches!(
                    s.to_ascii_lowercase().as_str(),
                    "yes" | "no" | "on" | "off" | "y" | "n"
                ) =>
            {
                Some(format!(
                    "YAML 1.2 reads `{s}` as a string; write `true` or `false`"
                ))
            }
            (FieldType::Bool, _) => Some("write `true` or `false`".to_string()),
            (
                FieldType::String | FieldType::Enum(_) | FieldType::Ref(_) | FieldType::Category,
                RawKind::Int(_) | RawKind::Float(_) | RawKind::Bool(_),
            ) => Some(format!(
                "YAML reads `{text}` as {}; quote it: `\"{text}\"`",
                yaml_reading(text, &node.kind)
            )),
            (FieldType::Date, RawKind::Int(_) | RawKind::Float(_) | RawKind::Bool(_)) => {
                Some("write dates as `YYYY-MM-DD`, e.g. `2026-03-31`".to_string())
            }
            (
                FieldType::List(_),
                RawKind::Str(..) | RawKind::Int(_) | RawKind::Float(_) | RawKind::Bool(_),
            ) => Some(format!("write it as a list: `[{text}]`")),
            (FieldType::List(_), RawKind::Map(_)) => {
                Some("write a list, one `- ` entry per value".to_string())
            }
            (FieldType::Object, _) => Some(format!(
                "write `{name}:` followed by its fields, indented below it"
            )),
            (_, RawKind::Seq(_)) => Some(format!("`{name}` takes a single value, not a list")),
            _ => None,
        };
        d.help_opt(help)
    }
}

/// What YAML made of a plain scalar that is not a string, in words: "a number", "the
/// number `1000`" (when it is written otherwise), "the boolean `false`".
fn yaml_reading(text: &str, kind: &RawKind<'_>) -> String {
    let number = |n: String| {
        if n == text {
            "a number".to_string()
        } else {
            format!("the number `{n}`")
        }
    };
    match kind {
        RawKind::Bool(b) => format!("the boolean `{b}`"),
        RawKind::Int(i) => number(i.to_string()),
        RawKind::Float(f) => number(f.to_string()),
        RawKind::Null | RawKind::Str(..) | RawKind::Seq(_) | RawKind::Map(_) => "a value".into(),
    }
}

/// A number written with thousands separators (`2_100_000`, `1,000`): the separator and
/// the number without it. Groups after the first must have three digits, so `1,5` (a
/// decimal comma) is not one.
fn without_separators(s: &str) -> Option<(char, String)> {
    let s = s.trim();
    let sep = [',', '_'].into_iter().find(|c| s.contains(*c))?;
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (i, Some(f)),
        Some(_) => return None,
        None => (s, None),
    };
    let (sign, int) = match int.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", int),
    };
    let mut groups = int.split(sep);
    let first = groups.next()?;
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    if first.is_empty() || first.len() > 3 || !digits(first) {
        return None;
    }
    let mut out = format!("{sign}{first}");
    for g in groups {
        if g.len() != 3 || !digits(g) {
            return None;
        }
        out.push_str(g);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some((sep, out))
}

fn build<'a>(
    r: &mut Reader<'a>,
    ev: Ev<'a>,
    depth: usize,
    diags: &mut Vec<Diag>,
) -> Result<Raw<'a>, Stop> {
    r.build(ev, depth, false, diags).map_err(|(stop, _)| stop)
}

fn kind_name(schema: &Schema, kind: KindId) -> &str {
    schema
        .kinds
        .get(kind.0 as usize)
        .map(|k| k.name.as_str())
        .unwrap_or("?")
}

/// What a type expects, in words: "true or false", "a list of data categories".
pub(crate) fn expected(schema: &Schema, ty: &FieldType) -> String {
    match ty {
        FieldType::String => "a string".into(),
        FieldType::Number => "a number".into(),
        FieldType::Bool => "true or false".into(),
        FieldType::Date => "a date (YYYY-MM-DD)".into(),
        FieldType::Category => "a data category".into(),
        FieldType::Enum(values) => format!("one of {}", values.listed().join(", ")),
        FieldType::Ref(k) => format!("the id of a {}", kind_name(schema, *k)),
        FieldType::Object => "a mapping".into(),
        FieldType::List(inner) => format!("a list of {}", plural(schema, inner)),
    }
}

fn plural(schema: &Schema, ty: &FieldType) -> String {
    match ty {
        FieldType::String => "strings".into(),
        FieldType::Number => "numbers".into(),
        FieldType::Bool => "true or false values".into(),
        FieldType::Date => "dates (YYYY-MM-DD)".into(),
        FieldType::Category => "data categories".into(),
        FieldType::Enum(values) => format!("values among {}", values.listed().join(", ")),
        FieldType::Ref(k) => format!("{} ids", kind_name(schema, *k)),
        FieldType::Object | FieldType::List(_) => "values".into(),
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A strict ISO `YYYY-MM-DD` date; the error is a label and a `help` for the user.
pub(crate) fn parse_date(s: &str) -> Result<jiff::civil::Date, (&'static str, String)> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        // A timestamp whose first ten characters are a good date: suggest the date alone.
        let day = s.get(..10).filter(|_| s.len() > 10);
        let help = match day.map(|d| (d, parse_date(d))) {
            Some((day, Ok(_))) => format!("write only the date: `{day}`"),
            _ => "write dates as `YYYY-MM-DD`, e.g. `2026-03-31`".to_string(),
        };
        return Err(("expected YYYY-MM-DD", help));
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<i16>().ok()).unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    if !(1..=12).contains(&m) {
        return Err((
            "no such month",
            format!("`{s}` has no month {m}; months run from 01 to 12"),
        ));
    }
    let (month, day) = (m as i8, d as i8);
    match jiff::civil::Date::new(y, month, day) {
        Ok(date) => Ok(date),
        Err(_) => {
            let days = jiff::civil::Date::new(y, month, 1)
                .map(|first| first.days_in_month())
                .unwrap_or(31);
            let name = MONTHS
                .get((m - 1) as usize)
                .copied()
                .unwrap_or("this month");
            Err(("no such day", format!("{name} {y} has {days} days")))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Pass 2: merge the files, check ids, resolve references.

fn merge(loaded: Vec<FileLoad<'_>>, schema: &Schema, diags: &mut Vec<Diag>) -> Inventory {
    let total: usize = loaded.iter().map(|f| f.entities.len()).sum();
    let mut entities: Vec<Entity> = Vec::with_capacity(total);
    let mut by_kind: Vec<Vec<EntityId>> = vec![Vec::new(); schema.kinds.len()];
    let mut index = IdIndex::with_capacity(total);
    let mut pending: Vec<(EntityId, PendingRef)> = Vec::new();
    let mut pending_links: Vec<(EntityId, PendingLink)> = Vec::new();
    let mut unread: HashSet<String> = HashSet::new();

    for mut file in loaded {
        diags.append(&mut file.diags);
        for text in &file.lost {
            unread.extend(id_words(text).map(str::to_owned));
        }
        let mut ids: Vec<Option<EntityId>> = Vec::with_capacity(file.entities.len());
        for entity in file.entities {
            // Moved in, then indexed: the index holds no copy of the id.
            let id = EntityId(entities.len() as u32);
            let kind = entity.kind;
            entities.push(entity);
            match index.insert(id, &entities) {
                Err(first) => {
                    // Dropped: the first one (earlier, so still in place) is kept.
                    if let Some(again) = entities.pop()
                        && let Some(first) = entities.get(first.0 as usize)
                    {
                        diags.push(duplicate_id(schema, first, &again));
                    }
                    ids.push(None);
                }
                Ok(()) => {
                    if let Some(list) = by_kind.get_mut(kind.0 as usize) {
                        list.push(id);
                    }
                    ids.push(Some(id));
                }
            }
        }
        // References of dropped duplicates go with them.
        pending.extend(
            file.refs
                .into_iter()
                .filter_map(|r| Some((ids.get(r.entity as usize).copied().flatten()?, r))),
        );
        pending_links.extend(
            file.links
                .into_iter()
                .filter_map(|l| Some((ids.get(l.entity as usize).copied().flatten()?, l))),
        );
    }

    by_kind.par_iter_mut().for_each(|list| {
        list.sort_unstable_by(|a, b| {
            let name = |id: &EntityId| entities.get(id.0 as usize).map(|e| &*e.id).unwrap_or("");
            name(a).cmp(name(b))
        });
    });
    let mut inventory = Inventory {
        entities,
        by_kind,
        index,
        links: Vec::new(),
        link_of: HashMap::new(),
    };

    let mut broken: Vec<(EntityId, FieldId)> = Vec::new();
    let mut suggestions = 0;
    let mut near_of: HashMap<KindId, HashMap<String, Option<String>>> = HashMap::new();
    // Look up in parallel (read-only), then write in order.
    let targets: Vec<Option<EntityId>> = pending
        .par_iter()
        .map(|(_, r)| inventory.lookup(r.target, &r.id))
        .collect();
    for ((owner, r), target) in pending.into_iter().zip(targets) {
        match target {
            Some(target) => set_ref(&mut inventory, owner, &r, target),
            // The entity may be defined in text a YAML error kept from being read: that error
            // is the one to fix, so the reference is dropped without a second one.
            None if unread.contains(&*r.id) => broken.push((owner, r.field)),
            None => {
                // References to one missing entity (an id being typed, in the language
                // server) all get the same suggestion: searched for once.
                let near = if suggestions < MAX_REFERENCE_SUGGESTIONS {
                    let known = near_of.entry(r.target).or_default();
                    match known.get(&*r.id) {
                        Some(near) => near.clone(),
                        None => {
                            let near = nearest_id(&inventory, &r);
                            known.insert(r.id.to_string(), near.clone());
                            near
                        }
                    }
                } else {
                    None
                };
                suggestions += 1;
                diags.push(unknown_reference(schema, &inventory, owner, &r, near));
                broken.push((owner, r.field));
            }
        }
    }
    // A dangling reference is dropped; the rest of the field stays. Where entries go, the
    // positions of the others move: `moved` maps old positions to new for the links.
    let mut moved: HashMap<(EntityId, FieldId), Vec<Option<u32>>> = HashMap::new();
    for (owner, fid) in broken {
        let Some(slot) = inventory
            .entities
            .get_mut(owner.0 as usize)
            .and_then(|e| e.fields.get_mut(fid))
        else {
            continue;
        };
        match slot {
            Some(Field {
                value: Value::List(items),
                ..
            }) => {
                let mut map = Vec::with_capacity(items.len());
                let mut kept: Vec<Field> = Vec::with_capacity(items.len());
                for f in std::mem::take(items).into_vec() {
                    if f.value == Value::Ref(UNRESOLVED) {
                        map.push(None);
                    } else {
                        map.push(Some(kept.len() as u32));
                        kept.push(f);
                    }
                }
                *items = kept.into_boxed_slice();
                moved.entry((owner, fid)).or_insert(map);
            }
            Some(Field {
                value: Value::Ref(UNRESOLVED),
                ..
            }) => *slot = None,
            _ => {}
        }
    }
    for (owner, l) in pending_links {
        let elem = match moved.get(&(owner, l.field)) {
            Some(map) => map.get(l.elem as usize).copied().flatten(),
            None => Some(l.elem),
        };
        let Some(elem) = elem else {
            continue;
        };
        let id = EntityId(LINK_BIT | inventory.links.len() as u32);
        inventory.links.push(l.link);
        inventory.link_of.insert((owner, l.field, elem), id);
    }
    reverse_lists(&mut inventory, schema);
    inventory
}

/// Fill every reverse list (`data_store.accessed_by`, ...): for each entity of the kind it
/// is on, the entities whose reference field names it, in id order (and, within one
/// entity's list, in list order), each element located at the reference and carrying the
/// link written there. An entity nothing names has no list (absent, so it reads as empty).
fn reverse_lists(inv: &mut Inventory, schema: &Schema) {
    for target_kind in schema.kind_ids() {
        let ks = schema.kind(target_kind);
        for (ri, rf) in ks.fields.iter().enumerate() {
            let Some((from_kind, from_field)) = rf.reverse_of else {
                continue;
            };
            let rid = FieldId(ri as u16);
            // (target, element, link), in the referencing entities' id order.
            let mut found: Vec<(EntityId, Field, Option<EntityId>)> = Vec::new();
            for &u in inv.of_kind(from_kind) {
                match inv.get(u).field(from_field).map(|f| &f.value) {
                    Some(Value::Ref(t)) => {
                        if let Some(f) = inv.get(u).field(from_field) {
                            let elem = Field {
                                value: Value::Ref(u),
                                span: f.span,
                            };
                            found.push((*t, elem, None));
                        }
                    }
                    Some(Value::List(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            if let Value::Ref(t) = item.value {
                                let elem = Field {
                                    value: Value::Ref(u),
                                    span: item.span,
                                };
                                found.push((t, elem, inv.link(u, from_field, i)));
                            }
                        }
                    }
                    Some(
                        Value::Str(_)
                        | Value::Num(_)
                        | Value::Bool(_)
                        | Value::Date(_)
                        | Value::Cat(_)
                        | Value::Object,
                    )
                    | None => {}
                }
            }
            // Grouped by target with a counting sort (stable: each target's elements stay
            // in id order), each list allocated once at its size.
            let n = inv.entities.len();
            let mut start = vec![0usize; n + 1];
            for (t, _, _) in &found {
                if let Some(c) = start.get_mut(t.0 as usize + 1) {
                    *c += 1;
                }
            }
            for i in 1..=n {
                start[i] += start[i - 1];
            }
            let mut next = start.clone();
            let mut placed: Vec<Option<(Field, Option<EntityId>)>> =
                std::iter::repeat_with(|| None).take(found.len()).collect();
            for (t, elem, link) in found {
                if let Some(i) = next.get_mut(t.0 as usize)
                    && let Some(slot) = placed.get_mut(*i)
                {
                    *slot = Some((elem, link));
                    *i += 1;
                }
            }
            for (t, ent) in inv.entities.iter_mut().enumerate() {
                let (from, to) = (start[t], start[t + 1]);
                // Nothing names it: the list is absent, which reads as empty (no slot
                // filled for most entities of a large inventory).
                if from == to || ent.kind != target_kind {
                    continue;
                }
                let mut items: Vec<Field> = Vec::with_capacity(to - from);
                for (elem, link) in placed[from..to].iter_mut().filter_map(Option::take) {
                    if let Some(link) = link {
                        inv.link_of
                            .insert((EntityId(t as u32), rid, items.len() as u32), link);
                    }
                    items.push(elem);
                }
                let field = Field {
                    value: Value::List(items.into_boxed_slice()),
                    span: ent.id_loc.span,
                };
                ent.fields.set(rid, ks.fields.len(), field);
            }
        }
    }
}

/// Every word of id characters in `text`: the ids an unread part of a file may define.
fn id_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .filter(|w| !w.is_empty())
}

fn set_ref(inventory: &mut Inventory, owner: EntityId, r: &PendingRef, target: EntityId) {
    let Some(Some(field)) = inventory
        .entities
        .get_mut(owner.0 as usize)
        .and_then(|e| e.fields.get_mut(r.field))
    else {
        return;
    };
    let value = match (&mut field.value, r.elem) {
        (Value::List(items), Some(i)) => items.get_mut(i as usize).map(|f| &mut f.value),
        (v, None) => Some(v),
        _ => None,
    };
    if let Some(v) = value {
        *v = Value::Ref(target);
    }
}

fn duplicate_id(schema: &Schema, first: &Entity, again: &Entity) -> Diag {
    let k = schema.kind(again.kind);
    Diag::new(
        &codes::inventory::DUPLICATE_ID,
        format!(
            "duplicate id `{}`",
            EntityRef::new(k.name.as_str(), &*again.id)
        ),
    )
    .at(again.id_loc, "defined again here")
    .also(first.id_loc, "first defined here")
    .help(format!(
        "ids must be unique among {}; rename or remove one of them",
        k.collection
    ))
}

fn unknown_reference(
    schema: &Schema,
    inventory: &Inventory,
    owner: EntityId,
    r: &PendingRef,
    near: Option<String>,
) -> Diag {
    let target = schema.kind(r.target);
    let field = inventory
        .entities
        .get(owner.0 as usize)
        .map(|e| schema.kind(e.kind).field_schema(r.field).name.as_str())
        .unwrap_or("?");
    let near = near.map(|n| format!("did you mean `{n}`?"));
    Diag::new(
        &codes::inventory::UNKNOWN_REFERENCE,
        format!("`{field}` refers to unknown {} `{}`", target.name, r.id),
    )
    .at(r.loc, format!("no {} has this id", target.name))
    .help(near.unwrap_or_else(|| {
        format!(
            "define it under `{}:`, or correct the id",
            target.collection
        )
    }))
}

/// The id of `r`'s kind nearest to the one `r` names, if one is near enough.
fn nearest_id(inventory: &Inventory, r: &PendingRef) -> Option<String> {
    let ids = inventory
        .of_kind(r.target)
        .iter()
        .filter_map(|id| inventory.entities.get(id.0 as usize))
        .map(|e| &*e.id);
    diag::did_you_mean(&r.id, ids).map(str::to_owned)
}

/// Whether every character of `text` may be in an id: letters, digits, `.`, `_` and `-`.
pub(crate) fn id_chars_only(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// `text` made an id for a help: trimmed, each other character a `-` (empty if nothing is
/// left).
pub(crate) fn fixed_id(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Whether `text` can be read in parts of `part_bytes` bytes (see [`Split`]): for tests,
/// which must not pass only because every file they compare falls back to a whole read.
pub fn reads_in_parts(text: &str, schema: &Schema, taxonomy: &Taxonomy, part_bytes: usize) -> bool {
    let tables = Tables::new(schema);
    load_parts(FileId(0), text, schema, &tables, taxonomy, part_bytes).is_some()
}
