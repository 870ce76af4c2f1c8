//! Unit tests of `audit.rs`.

use chrono::Duration;

use super::*;
use crate::config::FirmConfig;
use crate::docket::test_firm::{Firm, utc};
use crate::model::Actor;

#[test]
fn orphans_are_reported_by_check_and_re_planned_by_repair() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    firm.docket
        .add_comment(id, "We have your P60", Actor::Api("tool".into()))
        .unwrap();
    let store = firm.docket.store().clone();
    assert!(audit_schedule(store.as_ref()).unwrap().is_empty());
    // Lose both entries, as the old precision bug did, and add two nothing plans.
    let fire = firm.next_fire(id);
    let digest: PendingDigest = crate::store::get_record(store.as_ref(), Tree::Digests, &id.key())
        .unwrap()
        .unwrap();
    let gone = WorkId::new(firm.docket.now());
    let mut batch = Batch::default();
    batch.remove(Tree::Schedule, schedule_key(fire.at, id, Some(0)));
    batch.remove(Tree::Schedule, schedule_key(digest.due_at, id, None));
    let elsewhere = KeyInstant::new(fire.at.get() + Duration::days(1));
    batch.put(
        Tree::Schedule,
        schedule_key(elsewhere, id, Some(0)),
        Vec::new(),
    );
    batch.put(
        Tree::Schedule,
        schedule_key(elsewhere, gone, Some(0)),
        Vec::new(),
    );
    store.commit(batch).unwrap();

    let audit = audit_schedule(store.as_ref()).unwrap();
    assert_eq!(audit.fires, vec![(id, 0, fire.at)]);
    assert_eq!(audit.digests, vec![(id, digest.due_at)]);
    assert_eq!(audit.stale.len(), 2, "{:?}", audit.lines());
    let checked = firm.docket.check(false).unwrap();
    for line in audit.lines() {
        assert!(checked.contains(&line), "{line} not in {checked:?}");
    }
    assert!(
        checked.iter().any(|l| l.contains("points at no work item")),
        "{checked:?}"
    );

    let repaired = firm.docket.repair_schedule().unwrap();
    assert_eq!(
        repaired,
        ScheduleRepair {
            fires: 1,
            digests: 1,
            stale: 2
        }
    );
    assert!(audit_schedule(store.as_ref()).unwrap().is_empty());
    assert!(firm.docket.check(false).unwrap().is_empty());
    assert_eq!(firm.next_fire(id).at, fire.at, "the plan is the same");
    // Both now go, once each.
    firm.run_until(utc("2026-03-10T00:00:00Z"));
    let sent = firm.sent();
    let count = |s: &str| sent.iter().filter(|(_, raw)| raw.contains(s)).count();
    assert_eq!(count("Subject: New message"), 1);
    assert_eq!(count("Subject: Reminder"), 1);
    assert!(firm.docket.repair_schedule().unwrap().is_empty());
}

#[test]
fn a_starting_server_sends_an_orphaned_digest() {
    let firm = Firm::new("2026-03-02T08:00:00.000400123Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    firm.docket
        .add_comment(id, "We have your P60", Actor::Api("tool".into()))
        .unwrap();
    let store = firm.docket.store().clone();
    let digest: PendingDigest = crate::store::get_record(store.as_ref(), Tree::Digests, &id.key())
        .unwrap()
        .unwrap();
    let mut batch = Batch::default();
    batch.remove(Tree::Schedule, schedule_key(digest.due_at, id, None));
    store.commit(batch).unwrap();
    firm.clock.set(utc("2026-03-02T09:00:00Z"));
    let workers = crate::workers::Workers::start(
        firm.docket.clone(),
        std::sync::Arc::new(firm.mailer),
        crate::workers::WorkerOptions::default(),
    )
    .unwrap();
    let start = std::time::Instant::now();
    let digests = || {
        firm.sent
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, raw)| raw.contains("Subject: New message"))
            .count()
    };
    while digests() == 0 && start.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    workers.stop();
    assert_eq!(digests(), 1);
    assert!(audit_schedule(store.as_ref()).unwrap().is_empty());
}

#[test]
fn a_server_audits_the_schedule_at_its_first_start_with_each_version_only() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    // Sent, the group plans its first reminder.
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    let store = firm.docket.store().clone();
    let orphan = |store: &dyn crate::store::Store| {
        let entries = store.scan(Tree::Schedule, b"", None, 10, false).unwrap();
        assert!(!entries.is_empty());
        let mut batch = Batch::default();
        for (key, _) in entries {
            batch.remove(Tree::Schedule, key);
        }
        store.commit(batch).unwrap();
    };
    orphan(store.as_ref());
    let first = firm.docket.repair_schedule_at_start().unwrap().unwrap();
    assert_eq!(first.fires, 1, "{first:?}");
    // The same version starting again reads no work item.
    orphan(store.as_ref());
    assert_eq!(firm.docket.repair_schedule_at_start().unwrap(), None);
    assert_eq!(audit_schedule(store.as_ref()).unwrap().fires.len(), 1);
    // A folder an older version audited last is audited again.
    let mut batch = Batch::default();
    batch.put(Tree::Meta, &b"schedule_audited_by"[..], &b"0.0.1"[..]);
    store.commit(batch).unwrap();
    let again = firm.docket.repair_schedule_at_start().unwrap().unwrap();
    assert_eq!(again.fires, 1, "{again:?}");
    assert!(audit_schedule(store.as_ref()).unwrap().is_empty());
}
