//! Docket's configuration: one struct per section of `docket.toml`, defaults and validation in one
//! place, `DOCKET_SECTION_KEY` environment variables layered on top of the file.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;

/// A configuration that could not be loaded; the message names the file (or variable) and the key.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

/// Prefix of the environment variables that override configuration keys.
pub const ENV_PREFIX: &str = "DOCKET_";
/// Variables of the `docket` binary itself, not configuration keys: the config file to read and
/// the log filter.
pub const BINARY_ENV: [&str; 2] = ["DOCKET_CONFIG", "DOCKET_LOG"];

/// The whole configuration. Every section has defaults, so an empty file is a valid one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub firm: FirmConfig,
    pub mail: MailConfig,
    pub smtp: Option<SmtpConfig>,
    pub plugins: PluginsConfig,
    /// `[[hooks]]`: notification hooks subscribed to events.
    pub hooks: Vec<HookConfig>,
    /// Where the configuration came from, for messages: the file, or "built-in defaults".
    #[serde(skip)]
    pub source: String,
}

/// `[[hooks]]`: one notification hook plugin, its parameters and the events it receives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookConfig {
    pub plugin: String,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Event kinds: task-completed, all-tasks-completed, upload-received, comment-added,
    /// reminder-limit-reached, send-failed.
    pub events: Vec<String>,
}

/// `[server]`: where the web server listens and how it is reached from outside.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address the HTTP server binds to.
    pub listen: SocketAddr,
    /// Public base URL used in links sent to clients (magic links, staff notifications).
    pub base_url: String,
    /// Whether the file or the environment set `base_url` (otherwise `--listen` may adjust it).
    #[serde(skip)]
    pub base_url_set: bool,
    /// Largest file a client (or the API) may upload, in MiB; nothing past the cap is stored.
    pub max_upload_mib: u64,
    /// Most files clients may upload to one work item, in all.
    pub work_upload_files: usize,
    /// Most MiB clients may upload to one work item, in all.
    pub work_upload_mib: u64,
    /// Most files one device (or one signed-in client account) may upload per hour.
    pub uploads_per_device_per_hour: usize,
    /// Proxies in front of Docket (a TLS proxy) whose `X-Forwarded-For` header names the
    /// client's address, which staff sign-in throttling counts by. Empty: the connection's own
    /// address is the client's.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl ServerConfig {
    pub fn max_upload_bytes(&self) -> u64 {
        self.max_upload_mib * 1_048_576
    }

    /// What clients may upload to a work item, and how fast.
    pub fn upload_quota(&self) -> UploadQuota {
        UploadQuota {
            files_per_work: self.work_upload_files,
            bytes_per_work: self.work_upload_mib * 1_048_576,
            per_device_per_hour: self.uploads_per_device_per_hour,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            base_url: "http://localhost:8080".into(),
            base_url_set: false,
            max_upload_mib: 50,
            work_upload_files: UploadQuota::default().files_per_work,
            work_upload_mib: UploadQuota::default().bytes_per_work / 1_048_576,
            uploads_per_device_per_hour: UploadQuota::default().per_device_per_hour,
            trusted_proxies: Vec::new(),
        }
    }
}

/// What clients may upload to one work item (`server.work_upload_files`, `work_upload_mib`), and
/// how fast one device may (`server.uploads_per_device_per_hour`). Staff uploads are not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadQuota {
    pub files_per_work: usize,
    pub bytes_per_work: u64,
    pub per_device_per_hour: usize,
}

impl Default for UploadQuota {
    /// 200 files and 2 GiB per work item, 30 files an hour per device.
    fn default() -> Self {
        UploadQuota {
            files_per_work: 200,
            bytes_per_work: 2048 * 1_048_576,
            per_device_per_hour: 30,
        }
    }
}

