//! Templates in the admin and the JSON API: the list, a new template, edits of groups and tasks
//! (moved, added, removed, their plugins and parameters), archive and restore, the calendar
//! preview — and bad input refused with the message next to the field, the typed values kept
//! and nothing changed.

use docket_engine::model::{Actor, NewWork, Role, Template};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Admin, Browser, HOME, STAFF, body, client, location};

impl Admin {
    /// A JSON API call with a fresh token (or none), and its answer.
    fn template_api(
        &self,
        method: reqwest::Method,
        path: &str,
        json: Option<Value>,
        authorised: bool,
    ) -> (StatusCode, Value) {
        let mut request = client().request(method, self.url(&format!("/api{path}")));
        if authorised {
            let secret = self.api_secret(Role::Admin);
            request = request.bearer_auth(secret);
        }
        if let Some(json) = json {
            request = request.json(&json);
        }
        let response = request.send().unwrap();
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }

    fn template(&self, name: &str) -> Template {
        self.docket.find_template(name).unwrap()
    }
}

/// A document form as a browser sends it: the form token first, then the task and the file.
fn upload(
    admin: &Admin,
    path: &str,
    (browser, origin): (&Browser, &str),
    token: &str,
    (group, task): (&str, &str),
    bytes: &[u8],
) -> reqwest::blocking::Response {
    const BOUNDARY: &str = "----docket-test-boundary";
    let mut form = Vec::new();
    for (name, value) in [("form_token", token), ("group", group), ("task", task)] {
        form.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    form.extend(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"engagement letter.pdf\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .as_bytes(),
    );
    form.extend(bytes);
    form.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    admin
        .request(reqwest::Method::POST, path, HOME)
        .header("Cookie", &browser.cookie)
        .header("Origin", origin)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form)
        .send()
        .unwrap()
}

