//! `custody::fmt::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// `custody fmt` formatted a file but could not write the result back: the directory is not
    /// writable (the new text goes to a temporary file beside the original, which is then renamed
    /// over it), the disk is full, or the file vanished while it was being formatted. The file is
    /// left exactly as it was. For example, `chmod a-w policies && custody fmt policies` as a user
    /// other than root.
    ///
    /// Produced by: tests/fmt.rs
    ///
    /// Fix: make the file and its directory writable (or free some space) and run `custody fmt`
    /// again; `custody fmt --check` shows the change without writing anything.
    pub WRITE_FAILED = error "custody::fmt::write_failed",
        "`custody fmt` formatted a file but could not write the result back: the directory is not writable (the new text goes to a temporary file beside the original, which is then renamed over it), the disk is full, or the file vanished while it was being formatted.";

    /// Before writing, `custody fmt` parses its own output and checks that it holds the same rules
    /// and every comment of the original, in order. This error means the check failed: a bug in
    /// custody, not in your policy. The file is left exactly as it was.
    ///
    /// Unreachable: a guard against a bug in the formatter; no input is known to trigger it.
    ///
    /// Fix: nothing in the policy needs fixing. Please report the bug with the file attached; until
    /// it is fixed, format that file by hand (`custody lint` still checks it).
    pub INTERNAL = error "custody::fmt::internal",
        "Before writing, `custody fmt` parses its own output and checks that it holds the same rules and every comment of the original, in order.";
}