/// `[storage]`: the one folder that holds all of a firm's data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// The data folder; relative paths are taken from the working directory.
    pub data_dir: PathBuf,
    /// The server's record cache, in MiB (tools such as backup and check use 32).
    pub cache_mib: u64,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            cache_mib: 256,
        }
    }
}

/// `[firm]`: the firm's settings. They seed an empty data folder; afterwards the keys the file
/// or the environment sets are applied to the stored settings at every `serve`, and the others
/// keep their stored values.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FirmConfig {
    pub name: String,
    /// URL of the logo shown on the client portal and in emails.
    pub logo_url: Option<String>,
    /// IANA timezone in which due dates and reminders are computed.
    pub timezone: String,
    /// Local time of day at which reminders and automatic sends go out, `HH:MM`.
    pub send_time: String,
    /// Days the firm sends nothing (public holidays), `YYYY-MM-DD`; automatic sends and
    /// reminders due on one go out on the next working slot.
    pub holidays: Vec<String>,
    /// When automatic sends and reminders may go out: a five-field cron expression read in the
    /// recipient's zone, e.g. `0 9 * * MON-FRI`. Empty: every day at `send_time`.
    pub send_schedule: String,
    /// Firm-defined sub-statuses under the fixed work statuses, e.g.
    /// `waiting_on_client = ["over reminder limit"]`.
    pub sub_statuses: BTreeMap<String, Vec<String>>,
    /// The keys the file or the environment set (not defaults).
    #[serde(skip)]
    pub explicit: Vec<String>,
}

impl Default for FirmConfig {
    fn default() -> Self {
        Self {
            name: "My Firm".into(),
            logo_url: None,
            timezone: "Europe/London".into(),
            send_time: "09:00".into(),
            holidays: Vec::new(),
            send_schedule: String::new(),
            sub_statuses: BTreeMap::new(),
            explicit: Vec::new(),
        }
    }
}

impl FirmConfig {
    /// The timezone, already checked at load.
    pub fn tz(&self) -> Tz {
        self.timezone.parse().expect("timezone validated at load")
    }

    /// The holidays, already checked at load, in order.
    pub fn holidays(&self) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = self
            .holidays
            .iter()
            .map(|d| d.parse().expect("holidays validated at load"))
            .collect();
        days.sort_unstable();
        days.dedup();
        days
    }

    /// The send time, already checked at load.
    pub fn send_time(&self) -> NaiveTime {
        parse_time_of_day(&self.send_time).expect("send time validated at load")
    }

    /// The send schedule as written, or `None` for daily at the send time.
    pub fn send_schedule(&self) -> Option<String> {
        let text = self.send_schedule.trim();
        (!text.is_empty()).then(|| text.to_string())
    }
}

/// `[mail]`: how email leaves Docket.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The From address of every email.
    pub from: String,
    /// Where mail is written when no `[smtp]` section is set; relative to the data folder.
    pub outbox_dir: PathBuf,
    /// Folder of email templates that replace the built-in ones file by file (`request.txt`,
    /// `request.html`, `request.subject`, ...); relative to the working directory.
    pub templates_dir: Option<PathBuf>,
    /// Staff comments reach the client in one email this many minutes after the last of a
    /// burst.
    pub comment_digest_minutes: u32,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            from: "Docket <docket@localhost>".into(),
            outbox_dir: PathBuf::from("outbox"),
            templates_dir: None,
            comment_digest_minutes: 10,
        }
    }
}

/// `[smtp]`: an SMTP relay. Without this section mail goes to the local outbox folder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `starttls` (default), `tls` (implicit TLS) or `none` (plain text, for local relays only).
    #[serde(default = "default_smtp_security")]
    pub security: String,
    /// A PEM file of extra certificate authorities to trust (a relay with a private CA).
    pub ca_file: Option<PathBuf>,
    /// Seconds to wait for the relay before giving up on an attempt.
    #[serde(default = "default_smtp_timeout")]
    pub timeout_secs: u64,
    /// Most connections kept open to the relay.
    #[serde(default = "default_smtp_connections")]
    pub connections: u32,
}

