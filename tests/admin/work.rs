//! Work in the admin and the API: the filtered work list (status, sub-status, assignee, due
//! window, waiting on the client, paged), bad filters re-shown with the message next to the
//! field, and the same filters on `GET /api/work`.

use docket_engine::model::{Actor, NewWork, Role, WorkId};
use reqwest::StatusCode;
use serde_json::Value;

use super::{Admin, Browser, STAFF, body, client, location};

impl Admin {
    /// A second work item for Ann: planned, nobody assigned, starting 1 April.
    fn planned_work(&self) -> WorkId {
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
            "id=\"due_from-error\">due_from `16/03/2026` is not a date; write dates as YYYY-MM-DD"
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
    assert!(page.contains("id=\"status-error\""), "{page}");

    // Paging: more work items than a page; the next page's link keeps the filters.
    for _ in 0..50 {
        admin.planned_work();
    }
    let (_, first) = list("?status=planned");
    assert_eq!(first.matches("<tr><td>").count(), 50);
    let next = first
        .split("<a href=\"")
        .find_map(|s| s.strip_prefix("/admin/work?status=planned&amp;after="))
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .expect("a next page link keeping the filter");
    let (status, second) = list(&format!("?status=planned&after={next}"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second.matches("<tr><td>").count(), 1);
    assert!(second.contains(&later), "the oldest planned work is last");
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
        ("?due_from=1.3.2026", "write dates as YYYY-MM-DD"),
        ("?assignee=nobody@firm.example", "no staff user has email"),
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
        page.contains("id=\"start_date-error\">The start date `2/3/2026` is not a date; write dates as YYYY-MM-DD."),
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

/// The work's page as Sam sees it now.
fn work_page(admin: &Admin, sam: &Browser, id: WorkId) -> String {
    let answer = admin.get(&format!("/admin/work/{id}"), Some(sam));
    assert_eq!(answer.status(), StatusCode::OK);
    body(answer)
}

fn timeline_has(admin: &Admin, id: WorkId, text: &str) -> bool {
    admin
        .docket
        .work_timeline(id, 100)
        .unwrap()
        .iter()
        .any(|e| e.summary.contains(text) && matches!(e.actor, Actor::Staff(_)))
}

#[test]
fn the_work_page_shows_files_comments_and_timeline_and_staff_reply() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let id = admin.work;
    let ann = Actor::Contact(admin.docket.work(id).unwrap().groups[0].recipient);
    let file = admin
        .docket
        .add_file(
            id,
            docket_engine::docket::NewUpload {
                name: "statements.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4 statements".to_vec(),
                task: Some((0, 0)),
            },
            ann.clone(),
        )
        .unwrap();
    admin
        .docket
        .add_comment_on(id, Some((0, Some(1))), "Which year's P60?", ann)
        .unwrap();
    let page = work_page(&admin, &sam, id);
    assert!(page.contains("(0 of 2 done)"), "{page}");
    let href = format!("/admin/work/{id}/files/{}", file.id);
    assert!(
        page.contains(&format!("<a href=\"{href}\">statements.pdf</a>")),
        "{page}"
    );
    assert!(page.contains("Which year&#x27;s P60?"), "{page}");
    assert!(page.contains("Sent "), "{page}");
    assert!(page.contains("Timeline"), "{page}");
    // The file downloads, as an attachment.
    let answer = admin.get(&href, Some(&sam));
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(
        answer.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(answer.bytes().unwrap().as_ref(), b"%PDF-1.4 statements");
    assert_eq!(admin.get(&href, None).status(), StatusCode::SEE_OTHER);

    // A reply about the task: on the page, on the timeline under Sam's name.
    let path = format!("/admin/work/{id}/groups/0/tasks/1/comment");
    let answer = admin.post(&path, &sam, &[("body", "The 2025 one, please")]);
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&answer),
        format!("/admin/work/{id}?notice=commented")
    );
    let comments = admin.docket.comments(id).unwrap();
    let reply = comments.last().unwrap();
    assert_eq!((reply.group, reply.task), (Some(0), Some(1)));
    assert!(matches!(reply.author, Actor::Staff(_)));
    // An empty reply: 422, the message next to that task's field, nothing added.
    let answer = admin.post(&path, &sam, &[("body", "   ")]);
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(answer);
    assert!(
        page.contains("<p class=\"error\" id=\"comment-0-1-error\">A comment needs some text.</p>"),
        "{page}"
    );
    assert_eq!(admin.docket.comments(id).unwrap().len(), comments.len());
}

#[test]
fn staff_act_on_work_from_its_page() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let id = admin.work;
    let base = format!("/admin/work/{id}");

