//! Loading plugins: the stock ones from the binary, the installed ones from the plugins folder
//! (each validated against its manifest, world, grants and the firm's ceilings), reloading the
//! folder while the server runs, and `check` for a single file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use wasmtime::component::{Component, InstancePre};

use super::error::{PluginError, one_line};
use super::folder::Scan;
use super::manifest::{Capability, World, read_manifest, resolve_grants};
use super::model::Params;
use super::runtime::{CallState, Limits, LoadTime, Runtime, RuntimeOptions};
use super::stock::{STOCK, StockComponent, implicitly_granted};
use super::wit::{self, NotificationHookPre, ReminderPolicyPre, SendingRulePre};
use crate::config::PluginsConfig;

/// Where a plugin comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    Stock,
    Installed(PathBuf),
}

/// What `docket plugin list` shows about a plugin.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    pub world: World,
    /// `"stock"`, or `{"installed": PATH}`.
    #[schema(value_type = Object)]
    pub origin: Origin,
    pub description: String,
    /// Capabilities the manifest declares.
    pub declared: Vec<String>,
    /// Capabilities the plugin actually has: declared and granted.
    pub granted: Vec<String>,
    /// Default parameters.
    pub params: Params,
    /// The limits its calls run under.
    pub limits: Limits,
    /// How its component was loaded (compiled or from the cache) and how long it took.
    pub load: Option<LoadTime>,
    #[serde(skip)]
    pub(crate) capabilities: Vec<Capability>,
}

/// A plugin ready to instantiate: its world's pre-instantiated component.
pub(crate) enum Pre {
    Reminder(ReminderPolicyPre<CallState>),
    Sending(SendingRulePre<CallState>),
    Hook(NotificationHookPre<CallState>),
}

impl Clone for Pre {
    fn clone(&self) -> Self {
        match self {
            Pre::Reminder(p) => Pre::Reminder(p.clone()),
            Pre::Sending(p) => Pre::Sending(p.clone()),
            Pre::Hook(p) => Pre::Hook(p.clone()),
        }
    }
}

pub(crate) struct Loaded {
    pub info: PluginInfo,
    pub pre: Pre,
}

/// An installed plugin that was refused; the server goes on without it (or with its previous
/// version).
#[derive(Debug)]
pub struct PluginLoadError {
    /// The plugin's name, as its file names spell it (hyphens for underscores).
    pub name: String,
    pub file: PathBuf,
    pub error: PluginError,
}

impl fmt::Display for PluginLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every PluginError about a file already names it.
        write!(f, "plugin refused: {}", self.error)
    }
}

/// What `docket plugin check` reports about a component file.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub file: PathBuf,
    /// The worlds the component implements (normally exactly one).
    pub worlds: Vec<World>,
    /// Why it does not implement each other world.
    pub mismatches: BTreeMap<String, String>,
    pub imports: Vec<String>,
    pub exports: Vec<String>,
    /// How the component was loaded: compiled (and cached), or from the cache.
    pub load: LoadTime,
}

/// The plugins being served, swapped whole on a reload so a call never sees half a change.
#[derive(Clone, Default)]
pub(super) struct Catalogue {
    pub(super) plugins: BTreeMap<String, Arc<Loaded>>,
    /// Installed plugins refused at their last change, by name.
    pub(super) refused: BTreeMap<String, Arc<PluginLoadError>>,
}

/// The plugin host: the sandbox runtime and every loaded plugin by name.
pub struct PluginHost {
    pub(crate) runtime: Runtime,
    config: PluginsConfig,
    pub(super) dir: PathBuf,
    pub(super) current: RwLock<Arc<Catalogue>>,
    /// One reload at a time.
    pub(super) scan: Mutex<Scan>,
}

