//! The inventory schema: kinds (`vendor`, `data_store`, user-defined), their collections and
//! typed fields. The shipped schema is `policies/schema.yaml`, embedded in the binary; its
//! header comment documents the format, which `custody.yaml`'s `schema:` key shares.

use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::source::{FileId, Loc};
use crate::yaml::{self, Node, NodeKind};

/// The shipped schema's text.
pub const BUILTIN_SCHEMA: &str = include_str!("../../policies/schema.yaml");

/// Upper bounds that keep `KindId` and `FieldId` (u16) valid.
const MAX_KINDS: usize = 1_000;
const MAX_FIELDS: usize = 10_000;

/// Kind ids from here up name the link schemas of reference lists (`Schema::links`), so
/// they never collide with real kinds (at most `MAX_KINDS`) and stay fixed as kinds are added.
pub const LINK_BASE: u16 = 0x8000;

/// Field names kept for what the language reads through a reference (`x.link`, and the
/// supply chain's `p.depth`, `p.via`): a schema cannot define them.
pub const RESERVED_FIELDS: [&str; 3] = ["link", "depth", "via"];

/// The type names `type:` accepts, for did-you-mean.
const TYPE_NAMES: [&str; 10] = [
    "string", "number", "bool", "date", "category", "object", "enum", "ordered", "ref", "list",
];

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct KindId(pub u16);

/// Index of a field within its kind's `fields`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct FieldId(pub u16);

#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    String,
    Number,
    Bool,
    Date,
    Category,
    /// `enum(a, b)` or `ordered(low, high)`.
    Enum(EnumValues),
    Ref(KindId),
    List(Box<FieldType>),
    /// A nested mapping such as `contract`; its members are fields named `contract.x`.
    Object,
}

/// The values of an enum type, as declared. `ordered(low, medium, high)` declares them
/// lowest first, and `< <= > >=` compare them by that order (SPEC §7.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumValues {
    pub values: Vec<String>,
    pub ordered: bool,
}

impl EnumValues {
    pub fn contains(&self, v: &str) -> bool {
        self.values.iter().any(|x| x == v)
    }
    /// The position of `v` in the order, lowest first (`None`: not a value, or not ordered).
    pub fn rank(&self, v: &str) -> Option<usize> {
        if !self.ordered {
            return None;
        }
        self.values.iter().position(|x| x == v)
    }
    /// The values as messages list them: an unordered enum in declaration order, an ordered
    /// one highest first (as v1 listed `tier`: critical, high, medium, low).
    pub fn listed(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.values.iter().map(String::as_str).collect();
        if self.ordered {
            v.reverse();
        }
        v
    }
}

/// Which way a date field points from today (`when:` in the schema): an audit happened in the
/// past, a contract expires in the future. Lint `window_direction` uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Past,
    Future,
}

impl When {
    pub fn as_str(self) -> &'static str {
        match self {
            When::Past => "past",
            When::Future => "future",
        }
    }
}

#[derive(Clone, Debug)]
pub struct FieldSchema {
    /// Full dotted name: `tier`, `contract.dpa_signed`.
    pub name: String,
    pub ty: FieldType,
    pub doc: String,
    /// The enclosing object field, for `contract.dpa_signed` the field `contract`.
    pub parent: Option<FieldId>,
    /// For a `list<ref<K>>` field that declares `link: {fields: ...}`: the kind id (at or
    /// above [`LINK_BASE`]) whose fields are the link's.
    pub link: Option<KindId>,
    /// For a reverse list (read-only, computed by the loader): the reference field it
    /// reverses, `(vendor, accesses)` for `data_store.accessed_by`.
    pub reverse_of: Option<(KindId, FieldId)>,
    /// `when: past|future` on a date field.
    pub when: Option<When>,
}

impl FieldSchema {
    /// The last segment of the name: `dpa_signed` for `contract.dpa_signed`.
    pub fn short_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }
}

#[derive(Clone, Debug)]
pub struct KindSchema {
    /// Singular, as in policies and output: `vendor`.
    pub name: String,
    /// The top-level YAML key holding the list: `vendors`.
    pub collection: String,
    pub doc: String,
    pub fields: Vec<FieldSchema>,
}

