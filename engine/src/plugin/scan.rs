//! What the plugin host last saw in its plugins folder: each plugin's files as loaded (or
//! refused) and as last scanned, so a reload acts only on what changed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

/// A plugin's files as the folder holds them: path, length, modification time (and inode), so
/// a change is seen without reading the bytes.
pub(super) type Fingerprint = Vec<(PathBuf, u64, Option<SystemTime>, u64)>;

/// What the folder held: the files each plugin was last loaded (or refused) from, and what the
/// previous scan saw.
#[derive(Default)]
pub(super) struct Scan {
    pub(super) acted: BTreeMap<String, Fingerprint>,
    pub(super) seen: BTreeMap<String, Fingerprint>,
}

impl Scan {
    /// Forgets what plugin `name`'s files were last acted on, so the next scan loads them
    /// again: after a change of grants, which can turn a refusal into a plugin served.
    pub(super) fn forget(&mut self, name: &str) {
        self.acted.remove(name);
    }
}
