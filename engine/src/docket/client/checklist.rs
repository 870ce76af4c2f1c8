//! The checklist a client sees through a `ClientSession` — their group only, their own comments
//! and uploads, staff's documents — and what they may do on it: tick a task off, comment on it,
//! upload to it (while it is open and the work is not completed), download staff's documents.

use chrono::{DateTime, NaiveDate, Utc};

use crate::docket::Docket;
use crate::docket::client::ClientSession;
use crate::docket::client::refusals::Refusal;
use crate::docket::work::exchange::MAX_COMMENT_CHARS;
use crate::model::StoredFile;
use crate::model::{Actor, UploadedFile, WorkId, WorkStatus};
use crate::{Error, Result};

/// The checklist as the client sees it: their group only, their own comments and uploads.
#[derive(Debug, Clone, PartialEq)]
pub struct Checklist {
    pub firm_name: String,
    pub firm_logo_url: Option<String>,
    pub work: WorkId,
    pub work_name: String,
    pub group: usize,
    pub group_name: String,
    pub contact_name: String,
    pub locked: bool,
    pub tasks: Vec<ChecklistTask>,
    /// Comments about the group as a whole, not one task (staff's, mostly).
    pub general: Vec<ChecklistComment>,
    /// The contact's timezone (else the firm's), for showing times.
    pub timezone: chrono_tz::Tz,
    /// The contact's language (else the firm's): the page's and its dates'.
    pub locale: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistTask {
    pub index: usize,
    pub title: String,
    pub description: String,
    pub due_date: NaiveDate,
    pub done: bool,
    pub overdue: bool,
    /// Documents staff attached: files stored in Docket (downloadable through the portal)...
    pub documents: Vec<UploadedFile>,
    /// ...and documents named in the template that live elsewhere.
    pub links: Vec<(String, Option<String>)>,
    /// The client's own uploads (listed, never served back through the portal).
    pub uploads: Vec<UploadedFile>,
    /// What became of each of `uploads`, in the same order.
    pub upload_reviews: Vec<crate::docket::UploadReview>,
    /// Staff's last word on the task, when they have reviewed it since it was last done.
    pub review: Option<crate::docket::UploadReview>,
    pub comments: Vec<ChecklistComment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistComment {
    pub author: String,
    pub at: DateTime<Utc>,
    pub body: String,
    pub by_client: bool,
}

impl Docket {
    /// The checklist a session may see.
    pub fn checklist(&self, session: &ClientSession) -> Result<Checklist> {
        let firm = self.firm_settings()?;
        let work = self.work(session.work)?;
        let g = session.group;
        let group = &work.groups[g];
        let contact = self.contact(session.contact)?;
        let tz = contact.timezone.unwrap_or(firm.timezone);
        let locale = self.locale_of(&contact)?;
        let today = self.now().with_timezone(&tz).date_naive();
        let files = self.files(work.id)?;
        let comments = self.comments(work.id)?;
        let mut tasks: Vec<ChecklistTask> = group
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| ChecklistTask {
                index: i,
                title: t.title.clone(),
                description: t.description.clone(),
                due_date: t.due_date,
                done: t.done_at.is_some(),
                // A completed request asks nothing more: nothing in it is overdue.
                overdue: t.done_at.is_none()
                    && t.due_date < today
                    && work.status != WorkStatus::Completed,
                documents: Vec::new(),
                links: t
                    .documents
                    .iter()
                    .map(|d| (d.name.clone(), d.url.clone()))
                    .collect(),
                uploads: Vec::new(),
                upload_reviews: Vec::new(),
                review: t.review().map(crate::docket::review_state),
                comments: Vec::new(),
            })
            .collect();
        for file in files {
            let Some((fg, ft)) = file.task else { continue };
            if fg != g || ft >= tasks.len() {
                continue;
            }
            match file.uploaded_by {
                Actor::Contact(c) if c == session.contact => {
                    tasks[ft]
                        .upload_reviews
                        .push(crate::docket::upload_review(&group.tasks[ft], &file));
                    tasks[ft].uploads.push(file);
                }
                Actor::Contact(_) => {}
                _ => tasks[ft].documents.push(file),
            }
        }
        let mut general = Vec::new();
        for comment in comments {
            if self.comment_group(&comment, &work) != Some(g) {
                continue;
            }
            let by_client = matches!(comment.author, Actor::Contact(_));
            if !by_client
                && group
                    .recipient_since
                    .is_some_and(|since| comment.at < since)
            {
                continue;
            }
            if let Actor::Contact(c) = comment.author
                && c != session.contact
            {
                continue;
            }
            // The reason of the send-back that stands is shown beside its task already: the
            // comment that carried it to the client's email is not said a second time.
            if comment.review == Some(false)
                && let Some(t) = comment.task.and_then(|t| group.tasks.get(t))
                && t.review()
                    .is_some_and(|r| !r.accepted && r.at == comment.at)
            {
                continue;
            }
            let line = self.comment_line(&comment, &contact)?;
            let shown = ChecklistComment {
                author: line.author,
                at: comment.at,
                body: comment.body,
                by_client,
            };
            match comment.task.filter(|&t| t < tasks.len()) {
                Some(t) => tasks[t].comments.push(shown),
                None => general.push(shown),
            }
        }
        Ok(Checklist {
            firm_name: firm.name,
            firm_logo_url: firm.logo_url,
            work: work.id,
            work_name: work.external_name.clone(),
            group: g,
            group_name: group.name.clone(),
            contact_name: contact.name,
            locked: session.locked,
            tasks,
            general,
            timezone: tz,
            locale,
        })
    }

    /// The client chooses the language of their portal pages and of the emails they get next:
    /// kept on their contact, as if staff had set it. Allowed on a completed request too.
    pub fn client_set_locale(&self, session: &ClientSession, locale: &str) -> Result<()> {
        if crate::i18n::check_language(locale).is_err() {
            let refusal = Refusal::new("refusal-language").text("language", locale.trim());
            return Err(Error::invalid_field(
                "locale",
                self.to_client(session, &refusal)?,
            ));
        }
        self.contact_chooses_locale(session.contact, locale)
    }

    /// Contact `contact` chose `locale` in the portal (a checklist's, a link's landing page's or
    /// their account's footer): kept on the contact, credited to them.
    pub(crate) fn contact_chooses_locale(
        &self,
        contact: crate::model::ContactId,
        locale: &str,
    ) -> Result<()> {
        let code = crate::i18n::check("locale", locale)?;
        self.update_contact(
            contact,
            crate::model::ContactUpdate {
                locale: Some(code.to_string()),
                ..Default::default()
            },
            Actor::Contact(contact),
        )?;
        Ok(())
    }

    /// The client ticks a task off. A done task stays done (staff can reopen it).
    pub fn client_complete_task(&self, session: &ClientSession, task: usize) -> Result<()> {
        self.client_can_write(session, task)?;
        self.set_task_done(
            session.work,
            session.group,
            task,
            true,
            Actor::Contact(session.contact),
        )?;
        Ok(())
    }

    /// The client comments on one of their open tasks.
    pub fn client_comment(&self, session: &ClientSession, task: usize, body: &str) -> Result<()> {
        self.client_can_write(session, task)?;
        let length = body.trim().chars().count();
        let refusal = if length == 0 {
            Some(Refusal::new("refusal-comment-empty"))
        } else if length > MAX_COMMENT_CHARS {
            Some(Refusal::new("refusal-comment-too-long").number("most", MAX_COMMENT_CHARS))
        } else {
            None
        };
        if let Some(refusal) = refusal {
            return Err(Error::invalid_field(
                "body",
                self.to_client(session, &refusal)?,
            ));
        }
        self.add_comment_on(
            session.work,
            Some((session.group, Some(task))),
            body,
            Actor::Contact(session.contact),
        )?;
        Ok(())
    }

    /// The client's file, already in the file store, attached to one of their open tasks.
    pub fn client_upload(
        &self,
        session: &ClientSession,
        task: usize,
        name: &str,
        content_type: &str,
        stored: StoredFile,
    ) -> Result<UploadedFile> {
        self.client_can_write(session, task)?;
        if stored.size == 0 {
            let refusal = Refusal::new("upload-empty");
            return Err(Error::invalid(self.to_client(session, &refusal)?));
        }
        if stored.size > self.max_upload {
            let refusal = Refusal::new("upload-too-large").size("size", self.max_upload);
            return Err(Error::TooLarge(self.to_client(session, &refusal)?));
        }
        let mut batch = crate::store::Batch::default();
        self.client_upload_check(&mut batch, session, stored.size)?;
        self.attach_in(
            batch,
            session.work,
            crate::docket::work::exchange::UploadDetails {
                name: name.to_string(),
                content_type: content_type.to_string(),
                task: Some((session.group, task)),
            },
            stored,
            Actor::Contact(session.contact),
        )
    }

    /// A document staff attached to a task of the session's group, for the client to download.
    pub fn client_document(
        &self,
        session: &ClientSession,
        file: &str,
    ) -> Result<(UploadedFile, crate::store::FileReader)> {
        let (record, reader) = self.download(session.work, file)?;
        let theirs = matches!(record.task, Some((g, _)) if g == session.group)
            && !matches!(record.uploaded_by, Actor::Contact(_));
        if !theirs {
            return Err(Error::not_found("document", file));
        }
        Ok((record, reader))
    }

    /// Refuses, in the client's language, a write to a completed request or to a task that is
    /// done or not there.
    fn client_can_write(&self, session: &ClientSession, task: usize) -> Result<()> {
        let work = self.work(session.work)?;
        if work.status == WorkStatus::Completed {
            let refusal = Refusal::new("refusal-completed");
            return Err(Error::Forbidden(self.to_client(session, &refusal)?));
        }
        let Some(t) = work.groups[session.group].tasks.get(task) else {
            let refusal = Refusal::new("refusal-no-task").number("number", task + 1);
            return Err(Error::invalid(self.to_client(session, &refusal)?));
        };
        if t.done_at.is_some() {
            let refusal = Refusal::new("refusal-task-done")
                .text("title", t.title.clone())
                .text("firm", self.firm_settings()?.name);
            return Err(Error::Forbidden(self.to_client(session, &refusal)?));
        }
        Ok(())
    }
}
