//! The sender's claim: the messages due now, each marked in flight by a batch of its own guarded
//! on its place in the queue (of several servers sharing the store, one claims it), made durable
//! before any SMTP. What a claim reads (the messages, their contacts, a reminder's work item) is
//! read a tree at a time (`Store::get_many`), and the claims are committed together
//! (`Store::commit_each`): on PostgreSQL a claim of 64 messages is a handful of round trips, not
//! several per message.

use std::collections::HashMap;

use crate::docket::Docket;
use crate::model::{Contact, WorkStatus};
use crate::model::{ContactId, MessageKind, MessageState, OutboundMessage, WorkId, WorkItem};
use crate::store::{Batch, Tree, decode};
use crate::{Error, Result};

use super::outbox::{Delivery, in_flight_stamp, inflight_key, parse_queue_key};

/// What claiming one queued message comes to, once its batch commits.
enum Claim {
    Send(OutboundMessage),
    /// Settled as dropped, not sent.
    Drop(OutboundMessage, Delivery),
    /// Only taken out of the queue (its record is gone or damaged).
    Leave,
}

/// Whether a claimed message still applies: yes (with its work item, for a reminder), or no
/// and why.
enum Applies {
    Yes(Option<Box<WorkItem>>),
    No(String),
}

/// The records the due messages need, read a tree at a time: whether each contact is live, and
/// each reminder's work item (`None`: gone; `Err`: unreadable).
struct Read {
    live: HashMap<ContactId, Result<bool>>,
    works: HashMap<WorkId, Result<Option<WorkItem>>>,
}

impl Docket {
    /// Claims up to `limit` messages due now: each is marked in flight and the store flushed
    /// before this returns, so a message handed to SMTP afterwards is never lost. A reminder
    /// whose tasks were all done meanwhile (or whose work was completed) is settled as dropped
    /// instead of being returned. Each message is claimed by a batch of its own, guarded on its
    /// place in the queue: of several servers sharing the store, one claims it, and the others
    /// pass over it.
    pub fn claim_due_messages(&self, limit: usize) -> Result<Vec<OutboundMessage>> {
        let now = self.now();
        let mut due = Vec::new();
        for (key, value) in self
            .store
            .scan(Tree::OutboxQueue, b"q/", None, limit, false)?
        {
            let (at, id) = parse_queue_key(&key)?;
            if at > now {
                break;
            }
            due.push((key, value, id));
        }
        let ids: Vec<Vec<u8>> = due
            .iter()
            .map(|(_, _, id)| id.clone().into_bytes())
            .collect();
        let records = self.store.get_many(Tree::Outbox, &ids)?;
        let messages: Vec<Result<Option<OutboundMessage>>> = records
            .into_iter()
            .map(|r| r.map(|v| decode(&v)).transpose())
            .collect();
        let read = self.read_for_claims(&messages)?;
        let stamp = in_flight_stamp(std::time::SystemTime::now());
        // Per message: its batch, and the message to send or to settle as dropped.
        let mut batches = Vec::new();
        let mut outcomes: Vec<Claim> = Vec::new();
        for ((key, value, id), message) in due.into_iter().zip(messages) {
            let mut batch = Batch::default();
            batch.expect(Tree::OutboxQueue, key.clone(), Some(value));
            batch.remove(Tree::OutboxQueue, key.clone());
            let mut message = match message {
                Ok(Some(message)) => message,
                Ok(None) => {
                    batches.push(batch);
                    outcomes.push(Claim::Leave);
                    continue;
                }
                Err(e) => {
                    // A damaged record leaves the queue rather than block every email behind it.
                    tracing::error!(message = %id, error = %e, "cannot read a queued email; it is left out");
                    batches.push(batch);
                    outcomes.push(Claim::Leave);
                    continue;
                }
            };
            // When in doubt (a record that cannot be read), the email goes.
            let work = match read.applies(&message) {
                Ok(Applies::No(reason)) => {
                    batches.push(batch);
                    outcomes.push(Claim::Drop(message, Delivery::Dropped(reason)));
                    continue;
                }
                Ok(Applies::Yes(work)) => work,
                Err(_) => None,
            };
            if message.compose_at_delivery {
                let composed = match &work {
                    Some(work) => self.compose_reminder(&mut message, work, &mut batch),
                    None => Err(Error::Storage("its work item cannot be read".into())),
                };
                if let Err(e) = composed {
                    tracing::error!(message = %id, error = %e, "cannot compose a reminder");
                    let mut batch = Batch::default();
                    batch.expect(Tree::OutboxQueue, key.clone(), Some(Vec::new()));
                    batch.remove(Tree::OutboxQueue, key.clone());
                    batches.push(batch);
                    outcomes.push(Claim::Drop(
                        message,
                        Delivery::Dropped(format!("cannot compose it: {e}")),
                    ));
                    continue;
                }
            }
            message.state = MessageState::InFlight;
            message.attempts += 1;
            batch.put_record(Tree::Outbox, id.as_bytes().to_vec(), &message);
            batch.put(Tree::OutboxQueue, inflight_key(message.id), stamp.clone());
            batches.push(batch);
            outcomes.push(Claim::Send(message));
        }
        let results = self.store.commit_each(batches);
        let mut claimed = Vec::new();
        let mut dropped = Vec::new();
        let mut failed = None;
        for (result, outcome) in results.into_iter().zip(outcomes) {
            match (result, outcome) {
                (Ok(()), Claim::Send(message)) => claimed.push(message),
                (Ok(()), Claim::Drop(message, delivery)) => dropped.push((message, delivery)),
                (Ok(()), Claim::Leave) => {}
                // Claimed by another server first.
                (Err(Error::Conflict(_)), _) => {}
                (Err(e), _) => failed = Some(e),
            }
        }
        if !dropped.is_empty() {
            self.settle_messages(dropped)?;
        }
        match failed {
            Some(e) if claimed.is_empty() => Err(e),
            _ => Ok(claimed),
        }
    }

