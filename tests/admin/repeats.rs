//! Work that repeats, from the work page (a form; refusals next to their field), the work list
//! (which work repeats, and its next three dates) and the API (`PUT`/`DELETE
//! /api/work/{id}/repeat`, the next occurrences in `GET /api/work/{id}`).

use docket_engine::model::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Admin, STAFF, body, location};

#[test]
fn staff_set_change_and_stop_a_repeat_from_the_work_page_and_see_it_in_the_list() {
    let admin = Admin::with_plugins();
    let sam = admin.browser(STAFF);
    let page = format!("/admin/work/{}", admin.work);
    let form = |every: &'static str, day: &'static str| {
        vec![
            ("action", "set"),
            ("every", every),
            ("cron", ""),
            ("day", day),
            ("until", ""),
            ("title", "{contact} — VAT {quarter}"),
        ]
    };
    assert!(body(admin.get(&page, Some(&sam))).contains("Repeat this work"));
    // Day 32 is refused next to its field, and nothing is set.
    let refused = admin.post(&format!("{page}/repeat"), &sam, &form("quarter", "32"));
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = body(refused);
    assert!(refused.contains(r#"id="repeat-day-error""#), "{refused}");
    assert!(
        refused.contains("Day 32 is not a day of the month"),
        "{refused}"
    );
    // The form keeps what was typed, not the defaults.
    assert!(refused.contains(r#"value="32""#), "{refused}");
    assert!(
        refused.contains(r#"value="{contact} — VAT {quarter}""#),
        "{refused}"
    );
    assert!(
        refused.contains(r#"<option value="quarter" selected>"#),
        "{refused}"
    );
    assert!(admin.docket.work(admin.work).unwrap().repeat.is_none());
    // A cron expression firing every hour is refused next to the cron field, with every typed
    // value kept; the day the form holds is not read with a cron expression.
    let typed = [
        ("action", "set"),
        ("every", "cron"),
        ("cron", "0 * * * *"),
        ("day", "7"),
        ("until", "2027-01-31"),
        ("title", "{contact} payroll"),
    ];
    let refused = admin.post(&format!("{page}/repeat"), &sam, &typed);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = body(refused);
    assert!(refused.contains(r#"id="repeat-cron-error""#), "{refused}");
    assert!(
        refused.contains("“0 * * * *” would make work every 1 hour"),
        "{refused}"
    );
    assert!(!refused.contains("A day cannot go"), "{refused}");
    for kept in [
        r#"<option value="cron" selected>"#,
        r#"value="0 * * * *""#,
        r#"value="7""#,
        r#"value="2027-01-31""#,
        r#"value="{contact} payroll""#,
    ] {
        assert!(refused.contains(kept), "{kept}: {refused}");
    }
    assert!(admin.docket.work(admin.work).unwrap().repeat.is_none());

    let set = admin.post(&format!("{page}/repeat"), &sam, &form("quarter", "7"));
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&set), format!("{page}?notice=repeat-set"));
    let shown = body(admin.get(&page, Some(&sam)));
    assert!(shown.contains("Every quarter on day 7"), "{shown}");
    assert!(
        shown.contains("7 June 2026, 7 September 2026, 7 December 2026"),
        "{shown}"
    );
    let list = body(admin.get("/admin/work", Some(&sam)));
    assert!(
        list.contains("Repeats: 7 Jun 2026, 7 Sep 2026, 7 Dec 2026"),
        "{list}"
    );

    // Its first occurrence: made at the start of 7 June in the firm's zone (Dublin, UTC+1).
    admin.clock.set(super::utc("2026-06-06T23:00:00Z"));
    assert_eq!(admin.docket.tick().unwrap().repeats, 1);
    // Three months on, Sam signs in again.
    let sam = admin.browser(STAFF);
    let made = admin.docket.repeat_made(admin.work, 10).unwrap();
    assert_eq!(made.len(), 1);
    let made_page = body(admin.get(&format!("/admin/work/{}", made[0]), Some(&sam)));
    assert!(made_page.contains("Made from the repeat of"), "{made_page}");
    assert!(
        made_page.contains(&format!("href=\"{page}\"")),
        "{made_page}"
    );
    assert!(
        made_page.contains("Ann Archer — VAT Q2 2026"),
        "{made_page}"
    );
    let shown = body(admin.get(&page, Some(&sam)));
    assert!(
        shown.contains(&format!("href=\"/admin/work/{}\"", made[0])),
        "{shown}"
    );
    assert!(shown.contains("The repeat made"), "{shown}");

    // Changed, then stopped: each on the timeline.
    let changed = admin.post(&format!("{page}/repeat"), &sam, &form("month", ""));
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    let shown = body(admin.get(&page, Some(&sam)));
    assert!(shown.contains("Every month on day 2"), "{shown}");
    assert!(shown.contains("Repeat changed"), "{shown}");
    let stopped = admin.post(&format!("{page}/repeat"), &sam, &[("action", "stop")]);
    assert_eq!(location(&stopped), format!("{page}?notice=repeat-stopped"));
    let shown = body(admin.get(&page, Some(&sam)));
    assert!(shown.contains("Repeat stopped by staff"), "{shown}");
    assert!(admin.docket.work(admin.work).unwrap().repeat.is_none());
    assert!(!body(admin.get("/admin/work", Some(&sam))).contains("Repeats:"));
    // Stopped again: nothing was repeating, and the page says so.
    let again = admin.post(&format!("{page}/repeat"), &sam, &[("action", "stop")]);
    assert_eq!(location(&again), format!("{page}?notice=repeat-none"));
    let shown = body(admin.get(&format!("{page}?notice=repeat-none"), Some(&sam)));
    assert!(shown.contains("This work was not repeating"), "{shown}");
    // An empty cron expression asks for one, beside its field.
    let empty = admin.post(
        &format!("{page}/repeat"),
        &sam,
        &[
            ("action", "set"),
            ("every", "cron"),
            ("cron", " "),
            ("day", ""),
            ("until", ""),
            ("title", ""),
        ],
    );
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let shown = body(empty);
    assert!(shown.contains("id=\"repeat-cron-error\""), "{shown}");
    assert!(shown.contains("Enter a cron expression"), "{shown}");
    // Switching to a cron expression with the day still in the form: the day is not read.
    let cron = [
        ("action", "set"),
        ("every", "cron"),
        ("cron", "0 6 1 * *"),
        ("day", "2"),
        ("until", ""),
        ("title", ""),
    ];
    let set = admin.post(&format!("{page}/repeat"), &sam, &cron);
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    let repeat = admin.docket.work(admin.work).unwrap().repeat.unwrap();
    assert_eq!((repeat.every.as_str(), repeat.day), ("0 6 1 * *", None));
}

#[test]
fn the_api_sets_shows_and_stops_a_repeat_and_names_the_field_it_refuses() {
    let admin = Admin::with_plugins();
    let token = admin.token(Role::Staff);
    let work = format!("/work/{}", admin.work);
    for (body, words) in [
        (json!({"every": "fortnightly"}), "every must be"),
        (json!({"every": "* * *"}), "every must be"),
        (json!({"every": "month", "day": 0}), "day 0"),
        (json!({"every": "month", "day": 32}), "day 32"),
        (json!({"every": "0 6 1 * *", "day": 3}), "a day cannot go"),
        (
            json!({"every": "*/5 * * * *"}),
            "`*/5 * * * *` would make work every 5 minutes",
        ),
        (
            json!({"every": "year", "until": "2026-03-01"}),
            "until 2026-03-01 is in the past",
        ),
    ] {
        let (status, refused) =
            admin.api_with(&token, Method::PUT, &format!("{work}/repeat"), Some(body));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        let error = refused["error"].as_str().unwrap();
        assert!(error.contains(words), "{error}");
    }
    let (status, item) = admin.api_with(
        &token,
        Method::PUT,
        &format!("{work}/repeat"),
        Some(json!({"every": "0 6 1 * *", "until": "2026-12-31"})),
    );
    assert_eq!(status, StatusCode::OK, "{item}");
    assert_eq!(item["repeat"]["every"], "0 6 1 * *");
    let (_, item) = admin.api_with(&token, Method::GET, &work, None);
    let next: Vec<&str> = item["repeat"]["next"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["start_date"].as_str().unwrap())
        .collect();
    assert_eq!(next, ["2026-04-01", "2026-05-01", "2026-06-01"]);
    // 06:00 in Dublin, on summer time.
    assert_eq!(item["repeat"]["next"][0]["at"], "2026-04-01T05:00:00Z");
    let (status, item) = admin.api_with(&token, Method::DELETE, &format!("{work}/repeat"), None);
    assert_eq!(status, StatusCode::OK, "{item}");
    assert!(item.get("repeat").is_none(), "{item}");
    let (_, timeline) = admin.api_with(&token, Method::GET, &format!("{work}/timeline"), None);
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"repeat_set"), "{kinds:?}");
    assert!(kinds.contains(&"repeat_stopped"), "{kinds:?}");

    // The template preview gives the start dates such a repeat would make work on.
    let (status, preview) = admin.api_with(
        &token,
        Method::GET,
        "/templates/Year%20end/preview?start=2026-03-02&every=quarter&day=31",
        None,
    );
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(
        preview["repeats"],
        json!(["2026-06-30", "2026-09-30", "2026-12-31"])
    );
    let (status, plain) = admin.api_with(
        &token,
        Method::GET,
        "/templates/Year%20end/preview?start=2026-03-02",
        None,
    );
    assert_eq!(status, StatusCode::OK, "{plain}");
    assert!(plain.get("repeats").is_none(), "{plain}");
    let (status, refused) = admin.api_with(
        &token,
        Method::GET,
        "/templates/Year%20end/preview?start=2026-03-02&every=weekly",
        None,
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("every must be"),
        "{refused}"
    );
}

#[test]
fn dates_that_do_not_exist_and_loose_values_are_refused_or_read_in_one_wording() {
    let admin = Admin::with_plugins();
    let token = admin.token(Role::Staff);
    let work = format!("/work/{}", admin.work);
    let refused = |method: Method, path: &str, body: Option<serde_json::Value>| {
        let (status, refused) = admin.api_with(&token, method, path, body);
        // A query string that cannot be read is a bad request; a body, unprocessable.
        assert!(
            [StatusCode::UNPROCESSABLE_ENTITY, StatusCode::BAD_REQUEST].contains(&status),
            "{path}: {status} {refused}"
        );
        refused["error"].as_str().unwrap().to_string()
    };
    // The same words wherever a date is read: a JSON field, a query parameter, a text field.
    assert_eq!(
        refused(
            Method::POST,
            "/work",
            Some(
                json!({"template": "Year end", "start_date": "2027-02-30", "contacts": ["x@y.example"]})
            )
        ),
        "start_date: 2027-02-30 is not a date: February 2027 has 28 days"
    );
    assert_eq!(
        refused(
            Method::POST,
            "/work",
            Some(
                json!({"template": "Year end", "start_date": "30/02/2027", "contacts": ["x@y.example"]})
            )
        ),
        "start_date: 30/02/2027 is not a date: write it as YYYY-MM-DD"
    );
    assert_eq!(
        refused(
            Method::GET,
            "/templates/Year%20end/preview?start=2027-02-30",
            None
        ),
        "start: 2027-02-30 is not a date: February 2027 has 28 days"
    );
    assert_eq!(
        refused(
            Method::PUT,
            &format!("{work}/repeat"),
            Some(json!({"every": "month", "until": "2027-02-29"}))
        ),
        "until: 2027-02-29 is not a date: February 2027 has 28 days"
    );
    // A pause in the preview must be after today (2 March 2026 here), as a pause is.
    assert_eq!(
        refused(
            Method::GET,
            "/templates/Year%20end/preview?start=2026-03-02&paused_until=2026-03-01",
            None
        ),
        "paused_until: 2026-03-01 is not after today (2026-03-02); a client's reminders can be paused only until a later day"
    );
    // Nor further than a pause may last.
    assert_eq!(
        refused(
            Method::GET,
            "/templates/Year%20end/preview?start=2026-03-02&paused_until=2028-01-01",
            None
        ),
        "paused_until: a pause may last 366 days at most; 2028-01-01 is 670 days away (check the year)"
    );
    let sam = admin.browser(STAFF);
    let page = body(admin.get(
        "/admin/templates/Year%20end?start=2026-03-02&paused_until=2026-03-02",
        Some(&sam),
    ));
    assert!(
        page.contains(r#"id="paused-error">Paused until: 2026-03-02 is not after today"#),
        "{page}"
    );
    // A day given as text is read; one that is not a number says so, naming `day`.
    assert_eq!(
        refused(
            Method::PUT,
            &format!("{work}/repeat"),
            Some(json!({"every": "month", "day": "five"}))
        ),
        "day: five is not a whole number from 1 to 31"
    );
    let (status, item) = admin.api_with(
        &token,
        Method::PUT,
        &format!("{work}/repeat"),
        Some(json!({"every": "MONTH", "day": "5"})),
    );
    assert_eq!(status, StatusCode::OK, "{item}");
    assert_eq!(item["repeat"]["every"], "month");
    assert_eq!(item["repeat"]["day"], 5);
}
