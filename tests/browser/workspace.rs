//! Staff's daily desk in a real browser, at 1366×768 (the commonest laptop) and 390×844 (a
//! phone): the home page says what clients did and what is due; the header's search box finds a
//! client's work and the contact by typing part of a name; the saved views and the sorted work
//! list open; a bulk send from the list says what it did, a bulk completion asks first; nothing
//! scrolls sideways, no table (desk, search, work list, outbox) hides its columns behind a
//! scrollbar at 1366 px or on the phone (where each row reads as a card), and every page passes
//! axe-core. Screenshots go under `target/browser-screenshots/`.

use fantoccini::Locator;
use fantoccini::key::Key;

use super::accessibility::{check, wait_for_heading};
use super::demo::Demo;
use super::harness::{Browser, Driver, LAPTOP, PHONE};
use super::{one_at_a_time, within_five_minutes};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_find_a_client_by_search_and_read_their_desk_at_laptop_and_phone_sizes() {
    within_five_minutes(desk_visit()).await;
}

/// Whether every table on the page fits its region: none wider than its box (a scrollbar hiding
/// columns), at 1366 px as on a phone, where each row reads as a card.
async fn tables_fit(browser: &Browser) -> bool {
    let wide = browser
        .client
        .execute(
            "return [...document.querySelectorAll('div.table')].filter(d => d.scrollWidth > d.clientWidth + 1 || [...d.querySelectorAll('table')].some(t => t.scrollWidth > d.clientWidth + 1)).length",
            vec![],
        )
        .await
        .unwrap();
    wide.as_u64() == Some(0)
}

