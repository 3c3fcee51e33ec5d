//! `custody::explain::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// `custody explain` names a rule ID that no loaded policy defines. A rule with errors is not loaded either, so fix the errors reported above it first.
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
    /// Run: custody explain TPR-01 vendor/crm-platform --policy rules.policy --inventory inventory
    ///
    /// Fix: use the ID as written after `rule` (IDs are case-sensitive); the help suggests the closest loaded ID.
    pub UNKNOWN_RULE = error "custody::explain::unknown_rule",
        "`custody explain` names a rule ID that no loaded policy defines.";

    /// The entity argument of `custody explain` is not `KIND/ID`, names an unknown kind (kinds are singular: `vendor`, not `vendors`), or names no entity of that kind.
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
    /// Run: custody explain TPR-001 vendor/crm-platfrom --policy rules.policy --inventory inventory
    ///
    /// Fix: write the entity as `KIND/ID`, e.g. `vendor/crm-platform`; the help suggests the closest id, or the entity of another kind that has it.
    pub UNKNOWN_ENTITY = error "custody::explain::unknown_entity",
        "The entity argument of `custody explain` is not `KIND/ID`, names an unknown kind (kinds are singular: `vendor`, not `vendors`), or names no entity of that kind.";

    /// The rule applies to one kind of entity and the entity named is of another: a `for vendor v` rule cannot be explained on a data store.
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
    /// Run: custody explain TPR-001 data_store/crm-contacts --policy rules.policy --inventory inventory
    ///
    /// Fix: name an entity of the rule's kind (the help gives an example), or pick a rule written for that kind.
    pub WRONG_KIND = error "custody::explain::wrong_kind",
        "The rule applies to one kind of entity and the entity named is of another: a `for vendor v` rule cannot be explained on a data store.";
}
