//! The first start of a firm for real: `docket serve` on a folder with no staff prints a one-time
//! setup address (valid an hour, used once) where the first admin gives their name, email and
//! password and the firm's name, timezone and send time. Only the address's SHA-256 is kept, in
//! `meta`; each start with no staff replaces it, and using it removes it in the batch that adds
//! the admin, so two browsers racing with one address make one admin.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::docket::client::{new_secret, secret_hash};
use crate::docket::{Docket, NewUser, SettingsChange};
use crate::model::{Record, Role, StaffUser};
use crate::store::{Batch, Tree, decode, encode};
use crate::{Error, Result};

/// How long a setup address works after `serve` printed it.
pub const SETUP_LIFETIME: Duration = Duration::hours(1);
const SETUP_KEY: &[u8] = b"setup_link";

/// The stored half of a setup address.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SetupLink {
    secret_sha256: String,
    expires_at: DateTime<Utc>,
}

impl Record for SetupLink {
    const KIND: &'static str = "setup link";
    const VERSION: u16 = 1;
}

/// What the setup page asks.
#[derive(Debug, Clone, Default)]
pub struct FirstSetup {
    pub firm_name: String,
    pub timezone: String,
    pub send_time: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Why a setup address opens nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupRefusal {
    /// The firm has staff: setup is done (an admin invites the others).
    Done,
    /// Unknown, used, replaced by a later start, or past its hour.
    Expired,
}

impl Docket {
    /// A fresh setup secret when the firm has no staff (the previous one stops working), else
    /// `None`. The address is `BASE/admin/setup/SECRET`.
    pub fn issue_setup_link(&self) -> Result<Option<String>> {
        if !self.list_users()?.is_empty() {
            return Ok(None);
        }
        let secret = new_secret();
        let link = SetupLink {
            secret_sha256: secret_hash(&secret),
            expires_at: self.now() + SETUP_LIFETIME,
        };
        let mut batch = Batch::default();
        batch.put(Tree::Meta, SETUP_KEY, encode(&link));
        self.store.commit(batch)?;
        Ok(Some(secret))
    }

    /// Whether `secret` opens the setup page now.
    pub fn check_setup_link(&self, secret: &str) -> Result<std::result::Result<(), SetupRefusal>> {
        if !self.list_users()?.is_empty() {
            return Ok(Err(SetupRefusal::Done));
        }
        Ok(self.live_setup_link(secret)?.map(|_| ()))
    }

    fn live_setup_link(&self, secret: &str) -> Result<std::result::Result<Vec<u8>, SetupRefusal>> {
        let Some(bytes) = self.store.get(Tree::Meta, SETUP_KEY)? else {
            return Ok(Err(SetupRefusal::Expired));
        };
        let link: SetupLink = decode(&bytes)?;
        let matches = crate::docket::client::valid_secret(secret)
            && link.secret_sha256 == secret_hash(secret);
        if !matches || self.now() >= link.expires_at {
            return Ok(Err(SetupRefusal::Expired));
        }
        Ok(Ok(bytes))
    }

    /// Every field of `setup` that would be refused, with its message, all at once (the page
    /// shows them together; `complete_setup` checks again and refuses the first).
    pub fn setup_problems(&self, setup: &FirstSetup) -> Result<Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        if setup.firm_name.trim().is_empty() {
            problems.push(("firm_name", "enter the firm's name".to_string()));
        }
        let change = SettingsChange {
            name: Some(setup.firm_name.clone()).filter(|n| !n.trim().is_empty()),
            timezone: Some(setup.timezone.clone()),
            send_time: Some(setup.send_time.clone()),
            ..SettingsChange::default()
        };
        if let Err(errors) = change.apply(&self.firm_settings()?, &self.pinned_settings()) {
            for e in errors {
                let field = match e.key.as_str() {
                    "name" => "firm_name",
                    "timezone" => "timezone",
                    _ => "send_time",
                };
                problems.push((field, e.message));
            }
        }
        if let Err(e) = crate::model::normalise_email(&setup.email) {
            problems.push(("email", e.to_string()));
        }
        let length = setup.password.chars().count();
        if length < crate::docket::MIN_PASSWORD_LEN || setup.password.trim().is_empty() {
            problems.push((
                "password",
                format!(
                    "the password must be at least {} characters long",
                    crate::docket::MIN_PASSWORD_LEN
                ),
            ));
        } else if length > crate::docket::MAX_PASSWORD_LEN {
            problems.push((
                "password",
                format!(
                    "the password may be at most {} characters long",
                    crate::docket::MAX_PASSWORD_LEN
                ),
            ));
        }
        Ok(problems)
    }

    /// Sets the firm up through its setup address: the firm's name, timezone and send time, and
    /// the first admin, in one batch that also ends the address. Bad input is refused by field
    /// (`firm_name`, `timezone`, `send_time`, `name`, `email`, `password`) with nothing changed.
    pub fn complete_setup(&self, secret: &str, setup: &FirstSetup) -> Result<StaffUser> {
        let stored = match self.live_setup_link(secret)? {
            Ok(bytes) if self.list_users()?.is_empty() => bytes,
            Ok(_) | Err(SetupRefusal::Done) => {
                return Err(Error::Gone("the firm is already set up; sign in".into()));
            }
            Err(SetupRefusal::Expired) => {
                return Err(Error::Gone(
                    "this setup address is used, replaced or past its hour; restart `docket serve` for a new one".into(),
                ));
            }
        };
        if setup.firm_name.trim().is_empty() {
            return Err(Error::invalid_field("firm_name", "enter the firm's name"));
        }
        let change = SettingsChange {
            name: Some(setup.firm_name.clone()),
            timezone: Some(setup.timezone.clone()),
            send_time: Some(setup.send_time.clone()),
            ..SettingsChange::default()
        };
        let settings = change
            .apply(&self.firm_settings()?, &self.pinned_settings())
            .map_err(|errors| {
                let first = &errors[0];
                let field = if first.key == "name" {
                    "firm_name"
                } else {
                    first.key.as_str()
                };
                Error::invalid_field(field, first.message.clone())
            })?;
        let (admin, mut batch) = self.new_user_batch(NewUser {
            email: setup.email.clone(),
            name: setup.name.clone(),
            role: Role::Admin,
            password: setup.password.clone(),
        })?;
        // Used once: a second use of the same address finds the key gone and its batch fails.
        batch.expect(Tree::Meta, SETUP_KEY, Some(stored));
        batch.remove(Tree::Meta, SETUP_KEY);
        self.commit_settings(batch, &settings)
            .map_err(|e| match e {
                Error::Conflict(_) => {
                    Error::Gone("this setup address was just used; sign in".into())
                }
                e => e,
            })?;
        tracing::info!(email = %admin.email, "the firm is set up; its first admin can sign in");
        Ok(admin)
    }
}

#[cfg(test)]
#[path = "setup_tests.rs"]
mod tests;
