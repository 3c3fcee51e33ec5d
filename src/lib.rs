//! custody: policy-as-code for third-party risk.
//!
//! A run is one pipeline; each stage adds diagnostics to a shared list instead of stopping:
//!
//! 1. [`sources`] reads policy, inventory and waiver files into the [`source::SourceMap`];
//! 2. [`syntax`] parses policies into the [`ast`]; [`inventory`] loads YAML into a validated model;
//! 3. [`check`] resolves names and types in policies against the schema and taxonomy;
//! 4. [`eval`] evaluates the checked rules over the inventory into findings with evidence;
//! 5. [`report`] renders findings and diagnostics (human, JSON).

pub mod ast;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod diag;
pub mod eval;
pub mod inventory;
pub mod library;
pub mod nodes;
pub mod report;
pub mod run;
pub mod source;
pub mod sources;
pub mod syntax;
pub mod testing;
