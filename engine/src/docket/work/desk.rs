//! What the staff admin reads, one call per page: the open work at a glance (from the status
//! index, never a scan of every work item), and one work item with its people and timeline,
//! names resolved.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::docket::{Docket, WorkFilter, WorkListQuery};
use crate::model::{
    Actor, Comment, ContactId, KeyInstant, StaffMember, TemplateId, TimelineEvent, UploadedFile,
    UserId, WorkId, WorkItem, WorkStatus,
};
use crate::store::Tree;
use crate::{Error, Result};

/// Most work items of each open status the overview lists.
/// (The home page shows them under the member's desk; the work list has the rest.)
pub const OPEN_WORK_PER_STATUS: usize = 25;
/// Timeline events a work item's page shows.
pub const WORK_TIMELINE_LIMIT: usize = 50;

/// The statuses that are open, in the order the overview shows them: what waits on the client
/// first, what nobody has sent yet last.
pub const OPEN_STATUSES: [WorkStatus; 3] = [
    WorkStatus::WaitingOnClient,
    WorkStatus::InProgress,
    WorkStatus::Planned,
];

/// The names a list looks up once per page: staff, contacts and templates by id.
#[derive(Debug, Default)]
pub struct LineNames {
    staff: HashMap<UserId, Option<String>>,
    contacts: HashMap<ContactId, String>,
    templates: HashMap<TemplateId, String>,
}

/// A work item as a line of the overview.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkLine {
    pub id: WorkId,
    pub title: String,
    pub status: WorkStatus,
    pub sub_status: Option<String>,
    pub start_date: NaiveDate,
    pub assignee: Option<String>,
    pub tasks_done: usize,
    pub tasks_total: usize,
    /// The earliest due date among the open tasks; none once the work is completed.
    pub next_due: Option<NaiveDate>,
    /// A group a plugin cannot plan: staff should look.
    pub needs_attention: bool,
    /// The names of the contacts its groups are sent to, without repeats.
    pub clients: Vec<String>,
    /// The template it was made from, by name.
    pub template: String,
    /// When its clients last ticked, reopened, commented or uploaded.
    pub last_client_activity: Option<DateTime<Utc>>,
    /// While the work repeats: the start dates of its next occurrences (up to three).
    pub repeats: Vec<NaiveDate>,
    /// Its own reminder pause, while in force.
    pub paused: Option<crate::model::ReminderPause>,
}

/// The open work, by status.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenWork {
    /// Each open status with its newest work items (at most `OPEN_WORK_PER_STATUS`), in the
    /// order of `OPEN_STATUSES`, and whether there are more.
    pub by_status: Vec<(WorkStatus, Vec<WorkLine>, bool)>,
}

/// A page of the work list.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkListPage {
    pub lines: Vec<WorkLine>,
    /// Where the next page starts, when there is one.
    pub next_after: Option<WorkId>,
    /// Every staff member, by name: who work can be assigned to.
    pub staff: Vec<StaffMember>,
    /// A filter that is wrong: its field and what to do.
    pub problem: Option<(&'static str, String)>,
}

