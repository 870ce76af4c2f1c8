//! The background work of a running server, each loop on a thread of its own: the scheduler
//! tick, the sender that delivers the outbox, the hook worker that hands events to notification
//! hooks, the webhook poster, and the collector of uploaded files no record references. Each
//! loop but the collector sleeps on the engine's clock (so a simulated clock speeds them up too);
//! the collector's hour is real, as file ages are. Every loop wakes early when told to stop.
//! While sending is paused (a restored folder), the scheduler, the sender and the webhook poster
//! wait; hooks still run, and what they queue waits in the outbox. Each loop records what it
//! did as metrics (`docket_scheduler_*`, `docket_emails_total`), served at `/metrics`. A loop
//! that fails logs it once, and once when it works again (`outage.rs`), not at every retry.
//!
//! Several servers sharing one store (PostgreSQL): the scheduler, the hook worker and the
//! webhook poster run on one server at a time, under leases (`lease.rs`); every server's sender
//! claims messages one by one, and a message in flight longer than `IN_FLIGHT_TIMEOUT` (its
//! server stopped mid-send) is queued again by whichever sender looks: the declared window where
//! an email may go twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};

use crate::Docket;
use crate::config::HookConfig;
use crate::docket::{Delivery, WebhookOutcome};
use crate::lease::{LEASE_TTL, Lease};
use crate::mail::Mailer;
use crate::model::WebhookDelivery;
use crate::outage::Outage;

/// Open work items re-planned between two ticks after the firm's calendar changed.
const REPLAN_PAGE: usize = 256;
/// On a shared store: an email in flight this long is taken to be from a server that stopped
/// mid-send (a send that is still going takes less: SMTP timeouts are shorter), and is queued
/// again.
pub const IN_FLIGHT_TIMEOUT: Duration = Duration::from_secs(120);
/// On a shared store: how often a sender looks for such emails.
const STALE_LOOK_EVERY: Duration = Duration::from_secs(10);

/// How the loops run.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    pub hooks: Vec<HookConfig>,
    /// Messages claimed (and flushed as in flight) at once.
    pub send_batch: usize,
    /// Messages sent at the same time (at most the relay's connections).
    pub parallel_sends: usize,
    /// Longest real wait between two looks at the queues.
    pub idle: std::time::Duration,
    /// Real time between two collections of uploaded files no record references; the first
    /// is at start.
    pub collect_files_every: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            hooks: Vec::new(),
            send_batch: 64,
            parallel_sends: 4,
            idle: std::time::Duration::from_millis(250),
            collect_files_every: Duration::from_secs(3600),
        }
    }
}

/// The running loops; `stop` ends them.
pub struct Workers {
    signal: Arc<Signal>,
    threads: Vec<JoinHandle<()>>,
}

struct Signal {
    stop: AtomicBool,
    lock: Mutex<()>,
    wake: Condvar,
    /// Reading whether sending is paused, shared by the loops that read it, so a store that
    /// cannot be read is said once, not once per loop.
    pausing: Mutex<Outage>,
}

impl Signal {
    fn new() -> Signal {
        Signal {
            stop: AtomicBool::new(false),
            lock: Mutex::new(()),
            wake: Condvar::new(),
            pausing: Mutex::new(Outage::new(
                "cannot read whether sending is paused",
                "reading whether sending is paused",
            )),
        }
    }

    /// Waits `for_` or until told to stop; false once stopping.
    fn sleep(&self, for_: std::time::Duration) -> bool {
        let guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if self.stop.load(Ordering::SeqCst) {
            return false;
        }
        let _ = self
            .wake
            .wait_timeout(guard, for_)
            .unwrap_or_else(|e| e.into_inner());
        !self.stop.load(Ordering::SeqCst)
    }

