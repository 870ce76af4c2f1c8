//! Storage under faults: SIGKILL during a stream of acknowledged writes, concurrent writers on
//! one work item, and a full disk. Runs without the default harness so that the same binary can
//! be the child that writes until it is killed (`DOCKET_CRASH_CHILD`).

mod crash;
mod full_disk;

use std::sync::Arc;

use docket_engine::config::FirmConfig;
use docket_engine::demo::EXAMPLE_TEMPLATES;
use docket_engine::model::{Actor, NewContact, NewWork, WorkId};
use docket_engine::store::SledStore;
use docket_engine::{Docket, SystemClock};

fn main() {
    if std::env::var_os(crash::CHILD).is_some() {
        crash::child();
        return;
    }
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let tests: [(&str, fn()); 3] = [
        (
            "sigkill_during_acknowledged_writes_loses_none",
            crash::sigkill_during_acknowledged_writes_loses_none,
        ),
        (
            "concurrent_writers_on_one_work_item_lose_no_update",
            crash::concurrent_writers_on_one_work_item_lose_no_update,
        ),
        (
            "a_full_disk_is_a_clear_error_and_the_store_opens_clean",
            full_disk::a_full_disk_is_a_clear_error_and_the_store_opens_clean,
        ),
    ];
    let mut failed = 0;
    for (name, test) in tests {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let started = std::time::Instant::now();
        match std::panic::catch_unwind(test) {
            Ok(()) => println!("test {name} ... ok ({:.1?})", started.elapsed()),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} storage test(s) failed");
        std::process::exit(1);
    }
}

/// Opens a data folder's engine on the real clock (no plugin host: nothing is scheduled).
fn docket_over(store: Arc<SledStore>) -> Docket {
    Docket::open(
        store,
        Arc::new(SystemClock),
        &FirmConfig::default(),
        "http://localhost:8080",
    )
    .unwrap()
}

/// A new data folder with a template and a work item for two contacts.
fn firm_with_work(dir: &std::path::Path) -> WorkId {
    let store = Arc::new(SledStore::create(dir).unwrap());
    let docket = docket_over(store);
    docket.import_template(EXAMPLE_TEMPLATES[0]).unwrap();
    for (name, email) in [("Ann", "ann@client.example"), ("Bob", "bob@client.example")] {
        docket
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
    let template = docket.list_templates().unwrap().remove(0).name;
    docket
        .create_work(
            NewWork {
                template,
                start_date: chrono::NaiveDate::from_ymd_opt(2030, 1, 7),
                contacts: vec!["ann@client.example".into(), "bob@client.example".into()],
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id
}
