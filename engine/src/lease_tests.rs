//! Unit tests of `lease.rs`, on a real PostgreSQL store shared by two "servers".

use std::time::Duration;

use super::*;
use crate::store::pg_cluster::Cluster;
use crate::store::{MemoryStore, PgStore};

#[test]
fn one_server_holds_a_lease_until_it_runs_out_or_is_released() {
    let db = Cluster::shared().database();
    let a = PgStore::connect(&db.url, 2, &[]).unwrap();
    let b = PgStore::connect(&db.url, 2, &[]).unwrap();
    let (la, lb) = (
        Lease::new("tick", Duration::from_millis(1500)),
        Lease::new("tick", Duration::from_millis(1500)),
    );
    assert!(la.hold(&a).unwrap());
    assert!(!lb.hold(&b).unwrap(), "B waits while A holds it");
    assert!(la.hold(&a).unwrap(), "A renews");
    // A stops renewing (it died): B takes over once the lease ran out, on the real clock.
    std::thread::sleep(Duration::from_millis(1700));
    assert!(lb.hold(&b).unwrap());
    assert!(!la.hold(&a).unwrap());
    lb.release(&b).unwrap();
    assert!(la.hold(&a).unwrap(), "a released lease is taken at once");
    // Another loop's lease is its own.
    assert!(Lease::new("hooks", LEASE_TTL).hold(&b).unwrap());
}

#[test]
fn taking_over_a_lease_is_logged_once_by_each_server() {
    let db = Cluster::shared().database();
    let a = PgStore::connect(&db.url, 2, &[]).unwrap();
    let b = PgStore::connect(&db.url, 2, &[]).unwrap();
    let (la, lb) = (
        Lease::new("scheduler", Duration::from_millis(900)),
        Lease::new("scheduler", Duration::from_millis(900)),
    );
    let (_, lines) = crate::outage::tests::logged(|| {
        for _ in 0..3 {
            assert!(la.hold(&a).unwrap());
            assert!(!lb.hold(&b).unwrap());
        }
        std::thread::sleep(Duration::from_millis(1100));
        for _ in 0..3 {
            assert!(lb.hold(&b).unwrap());
        }
        assert!(!la.hold(&a).unwrap());
    });
    let now_runs = lines
        .iter()
        .filter(|l| l.contains("this server now runs the scheduler"))
        .count();
    let other = lines
        .iter()
        .filter(|l| l.contains("another server runs the scheduler now"))
        .count();
    assert_eq!((now_runs, other), (2, 1), "{lines:#?}");
}

#[test]
fn servers_racing_for_a_lease_get_one_holder() {
    let db = Cluster::shared().database();
    let stores: Vec<_> = (0..4)
        .map(|_| std::sync::Arc::new(PgStore::connect(&db.url, 2, &[]).unwrap()))
        .collect();
    let threads: Vec<_> = stores
        .iter()
        .cloned()
        .map(|s| {
            std::thread::spawn(move || Lease::new("tick", LEASE_TTL).hold(s.as_ref()).unwrap())
        })
        .collect();
    let held = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|h| *h)
        .count();
    assert_eq!(held, 1);
}

#[test]
fn a_store_of_one_server_needs_no_lease_and_writes_none() {
    let store = MemoryStore::new();
    let (a, b) = (Lease::new("tick", LEASE_TTL), Lease::new("tick", LEASE_TTL));
    assert!(a.hold(&store).unwrap() && b.hold(&store).unwrap());
    assert_eq!(store.len(Tree::Meta).unwrap(), 0);
}
