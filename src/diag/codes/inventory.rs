//! `custody::inventory::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// An inventory document, or an entity in a collection, is not a mapping.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// - id: acme
    /// - id: globex
    /// ```
    ///
    /// Fix: start the document with a collection key (`vendors:`, `data_stores:`) followed by a
    /// list of `key: value` mappings.
    pub NOT_A_MAPPING = error "custody::inventory::not_a_mapping",
        "An inventory document, or an entity in a collection, is not a mapping.";

    /// A top-level key names no collection of the schema. Collections are plural (`vendors`,
    /// `data_stores`, or one a schema extension adds).
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendor:
    ///   - id: acme
    /// ```
    ///
    /// Fix: use the collection's name; the help names the nearest one.
    pub UNKNOWN_COLLECTION = error "custody::inventory::unknown_collection",
        "A top-level key names no collection of the schema.";

    /// A collection is not a list of entities.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   id: acme
    /// ```
    ///
    /// Fix: write each entity as a list item starting with `- `.
    pub NOT_A_LIST = error "custody::inventory::not_a_list",
        "A collection is not a list of entities.";

    /// A key in an entity is not a plain name (a list, a mapping or a number used as a key).
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     [tier]: high
    /// ```
    ///
    /// Fix: write keys as plain names such as `tier:`.
    pub INVALID_KEY = error "custody::inventory::invalid_key",
        "A key in an entity is not a plain name (a list, a mapping or a number used as a key).";

    /// An entity has no `id`, or an empty one. Every entity is named `KIND/ID` in all output, so
    /// the id is required.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - name: Acme
    /// ```
    ///
    /// Fix: add an `id` unique among the entities of its kind.
    pub MISSING_ID = error "custody::inventory::missing_id",
        "An entity has no `id`, or an empty one.";

    /// An `id` contains characters other than letters, digits, `.`, `_` and `-`.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme corp
    /// ```
    ///
    /// Fix: use a slug such as `acme-corp`.
    pub INVALID_ID = error "custody::inventory::invalid_id",
        "An `id` contains characters other than letters, digits, `.`, `_` and `-`.";

    /// Two entities of one kind have the same `id`, in one file or across files.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///   - id: acme
    /// ```
    ///
    /// The message names the entity as `KIND/ID`; the first definition is a second label (in JSON,
    /// an entry of `related`).
    ///
    /// Fix: rename or remove one of them; the diagnostic labels both.
    pub DUPLICATE_ID = error "custody::inventory::duplicate_id",
        "Two entities of one kind have the same `id`, in one file or across files.";

    /// An entity has a field its kind's schema does not declare (a typo, or a field that needs a
    /// schema extension).
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     teir: high
    /// ```
    ///
    /// Fix: correct the name (the help names the nearest field), or declare the field under
    /// `schema:` in `custody.yaml`.
    pub UNKNOWN_FIELD = error "custody::inventory::unknown_field",
        "An entity has a field its kind's schema does not declare (a typo, or a field that needs a schema extension).";

    /// A field's value has the wrong type: a string where a number, a boolean or a date is
    /// expected, a single value where a list is expected. Quoted YAML (`"72"`) is a string.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     mfa_enforced: "yes"
    /// ```
    ///
    /// Fix: write the value in the field's type (see docs/inventory.md): `mfa_enforced: true`.
    pub WRONG_TYPE = error "custody::inventory::wrong_type",
        "A field's value has the wrong type: a string where a number, a boolean or a date is expected, a single value where a list is expected.";

    /// A `handles` or `holds` entry names no category of the taxonomy. Categories are written as
    /// full dotted paths.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     handles: [personal.contact.adress]
    /// ```
    ///
    /// Fix: correct the name (the help names the nearest category), or add the category under
    /// `taxonomy:` in `custody.yaml`.
    pub UNKNOWN_CATEGORY = error "custody::inventory::unknown_category",
        "A `handles` or `holds` entry names no category of the taxonomy.";

    /// A field with a fixed set of values (`tier`, `kind`) has a value outside the set.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     tier: critcal
    /// ```
    ///
    /// Fix: use one of the allowed values; the help names the nearest one.
    pub UNKNOWN_ENUM_VALUE = error "custody::inventory::unknown_enum_value",
        "A field with a fixed set of values (`tier`, `kind`) has a value outside the set.";

    /// A reference field (`accesses`, `subprocessors`, `hosted_by`) names an entity that is not in
    /// the inventory.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     subprocessors: [globex]
    /// ```
    ///
    /// Not reported when the id is written in a part of an inventory file that a YAML error kept
    /// from being read (see `custody::yaml::syntax`): fix that error first.
    ///
    /// Fix: add the entity, or correct the id; the help names the nearest one.
    pub UNKNOWN_REFERENCE = error "custody::inventory::unknown_reference",
        "A reference field (`accesses`, `subprocessors`, `hosted_by`) names an entity that is not in the inventory.";

    /// An entry of a reference list is written as a mapping, but the list declares no link
    /// fields. Only lists with `link:` in the schema (`accesses`, `subprocessors`) take
    /// `- {id: crm, access: write}`.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [.]
    /// inventory: [inventory]
    /// schema:
    ///   vendor:
    ///     fields:
    ///       backs_up: "list<ref<data_store>>"
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     backs_up:
    ///       - {id: crm, schedule: daily}
    /// data_stores:
    ///   - id: crm
    /// ```
    ///
    /// Fix: write the id alone (`- crm`), or declare `link: {fields: ...}` on the field under
    /// `schema:` in `custody.yaml` (docs/inventory.md, "Links").
    pub NO_LINK = error "custody::inventory::no_link",
        "An entry of a reference list is written as a mapping, but the list declares no link fields.";

    /// A reverse list is written in an inventory. Reverse lists (`data_store.accessed_by`,
    /// `vendor.hosts`, `vendor.subprocessor_of`, or one a schema extension names with
    /// `reverse:`) are computed from the references on the other side.
    ///
    /// ```yaml title="inventory/stores.yaml"
    /// data_stores:
    ///   - id: crm
    ///     accessed_by: [acme]
    /// ```
    ///
    /// Fix: remove it, and list the store in the vendor's `accesses` instead.
    pub READ_ONLY_FIELD = error "custody::inventory::read_only_field",
        "A reverse list is written in an inventory.";
}
