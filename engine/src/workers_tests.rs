//! The background loops as a server runs them: here, the collector of uploaded files no record
//! references, at start and again at each interval.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::{WorkerOptions, Workers};
use crate::config::FirmConfig;
use crate::mail::{FileTransport, MailTemplates, Mailer};
use crate::store::SledStore;
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
