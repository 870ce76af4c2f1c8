//! Crashes in the middle of a burst of sends: the real `docket serve`, mailing a real SMTP sink,
//! is killed with SIGKILL at random moments while clients press "send" on hundreds of work items
//! and while the sender drains the outbox, then restarted on the same data folder, round after
//! round. Afterwards every email that was promised (a send answered 200, or 409 "already sent"
//! after an attempt whose answer was lost) has arrived, and the only duplicates are messages
//! that were in flight when a kill hit: at most one per kill, each marked `recovered_in_flight`
//! in its outbox record.
//!
//! It prints one line of counts (`cargo test --test mail crash -- --nocapture`), ending with
//! the seed of its random kill times; `CRASH_SEED=N` reuses one (the timing still varies).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use crate::support::smtp::{MailSink, SinkOptions};
use crate::support::{Server, TIMEOUT};

/// Work items sent in the burst.
const WORK_ITEMS: usize = 520;
/// Kills, at the least; more happen if the burst lasts longer.
const MIN_KILLS: usize = 20;
/// Threads pressing "send".
const CLIENTS: usize = 3;
/// Random pause of each client before each send, in milliseconds: the sends span several kills.
const SEND_PAUSE_MS: u64 = 40;
/// Random uptime of each server before it is killed, in milliseconds.
const UPTIME_MS: (u64, u64) = (150, 600);
/// The whole test, start to finish.
const DEADLINE: Duration = Duration::from_secs(6 * 60);
/// How long the outbox may take to drain after the last restart.
const DRAIN: Duration = Duration::from_secs(120);
/// The domain of `mail.from`, which every Message-ID ends with.
const DOMAIN: &str = "crash.example";

