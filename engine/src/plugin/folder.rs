//! The plugins folder of a running server: which files make which plugin (either spelling of
//! its name), what changed since the last look, and the thread that looks every second and
//! swaps in the plugins added, replaced and removed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::error::PluginError;
use super::host::{Loaded, Origin, PluginHost, PluginLoadError};
use super::manifest::name_of_stem;
use super::scan::Fingerprint;

/// What one reload of the plugins folder changed.
#[derive(Debug, Default)]
pub struct ReloadReport {
    pub added: Vec<String>,
    /// `(name, previous version, new version)`.
    pub replaced: Vec<(String, String, String)>,
    pub removed: Vec<String>,
    /// Refused plugins whose files are gone: no longer listed as refused.
    pub forgotten: Vec<String>,
    /// Plugins refused at this reload; those named in `kept` go on serving their previous
    /// version.
    pub refused: Vec<Arc<PluginLoadError>>,
    pub kept: Vec<String>,
}

impl ReloadReport {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.replaced.is_empty()
            && self.removed.is_empty()
            && self.forgotten.is_empty()
            && self.refused.is_empty()
    }
}

/// The files of one plugin in the folder, either spelling of its name.
#[derive(Default, Debug)]
struct Entry {
    wasm: Vec<PathBuf>,
    toml: Vec<PathBuf>,
}

impl Entry {
    fn fingerprint(&self) -> Fingerprint {
        self.wasm
            .iter()
            .chain(&self.toml)
            .map(|path| {
                let meta = std::fs::metadata(path).ok();
                #[cfg(unix)]
                let inode = meta.as_ref().map_or(0, std::os::unix::fs::MetadataExt::ino);
                #[cfg(not(unix))]
                let inode = 0;
                (
                    path.clone(),
                    meta.as_ref().map_or(0, |m| m.len()),
                    meta.as_ref().and_then(|m| m.modified().ok()),
                    inode,
                )
            })
            .collect()
    }
}

impl PluginHost {
    /// Looks at the plugins folder again and serves what changed: added plugins are loaded,
    /// changed ones replaced, removed ones dropped. A plugin whose new files are refused keeps
    /// serving its previous version. Every change is logged with its reason.
    pub fn reload(&self) -> ReloadReport {
        if let Some(mirror) = self.mirror.get() {
            mirror.sync_logged();
        }
        let report = self.scan_folder(true);
        for name in &report.added {
            tracing::info!(plugin = %name, "plugin added");
        }
        for (name, from, to) in &report.replaced {
            tracing::info!(plugin = %name, %from, %to, "plugin replaced by the new version in the folder");
        }
        for name in &report.removed {
            tracing::info!(plugin = %name, "plugin removed: it is no longer in the folder");
        }
        for name in &report.forgotten {
            tracing::info!(plugin = %name, "refused plugin removed: its files are no longer in the folder, so it is no longer listed as refused");
        }
        for r in &report.refused {
            if report.kept.contains(&r.name) {
                tracing::error!(plugin = %r.name, file = %r.file.display(), "{r}; the previous version keeps serving");
            } else {
                tracing::error!(plugin = %r.name, file = %r.file.display(), "{r}");
            }
        }
        report
    }

