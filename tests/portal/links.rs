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
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("img-src 'self' data:;"), "{csp}");
        assert!(!csp.contains("https:"), "no image from elsewhere: {csp}");
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
    // Tampered or missing cookies at the checklist's address: the page a group that does not
    // exist gets, with no button (they hold no link).
    let nowhere = format!("/p/{}/9", portal.work);
    let unknown = body(portal.get(&nowhere, None));
    for cookie in [
        None,
        Some("docket_device=tampered"),
        Some("docket_device=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let page = portal.get(&portal.checklist(0), cookie);
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "{cookie:?}");
        let html = body(page);
        assert_eq!(html, unknown, "{cookie:?}");
        assert!(!html.contains("new-link"), "{html}");
    }
    // The phone still opens it, with any of the group's links.
    assert_eq!(
        portal.open(&link, Some(&phone)).0.status(),
        StatusCode::SEE_OTHER
    );
    // The laptop asks for a new link; it goes to the address on file.
    portal.clock.advance(chrono::Duration::minutes(5));
    let before = portal.docket.outbox(None, 1000).unwrap().len();
    let asked = portal.post(&format!("{link}/new-link"), None, &[]);
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
    // The phone, moved from, is told so and may ask for a fresh link with its cookie alone.
    let page = portal.get(&portal.checklist(0), Some(&phone));
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let html = body(page);
    assert!(
        html.contains("open on another device") && html.contains("Send me a new access link"),
        "{html}"
    );
    let asked = portal.post(
        &format!("{}/new-link", portal.checklist(0)),
        Some(&phone),
        &[],
    );
    assert_eq!(asked.status(), StatusCode::OK);
    let timeline = portal.docket.work_timeline(portal.work, 50).unwrap();
    let kinds: Vec<_> = timeline.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&docket_engine::model::EventKind::LinkRequested));
    assert!(
        timeline
            .iter()
            .any(|e| e.summary.contains("a device holding a current link")),
        "{timeline:?}"
    );
    assert!(
        timeline.iter().any(|e| e
            .summary
            .contains("a device the checklist was open on before it moved")),
        "{timeline:?}"
    );
    assert!(
        timeline
            .iter()
            .any(|e| e.summary.contains("moved to a device"))
    );
}

