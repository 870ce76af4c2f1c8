//! A work item edited through the API: its settings, tasks, recipients and files, and who may.

use docket_engine::model::{Actor, Role};
use reqwest::StatusCode;
use serde_json::Value;

use super::{Admin, client};

#[test]
fn the_api_edits_work_its_tasks_recipients_and_files() {
    let admin = Admin::start();
    let id = admin.work;
    let secret = admin.api_secret(Role::Admin);
    let call = |method: reqwest::Method, path: &str, body: Option<Value>, token: Option<&str>| {
        let mut request = client().request(method, admin.url(&format!("/api/work/{id}{path}")));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().unwrap();
        let status = response.status();
        (status, response.json::<Value>().unwrap_or(Value::Null))
    };
    use reqwest::Method;
    let t = Some(secret.as_str());
    let (status, work) = call(
        Method::PATCH,
        "",
        Some(serde_json::json!({"external_name": "Your accounts", "assignee": ""})),
        t,
    );
    assert_eq!(status, StatusCode::OK, "{work}");
    assert_eq!(work["external_name"], "Your accounts");
    assert_eq!(work["assignee"], Value::Null);
    let (status, work) = call(
        Method::POST,
        "/groups/0/tasks",
        Some(serde_json::json!({"title": "Rent", "due_date": "2026-03-30"})),
        t,
    );
    assert_eq!(status, StatusCode::CREATED, "{work}");
    assert_eq!(work["groups"][0]["tasks"][2]["title"], "Rent");
    let (status, work) = call(
        Method::PATCH,
        "/groups/0/tasks/2",
        Some(serde_json::json!({"due_date": "2026-04-02"})),
        t,
    );
    assert_eq!(status, StatusCode::OK, "{work}");
    assert_eq!(work["groups"][0]["tasks"][2]["due_date"], "2026-04-02");
    let (status, answer) = call(
        Method::PATCH,
        "/groups/0/tasks/2",
        Some(serde_json::json!({"due_date": "2 April"})),
        t,
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("due_date: 2 April is not a date: write it as YYYY-MM-DD")
    );
    let (status, answer) = call(
        Method::PUT,
        "/groups/0/recipient",
        Some(serde_json::json!({"contact": "nobody@client.example"})),
        t,
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (status, work) = call(Method::POST, "/complete", None, t);
    assert_eq!(status, StatusCode::OK, "{work}");
    assert_eq!(work["status"], "completed");
    let (status, _) = call(Method::POST, "/complete", None, t);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, work) = call(Method::POST, "/reopen", None, t);
    assert_eq!(status, StatusCode::OK, "{work}");
    assert_eq!(work["status"], "waiting_on_client");
    let file = admin
        .docket
        .add_file(
            id,
            docket_engine::docket::NewUpload {
                name: "x.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF x".to_vec(),
                task: None,
            },
            Actor::System,
        )
        .unwrap();
    let (status, removed) = call(Method::DELETE, &format!("/files/{}", file.id), None, t);
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert_eq!(removed["name"], "x.pdf");
    let (status, _) = call(Method::DELETE, &format!("/files/{}", file.id), None, t);
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A send may rename the work as the client will see it, in the same change.
    let planned = admin.planned_work();
    let response = client()
        .post(admin.url(&format!("/api/work/{planned}/groups/0/send")))
        .bearer_auth(&secret)
        .json(&serde_json::json!({"external_name": "Your VAT return"}))
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let sent: Value = response.json().unwrap();
    assert_eq!(sent["external_name"], "Your VAT return");
    assert!(sent["groups"][0]["sent_at"].is_string());
    let response = client()
        .post(admin.url(&format!("/api/work/{planned}/groups/0/resend")))
        .bearer_auth(&secret)
        .json(&serde_json::json!({"external_name": ""}))
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(admin.docket.work(planned).unwrap().groups[0].sends, 1);

    // Without a token, or with a revoked one: refused, nothing changed.
    let before = admin.docket.work(id).unwrap();
    let (status, _) = call(Method::POST, "/complete", None, None);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(
        Method::PATCH,
        "",
        Some(serde_json::json!({"external_name": "Hacked"})),
        Some("not-a-token"),
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(admin.docket.work(id).unwrap(), before);
}
