//! The outbox: queueing an email in the batch of the change that causes it, and the sender's
//! side — claiming due messages (`claim.rs`: marked in flight and flushed before any SMTP), then
//! settling each as sent, to be retried, failed or dropped.

use chrono::{DateTime, Duration, Utc};

use crate::docket::Docket;
use crate::model::{EventKind, KeyInstant, MessageKind, MessageState, OutboundMessage};
use crate::plugin::HookEventKind;
use crate::store::{Batch, Tree, decode, get_record, scan_records};
use crate::{Error, Result};

/// A message that keeps failing with transient errors is given up after this long.
pub const GIVE_UP_AFTER: Duration = Duration::hours(72);
/// First retry delay; doubled per attempt up to `MAX_BACKOFF`.
pub const FIRST_BACKOFF: Duration = Duration::seconds(30);
pub const MAX_BACKOFF: Duration = Duration::hours(1);

/// How one delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The server accepted it (250); `subject` is what was sent.
    Sent { subject: String },
    /// Worth another try later (connection refused, timeout, 4xx).
    Transient(String),
    /// Refused for good (5xx, an address that cannot be one).
    Permanent(String),
    /// Not sent: it no longer applies.
    Dropped(String),
}

impl Docket {
    /// Adds `message` to `batch`: the record, its place in the queue and its idempotency key
    /// (a second message with the same key fails the batch).
    pub(crate) fn queue_message(&self, batch: &mut Batch, message: &OutboundMessage) {
        batch.create(
            Tree::OutboxKeys,
            message.key.as_bytes(),
            message.id.to_string().into_bytes(),
            format!("{}{}", ALREADY_QUEUED, message.key),
        );
        self.queue_guarded_message(batch, message);
    }

    /// Adds `message` to `batch` without the key index, for a batch whose guard on the work
    /// item already makes it happen once: a send or a reminder, whose key is the work's own
    /// count of sends and reminders, which the same batch moves on.
    pub(crate) fn queue_guarded_message(&self, batch: &mut Batch, message: &OutboundMessage) {
        batch.put_record(Tree::Outbox, message.id.to_string().into_bytes(), message);
        batch.put(
            Tree::OutboxQueue,
            queue_key(message.next_attempt_at, message.id),
            Vec::new(),
        );
    }

