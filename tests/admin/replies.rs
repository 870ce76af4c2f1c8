//! Unmatched replies by email: listed on the Replies page (reachable from every page's
//! navigation) with why they matched nothing, attached to a work item's group or discarded
//! there or through the JSON API; and the reply mailbox's failure shown on the page.

use docket_engine::docket::Received;
use reqwest::StatusCode;
use serde_json::Value;

use super::{Admin, STAFF, body, client, location};

fn unmatched(admin: &Admin, from: &str, id: &str, text: &str) -> String {
    let raw = format!(
        "From: {from}\r\nTo: office@firm.example\r\nSubject: Re: Documents\r\nMessage-ID: <{id}@x>\r\n\r\n{text}\r\n"
    );
    match admin.docket.receive_reply(raw.as_bytes()).unwrap() {
        Received::Unmatched { id, .. } => id.to_string(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn staff_attach_or_discard_unmatched_replies() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let home = body(admin.get("/admin", Some(&sam)));
    assert!(
        home.contains("href=\"/admin/replies\""),
        "in the navigation"
    );
    let empty = body(admin.get("/admin/replies", Some(&sam)));
    assert!(empty.contains("No unmatched replies."), "{empty}");
    // This firm has no `[inbound]`: the page says so, and where to read how.
    assert!(
        empty.contains("Replies by email are not set up") && empty.contains("Replies by email”"),
        "{empty}"
    );

    let first = unmatched(
        &admin,
        "jo@elsewhere.example",
        "one",
        "My P60 is attached & signed.",
    );
    let second = unmatched(&admin, "spam@elsewhere.example", "two", "Buy now");
    let page = body(admin.get("/admin/replies", Some(&sam)));
    assert!(page.contains("jo@elsewhere.example"), "{page}");
    assert!(page.contains("My P60 is attached &amp; signed."), "{page}");
    assert!(page.contains("sent to no request"), "{page}");

    let answer = admin.post(
        &format!("/admin/replies/{first}/attach"),
        &sam,
        &[("work", &admin.work.to_string()), ("group", "1")],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/admin/replies?done=attached");
    let comments = admin.docket.comments(admin.work).unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(
        comments[0].body,
        "Email from jo@elsewhere.example:\nMy P60 is attached & signed."
    );
    // A bad work id is refused, naming the field; nothing changes.
    let refused = admin.post(
        &format!("/admin/replies/{second}/attach"),
        &sam,
        &[("work", "nonsense"), ("group", "1")],
    );
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(body(refused).contains("Work:"));

    // A group the work does not have is refused in each one's numbering: from 1 in the
    // form, from 0 in the API; nothing changes.
    let groups = admin.docket.work(admin.work).unwrap().groups.len();
    let refused = admin.post(
        &format!("/admin/replies/{second}/attach"),
        &sam,
        &[
            ("work", &admin.work.to_string()),
            ("group", &(groups + 1).to_string()),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = body(refused);
    assert!(
        said.contains(&format!("has no group {}", groups + 1)),
        "{said}"
    );
    let secret = admin.api_secret(docket_engine::model::Role::Staff);
    let refused = client()
        .post(admin.url(&format!("/api/replies/unmatched/{second}/attach")))
        .bearer_auth(&secret)
        .json(&serde_json::json!({"work": admin.work.to_string(), "group": groups + 4}))
        .send()
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = refused.text().unwrap();
    assert!(
        said.contains(&format!("has no group {}", groups + 4))
            && !said.contains(&format!("has no group {}", groups + 5)),
        "{said}"
    );
    assert_eq!(admin.docket.unmatched_replies().unwrap().len(), 1);

    // The API lists the one left and discards it.
    let listed: Value = client()
        .get(admin.url("/api/replies/unmatched"))
        .bearer_auth(&secret)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(listed["replies"].as_array().unwrap().len(), 1);
    assert_eq!(listed["replies"][0]["from"], "spam@elsewhere.example");
    let gone = client()
        .delete(admin.url(&format!("/api/replies/unmatched/{second}")))
        .bearer_auth(&secret)
        .send()
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert!(admin.docket.unmatched_replies().unwrap().is_empty());
    let again = client()
        .delete(admin.url(&format!("/api/replies/unmatched/{second}")))
        .bearer_auth(&secret)
        .send()
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);

    // A mailbox that cannot be read is said on the page until it answers again.
    assert!(
        admin
            .docket
            .inbound_failed("imap.firm.example refused the login")
            .unwrap()
    );
    assert!(
        !admin
            .docket
            .inbound_failed("imap.firm.example refused the login")
            .unwrap(),
        "once"
    );
    let failing = body(admin.get("/admin/replies", Some(&sam)));
    assert!(failing.contains("cannot be read since"), "{failing}");
    assert!(failing.contains("refused the login"));
    admin.docket.inbound_answered().unwrap();
    assert!(!body(admin.get("/admin/replies", Some(&sam))).contains("cannot be read since"));
}
