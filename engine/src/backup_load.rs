//! Reading a backup into a fresh store: the archive (each entry checked against the SHA-256 in
//! its name, the manifest against the entries seen) or the first format's JSON lines, into a
//! new sled folder or an empty PostgreSQL database (`Target`).

use std::cell::RefCell;

use super::*;
use crate::store::{Batch, FileStore, PgStore};

/// Where a restore writes: entries one at a time, made durable by `flush`.
pub(super) trait Target {
    fn load(&self, tree: Tree, key: &[u8], value: Vec<u8>) -> Result<()>;
    fn flush(&self) -> Result<()>;
    fn files(&self) -> &FileStore;
}

impl Target for SledStore {
    fn load(&self, tree: Tree, key: &[u8], value: Vec<u8>) -> Result<()> {
        SledStore::load(self, tree, key, value)
    }
    fn flush(&self) -> Result<()> {
        Store::flush(self)
    }
    fn files(&self) -> &FileStore {
        Store::files(self)
    }
}

/// Entries committed to a database this many at a time (each batch locks each key it writes).
const PG_BATCH: usize = 500;

/// A PostgreSQL store filled in batches.
pub(super) struct PgLoad<'a> {
    pub(super) store: &'a PgStore,
    pending: RefCell<(Batch, usize)>,
}

impl<'a> PgLoad<'a> {
    pub(super) fn new(store: &'a PgStore) -> Self {
        Self {
            store,
            pending: RefCell::new((Batch::default(), 0)),
        }
    }
}

impl Target for PgLoad<'_> {
    fn load(&self, tree: Tree, key: &[u8], value: Vec<u8>) -> Result<()> {
        let full = {
            let mut pending = self.pending.borrow_mut();
            pending.0.put(tree, key, value);
            pending.1 += 1;
            pending.1 >= PG_BATCH
        };
        if full { self.flush() } else { Ok(()) }
    }
    fn flush(&self) -> Result<()> {
        let batch = std::mem::take(&mut *self.pending.borrow_mut()).0;
        if batch.is_empty() {
            return Ok(());
        }
        self.store.commit(batch)
    }
    fn files(&self) -> &FileStore {
        self.store.files()
    }
}

/// Reads a backup of either format into `store`, every entry written and durable when it
/// returns.
pub(super) fn load(store: &dyn Target, input: &mut dyn Read, progress: Progress) -> Result<Counts> {
    let mut input = BufReader::with_capacity(256 * 1024, input);
    let first = input
        .fill_buf()
        .map_err(|e| Error::Backup(format!("cannot read: {e}")))?;
    let counts = match first.first() {
        None => Err(Error::Backup("the file is empty".into())),
        Some(b'{') => load_lines(store, &mut input, progress),
        Some(_) => load_archive(store, &mut input, progress),
    }?;
    store.flush()?;
    Ok(counts)
}

