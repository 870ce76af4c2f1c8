//! The firm's settings, edited by admins in the admin and through `/api/settings`: good input
//! saved, bad input refused field by field with nothing changed, staff refused, and keys the
//! configuration sets shown read-only, naming the key.

use docket_engine::config::FirmConfig;
use docket_engine::model::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{ADMIN, Admin, STAFF, body, location};

const GOOD: [(&str, &str); 9] = [
    ("name", "Smith & Daughters"),
    ("timezone", "America/New_York"),
    ("send_time", "10:30"),
    ("send_schedule", "30 10 * * MON-FRI"),
    ("holidays", "2026-12-25\n2026-12-26\n"),
    ("sub_planned", ""),
    ("sub_waiting_on_client", "chased\nover reminder limit"),
    ("sub_in_progress", "review"),
    ("sub_completed", ""),
];

#[test]
fn an_admin_changes_the_settings_and_bad_input_changes_nothing() {
    let admin = Admin::start();
    let ada = admin.browser(ADMIN);
    let saved = admin.post("/admin/settings", &ada, &GOOD);
    assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{}", body(saved));
    assert_eq!(location(&saved), "/admin/settings?notice=saved");
    let firm = admin.docket.firm_settings().unwrap();
    assert_eq!(firm.name, "Smith & Daughters");
    assert_eq!(firm.timezone.name(), "America/New_York");
    assert_eq!(firm.send_time.format("%H:%M").to_string(), "10:30");
    assert_eq!(firm.send_schedule.as_deref(), Some("30 10 * * MON-FRI"));
    assert_eq!(firm.holidays.len(), 2);
    assert_eq!(
        firm.sub_statuses["waiting_on_client"],
        ["chased", "over reminder limit"]
    );
    assert_eq!(firm.sub_statuses["in_progress"], ["review"]);
    assert!(!firm.sub_statuses.contains_key("planned"));
    let html = body(admin.get("/admin/settings?notice=saved", Some(&ada)));
    assert!(html.contains("The settings are saved"), "{html}");
    assert!(html.contains("value=\"America/New_York\""), "{html}");
    assert!(
        html.contains("Smith &amp; Daughters"),
        "the firm's new name: {html}"
    );

    let mut bad = GOOD;
    bad[1] = ("timezone", "Mars/Olympus");
    bad[2] = ("send_time", "25:00");
    bad[4] = ("holidays", "2026-12-25\nChristmas");
    let refused = admin.post("/admin/settings", &ada, &bad);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    for (field, message) in [
        ("timezone", "is not an IANA timezone"),
        ("send_time", "write HH:MM"),
        (
            "holidays",
            "Christmas is not a date: write it as YYYY-MM-DD",
        ),
    ] {
        assert!(
            html.contains(&format!("<p class=\"error\" id=\"{field}-error\">")),
            "{field}: {html}"
        );
        assert!(
            html.contains(&format!("aria-describedby=\"{field}-hint {field}-error\"")),
            "{field}: {html}"
        );
        assert!(html.contains(message), "{message}: {html}");
    }
    assert!(html.contains("value=\"Mars/Olympus\""), "typed values kept");
    assert!(html.contains("Christmas"), "typed values kept");
    assert!(!html.contains("id=\"name-error\""), "{html}");
    assert_eq!(
        admin.docket.firm_settings().unwrap(),
        firm,
        "nothing changed"
    );

    // A schedule that never sends at the send time is refused next to the schedule, saying
    // which times it does send at.
    let mut apart = GOOD;
    apart[3] = ("send_schedule", "0 9 * * MON-FRI");
    let refused = admin.post("/admin/settings", &ada, &apart);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        html.contains(r#"<p class="error" id="send_schedule-error">"#),
        "{html}"
    );
    assert!(
        html.contains("is not a time the send schedule “0 9 * * MON-FRI” sends at (09:00)"),
        "{html}"
    );
    assert_eq!(admin.docket.firm_settings().unwrap(), firm);

    // A sub-status name under two statuses is refused next to the field, nothing changed:
    // a hook sets a sub-status by its name alone.
    let mut twice = GOOD;
    twice[7] = ("sub_in_progress", "review\nchased");
    let refused = admin.post("/admin/settings", &ada, &twice);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        html.contains("<p class=\"error\" id=\"sub_in_progress-error\">"),
        "{html}"
    );
    assert!(
        html.contains("aria-describedby=\"sub-hint sub_in_progress-error\""),
        "{html}"
    );
    assert!(html.contains("is already a sub-status of"), "{html}");
    assert!(
        html.contains("review\nchased</textarea>"),
        "typed values kept"
    );
    assert_eq!(admin.docket.firm_settings().unwrap(), firm);

    // An empty name is refused too.
    let mut nameless = GOOD;
    nameless[0] = ("name", "  ");
    let refused = admin.post("/admin/settings", &ada, &nameless);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(refused).contains("The firm needs a name."));
    assert_eq!(admin.docket.firm_settings().unwrap(), firm);
}

