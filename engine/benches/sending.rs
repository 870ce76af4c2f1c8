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

// --- a store that times what passes through it --------------------------------------------------

#[derive(Default)]
struct Stats {
    gets: AtomicU64,
    get_ns: AtomicU64,
    scans: AtomicU64,
    scan_ns: AtomicU64,
    commits: AtomicU64,
    commit_ns: AtomicU64,
    each_calls: AtomicU64,
    each_batches: AtomicU64,
    each_writes: AtomicU64,
    each_ns: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Snapshot {
    gets: u64,
    get_ns: u64,
    scans: u64,
    scan_ns: u64,
    commits: u64,
    commit_ns: u64,
    each_calls: u64,
    each_batches: u64,
    each_writes: u64,
    each_ns: u64,
}

impl Stats {
    fn take(&self) -> Snapshot {
        let t = |a: &AtomicU64| a.swap(0, Ordering::SeqCst);
        Snapshot {
            gets: t(&self.gets),
            get_ns: t(&self.get_ns),
            scans: t(&self.scans),
            scan_ns: t(&self.scan_ns),
            commits: t(&self.commits),
            commit_ns: t(&self.commit_ns),
            each_calls: t(&self.each_calls),
            each_batches: t(&self.each_batches),
            each_writes: t(&self.each_writes),
            each_ns: t(&self.each_ns),
        }
    }
}

fn add(counter: &AtomicU64, timer: &AtomicU64, since: Instant) {
    counter.fetch_add(1, Ordering::Relaxed);
    timer.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
}

type Detail = std::collections::BTreeMap<(&'static str, &'static str), (usize, usize)>;

/// `SledStore`, timed. With `merge > 0`, `commit_each` joins every `merge` batches into one
/// transaction (a what-if only: a failing guard would then fail its neighbours too).
struct TimedStore {
    inner: SledStore,
    stats: Stats,
    merge: usize,
    /// Bytes (keys + values) and writes per tree of the last `commit_each`, when asked.
    detail: Option<std::sync::Mutex<Detail>>,
}

impl Store for TimedStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let start = Instant::now();
        let out = self.inner.get(tree, key);
        add(&self.stats.gets, &self.stats.get_ns, start);
        out
    }

    fn scan(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
        reverse: bool,
    ) -> Result<Entries> {
        let start = Instant::now();
        let out = self.inner.scan(tree, prefix, after, limit, reverse);
        add(&self.stats.scans, &self.stats.scan_ns, start);
        out
    }

    fn commit(&self, batch: Batch) -> Result<()> {
        let start = Instant::now();
        let out = self.inner.commit(batch);
        add(&self.stats.commits, &self.stats.commit_ns, start);
        out
    }

    fn commit_each(&self, batches: Vec<Batch>) -> Vec<Result<()>> {
        if let Some(detail) = &self.detail {
            let mut detail = detail.lock().unwrap();
            detail.clear();
            for write in batches.iter().flat_map(|b| &b.writes) {
                let bytes = match write {
                    Write::Put { key, value, .. } | Write::Create { key, value, .. } => {
                        key.len() + value.len()
                    }
                    Write::Remove { key, .. } => key.len(),
                    Write::Expect { key, value, .. } => {
                        key.len() + value.as_ref().map_or(0, Vec::len)
                    }
                };
                let kind = match write {
                    Write::Put { .. } => "put",
                    Write::Create { .. } => "create",
                    Write::Remove { .. } => "remove",
                    Write::Expect { .. } => "expect",
                };
                let entry = detail.entry((write.tree().name(), kind)).or_default();
                entry.0 += 1;
                entry.1 += bytes;
            }
        }
        let start = Instant::now();
        let count = batches.len();
        let writes: usize = batches.iter().map(|b| b.writes.len()).sum();
        let out = if self.merge == 0 {
            self.inner.commit_each(batches)
        } else {
            let mut merged = Vec::with_capacity(count.div_ceil(self.merge));
            let mut sizes = Vec::with_capacity(merged.capacity());
            let mut rest = batches.into_iter().peekable();
            while rest.peek().is_some() {
                let mut one = Batch::default();
                let mut n = 0;
                for b in rest.by_ref().take(self.merge) {
                    one.extend(b);
                    n += 1;
                }
                merged.push(one);
                sizes.push(n);
            }
            let results = self.inner.commit_each(merged);
            results
                .into_iter()
                .zip(sizes)
                .flat_map(|(r, n)| {
                    let r = r.map_err(|e| e.to_string());
                    (0..n).map(move |_| r.clone().map_err(docket_engine::Error::Storage))
                })
                .collect()
        };
        self.stats
            .each_batches
            .fetch_add(count as u64, Ordering::Relaxed);
        self.stats
            .each_writes
            .fetch_add(writes as u64, Ordering::Relaxed);
        add(&self.stats.each_calls, &self.stats.each_ns, start);
        out
    }

    fn flush(&self) -> Result<()> {
        self.inner.flush()
    }

    fn len(&self, tree: Tree) -> Result<usize> {
        self.inner.len(tree)
    }

    fn for_each(&self, each: Visit) -> Result<()> {
        self.inner.for_each(each)
    }
}

