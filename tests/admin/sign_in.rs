//! Signing in and out: the root landing on sign-in, the same answer for an unknown email and a
//! wrong password, CSRF refusals that change nothing, throttling with growing delays (and the
//! member's own address let in once the delay passes), session expiry, the password change,
//! roles, and the cookie over https.

use super::*;

#[test]
fn the_root_lands_on_sign_in_and_a_member_signs_in_to_the_shell() {
    let admin = Admin::start();
    let root = admin.get("/", None);
    assert_eq!(root.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&root), "/admin/sign-in");
    // With a trailing slash, the admin's address leads to the admin too.
    let slash = admin.get("/admin/", None);
    assert_eq!(slash.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(location(&slash), "/admin");
    let page = admin.get("/admin/inbox?show=unread", None);
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&page),
        "/admin/sign-in?next=%2Fadmin%2Finbox%3Fshow%3Dunread"
    );
    let form = admin.get("/admin/sign-in", None);
    assert_eq!(form.status(), StatusCode::OK);
    let headers = form.headers().clone();
    let html = body(form);
    assert!(html.contains("Sign in to Smith &amp; Co"), "{html}");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");

    let answer = admin.sign_in_from(" Sam@Firm.example ", PASSWORD, HOME);
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/admin");
    let (_, header) = set_cookie_full(&answer, "docket_staff").unwrap();
    assert!(header.starts_with("docket_staff="), "{header}");
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Lax") && header.contains("Path=/"),
        "{header}"
    );
    assert!(!header.contains("Secure"), "plain http: {header}");
    let session = set_cookie(&answer, "docket_staff").unwrap();
    // The session's secret is not what the store keeps.
    let secret = session.rsplit('.').next().unwrap();
    let stored = format!(
        "{:?}",
        admin
            .docket
            .store()
            .scan(
                docket_engine::store::Tree::StaffSessions,
                b"",
                None,
                10,
                false
            )
            .unwrap()
    );
    assert!(!stored.contains(secret));

    let sam = admin.browser(STAFF);
    let home = body(admin.get("/admin", Some(&sam)));
    for expected in [
        "Sam Staff",
        "href=\"/admin/inbox\"",
        "Sign out",
        "Archer — 2025 accounts",
        "Waiting on the client",
        "0 of 2 done",
    ] {
        assert!(home.contains(expected), "{expected} missing: {home}");
    }
    assert!(!home.contains("/admin/settings"), "staff see no Settings");
    assert!(!home.contains("<script>"), "nothing unescaped");
    // Every link of the shell leads to a page that exists.
    for path in ["/admin", "/admin/inbox", "/admin/account"] {
        assert!(home.contains(&format!("href=\"{path}\"")), "{path}");
        assert_eq!(
            admin.get(path, Some(&sam)).status(),
            StatusCode::OK,
            "{path}"
        );
    }
    let css = home
        .split("href=\"")
        .find_map(|s| s.split('"').next().filter(|h| h.ends_with(".css")))
        .unwrap()
        .to_string();
    let sheet = admin.get(&css, None);
    assert_eq!(sheet.status(), StatusCode::OK);
    assert!(
        sheet.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    // Signed in, the root and the sign-in page go to the admin.
    assert_eq!(location(&admin.get("/", Some(&sam))), "/admin");
    assert_eq!(location(&admin.get("/admin/sign-in", Some(&sam))), "/admin");
    // The work page the overview links to.
    let work = admin.get(&format!("/admin/work/{}", admin.work), Some(&sam));
    assert_eq!(work.status(), StatusCode::OK);
    let html = body(work);
    assert!(
        html.contains("P60 &lt;script&gt;") && html.contains("Ann Archer") && html.contains("Sent"),
        "{html}"
    );
    for missing in [
        "/admin/work/nonsense",
        "/admin/work/01ARZ3NDEKTSV4RRFFQ69G5FAV",
    ] {
        assert_eq!(
            admin.get(missing, Some(&sam)).status(),
            StatusCode::NOT_FOUND
        );
    }
}

#[test]
fn an_unknown_email_and_a_wrong_password_get_the_same_answer() {
    let admin = Admin::start();
    let answer = |email: &str, password: &str| {
        let response = admin.sign_in_from(email, password, HOME);
        let status = response.status();
        assert!(set_cookie(&response, "docket_staff").is_none());
        let html = body(response);
        let form = hidden(&html, "form_token");
        (status, html.replace(email, "EMAIL").replace(&form, "TOKEN"))
    };
    let wrong = answer(STAFF, "wrong horse battery");
    let unknown = answer("nobody@firm.example", PASSWORD);
    assert_eq!(wrong.0, StatusCode::FORBIDDEN);
    assert_eq!(wrong, unknown);
    assert!(wrong.1.contains("do not match an account"), "{}", wrong.1);
    assert!(wrong.1.contains("value=\"EMAIL\""), "the email is kept");
    // Nothing filled in: said next to the field, nothing counted or hashed.
    let empty = admin.sign_in_from("", "", HOME);
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(empty).contains("Enter your email address."));
}

