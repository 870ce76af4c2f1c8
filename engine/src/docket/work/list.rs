//! The work list, newest, oldest or soonest due first (or by client, status or assignee:
//! `sorted.rs`): work items found by status and sub-status, assignee, next due date, contact,
//! always through an index (`work_by_status`, `work_by_sub_status`, `work_by_assignee`,
//! `work_by_due`, `work_by_contact`), never by reading every work item. The indexes are written by
//! `write_work`, in the batch of every change of a work item.

use chrono::NaiveDate;

use crate::docket::Docket;
use crate::docket::work::{contact_key, status_key};
use crate::model::{ContactId, UserId, WorkId, WorkItem, WorkStatus};
use crate::store::{Batch, Tree, scan_records};
use crate::{Error, Result};

/// Which work items to list. Every filter given must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkFilter {
    pub status: Option<WorkStatus>,
    /// The firm's refinement of the status, e.g. "over reminder limit".
    pub sub_status: Option<String>,
    pub contact: Option<ContactId>,
    /// `Some(None)`: work nobody is assigned to.
    pub assignee: Option<Option<UserId>>,
    /// The earliest due date among the work's open tasks is on or after this date.
    pub due_from: Option<NaiveDate>,
    /// ... and on or before this one.
    pub due_to: Option<NaiveDate>,
    /// Only work that needs staff's attention (a group a plugin cannot plan).
    pub needs_attention: bool,
    /// The order of the list.
    pub sort: WorkSort,
}

/// The order of a work list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WorkSort {
    /// The newest work item first.
    #[default]
    Newest,
    /// The oldest work item first.
    Oldest,
    /// The soonest next due date first; work with no open task is left out.
    NextDue,
    /// By client (the first group's contact's name), newest first for each.
    Client,
    /// By status (planned, waiting on the client, in progress, completed), newest first in each.
    Status,
    /// By assignee's name, unassigned work last, newest first for each.
    Assignee,
}

impl WorkSort {
    pub const ALL: [WorkSort; 6] = [
        WorkSort::Newest,
        WorkSort::Oldest,
        WorkSort::NextDue,
        WorkSort::Client,
        WorkSort::Status,
        WorkSort::Assignee,
    ];

    /// The word a query gives for it.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkSort::Newest => "newest",
            WorkSort::Oldest => "oldest",
            WorkSort::NextDue => "due",
            WorkSort::Client => "client",
            WorkSort::Status => "status",
            WorkSort::Assignee => "assignee",
        }
    }
}

impl WorkFilter {
    /// Whether `work` passes every filter given.
    pub fn keeps(&self, work: &WorkItem) -> bool {
        let due = next_due(work);
        self.status.is_none_or(|s| work.status == s)
            && self
                .sub_status
                .as_ref()
                .is_none_or(|s| work.sub_status.as_ref() == Some(s))
            && self
                .contact
                .is_none_or(|c| work.groups.iter().any(|g| g.recipient == c))
            && self.assignee.is_none_or(|a| work.assignee == a)
            && self
                .due_from
                .is_none_or(|from| due.is_some_and(|d| d >= from))
            && self.due_to.is_none_or(|to| due.is_some_and(|d| d <= to))
            && (!self.needs_attention || needs_attention(work))
    }

    fn has_due_window(&self) -> bool {
        self.due_from.is_some() || self.due_to.is_some()
    }
}

/// What a person or a program gives to filter the work list, as text: the API's query
/// parameters, the admin's filter form and `docket work list`'s options. Empty values are left out.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct WorkListQuery {
    /// `planned`, `waiting_on_client`, `in_progress` or `completed`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub sub_status: Option<String>,
    /// A staff member's email or id, or `none` for unassigned work.
    #[serde(default)]
    pub assignee: Option<String>,
    /// `YYYY-MM-DD`: the next due date is on or after it.
    #[serde(default)]
    pub due_from: Option<String>,
    /// `YYYY-MM-DD`: the next due date is on or before it.
    #[serde(default)]
    pub due_to: Option<String>,
    /// `true` (or `on`, from a checkbox): only work waiting on the client.
    #[serde(default)]
    pub waiting_on_client: Option<String>,
    /// A contact's id or email.
    #[serde(default)]
    pub contact: Option<String>,
    /// `true` (or `on`, from a checkbox): only work that needs staff's attention, such as a
    /// group whose plugin fails.
    #[serde(default)]
    pub needs_attention: Option<String>,
    /// `newest` (the default), `oldest`, `due` (the soonest next due date first; work with no
    /// open task is left out), `client`, `status` or `assignee` (by name, unassigned last).
    #[serde(default)]
    pub sort: Option<String>,
}

