//! Tests of making work: the same work for many contacts in one step, all or nothing.
use chrono::NaiveDate;

use super::*;
use crate::demo::EXAMPLE_TEMPLATES;
use crate::docket::test_support::docket_at;
use crate::docket::{WorkListQuery, work_list_keys};
use crate::model::NewContact;
use crate::model::{EventKind, Template};

fn firm(contacts: &[(&str, &str)]) -> (Docket, Template) {
    let (docket, template, _) = firm_on_clock(contacts);
    (docket, template)
}

fn firm_on_clock(
    contacts: &[(&str, &str)],
) -> (Docket, Template, std::sync::Arc<crate::ManualClock>) {
    let (docket, clock) = docket_at("2027-01-10T09:00:00Z");
    let template = docket.import_template(EXAMPLE_TEMPLATES[0]).unwrap();
    for (name, email) in contacts {
        docket
            .create_contact(
                NewContact {
                    name: name.to_string(),
                    email: email.to_string(),
                    timezone: None,
                    locale: None,
                },
                Actor::System,
            )
            .unwrap();
    }
    (docket, template, clock)
}

fn bulk(template: &Template, contacts: &[&str]) -> NewBulkWork {
    NewBulkWork {
        template: template.name.clone(),
        start_date: Some(NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()),
        contacts: contacts.iter().map(|c| c.to_string()).collect(),
        ..NewBulkWork::default()
    }
}

fn all_work(docket: &Docket) -> Vec<WorkItem> {
    docket
        .find_work(&WorkListQuery::default(), None, 500)
        .unwrap()
}

#[test]
fn one_item_per_contact_each_titled_with_its_contact() {
    let (docket, template) = firm(&[
        ("Ann Acre", "ann@client.example"),
        ("Bob Birch", "bob@client.example"),
        ("Cy Cedar", "cy@client.example"),
    ]);
    let made = docket
        .create_work_bulk(
            bulk(
                &template,
                &[
                    "ann@client.example",
                    " bob@client.example ",
                    "cy@client.example",
                ],
            ),
            Actor::System,
        )
        .unwrap();
    let titles: Vec<&str> = made.iter().map(|w| w.title.as_str()).collect();
    let name = &template.name;
    assert_eq!(
        titles,
        [
            format!("Ann Acre — {name}"),
            format!("Bob Birch — {name}"),
            format!("Cy Cedar — {name}"),
        ]
    );
    for (work, email) in made.iter().zip(["ann", "bob", "cy"]) {
        let contact = docket
            .contact_by_email(&format!("{email}@client.example"))
            .unwrap()
            .unwrap();
        assert!(work.groups.iter().all(|g| g.recipient == contact.id));
        assert_eq!(
            work.external_name,
            format!("{} (January 2027)", template.name),
            "the client sees the work's name and its month"
        );
        assert_eq!(
            docket.work(work.id).unwrap(),
            *work,
            "the answer is what was stored"
        );
        // Indexed like work made one by one: the contact's list and the status list find it.
        let mine = docket
            .find_work(
                &WorkListQuery {
                    contact: Some(contact.email.clone()),
                    ..WorkListQuery::default()
                },
                None,
                10,
            )
            .unwrap();
        assert_eq!(mine.iter().map(|w| w.id).collect::<Vec<_>>(), [work.id]);
        assert!(
            docket
                .work_timeline(work.id, 10)
                .unwrap()
                .iter()
                .any(|e| e.kind == EventKind::WorkCreated)
        );
        assert!(!work_list_keys(work).is_empty());
    }
    assert_eq!(all_work(&docket).len(), 3);
}

#[test]
fn a_title_pattern_and_an_assignee_apply_to_every_item() {
    let (docket, template) = firm(&[("Ann Acre", "ann@client.example")]);
    let member = docket
        .add_user(crate::docket::NewUser {
            email: "sam@firm.example".into(),
            name: "Sam Lee".into(),
            role: crate::model::Role::Staff,
            password: "correct horse battery".into(),
        })
        .unwrap()
        .id;
    let made = docket
        .create_work_bulk(
            NewBulkWork {
                title: Some("2027 — {template} for {contact}".into()),
                external_name: Some("Your 2027 return".into()),
                assignee: Some("sam@firm.example".into()),
                ..bulk(&template, &["ann@client.example"])
            },
            Actor::System,
        )
        .unwrap();
    assert_eq!(
        made[0].title,
        format!("2027 — {} for Ann Acre", template.name)
    );
    assert_eq!(made[0].external_name, "Your 2027 return");
    assert_eq!(made[0].assignee, Some(member));
}

