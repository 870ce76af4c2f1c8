//! The inbox: what clients do lands with the work's sender and assignee, listed newest first
//! with links to the work, counted in the shell of every page, marked read one at a time or
//! all at once — and the same through the JSON API.

use docket_engine::docket::NewUpload;
use docket_engine::model::{Actor, Role};
use reqwest::StatusCode;
use serde_json::Value;

use super::{ADMIN, Admin, STAFF, body, client, location};

impl Admin {
    /// What Ann does on her checklist: a task ticked, a file, a comment; then the hooks worker
    /// runs once.
    fn client_acts(&self) {
        let ann = self.docket.work(self.work).unwrap().groups[0].recipient;
        let client = Actor::Contact(ann);
        self.docket
            .set_task_done(self.work, 0, 0, true, client.clone())
            .unwrap();
        self.docket
            .add_file(
                self.work,
                NewUpload {
                    name: "statements & letters.pdf".into(),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.4".to_vec(),
                    task: Some((0, 0)),
                },
                client.clone(),
            )
            .unwrap();
        self.docket
            .add_comment_on(self.work, Some((0, Some(1))), "The P60 follows", client)
            .unwrap();
        self.docket.deliver_events(&[], 100).unwrap();
    }

    fn api(&self, method: reqwest::Method, path: &str) -> (StatusCode, Value) {
        let secret = self.api_secret(Role::Admin);
        let response = client()
            .request(method, self.url(&format!("/api{path}")))
            .bearer_auth(secret)
            .send()
            .unwrap();
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }
}

/// The unread count the shell shows, or `None` when it shows none.
fn shell_count(html: &str) -> Option<String> {
    let start = html.find("<span class=\"count\">")? + "<span class=\"count\">".len();
    Some(html[start..start + html[start..].find('<').unwrap()].to_string())
}

#[test]
fn the_inbox_lists_counts_and_marks_read() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let ada = admin.browser(ADMIN);
    let empty = body(admin.get("/admin/inbox", Some(&sam)));
    assert!(empty.contains("No notifications yet"), "{empty}");
    assert_eq!(shell_count(&empty), None);

    admin.client_acts();
    // Both the assignee (Sam) and the sender (Ada) hear of it, on every page.
    for browser in [&sam, &ada] {
        let home = body(admin.get("/admin", Some(browser)));
        assert_eq!(shell_count(&home).as_deref(), Some("3"), "{home}");
    }
    let page = admin.get("/admin/inbox", Some(&sam));
    assert_eq!(page.status(), StatusCode::OK);
    let html = body(page);
    let order: Vec<usize> = [
        "Comment: The P60 follows",
        "File uploaded: statements &amp; letters.pdf",
        "Task “Bank statements” completed",
    ]
    .iter()
    .map(|m| {
        html.find(m)
            .unwrap_or_else(|| panic!("{m} missing: {html}"))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "newest first: {html}"
    );
    assert!(html.contains(&format!("href=\"/admin/work/{}\"", admin.work)));
    assert!(html.contains("3 unread."));

    // One read: the count drops for Sam only.
    let sam_notes = admin
        .docket
        .notifications(admin.docket.user_by_email(STAFF).unwrap().unwrap().id, 10)
        .unwrap();
    let newest = sam_notes[0].id.to_string();
    let answer = admin.post(
        &format!("/admin/inbox/{newest}/read"),
        &sam,
        &[("back", "/admin/inbox?show=unread")],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/admin/inbox?show=unread");
    let unread = body(admin.get("/admin/inbox?show=unread", Some(&sam)));
    assert_eq!(shell_count(&unread).as_deref(), Some("2"));
    assert!(
        !unread.contains("The P60 follows"),
        "read ones are not listed: {unread}"
    );
    assert_eq!(
        shell_count(&body(admin.get("/admin", Some(&ada)))).as_deref(),
        Some("3")
    );

    // Ada's notification is not Sam's to mark, and stays unread.
    let ada_id = admin.docket.user_by_email(ADMIN).unwrap().unwrap().id;
    let theirs = admin.docket.notifications(ada_id, 1).unwrap()[0]
        .id
        .to_string();
    let answer = admin.post(&format!("/admin/inbox/{theirs}/read"), &sam, &[]);
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert_eq!(admin.docket.unread_count(ada_id).unwrap(), 3);
    assert_eq!(
        admin.post("/admin/inbox/nonsense/read", &sam, &[]).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin
            .get("/admin/inbox?before=nonsense", Some(&sam))
            .status(),
        StatusCode::NOT_FOUND
    );
    // A mark-read without the form token changes nothing.
    let forged = admin.post_raw(
        "/admin/inbox/read-all",
        Some(&sam.cookie),
        Some(&admin.base),
        &[],
    );
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        shell_count(&body(admin.get("/admin", Some(&sam)))).as_deref(),
        Some("2")
    );

    let answer = admin.post("/admin/inbox/read-all", &sam, &[("back", "/admin/inbox")]);
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/admin/inbox?marked=2");
    let html = body(admin.get("/admin/inbox?marked=2", Some(&sam)));
    assert!(html.contains("Marked 2 notifications read."), "{html}");
    assert!(html.contains("Nothing unread."));
    assert_eq!(shell_count(&html), None);
    assert!(html.contains("The P60 follows"), "read ones stay listed");
}

