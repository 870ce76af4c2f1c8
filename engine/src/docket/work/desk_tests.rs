//! Unit tests of `desk.rs`.

use super::*;
use crate::demo;
use crate::docket::test_support::docket_at;

#[test]
fn the_overview_lists_open_work_by_status_with_names_and_progress() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    demo::seed(&docket).unwrap().unwrap();
    let open = docket.open_work().unwrap();
    let statuses: Vec<WorkStatus> = open.by_status.iter().map(|(s, _, _)| *s).collect();
    assert_eq!(statuses, OPEN_STATUSES);
    let waiting = &open.by_status[0].1;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].title, "Baker's Bakery — November books");
    assert_eq!(waiting[0].assignee.as_deref(), Some("Demo Admin"));
    assert_eq!((waiting[0].tasks_done, waiting[0].tasks_total), (1, 3));
    assert!(waiting[0].next_due.is_some());
    assert!(open.by_status[1].1.is_empty());
    assert_eq!(open.by_status[2].1.len(), 1);
    // The completed work is not open.
    assert!(
        open.by_status
            .iter()
            .flat_map(|(_, lines, _)| lines)
            .all(|l| !l.title.contains("October"))
    );

    let summary = docket.work_summary(waiting[0].id).unwrap();
    assert_eq!(summary.assignee.unwrap().name, "Demo Admin");
    assert_eq!(summary.groups[0].recipient_name, "Bob Baker");
    assert_eq!(summary.groups[0].sent_by.as_deref(), Some("Demo Admin"));
    let who: Vec<&str> = summary.timeline.iter().map(|(_, w)| w.as_str()).collect();
    assert!(
        who.contains(&"Bob Baker") && who.contains(&"Demo Admin"),
        "{who:?}"
    );
    assert!(matches!(
        docket.work_summary(WorkId::new(docket.now())),
        Err(Error::NotFound { .. })
    ));
}
