//! Loading plugins: the stock ones from the binary and the installed ones from the plugins
//! folder, each validated against its manifest, world, grants and the firm's ceilings
//! (`folder.rs` reloads the folder while the server runs; `check.rs` checks a single file).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use wasmtime::component::Component;

use super::error::{PluginError, one_line};
use super::manifest::{Capability, Contract, World, read_manifest};
use super::model::Params;
use super::runtime::{Limits, LoadTime, Runtime, RuntimeOptions};
use super::scaffold::{BuildTarget, Language};
use super::scan::Scan;
use super::stock::{STOCK, StockComponent};
use super::wit::Pre;
use crate::config::PluginsConfig;

/// Where a plugin comes from: `"stock"`, `{"installed": PATH}` (in the plugins folder) or
/// `{"file": PATH}` (a file a tool loaded, not installed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    Stock,
    /// From the plugins folder.
    #[schema(value_type = String)]
    Installed(PathBuf),
    /// A component file a tool loaded for itself (`check`, `test`, `simulate --file`): not
    /// installed.
    #[schema(value_type = String)]
    File(PathBuf),
}

/// What `docket plugin list` shows about a plugin.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    pub world: World,
    /// The version of the `docket:plugin` contract its component was built against.
    pub contract: Contract,
    pub origin: Origin,
    pub description: String,
    /// Capabilities the manifest declares.
    pub declared: Vec<String>,
    /// Capabilities the plugin actually has: declared and granted.
    pub granted: Vec<String>,
    /// What the firm grants it: the configuration's `[plugins.grants]` entry when it has one
    /// (`grants_pinned`), else what an admin granted.
    pub grants: Vec<String>,
    /// Whether `grants` come from the configuration, which only an operator changes.
    pub grants_pinned: bool,
    /// Capabilities it declares that the firm has not granted. An installed plugin with any is
    /// refused by the server until they are granted; `check` and `install` report them.
    pub ungranted: Vec<String>,
    /// Default parameters.
    pub params: Params,
    /// Parameters that make a stock component this stock plugin (`preset = "gentle"`), passed
    /// first and never shown; empty for an installed plugin.
    #[serde(skip)]
    pub(crate) internal: Params,
    /// The limits its calls run under.
    pub limits: Limits,
    /// How its component was loaded (compiled or from the cache) and how long it took.
    pub load: Option<LoadTime>,
    #[serde(skip)]
    pub(crate) capabilities: Vec<Capability>,
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

