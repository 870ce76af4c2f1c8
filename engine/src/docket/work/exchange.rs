//! Comments and uploaded files on a work item, each recorded on the work's timeline in the same
//! batch.

use crate::docket::Docket;
use crate::model::StoredFile;
use crate::model::{
    Actor, Comment, CommentLine, Contact, EventKind, UploadedFile, WorkId, new_id,
    sanitise_file_name,
};
use crate::plugin::HookEventKind;
use crate::store::{Batch, FileReader, FileWriter, Tree, decode, scan_records};
use crate::{Error, Result};

/// Longest comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 10_000;
/// Largest file accepted by default, in bytes (50 MiB; `server.max_upload_mib`).
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// A file to attach to a work item.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// The client task it answers, by group and task position.
    pub task: Option<(usize, usize)>,
}

/// What is said of a file besides its bytes, for `attach_file`.
#[derive(Debug, Clone)]
pub struct UploadDetails {
    pub name: String,
    pub content_type: String,
    /// The client task it answers, by group and task position.
    pub task: Option<(usize, usize)>,
}

/// How a staff comment reaches the client, said when it is posted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum CommentReach {
    /// In the comment digest email, at `at` unless another comment puts it off.
    Email { at: chrono::DateTime<chrono::Utc> },
    /// Not emailed: the group is not sent yet. Its recipient reads it on the checklist once it is.
    ChecklistOnceSent,
    /// Not emailed: the work is completed and its portal locked; reopen it and resend the
    /// group to reach the client.
    NotEmailedCompleted,
    /// Staff only: about no one group of a work item with several.
    StaffOnly,
    /// Written by the client: nothing to send.
    FromClient,
}

/// A comment as just posted, with how it reaches the client.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct PostedComment {
    #[serde(flatten)]
    pub comment: Comment,
    pub reaches_client: CommentReach,
}

impl Docket {
    /// Posts a comment (see [`Docket::add_comment_on`]) and says how it reaches the client, so
    /// staff are never told it is emailed when it is not.
    pub fn post_comment(
        &self,
        work: WorkId,
        about: Option<(usize, Option<usize>)>,
        body: &str,
        author: Actor,
    ) -> Result<PostedComment> {
        let comment = self.add_comment_on(work, about, body, author)?;
        let item = self.work(work)?;
        let reaches_client = if matches!(comment.author, Actor::Contact(_)) {
            CommentReach::FromClient
        } else if item.status == crate::model::WorkStatus::Completed {
            CommentReach::NotEmailedCompleted
        } else {
            match self.comment_group(&comment, &item) {
                None => CommentReach::StaffOnly,
                Some(g) if item.groups[g].sent_at.is_none() => CommentReach::ChecklistOnceSent,
                Some(_) => {
                    let digest: Option<crate::model::PendingDigest> =
                        crate::store::get_record(self.store.as_ref(), Tree::Digests, &work.key())?;
                    match digest {
                        Some(d) => CommentReach::Email { at: d.due_at.get() },
                        None => CommentReach::ChecklistOnceSent,
                    }
                }
            }
        };
        Ok(PostedComment {
            comment,
            reaches_client,
        })
    }

    /// A comment on the work item as a whole: staff-only unless the work has one group.
    pub fn add_comment(&self, work: WorkId, body: &str, author: Actor) -> Result<Comment> {
        self.add_comment_on(work, None, body, author)
    }

    /// A comment about group `about.0` (and its task `about.1`), seen in the portal by that
    /// group's recipient only.
    pub fn add_comment_on(
        &self,
        work: WorkId,
        about: Option<(usize, Option<usize>)>,
        body: &str,
        author: Actor,
    ) -> Result<Comment> {
        let item = self.work(work)?;
        let mut batch = Batch::default();
        let comment = self.comment_into(&mut batch, &item, about, body, author.clone())?;
        if matches!(author, Actor::Staff(_) | Actor::Api(_)) {
            // Staff comments reach the client in one email after a quiet spell.
            self.push_digest(&mut batch, work, comment.at, false)?;
        }
        self.store.commit(batch)?;
        Ok(comment)
    }

