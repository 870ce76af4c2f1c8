//! The staff admin over HTTP: the root lands on sign-in, signing in and out, the same answer
//! for an unknown email and a wrong password, CSRF refusals that change nothing, sign-in
//! throttling under a manual clock (growing delays, and the member's own address let in once
//! the delay passes), session expiry, the password change, roles, and the inbox in pages and in
//! the JSON API. The router runs in-process on 127.0.0.1 over an in-memory store, trusting
//! 127.0.0.1 as a proxy so each test can speak from any address through `X-Forwarded-For`.

mod api;
mod contacts;
mod firm_api;
mod fixes;
mod inbox;
mod settings;
mod templates;
mod tokens;
mod users;
mod work;
mod work_page;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use docket_engine::config::FirmConfig;
use docket_engine::docket::{
    ACCOUNT_BACKOFF, ADDRESS_BACKOFF, STAFF_SESSION_IDLE, STAFF_SESSION_LIFETIME,
};
use docket_engine::model::{Actor, NewContact, NewWork, Role, WorkId};
use docket_engine::store::MemoryStore;
use docket_engine::{Docket, ManualClock, NewUser};
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};

pub const ADMIN: &str = "ada@firm.example";
pub const STAFF: &str = "sam@firm.example";
pub const PASSWORD: &str = "correct horse battery";
/// The address tests speak from unless they say otherwise.
pub const HOME: &str = "203.0.113.7";

const TEMPLATE: &str = r#"
name = "Year end"
[[groups]]
name = "Documents"
[[groups.tasks]]
title = "Bank statements"
due = 14
[[groups.tasks]]
title = "P60 <script>alert(1)</script>"
due = 21
"#;

/// The admin served on a free port over a fresh firm: an admin (Ada), a member of staff (Sam),
/// and a work item for Ann assigned to Sam and sent by Ada.
pub struct Admin {
    pub docket: Docket,
    pub clock: Arc<ManualClock>,
    pub base: String,
    pub work: WorkId,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// The data folder of the plugin host, when the firm has the stock plugins.
    _plugins: Option<tempfile::TempDir>,
}

impl Drop for Admin {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A signed-in browser: its session cookie and the form token its pages carry.
#[derive(Clone, Debug)]
pub struct Browser {
    pub cookie: String,
    pub token: String,
}

impl Admin {
    pub fn start() -> Admin {
        Admin::with_base(None)
    }

    /// With `base_url` given (e.g. an https one), links and cookies follow it.
    pub fn with_base(base_url: Option<&str>) -> Admin {
        Admin::build(base_url, false)
    }

    /// With the stock plugins loaded, as a server has them: templates' sending rules and
    /// reminder policies are checked and their calendars previewed.
    pub fn with_plugins() -> Admin {
        Admin::build(None, true)
    }

