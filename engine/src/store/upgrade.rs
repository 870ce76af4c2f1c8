//! Store-format upgrades: what a newer docket does, once, to a data folder an older one wrote.
//! Each step is safe to run again if a crash cuts it short; the folder's format is bumped only
//! after the step is complete.

use super::sled_store::SledStore;
use super::{Store, Tree, decode, repack};
use crate::model::{StaffNotification, UploadedFile, WorkItem};
use crate::text::hex;
use crate::{Error, Result};

/// Upgrades a folder of store format `from` to `from + 1`.
pub(super) fn upgrade_from(store: &SledStore, from: u16) -> Result<()> {
    match from {
        1 => files_to_disk(store),
        2 => compress_records(store),
        3 => index_unread_notifications(store),
        4 => index_work_list(store),
        // Format 6 adds `work_needs_attention`; no group was stuck before it, so it starts
        // empty (sled makes the tree when it is first written).
        5 => Ok(()),
        other => Err(Error::Storage(format!(
            "no upgrade from store format {other}"
        ))),
    }
}

/// Format 1 kept file bytes in a `blobs` tree: they move to the file store, and the
/// `file_refs` index is built from the file records.
fn files_to_disk(store: &SledStore) -> Result<()> {
    use sha2::Digest as _;
    let db = store.db();
    if db.tree_names().iter().any(|n| n.as_ref() == b"blobs") {
        let blobs = db.open_tree("blobs")?;
        for item in blobs.iter() {
            let (key, bytes) = item?;
            let stored = store.files().write(&mut bytes.as_ref(), u64::MAX)?;
            if stored.sha256.as_bytes() != key.as_ref() {
                // Kept under its true hash; `docket check` names the record that misses it.
                tracing::warn!(
                    "stored bytes under {} hash to {}",
                    String::from_utf8_lossy(&key),
                    hex(&sha2::Sha256::digest(&bytes))
                );
            }
        }
        db.flush()?;
    }
    let mut batch = super::Batch::default();
    for item in store.tree_iter(Tree::Files) {
        let (_, value) = item?;
        let file: UploadedFile = decode(&value)?;
        batch.put(Tree::FileRefs, file.ref_key(), Vec::new());
        if batch.writes.len() >= 1000 {
            store.commit(std::mem::take(&mut batch))?;
        }
    }
    store.commit(batch)?;
    if db.tree_names().iter().any(|n| n.as_ref() == b"blobs") {
        db.drop_tree("blobs")?;
    }
    store.flush()
}

/// Format 3 stores record bodies compressed (see `encode`): every record written plain before is
/// written again compressed. Values already compressed are left as they are, so running it
/// again after a crash only finishes the job.
fn compress_records(store: &SledStore) -> Result<()> {
    for tree in Tree::ALL.into_iter().filter(|t| t.holds_records()) {
        let mut batch = super::Batch::default();
        for item in store.tree_iter(tree) {
            let (key, value) = item?;
            if let Some(packed) = repack(&value) {
                batch.put(tree, key.to_vec(), packed);
            }
            if batch.writes.len() >= 1000 {
                store.commit(std::mem::take(&mut batch))?;
            }
        }
        store.commit(batch)?;
    }
    store.flush()
}

/// Format 4 indexes each staff member's unread notifications (`unread_notifications`), so the
/// count on every admin page reads only what is unread: the index is built from the
/// notifications not yet read. Putting an entry twice is harmless, so a rerun only finishes.
fn index_unread_notifications(store: &SledStore) -> Result<()> {
    let mut batch = super::Batch::default();
    for item in store.tree_iter(Tree::Notifications) {
        let (key, value) = item?;
        let note: StaffNotification = decode(&value)?;
        if !note.read {
            batch.put(Tree::UnreadNotifications, key.to_vec(), Vec::new());
        }
        if batch.writes.len() >= 1000 {
            store.commit(std::mem::take(&mut batch))?;
        }
    }
    store.commit(batch)?;
    store.flush()
}

/// Format 5 indexes work items by assignee, sub-status and next due date (`work_by_assignee`,
/// `work_by_sub_status`, `work_by_due`), so the work list's filters read indexes: the entries
/// are built from every work item. Putting an entry twice is harmless, so a rerun only finishes.
fn index_work_list(store: &SledStore) -> Result<()> {
    let mut batch = super::Batch::default();
    for item in store.tree_iter(Tree::Work) {
        let (_, value) = item?;
        let work: WorkItem = decode(&value)?;
        for (tree, key) in crate::docket::work_list_keys(&work) {
            batch.put(tree, key, Vec::new());
        }
        if batch.writes.len() >= 1000 {
            store.commit(std::mem::take(&mut batch))?;
        }
    }
    store.commit(batch)?;
    store.flush()
}
