//! Which clock serves a data folder (real or simulated, and how far a simulation got), so tools
//! run on the same time as the server and a folder never switches between the two.

use crate::docket::Docket;
use crate::store::{Batch, Store, Tree};
use crate::{Error, Result};

const SERVED_CLOCK_KEY: &[u8] = b"served_clock";
const SIMULATED_UNTIL_KEY: &[u8] = b"simulated_until";
/// Which clock has served a data folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServedClock {
    Never,
    Real,
    /// A simulated clock, and where it stood when its server last stopped (unknown after a
    /// crash).
    Simulated {
        until: Option<chrono::DateTime<chrono::Utc>>,
    },
}

/// Which clock has served the data folder of `store`; tools run on the same time as it.
pub fn served_clock(store: &dyn Store) -> Result<ServedClock> {
    Ok(match store.get(Tree::Meta, SERVED_CLOCK_KEY)?.as_deref() {
        None => ServedClock::Never,
        Some(b"simulated") => ServedClock::Simulated {
            until: store
                .get(Tree::Meta, SIMULATED_UNTIL_KEY)?
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.to_utc()),
        },
        Some(_) => ServedClock::Real,
    })
}

impl Docket {
    /// Records which clock serves this data folder, and refuses the other kind: a folder served
    /// on the real clock holds real clients, whom a simulated clock would send months of
    /// reminders in minutes; a simulated folder holds dates in a simulated future.
    pub fn claim_clock(&self, simulated: bool) -> Result<()> {
        let want: &[u8] = if simulated { b"simulated" } else { b"real" };
        match self.store.get(Tree::Meta, SERVED_CLOCK_KEY)? {
            None => {
                let mut batch = Batch::default();
                batch.put(Tree::Meta, SERVED_CLOCK_KEY, want.to_vec());
                self.store.commit(batch)
            }
            Some(have) if have == want => Ok(()),
            Some(_) if simulated => Err(Error::invalid(
                "this data folder was served on the real clock, so it may hold real clients; run a simulated clock on a fresh --data folder",
            )),
            Some(_) => Err(Error::invalid(
                "this data folder was served on a simulated clock and holds simulated dates; serve it with --clock-from and --clock-speed again, or use a fresh --data folder",
            )),
        }
    }

    /// Remembers how far a simulated clock got, so a later simulation cannot start before it
    /// (its records would be in the future of its clock). Called when a simulated server stops.
    pub fn record_simulated_time(&self) -> Result<()> {
        let mut batch = Batch::default();
        batch.put(
            Tree::Meta,
            SIMULATED_UNTIL_KEY,
            self.now().to_rfc3339().into_bytes(),
        );
        self.store.commit(batch)
    }

    /// Refuses to run a simulated clock from before where the folder's last simulation stopped.
    pub fn check_simulated_start(&self, from: chrono::DateTime<chrono::Utc>) -> Result<()> {
        match served_clock(self.store.as_ref())? {
            ServedClock::Simulated { until: Some(until) } if from < until => {
                // The next whole second, so the suggested start is never before `until`.
                let start =
                    chrono::DurationRound::duration_trunc(until, chrono::Duration::seconds(1))
                        .unwrap_or(until)
                        + chrono::Duration::seconds(i64::from(until.timestamp_subsec_nanos() > 0));
                Err(Error::invalid(format!(
                    "this folder's simulated clock already reached {}; start at or after it (--clock-from {}), or use a fresh --data folder",
                    until.format("%Y-%m-%dT%H:%M:%SZ"),
                    start.format("%Y-%m-%dT%H:%M:%SZ")
                )))
            }
            _ => Ok(()),
        }
    }
}
