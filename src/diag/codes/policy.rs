//! `custody::policy::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// The `for` clause names a kind the schema does not have. `for` takes the singular kind.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors enforce MFA" {
    ///   for vendors v
    ///   require v.mfa_enforced
    /// }
    /// ```
    ///
    /// Fix: write `vendor` or `data_store` (or a kind your schema extension adds).
    pub UNKNOWN_KIND = error "custody::policy::unknown_kind",
        "The `for` clause names a kind the schema does not have.";

    /// A path names a field the entity's kind does not have.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors were audited" {
    ///   for vendor v
    ///   require v.last_audti within 12 months
    /// }
    /// ```
    ///
    /// Fix: correct the name (the help names the nearest field), or declare the field under
    /// `schema:` in `custody.yaml`.
    pub UNKNOWN_FIELD = error "custody::policy::unknown_field",
        "A path names a field the entity's kind does not have.";

    /// A dotted name that starts like a category is not in the taxonomy. Categories are always
    /// written as full dotted paths.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors handling addresses are audited" {
    ///   for vendor v where v handles personal.contact.adress
    ///   require v.last_audit within 12 months
    /// }
    /// ```
    ///
    /// Fix: correct the name (the help names the nearest category), or add the category under
    /// `taxonomy:` in `custody.yaml`.
    pub UNKNOWN_CATEGORY = error "custody::policy::unknown_category",
        "A dotted name that starts like a category is not in the taxonomy.";

    /// A name is neither a variable bound by `for` or a quantifier, nor a `let` above it in the
    /// same file, nor an export, nor a data category.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors handling addresses are audited" {
    ///   for vendor v where v handles address
    ///   require v.last_audit within 12 months
    /// }
    /// ```
    ///
    /// Fix: categories are written in full (`personal.contact.address`); define a `let` above the
    /// rule (`let address = personal.contact.address`), or correct the variable's name.
    pub UNKNOWN_NAME = error "custody::policy::unknown_name",
        "A name is neither a variable bound by `for` or a quantifier, nor a `let` above it in the same file, nor an export, nor a data category.";

    /// A field is taken from a `let` name. Only variables bound by `for` or a quantifier have
    /// fields.
    ///
    /// ```policy title="rules.policy"
    /// let contact = personal.contact
    ///
    /// rule R-1 "Vendors handling email addresses are audited" {
    ///   for vendor v where v handles contact.email
    ///   require v.last_audit within 12 months
    /// }
    /// ```
    ///
    /// Fix: write the full category (`personal.contact.email`), or bind a variable.
    pub NOT_AN_ENTITY = error "custody::policy::not_an_entity",
        "A field is taken from a `let` name.";

    /// A field is taken from a value that has no fields, such as a string or a date.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Critical vendors" {
    ///   for vendor v
    ///   require v.tier.name == "critical"
    /// }
    /// ```
    ///
    /// Fix: only entities (the `for` variable, a reference such as `s.hosted_by`) have fields.
    pub NO_SUCH_FIELD = error "custody::policy::no_such_field",
        "A field is taken from a value that has no fields, such as a string or a date.";

    /// A path goes through a list (`v.accesses.records`): a list has no fields, its elements do.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors reach no large store" {
    ///   for vendor v
    ///   require v.accesses.records < 1000000
    /// }
    /// ```
    ///
    /// Fix: use a quantifier: `all s in v.accesses: s.records < 1000000`.
    pub PATH_THROUGH_LIST = error "custody::policy::path_through_list",
        "A path goes through a list (`v.accesses.records`): a list has no fields, its elements do.";

    /// An operator is given values of the wrong type: `>` on a string, `handles` on a data store,
    /// `contains` looking for a number in a list of strings.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Important vendors" {
    ///   for vendor v where v.tier > 3
    ///   require v.mfa_enforced
    /// }
    /// ```
    ///
    /// Fix: compare values of one type; the help suggests the usual form (for data stores use
    /// `holds`, for vendors `handles`).
    pub TYPE_MISMATCH = error "custody::policy::type_mismatch",
        "An operator is given values of the wrong type: `>` on a string, `handles` on a data store, `contains` looking for a number in a list of strings.";

    /// A `where`, `require`, `not`, `and`, `or` or quantifier body is given a value that is not
    /// true or false, such as a date.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors were audited" {
    ///   for vendor v
    ///   require v.last_audit
    /// }
    /// ```
    ///
    /// Fix: test the value: `v.last_audit within 12 months`, `v.owner is set`,
    /// `v.tier == "critical"`.
    pub NOT_A_CONDITION = error "custody::policy::not_a_condition",
        "A `where`, `require`, `not`, `and`, `or` or quantifier body is given a value that is not true or false, such as a date.";

    /// A string compared with an enum field (`tier`, `kind`) is not one of its values.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Critical vendors enforce MFA" {
    ///   for vendor v where v.tier == "critcal"
    ///   require v.mfa_enforced
    /// }
    /// ```
    ///
    /// Fix: use one of the allowed values; the help names the nearest one.
    pub UNKNOWN_ENUM_VALUE = error "custody::policy::unknown_enum_value",
        "A string compared with an enum field (`tier`, `kind`) is not one of its values.";

    /// The pattern after `matches` is not a valid regular expression (Rust `regex` syntax: no
    /// look-around, no backreferences).
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Owners have a company address" {
    ///   for vendor v
    ///   require v.owner matches "([a-z]+@example[.]com"
    /// }
    /// ```
    ///
    /// Fix: correct the pattern; the label says what is wrong with it.
    pub INVALID_REGEX = error "custody::policy::invalid_regex",
        "The pattern after `matches` is not a valid regular expression (Rust `regex` syntax: no look-around, no backreferences).";

    /// A duration is out of range: more than 100000 units.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors were audited" {
    ///   for vendor v
    ///   require v.last_audit within 200000 days
    /// }
    /// ```
    ///
    /// Fix: durations are whole numbers from 0 to 100000; use a larger unit, or `before` and
    /// `after` with a date.
    pub INVALID_DURATION = error "custody::policy::invalid_duration",
        "A duration is out of range: more than 100000 units.";

    /// A `message` template has an unclosed `{`, or a placeholder that is not a field path of the
    /// rule's variable.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors enforce MFA" {
    ///   for vendor v
    ///   require v.mfa_enforced
    ///   message "{vendor.name} does not enforce MFA"
    /// }
    /// ```
    ///
    /// Fix: placeholders are field paths such as `{v.name}`, or a day count of a date field
    /// such as `{days_since(v.last_audit)}`; write `{{` and `}}` for literal braces.
    pub BAD_TEMPLATE = error "custody::policy::bad_template",
        "A `message` template has an unclosed `{`, or a placeholder that is not a field path of the rule's variable.";

    /// Two rules have the same ID. Rule IDs are unique across all loaded policy files.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors enforce MFA" {
    ///   for vendor v
    ///   require v.mfa_enforced
    /// }
    ///
    /// rule R-1 "Vendors name an owner" {
    ///   for vendor v
    ///   require v.owner is set
    /// }
    /// ```
    ///
    /// Fix: rename one of them.
    pub DUPLICATE_RULE = error "custody::policy::duplicate_rule",
        "Two rules have the same ID.";

    /// A rule repeats a clause that may appear once (everything except `require`), or has two
    /// `for` clauses.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors enforce MFA" {
    ///   severity high
    ///   severity critical
    ///   for vendor v
    ///   require v.mfa_enforced
    /// }
    /// ```
    ///
    /// Fix: remove one of them.
    pub DUPLICATE_CLAUSE = error "custody::policy::duplicate_clause",
        "A rule repeats a clause that may appear once (everything except `require`), or has two `for` clauses.";

    /// A `let` name is defined twice in one file.
    ///
    /// ```policy title="rules.policy"
    /// let approved = ["AU", "NZ"]
    /// let approved = ["AU", "NZ", "SG"]
    /// ```
    ///
    /// Fix: pick another name for one of them.
    pub DUPLICATE_LET = error "custody::policy::duplicate_let",
        "A `let` name is defined twice in one file.";

    /// Two `export let`s have the same name. An export is visible in every policy file of the
    /// run, so its name is unique across them, and across custody.yaml's `definitions:` and
    /// the library's parameters when the library is loaded.
    ///
    /// ```policy title="a.policy"
    /// export let approved_countries = ["AU", "NZ"]
    /// ```
    ///
    /// ```policy title="b.policy"
    /// export let approved_countries = ["AU", "NZ", "SG"]
    /// ```
    ///
    /// Fix: keep one of them, or rename one (and its uses).
    pub DUPLICATE_EXPORT = error "custody::policy::duplicate_export",
        "Two `export let`s have the same name.";

    /// A file `let` has the name of an export, so the name would mean one thing in that file and
    /// another everywhere else. Exports are the `export let`s of every policy file, the
    /// `definitions:` of custody.yaml, the library's parameters when it is loaded, and the
    /// built-in `EU`, `EEA` and `EU_ADEQUACY`.
    ///
    /// ```policy title="rules.policy"
    /// let EU = ["DE", "FR"]
    /// ```
    ///
    /// Fix: rename the `let`, or use the export (a list is joined with `+` to add to it).
    pub SHADOWED_EXPORT = error "custody::policy::shadowed_export",
        "A file `let` has the name of an export, so the name would mean one thing in that file and another everywhere else.";

    /// Exports refer to each other in a cycle (`export let a = b` and `export let b = a`), so
    /// neither has a value.
    ///
    /// ```policy title="rules.policy"
    /// export let core_countries = extra_countries
    /// export let extra_countries = core_countries
    /// ```
    ///
    /// Fix: write one of them out as a value.
    pub CYCLIC_EXPORT = error "custody::policy::cyclic_export",
        "Exports refer to each other in a cycle (`export let a = b` and `export let b = a`), so neither has a value.";

    /// A `let` binds something that cannot be named: only categories, lists, strings, numbers,
    /// dates and booleans can be.
    ///
    /// Unreachable: every value a `let` can compute without a variable has one of those types; the check guards future additions to the language.
    ///
    /// Fix: bind the value's parts instead.
    pub INVALID_LET = error "custody::policy::invalid_let",
        "A `let` binds something that cannot be named: only categories, lists, strings, numbers, dates and booleans can be.";

    /// A rule has no `for` clause, so it selects nothing.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors enforce MFA" {
    ///   require v.mfa_enforced
    /// }
    /// ```
    ///
    /// Fix: add `for vendor v` (or `for data_store s`), optionally with `where`.
    pub MISSING_FOR = error "custody::policy::missing_for",
        "A rule has no `for` clause, so it selects nothing.";

    /// A rule has no `require` clause, so it checks nothing.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors enforce MFA" {
    ///   for vendor v
    /// }
    /// ```
    ///
    /// Fix: add at least one `require EXPR`.
    pub MISSING_REQUIRE = error "custody::policy::missing_require",
        "A rule has no `require` clause, so it checks nothing.";

    /// The word after `severity` is not a severity.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors enforce MFA" {
    ///   severity urgent
    ///   for vendor v
    ///   require v.mfa_enforced
    /// }
    /// ```
    ///
    /// Fix: use `critical`, `high`, `medium`, `low` or `info`.
    pub UNKNOWN_SEVERITY = error "custody::policy::unknown_severity",
        "The word after `severity` is not a severity.";

    /// A quantifier variable has the name of a variable already bound, or of a `let` in scope.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Fourth parties were audited" {
    ///   for vendor v
    ///   require all v in v.subprocessors: v.last_audit within 24 months
    /// }
    /// ```
    ///
    /// Fix: pick another name (`all p in v.subprocessors: ...`).
    pub SHADOWED_VARIABLE = error "custody::policy::shadowed_variable",
        "A quantifier variable has the name of a variable already bound, or of a `let` in scope.";

    /// `x.link` is used where there is no link: on the rule's variable, on a variable that
    /// ranges over a list other than a reference list or a `supply_chain` (a list of strings), on
    /// a path such as `s.hosted_by.link`, or over a reference list that declares no link
    /// fields. A link is what one entry of a reference list says about its reference
    /// (`- {id: crm, access: write}`).
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors write nowhere" {
    ///   for vendor v
    ///   require v.link.access == "read"
    /// }
    /// ```
    ///
    /// Fix: read the link on a quantifier's variable over a reference list:
    /// `all s in v.accesses: s.link.access == "read"`.
    pub LINK_UNAVAILABLE = error "custody::policy::link_unavailable",
        "`x.link` is used where there is no link: on the rule's variable, on a variable that ranges over a list other than a reference list or a `supply_chain` (a list of strings), on a path such as `s.hosted_by.link`, or over a reference list that declares no link fields.";

    /// `x.depth` or `x.via` is used outside a quantifier, `count` or aggregate over a
    /// `supply_chain`.
    ///
    /// That is: on the rule's variable, on a variable that ranges over another list, or
    /// on a path such as `p.via.depth`. An element `p` of `v.supply_chain` knows how far down
    /// the chain it is (`p.depth`, 1 for a direct subprocessor) and which vendor lists it on
    /// that path (`p.via`).
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Direct subprocessors only" {
    ///   for vendor v
    ///   require all p in v.subprocessors: p.depth == 1
    /// }
    /// ```
    ///
    /// Fix: range over `v.supply_chain`: `all p in v.supply_chain: p.depth <= 2`.
    pub CHAIN_UNAVAILABLE = error "custody::policy::chain_unavailable",
        "`x.depth` or `x.via` is used outside a quantifier, `count` or aggregate over a `supply_chain`.";
}
