//! Uploaded files' lifetime beyond the records that reference them: collecting the files no
//! record references any more, and files let go on purpose (an unmatched reply attached or
//! discarded), which collection removes without taking them for records lost.

use super::Docket;
use crate::store::{Batch, Store, Tree};
use crate::{Error, Result};

/// `released_file/` SHA-256 → empty: a stored file whose last reference was dropped on purpose
/// (an unmatched reply attached or discarded), so collection removes it without counting it
/// among the files that lost their record.
pub(crate) const RELEASED_FILE_PREFIX: &str = "released_file/";

/// Drops `ref_key` in `batch` and marks the file `sha256` as let go on purpose, so the collector
/// removes it as usual and neither it nor `docket check` takes it for a lost record.
pub(crate) fn release_file_ref(batch: &mut Batch, ref_key: Vec<u8>, sha256: &str) {
    batch.remove(Tree::FileRefs, ref_key);
    batch.put(
        Tree::Meta,
        format!("{RELEASED_FILE_PREFIX}{sha256}").into_bytes(),
        Vec::new(),
    );
}

/// Whether `sha256` was let go on purpose (see `release_file_ref`).
pub(crate) fn file_released(store: &dyn Store, sha256: &str) -> Result<bool> {
    Ok(store
        .get(
            Tree::Meta,
            format!("{RELEASED_FILE_PREFIX}{sha256}").as_bytes(),
        )?
        .is_some())
}

impl Docket {
    /// Removes uploaded files no record references any more, except files younger than an hour
    /// (the batch that will reference them may not be committed yet). `now` is the real time:
    /// file ages are real, whatever the engine's clock says.
    ///
    /// Files stop being referenced one at a time; when most of them are unreferenced at once,
    /// the records are more likely lost (a damaged or replaced store) than the files unwanted,
    /// so nothing is removed and the answer says why.
    pub fn collect_files(
        &self,
        now: std::time::SystemTime,
    ) -> Result<crate::store::files::Collected> {
        let store = self.store.as_ref();
        let referenced = |sha: &str| -> Result<bool> {
            let prefix = format!("{sha}/");
            Ok(!store
                .scan(Tree::FileRefs, prefix.as_bytes(), None, 1, false)?
                .is_empty())
        };
        let stored = store.files().list()?;
        let mut unreferenced = 0;
        let mut released = 0;
        for sha in &stored {
            if !referenced(sha)? {
                if file_released(store, sha)? {
                    released += 1;
                } else {
                    unreferenced += 1;
                }
            }
        }
        // Files let go on purpose are expected to go; only the others may be records lost.
        let considered = stored.len() - released;
        if unreferenced >= 2 && unreferenced * 2 > considered {
            return Err(Error::Storage(format!(
                "{unreferenced} of the {considered} uploaded files are referenced by no record; the records may be lost or damaged, so none was removed. Run `docket check`, and restore a backup if records are missing",
            )));
        }
        let collected = store.files().collect(&mut |sha| referenced(sha), now)?;
        // Forget the marks of files that are gone or referenced again.
        let prefix = RELEASED_FILE_PREFIX.as_bytes();
        let mut batch = Batch::default();
        let mut dropped = false;
        let left: std::collections::HashSet<String> = store.files().list()?.into_iter().collect();
        for (key, _) in store.scan(Tree::Meta, prefix, None, usize::MAX, false)? {
            let sha = String::from_utf8_lossy(&key[prefix.len()..]).into_owned();
            if !left.contains(&sha) || referenced(&sha)? {
                batch.remove(Tree::Meta, key);
                dropped = true;
            }
        }
        if dropped {
            store.commit(batch)?;
        }
        Ok(collected)
    }
}