impl KindSchema {
    pub fn field(&self, dotted: &str) -> Option<FieldId> {
        self.fields
            .iter()
            .position(|f| f.name == dotted)
            .map(|i| FieldId(i as u16))
    }
    pub fn field_schema(&self, id: FieldId) -> &FieldSchema {
        // INVARIANT: FieldIds come from this kind's schema, which only ever grows.
        &self.fields[id.0 as usize]
    }
    /// The fields directly inside `parent` (`None`: the top-level fields), in order.
    pub fn members(
        &self,
        parent: Option<FieldId>,
    ) -> impl Iterator<Item = (FieldId, &FieldSchema)> + Clone {
        self.fields
            .iter()
            .enumerate()
            .filter(move |(_, f)| f.parent == parent)
            .map(|(i, f)| (FieldId(i as u16), f))
    }
}

#[derive(Clone, Debug)]
pub struct Schema {
    pub kinds: Vec<KindSchema>,
    /// The link schemas of reference lists, `KindId(LINK_BASE + i)`: addressable with
    /// [`Schema::kind`] like a kind (their fields are fields), but never listed, named in
    /// policies or given a collection.
    pub links: Vec<KindSchema>,
}

impl Schema {
    /// The shipped schema (`policies/schema.yaml`).
    pub fn builtin() -> Schema {
        let mut diags = Vec::new();
        let schema = Schema::builtin_with_diags(&mut diags);
        debug_assert!(
            diags.is_empty(),
            "policies/schema.yaml is invalid: {diags:?}"
        );
        schema
    }

    /// The shipped schema and any problem in it (a test asserts there is none).
    pub(crate) fn builtin_with_diags(diags: &mut Vec<Diag>) -> Schema {
        let mut schema = Schema {
            kinds: Vec::new(),
            links: Vec::new(),
        };
        for doc in yaml::parse(FileId(0), BUILTIN_SCHEMA, diags) {
            schema.extend(FileId(0), &doc, diags);
        }
        schema
    }

    /// Add kinds and fields from `custody.yaml`'s `schema:`; never removes shipped names.
    pub fn extend(&mut self, file: FileId, node: &Node, diags: &mut Vec<Diag>) {
        let loc = |n: &Node| Loc::new(file, n.span);
        if node.is_null() {
            return;
        }
        let Some(entries) = node.as_map() else {
            diags.push(
                Diag::new(
                    &codes::schema::INVALID,
                    format!(
                        "a schema is a mapping of kind names, found {}",
                        node.describe()
                    ),
                )
                .at(loc(node), "expected a mapping")
                .help("write `KIND: {collection: ..., doc: ..., fields: {...}}`"),
            );
            return;
        };
        // Kinds first, so a `ref<kind>` may name a kind defined further down.
        let mut pending: Vec<(KindId, &Node)> = Vec::new();
        for (key, def) in entries {
            let Some(name) = self.name_of(key, "kind", file, diags) else {
                continue;
            };
            if def.is_null() {
                continue;
            }
            if def.as_map().is_none() {
                diags.push(
                    Diag::new(
                        &codes::schema::INVALID,
                        format!("kind `{name}` must be a mapping, found {}", def.describe()),
                    )
                    .at(loc(def), "expected `collection`, `doc` and `fields`"),
                );
                continue;
            }
            if !check_keys(def, &["collection", "doc", "fields"], "kind", file, diags) {
                continue;
            }
            let collection = def.get("collection");
            let doc = def.get("doc").and_then(Node::as_str).unwrap_or("").trim();
            let kind = match self.kind_by_name(name) {
                Some(id) => {
                    if let Some(c) = collection
                        && c.as_str() != Some(self.kind(id).collection.as_str())
                    {
                        diags.push(
                            Diag::new(
                                &codes::schema::REDEFINED_KIND,
                                format!(
                                    "kind `{name}` already lists its entities under `{}`",
                                    self.kind(id).collection
                                ),
                            )
                            .at(loc(c), "a different collection")
                            .help(format!(
                                "remove `collection:` to add fields to `{name}`, or choose a new kind name"
                            )),
                        );
                        continue;
                    }
                    id
                }
                None => {
                    let Some(c) = collection else {
                        diags.push(
                            Diag::new(
                                &codes::schema::INVALID,
                                format!("new kind `{name}` has no `collection`"),
                            )
                            .at(loc(key), "add `collection:`")
                            .help(format!(
                                "name the top-level key that lists them, e.g. `collection: {name}s`"
                            ))
                            .help_opt(
                                diag::did_you_mean(
                                    name,
                                    self.kinds.iter().map(|k| k.name.as_str()),
                                )
                                .map(|near| format!("did you mean the existing kind `{near}`?")),
                            ),
                        );
                        continue;
                    };
                    let Some(cname) = self.name_of(c, "collection", file, diags) else {
                        continue;
                    };
                    if let Some(other) = self.kind_by_collection(cname) {
                        diags.push(
                            Diag::new(
                                &codes::schema::REDEFINED_KIND,
                                format!(
                                    "collection `{cname}` already lists `{}` entities",
                                    self.kind(other).name
                                ),
                            )
                            .at(loc(c), "already taken")
                            .help("choose another collection name"),
                        );
                        continue;
                    }
                    if self.kinds.len() >= MAX_KINDS {
                        diags.push(
                            Diag::new(
                                &codes::schema::INVALID,
                                format!("more than {MAX_KINDS} kinds"),
                            )
                            .at(loc(key), "one too many"),
                        );
                        continue;
                    }
                    self.kinds.push(KindSchema {
                        name: name.to_string(),
                        collection: cname.to_string(),
                        doc: doc.to_string(),
                        fields: Vec::new(),
                    });
                    KindId((self.kinds.len() - 1) as u16)
                }
            };
            if let Some(fields) = def.get("fields") {
                pending.push((kind, fields));
            }
        }
        let mut reverses = Vec::new();
        for (kind, fields) in pending {
            self.add_fields(kind, fields, file, &mut reverses, diags);
        }
        // Reverse lists last, so a kind's own fields come first whatever the order of kinds.
        for r in reverses {
            self.add_reverse(r, file, diags);
        }
    }

