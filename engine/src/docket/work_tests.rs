//! Tests of work items: due dates, indexes, validation and paging.
use chrono::NaiveDate;

use super::*;
use crate::demo::EXAMPLE_TEMPLATES;
use crate::docket::test_support::docket_at;
use crate::model::NewContact;

fn setup() -> (Docket, Vec<ContactId>) {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    docket.import_template(EXAMPLE_TEMPLATES[0]).unwrap();
    let contacts = ["ann@client.example", "bob@client.example"]
        .iter()
        .map(|email| {
            docket
                .create_contact(
                    NewContact {
                        name: "Client".into(),
                        email: email.to_string(),
                        timezone: None,
                    },
                    Actor::System,
                )
                .unwrap()
                .id
        })
        .collect();
    (docket, contacts)
}

fn new_work(docket: &Docket, contacts: &[&str]) -> NewWork {
    NewWork {
        template: docket.list_templates().unwrap()[0].name.clone(),
        start_date: Some(NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()),
        contacts: contacts.iter().map(|c| c.to_string()).collect(),
        ..NewWork::default()
    }
}

#[test]
fn work_gets_absolute_due_dates_and_indexes() {
    let (docket, contacts) = setup();
    let template = docket.list_templates().unwrap().remove(0);
    let work = docket
        .create_work(new_work(&docket, &["ann@client.example"]), Actor::System)
        .unwrap();
    assert_eq!(work.title, template.name);
    assert_eq!(work.status, WorkStatus::Planned);
    for (group, tmpl) in work.groups.iter().zip(&template.groups) {
        assert_eq!(group.recipient, contacts[0]);
        for (task, t) in group.tasks.iter().zip(&tmpl.tasks) {
            assert_eq!(
                task.due_date,
                due_date(work.start_date, t.due_offset_days).unwrap()
            );
        }
    }
    let by_contact = docket
        .list_work(
            &WorkFilter {
                contact: Some(contacts[0]),
                ..Default::default()
            },
            None,
            10,
        )
        .unwrap();
    assert_eq!(by_contact, vec![work.clone()]);
    assert!(
        docket
            .list_work(
                &WorkFilter {
                    contact: Some(contacts[1]),
                    ..Default::default()
                },
                None,
                10
            )
            .unwrap()
            .is_empty()
    );
    let planned = docket
        .list_work(
            &WorkFilter {
                status: Some(WorkStatus::Planned),
                ..Default::default()
            },
            None,
            10,
        )
        .unwrap();
    assert_eq!(planned.len(), 1);

    let sent = docket.send_group(work.id, 0, Actor::System).unwrap();
    assert_eq!(sent.status, WorkStatus::WaitingOnClient);
    assert!(
        docket
            .list_work(
                &WorkFilter {
                    status: Some(WorkStatus::Planned),
                    ..Default::default()
                },
                None,
                10
            )
            .unwrap()
            .is_empty()
    );
    let done = docket
        .set_task_done(work.id, 0, 0, true, Actor::Contact(contacts[0]))
        .unwrap();
    assert!(done.groups[0].tasks[0].done_at.is_some());
    let timeline = docket.work_timeline(work.id, 10).unwrap();
    let kinds: Vec<_> = timeline.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::TaskCompleted,
            EventKind::GroupSent,
            EventKind::WorkCreated
        ]
    );
}

#[test]
fn bad_work_is_refused_with_a_clear_error() {
    let (docket, _) = setup();
    let cases: Vec<(NewWork, &str)> = vec![
        (
            NewWork {
                start_date: None,
                ..new_work(&docket, &["ann@client.example"])
            },
            "needs a start date",
        ),
        (
            new_work(&docket, &["nobody@client.example"]),
            "unknown contact nobody@client.example",
        ),
        (new_work(&docket, &[]), "needs a recipient contact"),
        (
            NewWork {
                template: "No such".into(),
                ..new_work(&docket, &["ann@client.example"])
            },
            "template `No such` not found",
        ),
        (
            NewWork {
                assignee: Some("ghost@firm.example".into()),
                ..new_work(&docket, &["ann@client.example"])
            },
            "no staff user has email ghost@firm.example",
        ),
    ];
    for (new, want) in cases {
        let err = docket
            .create_work(new, Actor::System)
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err}");
    }
    assert!(
        docket
            .list_work(&WorkFilter::default(), None, 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn listing_pages_newest_first() {
    let (docket, _) = setup();
    let ids: Vec<_> = (0..5)
        .map(|_| {
            docket
                .create_work(new_work(&docket, &["ann@client.example"]), Actor::System)
                .unwrap()
                .id
        })
        .collect();
    let first = docket.list_work(&WorkFilter::default(), None, 2).unwrap();
    assert_eq!(
        first.iter().map(|w| w.id).collect::<Vec<_>>(),
        [ids[4], ids[3]]
    );
    let next = docket
        .list_work(&WorkFilter::default(), Some(ids[3]), 10)
        .unwrap();
    assert_eq!(
        next.iter().map(|w| w.id).collect::<Vec<_>>(),
        [ids[2], ids[1], ids[0]]
    );
    let by_status = docket
        .list_work(
            &WorkFilter {
                status: Some(WorkStatus::Planned),
                ..Default::default()
            },
            Some(ids[3]),
            2,
        )
        .unwrap();
    assert_eq!(
        by_status.iter().map(|w| w.id).collect::<Vec<_>>(),
        [ids[2], ids[1]]
    );
}

#[test]
fn configuration_keys_that_are_set_reach_the_stored_settings() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let mut firm = crate::config::FirmConfig {
        send_schedule: "0 9 * * MON-FRI".into(),
        name: "Renamed & Co".into(),
        ..Default::default()
    };
    // Only the keys the file set are applied; the name was not set there.
    firm.explicit = vec!["send_schedule".into()];
    let changes = docket
        .apply_config(&firm, "https://docket.example")
        .unwrap();
    assert_eq!(changes.len(), 2, "{changes:?}");
    let settings = docket.firm_settings().unwrap();
    assert_eq!(settings.send_schedule.as_deref(), Some("0 9 * * MON-FRI"));
    assert_eq!(settings.base_url, "https://docket.example");
    assert_eq!(settings.name, "My Firm");
    assert!(
        docket
            .apply_config(&firm, "https://docket.example")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_null_sender_clears_it_and_a_missing_one_leaves_it() {
    let clear: super::GroupSettings = serde_json::from_str(r#"{"sender": null}"#).unwrap();
    assert_eq!(clear.sender.as_deref(), Some(""));
    let keep: super::GroupSettings = serde_json::from_str(r#"{"reminders": null}"#).unwrap();
    assert_eq!(keep.sender, None);
    let set: super::GroupSettings =
        serde_json::from_str(r#"{"sender": "sam@firm.example"}"#).unwrap();
    assert_eq!(set.sender.as_deref(), Some("sam@firm.example"));
}
