//! Two servers on one PostgreSQL database, as an operator runs them behind a load balancer: what
//! is made through one is read and changed through the other, a duplicate is refused whichever
//! server it reaches, and an uploaded file stored through one downloads through the other.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::get;
use crate::support::pg_cluster::Cluster;
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

    assert!(a.stop().success());
    assert!(b.stop().success());
}
