//! A member of staff in the admin, as a person uses it: the server's address lands on sign-in;
//! signed in, the layout shows the navigation, their name and the unread count; a client ticks
//! a task in another browser and the tick arrives in the staff inbox; mark read; the work, the
//! settings, the account, the template and the contact pages; sign-out. Every page is checked with axe-core and
//! photographed, on a desktop and on a phone (where nothing may scroll sideways).

use std::time::{Duration, Instant};

use fantoccini::Locator;

use super::accessibility::{check, wait_for_heading};
use super::demo::{BOB, Demo};
use super::harness::{Browser, DESKTOP, Driver, PHONE, WAIT};
use super::{one_at_a_time, within_five_minutes};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_sign_in_see_a_clients_tick_in_the_inbox_and_every_page_passes_axe() {
    within_five_minutes(staff_visit()).await;
}

async fn staff_visit() {
    let _turn = one_at_a_time().await;
    let demo = Demo::start();
    let (email, password) = demo.admin_sign_in();
    let firm = demo.api("/firm").await["name"]
        .as_str()
        .expect("the firm's name")
        .to_string();
    let sign_in_heading = format!("Sign in to {firm}");
    let driver = Driver::start();
    let mut found = Vec::new();

    let staff = Browser::open(&driver, DESKTOP, true).await;
    // The server's own address lands on the sign-in page.
    staff.goto(&format!("{}/", demo.base)).await;
    wait_for_heading(&staff, &sign_in_heading).await;
    assert_eq!(staff.url().await, format!("{}/admin/sign-in", demo.base));
    found.extend(check(&staff, "sign-in page").await);
    staff.screenshot("admin-1-sign-in").await;

    // A wrong password is refused with the same words for any email, next to the form.
    sign_in(&staff, &email, "not the password").await;
    let error = staff.text("p.error").await;
    assert!(error.contains("do not match an account"), "{error}");
    found.extend(check(&staff, "refused sign-in").await);

    sign_in(&staff, &email, &password).await;
    wait_for_heading(&staff, "Your desk").await;
    assert_eq!(staff.url().await, format!("{}/admin", demo.base));
    let bar = staff.text("header.bar").await;
    for expected in [
        firm.as_str(),
        "Work",
        "Inbox",
        "Settings",
        "Demo Admin",
        "Sign out",
    ] {
        assert!(
            bar.contains(expected),
            "{expected} is not in the bar: {bar}"
        );
    }
    let home = staff.text("main").await;
    assert!(
        home.contains("Baker's Bakery — November books") && home.contains("1 of 3 done"),
        "{home}"
    );
    found.extend(check(&staff, "work overview").await);
    staff.screenshot("admin-2-work").await;

    // The demo's own events reach the inbox first (the hooks worker may still be at them), so
    // that Bob's tick below is the newest notification and the only one arriving meanwhile.
    let settled = "Archer Consulting — October books: Every task completed";
    let deadline = Instant::now() + WAIT;
    loop {
        staff.goto(&format!("{}/admin/inbox", demo.base)).await;
        wait_for_heading(&staff, "Inbox").await;
        if staff.text("main").await.contains(settled) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the demo's notifications did not reach the inbox within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Bob ticks "Receipts and invoices" on his checklist, in a browser of his own.
    let bob = Browser::open(&driver, PHONE, true).await;
    bob.goto(&demo.link(BOB)).await;
    bob.wait_for("form button.primary")
        .await
        .click()
        .await
        .unwrap();
    bob.wait_for("#task-2 form[action$='/tasks/2/done'] button")
        .await
        .click()
        .await
        .unwrap();
    bob.wait_for("p.notice").await;
    bob.close().await;

    // It reaches the inbox (the hooks worker runs in the background), and the unread count.
    let tick = "Task “Receipts and invoices” completed";
    let inbox = format!("{}/admin/inbox", demo.base);
    let deadline = Instant::now() + WAIT;
    loop {
        staff.goto(&inbox).await;
        wait_for_heading(&staff, "Inbox").await;
        if staff.text("main").await.contains(tick) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Bob's tick did not reach the inbox within {WAIT:?}: {}",
            staff.text("main").await
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let count: usize = staff
        .text("header.bar .count")
        .await
        .trim_end_matches("unread")
        .trim()
        .parse()
        .expect("the unread count is a number");
    assert!(count >= 1);
    // Among the newest (the demo's own events may still be arriving, so not always the first).
    let mut item = String::new();
    for n in 1..=3 {
        item = staff.text(&format!("ol.inbox li:nth-child({n})")).await;
        if item.contains(tick) {
            break;
        }
    }
    assert!(item.contains(tick) && item.contains("unread"), "{item}");
    found.extend(check(&staff, "inbox").await);
    staff.screenshot("admin-3-inbox").await;

    // Mark it read: the count drops by one.
    staff
        .wait_for("ol.inbox li:first-child form button")
        .await
        .click()
        .await
        .unwrap();
    wait_for_heading(&staff, "Inbox").await;
    let newest = staff.text("ol.inbox li:first-child").await;
    assert!(
        newest.contains(tick) && !newest.contains("unread"),
        "{newest}"
    );
    let after = staff
        .client
        .find_all(Locator::Css("header.bar .count"))
        .await
        .unwrap();
    let now: usize = match after.first() {
        Some(badge) => badge
            .text()
            .await
            .unwrap()
            .trim_end_matches("unread")
            .trim()
            .parse()
            .unwrap(),
        None => 0,
    };
    assert_eq!(now, count - 1);

    // The notification leads to the work item.
    staff
        .client
        .find(Locator::Css("ol.inbox li:first-child a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    staff.wait_for("dl.facts").await;
    assert_eq!(staff.text("h1").await, "Baker's Bakery — November books");
    let work = staff.text("main").await;
    assert!(
        work.contains("Receipts and invoices") && work.contains("Bob Baker"),
        "{work}"
    );
    found.extend(check(&staff, "work page").await);
    staff.screenshot("admin-4-work-item").await;

    for (path, heading, shot) in [
        ("/admin/settings", "Settings", "admin-5-settings"),
        ("/admin/account", "Your account", "admin-6-account"),
        ("/admin/users", "Staff", "admin-7-users"),
        ("/admin/tokens", "API tokens", "admin-8-tokens"),
        ("/admin/plugins", "Plugins", "admin-9-plugins"),
        ("/admin/outbox", "Outbox", "admin-10-outbox"),
        ("/admin/work", "All work", "admin-11-work-list"),
        (
            "/admin/work?sort=client",
            "All work",
            "admin-11-work-list-by-client",
        ),
        ("/admin/work/new", "New work", "admin-12-new-work"),
        ("/admin/templates", "Templates", "admin-13-templates"),
        (
            "/admin/templates/new",
            "New template",
            "admin-14-template-new",
        ),
        ("/admin/contacts", "Contacts", "admin-15-contacts"),
    ] {
        staff.goto(&format!("{}{path}", demo.base)).await;
        wait_for_heading(&staff, heading).await;
        found.extend(check(&staff, heading).await);
        staff.screenshot(shot).await;
    }
    // A template's page with its calendar preview, and a contact's page.
    for (list, heading, shot, what) in [
        (
            "/admin/templates",
            "Templates",
            "admin-9-template",
            "template page",
        ),
        (
            "/admin/contacts",
            "Contacts",
            "admin-11-contact",
            "contact page",
        ),
    ] {
        staff.goto(&format!("{}{list}", demo.base)).await;
        wait_for_heading(&staff, heading).await;
        staff
            .client
            .find(Locator::Css("table tbody tr:first-child a"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        staff.wait_for("main form").await;
        found.extend(check(&staff, what).await);
        staff.screenshot(shot).await;
    }
    // A due offset over a year is asked about on a page of its own before it is saved.
    staff.goto(&format!("{}/admin/templates", demo.base)).await;
    wait_for_heading(&staff, "Templates").await;
    staff
        .client
        .find(Locator::Css("table tbody tr:first-child a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The first group's forms fold away when the template has more than one.
    let fold = staff
        .wait_for("section.group details.group-forms > summary")
        .await;
    if !staff
        .client
        .find(Locator::Css("#task-0-0-due"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap()
    {
        staff.press(&fold).await;
    }
    let due = staff.wait_for("#task-0-0-due").await;
    due.clear().await.unwrap();
    due.send_keys("400").await.unwrap();
    let save = staff.wait_for("#task-0-0 button[type='submit']").await;
    staff.press(&save).await;
    wait_for_heading(&staff, "Due more than a year from the start?").await;
    let asked = staff.text("main").await;
    assert!(
        asked.contains("The task would be due 400 days after the work's start"),
        "{asked}"
    );
    found.extend(check(&staff, "due over a year, asked").await);
    staff.screenshot("admin-9b-template-due-over-a-year").await;
    let yes = staff.wait_for("main form button.primary").await;
    staff.press(&yes).await;
    let due = staff.wait_for("#task-0-0-due").await;
    assert_eq!(due.prop("value").await.unwrap().as_deref(), Some("400"));

    // The same pages on a phone: nothing scrolls sideways.
    let phone = Browser::open(&driver, PHONE, true).await;
    phone.goto(&format!("{}/admin/sign-in", demo.base)).await;
    phone.assert_no_sideways_scroll("the sign-in page").await;
    sign_in(&phone, &email, &password).await;
    wait_for_heading(&phone, "Your desk").await;
    for (path, heading, shot) in [
        ("/admin", "Your desk", "admin-phone-work"),
        ("/admin/inbox", "Inbox", "admin-phone-inbox"),
        ("/admin/settings", "Settings", "admin-phone-settings"),
        ("/admin/account", "Your account", "admin-phone-account"),
        ("/admin/templates", "Templates", "admin-phone-templates"),
        (
            "/admin/work?sort=status",
            "All work",
            "admin-phone-work-list",
        ),
        (
            "/admin/templates/new",
            "New template",
            "admin-phone-template-new",
        ),
        ("/admin/contacts", "Contacts", "admin-phone-contacts"),
    ] {
        phone.goto(&format!("{}{path}", demo.base)).await;
        wait_for_heading(&phone, heading).await;
        phone.assert_no_sideways_scroll(heading).await;
        found.extend(check(&phone, &format!("{heading} (phone)")).await);
        phone.screenshot(shot).await;
    }
    phone.close().await;

    // Sign out: back at the sign-in page, and the admin asks to sign in again.
    staff
        .wait_for("header.bar form[action='/admin/sign-out'] button")
        .await
        .click()
        .await
        .unwrap();
    wait_for_heading(&staff, &sign_in_heading).await;
    assert!(staff.text("main").await.contains("You are signed out."));
    staff.goto(&inbox).await;
    wait_for_heading(&staff, &sign_in_heading).await;
    staff.close().await;

    assert!(
        found.is_empty(),
        "axe-core found {} violation(s):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Fills in the sign-in form and sends it.
async fn sign_in(browser: &Browser, email: &str, password: &str) {
    let field = browser.wait_for("#email").await;
    field.clear().await.unwrap();
    field.send_keys(email).await.unwrap();
    browser
        .wait_for("#password")
        .await
        .send_keys(password)
        .await
        .unwrap();
    browser
        .wait_for("form[action='/admin/sign-in'] button.primary")
        .await
        .click()
        .await
        .unwrap();
}
