//! Sending, reminders, links, the outbox and digests, driven by a manual clock through the stock
//! WASM plugins, on the in-memory store.

use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

use crate::config::{FirmConfig, PluginsConfig};
use crate::docket::Docket;
use crate::mail::{MailTemplates, Mailer, Transport, TransportError};
use crate::model::{
    Actor, LinkStatus, MessageKind, MessageState, NewContact, NewWork, WorkId, WorkStatus,
};
use crate::plugin::PluginHost;
use crate::store::MemoryStore;
use crate::{Clock, ManualClock};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn host() -> Arc<PluginHost> {
    static HOST: OnceLock<(tempfile::TempDir, Arc<PluginHost>)> = OnceLock::new();
    HOST.get_or_init(|| {
        let data = tempfile::tempdir().unwrap();
        // A policy that traps on request, installed beside the stock plugins.
        let plugins = data.path().join("plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        std::fs::copy(
            env!("DOCKET_TEST_MISBEHAVE_WASM"),
            plugins.join("misbehave.wasm"),
        )
        .unwrap();
        std::fs::write(
            plugins.join("misbehave.toml"),
            "name = 'misbehave'\nversion = '0.1.0'\nworld = 'reminder-policy'\n",
        )
        .unwrap();
        let (host, refused) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
        assert!(refused.is_empty());
        (data, Arc::new(host))
    })
    .1
    .clone()
}

/// Emails "sent", with the clock's time at sending.
#[derive(Default)]
struct Recorder(Mutex<Vec<(DateTime<Utc>, String)>>);

struct RecordingTransport {
    clock: Arc<ManualClock>,
    sent: Arc<Recorder>,
    fail: Arc<Mutex<Option<TransportError>>>,
}

impl Transport for RecordingTransport {
    fn send(&self, email: &lettre::Message) -> Result<(), TransportError> {
        if let Some(e) = self.fail.lock().unwrap().clone() {
            return Err(e);
        }
        let raw = String::from_utf8(email.formatted()).unwrap();
        self.sent.0.lock().unwrap().push((self.clock.now(), raw));
        Ok(())
    }

    fn describe(&self) -> String {
        "memory".into()
    }
}

struct Firm {
    docket: Docket,
    clock: Arc<ManualClock>,
    mailer: Mailer,
    sent: Arc<Recorder>,
    fail: Arc<Mutex<Option<TransportError>>>,
}

const TEMPLATE: &str = r#"
name = "Year end"
[[groups]]
name = "Documents"
reminders = { plugin = "gentle" }
[[groups.tasks]]
title = "Bank statements"
due = 14
[[groups.tasks]]
title = "P60"
due = 21
"#;

impl Firm {
    fn new(now: &str, firm: FirmConfig) -> Firm {
        let clock = Arc::new(ManualClock::new(utc(now)));
        let docket = Docket::open(
            Arc::new(MemoryStore::new()),
            clock.clone(),
            &firm,
            "https://docket.example",
        )
        .unwrap()
        .with_plugins(host());
        docket.import_template(TEMPLATE).unwrap();
        docket
            .create_contact(
                NewContact {
                    name: "Ann Archer".into(),
                    email: "ann@client.example".into(),
                    timezone: None,
                },
                Actor::System,
            )
            .unwrap();
        let sent = Arc::new(Recorder::default());
        let fail = Arc::new(Mutex::new(None));
        let transport = Arc::new(RecordingTransport {
            clock: clock.clone(),
            sent: sent.clone(),
            fail: fail.clone(),
        });
        let mailer = Mailer::new(
            MailTemplates::load(None).unwrap(),
            "Smith & Co <office@smith.example>",
            transport,
        )
        .unwrap();
        Firm {
            docket,
            clock,
            mailer,
            sent,
            fail,
        }
    }

    fn work(&self, start: &str) -> WorkId {
        self.docket
            .create_work(
                NewWork {
                    template: "Year end".into(),
                    start_date: Some(start.parse().unwrap()),
                    contacts: vec!["ann@client.example".into()],
                    ..NewWork::default()
                },
                Actor::System,
            )
            .unwrap()
            .id
    }

    /// Delivers every message due now, as the sender loop would.
    fn deliver(&self) {
        crate::workers::deliver_due(&self.docket, &self.mailer, 1).unwrap();
    }

    /// Runs the scheduler and the sender until `until`, as the server's loops would.
    fn run_until(&self, until: DateTime<Utc>) {
        crate::workers::run_until(&self.docket, &self.clock, &self.mailer, until).unwrap();
    }

