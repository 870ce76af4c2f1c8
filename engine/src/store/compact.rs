//! A data folder's sled database opened, and written again whole into a new one when format 10
//! packs its indexes (`packed.rs`). Packing in place would not shrink it: sled keeps a
//! page-table entry for every page it ever used, freed or not, so a folder that had 1.2 million
//! keys would open as large as before. The new database is written beside the old one
//! (`db.packed`), marked whole (`db.packed.done`), then put in its place by the same process
//! (`swap`). At every open, `recover` tidies what a start cut short left: a copy is never put in
//! place later (the old database may have changed since), it is dropped and made again.

use std::path::{Path, PathBuf};

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

/// A file in `db.packed` from its first moment: the copy is Docket's (a `db.packed` without it
/// is refused, never removed).
const OURS: &str = "DOCKET_UPGRADE";
/// A file put in the old database before it moves aside to `db.old`: that `db.old` is Docket's.
const REPLACED: &str = "DOCKET_REPLACED";

/// Writes every tree of `db` (the database of `dir`, at format 9) into a new database beside it,
/// the trees `packs` names packed and the format noted as `format`, with a page cache of
/// `cache_bytes` while it writes, then marks it whole. The caller closes `db` and calls `swap`.
/// A disk without room for the copy is refused first; a failure removes the partial copy. The
/// folder is as it was either way.
pub(super) fn rewrite_packed(
    db: &sled::Db,
    dir: &Path,
    format: u16,
    cache_bytes: u64,
) -> Result<()> {
    let started = std::time::Instant::now();
    // The copy is never larger than the old database; only when the disk has less free than
    // that are the records read once more to count what the copy needs (sled's files hold
    // about twice what they store).
    let old_mb = db.size_on_disk().unwrap_or(0).div_ceil(1_000_000);
    let mut need_mb = old_mb;
    if let Some(free_mb) = free_bytes(dir).map(|b| b / 1_000_000)
        && free_mb < old_mb
    {
        let live: u64 = Tree::ALL
            .iter()
            .filter_map(|t| db.open_tree(t.name()).ok())
            .map(|t| {
                t.iter()
                    .flatten()
                    .map(|(k, v)| (k.len() + v.len()) as u64)
                    .sum::<u64>()
            })
            .sum();
        need_mb = old_mb.min((live * 2).div_ceil(1_000_000) + 16);
        if free_mb < need_mb {
            return Err(Error::Storage(format!(
                "cannot upgrade the data folder {}: the upgrade writes its database again beside the old one and needs about {need_mb} MB free there, but the disk has {free_mb} MB; free some space and start again (the folder is as it was)",
                dir.display()
            )));
        }
    }
    tracing::warn!(
        "upgrading the data folder {} to this version's format: its database is written again beside it, once (at most {need_mb} MB; the folder stays as it is until the copy is whole)",
        dir.display()
    );
    let new_dir = dir.join(NEW);
    if let Err(e) = write_copy(db, &new_dir, format, cache_bytes) {
        let _ = remove_dir(&new_dir);
        return Err(Error::Storage(format!(
            "cannot upgrade the data folder {}: writing its database again failed ({e}); the folder is as it was, and the next start tries again (the upgrade needs about {need_mb} MB free beside it)",
            dir.display()
        )));
    }
    let whole = dir.join(WHOLE);
    crate::owner_only::write(&whole, b"").map_err(|e| io(&whole, e))?;
    sync_dir(dir)?;
    tracing::warn!(
        "upgraded the data folder {}: its database written again in {} ms, smaller and quicker to open",
        dir.display(),
        started.elapsed().as_millis()
    );
    Ok(())
}

fn write_copy(db: &sled::Db, new_dir: &Path, format: u16, cache_bytes: u64) -> Result<()> {
    remove_dir(new_dir)?;
    crate::owner_only::create_dir_all(new_dir).map_err(|e| io(new_dir, e))?;
    crate::owner_only::write(&new_dir.join(OURS), b"").map_err(|e| io(new_dir, e))?;
    let new = sled::Config::new()
        .path(new_dir)
        .cache_capacity(cache_bytes)
        .open()?;
    for tree in Tree::ALL {
        let from = db.open_tree(tree.name())?;
        let into = new.open_tree(tree.name())?;
        if super::packed::packs(tree) {
            super::packed::pack_into(tree, &from, &into)?;
        } else {
            for item in from.iter() {
                let (key, value) = item?;
                into.insert(key, value)?;
            }
        }
    }
    new.open_tree(Tree::Meta.name())?
        .insert(super::STORE_FORMAT_KEY, &format.to_be_bytes())?;
    new.flush()?;
    Ok(())
}