    // Tasks done and reopened.
    let answer = admin.post(&format!("{base}/groups/0/tasks/0/done"), &sam, &[]);
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(
        admin.docket.work(id).unwrap().groups[0].tasks[0]
            .done_at
            .is_some()
    );
    let page = body(admin.get(&location(&answer), Some(&sam)));
    assert!(page.contains("Task marked done."), "{page}");
    admin.post(&format!("{base}/groups/0/tasks/0/reopen"), &sam, &[]);
    assert!(
        admin.docket.work(id).unwrap().groups[0].tasks[0]
            .done_at
            .is_none()
    );
    let answer = admin.post(&format!("{base}/groups/0/tasks/9/done"), &sam, &[]);
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Details: the name the client sees and the assignee; an empty name is refused in place.
    let ada = admin
        .docket
        .user_by_email(super::ADMIN)
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let answer = admin.post(
        &format!("{base}/details"),
        &sam,
        &[("external_name", "Your 2025 accounts"), ("assignee", &ada)],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let work = admin.docket.work(id).unwrap();
    assert_eq!(work.external_name, "Your 2025 accounts");
    assert_eq!(work.assignee.map(|a| a.to_string()), Some(ada.clone()));
    assert!(timeline_has(&admin, id, "assignee Sam Staff → Ada Admin"));
    let answer = admin.post(
        &format!("{base}/details"),
        &sam,
        &[("external_name", "  "), ("assignee", "")],
    );
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(answer);
    assert!(
        page.contains("id=\"external_name-error\">The name the client sees cannot be empty"),
        "{page}"
    );
    let work = admin.docket.work(id).unwrap();
    assert_eq!(work.external_name, "Your 2025 accounts", "nothing changed");
    assert_eq!(work.assignee.map(|a| a.to_string()), Some(ada));

    // Send again: the confirm step shows the name, which is changed before the email goes.
    let page = body(admin.get(&format!("{base}/groups/0/resend"), Some(&sam)));
    assert!(page.contains("value=\"Your 2025 accounts\""), "{page}");
    let sends = admin.docket.work(id).unwrap().groups[0].sends;
    let answer = admin.post(
        &format!("{base}/groups/0/resend"),
        &sam,
        &[("external_name", "Archer: 2025 year end")],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let work = admin.docket.work(id).unwrap();
    assert_eq!(work.groups[0].sends, sends + 1);
    assert_eq!(work.external_name, "Archer: 2025 year end");
    assert!(timeline_has(
        &admin,
        id,
        "(the name the client sees changed from “Your 2025 accounts” to “Archer: 2025 year end” first)"
    ));
    // An empty name: the confirm step again, the message next to the field, nothing sent.
    let answer = admin.post(
        &format!("{base}/groups/0/resend"),
        &sam,
        &[("external_name", "  ")],
    );
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(answer);
    assert!(
        page.contains("id=\"external_name-error\">The name the client sees cannot be empty"),
        "{page}"
    );
    assert_eq!(admin.docket.work(id).unwrap().groups[0].sends, sends + 1);
    // A first send of a group already sent is refused, saying why; nothing sent.
    let answer = admin.post(
        &format!("{base}/groups/0/send"),
        &sam,
        &[("external_name", "Archer: 2025 year end")],
    );
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    assert!(body(answer).contains("That could not be done"));
    assert_eq!(admin.docket.work(id).unwrap().groups[0].sends, sends + 1);

    // A planned work item is sent from the confirm step.
    let planned = admin.planned_work();
    let answer = admin.post(
        &format!("/admin/work/{planned}/groups/0/send"),
        &sam,
        &[("external_name", "Your VAT")],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let work = admin.docket.work(planned).unwrap();
    assert!(work.groups[0].sent_at.is_some());
    assert_eq!(work.external_name, "Your VAT");

    // Complete, then reopen.
    admin.post(&format!("{base}/complete"), &sam, &[]);
    assert_eq!(admin.docket.work(id).unwrap().status.as_str(), "completed");
    let page = work_page(&admin, &sam, id);
    assert!(
        page.contains("Reopen the work") && !page.contains("Send again"),
        "{page}"
    );
    admin.post(&format!("{base}/reopen"), &sam, &[]);
    assert_eq!(
        admin.docket.work(id).unwrap().status.as_str(),
        "waiting_on_client"
    );
    let answer = admin.post(&format!("{base}/reopen"), &sam, &[]);
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Forged forms change nothing.
    let forged = Browser {
        token: "forged".into(),
        ..sam.clone()
    };
    let answer = admin.post(&format!("{base}/complete"), &forged, &[]);
    assert!(answer.status().is_client_error());
    assert_eq!(
        admin.docket.work(id).unwrap().status.as_str(),
        "waiting_on_client"
    );
}

#[test]
fn view_as_client_shows_the_checklist_binds_nothing_and_is_recorded() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let id = admin.work;
    let access = || {
        admin
            .docket
            .store()
            .get(
                docket_engine::store::Tree::Access,
                format!("{id}/000").as_bytes(),
            )
            .unwrap()
    };
    let before = access();
    assert!(before.is_some());
    let path = format!("/admin/work/{id}/groups/0/as-client");
    assert!(work_page(&admin, &sam, id).contains(&format!("href=\"{path}\"")));
    let answer = admin.get(&path, Some(&sam));
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(set_cookie_names(&answer).is_empty(), "nothing is bound");
    let page = body(answer);
    assert!(
        page.contains("A preview for staff: this is what Ann Archer sees"),
        "{page}"
    );
    assert!(page.contains("Bank statements"), "{page}");
    assert!(
        !page.contains("<form"),
        "no ticking, uploading or writing: {page}"
    );
    assert_eq!(access(), before, "the access record is untouched");
    assert!(timeline_has(
        &admin,
        id,
        "Sam Staff viewed “Documents” as Ann Archer sees it"
    ));
    assert_eq!(admin.get(&path, None).status(), StatusCode::SEE_OTHER);
    assert_eq!(
        admin
            .get(&format!("/admin/work/{id}/groups/7/as-client"), Some(&sam))
            .status(),
        StatusCode::NOT_FOUND
    );
}

fn set_cookie_names(answer: &reqwest::blocking::Response) -> Vec<String> {
    answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split('=').next().unwrap().to_string())
        .collect()
}

#[test]
fn staff_change_a_groups_settings_recipient_tasks_and_files() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let id = admin.work;
    let base = format!("/admin/work/{id}");
    let work = || admin.docket.work(id).unwrap();

