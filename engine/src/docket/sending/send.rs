//! Sending a group, resending it, and reminding. A send or resend is one change of the work
//! item written in one batch with the group's access record, a fresh magic link, the email in
//! the outbox and the timeline events. A reminder's batch holds the work item and a short
//! queued email; its link and body are composed when the outbox claims it for delivery.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::docket::Docket;
use crate::docket::client::ACCESS_AFTER_SEND;
use crate::model::{
    Actor, ClientTaskGroup, Contact, EventKind, GroupAccess, LinkPurpose, LinkStatus, MagicLink,
    MailContext, MessageKind, OutboundMessage, StaffUser, TaskLine, UserId, WorkId, WorkItem,
    WorkStatus,
};
use crate::plugin::{HookEventKind, MAX_REMINDERS_PER_TASK};
use crate::store::{Batch, Tree, get_record};
use crate::{Error, Result};

/// Which email about which group, to whom and from whom.
pub(crate) struct GroupEmail<'a> {
    pub work: &'a WorkItem,
    pub group: usize,
    pub contact: &'a Contact,
    pub sender: &'a Sender,
    pub kind: MessageKind,
    /// The idempotency key.
    pub key: String,
}

/// Who an email about a group is from: a staff member, or the firm itself.
#[derive(Debug, Clone)]
pub(crate) struct Sender {
    pub user: Option<StaffUser>,
}

impl Docket {
    /// Sends a group that was never sent: issues its access and first link and queues the
    /// email. The sender is the group's named sender, else the staff member who pressed Send
    /// (or whose API token asked), else the firm.
    pub fn send_group(&self, id: WorkId, group: usize, actor: Actor) -> Result<WorkItem> {
        self.send_or_resend(id, group, actor, false, None)
    }

    /// Sends a group again: a new link (older ones answer "replaced"), access renewed for 30
    /// days, and every task's reminder count restarted.
    pub fn resend_group(&self, id: WorkId, group: usize, actor: Actor) -> Result<WorkItem> {
        self.send_or_resend(id, group, actor, true, None)
    }

    /// A send or resend; with `name`, the work's external name is set to it first, in the same
    /// batch, so the email carries the name staff confirmed.
    pub(crate) fn send_or_resend(
        &self,
        id: WorkId,
        group: usize,
        actor: Actor,
        resend: bool,
        name: Option<String>,
    ) -> Result<WorkItem> {
        let pressed_by = match &actor {
            Actor::Staff(user) => Some(*user),
            Actor::Api(token) => self.member_of_token(token)?,
            _ => None,
        };
        self.update_work(id, actor.clone(), |work, batch| {
            let g = work
                .groups
                .get(group)
                .ok_or_else(|| Error::invalid(format!("work item has no group {group}")))?;
            if work.status == WorkStatus::Completed {
                return Err(Error::invalid(
                    "the work is completed; reopen it before sending",
                ));
            }
            match (resend, g.sent_at) {
                (false, Some(at)) => {
                    return Err(Error::Conflict(format!(
                        "“{}” was already sent on {}; resend it to issue a new link",
                        g.name,
                        at.format("%Y-%m-%d %H:%M UTC")
                    )));
                }
                (true, None) => {
                    return Err(Error::invalid(format!(
                        "“{}” was never sent; send it first",
                        g.name
                    )));
                }
                _ => {}
            }
            let sender = g.sender.or(pressed_by);
            let renamed = match &name {
                Some(name) if *name != work.external_name => {
                    let was = std::mem::replace(&mut work.external_name, name.clone());
                    format!(" (the name the client sees changed from “{was}” to “{name}” first)")
                }
                _ => String::new(),
            };
            let summary = self.dispatch(work, group, sender, batch)?;
            Ok(Some((EventKind::GroupSent, format!("{summary}{renamed}"))))
        })
    }

