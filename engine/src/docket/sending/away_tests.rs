//! Pauses staff set (a contact's, a work item's) on the fast clock and at speed 1, and a
//! contact's own quiet days.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::FirmConfig;
use crate::docket::test_firm::{Firm, seeded, utc};
use crate::model::{Actor, ContactUpdate, EventKind, PauseRequest};
use crate::store::{Batch, Tree};
use crate::workers::{WorkerOptions, Workers};
use crate::{Clock, Error, ScaledClock};

fn until(day: &str) -> PauseRequest {
    PauseRequest {
        until: day.into(),
        note: Some("away skiing".into()),
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The reminders sent in `[from, to)`.
fn reminders_between(firm: &Firm, from: &str, to: &str) -> Vec<(DateTime<Utc>, String)> {
    firm.reminders()
        .into_iter()
        .filter(|(at, _)| *at >= utc(from) && *at < utc(to))
        .collect()
}

fn ann(firm: &Firm) -> crate::model::ContactId {
    firm.docket.find_contact("ann@client.example").unwrap().id
}

#[test]
fn a_paused_contact_gets_one_reminder_when_the_pause_ends_then_the_policys_rhythm() {
    // Tasks due 16 and 23 March; gentle reminds 7 days before each, on it, then daily.
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    firm.run_until(utc("2026-03-05T10:00:00Z"));
    let contact = firm
        .docket
        .pause_contact_reminders(ann(&firm), until("2026-03-20"), Actor::System)
        .unwrap();
    assert_eq!(contact.paused.as_ref().unwrap().until, day("2026-03-20"));
    let next = firm.next_fire(id);
    assert_eq!(next.at.get(), utc("2026-03-20T09:00:00Z"), "{next:?}");
    firm.run_until(utc("2026-03-23T00:00:00Z"));
    assert!(
        reminders_between(&firm, "2026-03-05T10:00:00Z", "2026-03-20T00:00:00Z").is_empty(),
        "nothing while paused: {:?}",
        firm.reminders()
    );
    let resumed = reminders_between(&firm, "2026-03-20T00:00:00Z", "2026-03-21T00:00:00Z");
    assert_eq!(resumed.len(), 1, "one reminder when the pause ends");
    // It covers what the policy would have reminded of meanwhile: both tasks.
    assert!(resumed[0].1.contains("Bank statements") && resumed[0].1.contains("P60"));
    // Then daily, as gentle does past a due date.
    assert_eq!(
        reminders_between(&firm, "2026-03-21T00:00:00Z", "2026-03-22T00:00:00Z").len(),
        1
    );
    assert_eq!(
        reminders_between(&firm, "2026-03-22T00:00:00Z", "2026-03-23T00:00:00Z").len(),
        1
    );
    // The pause is on the contact's timeline and on the work's.
    let on_contact = firm.docket.contact_timeline(ann(&firm), 50).unwrap();
    assert!(
        on_contact
            .iter()
            .any(|e| e.kind == EventKind::RemindersPaused
                && e.summary.contains("20 March 2026")
                && e.summary.contains("away skiing"))
    );
    let on_work = firm.docket.work_timeline(id, 50).unwrap();
    assert!(on_work.iter().any(|e| e.kind == EventKind::RemindersPaused));
}

#[test]
fn a_paused_work_item_is_held_and_staff_can_resume_it_early() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    firm.contact("Bob Baker", "bob@client.example");
    let paused = firm.work("2026-03-02");
    let other = firm.work_for("Year end", "2026-03-02", "bob@client.example");
    for id in [paused, other] {
        firm.docket.send_group(id, 0, Actor::System).unwrap();
    }
    firm.deliver();
    let work = firm
        .docket
        .pause_work_reminders(paused, until("2026-03-25"), Actor::System)
        .unwrap();
    assert_eq!(work.paused.unwrap().until, day("2026-03-25"));
    firm.run_until(utc("2026-03-12T12:00:00Z"));
    let to = |email: &str| {
        firm.reminders()
            .iter()
            .filter(|(_, raw)| raw.contains(&format!("To: {email}")) || raw.contains(email))
            .count()
    };
    assert_eq!(to("ann@client.example"), 0, "the paused work sent nothing");
    assert_eq!(
        to("bob@client.example"),
        1,
        "the other work reminded on 9 March"
    );
    let work = firm
        .docket
        .resume_work_reminders(paused, Actor::System)
        .unwrap();
    assert!(work.paused.is_none());
    // What was held goes as one reminder at the next send slot, not as a burst.
    firm.run_until(utc("2026-03-14T00:00:00Z"));
    assert_eq!(to("ann@client.example"), 1);
    let timeline = firm.docket.work_timeline(paused, 50).unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e.kind == EventKind::RemindersPaused)
    );
    assert!(
        timeline
            .iter()
            .any(|e| e.kind == EventKind::RemindersResumed)
    );
}

#[test]
fn a_pause_set_behind_the_plans_back_still_holds_the_reminder() {
    // As after a crash between the contact's pause and the re-plan of their work.
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    assert_eq!(firm.next_fire(id).at.get(), utc("2026-03-09T09:00:00Z"));
    let mut contact = firm.docket.contact(ann(&firm)).unwrap();
    contact.paused = Some(crate::model::ReminderPause {
        until: day("2026-03-12"),
        note: String::new(),
        set_at: firm.docket.now(),
    });
    let mut batch = Batch::default();
    batch.put_record(Tree::Contacts, contact.id.key(), &contact);
    firm.docket.store().commit(batch).unwrap();
    firm.run_until(utc("2026-03-11T23:00:00Z"));
    assert!(firm.reminders().is_empty(), "{:?}", firm.reminders());
    assert_eq!(firm.next_fire(id).at.get(), utc("2026-03-12T09:00:00Z"));
    firm.run_until(utc("2026-03-12T10:00:00Z"));
    assert_eq!(firm.reminders().len(), 1);
}

