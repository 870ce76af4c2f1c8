//! Batches on PostgreSQL in as few round trips as the protocol allows: each batch is one call of
//! the database's `docket_commit` (schema.rs: locks, guards and writes in one statement, its
//! own transaction), and the calls of several batches and the generation's move after them are
//! sent together (pipelined), so `commit` is one round trip and `commit_each` one per
//! `PIPELINE` batches. The generation still moves only after the batches committed: the
//! database runs a pipeline's statements in order.

use std::collections::BTreeMap;

use deadpool_postgres::Object;
use futures_util::future::{join, join_all};
use sha2::{Digest, Sha256};
use tokio_postgres::types::ToSql;

use super::bridge;
use crate::store::{Batch, CHANGED_CONCURRENTLY, Tree, Write};
use crate::{Error, Result};

/// Batches sent in one round trip at most (the futures joined in order, so sent in order).
const PIPELINE: usize = 30;
const COMMIT: &str = "SELECT docket_commit($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const NEXT_GENERATION: &str = "SELECT nextval('docket_generation')";

/// One batch as the arrays `docket_commit` takes.
pub(super) struct Arrays {
    locks: Vec<i64>,
    guard_trees: Vec<&'static str>,
    guard_keys: Vec<Vec<u8>>,
    /// Each guard's expected value; `None`: the key must be absent.
    guard_values: Vec<Option<Vec<u8>>>,
    /// Each guard's conflict message, in the guards' order.
    guard_messages: Vec<String>,
    put_trees: Vec<&'static str>,
    put_keys: Vec<Vec<u8>>,
    put_values: Vec<Vec<u8>>,
    del_trees: Vec<&'static str>,
    del_keys: Vec<Vec<u8>>,
}

impl Arrays {
    /// The arrays of `batch`: a lock per key, sorted (so two batches never deadlock), the
    /// guards in the batch's order, and the last write of each key (batches apply in order).
    pub(super) fn of(batch: Batch) -> Self {
        let mut locks: Vec<i64> = Vec::with_capacity(batch.writes.len());
        let (mut guard_trees, mut guard_keys, mut guard_values, mut guard_messages) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut last: BTreeMap<(&'static str, Vec<u8>), Option<Vec<u8>>> = BTreeMap::new();
        for write in batch.writes {
            let (Write::Put { tree, ref key, .. }
            | Write::Remove { tree, ref key }
            | Write::Create { tree, ref key, .. }
            | Write::Expect { tree, ref key, .. }) = write;
            locks.push(lock_id(tree, key));
            match write {
                Write::Put { tree, key, value } => {
                    last.insert((tree.name(), key), Some(value));
                }
                Write::Remove { tree, key } => {
                    last.insert((tree.name(), key), None);
                }
                Write::Create {
                    tree,
                    key,
                    value,
                    message,
                } => {
                    guard_trees.push(tree.name());
                    guard_keys.push(key.clone());
                    guard_values.push(None);
                    guard_messages.push(message);
                    last.insert((tree.name(), key), Some(value));
                }
                Write::Expect { tree, key, value } => {
                    guard_trees.push(tree.name());
                    guard_keys.push(key);
                    guard_values.push(value);
                    guard_messages.push(CHANGED_CONCURRENTLY.into());
                }
            }
        }
        locks.sort_unstable();
        locks.dedup();
        let (mut put_trees, mut put_keys, mut put_values) = (Vec::new(), Vec::new(), Vec::new());
        let (mut del_trees, mut del_keys) = (Vec::new(), Vec::new());
        for ((tree, key), value) in last {
            match value {
                Some(v) => {
                    put_trees.push(tree);
                    put_keys.push(key);
                    put_values.push(v);
                }
                None => {
                    del_trees.push(tree);
                    del_keys.push(key);
                }
            }
        }
        Self {
            locks,
            guard_trees,
            guard_keys,
            guard_values,
            guard_messages,
            put_trees,
            put_keys,
            put_values,
            del_trees,
            del_keys,
        }
    }

    /// Whether the batch writes anything (a batch of guards alone does not move the generation).
    fn writes(&self) -> bool {
        !self.put_keys.is_empty() || !self.del_keys.is_empty()
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 9] {
        [
            &self.locks,
            &self.guard_trees,
            &self.guard_keys,
            &self.guard_values,
            &self.put_trees,
            &self.put_keys,
            &self.put_values,
            &self.del_trees,
            &self.del_keys,
        ]
    }

    /// The batch's outcome from `docket_commit`'s answer: 0, or the failed guard (1-based).
    fn outcome(&self, answer: i32) -> Result<()> {
        match answer {
            0 => Ok(()),
            i => Err(Error::Conflict(
                self.guard_messages
                    .get(i as usize - 1)
                    .cloned()
                    .unwrap_or_else(|| CHANGED_CONCURRENTLY.into()),
            )),
        }
    }
}

/// Commits each of `batches` on its own, in order, `PIPELINE` at a time in one round trip with
/// the generation's move; the answer of each, in the batches' order. `trips` counts the round
/// trips.
pub(super) async fn commit_all(
    client: &Object,
    batches: &[Arrays],
    described: &str,
    trips: &(dyn Fn(u64) + Sync),
) -> Vec<Result<()>> {
    let failed =
        |e: tokio_postgres::Error| bridge::pg_error(described, "cannot write to the store", e);
    let statements = async {
        Ok::<_, tokio_postgres::Error>((
            client.prepare_cached(COMMIT).await?,
            client.prepare_cached(NEXT_GENERATION).await?,
        ))
    };
    let (commit, next) = match statements.await {
        Ok(s) => s,
        Err(e) => {
            let e = failed(e);
            return batches
                .iter()
                .map(|_| Err(Error::Storage(e.to_string())))
                .collect();
        }
    };
    let mut results = Vec::with_capacity(batches.len());
    for chunk in batches.chunks(PIPELINE) {
        trips(1);
        let params: Vec<[&(dyn ToSql + Sync); 9]> = chunk.iter().map(Arrays::params).collect();
        let calls = join_all(params.iter().map(|p| client.query_one(&commit, p)));
        let wrote = chunk.iter().any(Arrays::writes);
        let bump = async {
            if wrote {
                client.query_one(&next, &[]).await.map(|_| ())
            } else {
                Ok(())
            }
        };
        // `join` polls the calls first: the generation's move is sent after every batch.
        let (answers, bumped) = join(calls, bump).await;
        for (arrays, answer) in chunk.iter().zip(answers) {
            results.push(match (answer, &bumped) {
                (Err(e), _) => Err(failed(e)),
                (Ok(row), Ok(())) => arrays.outcome(row.get::<_, i32>(0)),
                (Ok(_), Err(e)) => Err(Error::Storage(format!(
                    "a batch was written but the store's generation did not move ({described}): {e}"
                ))),
            });
        }
    }
    results
}

/// The advisory lock id of one key: the first eight bytes of SHA-256 of tree and key.
fn lock_id(tree: Tree, key: &[u8]) -> i64 {
    let mut h = Sha256::new();
    h.update(tree.name().as_bytes());
    h.update([0]);
    h.update(key);
    let d = h.finalize();
    i64::from_be_bytes(d[..8].try_into().expect("eight bytes"))
}
