//! Unit tests of `inbox.rs`.

use super::*;
use crate::docket::test_support::docket_at;
use crate::docket::{NewUpload, NewUser};
use crate::model::{Actor, NewContact, NewWork, Role, WorkId};
use crate::plugin::HookEventKind;

const TEMPLATE: &str = r#"
name = "Year end"
[[groups]]
name = "Documents"
[[groups.tasks]]
title = "Bank statements"
due = 14
[[groups.tasks]]
title = "P60"
due = 21
"#;

struct Firm {
    docket: Docket,
    sender: UserId,
    assignee: UserId,
    bystander: UserId,
    work: WorkId,
}

/// A work item assigned to one member and sent by another, with a third who has nothing
/// to do with it.
fn firm() -> Firm {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let user = |email: &str| {
        docket
            .add_user(NewUser {
                email: email.into(),
                name: email.into(),
                role: Role::Staff,
                password: "correct horse battery".into(),
            })
            .unwrap()
            .id
    };
    let (sender, assignee, bystander) = (
        user("sam@firm.example"),
        user("alex@firm.example"),
        user("kim@firm.example"),
    );
    docket.import_template(TEMPLATE).unwrap();
    docket
        .create_contact(
            NewContact {
                name: "Ann Archer".into(),
                email: "ann@client.example".into(),
                timezone: None,
                locale: None,
            },
            Actor::System,
        )
        .unwrap();
    let work = docket
        .create_work(
            NewWork {
                template: "Year end".into(),
                start_date: Some("2027-01-10".parse().unwrap()),
                assignee: Some("alex@firm.example".into()),
                contacts: vec!["ann@client.example".into()],
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id;
    docket.send_group(work, 0, Actor::Staff(sender)).unwrap();
    Firm {
        docket,
        sender,
        assignee,
        bystander,
        work,
    }
}

#[test]
fn every_kind_reaches_the_sender_and_the_assignee_once_each() {
    let f = firm();
    let contact = f.docket.work(f.work).unwrap().groups[0].recipient;
    let client = Actor::Contact(contact);
    // What the client does, through the engine's own calls.
    f.docket
        .set_task_done(f.work, 0, 0, true, client.clone())
        .unwrap();
    f.docket
        .add_file(
            f.work,
            NewUpload {
                name: "p60.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4".to_vec(),
                task: Some((0, 1)),
            },
            client.clone(),
        )
        .unwrap();
    f.docket
        .add_comment_on(f.work, Some((0, Some(1))), "Here it is", client)
        .unwrap();
    // What the sender and the scheduler raise (their own paths are tested with them).
    let mut batch = Batch::default();
    f.docket.queue_event(
        &mut batch,
        f.work,
        Some(0),
        HookEventKind::ReminderLimitReached {
            title: "P60".into(),
        },
        false,
    );
    f.docket.queue_event(
        &mut batch,
        f.work,
        Some(0),
        HookEventKind::SendFailed {
            reason: "550 mailbox unavailable".into(),
        },
        false,
    );
    // Staff's own actions notify no one.
    f.docket.store.commit(batch).unwrap();
    f.docket
        .add_comment(f.work, "Chasing the bank", Actor::Staff(f.sender))
        .unwrap();
    f.docket.deliver_events(&[], 100).unwrap();

    let kinds = |user| -> Vec<String> {
        let mut kinds: Vec<String> = f
            .docket
            .notifications(user, 100)
            .unwrap()
            .into_iter()
            .map(|n| n.kind)
            .collect();
        kinds.sort();
        kinds
    };
    let expected = [
        "comment-added",
        "reminder-limit-reached",
        "send-failed",
        "task-completed",
        "upload-received",
    ];
    assert_eq!(kinds(f.sender), expected);
    assert_eq!(kinds(f.assignee), expected);
    assert!(kinds(f.bystander).is_empty());
    let notes = f.docket.notifications(f.sender, 100).unwrap();
    assert!(
        notes
            .iter()
            .all(|n| n.work == f.work && n.source == "docket" && !n.read)
    );
    assert!(
        notes
            .iter()
            .any(|n| n.message == "Ann Archer — Year end: File uploaded: p60.pdf"),
        "{notes:#?}"
    );
    assert_eq!(f.docket.unread_count(f.sender).unwrap(), 5);
}

#[test]
fn the_same_member_as_sender_and_assignee_is_notified_once() {
    let f = firm();
    f.docket
        .update_group_settings(
            f.work,
            0,
            crate::docket::GroupSettings {
                sender: Some("alex@firm.example".into()),
                ..Default::default()
            },
            Actor::System,
        )
        .unwrap();
    f.docket.resend_group(f.work, 0, Actor::System).unwrap();
    let contact = f.docket.work(f.work).unwrap().groups[0].recipient;
    f.docket
        .set_task_done(f.work, 0, 0, true, Actor::Contact(contact))
        .unwrap();
    f.docket.deliver_events(&[], 100).unwrap();
    assert_eq!(f.docket.notifications(f.assignee, 100).unwrap().len(), 1);
}

#[test]
fn reading_one_all_and_pages() {
    let f = firm();
    let contact = f.docket.work(f.work).unwrap().groups[0].recipient;
    for n in 0..5 {
        f.docket
            .add_comment_on(
                f.work,
                Some((0, None)),
                &format!("comment {n}"),
                Actor::Contact(contact),
            )
            .unwrap();
    }
    f.docket.deliver_events(&[], 100).unwrap();
    let first = f.docket.inbox(f.sender, None, false, 2).unwrap();
    assert_eq!(first.unread, 5);
    let texts = |page: &Inbox| -> Vec<String> {
        page.notifications
            .iter()
            .map(|n| n.message.clone())
            .collect()
    };
    assert_eq!(
        texts(&first),
        [
            "Ann Archer — Year end: Comment: comment 4",
            "Ann Archer — Year end: Comment: comment 3"
        ],
        "newest first"
    );
    let second = f.docket.inbox(f.sender, first.older, false, 2).unwrap();
    assert_eq!(
        texts(&second),
        [
            "Ann Archer — Year end: Comment: comment 2",
            "Ann Archer — Year end: Comment: comment 1"
        ]
    );
    let last = f.docket.inbox(f.sender, second.older, false, 2).unwrap();
    assert_eq!(texts(&last), ["Ann Archer — Year end: Comment: comment 0"]);
    assert_eq!(last.older, None);

    // One read: the count drops, for this member only; reading it again changes nothing.
    let newest = first.notifications[0].id;
    assert!(
        f.docket
            .mark_notification_read(f.sender, newest)
            .unwrap()
            .read
    );
    assert!(
        f.docket
            .mark_notification_read(f.sender, newest)
            .unwrap()
            .read
    );
    assert_eq!(f.docket.unread_count(f.sender).unwrap(), 4);
    assert_eq!(f.docket.unread_count(f.assignee).unwrap(), 5);
    let unread = f.docket.inbox(f.sender, None, true, 10).unwrap();
    assert_eq!(unread.notifications.len(), 4);
    assert!(unread.notifications.iter().all(|n| !n.read));

    // Another member's notification is not found, and stays unread.
    let theirs = f.docket.notifications(f.assignee, 1).unwrap()[0].id;
    assert!(matches!(
        f.docket.mark_notification_read(f.sender, theirs),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(f.docket.unread_count(f.assignee).unwrap(), 5);

    assert_eq!(f.docket.mark_all_notifications_read(f.sender).unwrap(), 4);
    assert_eq!(f.docket.unread_count(f.sender).unwrap(), 0);
    assert_eq!(f.docket.mark_all_notifications_read(f.sender).unwrap(), 0);
    assert!(
        f.docket
            .notifications(f.sender, 10)
            .unwrap()
            .iter()
            .all(|n| n.read)
    );
    assert!(
        crate::check::check(f.docket.store.as_ref(), false)
            .unwrap()
            .is_empty()
    );
}
