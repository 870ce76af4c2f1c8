//! Storage at the size of a real firm: 100k work items and 2 GB of uploads. Prints backup and
//! restore throughput and peak memory (each run in a child process, so its peak is its own), the
//! longest write stall while a live backup streams to a client reading at 1 MB/s, and bytes on
//! disk against the logical size of the records.
//!
//! `cargo bench -p docket-engine --bench storage`; `DOCKET_BENCH_WORK` and
//! `DOCKET_BENCH_UPLOAD_MB` change the size.

/// The allocator the `docket` binary runs on, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: docket_engine::Allocator = docket_engine::Allocator;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use docket_engine::config::FirmConfig;
use docket_engine::demo::EXAMPLE_TEMPLATES;
use docket_engine::docket::UploadDetails;
use docket_engine::model::{Actor, NewContact, NewWork};
use docket_engine::store::{Batch, SledStore, Store, Tree, logical_len};
use docket_engine::{Docket, SystemClock, backup};

const CHILD: &str = "DOCKET_STORAGE_BENCH_CHILD";
/// Size of each upload.
const UPLOAD: usize = 1024 * 1024;

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        return child(&spec);
    }
    let work_items: usize = env_or("DOCKET_BENCH_WORK", 100_000);
    let upload_mb: usize = env_or("DOCKET_BENCH_UPLOAD_MB", 2048);
    let root = tempfile::tempdir_in(std::env::var("DOCKET_BENCH_DIR").unwrap_or(".".into()))
        .expect("a scratch folder");
    let data = root.path().join("data");
    println!("storage: a firm of {work_items} work items and {upload_mb} MiB of uploads");
    let started = Instant::now();
    let (logical, stored) = build_firm(&data, work_items, upload_mb);
    println!("  built in {:.0?}", started.elapsed());
    let db = dir_size(&data.join("db"));
    let files = dir_size(&data.join("files"));
    println!(
        "  records: {:.1} MB logical (keys + values, records as plain JSON), {:.1} MB as stored (record bodies compressed), {:.1} MB sled on disk = {:.2}x logical; files {:.0} MB",
        mb(logical),
        mb(stored),
        mb(db),
        db as f64 / logical as f64,
        mb(files)
    );

    let archive = root.path().join("firm.backup");
    let (secs, rss) = run_child(&format!("backup {} {}", data.display(), archive.display()));
    let size = std::fs::metadata(&archive).unwrap().len();
    println!(
        "  backup: {:.0} MB in {secs:.1}s = {:.0} MB/s, peak RSS {:.0} MB",
        mb(size),
        mb(size) / secs,
        mb(rss)
    );
    let restored = root.path().join("restored");
    let (secs, rss) = run_child(&format!(
        "restore {} {}",
        archive.display(),
        restored.display()
    ));
    println!(
        "  restore (with check): {:.0} MB in {secs:.1}s = {:.0} MB/s, peak RSS {:.0} MB",
        mb(size),
        mb(size) / secs,
        mb(rss)
    );
    let db = dir_size(&restored.join("db"));
    println!(
        "  restored records: {:.1} MB sled on disk = {:.2}x logical; per 100k work items: {:.1} MB on disk, {:.1} MB logical",
        mb(db),
        db as f64 / logical as f64,
        mb(db) * 100_000.0 / work_items as f64,
        mb(logical) * 100_000.0 / work_items as f64
    );
    std::fs::remove_file(&archive).unwrap();
    std::fs::remove_dir_all(&restored).unwrap();
    live_backup_stall(&data);
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn docket_over(store: Arc<SledStore>) -> Docket {
    Docket::open(
        store,
        Arc::new(SystemClock),
        &FirmConfig::default(),
        "http://localhost:8080",
    )
    .unwrap()
}

