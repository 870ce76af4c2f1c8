//! The server as a user meets it, started as the real binary: the demo firm through the
//! authenticated API and the OpenAPI document it serves (here); the server on its data folder —
//! restarts, the lock, a crash, a live backup, a start refused or made without a bad plugin —
//! (`folder.rs`); comments and files through the API (`uploads.rs`); behind the shipped TLS
//! proxy (`proxy.rs`); a restored folder, which sends nothing until resumed (`restore.rs`); the
//! first start's setup address (`first_start.rs`); metrics, readiness and request ids
//! (`observe.rs`); what it writes readable by its owner only, and the log's variables
//! (`owner_only.rs`); the API keeping its contract under schemathesis (`contract.rs`); two
//! servers on one PostgreSQL database (`replicas.rs`), one of them killed again and again in a
//! burst of sends (`replicas_crash.rs`), a plugin installed through one served by both
//! (`replicas_plugins.rs`).

#[path = "../support/mod.rs"]
mod support;

mod contract;
mod first_start;
mod folder;
mod observe;
mod owner_only;
mod proxy;
mod replicas;
mod replicas_crash;
mod replicas_plugins;
mod restore;
mod uploads;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Server, http};

pub fn get(server: &Server, token: &str, path: &str) -> (StatusCode, Value) {
    let response = http()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .expect("request");
    let status = response.status();
    (status, response.json().unwrap_or(Value::Null))
}

#[test]
fn demo_firm_is_served_through_the_authenticated_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--demo"]);
    let token = server
        .banner_value("API token:")
        .expect("the demo prints an API token");
    assert!(
        server.banner_value("admin password:").is_some(),
        "the demo prints the admin password"
    );

    let health = http().get(server.url("/healthz")).send().unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().unwrap(), "ok");

    let (status, templates) = get(&server, &token, "/api/templates");
    assert_eq!(status, StatusCode::OK);
    let names: Vec<_> = templates
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.contains(&"Annual tax return".to_string())
            && names.contains(&"Monthly bookkeeping".to_string()),
        "{names:?}"
    );
    let (_, contacts) = get(&server, &token, "/api/contacts");
    assert_eq!(contacts.as_array().unwrap().len(), 3);
    let (_, work) = get(&server, &token, "/api/work");
    let mut statuses: Vec<_> = work
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["status"].as_str().unwrap().to_string())
        .collect();
    statuses.sort();
    assert_eq!(statuses, ["completed", "planned", "waiting_on_client"]);
    let (_, waiting) = get(&server, &token, "/api/work?status=waiting_on_client");
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    let id = waiting[0]["id"].as_str().unwrap();
    let (status, one) = get(&server, &token, &format!("/api/work/{id}"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["id"], waiting[0]["id"]);
    let (_, timeline) = get(&server, &token, &format!("/api/work/{id}/timeline"));
    assert!(timeline.as_array().unwrap().len() >= 3, "{timeline}");

    // Without a valid token: 401, and nothing is touched.
    let new_contact = json!({ "name": "Eve", "email": "eve@evil.example" });
    for auth in [None, Some("dkt_forged"), Some("not-even-a-docket-token")] {
        let mut request = http().post(server.url("/api/contacts")).json(&new_contact);
        if let Some(auth) = auth {
            request = request.bearer_auth(auth);
        }
        let response = request.send().unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(
            http().get(server.url("/api/work")).send().unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let (_, contacts) = get(&server, &token, "/api/contacts");
    assert_eq!(contacts.as_array().unwrap().len(), 3);

    // Bad input gets a clear error and changes nothing.
    let response = http()
        .post(server.url("/api/work"))
        .bearer_auth(&token)
        .json(&json!({ "template": "Annual tax return", "contacts": ["ann@archer-consulting.example"] }))
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().unwrap();
    assert_eq!(
        body["error"],
        "work from template `Annual tax return` needs a start date"
    );
    let (_, work) = get(&server, &token, "/api/work");
    assert_eq!(work.as_array().unwrap().len(), 3);
    // Malformed requests get the same JSON error shape as every other refusal.
    let malformed = http()
        .post(server.url("/api/contacts"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: Value = malformed.json().unwrap();
    assert!(body["error"].as_str().unwrap().contains("JSON"), "{body}");
    let unknown = http()
        .post(server.url("/api/contacts"))
        .bearer_auth(&token)
        .json(&json!({ "name": "X", "email": "x@y.example", "colour": "red" }))
        .send()
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = unknown.json().unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("the body has `colour`, which is not one of its fields"),
        "{body}"
    );
    let (status, body) = get(&server, &token, "/api/work?limit=lots");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("limit"), "{body}");
    let lower = http()
        .get(server.url("/api/work"))
        .header("authorization", format!("bearer {token}"))
        .send()
        .unwrap();
    assert_eq!(
        lower.status(),
        StatusCode::OK,
        "the auth scheme is case-insensitive"
    );
    let (status, _) = get(&server, &token, "/api/work/not-an-id");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = get(&server, &token, "/api/templates/No%20such");
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The served OpenAPI document is valid OpenAPI 3.1 by an independent validator
/// (`openapi-spec-validator`, from PyPI; installed into the target folder when python3 lacks it).
#[test]
fn the_served_openapi_document_passes_an_openapi_3_1_validator() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let document = http()
        .get(server.url("/api/openapi.json"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, &document).unwrap();
    let python = support::python::python_with(
        "openapi_spec_validator",
        "openapi-spec-validator",
        "OPENAPI_VALIDATOR_PYTHON",
    );
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import json, sys\n\
             from openapi_spec_validator import validate\n\
             from openapi_spec_validator.validation import OpenAPIV31SpecValidator\n\
             document = json.load(open(sys.argv[1]))\n\
             assert document['openapi'].startswith('3.1'), document['openapi']\n\
             validate(document, cls=OpenAPIV31SpecValidator)\n\
             print(len(document['paths']), 'paths valid')",
        ])
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "the OpenAPI document is not valid OpenAPI 3.1 (or the validator is missing: python3 -m pip install openapi-spec-validator):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
