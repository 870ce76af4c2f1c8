//! Sending and reminders: calendars, the send schedule, links, plugin failures and the work's
//! status, driven by a manual clock through the stock WASM plugins on the in-memory store.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::config::FirmConfig;
use crate::docket::test_firm::{Firm, token, utc};
use crate::model::{Actor, EventKind, LinkStatus, MessageKind, MessageState, WorkStatus};
use crate::store::{Batch, Tree};

#[test]
fn gentle_reminders_over_ninety_days_stop_at_the_cap_and_on_completion() {
    // Monday 2 March 2026, 08:00 London (GMT).
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.run_until(utc("2026-05-31T23:00:00Z"));
    let sent = firm.sent();
    let days: Vec<String> = sent
        .iter()
        .map(|(at, raw)| {
            let kind = if raw.contains("Subject: Reminder") {
                "R"
            } else {
                "S"
            };
            format!("{kind} {}", at.format("%m-%d %H:%M"))
        })
        .collect();
    // Sent at once; gentle: 7 days before each due date, on it, then daily while overdue,
    // at most five reminders per task. Bank statements are due 16 March (reminded 9, 16, 17,
    // 18, 19: then capped), the P60 23 March (16, then 23, 24, 25, 26: capped); nothing is
    // due from the 20th to the 22nd.
    assert_eq!(
        days,
        [
            "S 03-02 08:00",
            "R 03-09 09:00",
            "R 03-16 09:00",
            "R 03-17 09:00",
            "R 03-18 09:00",
            "R 03-19 09:00",
            "R 03-23 09:00",
            "R 03-24 09:00",
            "R 03-25 09:00",
            "R 03-26 09:00",
        ],
        "{days:#?}"
    );
    let work = firm.docket.work(id).unwrap();
    assert!(work.groups[0].tasks.iter().all(|t| t.reminders_sent == 5));
    assert_eq!(work.groups[0].next, None);
    // Each task's fifth reminder raised reminder-limit-reached.
    let limits = firm
        .docket
        .store()
        .scan(crate::store::Tree::Events, b"", None, 100, false)
        .unwrap()
        .into_iter()
        .filter(|(_, v)| {
            let event: crate::model::QueuedEvent = crate::store::decode(v).unwrap();
            serde_json::to_string(&event.kind)
                .unwrap()
                .contains("reminder-limit-reached")
        })
        .count();
    assert_eq!(limits, 2);
}

#[test]
fn weekday_schedule_and_holidays_hold_reminders() {
    let firm = Firm::weekdays("2026-03-02T08:00:00Z", &["2026-03-16"]);
    // Start Friday 6 March: tasks due 20 and 27 March (both Fridays); gentle reminds 7 days
    // before (13 March, Friday), on the 20th, then daily: Saturday 21 and Sunday 22 are held
    // until Monday 23.
    let id = firm.work("2026-03-06");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.run_until(utc("2026-03-25T12:00:00Z"));
    let reminders: Vec<(NaiveDate, Weekday)> = firm
        .reminders()
        .iter()
        .map(|(at, _)| (at.date_naive(), at.weekday()))
        .collect();
    assert!(
        reminders
            .iter()
            .all(|(_, d)| !matches!(d, Weekday::Sat | Weekday::Sun)),
        "{reminders:?}"
    );
    let dates: Vec<String> = reminders.iter().map(|(d, _)| d.to_string()).collect();
    assert_eq!(
        dates,
        [
            "2026-03-13",
            "2026-03-20",
            "2026-03-23",
            "2026-03-24",
            "2026-03-25"
        ],
    );
}

#[test]
fn a_holiday_moves_a_reminder_to_the_next_working_day() {
    let firm = Firm::weekdays("2026-03-02T08:00:00Z", &["2026-03-09"]);
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.run_until(utc("2026-03-11T00:00:00Z"));
    let reminders: Vec<String> = firm
        .reminders()
        .iter()
        .map(|(at, _)| at.format("%Y-%m-%d %H:%M").to_string())
        .collect();
    assert_eq!(reminders, ["2026-03-10 09:00"]);
}

