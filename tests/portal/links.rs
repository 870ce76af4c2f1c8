//! Magic links through the portal: the landing page a scanner opens without binding or spending
//! anything, the pages for forged, expired and replaced links, another device offered a fresh link
//! that moves the binding, and fresh links' limits per group and per contact.

use docket_engine::model::Actor;
use reqwest::StatusCode;

use super::{Portal, body, client};

#[test]
fn a_scanner_opening_a_link_binds_and_spends_nothing() {
    let portal = Portal::start();
    let link = portal.link(0);
    for _ in 0..3 {
        let page = portal.get(&link, None);
        assert_eq!(page.status(), StatusCode::OK);
        let headers = page.headers().clone();
        let html = body(page);
        assert!(html.contains("Open my checklist"), "{html}");
        assert!(html.contains("Your 2025 accounts"));
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
    let head = client().head(portal.url(&link)).send().unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert!(head.headers().get("set-cookie").is_none());
    assert_eq!(portal.device_hash(0), None, "nothing bound by GET or HEAD");
    // The link still works for the person who then opens it.
    let cookie = portal.bind(0);
    assert!(cookie.starts_with("docket_device="), "{cookie}");
    let list = portal.get(&portal.checklist(0), Some(&cookie));
    assert_eq!(list.status(), StatusCode::OK);
    let html = body(list);
    assert!(html.contains("Documents") && html.contains("P60"), "{html}");
    // Binding is on the work's timeline with the device.
    let timeline = portal.docket.work_timeline(portal.work, 50).unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e.kind == docket_engine::model::EventKind::DeviceBound),
        "{timeline:?}"
    );
}

#[test]
fn forged_expired_and_replaced_links_get_their_own_pages() {
    let portal = Portal::start();
    let forged = portal.get(&format!("/c/{}", "A".repeat(43)), None);
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    let html = body(forged);
    assert!(html.contains("This link is not valid"));
    assert!(!html.contains("Your 2025 accounts"), "reveals nothing");
    for junk in ["/c/short", "/c/..%2F..%2Fetc%2Fpasswd", "/c/%00"] {
        let page = portal.get(junk, None);
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "{junk}");
    }
    // A post of a forged token binds nothing either.
    let (page, cookie) = portal.open(&format!("/c/{}", "B".repeat(43)), None);
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(cookie.is_none());

    // Replaced: the group was resent.
    let old = portal.link(0);
    portal.clock.advance(chrono::Duration::days(1));
    portal
        .docket
        .resend_group(portal.work, 0, Actor::System)
        .unwrap();
    let page = portal.get(&old, None);
    assert_eq!(page.status(), StatusCode::GONE);
    let html = body(page);
    assert!(
        html.contains("replaced") && html.contains("Send me a new access link"),
        "{html}"
    );
    let (page, cookie) = portal.open(&old, None);
    assert_eq!(page.status(), StatusCode::GONE);
    assert!(cookie.is_none());

    // Expired: 30 days after the last send with no reminder.
    portal.clock.advance(chrono::Duration::days(31));
    let current = portal.link(0);
    let page = portal.get(&current, None);
    assert_eq!(page.status(), StatusCode::GONE);
    let html = body(page);
    assert!(html.contains("expired"), "{current} {html}");
    // A fresh link, asked for from the expired page, works again.
    let sent = portal.post(&format!("{current}/new-link"), None, &[]);
    assert_eq!(sent.status(), StatusCode::OK);
    assert!(body(sent).contains("Check your email"));
    let fresh = portal.link(0);
    assert_ne!(fresh, current);
    let cookie = portal.bind(0);
    assert_eq!(
        portal.get(&portal.checklist(0), Some(&cookie)).status(),
        StatusCode::OK
    );
}

#[test]
fn another_device_is_offered_a_fresh_link_which_moves_the_binding() {
    let portal = Portal::start();
    let phone = portal.bind(0);
    let link = portal.link(0);
    // The same link on a laptop: no checklist, an offer to email a new link.
    let (page, laptop) = portal.open(&link, None);
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(laptop.is_none());
    let html = body(page);
    assert!(html.contains("open on another device") && html.contains("Send me a new access link"));
    // Tampered or missing cookies see the same.
    for cookie in [
        None,
        Some("docket_device=tampered"),
        Some("docket_device=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let page = portal.get(&portal.checklist(0), cookie);
        assert_eq!(page.status(), StatusCode::FORBIDDEN, "{cookie:?}");
    }
    // The phone still opens it, with any of the group's links.
    assert_eq!(
        portal.open(&link, Some(&phone)).0.status(),
        StatusCode::SEE_OTHER
    );
    // The laptop asks for a new link; it goes to the address on file.
    portal.clock.advance(chrono::Duration::minutes(5));
    let before = portal.docket.outbox(None, 1000).unwrap().len();
    let asked = portal.post(&format!("{}/new-link", portal.checklist(0)), None, &[]);
    assert_eq!(asked.status(), StatusCode::OK);
    let outbox = portal.docket.outbox(None, 1000).unwrap();
    assert_eq!(outbox.len(), before + 1);
    let newest = outbox.iter().max_by_key(|m| m.id).unwrap();
    assert_eq!(newest.to, "ann@client.example");
    let fresh = portal.link(0);
    let (page, laptop) = portal.open(&fresh, None);
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "the fresh link moves it"
    );
    let laptop = laptop.unwrap();
    assert_eq!(
        portal.get(&portal.checklist(0), Some(&laptop)).status(),
        StatusCode::OK
    );
    assert_eq!(
        portal.get(&portal.checklist(0), Some(&phone)).status(),
        StatusCode::FORBIDDEN,
        "the phone lost it"
    );
    // Spent on the laptop, the requested link does not move it on again.
    let (page, _) = portal.open(&fresh, None);
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let timeline = portal.docket.work_timeline(portal.work, 50).unwrap();
    let kinds: Vec<_> = timeline.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&docket_engine::model::EventKind::LinkRequested));
    assert!(
        timeline
            .iter()
            .any(|e| e.summary.contains("moved to a device"))
    );
}

#[test]
fn fresh_links_are_limited_per_group_and_per_contact() {
    let portal = Portal::start();
    let ask =
        |group: usize| portal.post(&format!("{}/new-link", portal.checklist(group)), None, &[]);
    for _ in 0..docket_engine::docket::NEW_LINKS_PER_GROUP_PER_HOUR {
        assert_eq!(ask(0).status(), StatusCode::OK);
    }
    let limited = ask(0);
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(body(limited).contains("Please wait"));
    // An hour later the group may ask again, until the contact's daily limit.
    let mut sent = docket_engine::docket::NEW_LINKS_PER_GROUP_PER_HOUR;
    while sent < docket_engine::docket::NEW_LINKS_PER_CONTACT_PER_DAY {
        portal.clock.advance(chrono::Duration::minutes(61));
        for _ in 0..docket_engine::docket::NEW_LINKS_PER_GROUP_PER_HOUR {
            if sent == docket_engine::docket::NEW_LINKS_PER_CONTACT_PER_DAY {
                break;
            }
            assert_eq!(ask(0).status(), StatusCode::OK, "request {}", sent + 1);
            sent += 1;
        }
    }
    portal.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(
        ask(0).status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the daily limit"
    );
    // Bob is another contact: his own limits.
    assert_eq!(ask(1).status(), StatusCode::OK);
    let emails = portal
        .docket
        .outbox(None, 1000)
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == docket_engine::model::MessageKind::AccessLink)
        .count();
    assert_eq!(
        emails,
        docket_engine::docket::NEW_LINKS_PER_CONTACT_PER_DAY + 1
    );
}
