//! `custody::taxonomy::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// A `taxonomy:` extension is malformed: not a mapping of category names, or a category that
    /// is neither a description nor a mapping.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [.]
    /// inventory: [inventory]
    /// taxonomy:
    ///   personal:
    ///     loyalty: [tier_status]
    /// ```
    ///
    /// Fix: nest names as mappings, with a description at each leaf:
    /// `personal: {loyalty: {tier_status: "Frequent-flyer status tier"}}`.
    pub INVALID = error "custody::taxonomy::invalid",
        "A `taxonomy:` extension is malformed: not a mapping of category names, or a category that is neither a description nor a mapping.";

    /// A category name in a taxonomy extension is not a valid name (letters, digits and `_`, not
    /// starting with a digit).
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [.]
    /// inventory: [inventory]
    /// taxonomy:
    ///   personal:
    ///     loyalty:
    ///       tier status: "Frequent-flyer status tier"
    /// ```
    ///
    /// Fix: write the name with `_` instead of spaces or other characters.
    pub INVALID_NAME = error "custody::taxonomy::invalid_name",
        "A category name in a taxonomy extension is not a valid name (letters, digits and `_`, not starting with a digit).";
}
