//! `custody::syntax::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// The parser found a word or symbol where it expected something else. The label says what
    /// was expected at that point.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors enforce MFA" {
    ///   for vendor v
    ///   require v.mfa_enforced &&
    /// }
    /// ```
    ///
    /// Fix: correct the text at the label (here: write `and`, followed by a condition).
    pub UNEXPECTED_TOKEN = error "custody::syntax::unexpected_token",
        "The parser found a word or symbol where it expected something else.";

    /// Something other than `rule` or `let` starts an item at the top level of a policy file.
    ///
    /// ```policy title="rules.policy"
    /// rul R-1 "Vendors enforce MFA" {
    ///   for vendor v
    ///   require v.mfa_enforced
    /// }
    /// ```
    ///
    /// Fix: a policy file holds `let NAME = VALUE` and `rule ID "title" { ... }`; clauses go
    /// inside a rule's braces.
    pub EXPECTED_ITEM = error "custody::syntax::expected_item",
        "Something other than `rule` or `let` starts an item at the top level of a policy file.";

    /// A word inside a rule's braces is not a clause keyword.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors enforce MFA" {
    ///   for vendor v
    ///   requires v.mfa_enforced
    /// }
    /// ```
    ///
    /// Fix: the clauses are `severity`, `references`, `tags`, `description`, `message`,
    /// `remediation`, `for` and `require`; the help names the nearest one.
    pub UNKNOWN_CLAUSE = error "custody::syntax::unknown_clause",
        "A word inside a rule's braces is not a clause keyword.";

    /// A keyword (`in`, `all`, `count`, `today`, ...) is used as a name for a `let` or a
    /// variable.
    ///
    /// ```policy title="rules.policy"
    /// let in = ["AU", "NZ"]
    /// ```
    ///
    /// Fix: pick another name. After a dot, keywords are fine as field names.
    pub RESERVED_WORD = error "custody::syntax::reserved_word",
        "A keyword (`in`, `all`, `count`, `today`, ...) is used as a name for a `let` or a variable.";

    /// A number that should be a duration has no unit, or an unknown one.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors were audited this year" {
    ///   for vendor v
    ///   require v.last_audit within 12
    /// }
    /// ```
    ///
    /// Fix: add a unit: `days`, `weeks`, `months` or `years` (singular or plural).
    pub MISSING_UNIT = error "custody::syntax::missing_unit",
        "A number that should be a duration has no unit, or an unknown one.";

    /// A `{`, `(` or `[` is never closed.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors in approved countries" {
    ///   for vendor v
    ///   require v.country in ["AU", "NZ"
    /// }
    /// ```
    ///
    /// Fix: add the closing bracket; the label shows where it was opened.
    pub UNCLOSED_DELIMITER = error "custody::syntax::unclosed_delimiter",
        "A `{`, `(` or `[` is never closed.";

    /// Two comparisons are chained (`a < b < c`). They do not chain in custody.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Breach notice between one and three days" {
    ///   for vendor v
    ///   require 24 <= v.contract.breach_notification_hours <= 72
    /// }
    /// ```
    ///
    /// Fix: write both tests: `v.contract.breach_notification_hours >= 24 and
    /// v.contract.breach_notification_hours <= 72`.
    pub CHAINED_COMPARISON = error "custody::syntax::chained_comparison",
        "Two comparisons are chained (`a < b < c`).";

    /// A string has no closing `"` on its line.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors enforce MFA {
    ///   for vendor v
    ///   require v.mfa_enforced
    /// }
    /// ```
    ///
    /// Fix: close the string; write `\"` for a quote inside it.
    pub UNTERMINATED_STRING = error "custody::syntax::unterminated_string",
        "A string has no closing `\"` on its line.";

    /// A string contains a backslash escape custody does not know. The escapes are `\"`, `\\`,
    /// `\n` and `\t`.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Owners have an email address" {
    ///   for vendor v
    ///   require v.owner matches "\w+@"
    /// }
    /// ```
    ///
    /// Fix: write `\\` for a backslash (so a regex `\w` is written `"\\w"`).
    pub INVALID_ESCAPE = error "custody::syntax::invalid_escape",
        "A string contains a backslash escape custody does not know.";

    /// A date literal is not `YYYY-MM-DD`, or is a day that does not exist.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Contracts run past February" {
    ///   for vendor v
    ///   require v.contract.expires after 2027-02-30
    /// }
    /// ```
    ///
    /// Fix: write a real date as `YYYY-MM-DD`; the help gives the month's length.
    pub INVALID_DATE = error "custody::syntax::invalid_date",
        "A date literal is not `YYYY-MM-DD`, or is a day that does not exist.";

    /// A number literal is too large to represent.
    ///
    /// ```policy title="rules.policy"
    /// let huge = 10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
    /// ```
    ///
    /// Fix: use a smaller number.
    pub INVALID_NUMBER = error "custody::syntax::invalid_number",
        "A number literal is too large to represent.";

    /// A duration's amount is negative, not a whole number, or too large to represent.
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors were audited in the last year and a half" {
    ///   for vendor v
    ///   require v.last_audit within 1.5 years
    /// }
    /// ```
    ///
    /// Fix: use a whole number of a smaller unit (`18 months`); to go back in time, write
    /// `D - 3 days`.
    pub INVALID_DURATION = error "custody::syntax::invalid_duration",
        "A duration's amount is negative, not a whole number, or too large to represent.";

    /// An expression is nested more than 256 levels deep. custody refuses it before parsing, so
    /// that deep input cannot overflow the stack.
    ///
    /// Produced by: tests/robustness.rs
    ///
    /// Fix: simplify the expression: move values into `let`s, and write a long `or` of
    /// comparisons as `x in [...]`.
    pub TOO_DEEP = error "custody::syntax::too_deep",
        "An expression is nested more than 256 levels deep.";

    /// One item (a `let` or a rule) is so large that parsing it would take more than the parser's
    /// budget of steps, e.g. a list of hundreds of thousands of literals.
    ///
    /// Produced by: tests/errors.rs
    ///
    /// Fix: split the item into smaller rules or `let`s.
    pub TOO_COMPLEX = error "custody::syntax::too_complex",
        "One item (a `let` or a rule) is so large that parsing it would take more than the parser's budget of steps, e.g.";

    /// custody could not turn an item that parsed into its syntax tree. This is a bug in custody.
    ///
    /// Unreachable: a guard in the parser's lowering; no input is known to reach it.
    ///
    /// Fix: please report it with the policy text that caused it.
    pub INTERNAL = error "custody::syntax::internal",
        "custody could not turn an item that parsed into its syntax tree.";
}
