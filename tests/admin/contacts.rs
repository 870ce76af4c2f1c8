//! Contacts in the admin and the JSON API: the paged list and search, adding one, editing
//! (an email change ends the old address's access, said on the page and the timelines),
//! archive and restore, the contact's page — and bad input refused by the field, nothing
//! changed.

use docket_engine::model::{Actor, NewContact, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Admin, STAFF, body, client, location};

impl Admin {
    fn contact_api(
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
}

/// The text of the message an input is described by (it must be marked invalid).
fn error_of(html: &str, input_id: &str) -> String {
    let at = html
        .find(&format!("id=\"{input_id}\""))
        .unwrap_or_else(|| panic!("no input {input_id} in {html}"));
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
    let error_id = format!("{input_id}-error");
    assert!(tag.contains(&error_id), "{tag}");
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
fn staff_list_search_add_and_edit_contacts() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    for n in 0..55 {
        admin
            .docket
            .create_contact(
                NewContact {
                    name: format!("Client {n:02}"),
                    email: format!("c{n:02}@clients.example"),
                    timezone: None,
                    locale: None,
                },
                Actor::System,
            )
            .unwrap();
    }
    // Paged: 50, then the rest.
    let first = body(admin.get("/admin/contacts", Some(&sam)));
    assert!(first.contains("aria-current=\"page\">Contacts"), "{first}");
    assert_eq!(
        first.matches("<tr><td><a href=\"/admin/contacts/").count(),
        50
    );
    let next_at = first
        .find("<a href=\"/admin/contacts?q=")
        .expect("a next page")
        + 9;
    let next = first[next_at..next_at + first[next_at..].find('"').unwrap()].replace("&amp;", "&");
    let second = body(admin.get(&next, Some(&sam)));
    assert_eq!(
        second.matches("<tr><td><a href=\"/admin/contacts/").count(),
        6
    );
    // Search by part of a name or an email.
    let found = body(admin.get("/admin/contacts?q=ARCH", Some(&sam)));
    assert!(found.contains("><bdi>Ann Archer</bdi></a>"), "{found}");
    assert_eq!(found.matches("<tr><td>").count(), 1);
    let found = body(admin.get("/admin/contacts?q=c07%40", Some(&sam)));
    assert!(found.contains("><bdi>Client 07</bdi></a>"), "{found}");
    assert_eq!(found.matches("<tr><td>").count(), 1);

    // Adding: a bad address is refused by its field with the values kept.
    let count = || admin.docket.list_contacts(None, 1000).unwrap().len();
    let before = count();
    let refused = admin.post(
        "/admin/contacts",
        &sam,
        &[
            ("name", "Dee Doe"),
            ("email", "dee at example"),
            ("timezone", ""),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(!error_of(&html, "new-email").is_empty(), "{html}");
    // The message echoes the address as typed, not lower-cased.
    let refused = admin.post(
        "/admin/contacts",
        &sam,
        &[
            ("name", "Hal"),
            ("email", "Hal <hal@example.com>"),
            ("timezone", ""),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let message = error_of(&body(refused), "new-email");
    assert!(
        message.contains("“Hal &lt;hal@example.com&gt;” is not an email address")
            && message.contains("write the address alone, e.g. hal@example.com"),
        "{message}"
    );
    assert_eq!(value_of(&html, "new-name"), "Dee Doe");
    let refused = admin.post(
        "/admin/contacts",
        &sam,
        &[
            ("name", "Dee Doe"),
            ("email", "dee@example.com"),
            ("timezone", "Moon/Base"),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error_of(&body(refused), "new-timezone")
            .contains("“Moon/Base” is not a time zone Docket knows; write one like Europe/London."),
    );
    // An empty address says what to enter, once, not that nothing is not an address.
    let refused = admin.post(
        "/admin/contacts",
        &sam,
        &[("name", "Dee Doe"), ("email", " "), ("timezone", "")],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        error_of(&html, "new-email").contains("Enter an email address"),
        "{html}"
    );
    assert_eq!(html.matches("nter an email address").count(), 1, "{html}");
    assert!(!html.contains("is not an email address"), "{html}");
    assert_eq!(count(), before);
    let added = admin.post(
        "/admin/contacts",
        &sam,
        &[
            ("name", "Dee Doe"),
            ("email", "dee@example.com"),
            ("timezone", "Europe/Paris"),
        ],
    );
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert_eq!(count(), before + 1);

    // Ann's page: her work, her portal state, her timeline.
    let ann = admin.docket.find_contact("ann@client.example").unwrap();
    let page = format!("/admin/contacts/{}", ann.id);
    let html = body(admin.get(&page, Some(&sam)));
    assert!(html.contains("Archer — 2025 accounts"), "{html}");
    assert!(
        html.contains("Not signed in to the client account"),
        "{html}"
    );
    assert!(
        html.contains("Contact Ann Archer &lt;ann@client.example&gt; created"),
        "{html}"
    );

    // Editing: a taken address is refused by the field; nothing changes.
    let refused = admin.post(
        &page,
        &sam,
        &[
            ("action", "save"),
            ("name", "Ann Archer"),
            ("email", "c01@clients.example"),
            ("timezone", ""),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        error_of(&html, "edit-email").contains("already exists"),
        "{html}"
    );
    assert_eq!(value_of(&html, "edit-email"), "c01@clients.example");
    assert_eq!(admin.docket.contact(ann.id).unwrap(), ann);

    let saved = admin.post(
        &page,
        &sam,
        &[
            ("action", "save"),
            ("name", "Ann Archer"),
            ("email", "ann@new.example"),
            ("timezone", "Europe/Dublin"),
        ],
    );
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let html = body(admin.get(&location(&saved), Some(&sam)));
    assert!(
        html.contains("links, bound devices and client-account sign-ins were ended"),
        "{html}"
    );
    let moved = admin.docket.contact(ann.id).unwrap();
    assert_eq!(moved.email, "ann@new.example");
    assert_eq!(moved.timezone.unwrap().name(), "Europe/Dublin");
    let said = admin.docket.work_timeline(admin.work, 50).unwrap();
    assert!(said.iter().any(|e| e.summary.contains("ann@new.example")));

    // Archive and restore.
    admin.post(&page, &sam, &[("action", "archive")]);
    assert!(admin.docket.contact(ann.id).unwrap().archived_at.is_some());
    assert!(body(admin.get(&page, Some(&sam))).contains("Archived: no portal access"));
    admin.post(&page, &sam, &[("action", "restore")]);
    assert!(admin.docket.contact(ann.id).unwrap().archived_at.is_none());
}

#[test]
fn contacts_are_searched_and_edited_over_the_api() {
    let admin = Admin::start();
    let get = reqwest::Method::GET;
    let patch = reqwest::Method::PATCH;
    let (status, found) = admin.contact_api(get.clone(), "/contacts?q=archer", None, true);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found[0]["email"], "ann@client.example");
    let (_, none) = admin.contact_api(get.clone(), "/contacts?q=nobody", None, true);
    assert_eq!(none, json!([]));

    // By email or id; unauthenticated and bad edits change nothing.
    let ann = admin.docket.find_contact("ann@client.example").unwrap();
    let path = "/contacts/ann@client.example";
    let (status, _) = admin.contact_api(patch.clone(), path, Some(json!({"name": "X"})), false);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for bad in [
        json!({"email": "nope"}),
        json!({"timezone": "Nowhere/Land"}),
        json!({"name": ""}),
        json!({"colour": "red"}),
    ] {
        let (status, answer) = admin.contact_api(patch.clone(), path, Some(bad.clone()), true);
        assert!(status.is_client_error(), "{bad}: {status} {answer}");
        assert!(answer["error"].is_string(), "{answer}");
    }
    assert_eq!(admin.docket.contact(ann.id).unwrap(), ann);
    // A language Docket lacks: the refusal names the field, as `PATCH /api/settings` does.
    let (status, answer) =
        admin.contact_api(patch.clone(), path, Some(json!({"locale": "xx"})), true);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.starts_with("locale: `xx` is not a language Docket has"),
        "{error}"
    );
    let new = json!({"name": "Xavier", "email": "x@client.example", "locale": "xx"});
    let (status, answer) = admin.contact_api(reqwest::Method::POST, "/contacts", Some(new), true);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.starts_with("locale: `xx` is not a language"),
        "{error}"
    );
    assert!(admin.docket.find_contact("x@client.example").is_err());
    assert_eq!(admin.docket.contact(ann.id).unwrap(), ann);

    let (status, answer) = admin.contact_api(
        patch,
        &format!("/contacts/{}", ann.id),
        Some(json!({"name": "Ann Archer-Bell", "email": "ann@new.example"})),
        true,
    );
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["email"], "ann@new.example");
    let (status, portal) =
        admin.contact_api(get.clone(), "/contacts/ann@new.example/portal", None, true);
    assert_eq!(status, StatusCode::OK, "{portal}");
    assert_eq!(portal["sessions"], 0);
    let (status, timeline) =
        admin.contact_api(get, "/contacts/ann@new.example/timeline", None, true);
    assert_eq!(status, StatusCode::OK);
    assert!(
        timeline.to_string().contains("ann@new.example"),
        "{timeline}"
    );
}

/// A contact's name that opens a right-to-left override: the admin's pages isolate it and close
/// the override after it, so the rest of the row reads as written.
#[test]
fn a_name_with_a_bidi_override_is_isolated_on_the_admin_pages() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    admin
        .docket
        .create_contact(
            NewContact {
                name: "Eve \u{202E}live".into(),
                email: "eve@client.example".into(),
                timezone: None,
                locale: None,
            },
            Actor::System,
        )
        .unwrap();
    let list = body(admin.get("/admin/contacts?q=eve", Some(&sam)));
    assert!(
        list.contains("<bdi>Eve \u{202E}live\u{202C}</bdi>"),
        "{list}"
    );
    assert!(!list.contains("Eve \u{202E}live<"), "{list}");
}

/// A contact's language is chosen from the languages Docket has, kept, shown chosen, and a
/// language Docket lacks (a forged form) is refused next to the field, changing nothing.
#[test]
fn staff_choose_a_contacts_language_and_one_docket_lacks_is_refused_by_the_field() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let html = body(admin.get("/admin/contacts", Some(&sam)));
    for option in [
        r#"<option value="" selected>The firm's</option>"#,
        r#"<option value="fr">Français</option>"#,
        r#"<option value="de">Deutsch</option>"#,
    ] {
        assert!(html.contains(option), "no {option} in {html}");
    }
    let refused = admin.post(
        "/admin/contacts",
        &sam,
        &[
            ("name", "Lea Roth"),
            ("email", "lea@client.example"),
            ("timezone", ""),
            ("locale", "tlh"),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    let message = error_of(&html, "new-locale");
    assert!(
        message.contains("“tlh” is not a language") && message.contains("de (Deutsch)"),
        "{message}"
    );
    assert!(admin.docket.find_contact("lea@client.example").is_err());
    let added = admin.post(
        "/admin/contacts",
        &sam,
        &[
            ("name", "Lea Roth"),
            ("email", "lea@client.example"),
            ("timezone", ""),
            ("locale", "de"),
        ],
    );
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let lea = admin.docket.find_contact("lea@client.example").unwrap();
    assert_eq!(lea.locale.as_deref(), Some("de"));
    let page = body(admin.get(&location(&added), Some(&sam)));
    assert!(
        page.contains(r#"<option value="de" selected>Deutsch</option>"#),
        "{page}"
    );
}

#[test]
fn the_contact_forms_say_every_wrong_field_at_once_keeping_what_was_typed() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    // Adding: no name, a bad email and an unknown timezone, all said beside their inputs.
    let refused = admin.post(
        "/admin/contacts",
        &sam,
        &[
            ("name", " "),
            ("email", "not-an-address"),
            ("timezone", "Moon/Base"),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(error_of(&html, "new-name") == "Enter a name.", "{html}");
    assert!(
        error_of(&html, "new-email").contains("is not an email address"),
        "{html}"
    );
    assert!(
        error_of(&html, "new-timezone").contains("not a time zone Docket knows"),
        "{html}"
    );
    assert_eq!(value_of(&html, "new-email"), "not-an-address");
    assert_eq!(value_of(&html, "new-timezone"), "Moon/Base");
    assert!(admin.docket.find_contact("not-an-address").is_err());

    // Editing: a bad email, an unknown timezone and a day that is not one, all at once;
    // nothing changes.
    let ann = admin.docket.find_contact("ann@client.example").unwrap();
    let page = format!("/admin/contacts/{}", ann.id);
    let refused = admin.post(
        &page,
        &sam,
        &[
            ("action", "save"),
            ("name", ann.name.as_str()),
            ("email", "ann@"),
            ("timezone", "Mars/Olympus"),
            ("holidays", "2027-02-30"),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        error_of(&html, "edit-email").contains("not an email address"),
        "{html}"
    );
    assert!(
        error_of(&html, "edit-timezone").contains("not a time zone Docket knows"),
        "{html}"
    );
    assert!(html.contains("id=\"edit-holidays-error\""), "{html}");
    assert_eq!(value_of(&html, "edit-timezone"), "Mars/Olympus");
    let kept = admin.docket.find_contact("ann@client.example").unwrap();
    assert_eq!(kept, ann);

    // A name too long is said beside it, without naming the contact the form is of.
    let long = "x".repeat(300);
    let refused = admin.post(
        &page,
        &sam,
        &[
            ("action", "save"),
            ("name", long.as_str()),
            ("email", ann.email.as_str()),
            ("timezone", ""),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert_eq!(
        error_of(&html, "edit-name"),
        "A name may be at most 200 characters.",
        "{html}"
    );
}
