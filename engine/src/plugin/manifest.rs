//! Plugin manifests (`NAME.toml` beside `NAME.wasm`), the three worlds and the capabilities a
//! hook may be granted.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{PluginError, one_line};

/// The contract a plugin implements: one world of the `docket:plugin` WIT package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum World {
    ReminderPolicy,
    SendingRule,
    NotificationHook,
}

impl World {
    pub const ALL: [World; 3] = [
        World::ReminderPolicy,
        World::SendingRule,
        World::NotificationHook,
    ];

    /// The world's WIT name.
    pub fn name(self) -> &'static str {
        match self {
            World::ReminderPolicy => "reminder-policy",
            World::SendingRule => "sending-rule",
            World::NotificationHook => "notification-hook",
        }
    }

    pub fn parse(text: &str) -> Option<World> {
        World::ALL.into_iter().find(|w| w.name() == text)
    }
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The version of the `docket:plugin` WIT package a component was built against. 0.2.0 is
/// the current one (`wit/`); components built for 0.1.0 are still served through an adapter
/// that calls only their batch reminder function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
pub enum Contract {
    #[serde(rename = "0.1.0")]
    V0_1,
    #[serde(rename = "0.2.0")]
    V0_2,
}

impl Contract {
    /// The current contract, the one `wit/` holds and the SDKs build against.
    pub const CURRENT: Contract = Contract::V0_2;

    /// How a component of this contract is served as `world`, when it is not the current
    /// contract: through the adapter (a 0.1.0 policy only through its batch function), and
    /// what to do about it.
    pub fn adapter_note(self, world: World) -> Option<String> {
        (self != Contract::CURRENT).then(|| {
            let calls = match world {
                World::ReminderPolicy => " that calls only its batch `next-reminders`",
                _ => "",
            };
            format!(
                "docket:plugin@{self}, served through an adapter{calls}; rebuild it against {} with this Docket's SDK (see docs/plugins.md)",
                Contract::CURRENT
            )
        })
    }
}

impl fmt::Display for Contract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Contract::V0_1 => "0.1.0",
            Contract::V0_2 => "0.2.0",
        })
    }
}

/// Something a notification hook may do through the host.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    Email,
    /// POST to this host; `*` in a manifest means "whichever hosts the firm grants".
    Http(String),
    SetStatus,
    NotifyStaff,
    Log,
}

impl Capability {
    /// Parses `email`, `http:HOST`, `set-status`, `notify-staff` or `log`.
    pub fn parse(text: &str) -> Result<Capability, String> {
        match text.trim() {
            "email" => Ok(Capability::Email),
            "set-status" => Ok(Capability::SetStatus),
            "notify-staff" => Ok(Capability::NotifyStaff),
            "log" => Ok(Capability::Log),
            other => match other.strip_prefix("http:") {
                Some(host) if valid_host(host) => Ok(Capability::Http(host.to_ascii_lowercase())),
                _ => Err(format!(
                    "unknown capability `{other}`: use email, http:HOST, set-status, notify-staff or log"
                )),
            },
        }
    }
}

fn valid_host(host: &str) -> bool {
    host == "*"
        || (!host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Capability::Email => f.write_str("email"),
            Capability::Http(host) => write!(f, "http:{host}"),
            Capability::SetStatus => f.write_str("set-status"),
            Capability::NotifyStaff => f.write_str("notify-staff"),
            Capability::Log => f.write_str("log"),
        }
    }
}

/// A plugin's manifest, as written in `NAME.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Must equal the file name without extension.
    pub name: String,
    pub version: String,
    /// `reminder-policy`, `sending-rule` or `notification-hook`.
    pub world: String,
    #[serde(default)]
    pub description: String,
    /// Capabilities the plugin asks for (hooks only).
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Default parameters; a template's parameters override them one by one. Numbers and
    /// booleans are taken as their text (`every = 2` is `every = "2"`).
    #[serde(default, deserialize_with = "super::toml_fields::scalar_params")]
    pub params: BTreeMap<String, String>,
    /// Limits other than the firm's defaults, up to the ceilings of `[plugins]` in the
    /// configuration: a plugin whose runtime needs more (a Python one) asks for it here.
    #[serde(default)]
    pub limits: ManifestLimits,
}

/// `[limits]` of a manifest: what one call of this plugin may use. Each key left out takes the
/// firm's default (`plugins.timeout_ms`, `plugins.memory_mib`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestLimits {
    /// Wall-clock budget of one call, in milliseconds.
    pub timeout_ms: Option<u64>,
    /// Most linear memory one instance may grow to, in MiB.
    pub memory_mib: Option<u64>,
}

impl Manifest {
    /// Parses a manifest's text, without the checks `docket` applies when installing it.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        toml::from_str(text).map_err(|e: toml::de::Error| one_line(e.message()))
    }
}

