//! Work that repeats: a year of a monthly repeat on the fast clock, missed occurrences after
//! downtime, a repeat that stops because its template is gone, refusals naming their field,
//! `every` in any case, a cron repeat's first date after a later start, a disabled assignee's
//! new work left unassigned, titles in the client's language, and one occurrence at speed 1.
//! Restarts, several servers and `docket check` are in `repeat_store_tests.rs`.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::NaiveDate;

use crate::config::FirmConfig;
use crate::docket::Docket;
use crate::docket::test_firm::{Firm, seeded, utc};
use crate::model::{Actor, EventKind, MessageKind, NewWork, RepeatRequest, Role, WorkId, WorkItem};
use crate::store::Tree;
use crate::workers::{WorkerOptions, Workers};
use crate::{Clock, Error, ScaledClock};

/// Sent on its start day at the firm's send time; reminded by no one before its due date.
pub(super) const BOOKKEEPING: &str = r#"
name = "Bookkeeping"
[[groups]]
name = "Records"
sending = { plugin = "relative", params = { days = 0 } }
reminders = { plugin = "gentle" }
[[groups.tasks]]
title = "Bank statements"
due = 20
"#;

pub(super) fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(super) fn every(every: &str) -> RepeatRequest {
    RepeatRequest {
        every: every.into(),
        ..RepeatRequest::default()
    }
}

