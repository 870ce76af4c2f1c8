//! Staff members: added with a password (argon2id), found by id or email, listed.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::docket::Docket;
use crate::model::{Role, StaffMember, StaffUser, UserId, normalise_email};
use crate::store::{Batch, Tree, get_record, scan_records};
use crate::{Error, Result};

/// Shortest password accepted for a staff user.
pub const MIN_PASSWORD_LEN: usize = 12;
/// Longest password accepted: hashing takes longer the longer the password.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// What is needed to add a staff user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

impl Docket {
    pub fn add_user(&self, new: NewUser) -> Result<StaffUser> {
        let (user, batch) = self.new_user_batch(new)?;
        self.store.commit(batch)?;
        Ok(user)
    }

    /// A new member, checked, and the batch that adds them (their email is unique).
    pub(crate) fn new_user_batch(&self, new: NewUser) -> Result<(StaffUser, Batch)> {
        let email = normalise_email(&new.email).map_err(|e| e.on_field("email"))?;
        let password_hash = hash_password(&new.password).map_err(|e| e.on_field("password"))?;
        let name = if new.name.trim().is_empty() {
            email.clone()
        } else {
            new.name.trim().to_string()
        };
        let user = StaffUser {
            id: UserId::new(self.now()),
            email,
            name,
            role: new.role,
            password_hash,
            created_at: self.now(),
            disabled_at: None,
            invite: None,
        };
        let mut batch = Batch::default();
        batch.create(
            Tree::UsersByEmail,
            user.email.as_bytes(),
            user.id.key(),
            format!("a staff user with email {} already exists", user.email),
        );
        batch.put_record(Tree::Users, user.id.key(), &user);
        Ok((user, batch))
    }

    /// The user with this email and password, or `None`. Takes as long for an unknown email as for
    /// a wrong password, so sign-in does not reveal who has an account.
    pub fn verify_password(&self, email: &str, password: &str) -> Result<Option<StaffUser>> {
        let user = match normalise_email(email) {
            Ok(email) => self.user_by_email(&email)?,
            Err(_) => None,
        };
        // A fixed hash of a random password stands in for unknown users.
        const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$W0sdTTzr4bJ6EVuJSxU7v0pYlNmbUq2aLaqPLzp3CpQ";
        // A disabled member, or one whose invitation waits, is checked against the decoy too:
        // the answer takes as long, and is no.
        let user = user.filter(StaffUser::is_active);
        let hash = user.as_ref().map_or(DECOY, |u| u.password_hash.as_str());
        let parsed = PasswordHash::new(hash)
            .map_err(|e| Error::Storage(format!("stored password hash is unreadable: {e}")))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(user.filter(|_| ok))
    }

    pub fn user_by_email(&self, email: &str) -> Result<Option<StaffUser>> {
        let Some(id) = self.store.get(Tree::UsersByEmail, email.as_bytes())? else {
            return Ok(None);
        };
        get_record(self.store.as_ref(), Tree::Users, &id)
    }

    pub fn user(&self, id: UserId) -> Result<StaffUser> {
        get_record(self.store.as_ref(), Tree::Users, &id.key())?
            .ok_or_else(|| Error::not_found("user", id))
    }

    /// The firm's staff as pages and the API show them, without password hashes.
    pub fn list_staff(&self) -> Result<Vec<StaffMember>> {
        Ok(self.list_users()?.iter().map(StaffMember::from).collect())
    }

    /// A staff member by id or email, as shown.
    pub fn find_staff(&self, id_or_email: &str) -> Result<StaffMember> {
        let found = match id_or_email.parse::<UserId>() {
            Ok(id) => get_record(self.store.as_ref(), Tree::Users, &id.key())?,
            Err(_) => match normalise_email(id_or_email) {
                Ok(email) => self.user_by_email(&email)?,
                Err(_) => {
                    return Err(Error::invalid(format!(
                        "`{id_or_email}` is neither a user id nor an email address"
                    )));
                }
            },
        };
        found
            .map(StaffMember::from)
            .ok_or_else(|| Error::not_found("staff user", id_or_email))
    }

    /// Who a client's answer reaches when no member sent the email (the scheduler, a token of
    /// no member): the work's assignee while active, else the firm's first active admin.
    pub(crate) fn answering_member(&self, assignee: Option<UserId>) -> Result<Option<StaffUser>> {
        if let Some(id) = assignee {
            match self.user(id) {
                Ok(user) if user.disabled_at.is_none() => return Ok(Some(user)),
                Ok(_) | Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self
            .list_users()?
            .into_iter()
            .filter(|u| u.role == Role::Admin && u.disabled_at.is_none())
            .min_by_key(|u| u.created_at))
    }

    pub fn list_users(&self) -> Result<Vec<StaffUser>> {
        scan_records(
            self.store.as_ref(),
            Tree::Users,
            b"",
            None,
            usize::MAX,
            false,
        )
    }
}

/// A new password's argon2id hash (PHC string), once it is long enough and not too long.
pub(crate) fn hash_password(password: &str) -> Result<String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LEN {
        return Err(Error::invalid(format!(
            "the password must be at least {MIN_PASSWORD_LEN} characters long"
        )));
    }
    if length > MAX_PASSWORD_LEN {
        return Err(Error::invalid(format!(
            "the password may be at most {MAX_PASSWORD_LEN} characters long"
        )));
    }
    // Twelve spaces are twelve characters, and no password at all.
    if password.trim().chars().count() < MIN_PASSWORD_LEN {
        return Err(Error::invalid(format!(
            "the password must have at least {MIN_PASSWORD_LEN} characters besides spaces"
        )));
    }
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| Error::invalid(format!("cannot hash the password: {e}")))?
        .to_string())
}

#[cfg(test)]
#[path = "members_tests.rs"]
mod tests;
