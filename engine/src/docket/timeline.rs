//! Writing and reading the append-only timelines of work items and contacts, and the `activity`
//! index written with them: each event a client causes on a work item (a tick, a reopened
//! task, a comment, an upload; also kept per work item in `work_client_activity`) and each
//! email about work that failed, in time order.

use super::Docket;
use crate::Result;
use crate::model::{Actor, ContactId, EventId, EventKind, KeyInstant, TimelineEvent, WorkId};
use crate::store::{Batch, Tree, scan_records};

impl Docket {
    /// Adds an event to `batch`, on the work's timeline and on the contact's, as given.
    pub(crate) fn record_event(
        &self,
        batch: &mut Batch,
        work: Option<WorkId>,
        contact: Option<ContactId>,
        actor: Actor,
        kind: EventKind,
        summary: String,
    ) {
        let event = self.new_event(work, contact, actor, kind, summary);
        self.put_event(batch, &event);
    }

    /// Puts `event` on the timelines it belongs to, with its activity index entries.
    fn put_event(&self, batch: &mut Batch, event: &TimelineEvent) {
        let (work, contact) = (event.work, event.contact);
        if let Some(work) = work {
            batch.put_record(Tree::Timeline, work_key(work, Some(event.id)), event);
            for (tree, key, value) in activity_entries(event) {
                batch.put(tree, key, value);
            }
        }
        if let Some(contact) = contact {
            batch.put_record(Tree::Timeline, contact_key(contact, Some(event.id)), event);
        }
    }

    /// Adds an event about `work` to the contact's timeline only (the work's own timeline has
    /// its version of it), still naming the work so a reader can follow it there.
    pub(crate) fn record_contact_event(
        &self,
        batch: &mut Batch,
        contact: ContactId,
        work: WorkId,
        actor: Actor,
        kind: EventKind,
        summary: String,
    ) {
        let event = self.new_event(Some(work), Some(contact), actor, kind, summary);
        batch.put_record(Tree::Timeline, contact_key(contact, Some(event.id)), &event);
    }

    fn new_event(
        &self,
        work: Option<WorkId>,
        contact: Option<ContactId>,
        actor: Actor,
        kind: EventKind,
        summary: String,
    ) -> TimelineEvent {
        let at = self.now();
        TimelineEvent {
            id: EventId::new(at),
            at,
            work,
            contact,
            actor,
            kind,
            summary,
            email: None,
        }
    }

    /// Adds an event about an email (the outbox message `email`) to `batch`, on the work's
    /// timeline and the contact's, as `record_event` does.
    pub(crate) fn record_email_event(
        &self,
        batch: &mut Batch,
        work: Option<WorkId>,
        contact: Option<ContactId>,
        kind: EventKind,
        summary: String,
        email: String,
    ) {
        let mut event = self.new_event(work, contact, Actor::System, kind, summary);
        event.email = Some(email);
        self.put_event(batch, &event);
    }

    /// The work item's latest `limit` events, newest first.
    pub fn work_timeline(&self, work: WorkId, limit: usize) -> Result<Vec<TimelineEvent>> {
        self.read_timeline(&work_key(work, None), limit)
    }

    /// The contact's latest `limit` events, newest first.
    pub fn contact_timeline(&self, contact: ContactId, limit: usize) -> Result<Vec<TimelineEvent>> {
        self.read_timeline(&contact_key(contact, None), limit)
    }

    fn read_timeline(&self, prefix: &[u8], limit: usize) -> Result<Vec<TimelineEvent>> {
        scan_records(
            self.store.as_ref(),
            Tree::Timeline,
            prefix,
            None,
            limit,
            true,
        )
    }
}

/// Whether an event is something a client did on their work that staff want to hear of.
pub fn is_client_activity(event: &TimelineEvent) -> bool {
    matches!(event.actor, Actor::Contact(_))
        && matches!(
            event.kind,
            EventKind::TaskCompleted
                | EventKind::TaskReopened
                | EventKind::CommentAdded
                | EventKind::FileUploaded
        )
}

/// The `activity` index entries of a work item's event: a client's doing, or an email that
/// failed (none for anything else).
pub(crate) fn activity_entries(event: &TimelineEvent) -> Vec<(Tree, Vec<u8>, Vec<u8>)> {
    let Some(work) = event.work else {
        return Vec::new();
    };
    let at = KeyInstant::new(event.at).key();
    if event.kind == EventKind::EmailFailed {
        return vec![(
            Tree::Activity,
            format!("{FAILED_EMAILS}{at}/{work}/{}", event.id).into_bytes(),
            Vec::new(),
        )];
    }
    if !is_client_activity(event) {
        return Vec::new();
    }
    vec![
        (
            Tree::Activity,
            format!("{CLIENT_ACTIVITY}{at}/{work}/{}", event.id).into_bytes(),
            Vec::new(),
        ),
        (Tree::WorkClientActivity, work.key(), at.into_bytes()),
    ]
}

/// The prefix of what clients did in the `activity` index.
pub const CLIENT_ACTIVITY: &str = "c/";
/// The prefix of failed emails in the `activity` index.
pub const FAILED_EMAILS: &str = "f/";

fn work_key(work: WorkId, event: Option<EventId>) -> Vec<u8> {
    let mut key = format!("w/{work}/").into_bytes();
    if let Some(event) = event {
        key.extend(event.key());
    }
    key
}

fn contact_key(contact: ContactId, event: Option<EventId>) -> Vec<u8> {
    let mut key = format!("c/{contact}/").into_bytes();
    if let Some(event) = event {
        key.extend(event.key());
    }
    key
}
