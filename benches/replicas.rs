//! sled and PostgreSQL side by side, in one run, through the real `docket` binary:
//!
//! 1. work items created per second over the API (`POST /api/work`, 8 clients): one server on a
//!    data folder, one on PostgreSQL, two on one PostgreSQL database (requests alternate);
//!    goal with two replicas: at least 1,000/s;
//! 2. emails delivered per second to a real local SMTP server, Postfix's `smtp-sink` (its
//!    benchmarking server, each message written to a file): 1,000 requests sent through the
//!    API, timed from the first send to the last arrival; goal with two replicas: at least
//!    500/s. (The tests' Python sink, aiosmtpd, tops out near one core at 400 to 800 messages a
//!    second on this 2-core machine, so it measured itself rather than Docket.) The round
//!    trips the servers make to PostgreSQL per work item and per email (their
//!    `docket_store_round_trips_total`, background loops included) are printed beside;
//! 3. the client's checklist page (`GET /p/WORK/1` with its device cookie, 8 clients): requests
//!    per second; and on one server of each store, its peak resident memory before and after a
//!    200 MB upload through the API and a backup download holding it (both stream, never whole
//!    in memory);
//! 4. one scheduler tick with 1,000,000 open groups and none due, in-process on each store (the
//!    groups written straight through the store in batches, as the sending bench does); goal:
//!    under 5 ms.
//!
//! `cargo bench --bench replicas` (a release build). A quicker build with the same optimisation
//! of the workspace's code but without link-time optimisation:
//! `CARGO_PROFILE_DEV_OPT_LEVEL=2 cargo bench --profile dev --bench replicas`. It needs
//! PostgreSQL (as the tests do) and Postfix's `smtp-sink` (Debian's `postfix` package).
//! DOCKET_BENCH_SECS (per measurement, default 5) and DOCKET_BENCH_GROUPS (default 1,000,000)
//! change the load.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use docket_engine::config::{FirmConfig, PluginsConfig};
use docket_engine::model::{Actor, NewContact, NewWork, WorkId, WorkItem};
use docket_engine::plugin::PluginHost;
use docket_engine::store::{PgStore, SledStore, Store};
use docket_engine::{Docket, ManualClock};
use serde_json::{Value, json};
use support::pg_cluster::Cluster;
use support::smtp::Received;
use support::{Server, http};

const CLIENTS: usize = 8;
const EMAILS: usize = 1_000;
/// The file uploaded and backed up to see that memory does not grow with it.
const BIG_FILE: u64 = 200 * 1_000_000;