/// A "Bookkeeping" work item for Ann starting on `start`.
pub(super) fn bookkeeping(docket: &Docket, start: &str) -> WorkId {
    if docket.find_template("Bookkeeping").is_err() {
        docket.import_template(BOOKKEEPING).unwrap();
    }
    docket
        .create_work(
            NewWork {
                template: "Bookkeeping".into(),
                start_date: Some(day(start)),
                contacts: vec!["ann@client.example".into()],
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id
}

/// The work items the repeat of `series` made, oldest first.
pub(super) fn made(docket: &Docket, series: WorkId) -> Vec<WorkItem> {
    docket
        .repeat_made(series, 1000)
        .unwrap()
        .into_iter()
        .map(|id| docket.work(id).unwrap())
        .collect()
}

/// How many requests (first sends) were queued for `work`.
pub(super) fn requests(docket: &Docket, work: WorkId) -> usize {
    docket
        .outbox(None, 10_000)
        .unwrap()
        .iter()
        .filter(|m| m.work == Some(work) && m.kind == MessageKind::Request)
        .count()
}

#[test]
fn a_year_of_a_monthly_repeat_makes_twelve_work_items_each_sent_once() {
    let firm = Firm::new("2026-01-05T08:00:00Z", FirmConfig::default());
    let series = bookkeeping(&firm.docket, "2026-01-05");
    let set = firm
        .docket
        .set_repeat(series, every("month"), Actor::System)
        .unwrap();
    let repeat = set.repeat.as_deref().unwrap();
    assert_eq!(repeat.day, Some(5));
    let next: Vec<NaiveDate> = repeat.next.iter().map(|o| o.start_date).collect();
    assert_eq!(
        next,
        [day("2026-02-05"), day("2026-03-05"), day("2026-04-05")]
    );
    firm.run_until(utc("2027-01-05T23:00:00Z"));

    let made = made(&firm.docket, series);
    assert_eq!(
        made.len(),
        12,
        "{:?}",
        made.iter().map(|w| w.start_date).collect::<Vec<_>>()
    );
    assert_eq!(firm.docket.store().len(Tree::Work).unwrap(), 13);
    for (i, work) in made.iter().enumerate() {
        let month = chrono::Months::new(i as u32 + 1);
        assert_eq!(work.start_date, day("2026-01-05") + month);
        assert_eq!(work.repeated_from, Some(series));
        assert_eq!(
            work.groups[0].recipient,
            firm.docket.work(series).unwrap().groups[0].recipient
        );
        assert_eq!(requests(&firm.docket, work.id), 1, "{}", work.title);
        assert!(
            work.groups[0].sent_at.is_some(),
            "{} was not sent",
            work.title
        );
    }
    assert_eq!(made[1].title, "Ann Archer — Bookkeeping March 2026");
    assert_eq!(made[1].external_name, "Bookkeeping March 2026");
    assert_eq!(made[11].start_date, day("2027-01-05"));
    // At the transport: the series' request and twelve more, each once.
    let sent: Vec<_> = firm
        .sent()
        .into_iter()
        .filter(|(_, raw)| !raw.contains("Subject: Reminder"))
        .collect();
    assert_eq!(
        sent.len(),
        13,
        "{:?}",
        sent.iter().map(|s| s.0).collect::<Vec<_>>()
    );
    // Both ways on the timelines.
    let series_events = firm.docket.work_timeline(series, 200).unwrap();
    assert_eq!(
        series_events
            .iter()
            .filter(|e| e.kind == EventKind::RepeatMade)
            .count(),
        12
    );
    assert!(
        series_events
            .iter()
            .any(|e| e.summary.contains(&made[0].id.to_string()))
    );
    let made_events = firm.docket.work_timeline(made[0].id, 50).unwrap();
    assert!(
        made_events
            .iter()
            .any(|e| e.kind == EventKind::RepeatMade && e.summary.contains(&series.to_string()))
    );
    // The series still repeats, from February 2027.
    let repeat = firm.docket.work(series).unwrap().repeat.unwrap();
    assert_eq!(repeat.next[0].start_date, day("2027-02-05"));
    assert_eq!(repeat.last, Some(day("2027-01-05")));
}

#[test]
fn occurrences_missed_while_down_are_each_made_once_and_until_ends_the_repeat() {
    let firm = Firm::new("2026-01-05T08:00:00Z", FirmConfig::default());
    let series = bookkeeping(&firm.docket, "2026-01-31");
    let request = RepeatRequest {
        until: Some("2026-06-30".into()),
        title: Some("{contact} — VAT {quarter} ({month})".into()),
        ..every("month")
    };
    firm.docket
        .set_repeat(series, request, Actor::System)
        .unwrap();
    // Down until 2 May: February, March and April's are made in one tick.
    firm.clock.set(utc("2026-05-02T12:00:00Z"));
    let report = firm.docket.tick().unwrap();
    assert_eq!(report.repeats, 3);
    let dates: Vec<_> = made(&firm.docket, series)
        .iter()
        .map(|w| w.start_date)
        .collect();
    // The 31st, or the month's last day.
    assert_eq!(
        dates,
        [day("2026-02-28"), day("2026-03-31"), day("2026-04-30")]
    );
    assert_eq!(firm.docket.tick().unwrap().repeats, 0);
    assert_eq!(made(&firm.docket, series).len(), 3, "nothing twice");
    firm.run_until(utc("2026-12-31T00:00:00Z"));
    let made = made(&firm.docket, series);
    let dates: Vec<_> = made.iter().map(|w| w.start_date).collect();
    assert_eq!(
        dates,
        [
            day("2026-02-28"),
            day("2026-03-31"),
            day("2026-04-30"),
            day("2026-05-31"),
            day("2026-06-30")
        ]
    );
    assert_eq!(made[0].title, "Ann Archer — VAT Q1 2026 (February 2026)");
    let work = firm.docket.work(series).unwrap();
    assert!(work.repeat.is_none(), "ended after its last date");
    assert!(
        firm.docket
            .work_timeline(series, 100)
            .unwrap()
            .iter()
            .any(|e| e.kind == EventKind::RepeatStopped && e.summary.contains("2026-06-30"))
    );
}

#[test]
fn a_repeat_whose_template_is_archived_stops_and_says_so() {
    let firm = Firm::new("2026-01-05T08:00:00Z", FirmConfig::default());
    let sam = firm
        .docket
        .add_user(crate::NewUser {
            email: "sam@smith.example".into(),
            name: "Sam".into(),
            role: Role::Staff,
            password: "correct horse battery".into(),
        })
        .unwrap();
    let series = bookkeeping(&firm.docket, "2026-01-05");
    firm.docket
        .update_work_details(
            series,
            crate::docket::WorkDetails {
                assignee: Some("sam@smith.example".into()),
                ..Default::default()
            },
            Actor::System,
        )
        .unwrap();
    firm.docket
        .set_repeat(series, every("month"), Actor::System)
        .unwrap();
    firm.docket.archive_template("Bookkeeping").unwrap();
    firm.run_until(utc("2026-03-01T00:00:00Z"));
    assert!(made(&firm.docket, series).is_empty());
    let work = firm.docket.work(series).unwrap();
    assert!(work.repeat.is_none());
    let stopped: Vec<_> = firm
        .docket
        .work_timeline(series, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::RepeatStopped)
        .collect();
    assert_eq!(stopped.len(), 1);
    assert!(
        stopped[0].summary.contains("archived"),
        "{}",
        stopped[0].summary
    );
    let notes = firm.docket.notifications(sam.id, 10).unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].kind, crate::docket::REPEAT_STOPPED_KIND);
    // Nothing is due any more: the scheduler does not look again.
    assert!(firm.docket.next_repeat_due().unwrap().is_none());
}

