//! Unmatched replies: emails from the reply mailbox that reached no client's work, kept whole
//! (the message in the file store, referenced from `file_refs` as `SHA/reply/ID`) for staff to
//! attach to a work item's group or discard; and the state of the mailbox staff are shown.

use std::io::Read;

use super::read::read_reply;
use super::receive::{Received, Target, seen_key};
use crate::docket::Docket;
use crate::model::{Actor, InboundStatus, ReplyFate, UnmatchedReply, WorkId, WorkStatus, new_id};
use crate::store::{Batch, Tree, encode, get_record, scan_records};
use crate::{Error, Result};

/// Most unmatched replies listed at once, newest first.
pub const UNMATCHED_PAGE: usize = 200;
const STATUS_KEY: &[u8] = b"inbound_status";

/// `reply_fate/ID` in `meta`: what became of an unmatched reply that left the list.
fn fate_key(id: &str) -> Vec<u8> {
    format!("reply_fate/{id}").into_bytes()
}

impl Docket {
    /// Keeps `raw` among the unmatched replies with `reason`, taken once like any reply.
    pub(super) fn keep_unmatched(
        &self,
        raw: &[u8],
        read: Option<&super::ReadReply>,
        reason: &str,
        at: Option<(WorkId, usize)>,
    ) -> Result<Received> {
        let now = self.now();
        let message_id = match read {
            Some(r) => r.message_id.clone(),
            None => format!(
                "sha256:{}",
                crate::text::hex(&<sha2::Sha256 as sha2::Digest>::digest(raw))
            ),
        };
        let stored = self.store.files().write(&mut &raw[..], u64::MAX)?;
        let reply = UnmatchedReply {
            id: new_id(now),
            received_at: now,
            from: read.map(|r| r.from.clone()).unwrap_or_default(),
            subject: read.map(|r| r.subject.clone()).unwrap_or_default(),
            text: read.map(|r| r.text.clone()).unwrap_or_default(),
            attachments: read
                .map(|r| r.attachments.iter().map(|a| a.name.clone()).collect())
                .unwrap_or_default(),
            reason: reason.to_string(),
            work: at.map(|(w, _)| w),
            group: at.map(|(_, g)| g),
            raw: stored,
        };
        let mut batch = Batch::default();
        batch.create(
            Tree::InboundSeen,
            seen_key(&message_id),
            b"unmatched".to_vec(),
            "this email was taken already",
        );
        batch.put_record(Tree::UnmatchedReplies, reply.id.to_string(), &reply);
        batch.put(Tree::FileRefs, reply.ref_key(), Vec::new());
        match self.store.commit(batch) {
            Ok(()) => {
                tracing::info!(from = %reply.from, reason, "a reply by email matched no work");
                Ok(Received::Unmatched {
                    id: reply.id,
                    reason: reply.reason,
                })
            }
            Err(Error::Conflict(_)) => Ok(Received::AlreadyTaken),
            Err(e) => Err(e),
        }
    }

    /// The unmatched replies, newest first.
    pub fn unmatched_replies(&self) -> Result<Vec<UnmatchedReply>> {
        scan_records(
            self.store.as_ref(),
            Tree::UnmatchedReplies,
            b"",
            None,
            UNMATCHED_PAGE,
            true,
        )
    }

    /// An unmatched reply still in the list; one attached or discarded already is refused as
    /// a conflict saying which.
    pub(super) fn unmatched_reply(&self, id: &str) -> Result<(UnmatchedReply, Vec<u8>)> {
        match self.store.get(Tree::UnmatchedReplies, id.as_bytes())? {
            Some(bytes) => Ok((crate::store::decode(&bytes)?, bytes)),
            None => Err(match self.unmatched_reply_fate(id)? {
                Some(fate) => Error::Conflict(format!("this reply was {}", fate.already())),
                None => Error::not_found("unmatched reply", id),
            }),
        }
    }

    /// What became of unmatched reply `id` once it left the list; `None` while it is there
    /// (or was never one).
    pub fn unmatched_reply_fate(&self, id: &str) -> Result<Option<ReplyFate>> {
        if id.is_empty() {
            return Ok(None);
        }
        get_record(self.store.as_ref(), Tree::Meta, &fate_key(id))
    }

    /// Staff throw an unmatched reply away, with its stored message.
    pub fn discard_unmatched_reply(&self, id: &str, actor: Actor) -> Result<()> {
        let (reply, before) = self.unmatched_reply(id)?;
        let mut batch = Batch::default();
        batch.expect(Tree::UnmatchedReplies, id.as_bytes().to_vec(), Some(before));
        batch.remove(Tree::UnmatchedReplies, id.as_bytes().to_vec());
        batch.put_record(Tree::Meta, fate_key(id), &ReplyFate::Discarded);
        crate::docket::release_file_ref(&mut batch, reply.ref_key(), &reply.raw.sha256);
        self.store.commit(batch)?;
        tracing::info!(actor = ?actor, from = %reply.from, "an unmatched reply was discarded");
        Ok(())
    }

