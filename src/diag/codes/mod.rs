//! Every diagnostic code custody defines outside `lint` (whose codes live beside each lint),
//! one module per namespace, and the catalogue's page structure: the sections of
//! docs/errors.md, in page order.

use super::code::Code;

pub mod baseline;
pub mod cli;
pub mod config;
pub mod diff;
pub mod explain;
pub mod fmt;
pub mod graph;
pub mod impact;
pub mod import;
pub mod init;
pub mod inventory;
pub mod io;
pub mod library;
pub mod policy;
pub mod query;
pub mod schema;
pub mod syntax;
pub mod taxonomy;
pub mod test;
pub mod waiver;
pub mod yaml;

/// A section of the catalogue: a heading, the words under it, and the namespaces whose
/// codes it lists, in order.
pub struct Section {
    pub title: &'static str,
    pub intro: &'static str,
    pub namespaces: &'static [&'static str],
}

/// The catalogue's sections, in page order.
pub const SECTIONS: &[Section] = &[
    Section {
        title: "Files and command line (`custody::io`, `custody::config`, `custody::cli`)",
        intro: "",
        namespaces: &["io", "config", "cli"],
    },
    Section {
        title: "YAML (`custody::yaml`)",
        intro: "",
        namespaces: &["yaml"],
    },
    Section {
        title: "Inventory, schema and taxonomy (`custody::inventory`, `custody::schema`, `custody::taxonomy`)",
        intro: "",
        namespaces: &["inventory", "schema", "taxonomy"],
    },
    Section {
        title: "Policy syntax (`custody::syntax`)",
        intro: "",
        namespaces: &["syntax"],
    },
    Section {
        title: "Policy checking (`custody::policy`)",
        intro: "",
        namespaces: &["policy"],
    },
    Section {
        title: "Waivers (`custody::waiver`)",
        intro: "",
        namespaces: &["waiver"],
    },
    Section {
        title: "Baselines (`custody::baseline`)",
        intro: "",
        namespaces: &["baseline"],
    },
    Section {
        title: "Findings since a git revision (`custody::diff`)",
        intro: "",
        namespaces: &["diff"],
    },
    Section {
        title: "Policy library (`custody::library`)",
        intro: "",
        namespaces: &["library"],
    },
    Section {
        title: "Lint warnings (`custody::lint`)",
        intro: "`custody lint` reports these on top of every error `custody check` would give. They never
fail `custody check`; `custody lint --deny-warnings` exits 1 when there are any.",
        namespaces: &["lint"],
    },
    Section {
        title: "Formatting (`custody::fmt`)",
        intro: "`custody fmt` reports syntax errors with the `custody::syntax` codes above and unreadable
files with the `custody::io` codes; these two are its own. Neither can be triggered by a
policy's text, so their entries have no example files.",
        namespaces: &["fmt"],
    },
    Section {
        title: "Policy tests (`custody::test`)",
        intro: "`custody test` reports these for policy test files (`*.test.yaml`, see
[authoring.md](authoring.md#3-test-rules-against-fixtures-custody-test)). A test file with
an error is listed as `invalid` and its cases do not run; the run exits 2. Errors in a test
file's fixture, waivers or policies have the codes of those files (`custody::inventory::*`,
`custody::waiver::*`, `custody::policy::*`, ...) and point into the test file when the
fixture is written inline.",
        namespaces: &["test"],
    },
    Section {
        title: "Explain, query and impact (`custody::explain`, `custody::query`, `custody::impact`)",
        intro: "These come from the command-line arguments of `custody explain`, `custody query` and
`custody impact`. They are labelled in the argument as typed, shown as a source named
`<rule>`, `<entity>`, `<query>` or `--show`. Mistakes inside a query or a `--show` path
are the policy checker's own diagnostics (`custody::policy::*`, `custody::syntax::*`),
with the same did-you-mean as in a policy file.",
        namespaces: &["explain", "query", "impact"],
    },
    Section {
        title: "Supply-chain graph (`custody::graph`)",
        intro: "`custody graph` draws the inventory; it reports inventory errors with the inventory's
codes, and these about its own arguments and output.",
        namespaces: &["graph"],
    },
    Section {
        title: "Starting a project (`custody::init`)",
        intro: "",
        namespaces: &["init"],
    },
    Section {
        title: "Importing a spreadsheet (`custody::import`)",
        intro: "`custody import` reports these for the CSV file or spreadsheet it reads and its command-line
arguments. Each error about a cell names it as a spreadsheet does (`vendors.csv: C12`,
`vendors.xlsx: Sheet1!C12`); every error of the file is reported in one run, and nothing is
written while there is any. See [inventory.md](inventory.md#importing-a-spreadsheet-custody-import).",
        namespaces: &["import"],
    },
];

/// Every code defined here, in catalogue order (lint codes: `crate::lint::codes`).
pub const ALL: &[&Code] = &[
    &io::NOT_FOUND,
    &io::EMPTY_DIRECTORY,
    &io::FILE_TOO_LARGE,
    &io::INVALID_UTF8,
    &io::NOT_A_FILE,
    &config::NOT_FOUND,
    &config::NO_POLICIES,
    &config::NO_INVENTORY,
    &config::INVALID,
    &config::BAD_DEFINITION,
    &config::WRONG_TYPE,
    &cli::UNKNOWN_RULE,
    &cli::UNKNOWN_CODE,
    &yaml::SYNTAX,
    &yaml::DUPLICATE_KEY,
    &yaml::UNKNOWN_ANCHOR,
    &yaml::RECURSIVE_ALIAS,
    &yaml::ALIAS_BUDGET,
    &yaml::TOO_DEEP,
    &yaml::UNSUPPORTED_TAG,
    &yaml::TAG_MISMATCH,
    &yaml::BAD_MERGE,
    &inventory::NOT_A_MAPPING,
    &inventory::UNKNOWN_COLLECTION,
    &inventory::NOT_A_LIST,
    &inventory::INVALID_KEY,
    &inventory::MISSING_ID,
    &inventory::INVALID_ID,
    &inventory::DUPLICATE_ID,
    &inventory::UNKNOWN_FIELD,
    &inventory::WRONG_TYPE,
    &inventory::UNKNOWN_CATEGORY,
    &inventory::UNKNOWN_ENUM_VALUE,
    &inventory::UNKNOWN_REFERENCE,
    &inventory::NO_LINK,
    &inventory::READ_ONLY_FIELD,
    &schema::INVALID,
    &schema::INVALID_NAME,
    &schema::REDEFINED_FIELD,
    &schema::REDEFINED_KIND,
    &schema::UNKNOWN_KIND,
    &schema::UNKNOWN_TYPE,
    &taxonomy::INVALID,
    &taxonomy::INVALID_NAME,
    &syntax::UNEXPECTED_TOKEN,
    &syntax::EXPECTED_ITEM,
    &syntax::UNKNOWN_CLAUSE,
    &syntax::RESERVED_WORD,
    &syntax::MISSING_UNIT,
    &syntax::UNCLOSED_DELIMITER,
    &syntax::CHAINED_COMPARISON,
    &syntax::UNTERMINATED_STRING,
    &syntax::INVALID_ESCAPE,
    &syntax::INVALID_DATE,
    &syntax::INVALID_NUMBER,
    &syntax::INVALID_DURATION,
    &syntax::TOO_DEEP,
    &syntax::TOO_COMPLEX,
    &syntax::INTERNAL,
    &policy::UNKNOWN_KIND,
    &policy::UNKNOWN_FIELD,
    &policy::UNKNOWN_CATEGORY,
    &policy::UNKNOWN_NAME,
    &policy::NOT_AN_ENTITY,
    &policy::NO_SUCH_FIELD,
    &policy::PATH_THROUGH_LIST,
    &policy::TYPE_MISMATCH,
    &policy::NOT_A_CONDITION,
    &policy::UNKNOWN_ENUM_VALUE,
    &policy::INVALID_REGEX,
    &policy::INVALID_DURATION,
    &policy::BAD_TEMPLATE,
    &policy::DUPLICATE_RULE,
    &policy::DUPLICATE_CLAUSE,
    &policy::DUPLICATE_LET,
    &policy::DUPLICATE_EXPORT,
    &policy::SHADOWED_EXPORT,
    &policy::CYCLIC_EXPORT,
    &policy::INVALID_LET,
    &policy::MISSING_FOR,
    &policy::MISSING_REQUIRE,
    &policy::UNKNOWN_SEVERITY,
    &policy::SHADOWED_VARIABLE,
    &policy::LINK_UNAVAILABLE,
    &policy::CHAIN_UNAVAILABLE,
    &waiver::MALFORMED,
    &waiver::UNKNOWN_RULE,
    &waiver::DISABLED_RULE,
    &waiver::UNKNOWN_ENTITY,
    &waiver::UNMATCHED,
    &baseline::MALFORMED,
    &baseline::FIXED,
    &diff::GIT_FAILED,
    &diff::UNKNOWN_BASE,
    &diff::BASE_INVALID,
    &library::UNKNOWN,
    &library::UNKNOWN_RULE,
    &library::UNKNOWN_PARAMETER,
    &library::BAD_PARAMETER,
    &library::PARAMETER_TYPE,
    &fmt::WRITE_FAILED,
    &fmt::INTERNAL,
    &test::MALFORMED,
    &test::NO_TESTS,
    &test::NO_POLICIES,
    &test::UNKNOWN_RULE,
    &test::UNKNOWN_ENTITY,
    &test::WRONG_KIND,
    &test::DUPLICATE_ENTITY,
    &test::EMPTY_EXPECTATION,
    &explain::UNKNOWN_RULE,
    &explain::UNKNOWN_ENTITY,
    &explain::WRONG_KIND,
    &query::EMPTY,
    &query::INVALID_SHOW,
    &impact::UNKNOWN_ENTITY,
    &impact::UNSUPPORTED_KIND,
    &graph::UNKNOWN_ENTITY,
    &graph::MERMAID_TOO_LARGE,
    &init::EXISTS,
    &init::WRITE_FAILED,
    &import::UNSUPPORTED_FORMAT,
    &import::UNREADABLE,
    &import::UNKNOWN_SHEET,
    &import::EMPTY,
    &import::UNKNOWN_KIND,
    &import::UNKNOWN_COLUMN,
    &import::BAD_MAP,
    &import::NOT_IMPORTABLE,
    &import::DUPLICATE_COLUMN,
    &import::MISSING_ID,
    &import::DUPLICATE_ID,
    &import::WRONG_TYPE,
    &import::UNKNOWN_CATEGORY,
    &import::UNKNOWN_ENUM_VALUE,
    &import::OUTPUT_EXISTS,
    &import::WRITE_FAILED,
];

/// The top of docs/errors.md, above the first section.
pub const PREAMBLE: &str = "# Error and warning catalogue

Every diagnostic custody prints has a stable code, shown above its message
(`custody::policy::unknown_field`). This page documents each one: what it means, an example
that triggers it, and how to fix it. `custody help-code CODE` prints the same text.

Errors make a run exit 2, after every problem in every file has been reported. Warnings
never change the exit code of `custody check`; `custody lint --deny-warnings` exits 1 when
there are any.

<!-- This page is generated from the code definitions: src/diag/codes/*.rs, and
src/lint/*.rs for the lint warnings; each entry is the doc comment of its code. Edit
those, then run `CUSTODY_UPDATE_DOCS=1 cargo test --test errors`.

Format of an entry (tests/errors.rs parses this page and runs the examples):

### custody::namespace::name
Level: error | warning

What it means, in a sentence or two.

```policy title=\"rules.policy\"
... an example policy ...
```

```yaml title=\"inventory/vendors.yaml\"
... an example inventory ...
```

Fix: how to fix it.

How tests/errors.rs runs an entry:
- Each fenced block with a `title=\"PATH\"` is written to PATH in an empty directory
  (`rules.policy`, `inventory/vendors.yaml`, `custody.yaml`, `waivers.yaml`, ...). Blocks
  without a title are shown to the reader only.
- Without a `custody.yaml` block, the test writes `policies: [.]` and
  `inventory: [inventory]` (plus `waivers: waivers.yaml` when there is a waivers.yaml
  block), a one-rule `rules.policy` (rule DOC-1: vendors have an owner) when no policy is
  given, and `inventory/vendors.yaml` (`vendors: []`) when no inventory is given.
- It runs `custody lint` for `custody::lint::*` codes, `custody fmt --check` for
  `custody::fmt::*`, `custody test` for `custody::test::*` and `custody check` for the
  rest; a line `Run: custody ARGS` runs that instead (quote arguments that hold spaces).
  The entry's code must appear in what the command prints.
- An entry whose code cannot come from a small example (a 2 GiB file, invalid UTF-8) has a
  line `Produced by: tests/FILE.rs` instead, and that file must mention the code. A code
  no input can produce (a guard against a bug in custody) has `Unreachable: REASON` and is
  listed in tests/errors.rs.
- Every entry has a `Level:` line and a paragraph starting `Fix:`.
-->";
