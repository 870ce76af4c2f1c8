//! What a new member of staff tripped on, mended: a template file imported over the template of
//! its name (asked first), a notice after each template edit and a question before a group or
//! task is removed, a 404 page naming what is missing, counts in words ("Complete 1 work
//! item"), and a selection's summary that a reload shows again without acting twice.

use docket_engine::model::WorkStatus;
use reqwest::StatusCode;

use super::{ADMIN, Admin, STAFF, body, hidden, location};

const FILE: &str = include_str!("../../examples/templates/monthly-bookkeeping.toml");

impl Admin {
    /// The templates page's import form as a browser sends it, with `extra` fields after the file.
    fn import_form_with(
        &self,
        browser: &super::Browser,
        text: &str,
        extra: &[(&str, &str)],
    ) -> reqwest::blocking::Response {
        const BOUNDARY: &str = "----docket-import-boundary";
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n{}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"template_file\"; filename=\"month.toml\"\r\nContent-Type: application/toml\r\n\r\n{text}\r\n",
            browser.token
        );
        for (name, value) in extra {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        super::client()
            .post(self.url("/admin/templates/import"))
            .header("X-Forwarded-For", super::HOME)
            .header("Cookie", &browser.cookie)
            .header("Origin", &self.base)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .unwrap()
    }
}

/// The text of the page's `<h1>`.
/// A form's fields, as posted.
type Form<'a> = Vec<(&'a str, &'a str)>;

fn heading(html: &str) -> String {
    let start = html.find("<h1>").expect("a heading") + 4;
    html[start..start + html[start..].find("</h1>").unwrap()].to_string()
}

#[test]
fn a_template_file_replaces_the_template_of_its_name_once_confirmed() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let page = body(admin.get("/admin/templates", Some(&sam)));
    assert!(page.contains("name=\"replace\" value=\"yes\""), "{page}");
    assert!(page.contains("data-confirm-when=\"replace\""), "{page}");

    let made = admin.import_form_with(&sam, FILE, &[]);
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let first = admin.docket.find_template("Monthly bookkeeping").unwrap();
    let count = admin.docket.list_templates().unwrap().len();

    // The name is taken: the message says how to replace it.
    let changed = FILE.replacen("Bank statements", "Bank statements and card slips", 1);
    let twice = admin.import_form_with(&sam, &changed, &[]);
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(twice);
    let at = html
        .find("id=\"import-error\">")
        .expect("a message by the field");
    let said = html[at..].split('<').next().unwrap();
    assert!(
        said.contains("already exists")
            && said.contains("tick “Replace the template with the same name”"),
        "{said}"
    );

    // Ticked: asked first, on a page that posts the file's text again; nothing changed yet.
    let asked = admin.import_form_with(&sam, &changed, &[("replace", "yes")]);
    assert_eq!(asked.status(), StatusCode::OK);
    let html = body(asked);
    assert_eq!(
        heading(&html),
        "Replace the template “Monthly bookkeeping”?"
    );
    assert!(
        html.contains("action=\"/admin/templates/import/replace\""),
        "{html}"
    );
    let stored = admin.docket.find_template("Monthly bookkeeping").unwrap();
    assert_eq!(stored.groups[0].tasks[0].title, "Bank statements");
    let text = hidden(&html, "template_text")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    assert_eq!(text, changed);

    // Confirmed (as the confirm page posts it): replaced in place, with a notice.
    let done = admin.post(
        "/admin/templates/import/replace",
        &sam,
        &[("template_text", &text), ("confirmed", "yes")],
    );
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&done),
        format!("/admin/templates/{}?notice=replaced", first.id)
    );
    let stored = admin.docket.find_template("Monthly bookkeeping").unwrap();
    assert_eq!(stored.id, first.id);
    assert_eq!(
        stored.groups[0].tasks[0].title,
        "Bank statements and card slips"
    );
    assert_eq!(admin.docket.list_templates().unwrap().len(), count);
    let html = body(admin.get(&location(&done), Some(&sam)));
    assert!(
        html.contains(
            "<p class=\"notice\" role=\"status\" id=\"notice\">Replaced by the imported file."
        ),
        "{html}"
    );

    // With the script, the dialog posts the file itself with `confirmed=yes`: replaced at once.
    let back = admin.import_form_with(&sam, FILE, &[("replace", "yes"), ("confirmed", "yes")]);
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let stored = admin.docket.find_template("Monthly bookkeeping").unwrap();
    assert_eq!(stored.groups[0].tasks[0].title, "Bank statements");
}