    fn sent(&self) -> Vec<(DateTime<Utc>, String)> {
        self.sent.0.lock().unwrap().clone()
    }

    fn link_of(raw: &str) -> String {
        let start = raw.find("https://docket.example/c/").expect("a link");
        raw[start..start + "https://docket.example/c/".len() + 43].to_string()
    }
}

fn token(link: &str) -> &str {
    link.rsplit('/').next().unwrap()
}

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
        .filter(|(_, v)| String::from_utf8_lossy(v).contains("reminder-limit-reached"))
        .count();
    assert_eq!(limits, 2);
}

#[test]
fn links_expire_renew_and_are_replaced_by_a_resend() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    let first = Firm::link_of(&firm.sent()[0].1);
    assert!(matches!(
        firm.docket.resolve_link(token(&first)).unwrap(),
        LinkStatus::Valid { .. }
    ));
    // Sending twice is refused: resend is the way to a new link.
    assert!(firm.docket.send_group(id, 0, Actor::System).is_err());
    // The stored message keeps where the link went, not the key.
    let stored = firm.docket.outbox(None, 10).unwrap();
    assert_eq!(stored[0].state, MessageState::Sent);
    assert!(!stored[0].context.link.contains(token(&first)));
    assert!(stored[0].context.link.ends_with("/c/…"));

    firm.clock.advance(Duration::days(3));
    firm.docket.resend_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    let second = Firm::link_of(&firm.sent().last().unwrap().1);
    assert!(matches!(
        firm.docket.resolve_link(token(&first)).unwrap(),
        LinkStatus::Replaced { .. }
    ));
    assert!(matches!(
        firm.docket.resolve_link(token(&second)).unwrap(),
        LinkStatus::Valid { .. }
    ));
    let forged = "A".repeat(43);
    assert_eq!(
        firm.docket.resolve_link(&forged).unwrap(),
        LinkStatus::Unknown
    );
    assert_eq!(
        firm.docket.resolve_link("short").unwrap(),
        LinkStatus::Unknown
    );
    // 30 days after the resend, with no reminder in between, the access has expired.
    firm.clock.advance(Duration::days(30));
    assert!(matches!(
        firm.docket.resolve_link(token(&second)).unwrap(),
        LinkStatus::Expired { .. }
    ));
}

#[test]
fn a_reminder_extends_access_to_sixty_days() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.run_until(utc("2026-03-09T10:00:00Z"));
    let access = firm.docket.access(id, 0).unwrap().unwrap();
    assert_eq!(
        access.expires_at,
        utc("2026-03-09T09:00:00Z") + Duration::days(60)
    );
}

#[test]
fn weekday_schedule_and_holidays_hold_reminders() {
    let firm = Firm::new(
        "2026-03-02T08:00:00Z",
        FirmConfig {
            send_schedule: "0 9 * * MON-FRI".into(),
            holidays: vec!["2026-03-16".into()],
            ..FirmConfig::default()
        },
    );
    // Start Friday 6 March: tasks due 20 and 27 March (both Fridays); gentle reminds 7 days
    // before (13 March, Friday), on the 20th, then daily: Saturday 21 and Sunday 22 are held
    // until Monday 23.
    let id = firm.work("2026-03-06");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.run_until(utc("2026-03-25T12:00:00Z"));
    let reminders: Vec<(NaiveDate, Weekday)> = firm
        .sent()
        .iter()
        .filter(|(_, raw)| raw.contains("Subject: Reminder"))
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
    let _ = id;
}

#[test]
fn a_holiday_moves_a_reminder_to_the_next_working_day() {
    let firm = Firm::new(
        "2026-03-02T08:00:00Z",
        FirmConfig {
            send_schedule: "0 9 * * MON-FRI".into(),
            holidays: vec!["2026-03-09".into()],
            ..FirmConfig::default()
        },
    );
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.run_until(utc("2026-03-11T00:00:00Z"));
    let reminders: Vec<String> = firm
        .sent()
        .iter()
        .filter(|(_, raw)| raw.contains("Subject: Reminder"))
        .map(|(at, _)| at.format("%Y-%m-%d %H:%M").to_string())
        .collect();
    assert_eq!(reminders, ["2026-03-10 09:00"]);
    let _ = id;
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
    let next = firm.docket.work(id).unwrap().groups[0]
        .next
        .clone()
        .unwrap();
    assert_eq!(next.at, utc("2026-03-21T09:00:00Z"));
}

