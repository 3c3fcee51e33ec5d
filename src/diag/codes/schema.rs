//! `custody::schema::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// A `schema:` extension in `custody.yaml` is malformed: not a mapping, an unknown key in a
    /// kind or field definition, a field without `type`, a new kind without `collection`.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [.]
    /// inventory: [inventory]
    /// schema:
    ///   vendor:
    ///     feilds:
    ///       security_contact: string
    /// ```
    ///
    /// Fix: a kind is `{collection, doc, fields}`, a field is a type or `{type, doc}`; see
    /// docs/inventory.md.
    pub INVALID = error "custody::schema::invalid",
        "A `schema:` extension in `custody.yaml` is malformed: not a mapping, an unknown key in a kind or field definition, a field without `type`, a new kind without `collection`.";

    /// A kind or field name in a schema extension is not a valid name, or is the built-in `id`.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [.]
    /// inventory: [inventory]
    /// schema:
    ///   vendor:
    ///     fields:
    ///       security contact: string
    /// ```
    ///
    /// Fix: names use letters, digits and `_`, and do not start with a digit.
    pub INVALID_NAME = error "custody::schema::invalid_name",
        "A kind or field name in a schema extension is not a valid name, or is the built-in `id`.";

    /// A schema extension declares a field that already exists with another type. Extensions only
    /// add names; they never change shipped ones.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [.]
    /// inventory: [inventory]
    /// schema:
    ///   vendor:
    ///     fields:
    ///       tier: string
    /// ```
    ///
    /// Fix: pick a new name for your field.
    pub REDEFINED_FIELD = error "custody::schema::redefined_field",
        "A schema extension declares a field that already exists with another type.";

    /// A schema extension gives an existing kind another collection, or names a collection that
    /// another kind already uses.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [.]
    /// inventory: [inventory]
    /// schema:
    ///   vendor:
    ///     collection: suppliers
    /// ```
    ///
    /// Fix: leave out `collection` when adding fields to an existing kind; give a new kind a
    /// collection of its own.
    pub REDEFINED_KIND = error "custody::schema::redefined_kind",
        "A schema extension gives an existing kind another collection, or names a collection that another kind already uses.";

    /// A `ref<KIND>` type names a kind the schema does not have.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [.]
    /// inventory: [inventory]
    /// schema:
    ///   vendor:
    ///     fields:
    ///       parent: ref<vendr>
    /// ```
    ///
    /// Fix: use an existing kind (`vendor`, `data_store`, or one your extension adds).
    pub UNKNOWN_KIND = error "custody::schema::unknown_kind",
        "A `ref<KIND>` type names a kind the schema does not have.";

    /// A field's type is not one custody knows, or is malformed (`list<list<string>>`, an enum
    /// value listed twice).
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [.]
    /// inventory: [inventory]
    /// schema:
    ///   vendor:
    ///     fields:
    ///       security_contact: strng
    /// ```
    ///
    /// Fix: types are `string`, `number`, `bool`, `date`, `category`, `enum(a, b)`, `ref<KIND>`,
    /// `list<T>` and `object`.
    pub UNKNOWN_TYPE = error "custody::schema::unknown_type",
        "A field's type is not one custody knows, or is malformed (`list<list<string>>`, an enum value listed twice).";
}
