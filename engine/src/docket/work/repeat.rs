//! Work that repeats: staff set a repeat on a work item (every month, quarter or year on a
//! day, or a cron expression; optionally until a date), and the scheduler makes the next work
//! item from the same template, for the same contacts and assignee, **on its start date** (at
//! the start of that day in the firm's zone, or at the cron expression's instant). Its tasks
//! then go out by the template's sending rules like any new work. The repeat stays on the work
//! it was set on (the series); each work item made names it (`repeated_from`).
//!
//! **Exactly once.** Each occurrence is made in one batch with a create-only key per series and
//! occurrence (`repeats` `o/WORK/DATE`) and the series' move to its next occurrence (guarded by
//! the series record): a restart, a retry or another server sharing the store finds the key and
//! only moves the series on. **Missed occurrences** (the server was down) are each made when
//! it is back, oldest first, at most `REPEATS_PER_TICK` per tick. A series whose template or
//! contact is gone stops, with a line on its timeline and a notice to its staff.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

use super::repeat_rule::{
    EXTERNAL_NAME, Rule, at_most_daily, checked_title, cron_floor, extend, fill, made_prefix,
    occurrence_key, occurrences_after, parse_due_key,
};
use crate::docket::Docket;
use crate::model::{
    Actor, ContactId, EventKind, Repeat, RepeatRequest, Role, StaffNotification, Template, WorkId,
    WorkItem, new_id,
};
use crate::store::{Batch, Tree, decode};
use crate::{Error, Result};

/// Most work items the repeats make in one tick; the rest wait for the next.
pub const REPEATS_PER_TICK: usize = 100;
/// The inbox notification's kind for a repeat that stopped by itself.
pub const REPEAT_STOPPED_KIND: &str = "repeat-stopped";
/// The inbox notification's kind for work a repeat made unassigned (its assignee is disabled).
pub const REPEAT_UNASSIGNED_KIND: &str = "repeat-unassigned";

/// What one attempt at a series' next occurrence did.
enum Step {
    /// It made the occurrence's work item.
    Made,
    /// The occurrence had been made already (before a restart, or by another server): the
    /// series only moved on.
    MovedOn,
    /// Nothing is due (or the series stopped).
    Idle,
}