#[test]
fn completing_the_work_stops_reminders_and_done_tasks_drop_queued_ones() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    // The first reminder is queued at 09:00 on the 9th but the transport is down, so it waits;
    // meanwhile the client completes both tasks: it is dropped, not sent.
    *firm.fail.lock().unwrap() = Some(TransportError::Transient("down".into()));
    firm.clock.set(utc("2026-03-09T09:00:00Z"));
    firm.docket.tick().unwrap();
    firm.deliver();
    let contact = firm.docket.work(id).unwrap().groups[0].recipient;
    for task in 0..2 {
        firm.docket
            .set_task_done(id, 0, task, true, Actor::Contact(contact))
            .unwrap();
    }
    *firm.fail.lock().unwrap() = None;
    firm.clock.advance(Duration::hours(2));
    firm.deliver();
    assert_eq!(firm.sent().len(), 1, "only the request went out");
    let reminder = firm
        .docket
        .outbox(None, 10)
        .unwrap()
        .into_iter()
        .find(|m| m.kind == MessageKind::Reminder)
        .unwrap();
    assert_eq!(reminder.state, MessageState::Dropped);

    // Reopen a task: reminders resume; complete the work: they stop.
    firm.docket
        .set_task_done(id, 0, 0, false, Actor::System)
        .unwrap();
    assert!(firm.docket.work(id).unwrap().groups[0].next.is_some());
    firm.docket
        .set_work_status(id, WorkStatus::Completed, None, Actor::System)
        .unwrap();
    assert!(firm.docket.work(id).unwrap().groups[0].next.is_none());
    firm.run_until(utc("2026-04-30T00:00:00Z"));
    assert_eq!(firm.sent().len(), 1);
    assert!(firm.docket.next_fire_due().unwrap().is_none());
}

#[test]
fn transient_failures_retry_with_backoff_and_permanent_ones_fail_on_the_timeline() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    *firm.fail.lock().unwrap() = Some(TransportError::Transient("connection refused".into()));
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    let m = &firm.docket.outbox(None, 1).unwrap()[0];
    assert_eq!(m.state, MessageState::Queued);
    assert_eq!(m.next_attempt_at, firm.docket.now() + Duration::seconds(30));
    firm.clock.advance(Duration::seconds(30));
    firm.deliver();
    let m = &firm.docket.outbox(None, 1).unwrap()[0];
    assert_eq!(m.next_attempt_at, firm.docket.now() + Duration::seconds(60));
    // A restart (often the fix: a mended password) brings the retry forward to now.
    firm.docket.recover_in_flight().unwrap();
    assert_eq!(
        firm.docket.outbox(None, 1).unwrap()[0].next_attempt_at,
        firm.docket.now()
    );
    // Back up: delivered at once, exactly once.
    *firm.fail.lock().unwrap() = None;
    firm.deliver();
    assert_eq!(firm.sent().len(), 1);
    assert_eq!(firm.docket.outbox(None, 1).unwrap()[0].attempts, 3);

    *firm.fail.lock().unwrap() = Some(TransportError::Permanent("550 no such user".into()));
    firm.docket.resend_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    let m = &firm.docket.outbox(None, 1).unwrap()[0];
    assert_eq!(m.state, MessageState::Failed);
    assert!(m.last_error.as_deref().unwrap().contains("550"));
    let timeline = firm.docket.work_timeline(id, 5).unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e.summary.contains("failed: 550 no such user")),
        "{timeline:#?}"
    );
    assert!(firm.docket.pending_events().unwrap() >= 1);
}

#[test]
fn messages_in_flight_at_a_crash_go_again_once() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    let claimed = firm.docket.claim_due_messages(10).unwrap();
    assert_eq!(claimed.len(), 1);
    // "Crash": the claim is never settled. Nothing is due until recovery.
    assert!(firm.docket.claim_due_messages(10).unwrap().is_empty());
    assert_eq!(firm.docket.recover_in_flight().unwrap(), 1);
    firm.deliver();
    let m = &firm.docket.outbox(None, 1).unwrap()[0];
    assert_eq!(m.state, MessageState::Sent);
    assert_eq!(m.recovered_in_flight, 1);
    assert_eq!(firm.sent().len(), 1);
}

