//! Taking one email from the reply mailbox: matched to its group by the reply token and the
//! sender, it becomes the contact's comment and uploads (or, for an out of office, a note on
//! the timeline), all in one batch with the `Message-ID` that makes taking it twice impossible;
//! anything else becomes an unmatched reply.

use sha2::{Digest, Sha256};

use super::read::{AutoReply, ReadReply, read_reply};
use super::token::TokenState;
use crate::docket::Docket;
use crate::docket::client::ClientSession;
use crate::docket::work::exchange::UploadDetails;
use crate::model::{Actor, Contact, EventKind, WorkId, WorkItem, WorkStatus};
use crate::store::{Batch, Tree};
use crate::text::hex;
use crate::{Error, Result};

/// What became of one email.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "became", rename_all = "snake_case")]
pub enum Received {
    /// The contact's comment on the group (when it had new text) and `files` uploads.
    Comment {
        work: WorkId,
        group: usize,
        files: usize,
    },
    /// An automatic answer about the group, noted on the work's timeline.
    AutoReplyNoted { work: WorkId, group: usize },
    /// Kept among the unmatched replies for staff, with the reason.
    Unmatched { id: ulid::Ulid, reason: String },
    /// Taken before (its `Message-ID` is known): nothing done.
    AlreadyTaken,
}

impl std::fmt::Display for Received {
    /// For the log, ids as the admin shows them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Received::Comment { work, group, files } => write!(
                f,
                "a comment on work {work}, group {}, with {files} file(s)",
                group + 1
            ),
            Received::AutoReplyNoted { work, group } => write!(
                f,
                "an automatic answer noted on work {work}, group {}",
                group + 1
            ),
            Received::Unmatched { id, reason } => {
                write!(f, "kept among the unmatched replies as {id}: {reason}")
            }
            Received::AlreadyTaken => write!(f, "taken before; nothing done"),
        }
    }
}

/// Where a matched reply goes, and who it is from.
pub(super) struct Target {
    pub work: WorkItem,
    pub group: usize,
    pub contact: Contact,
}

impl Docket {
    /// Takes one email from the reply mailbox. Safe to call again with the same message: the
    /// second time it answers `AlreadyTaken`.
    pub fn receive_reply(&self, raw: &[u8]) -> Result<Received> {
        let Some(read) = read_reply(raw) else {
            let seen = seen_key(&format!("sha256:{}", hex(&Sha256::digest(raw))));
            if self.store.get(Tree::InboundSeen, &seen)?.is_some() {
                return Ok(Received::AlreadyTaken);
            }
            return self.keep_unmatched(raw, None, "it is not a readable email", None);
        };
        if self
            .store
            .get(Tree::InboundSeen, &seen_key(&read.message_id))?
            .is_some()
        {
            return Ok(Received::AlreadyTaken);
        }
        let token = self.reply_token_in(&read.recipients);
        let access = match token
            .as_deref()
            .map(|t| self.resolve_reply_token(t))
            .transpose()?
        {
            Some(TokenState::Live { access }) => access,
            Some(TokenState::Revoked { link }) => {
                return self.keep_unmatched(
                    raw,
                    Some(&read),
                    "its reply address was revoked: the request was sent again, or to someone else, since",
                    Some((link.work, link.group)),
                );
            }
            Some(TokenState::Unknown) => {
                return self.keep_unmatched(raw, Some(&read), "its reply address is unknown", None);
            }
            None => {
                let reason = match read.auto {
                    Some(auto) => format!("{} sent to no request's reply address", auto.describe()),
                    None => "it was sent to no request's reply address".to_string(),
                };
                return self.keep_unmatched(raw, Some(&read), &reason, None);
            }
        };
        let at = Some((access.work, access.group));
        let target = Target {
            work: self.work(access.work)?,
            group: access.group,
            contact: self.contact(access.contact)?,
        };
        let from_contact = read.from == target.contact.email.to_ascii_lowercase();
        match read.auto {
            // A bounce comes from the mailer daemon, never the contact: its reply address is
            // what ties it to the group.
            Some(auto) if from_contact || auto == AutoReply::Bounce => {
                return self.note_auto_reply(&read, auto, &target);
            }
            _ => {}
        }
        if !from_contact {
            let reason = format!(
                "it was sent from {}, not from the request's contact",
                if read.from.is_empty() {
                    "no address"
                } else {
                    &read.from
                }
            );
            return self.keep_unmatched(raw, Some(&read), &reason, at);
        }
        if target.work.status == WorkStatus::Completed {
            return self.keep_unmatched(
                raw,
                Some(&read),
                "the work is completed; reopen it to take the reply",
                at,
            );
        }
        if read.text.is_empty() && read.attachments.is_empty() {
            return self.keep_unmatched(
                raw,
                Some(&read),
                "it has no new text and no attachments",
                at,
            );
        }
        let mut batch = Batch::default();
        batch.create(
            Tree::InboundSeen,
            seen_key(&read.message_id),
            b"comment".to_vec(),
            "this email was taken already",
        );
        let author = Actor::Contact(target.contact.id);
        match self.take_reply(batch, &read, &target, author) {
            Ok(received) => Ok(received),
            Err(Error::Conflict(_)) => Ok(Received::AlreadyTaken),
            Err(refused @ (Error::Invalid { .. } | Error::TooLarge(_) | Error::TooFast(_))) => {
                let reason = format!("it failed the upload checks: {refused}");
                self.keep_unmatched(raw, Some(&read), &reason, at)
            }
            Err(e) => Err(e),
        }
    }

