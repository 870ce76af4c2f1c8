//! A restored folder cannot surprise clients: it starts with sending paused, serves everything
//! else (the API, links), sends nothing until an admin resumes, then sends what was due, once.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use super::get;
use super::support::{Server, TIMEOUT, http, run, stderr, stdout};

/// The `.eml` files the outbox folder holds that are addressed to `to`.
fn emails_to(data: &Path, to: &str) -> usize {
    std::fs::read_dir(data.join("outbox"))
        .map(|entries| {
            entries
                .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .filter(|text| {
                    text.contains(&format!("To: {to}")) || text.contains(&format!("<{to}>"))
                })
                .count()
        })
        .unwrap_or(0)
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "docket {args:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn a_restored_folder_sends_nothing_until_an_admin_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let server = Server::start(&first, &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    server.stop();
    let a = first.to_str().unwrap();

    // Sending paused on the first folder (for maintenance), work made and its group sent
    // through the API: the email waits in the outbox, and the backup carries it.
    let paused = ok(&["sending", "pause", "--data", a]);
    assert!(paused.contains("Sending is paused since"), "{paused}");
    let contact = "carol@cafe.example";
    ok(&[
        "contact",
        "add",
        "--name",
        "Carol Cafe",
        "--email",
        contact,
        "--data",
        a,
    ]);
    let created = ok(&[
        "work",
        "create",
        "--template",
        "Monthly bookkeeping",
        "--start",
        "2026-12-01",
        "--contact",
        contact,
        "--data",
        a,
    ]);
    let work = created
        .split("with id ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    let server = Server::start(&first, &[]);
    let sent = http()
        .post(server.url(&format!("/api/work/{work}/groups/0/send")))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(sent.status(), StatusCode::OK, "{}", sent.text().unwrap());
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        emails_to(&first, contact),
        0,
        "a paused server sends nothing"
    );
    server.stop();
    let archive = dir.path().join("backup.tar");
    ok(&["backup", "--out", archive.to_str().unwrap(), "--data", a]);

    let second = dir.path().join("second");
    let b = second.to_str().unwrap();
    let restored = ok(&["restore", archive.to_str().unwrap(), "--data", b]);
    assert!(
        restored.contains("sending is paused in the restored folder")
            && restored.contains(&format!("docket sending resume --data {b}")),
        "{restored}"
    );
    let status = ok(&["sending", "status", "--data", b]);
    assert!(
        status.contains("Sending is paused since") && status.contains("restored from a backup"),
        "{status}"
    );
    ok(&["check", "--data", b]);

    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let server = Server::start_logged(&second, &[], log.clone());
    let (status, state) = get(&server, &token, "/api/sending");
    assert_eq!(status, StatusCode::OK);
    assert!(state["paused"]["since"].is_string(), "{state}");
    // The rest of the firm is served as usual.
    let (status, work) = get(&server, &token, "/api/work");
    assert_eq!(status, StatusCode::OK);
    assert!(!work.as_array().unwrap().is_empty());
    // Long enough for several sender rounds (each waits at most a second idle).
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        emails_to(&second, contact),
        0,
        "nothing is sent while paused"
    );
    assert!(
        log.lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("sending is paused"))
            .count()
            == 1,
        "the pause is logged once at start: {:?}",
        log.lock().unwrap()
    );

    let resumed = http()
        .post(server.url("/api/sending/resume"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(resumed.status(), StatusCode::OK);
    let body: Value = resumed.json().unwrap();
    assert_eq!(body["paused"], Value::Null);
    let deadline = Instant::now() + TIMEOUT;
    while emails_to(&second, contact) == 0 {
        assert!(
            Instant::now() < deadline,
            "the due send went out within {TIMEOUT:?} of resuming"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(emails_to(&second, contact), 1, "sent once");
    server.stop();
}
