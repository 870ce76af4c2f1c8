//! Staff sign-in to the admin: email and password (argon2), behind the sign-in throttle; a
//! server-side session whose secret lives only in the browser's cookie (stored by its
//! SHA-256, under the member's id); idle and absolute expiry; the per-session token every admin
//! form carries; sign-out; and password change, which ends every session of the member and
//! starts a fresh one for the browser that changed it (a session cookie stolen before the change
//! is worth nothing after it).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::docket::Docket;
use crate::docket::client::{new_secret, secret_hash};
use crate::docket::staff::members::{MAX_PASSWORD_LEN, hash_password};
use crate::docket::staff::throttle::Gate;
use crate::model::{StaffMember, StaffSession, StaffUser, UserId};
use crate::store::{Batch, Tree, decode};
use crate::{Error, Result};

/// A session ends after this long without a request.
pub const STAFF_SESSION_IDLE: Duration = Duration::hours(2);
/// A session ends this long after sign-in, however busy.
pub const STAFF_SESSION_LIFETIME: Duration = Duration::hours(12);
/// A session's last request is written at most this often.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// What a sign-in attempt came to. An unknown email and a wrong password are one answer.
#[derive(Debug)]
pub enum StaffSignIn {
    /// Signed in: the member, and the value of the session cookie (shown to no one else).
    SignedIn { member: Member, cookie: String },
    /// The email or the password is wrong.
    Refused,
    /// Too many failures lately from this address or for this account: try again after this.
    Wait(Duration),
}

/// What a password change came to.
#[derive(Debug, PartialEq, Eq)]
pub enum PasswordChange {
    /// Changed; every session of the member ended, and the browser that changed it goes on
    /// with a fresh session: this is its cookie's value.
    Changed { cookie: String },
    /// The current password given is wrong; nothing changed.
    WrongPassword,
    /// Too many failures lately: try again after this; nothing was checked.
    Wait(Duration),
}

/// A staff member signed in to the admin through one session: who they are and the token
/// their forms carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub staff: StaffMember,
    /// The session's form token: every admin form carries it in a hidden field.
    pub form_token: String,
    pub session_expires_at: DateTime<Utc>,
}

impl Member {
    /// Whether a form's token is this session's, compared in constant time.
    pub fn form_token_matches(&self, token: &str) -> bool {
        bool::from(self.form_token.as_bytes().ct_eq(token.as_bytes()))
    }

    pub fn is_admin(&self) -> bool {
        self.staff.is_admin()
    }

    /// Refuses a member who is not an admin, saying what only admins may do.
    pub fn require_admin(&self, what: &str) -> Result<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "only an admin can {what}; ask one of the firm's admins"
            )))
        }
    }
}

impl Docket {
    /// Signs a staff member in with `email` and `password` from `address` (the client's IP) on
    /// `device` (its user agent). The throttle is asked first, so a throttled attempt hashes
    /// nothing; an unknown email costs the same hashing as a wrong password.
    pub fn staff_sign_in(
        &self,
        email: &str,
        password: &str,
        address: &str,
        device: &str,
    ) -> Result<StaffSignIn> {
        let attempt = match self.sign_in_gate(email, address)? {
            Gate::Open(attempt) => attempt,
            Gate::Wait(wait) => return Ok(StaffSignIn::Wait(wait)),
        };
        if password.chars().count() > MAX_PASSWORD_LEN {
            return Ok(StaffSignIn::Refused);
        }
        let Some(user) = self.verify_password(email, password)? else {
            tracing::info!(address = %crate::docket::staff::throttle::address_group(address), "a staff sign-in was refused");
            return Ok(StaffSignIn::Refused);
        };
        self.attempt_succeeded(&attempt)?;
        let (member, cookie) = self.start_session(&user, device)?;
        tracing::info!(user = %user.email, address = %crate::docket::staff::throttle::address_group(address), "staff member signed in");
        Ok(StaffSignIn::SignedIn { member, cookie })
    }

    fn start_session(&self, user: &StaffUser, device: &str) -> Result<(Member, String)> {
        let now = self.now();
        let secret = new_secret();
        let session = StaffSession {
            user: user.id,
            created_at: now,
            last_seen_at: now,
            expires_at: now + STAFF_SESSION_LIFETIME,
            device: device
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect(),
        };
        let mut batch = Batch::default();
        // The member's sessions that ended are removed as a new one starts.
        for (key, value) in self.sessions_of(user.id)? {
            if decode::<StaffSession>(&value).map_or(true, |s| !self.live(&s)) {
                batch.remove(Tree::StaffSessions, key);
            }
        }
        batch.put_record(Tree::StaffSessions, session_key(user.id, &secret), &session);
        self.store.commit(batch)?;
        let member = Member {
            staff: StaffMember::from(user),
            form_token: form_token(&secret),
            session_expires_at: session.expires_at,
        };
        Ok((member, format!("{}.{secret}", user.id)))
    }

