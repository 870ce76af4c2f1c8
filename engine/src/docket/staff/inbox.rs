//! A staff member's inbox: the notifications the hooks worker writes for the work's sender and
//! assignee (a client ticked a task, uploaded or commented; a task reached the reminder limit; an
//! email failed; a hook's `notify-staff`), newest first, with what is unread indexed on its own
//! so the count on every admin page costs what is unread, not what was ever received.

use crate::docket::Docket;
use crate::model::{StaffNotification, UserId};
use crate::store::{Batch, Tree, decode, scan_records};
use crate::{Error, Result};

/// Most notifications one inbox page lists.
pub const INBOX_PAGE: usize = 50;
/// The unread count stops counting here; pages show "99+" past 99.
pub const UNREAD_COUNT_CAP: usize = 1000;

/// One page of a staff member's inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbox {
    /// Newest first.
    pub notifications: Vec<StaffNotification>,
    /// Unread notifications, counted up to `UNREAD_COUNT_CAP`.
    pub unread: usize,
    /// The id to page on from (`before`), when older notifications follow this page.
    pub older: Option<ulid::Ulid>,
}

impl Docket {
    /// A staff member's notifications, newest first.
    pub fn notifications(&self, user: UserId, limit: usize) -> Result<Vec<StaffNotification>> {
        Ok(self.inbox(user, None, false, limit)?.notifications)
    }

    /// A page of `user`'s inbox, newest first: up to `limit` notifications older than `before`
    /// (all, or the unread ones only), and the unread count.
    pub fn inbox(
        &self,
        user: UserId,
        before: Option<ulid::Ulid>,
        unread_only: bool,
        limit: usize,
    ) -> Result<Inbox> {
        let prefix = user_prefix(user);
        let after = before.map(|id| notification_key(user, id));
        let mut notifications: Vec<StaffNotification> = if unread_only {
            let keys = self.store.scan(
                Tree::UnreadNotifications,
                &prefix,
                after.as_deref(),
                limit + 1,
                true,
            )?;
            let mut found = Vec::with_capacity(keys.len());
            for (key, _) in keys {
                // An index entry whose record is gone is skipped; `docket check` names it.
                if let Some(bytes) = self.store.get(Tree::Notifications, &key)? {
                    found.push(decode(&bytes)?);
                }
            }
            found
        } else {
            scan_records(
                self.store.as_ref(),
                Tree::Notifications,
                &prefix,
                after.as_deref(),
                limit + 1,
                true,
            )?
        };
        let older = if notifications.len() > limit {
            notifications.truncate(limit);
            notifications.last().map(|n| n.id)
        } else {
            None
        };
        Ok(Inbox {
            notifications,
            unread: self.unread_count(user)?,
            older,
        })
    }

    /// How many of `user`'s notifications are unread, up to `UNREAD_COUNT_CAP`.
    pub fn unread_count(&self, user: UserId) -> Result<usize> {
        Ok(self
            .store
            .scan(
                Tree::UnreadNotifications,
                &user_prefix(user),
                None,
                UNREAD_COUNT_CAP,
                false,
            )?
            .len())
    }

    /// Marks one of `user`'s notifications read. Another member's notification, or one that
    /// does not exist, is not found.
    pub fn mark_notification_read(
        &self,
        user: UserId,
        id: ulid::Ulid,
    ) -> Result<StaffNotification> {
        self.retrying(|| {
            let key = notification_key(user, id);
            let Some(before) = self.store.get(Tree::Notifications, &key)? else {
                return Err(Error::not_found("notification", id));
            };
            let mut note: StaffNotification = decode(&before)?;
            if note.read {
                return Ok(note);
            }
            note.read = true;
            let mut batch = Batch::default();
            batch.expect(Tree::Notifications, key.clone(), Some(before));
            batch.put_record(Tree::Notifications, key.clone(), &note);
            batch.remove(Tree::UnreadNotifications, key);
            self.store.commit(batch)?;
            Ok(note)
        })
    }

    /// Marks every unread notification of `user` read; returns how many were.
    pub fn mark_all_notifications_read(&self, user: UserId) -> Result<usize> {
        const PAGE: usize = 500;
        let prefix = user_prefix(user);
        let mut marked = 0;
        loop {
            let keys = self
                .store
                .scan(Tree::UnreadNotifications, &prefix, None, PAGE, false)?;
            if keys.is_empty() {
                return Ok(marked);
            }
            let mut batch = Batch::default();
            for (key, _) in &keys {
                batch.remove(Tree::UnreadNotifications, key.clone());
                let Some(before) = self.store.get(Tree::Notifications, key)? else {
                    continue;
                };
                let mut note: StaffNotification = decode(&before)?;
                if !note.read {
                    note.read = true;
                    batch.expect(Tree::Notifications, key.clone(), Some(before));
                    batch.put_record(Tree::Notifications, key.clone(), &note);
                    marked += 1;
                }
            }
            match self.store.commit(batch) {
                Ok(()) => {}
                // A notification marked read meanwhile: this page is read again.
                Err(Error::Conflict(m)) if m == crate::store::CHANGED_CONCURRENTLY => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Writes a new, unread notification and its unread index entry to `batch`.
pub(crate) fn add_notification(batch: &mut Batch, note: &StaffNotification) {
    let key = notification_key(note.user, note.id);
    batch.put_record(Tree::Notifications, key.clone(), note);
    if !note.read {
        batch.put(Tree::UnreadNotifications, key, Vec::new());
    }
}

fn user_prefix(user: UserId) -> Vec<u8> {
    format!("{user}/").into_bytes()
}

fn notification_key(user: UserId, id: ulid::Ulid) -> Vec<u8> {
    format!("{user}/{id}").into_bytes()
}

#[cfg(test)]
mod tests {
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
                .any(|n| n.message == "Year end: File uploaded: p60.pdf"),
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
                "Year end: Comment: comment 4",
                "Year end: Comment: comment 3"
            ],
            "newest first"
        );
        let second = f.docket.inbox(f.sender, first.older, false, 2).unwrap();
        assert_eq!(
            texts(&second),
            [
                "Year end: Comment: comment 2",
                "Year end: Comment: comment 1"
            ]
        );
        let last = f.docket.inbox(f.sender, second.older, false, 2).unwrap();
        assert_eq!(texts(&last), ["Year end: Comment: comment 0"]);
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
}
