//! `custody::diff::*`: the codes of this namespace; each doc comment is the code's entry in
//! docs/errors.md.

crate::codes! {
    /// `custody diff` (or `check --new-since`) could not read the git repository: the project is
    /// not inside a git working tree, `git` is not installed, or a git command failed. The message
    /// gives git's own words.
    ///
    /// Produced by: tests/diff.rs
    ///
    /// Fix: run the command inside a git working tree (a clone, not an exported copy) with `git` on
    /// PATH.
    pub GIT_FAILED = error "custody::diff::git_failed",
        "`custody diff` (or `check --new-since`) could not read the git repository: the project is not inside a git working tree, `git` is not installed, or a git command failed.";

    /// The BASE revision given to `custody diff` (or `check --new-since`) is not in the local
    /// repository: a typo, a branch never fetched, or a shallow clone (as CI checkouts are by
    /// default) whose history stops before it.
    ///
    /// Produced by: tests/diff.rs
    ///
    /// Fix: fetch the revision (`git fetch origin main`); in a shallow clone fetch more history with
    /// `git fetch --deepen=50` or check out with `fetch-depth: 0` (actions/checkout).
    pub UNKNOWN_BASE = error "custody::diff::unknown_base",
        "The BASE revision given to `custody diff` (or `check --new-since`) is not in the local repository: a typo, a branch never fetched, or a shallow clone (as CI checkouts are by default) whose history stops before it.";

    /// `check --new-since BASE` found errors in the project as it was at BASE (a policy,
    /// inventory or config that did not load there), so it cannot tell which findings are new;
    /// BASE's own errors are shown under `custody diff: in BASE`.
    ///
    /// Produced by: tests/diff.rs
    ///
    /// Fix: compare against a revision whose project loads, or fix BASE's errors on that
    /// branch; `custody diff BASE` shows both sides.
    pub BASE_INVALID = error "custody::diff::base_invalid",
        "`check --new-since BASE` found errors in the project as it was at BASE (a policy, inventory or config that did not load there), so it cannot tell which findings are new; BASE's own errors are shown under `custody diff: in BASE`.";
}
