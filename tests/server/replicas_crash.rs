//! One of two servers on one PostgreSQL database killed with SIGKILL ten times at random moments
//! while clients press "send" through both and reminders go out on a fast simulated clock, then
//! restarted each time. Afterwards every promised email (each request acknowledged, and the five
//! reminders of each) has arrived at a real SMTP sink, and the only duplicates are the declared
//! in-flight ones.
//!
//! The rule (README, "Running more than one server"): a message a replica had handed to the
//! mail server when it died may have gone out; once it has been in flight for two minutes
//! (`IN_FLIGHT_TIMEOUT`), any replica queues it again (counting it in its outbox record's
//! `recovered_in_flight`), so it may arrive twice. So here a message arrives more than once only
//! if it was recovered from flight (at most once more per recovery), and, with one connection
//! to the relay per replica, at most one message per kill.
//!
//! It prints one line of counts (`cargo test --test server replicas_crash -- --nocapture`),
//! ending with the seed of its random kill times; `CRASH_SEED=N` reuses one.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::RwLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::replicas::{
    arrivals, burst_template, mail_config, message_id, on_database, outbox, post_created,
};
use crate::support::pg_cluster::Cluster;
use crate::support::smtp::{MailSink, SinkOptions};
use crate::support::{Server, http};

/// Work items sent in the burst.
const WORK_ITEMS: usize = 120;
/// Reminders each gets (`urgent`'s limit).
const REMINDERS: usize = 5;
/// Kills of server A.
const KILLS: usize = 10;
/// Random uptime of A before each kill, in milliseconds.
const UPTIME_MS: (u64, u64) = (700, 2500);
/// Random pause of each client before each send, in milliseconds: the sends span several kills.
const SEND_PAUSE_MS: u64 = 400;
/// Simulated seconds per real second: a day in two seconds, so reminders go during the burst.
const SPEED: f64 = 43_200.0;
/// The whole test, start to finish (the last kill's in-flight messages wait two minutes).
const DEADLINE: Duration = Duration::from_secs(9 * 60);

