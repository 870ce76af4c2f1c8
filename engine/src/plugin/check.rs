//! `docket plugin check` and the tools that load a single file: which worlds a component
//! implements, its imports and exports, and why it is no plugin when it is none; a file checked
//! as the server would install it, and loaded for this process only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::error::PluginError;
use super::host::{Loaded, Origin, PluginHost, PluginInfo};
use super::manifest::{Contract, World};
use super::runtime::LoadTime;
use super::scaffold::{BuildTarget, Language};

/// What `docket plugin check` reports about a component file.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub file: PathBuf,
    /// The worlds the component implements (normally exactly one).
    pub worlds: Vec<World>,
    /// The contract version it was built against, when it implements a world.
    pub contract: Option<Contract>,
    /// Why it does not implement each other world.
    pub mismatches: BTreeMap<String, String>,
    pub imports: Vec<String>,
    pub exports: Vec<String>,
    /// How the component was loaded: compiled (and cached), or from the cache.
    pub load: LoadTime,
    /// Why it is no plugin, when it implements no world: what it is instead, and how to build
    /// one in its language.
    pub refusal: Option<String>,
}

/// Why `file`, exporting `exports` and implementing no world, is no plugin, with how to make
/// one: a WASI program (`fn main`) is told it must be a library.
fn no_world(
    file: &Path,
    exports: &[String],
    language: Option<Language>,
    target: &BuildTarget,
) -> String {
    let build = Language::build_hint(language, target);
    if exports.iter().any(|e| e.starts_with("wasi:cli/run@")) {
        let name = target.name.as_deref().unwrap_or("my-plugin");
        let world = target.world.map_or(
            "reminder-policy (or sending-rule, notification-hook)",
            |w| w.name(),
        );
        let lang = match language {
            Some(Language::Python) => " --lang python",
            _ => "",
        };
        return format!(
            "{} implements no docket:plugin world: it is a WASI program (it exports wasi:cli/run, made from a `fn main`), and a plugin is a library exporting one docket:plugin interface; `docket plugin new {name} --world {world}{lang}` writes a project that is one, then {build}",
            file.display()
        );
    }
    let exported = if exports.is_empty() {
        "no interface".to_string()
    } else {
        exports.join(", ")
    };
    format!(
        "{} implements no docket:plugin world: it exports {exported}, and a plugin exports the interface of its world (the `not` lines say what each world lacks); rebuild it against docket:plugin@{}: {build}",
        file.display(),
        Contract::CURRENT
    )
}

impl PluginHost {
    /// Compiles a component file (through the cache) and reports which world it implements,
    /// its imports and its exports. A refusal's build command names `target` where it is
    /// known.
    pub fn check_file(
        &self,
        wasm: &Path,
        target: &BuildTarget,
    ) -> Result<CheckReport, PluginError> {
        let bytes = std::fs::read(wasm).map_err(|e| PluginError::Read {
            path: wasm.to_path_buf(),
            reason: e.to_string(),
        })?;
        let (component, load) = self.runtime.compile_timed(wasm, &bytes, target)?;
        let ty = component.component_type();
        let engine = &self.runtime.engine;
        let imports = ty
            .imports(engine)
            .map(|(name, _)| name.to_string())
            .collect();
        // Interfaces only: a toolchain may export plain-named instances of its own
        // (componentize-py's `exports`), which are no part of the plugin's contract.
        let exports: Vec<String> = ty
            .exports(engine)
            .map(|(name, _)| name.to_string())
            .filter(|name| name.contains(':'))
            .collect();
        let mut worlds = Vec::new();
        let mut contract = None;
        let mut mismatches = BTreeMap::new();
        for world in World::ALL {
            match self.pre(wasm, &bytes, &component, world, target) {
                Ok(pre) => {
                    worlds.push(world);
                    contract.get_or_insert(pre.contract());
                }
                Err(PluginError::WrongWorld { reason, .. }) => {
                    mismatches.insert(world.to_string(), reason);
                }
                Err(other) => return Err(other),
            }
        }
        let refusal = worlds
            .is_empty()
            .then(|| no_world(wasm, &exports, Language::of_file(wasm, &bytes), target));
        Ok(CheckReport {
            file: wasm.to_path_buf(),
            worlds,
            contract,
            mismatches,
            imports,
            exports,
            load,
            refusal,
        })
    }

    /// Checks `wasm` with its manifest `toml` as the server would at install: the manifest, the
    /// world it declares against the component, the firm's grants and ceilings. Returns what
    /// `docket plugin list` would show once installed.
    /// A capability the firm has not granted yet does not refuse it here: it is listed in
    /// `ungranted`, since an admin may grant it once the plugin is installed.
    pub fn check_install(&self, wasm: &Path, toml: &Path) -> Result<PluginInfo, PluginError> {
        self.load_checked(wasm, toml).map(|loaded| loaded.info)
    }

    /// [`PluginHost::validate`] for a tool: the file is not installed, and its origin says so.
    fn load_checked(&self, wasm: &Path, toml: &Path) -> Result<Loaded, PluginError> {
        let mut loaded = self.validate(wasm, toml, None, false)?;
        loaded.info.origin = Origin::File(wasm.to_path_buf());
        Ok(loaded)
    }

    /// Loads `wasm` with its manifest for this process only (not the folder), under the
    /// manifest's name, replacing an installed plugin of that name: for `docket plugin
    /// simulate --file` and `docket plugin test`. A capability the firm has not granted is
    /// listed in `ungranted` and denied to the plugin's calls.
    pub fn load_file(&self, wasm: &Path, toml: &Path) -> Result<PluginInfo, PluginError> {
        let loaded = self.load_checked(wasm, toml)?;
        let info = loaded.info.clone();
        let mut next = (*self.catalogue()).clone();
        next.refused.remove(&info.name);
        next.plugins.insert(info.name.clone(), Arc::new(loaded));
        *self.current.write().expect("not poisoned") = Arc::new(next);
        Ok(info)
    }
}
