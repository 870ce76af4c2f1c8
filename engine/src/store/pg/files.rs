//! Uploaded files' bytes in PostgreSQL, so every replica reads what any of them stored: a write is
//! a blob of chunks inserted as the bytes arrive (never the whole file in memory), and finishing
//! it names the blob by the bytes' SHA-256 in `docket_files`; a reader fetches one chunk at a
//! time. The same bytes stored twice keep the first blob (a reader streaming it is never cut
//! short) and renew its age.
//!
//! Collection is safe with several replicas: a file is removed only by a statement that checks
//! it is still older than the cut-off, so a replica storing the same bytes meanwhile keeps it;
//! blobs of writes that never finished go once they are older than the cut-off; and one replica
//! collects at a time, under an advisory lock.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::bridge::{Bridge, pg_error};
use crate::{Error, Result};

/// Bytes per stored chunk.
const CHUNK_BYTES: usize = 256 * 1024;
/// The session advisory lock a collection holds.
const COLLECT_LOCK: i64 = 0x646f_636b_6574_0002;

/// The file bytes of one database.
#[derive(Clone)]
pub(crate) struct PgFiles {
    bridge: Arc<Bridge>,
}

impl PgFiles {
    pub fn new(bridge: Arc<Bridge>) -> Self {
        Self { bridge }
    }

    pub fn described(&self) -> &str {
        &self.bridge.described
    }

    /// Runs one statement-level piece of work with a pooled connection.
    fn query<T, F, Fut>(&self, what: &'static str, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(deadpool_postgres::Object) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = std::result::Result<T, tokio_postgres::Error>> + Send,
    {
        let (pool, described) = (self.bridge.pool.clone(), self.bridge.described.clone());
        self.bridge.run(async move {
            let client = Bridge::client(&pool, &described).await?;
            work(client)
                .await
                .map_err(|e| pg_error(&described, what, e))
        })
    }

    /// Starts a blob for a new file.
    pub fn writer(&self) -> Result<PgWriter> {
        let blob = self.query("cannot start a file", |c| async move {
            let row = c
                .query_one("INSERT INTO docket_blobs DEFAULT VALUES RETURNING id", &[])
                .await?;
            Ok(row.get::<_, i64>(0))
        })?;
        Ok(PgWriter {
            files: self.clone(),
            blob,
            next: 0,
            buffer: Vec::with_capacity(CHUNK_BYTES),
            finished: false,
        })
    }

    /// The blob and size of the file with these bytes, if there is one.
    fn find(&self, sha256: &str) -> Result<Option<(i64, u64)>> {
        let sha256 = sha256.to_string();
        self.query("cannot read a file", move |c| async move {
            let st = c
                .prepare_cached("SELECT blob, size FROM docket_files WHERE sha256 = $1")
                .await?;
            Ok(c.query_opt(&st, &[&sha256])
                .await?
                .map(|r| (r.get::<_, i64>(0), r.get::<_, i64>(1) as u64)))
        })
    }

    pub fn read(&self, sha256: &str) -> Result<Option<PgReader>> {
        Ok(self.find(sha256)?.map(|(blob, size)| PgReader {
            files: self.clone(),
            sha256: sha256.to_string(),
            blob,
            size,
            read: 0,
            next: 0,
            chunk: std::io::Cursor::new(Vec::new()),
        }))
    }

    pub fn size(&self, sha256: &str) -> Result<Option<u64>> {
        Ok(self.find(sha256)?.map(|(_, size)| size))
    }

    /// Removes the file with these bytes, if it was written before `before` (always when
    /// `None`); says whether it did.
    pub fn remove(&self, sha256: &str, before: Option<SystemTime>) -> Result<bool> {
        let sha256 = sha256.to_string();
        self.query("cannot remove a file", move |mut c| async move {
            let tx = c.transaction().await?;
            let row = tx
                .query_opt(
                    "DELETE FROM docket_files WHERE sha256 = $1 AND ($2::timestamptz IS NULL OR written_at < $2) RETURNING blob",
                    &[&sha256, &before],
                )
                .await?;
            if let Some(row) = &row {
                let blob: i64 = row.get(0);
                tx.execute("DELETE FROM docket_blobs WHERE id = $1", &[&blob])
                    .await?;
            }
            tx.commit().await?;
            Ok(row.is_some())
        })
    }

    /// Every stored file: hash, size and when it was last written.
    pub fn entries(&self) -> Result<Vec<(String, u64, SystemTime)>> {
        self.query("cannot list the files", |c| async move {
            let rows = c
                .query("SELECT sha256, size, written_at FROM docket_files", &[])
                .await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    (
                        r.get::<_, String>(0),
                        r.get::<_, i64>(1) as u64,
                        r.get::<_, SystemTime>(2),
                    )
                })
                .collect())
        })
    }

    /// Holds the collection lock on a connection of its own while `work` runs; `None` when
    /// another replica is collecting (it will do the same work).
    pub fn collecting<T>(&self, work: impl FnOnce() -> Result<T>) -> Result<Option<T>> {
        let held = self.query("cannot lock the files", |c| async move {
            let row = c
                .query_one("SELECT pg_try_advisory_lock($1)", &[&COLLECT_LOCK])
                .await?;
            Ok(row.get::<_, bool>(0).then_some(c))
        })?;
        let Some(client) = held else {
            return Ok(None);
        };
        let out = work();
        let _ = self.bridge.run(async move {
            if client
                .execute("SELECT pg_advisory_unlock($1)", &[&COLLECT_LOCK])
                .await
                .is_err()
            {
                drop(deadpool_postgres::Object::take(client));
            }
            Ok(())
        });
        out.map(Some)
    }

    /// Removes blobs of writes that never finished, begun longer than `age` ago.
    pub fn remove_unfinished(&self, age: Duration) -> Result<u64> {
        let age = age.as_secs_f64();
        self.query("cannot remove unfinished files", move |c| async move {
            c.execute(
                "DELETE FROM docket_blobs b WHERE b.started_at < now() - make_interval(secs => $1) \
                 AND NOT EXISTS (SELECT 1 FROM docket_files f WHERE f.blob = b.id)",
                &[&age],
            )
            .await
        })
    }
}