// --- a firm --------------------------------------------------------------------------------------

struct Firm {
    docket: Docket,
    clock: Arc<ManualClock>,
    store: Arc<TimedStore>,
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl Firm {
    /// Opens (creating if needed) the data folder `dir`.
    fn open(host: &Arc<PluginHost>, dir: &Path, now: DateTime<Utc>, merge: usize) -> Firm {
        let store = Arc::new(TimedStore {
            inner: SledStore::open(dir).unwrap(),
            stats: Stats::default(),
            merge,
            detail: (merge == 1).then(Default::default),
        });
        let clock = Arc::new(ManualClock::new(now));
        let docket = Docket::open(
            store.clone(),
            clock.clone(),
            &FirmConfig::default(),
            "https://docket.example",
        )
        .unwrap()
        .with_plugins(host.clone());
        Firm {
            docket,
            clock,
            store,
            dir: dir.to_path_buf(),
            _temp: None,
        }
    }

    /// A fresh data folder with the template and one contact.
    fn fresh(host: &Arc<PluginHost>) -> Firm {
        let temp = tempfile::tempdir().unwrap();
        let mut firm = Firm::open(host, temp.path(), utc(START), 0);
        firm._temp = Some(temp);
        firm.docket.import_template(TEMPLATE).unwrap();
        firm.docket
            .create_contact(
                NewContact {
                    name: "Ann Archer".into(),
                    email: "ann@client.example".into(),
                    timezone: None,
                },
                Actor::System,
            )
            .unwrap();
        firm
    }

    fn create_work(&self) -> WorkId {
        self.docket
            .create_work(
                NewWork {
                    template: "Year end".into(),
                    start_date: Some("2026-03-02".parse().unwrap()),
                    contacts: vec!["ann@client.example".into()],
                    ..NewWork::default()
                },
                Actor::System,
            )
            .unwrap()
            .id
    }
}

// --- helpers -------------------------------------------------------------------------------------

fn thousands(n: usize) -> String {
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn ns_ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Times `n` ticks (each must do nothing) and returns the median and the max.
fn idle_ticks(docket: &Docket, n: usize) -> (Duration, Duration) {
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

fn copy_dir(from: &Path, to: &Path) {
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

// --- 1. an idle tick over a million open groups -----------------------------------------------

fn idle_tick(host: &Arc<PluginHost>) {
    let setup = Instant::now();
    let firm = Firm::fresh(host);
    let id = firm.create_work();
    let sent = firm.docket.send_group(id, 0, Actor::System).unwrap();
    let next = sent.groups[0].next.clone().expect("a reminder is planned");
    assert!(next.at > firm.docket.now());
    let now = firm.docket.now();
    let first_at = now + chrono::Duration::days(1);
    let year_ms = chrono::Duration::days(365).num_milliseconds();
    let clones = OPEN_GROUPS - 1;
    let chunk = 10_000;
    let mut checkpoints = Vec::new();
    let mut measuring = Duration::ZERO;
    let mut made = 0;
    while made < clones {
        let n = chunk.min(clones - made);
        let works: Vec<WorkItem> = (made..made + n)
            .map(|i| {
                let mut w = sent.clone();
                w.id = WorkId::new(now);
                let at =
                    first_at + chrono::Duration::milliseconds(year_ms * i as i64 / clones as i64);
                w.groups[0].next.as_mut().unwrap().at = at;
                w
            })
            .collect();
        firm.docket.bulk_insert_work(&works).unwrap();
        made += n;
        let open = made + 1;
        if [10_000, 100_000]
            .iter()
            .any(|&cp| open >= cp && open - n < cp)
        {
            let start = Instant::now();
            let (med, max) = idle_ticks(&firm.docket, 30);
            checkpoints.push((open, med, max));
            measuring += start.elapsed();
        }
    }
    firm.docket.store().flush().unwrap();
    let setup = setup.elapsed() - measuring;
    assert_eq!(firm.store.len(Tree::Schedule).unwrap(), OPEN_GROUPS);
    // One tick to warm up, then a hundred.
    let start = Instant::now();
    firm.docket.tick().unwrap();
    let first = start.elapsed();
    firm.store.stats.take();
    let (med, max) = idle_ticks(&firm.docket, 100);
    let stats = firm.store.stats.take();
    println!(
        "tick, {} open groups, none due: median {:.3} ms, max {:.3} ms over 100 ticks (first tick {:.3} ms; setup {:.1} s) [goal <= 1 ms]",
        thousands(OPEN_GROUPS),
        ms(med),
        ms(max),
        ms(first),
        setup.as_secs_f64()
    );
    for (open, med, max) in checkpoints {
        println!(
            "  same tick at {} open groups: median {:.3} ms, max {:.3} ms (30 ticks)",
            thousands(open),
            ms(med),
            ms(max)
        );
    }
    println!(
        "  per tick: {:.1} store scans taking {:.3} ms (entries returned then dropped, unread past the first), {:.1} gets taking {:.3} ms, {} commits, {} commit_each call(s) with {} transactions",
        stats.scans as f64 / 100.0,
        ns_ms(stats.scan_ns) / 100.0,
        stats.gets as f64 / 100.0,
        ns_ms(stats.get_ns) / 100.0,
        stats.commits / 100,
        stats.each_calls / 100,
        stats.each_batches / 100
    );
    let store = firm.docket.store();
    for limit in [docket_engine::docket::TICK_LIMIT, 1] {
        let times: Vec<Duration> = (0..50)
            .map(|_| {
                let start = Instant::now();
                let got = store.scan(Tree::Schedule, b"", None, limit, false).unwrap();
                let len = got.len();
                drop(got);
                let took = start.elapsed();
                assert_eq!(len, limit);
                took
            })
            .collect();
        println!(
            "  what-if: the schedule scan alone with limit {}, result dropped as the tick does: median {:.3} ms",
            thousands(limit),
            ms(median(times))
        );
    }
    let times: Vec<Duration> = (0..50)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(firm.docket.next_fire_due().unwrap());
            std::hint::black_box(firm.docket.firm_settings().unwrap());
            start.elapsed()
        })
        .collect();
    println!(
        "  what-if: next_fire_due() + firm_settings() (about what a tick bounded by now would read): median {:.3} ms",
        ms(median(times))
    );
}

// --- 2. a tick with ten thousand reminders due ------------------------------------------------

/// Creates and sends `DUE_GROUPS` works, settles their emails as sent, and sets the clock to
/// when their first reminders are due.
fn due_firm(host: &Arc<PluginHost>) -> (Firm, Duration, Duration) {
    let firm = Firm::fresh(host);
    let start = Instant::now();
    let ids: Vec<WorkId> = (0..DUE_GROUPS).map(|_| firm.create_work()).collect();
    for id in &ids {
        firm.docket.send_group(*id, 0, Actor::System).unwrap();
    }
    let sending = start.elapsed();
    // The requests went out a week ago: claim and settle them as sent.
    let start = Instant::now();
    let mut settled = 0;
    loop {
        let claimed = firm.docket.claim_due_messages(1_000).unwrap();
        if claimed.is_empty() {
            break;
        }
        settled += claimed.len();
        let outcomes = claimed
            .into_iter()
            .map(|m| {
                (
                    m,
                    Delivery::Sent {
                        subject: "Documents we need".into(),
                    },
                )
            })
            .collect();
        firm.docket.settle_messages(outcomes).unwrap();
    }
    assert_eq!(settled, DUE_GROUPS);
    let settling = start.elapsed();
    firm.clock.set(utc(FIRST_REMINDER));
    assert_eq!(
        firm.docket.next_fire_due().unwrap(),
        Some(utc(FIRST_REMINDER))
    );
    firm.store.stats.take();
    (firm, sending, settling)
}

fn print_split(indent: &str, total: Duration, s: &Snapshot) {
    let store_ns = s.get_ns + s.scan_ns + s.commit_ns + s.each_ns;
    println!(
        "{indent}split: {} gets {:.1} ms, {} scans {:.1} ms, {} commits {:.1} ms, commit_each of {} transactions ({} writes) + 1 flush {:.1} ms, rest (decode, remind, replan incl. WASM, encode) {:.1} ms",
        thousands(s.gets as usize),
        ns_ms(s.get_ns),
        s.scans,
        ns_ms(s.scan_ns),
        s.commits,
        ns_ms(s.commit_ns),
        thousands(s.each_batches as usize),
        thousands(s.each_writes as usize),
        ns_ms(s.each_ns),
        ms(total) - ns_ms(store_ns),
    );
}

fn due_tick(host: &Arc<PluginHost>) {
    let runs = 3;
    let mut last = None;
    let ready = tempfile::tempdir().unwrap();
    for run in 1..=runs {
        let (firm, sending, settling) = due_firm(host);
        if run == runs {
            // Kept for the what-ifs: the folder as it is just before the tick.
            firm.docket.store().flush().unwrap();
            copy_dir(&firm.dir, ready.path());
            firm.store.stats.take();
        }
        let start = Instant::now();
        let report = firm.docket.tick().unwrap();
        let took = start.elapsed();
        let stats = firm.store.stats.take();
        assert_eq!(report.reminders, DUE_GROUPS, "{report:?}");
        assert_eq!(report.conflicts, 0);
        println!(
            "tick, {} groups due (gentle), run {run}/{runs}: {:.3} s, {} reminders (setup: create_work + send_group x {} {:.1} s, claim + settle the sends as Sent {:.2} s) [goal <= 0.5 s]",
            thousands(DUE_GROUPS),
            took.as_secs_f64(),
            thousands(report.reminders),
            thousands(DUE_GROUPS),
            sending.as_secs_f64(),
            settling.as_secs_f64()
        );
        print_split("  ", took, &stats);
        last = Some(firm);
    }
    due_tick_pieces(host, &last.unwrap(), ready.path());
}

/// Pieces of the due tick timed on their own, and what-ifs on copies of a ready folder.
fn due_tick_pieces(host: &Arc<PluginHost>, done: &Firm, ready: &Path) {
    // The plugin's part: one batch of the groups' states as they are after the tick.
    let works: Vec<WorkItem> = done
        .store
        .scan(Tree::Work, b"", None, usize::MAX, false)
        .unwrap()
        .iter()
        .map(|(_, v)| decode(v).unwrap())
        .collect();
    let raw: Vec<Vec<u8>> = works.iter().map(encode).collect();
    let start = Instant::now();
    let decoded: Vec<WorkItem> = raw.iter().map(|v| decode(v).unwrap()).collect();
    let decode_time = start.elapsed();
    let start = Instant::now();
    let encoded: usize = decoded.iter().map(|w| encode(w).len()).sum();
    let encode_time = start.elapsed();
    let firm = done.docket.firm_settings().unwrap();
    let calendar = FirmCalendar {
        tz: firm.timezone,
        send_time: firm.send_time,
        holidays: firm.holidays.clone(),
    };
    let states: Vec<GroupState> = works
        .iter()
        .map(|w| {
            let g = &w.groups[0];
            GroupState {
                sent_at: g.sent_at.unwrap(),
                last_reminder_at: g.last_reminder_at,
                tasks: g
                    .tasks
                    .iter()
                    .map(|t| TaskState {
                        due: t.due_date,
                        done: t.done_at.is_some(),
                        reminders_sent: t.reminders_sent.min(255) as u8,
                    })
                    .collect(),
            }
        })
        .collect();
    let start = Instant::now();
    for _ in 0..4 * DUE_GROUPS {
        std::hint::black_box(done.docket.firm_settings().unwrap());
    }
    let settings_time = start.elapsed();
    let contact = works[0].groups[0].recipient;
    let start = Instant::now();
    for _ in 0..DUE_GROUPS {
        std::hint::black_box(done.docket.contact(contact).unwrap());
    }
    let contact_time = start.elapsed();
    let now = done.docket.now();
    let start = Instant::now();
    let mut session = host.reminder_session("gentle").unwrap();
    let answers = session
        .next_reminders(
            &calendar,
            &works[0].groups[0].reminders.params,
            now,
            &states,
        )
        .unwrap();
    let wasm = start.elapsed();
    assert!(answers.iter().all(Option::is_some));
    println!(
        "  pieces on their own: gentle plugin, {} groups in one batch {:.1} ms; decode {} work items {:.1} ms, encode them ({} KB) {:.1} ms",
        thousands(states.len()),
        ms(wasm),
        thousands(raw.len()),
        ms(decode_time),
        encoded / 1024,
        ms(encode_time)
    );
    println!(
        "  reads a reminder repeats: firm_settings() x {} (issue_link, group_email, task_line per task) {:.1} ms, contact() x {} {:.1} ms",
        thousands(4 * DUE_GROUPS),
        ms(settings_time),
        thousands(DUE_GROUPS),
        ms(contact_time)
    );

    // What-ifs: the same tick on copies of the last folder as it was before its tick, as it is
    // and with its transactions grouped.
    for merge in [0, 1, 100, 500, DUE_GROUPS] {
        let temp = tempfile::tempdir().unwrap();
        copy_dir(ready, temp.path());
        let copy = Firm::open(host, temp.path(), utc(FIRST_REMINDER), merge);
        copy.store.stats.take();
        let start = Instant::now();
        let report = copy.docket.tick().unwrap();
        let took = start.elapsed();
        let stats = copy.store.stats.take();
        assert_eq!(report.reminders, DUE_GROUPS, "{report:?}");
        let label = match merge {
            0 => "as is (one transaction per work item)".to_string(),
            1 => "as is again (control)".to_string(),
            n => format!("{} work items per transaction", thousands(n)),
        };
        println!(
            "  what-if on a copy of the last folder before its tick, {label}: tick {:.3} s, commit_each {:.1} ms",
            took.as_secs_f64(),
            ns_ms(stats.each_ns)
        );
        if let Some(detail) = &copy.store.detail {
            let detail = detail.lock().unwrap();
            let total: usize = detail.values().map(|(_, b)| b).sum();
            let trees: Vec<String> = detail
                .iter()
                .map(|((tree, kind), (n, bytes))| {
                    format!(
                        "{tree} {kind} {} ({:.1} MB)",
                        thousands(*n),
                        *bytes as f64 / 1e6
                    )
                })
                .collect();
            println!(
                "    what the tick wrote: {:.1} MB of keys and values: {}",
                total as f64 / 1e6,
                trees.join(", ")
            );
        }
    }
}

// --- 3. delivery to a local SMTP server -------------------------------------------------------

struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Sink {
    fn start() -> Sink {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/smtp/mailsink.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .arg("--dir")
            .arg(dir.path())
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 tests/smtp/mailsink.py (needs aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the mail sink said {line:?}, not READY <port>"));
        Sink { child, port, dir }
    }

    fn received(&self) -> usize {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".eml"))
            })
            .count()
    }

    /// CPU seconds the sink has used.
    fn cpu(&self) -> f64 {
        cpu_seconds(&format!("/proc/{}/stat", self.child.id()))
    }

    fn mailer(&self, connections: u32) -> Mailer {
        let transport = SmtpTransport::new(&SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            username: None,
            password: None,
            security: "none".into(),
            ca_file: None,
            timeout_secs: 10,
            connections,
        })
        .unwrap();
        Mailer::new(
            MailTemplates::load(None).unwrap(),
            "Bench <bench@bench.example>",
            Arc::new(transport),
        )
        .unwrap()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the workers until every queued message is delivered and settled; returns the wall time.