    /// Watches the plugins folder, reloading it every `every` until the returned handle is
    /// dropped; `on_change` hears of every reload that changed something.
    pub fn watch(
        self: &Arc<Self>,
        every: Duration,
        on_change: impl Fn(&ReloadReport) + Send + 'static,
    ) -> PluginWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let host = Arc::downgrade(self);
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("docket-plugin-watch".into())
                .spawn(move || {
                    let slice = Duration::from_millis(50).min(every);
                    'watch: loop {
                        let mut waited = Duration::ZERO;
                        while waited < every {
                            if stop.load(Ordering::Relaxed) {
                                break 'watch;
                            }
                            std::thread::sleep(slice);
                            waited += slice;
                        }
                        let Some(host) = host.upgrade() else { break };
                        let report = host.reload();
                        if !report.is_empty() {
                            on_change(&report);
                        }
                    }
                })
                .ok()
        };
        if thread.is_none() {
            tracing::error!(
                "cannot start the thread that watches the plugins folder; restart Docket to pick up plugin changes"
            );
        }
        PluginWatch { stop, thread }
    }

    /// Compares the folder with what is served. With `settle`, a plugin whose files changed
    /// since the previous scan is left for the next one, so a copy in progress (a component
    /// written before its manifest) is never loaded half-way.
    pub(super) fn scan_folder(&self, settle: bool) -> ReloadReport {
        let mut scan = self.scan.lock().expect("not poisoned");
        let mut report = ReloadReport::default();
        let entries = match entries(&self.dir) {
            Ok(entries) => entries,
            Err(error) => {
                report.refused.push(Arc::new(PluginLoadError {
                    name: String::new(),
                    file: self.dir.clone(),
                    error,
                }));
                return report;
            }
        };
        let mut next = (*self.catalogue()).clone();
        let mut seen = BTreeMap::new();
        for (name, entry) in &entries {
            let fingerprint = entry.fingerprint();
            seen.insert(name.clone(), fingerprint.clone());
            if scan.acted.get(name) == Some(&fingerprint) {
                continue;
            }
            if settle && scan.seen.get(name) != Some(&fingerprint) {
                continue;
            }
            scan.acted.insert(name.clone(), fingerprint);
            match self.load_entry(name, entry) {
                Ok(loaded) => {
                    next.refused.remove(name);
                    let version = loaded.info.version.clone();
                    match next.plugins.insert(name.clone(), Arc::new(loaded)) {
                        Some(old) => {
                            report
                                .replaced
                                .push((name.clone(), old.info.version.clone(), version))
                        }
                        None => report.added.push(name.clone()),
                    }
                }
                Err(refusal) => {
                    if next.plugins.contains_key(name) {
                        report.kept.push(name.clone());
                    }
                    next.refused.insert(name.clone(), refusal.clone());
                    report.refused.push(refusal);
                }
            }
        }
        // What the folder no longer holds: the files last acted on, and any refusal (a refusal
        // whose files a change of grants made the scan forget is still the folder's).
        let mut gone: Vec<String> = scan
            .acted
            .keys()
            .chain(next.refused.keys())
            .filter(|name| !entries.contains_key(*name))
            .cloned()
            .collect();
        gone.sort();
        gone.dedup();
        for name in gone {
            scan.acted.remove(&name);
            let was_refused = next.refused.remove(&name).is_some();
            if next
                .plugins
                .get(&name)
                .is_some_and(|p| p.info.origin != Origin::Stock)
            {
                next.plugins.remove(&name);
                report.removed.push(name);
            } else if was_refused {
                report.forgotten.push(name);
            }
        }
        scan.seen = seen;
        if !report.is_empty() {
            *self.current.write().expect("not poisoned") = Arc::new(next);
        }
        report
    }

    fn load_entry(&self, name: &str, entry: &Entry) -> Result<Loaded, Arc<PluginLoadError>> {
        let refuse = |file: &Path, error: PluginError| {
            Arc::new(PluginLoadError {
                name: name.to_string(),
                file: file.to_path_buf(),
                error,
            })
        };
        let two = |files: &[PathBuf]| {
            let names: Vec<String> = files
                .iter()
                .filter_map(|f| f.file_name())
                .map(|f| f.to_string_lossy().into_owned())
                .collect();
            PluginError::Install {
                path: files[0].clone(),
                reason: format!("{} all name plugin `{name}`; keep one", names.join(" and ")),
            }
        };
        match (entry.wasm.as_slice(), entry.toml.as_slice()) {
            ([wasm], [toml]) => self
                .validate(wasm, toml, Some(name), true)
                .map_err(|e| refuse(wasm, e)),
            ([_, _, ..], _) => Err(refuse(&entry.wasm[0], two(&entry.wasm))),
            (_, [_, _, ..]) => Err(refuse(&entry.toml[0], two(&entry.toml))),
            ([wasm], []) => Err(refuse(
                wasm,
                PluginError::Install {
                    path: wasm.clone(),
                    reason: format!(
                        "no manifest beside it; write {name}.toml (see docs/plugins.md)"
                    ),
                },
            )),
            ([], [toml]) => Err(refuse(
                toml,
                PluginError::Install {
                    path: toml.clone(),
                    reason: format!("no component beside it; copy {name}.wasm next to it"),
                },
            )),
            ([], []) => unreachable!("an entry has at least one file"),
        }
    }
}

/// Stops watching the plugins folder when dropped.
pub struct PluginWatch {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for PluginWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The plugins of a folder: `NAME.wasm` and `NAME.toml`, where either file may spell the
/// name's hyphens as underscores (cargo's spelling of a crate's `.wasm`). A folder that does
/// not exist holds none.
fn entries(dir: &Path) -> Result<BTreeMap<String, Entry>, PluginError> {
    let mut out: BTreeMap<String, Entry> = BTreeMap::new();
    let listing = match std::fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => {
            return Err(PluginError::Read {
                path: dir.to_path_buf(),
                reason: e.to_string(),
            });
        }
    };
    for item in listing.flatten() {
        let path = item.path();
        let (Some(stem), Some(ext)) = (path.file_stem(), path.extension()) else {
            continue;
        };
        // Hidden files are half-written copies (`docket plugin install` writes `.NAME.tmp`
        // first) or an editor's.
        let stem = stem.to_string_lossy();
        if stem.starts_with('.') {
            continue;
        }
        let slot = out.entry(name_of_stem(&stem)).or_default();
        match ext.to_str() {
            Some("wasm") => slot.wasm.push(path),
            Some("toml") => slot.toml.push(path),
            _ => {}
        }
    }
    out.retain(|_, e| !e.wasm.is_empty() || !e.toml.is_empty());
    for entry in out.values_mut() {
        entry.wasm.sort();
        entry.toml.sort();
    }
    Ok(out)
}