    /// The reply's text as `author`'s comment on the group and its attachments as uploads on
    /// the group's first open task, committed with what `batch` holds (the `Message-ID`).
    pub(super) fn take_reply(
        &self,
        mut batch: Batch,
        read: &ReadReply,
        target: &Target,
        author: Actor,
    ) -> Result<Received> {
        let Target {
            work,
            group: g,
            contact,
        } = target;
        if !read.attachments.is_empty() {
            let task = work.groups[*g]
                .tasks
                .iter()
                .position(|t| t.done_at.is_none())
                .ok_or_else(|| {
                    Error::invalid_field("task", "the request has no open task to upload to")
                })?;
            let session = ClientSession {
                work: work.id,
                group: *g,
                contact: contact.id,
                locked: false,
                device_until: None,
                holder: format!("email/{}", contact.id),
            };
            for attachment in &read.attachments {
                let size = attachment.bytes.len() as u64;
                if size > self.max_upload {
                    return Err(Error::TooLarge(format!(
                        "`{}` is {}; files may be at most {}",
                        attachment.name,
                        crate::text::size(size),
                        crate::text::size(self.max_upload)
                    )));
                }
                self.check_client_upload(&mut batch, &session, size)?;
                let stored = self
                    .store
                    .files()
                    .write(&mut attachment.bytes.as_slice(), self.max_upload)?;
                let details = UploadDetails {
                    name: attachment.name.clone(),
                    content_type: attachment.content_type.clone(),
                    task: Some((*g, task)),
                };
                self.attach_into(&mut batch, work.id, details, stored, author.clone())?;
            }
        }
        if !read.text.is_empty() {
            self.comment_into(&mut batch, work, Some((*g, None)), &read.text, author)?;
        }
        self.store.commit(batch)?;
        Ok(Received::Comment {
            work: work.id,
            group: *g,
            files: read.attachments.len(),
        })
    }

    fn note_auto_reply(
        &self,
        read: &ReadReply,
        auto: AutoReply,
        target: &Target,
    ) -> Result<Received> {
        let mut batch = Batch::default();
        batch.create(
            Tree::InboundSeen,
            seen_key(&read.message_id),
            b"auto-reply".to_vec(),
            "this email was taken already",
        );
        let group = &target.work.groups[target.group];
        let subject = if read.subject.is_empty() {
            String::new()
        } else {
            format!(": “{}”", read.subject)
        };
        self.record_event(
            &mut batch,
            Some(target.work.id),
            Some(target.contact.id),
            Actor::Contact(target.contact.id),
            EventKind::AutoReply,
            format!(
                "{}'s mail answered “{}” with {}{subject}",
                target.contact.name,
                group.name,
                auto.describe()
            ),
        );
        match self.store.commit(batch) {
            Ok(()) => Ok(Received::AutoReplyNoted {
                work: target.work.id,
                group: target.group,
            }),
            Err(Error::Conflict(_)) => Ok(Received::AlreadyTaken),
            Err(e) => Err(e),
        }
    }
}

/// The `inbound_seen` key of a message: the SHA-256 of its `Message-ID`.
pub(super) fn seen_key(message_id: &str) -> Vec<u8> {
    hex(&Sha256::digest(message_id.as_bytes())).into_bytes()
}

#[cfg(test)]
#[path = "receive_tests.rs"]
mod tests;
