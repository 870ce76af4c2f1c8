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
