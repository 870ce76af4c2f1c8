//! The portal in the contact's language: a French contact's landing page and checklist are in
//! French with `lang="fr"`, pass axe-core, and write dates the French way; the footer switches
//! the checklist to German, which is kept on the contact.

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
