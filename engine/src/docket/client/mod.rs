//! Client access: what a contact reaches without a password — a magic link's landing, a group
//! bound to their device, the checklist they tick, upload to and comment on, fresh links on
//! request — and the client account they sign in to by email link.

pub(super) mod account;
pub(super) mod portal;

pub use portal::*;
