//! The sources stage: find policy, inventory and waiver files and read each once into the
//! `SourceMap`, refusing oversized files before reading and invalid UTF-8 after.

use crate::diag::Diag;
use crate::diag::codes;
use crate::source::{FileId, SourceMap};
use std::path::{Path, PathBuf};

/// Default for `max_file_size`: 1 GiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1 << 30;
/// Spans are `u32` offsets: no limit may exceed this.
pub const HARD_MAX_FILE_SIZE: u64 = u32::MAX as u64 - 1;

/// What a directory walk should pick up.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FileKind {
    Policy,
    Inventory,
}

impl FileKind {
    fn wants(self, path: &Path) -> bool {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match self {
            FileKind::Policy => ext == "policy",
            FileKind::Inventory => matches!(ext, "yaml" | "yml" | "json"),
        }
    }
    fn what(self) -> &'static str {
        match self {
            FileKind::Policy => "policy (`*.policy`)",
            FileKind::Inventory => "inventory (`*.yaml`, `*.yml`, `*.json`)",
        }
    }
}

/// A path to load, and where it was named (a line of custody.yaml), if not on the command line.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub path: PathBuf,
    pub named_at: Option<crate::source::Loc>,
}

impl Input {
    pub fn cli(path: PathBuf) -> Input {
        Input {
            path,
            named_at: None,
        }
    }
}

/// Put the label on the config line that named a path, when there is one.
fn named(d: Diag, input: &Input) -> Diag {
    match input.named_at {
        Some(loc) => d.at(loc, "named here"),
        None => d,
    }
}

/// A path as the user should see it: relative to the working directory when below it, with
/// `.` and `..` components resolved lexically (`./inv/../inv/a.yaml` is `inv/a.yaml`). Only
/// for display: the file read is the path as given.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let (path, cwd) = (normalize(path), normalize(cwd));
    let shown = path.strip_prefix(&cwd).unwrap_or(&path);
    shown.to_string_lossy().replace('\\', "/")
}

/// `path` with `.` components dropped and each `..` folded into the component before it,
/// without touching the file system. A `..` that has nothing to fold into is kept (or, at
/// the root, dropped, as the root's parent is the root).
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                Some(Component::ParentDir | Component::CurDir) | None => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod display_tests {
    use super::{display_path, normalize};
    use std::path::Path;

    #[test]
    fn paths_are_shown_normalised_and_relative_to_the_working_directory() {
        let cwd = Path::new("/work/p");
        let shown = |p: &str| display_path(Path::new(p), cwd);
        assert_eq!(shown("./inv/../inv/a.yaml"), "inv/a.yaml");
        assert_eq!(shown("/work/p/./inv/x/../a.yaml"), "inv/a.yaml");
        assert_eq!(shown("/work/q/../p/a.yaml"), "a.yaml");
        assert_eq!(shown("../other/a.yaml"), "../other/a.yaml");
        assert_eq!(shown("a/../../b.yaml"), "../b.yaml");
        assert_eq!(shown("/elsewhere/a.yaml"), "/elsewhere/a.yaml");
        assert_eq!(
            display_path(Path::new("inv/a.yaml"), Path::new("./")),
            "inv/a.yaml"
        );
        assert_eq!(normalize(Path::new("/../a")), Path::new("/a"));
        assert_eq!(normalize(Path::new("./.")), Path::new(""));
    }
}

/// Expand files and directories into the files to load, in path order. Directories are
/// walked recursively, skipping hidden entries; a file named explicitly is loaded whatever
/// its extension. Missing paths and directories without matching files are errors.
pub fn collect(
    inputs: &[Input],
    kind: FileKind,
    cwd: &Path,
    diags: &mut Vec<Diag>,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for input in inputs {
        let p = &input.path;
        match std::fs::metadata(p) {
            Err(e) => diags.push(named(
                Diag::new(
                    &codes::io::NOT_FOUND,
                    format!("cannot read `{}`: {}", display_path(p, cwd), io_words(&e)),
                )
                .help("check the path in `custody.yaml` or on the command line"),
                input,
            )),
            Ok(m) if m.is_dir() => {
                let before = out.len();
                walk(p, kind, &mut out, &mut Visited::default(), 0, cwd, diags);
                if out.len() == before {
                    diags.push(named(
                        Diag::new(
                            &codes::io::EMPTY_DIRECTORY,
                            format!("directory `{}` contains no {} files", display_path(p, cwd), kind.what()),
                        )
                        .help("point at the directory that holds the files, or name the files directly"),
                        input,
                    ));
                }
            }
            Ok(_) => out.push(p.clone()),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The `kind` files below `dir`, walked as [`collect`] walks a directory; none is not an
/// error here (the caller says what it looked for).
pub fn find_under(dir: &Path, kind: FileKind, cwd: &Path, diags: &mut Vec<Diag>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, kind, &mut out, &mut Visited::default(), 0, cwd, diags);
    out.sort();
    out.dedup();
    out
}

/// The real directories a walk has entered, so a symlink back to one (`loop/self -> .`) or a
/// second link to the same directory is not walked again.
#[derive(Default)]
pub struct Visited(std::collections::HashSet<PathBuf>);

impl Visited {
    /// Record `dir`; false when its real directory was already entered (or it cannot be
    /// resolved, in which case reading it fails and says so).
    pub fn first_visit(&mut self, dir: &Path) -> bool {
        match std::fs::canonicalize(dir) {
            Ok(real) => self.0.insert(real),
            Err(_) => true,
        }
    }
}

fn walk(
    dir: &Path,
    kind: FileKind,
    out: &mut Vec<PathBuf>,
    visited: &mut Visited,
    depth: usize,
    cwd: &Path,
    diags: &mut Vec<Diag>,
) {
    // Each real directory once: a symlink loop is entered once, then skipped silently. The
    // depth bound is a backstop.
    if depth > 64 || !visited.first_visit(dir) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(Diag::new(
                &codes::io::NOT_FOUND,
                format!(
                    "cannot read directory `{}`: {}",
                    display_path(dir, cwd),
                    io_words(&e)
                ),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk(&p, kind, out, visited, depth + 1, cwd, diags);
        } else if p.is_file() && kind.wants(&p) {
            // Only regular files (or links to them): a named pipe found in a walk is skipped.
            out.push(p);
        }
    }
}

pub fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => {
            let s = e.to_string();
            // "Is a directory (os error 21)" → "is a directory"
            let s = s.split(" (os error").next().unwrap_or(&s).to_owned();
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().chain(c).collect(),
                None => s,
            }
        }
    }
}

