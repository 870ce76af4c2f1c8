//! Events and what reacts to them. A change writes its events to the `Events` queue in its own
//! batch; after commit a worker hands each to the notification hooks subscribed to its kind —
//! never inside a batch or a retry loop — and carries out their effects, each in a batch of its
//! own: emails through the outbox, webhooks through their own queue, status changes on the
//! work, and notifications in staff inboxes. Every effect has a key, so an event delivered
//! twice (a crash between the effects and the event's removal) acts once.

use chrono::{DateTime, Duration, Utc};

use crate::config::HookConfig;
use crate::docket::Docket;
use crate::docket::sending::outbox::{instant_key, parse_instant_key};
use crate::model::{
    Actor, EventKind, QueuedEvent, StaffNotification, UserId, WebhookDelivery, WorkId, WorkItem,
    WorkStatus, new_id,
};
use crate::plugin::{Effect, HookEvent, HookEventKind, RecordedEffects};
use crate::store::{Batch, Tree, scan_records};
use crate::{Error, Result};

/// A webhook is tried this many times before it is given up.
pub const WEBHOOK_ATTEMPTS: u32 = 8;

/// How a webhook attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    Delivered,
    Retry(String),
    GiveUp(String),
}

impl Docket {
    /// Adds an event to `batch`, for the hooks. `by_client` marks what the client did, which
    /// also lands in the staff's inboxes.
    pub(crate) fn queue_event(
        &self,
        batch: &mut Batch,
        work: WorkId,
        group: Option<usize>,
        kind: HookEventKind,
        by_client: bool,
    ) {
        let now = self.now();
        let event = QueuedEvent {
            id: new_id(now),
            at: now,
            work,
            group,
            kind,
            by_client,
        };
        batch.put_record(Tree::Events, event.id.to_string().into_bytes(), &event);
    }

    /// Delivers up to `limit` queued events to the hooks of `hooks` that subscribe to them and
    /// applies their effects; returns how many events were handled. A hook that fails (trap,
    /// timeout, bad answer) is logged with its name and the event's other hooks still act.
    pub fn deliver_events(&self, hooks: &[HookConfig], limit: usize) -> Result<usize> {
        let events: Vec<QueuedEvent> =
            scan_records(self.store.as_ref(), Tree::Events, b"", None, limit, false)?;
        for event in &events {
            if let Err(e) = self.deliver_event(hooks, event) {
                // An event that cannot be handled must not hold up the queue behind it.
                tracing::error!(event = %event.id, kind = event.kind.name(), error = %e, "cannot deliver an event to the hooks; dropping it");
            }
            let mut batch = Batch::default();
            batch.remove(Tree::Events, event.id.to_string().into_bytes());
            self.store.commit(batch)?;
        }
        Ok(events.len())
    }

