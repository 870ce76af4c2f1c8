//! The firm's send schedule: when automatic sends and reminders may go out. A cron expression
//! (five fields, read in the recipient's zone) plus the firm's holidays; whatever a policy
//! answers, the email goes at the first slot at or after it.

use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

/// A parsed send schedule.
#[derive(Debug, Clone)]
pub struct SendSchedule {
    cron: cron::Schedule,
    text: String,
}

impl PartialEq for SendSchedule {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl SendSchedule {
    /// Parses a five-field cron expression: minute, hour, day of month, month, day of week
    /// (0–7 with 0 and 7 for Sunday, or MON–SUN), e.g. `0 9 * * MON-FRI`.
    pub fn parse(expr: &str) -> Result<SendSchedule, String> {
        let fields: Vec<&str> = expr.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "`{expr}` is not a five-field cron expression (minute hour day-of-month month day-of-week), e.g. `0 9 * * MON-FRI`"
            ));
        }
        for (field, spec) in fields.iter().zip(FIELDS) {
            check_field(field, &spec).map_err(|bad| {
                format!(
                    "`{expr}`: `{bad}` is not a valid {} ({}); the fields are minute hour day-of-month month day-of-week",
                    spec.name, spec.hint
                )
            })?;
        }
        let dow = unix_days_of_week(fields[4]).ok_or_else(|| {
            format!(
                "`{expr}`: `{}` is not a day-of-week field (0-7, Sunday 0 or 7, or MON-SUN)",
                fields[4]
            )
        })?;
        let full = format!(
            "0 {} {} {} {} {dow}",
            fields[0], fields[1], fields[2], fields[3]
        );
        let cron = cron::Schedule::from_str(&full).map_err(|e| {
            // The crate's message quotes its own six-field form; keep only what it says.
            let text = e.to_string();
            let detail = text.rsplit('^').next().unwrap_or(&text).trim();
            format!("`{expr}` is not a valid cron expression: {detail}")
        })?;
        // An expression that never fires (30 February) would hold every email forever.
        if cron.upcoming(Utc).next().is_none() {
            return Err(format!("`{expr}` never fires"));
        }
        Ok(SendSchedule {
            cron,
            text: expr.to_string(),
        })
    }

    /// Every day at `time`: the default when the firm sets no schedule.
    pub fn daily_at(time: NaiveTime) -> SendSchedule {
        Self::parse(&format!("{} {} * * *", time.minute(), time.hour()))
            .expect("a daily schedule parses")
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the schedule sends at `time` of day (on the days it sends at all). A reminder a
    /// policy asks for at the firm's send time goes then only if this holds; otherwise every
    /// one would move to the next slot.
    pub fn sends_at(&self, time: NaiveTime) -> bool {
        use cron::TimeUnitSpec as _;
        time.second() == 0
            && self.cron.hours().includes(time.hour())
            && self.cron.minutes().includes(time.minute())
    }

    /// The times of day the schedule sends at, for messages: the first few, HH:MM.
    pub fn times_of_day(&self) -> String {
        use cron::TimeUnitSpec as _;
        let mut times = Vec::new();
        let mut more = 0;
        for hour in self.cron.hours().iter() {
            for minute in self.cron.minutes().iter() {
                if times.len() < 4 {
                    times.push(format!("{hour:02}:{minute:02}"));
                } else {
                    more += 1;
                }
            }
        }
        let mut text = times.join(", ");
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        text
    }

    /// Why `send_time` does not suit this schedule, if it does not: the message for whoever
    /// sets either of them.
    pub fn send_time_problem(&self, send_time: NaiveTime) -> Option<String> {
        (!self.sends_at(send_time)).then(|| {
            format!(
                "the send time {} is not a time the send schedule `{}` sends at ({}), so every reminder would wait for its next slot; set the send time to one of those times, or change the schedule",
                send_time.format("%H:%M"),
                self.text,
                self.times_of_day()
            )
        })
    }

    /// The first time the schedule fires strictly after `at`, read in zone `tz` (holidays
    /// aside): a repeat's next occurrence.
    pub fn after(&self, at: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        self.cron
            .after(&at.with_timezone(&tz))
            .next()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The first slot at or after `at`, in zone `tz`, on a day that is not a holiday. `None`
    /// only if no slot exists within ten years (a schedule of holidays only).
    pub fn slot(&self, at: DateTime<Utc>, tz: Tz, holidays: &[NaiveDate]) -> Option<DateTime<Utc>> {
        // Cron slots are whole minutes; "at or after" means after the instant just before.
        let from = (at - Duration::seconds(1)).with_timezone(&tz);
        let limit = at + Duration::days(3660);
        self.cron
            .after(&from)
            .map(|t| t.with_timezone(&Utc))
            .take_while(|t| *t <= limit)
            .find(|t| {
                holidays
                    .binary_search(&t.with_timezone(&tz).date_naive())
                    .is_err()
            })
    }
}

/// What one field of a five-field expression accepts.
struct FieldSpec {
    name: &'static str,
    hint: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const FIELDS: [FieldSpec; 5] = [
    FieldSpec {
        name: "minute",
        hint: "0-59",
        min: 0,
        max: 59,
        names: &[],
    },
    FieldSpec {
        name: "hour",
        hint: "0-23",
        min: 0,
        max: 23,
        names: &[],
    },
    FieldSpec {
        name: "day of the month",
        hint: "1-31",
        min: 1,
        max: 31,
        names: &[],
    },
    FieldSpec {
        name: "month",
        hint: "1-12 or JAN-DEC",
        min: 1,
        max: 12,
        names: &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    },
    FieldSpec {
        name: "day of the week",
        hint: "0-7 with Sunday 0 or 7, or MON-SUN",
        min: 0,
        max: 7,
        names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    },
];

/// Checks every value of a field (`*`, `N`, `A-B`, `X/STEP`, lists of them); returns the first
/// value that does not fit.
fn check_field<'a>(field: &'a str, spec: &FieldSpec) -> Result<(), &'a str> {
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (part, None),
        };
        if let Some(step) = step
            && !step.parse::<u32>().is_ok_and(|n| n >= 1)
        {
            return Err(part);
        }
        if range == "*" {
            continue;
        }
        let values: Vec<&str> = match range.split_once('-') {
            Some((a, b)) => vec![a, b],
            None => vec![range],
        };
        for value in values {
            let fits = match value.parse::<u32>() {
                Ok(n) => (spec.min..=spec.max).contains(&n),
                Err(_) => spec.names.contains(&value.to_ascii_lowercase().as_str()),
            };
            if !fits {
                return Err(value);
            }
        }
    }
    Ok(())
}

/// Turns a Unix day-of-week field (0–7, Sunday 0 or 7) into the `cron` crate's (1–7, Sunday 1).
/// Names pass through unchanged.
fn unix_days_of_week(field: &str) -> Option<String> {
    let map = |n: &str| -> Option<u32> {
        let n: u32 = n.parse().ok()?;
        (n <= 7).then_some(n % 7 + 1)
    };
    let mut parts = Vec::new();
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        let step = step.map(|s| format!("/{s}")).unwrap_or_default();
        if range.chars().any(|c| c.is_ascii_alphabetic()) || range == "*" {
            parts.push(format!("{range}{step}"));
            continue;
        }
        match range.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (map(a)?, map(b)?);
                if b >= a {
                    parts.push(format!("{a}-{b}{step}"));
                } else if b == 1 && step.is_empty() {
                    // `5-7` (Friday to Sunday) ends on Sunday, which is 1 here.
                    parts.push(format!("{a}-7"));
                    parts.push("1".into());
                } else {
                    return None;
                }
            }
            None => parts.push(format!("{}{step}", map(range)?)),
        }
    }
    Some(parts.join(","))
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