fn deliver_all(firm: &Firm, parallel: usize, connections: u32) -> Duration {
    let sink = Sink::start();
    let mailer = sink.mailer(connections);
    firm.store.stats.take();
    let (sink_cpu, own_cpu) = (sink.cpu(), cpu_seconds("/proc/self/stat"));
    let start = Instant::now();
    let workers = Workers::start(
        firm.docket.clone(),
        Arc::new(mailer),
        WorkerOptions {
            parallel_sends: parallel,
            send_batch: 64,
            ..Default::default()
        },
    )
    .unwrap();
    let deadline = start + Duration::from_secs(120);
    loop {
        std::thread::sleep(Duration::from_millis(10));
        if sink.received() >= MESSAGES
            && firm
                .store
                .inner
                .scan(Tree::OutboxQueue, b"", None, 1, false)
                .unwrap()
                .is_empty()
        {
            break;
        }
        assert!(Instant::now() < deadline, "delivery took over two minutes");
    }
    let took = start.elapsed();
    let (sink_cpu, own_cpu) = (
        sink.cpu() - sink_cpu,
        cpu_seconds("/proc/self/stat") - own_cpu,
    );
    let stats = firm.store.stats.take();
    workers.stop();
    println!(
        "  CPU during the run: the Python sink {sink_cpu:.1} s, this process (docket + lettre + sled) {own_cpu:.1} s, of {:.1} s wall on 2 cores (load average {})",
        took.as_secs_f64(),
        load()
    );
    assert_eq!(sink.received(), MESSAGES, "each message arrives once");
    println!(
        "  store during the run: {} commits (claims + settles, each flushed), mean {:.2} ms each, {:.1} s summed over the sender threads; {} gets {:.0} ms, {} scans {:.0} ms",
        thousands(stats.commits as usize),
        ns_ms(stats.commit_ns) / stats.commits.max(1) as f64,
        ns_ms(stats.commit_ns) / 1e3,
        thousands(stats.gets as usize),
        ns_ms(stats.get_ns),
        stats.scans,
        ns_ms(stats.scan_ns)
    );
    took
}

