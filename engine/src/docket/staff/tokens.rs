//! What admins manage about who may use Docket and how it reaches people: API tokens with their
//! roles and the member each belongs to (created, listed, revoked, their last use recorded),
//! and a test email through the configured transport.
//!
//! A token made by a member carries that member's rights and no more: it is refused while they
//! are disabled, never does more than their current role, ends (is revoked) in the batch that
//! disables them and is lowered to staff in the batch that demotes them (`membership.rs`). A
//! token made with another token belongs to that token's creator, so a member cannot launder
//! their rights through a fresh token. Tokens made on the command line without `--member`, and
//! tokens from before creators were recorded, belong to no member.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::docket::Docket;
use crate::model::{
    ApiToken, MessageKind, OutboundMessage, Role, StaffUser, TokenCreator, TokenEnd, TokenId,
    UserId,
};
use crate::store::{Batch, Tree, decode, get_record};
use crate::{Error, Result};

/// Prefix of API token secrets, so a leaked one is recognisable in logs and secret scanners.
const TOKEN_PREFIX: &str = "dkt_";
/// A token's last use is written at most this often, so a busy script does not write on every
/// request: a token's `last_used_at` may be up to this much behind its latest use.
const LAST_USED_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// A token as stored: its key (the secret's hash), its bytes and its record.
pub(super) type TokenEntry = (Vec<u8>, Vec<u8>, ApiToken);

/// What is wrong with a token's name as typed, by its own check (a name a live token has is
/// found only when creating): for a form that says every wrong field at once.
pub fn token_name_problem(name: &str) -> Option<Error> {
    let name = name.trim();
    if name.is_empty() {
        return Some(Error::invalid_field(
            "name",
            "an API token needs a name saying what uses it",
        ));
    }
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Some(Error::invalid_field(
            "name",
            "a token's name is at most 100 characters on one line",
        ));
    }
    None
}

impl Docket {
    /// Creates an API token with `role` made `by` someone; the secret is returned once and only
    /// its hash is kept. Its name tells it apart in the list, so a name a live token has is
    /// refused. A member's token needs the member active and a role no higher than theirs.
    pub fn create_api_token(
        &self,
        name: &str,
        role: Role,
        by: TokenCreator,
    ) -> Result<(ApiToken, String)> {
        if let Some(refused) = token_name_problem(name) {
            return Err(refused);
        }
        let name = name.trim();
        if self
            .token_entries()?
            .iter()
            .any(|(_, _, t)| t.revoked_at.is_none() && t.name.eq_ignore_ascii_case(name))
        {
            return Err(Error::invalid_field(
                "name",
                format!(
                    "a live token is already named `{name}`; give this one another name, or revoke that one first"
                ),
            ));
        }
        let mut batch = Batch::default();
        let created_by = match by {
            TokenCreator::Member { id, .. } => {
                let (bytes, member) = self.token_member(id)?;
                if member.disabled_at.is_some() {
                    return Err(Error::Forbidden(format!(
                        "{} is disabled and cannot make API tokens",
                        member.email
                    )));
                }
                if role.capped_at(member.role) != role {
                    return Err(Error::invalid_field(
                        "role",
                        format!(
                            "{} has the {} role, so their tokens can have no more than that",
                            member.email, member.role
                        ),
                    ));
                }
                // Disabling or demoting the member while this commits would miss the token.
                batch.expect(Tree::Users, id.key(), Some(bytes));
                TokenCreator::Member {
                    id,
                    email: member.email,
                }
            }
            other => other,
        };
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let secret = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
        let token = ApiToken {
            id: TokenId::new(self.now()),
            name: name.to_string(),
            created_at: self.now(),
            role,
            created_by,
            last_used_at: None,
            revoked_at: None,
            revoked_because: None,
        };
        batch.put_record(Tree::ApiTokens, token_hash(&secret), &token);
        self.store.commit(batch)?;
        Ok((token, secret))
    }

    /// The live token whose secret this is, if any, with the role it may use now; a revoked
    /// token, or one whose member is disabled or gone, is no token, and a member's token never
    /// does more than the member's role. The lookup is by SHA-256 of the secret, so timing
    /// reveals nothing about stored secrets. Records the token's use, at most once a minute.
    pub fn authenticate_api_token(&self, secret: &str) -> Result<Option<ApiToken>> {
        let Some(mut token) = self.use_api_token(secret)? else {
            return Ok(None);
        };
        if let Some(id) = token.member() {
            // Disabling and demoting change the token in the same batch; this read is the
            // second lock on the door, for a token written any other way.
            match get_record::<StaffUser>(self.store.as_ref(), Tree::Users, &id.key())? {
                Some(member) if member.disabled_at.is_none() => {
                    token.role = token.role.capped_at(member.role);
                }
                _ => return Ok(None),
            }
        }
        Ok(Some(token))
    }

