//! Sending: everything that goes out and when. Groups sent and resent with a fresh magic link,
//! reminders, the scheduler that plans and fires them, the outbox that delivers email, the
//! comment digest, events for the notification hooks, the schedule's audit, re-plans after a
//! change of the firm's calendar, groups a plugin cannot plan (stuck), and reminders paused by
//! staff until a date and a contact's own quiet days (`away.rs`).
//!
//! **Planning.** Every group carries its next fire (`ClientTaskGroup::next`: an automatic send, a
//! reminder with the tasks it covers, or a retry after its plugin failed), mirrored in the
//! `schedule` tree under `INSTANT/WORK/GROUP` (`KeyInstant`: the record and its key agree to the
//! millisecond). Every change of a work item re-plans its groups (`plan.rs`: the sending rule for
//! unsent groups, the reminder policy for sent ones, asked in one batch per policy, zone and
//! parameters; each answer held to the send schedule and past holidays, with the tasks the policy
//! would have reminded of meanwhile) and writes the index moves in the same batch (`write_work`).
//! A `tick` (`scheduler.rs`) reads the schedule up to now and nothing else, acts on each due group
//! in memory on two threads, and commits one guarded batch per work item; after downtime each
//! group fires once and its policy answers from now, so missed days collapse.
//!
//! **The outbox.** A change and its email are one batch: the `OutboundMessage` (a reminder's is
//! composed when the sender claims it, from the work as it is then), its place in `outbox_queue`
//! and its idempotency key in `outbox_keys` (a second message with a key fails its batch). The
//! sender marks what it claims in flight and flushes before any SMTP (`claim.rs`: the records a
//! claim needs read a tree at a time, the claims committed together), then records each outcome
//! as its send returns: sent (the link dropped from the record), retried with backoff, failed
//! (5xx: on the timeline and raised as `send-failed`), or dropped (a reminder whose tasks were
//! done meanwhile); at start, what was in flight is queued again. **The one window where an email
//! may go twice** is between handing it to the relay and recording the relay's `250`: after a
//! crash there Docket cannot know whether the relay took it and sends it again, with the same
//! `Message-ID` (derived from the idempotency key). Outside that window nothing is lost or doubled.
//!
//! **Events.** Task completed, all tasks completed, upload, comment, reminder limit reached and
//! send failed are written to `events` in the batch of the change; the hooks worker hands each to
//! the subscribed hooks after commit and applies each granted effect once, in a batch of its own
//! guarded by a key (`hooks.rs`).

pub(super) mod audit;
pub(super) mod away;
pub(super) mod bulk;
pub(super) mod claim;
pub(super) mod digest;
pub(super) mod hooks;
pub(super) mod outbox;
pub(super) mod pause;
pub(super) mod plan;
pub(super) mod replan;
pub(super) mod scheduler;
pub(super) mod send;
pub(super) mod stuck;

pub(crate) use send::*;