/// A manifest once checked: its world and capabilities parsed.
#[derive(Debug, Clone)]
pub(crate) struct CheckedManifest {
    pub manifest: Manifest,
    pub world: World,
    pub capabilities: Vec<Capability>,
}

/// Whether `name` is a plugin name: lower-case letters, digits and single hyphens, starting with
/// a letter. Templates and the configuration name plugins this way.
pub fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The plugin name a file stem stands for: cargo turns the hyphens of a crate name into
/// underscores in the `.wasm` it builds (`overdue-mondays` builds `overdue_mondays.wasm`), so
/// either spelling names the same plugin.
pub fn name_of_stem(stem: &str) -> String {
    stem.replace('_', "-")
}

/// Reads and checks `path`. With `expected_name` (the plugins folder's file name, either
/// spelling), the manifest's name must be that plugin's.
pub(crate) fn read_manifest(
    path: &Path,
    expected_name: Option<&str>,
) -> Result<CheckedManifest, PluginError> {
    let bad = |reason: String| PluginError::Manifest {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| PluginError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let manifest: Manifest = toml::from_str(&text).map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| {
                format!(
                    "line {}: ",
                    text[..s.start.min(text.len())].matches('\n').count() + 1
                )
            })
            .unwrap_or_default();
        bad(format!("{line}{}", one_line(e.message())))
    })?;
    if !valid_name(&manifest.name) {
        return Err(bad(format!(
            "name `{}` is not a plugin name: use lower-case letters, digits and hyphens, e.g. `{}`",
            manifest.name,
            suggested_name(&manifest.name)
        )));
    }
    if let Some(expected) = expected_name
        && manifest.name != name_of_stem(expected)
    {
        return Err(bad(format!(
            "name `{}` differs from the file name `{expected}`; name the files {}.wasm and {}.toml (or with underscores for hyphens) or change the name",
            manifest.name, manifest.name, manifest.name
        )));
    }
    if !super::toml_fields::is_semver(&manifest.version) {
        return Err(bad(format!(
            "version `{}` is not a version: write it as semver, MAJOR.MINOR.PATCH, e.g. version = \"0.1.0\"",
            manifest.version
        )));
    }
    let world = World::parse(&manifest.world).ok_or_else(|| {
        let hint = World::parse(&manifest.world.replace('_', "-"))
            .map(|w| format!(" (did you mean `{w}`?)"))
            .unwrap_or_default();
        bad(format!(
            "unknown world `{}`{hint}: use reminder-policy, sending-rule or notification-hook",
            manifest.world
        ))
    })?;
    let capabilities = manifest
        .capabilities
        .iter()
        .map(|c| Capability::parse(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    for (key, value) in [
        ("timeout_ms", manifest.limits.timeout_ms),
        ("memory_mib", manifest.limits.memory_mib),
    ] {
        if value == Some(0) {
            return Err(bad(format!(
                "[limits] {key} is 0; leave it out for the firm's default or give a number above zero"
            )));
        }
    }
    if world != World::NotificationHook && !capabilities.is_empty() {
        return Err(bad(format!(
            "a {world} is pure and takes no capabilities; remove them"
        )));
    }
    Ok(CheckedManifest {
        manifest,
        world,
        capabilities,
    })
}

/// A plugin name close to `text`, for error messages.
fn suggested_name(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "my-policy".into()
    } else {
        out
    }
}

/// The capabilities a plugin gets from what it declares and what the firm grants: each declared
/// capability granted (an `http:*` declaration narrowed to the hosts granted), and the declared
/// ones granted not at all. A grant that is not a capability is an error naming where it was
/// written (`granted_in`).
pub(crate) fn resolve_grants(
    declared: &[Capability],
    granted: &[String],
    granted_in: &str,
    path: &Path,
) -> Result<(Vec<Capability>, Vec<Capability>), PluginError> {
    let mut granted_caps = Vec::new();
    for text in granted {
        let cap = Capability::parse(text).map_err(|reason| PluginError::Manifest {
            path: path.to_path_buf(),
            reason: format!("{granted_in}: {reason}"),
        })?;
        granted_caps.push(cap);
    }
    let mut effective = Vec::new();
    let mut missing = Vec::new();
    for cap in declared {
        let matches: Vec<Capability> = match cap {
            Capability::Http(host) if host == "*" => granted_caps
                .iter()
                .filter(|g| matches!(g, Capability::Http(_)))
                .cloned()
                .collect(),
            other => granted_caps
                .iter()
                .filter(|g| *g == other)
                .cloned()
                .collect(),
        };
        if matches.is_empty() {
            missing.push(cap.clone());
        }
        effective.extend(matches);
    }
    effective.sort();
    effective.dedup();
    Ok((effective, missing))
}

#[cfg(test)]
#[path = "manifest_tests.rs"]
mod tests;
