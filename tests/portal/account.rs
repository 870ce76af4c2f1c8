//! The client account: sign-in by emailed link (spent only by the sign-in itself, 15 minutes),
//! the same answer for any address, limits, the list of requests, and archived contacts.

use docket_engine::model::{Actor, MessageKind};
use reqwest::StatusCode;

use super::{Portal, body, client};

/// The newest sign-in link emailed, as its path.
fn sign_in_link(portal: &Portal) -> Option<String> {
    let messages = portal.docket.outbox(None, 1000).unwrap();
    let link = messages
        .iter()
        .filter(|m| m.kind == MessageKind::SignIn)
        .max_by_key(|m| m.id)?
        .context
        .link
        .clone();
    Some(link[link.find("/account/s/")?..].to_string())
}

fn sign_in_emails(portal: &Portal) -> usize {
    portal
        .docket
        .outbox(None, 1000)
        .unwrap()
        .iter()
        .filter(|m| m.kind == MessageKind::SignIn)
        .count()
}

fn ask(portal: &Portal, email: &str) -> (StatusCode, String) {
    let response = portal.post("/account/sign-in", None, &[("email", email)]);
    (response.status(), body(response))
}

#[test]
fn a_contact_signs_in_by_email_and_sees_their_requests() {
    let portal = Portal::start();
    let form = portal.get("/account/sign-in", None);
    assert_eq!(form.status(), StatusCode::OK);
    assert!(body(form).contains("Email me a sign-in link"));
    // Known and unknown addresses get the same answer; only the contact gets an email.
    let unknown = ask(&portal, "nobody@nowhere.example");
    let garbage = ask(&portal, "not an address");
    let known = ask(&portal, "Ann@Client.example");
    assert_eq!(unknown, known);
    assert_eq!(garbage, known);
    assert_eq!(known.0, StatusCode::OK);
    assert_eq!(sign_in_emails(&portal), 1);
    let link = sign_in_link(&portal).unwrap();
    // Opening the link (a scanner, a preview) spends nothing.
    for _ in 0..2 {
        let page = portal.get(&link, None);
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.headers().get("set-cookie").is_none());
    }
    let signed = portal.post(&link, None, &[]);
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed.headers()["location"], "/account");
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("docket_account="));
    // Spent: a second sign-in with it fails.
    assert_eq!(
        portal.post(&link, None, &[]).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(portal.get(&link, None).status(), StatusCode::NOT_FOUND);
    let page = body(portal.get("/account", Some(&cookie)));
    assert!(
        page.contains("<bdi>Your 2025 accounts</bdi>: <bdi>Documents</bdi>"),
        "{page}"
    );
    assert!(!page.contains("Partner"), "Bob's group is not Ann's");
    // The account opens the checklist on this device without binding it.
    let list = portal.get(&portal.checklist(0), Some(&cookie));
    assert_eq!(list.status(), StatusCode::OK);
    assert_eq!(portal.device_hash(0), None);
    assert_eq!(
        portal.get(&portal.checklist(1), Some(&cookie)).status(),
        StatusCode::NOT_FOUND
    );
    // A completed work item is listed as completed and opens read-only.
    portal
        .docket
        .set_work_status_named(portal.work, "completed", Actor::System)
        .unwrap();
    let page = body(portal.get("/account", Some(&cookie)));
    assert!(page.contains("Nothing is waiting for you"), "{page}");
    let locked = body(portal.get(&portal.checklist(0), Some(&cookie)));
    assert!(
        locked.contains("This request is completed")
            && !locked.contains("&#x2f;tasks&#x2f;")
            && locked
                .matches("<form method=\"post\" action=\"&#x2f;p")
                .count()
                == 1
            && locked.contains("&#x2f;language\""),
        "read-only but for the language switch: {locked}"
    );
    // Signing out ends it.
    let out = portal.post("/account/sign-out", Some(&cookie), &[]);
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = portal.get("/account", Some(&cookie));
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert_eq!(after.headers()["location"], "/account/sign-in");
}

