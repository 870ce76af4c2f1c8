//! Changing the firm's settings from the admin, the API and the CLI: each key checked as typed,
//! with a message per key, and nothing changed unless every key is good. Keys the configuration
//! sets explicitly (`[firm]` in the file or `DOCKET_FIRM_*`) are pinned: they are applied again at
//! every start, so they are changed there, not here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
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
pub const SETTINGS_KEYS: [&str; 6] = [
    "name",
    "timezone",
    "send_time",
    "send_schedule",
    "holidays",
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
                        SETTINGS_KEYS[..5].join(", ")
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
                match day.parse::<NaiveDate>() {
                    Ok(date) => parsed.push(date),
                    Err(_) => {
                        refuse(
                            "holidays",
                            format!("`{day}` is not a date; write YYYY-MM-DD, e.g. 2026-12-25"),
                        );
                        break;
                    }
                }
            }
            parsed.sort_unstable();
            parsed.dedup();
            next.holidays = parsed;
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
            ("sub_statuses", next.sub_statuses != current.sub_statuses),
        ];
        for (key, changed) in changed {
            if changed && is_pinned(key) && !errors.iter().any(|e| e.key.starts_with(key)) {
                errors.push(SettingsError {
                    key: key.to_string(),
                    message: pinned_message(key),
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
            return Err(Error::invalid(pinned_message("logo_url")));
        }
        if bytes.is_empty() {
            return Err(Error::invalid("choose an image file to upload"));
        }
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(Error::invalid(format!(
                "the logo is {} KiB; upload one of at most {} KiB",
                bytes.len().div_ceil(1024),
                MAX_LOGO_BYTES / 1024
            )));
        }
        let content_type = image_type(bytes)
            .ok_or_else(|| Error::invalid("the logo must be a PNG, JPEG, GIF or WebP image"))?;
        let sha256: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
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

    /// Makes `change`; a bad key is an error naming it, and nothing is changed.
    pub fn change_settings(&self, change: &SettingsChange) -> Result<FirmSettings> {
        self.try_change_settings(change)?.map_err(|errors| {
            Error::invalid(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.key, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docket::test_support::docket_at;

    #[test]
    fn a_good_change_is_made_and_a_bad_one_changes_nothing() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        let before = docket.firm_settings().unwrap();
        let change = SettingsChange {
            name: Some("  Smith & Co ".into()),
            timezone: Some("America/New_York".into()),
            send_time: Some("10:30".into()),
            send_schedule: Some("30 10 * * MON-FRI".into()),
            holidays: Some(vec!["2027-12-25".into(), "2027-01-01".into()]),
            sub_statuses: Some(BTreeMap::from([(
                "waiting_on_client".into(),
                vec!["chased".into(), " chased ".into(), "".into()],
            )])),
        };
        let after = docket.change_settings(&change).unwrap();
        assert_eq!(after.name, "Smith & Co");
        assert_eq!(after.timezone, chrono_tz::America::New_York);
        assert_eq!(after.send_time.to_string(), "10:30:00");
        assert_eq!(after.send_schedule.as_deref(), Some("30 10 * * MON-FRI"));
        assert_eq!(
            after.holidays,
            ["2027-01-01".parse().unwrap(), "2027-12-25".parse().unwrap()]
        );
        assert_eq!(after.sub_statuses["waiting_on_client"], ["chased"]);
        assert_eq!(docket.firm_settings().unwrap(), after);
        assert_ne!(before, after);

        let bad = SettingsChange {
            name: Some("Other".into()),
            timezone: Some("Mars/Base".into()),
            send_time: Some("25:00".into()),
            send_schedule: Some("whenever".into()),
            holidays: Some(vec!["2027-02-30".into()]),
            sub_statuses: Some(BTreeMap::from([("dreaming".into(), vec!["x".into()])])),
        };
        let errors = docket.try_change_settings(&bad).unwrap().unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "timezone",
                "send_time",
                "send_schedule",
                "holidays",
                "sub_statuses.dreaming"
            ]
        );
        assert!(errors[3].message.contains("write YYYY-MM-DD"), "{errors:?}");
        assert_eq!(docket.firm_settings().unwrap(), after, "nothing changed");
        let err = docket.change_settings(&bad).unwrap_err().to_string();
        assert!(err.starts_with("timezone: `Mars/Base` is not"), "{err}");
    }

    #[test]
    fn a_send_time_the_schedule_never_sends_at_is_refused_where_it_is_set() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        let schedule = |expr: &str| SettingsChange {
            send_schedule: Some(expr.into()),
            ..SettingsChange::default()
        };
        let time = |t: &str| SettingsChange {
            send_time: Some(t.into()),
            ..SettingsChange::default()
        };
        // The default send time is 09:00: a schedule at ten is refused on its own key...
        let errors = docket
            .try_change_settings(&schedule("0 10 * * MON-FRI"))
            .unwrap()
            .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].key, "send_schedule");
        assert!(errors[0].message.contains("09:00"), "{}", errors[0].message);
        assert!(
            errors[0].message.contains("(10:00)"),
            "{}",
            errors[0].message
        );
        // ...one at nine is taken, and then a send time of ten is refused on its key.
        docket
            .change_settings(&schedule("0 9 * * MON-FRI"))
            .unwrap();
        let errors = docket
            .try_change_settings(&time("10:00"))
            .unwrap()
            .unwrap_err();
        assert_eq!(errors[0].key, "send_time");
        // Both at once, agreeing, are taken; clearing the schedule frees the send time.
        docket
            .change_settings(&SettingsChange {
                send_time: Some("10:00".into()),
                send_schedule: Some("0 10 * * MON-FRI".into()),
                ..SettingsChange::default()
            })
            .unwrap();
        docket.change_settings(&schedule("")).unwrap();
        assert_eq!(
            docket
                .change_settings(&time("16:45"))
                .unwrap()
                .send_time
                .to_string(),
            "16:45:00"
        );
    }

    #[test]
    fn a_configured_schedule_that_disagrees_with_the_stored_send_time_stops_start() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        let firm = crate::config::FirmConfig {
            send_schedule: "0 10 * * *".into(),
            explicit: vec!["send_schedule".into()],
            ..crate::config::FirmConfig::default()
        };
        let err = docket
            .apply_config(&firm, "http://localhost:8080")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("`send_time` in the stored settings and `firm.send_schedule` in the configuration disagree: the send time 09:00"),
            "{err}"
        );
        assert_eq!(
            docket.firm_settings().unwrap().send_schedule,
            None,
            "nothing changed"
        );
    }

    #[test]
    fn an_empty_holiday_is_refused_and_an_empty_list_clears_them() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        let holidays = |days: &[&str]| SettingsChange {
            holidays: Some(days.iter().map(|d| d.to_string()).collect()),
            ..SettingsChange::default()
        };
        docket.change_settings(&holidays(&["2027-12-25"])).unwrap();
        let errors = docket
            .try_change_settings(&holidays(&[""]))
            .unwrap()
            .unwrap_err();
        assert_eq!(errors[0].key, "holidays");
        assert!(
            errors[0].message.contains("an entry is empty"),
            "{}",
            errors[0].message
        );
        assert_eq!(
            docket.firm_settings().unwrap().holidays.len(),
            1,
            "nothing changed"
        );
        assert!(
            docket
                .change_settings(&holidays(&[]))
                .unwrap()
                .holidays
                .is_empty()
        );
    }

    #[test]
    fn a_key_the_configuration_sets_is_refused_as_such_before_any_other_reason() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        docket
            .change_settings(&SettingsChange {
                send_schedule: Some("0 9 * * MON-FRI".into()),
                ..SettingsChange::default()
            })
            .unwrap();
        docket.pin_settings(&["send_time".into(), "send_schedule".into()]);
        let errors = docket
            .try_change_settings(&SettingsChange {
                send_time: Some("10:00".into()),
                ..SettingsChange::default()
            })
            .unwrap()
            .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message, pinned_message("send_time"));
    }

    #[test]
    fn keys_the_configuration_sets_are_not_changed_here() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        docket.pin_settings(&["timezone".into(), "base_url".into()]);
        assert_eq!(docket.pinned_settings(), ["timezone"]);
        let current = docket.firm_settings().unwrap();
        // Sent unchanged (as a form does), it is fine.
        let same = SettingsChange {
            timezone: Some(current.timezone.name().into()),
            name: Some("New name".into()),
            ..SettingsChange::default()
        };
        assert_eq!(docket.change_settings(&same).unwrap().name, "New name");
        let moved = SettingsChange {
            timezone: Some("Asia/Tokyo".into()),
            ..SettingsChange::default()
        };
        let err = docket.change_settings(&moved).unwrap_err().to_string();
        assert!(
            err.contains("set by `firm.timezone` in the configuration (or DOCKET_FIRM_TIMEZONE)"),
            "{err}"
        );
        assert_eq!(docket.firm_settings().unwrap().timezone, current.timezone);
    }

    #[test]
    fn a_sub_status_name_belongs_to_one_status() {
        let (docket, _) = docket_at("2026-03-02T09:00:00Z");
        docket
            .change_settings(
                &SettingsChange::from_key("sub_statuses.waiting_on_client", "chasing").unwrap(),
            )
            .unwrap();
        let before = docket.firm_settings().unwrap();
        let err = docket
            .change_settings(
                &SettingsChange::from_key("sub_statuses.in_progress", "review, chasing").unwrap(),
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("sub_statuses.in_progress")
                && err.contains("`chasing` is already a sub-status of waiting_on_client"),
            "{err}"
        );
        assert_eq!(docket.firm_settings().unwrap(), before, "nothing changed");
        // Moving a name from one status to another in one change is fine.
        let moved = SettingsChange {
            sub_statuses: Some(BTreeMap::from([
                ("waiting_on_client".into(), vec![]),
                ("in_progress".into(), vec!["chasing".into()]),
            ])),
            ..SettingsChange::default()
        };
        let after = docket.change_settings(&moved).unwrap();
        assert_eq!(after.sub_statuses["in_progress"], ["chasing"]);
    }

    #[test]
    fn the_command_line_names_one_key() {
        assert_eq!(
            SettingsChange::from_key("holidays", "2027-12-25, 2027-12-26").unwrap(),
            SettingsChange {
                holidays: Some(vec!["2027-12-25".into(), "2027-12-26".into()]),
                ..SettingsChange::default()
            }
        );
        assert_eq!(
            SettingsChange::from_key("sub_statuses.in_progress", "review,")
                .unwrap()
                .sub_statuses
                .unwrap()["in_progress"],
            ["review"]
        );
        let err = SettingsChange::from_key("colour", "blue").unwrap_err();
        assert!(
            err.to_string().contains("`colour` is not a setting"),
            "{err}"
        );
    }

    #[test]
    fn a_logo_is_an_image_of_limited_size() {
        let (docket, _) = docket_at("2027-01-10T09:00:00Z");
        let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 100]].concat();
        let settings = docket.set_firm_logo(&png).unwrap();
        let url = settings.logo_url.unwrap();
        assert!(
            url.starts_with("http://localhost:8080/firm/logo?v="),
            "{url}"
        );
        assert_eq!(
            docket.firm_logo().unwrap(),
            Some(("image/png".to_string(), png.clone()))
        );
        for (bad, why) in [
            (b"<svg onload=alert(1)>".to_vec(), "PNG, JPEG, GIF or WebP"),
            (vec![0xFF; MAX_LOGO_BYTES + 1], "at most 512 KiB"),
            (Vec::new(), "choose an image"),
        ] {
            let err = docket.set_firm_logo(&bad).unwrap_err().to_string();
            assert!(err.contains(why), "{err}");
        }
        assert_eq!(docket.firm_logo().unwrap().unwrap().1, png, "unchanged");
        docket.pin_settings(&["logo_url".into()]);
        assert!(
            docket
                .set_firm_logo(&png)
                .unwrap_err()
                .to_string()
                .contains("firm.logo_url")
        );
    }
}
