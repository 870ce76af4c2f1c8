//! Work that repeats, across what a store goes through: a restart between an occurrence and
//! its making, a second server sharing the store, two engines on one real PostgreSQL database
//! (each occurrence made once), and `docket check` finding a corrupt `repeats` index.

use std::sync::Arc;

use super::tests::{bookkeeping, day, every, made};
use crate::ManualClock;
use crate::config::FirmConfig;
use crate::docket::Docket;
use crate::docket::test_firm::{Firm, host, seeded, utc};
use crate::model::{Actor, EventKind};
use crate::store::{SledStore, Tree};

/// A firm on a data folder (sled), as a server opens it.
fn on_folder(dir: &std::path::Path, clock: Arc<ManualClock>) -> Docket {
    let dir = dir.join("data");
    let store = if dir.exists() {
        SledStore::open(&dir).unwrap()
    } else {
        SledStore::create(&dir).unwrap()
    };
    Docket::open(
        Arc::new(store),
        clock,
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap()
    .with_plugins(host())
}

#[test]
fn a_restart_between_an_occurrence_and_its_making_makes_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(utc("2026-01-05T08:00:00Z")));
    let docket = on_folder(dir.path(), clock.clone());
    docket
        .create_contact(
            crate::model::NewContact {
                name: "Ann Archer".into(),
                email: "ann@client.example".into(),
                timezone: None,
                locale: None,
            },
            Actor::System,
        )
        .unwrap();
    let series = bookkeeping(&docket, "2026-01-05");
    docket
        .set_repeat(series, every("quarter"), Actor::System)
        .unwrap();
    let before = docket
        .store()
        .get(Tree::Work, &series.key())
        .unwrap()
        .unwrap();
    // The occurrence passes while the server is down; it is made when it is back.
    drop(docket);
    clock.set(utc("2026-04-05T00:00:01Z"));
    let docket = on_folder(dir.path(), clock.clone());
    assert_eq!(docket.tick().unwrap().repeats, 1);
    drop(docket);
    // Killed right after: reopened, the next tick makes nothing more.
    let docket = on_folder(dir.path(), clock.clone());
    assert_eq!(docket.tick().unwrap().repeats, 0);
    assert_eq!(made(&docket, series).len(), 1);
    // Even a server that still sees the series before the occurrence (its view of the record
    // lost the move) finds the occurrence's key and only moves the series on.
    let mut batch = crate::store::Batch::default();
    batch.put(Tree::Work, series.key(), before);
    batch.put(
        Tree::Repeats,
        super::super::repeat_rule::due_key(
            crate::model::KeyInstant::new(utc("2026-04-05T00:00:00Z")),
            series,
        ),
        Vec::new(),
    );
    docket.store().commit(batch).unwrap();
    assert_eq!(docket.tick().unwrap().repeats, 0);
    assert_eq!(made(&docket, series).len(), 1);
    assert_eq!(docket.store().len(Tree::Work).unwrap(), 2);
    let repeat = docket.work(series).unwrap().repeat.unwrap();
    assert_eq!(repeat.next[0].start_date, day("2026-07-05"));
}

