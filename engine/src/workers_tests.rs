//! The background loops as a server runs them: the collector of uploaded files no record
//! references, at start and again at each interval; a loop on a store that stops answering for
//! a while logs it once, and once that it works again.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use super::{Signal, WorkerOptions, Workers, hooks_loop, scheduler_loop};
use crate::config::FirmConfig;
use crate::mail::{FileTransport, MailTemplates, Mailer};
use crate::outage::tests::logged;
use crate::store::{Batch, Entries, FileStore, SledStore, Store, Tree, Visit};
use crate::{Docket, SystemClock};

/// A docket over a fresh data folder in `dir`, and a mailer that writes `.eml` files there.
fn docket_in(dir: &Path) -> (Docket, Arc<Mailer>) {
    let store = Arc::new(SledStore::create(&dir.join("data")).unwrap());
    let docket = Docket::open(
        store,
        Arc::new(SystemClock),
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap();
    let transport = Arc::new(FileTransport::new(dir.join("outbox")).unwrap());
    let mailer = Mailer::new(
        MailTemplates::load(None).unwrap(),
        "Smith & Co <office@smith.example>",
        transport,
    )
    .unwrap();
    (docket, Arc::new(mailer))
}

/// Stores `bytes` as an uploaded file no record references, written two hours ago (old enough
/// to be collected); returns where it lies.
fn old_unreferenced_file(docket: &Docket, dir: &Path, bytes: &[u8]) -> PathBuf {
    let stored = docket.store().files().write(&mut &bytes[..], 1024).unwrap();
    let path = dir
        .join("data/files")
        .join(&stored.sha256[..2])
        .join(&stored.sha256);
    std::fs::File::options()
        .append(true)
        .open(&path)
        .unwrap()
        .set_modified(SystemTime::now() - 2 * crate::store::files::COLLECT_AFTER)
        .unwrap();
    path
}

/// Waits, with a generous deadline, until `path` is gone.
fn wait_until_removed(path: &Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while path.exists() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

#[test]
fn unreferenced_files_are_collected_hourly_by_default() {
    assert_eq!(
        WorkerOptions::default().collect_files_every,
        Duration::from_secs(3600)
    );
}

#[test]
fn the_collector_runs_at_start_and_again_at_each_interval() {
    let dir = tempfile::tempdir().unwrap();
    let (docket, mailer) = docket_in(dir.path());
    let first = old_unreferenced_file(&docket, dir.path(), b"left behind before the start");
    let workers = Workers::start(
        docket.clone(),
        mailer,
        WorkerOptions {
            collect_files_every: Duration::from_millis(50),
            ..WorkerOptions::default()
        },
    )
    .unwrap();
    assert!(wait_until_removed(&first), "collected at start");
    // A file left behind while the server runs goes at a later round.
    let second = old_unreferenced_file(&docket, dir.path(), b"left behind while serving");
    assert!(wait_until_removed(&second), "collected again");
    workers.stop();
}

#[test]
fn stopping_does_not_wait_out_the_collectors_hour() {
    let dir = tempfile::tempdir().unwrap();
    let (docket, mailer) = docket_in(dir.path());
    let workers = Workers::start(docket, mailer, WorkerOptions::default()).unwrap();
    let stopping = Instant::now();
    workers.stop();
    assert!(stopping.elapsed() < Duration::from_secs(30));
}

/// A store in memory whose reads fail while `failures` is above zero, one failure each.
struct Flaky {
    inner: crate::store::MemoryStore,
    failures: AtomicUsize,
}

impl Flaky {
    fn fail(&self) -> crate::Result<()> {
        match self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        {
            Ok(_) => Err(crate::Error::Storage(
                "cannot reach PostgreSQL: is the server running?".to_string(),
            )),
            Err(_) => Ok(()),
        }
    }
}

impl Store for Flaky {
    fn get(&self, tree: Tree, key: &[u8]) -> crate::Result<Option<Vec<u8>>> {
        self.fail()?;
        self.inner.get(tree, key)
    }
    fn scan(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
        reverse: bool,
    ) -> crate::Result<Entries> {
        self.fail()?;
        self.inner.scan(tree, prefix, after, limit, reverse)
    }
    fn commit(&self, batch: Batch) -> crate::Result<()> {
        self.inner.commit(batch)
    }
    fn flush(&self) -> crate::Result<()> {
        self.inner.flush()
    }
    fn generation(&self) -> u64 {
        self.inner.generation()
    }
    fn len(&self, tree: Tree) -> crate::Result<usize> {
        self.inner.len(tree)
    }
    fn for_each(&self, each: Visit) -> crate::Result<()> {
        self.inner.for_each(each)
    }
    fn files(&self) -> &FileStore {
        self.inner.files()
    }
}

/// What `run` (a loop) logs on a store whose reads fail five times from the start; the loop is
/// stopped once the store has answered again for a while.
fn logged_on_a_flaky_store(run: impl FnOnce(&Docket, &Signal, &WorkerOptions)) -> Vec<String> {
    let store = Arc::new(Flaky {
        inner: crate::store::MemoryStore::new(),
        failures: AtomicUsize::new(0),
    });
    let docket = Docket::open(
        store.clone(),
        Arc::new(SystemClock),
        &FirmConfig::default(),
        "https://docket.example",
    )
    .unwrap();
    store.failures.store(5, Ordering::SeqCst);
    let signal = Arc::new(Signal::new());
    let options = WorkerOptions {
        idle: Duration::from_millis(1),
        ..WorkerOptions::default()
    };
    let stopper = {
        let (store, signal) = (store.clone(), signal.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while store.failures.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            std::thread::sleep(Duration::from_millis(100));
            let _guard = signal.lock.lock().unwrap();
            signal.stop.store(true, Ordering::SeqCst);
            signal.wake.notify_all();
        })
    };
    let ((), lines) = logged(|| run(&docket, &signal, &options));
    stopper.join().unwrap();
    assert_eq!(
        store.failures.load(Ordering::SeqCst),
        0,
        "five tries failed"
    );
    lines
}

/// The lines of `lines` at `level` that contain `said`.
fn said<'a>(lines: &'a [String], level: &str, said: &str) -> Vec<&'a String> {
    lines
        .iter()
        .filter(|l| l.contains(level) && l.contains(said))
        .collect()
}

