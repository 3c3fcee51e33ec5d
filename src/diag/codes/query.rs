//! `custody::query::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// The query text is empty or only spaces.
    ///
    /// ```policy title="rules.policy"
    /// rule TPR-001 "Vendors are audited yearly" {
    ///   for vendor v
    ///   require v.last_audit within 12 months
    /// }
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: crm-platform
    ///     last_audit: 2026-03-01
    /// data_stores:
    ///   - id: crm-contacts
    ///     holds: [personal.contact.address]
    /// ```
    ///
    /// Run: custody query '' --policy rules.policy --inventory inventory
    ///
    /// Fix: write `KIND VAR where CONDITION`, e.g. `custody query 'vendor v where v handles personal.contact.address'`; `KIND VAR` alone lists every entity of the kind.
    pub EMPTY = error "custody::query::empty",
        "The query text is empty or only spaces.";

    /// A `--show` value is not a field path: field names joined by dots, each a letter or `_` followed by letters, digits or `_`, and at most 256 of them.
    ///
    /// ```policy title="rules.policy"
    /// rule TPR-001 "Vendors are audited yearly" {
    ///   for vendor v
    ///   require v.last_audit within 12 months
    /// }
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: crm-platform
    ///     last_audit: 2026-03-01
    /// data_stores:
    ///   - id: crm-contacts
    ///     holds: [personal.contact.address]
    /// ```
    ///
    /// Run: custody query 'vendor v' --show 'last audit' --policy rules.policy --inventory inventory
    ///
    /// Fix: write a field of the query's variable, such as `--show last_audit` or `--show contract.expires` (or `--show v.last_audit`); repeat `--show` for more columns. An unknown field name is `custody::policy::unknown_field`, with a did-you-mean.
    pub INVALID_SHOW = error "custody::query::invalid_show",
        "A `--show` value is not a field path: field names joined by dots, each a letter or `_` followed by letters, digits or `_`, and at most 256 of them.";
}