#[test]
fn any_bad_contact_refuses_all_and_names_each() {
    let (docket, template) = firm(&[
        ("Ann Acre", "ann@client.example"),
        ("Bob Birch", "bob@client.example"),
    ]);
    let err = docket
        .create_work_bulk(
            bulk(
                &template,
                &[
                    "ann@client.example",
                    "nobody@client.example",
                    "bob@client.example",
                    "ANN@client.example",
                    "not an email",
                ],
            ),
            Actor::System,
        )
        .unwrap_err();
    assert_eq!(err.field(), Some("contacts"));
    let said = err.to_string();
    assert!(
        said.starts_with("nothing was made: 2 of the 5 contacts"),
        "{said}"
    );
    for named in ["nobody@client.example", "not an email"] {
        assert!(said.contains(named), "{named} is named in: {said}");
    }
    // Ann given twice (in another case) is no problem: she would have one item.
    assert!(!said.contains("ANN@client.example"), "{said}");
    assert!(!said.contains("bob@client.example"), "{said}");
    assert!(all_work(&docket).is_empty(), "nothing was made");
}

#[test]
fn the_shared_fields_are_checked_before_any_contact() {
    let (docket, template) = firm(&[("Ann Acre", "ann@client.example")]);
    let cases: [(NewBulkWork, &str); 5] = [
        (bulk(&template, &[]), "contacts"),
        (bulk(&template, &["  "]), "contacts"),
        (
            NewBulkWork {
                start_date: None,
                ..bulk(&template, &["ann@client.example"])
            },
            "start_date",
        ),
        (
            NewBulkWork {
                assignee: Some("nobody@firm.example".into()),
                ..bulk(&template, &["ann@client.example"])
            },
            "assignee",
        ),
        (
            NewBulkWork {
                title: Some("x".repeat(300)),
                ..bulk(&template, &["ann@client.example"])
            },
            "title",
        ),
    ];
    for (new, field) in cases {
        let err = docket.create_work_bulk(new, Actor::System).unwrap_err();
        assert_eq!(err.field(), Some(field), "{err}");
    }
    let too_many: Vec<String> = (0..=MAX_BULK_CONTACTS)
        .map(|n| format!("c{n}@client.example"))
        .collect();
    let err = docket
        .create_work_bulk(
            NewBulkWork {
                contacts: too_many,
                ..bulk(&template, &[])
            },
            Actor::System,
        )
        .unwrap_err();
    assert!(err.to_string().contains("at most 1000"), "{err}");
    assert!(all_work(&docket).is_empty());
}

#[test]
fn the_name_clients_see_tells_two_periods_apart_and_takes_placeholders() {
    let (docket, template) = firm(&[("Ann Acre", "ann@client.example")]);
    let name = &template.name;
    // Two months' work for one client: each request reads apart.
    let mut made = Vec::new();
    for start in ["2027-01-31", "2027-02-28"] {
        made.extend(
            docket
                .create_work_bulk(
                    NewBulkWork {
                        start_date: Some(start.parse().unwrap()),
                        ..bulk(&template, &["ann@client.example"])
                    },
                    Actor::System,
                )
                .unwrap(),
        );
    }
    let names: Vec<&str> = made.iter().map(|w| w.external_name.as_str()).collect();
    assert_eq!(
        names,
        [
            format!("{name} (January 2027)"),
            format!("{name} (February 2027)")
        ]
    );
    // The same placeholders as the title, filled for each contact and the start date.
    let made = docket
        .create_work_bulk(
            NewBulkWork {
                external_name: Some("{contact}: VAT {quarter}, {year} ({date})".into()),
                title: Some("{contact} — {template} {month}".into()),
                ..bulk(&template, &["ann@client.example"])
            },
            Actor::System,
        )
        .unwrap();
    assert_eq!(
        made[0].external_name,
        "Ann Acre: VAT Q1 2027, 2027 (31 January 2027)"
    );
    assert_eq!(made[0].title, format!("Ann Acre — {name} January 2027"));
    // An unknown placeholder is refused by its field, nothing made.
    let before = all_work(&docket).len();
    for (new, field) in [
        (
            NewBulkWork {
                external_name: Some("Your {period}".into()),
                ..bulk(&template, &["ann@client.example"])
            },
            "external_name",
        ),
        (
            NewBulkWork {
                title: Some("{contact".into()),
                ..bulk(&template, &["ann@client.example"])
            },
            "title",
        ),
    ] {
        let err = docket.create_work_bulk(new, Actor::System).unwrap_err();
        assert_eq!(err.field(), Some(field), "{err}");
        assert!(err.to_string().contains("{contact"), "{err}");
    }
    assert_eq!(all_work(&docket).len(), before);
}

#[test]
fn the_items_made_together_are_found_again_for_the_summary() {
    let (docket, template, clock) = firm_on_clock(&[
        ("Ann Acre", "ann@client.example"),
        ("Bob Birch", "bob@client.example"),
        ("Cy Cedar", "cy@client.example"),
    ]);
    let first = docket
        .create_work_bulk(bulk(&template, &["cy@client.example"]), Actor::System)
        .unwrap();
    clock.advance(chrono::Duration::milliseconds(1));
    let made = docket
        .create_work_bulk(
            bulk(&template, &["ann@client.example", "bob@client.example"]),
            Actor::System,
        )
        .unwrap();
    let found = docket.work_made_with(made[0].id, made.len()).unwrap();
    assert_eq!(found, made);
    assert_eq!(docket.work_made_with(first[0].id, 5).unwrap(), first);
}