    /// Add the fields under `node` to `kind`, objects' members included.
    fn add_fields<'n>(
        &mut self,
        kind: KindId,
        node: &'n Node,
        file: FileId,
        reverses: &mut Vec<PendingReverse<'n>>,
        diags: &mut Vec<Diag>,
    ) {
        let in_link = kind.0 >= LINK_BASE;
        let loc = |n: &Node| Loc::new(file, n.span);
        // Depth first with an explicit stack, so an object's members follow it directly.
        let mut stack: Vec<(Option<FieldId>, Entries<'_>)> = Vec::new();
        let mut pending: Option<(Option<FieldId>, &Node)> = Some((None, node));
        loop {
            if let Some((parent, fields)) = pending.take() {
                match &fields.kind {
                    NodeKind::Null => {}
                    NodeKind::Map(entries) => stack.push((parent, entries.iter())),
                    _ => diags.push(
                        Diag::new(
                            &codes::schema::INVALID,
                            format!(
                                "`fields` is a mapping of field names, found {}",
                                fields.describe()
                            ),
                        )
                        .at(loc(fields), "expected a mapping")
                        .help("write `fields: {name: {type: string, doc: ...}}`"),
                    ),
                }
            }
            let Some((parent, entries)) = stack.last_mut() else {
                break;
            };
            let parent = *parent;
            let Some((key, def)) = entries.next() else {
                stack.pop();
                continue;
            };
            let Some(short) = self.name_of(key, "field", file, diags) else {
                continue;
            };
            if RESERVED_FIELDS.contains(&short) {
                diags.push(
                    Diag::new(
                        &codes::schema::INVALID_NAME,
                        format!("`{short}` is a reserved field name"),
                    )
                    .at(loc(key), "reserved")
                    .help(format!(
                        "policies read `{short}` through references; choose another name"
                    )),
                );
                continue;
            }
            if parent.is_none() && short == "id" {
                diags.push(
                    Diag::new(
                        &codes::schema::INVALID_NAME,
                        "`id` is built in and cannot be declared",
                    )
                    .at(loc(key), "reserved")
                    .help("every entity already has `id`; remove this field"),
                );
                continue;
            }
            // `name: string` or `name: {type: string, doc: ..., fields: ...}`.
            let (ty_node, doc, members, when_node) = match &def.kind {
                NodeKind::Str { .. } => (def, "", None, None),
                NodeKind::Map(_) => {
                    let keys: &[&str] = if in_link {
                        &["type", "doc", "fields", "when"]
                    } else {
                        &["type", "doc", "fields", "link", "reverse", "when"]
                    };
                    if !check_keys(def, keys, "field", file, diags) {
                        continue;
                    }
                    let Some(ty) = def.get("type") else {
                        diags.push(
                                Diag::new(&codes::schema::INVALID, format!("field `{short}` has no `type`"))
                                    .at(loc(key), "add `type:`")
                                    .help("types are string, number, bool, date, category, enum(a, b), ordered(a, b), ref<KIND>, list<T> and object"),
                            );
                        continue;
                    };
                    let doc = def.get("doc").and_then(Node::as_str).unwrap_or("").trim();
                    (ty, doc, def.get("fields"), def.get("when"))
                }
                _ => {
                    diags.push(
                        Diag::new(
                            &codes::schema::INVALID,
                            format!(
                                "field `{short}` must be a type or a mapping, found {}",
                                def.describe()
                            ),
                        )
                        .at(loc(def), "expected `{type: ..., doc: ...}`"),
                    );
                    continue;
                }
            };
            let Some(ty) = self.parse_type(ty_node, file, diags) else {
                continue;
            };
            let is_ref = matches!(&ty, FieldType::Ref(_))
                || matches!(&ty, FieldType::List(inner) if matches!(**inner, FieldType::Ref(_)));
            if in_link && is_ref {
                diags.push(
                    Diag::new(
                        &codes::schema::INVALID,
                        format!("link field `{short}` cannot be a reference"),
                    )
                    .at(loc(ty_node), "a reference inside a link")
                    .help("link fields hold values (strings, numbers, dates, enums, categories, lists of them)"),
                );
                continue;
            }
            let link_node = def.get("link").filter(|_| !in_link);
            let reverse_node = def.get("reverse").filter(|_| !in_link);
            if let Some(l) = link_node
                && !matches!(&ty, FieldType::List(inner) if matches!(**inner, FieldType::Ref(_)))
            {
                diags.push(
                    Diag::new(
                        &codes::schema::INVALID,
                        format!("field `{short}` has `link` but is not a list of references"),
                    )
                    .at(loc(l), "only `list<ref<KIND>>` fields have links")
                    .help("remove `link:`, or make the field a `list<ref<KIND>>`"),
                );
                continue;
            }
            if let Some(r) = reverse_node
                && !is_ref
            {
                diags.push(
                    Diag::new(
                        &codes::schema::INVALID,
                        format!("field `{short}` has `reverse` but is not a reference"),
                    )
                    .at(
                        loc(r),
                        "only `ref<KIND>` and `list<ref<KIND>>` fields have reverses",
                    )
                    .help("remove `reverse:`"),
                );
                continue;
            }
            if let Some(existing) = self.kind(kind).field(&match parent {
                Some(p) => format!("{}.{short}", self.kind(kind).field_schema(p).name),
                None => short.to_string(),
            }) && let Some((from, ffid)) = self.kind(kind).field_schema(existing).reverse_of
            {
                let from = self.kind(from);
                diags.push(
                    Diag::new(
                        &codes::schema::REDEFINED_FIELD,
                        format!(
                            "field `{short}` of `{}` is the reverse of `{}.{}`",
                            self.kind(kind).name,
                            from.name,
                            from.field_schema(ffid).name
                        ),
                    )
                    .at(loc(key), "already defined as a reverse list")
                    .help("reverse lists are read-only; choose another field name"),
                );
                continue;
            }
            let when = match when_node {
                Some(w) => match parse_when(w, short, &ty, file, diags) {
                    Some(when) => Some(when),
                    None => continue,
                },
                None => None,
            };
            if let Some(m) = members
                && ty != FieldType::Object
            {
                diags.push(
                    Diag::new(
                        &codes::schema::INVALID,
                        format!("field `{short}` has `fields` but is not an object"),
                    )
                    .at(loc(m), "only `type: object` has fields")
                    .help("write `type: object`, or remove `fields:`"),
                );
                continue;
            }
            let Some(k) = self.kind_mut(kind) else {
                continue;
            };
            let full = match parent {
                Some(p) => format!("{}.{short}", k.field_schema(p).name),
                None => short.to_string(),
            };
            let id = match k.field(&full) {
                Some(existing) => {
                    let old = k.field_schema(existing).ty.clone();
                    // `enum(...)` with the values of a shipped `ordered(...)` (as v1 wrote
                    // `tier`) restates it; the order stays.
                    let restated = match (&old, &ty) {
                        (FieldType::Enum(o), FieldType::Enum(n)) => {
                            o.ordered && !n.ordered && same_values(o, n)
                        }
                        _ => false,
                    };
                    if old != ty && !restated {
                        let kind_name = k.name.clone();
                        diags.push(
                            Diag::new(
                                &codes::schema::REDEFINED_FIELD,
                                format!(
                                    "field `{full}` of `{kind_name}` is already a `{}`",
                                    self.type_name(&old)
                                ),
                            )
                            .at(
                                loc(ty_node),
                                format!("redefined as `{}`", self.type_name(&ty)),
                            )
                            .help("shipped fields cannot change type; choose a new field name"),
                        );
                        continue;
                    }
                    let old_when = k.field_schema(existing).when;
                    if let (Some(was), Some(now)) = (old_when, when)
                        && was != now
                    {
                        let kind_name = k.name.clone();
                        diags.push(
                            Diag::new(
                                &codes::schema::REDEFINED_FIELD,
                                format!(
                                    "field `{full}` of `{kind_name}` is already `when: {}`",
                                    was.as_str()
                                ),
                            )
                            .at(
                                loc(when_node.unwrap_or(ty_node)),
                                format!("redefined as `when: {}`", now.as_str()),
                            )
                            .help("shipped fields cannot change direction; remove `when:`"),
                        );
                        continue;
                    }
                    if let (None, Some(now)) = (old_when, when)
                        && let Some(f) = k.fields.get_mut(existing.0 as usize)
                    {
                        f.when = Some(now);
                    }
                    existing
                }
                None => {
                    if k.fields.len() >= MAX_FIELDS {
                        diags.push(
                            Diag::new(
                                &codes::schema::INVALID,
                                format!("more than {MAX_FIELDS} fields"),
                            )
                            .at(loc(key), "one too many"),
                        );
                        continue;
                    }
                    k.fields.push(FieldSchema {
                        name: full,
                        ty: ty.clone(),
                        doc: doc.to_string(),
                        parent,
                        link: None,
                        reverse_of: None,
                        when,
                    });
                    FieldId((k.fields.len() - 1) as u16)
                }
            };
            if let Some(l) = link_node {
                self.add_link(kind, id, l, file, reverses, diags);
            }
            if let Some(r) = reverse_node {
                reverses.push(PendingReverse {
                    from: kind,
                    field: id,
                    name: r,
                });
            }
            if let Some(m) = members {
                pending = Some((Some(id), m));
            }
        }
    }

    /// `link: {fields: {...}}` on `kind`'s field `field`: its link schema is created, or
    /// extended when the field already has one.
    fn add_link<'n>(
        &mut self,
        kind: KindId,
        field: FieldId,
        node: &'n Node,
        file: FileId,
        reverses: &mut Vec<PendingReverse<'n>>,
        diags: &mut Vec<Diag>,
    ) {
        if node.is_null() {
            return;
        }
        if node.as_map().is_none() {
            diags.push(
                Diag::new(
                    &codes::schema::INVALID,
                    format!("`link` must be a mapping, found {}", node.describe()),
                )
                .at(Loc::new(file, node.span), "expected `fields:`")
                .help("write `link: {fields: {name: {type: string, doc: ...}}}`"),
            );
            return;
        }
        if !check_keys(node, &["fields"], "link", file, diags) {
            return;
        }
        let link = match self.kind(kind).field_schema(field).link {
            Some(l) => l,
            None => {
                let ks = self.kind(kind);
                let name = format!("{}.{}", ks.name, ks.field_schema(field).name);
                self.links.push(KindSchema {
                    name: format!("the link of `{name}`"),
                    collection: String::new(),
                    doc: format!("what an entry of `{name}` says about its reference"),
                    fields: Vec::new(),
                });
                let id = KindId(LINK_BASE + (self.links.len() - 1) as u16);
                if let Some(k) = self.kind_mut(kind)
                    && let Some(f) = k.fields.get_mut(field.0 as usize)
                {
                    f.link = Some(id);
                }
                id
            }
        };
        if let Some(fields) = node.get("fields") {
            self.add_fields(link, fields, file, reverses, diags);
        }
    }

    /// `reverse: NAME` on a reference field: the read-only list `NAME` on the kind it
    /// points to.
    fn add_reverse(&mut self, r: PendingReverse<'_>, file: FileId, diags: &mut Vec<Diag>) {
        let Some(name) = self.name_of(r.name, "field", file, diags) else {
            return;
        };
        let fs = self.kind(r.from).field_schema(r.field);
        let target = match &fs.ty {
            FieldType::Ref(k) => *k,
            FieldType::List(inner) => match **inner {
                FieldType::Ref(k) => k,
                FieldType::String
                | FieldType::Number
                | FieldType::Bool
                | FieldType::Date
                | FieldType::Category
                | FieldType::Enum(_)
                | FieldType::List(_)
                | FieldType::Object => return,
            },
            FieldType::String
            | FieldType::Number
            | FieldType::Bool
            | FieldType::Date
            | FieldType::Category
            | FieldType::Enum(_)
            | FieldType::Object => return,
        };
        let from_name = format!("{}.{}", self.kind(r.from).name, fs.name);
        let loc = Loc::new(file, r.name.span);
        if RESERVED_FIELDS.contains(&name) || name == "id" {
            diags.push(
                Diag::new(
                    &codes::schema::INVALID_NAME,
                    format!("`{name}` is a reserved field name"),
                )
                .at(loc, "reserved")
                .help("choose another name for the reverse list"),
            );
            return;
        }
        let tk = self.kind(target);
        if let Some(existing) = tk.field(name) {
            if tk.field_schema(existing).reverse_of == Some((r.from, r.field)) {
                return; // the same reverse, restated
            }
            let what = match tk.field_schema(existing).reverse_of {
                Some((k, f)) => format!(
                    "the reverse of `{}.{}`",
                    self.kind(k).name,
                    self.kind(k).field_schema(f).name
                ),
                None => format!(
                    "a `{}` field",
                    self.type_name(&tk.field_schema(existing).ty)
                ),
            };
            diags.push(
                Diag::new(
                    &codes::schema::REDEFINED_FIELD,
                    format!("`{}` already has a field `{name}`: {what}", tk.name),
                )
                .at(loc, format!("the reverse of `{from_name}`"))
                .help("name the reverse list differently"),
            );
            return;
        }
        if tk.fields.len() >= MAX_FIELDS {
            return;
        }
        let doc = format!(
            "the {} entities whose `{}` names this one",
            self.kind(r.from).name,
            fs.name
        );
        let from = r.from;
        let field = r.field;
        if let Some(k) = self.kind_mut(target) {
            k.fields.push(FieldSchema {
                name: name.to_string(),
                ty: FieldType::List(Box::new(FieldType::Ref(from))),
                doc,
                parent: None,
                link: None,
                reverse_of: Some((from, field)),
                when: None,
            });
        }
    }

    /// The link schema an element reached through `kind`'s list `field` carries: the
    /// field's own, or for a reverse list the link of the field it reverses.
    pub fn link_of(&self, kind: KindId, field: FieldId) -> Option<KindId> {
        let fs = self.kind_opt(kind)?.fields.get(field.0 as usize)?;
        match fs.reverse_of {
            Some((k, f)) => self.kind_opt(k)?.fields.get(f.0 as usize)?.link,
            None => fs.link,
        }
    }

    /// Is `kind` a link schema (not a kind of entity)?
    pub fn is_link(kind: KindId) -> bool {
        kind.0 >= LINK_BASE
    }

    fn kind_opt(&self, id: KindId) -> Option<&KindSchema> {
        match id.0.checked_sub(LINK_BASE) {
            Some(i) => self.links.get(i as usize),
            None => self.kinds.get(id.0 as usize),
        }
    }

    fn kind_mut(&mut self, id: KindId) -> Option<&mut KindSchema> {
        match id.0.checked_sub(LINK_BASE) {
            Some(i) => self.links.get_mut(i as usize),
            None => self.kinds.get_mut(id.0 as usize),
        }
    }

    /// A kind, collection or field name: a string of letters, digits and `_`, not starting
    /// with a digit, so it can be written in a policy path.
    fn name_of<'n>(
        &self,
        node: &'n Node,
        what: &str,
        file: FileId,
        diags: &mut Vec<Diag>,
    ) -> Option<&'n str> {
        let name = node.as_str();
        let valid = name.is_some_and(|n| {
            n.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        if valid {
            return name;
        }
        let shown = match name {
            Some(n) => format!("`{n}`"),
            None => node.describe(),
        };
        diags.push(
            Diag::new(
                &codes::schema::INVALID_NAME,
                format!("invalid {what} name {shown}"),
            )
            .at(Loc::new(file, node.span), "not a valid name")
            .help("names use letters, digits and `_`, and do not start with a digit"),
        );
        None
    }

    /// Parse a type such as `list<ref<vendor>>` or `enum(a, b)`.
    fn parse_type(&self, node: &Node, file: FileId, diags: &mut Vec<Diag>) -> Option<FieldType> {
        let loc = Loc::new(file, node.span);
        let Some(text) = node.as_str() else {
            diags.push(
                Diag::new(
                    &codes::schema::UNKNOWN_TYPE,
                    format!("a type is written as a string, found {}", node.describe()),
                )
                .at(loc, "expected a type name"),
            );
            return None;
        };
        let text = text.trim();
        let (inner, list) = match text.strip_prefix("list<").and_then(|t| t.strip_suffix('>')) {
            Some(inner) => (inner.trim(), true),
            None => (text, false),
        };
        let base = self.parse_base(inner, loc, diags)?;
        if !list {
            return Some(base);
        }
        if matches!(base, FieldType::List(_) | FieldType::Object) {
            diags.push(
                Diag::new(
                    &codes::schema::UNKNOWN_TYPE,
                    format!("`{text}` is not supported"),
                )
                .at(loc, "lists hold scalars, enums or references")
                .help("use `list<string>`, `list<category>`, `list<ref<KIND>>`, ..."),
            );
            return None;
        }
        Some(FieldType::List(Box::new(base)))
    }

    fn parse_base(&self, text: &str, loc: Loc, diags: &mut Vec<Diag>) -> Option<FieldType> {
        match text {
            "string" => return Some(FieldType::String),
            "number" => return Some(FieldType::Number),
            "bool" => return Some(FieldType::Bool),
            "date" => return Some(FieldType::Date),
            "category" => return Some(FieldType::Category),
            "object" => return Some(FieldType::Object),
            _ => {}
        }
        if let Some(kind) = text.strip_prefix("ref<").and_then(|t| t.strip_suffix('>')) {
            let kind = kind.trim();
            return match self.kind_by_name(kind) {
                Some(id) => Some(FieldType::Ref(id)),
                None => {
                    diags.push(
                        Diag::new(
                            &codes::schema::UNKNOWN_KIND,
                            format!("unknown kind `{kind}` in `{text}`"),
                        )
                        .at(loc, "no such kind")
                        .help_opt(diag::suggest(
                            kind,
                            self.kinds.iter().map(|k| k.name.as_str()),
                            "kinds",
                        )),
                    );
                    None
                }
            };
        }
        let enum_values = text
            .strip_prefix("enum(")
            .map(|t| (t, false))
            .or_else(|| text.strip_prefix("ordered(").map(|t| (t, true)))
            .and_then(|(t, ordered)| t.strip_suffix(')').map(|t| (t, ordered)));
        if let Some((values, ordered)) = enum_values {
            let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
            let bad = values.iter().find(|v| {
                v.is_empty() || !v.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c))
            });
            if let Some(bad) = bad {
                diags.push(
                    Diag::new(
                        &codes::schema::UNKNOWN_TYPE,
                        format!("invalid enum value `{bad}` in `{text}`"),
                    )
                    .at(loc, "enum values are words")
                    .help(if ordered {
                        "write `ordered(a, b, c)`, lowest first, with letters, digits, `_`, `-` and `.`"
                    } else {
                        "write `enum(a, b, c)` with letters, digits, `_`, `-` and `.`"
                    }),
                );
                return None;
            }
            let mut sorted: Vec<&String> = values.iter().collect();
            sorted.sort();
            if let Some(w) = sorted.windows(2).find(|w| w.first() == w.get(1)) {
                let dup = w.first().map(|s| s.as_str()).unwrap_or("");
                diags.push(
                    Diag::new(
                        &codes::schema::UNKNOWN_TYPE,
                        format!("enum value `{dup}` is listed twice"),
                    )
                    .at(loc, "repeated value"),
                );
                return None;
            }
            return Some(FieldType::Enum(EnumValues { values, ordered }));
        }
        let head = text.split(['<', '(']).next().unwrap_or(text).trim();
        diags.push(
            Diag::new(&codes::schema::UNKNOWN_TYPE, format!("unknown type `{text}`"))
                .at(loc, "not a type")
                .help(match diag::did_you_mean(head, TYPE_NAMES) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "types are string, number, bool, date, category, enum(a, b), ordered(a, b), ref<KIND>, list<T> and object"
                        .to_string(),
                }),
        );
        None
    }

    /// A type as written in the schema: `list<ref<data_store>>`, `enum(a, b)`.
    pub fn type_name(&self, ty: &FieldType) -> String {
        match ty {
            FieldType::String => "string".into(),
            FieldType::Number => "number".into(),
            FieldType::Bool => "bool".into(),
            FieldType::Date => "date".into(),
            FieldType::Category => "category".into(),
            FieldType::Object => "object".into(),
            FieldType::Enum(e) => format!(
                "{}({})",
                if e.ordered { "ordered" } else { "enum" },
                e.values.join(", ")
            ),
            FieldType::Ref(k) => format!(
                "ref<{}>",
                self.kinds
                    .get(k.0 as usize)
                    .map(|k| k.name.as_str())
                    .unwrap_or("?")
            ),
            FieldType::List(inner) => format!("list<{}>", self.type_name(inner)),
        }
    }

    pub fn kind_by_name(&self, name: &str) -> Option<KindId> {
        self.kinds
            .iter()
            .position(|k| k.name == name)
            .map(|i| KindId(i as u16))
    }
    pub fn kind_by_collection(&self, name: &str) -> Option<KindId> {
        self.kinds
            .iter()
            .position(|k| k.collection == name)
            .map(|i| KindId(i as u16))
    }
    pub fn kind(&self, id: KindId) -> &KindSchema {
        // INVARIANT: KindIds come from this schema, which only ever grows (link schemas'
        // ids start at `LINK_BASE`).
        match id.0.checked_sub(LINK_BASE) {
            Some(i) => &self.links[i as usize],
            None => &self.kinds[id.0 as usize],
        }
    }
    /// Every kind id, in definition order.
    pub fn kind_ids(&self) -> impl Iterator<Item = KindId> + Clone {
        (0..self.kinds.len() as u16).map(KindId)
    }
}

