//! A background loop's trouble, logged once when it starts and once when it ends: while the
//! database does not answer, a loop that tries again every quarter second writes one error line
//! and, when its work goes through again, one line saying so and for how long it failed, not a
//! line per try.

use std::fmt::Display;
use std::time::{Duration, Instant};

/// One thing a loop does again and again (take a lease, tick, read the outbox), and since when
/// it has been failing.
#[derive(Debug)]
pub struct Outage {
    /// What fails, as the error line says it: "cannot deliver events to hooks".
    failing: &'static str,
    /// What works again, as the recovery line says it before "again": "delivering events to
    /// hooks".
    working: &'static str,
    since: Option<Instant>,
}

impl Outage {
    pub const fn new(failing: &'static str, working: &'static str) -> Outage {
        Outage {
            failing,
            working,
            since: None,
        }
    }

    /// Notes one try: its value when it worked, `None` when it failed; the first failure is
    /// logged (an error), and the first success after failures (how long they lasted).
    pub fn note<T, E: Display>(&mut self, tried: Result<T, E>) -> Option<T> {
        match tried {
            Ok(value) => {
                self.worked();
                Some(value)
            }
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }

    /// A try that failed: logged when it is the first since the work last went through.
    pub fn failed(&mut self, error: &dyn Display) {
        if self.since.is_none() {
            self.since = Some(Instant::now());
            tracing::error!(
                error = %error,
                "{}; trying again shortly, and saying so here when it works again",
                self.failing
            );
        }
    }

    /// A try that went through: logged when tries failed before it.
    pub fn worked(&mut self) {
        if let Some(since) = self.since.take() {
            let failed_for = since.elapsed();
            tracing::info!(
                failed_seconds = failed_for.as_secs_f64(),
                "{} again after {} of failures",
                self.working,
                lasted(failed_for)
            );
        }
    }
}

/// A duration as a person reads it: "3.2 s", "4 min 10 s".
fn lasted(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 60 {
        format!("{:.1} s", d.as_secs_f64())
    } else if secs < 3600 {
        format!("{} min {} s", secs / 60, secs % 60)
    } else {
        format!("{} h {} min", secs / 3600, secs % 3600 / 60)
    }
}

#[cfg(test)]
#[path = "outage_tests.rs"]
pub(crate) mod tests;