fn load_archive(store: &dyn Target, input: &mut dyn Read, progress: Progress) -> Result<Counts> {
    let not_backup = |why: String| Error::Backup(format!("not a docket backup: {why}"));
    let mut archive = tar::Archive::new(input);
    let mut entries = archive.entries().map_err(|e| not_backup(e.to_string()))?;
    let mut names = Sha256::new();
    let mut seen = 0u64;
    let mut counts = Counts::default();
    let mut loaded = 0u64;
    let mut read_bytes = 0u64;
    let mut manifest: Option<Manifest> = None;
    // A file whose bytes did not match its name: an error unless the next entry marks it as
    // damaged when the backup was made.
    let mut mismatched: Option<String> = None;
    let mut written = std::collections::HashSet::new();
    for entry in entries.by_ref() {
        let mut entry = entry.map_err(|e| {
            if seen == 0 {
                not_backup("it is neither an archive nor a first-format backup".into())
            } else {
                damaged(&e)
            }
        })?;
        let name = entry
            .path()
            .map_err(|e| damaged(&e))?
            .to_string_lossy()
            .into_owned();
        let size = entry.header().size().map_err(|e| damaged(&e))?;
        read_bytes += size;
        if let Some(file) = mismatched.take() {
            if name != format!("{DAMAGED_PREFIX}{file}") {
                return Err(Error::Backup(format!(
                    "`files/{file}`: checksum mismatch: the archive was changed or damaged"
                )));
            }
            counts.left_out.push(file);
        } else if name.starts_with(DAMAGED_PREFIX) {
            return Err(Error::Backup(format!(
                "`{name}` follows no damaged file; the archive was changed"
            )));
        }
        if manifest.is_some() {
            return Err(Error::Backup(format!(
                "`{name}` follows the manifest; the archive was changed"
            )));
        }
        if seen == 0 {
            if name != HEADER_NAME || size > 64 * 1024 {
                return Err(not_backup(format!("it starts with `{name}`")));
            }
            let mut text = Vec::new();
            entry.read_to_end(&mut text).map_err(|e| damaged(&e))?;
            check_header(&text)?;
        } else if name == MANIFEST_NAME {
            let mut text = Vec::new();
            (&mut entry)
                .take(64 * 1024)
                .read_to_end(&mut text)
                .map_err(|e| damaged(&e))?;
            manifest = Some(
                serde_json::from_slice(&text)
                    .map_err(|e| Error::Backup(format!("unreadable manifest: {e}")))?,
            );
            continue;
        } else if let Some(rest) = name.strip_prefix("records/") {
            let hash = rest
                .strip_suffix(".jsonl")
                .and_then(|r| r.split_once('-'))
                .map(|(_, h)| h)
                .ok_or_else(|| Error::Backup(format!("unexpected entry `{name}`")))?;
            if size > MAX_RECORD_CHUNK {
                return Err(Error::Backup(format!(
                    "`{name}` is too large to be records"
                )));
            }
            let mut chunk = Vec::with_capacity(size as usize);
            entry.read_to_end(&mut chunk).map_err(|e| damaged(&e))?;
            if chunk.len() as u64 != size {
                return Err(Error::Backup(format!(
                    "`{name}` ends early: the archive was cut short; nothing was restored"
                )));
            }
            if hex(&Sha256::digest(&chunk)) != hash {
                return Err(Error::Backup(format!(
                    "`{name}`: checksum mismatch: the archive was changed or damaged"
                )));
            }
            for (n, line) in chunk.split(|b| *b == b'\n').enumerate() {
                if line.is_empty() {
                    continue;
                }
                let (tree, key, value) = parse_entry(line)
                    .map_err(|why| Error::Backup(format!("`{name}` line {}: {why}", n + 1)))?;
                store_entry(store, tree, &key, value, &mut loaded)?;
                counts.records += 1;
            }
        } else if let Some(hash) = name.strip_prefix("files/") {
            check_hash(hash).map_err(|_| Error::Backup(format!("unexpected entry `{name}`")))?;
            let stored = store.files().write(&mut entry, u64::MAX)?;
            if stored.size != size {
                return Err(Error::Backup(format!(
                    "`{name}` ends early: the archive was cut short; nothing was restored"
                )));
            }
            if stored.sha256 != hash {
                // Its bytes are no file of the archive (unless they equal one already restored).
                if !written.contains(&stored.sha256) {
                    store.files().remove(&stored.sha256)?;
                }
                mismatched = Some(hash.to_string());
            } else {
                written.insert(stored.sha256);
            }
            counts.files += 1;
        } else if name.starts_with(DAMAGED_PREFIX) {
            // Checked above against the file before it.
        } else if let Some(hash) = name.strip_prefix(MISSING_PREFIX) {
            check_hash(hash).map_err(|_| Error::Backup(format!("unexpected entry `{name}`")))?;
            counts.left_out.push(hash.to_string());
        } else {
            return Err(Error::Backup(format!("unexpected entry `{name}`")));
        }
        names.update(format!("{name} {size}\n").as_bytes());
        seen += 1;
        progress(read_bytes);
    }
    if let Some(file) = mismatched {
        return Err(Error::Backup(format!(
            "`files/{file}`: checksum mismatch: the archive was changed or damaged"
        )));
    }
    let manifest = manifest.ok_or_else(|| {
        Error::Backup("the archive ends early: it has no manifest, so it was cut short".into())
    })?;
    if manifest.entries != seen
        || manifest.records != counts.records
        || manifest.files != counts.files
    {
        return Err(Error::Backup(format!(
            "the manifest counts {} entries ({} records, {} files) but the archive has {seen} ({} records, {} files)",
            manifest.entries, manifest.records, manifest.files, counts.records, counts.files
        )));
    }
    if manifest.sha256 != hex(&names.finalize()) {
        return Err(Error::Backup(
            "checksum mismatch: the archive's entries are not the ones its manifest lists".into(),
        ));
    }
    Ok(counts)
}

fn check_header(text: &[u8]) -> Result<()> {
    let header: Header = serde_json::from_slice(text)
        .map_err(|_| Error::Backup("not a docket backup (no header)".into()))?;
    if header.format != FORMAT {
        return Err(Error::Backup(format!(
            "not a docket backup (format `{}`)",
            header.format
        )));
    }
    if header.version > VERSION {
        return Err(Error::Backup(format!(
            "backup format {} is newer than this docket reads ({VERSION}); upgrade docket",
            header.version
        )));
    }
    Ok(())
}

