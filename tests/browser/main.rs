//! The client portal and the staff admin in a real browser: Debian's headless Chromium driven
//! through chromedriver (fantoccini), against `docket serve --demo` and the links it emails. A
//! client's whole visit (open the link, bind, tick, upload, comment) at 360×740 with JavaScript
//! off, at 390×844 and at 1280×800 with it on, with nothing scrolling sideways and screenshots
//! saved under
//! `target/browser-screenshots/`; every kind of portal page checked with axe-core; and a member
//! of staff signing in to the admin, finding a client's tick in the inbox, every admin page
//! checked with axe-core and photographed; and staff's daily desk (the home page, search, the
//! saved views and the work list) at 1366×768 and 390×844; and a French client's portal, in
//! French, switched to German from its footer; and unmatched replies by email (read from a real
//! dovecot) attached through the Replies page's choice of work.
//!
//! These tests need `chromium`, `chromedriver` and npm (for axe-core, fetched once into the
//! target folder); without them they fail, saying how to install them. `.ci/run` installs them.
//! One browser runs at a time.

#[path = "../support/mod.rs"]
mod support;

mod accessibility;
mod admin;
mod demo;
mod flows;
mod harness;
mod languages;
mod main_flow;
mod replies;
mod staff_desk;
mod workspace;

/// Browser tests take turns: two headless Chromiums on two shared cores only slow each other.
pub async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}

/// A browser test's whole run, bounded: a hung browser fails the test (its driver and browsers
/// are killed as the test unwinds) instead of stalling the suite.
pub async fn within_five_minutes<F: std::future::Future<Output = ()>>(test: F) {
    let limit = std::time::Duration::from_secs(300);
    if tokio::time::timeout(limit, test).await.is_err() {
        panic!("the browser test did not finish within {limit:?}");
    }
}