    /// Queues an email a hook asked for, once per `key`.
    pub(crate) fn queue_plain_email(
        &self,
        key: String,
        work: Option<crate::model::WorkId>,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<()> {
        let now = self.now();
        let firm = self.firm_settings()?;
        let message = OutboundMessage {
            work,
            custom: Some((subject.to_string(), body.to_string())),
            subject: Some(subject.to_string()),
            ..OutboundMessage::queued(
                key,
                MessageKind::HookEmail,
                now,
                crate::model::normalise_email(to)?,
                firm.name,
            )
        };
        let mut batch = Batch::default();
        self.queue_message(&mut batch, &message);
        match self.store.commit(batch) {
            Err(Error::Conflict(m)) if m.starts_with(ALREADY_QUEUED) => Ok(()),
            other => other,
        }
    }

    /// Records how each claimed message's attempt ended, in one batch: sent (its link dropped
    /// from the record), retried later with backoff, failed (on the timeline, raised as
    /// `send-failed`) or dropped.
    pub fn settle_messages(&self, outcomes: Vec<(OutboundMessage, Delivery)>) -> Result<()> {
        let now = self.now();
        let mut batch = Batch::default();
        for (mut message, outcome) in outcomes {
            batch.remove(Tree::OutboxQueue, inflight_key(message.id));
            let outcome_kind = match outcome {
                Delivery::Transient(_) => OutcomeKind::Transient,
                _ => OutcomeKind::Other,
            };
            let event = match outcome {
                Delivery::Sent { subject } => {
                    message.state = MessageState::Sent;
                    message.sent_at = Some(now);
                    message.last_error = None;
                    message.subject = Some(subject.clone());
                    Some(sent_event(&message, &subject))
                }
                Delivery::Transient(reason) if now - message.created_at < GIVE_UP_AFTER => {
                    let wait = FIRST_BACKOFF * 2i32.pow(message.attempts.saturating_sub(1).min(10));
                    message.state = MessageState::Queued;
                    message.next_attempt_at = now + wait.min(MAX_BACKOFF);
                    batch.put(
                        Tree::OutboxQueue,
                        queue_key(message.next_attempt_at, message.id),
                        Vec::new(),
                    );
                    // Said once, at the first failed attempt, so staff see on the work page
                    // and the desk that the client has not got it yet; retries say nothing.
                    let first = message.last_error.is_none();
                    let event = first.then(|| {
                        (
                            EventKind::EmailFailed,
                            format!(
                                "Email to {} not delivered yet: {reason}; Docket keeps trying until {} UTC",
                                message.to,
                                (message.created_at + GIVE_UP_AFTER).format("%-d %b %Y, %H:%M")
                            ),
                        )
                    });
                    message.last_error = Some(reason);
                    event
                }
                Delivery::Transient(reason) | Delivery::Permanent(reason) => {
                    let reason = if matches!(outcome_kind, OutcomeKind::Transient) {
                        format!("gave up after {} attempts: {reason}", message.attempts)
                    } else {
                        reason
                    };
                    message.state = MessageState::Failed;
                    message.last_error = Some(reason.clone());
                    if let Some(work) = message.work {
                        self.queue_event(
                            &mut batch,
                            work,
                            message.group,
                            HookEventKind::SendFailed {
                                reason: reason.clone(),
                            },
                            false,
                        );
                    }
                    Some((
                        EventKind::EmailFailed,
                        format!("Email to {} failed: {reason}", message.to),
                    ))
                }
                Delivery::Dropped(reason) => {
                    message.state = MessageState::Dropped;
                    message.last_error = Some(reason);
                    None
                }
            };
            if message.state != MessageState::Queued {
                // The raw token lives only in the email being delivered.
                message.context.link = redact_link(&message.context.link);
                message.reply_to = message
                    .reply_to
                    .as_deref()
                    .map(|a| self.redact_reply_address(a));
                if let Some((_, body)) = &mut message.custom {
                    *body = crate::docket::staff::membership::redact_invite_links(body);
                }
            }
            if let Some((kind, summary)) = event {
                self.record_email_event(
                    &mut batch,
                    message.work,
                    message.contact,
                    kind,
                    summary,
                    message.id.to_string(),
                );
            }
            batch.put_record(Tree::Outbox, message.id.to_string().into_bytes(), &message);
        }
        self.store.commit(batch)
    }

    /// Puts back in the queue every message that was in flight when Docket stopped (it may have
    /// been delivered: the one window where a message can go twice), and brings every message
    /// waiting for a retry forward to now. Run once at start.
    pub fn recover_in_flight(&self) -> Result<usize> {
        let now = self.now();
        let stuck = self
            .store
            .scan(Tree::OutboxQueue, b"f/", None, usize::MAX, false)?;
        let mut batch = Batch::default();
        for (key, _) in &stuck {
            self.requeue_in_flight(&mut batch, key, now)?;
        }
        self.store.commit(batch)?;
        if !stuck.is_empty() {
            tracing::warn!(
                count = stuck.len(),
                "emails were in flight when Docket stopped; sending them again (each may arrive twice)"
            );
        }
        // A restart is often the fix (a mended password or port): emails waiting for a retry
        // go now rather than at the end of their backoff.
        let mut retry = Batch::default();
        let mut after = None;
        loop {
            let page = self
                .store
                .scan(Tree::OutboxQueue, b"q/", after.as_deref(), 512, false)?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            for (key, _) in &page {
                let (at, id) = parse_queue_key(key)?;
                if at <= now {
                    continue;
                }
                if let Some(mut message) =
                    get_record::<OutboundMessage>(self.store.as_ref(), Tree::Outbox, id.as_bytes())?
                {
                    message.next_attempt_at = now;
                    retry.remove(Tree::OutboxQueue, key.clone());
                    retry.put(Tree::OutboxQueue, queue_key(now, message.id), Vec::new());
                    retry.put_record(Tree::Outbox, id.into_bytes(), &message);
                }
            }
        }
        self.store.commit(retry)?;
        Ok(stuck.len())
    }

    /// Takes the in-flight message at `key` out of flight and queues it again at `now`.
    fn requeue_in_flight(&self, batch: &mut Batch, key: &[u8], now: DateTime<Utc>) -> Result<()> {
        batch.remove(Tree::OutboxQueue, key.to_vec());
        let id = &key[2..];
        if let Some(mut message) =
            get_record::<OutboundMessage>(self.store.as_ref(), Tree::Outbox, id)?
        {
            message.state = MessageState::Queued;
            message.recovered_in_flight += 1;
            message.next_attempt_at = now;
            batch.put(Tree::OutboxQueue, queue_key(now, message.id), Vec::new());
            batch.put_record(Tree::Outbox, id.to_vec(), &message);
        }
        Ok(())
    }

    /// On a store several servers share: queues again every message in flight for longer than
    /// `older_than` (real time), taken to be from a server that stopped mid-send; it may have
    /// been delivered, so it may arrive twice. Each is taken by a batch guarded on its in-flight
    /// mark, so of several servers looking, one requeues it. Returns how many it requeued.
    pub fn recover_stale_in_flight(&self, older_than: std::time::Duration) -> Result<usize> {
        let (now, real_now) = (self.now(), std::time::SystemTime::now());
        let in_flight = self
            .store
            .scan(Tree::OutboxQueue, b"f/", None, usize::MAX, false)?;
        let mut batches = Vec::new();
        for (key, value) in in_flight {
            // A mark without a time (written by an older docket) is as old as can be.
            let since = in_flight_since(&value).unwrap_or(std::time::UNIX_EPOCH);
            if real_now.duration_since(since).unwrap_or_default() < older_than {
                continue;
            }
            let mut batch = Batch::default();
            batch.expect(Tree::OutboxQueue, key.clone(), Some(value));
            self.requeue_in_flight(&mut batch, &key, now)?;
            batches.push(batch);
        }
        let requeued = self
            .store
            .commit_each(batches)
            .into_iter()
            .filter(Result::is_ok)
            .count();
        if requeued > 0 {
            tracing::warn!(
                count = requeued,
                after_secs = older_than.as_secs(),
                "emails were in flight too long (their server stopped mid-send); sending them again (each may arrive twice)"
            );
        }
        Ok(requeued)
    }

    /// How many messages wait in the outbox, and how many are in flight (handed to the relay,
    /// outcome not yet recorded): for `/metrics`. Reads the queue's keys only.
    pub fn outbox_depth(&self) -> Result<(usize, usize)> {
        let queued = self
            .store
            .scan(Tree::OutboxQueue, b"q/", None, usize::MAX, false)?
            .len();
        let in_flight = self
            .store
            .scan(Tree::OutboxQueue, b"f/", None, usize::MAX, false)?
            .len();
        Ok((queued, in_flight))
    }

    /// When the next queued message is due, if any.
    pub fn next_message_due(&self) -> Result<Option<DateTime<Utc>>> {
        let first = self.store.scan(Tree::OutboxQueue, b"q/", None, 1, false)?;
        first
            .first()
            .map(|(k, _)| parse_queue_key(k).map(|(at, _)| at))
            .transpose()
    }

    /// Outbox messages newest first, `limit` at a time after (older than) `after`.
    pub fn outbox(&self, after: Option<ulid::Ulid>, limit: usize) -> Result<Vec<OutboundMessage>> {
        let after = after.map(|a| a.to_string().into_bytes());
        scan_records(
            self.store.as_ref(),
            Tree::Outbox,
            b"",
            after.as_deref(),
            limit,
            true,
        )
    }

    pub fn outbox_message(&self, id: ulid::Ulid) -> Result<OutboundMessage> {
        self.store
            .get(Tree::Outbox, id.to_string().as_bytes())?
            .map(|v| decode(&v))
            .transpose()?
            .ok_or_else(|| Error::not_found("outbox message", id))
    }
}

enum OutcomeKind {
    Transient,
    Other,
}

/// The start of the conflict message of a duplicate idempotency key.
pub(crate) const ALREADY_QUEUED: &str = "already queued: ";

/// The timeline line of a delivered email; a reminder's names the tasks it was about.
fn sent_event(message: &OutboundMessage, subject: &str) -> (EventKind, String) {
    if message.kind == MessageKind::Reminder {
        let titles: Vec<&str> = message
            .context
            .tasks
            .iter()
            .map(|t| t.title.as_str())
            .collect();
        (
            EventKind::ReminderSent,
            format!(
                "Reminder {} of “{}” sent to {}: {}",
                message.context.reminder_number,
                message.context.group_name,
                message.to,
                titles.join(", ")
            ),
        )
    } else {
        (
            EventKind::EmailSent,
            format!("Email sent to {}: {subject}", message.to),
        )
    }
}

/// `https://x/c/TOKEN` → `https://x/c/…`: the record keeps where a link went, not the key.
fn redact_link(link: &str) -> String {
    match link.rsplit_once("/c/") {
        Some((base, _)) => format!("{base}/c/…"),
        None => link.to_string(),
    }
}

/// The key text of an instant, at the keys' precision (`KeyInstant`).
pub(crate) fn instant_key(at: impl Into<KeyInstant>) -> String {
    at.into().key()
}

pub(crate) fn parse_instant_key(text: &[u8]) -> Result<KeyInstant> {
    KeyInstant::parse_key(text)
        .ok_or_else(|| Error::Storage("corrupt instant in an index key".into()))
}

fn queue_key(at: DateTime<Utc>, id: ulid::Ulid) -> Vec<u8> {
    format!("q/{}/{id}", instant_key(at)).into_bytes()
}

pub(super) fn inflight_key(id: ulid::Ulid) -> Vec<u8> {
    format!("f/{id}").into_bytes()
}

/// An in-flight mark's value: when it was claimed, in Unix milliseconds of the real clock.
pub(super) fn in_flight_stamp(at: std::time::SystemTime) -> Vec<u8> {
    let ms = at
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    ms.to_be_bytes().to_vec()
}

/// When an in-flight mark was claimed; `None` for the empty marks of older dockets.
fn in_flight_since(value: &[u8]) -> Option<std::time::SystemTime> {
    let ms = u64::from_be_bytes(value.try_into().ok()?);
    Some(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
}

pub(super) fn parse_queue_key(key: &[u8]) -> Result<(DateTime<Utc>, String)> {
    let corrupt = || Error::Storage("corrupt outbox queue key".into());
    let rest = key.strip_prefix(b"q/").ok_or_else(corrupt)?;
    let (at, id) = rest.split_at_checked(20).ok_or_else(corrupt)?;
    let id =
        std::str::from_utf8(id.strip_prefix(b"/").ok_or_else(corrupt)?).map_err(|_| corrupt())?;
    Ok((parse_instant_key(at)?.get(), id.to_string()))
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "outbox_shared_tests.rs"]
mod shared_tests;
