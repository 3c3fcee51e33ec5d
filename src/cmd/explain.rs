//! `custody explain` (in progress).

use crate::run::{Exit, Output};

pub fn run(
    args: &crate::cli::ExplainArgs,
    cwd: std::path::PathBuf,
    today: jiff::civil::Date,
) -> Output {
    let _ = (args, cwd, today);
    Output {
        stdout: String::new(),
        stderr: "error: `custody explain` is not implemented yet\n".into(),
        exit: Exit::Invalid,
    }
}
