//! Who reaches what: every `POST` needs the same origin, an archived contact loses access until
//! restored, and two recipients of one work item see nothing of each other.

use docket_engine::model::Actor;
use reqwest::StatusCode;

use super::{Portal, body, client, uploads};

#[test]
fn every_post_needs_the_same_origin() {
    let portal = Portal::start();
    let link = portal.link(0);
    let cookie = portal.bind(0);
    let done = format!("{}/tasks/2/done", portal.checklist(0));
    let cases: [(&str, Option<(&str, &str)>); 4] = [
        ("no origin at all", None),
        (
            "another site's origin",
            Some(("Origin", "https://evil.example")),
        ),
        ("a cross-site fetch", Some(("Sec-Fetch-Site", "cross-site"))),
        ("a sibling site", Some(("Sec-Fetch-Site", "same-site"))),
    ];
    for (what, header) in cases {
        let mut request = client().post(portal.url(&done)).header("Cookie", &cookie);
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        let response = request.send().unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{what}");
        let mut request = client().post(portal.url(&link));
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        assert_eq!(
            request.send().unwrap().status(),
            StatusCode::FORBIDDEN,
            "{what}"
        );
    }
    let work = portal.docket.work(portal.work).unwrap();
    assert!(work.groups[0].tasks[1].done_at.is_none(), "nothing changed");
    // A browser's own same-origin post goes through.
    let ok = client()
        .post(portal.url(&done))
        .header("Cookie", &cookie)
        .header("Sec-Fetch-Site", "same-origin")
        .send()
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
}

#[test]
fn an_archived_contact_loses_access_until_restored() {
    let portal = Portal::start();
    let cookie = portal.bind(0);
    let ann = portal.docket.work(portal.work).unwrap().groups[0].recipient;
    let (_, token) = portal
        .docket
        .create_api_token(
            "staff",
            docket_engine::model::Role::Admin,
            docket_engine::model::TokenCreator::CommandLine,
        )
        .unwrap();
    let archived = client()
        .post(portal.url(&format!("/api/contacts/{ann}/archive")))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(archived.status(), StatusCode::OK);
    // No more email to them: a resend is refused, a queued email is dropped.
    assert!(
        portal
            .docket
            .resend_group(portal.work, 0, Actor::System)
            .unwrap_err()
            .to_string()
            .contains("archived")
    );
    assert_eq!(
        portal.get(&portal.checklist(0), Some(&cookie)).status(),
        StatusCode::NOT_FOUND
    );
    // The landing page no longer names the work either.
    let landing = portal.get(&portal.link(0), None);
    assert_eq!(landing.status(), StatusCode::NOT_FOUND);
    assert!(!body(landing).contains("Your 2025 accounts"));
    let (page, _) = portal.open(&portal.link(0), Some(&cookie));
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let asked = portal.post(&format!("{}/new-link", portal.checklist(0)), None, &[]);
    assert_eq!(
        asked.status(),
        StatusCode::NOT_FOUND,
        "no link to an archived contact"
    );
    let restored = client()
        .post(portal.url(&format!("/api/contacts/{ann}/restore")))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(restored.status(), StatusCode::OK);
    assert_eq!(
        portal.get(&portal.checklist(0), Some(&cookie)).status(),
        StatusCode::OK
    );
}

#[test]
fn two_recipients_of_one_work_item_see_nothing_of_each_other() {
    let portal = Portal::start();
    let ann = portal.bind(0);
    let bob = portal.bind(1);
    let (ann_list, bob_list) = (portal.checklist(0), portal.checklist(1));
    portal.post(
        &format!("{ann_list}/tasks/2/comment"),
        Some(&ann),
        &[("body", "Ann private question")],
    );
    uploads::upload(
        &portal,
        &ann,
        &format!("{ann_list}/tasks/2/upload"),
        "ann-p60.pdf",
        b"%PDF-1.4 ann",
    );
    let posted = portal.post(
        &format!("{bob_list}/tasks/1/comment"),
        Some(&bob),
        &[("body", "Bob own note")],
    );
    assert_eq!(posted.status(), StatusCode::SEE_OTHER, "{}", body(posted));
    // Staff answer Ann on her task through the API.
    let (_, token) = portal
        .docket
        .create_api_token(
            "staff",
            docket_engine::model::Role::Admin,
            docket_engine::model::TokenCreator::CommandLine,
        )
        .unwrap();
    let answered = client()
        .post(portal.url(&format!("/api/work/{}/groups/0/comments", portal.work)))
        .bearer_auth(&token)
        .json(&serde_json::json!({"body": "For Ann only", "task": 1}))
        .send()
        .unwrap();
    assert_eq!(answered.status(), StatusCode::CREATED);
    // And Bob about his whole group.
    let general = client()
        .post(portal.url(&format!("/api/work/{}/groups/1/comments", portal.work)))
        .bearer_auth(&token)
        .json(&serde_json::json!({"body": "Thanks Bob, all received"}))
        .send()
        .unwrap();
    assert_eq!(general.status(), StatusCode::CREATED);
    let bob_html = body(portal.get(&bob_list, Some(&bob)));
    for secret in [
        "Ann private question",
        "ann-p60.pdf",
        "For Ann only",
        "P60",
        "Documents",
    ] {
        assert!(!bob_html.contains(secret), "Bob sees {secret}: {bob_html}");
    }
    assert!(bob_html.contains("Bob own note"));
    assert!(bob_html.contains("Messages from") && bob_html.contains("Thanks Bob, all received"));
    let ann_html = body(portal.get(&ann_list, Some(&ann)));
    for own in ["Ann private question", "ann-p60.pdf", "For Ann only"] {
        assert!(ann_html.contains(own), "Ann misses {own}");
    }
    assert!(
        !ann_html.contains("Bob own note")
            && !ann_html.contains("Pension letter")
            && !ann_html.contains("Thanks Bob")
    );
    // Neither device opens the other's group, nor writes to it: answered as for no such group.
    assert_eq!(
        portal.get(&bob_list, Some(&ann)).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        portal.get(&ann_list, Some(&bob)).status(),
        StatusCode::NOT_FOUND
    );
    let sneaky = portal.post(&format!("{ann_list}/tasks/1/done"), Some(&bob), &[]);
    assert_eq!(sneaky.status(), StatusCode::NOT_FOUND);
    // A comment from before groups (no group) on a two-group work item is staff-only.
    portal
        .docket
        .add_comment(
            portal.work,
            "Internal: check the bank feed",
            Actor::Api("staff".into()),
        )
        .unwrap();
    for (list, cookie) in [(&ann_list, &ann), (&bob_list, &bob)] {
        assert!(!body(portal.get(list, Some(cookie))).contains("Internal"));
    }
}
