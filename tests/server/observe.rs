//! Watching the server: `/readyz`, `/metrics` (admin token) with requests, emails, the
//! scheduler, the outbox and the store, request ids in answers and in JSON log lines.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::support::{Server, http};

#[test]
fn metrics_readiness_and_request_ids_in_json_logs() {
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = Server::start_logged_with_env(
        dir.path(),
        &["--demo"],
        &[("DOCKET_LOG_FORMAT", "json")],
        log.clone(),
    );
    let token = server.banner_value("API token:").unwrap();

    let ready = http().get(server.url("/readyz")).send().unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.text().unwrap(), "ready");

    // An id the caller gives is kept; one that is not sane is replaced by a fresh one.
    let answer = http()
        .get(server.url("/api/work"))
        .bearer_auth(&token)
        .header("x-request-id", "abc-123")
        .send()
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["x-request-id"], "abc-123");
    let answer = http()
        .get(server.url("/healthz"))
        .header("x-request-id", "not a sane id; DROP")
        .send()
        .unwrap();
    let made = answer.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(made.len(), 26, "a ULID: {made}");

    // A request that logs at info: its line carries the id, and every line is JSON.
    let backup = http()
        .get(server.url("/api/backup"))
        .bearer_auth(&token)
        .header("x-request-id", "backup-77")
        .send()
        .unwrap();
    assert_eq!(backup.status(), StatusCode::OK);
    backup.bytes().unwrap();

    // What the engine logs while serving a request carries the request's id too.
    for (path, id) in [
        ("/api/sending/pause", "pause-9"),
        ("/api/sending/resume", "resume-9"),
    ] {
        let answer = http()
            .post(server.url(path))
            .bearer_auth(&token)
            .header("x-request-id", id)
            .send()
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
    }

    // A wrong password is a refusal counted.
    let form = http().get(server.url("/admin/sign-in")).send().unwrap();
    let cookie = form.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = form.text().unwrap();
    let marker = "name=\"form_token\" value=\"";
    let at = html.find(marker).unwrap() + marker.len();
    let form_token = &html[at..at + html[at..].find('"').unwrap()];
    let refused = http()
        .post(server.url("/admin/sign-in"))
        .header("cookie", cookie)
        .header("origin", &server.base)
        .form(&[
            ("email", "nobody@example.com"),
            ("password", "wrong"),
            ("form_token", form_token),
        ])
        .send()
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // The demo's two requests go out to the outbox folder; wait until the sender counted them.
    let deadline = Instant::now() + Duration::from_secs(30);
    let metrics = loop {
        let page = http()
            .get(server.url("/metrics"))
            .bearer_auth(&token)
            .send()
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain; version=0.0.4")
        );
        let text = page.text().unwrap();
        if text.contains("docket_emails_total{outcome=\"sent\"} 2") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    for wanted in [
        "docket_emails_total{outcome=\"sent\"} 2",
        "docket_http_requests_total{route=\"/api/work\",method=\"GET\",status=\"200\"} 1",
        "docket_http_request_duration_seconds_bucket{route=\"/api/work\",method=\"GET\",status=\"200\",le=\"",
        "docket_scheduler_tick_seconds_count",
        "docket_scheduler_fired_total{kind=\"send\"}",
        "docket_outbox_messages{state=\"queued\"}",
        "docket_outbox_messages{state=\"in_flight\"} 0",
        "docket_store_bytes ",
        "docket_sign_in_refusals_total{reason=\"wrong\"} 1",
    ] {
        assert!(metrics.contains(wanted), "{wanted} in:\n{metrics}");
    }
    // Without an admin token, no metrics.
    let refused = http().get(server.url("/metrics")).send().unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    server.stop();
    let lines = log.lock().unwrap().clone();
    assert!(!lines.is_empty());
    for line in &lines {
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "a log line that is not JSON: {line}");
    }
    assert!(
        lines.iter().any(
            |l| l.contains("a live backup was asked for") && l.contains("\"id\":\"backup-77\"")
        ),
        "{lines:#?}"
    );
    for (said, id) in [
        ("sending is paused", "pause-9"),
        ("sending resumed", "resume-9"),
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.contains(said) && l.contains(&format!("\"id\":\"{id}\""))),
            "{said} with {id}: {lines:#?}"
        );
    }
}
