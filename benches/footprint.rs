//! Docket's footprint, printed in one run on this machine: the size of the release binary as
//! built (stripped), the time from start to ready (`/readyz` answering 200) and the resident
//! memory once idle — for an empty firm and for one with 100,000 work items — with what that
//! memory is made of (the binary's own pages read in, the heap and stacks, the threads).
//! `cargo bench --bench footprint`; it builds the `docket` binary with the release profile.
//! `FOOTPRINT_BINARY=PATH` measures that binary instead (one built before, e.g. `cargo build
//! --release`), and `cargo test --release --bench footprint` or `cargo test --bench footprint`
//! then runs the same without building a second optimised copy.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use docket_engine::docket::WorkListQuery;
use docket_engine::model::{WorkId, WorkItem};
use docket_engine::store::{SledStore, Store as _};
use docket_engine::{Docket, SystemClock};

const WORK_ITEMS: usize = 100_000;
/// How long a server is left alone before its memory is read: start-up work (the plan audit,
/// the collector of unreferenced files) is over by then.
const SETTLE: Duration = Duration::from_secs(8);
const TIMEOUT: Duration = Duration::from_secs(120);

fn main() {
    let bin = std::env::var_os("FOOTPRINT_BINARY").map_or_else(
        || env!("CARGO_BIN_EXE_docket").into(),
        std::path::PathBuf::from,
    );
    let bin = bin.as_path();
    let size = std::fs::metadata(bin).expect("the docket binary").len();
    println!(
        "binary: {:.1} MB ({size} bytes, {}) [goal <= 35 MB]",
        mb(size),
        bin.display()
    );
    let root = tempfile::tempdir().expect("a temporary folder");

    let empty = root.path().join("empty");
    let first = Served::start(bin, &empty);
    println!(
        "empty firm, first start (new folder, stock plugins compiled into its cache): ready in {:.0} ms",
        ms(first.ready)
    );
    first.stop();
    let served = Served::start(bin, &empty);
    println!(
        "empty firm: ready in {:.0} ms [goal <= 300 ms]",
        ms(served.ready)
    );
    served.report("empty firm", None);
    served.stop();

    let big = root.path().join("big");
    let seeding = Instant::now();
    seed(bin, &big, WORK_ITEMS);
    println!(
        "({} work items written in {:.1} s)",
        WORK_ITEMS,
        seeding.elapsed().as_secs_f64()
    );
    // The first start after the writes re-plans nothing (each item is planned) but warms the
    // page cache, as a server that restarts finds it.
    Served::start(bin, &big).stop();
    let served = Served::start(bin, &big);
    println!(
        "{WORK_ITEMS} work items: ready in {:.0} ms [goal <= 300 ms]",
        ms(served.ready)
    );
    served.report(&format!("{WORK_ITEMS} work items"), Some(40.0));
    served.stop();
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `docket serve` on a free port of 127.0.0.1.
struct Served {
    child: Child,
    ready: Duration,
}

impl Served {
    fn start(bin: &Path, data: &Path) -> Served {
        let started = Instant::now();
        let mut child = Command::new(bin)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .env("DOCKET_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("docket serve starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("docket serve says where it listens")
                .unwrap();
            if let Some(addr) = line.strip_prefix("Docket listening on http://") {
                break addr.to_string();
            }
        };
        // The rest of its output is not read; it must not block on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        while !ready(&addr) {
            assert!(started.elapsed() < TIMEOUT, "docket serve is not ready");
            std::thread::sleep(Duration::from_millis(2));
        }
        Served {
            child,
            ready: started.elapsed(),
        }
    }

    /// Waits for the server to settle, then prints its resident memory and what it is made of.
    fn report(&self, what: &str, goal: Option<f64>) {
        std::thread::sleep(SETTLE);
        let pid = self.child.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let kb = |key: &str| -> u64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        let threads = std::fs::read_dir(format!("/proc/{pid}/task"))
            .unwrap()
            .count();
        let goal = goal.map_or_else(String::new, |g| format!(" [goal <= {g:.0} MB]"));
        println!(
            "{what}, idle: {:.1} MB resident{goal}: {:.1} MB heap and stacks, {:.1} MB of the binary and libraries read in, {threads} threads",
            kb("VmRSS:") as f64 / 1000.0,
            kb("RssAnon:") as f64 / 1000.0,
            kb("RssFile:") as f64 / 1000.0,
        );
        let mut names: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/task"))
            .unwrap()
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .map(|n| n.trim().to_string())
            .collect();
        names.sort();
        println!("  threads: {}", names.join(", "));
    }

    /// SIGTERM, then waits for a clean stop.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        let stopped = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "docket serve stopped with {status}");
                return;
            }
            assert!(stopped.elapsed() < TIMEOUT, "docket serve does not stop");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `GET /readyz` answers 200.
fn ready(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if stream
        .write_all(b"GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}

/// A firm in `data` with `count` work items: one made through the command line (a template, a
/// contact, the work planned by its plugins), then copied with new ids and send times spread
/// over a year, written in bulk.
fn seed(bin: &Path, data: &Path, count: usize) {
    Served::start(bin, data).stop();
    let template = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/templates/annual-tax-return.toml"
    );
    let start = (chrono::Utc::now() + chrono::Duration::days(60))
        .date_naive()
        .to_string();
    for args in [
        vec!["template", "import", template],
        vec![
            "contact",
            "add",
            "--email",
            "ann@client.example",
            "--name",
            "Ann",
        ],
        vec![
            "work",
            "create",
            "--template",
            "Annual tax return",
            "--start",
            &start,
            "--contact",
            "ann@client.example",
        ],
    ] {
        let done = Command::new(bin)
            .args(&args)
            .arg("--data")
            .arg(data)
            .stdout(Stdio::null())
            .status()
            .expect("docket runs");
        assert!(done.success(), "docket {args:?}");
    }
    let store = Arc::new(
        SledStore::open_upgrading(data, docket_engine::docket::UPGRADES).expect("the folder"),
    );
    let docket = Docket::open(
        store.clone(),
        Arc::new(SystemClock),
        &docket_engine::config::Config::default().firm,
        "http://localhost:8080",
    )
    .expect("the firm");
    let work = docket
        .find_work(&WorkListQuery::default(), None, 1)
        .expect("the work list")
        .remove(0);
    let now = docket.now();
    let year_ms = chrono::Duration::days(365).num_milliseconds();
    let mut made = 1;
    while made < count {
        let n = 10_000.min(count - made);
        let works: Vec<WorkItem> = (made..made + n)
            .map(|i| {
                let mut w = work.clone();
                w.id = WorkId::new(now);
                for group in &mut w.groups {
                    if let Some(next) = group.next.as_mut() {
                        next.at = (now
                            + chrono::Duration::days(1)
                            + chrono::Duration::milliseconds(year_ms * i as i64 / count as i64))
                        .into();
                    }
                }
                w
            })
            .collect();
        docket.bulk_insert_work(&works).expect("the work written");
        made += n;
    }
    store.flush().expect("the folder flushed");
}