/// The first format: a header line, one JSON line per entry, a trailer.
fn load_lines(store: &dyn Target, input: &mut dyn BufRead, progress: Progress) -> Result<Counts> {
    let bad = |line: usize, why: String| Error::Backup(format!("line {line}: {why}"));
    let mut hasher = Sha256::new();
    let mut counts = Counts::default();
    let mut loaded = 0u64;
    let mut read_bytes = 0u64;
    let mut line = Vec::new();
    let mut n = 0usize;
    let mut next = |line: &mut Vec<u8>, read_bytes: &mut u64| -> Result<bool> {
        line.clear();
        let got = input
            .read_until(b'\n', line)
            .map_err(|e| Error::Backup(format!("cannot read: {e}")))?;
        *read_bytes += got as u64;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        Ok(got > 0)
    };
    next(&mut line, &mut read_bytes)?;
    n += 1;
    check_header(&line).map_err(|e| bad(n, e.to_string()))?;
    hasher.update(&line);
    hasher.update(b"\n");
    loop {
        if !next(&mut line, &mut read_bytes)? {
            return Err(Error::Backup(
                "the file ends early: it has no trailer, so it was cut short".into(),
            ));
        }
        n += 1;
        if let Ok(trailer) = serde_json::from_slice::<Trailer>(&line) {
            if !trailer.end || trailer.entries != counts.records + counts.files {
                return Err(bad(
                    n,
                    format!(
                        "the trailer counts {} entries but the file has {}",
                        trailer.entries,
                        counts.records + counts.files
                    ),
                ));
            }
            if trailer.sha256 != hex(&hasher.finalize()) {
                return Err(bad(
                    n,
                    "checksum mismatch: the file was changed or damaged".into(),
                ));
            }
            if next(&mut line, &mut read_bytes)? {
                return Err(bad(n + 1, "text after the trailer".into()));
            }
            return Ok(counts);
        }
        hasher.update(&line);
        hasher.update(b"\n");
        if let Some(bytes) = old_blob(&line).map_err(|why| bad(n, why))? {
            // File bytes of the first format go to the file store.
            store.files().write(&mut bytes.as_slice(), u64::MAX)?;
            counts.files += 1;
        } else {
            let (tree, key, value) = parse_entry(&line).map_err(|why| bad(n, why))?;
            store_entry(store, tree, &key, value, &mut loaded)?;
            counts.records += 1;
        }
        progress(read_bytes);
    }
}

/// The bytes of a first-format `blobs` entry, checked against its key.
fn old_blob(line: &[u8]) -> std::result::Result<Option<Vec<u8>>, String> {
    let entry: Entry =
        serde_json::from_slice(line).map_err(|e| format!("unreadable entry: {e}"))?;
    if entry.tree != "blobs" {
        return Ok(None);
    }
    let key = B64
        .decode(&entry.key)
        .map_err(|e| format!("bad key: {e}"))?;
    let bytes = B64
        .decode(&entry.value)
        .map_err(|e| format!("bad value: {e}"))?;
    if hex(&Sha256::digest(&bytes)).as_bytes() != key.as_slice() {
        return Err("a file's bytes do not match its hash".into());
    }
    Ok(Some(bytes))
}

fn parse_entry(line: &[u8]) -> std::result::Result<(Tree, Vec<u8>, Vec<u8>), String> {
    let entry: Entry =
        serde_json::from_slice(line).map_err(|e| format!("unreadable entry: {e}"))?;
    let tree =
        Tree::from_name(&entry.tree).ok_or_else(|| format!("unknown tree `{}`", entry.tree))?;
    let key = B64
        .decode(&entry.key)
        .map_err(|e| format!("bad key: {e}"))?;
    let value = B64
        .decode(&entry.value)
        .map_err(|e| format!("bad value: {e}"))?;
    Ok((tree, key, value))
}

fn store_entry(
    store: &dyn Target,
    tree: Tree,
    key: &[u8],
    value: Vec<u8>,
    loaded: &mut u64,
) -> Result<()> {
    if tree == Tree::Meta && key == RESTORE_MARKER {
        return Ok(());
    }
    // Records of an older docket are written compressed now rather than by the upgrade after,
    // which would leave their first copy behind as garbage in the new folder.
    let value = match tree.holds_records().then(|| repack(&value)).flatten() {
        Some(packed) => packed,
        None => value,
    };
    store.load(tree, key, value)?;
    *loaded += 1;
    if (*loaded).is_multiple_of(RESTORE_BATCH) {
        store.flush()?;
    }
    Ok(())
}