#[test]
fn the_inbox_pages_through_older_notifications() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let ann = admin.docket.work(admin.work).unwrap().groups[0].recipient;
    let total = docket_engine::docket::INBOX_PAGE + 3;
    for n in 0..total {
        admin
            .docket
            .add_comment_on(
                admin.work,
                Some((0, None)),
                &format!("note number {n:03}"),
                Actor::Contact(ann),
            )
            .unwrap();
    }
    admin.docket.deliver_events(&[], 1000).unwrap();
    let first = body(admin.get("/admin/inbox", Some(&sam)));
    assert_eq!(shell_count(&first).as_deref(), Some("53"));
    assert!(first.contains(&format!("note number {:03}", total - 1)));
    assert!(!first.contains("note number 000"));
    let older = first
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("before="))
        .expect("a link to older notifications")
        .replace("&amp;", "&");
    let second = body(admin.get(&older, Some(&sam)));
    assert!(second.contains("note number 000") && second.contains("note number 002"));
    assert!(!second.contains(&format!("note number {:03}", total - 1)));
    assert!(second.contains("href=\"/admin/inbox\">Newest</a>"));
}

#[test]
fn the_inbox_through_the_api() {
    let admin = Admin::start();
    admin.client_acts();
    use reqwest::Method;
    let (status, users) = admin.api(Method::GET, "/users");
    assert_eq!(status, StatusCode::OK);
    let text = users.to_string();
    assert!(
        text.contains(STAFF) && text.contains("\"role\":\"admin\""),
        "{text}"
    );
    assert!(
        !text.contains("argon2") && !text.contains("password"),
        "{text}"
    );

    let (status, inbox) = admin.api(
        Method::GET,
        &format!("/users/{STAFF}/notifications?limit=2"),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(inbox["unread"], 3);
    let notes = inbox["notifications"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["kind"], "comment-added");
    assert_eq!(notes[0]["work"], admin.work.to_string());
    let older = inbox["older"].as_str().expect("a next page").to_string();
    let (_, rest) = admin.api(
        Method::GET,
        &format!("/users/{STAFF}/notifications?before={older}"),
    );
    assert_eq!(rest["notifications"].as_array().unwrap().len(), 1);
    assert!(rest.get("older").is_none());

    let id = notes[0]["id"].as_str().unwrap().to_string();
    let (status, note) = admin.api(
        Method::POST,
        &format!("/users/{STAFF}/notifications/{id}/read"),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(note["read"], true);
    let (_, unread) = admin.api(
        Method::GET,
        &format!("/users/{STAFF}/notifications?unread=true"),
    );
    assert_eq!(unread["unread"], 2);
    assert_eq!(unread["notifications"].as_array().unwrap().len(), 2);

    // Another member's notification, an unknown member, a bad id: refused, nothing changed.
    let (status, _) = admin.api(
        Method::POST,
        &format!("/users/{ADMIN}/notifications/{id}/read"),
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin.api(Method::GET, "/users/nobody@firm.example/notifications");
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, error) = admin.api(
        Method::POST,
        &format!("/users/{STAFF}/notifications/nope/read"),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("not a notification id")
    );
    let unauthenticated = client()
        .post(admin.url(&format!("/api/users/{STAFF}/notifications/read-all")))
        .send()
        .unwrap();
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    let staff_id = admin.docket.user_by_email(STAFF).unwrap().unwrap().id;
    assert_eq!(admin.docket.unread_count(staff_id).unwrap(), 2);

    let (status, marked) = admin.api(
        Method::POST,
        &format!("/users/{staff_id}/notifications/read-all"),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(marked["marked"], 2);
    let (_, ada) = admin.api(Method::GET, &format!("/users/{ADMIN}/notifications"));
    assert_eq!(ada["unread"], 3, "the sender's inbox is their own");
}

#[test]
fn a_staff_token_cannot_read_or_clear_a_members_inbox() {
    let admin = Admin::start();
    admin.client_acts();
    let staff = admin.api_secret(Role::Staff);
    let staff_id = admin.docket.user_by_email(STAFF).unwrap().unwrap().id;
    let id = admin.docket.notifications(staff_id, 1).unwrap()[0].id;
    // Its first use is recorded (once a minute), before the calls that must change nothing.
    let firm = client()
        .get(admin.url("/api/firm"))
        .bearer_auth(&staff)
        .send()
        .unwrap();
    assert_eq!(firm.status(), StatusCode::OK);
    let generation = admin.docket.store().generation();
    for (method, path) in [
        (
            reqwest::Method::GET,
            format!("/api/users/{STAFF}/notifications"),
        ),
        (
            reqwest::Method::POST,
            format!("/api/users/{STAFF}/notifications/read-all"),
        ),
        (
            reqwest::Method::POST,
            format!("/api/users/{STAFF}/notifications/{id}/read"),
        ),
    ] {
        let answer = client()
            .request(method.clone(), admin.url(&path))
            .bearer_auth(&staff)
            .send()
            .unwrap();
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{method} {path}");
        let error: Value = answer.json().unwrap();
        assert!(
            error["error"].as_str().unwrap().contains("admin"),
            "{error}"
        );
    }
    assert_eq!(admin.docket.unread_count(staff_id).unwrap(), 3, "none read");
    assert_eq!(
        admin.docket.store().generation(),
        generation,
        "nothing changed"
    );
}
