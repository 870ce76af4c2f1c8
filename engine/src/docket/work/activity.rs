//! What clients did (ticks, reopened tasks, comments, uploads) and which emails about work
//! failed, newest first, read from the `activity` index the timeline writes (never from every
//! work item's timeline); the clients active lately; and when each member last looked at their
//! home page (a `meta` key per member), so it can say what is new since.

use chrono::{DateTime, Utc};

use crate::docket::Docket;
use crate::docket::timeline::{CLIENT_ACTIVITY, FAILED_EMAILS};
use crate::model::{
    Actor, ContactId, EventId, KeyInstant, TimelineEvent, UserId, WorkId, WorkItem,
};
use crate::store::{Tree, get_record};
use crate::{Error, Result};

/// One event of the activity feed, with the work it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityLine {
    pub event: TimelineEvent,
    pub work_title: String,
    /// The client who did it, by name (none for a failed email).
    pub client: Option<String>,
}

/// A client lately active, with their latest doing.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveClient {
    pub contact: ContactId,
    pub name: String,
    pub email: String,
    pub last: ActivityLine,
}

/// Which part of the activity index to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    /// Ticks, reopened tasks, comments and uploads by clients.
    Client,
    /// Emails about work that failed.
    FailedEmail,
}

impl ActivityKind {
    fn prefix(self) -> &'static str {
        match self {
            ActivityKind::Client => CLIENT_ACTIVITY,
            ActivityKind::FailedEmail => FAILED_EMAILS,
        }
    }
}

/// Most entries of the activity index one call reads.
const ACTIVITY_SCAN: usize = 2_000;

fn seen_key(user: UserId) -> Vec<u8> {
    format!("home_seen/{user}").into_bytes()
}

impl Docket {
    /// The newest `limit` events of `kind`, newest first, back to `since` (exclusive) when
    /// given.
    pub fn activity(
        &self,
        kind: ActivityKind,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<ActivityLine>> {
        let prefix = kind.prefix().as_bytes();
        let entries =
            self.store
                .scan(Tree::Activity, prefix, None, limit.min(ACTIVITY_SCAN), true)?;
        let since = since.map(|s| KeyInstant::new(s).key());
        let mut lines = Vec::new();
        let mut titles: std::collections::HashMap<WorkId, String> = Default::default();
        for (key, _) in entries {
            let (at, work, event) = parse_key(&key[prefix.len()..])
                .ok_or_else(|| Error::Storage("corrupt key in activity".into()))?;
            if since.as_deref().is_some_and(|s| at.as_str() <= s) {
                break;
            }
            let Some(event) = get_record::<TimelineEvent>(
                self.store.as_ref(),
                Tree::Timeline,
                format!("w/{work}/{event}").as_bytes(),
            )?
            else {
                continue;
            };
            let work_title = match titles.get(&work) {
                Some(title) => title.clone(),
                None => {
                    let title =
                        match get_record::<WorkItem>(self.store.as_ref(), Tree::Work, &work.key())?
                        {
                            Some(w) => w.title,
                            None => "a removed work item".into(),
                        };
                    titles.insert(work, title.clone());
                    title
                }
            };
            let client = match &event.actor {
                Actor::Contact(id) => Some(match self.contact(*id) {
                    Ok(c) => c.name,
                    Err(Error::NotFound { .. }) => "a removed contact".into(),
                    Err(e) => return Err(e),
                }),
                _ => None,
            };
            lines.push(ActivityLine {
                event,
                work_title,
                client,
            });
        }
        Ok(lines)
    }

    /// The clients who did something lately, the most recent first, each once, at most
    /// `limit`.
    pub fn active_clients(&self, limit: usize) -> Result<Vec<ActiveClient>> {
        let mut clients: Vec<ActiveClient> = Vec::new();
        for line in self.activity(ActivityKind::Client, None, ACTIVITY_SCAN)? {
            let Actor::Contact(id) = line.event.actor else {
                continue;
            };
            if clients.iter().any(|c| c.contact == id) {
                continue;
            }
            let (name, email) = match self.contact(id) {
                Ok(c) => (c.name, c.email),
                Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            clients.push(ActiveClient {
                contact: id,
                name,
                email,
                last: line,
            });
            if clients.len() == limit {
                break;
            }
        }
        Ok(clients)
    }

    /// When `user` last looked at their home page, and notes that they look now.
    pub fn home_seen(&self, user: UserId) -> Result<Option<DateTime<Utc>>> {
        let key = seen_key(user);
        let before = self
            .store
            .get(Tree::Meta, &key)?
            .and_then(|at| KeyInstant::parse_key(&at))
            .map(KeyInstant::get);
        let mut batch = crate::store::Batch::default();
        batch.put(
            Tree::Meta,
            key,
            KeyInstant::new(self.now()).key().into_bytes(),
        );
        self.store.commit(batch)?;
        Ok(before)
    }
}

/// `instant/work/event` as its parts.
fn parse_key(key: &[u8]) -> Option<(String, WorkId, EventId)> {
    let text = std::str::from_utf8(key).ok()?;
    let mut parts = text.split('/');
    let at = parts.next()?.to_string();
    let work = parts.next()?.parse().ok()?;
    let event = parts.next()?.parse().ok()?;
    Some((at, work, event))
}
