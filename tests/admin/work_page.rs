//! A work item's page in the admin: files, comments and the
//! timeline; sending, resending, a group's settings and recipient, tasks, files, attaching a
//! document, completing and reopening; "view as client".

use docket_engine::model::{Actor, WorkId};
use reqwest::StatusCode;

use super::{Admin, Browser, STAFF, body, location};

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
        page.contains(&format!("<a href=\"{href}\"><bdi>statements.pdf</bdi></a>")),
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
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert!(body(answer).contains("<h1>No such task</h1>"));

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
    assert!(timeline_has(
        &admin,
        id,
        "Assigned to Ada Admin (was Sam Staff)"
    ));
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

    // Complete (asked first: the client has open tasks), then reopen.
    let asked = admin.post(&format!("{base}/complete"), &sam, &[]);
    assert_eq!(asked.status(), StatusCode::OK);
    let page = body(asked);
    assert!(
        page.contains("The client still has 2 open tasks."),
        "{page}"
    );
    assert!(page.contains("name=\"confirmed\" value=\"yes\""), "{page}");
    assert!(
        page.contains(&format!("href=\"{base}\">Back to the work")),
        "{page}"
    );
    assert_eq!(
        admin.docket.work(id).unwrap().status.as_str(),
        "waiting_on_client",
        "nothing changes until it is confirmed"
    );
    admin.post(&format!("{base}/complete"), &sam, &[("confirmed", "yes")]);
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
    let answer = admin.post(
        &format!("{base}/complete"),
        &forged,
        &[("confirmed", "yes")],
    );
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
    // A document staff attached to the first task, which the client downloads.
    let letter = admin
        .docket
        .add_file(
            id,
            docket_engine::docket::NewUpload {
                name: "letter.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4 letter".to_vec(),
                task: Some((0, 0)),
            },
            Actor::System,
        )
        .unwrap();
    let before = access();
    assert!(before.is_some());
    let path = format!("/admin/work/{id}/groups/0/as-client");
    assert!(work_page(&admin, &sam, id).contains(&format!("href=\"{path}\"")));
    let answer = admin.get(&path, Some(&sam));
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(set_cookie_names(&answer).is_empty(), "nothing is bound");
    let page = body(answer);
    assert!(
        page.contains("A preview for staff: this is what <bdi>Ann Archer</bdi> sees"),
        "{page}"
    );
    assert!(page.contains("Bank statements"), "{page}");
    // Its download works for staff: the preview links the admin's own download.
    let href = format!("/admin/work/{id}/files/{}", letter.id);
    assert!(page.contains(&format!("href=\"{href}\"")), "{page}");
    let download = admin.get(&href, Some(&sam));
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().unwrap().as_ref(), b"%PDF-1.4 letter");
    assert!(
        !page.contains("<form"),
        "no ticking, uploading or writing: {page}"
    );
    assert_eq!(access(), before, "the access record is untouched");
    assert!(timeline_has(
        &admin,
        id,
        "Viewed “Documents” as Ann Archer sees it"
    ));
    // Who looked is beside the line, not said twice.
    let page = work_page(&admin, &sam, id);
    assert!(!page.contains("Sam Staff viewed"), "{page}");
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
    // Parameters whose values hold commas, as the form shows them, are saved back unchanged.
    let answer = admin.post(
        &format!("{base}/groups/0/settings"),
        &sam,
        &[
            ("sending", "manual"),
            ("sending_params", ""),
            ("reminders", "custom"),
            ("reminders_params", "before=7,3; every=2"),
            ("sender", super::ADMIN),
        ],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{}", body(answer));
    let page = body(admin.get(&base, Some(&sam)));
    assert!(page.contains("value=\"before=7,3; every=2\""), "{page}");
    let params = page
        .split("name=\"reminders_params\"")
        .nth(1)
        .unwrap()
        .split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let answer = admin.post(
        &format!("{base}/groups/0/settings"),
        &sam,
        &[
            ("sending", "manual"),
            ("sending_params", ""),
            ("reminders", "custom"),
            ("reminders_params", &params),
            ("sender", super::ADMIN),
        ],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{}", body(answer));
    let reminders = work().groups[0].reminders.texts();
    assert_eq!(
        (reminders["before"].as_str(), reminders["every"].as_str()),
        ("7,3", "2")
    );
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
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
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
        "id=\"newtask-0-error\">Due date: 30/03/2026 is not a date: write it as YYYY-MM-DD."
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
    assert!(timeline_has(&admin, id, "due 6 Apr 2026 (was 30 Mar 2026)"));
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
                locale: None,
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
    // Asked first: the page names both contacts, posts the contact again and changes nothing.
    let asked = admin.post(
        &format!("{base}/groups/0/recipient"),
        &sam,
        &[("contact", "bea@client.example")],
    );
    assert_eq!(asked.status(), StatusCode::OK);
    let page = body(asked);
    assert!(page.contains("to Bea Archer instead?"), "{page}");
    assert!(
        page.contains("name=\"contact\" value=\"bea@client.example\""),
        "{page}"
    );
    assert!(page.contains("name=\"confirmed\" value=\"yes\""), "{page}");
    assert_ne!(
        work().groups[0].recipient,
        bea.id,
        "nothing changes until it is confirmed"
    );
    assert_eq!(access().generation, before.generation);
    let answer = admin.post(
        &format!("{base}/groups/0/recipient"),
        &sam,
        &[("contact", "bea@client.example"), ("confirmed", "yes")],
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
    let remove = format!("{base}/files/{}/remove", file.id);
    let asked = body(admin.post(&remove, &sam, &[]));
    assert!(asked.contains("<h1>Remove “old.pdf”?</h1>"), "{asked}");
    assert!(asked.contains(&format!("action=\"{remove}\"")), "{asked}");
    assert_eq!(
        admin.docket.files(id).unwrap().len(),
        1,
        "kept until confirmed"
    );
    let answer = admin.post(&remove, &sam, &[("confirmed", "yes")]);
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
fn a_group_planned_to_go_says_when_it_will_be_sent() {
    let admin = Admin::with_plugins();
    let sam = admin.browser(STAFF);
    let id = admin.planned_work();
    let on_start = docket_engine::model::PluginRef {
        plugin: "relative".into(),
        params: [("days".to_string(), docket_engine::model::ParamValue::Int(0))].into(),
    };
    admin
        .docket
        .update_group_settings(
            id,
            0,
            docket_engine::docket::GroupSettings {
                sending: Some(on_start),
                reminders: None,
                sender: None,
            },
            Actor::System,
        )
        .unwrap();
    let page = work_page(&admin, &sam, id);
    assert!(page.contains("Not sent yet"), "{page}");
    assert!(
        page.contains("Will be sent automatically on 1 Apr 2026 at "),
        "{page}"
    );
    assert!(!page.contains("Sent automatically"), "{page}");
}

#[test]
fn work_completed_with_open_tasks_says_how_many_were_left_open() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let id = admin.planned_work();
    let open = admin.docket.work(id).unwrap().groups[0].tasks.len();
    assert!(open > 1);
    let done = admin.post(
        &format!("/admin/work/{id}/complete"),
        &sam,
        &[("confirmed", "yes")],
    );
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let page = work_page(&admin, &sam, id);
    assert!(
        page.contains(&format!(
            "to Completed, with {open} client tasks still open"
        )),
        "{page}"
    );
}

#[test]
fn send_again_clicked_twice_sends_once() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let base = format!("/admin/work/{}", admin.work);
    let form = body(admin.get(&format!("{base}/groups/0/resend"), Some(&sam)));
    let once = super::hidden(&form, "once");
    assert!(!once.is_empty(), "{form}");
    let sends = admin.docket.work(admin.work).unwrap().groups[0].sends;
    let send = || {
        admin.post(
            &format!("{base}/groups/0/resend"),
            &sam,
            &[("once", &once), ("external_name", "Your 2025 accounts")],
        )
    };
    let first = send();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    // A double click: the same page as the first, and no second email.
    let again = send();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), location(&first));
    assert_eq!(
        admin.docket.work(admin.work).unwrap().groups[0].sends,
        sends + 1
    );
    // A fresh form is a new sending.
    let fresh = super::hidden(
        &body(admin.get(&format!("{base}/groups/0/resend"), Some(&sam))),
        "once",
    );
    assert_ne!(fresh, once);
}
