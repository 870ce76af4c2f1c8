//! The client account: a contact signs in with a link emailed to the address on file and sees
//! their requests across work items. A sign-in link lasts 15 minutes and is spent by the
//! sign-in itself (a `POST`), never by opening it; the request form answers the same whether or
//! not the address belongs to a contact.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::docket::Docket;
use crate::docket::client::{ClientSession, new_secret, secret_hash};
use crate::docket::sending::token_hash;
use crate::model::{
    Actor, ContactId, EventKind, MailContext, MessageKind, OutboundMessage, Record, WorkId,
    WorkStatus, normalise_email,
};
use crate::store::{Batch, Tree, get_record};
use crate::{Error, Result};

/// A sign-in link works this long after it is sent.
pub const SIGN_IN_LINK_LIFETIME: Duration = Duration::minutes(15);
/// A signed-in account stays signed in this long.
pub const ACCOUNT_SESSION_LIFETIME: Duration = Duration::hours(12);
/// Sign-in emails per address per hour, and per contact per day.
pub const SIGN_INS_PER_ADDRESS_PER_HOUR: usize = 3;
pub const SIGN_INS_PER_CONTACT_PER_DAY: usize = 10;
/// Most work items of each kind an account lists.
pub const ACCOUNT_LIST_LIMIT: usize = 100;

/// A sign-in link, stored under `link/` and the SHA-256 of its token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInLink {
    pub contact: ContactId,
    pub issued_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl Record for SignInLink {
    const KIND: &'static str = "sign-in link";
    const VERSION: u16 = 1;
}

/// A signed-in account, stored under `session/` and the SHA-256 of its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSession {
    pub contact: ContactId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Record for AccountSession {
    const KIND: &'static str = "account session";
    const VERSION: u16 = 1;
}

/// What asking for a sign-in link did. Both answers look the same to whoever asked, whether or
/// not the address is a contact's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRequest {
    /// A link was sent if the address is a contact's (nothing is said either way).
    Accepted,
    /// Too many requests for this address lately.
    Limited,
}

/// What a sign-in link is worth now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInLinkState {
    Valid,
    /// Used, expired, forged, or its contact archived: one answer for all.
    Invalid,
}

/// A work item as the account lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountItem {
    pub work: WorkId,
    pub work_name: String,
    pub completed: bool,
    /// The contact's groups on it that were sent: (position, name, open tasks).
    pub groups: Vec<(usize, String, usize)>,
    pub updated_at: DateTime<Utc>,
}

/// What the account page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub contact_name: String,
    pub email: String,
    pub open: Vec<AccountItem>,
    pub completed: Vec<AccountItem>,
}

impl Docket {
    /// Emails a sign-in link to `email` if it is a live contact's address. Always answers
    /// `Accepted` unless the address asked too often lately.
    pub fn request_sign_in(&self, email: &str) -> Result<SignInRequest> {
        let Ok(email) = normalise_email(email) else {
            // Not an address at all: the same answer as an unknown one.
            return Ok(SignInRequest::Accepted);
        };
        let mut batch = Batch::default();
        if !self.throttle(
            &mut batch,
            &format!("sign-in/address/{email}"),
            SIGN_INS_PER_ADDRESS_PER_HOUR,
            Duration::hours(1),
        )? {
            return Ok(SignInRequest::Limited);
        }
        let contact = match self.contact_by_email(&email)? {
            Some(c) if c.archived_at.is_none() => c,
            // Counted all the same, so a stranger learns nothing from the limit either.
            _ => {
                self.store.commit(batch)?;
                return Ok(SignInRequest::Accepted);
            }
        };
        if !self.throttle(
            &mut batch,
            &format!("sign-in/contact/{}", contact.id),
            SIGN_INS_PER_CONTACT_PER_DAY,
            Duration::days(1),
        )? {
            return Ok(SignInRequest::Limited);
        }
        let now = self.now();
        let token = new_secret();
        batch.put_record(
            Tree::ClientSessions,
            link_key(&token),
            &SignInLink {
                contact: contact.id,
                issued_at: now,
                used_at: None,
            },
        );
        let firm = self.firm_settings()?;
        let link = format!("{}/account/s/{token}", firm.base_url.trim_end_matches('/'));
        let message = OutboundMessage {
            contact: Some(contact.id),
            to_name: Some(contact.name.clone()),
            // A client who answers the email reaches the firm's admin, not a no-reply address.
            reply_to: self.answering_member(None)?.map(|u| u.email),
            context: MailContext {
                firm_name: firm.name.clone(),
                firm_logo_url: firm.logo_url.clone(),
                contact_name: contact.name.clone(),
                link,
                locale: self.locale_of(&contact)?.to_string(),
                ..MailContext::default()
            },
            ..OutboundMessage::queued(
                format!("sign-in/{}/{}", contact.id, crate::model::new_id(now)),
                MessageKind::SignIn,
                now,
                contact.email.clone(),
                firm.name.clone(),
            )
        };
        self.queue_message(&mut batch, &message);
        self.store.commit(batch)?;
        Ok(SignInRequest::Accepted)
    }