impl PluginHost {
    /// Starts the runtime, loads the stock plugins and every valid plugin of the plugins folder
    /// (`config.dir`, relative to `data_dir`). Compiled components are cached in
    /// `data_dir/plugin-cache`. Installed plugins that are refused are returned (and logged),
    /// never fatal; only a runtime or stock plugin failure is an error.
    pub fn open(
        config: &PluginsConfig,
        data_dir: &Path,
    ) -> Result<(PluginHost, Vec<Arc<PluginLoadError>>), PluginError> {
        Self::open_with(config, data_dir, RuntimeOptions::default())
    }

    /// [`PluginHost::open`] with engine choices other than the defaults, for benchmarks.
    #[doc(hidden)]
    pub fn open_with(
        config: &PluginsConfig,
        data_dir: &Path,
        options: RuntimeOptions,
    ) -> Result<(PluginHost, Vec<Arc<PluginLoadError>>), PluginError> {
        let ceiling = Limits {
            timeout_ms: config.max_timeout_ms.max(config.timeout_ms),
            memory_mib: config.max_memory_mib.max(config.memory_mib),
        };
        let runtime = Runtime::new(ceiling, Some(data_dir.join("plugin-cache")), options)?;
        let dir = if config.dir.is_absolute() {
            config.dir.clone()
        } else {
            data_dir.join(&config.dir)
        };
        let host = PluginHost {
            runtime,
            config: config.clone(),
            dir,
            current: RwLock::new(Arc::default()),
            scan: Mutex::new(Scan::default()),
        };
        let mut catalogue = Catalogue::default();
        host.load_stock(&mut catalogue)?;
        *host.current.write().expect("not poisoned") = Arc::new(catalogue);
        let report = host.scan_folder(false);
        for r in &report.refused {
            tracing::error!(file = %r.file.display(), "{r}");
        }
        Ok((host, report.refused))
    }

    /// The plugins folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The firm's default limits and its ceilings for what a manifest may ask.
    pub fn config(&self) -> &PluginsConfig {
        &self.config
    }

    pub(super) fn catalogue(&self) -> Arc<Catalogue> {
        self.current.read().expect("not poisoned").clone()
    }

    /// Every plugin, stock first, then installed, by name.
    pub fn plugins(&self) -> Vec<PluginInfo> {
        let catalogue = self.catalogue();
        let stock = catalogue
            .plugins
            .values()
            .filter(|p| p.info.origin == Origin::Stock);
        let installed = catalogue
            .plugins
            .values()
            .filter(|p| p.info.origin != Origin::Stock);
        stock.chain(installed).map(|p| p.info.clone()).collect()
    }

    pub fn plugin(&self, name: &str) -> Option<PluginInfo> {
        self.catalogue().plugins.get(name).map(|p| p.info.clone())
    }

    /// Installed plugins refused at their last change (some may still serve an earlier
    /// version), by name.
    pub fn refused(&self) -> Vec<Arc<PluginLoadError>> {
        self.catalogue().refused.values().cloned().collect()
    }

    fn load_stock(&self, catalogue: &mut Catalogue) -> Result<(), PluginError> {
        let mut pres = BTreeMap::new();
        for component in StockComponent::ALL {
            let path = Path::new(component.file_name());
            let compiled = self.runtime.compile(path, component.bytes())?;
            let pre = self.pre(path, &compiled, component.world())?;
            pres.insert(component, pre);
        }
        for stock in STOCK {
            let declared = (stock.capabilities)();
            let grants = self
                .config
                .grants
                .get(stock.name)
                .cloned()
                .unwrap_or_default();
            let path = Path::new("docket.toml");
            let mut capabilities = resolve_grants(stock.name, path, &declared, &grants, false)?;
            capabilities.extend(declared.iter().filter(|c| implicitly_granted(c)).cloned());
            capabilities.sort();
            capabilities.dedup();
            let info = PluginInfo {
                name: stock.name.to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
                world: stock.component.world(),
                origin: Origin::Stock,
                description: stock.description.to_string(),
                declared: declared.iter().map(ToString::to_string).collect(),
                granted: capabilities.iter().map(ToString::to_string).collect(),
                params: stock
                    .params
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                limits: self.default_limits(),
                load: None,
                capabilities,
            };
            let pre = pres[&stock.component].clone();
            catalogue
                .plugins
                .insert(stock.name.to_string(), Arc::new(Loaded { info, pre }));
        }
        Ok(())
    }

