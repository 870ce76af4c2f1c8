//! The embedded default: one sled database in the data folder, one sled tree per `Tree`, every
//! batch one sled transaction followed by a flush, and an exclusive lock on the folder so a second
//! docket cannot open it.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::compact;
use super::packed::{self, Edits, Load, Loading, PACKED_FORMAT};
use super::upgrade::{Folder, Upgrade};
use super::{
    Batch, Changes, Entries, EntryVisit, FileStore, STORE_FORMAT_KEY, Store, Tree, Visit, Write,
};
use crate::{Error, Result};

/// sled's page cache for tools (its default is 1 GB): reads beyond it come from the OS's cache.
/// Keeps a backup, restore or check of a large firm, which touches every page, within bounded
/// memory. A server sets its own (`storage.cache_mib`, also 8 MiB by default).
pub const TOOL_CACHE_BYTES: u64 = 8 * 1024 * 1024;

/// Batches `commit_each` merges into one sled transaction.
const MERGED_BATCHES: usize = 250;

/// Format of the data folder as a whole; bumped when trees are reorganised. 1: file bytes in a
/// `blobs` tree. 2: file bytes in the `FileStore`, referenced from `file_refs`. 3: record bodies
/// may be zstd-compressed (see `store::encode`), which a format-2 docket cannot read. 4: unread
/// staff notifications are indexed in `unread_notifications`. 5: work items are indexed by
/// assignee, sub-status and next due date (`work_by_assignee`, `work_by_sub_status`, `work_by_due`).
/// 8: repeating work is indexed in `repeats` (which an older docket would not fire). 9: replies
/// by email (`reply_tokens`, `inbound_seen`, `unmatched_replies`). 10: the indexes with an entry
/// per work item are packed many entries to a sled key (`packed.rs`).
pub const STORE_FORMAT: u16 = 10;

/// The keys batches wrote during a live copy.
type Journal = BTreeSet<(Tree, Vec<u8>)>;

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
    /// While a live copy runs: every key a batch writes (see `copy_live`).
    journal: Mutex<Option<Journal>>,
    journaling: AtomicBool,
    /// One live copy at a time.
    copying: Mutex<()>,
    /// Batches applied so far (`Store::generation`).
    generation: AtomicU64,
    /// Whether the index trees `packed::packs` names are packed (the folder's format is
    /// `PACKED_FORMAT` or later).
    packed: AtomicBool,
    /// Held by a batch that writes to a packed tree, from reading its chunks to committing
    /// them, so no other batch moves a chunk meanwhile.
    packing: Mutex<()>,
    /// A restore's entries of packed trees, gathered into chunks (`load`).
    loading: Mutex<Loading>,
}

impl std::fmt::Debug for SledStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledStore")
            .field("path", &self.path)
            .finish()
    }
}

/// Why `dir`, which holds no records, cannot be opened as a data folder: none is there, or it is
/// the folder of a server on PostgreSQL (which takes its folder, `lock_folder`, but keeps its
/// records in the database) and the command was not given the database.
pub fn no_data_folder(dir: &Path) -> Error {
    if dir.join("docket.lock").is_file() {
        return Error::invalid(format!(
            "{} is the folder of a server on PostgreSQL (its records are in the database): give this command the same storage settings as that server (its --config, or DOCKET_STORAGE_BACKEND=postgres and DOCKET_STORAGE_URL)",
            dir.display()
        ));
    }
    Error::NoDataFolder(dir.display().to_string())
}

/// Takes the data folder `dir` for this process (its `docket.lock`, held until the file is
/// dropped): refused with `Error::Locked` while another docket holds it. A server on PostgreSQL
/// takes its folder too (its plugins, admin socket and outbox folder are its own).
pub fn lock_folder(dir: &Path) -> Result<std::fs::File> {
    let lock_path = dir.join("docket.lock");
    let lock = crate::owner_only::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::Storage(format!("cannot open {}: {e}", lock_path.display())))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked(dir.display().to_string())),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::Storage(format!(
            "cannot lock {}: {e}",
            lock_path.display()
        ))),
    }
}

