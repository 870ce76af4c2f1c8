//! The scheduler on clocks a fast simulation never shows: instants with sub-millisecond parts
//! (the real clock's), and the real server loops at speed 1. A record that mirrors an index key
//! must agree with it exactly, or what is due is dropped as stale and never comes back.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};

use crate::config::FirmConfig;
use crate::docket::test_firm::{Firm, seeded, utc};
use crate::model::{Actor, FireAction, PluginRef};
use crate::store::{Batch, Tree, encode};
use crate::workers::{WorkerOptions, Workers};
use crate::{Clock, ScaledClock};

/// Every schedule entry of the store, as text.
fn schedule(docket: &crate::Docket) -> Vec<String> {
    docket
        .store()
        .scan(Tree::Schedule, b"", None, usize::MAX, false)
        .unwrap()
        .into_iter()
        .map(|(k, _)| String::from_utf8(k).unwrap())
        .collect()
}

fn subjects(sent: &[(DateTime<Utc>, String)], starts: &str) -> usize {
    sent.iter()
        .filter(|(_, raw)| raw.contains(&format!("Subject: {starts}")))
        .count()
}

#[test]
fn a_digest_goes_once_on_a_clock_with_sub_millisecond_parts() {
    let firm = Firm::new("2026-03-02T08:00:00.000400123Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    firm.clock.set(utc("2026-03-02T10:00:00.000777001Z"));
    firm.docket
        .add_comment(id, "We have your P60, thanks", Actor::Api("tool".into()))
        .unwrap();
    // The loops wake at the entry's instant, which is the digest's instant exactly.
    firm.run_until(utc("2026-03-02T11:00:00Z"));
    assert_eq!(subjects(&firm.sent(), "New message"), 1, "one digest");
    assert!(
        !schedule(&firm.docket).iter().any(|k| k.ends_with("/d")),
        "no digest entry left: {:?}",
        schedule(&firm.docket)
    );
    // And nothing more comes of it.
    firm.run_until(utc("2026-03-03T11:00:00Z"));
    assert_eq!(subjects(&firm.sent(), "New message"), 1);
}

#[test]
fn a_plugin_retry_is_taken_once_on_a_clock_with_sub_millisecond_parts() {
    let firm = Firm::new("2026-03-02T08:00:00.000400123Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    // The policy fails on the next plan: the group is put to retry.
    let mut work = firm.docket.work(id).unwrap();
    work.groups[0].reminders = PluginRef {
        plugin: "misbehave".into(),
        params: [("mode".to_string(), "trap".into())].into(),
    };
    let mut batch = Batch::default();
    batch.put(Tree::Work, id.key(), encode(&work));
    firm.docket.store().commit(batch).unwrap();
    firm.clock.set(utc("2026-03-09T09:00:00.000500999Z"));
    firm.docket.tick().unwrap();
    let retry = firm.next_fire(id);
    assert!(
        matches!(retry.action, FireAction::Retry { .. }),
        "{retry:?}"
    );
    // The plugin is mended behind the engine's back, so only the retry can find out.
    let mut work = firm.docket.work(id).unwrap();
    work.groups[0].reminders = PluginRef::gentle();
    let mut batch = Batch::default();
    batch.put(Tree::Work, id.key(), encode(&work));
    firm.docket.store().commit(batch).unwrap();
    firm.run_until(retry.at.get() + Duration::microseconds(1));
    let planned = firm.next_fire(id);
    assert!(
        matches!(planned.action, FireAction::Reminder { .. }),
        "the retry was taken and planned the next reminder: {planned:?}"
    );
    assert_eq!(
        schedule(&firm.docket),
        vec![
            String::from_utf8(crate::docket::sending::scheduler::schedule_key(
                planned.at,
                id,
                Some(0)
            ))
            .unwrap()
        ]
    );
}

#[test]
fn every_reminder_goes_once_on_a_clock_with_sub_millisecond_parts() {
    let firm = Firm::new("2026-03-02T08:00:00.000400123Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    // Staff comment at odd instants along the way: their digests share the schedule with the
    // reminders.
    for at in [
        "2026-03-05T13:14:15.926535897Z",
        "2026-03-12T09:00:00.000000001Z",
    ] {
        firm.run_until(utc(at));
        firm.docket
            .add_comment(id, "a note", Actor::Api("tool".into()))
            .unwrap();
    }
    firm.run_until(utc("2026-04-30T00:00:00Z"));
    let reminders = firm.reminders();
    let mut days: Vec<_> = reminders.iter().map(|(at, _)| at.date_naive()).collect();
    days.dedup();
    assert_eq!(days.len(), reminders.len(), "one reminder a day at most");
    // Gentle: 7 days before each due date, on it, then daily; five per task at most.
    assert!(reminders.len() >= 5, "{}", reminders.len());
    assert_eq!(
        subjects(&firm.sent(), "New message"),
        2,
        "one digest per comment"
    );
    assert!(
        schedule(&firm.docket).is_empty(),
        "{:?}",
        schedule(&firm.docket)
    );
}

/// Waits up to `limit` for `done`, polling.
fn wait_until(limit: StdDuration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(StdDuration::from_millis(20));
    }
    done()
}

#[test]
fn the_server_loops_at_speed_one_send_a_reminder_and_a_digest_once_each() {
    // The real clock's kind of instant, a second and a half before the reminder's slot.
    let start = utc("2026-03-16T08:59:58.500400123Z");
    let clock: Arc<dyn Clock> = Arc::new(ScaledClock::new(start, 1.0));
    let (docket, mailer, sent, _) = seeded(clock.clone(), &FirmConfig::default());
    let docket = docket.with_comment_digest_delay(Duration::milliseconds(300));
    let id =
        crate::docket::test_firm::new_work(&docket, "Year end", "2026-03-02", "ann@client.example");
    docket.send_group(id, 0, Actor::System).unwrap();
    let workers = Workers::start(
        docket.clone(),
        Arc::new(mailer),
        WorkerOptions {
            idle: StdDuration::from_millis(100),
            ..WorkerOptions::default()
        },
    )
    .unwrap();
    docket
        .add_comment(id, "We have your P60, thanks", Actor::Api("tool".into()))
        .unwrap();
    let count = |subject: &str| subjects(&sent.0.lock().unwrap(), subject);
    let arrived = wait_until(StdDuration::from_secs(20), || {
        count("New message") >= 1 && count("Reminder") >= 1
    });
    // A little longer, to see that nothing goes twice.
    std::thread::sleep(StdDuration::from_millis(700));
    workers.stop();
    assert!(
        arrived,
        "digest {} and reminder {} by {}",
        count("New message"),
        count("Reminder"),
        docket.now()
    );
    assert_eq!(count("New message"), 1);
    assert_eq!(count("Reminder"), 1);
    let next = docket.work(id).unwrap().groups[0].next.clone().unwrap();
    assert!(next.at.get() > utc("2026-03-16T09:00:00Z"), "{next:?}");
}

#[test]
fn a_digest_for_completed_work_is_not_emailed_and_staff_are_told() {
    let firm = Firm::new("2026-03-02T08:00:00.000400123Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    firm.docket.complete_work(id, Actor::System).unwrap();
    firm.docket
        .add_comment(id, "One more thing", Actor::Api("tool".into()))
        .unwrap();
    firm.run_until(utc("2026-03-02T09:00:00Z"));
    assert_eq!(subjects(&firm.sent(), "New message"), 0);
    let said = firm
        .docket
        .work_timeline(id, 50)
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.summary
                .contains("not emailed to the client: the work is completed")
        })
        .count();
    assert_eq!(said, 1);
}
