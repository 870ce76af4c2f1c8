//! Loading plugins: the stock ones from the binary, the installed ones from the plugins folder
//! (each validated against its manifest, world and grants), and `check` for a single file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use wasmtime::component::{Component, InstancePre};

use super::error::{PluginError, one_line};
use super::manifest::{Capability, World, read_manifest, resolve_grants};
use super::model::Params;
use super::runtime::{CallState, Limits, Runtime, RuntimeOptions, check_binary};
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
#[derive(Debug, Clone, Serialize)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    pub world: World,
    pub origin: Origin,
    pub description: String,
    /// Capabilities the manifest declares.
    pub declared: Vec<String>,
    /// Capabilities the plugin actually has: declared and granted.
    pub granted: Vec<String>,
    /// Default parameters.
    pub params: Params,
    #[serde(skip)]
    pub(crate) capabilities: Vec<Capability>,
}

/// A plugin ready to instantiate: its world's pre-instantiated component.
pub(crate) enum Pre {
    Reminder(ReminderPolicyPre<CallState>),
    Sending(SendingRulePre<CallState>),
    Hook(NotificationHookPre<CallState>),
}

pub(crate) struct Loaded {
    pub info: PluginInfo,
    pub pre: Pre,
}

/// An installed plugin that was refused; the server starts without it.
#[derive(Debug)]
pub struct PluginLoadError {
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
}

/// The plugin host: the sandbox runtime and every loaded plugin by name.
pub struct PluginHost {
    pub(crate) runtime: Runtime,
    pub(crate) plugins: BTreeMap<String, Loaded>,
}

impl PluginHost {
    /// Starts the runtime, loads the stock plugins and every valid plugin of the plugins folder
    /// (`config.dir`, relative to `data_dir`). Compiled components are cached in
    /// `data_dir/plugin-cache`. Installed plugins that are refused are returned (and logged),
    /// never fatal; only a runtime or stock plugin failure is an error.
    pub fn open(
        config: &PluginsConfig,
        data_dir: &Path,
    ) -> Result<(PluginHost, Vec<PluginLoadError>), PluginError> {
        Self::open_with(config, data_dir, RuntimeOptions::default())
    }

    /// [`PluginHost::open`] with engine choices other than the defaults, for benchmarks.
    #[doc(hidden)]
    pub fn open_with(
        config: &PluginsConfig,
        data_dir: &Path,
        options: RuntimeOptions,
    ) -> Result<(PluginHost, Vec<PluginLoadError>), PluginError> {
        let limits = Limits {
            timeout_ms: config.timeout_ms,
            memory_mib: config.memory_mib,
        };
        let runtime = Runtime::new(limits, Some(data_dir.join("plugin-cache")), options)?;
        let mut host = PluginHost {
            runtime,
            plugins: BTreeMap::new(),
        };
        host.load_stock(config)?;
        let dir = if config.dir.is_absolute() {
            config.dir.clone()
        } else {
            data_dir.join(&config.dir)
        };
        let refused = host.load_installed(&dir, config);
        for r in &refused {
            tracing::error!(file = %r.file.display(), "{r}");
        }
        Ok((host, refused))
    }

    /// Every plugin, stock first, then installed, by name.
    pub fn plugins(&self) -> impl Iterator<Item = &PluginInfo> {
        let stock = self
            .plugins
            .values()
            .filter(|p| p.info.origin == Origin::Stock);
        let installed = self
            .plugins
            .values()
            .filter(|p| p.info.origin != Origin::Stock);
        stock.chain(installed).map(|p| &p.info)
    }

    pub fn plugin(&self, name: &str) -> Option<&PluginInfo> {
        self.plugins.get(name).map(|p| &p.info)
    }

