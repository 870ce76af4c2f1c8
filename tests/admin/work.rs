//! Work in the admin and the API: the filtered work list (status, sub-status, assignee, due
//! window, waiting on the client, paged), bad filters re-shown with the message next to the
//! field, and the same filters on `GET /api/work`.

use docket_engine::model::{Actor, NewWork, Role, WorkId};
use reqwest::StatusCode;
use serde_json::Value;

use super::{Admin, Browser, STAFF, body, client, location};

impl Admin {
    /// A second work item for Ann: planned, nobody assigned, starting 1 April.
    pub(super) fn planned_work(&self) -> WorkId {
        self.docket
            .create_work(
                NewWork {
                    template: "Year end".into(),
                    title: Some("Archer — VAT return".into()),
                    start_date: Some("2026-04-01".parse().unwrap()),
                    contacts: vec!["ann@client.example".into()],
                    ..NewWork::default()
                },
                Actor::System,
            )
            .unwrap()
            .id
    }

    fn api_get(&self, path: &str) -> (StatusCode, Value) {
        let secret = self.api_secret(Role::Admin);
        let response = client()
            .get(self.url(&format!("/api{path}")))
            .bearer_auth(secret)
            .send()
            .unwrap();
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }
}

#[test]
fn the_work_list_filters_and_pages() {
    let admin = Admin::start();
    let planned = admin.planned_work();
    let sam = admin.browser(STAFF);
    let sam_id = admin.docket.user_by_email(STAFF).unwrap().unwrap().id;

    // Signed out, the list sends the browser to sign in.
    let answer = admin.get("/admin/work", None);
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(location(&answer).starts_with("/admin/sign-in"));

    // The overview links to it.
    assert!(body(admin.get("/admin", Some(&sam))).contains("href=\"/admin/work\""));

    let list = |query: &str| -> (StatusCode, String) {
        let answer = admin.get(&format!("/admin/work{query}"), Some(&sam));
        (answer.status(), body(answer))
    };
    let sent = format!("/admin/work/{}", admin.work);
    let later = format!("/admin/work/{planned}");
    let (status, page) = list("");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&sent) && page.contains(&later), "{page}");
    for (query, has_sent, has_planned) in [
        ("?waiting_on_client=true", true, false),
        ("?status=planned", false, true),
        (&format!("?assignee={sam_id}") as &str, true, false),
        ("?assignee=none", false, true),
        ("?due_from=2026-03-01&due_to=2026-03-20", true, false),
        ("?due_from=2026-04-01", false, true),
        ("?due_to=2026-01-01", false, false),
        ("?sub_status=nothing+like+it", false, false),
    ] {
        let (status, page) = list(query);
        assert_eq!(status, StatusCode::OK, "{query}");
        assert_eq!(page.contains(&sent), has_sent, "{query}");
        assert_eq!(page.contains(&later), has_planned, "{query}");
    }
    // The assignee chosen stays chosen.
    let (_, page) = list(&format!("?assignee={sam_id}"));
    assert!(
        page.contains(&format!(
            "<option value=\"{sam_id}\" selected>Sam Staff</option>"
        )),
        "{page}"
    );

    // A bad date: 422, the form again with the typed value and the message next to the field.
    let (status, page) = list("?due_from=16%2F03%2F2026&status=waiting_on_client");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("value=\"16/03/2026\""), "{page}");
    assert!(
        page.contains("aria-describedby=\"due-hint due_from-error\""),
        "{page}"
    );
    assert!(
        page.contains(
            "id=\"due_from-error\">Next due from: 16/03/2026 is not a date: write it as YYYY-MM-DD."
        ),
        "{page}"
    );
    assert!(
        page.contains("<option value=\"waiting_on_client\" selected>"),
        "{page}"
    );
    assert!(!page.contains(&sent), "nothing listed under a bad filter");
    let (status, page) = list("?due_from=2026-04-01&due_to=2026-03-01");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"due_to-error\""), "{page}");
    let (status, page) = list("?status=open");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(
            "id=\"status-error\">Status: “open” is not a status; choose one from the list."
        ),
        "{page}"
    );
    // Filters say what was typed, in the words of the page's labels.
    let (status, page) = list("?assignee=NOPE");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Assignee: “NOPE” is not a member of staff here; choose one from the list."),
        "{page}"
    );
    let (status, page) = list("?due_to=2026-13-01");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"due_to-error\">Next due until: 2026-13-01 is not a date: there is no month 13; months go from 01 to 12."),
        "{page}"
    );
    assert!(!page.contains("due_to `"), "{page}");
    // A query string the page cannot read at all: the admin's message page, in its layout.
    let (status, page) = list("?status=waiting_on_client&status=planned");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("<h1>This address could not be read</h1>"),
        "{page}"
    );
    assert!(
        page.contains("The address (after “?”) gives “status” more than once; give it once."),
        "{page}"
    );
    assert!(page.contains("Sign out"), "the admin's layout: {page}");
    assert!(!page.contains("Failed to deserialize"), "{page}");

    // Paging: more work items than a page; the next page's link keeps the filters.
    for _ in 0..50 {
        admin.planned_work();
    }
    let (_, first) = list("?status=planned");
    assert_eq!(first.matches("<tr><td class=\"pick\">").count(), 50);
    let next = first
        .split("<a href=\"")
        .find_map(|s| s.strip_prefix("/admin/work?status=planned&amp;after="))
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .expect("a next page link keeping the filter");
    let (status, second) = list(&format!("?status=planned&after={next}"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second.matches("<tr><td class=\"pick\">").count(), 1);
    assert!(second.contains(&later), "the oldest planned work is last");
    // A later page leads back to the first, in the same order and filters.
    assert!(
        second.contains("href=\"/admin/work?status=planned&amp;sort=newest\">First page</a>"),
        "{second}"
    );
    assert!(!first.contains(">First page</a>"));
}

