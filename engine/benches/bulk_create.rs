//! Bulk create: the same work for 500 contacts in one step (`Docket::create_work_bulk`), on a
//! sled data folder with the stock plugins planning each item's sending, as a server has it.
//! Prints the time of each of a few rounds and their median; the bar is under 2 s for
//! 500 items. Run with `cargo bench -p docket-engine --bench bulk_create`;
//! `DOCKET_BENCH_BULK` changes how many contacts a round takes.

/// The allocator the `docket` binary runs on, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: docket_engine::Allocator = docket_engine::Allocator;

use std::sync::Arc;
use std::time::{Duration, Instant};

use docket_engine::config::{FirmConfig, PluginsConfig};
use docket_engine::demo::EXAMPLE_TEMPLATES;
use docket_engine::model::{Actor, NewBulkWork, NewContact};
use docket_engine::plugin::PluginHost;
use docket_engine::store::{SledStore, Store};
use docket_engine::{Docket, SystemClock};

const ROUNDS: usize = 5;

fn main() {
    let contacts: usize = std::env::var("DOCKET_BENCH_BULK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let data = tempfile::tempdir_in(std::env::var("DOCKET_BENCH_DIR").unwrap_or(".".into()))
        .expect("a scratch folder");
    let (host, refused) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
    assert!(refused.is_empty(), "{refused:?}");
    let store: Arc<dyn Store> = Arc::new(SledStore::create(&data.path().join("store")).unwrap());
    let docket = Docket::open(
        store,
        Arc::new(SystemClock),
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap()
    .with_plugins(Arc::new(host));
    let template = docket.import_template(EXAMPLE_TEMPLATES[0]).unwrap();
    // Each round makes work for its own contacts, so no round finds the firm empty.
    let mut times = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let emails: Vec<String> = (0..contacts)
            .map(|n| format!("client{round}-{n}@client.example"))
            .collect();
        for (n, email) in emails.iter().enumerate() {
            docket
                .create_contact(
                    NewContact {
                        name: format!("Client {round}-{n}"),
                        email: email.clone(),
                        timezone: None,
                        locale: None,
                    },
                    Actor::System,
                )
                .unwrap();
        }
        let start_date = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
        let started = Instant::now();
        let made = docket
            .create_work_bulk(
                NewBulkWork {
                    template: template.name.clone(),
                    start_date: Some(start_date),
                    contacts: emails,
                    ..NewBulkWork::default()
                },
                Actor::System,
            )
            .unwrap();
        let took = started.elapsed();
        assert_eq!(made.len(), contacts);
        println!(
            "bulk create round {}: {contacts} work items in {took:.0?}",
            round + 1
        );
        times.push(took);
    }
    times.sort();
    let median: Duration = times[ROUNDS / 2];
    println!(
        "bulk create: {contacts} work items from “{}” in one batch, median {median:.0?} of {ROUNDS} rounds (bar: under 2 s for 500)",
        template.name
    );
}