    /// Waits until `deadline` (real time), through early wakes, or until told to stop; false
    /// once stopping.
    fn sleep_until(&self, deadline: Instant) -> bool {
        loop {
            let now = Instant::now();
            if now >= deadline {
                return !self.stopping();
            }
            if !self.sleep(deadline - now) {
                return false;
            }
        }
    }

    /// Wakes every sleeping loop early (the scheduler queued email: the sender should look).
    fn wake(&self) {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.wake.notify_all();
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

impl Workers {
    /// Recovers messages left in flight by a crash, then starts the loops.
    pub fn start(
        docket: Docket,
        mailer: Arc<Mailer>,
        options: WorkerOptions,
    ) -> crate::Result<Workers> {
        if docket.store().shared() {
            // Other servers may be sending what is in flight: only what they left too long goes.
            docket.recover_stale_in_flight(IN_FLIGHT_TIMEOUT)?;
        } else {
            docket.recover_in_flight()?;
        }
        let signal = Arc::new(Signal::new());
        let mut threads = Vec::new();
        let spawn = |name: &str, body: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.to_string())
                .spawn(body)
                .expect("start a worker thread")
        };
        {
            let (docket, signal, idle) = (docket.clone(), signal.clone(), options.idle);
            threads.push(spawn(
                "docket-scheduler",
                Box::new(move || scheduler_loop(&docket, &signal, idle)),
            ));
        }
        {
            let (docket, signal, options) = (docket.clone(), signal.clone(), options.clone());
            threads.push(spawn(
                "docket-sender",
                Box::new(move || sender_loop(&docket, &mailer, &signal, &options)),
            ));
        }
        {
            let (docket, signal, options) = (docket.clone(), signal.clone(), options.clone());
            threads.push(spawn(
                "docket-hooks",
                Box::new(move || hooks_loop(&docket, &signal, &options)),
            ));
        }
        {
            let (docket, signal, idle) = (docket.clone(), signal.clone(), options.idle);
            threads.push(spawn(
                "docket-webhooks",
                Box::new(move || webhook_loop(&docket, &signal, idle)),
            ));
        }
        {
            let (signal, every) = (signal.clone(), options.collect_files_every);
            threads.push(spawn(
                "docket-files",
                Box::new(move || collector_loop(&docket, &signal, every)),
            ));
        }
        Ok(Workers { signal, threads })
    }

