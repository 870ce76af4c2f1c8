//! Staff reviewing what a client sent: `POST /api/work/ID/groups/G/tasks/T/review` and the work
//! page's review form — sent back with a reason (refused without one), then accepted, each shown
//! on the page with the upload's review state and recorded on the timeline with who did it.

use docket_engine::docket::NewUpload;
use docket_engine::model::{Actor, EventKind, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Admin, STAFF, body, client, location};

#[test]
fn the_api_sends_a_task_back_and_accepts_it() {
    let admin = Admin::start();
    let secret = admin.api_secret(Role::Staff);
    let review = |task: usize, body: Value| {
        let response = client()
            .post(admin.url(&format!(
                "/api/work/{}/groups/0/tasks/{task}/review",
                admin.work
            )))
            .bearer_auth(&secret)
            .json(&body)
            .send()
            .unwrap();
        let status = response.status();
        (status, response.json::<Value>().unwrap())
    };
    let (status, answer) = review(0, json!({"accept": false}));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("say why"),
        "{answer}"
    );
    let (status, answer) = review(0, json!({"accept": true, "why": "x"}));
    assert!(status.is_client_error(), "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("why"),
        "{answer}"
    );
    let (status, answer) = review(7, json!({"accept": true}));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        admin.docket.work(admin.work).unwrap().groups[0].tasks[0]
            .reviews
            .is_empty()
    );

    // The client has sent nothing for it yet: nothing to review, said with the task's name.
    for body in [
        json!({"accept": true}),
        json!({"accept": false, "reason": "Two pages are missing"}),
    ] {
        let (status, answer) = review(0, body);
        assert_eq!(status, StatusCode::CONFLICT, "{answer}");
        let said = answer["error"].as_str().unwrap();
        assert!(said.contains("sent nothing for “"), "{said}");
        let title = &admin.docket.work(admin.work).unwrap().groups[0].tasks[0].title;
        assert!(said.contains(title.as_str()), "{said}");
    }
    // Staff ticking it is not the client sending it.
    admin
        .docket
        .set_task_done(admin.work, 0, 0, true, Actor::System)
        .unwrap();
    let (status, answer) = review(0, json!({"accept": true}));
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let client = Actor::Contact(admin.docket.work(admin.work).unwrap().groups[0].recipient);
    admin
        .docket
        .set_task_done(admin.work, 0, 0, false, Actor::System)
        .unwrap();
    admin
        .docket
        .set_task_done(admin.work, 0, 0, true, client)
        .unwrap();
    let (status, work) = review(
        0,
        json!({"accept": false, "reason": "Two pages are missing"}),
    );
    assert_eq!(status, StatusCode::OK, "{work}");
    let task = &work["groups"][0]["tasks"][0];
    assert_eq!(task["done_at"], Value::Null, "{task}");
    assert_eq!(task["reviews"][0]["accepted"], false);
    assert_eq!(task["reviews"][0]["reason"], "Two pages are missing");
    assert!(
        task["reviews"][0]["by"].to_string().contains("tests "),
        "the token that did it: {task}"
    );

    let (status, work) = review(0, json!({"accept": true}));
    assert_eq!(status, StatusCode::OK, "{work}");
    let task = &work["groups"][0]["tasks"][0];
    assert!(task["done_at"].is_string(), "{task}");
    assert_eq!(task["reviews"][1]["accepted"], true);
    let reviewed = admin
        .docket
        .work_timeline(admin.work, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::TaskReviewed)
        .count();
    assert_eq!(reviewed, 2);
}

#[test]
fn staff_review_a_client_upload_from_the_work_page() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let id = admin.work;
    let ann = Actor::Contact(admin.docket.work(id).unwrap().groups[0].recipient);
    admin
        .docket
        .add_file(
            id,
            NewUpload {
                name: "statements.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4 statements".to_vec(),
                task: Some((0, 0)),
            },
            ann.clone(),
        )
        .unwrap();
    let page = || body(admin.get(&format!("/admin/work/{id}"), Some(&sam)));
    let html = page();
    assert!(
        html.contains("<span class=\"review\">Waiting for review.</span>"),
        "{html}"
    );
    let action = format!("/admin/work/{id}/groups/0/tasks/0/review");
    assert!(html.contains(&format!("action=\"{action}\"")), "{html}");
    // The other task, which the client sent nothing for, offers no review.
    assert!(
        !html.contains(&format!("/admin/work/{id}/groups/0/tasks/1/review")),
        "{html}"
    );

    // Sent back without a reason: the page again, the message next to the reason.
    let refused = admin.post(&action, &sam, &[("decision", "send-back"), ("reason", " ")]);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(html.contains("id=\"review-0-0-error\">Say why"), "{html}");
    assert!(html.contains("<details class=\"review\" open>"), "{html}");

    admin.clock.advance(chrono::Duration::minutes(5));
    let sent = admin.post(
        &action,
        &sam,
        &[
            ("decision", "send-back"),
            ("reason", "The March statement is missing"),
        ],
    );
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&sent),
        format!("/admin/work/{id}?notice=sent-back")
    );
    let html = body(admin.get(&location(&sent), Some(&sam)));
    assert!(
        html.contains("Sent back. The task is open for the client again"),
        "{html}"
    );
    assert!(
        html.contains(": The March statement is missing</p>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"review\">Sent back: The March statement is missing</span>"),
        "{html}"
    );
    // The decision is shown, not offered again (only accepting it after all is); sending it
    // back again is refused, said plainly.
    assert!(!html.contains("value=\"send-back\""), "{html}");
    assert!(
        html.contains("<button type=\"submit\" name=\"decision\" value=\"accept\">Accept it after all</button>"),
        "{html}"
    );
    let again = admin.post(
        &action,
        &sam,
        &[("decision", "send-back"), ("reason", "And April")],
    );
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let said = body(again);
    assert!(
        said.contains("already sent back; the client has not answered yet"),
        "{said}"
    );
    let event = &admin.docket.work_timeline(id, 1).unwrap()[0];
    assert_eq!(event.kind, EventKind::TaskReviewed);
    let sam_id = admin.docket.user_by_email(STAFF).unwrap().unwrap().id;
    assert_eq!(event.actor, Actor::Staff(sam_id), "the timeline says who");

    // The client sends another; accepting it leaves the first one's word as it was.
    admin.clock.advance(chrono::Duration::minutes(5));
    admin
        .docket
        .add_file(
            id,
            NewUpload {
                name: "march.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4 march".to_vec(),
                task: Some((0, 0)),
            },
            ann,
        )
        .unwrap();
    admin.clock.advance(chrono::Duration::minutes(5));
    let accepted = admin.post(&action, &sam, &[("decision", "accept"), ("reason", "")]);
    assert_eq!(
        location(&accepted),
        format!("/admin/work/{id}?notice=accepted")
    );
    let html = page();
    assert!(html.contains("<p class=\"review\">Accepted on "), "{html}");
    assert!(
        html.contains("<span class=\"review\">Accepted.</span>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"review\">Sent back: The March statement"),
        "{html}"
    );
    assert!(!html.contains("value=\"accept\""), "{html}");
    assert!(html.contains("Send it back after all: why?"), "{html}");
    let again = admin.post(&action, &sam, &[("decision", "accept"), ("reason", "")]);
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(body(again).contains("already accepted"));
    let work = admin.docket.work(id).unwrap();
    assert!(work.groups[0].tasks[0].done_at.is_some());

    // A decision the form does not offer is no address at all.
    let odd = admin.post(&action, &sam, &[("decision", "shrug")]);
    assert_eq!(odd.status(), StatusCode::NOT_FOUND);
}
