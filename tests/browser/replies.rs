//! The Replies page in a real browser at 1366×768 and at 390×844: `docket serve --demo` reads a
//! real dovecot mailbox (`[inbound]`), two answers that match no request arrive (one from Bob's
//! own address, one from a stranger), and staff attach each through the choice of open work —
//! Bob's own work offered first, the stranger's found by a search. Every page passes axe-core
//! and is photographed; on the phone nothing scrolls sideways.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::accessibility::{check, wait_for_heading};
use super::demo::BOB;
use super::harness::{Browser, Driver, LAPTOP, PHONE};
use super::support::Server;
use super::support::dovecot::Imap;
use super::{one_at_a_time, within_five_minutes};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_attach_unmatched_replies_through_the_choice_of_work_and_every_page_passes_axe() {
    within_five_minutes(replies()).await;
}

fn answer(from: &str, id: &str, text: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: replies@bakers.example\r\nSubject: Re: your request\r\nMessage-ID: <{id}@client.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n{text}\r\n"
    )
    .into_bytes()
}

async fn replies() {
    let _turn = one_at_a_time().await;
    let imap = Imap::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("docket.toml");
    std::fs::write(
        &cfg,
        format!(
            "[inbound]\nreply_address = \"replies@bakers.example\"\nimap_host = \"127.0.0.1\"\nimap_port = {}\nimap_user = \"{}\"\nimap_tls = \"none\"\nimap_poll_secs = 1\n",
            imap.port, imap.user
        ),
    )
    .unwrap();
    let server = Server::start_with_env(
        &dir.path().join("data"),
        &["--demo", "--config", cfg.to_str().unwrap()],
        &[("DOCKET_IMAP_PASSWORD", &imap.password)],
    );
    let token = server.banner_value("API token:").expect("a demo token");
    let email = server
        .banner_value("admin email:")
        .expect("the admin's email");
    let password = server
        .banner_value("admin password:")
        .expect("the admin's password");
    let http = reqwest::Client::new();
    let driver = Driver::start();
    let mut found = Vec::new();
    for (n, (viewport, mode)) in [(LAPTOP, "laptop"), (PHONE, "phone")]
        .into_iter()
        .enumerate()
    {
        imap.deliver(&answer(
            BOB,
            &format!("bob{n}"),
            "Figures for March attached soon.",
        ));
        imap.deliver(&answer(
            "office@elsewhere.example",
            &format!("other{n}"),
            "About the bakery's payroll.",
        ));
        let deadline = Instant::now() + Duration::from_secs(30);
        while unmatched(&http, &server, &token).await < 2 {
            assert!(
                Instant::now() < deadline,
                "the two answers did not reach the Replies page; dovecot log:\n{}",
                imap.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        let staff = Browser::open(&driver, viewport, true).await;
        staff.goto(&server.url("/admin/sign-in")).await;
        staff
            .wait_for("#email")
            .await
            .send_keys(&email)
            .await
            .unwrap();
        staff
            .wait_for("#password")
            .await
            .send_keys(&password)
            .await
            .unwrap();
        let go = staff
            .wait_for("form[action='/admin/sign-in'] button.primary")
            .await;
        staff.press(&go).await;
        wait_for_heading(&staff, "Your desk").await;

        let checked = |what: &str| format!("{what} ({mode})");
        staff.goto(&server.url("/admin/replies")).await;
        wait_for_heading(&staff, "Unmatched replies").await;
        found.extend(check(&staff, &checked("the Replies page")).await);
        staff.screenshot(&format!("replies-{mode}-1-list")).await;
        if viewport.phone {
            staff.assert_no_sideways_scroll("the Replies page").await;
        }

        // Bob's answer: his own open work is offered first, his group already chosen.
        let bob_id = reply_id(&staff, BOB).await;
        staff
            .goto(&server.url(&format!("/admin/replies/{bob_id}/attach")))
            .await;
        wait_for_heading(&staff, &format!("Attach the reply from {BOB}")).await;
        let heading = staff.text("main h2").await;
        assert!(heading.starts_with("Open work of "), "{heading}");
        let chosen = staff.wait_for("input[name='choice']:checked").await;
        assert!(chosen.attr("value").await.unwrap().is_some());
        found.extend(check(&staff, &checked("the choice of work for Bob")).await);
        staff
            .screenshot(&format!("replies-{mode}-2-bobs-work"))
            .await;
        if viewport.phone {
            staff.assert_no_sideways_scroll("the choice of work").await;
        }
        let attach = staff
            .wait_for("main form[method='post'] button.primary")
            .await;
        staff.press(&attach).await;
        wait_for_heading(&staff, "Unmatched replies").await;
        assert!(
            staff
                .text("p.notice")
                .await
                .contains("The reply was attached"),
        );

        // The stranger's: nothing of theirs, so a search by client finds the open work.
        let other_id = reply_id(&staff, "office@elsewhere.example").await;
        staff
            .goto(&server.url(&format!("/admin/replies/{other_id}/attach")))
            .await;
        wait_for_heading(&staff, "Attach the reply from office@elsewhere.example").await;
        staff.wait_for("#q").await.send_keys("baker").await.unwrap();
        let find = staff.wait_for("main form[role='search'] button").await;
        staff.press(&find).await;
        staff.wait_for("input[name='choice']").await;
        found.extend(check(&staff, &checked("the choice of work found by a search")).await);
        staff.screenshot(&format!("replies-{mode}-3-found")).await;
        if viewport.phone {
            staff.assert_no_sideways_scroll("the work found").await;
        }
        let first = staff.wait_for("input[name='choice']").await;
        staff.press(&first).await;
        let attach = staff
            .wait_for("main form[method='post'] button.primary")
            .await;
        staff.press(&attach).await;
        wait_for_heading(&staff, "Unmatched replies").await;
        assert!(staff.text("main").await.contains("No unmatched replies."));
        found.extend(check(&staff, &checked("the Replies page, emptied")).await);
        staff.close().await;
    }
    assert!(
        found.is_empty(),
        "axe-core found {} violation(s):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// How many unmatched replies the API lists.
async fn unmatched(http: &reqwest::Client, server: &Server, token: &str) -> usize {
    let listed: Value = http
        .get(server.url("/api/replies/unmatched"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    listed["replies"].as_array().map_or(0, Vec::len)
}

/// The id of the listed reply from `from`, read from its "Attach to work…" link.
async fn reply_id(staff: &Browser, from: &str) -> String {
    let items = staff
        .client
        .find_all(fantoccini::Locator::Css("ol.inbox li"))
        .await
        .unwrap();
    for item in items {
        if !item.text().await.unwrap().contains(from) {
            continue;
        }
        let link = item
            .find(fantoccini::Locator::Css("a.button"))
            .await
            .unwrap();
        let href = link.attr("href").await.unwrap().unwrap();
        return href
            .trim_start_matches("/admin/replies/")
            .trim_end_matches("/attach")
            .to_string();
    }
    panic!("no reply from {from} listed");
}