#[test]
fn two_servers_sharing_a_store_make_each_occurrence_once() {
    let clock = Arc::new(ManualClock::new(utc("2026-01-05T08:00:00Z")));
    let (one, ..) = seeded(clock.clone(), &FirmConfig::default());
    let series = bookkeeping(&one, "2026-01-05");
    one.set_repeat(series, every("month"), Actor::System)
        .unwrap();
    let two = Docket::open(
        one.store().clone(),
        clock.clone(),
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap()
    .with_plugins(host());
    clock.set(utc("2026-12-06T00:00:00Z"));
    std::thread::scope(|s| {
        for docket in [&one, &two] {
            s.spawn(move || {
                for _ in 0..5 {
                    docket.tick().unwrap();
                }
            });
        }
    });
    let dates: Vec<_> = made(&one, series).iter().map(|w| w.start_date).collect();
    assert_eq!(dates.len(), 11, "{dates:?}");
    assert_eq!(one.store().len(Tree::Work).unwrap(), 12);
}

#[test]
fn docket_check_finds_a_corrupt_repeats_index() {
    let firm = Firm::new("2026-01-05T08:00:00Z", FirmConfig::default());
    let series = bookkeeping(&firm.docket, "2026-01-05");
    firm.docket
        .set_repeat(series, every("month"), Actor::System)
        .unwrap();
    firm.run_until(utc("2026-03-06T00:00:00Z"));
    let store = firm.docket.store().clone();
    assert_eq!(
        crate::check::check(&*store, false).unwrap(),
        Vec::<String>::new()
    );
    let made = made(&firm.docket, series);
    assert_eq!(made.len(), 2);
    let entries = store
        .scan(Tree::Repeats, b"", None, usize::MAX, false)
        .unwrap();
    let (due, _) = entries.iter().find(|(k, _)| k.starts_with(b"d/")).unwrap();
    let (occurrence, _) = entries.iter().find(|(k, _)| k.starts_with(b"o/")).unwrap();
    let ghost = crate::model::new_id(firm.docket.now());
    let mut batch = crate::store::Batch::default();
    // The series' due entry lost; one at another instant, one for work that does not exist;
    // an occurrence pointing at work not made by the repeat.
    batch.remove(Tree::Repeats, due.clone());
    batch.put(
        Tree::Repeats,
        format!("d/2027-01-01T00:00:00.000000000Z/{series}").into_bytes(),
        Vec::new(),
    );
    batch.put(
        Tree::Repeats,
        format!("o/{ghost}/2026-04-05").into_bytes(),
        made[0].id.to_string().into_bytes(),
    );
    batch.put(
        Tree::Repeats,
        occurrence.clone(),
        series.to_string().into_bytes(),
    );
    store.commit(batch).unwrap();
    let problems = crate::check::check(&*store, false).unwrap();
    let about = |words: &str| problems.iter().filter(|p| p.contains(words)).count();
    assert_eq!(about("is missing or points elsewhere"), 1, "{problems:#?}");
    assert_eq!(
        about("points at no work whose next repeat is due then"),
        1,
        "{problems:#?}"
    );
    assert_eq!(
        about("names a repeating work item that does not exist"),
        1,
        "{problems:#?}"
    );
    assert_eq!(
        about("which was not made by that repeat"),
        2,
        "{problems:#?}"
    );
    assert!(
        problems.iter().all(|p| p.starts_with("repeats: ")),
        "{problems:#?}"
    );
}

/// "Across replicas" on a real PostgreSQL database: two engines, each with its own connection
/// pool to one private cluster's database, tick at once over eleven months of occurrences.
#[test]
fn two_engines_on_one_postgresql_database_make_each_occurrence_once() {
    let db = crate::store::pg_cluster::Cluster::shared().database();
    let clock = Arc::new(ManualClock::new(utc("2026-01-05T08:00:00Z")));
    let open = || {
        let store = crate::store::PgStore::connect(&db.url, 4, &[]).unwrap();
        Docket::open(
            Arc::new(store),
            clock.clone(),
            &FirmConfig::default(),
            "https://docket.example",
        )
        .unwrap()
        .with_plugins(host())
    };
    let one = open();
    one.create_contact(
        crate::model::NewContact {
            name: "Ann Archer".into(),
            email: "ann@client.example".into(),
            timezone: None,
            locale: None,
        },
        Actor::System,
    )
    .unwrap();
    let series = bookkeeping(&one, "2026-01-05");
    one.set_repeat(series, every("month"), Actor::System)
        .unwrap();
    let two = open();
    clock.set(utc("2026-12-06T00:00:00Z"));
    std::thread::scope(|s| {
        for docket in [&one, &two] {
            s.spawn(move || {
                for _ in 0..5 {
                    docket.tick().unwrap();
                }
            });
        }
    });
    let mut dates: Vec<_> = made(&two, series).iter().map(|w| w.start_date).collect();
    assert_eq!(dates.len(), 11, "{dates:?}");
    dates.dedup();
    assert_eq!(dates.len(), 11, "each month once: {dates:?}");
    assert_eq!(one.store().len(Tree::Work).unwrap(), 12);
    let said = one
        .work_timeline(series, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::RepeatMade)
        .count();
    assert_eq!(said, 11, "each made once, said once");
    assert_eq!(
        one.work(series).unwrap().repeat.unwrap().next[0].start_date,
        day("2027-01-05")
    );
}
