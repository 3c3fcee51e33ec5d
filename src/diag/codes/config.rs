//! `custody::config::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// No `custody.yaml` was found: not in the directory given as PATH, or, without PATH, not in
    /// the working directory or any parent. Without one custody does not know what to load.
    ///
    /// Run: custody check elsewhere
    ///
    /// ```policy title="elsewhere/rules.policy"
    /// rule R-1 "Vendors name an owner" {
    ///   for vendor v
    ///   require v.owner is set
    /// }
    /// ```
    ///
    /// A command whose inputs are all named on the command line needs no config: `check` and
    /// `explain` with `--policy` and `--inventory`, `lint` with `--policy`, `query` and
    /// `impact` with `--inventory`.
    ///
    /// Fix: create a `custody.yaml` (see docs/inventory.md), run custody from the project that has
    /// one, or name the files: `custody check --policy rules.policy --inventory inventory/`.
    pub NOT_FOUND = error "custody::config::not_found",
        "No `custody.yaml` was found: not in the directory given as PATH, or, without PATH, not in the working directory or any parent.";

    /// The configuration loads no policy file: `policies:` is missing or empty, and no
    /// `--policy` was given.
    ///
    /// ```yaml title="custody.yaml"
    /// inventory: [inventory]
    /// ```
    ///
    /// Only commands that use policies need them: `check`, `explain` and `lint`; `custody
    /// query` and `custody impact` run on an inventory alone.
    /// `custody fmt` with no path gives it too, when there is no custody.yaml and no `*.policy`
    /// file below the working directory.
    ///
    /// Fix: list the policy files or directories under `policies:`, or pass `--policy PATH`.
    pub NO_POLICIES = error "custody::config::no_policies",
        "The configuration loads no policy file: `policies:` is missing or empty, and no `--policy` was given.";

    /// The configuration loads no inventory file: `inventory:` is missing or empty, and no
    /// `--inventory` was given.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [rules.policy]
    /// ```
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors name an owner" {
    ///   for vendor v
    ///   require v.owner is set
    /// }
    /// ```
    ///
    /// Only commands that use an inventory need one: `check` and `explain`, `query` and
    /// `impact`; `custody lint` runs on policies alone.
    ///
    /// Fix: list the inventory files or directories under `inventory:`, or pass
    /// `--inventory PATH`.
    pub NO_INVENTORY = error "custody::config::no_inventory",
        "The configuration loads no inventory file: `inventory:` is missing or empty, and no `--inventory` was given.";

    /// A key or value in `custody.yaml` is wrong: an unknown key, a `fail_on` that is not a
    /// severity, a `max_file_size` that is not a positive number, a list where a path was
    /// expected.
    ///
    /// ```yaml title="custody.yaml"
    /// polices: [rules.policy]
    /// inventory: [inventory]
    /// ```
    ///
    /// Fix: the keys are `policies`, `inventory`, `waivers`, `taxonomy`, `schema`, `fail_on`,
    /// `max_file_size`, `library`, `lint` and `definitions`; the help names the nearest one. A `lint.allow`
    /// entry must be a lint code (`custody help-code lint` lists them).
    pub INVALID = error "custody::config::invalid",
        "A key or value in `custody.yaml` is wrong: an unknown key, a `fail_on` that is not a severity, a `max_file_size` that is not a positive number, a list where a path was expected.";

    /// An entry of `definitions:` in `custody.yaml` is not a definition: its name is not a name
    /// (letters, digits and `_`, not a reserved word), or its value is not a policy
    /// expression. Values are written as in a policy, in quotes when YAML needs them
    /// (`'["AU", "NZ"]'`, `personal.contact`, `today - 12 months`), or as a YAML list of strings
    /// (`[AU, NZ]`). The parser's words are in the help.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [rules.policy]
    /// inventory: [inventory]
    /// definitions:
    ///   contact_data: personal.contact and
    /// ```
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors name an owner" {
    ///   for vendor v
    ///   require v.owner is set
    /// }
    /// ```
    ///
    /// A value that parses but is wrong (an unknown category, a type error) is reported on the
    /// same line of `custody.yaml` with the checker's own code, its message starting
    /// `definition NAME:`.
    ///
    /// Fix: write the value as you would after `let NAME =` in a policy file.
    pub BAD_DEFINITION = error "custody::config::bad_definition",
        "An entry of `definitions:` in `custody.yaml` is not a definition: its name is not a name (letters, digits and `_`, not a reserved word), or its value is not a policy expression.";

    /// `custody.yaml` (or a waivers file, or a waiver in it) is not a mapping of `key: value`
    /// lines.
    ///
    /// ```yaml title="custody.yaml"
    /// - policies
    /// - inventory
    /// ```
    ///
    /// Fix: write `key: value` lines, e.g. `policies: [policies]`.
    pub WRONG_TYPE = error "custody::config::wrong_type",
        "`custody.yaml` (or a waivers file, or a waiver in it) is not a mapping of `key: value` lines.";
}