#[test]
fn forged_and_foreign_forms_change_nothing() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let new = "a much better passphrase";
    let change = [
        ("current_password", PASSWORD),
        ("new_password", new),
        ("confirm_password", new),
    ];
    fn with<'a>(token: &'a str, change: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut fields = vec![("form_token", token)];
        fields.extend_from_slice(change);
        fields
    }
    let with_token = |token| with(token, &change);
    let ada = admin.browser(ADMIN);
    let wrong = "x".repeat(43);
    let base = admin.base.as_str();
    for (what, origin, fields) in [
        ("no token", Some(base), change.to_vec()),
        ("a wrong token", Some(base), with_token(&wrong)),
        (
            "another session's token",
            Some(base),
            with_token(&ada.token),
        ),
        (
            "a foreign origin",
            Some("https://evil.example"),
            with_token(&sam.token),
        ),
        ("no origin at all", None, with_token(&sam.token)),
    ] {
        let answer = admin.post_raw("/admin/account", Some(&sam.cookie), origin, &fields);
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{what}");
        assert!(body(answer).contains("could not be accepted"), "{what}");
        assert!(
            admin.password_works(PASSWORD),
            "{what} changed the password"
        );
        assert!(admin.signed_in(&sam), "{what}");
    }
    // A cross-site request that says so in Sec-Fetch-Site is refused too.
    let answer = client()
        .post(admin.url("/admin/sign-out"))
        .header("Cookie", &sam.cookie)
        .header("Origin", &admin.base)
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("form_token", sam.token.as_str())])
        .send()
        .unwrap();
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    assert!(admin.signed_in(&sam), "a cross-site sign-out signed out");
    // Sign-out without the token ends nothing.
    let answer = admin.post_raw("/admin/sign-out", Some(&sam.cookie), Some(&admin.base), &[]);
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    assert!(admin.signed_in(&sam));
    // A sign-in from another site, or without the form's own token, signs no one in.
    let form = admin.get("/admin/sign-in", None);
    let cookie = set_cookie(&form, "docket_sign_in").unwrap();
    let token = hidden(&body(form), "form_token");
    for (origin, cookie, token) in [
        ("https://evil.example", cookie.as_str(), token.as_str()),
        (admin.base.as_str(), "", token.as_str()),
        (admin.base.as_str(), cookie.as_str(), "forged"),
    ] {
        let answer = client()
            .post(admin.url("/admin/sign-in"))
            .header("Origin", origin)
            .header("Cookie", cookie)
            .form(&[
                ("form_token", token),
                ("email", STAFF),
                ("password", PASSWORD),
            ])
            .send()
            .unwrap();
        assert_eq!(
            answer.status(),
            StatusCode::FORBIDDEN,
            "{origin} {cookie} {token}"
        );
        assert!(set_cookie(&answer, "docket_staff").is_none());
    }
    // A form post without any session goes to sign-in and changes nothing.
    let answer = admin.post_raw(
        "/admin/account",
        None,
        Some(&admin.base),
        &with_token(&sam.token),
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(admin.password_works(PASSWORD));
}