/// A plugin file the server refused, as the admin's Plugins page and `GET /api/plugins` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RefusedPlugin {
    /// The plugin's name, as its file names spell it (hyphens for underscores).
    pub name: String,
    /// The file the refusal is about.
    pub file: String,
    /// Why, and what to do about it.
    pub reason: String,
    /// Whether an earlier version of it is still served.
    pub serving_earlier: bool,
    /// The capability it declares that the firm has not granted, when that is why it was
    /// refused: granting it serves the plugin at once.
    pub needs_grant: Option<String>,
    /// What the firm grants it, and whether the configuration pins that.
    pub grants: Vec<String>,
    pub grants_pinned: bool,
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
    /// The grants admins stored, by plugin; the configuration's `[plugins.grants]` pins the
    /// plugins it names (`grants.rs`).
    pub(super) stored_grants: RwLock<BTreeMap<String, Vec<String>>>,
    /// On a shared store, the folder mirrored through it before each look (`mirror.rs`).
    pub(super) mirror: std::sync::OnceLock<super::mirror::Mirror>,
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

    /// [`PluginHost::open`] with the grants admins stored in the data folder (`stored`, by
    /// plugin) applied from the first load, so a plugin they granted is never refused on the way.
    pub fn open_granted(
        config: &PluginsConfig,
        data_dir: &Path,
        stored: BTreeMap<String, Vec<String>>,
    ) -> Result<(PluginHost, Vec<Arc<PluginLoadError>>), PluginError> {
        Self::start_granted(
            config,
            data_dir,
            data_dir.join("plugin-cache"),
            RuntimeOptions::default(),
            stored,
        )
    }

    /// [`PluginHost::open`] with compiled components cached in `cache_dir` rather than in the
    /// data folder: for the plugin tools run without one, which cache in the user's cache
    /// folder ([`super::user_cache_dir`]) so a component compiles once, not at every command.
    pub fn open_cached_in(
        config: &PluginsConfig,
        data_dir: &Path,
        cache_dir: &Path,
    ) -> Result<(PluginHost, Vec<Arc<PluginLoadError>>), PluginError> {
        Self::start(
            config,
            data_dir,
            cache_dir.to_path_buf(),
            RuntimeOptions::default(),
        )
    }

    /// [`PluginHost::open`] with engine choices other than the defaults, for benchmarks.
    #[doc(hidden)]
    pub fn open_with(
        config: &PluginsConfig,
        data_dir: &Path,
        options: RuntimeOptions,
    ) -> Result<(PluginHost, Vec<Arc<PluginLoadError>>), PluginError> {
        Self::start(config, data_dir, data_dir.join("plugin-cache"), options)
    }

    fn start(
        config: &PluginsConfig,
        data_dir: &Path,
        cache_dir: PathBuf,
        options: RuntimeOptions,
    ) -> Result<(PluginHost, Vec<Arc<PluginLoadError>>), PluginError> {
        Self::start_granted(config, data_dir, cache_dir, options, BTreeMap::new())
    }

    fn start_granted(
        config: &PluginsConfig,
        data_dir: &Path,
        cache_dir: PathBuf,
        options: RuntimeOptions,
        stored: BTreeMap<String, Vec<String>>,
    ) -> Result<(PluginHost, Vec<Arc<PluginLoadError>>), PluginError> {
        let ceiling = Limits {
            timeout_ms: config.max_timeout_ms.max(config.timeout_ms),
            memory_mib: config.max_memory_mib.max(config.memory_mib),
        };
        let runtime = Runtime::new(ceiling, Some(cache_dir), options)?;
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
            stored_grants: RwLock::new(stored),
            mirror: std::sync::OnceLock::new(),
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

    /// What to say when no plugin `name` of `world` is here: the names of those that are, so
    /// the reader can pick one without a command to run (the admin shows this too).
    pub fn not_installed(&self, name: &str, world: World) -> String {
        let plural = match world {
            World::ReminderPolicy => "reminder policies",
            World::SendingRule => "sending rules",
            World::NotificationHook => "notification hooks",
        };
        let names: Vec<String> = self
            .plugins()
            .into_iter()
            .filter(|p| p.world == world)
            .map(|p| p.name)
            .collect();
        if names.is_empty() {
            format!("`{name}` is not installed, and no {plural} are")
        } else {
            format!(
                "`{name}` is not installed; installed {plural}: {}",
                names.join(", ")
            )
        }
    }

    /// Installed plugins refused at their last change (some may still serve an earlier
    /// version), by name.
    pub fn refused(&self) -> Vec<Arc<PluginLoadError>> {
        self.catalogue().refused.values().cloned().collect()
    }

    /// [`PluginHost::refused`] as pages and the API show them.
    pub fn refusals(&self) -> Vec<RefusedPlugin> {
        let catalogue = self.catalogue();
        catalogue
            .refused
            .values()
            .map(|r| {
                let grants = self.grants_for(&r.name);
                RefusedPlugin {
                    name: r.name.clone(),
                    file: r.file.display().to_string(),
                    reason: r.error.to_string(),
                    serving_earlier: catalogue.plugins.contains_key(&r.name),
                    needs_grant: match &r.error {
                        PluginError::Ungranted { capability, .. } => Some(capability.clone()),
                        _ => None,
                    },
                    grants: grants.list,
                    grants_pinned: grants.pinned,
                }
            })
            .collect()
    }

    fn load_stock(&self, catalogue: &mut Catalogue) -> Result<(), PluginError> {
        let mut pres = BTreeMap::new();
        for component in StockComponent::ALL {
            let path = Path::new(component.file_name());
            let compiled = self.runtime.compile(path, component.bytes())?;
            let pre = self.pre(
                path,
                component.bytes(),
                &compiled,
                component.world(),
                &BuildTarget::default(),
            )?;
            pres.insert(component, pre);
        }
        for stock in STOCK {
            let declared = (stock.capabilities)();
            let granted =
                self.granted(stock.name, Path::new("docket.toml"), &declared, true, false)?;
            let pre: Pre = pres[&stock.component].clone();
            let info = PluginInfo {
                name: stock.name.to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
                world: stock.component.world(),
                contract: pre.contract(),
                origin: Origin::Stock,
                description: stock.description.to_string(),
                declared: declared.iter().map(ToString::to_string).collect(),
                granted: Vec::new(),
                grants: Vec::new(),
                grants_pinned: false,
                ungranted: Vec::new(),
                params: stock
                    .params
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                internal: stock
                    .internal
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                limits: self.default_limits(),
                load: None,
                capabilities: Vec::new(),
            };
            let info = granted.apply_to(&info);
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
    /// the name the folder's files give it), the firm's ceilings, the component against the
    /// manifest's world, and last the firm's grants. `docket plugin check` and `install` run the
    /// same checks; with `strict` (the server) a capability the firm has not granted refuses the
    /// plugin, without it (the tools) it is only listed in `ungranted`.
    pub(super) fn validate(
        &self,
        wasm: &Path,
        toml: &Path,
        expected_name: Option<&str>,
        strict: bool,
    ) -> Result<Loaded, PluginError> {
        let checked = read_manifest(toml, expected_name)?;
        let name = checked.manifest.name.clone();
        if STOCK.iter().any(|s| s.name == name) {
            return Err(PluginError::Install {
                path: toml.to_path_buf(),
                reason: format!("`{name}` is a stock plugin's name; rename the plugin"),
            });
        }
        let limits = self.limits_for(toml, &checked.manifest.limits)?;
        let bytes = std::fs::read(wasm).map_err(|e| PluginError::Read {
            path: wasm.to_path_buf(),
            reason: e.to_string(),
        })?;
        let target = BuildTarget {
            name: Some(name.clone()),
            world: Some(checked.world),
        };
        let (component, load) = self.runtime.compile_timed(wasm, &bytes, &target)?;
        tracing::info!(plugin = %name, "{load}");
        let pre = self.pre(wasm, &bytes, &component, checked.world, &target)?;
        let granted = self.granted(&name, toml, &checked.capabilities, false, strict)?;
        let manifest = checked.manifest;
        let info = PluginInfo {
            name,
            version: manifest.version,
            world: checked.world,
            contract: pre.contract(),
            origin: Origin::Installed(wasm.to_path_buf()),
            description: manifest.description,
            declared: checked
                .capabilities
                .iter()
                .map(ToString::to_string)
                .collect(),
            granted: Vec::new(),
            grants: Vec::new(),
            grants_pinned: false,
            ungranted: Vec::new(),
            params: manifest.params,
            internal: Params::new(),
            limits,
            load: Some(load),
            capabilities: Vec::new(),
        };
        Ok(Loaded {
            info: granted.apply_to(&info),
            pre,
        })
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

    /// Links `component` (read from `bytes` at `path`) against `world`: its imports must be
    /// ones the world offers (WASI without capabilities, effects for hooks) and its exports the
    /// world's, of the current contract or of 0.1.0. A refusal says how to rebuild it in the
    /// language it was written in.
    pub(super) fn pre(
        &self,
        path: &Path,
        bytes: &[u8],
        component: &Component,
        world: World,
        target: &BuildTarget,
    ) -> Result<Pre, PluginError> {
        Pre::link(&self.runtime.engine, component, world).map_err(|e| PluginError::WrongWorld {
            path: path.to_path_buf(),
            world: world.to_string(),
            reason: one_line(e),
            build: format!(
                "check `world` in its manifest, or rebuild it as a {world} against docket:plugin@{}: {}",
                Contract::CURRENT,
                Language::build_hint(Language::of_file(path, bytes), target)
            ),
        })
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
