//! What a client sees of staff's review: a file they uploaded is sent back with a reason (the
//! task opens again, the reason above it, the file marked), then, sent again, accepted.

use docket_engine::model::{Actor, Review};
use reqwest::StatusCode;

use super::uploads::upload;
use super::{Portal, body};

#[test]
fn a_client_sees_their_upload_sent_back_then_accepted() {
    let portal = Portal::start();
    let cookie = portal.bind(0);
    let path = format!("{}/tasks/2/upload", portal.checklist(0));
    let sent = upload(&portal, &cookie, &path, "p60.pdf", b"%PDF-1.4 first");
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let page = || body(portal.get(&portal.checklist(0), Some(&cookie)));
    assert!(page().contains("Not looked at yet"), "{}", page());
    portal
        .docket
        .set_task_done(portal.work, 0, 1, true, Actor::System)
        .unwrap();

    portal.clock.advance(chrono::Duration::minutes(5));
    portal
        .docket
        .review_task(
            portal.work,
            0,
            1,
            Review {
                accept: false,
                reason: Some("This P60 is for <2024>, we need 2025".into()),
            },
            Actor::Api("desk".into()),
        )
        .unwrap();
    let html = page();
    assert!(
        html.contains("sent this back:</strong> <span dir=\"auto\">This P60 is for &lt;2024&gt;, we need 2025</span>"),
        "{html}"
    );
    // The reason is said once: in the banner; the file says only that it was sent back.
    assert!(
        html.contains("<span class=\"review\">Sent back</span>"),
        "{html}"
    );
    assert_eq!(html.matches("we need 2025").count(), 1, "{html}");
    // The task is open again: the client can tick it and upload once more.
    assert!(html.contains("/tasks/2/done\">"), "{html}");

    portal.clock.advance(chrono::Duration::minutes(5));
    let again = upload(&portal, &cookie, &path, "p60-2025.pdf", b"%PDF-1.4 second");
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let html = page();
    assert_eq!(
        html.matches("Not looked at yet").count(),
        1,
        "the new file waits: {html}"
    );
    portal.clock.advance(chrono::Duration::minutes(5));
    portal
        .docket
        .review_task(
            portal.work,
            0,
            1,
            Review {
                accept: true,
                reason: None,
            },
            Actor::Api("desk".into()),
        )
        .unwrap();
    let html = page();
    assert!(html.contains("Accepted by"), "{html}");
    assert_eq!(
        html.matches("<span class=\"review\">Accepted</span>")
            .count(),
        1,
        "the second file: {html}"
    );
    assert!(
        html.contains("<span class=\"review\">Sent back</span>"),
        "the first file: {html}"
    );
    assert!(!html.contains("sent this back"), "{html}");
}
