//! Staff's pages with a large firm: 100,000 work items for 500 clients (on sled, in a temporary
//! folder), then the engine's search alone and the admin's pages through the whole router
//! (session, engine call, rendering) one request at a time: the work list newest first, by next
//! due date, sorted by client, status and assignee, filtered by status and by assignee, search,
//! and the home page; then a bulk create of one template for 500 contacts. Prints p50, p99 and
//! max of each. Goals: search under 100 ms (engine), every page's p99 under 50 ms, and 500
//! items made in one bulk create in under 2 s.
//!
//! `cargo bench -p docket-portal --bench workspace`; DOCKET_BENCH_WORK (default 100000) and
//! DOCKET_BENCH_ROUNDS (requests per page, default 200) change the size.

/// The allocator the `docket` binary runs on, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: docket_engine::Allocator = docket_engine::Allocator;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, header};
use docket_engine::config::FirmConfig;
use docket_engine::docket::{StaffSignIn, WorkFilter};
use docket_engine::model::{Actor, NewContact, WorkId, WorkStatus};
use docket_engine::store::SledStore;
use docket_engine::{Docket, SystemClock};
use docket_portal::{AppState, router};
use tower::ServiceExt;

const CLIENTS: usize = 500;
const FIRST: [&str; 10] = [
    "Ann", "Bob", "Carol", "Dev", "Esther", "Femi", "Greta", "Hiro", "Ines", "Jon",
];
const LAST: [&str; 10] = [
    "Archer", "Baker", "Chen", "Díaz", "Evans", "Fischer", "Gupta", "Hale", "Ito", "Jensen",
];
const QUARTERS: [&str; 4] = ["Q1", "Q2", "Q3", "Q4"];

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Percentile `p` of sorted durations, in milliseconds.
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p / 100.0).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(name: &str, mut times: Vec<Duration>, goal_ms: f64) -> bool {
    times.sort();
    let (p50, p99, max) = (
        percentile(&times, 50.0),
        percentile(&times, 99.0),
        percentile(&times, 100.0),
    );
    let met = p99 < goal_ms;
    println!(
        "{name:<44} {p50:>8.2} {p99:>8.2} {max:>8.2}   {}",
        if met { "ok" } else { "OVER GOAL" }
    );
    met
}

