//! Unit tests of `sorted.rs`: the work list by client, status and assignee, a page at a time.

use crate::demo;
use crate::docket::test_support::docket_at;
use crate::docket::{WorkListQuery, WorkSort};
use crate::model::{Actor, NewWork, WorkItem};

fn titles(found: &[WorkItem]) -> Vec<&str> {
    found.iter().map(|w| w.title.as_str()).collect()
}

fn sorted(sort: WorkSort) -> WorkListQuery {
    WorkListQuery {
        sort: Some(sort.as_str().to_uppercase()),
        ..WorkListQuery::default()
    }
}

#[test]
fn the_list_sorts_by_client_status_and_assignee_and_pages_keep_the_order() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    demo::seed(&docket).unwrap().unwrap();
    // Unassigned work for Ann: her name sorts first, nobody's work comes last.
    docket
        .create_work(
            NewWork {
                template: "Annual tax return".into(),
                title: Some("Ann's own return".into()),
                external_name: None,
                start_date: chrono::NaiveDate::from_ymd_opt(2027, 1, 10),
                assignee: None,
                contacts: vec!["ann@archer-consulting.example".into()],
            },
            Actor::System,
        )
        .unwrap();
    let list = |sort| docket.find_work(&sorted(sort), None, 100).unwrap();
    assert_eq!(
        titles(&list(WorkSort::Client)),
        [
            "Ann's own return",
            "Archer Consulting — October books",
            "Baker's Bakery — November books",
            "Carol Chen — 2026 tax return",
        ]
    );
    // Planned first (newest first among them), then waiting on the client, then completed.
    assert_eq!(
        titles(&list(WorkSort::Status)),
        [
            "Ann's own return",
            "Carol Chen — 2026 tax return",
            "Baker's Bakery — November books",
            "Archer Consulting — October books",
        ]
    );
    let by_assignee = list(WorkSort::Assignee);
    assert_eq!(titles(&by_assignee).last(), Some(&"Ann's own return"));
    assert!(by_assignee[..3].iter().all(|w| w.assignee.is_some()));
    // A page at a time, each starting after the last one's last item, gives the same order.
    for sort in [WorkSort::Client, WorkSort::Status, WorkSort::Assignee] {
        let whole = list(sort);
        let mut paged: Vec<WorkItem> = Vec::new();
        loop {
            let after = paged.last().map(|w| w.id);
            let page = docket.find_work(&sorted(sort), after, 1).unwrap();
            if page.is_empty() {
                break;
            }
            paged.extend(page);
        }
        assert_eq!(titles(&paged), titles(&whole), "{sort:?}");
    }
    // Filters hold in a sorted list too.
    let waiting = WorkListQuery {
        status: Some("waiting_on_client".into()),
        ..sorted(WorkSort::Client)
    };
    assert_eq!(
        titles(&docket.find_work(&waiting, None, 10).unwrap()),
        ["Baker's Bakery — November books"]
    );
    let wrong = docket.find_work(&sorted(WorkSort::Newest), None, 1);
    assert!(wrong.is_ok());
    let refused = docket
        .find_work(
            &WorkListQuery {
                sort: Some("colour".into()),
                ..WorkListQuery::default()
            },
            None,
            1,
        )
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("sort is newest, oldest, due, client, status or assignee, not `colour`"),
        "{refused}"
    );
}
