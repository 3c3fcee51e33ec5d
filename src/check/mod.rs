//! check (in progress)
