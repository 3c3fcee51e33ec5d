//! `custody test [PATHS] [--coverage] [--policy P]`: run policy test files (`*.test.yaml`)
//! and print the results in the style of `cargo test`. See `crate::testing`.

use crate::cli::{self, Stream};
use crate::run::Output;
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
        stdout: render::stdout(&outcome, &cli::style(args.color, Stream::Stdout)),
        stderr: render::stderr(&outcome, &cli::style(args.color, Stream::Stderr)),
        exit: outcome.exit(),
    }
}
