//! On a store several servers share (PostgreSQL), the plugins folder of every server mirrored
//! through the store: a plugin installed on one server (`docket plugin install`, or its files
//! copied into that server's folder) reaches every replica, and one replaced or removed there is
//! replaced or removed everywhere; each server's folder watch then loads the change as it loads
//! any other (`folder.rs`), so live reload works across replicas.
//!
//! The store keeps each top-level `.wasm` and `.toml` file of the folder whole (plugin files are
//! small and read whole to load anyway) under the `Meta` key `plugin_file/NAME`, and its SHA-256
//! under `plugin_hash/NAME`, written in one batch; a look reads the hashes only. Each look
//! compares, file by file, the folder, the store and what the last look left both holding: the
//! side that changed since gives its change to the other; a file both changed (or, at a
//! server's start, one that differs) takes the store's copy, so a replica started with an old
//! folder serves what the others serve. Files come in under a hidden name and are renamed into
//! place, as `docket plugin install` writes them, so the watch never reads half a file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::store::{Batch, Store, Tree};

const FILE_PREFIX: &str = "plugin_file/";
const HASH_PREFIX: &str = "plugin_hash/";

/// The plugins folder of one server, mirrored through a shared store.
pub struct Mirror {
    store: Arc<dyn Store>,
    dir: PathBuf,
    /// File name → the hash both sides held after the last look.
    synced: Mutex<BTreeMap<String, String>>,
    /// Whether the last look failed (its failure is logged once, not every second).
    failing: Mutex<crate::outage::Outage>,
    /// File name → its size, modification time and hash at the last look: a file that kept
    /// both is not read again.
    hashed: Mutex<BTreeMap<String, (u64, std::time::SystemTime, String)>>,
}

/// What one look moved.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Mirrored {
    /// Files of this folder written to the store (`None`: removed from it).
    pub pushed: Vec<String>,
    /// Files of the store written to this folder (or removed from it).
    pub pulled: Vec<String>,
}

impl Mirror {
    /// The mirror of `dir` through `store`, when the store is shared; `None` otherwise.
    pub fn for_store(store: &Arc<dyn Store>, dir: &Path) -> Option<Mirror> {
        store.shared().then(|| Mirror {
            store: store.clone(),
            dir: dir.to_path_buf(),
            synced: Mutex::default(),
            failing: Mutex::new(crate::outage::Outage::new(
                "the plugins folder cannot be mirrored through the database (other servers' plugin changes wait until it can)",
                "mirroring the plugins folder through the database",
            )),
            hashed: Mutex::default(),
        })
    }

