//! Time as an injected value: the engine never reads the system clock deep inside, so tests can
//! jump through months in milliseconds.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Where the engine learns what time it is.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// How long to really wait for `span` of this clock's time to pass (background loops
    /// sleep with it).
    fn real(&self, span: Duration) -> std::time::Duration {
        span.to_std().unwrap_or_default()
    }
}

/// A simulated clock for demos and end-to-end checks: it starts at a chosen instant and runs
/// `speed` times faster than real time (86400: a day per second).
#[derive(Debug)]
pub struct ScaledClock {
    start: DateTime<Utc>,
    real_start: std::time::Instant,
    speed: f64,
}

impl ScaledClock {
    pub fn new(start: DateTime<Utc>, speed: f64) -> Self {
        assert!(speed > 0.0, "the clock speed must be positive");
        Self {
            start,
            real_start: std::time::Instant::now(),
            speed,
        }
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = self.real_start.elapsed().as_secs_f64() * self.speed;
        self.start + Duration::microseconds((elapsed * 1e6) as i64)
    }

    fn real(&self, span: Duration) -> std::time::Duration {
        span.to_std()
            .map(|d| d.div_f64(self.speed))
            .unwrap_or_default()
    }
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to; for tests and previews.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = to;
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock lock") += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

#[cfg(test)]
#[path = "clock_tests.rs"]
mod tests;
