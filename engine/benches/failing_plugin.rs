//! What a reminder policy that loops forever costs a live server: 1,000 sent groups whose policy
//! runs into its deadline on every call, served by the real background loops on the real clock
//! for a minute (`-- SECONDS` for another span). Prints the process's CPU time over the span as
//! a share of one core (goal: at most 5 %), how many times the scheduler asked the plugin, and
//! what staff were shown.
//!
//! Run with `cargo bench -p docket-engine --bench failing_plugin`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use docket_engine::config::{FirmConfig, PluginsConfig};
use docket_engine::mail::{MailTemplates, Mailer, Transport, TransportError};
use docket_engine::model::{
    Actor, EventKind, Fire, FireAction, NewContact, NewWork, PluginRef, WorkItem,
};
use docket_engine::plugin::PluginHost;
use docket_engine::store::{SledStore, Store, Tree, decode};
use docket_engine::workers::{WorkerOptions, Workers};
use docket_engine::{Docket, SystemClock};

/// The allocator the `docket` binary runs on, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: docket_engine::Allocator = docket_engine::Allocator;

const GROUPS: usize = 1_000;

const TEMPLATE: &str = r#"
name = "Year end"
[[groups]]
name = "Documents"
[[groups.tasks]]
title = "Bank statements"
due = 14
"#;

/// Emails go nowhere: this bench is about the scheduler.
struct Nowhere;

impl Transport for Nowhere {
    fn send(&self, _: &lettre::Message) -> Result<(), TransportError> {
        Ok(())
    }

    fn describe(&self) -> String {
        "nowhere".into()
    }
}

/// CPU time (user and system) the whole process has used.
fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a whole `rusage` into the pointer it is given.
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn main() {
    let seconds: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(60);
    let data = tempfile::tempdir().unwrap();
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
    assert!(refused.is_empty(), "{refused:?}");
    let store: Arc<dyn Store> = Arc::new(SledStore::create(&data.path().join("store")).unwrap());
    let docket = Docket::open(
        store.clone(),
        Arc::new(SystemClock),
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap()
    .with_plugins(Arc::new(host));
    docket.import_template(TEMPLATE).unwrap();
    docket
        .create_contact(
            NewContact {
                name: "Ann".into(),
                email: "ann@client.example".into(),
                timezone: None,
                locale: None,
            },
            Actor::System,
        )
        .unwrap();
    // Sent groups whose policy loops, due for a decision now: written as they would be after
    // the policy was replaced by a bad version (the engine refuses to set a failing policy).
    let now = docket.now();
    let mut works: Vec<WorkItem> = (0..GROUPS)
        .map(|_| {
            docket
                .create_work(
                    NewWork {
                        template: "Year end".into(),
                        start_date: Some(now.date_naive()),
                        contacts: vec!["ann@client.example".into()],
                        ..NewWork::default()
                    },
                    Actor::System,
                )
                .unwrap()
        })
        .collect();
    for work in &mut works {
        let group = &mut work.groups[0];
        group.sent_at = Some(now);
        group.reminders = PluginRef {
            plugin: "misbehave".into(),
            params: [("mode".to_string(), "loop".into())].into(),
        };
        group.next = Some(Fire {
            at: now.into(),
            action: FireAction::Retry {
                reason: "replaced".into(),
            },
        });
    }
    docket.bulk_insert_work(&works).unwrap();

    let mailer = Arc::new(
        Mailer::new(
            MailTemplates::load(None).unwrap(),
            "Smith & Co <office@smith.example>",
            Arc::new(Nowhere),
        )
        .unwrap(),
    );
    let cpu_before = cpu_time();
    let started = Instant::now();
    let workers = Workers::start(docket.clone(), mailer, WorkerOptions::default()).unwrap();
    std::thread::sleep(Duration::from_secs(seconds));
    workers.stop();
    let cpu = cpu_time() - cpu_before;
    let wall = started.elapsed();

    let mut attempts = Vec::new();
    let mut shown = 0;
    for work in &works {
        let work: WorkItem =
            decode(&store.get(Tree::Work, &work.id.key()).unwrap().unwrap()).unwrap();
        attempts.push(work.groups[0].stuck.as_ref().map_or(0, |s| s.attempts));
        shown += docket
            .work_timeline(work.id, 50)
            .unwrap()
            .iter()
            .filter(|e| e.kind == EventKind::GroupStuck)
            .count();
    }
    let share = cpu.as_secs_f64() / wall.as_secs_f64() * 100.0;
    println!(
        "looping policy, {GROUPS} groups, {:.1} s of the real clock: CPU {:.3} s = {share:.2} % of one core (goal: at most 5 %)",
        wall.as_secs_f64(),
        cpu.as_secs_f64()
    );
    println!(
        "asked per group: {}..{} times; stuck shown on the timeline {shown} times for {GROUPS} groups (once each)",
        attempts.iter().min().unwrap(),
        attempts.iter().max().unwrap()
    );
    assert_eq!(shown, GROUPS, "each stuck group is said once");
}
