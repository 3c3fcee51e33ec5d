//! `custody test` (in progress).

use crate::run::{Exit, Output};

pub fn run(
    args: &crate::cli::TestArgs,
    cwd: std::path::PathBuf,
    today: jiff::civil::Date,
) -> Output {
    let _ = (args, cwd, today);
    Output {
        stdout: String::new(),
        stderr: "error: `custody test` is not implemented yet\n".into(),
        exit: Exit::Invalid,
    }
}
