//! The JSON API as a whole, driven by its own OpenAPI document: the document lists exactly the
//! routes served (each documented operation is routed; no API source registers a route the
//! document cannot see), and every operation refuses a call without a token or with a wrong one
//! with 401, changing nothing.

use std::collections::BTreeSet;

use docket_engine::model::Role;
use reqwest::Method;
use reqwest::StatusCode;
use serde_json::Value;

use super::{Admin, client};

/// A ULID no record has.
const NOBODY: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

/// Each documented operation: its method and its path with every `{param}` filled with a value
/// of the right shape.
fn operations(document: &Value) -> Vec<(Method, String, String)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("a path item") {
            let method: Method = method.to_uppercase().parse().expect("an HTTP method");
            let concrete = path
                .split('/')
                .map(|segment| match segment {
                    "{group}" | "{task}" | "{n}" => "0",
                    "{action}" => "archive",
                    "{name_or_id}" | "{user}" => NOBODY,
                    s if s.starts_with('{') => NOBODY,
                    s => s,
                })
                .collect::<Vec<_>>()
                .join("/");
            found.push((method, path.clone(), concrete));
        }
    }
    found
}

fn document(admin: &Admin) -> Value {
    let answer = client().get(admin.url("/api/openapi.json")).send().unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "application/json");
    answer.json().unwrap()
}

/// The API's document as last reviewed; a change of the API is a change of this file, made on
/// purpose (`DOCKET_UPDATE_OPENAPI=1 cargo test --test admin openapi` rewrites it), so a
/// regrouping of the code can be shown to change nothing a client sees.
const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openapi.json");

#[test]
fn the_openapi_document_is_the_one_reviewed() {
    let admin = Admin::start();
    let served = serde_json::to_string_pretty(&document(&admin)).unwrap() + "\n";
    if std::env::var_os("DOCKET_UPDATE_OPENAPI").is_some() {
        std::fs::write(SNAPSHOT, &served).unwrap();
        return;
    }
    let reviewed = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    if served != reviewed {
        let first = served
            .lines()
            .zip(reviewed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(served.lines().count().min(reviewed.lines().count()));
        panic!(
            "the served OpenAPI document differs from {SNAPSHOT} from line {}: served `{}`, reviewed `{}`; if the API changed on purpose, rerun with DOCKET_UPDATE_OPENAPI=1 and review the diff",
            first + 1,
            served.lines().nth(first).unwrap_or(""),
            reviewed.lines().nth(first).unwrap_or("")
        );
    }
}

#[test]
fn the_openapi_document_describes_the_api_in_openapi_3_1() {
    let admin = Admin::start();
    let doc = document(&admin);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "Docket API");
    assert_eq!(
        doc["components"]["securitySchemes"]["api_token"]["scheme"],
        "bearer"
    );
    // Request and answer bodies are described, not only paths.
    let create_work = &doc["paths"]["/api/work"]["post"];
    assert_eq!(
        create_work["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/NewWork"
    );
    assert_eq!(
        create_work["responses"]["201"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/WorkItem"
    );
    for schema in ["WorkItem", "NewWork", "Contact", "Template", "ErrorBody"] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema} is described"
        );
    }
    // What could look broken is said: a token's last use lags by up to a minute; the send
    // time is HH:MM.
    let token = &doc["components"]["schemas"]["ApiToken"]["properties"];
    assert!(
        token["last_used_at"]["description"]
            .as_str()
            .is_some_and(
                |d| d.contains("up to\na minute behind") || d.contains("up to a minute behind")
            ),
        "{token}"
    );
    assert_eq!(
        doc["components"]["schemas"]["FirmSettings"]["properties"]["send_time"]["example"],
        "09:00"
    );
    // An `{action}` in a path lists its values, machine-readably.
    let send = &doc["paths"]["/api/work/{id}/groups/{group}/{action}"]["post"]["parameters"];
    let action = send
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "action")
        .unwrap();
    assert_eq!(action["schema"]["pattern"], "^(send|resend)$", "{action}");
    // Every operation but the document itself asks for a token and says what a refusal is.
    for (method, path, _) in operations(&doc) {
        let op = &doc["paths"][&path][method.as_str().to_lowercase()];
        if path == "/api/openapi.json" {
            continue;
        }
        assert_eq!(
            op["security"][0]["api_token"],
            serde_json::json!([]),
            "{method} {path} needs a token"
        );
        assert!(
            op["responses"]["401"].is_object(),
            "{method} {path} documents 401"
        );
    }
}