#[test]
fn template_edits_say_what_was_done_and_removing_asks_first() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let t = admin
        .docket
        .import_template(include_str!(
            "../../examples/templates/annual-tax-return.toml"
        ))
        .unwrap();
    let path = format!("/admin/templates/{}", t.id);
    let notice = |response: reqwest::blocking::Response| {
        if response.status() != StatusCode::SEE_OTHER {
            let status = response.status();
            let html = body(response);
            let at = html.find("class=\"error\"").unwrap_or(0);
            panic!("{status}: {}", &html[at..(at + 400).min(html.len())]);
        }
        let html = body(admin.get(&location(&response), Some(&sam)));
        let at = html
            .find("<p class=\"notice\" role=\"status\" id=\"notice\">")
            .unwrap_or_else(|| panic!("no notice in {html}"));
        // Said beside the group it is about: after the group's heading.
        let before = &html[..at];
        let group = before
            .rfind("<h3 id=\"group-")
            .map(|g| &before[g + 14..g + 15]);
        let text = html[at..]
            .split('>')
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap();
        (text.to_string(), group.map(str::to_string))
    };
    let task = &t.groups[0].tasks[0];
    let due = task.due_offset_days.to_string();
    let saved = admin.post(
        &path,
        &sam,
        &[
            ("action", "task"),
            ("group", "0"),
            ("task", "0"),
            ("title", &task.title),
            ("description", "New words."),
            ("due", &due),
        ],
    );
    assert_eq!(notice(saved), ("Saved.".to_string(), Some("0".to_string())));
    let moved = admin.post(
        &path,
        &sam,
        &[("action", "task_down"), ("group", "0"), ("task", "0")],
    );
    assert_eq!(notice(moved), ("Moved.".to_string(), Some("0".to_string())));

    // Removing a task: without the script, a confirm page first; nothing removed yet.
    let tasks = admin.docket.find_template(&t.name).unwrap().groups[0]
        .tasks
        .clone();
    let remove = [("action", "remove_task"), ("group", "0"), ("task", "0")];
    let asked = admin.post(&path, &sam, &remove);
    assert_eq!(asked.status(), StatusCode::OK);
    let html = body(asked);
    assert_eq!(
        heading(&html),
        format!("Remove the task “{}”?", tasks[0].title).replace('\'', "&#x27;")
    );
    assert!(html.contains("name=\"confirmed\" value=\"yes\""), "{html}");
    assert_eq!(
        admin.docket.find_template(&t.name).unwrap().groups[0]
            .tasks
            .len(),
        tasks.len()
    );
    // The template's page marks the form for the dialog.
    let page = body(admin.get(&path, Some(&sam)));
    assert!(
        page.contains("data-confirm-heading=\"Remove the task"),
        "{page}"
    );
    assert!(
        page.contains("data-confirm-heading=\"Remove the group"),
        "{page}"
    );

    let mut confirmed = remove.to_vec();
    confirmed.push(("confirmed", "yes"));
    let removed = admin.post(&path, &sam, &confirmed);
    assert_eq!(
        notice(removed),
        ("Removed.".to_string(), Some("0".to_string()))
    );
    let after = admin.docket.find_template(&t.name).unwrap();
    assert_eq!(after.groups[0].tasks.len(), tasks.len() - 1);

    // A group: asked, then removed.
    let asked = admin.post(&path, &sam, &[("action", "remove_group"), ("group", "0")]);
    assert_eq!(asked.status(), StatusCode::OK);
    assert!(heading(&body(asked)).starts_with("Remove the group"));
    assert_eq!(admin.docket.find_template(&t.name).unwrap().groups.len(), 2);
    let removed = admin.post(
        &path,
        &sam,
        &[
            ("action", "remove_group"),
            ("group", "0"),
            ("confirmed", "yes"),
        ],
    );
    assert_eq!(notice(removed).0, "Removed.");
    assert_eq!(admin.docket.find_template(&t.name).unwrap().groups.len(), 1);
}

