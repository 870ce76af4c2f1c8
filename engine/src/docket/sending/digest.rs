//! Staff comments reach the client as one email a while after the last of a burst: each staff
//! comment puts the work's pending digest off, and the scheduler sends it when it falls due. A
//! task accepted or sent back makes the digest prompt: due at once, put off by nothing, and it
//! says which task was accepted or sent back (with the reason).

use chrono::{DateTime, Utc};

use crate::docket::Docket;
use crate::docket::sending::scheduler::schedule_key;
use crate::model::{Actor, KeyInstant, PendingDigest, WorkId, WorkStatus};
use crate::store::{Batch, Tree, decode, get_record};
use crate::{Error, Result};

impl Docket {
    /// Puts off the work's comment digest until the digest delay after `now`, the time of a
    /// staff comment (a burst of them becomes one email that starts with the first). A `prompt`
    /// one (a task accepted or sent back) is due at once, and once a digest is prompt nothing
    /// puts it off: a staff reply written meanwhile goes with it, not ten minutes later.
    pub(crate) fn push_digest(
        &self,
        batch: &mut Batch,
        work: WorkId,
        now: DateTime<Utc>,
        prompt: bool,
    ) -> Result<()> {
        let existing: Option<PendingDigest> =
            get_record(self.store.as_ref(), Tree::Digests, &work.key())?;
        if let Some(old) = &existing {
            batch.remove(Tree::Schedule, schedule_key(old.due_at, work, None));
        }
        let wanted: KeyInstant = if prompt {
            now.into()
        } else {
            (now + self.sending.digest_delay).into()
        };
        let held = existing.as_ref().is_some_and(|d| d.prompt);
        let digest = PendingDigest {
            due_at: match &existing {
                Some(old) if held || prompt => old.due_at.min(wanted),
                _ => wanted,
            },
            since: existing.as_ref().map_or(now, |d| d.since),
            prompt: prompt || held,
        };
        batch.put(
            Tree::Schedule,
            schedule_key(digest.due_at, work, None),
            Vec::new(),
        );
        batch.put_record(Tree::Digests, work.key(), &digest);
        Ok(())
    }

    /// Sends the work's staff comments since the digest began to each recipient of a sent group,
    /// for the schedule entry at `at` that the tick found due; false when there was nothing to
    /// send. Only that entry is taken: when the pending digest says another instant (a newer
    /// comment moved it meanwhile), the entry read was stale and the digest's own entry stays.
    pub(crate) fn fire_digest(
        &self,
        id: WorkId,
        at: KeyInstant,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut batch = Batch::default();
        batch.remove(Tree::Schedule, schedule_key(at, id, None));
        let raw = self.store.get(Tree::Digests, &id.key())?;
        let digest = raw.as_deref().map(decode::<PendingDigest>).transpose()?;
        let Some(digest) = digest.filter(|d| d.due_at == at) else {
            self.store.commit(batch)?;
            return Ok(false);
        };
        // A comment written meanwhile moves the digest: this send then gives way, and the next
        // tick finds the moved entry.
        batch.expect(Tree::Digests, id.key(), raw);
        batch.remove(Tree::Digests, id.key());
        let work = match self.work(id) {
            Ok(work) => work,
            Err(Error::NotFound { .. }) => {
                self.store.commit(batch)?;
                return Ok(false);
            }
            Err(e) => return Err(e),
        };
        let mut comments: Vec<_> = self
            .comments(id)?
            .into_iter()
            .filter(|c| c.at >= digest.since && matches!(c.author, Actor::Staff(_) | Actor::Api(_)))
            .collect();
        // Tasks accepted since the digest began reach the client too, each as a line of its own.
        for (g, group) in work.groups.iter().enumerate() {
            for (t, task) in group.tasks.iter().enumerate() {
                for review in task
                    .reviews
                    .iter()
                    .filter(|r| r.accepted && r.at >= digest.since)
                {
                    comments.push(crate::model::Comment {
                        id: crate::model::new_id(review.at),
                        work: id,
                        at: review.at,
                        author: review.by.clone(),
                        body: String::new(),
                        group: Some(g),
                        task: Some(t),
                        review: Some(true),
                    });
                }
            }
        }
        comments.sort_by_key(|c| c.at);
        let mut sent_to = Vec::new();
        if !comments.is_empty() && work.status == WorkStatus::Completed {
            // The portal is locked: nothing reaches the client, and staff are told so.
            self.record_event(
                &mut batch,
                Some(id),
                None,
                Actor::System,
                crate::model::EventKind::CommentAdded,
                format!(
                    "{} staff comment{} not emailed to the client: the work is completed (reopen it and resend the group to reach them)",
                    comments.len(),
                    if comments.len() == 1 { " was" } else { "s were" }
                ),
            );
        }
        if !comments.is_empty() && work.status != WorkStatus::Completed {
            for (g, group) in work.groups.iter().enumerate() {
                if group.sent_at.is_none() {
                    continue;
                }
                let Some(access) = self.access(id, g)? else {
                    continue;
                };
                let contact = self.contact(group.recipient)?;
                let sender = self.sender(group.sent_by)?;
                // Each recipient hears only of the comments about their own group.
                let lines = comments
                    .iter()
                    .filter(|c| self.comment_group(c, &work) == Some(g))
                    .map(|c| self.digest_line(c, group, &contact))
                    .collect::<Result<Vec<_>>>()?;
                if lines.is_empty() {
                    continue;
                }
                sent_to.push(g);
                let tasks = group
                    .tasks
                    .iter()
                    .filter(|t| t.done_at.is_none())
                    .map(|t| self.task_line(t, &contact, now))
                    .collect::<Result<Vec<_>>>()?;
                let link = self.issue_link(
                    &mut batch,
                    &access,
                    crate::model::LinkPurpose::CommentDigest,
                    now,
                )?;
                let key = format!("{id}/digest/{}/{g}", digest.since.timestamp_millis());
                let message = self.group_email(
                    crate::docket::sending::GroupEmail {
                        work: &work,
                        group: g,
                        contact: &contact,
                        sender: &sender,
                        kind: crate::model::MessageKind::CommentDigest,
                        key,
                    },
                    tasks,
                    lines,
                    link,
                )?;
                self.queue_message(&mut batch, &message);
            }
        }
        match self.store.commit(batch) {
            Ok(()) => Ok(!sent_to.is_empty()),
            Err(Error::Conflict(m))
                if m.starts_with(crate::docket::sending::outbox::ALREADY_QUEUED) =>
            {
                Ok(false)
            }
            Err(Error::Conflict(m)) if m == crate::store::CHANGED_CONCURRENTLY => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A comment as the digest shows it: said to be a task's acceptance or send-back (with the
    /// task named in the client's language) when it is one.
    fn digest_line(
        &self,
        comment: &crate::model::Comment,
        group: &crate::model::ClientTaskGroup,
        contact: &crate::model::Contact,
    ) -> Result<crate::model::CommentLine> {
        let mut line = self.comment_line(comment, contact)?;
        let task = comment.task.and_then(|t| group.tasks.get(t));
        if let (Some(accepted), Some(task)) = (comment.review, task) {
            line.about = crate::i18n::translate(
                self.locale_of(contact)?,
                if accepted {
                    "digest-accepted"
                } else {
                    "digest-sent-back"
                },
                &[("task", crate::i18n::Arg::Text(task.title.clone()))],
            )?;
        }
        Ok(line)
    }
}
