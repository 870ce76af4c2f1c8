//! The portal in the client's language beyond the checklist itself: every refusal a client can
//! read is in their language (a done task, a completed request, a comment empty or too long,
//! the upload quota and rate), while staff's timeline stays English; a page shown before
//! Docket knows who asks (a broken or replaced link, the sign-in page) follows the browser's
//! `Accept-Language`, else the firm's language, and says `Vary`; every page says
//! `Content-Language`; the language switch on the sign-in, landing and account pages.

use docket_engine::config::UploadQuota;
use docket_engine::model::{Actor, ContactUpdate, MessageKind};
use reqwest::StatusCode;
use reqwest::blocking::Response;

use super::uploads::upload;
use super::{Portal, body, client};

fn speaks(portal: &Portal, email: &str, locale: &str) {
    let contact = portal
        .docket
        .contact_by_email(email)
        .unwrap()
        .expect("a contact");
    portal
        .docket
        .update_contact(
            contact.id,
            ContactUpdate {
                locale: Some(locale.into()),
                ..ContactUpdate::default()
            },
            Actor::System,
        )
        .unwrap();
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The answer's status, `Content-Language` and page.
fn read(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let language = header(&response, "content-language");
    (status, language, body(response))
}

/// A page with the slashes its attributes escape written plainly.
fn unescaped(response: Response) -> String {
    body(response).replace("&#x2f;", "/")
}

fn get_asking(portal: &Portal, path: &str, accept: &str, cookie: Option<&str>) -> Response {
    let mut request = client()
        .get(portal.url(path))
        .header("Accept-Language", accept);
    if let Some(c) = cookie {
        request = request.header("Cookie", c);
    }
    request.send().unwrap()
}

#[test]
fn a_french_clients_refusals_are_in_french_and_staff_read_them_in_english() {
    let portal = Portal::with_quota(UploadQuota {
        files_per_work: 3,
        bytes_per_work: 64 * 1024,
        per_device_per_hour: 2,
    });
    speaks(&portal, "ann@client.example", "fr");
    let ann = portal.bind(0);
    let checklist = portal.checklist(0);
    let page = portal.get(&checklist, Some(&ann));
    assert_eq!(header(&page, "content-language"), "fr");
    assert!(header(&page, "vary").is_empty(), "the contact's language");

    // A comment with nothing in it, and one too long.
    let comment = format!("{checklist}/tasks/1/comment");
    let (status, language, html) = read(portal.post(&comment, Some(&ann), &[("body", "  ")]));
    assert_eq!(
        (status, language.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "fr")
    );
    assert!(
        html.contains("Un commentaire doit contenir du texte."),
        "{html}"
    );
    let long = "x".repeat(10_001);
    let (status, _, html) = read(portal.post(&comment, Some(&ann), &[("body", &long)]));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("au plus 10\u{202F}000 caractères"), "{html}");
    assert!(html.contains("Retour à ma liste"), "{html}");

    // A done task.
    let done = portal.post(&format!("{checklist}/tasks/2/done"), Some(&ann), &[]);
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let again = format!("{checklist}/tasks/2/comment");
    let (status, _, html) = read(portal.post(&again, Some(&ann), &[("body", "encore")]));
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("est fait ; demandez à"), "{html}");
    assert!(!html.contains("reopen"), "{html}");

    // Uploads: two in the hour, the third too fast; an hour on, the fourth past the count.
    let path = format!("{checklist}/tasks/1/upload");
    let send = |name: &str| upload(&portal, &ann, &path, name, b"%PDF-1.4 x");
    assert_eq!(send("a.pdf").status(), StatusCode::SEE_OTHER);
    assert_eq!(send("b.pdf").status(), StatusCode::SEE_OTHER);
    let (status, language, html) = read(send("c.pdf"));
    assert_eq!(
        (status, language.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "fr")
    );
    assert!(
        html.contains("Vous avez envoyé 2 fichiers au cours de la dernière heure"),
        "{html}"
    );
    portal.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(send("c.pdf").status(), StatusCode::SEE_OTHER);
    let (status, _, html) = read(send("d.pdf"));
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        html.contains("Cette demande compte déjà 3 fichiers de votre part"),
        "{html}"
    );
    // Staff read the same refusals in English.
    let timeline = portal.docket.work_timeline(portal.work, 100).unwrap();
    let refusals: Vec<_> = timeline
        .iter()
        .filter(|e| e.summary.starts_with("An upload was refused"))
        .map(|e| e.summary.as_str())
        .collect();
    assert!(
        refusals
            .iter()
            .any(|s| s.contains("the most we take from one device"))
            && refusals.iter().any(|s| s.contains("already has 3 files")),
        "{refusals:?}"
    );

    // A completed request.
    portal
        .docket
        .set_work_status_named(portal.work, "completed", Actor::System)
        .unwrap();
    let (status, _, html) =
        read(portal.post(&format!("{checklist}/tasks/1/done"), Some(&ann), &[]));
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        html.contains("Cette demande est terminée ; plus rien ne peut y être modifié."),
        "{html}"
    );
}

