//! Staff's review reaching the client through a real SMTP server: a task sent back (with its
//! reason) and later accepted each arrive promptly in a comment digest that says which, and a
//! staff reply around it neither holds it for the usual ten minutes nor is left out — on the
//! manual clock and on the real one (speed 1) with the server's own loops.

use std::sync::Arc;
use std::time::{Duration, Instant};

use docket_engine::config::{FirmConfig, PluginsConfig};
use docket_engine::docket::NewUpload;
use docket_engine::mail::{MailTemplates, Mailer, SmtpTransport};
use docket_engine::model::{Actor, NewContact, NewWork, Review, WorkId};
use docket_engine::plugin::PluginHost;
use docket_engine::store::MemoryStore;
use docket_engine::workers::{WorkerOptions, Workers};
use docket_engine::{Clock, Docket, ScaledClock};

use super::support::smtp::Received;
use super::{FROM, Firm, secure_sink, smtp_config};

const TEMPLATE: &str = r#"
name = "Bookkeeping"
[[groups]]
name = "Month-end records"
[[groups.tasks]]
title = "Bank statements"
due = 7
[[groups.tasks]]
title = "Receipts"
due = 7
"#;

/// Ann's work, sent, with her upload to "Bank statements".
fn ann_work(docket: &Docket) -> WorkId {
    docket.import_template(TEMPLATE).unwrap();
    let ann = docket
        .create_contact(
            NewContact {
                name: "Ann Acre".into(),
                email: "ann@acre.example".into(),
                timezone: None,
                locale: None,
            },
            Actor::System,
        )
        .unwrap()
        .id;
    let id = docket
        .create_work(
            NewWork {
                template: "Bookkeeping".into(),
                start_date: Some("2026-03-02".parse().unwrap()),
                contacts: vec!["ann@acre.example".into()],
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id;
    docket.send_group(id, 0, Actor::System).unwrap();
    docket
        .add_file(
            id,
            NewUpload {
                name: "march.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4 march".to_vec(),
                task: Some((0, 0)),
            },
            Actor::Contact(ann),
        )
        .unwrap();
    id
}

fn staff() -> Actor {
    Actor::Api("desk".into())
}

fn send_back() -> Review {
    Review {
        accept: false,
        reason: Some("Page 2 of the March statement is missing".into()),
    }
}

fn accept() -> Review {
    Review {
        accept: true,
        reason: None,
    }
}

fn digests(mails: &[Received]) -> Vec<&Received> {
    mails
        .iter()
        .filter(|m| {
            m.header("Subject")
                .is_some_and(|s| s.starts_with("New message"))
        })
        .collect()
}

#[test]
fn a_send_back_and_an_accept_reach_the_client_at_once_on_the_manual_clock() {
    let sink = secure_sink();
    let smtp = smtp_config(&sink, Some(("docket", "s3cret pass")));
    let firm = Firm::new("2026-03-03T10:00:00Z", FirmConfig::default(), &smtp);
    let id = ann_work(&firm.docket);
    firm.deliver();
    let start = firm.docket.now();
    firm.docket
        .review_task(id, 0, 0, send_back(), staff())
        .unwrap();
    // A staff reply four minutes later does not put the email off.
    firm.clock.set(start + chrono::Duration::minutes(4));
    firm.docket
        .add_comment(id, "The one from your bank's website is fine", staff())
        .unwrap();
    firm.run_until(start + chrono::Duration::minutes(5));
    let mails = sink.wait_for(2, Duration::from_secs(20));
    let first = digests(&mails);
    assert_eq!(first.len(), 1, "one digest within five minutes");
    for said in [
        "Sent back: “Bank statements”",
        "Page 2 of the March statement is missing",
        "The one from your bank's website is fine",
    ] {
        assert!(first[0].text.contains(said), "{said}: {}", first[0].text);
    }
    // Accepted later: that reaches the client too, within the minute.
    firm.clock.set(start + chrono::Duration::hours(2));
    firm.docket
        .review_task(id, 0, 0, accept(), staff())
        .unwrap();
    firm.run_until(start + chrono::Duration::hours(2) + chrono::Duration::minutes(1));
    let mails = sink.wait_for(3, Duration::from_secs(20));
    let all = digests(&mails);
    assert_eq!(all.len(), 2);
    assert!(
        all[1].text.contains("Accepted: “Bank statements”"),
        "{}",
        all[1].text
    );
}

#[test]
fn a_send_back_and_an_accept_reach_the_client_at_once_on_the_real_clock() {
    let sink = secure_sink();
    let smtp = smtp_config(&sink, Some(("docket", "s3cret pass")));
    let clock: Arc<dyn Clock> = Arc::new(ScaledClock::new(chrono::Utc::now(), 1.0));
    let plugins = tempfile::tempdir().unwrap();
    let (host, refused) = PluginHost::open(&PluginsConfig::default(), plugins.path()).unwrap();
    assert!(refused.is_empty(), "{refused:?}");
    // The usual ten-minute digest wait: a send-back must not wait for it.
    let docket = Docket::open(
        Arc::new(MemoryStore::new()),
        clock,
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap()
    .with_plugins(Arc::new(host));
    let mailer = Mailer::new(
        MailTemplates::load(None).unwrap(),
        FROM,
        Arc::new(SmtpTransport::new(&smtp).unwrap()),
    )
    .unwrap();
    let id = ann_work(&docket);
    let workers = Workers::start(
        docket.clone(),
        Arc::new(mailer),
        WorkerOptions {
            idle: Duration::from_millis(100),
            ..WorkerOptions::default()
        },
    )
    .unwrap();
    // The request, then a staff comment (which alone would wait ten minutes), then the
    // send-back, which takes it along at once.
    sink.wait_for(1, Duration::from_secs(30));
    docket
        .add_comment(id, "The one from your bank's website is fine", staff())
        .unwrap();
    let began = Instant::now();
    docket.review_task(id, 0, 0, send_back(), staff()).unwrap();
    let mails = sink.wait_for(2, Duration::from_secs(30));
    let took = began.elapsed();
    let first = digests(&mails);
    assert_eq!(first.len(), 1, "{mails:?}");
    for said in [
        "Sent back: “Bank statements”",
        "Page 2 of the March statement is missing",
        "The one from your bank's website is fine",
    ] {
        assert!(first[0].text.contains(said), "{said}: {}", first[0].text);
    }
    // Then accepted: a second email, as promptly.
    docket.review_task(id, 0, 0, accept(), staff()).unwrap();
    let mails = sink.wait_for(3, Duration::from_secs(30));
    workers.stop();
    let all = digests(&mails);
    assert_eq!(all.len(), 2, "{mails:?}");
    assert!(
        all[1].text.contains("Accepted: “Bank statements”"),
        "{}",
        all[1].text
    );
    eprintln!("send-back to the client's inbox on the real clock: {took:?}");
}
