//! What staff do to one work item from its page (and the API): edit its external name and
//! assignee, send a group under a name checked just before, and look at a group's checklist as
//! its client sees it — a preview that binds nothing and is recorded.

use super::Docket;
use super::client::{Checklist, ClientSession};
use crate::model::{Actor, EventKind, WorkId, WorkItem};
use crate::store::Batch;
use crate::{Error, Result};

/// Longest external name or title.
pub const MAX_WORK_NAME_CHARS: usize = 200;

/// A change of a work item's own details; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkDetails {
    /// What the client sees in emails and on the portal.
    #[serde(default)]
    pub external_name: Option<String>,
    /// A staff member's email or id; empty to leave the work unassigned.
    #[serde(default)]
    pub assignee: Option<String>,
}

impl Docket {
    /// Changes the work's external name and assignee, as one event on its timeline.
    pub fn update_work_details(
        &self,
        id: WorkId,
        details: WorkDetails,
        actor: Actor,
    ) -> Result<WorkItem> {
        let name = match details.external_name.as_deref().map(str::trim) {
            None => None,
            Some("") => {
                return Err(Error::invalid(
                    "the name the client sees cannot be empty; give the work a name",
                ));
            }
            Some(n) if n.chars().count() > MAX_WORK_NAME_CHARS => {
                return Err(Error::invalid(format!(
                    "the name the client sees may be at most {MAX_WORK_NAME_CHARS} characters"
                )));
            }
            Some(n) => Some(n.to_string()),
        };
        let assignee = match details.assignee.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(given) => Some(Some(self.assignee(given)?)),
        };
        let name_of = |user: Option<crate::model::UserId>| match user {
            Some(id) => self
                .user(id)
                .map(|u| u.name)
                .unwrap_or_else(|_| id.to_string()),
            None => "nobody".to_string(),
        };
        self.update_work(id, actor, |work, _| {
            let mut changed = Vec::new();
            if let Some(name) = &name
                && *name != work.external_name
            {
                changed.push(format!(
                    "name the client sees “{}” → “{name}”",
                    work.external_name
                ));
                work.external_name = name.clone();
            }
            if let Some(assignee) = assignee
                && assignee != work.assignee
            {
                changed.push(format!(
                    "assignee {} → {}",
                    name_of(work.assignee),
                    name_of(assignee)
                ));
                work.assignee = assignee;
            }
            if changed.is_empty() {
                return Ok(None);
            }
            Ok(Some((EventKind::WorkEdited, changed.join("; "))))
        })
    }

    /// Sends (or, when `resend`, sends again) a group after staff confirmed the name the client
    /// will see: a changed name is saved first, on the timeline, then the group goes out.
    pub fn send_group_named(
        &self,
        id: WorkId,
        group: usize,
        external_name: Option<String>,
        resend: bool,
        actor: Actor,
    ) -> Result<WorkItem> {
        let work = self.work(id)?;
        if group >= work.groups.len() {
            return Err(Error::invalid(format!("work item has no group {group}")));
        }
        if let Some(name) = external_name
            && name.trim() != work.external_name
        {
            self.update_work_details(
                id,
                WorkDetails {
                    external_name: Some(name),
                    assignee: None,
                },
                actor.clone(),
            )?;
        }
        if resend {
            self.resend_group(id, group, actor)
        } else {
            self.send_group(id, group, actor)
        }
    }

    /// A group's checklist exactly as its recipient sees it, locked so nothing can be ticked,
    /// uploaded or written; nothing is bound, and the look is on the work's timeline under the
    /// member of staff's name.
    pub fn view_as_client(&self, id: WorkId, group: usize, actor: Actor) -> Result<Checklist> {
        let work = self.work(id)?;
        let g = work
            .groups
            .get(group)
            .ok_or_else(|| Error::not_found("group", format!("{id}/{group}")))?;
        let session = ClientSession {
            work: id,
            group,
            contact: g.recipient,
            locked: true,
            device_until: None,
        };
        let list = self.checklist(&session)?;
        let who = match &actor {
            Actor::Staff(user) => self
                .user(*user)
                .map(|u| u.name)
                .unwrap_or_else(|_| "a member of staff".into()),
            _ => "staff".into(),
        };
        let mut batch = Batch::default();
        self.record_event(
            &mut batch,
            Some(id),
            None,
            actor,
            EventKind::ViewedAsClient,
            format!("{who} viewed “{}” as {} sees it", g.name, list.contact_name),
        );
        self.store.commit(batch)?;
        Ok(list)
    }
}
