//! `custody::library::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// A `builtin:NAME` entry in `policies` names no policy library. The libraries are
    /// `builtin:tpr` (every rule) and one per framework: `builtin:iso27001`, `builtin:soc2`,
    /// `builtin:gdpr`, `builtin:app`, `builtin:pci`, `builtin:nist`.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [builtin:gdrp]
    /// inventory: [inventory]
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: crm-platform
    /// ```
    ///
    /// Fix: use one of the names above; the help suggests the closest.
    pub UNKNOWN = error "custody::library::unknown",
        "A `builtin:NAME` entry in `policies` names no policy library.";

    /// `library.disable` names a rule ID that no loaded policy defines, so nothing would be turned
    /// off: usually a typo, or a rule of a framework that is not selected.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [builtin:tpr]
    /// inventory: [inventory]
    /// library:
    ///   disable: [TPR-NOPE-99]
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: crm-platform
    /// ```
    ///
    /// Fix: copy the ID from `docs/rules/README.md` or from `custody explain`; the help suggests
    /// the closest loaded ID.
    pub UNKNOWN_RULE = error "custody::library::unknown_rule",
        "`library.disable` names a rule ID that no loaded policy defines, so nothing would be turned off: usually a typo, or a rule of a framework that is not selected.";

    /// `library.parameters` names something that is not a `let` parameter of the loaded library
    /// (or no library is loaded at all).
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [builtin:tpr]
    /// inventory: [inventory]
    /// library:
    ///   parameters:
    ///     no_such_parameter: 12
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: crm-platform
    /// ```
    ///
    /// Fix: use a parameter listed in the rule pages under `docs/rules/` (each page shows the
    /// parameters its rule uses, with their defaults); the help suggests the closest.
    pub UNKNOWN_PARAMETER = error "custody::library::unknown_parameter",
        "`library.parameters` names something that is not a `let` parameter of the loaded library (or no library is loaded at all).";

    /// The value given to a library parameter is not a policy expression: parameters take values
    /// written as in a policy (`today - 18 months`, `500000`, `personal.health`) or YAML lists of
    /// strings (`[AU, NZ]`), which become string lists. The parser's words are in the help.
    ///
    /// Produced by: tests/library.rs
    ///
    /// Fix: write the value as you would after `let NAME =` in a policy file.
    pub BAD_PARAMETER = error "custody::library::bad_parameter",
        "The value given to a library parameter is not a policy expression: parameters take values written as in a policy (`today - 18 months`, `500000`, `personal.health`) or YAML lists of strings (`[AU, NZ]`), which become string lists.";

    /// A library parameter's value is not of the type of the library's default: a date where
    /// the library counts hours, a string where it compares numbers, a YAML list (a list of
    /// strings) where it expects data categories. The error is on the value in custody.yaml,
    /// with the library's `let` as a note, and the rules that use the parameter do not run.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [builtin:tpr]
    /// inventory: [inventory]
    /// library:
    ///   parameters:
    ///     breach_notice_hours: today
    /// ```
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: crm-platform
    /// ```
    ///
    /// Fix: give a value of the default's type (the help shows the default); write data
    /// categories as a quoted policy expression, `"[personal.health, personal.financial]"`.
    pub PARAMETER_TYPE = error "custody::library::parameter_type",
        "A library parameter's value is not of the type of the library's default: a date where the library counts hours, a string where it compares numbers, a YAML list (a list of strings) where it expects data categories.";
}
