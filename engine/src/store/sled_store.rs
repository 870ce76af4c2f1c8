//! The embedded default: one sled database in the data folder, one sled tree per `Tree`, every
//! batch one sled transaction followed by a flush, and an exclusive lock on the folder so a second
//! docket cannot open it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::{Batch, CHANGED_CONCURRENTLY, Entries, FileStore, Store, Tree, Visit, Write};
use crate::{Error, Result};

/// Batches `commit_each` merges into one sled transaction.
const MERGED_BATCHES: usize = 250;

/// Format of the data folder as a whole; bumped when trees are reorganised.
const STORE_FORMAT: u16 = 1;
const STORE_FORMAT_KEY: &[u8] = b"store_format";

pub struct SledStore {
    db: sled::Db,
    trees: Vec<sled::Tree>,
    files: FileStore,
    path: PathBuf,
    /// Held for the store's lifetime; the OS releases the lock if the process dies.
    _lock: File,
    /// Batches hold it shared and `for_each` exclusively, so a backup taken while the server
    /// runs sees the store between two batches, never in the middle of one.
    writers: RwLock<()>,
}

impl std::fmt::Debug for SledStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledStore")
            .field("path", &self.path)
            .finish()
    }
}

impl SledStore {
    /// Opens (creating if needed) the data folder `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::Storage(format!("cannot create data folder {}: {e}", dir.display()))
        })?;
        let lock_path = dir.join("docket.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::Storage(format!("cannot open {}: {e}", lock_path.display())))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Locked(dir.display().to_string()));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::Storage(format!(
                    "cannot lock {}: {e}",
                    lock_path.display()
                )));
            }
        }
        // Our lock file is held, so no other docket has the folder. sled's own lock can still be
        // held for a moment by the background thread of a store this process just closed: wait
        // for it rather than fail.
        let mut attempts = 0;
        let db = loop {
            match sled::Config::new().path(dir.join("db")).open() {
                Ok(db) => break db,
                Err(sled::Error::Io(e))
                    if attempts < 100 && e.to_string().contains("could not acquire lock") =>
                {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => {
                    return Err(Error::Storage(format!(
                        "cannot open the database in {}: {e}",
                        dir.display()
                    )));
                }
            }
        };
        let trees = Tree::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let files = FileStore::open(&dir.join("files"))?;
        let store = Self {
            db,
            trees,
            files,
            path: dir.to_path_buf(),
            _lock: lock,
            writers: RwLock::new(()),
        };
        store.check_format()?;
        Ok(store)
    }

    fn check_format(&self) -> Result<()> {
        let meta = self.tree(Tree::Meta);
        match meta.get(STORE_FORMAT_KEY)? {
            None => {
                meta.insert(STORE_FORMAT_KEY, &STORE_FORMAT.to_be_bytes())?;
                self.db.flush()?;
                Ok(())
            }
            Some(v) if v.as_ref() == STORE_FORMAT.to_be_bytes() => Ok(()),
            Some(v) => Err(Error::Storage(format!(
                "data folder {} has store format {:?}; this docket reads format {STORE_FORMAT}",
                self.path.display(),
                v.as_ref()
            ))),
        }
    }

    fn tree(&self, tree: Tree) -> &sled::Tree {
        &self.trees[Tree::ALL
            .iter()
            .position(|t| *t == tree)
            .expect("every tree is opened")]
    }
}