    /// What a sign-in link is worth. Reads only: opening the link spends nothing.
    pub fn sign_in_link(&self, token: &str) -> Result<SignInLinkState> {
        Ok(match self.live_sign_in_link(token)? {
            Some(_) => SignInLinkState::Valid,
            None => SignInLinkState::Invalid,
        })
    }

    fn live_sign_in_link(&self, token: &str) -> Result<Option<(Vec<u8>, SignInLink)>> {
        if token.len() != 43 {
            return Ok(None);
        }
        let key = link_key(token);
        let Some(bytes) = self.store.get(Tree::ClientSessions, &key)? else {
            return Ok(None);
        };
        let link: SignInLink = crate::store::decode(&bytes)?;
        let live = link.used_at.is_none()
            && self.now() - link.issued_at < SIGN_IN_LINK_LIFETIME
            && self.live_contact(link.contact)?.is_some();
        Ok(live.then_some((bytes, link)))
    }

    /// Signs in with a link (spending it): returns the new account session's secret, for the
    /// account cookie, or `None` when the link is not valid.
    pub fn sign_in(&self, token: &str, device: &str) -> Result<Option<String>> {
        let Some((before, link)) = self.live_sign_in_link(token)? else {
            return Ok(None);
        };
        let now = self.now();
        let mut batch = Batch::default();
        batch.expect(Tree::ClientSessions, link_key(token), Some(before));
        batch.put_record(
            Tree::ClientSessions,
            link_key(token),
            &SignInLink {
                used_at: Some(now),
                ..link.clone()
            },
        );
        let secret = new_secret();
        batch.put_record(
            Tree::ClientSessions,
            session_key(&secret),
            &AccountSession {
                contact: link.contact,
                created_at: now,
                expires_at: now + ACCOUNT_SESSION_LIFETIME,
            },
        );
        let device: String = device
            .chars()
            .filter(|c| !c.is_control())
            .take(120)
            .collect();
        self.record_event(
            &mut batch,
            None,
            Some(link.contact),
            Actor::Contact(link.contact),
            EventKind::SignedIn,
            format!("Signed in to the client account from a device: {device}"),
        );
        match self.store.commit(batch) {
            Ok(()) => Ok(Some(secret)),
            // Spent by a concurrent sign-in.
            Err(Error::Conflict(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The contact an account cookie is signed in as, if it still is.
    pub fn account_contact(&self, secret: Option<&str>) -> Result<Option<ContactId>> {
        let Some(secret) = secret.filter(|s| s.len() == 43) else {
            return Ok(None);
        };
        let Some(session): Option<AccountSession> = get_record(
            self.store.as_ref(),
            Tree::ClientSessions,
            &session_key(secret),
        )?
        else {
            return Ok(None);
        };
        if self.now() >= session.expires_at || self.live_contact(session.contact)?.is_none() {
            return Ok(None);
        }
        Ok(Some(session.contact))
    }

    /// Ends an account session.
    pub fn sign_out(&self, secret: &str) -> Result<()> {
        let mut batch = Batch::default();
        batch.remove(Tree::ClientSessions, session_key(secret));
        self.store.commit(batch)
    }

    /// The signed-in client chose `locale` on an account page: kept on their contact. False
    /// (and nothing kept) without a live session.
    pub fn account_set_locale(&self, secret: Option<&str>, locale: &str) -> Result<bool> {
        let Some(contact) = self.account_contact(secret)? else {
            return Ok(false);
        };
        self.contact_chooses_locale(contact, locale)?;
        Ok(true)
    }

    /// The holder of a live sign-in link chose `locale` on its page: kept on the link's contact.
    /// False (and nothing kept) when the link signs no one in.
    pub fn sign_in_link_set_locale(&self, token: &str, locale: &str) -> Result<bool> {
        let Some((_, link)) = self.live_sign_in_link(token)? else {
            return Ok(false);
        };
        self.contact_chooses_locale(link.contact, locale)?;
        Ok(true)
    }

    /// The account page: up to 100 open and the last 100 completed work items with a sent group
    /// for the contact.
    pub fn account(&self, contact: ContactId) -> Result<Account> {
        let who = self.contact(contact)?;
        let keys = self.store.scan(
            Tree::WorkByContact,
            &crate::docket::work::contact_key(contact, None),
            None,
            usize::MAX,
            false,
        )?;
        let mut open = Vec::new();
        let mut completed = Vec::new();
        for (key, _) in keys {
            let id = String::from_utf8_lossy(&key[key.len().saturating_sub(26)..]).to_string();
            let Ok(id) = id.parse::<WorkId>() else {
                continue;
            };
            let work = match self.work(id) {
                Ok(w) => w,
                Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let groups: Vec<(usize, String, usize)> = work
                .groups
                .iter()
                .enumerate()
                .filter(|(_, g)| g.recipient == contact && g.sent_at.is_some())
                .map(|(i, g)| {
                    let open = g.tasks.iter().filter(|t| t.done_at.is_none()).count();
                    (i, g.name.clone(), open)
                })
                .collect();
            if groups.is_empty() {
                continue;
            }
            let item = AccountItem {
                work: work.id,
                work_name: work.external_name.clone(),
                completed: work.status == WorkStatus::Completed,
                groups,
                updated_at: work.updated_at,
            };
            if item.completed {
                completed.push(item);
            } else {
                open.push(item);
            }
        }
        open.sort_by_key(|i| std::cmp::Reverse(i.updated_at));
        completed.sort_by_key(|i| std::cmp::Reverse(i.updated_at));
        open.truncate(ACCOUNT_LIST_LIMIT);
        completed.truncate(ACCOUNT_LIST_LIMIT);
        Ok(Account {
            contact_name: who.name,
            email: who.email,
            open,
            completed,
        })
    }

    /// A checklist session through the account: any sent group of the contact's, without a
    /// device binding (signing in proved the address).
    pub fn account_session(
        &self,
        contact: ContactId,
        work: WorkId,
        group: usize,
    ) -> Result<Option<ClientSession>> {
        let item = match self.work(work) {
            Ok(w) => w,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(g) = item.groups.get(group) else {
            return Ok(None);
        };
        if g.recipient != contact || g.sent_at.is_none() || self.access(work, group)?.is_none() {
            return Ok(None);
        }
        Ok(Some(ClientSession {
            work,
            group,
            contact,
            locked: item.status == WorkStatus::Completed,
            device_until: None,
            holder: format!("account/{contact}"),
        }))
    }
}

pub(in crate::docket) fn link_key(token: &str) -> Vec<u8> {
    let mut key = b"link/".to_vec();
    key.extend(token_hash(token));
    key
}

fn session_key(secret: &str) -> Vec<u8> {
    format!("session/{}", secret_hash(secret)).into_bytes()
}