#[test]
fn failures_slow_sign_in_down_and_the_member_gets_in_from_home_once_the_delay_passes() {
    let admin = Admin::start();
    // Sam signed in from home before.
    admin.browser_from(STAFF, HOME);
    let elsewhere = "198.51.100.23";
    for _ in 0..ACCOUNT_BACKOFF.free {
        let answer = admin.sign_in_from(STAFF, "a wrong guess!", elsewhere);
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    }
    // From there even the right password waits now, and says for how long.
    let answer = admin.sign_in_from(STAFF, PASSWORD, elsewhere);
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers()["retry-after"], "6");
    assert!(set_cookie(&answer, "docket_staff").is_none());
    let html = body(answer);
    assert!(html.contains("Wait 5 seconds and try again"), "{html}");
    // An unknown email is throttled the same way, so the delay tells nothing.
    for _ in 0..ACCOUNT_BACKOFF.free {
        admin.sign_in_from("nobody@firm.example", "guess", "198.51.100.99");
    }
    let unknown = admin.sign_in_from("nobody@firm.example", "guess", "198.51.100.99");
    assert_eq!(unknown.status(), StatusCode::TOO_MANY_REQUESTS);
    // The delay grows with each failure past it.
    admin.clock.advance(chrono::Duration::seconds(5));
    assert_eq!(
        admin
            .sign_in_from(STAFF, "another guess", elsewhere)
            .status(),
        StatusCode::FORBIDDEN
    );
    let answer = admin.sign_in_from(STAFF, PASSWORD, elsewhere);
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(body(answer).contains("Wait 10 seconds"));
    admin.clock.advance(chrono::Duration::seconds(9));
    assert_eq!(
        admin.sign_in_from(STAFF, PASSWORD, elsewhere).status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // From home, where Sam signed in before, the stranger's failures keep no one out.
    let answer = admin.sign_in_from(STAFF, PASSWORD, HOME);
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie(&answer, "docket_staff").is_some());

    // Sam's own typing mistakes at home slow home down, but only until the delay passes.
    for _ in 0..ADDRESS_BACKOFF.free {
        let answer = admin.sign_in_from(STAFF, "fat fingers!", HOME);
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    }
    let answer = admin.sign_in_from(STAFF, PASSWORD, HOME);
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(body(answer).contains("Wait 5 seconds"));
    admin.clock.advance(ADDRESS_BACKOFF.first);
    let answer = admin.sign_in_from(STAFF, PASSWORD, HOME);
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie(&answer, "docket_staff").is_some());
}

#[test]
fn a_member_at_a_new_address_gets_in_once_their_own_delay_passes() {
    let admin = Admin::start();
    let hotel = "198.51.100.77";
    for _ in 0..ACCOUNT_BACKOFF.free {
        assert_eq!(
            admin.sign_in_from(STAFF, "caps lock on", hotel).status(),
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(
        admin.sign_in_from(STAFF, PASSWORD, hotel).status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    admin.clock.advance(ACCOUNT_BACKOFF.first);
    assert_eq!(
        admin.sign_in_from(STAFF, PASSWORD, hotel).status(),
        StatusCode::SEE_OTHER
    );
}

#[test]
fn an_address_that_keeps_failing_waits_whatever_email_it_tries() {
    let admin = Admin::start();
    let hammering = "192.0.2.50";
    let mut waited = false;
    for n in 0..30 {
        let answer = admin.sign_in_from(&format!("guess{n}@firm.example"), "guess", hammering);
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            waited = true;
            break;
        }
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    }
    assert!(
        waited,
        "thirty different emails from one address were never slowed"
    );
    // The same address waits for a real member too; another address does not.
    assert_eq!(
        admin.sign_in_from(STAFF, PASSWORD, hammering).status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        admin.sign_in_from(STAFF, PASSWORD, "192.0.2.51").status(),
        StatusCode::SEE_OTHER
    );
}

#[test]
fn sign_out_and_expiry_end_sessions() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let answer = admin.post("/admin/sign-out", &sam, &[]);
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/admin/sign-in?notice=signed-out");
    let (_, cleared) = set_cookie_full(&answer, "docket_staff").unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(!admin.signed_in(&sam), "the old cookie still works");
    assert!(
        body(admin.get("/admin/sign-in?notice=signed-out", None)).contains("You are signed out.")
    );

    // Idle too long.
    let sam = admin.browser(STAFF);
    admin
        .clock
        .advance(STAFF_SESSION_IDLE - chrono::Duration::minutes(1));
    assert!(admin.signed_in(&sam));
    admin.clock.advance(STAFF_SESSION_IDLE);
    let ended = admin.get("/admin/inbox", Some(&sam));
    assert_eq!(
        location(&ended),
        "/admin/sign-in?next=%2Fadmin%2Finbox&notice=session-ended"
    );
    let page = admin.get(&location(&ended), None);
    assert!(body(page).contains("Your session ended; please sign in again."));
    // Busy, but past the lifetime.
    let sam = admin.browser(STAFF);
    let hour = chrono::Duration::hours(1);
    let mut elapsed = chrono::Duration::zero();
    while elapsed + hour < STAFF_SESSION_LIFETIME {
        admin.clock.advance(hour);
        elapsed += hour;
        assert!(admin.signed_in(&sam), "{elapsed}");
    }
    admin.clock.advance(hour);
    assert!(!admin.signed_in(&sam));
}

#[test]
fn a_password_change_needs_the_current_one_and_signs_out_other_browsers() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let other = admin.browser_from(STAFF, "198.51.100.5");
    let new = "a much better passphrase";
    for (current, fresh, again, field, message, status) in [
        (
            "",
            new,
            new,
            "current_password",
            "Enter your current password.",
            422,
        ),
        (
            "not it at all",
            new,
            new,
            "current_password",
            "That is not your current password.",
            422,
        ),
        (
            PASSWORD,
            new,
            "a much better passphrasf",
            "confirm_password",
            "This does not match the new password.",
            422,
        ),
        (
            PASSWORD,
            "too short",
            "too short",
            "new_password",
            "The password must be at least 12 characters long.",
            422,
        ),
        (
            PASSWORD,
            PASSWORD,
            PASSWORD,
            "new_password",
            "The new password must differ from the current one.",
            422,
        ),
    ] {
        let answer = admin.post(
            "/admin/account",
            &sam,
            &[
                ("current_password", current),
                ("new_password", fresh),
                ("confirm_password", again),
            ],
        );
        assert_eq!(answer.status().as_u16(), status, "{message}");
        let html = body(answer);
        assert!(
            html.contains(&format!(
                "<p class=\"error\" id=\"{field}-error\">{message}</p>"
            )),
            "{message} not next to {field}: {html}"
        );
        assert!(!html.contains(PASSWORD), "a password is echoed back");
        assert!(admin.password_works(PASSWORD));
    }
    let answer = admin.post(
        "/admin/account",
        &sam,
        &[
            ("current_password", PASSWORD),
            ("new_password", new),
            ("confirm_password", new),
        ],
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/admin/account?notice=password-changed");
    assert!(!admin.password_works(PASSWORD));
    assert!(admin.password_works(new));
    // The session the change was made in ends too (a cookie stolen before is worth nothing
    // now); the browser is handed a fresh one, with the session's attributes.
    let (fresh, header) = set_cookie_full(&answer, "docket_staff").expect("a fresh session cookie");
    assert_ne!(fresh, sam.cookie);
    assert!(header.contains("HttpOnly"), "{header}");
    assert!(!admin.signed_in(&sam), "the old cookie is signed out");
    assert!(!admin.signed_in(&other), "the other browser is signed out");
    let page = admin.get(
        "/admin/account?notice=password-changed",
        Some(&Browser {
            cookie: fresh,
            token: String::new(),
        }),
    );
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "the fresh cookie is signed in"
    );
    assert!(body(page).contains("Your password is changed"));
    assert_eq!(
        admin.sign_in_from(STAFF, PASSWORD, HOME).status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.sign_in_from(STAFF, new, HOME).status(),
        StatusCode::SEE_OTHER
    );
}

