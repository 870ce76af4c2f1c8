//! Table tests a plugin author runs (`docket plugin test FILE CASES.toml`): each case gives a
//! calendar (holidays included), a group or an event and what the plugin should answer — or
//! the error it should end with (`expect_error`); the host runs the plugin exactly as the
//! server would (a reminder policy through its batch call) and reports each case that
//! differs, with a diff.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::Deserialize;

use super::host::PluginHost;
use super::manifest::World;
use super::model::{
    Effect, FirmCalendar, GroupState, HookEvent, HookEventKind, RecordedEffects, SendRequest,
    TaskState,
};
use super::preview::PreviewEnd;

/// A cases file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cases {
    /// The calendar every case runs in unless it names its own zone or send time.
    #[serde(default)]
    pub calendar: CaseCalendar,
    #[serde(rename = "case", default)]
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CaseCalendar {
    pub timezone: String,
    pub send_time: String,
    pub holidays: Vec<NaiveDate>,
}

impl Default for CaseCalendar {
    fn default() -> Self {
        CaseCalendar {
            timezone: "Europe/London".into(),
            send_time: "09:00".into(),
            holidays: Vec::new(),
        }
    }
}

/// One case. Which fields apply depends on the plugin's world: `sent`, `due`, `done`, `days`
/// and `reminders` for a reminder policy; `start`, `due` and `send` for a sending rule;
/// `event`, `detail` and `effects` for a notification hook. Any case may set its own
/// `timezone`, `send_time` and `holidays`, and `expect_error`: text the error that ends the
/// plugin's answer must contain (a refused parameter, a refused answer, a crash); the answer
/// before it (`reminders`, `effects`) is then compared only when given.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    #[serde(default, deserialize_with = "super::manifest::scalar_params")]
    pub params: BTreeMap<String, String>,
    pub timezone: Option<String>,
    pub send_time: Option<String>,
    /// The firm's holidays for this case, instead of the `[calendar]`'s.
    pub holidays: Option<Vec<NaiveDate>>,
    pub expect_error: Option<String>,
    pub sent: Option<String>,
    #[serde(default)]
    pub due: Vec<NaiveDate>,
    #[serde(default)]
    pub done: Vec<String>,
    pub days: Option<u32>,
    pub reminders: Option<Vec<String>>,
    pub start: Option<NaiveDate>,
    pub send: Option<String>,
    pub event: Option<String>,
    #[serde(default)]
    pub detail: String,
    pub effects: Option<Vec<String>>,
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

impl PluginHost {
    /// Runs every case against `plugin`. A case that cannot be run as written (a missing field,
    /// a bad date) is an error naming the case; a plugin answering otherwise than expected is a
    /// failed case with its diff.
    pub fn run_cases(&self, plugin: &str, cases: &Cases) -> Result<Vec<CaseResult>, String> {
        let info = self
            .plugin(plugin)
            .ok_or_else(|| format!("no plugin named `{plugin}`"))?;
        cases
            .cases
            .iter()
            .map(|case| {
                let bad = |why: String| format!("case `{}`: {why}", case.name);
                let (expected, actual) = match info.world {
                    World::ReminderPolicy => self.reminder_case(plugin, &cases.calendar, case),
                    World::SendingRule => self.sending_case(plugin, &cases.calendar, case),
                    World::NotificationHook => self.hook_case(plugin, case),
                }
                .map_err(bad)?;
                let (expected, actual) = expect_error(case, expected, actual);
                let diff = (expected != actual).then(|| diff(&expected, &actual));
                Ok(CaseResult {
                    name: case.name.clone(),
                    diff,
                })
            })
            .collect()
    }

