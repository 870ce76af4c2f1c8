//! An in-memory store for unit tests: the same contract as the sled store, without a folder.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Batch, Entries, FileStore, Store, Tree, Visit, Write};
use crate::{Error, Result};

type Trees = HashMap<Tree, BTreeMap<Vec<u8>, Vec<u8>>>;

#[derive(Debug)]
pub struct MemoryStore {
    trees: Mutex<Trees>,
    generation: AtomicU64,
    files: FileStore,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self {
            trees: Mutex::default(),
            generation: AtomicU64::new(0),
            files: FileStore::memory(),
        }
    }
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemoryStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let trees = self.trees.lock().expect("store lock");
        Ok(trees.get(&tree).and_then(|t| t.get(key)).cloned())
    }

    fn scan(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
        reverse: bool,
    ) -> Result<Entries> {
        let trees = self.trees.lock().expect("store lock");
        let Some(t) = trees.get(&tree) else {
            return Ok(Vec::new());
        };
        let mut pairs: Entries = t
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter(|(k, _)| match after {
                Some(a) if reverse => k.as_slice() < a,
                Some(a) => k.as_slice() > a,
                None => true,
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if reverse {
            pairs.reverse();
        }
        pairs.truncate(limit);
        Ok(pairs)
    }

    fn commit(&self, batch: Batch) -> Result<()> {
        let mut trees = self.trees.lock().expect("store lock");
        for write in &batch.writes {
            match write {
                Write::Create { tree, key, .. } | Write::Expect { tree, key, .. } => {
                    let current = trees.get(tree).and_then(|t| t.get(key));
                    if let Some(refused) = write.refused(current.map(Vec::as_slice)) {
                        return Err(Error::Conflict(refused));
                    }
                }
                Write::Put { .. } | Write::Remove { .. } => {}
            }
        }
        for write in batch.writes {
            match write {
                Write::Put { tree, key, value }
                | Write::Create {
                    tree, key, value, ..
                } => {
                    trees.entry(tree).or_default().insert(key, value);
                }
                Write::Remove { tree, key } => {
                    trees.entry(tree).or_default().remove(&key);
                }
                Write::Expect { .. } => {}
            }
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn len(&self, tree: Tree) -> Result<usize> {
        Ok(self
            .trees
            .lock()
            .expect("store lock")
            .get(&tree)
            .map_or(0, |t| t.len()))
    }

    fn for_each(&self, each: Visit) -> Result<()> {
        let trees = self.trees.lock().expect("store lock");
        for tree in Tree::ALL {
            for (k, v) in trees.get(&tree).into_iter().flatten() {
                each(tree, k, v)?;
            }
        }
        Ok(())
    }

    fn files(&self) -> &FileStore {
        &self.files
    }
}

#[cfg(test)]
#[path = "memory_tests.rs"]
mod tests;