    /// A comment's record, hook event and timeline event put in `batch` (checked: `body` is
    /// trimmed and within `MAX_COMMENT_CHARS`, `about` names a group and task of `item`).
    /// Sends nothing to the client.
    pub(crate) fn comment_into(
        &self,
        batch: &mut Batch,
        item: &crate::model::WorkItem,
        about: Option<(usize, Option<usize>)>,
        body: &str,
        author: Actor,
    ) -> Result<Comment> {
        let body = body.trim();
        if body.is_empty() {
            return Err(Error::invalid_field("body", "a comment needs some text"));
        }
        if body.chars().count() > MAX_COMMENT_CHARS {
            return Err(Error::invalid_field(
                "body",
                format!("a comment may be at most {MAX_COMMENT_CHARS} characters; split it in two"),
            ));
        }
        let work = item.id;
        if let Some((g, task)) = about {
            let group = item
                .groups
                .get(g)
                .ok_or_else(|| Error::invalid(format!("work item has no group {g}")))?;
            if let Some(t) = task
                && t >= group.tasks.len()
            {
                return Err(Error::invalid(format!(
                    "work item has no task {t} in group {g}"
                )));
            }
        }
        let now = self.now();
        let comment = Comment {
            id: new_id(now),
            work,
            at: now,
            author: author.clone(),
            body: body.to_string(),
            group: about.map(|(g, _)| g),
            task: about.and_then(|(_, t)| t),
            review: None,
        };
        batch.put_record(Tree::Comments, child_key(work, comment.id), &comment);
        self.queue_event(
            batch,
            work,
            self.comment_group(&comment, item),
            HookEventKind::CommentAdded {
                text: comment.body.clone(),
            },
            matches!(author, Actor::Contact(_)),
        );
        let preview: String = body.chars().take(80).collect();
        self.record_event(
            batch,
            Some(work),
            None,
            author,
            EventKind::CommentAdded,
            format!("Comment: {preview}"),
        );
        Ok(comment)
    }