#[test]
fn a_burst_of_staff_comments_is_one_email_ten_minutes_after_the_last() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    for (minute, text) in [(0, "First question"), (4, "Second"), (9, "Third")] {
        firm.clock
            .set(utc("2026-03-03T10:00:00Z") + Duration::minutes(minute));
        firm.docket
            .add_comment(id, text, Actor::Api("tool".into()))
            .unwrap();
    }
    // A client comment does not start or move a digest.
    let contact = firm.docket.work(id).unwrap().groups[0].recipient;
    firm.docket
        .add_comment(id, "From the client", Actor::Contact(contact))
        .unwrap();
    firm.run_until(utc("2026-03-03T10:18:59Z"));
    assert_eq!(
        firm.sent().len(),
        1,
        "nothing before ten minutes after the last"
    );
    firm.run_until(utc("2026-03-03T10:19:01Z"));
    let sent = firm.sent();
    assert_eq!(sent.len(), 2);
    let (at, raw) = &sent[1];
    assert_eq!(*at, utc("2026-03-03T10:19:00Z"));
    assert!(raw.contains("Subject: New message about Year end"), "{raw}");
    for text in ["First question", "Second", "Third"] {
        assert!(raw.contains(text), "{text} missing");
    }
    assert!(!raw.contains("From the client"));
}

#[test]
fn who_an_email_is_from() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let sam = firm
        .docket
        .add_user(crate::NewUser {
            email: "sam@smith.example".into(),
            name: "Sam Lee".into(),
            role: crate::model::Role::Staff,
            password: "a long enough password".into(),
        })
        .unwrap();
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::Staff(sam.id)).unwrap();
    let other = firm.work("2026-03-02");
    firm.docket
        .send_group(other, 0, Actor::Api("tool".into()))
        .unwrap();
    firm.deliver();
    let sent = firm.sent();
    assert!(
        sent[0]
            .1
            .contains("From: \"Sam Lee via My Firm\" <office@smith.example>"),
        "{}",
        sent[0].1
    );
    assert!(
        sent[0]
            .1
            .contains("Reply-To: \"Sam Lee\" <sam@smith.example>")
    );
    assert!(
        sent[1]
            .1
            .contains("From: \"My Firm\" <office@smith.example>"),
        "{}",
        sent[1].1
    );
    assert!(!sent[1].1.contains("Reply-To"));
    assert_eq!(
        firm.docket.work(id).unwrap().groups[0].sent_by,
        Some(sam.id)
    );
    // A member known only by their address: the firm's name in From, their address in Reply-To.
    let kim = firm
        .docket
        .add_user(crate::NewUser {
            email: "kim@smith.example".into(),
            name: String::new(),
            role: crate::model::Role::Staff,
            password: "a long enough password".into(),
        })
        .unwrap();
    let third = firm.work("2026-03-02");
    firm.docket
        .send_group(third, 0, Actor::Staff(kim.id))
        .unwrap();
    firm.deliver();
    let raw = &firm.sent()[2].1;
    assert!(
        raw.contains("From: \"My Firm\" <office@smith.example>"),
        "{raw}"
    );
    assert!(raw.contains("Reply-To: kim@smith.example"), "{raw}");
}

