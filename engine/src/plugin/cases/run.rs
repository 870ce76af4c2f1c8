//! Running a cases file against a plugin: a reminder policy's calendar followed as the
//! scheduler sends it (`preview_calendar`, the scheduler's holding onto the send schedule and
//! past the holidays), a sending rule's answer moved onto the schedule as the server moves it,
//! a hook's effects recorded; then each case's lines compared with what it expected.

use chrono::{DateTime, NaiveTime, TimeZone, Utc};

use super::{Case, CaseCalendar, CaseResult, Cases, calendar_of, world_fields};
use crate::docket::{CalendarPreview, preview_calendar};
use crate::plugin::host::PluginHost;
use crate::plugin::manifest::World;
use crate::plugin::model::{
    Effect, FirmCalendar, GroupState, HookEvent, HookEventKind, RecordedEffects, SendRequest,
    TaskState,
};
use crate::plugin::preview::PreviewEnd;
use crate::plugin::toml_fields::parse_date;

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
                if let Some(field) = case.foreign_fields(info.world).first() {
                    return Err(bad(format!(
                        "`{field}` does not apply to a {} plugin's case; remove it (its cases take {})",
                        info.world,
                        world_fields(info.world).join(", ")
                    )));
                }
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
        let (calendar, schedule) = calendar_of(defaults, case)?;
        let expected = match (&case.reminders, &case.expect_error) {
            (Some(reminders), _) => reminders
                .iter()
                .map(|line| reminder_line(line))
                .collect::<Result<Vec<_>, _>>()?,
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
        let sent_at = local(&calendar, sent, "sent")?;
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
            let at = local(&calendar, at.trim(), "done")?;
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
        // As the scheduler sends them: each answer held to the send schedule and past the
        // holidays, by the scheduler's own code, as `plugin simulate` and the server do.
        let preview = match self.reminder_session(plugin) {
            Ok(mut session) => preview_calendar(
                &mut session,
                &calendar,
                &case.params,
                &schedule,
                &calendar.holidays,
                group,
                &done,
                until,
            ),
            Err(e) => CalendarPreview::failed(Vec::new(), e),
        };
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
        let (calendar, schedule) = calendar_of(defaults, case)?;
        let start = case.start.ok_or("give `start`, the work's start date")?;
        let expected = match (&case.send, &case.expect_error) {
            (Some(send), _) => vec![send_line(send)?],
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
        let now = local(&calendar, &start.to_string(), "start")? - chrono::Duration::days(400);
        // As the server plans the sending: the rule's instant moved onto the send schedule.
        let actual = match self.send_at(plugin, &calendar, &case.params, now, &request) {
            Ok(Some(at)) => match schedule.slot(at.max(now), calendar.tz, &calendar.holidays) {
                Some(slot) => local_text(&calendar, slot),
                None => "no slot of the send schedule from then on".into(),
            },
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
        let detail = case.detail.clone().unwrap_or_default();
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

/// A local `YYYY-MM-DD` (midnight) or `YYYY-MM-DDTHH:MM` in the calendar's zone, for `field`.
fn local(calendar: &FirmCalendar, text: &str, field: &str) -> Result<DateTime<Utc>, String> {
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let naive = parse_date(date)
        .map_err(|e| format!("{field}: {e}"))
        .and_then(|day| match time {
            None => Ok(day.and_time(NaiveTime::MIN)),
            Some(time) => time_of_day(time)
                .map(|t| day.and_time(t))
                .ok_or_else(|| format!("{field}: `{text}`: write YYYY-MM-DD or YYYY-MM-DDTHH:MM")),
        })?;
    calendar
        .tz
        .from_local_datetime(&naive)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| format!("{field}: `{text}` does not exist in {}", calendar.tz))
}

/// `HH:MM`, two digits each.
fn time_of_day(text: &str) -> Option<NaiveTime> {
    (text.len() == 5)
        .then(|| NaiveTime::parse_from_str(text, "%H:%M").ok())
        .flatten()
}

/// An expected reminder, `YYYY-MM-DD HH:MM tasks N,N` (spaces after the commas allowed), as
/// the answered lines are written; or an `end: ...` line. Anything else is refused, naming the
/// format, rather than compared and reported as a difference.
fn reminder_line(line: &str) -> Result<String, String> {
    let normal = normalise(line);
    if normal.starts_with("end: ") {
        return Ok(normal);
    }
    let refuse = || {
        format!(
            "reminders: `{line}` is not a reminder line; write `YYYY-MM-DD HH:MM tasks N,N` with the tasks numbered from 1, e.g. `2026-03-05 09:00 tasks 1,2`"
        )
    };
    let parts: Vec<&str> = normal.split(' ').collect();
    let [date, time, "tasks", tasks] = parts[..] else {
        return Err(refuse());
    };
    parse_date(date).map_err(|e| format!("reminders: `{line}`: {e}"))?;
    time_of_day(time).ok_or_else(refuse)?;
    let numbered = tasks
        .split(',')
        .all(|t| t.parse::<usize>().is_ok_and(|n| n >= 1));
    if !numbered {
        return Err(refuse());
    }
    Ok(normal)
}

/// An expected send, `YYYY-MM-DD HH:MM` or `manual`.
fn send_line(line: &str) -> Result<String, String> {
    let normal = normalise(line);
    if normal == "manual" {
        return Ok(normal);
    }
    let refuse = || {
        format!(
            "send: `{line}` is not a local time; write `YYYY-MM-DD HH:MM`, e.g. `2026-03-30 09:00`, or `manual`"
        )
    };
    let (date, time) = normal.split_once(' ').ok_or_else(refuse)?;
    parse_date(date).map_err(|e| format!("send: `{line}`: {e}"))?;
    time_of_day(time).ok_or_else(refuse)?;
    Ok(normal)
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
#[path = "run_tests.rs"]
mod tests;
