//! `custody::cli::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// `--rule ID` names no rule that was loaded (rule IDs are case-sensitive).
    ///
    /// Run: custody check --rule R-2
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors name an owner" {
    ///   for vendor v
    ///   require v.owner is set
    /// }
    /// ```
    ///
    /// Fix: use one of the loaded rule IDs; the help names the nearest one.
    pub UNKNOWN_RULE = error "custody::cli::unknown_rule",
        "`--rule ID` names no rule that was loaded (rule IDs are case-sensitive).";

    /// `custody help-code` was given a code this catalogue does not have.
    ///
    /// Run: custody help-code custody::policy::unknown_feild
    ///
    /// Fix: copy the code from the diagnostic, where it is shown above the message; the `custody::`
    /// prefix may be left out (`custody help-code policy::unknown_field`). The help names the
    /// nearest code; `custody help-code lint` lists the codes of a namespace.
    pub UNKNOWN_CODE = error "custody::cli::unknown_code",
        "`custody help-code` was given a code this catalogue does not have.";
}
