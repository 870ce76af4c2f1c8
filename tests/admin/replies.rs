//! Unmatched replies by email: listed on the Replies page (reachable from every page's
//! navigation) with why they matched nothing, attached to a work item's group or discarded
//! there or through the JSON API; and the reply mailbox's failure shown on the page.

use docket_engine::docket::Received;
use docket_engine::model::{Actor, NewContact, NewWork};
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

    assert!(
        page.contains(&format!("href=\"/admin/replies/{first}/attach\"")),
        "{page}"
    );
    // A stranger's email: the picker warns that the client will read it, sender and all.
    let picker = body(admin.get(&format!("/admin/replies/{first}/attach"), Some(&sam)));
    assert!(picker.contains("The client will read it."), "{picker}");
    let answer = admin.post(
        &format!("/admin/replies/{first}/attach"),
        &sam,
        &[("choice", &format!("{}/1", admin.work))],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/admin/replies?done=attached");
    // Submitted twice (a double click, a page left open): back to the list, saying where the
    // reply went, and nothing attached twice.
    let twice = admin.post(
        &format!("/admin/replies/{first}/attach"),
        &sam,
        &[("choice", &format!("{}/1", admin.work))],
    );
    assert_eq!(twice.status(), StatusCode::SEE_OTHER);
    let back = location(&twice);
    let said = body(admin.get(&back, Some(&sam)));
    let title = admin.docket.work(admin.work).unwrap().title;
    assert!(
        said.contains(&format!("This reply was already attached to “{title}”."))
            || said.contains(&format!(
                "This reply was already attached to “{}”.",
                title.replace('&', "&amp;").replace('\'', "&#x27;")
            )),
        "{said}"
    );
    assert!(!said.contains("not found"), "{said}");
    let picker = admin.get(&format!("/admin/replies/{first}/attach"), Some(&sam));
    assert_eq!(picker.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&picker), back);
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
        &[("choice", "nonsense")],
    );
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(body(refused).contains("Work:"));

    // A group the work does not have is refused in each one's numbering: from 1 in the
    // form, from 0 in the API; nothing changes.
    let groups = admin.docket.work(admin.work).unwrap().groups.len();
    let refused = admin.post(
        &format!("/admin/replies/{second}/attach"),
        &sam,
        &[("choice", &format!("{}/{}", admin.work, groups + 1))],
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
    // This firm has no `[inbound]`: the API says so, as the page does.
    assert_eq!(listed["setup"], "not_set_up", "{listed}");
    assert!(listed["reply_address"].is_null(), "{listed}");
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
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(
        again
            .text()
            .unwrap()
            .contains("this reply was already discarded"),
        "not a bare not found"
    );

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
    // ... and through the API, with the mailbox's last failure.
    let listed: Value = client()
        .get(admin.url("/api/replies/unmatched"))
        .bearer_auth(&secret)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        listed["mailbox"]["error"], "imap.firm.example refused the login",
        "{listed}"
    );
    assert!(listed["mailbox"]["failing_since"].is_string(), "{listed}");
    admin.docket.inbound_answered().unwrap();
    assert!(!body(admin.get("/admin/replies", Some(&sam))).contains("cannot be read since"));
}

const PAYROLL: &str = r#"
name = "Payroll"
[[groups]]
name = "Employer"
[[groups.tasks]]
title = "Timesheets"
due = 7
[[groups]]
name = "Accountant"
[[groups.tasks]]
title = "Journal"
due = 7
"#;

