//! Unit tests of `answers.rs`.

use chrono::{NaiveDate, NaiveTime, TimeZone};

use super::*;
use crate::plugin::calls::native_reminders;
use crate::plugin::model::TaskState;

fn groups() -> Vec<GroupState> {
    let task = |due: &str, done| TaskState {
        due: due.parse().unwrap(),
        done,
        reminders_sent: 0,
    };
    let sent_at = Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap();
    vec![
        GroupState {
            sent_at,
            last_reminder_at: None,
            tasks: vec![task("2026-03-10", false), task("2026-03-11", true)],
        },
        GroupState {
            sent_at,
            last_reminder_at: None,
            tasks: vec![task("2026-03-12", false)],
        },
    ]
}

/// The reminders a batch answer decodes to, or the reason it is refused.
type Expected = Result<Vec<Option<NextReminder>>, &'static str>;

#[test]
fn a_batch_answer_is_read_by_its_counts_and_checked() {
    let calendar = FirmCalendar {
        tz: chrono_tz::Europe::London,
        send_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        holidays: Vec::new(),
    };
    let day = wit::day(NaiveDate::from_ymd_opt(2026, 3, 10).unwrap());
    let answer = |covered_count: &[u32], covered: &[u32]| BatchAnswer {
        covered_count: covered_count.to_vec(),
        day: vec![day; covered_count.len()],
        minute: vec![540; covered_count.len()],
        covered: covered.to_vec(),
    };
    let reminder = NextReminder {
        at: Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap(),
        tasks: vec![0],
    };
    let cases: [(BatchAnswer, Expected); 7] = [
        (
            answer(&[1, 0], &[0]),
            Ok(vec![Some(reminder.clone()), None]),
        ),
        (
            answer(&[0, 1], &[0]),
            Ok(vec![None, Some(reminder.clone())]),
        ),
        (
            answer(&[1], &[0]),
            Err("1 covered counts, 1 days and 1 minutes for 2 groups"),
        ),
        (
            answer(&[1, 1], &[0]),
            Err("group 2 of the batch: its covered tasks run past the end of the list"),
        ),
        (
            answer(&[1, 0], &[0, 0]),
            Err("1 covered tasks beyond those the groups' counts add up to"),
        ),
        (
            answer(&[1, 0], &[1]),
            Err("covered index 1 (task 2) is done, in the reminder at 2026-03-10 09:00 GMT"),
        ),
        (
            answer(&[2, 0], &[0, 0]),
            Err("covered tasks are not ascending or repeat one"),
        ),
    ];
    for (answer, expected) in cases {
        let got = native_reminders(&calendar, groups()[0].sent_at, &groups(), |columns| {
            assert_eq!(columns.task_count, [2, 1]);
            assert_eq!(columns.done, [0, 1, 0]);
            answer.clone()
        });
        match (got, expected) {
            (Ok(got), Ok(expected)) => assert_eq!(got, expected),
            (Err(e), Err(text)) => assert!(
                matches!(&e, PluginError::BadOutput { plugin, reason }
                    if plugin == "native" && reason == text),
                "{answer:?}: {e}"
            ),
            (got, expected) => panic!("{answer:?}: got {got:?}, expected {expected:?}"),
        }
    }
}