    /// Which group's recipient may see `comment`: its own group; for an older comment with
    /// none, the one group of a work item that has only one, or the one group whose recipient
    /// wrote it. Otherwise none: staff only.
    pub fn comment_group(&self, comment: &Comment, work: &crate::model::WorkItem) -> Option<usize> {
        if comment.group.is_some() {
            return comment.group;
        }
        if work.groups.len() == 1 {
            return Some(0);
        }
        let Actor::Contact(author) = comment.author else {
            return None;
        };
        let mut theirs = work
            .groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.recipient == author);
        match (theirs.next(), theirs.next()) {
            (Some((g, _)), None) => Some(g),
            _ => None,
        }
    }

    /// A comment as an email shows it to `contact`, in their zone.
    pub(crate) fn comment_line(&self, comment: &Comment, contact: &Contact) -> Result<CommentLine> {
        let tz = match contact.timezone {
            Some(tz) => tz,
            None => self.firm_settings()?.timezone,
        };
        let author = match &comment.author {
            Actor::Staff(id) => self
                .user(*id)
                .map(|u| u.name)
                .unwrap_or_else(|_| self.firm_settings().map(|f| f.name).unwrap_or_default()),
            Actor::Contact(_) => contact.name.clone(),
            _ => self.firm_settings()?.name,
        };
        Ok(CommentLine {
            author,
            at_text: crate::i18n::date_time(
                self.locale_of(contact)?,
                &comment.at.with_timezone(&tz),
            ),
            body: comment.body.clone(),
            about: String::new(),
        })
    }

    /// A work item's comments, oldest first.
    pub fn comments(&self, work: WorkId) -> Result<Vec<Comment>> {
        scan_records(
            self.store.as_ref(),
            Tree::Comments,
            &child_prefix(work),
            None,
            usize::MAX,
            false,
        )
    }

    /// Attaches a file whose bytes are in memory: writes them to the file store, then the
    /// record. Large uploads should stream through `upload_writer` and `attach_file` instead.
    pub fn add_file(
        &self,
        work: WorkId,
        upload: NewUpload,
        uploaded_by: Actor,
    ) -> Result<UploadedFile> {
        if upload.bytes.is_empty() {
            return Err(Error::invalid("the file is empty"));
        }
        if upload.bytes.len() as u64 > self.max_upload {
            return Err(too_large(upload.bytes.len() as u64, self.max_upload));
        }
        // Checked before the bytes are stored, so a refused upload leaves no file behind.
        self.check_upload_target(work, upload.task)?;
        let stored = self
            .store
            .files()
            .write(&mut upload.bytes.as_slice(), self.max_upload)?;
        let details = UploadDetails {
            name: upload.name,
            content_type: upload.content_type,
            task: upload.task,
        };
        self.attach_file(work, details, stored, uploaded_by)
    }

    /// A writer for an upload's bytes, capped at the firm's upload cap: write the body into it
    /// chunk by chunk, `finish` it, and pass what it returns to `attach_file`. Bytes never
    /// attached are collected after an hour.
    pub fn upload_writer(&self) -> Result<FileWriter> {
        self.store.files().writer(self.max_upload)
    }

    /// Records a file already in the file store (from `upload_writer`) on a work item, with its
    /// index entry, hook event and timeline event, in one batch.
    pub fn attach_file(
        &self,
        work: WorkId,
        details: UploadDetails,
        stored: StoredFile,
        uploaded_by: Actor,
    ) -> Result<UploadedFile> {
        self.attach_in(Batch::default(), work, details, stored, uploaded_by)
    }

    /// `attach_file`, its changes added to `batch` (which may hold what the upload counted).
    pub(crate) fn attach_in(
        &self,
        mut batch: Batch,
        work: WorkId,
        details: UploadDetails,
        stored: StoredFile,
        uploaded_by: Actor,
    ) -> Result<UploadedFile> {
        let file = self.attach_into(&mut batch, work, details, stored, uploaded_by)?;
        self.store.commit(batch)?;
        Ok(file)
    }

    /// `attach_file`'s changes put in `batch`, not committed.
    pub(crate) fn attach_into(
        &self,
        batch: &mut Batch,
        work: WorkId,
        details: UploadDetails,
        stored: StoredFile,
        uploaded_by: Actor,
    ) -> Result<UploadedFile> {
        self.check_stored(&stored)?;
        self.check_upload_target(work, details.task)?;
        let now = self.now();
        let name = sanitise_file_name(&details.name);
        let file = UploadedFile {
            id: new_id(now),
            work,
            at: now,
            uploaded_by: uploaded_by.clone(),
            type_mismatch: crate::filetype::mismatch(&name, &details.content_type),
            name,
            content_type: details.content_type,
            content: stored,
            task: details.task,
        };
        self.queue_event(
            batch,
            work,
            file.task.map(|(g, _)| g),
            HookEventKind::UploadReceived {
                file_name: file.name.clone(),
            },
            matches!(uploaded_by, Actor::Contact(_)),
        );
        batch.put_record(Tree::Files, child_key(work, file.id), &file);
        batch.put(Tree::FileRefs, file.ref_key(), Vec::new());
        self.record_event(
            batch,
            Some(work),
            None,
            uploaded_by,
            EventKind::FileUploaded,
            match &file.type_mismatch {
                None => format!("File uploaded: {} ({} bytes)", file.name, file.content.size),
                Some(m) => format!(
                    "File uploaded: {} ({} bytes); its content is {}, not what its name says ({}): check it before opening it",
                    file.name, file.content.size, m.content_is, m.name_says
                ),
            },
        );
        Ok(file)
    }

    /// Refuses an upload that is empty, over the cap, or whose bytes are not in the file store.
    pub(crate) fn check_stored(&self, stored: &StoredFile) -> Result<()> {
        if stored.size == 0 {
            return Err(Error::invalid("the file is empty"));
        }
        if stored.size > self.max_upload {
            return Err(too_large(stored.size, self.max_upload));
        }
        if self.store.files().size(&stored.sha256)? != Some(stored.size) {
            return Err(Error::Storage(format!(
                "the bytes of upload {} are not in the file store",
                stored.sha256
            )));
        }
        Ok(())
    }

    fn check_upload_target(&self, work: WorkId, task: Option<(usize, usize)>) -> Result<()> {
        let item = self.work(work)?;
        if let Some((group, task)) = task
            && item
                .groups
                .get(group)
                .and_then(|g| g.tasks.get(task))
                .is_none()
        {
            return Err(Error::invalid(format!(
                "work item has no task {task} in group {group}"
            )));
        }
        Ok(())
    }

    /// A work item's files, oldest first.
    pub fn files(&self, work: WorkId) -> Result<Vec<UploadedFile>> {
        scan_records(
            self.store.as_ref(),
            Tree::Files,
            &child_prefix(work),
            None,
            usize::MAX,
            false,
        )
    }

    /// One file of a work item and a reader of its bytes, for staff to download.
    pub fn download(&self, work: WorkId, file: &str) -> Result<(UploadedFile, FileReader)> {
        let id = ulid::Ulid::from_string(file)
            .map_err(|_| Error::invalid(format!("`{file}` is not a file id")))?;
        let record: UploadedFile = self
            .store
            .get(Tree::Files, &child_key(work, id))?
            .map(|v| decode(&v))
            .transpose()?
            .ok_or_else(|| Error::not_found("file", file))?;
        let bytes = self.file_reader(&record)?;
        Ok((record, bytes))
    }

    /// A reader of an uploaded file's bytes; refused when the stored copy is missing or not the
    /// size its record says (damaged on disk), rather than sending a cut-short download.
    pub fn file_reader(&self, file: &UploadedFile) -> Result<FileReader> {
        let files = self.store.files();
        let missing = || {
            Error::Gone(format!(
                "the bytes of file `{}` are missing from the data folder (lost, or left out of a restore because they were damaged); run `docket check`, and upload the same file again to restore them",
                file.name
            ))
        };
        match files.size(&file.content.sha256)? {
            Some(size) if size == file.content.size => {}
            Some(_) => {
                return Err(Error::Gone(format!(
                    "the bytes of file `{}` are damaged on disk; run `docket check`, and upload the same file again to repair them",
                    file.name
                )));
            }
            None => return Err(missing()),
        }
        files.read(&file.content.sha256)?.ok_or_else(missing)
    }
}

fn too_large(size: u64, cap: u64) -> Error {
    Error::TooLarge(format!(
        "the file is {}; files may be at most {}",
        crate::text::size(size),
        crate::text::size(cap)
    ))
}

fn child_prefix(work: WorkId) -> Vec<u8> {
    format!("{work}/").into_bytes()
}

pub(crate) fn child_key(work: WorkId, child: ulid::Ulid) -> Vec<u8> {
    format!("{work}/{child}").into_bytes()
}

#[cfg(test)]
#[path = "exchange_tests.rs"]
mod tests;