    /// The member a session cookie is signed in as, while the session lasts. A request counts
    /// as activity for the idle expiry.
    pub fn staff_session(&self, cookie: &str) -> Result<Option<Member>> {
        let Some((user, secret)) = parse_cookie(cookie) else {
            return Ok(None);
        };
        let key = session_key(user, secret);
        let Some(before) = self.store.get(Tree::StaffSessions, &key)? else {
            return Ok(None);
        };
        let mut session: StaffSession = decode(&before)?;
        if !self.live(&session) {
            let mut batch = Batch::default();
            batch.remove(Tree::StaffSessions, key);
            self.store.commit(batch)?;
            return Ok(None);
        }
        let user = match self.user(user) {
            // A disabled member's sessions were ended; none is honoured meanwhile either.
            Ok(u) if u.disabled_at.is_some() => return Ok(None),
            Ok(u) => u,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let now = self.now();
        if now - session.last_seen_at >= TOUCH_EVERY {
            session.last_seen_at = now;
            let mut batch = Batch::default();
            batch.expect(Tree::StaffSessions, key.clone(), Some(before));
            batch.put_record(Tree::StaffSessions, key, &session);
            match self.store.commit(batch) {
                // Another request of the same session touched it meanwhile: as good.
                Ok(()) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Some(Member {
            staff: StaffMember::from(&user),
            form_token: form_token(secret),
            session_expires_at: session.expires_at,
        }))
    }

    /// Ends the session of a cookie (a cookie that names none ends nothing).
    pub fn staff_sign_out(&self, cookie: &str) -> Result<()> {
        let Some((user, secret)) = parse_cookie(cookie) else {
            return Ok(());
        };
        let mut batch = Batch::default();
        batch.remove(Tree::StaffSessions, session_key(user, secret));
        self.store.commit(batch)
    }

    /// Changes the password of the member signed in with `cookie`, given their current one,
    /// from `address`. The new password is checked first (nothing is hashed for a bad one); the
    /// current one goes through the sign-in throttle. Every session of the member ends, this one
    /// too; the browser goes on with the fresh session whose cookie is in the answer.
    pub fn change_password(
        &self,
        cookie: &str,
        current: &str,
        new: &str,
        address: &str,
    ) -> Result<PasswordChange> {
        let member = self
            .staff_session(cookie)?
            .ok_or_else(|| Error::Forbidden("sign in again to change your password".into()))?;
        if new == current {
            return Err(Error::invalid_field(
                "new_password",
                "the new password must differ from the current one",
            ));
        }
        let new_hash = hash_password(new).map_err(|e| e.on_field("new_password"))?;
        let attempt = match self.sign_in_gate(&member.staff.email, address)? {
            Gate::Open(attempt) => attempt,
            Gate::Wait(wait) => return Ok(PasswordChange::Wait(wait)),
        };
        if current.chars().count() > MAX_PASSWORD_LEN
            || self
                .verify_password(&member.staff.email, current)?
                .is_none_or(|u| u.id != member.staff.id)
        {
            return Ok(PasswordChange::WrongPassword);
        }
        self.attempt_succeeded(&attempt)?;
        let (user_id, secret) = parse_cookie(cookie).expect("a live session's cookie parses");
        let fresh = new_secret();
        self.retrying(|| {
            let key = member.staff.id.key();
            let before = self
                .store
                .get(Tree::Users, &key)?
                .ok_or_else(|| Error::not_found("staff user", member.staff.id))?;
            let mut user: StaffUser = decode(&before)?;
            user.password_hash = new_hash.clone();
            let old = session_key(user_id, secret);
            let Some(old_bytes) = self.store.get(Tree::StaffSessions, &old)? else {
                return Err(Error::Forbidden(
                    "sign in again to change your password".into(),
                ));
            };
            let old_session: StaffSession = decode(&old_bytes)?;
            let now = self.now();
            // The password was just proven, as at sign-in: the fresh session's lifetime starts
            // now.
            let session = StaffSession {
                user: user.id,
                created_at: now,
                last_seen_at: now,
                expires_at: now + STAFF_SESSION_LIFETIME,
                device: old_session.device,
            };
            let mut batch = Batch::default();
            batch.expect(Tree::Users, key.clone(), Some(before));
            batch.put_record(Tree::Users, key, &user);
            for (session, _) in self.sessions_of(member.staff.id)? {
                batch.remove(Tree::StaffSessions, session);
            }
            batch.put_record(Tree::StaffSessions, session_key(user.id, &fresh), &session);
            self.store.commit(batch)
        })?;
        tracing::info!(user = %member.staff.email, "staff member changed their password; every session of theirs ended and this browser has a fresh one");
        Ok(PasswordChange::Changed {
            cookie: format!("{}.{fresh}", member.staff.id),
        })
    }

    fn live(&self, session: &StaffSession) -> bool {
        let now = self.now();
        now < session.expires_at && now - session.last_seen_at < STAFF_SESSION_IDLE
    }

    pub(in crate::docket) fn sessions_of(&self, user: UserId) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.store.scan(
            Tree::StaffSessions,
            format!("{user}/").as_bytes(),
            None,
            usize::MAX,
            false,
        )
    }
}

/// `USER.SECRET`, the session cookie's value, split; anything else is no session.
fn parse_cookie(cookie: &str) -> Option<(UserId, &str)> {
    let (user, secret) = cookie.trim().split_once('.')?;
    let valid = secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid || user.len() != 26 {
        return None;
    }
    Some((user.parse().ok()?, secret))
}

fn session_key(user: UserId, secret: &str) -> Vec<u8> {
    format!("{user}/{}", secret_hash(secret)).into_bytes()
}

/// The session's form token: derived from its secret (which the store does not hold), so it
/// needs no storage and is worth nothing without the cookie.
fn form_token(secret: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"docket staff form token\0");
    hash.update(secret.as_bytes());
    URL_SAFE_NO_PAD.encode(hash.finalize())
}

#[cfg(test)]
#[path = "sign_in_tests.rs"]
mod tests;