#[test]
fn only_admins_reach_the_settings() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let refused = admin.get("/admin/settings", Some(&sam));
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let html = body(refused);
    assert!(html.contains("Only admins can open this page"), "{html}");
    assert!(!html.contains("Europe/Dublin"));
    assert!(html.contains("Sam Staff"), "the refusal is in the shell");

    let ada = admin.browser(ADMIN);
    let home = body(admin.get("/admin", Some(&ada)));
    assert!(home.contains("href=\"/admin/settings\""));
    let page = admin.get("/admin/settings", Some(&ada));
    assert_eq!(page.status(), StatusCode::OK);
    let html = body(page);
    for expected in [
        "Smith &amp; Co",
        "Europe/Dublin",
        "09:00",
        ADMIN,
        STAFF,
        "Ada Admin",
        "Admin",
        "Staff",
    ] {
        assert!(html.contains(expected), "{expected} missing: {html}");
    }
    assert!(!html.contains("argon2"), "a password hash is shown");
    // Not signed in at all: to the sign-in page, and back here after it.
    let anonymous = admin.get("/admin/settings", None);
    assert_eq!(
        location(&anonymous),
        "/admin/sign-in?next=%2Fadmin%2Fsettings"
    );
}

#[test]
fn over_https_the_session_cookie_is_host_prefixed_and_secure() {
    let admin = Admin::with_base(Some("https://docket.example"));
    let answer = admin.sign_in_from(STAFF, PASSWORD, HOME);
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let (_, header) = set_cookie_full(&answer, "docket_staff").unwrap();
    assert!(header.starts_with("__Host-docket_staff="), "{header}");
    assert!(header.contains("; Secure"), "{header}");
    let cookie = set_cookie(&answer, "docket_staff").unwrap();
    let page = admin.get(
        "/admin",
        Some(&Browser {
            cookie,
            token: String::new(),
        }),
    );
    assert_eq!(page.status(), StatusCode::OK);
}