/// The `aria-describedby` an input carries, and the text of the element it names.
fn message_for(html: &str, input_id: &str) -> String {
    let at = html
        .find(&format!("id=\"{input_id}\""))
        .unwrap_or_else(|| panic!("no input {input_id} in {html}"));
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
    let described = tag
        .split("aria-describedby=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("{input_id} names no message: {tag}"));
    let ids = &described[..described.find('"').unwrap()];
    let error_id = ids.split(' ').find(|i| i.ends_with("-error")).unwrap();
    let at = html.find(&format!("id=\"{error_id}\">")).unwrap() + error_id.len() + 6;
    html[at..at + html[at..].find('<').unwrap()].to_string()
}

fn value_of(html: &str, input_id: &str) -> String {
    let at = html.find(&format!("id=\"{input_id}\"")).unwrap();
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    let v = tag.split("value=\"").nth(1).unwrap();
    v[..v.find('"').unwrap()].to_string()
}

#[test]
fn staff_create_and_edit_templates_in_pages() {
    let admin = Admin::with_plugins();
    let sam = admin.browser(STAFF);
    let list = body(admin.get("/admin/templates", Some(&sam)));
    assert!(list.contains(">Year end</a>"), "{list}");
    assert!(list.contains("aria-current=\"page\">Templates"), "{list}");

    // Bad input: the form again, the message by the field, the values kept, nothing made.
    let form = [
        ("name", "Payroll"),
        ("description", "Monthly payroll"),
        ("group", "Hours"),
        ("title", "Timesheets"),
        ("due", "next week"),
    ];
    let refused = admin.post("/admin/templates/new", &sam, &form);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        message_for(&html, "new-due").contains("write a whole number"),
        "{html}"
    );
    assert_eq!(value_of(&html, "new-title"), "Timesheets");
    let mut taken = form;
    taken[0] = ("name", "year END");
    taken[4] = ("due", "5");
    let refused = admin.post("/admin/templates/new", &sam, &taken);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        message_for(&html, "new-name").contains("already exists"),
        "{html}"
    );
    assert_eq!(admin.docket.list_templates().unwrap().len(), 1);

    let mut good = form;
    good[4] = ("due", "5");
    let made = admin.post("/admin/templates/new", &sam, &good);
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let page = location(&made);
    let payroll = admin.template("payroll");
    assert_eq!(page, format!("/admin/templates/{}", payroll.id));
    assert_eq!(payroll.groups[0].tasks[0].due_offset_days, 5);

    // Add a task, move it up, change the group's policy.
    let post = |fields: &[(&str, &str)]| admin.post(&page, &sam, fields);
    let answer = post(&[
        ("action", "add_task"),
        ("group", "0"),
        ("title", "Expenses"),
        ("description", ""),
        ("due", "3"),
    ]);
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(location(&answer).starts_with(&page));
    post(&[("action", "task_up"), ("group", "0"), ("task", "1")]);
    let group = [
        ("action", "group"),
        ("group", "0"),
        ("name", "Hours and costs"),
        ("sending", "manual"),
        ("sending_params", ""),
        ("reminders", "custom"),
        ("reminders_params", "before=2; every=3"),
    ];
    assert_eq!(post(&group).status(), StatusCode::SEE_OTHER);
    let payroll = admin.template("payroll");
    let titles: Vec<&str> = payroll.groups[0]
        .tasks
        .iter()
        .map(|t| t.title.as_str())
        .collect();
    assert_eq!(titles, ["Expenses", "Timesheets"]);
    assert_eq!(payroll.groups[0].name, "Hours and costs");
    assert_eq!(payroll.groups[0].reminders.params["every"], "3");

    // Bad edits: a policy that is not there, parameters it refuses, a badly written pair, a
    // task without a title. Each is shown by its field and changes nothing.
    // (fields changed, the input whose message it is, what the message says)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 4] = [
        (
            &[("reminders", "nagging")],
            "group-0-reminders",
            "is not installed; installed reminder policies: custom, gentle, urgent",
        ),
        (
            &[("reminders_params", "before=soon; every=3")],
            "group-0-reminders",
            "does not accept its parameters",
        ),
        (
            &[("reminders_params", "every")],
            "group-0-reminders_params",
            "name=value",
        ),
        (&[("name", " ")], "group-0-name", "without a name"),
    ];
    for (changes, input, want) in cases {
        let mut fields = group.to_vec();
        for (k, v) in changes {
            fields.iter_mut().find(|(key, _)| key == k).unwrap().1 = v;
        }
        let refused = post(&fields);
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{changes:?}"
        );
        let html = body(refused);
        assert!(
            message_for(&html, input).contains(want),
            "{changes:?}: {html}"
        );
        // What was typed is still there.
        let (k, v) = changes[0];
        assert_eq!(value_of(&html, &format!("group-0-{k}")), v, "{changes:?}");
        assert_eq!(
            admin.template("payroll"),
            payroll,
            "{changes:?} changed nothing"
        );
    }
    let refused = post(&[
        ("action", "task"),
        ("group", "0"),
        ("task", "1"),
        ("title", ""),
        ("description", ""),
        ("due", "1"),
    ]);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message_for(&body(refused), "task-0-1-title").contains("without a title"));
    let refused = post(&[("action", "remove_task"), ("group", "0"), ("task", "7")]);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(refused).contains("id=\"groups-action-error\">Group 1 of this template has no task 8")
    );
    assert_eq!(admin.template("payroll"), payroll);

    // A document linked by web address: a bad address is refused by its field; a good one is
    // on the task, and removed again.
    let link = |url: &str| {
        post(&[
            ("action", "add_link"),
            ("group", "0"),
            ("task", "0"),
            ("name", "Expenses policy"),
            ("url", url),
        ])
    };
    let refused = link("javascript:alert(1)");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        message_for(&html, "add-link-0-0-url").contains("give a web address"),
        "{html}"
    );
    assert_eq!(value_of(&html, "add-link-0-0-name"), "Expenses policy");
    assert_eq!(admin.template("payroll"), payroll);
    assert_eq!(
        link("https://firm.example/expenses").status(),
        StatusCode::SEE_OTHER
    );
    let linked = admin.template("payroll");
    assert_eq!(
        linked.groups[0].tasks[0].documents[0].url.as_deref(),
        Some("https://firm.example/expenses")
    );
    let html = body(admin.get(&page, Some(&sam)));
    assert!(
        html.contains("href=\"https://firm.example/expenses\">Expenses policy</a>"),
        "{html}"
    );
    post(&[
        ("action", "remove_document"),
        ("group", "0"),
        ("task", "0"),
        ("document", "0"),
    ]);
    assert_eq!(
        admin.template("payroll"),
        Template {
            updated_at: admin.template("payroll").updated_at,
            ..payroll.clone()
        }
    );

    // An uploaded document: refused without the session's token, for a task that is not there
    // and when empty (by the file's field); kept once it is a file.
    let documents = format!("{page}/documents");
    let before = admin.template("payroll");
    let forged = upload(
        &admin,
        &documents,
        (&sam, &admin.base),
        "forged",
        ("0", "0"),
        b"%PDF-1.4",
    );
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let foreign = upload(
        &admin,
        &documents,
        (&sam, "https://evil.example"),
        &sam.token,
        ("0", "0"),
        b"%PDF-1.4",
    );
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let refused = upload(
        &admin,
        &documents,
        (&sam, &admin.base),
        &sam.token,
        ("0", "0"),
        b"",
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message_for(&body(refused), "upload-0-0-file").contains("Choose a file"));
    let refused = upload(
        &admin,
        &documents,
        (&sam, &admin.base),
        &sam.token,
        ("0", "9"),
        b"%PDF-1.4",
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        html.contains("role=\"alert\" id=\"groups-action-error\">Template “Payroll” has no task 9"),
        "{html}"
    );
    assert_eq!(admin.template("payroll"), before);
    let sent = upload(
        &admin,
        &documents,
        (&sam, &admin.base),
        &sam.token,
        ("0", "1"),
        b"%PDF-1.4 letter",
    );
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let with_file = admin.template("payroll");
    let doc = &with_file.groups[0].tasks[1].documents[0];
    assert_eq!(doc.name, "engagement letter.pdf");
    let file = doc.file.as_ref().expect("an uploaded file");
    assert_eq!(file.content_type, "application/pdf");
    assert_eq!(file.content.size, 15);
    assert!(
        body(admin.get(&page, Some(&sam))).contains("engagement letter.pdf (uploaded, 15 bytes)")
    );
    post(&[
        ("action", "remove_document"),
        ("group", "0"),
        ("task", "1"),
        ("document", "0"),
    ]);
    assert!(
        admin.template("payroll").groups[0].tasks[1]
            .documents
            .is_empty()
    );

    // Archive: no new work from it; restore: work again.
    post(&[("action", "archive")]);
    let html = body(admin.get(&page, Some(&sam)));
    assert!(html.contains("Archived: no new work"), "{html}");
    let new_work = || {
        admin.docket.create_work(
            NewWork {
                template: "Payroll".into(),
                start_date: Some("2026-04-01".parse().unwrap()),
                contacts: vec!["ann@client.example".into()],
                ..NewWork::default()
            },
            Actor::System,
        )
    };
    assert!(new_work().unwrap_err().to_string().contains("archived"));
    post(&[("action", "restore")]);
    new_work().unwrap();
}

