//! Running a cases file against a plugin: a reminder policy's calendar followed as the
//! scheduler sends it (`preview_calendar`, the scheduler's holding onto the send schedule and
//! past the holidays), a sending rule's answer moved onto the schedule as the server moves it,
//! a hook's effects recorded; then each case's lines compared with what it expected.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::{Case, CaseCalendar, CaseResult, Cases, calendar_of};
use crate::docket::{CalendarPreview, preview_calendar};
use crate::plugin::host::PluginHost;
use crate::plugin::manifest::World;
use crate::plugin::model::{
    Effect, FirmCalendar, GroupState, HookEvent, HookEventKind, RecordedEffects, SendRequest,
    TaskState,
};
use crate::plugin::preview::PreviewEnd;

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
        let (calendar, schedule) = calendar_of(defaults, case)?;
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
