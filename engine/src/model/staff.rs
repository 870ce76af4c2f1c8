//! Staff in the admin and the API: a signed-in session (stored by the hash of its secret), a
//! staff member as pages and the API show them — never with the password hash — and the API
//! tokens staff make, each with the member it belongs to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Record, Role, StaffUser, TokenId, UserId};

/// A signed-in browser of a staff member, stored under `USER/SHA256` of its secret. The secret
/// itself lives only in the browser's cookie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StaffSession {
    pub user: UserId,
    pub created_at: DateTime<Utc>,
    /// The last request seen (written at most once a minute); the idle expiry counts from it.
    pub last_seen_at: DateTime<Utc>,
    /// The absolute expiry: the session ends then however busy it is.
    pub expires_at: DateTime<Utc>,
    /// The browser's own description (its user agent), shortened.
    pub device: String,
}

impl Record for StaffSession {
    const KIND: &'static str = "staff session";
    const VERSION: u16 = 1;
}

/// A staff member as shown: the user record without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StaffMember {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// When the member was disabled; `None` while they may sign in.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Until when their invitation to set a password is open, while it waits.
    pub invited_until: Option<DateTime<Utc>>,
}

impl StaffMember {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

impl From<&StaffUser> for StaffMember {
    fn from(user: &StaffUser) -> Self {
        Self {
            id: user.id,
            email: user.email.clone(),
            name: user.name.clone(),
            role: user.role,
            created_at: user.created_at,
            disabled_at: user.disabled_at,
            invited_until: user.invite.as_ref().map(|i| i.expires_at),
        }
    }
}

impl From<StaffUser> for StaffMember {
    fn from(user: StaffUser) -> Self {
        Self::from(&user)
    }
}

/// A bearer token for the JSON API. Only the SHA-256 of its secret is stored, as the key of the
/// token index; the record itself holds no secret, so it may be shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: TokenId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// What the token may do: a staff token cannot back up or change settings, users, tokens
    /// or plugins. Never more than its member's role: demoting the member lowers it.
    pub role: Role,
    /// Who made it, and so whose rights it carries.
    pub created_by: TokenCreator,
    /// When it was last used, written at most once a minute to spare the disk: it may be up to
    /// a minute behind the latest request, by design.
    #[serde(default)]
    pub last_used_at: Option<DateTime<Utc>>,
    /// Once revoked, the token is refused; the record stays, for the list.
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why it was revoked, once it is.
    #[serde(default)]
    pub revoked_because: Option<TokenEnd>,
}

impl ApiToken {
    /// The member whose rights the token carries, if it belongs to one.
    pub fn member(&self) -> Option<UserId> {
        match &self.created_by {
            TokenCreator::Member { id, .. } => Some(*id),
            TokenCreator::CommandLine | TokenCreator::Unknown => None,
        }
    }
}

/// Who made an API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TokenCreator {
    /// A staff member, in the admin, with a token of theirs, or on the command line with
    /// `--member`. The token works while they are active, with no more than their role; it
    /// ends when they are disabled.
    Member {
        id: UserId,
        /// Their email when they made it.
        email: String,
    },
    /// `docket token create` without `--member`: whoever may write the data folder, who can do
    /// everything anyway. The token belongs to no member.
    CommandLine,
    /// Made before Docket recorded who made a token (format 2 and older). It keeps working
    /// with its role, so the scripts using it do not break on upgrade, and belongs to no
    /// member: replace it with a token of your own and revoke it.
    Unknown,
}

/// Why a token was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenEnd {
    /// An admin revoked it.
    Revoked,
    /// The member it belongs to was disabled; enabling them again does not revive it.
    MemberDisabled,
}

impl Record for ApiToken {
    const KIND: &'static str = "api token";
    /// 2 added `role`; 3 added `created_by` and `revoked_because`.
    const VERSION: u16 = 3;

    /// Format 1 had no role: those tokens could do everything, so they become admin tokens and
    /// the scripts using them keep working. Formats 1 and 2 did not record who made a token:
    /// its creator is `unknown`.
    fn upgrade(version: u16, mut value: serde_json::Value) -> Result<serde_json::Value, String> {
        if !(1..=2).contains(&version) {
            return Err(format!(
                "no upgrade from api token format version {version}"
            ));
        }
        let token = value
            .as_object_mut()
            .ok_or("an api token record is not an object")?;
        if version == 1 {
            token.insert("role".into(), serde_json::Value::from("admin"));
        }
        token.insert(
            "created_by".into(),
            serde_json::json!({ "kind": "unknown" }),
        );
        if token.get("revoked_at").is_some_and(|at| !at.is_null()) {
            token.insert("revoked_because".into(), serde_json::Value::from("revoked"));
        }
        Ok(value)
    }
}

#[cfg(test)]
#[path = "staff_tests.rs"]
mod tests;
