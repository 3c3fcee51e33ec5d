//! `custody impact` (in progress).

use crate::run::{Exit, Output};

pub fn run(
    args: &crate::cli::ImpactArgs,
    cwd: std::path::PathBuf,
    today: jiff::civil::Date,
) -> Output {
    let _ = (args, cwd, today);
    Output {
        stdout: String::new(),
        stderr: "error: `custody impact` is not implemented yet\n".into(),
        exit: Exit::Invalid,
    }
}