/// A yes-or-no query value as a checkbox or a person writes it.
pub fn yes_or_no(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

pub use crate::dates::parse_date;

/// The earliest due date among the work's open tasks: where it stands in `work_by_due`.
pub fn next_due(work: &WorkItem) -> Option<NaiveDate> {
    work.groups
        .iter()
        .flat_map(|g| &g.tasks)
        .filter(|t| t.done_at.is_none())
        .map(|t| t.due_date)
        .min()
}

pub(crate) fn assignee_key(assignee: Option<UserId>, work: Option<WorkId>) -> Vec<u8> {
    let mut key = match assignee {
        Some(user) => format!("{user}/"),
        None => "-/".to_string(),
    }
    .into_bytes();
    if let Some(work) = work {
        key.extend(work.key());
    }
    key
}

pub(crate) fn sub_status_key(sub_status: &str, work: Option<WorkId>) -> Vec<u8> {
    let mut key = format!("{sub_status}/").into_bytes();
    if let Some(work) = work {
        key.extend(work.key());
    }
    key
}

pub(crate) fn due_key(due: NaiveDate, work: WorkId) -> Vec<u8> {
    let mut key = format!("{}/", due.format("%Y-%m-%d")).into_bytes();
    key.extend(work.key());
    key
}

/// The entries the work list's own indexes (formats 5 and 6) hold for `work`.
pub fn work_list_keys(work: &WorkItem) -> Vec<(Tree, Vec<u8>)> {
    let mut keys = vec![(
        Tree::WorkByAssignee,
        assignee_key(work.assignee, Some(work.id)),
    )];
    if let Some(sub) = &work.sub_status {
        keys.push((Tree::WorkBySubStatus, sub_status_key(sub, Some(work.id))));
    }
    if let Some(due) = next_due(work) {
        keys.push((Tree::WorkByDue, due_key(due, work.id)));
    }
    if needs_attention(work) {
        keys.push((Tree::WorkNeedsAttention, work.id.key()));
    }
    keys
}

/// Whether staff should look at `work`: a group a plugin cannot plan.
pub fn needs_attention(work: &WorkItem) -> bool {
    work.groups.iter().any(|g| g.stuck.is_some())
}

/// Moves the work list's index entries from what `old` had to what `new` has.
pub(crate) fn write_work_list_keys(batch: &mut Batch, old: Option<&WorkItem>, new: &WorkItem) {
    let before = old.map(work_list_keys).unwrap_or_default();
    let after = work_list_keys(new);
    for entry in &before {
        if !after.contains(entry) {
            batch.remove(entry.0, entry.1.clone());
        }
    }
    for entry in after {
        if !before.contains(&entry) {
            batch.put(entry.0, entry.1, Vec::new());
        }
    }
}

impl Docket {
    /// Turns the text filters of a query into a `WorkFilter`, naming the value that is wrong
    /// (and, for invalid input, its field).
    pub fn work_filter(&self, query: &WorkListQuery) -> Result<WorkFilter> {
        self.work_filter_fields(query)
            .map_err(|(field, e)| e.on_field(field))
    }

    /// `work_filter`, with the error paired with the field it is about (`status`, `sub_status`,
    /// `assignee`, `due_from`, `due_to`, `waiting_on_client`, `contact`, `sort`), for forms: a staff
    /// member or contact named by an id that is not there is not invalid input (the API answers
    /// it as not found), yet it is about its field too.
    pub fn work_filter_fields(
        &self,
        query: &WorkListQuery,
    ) -> std::result::Result<WorkFilter, (&'static str, Error)> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let mut status = given(&query.status)
            .map(|s| s.parse::<WorkStatus>())
            .transpose()
            .map_err(|e| ("status", e))?;
        let needs_attention = match given(&query.needs_attention) {
            None => false,
            Some(flag) => yes_or_no(&flag).ok_or_else(|| {
                (
                    "needs_attention",
                    Error::invalid(format!(
                        "needs_attention is true or false (or on/off, yes/no), not `{flag}`"
                    )),
                )
            })?,
        };
        if let Some(waiting) = given(&query.waiting_on_client) {
            match yes_or_no(&waiting) {
                Some(true) => {
                    if status.is_some_and(|s| s != WorkStatus::WaitingOnClient) {
                        return Err((
                            "waiting_on_client",
                            Error::invalid(
                                "waiting on client is a status of its own; give it or another status, not both",
                            ),
                        ));
                    }
                    status = Some(WorkStatus::WaitingOnClient);
                }
                Some(false) => {}
                None => {
                    return Err((
                        "waiting_on_client",
                        Error::invalid(format!(
                            "waiting_on_client is true or false (or on/off, yes/no), not `{}`",
                            waiting.to_lowercase()
                        )),
                    ));
                }
            }
        }
        let assignee = match given(&query.assignee) {
            None => None,
            Some(a) if a.eq_ignore_ascii_case("none") => Some(None),
            Some(a) => Some(Some(
                self.staff_id_or_email(&a).map_err(|e| ("assignee", e))?,
            )),
        };
        let contact = match given(&query.contact) {
            None => None,
            Some(c) => Some(self.contact_id_or_email(&c).map_err(|e| ("contact", e))?),
        };
        let due_from = given(&query.due_from)
            .map(|d| parse_date("due_from", &d))
            .transpose()
            .map_err(|e| ("due_from", e))?;
        let due_to = given(&query.due_to)
            .map(|d| parse_date("due_to", &d))
            .transpose()
            .map_err(|e| ("due_to", e))?;
        if let (Some(from), Some(to)) = (due_from, due_to)
            && from > to
        {
            return Err((
                "due_to",
                Error::invalid(format!(
                    "the due window ends ({to}) before it starts ({from}); swap the dates"
                )),
            ));
        }
        let sort = match given(&query.sort) {
            None => WorkSort::Newest,
            Some(sort) => WorkSort::ALL
                .into_iter()
                .find(|s| s.as_str() == sort.to_lowercase())
                .ok_or_else(|| {
                    (
                        "sort",
                        Error::invalid(format!(
                            "sort is newest, oldest, due, client, status or assignee, not `{sort}`"
                        )),
                    )
                })?,
        };
        Ok(WorkFilter {
            sort,
            status,
            sub_status: given(&query.sub_status),
            contact,
            assignee,
            due_from,
            due_to,
            needs_attention,
        })
    }

    /// A staff member by id or by email.
    fn staff_id_or_email(&self, given: &str) -> Result<UserId> {
        let unknown = || {
            Error::invalid(format!(
                "no staff member has the id or email `{}`; give a staff member's email or id, or `none`",
                given.trim()
            ))
        };
        match given.parse::<UserId>() {
            Ok(id) => Ok(self.user(id)?.id),
            // Neither an id nor an email: say so with what was typed, as typed.
            Err(_) if crate::model::normalise_email(given).is_err() => Err(unknown()),
            Err(_) => Ok(self
                .user_by_email(&crate::model::normalise_email(given)?)?
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "no staff user has email {given}; give a staff member's email or id, or `none`"
                    ))
                })?
                .id),
        }
    }

    /// The work list for a query given as text: `work_filter`, then `list_work`.
    pub fn find_work(
        &self,
        query: &WorkListQuery,
        after: Option<WorkId>,
        limit: usize,
    ) -> Result<Vec<WorkItem>> {
        let filter = self.work_filter(query)?;
        self.list_work(&filter, after, limit)
    }

    /// A contact by id or by email.
    pub(crate) fn contact_id_or_email(&self, given: &str) -> Result<ContactId> {
        let given = given.trim();
        if let Ok(id) = given.parse::<ContactId>() {
            return Ok(self.contact(id)?.id);
        }
        match self.contact_by_email(given)? {
            Some(c) => Ok(c.id),
            None => Err(Error::invalid(format!(
                "no contact has the id or email `{given}`"
            ))),
        }
    }

    /// Work items that pass `filter`, `limit` at a time after `after` (a work item of the
    /// previous page), in the filter's order; with a due window always by next due date,
    /// soonest first. One index is read — the due window's, else the sub-status's, the assignee's, the
    /// status's, the contact's — and the other filters are checked on what it finds.
    pub fn list_work(
        &self,
        filter: &WorkFilter,
        after: Option<WorkId>,
        limit: usize,
    ) -> Result<Vec<WorkItem>> {
        if filter.has_due_window() || filter.sort == WorkSort::NextDue {
            // Ordered by date: a page starts after the previous page's last item, where it
            // stands now.
            let start = match after {
                Some(id) => {
                    let work = self.work(id)?;
                    Some(match next_due(&work) {
                        Some(due) => due_key(due, id),
                        None => {
                            return Err(Error::invalid(
                                "the work item the page starts after has no open task any more; list again from the start",
                            ));
                        }
                    })
                }
                None => filter
                    .due_from
                    .map(|from| from.format("%Y-%m-%d").to_string().into_bytes()),
            };
            let to = filter.due_to;
            return self.index_scan(
                Tree::WorkByDue,
                b"",
                start,
                false,
                limit,
                |key| {
                    to.is_none_or(|to| {
                        std::str::from_utf8(&key[..10.min(key.len())])
                            .ok()
                            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                            .is_some_and(|d| d <= to)
                    })
                },
                &|w| filter.keeps(w),
            );
        }
        if matches!(
            filter.sort,
            WorkSort::Client | WorkSort::Status | WorkSort::Assignee
        ) {
            return self.list_by_column(filter, after, limit);
        }
        let (tree, prefix) = if filter.needs_attention {
            (Tree::WorkNeedsAttention, Vec::new())
        } else if let Some(sub) = &filter.sub_status {
            (Tree::WorkBySubStatus, sub_status_key(sub, None))
        } else if let Some(assignee) = filter.assignee {
            (Tree::WorkByAssignee, assignee_key(assignee, None))
        } else if let Some(status) = filter.status {
            (Tree::WorkByStatus, status_key(status, None))
        } else if let Some(contact) = filter.contact {
            (Tree::WorkByContact, contact_key(contact, None))
        } else {
            let after = after.map(|a| a.key());
            return scan_records(
                self.store.as_ref(),
                Tree::Work,
                b"",
                after.as_deref(),
                limit,
                filter.sort == WorkSort::Newest,
            );
        };
        let start = after.map(|a| [prefix.as_slice(), &a.key()].concat());
        let newest = filter.sort == WorkSort::Newest;
        self.index_scan(tree, &prefix, start, newest, limit, |_| true, &|w| {
            filter.keeps(w)
        })
    }

    /// Reads `tree` from `start` (exclusive) while `within` holds, loading the work item of each
    /// entry and keeping those `keeps` keeps, until `limit` are found.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn index_scan(
        &self,
        tree: Tree,
        prefix: &[u8],
        start: Option<Vec<u8>>,
        reverse: bool,
        limit: usize,
        within: impl Fn(&[u8]) -> bool,
        keeps: &dyn Fn(&WorkItem) -> bool,
    ) -> Result<Vec<WorkItem>> {
        let mut out = Vec::new();
        let mut cursor = start;
        let page_size = limit.clamp(16, 1000);
        'pages: while out.len() < limit {
            let page = self
                .store
                .scan(tree, prefix, cursor.as_deref(), page_size, reverse)?;
            let Some((last, _)) = page.last() else { break };
            cursor = Some(last.clone());
            for (key, _) in &page {
                if !within(key) {
                    break 'pages;
                }
                let id = key
                    .rsplit(|b| *b == b'/')
                    .next()
                    .and_then(|id| std::str::from_utf8(id).ok())
                    .and_then(|id| id.parse::<WorkId>().ok())
                    .ok_or_else(|| Error::Storage(format!("corrupt key in {}", tree.name())))?;
                let work = self.work(id)?;
                if keeps(&work) {
                    out.push(work);
                    if out.len() == limit {
                        break 'pages;
                    }
                }
            }
            if page.len() < page_size {
                break;
            }
        }
        Ok(out)
    }
}