/// A file being written into a blob; see `FileStore::writer`.
pub(crate) struct PgWriter {
    files: PgFiles,
    blob: i64,
    next: i32,
    buffer: Vec<u8>,
    finished: bool,
}

impl PgWriter {
    /// Adds bytes, storing a chunk each time `CHUNK_BYTES` have gathered.
    pub fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        while !bytes.is_empty() {
            let room = CHUNK_BYTES - self.buffer.len();
            let take = room.min(bytes.len());
            self.buffer.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buffer.len() == CHUNK_BYTES {
                self.store_chunk()?;
            }
        }
        Ok(())
    }

    fn store_chunk(&mut self) -> Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_BYTES));
        let (blob, n) = (self.blob, self.next);
        self.files
            .query("cannot write the file", move |c| async move {
                let st = c
                    .prepare_cached(
                        "INSERT INTO docket_blob_chunks (blob, n, bytes) VALUES ($1, $2, $3)",
                    )
                    .await?;
                c.execute(&st, &[&blob, &n, &chunk]).await
            })?;
        self.next += 1;
        Ok(())
    }

    /// Stores the last chunk and names the blob by `sha256`; bytes stored before under the same
    /// hash keep their blob (this one goes) and are made young again.
    pub fn finish(mut self, sha256: &str, size: u64) -> Result<()> {
        self.store_chunk()?;
        let (sha256, blob, size) = (sha256.to_string(), self.blob, size as i64);
        self.files
            .query("cannot write the file", move |mut c| async move {
                let tx = c.transaction().await?;
                let kept: i64 = tx
                    .query_one(
                        "INSERT INTO docket_files (sha256, blob, size) VALUES ($1, $2, $3) \
                         ON CONFLICT (sha256) DO UPDATE SET written_at = now() RETURNING blob",
                        &[&sha256, &blob, &size],
                    )
                    .await?
                    .get(0);
                if kept != blob {
                    tx.execute("DELETE FROM docket_blobs WHERE id = $1", &[&blob])
                        .await?;
                }
                tx.commit().await
            })?;
        self.finished = true;
        Ok(())
    }
}

impl Drop for PgWriter {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        // An unfinished write leaves nothing; should this fail, collection removes the blob.
        let blob = self.blob;
        let _ = self.files.query("cannot drop a file", move |c| async move {
            c.execute("DELETE FROM docket_blobs WHERE id = $1", &[&blob])
                .await
        });
    }
}

/// A stored file read a chunk at a time.
pub(crate) struct PgReader {
    files: PgFiles,
    sha256: String,
    blob: i64,
    size: u64,
    read: u64,
    next: i32,
    chunk: std::io::Cursor<Vec<u8>>,
}

impl std::io::Read for PgReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = std::io::Read::read(&mut self.chunk, buf)?;
            if n > 0 || buf.is_empty() {
                self.read += n as u64;
                return Ok(n);
            }
            if self.read >= self.size {
                return Ok(0);
            }
            let (blob, at) = (self.blob, self.next);
            let bytes = self
                .files
                .query("cannot read a file", move |c| async move {
                    let st = c
                        .prepare_cached(
                            "SELECT bytes FROM docket_blob_chunks WHERE blob = $1 AND n = $2",
                        )
                        .await?;
                    Ok(c.query_opt(&st, &[&blob, &at])
                        .await?
                        .map(|r| r.get::<_, Vec<u8>>(0)))
                })
                .map_err(std::io::Error::other)?;
            let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
                return Err(std::io::Error::other(Error::Gone(format!(
                    "file {} ends after {} of its {} bytes in the database",
                    self.sha256, self.read, self.size
                ))));
            };
            self.next += 1;
            self.chunk = std::io::Cursor::new(bytes);
        }
    }
}
