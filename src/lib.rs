//! custody: policy-as-code for third-party risk.
//!
//! A run is one pipeline; each stage takes the previous stage's output and adds
//! diagnostics to a shared list instead of stopping (ARCHITECTURE.md draws the layers):
//!
//! 1. [`project`] finds the config and reads policy, inventory and waiver files into the
//!    [`source::SourceMap`]: policies parsed by [`syntax`] into the [`ast`], YAML read by
//!    [`yaml`] and validated by [`inventory`];
//! 2. [`check`] resolves names and types in policies against the schema and taxonomy;
//! 3. [`eval`] evaluates the checked rules over the inventory into findings with evidence;
//! 4. [`report`] renders findings and diagnostics in each output format;
//! 5. [`cmd`] is one module per subcommand, which `main` dispatches to.

// Nothing a user controls may panic: no `unwrap`/`expect` outside tests (clippy.toml allows
// them in tests).
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod ast;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod diag;
pub mod eval;
pub mod ide;
pub mod inventory;
pub mod library;
pub mod lint;
pub mod memory;
pub mod project;
pub mod report;
pub mod source;
pub mod sources;
pub mod syntax;
pub mod testing;
pub mod types;
pub mod yaml;
