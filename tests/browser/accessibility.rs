//! Every kind of portal page checked with axe-core (WCAG 2.1 A and AA rules, plus axe's best
//! practices for landmarks and headings), injected through WebDriver into the live page.

use fantoccini::Locator;
use serde_json::{Value, json};

use super::demo::{ANN, BOB, Demo};
use super::harness::{Browser, DESKTOP, Driver, PHONE, tools};
use super::{one_at_a_time, within_five_minutes};

/// The rule tags checked: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices.
const TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_portal_page_passes_axe() {
    within_five_minutes(every_page()).await;
}

async fn every_page() {
    let _turn = one_at_a_time().await;
    let demo = Demo::start();
    let bob = demo.link(BOB);
    let ann = demo.link(ANN);
    let driver = Driver::start();
    let mut found = Vec::new();

    for viewport in [PHONE, DESKTOP] {
        let here = Browser::open(&driver, viewport, true).await;
        let size = format!("{}×{}", viewport.width, viewport.height);
        if viewport.width == PHONE.width {
            // The landing page, then the checklist with open and done tasks, a file, a comment
            // and a notice.
            here.goto(&bob).await;
            found.extend(check(&here, &format!("landing page ({size})")).await);
            here.wait_for("form button.primary")
                .await
                .click()
                .await
                .unwrap();
            here.wait_for("ol.tasks").await;
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("statement.pdf");
            std::fs::write(&file, "%PDF-1.4\n%\u{e2}\u{e3}\n").unwrap();
            here.wait_for("#file-2")
                .await
                .send_keys(file.to_str().unwrap())
                .await
                .unwrap();
            here.wait_for("#task-2 form[action$='/upload'] button")
                .await
                .click()
                .await
                .unwrap();
            here.wait_for("#task-2 ul.files").await;
            here.wait_for("#comment-2")
                .await
                .send_keys("Here it is.")
                .await
                .unwrap();
            here.wait_for("#task-2 form[action$='/comment'] button")
                .await
                .click()
                .await
                .unwrap();
            here.wait_for("#task-2 ul.comments").await;
            assert!(here.client.find(Locator::Css("li.task.done")).await.is_ok());
            assert!(
                here.client
                    .find(Locator::Css("li.task:not(.done)"))
                    .await
                    .is_ok()
            );
            found.extend(check(&here, &format!("checklist ({size})")).await);
            // Ann's work is completed: a locked checklist.
            here.goto(&ann).await;
            here.wait_for("form button.primary")
                .await
                .click()
                .await
                .unwrap();
            here.wait_for(".notice.locked").await;
            found.extend(check(&here, &format!("locked checklist ({size})")).await);
            // A link that is not valid.
            here.goto(&format!("{}/c/not-a-real-token", demo.base))
                .await;
            assert_eq!(here.text("h1").await, "This link is not valid");
            found.extend(check(&here, &format!("invalid link ({size})")).await);
        } else {
            // A second device: Bob's link says the checklist is open elsewhere, and offers a
            // new link.
            here.goto(&bob).await;
            found.extend(check(&here, &format!("landing page ({size})")).await);
            here.wait_for("form button.primary")
                .await
                .click()
                .await
                .unwrap();
            wait_for_heading(&here, "This checklist is open on another device").await;
            found.extend(check(&here, &format!("another device ({size})")).await);
            here.wait_for("form button.primary")
                .await
                .click()
                .await
                .unwrap();
            wait_for_heading(&here, "Check your email").await;
            found.extend(check(&here, &format!("new link sent ({size})")).await);
            // The fresh link moves the checklist to this device: the checklist, desktop wide.
            let fresh = demo.link_other_than(BOB, &[&bob]);
            here.goto(&fresh).await;
            here.wait_for("form button.primary")
                .await
                .click()
                .await
                .unwrap();
            here.wait_for("#task-2 ul.comments").await;
            found.extend(check(&here, &format!("checklist ({size})")).await);
        }
        here.close().await;
    }
    assert!(
        found.is_empty(),
        "axe-core found {} violation(s):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The instrument can fail: a page with an unlabelled field and grey-on-white text is caught.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_catches_a_page_with_violations() {
    within_five_minutes(a_bad_page()).await;
}

async fn a_bad_page() {
    let _turn = one_at_a_time().await;
    let driver = Driver::start();
    let browser = Browser::open(&driver, PHONE, true).await;
    browser
        .goto("data:text/html,<!doctype html><html lang=en><title>t</title><main><p style='color:%23bbb'>faint</p><input type=text></main></html>")
        .await;
    let found = check(&browser, "a bad page").await;
    let all = found.join("\n");
    assert!(all.contains("color-contrast"), "{all}");
    assert!(all.contains("label"), "{all}");
    browser.close().await;
}

/// Waits for the page that answers a press: the one whose heading says `text`.
pub async fn wait_for_heading(browser: &Browser, text: &str) {
    let xpath = format!("//h1[normalize-space()='{text}']");
    if let Err(e) = browser
        .client
        .wait()
        .at_most(super::harness::WAIT)
        .for_element(Locator::XPath(&xpath))
        .await
    {
        let now = browser.text("h1").await;
        panic!("no page headed “{text}” (the page says “{now}”): {e}");
    }
}

/// Runs axe-core on the page as it is and returns its violations, one readable line per node.
pub async fn check(browser: &Browser, page: &str) -> Vec<String> {
    let injected = browser
        .client
        .execute(
            &format!("{}\n;return typeof window.axe;", tools().axe),
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("cannot inject axe-core into the {page}: {e}"));
    assert_eq!(injected, json!("object"), "axe-core loaded into the {page}");
    let result = browser
        .client
        .execute_async(
            r#"
            const [tags, done] = arguments;
            axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })
              .then(r => done({
                passes: r.passes.length,
                violations: r.violations.map(v => ({
                  id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => ({ target: n.target.join(" "), summary: n.failureSummary || "" })),
                })),
              }))
              .catch(e => done({ error: String(e) }));
            "#,
            vec![json!(TAGS)],
        )
        .await
        .unwrap_or_else(|e| panic!("axe-core did not run on the {page}: {e}"));
    assert!(
        result["error"].is_null(),
        "axe-core failed on the {page}: {}",
        result["error"]
    );
    assert!(
        result["passes"].as_u64().unwrap_or(0) > 0,
        "axe-core checked nothing on the {page}: {result}"
    );
    let mut lines = Vec::new();
    for v in result["violations"].as_array().into_iter().flatten() {
        for n in v["nodes"].as_array().into_iter().flatten() {
            lines.push(format!(
                "  {page}: [{} {}] {} — at `{}`: {}",
                text(&v["impact"]),
                text(&v["id"]),
                text(&v["help"]),
                text(&n["target"]),
                text(&n["summary"]).replace('\n', " "),
            ));
        }
    }
    println!(
        "axe-core on the {page}: {} rules passed, {} violation node(s)",
        result["passes"],
        lines.len()
    );
    lines
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}
