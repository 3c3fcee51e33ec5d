//! `custody query` (in progress).

use crate::run::{Exit, Output};

pub fn run(
    args: &crate::cli::QueryArgs,
    cwd: std::path::PathBuf,
    today: jiff::civil::Date,
) -> Output {
    let _ = (args, cwd, today);
    Output {
        stdout: String::new(),
        stderr: "error: `custody query` is not implemented yet\n".into(),
        exit: Exit::Invalid,
    }
}