    fn load_stock(&mut self, config: &PluginsConfig) -> Result<(), PluginError> {
        let mut pres = BTreeMap::new();
        for component in StockComponent::ALL {
            let path = Path::new(component.file_name());
            let compiled = self.runtime.compile(path, component.bytes())?;
            let pre = self.pre(path, &compiled, component.world())?;
            pres.insert(component, pre);
        }
        for stock in STOCK {
            let declared = (stock.capabilities)();
            let grants = config.grants.get(stock.name).cloned().unwrap_or_default();
            let path = Path::new("docket.toml");
            let mut capabilities = resolve_grants(stock.name, path, &declared, &grants, false)?;
            capabilities.extend(declared.iter().filter(|c| implicitly_granted(c)).cloned());
            capabilities.sort();
            capabilities.dedup();
            let pre = match &pres[&stock.component] {
                Pre::Reminder(p) => Pre::Reminder(p.clone()),
                Pre::Sending(p) => Pre::Sending(p.clone()),
                Pre::Hook(p) => Pre::Hook(p.clone()),
            };
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
                capabilities,
            };
            self.plugins
                .insert(stock.name.to_string(), Loaded { info, pre });
        }
        Ok(())
    }

    fn load_installed(&mut self, dir: &Path, config: &PluginsConfig) -> Vec<PluginLoadError> {
        let mut refused = Vec::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return refused,
            Err(e) => {
                refused.push(PluginLoadError {
                    file: dir.to_path_buf(),
                    error: PluginError::Read {
                        path: dir.to_path_buf(),
                        reason: e.to_string(),
                    },
                });
                return refused;
            }
        };
        let mut stems: BTreeMap<String, (bool, bool)> = BTreeMap::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let (Some(stem), Some(ext)) = (path.file_stem(), path.extension()) else {
                continue;
            };
            let slot = stems
                .entry(stem.to_string_lossy().into_owned())
                .or_default();
            match ext.to_str() {
                Some("wasm") => slot.0 = true,
                Some("toml") => slot.1 = true,
                _ => {}
            }
        }
        for (stem, (has_wasm, has_toml)) in stems {
            let wasm = dir.join(format!("{stem}.wasm"));
            let toml = dir.join(format!("{stem}.toml"));
            let result = match (has_wasm, has_toml) {
                (true, true) => self.load_one(&stem, &wasm, &toml, config),
                (true, false) => Err(PluginError::Install {
                    path: wasm.clone(),
                    reason: format!(
                        "no manifest beside it; write {stem}.toml (see docs/plugins.md)"
                    ),
                }),
                (false, true) => Err(PluginError::Install {
                    path: toml.clone(),
                    reason: format!("no component beside it; copy {stem}.wasm next to it"),
                }),
                (false, false) => continue,
            };
            if let Err(error) = result {
                let file = if has_wasm { wasm } else { toml };
                refused.push(PluginLoadError { file, error });
            }
        }
        refused
    }

    fn load_one(
        &mut self,
        name: &str,
        wasm: &Path,
        toml: &Path,
        config: &PluginsConfig,
    ) -> Result<(), PluginError> {
        let checked = read_manifest(toml, name)?;
        if self.plugins.contains_key(name) {
            return Err(PluginError::Install {
                path: toml.to_path_buf(),
                reason: format!("`{name}` is a stock plugin's name; rename the plugin"),
            });
        }
        let grants = config.grants.get(name).cloned().unwrap_or_default();
        let capabilities = resolve_grants(name, toml, &checked.capabilities, &grants, true)?;
        let bytes = std::fs::read(wasm).map_err(|e| PluginError::Read {
            path: wasm.to_path_buf(),
            reason: e.to_string(),
        })?;
        let component = self.runtime.compile(wasm, &bytes)?;
        let pre = self.pre(wasm, &component, checked.world)?;
        let manifest = checked.manifest;
        let info = PluginInfo {
            name: name.to_string(),
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
            capabilities,
        };
        tracing::info!(plugin = name, world = %checked.world, "plugin installed");
        self.plugins.insert(name.to_string(), Loaded { info, pre });
        Ok(())
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

    /// Compiles a component file (never cached) and reports which world it implements, its
    /// imports and its exports.
    pub fn check_file(&self, wasm: &Path) -> Result<CheckReport, PluginError> {
        let bytes = std::fs::read(wasm).map_err(|e| PluginError::Read {
            path: wasm.to_path_buf(),
            reason: e.to_string(),
        })?;
        check_binary(wasm, &bytes)?;
        let component =
            Component::new(&self.runtime.engine, &bytes).map_err(|e| PluginError::Compile {
                path: wasm.to_path_buf(),
                reason: one_line(e),
            })?;
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
        })
    }

    /// The loaded plugin `name`, which must be of `world`.
    pub(crate) fn get(&self, name: &str, world: World) -> Result<&Loaded, PluginError> {
        let loaded = self
            .plugins
            .get(name)
            .ok_or_else(|| PluginError::Unknown(name.to_string()))?;
        if loaded.info.world != world {
            return Err(PluginError::WrongKind {
                plugin: name.to_string(),
                expected: world.name(),
                actual: loaded.info.world.name(),
            });
        }
        Ok(loaded)
    }
}
