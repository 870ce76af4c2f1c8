//! A member of staff's desk work, in a real browser at 1366×768 and at 390×844: the same work
//! made for five contacts in one step (two ticked from the list, three pasted), and a client's
//! upload reviewed — sent back with a reason, which the client reads on their checklist, then,
//! sent again, accepted; the work completed with a task open, asked first on a page of its own
//! without JavaScript and in a dialog with it. Every page passes axe-core and is photographed; on the phone nothing
//! scrolls sideways.

use serde_json::json;

use super::accessibility::{check, wait_for_heading};
use super::demo::{BOB, Demo};
use super::harness::{Browser, Driver, PHONE, Viewport};
use super::{one_at_a_time, within_five_minutes};

/// A common laptop screen.
const LAPTOP: Viewport = Viewport {
    width: 1366,
    height: 768,
    phone: false,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_make_work_for_five_contacts_and_review_a_clients_upload() {
    within_five_minutes(desk()).await;
}

async fn sign_in(browser: &Browser, demo: &Demo) {
    let (email, password) = demo.admin_sign_in();
    browser.goto(&format!("{}/admin/sign-in", demo.base)).await;
    browser
        .wait_for("#email")
        .await
        .send_keys(&email)
        .await
        .unwrap();
    browser
        .wait_for("#password")
        .await
        .send_keys(&password)
        .await
        .unwrap();
    let go = browser
        .wait_for("form[action='/admin/sign-in'] button.primary")
        .await;
    browser.press(&go).await;
    wait_for_heading(browser, "Your desk").await;
}

async fn desk() {
    let _turn = one_at_a_time().await;
    let demo = Demo::start();
    for n in 1..=3 {
        demo.api_post(
            "/contacts",
            json!({"name": format!("New Client {n}"), "email": format!("new{n}@client.example")}),
        )
        .await;
    }
    let driver = Driver::start();
    let mut found = Vec::new();
    for (viewport, mode) in [(LAPTOP, "laptop"), (PHONE, "phone")] {
        let staff = Browser::open(&driver, viewport, true).await;
        sign_in(&staff, &demo).await;

        // Bulk create: a template, a start date, two contacts ticked and three pasted.
        staff.goto(&format!("{}/admin/work/bulk", demo.base)).await;
        wait_for_heading(&staff, "New work for many clients").await;
        found.extend(check(&staff, &format!("bulk create ({mode})")).await);
        staff.screenshot(&format!("desk-{mode}-1-bulk")).await;
        staff
            .wait_for("#template")
            .await
            .select_by_index(1)
            .await
            .unwrap();
        let start = staff.wait_for("#start_date").await;
        start.send_keys("2027-01-04").await.unwrap();
        for n in 1..=2 {
            let tick = staff.wait_for(&format!("#contact-{n}")).await;
            staff.press(&tick).await;
        }
        staff
            .wait_for("#emails")
            .await
            .send_keys("new1@client.example\nnew2@client.example, new3@client.example")
            .await
            .unwrap();
        let make = staff
            .wait_for("form[action='/admin/work/bulk'] button.primary")
            .await;
        staff.press(&make).await;
        staff.wait_for("p.notice").await;
        let notice = staff.text("p.notice").await;
        assert!(notice.contains("Made 5 work items"), "{notice}");
        // Each item made is linked, with the name its client sees.
        let made = staff.text("ul.made").await;
        assert_eq!(made.matches("the client sees").count(), 5, "{made}");
        found.extend(check(&staff, &format!("bulk create done ({mode})")).await);
        staff.screenshot(&format!("desk-{mode}-2-bulk-made")).await;
        if viewport.phone {
            staff
                .assert_no_sideways_scroll("the bulk create page")
                .await;
        }
        staff.close().await;
    }
    let made = demo.api("/work?contact=new3@client.example").await;
    assert_eq!(
        made.as_array().unwrap().len(),
        2,
        "one item per round: {made}"
    );

    // Bob uploads a file for “Receipts and invoices”.
    let bob = Browser::open(&driver, PHONE, true).await;
    bob.goto(&demo.link(BOB)).await;
    bob.wait_for("form button.primary")
        .await
        .click()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let receipts = dir.path().join("receipts.pdf");
    std::fs::write(&receipts, b"%PDF-1.4 receipts").unwrap();
    bob.wait_for("#file-2")
        .await
        .send_keys(receipts.to_str().unwrap())
        .await
        .unwrap();
    let upload = bob.wait_for("form[action$='/tasks/2/upload'] button").await;
    bob.press(&upload).await;
    bob.wait_for("p.notice").await;
    // The checklist's own address, without the notice and the task's anchor (going to the same
    // address with an anchor would only scroll).
    let checklist = bob.url().await;
    let checklist = checklist.split(['?', '#']).next().unwrap().to_string();

    let bobs = demo.api(&format!("/work?contact={BOB}")).await;
    let work = bobs
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["title"] == "Baker's Bakery — November books")
        .and_then(|w| w["id"].as_str())
        .expect("Bob's November books")
        .to_string();
    for (viewport, mode) in [(LAPTOP, "laptop"), (PHONE, "phone")] {
        let staff = Browser::open(&driver, viewport, true).await;
        sign_in(&staff, &demo).await;
        let page = format!("{}/admin/work/{work}", demo.base);
        staff.goto(&page).await;
        staff.wait_for("dl.facts").await;
        let main = staff.text("main").await;
        let state = if mode == "laptop" {
            "Waiting for review."
        } else {
            "Sent back: These are October's receipts"
        };
        assert!(main.contains(state), "{main}");
        found.extend(check(&staff, &format!("work page with an upload ({mode})")).await);
        if mode == "laptop" {
            // Sent back, with a reason.
            let open = staff.wait_for("details:has(#review-0-1) > summary").await;
            staff.press(&open).await;
            staff
                .wait_for("#review-0-1")
                .await
                .send_keys("These are October's receipts; we need November's")
                .await
                .unwrap();
            let back = staff
                .wait_for("form[action$='/groups/0/tasks/1/review'] button[value='send-back']")
                .await;
            staff.press(&back).await;
            staff.wait_for("p.notice").await;
            let main = staff.text("main").await;
            assert!(main.contains("Sent back. The task is open"), "{main}");
            assert!(
                main.contains("Sent back: These are October's receipts"),
                "{main}"
            );
            found.extend(check(&staff, "work page, sent back").await);
            staff.screenshot("desk-laptop-3-sent-back").await;

            // Bob reads why on his checklist.
            bob.goto(&checklist).await;
            let task = bob.text("#task-2").await;
            assert!(
                task.contains("sent this back: These are October's receipts; we need November's"),
                "{task}"
            );
            found.extend(check(&bob, "checklist, sent back").await);
            bob.screenshot("desk-phone-4-client-sent-back").await;
        } else {
            // Accepted, from the phone: the task stands sent back, so accepting it after all is
            // what is offered.
            let open = staff
                .wait_for("details:has(form[action$='/groups/0/tasks/1/review']) > summary")
                .await;
            staff.press(&open).await;
            let accept = staff
                .wait_for("form[action$='/groups/0/tasks/1/review'] button[value='accept']")
                .await;
            staff.press(&accept).await;
            staff.wait_for("p.notice").await;
            let main = staff.text("main").await;
            assert!(main.contains("Accepted. The task is done."), "{main}");
            found.extend(check(&staff, "work page, accepted").await);
            staff.screenshot("desk-phone-5-accepted").await;
            staff.assert_no_sideways_scroll("the work page").await;
            bob.goto(&checklist).await;
            let task = bob.text("#task-2").await;
            assert!(task.contains("Accepted by"), "{task}");

            // Completing the work while a task is still open is asked first: without
            // JavaScript on a page of its own, with it in a dialog.
            let complete_form = format!("form[action='/admin/work/{work}/complete']");
            let nojs = Browser::open(&driver, PHONE, false).await;
            sign_in(&nojs, &demo).await;
            nojs.goto(&page).await;
            let complete = nojs.wait_for(&format!("{complete_form} button")).await;
            nojs.press(&complete).await;
            nojs.wait_for("form input[name='confirmed']").await;
            assert_eq!(
                nojs.text("h1").await,
                "Complete “Baker's Bakery — November books”?"
            );
            let asked = nojs.text("main").await;
            assert!(
                asked.contains("The client still has 1 open task."),
                "{asked}"
            );
            // (axe-core runs as a script: it checks this page with scripts on, in admin.rs.)
            nojs.screenshot("desk-phone-6-confirm-complete").await;
            nojs.assert_no_sideways_scroll("the confirm page").await;
            nojs.close().await;

            let complete = staff.wait_for(&format!("{complete_form} button")).await;
            staff.press(&complete).await;
            staff.wait_for("dialog[open] #confirm-dialog-yes").await;
            assert_eq!(
                staff.text("#confirm-dialog-heading").await,
                "Complete “Baker's Bakery — November books”?"
            );
            let asked = staff.text("#confirm-dialog-question").await;
            assert!(
                asked.contains("The client still has 1 open task."),
                "{asked}"
            );
            found.extend(check(&staff, "confirm completing, dialog").await);
            staff.screenshot("desk-phone-7-confirm-dialog").await;
            staff.assert_no_sideways_scroll("the confirm dialog").await;
            // Cancel leaves the work as it was; asked again, yes completes it.
            let cancel = staff.wait_for("#confirm-dialog-no").await;
            staff.press(&cancel).await;
            staff.wait_for("dialog:not([open])").await;
            let here = staff.url().await;
            assert!(here.contains(&format!("/admin/work/{work}")), "{here}");
            assert!(!here.contains("/complete"), "{here}");
            assert_eq!(staff.text("h1").await, "Baker's Bakery — November books");
            let complete = staff.wait_for(&format!("{complete_form} button")).await;
            staff.press(&complete).await;
            let yes = staff.wait_for("dialog[open] #confirm-dialog-yes").await;
            staff.press(&yes).await;
            // The page before had a notice of its own (the review's): wait for the new one.
            staff.wait_for_url("notice=completed").await;
            staff.wait_for("p.notice").await;
            let main = staff.text("main").await;
            assert!(main.contains("Work completed."), "{main}");
        }
        staff.close().await;
    }
    bob.close().await;
    assert!(
        found.is_empty(),
        "axe-core found {} violation(s):\n{}",
        found.len(),
        found.join("\n")
    );
}
