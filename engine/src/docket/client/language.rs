//! Whose language a client page is in when the page itself is about no checklist the request
//! may open — a refusal, a stale link, the sign-in link's button: the contact the request still
//! identifies, by a link's token, a sign-in link's token, the device cookie of a group of the
//! work named in the path, or the signed-in account. None when it identifies no one: the
//! portal then follows the visitor's choice or browser.

use crate::Result;
use crate::docket::Docket;
use crate::docket::client::access::{secret_hash, valid_secret};
use crate::docket::client::account::{SignInLink, link_key};
use crate::model::{ContactId, GroupAccess, LinkStatus, WorkId};
use crate::store::{Tree, get_record, scan_records};

/// Most groups of one work item looked through for a device (a work item has a handful).
const GROUPS_LOOKED_AT: usize = 64;

impl Docket {
    /// The language of the contact a magic link was sent to, live or not.
    pub fn link_locale(&self, token: &str) -> Result<Option<&'static str>> {
        let contact = match self.resolve_link(token)? {
            LinkStatus::Valid { access, .. } => Some(access.contact),
            LinkStatus::Replaced { link }
            | LinkStatus::Expired { link }
            | LinkStatus::Reassigned { link } => link.contact,
            LinkStatus::Unknown => None,
        };
        self.locale_of_id(contact)
    }

    /// The language of the contact a sign-in link was sent to, spent or not.
    pub fn sign_in_locale(&self, token: &str) -> Result<Option<&'static str>> {
        if token.len() != 43 {
            return Ok(None);
        }
        let link: Option<SignInLink> =
            get_record(self.store.as_ref(), Tree::ClientSessions, &link_key(token))?;
        self.locale_of_id(link.map(|l| l.contact))
    }

    /// The language of the contact a browser is known as: the one a group of `work` is (or
    /// was) bound to on this device for, else the signed-in account's.
    pub fn visitor_locale(
        &self,
        work: Option<WorkId>,
        device_secret: Option<&str>,
        account_secret: Option<&str>,
    ) -> Result<Option<&'static str>> {
        let hash = device_secret.filter(|s| valid_secret(s)).map(secret_hash);
        if let (Some(work), Some(hash)) = (work, hash) {
            let prefix = format!("{work}/");
            let groups: Vec<GroupAccess> = scan_records(
                self.store.as_ref(),
                Tree::Access,
                prefix.as_bytes(),
                None,
                GROUPS_LOOKED_AT,
                false,
            )?;
            let bound = groups.iter().find_map(|access| {
                if access.device_hash.as_ref() == Some(&hash) {
                    return Some(access.contact);
                }
                let former = access.former_devices.iter().find(|d| d.hash == hash);
                former.map(|d| d.contact)
            });
            if bound.is_some() {
                return self.locale_of_id(bound);
            }
        }
        let account = self.account_contact(account_secret)?;
        self.locale_of_id(account)
    }

    fn locale_of_id(&self, contact: Option<ContactId>) -> Result<Option<&'static str>> {
        match contact.map(|id| self.live_contact(id)) {
            Some(found) => found?.map(|c| self.locale_of(&c)).transpose(),
            None => Ok(None),
        }
    }
}
