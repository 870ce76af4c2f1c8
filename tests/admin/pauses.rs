//! Reminders paused by staff until a date, from the work page, the contact page and the API,
//! a contact's own quiet days, and the template calendar's preview of a paused client.

use docket_engine::model::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Admin, STAFF, body, location};

#[test]
fn staff_pause_and_resume_a_work_items_reminders_from_its_page() {
    let admin = Admin::with_plugins();
    let sam = admin.browser(STAFF);
    let page = format!("/admin/work/{}", admin.work);
    let before = body(admin.get(&page, Some(&sam)));
    assert!(before.contains("Next reminder"), "{before}");
    assert!(!before.contains("held by the pause"), "{before}");
    // A day that is not one is refused next to the field, and nothing is paused.
    let refused = admin.post(
        &format!("{page}/pause"),
        &sam,
        &[("action", "pause"), ("until", "next week"), ("note", "")],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = body(refused);
    assert!(refused.contains(r#"id="pause-error""#), "{refused}");
    assert!(
        refused.contains("Until: next week is not a date: write it as YYYY-MM-DD."),
        "{refused}"
    );
    assert!(admin.docket.work(admin.work).unwrap().paused.is_none());

    let paused = admin.post(
        &format!("{page}/pause"),
        &sam,
        &[
            ("action", "pause"),
            ("until", "2026-03-20"),
            ("note", "client on holiday"),
        ],
    );
    assert_eq!(paused.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&paused), format!("{page}?notice=paused"));
    let shown = body(admin.get(&format!("{page}?notice=paused"), Some(&sam)));
    assert!(
        shown.contains("Reminders paused until 20 March 2026 (client on holiday)"),
        "{shown}"
    );
    assert!(
        shown.contains("held by the pause of this work&#x27;s reminders until 20 March 2026")
            || shown.contains("held by the pause of this work's reminders until 20 March 2026"),
        "{shown}"
    );
    assert!(shown.contains("Reminders on this work paused until 20 March 2026"));
    // The work list says so in the work's row, as it says a repeat.
    let list = body(admin.get("/admin/work", Some(&sam)));
    assert!(
        list.contains("<span class=\"hint\"><bdi>Reminders paused until 20 Mar 2026 (client on holiday)</bdi></span>"),
        "{list}"
    );
    // The pause form starts from the pause in force, and offers to lift it.
    for shown_in_form in [
        r#"id="pause" name="until" value="2026-03-20""#,
        r#"id="pause-note" name="note" value="client on holiday""#,
        "Resume reminders now",
        "Change the pause",
    ] {
        assert!(shown.contains(shown_in_form), "{shown_in_form}: {shown}");
    }
    let next = admin.docket.work(admin.work).unwrap().groups[0]
        .next
        .clone()
        .unwrap();
    assert!(
        next.at.get() >= super::utc("2026-03-20T00:00:00Z"),
        "{next:?}"
    );

    let resumed = admin.post(&format!("{page}/pause"), &sam, &[("action", "resume")]);
    assert_eq!(resumed.status(), StatusCode::SEE_OTHER);
    let shown = body(admin.get(&page, Some(&sam)));
    assert!(!shown.contains("held by the pause"), "{shown}");
    assert!(
        shown.contains("Reminders on this work resumed by staff"),
        "{shown}"
    );
    assert!(admin.docket.work(admin.work).unwrap().paused.is_none());
    let list = body(admin.get("/admin/work", Some(&sam)));
    assert!(!list.contains("Reminders paused until"), "{list}");
}

#[test]
fn staff_pause_a_contact_and_give_them_quiet_days_from_their_page() {
    let admin = Admin::with_plugins();
    let sam = admin.browser(STAFF);
    let ann = admin.docket.find_contact("ann@client.example").unwrap();
    let page = format!("/admin/contacts/{}", ann.id);
    let refused = admin.post(
        &page,
        &sam,
        &[("action", "pause"), ("until", "2026-03-01"), ("note", "")],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = body(refused);
    assert!(refused.contains(r#"id="edit-until-error""#), "{refused}");
    assert!(refused.contains("after today"), "{refused}");

    let paused = admin.post(
        &page,
        &sam,
        &[
            ("action", "pause"),
            ("until", "2026-04-01"),
            ("note", "away"),
        ],
    );
    assert_eq!(paused.status(), StatusCode::SEE_OTHER);
    // The notice says what was done, not merely "Saved.".
    let said = body(admin.get(&location(&paused), Some(&sam)));
    assert!(
        said.contains("Reminders paused until 1 Apr 2026."),
        "{said}"
    );
    assert!(!said.contains("Saved."), "{said}");
    let shown = body(admin.get(&page, Some(&sam)));
    assert!(
        shown.contains("Reminders paused until 1 April 2026 (away)"),
        "{shown}"
    );
    assert!(shown.contains("Resume reminders now"), "{shown}");
    // The work page says the recipient's pause holds the group.
    let work = body(admin.get(&format!("/admin/work/{}", admin.work), Some(&sam)));
    assert!(work.contains("until 1 April 2026"), "{work}");
    assert!(work.contains("the recipient"), "{work}");

    let saved = admin.post(
        &page,
        &sam,
        &[
            ("action", "save"),
            ("name", "Ann Archer"),
            ("email", "ann@client.example"),
            ("timezone", ""),
            ("holidays", "2026-05-13\n2026-05-14"),
        ],
    );
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let contact = admin.docket.find_contact("ann@client.example").unwrap();
    assert_eq!(contact.holidays.len(), 2);
    let shown = body(admin.get(&page, Some(&sam)));
    assert!(
        shown.contains("own quiet days 2026-05-13, 2026-05-14"),
        "{shown}"
    );
    let refused = admin.post(
        &page,
        &sam,
        &[
            ("action", "save"),
            ("name", "Ann Archer"),
            ("email", "ann@client.example"),
            ("timezone", ""),
            ("holidays", "Whit Monday"),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = body(refused);
    assert!(refused.contains(r#"id="edit-holidays-error""#), "{refused}");
    assert!(refused.contains("Whit Monday"), "{refused}");

    let resumed = admin.post(&page, &sam, &[("action", "resume")]);
    assert_eq!(resumed.status(), StatusCode::SEE_OTHER);
    assert!(
        admin
            .docket
            .find_contact("ann@client.example")
            .unwrap()
            .paused
            .is_none()
    );
    let said = body(admin.get(&location(&resumed), Some(&sam)));
    assert!(said.contains("Reminders resumed."), "{said}");
    // Resuming again: nothing was paused, and the page says so.
    let again = admin.post(&page, &sam, &[("action", "resume")]);
    let said = body(admin.get(&location(&again), Some(&sam)));
    assert!(said.contains("Nothing was paused"), "{said}");
}

#[test]
fn the_api_pauses_and_resumes_contacts_and_work_and_the_preview_shows_a_pause() {
    let admin = Admin::with_plugins();
    let token = admin.token(Role::Staff);
    let work = format!("/work/{}", admin.work);
    let (status, refused) = admin.api_with(
        &token,
        Method::PUT,
        &format!("{work}/pause"),
        Some(json!({"until": "2030-01-01"})),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("366 days"),
        "{refused}"
    );
    let (status, item) = admin.api_with(
        &token,
        Method::PUT,
        &format!("{work}/pause"),
        Some(json!({"until": "2026-03-20", "note": "away"})),
    );
    assert_eq!(status, StatusCode::OK, "{item}");
    assert_eq!(item["paused"]["until"], "2026-03-20");
    assert_eq!(item["paused"]["note"], "away");
    let (_, item) = admin.api_with(&token, Method::GET, &work, None);
    let next = item["groups"][0]["next"]["at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(next.as_str() >= "2026-03-20", "{item}");
    let (status, item) = admin.api_with(&token, Method::DELETE, &format!("{work}/pause"), None);
    assert_eq!(status, StatusCode::OK, "{item}");
    assert!(item.get("paused").is_none(), "{item}");
    let (_, timeline) = admin.api_with(&token, Method::GET, &format!("{work}/timeline"), None);
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"reminders_paused"), "{kinds:?}");
    assert!(kinds.contains(&"reminders_resumed"), "{kinds:?}");

    let contact = "/contacts/ann@client.example";
    // Before anything is set, the keys are there, empty, so scripts see they exist.
    let (_, fresh) = admin.api_with(&token, Method::GET, contact, None);
    assert_eq!(fresh["locale"], Value::Null, "{fresh}");
    assert_eq!(fresh["paused"], Value::Null, "{fresh}");
    assert_eq!(fresh["holidays"], json!([]), "{fresh}");
    assert!(
        ["locale", "paused", "holidays"]
            .iter()
            .all(|k| fresh.get(k).is_some()),
        "{fresh}"
    );
    let (status, ann) = admin.api_with(
        &token,
        Method::PUT,
        &format!("{contact}/pause"),
        Some(json!({"until": "2026-03-25"})),
    );
    assert_eq!(status, StatusCode::OK, "{ann}");
    assert_eq!(ann["paused"]["until"], "2026-03-25");
    let (status, ann) = admin.api_with(
        &token,
        Method::PATCH,
        contact,
        Some(json!({"holidays": ["2026-03-30"]})),
    );
    assert_eq!(status, StatusCode::OK, "{ann}");
    assert_eq!(ann["holidays"], json!(["2026-03-30"]));
    let (status, ann) = admin.api_with(&token, Method::DELETE, &format!("{contact}/pause"), None);
    assert_eq!(status, StatusCode::OK, "{ann}");
    assert_eq!(ann["paused"], Value::Null, "{ann}");

    // The calendar of a client away until 20 March: what falls before is held to that day.
    let (status, plain) = admin.api_with(
        &token,
        Method::GET,
        "/templates/Year%20end/preview?start=2026-03-02",
        None,
    );
    assert_eq!(status, StatusCode::OK, "{plain}");
    let (status, preview) = admin.api_with(
        &token,
        Method::GET,
        "/templates/Year%20end/preview?start=2026-03-02&paused_until=2026-03-20",
        None,
    );
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["paused_until"], "2026-03-20");
    let reminders = preview["groups"][0]["reminders"].as_array().unwrap();
    let first = &reminders[0];
    assert!(first["at"].as_str().unwrap() >= "2026-03-20", "{preview}");
    assert_eq!(first["held"]["reason"], "paused", "{preview}");
    assert!(
        reminders
            .iter()
            .all(|r| r["at"].as_str().unwrap() >= "2026-03-20"),
        "{preview}"
    );
    // Without the pause, reminders went before it.
    let plain_first = plain["groups"][0]["reminders"][0]["at"].as_str().unwrap();
    assert!(plain_first < "2026-03-20", "{plain}");
}