    /// Marks group `g` sent now by `sender` and writes its access, link and email to `batch`.
    /// Shared by manual sends, resends and the scheduler's automatic sends.
    pub(crate) fn dispatch(
        &self,
        work: &mut WorkItem,
        g: usize,
        sender: Option<UserId>,
        batch: &mut Batch,
    ) -> Result<String> {
        let now = self.now();
        let contact = self.contact(work.groups[g].recipient)?;
        if contact.archived_at.is_some() {
            return Err(Error::invalid(format!(
                "contact {} is archived; restore them before sending to them",
                contact.email
            )));
        }
        let sender = self.sender(sender)?;
        let resend = work.groups[g].sent_at.is_some();
        let replaces = match work.groups[g].sent_at {
            Some(at) => self.client_day(&contact, at)?,
            None => String::new(),
        };
        {
            let group = &mut work.groups[g];
            group.sent_at = Some(now);
            group.sent_by = sender.user.as_ref().map(|u| u.id);
            group.sends += 1;
            group.reminders_sent = 0;
            group.last_reminder_at = None;
            for task in &mut group.tasks {
                task.reminders_sent = 0;
            }
        }
        if work.status == WorkStatus::Planned {
            work.status = WorkStatus::WaitingOnClient;
        }
        let mut access = self.access(work.id, g)?.unwrap_or(GroupAccess {
            work: work.id,
            group: g,
            contact: contact.id,
            expires_at: now,
            generation: 0,
            device_hash: None,
            bound_at: None,
            awaiting_send: false,
            former_devices: Vec::new(),
        });
        access.awaiting_send = false;
        if resend {
            // Older links now answer "replaced by a newer link".
            access.generation += 1;
        }
        access.contact = contact.id;
        access.expires_at = now + ACCESS_AFTER_SEND;
        batch.put_record(Tree::Access, access_key(work.id, g), &access);
        let link = self.issue_link(batch, &access, LinkPurpose::Send, now)?;
        let group = &work.groups[g];
        let tasks = group
            .tasks
            .iter()
            .filter(|t| t.done_at.is_none())
            .map(|t| self.task_line(t, &contact, now))
            .collect::<Result<Vec<_>>>()?;
        let key = format!("{}/{g}/send/{}", work.id, group.sends);
        let mut message = self.group_email(
            GroupEmail {
                work,
                group: g,
                contact: &contact,
                sender: &sender,
                kind: MessageKind::Request,
                key,
            },
            tasks,
            Vec::new(),
            link,
        )?;
        // The resend made every earlier link of the group answer "replaced": the email says so.
        message.context.replaces = replaces;
        self.queue_guarded_message(batch, &message);
        // Who sent it is the line's actor already: the sentence does not say it again.
        let verb = if resend { "sent again" } else { "sent" };
        let summary = format!("“{}” {verb} to {}", group.name, contact.email);
        self.record_contact_event(
            batch,
            contact.id,
            work.id,
            Actor::System,
            EventKind::GroupSent,
            format!("“{}” of “{}” {verb}", group.name, work.external_name),
        );
        Ok(summary)
    }

    /// Reminds group `g` now about the tasks of `covers` still open and under the cap, if
    /// any: moves their counts on and queues the reminder with only what decides it; its body,
    /// sender and fresh link are composed when it is delivered (`compose_reminder`), so a
    /// scheduler tick writes little per reminder. Returns whether a reminder was queued.
    pub(crate) fn remind(
        &self,
        work: &mut WorkItem,
        g: usize,
        covers: &[usize],
        batch: &mut Batch,
    ) -> Result<bool> {
        let now = self.now();
        let covered: Vec<usize> = covers
            .iter()
            .copied()
            .filter(|&i| {
                work.groups[g].tasks.get(i).is_some_and(|t| {
                    t.done_at.is_none() && t.reminders_sent < u32::from(MAX_REMINDERS_PER_TASK)
                })
            })
            .collect();
        if covered.is_empty() || work.status == WorkStatus::Completed {
            return Ok(false);
        }
        let contact = self.contact(work.groups[g].recipient)?;
        let mut limit_reached = Vec::new();
        let group = &mut work.groups[g];
        group.reminders_sent += 1;
        group.last_reminder_at = Some(now);
        for &i in &covered {
            let task = &mut group.tasks[i];
            task.reminders_sent += 1;
            if task.reminders_sent == u32::from(MAX_REMINDERS_PER_TASK) {
                limit_reached.push(task.title.clone());
            }
        }
        let key = format!(
            "{}/{g}/reminder/{}/{}",
            work.id, group.sends, group.reminders_sent
        );
        let message = OutboundMessage {
            work: Some(work.id),
            group: Some(g),
            contact: Some(contact.id),
            covers: covered,
            compose_at_delivery: true,
            context: MailContext {
                reminder_number: group.reminders_sent,
                ..MailContext::default()
            },
            ..OutboundMessage::queued(
                key,
                MessageKind::Reminder,
                now,
                contact.email.clone(),
                String::new(),
            )
        };
        self.queue_guarded_message(batch, &message);
        for title in limit_reached {
            self.queue_event(
                batch,
                work.id,
                Some(g),
                HookEventKind::ReminderLimitReached { title },
                false,
            );
        }
        Ok(true)
    }

