//! Staff users as admins manage them: invited (the member is created without a password and
//! emailed a one-time link to set one, which expires), their role changed, disabled (their
//! sessions end, their API tokens are revoked and sign-in is refused) and enabled again (their
//! ended tokens stay ended). Demoting a member lowers their admin tokens to staff. The firm
//! always keeps an active admin: the last one cannot be demoted or disabled.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::docket::Docket;
use crate::docket::staff::members::hash_password;
use crate::model::{
    MessageKind, OutboundMessage, Role, StaffInvite, StaffMember, StaffUser, TokenEnd, UserId,
    normalise_email,
};
use crate::store::{Batch, Tree, decode};
use crate::{Error, Result};

/// How long an invitation's link works.
pub const INVITE_LIFETIME: chrono::Duration = chrono::Duration::hours(72);

/// Who to invite.
#[derive(Debug, Clone)]
pub struct NewInvite {
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// Every field of an invitation that is wrong (the email, the name), each as an invalid-input
/// error naming its field, so the form says all of them at once rather than the first the
/// engine meets. Empty when each passes its own check (an email a member has is found only
/// when inviting).
pub fn invite_field_problems(email: &str, name: &str) -> Vec<Error> {
    [
        normalise_email(email)
            .map_err(|e| e.on_field("email"))
            .err(),
        invite_name(name).err(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A member's name as invited: at most 200 characters on one line (empty: their email stands).
fn invite_name(name: &str) -> Result<()> {
    let name = name.trim();
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(Error::invalid_field(
            "name",
            "a name is at most 200 characters on one line",
        ));
    }
    Ok(())
}

impl Docket {
    /// Creates a member without a password and queues the email with their one-time link to
    /// set one (`BASE/admin/invite/SECRET`, valid for `INVITE_LIFETIME`), in one batch.
    pub fn invite_user(&self, new: NewInvite, by: &str) -> Result<StaffMember> {
        let email = normalise_email(&new.email).map_err(|e| e.on_field("email"))?;
        invite_name(&new.name)?;
        let name = new.name.trim();
        let name = if name.is_empty() {
            email.clone()
        } else {
            name.to_string()
        };
        let now = self.now();
        let secret = invite_secret();
        let expires_at = now + INVITE_LIFETIME;
        let user = StaffUser {
            id: UserId::new(now),
            email,
            name,
            role: new.role,
            password_hash: String::new(),
            created_at: now,
            disabled_at: None,
            invite: Some(StaffInvite {
                hash: invite_hash(&secret),
                expires_at,
            }),
        };
        let firm = self.firm_settings()?;
        let link = format!(
            "{}/admin/invite/{secret}",
            firm.base_url.trim_end_matches('/')
        );
        let subject = format!("You are invited to {}'s Docket", firm.name);
        let body = format!(
            "Hello {},\n\n{by} invited you to {}'s Docket {}.\n\nSet your password here (the link works once, until {}):\n\n{link}\n\nIf you did not expect this, ignore this email.\n",
            user.name,
            firm.name,
            if user.role == Role::Admin {
                "as an admin"
            } else {
                "as a member of staff"
            },
            expires_at
                .with_timezone(&firm.timezone)
                .format("%-d %b %Y, %H:%M"),
        );
        let message = OutboundMessage {
            custom: Some((subject.clone(), body)),
            subject: Some(subject),
            to_name: Some(user.name.clone()),
            // Staff read Docket in English: its pages and its emails to them.
            context: crate::model::MailContext {
                locale: crate::i18n::DEFAULT.into(),
                ..Default::default()
            },
            ..OutboundMessage::queued(
                format!("invite/{}", user.id),
                MessageKind::HookEmail,
                now,
                user.email.clone(),
                firm.name,
            )
        };
        let mut batch = Batch::default();
        batch.create(
            Tree::UsersByEmail,
            user.email.as_bytes(),
            user.id.key(),
            format!("a staff user with email {} already exists", user.email),
        );
        batch.put_record(Tree::Users, user.id.key(), &user);
        self.queue_message(&mut batch, &message);
        self.store.commit(batch)?;
        Ok(StaffMember::from(&user))
    }

    /// The member an invitation link is for, while it is open.
    pub fn invited_user(&self, secret: &str) -> Result<StaffMember> {
        Ok(StaffMember::from(&self.open_invite(secret)?.1))
    }

    /// Sets the first password of an invited member; the link then works no more.
    pub fn accept_invite(&self, secret: &str, password: &str) -> Result<StaffMember> {
        let password_hash = hash_password(password).map_err(|e| e.on_field("password"))?;
        self.retrying(|| {
            let (before, mut user) = self.open_invite(secret)?;
            user.password_hash = password_hash.clone();
            user.invite = None;
            let mut batch = Batch::default();
            batch.expect(Tree::Users, user.id.key(), Some(before));
            batch.put_record(Tree::Users, user.id.key(), &user);
            self.store.commit(batch)?;
            Ok(StaffMember::from(&user))
        })
    }

    fn open_invite(&self, secret: &str) -> Result<(Vec<u8>, StaffUser)> {
        let hash = invite_hash(secret);
        let gone = || {
            Error::Gone(
                "this invitation link is used, expired or wrong; ask an admin to invite you again"
                    .into(),
            )
        };
        for (_, bytes) in self.store.scan(Tree::Users, b"", None, usize::MAX, false)? {
            let user: StaffUser = decode(&bytes)?;
            let Some(invite) = &user.invite else { continue };
            if invite.hash == hash {
                if invite.expires_at <= self.now() || user.disabled_at.is_some() {
                    return Err(gone());
                }
                return Ok((bytes, user));
            }
        }
        Err(gone())
    }

    /// Gives a member another role, their API tokens lowered to it; the last active admin
    /// stays one. Promoting a member again does not raise their lowered tokens.
    pub fn set_user_role(&self, id_or_email: &str, role: Role) -> Result<StaffMember> {
        self.change_user(id_or_email, |user, others_admin| {
            if user.role == Role::Admin && role != Role::Admin && user.is_active() && !others_admin
            {
                return Err(Error::Conflict(format!(
                    "{} is the last active admin; make another member an admin first",
                    user.email
                )));
            }
            user.role = role;
            Ok(())
        })
    }

    /// Disables a member: their sessions end, their API tokens are revoked, and sign-in is
    /// refused until they are enabled. The last active admin cannot be disabled.
    pub fn disable_user(&self, id_or_email: &str) -> Result<StaffMember> {
        let now = self.now();
        self.change_user(id_or_email, |user, others_admin| {
            if user.disabled_at.is_some() {
                return Ok(());
            }
            if user.role == Role::Admin && user.is_active() && !others_admin {
                return Err(Error::Conflict(format!(
                    "{} is the last active admin; make another member an admin first",
                    user.email
                )));
            }
            user.disabled_at = Some(now);
            Ok(())
        })
    }

    /// Lets a disabled member sign in again; the tokens disabling ended stay revoked.
    pub fn enable_user(&self, id_or_email: &str) -> Result<StaffMember> {
        self.change_user(id_or_email, |user, _| {
            user.disabled_at = None;
            Ok(())
        })
    }

    /// Reads the member, applies `change` (told whether another active admin exists), and
    /// writes it with the end of their sessions and tokens when disabled and their tokens
    /// lowered to their role, guarded against every concurrent change to the staff (so two
    /// admins cannot demote each other at once) and to the tokens it changes.
    fn change_user(
        &self,
        id_or_email: &str,
        change: impl Fn(&mut StaffUser, bool) -> Result<()>,
    ) -> Result<StaffMember> {
        self.retrying(|| {
            let id = self.find_staff(id_or_email)?.id;
            let all = self.store.scan(Tree::Users, b"", None, usize::MAX, false)?;
            let mut batch = Batch::default();
            let mut target = None;
            let mut others_admin = false;
            for (key, bytes) in all {
                let user: StaffUser = decode(&bytes)?;
                batch.expect(Tree::Users, key.clone(), Some(bytes));
                if user.id == id {
                    target = Some(user);
                } else if user.role == Role::Admin && user.is_active() {
                    others_admin = true;
                }
            }
            let mut user = target.ok_or_else(|| Error::not_found("staff user", id))?;
            change(&mut user, others_admin)?;
            if user.disabled_at.is_some() {
                for (session, _) in self.sessions_of(user.id)? {
                    batch.remove(Tree::StaffSessions, session);
                }
            }
            let now = self.now();
            for (key, bytes, mut token) in self.token_entries()? {
                if token.member() != Some(user.id) || token.revoked_at.is_some() {
                    continue;
                }
                let before = token.clone();
                if user.disabled_at.is_some() {
                    token.revoked_at = Some(now);
                    token.revoked_because = Some(TokenEnd::MemberDisabled);
                }
                token.role = token.role.capped_at(user.role);
                if token != before {
                    batch.expect(Tree::ApiTokens, key.clone(), Some(bytes));
                    batch.put_record(Tree::ApiTokens, key, &token);
                }
            }
            batch.put_record(Tree::Users, user.id.key(), &user);
            self.store.commit(batch)?;
            Ok(StaffMember::from(&user))
        })
    }
}

/// An email's text with each invitation link's secret cut off, as the outbox keeps a plain
/// email once it is handed over: the secret lives only in the email on its way out.
pub(crate) fn redact_invite_links(text: &str) -> String {
    const INVITE: &str = "/admin/invite/";
    let mut kept = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(INVITE) {
        kept.push_str(&rest[..start + INVITE.len()]);
        kept.push('…');
        let after = &rest[start + INVITE.len()..];
        rest = &after[after.find(char::is_whitespace).unwrap_or(after.len())..];
    }
    kept.push_str(rest);
    kept
}

fn invite_secret() -> String {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    URL_SAFE_NO_PAD.encode(secret)
}

fn invite_hash(secret: &str) -> String {
    crate::text::hex(&Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
#[path = "membership_tests.rs"]
mod tests;
