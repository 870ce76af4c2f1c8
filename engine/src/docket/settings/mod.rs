//! Changing the firm's settings from the admin, the API and the CLI: each key checked as typed,
//! with a message per key, and nothing changed unless every key is good. Keys the configuration
//! sets explicitly (`[firm]` in the file or `DOCKET_FIRM_*`) are pinned: they are applied again at
//! every start, so they are changed there, not here.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use serde::Deserialize;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::config::parse_time_of_day;
use crate::docket::Docket;
use crate::model::{FirmLogo, FirmSettings, WorkStatus};
use crate::store::{Batch, Tree, decode, encode};
use crate::{Error, Result};

/// The keys of the firm's settings that can be changed, as the configuration names them
/// (`firm.KEY`) and `docket settings set` takes them.
pub const SETTINGS_KEYS: [&str; 7] = [
    "name",
    "timezone",
    "send_time",
    "send_schedule",
    "holidays",
    "locale",
    "sub_statuses",
];

/// A change to the firm's settings, each key as typed; a key left out stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    pub name: Option<String>,
    /// An IANA timezone, e.g. `Europe/London`.
    pub timezone: Option<String>,
    /// `HH:MM`.
    pub send_time: Option<String>,
    /// A five-field cron expression; empty: every day at the send time.
    pub send_schedule: Option<String>,
    /// `YYYY-MM-DD` each.
    pub holidays: Option<Vec<String>>,
    /// The language of the portal and client emails for contacts with none of their own:
    /// `en`, `fr` or `de`.
    #[serde(default)]
    pub locale: Option<String>,
    /// Sub-statuses by work status (`planned`, `waiting_on_client`, `in_progress`,
    /// `completed`).
    pub sub_statuses: Option<BTreeMap<String, Vec<String>>>,
}

/// What is wrong with one key of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    /// The key, as in `SETTINGS_KEYS` (`sub_statuses.STATUS` for one status's list).
    pub key: String,
    pub message: String,
    /// The other key this one must agree with, when that is what is wrong (a send time the
    /// schedule never sends at): changing both in one change is the way out.
    pub agree_with: Option<&'static str>,
}

impl SettingsChange {
    /// This change with `other`'s keys added (a key both give takes `other`'s value): several
    /// keys set in one change, such as a send time and a schedule that must agree.
    pub fn and(mut self, other: SettingsChange) -> SettingsChange {
        self.name = other.name.or(self.name);
        self.timezone = other.timezone.or(self.timezone);
        self.send_time = other.send_time.or(self.send_time);
        self.send_schedule = other.send_schedule.or(self.send_schedule);
        self.holidays = other.holidays.or(self.holidays);
        self.locale = other.locale.or(self.locale);
        self.sub_statuses = match (self.sub_statuses, other.sub_statuses) {
            (Some(mut mine), Some(theirs)) => {
                mine.extend(theirs);
                Some(mine)
            }
            (mine, theirs) => theirs.or(mine),
        };
        self
    }