    /// Fills in a reminder the scheduler queued, from `work` as it is now: the covered tasks
    /// still open, the group's other open tasks, who it is from, and a fresh link, whose record
    /// goes into `batch`.
    pub(crate) fn compose_reminder(
        &self,
        message: &mut OutboundMessage,
        work: &WorkItem,
        batch: &mut Batch,
    ) -> Result<()> {
        let now = self.now();
        let g = message
            .group
            .filter(|&g| g < work.groups.len())
            .ok_or_else(|| Error::Storage(format!("reminder {} names no group", message.key)))?;
        let group = &work.groups[g];
        let contact = self.contact(group.recipient)?;
        let sender = self.sender(group.sent_by)?;
        let access = self.access(work.id, g)?.ok_or_else(|| {
            Error::Storage(format!(
                "group {g} of work {} was sent but has no access record",
                work.id
            ))
        })?;
        let link = self.issue_link(batch, &access, LinkPurpose::Reminder, now)?;
        let open = |i: usize| group.tasks.get(i).is_some_and(|t| t.done_at.is_none());
        let tasks = message
            .covers
            .iter()
            .filter(|&&i| open(i))
            .map(|&i| self.task_line(&group.tasks[i], &contact, now))
            .collect::<Result<Vec<_>>>()?;
        let also_open = (0..group.tasks.len())
            .filter(|&i| open(i) && !message.covers.contains(&i))
            .map(|i| self.task_line(&group.tasks[i], &contact, now))
            .collect::<Result<Vec<_>>>()?;
        let composed = self.group_email(
            GroupEmail {
                work,
                group: g,
                contact: &contact,
                sender: &sender,
                kind: MessageKind::Reminder,
                key: message.key.clone(),
            },
            tasks,
            Vec::new(),
            link,
        )?;
        message.to = composed.to;
        message.to_name = composed.to_name;
        message.from_name = composed.from_name;
        message.reply_to = composed.reply_to;
        message.thread = composed.thread;
        message.context = MailContext {
            reminder_number: message.context.reminder_number,
            also_open,
            ..composed.context
        };
        message.compose_at_delivery = false;
        Ok(())
    }

    pub(crate) fn sender(&self, user: Option<UserId>) -> Result<Sender> {
        Ok(Sender {
            user: match user {
                Some(id) => match self.user(id) {
                    Ok(user) => Some(user),
                    // A staff member removed since: the firm sends in their place.
                    Err(Error::NotFound { .. }) => None,
                    Err(e) => return Err(e),
                },
                None => None,
            },
        })
    }

    pub(crate) fn access(&self, work: WorkId, group: usize) -> Result<Option<GroupAccess>> {
        get_record(self.store.as_ref(), Tree::Access, &access_key(work, group))
    }

    /// Issues a fresh link to `access`: returns its URL, and with `[inbound]` a reply address
    /// of the group's; only the tokens' hashes are stored.
    pub(crate) fn issue_link(
        &self,
        batch: &mut Batch,
        access: &GroupAccess,
        purpose: LinkPurpose,
        now: DateTime<Utc>,
    ) -> Result<IssuedLink> {
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let token = URL_SAFE_NO_PAD.encode(raw);
        let link = MagicLink {
            work: access.work,
            group: access.group,
            generation: access.generation,
            issued_at: now,
            purpose,
            contact: Some(access.contact),
        };
        batch.put_record(Tree::Links, token_hash(&token), &link);
        let reply_to = self.issue_reply_address(batch, &link);
        let base = self.firm_settings()?.base_url;
        Ok(IssuedLink {
            url: format!("{}/c/{token}", base.trim_end_matches('/')),
            reply_to,
        })
    }

