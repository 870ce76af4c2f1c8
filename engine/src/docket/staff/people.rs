//! Staff users, API tokens and contacts.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::docket::Docket;
use crate::model::{
    Actor, ApiToken, Contact, ContactId, EventKind, NewContact, Role, StaffMember, StaffUser,
    UserId, normalise_email,
};
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
        let email = normalise_email(&new.email)?;
        let password_hash = hash_password(&new.password)?;
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
        self.store.commit(batch)?;
        Ok(user)
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

    /// Creates an admin API token (what every token could do before tokens had roles); see
    /// `create_role_token` for a token with another role.
    pub fn create_api_token(&self, name: &str) -> Result<(ApiToken, String)> {
        self.create_role_token(name, Role::Admin)
    }

    pub fn create_contact(&self, new: NewContact, actor: Actor) -> Result<Contact> {
        let email = normalise_email(&new.email)?;
        let name = crate::docket::contacts::edits::contact_name(&new.name, &email)?;
        let timezone =
            crate::docket::contacts::edits::contact_zone(new.timezone.as_deref().unwrap_or(""))?;
        let now = self.now();
        let contact = Contact {
            id: ContactId::new(now),
            name,
            email,
            timezone,
            created_at: now,
            archived_at: None,
        };
        let mut batch = Batch::default();
        batch.create(
            Tree::ContactsByEmail,
            contact.email.as_bytes(),
            contact.id.key(),
            // As typed: the address is found in any case, but the message echoes the input.
            format!("a contact with email {} already exists", new.email.trim()),
        );
        batch.put_record(Tree::Contacts, contact.id.key(), &contact);
        self.record_event(
            &mut batch,
            None,
            Some(contact.id),
            actor,
            EventKind::ContactCreated,
            format!("Contact {} <{}> created", contact.name, contact.email),
        );
        self.store.commit(batch)?;
        Ok(contact)
    }

    /// Archives a contact (deleted from the firm's everyday view): their portal access and
    /// sign-in stop until they are restored. Their records stay.
    pub fn archive_contact(&self, id: ContactId, actor: Actor) -> Result<Contact> {
        self.set_contact_archived(id, true, actor)
    }

    /// Restores an archived contact: their links that have not expired work again.
    pub fn restore_contact(&self, id: ContactId, actor: Actor) -> Result<Contact> {
        self.set_contact_archived(id, false, actor)
    }

    fn set_contact_archived(&self, id: ContactId, archive: bool, actor: Actor) -> Result<Contact> {
        let Some(before) = self.store.get(Tree::Contacts, &id.key())? else {
            return Err(Error::not_found("contact", id));
        };
        let mut contact: Contact = crate::store::decode(&before)?;
        if contact.archived_at.is_some() == archive {
            return Ok(contact);
        }
        contact.archived_at = archive.then(|| self.now());
        let mut batch = Batch::default();
        batch.expect(Tree::Contacts, id.key(), Some(before));
        batch.put_record(Tree::Contacts, id.key(), &contact);
        let (kind, verb) = if archive {
            (EventKind::ContactArchived, "archived; portal access ended")
        } else {
            (EventKind::ContactRestored, "restored")
        };
        self.record_event(
            &mut batch,
            None,
            Some(id),
            actor,
            kind,
            format!("Contact {} <{}> {verb}", contact.name, contact.email),
        );
        self.store.commit(batch)?;
        Ok(contact)
    }

    pub fn contact(&self, id: ContactId) -> Result<Contact> {
        get_record(self.store.as_ref(), Tree::Contacts, &id.key())?
            .ok_or_else(|| Error::not_found("contact", id))
    }

    pub fn contact_by_email(&self, email: &str) -> Result<Option<Contact>> {
        let email = normalise_email(email)?;
        let Some(id) = self.store.get(Tree::ContactsByEmail, email.as_bytes())? else {
            return Ok(None);
        };
        get_record(self.store.as_ref(), Tree::Contacts, &id)
    }

    /// Contacts in creation order, `limit` at a time after the contact `after`.
    pub fn list_contacts(&self, after: Option<ContactId>, limit: usize) -> Result<Vec<Contact>> {
        let after = after.map(|a| a.key());
        scan_records(
            self.store.as_ref(),
            Tree::Contacts,
            b"",
            after.as_deref(),
            limit,
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
mod tests {
    use super::*;
    use crate::docket::test_support::docket_at;

    #[test]
    fn users_sign_in_with_their_password_only() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        let new = NewUser {
            email: "Boss@Firm.example".into(),
            name: "Boss".into(),
            role: Role::Admin,
            password: "correct horse battery".into(),
        };
        let user = docket.add_user(new.clone()).unwrap();
        assert_eq!(user.email, "boss@firm.example");
        assert!(
            docket
                .verify_password("boss@firm.example", "correct horse battery")
                .unwrap()
                .is_some()
        );
        assert!(
            docket
                .verify_password("boss@firm.example", "wrong horse battery")
                .unwrap()
                .is_none()
        );
        assert!(
            docket
                .verify_password("nobody@firm.example", "correct horse battery")
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            docket.add_user(new.clone()),
            Err(Error::Conflict(_))
        ));
        for password in ["short", "            ", "     abc      "] {
            let weak = NewUser {
                email: "x@firm.example".into(),
                password: password.into(),
                ..new.clone()
            };
            assert!(
                docket
                    .add_user(weak)
                    .unwrap_err()
                    .to_string()
                    .contains("at least 12"),
                "{password:?}"
            );
        }
    }

    #[test]
    fn api_tokens_authenticate_by_secret() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        let (token, secret) = docket.create_api_token("ci").unwrap();
        assert!(secret.starts_with("dkt_") && secret.len() == 4 + 43);
        assert_eq!(
            docket.authenticate_api_token(&secret).unwrap().unwrap().id,
            token.id
        );
        let mut forged = secret.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        assert!(docket.authenticate_api_token(&forged).unwrap().is_none());
        assert!(docket.authenticate_api_token("").unwrap().is_none());
        assert_eq!(
            token.role,
            Role::Admin,
            "tokens made without a role are admin tokens"
        );
    }

    #[test]
    fn contacts_are_unique_by_email_and_validated() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        let new = |email: &str, tz: Option<&str>| NewContact {
            name: "Ann Client".into(),
            email: email.into(),
            timezone: tz.map(Into::into),
        };
        let ann = docket
            .create_contact(
                new("ann@client.example", Some("America/New_York")),
                Actor::System,
            )
            .unwrap();
        assert_eq!(
            docket
                .contact_by_email("ANN@client.example")
                .unwrap()
                .unwrap(),
            ann
        );
        let err = docket
            .create_contact(new("Ann@Client.example", None), Actor::System)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a contact with email Ann@Client.example already exists"
        );
        let err = docket
            .create_contact(new("bob@client.example", Some("Mars/Base")), Actor::System)
            .unwrap_err();
        assert!(err.to_string().contains("not an IANA timezone"));
        assert_eq!(docket.list_contacts(None, 10).unwrap().len(), 1);
        assert_eq!(docket.contact_timeline(ann.id, 10).unwrap().len(), 1);
    }
}
