//! What a new user hit, each fixed: a query string an admin page cannot read, the API's serde
//! words and its bare 404 and 405, the work list's filter messages, archived templates offered
//! for new work, an extra contact silently dropped.

use reqwest::StatusCode;
use serde_json::Value;

use super::{Admin, STAFF, body, client};

fn token(admin: &Admin) -> String {
    admin
        .docket
        .create_api_token(
            "tests",
            docket_engine::model::Role::Admin,
            docket_engine::model::TokenCreator::CommandLine,
        )
        .unwrap()
        .1
}

#[test]
fn a_query_string_an_admin_page_cannot_read_is_said_plainly_in_the_layout() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    for (path, said) in [
        (
            "/admin/work?status=waiting_on_client&status=planned",
            "The address (after “?”) gives “status” more than once; give it once.",
        ),
        (
            "/admin/inbox?marked=two",
            "“marked” in the address (after “?”) is not a whole number.",
        ),
    ] {
        let answer = admin.get(path, Some(&sam));
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(
            answer.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        let page = body(answer);
        assert!(page.contains(said), "{path}: {page}");
        assert!(page.contains("Sign out"), "the layout: {page}");
        assert!(!page.contains("Failed to deserialize"), "{page}");
    }
}

#[test]
fn api_bodies_and_query_strings_that_cannot_be_read_are_said_plainly() {
    let admin = Admin::start();
    let secret = token(&admin);
    let tokens = admin.docket.list_api_tokens().unwrap().len();
    let post = |path: &str, body: &str| {
        let answer = client()
            .post(admin.url(path))
            .bearer_auth(&secret)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap();
        let status = answer.status();
        let value: Value = answer.json().unwrap();
        (
            status,
            value["error"].as_str().unwrap_or_default().to_string(),
        )
    };
    for (path, sent, status, said) in [
        (
            "/api/tokens",
            r#"{"name":"x"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body is missing `role`",
        ),
        (
            "/api/tokens",
            r#"{"name":"x","role":"boss"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "`role` in the body is `boss`, which is not one of",
        ),
        (
            "/api/contacts",
            r#"{"name":"X","email":"x@y.example","colour":"red"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body has `colour`, which is not one of its fields",
        ),
        (
            "/api/tokens",
            r#"{"name":"#,
            StatusCode::BAD_REQUEST,
            "the body is not valid JSON",
        ),
    ] {
        let (got, error) = post(path, sent);
        assert_eq!(got, status, "{sent}: {error}");
        assert!(error.contains(said), "{sent}: {error}");
        for internal in [
            "Failed to",
            "deserialize",
            "target type",
            "at line 1 column",
        ] {
            assert!(!error.contains(internal), "{sent}: {error}");
        }
    }
    let answer = client()
        .get(admin.url("/api/work?status=planned&status=completed"))
        .bearer_auth(&secret)
        .send()
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let value: Value = answer.json().unwrap();
    assert_eq!(
        value["error"],
        "the query string (after `?`) gives `status` more than once; give it once"
    );
    let answer = client()
        .delete(admin.url("/api/templates/Year%20end/groups/first/tasks/0/documents/0"))
        .bearer_auth(&secret)
        .send()
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let value: Value = answer.json().unwrap();
    assert_eq!(
        value["error"],
        "`group` in the path is `first`, which is not a whole number"
    );
    // Nothing was made.
    assert_eq!(admin.docket.list_api_tokens().unwrap().len(), tokens);
}

#[test]
fn unknown_api_paths_and_methods_answer_json_saying_so() {
    let admin = Admin::start();
    let secret = token(&admin);
    for (method, path) in [
        (reqwest::Method::GET, "/api/works"),
        (reqwest::Method::POST, "/api/work/x/y/z/w/v"),
        (reqwest::Method::GET, "/api"),
    ] {
        let answer = client()
            .request(method.clone(), admin.url(path))
            .bearer_auth(&secret)
            .send()
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
        let value: Value = answer.json().unwrap();
        assert_eq!(
            value["error"],
            format!(
                "no such API route: {method} {path}; the routes are listed at /api/openapi.json"
            )
        );
    }
    let answer = client()
        .delete(admin.url("/api/work"))
        .bearer_auth(&secret)
        .send()
        .unwrap();
    assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = answer.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let value: Value = answer.json().unwrap();
    let error = value["error"].as_str().unwrap();
    assert!(
        error.starts_with("/api/work does not take DELETE; it takes ")
            && error.contains("GET")
            && error.contains("POST"),
        "{error}"
    );
    // Outside the API a missing page stays a plain 404.
    let answer = client().get(admin.url("/nowhere")).send().unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert!(body(answer).is_empty());
}

#[test]
fn new_work_offers_live_templates_and_says_where_an_archived_one_is_restored() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let template = admin.docket.find_template("Year end").unwrap().id;
    admin.docket.archive_template("Year end").unwrap();
    let page = body(admin.get("/admin/work/new", Some(&sam)));
    assert!(!page.contains(&format!("value=\"{template}\"")), "{page}");
    let count = || {
        admin
            .docket
            .list_work(&Default::default(), None, 100)
            .unwrap()
            .len()
    };
    let before = count();
    let id = template.to_string();
    let answer = admin.post(
        "/admin/work/new",
        &sam,
        &[
            ("template", &id),
            ("start_date", "2026-03-02"),
            ("contact_0", "ann@client.example"),
        ],
    );
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(answer);
    assert!(
        page.contains("“Year end” is archived, so no work is made from it"),
        "{page}"
    );
    assert!(
        page.contains(&format!("<a href=\"/admin/templates/{template}#state\">")),
        "{page}"
    );
    assert!(!page.contains("docket template restore"), "{page}");
    assert_eq!(count(), before);
    // Chosen by its address, the same.
    let answer = admin.get(&format!("/admin/work/new?template={template}"), Some(&sam));
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(answer);
    assert!(page.contains("is archived"), "{page}");
    assert!(!page.contains("contact_0"), "no form for it: {page}");
}

#[test]
fn a_contact_for_a_group_the_template_lacks_is_refused_next_to_the_contacts() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let template = admin
        .docket
        .find_template("Year end")
        .unwrap()
        .id
        .to_string();
    let count = || {
        admin
            .docket
            .list_work(&Default::default(), None, 100)
            .unwrap()
            .len()
    };
    let before = count();
    for extra in ["contact_1", "contact_2"] {
        let answer = admin.post(
            "/admin/work/new",
            &sam,
            &[
                ("template", &template),
                ("start_date", "2026-03-02"),
                ("contact_0", "ann@client.example"),
                (extra, "bob@client.example"),
            ],
        );
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY, "{extra}");
        let page = body(answer);
        assert!(
            page.contains(&format!(
                "id=\"contact_0-error\">This template has 1 group, one contact each; the form also gave “{extra}” (“bob@client.example”), which belongs to no group. Remove it."
            )),
            "{page}"
        );
        assert!(page.contains("value=\"ann@client.example\""), "{page}");
        assert_eq!(count(), before);
    }
}

#[test]
fn an_assignee_that_is_neither_an_id_nor_an_email_is_echoed_as_typed() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let template = admin
        .docket
        .find_template("Year end")
        .unwrap()
        .id
        .to_string();
    let answer = admin.post(
        "/admin/work/new",
        &sam,
        &[
            ("template", &template),
            ("start_date", "2026-03-02"),
            ("assignee", "NOPE"),
            ("contact_0", "ann@client.example"),
        ],
    );
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(answer);
    assert!(
        page.contains("No staff member has the id or email “NOPE”"),
        "{page}"
    );
    assert!(!page.contains("“nope”"), "{page}");
}