#[test]
fn three_days_down_sends_one_reminder() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.run_until(utc("2026-03-17T12:00:00Z"));
    let before = firm.sent().len();
    // The server is off from the 17th at noon until the 20th at noon: the 18th, 19th and
    // 20th at 09:00 pass unseen.
    firm.clock.set(utc("2026-03-20T12:00:00Z"));
    firm.docket.tick().unwrap();
    firm.deliver();
    assert_eq!(firm.sent().len(), before + 1);
    firm.docket.tick().unwrap();
    firm.deliver();
    assert_eq!(firm.sent().len(), before + 1, "one reminder, not three");
    // Then the calendar carries on from now: the next is tomorrow at nine.
    let next = firm.next_fire(id);
    assert_eq!(next.at.get(), utc("2026-03-21T09:00:00Z"));
}

#[test]
fn a_failing_policy_is_retried_with_backoff_and_other_groups_still_go() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    firm.contact("Bob", "bob@client.example");
    let broken = firm.work("2026-03-02");
    let healthy = firm.work_for("Year end", "2026-03-02", "bob@client.example");
    for id in [broken, healthy] {
        firm.docket.send_group(id, 0, Actor::System).unwrap();
    }
    firm.deliver();
    // The first work's policy is now one that traps on every call (an installed plugin gone
    // bad), written behind the engine's back since the engine refuses to set it.
    let mut work = firm.docket.work(broken).unwrap();
    work.groups[0].reminders = crate::model::PluginRef {
        plugin: "misbehave".into(),
        params: [("mode".to_string(), "trap".into())].into(),
    };
    let mut batch = crate::store::Batch::default();
    batch.put(
        crate::store::Tree::Work,
        broken.key(),
        crate::store::encode(&work),
    );
    firm.docket.store().commit(batch).unwrap();

    // On the 9th both groups' first reminders are due; each goes, then the broken one cannot
    // be planned: it is asked again after a minute, then two, then four, while the healthy one
    // carries on.
    firm.clock.set(utc("2026-03-09T09:00:00Z"));
    let report = firm.docket.tick().unwrap();
    assert_eq!(report.reminders, 2);
    let mut expected = utc("2026-03-09T09:01:00Z");
    for (attempt, wait) in [(1, 2), (2, 4), (3, 8)] {
        let next = firm.next_fire(broken);
        assert_eq!(next.at.get(), expected, "after attempt {attempt}");
        assert!(
            matches!(&next.action, crate::model::FireAction::Retry { reason } if reason.contains("misbehave")),
            "{next:?}"
        );
        let stuck = firm.docket.work(broken).unwrap().groups[0]
            .stuck
            .clone()
            .unwrap();
        assert_eq!(stuck.attempts, attempt);
        assert_eq!(stuck.since, utc("2026-03-09T09:00:00Z"));
        // Nothing is asked before the retry is due.
        firm.clock.set(expected - Duration::seconds(1));
        firm.docket.tick().unwrap();
        assert_eq!(firm.next_fire(broken).at.get(), expected);
        firm.clock.set(expected);
        assert_eq!(firm.docket.tick().unwrap().reminders, 0);
        expected += Duration::minutes(wait);
    }
    let fine = firm.next_fire(healthy);
    assert_eq!(fine.at.get(), utc("2026-03-16T09:00:00Z"));
    // Mended on the work: planned again at once.
    firm.docket
        .update_group_settings(
            broken,
            0,
            crate::docket::GroupSettings {
                reminders: Some(crate::model::PluginRef::gentle()),
                ..Default::default()
            },
            Actor::System,
        )
        .unwrap();
    let mended = firm.next_fire(broken);
    assert_eq!(mended.at.get(), utc("2026-03-16T09:00:00Z"));
    assert_eq!(firm.docket.work(broken).unwrap().groups[0].stuck, None);
}

#[test]
fn group_settings_refuse_what_the_plugins_refuse() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    let bad = crate::docket::GroupSettings {
        reminders: Some(crate::model::PluginRef {
            plugin: "custom".into(),
            params: [("every".to_string(), "often".into())].into(),
        }),
        ..Default::default()
    };
    let err = firm
        .docket
        .update_group_settings(id, 0, bad, Actor::System)
        .unwrap_err()
        .to_string();
    assert!(err.contains("every"), "{err}");
    let err = firm
        .docket
        .update_group_settings(
            id,
            0,
            crate::docket::GroupSettings {
                sender: Some("nobody@smith.example".into()),
                ..Default::default()
            },
            Actor::System,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("no staff user"), "{err}");
    // An automatic send rule planned on the work: the group goes out a week before the start.
    let work = firm
        .docket
        .update_group_settings(
            id,
            0,
            crate::docket::GroupSettings {
                sending: Some(crate::model::PluginRef {
                    plugin: "relative".into(),
                    params: [("days".to_string(), "3".into())].into(),
                }),
                ..Default::default()
            },
            Actor::System,
        )
        .unwrap();
    let next = work.groups[0].next.clone().unwrap();
    assert_eq!(next.at.get(), utc("2026-03-05T09:00:00Z"));
    assert_eq!(next.action, crate::model::FireAction::Send);
    firm.run_until(utc("2026-03-05T10:00:00Z"));
    assert_eq!(firm.sent().len(), 1);
    assert!(firm.sent()[0].1.contains("Subject: Year end: Documents"));
}