    /// The live token whose secret this is, its use recorded.
    fn use_api_token(&self, secret: &str) -> Result<Option<ApiToken>> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let key = token_hash(secret);
        let Some(before) = self.store.get(Tree::ApiTokens, &key)? else {
            return Ok(None);
        };
        let mut token: ApiToken = decode(&before)?;
        if token.revoked_at.is_some() {
            return Ok(None);
        }
        let now = self.now();
        if token
            .last_used_at
            .is_none_or(|last| now - last >= LAST_USED_EVERY)
        {
            token.last_used_at = Some(now);
            let mut batch = Batch::default();
            batch.expect(Tree::ApiTokens, key.clone(), Some(before));
            batch.put_record(Tree::ApiTokens, key, &token);
            match self.store.commit(batch) {
                // A concurrent request recorded the use, or a revocation: read it again.
                Err(Error::Conflict(_)) => {
                    return Ok(get_record::<ApiToken>(
                        self.store.as_ref(),
                        Tree::ApiTokens,
                        &token_hash(secret),
                    )?
                    .filter(|t| t.revoked_at.is_none()));
                }
                other => other?,
            }
        }
        Ok(Some(token))
    }

    /// Every API token, revoked ones too, oldest first; never a secret or its hash.
    pub fn list_api_tokens(&self) -> Result<Vec<ApiToken>> {
        let mut tokens = self
            .token_entries()?
            .into_iter()
            .map(|(_, _, t)| t)
            .collect::<Vec<_>>();
        tokens.sort_by_key(|t| t.id.key());
        Ok(tokens)
    }

    /// Revokes a token: every request made with it from now on is refused. Revoking a revoked
    /// token changes nothing.
    pub fn revoke_api_token(&self, id: TokenId) -> Result<ApiToken> {
        self.retrying(|| {
            let (key, before, mut token) = self
                .token_entries()?
                .into_iter()
                .find(|(_, _, t)| t.id == id)
                .ok_or_else(|| Error::not_found("api token", id))?;
            if token.revoked_at.is_some() {
                return Ok(token);
            }
            token.revoked_at = Some(self.now());
            token.revoked_because = Some(TokenEnd::Revoked);
            let mut batch = Batch::default();
            batch.expect(Tree::ApiTokens, key.clone(), Some(before));
            batch.put_record(Tree::ApiTokens, key, &token);
            self.store.commit(batch)?;
            Ok(token)
        })
    }

    /// Queues a test email to the member `to`: the sender hands it to the configured
    /// transport (the SMTP relay, or the outbox folder) like any other, and the outbox shows
    /// how it went.
    pub fn queue_test_email(&self, to: UserId) -> Result<OutboundMessage> {
        let member = self.user(to)?;
        let firm = self.firm_settings()?;
        let now = self.now();
        let subject = format!("Test email from {}'s Docket", firm.name);
        let body = format!(
            "Hello {},\n\nThis is the test email you asked for from the admin's settings. It reached you, so Docket's email works: requests and reminders go out the same way.\n",
            member.name
        );
        let message = OutboundMessage {
            custom: Some((subject.clone(), body)),
            subject: Some(subject),
            to_name: Some(member.name.clone()),
            // Staff read Docket in English: its pages and its emails to them.
            context: crate::model::MailContext {
                locale: crate::i18n::DEFAULT.into(),
                ..Default::default()
            },
            ..OutboundMessage::queued(
                format!("test/{}", crate::model::new_id(now)),
                MessageKind::HookEmail,
                now,
                member.email,
                firm.name,
            )
        };
        let mut batch = Batch::default();
        self.queue_message(&mut batch, &message);
        self.store.commit(batch)?;
        Ok(message)
    }

    /// The member `id` as stored, for a token of theirs.
    fn token_member(&self, id: UserId) -> Result<(Vec<u8>, StaffUser)> {
        let bytes = self
            .store
            .get(Tree::Users, &id.key())?
            .ok_or_else(|| Error::not_found("staff user", id))?;
        let member = decode(&bytes)?;
        Ok((bytes, member))
    }

    /// The member a live token named `name` belongs to, if it belongs to one: a send made
    /// through it is theirs, as if they had pressed Send.
    pub(crate) fn member_of_token(&self, name: &str) -> Result<Option<UserId>> {
        Ok(self
            .token_entries()?
            .into_iter()
            .find_map(|(_, _, token)| match token.created_by {
                TokenCreator::Member { id, .. }
                    if token.revoked_at.is_none() && token.name.eq_ignore_ascii_case(name) =>
                {
                    Some(id)
                }
                _ => None,
            }))
    }

    /// The token index as stored: key (the secret's hash), bytes, record. Tokens are few.
    pub(super) fn token_entries(&self) -> Result<Vec<TokenEntry>> {
        self.store
            .scan(Tree::ApiTokens, b"", None, usize::MAX, false)?
            .into_iter()
            .map(|(key, bytes)| {
                let token = decode(&bytes)?;
                Ok((key, bytes, token))
            })
            .collect()
    }
}

fn token_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[cfg(test)]
#[path = "tokens_tests.rs"]
mod tests;
