//! Unit tests of `search.rs` (and of the client-activity index the timeline writes).

use super::*;
use crate::demo;
use crate::docket::test_support::docket_at;
use crate::model::{Actor, ContactUpdate, NewContact};

fn titles(found: &SearchResults) -> Vec<&str> {
    found.work.iter().map(|w| w.title.as_str()).collect()
}

#[test]
fn work_is_found_by_title_template_and_client_and_contacts_by_name_or_email() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    demo::seed(&docket).unwrap().unwrap();
    // A word's beginning, any case, in the title.
    let found = docket.search("NOV").unwrap();
    assert_eq!(titles(&found), ["Baker's Bakery — November books"]);
    assert!(found.contacts.is_empty());
    // The template's name: both bookkeeping items, and not the tax return.
    let found = docket.search("bookkeep").unwrap();
    assert_eq!(found.work.len(), 2, "{:?}", titles(&found));
    // Every word must match, each in any field: the client's name and the template.
    let found = docket.search("bob monthly").unwrap();
    assert_eq!(titles(&found), ["Baker's Bakery — November books"]);
    // The client's email finds the contact and their work.
    let found = docket.search("carol@chen-design").unwrap();
    assert_eq!(titles(&found), ["Carol Chen — 2026 tax return"]);
    assert_eq!(found.contacts.len(), 1);
    assert_eq!(found.contacts[0].name, "Carol Chen");
    // Nothing matches every word; an empty query finds nothing.
    assert_eq!(
        docket.search("bob tax").unwrap(),
        SearchResults {
            words: vec!["bob".into(), "tax".into()],
            ..SearchResults::default()
        }
    );
    assert!(docket.search("  — ").unwrap().work.is_empty());
    assert!(!found.more);
}

#[test]
fn a_renamed_contact_is_found_by_the_new_name_with_their_work_not_the_old() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    demo::seed(&docket).unwrap().unwrap();
    let bob = docket
        .contact_by_email("bob@bakers-bakery.example")
        .unwrap()
        .unwrap();
    docket
        .update_contact(
            bob.id,
            ContactUpdate {
                name: Some("Robert Baker".into()),
                email: Some("robert@bakers-bakery.example".into()),
                timezone: None,
                holidays: None,
                locale: None,
            },
            Actor::System,
        )
        .unwrap();
    let found = docket.search("robert").unwrap();
    assert_eq!(titles(&found), ["Baker's Bakery — November books"]);
    assert_eq!(found.contacts[0].name, "Robert Baker");
    let old = docket.search("bob").unwrap();
    assert!(old.work.is_empty() && old.contacts.is_empty(), "{old:?}");
    // A new contact is found at once.
    docket
        .create_contact(
            NewContact {
                name: "Dana Díaz".into(),
                email: "dana@example.com".into(),
                timezone: None,
                locale: None,
            },
            Actor::System,
        )
        .unwrap();
    assert_eq!(docket.search("díaz").unwrap().contacts.len(), 1);
    assert_eq!(docket.search("DÍA").unwrap().contacts.len(), 1);
}

#[test]
fn a_search_lists_at_most_its_limit_and_says_there_is_more() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    demo::seed(&docket).unwrap().unwrap();
    for n in 0..SEARCH_LIMIT + 3 {
        docket
            .create_contact(
                NewContact {
                    name: format!("Client {n}"),
                    email: format!("client{n}@example.com"),
                    timezone: None,
                    locale: None,
                },
                Actor::System,
            )
            .unwrap();
    }
    let found = docket.search("client").unwrap();
    assert_eq!(found.contacts.len(), SEARCH_LIMIT);
    assert!(found.more);
    // Each contact once, though several of its words begin with the query.
    let mut ids: Vec<_> = found.contacts.iter().map(|c| c.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), SEARCH_LIMIT);
}

/// Every entry of a tree.
fn entries(docket: &Docket, tree: Tree) -> Vec<(Vec<u8>, Vec<u8>)> {
    docket
        .store
        .scan(tree, b"", None, usize::MAX, false)
        .unwrap()
}

