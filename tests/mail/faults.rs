//! The relay misbehaving: down and back, temporary and permanent refusals, a wrong password, and
//! the one ambiguous window (the connection lost after DATA, before the reply).

use std::time::Duration as StdDuration;

use chrono::Duration;
use docket_engine::config::FirmConfig;
use docket_engine::docket::{FIRST_BACKOFF, MAX_BACKOFF};
use docket_engine::model::{Actor, EventKind, MessageState, OutboundMessage, WorkId};

use super::support::smtp::{MailSink, SinkOptions};
use super::{Firm, smtp_config};

const TEMPLATE: &str = r#"
name = "Year end"
[[groups]]
name = "Documents"
reminders = { plugin = "gentle" }
[[groups.tasks]]
title = "Bank statements"
due = 30
"#;

/// A firm with `count` contacts (`client1@…`), one work item each, all sent now.
fn firm_with_sends(
    sink: &MailSink,
    auth: Option<(&str, &str)>,
    count: usize,
) -> (Firm, Vec<WorkId>) {
    let firm = Firm::new(
        "2026-03-02T08:00:00Z",
        FirmConfig::default(),
        &smtp_config(sink, auth),
    );
    firm.docket.import_template(TEMPLATE).unwrap();
    let mut ids = Vec::new();
    for i in 1..=count {
        let email = format!("client{i}@example.com");
        firm.contact(&format!("Client {i}"), &email, None);
        let id = firm.work("Year end", "2026-03-02", &email, None);
        firm.docket.send_group(id, 0, Actor::System).unwrap();
        ids.push(id);
    }
    (firm, ids)
}

fn outbox(firm: &Firm) -> Vec<OutboundMessage> {
    firm.docket.outbox(None, 1000).unwrap()
}

#[test]
fn smtp_down_then_back_loses_nothing_and_sends_nothing_twice() {
    let mut sink = MailSink::start(SinkOptions::default());
    let (firm, _) = firm_with_sends(&sink, None, 5);
    sink.stop();
    // Down: every attempt fails with a connection error and is retried with growing delays.
    firm.deliver();
    let waits: Vec<Duration> = outbox(&firm)
        .iter()
        .map(|m| m.next_attempt_at - firm.docket.now())
        .collect();
    assert!(waits.iter().all(|w| *w == FIRST_BACKOFF), "{waits:?}");
    for m in outbox(&firm) {
        assert_eq!(m.state, MessageState::Queued);
        assert!(m.last_error.is_some());
    }
    let mut wait = FIRST_BACKOFF;
    for _ in 0..8 {
        firm.clock.advance(wait);
        firm.deliver();
        wait = (wait * 2).min(MAX_BACKOFF);
    }
    assert!(outbox(&firm).iter().all(|m| m.attempts == 9));
    assert!(sink.messages().is_empty());
    // Back: the next attempt delivers each message, once.
    sink.restart();
    firm.clock.advance(MAX_BACKOFF);
    firm.deliver();
    let received = sink.wait_for(5, StdDuration::from_secs(20));
    assert_eq!(received.len(), 5);
    let mut ids: Vec<&str> = received
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    assert!(outbox(&firm).iter().all(|m| m.state == MessageState::Sent));
}

#[test]
fn a_4xx_answer_is_retried_and_a_5xx_fails_with_the_servers_reason() {
    let sink = MailSink::start(SinkOptions {
        tempfail_first: 2,
        reject_rcpt: Some("client3@".into()),
        tempfail_rcpt: Some("client4@".into()),
        ..SinkOptions::default()
    });
    let (firm, ids) = firm_with_sends(&sink, None, 4);
    firm.deliver();
    let by_to = |to: &str| {
        outbox(&firm)
            .into_iter()
            .find(|m| m.to == to)
            .unwrap_or_else(|| panic!("no message to {to}"))
    };
    // 550 for client3: failed at once, with the server's words, on the timeline, raised as
    // send-failed for the hooks.
    let rejected = by_to("client3@example.com");
    assert_eq!(rejected.state, MessageState::Failed);
    assert!(
        rejected.last_error.as_deref().unwrap().contains("550"),
        "{rejected:?}"
    );
    assert!(
        rejected
            .last_error
            .as_deref()
            .unwrap()
            .contains("no such user")
    );
    let timeline = firm.docket.work_timeline(ids[2], 10).unwrap();
    assert!(timeline.iter().any(|e| e.kind == EventKind::EmailFailed));
    assert!(firm.docket.pending_events().unwrap() >= 1);
    // 450 for client4 and 451 for the first two DATA: queued again.
    let busy = by_to("client4@example.com");
    assert_eq!(busy.state, MessageState::Queued);
    assert!(
        busy.last_error.as_deref().unwrap().contains("450"),
        "{busy:?}"
    );
    let queued = outbox(&firm)
        .iter()
        .filter(|m| m.state == MessageState::Queued)
        .count();
    assert_eq!(queued, 3, "two 451s and one 450");
    firm.clock.advance(FIRST_BACKOFF);
    firm.deliver();
    assert_eq!(by_to("client1@example.com").state, MessageState::Sent);
    assert_eq!(by_to("client2@example.com").state, MessageState::Sent);
    assert_eq!(by_to("client4@example.com").state, MessageState::Queued);
    let received = sink.messages();
    assert_eq!(received.len(), 2);
}

#[test]
fn a_wrong_password_keeps_emails_queued_until_the_configuration_is_mended() {
    let sink = MailSink::start(SinkOptions {
        auth: Some(("docket".into(), "right".into())),
        ..SinkOptions::default()
    });
    let (firm, _) = firm_with_sends(&sink, Some(("docket", "wrong")), 1);
    firm.deliver();
    let m = &outbox(&firm)[0];
    assert_eq!(
        m.state,
        MessageState::Queued,
        "a relay problem, not the email's"
    );
    assert!(m.last_error.as_deref().unwrap().contains("535"), "{m:?}");
    // The operator mends the password (a restart with the right configuration).
    let mended = docket_engine::mail::Mailer::new(
        docket_engine::mail::MailTemplates::load(None).unwrap(),
        super::FROM,
        std::sync::Arc::new(
            docket_engine::mail::SmtpTransport::new(&smtp_config(&sink, Some(("docket", "right"))))
                .unwrap(),
        ),
    )
    .unwrap();
    firm.clock.advance(FIRST_BACKOFF);
    docket_engine::workers::deliver_due(&firm.docket, &mended, 1).unwrap();
    assert_eq!(outbox(&firm)[0].state, MessageState::Sent);
    assert_eq!(sink.wait_for(1, StdDuration::from_secs(20)).len(), 1);
}

#[test]
fn a_connection_lost_after_data_may_deliver_twice_with_one_message_id() {
    let sink = MailSink::start(SinkOptions {
        drop_after_data: 1,
        ..SinkOptions::default()
    });
    let (firm, _) = firm_with_sends(&sink, None, 1);
    firm.deliver();
    // The server stored it but never answered: Docket cannot know, so it tries again.
    assert_eq!(outbox(&firm)[0].state, MessageState::Queued);
    firm.clock.advance(FIRST_BACKOFF);
    firm.deliver();
    assert_eq!(outbox(&firm)[0].state, MessageState::Sent);
    let received = sink.wait_for(2, StdDuration::from_secs(20));
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].header("Message-ID"),
        received[1].header("Message-ID"),
        "a duplicate is recognisably the same message"
    );
}
