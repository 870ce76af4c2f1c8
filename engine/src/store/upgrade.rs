//! Data-folder format upgrades: what a newer docket does, once, to a folder an older one wrote.
//! Each step to format N is the store's own part (file bytes moved, records re-encoded), then the
//! domain's part (`docket::upgrades`: the index entries it derives from records), given by
//! whoever opens the folder, so the store knows nothing of the domain's keys. Each step is safe
//! to run again if a crash cuts it short; the folder's format is bumped only after it completes.
//! The step to format 10 is the store's alone and not here: it writes the database again whole,
//! its indexes packed (`compact.rs`), and has no domain part.

use super::{Store, Tree, repack};
use crate::text::hex;
use crate::{Error, Result};

/// What the store's own upgrade steps need of a data folder beyond the `Store` trait: its
/// sled database, a raw walk of a tree, and where it is (for messages).
pub(super) trait Folder: Store {
    fn db(&self) -> &sled::Db;
    fn tree_iter(&self, tree: Tree) -> sled::Iter;
    fn path(&self) -> &std::path::Path;
}

/// The domain's part of one upgrade step.
#[derive(Debug, Clone, Copy)]
pub struct Upgrade {
    /// The format the step brings a folder to.
    pub to: u16,
    /// What it builds, for the log.
    pub what: &'static str,
    pub run: fn(&dyn Store) -> Result<()>,
}

/// Upgrades a folder of format `from` to `from + 1`: the store's part, then the domain's.
pub(super) fn upgrade_from<F: Folder>(store: &F, from: u16, domain: &[Upgrade]) -> Result<()> {
    // Every step may have a domain part: an opener without the domain's list opens only folders
    // that need no upgrade.
    if domain.is_empty() {
        return Err(Error::Storage(format!(
            "data folder {} has store format {from}, older than this docket writes; open it with the docket command (serve, check or any other), which upgrades it",
            store.path().display()
        )));
    }
    match from {
        1 => files_to_disk(store)?,
        2 => compress_records(store)?,
        _ => {}
    }
    if let Some(step) = domain.iter().find(|u| u.to == from + 1) {
        tracing::info!("building {} in {}", step.what, store.path().display());
        (step.run)(store)?;
    }
    store.flush()
}

/// Format 1 kept file bytes in a `blobs` tree: they move to the file store (the domain then
/// indexes which records reference them).
fn files_to_disk<F: Folder>(store: &F) -> Result<()> {
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
    if db.tree_names().iter().any(|n| n.as_ref() == b"blobs") {
        db.drop_tree("blobs")?;
    }
    store.flush()
}

/// Format 3 stores record bodies compressed (see `encode`): every record written plain before is
/// written again compressed. Values already compressed are left as they are, so running it
/// again after a crash only finishes the job.
fn compress_records<F: Folder>(store: &F) -> Result<()> {
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