#[test]
fn the_format_upgrade_builds_the_same_entries_as_the_live_writes() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    demo::seed(&docket).unwrap().unwrap();
    let trees = [Tree::SearchWords, Tree::Activity, Tree::WorkClientActivity];
    let live: Vec<_> = trees.iter().map(|t| entries(&docket, *t)).collect();
    // The demo's clients ticked tasks: four ticks, on two work items.
    assert_eq!(live[1].len(), 4);
    assert_eq!(live[2].len(), 2);
    assert!(!live[0].is_empty());
    let mut batch = Batch::default();
    for (tree, found) in trees.iter().zip(&live) {
        for (key, _) in found {
            batch.remove(*tree, key.clone());
        }
    }
    docket.store.commit(batch).unwrap();
    assert!(entries(&docket, Tree::SearchWords).is_empty());
    let step = crate::docket::UPGRADES
        .iter()
        .find(|u| u.to == 7)
        .expect("format 7's step");
    (step.run)(docket.store.as_ref()).unwrap();
    let rebuilt: Vec<_> = trees.iter().map(|t| entries(&docket, *t)).collect();
    assert_eq!(rebuilt, live);
}

#[test]
fn what_clients_did_is_listed_newest_first_with_the_clients_active_lately() {
    let (docket, clock) = docket_at("2027-01-10T09:00:00Z");
    let seed = demo::seed(&docket).unwrap().unwrap();
    let done = docket
        .activity(crate::docket::ActivityKind::Client, None, 10)
        .unwrap();
    // Bob ticked one task, then Ann ticked her three.
    let who: Vec<_> = done.iter().map(|l| l.client.as_deref().unwrap()).collect();
    assert_eq!(who, ["Ann Archer", "Ann Archer", "Ann Archer", "Bob Baker"]);
    assert_eq!(done[3].work_title, "Baker's Bakery — November books");
    assert!(done.windows(2).all(|w| w[0].event.at >= w[1].event.at));
    let active: Vec<_> = docket
        .active_clients(10)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(active, ["Ann Archer", "Bob Baker"]);
    assert!(
        docket
            .activity(crate::docket::ActivityKind::FailedEmail, None, 10)
            .unwrap()
            .is_empty()
    );
    // A member's first look has nothing before it; the next says when the first was, and
    // nothing was done since.
    let admin = seed.admin.id;
    assert_eq!(docket.home_seen(admin).unwrap(), None);
    let first = docket.now();
    clock.advance(chrono::Duration::minutes(5));
    assert_eq!(docket.home_seen(admin).unwrap(), Some(first));
    let since = docket
        .activity(crate::docket::ActivityKind::Client, Some(first), 10)
        .unwrap();
    assert!(since.is_empty());
}

#[test]
fn a_renamed_template_finds_its_work_by_the_new_name_across_batches() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    demo::seed(&docket).unwrap().unwrap();
    // More work than one batch of the re-indexing holds.
    for n in 0..RENAME_BATCH + 5 {
        docket
            .create_work(
                crate::model::NewWork {
                    template: "Monthly bookkeeping".into(),
                    title: Some(format!("Books {n}")),
                    external_name: None,
                    start_date: chrono::NaiveDate::from_ymd_opt(2027, 1, 10),
                    assignee: None,
                    contacts: vec!["bob@bakers-bakery.example".into()],
                },
                Actor::System,
            )
            .unwrap();
    }
    let template = docket.find_template("Monthly bookkeeping").unwrap();
    docket
        .edit_template(
            &template.id.to_string(),
            crate::docket::TemplateEdit::Details {
                name: "Payroll and ledgers".into(),
                description: template.description.clone(),
            },
        )
        .unwrap();
    let found = docket.search("ledgers").unwrap();
    assert_eq!(found.work.len(), SEARCH_LIMIT);
    assert!(found.more);
    assert_eq!(
        docket.search("ledgers archer").unwrap().work[0].title,
        "Archer Consulting — October books"
    );
    let last = format!("books {}", RENAME_BATCH + 4);
    assert_eq!(
        docket
            .search(&format!("payroll {last}"))
            .unwrap()
            .work
            .len(),
        1
    );
    assert!(docket.search("bookkeeping").unwrap().work.is_empty());
    // The other template's work keeps its own name's words.
    assert_eq!(docket.search("tax").unwrap().work.len(), 1);
    // What the rename left is what the format upgrade builds from scratch.
    let live = entries(&docket, Tree::SearchWords);
    let mut batch = Batch::default();
    for (key, _) in &live {
        batch.remove(Tree::SearchWords, key.clone());
    }
    docket.store.commit(batch).unwrap();
    let step = crate::docket::UPGRADES
        .iter()
        .find(|u| u.to == 7)
        .expect("format 7's step");
    (step.run)(docket.store.as_ref()).unwrap();
    assert_eq!(entries(&docket, Tree::SearchWords), live);
}
