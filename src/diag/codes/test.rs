//! `custody::test::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// The test file is not in the expected shape: it is empty, not a mapping, holds more than one
    /// YAML document, lacks `as_of`, `inventory` or `expect`, has an unknown key, a date that is not
    /// a date, a value of the wrong type, or an entity not written as `KIND/ID`.
    ///
    /// ```yaml title="audit.test.yaml"
    /// as_of: 2026-11-24
    /// inventory:
    ///   vendors:
    ///     - {id: acme, owner: jo@example.com}
    /// expect:
    ///   DOC-1:
    ///     passes: [vendor/acme]
    /// ```
    ///
    /// Fix: follow the help: it names the key meant (`pass`) or the shape expected. The format is
    /// described in docs/authoring.md, section 3.
    pub MALFORMED = error "custody::test::malformed",
        "The test file is not in the expected shape: it is empty, not a mapping, holds more than one YAML document, lacks `as_of`, `inventory` or `expect`, has an unknown key, a date that is not a date, a value of the wrong type, or an entity not written as `KIND/ID`.";

    /// A directory given to `custody test` (the working directory by default) holds no file whose
    /// name ends in `.test.yaml` or `.test.yml`. Hidden directories and `target/` are not searched.
    ///
    /// Run: custody test
    ///
    /// Fix: name the test files or the directory that holds them, or rename a test file so that it
    /// ends in `.test.yaml`.
    pub NO_TESTS = error "custody::test::no_tests",
        "A directory given to `custody test` (the working directory by default) holds no file whose name ends in `.test.yaml` or `.test.yml`.";

    /// A test file has no policies to test: it has no `policies:` key, `--policy` was not given,
    /// and no `custody.yaml` listing `policies` was found in its directory or any parent.
    ///
    /// ```yaml title="custody.yaml"
    /// inventory: [inventory]
    /// ```
    ///
    /// ```yaml title="audit.test.yaml"
    /// as_of: 2026-11-24
    /// inventory:
    ///   vendors:
    ///     - {id: acme}
    /// expect:
    ///   DOC-1:
    ///     fail: [vendor/acme]
    /// ```
    ///
    /// Fix: add `policies: [path/to/policies]` to the test file (relative to it), pass
    /// `--policy PATH`, or list `policies` in the project's custody.yaml.
    pub NO_POLICIES = error "custody::test::no_policies",
        "A test file has no policies to test: it has no `policies:` key, `--policy` was not given, and no `custody.yaml` listing `policies` was found in its directory or any parent.";

    /// `expect` names a rule ID that no loaded policy defines. Rule IDs are case-sensitive.
    ///
    /// ```yaml title="audit.test.yaml"
    /// as_of: 2026-11-24
    /// inventory:
    ///   vendors:
    ///     - {id: acme}
    /// expect:
    ///   DOC-2:
    ///     fail: [vendor/acme]
    /// ```
    ///
    /// Fix: correct the ID (the help suggests the nearest loaded rule), or load the policy that
    /// defines it with `policies:` or `--policy`.
    pub UNKNOWN_RULE = error "custody::test::unknown_rule",
        "`expect` names a rule ID that no loaded policy defines.";

    /// An expectation names an entity that is not in the test's fixture, or a kind that does not
    /// exist.
    ///
    /// ```yaml title="audit.test.yaml"
    /// as_of: 2026-11-24
    /// inventory:
    ///   vendors:
    ///     - {id: acme}
    /// expect:
    ///   DOC-1:
    ///     fail: [vendor/acme-corp]
    /// ```
    ///
    /// Fix: correct the `KIND/ID` (the help suggests the nearest entity of the rule's kind), or
    /// add the entity to the fixture.
    pub UNKNOWN_ENTITY = error "custody::test::unknown_entity",
        "An expectation names an entity that is not in the test's fixture, or a kind that does not exist.";

    /// An expectation lists an entity of another kind than the one the rule applies to (a data
    /// store under a `for vendor` rule): the rule can never select it.
    ///
    /// ```yaml title="audit.test.yaml"
    /// as_of: 2026-11-24
    /// inventory:
    ///   vendors:
    ///     - {id: acme}
    ///   data_stores:
    ///     - {id: crm, kind: saas}
    /// expect:
    ///   DOC-1:
    ///     fail: [vendor/acme, data_store/crm]
    /// ```
    ///
    /// Fix: list only entities of the rule's kind; test the other entity under a rule for its
    /// kind.
    pub WRONG_KIND = error "custody::test::wrong_kind",
        "An expectation lists an entity of another kind than the one the rule applies to (a data store under a `for vendor` rule): the rule can never select it.";

    /// An entity is listed twice for the same rule, in the same list or in two (`fail` and
    /// `pass`). An entity has one expected outcome per rule.
    ///
    /// ```yaml title="audit.test.yaml"
    /// as_of: 2026-11-24
    /// inventory:
    ///   vendors:
    ///     - {id: acme}
    /// expect:
    ///   DOC-1:
    ///     fail: [vendor/acme]
    ///     pass: [vendor/acme]
    /// ```
    ///
    /// Fix: keep the entry with the outcome you expect and delete the other.
    pub DUPLICATE_ENTITY = error "custody::test::duplicate_entity",
        "An entity is listed twice for the same rule, in the same list or in two (`fail` and `pass`).";

    /// A rule's expectation lists no entity, so its test case checks nothing and always passes.
    ///
    /// ```yaml title="audit.test.yaml"
    /// as_of: 2026-11-24
    /// inventory:
    ///   vendors:
    ///     - {id: acme}
    /// expect:
    ///   DOC-1: {}
    /// ```
    ///
    /// Fix: list the entities the rule should fail, pass, waive or leave unselected, or remove the
    /// rule from `expect`.
    pub EMPTY_EXPECTATION = warning "custody::test::empty_expectation",
        "A rule's expectation lists no entity, so its test case checks nothing and always passes.";
}