#[test]
fn the_template_page_previews_the_calendar_the_engine_computes() {
    let admin = Admin::with_plugins();
    let sam = admin.browser(STAFF);
    let t = admin.template("year end");
    let page = format!("/admin/templates/{}", t.id);
    let html = body(admin.get(&format!("{page}?start=2026-04-06"), Some(&sam)));
    let preview = admin
        .docket
        .preview_template("year end", "2026-04-06".parse().unwrap())
        .unwrap();
    let reminders = &preview.groups[0].reminders;
    assert!(!reminders.is_empty());
    // Every reminder the engine plans is on the page, in order, in the firm's zone.
    let mut from = 0;
    for r in reminders {
        let when =
            r.at.with_timezone(&preview.tz)
                .format("%a %-d %b %Y, %H:%M")
                .to_string();
        let at = html[from..]
            .find(&format!("<strong>{when}</strong>"))
            .unwrap_or_else(|| panic!("{when} missing from {html}"));
        from += at + 1;
    }
    assert_eq!(html.matches(": a reminder of").count(), reminders.len());
    assert!(
        html.contains("shown as if sent on Mon 6 Apr 2026"),
        "{html}"
    );
    // The calendar is followed to its end, and the page says why it ends there, once.
    assert!(
        html.contains("Reminders stop for Bank statements, P60")
            && html.contains(": five reminders is the most a task gets until the group is resent."),
        "{html}"
    );
    assert!(
        !html.contains("No more reminders: every open task has had 5"),
        "the cap is said once: {html}"
    );
    assert!(html.contains("The emails Docket would send"), "{html}");
    assert!(!html.contains("scheduler"), "{html}");

    // A bad date: the form again with its message, no preview.
    let refused = admin.get(&format!("{page}?start=06%2F04%2F2026"), Some(&sam));
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        message_for(&html, "start")
            .contains("Sample start date: 06/04/2026 is not a date: write it as YYYY-MM-DD."),
        "{html}"
    );
    assert!(!html.contains(": a reminder of"));
}

