//! Staff in the admin: a signed-in session (stored by the hash of its secret), and a staff
//! member as pages and the API show them — never with the password hash.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Record, Role, StaffUser, UserId};

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

#[cfg(test)]
#[path = "staff_tests.rs"]
mod tests;