#[test]
fn a_failing_policy_is_retried_each_tick_and_other_groups_still_go() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    firm.docket
        .create_contact(
            NewContact {
                name: "Bob".into(),
                email: "bob@client.example".into(),
                timezone: None,
            },
            Actor::System,
        )
        .unwrap();
    let broken = firm.work("2026-03-02");
    let healthy = firm
        .docket
        .create_work(
            NewWork {
                template: "Year end".into(),
                start_date: Some("2026-03-02".parse().unwrap()),
                contacts: vec!["bob@client.example".into()],
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id;
    for id in [broken, healthy] {
        firm.docket.send_group(id, 0, Actor::System).unwrap();
    }
    firm.deliver();
    // The first work's policy is now one that traps on every call (an installed plugin gone
    // bad), written behind the engine's back since the engine refuses to set it.
    let mut work = firm.docket.work(broken).unwrap();
    work.groups[0].reminders = crate::model::PluginRef {
        plugin: "misbehave".into(),
        params: [("mode".to_string(), "trap".to_string())].into(),
    };
    let mut batch = crate::store::Batch::default();
    batch.put(
        crate::store::Tree::Work,
        broken.key(),
        crate::store::encode(&work),
    );
    firm.docket.store().commit(batch).unwrap();

    // On the 9th both groups' first reminders are due; each goes, then the broken one cannot
    // be planned: it is retried at every tick while the healthy one carries on.
    firm.clock.set(utc("2026-03-09T09:00:00Z"));
    let report = firm.docket.tick().unwrap();
    assert_eq!(report.reminders, 2);
    let next = firm.docket.work(broken).unwrap().groups[0]
        .next
        .clone()
        .unwrap();
    assert_eq!(next.at, firm.docket.now());
    assert!(
        matches!(&next.action, crate::model::FireAction::Retry { reason } if reason.contains("misbehave")),
        "{next:?}"
    );
    firm.clock.advance(Duration::seconds(1));
    assert_eq!(firm.docket.tick().unwrap().reminders, 0);
    let again = firm.docket.work(broken).unwrap().groups[0]
        .next
        .clone()
        .unwrap();
    assert_eq!(again.at, firm.docket.now(), "retried at the next tick");
    let fine = firm.docket.work(healthy).unwrap().groups[0]
        .next
        .clone()
        .unwrap();
    assert_eq!(fine.at, utc("2026-03-16T09:00:00Z"));
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
    let mended = firm.docket.work(broken).unwrap().groups[0]
        .next
        .clone()
        .unwrap();
    assert_eq!(mended.at, utc("2026-03-16T09:00:00Z"));
}

#[test]
fn group_settings_refuse_what_the_plugins_refuse() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    let bad = crate::docket::GroupSettings {
        reminders: Some(crate::model::PluginRef {
            plugin: "custom".into(),
            params: [("every".to_string(), "often".to_string())].into(),
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
                    params: [("days".to_string(), "3".to_string())].into(),
                }),
                ..Default::default()
            },
            Actor::System,
        )
        .unwrap();
    let next = work.groups[0].next.clone().unwrap();
    assert_eq!(next.at, utc("2026-03-05T09:00:00Z"));
    assert_eq!(next.action, crate::model::FireAction::Send);
    firm.run_until(utc("2026-03-05T10:00:00Z"));
    assert_eq!(firm.sent().len(), 1);
    assert!(firm.sent()[0].1.contains("Subject: Year end: Documents"));
}

/// A clock that moves a millisecond every time it is read, as a real one does between reads.
struct SteppingClock(Mutex<DateTime<Utc>>);

impl Clock for SteppingClock {
    fn now(&self) -> DateTime<Utc> {
        let mut now = self.0.lock().unwrap();
        *now += Duration::milliseconds(1);
        *now
    }
}

#[test]
fn the_digest_starts_with_the_first_comment_of_a_burst_even_on_a_moving_clock() {
    let docket = Docket::open(
        Arc::new(MemoryStore::new()),
        Arc::new(SteppingClock(Mutex::new(utc("2026-03-02T08:00:00Z")))),
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap();
    docket.import_template(TEMPLATE).unwrap();
    docket
        .create_contact(
            NewContact {
                name: "Ann".into(),
                email: "ann@client.example".into(),
                timezone: None,
            },
            Actor::System,
        )
        .unwrap();
    let id = docket
        .create_work(
            NewWork {
                template: "Year end".into(),
                start_date: Some("2026-03-02".parse().unwrap()),
                contacts: vec!["ann@client.example".into()],
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id;
    let first = docket
        .add_comment(id, "first", Actor::Api("tool".into()))
        .unwrap();
    docket
        .add_comment(id, "second", Actor::Api("tool".into()))
        .unwrap();
    let digest: crate::model::PendingDigest = crate::store::get_record(
        docket.store().as_ref(),
        crate::store::Tree::Digests,
        &id.key(),
    )
    .unwrap()
    .unwrap();
    assert!(digest.since <= first.at, "{digest:?} vs {}", first.at);
}

#[test]
fn a_held_reminder_takes_along_the_tasks_due_a_reminder_meanwhile() {
    // Weekdays only; Easter Monday 6 April 2026 is a holiday. The P60 is due Saturday 4 April
    // (its due-day reminder is held until Tuesday 7th); the bank statements are due Sunday 12th,
    // so their "7 days before" falls on Sunday 5th, also held: Tuesday's reminder covers both.
    let firm = Firm::new(
        "2026-03-25T08:00:00Z",
        FirmConfig {
            send_schedule: "0 9 * * MON-FRI".into(),
            holidays: vec!["2026-04-06".into()],
            ..FirmConfig::default()
        },
    );
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
    let id = firm
        .docket
        .create_work(
            NewWork {
                template: "Easter".into(),
                start_date: Some("2026-03-25".parse().unwrap()),
                contacts: vec!["ann@client.example".into()],
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id;
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.run_until(utc("2026-04-08T00:00:00Z"));
    let reminders: Vec<(String, bool, bool)> = firm
        .sent()
        .iter()
        .filter(|(_, raw)| raw.contains("Subject: Reminder"))
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
