//! The bytes of uploaded files, kept as files of their own under the data folder and named by
//! their SHA-256, so the same bytes are stored once and sled keeps only records and indexes; or,
//! beside a PostgreSQL store, in the database (`pg::files`), so every replica shares them.
//!
//! A file is written chunk by chunk to a temporary name, its size capped as it grows, then
//! fsynced and renamed to its hash: a crash leaves either the whole file or a temporary one that
//! garbage collection removes later. The record that references a file is committed after the
//! file is in place; collection never removes a file younger than an hour, so a file written for
//! a batch not yet committed is safe.

use crate::model::StoredFile;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::pg::files::{PgFiles, PgReader, PgWriter};
use crate::text::hex;
use crate::{Error, Result};

/// Files younger than this are never collected: the batch that references them may not be
/// committed yet.
pub const COLLECT_AFTER: Duration = Duration::from_secs(60 * 60);
/// Bytes read or written at a time.
const CHUNK: usize = 64 * 1024;

/// What a garbage collection did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collected {
    /// Unreferenced files removed, and their bytes.
    pub removed: usize,
    pub bytes: u64,
    /// Unreferenced files kept because they are younger than `COLLECT_AFTER`.
    pub young: usize,
}

/// The content-addressed file store of one data folder (or of memory, for unit tests).
pub struct FileStore {
    place: Place,
    /// Backups hold it shared while they read files; collection takes it exclusively, so a file
    /// a backup is about to copy is never removed under it.
    readers: RwLock<()>,
}

type MemoryFiles = Arc<Mutex<HashMap<String, (Vec<u8>, SystemTime)>>>;

#[derive(Clone)]
enum Place {
    Disk(PathBuf),
    Memory(MemoryFiles),
    Postgres(PgFiles),
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.place {
            Place::Disk(root) => write!(f, "FileStore({})", root.display()),
            Place::Memory(_) => f.write_str("FileStore(memory)"),
            Place::Postgres(pg) => write!(f, "FileStore({})", pg.described()),
        }
    }
}

impl FileStore {
    /// The file store in folder `root` (`DATA/files`), created if missing.
    pub fn open(root: &Path) -> Result<Self> {
        let tmp = root.join("tmp");
        crate::owner_only::create_dir_all(&tmp)
            .map_err(|e| io_error(&format!("cannot create {}", tmp.display()), e))?;
        Ok(Self {
            place: Place::Disk(root.to_path_buf()),
            readers: RwLock::new(()),
        })
    }

    /// A file store in memory, for unit tests.
    pub fn memory() -> Self {
        Self {
            place: Place::Memory(Arc::default()),
            readers: RwLock::new(()),
        }
    }

    /// The file store of a PostgreSQL store: the bytes live in its database.
    pub(crate) fn postgres(files: PgFiles) -> Self {
        Self {
            place: Place::Postgres(files),
            readers: RwLock::new(()),
        }
    }

    /// Starts a new file of at most `max_bytes`. Write it with `FileWriter::write_chunk` (or as
    /// an `io::Write`), then `finish` it to get its hash; dropped unfinished, it leaves nothing.
    pub fn writer(&self, max_bytes: u64) -> Result<FileWriter> {
        let sink = match &self.place {
            Place::Disk(root) => {
                let tmp = tempfile::Builder::new()
                    .prefix("upload-")
                    .tempfile_in(root.join("tmp"))
                    .map_err(|e| io_error("cannot start a file", e))?;
                Sink::Disk(tmp)
            }
            Place::Memory(_) => Sink::Memory(Vec::new()),
            Place::Postgres(pg) => Sink::Postgres(pg.writer()?),
        };
        Ok(FileWriter {
            place: self.place.clone(),
            sink,
            hasher: Sha256::new(),
            size: 0,
            max_bytes,
        })
    }

