//! Whole quarters of sending and reminders under a manual clock, through a real SMTP server
//! that requires STARTTLS and AUTH: which emails arrive, on which local dates and times, from
//! whom, with which tasks and links.

use chrono::{DateTime, Duration};
use chrono_tz::Tz;
use docket_engine::config::FirmConfig;
use docket_engine::model::{Actor, LinkStatus, WorkStatus};

use super::support::smtp::Received;
use super::{Firm, link_of, secure_sink, smtp_config, token, utc};

const TEMPLATES: &[&str] = &[
    r#"
name = "Gentle"
[[groups]]
name = "Documents"
sending = { plugin = "relative", params = { days = -7 } }
reminders = { plugin = "gentle" }
[[groups.tasks]]
title = "Bank statements"
due = 7
[[groups.tasks]]
title = "P60"
due = 21
"#,
    r#"
name = "Urgent"
[[groups]]
name = "Signature"
reminders = { plugin = "urgent" }
[[groups.tasks]]
title = "Sign the return"
due = 3
"#,
    r#"
name = "Custom"
[[groups]]
name = "Receipts"
reminders = { plugin = "custom", params = { before = "3,1", every = 7 } }
[[groups.tasks]]
title = "Expense receipts"
due = 7
"#,
];

fn firm_config(schedule: &str, holidays: &[&str]) -> FirmConfig {
    FirmConfig {
        name: "Smith & Co".into(),
        send_schedule: schedule.into(),
        holidays: holidays.iter().map(|d| d.to_string()).collect(),
        ..FirmConfig::default()
    }
}

/// `KIND LOCAL-DATE LOCAL-TIME` of each email to `to`, read from its `Date` header in `zone`.
fn calendar_of(mails: &[Received], to: &str, zone: &str) -> Vec<String> {
    let tz: Tz = zone.parse().unwrap();
    mails
        .iter()
        .filter(|m| m.rcpt_tos.iter().any(|r| r == to))
        .map(|m| {
            let date = DateTime::parse_from_rfc2822(m.header("Date").expect("a Date header"))
                .unwrap()
                .with_timezone(&tz);
            let subject = m.header("Subject").unwrap_or_default();
            let kind = if subject.starts_with("Reminder:") {
                "reminder"
            } else if subject.starts_with("New message") {
                "comments"
            } else {
                "request"
            };
            format!("{kind} {}", date.format("%Y-%m-%d %H:%M"))
        })
        .collect()
}

/// An address header without the quotes lettre puts around some display names.
fn addr(mail: &Received, name: &str) -> Option<String> {
    mail.header(name).map(|h| h.replace('"', ""))
}

fn mails_to<'a>(mails: &'a [Received], to: &str) -> Vec<&'a Received> {
    mails
        .iter()
        .filter(|m| m.rcpt_tos.iter().any(|r| r == to))
        .collect()
}

/// Which of `titles` the email is about (a reminder's "Also still open" list aside).
fn tasks_in(mail: &Received, titles: &[&str]) -> Vec<String> {
    let about = mail
        .text
        .split("Also still open")
        .next()
        .unwrap_or_default();
    titles
        .iter()
        .filter(|t| about.contains(*t))
        .map(|t| t.to_string())
        .collect()
}

