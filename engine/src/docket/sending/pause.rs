//! Sending paused: a folder restored from a backup sends nothing until an admin says so. A
//! backup holds the outbox and the schedule as they were when it was made, so a restore made to
//! try something out (or onto a new machine while the old one still runs) would otherwise email
//! real clients at once. While paused the scheduler does not tick, the sender delivers nothing
//! and webhooks are not posted; everything else — the admin, the API, the portal and its links —
//! works. Resuming lets the loops go on where the folder left off: each due group fires once.

use chrono::{DateTime, Utc};

use crate::Result;
use crate::docket::Docket;
use crate::model::SendingPause;
use crate::store::{Batch, Store, Tree, decode, encode};

/// The `meta` key of the pause, present only while sending is paused.
const PAUSE_KEY: &[u8] = b"sending_paused";

/// Pauses sending in a store that has no `Docket` yet (a restore's staging folder).
pub fn pause_sending_in(store: &dyn Store, pause: &SendingPause) -> Result<()> {
    let mut batch = Batch::default();
    batch.put(Tree::Meta, PAUSE_KEY, encode(pause));
    store.commit(batch)
}

impl Docket {
    /// Why and since when sending is paused, or `None` while Docket sends.
    pub fn sending_pause(&self) -> Result<Option<SendingPause>> {
        match self.store.get(Tree::Meta, PAUSE_KEY)? {
            Some(bytes) => Ok(Some(decode(&bytes)?)),
            None => Ok(None),
        }
    }

    /// Whether the loops that email and post must wait; a store that cannot be read counts as
    /// paused, so a doubt never sends.
    pub fn sending_paused(&self) -> bool {
        !matches!(self.sending_pause(), Ok(None))
    }

    /// Pauses sending now, saying why.
    pub fn pause_sending(&self, reason: &str) -> Result<SendingPause> {
        let pause = SendingPause {
            since: self.now(),
            reason: reason.to_string(),
        };
        pause_sending_in(self.store.as_ref(), &pause)?;
        tracing::warn!(reason, "sending is paused");
        Ok(pause)
    }

    /// Lets the loops send again; `by` says who, for the log. Returns the pause that ended, or
    /// `None` when sending was not paused.
    pub fn resume_sending(&self, by: &str) -> Result<Option<SendingPause>> {
        let Some(pause) = self.sending_pause()? else {
            return Ok(None);
        };
        let mut batch = Batch::default();
        batch.remove(Tree::Meta, PAUSE_KEY);
        self.store.commit(batch)?;
        tracing::info!(by, paused_since = %pause.since, "sending resumed");
        Ok(Some(pause))
    }
}

/// The sentence staff read about a pause: since when, and why.
pub fn pause_text(pause: &SendingPause, zone: chrono_tz::Tz) -> String {
    let since: DateTime<Utc> = pause.since;
    format!(
        "Sending is paused since {} {} ({}): nothing is emailed or posted until an admin resumes it.",
        since.with_timezone(&zone).format("%-d %b %Y, %H:%M"),
        zone.name(),
        pause.reason
    )
}

#[cfg(test)]
#[path = "pause_tests.rs"]
mod tests;