fn default_smtp_timeout() -> u64 {
    30
}

fn default_smtp_connections() -> u32 {
    4
}

fn default_smtp_port() -> u16 {
    587
}

fn default_smtp_security() -> String {
    "starttls".into()
}

/// `[plugins]`: installed WebAssembly plugins and the limits every call runs under.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PluginsConfig {
    /// Folder of installed plugins (`NAME.wasm` beside `NAME.toml`); relative to the data folder.
    pub dir: PathBuf,
    /// Wall-clock budget of one plugin call, in milliseconds.
    pub timeout_ms: u64,
    /// Most linear memory one plugin instance may grow to, in MiB.
    pub memory_mib: u64,
    /// The most a plugin's manifest may ask for under `[limits] timeout_ms`.
    pub max_timeout_ms: u64,
    /// The most a plugin's manifest may ask for under `[limits] memory_mib`.
    pub max_memory_mib: u64,
    /// Capabilities the firm grants, per plugin name: `email`, `http:HOST`, `set-status`,
    /// `notify-staff`, `log`. A plugin named here keeps these grants (pinned; the admin sees
    /// them read-only); the others have what an admin grants at run time. A plugin gets a
    /// capability only if its manifest asks for it and it is granted.
    pub grants: BTreeMap<String, Vec<String>>,
}

impl Default for PluginsConfig {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("plugins"),
            timeout_ms: 50,
            memory_mib: 32,
            max_timeout_ms: 2_000,
            max_memory_mib: 256,
            grants: BTreeMap::new(),
        }
    }
}

