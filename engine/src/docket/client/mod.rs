//! Client access: what a contact reaches without a password — a magic link's landing, a group
//! bound to their device, the checklist they tick, upload to and comment on, fresh links on
//! request — and the client account they sign in to by email link. `access.rs` decides who may
//! see a checklist (the device, else the signed-in account), `links.rs` the links, `checklist.rs`
//! what the checklist shows and takes, `account.rs` the account.

pub(super) mod access;
pub(super) mod account;
pub(super) mod checklist;
pub(super) mod links;

pub use access::*;
pub use checklist::*;
pub use links::*;
