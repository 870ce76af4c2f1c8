//! The checklist and what a client may do on it: titles and comments shown as text, writes refused
//! on a done task and a completed work item, and a reloaded checklist never served stale.

use docket_engine::model::Actor;
use reqwest::StatusCode;

use super::{Portal, body, utc};

#[test]
fn html_in_titles_and_comments_is_shown_as_text() {
    let portal = Portal::start();
    let cookie = portal.bind(0);
    let checklist = portal.checklist(0);
    let posted = portal.post(
        &format!("{checklist}/tasks/1/comment"),
        Some(&cookie),
        &[("body", "<img src=x onerror=alert(1)> is this right?")],
    );
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    let html = body(portal.get(&checklist, Some(&cookie)));
    assert!(!html.contains("<script>alert(1)</script>"), "{html}");
    assert!(!html.contains("<b>statements</b>"));
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt; is this right?"));
}

#[test]
fn a_done_task_and_a_completed_work_item_refuse_client_writes() {
    let portal = Portal::start();
    let cookie = portal.bind(0);
    let checklist = portal.checklist(0);
    let done = portal.post(&format!("{checklist}/tasks/2/done"), Some(&cookie), &[]);
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert!(
        portal.docket.work(portal.work).unwrap().groups[0].tasks[1]
            .done_at
            .is_some()
    );
    // No untick, no comment, no upload on a done task.
    let comment = portal.post(
        &format!("{checklist}/tasks/2/comment"),
        Some(&cookie),
        &[("body", "more")],
    );
    assert_eq!(comment.status(), StatusCode::FORBIDDEN);
    assert!(body(comment).contains("to reopen it if you need to change it"));
    for path in ["tasks/2/reopen", "tasks/2/undone"] {
        let response = portal.post(&format!("{checklist}/{path}"), Some(&cookie), &[]);
        assert!(response.status().is_client_error(), "{path}");
    }
    assert!(
        portal.docket.work(portal.work).unwrap().groups[0].tasks[1]
            .done_at
            .is_some()
    );
    assert!(portal.docket.comments(portal.work).unwrap().is_empty());

    // Completed: the checklist is locked and every write refused.
    portal
        .docket
        .set_work_status_named(portal.work, "completed", Actor::System)
        .unwrap();
    let html = body(portal.get(&checklist, Some(&cookie)));
    assert!(html.contains("This request is completed"), "{html}");
    // No form on a locked checklist but the footer's language switch, which still works.
    assert_eq!(html.matches("<form").count(), 1, "{html}");
    assert!(
        html.contains(r#"&#x2f;language" class="languages">"#),
        "{html}"
    );
    let chose = portal.post(
        &format!("{checklist}/language"),
        Some(&cookie),
        &[("locale", "fr")],
    );
    assert_eq!(chose.status(), StatusCode::SEE_OTHER);
    let ann = portal.docket.work(portal.work).unwrap().groups[0].recipient;
    assert_eq!(
        portal.docket.contact(ann).unwrap().locale.as_deref(),
        Some("fr")
    );
    for (path, form) in [
        ("tasks/1/done", vec![]),
        ("tasks/1/comment", vec![("body", "hello")]),
    ] {
        let response = portal.post(&format!("{checklist}/{path}"), Some(&cookie), &form);
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert!(
        portal.docket.work(portal.work).unwrap().groups[0].tasks[0]
            .done_at
            .is_none()
    );
    // Reopened and resent, it opens again.
    portal
        .docket
        .set_work_status_named(portal.work, "waiting_on_client", Actor::System)
        .unwrap();
    portal
        .docket
        .resend_group(portal.work, 0, Actor::System)
        .unwrap();
    let response = portal.post(&format!("{checklist}/tasks/1/done"), Some(&cookie), &[]);
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[test]
fn a_reloaded_checklist_is_never_stale() {
    let portal = Portal::start();
    let ann = portal.bind(0);
    let checklist = portal.checklist(0);
    let first = body(portal.get(&checklist, Some(&ann)));
    assert!(!first.contains("overdue"), "{first}");
    assert_eq!(body(portal.get(&checklist, Some(&ann))), first);
    // Another device's cookie, or none, never gets Ann's page.
    let bob = portal.bind(1);
    assert_eq!(
        portal.get(&checklist, Some(&bob)).status(),
        StatusCode::NOT_FOUND
    );
    assert!(!body(portal.get(&checklist, None)).contains("Bank &lt;b&gt;statements"));
    // A new day in the client's zone: the task due yesterday is marked overdue.
    portal.clock.set(utc("2026-03-17T08:00:00Z"));
    let next_day = body(portal.get(&checklist, Some(&ann)));
    assert!(next_day.contains("overdue"), "{next_day}");
    // Staff tick it off: the next view shows it done.
    portal
        .docket
        .set_task_done(portal.work, 0, 0, true, Actor::System)
        .unwrap();
    let ticked = body(portal.get(&checklist, Some(&ann)));
    assert!(!ticked.contains("overdue"), "{ticked}");
    // The access ends 30 days after the send: the page is no longer served.
    portal.clock.set(utc("2026-04-02T08:00:00Z"));
    assert_eq!(
        portal.get(&checklist, Some(&ann)).status(),
        StatusCode::GONE
    );
}

/// Each bidirectional control in a task's title: the page isolates the title (`<bdi>`, `dir`),
/// and closes whatever the title opens, so it cannot reverse what the page says after it.
#[test]
fn a_title_with_bidi_controls_cannot_reorder_the_page() {
    use docket_engine::docket::TaskChange;
    let portal = Portal::start();
    let ann = portal.bind(0);
    let controls = [
        ('\u{202A}', Some('\u{202C}')),
        ('\u{202B}', Some('\u{202C}')),
        ('\u{202C}', None),
        ('\u{202D}', Some('\u{202C}')),
        ('\u{202E}', Some('\u{202C}')),
        ('\u{2066}', Some('\u{2069}')),
        ('\u{2067}', Some('\u{2069}')),
        ('\u{2068}', Some('\u{2069}')),
        ('\u{2069}', None),
        ('\u{200E}', None),
        ('\u{200F}', None),
        ('\u{061C}', None),
    ];
    for (c, _) in controls {
        portal
            .docket
            .add_task(
                portal.work,
                0,
                TaskChange {
                    title: Some(format!("Pay {c}pils {:04X}", c as u32)),
                    due_date: Some("2026-04-01".into()),
                    ..TaskChange::default()
                },
                Actor::System,
            )
            .unwrap();
    }
    let html = body(portal.get(&portal.checklist(0), Some(&ann)));
    for (c, closer) in controls {
        let title = format!("Pay {c}pils {:04X}", c as u32);
        let shown = match closer {
            Some(closer) => format!("{title}{closer}"),
            None => title.clone(),
        };
        assert!(
            html.contains(&format!("<h2 dir=\"auto\">{shown}</h2>")),
            "{:04X}: {html}",
            c as u32
        );
        assert!(
            html.contains(&format!("Mark “<bdi>{shown}</bdi>” done")),
            "{:04X}",
            c as u32
        );
        if closer.is_some() {
            assert!(
                !html.contains(&format!("{title}</")),
                "{:04X}: printed unclosed",
                c as u32
            );
        }
    }
}

/// A long title is named in full once; its buttons and labels name it shortened.
#[test]
fn buttons_name_a_long_task_without_repeating_all_of_it() {
    use docket_engine::docket::TaskChange;
    let portal = Portal::start();
    let ann = portal.bind(0);
    let long = format!("Statements {}", "x".repeat(180));
    portal
        .docket
        .add_task(
            portal.work,
            0,
            TaskChange {
                title: Some(long.clone()),
                due_date: Some("2026-04-01".into()),
                ..TaskChange::default()
            },
            Actor::System,
        )
        .unwrap();
    let html = body(portal.get(&portal.checklist(0), Some(&ann)));
    assert_eq!(html.matches(&long).count(), 1, "{html}");
    let short = docket_engine::text::shorten(&long, 60);
    assert!(short.ends_with('…') && short.chars().count() == 60);
    assert!(
        html.contains(&format!("Mark “<bdi>{short}</bdi>” done")),
        "{html}"
    );
}