    /// One key from the command line, `docket settings set KEY VALUE`: holidays are separated
    /// by commas; sub-statuses are `sub_statuses.STATUS` with names separated by commas.
    pub fn from_key(key: &str, value: &str) -> Result<SettingsChange> {
        let list = |v: &str| -> Vec<String> {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        let mut change = SettingsChange::default();
        match key {
            "name" => change.name = Some(value.into()),
            "timezone" => change.timezone = Some(value.into()),
            "send_time" => change.send_time = Some(value.into()),
            "send_schedule" => change.send_schedule = Some(value.into()),
            "holidays" => change.holidays = Some(list(value)),
            "locale" => change.locale = Some(value.into()),
            "logo_url" | "logo" => {
                return Err(Error::invalid(format!(
                    "`{key}` is not a setting: the logo is uploaded in the admin (Settings), and its address follows"
                )));
            }
            "base_url" => {
                return Err(Error::invalid(
                    "`base_url` is not a setting: links follow `server.base_url` in the configuration, or the address `docket serve --listen` listens on when that is not set",
                ));
            }
            _ => match key.strip_prefix("sub_statuses.") {
                Some(status) => {
                    change.sub_statuses = Some(BTreeMap::from([(status.to_string(), list(value))]))
                }
                None => {
                    return Err(Error::invalid(format!(
                        "`{key}` is not a setting; use one of {}, or sub_statuses.STATUS",
                        SETTINGS_KEYS[..6].join(", ")
                    )));
                }
            },
        }
        Ok(change)
    }

    /// The settings with this change made, or what is wrong with each key. `pinned` are the
    /// keys the configuration sets; changing one is refused, naming it.
    pub fn apply(
        &self,
        current: &FirmSettings,
        pinned: &[String],
    ) -> std::result::Result<FirmSettings, Vec<SettingsError>> {
        let mut next = current.clone();
        let mut errors = Vec::new();
        let mut refuse = |key: &str, message: String| {
            errors.push(SettingsError {
                key: key.to_string(),
                message,
                agree_with: None,
            })
        };
        let is_pinned = |key: &str| pinned.iter().any(|p| p == key);
        if let Some(name) = &self.name {
            let name = name.trim();
            if name.is_empty() {
                refuse("name", "the firm needs a name".into());
            } else if name.chars().count() > 200 || name.chars().any(char::is_control) {
                refuse(
                    "name",
                    "the firm's name is at most 200 characters on one line".into(),
                );
            } else {
                next.name = name.to_string();
            }
        }
        if let Some(zone) = &self.timezone {
            match zone.trim().parse::<Tz>() {
                Ok(zone) => next.timezone = zone,
                Err(_) => refuse(
                    "timezone",
                    format!(
                        "`{}` is not an IANA timezone; write one like Europe/London or America/New_York",
                        zone.trim()
                    ),
                ),
            }
        }
        if let Some(time) = &self.send_time {
            match parse_time_of_day(time.trim()) {
                Some(time) => next.send_time = time,
                None => refuse(
                    "send_time",
                    format!(
                        "`{}` is not a time of day; write HH:MM, e.g. 09:00",
                        time.trim()
                    ),
                ),
            }
        }
        if let Some(expr) = &self.send_schedule {
            let expr = expr.trim();
            if expr.is_empty() {
                next.send_schedule = None;
            } else {
                match crate::schedule::SendSchedule::parse(expr) {
                    Ok(_) => next.send_schedule = Some(expr.to_string()),
                    Err(e) => refuse("send_schedule", e),
                }
            }
        }
        if let Some(days) = &self.holidays {
            let mut parsed = Vec::new();
            for day in days.iter().map(|d| d.trim()) {
                if day.is_empty() {
                    // A form's blank lines are dropped before they get here; an empty entry
                    // in a list is a mistake, not "no holidays" (that is an empty list).
                    refuse(
                        "holidays",
                        "an entry is empty; write each holiday as YYYY-MM-DD, or give an empty list for none".into(),
                    );
                    break;
                }
                // The key is said beside the message (`holidays: …`), as for every setting.
                match crate::dates::date_or_why(day) {
                    Ok(date) => parsed.push(date),
                    Err(why) => {
                        refuse("holidays", why);
                        break;
                    }
                }
            }
            parsed.sort_unstable();
            parsed.dedup();
            next.holidays = parsed;
        }
        if let Some(locale) = &self.locale {
            match crate::i18n::check_language(locale) {
                Ok(code) => next.locale = code.to_string(),
                Err(e) => refuse("locale", e),
            }
        }
        if let Some(subs) = &self.sub_statuses {
            let mut refused = Vec::new();
            for (status, names) in subs {
                let key = format!("sub_statuses.{status}");
                if let Err(e) = status.parse::<WorkStatus>() {
                    refuse(&key, e.to_string());
                    refused.push(key);
                    continue;
                }
                let mut clean: Vec<String> = Vec::new();
                for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
                    if name.chars().count() > 100 || name.chars().any(char::is_control) {
                        refuse(
                            &key,
                            "a sub-status is at most 100 characters on one line".into(),
                        );
                        refused.push(key.clone());
                        break;
                    }
                    if !clean.iter().any(|c| c == name) {
                        clean.push(name.to_string());
                    }
                }
                if clean.is_empty() {
                    next.sub_statuses.remove(status);
                } else {
                    next.sub_statuses.insert(status.clone(), clean);
                }
            }
            // A hook sets a sub-status by its name alone, so a name belongs to one status.
            for status in subs.keys() {
                let Some(names) = next.sub_statuses.get(status) else {
                    continue;
                };
                let key = format!("sub_statuses.{status}");
                if refused.contains(&key) {
                    continue;
                }
                let taken = names.iter().find_map(|name| {
                    next.sub_statuses
                        .iter()
                        .find(|(other, theirs)| *other != status && theirs.contains(name))
                        .map(|(other, _)| (name, other))
                });
                if let Some((name, other)) = taken {
                    refuse(
                        &key,
                        format!(
                            "`{name}` is already a sub-status of {other}; a hook sets a sub-status by its name alone, so give this one another name or remove it from {other}"
                        ),
                    );
                }
            }
        }
        // A pinned key may be sent unchanged (a form sends every field), never changed.
        let changed = [
            ("name", next.name != current.name),
            ("timezone", next.timezone != current.timezone),
            ("send_time", next.send_time != current.send_time),
            ("send_schedule", next.send_schedule != current.send_schedule),
            ("holidays", next.holidays != current.holidays),
            ("locale", next.locale != current.locale),
            ("sub_statuses", next.sub_statuses != current.sub_statuses),
        ];
        for (key, changed) in changed {
            if changed && is_pinned(key) && !errors.iter().any(|e| e.key.starts_with(key)) {
                errors.push(SettingsError {
                    key: key.to_string(),
                    message: pinned_message(key),
                    agree_with: None,
                });
            }
        }
        // The send time must be one the schedule sends at, or every reminder would move. The
        // message goes with the key that changed (the schedule's when both did).
        if let Some(expr) = &next.send_schedule
            && !errors
                .iter()
                .any(|e| e.key == "send_time" || e.key == "send_schedule")
            && let Ok(schedule) = crate::schedule::SendSchedule::parse(expr)
            && let Some(problem) = schedule.send_time_problem(next.send_time)
        {
            let key = if next.send_schedule != current.send_schedule {
                "send_schedule"
            } else {
                "send_time"
            };
            errors.push(SettingsError {
                key: key.to_string(),
                message: problem,
                agree_with: Some(if key == "send_time" {
                    "send_schedule"
                } else {
                    "send_time"
                }),
            });
        }
        if errors.is_empty() {
            Ok(next)
        } else {
            Err(errors)
        }
    }
}