/// Writes the firm through the engine; returns the logical size of the records (keys and values,
/// each record counted as its plain, uncompressed envelope) and their size as stored.
fn build_firm(data: &Path, work_items: usize, upload_mb: usize) -> (u64, u64) {
    let store = Arc::new(SledStore::create(data).unwrap());
    let docket = docket_over(store.clone());
    for text in EXAMPLE_TEMPLATES {
        docket.import_template(text).unwrap();
    }
    let contacts = (work_items / 4).max(1);
    for c in 0..contacts {
        docket
            .create_contact(
                NewContact {
                    name: format!("Client {c}"),
                    email: format!("client{c}@example.com"),
                    timezone: None,
                    locale: None,
                },
                Actor::System,
            )
            .unwrap();
    }
    let template = docket.list_templates().unwrap()[0].name.clone();
    let mut ids = Vec::with_capacity(work_items);
    for w in 0..work_items {
        let contact = format!("client{}@example.com", w % contacts);
        let item = docket
            .create_work(
                NewWork {
                    template: template.clone(),
                    title: Some(format!("Tax return {w}")),
                    start_date: chrono::NaiveDate::from_ymd_opt(2030, 4, 6),
                    contacts: vec![contact],
                    ..NewWork::default()
                },
                Actor::System,
            )
            .unwrap();
        ids.push(item.id);
    }
    for u in 0..upload_mb * 1024 * 1024 / UPLOAD {
        let mut writer = docket.upload_writer().unwrap();
        let mut chunk = vec![0u8; 64 * 1024];
        for i in 0..UPLOAD / chunk.len() {
            // Distinct, incompressible-looking bytes per file.
            let mut x = ((u as u64 + 1) * 0x9e37_79b9_7f4a_7c15) ^ (i as u64);
            for b in chunk.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            writer.write_chunk(&chunk).unwrap();
        }
        let stored = writer.finish().unwrap();
        docket
            .attach_file(
                ids[u % ids.len()],
                UploadDetails {
                    name: format!("statement-{u}.pdf"),
                    content_type: "application/pdf".into(),
                    task: None,
                },
                stored,
                Actor::System,
            )
            .unwrap();
    }
    let (mut logical, mut stored) = (0u64, 0u64);
    store
        .for_each(&mut |_, k, v| {
            logical += (k.len() + logical_len(v)) as u64;
            stored += (k.len() + v.len()) as u64;
            Ok(())
        })
        .unwrap();
    store.flush().unwrap();
    (logical, stored)
}

/// Runs this bench as a child doing one thing; returns its wall time and peak RSS.
fn run_child(spec: &str) -> (f64, u64) {
    let started = Instant::now();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env(CHILD, spec)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{spec}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secs = started.elapsed().as_secs_f64();
    let rss: u64 = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss ").and_then(|n| n.parse().ok()))
        .expect("the child reports its peak");
    (secs, rss)
}

fn child(spec: &str) {
    let parts: Vec<&str> = spec.split(' ').collect();
    match parts[0] {
        "backup" => {
            let store = SledStore::open(Path::new(parts[1])).unwrap();
            let out = std::fs::File::create(parts[2]).unwrap();
            let mut out = std::io::BufWriter::with_capacity(256 * 1024, out);
            backup::export(&store, chrono::Utc::now(), &mut out, &mut |_| {}).unwrap();
            out.flush().unwrap();
            out.get_ref().sync_all().unwrap();
        }
        "restore" => {
            let mut input = std::fs::File::open(parts[1]).unwrap();
            backup::restore(&PathBuf::from(parts[2]), &mut input, &mut |_| {}).unwrap();
        }
        other => panic!("unknown child {other}"),
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap();
    println!("peak-rss {}", kb * 1024);
}

/// A live backup read at 1 MB/s while a writer commits small batches: the longest commit.
fn live_backup_stall(data: &Path) {
    let store = Arc::new(SledStore::open(data).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut longest = Duration::ZERO;
            let mut commits = 0u64;
            while !stop.load(Ordering::SeqCst) {
                let mut b = Batch::default();
                b.put(Tree::Notifications, format!("bench/{commits:012}"), "x");
                b.put(Tree::Schedule, format!("bench/{commits:012}"), "");
                let t = Instant::now();
                store.commit(b).unwrap();
                longest = longest.max(t.elapsed());
                commits += 1;
            }
            (longest, commits)
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let reading = Duration::from_secs(env_or("DOCKET_BENCH_LIVE_SECS", 20) as u64);
    let mut client = SlowClient {
        rate: 1_000_000,
        started: Instant::now(),
        sent: 0,
        until: reading,
    };
    let started = Instant::now();
    let result = backup::export(store.as_ref(), chrono::Utc::now(), &mut client, &mut |_| {});
    let streamed = client.sent;
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::SeqCst);
    let (longest, commits) = writer.join().unwrap();
    println!(
        "  live backup at 1 MB/s: {:.1} MB streamed in {:.0?} ({}); {commits} commits meanwhile, longest {:.1} ms",
        mb(streamed),
        started.elapsed(),
        match result {
            Ok(_) => "complete".to_string(),
            Err(_) => "client stopped reading".to_string(),
        },
        longest.as_secs_f64() * 1000.0
    );
}

/// A client that reads at `rate` bytes a second, and goes away after `until`.
struct SlowClient {
    rate: u64,
    started: Instant,
    sent: u64,
    until: Duration,
}

impl std::io::Write for SlowClient {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.started.elapsed() > self.until {
            return Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the client went away",
            ));
        }
        let n = buf.len().min(64 * 1024);
        self.sent += n as u64;
        let due = Duration::from_secs_f64(self.sent as f64 / self.rate as f64);
        if let Some(wait) = due.checked_sub(self.started.elapsed()) {
            std::thread::sleep(wait);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() {
            dir_size(&entry.path())
        } else {
            meta.len()
        };
    }
    total
}
