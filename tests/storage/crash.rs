//! SIGKILL in the middle of a stream of acknowledged writes, again and again: every write
//! acknowledged before the kill is there afterwards, the store opens, and `docket check` finds
//! nothing wrong. And two writers on one work item: the expected-value guard and its retry lose
//! no update.

use std::io::{BufRead, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use docket_engine::docket::NewUpload;
use docket_engine::model::{Actor, EventKind, NewContact, WorkId};
use docket_engine::store::SledStore;
use docket_engine::store::files::Verified;

use super::{docket_over, firm_with_work};

/// Set in the child: the data folder, the work item and the round, `DIR WORK ROUND`.
pub const CHILD: &str = "DOCKET_CRASH_CHILD";
const ROUNDS: u64 = 50;
/// Longest a round may take before the test gives up on it.
const ROUND_TIMEOUT: Duration = Duration::from_secs(60);

pub fn sigkill_during_acknowledged_writes_loses_none() {
    let dir = tempfile::tempdir().unwrap();
    let work = firm_with_work(dir.path());
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    println!("crash rounds with seed {seed}");
    let mut random = seed | 1;
    let mut next = move || {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        random
    };
    let mut total = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(CHILD, format!("{} {work} {round}", dir.path().display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in lines.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Killed at a random moment once writes flow: the kill lands among them.
        let deadline = Instant::now() + ROUND_TIMEOUT;
        let mut acked = Vec::new();
        let wait_for = 1 + next() % 60;
        while acked.len() < wait_for as usize {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => acked.push(line),
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "round {round}: the child wrote no more after {} acks",
                        acked.len()
                    );
                }
            }
        }
        std::thread::sleep(Duration::from_micros(next() % 20_000));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success(), "round {round}: the child was killed");
        reader.join().unwrap();
        acked.extend(rx.try_iter());
        total += acked.len();
        verify(dir.path(), work, round, &acked);
    }
    println!("{ROUNDS} rounds, {total} acknowledged writes, none lost");
}

/// Reopens the folder and finds every acknowledged write; `check` finds no problem.
fn verify(dir: &std::path::Path, work: WorkId, round: u64, acked: &[String]) {
    let store =
        Arc::new(SledStore::open(dir).unwrap_or_else(|e| {
            panic!("round {round}: the store does not open after SIGKILL: {e}")
        }));
    let docket = docket_over(store.clone());
    let comments = docket.comments(work).unwrap();
    let files = docket.files(work).unwrap();
    for line in acked {
        let mut words = line.split(' ');
        match (words.next(), words.next()) {
            (Some("contact"), Some(email)) => assert!(
                docket.contact_by_email(email).unwrap().is_some(),
                "round {round}: contact {email} acknowledged, then lost"
            ),
            (Some("comment"), Some(id)) => assert!(
                comments.iter().any(|c| c.id.to_string() == id),
                "round {round}: comment {id} acknowledged, then lost"
            ),
            (Some("file"), Some(id)) => {
                let file = files
                    .iter()
                    .find(|f| f.id.to_string() == id)
                    .unwrap_or_else(|| panic!("round {round}: file {id} acknowledged, then lost"));
                assert_eq!(
                    docket.store().files().verify(&file.content.sha256).unwrap(),
                    Verified::Intact,
                    "round {round}: the bytes of file {id}"
                );
            }
            (Some("task"), Some(_)) => {}
            _ => panic!("round {round}: unexpected line from the child: {line}"),
        }
    }
    let problems = docket.check(true).unwrap();
    assert!(problems.is_empty(), "round {round}: {problems:?}");
}

/// The child: writes from several threads and prints each write once it is acknowledged
/// (committed and flushed), until it is killed.
pub fn child() {
    let spec = std::env::var(CHILD).unwrap();
    let mut parts = spec.rsplitn(3, ' ');
    let round: u64 = parts.next().unwrap().parse().unwrap();
    let work: WorkId = parts.next().unwrap().parse().unwrap();
    let dir = std::path::PathBuf::from(parts.next().unwrap());
    let docket = docket_over(Arc::new(SledStore::open(&dir).unwrap()));
    let out = Arc::new(std::sync::Mutex::new(std::io::stdout()));
    let say = move |line: String| {
        let mut out = out.lock().unwrap();
        writeln!(out, "{line}").unwrap();
        out.flush().unwrap();
    };
    std::thread::scope(|scope| {
        let (d, s) = (&docket, &say);
        scope.spawn(move || {
            for i in 0.. {
                let email = format!("r{round}-{i}@crash.example");
                let new = NewContact {
                    name: "Crash".into(),
                    email: email.clone(),
                    timezone: None,
                    locale: None,
                };
                d.create_contact(new, Actor::System).unwrap();
                s(format!("contact {email}"));
            }
        });
        scope.spawn(move || {
            for i in 0.. {
                let c = d
                    .add_comment(work, &format!("round {round}, comment {i}"), Actor::System)
                    .unwrap();
                s(format!("comment {}", c.id));
            }
        });
        scope.spawn(move || {
            for i in 0u64.. {
                let size = 1 + ((round * 7919 + i * 104_729) % 40_000) as usize;
                let bytes: Vec<u8> = (0..size).map(|b| (b as u64 ^ round ^ i) as u8).collect();
                let upload = NewUpload {
                    name: format!("r{round}-{i}.bin"),
                    content_type: "application/octet-stream".into(),
                    bytes,
                    task: None,
                };
                let f = d.add_file(work, upload, Actor::System).unwrap();
                s(format!("file {}", f.id));
            }
        });
        // Two writers on the same work item: their read-modify-writes collide and retry.
        for task in 0..2 {
            scope.spawn(move || {
                for i in 0u64.. {
                    if d.set_task_done(work, 0, task, i % 2 == 0, Actor::System)
                        .is_ok()
                    {
                        s(format!("task {task} {i}"));
                    }
                }
            });
        }
    });
}

pub fn concurrent_writers_on_one_work_item_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let work = firm_with_work(dir.path());
    let docket = docket_over(Arc::new(SledStore::open(dir.path()).unwrap()));
    const FLIPS: u64 = 60;
    let retried_out = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for task in 0..3 {
            let (docket, retried_out) = (&docket, &retried_out);
            scope.spawn(move || {
                for i in 0..FLIPS {
                    if let Err(e) = docket.set_task_done(work, 0, task, i % 2 == 0, Actor::System) {
                        // More collisions than the engine retries: the caller is told to try
                        // again, and nothing was half written.
                        assert!(e.to_string().contains("try again"), "{e}");
                        retried_out.store(true, Ordering::SeqCst);
                        let mut again = 0;
                        while let Err(e) =
                            docket.set_task_done(work, 0, task, i % 2 == 0, Actor::System)
                        {
                            again += 1;
                            assert!(again < 100, "{e}");
                        }
                    }
                }
            });
        }
    });
    // Each thread's last write was "not done": had one writer overwritten another's change with
    // a stale copy, a task would be left done, or events would be missing.
    let item = docket.work(work).unwrap();
    for task in 0..3 {
        assert!(
            item.groups[0].tasks[task].done_at.is_none(),
            "task {task} lost its last update"
        );
    }
    let events = docket.work_timeline(work, 10_000).unwrap();
    let flips = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::TaskCompleted | EventKind::TaskReopened))
        .count() as u64;
    assert_eq!(
        flips,
        3 * FLIPS,
        "one timeline event per change, none lost or doubled"
    );
    if retried_out.load(Ordering::SeqCst) {
        println!("some writes collided more often than the engine retries; they were retried");
    }
}