    fn deliver_event(&self, hooks: &[HookConfig], event: &QueuedEvent) -> Result<()> {
        let work = match self.work(event.work) {
            Ok(work) => work,
            Err(Error::NotFound { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        let staff = self.work_staff(&work, event.group)?;
        if event.by_client
            || matches!(
                event.kind,
                HookEventKind::ReminderLimitReached { .. } | HookEventKind::SendFailed { .. }
            )
        {
            self.notify(
                &staff,
                &work,
                event,
                "docket",
                "docket",
                &event.kind.describe(),
            )?;
        }
        let interested: Vec<&HookConfig> = hooks
            .iter()
            .filter(|h| h.events.iter().any(|e| e == event.kind.name()))
            .collect();
        if interested.is_empty() {
            return Ok(());
        }
        let Some(host) = self.plugins.clone() else {
            return Ok(());
        };
        let group = event.group.and_then(|g| work.groups.get(g));
        let contact_email = match group {
            Some(g) => self
                .contact(g.recipient)
                .map(|c| c.email)
                .unwrap_or_default(),
            None => String::new(),
        };
        let hook_event = HookEvent {
            kind: event.kind.clone(),
            at: event.at,
            work_id: work.id.to_string(),
            work_title: work.title.clone(),
            group_name: group.map(|g| g.name.clone()).unwrap_or_default(),
            contact_email,
            staff_emails: staff.iter().map(|(_, email)| email.clone()).collect(),
        };
        for hook in interested {
            let entry = entry_id(hook);
            let mut effects = RecordedEffects::default();
            if let Err(e) = host.deliver(&hook.plugin, &hook.params, &hook_event, &mut effects) {
                tracing::warn!(plugin = %hook.plugin, event = event.kind.name(), error = %e, "hook failed; its effects are dropped");
                continue;
            }
            for (i, (plugin, effect)) in effects.applied.into_iter().enumerate() {
                let key = format!("{entry}/{i}");
                if let Err(e) = self.apply_effect(&work, event, &staff, &plugin, &key, effect) {
                    tracing::warn!(plugin = %plugin, error = %e, "a hook's effect could not be carried out");
                }
            }
        }
        Ok(())
    }

    fn apply_effect(
        &self,
        work: &WorkItem,
        event: &QueuedEvent,
        staff: &[(UserId, String)],
        plugin: &str,
        effect_key: &str,
        effect: Effect,
    ) -> Result<()> {
        let key = format!("hook/{}/{effect_key}", event.id);
        match effect {
            Effect::SendEmail { to, subject, body } => {
                self.queue_plain_email(key, Some(work.id), &to, &subject, &body)
            }
            Effect::HttpPost {
                url,
                content_type,
                body,
            } => {
                let now = self.now();
                let delivery = WebhookDelivery {
                    id: new_id(now),
                    plugin: plugin.to_string(),
                    work: work.id,
                    url,
                    content_type,
                    body,
                    attempts: 0,
                    next_attempt_at: now,
                    last_error: None,
                };
                let mut batch = Batch::default();
                claim_key(&mut batch, &key);
                batch.put_record(Tree::Webhooks, webhook_key(&delivery), &delivery);
                ignore_duplicate(self.store.commit(batch))
            }
            Effect::SetWorkStatus { status, .. } => self
                .set_work_status_named(work.id, &status, Actor::Hook(plugin.to_string()))
                .map(|_| ()),
            Effect::NotifyStaff { message, .. } => {
                self.notify(staff, work, event, plugin, effect_key, &message)
            }
        }
    }

    /// The work's staff for an event: the group's sender and the work's assignee, once each.
    pub(crate) fn work_staff(
        &self,
        work: &WorkItem,
        group: Option<usize>,
    ) -> Result<Vec<(UserId, String)>> {
        let mut ids: Vec<UserId> = Vec::new();
        let senders = match group {
            Some(g) => work.groups.get(g).and_then(|g| g.sent_by.or(g.sender)),
            None => None,
        };
        for id in senders.into_iter().chain(work.assignee) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let mut out = Vec::new();
        for id in ids {
            match self.user(id) {
                Ok(user) => out.push((user.id, user.email)),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    fn notify(
        &self,
        staff: &[(UserId, String)],
        work: &WorkItem,
        event: &QueuedEvent,
        source: &str,
        effect_key: &str,
        message: &str,
    ) -> Result<()> {
        let now = self.now();
        let mut batch = Batch::default();
        claim_key(&mut batch, &format!("notify/{}/{effect_key}", event.id));
        for (user, _) in staff {
            let note = StaffNotification {
                id: new_id(now),
                user: *user,
                at: now,
                work: work.id,
                message: format!("{}: {message}", work.title),
                source: source.to_string(),
                kind: event.kind.name().to_string(),
                read: false,
            };
            crate::docket::staff::inbox::add_notification(&mut batch, &note);
        }
        ignore_duplicate(self.store.commit(batch))
    }

    /// Sets a work's status by name: one of the fixed statuses, or a firm sub-status (which
    /// also sets the status it belongs under).
    pub fn set_work_status_named(&self, id: WorkId, name: &str, actor: Actor) -> Result<WorkItem> {
        let (status, sub) = resolve_status(name, &self.firm_settings()?)
            .map_err(|e| Error::invalid(format!("cannot set the status to {e}")))?;
        self.set_work_status(id, status, sub, actor)
    }

    /// Checks the `[[hooks]]` of the configuration before serving: each names a notification
    /// hook that exists, and each is tried once on a sample of every event it subscribes to
    /// (nothing it asks for is carried out), so a missing parameter, an ungranted host or an
    /// unknown status stops start-up instead of failing quietly on the day of the event. A hook
    /// still waiting for its first grant (the firm grants it nothing yet, and the configuration
    /// does not pin its grants) is only logged: an admin grants it on the running server's
    /// Plugins page, which a refusal to start would keep them from.
    pub fn check_hooks(&self, hooks: &[HookConfig]) -> Result<()> {
        let Some(host) = self.plugins.clone() else {
            return Ok(());
        };
        let settings = self.firm_settings()?;
        for (i, hook) in hooks.iter().enumerate() {
            let waiting = host
                .refusals()
                .into_iter()
                .find(|r| r.name == hook.plugin && r.needs_grant.is_some() && !r.grants_pinned);
            if let Some(refused) = waiting {
                tracing::error!(
                    hook = i,
                    plugin = %hook.plugin,
                    "hooks[{i}]: `{}` waits for the firm to grant it `{}`; grant it on the admin's Plugins page, and it acts from then on",
                    hook.plugin,
                    refused.needs_grant.unwrap_or_default()
                );
                continue;
            }
            match host.plugin(&hook.plugin) {
                Some(info)
                    if info.world == crate::plugin::World::NotificationHook
                        && !info.declared.is_empty()
                        && info.granted.is_empty()
                        && !info.grants_pinned =>
                {
                    tracing::error!(
                        hook = i,
                        plugin = %hook.plugin,
                        "hooks[{i}]: `{}` is granted none of {}; grant them on the admin's Plugins page, and it acts from then on",
                        hook.plugin,
                        info.declared.join(", ")
                    );
                    continue;
                }
                Some(info) if info.world == crate::plugin::World::NotificationHook => {}
                Some(info) => {
                    return Err(Error::invalid(format!(
                        "key `hooks[{i}].plugin`: `{}` is a {}, not a notification hook",
                        hook.plugin, info.world
                    )));
                }
                None => {
                    return Err(Error::invalid(format!(
                        "key `hooks[{i}].plugin`: {}",
                        host.not_installed(&hook.plugin, crate::plugin::World::NotificationHook)
                    )));
                }
            }
            for name in &hook.events {
                let event = HookEvent {
                    kind: sample_event(name),
                    at: self.now(),
                    work_id: "sample-work".into(),
                    work_title: "Sample work".into(),
                    group_name: "Sample group".into(),
                    contact_email: "client@example.com".into(),
                    staff_emails: vec!["staff@example.com".into()],
                };
                let mut effects = RecordedEffects::default();
                let acted = host
                    .deliver(&hook.plugin, &hook.params, &event, &mut effects)
                    .map_err(|e| {
                        Error::invalid(format!(
                            "key `hooks[{i}]`: hook `{}` fails on a sample `{name}` event: {e}",
                            hook.plugin
                        ))
                    })?;
                if acted == 0 {
                    tracing::warn!(
                        hook = i,
                        plugin = %hook.plugin,
                        event = %name,
                        "hooks[{i}] does nothing on a sample `{name}` event; check its parameters (the stock hooks' `on` parameter names the events they act on)"
                    );
                }
                for (_, effect) in effects.applied {
                    if let Effect::SetWorkStatus { status, .. } = effect {
                        resolve_status(&status, &settings).map_err(|e| {
                            Error::invalid(format!(
                                "key `hooks[{i}]`: hook `{}` would set the status to {e}",
                                hook.plugin
                            ))
                        })?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Webhooks due now, up to `limit`.
    pub fn due_webhooks(&self, limit: usize) -> Result<Vec<WebhookDelivery>> {
        let now = self.now();
        let entries = self.store.scan(Tree::Webhooks, b"", None, limit, false)?;
        let mut out = Vec::new();
        for (key, value) in entries {
            let at = parse_instant_key(key.get(..20).unwrap_or_default())?;
            if at.get() > now {
                break;
            }
            out.push(crate::store::decode(&value)?);
        }
        Ok(out)
    }

    /// Records how a webhook attempt ended: gone when delivered or given up (logged), else
    /// back in the queue with backoff.
    pub fn settle_webhook(&self, mut hook: WebhookDelivery, outcome: WebhookOutcome) -> Result<()> {
        let now = self.now();
        let mut batch = Batch::default();
        batch.remove(Tree::Webhooks, webhook_key(&hook));
        hook.attempts += 1;
        match outcome {
            WebhookOutcome::Delivered => {
                tracing::info!(plugin = %hook.plugin, url = %hook.url, "webhook delivered");
            }
            WebhookOutcome::Retry(reason) if hook.attempts < WEBHOOK_ATTEMPTS => {
                tracing::warn!(plugin = %hook.plugin, url = %hook.url, %reason, attempt = hook.attempts, "webhook not delivered; will retry");
                hook.next_attempt_at = now + Duration::seconds(10 * 2i64.pow(hook.attempts));
                hook.last_error = Some(reason);
                batch.put_record(Tree::Webhooks, webhook_key(&hook), &hook);
            }
            WebhookOutcome::Retry(reason) | WebhookOutcome::GiveUp(reason) => {
                tracing::warn!(plugin = %hook.plugin, url = %hook.url, %reason, attempts = hook.attempts, "webhook given up");
                self.record_event(
                    &mut batch,
                    Some(hook.work),
                    None,
                    Actor::Hook(hook.plugin.clone()),
                    EventKind::WebhookFailed,
                    format!("Webhook to {} failed: {reason}", hook.url),
                );
            }
        }
        self.store.commit(batch)
    }

    /// When the next webhook is due.
    pub fn next_webhook_due(&self) -> Result<Option<DateTime<Utc>>> {
        let first = self.store.scan(Tree::Webhooks, b"", None, 1, false)?;
        first
            .first()
            .map(|(k, _)| parse_instant_key(k.get(..20).unwrap_or_default()).map(|at| at.get()))
            .transpose()
    }

    /// Events still waiting for the hooks.
    pub fn pending_events(&self) -> Result<usize> {
        self.store.len(Tree::Events)
    }
}

/// A stable name for one `[[hooks]]` entry: its plugin and a hash of its parameters and events,
/// so two entries of one plugin keep their effects apart, and the name survives a restart.
fn entry_id(hook: &HookConfig) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for (k, v) in &hook.params {
        hash.update(k.as_bytes());
        hash.update([0]);
        hash.update(v.as_bytes());
        hash.update([1]);
    }
    for e in &hook.events {
        hash.update(e.as_bytes());
        hash.update([2]);
    }
    let digest = hash.finalize();
    let short = crate::text::hex(&digest[..6]);
    format!("{}-{short}", hook.plugin)
}

/// A status name as hooks and the API give it: a fixed status (`in-progress` or `in_progress`)
/// or one of the firm's sub-statuses, with the status it belongs under.
fn resolve_status(
    name: &str,
    settings: &crate::model::FirmSettings,
) -> Result<(WorkStatus, Option<String>)> {
    let name = name.trim();
    if let Ok(status) = name.replace('-', "_").parse::<WorkStatus>() {
        return Ok((status, None));
    }
    let found = settings.sub_statuses.iter().find_map(|(status, subs)| {
        subs.iter()
            .find(|s| s.eq_ignore_ascii_case(name))
            .map(|s| (status.clone(), s.clone()))
    });
    match found {
        Some((status, sub)) => Ok((status.parse()?, Some(sub))),
        None => {
            let subs: Vec<&String> = settings.sub_statuses.values().flatten().collect();
            Err(Error::invalid(format!(
                "`{name}`, which is neither a work status (planned, waiting_on_client, in_progress, completed) nor one of the firm's sub-statuses ({})",
                if subs.is_empty() {
                    "none are set: add them under [firm.sub_statuses]".to_string()
                } else {
                    subs.iter()
                        .map(|s| format!("“{s}”"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )))
        }
    }
}

/// An event of kind `name` with sample details, for `check_hooks`.
fn sample_event(name: &str) -> HookEventKind {
    match name {
        "task-completed" => HookEventKind::TaskCompleted {
            title: "Sample task".into(),
        },
        "all-tasks-completed" => HookEventKind::AllTasksCompleted,
        "upload-received" => HookEventKind::UploadReceived {
            file_name: "sample.pdf".into(),
        },
        "comment-added" => HookEventKind::CommentAdded {
            text: "A sample comment".into(),
        },
        "reminder-limit-reached" => HookEventKind::ReminderLimitReached {
            title: "Sample task".into(),
        },
        _ => HookEventKind::SendFailed {
            reason: "a sample failure".into(),
        },
    }
}

/// Guards an effect by its key: a second batch with the same key fails as a duplicate.
fn claim_key(batch: &mut Batch, key: &str) {
    batch.create(
        Tree::OutboxKeys,
        key.as_bytes(),
        Vec::new(),
        format!("{}{key}", crate::docket::sending::outbox::ALREADY_QUEUED),
    );
}

fn ignore_duplicate(result: Result<()>) -> Result<()> {
    match result {
        Err(Error::Conflict(m))
            if m.starts_with(crate::docket::sending::outbox::ALREADY_QUEUED) =>
        {
            Ok(())
        }
        other => other,
    }
}

fn webhook_key(hook: &WebhookDelivery) -> Vec<u8> {
    format!("{}/{}", instant_key(hook.next_attempt_at), hook.id).into_bytes()
}
