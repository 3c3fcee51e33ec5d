//! One module per subcommand besides `check`: each takes its clap arguments and returns an
//! `Output` (what to print, how to exit); `main` writes it out.

pub mod docs;
pub mod explain;
pub mod fmt;
pub mod help_code;
pub mod impact;
pub mod lint;
pub mod query;
pub mod test;
