//! Backup and restore as a stream: a tar archive holding a header, the records in chunks, the
//! bytes of every referenced file, and a manifest at the end. Memory stays bounded by one chunk
//! whatever the size of the firm.
//!
//! Every entry's name carries the SHA-256 of its bytes (`records/000001-HASH.jsonl`,
//! `files/HASH`), checked as it is read; the manifest holds the entry count and the SHA-256 of
//! every entry's name and size in order, so a missing, reordered or extra entry and a cut-short
//! archive are caught. A backup first copies the records to a local temporary file at disk speed
//! (writers go on meanwhile, see `Store::copy_live`), then streams, so a slow reader never holds
//! writers up. A restore writes into a staging folder beside the target, checks the result and
//! renames it into place, so a bad archive leaves nothing behind.
//!
//! Restore also reads the first format (JSON lines with the file bytes in a `blobs` tree),
//! written by dockets before files moved to disk.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::files::{check_hash, io_error};
use crate::store::{Changes, SledStore, Store, Tree, repack};
use crate::text::hex;
use crate::{Error, Result};

const FORMAT: &str = "docket-backup";
/// 1: JSON lines, file bytes in the `blobs` tree. 2: a tar archive, files on their own.
const VERSION: u32 = 2;
const HEADER_NAME: &str = "docket-backup.json";
const MANIFEST_NAME: &str = "manifest.json";
/// Records are gathered into chunks of about this size before they are written.
const RECORD_CHUNK: usize = 4 * 1024 * 1024;
/// A records chunk larger than this is not one Docket wrote.
const MAX_RECORD_CHUNK: u64 = 64 * 1024 * 1024;
/// Meta key present while a restore by an older docket was under way.
pub const RESTORE_MARKER: &[u8] = b"restore_in_progress";
/// Entries restored between two flushes.
const RESTORE_BATCH: u64 = 10_000;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: String,
    version: u32,
    created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    tree: String,
    key: String,
    value: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    /// Entries before the manifest.
    entries: u64,
    records: u64,
    files: u64,
    /// SHA-256 of `NAME SIZE\n` for every entry before the manifest, in order.
    sha256: String,
}

/// The end of a first-format backup.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Trailer {
    end: bool,
    entries: u64,
    sha256: String,
}

/// What a backup or a restore carried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub records: u64,
    pub files: u64,
    /// Bytes of the archive.
    pub bytes: u64,
    /// Files (by SHA-256) whose bytes were missing or damaged on disk when the backup was
    /// made: a backup marks each and goes on; a restore leaves them out, so their records
    /// remain without bytes (their download is refused) and everything else is restored.
    pub left_out: Vec<String>,
}

/// The entry that follows a file whose bytes no longer hashed to their name when packed.
const DAMAGED_PREFIX: &str = "damaged/";
/// The entry that stands for a referenced file whose bytes were not there to pack.
const MISSING_PREFIX: &str = "missing/";

/// Progress reports: bytes of the archive written or read so far.
pub type Progress<'a> = &'a mut dyn FnMut(u64);

