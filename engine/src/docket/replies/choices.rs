//! Where staff may attach an unmatched reply: open work only (completed work is never offered,
//! and `attach_unmatched_reply` refuses it), the sender's own first — the open work of the
//! contact whose address sent it, when one has it — then the work its reply address named, then
//! open work found by client or title (the work search, `work/search.rs`). Each work item comes
//! with its groups, the sender's group first chosen, so a work item with several groups is
//! attached to the right one.

use serde::Serialize;

use crate::docket::Docket;
use crate::docket::work::list::WorkFilter;
use crate::model::{Contact, UnmatchedReply, WorkId, WorkItem, WorkStatus};
use crate::{Error, Result};

/// Most of the sender's open work items offered.
pub const SENDER_CHOICES: usize = 20;
/// The sender's work items read to find their open ones (the newest first).
const SENDER_SCAN: usize = 200;

/// A work item a reply may be attached to, with its groups.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WorkChoice {
    pub id: WorkId,
    pub title: String,
    pub status: WorkStatus,
    pub start_date: chrono::NaiveDate,
    /// Its groups, numbered from 0 as the API numbers them.
    pub groups: Vec<GroupChoice>,
}

/// One group of a work item: who it is sent to.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GroupChoice {
    /// From 0, as the API numbers groups.
    pub group: usize,
    pub name: String,
    pub recipient_name: String,
    pub recipient_email: String,
    /// The group is sent to the reply's sender.
    pub sender: bool,
    /// The group was emailed to its recipient (a manual group may not be yet).
    pub sent: bool,
}

/// The choices for one unmatched reply.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReplyChoices {
    pub reply: UnmatchedReply,
    /// The contact whose address sent the reply, when one has it.
    pub sender: Option<Contact>,
    /// The sender's open work, newest first (at most 20).
    pub sender_work: Vec<WorkChoice>,
    /// The work its reply address named, when it is open and not among the sender's.
    pub named: Option<WorkChoice>,
    /// The query searched for, as given.
    pub query: String,
    /// Open work whose title or clients match the query, not among the above.
    pub found: Vec<WorkChoice>,
    /// More work matched the query than the search lists: a longer query narrows it.
    pub more: bool,
    /// The choice offered first.
    pub first: Option<GroupPick>,
}

/// A work item's group (from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GroupPick {
    pub work: WorkId,
    pub group: usize,
}

impl Docket {
    /// The open work an unmatched reply may be attached to: the sender's, the one its reply
    /// address named, and what `query` finds by client or title.
    pub fn reply_choices(&self, id: &str, query: &str) -> Result<ReplyChoices> {
        let (reply, _) = self.unmatched_reply(id)?;
        let sender = match reply.from.as_str() {
            "" => None,
            from => self.contact_by_email(from).unwrap_or(None),
        };
        let mut seen: Vec<WorkId> = Vec::new();
        let mut sender_work = Vec::new();
        if let Some(contact) = &sender {
            let filter = WorkFilter {
                contact: Some(contact.id),
                ..WorkFilter::default()
            };
            for work in self.list_work(&filter, None, SENDER_SCAN)? {
                if sender_work.len() == SENDER_CHOICES {
                    break;
                }
                if work.status != WorkStatus::Completed {
                    seen.push(work.id);
                    sender_work.push(self.work_choice(&work, &reply.from)?);
                }
            }
        }
        let named = match reply.work {
            Some(id) if !seen.contains(&id) => match self.work(id) {
                Ok(work) if work.status != WorkStatus::Completed => {
                    seen.push(id);
                    Some(self.work_choice(&work, &reply.from)?)
                }
                Ok(_) | Err(Error::NotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            _ => None,
        };
        let query = query.trim().to_string();
        let mut found = Vec::new();
        let mut more = false;
        if !query.is_empty() {
            let results = self.search(&query)?;
            more = results.more;
            for line in results.work {
                if line.status == WorkStatus::Completed || seen.contains(&line.id) {
                    continue;
                }
                match self.work(line.id) {
                    Ok(work) => found.push(self.work_choice(&work, &reply.from)?),
                    Err(Error::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let first = first_choice(&sender_work, named.as_ref(), &found, reply.group);
        Ok(ReplyChoices {
            reply,
            sender,
            sender_work,
            named,
            query,
            found,
            more,
            first,
        })
    }

    fn work_choice(&self, work: &WorkItem, from: &str) -> Result<WorkChoice> {
        let mut groups = Vec::new();
        for (g, group) in work.groups.iter().enumerate() {
            let (recipient_name, recipient_email) = match self.contact(group.recipient) {
                Ok(c) => (c.name, c.email),
                Err(Error::NotFound { .. }) => ("a removed contact".into(), String::new()),
                Err(e) => return Err(e),
            };
            groups.push(GroupChoice {
                group: g,
                name: group.name.clone(),
                sender: !from.is_empty() && recipient_email.eq_ignore_ascii_case(from),
                sent: group.sent_at.is_some(),
                recipient_name,
                recipient_email,
            });
        }
        Ok(WorkChoice {
            id: work.id,
            title: work.title.clone(),
            status: work.status,
            start_date: work.start_date,
            groups,
        })
    }
}

/// The choice offered first: the sender's group of their newest open work; else the group the
/// reply address named; else the first group of the only work found.
fn first_choice(
    sender_work: &[WorkChoice],
    named: Option<&WorkChoice>,
    found: &[WorkChoice],
    named_group: Option<usize>,
) -> Option<GroupPick> {
    if let Some(work) = sender_work.first() {
        let group = work.groups.iter().position(|g| g.sender).unwrap_or(0);
        return Some(GroupPick {
            work: work.id,
            group,
        });
    }
    if let Some(work) = named {
        let group = named_group.filter(|g| *g < work.groups.len()).unwrap_or(0);
        return Some(GroupPick {
            work: work.id,
            group,
        });
    }
    match found {
        [only] => Some(GroupPick {
            work: only.id,
            group: 0,
        }),
        _ => None,
    }
}

#[cfg(test)]
#[path = "choices_tests.rs"]
mod tests;
