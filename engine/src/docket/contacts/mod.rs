//! Contacts: the client people a firm sends requests to — created, found, edited (an email
//! change ends what the old address could open), archived and restored, and what their portal
//! access looks like.

pub(super) mod directory;
pub(super) mod edits;
