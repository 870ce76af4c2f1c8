//! Folders and files readable by their owner only. A data folder holds the firm's records, its
//! clients' uploads and (in the outbox folder) emails with live links, so Docket creates its
//! folders `0700` and its files `0600` whatever the umask, and tightens a folder an older docket
//! left open. `restrict_process` is the umask the binary runs under (`0077`), which also covers
//! files that libraries create for themselves (sled's snapshots). Elsewhere than on Unix these
//! are the plain calls.

use std::fs::OpenOptions;
use std::io;
use std::path::Path;

/// The mode of a folder Docket creates.
pub const DIR_MODE: u32 = 0o700;
/// The mode of a file Docket creates.
pub const FILE_MODE: u32 = 0o600;

/// `std::fs::create_dir_all`, each folder it creates readable by its owner only.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(path)
}

/// Options that create a file readable by its owner only (add `write`, `create`, …).
pub fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// `std::fs::write`, the file (when it is created) readable by its owner only.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    let mut file = options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.write_all(bytes)
}

/// Takes group and other rights away from `dir`; with `deep`, from everything under it too (a
/// folder an older docket wrote). Without, only `dir` and the files directly in it and in its
/// folders one level down (sled's files), which is cheap enough for every start.
pub fn tighten(dir: &Path, deep: bool) -> io::Result<()> {
    #[cfg(unix)]
    {
        tighten_one(dir)?;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                if deep {
                    tighten(&path, true)?;
                } else {
                    tighten_one(&path)?;
                    for inner in std::fs::read_dir(&path)? {
                        let inner = inner?;
                        if !inner.file_type()?.is_dir() {
                            tighten_one(&inner.path())?;
                        }
                    }
                }
            } else {
                tighten_one(&path)?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, deep);
    Ok(())
}

/// Whether anyone but the owner may read or enter `path`.
pub fn is_open_to_others(path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(false)
    }
}

#[cfg(unix)]
fn tighten_one(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = std::fs::symlink_metadata(path)?;
    // A link is followed by no one here: its target is not ours to change.
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
    }
    Ok(())
}

/// Makes every file and folder this process creates from now on readable by its owner only
/// (umask `0077`), for the commands that write a data folder, its outbox, backups and caches.
pub fn restrict_process() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file mode creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

#[cfg(test)]
#[path = "owner_only_tests.rs"]
mod tests;