#[test]
fn a_german_clients_upload_past_the_bytes_quota_is_refused_in_german() {
    let portal = Portal::with_quota(UploadQuota {
        bytes_per_work: 100 * 1024,
        ..UploadQuota::default()
    });
    speaks(&portal, "ann@client.example", "de");
    let ann = portal.bind(0);
    let path = format!("{}/tasks/1/upload", portal.checklist(0));
    let big = vec![b'x'; 90 * 1024];
    assert_eq!(
        upload(&portal, &ann, &path, "a.txt", &big).status(),
        StatusCode::SEE_OTHER
    );
    let (status, language, html) = read(upload(&portal, &ann, &path, "b.txt", &big));
    assert_eq!(
        (status, language.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "de")
    );
    assert!(
        html.contains("höchstens 100 KB an Dateien an und hat noch Platz für 10 KB"),
        "{html}"
    );
}

#[test]
fn a_page_before_the_contact_is_known_follows_the_browsers_language() {
    let portal = Portal::start();
    // A broken link: the browser's best language Docket has.
    let (status, language, html) = read(get_asking(
        &portal,
        "/c/no-such-link",
        "es, fr-CH;q=0.9, en;q=0.5",
        None,
    ));
    assert_eq!((status, language.as_str()), (StatusCode::NOT_FOUND, "fr"));
    assert!(html.contains(r#"<html lang="fr">"#), "{html}");
    assert!(html.contains("Ce lien n’est pas valide"), "{html}");
    let broken = get_asking(&portal, "/c/no-such-link", "de", None);
    assert!(header(&broken, "vary").contains("Accept-Language"));
    assert!(body(broken).contains("Dieser Link ist ungültig"));
    // Nothing Docket has: the firm's language.
    let (_, language, html) = read(get_asking(&portal, "/c/no-such-link", "es", None));
    assert_eq!(language, "en");
    assert!(html.contains("This link is not valid"), "{html}");

    // A replaced link still names its contact: in Ann's French, whatever the browser says.
    speaks(&portal, "ann@client.example", "fr");
    let old = portal.link(0);
    portal
        .docket
        .resend_group(portal.work, 0, Actor::System)
        .unwrap();
    let (status, language, html) = read(get_asking(&portal, &old, "de-AT", None));
    assert_eq!((status, language.as_str()), (StatusCode::GONE, "fr"));
    assert!(html.contains("Ce lien a été remplacé"), "{html}");
    // A live link is its contact's: French, whatever the browser says.
    let live = get_asking(&portal, &portal.link(0), "de", None);
    assert_eq!(header(&live, "content-language"), "fr");
    assert!(header(&live, "vary").is_empty());

    // The sign-in page, and the answer to its form.
    let (_, language, html) = read(get_asking(&portal, "/account/sign-in", "de", None));
    assert_eq!(language, "de");
    assert!(html.contains("Anmeldelink per E-Mail senden"), "{html}");
    let asked = client()
        .post(portal.url("/account/sign-in"))
        .header("Origin", &portal.base)
        .header("Accept-Language", "fr")
        .form(&[("email", "bob@client.example")])
        .send()
        .unwrap();
    let (status, language, _) = read(asked);
    assert_eq!((status, language.as_str()), (StatusCode::OK, "fr"));
}

/// The path of the newest sign-in link emailed to `email`'s contact, `/account/s/TOKEN`.
fn sign_in_link(portal: &Portal, email: &str) -> String {
    let asked = portal.post("/account/sign-in", None, &[("email", email)]);
    assert_eq!(asked.status(), StatusCode::OK);
    let messages = portal.docket.outbox(None, 1000).unwrap();
    let link = messages
        .iter()
        .filter(|m| m.kind == MessageKind::SignIn && m.to == email)
        .max_by_key(|m| m.id)
        .expect("a sign-in email")
        .context
        .link
        .clone();
    link[link.find("/account/s/").unwrap()..].to_string()
}

#[test]
fn a_refusal_to_a_known_contact_is_in_their_language() {
    let portal = Portal::start();
    speaks(&portal, "ann@client.example", "fr");
    speaks(&portal, "bob@client.example", "de");
    let ann = portal.bind(0);
    let done = format!("{}/tasks/1/done", portal.checklist(0));
    // A form from another site, or with no origin at all, on Ann's bound device.
    for origin in [Some("https://evil.example"), None] {
        let mut request = client()
            .post(portal.url(&done))
            .header("Cookie", &ann)
            .header("Accept-Language", "en");
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        let (status, language, html) = read(request.send().unwrap());
        assert_eq!((status, language.as_str()), (StatusCode::FORBIDDEN, "fr"));
        assert!(html.contains(r#"<html lang="fr">"#), "{html}");
        assert!(
            html.contains("Ce formulaire n’a pas pu être accepté"),
            "{html}"
        );
    }
    // A group that does not exist, and one that is not Ann's, on her device.
    for group in ["3", "2"] {
        let path = format!("/p/{}/{group}", portal.work);
        let (status, language, html) = read(get_asking(&portal, &path, "en", Some(&ann)));
        assert_eq!((status, language.as_str()), (StatusCode::NOT_FOUND, "fr"));
        assert!(
            html.contains("Nous ne pouvons pas ouvrir cette liste ici"),
            "{html}"
        );
    }
    // Bob's device: his German.
    let bob = portal.bind(1);
    let path = format!("/p/{}/3", portal.work);
    let (_, language, html) = read(get_asking(&portal, &path, "fr", Some(&bob)));
    assert_eq!(language, "de");
    assert!(
        html.contains("Wir können diese Checkliste hier nicht öffnen"),
        "{html}"
    );
    // No device: the browser's language.
    let (_, language, _) = read(get_asking(&portal, &path, "de", None));
    assert_eq!(language, "de");
    let (_, language, _) = read(get_asking(&portal, &path, "fr", None));
    assert_eq!(language, "fr");
}

#[test]
fn a_sign_in_link_opens_in_its_contacts_language_and_switches_it() {
    let portal = Portal::start();
    speaks(&portal, "ann@client.example", "fr");
    let link = sign_in_link(&portal, "ann@client.example");
    // A fresh browser that asks for English.
    let (status, language, html) = read(get_asking(&portal, &link, "en", None));
    assert_eq!((status, language.as_str()), (StatusCode::OK, "fr"));
    assert!(
        html.contains("Appuyez sur le bouton pour vous connecter sur cet appareil."),
        "{html}"
    );
    let page = unescaped(get_asking(&portal, &link, "en", None));
    let action = format!(r#"action="{link}/language""#);
    assert!(page.contains(&action), "{page}");
    let chose = portal.post(&format!("{link}/language"), None, &[("locale", "de")]);
    assert_eq!(chose.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&chose, "location"), link);
    let (_, language, html) = read(get_asking(&portal, &link, "en", None));
    assert_eq!(language, "de");
    assert!(html.contains("Drücken Sie die Schaltfläche"), "{html}");
    // The link still signs in: choosing a language spent nothing.
    let signed = portal.post(&link, None, &[]);
    assert_eq!(header(&signed, "location"), "/account");
    // Spent, it is refused in the contact's language; a forged one's switch changes nothing.
    let (status, language, _) = read(get_asking(&portal, &link, "en", None));
    assert_eq!((status, language.as_str()), (StatusCode::NOT_FOUND, "de"));
    let forged = portal.post(
        "/account/s/no-such-link/language",
        None,
        &[("locale", "fr")],
    );
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
}

#[test]
fn an_invalid_links_page_offers_the_language_switch() {
    let portal = Portal::start();
    let page = unescaped(get_asking(&portal, "/c/forgedtoken", "fr", None));
    assert!(page.contains("Ce lien n’est pas valide"), "{page}");
    assert!(
        page.contains(r#"<form method="post" action="/language" class="languages">"#),
        "{page}"
    );
    assert!(page.contains(r#"value="/c/forgedtoken""#), "{page}");
    assert!(
        page.contains(r#"<strong lang="fr">Français</strong>"#),
        "{page}"
    );
    let chose = portal.post(
        "/language",
        None,
        &[("locale", "de"), ("back", "/c/forgedtoken")],
    );
    assert_eq!(header(&chose, "location"), "/c/forgedtoken");
    let cookie = header(&chose, "set-cookie");
    let cookie = cookie.split(';').next().unwrap();
    let (_, language, html) = read(get_asking(&portal, "/c/forgedtoken", "fr", Some(cookie)));
    assert_eq!(language, "de");
    assert!(html.contains("Dieser Link ist ungültig"), "{html}");
}

#[test]
fn the_sign_in_pages_switch_is_remembered_in_a_cookie() {
    let portal = Portal::start();
    let form = unescaped(portal.get("/account/sign-in", None));
    assert!(
        form.contains(r#"<form method="post" action="/language" class="languages">"#),
        "{form}"
    );
    assert!(form.contains(r#"value="/account/sign-in""#), "{form}");
    let chose = portal.post(
        "/language",
        None,
        &[("locale", "de"), ("back", "/account/sign-in")],
    );
    assert_eq!(chose.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&chose, "location"), "/account/sign-in");
    let set = header(&chose, "set-cookie");
    assert!(set.starts_with("docket_lang=de;"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    // The choice beats the browser's language, on this page and on a broken link.
    let (_, language, html) = read(get_asking(&portal, "/account/sign-in", "fr", Some(&cookie)));
    assert_eq!(language, "de");
    assert!(
        html.contains("<strong lang=\"de\">Deutsch</strong>"),
        "{html}"
    );
    let (_, language, _) = read(get_asking(&portal, "/c/no-such-link", "fr", Some(&cookie)));
    assert_eq!(language, "de");

    // Back only to a page of the portal; a language Docket lacks sets nothing; another site's
    // form is refused.
    let away = portal.post(
        "/language",
        None,
        &[("locale", "fr"), ("back", "//evil.example/")],
    );
    assert_eq!(header(&away, "location"), "/account/sign-in");
    let unknown = portal.post(
        "/language",
        None,
        &[("locale", "xx"), ("back", "/account/sign-in")],
    );
    assert_eq!(unknown.status(), StatusCode::SEE_OTHER);
    assert!(header(&unknown, "set-cookie").is_empty());
    let forged = client()
        .post(portal.url("/language"))
        .header("Origin", "https://evil.example")
        .form(&[("locale", "fr")])
        .send()
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[test]
fn the_landing_and_account_switches_are_kept_on_the_contact() {
    let portal = Portal::start();
    let link = portal.link(0);
    let landing = unescaped(portal.get(&link, None));
    let action = format!(r#"action="{link}/language""#);
    assert!(landing.contains(&action), "{landing}");
    let chose = portal.post(&format!("{link}/language"), None, &[("locale", "fr")]);
    assert_eq!(chose.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&chose, "location"), link);
    let ann = portal
        .docket
        .contact_by_email("ann@client.example")
        .unwrap()
        .unwrap();
    assert_eq!(ann.locale.as_deref(), Some("fr"));
    let (_, language, html) = read(portal.get(&link, None));
    assert_eq!(language, "fr");
    assert!(html.contains("Ouvrir ma liste"), "{html}");
    // A link that opens nothing keeps nothing.
    let bogus = portal.post("/c/no-such-link/language", None, &[("locale", "de")]);
    assert_eq!(bogus.status(), StatusCode::NOT_FOUND);

    // Signed in, Bob's account page switches his own language.
    portal.post("/account/sign-in", None, &[("email", "bob@client.example")]);
    let messages = portal.docket.outbox(None, 1000).unwrap();
    let sign_in = messages
        .iter()
        .filter(|m| m.kind == MessageKind::SignIn)
        .max_by_key(|m| m.id)
        .unwrap()
        .context
        .link
        .clone();
    let sign_in = &sign_in[sign_in.find("/account/s/").unwrap()..];
    let signed = portal.post(sign_in, None, &[]);
    let session = header(&signed, "set-cookie");
    let session = session.split(';').next().unwrap().to_string();
    let account = unescaped(portal.get("/account", Some(&session)));
    assert!(account.contains(r#"value="/account""#), "{account}");
    let chose = portal.post(
        "/language",
        Some(&session),
        &[("locale", "de"), ("back", "/account")],
    );
    assert_eq!(header(&chose, "location"), "/account");
    let bob = portal
        .docket
        .contact_by_email("bob@client.example")
        .unwrap()
        .unwrap();
    assert_eq!(bob.locale.as_deref(), Some("de"));
    let (_, language, html) = read(portal.get("/account", Some(&session)));
    assert_eq!(language, "de");
    assert!(html.contains("Ihre Anfragen"), "{html}");
}
