//! The portal under test: `docket serve --demo` on a free loopback port, its emailed links read
//! from the outbox folder, and its API to check what the browser did.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::harness::free_port;
use super::support::Server;
use super::support::smtp::Received;

/// The demo's clients: Bob's bookkeeping is waiting on him with one of three tasks done;
/// Ann's is completed (so her checklist is locked).
pub const BOB: &str = "bob@bakers-bakery.example";
pub const ANN: &str = "ann@archer-consulting.example";

pub struct Demo {
    pub server: Server,
    /// `http://localhost:PORT`, the base URL the links carry.
    pub base: String,
    api_token: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Demo {
    pub fn start() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let server = Server::start_on(
            &dir.path().join("data"),
            &format!("127.0.0.1:{port}"),
            &["--demo"],
        );
        let api_token = server
            .banner_value("API token:")
            .expect("the demo prints an API token");
        Demo {
            server,
            base: format!("http://localhost:{port}"),
            api_token,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            _dir: dir,
        }
    }

    /// The checklist link emailed to `email`, as it stands in the message (the outbox folder
    /// holds the emails when no relay is configured).
    pub fn link(&self, email: &str) -> String {
        self.link_other_than(email, &[])
    }

    /// The link of the email to `email` whose subject mentions `subject`, once it is written.
    pub fn link_in(&self, email: &str, subject: &str) -> String {
        let outbox = self.server.data.join("outbox");
        let prefix = format!("{}/c/", self.base);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            for entry in std::fs::read_dir(&outbox).into_iter().flatten().flatten() {
                if entry.path().extension().is_none_or(|e| e != "eml") {
                    continue;
                }
                let Ok(raw) = std::fs::read(entry.path()) else {
                    continue;
                };
                let mail = Received::parse(&raw);
                if !mail.header("To").is_some_and(|to| to.contains(email))
                    || !mail.header("Subject").is_some_and(|s| s.contains(subject))
                {
                    continue;
                }
                if let Some(at) = mail.text.find(&prefix) {
                    return mail.text[at..]
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '>')
                        .collect();
                }
            }
            assert!(
                Instant::now() < deadline,
                "no email about “{subject}” with a {prefix} link to {email} in {} within a minute",
                outbox.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A link emailed to `email` that is none of `known` (a fresh one, once it is sent).
    pub fn link_other_than(&self, email: &str, known: &[&str]) -> String {
        let outbox = self.server.data.join("outbox");
        let prefix = format!("{}/c/", self.base);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            for entry in std::fs::read_dir(&outbox).into_iter().flatten().flatten() {
                if entry.path().extension().is_none_or(|e| e != "eml") {
                    continue;
                }
                let Ok(raw) = std::fs::read(entry.path()) else {
                    continue;
                };
                let mail = Received::parse(&raw);
                if !mail.header("To").is_some_and(|to| to.contains(email)) {
                    continue;
                }
                if let Some(at) = mail.text.find(&prefix) {
                    let link: String = mail.text[at..]
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '>')
                        .collect();
                    if !known.contains(&link.as_str()) {
                        return link;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "no new email with a {prefix} link to {email} in {} within a minute",
                outbox.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The demo admin's email and password, as the server printed them once.
    pub fn admin_sign_in(&self) -> (String, String) {
        let email = self
            .server
            .banner_value("admin email:")
            .expect("the demo prints the admin's email");
        let password = self
            .server
            .banner_value("admin password:")
            .expect("the demo prints the admin's password");
        (email, password)
    }

    pub async fn api(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}/api{path}", self.base))
            .bearer_auth(&self.api_token)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "GET /api{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    /// POSTs `body` to the API as the demo's token, answering the JSON.
    pub async fn api_post(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/api{path}", self.base))
            .bearer_auth(&self.api_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "POST /api{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    /// PATCHes `body` onto `path` as the demo's token, answering the JSON.
    pub async fn api_patch(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .patch(format!("{}/api{path}", self.base))
            .bearer_auth(&self.api_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "PATCH /api{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }
}
