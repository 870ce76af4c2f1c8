//! Staff reviewing what a client sent for a task: accepted (the task is done), or sent back with
//! a reason — the task reopens for the client, its reminder count restarts, and the reason
//! reaches them as a comment on the task (in the comment digest email; the checklist shows it
//! once, beside the task). The same decision twice while the client has not answered is refused
//! (`standing_decision`). The timeline says who did which. `upload_review` tells a task's uploads what became of them.
//! Only what the client sent is reviewed: a task they ticked or uploaded to (`client_sent`);
//! any other is refused as a conflict naming the task. Either way the client hears at once, in
//! a prompt comment digest.

use chrono::{DateTime, Utc};

use crate::docket::Docket;
use crate::docket::work::exchange::{MAX_COMMENT_CHARS, child_key};
use crate::model::{
    Actor, ClientTask, Comment, EventKind, Review, TaskReview, UploadedFile, WorkId, WorkItem,
    WorkStatus, new_id,
};
use crate::plugin::HookEventKind;
use crate::store::Tree;
use crate::{Error, Result};

/// What became of a client's upload: waiting for staff, accepted with its task, or sent back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "snake_case")]
pub enum UploadReview {
    Waiting,
    Accepted,
    SentBack(String),
}

/// The review an upload to `task` stands under: the first review after it came (a file sent
/// after the task was sent back waits for a new look).
pub fn upload_review(task: &ClientTask, file: &UploadedFile) -> UploadReview {
    match task.reviews.iter().find(|r| r.at >= file.at) {
        Some(review) => review_state(review),
        None => UploadReview::Waiting,
    }
}

/// Staff's decision on `task` when it still waits on the client — accepted, or sent back with
/// nothing sent by the client since (`last_upload`: their latest upload to the task). Deciding
/// the same again is refused, and the work page shows the decision instead of asking again.
pub fn standing_decision(
    task: &ClientTask,
    last_upload: Option<DateTime<Utc>>,
) -> Option<&TaskReview> {
    task.review()
        .filter(|r| last_upload.is_none_or(|upload| upload <= r.at))
}

/// What a review says: accepted, or sent back and why.
pub fn review_state(review: &TaskReview) -> UploadReview {
    match &review.reason {
        None if review.accepted => UploadReview::Accepted,
        reason => UploadReview::SentBack(reason.clone().unwrap_or_default()),
    }
}

impl Docket {
    /// Whether the client uploaded a file to task `task` of group `group`.
    pub fn client_uploads(&self, id: WorkId, group: usize, task: usize) -> Result<bool> {
        Ok(self.last_client_upload(id, group, task)?.is_some())
    }