    /// Writes everything `input` yields as one file of at most `max_bytes`.
    pub fn write(&self, input: &mut dyn Read, max_bytes: u64) -> Result<StoredFile> {
        let mut writer = self.writer(max_bytes)?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Storage(format!("cannot read the file: {e}"))),
            };
            writer.write_chunk(&buf[..n])?;
        }
        writer.finish()
    }

    /// Reads a stored file chunk by chunk; `None` when there is no file with that hash.
    pub fn read(&self, sha256: &str) -> Result<Option<FileReader>> {
        check_hash(sha256)?;
        match &self.place {
            Place::Disk(root) => match File::open(blob_path(root, sha256)) {
                Ok(file) => Ok(Some(FileReader(ReaderInner::Disk(file)))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io_error(&format!("cannot read file {sha256}"), e)),
            },
            Place::Memory(map) => {
                Ok(map
                    .lock()
                    .expect("file store lock")
                    .get(sha256)
                    .map(|(bytes, _)| {
                        FileReader(ReaderInner::Memory(std::io::Cursor::new(bytes.clone())))
                    }))
            }
            Place::Postgres(pg) => Ok(pg
                .read(sha256)?
                .map(|r| FileReader(ReaderInner::Postgres(r)))),
        }
    }

    /// The size of a stored file, if there is one with that hash.
    pub fn size(&self, sha256: &str) -> Result<Option<u64>> {
        check_hash(sha256)?;
        match &self.place {
            Place::Disk(root) => match std::fs::metadata(blob_path(root, sha256)) {
                Ok(meta) => Ok(Some(meta.len())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io_error(&format!("cannot read file {sha256}"), e)),
            },
            Place::Memory(map) => Ok(map
                .lock()
                .expect("file store lock")
                .get(sha256)
                .map(|(b, _)| b.len() as u64)),
            Place::Postgres(pg) => pg.size(sha256),
        }
    }

    /// Reads a stored file whole and says whether its bytes still hash to its name.
    pub fn verify(&self, sha256: &str) -> Result<Verified> {
        let Some(mut reader) = self.read(sha256)? else {
            return Ok(Verified::Missing);
        };
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = reader
                .read(&mut buf)
                .map_err(|e| io_error(&format!("cannot read file {sha256}"), e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(if hex(&hasher.finalize()) == sha256 {
            Verified::Intact
        } else {
            Verified::Damaged
        })
    }

    /// Removes a stored file at once, if there is one (a restore's bytes that proved damaged).
    pub(crate) fn remove(&self, sha256: &str) -> Result<()> {
        check_hash(sha256)?;
        match &self.place {
            Place::Disk(root) => match std::fs::remove_file(blob_path(root, sha256)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(io_error(&format!("cannot remove file {sha256}"), e))
                }
                _ => Ok(()),
            },
            Place::Memory(map) => {
                map.lock().expect("file store lock").remove(sha256);
                Ok(())
            }
            Place::Postgres(pg) => pg.remove(sha256, None).map(|_| ()),
        }
    }

    /// The hash of every stored file, in no particular order.
    pub fn list(&self) -> Result<Vec<String>> {
        Ok(self.entries()?.into_iter().map(|e| e.0).collect())
    }

    /// Keeps backups' files in place while the guard lives: collection waits for it.
    pub fn hold(&self) -> RwLockReadGuard<'_, ()> {
        self.readers.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Removes every file `referenced` says no record needs, except files written less than
    /// `COLLECT_AFTER` before `now`, and temporary files left by writes that never finished.
    /// With several replicas on one database, one collects at a time (the others find nothing to
    /// do), and a file stored again meanwhile is kept.
    pub fn collect(
        &self,
        referenced: &mut dyn FnMut(&str) -> Result<bool>,
        now: SystemTime,
    ) -> Result<Collected> {
        if let Place::Postgres(pg) = &self.place {
            let pg = pg.clone();
            return pg
                .collecting(|| self.collect_here(referenced, now))
                .map(Option::unwrap_or_default);
        }
        self.collect_here(referenced, now)
    }

    fn collect_here(
        &self,
        referenced: &mut dyn FnMut(&str) -> Result<bool>,
        now: SystemTime,
    ) -> Result<Collected> {
        let _exclusive = self.readers.write().unwrap_or_else(|e| e.into_inner());
        let young = |at: SystemTime| now.duration_since(at).unwrap_or_default() < COLLECT_AFTER;
        let mut done = Collected::default();
        for (sha256, size, at) in self.entries()? {
            if referenced(&sha256)? {
                continue;
            }
            if young(at) {
                done.young += 1;
                continue;
            }
            match &self.place {
                Place::Disk(root) => std::fs::remove_file(blob_path(root, &sha256))
                    .map_err(|e| io_error(&format!("cannot remove file {sha256}"), e))?,
                Place::Memory(map) => {
                    map.lock().expect("file store lock").remove(&sha256);
                }
                Place::Postgres(pg) => {
                    let cutoff = now
                        .checked_sub(COLLECT_AFTER)
                        .unwrap_or(SystemTime::UNIX_EPOCH);
                    if !pg.remove(&sha256, Some(cutoff))? {
                        // Stored again meanwhile by another replica: young again.
                        done.young += 1;
                        continue;
                    }
                }
            }
            done.removed += 1;
            done.bytes += size;
        }
        match &self.place {
            Place::Disk(root) => {
                for entry in read_dir(&root.join("tmp"))? {
                    let meta = entry.metadata()?;
                    if !young(meta.modified()?) {
                        std::fs::remove_file(entry.path())?;
                    }
                }
            }
            Place::Postgres(pg) => {
                pg.remove_unfinished(COLLECT_AFTER)?;
            }
            Place::Memory(_) => {}
        }
        Ok(done)
    }

    /// Every stored file: hash, size and when it was last written.
    pub(crate) fn entries(&self) -> Result<Vec<(String, u64, SystemTime)>> {
        match &self.place {
            Place::Postgres(pg) => pg.entries(),
            Place::Memory(map) => Ok(map
                .lock()
                .expect("file store lock")
                .iter()
                .map(|(k, (b, at))| (k.clone(), b.len() as u64, *at))
                .collect()),
            Place::Disk(root) => {
                let mut out = Vec::new();
                for shard in read_dir(root)? {
                    let name = shard.file_name();
                    let name = name.to_string_lossy();
                    if name.len() != 2 || !shard.file_type()?.is_dir() {
                        continue;
                    }
                    for file in read_dir(&shard.path())? {
                        let hash = file.file_name().to_string_lossy().into_owned();
                        if check_hash(&hash).is_err() || !hash.starts_with(name.as_ref()) {
                            continue;
                        }
                        let meta = file.metadata()?;
                        out.push((hash, meta.len(), meta.modified()?));
                    }
                }
                Ok(out)
            }
        }
    }
}