#[test]
fn a_quarter_of_gentle_urgent_and_custom_reminders() {
    let sink = secure_sink();
    let smtp = smtp_config(&sink, Some(("docket", "s3cret pass")));
    // Monday 2 March 2026, 08:00 in London (GMT; BST from 29 March).
    let firm = Firm::new("2026-03-02T08:00:00Z", firm_config("", &[]), &smtp);
    for template in TEMPLATES {
        firm.docket.import_template(template).unwrap();
    }
    let sam = firm
        .docket
        .add_user(docket_engine::NewUser {
            email: "sam@smith.example".into(),
            name: "Sam Lee".into(),
            role: docket_engine::model::Role::Staff,
            password: "a long enough password".into(),
        })
        .unwrap();
    firm.docket
        .add_user(docket_engine::NewUser {
            email: "pat@smith.example".into(),
            name: "Pat Office".into(),
            role: docket_engine::model::Role::Admin,
            password: "a long enough password".into(),
        })
        .unwrap();
    firm.contact("Ann Archer", "ann@archer.example", None);
    firm.contact("Bob Baker", "bob@baker.example", Some("America/New_York"));
    firm.contact("Carol Chen", "carol@chen.example", None);

    // Gentle, sent automatically a week before its start (16 March) from the assignee.
    let gentle = firm.work(
        "Gentle",
        "2026-03-16",
        "ann@archer.example",
        Some("sam@smith.example"),
    );
    // Urgent, sent by Sam by hand at 10:00 New York time; the contact lives in New York.
    let urgent = firm.work("Urgent", "2026-03-02", "bob@baker.example", None);
    // Custom (3 and 1 days before, then weekly), sent through the API with a token of no
    // member: from the firm itself, answers to the admin.
    let custom = firm.work("Custom", "2026-03-02", "carol@chen.example", None);
    firm.docket
        .send_group(custom, 0, Actor::Api("crm".into()))
        .unwrap();
    firm.run_until(utc("2026-03-02T15:00:00Z"));
    firm.docket
        .send_group(urgent, 0, Actor::Staff(sam.id))
        .unwrap();

    // Bob's reminders reach the cap on the 7th; on the 10th Sam resends, which restarts the
    // count and replaces the old links; on the 13th the work is completed, which stops them.
    firm.run_until(utc("2026-03-10T15:00:00Z"));
    let before_resend = sink.messages();
    let old_link = link_of(
        mails_to(&before_resend, "bob@baker.example")
            .last()
            .unwrap(),
    );
    firm.docket
        .resend_group(urgent, 0, Actor::Staff(sam.id))
        .unwrap();
    firm.run_until(utc("2026-03-13T20:00:00Z"));
    firm.docket
        .set_work_status(urgent, WorkStatus::Completed, None, Actor::Staff(sam.id))
        .unwrap();
    firm.run_until(utc("2026-05-31T00:00:00Z"));

    let mails = sink.messages();
    assert_eq!(
        calendar_of(&mails, "ann@archer.example", "Europe/London"),
        [
            "request 2026-03-09 09:00",
            "reminder 2026-03-16 09:00",
            "reminder 2026-03-23 09:00",
            "reminder 2026-03-24 09:00",
            "reminder 2026-03-25 09:00",
            "reminder 2026-03-26 09:00",
            "reminder 2026-03-30 09:00",
            "reminder 2026-04-06 09:00",
            "reminder 2026-04-07 09:00",
            "reminder 2026-04-08 09:00",
            "reminder 2026-04-09 09:00",
        ]
    );
    assert_eq!(
        calendar_of(&mails, "bob@baker.example", "America/New_York"),
        [
            "request 2026-03-02 10:00",
            "reminder 2026-03-03 09:00",
            "reminder 2026-03-04 09:00",
            "reminder 2026-03-05 09:00",
            "reminder 2026-03-06 09:00",
            "reminder 2026-03-07 09:00",
            "request 2026-03-10 11:00",
            "reminder 2026-03-11 09:00",
            "reminder 2026-03-12 09:00",
            "reminder 2026-03-13 09:00",
        ]
    );
    assert_eq!(
        calendar_of(&mails, "carol@chen.example", "Europe/London"),
        [
            "request 2026-03-02 08:00",
            "reminder 2026-03-06 09:00",
            "reminder 2026-03-08 09:00",
            "reminder 2026-03-16 09:00",
            "reminder 2026-03-23 09:00",
            "reminder 2026-03-30 09:00",
        ]
    );

    // Every email went over STARTTLS with AUTH, and carries a link of its own.
    assert!(
        mails
            .iter()
            .all(|m| m.tls && m.auth_user.as_deref() == Some("docket"))
    );
    let mut links: Vec<String> = mails.iter().map(link_of).collect();
    links.sort();
    links.dedup();
    assert_eq!(links.len(), mails.len(), "every email has its own link");

    // Who each is from: the assignee for the automatic send, the one who pressed Send, the
    // firm for an API call; the From address is always the firm's.
    let ann = mails_to(&mails, "ann@archer.example");
    assert_eq!(
        addr(ann[0], "From"),
        Some("Sam Lee via Smith & Co <office@smith.example>".into())
    );
    assert_eq!(
        addr(ann[0], "Reply-To"),
        Some("Sam Lee <sam@smith.example>".into())
    );
    assert_eq!(
        addr(ann[0], "To"),
        Some("Ann Archer <ann@archer.example>".into())
    );
    assert_eq!(
        ann[0].header("Subject"),
        Some("Gentle 2026-03-16: Documents")
    );
    assert_eq!(
        addr(ann[3], "From"),
        addr(ann[0], "From"),
        "reminders come from the sender"
    );
    let bob = mails_to(&mails, "bob@baker.example");
    assert_eq!(
        addr(bob[0], "From"),
        Some("Sam Lee via Smith & Co <office@smith.example>".into())
    );
    let carol = mails_to(&mails, "carol@chen.example");
    assert_eq!(
        addr(carol[0], "From"),
        Some("Smith & Co <office@smith.example>".into())
    );
    // No member sent it and the work has no assignee: the request and the scheduler's
    // reminders all say to answer the firm's admin, never the no-reply address.
    for mail in &carol {
        assert_eq!(addr(mail, "Reply-To"), Some("pat@smith.example".into()));
    }
    assert!(
        carol[0]
            .html
            .as_deref()
            .unwrap()
            .contains("Open my checklist")
    );

    // Each reminder lists the tasks its policy covered: the P60 joins only from 30 March.
    let titles = ["Bank statements", "P60"];
    let covered: Vec<Vec<String>> = ann.iter().map(|m| tasks_in(m, &titles)).collect();
    assert_eq!(covered[0], titles, "the request lists every task");
    for (i, tasks) in covered.iter().enumerate().skip(1) {
        let want: &[&str] = if i <= 5 {
            &["Bank statements"]
        } else {
            &["P60"]
        };
        assert_eq!(tasks, want, "reminder {i}");
    }
    assert!(
        ann[1].text.contains("due Monday 23 March 2026"),
        "{}",
        ann[1].text
    );
    assert!(
        ann[3].text.contains("was due Monday 23 March 2026"),
        "{}",
        ann[3].text
    );

    // The resend revoked the older links; its own link was live until the work was completed.
    assert!(matches!(
        firm.docket.resolve_link(token(&old_link)).unwrap(),
        LinkStatus::Replaced { .. }
    ));
    let resent = link_of(bob[6]);
    assert!(matches!(
        firm.docket.resolve_link(token(&resent)).unwrap(),
        LinkStatus::Valid { .. } | LinkStatus::Expired { .. }
    ));
    assert_ne!(resent, old_link);

    // Every email is on the work's timeline and the contact's; a reminder's line says which
    // one it was.
    use docket_engine::model::EventKind;
    let is_email = |k: &EventKind| matches!(k, EventKind::EmailSent | EventKind::ReminderSent);
    let timeline = firm.docket.work_timeline(gentle, 100).unwrap();
    let sent = timeline.iter().filter(|e| is_email(&e.kind)).count();
    assert_eq!(sent, 11);
    assert!(
        timeline
            .iter()
            .any(|e| e.kind == EventKind::ReminderSent && e.summary.starts_with("Reminder 1 of ")),
        "{timeline:?}"
    );
    let contact = firm.docket.work(gentle).unwrap().groups[0].recipient;
    let on_contact = firm
        .docket
        .contact_timeline(contact, 100)
        .unwrap()
        .iter()
        .filter(|e| is_email(&e.kind))
        .count();
    assert_eq!(on_contact, 11);
    let _ = Duration::zero();
}