#[test]
fn a_held_reminder_takes_along_the_tasks_due_a_reminder_meanwhile() {
    // Weekdays only; Easter Monday 6 April 2026 is a holiday. The P60 is due Saturday 4 April
    // (its due-day reminder is held until Tuesday 7th); the bank statements are due Sunday 12th,
    // so their "7 days before" falls on Sunday 5th, also held: Tuesday's reminder covers both.
    let firm = Firm::weekdays("2026-03-25T08:00:00Z", &["2026-04-06"]);
    firm.docket
        .import_template(
            r#"
name = "Easter"
[[groups]]
name = "Docs"
reminders = { plugin = "gentle" }
[[groups.tasks]]
title = "P60"
due = 10
[[groups.tasks]]
title = "Bank statements"
due = 18
"#,
        )
        .unwrap();
    let id = firm.work_for("Easter", "2026-03-25", "ann@client.example");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.run_until(utc("2026-04-08T00:00:00Z"));
    let reminders: Vec<(String, bool, bool)> = firm
        .reminders()
        .iter()
        .map(|(at, raw)| {
            // What the reminder is about, before its "Also still open" list.
            let about = raw.split("Also still open").next().unwrap();
            (
                at.format("%m-%d").to_string(),
                about.contains("P60"),
                about.contains("Bank statements"),
            )
        })
        .collect();
    // 28 March (Sat, the P60's week-before) is held to Monday 30th; 4 April and 5 April are
    // held to Tuesday 7th, together.
    assert_eq!(
        reminders,
        [
            ("03-30".to_string(), true, false),
            ("04-07".to_string(), true, true)
        ]
    );
    let work = firm.docket.work(id).unwrap();
    assert_eq!(work.groups[0].tasks[1].reminders_sent, 1);
}

#[test]
fn the_clients_part_done_moves_the_work_to_in_progress_and_back() {
    let firm = Firm::new(
        "2026-03-02T08:00:00Z",
        FirmConfig {
            sub_statuses: [(
                "waiting_on_client".to_string(),
                vec!["over reminder limit".to_string()],
            )]
            .into(),
            ..FirmConfig::default()
        },
    );
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.docket
        .set_work_status_named(id, "over reminder limit", Actor::System)
        .unwrap();
    let contact = Actor::Contact(firm.docket.work(id).unwrap().groups[0].recipient);
    firm.docket
        .set_task_done(id, 0, 0, true, contact.clone())
        .unwrap();
    assert_eq!(
        firm.docket.work(id).unwrap().status,
        WorkStatus::WaitingOnClient
    );
    let work = firm.docket.set_task_done(id, 0, 1, true, contact).unwrap();
    assert_eq!(work.status, WorkStatus::InProgress);
    assert_eq!(
        work.sub_status, None,
        "the sub-status belonged to waiting on the client"
    );
    let work = firm
        .docket
        .set_task_done(id, 0, 1, false, Actor::System)
        .unwrap();
    assert_eq!(work.status, WorkStatus::WaitingOnClient);
    let err = firm
        .docket
        .set_work_status_named(id, "nonsense", Actor::System)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cannot set the status to `nonsense`"),
        "{err}"
    );
}