/// Writes a consistent backup of `store` and its files to `out`. The records are first copied
/// to a temporary file beside the store while writers go on; only then does anything go to
/// `out`, so a slow `out` never holds writers up. Files are kept from collection meanwhile.
pub fn export(
    store: &dyn Store,
    now: chrono::DateTime<chrono::Utc>,
    out: &mut dyn Write,
    progress: Progress,
) -> Result<Counts> {
    let files = store.files();
    let _kept = files.hold();
    let scratch = |e| io_error("cannot write the backup's local copy", e);
    let mut spill = BufWriter::new(Settling {
        file: store.scratch_file()?,
        unsynced: 0,
    });
    let changes = store.copy_live(&mut |tree, key, value| {
        spill_entry(&mut spill, tree, key, value).map_err(scratch)
    })?;
    let mut spill = spill
        .into_inner()
        .map_err(|e| scratch(e.into_error()))?
        .file;
    spill.rewind().map_err(scratch)?;

    let mut counted = Counting {
        inner: out,
        bytes: 0,
    };
    let mut packer = Packer::new(&mut counted, now);
    let header = Header {
        format: FORMAT.into(),
        version: VERSION,
        created_at: now,
    };
    packer.add(
        HEADER_NAME,
        &serde_json::to_vec(&header).expect("header serialises"),
    )?;
    let mut referenced = BTreeSet::new();
    let mut chunk = Vec::with_capacity(RECORD_CHUNK + 64 * 1024);
    let mut records = 0u64;
    merged(BufReader::new(spill), changes, &mut |tree, key, value| {
        if tree == Tree::FileRefs
            && let Some(hash) = key.split(|b| *b == b'/').next()
        {
            referenced.insert(String::from_utf8_lossy(hash).into_owned());
        }
        let entry = Entry {
            tree: tree.name().into(),
            key: B64.encode(key),
            value: B64.encode(value),
        };
        serde_json::to_writer(&mut chunk, &entry).expect("entry serialises");
        chunk.push(b'\n');
        records += 1;
        if chunk.len() >= RECORD_CHUNK {
            packer.add_records(&chunk)?;
            chunk.clear();
            progress(packer.bytes());
        }
        Ok(())
    })?;
    if !chunk.is_empty() {
        packer.add_records(&chunk)?;
    }
    drop(chunk);
    let mut left_out = Vec::new();
    let mut packed = 0u64;
    for hash in &referenced {
        check_hash(hash).map_err(|_| Error::Storage(format!("file index holds `{hash}`")))?;
        let (Some(size), Some(reader)) = (files.size(hash)?, files.read(hash)?) else {
            // Lost before this backup (or left out of the restore that made this folder):
            // marked, so a restore knows, and the backup of everything else goes on.
            packer.add(
                &format!("{MISSING_PREFIX}{hash}"),
                b"a record referenced this file but its bytes were not in the data folder",
            )?;
            left_out.push(hash.clone());
            continue;
        };
        let mut hashing = Hashing::new(reader);
        packer.add_reader(&format!("files/{hash}"), size, &mut hashing)?;
        packed += 1;
        if hex(&hashing.hasher.finalize()) != *hash {
            // Known only once its bytes went out: marked, so a restore leaves it out, and the
            // backup of everything else goes on.
            packer.add(
                &format!("{DAMAGED_PREFIX}{hash}"),
                b"the file before this entry no longer hashed to its name when it was backed up",
            )?;
            left_out.push(hash.clone());
        }
        progress(packer.bytes());
    }
    packer.finish(records, packed)?;
    counted.flush().map_err(write_error)?;
    progress(counted.bytes);
    Ok(Counts {
        records,
        files: packed,
        bytes: counted.bytes,
        left_out,
    })
}

