//! Work that repeats: the repeat a work item carries (how often, until when, the title pattern
//! of what it makes, and its next occurrences), and what staff give to set one.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

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
    /// `month`, `quarter`, `year`, or a five-field cron expression (minute hour day-of-month
    /// month day-of-week, in the firm's zone) that fires at most once a day, e.g. `0 6 1 * *`.
    #[schema(example = "month")]
    pub every: String,
    /// The day of the month (1–31) for `month`, `quarter` and `year`; the work's start day when
    /// left out. Not given with a cron expression.
    #[serde(default)]
    pub day: Option<u32>,
    /// The last start date, `YYYY-MM-DD`, today or later; repeats for ever when left out.
    #[serde(default)]
    #[schema(example = "2027-12-31")]
    pub until: Option<String>,
    /// The title pattern of each work item made; derived from `every` when left out (e.g.
    /// `{contact} — {template} {quarter}`).
    #[serde(default)]
    pub title: Option<String>,
}