    fn reminder_case(
        &self,
        plugin: &str,
        defaults: &CaseCalendar,
        case: &Case,
    ) -> Result<(Vec<String>, Vec<String>), String> {
        let calendar = calendar_of(defaults, case)?;
        let expected = match (&case.reminders, &case.expect_error) {
            (Some(reminders), _) => reminders.clone(),
            (None, Some(_)) => Vec::new(),
            (None, None) => {
                return Err(
                    "give `reminders`, the expected calendar (`[]` for none), or `expect_error`"
                        .into(),
                );
            }
        };
        let sent = case
            .sent
            .as_deref()
            .ok_or("give `sent`, when the group is sent")?;
        let sent_at = local(&calendar, sent)?;
        if case.due.is_empty() {
            return Err("give `due`, one date per task".into());
        }
        let mut done = Vec::new();
        for text in &case.done {
            let (task, at) = text
                .split_once('@')
                .ok_or_else(|| format!("done `{text}`: write TASK@DATE, e.g. 1@2026-04-01"))?;
            let task: usize = task
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=case.due.len()).contains(n))
                .ok_or_else(|| {
                    format!(
                        "done `{text}`: the task is a number from 1 to {}",
                        case.due.len()
                    )
                })?;
            let at = local(&calendar, at.trim())?;
            if at < sent_at {
                return Err(format!(
                    "done `{text}` is before `sent`: a task done before the group is sent is not in it; leave it out or give a later time"
                ));
            }
            done.push((task - 1, at));
        }
        let group = GroupState {
            sent_at,
            last_reminder_at: None,
            tasks: case
                .due
                .iter()
                .map(|&due| TaskState {
                    due,
                    done: false,
                    reminders_sent: 0,
                })
                .collect(),
        };
        // Without `days`, the whole calendar: until the policy answers no more.
        let until = case
            .days
            .map(|days| sent_at + chrono::Duration::days(i64::from(days)));
        let preview = self.preview_with(plugin, &calendar, &case.params, group, &done, until);
        let mut actual: Vec<String> = preview
            .reminders
            .iter()
            .map(|r| {
                let tasks: Vec<String> = r.tasks.iter().map(|t| (t + 1).to_string()).collect();
                format!("{} tasks {}", local_text(&calendar, r.at), tasks.join(","))
            })
            .collect();
        if let Some(e) = preview.error {
            actual.push(format!("error: {e}"));
        } else if let PreviewEnd::Bound { .. } = preview.end {
            actual.push(format!("end: {}", preview.end.describe(calendar.tz)));
        }
        Ok((expected, actual))
    }

    fn sending_case(
        &self,
        plugin: &str,
        defaults: &CaseCalendar,
        case: &Case,
    ) -> Result<(Vec<String>, Vec<String>), String> {
        let calendar = calendar_of(defaults, case)?;
        let start = case.start.ok_or("give `start`, the work's start date")?;
        let expected = match (&case.send, &case.expect_error) {
            (Some(send), _) => vec![send.clone()],
            (None, Some(_)) => Vec::new(),
            (None, None) => {
                return Err(
                    "give `send`, the expected local time (`manual` for none), or `expect_error`"
                        .into(),
                );
            }
        };
        let request = SendRequest {
            start,
            first_due: case.due.iter().min().copied(),
            task_count: case.due.len() as u32,
        };
        let now = local(&calendar, &start.to_string())? - chrono::Duration::days(400);
        let actual = match self.send_at(plugin, &calendar, &case.params, now, &request) {
            Ok(Some(at)) => local_text(&calendar, at),
            Ok(None) => "manual".into(),
            Err(e) => format!("error: {e}"),
        };
        Ok((expected, vec![actual]))
    }

    fn hook_case(&self, plugin: &str, case: &Case) -> Result<(Vec<String>, Vec<String>), String> {
        let name = case
            .event
            .as_deref()
            .ok_or_else(|| format!("give `event`, one of {}", HookEventKind::NAMES.join(", ")))?;
        let detail = case.detail.clone();
        let kind = match name {
            "task-completed" => HookEventKind::TaskCompleted { title: detail },
            "all-tasks-completed" => HookEventKind::AllTasksCompleted,
            "upload-received" => HookEventKind::UploadReceived { file_name: detail },
            "comment-added" => HookEventKind::CommentAdded { text: detail },
            "reminder-limit-reached" => HookEventKind::ReminderLimitReached { title: detail },
            "send-failed" => HookEventKind::SendFailed { reason: detail },
            other => {
                return Err(format!(
                    "`{other}` is not an event; use {}",
                    HookEventKind::NAMES.join(", ")
                ));
            }
        };
        let expected = match (&case.effects, &case.expect_error) {
            (Some(effects), _) => effects.clone(),
            (None, Some(_)) => Vec::new(),
            (None, None) => {
                return Err(
                    "give `effects`, the expected effects (`[]` for none), or `expect_error`"
                        .into(),
                );
            }
        };
        let event = HookEvent {
            kind,
            at: Utc
                .with_ymd_and_hms(2026, 4, 6, 9, 0, 0)
                .single()
                .expect("a valid instant"),
            work_id: "01TESTWORK".into(),
            work_title: "Annual return".into(),
            group_name: "Documents".into(),
            contact_email: "ann@example.com".into(),
            staff_emails: vec!["sam@firm.example".into()],
        };
        let mut recorded = RecordedEffects::default();
        let actual = match self.deliver(plugin, &case.params, &event, &mut recorded) {
            Ok(_) => recorded
                .applied
                .iter()
                .map(|(_, e)| effect_text(e))
                .collect(),
            Err(e) => vec![format!("error: {e}")],
        };
        Ok((expected, actual))
    }
}