#[test]
fn templates_are_replaced_archived_restored_and_previewed_over_the_api() {
    let admin = Admin::with_plugins();
    let t = admin.template("year end");
    let path = format!("/templates/{}", t.id);
    let (status, mut whole) = admin.template_api(reqwest::Method::GET, &path, None, true);
    assert_eq!(status, StatusCode::OK);
    whole["groups"][0]["tasks"][0]["title"] = json!("All bank statements");
    whole["name"] = json!("Year-end accounts");
    let put = json!({
        "name": whole["name"],
        "description": whole["description"],
        "groups": whole["groups"],
    });

    // Without a token nothing changes.
    let (status, _) = admin.template_api(reqwest::Method::PUT, &path, Some(put.clone()), false);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(admin.template("year end"), t);

    // A bad template (a policy that is not installed) changes nothing.
    let mut bad = put.clone();
    bad["groups"][0]["reminders"] = json!({"plugin": "nagging"});
    let (status, answer) = admin.template_api(reqwest::Method::PUT, &path, Some(bad), true);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("nagging"),
        "{answer}"
    );
    assert_eq!(admin.template("year end"), t);

    let (status, answer) = admin.template_api(reqwest::Method::PUT, &path, Some(put), true);
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["name"], "Year-end accounts");
    // The work made before keeps its copy.
    let work = admin.docket.work(admin.work).unwrap();
    assert_eq!(work.groups[0].tasks[0].title, "Bank statements");

    let (status, answer) = admin.template_api(
        reqwest::Method::POST,
        &format!("{path}/archive"),
        None,
        true,
    );
    assert_eq!(status, StatusCode::OK);
    assert!(answer["archived_at"].is_string(), "{answer}");
    let (_, listed) = admin.template_api(reqwest::Method::GET, "/templates", None, true);
    assert_eq!(listed.as_array().unwrap().len(), 0);
    let (_, listed) =
        admin.template_api(reqwest::Method::GET, "/templates?archived=true", None, true);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let (status, _) = admin.template_api(
        reqwest::Method::POST,
        &format!("{path}/restore"),
        None,
        true,
    );
    assert_eq!(status, StatusCode::OK);
    assert!(admin.template("year-end accounts").archived_at.is_none());

    let (status, preview) = admin.template_api(
        reqwest::Method::GET,
        &format!("{path}/preview?start=2026-04-06"),
        None,
        true,
    );
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["start"], "2026-04-06");
    assert!(
        !preview["groups"][0]["reminders"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (status, answer) = admin.template_api(
        reqwest::Method::GET,
        &format!("{path}/preview?start=6-4-2026"),
        None,
        true,
    );
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("YYYY-MM-DD"),
        "{answer}"
    );
}

