//! Email end to end against a real SMTP server running as its own process
//! (`tests/smtp/mailsink.py`, aiosmtpd, with STARTTLS and AUTH): the reminder calendars of whole
//! quarters under a manual clock, faults of the relay, the server on a simulated clock, and
//! crashes in the middle of a burst of sends. This file holds the shared fixtures.

#[path = "../support/mod.rs"]
mod support;

mod crash;
mod faults;
mod languages;
mod replies;
mod review;
mod scenario;
mod serve;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use docket_engine::config::{FirmConfig, PluginsConfig, SmtpConfig};
use docket_engine::mail::{MailTemplates, Mailer, SmtpTransport};
use docket_engine::model::{Actor, NewContact, NewWork, WorkId};
use docket_engine::plugin::PluginHost;
use docket_engine::store::MemoryStore;
use docket_engine::workers;
use docket_engine::{Docket, ManualClock};
use support::smtp::{MailSink, Received, SinkOptions};

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// The relay settings that reach `sink`: STARTTLS with its CA, and AUTH when it asks for it.
pub fn smtp_config(sink: &MailSink, auth: Option<(&str, &str)>) -> SmtpConfig {
    SmtpConfig {
        host: "localhost".into(),
        port: sink.port,
        username: auth.map(|(u, _)| u.to_string()),
        password: auth.map(|(_, p)| p.to_string()),
        security: if sink.ca_pem.is_some() {
            "starttls".into()
        } else {
            "none".into()
        },
        ca_file: sink.ca_pem.clone(),
        timeout_secs: 10,
        connections: 2,
    }
}

/// A secure sink: STARTTLS required, AUTH required.
pub fn secure_sink() -> MailSink {
    MailSink::start(SinkOptions {
        tls: true,
        auth: Some(("docket".into(), "s3cret pass".into())),
        ..SinkOptions::default()
    })
}

/// A firm on the in-memory store and a manual clock, with the stock plugins, mailing through
/// a real SMTP transport.
pub struct Firm {
    pub docket: Docket,
    pub clock: Arc<ManualClock>,
    pub mailer: Mailer,
    _plugins: tempfile::TempDir,
}

pub const FROM: &str = "Smith & Co <office@smith.example>";

impl Firm {
    pub fn new(now: &str, firm: FirmConfig, smtp: &SmtpConfig) -> Firm {
        let clock = Arc::new(ManualClock::new(utc(now)));
        let plugins = tempfile::tempdir().unwrap();
        let (host, refused) = PluginHost::open(&PluginsConfig::default(), plugins.path()).unwrap();
        assert!(refused.is_empty(), "{refused:?}");
        let docket = Docket::open(
            Arc::new(MemoryStore::new()),
            clock.clone(),
            &firm,
            "https://docket.example",
        )
        .unwrap()
        .with_plugins(Arc::new(host));
        let mailer = Mailer::new(
            MailTemplates::load(None).unwrap(),
            FROM,
            Arc::new(SmtpTransport::new(smtp).unwrap()),
        )
        .unwrap();
        Firm {
            docket,
            clock,
            mailer,
            _plugins: plugins,
        }
    }

    pub fn contact(&self, name: &str, email: &str, timezone: Option<&str>) {
        self.docket
            .create_contact(
                NewContact {
                    name: name.into(),
                    email: email.into(),
                    timezone: timezone.map(str::to_string),
                    locale: None,
                },
                Actor::System,
            )
            .unwrap();
    }

    pub fn work(
        &self,
        template: &str,
        start: &str,
        contact: &str,
        assignee: Option<&str>,
    ) -> WorkId {
        self.docket
            .create_work(
                NewWork {
                    template: template.into(),
                    start_date: Some(start.parse().unwrap()),
                    contacts: vec![contact.into()],
                    assignee: assignee.map(str::to_string),
                    external_name: Some(format!("{template} {start}")),
                    ..NewWork::default()
                },
                Actor::System,
            )
            .unwrap()
            .id
    }

    /// Delivers every message due now, as the sender loop does.
    pub fn deliver(&self) {
        workers::deliver_due(&self.docket, &self.mailer, 1).unwrap();
    }

    /// Runs the scheduler and the sender until `until`, as the server's loops would.
    pub fn run_until(&self, until: DateTime<Utc>) {
        workers::run_until(&self.docket, &self.clock, &self.mailer, until).unwrap();
    }
}

/// The magic link in a received email's text.
pub fn link_of(mail: &Received) -> String {
    let start = mail
        .text
        .find("https://docket.example/c/")
        .unwrap_or_else(|| panic!("no link in {}", mail.text));
    mail.text[start..start + "https://docket.example/c/".len() + 43].to_string()
}

/// The token of a link.
pub fn token(link: &str) -> &str {
    link.rsplit('/').next().unwrap()
}