impl Docket {
    /// Sets (or changes) the repeat of work item `id`: the first occurrence is the first after
    /// today, the work's start date and the latest one made. For a cron expression, it is its
    /// first firing after now, after the work's start date and after the latest made:
    /// work starting next month does not repeat from today.
    pub fn set_repeat(&self, id: WorkId, request: RepeatRequest, actor: Actor) -> Result<WorkItem> {
        let tz = self.firm_settings()?.timezone;
        let now = self.now();
        let today = now.with_timezone(&tz).date_naive();
        let original = self.work(id)?;
        if let Some(from) = original.repeated_from
            && let Ok(series) = self.work(from)
            && series.repeat.is_some()
        {
            return Err(Error::invalid(format!(
                "this work was made by the repeat of “{}” ({from}), which still repeats; change or stop the repeat there",
                series.title
            )));
        }
        if let Err(why) = self.repeat_basis(&original)? {
            return Err(Error::invalid(format!("this work cannot repeat: {why}")));
        }
        self.update_work(id, actor, |work, _| {
            let anchor = work
                .repeat
                .as_ref()
                .map_or(work.start_date, |r| r.anchor);
            let rule = Rule::parse(&request.every, request.day, anchor.day())?;
            at_most_daily(&rule, &request.every, now, tz)?;
            let until = match request.until.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => {
                    let until = crate::dates::parse_date("until", text)?;
                    if until < today {
                        return Err(Error::invalid_field(
                            "until",
                            format!("until {until} is in the past; give today ({today}) or a later day, or leave it out"),
                        ));
                    }
                    Some(until)
                }
            };
            let title = checked_title(request.title.as_deref().unwrap_or(""))?;
            let last = work.repeat.as_ref().and_then(|r| r.last);
            let floor = [Some(today), Some(work.start_date), last]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(today);
            let next = occurrences_after(
                &rule,
                anchor,
                floor,
                cron_floor(work.start_date, last, now, tz),
                until,
                tz,
            );
            let Some(first) = next.first() else {
                return Err(Error::invalid_field(
                    "until",
                    format!(
                        "nothing would repeat: the first occurrence after {floor} falls after until ({})",
                        until.map_or_else(String::new, |u| u.to_string())
                    ),
                ));
            };
            let summary = format!(
                "{} every {}{}; next on {}",
                if work.repeat.is_some() {
                    "Repeat changed:"
                } else {
                    "Repeats:"
                },
                describe(&rule.every(&request.every), &rule),
                until.map_or_else(String::new, |u| format!(" until {u}")),
                first.start_date.format("%-d %B %Y")
            );
            work.repeat = Some(Box::new(Repeat {
                every: rule.every(&request.every),
                day: match rule {
                    Rule::Months { day, .. } => Some(day),
                    Rule::Cron(_) => None,
                },
                until,
                title: title.clone(),
                anchor,
                last,
                next,
                set_at: now,
            }));
            Ok(Some((EventKind::RepeatSet, summary)))
        })
    }

    /// The start dates of the next work items (up to three) a repeat would make for work
    /// starting on `start`, as `set_repeat` would plan them today: for the template preview.
    pub fn repeat_dates(
        &self,
        start: chrono::NaiveDate,
        every: &str,
        day: Option<u32>,
    ) -> Result<Vec<chrono::NaiveDate>> {
        let tz = self.firm_settings()?.timezone;
        let now = self.now();
        let today = now.with_timezone(&tz).date_naive();
        let rule = Rule::parse(every, day, start.day())?;
        at_most_daily(&rule, every, now, tz)?;
        Ok(occurrences_after(
            &rule,
            start,
            today.max(start),
            cron_floor(start, None, now, tz),
            None,
            tz,
        )
        .into_iter()
        .map(|o| o.start_date)
        .collect())
    }

    /// Stops the repeat of work item `id`; the work it made stays. Answers the work and whether
    /// it was repeating (stopping what does not repeat changes nothing, and a page says so).
    pub fn stop_repeat(&self, id: WorkId, actor: Actor) -> Result<(WorkItem, bool)> {
        let mut stopped = false;
        let work = self.update_work(id, actor, |work, _| {
            stopped = work.repeat.take().is_some();
            if !stopped {
                return Ok(None);
            }
            Ok(Some((
                EventKind::RepeatStopped,
                "Repeat stopped by staff; the work it made stays".to_string(),
            )))
        })?;
        Ok((work, stopped))
    }

    /// The work items the repeat of `series` made, oldest first (at most `limit`).
    pub fn repeat_made(&self, series: WorkId, limit: usize) -> Result<Vec<WorkId>> {
        self.store
            .scan(Tree::Repeats, &made_prefix(series), None, limit, false)?
            .into_iter()
            .map(|(_, id)| {
                std::str::from_utf8(&id)
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| Error::Storage("corrupt repeats entry".into()))
            })
            .collect()
    }

    /// When the next occurrence of any repeat is due, if one is.
    pub fn next_repeat_due(&self) -> Result<Option<DateTime<Utc>>> {
        let first = self.store.scan(Tree::Repeats, b"d/", None, 1, false)?;
        first
            .first()
            .map(|(k, _)| parse_due_key(k).map(|(at, _)| at.get()))
            .transpose()
    }

    /// Makes every occurrence due at `now` (missed ones too, oldest first), each once; answers
    /// how many work items were made.
    pub(crate) fn make_due_repeats(&self, now: DateTime<Utc>) -> Result<usize> {
        let due: Vec<WorkId> = self
            .store
            .scan(Tree::Repeats, b"d/", None, REPEATS_PER_TICK, false)?
            .iter()
            .map(|(k, _)| parse_due_key(k))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|(at, _)| at.get() <= now)
            .map(|(_, series)| series)
            .collect();
        let mut made = 0;
        for series in due {
            let mut conflicts = 0;
            while made < REPEATS_PER_TICK {
                match self.next_occurrence(series, now) {
                    Ok(Step::Made) => made += 1,
                    Ok(Step::MovedOn) => {}
                    Ok(Step::Idle) => break,
                    // Another server made it meanwhile: look again, which moves on.
                    Err(Error::Conflict(m)) if conflicts < 3 => {
                        tracing::debug!(series = %series, reason = %m, "repeat made elsewhere");
                        conflicts += 1;
                    }
                    Err(e) => {
                        tracing::error!(series = %series, error = %e, "cannot make the next work of a repeat; trying again next tick");
                        break;
                    }
                }
            }
        }
        Ok(made)
    }

    /// Makes the next occurrence of `series` if it is due, in one batch with its create-only
    /// key and the series' move to the following occurrence.
    fn next_occurrence(&self, series: WorkId, now: DateTime<Utc>) -> Result<Step> {
        let tz = self.firm_settings()?.timezone;
        self.retrying(|| {
            let Some(before) = self.store.get(Tree::Work, &series.key())? else {
                self.drop_due_keys(series)?;
                return Ok(Step::Idle);
            };
            let old: WorkItem = decode(&before)?;
            let Some(occurrence) = old.repeat.as_ref().and_then(|r| r.next.first().cloned()) else {
                self.drop_due_keys(series)?;
                return Ok(Step::Idle);
            };
            if occurrence.at.get() > now {
                return Ok(Step::Idle);
            }
            let (template, recipients) = match self.repeat_basis(&old)? {
                Ok(basis) => basis,
                Err(why) => {
                    self.stop_repeat_because(before, old, &why)?;
                    return Ok(Step::Idle);
                }
            };
            let mut head = old.clone();
            let ended = move_on(&mut head, tz)?;
            let mut batch = Batch::default();
            batch.expect(Tree::Work, series.key(), Some(before));
            let guard = occurrence_key(series, &occurrence);
            let step = if self.store.get(Tree::Repeats, &guard)?.is_some() {
                Step::MovedOn
            } else {
                let repeat = old.repeat.as_deref().expect("read above");
                let rule = Rule::of(repeat)?;
                let first = self.contact(recipients[0])?;
                let locale = self.locale_of(&first)?;
                let contact = first.name;
                let date = occurrence.start_date;
                // A disabled member of staff is not given new work: it goes unassigned.
                let gone = match old.assignee {
                    Some(user) => match self.user(user) {
                        Ok(u) if u.disabled_at.is_some() => Some(u),
                        Ok(_) | Err(Error::NotFound { .. }) => None,
                        Err(e) => return Err(e),
                    },
                    None => None,
                };
                let title = fill(&repeat.title, &rule, &contact, &template.name, date, locale);
                let external = fill(EXTERNAL_NAME, &rule, &contact, &template.name, date, locale);
                let mut work = super::create::build_work(
                    &template,
                    date,
                    old.assignee.filter(|_| gone.is_none()),
                    title.chars().take(crate::model::MAX_NAME_CHARS).collect(),
                    external
                        .chars()
                        .take(crate::model::MAX_NAME_CHARS)
                        .collect(),
                    &recipients,
                    now,
                )?;
                work.repeated_from = Some(series);
                self.replan(std::slice::from_mut(&mut work), now)?;
                self.write_new_work(&mut batch, &template, &work, &Actor::System, now)?;
                batch.create(
                    Tree::Repeats,
                    guard,
                    work.id.to_string().into_bytes(),
                    "this occurrence of the repeat was made already",
                );
                self.record_event(
                    &mut batch,
                    Some(work.id),
                    None,
                    Actor::System,
                    EventKind::RepeatMade,
                    format!("Made from the repeat of “{}” ({series})", old.title),
                );
                self.record_event(
                    &mut batch,
                    Some(series),
                    None,
                    Actor::System,
                    EventKind::RepeatMade,
                    format!(
                        "The repeat made “{}” ({}), starting {}",
                        work.title,
                        work.id,
                        date.format("%-d %B %Y")
                    ),
                );
                if let Some(user) = gone {
                    self.unassigned_because_disabled(&mut batch, &work, &user, now)?;
                }
                Step::Made
            };
            if let Some(until) = ended {
                self.record_event(
                    &mut batch,
                    Some(series),
                    None,
                    Actor::System,
                    EventKind::RepeatStopped,
                    format!("The repeat ended: no occurrence is left on or before {until}"),
                );
            }
            self.write_work(&mut batch, Some(&old), &head)?;
            self.store.commit(batch)?;
            Ok(step)
        })
    }

    /// What the next work of `work`'s repeat is made from — its template and a recipient per
    /// group — or why it cannot be made any more.
    fn repeat_basis(
        &self,
        work: &WorkItem,
    ) -> Result<std::result::Result<(Template, Vec<ContactId>), String>> {
        let template = match self.template(work.template_id) {
            Ok(t) if t.archived_at.is_some() => {
                return Ok(Err(format!("its template “{}” was archived", t.name)));
            }
            Ok(t) => t,
            Err(Error::NotFound { .. }) => return Ok(Err("its template is gone".into())),
            Err(e) => return Err(e),
        };
        let recipients: Vec<ContactId> = work.groups.iter().map(|g| g.recipient).collect();
        for id in work.recipients() {
            match self.contact(id) {
                Ok(c) if c.archived_at.is_some() => {
                    return Ok(Err(format!("its contact {} was archived", c.name)));
                }
                Ok(_) => {}
                Err(Error::NotFound { .. }) => {
                    return Ok(Err(format!("its contact {id} is gone")));
                }
                Err(e) => return Err(e),
            }
        }
        let groups = template.groups.len();
        let recipients = if recipients.len() == groups {
            recipients
        } else if work.recipients().len() == 1 {
            vec![recipients[0]; groups]
        } else {
            return Ok(Err(format!(
                "its template “{}” now has {groups} groups and the work {}, for different contacts",
                template.name,
                recipients.len()
            )));
        };
        if recipients.is_empty() {
            return Ok(Err(format!(
                "its template “{}” has no groups",
                template.name
            )));
        }
        Ok(Ok((template, recipients)))
    }

    /// Stops the repeat of `work` because `why`: a line on its timeline and a notice to its
    /// assignee (or, with none, to the firm's admins), in one batch, so it is said once.
    fn stop_repeat_because(&self, before: Vec<u8>, old: WorkItem, why: &str) -> Result<()> {
        let now = self.now();
        let mut work = old.clone();
        work.repeat = None;
        work.updated_at = now;
        let what = format!("The repeat stopped: {why}. Set it again on this work to go on.");
        let mut batch = Batch::default();
        batch.expect(Tree::Work, work.id.key(), Some(before));
        self.write_work(&mut batch, Some(&old), &work)?;
        self.record_event(
            &mut batch,
            Some(work.id),
            None,
            Actor::System,
            EventKind::RepeatStopped,
            what.clone(),
        );
        let mut staff: Vec<_> = self
            .work_staff(&work, None)?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        if staff.is_empty() {
            staff = self
                .list_users()?
                .into_iter()
                .filter(|u| u.role == Role::Admin && u.disabled_at.is_none())
                .map(|u| u.id)
                .collect();
        }
        for user in staff {
            let note = StaffNotification {
                id: new_id(now),
                user,
                at: now,
                work: work.id,
                message: format!("{}: {what}", work.title),
                source: "docket".into(),
                kind: REPEAT_STOPPED_KIND.into(),
                read: false,
            };
            crate::docket::staff::inbox::add_notification(&mut batch, &note);
        }
        self.store.commit(batch)?;
        tracing::warn!(work = %work.id, reason = %why, "a repeat stopped");
        Ok(())
    }

    /// Says, in `batch`, that work a repeat made went unassigned because the series' assignee
    /// `user` is disabled: a line on the new work's timeline and a notice to the firm's active
    /// admins, who can assign it (and the series) to someone else.
    fn unassigned_because_disabled(
        &self,
        batch: &mut Batch,
        work: &WorkItem,
        user: &crate::model::StaffUser,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let what = format!(
            "Left unassigned: the repeat's assignee {} is disabled. Assign it to someone, and change the assignee of the work that repeats.",
            user.name
        );
        self.record_event(
            batch,
            Some(work.id),
            None,
            Actor::System,
            EventKind::RepeatMade,
            what.clone(),
        );
        for admin in self
            .list_users()?
            .into_iter()
            .filter(|u| u.role == Role::Admin && u.disabled_at.is_none())
        {
            let note = StaffNotification {
                id: new_id(now),
                user: admin.id,
                at: now,
                work: work.id,
                message: format!("{}: {what}", work.title),
                source: "docket".into(),
                kind: REPEAT_UNASSIGNED_KIND.into(),
                read: false,
            };
            crate::docket::staff::inbox::add_notification(batch, &note);
        }
        Ok(())
    }

    /// Removes the due entries of a series that no longer repeats (or is gone).
    fn drop_due_keys(&self, series: WorkId) -> Result<()> {
        let suffix = format!("/{series}");
        let mut batch = Batch::default();
        for (key, _) in self
            .store
            .scan(Tree::Repeats, b"d/", None, usize::MAX, false)?
        {
            if key.ends_with(suffix.as_bytes()) {
                batch.remove(Tree::Repeats, key);
            }
        }
        self.store.commit(batch)
    }
}