#[test]
fn fresh_links_are_limited_per_link_per_group_and_per_contact() {
    use docket_engine::docket::{
        NEW_LINKS_PER_CONTACT_PER_DAY, NEW_LINKS_PER_GROUP_PER_HOUR, NEW_LINKS_PER_PROOF_PER_HOUR,
    };
    let portal = Portal::start();
    // Each request by the newest link there is, as a client following their latest email does.
    let ask = |group: usize| portal.post(&format!("{}/new-link", portal.link(group)), None, &[]);
    for _ in 0..NEW_LINKS_PER_GROUP_PER_HOUR {
        assert_eq!(ask(0).status(), StatusCode::OK);
    }
    let limited = ask(0);
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(body(limited).contains("Please wait"));
    // An hour later the group may ask again, until the contact's daily limit.
    let mut sent = NEW_LINKS_PER_GROUP_PER_HOUR;
    while sent < NEW_LINKS_PER_CONTACT_PER_DAY {
        portal.clock.advance(chrono::Duration::minutes(61));
        for _ in 0..NEW_LINKS_PER_GROUP_PER_HOUR {
            if sent == NEW_LINKS_PER_CONTACT_PER_DAY {
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
    let emails = || {
        portal
            .docket
            .outbox(None, 1000)
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == docket_engine::model::MessageKind::AccessLink)
            .count()
    };
    assert_eq!(emails(), NEW_LINKS_PER_CONTACT_PER_DAY + 1);
    // One link asks at most a few times, whoever holds it.
    portal.clock.advance(chrono::Duration::days(1));
    let bobs = portal.link(1);
    for _ in 0..NEW_LINKS_PER_PROOF_PER_HOUR {
        assert_eq!(
            portal.post(&format!("{bobs}/new-link"), None, &[]).status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        portal.post(&format!("{bobs}/new-link"), None, &[]).status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[test]
fn knowing_a_work_id_neither_sends_links_nor_confirms_the_id() {
    let portal = Portal::start();
    let before = portal.docket.outbox(None, 1000).unwrap().len();
    let real = format!("{}/new-link", portal.checklist(0));
    let made_up = format!("/p/{}/1/new-link", "0".repeat(26));
    let bad_group = format!("/p/{}/7/new-link", portal.work);
    // The attack: many requests in a row for the real group, with no link and no device.
    let mut answers = Vec::new();
    for path in [&real, &real, &real, &real, &made_up, &bad_group] {
        let page = portal.post(path, None, &[]);
        answers.push((page.status(), body(page)));
    }
    let (status, html) = &answers[0];
    assert_eq!(*status, StatusCode::NOT_FOUND);
    assert!(!html.contains("Your 2025 accounts"));
    assert!(
        answers.iter().all(|a| a == &answers[0]),
        "every one answered alike: {answers:?}"
    );
    // The same for the checklist's address.
    let real_page = portal.get(&portal.checklist(0), None);
    let fake_page = portal.get(&format!("/p/{}/5", portal.work), None);
    assert_eq!(real_page.status(), fake_page.status());
    assert_eq!(body(real_page), body(fake_page));
    assert_eq!(portal.docket.outbox(None, 1000).unwrap().len(), before);
    // The client's own allowance is untouched: their stale link still asks.
    portal.clock.advance(chrono::Duration::days(31));
    let sent = portal.post(&format!("{}/new-link", portal.link(0)), None, &[]);
    assert_eq!(sent.status(), StatusCode::OK);
}

#[test]
fn completed_work_says_so_and_sends_no_link() {
    let portal = Portal::start();
    let link = portal.link(0);
    portal
        .docket
        .complete_work(portal.work, Actor::System)
        .unwrap();
    // The landing page says it is complete before any button.
    let html = body(portal.get(&link, None));
    let said = html
        .find("This request is complete")
        .expect("says it is complete");
    let button = html.find("<button").expect("a button to view it");
    assert!(said < button, "{html}");
    // It says only that: nothing asked for, and a read-only view offered.
    assert!(!html.contains("has asked you for"), "{html}");
    assert!(
        !html.contains("another device will need a new link"),
        "{html}"
    );
    assert!(html.contains("View my checklist"), "{html}");
    // Expired, the link offers nothing to send.
    portal.clock.advance(chrono::Duration::days(31));
    let page = portal.get(&link, None);
    assert_eq!(page.status(), StatusCode::GONE);
    let html = body(page);
    assert!(
        html.contains("This request is complete") && !html.contains("new-link"),
        "{html}"
    );
    let before = portal.docket.outbox(None, 1000).unwrap().len();
    let asked = portal.post(&format!("{link}/new-link"), None, &[]);
    assert_eq!(asked.status(), StatusCode::GONE);
    assert!(body(asked).contains("not sent a new link"));
    assert_eq!(portal.docket.outbox(None, 1000).unwrap().len(), before);
}

#[test]
fn the_old_recipients_device_and_link_are_told_the_request_moved() {
    let portal = Portal::start();
    let ann = portal.bind(0);
    let link = portal.link(0);
    portal
        .docket
        .change_recipient(portal.work, 0, "bob@client.example", Actor::System)
        .unwrap();
    for page in [
        portal.get(&portal.checklist(0), Some(&ann)),
        portal.get(&link, None),
        portal.open(&link, Some(&ann)).0,
        portal.post(&format!("{link}/new-link"), None, &[]),
        portal.post(
            &format!("{}/new-link", portal.checklist(0)),
            Some(&ann),
            &[],
        ),
    ] {
        assert_eq!(page.status(), StatusCode::GONE);
        let html = body(page);
        assert!(html.contains("moved to someone else"), "{html}");
        assert!(!html.contains("new-link"), "no button: {html}");
    }
}
