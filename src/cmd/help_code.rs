//! `custody help-code` (in progress).

use crate::run::{Exit, Output};

pub fn run(
    args: &crate::cli::HelpCodeArgs,
    cwd: std::path::PathBuf,
    today: jiff::civil::Date,
) -> Output {
    let _ = (args, cwd, today);
    Output {
        stdout: String::new(),
        stderr: "error: `custody help-code` is not implemented yet\n".into(),
        exit: Exit::Invalid,
    }
}
