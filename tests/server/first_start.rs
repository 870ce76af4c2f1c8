//! A firm's first start for real: `serve` on a new folder prints a one-time setup address,
//! where the first admin sets up the firm and themselves in the browser, then signs in.

use reqwest::StatusCode;

use super::support::{Server, http};

fn form_token(page: &str) -> String {
    let at = page
        .find("name=\"form_token\"")
        .expect("the form has a token");
    let value = &page[at..][page[at..].find("value=\"").unwrap() + 7..];
    value[..value.find('"').unwrap()].to_string()
}

#[test]
fn a_new_folder_prints_a_setup_address_that_makes_the_first_admin_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let address = server
        .banner_value("setup address:")
        .expect("a folder with no staff prints its setup address");
    assert!(address.starts_with(&server.base), "{address}");
    let client = http();
    let page = client.get(&address).send().unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().unwrap();
    assert!(
        html.contains("Set up Docket") && html.contains("value=\"Europe&#x2f;London\""),
        "{html}"
    );

    let good = [
        ("firm_name", "Hart & Co"),
        ("timezone", "Europe/Paris"),
        ("send_time", "08:30"),
        ("name", "Hana Hart"),
        ("email", "hana@hart.example"),
        ("password", "correct horse battery"),
        ("confirm_password", "correct horse battery"),
    ];
    let post = |form: &[(&str, &str)], origin: &str| {
        client
            .post(&address)
            .header("origin", origin)
            .form(form)
            .send()
            .unwrap()
    };
    // Another site's post changes nothing.
    assert_eq!(
        post(&good, "https://evil.example").status(),
        StatusCode::FORBIDDEN
    );
    // Bad input is shown by its field, what was typed kept (never the password).
    let mut bad = good;
    bad[1] = ("timezone", "Mars/Olympus");
    let refused = post(&bad, &server.base);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().unwrap();
    assert!(html.contains("id=\"timezone-error\""), "{html}");
    assert!(html.contains("value=\"Hart &amp; Co\""), "{html}");
    assert!(!html.contains("correct horse battery"), "{html}");
    let mut bad = good;
    bad[6] = ("confirm_password", "something else entirely");
    let html = post(&bad, &server.base).text().unwrap();
    assert!(html.contains("id=\"confirm_password-error\""), "{html}");
    // Every bad field is shown at once.
    let mut bad = good;
    bad[1] = ("timezone", "Mars");
    bad[2] = ("send_time", "9");
    bad[4] = ("email", "x");
    bad[6] = ("confirm_password", "something else entirely");
    let html = post(&bad, &server.base).text().unwrap();
    for field in ["timezone", "send_time", "email", "confirm_password"] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }

    let done = post(&good, &server.base);
    assert_eq!(done.status(), StatusCode::OK);
    assert!(
        done.text()
            .unwrap()
            .contains("Sign in as hana@hart.example")
    );
    // Used once.
    let again = client.get(&address).send().unwrap();
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(again.text().unwrap().contains("Docket is set up"));
    assert_eq!(post(&good, &server.base).status(), StatusCode::GONE);

    // The admin signs in with what they chose.
    let sign_in = client.get(server.url("/admin/sign-in")).send().unwrap();
    let cookie = sign_in
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = form_token(&sign_in.text().unwrap());
    let signed_in = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(server.url("/admin/sign-in"))
        .header("cookie", cookie)
        .header("origin", &server.base)
        .form(&[
            ("email", "hana@hart.example"),
            ("password", "correct horse battery"),
            ("form_token", token.as_str()),
        ])
        .send()
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);

    // A start with staff prints no setup address.
    server.stop();
    let server = Server::start(dir.path(), &[]);
    assert_eq!(server.banner_value("setup address:"), None);
}
