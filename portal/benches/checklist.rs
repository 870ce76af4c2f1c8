//! The client's checklist page (`GET /p/WORK/GROUP` with its device cookie) under load, next to
//! a bare axum handler (`/healthz`) and the JSON API's `GET /api/work/ID`, in the same run and
//! with the same load generator: requests per second and latency percentiles of each, and the
//! checklist's ratio to the bare handler. Goal: at least 0.5× the bare handler, p99 ≤ 5 ms.
//!
//! The router runs in-process on 127.0.0.1 with a sled store in a temporary folder, seeded with
//! the demo firm; the load generator is a minimal HTTP/1.1 client over keep-alive connections,
//! on a runtime of its own. Both share this machine's cores, as they would on a small server.
//!
//! `cargo bench -p docket-portal --bench checklist`; DOCKET_BENCH_SECS (per round, default 4) and
//! DOCKET_BENCH_CONNECTIONS (default 16) change the load.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use docket_engine::config::FirmConfig;
use docket_engine::docket::Opened;
use docket_engine::store::SledStore;
use docket_engine::{Docket, SystemClock};
use docket_portal::{AppState, router};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ROUNDS: usize = 2;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let secs = env_number("DOCKET_BENCH_SECS", 4);
    let connections = env_number("DOCKET_BENCH_CONNECTIONS", 16) as usize;

    // A firm: the demo's, on sled, with Bob's checklist bound to this "device".
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SledStore::create(dir.path()).unwrap());
    let docket = Docket::open(
        store,
        Arc::new(SystemClock),
        &FirmConfig::default(),
        "http://localhost",
    )
    .unwrap();
    let seed = docket_engine::demo::seed(&docket)
        .unwrap()
        .expect("an empty folder");
    let message = docket
        .outbox(None, 100)
        .unwrap()
        .into_iter()
        .find(|m| m.to == "bob@bakers-bakery.example")
        .expect("the demo emails Bob his checklist");
    let token = message
        .context
        .link
        .rsplit_once("/c/")
        .map(|(_, t)| t.to_string())
        .expect("a /c/ link");
    let Opened::Checklist {
        work,
        group,
        new_secret: Some(secret),
    } = docket.open_link(&token, None, "bench").unwrap()
    else {
        panic!("the demo's link binds a fresh device");
    };
    // A page with some content: comments from the client on two tasks.
    let session = docket
        .client_session(work, group, Some(&secret))
        .unwrap()
        .expect("the bound device has a session");
    for (task, body) in [
        (1, "The card statement is attached."),
        (2, "Transaction 14 was the van's insurance; 15 is a refund."),
    ] {
        docket.client_comment(&session, task, body).unwrap();
    }

    // The server, on a runtime of its own.
    let server = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("server")
        .build()
        .unwrap();
    let listener = server
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(docket.clone());
    server.spawn(async move {
        axum::serve(listener, router(state)).await.unwrap();
    });

    let client = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("load")
        .build()
        .unwrap();
    let cookie = format!("docket_device={secret}");
    let auth = format!("Bearer {}", seed.token_secret);
    let targets = [
        Target::new("GET /healthz (bare axum)", "/healthz", &[], addr),
        Target::new(
            "GET /p/WORK/GROUP (checklist)",
            &format!("/p/{work}/{}", group + 1),
            &[("Cookie", &cookie)],
            addr,
        ),
        Target::new(
            "GET /api/work/ID (JSON API)",
            &format!("/api/work/{work}"),
            &[("Authorization", &auth)],
            addr,
        ),
    ];

    // Each answers what it should: the checklist itself, not an error page.
    for (target, must_contain) in targets.iter().zip(["ok", "1 of 3 done", "\"groups\""]) {
        let body = client.block_on(target.once(addr));
        assert!(
            body.contains(must_contain),
            "{} answers without `{must_contain}`: {body:.300}",
            target.name
        );
    }

    println!(
        "checklist bench: {connections} keep-alive connections, {ROUNDS} rounds of {secs} s per target, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut results: Vec<Sample> = targets.iter().map(|_| Sample::default()).collect();
    for round in 0..=ROUNDS {
        for (target, result) in targets.iter().zip(results.iter_mut()) {
            // Round 0 warms up (caches, connections, the allocator) and is not counted.
            let length = if round == 0 {
                Duration::from_secs(1)
            } else {
                Duration::from_secs(secs)
            };
            let sample = client.block_on(target.load(addr, connections, length));
            if round > 0 {
                result.merge(sample);
            }
        }
    }

    println!(
        "{:<32} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "target", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    for (target, r) in targets.iter().zip(&results) {
        println!(
            "{:<32} {:>10.0} {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
            target.name,
            r.rate(),
            r.percentile(50.0),
            r.percentile(90.0),
            r.percentile(99.0),
            r.percentile(100.0)
        );
    }
    let ratio = results[1].rate() / results[0].rate();
    let p99 = results[1].percentile(99.0);
    println!(
        "checklist / bare handler: {ratio:.2}× requests/s (goal ≥ 0.5×); checklist p99 {p99:.3} ms (goal ≤ 5 ms); healthz p99 {:.3} ms",
        results[0].percentile(99.0)
    );
    println!(
        "API / bare handler: {:.2}× requests/s",
        results[2].rate() / results[0].rate()
    );
    println!(
        "goal {}",
        if ratio >= 0.5 && p99 <= 5.0 {
            "met"
        } else {
            "MISSED"
        }
    );
    // Where a checklist request's time goes: the engine calls it makes, one thread, no HTTP.
    let n = 2000;
    let per_call = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        start.elapsed().as_secs_f64() * 1e6 / n as f64
    };
    let settings = per_call(&|| {
        docket.firm_settings().unwrap();
    });
    let session_us = per_call(&|| {
        docket
            .client_session(work, group, Some(&secret))
            .unwrap()
            .unwrap();
    });
    let checklist_us = per_call(&|| {
        docket.checklist(&session).unwrap();
    });
    let whole_us = 1e6 / results[1].rate()
        * std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    println!(
        "per checklist request, engine calls on one thread: firm_settings {settings:.1} µs (called 2× per request), client_session {session_us:.1} µs, checklist {checklist_us:.1} µs; the whole request costs about {whole_us:.0} µs of CPU (cores / throughput)"
    );
    server.shutdown_timeout(Duration::from_secs(1));
}

