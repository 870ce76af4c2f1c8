//! Sending: everything that goes out and when. Groups sent and resent with a fresh magic link,
//! reminders, the scheduler that plans and fires them, the outbox that delivers email, the
//! comment digest, events for the notification hooks, the schedule's audit, re-plans after a
//! change of the firm's calendar, and groups a plugin cannot plan (stuck).

pub(super) mod audit;
pub(super) mod digest;
pub(super) mod hooks;
pub(super) mod outbox;
pub(super) mod plan;
pub(super) mod replan;
pub(super) mod scheduler;
pub(super) mod send;
pub(super) mod stuck;

pub use send::*;