#[test]
fn staff_and_forged_forms_cannot_change_the_settings() {
    let admin = Admin::start();
    let before = admin.docket.firm_settings().unwrap();
    let sam = admin.browser(STAFF);
    let refused = admin.post("/admin/settings", &sam, &GOOD);
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let ada = admin.browser(ADMIN);
    let mut fields = vec![("form_token", "forged")];
    fields.extend_from_slice(&GOOD);
    let forged = admin.post_raw(
        "/admin/settings",
        Some(&ada.cookie),
        Some(&admin.base),
        &fields,
    );
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let mut fields = vec![("form_token", ada.token.as_str())];
    fields.extend_from_slice(&GOOD);
    let foreign = admin.post_raw(
        "/admin/settings",
        Some(&ada.cookie),
        Some("https://evil.example"),
        &fields,
    );
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert_eq!(admin.docket.firm_settings().unwrap(), before);
}

#[test]
fn keys_the_configuration_sets_are_shown_read_only() {
    let admin = Admin::start();
    let firm = FirmConfig {
        name: "Smith & Co".into(),
        timezone: "Europe/Dublin".into(),
        explicit: vec!["timezone".into()],
        ..FirmConfig::default()
    };
    admin.docket.apply_config(&firm, &admin.base).unwrap();
    let ada = admin.browser(ADMIN);
    let html = body(admin.get("/admin/settings", Some(&ada)));
    assert!(
        html.contains("set by “firm.timezone” in the configuration (or DOCKET_FIRM_TIMEZONE)"),
        "{html}"
    );
    let start = html.find("id=\"timezone\"").unwrap();
    let input = &html[start..start + html[start..].find('>').unwrap()];
    assert!(input.contains(" disabled"), "{input}");
    assert!(input.contains("timezone-pinned"), "{input}");
    // The form leaves it out (disabled fields are not posted): the rest is saved.
    let without: Vec<(&str, &str)> = GOOD.into_iter().filter(|(k, _)| *k != "timezone").collect();
    let saved = admin.post("/admin/settings", &ada, &without);
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        admin.docket.firm_settings().unwrap().timezone.name(),
        "Europe/Dublin"
    );
    // Sent anyway with another value, it is refused, naming the key.
    let before = admin.docket.firm_settings().unwrap();
    let refused = admin.post("/admin/settings", &ada, &GOOD);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(refused).contains("Set by “firm.timezone”"));
    assert_eq!(admin.docket.firm_settings().unwrap(), before);
}

#[test]
fn the_settings_through_the_api() {
    let admin = Admin::start();
    let root = admin.token(Role::Admin);
    let staff = admin.token(Role::Staff);
    let (status, shown) = admin.api_with(&root, Method::GET, "/settings", None);
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["settings"]["timezone"], "Europe/Dublin");
    assert_eq!(shown["pinned"], json!([]));

    let (status, changed) = admin.api_with(
        &root,
        Method::PATCH,
        "/settings",
        Some(json!({"send_time": "08:15", "holidays": ["2026-12-25"]})),
    );
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        changed["settings"]["send_time"], "08:15",
        "HH:MM, as it is set"
    );
    assert_eq!(
        changed["settings"]["timezone"], "Europe/Dublin",
        "the rest kept"
    );
    let before = admin.docket.firm_settings().unwrap();

    for bad in [
        json!({"send_time": "8 o'clock"}),
        json!({"timezone": "Mars/Olympus", "name": "Other"}),
        json!({"holidays": ["25/12/2026"]}),
        json!({"colour": "blue"}),
    ] {
        let (status, error) = admin.api_with(&root, Method::PATCH, "/settings", Some(bad.clone()));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {error}");
    }
    let (_, error) = admin.api_with(
        &root,
        Method::PATCH,
        "/settings",
        Some(json!({"holidays": ["25/12/2026"]})),
    );
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("25/12/2026 is not a date: write it as YYYY-MM-DD"),
        "{error}"
    );
    for method in [Method::GET, Method::PATCH] {
        let (status, _) = admin.api_with(
            &staff,
            method.clone(),
            "/settings",
            Some(json!({"name": "Staff firm"})),
        );
        assert_eq!(status, StatusCode::FORBIDDEN, "{method}");
        let (status, _) =
            admin.api_with("dkt_nope", method, "/settings", Some(json!({"name": "X"})));
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        admin.docket.firm_settings().unwrap(),
        before,
        "nothing changed"
    );
}