    /// What a link token presented to the portal is worth now. Reading it changes nothing.
    pub fn resolve_link(&self, token: &str) -> Result<LinkStatus> {
        // A token is 43 base64url characters; anything else is not worth a lookup.
        if token.len() != 43
            || !token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Ok(LinkStatus::Unknown);
        }
        let Some(link) =
            get_record::<MagicLink>(self.store.as_ref(), Tree::Links, &token_hash(token))?
        else {
            return Ok(LinkStatus::Unknown);
        };
        let Some(access) = self.access(link.work, link.group)? else {
            return Ok(LinkStatus::Unknown);
        };
        // Sent to a contact who is no longer the group's recipient: worth nothing to anyone.
        if link.contact.is_some_and(|c| c != access.contact) {
            return Ok(LinkStatus::Reassigned { link });
        }
        Ok(if link.generation != access.generation {
            LinkStatus::Replaced { link }
        } else {
            let access = GroupAccess {
                expires_at: self.access_expiry(&access)?,
                ..access
            };
            if self.now() >= access.expires_at {
                LinkStatus::Expired { link }
            } else {
                LinkStatus::Valid { link, access }
            }
        })
    }

    /// An email about a group to its recipient, ready to queue: `tasks` and `comments` are what
    /// it lists, `link` the fresh magic link it carries.
    pub(crate) fn group_email(
        &self,
        about: GroupEmail<'_>,
        tasks: Vec<TaskLine>,
        comments: Vec<crate::model::CommentLine>,
        link: IssuedLink,
    ) -> Result<OutboundMessage> {
        let GroupEmail {
            work,
            group: g,
            contact,
            sender,
            kind,
            key,
        } = about;
        let firm = self.firm_settings()?;
        let now = self.now();
        let group: &ClientTaskGroup = &work.groups[g];
        // A staff member known only by their address is not named in From: an address in a
        // display name looks like phishing to mail readers. Replies still reach them.
        let (from_name, reply_to, sender_name) = match &sender.user {
            Some(user) if !user.name.contains('@') => (
                format!("{} via {}", user.name, firm.name),
                Some(user.email.clone()),
                Some(user.name.clone()),
            ),
            Some(user) => (firm.name.clone(), Some(user.email.clone()), None),
            // Sent by no member: answers still reach someone, never the no-reply address (with
            // `[inbound]` Docket itself, below, so no member need be looked up).
            None if link.reply_to.is_some() => (firm.name.clone(), None, None),
            None => (
                firm.name.clone(),
                self.answering_member(work.assignee)?.map(|u| u.email),
                None,
            ),
        };
        // With `[inbound]`, replies come back to Docket and reach the sender as a comment.
        let reply_to = link.reply_to.or(reply_to);
        let link = link.url;
        // Reminders and digests answer the group's request, so mail readers thread them.
        let thread = (kind != MessageKind::Request && group.sends > 0)
            .then(|| format!("{}/{g}/send/{}", work.id, group.sends));
        Ok(OutboundMessage {
            work: Some(work.id),
            group: Some(g),
            contact: Some(contact.id),
            to_name: Some(contact.name.clone()),
            reply_to,
            context: MailContext {
                firm_name: firm.name.clone(),
                firm_logo_url: firm.logo_url.clone(),
                contact_name: contact.name.clone(),
                work_name: work.external_name.clone(),
                group_name: group.name.clone(),
                sender_name,
                tasks,
                comments,
                link,
                reminder_number: 0,
                also_open: Vec::new(),
                locale: self.locale_of(contact)?.to_string(),
                replaces: String::new(),
            },
            thread,
            ..OutboundMessage::queued(key, kind, now, contact.email.clone(), from_name)
        })
    }

    /// The day of `at` in the contact's timezone, written in their language.
    fn client_day(&self, contact: &Contact, at: DateTime<Utc>) -> Result<String> {
        let tz = match contact.timezone {
            Some(tz) => tz,
            None => self.firm_settings()?.timezone,
        };
        let day = at.with_timezone(&tz).date_naive();
        Ok(crate::i18n::short_date(self.locale_of(contact)?, day))
    }

    pub(crate) fn task_line(
        &self,
        task: &crate::model::ClientTask,
        contact: &Contact,
        now: DateTime<Utc>,
    ) -> Result<TaskLine> {
        let tz = match contact.timezone {
            Some(tz) => tz,
            None => self.firm_settings()?.timezone,
        };
        Ok(TaskLine {
            title: task.title.clone(),
            description: task.description.clone(),
            due_date: task.due_date.to_string(),
            due_text: crate::i18n::long_date(self.locale_of(contact)?, task.due_date),
            overdue: task.due_date < now.with_timezone(&tz).date_naive(),
            done: task.done_at.is_some(),
        })
    }
}

/// A fresh link as an email carries it: the link's URL, and the group's reply address when
/// the firm has one (`[inbound] reply_address`).
#[derive(Debug, Clone)]
pub(crate) struct IssuedLink {
    pub url: String,
    pub reply_to: Option<String>,
}

pub(crate) fn access_key(work: WorkId, group: usize) -> Vec<u8> {
    format!("{work}/{group:03}").into_bytes()
}

/// The store key of a link: the SHA-256 of its token, hex.
pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    crate::text::hex(&Sha256::digest(token.as_bytes())).into_bytes()
}

#[cfg(test)]
#[path = "send_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "send_links_tests.rs"]
mod link_tests;
