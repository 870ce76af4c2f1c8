//! Filled in by a helper.
