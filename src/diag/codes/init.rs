//! `custody::init::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// `custody init` writes a starter project (`custody.yaml`, `inventory/vendors.yaml`,
    /// `inventory/data_stores.yaml`, `policies/main.policy`) and never overwrites a file: one of
    /// them already exists in the directory, so nothing was written. The message names every file
    /// that is in the way.
    ///
    /// Run: custody init
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [builtin:tpr]
    /// inventory: [inventory]
    /// ```
    ///
    /// Fix: run `custody init DIR` with a new directory (it is created), or move or remove the
    /// files named and run `custody init` again.
    pub EXISTS = error "custody::init::exists",
        "`custody init` writes a starter project (`custody.yaml`, `inventory/vendors.yaml`, `inventory/data_stores.yaml`, `policies/main.policy`) and never overwrites a file: one of them already exists in the directory, so nothing was written.";

    /// `custody init` could not create the directory or write one of the starter files: the
    /// directory is not writable, a file of that name is in the way of a directory, or the disk
    /// is full. For example, `custody init /proc/custody`. The files and directories the run had
    /// already created are removed again, so a failed `custody init` leaves nothing behind.
    ///
    /// Produced by: tests/init.rs
    ///
    /// Fix: choose a directory you can write to, or make it writable, and run `custody init`
    /// again.
    pub WRITE_FAILED = error "custody::init::write_failed",
        "`custody init` could not create the directory or write one of the starter files: the directory is not writable, a file of that name is in the way of a directory, or the disk is full.";
}
