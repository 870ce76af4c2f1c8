//! Unit tests of `stuck.rs`.

use chrono::Duration;

use crate::config::FirmConfig;
use crate::docket::test_firm::{Firm, utc};
use crate::docket::{NewUser, WorkDetails};
use crate::model::{Actor, EventKind, PluginRef, Role};
use crate::store::{Batch, Tree, encode};

/// Sets the work's reminder policy behind the engine's back (it refuses bad ones).
fn set_policy(firm: &Firm, id: crate::model::WorkId, policy: PluginRef) {
    let mut work = firm.docket.work(id).unwrap();
    work.groups[0].reminders = policy;
    let mut batch = Batch::default();
    batch.put(Tree::Work, id.key(), encode(&work));
    firm.docket.store().commit(batch).unwrap();
}

#[test]
fn a_stuck_group_is_shown_once_listed_for_attention_and_recovers() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let member = firm
        .docket
        .add_user(NewUser {
            email: "sam@smith.example".into(),
            name: "Sam".into(),
            role: Role::Staff,
            password: "correct horse battery".into(),
        })
        .unwrap();
    let id = firm.work("2026-03-02");
    firm.docket
        .update_work_details(
            id,
            WorkDetails {
                assignee: Some("sam@smith.example".into()),
                ..Default::default()
            },
            Actor::System,
        )
        .unwrap();
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    set_policy(
        &firm,
        id,
        PluginRef {
            plugin: "misbehave".into(),
            params: [("mode".to_string(), "trap".into())].into(),
        },
    );
    assert!(firm.docket.work_needing_attention(10).unwrap().is_empty());

    // Ten failures in a row over a day and a half: said once on the timeline, once in the
    // inbox.
    firm.run_until(utc("2026-03-10T20:00:00Z"));
    let stuck = firm.docket.work(id).unwrap().groups[0]
        .stuck
        .clone()
        .unwrap();
    assert!(stuck.attempts >= 10, "{stuck:?}");
    assert!(stuck.reason.contains("misbehave"), "{stuck:?}");
    assert_eq!(stuck.version, "0.1.0");
    let timeline = firm.docket.work_timeline(id, 100).unwrap();
    let said: Vec<_> = timeline
        .iter()
        .filter(|e| e.kind == EventKind::GroupStuck)
        .collect();
    assert_eq!(said.len(), 1, "{timeline:#?}");
    assert!(
        said[0].summary.contains("plugin “misbehave” 0.1.0 failed"),
        "{}",
        said[0].summary
    );
    let notes = firm.docket.notifications(member.id, 100).unwrap();
    let stuck_notes: Vec<_> = notes
        .iter()
        .filter(|n| n.kind == crate::docket::STUCK_KIND)
        .collect();
    assert_eq!(stuck_notes.len(), 1, "{notes:#?}");
    assert!(
        stuck_notes[0].message.contains("Documents"),
        "{}",
        stuck_notes[0].message
    );
    let attention = firm.docket.work_needing_attention(10).unwrap();
    assert_eq!(attention.iter().map(|w| w.id).collect::<Vec<_>>(), vec![id]);
    assert!(firm.docket.check(false).unwrap().is_empty());
    // The waits doubled to an hour: no more than an hour between two tries.
    let next = firm.next_fire(id);
    assert!(
        next.at.get() - firm.docket.now() <= Duration::hours(1),
        "{next:?}"
    );

    // The plugin is mended (as a new version of it would be: here its parameter, behind the
    // engine's back); installing a version asks its stuck groups again at once.
    set_policy(
        &firm,
        id,
        PluginRef {
            plugin: "misbehave".into(),
            params: [("mode".to_string(), "ok".into())].into(),
        },
    );
    assert_eq!(
        firm.docket.retry_stuck_on("gentle").unwrap(),
        0,
        "not its plugin"
    );
    assert_eq!(firm.docket.retry_stuck_on("misbehave").unwrap(), 1);
    let work = firm.docket.work(id).unwrap();
    assert_eq!(work.groups[0].stuck, None);
    assert_eq!(work.groups[0].next, None, "mode ok answers no reminder");
    let recovered = firm
        .docket
        .work_timeline(id, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::GroupRecovered)
        .count();
    assert_eq!(recovered, 1);
    assert!(firm.docket.work_needing_attention(10).unwrap().is_empty());
    assert!(firm.docket.check(false).unwrap().is_empty());
}

#[test]
fn a_removed_plugin_is_noticed_at_once_and_another_policy_recovers_the_group() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    // The group's policy is removed from the folder (here: named as one that is gone).
    set_policy(
        &firm,
        id,
        PluginRef {
            plugin: "gone".into(),
            params: Default::default(),
        },
    );
    assert_eq!(firm.docket.replan_work_naming("gone").unwrap(), 1);
    let stuck = firm.docket.work(id).unwrap().groups[0]
        .stuck
        .clone()
        .unwrap();
    assert_eq!(stuck.plugin, "gone");
    assert_eq!(stuck.version, "", "not installed");
    firm.docket
        .update_group_settings(
            id,
            0,
            crate::docket::GroupSettings {
                reminders: Some(PluginRef::gentle()),
                ..Default::default()
            },
            Actor::System,
        )
        .unwrap();
    let said: Vec<String> = firm
        .docket
        .work_timeline(id, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::GroupRecovered)
        .map(|e| e.summary)
        .collect();
    assert_eq!(said.len(), 1);
    assert!(
        said[0].contains("by plugin “gentle”: plugin “gone”")
            && said[0].contains("no longer decides"),
        "{}",
        said[0]
    );
}