    /// Reads, a tree at a time, the contacts of `messages` and the work items of their
    /// reminders.
    fn read_for_claims(&self, messages: &[Result<Option<OutboundMessage>>]) -> Result<Read> {
        let found = || {
            messages
                .iter()
                .filter_map(|m| m.as_ref().ok().and_then(Option::as_ref))
        };
        let mut contacts: Vec<ContactId> = found().filter_map(|m| m.contact).collect();
        contacts.sort();
        contacts.dedup();
        let keys: Vec<Vec<u8>> = contacts.iter().map(|c| c.key()).collect();
        let live = contacts
            .into_iter()
            .zip(self.store.get_many(Tree::Contacts, &keys)?)
            .map(|(id, value)| {
                let contact = value.map(|v| decode::<Contact>(&v)).transpose();
                (
                    id,
                    contact.map(|c| c.is_some_and(|c| c.archived_at.is_none())),
                )
            })
            .collect();
        let mut works: Vec<WorkId> = found()
            .filter(|m| m.kind == MessageKind::Reminder && m.group.is_some())
            .filter_map(|m| m.work)
            .collect();
        works.sort();
        works.dedup();
        let keys: Vec<Vec<u8>> = works.iter().map(|w| w.key()).collect();
        let works = works
            .into_iter()
            .zip(self.store.get_many(Tree::Work, &keys)?)
            .map(|(id, value)| (id, value.map(|v| decode::<WorkItem>(&v)).transpose()))
            .collect();
        Ok(Read { live, works })
    }
}

impl Read {
    /// Whether a message still applies, with a reminder's work item read to decide it; other
    /// kinds always apply.
    fn applies(&self, message: &OutboundMessage) -> Result<Applies> {
        if let Some(contact) = message.contact {
            match self.live.get(&contact) {
                Some(Ok(true)) => {}
                Some(Ok(false)) | None => {
                    return Ok(Applies::No("its contact is archived or gone".into()));
                }
                Some(Err(e)) => return Err(Error::Storage(e.to_string())),
            }
        }
        if message.kind != MessageKind::Reminder {
            return Ok(Applies::Yes(None));
        }
        let (Some(work), Some(g)) = (message.work, message.group) else {
            return Ok(Applies::Yes(None));
        };
        let work = match self.works.get(&work) {
            Some(Ok(Some(w))) => w,
            Some(Ok(None)) | None => return Ok(Applies::No("its work item is gone".into())),
            Some(Err(e)) => return Err(Error::Storage(e.to_string())),
        };
        if work.status == WorkStatus::Completed {
            return Ok(Applies::No("the work was completed".into()));
        }
        let open = work.groups.get(g).is_some_and(|group| {
            message
                .covers
                .iter()
                .any(|&i| group.tasks.get(i).is_some_and(|t| t.done_at.is_none()))
        });
        Ok(if open {
            Applies::Yes(Some(Box::new(work.clone())))
        } else {
            Applies::No("every task it covered was done meanwhile".into())
        })
    }
}