struct Target {
    name: &'static str,
    request: Arc<Vec<u8>>,
}

impl Target {
    fn new(name: &'static str, path: &str, headers: &[(&str, &str)], addr: SocketAddr) -> Target {
        let mut request = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: docket-bench\r\nAccept: text/html\r\n"
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        Target {
            name,
            request: Arc::new(request.into_bytes()),
        }
    }

    /// One request on a fresh connection; the body.
    async fn once(&self, addr: SocketAddr) -> String {
        let mut conn = Connection::open(addr).await;
        let body = conn.exchange(&self.request).await;
        String::from_utf8_lossy(&body).into_owned()
    }

    /// `connections` clients each sending requests back to back for `length`.
    async fn load(&self, addr: SocketAddr, connections: usize, length: Duration) -> Sample {
        let start = Instant::now();
        let until = start + length;
        let tasks: Vec<_> = (0..connections)
            .map(|_| {
                let request = self.request.clone();
                tokio::spawn(async move {
                    let mut conn = Connection::open(addr).await;
                    let mut latencies = Vec::with_capacity(64 * 1024);
                    while Instant::now() < until {
                        let sent = Instant::now();
                        conn.exchange(&request).await;
                        latencies.push(sent.elapsed().as_micros() as u32);
                    }
                    latencies
                })
            })
            .collect();
        let mut sample = Sample::default();
        for task in tasks {
            sample.latencies_us.extend(task.await.unwrap());
        }
        sample.seconds = start.elapsed().as_secs_f64();
        sample
    }
}

/// A keep-alive HTTP/1.1 connection that reads answers with a Content-Length.
struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> Connection {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Connection {
            stream,
            buf: Vec::with_capacity(64 * 1024),
        }
    }

    /// Sends `request` and reads the whole answer, which must be a 200; returns its body.
    async fn exchange(&mut self, request: &[u8]) -> Vec<u8> {
        self.stream.write_all(request).await.unwrap();
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            self.fill().await;
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).expect("an ASCII head");
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "not a 200: {}",
            head.lines().next().unwrap_or("")
        );
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .expect("an answer with a Content-Length");
        while self.buf.len() < head_end + length {
            self.fill().await;
        }
        let body = self.buf[head_end..head_end + length].to_vec();
        self.buf.drain(..head_end + length);
        body
    }

    async fn fill(&mut self) {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the server closed the connection");
        self.buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[derive(Default)]
struct Sample {
    latencies_us: Vec<u32>,
    seconds: f64,
}

impl Sample {
    fn merge(&mut self, other: Sample) {
        self.latencies_us.extend(other.latencies_us);
        self.seconds += other.seconds;
    }

    fn rate(&self) -> f64 {
        self.latencies_us.len() as f64 / self.seconds
    }

    /// The latency at percentile `p` (0–100), in milliseconds.
    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
        sorted[rank] as f64 / 1000.0
    }
}