/// Why a key cannot be changed here: the configuration sets it.
pub fn pinned_message(key: &str) -> String {
    format!(
        "set by `firm.{key}` in the configuration (or DOCKET_FIRM_{}), which is applied at every start; change it there, or remove it there to change it here",
        key.to_ascii_uppercase()
    )
}

/// Largest logo accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;
/// Where the logo is kept in the `meta` tree.
const LOGO_KEY: &[u8] = b"firm_logo";

/// The image type of `bytes`, by their first bytes: only raster images a mail client shows
/// (no SVG, which can carry script).
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

impl Docket {
    /// Keeps `bytes` as the firm's logo and points the settings' logo URL at
    /// `BASE/firm/logo?v=HASH` (the path stays; the version makes caches fetch a new logo), in
    /// one batch. Refused when the configuration sets `firm.logo_url`, when it is not a PNG,
    /// JPEG, GIF or WebP image, or when it is larger than `MAX_LOGO_BYTES`.
    pub fn set_firm_logo(&self, bytes: &[u8]) -> Result<FirmSettings> {
        if self.pinned_settings().iter().any(|k| k == "logo_url") {
            return Err(Error::invalid_field("logo", pinned_message("logo_url")));
        }
        if bytes.is_empty() {
            return Err(Error::invalid_field(
                "logo",
                "choose an image file to upload",
            ));
        }
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(Error::invalid_field(
                "logo",
                format!(
                    "the logo is {} KiB; upload one of at most {} KiB",
                    bytes.len().div_ceil(1024),
                    MAX_LOGO_BYTES / 1024
                ),
            ));
        }
        let content_type = image_type(bytes).ok_or_else(|| {
            Error::invalid_field("logo", "the logo must be a PNG, JPEG, GIF or WebP image")
        })?;
        let sha256 = crate::text::hex(&Sha256::digest(bytes));
        let logo = FirmLogo {
            content_type: content_type.to_string(),
            sha256: sha256.clone(),
            data: STANDARD.encode(bytes),
        };
        let mut settings = self.firm_settings()?;
        settings.logo_url = Some(format!(
            "{}/firm/logo?v={}",
            settings.base_url.trim_end_matches('/'),
            &sha256[..12]
        ));
        let mut batch = Batch::default();
        batch.put(Tree::Meta, LOGO_KEY, encode(&logo));
        self.commit_settings(batch, &settings)?;
        Ok(settings)
    }

    /// The logo's type and bytes, when one was uploaded.
    pub fn firm_logo(&self) -> Result<Option<(String, Vec<u8>)>> {
        let Some(bytes) = self.store.get(Tree::Meta, LOGO_KEY)? else {
            return Ok(None);
        };
        let logo: FirmLogo = decode(&bytes)?;
        let data = STANDARD
            .decode(logo.data.as_bytes())
            .map_err(|e| Error::Storage(format!("the stored logo is unreadable: {e}")))?;
        Ok(Some((logo.content_type, data)))
    }

    /// Remembers which `[firm]` keys the configuration sets, so they are shown as pinned and
    /// not changed here (the next start would undo the change).
    pub fn pin_settings(&self, keys: &[String]) {
        *self
            .sending
            .pinned
            .write()
            .unwrap_or_else(|e| e.into_inner()) = keys
            .iter()
            .filter(|k| SETTINGS_KEYS.contains(&k.as_str()) || k.as_str() == "logo_url")
            .cloned()
            .collect();
    }

    /// The `[firm]` keys the configuration sets.
    pub fn pinned_settings(&self) -> Vec<String> {
        self.sending
            .pinned
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Makes `change`, or answers what is wrong with each key and changes nothing.
    pub fn try_change_settings(
        &self,
        change: &SettingsChange,
    ) -> Result<std::result::Result<FirmSettings, Vec<SettingsError>>> {
        let current = self.firm_settings()?;
        match change.apply(&current, &self.pinned_settings()) {
            Ok(next) => {
                if next != current {
                    self.update_firm_settings(&next)?;
                }
                Ok(Ok(next))
            }
            Err(errors) => Ok(Err(errors)),
        }
    }

    /// The plugins this server runs (stock first, then installed), each with its world and the
    /// capabilities it declares and is granted (`[plugins.grants]` in the configuration); none
    /// without a plugin host.
    pub fn installed_plugins(&self) -> Vec<crate::plugin::PluginInfo> {
        self.plugins()
            .map(|host| host.plugins())
            .unwrap_or_default()
    }

    /// Makes `change`; a bad key is an error naming it (its field, when it is the only one),
    /// and nothing is changed.
    pub fn change_settings(&self, change: &SettingsChange) -> Result<FirmSettings> {
        self.try_change_settings(change)?.map_err(|errors| {
            let message = errors
                .iter()
                .map(|e| format!("{}: {}", e.key, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            match errors.as_slice() {
                [only] => Error::invalid_field(only.key.clone(), message),
                _ => Error::invalid(message),
            }
        })
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
