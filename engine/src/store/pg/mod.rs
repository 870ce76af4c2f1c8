//! The store on PostgreSQL, for several `docket serve` replicas sharing one database: every tree
//! in one table of `(tree, key, value)` rows (`schema.rs`), the same bytes sled keeps, through a
//! pool of connections with prepared statements (`bridge.rs`).
//!
//! **Batches.** A batch is one transaction: it first takes a transaction advisory lock for each
//! key it writes or guards, in one order (so two batches never deadlock), then checks its guards
//! against the rows as they are, then upserts and deletes with one statement each. Every writer
//! of a key holds its lock, so a guard's check and the writes after it are atomic against any
//! other replica's batch, as they are in sled.
//!
//! **Generation.** `docket_generation` is a sequence moved on after each batch that wrote
//! something commits, and `generation` reads it: a replica's caches see the other replicas'
//! writes. It moves after the commit, never before, so a value read while it stayed the same is
//! at least as new as the generation it is kept under.
//!
//! **Reads for backups and checks** (`for_each`, `copy_live`) walk a snapshot (one repeatable
//! read transaction) with a cursor, a page at a time: the store at one moment, while writers
//! go on.

mod bridge;
pub(crate) mod files;
mod restore;
mod schema;

use std::sync::Arc;

use deadpool_postgres::Object;
use sha2::{Digest, Sha256};
use tokio_postgres::Row;

use super::{Batch, CHANGED_CONCURRENTLY, Entries, FileStore, STORE_FORMAT, Store, Tree, Visit};
use super::{Upgrade, Write};
use crate::{Error, Result};
pub(crate) use bridge::Bridge;

/// Connections a store keeps at most, unless told otherwise.
pub const DEFAULT_POOL: usize = 16;
/// Rows `for_each` fetches at a time.
const PAGE: i64 = 500;
const STORE_FORMAT_KEY: &[u8] = b"store_format";

/// A store in a PostgreSQL database.
pub struct PgStore {
    bridge: Arc<Bridge>,
    files: FileStore,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgStore({})", self.bridge.described)
    }
}

impl PgStore {
    /// Connects to the database at `url` with a pool of at most `pool` connections, brings its
    /// schema up to date and checks its store format: a new database gets this docket's, an
    /// older one is upgraded with the domain's steps `domain` (`docket::UPGRADES`), a newer one
    /// is refused.
    pub fn connect(url: &str, pool: usize, domain: &[Upgrade]) -> Result<Self> {
        let bridge = Arc::new(Bridge::new(url, pool)?);
        let (pool_handle, described) = (bridge.pool.clone(), bridge.described.clone());
        let holder = bridge.run(async move {
            let mut client = Bridge::client(&pool_handle, &described).await?;
            schema::lock(&**client, &described, true).await?;
            schema::migrate(&mut client, &described).await?;
            Ok(client)
        })?;
        let store = Self {
            files: FileStore::postgres(files::PgFiles::new(bridge.clone())),
            bridge,
        };
        let checked = store.check_format(domain);
        let described = store.bridge.described.clone();
        store.bridge.run(async move {
            schema::lock(&**holder, &described, false).await?;
            Ok(())
        })?;
        checked?;
        Ok(store)
    }

    /// `user@host:port/database`, for messages.
    pub fn described(&self) -> &str {
        &self.bridge.described
    }

    fn check_format(&self, domain: &[Upgrade]) -> Result<()> {
        let Some(found) = self.get(Tree::Meta, STORE_FORMAT_KEY)? else {
            let mut b = Batch::default();
            b.put(
                Tree::Meta,
                STORE_FORMAT_KEY,
                STORE_FORMAT.to_be_bytes().to_vec(),
            );
            return self.commit(b);
        };
        let mut version = match found.as_slice() {
            [a, b] => u16::from_be_bytes([*a, *b]),
            other => {
                return Err(Error::Storage(format!(
                    "the database {} has an unreadable store format {other:?}",
                    self.described()
                )));
            }
        };
        if version > STORE_FORMAT {
            return Err(Error::Storage(format!(
                "the database {} has store format {version}, newer than this docket reads ({STORE_FORMAT}); upgrade docket",
                self.described()
            )));
        }
        // A database starts at a format whose store part is sled's alone (file bytes, record
        // compression); later steps are the domain's.
        while version < STORE_FORMAT {
            if domain.is_empty() {
                return Err(Error::Storage(format!(
                    "the database {} has store format {version}, older than this docket writes; open it with the docket command (serve, check or any other), which upgrades it",
                    self.described()
                )));
            }
            if let Some(step) = domain.iter().find(|u| u.to == version + 1) {
                tracing::info!("building {} in {}", step.what, self.described());
                (step.run)(self)?;
            }
            version += 1;
            let mut b = Batch::default();
            b.put(Tree::Meta, STORE_FORMAT_KEY, version.to_be_bytes().to_vec());
            self.commit(b)?;
        }
        Ok(())
    }