#[test]
fn admins_read_the_outbox_with_the_clients_link_replaced() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    assert_eq!(
        admin.get("/admin/outbox", Some(&sam)).status(),
        StatusCode::FORBIDDEN
    );
    let ada = admin.browser(ADMIN);
    let html = body(admin.get("/admin/outbox", Some(&ada)));
    let sent = admin.docket.outbox(None, 10).unwrap();
    let request = sent.iter().find(|m| m.work == Some(admin.work)).unwrap();
    assert!(
        html.contains(&format!("href=\"/admin/outbox/{}\"", request.id)),
        "{html}"
    );
    assert!(
        html.contains("ann@client.example") && html.contains("Queued"),
        "{html}"
    );

    let page = admin.get(&format!("/admin/outbox/{}", request.id), Some(&ada));
    assert_eq!(page.status(), StatusCode::OK);
    let html = body(page);
    let link = &request.context.link;
    assert!(link.contains("/c/"), "{link}");
    let token = link.rsplit('/').next().unwrap();
    assert!(
        !html.contains(token),
        "the client's secret is shown: {html}"
    );
    assert!(
        html.contains("the client&#x27;s link") || html.contains("the client's link"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "href=\"/admin/work/{}/groups/0/as-client\"",
            admin.work
        )),
        "{html}"
    );
    assert!(html.contains("ann@client.example"), "{html}");
    assert!(html.contains("Bank statements"), "the body: {html}");
    assert_eq!(
        admin.get("/admin/outbox/nonsense", Some(&ada)).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin
            .get("/admin/outbox/01ARZ3NDEKTSV4RRFFQ69G5FAV", Some(&ada))
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn an_admin_sends_themselves_a_test_email() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let before = admin.docket.outbox(None, 100).unwrap().len();
    assert_eq!(
        admin.post("/admin/settings/test-email", &sam, &[]).status(),
        StatusCode::FORBIDDEN
    );
    let ada = admin.browser(ADMIN);
    let forged = admin.post_raw(
        "/admin/settings/test-email",
        Some(&ada.cookie),
        Some(&admin.base),
        &[("form_token", "forged")],
    );
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(admin.docket.outbox(None, 100).unwrap().len(), before);
    let html = body(admin.get("/admin/settings", Some(&ada)));
    assert!(
        html.contains("Send a test email to ada@firm.example"),
        "{html}"
    );
    let queued = admin.post("/admin/settings/test-email", &ada, &[]);
    assert_eq!(queued.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&queued), "/admin/settings?notice=test-queued");
    let test = admin
        .docket
        .outbox(None, 100)
        .unwrap()
        .into_iter()
        .find(|m| m.key.starts_with("test/"))
        .expect("a test email");
    assert_eq!(test.to, ADMIN);
    assert!(test.subject.unwrap().contains("Test email"));
}

#[test]
fn only_admins_see_the_plugins() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    assert_eq!(
        admin.get("/admin/plugins", Some(&sam)).status(),
        StatusCode::FORBIDDEN
    );
    let ada = admin.browser(ADMIN);
    let page = admin.get("/admin/plugins", Some(&ada));
    assert_eq!(page.status(), StatusCode::OK);
    let html = body(page);
    assert!(html.contains("[plugins.grants]"), "{html}");
    assert!(html.contains("without a plugin host"), "{html}");
    let ada_token = admin.token(Role::Admin);
    let (status, served) = admin.api_with(&ada_token, Method::GET, "/plugins", None);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(served, serde_json::json!({ "plugins": [], "refused": [] }));
    let staff = admin.token(Role::Staff);
    let (status, _) = admin.api_with(&staff, Method::GET, "/plugins", None);
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A multipart logo form as a browser sends it: the form token, then the file.
fn logo_form(token: &str, file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--XBOUNDARY\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n{token}\r\n--XBOUNDARY\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n--XBOUNDARY--\r\n");
    body
}

