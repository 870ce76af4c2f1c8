//! The client portal over HTTP, one rule at a time: links and their landing page, device binding,
//! the same-origin check, the checklist and what a client may do on it, uploads, privacy between
//! two recipients of one work item, fresh links and their limits. The router runs in-process on
//! 127.0.0.1 over an in-memory store; links are issued through the engine, as sending does.

#[path = "../support/mod.rs"]
mod support;

mod account;
mod uploads;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use docket_engine::config::FirmConfig;
use docket_engine::model::{Actor, NewContact, NewWork, WorkId};
use docket_engine::store::MemoryStore;
use docket_engine::{Docket, ManualClock};
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use support::in_process::InProcess;

pub const TEMPLATE: &str = r#"
name = "Year end"
[[groups]]
name = "Documents"
[[groups.tasks]]
title = "Bank <b>statements</b> <script>alert(1)</script>"
due = 14
[[groups.tasks]]
title = "P60"
due = 21
[[groups]]
name = "Partner's papers"
[[groups.tasks]]
title = "Pension letter"
due = 14
"#;

/// A portal served on a free port, over a fresh firm with a two-group work item for Ann
/// (group 1) and Bob (group 2), both sent.
pub struct Portal {
    pub docket: Docket,
    pub clock: Arc<ManualClock>,
    pub base: String,
    pub work: WorkId,
    _server: InProcess,
}

pub fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

impl Portal {
    pub fn start() -> Portal {
        Portal::with_cap(docket_engine::docket::MAX_UPLOAD_BYTES as u64)
    }

    pub fn with_cap(cap: u64) -> Portal {
        let clock = Arc::new(ManualClock::new(utc("2026-03-02T08:00:00Z")));
        let mut server = InProcess::bind();
        let base = server.base.clone();
        let docket = Docket::open(
            Arc::new(MemoryStore::new()),
            clock.clone(),
            &FirmConfig::default(),
            &base,
        )
        .unwrap()
        .with_max_upload(cap);
        docket.import_template(TEMPLATE).unwrap();
        for (name, email) in [
            ("Ann Archer", "ann@client.example"),
            ("Bob Baker", "bob@client.example"),
        ] {
            docket
                .create_contact(
                    NewContact {
                        name: name.into(),
                        email: email.into(),
                        timezone: None,
                    },
                    Actor::System,
                )
                .unwrap();
        }
        let work = docket
            .create_work(
                NewWork {
                    template: "Year end".into(),
                    external_name: Some("Your 2025 accounts".into()),
                    start_date: Some("2026-03-02".parse().unwrap()),
                    contacts: vec!["ann@client.example".into(), "bob@client.example".into()],
                    ..NewWork::default()
                },
                Actor::System,
            )
            .unwrap()
            .id;
        docket.send_group(work, 0, Actor::System).unwrap();
        docket.send_group(work, 1, Actor::System).unwrap();
        server.serve(docket_portal::AppState::new(docket.clone()));
        Portal {
            docket,
            clock,
            base,
            work,
            _server: server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The newest link emailed about group `group` (0-based), as its path `/c/TOKEN`.
    pub fn link(&self, group: usize) -> String {
        let messages = self.docket.outbox(None, 1000).unwrap();
        let message = messages
            .iter()
            .filter(|m| m.group == Some(group) && m.context.link.contains("/c/"))
            .max_by_key(|m| m.id)
            .expect("an email with a link");
        let link = &message.context.link;
        link[link.find("/c/").unwrap()..].to_string()
    }

    /// The checklist's path for group `group` (0-based).
    pub fn checklist(&self, group: usize) -> String {
        format!("/p/{}/{}", self.work, group + 1)
    }

    pub fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut request = client().get(self.url(path));
        if let Some(c) = cookie {
            request = request.header("Cookie", c);
        }
        request.send().unwrap()
    }

    /// A same-origin form post, as a browser sends it.
    pub fn post(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Response {
        let mut request = client()
            .post(self.url(path))
            .header("Origin", &self.base)
            .form(form);
        if let Some(c) = cookie {
            request = request.header("Cookie", c);
        }
        request.send().unwrap()
    }

    /// Opens the link on a device: presses "Open my checklist"; returns the answer and the
    /// device cookie (`name=value`) it set, or the one the device had.
    pub fn open(&self, link: &str, cookie: Option<&str>) -> (Response, Option<String>) {
        let response = self.post(link, cookie, &[]);
        let set = response
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
        let cookie = set.or_else(|| cookie.map(str::to_string));
        (response, cookie)
    }

    /// Opens group `group`'s newest link on a new device; returns its cookie.
    pub fn bind(&self, group: usize) -> String {
        let (response, cookie) = self.open(&self.link(group), None);
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()["location"].to_str().unwrap(),
            self.checklist(group)
        );
        cookie.expect("a device cookie")
    }

    pub fn device_hash(&self, group: usize) -> Option<String> {
        let store = self.docket.store();
        let key = format!("{}/{group:03}", self.work);
        let bytes = store
            .get(docket_engine::store::Tree::Access, key.as_bytes())
            .unwrap()
            .unwrap();
        let access: docket_engine::model::GroupAccess =
            docket_engine::store::decode(&bytes).unwrap();
        access.device_hash
    }
}

pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

pub fn body(response: Response) -> String {
    response.text().unwrap()
}

#[test]
fn a_scanner_opening_a_link_binds_and_spends_nothing() {
    let portal = Portal::start();
    let link = portal.link(0);
    for _ in 0..3 {
        let page = portal.get(&link, None);
        assert_eq!(page.status(), StatusCode::OK);
        let headers = page.headers().clone();
        let html = body(page);
        assert!(html.contains("Open my checklist"), "{html}");
        assert!(html.contains("Your 2025 accounts"));
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
    let head = client().head(portal.url(&link)).send().unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert!(head.headers().get("set-cookie").is_none());
    assert_eq!(portal.device_hash(0), None, "nothing bound by GET or HEAD");
    // The link still works for the person who then opens it.
    let cookie = portal.bind(0);
    assert!(cookie.starts_with("docket_device="), "{cookie}");
    let list = portal.get(&portal.checklist(0), Some(&cookie));
    assert_eq!(list.status(), StatusCode::OK);
    let html = body(list);
    assert!(html.contains("Documents") && html.contains("P60"), "{html}");
    // Binding is on the work's timeline with the device.
    let timeline = portal.docket.work_timeline(portal.work, 50).unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e.kind == docket_engine::model::EventKind::DeviceBound),
        "{timeline:?}"
    );
}

