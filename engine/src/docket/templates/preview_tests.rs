//! Tests of the calendar previews: each is held to what the scheduler sends, run under a
//! manual clock, for a template's work and for one group, and a policy of the old contract
//! previews and sends what its batch call answers.

use chrono::{DateTime, Utc};

use crate::docket::preview_calendar;
use crate::docket::test_firm::{Firm, host, utc};
use crate::model::{Actor, MessageKind};
use crate::plugin::{GroupState, TaskState};

/// A template's preview — first emails and reminders of every group — is what the scheduler
/// sends, under a manual clock, for work made from the template with the same start date:
/// weekdays-only send schedule and holidays included.
#[test]
fn the_template_preview_is_what_the_scheduler_sends_for_its_work() {
    use std::collections::BTreeMap;

    // Monday 9 and Thursday 19 March 2026 are holidays; sends go out weekdays at 09:00.
    let firm = Firm::weekdays("2026-03-02T08:00:00Z", &["2026-03-09", "2026-03-19"]);
    firm.docket
        .import_template(
            r#"
name = "Quarter"
[[groups]]
name = "Records"
sending = { plugin = "relative", params = { days = -2 } }
reminders = { plugin = "custom", params = { before = "3,1", every = "2" } }
[[groups.tasks]]
title = "Bank statements"
due = 4
[[groups.tasks]]
title = "Receipts"
due = 11
[[groups]]
name = "Sign-off"
sending = { plugin = "relative", params = { days = 5 } }
reminders = { plugin = "gentle" }
[[groups.tasks]]
title = "Approve"
due = 13
"#,
        )
        .unwrap();
    let start: chrono::NaiveDate = "2026-03-09".parse().unwrap();
    let preview = firm.docket.preview_template("quarter", start).unwrap();
    let id = firm.work_for("Quarter", "2026-03-09", "ann@client.example");

    let until = utc("2026-06-30T00:00:00Z");
    while let Some(at) = firm.docket.next_fire_due().unwrap() {
        if at > until {
            break;
        }
        firm.clock.set(at.max(firm.docket.now()));
        firm.docket.tick().unwrap();
    }
    // Per group: the request's instant, then each reminder's instant and tasks.
    type Sent = (Option<DateTime<Utc>>, Vec<(DateTime<Utc>, Vec<usize>)>);
    let mut sent: BTreeMap<usize, Sent> = BTreeMap::new();
    for m in firm.docket.outbox(None, 1000).unwrap() {
        if m.work != Some(id) {
            continue;
        }
        let entry = sent.entry(m.group.unwrap()).or_default();
        match m.kind {
            MessageKind::Request => entry.0 = Some(m.created_at),
            MessageKind::Reminder => entry.1.push((m.created_at, m.covers)),
            _ => {}
        }
    }
    for entry in sent.values_mut() {
        entry.1.sort();
    }
    let previewed: BTreeMap<usize, Sent> = preview
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            assert!(group.automatic && group.error.is_none(), "{group:?}");
            let reminders = group
                .reminders
                .iter()
                .map(|r| (r.at, r.tasks.clone()))
                .collect();
            (g, (group.sent_at, reminders))
        })
        .collect();
    assert_eq!(previewed, sent);
    // The holidays and the weekend held something, and the preview says why.
    let reasons: Vec<_> = preview
        .groups
        .iter()
        .flat_map(|g| &g.reminders)
        .filter_map(|r| r.held.map(|h| h.reason))
        .collect();
    assert!(
        reasons.contains(&crate::docket::HoldReason::Holiday),
        "{preview:?}"
    );
    assert!(
        reasons.contains(&crate::docket::HoldReason::OutsideSchedule),
        "{preview:?}"
    );
    // The first group's "2 days before the start" is Saturday 7th, held past the Monday
    // holiday to Tuesday 10 March at 09:00.
    assert_eq!(preview.groups[0].sent_at, Some(utc("2026-03-10T09:00:00Z")));
}