fn calendar_of(defaults: &CaseCalendar, case: &Case) -> Result<FirmCalendar, String> {
    FirmCalendar::parse(
        case.timezone.as_deref().unwrap_or(&defaults.timezone),
        case.send_time.as_deref().unwrap_or(&defaults.send_time),
        case.holidays
            .clone()
            .unwrap_or_else(|| defaults.holidays.clone()),
    )
}

/// The lines to compare for `case`: the expected ones normalised and, with `expect_error`, an
/// error line. The error matches when the plugin's error contains the text, and is then shown
/// as the plugin wrote it; without an expected answer before it, only the error is compared.
fn expect_error(
    case: &Case,
    expected: Vec<String>,
    actual: Vec<String>,
) -> (Vec<String>, Vec<String>) {
    let mut expected: Vec<String> = expected.iter().map(|l| normalise(l)).collect();
    let Some(text) = &case.expect_error else {
        return (expected, actual);
    };
    let answered = case.reminders.is_some() || case.send.is_some() || case.effects.is_some();
    let actual: Vec<String> = if answered {
        actual
    } else {
        // Only the error is compared, or the whole answer when there is none.
        let errors: Vec<String> = actual
            .iter()
            .filter(|l| l.starts_with("error: "))
            .cloned()
            .collect();
        if errors.is_empty() { actual } else { errors }
    };
    let wanted = normalise(text);
    match actual.last() {
        Some(last) if last.starts_with("error: ") && normalise(last).contains(&wanted) => {
            expected.push(last.clone())
        }
        _ => expected.push(format!("error: …{wanted}…")),
    }
    (expected, actual)
}

/// A local `YYYY-MM-DD` (midnight) or `YYYY-MM-DDTHH:MM` in the calendar's zone.
fn local(calendar: &FirmCalendar, text: &str) -> Result<DateTime<Utc>, String> {
    let naive = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| d.and_time(NaiveTime::MIN))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .map_err(|_| format!("`{text}`: write YYYY-MM-DD or YYYY-MM-DDTHH:MM"))?;
    calendar
        .tz
        .from_local_datetime(&naive)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| format!("`{text}` does not exist in {}", calendar.tz))
}

fn local_text(calendar: &FirmCalendar, at: DateTime<Utc>) -> String {
    at.with_timezone(&calendar.tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn effect_text(effect: &Effect) -> String {
    match effect {
        Effect::SendEmail { to, subject, .. } => format!("send-email to {to}: {subject}"),
        Effect::HttpPost { url, .. } => format!("http-post {url}"),
        Effect::SetWorkStatus { status, .. } => format!("set-status {status}"),
        Effect::NotifyStaff { message, .. } => format!("notify-staff: {message}"),
    }
}

/// Expected lines as written, with runs of spaces and the spaces after commas dropped, so
/// `tasks 1, 2` matches `tasks 1,2`.
fn normalise(line: &str) -> String {
    line.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(", ", ",")
}

/// A line diff: common lines unmarked, expected-only `-`, actual-only `+` (longest common
/// subsequence, fine for the few lines of a case).
fn diff(expected: &[String], actual: &[String]) -> Vec<String> {
    let (n, m) = (expected.len(), actual.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if expected[i] == actual[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && expected[i] == actual[j] {
            out.push(format!("  {}", expected[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("- {}", expected[i]));
            i += 1;
        } else {
            out.push(format!("+ {}", actual[j]));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_mark_missing_and_extra_lines() {
        let e: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let a: Vec<String> = ["a", "c", "d"].map(String::from).to_vec();
        assert_eq!(diff(&e, &a), ["  a", "- b", "  c", "+ d"]);
        assert_eq!(
            normalise("2026-03-09  09:00 tasks 1, 2"),
            "2026-03-09 09:00 tasks 1,2"
        );
        assert!(Cases::parse("").unwrap_err().contains("no [[case]]"));
        assert!(
            Cases::parse("[[case]]\nname = 'x'\ncolour = 1\n")
                .unwrap_err()
                .starts_with("line 3")
        );
    }
}