#[test]
fn template_messages_are_by_their_own_field_in_the_page_s_words() {
    let admin = Admin::with_plugins();
    let sam = admin.browser(STAFF);
    // A due offset past ten years is said by the due field, not the name.
    let mut form = [
        ("name", "walk test"),
        ("description", ""),
        ("group", "Hours"),
        ("title", "Timesheets"),
        ("due", "3000000"),
    ];
    let refused = admin.post("/admin/templates/new", &sam, &form);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        message_for(&html, "new-due").contains("more than ten years"),
        "{html}"
    );
    assert!(!html.contains("id=\"new-name-error\""), "{html}");
    form[4] = ("due", "5");
    assert_eq!(
        admin.post("/admin/templates/new", &sam, &form).status(),
        StatusCode::SEE_OTHER
    );
    // A name taken in another case is echoed as typed.
    form[0] = ("name", "Walk Test");
    let html = body(admin.post("/admin/templates/new", &sam, &form));
    assert!(
        message_for(&html, "new-name").contains("A template named “Walk Test” already exists"),
        "{html}"
    );

    // One group of one task: no Remove is offered, and a post asking for it says why in the
    // page's words, by the form it came from.
    let t = admin.template("walk test");
    let page = format!("/admin/templates/{}", t.id);
    let html = body(admin.get(&page, Some(&sam)));
    assert!(!html.contains(">Remove group 1<"), "{html}");
    assert!(!html.contains(">Remove task 1<"), "{html}");
    let post = |fields: &[(&str, &str)]| admin.post(&page, &sam, fields);
    let refused = post(&[("action", "remove_group"), ("group", "0")]);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        html.contains("id=\"groups-action-error\">A template keeps at least one group; add another before removing this one."),
        "{html}"
    );
    assert!(!html.contains("[[groups]]"), "{html}");
    let refused = post(&[("action", "remove_task"), ("group", "0"), ("task", "0")]);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        html.contains("id=\"group-0-action-error\">A group keeps at least one task; add another before removing this one."),
        "{html}"
    );
    // A group that is not there: the message at the top of the page.
    let refused = post(&[("action", "task_up"), ("group", "9"), ("task", "0")]);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        html.contains("id=\"groups-action-error\">This template has no group 10"),
        "{html}"
    );
    assert_eq!(admin.template("walk test"), t);

    // A refused rename keeps what was typed in the field, and the heading the stored name.
    let refused = post(&[("action", "details"), ("name", ""), ("description", "")]);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(html.contains("<h1>walk test</h1>"), "{html}");
    assert!(html.contains("<title>walk test"), "{html}");
    assert!(!message_for(&html, "details-name").is_empty(), "{html}");

    // Sample dates more than ten years away are refused by the field, as work refuses them.
    for start in ["9999-12-31", "1900-01-01"] {
        let refused = admin.get(&format!("{page}?start={start}"), Some(&sam));
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = body(refused);
        assert!(
            message_for(&html, "start").contains("more than ten years from today"),
            "{html}"
        );
        assert!(!html.contains("never sends it by itself"), "{html}");
        let (status, answer) = admin.template_api(
            reqwest::Method::GET,
            &format!("/templates/{}/preview?start={start}", t.id),
            None,
            true,
        );
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    }
    let (status, _) = admin.template_api(
        reqwest::Method::GET,
        &format!("/templates/{}/preview?start=soon", t.id),
        None,
        true,
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
