//! The firm itself: its settings and its staff.

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{Record, UserId};

/// Settings that shape every email and reminder the firm sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FirmSettings {
    pub name: String,
    pub logo_url: Option<String>,
    /// Due dates and reminders are computed in this zone unless a contact overrides it.
    #[schema(value_type = String, example = "Europe/London")]
    pub timezone: Tz,
    /// Local time of day at which reminders and automatic sends go out, `HH:MM`.
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, example = "09:00")]
    pub send_time: NaiveTime,
    /// Public base URL of this Docket, for links in emails.
    pub base_url: String,
    /// Days the firm sends nothing, in order.
    #[serde(default)]
    pub holidays: Vec<chrono::NaiveDate>,
    /// When automatic sends and reminders may go out (five-field cron, in the recipient's
    /// zone); `None`: every day at `send_time`.
    #[serde(default)]
    pub send_schedule: Option<String>,
    /// Firm-defined sub-statuses under each fixed status (by its name, e.g.
    /// `waiting_on_client`).
    #[serde(default)]
    pub sub_statuses: std::collections::BTreeMap<String, Vec<String>>,
    /// The language of the portal and client emails for contacts who have none of their own
    /// (`en`, `fr`, `de`).
    #[serde(default = "default_locale")]
    #[schema(example = "en")]
    pub locale: String,
}

fn default_locale() -> String {
    "en".into()
}

/// A time of day as `HH:MM`, as the CLI and the configuration write it; reads the `HH:MM:SS`
/// that records stored before too.
mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&time.format("%H:%M"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(&text, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(&text, "%H:%M:%S%.f"))
            .map_err(serde::de::Error::custom)
    }
}

impl Record for FirmSettings {
    const KIND: &'static str = "firm settings";
    const VERSION: u16 = 1;
}

/// The firm's logo as uploaded in the admin, kept under one key of the `meta` tree (a few
/// hundred KiB at most) and served at `/firm/logo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FirmLogo {
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`, from the bytes themselves.
    pub content_type: String,
    pub sha256: String,
    /// The image, base64.
    pub data: String,
}

impl Record for FirmLogo {
    const KIND: &'static str = "firm logo";
    const VERSION: u16 = 1;
}

/// Sending paused (a restored folder starts so): since when, and why, in words for staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SendingPause {
    pub since: chrono::DateTime<chrono::Utc>,
    /// Why, in words for staff, e.g. "this folder was restored from a backup".
    pub reason: String,
}

impl Record for SendingPause {
    const KIND: &'static str = "sending pause";
    const VERSION: u16 = 1;
}

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including settings, users and plugins.
    Admin,
    /// Templates, work, contacts and sending.
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
        }
    }

    /// This role, lowered to `cap` if that is less: what a member's token may do.
    pub fn capped_at(self, cap: Role) -> Role {
        if cap == Role::Staff {
            Role::Staff
        } else {
            self
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "staff" => Ok(Role::Staff),
            other => Err(crate::Error::invalid(format!(
                "`{other}` is not a role; use admin or staff"
            ))),
        }
    }
}

/// A member of the firm's staff who signs in to the admin.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StaffUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Argon2id hash in PHC string format; the password itself is never stored.
    /// Empty while an invitation waits to be accepted.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    /// Set while disabled: no sign-in, no session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<DateTime<Utc>>,
    /// An invitation to set a password, until it is accepted or expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<StaffInvite>,
}

impl StaffUser {
    /// Whether the member can sign in: not disabled, with a password set.
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none() && !self.password_hash.is_empty()
    }
}

/// A one-time link to set a staff member's first password: only the SHA-256 of its secret is
/// kept (hex).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StaffInvite {
    pub hash: String,
    pub expires_at: DateTime<Utc>,
}

impl Record for StaffUser {
    const KIND: &'static str = "staff user";
    /// 2 added `disabled_at` and `invite`: an older docket, which would ignore them and let a
    /// disabled member in, refuses the record instead.
    const VERSION: u16 = 2;

    fn upgrade(version: u16, value: serde_json::Value) -> Result<serde_json::Value, String> {
        match version {
            1 => Ok(value),
            _ => Err(format!(
                "no upgrade from staff user format version {version}"
            )),
        }
    }
}
