//! Unit tests of `outbox.rs` on a store two servers share (a real PostgreSQL database): each
//! queued email is claimed by one server, and what a stopped server left in flight is queued
//! again once, by one of the others.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use crate::config::FirmConfig;
use crate::docket::Docket;
use crate::store::pg_cluster::Cluster;
use crate::store::{PgStore, Store};

fn server(url: &str) -> Docket {
    let store: Arc<dyn Store> =
        Arc::new(PgStore::connect(url, 4, crate::docket::UPGRADES).unwrap());
    Docket::open(
        store,
        Arc::new(crate::SystemClock),
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap()
}

#[test]
fn two_servers_claim_every_email_once() {
    let db = Cluster::shared().database();
    let (a, b) = (server(&db.url), server(&db.url));
    for i in 0..120 {
        a.queue_plain_email(
            format!("k{i}"),
            None,
            "ann@client.example",
            &format!("Note {i}"),
            "Hello",
        )
        .unwrap();
    }
    let claimers: Vec<_> = [a.clone(), b.clone()]
        .into_iter()
        .map(|docket| {
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                let mut empty = 0;
                while empty < 3 {
                    let claimed = docket.claim_due_messages(16).unwrap();
                    if claimed.is_empty() {
                        empty += 1;
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    mine.extend(claimed.into_iter().map(|m| m.key));
                }
                mine
            })
        })
        .collect();
    let claims: Vec<Vec<String>> = claimers.into_iter().map(|t| t.join().unwrap()).collect();
    let all: Vec<&String> = claims.iter().flatten().collect();
    let unique: BTreeSet<&String> = all.iter().copied().collect();
    assert_eq!(all.len(), 120, "claimed {} times", all.len());
    assert_eq!(unique.len(), 120);
    assert_eq!(a.outbox_depth().unwrap(), (0, 120));

    // Nothing in flight is taken from a server that is still sending...
    assert_eq!(
        b.recover_stale_in_flight(Duration::from_secs(120)).unwrap(),
        0
    );
    // ...but once it has been in flight too long, its server is taken to have stopped: one of
    // two servers looking at once requeues each email.
    std::thread::sleep(Duration::from_millis(300));
    let lookers: Vec<_> = [a.clone(), b.clone()]
        .into_iter()
        .map(|d| {
            std::thread::spawn(move || {
                d.recover_stale_in_flight(Duration::from_millis(200))
                    .unwrap()
            })
        })
        .collect();
    let requeued: usize = lookers.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(requeued, 120);
    assert_eq!(b.outbox_depth().unwrap(), (120, 0));
}

#[test]
fn claiming_and_settling_many_emails_takes_a_few_round_trips() {
    let db = Cluster::shared().database();
    let store = Arc::new(PgStore::connect(&db.url, 4, crate::docket::UPGRADES).unwrap());
    let docket = Docket::open(
        store.clone() as Arc<dyn Store>,
        Arc::new(crate::SystemClock),
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap();
    for i in 0..64 {
        docket
            .queue_plain_email(format!("k{i}"), None, "ann@client.example", "Note", "Hi")
            .unwrap();
    }
    let before = store.round_trips();
    let claimed = docket.claim_due_messages(64).unwrap();
    assert_eq!(claimed.len(), 64);
    // The queue, the messages (one read for all), then the 64 claims 30 to a round trip.
    assert_eq!(store.round_trips() - before, 1 + 1 + 3);
    let before = store.round_trips();
    let sent = claimed
        .into_iter()
        .map(|m| {
            let subject = "Note".to_string();
            (m, crate::docket::Delivery::Sent { subject })
        })
        .collect();
    docket.settle_messages(sent).unwrap();
    assert_eq!(store.round_trips() - before, 1, "a settle is one statement");
    assert_eq!(docket.outbox_depth().unwrap(), (0, 0));
}