#[test]
fn a_repeat_that_cannot_be_is_refused_naming_its_field() {
    let firm = Firm::new("2026-01-05T08:00:00Z", FirmConfig::default());
    let series = bookkeeping(&firm.docket, "2026-01-05");
    let refused =
        |request: RepeatRequest| match firm.docket.set_repeat(series, request, Actor::System) {
            Err(Error::Invalid { field, message }) => (field.unwrap_or_default(), message),
            other => panic!("not refused: {other:?}"),
        };
    for (request, field, words) in [
        (every("fortnight"), "every", "cron"),
        (every("61 * * * *"), "every", "minute"),
        (
            every("*/5 * * * *"),
            "every",
            "`*/5 * * * *` would make work every 5 minutes",
        ),
        (every("0 * * * *"), "every", "every 1 hour"),
        (
            every("0 9,17 * * *"),
            "every",
            "at most one work item a day",
        ),
        (every("*/10 * 1 * *"), "every", "every 10 minutes"),
        (
            RepeatRequest {
                day: Some(0),
                ..every("month")
            },
            "day",
            "1 to 31",
        ),
        (
            RepeatRequest {
                day: Some(32),
                ..every("quarter")
            },
            "day",
            "1 to 31",
        ),
        (
            RepeatRequest {
                day: Some(3),
                ..every("0 6 1 * *")
            },
            "day",
            "cron",
        ),
        (
            RepeatRequest {
                until: Some("2025-12-31".into()),
                ..every("year")
            },
            "until",
            "past",
        ),
        (
            RepeatRequest {
                until: Some("31/12/2026".into()),
                ..every("year")
            },
            "until",
            "YYYY-MM-DD",
        ),
        (
            RepeatRequest {
                until: Some("2026-01-20".into()),
                ..every("month")
            },
            "until",
            "nothing would repeat",
        ),
        (
            RepeatRequest {
                title: Some("{client} VAT".into()),
                ..every("month")
            },
            "title",
            "{contact}",
        ),
    ] {
        let (got, message) = refused(request);
        assert_eq!(got, field, "{message}");
        assert!(message.contains(words), "{message}");
    }
    assert!(
        firm.docket.work(series).unwrap().repeat.is_none(),
        "nothing was kept"
    );
    // Set, changed, stopped: each on the timeline.
    firm.docket
        .set_repeat(series, every("month"), Actor::System)
        .unwrap();
    let changed = firm
        .docket
        .set_repeat(
            series,
            RepeatRequest {
                day: Some(20),
                ..every("quarter")
            },
            Actor::System,
        )
        .unwrap();
    assert_eq!(
        changed.repeat.unwrap().next[0].start_date,
        day("2026-04-20")
    );
    firm.docket.stop_repeat(series, Actor::System).unwrap();
    assert!(firm.docket.next_repeat_due().unwrap().is_none());
    let kinds: Vec<_> = firm
        .docket
        .work_timeline(series, 50)
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::RepeatSet | EventKind::RepeatStopped))
        .map(|e| e.summary)
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
}