    // Sending and reminders on this work only; a bad plugin is refused next to the form.
    let answer = admin.post(
        &format!("{base}/groups/0/settings"),
        &sam,
        &[
            ("sending", "manual"),
            ("sending_params", ""),
            ("reminders", "urgent"),
            ("reminders_params", ""),
            ("sender", super::ADMIN),
        ],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{}", body(answer));
    assert_eq!(work().groups[0].reminders.plugin, "urgent");
    assert!(work().groups[0].sender.is_some());
    assert_eq!(
        admin.docket.find_template("Year end").unwrap().groups[0]
            .reminders
            .plugin,
        "gentle",
        "the template is unchanged"
    );
    // (Unknown plugins are refused by the plugin host, which this harness runs without.)
    for (reminders, params) in [("gentle", "oops"), ("", "")] {
        let answer = admin.post(
            &format!("{base}/groups/0/settings"),
            &sam,
            &[
                ("sending", "manual"),
                ("sending_params", ""),
                ("reminders", reminders),
                ("reminders_params", params),
                ("sender", ""),
            ],
        );
        assert_eq!(
            answer.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{reminders}"
        );
        let page = body(answer);
        assert!(page.contains("id=\"settings-0-error\""), "{page}");
        assert!(
            page.contains("<details open>"),
            "the form is shown open: {page}"
        );
        assert_eq!(
            work().groups[0].reminders.plugin,
            "urgent",
            "nothing changed"
        );
        assert!(work().groups[0].sender.is_some());
    }

    // A task added on this work only, then its due date moved; bad dates refused in place.
    let answer = admin.post(
        &format!("{base}/groups/0/tasks"),
        &sam,
        &[("title", "Rent receipts"), ("due_date", "30/03/2026")],
    );
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(answer).contains(
        "id=\"newtask-0-error\">The due date `30/03/2026` is not a date; write dates as YYYY-MM-DD."
    ));
    assert_eq!(work().groups[0].tasks.len(), 2);
    let answer = admin.post(
        &format!("{base}/groups/0/tasks"),
        &sam,
        &[("title", "Rent receipts"), ("due_date", "2026-03-30")],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(work().groups[0].tasks[2].title, "Rent receipts");
    let answer = admin.post(
        &format!("{base}/groups/0/tasks/2/edit"),
        &sam,
        &[("title", "Rent receipts"), ("due_date", "2026-04-06")],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(work().groups[0].tasks[2].due_date.to_string(), "2026-04-06");
    assert!(timeline_has(&admin, id, "due 2026-03-30 → 2026-04-06"));
    let answer = admin.post(
        &format!("{base}/groups/0/tasks/2/edit"),
        &sam,
        &[("title", "Rent receipts"), ("due_date", "next week")],
    );
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(answer).contains("id=\"task-0-2-error\""));
    assert_eq!(work().groups[0].tasks[2].due_date.to_string(), "2026-04-06");

    // Another recipient: the group's links stop working and its binding is dropped.
    let bea = admin
        .docket
        .create_contact(
            docket_engine::model::NewContact {
                name: "Bea Archer".into(),
                email: "bea@client.example".into(),
                timezone: None,
            },
            Actor::System,
        )
        .unwrap();
    let answer = admin.post(
        &format!("{base}/groups/0/recipient"),
        &sam,
        &[("contact", "nobody@client.example")],
    );
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(answer).contains("id=\"recipient-0-error\">Unknown contact nobody@client.example")
    );
    let access = || -> docket_engine::model::GroupAccess {
        let bytes = admin
            .docket
            .store()
            .get(
                docket_engine::store::Tree::Access,
                format!("{id}/000").as_bytes(),
            )
            .unwrap()
            .unwrap();
        docket_engine::store::decode(&bytes).unwrap()
    };
    let before = access();
    let answer = admin.post(
        &format!("{base}/groups/0/recipient"),
        &sam,
        &[("contact", "bea@client.example")],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(work().groups[0].recipient, bea.id);
    let after = access();
    assert_eq!(after.contact, bea.id);
    assert_eq!(
        after.generation,
        before.generation + 1,
        "older links are replaced"
    );
    assert_eq!(after.device_hash, None);
    let by_bea = admin
        .docket
        .list_work(
            &docket_engine::docket::WorkFilter {
                contact: Some(bea.id),
                ..Default::default()
            },
            None,
            10,
        )
        .unwrap();
    assert_eq!(by_bea.len(), 1);

    // A file removed.
    let file = admin
        .docket
        .add_file(
            id,
            docket_engine::docket::NewUpload {
                name: "old.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF old".to_vec(),
                task: None,
            },
            Actor::System,
        )
        .unwrap();
    let answer = admin.post(&format!("{base}/files/{}/remove", file.id), &sam, &[]);
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(admin.docket.files(id).unwrap().is_empty());
    assert!(timeline_has(&admin, id, "File removed: old.pdf"));
    assert!(
        docket_engine::check::check(admin.docket.store().as_ref(), false)
            .unwrap()
            .iter()
            .all(|p| !p.contains("work_by")),
        "the indexes agree with the work"
    );
}

#[test]
fn the_api_edits_work_its_tasks_recipients_and_files() {
    let admin = Admin::start();
    let id = admin.work;
    let secret = admin.api_secret(Role::Admin);
    let call = |method: reqwest::Method, path: &str, body: Option<Value>, token: Option<&str>| {
        let mut request = client().request(method, admin.url(&format!("/api/work/{id}{path}")));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().unwrap();
        let status = response.status();
        (status, response.json::<Value>().unwrap_or(Value::Null))
    };
    use reqwest::Method;
    let t = Some(secret.as_str());
    let (status, work) = call(
        Method::PATCH,
        "",
        Some(serde_json::json!({"external_name": "Your accounts", "assignee": ""})),
        t,
    );
    assert_eq!(status, StatusCode::OK, "{work}");
    assert_eq!(work["external_name"], "Your accounts");
    assert_eq!(work["assignee"], Value::Null);
    let (status, work) = call(
        Method::POST,
        "/groups/0/tasks",
        Some(serde_json::json!({"title": "Rent", "due_date": "2026-03-30"})),
        t,
    );
    assert_eq!(status, StatusCode::CREATED, "{work}");
    assert_eq!(work["groups"][0]["tasks"][2]["title"], "Rent");
    let (status, work) = call(
        Method::PATCH,
        "/groups/0/tasks/2",
        Some(serde_json::json!({"due_date": "2026-04-02"})),
        t,
    );
    assert_eq!(status, StatusCode::OK, "{work}");
    assert_eq!(work["groups"][0]["tasks"][2]["due_date"], "2026-04-02");
    let (status, answer) = call(
        Method::PATCH,
        "/groups/0/tasks/2",
        Some(serde_json::json!({"due_date": "2 April"})),
        t,
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("write dates as YYYY-MM-DD")
    );
    let (status, answer) = call(
        Method::PUT,
        "/groups/0/recipient",
        Some(serde_json::json!({"contact": "nobody@client.example"})),
        t,
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (status, work) = call(Method::POST, "/complete", None, t);
    assert_eq!(status, StatusCode::OK, "{work}");
    assert_eq!(work["status"], "completed");
    let (status, _) = call(Method::POST, "/complete", None, t);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, work) = call(Method::POST, "/reopen", None, t);
    assert_eq!(status, StatusCode::OK, "{work}");
    assert_eq!(work["status"], "waiting_on_client");
    let file = admin
        .docket
        .add_file(
            id,
            docket_engine::docket::NewUpload {
                name: "x.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF x".to_vec(),
                task: None,
            },
            Actor::System,
        )
        .unwrap();
    let (status, removed) = call(Method::DELETE, &format!("/files/{}", file.id), None, t);
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert_eq!(removed["name"], "x.pdf");
    let (status, _) = call(Method::DELETE, &format!("/files/{}", file.id), None, t);
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A send may rename the work as the client will see it, in the same change.
    let planned = admin.planned_work();
    let response = client()
        .post(admin.url(&format!("/api/work/{planned}/groups/0/send")))
        .bearer_auth(&secret)
        .json(&serde_json::json!({"external_name": "Your VAT return"}))
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let sent: Value = response.json().unwrap();
    assert_eq!(sent["external_name"], "Your VAT return");
    assert!(sent["groups"][0]["sent_at"].is_string());
    let response = client()
        .post(admin.url(&format!("/api/work/{planned}/groups/0/resend")))
        .bearer_auth(&secret)
        .json(&serde_json::json!({"external_name": ""}))
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(admin.docket.work(planned).unwrap().groups[0].sends, 1);

    // Without a token, or with a revoked one: refused, nothing changed.
    let before = admin.docket.work(id).unwrap();
    let (status, _) = call(Method::POST, "/complete", None, None);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(
        Method::PATCH,
        "",
        Some(serde_json::json!({"external_name": "Hacked"})),
        Some("not-a-token"),
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(admin.docket.work(id).unwrap(), before);
}

const BOUNDARY: &str = "----docket-work-test";

/// A multipart form: the form token (when given), then a file.
fn attach_form(token: Option<&str>, file_name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(token) = token {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n{token}\r\n"
            )
            .bytes(),
        );
    }
    body.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").bytes());
    body
}

