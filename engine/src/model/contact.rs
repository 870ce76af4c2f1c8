//! Contacts: the people at a client who receive requests and reminders.

use chrono::{DateTime, Utc};
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
}
