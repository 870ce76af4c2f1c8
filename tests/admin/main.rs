//! The staff admin over HTTP, one file an area: signing in (`sign_in.rs`), the inbox, work,
//! templates, contacts, settings, staff, tokens and the JSON API as a whole (`api.rs`). This file
//! is the harness: the router runs in-process on 127.0.0.1 over an in-memory store on a manual
//! clock, trusting 127.0.0.1 as a proxy so each test can speak from any address through
//! `X-Forwarded-For`.

#[path = "../support/mod.rs"]
mod support;

mod api;
mod bulk;
mod comments;
mod contacts;
mod firm_api;
mod fixes;
mod inbox;
mod naming;
mod pauses;
mod repeats;
mod replies;
mod review;
mod settings;
mod sign_in;
mod stuck;
mod template_editor;
mod template_import;
mod templates;
mod tokens;
mod users;
mod walk_mends;
mod work;
mod work_api;
mod work_page;
mod work_upload;
mod workspace;

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
use support::in_process::InProcess;

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
    _server: InProcess,
    /// The data folder of the plugin host, when the firm has the stock plugins.
    _plugins: Option<tempfile::TempDir>,
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
        let mut server = InProcess::bind();
        let base = server.base.clone();
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
                    locale: None,
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
        server.serve(
            docket_portal::AppState::new(docket.clone())
                .with_trusted_proxies(&["127.0.0.1".parse().unwrap()]),
        );
        Admin {
            docket,
            clock,
            base,
            work,
            _server: server,
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
        self.docket
            .create_api_token(&name, role, docket_engine::model::TokenCreator::CommandLine)
            .unwrap()
            .1
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