#[test]
fn every_404_names_what_is_missing() {
    let admin = Admin::start();
    let ada = admin.browser(ADMIN);
    let work = admin.work.to_string();
    let nobody = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    let gets = [
        (format!("/admin/work/{nobody}"), "No such work item"),
        (format!("/admin/work/{work}/files/{nobody}"), "No such file"),
        (
            format!("/admin/work/{work}/groups/7/as-client"),
            "No such group",
        ),
        (format!("/admin/work/{work}/groups/7/send"), "No such group"),
        (
            format!("/admin/work/{nobody}/groups/0/send"),
            "No such work item",
        ),
        (format!("/admin/templates/{nobody}"), "No such template"),
        (format!("/admin/contacts/{nobody}"), "No such contact"),
        (format!("/admin/outbox/{nobody}"), "No such email"),
        (format!("/admin/work/selection/{nobody}"), "No such summary"),
    ];
    let mut wrong = Vec::new();
    for (path, said) in gets {
        let answer = admin.get(&path, Some(&ada));
        let status = answer.status();
        let shown = heading(&body(answer));
        if status != StatusCode::NOT_FOUND || shown != said {
            wrong.push(format!("GET {path}: {status} “{shown}”, not “{said}”"));
        }
    }
    let posts: Vec<(String, Form, &str)> = vec![
        (
            format!("/admin/work/{nobody}/details"),
            vec![],
            "No such work item",
        ),
        (
            format!("/admin/work/{nobody}/complete"),
            vec![],
            "No such work item",
        ),
        (
            format!("/admin/work/{work}/files/{nobody}/remove"),
            vec![],
            "No such file",
        ),
        (
            format!("/admin/work/{work}/groups/7/settings"),
            vec![("sending", "manual"), ("reminders", "none")],
            "No such group",
        ),
        (
            format!("/admin/work/{work}/groups/7/recipient"),
            vec![("contact", "ann@client.example")],
            "No such group",
        ),
        (
            format!("/admin/work/{work}/groups/7/tasks"),
            vec![("title", "More"), ("due_date", "2026-04-01")],
            "No such group",
        ),
        (
            format!("/admin/work/{work}/groups/7/send"),
            vec![],
            "No such group",
        ),
        (
            format!("/admin/work/{work}/groups/0/tasks/9/edit"),
            vec![("title", "More"), ("due_date", "2026-04-01")],
            "No such task",
        ),
        (
            format!("/admin/work/{work}/groups/0/tasks/9/comment"),
            vec![("body", "Hello")],
            "No such task",
        ),
        (
            format!("/admin/work/{work}/groups/0/tasks/9/review"),
            vec![("decision", "accept")],
            "No such task",
        ),
        (
            format!("/admin/work/{work}/groups/0/tasks/9/done"),
            vec![],
            "No such task",
        ),
        (
            format!("/admin/contacts/{nobody}"),
            vec![
                ("action", "save"),
                ("name", "X"),
                ("email", "x@example.com"),
            ],
            "No such contact",
        ),
        (
            format!("/admin/tokens/{nobody}/revoke"),
            vec![("confirmed", "yes")],
            "No such API token",
        ),
        (
            format!("/admin/users/{nobody}/role"),
            vec![("role", "admin")],
            "No such member of staff",
        ),
        (
            format!("/admin/users/{nobody}/disable"),
            vec![("confirmed", "yes")],
            "No such member of staff",
        ),
        (
            format!("/admin/inbox/{nobody}/read"),
            vec![],
            "No such notification",
        ),
        (
            format!("/admin/replies/{nobody}/discard"),
            vec![],
            "No such reply",
        ),
    ];
    for (path, form, said) in posts {
        let answer = admin.post(&path, &ada, &form);
        let status = answer.status();
        let html = body(answer);
        let shown = heading(&html);
        if status != StatusCode::NOT_FOUND || shown != said {
            let at = html.find("class=\"error\"").unwrap_or(0);
            let error = &html[at..(at + 200).min(html.len())];
            wrong.push(format!(
                "POST {path}: {status} “{shown}”, not “{said}”: {error}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_selection_counts_in_words_and_its_summary_survives_a_reload() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let id = admin.work.to_string();

    // One work item with open tasks: the confirmation counts one, in words.
    let asked = admin.post(
        "/admin/work/selection",
        &sam,
        &[("action", "complete"), ("work", &id)],
    );
    assert_eq!(asked.status(), StatusCode::OK);
    let html = body(asked);
    assert!(html.contains(">Complete 1 work item</button>"), "{html}");
    assert!(
        html.contains("The work item selected still has tasks"),
        "{html}"
    );
    assert!(!html.contains("Complete all"), "{html}");

    // Confirmed: post/redirect/get; the summary page says it once, and a reload acts on nothing.
    let done = admin.post(
        "/admin/work/selection",
        &sam,
        &[("action", "complete"), ("work", &id), ("confirm", "yes")],
    );
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let summary = location(&done);
    assert!(summary.starts_with("/admin/work/selection/"), "{summary}");
    assert_eq!(
        admin.docket.work(admin.work).unwrap().status,
        WorkStatus::Completed
    );
    let events = admin.docket.work_timeline(admin.work, 1000).unwrap().len();
    let first = body(admin.get(&summary, Some(&sam)));
    assert!(
        first.contains("<p role=\"status\">Done for 1 item.</p>"),
        "{first}"
    );
    assert!(
        first.contains("Done <span class=\"size\">(1)</span>"),
        "{first}"
    );
    // Reloaded: the same page, nothing done again (an act on completed work would be refused
    // and said; the timeline would grow).
    let again = body(admin.get(&summary, Some(&sam)));
    assert_eq!(again, first);
    assert_eq!(
        admin.docket.work_timeline(admin.work, 1000).unwrap().len(),
        events
    );

    // Another member does not see Sam's summary.
    let ada = admin.browser(ADMIN);
    let theirs = admin.get(&summary, Some(&ada));
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
}

#[test]
fn the_api_says_how_to_replace_a_taken_name_and_replaces_from_a_toml_file() {
    let admin = Admin::start();
    let secret = admin.api_secret(docket_engine::model::Role::Staff);
    let send = |method: reqwest::Method, path: &str, text: &str| {
        let response = super::client()
            .request(method, admin.url(path))
            .bearer_auth(&secret)
            .header("Content-Type", "application/toml")
            .body(text.to_string())
            .send()
            .unwrap();
        let status = response.status();
        (status, response.json::<serde_json::Value>().unwrap())
    };
    let (status, made) = send(reqwest::Method::POST, "/api/templates", FILE);
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let (status, answer) = send(reqwest::Method::POST, "/api/templates", FILE);
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer
            .to_string()
            .contains("to replace that template, send the same body with `PUT /api/templates/Monthly%20bookkeeping`"),
        "{answer}"
    );
    let changed = FILE.replacen("Bank statements", "Bank statements and card slips", 1);
    let (status, replaced) = send(
        reqwest::Method::PUT,
        "/api/templates/Monthly%20bookkeeping",
        &changed,
    );
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["id"], made["id"]);
    let stored = admin.docket.find_template("Monthly bookkeeping").unwrap();
    assert_eq!(
        stored.groups[0].tasks[0].title,
        "Bank statements and card slips"
    );
}