#[test]
fn forged_expired_and_replaced_links_get_their_own_pages() {
    let portal = Portal::start();
    let forged = portal.get(&format!("/c/{}", "A".repeat(43)), None);
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    let html = body(forged);
    assert!(html.contains("This link is not valid"));
    assert!(!html.contains("Your 2025 accounts"), "reveals nothing");
    for junk in ["/c/short", "/c/..%2F..%2Fetc%2Fpasswd", "/c/%00"] {
        let page = portal.get(junk, None);
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "{junk}");
    }
    // A post of a forged token binds nothing either.
    let (page, cookie) = portal.open(&format!("/c/{}", "B".repeat(43)), None);
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(cookie.is_none());

    // Replaced: the group was resent.
    let old = portal.link(0);
    portal.clock.advance(chrono::Duration::days(1));
    portal
        .docket
        .resend_group(portal.work, 0, Actor::System)
        .unwrap();
    let page = portal.get(&old, None);
    assert_eq!(page.status(), StatusCode::GONE);
    let html = body(page);
    assert!(
        html.contains("replaced") && html.contains("Send me a new access link"),
        "{html}"
    );
    let (page, cookie) = portal.open(&old, None);
    assert_eq!(page.status(), StatusCode::GONE);
    assert!(cookie.is_none());

    // Expired: 30 days after the last send with no reminder.
    portal.clock.advance(chrono::Duration::days(31));
    let current = portal.link(0);
    let page = portal.get(&current, None);
    assert_eq!(page.status(), StatusCode::GONE);
    let html = body(page);
    assert!(html.contains("expired"), "{current} {html}");
    // A fresh link, asked for from the expired page, works again.
    let sent = portal.post(&format!("{current}/new-link"), None, &[]);
    assert_eq!(sent.status(), StatusCode::OK);
    assert!(body(sent).contains("Check your email"));
    let fresh = portal.link(0);
    assert_ne!(fresh, current);
    let cookie = portal.bind(0);
    assert_eq!(
        portal.get(&portal.checklist(0), Some(&cookie)).status(),
        StatusCode::OK
    );
}

