//! `custody::impact::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// The entity argument of `custody impact` is not `KIND/ID`, names an unknown kind, or names no entity of that kind.
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
    /// Run: custody impact vendor/crm-platfrom --policy rules.policy --inventory inventory
    ///
    /// Fix: write the breached vendor or store as `KIND/ID`, e.g. `vendor/crm-platform` or `data_store/crm-contacts`; the help suggests the closest id.
    pub UNKNOWN_ENTITY = error "custody::impact::unknown_entity",
        "The entity argument of `custody impact` is not `KIND/ID`, names an unknown kind, or names no entity of that kind.";

    /// `custody impact` describes a breach at a vendor or a data store; the entity named is of another kind, added in the schema extension.
    ///
    /// ```policy title="rules.policy"
    /// rule TPR-001 "Vendors are audited yearly" {
    ///   for vendor v
    ///   require v.last_audit within 12 months
    /// }
    /// ```
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [rules.policy]
    /// inventory: [inventory]
    /// schema:
    ///   site:
    ///     collection: sites
    ///     fields:
    ///       city: {type: string}
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: crm-platform
    ///     last_audit: 2026-03-01
    /// sites:
    ///   - id: hq
    /// ```
    ///
    /// Run: custody impact site/hq
    ///
    /// Fix: name a vendor or a data store. To see what refers to an entity of another kind, use `custody query`.
    pub UNSUPPORTED_KIND = error "custody::impact::unsupported_kind",
        "`custody impact` describes a breach at a vendor or a data store; the entity named is of another kind, added in the schema extension.";
}