#[test]
fn an_admin_uploads_the_logo_served_at_a_stable_address() {
    let admin = Admin::start();
    let ada = admin.browser(ADMIN);
    let sam = admin.browser(STAFF);
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[7u8; 200]].concat();
    let post = |cookie: &str, origin: &str, body: Vec<u8>| {
        super::client()
            .post(admin.url("/admin/settings/logo"))
            .header("Cookie", cookie)
            .header("Origin", origin)
            .header("X-Forwarded-For", super::HOME)
            .header("Content-Type", "multipart/form-data; boundary=XBOUNDARY")
            .body(body)
            .send()
            .unwrap()
    };
    assert_eq!(
        admin.get("/firm/logo", None).status(),
        StatusCode::NOT_FOUND
    );
    // Staff, another site and a forged token change nothing.
    assert_eq!(
        post(&sam.cookie, &admin.base, logo_form(&sam.token, &png)).status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(
            &ada.cookie,
            "https://evil.example",
            logo_form(&ada.token, &png)
        )
        .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&ada.cookie, &admin.base, logo_form("forged", &png)).status(),
        StatusCode::FORBIDDEN
    );
    // Not an image: the message next to the field.
    let refused = post(
        &ada.cookie,
        &admin.base,
        logo_form(&ada.token, b"<svg onload=alert(1)>"),
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        html.contains("<p class=\"error\" id=\"logo-error\">"),
        "{html}"
    );
    assert!(html.contains("PNG, JPEG, GIF or WebP"), "{html}");
    assert!(admin.docket.firm_settings().unwrap().logo_url.is_none());

    let saved = post(&ada.cookie, &admin.base, logo_form(&ada.token, &png));
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let url = admin.docket.firm_settings().unwrap().logo_url.unwrap();
    assert!(
        url.starts_with(&format!("{}/firm/logo?v=", admin.base)),
        "{url}"
    );
    let served = super::client().get(&url).send().unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().unwrap().as_ref(), png.as_slice());
    let html = body(admin.get("/admin/settings", Some(&ada)));
    assert!(
        html.contains("alt=\"The firm&#x27;s logo\"") || html.contains("alt=\"The firm's logo\""),
        "{html}"
    );
    // Shown from this site's own address, which the CSP's `img-src 'self'` allows.
    let path = &url[admin.base.len()..];
    assert!(
        html.contains(&format!("src=\"{}\"", path.replace('/', "&#x2f;")))
            || html.contains(&format!("src=\"{path}\"")),
        "{html}"
    );
}

/// A logo read through `StaffUpload`: one past the engine's 512 KiB is said by the field with
/// its size, one past what a form may hold whole is refused before the engine sees it.
#[test]
fn a_logo_too_large_is_said_by_its_field() {
    let admin = Admin::start();
    let ada = admin.browser(ADMIN);
    let post = |file: &[u8]| {
        super::client()
            .post(admin.url("/admin/settings/logo"))
            .header("Cookie", &ada.cookie)
            .header("Origin", &admin.base)
            .header("X-Forwarded-For", super::HOME)
            .header("Content-Type", "multipart/form-data; boundary=XBOUNDARY")
            .body(logo_form(&ada.token, file))
            .send()
            .unwrap()
    };
    let png = |size: usize| [b"\x89PNG\r\n\x1a\n".as_slice(), &vec![7u8; size]].concat();
    let refused = post(&png(600 * 1024));
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        html.contains("id=\"logo-error\">The logo is 601 KiB; upload one of at most 512 KiB."),
        "{html}"
    );
    let refused = post(&png(3 * 1024 * 1024));
    assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body(refused).contains("at most 2 MiB"));
    assert!(admin.docket.firm_settings().unwrap().logo_url.is_none());
}

