//! Docket's configuration: one struct per section of `docket.toml` with its defaults. Reading
//! it — the file, `DOCKET_SECTION_KEY` environment variables over it, and the checks serde
//! cannot make — is `config_load.rs`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;

/// A configuration that could not be loaded; the message names the file (or variable) and the key.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub(crate) String);

/// Prefix of the environment variables that override configuration keys.
pub const ENV_PREFIX: &str = "DOCKET_";
/// Variables of the `docket` binary itself, not configuration keys: the config file to read and
/// the log filter.
pub const BINARY_ENV: [&str; 3] = ["DOCKET_CONFIG", "DOCKET_LOG", IMAP_PASSWORD_ENV];
/// The variable that holds the reply mailbox's IMAP password (never the file).
pub const IMAP_PASSWORD_ENV: &str = "DOCKET_IMAP_PASSWORD";

/// The whole configuration. Every section has defaults, so an empty file is a valid one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub firm: FirmConfig,
    pub mail: MailConfig,
    pub smtp: Option<SmtpConfig>,
    /// `[inbound]`: replies by email. Without it, emails carry no reply address of Docket's.
    pub inbound: Option<InboundConfig>,
    pub plugins: PluginsConfig,
    /// `[[hooks]]`: notification hooks subscribed to events.
    pub hooks: Vec<HookConfig>,
    pub log: LogConfig,
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

/// `[storage]`: where a firm's data lives: one folder (sled, the default), or a PostgreSQL
/// database that several servers share.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    pub backend: StorageBackend,
    /// The data folder; relative paths are taken from the working directory. With PostgreSQL,
    /// the folder of the installed plugins' files only.
    pub data_dir: PathBuf,
    /// The server's record cache, in MiB (tools such as backup and check use 8).
    pub cache_mib: u64,
    /// The PostgreSQL database (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`); the password
    /// belongs in the environment (`DOCKET_STORAGE_URL`).
    pub url: Option<String>,
    /// Connections each server keeps to PostgreSQL at most.
    pub connections: usize,
}

/// Where records and uploaded files are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    #[default]
    Sled,
    Postgres,
}

impl std::fmt::Debug for StorageConfig {
    /// Leaves the URL out: it may hold the database's password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageConfig")
            .field("backend", &self.backend)
            .field("data_dir", &self.data_dir)
            .field("cache_mib", &self.cache_mib)
            .field("url", &self.url.as_ref().map(|_| "(set)"))
            .field("connections", &self.connections)
            .finish()
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            backend: StorageBackend::Sled,
            data_dir: PathBuf::from("data"),
            cache_mib: 8,
            url: None,
            connections: 16,
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
    /// The language of the client portal and client emails for contacts with none of their
    /// own: `en`, `fr` or `de`.
    pub locale: String,
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
            locale: "en".into(),
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

    /// The language code, already checked at load.
    pub fn locale(&self) -> String {
        crate::i18n::check_language(&self.locale)
            .unwrap_or(crate::i18n::DEFAULT)
            .to_string()
    }

    /// The send schedule as written, or `None` for daily at the send time.
    pub fn send_schedule(&self) -> Option<String> {
        let text = self.send_schedule.trim();
        (!text.is_empty()).then(|| text.to_string())
    }
}

/// `[log]`: how the server writes its log (to standard error).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub format: LogFormat,
}

/// `log.format`: lines for people, or one JSON object per line for a log collector.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
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

/// `[inbound]`: replies by email. Every email to a client carries `Reply-To:
/// LOCAL+TOKEN@DOMAIN` (plus-addressing on `reply_address`); Docket reads that mailbox over IMAP
/// and turns each reply into the client's comment on its group. The IMAP password is the
/// environment variable `DOCKET_IMAP_PASSWORD`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboundConfig {
    /// The firm's address replies go to, e.g. `replies@firm.example`; its mailbox must take
    /// plus-addressed mail (`replies+TOKEN@firm.example`).
    pub reply_address: String,
    /// The IMAP server of that mailbox; without it emails carry the reply address but nothing
    /// reads it.
    pub imap_host: Option<String>,
    /// 993 for `tls`, 143 for `starttls` and `none`.
    pub imap_port: Option<u16>,
    pub imap_user: Option<String>,
    /// The folder read (`INBOX`).
    #[serde(default = "default_imap_folder")]
    pub imap_folder: String,
    /// `tls` (implicit TLS, default), `starttls` (plain, upgraded to TLS before the login) or
    /// `none` (plain text, for a server on this machine only).
    #[serde(default = "default_imap_tls")]
    pub imap_tls: String,
    /// A PEM file of extra certificate authorities to trust (a server with a private CA).
    pub imap_ca_file: Option<PathBuf>,
    /// Seconds between two looks at a server without IDLE (and the longest IDLE wait).
    #[serde(default = "default_imap_poll")]
    pub imap_poll_secs: u64,
}

impl InboundConfig {
    /// The reply address's local part and domain.
    pub fn reply_parts(&self) -> Option<(&str, &str)> {
        let (local, domain) = self.reply_address.rsplit_once('@')?;
        (!local.is_empty() && !domain.is_empty() && !local.contains('+')).then_some((local, domain))
    }

    pub fn port(&self) -> u16 {
        self.imap_port
            .unwrap_or(if self.imap_tls == "tls" { 993 } else { 143 })
    }
}

fn default_imap_folder() -> String {
    "INBOX".into()
}

fn default_imap_tls() -> String {
    "tls".into()
}

fn default_imap_poll() -> u64 {
    60
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

/// Parses `HH:MM` (24-hour clock).
pub fn parse_time_of_day(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
