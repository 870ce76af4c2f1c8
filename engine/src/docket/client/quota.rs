//! What a client may upload, and how fast: at most `server.work_upload_files` files and
//! `server.work_upload_mib` MiB from clients on one work item, and at most
//! `server.uploads_per_device_per_hour` files an hour from one device (or signed-in account).
//! The portal asks before it reads a byte of the file (`client_upload_allowed`); recording the
//! upload asks again and counts it in the same batch. A refusal is a plain sentence for the
//! client (`TooLarge` → 413, `TooFast` → 429), noted on the work's timeline at most once an hour.

use chrono::Duration;

use crate::docket::Docket;
use crate::docket::client::ClientSession;
use crate::model::{Actor, EventKind, WorkId};
use crate::store::Batch;
use crate::text::size;
use crate::{Error, Result};

impl Docket {
    /// Whether the client of `session` may upload a file of `bytes` bytes (0 when its size is
    /// not known yet) now. Counts nothing.
    pub fn client_upload_allowed(&self, session: &ClientSession, bytes: u64) -> Result<()> {
        self.check_client_upload(&mut Batch::default(), session, bytes)
    }

    /// Checks the work item's quota and the device's rate for one more upload of `bytes`, and
    /// counts it in `batch`; a refusal is noted on the timeline (at most once an hour).
    pub(crate) fn check_client_upload(
        &self,
        batch: &mut Batch,
        session: &ClientSession,
        bytes: u64,
    ) -> Result<()> {
        let Some(refused) = self.upload_refusal(batch, session, bytes)? else {
            return Ok(());
        };
        self.note_upload_refusal(session, &refused)?;
        Err(refused)
    }

    fn upload_refusal(
        &self,
        batch: &mut Batch,
        session: &ClientSession,
        bytes: u64,
    ) -> Result<Option<Error>> {
        let quota = self.upload_quota();
        let (count, used) = self.client_upload_totals(session.work)?;
        let firm = self.firm_settings()?.name;
        if count >= quota.files_per_work {
            return Ok(Some(Error::TooLarge(format!(
                "This request already has {count} files from you, the most it takes. Nothing more was uploaded; if you need to send more, reply to the last email from {firm}."
            ))));
        }
        if used.saturating_add(bytes) > quota.bytes_per_work {
            let room = quota.bytes_per_work.saturating_sub(used);
            return Ok(Some(Error::TooLarge(format!(
                "This request takes at most {} of files and has room for {} more{}. Nothing was uploaded; if you need to send more, reply to the last email from {firm}.",
                size(quota.bytes_per_work),
                size(room),
                if bytes > 0 {
                    format!(", and this file is {}", size(bytes))
                } else {
                    String::new()
                }
            ))));
        }
        let key = format!("upload/{}", session.holder);
        if !self.throttle(batch, &key, quota.per_device_per_hour, Duration::hours(1))? {
            return Ok(Some(Error::TooFast(format!(
                "You have uploaded {} files in the last hour, the most we take from one device. Nothing was uploaded; please try again in a little while.",
                quota.per_device_per_hour
            ))));
        }
        Ok(None)
    }

    /// How many files clients uploaded to `work`, and their bytes.
    fn client_upload_totals(&self, work: WorkId) -> Result<(usize, u64)> {
        Ok(self
            .files(work)?
            .iter()
            .filter(|f| matches!(f.uploaded_by, Actor::Contact(_)))
            .fold((0, 0), |(n, bytes), f| (n + 1, bytes + f.content.size)))
    }

    /// The refusal on the work's timeline and in the log, once an hour per work item and kind.
    fn note_upload_refusal(&self, session: &ClientSession, refused: &Error) -> Result<()> {
        let kind = match refused {
            Error::TooFast(_) => "rate",
            _ => "quota",
        };
        let mut batch = Batch::default();
        let key = format!("upload/refused/{}/{kind}", session.work);
        if !self.throttle(&mut batch, &key, 1, Duration::hours(1))? {
            return Ok(());
        }
        tracing::warn!(work = %session.work, group = session.group, %refused, "a client's upload was refused");
        self.record_event(
            &mut batch,
            Some(session.work),
            Some(session.contact),
            Actor::Contact(session.contact),
            EventKind::FileUploaded,
            format!("An upload was refused: {refused}"),
        );
        match self.store.commit(batch) {
            // Another request noted it meanwhile.
            Ok(()) | Err(Error::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
#[path = "quota_tests.rs"]
mod tests;
