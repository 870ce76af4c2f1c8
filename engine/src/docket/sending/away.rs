//! Reminders paused by staff until a date — for a contact (on every work item they are asked
//! something on) or for one work item — and a contact's own quiet days.
//!
//! **A pause holds, it does not skip.** While a group's work or recipient is paused, its next
//! reminder is planned at the first send slot on or after the start of the pause's date in the
//! recipient's timezone (`held_reminder`'s `not_before`), covering every task the policy would
//! have reminded of meanwhile: so a pause ends with at most one reminder per group, and the
//! policy's rhythm goes on from it. The pause resumes by itself (nothing has to clear it); an
//! ended pause left on a record holds nothing. The scheduler also refuses a reminder that comes
//! due while its group is paused (a plan made before the pause, e.g. when a contact's work was
//! being re-planned as the process stopped) and plans it again, so a pause set is never
//! overtaken. First sends and staff's own sends and resends are not held.
//!
//! **Quiet days.** A contact's holidays join the firm's for their groups: the send schedule
//! skips them, and the reminder policies see them in the calendar's `holidays` list (merged,
//! sorted, deduplicated; see `wit/docket-plugin.wit`).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::docket::Docket;
use crate::due::local_instant;
use crate::model::{
    Actor, Contact, ContactId, EventKind, MAX_PAUSE_NOTE_CHARS, PauseRequest, ReminderPause,
    WorkId, WorkItem, WorkStatus,
};
use crate::store::{Batch, Tree, decode};
use crate::{Error, Result};

/// Longest pause, in days from today: a typo in the year would silence a client for a decade.
pub const MAX_PAUSE_DAYS: i64 = 366;

impl Docket {
    /// Pauses the contact's reminders on all their work until `request.until`: on the
    /// contact's timeline, and on each open work item naming them, whose reminders are
    /// planned again.
    pub fn pause_contact_reminders(
        &self,
        id: ContactId,
        request: PauseRequest,
        actor: Actor,
    ) -> Result<Contact> {
        let pause = self.checked_pause(&request)?;
        let summary = |name: &str| {
            format!(
                "Reminders to {name} paused until {}{}",
                pause.until.format("%-d %B %Y"),
                note_text(&pause.note)
            )
        };
        let contact = self.change_contact_pause(id, Some(pause.clone()), actor.clone(), |c| {
            (EventKind::RemindersPaused, summary(&c.name))
        })?;
        self.replan_contact_work(&contact, actor, EventKind::RemindersPaused, |_| {
            summary(&contact.name)
        })?;
        Ok(contact)
    }

    /// Ends the contact's pause before its date: their reminders are planned again from now.
    pub fn resume_contact_reminders(&self, id: ContactId, actor: Actor) -> Result<Contact> {
        let summary = |name: &str| format!("Reminders to {name} resumed by staff");
        let before = self.contact(id)?;
        if before.paused.is_none() {
            return Ok(before);
        }
        let contact = self.change_contact_pause(id, None, actor.clone(), |c| {
            (EventKind::RemindersResumed, summary(&c.name))
        })?;
        self.replan_contact_work(&contact, actor, EventKind::RemindersResumed, |_| {
            summary(&contact.name)
        })?;
        Ok(contact)
    }

    /// Pauses the reminders of one work item until `request.until`.
    pub fn pause_work_reminders(
        &self,
        id: WorkId,
        request: PauseRequest,
        actor: Actor,
    ) -> Result<WorkItem> {
        let pause = self.checked_pause(&request)?;
        self.update_work(id, actor, |work, _| {
            if work.status == WorkStatus::Completed {
                return Err(Error::invalid(
                    "the work is completed; it sends no reminders to pause",
                ));
            }
            let summary = format!(
                "Reminders on this work paused until {}{}",
                pause.until.format("%-d %B %Y"),
                note_text(&pause.note)
            );
            work.paused = Some(Box::new(pause.clone()));
            Ok(Some((EventKind::RemindersPaused, summary)))
        })
    }

    /// Ends the work item's pause before its date: its reminders are planned again from now.
    pub fn resume_work_reminders(&self, id: WorkId, actor: Actor) -> Result<WorkItem> {
        self.update_work(id, actor, |work, _| {
            if work.paused.take().is_none() {
                return Ok(None);
            }
            Ok(Some((
                EventKind::RemindersResumed,
                "Reminders on this work resumed by staff".to_string(),
            )))
        })
    }

    /// `pause` if it still holds (its day is after today in the firm's zone), for pages to
    /// show; an ended pause left on a record holds nothing.
    pub fn pause_in_force(&self, pause: Option<&ReminderPause>) -> Option<ReminderPause> {
        let tz = self.firm_settings().map_or(chrono_tz::UTC, |f| f.timezone);
        let today = self.now().with_timezone(&tz).date_naive();
        pause.filter(|p| p.until > today).cloned()
    }

    /// The pause staff asked for, or why it cannot be: a date after today (in the firm's
    /// zone) and within [`MAX_PAUSE_DAYS`], a short note.
    fn checked_pause(&self, request: &PauseRequest) -> Result<ReminderPause> {
        let until = crate::dates::parse_date("until", &request.until)?;
        let now = self.now();
        let today = now
            .with_timezone(&self.firm_settings()?.timezone)
            .date_naive();
        if until <= today {
            return Err(Error::invalid_field(
                "until",
                format!(
                    "until: pause until a day after today ({today}); reminders resume on that day"
                ),
            ));
        }
        if (until - today).num_days() > MAX_PAUSE_DAYS {
            return Err(Error::invalid_field(
                "until",
                format!(
                    "until: a pause may last {MAX_PAUSE_DAYS} days at most; {until} is {} days away (check the year)",
                    (until - today).num_days()
                ),
            ));
        }
        let note = request.note.as_deref().unwrap_or("").trim().to_string();
        if note.chars().count() > MAX_PAUSE_NOTE_CHARS {
            return Err(Error::invalid_field(
                "note",
                format!("note: a pause's note may be at most {MAX_PAUSE_NOTE_CHARS} characters"),
            ));
        }
        Ok(ReminderPause {
            until,
            note,
            set_at: now,
        })
    }