    fn default_limits(&self) -> Limits {
        Limits {
            timeout_ms: self.config.timeout_ms,
            memory_mib: self.config.memory_mib,
        }
    }

    /// Everything Docket checks before serving a plugin: the manifest (with `expected_name`,
    /// the name the folder's files give it), the firm's grants and ceilings, and the component
    /// against the manifest's world. `docket plugin check` and `install` run the same checks.
    pub(super) fn validate(
        &self,
        wasm: &Path,
        toml: &Path,
        expected_name: Option<&str>,
    ) -> Result<Loaded, PluginError> {
        let checked = read_manifest(toml, expected_name)?;
        let name = checked.manifest.name.clone();
        if STOCK.iter().any(|s| s.name == name) {
            return Err(PluginError::Install {
                path: toml.to_path_buf(),
                reason: format!("`{name}` is a stock plugin's name; rename the plugin"),
            });
        }
        let grants = self.config.grants.get(&name).cloned().unwrap_or_default();
        let capabilities = resolve_grants(&name, toml, &checked.capabilities, &grants, true)?;
        let limits = self.limits_for(toml, &checked.manifest.limits)?;
        let bytes = std::fs::read(wasm).map_err(|e| PluginError::Read {
            path: wasm.to_path_buf(),
            reason: e.to_string(),
        })?;
        let (component, load) = self.runtime.compile_timed(wasm, &bytes)?;
        tracing::info!(plugin = %name, "{load}");
        let pre = self.pre(wasm, &component, checked.world)?;
        let manifest = checked.manifest;
        let info = PluginInfo {
            name,
            version: manifest.version,
            world: checked.world,
            origin: Origin::Installed(wasm.to_path_buf()),
            description: manifest.description,
            declared: checked
                .capabilities
                .iter()
                .map(ToString::to_string)
                .collect(),
            granted: capabilities.iter().map(ToString::to_string).collect(),
            params: manifest.params,
            limits,
            load: Some(load),
            capabilities,
        };
        Ok(Loaded { info, pre })
    }

    /// The limits a manifest asks for, each within the firm's ceiling.
    fn limits_for(
        &self,
        toml: &Path,
        asked: &super::manifest::ManifestLimits,
    ) -> Result<Limits, PluginError> {
        let defaults = self.default_limits();
        let limits = Limits {
            timeout_ms: asked.timeout_ms.unwrap_or(defaults.timeout_ms),
            memory_mib: asked.memory_mib.unwrap_or(defaults.memory_mib),
        };
        if limits.timeout_ms > self.config.max_timeout_ms.max(defaults.timeout_ms) {
            return Err(PluginError::OverCeiling {
                path: toml.to_path_buf(),
                asked: format!("timeout_ms = {}", limits.timeout_ms),
                key: "max_timeout_ms",
                ceiling: self.config.max_timeout_ms,
            });
        }
        if limits.memory_mib > self.config.max_memory_mib.max(defaults.memory_mib) {
            return Err(PluginError::OverCeiling {
                path: toml.to_path_buf(),
                asked: format!("memory_mib = {}", limits.memory_mib),
                key: "max_memory_mib",
                ceiling: self.config.max_memory_mib,
            });
        }
        Ok(limits)
    }

