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
#[path = "inbox_tests.rs"]
mod tests;
