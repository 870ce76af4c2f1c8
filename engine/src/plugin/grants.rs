//! What the firm grants each plugin, and the capabilities that makes. The configuration's
//! `[plugins.grants]` entry for a plugin is the operator's and pins it; a plugin without one
//! has what an admin granted (stored by `Docket::set_plugin_grants`, handed to the host with
//! [`PluginHost::set_stored_grants`]). A change applies at once: the next call of every
//! plugin runs with its new capabilities, and a plugin refused for want of a grant is loaded.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::error::PluginError;
use super::folder::ReloadReport;
use super::host::{Loaded, Origin, PluginHost, PluginInfo, PluginLoadError};
use super::manifest::{Capability, resolve_grants};
use super::stock::implicitly_granted;

/// What the firm grants one plugin, and where that is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Grants {
    pub list: Vec<String>,
    /// Written in the configuration, which only an operator changes.
    pub pinned: bool,
}

/// The capabilities a plugin has under its grants, and those it declares but lacks.
pub(crate) struct Granted {
    pub capabilities: Vec<Capability>,
    pub ungranted: Vec<String>,
    pub grants: Grants,
}

impl PluginHost {
    /// What the firm grants `name`: the configuration's entry, else the stored one.
    pub(crate) fn grants_for(&self, name: &str) -> Grants {
        if let Some(list) = self.config().grants.get(name) {
            return Grants {
                list: list.clone(),
                pinned: true,
            };
        }
        let stored = self.stored_grants.read().unwrap_or_else(|e| e.into_inner());
        Grants {
            list: stored.get(name).cloned().unwrap_or_default(),
            pinned: false,
        }
    }

    /// The plugins whose grants the configuration sets.
    pub fn pinned_grants(&self) -> Vec<String> {
        self.config().grants.keys().cloned().collect()
    }

    /// The capabilities `name` gets for what it `declared`. A stock plugin has those granted
    /// plus the ones it needs no grant for; with `strict`, an installed plugin lacking one is
    /// refused, naming it (`path` is the manifest, or the component, the refusal names).
    pub(crate) fn granted(
        &self,
        name: &str,
        path: &Path,
        declared: &[Capability],
        stock: bool,
        strict: bool,
    ) -> Result<Granted, PluginError> {
        let grants = self.grants_for(name);
        let granted_in = if grants.pinned {
            format!("[plugins.grants] `{name}` in the configuration")
        } else {
            format!("the grants of `{name}`")
        };
        let (mut capabilities, missing) =
            resolve_grants(declared, &grants.list, &granted_in, path)?;
        let ungranted: Vec<String> = if stock {
            capabilities.extend(declared.iter().filter(|c| implicitly_granted(c)).cloned());
            capabilities.sort();
            capabilities.dedup();
            Vec::new()
        } else {
            missing.iter().map(ToString::to_string).collect()
        };
        if strict && let Some(first) = ungranted.first() {
            return Err(PluginError::Ungranted {
                path: path.to_path_buf(),
                plugin: name.to_string(),
                capability: first.clone(),
            });
        }
        Ok(Granted {
            capabilities,
            ungranted,
            grants,
        })
    }

    /// Replaces the grants admins stored and applies them at once: every plugin served gets
    /// the capabilities of its new grants (an installed one that lost a capability it declares
    /// is refused, as it would be at the next start), and the folder's refused plugins are
    /// tried again, so one that waited for a grant is served. Returns what changed.
    pub fn set_stored_grants(&self, grants: BTreeMap<String, Vec<String>>) -> ReloadReport {
        *self
            .stored_grants
            .write()
            .unwrap_or_else(|e| e.into_inner()) = grants;
        let mut report = ReloadReport::default();
        {
            let mut scan = self.scan.lock().unwrap_or_else(|e| e.into_inner());
            let current = self.catalogue();
            let mut next = (*current).clone();
            for (name, loaded) in &current.plugins {
                let stock = loaded.info.origin == Origin::Stock;
                let declared: Vec<Capability> = loaded
                    .info
                    .declared
                    .iter()
                    .filter_map(|c| Capability::parse(c).ok())
                    .collect();
                let file = match &loaded.info.origin {
                    Origin::Installed(path) | Origin::File(path) => path.clone(),
                    Origin::Stock => "docket.toml".into(),
                };
                match self.granted(name, &file, &declared, stock, !stock) {
                    Ok(granted) => {
                        let info = granted.apply_to(&loaded.info);
                        if info != loaded.info {
                            next.plugins.insert(
                                name.clone(),
                                Arc::new(Loaded {
                                    info,
                                    pre: loaded.pre.clone(),
                                }),
                            );
                        }
                    }
                    Err(error) => {
                        let refusal = Arc::new(PluginLoadError {
                            name: name.clone(),
                            file,
                            error,
                        });
                        next.plugins.remove(name);
                        next.refused.insert(name.clone(), refusal.clone());
                        report.removed.push(name.clone());
                        report.refused.push(refusal);
                        scan.forget(name);
                    }
                }
            }
            for name in current.refused.keys() {
                scan.forget(name);
            }
            *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        }
        let again = self.reload();
        report.added.extend(again.added);
        report.replaced.extend(again.replaced);
        report.removed.extend(again.removed);
        report.forgotten.extend(again.forgotten);
        report.kept.extend(again.kept);
        // A plugin refused above and again by the reload is one refusal.
        for refusal in again.refused {
            if !report.refused.iter().any(|r| r.name == refusal.name) {
                report.refused.push(refusal);
            }
        }
        report
    }
}

impl Granted {
    /// `info` with these capabilities, gaps and grants in it.
    pub(crate) fn apply_to(self, info: &PluginInfo) -> PluginInfo {
        PluginInfo {
            granted: self.capabilities.iter().map(ToString::to_string).collect(),
            capabilities: self.capabilities,
            ungranted: self.ungranted,
            grants: self.grants.list,
            grants_pinned: self.grants.pinned,
            ..info.clone()
        }
    }
}
