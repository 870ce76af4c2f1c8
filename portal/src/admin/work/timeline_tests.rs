//! Unit tests of `timeline.rs`.

use chrono::{TimeZone, Utc};
use docket_engine::model::{Actor, EventId, EventKind, TimelineEvent, WorkId};

use super::*;

fn event(
    minute: u32,
    kind: EventKind,
    summary: &str,
    email: Option<&str>,
) -> (TimelineEvent, String) {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, minute, 0).unwrap();
    (
        TimelineEvent {
            id: EventId::new(at),
            at,
            work: Some(WorkId::new(at)),
            contact: None,
            actor: Actor::System,
            kind,
            summary: summary.into(),
            email: email.map(Into::into),
        },
        "Docket".into(),
    )
}

#[test]
fn reminders_of_one_group_fold_under_the_latest_and_a_repeated_sentence_shows_once() {
    // Newest first, as the page reads them.
    let events = [
        event(9, EventKind::TaskCompleted, "Task “P60” completed", None),
        event(
            8,
            EventKind::ReminderSent,
            "Reminder 3 of “Documents” sent to ann@x.example: P60",
            Some("M3"),
        ),
        event(
            7,
            EventKind::ReminderSent,
            "Reminder 2 of “Documents” sent to ann@x.example: P60",
            Some("M2"),
        ),
        event(
            6,
            EventKind::ReminderSent,
            "Reminder 1 of “Documents” sent to ann@x.example: P60",
            Some("M1"),
        ),
        event(
            5,
            EventKind::ReminderSent,
            "Reminder 1 of “Sign” sent to ann@x.example: Sign",
            Some("M0"),
        ),
        event(
            4,
            EventKind::LinkOpened,
            "Link opened on Chrome on Android",
            None,
        ),
        event(
            3,
            EventKind::LinkOpened,
            "Link opened on Chrome on Android",
            None,
        ),
    ];
    let views = timeline_views(&events, chrono_tz::Europe::Dublin, true);
    let summaries: Vec<&str> = views.iter().map(|v| v.summary.as_str()).collect();
    assert_eq!(
        summaries,
        [
            "Task “P60” completed",
            "Reminder 3 of “Documents” sent to ann@x.example: P60",
            "Reminder 1 of “Sign” sent to ann@x.example: Sign",
            "Link opened on Chrome on Android",
        ]
    );
    let reminders = &views[1];
    assert_eq!(reminders.fold, "2 earlier reminders");
    assert_eq!(reminders.email_href.as_deref(), Some("/admin/outbox/M3"));
    assert_eq!(
        reminders.earlier,
        [
            Earlier {
                at: "2 Mar 2026, 09:07".into(),
                summary: Some("Reminder 2 of “Documents” sent to ann@x.example: P60".into()),
                email_href: Some("/admin/outbox/M2".into()),
            },
            Earlier {
                at: "2 Mar 2026, 09:06".into(),
                summary: Some("Reminder 1 of “Documents” sent to ann@x.example: P60".into()),
                email_href: Some("/admin/outbox/M1".into()),
            },
        ]
    );
    // The same sentence twice: once, with when it happened before, and no sentence again.
    assert_eq!(views[3].fold, "The same, 1 earlier time");
    assert_eq!(views[3].earlier[0].summary, None);
    // Members who are not admins cannot open the outbox: no links.
    let views = timeline_views(&events, chrono_tz::Europe::Dublin, false);
    assert!(views.iter().all(|v| v.email_href.is_none()));
}

#[test]
fn a_line_quotes_what_the_engine_marks_as_typed_as_prose_does() {
    let events = [event(
        1,
        EventKind::RepeatSet,
        "Repeat changed: every `0 9 * * 1` (cron); next on 7 December 2026",
        None,
    )];
    let views = timeline_views(&events, chrono_tz::UTC, true);
    assert_eq!(
        views[0].summary,
        "Repeat changed: every “0 9 * * 1” (cron); next on 7 December 2026"
    );
}