    /// Runs `work` with a pooled connection on the store's runtime.
    fn with_client<T, F, Fut>(&self, what: &'static str, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(Object) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = std::result::Result<T, tokio_postgres::Error>> + Send,
    {
        let (pool, described) = (self.bridge.pool.clone(), self.bridge.described.clone());
        self.bridge.run(async move {
            let client = Bridge::client(&pool, &described).await?;
            work(client)
                .await
                .map_err(|e| bridge::pg_error(&described, what, e))
        })
    }

    /// Every entry of every tree from one snapshot, a page at a time, each given to `each`.
    fn walk(&self, each: Visit) -> Result<()> {
        let mut snapshot = Snapshot(Some(self.with_client(
            "cannot read the store",
            |c| async move {
                c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?;
                Ok(c)
            },
        )?));
        for tree in Tree::ALL {
            let mut after: Option<Vec<u8>> = None;
            loop {
                let c = snapshot.0.take().expect("the connection is back");
                let (c, rows) = self.page(c, tree, after.take())?;
                snapshot.0 = Some(c);
                for row in &rows {
                    let key: &[u8] = row.get(0);
                    let value: &[u8] = row.get(1);
                    each(tree, key, value)?;
                }
                if (rows.len() as i64) < PAGE {
                    break;
                }
                after = rows.last().map(|r| r.get::<_, Vec<u8>>(0));
            }
        }
        let c = snapshot.0.take().expect("the connection is back");
        self.bridge.run(async move {
            // A connection whose transaction does not end leaves the pool.
            if c.batch_execute("ROLLBACK").await.is_err() {
                drop(Object::take(c));
            }
            Ok(())
        })
    }

    /// The next page of `tree` after `after` on `client`, in the snapshot it holds.
    fn page(
        &self,
        client: Object,
        tree: Tree,
        after: Option<Vec<u8>>,
    ) -> Result<(Object, Vec<Row>)> {
        let described = self.bridge.described.clone();
        self.bridge.run(async move {
            let rows = match &after {
                None => {
                    let st = client
                        .prepare_cached(
                            "SELECT key, value FROM docket_kv WHERE tree = $1 ORDER BY key LIMIT $2",
                        )
                        .await;
                    match st {
                        Ok(st) => client.query(&st, &[&tree.name(), &PAGE]).await,
                        Err(e) => Err(e),
                    }
                }
                Some(a) => {
                    let st = client
                        .prepare_cached(
                            "SELECT key, value FROM docket_kv WHERE tree = $1 AND key > $2 ORDER BY key LIMIT $3",
                        )
                        .await;
                    match st {
                        Ok(st) => client.query(&st, &[&tree.name(), a, &PAGE]).await,
                        Err(e) => Err(e),
                    }
                }
            };
            match rows {
                Ok(rows) => Ok((client, rows)),
                Err(e) => {
                    drop(Object::take(client));
                    Err(bridge::pg_error(&described, "cannot read the store", e))
                }
            }
        })
    }
}

/// A connection inside a read-only snapshot: one not given back cleanly (a visit that failed or
/// panicked) leaves the pool rather than serve the next caller inside the snapshot.
struct Snapshot(Option<Object>);

impl Drop for Snapshot {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            drop(Object::take(c));
        }
    }
}

/// The first key after every key starting with `prefix`; `None` when there is none (empty or
/// all 0xff).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
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