#[test]
fn the_openapi_document_lists_exactly_the_routes_served() {
    let admin = Admin::start();
    let doc = document(&admin);
    let (_, secret) = admin
        .docket
        .create_api_token(
            "everything",
            docket_engine::model::Role::Admin,
            docket_engine::model::TokenCreator::CommandLine,
        )
        .unwrap();
    let operations = operations(&doc);
    assert!(operations.len() >= 30, "{} operations", operations.len());
    // Each documented operation is served: the router answers it (a missing route is the
    // API's fallback, "no such API route", or a 405; a route's own 404 says what is missing).
    for (method, path, concrete) in &operations {
        let answer = client()
            .request(method.clone(), admin.url(concrete))
            .bearer_auth(&secret)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .unwrap();
        let status = answer.status();
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is documented but not routed"
        );
        if status == StatusCode::NOT_FOUND {
            let body: Value = answer
                .json()
                .unwrap_or_else(|_| panic!("{method} {path} is documented but not routed"));
            assert!(body["error"].is_string(), "{method} {path}: {body}");
            assert!(
                !body["error"]
                    .as_str()
                    .unwrap()
                    .starts_with("no such API route"),
                "{method} {path} is documented but not routed: {body}"
            );
        }
    }
    // And nothing is served that the document cannot see: every API route is registered
    // through `routes!`, which documents it; no API source adds a route another way.
    let api_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("portal/src/api");
    let mut sources = Vec::new();
    let mut folders = vec![api_dir.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                sources.push(path);
            }
        }
    }
    assert!(sources.len() >= 10, "{sources:?}");
    sources.push(api_dir.join("../openapi.rs"));
    for file in sources {
        let text = std::fs::read_to_string(&file)
            .unwrap()
            .replace("OpenApiRouter::new()", "");
        for undocumented in [
            ".route(",
            ".route_service(",
            ".nest_service(",
            "Router::new()",
            "axum::routing",
        ] {
            assert!(
                !text.contains(undocumented),
                "{} registers a route with `{undocumented}`, which the OpenAPI document cannot see",
                file.display()
            );
        }
    }
    // The router serves nothing under /api but the documented paths: a few neighbours of real
    // paths are not routes.
    let documented: BTreeSet<_> = operations.iter().map(|(_, p, _)| p.clone()).collect();
    for stray in [
        "/api",
        "/api/",
        "/api/works",
        "/api/work/x/y/z/w/v",
        "/api/openapi",
    ] {
        assert!(!documented.contains(stray));
        let answer = client()
            .get(admin.url(stray))
            .bearer_auth(&secret)
            .send()
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{stray}");
        let body: Value = answer.json().unwrap();
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .starts_with("no such API route: GET "),
            "{stray}: {body}"
        );
    }
}