#[test]
fn at_speed_one_a_cron_repeat_makes_its_work_once_and_it_is_sent_once() {
    // Daily at 23:59 (the next minute, on the real clock), until today: the 23:59 occurrence, a
    // second and a half away, is the only one. Sends go at any minute, so its request goes as
    // soon as it is made.
    let start = utc("2026-03-19T23:58:58.500400123Z");
    let clock: Arc<dyn Clock> = Arc::new(ScaledClock::new(start, 1.0));
    let config = FirmConfig {
        send_time: "23:59".into(),
        send_schedule: "* * * * *".into(),
        ..FirmConfig::default()
    };
    let (docket, mailer, sent, _) = seeded(clock.clone(), &config);
    // Started yesterday: a cron repeat's first occurrence is after the work's own day.
    let series = bookkeeping(&docket, "2026-03-18");
    let request = RepeatRequest {
        until: Some("2026-03-19".into()),
        ..every("59 23 * * *")
    };
    let set = docket.set_repeat(series, request, Actor::System).unwrap();
    let next = &set.repeat.as_ref().unwrap().next;
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0].at.get(), utc("2026-03-19T23:59:00Z"));
    let workers = Workers::start(
        docket.clone(),
        Arc::new(mailer),
        WorkerOptions {
            idle: StdDuration::from_millis(100),
            ..WorkerOptions::default()
        },
    )
    .unwrap();
    let deadline = Instant::now() + StdDuration::from_secs(120);
    let requests_sent = || {
        sent.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, raw)| !raw.contains("Subject: Reminder"))
            .count()
    };
    // The series' own request and the made work's.
    while requests_sent() < 2 && Instant::now() < deadline {
        std::thread::sleep(StdDuration::from_millis(50));
    }
    // A little longer, to see that nothing is made or sent twice.
    std::thread::sleep(StdDuration::from_millis(1500));
    workers.stop();
    let made = made(&docket, series);
    assert_eq!(made.len(), 1, "by {}", docket.now());
    assert!(docket.now() >= utc("2026-03-19T23:59:00Z"));
    assert_eq!(requests(&docket, made[0].id), 1);
    assert_eq!(requests_sent(), 2);
    assert_eq!(made[0].start_date, day("2026-03-19"));
    assert!(
        docket.work(series).unwrap().repeat.is_none(),
        "ended after until"
    );
}

#[test]
fn every_is_read_in_any_case_and_kept_in_lower_case() {
    let firm = Firm::new("2026-01-05T08:00:00Z", FirmConfig::default());
    let series = bookkeeping(&firm.docket, "2026-01-05");
    let set = firm
        .docket
        .set_repeat(series, every(" MONTH "), Actor::System)
        .unwrap();
    let repeat = set.repeat.unwrap();
    assert_eq!(repeat.every, "month");
    assert_eq!(repeat.next[0].start_date, day("2026-02-05"));
    assert_eq!(
        firm.docket
            .repeat_dates(day("2026-01-05"), "Quarter", None)
            .unwrap()[0],
        day("2026-04-05")
    );
}