fn main() {
    let work_count = env_number("DOCKET_BENCH_WORK", 100_000);
    let rounds = env_number("DOCKET_BENCH_ROUNDS", 200);

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
    let started = Instant::now();
    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let name = format!("{} {} {}", FIRST[n % 10], LAST[(n / 10) % 10], n / 100 + 1);
        let contact = docket
            .create_contact(
                NewContact {
                    name: name.clone(),
                    email: format!("client{n}@firm-{}.example", n % 37),
                    timezone: None,
                    locale: None,
                },
                Actor::System,
            )
            .unwrap();
        clients.push((contact.id, name));
    }
    // The demo's waiting work item is the pattern: the same template and groups, a client of
    // our own, a status, an assignee and due dates of its own each.
    let pattern = docket
        .list_work(
            &WorkFilter {
                status: Some(WorkStatus::WaitingOnClient),
                ..WorkFilter::default()
            },
            None,
            1,
        )
        .unwrap()
        .pop()
        .expect("the demo's waiting work");
    let admin = seed.admin.id;
    let now = docket.now();
    let mut made = 0;
    while made < work_count {
        let chunk: Vec<_> = (made..(made + 10_000).min(work_count))
            .map(|n| {
                let mut work = pattern.clone();
                work.id = WorkId::new(now);
                let (contact, name) = &clients[n % CLIENTS];
                let quarter = QUARTERS[n % 4];
                work.title = format!("{name} — VAT {quarter} {}", 2020 + n / 2000);
                work.external_name = format!("VAT return {quarter}");
                work.assignee = (n % 3 != 0).then_some(admin);
                work.status = WorkStatus::ALL[n % 4];
                work.start_date = pattern.start_date + chrono::Days::new((n % 400) as u64);
                for group in &mut work.groups {
                    group.recipient = *contact;
                    group.next = None;
                    for (t, task) in group.tasks.iter_mut().enumerate() {
                        task.due_date = work.start_date + chrono::Days::new((t * 7) as u64);
                        if (n + t) % 3 == 0 {
                            task.done_at = None;
                        }
                    }
                }
                work
            })
            .collect();
        made += chunk.len();
        docket.bulk_insert_work(&chunk).unwrap();
    }
    println!(
        "workspace bench: {work_count} work items for {CLIENTS} clients made in {:.1} s; {rounds} requests per page, one at a time; {} cores",
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // The engine's search alone.
    println!(
        "{:<44} {:>8} {:>8} {:>8}",
        "search (engine)", "p50 ms", "p99 ms", "max ms"
    );
    let mut met = true;
    for query in [
        "bak",
        "esther evans",
        "vat q3 2049",
        "firm-12",
        "nobody-here",
        "a",
    ] {
        let found = docket.search(query).unwrap();
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let at = Instant::now();
            std::hint::black_box(docket.search(query).unwrap());
            times.push(at.elapsed());
        }
        met &= report(
            &format!(
                "“{query}” ({} work, {} contacts)",
                found.work.len(),
                found.contacts.len()
            ),
            times,
            100.0,
        );
    }

    // The pages, through the router, signed in.
    let StaffSignIn::SignedIn { cookie, .. } = docket
        .staff_sign_in(
            docket_engine::demo::DEMO_ADMIN_EMAIL,
            &seed.admin_password,
            "127.0.0.1",
            "bench",
        )
        .unwrap()
    else {
        panic!("the demo admin signs in");
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = router(AppState::new(docket.clone()));
    let assignee = docket_engine::demo::DEMO_ADMIN_EMAIL;
    let pages = [
        ("/admin/work".to_string(), "Every work item"),
        ("/admin/work?sort=oldest".to_string(), "Every work item"),
        ("/admin/work?sort=due".to_string(), "Every work item"),
        ("/admin/work?sort=client".to_string(), "Every work item"),
        ("/admin/work?sort=status".to_string(), "Every work item"),
        ("/admin/work?sort=assignee".to_string(), "Every work item"),
        (
            "/admin/work?status=waiting_on_client".to_string(),
            "Matching work",
        ),
        (format!("/admin/work?assignee={assignee}"), "Matching work"),
        ("/admin/search?q=bak".to_string(), "Search for"),
        ("/admin/search?q=esther+evans+q3".to_string(), "Search for"),
        ("/admin/search?q=firm-12".to_string(), "Search for"),
        ("/admin".to_string(), "Your desk"),
    ];
    println!(
        "{:<44} {:>8} {:>8} {:>8}",
        "page (router)", "p50 ms", "p99 ms", "max ms"
    );
    for (path, must_contain) in pages {
        let get = |path: &str| {
            Request::get(path)
                .header(header::COOKIE, format!("docket_staff={cookie}"))
                .header(header::HOST, "localhost")
                .body(Body::empty())
                .unwrap()
        };
        let body = runtime.block_on(async {
            let response = app.clone().oneshot(get(&path)).await.unwrap();
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        });
        assert!(
            body.contains(must_contain),
            "{path} answers without `{must_contain}`"
        );
        let times = runtime.block_on(async {
            let mut times = Vec::with_capacity(rounds);
            for round in 0..rounds + 10 {
                let at = Instant::now();
                let response = app.clone().oneshot(get(&path)).await.unwrap();
                axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .unwrap();
                // The first ten warm up and are not counted.
                if round >= 10 {
                    times.push(at.elapsed());
                }
            }
            times
        });
        met &= report(&format!("GET {path}"), times, 50.0);
    }
    // Bulk create: one template for 500 contacts in one step (each round its own 500, made
    // beforehand and not timed), through the engine call `POST /api/work/bulk` makes.
    let template = pattern.template_id.to_string();
    let mut times = Vec::new();
    for round in 0..3 {
        let emails: Vec<String> = (0..500)
            .map(|n| format!("bulk{round}-{n}@bench.example"))
            .collect();
        for (n, email) in emails.iter().enumerate() {
            docket
                .create_contact(
                    NewContact {
                        name: format!("Bulk client {round}-{n}"),
                        email: email.clone(),
                        timezone: None,
                        locale: None,
                    },
                    Actor::System,
                )
                .unwrap();
        }
        let at = Instant::now();
        let made = docket
            .create_work_bulk(
                docket_engine::model::NewBulkWork {
                    template: template.clone(),
                    start_date: Some(pattern.start_date),
                    contacts: emails,
                    ..Default::default()
                },
                Actor::System,
            )
            .unwrap();
        times.push(at.elapsed());
        assert_eq!(made.len(), 500);
    }
    println!(
        "{:<44} {:>8} {:>8} {:>8}",
        "bulk create, 500 contacts (3 rounds)", "p50 ms", "p99 ms", "max ms"
    );
    met &= report("create_work_bulk, 500 items", times, 2000.0);
    println!("goal {}", if met { "met" } else { "NOT met" });
}