/// Moves `work`'s repeat past its first occurrence; answers the `until` date when none is
/// left (the repeat is then taken off the work).
fn move_on(work: &mut WorkItem, tz: Tz) -> Result<Option<chrono::NaiveDate>> {
    let Some(repeat) = work.repeat.as_deref_mut() else {
        return Ok(None);
    };
    let rule = Rule::of(repeat)?;
    let made = repeat.next.remove(0);
    repeat.last = Some(made.start_date);
    if repeat.next.is_empty() {
        repeat.next.push(made.clone());
        extend(&mut repeat.next, &rule, repeat.anchor, repeat.until, tz);
        repeat.next.remove(0);
    } else {
        extend(&mut repeat.next, &rule, repeat.anchor, repeat.until, tz);
    }
    if repeat.next.is_empty() {
        let until = repeat.until.unwrap_or(made.start_date);
        work.repeat = None;
        return Ok(Some(until));
    }
    Ok(None)
}

/// "month on the 5th", "quarter on the 31st", "`0 6 1 * *` (cron)".
fn describe(every: &str, rule: &Rule) -> String {
    match rule {
        Rule::Months { day, .. } => format!("{} on day {day}", every.trim()),
        Rule::Cron(_) => format!("`{}` (cron)", every.trim()),
    }
}

#[cfg(test)]
#[path = "repeat_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "repeat_store_tests.rs"]
mod store_tests;