/// Restores a backup into `data_dir`, which must be missing or empty. Everything is written to
/// a staging folder beside it, upgraded, checked with `check::check` and only then renamed into
/// place; on any error the staging folder is removed and `data_dir` is as it was. The restored
/// folder starts with sending paused (`Docket::resume_sending`).
pub fn restore(data_dir: &Path, input: &mut dyn Read, progress: Progress) -> Result<Counts> {
    // A symlink to the folder: restore into the folder it names (the final rename replaces a
    // folder, never a link).
    let resolved;
    let data_dir = if std::fs::symlink_metadata(data_dir).is_ok_and(|m| m.file_type().is_symlink())
    {
        resolved = std::fs::canonicalize(data_dir)
            .map_err(|e| io_error(&format!("cannot follow the link {}", data_dir.display()), e))?;
        resolved.as_path()
    } else {
        data_dir
    };
    ensure_empty(data_dir)?;
    let staging = staging_dir(data_dir)?;
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let result = (|| {
        let counts = {
            let store = SledStore::create(&staging)?;
            let mut counting = Counting {
                inner: input,
                bytes: 0,
            };
            let counts = load::load(&store, &mut counting, progress)?;
            store.flush()?;
            Counts {
                bytes: counting.bytes,
                ..counts
            }
        };
        // Opened again, so records and the folder are upgraded as any older folder would be.
        let store = SledStore::open_upgrading(&staging, crate::docket::UPGRADES)?;
        let mut problems = crate::check::check(&store, false)?;
        // Files lost before the backup was made are missing by design; the caller says so.
        problems.retain(|p| !counts.left_out.iter().any(|sha| p.contains(sha.as_str())));
        if !problems.is_empty() {
            return Err(Error::Backup(format!(
                "the restored data does not check out, so nothing was restored:\n{}",
                problems.join("\n")
            )));
        }
        // A backup holds the outbox and the schedule of its day: the restored folder sends
        // nothing until an admin resumes it.
        use crate::clock::Clock as _;
        let pause = crate::model::SendingPause {
            since: crate::clock::SystemClock.now(),
            reason: "this folder was restored from a backup".into(),
        };
        crate::docket::pause_sending_in(&store, &pause)?;
        store.flush()?;
        Ok(counts)
    })();
    match result {
        Ok(counts) => {
            // An empty folder prepared for the restore keeps its owner and mode (an operator's
            // locked-down folder must not become world-readable).
            let prepared = std::fs::metadata(data_dir).ok();
            if prepared.is_some() {
                std::fs::remove_dir(data_dir)
                    .map_err(|e| io_error(&format!("cannot replace {}", data_dir.display()), e))?;
            }
            std::fs::rename(&staging, data_dir).map_err(|e| {
                io_error(
                    &format!("cannot move the restore into {}", data_dir.display()),
                    e,
                )
            })?;
            if let Some(meta) = prepared {
                use std::os::unix::fs::MetadataExt as _;
                std::fs::set_permissions(data_dir, meta.permissions())?;
                // The restored folder and everything in it belong to whoever owned the prepared
                // folder (the account the server runs as). Only root may give files away;
                // anyone else restoring keeps their own, which is already that account.
                if let Err(e) = chown_all(data_dir, meta.uid(), meta.gid())
                    && e.kind() != std::io::ErrorKind::PermissionDenied
                {
                    return Err(io_error(
                        &format!("cannot set the owner of {}", data_dir.display()),
                        e,
                    ));
                }
            }
            if let Some(parent) = data_dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::File::open(parent).and_then(|d| d.sync_all())?;
            }
            Ok(counts)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

/// Gives `path` and everything under it to `uid`:`gid`.
fn chown_all(path: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
    std::os::unix::fs::lchown(path, Some(uid), Some(gid))?;
    if std::fs::symlink_metadata(path)?.is_dir() {
        for entry in std::fs::read_dir(path)? {
            chown_all(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}

/// Refuses to open a folder whose restore by an older docket did not finish.
pub fn check_not_half_restored(store: &dyn Store) -> Result<()> {
    if store.get(Tree::Meta, RESTORE_MARKER)?.is_some() {
        return Err(Error::Backup("this data folder or database holds a restore that did not finish; empty it and run `docket restore` again".into()));
    }
    Ok(())
}

fn ensure_empty(data_dir: &Path) -> Result<()> {
    match std::fs::read_dir(data_dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::Backup(format!(
                    "{} is not empty; restore only into a new or empty folder",
                    data_dir.display()
                )));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(&format!("cannot read {}", data_dir.display()), e)),
    }
}

/// The staging folder a restore into `data_dir` left behind when it was interrupted (killed,
/// the machine stopped), if there is one: nothing uses it, and the next restore replaces it.
pub fn interrupted_restore(data_dir: &Path) -> Option<PathBuf> {
    let name = data_dir.file_name()?;
    let parent = data_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = parent.join(format!(".{}.restoring", name.to_string_lossy()));
    staging.exists().then_some(staging)
}

/// `PARENT/.NAME.restoring`: beside the target, so the final rename stays on one disk.
fn staging_dir(data_dir: &Path) -> Result<PathBuf> {
    let name = data_dir
        .file_name()
        .ok_or_else(|| Error::Backup(format!("cannot restore into {}", data_dir.display())))?;
    let parent = data_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    crate::owner_only::create_dir_all(parent)
        .map_err(|e| io_error(&format!("cannot create {}", parent.display()), e))?;
    Ok(parent.join(format!(".{}.restoring", name.to_string_lossy())))
}

fn damaged(e: &std::io::Error) -> Error {
    Error::Backup(format!(
        "the archive is damaged or cut short ({e}); nothing was restored"
    ))
}

fn write_error(e: std::io::Error) -> Error {
    Error::Backup(format!("cannot write the backup: {e}"))
}

/// Writes tar entries and keeps the manifest's running hash.
struct Packer<W: Write> {
    tar: tar::Builder<W>,
    names: Sha256,
    entries: u64,
    chunks: u64,
    mtime: u64,
    bytes: u64,
}

impl<W: Write> Packer<W> {
    fn new(out: W, now: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            tar: tar::Builder::new(out),
            names: Sha256::new(),
            entries: 0,
            chunks: 0,
            mtime: now.timestamp().max(0) as u64,
            bytes: 0,
        }
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn add(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        self.add_reader(name, bytes.len() as u64, &mut &bytes[..])
    }

    fn add_records(&mut self, chunk: &[u8]) -> Result<()> {
        self.chunks += 1;
        let name = format!(
            "records/{:06}-{}.jsonl",
            self.chunks,
            hex(&Sha256::digest(chunk))
        );
        self.add(&name, chunk)
    }

    fn add_reader(&mut self, name: &str, size: u64, reader: &mut dyn Read) -> Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o600);
        header.set_mtime(self.mtime);
        header.set_entry_type(tar::EntryType::Regular);
        self.tar
            .append_data(&mut header, name, reader)
            .map_err(write_error)?;
        self.names.update(format!("{name} {size}\n").as_bytes());
        self.entries += 1;
        self.bytes += 512 + size.div_ceil(512) * 512;
        Ok(())
    }

    fn finish(mut self, records: u64, files: u64) -> Result<()> {
        let manifest = Manifest {
            entries: self.entries,
            records,
            files,
            sha256: hex(&self.names.clone().finalize()),
        };
        let text = serde_json::to_vec(&manifest).expect("manifest serialises");
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(self.mtime);
        header.set_entry_type(tar::EntryType::Regular);
        self.tar
            .append_data(&mut header, MANIFEST_NAME, text.as_slice())
            .map_err(write_error)?;
        self.tar.finish().map_err(write_error)
    }
}

/// The local copy, written to disk a few megabytes at a time: left to pile up in the OS's
/// cache, hundreds of megabytes of it would be written out at once and stall the writers'
/// flushes behind them.
struct Settling {
    file: std::fs::File,
    unsynced: usize,
}

/// Bytes of the local copy between two syncs.
const SETTLE_EVERY: usize = 1024 * 1024;

impl Write for Settling {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.unsynced += n;
        if self.unsynced >= SETTLE_EVERY {
            self.file.sync_data()?;
            self.unsynced = 0;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Counts the bytes that pass.
struct Counting<T> {
    inner: T,
    bytes: u64,
}

impl<T: Write> Write for Counting<T> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<T: Read> Read for Counting<T> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Hashes the bytes read through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R> Hashing<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
        }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// One entry of the local copy: tree position, key length, key, value length, value.
fn spill_entry(out: &mut dyn Write, tree: Tree, key: &[u8], value: &[u8]) -> std::io::Result<()> {
    let position = Tree::ALL
        .iter()
        .position(|t| *t == tree)
        .expect("every tree is listed") as u8;
    out.write_all(&[position])?;
    out.write_all(&(key.len() as u32).to_le_bytes())?;
    out.write_all(key)?;
    out.write_all(&(value.len() as u32).to_le_bytes())?;
    out.write_all(value)
}

/// Reads the local copy back with `changes` applied over it.
fn merged(mut spill: impl Read, mut changes: Changes, each: crate::store::Visit) -> Result<()> {
    let damaged = |e: std::io::Error| io_error("cannot read the backup's local copy", e);
    let mut key = Vec::new();
    let mut value = Vec::new();
    loop {
        let mut position = [0u8; 1];
        match spill.read_exact(&mut position) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(damaged(e)),
        }
        let tree = Tree::ALL[position[0] as usize];
        read_sized(&mut spill, &mut key).map_err(damaged)?;
        read_sized(&mut spill, &mut value).map_err(damaged)?;
        match changes
            .get_mut(&tree)
            .and_then(|t| t.remove(key.as_slice()))
        {
            Some(Some(now)) => each(tree, &key, &now)?,
            Some(None) => {}
            None => each(tree, &key, &value)?,
        }
    }
    // Keys written during the copy that it did not see.
    for (tree, entries) in changes {
        for (key, value) in entries {
            if let Some(value) = value {
                each(tree, &key, &value)?;
            }
        }
    }
    Ok(())
}

fn read_sized(input: &mut impl Read, into: &mut Vec<u8>) -> std::io::Result<()> {
    let mut len = [0u8; 4];
    input.read_exact(&mut len)?;
    into.resize(u32::from_le_bytes(len) as usize, 0);
    input.read_exact(into)
}

#[path = "backup_load.rs"]
mod load;
#[path = "backup_pg.rs"]
mod pg;
pub use pg::restore_postgres;

impl crate::Docket {
    /// Writes a consistent backup of the whole store and its files to `out` while the firm
    /// keeps working: the records are copied locally first, so a slow `out` holds no writer.
    pub fn backup(&self, out: &mut dyn std::io::Write) -> Result<Counts> {
        export(self.store().as_ref(), self.now(), out, &mut |_| {})
    }
}

#[cfg(test)]
#[path = "backup_tests.rs"]
mod tests;
