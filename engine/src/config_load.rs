//! Reading the configuration: the file (or none), then the `DOCKET_SECTION_KEY` environment
//! variables over it, then the checks serde cannot make (timezones, times of day, addresses),
//! each refusal naming the key and where it came from.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;

use crate::config::*;

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
                ConfigError(format!("{origin}: {}", plain_refusal(&path, first_line)))
            })?;
        config.firm.explicit = explicit;
        config.validate().map_err(|msg| {
            // A key set from the environment is blamed on its variable, not the file.
            let key = msg.split('`').nth(1).unwrap_or_default();
            // Else one the message names as its cause (a backend asking for a URL).
            let origin = env_keys
                .iter()
                .find(|(k, _)| key == k || key.starts_with(&format!("{k}.")))
                .or_else(|| env_keys.iter().find(|(k, _)| msg.contains(k.as_str())))
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
        if let Some(why) = self
            .firm
            .holidays
            .iter()
            .find_map(|d| crate::dates::date_or_why(d).err())
        {
            return Err(format!("key `firm.holidays`: {why}"));
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
        if let Some(inbound) = &self.inbound {
            inbound.validate()?;
        }
        if let Some(smtp) = &self.smtp
            && !matches!(smtp.security.as_str(), "starttls" | "tls" | "none")
        {
            return Err(format!(
                "key `smtp.security`: `{}` must be starttls, tls or none",
                smtp.security
            ));
        }
        crate::i18n::check_language(&self.firm.locale)
            .map_err(|e| format!("key `firm.locale`: {e}"))?;
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
        match (self.storage.backend, self.storage.url.as_deref()) {
            (StorageBackend::Postgres, None | Some("")) => {
                return Err("key `storage.url`: storage.backend = \"postgres\" needs the database's URL, postgres://USER@HOST:PORT/DATABASE (the password in DOCKET_STORAGE_URL)".into());
            }
            (StorageBackend::Sled, Some(_)) => {
                return Err("key `storage.url`: it is used only when storage.backend = \"postgres\"; remove it or set the backend".into());
            }
            _ => {}
        }
        if !(2..=1000).contains(&self.storage.connections) {
            return Err("key `storage.connections`: must be from 2 to 1000".into());
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

impl InboundConfig {
    /// The reply address is one plain address, and the IMAP keys come together.
    fn validate(&self) -> Result<(), String> {
        if self.reply_parts().is_none() || self.reply_address.contains([' ', '<', '>', ',']) {
            return Err(format!(
                "key `inbound.reply_address`: `{}` is not one plain address without a `+`; write e.g. replies@firm.example",
                self.reply_address
            ));
        }
        if !matches!(self.imap_tls.as_str(), "tls" | "starttls" | "none") {
            return Err(format!(
                "key `inbound.imap_tls`: `{}` is not `tls` (implicit TLS, port 993), `starttls` (port 143, upgraded before the login) or `none`",
                self.imap_tls
            ));
        }
        if self.imap_port == Some(0) {
            return Err("key `inbound.imap_port`: 0 is no port; give the IMAP server's port (993 for `tls`, 143 for `starttls` or `none`), or leave it out".into());
        }
        if let Some(host) = &self.imap_host
            && self.imap_tls == "none"
            && !is_loopback_host(host)
        {
            return Err(format!(
                "key `inbound.imap_tls`: `none` with `inbound.imap_host = \"{host}\"`, not this machine, would send the mailbox's password in clear; use `tls` (the default) or `starttls`, or `none` only for a server on this machine (localhost, 127.0.0.1, ::1)"
            ));
        }
        if self.imap_host.is_some() && self.imap_user.is_none() {
            return Err("key `inbound.imap_user`: `inbound.imap_host` is set, so the mailbox's user name is needed too".into());
        }
        if self.imap_poll_secs == 0 {
            return Err("key `inbound.imap_poll_secs`: must be at least 1".into());
        }
        if let Some(path) = &self.imap_ca_file {
            certificate_file(path).map_err(|why| format!("key `inbound.imap_ca_file`: {why}"))?;
        }
        Ok(())
    }
}

/// Checks that `path` is a readable PEM file of at least one certificate, saying in one
/// sentence what is wrong.
fn certificate_file(path: &Path) -> Result<(), String> {
    use tokio_rustls::rustls::pki_types::CertificateDer;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("there is no file {shown}; give the PEM file of the mailbox server's certificate authority")
        }
        std::io::ErrorKind::PermissionDenied => {
            format!("Docket may not read {shown}; let the user Docket runs as read it")
        }
        _ => format!("cannot read {shown}: {e}"),
    })?;
    let certificates = CertificateDer::pem_slice_iter(&bytes).collect::<Result<Vec<_>, _>>();
    match certificates {
        Ok(found) if !found.is_empty() => Ok(()),
        _ => Err(format!(
            "{shown} holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the certificate authority's PEM file"
        )),
    }
}

/// What serde said about the value at `path`, in the words of the file rather than Rust's:
/// "key `inbound.imap_port`: must be a number from 1 to 65535, not 70000" rather than
/// "invalid value: integer `70000`, expected u16"; "[inbound] needs reply_address" rather than
/// "missing field `reply_address`".
pub(crate) fn plain_refusal(path: &str, said: &str) -> String {
    if let Some(field) = said
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        return match path {
            "" | "." => format!("the configuration needs {field}"),
            section => format!("[{section}] needs {field}"),
        };
    }
    let wrong = said
        .strip_prefix("invalid type: ")
        .or_else(|| said.strip_prefix("invalid value: "))
        .and_then(|rest| rest.rsplit_once(", expected "));
    let Some((given, expected)) = wrong else {
        return format!("key `{path}`: {said}");
    };
    let key = path.rsplit('.').next().unwrap_or(path);
    let wanted = match expected {
        "u16" if key.ends_with("port") => "a number from 1 to 65535",
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" => "a whole number from 0 to 4294967295",
        "u64" | "usize" => "a whole number, 0 or more",
        "i64" | "i32" => "a whole number",
        "f64" | "f32" => "a number",
        "a boolean" => "true or false",
        "a string" | "a borrowed string" => "text in quotes",
        "a sequence" => "a list in brackets, e.g. [\"a\", \"b\"]",
        other => other,
    };
    // `integer `70000``, `string "993"`: the value as the file wrote it.
    let value = given
        .split_once(' ')
        .map_or(given, |(_, value)| value)
        .trim_matches('`');
    let quoted = given.starts_with("string ") && !wanted.starts_with("text");
    format!(
        "key `{path}`: must be {wanted}{}, not {value}",
        if quoted { " without quotes" } else { "" }
    )
}

/// `localhost`, an address in 127.0.0.0/8 or `::1` (brackets allowed): this machine.
fn is_loopback_host(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
