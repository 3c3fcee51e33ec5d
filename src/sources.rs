//! sources (in progress)
