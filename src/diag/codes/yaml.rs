//! `custody::yaml::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// A YAML file (inventory, waivers, `custody.yaml`) is not valid YAML: wrong indentation, a tab
    /// used for indentation, an unclosed bracket or quote.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///      tier: high
    /// ```
    ///
    /// The entities completed before the error are kept; the one it is in and the rest of its
    /// document are not read, and a reference to an id written in that unread text is not
    /// reported again as `custody::inventory::unknown_reference`.
    ///
    /// Fix: correct the YAML at the place shown. Indent with spaces only, and line up the keys of
    /// one mapping.
    pub SYNTAX = error "custody::yaml::syntax",
        "A YAML file (inventory, waivers, `custody.yaml`) is not valid YAML: wrong indentation, a tab used for indentation, an unclosed bracket or quote.";

    /// A mapping has the same key twice. YAML parsers disagree about which value wins, so custody
    /// refuses both.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     tier: high
    ///     tier: low
    /// ```
    ///
    /// Fix: keep one of the two.
    pub DUPLICATE_KEY = error "custody::yaml::duplicate_key",
        "A mapping has the same key twice.";

    /// An alias (`*name`) refers to an anchor (`&name`) that is not defined before it in the
    /// same document.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     certifications: *standard
    /// ```
    ///
    /// Fix: define the anchor first (`certifications: &standard [iso27001]`), or correct the name.
    pub UNKNOWN_ANCHOR = error "custody::yaml::unknown_anchor",
        "An alias (`*name`) refers to an anchor (`&name`) that is not defined before it in the same document.";

    /// An alias is used inside the collection its anchor names, which would make the value
    /// infinite.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors: &all
    ///   - id: acme
    ///     subprocessors: *all
    /// ```
    ///
    /// Fix: an alias can only repeat a value defined before it; write the value out.
    pub RECURSIVE_ALIAS = error "custody::yaml::recursive_alias",
        "An alias is used inside the collection its anchor names, which would make the value infinite.";

    /// Aliases in one file expand to far more nodes than the file itself holds (the "billion
    /// laughs" attack). custody stops before expanding them. The text aliases repeat is
    /// budgeted too: past 16 MiB of strings, or twice the file's size if larger, the file
    /// is refused, since every repeat is a copy in memory (5,000 aliases of one 100 KB
    /// string would be 500 MB).
    ///
    /// Produced by: tests/robustness.rs
    ///
    /// Fix: write the values out, or use fewer nested aliases.
    pub ALIAS_BUDGET = error "custody::yaml::alias_budget",
        "Aliases in one file expand to far more nodes than the file itself holds (the \"billion laughs\" attack).";

    /// Lists and mappings are nested more than 256 levels deep. custody refuses them before any
    /// recursion could overflow the stack.
    ///
    /// Produced by: tests/robustness.rs
    ///
    /// Fix: inventories never need such depth; the file is probably generated wrongly.
    pub TOO_DEEP = error "custody::yaml::too_deep",
        "Lists and mappings are nested more than 256 levels deep.";

    /// A value carries a tag custody does not read (`!vault`, `!!binary`). custody reads only the
    /// YAML core tags (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`, `!!seq`).
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     owner: !vault secret/owner
    /// ```
    ///
    /// Fix: remove the tag and write the value itself.
    pub UNSUPPORTED_TAG = error "custody::yaml::unsupported_tag",
        "A value carries a tag custody does not read (`!vault`, `!!binary`).";

    /// A core tag does not fit its value: `!!int abc`, or `!!map` on a list.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     contract:
    ///       breach_notification_hours: !!int seventy-two
    /// ```
    ///
    /// Fix: remove the tag, or correct the value.
    pub TAG_MISMATCH = error "custody::yaml::tag_mismatch",
        "A core tag does not fit its value: `!!int abc`, or `!!map` on a list.";

    /// A merge key (`<<`) is given something other than a mapping or a list of mappings.
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     <<: high
    /// ```
    ///
    /// Fix: merge an anchored mapping: `<<: *defaults`, where `defaults: &defaults {tier: high}`.
    pub BAD_MERGE = error "custody::yaml::bad_merge",
        "A merge key (`<<`) is given something other than a mapping or a list of mappings.";
}