async fn desk_visit() {
    let _turn = one_at_a_time().await;
    let demo = Demo::start();
    let (email, password) = demo.admin_sign_in();
    let driver = Driver::start();
    let mut found = Vec::new();

    for (viewport, size) in [(LAPTOP, "laptop"), (PHONE, "phone")] {
        let staff = Browser::open(&driver, viewport, true).await;
        staff.goto(&format!("{}/admin/sign-in", demo.base)).await;
        sign_in(&staff, &email, &password).await;
        // The home page: the member's desk. On a first look it tells what clients did this
        // week (the demo's clients ticked tasks); later, what they did since.
        wait_for_heading(&staff, "Your desk").await;
        let home = staff.text("main").await;
        for expected in [
            "Your work due this week",
            "Overdue client tasks",
            "What clients did",
            "Emails that failed",
            "Recently active clients",
        ] {
            assert!(
                home.contains(expected),
                "{expected} is not on the home page: {home}"
            );
        }
        if size == "laptop" {
            // The member's first look (the phone's is their second).
            assert!(home.contains("What clients did this week"), "{home}");
            let done = staff.text("section:has(#done) ol").await;
            assert!(done.contains("Baker's Bakery — November books"), "{done}");
        }
        staff.assert_no_sideways_scroll("the home page").await;
        assert!(
            tables_fit(&staff).await,
            "a table on the home page scrolls sideways ({size})"
        );
        found.extend(check(&staff, &format!("home page ({size})")).await);
        staff.screenshot(&format!("workspace-{size}-1-home")).await;
        // Looked at once, the next look says since when.
        staff.goto(&format!("{}/admin", demo.base)).await;
        wait_for_heading(&staff, "Your desk").await;
        let again = staff.text("#done").await;
        assert!(again.contains("since you last looked"), "{again}");

        // Search from the header: part of the client's name finds their work and the contact.
        let field = staff.wait_for("#header-q").await;
        field.send_keys("bak").await.unwrap();
        field.send_keys(&Key::Enter.to_string()).await.unwrap();
        wait_for_heading(&staff, "Search for “bak”").await;
        let results = staff.text("main").await;
        assert!(
            results.contains("Baker's Bakery — November books")
                && results.contains("Bob Baker")
                && results.contains("Monthly bookkeeping")
                && !results.contains("Carol Chen"),
            "{results}"
        );
        assert_eq!(
            staff
                .wait_for("#header-q")
                .await
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some("bak"),
            "the search box keeps what was searched"
        );
        staff.assert_no_sideways_scroll("the search page").await;
        assert!(
            tables_fit(&staff).await,
            "a search table scrolls sideways ({size})"
        );
        found.extend(check(&staff, &format!("search page ({size})")).await);
        staff
            .screenshot(&format!("workspace-{size}-2-search"))
            .await;
        let work = staff
            .client
            .find(Locator::LinkText("Baker's Bakery — November books"))
            .await
            .unwrap();
        staff.press(&work).await;
        staff.wait_for("dl.facts").await;
        assert_eq!(staff.text("h1").await, "Baker's Bakery — November books");

        // The saved views, the work list sorted by next due date, client and assignee, and the
        // new template's form with its examples as placeholders.
        for (path, heading, shot) in [
            ("/admin/activity", "Recently active clients", "3-active"),
            ("/admin/activity/failed", "Failed emails", "4-failed"),
            ("/admin/work?sort=due", "All work", "5-work-by-due"),
            ("/admin/work?sort=client", "All work", "5b-work-by-client"),
            (
                "/admin/work?sort=assignee",
                "All work",
                "5c-work-by-assignee",
            ),
            ("/admin/templates/new", "New template", "5d-template-new"),
            ("/admin/outbox", "Outbox", "5e-outbox"),
            ("/admin/work", "All work", "6-work"),
        ] {
            staff.goto(&format!("{}{path}", demo.base)).await;
            wait_for_heading(&staff, heading).await;
            staff.assert_no_sideways_scroll(heading).await;
            assert!(
                tables_fit(&staff).await,
                "{path} has a table scrolling sideways ({size})"
            );
            found.extend(check(&staff, &format!("{heading} ({size})")).await);
            staff.screenshot(&format!("workspace-{size}-{shot}")).await;
        }
        // On the phone the selection's actions are below every card: a link at the top leads
        // there; on the laptop they are in sight and the link is not shown.
        let to_bulk = staff.wait_for("p.to-bulk a[href='#bulk']").await;
        assert_eq!(
            to_bulk.is_displayed().await.unwrap(),
            size == "phone",
            "the link to the actions ({size})"
        );
        // A checkbox's hint reads under it, not squeezed beside it.
        let under = staff
            .client
            .execute(
                "const box = document.getElementById('needs_attention').getBoundingClientRect();
                 const hint = document.getElementById('needs_attention-hint').getBoundingClientRect();
                 return hint.top >= box.bottom;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            under,
            serde_json::Value::Bool(true),
            "the hint is under its checkbox ({size})"
        );
        // A bulk send from the list (on the laptop; the phone finds it sent): tick the planned
        // work, keep "Send", apply, and read what was done.
        if size == "laptop" {
            let tick = staff
                .wait_for("input[name='work'][aria-label='Select Carol Chen — 2026 tax return']")
                .await;
            staff.press(&tick).await;
            let apply = staff.wait_for("fieldset.bulk button.primary").await;
            staff.press(&apply).await;
            wait_for_heading(&staff, "Sending the work selected").await;
            let done = staff.text("main").await;
            assert!(
                done.contains("Carol Chen — 2026 tax return — ") && done.contains(": Sent."),
                "{done}"
            );
            assert!(done.contains("Nothing was refused."), "{done}");
            found.extend(check(&staff, "bulk summary").await);
            staff.screenshot("workspace-laptop-7-bulk-send").await;
            staff.goto(&format!("{}/admin/work", demo.base)).await;
            wait_for_heading(&staff, "All work").await;
        }
        // On the phone: completing work with open tasks asks first, on a page of its own.
        if size == "phone" {
            let tick = staff
                .wait_for(
                    "input[name='work'][aria-label=\"Select Baker's Bakery — November books\"]",
                )
                .await;
            staff.press(&tick).await;
            staff
                .wait_for("#bulk-action")
                .await
                .select_by_value("complete")
                .await
                .unwrap();
            let apply = staff.wait_for("fieldset.bulk button.primary").await;
            staff.press(&apply).await;
            wait_for_heading(&staff, "Complete work with open tasks?").await;
            let asked = staff.text("main").await;
            assert!(asked.contains("2 tasks still open"), "{asked}");
            staff.assert_no_sideways_scroll("the confirmation").await;
            found.extend(check(&staff, "bulk confirmation (phone)").await);
            staff.screenshot("workspace-phone-7-bulk-confirm").await;
            staff.goto(&format!("{}/admin/work", demo.base)).await;
            wait_for_heading(&staff, "All work").await;
        }
        let active = staff.text("main").await;
        assert!(
            active.contains("Bob Baker") && active.contains("Last client activity"),
            "{active}"
        );
        staff.close().await;
    }

    assert!(
        found.is_empty(),
        "axe-core found {} violation(s):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Fills in the sign-in form and sends it.
async fn sign_in(browser: &Browser, email: &str, password: &str) {
    browser
        .wait_for("#email")
        .await
        .send_keys(email)
        .await
        .unwrap();
    browser
        .wait_for("#password")
        .await
        .send_keys(password)
        .await
        .unwrap();
    let button = browser
        .wait_for("form[action='/admin/sign-in'] button.primary")
        .await;
    browser.press(&button).await;
}