#[test]
fn a_cron_repeat_of_work_starting_later_first_falls_after_its_start() {
    let firm = Firm::new("2026-01-05T08:00:00Z", FirmConfig::default());
    // Work starting on 20 March; the cron fires at 06:00 on the 1st and the 20th of a month.
    let series = bookkeeping(&firm.docket, "2026-03-20");
    let set = firm
        .docket
        .set_repeat(series, every("0 6 1,20 * *"), Actor::System)
        .unwrap();
    let dates: Vec<_> = set
        .repeat
        .unwrap()
        .next
        .iter()
        .map(|o| o.start_date)
        .collect();
    assert_eq!(
        dates,
        [day("2026-04-01"), day("2026-04-20"), day("2026-05-01")],
        "not 20 January (the work starts in March), nor 20 March (the work itself is that day's)"
    );
    assert_eq!(
        firm.docket
            .repeat_dates(day("2026-03-20"), "0 6 1,20 * *", None)
            .unwrap(),
        dates
    );
    // Work that started before today repeats from now.
    let started = bookkeeping(&firm.docket, "2025-12-01");
    let set = firm
        .docket
        .set_repeat(started, every("0 6 1,20 * *"), Actor::System)
        .unwrap();
    assert_eq!(set.repeat.unwrap().next[0].start_date, day("2026-01-20"));
    // Weekdays at nine, on work starting on a Friday: the first is the Monday after.
    let friday = bookkeeping(&firm.docket, "2027-01-15");
    let set = firm
        .docket
        .set_repeat(friday, every("0 9 * * MON-FRI"), Actor::System)
        .unwrap();
    assert_eq!(set.repeat.unwrap().next[0].start_date, day("2027-01-18"));
}

#[test]
fn work_a_repeat_makes_for_a_disabled_assignee_goes_unassigned_and_says_so() {
    let firm = Firm::new("2026-01-05T08:00:00Z", FirmConfig::default());
    let add = |email: &str, role: Role| {
        firm.docket
            .add_user(crate::NewUser {
                email: email.into(),
                name: email.split('@').next().unwrap().into(),
                role,
                password: "correct horse battery".into(),
            })
            .unwrap()
    };
    let ada = add("ada@smith.example", Role::Admin);
    let sam = add("sam@smith.example", Role::Staff);
    let series = bookkeeping(&firm.docket, "2026-01-05");
    firm.docket
        .update_work_details(
            series,
            crate::docket::WorkDetails {
                assignee: Some("sam@smith.example".into()),
                ..Default::default()
            },
            Actor::System,
        )
        .unwrap();
    firm.docket
        .set_repeat(series, every("month"), Actor::System)
        .unwrap();
    firm.docket.disable_user("sam@smith.example").unwrap();
    assert_eq!(firm.docket.work(series).unwrap().assignee, Some(sam.id));
    firm.run_until(utc("2026-02-05T12:00:00Z"));
    let made = made(&firm.docket, series);
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].assignee, None, "not given to a disabled member");
    let said: Vec<_> = firm
        .docket
        .work_timeline(made[0].id, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.summary.contains("Left unassigned"))
        .collect();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].summary.contains("sam is disabled"), "{said:?}");
    let notes = firm.docket.notifications(ada.id, 10).unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].kind, crate::docket::REPEAT_UNASSIGNED_KIND);
    assert_eq!(notes[0].work, made[0].id);
}

#[test]
fn a_repeats_title_names_the_month_in_its_clients_language() {
    let firm = Firm::new("2026-01-05T08:00:00Z", FirmConfig::default());
    let series = bookkeeping(&firm.docket, "2026-01-05");
    let ann = firm
        .docket
        .contact_by_email("ann@client.example")
        .unwrap()
        .unwrap();
    firm.docket
        .update_contact(
            ann.id,
            crate::model::ContactUpdate {
                locale: Some("fr".into()),
                ..Default::default()
            },
            Actor::System,
        )
        .unwrap();
    firm.docket
        .set_repeat(
            series,
            RepeatRequest {
                every: "month".into(),
                title: Some("{contact} — Compta {month}, {date}".into()),
                ..RepeatRequest::default()
            },
            Actor::System,
        )
        .unwrap();
    firm.run_until(utc("2026-02-06T23:00:00Z"));
    let made = made(&firm.docket, series);
    assert_eq!(made.len(), 1);
    assert_eq!(
        made[0].title,
        "Ann Archer — Compta février 2026, 5 février 2026"
    );
    assert!(
        made[0].external_name.contains("février 2026"),
        "{:?}",
        made[0].external_name
    );
}
