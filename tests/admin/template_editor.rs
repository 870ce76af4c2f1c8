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
