//! Issue 8's main flow, as a member of staff and a client walk it: sign in; make a template with
//! a client-task group and a document attached to its task; preview its reminder calendar for a
//! sample start date; make work from it; send it (the confirm step); find the email in the
//! outbox view and open it; open the email's link, taken from the `.eml` file, in a second
//! browser on a phone; download the document there and tick the task; see the tick in the staff
//! inbox. Every page is checked with axe-core and photographed.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use super::accessibility::{check, wait_for_heading};
use super::demo::{BOB, Demo};
use super::harness::{Browser, DESKTOP, Driver, PHONE, WAIT};
use super::{one_at_a_time, within_five_minutes};

const TEMPLATE: &str = "Year-end accounts";
/// The work made from it for Bob, left untitled: titled for its client.
const WORK: &str = "Bob Baker — Year-end accounts";
const TASK: &str = "Sign the engagement letter";
const DOCUMENT: &str = "engagement-letter.pdf";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_make_a_template_and_work_send_it_and_see_the_clients_tick() {
    within_five_minutes(main_flow()).await;
}

async fn main_flow() {
    let _turn = one_at_a_time().await;
    let demo = Demo::start();
    let (email, password) = demo.admin_sign_in();
    let driver = Driver::start();
    let mut found = Vec::new();
    let staff = Browser::open(&driver, DESKTOP, true).await;

    // Sign in.
    staff.goto(&format!("{}/", demo.base)).await;
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
    staff
        .wait_for("form button.primary")
        .await
        .click()
        .await
        .unwrap();
    wait_for_heading(&staff, "Your desk").await;

    // A template: its first group and task, made on the new template page.
    staff
        .goto(&format!("{}/admin/templates/new", demo.base))
        .await;
    wait_for_heading(&staff, "New template").await;
    found.extend(check(&staff, "new template").await);
    staff.screenshot("flow-1-new-template").await;
    for (field, value) in [
        ("#new-name", TEMPLATE),
        ("#new-group", "Your documents"),
        ("#new-title", TASK),
        ("#new-due", "7"),
    ] {
        let input = staff.wait_for(field).await;
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    staff
        .wait_for("form button.primary")
        .await
        .click()
        .await
        .unwrap();
    wait_for_heading(&staff, TEMPLATE).await;

    // A document attached to the task, for the client to download.
    let dir = tempfile::tempdir().unwrap();
    let letter = dir.path().join(DOCUMENT);
    std::fs::write(&letter, "%PDF-1.4\nthe engagement letter\n%%EOF\n").unwrap();
    staff
        .wait_for("#upload-0-0-file")
        .await
        .send_keys(letter.to_str().unwrap())
        .await
        .unwrap();
    staff
        .wait_for("#upload-0-0 button")
        .await
        .click()
        .await
        .unwrap();
    // The page before has the same heading: wait for the one the upload lands on.
    staff.wait_for_url("notice=uploaded").await;
    wait_for_heading(&staff, TEMPLATE).await;
    let documents = staff.text("#groups ~ section.group ol.tasks").await;
    assert!(
        documents.contains(DOCUMENT) && documents.contains("uploaded"),
        "the template's task lists no uploaded document: {documents}"
    );
    found.extend(check(&staff, "template page").await);
    staff.screenshot("flow-2-template").await;

    // The reminder calendar for a sample start date.
    let start = staff.wait_for("#start").await;
    start.clear().await.unwrap();
    start.send_keys("2026-12-01").await.unwrap();
    staff
        .wait_for("#preview form button")
        .await
        .click()
        .await
        .unwrap();
    // The page before has a preview too (of today): wait for the one of the date asked.
    staff.wait_for_url("start=2026-12-01").await;
    staff.wait_for("#preview p").await;
    let preview = staff.text("#preview").await;
    assert!(
        preview.contains("Starting Tue 1 Dec 2026") && preview.contains("Your documents"),
        "{preview}"
    );
    let reminders = staff
        .client
        .find_all(Locator::Css("#preview ol.timeline li"))
        .await
        .unwrap();
    assert!(
        !reminders.is_empty(),
        "the calendar lists no reminders: {preview}"
    );
    let first = reminders[0].text().await.unwrap();
    assert!(first.contains(TASK), "{first}");
    found.extend(check(&staff, "calendar preview").await);
    staff.screenshot("flow-3-calendar").await;

    // New work from it, for Bob.
    staff.goto(&format!("{}/admin/work/new", demo.base)).await;
    wait_for_heading(&staff, "New work").await;
    staff
        .wait_for("#template")
        .await
        .select_by_label(TEMPLATE)
        .await
        .unwrap();
    staff
        .wait_for("main form[method='get'] button")
        .await
        .click()
        .await
        .unwrap();
    staff.wait_for("#contact_0").await;
    for (field, value) in [
        ("#start_date", "2026-12-01"),
        ("#external_name", "Your year-end accounts"),
        ("#contact_0", BOB),
    ] {
        let input = staff.wait_for(field).await;
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    found.extend(check(&staff, "new work").await);
    staff.screenshot("flow-4-new-work").await;
    staff
        .wait_for("form[method='post'] button.primary")
        .await
        .click()
        .await
        .unwrap();
    wait_for_heading(&staff, WORK).await;
    staff.wait_for("dl.facts").await;
    found.extend(check(&staff, "work page").await);
    staff.screenshot("flow-5-work").await;

    // Send it: the confirm step shows the name the client sees.
    staff
        .wait_for("a.button[href$='/groups/0/send']")
        .await
        .click()
        .await
        .unwrap();
    wait_for_heading(&staff, "Send “Your documents”").await;
    let name = staff
        .wait_for("#external_name")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(name.as_deref(), Some("Your year-end accounts"));
    found.extend(check(&staff, "send step").await);
    staff.screenshot("flow-6-send").await;
    staff
        .wait_for("form button.primary")
        .await
        .click()
        .await
        .unwrap();
    wait_for_heading(&staff, WORK).await;
    // Sent: the group now offers to send again.
    staff.wait_for("a.button[href$='/groups/0/resend']").await;

    // The email, in the outbox view.
    let to_bob = "//tr[td[contains(., 'bob@bakers-bakery.example')] and td/a[contains(., 'Your year-end accounts')]]//a";
    let deadline = Instant::now() + WAIT;
    let row = loop {
        staff.goto(&format!("{}/admin/outbox", demo.base)).await;
        wait_for_heading(&staff, "Outbox").await;
        if let Ok(row) = staff.client.find(Locator::XPath(to_bob)).await {
            break row;
        }
        assert!(
            Instant::now() < deadline,
            "no email to Bob in the outbox within {WAIT:?}: {}",
            staff.text("main").await
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    found.extend(check(&staff, "outbox").await);
    staff.screenshot("flow-7-outbox").await;
    row.click().await.unwrap();
    staff.wait_for("pre.email").await;
    assert!(staff.text("h1").await.contains("Your year-end accounts"));
    let body = staff.text("pre.email").await;
    assert!(body.contains(TASK), "{body}");
    found.extend(check(&staff, "outbox message").await);
    staff.screenshot("flow-8-email").await;

    // Bob opens the email's link on his phone, downloads the letter and ticks the task.
    let link = demo.link_in(BOB, "Your year-end accounts");
    let bob = Browser::open(&driver, PHONE, true).await;
    bob.goto(&link).await;
    found.extend(check(&bob, "landing page").await);
    bob.wait_for("form button.primary")
        .await
        .click()
        .await
        .unwrap();
    bob.wait_for("ol.tasks").await;
    assert!(bob.text("main").await.contains(TASK));
    let download = bob
        .client
        .find(Locator::XPath(&format!(
            "//a[@download and normalize-space()='{DOCUMENT}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("no {DOCUMENT} to download on the checklist: {e}"));
    // The browser saves it into a folder of the test's.
    let downloads = tempfile::tempdir().unwrap();
    bob.cdp(
        "Browser.setDownloadBehavior",
        serde_json::json!({"behavior": "allow", "downloadPath": downloads.path()}),
    )
    .await;
    download.click().await.unwrap();
    let saved = downloads.path().join(DOCUMENT);
    let deadline = Instant::now() + WAIT;
    while !saved.is_file() {
        assert!(
            Instant::now() < deadline,
            "{DOCUMENT} was not downloaded within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let bytes = std::fs::read(&saved).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(&letter).unwrap(),
        "the downloaded document"
    );
    found.extend(check(&bob, "checklist").await);
    bob.screenshot("flow-9-checklist").await;
    bob.wait_for("form[action$='/tasks/1/done'] button")
        .await
        .click()
        .await
        .unwrap();
    bob.wait_for("p.notice").await;
    bob.assert_no_sideways_scroll("the checklist").await;
    bob.screenshot("flow-10-ticked").await;
    bob.close().await;

    // The tick reaches the staff inbox.
    let tick = format!("Task “{TASK}” completed");
    let inbox = format!("{}/admin/inbox", demo.base);
    let deadline = Instant::now() + WAIT;
    loop {
        staff.goto(&inbox).await;
        wait_for_heading(&staff, "Inbox").await;
        if staff.text("main").await.contains(&tick) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Bob's tick did not reach the inbox within {WAIT:?}: {}",
            staff.text("main").await
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    found.extend(check(&staff, "inbox").await);
    staff.screenshot("flow-11-inbox").await;
    staff.close().await;

    assert!(
        found.is_empty(),
        "axe-core found {} violation(s):\n{}",
        found.len(),
        found.join("\n")
    );
}
