//! The work list in the order of one of its columns: client (the first group's contact, by
//! name), status (in `WorkStatus::ALL`'s order: planned, waiting on the client, in progress,
//! completed) or assignee (by name, unassigned last), newest first within each. One index prefix
//! per client, status or member (`work_by_contact`, `work_by_status`, `work_by_assignee`) is read
//! in that order until the page is full, never every work item sorted; a page starts after the
//! previous page's last item, where that item stands now.

use crate::docket::Docket;
use crate::docket::work::list::{WorkFilter, WorkSort, assignee_key};
use crate::docket::work::{contact_key, status_key};
use crate::model::{Contact, UserId, WorkId, WorkItem, WorkStatus};
use crate::store::{Tree, scan_records};
use crate::{Error, Result};

impl Docket {
    /// `list_work` for the orders `Client`, `Status` and `Assignee`.
    pub(super) fn list_by_column(
        &self,
        filter: &WorkFilter,
        after: Option<WorkId>,
        limit: usize,
    ) -> Result<Vec<WorkItem>> {
        // Each section's index prefix, in the list's order; the filters that name one section
        // leave the others out.
        let (tree, sections): (Tree, Vec<Vec<u8>>) = match filter.sort {
            WorkSort::Status => (
                Tree::WorkByStatus,
                WorkStatus::ALL
                    .into_iter()
                    .filter(|s| filter.status.is_none_or(|f| f == *s))
                    .map(|s| status_key(s, None))
                    .collect(),
            ),
            WorkSort::Assignee => {
                let mut members = self.list_users()?;
                members.sort_by_key(|m| (m.name.to_lowercase(), m.email.clone()));
                let mut ids: Vec<Option<UserId>> =
                    members.into_iter().map(|m| Some(m.id)).collect();
                ids.push(None);
                (
                    Tree::WorkByAssignee,
                    ids.into_iter()
                        .filter(|a| filter.assignee.is_none_or(|f| f == *a))
                        .map(|a| assignee_key(a, None))
                        .collect(),
                )
            }
            _ => {
                let mut contacts: Vec<Contact> = scan_records(
                    self.store.as_ref(),
                    Tree::Contacts,
                    b"",
                    None,
                    usize::MAX,
                    false,
                )?;
                contacts.sort_by_key(|c| (c.name.to_lowercase(), c.email.clone()));
                (
                    Tree::WorkByContact,
                    contacts
                        .into_iter()
                        .filter(|c| filter.contact.is_none_or(|f| f == c.id))
                        .map(|c| contact_key(c.id, None))
                        .collect(),
                )
            }
        };
        // The section a work item is listed in: a work item with several clients is listed once,
        // under its first group's.
        let section_of = |work: &WorkItem| match filter.sort {
            WorkSort::Status => Some(status_key(work.status, None)),
            WorkSort::Assignee => Some(assignee_key(work.assignee, None)),
            _ => work.groups.first().map(|g| contact_key(g.recipient, None)),
        };
        let (mut from, mut start) = (0, None);
        if let Some(id) = after {
            let work = self.work(id)?;
            let Some(at) = section_of(&work).and_then(|s| sections.iter().position(|p| *p == s))
            else {
                return Err(Error::invalid(
                    "the work item the page starts after is not in this list any more; list again from the start",
                ));
            };
            from = at;
            start = Some([sections[at].as_slice(), &id.key()].concat());
        }
        let mut out = Vec::new();
        for prefix in &sections[from..] {
            let keeps = |w: &WorkItem| {
                filter.keeps(w) && section_of(w).as_deref() == Some(prefix.as_slice())
            };
            let found = self.index_scan(
                tree,
                prefix,
                start.take(),
                true,
                limit - out.len(),
                |_| true,
                &keeps,
            )?;
            out.extend(found);
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "sorted_tests.rs"]
mod tests;