/// The Plugins page lists the plugin files the server refused with the reason, and grants a
/// hook what an admin types, at once; a grant that is no capability is refused next to its
/// field with what was typed kept.
#[test]
fn the_plugins_page_shows_refused_files_and_grants_hooks() {
    let admin = Admin::with_plugins();
    let host = admin.docket.plugins().unwrap().clone();
    std::fs::create_dir_all(host.dir()).unwrap();
    std::fs::write(host.dir().join("broken.wasm"), b"not wasm").unwrap();
    std::fs::write(
        host.dir().join("broken.toml"),
        "name = 'broken'\nversion = '0.1.0'\nworld = 'reminder-policy'\n",
    )
    .unwrap();
    // The folder's watcher loads files once they stopped changing between two looks.
    host.reload();
    host.reload();
    let ada = admin.browser(ADMIN);
    let html = body(admin.get("/admin/plugins", Some(&ada)));
    assert!(html.contains("Plugin files refused"), "{html}");
    assert!(html.contains("broken.wasm"), "{html}");
    assert!(
        html.contains(
            "not a WebAssembly component (the file does not start with the WebAssembly magic bytes)"
        ),
        "{html}"
    );
    assert!(html.contains("Grants of webhook"), "{html}");

    let saved = admin.post(
        "/admin/plugins/webhook/grants",
        &ada,
        &[("grants", "http:hooks.example.com, log")],
    );
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), "/admin/plugins?granted=webhook");
    let html = body(admin.get(&location(&saved), Some(&ada)));
    assert!(
        html.contains("The grants of “webhook” are changed"),
        "{html}"
    );
    assert!(
        html.contains("value=\"http:hooks.example.com, log\""),
        "{html}"
    );
    assert_eq!(
        host.plugin("webhook").unwrap().granted,
        ["http:hooks.example.com"]
    );

    let refused = admin.post(
        "/admin/plugins/webhook/grants",
        &ada,
        &[("grants", "files")],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(html.contains("id=\"grants-webhook-error\""), "{html}");
    assert!(
        html.contains("Grants: unknown capability “files”"),
        "{html}"
    );
    assert!(html.contains("value=\"files\""), "{html}");
    assert_eq!(
        host.plugin("webhook").unwrap().granted,
        ["http:hooks.example.com"]
    );
    // Staff cannot grant.
    let sam = admin.browser(STAFF);
    let denied = admin.post("/admin/plugins/webhook/grants", &sam, &[("grants", "")]);
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
}

#[test]
fn a_pause_of_sending_is_on_every_page_and_an_admin_resumes_it() {
    let admin = Admin::start();
    let ada = admin.browser(ADMIN);
    let sam = admin.browser(STAFF);
    let html = body(admin.get("/admin", Some(&ada)));
    assert!(!html.contains("Sending is paused"), "{html}");

    admin
        .docket
        .pause_sending("this folder was restored from a backup")
        .unwrap();
    for (page, who) in [
        ("/admin", &ada),
        ("/admin/templates", &ada),
        ("/admin/contacts", &sam),
    ] {
        let html = body(admin.get(page, Some(who)));
        assert!(
            html.contains("Sending is paused since")
                && html.contains("(this folder was restored from a backup)"),
            "{page}: {html}"
        );
    }
    // An email queued while paused is not said to be on its way.
    let html = body(admin.get(
        &format!("/admin/work/{}?notice=sent", admin.work),
        Some(&ada),
    ));
    assert!(html.contains("Queued. Sending is paused"), "{html}");
    assert!(!html.contains("The email is on its way"), "{html}");

    // Staff are told who can resume; only admins get the button, and a staff post is refused.
    let html = body(admin.get("/admin", Some(&sam)));
    assert!(html.contains("Ask an admin to resume it"), "{html}");
    assert!(!html.contains(">Resume sending<"), "{html}");
    let refused = admin.post("/admin/settings/resume-sending", &sam, &[]);
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(admin.docket.sending_paused());

    // The API says so, and a staff token cannot resume.
    let staff = admin.api_secret(Role::Staff);
    let (status, state) = admin.api_with(&staff, Method::GET, "/sending", None);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        state["paused"]["reason"],
        "this folder was restored from a backup"
    );
    let (status, _) = admin.api_with(&staff, Method::POST, "/sending/resume", None);
    assert_eq!(status, StatusCode::FORBIDDEN);

    let html = body(admin.get("/admin", Some(&ada)));
    assert!(html.contains(">Resume sending<"), "{html}");
    let resumed = admin.post("/admin/settings/resume-sending", &ada, &[]);
    assert_eq!(resumed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resumed), "/admin/settings?notice=resumed");
    assert!(!admin.docket.sending_paused());
    let html = body(admin.get(
        &format!("/admin/work/{}?notice=sent", admin.work),
        Some(&ada),
    ));
    assert!(html.contains("The email is on its way"), "{html}");
    let html = body(admin.get("/admin/settings?notice=resumed", Some(&ada)));
    assert!(html.contains("Sending is resumed"), "{html}");
    assert!(!html.contains("Sending is paused"), "{html}");
    let (_, state) = admin.api_with(&staff, Method::GET, "/sending", None);
    assert_eq!(state["paused"], serde_json::Value::Null);
}
