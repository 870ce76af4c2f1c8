//! What a client reaches through the portal: a link's landing (which changes nothing), binding a
//! group's access to a device, the checklist and what the client may do on it, and fresh links
//! on request. Every write goes through `ClientSession`, which only `client_session` makes,
//! after checking the device, the expiry and the contact.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::docket::Docket;
use crate::docket::sending::{ACCESS_AFTER_SEND, access_key, token_hash};
use crate::model::{
    Actor, ContactId, EventKind, GroupAccess, LinkPurpose, LinkStatus, MagicLink, MessageKind,
    UploadedFile, WorkId, WorkItem, WorkStatus,
};
use crate::store::{Batch, StoredFile, Tree, decode, get_record};
use crate::{Error, Result};

/// Fresh links a group's recipient may ask for per hour...
pub const NEW_LINKS_PER_GROUP_PER_HOUR: usize = 3;
/// ...and per day across all their groups.
pub const NEW_LINKS_PER_CONTACT_PER_DAY: usize = 10;

/// What a link's page shows before anything is bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Landing {
    pub firm_name: String,
    pub firm_logo_url: Option<String>,
    pub state: LandingState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LandingState {
    /// A live link: the work's external name and the group's name.
    Valid {
        work_name: String,
        group_name: String,
    },
    /// The group was resent or the access expired: a fresh link can be sent to the address
    /// on file.
    Replaced,
    Expired,
    /// Forged, mistyped or deleted: nothing is revealed.
    Unknown,
}

/// What opening a link (the landing page's button) did.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    /// The checklist is open on this device. `new_secret` is set when the device had no
    /// device secret yet: the portal stores it in the device cookie.
    Checklist {
        work: WorkId,
        group: usize,
        new_secret: Option<String>,
    },
    /// The group's checklist is bound to another device.
    OtherDevice {
        work: WorkId,
        group: usize,
    },
    Replaced {
        work: WorkId,
        group: usize,
    },
    Expired {
        work: WorkId,
        group: usize,
    },
    Unknown,
}

/// A device's right to one group's checklist, checked just now.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSession {
    pub work: WorkId,
    pub group: usize,
    pub contact: ContactId,
    /// The work is completed: the checklist is shown locked and every write is refused.
    pub locked: bool,
    /// When a device's session ends unless the store changes first (its access expires);
    /// none for a signed-in account's.
    pub device_until: Option<DateTime<Utc>>,
}

/// Why a device may not see a checklist.
#[derive(Debug, Clone, PartialEq)]
pub enum NoSession {
    /// Never bound here, or bound to another device since.
    OtherDevice,
    Expired,
    /// No such group, no access, or its contact archived.
    Gone,
}

