//! How a staff comment reaches the client is said when it is posted: in the admin's notice and
//! the API's answer, never "by email" when no email will go.

use docket_engine::model::{Actor, NewWork, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Admin, STAFF, body, location};

#[test]
fn staff_are_told_how_a_comment_reaches_the_client() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let token = admin.token(Role::Staff);
    let id = admin.work;
    let reply = |id: docket_engine::model::WorkId| {
        let path = format!("/admin/work/{id}/groups/0/tasks/0/comment");
        let answer = admin.post(&path, &sam, &[("body", "Thanks, we have it")]);
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        let to = location(&answer);
        let page = body(admin.get(&to, Some(&sam)));
        (to, page)
    };

    // A sent group of open work: by email, in the digest.
    let (to, page) = reply(id);
    assert!(to.ends_with("notice=commented"), "{to}");
    assert!(
        page.contains(
            "The client gets it by email in about ten minutes, with any other comments you add meanwhile."
        ),
        "{page}"
    );
    let (status, posted) = admin.api_with(
        &token,
        Method::POST,
        &format!("/work/{id}/groups/0/comments"),
        Some(json!({"body": "And the P60?"})),
    );
    assert_eq!(status, StatusCode::CREATED, "{posted}");
    assert_eq!(posted["reaches_client"]["by"], "email", "{posted}");
    assert!(posted["reaches_client"]["at"].is_string(), "{posted}");
    assert_eq!(
        posted["body"], "And the P60?",
        "the comment's own fields: {posted}"
    );

    // A group not sent yet: on the checklist once sent, no email now.
    let unsent = admin
        .docket
        .create_work(
            NewWork {
                template: "Year end".into(),
                start_date: Some("2026-03-02".parse().unwrap()),
                contacts: vec!["ann@client.example".into()],
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id;
    let (to, page) = reply(unsent);
    assert!(to.ends_with("notice=commented-unsent"), "{to}");
    assert!(page.contains("this group is not sent yet"), "{page}");

    // Completed work: not emailed at all, and staff are told how to reach the client.
    admin.docket.complete_work(id, Actor::System).unwrap();
    let (to, page) = reply(id);
    assert!(to.ends_with("notice=commented-completed"), "{to}");
    assert!(
        page.contains("not emailed: the work is completed"),
        "{page}"
    );
    let (status, posted) = admin.api_with(
        &token,
        Method::POST,
        &format!("/work/{id}/comments"),
        Some(json!({"body": "Filed."})),
    );
    assert_eq!(status, StatusCode::CREATED, "{posted}");
    assert_eq!(
        posted["reaches_client"]["by"], "not_emailed_completed",
        "{posted}"
    );
}
