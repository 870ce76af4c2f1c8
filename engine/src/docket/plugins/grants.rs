//! The capabilities the firm grants its plugins, changed by an admin while the server runs and
//! applied at once; and the plugins served and refused, as the admin's Plugins page and
//! `GET /api/plugins` show them. A plugin the configuration names under `[plugins.grants]`
//! keeps the operator's grants (pinned, shown read-only); the others have what an admin granted,
//! stored in the data folder (`meta/plugin_grants`) and handed to the plugin host at start and at
//! every change, so the next call of the plugin runs with them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::docket::Docket;
use crate::model::Record;
use crate::plugin::{Capability, PluginInfo, RefusedPlugin, World, valid_name};
use crate::store::{Batch, Store, Tree, decode, encode};
use crate::{Error, Result};

const PLUGIN_GRANTS_KEY: &[u8] = b"plugin_grants";

/// The grants admins made, by plugin name; each list holds capabilities as `Capability`
/// writes them (`email`, `http:HOST`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct PluginGrants {
    by_plugin: BTreeMap<String, Vec<String>>,
}

impl Record for PluginGrants {
    const KIND: &'static str = "plugin grants";
    const VERSION: u16 = 1;
}

/// The plugins a server runs, and the plugin files it refused with the reason.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PluginsServed {
    /// Stock first, then installed, by name.
    pub plugins: Vec<PluginInfo>,
    /// Installed plugins refused at their last change (some still serve an earlier version).
    pub refused: Vec<RefusedPlugin>,
}

/// A change of one plugin's grants: the capabilities the firm grants it, replacing those it had.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantsChange {
    /// `email`, `http:HOST`, `set-status`, `notify-staff` or `log`; empty to grant nothing.
    pub grants: Vec<String>,
}

/// The grants admins made in the data folder of `store`, by plugin: for the plugin tools, which
/// read them without opening the engine.
pub fn stored_plugin_grants(store: &dyn Store) -> Result<BTreeMap<String, Vec<String>>> {
    Ok(read_grants(store)?.0.by_plugin)
}

fn read_grants(store: &dyn Store) -> Result<(PluginGrants, Option<Vec<u8>>)> {
    let bytes = store.get(Tree::Meta, PLUGIN_GRANTS_KEY)?;
    let grants = match &bytes {
        Some(bytes) => decode(bytes)?,
        None => PluginGrants::default(),
    };
    Ok((grants, bytes))
}

impl Docket {
    /// The grants admins made, by plugin (without the configuration's pinned ones).
    pub fn plugin_grants(&self) -> Result<BTreeMap<String, Vec<String>>> {
        stored_plugin_grants(self.store.as_ref())
    }

    /// Hands the stored grants to the plugin host, if there is one: done when the host is
    /// given to the engine, so the plugins serve with them from the start.
    pub(in crate::docket) fn apply_plugin_grants(&self) {
        let Some(host) = self.plugins() else { return };
        match self.plugin_grants() {
            Ok(grants) if !grants.is_empty() => {
                host.set_stored_grants(grants);
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "cannot read the plugin grants admins made; plugins run with the configuration's grants only")
            }
        }
    }

    /// The plugins served and those refused, with what each is granted.
    pub fn plugins_served(&self) -> PluginsServed {
        match self.plugins() {
            Some(host) => PluginsServed {
                plugins: host.plugins(),
                refused: host.refusals(),
            },
            None => PluginsServed {
                plugins: Vec::new(),
                refused: Vec::new(),
            },
        }
    }

    /// Grants `plugin` the capabilities of `change`, replacing what an admin granted it before,
    /// and applies them at once: its next call runs with them, and a plugin refused for want
    /// of one of them is served. Refused for a plugin the configuration pins, a name no plugin
    /// here has, a capability that does not exist, and any capability for a reminder policy
    /// or sending rule (they are pure).
    pub fn set_plugin_grants(&self, plugin: &str, change: &GrantsChange) -> Result<PluginsServed> {
        let Some(host) = self.plugins().cloned() else {
            return Err(Error::invalid(
                "no plugins are loaded here, so there is nothing to grant",
            ));
        };
        let served = host.plugin(plugin);
        let refused = host.refusals().into_iter().find(|r| r.name == plugin);
        if !valid_name(plugin) || (served.is_none() && refused.is_none()) {
            return Err(Error::not_found("plugin", plugin));
        }
        if host.pinned_grants().iter().any(|p| p == plugin) {
            return Err(Error::invalid(format!(
                "the grants of `{plugin}` are set in the configuration ([plugins.grants]); change them there and restart the server"
            )));
        }
        let mut grants = Vec::new();
        for text in change
            .grants
            .iter()
            .map(|g| g.trim())
            .filter(|g| !g.is_empty())
        {
            let capability = Capability::parse(text)
                .map_err(|reason| Error::invalid_field("grants", format!("grants: {reason}")))?;
            if matches!(capability, Capability::Http(ref host) if host == "*") {
                return Err(Error::invalid_field(
                    "grants",
                    "grants: `http:*` grants no host; grant each host as http:HOST",
                ));
            }
            grants.push(capability.to_string());
        }
        grants.sort();
        grants.dedup();
        if let Some(info) = &served
            && info.world != World::NotificationHook
            && !grants.is_empty()
        {
            return Err(Error::invalid_field(
                "grants",
                format!(
                    "grants: `{plugin}` is a {}, which is pure and takes no capabilities",
                    info.world
                ),
            ));
        }
        let stored = self.retrying(|| {
            let (mut stored, before) = read_grants(self.store.as_ref())?;
            if grants.is_empty() {
                stored.by_plugin.remove(plugin);
            } else {
                stored.by_plugin.insert(plugin.to_string(), grants.clone());
            }
            let mut batch = Batch::default();
            batch.expect(Tree::Meta, PLUGIN_GRANTS_KEY, before);
            batch.put(Tree::Meta, PLUGIN_GRANTS_KEY, encode(&stored));
            self.store.commit(batch)?;
            Ok(stored)
        })?;
        tracing::info!(plugin, grants = %grants.join(", "), "plugin grants changed by an admin");
        host.set_stored_grants(stored.by_plugin);
        Ok(self.plugins_served())
    }
}

#[cfg(test)]
#[path = "grants_tests.rs"]
mod tests;
