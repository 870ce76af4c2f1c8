//! The template editor's shape: each group's forms fold away in a `<details>` (open when the
//! template has one group, or when a refusal is in that group), and task descriptions are
//! multi-line `<textarea>`s whose lines are kept.

use reqwest::StatusCode;

use super::{Admin, STAFF, body};

const TWO_GROUPS: &str = include_str!("../../examples/templates/annual-tax-return.toml");

/// Whether each group's `<details>` is open, in page order.
fn groups_open(html: &str) -> Vec<bool> {
    html.split("<details class=\"group-forms\"")
        .skip(1)
        .map(|rest| rest.starts_with(" open>"))
        .collect()
}

#[test]
fn groups_fold_and_task_descriptions_are_multi_line() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let t = admin.docket.import_template(TWO_GROUPS).unwrap();
    let path = format!("/admin/templates/{}", t.id);

    let html = body(admin.get(&path, Some(&sam)));
    assert_eq!(groups_open(&html), [false, false], "{html}");
    assert!(
        html.contains("<textarea id=\"task-1-0-description\""),
        "{html}"
    );
    assert!(
        html.contains("<textarea id=\"add-task-1-description\""),
        "{html}"
    );

    // A template of one group shows it open.
    let one = admin.docket.find_template("Year end").unwrap();
    let html = body(admin.get(&format!("/admin/templates/{}", one.id), Some(&sam)));
    assert_eq!(groups_open(&html), [true], "{html}");

    // A description of two lines is kept as typed.
    let title = t.groups[1].tasks[0].title.clone();
    let due = t.groups[1].tasks[0].due_offset_days.to_string();
    let saved = admin.post(
        &path,
        &sam,
        &[
            ("action", "task"),
            ("group", "1"),
            ("task", "0"),
            ("title", &title),
            ("description", "Line one.\r\nLine two."),
            ("due", &due),
        ],
    );
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let stored = admin.docket.find_template(&t.name).unwrap();
    let kept = &stored.groups[1].tasks[0].description;
    assert!(
        kept.contains("Line one.") && kept.contains("\nLine two."),
        "{kept:?}"
    );
    let html = body(admin.get(&path, Some(&sam)));
    assert!(
        html.contains("Line one.\r\nLine two.</textarea>")
            || html.contains("Line one.\nLine two.</textarea>"),
        "{html}"
    );

    // A refusal in the second group opens that group only, its message by the field.
    let refused = admin.post(
        &path,
        &sam,
        &[
            ("action", "task"),
            ("group", "1"),
            ("task", "0"),
            ("title", &title),
            ("description", ""),
            ("due", "soon"),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert_eq!(groups_open(&html), [false, true], "{html}");
    assert!(html.contains("id=\"task-1-0-due-error\""), "{html}");
}

#[test]
fn a_saved_or_moved_group_stays_open_and_a_folded_one_names_its_tasks() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let t = admin.docket.import_template(TWO_GROUPS).unwrap();
    let path = format!("/admin/templates/{}", t.id);

    // Folded, a group's summary says what is in it.
    let html = body(admin.get(&path, Some(&sam)));
    assert!(
        html.contains(
            "its 4 tasks: P60 or final payslip, Bank interest statements, Rental income and expenses and 1 more</summary>"
        ),
        "{html}"
    );
    // The group an edit lands on is open, whether named itself or by one of its tasks.
    let html = body(admin.get(&format!("{path}?notice=moved&at=group-1"), Some(&sam)));
    assert_eq!(groups_open(&html), [false, true], "{html}");
    let html = body(admin.get(&format!("{path}?notice=saved&at=task-0-2"), Some(&sam)));
    assert_eq!(groups_open(&html), [true, false], "{html}");
}

#[test]
fn a_templates_description_keeps_its_lines() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let t = admin.docket.import_template(TWO_GROUPS).unwrap();
    let path = format!("/admin/templates/{}", t.id);

    let html = body(admin.get(&path, Some(&sam)));
    assert!(
        html.contains("<textarea id=\"details-description\""),
        "{html}"
    );
    let saved = admin.post(
        &path,
        &sam,
        &[
            ("action", "details"),
            ("name", &t.name),
            ("description", "Line one.\r\nLine two."),
        ],
    );
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let kept = admin.docket.find_template(&t.name).unwrap().description;
    assert!(
        kept.contains("Line one.") && kept.contains("\nLine two."),
        "{kept:?}"
    );
}