    /// Tells every loop to stop and waits for them (a send in progress finishes first).
    pub fn stop(self) {
        {
            let _guard = self.signal.lock.lock().unwrap_or_else(|e| e.into_inner());
            self.signal.stop.store(true, Ordering::SeqCst);
            self.signal.wake.notify_all();
        }
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

/// How long to wait for `due` (on the engine's clock), at most `idle`, at least a millisecond.
fn wait_for(
    docket: &Docket,
    due: Option<DateTime<Utc>>,
    idle: std::time::Duration,
) -> std::time::Duration {
    let wait = match due {
        Some(at) => docket.clock().real(at - docket.now()).min(idle),
        None => idle,
    };
    wait.max(std::time::Duration::from_millis(1))
}

/// Whether sending is paused (a restored folder); a store that cannot be read counts as paused.
fn paused(docket: &Docket, signal: &Signal) -> bool {
    let mut outage = signal.pausing.lock().unwrap_or_else(|e| e.into_inner());
    !matches!(outage.note(docket.sending_pause()), Some(None))
}

/// Whether this server holds `lease` now; a store that cannot be read counts as not.
fn holds(docket: &Docket, lease: &Lease, outage: &mut Outage) -> bool {
    outage.note(lease.hold(docket.store().as_ref())) == Some(true)
}

fn repair_schedule(docket: &Docket) {
    if let Err(e) = docket.repair_schedule_at_start() {
        tracing::error!(error = %e, "cannot check the schedule for orphans; the scheduler runs without");
    }
}

fn scheduler_loop(docket: &Docket, signal: &Signal, idle: std::time::Duration) {
    let lease = Lease::new("scheduler", LEASE_TTL);
    scheduler_rounds(docket, signal, idle, &lease);
    let _ = lease.release(docket.store().as_ref());
}

fn scheduler_rounds(docket: &Docket, signal: &Signal, idle: std::time::Duration, lease: &Lease) {
    let mut leasing = Outage::new(
        "cannot take the scheduler's lease",
        "taking the scheduler's lease",
    );
    let mut replanning_outage = Outage::new(
        "cannot re-plan on the firm's new calendar",
        "re-planning on the firm's new calendar",
    );
    let mut ticking = Outage::new("the scheduler's tick failed", "the scheduler ticks");
    // Orphans of the schedule (left by an older binary's bug) are re-planned before the first
    // tick of a new version, so nothing the firm was promised stays unsent; on a shared store,
    // by the server that ticks.
    let mut repaired = false;
    loop {
        if !repaired && !docket.store().shared() {
            repaired = true;
            repair_schedule(docket);
        }
        // A paused folder (restored from a backup) fires nothing until an admin resumes it;
        // a server without the scheduler's lease leaves the ticks to the one with it.
        if paused(docket, signal) || !holds(docket, lease, &mut leasing) {
            if !signal.sleep(idle) {
                return;
            }
            continue;
        }
        if !repaired {
            repaired = true;
            repair_schedule(docket);
        }
        // After a change of the firm's calendar, a page of open work at a time is planned on
        // the new one, between ticks, until all is.
        let replanning = replanning_outage
            .note(docket.replan_after_calendar_change(REPLAN_PAGE))
            .is_some_and(|pending| pending.is_some());
        let started = Instant::now();
        let ticked = docket.tick();
        metrics::histogram!("docket_scheduler_tick_seconds")
            .record(started.elapsed().as_secs_f64());
        if let Ok(report) = &ticked {
            metrics::counter!("docket_scheduler_fired_total", "kind" => "send")
                .increment(report.sends as u64);
            metrics::counter!("docket_scheduler_fired_total", "kind" => "reminder")
                .increment(report.reminders as u64);
            metrics::counter!("docket_scheduler_fired_total", "kind" => "digest")
                .increment(report.digests as u64);
        }
        match ticking.note(ticked) {
            Some(report)
                if report.sends + report.reminders + report.digests + report.repeats > 0 =>
            {
                signal.wake();
                tracing::info!(
                    repeats = report.repeats,
                    sends = report.sends,
                    reminders = report.reminders,
                    digests = report.digests,
                    "scheduler tick"
                );
            }
            _ => {}
        }
        // What is still due after a tick could not be done now (a plugin failing, a record in
        // trouble, more than a tick takes): look again after the idle wait, not at once.
        let due = docket
            .next_fire_due()
            .unwrap_or(None)
            .filter(|at| *at > docket.now());
        let wait = if replanning {
            std::time::Duration::from_millis(1)
        } else {
            wait_for(docket, due, idle)
        };
        if !signal.sleep(wait) {
            return;
        }
    }
}

fn sender_loop(docket: &Docket, mailer: &Mailer, signal: &Signal, options: &WorkerOptions) {
    let mut looked_for_stale = Instant::now();
    let mut looking_for_stale = Outage::new(
        "cannot look for emails left in flight",
        "looking for emails left in flight",
    );
    let mut claiming = Outage::new("cannot read the outbox", "reading the outbox");
    while !signal.stopping() {
        if docket.store().shared() && looked_for_stale.elapsed() >= STALE_LOOK_EVERY {
            looked_for_stale = Instant::now();
            looking_for_stale.note(docket.recover_stale_in_flight(IN_FLIGHT_TIMEOUT));
        }
        if paused(docket, signal) {
            signal.sleep(options.idle);
            continue;
        }
        let claimed = claiming
            .note(docket.claim_due_messages(options.send_batch))
            .unwrap_or_default();
        if claimed.is_empty() {
            let due = docket.next_message_due().unwrap_or(None);
            if !signal.sleep(wait_for(docket, due, options.idle)) {
                return;
            }
            continue;
        }
        if send_all(docket, mailer, claimed, options.parallel_sends).is_err() {
            // A result could not be recorded: those messages stay in flight and go again after
            // a restart, never lost. Give the store a moment.
            signal.sleep(options.idle);
        }
    }
}

/// Logs one delivery attempt.
fn log_outcome(message: &crate::model::OutboundMessage, outcome: &Delivery) {
    let counted = match outcome {
        Delivery::Sent { .. } => "sent",
        Delivery::Transient(_) => "retry",
        Delivery::Permanent(_) => "failed",
        Delivery::Dropped(_) => "dropped",
    };
    metrics::counter!("docket_emails_total", "outcome" => counted).increment(1);
    match outcome {
        Delivery::Sent { .. } => {
            tracing::debug!(to = %message.to, key = %message.key, "email sent");
        }
        Delivery::Transient(reason) => {
            tracing::warn!(to = %message.to, key = %message.key, %reason, "email not sent; will retry");
        }
        Delivery::Permanent(reason) => {
            tracing::error!(to = %message.to, key = %message.key, %reason, "email refused");
        }
        Delivery::Dropped(_) => {}
    }
}

/// Delivers every message due now, `parallel` at a time, until none is left: the sender loop's
/// work without the loop, for previews and tests that drive a manual clock.
pub fn deliver_due(docket: &Docket, mailer: &Mailer, parallel: usize) -> crate::Result<()> {
    loop {
        let claimed = docket.claim_due_messages(64)?;
        if claimed.is_empty() {
            return Ok(());
        }
        send_all(docket, mailer, claimed, parallel)?;
    }
}

/// Runs the scheduler and the sender from the clock's now until `until`, jumping from one due
/// instant to the next as the server's loops would: a quarter of reminders in milliseconds.
pub fn run_until(
    docket: &Docket,
    clock: &crate::ManualClock,
    mailer: &Mailer,
    until: DateTime<Utc>,
) -> crate::Result<()> {
    loop {
        while docket.replan_after_calendar_change(REPLAN_PAGE)?.is_some() {}
        docket.tick()?;
        deliver_due(docket, mailer, 1)?;
        let next = [docket.next_fire_due()?, docket.next_message_due()?]
            .into_iter()
            .flatten()
            .min();
        match next {
            Some(at) if at <= until => clock.set(at.max(docket.now())),
            _ => {
                clock.set(until);
                return Ok(());
            }
        }
    }
}

/// Sends `messages` over up to `parallel` connections at once, recording each result as soon as
/// its send returns (so a crash repeats at most the sends in progress, not a whole batch). An
/// error means a result could not be recorded: that message stays in flight until a restart.
fn send_all(
    docket: &Docket,
    mailer: &Mailer,
    messages: Vec<crate::model::OutboundMessage>,
    parallel: usize,
) -> crate::Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let parallel = parallel.clamp(1, messages.len());
    let queue = Mutex::new(messages.into_iter());
    let failed = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..parallel {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                    let Some(message) = next else { break };
                    let outcome = mailer.deliver(&message, docket.now());
                    log_outcome(&message, &outcome);
                    if let Err(e) = docket.settle_messages(vec![(message, outcome)]) {
                        tracing::error!(error = %e, "cannot record an email's result");
                        *failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                    }
                }
            });
        }
    });
    match failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn hooks_loop(docket: &Docket, signal: &Signal, options: &WorkerOptions) {
    let lease = Lease::new("hooks", LEASE_TTL);
    let mut leasing = Outage::new(
        "cannot take the hook worker's lease",
        "taking the hook worker's lease",
    );
    let mut delivering = Outage::new(
        "cannot deliver events to hooks",
        "delivering events to hooks",
    );
    while !signal.stopping() {
        if !holds(docket, &lease, &mut leasing) {
            signal.sleep(options.idle);
            continue;
        }
        // Nothing to deliver, or the store does not answer: look again after the idle wait.
        if delivering
            .note(docket.deliver_events(&options.hooks, 100))
            .is_none_or(|delivered| delivered == 0)
        {
            signal.sleep(options.idle);
        }
    }
}

