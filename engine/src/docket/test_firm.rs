//! A firm for the sending tests: the in-memory store, a manual clock, the stock WASM plugins
//! (and a misbehaving policy, and a policy and rule built against the old 0.1.0 contract) and
//! a transport that records what it is given.

use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};

use crate::config::{FirmConfig, PluginsConfig};
use crate::docket::Docket;
use crate::mail::{MailTemplates, Mailer, Transport, TransportError};
use crate::model::{Actor, NewContact, NewWork, WorkId};
use crate::plugin::PluginHost;
use crate::store::MemoryStore;
use crate::{Clock, ManualClock};

pub(crate) fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

pub(crate) fn host() -> Arc<PluginHost> {
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
            // It keeps the firm's usual 50 ms, so its loops end quickly.
            "name = 'misbehave'\nversion = '0.1.0'\nworld = 'reminder-policy'\n\n[limits]\ntimeout_ms = 50\n",
        )
        .unwrap();
        // One component of the 0.1.0 contract, installed as a policy and as a rule: its batch
        // reminds every three days, its single-group function (never called) every day.
        for (name, world) in [
            ("old-policy", "reminder-policy"),
            ("old-rule", "sending-rule"),
        ] {
            std::fs::copy(
                env!("DOCKET_TEST_CONTRACT_0_1_WASM"),
                plugins.join(format!("{name}.wasm")),
            )
            .unwrap();
            std::fs::write(
                plugins.join(format!("{name}.toml")),
                format!("name = '{name}'\nversion = '0.1.0'\nworld = '{world}'\n"),
            )
            .unwrap();
        }
        // Well-behaved plugins get a second a call: a loaded test machine can stall a call
        // past the 50 ms a firm gets by default, which is not what these tests are about.
        let config = PluginsConfig {
            timeout_ms: 1000,
            ..PluginsConfig::default()
        };
        let (host, refused) = PluginHost::open(&config, data.path()).unwrap();
        assert!(refused.is_empty());
        (data, Arc::new(host))
    })
    .1
    .clone()
}

/// Emails "sent", with the clock's time at sending.
#[derive(Default)]
pub(crate) struct Recorder(pub Mutex<Vec<(DateTime<Utc>, String)>>);

pub(crate) struct RecordingTransport {
    clock: Arc<dyn Clock>,
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

pub(crate) struct Firm {
    pub docket: Docket,
    pub clock: Arc<ManualClock>,
    pub mailer: Mailer,
    pub sent: Arc<Recorder>,
    pub fail: Arc<Mutex<Option<TransportError>>>,
}

pub(crate) const TEMPLATE: &str = r#"
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

/// A work item from `template` for `contact` starting on `start`.
pub(crate) fn new_work(docket: &Docket, template: &str, start: &str, contact: &str) -> WorkId {
    docket
        .create_work(
            NewWork {
                template: template.into(),
                start_date: Some(start.parse().unwrap()),
                contacts: vec![contact.into()],
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id
}

/// A firm on `clock` with the test template and Ann, and a mailer that records what it sends.
pub(crate) fn seeded(
    clock: Arc<dyn Clock>,
    firm: &FirmConfig,
) -> (
    Docket,
    Mailer,
    Arc<Recorder>,
    Arc<Mutex<Option<TransportError>>>,
) {
    let docket = Docket::open(
        Arc::new(MemoryStore::new()),
        clock.clone(),
        firm,
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
                locale: None,
            },
            Actor::System,
        )
        .unwrap();
    let sent = Arc::new(Recorder::default());
    let fail = Arc::new(Mutex::new(None));
    let transport = Arc::new(RecordingTransport {
        clock,
        sent: sent.clone(),
        fail: fail.clone(),
    });
    let mailer = Mailer::new(
        MailTemplates::load(None).unwrap(),
        "Smith & Co <office@smith.example>",
        transport,
    )
    .unwrap();
    (docket, mailer, sent, fail)
}

impl Firm {
    pub(crate) fn new(now: &str, firm: FirmConfig) -> Firm {
        let clock = Arc::new(ManualClock::new(utc(now)));
        let (docket, mailer, sent, fail) = seeded(clock.clone(), &firm);
        Firm {
            docket,
            clock,
            mailer,
            sent,
            fail,
        }
    }

    /// A "Year end" work item for Ann starting on `start`.
    pub(crate) fn work(&self, start: &str) -> WorkId {
        self.work_for("Year end", start, "ann@client.example")
    }

    pub(crate) fn work_for(&self, template: &str, start: &str, contact: &str) -> WorkId {
        new_work(&self.docket, template, start, contact)
    }

    pub(crate) fn contact(&self, name: &str, email: &str) {
        self.docket
            .create_contact(
                NewContact {
                    name: name.into(),
                    email: email.into(),
                    timezone: None,
                    locale: None,
                },
                Actor::System,
            )
            .unwrap();
    }

    /// Delivers every message due now, as the sender loop would.
    pub(crate) fn deliver(&self) {
        crate::workers::deliver_due(&self.docket, &self.mailer, 1).unwrap();
    }

    /// Runs the scheduler and the sender until `until`, as the server's loops would.
    pub(crate) fn run_until(&self, until: DateTime<Utc>) {
        crate::workers::run_until(&self.docket, &self.clock, &self.mailer, until).unwrap();
    }

    /// What the scheduler does next for the first group of `work`.
    pub(crate) fn next_fire(&self, work: WorkId) -> crate::model::Fire {
        self.docket.work(work).unwrap().groups[0]
            .next
            .clone()
            .expect("a planned fire")
    }

    /// The reminders sent so far: when, and the raw email.
    pub(crate) fn reminders(&self) -> Vec<(DateTime<Utc>, String)> {
        self.sent()
            .into_iter()
            .filter(|(_, raw)| raw.contains("Subject: Reminder"))
            .collect()
    }

    /// A firm that sends on weekdays only, with these holidays.
    pub(crate) fn weekdays(now: &str, holidays: &[&str]) -> Firm {
        Firm::new(
            now,
            FirmConfig {
                send_schedule: "0 9 * * MON-FRI".into(),
                holidays: holidays.iter().map(|d| d.to_string()).collect(),
                ..FirmConfig::default()
            },
        )
    }

    pub(crate) fn sent(&self) -> Vec<(DateTime<Utc>, String)> {
        self.sent.0.lock().unwrap().clone()
    }

    pub(crate) fn link_of(raw: &str) -> String {
        let start = raw.find("https://docket.example/c/").expect("a link");
        raw[start..start + "https://docket.example/c/".len() + 43].to_string()
    }
}

pub(crate) fn token(link: &str) -> &str {
    link.rsplit('/').next().unwrap()
}
