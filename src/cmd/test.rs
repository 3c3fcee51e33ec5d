//! `custody test [PATHS] [--coverage] [--policy P]`: run policy test files (`*.test.yaml`)
//! and print the results in the style of `cargo test`. See `crate::testing`.

use super::{Output, Std};
use crate::testing::{self, Options, render};

pub fn run(
    args: &crate::cli::TestArgs,
    cwd: std::path::PathBuf,
    _today: jiff::civil::Date,
) -> Output {
    // Test files fix their own `as_of`: the clock plays no part in a test.
    let opts = Options {
        cwd,
        paths: args.paths.clone(),
        policies: args.policies.clone(),
        coverage: args.coverage,
    };
    let outcome = testing::run(&opts);
    Output {
        stdout: render::stdout(&outcome, &super::style(args.color, Std::Out)),
        stderr: render::stderr(&outcome, &super::style(args.color, Std::Err)),
        exit: outcome.exit(),
        ..Output::default()
    }
}
