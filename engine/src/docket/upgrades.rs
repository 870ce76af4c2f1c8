//! The domain's part of the data folder's format upgrades: the steps that know records and the
//! index keys the domain derives from them (the file references of uploads, unread
//! notifications, the work list's indexes, search and client activity). The store's upgrade mechanism runs them in order,
//! after its own part of the same step (`store::upgrade`); each is safe to run again after a
//! crash, since putting an index entry twice is harmless.

use crate::Result;
use crate::model::{Contact, StaffNotification, TimelineEvent, UploadedFile, WorkItem};
use crate::store::{Batch, Store, Tree, Upgrade, decode, for_each_entry};

/// Every domain upgrade step, by the format it brings a folder to.
pub const UPGRADES: &[Upgrade] = &[
    Upgrade {
        to: 2,
        what: "the file references of uploaded files",
        run: index_file_refs,
    },
    Upgrade {
        to: 4,
        what: "the index of unread staff notifications",
        run: index_unread_notifications,
    },
    Upgrade {
        to: 5,
        what: "the work list's indexes (assignee, sub-status, next due date)",
        run: index_work_list,
    },
    Upgrade {
        to: 6,
        what: "the needs-attention index, empty until a group is stuck",
        run: nothing_to_index,
    },
    Upgrade {
        to: 7,
        what: "the search index and the index of what clients did",
        run: index_search_and_activity,
    },
    Upgrade {
        to: 8,
        what: "the repeats index, empty until work repeats",
        run: nothing_to_index,
    },
    Upgrade {
        to: 9,
        what: "the trees of replies by email (reply tokens, emails taken, unmatched replies), empty",
        run: nothing_to_index,
    },
];

/// Records read at a time, and index entries written per batch.
const PAGE: usize = 1000;

/// The index entries one record (its key and value) gives.
type Entries<'a> = &'a dyn Fn(&[u8], &[u8]) -> Result<Vec<(Tree, Vec<u8>)>>;

/// Puts the entries `entries` derives from each record of `tree`, a thousand per batch.
fn index_records(store: &dyn Store, tree: Tree, entries: Entries) -> Result<()> {
    let mut batch = Batch::default();
    for_each_entry(store, tree, PAGE, &mut |key, value| {
        for (index, entry) in entries(key, value)? {
            batch.put(index, entry, Vec::new());
        }
        if batch.writes.len() >= PAGE {
            store.commit(std::mem::take(&mut batch))?;
        }
        Ok(())
    })?;
    store.commit(batch)
}

/// Format 2 keeps upload bytes in the file store by hash; `file_refs` says which records
/// reference them.
fn index_file_refs(store: &dyn Store) -> Result<()> {
    index_records(store, Tree::Files, &|_, value| {
        let file: UploadedFile = decode(value)?;
        Ok(vec![(Tree::FileRefs, file.ref_key())])
    })
}

/// Format 4 lists each member's unread notifications, so every page's count reads only those.
fn index_unread_notifications(store: &dyn Store) -> Result<()> {
    index_records(store, Tree::Notifications, &|key, value| {
        let note: StaffNotification = decode(value)?;
        Ok(if note.read {
            Vec::new()
        } else {
            vec![(Tree::UnreadNotifications, key.to_vec())]
        })
    })
}

/// Format 5 indexes work items by assignee, sub-status and next due date.
fn index_work_list(store: &dyn Store) -> Result<()> {
    index_records(store, Tree::Work, &|_, value| {
        let work: WorkItem = decode(value)?;
        Ok(super::work_list_keys(&work))
    })
}

/// Format 6 adds `work_needs_attention` (no group was stuck before it existed), format 8
/// `repeats` (no work repeated before it).
fn nothing_to_index(_: &dyn Store) -> Result<()> {
    Ok(())
}

/// Format 7 indexes the words of work items and contacts for search, and what clients did and
/// which emails failed (from the work items' timelines).
fn index_search_and_activity(store: &dyn Store) -> Result<()> {
    let mut batch = Batch::default();
    for_each_entry(store, Tree::Work, PAGE, &mut |_, value| {
        let work: WorkItem = decode(value)?;
        batch.extend(super::work::search::work_entries(store, &work)?);
        if batch.writes.len() >= PAGE {
            store.commit(std::mem::take(&mut batch))?;
        }
        Ok(())
    })?;
    for_each_entry(store, Tree::Contacts, PAGE, &mut |_, value| {
        let contact: Contact = decode(value)?;
        super::work::search::write_contact_search(&mut batch, None, &contact);
        if batch.writes.len() >= PAGE {
            store.commit(std::mem::take(&mut batch))?;
        }
        Ok(())
    })?;
    store.commit(batch)?;
    index_records(store, Tree::Timeline, &|key, value| {
        if !key.starts_with(b"w/") {
            return Ok(Vec::new());
        }
        let event: TimelineEvent = decode(value)?;
        Ok(super::timeline::activity_entries(&event)
            .into_iter()
            .filter(|(tree, _, _)| *tree == Tree::Activity)
            .map(|(tree, key, _)| (tree, key))
            .collect())
    })?;
    // The latest activity of each work item: the time index read oldest first, so the last
    // put for a work item is its latest.
    let mut batch = Batch::default();
    for_each_entry(store, Tree::Activity, PAGE, &mut |key, _| {
        let text = String::from_utf8_lossy(key);
        let Some(text) = text.strip_prefix(super::timeline::CLIENT_ACTIVITY) else {
            return Ok(());
        };
        let mut parts = text.split('/');
        if let (Some(at), Some(work)) = (parts.next(), parts.next()) {
            batch.put(
                Tree::WorkClientActivity,
                work.as_bytes().to_vec(),
                at.as_bytes().to_vec(),
            );
        }
        if batch.writes.len() >= PAGE {
            store.commit(std::mem::take(&mut batch))?;
        }
        Ok(())
    })?;
    store.commit(batch)
}
