//! The client portal over HTTP, one rule at a time: links and their landing page, device binding
//! and fresh links with their limits (`links.rs`); the same-origin check, archived contacts and
//! privacy between two recipients of one work item (`access.rs`); the checklist and what a client
//! may do on it (`checklist.rs`); uploads (`uploads.rs`); the client account (`account.rs`). Here
//! the harness: the router runs in-process on 127.0.0.1 over an in-memory store; links are issued
//! through the engine, as sending does.

#[path = "../support/mod.rs"]
mod support;

mod access;
mod account;
mod checklist;
mod languages;
mod links;
mod review;
mod uploads;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use docket_engine::config::FirmConfig;
use docket_engine::model::{Actor, NewContact, NewWork, WorkId};
use docket_engine::store::MemoryStore;
use docket_engine::{Docket, ManualClock};
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use support::in_process::InProcess;

pub const TEMPLATE: &str = r#"
name = "Year end"
[[groups]]
name = "Documents"
[[groups.tasks]]
title = "Bank <b>statements</b> <script>alert(1)</script>"
due = 14
[[groups.tasks]]
title = "P60"
due = 21
[[groups]]
name = "Partner's papers"
[[groups.tasks]]
title = "Pension letter"
due = 14
"#;

/// A portal served on a free port, over a fresh firm with a two-group work item for Ann
/// (group 1) and Bob (group 2), both sent.
pub struct Portal {
    pub docket: Docket,
    pub clock: Arc<ManualClock>,
    pub base: String,
    pub work: WorkId,
    _server: InProcess,
}

pub fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

impl Portal {
    pub fn start() -> Portal {
        Portal::with_cap(docket_engine::docket::MAX_UPLOAD_BYTES as u64)
    }

    pub fn with_cap(cap: u64) -> Portal {
        Portal::build(cap, docket_engine::config::UploadQuota::default())
    }

    pub fn with_quota(quota: docket_engine::config::UploadQuota) -> Portal {
        Portal::build(docket_engine::docket::MAX_UPLOAD_BYTES as u64, quota)
    }

    fn build(cap: u64, quota: docket_engine::config::UploadQuota) -> Portal {
        let clock = Arc::new(ManualClock::new(utc("2026-03-02T08:00:00Z")));
        let mut server = InProcess::bind();
        let base = server.base.clone();
        let docket = Docket::open(
            Arc::new(MemoryStore::new()),
            clock.clone(),
            &FirmConfig::default(),
            &base,
        )
        .unwrap()
        .with_max_upload(cap)
        .with_upload_quota(quota);
        docket.import_template(TEMPLATE).unwrap();
        for (name, email) in [
            ("Ann Archer", "ann@client.example"),
            ("Bob Baker", "bob@client.example"),
        ] {
            docket
                .create_contact(
                    NewContact {
                        name: name.into(),
                        email: email.into(),
                        timezone: None,
                        locale: None,
                    },
                    Actor::System,
                )
                .unwrap();
        }
        let work = docket
            .create_work(
                NewWork {
                    template: "Year end".into(),
                    external_name: Some("Your 2025 accounts".into()),
                    start_date: Some("2026-03-02".parse().unwrap()),
                    contacts: vec!["ann@client.example".into(), "bob@client.example".into()],
                    ..NewWork::default()
                },
                Actor::System,
            )
            .unwrap()
            .id;
        docket.send_group(work, 0, Actor::System).unwrap();
        docket.send_group(work, 1, Actor::System).unwrap();
        server.serve(docket_portal::AppState::new(docket.clone()));
        Portal {
            docket,
            clock,
            base,
            work,
            _server: server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The newest link emailed about group `group` (0-based), as its path `/c/TOKEN`.
    pub fn link(&self, group: usize) -> String {
        let messages = self.docket.outbox(None, 1000).unwrap();
        let message = messages
            .iter()
            .filter(|m| m.group == Some(group) && m.context.link.contains("/c/"))
            .max_by_key(|m| m.id)
            .expect("an email with a link");
        let link = &message.context.link;
        link[link.find("/c/").unwrap()..].to_string()
    }

    /// The checklist's path for group `group` (0-based).
    pub fn checklist(&self, group: usize) -> String {
        format!("/p/{}/{}", self.work, group + 1)
    }

    pub fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut request = client().get(self.url(path));
        if let Some(c) = cookie {
            request = request.header("Cookie", c);
        }
        request.send().unwrap()
    }

    /// A same-origin form post, as a browser sends it.
    pub fn post(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Response {
        let mut request = client()
            .post(self.url(path))
            .header("Origin", &self.base)
            .form(form);
        if let Some(c) = cookie {
            request = request.header("Cookie", c);
        }
        request.send().unwrap()
    }

    /// Opens the link on a device: presses "Open my checklist"; returns the answer and the
    /// device cookie (`name=value`) it set, or the one the device had.
    pub fn open(&self, link: &str, cookie: Option<&str>) -> (Response, Option<String>) {
        let response = self.post(link, cookie, &[]);
        let set = response
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
        let cookie = set.or_else(|| cookie.map(str::to_string));
        (response, cookie)
    }

    /// Opens group `group`'s newest link on a new device; returns its cookie.
    pub fn bind(&self, group: usize) -> String {
        let (response, cookie) = self.open(&self.link(group), None);
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()["location"].to_str().unwrap(),
            self.checklist(group)
        );
        cookie.expect("a device cookie")
    }

    pub fn device_hash(&self, group: usize) -> Option<String> {
        let store = self.docket.store();
        let key = format!("{}/{group:03}", self.work);
        let bytes = store
            .get(docket_engine::store::Tree::Access, key.as_bytes())
            .unwrap()
            .unwrap();
        let access: docket_engine::model::GroupAccess =
            docket_engine::store::decode(&bytes).unwrap();
        access.device_hash
    }
}

pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

pub fn body(response: Response) -> String {
    response.text().unwrap()
}