#[test]
fn the_api_lists_work_by_the_same_filters() {
    let admin = Admin::start();
    let planned = admin.planned_work();
    let ids = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .unwrap_or_else(|| panic!("{value}"))
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (sent, planned) = (admin.work.to_string(), planned.to_string());
    for (query, want) in [
        ("", vec![&planned, &sent]),
        ("?waiting_on_client=true", vec![&sent]),
        ("?assignee=sam@firm.example", vec![&sent]),
        ("?assignee=none", vec![&planned]),
        ("?due_from=2026-03-01", vec![&sent, &planned]),
        ("?due_to=2026-03-31", vec![&sent]),
        ("?contact=ann@client.example&status=planned", vec![&planned]),
        ("?due_from=2026-03-01&limit=1", vec![&sent]),
        (
            &format!("?due_from=2026-03-01&limit=1&after={sent}") as &str,
            vec![&planned],
        ),
    ] {
        let (status, value) = admin.api_get(&format!("/work{query}"));
        assert_eq!(status, StatusCode::OK, "{query}: {value}");
        assert_eq!(ids(&value).iter().collect::<Vec<_>>(), want, "{query}");
    }
    for (query, message) in [
        (
            "?due_from=1.3.2026",
            "due_from: 1.3.2026 is not a date: write it as YYYY-MM-DD",
        ),
        ("?assignee=nobody@firm.example", "no staff user has email"),
        (
            "?assignee=NOPE",
            "no staff member has the id or email `NOPE`",
        ),
        ("?waiting_on_client=true&status=planned", "not both"),
        ("?colour=red", "colour"),
    ] {
        let (status, value) = admin.api_get(&format!("/work{query}"));
        assert!(status.is_client_error(), "{query}: {status}");
        assert!(
            value["error"]
                .as_str()
                .unwrap_or_default()
                .contains(message),
            "{query}: {value}"
        );
    }
}

#[test]
fn work_is_created_from_a_template_and_bad_input_creates_nothing() {
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

    // Step one: the template; step two: its form, a contact field for its one group.
    let page = body(admin.get("/admin/work/new", Some(&sam)));
    assert!(
        page.contains(&format!("<option value=\"{template}\">Year end</option>")),
        "{page}"
    );
    assert!(!page.contains("contact_0"), "{page}");
    let page = body(admin.get(&format!("/admin/work/new?template={template}"), Some(&sam)));
    assert!(page.contains("Contact for “Documents”"), "{page}");
    // The contact field suggests the firm's contacts, by name and email.
    assert!(
        page.contains("name=\"contact_0\" value=\"\" list=\"contacts\""),
        "{page}"
    );
    assert!(
        page.contains(
            "<option value=\"ann@client.example\">Ann Archer (ann@client.example)</option>"
        ),
        "{page}"
    );
    let answer = admin.get("/admin/work/new?template=nope", Some(&sam));
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(answer).contains("id=\"template-error\""));

    // Bad input: each message next to its field, the values kept, nothing created.
    let answer = admin.post(
        "/admin/work/new",
        &sam,
        &[
            ("template", &template),
            ("start_date", "2/3/2026"),
            ("title", "Archer — payroll"),
            ("external_name", "Your payroll"),
            ("assignee", ""),
            ("contact_0", "nobody@client.example"),
        ],
    );
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(answer);
    assert!(
        page.contains(
            "id=\"start_date-error\">Start date: 2/3/2026 is not a date: write it as YYYY-MM-DD."
        ),
        "{page}"
    );
    assert!(
        page.contains("id=\"contact_0-error\">Unknown contact nobody@client.example; create the contact first."),
        "{page}"
    );
    assert!(
        page.contains("aria-describedby=\"contact_0-hint contact_0-error\""),
        "{page}"
    );
    assert!(page.contains("value=\"2/3/2026\""), "{page}");
    assert!(page.contains("value=\"Archer — payroll\""), "{page}");
    assert!(page.contains("value=\"Your payroll\""), "{page}");
    assert_eq!(count(), before, "nothing created");
    // A forged form changes nothing either.
    let forged = Browser {
        token: "not-the-token".into(),
        ..sam.clone()
    };
    let answer = admin.post(
        "/admin/work/new",
        &forged,
        &[
            ("template", &template),
            ("start_date", "2026-03-02"),
            ("contact_0", "ann@client.example"),
        ],
    );
    assert!(answer.status().is_client_error());
    assert_eq!(count(), before);

    // Good input, a contact given by id: the work's page.
    let ann = admin
        .docket
        .contact_by_email("ann@client.example")
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let sam_id = admin
        .docket
        .user_by_email(STAFF)
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let answer = admin.post(
        "/admin/work/new",
        &sam,
        &[
            ("template", &template),
            ("start_date", "2026-03-09"),
            ("title", "Archer — payroll"),
            ("external_name", "Your payroll"),
            ("assignee", &sam_id),
            ("contact_0", &ann),
        ],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let id: WorkId = location(&answer)
        .strip_prefix("/admin/work/")
        .unwrap()
        .parse()
        .unwrap();
    let work = admin.docket.work(id).unwrap();
    assert_eq!(work.external_name, "Your payroll");
    assert_eq!(work.start_date.to_string(), "2026-03-09");
    assert_eq!(work.assignee.map(|a| a.to_string()), Some(sam_id));
    assert_eq!(work.groups[0].recipient.to_string(), ann);
    assert_eq!(count(), before + 1);
    let timeline = admin.docket.work_timeline(id, 10).unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| matches!(e.actor, Actor::Staff(_))
                && e.summary.contains("Created from template")),
        "{timeline:?}"
    );
}

