//! Work that repeats: the repeat a work item carries (how often, until when, the title pattern
//! of what it makes, and its next occurrences), and what staff give to set one.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, de};

use super::KeyInstant;

/// A work item's repeat: the scheduler makes a new work item from the same template, for the
/// same contacts and assignee, on each occurrence's start date (`docket/work/repeat.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Repeat {
    /// `month`, `quarter`, `year`, or a five-field cron expression read in the firm's zone.
    #[schema(example = "quarter")]
    pub every: String,
    /// The day of the month of each occurrence (1–31; a shorter month takes its last day), for
    /// `month`, `quarter` and `year`; `None` for a cron expression.
    #[serde(default)]
    pub day: Option<u32>,
    /// The last day an occurrence may start on; none after it, and the repeat then ends.
    #[serde(default)]
    pub until: Option<NaiveDate>,
    /// The title of each work item made, with placeholders (`{contact}`, `{template}`,
    /// `{month}`, `{quarter}`, `{year}`, `{date}`, `{period}`).
    #[schema(example = "{contact} — VAT {quarter}")]
    pub title: String,
    /// The calendar steps are counted from this date (the work's start date when set): a
    /// quarterly repeat of work starting in January makes April, July, October, January.
    pub anchor: NaiveDate,
    /// The start date of the latest work item this repeat made, if any.
    #[serde(default)]
    pub last: Option<NaiveDate>,
    /// The next occurrences, soonest first (up to three); the first is made next. Empty only
    /// while the repeat is ending.
    pub next: Vec<Occurrence>,
    pub set_at: DateTime<Utc>,
}

/// One work item a repeat will make: when, and its start date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Occurrence {
    /// When the scheduler makes it: the start of `start_date` in the firm's zone, or the cron
    /// expression's instant.
    #[schema(value_type = DateTime<Utc>)]
    pub at: KeyInstant,
    /// The new work item's start date.
    pub start_date: NaiveDate,
    /// Its place in the calendar steps from `Repeat::anchor` (1 is the first step after it);
    /// 0 for a cron expression.
    #[serde(default)]
    pub step: u32,
}

/// What staff give to set or change a work item's repeat.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepeatRequest {
    /// `month`, `quarter`, `year` (in any case), or a five-field cron expression (minute hour
    /// day-of-month month day-of-week, in the firm's zone) that fires at most once a day, e.g.
    /// `0 6 1 * *`.
    #[schema(example = "month")]
    pub every: String,
    /// The day of the month (1–31) for `month`, `quarter` and `year`; the work's start day when
    /// left out. Not given with a cron expression. A number or a numeric text (`5`, `"5"`).
    #[serde(default, deserialize_with = "day_of_month")]
    #[schema(value_type = Option<u32>)]
    pub day: Option<u32>,
    /// The last start date, `YYYY-MM-DD`, no earlier than the first date the repeat makes; repeats for ever when left out.
    #[serde(default)]
    #[schema(example = "2027-12-31")]
    pub until: Option<String>,
    /// The title pattern of each work item made; derived from `every` when left out (e.g.
    /// `{contact} — {template} {quarter}`).
    #[serde(default)]
    pub title: Option<String>,
}

/// The words of a `day` that is not a whole number; a test may look for them.
pub const NOT_A_DAY: &str = " is not a whole number from 1 to 31";

/// `day` as a number (`5`) or a numeric text (`"5"`, as a form sends it); anything else is
/// refused in words naming what is wrong ("five is not a whole number from 1 to 31"). The
/// range itself is checked with the rule (`docket/work/repeat_rule.rs`).
fn day_of_month<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    struct Day;
    impl<'de> de::Visitor<'de> for Day {
        type Value = Option<u32>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a day of the month from 1 to 31")
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            u32::try_from(n)
                .map(Some)
                .map_err(|_| E::custom(format!("{n}{NOT_A_DAY}")))
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            u64::try_from(n)
                .map_err(|_| E::custom(format!("{n}{NOT_A_DAY}")))
                .and_then(|n| self.visit_u64(n))
        }
        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
            Err(E::custom(format!("{n}{NOT_A_DAY}")))
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse::<u32>()
                .map(Some)
                .map_err(|_| E::custom(format!("{text}{NOT_A_DAY}")))
        }
        fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
            Err(E::custom(format!("{b}{NOT_A_DAY}")))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(Day)
        }
    }
    d.deserialize_any(Day)
}

#[cfg(test)]
#[path = "repeat_tests.rs"]
mod tests;
