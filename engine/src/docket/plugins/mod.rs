//! The firm's plugins: the capabilities it grants each (changed by an admin at run time) and
//! which templates and open work name each one.

pub(super) mod grants;
pub(super) mod naming;

pub use grants::*;