/// The checklist as the client sees it: their group only, their own comments and uploads.
#[derive(Debug, Clone, PartialEq)]
pub struct Checklist {
    pub firm_name: String,
    pub firm_logo_url: Option<String>,
    pub work: WorkId,
    pub work_name: String,
    pub group: usize,
    pub group_name: String,
    pub contact_name: String,
    pub locked: bool,
    pub tasks: Vec<ChecklistTask>,
    /// Comments about the group as a whole, not one task (staff's, mostly).
    pub general: Vec<ChecklistComment>,
    /// The contact's timezone (else the firm's), for showing times.
    pub timezone: chrono_tz::Tz,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistTask {
    pub index: usize,
    pub title: String,
    pub description: String,
    pub due_date: NaiveDate,
    pub done: bool,
    pub overdue: bool,
    /// Documents staff attached: files stored in Docket (downloadable through the portal)...
    pub documents: Vec<UploadedFile>,
    /// ...and documents named in the template that live elsewhere.
    pub links: Vec<(String, Option<String>)>,
    /// The client's own uploads (listed, never served back through the portal).
    pub uploads: Vec<UploadedFile>,
    pub comments: Vec<ChecklistComment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistComment {
    pub author: String,
    pub at: DateTime<Utc>,
    pub body: String,
    pub by_client: bool,
}

impl Docket {
    /// What `GET /c/{token}` shows. Reads only: scanners that open links change nothing.
    pub fn link_landing(&self, token: &str) -> Result<Landing> {
        let firm = self.firm_settings()?;
        let state = match self.resolve_link(token)? {
            LinkStatus::Valid { access, .. } if self.live_contact(access.contact)?.is_none() => {
                LandingState::Unknown
            }
            LinkStatus::Valid { link, .. } => match self.work(link.work) {
                Ok(work) if link.group < work.groups.len() => LandingState::Valid {
                    group_name: work.groups[link.group].name.clone(),
                    work_name: work.external_name,
                },
                Ok(_) | Err(Error::NotFound { .. }) => LandingState::Unknown,
                Err(e) => return Err(e),
            },
            LinkStatus::Replaced { .. } => LandingState::Replaced,
            LinkStatus::Expired { .. } => LandingState::Expired,
            LinkStatus::Unknown => LandingState::Unknown,
        };
        Ok(Landing {
            firm_name: firm.name,
            firm_logo_url: firm.logo_url,
            state,
        })
    }

    /// Opens a link on a device (the landing page's button): binds the group's access to the
    /// device when it is not bound yet, or moves it when the link was asked for after the
    /// binding; the device keeps `device_secret` when it has one. `device` describes the
    /// device for the timeline (e.g. its browser).
    pub fn open_link(
        &self,
        token: &str,
        device_secret: Option<&str>,
        device: &str,
    ) -> Result<Opened> {
        let (link, access) = match self.resolve_link(token)? {
            LinkStatus::Valid { link, access } => (link, access),
            LinkStatus::Replaced { link } => {
                return Ok(Opened::Replaced {
                    work: link.work,
                    group: link.group,
                });
            }
            LinkStatus::Expired { link } => {
                return Ok(Opened::Expired {
                    work: link.work,
                    group: link.group,
                });
            }
            LinkStatus::Unknown => return Ok(Opened::Unknown),
        };
        let (work, group) = (link.work, link.group);
        if self.live_contact(access.contact)?.is_none() {
            return Ok(Opened::Unknown);
        }
        let presented = device_secret.filter(|s| valid_secret(s)).map(secret_hash);
        if presented.is_some() && presented == access.device_hash {
            return Ok(Opened::Checklist {
                work,
                group,
                new_secret: None,
            });
        }
        // A bound checklist moves only for a link asked for after it was bound.
        let moves = access.device_hash.is_some();
        let asked_since = link.purpose == LinkPurpose::Requested
            && access.bound_at.is_some_and(|bound| link.issued_at > bound);
        if moves && !asked_since {
            return Ok(Opened::OtherDevice { work, group });
        }
        let (secret, new_secret) = match device_secret.filter(|s| valid_secret(s)) {
            Some(s) => (s.to_string(), None),
            None => {
                let s = new_secret();
                (s.clone(), Some(s))
            }
        };
        let now = self.now();
        let mut batch = Batch::default();
        let before = self
            .store
            .get(Tree::Access, &access_key(work, group))?
            .ok_or_else(|| Error::Storage("the group's access vanished".into()))?;
        let stored = GroupAccess {
            device_hash: Some(secret_hash(&secret)),
            bound_at: Some(now),
            ..decode::<GroupAccess>(&before)?
        };
        batch.expect(Tree::Access, access_key(work, group), Some(before));
        batch.put_record(Tree::Access, access_key(work, group), &stored);
        let group_name = self.group_name(work, group)?;
        let verb = if moves { "moved to" } else { "opened on" };
        self.record_event(
            &mut batch,
            Some(work),
            Some(access.contact),
            Actor::Contact(access.contact),
            EventKind::DeviceBound,
            format!(
                "Checklist “{group_name}” {verb} a device: {}",
                describe(device)
            ),
        );
        self.store.commit(batch)?;
        Ok(Opened::Checklist {
            work,
            group,
            new_secret,
        })
    }

    /// The session of a device on group `group` of `work`, if it may see it.
    pub fn client_session(
        &self,
        work: WorkId,
        group: usize,
        device_secret: Option<&str>,
    ) -> Result<std::result::Result<ClientSession, NoSession>> {
        let Some(access) = self.access(work, group)? else {
            return Ok(Err(NoSession::Gone));
        };
        let item = match self.work(work) {
            Ok(item) if group < item.groups.len() => item,
            Ok(_) | Err(Error::NotFound { .. }) => return Ok(Err(NoSession::Gone)),
            Err(e) => return Err(e),
        };
        if item.groups[group].recipient != access.contact
            || self.live_contact(access.contact)?.is_none()
        {
            return Ok(Err(NoSession::Gone));
        }
        let presented = device_secret.filter(|s| valid_secret(s)).map(secret_hash);
        if presented.is_none() || presented != access.device_hash {
            return Ok(Err(NoSession::OtherDevice));
        }
        let expiry = self.access_expiry(&access)?;
        if self.now() >= expiry {
            return Ok(Err(NoSession::Expired));
        }
        Ok(Ok(ClientSession {
            work,
            group,
            contact: access.contact,
            locked: item.status == WorkStatus::Completed,
            device_until: Some(expiry),
        }))
    }

    /// The checklist a session may see.
    pub fn checklist(&self, session: &ClientSession) -> Result<Checklist> {
        let firm = self.firm_settings()?;
        let work = self.work(session.work)?;
        let g = session.group;
        let group = &work.groups[g];
        let contact = self.contact(session.contact)?;
        let tz = contact.timezone.unwrap_or(firm.timezone);
        let today = self.now().with_timezone(&tz).date_naive();
        let files = self.files(work.id)?;
        let comments = self.comments(work.id)?;
        let mut tasks: Vec<ChecklistTask> = group
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| ChecklistTask {
                index: i,
                title: t.title.clone(),
                description: t.description.clone(),
                due_date: t.due_date,
                done: t.done_at.is_some(),
                // A completed request asks nothing more: nothing in it is overdue.
                overdue: t.done_at.is_none()
                    && t.due_date < today
                    && work.status != WorkStatus::Completed,
                documents: Vec::new(),
                links: t
                    .documents
                    .iter()
                    .map(|d| (d.name.clone(), d.url.clone()))
                    .collect(),
                uploads: Vec::new(),
                comments: Vec::new(),
            })
            .collect();
        for file in files {
            let Some((fg, ft)) = file.task else { continue };
            if fg != g || ft >= tasks.len() {
                continue;
            }
            match file.uploaded_by {
                Actor::Contact(c) if c == session.contact => tasks[ft].uploads.push(file),
                Actor::Contact(_) => {}
                _ => tasks[ft].documents.push(file),
            }
        }
        let mut general = Vec::new();
        for comment in comments {
            if self.comment_group(&comment, &work) != Some(g) {
                continue;
            }
            let by_client = matches!(comment.author, Actor::Contact(_));
            if !by_client
                && group
                    .recipient_since
                    .is_some_and(|since| comment.at < since)
            {
                continue;
            }
            if let Actor::Contact(c) = comment.author
                && c != session.contact
            {
                continue;
            }
            let line = self.comment_line(&comment, &contact)?;
            let shown = ChecklistComment {
                author: line.author,
                at: comment.at,
                body: comment.body,
                by_client,
            };
            match comment.task.filter(|&t| t < tasks.len()) {
                Some(t) => tasks[t].comments.push(shown),
                None => general.push(shown),
            }
        }
        Ok(Checklist {
            firm_name: firm.name,
            firm_logo_url: firm.logo_url,
            work: work.id,
            work_name: work.external_name.clone(),
            group: g,
            group_name: group.name.clone(),
            contact_name: contact.name,
            locked: session.locked,
            tasks,
            general,
            timezone: tz,
        })
    }

    /// The client ticks a task off. A done task stays done (staff can reopen it).
    pub fn client_complete_task(&self, session: &ClientSession, task: usize) -> Result<()> {
        self.client_can_write(session, task)?;
        self.set_task_done(
            session.work,
            session.group,
            task,
            true,
            Actor::Contact(session.contact),
        )?;
        Ok(())
    }

    /// The client comments on one of their open tasks.
    pub fn client_comment(&self, session: &ClientSession, task: usize, body: &str) -> Result<()> {
        self.client_can_write(session, task)?;
        self.add_comment_on(
            session.work,
            Some((session.group, Some(task))),
            body,
            Actor::Contact(session.contact),
        )?;
        Ok(())
    }

    /// The client's file, already in the file store, attached to one of their open tasks.
    pub fn client_upload(
        &self,
        session: &ClientSession,
        task: usize,
        name: &str,
        content_type: &str,
        stored: StoredFile,
    ) -> Result<UploadedFile> {
        self.client_can_write(session, task)?;
        self.attach_file(
            session.work,
            crate::docket::work::exchange::UploadDetails {
                name: name.to_string(),
                content_type: content_type.to_string(),
                task: Some((session.group, task)),
            },
            stored,
            Actor::Contact(session.contact),
        )
    }

    /// A document staff attached to a task of the session's group, for the client to download.
    pub fn client_document(
        &self,
        session: &ClientSession,
        file: &str,
    ) -> Result<(UploadedFile, crate::store::FileReader)> {
        let (record, reader) = self.download(session.work, file)?;
        let theirs = matches!(record.task, Some((g, _)) if g == session.group)
            && !matches!(record.uploaded_by, Actor::Contact(_));
        if !theirs {
            return Err(Error::not_found("document", file));
        }
        Ok((record, reader))
    }

    fn client_can_write(&self, session: &ClientSession, task: usize) -> Result<()> {
        let work = self.work(session.work)?;
        if work.status == WorkStatus::Completed {
            return Err(Error::Forbidden(
                "this request is completed; nothing more can be changed".into(),
            ));
        }
        let t = work.groups[session.group]
            .tasks
            .get(task)
            .ok_or_else(|| Error::invalid(format!("This checklist has no task {}.", task + 1)))?;
        if t.done_at.is_some() {
            return Err(Error::Forbidden(format!(
                "“{}” is done; ask the firm to reopen it to change it",
                t.title
            )));
        }
        Ok(())
    }

    /// Emails a fresh link to group `group`'s recipient, at the address on file only (never
    /// one typed in): at most 3 per group per hour and 10 per contact per day. The link renews
    /// an expired access for 30 days, and opening it moves the group's binding to the device
    /// that opens it. Answers `Ok(false)` when the limit is reached (nothing sent).
    pub fn request_new_link(&self, work: WorkId, group: usize, device: &str) -> Result<bool> {
        let now = self.now();
        let item = self.work(work)?;
        let Some(access) = self.access(work, group)? else {
            return Err(Error::not_found("access", format!("{work}/{group}")));
        };
        // A group given to another recipient is not theirs to ask for until staff send it.
        if group >= item.groups.len()
            || item.groups[group].recipient != access.contact
            || access.awaiting_send
        {
            return Err(Error::not_found("access", format!("{work}/{group}")));
        }
        let Some(contact) = self.live_contact(access.contact)? else {
            return Err(Error::not_found("access", format!("{work}/{group}")));
        };
        let mut batch = Batch::default();
        let group_key = format!("link/group/{work}/{group}");
        let contact_key = format!("link/contact/{}", contact.id);
        if !self.throttle(
            &mut batch,
            &group_key,
            NEW_LINKS_PER_GROUP_PER_HOUR,
            Duration::hours(1),
        )? || !self.throttle(
            &mut batch,
            &contact_key,
            NEW_LINKS_PER_CONTACT_PER_DAY,
            Duration::days(1),
        )? {
            return Ok(false);
        }
        let Some(before) = self.store.get(Tree::Access, &access_key(work, group))? else {
            return Err(Error::not_found("access", format!("{work}/{group}")));
        };
        let access: GroupAccess = decode(&before)?;
        batch.expect(Tree::Access, access_key(work, group), Some(before));
        let renewed = GroupAccess {
            expires_at: self.access_expiry(&access)?.max(now + ACCESS_AFTER_SEND),
            ..access
        };
        batch.put_record(Tree::Access, access_key(work, group), &renewed);
        let link = self.issue_link(&mut batch, &renewed, LinkPurpose::Requested, now)?;
        let g = &item.groups[group];
        let sender = self.sender(g.sent_by)?;
        let tasks = g
            .tasks
            .iter()
            .filter(|t| t.done_at.is_none())
            .map(|t| self.task_line(t, &contact, now))
            .collect::<Result<Vec<_>>>()?;
        let message = self.group_email(
            crate::docket::sending::GroupEmail {
                work: &item,
                group,
                contact: &contact,
                sender: &sender,
                kind: MessageKind::AccessLink,
                key: format!("{work}/{group}/access/{}", crate::model::new_id(now)),
            },
            tasks,
            Vec::new(),
            link,
        )?;
        self.queue_message(&mut batch, &message);
        self.record_event(
            &mut batch,
            Some(work),
            Some(contact.id),
            Actor::Contact(contact.id),
            EventKind::LinkRequested,
            format!(
                "A new access link to “{}” was asked for from a device ({}) and sent to {}",
                g.name,
                describe(device),
                contact.email
            ),
        );
        self.store.commit(batch)?;
        Ok(true)
    }

    /// Counts one more occurrence of `key` in `batch` if fewer than `limit` happened within
    /// `window`; false (and nothing written) when the limit is reached.
    pub(crate) fn throttle(
        &self,
        batch: &mut Batch,
        key: &str,
        limit: usize,
        window: Duration,
    ) -> Result<bool> {
        let now = self.now();
        let before = self.store.get(Tree::Throttle, key.as_bytes())?;
        let mut recent: Vec<DateTime<Utc>> = match &before {
            Some(bytes) => serde_json::from_slice(bytes).unwrap_or_default(),
            None => Vec::new(),
        };
        recent.retain(|at| now - *at < window);
        if recent.len() >= limit {
            return Ok(false);
        }
        recent.push(now);
        batch.expect(Tree::Throttle, key.as_bytes(), before);
        batch.put(
            Tree::Throttle,
            key.as_bytes(),
            serde_json::to_vec(&recent).expect("instants serialise"),
        );
        Ok(true)
    }

    /// The contact, unless archived or gone.
    pub(crate) fn live_contact(&self, id: ContactId) -> Result<Option<crate::model::Contact>> {
        match self.contact(id) {
            Ok(c) if c.archived_at.is_none() => Ok(Some(c)),
            Ok(_) | Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn group_name(&self, work: WorkId, group: usize) -> Result<String> {
        let item: WorkItem = self.work(work)?;
        Ok(item
            .groups
            .get(group)
            .map(|g| g.name.clone())
            .unwrap_or_default())
    }

    /// A link record, for tests and tools.
    #[doc(hidden)]
    pub fn link_record(&self, token: &str) -> Result<Option<MagicLink>> {
        get_record(self.store.as_ref(), Tree::Links, &token_hash(token))
    }
}

/// A fresh device secret: 256 bits from the OS, base64url.
pub fn new_secret() -> String {
    use base64::Engine as _;
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// What is stored of a device secret.
pub fn secret_hash(secret: &str) -> String {
    crate::text::hex(&Sha256::digest(secret.as_bytes()))
}

/// A secret is 43 base64url characters; anything else is not worth hashing.
fn valid_secret(secret: &str) -> bool {
    secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A device's description for the timeline: printable, at most 120 characters.
fn describe(device: &str) -> String {
    let clean: String = device
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    if clean.trim().is_empty() {
        "an unknown browser".into()
    } else {
        clean
    }
}