    /// Sets or clears the contact's pause, with its event on the contact's timeline.
    fn change_contact_pause(
        &self,
        id: ContactId,
        pause: Option<ReminderPause>,
        actor: Actor,
        event: impl Fn(&Contact) -> (EventKind, String),
    ) -> Result<Contact> {
        self.retrying(|| {
            let Some(before) = self.store.get(Tree::Contacts, &id.key())? else {
                return Err(Error::not_found("contact", id));
            };
            let mut contact: Contact = decode(&before)?;
            contact.paused = pause.clone();
            let (kind, summary) = event(&contact);
            let mut batch = Batch::default();
            batch.expect(Tree::Contacts, id.key(), Some(before));
            batch.put_record(Tree::Contacts, id.key(), &contact);
            self.record_event(&mut batch, None, Some(id), actor.clone(), kind, summary);
            self.store.commit(batch)?;
            Ok(contact)
        })
    }

    /// Plans again the reminders of every open work item asking something of `contact`, each
    /// with an event on its timeline.
    fn replan_contact_work(
        &self,
        contact: &Contact,
        actor: Actor,
        kind: EventKind,
        summary: impl Fn(&WorkItem) -> String,
    ) -> Result<()> {
        for id in self.contact_work_ids(contact.id)? {
            let result = self.update_work(id, actor.clone(), |work, _| {
                let waiting = work
                    .groups
                    .iter()
                    .any(|g| g.recipient == contact.id && g.sent_at.is_some() && !g.all_done());
                if work.status == WorkStatus::Completed || !waiting {
                    return Ok(None);
                }
                Ok(Some((kind, summary(work))))
            });
            match result {
                Ok(_) | Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Plans again every open work item asking something of contact `id` (after their zone or
    /// quiet days changed); the contact's timeline already says what changed.
    pub(in crate::docket) fn replan_contact_work_quietly(&self, id: ContactId) -> Result<()> {
        for work in self.contact_work_ids(id)? {
            self.retrying(|| {
                let Some(before) = self.store.get(Tree::Work, &work.key())? else {
                    return Ok(());
                };
                let old: WorkItem = decode(&before)?;
                if old.status == WorkStatus::Completed {
                    return Ok(());
                }
                let mut new = old.clone();
                let now = self.now();
                self.replan(std::slice::from_mut(&mut new), now)?;
                if new == old {
                    return Ok(());
                }
                let mut batch = Batch::default();
                batch.expect(Tree::Work, work.key(), Some(before));
                self.write_work(&mut batch, Some(&old), &new)?;
                self.store.commit(batch)
            })?;
        }
        Ok(())
    }

    /// Whether group `g` of `work` is paused at `now`, by the work's pause or its
    /// recipient's.
    pub(crate) fn reminder_paused(&self, work: &WorkItem, g: usize, now: DateTime<Utc>) -> bool {
        let Some(group) = work.groups.get(g) else {
            return false;
        };
        let contact = self.contact(group.recipient).ok();
        let tz = match (&contact, self.firm_settings()) {
            (
                Some(Contact {
                    timezone: Some(tz), ..
                }),
                _,
            ) => *tz,
            (_, Ok(firm)) => firm.timezone,
            (_, Err(_)) => chrono_tz::UTC,
        };
        paused_until(
            work.paused.as_deref(),
            contact.as_ref().and_then(|c| c.paused.as_ref()),
            tz,
            now,
        )
        .is_some()
    }
}

/// Most quiet days a contact may carry.
pub const MAX_CONTACT_HOLIDAYS: usize = 400;

/// A contact's quiet days as given (`YYYY-MM-DD` each), sorted, without repeats; or why not.
pub(crate) fn contact_holidays(days: &[String]) -> Result<Vec<NaiveDate>> {
    if days.len() > MAX_CONTACT_HOLIDAYS {
        return Err(Error::invalid_field(
            "holidays",
            format!(
                "a contact may have {MAX_CONTACT_HOLIDAYS} quiet days at most; {} were given",
                days.len()
            ),
        ));
    }
    let mut parsed = Vec::with_capacity(days.len());
    for day in days.iter().map(|d| d.trim()) {
        parsed.push(crate::dates::parse_date("holidays", day)?);
    }
    parsed.sort_unstable();
    parsed.dedup();
    Ok(parsed)
}

/// `: NOTE` for a summary, or nothing.
fn note_text(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        format!(" ({note})")
    }
}

/// When reminders to a group may go again, in zone `tz`: the start of the later pause date of
/// the work's and the recipient's, if that is after `now`.
pub(crate) fn paused_until(
    work: Option<&ReminderPause>,
    contact: Option<&ReminderPause>,
    tz: Tz,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    [work, contact]
        .into_iter()
        .flatten()
        .map(|p| local_instant(p.until, NaiveTime::MIN, tz))
        .filter(|at| *at > now)
        .max()
}

/// The firm's holidays and the contact's own, sorted and without repeats.
pub(crate) fn quiet_days(firm: &[NaiveDate], contact: &[NaiveDate]) -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = firm.iter().chain(contact).copied().collect();
    days.sort_unstable();
    days.dedup();
    days
}

#[cfg(test)]
#[path = "away_tests.rs"]
mod tests;
