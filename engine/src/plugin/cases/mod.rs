//! Table tests a plugin author runs (`docket plugin test FILE CASES.toml`): each case gives a
//! calendar (send schedule and holidays included), a group or an event and what the plugin
//! should answer — or the error it should end with (`expect_error`). This file is the cases
//! file's format; `run.rs` runs the plugin exactly as the server would (a reminder policy
//! through its batch call, its answers held to the send schedule and past the holidays by the
//! scheduler's own code) and reports each case that differs, with a diff.

mod run;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::manifest::World;
use super::model::FirmCalendar;
use super::toml_fields::{
    day_count, due_dates, holiday_dates, scalar_params, some_holiday_dates, start_date,
};
use crate::schedule::SendSchedule;

/// A cases file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cases {
    /// The calendar every case runs in unless it names its own zone or send time.
    #[serde(default)]
    pub calendar: CaseCalendar,
    #[serde(rename = "case", default, deserialize_with = "case_list")]
    pub cases: Vec<Case>,
}

/// `[[case]]`, an array of tables; a single `[case]` table is the likely slip.
fn case_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Case>, D::Error> {
    struct List;
    impl<'de> serde::de::Visitor<'de> for List {
        type Value = Vec<Case>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("cases written as [[case]]")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Vec<Case>, A::Error> {
            let mut cases = Vec::new();
            while let Some(case) = seq.next_element()? {
                cases.push(case);
            }
            Ok(cases)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Vec<Case>, A::Error> {
            Err(serde::de::Error::custom(
                "`[case]` is a single table; write each case under `[[case]]`, with two brackets",
            ))
        }
    }
    d.deserialize_any(List)
}

/// `[calendar]`: the firm's calendar of every case that does not set its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CaseCalendar {
    pub timezone: String,
    pub send_time: String,
    /// The firm's send schedule, a five-field cron expression; every day at `send_time` when
    /// left out, as on a server whose firm sets none.
    pub send_schedule: Option<String>,
    #[serde(deserialize_with = "holiday_dates")]
    pub holidays: Vec<NaiveDate>,
}

impl Default for CaseCalendar {
    fn default() -> Self {
        CaseCalendar {
            timezone: "Europe/London".into(),
            send_time: "09:00".into(),
            send_schedule: None,
            holidays: Vec::new(),
        }
    }
}

/// One case. Which fields apply depends on the plugin's world: `sent`, `due`, `done`, `days`
/// and `reminders` for a reminder policy; `start`, `due` and `send` for a sending rule;
/// `event`, `detail` and `effects` for a notification hook. Any case may set its own
/// /// `timezone`, `send_time`, `send_schedule` and `holidays`, and `expect_error`: text the error
/// that ends the plugin's answer must contain (a refused parameter, a refused answer, a
/// crash); the answer before it (`reminders`, `effects`) is then compared only when given. A
/// field of another world's cases is refused, not ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    #[serde(default, deserialize_with = "scalar_params")]
    pub params: BTreeMap<String, String>,
    pub timezone: Option<String>,
    pub send_time: Option<String>,
    /// The firm's send schedule for this case, instead of the `[calendar]`'s.
    pub send_schedule: Option<String>,
    /// The firm's holidays for this case, instead of the `[calendar]`'s.
    #[serde(default, deserialize_with = "some_holiday_dates")]
    pub holidays: Option<Vec<NaiveDate>>,
    pub expect_error: Option<String>,
    pub sent: Option<String>,
    #[serde(default, deserialize_with = "due_dates")]
    pub due: Vec<NaiveDate>,
    #[serde(default)]
    pub done: Vec<String>,
    #[serde(default, deserialize_with = "day_count")]
    pub days: Option<u32>,
    pub reminders: Option<Vec<String>>,
    #[serde(default, deserialize_with = "start_date")]
    pub start: Option<NaiveDate>,
    pub send: Option<String>,
    pub event: Option<String>,
    pub detail: Option<String>,
    pub effects: Option<Vec<String>>,
}

impl Case {
    /// The fields this case sets that a case of `world` does not take, by name.
    fn foreign_fields(&self, world: World) -> Vec<&'static str> {
        let set = [
            ("sent", self.sent.is_some()),
            ("done", !self.done.is_empty()),
            ("days", self.days.is_some()),
            ("reminders", self.reminders.is_some()),
            ("start", self.start.is_some()),
            ("send", self.send.is_some()),
            ("due", !self.due.is_empty()),
            ("event", self.event.is_some()),
            ("detail", self.detail.is_some()),
            ("effects", self.effects.is_some()),
        ];
        let takes = world_fields(world);
        set.into_iter()
            .filter(|(field, set)| *set && !takes.contains(field))
            .map(|(field, _)| field)
            .collect()
    }
}

/// The fields of a case that only a plugin of `world` takes.
fn world_fields(world: World) -> &'static [&'static str] {
    match world {
        World::ReminderPolicy => &["sent", "due", "done", "days", "reminders"],
        World::SendingRule => &["start", "due", "send"],
        World::NotificationHook => &["event", "detail", "effects"],
    }
}

/// The outcome of one case.
#[derive(Debug)]
pub struct CaseResult {
    pub name: String,
    /// `None` when the plugin answered as expected; otherwise the lines that differ, `-` for
    /// expected and `+` for what the plugin answered.
    pub diff: Option<Vec<String>>,
}

impl Cases {
    pub fn parse(text: &str) -> Result<Cases, String> {
        let cases: Cases = toml::from_str(text).map_err(|e: toml::de::Error| {
            let line = e
                .span()
                .map(|s| {
                    format!(
                        "line {}: ",
                        text[..s.start.min(text.len())].matches('\n').count() + 1
                    )
                })
                .unwrap_or_default();
            format!("{line}{}", super::error::one_line(e.message()))
        })?;
        if cases.cases.is_empty() {
            return Err("no [[case]] in the file; see docs/plugins.md for the format".into());
        }
        Ok(cases)
    }
}

/// The calendar and send schedule `case` runs in: its own settings, else `defaults`. A send
/// time the schedule never sends at is refused, as the firm's settings refuse it.
fn calendar_of(
    defaults: &CaseCalendar,
    case: &Case,
) -> Result<(FirmCalendar, SendSchedule), String> {
    let mut holidays = case
        .holidays
        .clone()
        .unwrap_or_else(|| defaults.holidays.clone());
    holidays.sort_unstable();
    holidays.dedup();
    let calendar = FirmCalendar::parse(
        case.timezone.as_deref().unwrap_or(&defaults.timezone),
        case.send_time.as_deref().unwrap_or(&defaults.send_time),
        holidays,
    )?;
    let schedule = match case
        .send_schedule
        .as_ref()
        .or(defaults.send_schedule.as_ref())
    {
        Some(expr) => SendSchedule::parse(expr).map_err(|e| format!("send_schedule: {e}"))?,
        None => SendSchedule::daily_at(calendar.send_time),
    };
    if let Some(problem) = schedule.send_time_problem(calendar.send_time) {
        return Err(format!("send_time and send_schedule: {problem}"));
    }
    Ok((calendar, schedule))
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