#[test]
fn a_replica_killed_ten_times_in_a_burst_loses_no_email_and_duplicates_only_what_was_in_flight() {
    let started = Instant::now();
    let deadline = started + DEADLINE;
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    let mut rng = XorShift::new(seed);

    let db = Cluster::shared().database();
    // A sink that takes a moment over each DATA, so messages are in flight when a kill hits.
    let sink = MailSink::start(SinkOptions {
        delay_data_ms: 15,
        ..SinkOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    // One connection per replica: a kill leaves at most one message delivered but not recorded.
    let config = mail_config(dir.path(), &sink, 1);
    let env = on_database(&db.url);
    // Both servers run one simulated clock: each starts it where it stands now.
    let clock_start: DateTime<Utc> = "2026-03-02T07:00:00Z".parse().unwrap();
    let real_start = Instant::now();
    let clock_now = || {
        let now = clock_start
            + chrono::Duration::milliseconds(
                (real_start.elapsed().as_secs_f64() * SPEED * 1000.0) as i64,
            );
        now.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    };
    let start = |name: &str, demo: bool| {
        let from = clock_now();
        let mut args = vec!["--config", &config, "--clock-from", &from, "--clock-speed"];
        let speed = SPEED.to_string();
        args.push(&speed);
        if demo {
            args.push("--demo");
        }
        Server::start_with_env(&dir.path().join(name), &args, &env)
    };
    let a = start("a", true);
    let token = a.banner_value("API token:").expect("the demo's API token");
    let b = start("b", false);

    burst_template(&b.base, &token, "Crash burst");
    let contacts: Vec<String> = (0..6)
        .map(|i| format!("client{i}@clients.crash.example"))
        .collect();
    for (i, email) in contacts.iter().enumerate() {
        post_created(
            &b.base,
            &token,
            "/api/contacts",
            &json!({ "name": format!("Client {i}"), "email": email }),
        );
    }
    let work: Vec<(String, String)> = (0..WORK_ITEMS)
        .map(|i| {
            let to = &contacts[i % contacts.len()];
            let item = post_created(
                &b.base,
                &token,
                "/api/work",
                &json!({"template": "Crash burst", "start_date": "2026-03-02", "contacts": [to]}),
            );
            (item["id"].as_str().unwrap().to_string(), to.clone())
        })
        .collect();

    // The burst: three clients send every work item, each through A or B in turn (B when A is
    // down), while A is killed and restarted under them.
    let a_base = RwLock::new(Some(a.base.clone()));
    let sent = AtomicUsize::new(0);
    let retried = AtomicUsize::new(0);
    let mut a = Some(a);
    let mut restarts = Vec::new();
    let mut kills_in_flight = 0;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|t| {
                let (work, token, a_base, b_base, sent, retried) =
                    (&work, &token, &a_base, &b.base, &sent, &retried);
                scope.spawn(move || {
                    let mut pause = XorShift::new(seed ^ (t as u64 + 1).wrapping_mul(0x9E37_79B9));
                    for (n, (id, _)) in work.iter().enumerate().skip(t).step_by(3) {
                        std::thread::sleep(Duration::from_millis(pause.between(0, SEND_PAUSE_MS)));
                        let mut failed = 0;
                        loop {
                            assert!(Instant::now() < deadline, "{id}: no answer by the deadline");
                            let base = match a_base.read().unwrap().clone() {
                                Some(a) if n % 2 == 0 && failed == 0 => a,
                                _ => b_base.clone(),
                            };
                            let response = http()
                                .post(format!("{base}/api/work/{id}/groups/0/send"))
                                .bearer_auth(token)
                                .send();
                            let Ok(response) = response else {
                                // A killed under the request: B answers the next attempt.
                                failed += 1;
                                continue;
                            };
                            let status = response.status();
                            let body = response.text().unwrap_or_default();
                            // A 409 after a lost answer: the lost attempt had committed.
                            let ok = status == StatusCode::OK
                                || (failed > 0
                                    && status == StatusCode::CONFLICT
                                    && body.contains("already sent"));
                            assert!(ok, "{id}: send answered {status}: {body}");
                            if failed > 0 {
                                retried.fetch_add(1, Ordering::SeqCst);
                            }
                            sent.fetch_add(1, Ordering::SeqCst);
                            break;
                        }
                    }
                })
            })
            .collect();
        // The killer: ten kills at random moments, each followed by a restart; each waits (a
        // little) for a moment when emails are in flight.
        for kill in 1..=KILLS {
            std::thread::sleep(Duration::from_millis(rng.between(UPTIME_MS.0, UPTIME_MS.1)));
            let server = a.take().unwrap();
            if wait_for_in_flight(&server, &token) {
                kills_in_flight += 1;
            }
            let alive = http()
                .get(server.url("/healthz"))
                .send()
                .is_ok_and(|r| r.status() == StatusCode::OK);
            assert!(alive, "A stopped answering before kill {kill}");
            *a_base.write().unwrap() = None;
            server.crash();
            let restart = Instant::now();
            let server = start("a", false);
            restarts.push(restart.elapsed());
            *a_base.write().unwrap() = Some(server.base.clone());
            a = Some(server);
        }
        for handle in handles {
            handle.join().expect("a client thread failed");
        }
    });
    assert_eq!(sent.load(Ordering::SeqCst), WORK_ITEMS);
    let burst_time = started.elapsed();

    // Afterwards: every work item's request and its five reminders are sent, nothing of ours
    // queued or in flight (a message the last kills left in flight waits two minutes).
    let ours: BTreeMap<&str, &str> = work
        .iter()
        .map(|(id, to)| (id.as_str(), to.as_str()))
        .collect();
    let records = loop {
        let records: Vec<Value> = outbox(&b.base, &token)
            .into_iter()
            .filter(|m| m["work"].as_str().is_some_and(|w| ours.contains_key(w)))
            .collect();
        if records.len() == WORK_ITEMS * (1 + REMINDERS)
            && records.iter().all(|m| m["state"] == "sent")
        {
            break records;
        }
        assert!(
            Instant::now() < deadline,
            "not all sent by the deadline: {} of {} messages, {} sent; e.g. {}",
            records.len(),
            WORK_ITEMS * (1 + REMINDERS),
            records.iter().filter(|m| m["state"] == "sent").count(),
            records
                .iter()
                .find(|m| m["state"] != "sent")
                .unwrap_or(&Value::Null)
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    let keys: BTreeSet<&str> = records.iter().map(|m| m["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), records.len(), "two outbox records share a key");
    for (id, _) in &work {
        for key in std::iter::once(format!("{id}/0/send/1"))
            .chain((1..=REMINDERS).map(|n| format!("{id}/0/reminder/1/{n}")))
        {
            assert!(keys.contains(key.as_str()), "{key} is not in the outbox");
        }
    }
    // A moment for the last deliveries' copies (if any) to land.
    std::thread::sleep(Duration::from_secs(2));
    let received = sink.messages();
    let got = arrivals(&received);
    let mut duplicates = 0;
    let mut not_in_flight = Vec::new();
    let mut missing = Vec::new();
    for record in &records {
        let id = message_id(record["key"].as_str().unwrap());
        let count = got.get(&id).copied().unwrap_or(0);
        if count == 0 {
            missing.push(id);
            continue;
        }
        let to = ours[record["work"].as_str().unwrap()];
        let mail = received
            .iter()
            .find(|m| m.header("Message-ID").map(str::trim) == Some(id.as_str()))
            .unwrap();
        assert!(
            mail.rcpt_tos.iter().any(|r| r.eq_ignore_ascii_case(to)),
            "{id} went to {:?}, not {to}",
            mail.rcpt_tos
        );
        duplicates += count - 1;
        let recovered = record["recovered_in_flight"].as_u64().unwrap() as usize;
        if count > recovered + 1 {
            not_in_flight.push(format!("{id} arrived {count} times: {record}"));
        }
    }
    let recoveries: u64 = records
        .iter()
        .map(|m| m["recovered_in_flight"].as_u64().unwrap())
        .sum();
    let counts = format!(
        "replicas crash test: {WORK_ITEMS} sends and {} reminders, {KILLS} kills of A, \
         {kills_in_flight} with emails in flight, {} messages expected, {} missing, \
         {duplicates} duplicates, {recoveries} recovered from flight; {} sends answered after a kill; burst {burst_time:.1?}, restarts \
         {:.0?}..{:.0?}, total {:.1?}; CRASH_SEED={seed}",
        WORK_ITEMS * REMINDERS,
        records.len(),
        missing.len(),
        retried.load(Ordering::SeqCst),
        restarts.iter().min().copied().unwrap_or_default(),
        restarts.iter().max().copied().unwrap_or_default(),
        started.elapsed(),
    );
    println!("{counts}");
    assert!(missing.is_empty(), "{counts}\nnever arrived: {missing:?}");
    assert!(
        not_in_flight.is_empty(),
        "{counts}\nduplicates that were not recovered from flight:\n{}",
        not_in_flight.join("\n")
    );
    assert!(
        kills_in_flight > 0 && recoveries > 0,
        "{counts}\nno kill hit an email in flight: the test did not test the rule"
    );
    assert!(
        duplicates <= KILLS,
        "{counts}\nmore than one duplicate per kill"
    );
    assert!(a.take().unwrap().stop().success());
    assert!(b.stop().success());
}

/// Waits up to three seconds until `server`'s `/metrics` says some email is in flight (on any
/// server: the outbox is shared); whether one was.
fn wait_for_in_flight(server: &Server, token: &str) -> bool {
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        let metrics = http()
            .get(server.url("/metrics"))
            .bearer_auth(token)
            .send()
            .and_then(|r| r.text())
            .unwrap_or_default();
        let in_flight = metrics
            .lines()
            .find_map(|l| l.strip_prefix("docket_outbox_messages{state=\"in_flight\"} "))
            .and_then(|n| n.trim().parse::<f64>().ok());
        if in_flight.is_some_and(|n| n > 0.0) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// xorshift64*: enough randomness for kill times, with no crate.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        XorShift(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}