    /// When the client last uploaded a file to task `task` of group `group`.
    fn last_client_upload(
        &self,
        id: WorkId,
        group: usize,
        task: usize,
    ) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .files(id)?
            .iter()
            .filter(|f| f.task == Some((group, task)) && matches!(f.uploaded_by, Actor::Contact(_)))
            .map(|f| f.at)
            .max())
    }

    /// Accepts what the client sent for task `task` of group `group` (marking it done if it is
    /// not), or sends it back to them with `review.reason`: it reopens, its reminders count
    /// from nought again, and the reason reaches the client as a comment on the task.
    pub fn review_task(
        &self,
        id: WorkId,
        group: usize,
        task: usize,
        review: Review,
        actor: Actor,
    ) -> Result<WorkItem> {
        let reason = review
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        if !review.accept {
            match &reason {
                None => {
                    return Err(Error::invalid_field(
                        "reason",
                        "say why the task goes back to the client: they read it on their checklist and by email",
                    ));
                }
                Some(r) if r.chars().count() > MAX_COMMENT_CHARS => {
                    return Err(Error::invalid_field(
                        "reason",
                        format!("a reason may be at most {MAX_COMMENT_CHARS} characters"),
                    ));
                }
                Some(_) => {}
            }
        } else if reason.is_some() {
            return Err(Error::invalid_field(
                "reason",
                "a reason is for sending a task back; leave it out to accept, or post a comment",
            ));
        }
        let now = self.now();
        let last_upload = self.last_client_upload(id, group, task)?;
        let uploaded = last_upload.is_some();
        self.update_work(id, actor.clone(), |work, batch| {
            if work.status == WorkStatus::Completed {
                return Err(Error::invalid(
                    "the work is completed; reopen it to review its tasks",
                ));
            }
            let work_id = work.id;
            let g = work
                .groups
                .get_mut(group)
                .ok_or_else(|| Error::invalid(format!("work item has no group {group}")))?;
            let sent = g.sent_at.is_some();
            let group_name = g.name.clone();
            let t = g.tasks.get_mut(task).ok_or_else(|| {
                Error::invalid(format!("work item has no task {task} in group {group}"))
            })?;
            let title = t.title.clone();
            if !t.reviewable(uploaded) {
                let unsent = if sent {
                    String::new()
                } else {
                    format!("; “{group_name}” has not been sent to them yet")
                };
                return Err(Error::Conflict(format!(
                    "the client has sent nothing for “{title}” (not ticked, nothing uploaded), so there is nothing of theirs to accept or send back{unsent}"
                )));
            }
            match standing_decision(t, last_upload) {
                Some(r) if r.accepted && review.accept => {
                    return Err(Error::Conflict(format!(
                        "“{title}” is already accepted"
                    )));
                }
                Some(r) if !r.accepted && !review.accept => {
                    return Err(Error::Conflict(format!(
                        "“{title}” is already sent back; the client has not answered yet"
                    )));
                }
                _ => {}
            }
            let summary = if review.accept {
                if t.done_at.is_none() {
                    t.done_at = Some(now);
                    t.done_by = Some(actor.clone());
                    self.queue_event(
                        batch,
                        work_id,
                        Some(group),
                        HookEventKind::TaskCompleted {
                            title: title.clone(),
                        },
                        false,
                    );
                    if g.all_done() {
                        self.queue_event(
                            batch,
                            work_id,
                            Some(group),
                            HookEventKind::AllTasksCompleted,
                            false,
                        );
                    }
                }
                g.tasks[task].reviews.push(TaskReview {
                    accepted: true,
                    reason: None,
                    by: actor.clone(),
                    at: now,
                });
                if sent {
                    self.push_digest(batch, work_id, now, true)?;
                }
                format!("Task “{title}” accepted")
            } else {
                if !sent {
                    return Err(Error::invalid(format!(
                        "“{}” has not been sent to the client yet, so there is nothing of theirs to send back; send it first",
                        g.name
                    )));
                }
                let reason = reason.clone().unwrap_or_default();
                t.done_at = None;
                t.done_by = None;
                t.reminders_sent = 0;
                t.reviews.push(TaskReview {
                    accepted: false,
                    reason: Some(reason.clone()),
                    by: actor.clone(),
                    at: now,
                });
                // The reason is the firm's comment on the task: on the checklist and in the
                // comment digest email at once.
                let comment = Comment {
                    id: new_id(now),
                    work: work_id,
                    at: now,
                    author: actor.clone(),
                    body: reason.clone(),
                    group: Some(group),
                    task: Some(task),
                    review: Some(false),
                };
                batch.put_record(Tree::Comments, child_key(work_id, comment.id), &comment);
                self.push_digest(batch, work_id, now, true)?;
                format!("Task “{title}” sent back to the client: {reason}")
            };
            let summary = match self.follow_client_part(work) {
                Some(status) => format!("{summary}; the work is now “{}”", status.label()),
                None => summary,
            };
            Ok(Some((EventKind::TaskReviewed, summary)))
        })
    }
}

#[cfg(test)]
#[path = "review_tests.rs"]
mod tests;
