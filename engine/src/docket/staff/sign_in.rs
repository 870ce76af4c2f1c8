//! Staff sign-in to the admin: email and password (argon2), behind the sign-in throttle; a
//! server-side session whose secret lives only in the browser's cookie (stored by its
//! SHA-256, under the member's id); idle and absolute expiry; the per-session token every admin
//! form carries; sign-out; and password change, which ends the member's other sessions.

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
    /// Changed; the member's other sessions are ended.
    Changed,
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
    /// current one goes through the sign-in throttle. Every other session of the member ends.
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
            return Err(Error::invalid(
                "the new password must differ from the current one",
            ));
        }
        let new_hash = hash_password(new)?;
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
        let keep = session_key(user_id, secret);
        self.retrying(|| {
            let key = member.staff.id.key();
            let before = self
                .store
                .get(Tree::Users, &key)?
                .ok_or_else(|| Error::not_found("staff user", member.staff.id))?;
            let mut user: StaffUser = decode(&before)?;
            user.password_hash = new_hash.clone();
            let mut batch = Batch::default();
            batch.expect(Tree::Users, key.clone(), Some(before));
            batch.put_record(Tree::Users, key, &user);
            for (session, _) in self.sessions_of(member.staff.id)? {
                if session != keep {
                    batch.remove(Tree::StaffSessions, session);
                }
            }
            self.store.commit(batch)
        })?;
        tracing::info!(user = %member.staff.email, "staff member changed their password; their other sessions ended");
        Ok(PasswordChange::Changed)
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
mod tests {
    use super::*;
    use crate::docket::NewUser;
    use crate::docket::staff::throttle::{ACCOUNT_BACKOFF, ADDRESS_BACKOFF};
    use crate::docket::test_support::docket_at;
    use crate::model::Role;

    const PASSWORD: &str = "correct horse battery";

    fn firm() -> (Docket, std::sync::Arc<crate::ManualClock>) {
        let (docket, clock) = docket_at("2027-01-10T09:00:00Z");
        docket
            .add_user(NewUser {
                email: "sam@firm.example".into(),
                name: "Sam Lee".into(),
                role: Role::Staff,
                password: PASSWORD.into(),
            })
            .unwrap();
        (docket, clock)
    }

    fn sign_in(docket: &Docket, email: &str, password: &str, address: &str) -> StaffSignIn {
        docket
            .staff_sign_in(email, password, address, "test browser")
            .unwrap()
    }

    fn cookie_of(answer: StaffSignIn) -> String {
        match answer {
            StaffSignIn::SignedIn { cookie, .. } => cookie,
            other => panic!("not signed in: {other:?}"),
        }
    }

    fn waits(answer: &StaffSignIn) -> Option<Duration> {
        match answer {
            StaffSignIn::Wait(w) => Some(*w),
            _ => None,
        }
    }

    #[test]
    fn a_session_is_its_cookie_and_only_its_hash_is_stored() {
        let (docket, _) = firm();
        let answer = sign_in(&docket, "Sam@Firm.example", PASSWORD, "203.0.113.7");
        let StaffSignIn::SignedIn { member, cookie } = answer else {
            panic!("not signed in");
        };
        assert_eq!(member.staff.name, "Sam Lee");
        let secret = cookie.split_once('.').unwrap().1;
        let stored = docket
            .store
            .scan(Tree::StaffSessions, b"", None, 10, false)
            .unwrap();
        assert_eq!(stored.len(), 1);
        let raw = format!("{stored:?}");
        assert!(!raw.contains(secret), "the secret is stored");
        assert!(
            String::from_utf8_lossy(&stored[0].0).ends_with(&secret_hash(secret)),
            "stored by its hash"
        );
        let again = docket.staff_session(&cookie).unwrap().unwrap();
        assert_eq!(again, member);
        assert!(again.form_token_matches(&member.form_token));
        assert!(!again.form_token_matches(""));
        assert!(!again.form_token_matches(&format!("{}x", member.form_token)));
        // A forged secret, another member's id, or rubbish is no session.
        let mut forged = cookie.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        for bad in [
            forged.as_str(),
            "",
            "nonsense",
            &format!("{}.{secret}", UserId::new(docket.now())),
        ] {
            assert!(docket.staff_session(bad).unwrap().is_none(), "{bad}");
        }
        docket.staff_sign_out(&cookie).unwrap();
        assert!(docket.staff_session(&cookie).unwrap().is_none());
    }

    #[test]
    fn unknown_email_and_wrong_password_are_one_answer() {
        let (docket, _) = firm();
        assert!(matches!(
            sign_in(&docket, "sam@firm.example", "wrong horse battery", "a"),
            StaffSignIn::Refused
        ));
        assert!(matches!(
            sign_in(&docket, "nobody@firm.example", PASSWORD, "b"),
            StaffSignIn::Refused
        ));
        assert!(matches!(
            sign_in(&docket, "not an email", PASSWORD, "c"),
            StaffSignIn::Refused
        ));
    }

