//! Writing many work items as they are, for benchmarks and tools that need a large firm
//! quickly: their records and every index in big batches, the templates and contacts their
//! search words name read once each rather than once per item (a round trip each on
//! PostgreSQL).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::Result;
use crate::docket::Docket;
use crate::model::WorkItem;
use crate::store::{Batch, Changes, Entries, FileStore, Store, Tree, Visit};

/// Work items per batch: a batch's keys are locked together on PostgreSQL, so it stays well
/// inside the database's lock table.
const ITEMS_PER_BATCH: usize = 200;

impl Docket {
    /// Writes work items as they are, with their indexes, in batches of `ITEMS_PER_BATCH`
    /// committed together (`Store::commit_each`) and one flush: for benchmarks and tools that
    /// need a large firm quickly. Each item's `next` must already be what the scheduler should
    /// do; nothing is asked of the plugins.
    #[doc(hidden)]
    pub fn bulk_insert_work(&self, works: &[WorkItem]) -> Result<()> {
        let reading = Docket {
            store: Arc::new(ReadOnce {
                inner: self.store.clone(),
                kept: Mutex::new(HashMap::new()),
            }),
            ..self.clone()
        };
        let batches = works
            .chunks(ITEMS_PER_BATCH)
            .map(|chunk| {
                let mut batch = Batch::default();
                for work in chunk {
                    reading.write_work(&mut batch, None, work)?;
                }
                Ok(batch)
            })
            .collect::<Result<Vec<_>>>()?;
        self.store.commit_each(batches).into_iter().collect()
    }
}

/// A store read through once per key for the trees a bulk insert only reads (templates and
/// contacts); everything else goes straight to `inner`.
struct ReadOnce {
    inner: Arc<dyn Store>,
    kept: Mutex<Kept>,
}

/// What `ReadOnce` read, by tree and key (`None`: absent).
type Kept = HashMap<(Tree, Vec<u8>), Option<Vec<u8>>>;

impl Store for ReadOnce {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if !matches!(tree, Tree::Templates | Tree::Contacts) {
            return self.inner.get(tree, key);
        }
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(value) = kept.get(&(tree, key.to_vec())) {
            return Ok(value.clone());
        }
        let value = self.inner.get(tree, key)?;
        kept.insert((tree, key.to_vec()), value.clone());
        Ok(value)
    }

    fn scan(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
        reverse: bool,
    ) -> Result<Entries> {
        self.inner.scan(tree, prefix, after, limit, reverse)
    }

    fn commit(&self, batch: Batch) -> Result<()> {
        self.inner.commit(batch)
    }

    fn flush(&self) -> Result<()> {
        self.inner.flush()
    }

    fn shared(&self) -> bool {
        self.inner.shared()
    }

    fn generation(&self) -> u64 {
        self.inner.generation()
    }

    fn len(&self, tree: Tree) -> Result<usize> {
        self.inner.len(tree)
    }

    fn for_each(&self, each: Visit) -> Result<()> {
        self.inner.for_each(each)
    }

    fn files(&self) -> &FileStore {
        self.inner.files()
    }

    fn copy_live(&self, each: Visit) -> Result<Changes> {
        self.inner.copy_live(each)
    }
}
