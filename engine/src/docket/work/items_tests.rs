//! Tests of work items: due dates, indexes, validation and paging.
use chrono::NaiveDate;

use crate::due::due_date;

use super::*;
use crate::demo::EXAMPLE_TEMPLATES;
use crate::docket::test_support::docket_at;
use crate::docket::{WorkFilter, WorkListQuery, next_due, work_list_keys};
use crate::model::{NewContact, NewWork};

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
                        locale: None,
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
    assert_eq!(work.title, format!("Client — {}", template.name));
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
            "no staff member has the email ghost@firm.example",
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
    let clear: crate::docket::GroupSettings = serde_json::from_str(r#"{"sender": null}"#).unwrap();
    assert_eq!(clear.sender.as_deref(), Some(""));
    let keep: crate::docket::GroupSettings =
        serde_json::from_str(r#"{"reminders": null}"#).unwrap();
    assert_eq!(keep.sender, None);
    let set: crate::docket::GroupSettings =
        serde_json::from_str(r#"{"sender": "sam@firm.example"}"#).unwrap();
    assert_eq!(set.sender.as_deref(), Some("sam@firm.example"));
}

fn staff(docket: &Docket, email: &str) -> crate::model::UserId {
    docket
        .add_user(crate::docket::NewUser {
            email: email.into(),
            name: email.into(),
            role: crate::model::Role::Staff,
            password: "correct horse battery".into(),
        })
        .unwrap()
        .id
}

fn query(pairs: &[(&str, &str)]) -> WorkListQuery {
    let mut q = WorkListQuery::default();
    for (key, value) in pairs {
        let slot = match *key {
            "status" => &mut q.status,
            "sub_status" => &mut q.sub_status,
            "assignee" => &mut q.assignee,
            "due_from" => &mut q.due_from,
            "due_to" => &mut q.due_to,
            "waiting_on_client" => &mut q.waiting_on_client,
            "contact" => &mut q.contact,
            other => panic!("no filter {other}"),
        };
        *slot = Some(value.to_string());
    }
    q
}

#[test]
fn the_work_list_filters_by_assignee_sub_status_due_window_and_waiting() {
    let (docket, _) = setup();
    let ann = staff(&docket, "ann@firm.example");
    let make = |start: (i32, u32, u32), assignee: Option<&str>| {
        docket
            .create_work(
                NewWork {
                    start_date: NaiveDate::from_ymd_opt(start.0, start.1, start.2),
                    assignee: assignee.map(str::to_string),
                    ..new_work(&docket, &["ann@client.example"])
                },
                Actor::System,
            )
            .unwrap()
    };
    let early = make((2027, 1, 20), Some("ann@firm.example"));
    let late = make((2027, 3, 1), None);
    let list = |pairs: &[(&str, &str)]| -> Vec<WorkId> {
        let filter = docket.work_filter(&query(pairs)).unwrap();
        docket
            .list_work(&filter, None, 10)
            .unwrap()
            .into_iter()
            .map(|w| w.id)
            .collect()
    };
    assert_eq!(list(&[("assignee", "ann@firm.example")]), [early.id]);
    assert_eq!(list(&[("assignee", &ann.to_string())]), [early.id]);
    assert_eq!(list(&[("assignee", "none")]), [late.id]);
    // Newest first without a due window; soonest due first with one.
    assert_eq!(list(&[]), [late.id, early.id]);
    assert_eq!(list(&[("due_from", "2027-01-01")]), [early.id, late.id]);
    let early_due = next_due(&early).unwrap().to_string();
    assert_eq!(
        list(&[("due_from", "2027-01-01"), ("due_to", &early_due)]),
        [early.id]
    );
    assert_eq!(
        list(&[("due_from", &next_due(&late).unwrap().to_string())]),
        [late.id]
    );
    // Paging through the due window.
    let filter = docket
        .work_filter(&query(&[("due_to", "2030-01-01")]))
        .unwrap();
    let first = docket.list_work(&filter, None, 1).unwrap();
    assert_eq!(first[0].id, early.id);
    let second = docket.list_work(&filter, Some(early.id), 1).unwrap();
    assert_eq!(second[0].id, late.id);

    docket.send_group(late.id, 0, Actor::System).unwrap();
    assert_eq!(list(&[("waiting_on_client", "on")]), [late.id]);
    assert_eq!(list(&[("status", "planned")]), [early.id]);
    docket
        .set_work_status(
            early.id,
            WorkStatus::Planned,
            Some("needs papers".into()),
            Actor::System,
        )
        .unwrap();
    assert_eq!(list(&[("sub_status", "needs papers")]), [early.id]);
    assert_eq!(
        list(&[("sub_status", "needs papers"), ("status", "completed")]),
        Vec::<WorkId>::new()
    );
    // A task done moves the work's next due date, and its place in the due index.
    let done = docket.work(early.id).unwrap();
    for (t, _) in done.groups[0].tasks.iter().enumerate() {
        docket
            .set_task_done(early.id, 0, t, true, Actor::System)
            .unwrap();
    }
    let now_due = next_due(&docket.work(early.id).unwrap());
    assert_ne!(now_due, next_due(&early));
    assert!(
        crate::check::check(docket.store.as_ref(), false)
            .unwrap()
            .is_empty()
    );

    for (pairs, expected) in [
        (
            &[("due_from", "31/01/2027")][..],
            "due_from: 31/01/2027 is not a date: write it as YYYY-MM-DD",
        ),
        (
            &[("due_from", "2027-02-01"), ("due_to", "2027-01-01")][..],
            "swap the dates",
        ),
        (&[("assignee", "nobody@firm.example")][..], "no staff user"),
        (&[("status", "open")][..], "not a work status"),
        (&[("waiting_on_client", "maybe")][..], "true or false"),
        (
            &[("waiting_on_client", "true"), ("status", "planned")][..],
            "not both",
        ),
    ] {
        let err = docket.work_filter(&query(pairs)).unwrap_err().to_string();
        assert!(err.contains(expected), "{pairs:?}: {err}");
    }
}

#[test]
fn a_folder_from_before_the_work_list_indexes_gets_them() {
    use crate::store::{Batch, SledStore, Store};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let work = {
        let store = Arc::new(SledStore::create(&path).unwrap());
        let (seeded, _) = setup();
        let clock = Arc::new(crate::ManualClock::new(seeded.now()));
        let docket = Docket::open(
            store.clone(),
            clock,
            &crate::config::FirmConfig::default(),
            "http://localhost:8080",
        )
        .unwrap();
        docket.import_template(EXAMPLE_TEMPLATES[0]).unwrap();
        docket
            .create_contact(
                NewContact {
                    name: "Client".into(),
                    email: "ann@client.example".into(),
                    timezone: None,
                    locale: None,
                },
                Actor::System,
            )
            .unwrap();
        let work = docket
            .create_work(new_work(&docket, &["ann@client.example"]), Actor::System)
            .unwrap();
        // As a format-4 docket left it: the work item, none of the new indexes.
        let mut batch = Batch::default();
        for (tree, key) in work_list_keys(&work) {
            batch.remove(tree, key);
        }
        batch.put(Tree::Meta, "store_format", 4u16.to_be_bytes().to_vec());
        store.commit(batch).unwrap();
        store.flush().unwrap();
        assert!(
            !crate::check::check(store.as_ref(), false)
                .unwrap()
                .is_empty()
        );
        work
    };
    let store = SledStore::open_upgrading(&path, crate::docket::UPGRADES).unwrap();
    for (tree, key) in work_list_keys(&work) {
        assert!(store.get(tree, &key).unwrap().is_some(), "{}", tree.name());
    }
    assert_eq!(
        crate::check::check(&store, false).unwrap(),
        Vec::<String>::new()
    );
    // `check` names an index entry that points at nothing.
    let mut batch = Batch::default();
    batch.put(
        Tree::WorkByDue,
        format!("2020-01-01/{}", work.id).into_bytes(),
        Vec::new(),
    );
    store.commit(batch).unwrap();
    let problems = crate::check::check(&store, false).unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("work_by_due:"), "{problems:?}");
}

#[test]
fn a_status_change_reads_in_the_page_s_words_on_the_timeline() {
    let (docket, _) = setup();
    let work = docket
        .create_work(new_work(&docket, &["ann@client.example"]), Actor::System)
        .unwrap();
    docket
        .set_work_status(work.id, WorkStatus::WaitingOnClient, None, Actor::System)
        .unwrap();
    let events = docket.work_timeline(work.id, 10).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.summary == "Status changed from Planned to Waiting on the client"),
        "{events:#?}"
    );
}