impl Store for SledStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.tree(tree).get(key)?.map(|v| v.to_vec()))
    }

    fn scan(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
        reverse: bool,
    ) -> Result<Entries> {
        let t = self.tree(tree);
        let mut out = Vec::new();
        let iter: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> =
            match (after, reverse) {
                (None, _) if !reverse => Box::new(t.scan_prefix(prefix)),
                (None, _) => Box::new(t.scan_prefix(prefix).rev()),
                (Some(a), false) => Box::new(
                    t.range::<&[u8], _>((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded)),
                ),
                (Some(a), true) => Box::new(t.range::<&[u8], _>(..a).rev()),
            };
        for item in iter {
            let (k, v) = item?;
            if !k.starts_with(prefix) {
                break;
            }
            out.push((k.to_vec(), v.to_vec()));
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    fn commit(&self, batch: Batch) -> Result<()> {
        if batch.writes.is_empty() {
            return Ok(());
        }
        self.apply(&batch)?;
        // Durable before the caller answers anyone: a crash after this loses nothing.
        self.db.flush()?;
        Ok(())
    }

    fn commit_each(&self, batches: Vec<Batch>) -> Vec<Result<()>> {
        // sled pays per transaction: batches are applied a chunk per transaction, and a chunk
        // whose guard fails is applied again batch by batch, so only the failing one fails.
        let mut results: Vec<Result<()>> = Vec::with_capacity(batches.len());
        for chunk in batches.chunks(MERGED_BATCHES) {
            let merged = Batch {
                writes: chunk
                    .iter()
                    .flat_map(|b| b.writes.iter().cloned())
                    .collect(),
            };
            match self.apply(&merged) {
                Ok(()) => results.extend(chunk.iter().map(|_| Ok(()))),
                Err(_) => results.extend(chunk.iter().map(|b| self.apply(b))),
            }
        }
        if results.iter().any(Result::is_ok)
            && let Err(e) = self.db.flush()
        {
            let message = format!("cannot flush the data folder: {e}");
            for r in results.iter_mut().filter(|r| r.is_ok()) {
                *r = Err(Error::Storage(message.clone()));
            }
        }
        results
    }

    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    fn len(&self, tree: Tree) -> Result<usize> {
        Ok(self.tree(tree).len())
    }

    fn for_each(&self, each: Visit) -> Result<()> {
        let _still = self.writers.write().unwrap_or_else(|e| e.into_inner());
        for tree in Tree::ALL {
            for item in self.tree(tree).iter() {
                let (k, v) = item?;
                each(tree, &k, &v)?;
            }
        }
        Ok(())
    }

    fn files(&self) -> &FileStore {
        &self.files
    }
}

impl SledStore {
    /// Applies one batch as a sled transaction, without flushing.
    fn apply(&self, batch: &Batch) -> Result<()> {
        if batch.writes.is_empty() {
            return Ok(());
        }
        let _writing = self.writers.read().unwrap_or_else(|e| e.into_inner());
        let mut involved: Vec<Tree> = batch.writes.iter().map(Write::tree).collect();
        involved.sort();
        involved.dedup();
        let trees: Vec<sled::Tree> = involved.iter().map(|t| self.tree(*t).clone()).collect();
        let index = |t: Tree| involved.binary_search(&t).expect("tree is involved");
        let result = trees.as_slice().transaction(|txs| {
            for write in &batch.writes {
                let tx = &txs[index(write.tree())];
                match write {
                    Write::Put { key, value, .. } => {
                        tx.insert(key.as_slice(), value.as_slice())?;
                    }
                    Write::Remove { key, .. } => {
                        tx.remove(key.as_slice())?;
                    }
                    Write::Create {
                        key,
                        value,
                        message,
                        ..
                    } => {
                        if tx.get(key.as_slice())?.is_some() {
                            return Err(ConflictableTransactionError::Abort(message.clone()));
                        }
                        tx.insert(key.as_slice(), value.as_slice())?;
                    }
                    Write::Expect { key, value, .. } => {
                        let current = tx.get(key.as_slice())?;
                        if current.as_deref() != value.as_deref() {
                            return Err(ConflictableTransactionError::Abort(
                                CHANGED_CONCURRENTLY.to_string(),
                            ));
                        }
                    }
                }
            }
            Ok(())
        });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(message)) => Err(Error::Conflict(message)),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sled_store_keeps_the_store_contract() {
        let dir = tempfile::tempdir().unwrap();
        super::super::tests::exercise(&SledStore::open(dir.path()).unwrap());
    }

    #[test]
    fn a_second_open_of_the_same_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = SledStore::open(dir.path()).unwrap();
        let err = SledStore::open(dir.path()).unwrap_err();
        assert!(matches!(err, Error::Locked(_)), "{err}");
        drop(first);
        SledStore::open(dir.path()).unwrap();
    }

    #[test]
    fn commit_each_fails_only_the_batch_whose_guard_fails() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        let batches: Vec<Batch> = (0..2500)
            .map(|i| {
                let mut b = Batch::default();
                if i == 1234 {
                    b.expect(Tree::Work, "absent", Some(b"x".to_vec()));
                }
                b.put(Tree::Work, format!("k{i}"), "v");
                b.put(Tree::Schedule, format!("s{i}"), "");
                b
            })
            .collect();
        let results = store.commit_each(batches);
        let failed: Vec<usize> = (0..results.len())
            .filter(|i| results[*i].is_err())
            .collect();
        assert_eq!(failed, [1234]);
        assert!(store.get(Tree::Work, b"k1234").unwrap().is_none());
        assert!(store.get(Tree::Schedule, b"s1234").unwrap().is_none());
        assert_eq!(store.len(Tree::Work).unwrap(), 2499);
        assert_eq!(store.len(Tree::Schedule).unwrap(), 2499);
    }

    #[test]
    fn data_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SledStore::open(dir.path()).unwrap();
            let mut b = Batch::default();
            b.put(Tree::Work, "k", "v");
            store.commit(b).unwrap();
        }
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.get(Tree::Work, b"k").unwrap().unwrap(), b"v");
    }
}