fn smtp(host: &Arc<PluginHost>) {
    let firm = Firm::fresh(host);
    let start = Instant::now();
    let ids: Vec<WorkId> = (0..MESSAGES).map(|_| firm.create_work()).collect();
    let creating = start.elapsed();
    let start = Instant::now();
    for id in &ids {
        firm.docket.send_group(*id, 0, Actor::System).unwrap();
    }
    let queueing = start.elapsed();
    println!(
        "smtp setup: create_work x {} {:.1} s, send_group x {} (queues the emails) {:.1} s = {:.0} sends/s",
        thousands(MESSAGES),
        creating.as_secs_f64(),
        thousands(MESSAGES),
        queueing.as_secs_f64(),
        MESSAGES as f64 / queueing.as_secs_f64()
    );
    let runs: [(usize, u32); 4] = [(8, 8), (4, 8), (16, 8), (16, 16)];
    for (i, (parallel, connections)) in runs.into_iter().enumerate() {
        if i > 0 {
            // Queue another N: resend every group.
            let start = Instant::now();
            for id in &ids {
                firm.docket.resend_group(*id, 0, Actor::System).unwrap();
            }
            println!(
                "  (queued {} more with resend_group in {:.1} s)",
                thousands(MESSAGES),
                start.elapsed().as_secs_f64()
            );
        }
        let took = deliver_all(&firm, parallel, connections);
        println!(
            "smtp delivery, {} messages, parallel_sends {parallel}, send_batch 64, {connections} connections: {:.0} messages/s ({:.2} s) [goal >= 500/s]",
            thousands(MESSAGES),
            MESSAGES as f64 / took.as_secs_f64(),
            took.as_secs_f64()
        );
    }
    let sent = firm.docket.outbox(None, MESSAGES * runs.len() + 1).unwrap();
    assert_eq!(sent.len(), MESSAGES * runs.len());
    assert!(sent.iter().all(|m| m.state == MessageState::Sent));

    // The two halves on their own: the store without SMTP, SMTP without the store.
    for parallel in [1, 8] {
        for id in &ids {
            firm.docket.resend_group(*id, 0, Actor::System).unwrap();
        }
        let start = Instant::now();
        let mut claims = Duration::ZERO;
        loop {
            let claim = Instant::now();
            let claimed = firm.docket.claim_due_messages(64).unwrap();
            claims += claim.elapsed();
            if claimed.is_empty() {
                break;
            }
            let queue = std::sync::Mutex::new(claimed.into_iter());
            std::thread::scope(|scope| {
                for _ in 0..parallel {
                    scope.spawn(|| {
                        loop {
                            let next = queue.lock().unwrap().next();
                            let Some(m) = next else { break };
                            let subject = "Documents we need".to_string();
                            firm.docket
                                .settle_messages(vec![(m, Delivery::Sent { subject })])
                                .unwrap();
                        }
                    });
                }
            });
        }
        let took = start.elapsed();
        println!(
            "  store alone (claim 64, settle each as Sent on its own, no SMTP), {parallel} settling thread(s): {:.0} messages/s (claims {:.2} s of {:.2} s)",
            MESSAGES as f64 / took.as_secs_f64(),
            claims.as_secs_f64(),
            took.as_secs_f64()
        );
    }
    for id in &ids {
        firm.docket.resend_group(*id, 0, Actor::System).unwrap();
    }
    let start = Instant::now();
    loop {
        let claimed = firm.docket.claim_due_messages(64).unwrap();
        if claimed.is_empty() {
            break;
        }
        let outcomes = claimed
            .into_iter()
            .map(|m| {
                let subject = "Documents we need".to_string();
                (m, Delivery::Sent { subject })
            })
            .collect();
        firm.docket.settle_messages(outcomes).unwrap();
    }
    let took = start.elapsed();
    println!(
        "  store alone, what-if: claim 64 and settle the 64 in one commit: {:.0} messages/s",
        MESSAGES as f64 / took.as_secs_f64()
    );

    let sink = Sink::start();
    let mailer = sink.mailer(8);
    let sent = firm.docket.outbox(None, MESSAGES).unwrap();
    let start = Instant::now();
    let emails: Vec<_> = sent
        .iter()
        .map(|m| mailer.build(m, firm.docket.now()).unwrap().0)
        .collect();
    let rendering = start.elapsed();
    for threads in [1, 8] {
        let batch = &emails[..2_000];
        let sink_cpu = sink.cpu();
        let start = Instant::now();
        std::thread::scope(|scope| {
            for chunk in batch.chunks(batch.len().div_ceil(threads)) {
                let mailer = &mailer;
                scope.spawn(move || {
                    for email in chunk {
                        mailer.transport().send(email).unwrap();
                    }
                });
            }
        });
        let took = start.elapsed();
        println!(
            "  SMTP alone (lettre + the Python sink, no store), {threads} thread(s), 8 pooled connections, {} prebuilt emails: {:.0} messages/s (sink CPU {:.1} s of {:.1} s)",
            thousands(batch.len()),
            batch.len() as f64 / took.as_secs_f64(),
            sink.cpu() - sink_cpu,
            took.as_secs_f64()
        );
    }
    println!(
        "  rendering alone (Mailer::build, one thread): {:.0} µs per email",
        rendering.as_secs_f64() * 1e6 / emails.len() as f64
    );
}

/// User + system CPU seconds of the process whose `stat` file is `path`.
fn cpu_seconds(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are the 12th
    // and 13th, in clock ticks of 1/100 s.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
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