#[test]
fn weekdays_holidays_three_days_down_and_a_burst_of_comments() {
    let sink = secure_sink();
    let smtp = smtp_config(&sink, Some(("docket", "s3cret pass")));
    // Weekdays at 09:00 only; Easter Monday (6 April 2026) is a holiday.
    let firm = Firm::new(
        "2026-03-02T08:00:00Z",
        firm_config("0 9 * * MON-FRI", &["2026-04-06"]),
        &smtp,
    );
    firm.docket.import_template(TEMPLATES[0]).unwrap();
    firm.docket
        .import_template(
            &TEMPLATES[0]
                .replace("name = \"Gentle\"", "name = \"Gentle two\"")
                .replace("due = 7", "due = 12")
                .replace("due = 21", "due = 13"),
        )
        .unwrap();
    firm.contact("Dan Doe", "dan@doe.example", None);
    firm.contact("Eve Eng", "eve@eng.example", None);
    // Dan: sent at once by hand; tasks due Saturday 14 and Sunday 15 March.
    let dan = firm.work("Gentle two", "2026-03-02", "dan@doe.example", None);
    firm.docket.send_group(dan, 0, Actor::System).unwrap();
    // Eve: tasks due Monday 23 March and Easter Monday 6 April; sent automatically a week
    // before the start date of 16 March, i.e. Monday 9 March.
    let eve = firm.work("Gentle", "2026-03-16", "eve@eng.example", None);

    // A burst of staff comments on Dan's work, the last at 10:09: one email at 10:19.
    firm.run_until(utc("2026-03-03T10:00:00Z"));
    for (minute, text) in [(0, "Quick question"), (4, "And another"), (9, "Last one")] {
        firm.clock
            .set(utc("2026-03-03T10:00:00Z") + Duration::minutes(minute));
        firm.docket
            .add_comment(dan, text, Actor::Api("staff".into()))
            .unwrap();
    }
    // Down from Tuesday 17 March at noon until Friday 20 March at noon.
    firm.run_until(utc("2026-03-17T12:00:00Z"));
    firm.clock.set(utc("2026-03-20T12:00:00Z"));
    firm.run_until(utc("2026-04-30T00:00:00Z"));

    let mails = sink.messages();
    assert_eq!(
        calendar_of(&mails, "dan@doe.example", "Europe/London"),
        [
            "request 2026-03-02 08:00",
            "comments 2026-03-03 10:19",
            // 7 March (a Saturday) held until Monday, with the second task's Sunday reminder.
            "reminder 2026-03-09 09:00",
            // Due 14 and 15 March (the weekend): held until Monday.
            "reminder 2026-03-16 09:00",
            "reminder 2026-03-17 09:00",
            // Off on the 18th, 19th and 20th at nine: one reminder when back, not three.
            "reminder 2026-03-20 12:00",
            // The 21st is a Saturday: Monday. Each held reminder took along the other task's
            // (due a reminder on the Sunday), so both reach their five here.
            "reminder 2026-03-23 09:00",
        ]
    );
    assert_eq!(
        calendar_of(&mails, "eve@eng.example", "Europe/London"),
        [
            "request 2026-03-09 09:00",
            "reminder 2026-03-16 09:00",
            "reminder 2026-03-23 09:00",
            "reminder 2026-03-24 09:00",
            "reminder 2026-03-25 09:00",
            "reminder 2026-03-26 09:00",
            "reminder 2026-03-30 09:00",
            // Easter Monday is a holiday: Tuesday instead.
            "reminder 2026-04-07 09:00",
            "reminder 2026-04-08 09:00",
            "reminder 2026-04-09 09:00",
            "reminder 2026-04-10 09:00",
        ]
    );
    let held = mails_to(&mails, "dan@doe.example")[2];
    assert_eq!(
        tasks_in(held, &["Bank statements", "P60"]),
        ["Bank statements", "P60"],
        "the held Monday reminder covers the Saturday's task and the Sunday's"
    );
    let digest = mails_to(&mails, "dan@doe.example")[1];
    for text in ["Quick question", "And another", "Last one"] {
        assert!(
            digest.text.contains(text),
            "{text} missing from {}",
            digest.text
        );
    }
    let _ = eve;
}