    /// Links `component` against `world`: its imports must be ones the world offers (WASI
    /// without capabilities, effects for hooks) and its exports the world's.
    fn pre(&self, path: &Path, component: &Component, world: World) -> Result<Pre, PluginError> {
        let wrong = |e: wasmtime::Error| PluginError::WrongWorld {
            path: path.to_path_buf(),
            world: world.to_string(),
            reason: one_line(e),
        };
        let linker = wit::linker(&self.runtime.engine, world)
            .map_err(|e| PluginError::Runtime(one_line(e)))?;
        let instance_pre: InstancePre<CallState> =
            linker.instantiate_pre(component).map_err(wrong)?;
        Ok(match world {
            World::ReminderPolicy => {
                Pre::Reminder(ReminderPolicyPre::new(instance_pre).map_err(wrong)?)
            }
            World::SendingRule => Pre::Sending(SendingRulePre::new(instance_pre).map_err(wrong)?),
            World::NotificationHook => {
                Pre::Hook(NotificationHookPre::new(instance_pre).map_err(wrong)?)
            }
        })
    }

    /// Compiles a component file (through the cache) and reports which world it implements,
    /// its imports and its exports.
    pub fn check_file(&self, wasm: &Path) -> Result<CheckReport, PluginError> {
        let bytes = std::fs::read(wasm).map_err(|e| PluginError::Read {
            path: wasm.to_path_buf(),
            reason: e.to_string(),
        })?;
        let (component, load) = self.runtime.compile_timed(wasm, &bytes)?;
        let ty = component.component_type();
        let engine = &self.runtime.engine;
        let imports = ty
            .imports(engine)
            .map(|(name, _)| name.to_string())
            .collect();
        let exports = ty
            .exports(engine)
            .map(|(name, _)| name.to_string())
            .collect();
        let mut worlds = Vec::new();
        let mut mismatches = BTreeMap::new();
        for world in World::ALL {
            match self.pre(wasm, &component, world) {
                Ok(_) => worlds.push(world),
                Err(PluginError::WrongWorld { reason, .. }) => {
                    mismatches.insert(world.to_string(), reason);
                }
                Err(other) => return Err(other),
            }
        }
        Ok(CheckReport {
            file: wasm.to_path_buf(),
            worlds,
            mismatches,
            imports,
            exports,
            load,
        })
    }

    /// Checks `wasm` with its manifest `toml` as the server would at install: the manifest, the
    /// world it declares against the component, the firm's grants and ceilings. Returns what
    /// `docket plugin list` would show once installed.
    pub fn check_install(&self, wasm: &Path, toml: &Path) -> Result<PluginInfo, PluginError> {
        self.validate(wasm, toml, None).map(|loaded| loaded.info)
    }

    /// Loads `wasm` with its manifest for this process only (not the folder), under the
    /// manifest's name, replacing an installed plugin of that name: for `docket plugin
    /// simulate --file` and `docket plugin test`.
    pub fn load_file(&self, wasm: &Path, toml: &Path) -> Result<PluginInfo, PluginError> {
        let loaded = self.validate(wasm, toml, None)?;
        let info = loaded.info.clone();
        let mut next = (*self.catalogue()).clone();
        next.refused.remove(&info.name);
        next.plugins.insert(info.name.clone(), Arc::new(loaded));
        *self.current.write().expect("not poisoned") = Arc::new(next);
        Ok(info)
    }

    /// The loaded plugin `name`, which must be of `world`.
    pub(crate) fn get(&self, name: &str, world: World) -> Result<Arc<Loaded>, PluginError> {
        let catalogue = self.catalogue();
        let Some(loaded) = catalogue.plugins.get(name) else {
            return Err(match catalogue.refused.get(name) {
                Some(refusal) => PluginError::Unavailable {
                    plugin: name.to_string(),
                    reason: refusal.error.to_string(),
                },
                None => PluginError::Unknown(name.to_string()),
            });
        };
        if loaded.info.world != world {
            return Err(PluginError::WrongKind {
                plugin: name.to_string(),
                expected: world.name(),
                actual: loaded.info.world.name(),
            });
        }
        Ok(loaded.clone())
    }
}