impl SledStore {
    /// Opens the data folder `dir`, creating it if it is not there: for `serve` and `restore`,
    /// the only commands that may start a new folder.
    /// A folder an older docket wrote is refused: opening it with the domain's upgrade steps
    /// (`create_upgrading`, `open_upgrading`) upgrades it.
    pub fn create(dir: &Path) -> Result<Self> {
        Self::create_upgrading(dir, TOOL_CACHE_BYTES, &[])
    }

    /// `create` with a page cache of `cache_bytes`, upgrading an older folder with the domain's
    /// steps `domain` (`docket::UPGRADES`).
    pub fn create_upgrading(dir: &Path, cache_bytes: u64, domain: &[Upgrade]) -> Result<Self> {
        crate::owner_only::create_dir_all(dir).map_err(|e| {
            Error::Storage(format!("cannot create data folder {}: {e}", dir.display()))
        })?;
        Self::open_folder(dir, cache_bytes, domain)
    }

    /// Opens the existing data folder `dir`; refuses a folder that holds no data folder (a
    /// mistyped `--data` must not start an empty firm) and one an older docket wrote.
    pub fn open(dir: &Path) -> Result<Self> {
        Self::open_upgrading(dir, &[])
    }

    /// `open`, upgrading a folder an older docket wrote with the domain's steps `domain`.
    pub fn open_upgrading(dir: &Path, domain: &[Upgrade]) -> Result<Self> {
        if !dir.join("db").is_dir() {
            return Err(no_data_folder(dir));
        }
        Self::open_folder(dir, TOOL_CACHE_BYTES, domain)
    }

    fn open_folder(dir: &Path, cache_bytes: u64, domain: &[Upgrade]) -> Result<Self> {
        // A folder an older docket made readable by others is closed to them, all of it, once.
        let open_to_others = crate::owner_only::is_open_to_others(dir).unwrap_or(false);
        let lock = lock_folder(dir)?;
        // Our lock file is held, so no other docket has the folder.
        compact::recover(dir)?;
        Self::open_locked(dir, cache_bytes, domain, lock, open_to_others)
    }

