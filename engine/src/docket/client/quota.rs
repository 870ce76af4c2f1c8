//! What a client may upload, and how fast: at most `server.work_upload_files` files and
//! `server.work_upload_mib` MiB from clients on one work item, and at most
//! `server.uploads_per_device_per_hour` files an hour from one device (or signed-in account).
//! The portal asks before it reads a byte of the file (`client_upload_allowed`); recording the
//! upload asks again and counts it in the same batch. A refusal is a plain sentence for the
//! client in their language (`TooLarge` → 413, `TooFast` → 429), noted in English on the work's
//! timeline at most once an hour.

use chrono::Duration;

use crate::docket::Docket;
use crate::docket::client::ClientSession;
use crate::docket::client::refusals::Refusal;
use crate::model::{Actor, EventKind, WorkId};
use crate::store::Batch;
use crate::{Error, Result};

/// Which limit an upload passed: the work item's quota (413) or the device's rate (429).
#[derive(Debug, Clone, Copy)]
enum Refused {
    Quota,
    Rate,
}

impl Docket {
    /// Whether the client of `session` may upload a file of `bytes` bytes (0 when its size is
    /// not known yet) now. Counts nothing; a refusal is in the client's language.
    pub fn client_upload_allowed(&self, session: &ClientSession, bytes: u64) -> Result<()> {
        self.client_upload_check(&mut Batch::default(), session, bytes)
    }

    /// Checks the work item's quota and the device's rate for one more upload of `bytes`, and
    /// counts it in `batch`; a refusal is noted on the timeline (at most once an hour) and
    /// said in English, for staff (an emailed reply's attachments).
    pub(crate) fn check_client_upload(
        &self,
        batch: &mut Batch,
        session: &ClientSession,
        bytes: u64,
    ) -> Result<()> {
        self.upload_check(batch, session, bytes, crate::i18n::DEFAULT)
    }

    /// `check_client_upload`, its refusal said in the language of `session`'s contact: what
    /// the portal answers the client with.
    pub(crate) fn client_upload_check(
        &self,
        batch: &mut Batch,
        session: &ClientSession,
        bytes: u64,
    ) -> Result<()> {
        let locale = self.client_locale(session)?;
        self.upload_check(batch, session, bytes, locale)
    }

    fn upload_check(
        &self,
        batch: &mut Batch,
        session: &ClientSession,
        bytes: u64,
        locale: &str,
    ) -> Result<()> {
        let Some((kind, refusal)) = self.upload_refusal(batch, session, bytes)? else {
            return Ok(());
        };
        self.note_upload_refusal(session, kind, &refusal.in_english())?;
        let words = refusal.words(locale);
        Err(match kind {
            Refused::Rate => Error::TooFast(words),
            Refused::Quota => Error::TooLarge(words),
        })
    }

    fn upload_refusal(
        &self,
        batch: &mut Batch,
        session: &ClientSession,
        bytes: u64,
    ) -> Result<Option<(Refused, Refusal)>> {
        let quota = self.upload_quota();
        let (count, used) = self.client_upload_totals(session.work)?;
        let firm = self.firm_settings()?.name;
        if count >= quota.files_per_work {
            let refusal = Refusal::new("refusal-files-quota")
                .number("count", count)
                .text("firm", firm);
            return Ok(Some((Refused::Quota, refusal)));
        }
        if used.saturating_add(bytes) > quota.bytes_per_work {
            let room = quota.bytes_per_work.saturating_sub(used);
            let refusal = if bytes > 0 {
                Refusal::new("refusal-bytes-quota-file").size("size", bytes)
            } else {
                Refusal::new("refusal-bytes-quota")
            };
            let refusal = refusal
                .size("most", quota.bytes_per_work)
                .size("room", room)
                .text("firm", firm);
            return Ok(Some((Refused::Quota, refusal)));
        }
        let key = format!("upload/{}", session.holder);
        if !self.throttle(batch, &key, quota.per_device_per_hour, Duration::hours(1))? {
            let refusal =
                Refusal::new("refusal-upload-rate").number("count", quota.per_device_per_hour);
            return Ok(Some((Refused::Rate, refusal)));
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
    fn note_upload_refusal(
        &self,
        session: &ClientSession,
        kind: Refused,
        refused: &str,
    ) -> Result<()> {
        let kind = match kind {
            Refused::Rate => "rate",
            Refused::Quota => "quota",
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
