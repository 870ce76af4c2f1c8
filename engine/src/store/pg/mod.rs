//! The store on PostgreSQL, for several `docket serve` replicas sharing one database: every tree
//! in one table of `(tree, key, value)` rows (`schema.rs`), the same bytes sled keeps, through a
//! pool of connections with prepared statements (`bridge.rs`).
//!
//! **Batches.** A batch is one call of the database's `docket_commit` (`schema.rs`), its own
//! transaction and one round trip (`commit.rs`): it first takes a transaction advisory lock for
//! each key it writes or guards, in one order (so two batches never deadlock), then checks its
//! guards against the rows as they are, then upserts and deletes with one statement each. Every
//! writer of a key holds its lock, so a guard's check and the writes after it are atomic against
//! any other replica's batch, as they are in sled. `commit_each` sends its batches' calls
//! together (pipelined), and `get_many` reads several keys in one query, so a sender claiming a
//! batch of emails pays a few round trips, not a few per email (`round_trips` counts them).
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
mod commit;
pub(crate) mod files;
mod restore;
mod schema;

use std::sync::Arc;

use deadpool_postgres::Object;
use tokio_postgres::Row;

use super::{
    Batch, Entries, FileStore, STORE_FORMAT, STORE_FORMAT_KEY, Store, Tree, Upgrade, Visit, memo,
};
use crate::{Error, Result};
pub(crate) use bridge::Bridge;
pub use bridge::UrlFrom;

/// Connections a store keeps at most, unless told otherwise.
pub const DEFAULT_POOL: usize = 16;
/// Rows `for_each` fetches at a time.
const PAGE: i64 = 500;

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
        let bridge = Arc::new(Bridge::new(url, pool, UrlFrom::Config)?);
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

    /// Round trips to the database so far (also `docket_store_round_trips_total` in
    /// `/metrics`): what a change to how the store talks to PostgreSQL is measured by.
    pub fn round_trips(&self) -> u64 {
        self.bridge.round_trips()
    }

    /// Commits each batch on its own (`commit.rs`); the answers in the batches' order.
    fn commit_arrays(&self, arrays: Vec<commit::Arrays>) -> Vec<Result<()>> {
        if arrays.is_empty() {
            return Vec::new();
        }
        // What this call read may change now (and a refused batch is retried on fresh reads).
        memo::forget();
        let count = arrays.len();
        let bridge = self.bridge.clone();
        let (pool, described) = (self.bridge.pool.clone(), self.bridge.described.clone());
        let answers = self.bridge.run(async move {
            let client = Bridge::client(&pool, &described).await?;
            Ok(commit::commit_all(&client, &arrays, &described, &|n| bridge.count(n)).await)
        });
        match answers {
            Ok(answers) => answers,
            Err(e) => (0..count)
                .map(|_| Err(Error::Storage(e.to_string())))
                .collect(),
        }
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
        self.bridge.count(1);
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

impl Store for PgStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        memo::get(self as *const Self as usize, tree, key, || {
            let key = key.to_vec();
            self.with_client("cannot read the store", move |c| async move {
                let st = c
                    .prepare_cached("SELECT value FROM docket_kv WHERE tree = $1 AND key = $2")
                    .await?;
                let row = c.query_opt(&st, &[&tree.name(), &key]).await?;
                Ok(row.map(|r| r.get::<_, Vec<u8>>(0)))
            })
        })
    }

    fn get_many(&self, tree: Tree, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let (keys, count) = (keys.to_vec(), keys.len());
        self.with_client("cannot read the store", move |c| async move {
            let st = c
                .prepare_cached(
                    "SELECT k.i, kv.value FROM unnest($2::bytea[]) WITH ORDINALITY AS k(key, i) \
                     JOIN docket_kv kv ON kv.tree = $1 AND kv.key = k.key",
                )
                .await?;
            let mut values = vec![None; count];
            for row in c.query(&st, &[&tree.name(), &keys]).await? {
                values[row.get::<_, i64>(0) as usize - 1] = Some(row.get::<_, Vec<u8>>(1));
            }
            Ok(values)
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
        self.commit_arrays(vec![commit::Arrays::of(batch)])
            .pop()
            .expect("one answer per batch")
    }

    fn commit_each(&self, batches: Vec<Batch>) -> Vec<Result<()>> {
        // Empty batches commit nothing and answer Ok, as `commit` does.
        let empty: Vec<bool> = batches.iter().map(|b| b.writes.is_empty()).collect();
        let arrays = batches
            .into_iter()
            .filter(|b| !b.writes.is_empty())
            .map(commit::Arrays::of)
            .collect();
        let mut answers = self.commit_arrays(arrays).into_iter();
        empty
            .into_iter()
            .map(|empty| {
                if empty {
                    Ok(())
                } else {
                    answers.next().expect("one answer per batch")
                }
            })
            .collect()
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

#[cfg(test)]
#[path = "pg_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tls_tests;