    fn open_locked(
        dir: &Path,
        cache_bytes: u64,
        domain: &[Upgrade],
        lock: File,
        open_to_others: bool,
    ) -> Result<Self> {
        let db = compact::open_db(dir, cache_bytes)?;
        // sled makes its files with the process's umask: they are closed to others here (the
        // binary's umask already does it for the files sled makes later).
        if open_to_others {
            tracing::warn!(
                folder = %dir.display(),
                "the data folder was readable by others; it and everything in it are now its owner's only"
            );
        }
        crate::owner_only::tighten(dir, open_to_others).map_err(|e| {
            Error::Storage(format!(
                "cannot make {} readable by its owner only: {e}",
                dir.display()
            ))
        })?;
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
            journal: Mutex::new(None),
            journaling: AtomicBool::new(false),
            copying: Mutex::new(()),
            generation: AtomicU64::new(0),
            packed: AtomicBool::new(false),
            packing: Mutex::new(()),
            loading: Mutex::new(Loading::default()),
        };
        if !store.check_format(domain)? {
            return Ok(store);
        }
        // Written again whole into a new database: closed, put in place, opened.
        let lock = {
            let SledStore {
                db, trees, _lock, ..
            } = store;
            drop(trees);
            drop(db);
            _lock
        };
        compact::swap(dir)?;
        Self::open_locked(dir, cache_bytes, domain, lock, false)
    }

    /// Writes the format of a new folder, upgrades an older one step by step, refuses a newer.
    /// True when the step to `PACKED_FORMAT` wrote the database again beside this one: the
    /// caller reopens the folder (`compact.rs`).
    fn check_format(&self, domain: &[Upgrade]) -> Result<bool> {
        let meta = self.tree(Tree::Meta);
        let Some(found) = meta.get(STORE_FORMAT_KEY)? else {
            meta.insert(STORE_FORMAT_KEY, &STORE_FORMAT.to_be_bytes())?;
            self.db.flush()?;
            self.packed.store(true, Ordering::SeqCst);
            return Ok(false);
        };
        let mut version = match found.as_ref() {
            [a, b] => u16::from_be_bytes([*a, *b]),
            other => {
                return Err(Error::Storage(format!(
                    "data folder {} has an unreadable store format {other:?}",
                    self.path.display()
                )));
            }
        };
        if version > STORE_FORMAT {
            return Err(Error::Storage(format!(
                "data folder {} has store format {version}, newer than this docket reads ({STORE_FORMAT}); upgrade docket",
                self.path.display()
            )));
        }
        self.packed
            .store(version >= PACKED_FORMAT, Ordering::SeqCst);
        while version < STORE_FORMAT {
            // (An opener without the domain's steps is refused by `upgrade_from`.)
            if version + 1 == PACKED_FORMAT && !domain.is_empty() {
                compact::rewrite_packed(&self.db, &self.path, PACKED_FORMAT, TOOL_CACHE_BYTES)?;
                return Ok(true);
            }
            super::upgrade::upgrade_from(self, version, domain)?;
            version += 1;
            meta.insert(STORE_FORMAT_KEY, &version.to_be_bytes())?;
            self.db.flush()?;
            tracing::info!(
                "upgraded data folder {} to store format {version}",
                self.path.display()
            );
        }
        Ok(false)
    }

    /// Writes one entry outside any transaction: for restoring into a new folder that nothing
    /// else is using, where a transaction per entry would only cost time. Entries of a packed
    /// tree are gathered into chunks as they come in key order (`Store::flush` writes the last
    /// ones); the folder's format, which a backup holds first, says whether trees are packed.
    pub fn load(&self, tree: Tree, key: &[u8], value: Vec<u8>) -> Result<()> {
        if let (Tree::Meta, STORE_FORMAT_KEY, &[a, b]) = (tree, key, value.as_slice()) {
            let format = u16::from_be_bytes([a, b]);
            self.packed.store(format >= PACKED_FORMAT, Ordering::SeqCst);
        } else if self.packs(tree) {
            let load = self
                .loading
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .add(tree, key, value);
            match load {
                Load::Kept => {}
                Load::Chunk(at, chunk) => drop(self.tree(tree).insert(at, chunk)?),
                Load::OutOfOrder(value) => {
                    self.write_loaded()?;
                    let mut batch = Batch::default();
                    batch.put(tree, key, value);
                    self.apply(&batch)?;
                }
            }
            return Ok(());
        }
        self.tree(tree).insert(key, value)?;
        Ok(())
    }

    /// Writes the chunks `load` is still filling.
    fn write_loaded(&self) -> Result<()> {
        let chunks = self
            .loading
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .flush();
        for (tree, at, chunk) in chunks {
            self.tree(tree).insert(at, chunk)?;
        }
        Ok(())
    }

    /// The keys sled holds for `tree`: a packed tree's chunks, not its entries.
    pub fn sled_keys(&self, tree: Tree) -> usize {
        self.tree(tree).len()
    }

    /// Whether `tree` is kept packed in this folder.
    fn packs(&self, tree: Tree) -> bool {
        packed::packs(tree) && self.packed.load(Ordering::SeqCst)
    }

    /// Calls `each` for every entry of `tree`, unpacked.
    fn each_entry(&self, tree: Tree, each: EntryVisit) -> Result<()> {
        packed::each(tree, self.tree(tree), self.packs(tree), each)
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
        if self.packs(tree) {
            return packed::get(tree, self.tree(tree), key);
        }
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
        if self.packs(tree) {
            return packed::scan(tree, t, prefix, after, limit, reverse);
        }
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
        self.write_loaded()?;
        self.db.flush()?;
        Ok(())
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn len(&self, tree: Tree) -> Result<usize> {
        if self.packs(tree) {
            let mut n = 0;
            self.each_entry(tree, &mut |_, _| {
                n += 1;
                Ok(())
            })?;
            return Ok(n);
        }
        Ok(self.tree(tree).len())
    }

    fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }

    fn for_each(&self, each: Visit) -> Result<()> {
        let _still = self.writers.write().unwrap_or_else(|e| e.into_inner());
        for tree in Tree::ALL {
            self.each_entry(tree, &mut |k, v| each(tree, k, v))?;
        }
        Ok(())
    }

    fn files(&self) -> &FileStore {
        &self.files
    }

    fn copy_live(&self, each: Visit) -> Result<Changes> {
        let _one = self.copying.lock().unwrap_or_else(|e| e.into_inner());
        {
            // From here on every batch notes its keys; none is half applied at this moment.
            let _still = self.writers.write().unwrap_or_else(|e| e.into_inner());
            *self.journal.lock().unwrap_or_else(|e| e.into_inner()) = Some(BTreeSet::new());
            self.journaling.store(true, Ordering::SeqCst);
        }
        let copied = (|| -> Result<()> {
            for tree in Tree::ALL {
                self.each_entry(tree, &mut |k, v| each(tree, k, v))?;
            }
            Ok(())
        })();
        // Writers wait only while the keys written during the copy are read again: the copy
        // plus these values is the store at this moment.
        let _still = self.writers.write().unwrap_or_else(|e| e.into_inner());
        self.journaling.store(false, Ordering::SeqCst);
        let keys = self
            .journal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_default();
        copied?;
        let mut changes = Changes::new();
        for (tree, key) in keys {
            let value = self.get(tree, &key)?;
            changes.entry(tree).or_default().insert(key, value);
        }
        Ok(changes)
    }

    fn scratch_file(&self) -> Result<File> {
        let dir = self.path.join("tmp");
        crate::owner_only::create_dir_all(&dir)
            .and_then(|_| tempfile::tempfile_in(&dir))
            .map_err(|e| super::files::io_error("cannot make a temporary file", e))
    }
}

