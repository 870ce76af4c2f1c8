//! The work page's timeline as staff read it: newest first, a run of reminders of one group
//! shown as one line (the latest, with the earlier ones folded under it), a sentence repeated
//! back to back shown once with when each happened, and each email's line linking to the
//! email in the outbox (for admins, who may open it).

use chrono_tz::Tz;
use docket_engine::model::{EventKind, TimelineEvent};
use serde::Serialize;

use crate::admin::plain;

/// One line of the timeline, with the events folded under it.
#[derive(Serialize, Debug, PartialEq)]
pub(in crate::admin) struct EventView {
    pub at: String,
    pub who: String,
    pub summary: String,
    /// The email the event is about, for admins.
    pub email_href: Option<String>,
    /// The earlier events of the same run, newest first.
    pub earlier: Vec<Earlier>,
    /// What the fold says: "2 earlier reminders" or "The same, 2 earlier times".
    pub fold: String,
}

/// An event folded under a line: when, what (only where it says something else) and its
/// email.
#[derive(Serialize, Debug, PartialEq)]
pub(in crate::admin) struct Earlier {
    pub at: String,
    pub summary: Option<String>,
    pub email_href: Option<String>,
}

/// The group a reminder's line is about: the name between the quotes of “Reminder N of “G” …”.
fn reminder_group(event: &TimelineEvent) -> Option<&str> {
    if event.kind != EventKind::ReminderSent {
        return None;
    }
    let start = event.summary.find('“')? + '“'.len_utf8();
    let end = start + event.summary[start..].find('”')?;
    Some(&event.summary[start..end])
}

/// The timeline's lines from its events (newest first, each with who did it).
pub(in crate::admin) fn timeline_views(
    events: &[(TimelineEvent, String)],
    zone: Tz,
    admin: bool,
) -> Vec<EventView> {
    let at = |e: &TimelineEvent| {
        e.at.with_timezone(&zone)
            .format("%-d %b %Y, %H:%M")
            .to_string()
    };
    let email = |e: &TimelineEvent| {
        e.email
            .as_ref()
            .filter(|_| admin)
            .map(|id| format!("/admin/outbox/{id}"))
    };
    let mut views: Vec<EventView> = Vec::new();
    // The head event of the last line, to compare the next (older) event with.
    let mut head: Option<&(TimelineEvent, String)> = None;
    for item in events {
        let (event, who) = item;
        if let (Some((first, first_who)), Some(view)) = (head, views.last_mut()) {
            let same_reminders =
                reminder_group(event).is_some_and(|g| reminder_group(first) == Some(g));
            let same_sentence = event.summary == first.summary && who == first_who;
            if same_reminders || same_sentence {
                view.earlier.push(Earlier {
                    at: at(event),
                    summary: (event.summary != first.summary).then(|| plain(&event.summary)),
                    email_href: email(event),
                });
                let n = view.earlier.len();
                view.fold = match (same_reminders, n) {
                    (true, 1) => "1 earlier reminder".into(),
                    (true, n) => format!("{n} earlier reminders"),
                    (false, 1) => "The same, 1 earlier time".into(),
                    (false, n) => format!("The same, {n} earlier times"),
                };
                continue;
            }
        }
        head = Some(item);
        views.push(EventView {
            at: at(event),
            who: who.clone(),
            summary: plain(&event.summary),
            email_href: email(event),
            earlier: Vec::new(),
            fold: String::new(),
        });
    }
    views
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
