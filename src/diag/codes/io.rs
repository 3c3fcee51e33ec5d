//! `custody::io::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// A file or directory named in `custody.yaml` or on the command line cannot be read: it does
    /// not exist, or custody may not read it.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [policies]
    /// inventory: [inventory.yaml]
    /// ```
    ///
    /// ```policy title="policies/rules.policy"
    /// rule R-1 "Vendors name an owner" {
    ///   for vendor v
    ///   require v.owner is set
    /// }
    /// ```
    ///
    /// Fix: correct the path (paths in `custody.yaml` are relative to it), or create the file.
    pub NOT_FOUND = error "custody::io::not_found",
        "A file or directory named in `custody.yaml` or on the command line cannot be read: it does not exist, or custody may not read it.";

    /// A directory given as policies or inventory holds no file of that kind: no `*.policy` for
    /// policies, no `*.yaml`, `*.yml` or `*.json` for inventory. Hidden entries are skipped.
    ///
    /// ```yaml title="custody.yaml"
    /// policies: [rules.policy]
    /// inventory: [inventory]
    /// ```
    ///
    /// ```policy title="rules.policy"
    /// rule R-1 "Vendors name an owner" {
    ///   for vendor v
    ///   require v.owner is set
    /// }
    /// ```
    ///
    /// ```text title="inventory/README.txt"
    /// The inventory lives in another repository.
    /// ```
    ///
    /// Fix: point at the directory that holds the files, or name the files directly.
    pub EMPTY_DIRECTORY = error "custody::io::empty_directory",
        "A directory given as policies or inventory holds no file of that kind: no `*.policy` for policies, no `*.yaml`, `*.yml` or `*.json` for inventory.";

    /// An input file is larger than the size limit (1 GiB unless `max_file_size` in
    /// `custody.yaml` or `--max-file-size` says otherwise). The file is refused from its size alone,
    /// before a byte is read.
    ///
    /// Run: custody check --max-file-size 10
    ///
    /// ```yaml title="inventory/vendors.yaml"
    /// vendors:
    ///   - id: acme
    /// ```
    ///
    /// Fix: split the file, or raise the limit if the file is legitimate.
    pub FILE_TOO_LARGE = error "custody::io::file_too_large",
        "An input file is larger than the size limit (1 GiB unless `max_file_size` in `custody.yaml` or `--max-file-size` says otherwise).";

    /// An input file is not valid UTF-8. The message gives the line of the first bad byte.
    ///
    /// Produced by: tests/robustness.rs
    ///
    /// Fix: save the file as UTF-8 (most editors have an "encoding" setting); a file in Latin-1 or
    /// UTF-16 needs converting, e.g. `iconv -f latin1 -t utf-8`.
    pub INVALID_UTF8 = error "custody::io::invalid_utf8",
        "An input file is not valid UTF-8.";

    /// A path named as an input file is not a regular file: a named pipe (FIFO), a socket, a
    /// device such as `/dev/null`, or a directory where a file is expected (waivers, a
    /// baseline, a config). custody reads inputs only from regular files, so a pipe with no
    /// writer can never make a run hang; the message says what the path is. Entries that are not
    /// regular files are skipped, without a word, when a directory is walked.
    ///
    /// Produced by: tests/robustness.rs
    ///
    /// Fix: name a regular file; to check data that a command produces, save it to a file first.
    pub NOT_A_FILE = error "custody::io::not_a_file",
        "A path named as an input file is not a regular file: a named pipe (FIFO), a socket, a device such as `/dev/null`, or a directory where a file is expected (waivers, a baseline, a config).";
}
