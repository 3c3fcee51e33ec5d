//! `custody::waiver::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// The waivers file or a waiver in it is malformed: no `waivers:` list, a missing or unknown
    /// key, an expiry that is not a date, an entity not written as `KIND/ID`.
    ///
    /// ```yaml title="waivers.yaml"
    /// waivers:
    ///   - rule: DOC-1
    ///     entity: vendor/acme
    ///     reason: Owner is being hired
    ///     expires: 2027-01-31
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    /// ```
    ///
    /// Fix: every waiver needs `rule`, `entity` (`KIND/ID`), `reason`, `approved_by` and
    /// `expires` (`YYYY-MM-DD`).
    pub MALFORMED = error "custody::waiver::malformed",
        "The waivers file or a waiver in it is malformed: no `waivers:` list, a missing or unknown key, an expiry that is not a date, an entity not written as `KIND/ID`.";

    /// A waiver names a rule ID that no loaded policy defines (a typo, or the rule was removed or
    /// renamed).
    ///
    /// ```yaml title="waivers.yaml"
    /// waivers:
    ///   - rule: DOC-2
    ///     entity: vendor/acme
    ///     reason: Owner is being hired
    ///     approved_by: ciso@example.com
    ///     expires: 2099-01-31
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    /// ```
    ///
    /// Fix: correct the rule ID (the help names the nearest one), or remove the waiver.
    pub UNKNOWN_RULE = warning "custody::waiver::unknown_rule",
        "A waiver names a rule ID that no loaded policy defines (a typo, or the rule was removed or renamed).";

    /// A waiver names a library rule that `library.disable` in `custody.yaml` turns off, so
    /// the rule never runs and the waiver can never apply.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [builtin:tpr]
    /// inventory: [inventory]
    /// waivers: waivers.yaml
    /// library:
    ///   disable: [TPR-ACC-01]
    /// ```
    ///
    /// ```yaml title="waivers.yaml"
    /// waivers:
    ///   - rule: TPR-ACC-01
    ///     entity: vendor/acme
    ///     reason: Audit booked for March
    ///     approved_by: ciso@example.com
    ///     expires: 2099-01-31
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    /// ```
    ///
    /// Fix: remove the waiver, or remove the rule from `library.disable` if it should run.
    pub DISABLED_RULE = warning "custody::waiver::disabled_rule",
        "A waiver names a library rule that `library.disable` in `custody.yaml` turns off, so the rule never runs and the waiver can never apply.";

    /// A waiver names an entity that is not in the inventory.
    ///
    /// ```yaml title="waivers.yaml"
    /// waivers:
    ///   - rule: DOC-1
    ///     entity: vendor/acme-corp
    ///     reason: Owner is being hired
    ///     approved_by: ciso@example.com
    ///     expires: 2099-01-31
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    /// ```
    ///
    /// Fix: write the entity as `KIND/ID` exactly as in the inventory (the help names the nearest
    /// one), or remove the waiver.
    pub UNKNOWN_ENTITY = warning "custody::waiver::unknown_entity",
        "A waiver names an entity that is not in the inventory.";

    /// A waiver matches no finding: the entity passes the rule now (or the rule does not select
    /// it). Only `custody check` reports it, since it takes an evaluation to know; `custody lint`
    /// does not.
    ///
    /// ```yaml title="waivers.yaml"
    /// waivers:
    ///   - rule: DOC-1
    ///     entity: vendor/acme
    ///     reason: Owner is being hired
    ///     approved_by: ciso@example.com
    ///     expires: 2099-01-31
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    ///     owner: jo@example.com
    /// ```
    ///
    /// Fix: remove the waiver; the risk it accepted is gone.
    pub UNMATCHED = warning "custody::waiver::unmatched",
        "A waiver matches no finding: the entity passes the rule now (or the rule does not select it).";
}