#[test]
fn sign_in_links_expire_after_fifteen_minutes() {
    let portal = Portal::start();
    ask(&portal, "ann@client.example");
    let link = sign_in_link(&portal).unwrap();
    portal.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(portal.get(&link, None).status(), StatusCode::NOT_FOUND);
    assert_eq!(
        portal.post(&link, None, &[]).status(),
        StatusCode::NOT_FOUND
    );
    let forged = format!("/account/s/{}", "A".repeat(43));
    assert_eq!(
        portal.post(&forged, None, &[]).status(),
        StatusCode::NOT_FOUND
    );
    // Without the same origin, no sign-in.
    ask(&portal, "ann@client.example");
    let link = sign_in_link(&portal).unwrap();
    let cross = client()
        .post(portal.url(&link))
        .header("Origin", "https://evil.example")
        .send()
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
}

#[test]
fn sign_in_requests_are_limited_for_any_address() {
    let portal = Portal::start();
    for address in ["ann@client.example", "stranger@elsewhere.example"] {
        for _ in 0..docket_engine::docket::SIGN_INS_PER_ADDRESS_PER_HOUR {
            assert_eq!(ask(&portal, address).0, StatusCode::OK, "{address}");
        }
        assert_eq!(
            ask(&portal, address).0,
            StatusCode::TOO_MANY_REQUESTS,
            "{address}"
        );
    }
    assert_eq!(
        sign_in_emails(&portal),
        docket_engine::docket::SIGN_INS_PER_ADDRESS_PER_HOUR
    );
    portal.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(ask(&portal, "ann@client.example").0, StatusCode::OK);
}

#[test]
fn an_archived_contact_cannot_sign_in_until_restored() {
    let portal = Portal::start();
    let ann = portal.docket.work(portal.work).unwrap().groups[0].recipient;
    ask(&portal, "ann@client.example");
    let link = sign_in_link(&portal).unwrap();
    let signed = portal.post(&link, None, &[]);
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    portal.docket.archive_contact(ann, Actor::System).unwrap();
    assert_eq!(
        portal.get("/account", Some(&cookie)).status(),
        StatusCode::SEE_OTHER
    );
    let before = sign_in_emails(&portal);
    assert_eq!(
        ask(&portal, "ann@client.example").0,
        StatusCode::OK,
        "the same answer"
    );
    assert_eq!(sign_in_emails(&portal), before, "but no email");
    portal.docket.restore_contact(ann, Actor::System).unwrap();
    assert_eq!(
        portal.get("/account", Some(&cookie)).status(),
        StatusCode::OK
    );
    assert_eq!(ask(&portal, "ann@client.example").0, StatusCode::OK);
    assert_eq!(sign_in_emails(&portal), before + 1);
}

#[test]
fn the_footer_offers_to_sign_in_only_where_the_page_does_not() {
    let portal = Portal::start();
    let offers = |html: &str| {
        html.replace("&#x2f;", "/")
            .matches("href=\"/account/sign-in\"")
            .count()
    };
    let footer = |html: &str| html[html.find("<footer>").unwrap()..].to_string();
    // A landing page and the checklist offer it once.
    let landing = body(portal.get(&portal.link(0), None));
    assert_eq!(offers(&landing), 1, "{landing}");
    // The sign-in page is the sign-in; its footer does not repeat its heading.
    let form = body(portal.get("/account/sign-in", None));
    assert!(!footer(&form).contains("Sign in to see"), "{form}");
    // A checklist not open here offers it once, in its own words.
    let not_here = body(portal.get(&format!("/p/{}/1", portal.work), None));
    assert_eq!(offers(&not_here), 1, "{not_here}");
    assert!(!footer(&not_here).contains("Sign in to see"), "{not_here}");
    // Signed in, the account page offers no sign-in, nor does the sign-in link's page.
    ask(&portal, "ann@client.example");
    let link = sign_in_link(&portal).unwrap();
    let button = body(portal.get(&link, None));
    assert_eq!(offers(&button), 0, "{button}");
    let signed = portal.post(&link, None, &[]);
    let session = signed.headers()["set-cookie"].to_str().unwrap();
    let session = session.split(';').next().unwrap().to_string();
    let account = portal.get("/account", Some(&session));
    assert_eq!(account.status(), StatusCode::OK);
    let account = body(account);
    assert_eq!(offers(&account), 0, "{account}");
}