/// Staff choose where a reply goes instead of typing a work id: the sender's open work first,
/// their own group chosen; a search among open work by client or title; completed work neither
/// offered nor accepted (409 in the page and the API).
#[test]
fn staff_pick_open_work_for_a_reply_and_completed_work_is_refused() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let d = &admin.docket;
    d.create_contact(
        NewContact {
            name: "Bob Baker".into(),
            email: "bob@client.example".into(),
            timezone: None,
            locale: None,
        },
        Actor::System,
    )
    .unwrap();
    d.import_template(PAYROLL).unwrap();
    let make = |template: &str, title: &str, contacts: &[&str]| {
        d.create_work(
            NewWork {
                template: template.into(),
                title: Some(title.into()),
                start_date: Some("2026-03-09".parse().unwrap()),
                contacts: contacts.iter().map(|c| c.to_string()).collect(),
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id
    };
    let done = make(
        "Year end",
        "Archer — 2024 accounts",
        &["ann@client.example"],
    );
    d.complete_work(done, Actor::System).unwrap();
    // Bob is the employer, Ann the accountant.
    let payroll = make(
        "Payroll",
        "Baker payroll March",
        &["bob@client.example", "ann@client.example"],
    );

    // A reply from Ann's address to no request's reply address.
    let from_ann = unmatched(&admin, "Ann@Client.example", "ann", "March figures");
    let list = body(admin.get("/admin/replies", Some(&sam)));
    assert!(!list.contains("Work id"), "no raw work id to type: {list}");
    let pick = admin.get(&format!("/admin/replies/{from_ann}/attach"), Some(&sam));
    assert_eq!(pick.status(), StatusCode::OK);
    let pick = body(pick);
    assert!(
        pick.contains("Open work of Ann Archer, the sender"),
        "{pick}"
    );
    assert!(pick.contains("Archer — 2025 accounts") && pick.contains("Baker payroll March"));
    assert!(
        !pick.contains("2024 accounts"),
        "completed work is not offered: {pick}"
    );
    assert!(!pick.contains(&done.to_string()), "{pick}");
    // Payroll is the newest: Ann's own group of it (the second) is chosen.
    assert!(
        pick.contains(&format!("value=\"{payroll}/2\" checked")),
        "{pick}"
    );
    assert!(pick.contains(&format!("value=\"{payroll}/1\"")), "{pick}");
    assert!(pick.contains("(the sender)"), "{pick}");
    // Payroll was never sent: its groups are for their contacts, not "sent to" them.
    assert!(
        pick.contains("Employer — for <bdi>Bob Baker (bob@client.example)</bdi>, not sent yet"),
        "{pick}"
    );
    assert!(!pick.contains("Employer — sent to"), "{pick}");

    // Someone who is no contact: the search finds open work by client or title.
    let stranger = unmatched(&admin, "office@baker.example", "baker", "Hours attached");
    let pick = body(admin.get(&format!("/admin/replies/{stranger}/attach"), Some(&sam)));
    assert!(pick.contains("Find the work to attach it to"), "{pick}");
    let found = body(admin.get(
        &format!("/admin/replies/{stranger}/attach?q=baker"),
        Some(&sam),
    ));
    assert!(found.contains("Open work matching “baker”"), "{found}");
    assert!(found.contains(&format!("value=\"{payroll}/1\"")), "{found}");
    let found = body(admin.get(
        &format!("/admin/replies/{stranger}/attach?q=archer"),
        Some(&sam),
    ));
    assert!(
        found.contains(&format!("value=\"{}/1\"", admin.work)),
        "{found}"
    );
    assert!(!found.contains(&done.to_string()), "{found}");
    let none = body(admin.get(
        &format!("/admin/replies/{stranger}/attach?q=2024"),
        Some(&sam),
    ));
    assert!(none.contains("No open work matches “2024”"), "{none}");

    // Completed work is refused, by the page and the API, with a clear message; nothing changes.
    let refused = admin.post(
        &format!("/admin/replies/{stranger}/attach"),
        &sam,
        &[("choice", &format!("{done}/1")), ("q", "baker")],
    );
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let said = body(refused);
    assert!(
        said.contains("“Archer — 2024 accounts” is completed"),
        "{said}"
    );
    assert!(
        said.contains(&format!("/admin/replies/{stranger}/attach?q=baker")),
        "back to the choice: {said}"
    );
    let secret = admin.api_secret(docket_engine::model::Role::Staff);
    let refused = client()
        .post(admin.url(&format!("/api/replies/unmatched/{stranger}/attach")))
        .bearer_auth(&secret)
        .json(&serde_json::json!({"work": done.to_string(), "group": 0}))
        .send()
        .unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().unwrap().contains("is completed"));
    assert_eq!(d.unmatched_replies().unwrap().len(), 2);
    assert!(d.comments(done).unwrap().is_empty());

    // The API offers the same choices.
    let choices: Value = client()
        .get(admin.url(&format!("/api/replies/unmatched/{from_ann}/choices")))
        .bearer_auth(&secret)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(choices["sender"]["name"], "Ann Archer", "{choices}");
    let offered: Vec<&str> = choices["sender_work"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        offered,
        [payroll.to_string(), admin.work.to_string()],
        "{choices}"
    );
    assert_eq!(choices["first"]["group"], 1, "{choices}");

    // Ann's reply goes to her group of the payroll, as her own comment.
    let answer = admin.post(
        &format!("/admin/replies/{from_ann}/attach"),
        &sam,
        &[("choice", &format!("{payroll}/2"))],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let comments = d.comments(payroll).unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].body, "March figures");
    assert_eq!(comments[0].group, Some(1));
    assert!(matches!(comments[0].author, Actor::Contact(_)));
}