/// The preview of a group's calendar is what the scheduler, run under a manual clock,
/// queues for that group: same instants, same tasks.
#[test]
fn the_calendar_preview_is_what_the_scheduler_sends() {
    // Weekdays at 09:00 only; Monday 9 March 2026 is a holiday. Task 1 is due Tuesday
    // 10 March: "3 days before" is Saturday 7th and "1 day before" the holiday, both held
    // to Tuesday 10th (one reminder); its overdue reminder of Saturday 14th is held to
    // Monday 16th, and task 3's "1 day before" (Sunday 15th) joins it there. Task 2 is due
    // Friday 20 March; its overdue Sunday 22nd is held to Monday 23rd with task 3's.
    let firm = Firm::weekdays("2026-03-02T08:00:00Z", &["2026-03-09"]);
    firm.docket
        .import_template(
            r#"
name = "Held"
[[groups]]
name = "Docs"
reminders = { plugin = "custom", params = { before = "3,1", every = "2" } }
[[groups.tasks]]
title = "P60"
due = 8
[[groups.tasks]]
title = "Bank statements"
due = 18
[[groups.tasks]]
title = "Receipts"
due = 14
"#,
        )
        .unwrap();
    let id = firm.work_for("Held", "2026-03-02", "ann@client.example");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    let until = utc("2026-03-31T23:00:00Z");
    while let Some(at) = firm.docket.next_fire_due().unwrap() {
        if at > until {
            break;
        }
        firm.clock.set(at.max(firm.docket.now()));
        firm.docket.tick().unwrap();
    }
    let mut sent: Vec<(DateTime<Utc>, Vec<usize>)> = firm
        .docket
        .outbox(None, 1000)
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MessageKind::Reminder && m.work == Some(id))
        .map(|m| (m.created_at, m.covers))
        .collect();
    sent.sort();

    let work = firm.docket.work(id).unwrap();
    let group = &work.groups[0];
    let firm_settings = firm.docket.firm_settings().unwrap();
    let schedule = firm.docket.send_schedule(&firm_settings).unwrap();
    let calendar = crate::docket::sending::plan::calendar(&firm_settings, firm_settings.timezone);
    let state = GroupState {
        sent_at: group.sent_at.unwrap(),
        last_reminder_at: None,
        tasks: group
            .tasks
            .iter()
            .map(|t| TaskState {
                due: t.due_date,
                done: false,
                reminders_sent: 0,
            })
            .collect(),
    };
    let host = host();
    let mut session = host.reminder_session(&group.reminders.plugin).unwrap();
    let preview = preview_calendar(
        &mut session,
        &calendar,
        &group.reminders.texts(),
        &schedule,
        &firm_settings.holidays,
        state,
        &[],
        Some(until),
    );
    assert!(preview.error.is_none(), "{:?}", preview.error);
    let previewed: Vec<(DateTime<Utc>, Vec<usize>)> = preview
        .reminders
        .iter()
        .map(|r| (r.at, r.tasks.clone()))
        .collect();
    assert_eq!(previewed, sent);

    let local = |at: &DateTime<Utc>| {
        at.with_timezone(&calendar.tz)
            .format("%a %m-%d %H:%M")
            .to_string()
    };
    let shown: Vec<(String, Vec<usize>, Option<String>)> = preview
        .reminders
        .iter()
        .map(|r| {
            (
                local(&r.at),
                r.tasks.clone(),
                r.was_held().then(|| local(&r.asked)),
            )
        })
        .collect();
    let held = |s: &str| Some(s.to_string());
    assert_eq!(
        shown,
        [
            ("Tue 03-10 09:00".into(), vec![0], held("Sat 03-07 09:00")),
            ("Thu 03-12 09:00".into(), vec![0], None),
            ("Fri 03-13 09:00".into(), vec![2], None),
            (
                "Mon 03-16 09:00".into(),
                vec![0, 2],
                held("Sat 03-14 09:00")
            ),
            ("Tue 03-17 09:00".into(), vec![1], None),
            ("Wed 03-18 09:00".into(), vec![0, 2], None),
            ("Thu 03-19 09:00".into(), vec![1], None),
            ("Fri 03-20 09:00".into(), vec![0, 2], None),
            (
                "Mon 03-23 09:00".into(),
                vec![1, 2],
                held("Sun 03-22 09:00")
            ),
            ("Tue 03-24 09:00".into(), vec![1], None),
            ("Thu 03-26 09:00".into(), vec![1], None),
        ]
    );
}

/// A plugin built for the old contract is asked only through its batch call: the template's
/// import check, its preview and the scheduler all follow `next-reminders` (every three days),
/// never its `next-reminder` (every day), and the preview follows the calendar to the cap and
/// says so.
#[test]
fn a_policy_of_the_old_contract_is_asked_only_through_its_batch() {
    use crate::plugin::{Contract, PreviewEnd};

    let firm = Firm::new("2026-03-02T08:00:00Z", crate::config::FirmConfig::default());
    assert_eq!(
        host().plugin("old-policy").unwrap().contract,
        Contract::V0_1
    );
    firm.docket
        .import_template(
            r#"
name = "Old"
[[groups]]
name = "Papers"
sending = { plugin = "old-rule" }
reminders = { plugin = "old-policy" }
[[groups.tasks]]
title = "Receipts"
due = 10
"#,
        )
        .unwrap();
    let start: chrono::NaiveDate = "2026-03-09".parse().unwrap();
    let preview = firm.docket.preview_template("old", start).unwrap();
    let group = &preview.groups[0];
    assert!(group.error.is_none(), "{group:?}");
    // The old rule sends two days before the start, at the send time.
    let sent_at = group.sent_at.unwrap();
    assert_eq!(sent_at, utc("2026-03-07T09:00:00Z"));
    let gaps: Vec<i64> = std::iter::once(sent_at)
        .chain(group.reminders.iter().map(|r| r.at))
        .collect::<Vec<_>>()
        .windows(2)
        .map(|w| (w[1] - w[0]).num_days())
        .collect();
    assert_eq!(gaps, [3, 3, 3, 3, 3], "{group:?}");
    assert_eq!(group.end, Some(PreviewEnd::AllCapped));
    assert!(
        group
            .ends
            .as_deref()
            .unwrap()
            .contains("every open task has had 5"),
        "{group:?}"
    );

    let id = firm.work_for("Old", "2026-03-09", "ann@client.example");
    while let Some(at) = firm.docket.next_fire_due().unwrap() {
        if at > utc("2026-06-30T00:00:00Z") {
            break;
        }
        firm.clock.set(at.max(firm.docket.now()));
        firm.docket.tick().unwrap();
    }
    let mut sent: Vec<DateTime<Utc>> = firm
        .docket
        .outbox(None, 1000)
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MessageKind::Reminder && m.work == Some(id))
        .map(|m| m.created_at)
        .collect();
    sent.sort();
    let previewed: Vec<DateTime<Utc>> = group.reminders.iter().map(|r| r.at).collect();
    assert_eq!(sent, previewed);
}
