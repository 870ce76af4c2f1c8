//! The portal in the contact's language: a French contact's landing page and checklist are in
//! French with `lang="fr"`, pass axe-core, and write dates the French way; the footer switches
//! the checklist to German, which is kept on the contact. A French browser reads a broken link
//! and the sign-in page in French; the sign-in page's footer switches it to German, which the
//! browser keeps (a broken link is then German too); all pass axe-core.

use serde_json::json;

use super::accessibility::check;
use super::demo::{BOB, Demo};
use super::harness::{Browser, Driver, PHONE};
use super::{one_at_a_time, within_five_minutes};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_contacts_checklist_is_in_french_and_passes_axe() {
    within_five_minutes(french_checklist()).await;
}

async fn french_checklist() {
    let _turn = one_at_a_time().await;
    let demo = Demo::start();
    let link = demo.link(BOB);
    let found = demo.api(&format!("/contacts?q={BOB}")).await;
    let bob = found[0]["id"]
        .as_str()
        .expect("Bob is a contact")
        .to_string();
    let changed = demo
        .api_patch(&format!("/contacts/{bob}"), json!({ "locale": "fr" }))
        .await;
    assert_eq!(changed["locale"], "fr");

    let driver = Driver::start();
    let here = Browser::open(&driver, PHONE, true).await;
    let mut violations = Vec::new();
    here.goto(&link).await;
    assert_eq!(lang(&here).await, "fr");
    assert_eq!(here.text("form button.primary").await, "Ouvrir ma liste");
    violations.extend(check(&here, "French landing page").await);
    here.wait_for("form button.primary")
        .await
        .click()
        .await
        .unwrap();
    here.wait_for("ol.tasks").await;
    assert_eq!(lang(&here).await, "fr");
    let page = here.text("main").await;
    // The demo's words (the firm's) stay as written; Docket's own are French.
    for french in [
        "fait",
        "À fournir le",
        "Marquer « ",
        "Commentaire ou question sur « ",
    ] {
        assert!(
            page.contains(french),
            "no “{french}” on the checklist: {page}"
        );
    }
    let months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    assert!(
        months.iter().any(|m| page.contains(m)),
        "no French date on the checklist: {page}"
    );
    for english in ["Due ", "Mark “", "Send comment"] {
        assert!(!page.contains(english), "“{english}” is English: {page}");
    }
    let footer = here.text("footer").await;
    assert!(footer.contains("Langue :"), "{footer}");
    violations.extend(check(&here, "French checklist").await);

    // The footer's German: the page, and the contact, are German from now on.
    here.wait_for("footer button[value='de']")
        .await
        .click()
        .await
        .unwrap();
    here.wait_for("p.notice").await;
    assert_eq!(lang(&here).await, "de");
    assert!(
        here.text("p.notice")
            .await
            .contains("Ihre Sprache ist gespeichert"),
        "{}",
        here.text("main").await
    );
    assert!(here.text("main").await.contains("Fällig am"));
    violations.extend(check(&here, "German checklist").await);
    let bob_now = demo.api(&format!("/contacts/{bob}")).await;
    assert_eq!(bob_now["locale"], "de", "the choice is kept on the contact");
    here.close().await;
    assert!(
        violations.is_empty(),
        "axe-core found {} violation(s):\n{}",
        violations.len(),
        violations.join("\n")
    );
}

async fn lang(browser: &Browser) -> String {
    let lang = browser
        .client
        .execute("return document.documentElement.lang;", vec![])
        .await
        .unwrap();
    lang.as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_browser_reads_a_broken_link_in_french_and_the_sign_in_switch_sticks() {
    within_five_minutes(french_browser()).await;
}

async fn french_browser() {
    let _turn = one_at_a_time().await;
    let demo = Demo::start();
    let driver = Driver::start();
    let here = Browser::open(&driver, PHONE, true).await;
    // The browser asks for French first (`Accept-Language`), as a French user's does.
    let agent = here
        .client
        .execute("return navigator.userAgent;", vec![])
        .await
        .unwrap();
    here.cdp(
        "Emulation.setUserAgentOverride",
        json!({ "userAgent": agent, "acceptLanguage": "fr-FR,fr;q=0.9,en;q=0.5" }),
    )
    .await;
    let mut violations = Vec::new();
    let broken = format!("{}/c/this-link-was-mistyped", demo.base);
    here.goto(&broken).await;
    assert_eq!(lang(&here).await, "fr");
    assert_eq!(here.text("h1").await, "Ce lien n’est pas valide");
    violations.extend(check(&here, "French broken link").await);

    here.goto(&format!("{}/account/sign-in", demo.base)).await;
    assert_eq!(lang(&here).await, "fr");
    assert_eq!(
        here.text("h1").await,
        "Se connecter pour voir toutes vos demandes"
    );
    assert!(here.text("footer").await.contains("Langue :"));
    violations.extend(check(&here, "French sign-in page").await);

    // The footer's German: this page, and the next pages of this browser.
    here.wait_for("footer button[value='de']")
        .await
        .click()
        .await
        .unwrap();
    here.wait_for("footer strong[lang='de']").await;
    assert_eq!(lang(&here).await, "de");
    assert_eq!(
        here.text("h1").await,
        "Anmelden, um alle Ihre Anfragen zu sehen"
    );
    violations.extend(check(&here, "German sign-in page").await);
    here.goto(&broken).await;
    assert_eq!(
        lang(&here).await,
        "de",
        "the choice outlasts Accept-Language"
    );
    assert_eq!(here.text("h1").await, "Dieser Link ist ungültig");
    here.close().await;
    assert!(
        violations.is_empty(),
        "axe-core found {} violation(s):\n{}",
        violations.len(),
        violations.join("\n")
    );
}
