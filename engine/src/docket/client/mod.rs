//! Client access: what a contact reaches without a password — a magic link's landing, a group
//! bound to their device, the checklist they tick, upload to and comment on, fresh links on
//! request — and the client account they sign in to by email link. `access.rs` decides who may
//! see a checklist (the device, else the signed-in account), `links.rs` the links, `renew.rs`
//! fresh links asked for (only by whoever holds one of the group's links or devices), `quota.rs`
//! how much and how fast a client may upload, `refusals.rs` what a client is told when refused (in
//! their language),
//! `checklist.rs` what the checklist shows and takes, `account.rs` the account, `language.rs`
//! the contact a request still identifies, for the language of the page that answers it.
//!
//! **Rules.** `GET /c/TOKEN` only reads; the button's `POST` binds the group to the device
//! (`GroupAccess::device_hash`, `bound_at`), and a link asked for from the portal
//! (`LinkPurpose::Requested`) and issued after the binding moves it. A link records whom it was
//! sent to (`MagicLink::contact`): once the group has another recipient it opens nothing, and
//! until staff send the group to the new one (`GroupAccess::awaiting_send`) no link can be asked
//! for; staff comments from before the change (`ClientTaskGroup::recipient_since`) are not shown
//! to the new recipient. A device the group is unbound from (moved, or a recipient changed) is
//! remembered (`GroupAccess::former_devices`): it may ask for a fresh link, or is told the request
//! moved to someone else. Comments carry their group and task; an older comment without a group is
//! shown to a contact only when it can be attributed (a work item with one group, or a comment its
//! own contact wrote), otherwise it stays staff-only. Rate limits (fresh links, sign-ins) are
//! counters in the `throttle` tree, written in the batch of what they limit; sign-in links and
//! account sessions are in `client_sessions`, by hash. Only the SHA-256 of a link's token or a
//! device's secret is stored.

pub(super) mod access;
pub(super) mod account;
pub(super) mod checklist;
pub(super) mod language;
pub(super) mod links;
pub(super) mod quota;
pub(super) mod refusals;
pub(super) mod renew;

pub use access::*;
pub use checklist::*;
pub use links::*;
pub use renew::{
    Asker, LinkProof, NEW_LINKS_PER_ADDRESS_PER_HOUR, NEW_LINKS_PER_CONTACT_PER_DAY,
    NEW_LINKS_PER_GROUP_PER_HOUR, NEW_LINKS_PER_PROOF_PER_HOUR, NewLink,
};