impl Store for PgStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let key = key.to_vec();
        self.with_client("cannot read the store", move |c| async move {
            let st = c
                .prepare_cached("SELECT value FROM docket_kv WHERE tree = $1 AND key = $2")
                .await?;
            let row = c.query_opt(&st, &[&tree.name(), &key]).await?;
            Ok(row.map(|r| r.get::<_, Vec<u8>>(0)))
        })
    }

    fn scan(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
        reverse: bool,
    ) -> Result<Entries> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // Keys from `low` (inclusive) to `high` (exclusive, none: no end).
        let mut low = prefix.to_vec();
        let mut high = prefix_end(prefix);
        match (after, reverse) {
            (Some(a), false) => {
                let mut next = a.to_vec();
                next.push(0);
                low = low.max(next);
            }
            (Some(a), true) => {
                high = Some(match high {
                    Some(h) => h.min(a.to_vec()),
                    None => a.to_vec(),
                });
            }
            (None, _) => {}
        }
        let order = if reverse { "DESC" } else { "ASC" };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_client("cannot read the store", move |c| async move {
            let rows = match &high {
                Some(h) => {
                    let sql = format!(
                        "SELECT key, value FROM docket_kv WHERE tree = $1 AND key >= $2 AND key < $3 ORDER BY key {order} LIMIT $4"
                    );
                    let st = c.prepare_cached(&sql).await?;
                    c.query(&st, &[&tree.name(), &low, h, &limit]).await?
                }
                None => {
                    let sql = format!(
                        "SELECT key, value FROM docket_kv WHERE tree = $1 AND key >= $2 ORDER BY key {order} LIMIT $3"
                    );
                    let st = c.prepare_cached(&sql).await?;
                    c.query(&st, &[&tree.name(), &low, &limit]).await?
                }
            };
            Ok(rows
                .into_iter()
                .map(|r| (r.get::<_, Vec<u8>>(0), r.get::<_, Vec<u8>>(1)))
                .collect())
        })
    }

    fn commit(&self, batch: Batch) -> Result<()> {
        if batch.writes.is_empty() {
            return Ok(());
        }
        let (pool, described) = (self.bridge.pool.clone(), self.bridge.described.clone());
        self.bridge.run(async move {
            let mut client = Bridge::client(&pool, &described).await?;
            match commit(&mut client, &batch).await {
                Ok(outcome) => outcome,
                Err(e) => Err(bridge::pg_error(&described, "cannot write to the store", e)),
            }
        })
    }

    fn flush(&self) -> Result<()> {
        // Each batch is durable when its transaction commits.
        Ok(())
    }

    fn shared(&self) -> bool {
        true
    }

    fn generation(&self) -> u64 {
        // A store that cannot be read has nothing newer to offer: a value no cache holds.
        self.with_client("cannot read the store", |c| async move {
            let st = c
                .prepare_cached("SELECT last_value FROM docket_generation")
                .await?;
            Ok(c.query_one(&st, &[]).await?.get::<_, i64>(0))
        })
        .map_or(u64::MAX, |g| g as u64)
    }

    fn len(&self, tree: Tree) -> Result<usize> {
        self.with_client("cannot read the store", move |c| async move {
            let st = c
                .prepare_cached("SELECT count(*) FROM docket_kv WHERE tree = $1")
                .await?;
            Ok(c.query_one(&st, &[&tree.name()]).await?.get::<_, i64>(0) as usize)
        })
    }

    fn size_on_disk(&self) -> Result<u64> {
        self.with_client("cannot read the store", |c| async move {
            let row = c
                .query_one(
                    "SELECT pg_total_relation_size('docket_kv') + pg_total_relation_size('docket_blob_chunks')",
                    &[],
                )
                .await?;
            Ok(row.get::<_, i64>(0) as u64)
        })
    }

    fn for_each(&self, each: Visit) -> Result<()> {
        self.walk(each)
    }

    fn files(&self) -> &FileStore {
        &self.files
    }

    fn copy_live(&self, each: Visit) -> Result<super::Changes> {
        // The walk reads one snapshot while writers go on: nothing changed meanwhile is in it.
        self.walk(each)?;
        Ok(super::Changes::new())
    }
}