/// A work item with the names of the people it involves and its latest events.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkSummary {
    pub work: WorkItem,
    pub assignee: Option<StaffMember>,
    /// Per group: the recipient's name and email, and who it was last sent as.
    pub groups: Vec<GroupPeople>,
    /// Newest first, with who did each.
    pub timeline: Vec<(TimelineEvent, String)>,
    /// The work's files, oldest first: the client's uploads and the documents staff attached.
    pub files: Vec<(UploadedFile, String)>,
    /// Oldest first, with who wrote each and the group whose client sees it (none: staff only).
    pub comments: Vec<(Comment, String, Option<usize>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupPeople {
    pub recipient_name: String,
    pub recipient_email: String,
    pub sent_by: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl Docket {
    /// The open work at a glance: the newest items of each open status.
    pub fn open_work(&self) -> Result<OpenWork> {
        let mut names = LineNames::default();
        let mut by_status = Vec::new();
        for status in OPEN_STATUSES {
            let mut items = self.list_work(
                &WorkFilter {
                    status: Some(status),
                    ..WorkFilter::default()
                },
                None,
                OPEN_WORK_PER_STATUS + 1,
            )?;
            let more = items.len() > OPEN_WORK_PER_STATUS;
            items.truncate(OPEN_WORK_PER_STATUS);
            let lines = items
                .iter()
                .map(|work| self.work_line(work, &mut names))
                .collect::<Result<Vec<_>>>()?;
            by_status.push((status, lines, more));
        }
        Ok(OpenWork { by_status })
    }

    /// A work item as a line of a list: its assignee, clients and template by name (looked up
    /// once per call through `names`), and its clients' latest activity.
    pub(crate) fn work_line(&self, work: &WorkItem, names: &mut LineNames) -> Result<WorkLine> {
        let assignee = match work.assignee {
            Some(id) => self.staff_name(id, &mut names.staff)?,
            None => None,
        };
        let mut clients = Vec::new();
        for id in work.recipients() {
            let name = match names.contacts.get(&id) {
                Some(name) => name.clone(),
                None => {
                    let name = match self.contact(id) {
                        Ok(c) => c.name,
                        Err(Error::NotFound { .. }) => "a removed contact".into(),
                        Err(e) => return Err(e),
                    };
                    names.contacts.insert(id, name.clone());
                    name
                }
            };
            if !clients.contains(&name) {
                clients.push(name);
            }
        }
        let template = match names.templates.get(&work.template_id) {
            Some(name) => name.clone(),
            None => {
                let name = match self.template(work.template_id) {
                    Ok(t) => t.name,
                    Err(Error::NotFound { .. }) => "a removed template".into(),
                    Err(e) => return Err(e),
                };
                names.templates.insert(work.template_id, name.clone());
                name
            }
        };
        let last_client_activity = self
            .store
            .get(Tree::WorkClientActivity, &work.id.key())?
            .and_then(|at| KeyInstant::parse_key(&at))
            .map(KeyInstant::get);
        let tasks = work.groups.iter().flat_map(|g| &g.tasks);
        Ok(WorkLine {
            id: work.id,
            title: work.title.clone(),
            status: work.status,
            sub_status: work.sub_status.clone(),
            start_date: work.start_date,
            assignee,
            tasks_done: tasks.clone().filter(|t| t.done_at.is_some()).count(),
            tasks_total: tasks.clone().count(),
            // Completed work is due nothing, whatever tasks it left open.
            next_due: (work.status != WorkStatus::Completed)
                .then(|| crate::docket::next_due(work))
                .flatten(),
            needs_attention: crate::docket::work::list::needs_attention(work),
            clients,
            template,
            last_client_activity,
            repeats: work
                .repeat
                .as_ref()
                .map(|r| r.next.iter().map(|o| o.start_date).collect())
                .unwrap_or_default(),
            // Most work is never paused: the firm's day is read only for work that was.
            paused: match work.paused.as_deref() {
                Some(pause) => self.pause_in_force(Some(pause)),
                None => None,
            },
        })
    }

    /// The work list page: the work passing the filters, `limit` at a time, and the staff to
    /// filter by; a filter that is wrong comes back as a problem with its field, not an error.
    pub fn work_list_page(
        &self,
        query: &WorkListQuery,
        after: Option<WorkId>,
        limit: usize,
    ) -> Result<WorkListPage> {
        let mut staff: Vec<StaffMember> = self
            .list_users()?
            .into_iter()
            .map(StaffMember::from)
            .collect();
        staff.sort_by_key(|m| m.name.to_lowercase());
        let filter = match self.work_filter_fields(query) {
            Ok(filter) => filter,
            Err((field, e @ (Error::Invalid { .. } | Error::NotFound { .. }))) => {
                return Ok(WorkListPage {
                    lines: Vec::new(),
                    next_after: None,
                    staff,
                    problem: Some((field, e.to_string())),
                });
            }
            Err((_, e)) => return Err(e),
        };
        let mut items = self.list_work(&filter, after, limit + 1)?;
        let more = items.len() > limit;
        items.truncate(limit);
        let mut names = LineNames::default();
        let lines = items
            .iter()
            .map(|work| self.work_line(work, &mut names))
            .collect::<Result<Vec<_>>>()?;
        Ok(WorkListPage {
            next_after: if more {
                lines.last().map(|l| l.id)
            } else {
                None
            },
            lines,
            staff,
            problem: None,
        })
    }

    /// One work item for its page: the item, its people by name, its latest events.
    pub fn work_summary(&self, id: WorkId) -> Result<WorkSummary> {
        let work = self.work(id)?;
        let mut names = HashMap::new();
        let assignee = match work.assignee {
            Some(user) => match self.user(user) {
                Ok(u) => Some(StaffMember::from(u)),
                Err(Error::NotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let mut contacts: HashMap<ContactId, (String, String)> = HashMap::new();
        let mut groups = Vec::with_capacity(work.groups.len());
        for g in &work.groups {
            let (name, email) = match contacts.entry(g.recipient) {
                std::collections::hash_map::Entry::Occupied(known) => known.get().clone(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    let found = match self.contact(g.recipient) {
                        Ok(c) => (c.name, c.email),
                        Err(Error::NotFound { .. }) => ("a removed contact".into(), String::new()),
                        Err(e) => return Err(e),
                    };
                    slot.insert(found).clone()
                }
            };
            let sent_by = match (g.sent_at, g.sent_by) {
                (Some(_), Some(user)) => self.staff_name(user, &mut names)?,
                (Some(_), None) => Some(self.firm_settings()?.name),
                (None, _) => None,
            };
            groups.push(GroupPeople {
                recipient_name: name,
                recipient_email: email,
                sent_by,
                sent_at: g.sent_at,
            });
        }
        let mut who_cache: HashMap<String, String> = HashMap::new();
        let mut who_is = |actor: &Actor| -> Result<String> {
            let key = format!("{actor:?}");
            if let Some(known) = who_cache.get(&key) {
                return Ok(known.clone());
            }
            let who = match actor {
                Actor::System => "Docket".to_string(),
                Actor::Staff(user) => self
                    .staff_name(*user, &mut names)?
                    .unwrap_or_else(|| "a former member of staff".into()),
                Actor::Contact(contact) => match contacts.get(contact) {
                    Some((name, _)) => name.clone(),
                    None => match self.contact(*contact) {
                        Ok(c) => c.name,
                        Err(Error::NotFound { .. }) => "a removed contact".into(),
                        Err(e) => return Err(e),
                    },
                },
                Actor::Api(token) => format!("API token “{token}”"),
                Actor::Hook(plugin) => format!("hook “{plugin}”"),
                Actor::CommandLine => "the command line".to_string(),
            };
            who_cache.insert(key, who.clone());
            Ok(who)
        };
        let mut timeline = Vec::new();
        for event in self.work_timeline(id, WORK_TIMELINE_LIMIT)? {
            let who = who_is(&event.actor)?;
            timeline.push((event, who));
        }
        let mut files = Vec::new();
        for file in self.files(id)? {
            let who = who_is(&file.uploaded_by)?;
            files.push((file, who));
        }
        let mut comments = Vec::new();
        for comment in self.comments(id)? {
            let who = who_is(&comment.author)?;
            let group = self.comment_group(&comment, &work);
            comments.push((comment, who, group));
        }
        Ok(WorkSummary {
            work,
            assignee,
            groups,
            timeline,
            files,
            comments,
        })
    }

    /// A staff member's name, looked up once per call.
    fn staff_name(
        &self,
        id: UserId,
        names: &mut HashMap<UserId, Option<String>>,
    ) -> Result<Option<String>> {
        if let Some(name) = names.get(&id) {
            return Ok(name.clone());
        }
        let name = match self.user(id) {
            Ok(u) => Some(u.name),
            Err(Error::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        names.insert(id, name.clone());
        Ok(name)
    }
}

#[cfg(test)]
#[path = "desk_tests.rs"]
mod tests;
