//! `custody::baseline::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// The file given to `--baseline` is not a baseline: it is not a mapping with a `findings` list,
    /// or an entry has no `fingerprint`. Baselines are written by `custody check --write-baseline`.
    ///
    /// ```yaml title="baseline.json"
    /// {"version": 1, "findings": [{"rule": "TPR-001"}]}
    /// ```
    ///
    /// ```policy title="rules.policy"
    /// rule TPR-001 "Vendors enforce MFA" {
    ///   for vendor v
    ///   require v.mfa_enforced
    /// }
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: crm-platform
    ///     mfa_enforced: false
    /// ```
    ///
    /// Run: custody check --baseline baseline.json
    ///
    /// Fix: write the baseline again with `custody check --write-baseline baseline.json` rather than
    /// editing it by hand.
    pub MALFORMED = error "custody::baseline::malformed",
        "The file given to `--baseline` is not a baseline: it is not a mapping with a `findings` list, or an entry has no `fingerprint`.";

    /// Findings recorded in the baseline no longer occur: the entities were fixed (or removed), so
    /// the baseline is larger than it needs to be. The label points at the first such entry.
    /// Only entries of evaluated rules count: under `--rule`, other rules' entries are never
    /// reported fixed.
    ///
    /// ```yaml title="baseline.json"
    /// {"version": 1, "findings": [{"fingerprint": "TPR-001|vendor/crm-platform", "rule": "TPR-001", "entity": "vendor/crm-platform"}]}
    /// ```
    ///
    /// ```policy title="rules.policy"
    /// rule TPR-001 "Vendors enforce MFA" {
    ///   for vendor v
    ///   require v.mfa_enforced
    /// }
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: crm-platform
    ///     mfa_enforced: true
    /// ```
    ///
    /// Run: custody check --baseline baseline.json
    ///
    /// Fix: run `custody check --write-baseline baseline.json` to drop the fixed entries, and commit
    /// the smaller baseline.
    pub FIXED = warning "custody::baseline::fixed",
        "Findings recorded in the baseline no longer occur: the entities were fixed (or removed), so the baseline is larger than it needs to be.";
}