#[test]
fn examples_are_placeholders_and_a_due_offset_over_a_year_is_asked_about_first() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);

    // The new template's form shows examples, not values to delete; an empty due offset says
    // what to enter.
    let html = body(admin.get("/admin/templates/new", Some(&sam)));
    assert!(
        html.contains("name=\"group\" value=\"\" placeholder=\"e.g. Documents we need from you\""),
        "{html}"
    );
    assert!(
        html.contains("name=\"due\" value=\"\" placeholder=\"e.g. 14\""),
        "{html}"
    );
    let new = |due: &str, confirmed: &str| {
        admin.post(
            "/admin/templates/new",
            &sam,
            &[
                ("name", "Long lease"),
                ("description", ""),
                ("group", "Lease papers"),
                ("title", "Signed lease"),
                ("due", due),
                ("confirmed", confirmed),
            ],
        )
    };
    let refused = new("", "");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(refused).contains("Enter a number of days, e.g. 14"),
        "an empty due offset"
    );
    // 400 days asks first, and nothing is made until the answer.
    let asked = new("400", "");
    assert_eq!(asked.status(), StatusCode::OK);
    let html = body(asked);
    assert!(
        html.contains("The task would be due 400 days after the work&#x27;s start"),
        "{html}"
    );
    assert!(
        html.contains("<input type=\"hidden\" name=\"due\" value=\"400\">"),
        "{html}"
    );
    assert!(html.contains("<input type=\"hidden\" name=\"confirmed\" value=\"yes\">"));
    assert!(admin.docket.find_template("Long lease").is_err());
    let made = new("400", "yes");
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let t = admin.docket.find_template("Long lease").unwrap();
    assert_eq!(t.groups[0].tasks[0].due_offset_days, 400);

    // On a template's page: a task moved to -400 days asks too; 365 does not.
    let path = format!("/admin/templates/{}", t.id);
    let html = body(admin.get(&path, Some(&sam)));
    assert!(
        html.contains("placeholder=\"e.g. before=7,3; every=2\""),
        "{html}"
    );
    let task = |due: &str, confirmed: &str| {
        admin.post(
            &path,
            &sam,
            &[
                ("action", "task"),
                ("group", "0"),
                ("task", "0"),
                ("title", "Signed lease"),
                ("description", "Both pages."),
                ("due", due),
                ("confirmed", confirmed),
            ],
        )
    };
    let html = body(task("-400", ""));
    assert!(
        html.contains("400 days before the work&#x27;s start"),
        "{html}"
    );
    assert_eq!(
        admin.docket.find_template("Long lease").unwrap().groups[0].tasks[0].due_offset_days,
        400
    );
    assert_eq!(task("365", "").status(), StatusCode::SEE_OTHER);
    assert_eq!(
        admin.docket.find_template("Long lease").unwrap().groups[0].tasks[0].due_offset_days,
        365
    );
    assert_eq!(task("-400", "yes").status(), StatusCode::SEE_OTHER);
    assert_eq!(
        admin.docket.find_template("Long lease").unwrap().groups[0].tasks[0].due_offset_days,
        -400
    );

    // Tasks move with the up and down buttons, and work made afterwards keeps that order.
    let added = admin.post(
        &path,
        &sam,
        &[
            ("action", "add_task"),
            ("group", "0"),
            ("title", "Deposit receipt"),
            ("description", ""),
            ("due", "7"),
        ],
    );
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let html = body(admin.get(&path, Some(&sam)));
    assert!(
        html.contains("Move up<span class=\"visually-hidden\"> task 2 of group 1</span>"),
        "{html}"
    );
    let moved = admin.post(
        &path,
        &sam,
        &[("action", "task_up"), ("group", "0"), ("task", "1")],
    );
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    let work = admin
        .docket
        .create_work(
            docket_engine::model::NewWork {
                template: "Long lease".into(),
                title: None,
                external_name: None,
                start_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 2),
                assignee: None,
                contacts: vec!["ann@client.example".into()],
            },
            docket_engine::model::Actor::System,
        )
        .unwrap();
    let titles: Vec<&str> = work.groups[0]
        .tasks
        .iter()
        .map(|t| t.title.as_str())
        .collect();
    assert_eq!(titles, ["Deposit receipt", "Signed lease"]);
    let page = body(admin.get(&format!("/admin/work/{}", work.id), Some(&sam)));
    let at = |text: &str| page.find(text).unwrap_or_else(|| panic!("{text}: {page}"));
    assert!(at("Deposit receipt") < at("Signed lease"));
}

#[test]
fn a_groups_sending_rule_and_reminder_policy_suggest_the_plugins_the_server_has() {
    let admin = Admin::with_plugins();
    let sam = admin.browser(STAFF);
    let template = admin.docket.find_template("Year end").unwrap();
    let html = body(admin.get(&format!("/admin/templates/{}", template.id), Some(&sam)));
    assert!(
        html.contains("name=\"sending\" value=\"manual\" list=\"sending-rules\""),
        "{html}"
    );
    assert!(html.contains("list=\"reminder-policies\""), "{html}");
    let rules = &html[html.find("<datalist id=\"sending-rules\">").unwrap()..];
    let rules = &rules[..rules.find("</datalist>").unwrap()];
    assert!(rules.contains("<option value=\"manual\">"), "{rules}");
    assert!(rules.contains("<option value=\"relative\">"), "{rules}");
    assert!(
        !rules.contains("value=\"gentle\""),
        "policies are not rules: {rules}"
    );
    let policies = &html[html.find("<datalist id=\"reminder-policies\">").unwrap()..];
    let policies = &policies[..policies.find("</datalist>").unwrap()];
    assert!(policies.contains("<option value=\"gentle\">"), "{policies}");
    // A work item's group settings suggest the same.
    let work = body(admin.get(&format!("/admin/work/{}", admin.work), Some(&sam)));
    assert!(
        work.contains("name=\"sending\" value=\"manual\" list=\"sending-rules\""),
        "{work}"
    );
    assert!(work.contains("<option value=\"gentle\">"), "{work}");
}