#[test]
fn one_work_item_that_cannot_be_reminded_does_not_hold_up_the_others() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    firm.contact("Bob", "bob@client.example");
    let broken = firm.work("2026-03-02");
    let healthy = firm.work_for("Year end", "2026-03-02", "bob@client.example");
    for id in [broken, healthy] {
        firm.docket.send_group(id, 0, Actor::System).unwrap();
    }
    firm.deliver();
    // Ann's contact record is damaged behind the engine's back.
    let ann = firm.docket.work(broken).unwrap().groups[0].recipient;
    let mut batch = crate::store::Batch::default();
    batch.put(
        crate::store::Tree::Contacts,
        ann.key(),
        b"\x00\x01{not json".to_vec(),
    );
    firm.docket.store().commit(batch).unwrap();
    firm.clock.set(utc("2026-03-09T09:00:00Z"));
    let report = firm.docket.tick().unwrap();
    assert_eq!(report.reminders, 1, "Bob's reminder goes: {report:?}");
    assert_eq!(
        firm.docket.work(healthy).unwrap().groups[0].reminders_sent,
        1
    );
    // Ann's stays due, to be tried again.
    assert_eq!(
        firm.docket.work(broken).unwrap().groups[0].reminders_sent,
        0
    );
    assert!(firm.docket.next_fire_due().unwrap().unwrap() <= firm.docket.now());
}

#[test]
fn a_reminder_is_composed_from_the_work_as_it_is_when_delivered() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.run_until(utc("2026-03-16T08:00:00Z"));
    // On the 16th the reminder covers the bank statements (due) and the P60 (7 days before).
    firm.clock.set(utc("2026-03-16T09:00:00Z"));
    assert_eq!(firm.docket.tick().unwrap().reminders, 1);
    let queued = firm.docket.outbox(None, 10).unwrap();
    let reminder = queued
        .iter()
        .find(|m| m.kind == MessageKind::Reminder && m.state == MessageState::Queued)
        .unwrap();
    assert!(reminder.compose_at_delivery);
    assert_eq!(reminder.covers, [0, 1]);
    assert!(reminder.context.link.is_empty(), "no link before delivery");
    // The client finishes the bank statements before the email goes: it is about the P60 only.
    firm.docket
        .set_task_done(id, 0, 0, true, Actor::System)
        .unwrap();
    firm.deliver();
    let raw = firm.reminders().last().unwrap().1.clone();
    assert!(raw.contains("P60"), "{raw}");
    assert!(!raw.contains("Bank statements"), "{raw}");
    let link = Firm::link_of(&raw);
    assert!(matches!(
        firm.docket.resolve_link(token(&link)).unwrap(),
        LinkStatus::Valid { .. }
    ));
    let sent = firm.docket.outbox_message(reminder.id).unwrap();
    assert!(!sent.compose_at_delivery);
    assert_eq!(sent.context.reminder_number, 2);
    assert!(sent.context.link.ends_with("/c/…"), "the token is not kept");
    let timeline = firm.docket.work_timeline(id, 20).unwrap();
    assert!(
        timeline.iter().any(|e| e.kind == EventKind::ReminderSent
            && e.summary == "Reminder 2 of “Documents” sent to ann@client.example: P60"
            // The line names the email it is about, for the work page's link.
            && e.email == Some(reminder.id.to_string())),
        "{timeline:#?}"
    );
}

#[test]
fn a_reminder_that_cannot_be_composed_is_dropped_with_the_reason() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    firm.clock.set(utc("2026-03-09T09:00:00Z"));
    assert_eq!(firm.docket.tick().unwrap().reminders, 1);
    // The group's access record is lost (a damaged folder): the reminder cannot carry a link.
    let mut batch = Batch::default();
    batch.remove(Tree::Access, super::access_key(id, 0));
    firm.docket.store().commit(batch).unwrap();
    firm.deliver();
    assert!(firm.reminders().is_empty());
    let dropped = firm.docket.outbox(None, 10).unwrap();
    let reminder = dropped
        .iter()
        .find(|m| m.kind == MessageKind::Reminder)
        .unwrap();
    assert_eq!(reminder.state, MessageState::Dropped);
    assert!(
        reminder
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("cannot compose it") && e.contains("no access record")),
        "{reminder:?}"
    );
}

#[test]
fn a_tick_with_many_due_reminds_every_group_once() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    // Enough to be split between the preparing threads, unevenly.
    let count = 1_051;
    let ids: Vec<_> = (0..count)
        .map(|_| {
            let id = firm.work("2026-03-02");
            firm.docket.send_group(id, 0, Actor::System).unwrap();
            id
        })
        .collect();
    firm.clock.set(utc("2026-03-09T09:00:00Z"));
    let report = firm.docket.tick().unwrap();
    assert_eq!((report.reminders, report.conflicts), (count, 0));
    assert!(
        ids.iter()
            .all(|&id| firm.docket.work(id).unwrap().groups[0].reminders_sent == 1)
    );
    // Nothing is due twice: the next tick finds nothing.
    assert_eq!(firm.docket.tick().unwrap(), Default::default());
}
