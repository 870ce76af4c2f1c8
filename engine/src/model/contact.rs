//! Contacts: the people at a client who receive requests and reminders.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{ContactId, Record};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    /// Lower-cased; unique across contacts.
    pub email: String,
    /// Overrides the firm's timezone for this contact's reminders.
    #[schema(value_type = Option<String>, example = "Europe/London")]
    pub timezone: Option<Tz>,
    pub created_at: DateTime<Utc>,
    /// Set while the contact is archived (deleted from the firm's view): no portal access, no
    /// sign-in. Restoring clears it.
    #[serde(default)]
    pub archived_at: Option<DateTime<Utc>>,
    /// Set while staff pause this contact's reminders ("away until 10 January"): no reminder
    /// reaches them before the pause's date, on any work. Always in the JSON (null when
    /// unset), as are `holidays` and `locale`, so scripts see they exist.
    #[serde(default)]
    #[schema(required = true)]
    pub paused: Option<ReminderPause>,
    /// The contact's own quiet days (their country's holidays), ascending: no reminder goes
    /// out to them on these days, as on the firm's holidays, which still apply too.
    #[serde(default)]
    #[schema(value_type = Vec<String>, example = json!(["2027-05-13"]), required = true)]
    pub holidays: Vec<NaiveDate>,
    /// The language of the portal and the emails for this contact (`en`, `fr`, `de`); none: the
    /// firm's. The client may change it in the portal.
    #[serde(default)]
    #[schema(example = "fr", required = true)]
    pub locale: Option<String>,
}

/// Reminders held back until a date: no reminder goes out before the start of `until` (in the
/// recipient's timezone). They then resume by themselves, at most one per group at the first
/// send slot (covering what the policy would have reminded of meanwhile), then at the
/// policy's own rhythm. First sends and staff's own sends are not held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReminderPause {
    /// The day reminders may go again: the contact is back on this day.
    pub until: NaiveDate,
    /// Why, in staff's words (e.g. "on holiday"); shown on the timeline and the pages.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// When staff set it.
    pub set_at: DateTime<Utc>,
}

/// Longest note on a pause, in characters.
pub const MAX_PAUSE_NOTE_CHARS: usize = 200;

/// What staff give to pause reminders: `until` as `YYYY-MM-DD`, and an optional note.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    /// The day reminders resume, `YYYY-MM-DD`; it must be after today.
    #[schema(example = "2027-01-10")]
    pub until: String,
    #[serde(default)]
    pub note: Option<String>,
}

impl Record for Contact {
    const KIND: &'static str = "contact";
    const VERSION: u16 = 1;
}

/// What staff give to create a contact.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub timezone: Option<String>,
    /// The contact's language (`en`, `fr`, `de`); none or empty: the firm's.
    #[serde(default)]
    pub locale: Option<String>,
}

/// What staff change on a contact: each field given replaces the contact's; `timezone` given
/// empty clears the contact's own zone (the firm's applies again). A new email ends the access
/// the old address had: the contact's links, bound devices and client-account sign-ins.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactUpdate {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    /// The contact's own quiet days, `YYYY-MM-DD` each, replacing those they had; an empty
    /// list clears them (the firm's holidays still apply).
    #[serde(default)]
    pub holidays: Option<Vec<String>>,
    /// The contact's language (`en`, `fr`, `de`); empty: the firm's again.
    #[serde(default)]
    pub locale: Option<String>,
}