fn webhook_loop(docket: &Docket, signal: &Signal, idle: std::time::Duration) {
    let client = match webhook_client() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the webhook client; webhooks stay queued");
            return;
        }
    };
    let lease = Lease::new("webhooks", LEASE_TTL);
    let mut leasing = Outage::new(
        "cannot take the webhook poster's lease",
        "taking the webhook poster's lease",
    );
    let mut posting = Outage::new("cannot deliver webhooks", "delivering webhooks");
    while !signal.stopping() {
        if paused(docket, signal) || !holds(docket, &lease, &mut leasing) {
            signal.sleep(idle);
            continue;
        }
        match posting.note(post_due_webhooks(docket, &client, 20)) {
            Some(0) => {
                let next = docket.next_webhook_due().unwrap_or(None);
                if !signal.sleep(wait_for(docket, next, idle)) {
                    return;
                }
            }
            Some(_) => {}
            None => {
                signal.sleep(idle);
            }
        }
    }
}

/// Removes uploaded files no record references any more, at start and then every `every`.
fn collector_loop(docket: &Docket, signal: &Signal, every: Duration) {
    loop {
        collect_files(docket);
        if !signal.sleep_until(Instant::now() + every) {
            return;
        }
    }
}

/// One collection, logged; a panic in it is logged too and the loop goes on, so a bad day
/// never stops the collection for good.
fn collect_files(docket: &Docket) {
    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        docket.collect_files(SystemTime::now())
    }));
    match done {
        Ok(Ok(c)) if c.removed > 0 => tracing::info!(
            removed = c.removed,
            bytes = c.bytes,
            "removed uploaded files no record references"
        ),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::error!("uploaded files were not collected: {e}"),
        Err(panic) => {
            let e = panic
                .downcast_ref::<&str>()
                .map(|m| m.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "it panicked".to_string());
            tracing::warn!("collecting unreferenced files failed: {e}");
        }
    }
}