    /// Staff attach an unmatched reply to group `group` of `work`, which must be open (a
    /// completed work item is refused as a conflict): its text becomes a comment on the group (the recipient's when the reply came from their address, else staff's own,
    /// saying who sent it) and its attachments uploads on the group's first open task, under the
    /// upload limits; the reply leaves the list in the same batch.
    pub fn attach_unmatched_reply(
        &self,
        id: &str,
        work: WorkId,
        group: usize,
        actor: Actor,
    ) -> Result<Received> {
        let (reply, before) = self.unmatched_reply(id)?;
        let item = self.work(work)?;
        if item.status == WorkStatus::Completed {
            return Err(Error::Conflict(format!(
                "“{}” is completed, so a reply cannot be attached to it; reopen it first, or choose open work",
                item.title
            )));
        }
        // Groups are numbered from 0 here, as in the API.
        let recipient = item
            .groups
            .get(group)
            .ok_or_else(|| {
                Error::invalid_field(
                    "group",
                    format!(
                        "work item has no group {group} (groups are numbered from 0; it has {})",
                        item.groups.len()
                    ),
                )
            })?
            .recipient;
        let contact = self.contact(recipient)?;
        let mut raw = Vec::new();
        self.store
            .files()
            .read(&reply.raw.sha256)?
            .ok_or_else(|| Error::Gone("the stored email is missing; discard this reply".into()))?
            .read_to_end(&mut raw)?;
        let mut read = read_reply(&raw).ok_or_else(|| {
            Error::invalid_field("id", "this reply is not a readable email; discard it")
        })?;
        let author = if read.from == contact.email.to_ascii_lowercase() {
            Actor::Contact(contact.id)
        } else {
            // The client reads who wrote it, in their own language.
            let from = crate::i18n::translate(
                self.locale_of(&contact)?,
                "reply-from-other",
                &[("address", crate::i18n::Arg::Text(read.from.clone()))],
            )?;
            read.text = format!("{from}\n{}", read.text).trim().to_string();
            actor
        };
        let mut batch = Batch::default();
        batch.expect(Tree::UnmatchedReplies, id.as_bytes().to_vec(), Some(before));
        batch.remove(Tree::UnmatchedReplies, id.as_bytes().to_vec());
        batch.put_record(
            Tree::Meta,
            fate_key(id),
            &ReplyFate::Attached {
                work,
                title: item.title.clone(),
            },
        );
        crate::docket::release_file_ref(&mut batch, reply.ref_key(), &reply.raw.sha256);
        let target = Target {
            work: item,
            group,
            contact,
        };
        self.take_reply(batch, &read, &target, author)
    }

    /// Whether the reply mailbox answers, as last seen.
    pub fn inbound_status(&self) -> Result<Option<InboundStatus>> {
        get_record(self.store.as_ref(), Tree::Meta, STATUS_KEY)
    }

    /// Forgets a failure recorded by an earlier run (a reader starting, or a server starting
    /// without one), so what staff see belongs to this run and its configuration; when the
    /// mailbox last answered is kept.
    pub fn inbound_restart(&self) -> Result<()> {
        let Some(before) = self.inbound_status()? else {
            return Ok(());
        };
        if before.failing_since.is_none() && before.error.is_none() {
            return Ok(());
        }
        let status = InboundStatus {
            failing_since: None,
            error: None,
            last_read_at: before.last_read_at,
        };
        let mut batch = Batch::default();
        batch.put(Tree::Meta, STATUS_KEY, encode(&status));
        self.store.commit(batch)
    }

    /// Records that the mailbox answered. Returns whether it was failing before (the reader
    /// logs the recovery once).
    pub fn inbound_answered(&self) -> Result<bool> {
        let before = self.inbound_status()?;
        let was_failing = before.as_ref().is_some_and(|s| s.failing_since.is_some());
        let status = InboundStatus {
            failing_since: None,
            error: None,
            last_read_at: Some(self.now()),
        };
        let mut batch = Batch::default();
        batch.put(Tree::Meta, STATUS_KEY, encode(&status));
        self.store.commit(batch)?;
        Ok(was_failing)
    }

    /// Records that the mailbox could not be read. Returns whether this starts a failure (so
    /// it is logged once, not per retry); staff see it on the replies page until it answers.
    pub fn inbound_failed(&self, error: &str) -> Result<bool> {
        let before = self.inbound_status()?.unwrap_or(InboundStatus {
            failing_since: None,
            error: None,
            last_read_at: None,
        });
        let starts = before.failing_since.is_none();
        let status = InboundStatus {
            failing_since: before.failing_since.or(Some(self.now())),
            error: Some(error.to_string()),
            last_read_at: before.last_read_at,
        };
        let mut batch = Batch::default();
        batch.put(Tree::Meta, STATUS_KEY, encode(&status));
        self.store.commit(batch)?;
        Ok(starts)
    }
}
