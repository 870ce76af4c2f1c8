//! A data folder's sled database opened, and written again whole into a new one when format 10
//! packs its indexes (`packed.rs`). Packing in place would not shrink it: sled keeps a
//! page-table entry for every page it ever used, freed or not, so a folder that had 1.2 million
//! keys would open as large as before. The new database is written beside the old one
//! (`db.packed`), marked whole (`db.packed.done`), then put in its place; `finish` completes or
//! forgets a rewrite a crash cut short, at the next open, before sled opens anything.

use std::path::Path;

use super::Tree;
use crate::{Error, Result};

const NEW: &str = "db.packed";
const WHOLE: &str = "db.packed.done";
const OLD: &str = "db.old";

/// Opens the sled database of `dir` with a page cache of `cache_bytes`. sled's own lock can
/// still be held for a moment by the background thread of a database this process just closed:
/// it is waited for rather than failed on.
pub(super) fn open_db(dir: &Path, cache_bytes: u64) -> Result<sled::Db> {
    let mut attempts = 0;
    loop {
        match sled::Config::new()
            .path(dir.join("db"))
            .cache_capacity(cache_bytes)
            .open()
        {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(e))
                if attempts < 100 && e.to_string().contains("could not acquire lock") =>
            {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => {
                return Err(Error::Storage(format!(
                    "cannot open the database in {}: {e}",
                    dir.display()
                )));
            }
        }
    }
}

/// `meta` key of a rewritten database: the token its `db.packed.done` holds, so only a copy this
/// docket finished writing ever takes the old database's place.
const TOKEN_KEY: &[u8] = b"rewrite_token";

/// Writes every tree of `db` (the database of `dir`, at format 9) into a new database beside it,
/// the trees `packs` names packed and the format noted as `format`, with a page cache of
/// `cache_bytes` while it writes, then marks it whole. The caller closes `db` and calls
/// `finish`, which puts the new database in its place. A failure (a full disk) removes the
/// partial copy and leaves the folder as it was.
pub(super) fn rewrite_packed(
    db: &sled::Db,
    dir: &Path,
    format: u16,
    cache_bytes: u64,
) -> Result<()> {
    let started = std::time::Instant::now();
    let size_mb = db.size_on_disk().unwrap_or(0).div_ceil(1_000_000);
    tracing::warn!(
        "upgrading the data folder {} to this version's format: its database ({size_mb} MB) is written again beside it, once (this needs as much free space again; the folder stays as it is until the copy is whole)",
        dir.display()
    );
    let token = crate::text::hex(&rand::random::<[u8; 16]>());
    let new_dir = dir.join(NEW);
    let written = write_copy(db, &new_dir, format, cache_bytes, token.as_bytes());
    if let Err(e) = written {
        let _ = remove_dir(&new_dir);
        return Err(Error::Storage(format!(
            "cannot upgrade the data folder {}: writing its database again failed ({e}); the folder is as it was, and the next start tries again (the upgrade needs about {size_mb} MB free beside it)",
            dir.display()
        )));
    }
    let whole = dir.join(WHOLE);
    crate::owner_only::write(&whole, token.as_bytes()).map_err(|e| io(&whole, e))?;
    sync_dir(dir)?;
    tracing::warn!(
        "upgraded the data folder {}: its database written again in {} ms, smaller and quicker to open",
        dir.display(),
        started.elapsed().as_millis()
    );
    Ok(())
}

fn write_copy(
    db: &sled::Db,
    new_dir: &Path,
    format: u16,
    cache_bytes: u64,
    token: &[u8],
) -> Result<()> {
    remove_dir(new_dir)?;
    crate::owner_only::create_dir_all(new_dir).map_err(|e| io(new_dir, e))?;
    let new = sled::Config::new()
        .path(new_dir)
        .cache_capacity(cache_bytes)
        .open()?;
    for tree in Tree::ALL {
        let from = db.open_tree(tree.name())?;
        let into = new.open_tree(tree.name())?;
        if super::packed::packs(tree) {
            super::packed::pack_into(&from, &into)?;
        } else {
            for item in from.iter() {
                let (key, value) = item?;
                into.insert(key, value)?;
            }
        }
    }
    let meta = new.open_tree(Tree::Meta.name())?;
    meta.insert(super::STORE_FORMAT_KEY, &format.to_be_bytes())?;
    meta.insert(TOKEN_KEY, token)?;
    new.flush()?;
    Ok(())
}

/// Completes a rewrite `rewrite_packed` marked whole (the old database goes, the new takes its
/// place) or forgets one a crash cut short (the old database stays, and is upgraded again).
/// Safe to run again at any point. A `db.packed` whose token is not its `db.packed.done`'s
/// (files this docket did not leave) is refused, and nothing is moved. `resuming`: called at
/// an open, where whatever it finds was left by a start that was cut short, and says so.
pub(super) fn finish(dir: &Path, resuming: bool) -> Result<()> {
    let (db, new, whole, old) = (
        dir.join("db"),
        dir.join(NEW),
        dir.join(WHOLE),
        dir.join(OLD),
    );
    if whole.exists() {
        if new.exists() {
            check_token(dir, &new, &whole)?;
            if resuming {
                tracing::warn!(
                    "the upgrade of the data folder {} was cut short after its new database was whole: it takes the old one's place now",
                    dir.display()
                );
            }
            if db.exists() {
                remove_dir(&old)?;
                std::fs::rename(&db, &old).map_err(|e| io(&db, e))?;
            }
            std::fs::rename(&new, &db).map_err(|e| io(&new, e))?;
            sync_dir(dir)?;
        }
        std::fs::remove_file(&whole).map_err(|e| io(&whole, e))?;
        sync_dir(dir)?;
    }
    if new.exists() && resuming {
        tracing::warn!(
            "the upgrade of the data folder {} was cut short before its new database was whole: the partial copy is removed, and the upgrade starts again",
            dir.display()
        );
    }
    remove_dir(&new)?;
    remove_dir(&old)
}

/// Refuses a `db.packed` beside `db` that is not the copy `db.packed.done` names.
fn check_token(dir: &Path, new: &Path, whole: &Path) -> Result<()> {
    let expected = std::fs::read(whole).map_err(|e| io(whole, e))?;
    let found = sled::Config::new()
        .path(new)
        .create_new(false)
        .open()
        .ok()
        .and_then(|db| db.open_tree(Tree::Meta.name()).ok()?.get(TOKEN_KEY).ok()?);
    if found.as_deref() == Some(expected.as_slice()) && !expected.is_empty() {
        return Ok(());
    }
    Err(Error::Storage(format!(
        "{} holds {NEW} and {WHOLE}, which are not an upgrade this docket finished writing; the folder's database (db) is untouched: move those two out of the folder and start again",
        dir.display()
    )))
}

fn remove_dir(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path, e)),
        _ => Ok(()),
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(dir, e))
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Storage(format!(
        "cannot rewrite the database in {}: {e}",
        path.display()
    ))
}

#[cfg(test)]
#[path = "compact_tests.rs"]
mod tests;