    /// One look: each file changed on one side since the last look goes to the other.
    pub fn sync(&self) -> Result<Mirrored> {
        let mut synced = self.synced.lock().unwrap_or_else(|e| e.into_inner());
        let local = self.local()?;
        let stored = self.stored()?;
        let names: BTreeSet<&String> = local
            .keys()
            .chain(stored.keys())
            .chain(synced.keys())
            .collect();
        let mut done = Mirrored::default();
        let mut now_synced = BTreeMap::new();
        let mut batch = Batch::default();
        for name in names {
            let (here, there, last) = (local.get(name), stored.get(name), synced.get(name));
            let settled = if here == there {
                here.cloned()
            } else if here != last && (there == last || there.is_none()) {
                // Changed (or added, or removed) in this folder: the store follows.
                match here {
                    Some(hash) => {
                        let bytes = std::fs::read(self.dir.join(name))
                            .map_err(|e| io(&self.dir.join(name), e))?;
                        batch.put(Tree::Meta, key(FILE_PREFIX, name), bytes);
                        batch.put(
                            Tree::Meta,
                            key(HASH_PREFIX, name),
                            hash.clone().into_bytes(),
                        );
                    }
                    None => {
                        batch.remove(Tree::Meta, key(FILE_PREFIX, name));
                        batch.remove(Tree::Meta, key(HASH_PREFIX, name));
                    }
                }
                done.pushed.push(name.clone());
                here.cloned()
            } else {
                // Changed in the store (or on both sides): this folder follows the store.
                done.pulled.push(name.clone());
                match there {
                    Some(_) => {
                        let Some(bytes) = self.store.get(Tree::Meta, &key(FILE_PREFIX, name))?
                        else {
                            // Removed meanwhile: the next look sees it gone.
                            continue;
                        };
                        self.write_file(name, &bytes)?;
                        Some(hash_of(&bytes))
                    }
                    None => {
                        let path = self.dir.join(name);
                        match std::fs::remove_file(&path) {
                            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                                return Err(io(&path, e));
                            }
                            _ => None,
                        }
                    }
                }
            };
            if let Some(hash) = settled {
                now_synced.insert(name.clone(), hash);
            }
        }
        self.store.commit(batch)?;
        *synced = now_synced;
        Ok(done)
    }

    /// [`Mirror::sync`], its moves logged; a failure is logged once until a look succeeds again.
    pub fn sync_logged(&self) {
        let synced = self.sync();
        let done = self
            .failing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .note(synced);
        let Some(done) = done else { return };
        for name in &done.pushed {
            if self.dir.join(name).is_file() {
                tracing::info!(file = %name, "plugin file shared with the other servers through the database");
            } else {
                tracing::info!(file = %name, "plugin file removed for the other servers too, through the database");
            }
        }
        for name in &done.pulled {
            tracing::info!(file = %name, "plugin file taken from the database, as another server installed, replaced or removed it");
        }
    }

    /// The folder's plugin files and their hashes.
    fn local(&self) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        let mut hashed = self.hashed.lock().unwrap_or_else(|e| e.into_inner());
        let mut now_hashed = BTreeMap::new();
        let listing = match std::fs::read_dir(&self.dir) {
            Ok(listing) => listing,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                hashed.clear();
                return Ok(out);
            }
            Err(e) => return Err(io(&self.dir, e)),
        };
        for item in listing.flatten() {
            let name = item.file_name().to_string_lossy().into_owned();
            if !mirrored(&name) || !item.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let Ok(meta) = item.metadata() else { continue };
            let stamp = (meta.len(), meta.modified().unwrap_or(std::time::UNIX_EPOCH));
            let hash = match hashed.get(&name) {
                Some((len, at, hash)) if (*len, *at) == stamp => hash.clone(),
                _ => match std::fs::read(item.path()) {
                    Ok(bytes) => hash_of(&bytes),
                    // Removed between the listing and the read: not there.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(io(&item.path(), e)),
                },
            };
            now_hashed.insert(name.clone(), (stamp.0, stamp.1, hash.clone()));
            out.insert(name, hash);
        }
        *hashed = now_hashed;
        Ok(out)
    }

    /// The store's plugin files and their hashes.
    fn stored(&self) -> Result<BTreeMap<String, String>> {
        let entries =
            self.store
                .scan(Tree::Meta, HASH_PREFIX.as_bytes(), None, usize::MAX, false)?;
        Ok(entries
            .into_iter()
            .filter_map(|(k, v)| {
                let name = String::from_utf8(k[HASH_PREFIX.len()..].to_vec()).ok()?;
                mirrored(&name).then_some((name, String::from_utf8(v).ok()?))
            })
            .collect())
    }

    /// Writes `name` into the folder under a hidden name, then renames it into place.
    fn write_file(&self, name: &str, bytes: &[u8]) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(|e| io(&self.dir, e))?;
        let tmp = self.dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, bytes).map_err(|e| io(&tmp, e))?;
        let path = self.dir.join(name);
        std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))
    }
}

impl super::PluginHost {
    /// Mirrors the plugins folder through `mirror`'s store from now on: one look at once (the
    /// plugins other servers installed are loaded before this returns), then one before each
    /// look of the folder watch.
    pub fn mirror_through(&self, mirror: Mirror) {
        mirror.sync_logged();
        let _ = self.mirror.set(mirror);
        for r in &self.scan_folder(false).refused {
            tracing::error!(file = %r.file.display(), "{r}");
        }
    }
}

/// Whether a file of the folder is mirrored: a visible `.wasm` or `.toml` file, with a plain
/// name (a name from the store never reaches outside the folder).
fn mirrored(name: &str) -> bool {
    !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && (name.ends_with(".wasm") || name.ends_with(".toml"))
}

fn key(prefix: &str, name: &str) -> Vec<u8> {
    format!("{prefix}{name}").into_bytes()
}

fn hash_of(bytes: &[u8]) -> String {
    crate::text::hex(&Sha256::digest(bytes))
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Storage(format!("plugin file {}: {e}", path.display()))
}

#[cfg(test)]
#[path = "mirror_tests.rs"]
mod tests;
