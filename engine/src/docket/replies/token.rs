//! Reply tokens: the `TOKEN` of a group's reply address `LOCAL+TOKEN@DOMAIN`, issued beside
//! each magic link and worth what that link is worth: revoked when the group is resent or its
//! recipient changes. 160 bits from the OS RNG as 32 lower-case base32 letters and digits, so a
//! mail system that folds the case of addresses keeps it; only its SHA-256 is stored.

use rand::RngCore;

use crate::Result;
use crate::docket::Docket;
use crate::docket::sending::token_hash;
use crate::model::{GroupAccess, MagicLink};
use crate::store::{Batch, Tree, get_record};

const TOKEN_LEN: usize = 32;
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

impl Docket {
    /// With `[inbound]`, a fresh reply token for the group `link` opens, its record put in
    /// `batch`: returns the reply address that carries it.
    pub(crate) fn issue_reply_address(
        &self,
        batch: &mut Batch,
        link: &MagicLink,
    ) -> Option<String> {
        let (local, domain) = self.reply_address.as_ref()?;
        let mut raw = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let token = base32(&raw);
        batch.put_record(Tree::ReplyTokens, token_hash(&token), link);
        Some(format!("{local}+{token}@{domain}"))
    }

    /// The token of the firm's reply address among `recipients`, if one carries it.
    pub(crate) fn reply_token_in(&self, recipients: &[String]) -> Option<String> {
        let (local, domain) = self.reply_address.as_ref()?;
        recipients.iter().find_map(|address| {
            let (l, d) = address.rsplit_once('@')?;
            let (base, token) = l.split_once('+')?;
            (base.eq_ignore_ascii_case(local) && d.eq_ignore_ascii_case(domain))
                .then(|| token.to_ascii_lowercase())
        })
    }

    /// A reply address as the outbox keeps it once sent: `replies+…@firm.example`; any other
    /// address unchanged.
    pub(crate) fn redact_reply_address(&self, address: &str) -> String {
        match self.reply_token_in(&[address.to_string()]) {
            Some(_) => {
                let (local, domain) = self.reply_address.as_ref().expect("a token was found");
                format!("{local}+…@{domain}")
            }
            None => address.to_string(),
        }
    }

    /// What a reply token opens: the group's access while the token is live, or why not.
    pub(crate) fn resolve_reply_token(&self, token: &str) -> Result<TokenState> {
        if token.len() != TOKEN_LEN || !token.bytes().all(|b| ALPHABET.contains(&b)) {
            return Ok(TokenState::Unknown);
        }
        let Some(link) =
            get_record::<MagicLink>(self.store.as_ref(), Tree::ReplyTokens, &token_hash(token))?
        else {
            return Ok(TokenState::Unknown);
        };
        let Some(access) = self.access(link.work, link.group)? else {
            return Ok(TokenState::Unknown);
        };
        if link.contact.is_some_and(|c| c != access.contact) || link.generation != access.generation
        {
            return Ok(TokenState::Revoked { link });
        }
        Ok(TokenState::Live { access })
    }
}

/// What a reply token is worth now.
pub(crate) enum TokenState {
    Live {
        access: GroupAccess,
    },
    /// The group was resent or given another recipient since.
    Revoked {
        link: MagicLink,
    },
    Unknown,
}

fn base32(bytes: &[u8; 20]) -> String {
    let mut out = String::with_capacity(TOKEN_LEN);
    let mut buffer = 0u64;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    out
}