impl SledStore {
    /// Applies one batch as a sled transaction, without flushing.
    fn apply(&self, batch: &Batch) -> Result<()> {
        if batch.writes.is_empty() {
            return Ok(());
        }
        let _writing = self.writers.read().unwrap_or_else(|e| e.into_inner());
        if self.journaling.load(Ordering::SeqCst)
            && let Some(keys) = self
                .journal
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_mut()
        {
            for write in &batch.writes {
                match write {
                    Write::Put { tree, key, .. }
                    | Write::Remove { tree, key }
                    | Write::Create { tree, key, .. } => {
                        keys.insert((*tree, key.clone()));
                    }
                    Write::Expect { .. } => {}
                }
            }
        }
        // Writes to packed trees become chunk writes, worked out under the `packing` lock held
        // until the transaction ends.
        let packs = batch.writes.iter().any(|w| self.packs(w.tree()));
        let _packing = packs.then(|| self.packing.lock().unwrap_or_else(|e| e.into_inner()));
        let chunks = if packs {
            let trees = |t: Tree| self.tree(t);
            let mut edits = Edits::new(&trees);
            for write in batch.writes.iter().filter(|w| self.packs(w.tree())) {
                edits.apply(write)?;
            }
            edits.writes()
        } else {
            Vec::new()
        };
        let mut involved: Vec<Tree> = batch.writes.iter().map(Write::tree).collect();
        involved.sort();
        involved.dedup();
        let trees: Vec<sled::Tree> = involved.iter().map(|t| self.tree(*t).clone()).collect();
        let index = |t: Tree| involved.binary_search(&t).expect("tree is involved");
        let result = trees.as_slice().transaction(|txs| {
            for (tree, at, chunk) in &chunks {
                let tx = &txs[index(*tree)];
                match chunk {
                    Some(chunk) => tx.insert(at.as_slice(), chunk.as_slice())?,
                    None => tx.remove(at.as_slice())?,
                };
            }
            for write in batch.writes.iter().filter(|w| !self.packs(w.tree())) {
                let tx = &txs[index(write.tree())];
                match write {
                    Write::Put { key, value, .. } => {
                        tx.insert(key.as_slice(), value.as_slice())?;
                    }
                    Write::Remove { key, .. } => {
                        tx.remove(key.as_slice())?;
                    }
                    Write::Create { key, .. } | Write::Expect { key, .. } => {
                        let current = tx.get(key.as_slice())?;
                        if let Some(refused) = write.refused(current.as_deref()) {
                            return Err(ConflictableTransactionError::Abort(refused));
                        }
                        if let Write::Create { value, .. } = write {
                            tx.insert(key.as_slice(), value.as_slice())?;
                        }
                    }
                }
            }
            Ok(())
        });
        match result {
            Ok(()) => {
                self.generation.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            Err(TransactionError::Abort(message)) => Err(Error::Conflict(message)),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }
}

impl Folder for SledStore {
    /// The sled database itself, for store-format upgrades.
    fn db(&self) -> &sled::Db {
        &self.db
    }

    /// Every entry of `tree`, without holding writers off.
    fn tree_iter(&self, tree: Tree) -> sled::Iter {
        self.tree(tree).iter()
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
#[path = "sled_store_tests.rs"]
mod tests;
