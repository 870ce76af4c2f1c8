//! A client's visit, from the emailed link to a ticked task, an uploaded file and a comment, as
//! a person does it in the browser, at three sizes.

use fantoccini::Locator;
use serde_json::Value;

use super::demo::{BOB, Demo};
use super::harness::{Browser, DESKTOP, Driver, PHONE, PHONE_SMALL, Viewport};
use super::{one_at_a_time, within_five_minutes};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_phone_without_javascript_does_the_whole_visit() {
    within_five_minutes(visit(PHONE_SMALL, false)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_with_javascript_does_the_whole_visit() {
    within_five_minutes(visit(PHONE, true)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_browser_does_the_whole_visit() {
    within_five_minutes(visit(DESKTOP, true)).await;
}

/// The instruments can fail: a page wider than the phone is caught with JavaScript off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_scrolls_sideways_is_caught() {
    within_five_minutes(overflow_is_caught()).await;
}

async fn overflow_is_caught() {
    let _turn = one_at_a_time().await;
    let driver = Driver::start();
    let browser = Browser::open(&driver, PHONE_SMALL, false).await;
    assert!(!browser.scripts_run().await, "JavaScript is off");
    browser
        .goto("data:text/html,<!doctype html><meta name=viewport content='width=device-width, initial-scale=1'><p>fits</p>")
        .await;
    let fits = browser.sideways().await;
    assert!(fits.fits(), "a narrow page fits: {fits:?}");
    browser
        .goto("data:text/html,<!doctype html><meta name=viewport content='width=device-width, initial-scale=1'><div style='width:400px'>too wide</div>")
        .await;
    let wide = browser.sideways().await;
    assert!(!wide.fits(), "a 400 px box overflows 360 px: {wide:?}");
    browser.close().await;
}

/// Clicks the element and waits for the page that answers to show `css`.
async fn press(browser: &Browser, button: &str, then: &str) {
    let element = browser.wait_for(button).await;
    browser.press(&element).await;
    browser.wait_for(then).await;
}

/// A notice paragraph saying exactly `text`.
fn notice(text: &str) -> String {
    format!("//p[contains(@class,'notice') and normalize-space()='{text}']")
}

async fn wait_for_xpath(browser: &Browser, xpath: &str) {
    browser
        .client
        .wait()
        .at_most(super::harness::WAIT)
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("no {xpath} on the page: {e}"));
}

async fn assert_no_script(browser: &Browser, page: &str) {
    let scripts = browser
        .client
        .find_all(Locator::Css("script"))
        .await
        .unwrap();
    assert!(scripts.is_empty(), "{page} carries a <script>");
}

async fn class_of(browser: &Browser, css: &str) -> String {
    browser
        .wait_for(css)
        .await
        .attr("class")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn visit(viewport: Viewport, javascript: bool) {
    let _turn = one_at_a_time().await;
    let demo = Demo::start();
    let link = demo.link(BOB);
    let driver = Driver::start();
    let browser = Browser::open(&driver, viewport, javascript).await;
    assert_eq!(
        browser.scripts_run().await,
        javascript,
        "pages run scripts in this session only when JavaScript is on"
    );
    let mode = browser.mode();

    // The link from the email: a landing page that binds nothing yet.
    browser.goto(&link).await;
    assert_eq!(browser.text("h1").await, "November books");
    assert_no_script(&browser, "the landing page").await;
    browser.assert_no_sideways_scroll("the landing page").await;
    browser.screenshot("1-landing").await;

    // "Open my checklist" binds this browser and shows the checklist.
    let open = browser
        .client
        .find(Locator::XPath(
            "//button[normalize-space()='Open my checklist']",
        ))
        .await
        .expect("the landing page offers to open the checklist");
    browser.press(&open).await;
    browser.wait_for("ol.tasks").await;
    let url = browser.url().await;
    let path = url
        .strip_prefix(&format!("{}/p/", demo.base))
        .unwrap_or_else(|| panic!("the checklist is at /p/WORK/GROUP on the link's host: {url}"));
    let work = path.split('/').next().unwrap().to_string();
    assert!(path.starts_with(&format!("{work}/1")), "{url}");
    assert_eq!(browser.text("p.progress").await, "1 of 3 tasks done");
    assert!(class_of(&browser, "#task-1").await.contains("done"));
    assert!(!class_of(&browser, "#task-2").await.contains("done"));
    assert_no_script(&browser, "the checklist").await;
    browser.assert_no_sideways_scroll("the checklist").await;
    browser.screenshot("2-checklist").await;

    // Tick task 2 off: it turns read-only.
    press(
        &browser,
        "#task-2 form[action$='/tasks/2/done'] button",
        "p.notice",
    )
    .await;
    wait_for_xpath(&browser, &notice("Marked done. Thank you!")).await;
    assert!(class_of(&browser, "#task-2").await.contains("done"));
    assert_eq!(browser.text("p.progress").await, "2 of 3 tasks done");
    let forms = browser
        .client
        .find_all(Locator::Css("#task-2 form"))
        .await
        .unwrap();
    assert!(forms.is_empty(), "a done task offers no form");
    browser
        .assert_no_sideways_scroll("the ticked checklist")
        .await;
    browser.screenshot("3-ticked").await;

    // Upload a real file to task 3 through the file input.
    let dir = tempfile::tempdir().unwrap();
    let name = format!("queries-{}x{}.csv", viewport.width, viewport.height);
    let file = dir.path().join(&name);
    std::fs::write(&file, "date,amount,what\n2026-11-03,42.50,van insurance\n").unwrap();
    browser
        .wait_for("#file-3")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .expect("a file chosen in the file input");
    press(
        &browser,
        "#task-3 form[action$='/tasks/3/upload'] button",
        "p.notice",
    )
    .await;
    wait_for_xpath(&browser, &notice("File uploaded. Thank you!")).await;
    let task3 = browser.text("#task-3").await;
    assert!(task3.contains(&name), "the upload is listed: {task3}");
    browser
        .assert_no_sideways_scroll("the checklist after an upload")
        .await;
    browser.screenshot("4-uploaded").await;

    // Comment on task 3.
    let comment = format!("Transaction 14 is the van's insurance ({mode}).");
    browser
        .wait_for("#comment-3")
        .await
        .send_keys(&comment)
        .await
        .unwrap();
    press(
        &browser,
        "#task-3 form[action$='/tasks/3/comment'] button",
        "p.notice",
    )
    .await;
    wait_for_xpath(&browser, &notice("Comment sent.")).await;
    let comments = browser.text("#task-3 ul.comments").await;
    assert!(
        comments.contains(&comment),
        "the comment is shown: {comments}"
    );
    browser
        .assert_no_sideways_scroll("the checklist after a comment")
        .await;
    browser.screenshot("5-commented").await;
    browser.close().await;

    // The engine saw the same: task 2 done, the file and the comment on task 3.
    let record = demo.api(&format!("/work/{work}")).await;
    let tasks = &record["groups"][0]["tasks"];
    assert!(!tasks[1]["done_at"].is_null(), "task 2 is done: {record}");
    assert!(
        tasks[2]["done_at"].is_null(),
        "task 3 is still open: {record}"
    );
    let files = demo.api(&format!("/work/{work}/files")).await;
    assert!(
        contains_text(&files, &name),
        "the upload is stored: {files}"
    );
    let said = demo.api(&format!("/work/{work}/comments")).await;
    assert!(
        contains_text(&said, &comment),
        "the comment is stored: {said}"
    );
}

fn contains_text(value: &Value, text: &str) -> bool {
    match value {
        Value::String(s) => s == text,
        Value::Array(items) => items.iter().any(|v| contains_text(v, text)),
        Value::Object(map) => map.values().any(|v| contains_text(v, text)),
        _ => false,
    }
}