    #[test]
    fn sessions_end_when_idle_and_at_their_lifetime() {
        let (docket, clock) = firm();
        let cookie = cookie_of(sign_in(&docket, "sam@firm.example", PASSWORD, "a"));
        // Used every hour and a half: alive until the lifetime ends.
        let step = Duration::minutes(90);
        let mut elapsed = Duration::zero();
        while elapsed + step < STAFF_SESSION_LIFETIME {
            clock.advance(step);
            elapsed += step;
            assert!(
                docket.staff_session(&cookie).unwrap().is_some(),
                "{elapsed}"
            );
        }
        clock.advance(STAFF_SESSION_LIFETIME - elapsed);
        assert!(docket.staff_session(&cookie).unwrap().is_none());
        // Left alone past the idle limit: gone, and its record with it.
        let cookie = cookie_of(sign_in(&docket, "sam@firm.example", PASSWORD, "a"));
        clock.advance(STAFF_SESSION_IDLE - Duration::seconds(1));
        assert!(docket.staff_session(&cookie).unwrap().is_some());
        clock.advance(STAFF_SESSION_IDLE);
        assert!(docket.staff_session(&cookie).unwrap().is_none());
        assert_eq!(docket.store.len(Tree::StaffSessions).unwrap(), 0);
    }

    #[test]
    fn failures_make_the_account_wait_longer_each_time_but_never_for_good() {
        let (docket, clock) = firm();
        let email = "sam@firm.example";
        for _ in 0..ACCOUNT_BACKOFF.free {
            assert!(matches!(
                sign_in(&docket, email, "wrong", "198.51.100.1"),
                StaffSignIn::Refused
            ));
        }
        // Now even the right password waits, and the refused attempt is not counted.
        let first = waits(&sign_in(&docket, email, PASSWORD, "198.51.100.2")).unwrap();
        assert_eq!(first, ACCOUNT_BACKOFF.first);
        assert_eq!(
            waits(&sign_in(&docket, email, PASSWORD, "198.51.100.2")),
            Some(first)
        );
        clock.advance(first);
        assert!(matches!(
            sign_in(&docket, email, "wrong", "198.51.100.1"),
            StaffSignIn::Refused
        ));
        let second = waits(&sign_in(&docket, email, "wrong", "198.51.100.1")).unwrap();
        assert_eq!(second, first * 2, "the delay grows");
        clock.advance(second);
        let cookie = cookie_of(sign_in(&docket, email, PASSWORD, "198.51.100.2"));
        assert!(docket.staff_session(&cookie).unwrap().is_some());
        // Success clears the account's count.
        assert!(matches!(
            sign_in(&docket, email, "wrong", "198.51.100.1"),
            StaffSignIn::Refused
        ));
    }

    #[test]
    fn a_stranger_cannot_keep_a_member_out_of_their_own_address() {
        let (docket, clock) = firm();
        let email = "sam@firm.example";
        let home = "203.0.113.7";
        cookie_of(sign_in(&docket, email, PASSWORD, home));
        // A stranger hammers the account from elsewhere, as fast as the delays let them,
        // and has just failed again.
        let mut failed = 0;
        while failed < 30 {
            match sign_in(&docket, email, "guess", "192.0.2.66") {
                StaffSignIn::Wait(w) => clock.advance(w),
                StaffSignIn::Refused => failed += 1,
                StaffSignIn::SignedIn { .. } => panic!("a guess signed in"),
            }
        }
        // From another new address the account waits; from home the member signs in at once.
        assert!(waits(&sign_in(&docket, email, PASSWORD, "192.0.2.99")).is_some());
        cookie_of(sign_in(&docket, email, PASSWORD, home));
        // An address's own failures still slow it down, even a known one.
        for _ in 0..ADDRESS_BACKOFF.free {
            sign_in(&docket, email, "typo", home);
        }
        let wait = waits(&sign_in(&docket, email, PASSWORD, home)).unwrap();
        clock.advance(wait);
        cookie_of(sign_in(&docket, email, PASSWORD, home));
    }

    #[test]
    fn a_password_change_needs_the_current_one_and_ends_other_sessions() {
        let (docket, _) = firm();
        let email = "sam@firm.example";
        let here = cookie_of(sign_in(&docket, email, PASSWORD, "a"));
        let there = cookie_of(sign_in(&docket, email, PASSWORD, "b"));
        let new = "a much better passphrase";
        assert_eq!(
            docket.change_password(&here, "wrong", new, "a").unwrap(),
            PasswordChange::WrongPassword
        );
        assert!(
            docket
                .change_password(&here, PASSWORD, "short", "a")
                .unwrap_err()
                .to_string()
                .contains("at least 12")
        );
        assert!(docket.verify_password(email, PASSWORD).unwrap().is_some());
        assert_eq!(
            docket.change_password(&here, PASSWORD, new, "a").unwrap(),
            PasswordChange::Changed
        );
        assert!(docket.verify_password(email, PASSWORD).unwrap().is_none());
        assert!(docket.verify_password(email, new).unwrap().is_some());
        assert!(docket.staff_session(&here).unwrap().is_some());
        assert!(docket.staff_session(&there).unwrap().is_none());
        assert!(matches!(
            docket.change_password("nonsense", new, PASSWORD, "a"),
            Err(Error::Forbidden(_))
        ));
    }

    #[test]
    fn only_admins_pass_the_admin_check() {
        let (docket, _) = firm();
        let cookie = cookie_of(sign_in(&docket, "sam@firm.example", PASSWORD, "a"));
        let member = docket.staff_session(&cookie).unwrap().unwrap();
        let refused = member
            .require_admin("change the firm's settings")
            .unwrap_err();
        assert!(matches!(refused, Error::Forbidden(_)));
        assert_eq!(
            refused.to_string(),
            "only an admin can change the firm's settings; ask one of the firm's admins"
        );
    }
}