impl Config {
    /// Loads `file` (when given) and then the `DOCKET_*` variables of `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let (source, text) = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    ConfigError(format!("cannot read config file {}: {e}", path.display()))
                })?;
                (path.display().to_string(), text)
            }
            None => ("built-in defaults".to_string(), String::new()),
        };
        let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            ConfigError(format!(
                "{source}{}: {}",
                line_of(&text, e.span()),
                e.message().trim()
            ))
        })?;
        let mut env_keys = Vec::new();
        for (name, value) in env {
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            if BINARY_ENV.contains(&name.as_str()) {
                continue;
            }
            let rest = rest.to_ascii_lowercase();
            let Some((section, key)) = rest.split_once('_') else {
                return Err(ConfigError(format!(
                    "environment variable {name} names no key: use DOCKET_SECTION_KEY, e.g. DOCKET_SERVER_LISTEN"
                )));
            };
            let section_table = table
                .entry(section.to_string())
                .or_insert_with(|| toml::Value::Table(Default::default()));
            let Some(section_table) = section_table.as_table_mut() else {
                return Err(ConfigError(format!(
                    "environment variable {name}: [{section}] is not a section"
                )));
            };
            section_table.insert(key.to_string(), env_value(&value));
            env_keys.push((format!("{section}.{key}"), name));
        }
        let base_url_set = table
            .get("server")
            .and_then(|s| s.as_table())
            .is_some_and(|s| s.contains_key("base_url"));
        let explicit: Vec<String> = table
            .get("firm")
            .and_then(|f| f.as_table())
            .map(|f| f.keys().cloned().collect())
            .unwrap_or_default();
        let mut config: Config = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| {
                let path = e.path().to_string();
                let origin = env_keys
                    .iter()
                    .find(|(key, _)| path.starts_with(key.as_str()))
                    .map(|(_, var)| format!("environment variable {var}"))
                    .unwrap_or_else(|| source.clone());
                let inner = e.inner().to_string();
                let first_line = inner.lines().next().unwrap_or_default().trim();
                ConfigError(format!("{origin}: key `{path}`: {first_line}"))
            })?;
        config.firm.explicit = explicit;
        config.validate().map_err(|msg| {
            // A key set from the environment is blamed on its variable, not the file.
            let key = msg.split('`').nth(1).unwrap_or_default();
            let origin = env_keys
                .iter()
                .find(|(k, _)| key == k || key.starts_with(&format!("{k}.")))
                .map(|(_, var)| format!("environment variable {var}"))
                .unwrap_or_else(|| source.clone());
            ConfigError(format!("{origin}: {msg}"))
        })?;
        config.server.base_url_set = base_url_set;
        config.source = source;
        Ok(config)
    }

    /// Checks what serde cannot: timezones, times of day, addresses.
    fn validate(&self) -> Result<(), String> {
        if self.firm.timezone.parse::<Tz>().is_err() {
            return Err(format!(
                "key `firm.timezone`: `{}` is not an IANA timezone (e.g. Europe/London, America/New_York)",
                self.firm.timezone
            ));
        }
        if parse_time_of_day(&self.firm.send_time).is_none() {
            return Err(format!(
                "key `firm.send_time`: `{}` is not a time of day; write HH:MM, e.g. 09:00",
                self.firm.send_time
            ));
        }
        if let Some(bad) = self
            .firm
            .holidays
            .iter()
            .find(|d| d.parse::<NaiveDate>().is_err())
        {
            return Err(format!(
                "key `firm.holidays`: `{bad}` is not a date; write YYYY-MM-DD, e.g. 2026-12-25"
            ));
        }
        if self.firm.name.trim().is_empty() {
            return Err("key `firm.name`: the firm needs a name".into());
        }
        if !(self.server.base_url.starts_with("http://")
            || self.server.base_url.starts_with("https://"))
        {
            return Err(format!(
                "key `server.base_url`: `{}` must start with http:// or https://",
                self.server.base_url
            ));
        }
        let host = self.server.base_url.split("://").nth(1).unwrap_or("");
        let host = host.strip_suffix('/').unwrap_or(host);
        if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) || host.starts_with(':') {
            return Err(format!(
                "key `server.base_url`: `{}` must be the server's own root, e.g. https://docket.example.com (a host and optional port; Docket cannot be served under a path)",
                self.server.base_url
            ));
        }
        if let Some(smtp) = &self.smtp
            && !matches!(smtp.security.as_str(), "starttls" | "tls" | "none")
        {
            return Err(format!(
                "key `smtp.security`: `{}` must be starttls, tls or none",
                smtp.security
            ));
        }
        if let Some(expr) = self.firm.send_schedule() {
            let schedule = crate::schedule::SendSchedule::parse(&expr)
                .map_err(|e| format!("key `firm.send_schedule`: {e}"))?;
            // With the send time left to the stored settings, `Docket::apply_config` checks the
            // pair at start.
            if self.firm.explicit.iter().any(|k| k == "send_time")
                && let Some(problem) = schedule.send_time_problem(self.firm.send_time())
            {
                return Err(format!(
                    "keys `firm.send_time` and `firm.send_schedule`: {problem}"
                ));
            }
        }
        for (status, subs) in &self.firm.sub_statuses {
            status
                .parse::<crate::model::WorkStatus>()
                .map_err(|e| format!("key `firm.sub_statuses.{status}`: {e}"))?;
            if subs.iter().any(|s| s.trim().is_empty()) {
                return Err(format!(
                    "key `firm.sub_statuses.{status}`: a sub-status needs a name"
                ));
            }
            let taken = subs.iter().find_map(|name| {
                self.firm
                    .sub_statuses
                    .iter()
                    .find(|(other, theirs)| *other != status && theirs.contains(name))
                    .map(|(other, _)| (name, other))
            });
            if let Some((name, other)) = taken {
                return Err(format!(
                    "key `firm.sub_statuses.{status}`: `{name}` is also under {other}; a hook sets a sub-status by its name alone, so each name belongs to one status"
                ));
            }
        }
        if !(8..=65_536).contains(&self.storage.cache_mib) {
            return Err("key `storage.cache_mib`: must be from 8 to 65536".into());
        }
        if !(1..=10_240).contains(&self.server.max_upload_mib) {
            return Err("key `server.max_upload_mib`: must be from 1 to 10240 (10 GiB)".into());
        }
        if !(1..=100_000).contains(&self.server.work_upload_files) {
            return Err("key `server.work_upload_files`: must be from 1 to 100000".into());
        }
        if !(1..=1_048_576).contains(&self.server.work_upload_mib) {
            return Err("key `server.work_upload_mib`: must be from 1 to 1048576 (1 TiB)".into());
        }
        if !(1..=10_000).contains(&self.server.uploads_per_device_per_hour) {
            return Err("key `server.uploads_per_device_per_hour`: must be from 1 to 10000".into());
        }
        if !(1..=1440).contains(&self.mail.comment_digest_minutes) {
            return Err("key `mail.comment_digest_minutes`: must be from 1 to 1440".into());
        }
        if let Some(smtp) = &self.smtp {
            if smtp.host.trim().is_empty() {
                return Err("key `smtp.host`: the relay needs a host name".into());
            }
            if smtp.timeout_secs == 0 || smtp.connections == 0 {
                return Err(
                    "keys `smtp.timeout_secs` and `smtp.connections` must be above zero".into(),
                );
            }
            if smtp.username.is_some() != smtp.password.is_some() {
                return Err("keys `smtp.username` and `smtp.password` go together: set both (the password may come from DOCKET_SMTP_PASSWORD)".into());
            }
        }
        for (i, hook) in self.hooks.iter().enumerate() {
            if hook.events.is_empty() {
                return Err(format!(
                    "key `hooks[{i}].events`: hook `{}` subscribes to no event; list some of {}",
                    hook.plugin,
                    crate::plugin::HookEventKind::NAMES.join(", ")
                ));
            }
            if let Some(bad) = hook
                .events
                .iter()
                .find(|e| !crate::plugin::HookEventKind::NAMES.contains(&e.as_str()))
            {
                return Err(format!(
                    "key `hooks[{i}].events`: `{bad}` is not an event; use {}",
                    crate::plugin::HookEventKind::NAMES.join(", ")
                ));
            }
        }
        if self.plugins.timeout_ms == 0 || self.plugins.memory_mib == 0 {
            return Err(
                "keys `plugins.timeout_ms` and `plugins.memory_mib` must be above zero".into(),
            );
        }
        if self.plugins.max_timeout_ms < self.plugins.timeout_ms {
            return Err(format!(
                "key `plugins.max_timeout_ms` ({}) is below `plugins.timeout_ms` ({}); a ceiling cannot be lower than the default",
                self.plugins.max_timeout_ms, self.plugins.timeout_ms
            ));
        }
        if self.plugins.max_memory_mib < self.plugins.memory_mib {
            return Err(format!(
                "key `plugins.max_memory_mib` ({}) is below `plugins.memory_mib` ({}); a ceiling cannot be lower than the default",
                self.plugins.max_memory_mib, self.plugins.memory_mib
            ));
        }
        Ok(())
    }

    /// Resolves a path that the configuration takes relative to the data folder.
    pub fn data_path(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.storage.data_dir.join(path)
        }
    }
}

/// Parses `HH:MM` (24-hour clock).
pub fn parse_time_of_day(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// An environment value is read as a TOML value when it is one (numbers, booleans, arrays) and as
/// a plain string otherwise, so `DOCKET_SERVER_LISTEN=127.0.0.1:9000` needs no quotes. Dates and
/// times stay text as written (`DOCKET_FIRM_SEND_TIME=10:00` is TOML's `10:00:00`).
fn env_value(raw: &str) -> toml::Value {
    format!("v = {raw}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .filter(|v| !v.is_datetime())
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(span) => format!(
            " line {}",
            text[..span.start.min(text.len())].matches('\n').count() + 1
        ),
        None => String::new(),
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