#[test]
fn crashes_in_a_burst_of_sends_lose_no_email_and_duplicate_only_what_was_in_flight() {
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

    // A plain SMTP sink that takes a moment over each DATA, so a burst keeps messages in flight.
    // One connection to it: Docket then has at most one message whose fate is unknown (stored
    // by the relay, not yet recorded as sent) at any moment, so a kill can cause at most one
    // duplicate. With N connections that bound would be N per kill.
    let sink = MailSink::start(SinkOptions {
        delay_data_ms: 3,
        ..SinkOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("docket.toml");
    std::fs::write(
        &config,
        format!(
            "[mail]\nfrom = \"Crash Test <office@{DOMAIN}>\"\n\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
             connections = 1\n",
            sink.port
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();

    let first = Server::start(&data, &["--demo", "--config", &config]);
    let token = first
        .banner_value("API token:")
        .expect("the demo prints an API token");
    let client = new_client();
    let api = Api {
        client: &client,
        base: first.base.clone(),
        token: &token,
    };

    // The work to send, created before the burst: creating it is not what is under test.
    let start_date = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    api.post_created(
        "/api/templates",
        &json!({
            "name": "Crash burst",
            "description": "",
            "groups": [{
                "name": "Docs",
                "sending": {"plugin": "manual"},
                "reminders": {"plugin": "gentle"},
                "tasks": [{"title": "Bank statements", "due_offset_days": 300}],
            }],
        }),
    );
    let contacts: Vec<String> = (0..8)
        .map(|i| format!("client{i}@clients.{DOMAIN}"))
        .collect();
    for (i, email) in contacts.iter().enumerate() {
        api.post_created(
            "/api/contacts",
            &json!({ "name": format!("Client {i}"), "email": email }),
        );
    }
    let work: Vec<(String, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|t| {
                let (api, contacts, start_date) = (&api, &contacts, &start_date);
                scope.spawn(move || {
                    (t..WORK_ITEMS)
                        .step_by(CLIENTS)
                        .map(|i| {
                            let to = &contacts[i % contacts.len()];
                            let item = api.post_created(
                                "/api/work",
                                &json!({
                                    "template": "Crash burst",
                                    "start_date": start_date,
                                    "contacts": [to],
                                }),
                            );
                            (item["id"].as_str().unwrap().to_string(), to.clone())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(work.len(), WORK_ITEMS);

    // The burst: clients send every work item's first group while the server is killed and
    // restarted under them.
    let burst = Burst {
        server: Mutex::new(Some(first)),
        base: RwLock::new(api.base.clone()),
        token: &token,
        deadline,
        abort: AtomicBool::new(false),
        sent: AtomicUsize::new(0),
        answered_after_error: AtomicUsize::new(0),
        conflicts: AtomicUsize::new(0),
    };
    let burst_started = Instant::now();
    let mut kills = 0usize;
    let mut kills_during_sends = 0usize;
    let mut restart_times = Vec::new();
    let client_errors: Vec<String> = std::thread::scope(|scope| {
        let _abort = AbortOnUnwind(&burst.abort);
        let handles: Vec<_> = (0..CLIENTS)
            .map(|t| {
                let (burst, work) = (&burst, &work);
                scope.spawn(move || {
                    let client = new_client();
                    let mut pause = XorShift::new(seed ^ (t as u64 + 1).wrapping_mul(0x9E37_79B9));
                    let mut errors = Vec::new();
                    for (id, _) in work.iter().skip(t).step_by(CLIENTS) {
                        // Spread over several kills, so some land between a send's commit and
                        // its answer.
                        std::thread::sleep(Duration::from_millis(pause.between(0, SEND_PAUSE_MS)));
                        if let Err(e) = burst.send(&client, id) {
                            errors.push(e);
                            burst.abort.store(true, Ordering::SeqCst);
                            break;
                        }
                    }
                    errors
                })
            })
            .collect();
        // The killer.
        loop {
            std::thread::sleep(Duration::from_millis(rng.between(UPTIME_MS.0, UPTIME_MS.1)));
            let sends_done = burst.sent.load(Ordering::SeqCst) == WORK_ITEMS;
            if burst.abort.load(Ordering::SeqCst) || (sends_done && kills >= MIN_KILLS) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "deadline: {kills} kills and {} of {WORK_ITEMS} sends after {:?}",
                burst.sent.load(Ordering::SeqCst),
                started.elapsed()
            );
            let server = burst.server.lock().unwrap().take().unwrap();
            // A server that died by itself would be a bug of its own, not one of our kills.
            let alive = client
                .get(server.url("/healthz"))
                .timeout(Duration::from_secs(10))
                .send()
                .is_ok_and(|r| r.status() == StatusCode::OK);
            assert!(
                alive,
                "the server at {} stopped answering before kill {}",
                server.base,
                kills + 1
            );
            server.crash();
            kills += 1;
            if !sends_done {
                kills_during_sends += 1;
            }
            let restart = Instant::now();
            let server = Server::start(&data, &["--config", &config]);
            restart_times.push(restart.elapsed());
            *burst.base.write().unwrap() = server.base.clone();
            *burst.server.lock().unwrap() = Some(server);
        }
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a client thread panicked"))
            .collect()
    });
    assert!(
        client_errors.is_empty(),
        "sends failed after {kills} kills:\n{}",
        client_errors.join("\n")
    );
    assert_eq!(burst.sent.load(Ordering::SeqCst), WORK_ITEMS);
    let burst_time = burst_started.elapsed();

    // Delivery after the last restart: nothing left queued or in flight.
    let server = burst.server.lock().unwrap().take().unwrap();
    let api = Api {
        client: &client,
        base: server.base.clone(),
        token: &token,
    };
    let drain_by = Instant::now() + DRAIN.min(deadline.saturating_duration_since(Instant::now()));
    let pending = |outbox: &[Value]| {
        outbox
            .iter()
            .filter(|m| matches!(m["state"].as_str(), Some("queued" | "in_flight")))
            .count()
    };
    // The sink is read between two identical drained views of the outbox, so a message the
    // demo's scheduler happens to queue meanwhile is in both or in neither.
    let (outbox, received) = loop {
        let before = api.outbox();
        if pending(&before) == 0 {
            let received = sink.messages();
            let after = api.outbox();
            if after == before {
                break (after, received);
            }
        }
        assert!(
            Instant::now() < drain_by,
            "the outbox did not drain within {DRAIN:?} of the last restart; {} of {} messages \
             still pending, e.g. {}",
            pending(&before),
            before.len(),
            before
                .iter()
                .find(|m| matches!(m["state"].as_str(), Some("queued" | "in_flight")))
                .unwrap_or(&Value::Null)
        );
        std::thread::sleep(Duration::from_millis(250));
    };

    // What was promised: every work item's first send (a 200 or a 409 said it was committed),
    // exactly once, and whatever else the outbox holds (the demo's sends, any reminder its
    // scheduler queued meanwhile).
    let by_key: BTreeMap<&str, &Value> = outbox
        .iter()
        .map(|m| (m["key"].as_str().unwrap(), m))
        .collect();
    assert_eq!(by_key.len(), outbox.len(), "two outbox records share a key");
    let ours: BTreeSet<&str> = work.iter().map(|(id, _)| id.as_str()).collect();
    for (id, to) in &work {
        let key = format!("{id}/0/send/1");
        let record = by_key.get(key.as_str()).unwrap_or_else(|| {
            panic!("the send of {id} was acknowledged but {key} is not in the outbox")
        });
        assert_eq!(record["to"].as_str(), Some(to.as_str()), "{record}");
    }
    let extra: Vec<&&Value> = by_key
        .values()
        .filter(|m| {
            m["work"].as_str().is_some_and(|w| ours.contains(w))
                && !m["key"].as_str().unwrap().ends_with("/0/send/1")
        })
        .collect();
    assert!(
        extra.is_empty(),
        "{} unexpected message(s) for the burst's work items, e.g. {}",
        extra.len(),
        extra[0]
    );
    let unsent: Vec<&&Value> = by_key
        .values()
        .filter(|m| m["state"] != "sent" && m["state"] != "dropped")
        .collect();
    assert!(
        unsent.is_empty(),
        "{} message(s) not sent, e.g. {}",
        unsent.len(),
        unsent[0]
    );
    let expected: BTreeMap<String, &Value> = by_key
        .iter()
        .filter(|(_, m)| m["state"] == "sent")
        .map(|(key, m)| (message_id(key), *m))
        .collect();

    // What arrived: each message known, to the right address.
    let mut arrivals: BTreeMap<String, usize> = BTreeMap::new();
    for mail in &received {
        let id = mail
            .header("Message-ID")
            .unwrap_or_else(|| panic!("a message without a Message-ID:\n{}", mail.raw))
            .trim()
            .to_string();
        let record = expected.get(&id).unwrap_or_else(|| {
            panic!("{id} arrived but the outbox has no sent message with that key")
        });
        let to = record["to"].as_str().unwrap();
        assert!(
            mail.rcpt_tos.iter().any(|r| r.eq_ignore_ascii_case(to)),
            "{id} went to {:?}, not {to}",
            mail.rcpt_tos
        );
        *arrivals.entry(id).or_default() += 1;
    }
    let missing: Vec<&String> = expected
        .keys()
        .filter(|id| !arrivals.contains_key(*id))
        .collect();
    let delivered = expected.len() - missing.len();

    // Duplicates: only messages that were in flight when a kill hit (at most once per time
    // each was recovered), and at most one per kill.
    let duplicates = received.len() - arrivals.len();
    let mut not_in_flight = Vec::new();
    let mut duplicated = 0;
    for (id, &count) in &arrivals {
        if count < 2 {
            continue;
        }
        duplicated += 1;
        let record = expected[id];
        let recovered = record["recovered_in_flight"].as_u64().unwrap();
        if recovered + 1 < count as u64 {
            not_in_flight.push(format!(
                "{id} arrived {count} times, recovered in flight {recovered} time(s): {record}"
            ));
        }
    }
    let recovered_total: u64 = outbox
        .iter()
        .map(|m| m["recovered_in_flight"].as_u64().unwrap())
        .sum();
    let counts = format!(
        "crash test: {WORK_ITEMS} sends, {kills} kills, {} expected, {delivered} delivered, \
         {duplicates} duplicates ({}); {} while sending; {} sends retried after a kill, {} of \
         them answered 409 (committed before the kill); {duplicated} messages duplicated; \
         {recovered_total} recoveries of in-flight messages; {} received in all; burst {:.1?}, \
         restarts {:.0?}..{:.0?}, total {:.1?}; CRASH_SEED={seed}",
        expected.len(),
        if not_in_flight.is_empty() {
            "all recovered in flight"
        } else {
            "SOME NOT IN FLIGHT"
        },
        kills_during_sends,
        burst.answered_after_error.load(Ordering::SeqCst),
        burst.conflicts.load(Ordering::SeqCst),
        received.len(),
        burst_time,
        restart_times.iter().min().copied().unwrap_or_default(),
        restart_times.iter().max().copied().unwrap_or_default(),
        started.elapsed(),
    );
    println!("{counts}");
    assert!(
        missing.is_empty(),
        "{counts}\n{} of {} expected message(s) never arrived, e.g. {:?}; the first: {}",
        missing.len(),
        expected.len(),
        missing.iter().take(5).collect::<Vec<_>>(),
        expected[missing[0]]
    );
    assert!(
        not_in_flight.is_empty(),
        "{counts}\nduplicates that were not in flight when a kill hit:\n{}",
        not_in_flight.join("\n")
    );
    assert!(
        duplicates <= kills,
        "{counts}\n{duplicates} duplicate deliveries for {kills} kills: more than one per kill, \
         so more than one message at a time was delivered but not yet recorded as sent"
    );
    let status = server.stop();
    assert!(
        status.success(),
        "the server exited with {status} on SIGTERM"
    );
}

/// What the client threads and the killer share.
struct Burst<'a> {
    /// The server now running; `None` while it is being restarted.
    server: Mutex<Option<Server>>,
    /// Its base URL: each restart listens on a new port.
    base: RwLock<String>,
    token: &'a str,
    deadline: Instant,
    /// Set when something failed: every thread stops.
    abort: AtomicBool,
    /// Work items whose send was acknowledged (200, or 409 after an attempt that errored).
    sent: AtomicUsize,
    /// Sends that needed more than one attempt.
    answered_after_error: AtomicUsize,
    /// Of those, the ones answered 409: the lost attempt had committed.
    conflicts: AtomicUsize,
}

impl Burst<'_> {
    /// Sends the first group of work item `id`, trying again (on whichever server is running)
    /// until the server answers.
    fn send(&self, client: &Client, id: &str) -> Result<(), String> {
        let mut failed_attempts = 0u32;
        let mut last_error = String::new();
        loop {
            if self.abort.load(Ordering::SeqCst) {
                return Err(format!("{id}: stopped (another thread failed)"));
            }
            if Instant::now() > self.deadline {
                return Err(format!(
                    "{id}: no answer by the deadline, {failed_attempts} attempts: {last_error}"
                ));
            }
            let base = self.base.read().unwrap().clone();
            let response = client
                .post(format!("{base}/api/work/{id}/groups/0/send"))
                .bearer_auth(self.token)
                .send();
            let response = match response {
                Ok(response) => response,
                Err(e) => {
                    // Killed under the request, or not restarted yet.
                    failed_attempts += 1;
                    last_error = e.to_string();
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            let status = response.status();
            let body = response.text().unwrap_or_default();
            if failed_attempts > 0 {
                self.answered_after_error.fetch_add(1, Ordering::SeqCst);
            }
            return match status {
                StatusCode::OK => {
                    self.sent.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
                StatusCode::CONFLICT if failed_attempts > 0 && body.contains("already sent") => {
                    self.conflicts.fetch_add(1, Ordering::SeqCst);
                    self.sent.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
                _ => Err(format!(
                    "{id}: send answered {status} after {failed_attempts} failed attempt(s) \
                     (last: {last_error}): {body}"
                )),
            };
        }
    }
}

/// Sets the flag if the killer panics, so the client threads stop and the scope can end.
struct AbortOnUnwind<'a>(&'a AtomicBool);

impl Drop for AbortOnUnwind<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::SeqCst);
        }
    }
}

/// The JSON API of one server, outside the burst.
struct Api<'a> {
    client: &'a Client,
    base: String,
    token: &'a str,
}

impl Api<'_> {
    fn post_created(&self, path: &str, body: &Value) -> Value {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(self.token)
            .json(body)
            .send()
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = response.status();
        let answer: Value = response.json().unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::CREATED, "POST {path} {body}: {answer}");
        answer
    }

    fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(self.token)
            .send()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status();
        let answer: Value = response.json().unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::OK, "GET {path}: {answer}");
        answer
    }

    /// Every outbox record, newest first, page by page.
    fn outbox(&self) -> Vec<Value> {
        let mut all: Vec<Value> = Vec::new();
        loop {
            let after = all
                .last()
                .map(|m| format!("&after={}", m["id"].as_str().unwrap()))
                .unwrap_or_default();
            let page = self.get(&format!("/api/outbox?limit=500{after}"));
            let page = page.as_array().expect("the outbox is a list").clone();
            let full = page.len() == 500;
            all.extend(page);
            if !full {
                return all;
            }
        }
    }
}

fn new_client() -> Client {
    Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

/// The Message-ID Docket gives the message with idempotency key `key`.
fn message_id(key: &str) -> String {
    let left: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) {
                c
            } else {
                '.'
            }
        })
        .collect();
    format!("<{}@{DOMAIN}>", left.trim_matches('.'))
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
