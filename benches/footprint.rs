//! Docket's footprint, printed in one run on this machine: the size of the release binary as
//! built (stripped), the time from start to ready (`/readyz` answering 200) and the resident
//! memory once idle — for an empty firm and for one with 100,000 work items — with what that
//! memory is made of (the binary's own pages read in, the heap and stacks, the threads, sled's
//! page table, what the first start of a version keeps after its audit of the schedule).
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

/// The server's allocator, tuned as it tunes it (`src/main.rs`), so what the folder costs opened
/// in this process is what it costs the server.
#[global_allocator]
static ALLOCATOR: docket_engine::Allocator = docket_engine::Allocator;
const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;

const WORK_ITEMS: usize = 100_000;
/// How long a server is left alone before its memory is read: start-up work (the plan audit,
/// the collector of unreferenced files) is over by then.
const SETTLE: Duration = Duration::from_secs(8);
const TIMEOUT: Duration = Duration::from_secs(120);

fn main() {
    // SAFETY: first thing in `main`, before any other thread exists; an integer option.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
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
    // `FOOTPRINT_DATA=DIR` keeps the two firms in DIR and reuses the large one next time (its
    // seeding takes most of the run); without it they live in a temporary folder.
    let temp = tempfile::tempdir().expect("a temporary folder");
    let root = std::env::var_os("FOOTPRINT_DATA")
        .map_or_else(|| temp.path().to_path_buf(), std::path::PathBuf::from);

    let empty = root.join("empty");
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
    let empty_idle = served.report("empty firm", None);
    served.stop();

    let big = root.join("big");
    if root.join("big.seeded").exists() {
        println!(
            "({WORK_ITEMS} work items seeded before, in {})",
            big.display()
        );
    } else {
        let seeding = Instant::now();
        seed(bin, &big, WORK_ITEMS);
        std::fs::write(root.join("big.seeded"), b"").expect("the folder marked seeded");
        println!(
            "({} work items written in {:.1} s)",
            WORK_ITEMS,
            seeding.elapsed().as_secs_f64()
        );
    }
    // The first start of this version audits the schedule against every work item (once per
    // version, `repair_schedule_at_start`): its memory is printed, then a second start, as a
    // server restarts every other time, is measured against the goal.
    let first = Served::start(bin, &big);
    let audited = first.report(
        &format!(
            "{WORK_ITEMS} work items, the first start of this version (the schedule audited against every work item)"
        ),
        None,
    );
    first.stop();
    let served = Served::start(bin, &big);
    println!(
        "{WORK_ITEMS} work items: ready in {:.0} ms [goal <= 300 ms]",
        ms(served.ready)
    );
    let idle = served.report(
        &format!("{WORK_ITEMS} work items (cache_mib = 8, the default)"),
        Some(40.0),
    );
    served.stop();
    parts(&big, &empty_idle, &audited, &idle);
}

/// What the heap of the large firm's idle server is made of, each part measured: the folder
/// opened in this process (sled's page table: an entry per leaf of at most 16 keys, whatever the
/// cache), then every record read once (what the first start of a version keeps after its audit
/// of the schedule), with the entries and sled keys of each large tree (a packed index holds many
/// entries to a key).
fn parts(big: &Path, empty: &Idle, audited: &Idle, idle: &Idle) {
    println!(
        "  heap and stacks more than the empty firm's: {:.1} MB",
        idle.anon_mb - empty.anon_mb
    );
    println!(
        "  part: what the first start of a version keeps after reading every work item for its audit of the schedule: {:.1} MB (later starts do not read them)",
        audited.anon_mb - idle.anon_mb
    );
    let before = self_anon_kb();
    let store = SledStore::open(big).expect("the folder");
    let opened = self_anon_kb();
    let (mut entries, mut keys) = (0u64, 0u64);
    for tree in docket_engine::store::Tree::ALL {
        let mut n = 0u64;
        docket_engine::store::for_each_entry(&store, tree, 4096, &mut |_, _| {
            n += 1;
            Ok(())
        })
        .expect("the tree read");
        let held = store.sled_keys(tree) as u64;
        entries += n;
        keys += held;
        if n >= 1000 {
            println!(
                "    {:<24} {n:>9} entries in {held:>7} sled keys",
                tree.name()
            );
        }
    }
    let read = self_anon_kb();
    drop(store);
    println!(
        "  part: sled's page table, the folder opened and nothing read: {:.1} MB for {entries} entries in {keys} sled keys",
        opened.saturating_sub(before) as f64 / 1000.0
    );
    println!(
        "  part: reading every entry once with sled's cache at 8 MiB: {:.1} MB more, kept after the reads end (sled 0.34's cache limit does not bound it; only the first start of a version, a backup or a check reads them all)",
        read.saturating_sub(opened) as f64 / 1000.0
    );
}

/// This process's heap and stacks resident, in kB.
fn self_anon_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// An idle server's memory, as [`Served::report`] printed it.
struct Idle {
    anon_mb: f64,
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
    fn report(&self, what: &str, goal: Option<f64>) -> Idle {
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
        Idle {
            anon_mb: kb("RssAnon:") as f64 / 1000.0,
        }
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