/// The HTTP client webhooks are posted with: no redirects followed, a 10-second timeout.
pub fn webhook_client() -> reqwest::Result<reqwest::blocking::Client> {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
}

/// Posts up to `limit` webhooks that are due and records each outcome; returns how many.
pub fn post_due_webhooks(
    docket: &Docket,
    client: &reqwest::blocking::Client,
    limit: usize,
) -> crate::Result<usize> {
    let due = docket.due_webhooks(limit)?;
    let count = due.len();
    for hook in due {
        let outcome = post(client, &hook);
        docket.settle_webhook(hook, outcome)?;
    }
    Ok(count)
}

/// One POST, following no redirect.
pub fn post(client: &reqwest::blocking::Client, hook: &WebhookDelivery) -> WebhookOutcome {
    let response = client
        .post(&hook.url)
        .header(reqwest::header::CONTENT_TYPE, &hook.content_type)
        .body(hook.body.clone())
        .send();
    match response {
        Ok(r) if r.status().is_success() => WebhookOutcome::Delivered,
        Ok(r) if r.status().is_redirection() => WebhookOutcome::GiveUp(format!(
            "answered {} (a redirect to {}), which is not followed",
            r.status(),
            r.headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .unwrap_or("nowhere")
        )),
        Ok(r) if r.status().is_server_error() || r.status().as_u16() == 429 => {
            WebhookOutcome::Retry(format!("answered {}", r.status()))
        }
        Ok(r) => WebhookOutcome::GiveUp(format!("answered {}", r.status())),
        Err(e) => WebhookOutcome::Retry(e.to_string()),
    }
}

#[cfg(test)]
#[path = "workers_tests.rs"]
mod tests;