fn secs() -> Duration {
    Duration::from_secs(
        std::env::var("DOCKET_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(5),
    )
}

/// One or two servers on one store, the demo's API token, a template and a contact.
struct Firm {
    servers: Vec<Server>,
    token: String,
    _dir: tempfile::TempDir,
}

impl Firm {
    fn start(database: Option<&str>, replicas: usize, sink: &Sink) -> Firm {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("docket.toml");
        std::fs::write(
            &config,
            format!(
                "[server]\nmax_upload_mib = 300\n\n\
                 [mail]\nfrom = \"Bench <office@bench.example>\"\n\n[smtp]\nhost = \"127.0.0.1\"\n\
                 port = {}\nsecurity = \"none\"\nconnections = 4\n",
                sink.port
            ),
        )
        .unwrap();
        let config = config.to_str().unwrap().to_string();
        let env: Vec<(&str, &str)> = match database {
            Some(url) => vec![
                ("DOCKET_STORAGE_BACKEND", "postgres"),
                ("DOCKET_STORAGE_URL", url),
            ],
            None => Vec::new(),
        };
        let mut servers = Vec::new();
        for i in 0..replicas {
            let mut args = vec!["--config", config.as_str()];
            if i == 0 {
                args.push("--demo");
            }
            let data = dir.path().join(format!("data{i}"));
            servers.push(Server::start_with_env(&data, &args, &env));
        }
        let token = servers[0].banner_value("API token:").unwrap();
        let firm = Firm {
            servers,
            token,
            _dir: dir,
        };
        firm.post(
            0,
            "/api/templates",
            &json!({"name": "Bench", "description": "", "groups": [{"name": "Docs",
                "sending": {"plugin": "manual"}, "reminders": {"plugin": "gentle"},
                "tasks": [{"title": "Bank statements", "due_offset_days": 300}]}]}),
        );
        firm.post(
            0,
            "/api/contacts",
            &json!({"name": "Ann Archer", "email": "ann@bench.example"}),
        );
        firm
    }

    fn post(&self, i: usize, path: &str, body: &Value) -> reqwest::StatusCode {
        let server = &self.servers[i % self.servers.len()];
        http()
            .post(server.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .map(|r| r.status())
            .unwrap_or(reqwest::StatusCode::SERVICE_UNAVAILABLE)
    }

    fn new_work(&self, i: usize) -> String {
        let body = json!({"template": "Bench", "start_date": "2030-01-07", "contacts": ["ann@bench.example"]});
        let server = &self.servers[i % self.servers.len()];
        let answer: Value = http()
            .post(server.url("/api/work"))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .unwrap()
            .json()
            .unwrap();
        answer["id"].as_str().unwrap().to_string()
    }

    /// Round trips the servers made to PostgreSQL so far (`docket_store_round_trips_total` in
    /// their `/metrics`; 0 on sled).
    fn round_trips(&self) -> u64 {
        self.servers
            .iter()
            .map(|server| {
                let page = http()
                    .get(server.url("/metrics"))
                    .bearer_auth(&self.token)
                    .send()
                    .and_then(|r| r.text())
                    .unwrap_or_default();
                page.lines()
                    .filter_map(|l| l.strip_prefix("docket_store_round_trips_total "))
                    .filter_map(|v| v.trim().parse::<f64>().ok())
                    .sum::<f64>() as u64
            })
            .sum()
    }

    /// Work items created per second by `CLIENTS` clients for `secs()`, and the round trips to
    /// the database per item (all the servers' loops included).
    fn creates(&self) -> (f64, f64) {
        let before = self.round_trips();
        let (rate, made) = self.creates_per_second();
        let trips = self.round_trips() - before;
        (rate, trips as f64 / made as f64)
    }

    /// Work items created per second by `CLIENTS` clients for `secs()`, and how many.
    fn creates_per_second(&self) -> (f64, usize) {
        let done = AtomicUsize::new(0);
        let start = Instant::now();
        std::thread::scope(|scope| {
            for t in 0..CLIENTS {
                let done = &done;
                scope.spawn(move || {
                    let mut i = t;
                    while start.elapsed() < secs() {
                        self.new_work(i);
                        done.fetch_add(1, Ordering::Relaxed);
                        i += 1;
                    }
                });
            }
        });
        let done = done.load(Ordering::Relaxed);
        (done as f64 / start.elapsed().as_secs_f64(), done)
    }

    /// The first server's peak resident memory (MB) before, after a `BIG_FILE` upload through
    /// the API, and after downloading a backup that holds it: uploads and backups stream,
    /// never whole in memory.
    fn upload_and_backup_memory(&self) -> (f64, f64, f64) {
        let server = &self.servers[0];
        let peak = || {
            let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
            let kb: f64 = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
                .unwrap();
            kb / 1000.0
        };
        let before = peak();
        let id = self.new_work(0);
        let body = reqwest::blocking::Body::sized(
            std::io::Read::take(std::io::repeat(7), BIG_FILE),
            BIG_FILE,
        );
        let uploaded = http()
            .post(server.url(&format!("/api/work/{id}/files?name=big.bin")))
            .bearer_auth(&self.token)
            .header("content-type", "application/octet-stream")
            .body(body)
            .send()
            .unwrap();
        assert_eq!(uploaded.status(), reqwest::StatusCode::CREATED);
        let uploaded = peak();
        let mut backup = http()
            .get(server.url("/api/backup"))
            .bearer_auth(&self.token)
            .send()
            .unwrap();
        assert_eq!(backup.status(), reqwest::StatusCode::OK);
        let size = std::io::copy(&mut backup, &mut std::io::sink()).unwrap();
        assert!(size > BIG_FILE, "the backup holds the file");
        (before, uploaded, peak())
    }

    /// `EMAILS` requests sent through the API; the time until the last arrived at `sink`, and
    /// the round trips to the database per email (the send requests, the sender's claims and
    /// settles, and the servers' other loops meanwhile).
    fn emails_per_second(&self, sink: &Sink) -> (f64, f64, f64) {
        let works: Vec<String> = (0..EMAILS).map(|i| self.new_work(i)).collect();
        let before = sink.count();
        let trips = self.round_trips();
        let start = Instant::now();
        std::thread::scope(|scope| {
            for t in 0..CLIENTS {
                let works = &works;
                scope.spawn(move || {
                    for (i, id) in works.iter().enumerate().skip(t).step_by(CLIENTS) {
                        let status =
                            self.post(i, &format!("/api/work/{id}/groups/0/send"), &json!({}));
                        assert_eq!(status, reqwest::StatusCode::OK);
                    }
                });
            }
        });
        let sent = start.elapsed();
        sink.wait_for(before + EMAILS, Duration::from_secs(600));
        let delivered = start.elapsed();
        let trips = (self.round_trips() - trips) as f64 / EMAILS as f64;
        (
            EMAILS as f64 / sent.as_secs_f64(),
            EMAILS as f64 / delivered.as_secs_f64(),
            trips,
        )
    }

    /// The checklist page of the last email's link, opened on a device: requests per second.
    fn checklist_per_second(&self, sink: &Sink) -> f64 {
        let mail = sink.last();
        let at = mail.text.find("/c/").unwrap();
        let link = &mail.text[at..at + 46];
        let browser = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let opened = browser
            .post(self.servers[0].url(link))
            .header("Sec-Fetch-Site", "same-origin")
            .send()
            .unwrap();
        let page = opened.headers()["location"].to_str().unwrap().to_string();
        let cookie = opened.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_string();
        let done = AtomicUsize::new(0);
        let start = Instant::now();
        std::thread::scope(|scope| {
            for t in 0..CLIENTS {
                let (done, page, cookie) = (&done, &page, &cookie);
                scope.spawn(move || {
                    let client = http();
                    let mut i = t;
                    while start.elapsed() < secs() {
                        let server = &self.servers[i % self.servers.len()];
                        let r = client.get(server.url(page)).header("Cookie", cookie).send();
                        assert!(r.is_ok_and(|r| r.status() == reqwest::StatusCode::OK));
                        done.fetch_add(1, Ordering::Relaxed);
                        i += 1;
                    }
                });
            }
        });
        done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
    }
}

/// The median and the max of 100 idle ticks over `groups` open groups on `store`, and the time
/// the groups took to write.
fn idle_tick(store: Arc<dyn Store>, groups: usize) -> (Duration, Duration, Duration) {
    let plugins = tempfile::tempdir().unwrap();
    let (host, _) = PluginHost::open(&PluginsConfig::default(), plugins.path()).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
        .unwrap()
        .to_utc();
    let docket = Docket::open(
        store.clone(),
        Arc::new(ManualClock::new(now)),
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap()
    .with_plugins(Arc::new(host));
    docket
        .import_template(
            "name = \"Year end\"\n[[groups]]\nname = \"Documents\"\nreminders = { plugin = \"gentle\" }\n\
             [[groups.tasks]]\ntitle = \"Bank statements\"\ndue = 14\n",
        )
        .unwrap();
    docket
        .create_contact(
            NewContact {
                name: "Ann Archer".into(),
                email: "ann@client.example".into(),
                timezone: None,
                locale: None,
            },
            Actor::System,
        )
        .unwrap();
    let id = docket
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
        .id;
    let sent: WorkItem = docket.send_group(id, 0, Actor::System).unwrap();
    let first_at = now + chrono::Duration::days(1);
    let year_ms = chrono::Duration::days(365).num_milliseconds();
    let setup = Instant::now();
    let mut made = 1;
    while made < groups {
        let n = 10_000.min(groups - made);
        let works: Vec<WorkItem> = (made..made + n)
            .map(|i| {
                let mut w = sent.clone();
                w.id = WorkId::new(now);
                let at =
                    first_at + chrono::Duration::milliseconds(year_ms * i as i64 / groups as i64);
                w.groups[0].next.as_mut().unwrap().at = at.into();
                w
            })
            .collect();
        docket.bulk_insert_work(&works).unwrap();
        made += n;
    }
    store.flush().unwrap();
    let setup = setup.elapsed();
    docket.tick().unwrap();
    let mut times: Vec<Duration> = (0..100)
        .map(|_| {
            let start = Instant::now();
            let report = docket.tick().unwrap();
            assert_eq!(report, Default::default(), "nothing is due");
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[50], times[99], setup)
}

fn memory_line((before, uploaded, backed_up): (f64, f64, f64)) {
    println!(
        "  server's peak memory: {before:.0} MB, {uploaded:.0} MB after a {} MB upload, {backed_up:.0} MB after a backup holding it",
        BIG_FILE / 1_000_000
    );
}

fn per_second(label: &str, rate: f64) {
    println!("  {label:<44} {rate:>9.0}/s");
}

fn round_trips(label: &str, trips: f64) {
    println!("  {label:<44} {trips:>9.1}");
}

fn main() {
    println!(
        "({} cores; load average {} at the start)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let cluster = Cluster::shared();
    let sink = Sink::start();

    println!("sled, one server:");
    let sled = Firm::start(None, 1, &sink);
    per_second("work items created", sled.creates_per_second().0);
    let (sent, delivered, _) = sled.emails_per_second(&sink);
    per_second("sends answered", sent);
    per_second("emails delivered [goal >= 500/s]", delivered);
    per_second("checklist pages", sled.checklist_per_second(&sink));
    memory_line(sled.upload_and_backup_memory());
    drop(sled);

    println!("PostgreSQL, one server:");
    let db = cluster.database();
    let one = Firm::start(Some(&db.url), 1, &sink);
    let (rate, trips) = one.creates();
    per_second("work items created", rate);
    round_trips("round trips per work item created", trips);
    memory_line(one.upload_and_backup_memory());
    drop(one);
    drop(db);

    println!("PostgreSQL, two servers on one database:");
    let db = cluster.database();
    let two = Firm::start(Some(&db.url), 2, &sink);
    let (rate, trips) = two.creates();
    per_second("work items created [goal >= 1,000/s]", rate);
    round_trips("round trips per work item created", trips);
    let (sent, delivered, trips) = two.emails_per_second(&sink);
    per_second("sends answered", sent);
    per_second("emails delivered [goal >= 500/s]", delivered);
    round_trips("round trips per email sent and delivered", trips);
    per_second("checklist pages", two.checklist_per_second(&sink));
    drop(two);
    drop(db);

    let groups = std::env::var("DOCKET_BENCH_GROUPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000usize);
    println!("scheduler tick, {groups} open groups, none due [goal < 5 ms]:");
    let folder = tempfile::tempdir().unwrap();
    let sled: Arc<dyn Store> =
        Arc::new(SledStore::create_upgrading(folder.path(), 256 * 1_048_576, &[]).unwrap());
    let (median, max, setup) = idle_tick(sled, groups);
    tick_line("sled", median, max, setup);
    let db = cluster.database();
    let pg: Arc<dyn Store> = Arc::new(PgStore::connect(&db.url, 16, &[]).unwrap());
    let (median, max, setup) = idle_tick(pg, groups);
    tick_line("PostgreSQL", median, max, setup);
}

fn tick_line(store: &str, median: Duration, max: Duration, setup: Duration) {
    println!(
        "  {store:<12} median {:.3} ms, max {:.3} ms over 100 ticks (groups written in {:.0} s)",
        median.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        setup.as_secs_f64()
    );
}

/// Postfix's `smtp-sink` on a free loopback port, each message it accepts written to a file of
/// its own in a temporary folder; stopped when dropped.
struct Sink {
    port: u16,
    dir: tempfile::TempDir,
    child: std::process::Child,
}

impl Sink {
    fn start() -> Sink {
        let program = ["/usr/sbin/smtp-sink", "/usr/lib/postfix/sbin/smtp-sink"]
            .into_iter()
            .find(|p| std::path::Path::new(p).is_file())
            .expect("Postfix's smtp-sink is not installed: install Debian's `postfix` package");
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = std::process::Command::new(program);
        // Run as root, smtp-sink must be told which user to become; that user writes the files.
        let root = std::fs::read_to_string("/proc/self/status")
            .unwrap_or_default()
            .lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"));
        if root {
            command.args(["-u", "postfix"]);
            std::process::Command::new("chown")
                .arg("postfix")
                .arg(dir.path())
                .status()
                .unwrap();
        }
        let child = command
            .arg("-d")
            .arg(dir.path().join("%H%M%S."))
            .arg(format!("127.0.0.1:{port}"))
            .arg("512")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("smtp-sink starts");
        let sink = Sink { port, dir, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "smtp-sink did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        sink
    }

    /// The messages accepted so far.
    fn count(&self) -> usize {
        std::fs::read_dir(self.dir.path()).unwrap().count()
    }

    /// Waits until `count` messages were accepted.
    fn wait_for(&self, count: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.count() < count {
            assert!(
                Instant::now() < deadline,
                "smtp-sink: {count} messages not received in {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The newest message, parsed (smtp-sink's own `X-` and `Received` headers first).
    fn last(&self) -> Received {
        let newest = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap())
            .max_by_key(|e| e.metadata().unwrap().modified().unwrap())
            .unwrap();
        Received::parse(&std::fs::read(newest.path()).unwrap())
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