/// A `reverse: NAME` waiting until every kind's fields are known.
struct PendingReverse<'n> {
    from: KindId,
    field: FieldId,
    name: &'n Node,
}

/// Do two enums list the same values, in any order?
fn same_values(a: &EnumValues, b: &EnumValues) -> bool {
    let (mut x, mut y) = (a.values.clone(), b.values.clone());
    x.sort_unstable();
    y.sort_unstable();
    x == y
}

/// `when: past|future` on a date field; `None` (reported) when it is anything else.
fn parse_when(
    node: &Node,
    field: &str,
    ty: &FieldType,
    file: FileId,
    diags: &mut Vec<Diag>,
) -> Option<When> {
    let loc = Loc::new(file, node.span);
    let when = match node.as_str().map(str::trim) {
        Some("past") => When::Past,
        Some("future") => When::Future,
        other => {
            let shown = match other {
                Some(s) => format!("`{s}`"),
                None => node.describe(),
            };
            diags.push(
                Diag::new(
                    &codes::schema::INVALID,
                    format!("`when` of field `{field}` must be `past` or `future`, found {shown}"),
                )
                .at(loc, "expected `past` or `future`")
                .help(
                    diag::did_you_mean(other.unwrap_or(""), ["past", "future"])
                        .map(|n| format!("did you mean `{n}`?"))
                        .unwrap_or_else(|| {
                            "write `when: past` for a date that has happened (an audit), `when: future` for one still to come (an expiry)".into()
                        }),
                ),
            );
            return None;
        }
    };
    if *ty != FieldType::Date {
        diags.push(
            Diag::new(
                &codes::schema::INVALID,
                format!("`when` applies to date fields, but `{field}` is not a date"),
            )
            .at(loc, "only `type: date` takes `when`")
            .help("remove `when:`, or make the field `type: date`"),
        );
        return None;
    }
    Some(when)
}

/// The entries of a mapping still to visit.
type Entries<'n> = std::slice::Iter<'n, (Node, Node)>;

/// Report keys of `def` not in `allowed`; true when all are known.
fn check_keys(
    def: &Node,
    allowed: &[&str],
    what: &str,
    file: FileId,
    diags: &mut Vec<Diag>,
) -> bool {
    let mut ok = true;
    for (key, _) in def.as_map().unwrap_or(&[]) {
        let name = key.as_str().unwrap_or("");
        if allowed.contains(&name) {
            continue;
        }
        ok = false;
        let shown = match key.as_str() {
            Some(n) => format!("`{n}`"),
            None => key.describe(),
        };
        diags.push(
            Diag::new(
                &codes::schema::INVALID,
                format!("unknown key {shown} in a {what} definition"),
            )
            .at(Loc::new(file, key.span), "not a schema key")
            .help_opt(diag::suggest(name, allowed.iter().copied(), "keys")),
        );
    }
    ok
}