#[test]
fn another_device_is_offered_a_fresh_link_which_moves_the_binding() {
    let portal = Portal::start();
    let phone = portal.bind(0);
    let link = portal.link(0);
    // The same link on a laptop: no checklist, an offer to email a new link.
    let (page, laptop) = portal.open(&link, None);
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(laptop.is_none());
    let html = body(page);
    assert!(html.contains("open on another device") && html.contains("Send me a new access link"));
    // Tampered or missing cookies see the same.
    for cookie in [
        None,
        Some("docket_device=tampered"),
        Some("docket_device=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let page = portal.get(&portal.checklist(0), cookie);
        assert_eq!(page.status(), StatusCode::FORBIDDEN, "{cookie:?}");
    }
    // The phone still opens it, with any of the group's links.
    assert_eq!(
        portal.open(&link, Some(&phone)).0.status(),
        StatusCode::SEE_OTHER
    );
    // The laptop asks for a new link; it goes to the address on file.
    portal.clock.advance(chrono::Duration::minutes(5));
    let before = portal.docket.outbox(None, 1000).unwrap().len();
    let asked = portal.post(&format!("{}/new-link", portal.checklist(0)), None, &[]);
    assert_eq!(asked.status(), StatusCode::OK);
    let outbox = portal.docket.outbox(None, 1000).unwrap();
    assert_eq!(outbox.len(), before + 1);
    let newest = outbox.iter().max_by_key(|m| m.id).unwrap();
    assert_eq!(newest.to, "ann@client.example");
    let fresh = portal.link(0);
    let (page, laptop) = portal.open(&fresh, None);
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "the fresh link moves it"
    );
    let laptop = laptop.unwrap();
    assert_eq!(
        portal.get(&portal.checklist(0), Some(&laptop)).status(),
        StatusCode::OK
    );
    assert_eq!(
        portal.get(&portal.checklist(0), Some(&phone)).status(),
        StatusCode::FORBIDDEN,
        "the phone lost it"
    );
    // Spent on the laptop, the requested link does not move it on again.
    let (page, _) = portal.open(&fresh, None);
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let timeline = portal.docket.work_timeline(portal.work, 50).unwrap();
    let kinds: Vec<_> = timeline.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&docket_engine::model::EventKind::LinkRequested));
    assert!(
        timeline
            .iter()
            .any(|e| e.summary.contains("moved to a device"))
    );
}

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
    assert!(body(comment).contains("ask the firm to reopen it"));
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
    assert!(!html.contains("<form"), "no forms on a locked checklist");
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
fn an_archived_contact_loses_access_until_restored() {
    let portal = Portal::start();
    let cookie = portal.bind(0);
    let ann = portal.docket.work(portal.work).unwrap().groups[0].recipient;
    let (_, token) = portal
        .docket
        .create_api_token("staff", docket_engine::model::Role::Admin)
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
        .create_api_token("staff", docket_engine::model::Role::Admin)
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
    // Neither device opens the other's group, nor writes to it.
    assert_eq!(
        portal.get(&bob_list, Some(&ann)).status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        portal.get(&ann_list, Some(&bob)).status(),
        StatusCode::FORBIDDEN
    );
    let sneaky = portal.post(&format!("{ann_list}/tasks/1/done"), Some(&bob), &[]);
    assert_eq!(sneaky.status(), StatusCode::FORBIDDEN);
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

#[test]
fn fresh_links_are_limited_per_group_and_per_contact() {
    let portal = Portal::start();
    let ask =
        |group: usize| portal.post(&format!("{}/new-link", portal.checklist(group)), None, &[]);
    for _ in 0..docket_engine::docket::NEW_LINKS_PER_GROUP_PER_HOUR {
        assert_eq!(ask(0).status(), StatusCode::OK);
    }
    let limited = ask(0);
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(body(limited).contains("Please wait"));
    // An hour later the group may ask again, until the contact's daily limit.
    let mut sent = docket_engine::docket::NEW_LINKS_PER_GROUP_PER_HOUR;
    while sent < docket_engine::docket::NEW_LINKS_PER_CONTACT_PER_DAY {
        portal.clock.advance(chrono::Duration::minutes(61));
        for _ in 0..docket_engine::docket::NEW_LINKS_PER_GROUP_PER_HOUR {
            if sent == docket_engine::docket::NEW_LINKS_PER_CONTACT_PER_DAY {
                break;
            }
            assert_eq!(ask(0).status(), StatusCode::OK, "request {}", sent + 1);
            sent += 1;
        }
    }
    portal.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(
        ask(0).status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the daily limit"
    );
    // Bob is another contact: his own limits.
    assert_eq!(ask(1).status(), StatusCode::OK);
    let emails = portal
        .docket
        .outbox(None, 1000)
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == docket_engine::model::MessageKind::AccessLink)
        .count();
    assert_eq!(
        emails,
        docket_engine::docket::NEW_LINKS_PER_CONTACT_PER_DAY + 1
    );
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
        StatusCode::FORBIDDEN
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