#[test]
fn new_work_through_the_api_takes_contact_ids_or_emails() {
    let admin = Admin::start();
    let ann = admin
        .docket
        .contact_by_email("ann@client.example")
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let secret = admin.api_secret(Role::Admin);
    let post = |contact: &str| {
        let response = client()
            .post(admin.url("/api/work"))
            .bearer_auth(&secret)
            .json(&serde_json::json!({
                "template": "Year end",
                "start_date": "2026-03-09",
                "contacts": [contact],
            }))
            .send()
            .unwrap();
        let status = response.status();
        (status, response.json::<Value>().unwrap())
    };
    for contact in [ann.as_str(), "ann@client.example"] {
        let (status, work) = post(contact);
        assert_eq!(status, StatusCode::CREATED, "{work}");
        assert_eq!(work["groups"][0]["recipient"], ann.as_str());
        // Untitled, it is titled for its client, as bulk create titles; the client sees the
        // template's name.
        assert_eq!(work["title"], "Ann Archer — Year end");
        assert_eq!(work["external_name"], "Year end");
    }
    let (status, answer) = post("01J00000000000000000000000");
    assert!(status.is_client_error());
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("unknown contact"),
        "{answer}"
    );
}

#[test]
fn untitled_work_from_the_page_is_titled_for_its_client_who_is_named_on_its_page() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let answer = admin.post(
        "/admin/work/new",
        &sam,
        &[
            ("template", "Year end"),
            ("start_date", "2026-03-09"),
            ("title", " "),
            ("contact_0", "ann@client.example"),
        ],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let id: WorkId = location(&answer)
        .strip_prefix("/admin/work/")
        .unwrap()
        .parse()
        .unwrap();
    let work = admin.docket.work(id).unwrap();
    assert_eq!(work.title, "Ann Archer — Year end");
    let page = body(admin.get(&format!("/admin/work/{id}"), Some(&sam)));
    assert!(
        page.contains(&format!(
            "<dt>Client</dt><dd><a href=\"/admin/contacts/{}\"><bdi>Ann Archer &lt;ann@client.example&gt;</bdi></a></dd>",
            work.groups[0].recipient
        )),
        "{page}"
    );
}

/// The "Next due" cell of the work list's row for `title`.
fn next_due_of(html: &str, title: &str) -> String {
    let row = html
        .split("<tr>")
        .find(|r| r.contains(title))
        .unwrap_or_else(|| panic!("no row for {title}: {html}"));
    let cell = row.split("data-label=\"Next due\">").nth(1).unwrap();
    cell[..cell.find("</td>").unwrap()].to_string()
}

#[test]
fn a_past_next_due_says_overdue_and_completed_work_is_due_nothing() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let title = "Archer — 2025 accounts";
    let due = next_due_of(&body(admin.get("/admin/work", Some(&sam))), title);
    assert!(!due.contains("overdue") && due != "—", "{due}");

    // A year on (signed in again), the same date is past.
    admin.clock.advance(chrono::Duration::days(400));
    let sam = admin.browser(STAFF);
    let late = next_due_of(&body(admin.get("/admin/work", Some(&sam))), title);
    assert_eq!(
        late,
        format!("{due} <span class=\"overdue\">overdue</span>")
    );
    let searched = body(admin.get("/admin/search?q=Archer", Some(&sam)));
    assert_eq!(next_due_of(&searched, title), late);

    // Completed with its tasks still open, it is due nothing.
    let done = admin.post(
        &format!("/admin/work/{}/complete", admin.work),
        &sam,
        &[("confirmed", "yes")],
    );
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let html = body(admin.get("/admin/work?status=completed", Some(&sam)));
    assert_eq!(next_due_of(&html, title), "—");
}