#[test]
fn a_pause_that_cannot_be_is_refused_naming_its_field() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    let field = |e: Error| match e {
        Error::Invalid { field, message } => (field.unwrap_or_default(), message),
        other => panic!("{other:?}"),
    };
    for (request, want, says) in [
        (until("2026-03-02"), "until", "after today"),
        (until("2026-03-01"), "until", "after today"),
        (until("10 January"), "until", "YYYY-MM-DD"),
        (until("2027-12-31"), "until", "366 days at most"),
        (
            PauseRequest {
                until: "2026-03-10".into(),
                note: Some("x".repeat(201)),
            },
            "note",
            "200 characters",
        ),
    ] {
        let (got, message) = field(
            firm.docket
                .pause_work_reminders(id, request.clone(), Actor::System)
                .unwrap_err(),
        );
        assert_eq!(got, want, "{message}");
        assert!(message.contains(says), "{message}");
        let (got, _) = field(
            firm.docket
                .pause_contact_reminders(ann(&firm), request, Actor::System)
                .unwrap_err(),
        );
        assert_eq!(got, want);
    }
    assert!(firm.docket.work(id).unwrap().paused.is_none());
    assert!(firm.docket.contact(ann(&firm)).unwrap().paused.is_none());
    let (got, message) = field(
        firm.docket
            .update_contact(
                ann(&firm),
                ContactUpdate {
                    holidays: Some(vec!["2026-03-09".into(), "Easter".into()]),
                    ..ContactUpdate::default()
                },
                Actor::System,
            )
            .unwrap_err(),
    );
    assert_eq!(got, "holidays");
    assert_eq!(
        message,
        "holidays: Easter is not a date: write it as YYYY-MM-DD"
    );
}

#[test]
fn a_contacts_own_quiet_days_hold_their_reminders_only() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    firm.contact("Bob Baker", "bob@client.example");
    let a = firm.work("2026-03-02");
    let b = firm.work_for("Year end", "2026-03-02", "bob@client.example");
    for id in [a, b] {
        firm.docket.send_group(id, 0, Actor::System).unwrap();
    }
    firm.deliver();
    assert_eq!(firm.next_fire(a).at.get(), utc("2026-03-09T09:00:00Z"));
    let contact = firm
        .docket
        .update_contact(
            ann(&firm),
            ContactUpdate {
                holidays: Some(vec!["2026-03-10".into(), "2026-03-09".into()]),
                ..ContactUpdate::default()
            },
            Actor::System,
        )
        .unwrap();
    assert_eq!(contact.holidays, [day("2026-03-09"), day("2026-03-10")]);
    // Ann's work moved off her quiet days at once; Bob's did not.
    assert_eq!(firm.next_fire(a).at.get(), utc("2026-03-11T09:00:00Z"));
    assert_eq!(firm.next_fire(b).at.get(), utc("2026-03-09T09:00:00Z"));
    let timeline = firm.docket.contact_timeline(ann(&firm), 10).unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e.summary.contains("own quiet days 2026-03-09, 2026-03-10"))
    );
}

/// Waits up to `limit` for `done`, polling.
fn wait_until(limit: StdDuration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(StdDuration::from_millis(50));
    }
    done()
}

#[test]
fn at_speed_one_a_pause_ends_by_itself_with_one_reminder() {
    // A send slot every minute and a send time of 23:59: unpaused, Ann's overdue tasks would
    // be reminded at 23:59 tonight, a second and a half away. Paused until tomorrow, the
    // reminder waits for midnight, about a minute away, and goes once.
    let start = utc("2026-03-19T23:58:58.500400123Z");
    let clock: Arc<dyn Clock> = Arc::new(ScaledClock::new(start, 1.0));
    let config = FirmConfig {
        send_time: "23:59".into(),
        send_schedule: "* * * * *".into(),
        ..FirmConfig::default()
    };
    let (docket, mailer, sent, _) = seeded(clock.clone(), &config);
    let id =
        crate::docket::test_firm::new_work(&docket, "Year end", "2026-03-02", "ann@client.example");
    let ann = docket.find_contact("ann@client.example").unwrap().id;
    docket
        .pause_contact_reminders(ann, until("2026-03-20"), Actor::System)
        .unwrap();
    docket.send_group(id, 0, Actor::System).unwrap();
    let fire = docket.work(id).unwrap().groups[0].next.clone().unwrap();
    assert_eq!(fire.at.get(), utc("2026-03-20T00:00:00Z"), "{fire:?}");
    let workers = Workers::start(
        docket.clone(),
        Arc::new(mailer),
        WorkerOptions {
            idle: StdDuration::from_millis(100),
            ..WorkerOptions::default()
        },
    )
    .unwrap();
    let reminders = || {
        sent.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, raw)| raw.contains("Subject: Reminder"))
            .map(|(at, _)| *at)
            .collect::<Vec<_>>()
    };
    let arrived = wait_until(StdDuration::from_secs(120), || !reminders().is_empty());
    // A little longer, to see that nothing goes twice.
    std::thread::sleep(StdDuration::from_millis(1500));
    workers.stop();
    assert!(arrived, "no reminder by {}", docket.now());
    let got = reminders();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0] >= utc("2026-03-20T00:00:00Z"), "{got:?}");
    // Then the policy's rhythm: not twice on one day, so tomorrow at the send time.
    let next = docket.work(id).unwrap().groups[0].next.clone().unwrap();
    assert_eq!(next.at.get(), utc("2026-03-21T23:59:00Z"), "{next:?}");
}