/// Read one file into the source map. Only a regular file (or a link to one) is read: a
/// named pipe, device or directory is refused from its metadata, so nothing can block. A
/// file over `max_size` is refused before any byte is read; invalid UTF-8 is reported at
/// the first bad byte.
pub fn read(
    path: &Path,
    cwd: &Path,
    max_size: u64,
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
) -> Option<FileId> {
    // An indexed map (the language server's) already holds the file's text, or the
    // editor's unsaved text in its place: it is not read again.
    let key = normalize(&cwd.join(path));
    if let Some(id) = sources.lookup(&key) {
        return Some(id);
    }
    let name = display_path(path, cwd);
    let bytes = read_checked(path, &name, max_size, diags)?;
    match String::from_utf8(bytes) {
        Ok(text) => {
            let id = sources.add(name, text);
            sources.remember(key, id);
            Some(id)
        }
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            // Show the file (lossily) so the label points at the offending byte.
            let line = bytes[..bad].iter().filter(|b| **b == b'\n').count() + 1;
            let lossy_offset = String::from_utf8_lossy(&bytes[..bad]).len();
            let id = sources.add(name.clone(), text);
            diags.push(
                Diag::new(
                    &codes::io::INVALID_UTF8,
                    format!("`{name}` is not valid UTF-8 (first bad byte on line {line})"),
                )
                .at(
                    crate::source::Loc::new(
                        id,
                        crate::source::Span::new(lossy_offset, lossy_offset + 3),
                    ),
                    "invalid byte here",
                )
                .help("save the file as UTF-8"),
            );
            None
        }
    }
}

/// The bytes of a binary file (a spreadsheet), with [`read`]'s checks: a regular file, at
/// most `max_size` bytes, refused from its metadata before a byte is read.
pub fn read_binary(
    path: &Path,
    cwd: &Path,
    max_size: u64,
    diags: &mut Vec<Diag>,
) -> Option<Vec<u8>> {
    read_checked(path, &display_path(path, cwd), max_size, diags)
}

/// [`read`]'s checks and the bounded read; `name` is the path as output shows it.
fn read_checked(path: &Path, name: &str, max_size: u64, diags: &mut Vec<Diag>) -> Option<Vec<u8>> {
    let max_size = max_size.min(HARD_MAX_FILE_SIZE);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            diags.push(Diag::new(
                &codes::io::NOT_FOUND,
                format!("cannot read `{name}`: {}", io_words(&e)),
            ));
            return None;
        }
    };
    if !meta.is_file() {
        let message = match file_type_words(&meta.file_type()) {
            Some(what) => format!("`{name}` is {what}, not a file"),
            None => format!("`{name}` is not a regular file"),
        };
        diags.push(
            Diag::new(&codes::io::NOT_A_FILE, message)
            .help(if meta.is_dir() {
                "name a file inside the directory"
            } else {
                "name a regular file; to check data that a command produces, save it to a file first"
            }),
        );
        return None;
    }
    if meta.len() > max_size {
        diags.push(
            Diag::new(
                &codes::io::FILE_TOO_LARGE,
                format!("`{name}` is {} bytes, over the limit of {} bytes", meta.len(), max_size),
            )
            .help("split the file, or raise `max_file_size` in custody.yaml (or `--max-file-size`) if it is legitimate"),
        );
        return None;
    }
    match read_bounded(path, max_size) {
        Ok(b) => Some(b),
        Err(e) => {
            diags.push(Diag::new(
                &codes::io::NOT_FOUND,
                format!("cannot read `{name}`: {}", io_words(&e)),
            ));
            None
        }
    }
}

/// What a path that is not a regular file is, in words: "a named pipe".
fn file_type_words(t: &std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a named pipe");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
    }
    t.is_dir().then_some("a directory")
}

/// `read` for a path named in custody.yaml: a failure to read it points at that line.
pub fn read_input(
    input: &Input,
    cwd: &Path,
    max_size: u64,
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
) -> Option<FileId> {
    let before = diags.len();
    let id = read(&input.path, cwd, max_size, sources, diags);
    if let Some(loc) = input.named_at {
        for d in &mut diags[before..] {
            if d.primary.is_none() {
                d.primary = Some(crate::diag::Label::new(loc, "named here"));
            }
        }
    }
    id
}

/// Read at most `max + 1` bytes, so a file that grows after `metadata` cannot exhaust memory.
fn read_bounded(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    // Checked again on the open file, in case the path was replaced after `metadata`.
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::other("it is not a regular file"));
    }
    let mut buf = Vec::new();
    f.take(max + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(std::io::Error::other(
            "the file grew past the size limit while being read",
        ));
    }
    Ok(buf)
}
