//! Which policy tests to run: the `*.test.yaml` files named on the command line or found
//! below its directories, in path order, each with the `custody.yaml` that applies to it.
//! Reading and running them is `testing::run`'s job.

use crate::diag::Diag;
use crate::diag::code::Code;
use crate::diag::codes;
use crate::project::config;
use crate::sources::{self, display_path};
use std::path::{Component, Path, PathBuf};

// Diagnostic codes (documented in docs/errors.md, "Policy tests").
const NO_TESTS: &Code = &codes::test::NO_TESTS;

/// One test file to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestFile {
    /// Absolute and normalized.
    pub path: PathBuf,
    /// The `custody.yaml` in the test file's directory or the nearest parent, if any: its
    /// schema, taxonomy and library settings apply, and its policies are the ones tested
    /// when neither the test file nor `--policy` names any.
    pub config: Option<PathBuf>,
}

/// The test files under `paths` (relative to `cwd`; none means `cwd`), in path order, each
/// once, with its config. A path that cannot be read, or a directory with no test file, is
/// an error in `diags`.
pub fn test_files(paths: &[PathBuf], cwd: &Path, diags: &mut Vec<Diag>) -> Vec<TestFile> {
    find(paths, cwd, diags)
        .into_iter()
        .map(|path| {
            let dir = path.parent().unwrap_or(Path::new(""));
            let config = config::discover(None, dir);
            TestFile { path, config }
        })
        .collect()
}

/// `a/b/../c` → `a/c`, without touching the file system, so paths display as written.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Is this the name of a test file?
fn is_test_file(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".test.yaml") || n.ends_with(".test.yml"))
}

/// The test files to run, in path order: files named explicitly, and `*.test.yaml` below
/// each directory (hidden entries and `target/` skipped).
fn find(paths: &[PathBuf], cwd: &Path, diags: &mut Vec<Diag>) -> Vec<PathBuf> {
    let inputs: Vec<PathBuf> = if paths.is_empty() {
        vec![cwd.to_path_buf()]
    } else {
        paths.iter().map(|p| normalize(&cwd.join(p))).collect()
    };
    let mut out = Vec::new();
    for p in &inputs {
        match std::fs::metadata(p) {
            Err(e) => diags.push(
                Diag::new(
                    &codes::io::NOT_FOUND,
                    format!(
                        "cannot read `{}`: {}",
                        display_path(p, cwd),
                        sources::io_words(&e)
                    ),
                )
                .help("check the path on the command line"),
            ),
            Ok(m) if m.is_dir() => {
                let before = out.len();
                walk(p, &mut out, &mut sources::Visited::default(), 0);
                if out.len() == before {
                    let shown = match display_path(p, cwd) {
                        s if s.is_empty() => ".".to_owned(),
                        s => s,
                    };
                    diags.push(
                        Diag::new(
                            NO_TESTS,
                            format!("no test files (`*.test.yaml`) in `{shown}`"),
                        )
                        .help("name the test files or the directory that holds them; a test file's name ends in `.test.yaml`"),
                    );
                }
            }
            Ok(_) => out.push(p.clone()),
        }
    }
    out.sort();
    out.dedup();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, visited: &mut sources::Visited, depth: usize) {
    // Each real directory once: a symlink loop is entered once, then skipped silently. The
    // depth bound is a backstop.
    if depth > 64 || !visited.first_visit(dir) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            if name != "target" {
                walk(&p, out, visited, depth + 1);
            }
        } else if is_test_file(&p) {
            out.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dot_and_dot_dot_lexically() {
        assert_eq!(
            normalize(Path::new("/a/b/tests/../policies/./x.policy")),
            PathBuf::from("/a/b/policies/x.policy")
        );
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }

    #[test]
    fn test_files_end_in_test_yaml() {
        assert!(is_test_file(Path::new("a/audit.test.yaml")));
        assert!(is_test_file(Path::new("audit.test.yml")));
        assert!(!is_test_file(Path::new("audit.yaml")));
        assert!(!is_test_file(Path::new("test.yaml")));
    }

    #[test]
    fn each_test_file_comes_with_the_nearest_config_in_path_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for f in [
            "custody.yaml",
            "b.test.yaml",
            "a.test.yml",
            "notes.yaml",
            "sub/custody.yaml",
            "sub/c.test.yaml",
            "sub/deeper/d.test.yaml",
            ".hidden/e.test.yaml",
            "target/f.test.yaml",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, "").expect("write");
        }
        let mut diags = Vec::new();
        let found = test_files(&[], root, &mut diags);
        assert!(diags.is_empty());
        let test = |path: &str, config: &str| TestFile {
            path: root.join(path),
            config: Some(root.join(config)),
        };
        assert_eq!(
            found,
            [
                test("a.test.yml", "custody.yaml"),
                test("b.test.yaml", "custody.yaml"),
                test("sub/c.test.yaml", "sub/custody.yaml"),
                test("sub/deeper/d.test.yaml", "sub/custody.yaml"),
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_symlink_loop_is_walked_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir(root.join("loop")).expect("mkdir");
        std::fs::write(root.join("loop/a.test.yaml"), "").expect("write");
        std::os::unix::fs::symlink(".", root.join("loop/self")).expect("symlink");
        let mut diags = Vec::new();
        let found = find(&[], root, &mut diags);
        assert!(diags.is_empty());
        assert_eq!(found, [root.join("loop/a.test.yaml")]);
    }
}
