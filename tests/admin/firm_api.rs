//! What the settings page does besides its fields, through the JSON API with an admin token:
//! the logo uploaded as the request's body (checked, capped, served at `/firm/logo`) and a test
//! email queued to a member of staff.

use docket_engine::model::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{ADMIN, Admin, client};

fn put_logo(admin: &Admin, secret: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let answer = client()
        .put(admin.url("/api/settings/logo"))
        .bearer_auth(secret)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .unwrap();
    (answer.status(), answer.json().unwrap_or(Value::Null))
}

#[test]
fn an_admin_token_uploads_the_logo_as_the_body_and_bad_images_change_nothing() {
    let admin = Admin::start();
    let secret = admin.token(Role::Admin);
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[7u8; 300]].concat();
    let (status, body) = put_logo(&admin, &secret, png.clone());
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["logo_url"].as_str().unwrap().to_string();
    assert!(url.contains("/firm/logo?v="), "{url}");
    let served = client().get(admin.url("/firm/logo")).send().unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().unwrap().to_vec(), png);

    // Not an image, empty, or over 512 KiB: refused, the logo as it was.
    for (bytes, status, words) in [
        (
            b"GIF? no, text".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "PNG, JPEG, GIF or WebP",
        ),
        (
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "choose an image",
        ),
        (
            [b"\x89PNG\r\n\x1a\n".as_slice(), &vec![0u8; 600 * 1024]].concat(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "at most 512 KiB",
        ),
    ] {
        let (got, body) = put_logo(&admin, &secret, bytes);
        assert_eq!(got, status, "{body}");
        assert!(body["error"].as_str().unwrap().contains(words), "{body}");
        assert_eq!(admin.docket.firm_settings().unwrap().logo_url.unwrap(), url);
    }
    let served = client().get(admin.url("/firm/logo")).send().unwrap();
    assert_eq!(served.bytes().unwrap().to_vec(), png);
}

#[test]
fn an_admin_token_queues_a_test_email_to_a_member() {
    let admin = Admin::start();
    let secret = admin.token(Role::Admin);
    let before = admin.docket.outbox(None, 100).unwrap().len();
    let (status, body) = admin.api_with(
        &secret,
        Method::POST,
        "/settings/test-email",
        Some(json!({"to": ADMIN})),
    );
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["to"], ADMIN);
    let outbox = admin.docket.outbox(None, 100).unwrap();
    assert_eq!(outbox.len(), before + 1);
    assert!(
        outbox
            .iter()
            .any(|m| m.to == ADMIN && m.subject.as_deref().unwrap_or("").starts_with("Test email")),
        "{outbox:?}"
    );
    // Nobody of that name, or a body that is not the one asked for: refused, nothing queued.
    for (json, status) in [
        (json!({"to": "nobody@firm.example"}), StatusCode::NOT_FOUND),
        (
            json!({"to": ADMIN, "cc": "x@y.z"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (got, body) = admin.api_with(&secret, Method::POST, "/settings/test-email", Some(json));
        assert_eq!(got, status, "{body}");
    }
    assert_eq!(admin.docket.outbox(None, 100).unwrap().len(), before + 1);
}