#[test]
fn staff_attach_a_document_to_a_task() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let id = admin.work;
    let path = format!("/admin/work/{id}/groups/0/tasks/1/attach");
    let post = |origin: &str, body: Vec<u8>| {
        client()
            .post(admin.url(&path))
            .header("X-Forwarded-For", super::HOME)
            .header("Cookie", &sam.cookie)
            .header("Origin", origin)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .unwrap()
    };
    // Without the token, with a wrong one, or from another site: nothing stored.
    for (origin, token) in [
        (admin.base.as_str(), None),
        (admin.base.as_str(), Some("forged")),
        ("https://evil.example", Some(sam.token.as_str())),
    ] {
        let answer = post(origin, attach_form(token, "letter.pdf", b"%PDF-1.4 letter"));
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{origin} {token:?}");
        assert!(admin.docket.files(id).unwrap().is_empty());
    }
    // An empty file: the form again, the message next to the field.
    let answer = post(&admin.base, attach_form(Some(&sam.token), "empty.pdf", b""));
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(answer).contains("id=\"attach-0-1-error\""));
    assert!(admin.docket.files(id).unwrap().is_empty());

    let answer = post(
        &admin.base,
        attach_form(Some(&sam.token), "letter.pdf", b"%PDF-1.4 letter"),
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let files = admin.docket.files(id).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].task, Some((0, 1)));
    assert_eq!(files[0].content_type, "application/pdf");
    assert!(matches!(files[0].uploaded_by, Actor::Staff(_)));
    // The client sees it on the checklist (shown here through "view as client").
    let page = body(admin.get(&format!("/admin/work/{id}/groups/0/as-client"), Some(&sam)));
    assert!(page.contains("letter.pdf"), "{page}");
}