/// One batch in one transaction; the outer error is the database's, the inner the batch's own
/// (a failed guard).
async fn commit(
    client: &mut Object,
    batch: &Batch,
) -> std::result::Result<Result<()>, tokio_postgres::Error> {
    let mut locks: Vec<i64> = Vec::with_capacity(batch.writes.len());
    let (mut guard_trees, mut guard_keys) = (Vec::new(), Vec::new());
    // The last write of each key wins, as batches apply in order.
    let mut last: std::collections::BTreeMap<(&'static str, &[u8]), Option<&[u8]>> =
        std::collections::BTreeMap::new();
    for write in &batch.writes {
        match write {
            Write::Put { tree, key, value } => {
                last.insert((tree.name(), key), Some(value));
            }
            Write::Remove { tree, key } => {
                last.insert((tree.name(), key), None);
            }
            Write::Create {
                tree, key, value, ..
            } => {
                guard_trees.push(tree.name());
                guard_keys.push(key.as_slice());
                last.insert((tree.name(), key), Some(value));
            }
            Write::Expect { tree, key, .. } => {
                guard_trees.push(tree.name());
                guard_keys.push(key.as_slice());
            }
        }
        let (Write::Put { tree, key, .. }
        | Write::Remove { tree, key }
        | Write::Create { tree, key, .. }
        | Write::Expect { tree, key, .. }) = write;
        locks.push(lock_id(*tree, key));
    }
    locks.sort_unstable();
    locks.dedup();
    let tx = client.transaction().await?;
    let st = tx
        .prepare_cached("SELECT pg_advisory_xact_lock(id) FROM unnest($1::int8[]) AS id")
        .await?;
    tx.execute(&st, &[&locks]).await?;
    if !guard_keys.is_empty() {
        let st = tx
            .prepare_cached(
                "SELECT g.i, kv.value FROM unnest($1::text[], $2::bytea[]) WITH ORDINALITY AS g(tree, key, i) \
                 LEFT JOIN docket_kv kv ON kv.tree = g.tree AND kv.key = g.key",
            )
            .await?;
        let rows = tx.query(&st, &[&guard_trees, &guard_keys]).await?;
        let mut current: Vec<Option<Vec<u8>>> = vec![None; guard_keys.len()];
        for row in rows {
            let i: i64 = row.get(0);
            current[i as usize - 1] = row.get(1);
        }
        let mut at = 0;
        for write in &batch.writes {
            match write {
                Write::Create { message, .. } => {
                    if current[at].is_some() {
                        return Ok(Err(Error::Conflict(message.clone())));
                    }
                    at += 1;
                }
                Write::Expect { value, .. } => {
                    if current[at] != *value {
                        return Ok(Err(Error::Conflict(CHANGED_CONCURRENTLY.into())));
                    }
                    at += 1;
                }
                Write::Put { .. } | Write::Remove { .. } => {}
            }
        }
    }
    let (mut put_trees, mut put_keys, mut put_values) = (Vec::new(), Vec::new(), Vec::new());
    let (mut del_trees, mut del_keys) = (Vec::new(), Vec::new());
    for ((tree, key), value) in &last {
        match value {
            Some(v) => {
                put_trees.push(*tree);
                put_keys.push(*key);
                put_values.push(*v);
            }
            None => {
                del_trees.push(*tree);
                del_keys.push(*key);
            }
        }
    }
    if !put_keys.is_empty() {
        let st = tx
            .prepare_cached(
                "INSERT INTO docket_kv (tree, key, value) \
                 SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[]) \
                 ON CONFLICT (tree, key) DO UPDATE SET value = EXCLUDED.value",
            )
            .await?;
        tx.execute(&st, &[&put_trees, &put_keys, &put_values])
            .await?;
    }
    if !del_keys.is_empty() {
        let st = tx
            .prepare_cached(
                "DELETE FROM docket_kv kv USING unnest($1::text[], $2::bytea[]) AS d(tree, key) \
                 WHERE kv.tree = d.tree AND kv.key = d.key",
            )
            .await?;
        tx.execute(&st, &[&del_trees, &del_keys]).await?;
    }
    tx.commit().await?;
    if !last.is_empty() {
        let st = client
            .prepare_cached("SELECT nextval('docket_generation')")
            .await?;
        client.execute(&st, &[]).await?;
    }
    Ok(Ok(()))
}

#[cfg(test)]
#[path = "pg_tests.rs"]
mod tests;
