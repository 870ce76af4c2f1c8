//! Changing the firm's settings from the admin, the API and the CLI: each key checked as typed,
//! with a message per key, and nothing changed unless every key is good. Keys the configuration
//! sets explicitly (`[firm]` in the file or `DOCKET_FIRM_*`) are pinned: they are applied again at
//! every start, so they are changed there, not here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

use super::Docket;
use crate::config::parse_time_of_day;
use crate::model::{FirmSettings, WorkStatus};
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
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
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
            for day in days.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
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
            for (status, names) in subs {
                let key = format!("sub_statuses.{status}");
                if let Err(e) = status.parse::<WorkStatus>() {
                    refuse(&key, e.to_string());
                    continue;
                }
                let mut clean: Vec<String> = Vec::new();
                for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
                    if name.chars().count() > 100 || name.chars().any(char::is_control) {
                        refuse(
                            &key,
                            "a sub-status is at most 100 characters on one line".into(),
                        );
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

impl Docket {
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
            send_schedule: Some("0 9 * * MON-FRI".into()),
            holidays: Some(vec!["2027-12-25".into(), "2027-01-01".into(), "".into()]),
            sub_statuses: Some(BTreeMap::from([(
                "waiting_on_client".into(),
                vec!["chased".into(), " chased ".into(), "".into()],
            )])),
        };
        let after = docket.change_settings(&change).unwrap();
        assert_eq!(after.name, "Smith & Co");
        assert_eq!(after.timezone, chrono_tz::America::New_York);
        assert_eq!(after.send_time.to_string(), "10:30:00");
        assert_eq!(after.send_schedule.as_deref(), Some("0 9 * * MON-FRI"));
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
}
