//! Replies by email: clients answer a request email instead of opening the portal. With
//! `[inbound] reply_address`, every email about a group carries `Reply-To: LOCAL+TOKEN@DOMAIN`
//! (`token.rs`: the token is issued beside each magic link, only its SHA-256 stored in
//! `reply_tokens`, revoked with the group's links); the IMAP reader (`mail/imap.rs`) hands each
//! message to `receive_reply` (`receive.rs`). `read.rs` reads a message (mail-parser): the new
//! text without quoted history or signature (HTML-only mail as text), its attachments, and
//! whether it is an automatic answer (out of office, `Auto-Submitted`, `X-Autoreply`, bounces).
//!
//! **Rules.** A reply whose token is live and whose `From` is the group's contact becomes that
//! contact's comment on the group, its attachments uploads on the group's first open task, under
//! the portal's limits (size, quota, type read from the bytes), staff notified as for portal
//! comments; an out of office only adds a note on the work's timeline. Anything else — another
//! sender, an unknown or revoked token, a failed check, an automatic answer with no token — goes
//! to the unmatched replies (`unmatched.rs`), kept whole in the file store for staff to attach to
//! work or discard; nothing reaches a client's work unless it matches. Staff choose among open
//! work only (`choices.rs`: the sender's first), and completed work is refused. Each message is taken
//! once: its `Message-ID`'s hash is created in `inbound_seen` in the batch of what it became.

mod choices;
mod read;
mod receive;
mod token;
mod unmatched;

pub use choices::{GroupChoice, GroupPick, ReplyChoices, SENDER_CHOICES, WorkChoice};
pub use read::{AutoReply, ReadReply, ReplyAttachment, new_text, read_reply};
pub use receive::Received;
pub use unmatched::UNMATCHED_PAGE;