    fn build(base_url: Option<&str>, plugins: bool) -> Admin {
        let clock = Arc::new(ManualClock::new(utc("2026-03-02T08:00:00Z")));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let docket = Docket::open(
            Arc::new(MemoryStore::new()),
            clock.clone(),
            &FirmConfig {
                name: "Smith & Co".into(),
                timezone: "Europe/Dublin".into(),
                ..FirmConfig::default()
            },
            base_url.unwrap_or(&base),
        )
        .unwrap();
        let plugin_dir = plugins.then(|| tempfile::tempdir().unwrap());
        let docket = match &plugin_dir {
            Some(dir) => {
                let config = docket_engine::config::PluginsConfig::default();
                let (host, _) =
                    docket_engine::plugin::PluginHost::open(&config, dir.path()).unwrap();
                docket.with_plugins(Arc::new(host))
            }
            None => docket,
        };
        for (email, name, role) in [
            (ADMIN, "Ada Admin", Role::Admin),
            (STAFF, "Sam Staff", Role::Staff),
        ] {
            docket
                .add_user(NewUser {
                    email: email.into(),
                    name: name.into(),
                    role,
                    password: PASSWORD.into(),
                })
                .unwrap();
        }
        docket.import_template(TEMPLATE).unwrap();
        docket
            .create_contact(
                NewContact {
                    name: "Ann Archer".into(),
                    email: "ann@client.example".into(),
                    timezone: None,
                },
                Actor::System,
            )
            .unwrap();
        let work = docket
            .create_work(
                NewWork {
                    template: "Year end".into(),
                    title: Some("Archer — 2025 accounts".into()),
                    start_date: Some("2026-03-02".parse().unwrap()),
                    assignee: Some(STAFF.into()),
                    contacts: vec!["ann@client.example".into()],
                    ..NewWork::default()
                },
                Actor::System,
            )
            .unwrap()
            .id;
        let ada = docket.user_by_email(ADMIN).unwrap().unwrap().id;
        docket.send_group(work, 0, Actor::Staff(ada)).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = docket_portal::AppState::new(docket.clone())
            .with_trusted_proxies(&["127.0.0.1".parse().unwrap()]);
        runtime.spawn(async move {
            docket_portal::run(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Admin {
            docket,
            clock,
            base,
            work,
            runtime: Some(runtime),
            stop: Some(stop),
            _plugins: plugin_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request from `address`, as a browser on this site sends it.
    fn request(&self, method: reqwest::Method, path: &str, address: &str) -> RequestBuilder {
        client()
            .request(method, self.url(path))
            .header("X-Forwarded-For", address)
    }

    pub fn get(&self, path: &str, browser: Option<&Browser>) -> Response {
        let mut request = self.request(reqwest::Method::GET, path, HOME);
        if let Some(b) = browser {
            request = request.header("Cookie", &b.cookie);
        }
        request.send().unwrap()
    }

    /// A same-origin form post from a signed-in browser, with its form token.
    pub fn post(&self, path: &str, browser: &Browser, form: &[(&str, &str)]) -> Response {
        let mut fields = vec![("form_token", browser.token.as_str())];
        fields.extend_from_slice(form);
        self.post_raw(path, Some(&browser.cookie), Some(&self.base), &fields)
    }

    /// A form post exactly as given: cookie, `Origin` and fields.
    pub fn post_raw(
        &self,
        path: &str,
        cookie: Option<&str>,
        origin: Option<&str>,
        form: &[(&str, &str)],
    ) -> Response {
        let mut request = self.request(reqwest::Method::POST, path, HOME).form(form);
        if let Some(c) = cookie {
            request = request.header("Cookie", c);
        }
        if let Some(o) = origin {
            request = request.header("Origin", o);
        }
        request.send().unwrap()
    }

    /// Fills in and sends the sign-in form from `address`, as a browser does: the form's page
    /// first (for its token and cookie), then the post.
    pub fn sign_in_from(&self, email: &str, password: &str, address: &str) -> Response {
        let form = self
            .request(reqwest::Method::GET, "/admin/sign-in", address)
            .send()
            .unwrap();
        assert_eq!(form.status(), StatusCode::OK);
        let cookie = set_cookie(&form, "docket_sign_in").expect("the form sets its cookie");
        let token = hidden(&body(form), "form_token");
        self.request(reqwest::Method::POST, "/admin/sign-in", address)
            .header("Origin", &self.base)
            .header("Cookie", &cookie)
            .form(&[
                ("form_token", token.as_str()),
                ("email", email),
                ("password", password),
                ("next", ""),
            ])
            .send()
            .unwrap()
    }

    /// Signs in and returns the browser, with the form token read from the overview.
    pub fn browser(&self, email: &str) -> Browser {
        self.browser_from(email, HOME)
    }

    pub fn browser_from(&self, email: &str, address: &str) -> Browser {
        let answer = self.sign_in_from(email, PASSWORD, address);
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{email} signs in");
        let cookie = set_cookie(&answer, "docket_staff").expect("a session cookie");
        let page = self.get(
            "/admin",
            Some(&Browser {
                cookie: cookie.clone(),
                token: String::new(),
            }),
        );
        assert_eq!(page.status(), StatusCode::OK);
        let token = hidden(&body(page), "form_token");
        Browser { cookie, token }
    }

    /// Whether the browser's session still opens the overview.
    pub fn signed_in(&self, browser: &Browser) -> bool {
        match self.get("/admin", Some(browser)).status() {
            StatusCode::OK => true,
            StatusCode::SEE_OTHER => false,
            other => panic!("the overview answered {other}"),
        }
    }

    pub fn password_works(&self, password: &str) -> bool {
        self.docket
            .verify_password(STAFF, password)
            .unwrap()
            .is_some()
    }

    /// A new API token's secret, with `role`, under a name no other token has (live tokens'
    /// names are unique).
    pub fn api_secret(&self, role: Role) -> String {
        let name = format!("tests {}", self.docket.list_api_tokens().unwrap().len());
        self.docket.create_role_token(&name, role).unwrap().1
    }
}

pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// The page's HTML, with the escaped slashes of printed values (`&#x2f;`, as minijinja writes
/// them and browsers read them) written back as slashes, so paths can be looked for.
pub fn body(response: Response) -> String {
    response.text().unwrap().replace("&#x2f;", "/")
}

pub fn location(response: &Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

/// The `name=value` of a cookie the answer sets whose name ends with `name`, and the whole
/// header in `.1`.
pub fn set_cookie_full(response: &Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| {
            v.split('=')
                .next()
                .is_some_and(|n| n == name || n.ends_with(&format!("-{name}")))
        })
        .map(|v| (v.split(';').next().unwrap().to_string(), v))
}

pub fn set_cookie(response: &Response, name: &str) -> Option<String> {
    set_cookie_full(response, name).map(|(pair, _)| pair)
}

/// The value of the first hidden field `name` on a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in {html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

#[test]
fn the_root_lands_on_sign_in_and_a_member_signs_in_to_the_shell() {
    let admin = Admin::start();
    let root = admin.get("/", None);
    assert_eq!(root.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&root), "/admin/sign-in");
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
    assert!(admin.signed_in(&sam), "this browser stays signed in");
    assert!(!admin.signed_in(&other), "the other browser is signed out");
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