#[test]
fn every_operation_refuses_a_call_without_a_valid_token_and_changes_nothing() {
    let admin = Admin::start();
    let doc = document(&admin);
    let generation = admin.docket.store().generation();
    for (method, path, concrete) in operations(&doc) {
        if path == "/api/openapi.json" {
            continue;
        }
        for token in [None, Some("dkt_not-a-token"), Some("")] {
            let mut request = client()
                .request(method.clone(), admin.url(&concrete))
                .header("content-type", "application/json")
                .body(r#"{"name": "Mallory", "email": "m@example.com"}"#);
            if let Some(token) = token {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            let answer = request.send().unwrap();
            assert_eq!(
                answer.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {token:?}"
            );
            assert_eq!(answer.headers()["www-authenticate"], "Bearer");
            let body: Value = answer.json().unwrap();
            assert!(body["error"].as_str().unwrap().contains("API token"));
        }
    }
    assert_eq!(
        admin.docket.store().generation(),
        generation,
        "a refused call changed the store"
    );
}

#[test]
fn revoked_tokens_and_staff_tokens_on_admin_operations_are_refused_and_change_nothing() {
    let admin = Admin::start();
    let doc = document(&admin);
    let (old, revoked) = admin
        .docket
        .create_api_token(
            "retired script",
            Role::Admin,
            docket_engine::model::TokenCreator::CommandLine,
        )
        .unwrap();
    admin.docket.revoke_api_token(old.id).unwrap();
    let (_, staff) = admin
        .docket
        .create_api_token(
            "staff script",
            Role::Staff,
            docket_engine::model::TokenCreator::CommandLine,
        )
        .unwrap();
    // The staff token works where staff may go (its first use is recorded, once a minute).
    let firm = client()
        .get(admin.url("/api/firm"))
        .bearer_auth(&staff)
        .send()
        .unwrap();
    assert_eq!(firm.status(), StatusCode::OK);
    let generation = admin.docket.store().generation();
    let mut admin_only = BTreeSet::new();
    for (method, path, concrete) in operations(&doc) {
        if path == "/api/openapi.json" {
            continue;
        }
        let call = |secret: &str| {
            client()
                .request(method.clone(), admin.url(&concrete))
                .bearer_auth(secret)
                .header("content-type", "application/json")
                .body(r#"{"name": "Mallory", "role": "admin"}"#)
                .send()
                .unwrap()
        };
        let answer = call(&revoked);
        assert_eq!(
            answer.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path} with a revoked token"
        );
        // The document says which operations need an admin token; each refuses a staff one.
        let op = &doc["paths"][&path][method.as_str().to_lowercase()];
        if op["responses"]["403"].is_object() {
            let answer = call(&staff);
            assert_eq!(
                answer.status(),
                StatusCode::FORBIDDEN,
                "{method} {path} with a staff token"
            );
            let body: Value = answer.json().unwrap();
            assert!(
                body["error"].as_str().unwrap().contains("admin"),
                "{method} {path}: {body}"
            );
            admin_only.insert(path);
        }
    }
    for must in ["/api/backup", "/api/settings", "/api/tokens", "/api/users"] {
        assert!(
            admin_only.contains(must),
            "{must} is not admin-only: {admin_only:?}"
        );
    }
    assert_eq!(
        admin.docket.store().generation(),
        generation,
        "a refused call changed the store"
    );
}

#[test]
fn every_api_answer_says_no_store() {
    let admin = Admin::start();
    let doc = document(&admin);
    let root = admin.api_secret(Role::Admin);
    let no_store = |answer: &reqwest::blocking::Response, what: &str| {
        assert_eq!(
            answer
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what} answered {} without no-store",
            answer.status()
        );
    };
    let mut answered = BTreeSet::new();
    for (method, path, concrete) in operations(&doc) {
        // Every operation: refused without a token, and with a token its reads.
        let answer = client()
            .request(method.clone(), admin.url(&concrete))
            .send()
            .unwrap();
        no_store(&answer, &format!("{method} {path} without a token"));
        if method == Method::GET {
            let answer = client()
                .get(admin.url(&concrete))
                .bearer_auth(&root)
                .send()
                .unwrap();
            answered.insert(answer.status().as_u16());
            no_store(&answer, &format!("GET {path}"));
        }
    }
    assert!(
        answered.contains(&200) && answered.contains(&404),
        "{answered:?}"
    );
    // The one answer that carries a token's secret.
    let made = client()
        .post(admin.url("/api/tokens"))
        .bearer_auth(&root)
        .json(&serde_json::json!({"name": "cached?", "role": "staff"}))
        .send()
        .unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    no_store(&made, "POST /api/tokens");
    // What no route serves, and a method a route does not take.
    let unrouted = client().get(admin.url("/api/nothing")).send().unwrap();
    assert_eq!(unrouted.status(), StatusCode::NOT_FOUND);
    no_store(&unrouted, "an unrouted path");
    let wrong = client()
        .delete(admin.url("/api/tokens"))
        .bearer_auth(&root)
        .send()
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    no_store(&wrong, "DELETE /api/tokens");
    // The health check is not the API and may be cached as before.
    let health = client().get(admin.url("/healthz")).send().unwrap();
    assert!(health.headers().get("cache-control").is_none());
}

#[test]
fn a_body_must_be_a_json_object_sent_as_json() {
    let admin = Admin::start();
    let root = admin.api_secret(Role::Admin);
    // The token's first use is recorded; after it, a refused call writes nothing.
    let (status, _) = admin.api_with(&root, Method::GET, "/firm", None);
    assert_eq!(status, StatusCode::OK);
    let generation = admin.docket.store().generation();
    // serde reads a struct from an array, field by field: `[null, null]` was an empty change.
    for (body, content_type, status, says) in [
        ("[null, null]", "application/json", 422, "JSON object"),
        ("[]", "application/json", 422, "JSON object"),
        ("\"name\"", "application/json", 422, "JSON object"),
        (
            "{\"name\": \"Acme\"",
            "application/json",
            400,
            "not valid JSON",
        ),
        ("{}", "text/plain", 415, "Content-Type: application/json"),
    ] {
        let answer = client()
            .patch(admin.url("/api/settings"))
            .bearer_auth(&root)
            .header("content-type", content_type)
            .body(body)
            .send()
            .unwrap();
        assert_eq!(answer.status().as_u16(), status, "{body} as {content_type}");
        let error: Value = answer.json().unwrap();
        assert!(
            error["error"].as_str().unwrap().contains(says),
            "{body}: {error}"
        );
    }
    assert_eq!(
        admin.docket.store().generation(),
        generation,
        "nothing changed"
    );
    // A JSON type of its own (`application/merge-patch+json`, say) is JSON too.
    let answer = client()
        .patch(admin.url("/api/settings"))
        .bearer_auth(&root)
        .header("content-type", "application/merge-patch+json")
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
}