/// Puts the copy `rewrite_packed` has just written (in this process, its database closed) in
/// place of the old database, which is then removed.
pub(super) fn swap(dir: &Path) -> Result<()> {
    let (db, new, whole, old) = paths(dir);
    if old.exists() && !old.join(REPLACED).exists() {
        remove_dir(&new)?;
        std::fs::remove_file(&whole).map_err(|e| io(&whole, e))?;
        return Err(Error::Storage(format!(
            "{} holds a folder `{OLD}` that Docket did not write (the upgrade moves the old database there for a moment); the folder's database is untouched: move `{OLD}` out of the folder and start again",
            dir.display()
        )));
    }
    remove_dir(&old)?;
    crate::owner_only::write(&db.join(REPLACED), b"").map_err(|e| io(&db, e))?;
    std::fs::rename(&db, &old).map_err(|e| io(&db, e))?;
    std::fs::rename(&new, &db).map_err(|e| io(&new, e))?;
    sync_dir(dir)?;
    std::fs::remove_file(&whole).map_err(|e| io(&whole, e))?;
    let _ = std::fs::remove_file(db.join(OURS));
    remove_dir(&old)?;
    sync_dir(dir)
}

/// At every open, before sled opens anything: what an upgrade cut short left behind. A copy is
/// never put in place here, since the old database may have changed since it was written (an
/// older docket run on the folder meanwhile): it is dropped, and the upgrade runs again from
/// the database as it is. A `db.packed` Docket did not write is refused and left alone.
pub(super) fn recover(dir: &Path) -> Result<()> {
    let (db, new, whole, old) = paths(dir);
    let folder = dir.display();
    // Most opens find none of it: the folder is synced only when something here moved.
    let mut moved = false;
    if !db.exists() && old.join(REPLACED).exists() {
        std::fs::rename(&old, &db).map_err(|e| io(&old, e))?;
        moved = true;
        tracing::warn!(
            "the upgrade of the data folder {folder} was cut short as its new database took the old one's place: the old one is back, and the upgrade starts again"
        );
    }
    let _ = std::fs::remove_file(db.join(REPLACED));
    if new.exists() {
        if !new.join(OURS).exists() {
            return Err(Error::Storage(format!(
                "{folder} holds a folder `{NEW}` that Docket did not write (Docket writes one there while it upgrades the folder); the folder's database is untouched: move `{NEW}` out of the folder and start again"
            )));
        }
        tracing::warn!(
            "the upgrade of the data folder {folder} was cut short before its new database took the old one's place: that copy is dropped, and the upgrade starts again from the database as it is"
        );
        remove_dir(&new)?;
        moved = true;
    }
    if whole.exists() {
        std::fs::remove_file(&whole).map_err(|e| io(&whole, e))?;
        moved = true;
    }
    if db.exists() && old.join(REPLACED).exists() {
        tracing::info!("removed the database the upgrade of {folder} replaced ({OLD})");
        remove_dir(&old)?;
        moved = true;
    }
    if moved {
        sync_dir(dir)?;
    }
    Ok(())
}

fn paths(dir: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    (
        dir.join("db"),
        dir.join(NEW),
        dir.join(WHOLE),
        dir.join(OLD),
    )
}

/// Bytes free for this user on the disk holding `dir`, when the system says.
#[cfg(unix)]
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt as _;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: an all-zero `statvfs` is a valid value of this plain C struct.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is a NUL-terminated string and `stat` a valid, writable `statvfs`.
    if unsafe { libc::statvfs(path.as_ptr(), &mut stat) } != 0 {
        return None;
    }
    #[allow(clippy::useless_conversion)] // u64 on Linux, narrower elsewhere
    Some(u64::from(stat.f_bavail).saturating_mul(u64::from(stat.f_frsize)))
}

#[cfg(not(unix))]
fn free_bytes(_dir: &Path) -> Option<u64> {
    None
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
