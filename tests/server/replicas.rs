//! Two servers on one PostgreSQL database, as an operator runs them behind a load balancer: what
//! is made through one is read and changed through the other, a duplicate is refused whichever
//! server it reaches, an uploaded file stored through one downloads through the other, sends
//! spread over both arrive exactly once at a real SMTP sink, and a client's device bound through
//! one opens the checklist through the other. A replica killed again and again in a burst is
//! `replicas_crash.rs`; the helpers here (a mail configuration, the outbox, Message-IDs) are
//! shared with it.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::get;
use crate::support::pg_cluster::Cluster;
use crate::support::smtp::{MailSink, Received, SinkOptions};
use crate::support::{Server, http};

#[test]
fn two_servers_on_one_database_serve_one_firm() {
    let db = Cluster::shared().database();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let env = [
        ("DOCKET_STORAGE_BACKEND", "postgres"),
        ("DOCKET_STORAGE_URL", db.url.as_str()),
    ];
    let a = Server::start_with_env(dir_a.path(), &["--demo"], &env);
    let token = a.banner_value("API token:").expect("the demo's API token");
    let b = Server::start_with_env(dir_b.path(), &[], &env);

    // A replica's folder (its plugins, admin socket and outbox folder) is its own: a second
    // server started on A's folder by mistake is refused, and A keeps its admin socket.
    let mut second = crate::support::docket();
    second
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir_a.path())
        .envs(env);
    let second = crate::support::run_with(&mut second);
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr).to_string();
    assert!(err.contains("is in use by another running docket"), "{err}");
    assert!(dir_a.path().join("admin.sock").exists(), "A's socket stays");

    // The demo seeded through A is B's firm too.
    let (status, work_a) = get(&a, &token, "/api/work");
    assert_eq!(status, StatusCode::OK);
    let (status, work_b) = get(&b, &token, "/api/work");
    assert_eq!(status, StatusCode::OK, "A's token works on B");
    // The same work items (their states may move on between the reads: both servers work).
    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!ids(&work_a).is_empty());
    assert_eq!(ids(&work_a), ids(&work_b));

    // Made through A, read and changed through B; the duplicate is refused on B.
    let created = http()
        .post(a.url("/api/contacts"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Dan Dean", "email": "dan@dean.example" }))
        .send()
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let duplicate = http()
        .post(b.url("/api/contacts"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Dan again", "email": "DAN@dean.example" }))
        .send()
        .unwrap();
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    let work = http()
        .post(b.url("/api/work"))
        .bearer_auth(&token)
        .json(&json!({ "template": "Monthly bookkeeping", "start_date": "2028-02-28", "contacts": ["dan@dean.example"] }))
        .send()
        .unwrap();
    assert_eq!(work.status(), StatusCode::CREATED);
    let work: Value = work.json().unwrap();
    let id = work["id"].as_str().unwrap().to_string();
    let (status, read) = get(&a, &token, &format!("/api/work/{id}"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["id"], work["id"]);

    // A file stored through B is downloaded through A.
    let bytes: Vec<u8> = (0..20_000)
        .flat_map(|i| format!("2028-02-{:02},entry {i},{}.00\n", i % 28 + 1, i * 7).into_bytes())
        .collect();
    let uploaded = http()
        .post(b.url(&format!("/api/work/{id}/files?name=ledger.csv")))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(bytes.clone())
        .send()
        .unwrap();
    assert_eq!(
        uploaded.status(),
        StatusCode::CREATED,
        "{:?}",
        uploaded.text()
    );
    let file: Value = uploaded.json().unwrap();
    let download = http()
        .get(a.url(&format!(
            "/api/work/{id}/files/{}",
            file["id"].as_str().unwrap()
        )))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert!(download.bytes().unwrap().as_ref() == bytes.as_slice());

    // Without an SMTP relay each server writes to a folder of its own: B's outbox page says
    // that the folder it names is the answering server's.
    let password = a
        .banner_value("admin password:")
        .expect("the demo admin's password");
    let browser = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Every cookie the answer sets, as a browser sends them back.
    let cookie_of = |r: &reqwest::blocking::Response| {
        r.headers()
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let form = browser.get(b.url("/admin/sign-in")).send().unwrap();
    let cookie = cookie_of(&form);
    let form = form.text().unwrap();
    let marker = "name=\"form_token\" value=\"";
    let at = form.find(marker).unwrap() + marker.len();
    let form_token = &form[at..at + form[at..].find('"').unwrap()];
    let signed_in = browser
        .post(b.url("/admin/sign-in"))
        .header("origin", &b.base)
        .header("cookie", cookie)
        .form(&[
            ("email", "admin@demo-firm.example"),
            ("password", password.as_str()),
            ("form_token", form_token),
        ])
        .send()
        .unwrap();
    assert!(
        signed_in.status().is_redirection(),
        "{}",
        signed_in.status()
    );
    let session = cookie_of(&signed_in);
    let outbox = browser
        .get(b.url("/admin/outbox"))
        .header("cookie", &session)
        .send()
        .unwrap();
    assert_eq!(outbox.status(), StatusCode::OK, "{session}");
    let outbox = outbox.text().unwrap();
    assert!(
        outbox.contains(&format!(
            "the outbox folder {}",
            // As the page escapes it.
            dir_b
                .path()
                .join("outbox")
                .display()
                .to_string()
                .replace('/', "&#x2f;")
        )) && outbox.contains("own (each server sharing the database writes the emails it sends to a folder of its own)"),
        "{outbox}"
    );

    assert!(a.stop().success());
    assert!(b.stop().success());
}

/// The domain of `mail.from` in the mail tests here, which every Message-ID ends with.
pub const DOMAIN: &str = "replicas.example";

/// A configuration file in `dir` mailing `sink` over `connections` connections.
pub fn mail_config(dir: &Path, sink: &MailSink, connections: u32) -> String {
    let config = dir.join("docket.toml");
    std::fs::write(
        &config,
        format!(
            "[mail]\nfrom = \"Replica Test <office@{DOMAIN}>\"\n\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
             connections = {connections}\n",
            sink.port
        ),
    )
    .unwrap();
    config.to_str().unwrap().to_string()
}

/// The environment that puts a server on database `url`.
pub fn on_database(url: &str) -> [(&'static str, &str); 2] {
    [
        ("DOCKET_STORAGE_BACKEND", "postgres"),
        ("DOCKET_STORAGE_URL", url),
    ]
}

/// `POST path` with a JSON body, which must answer 201; its answer.
pub fn post_created(server_base: &str, token: &str, path: &str, body: &Value) -> Value {
    let response = http()
        .post(format!("{server_base}{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = response.status();
    let answer: Value = response.json().unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::CREATED, "POST {path} {body}: {answer}");
    answer
}

/// Every outbox record, newest first, page by page.
pub fn outbox(server_base: &str, token: &str) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    loop {
        let after = all
            .last()
            .map(|m| format!("&after={}", m["id"].as_str().unwrap()))
            .unwrap_or_default();
        let response = http()
            .get(format!("{server_base}/api/outbox?limit=500{after}"))
            .bearer_auth(token)
            .send()
            .expect("GET /api/outbox");
        assert_eq!(response.status(), StatusCode::OK);
        let page: Value = response.json().unwrap();
        let page = page.as_array().expect("the outbox is a list").clone();
        let full = page.len() == 500;
        all.extend(page);
        if !full {
            return all;
        }
    }
}

/// The Message-ID Docket gives the message with idempotency key `key`.
pub fn message_id(key: &str) -> String {
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

/// How many times each Message-ID arrived at the sink.
pub fn arrivals(received: &[Received]) -> BTreeMap<String, usize> {
    let mut arrivals = BTreeMap::new();
    for mail in received {
        let id = mail
            .header("Message-ID")
            .unwrap_or_else(|| panic!("a message without a Message-ID:\n{}", mail.raw))
            .trim()
            .to_string();
        *arrivals.entry(id).or_default() += 1;
    }
    arrivals
}

/// A template whose one group is sent by hand and reminded daily (`urgent`, five at most).
pub fn burst_template(server_base: &str, token: &str, name: &str) {
    post_created(
        server_base,
        token,
        "/api/templates",
        &json!({
            "name": name,
            "description": "",
            "groups": [{
                "name": "Docs",
                "sending": {"plugin": "manual"},
                "reminders": {"plugin": "urgent"},
                "tasks": [{"title": "Bank statements", "due_offset_days": 2}],
            }],
        }),
    );
}

#[test]
fn sends_spread_over_two_servers_arrive_once_and_a_device_bound_on_one_works_on_the_other() {
    const ITEMS: usize = 200;
    let db = Cluster::shared().database();
    let sink = MailSink::start(SinkOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let config = mail_config(dir.path(), &sink, 2);
    let env = on_database(&db.url);
    let a = Server::start_with_env(
        &dir.path().join("a"),
        &["--demo", "--config", &config],
        &env,
    );
    let token = a.banner_value("API token:").expect("the demo's API token");
    // B listens on a port of its own, so its address differs from the links' (A's, stored
    // first): a server without `server.base_url` does not write its own over it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = crate::support::docket();
    command
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(dir.path().join("b"))
        .args(["--config", &config])
        .envs(env);
    let b = Server::start_command(command, &dir.path().join("b"), None);

    burst_template(&a.base, &token, "Burst");
    let contacts: Vec<String> = (0..4)
        .map(|i| format!("client{i}@clients.{DOMAIN}"))
        .collect();
    for (i, email) in contacts.iter().enumerate() {
        post_created(
            &b.base,
            &token,
            "/api/contacts",
            &json!({ "name": format!("Client {i}"), "email": email }),
        );
    }
    let start_date = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    let bases = [a.base.as_str(), b.base.as_str()];
    // Made and sent by four clients, each request to A or B in turn.
    let work: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (contacts, start_date, token) = (&contacts, &start_date, &token);
                scope.spawn(move || {
                    (t..ITEMS)
                        .step_by(4)
                        .map(|i| {
                            let item = post_created(
                                bases[i % 2],
                                token,
                                "/api/work",
                                &json!({
                                    "template": "Burst",
                                    "start_date": start_date,
                                    "contacts": [&contacts[i % contacts.len()]],
                                }),
                            );
                            let id = item["id"].as_str().unwrap().to_string();
                            let sent = http()
                                .post(format!(
                                    "{}/api/work/{id}/groups/0/send",
                                    bases[(i + 1) % 2]
                                ))
                                .bearer_auth(token)
                                .send()
                                .unwrap();
                            assert_eq!(sent.status(), StatusCode::OK, "{:?}", sent.text());
                            id
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
    assert_eq!(work.len(), ITEMS);

    // Each request arrives once, whichever server's sender claimed it.
    let wanted: BTreeMap<String, &String> = work
        .iter()
        .map(|id| (message_id(&format!("{id}/0/send/1")), id))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    let received = loop {
        let received = sink.messages();
        let got = arrivals(&received);
        if wanted.keys().all(|id| got.contains_key(id)) {
            // A moment more, for any second copy to land.
            std::thread::sleep(Duration::from_secs(2));
            break sink.messages();
        }
        assert!(
            Instant::now() < deadline,
            "{} of {ITEMS} requests arrived within two minutes",
            wanted.keys().filter(|id| got.contains_key(*id)).count()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let got = arrivals(&received);
    let twice: Vec<(&String, &usize)> = got.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "arrived more than once: {twice:?}");
    // Both servers sent (each claims what it finds queued), none recovered from flight.
    let records = outbox(&b.base, &token);
    let ours: Vec<&Value> = records
        .iter()
        .filter(|m| {
            m["work"]
                .as_str()
                .is_some_and(|w| work.iter().any(|id| id == w))
        })
        .collect();
    assert_eq!(ours.len(), ITEMS, "one message per send");
    assert!(
        ours.iter()
            .all(|m| m["state"] == "sent" && m["recovered_in_flight"] == 0)
    );

    // A device bound through A opens the checklist through B; without it, B shows nothing.
    let mail = received
        .iter()
        .find(|m| m.header("Message-ID").map(str::trim) == Some(wanted.keys().next().unwrap()))
        .unwrap();
    let at = mail.text.find("/c/").expect("a link in the request");
    assert!(
        received
            .iter()
            .filter(|m| m.text.contains("/c/"))
            .all(|m| m.text.contains("http://localhost:8080/c/")),
        "every link starts with the stored address, whichever server sent it"
    );
    let link = &mail.text[at..at + 3 + 43];
    let browser = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let opened = browser
        .post(a.url(link))
        .header("Sec-Fetch-Site", "same-origin")
        .send()
        .unwrap();
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let checklist = opened.headers()["location"].to_str().unwrap().to_string();
    let cookie = opened.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("docket_device="), "{cookie}");
    let page = browser
        .get(b.url(&checklist))
        .header("Cookie", &cookie)
        .send()
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().unwrap().contains("Bank statements"));
    let stranger = browser.get(b.url(&checklist)).send().unwrap();
    assert!(!stranger.text().unwrap().contains("Bank statements"));

    assert!(a.stop().success());
    assert!(b.stop().success());
}
