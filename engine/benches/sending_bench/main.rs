//! Sending benchmark, on the real sled store, the stock plugins and a manual clock:
//!
//! 1. one scheduler tick with 1,000,000 open groups and none due (goal: at most 1 ms);
//! 2. one tick with 10,000 groups due through the gentle policy (goal: at most 0.5 s);
//! 3. messages per second delivered to a local SMTP server (`tests/smtp/mailsink.py`, Python
//!    with aiosmtpd), each settled in the store (goal: at least 500/s).
//!
//! The store is wrapped in a pass-through that counts and times reads and commits, which gives
//! the split of a tick between store reads, commits (with their flush) and the rest. Runs of
//! "what-if" kind change nothing in the engine: they replay the same tick on a copy of the
//! data folder through a store that groups transactions, to show what that would save.
//! Run with `cargo bench -p docket-engine --bench sending` (add `-- idle`, `-- due` or `-- smtp`
//! for one part); part 3 needs python3 with aiosmtpd. About four minutes on two cores.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use docket_engine::config::{FirmConfig, PluginsConfig, SmtpConfig};
use docket_engine::docket::Delivery;
use docket_engine::mail::{MailTemplates, Mailer, SmtpTransport};
use docket_engine::model::{Actor, MessageState, NewContact, NewWork, WorkId, WorkItem};
use docket_engine::plugin::{FirmCalendar, GroupState, PluginHost, TaskState};
use docket_engine::store::{Batch, Entries, SledStore, Store, Tree, Visit, Write, decode, encode};
use docket_engine::workers::{WorkerOptions, Workers};
use docket_engine::{Docket, ManualClock, Result};

const TEMPLATE: &str = r#"
name = "Year end"
[[groups]]
name = "Documents"
reminders = { plugin = "gentle" }
[[groups.tasks]]
title = "Bank statements"
due = 14
[[groups.tasks]]
title = "P60"
due = 21
"#;

/// Monday 2 March 2026, 08:00 London (GMT): every work starts and is sent now...
const START: &str = "2026-03-02T08:00:00Z";
/// ...so gentle's first reminder (7 days before the first due date, at 09:00) is due then.
const FIRST_REMINDER: &str = "2026-03-09T09:00:00Z";

const OPEN_GROUPS: usize = 1_000_000;
const DUE_GROUPS: usize = 10_000;
const MESSAGES: usize = 5_000;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// The allocator the `docket` binary runs on, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: docket_engine::Allocator = docket_engine::Allocator;

mod due;
mod firm;
mod idle;
mod smtp;
mod store;

use due::*;
use firm::*;
use idle::*;
use smtp::*;
use store::*;

// --- helpers -------------------------------------------------------------------------------------

pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub(crate) fn ns_ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

pub(crate) fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Times `n` ticks (each must do nothing) and returns the median and the max.
pub(crate) fn idle_ticks(docket: &Docket, n: usize) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let report = docket.tick().unwrap();
        times.push(start.elapsed());
        assert_eq!(report, Default::default(), "nothing is due");
    }
    let max = *times.iter().max().unwrap();
    (median(times), max)
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if entry.file_name() != "docket.lock" {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn main() {
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wants = |name: &str| only.as_deref().is_none_or(|o| name.contains(o));
    let plugin_dir = tempfile::tempdir().unwrap();
    let (host, refused) = PluginHost::open(&PluginsConfig::default(), plugin_dir.path()).unwrap();
    assert!(refused.is_empty());
    let host = Arc::new(host);
    let all = Instant::now();
    println!(
        "({} cores; load average {} at the start; another engineer's builds may share the box)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load()
    );
    if wants("idle") {
        idle_tick(&host);
        println!("(load average {})", load());
    }
    if wants("due") {
        due_tick(&host);
        println!("(load average {})", load());
    }
    if wants("smtp") {
        smtp(&host);
        println!("(load average {})", load());
    }
    println!("(whole run {:.0} s)", all.elapsed().as_secs_f64());
}