#[test]
fn a_loop_logs_a_store_that_fails_five_times_once_and_once_that_it_works_again() {
    let lines = logged_on_a_flaky_store(hooks_loop);
    let errors = said(&lines, "ERROR", "");
    assert_eq!(errors.len(), 1, "{lines:#?}");
    assert!(
        errors[0].contains("cannot deliver events to hooks")
            && errors[0].contains("cannot reach PostgreSQL"),
        "{lines:#?}"
    );
    let again = said(&lines, "INFO", "delivering events to hooks again after");
    assert_eq!(again.len(), 1, "{lines:#?}");
}

#[test]
fn the_scheduler_says_once_that_it_cannot_read_whether_sending_is_paused() {
    let lines = logged_on_a_flaky_store(|docket, signal, options| {
        scheduler_loop(docket, signal, options.idle)
    });
    // The check for orphans runs once at start (and its failure is said once, there).
    let errors = said(&lines, "ERROR", "");
    let paused = said(&lines, "ERROR", "cannot read whether sending is paused");
    assert_eq!(paused.len(), 1, "{lines:#?}");
    assert!(errors.len() <= 2, "{lines:#?}");
    let again = said(
        &lines,
        "INFO",
        "reading whether sending is paused again after",
    );
    assert_eq!(again.len(), 1, "{lines:#?}");
}

#[test]
fn the_loops_that_read_whether_sending_is_paused_say_its_failure_once_between_them() {
    // The scheduler, the sender and the webhook poster each look every round; one store that
    // cannot be read is one error and one recovery, not one per loop.
    let lines = logged_on_a_flaky_store(|docket, signal, _| {
        while !signal.stop.load(Ordering::SeqCst) {
            for _loop in 0..3 {
                super::paused(docket, signal);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    let failed = said(&lines, "ERROR", "cannot read whether sending is paused");
    assert_eq!(failed.len(), 1, "{lines:#?}");
    let again = said(
        &lines,
        "INFO",
        "reading whether sending is paused again after",
    );
    assert_eq!(again.len(), 1, "{lines:#?}");
}