/// The outcome of `FileStore::verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    Intact,
    Missing,
    /// The bytes no longer hash to the file's name.
    Damaged,
}

/// A file being written; see `FileStore::writer`. It owns what it needs, so it can move to a
/// blocking thread.
pub struct FileWriter {
    place: Place,
    sink: Sink,
    hasher: Sha256,
    size: u64,
    max_bytes: u64,
}

enum Sink {
    Disk(tempfile::NamedTempFile),
    Memory(Vec<u8>),
    Postgres(PgWriter),
}

impl FileWriter {
    /// Adds the next bytes; fails with `Error::TooLarge` once the file passes its cap (the
    /// partial file is then dropped with the writer).
    pub fn write_chunk(&mut self, bytes: &[u8]) -> Result<()> {
        self.size += bytes.len() as u64;
        if self.size > self.max_bytes {
            return Err(Error::TooLarge(format!(
                "the file is larger than {}; files may be at most that size",
                crate::text::size(self.max_bytes)
            )));
        }
        self.hasher.update(bytes);
        match &mut self.sink {
            Sink::Disk(tmp) => tmp
                .as_file_mut()
                .write_all(bytes)
                .map_err(|e| io_error("cannot write the file", e)),
            Sink::Memory(buf) => {
                buf.extend_from_slice(bytes);
                Ok(())
            }
            Sink::Postgres(writer) => writer.write(bytes),
        }
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Makes the file durable under its hash and returns hash and size. The same bytes stored
    /// before are kept once: the new copy, whose hash was just computed, replaces the old one,
    /// which repairs a stored copy damaged since, and renews its age so collection leaves it to
    /// the record about to reference it.
    pub fn finish(self) -> Result<StoredFile> {
        let sha256 = hex(&self.hasher.finalize());
        let now = SystemTime::now();
        match (self.sink, &self.place) {
            (Sink::Disk(tmp), Place::Disk(root)) => {
                tmp.as_file()
                    .sync_all()
                    .map_err(|e| io_error("cannot write the file", e))?;
                let target = blob_path(root, &sha256);
                let shard = target.parent().expect("a blob path has a shard folder");
                crate::owner_only::create_dir_all(shard)
                    .map_err(|e| io_error("cannot write the file", e))?;
                tmp.persist(&target)
                    .map_err(|e| io_error("cannot write the file", e.error))?;
                sync_dir(shard)?;
            }
            (Sink::Memory(bytes), Place::Memory(map)) => {
                map.lock()
                    .expect("file store lock")
                    .insert(sha256.clone(), (bytes, now));
            }
            (Sink::Postgres(writer), Place::Postgres(_)) => writer.finish(&sha256, self.size)?,
            _ => unreachable!("a writer's sink matches its store"),
        }
        Ok(StoredFile {
            sha256,
            size: self.size,
        })
    }
}

impl std::io::Write for FileWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_chunk(buf).map_err(std::io::Error::other)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A stored file, read chunk by chunk.
pub struct FileReader(ReaderInner);

enum ReaderInner {
    Disk(File),
    Memory(std::io::Cursor<Vec<u8>>),
    Postgres(PgReader),
}

impl Read for FileReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match &mut self.0 {
            ReaderInner::Disk(f) => f.read(buf),
            ReaderInner::Memory(c) => c.read(buf),
            ReaderInner::Postgres(r) => r.read(buf),
        }
    }
}

/// Refuses anything but 64 lower-case hex digits, so a hash can never name a path elsewhere.
pub fn check_hash(sha256: &str) -> Result<()> {
    if sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "`{sha256}` is not a SHA-256 in hex"
        )))
    }
}

fn blob_path(root: &Path, sha256: &str) -> PathBuf {
    root.join(&sha256[..2]).join(sha256)
}

fn read_dir(dir: &Path) -> Result<Vec<std::fs::DirEntry>> {
    std::fs::read_dir(dir)
        .and_then(|d| d.collect::<std::io::Result<Vec<_>>>())
        .map_err(|e| io_error(&format!("cannot list {}", dir.display()), e))
}

/// Makes a rename inside `dir` durable.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error(&format!("cannot sync {}", dir.display()), e))
}

/// An I/O error in words an operator can act on; a full disk says so.
pub(crate) fn io_error(what: &str, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28) {
        Error::Storage(format!(
            "{what}: the disk holding the data folder is full; free some space and try again"
        ))
    } else {
        Error::Storage(format!("{what}: {e}"))
    }
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