/// Names and titles people type have a sane maximum, refused with the field they are about.
#[test]
fn overlong_names_and_titles_are_refused_by_their_field() {
    use crate::config::FirmConfig;
    use crate::docket::test_firm::Firm;
    use crate::docket::work::actions::TaskChange;
    use crate::model::{MAX_NAME_CHARS, NewWork};
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let field = |e: crate::Error| (e.field().map(str::to_string), e.to_string());

    // A 20,000-character contact name.
    let err = firm
        .docket
        .create_contact(
            NewContact {
                name: "A".repeat(20_000),
                email: "long@client.example".into(),
                timezone: None,
                locale: None,
            },
            Actor::System,
        )
        .unwrap_err();
    let (f, message) = field(err);
    assert_eq!(f.as_deref(), Some("name"), "{message}");
    assert!(message.contains(&MAX_NAME_CHARS.to_string()), "{message}");

    // A 3,000-character task title: added to a work item, edited, or in a template.
    let id = firm.work("2026-03-02");
    let long = "T".repeat(3_000);
    let err = firm
        .docket
        .add_task(
            id,
            0,
            TaskChange {
                title: Some(long.clone()),
                due_date: Some("2026-04-01".into()),
                ..TaskChange::default()
            },
            Actor::System,
        )
        .unwrap_err();
    assert_eq!(field(err).0.as_deref(), Some("title"));
    let err = firm
        .docket
        .edit_task(
            id,
            0,
            0,
            TaskChange {
                title: Some(long.clone()),
                ..TaskChange::default()
            },
            Actor::System,
        )
        .unwrap_err();
    assert_eq!(field(err).0.as_deref(), Some("title"));
    let template = format!(
        "name = \"Long\"\n[[groups]]\nname = \"G\"\n[[groups.tasks]]\ntitle = \"{long}\"\ndue = 1\n"
    );
    let err = firm.docket.import_template(&template).unwrap_err();
    assert_eq!(field(err).0.as_deref(), Some("title"));

    // A work item's title and the name its client sees.
    for (title, external, expected) in [
        (Some(long.clone()), None, "title"),
        (None, Some(long.clone()), "external_name"),
    ] {
        let err = firm
            .docket
            .create_work(
                NewWork {
                    template: "Year end".into(),
                    title,
                    external_name: external,
                    start_date: Some("2026-03-02".parse().unwrap()),
                    contacts: vec!["ann@client.example".into()],
                    ..NewWork::default()
                },
                Actor::System,
            )
            .unwrap_err();
        assert_eq!(field(err).0.as_deref(), Some(expected));
    }
    // At the limit, accepted.
    firm.docket
        .add_task(
            id,
            0,
            TaskChange {
                title: Some("T".repeat(MAX_NAME_CHARS)),
                due_date: Some("2026-04-01".into()),
                ..TaskChange::default()
            },
            Actor::System,
        )
        .unwrap();
}
