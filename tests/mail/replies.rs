//! Replies by email against a real IMAP server (dovecot, `support::dovecot`): requests go out
//! through the SMTP sink with a reply address of their group's, clients' answers are dropped
//! into the mailbox, and the engine's IMAP reader turns them into comments, uploads, timeline
//! notes or unmatched replies — once each, across a restart of the reader.

use std::time::{Duration, Instant};

use docket_engine::Docket;
use docket_engine::config::{FirmConfig, InboundConfig};
use docket_engine::mail::imap::ImapReader;
use docket_engine::model::{Actor, EventKind, WorkId};

use super::support::dovecot::Imap;
use super::{Firm, MailSink, SinkOptions, smtp_config};

const TEMPLATE: &str = r#"
name = "Tax return"
[[groups]]
name = "Documents"
[[groups.tasks]]
title = "P60"
due = 7
[[groups.tasks]]
title = "Bank statements"
due = 14
"#;

const WAIT: Duration = Duration::from_secs(30);

fn inbound(imap: &Imap) -> InboundConfig {
    InboundConfig {
        reply_address: "replies@smith.example".into(),
        imap_host: Some("127.0.0.1".into()),
        imap_port: Some(imap.port),
        imap_user: Some(imap.user.clone()),
        imap_folder: "INBOX".into(),
        imap_tls: "none".into(),
        imap_ca_file: None,
        imap_poll_secs: 1,
    }
}

/// Waits until `check` holds, failing with `what` after `WAIT`.
fn wait_until(what: &str, imap: &Imap, check: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; dovecot log:\n{}",
            imap.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn reply(from: &str, to: &str, id: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Re: Documents\r\nMessage-ID: <{id}@client.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n{headers}\r\n{body}"
    )
    .into_bytes()
}

fn comments(docket: &Docket, work: WorkId) -> Vec<String> {
    docket
        .comments(work)
        .unwrap()
        .into_iter()
        .map(|c| c.body)
        .collect()
}

#[test]
fn replies_by_email_become_comments_uploads_notes_or_unmatched() {
    let sink = MailSink::start(SinkOptions::default());
    let smtp = smtp_config(&sink, None);
    let mut firm = Firm::new(
        "2026-03-02T08:00:00Z",
        FirmConfig {
            name: "Smith & Co".into(),
            ..FirmConfig::default()
        },
        &smtp,
    );
    firm.docket = firm
        .docket
        .clone()
        .with_reply_address(Some("replies@smith.example"));
    let docket = firm.docket.clone();
    docket.import_template(TEMPLATE).unwrap();
    firm.contact("Jo Bloggs", "jo@client.example", None);
    let work = firm.work("Tax return", "2026-03-09", "jo@client.example", None);
    docket.send_group(work, 0, Actor::System).unwrap();
    firm.deliver();
    let sent = sink.wait_for(1, WAIT);
    let reply_to = sent[0].header("Reply-To").expect("a Reply-To").to_string();
    assert!(
        reply_to.starts_with("replies+") && reply_to.ends_with("@smith.example"),
        "{reply_to}"
    );
    let token = &reply_to["replies+".len()..reply_to.len() - "@smith.example".len()];
    assert_eq!(token.len(), 32, "{reply_to}");
    // The raw token is not kept once the email is sent.
    let kept = docket.outbox(None, 10).unwrap();
    assert!(
        kept.iter()
            .all(|m| !m.reply_to.as_deref().unwrap_or_default().contains(token))
    );

    let imap = Imap::start();
    let reader = ImapReader::start(docket.clone(), inbound(&imap), imap.password.clone()).unwrap();

    // A reply with quoted history, a signature and a PDF.
    imap.deliver(&reply(
        "Jo Bloggs <Jo@Client.example>",
        &reply_to,
        "r1",
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n",
        "--b\r\nContent-Type: text/plain\r\n\r\nHere is my P60.\r\n-- \r\nJo\r\n\r\nOn Mon, Smith & Co wrote:\r\n> Please send\r\n--b\r\nContent-Type: application/pdf; name=\"p60.pdf\"\r\nContent-Disposition: attachment; filename=\"p60.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCg==\r\n--b--\r\n",
    ));
    wait_until("the first reply's comment", &imap, || {
        !comments(&docket, work).is_empty()
    });
    assert_eq!(comments(&docket, work), ["Here is my P60."]);
    let files = docket.files(work).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "p60.pdf");
    assert_eq!(files[0].content_type, "application/pdf");
    assert_eq!(
        files[0].task,
        Some((0, 0)),
        "on the group's first open task"
    );
    let comment = &docket.comments(work).unwrap()[0];
    assert!(matches!(comment.author, Actor::Contact(_)));
    assert_eq!(comment.group, Some(0));

    // HTML-only mail becomes text.
    imap.deliver(&reply(
        "jo@client.example",
        &reply_to,
        "r2",
        "Content-Type: text/html; charset=utf-8\r\n",
        "<html><body><p>Bank statements <b>follow</b> tomorrow.</p></body></html>\r\n",
    ));
    wait_until("the HTML reply's comment", &imap, || {
        comments(&docket, work).len() == 2
    });
    assert!(comments(&docket, work)[1].starts_with("Bank statements follow tomorrow."));

    // An out of office adds a note on the timeline, no comment.
    imap.deliver(&reply(
        "jo@client.example",
        &reply_to,
        "r3",
        "Auto-Submitted: auto-replied\r\n",
        "I am away until the 10th.\r\n",
    ));
    wait_until("the out-of-office note", &imap, || {
        docket
            .work_timeline(work, 100)
            .unwrap()
            .iter()
            .any(|e| e.kind == EventKind::AutoReply)
    });

    // A forged sender with the right reply address reaches no work.
    imap.deliver(&reply(
        "mallory@evil.example",
        &reply_to,
        "r4",
        "",
        "Please change the bank details.\r\n",
    ));
    wait_until("the forged reply among the unmatched", &imap, || {
        docket.unmatched_replies().unwrap().len() == 1
    });
    let forged = &docket.unmatched_replies().unwrap()[0];
    assert_eq!(forged.from, "mallory@evil.example");
    assert!(
        forged.reason.contains("not from the request's contact"),
        "{}",
        forged.reason
    );
    assert_eq!(forged.work, Some(work));

    // Resending revokes the reply address with the group's links.
    docket.resend_group(work, 0, Actor::System).unwrap();
    imap.deliver(&reply(
        "jo@client.example",
        &reply_to,
        "r5",
        "",
        "Late answer.\r\n",
    ));
    wait_until("the revoked reply among the unmatched", &imap, || {
        docket.unmatched_replies().unwrap().len() == 2
    });
    assert!(
        docket.unmatched_replies().unwrap()[0]
            .reason
            .contains("revoked")
    );
    assert_eq!(comments(&docket, work).len(), 2, "nothing reached the work");

    // Restarted, the reader takes nothing twice; the same message delivered again (a crash
    // between the commit and the flag) is known by its Message-ID.
    reader.stop();
    imap.deliver(&reply(
        "jo@client.example",
        &reply_to,
        "r1",
        "",
        "Here is my P60.\r\n",
    ));
    let reader = ImapReader::start(docket.clone(), inbound(&imap), imap.password.clone()).unwrap();
    wait_until(
        "the restarted reader to flag every message taken",
        &imap,
        || imap.taken() == 6,
    );
    assert_eq!(comments(&docket, work).len(), 2, "no double comment");
    assert_eq!(docket.files(work).unwrap().len(), 1, "no double upload");
    assert_eq!(docket.unmatched_replies().unwrap().len(), 2);

    // Staff attach the forged one after checking it, and discard the other.
    let unmatched = docket.unmatched_replies().unwrap();
    docket
        .attach_unmatched_reply(&unmatched[1].id.to_string(), work, 0, Actor::System)
        .unwrap();
    assert!(comments(&docket, work)[2].starts_with("Email from mallory@evil.example:"));
    docket
        .discard_unmatched_reply(&unmatched[0].id.to_string(), Actor::System)
        .unwrap();
    assert!(docket.unmatched_replies().unwrap().is_empty());
    reader.stop();
}

#[test]
fn a_mailbox_that_refuses_the_password_is_shown_once_and_retried() {
    let imap = Imap::start();
    // Nothing is sent here: a relay that is never reached (so the test needs no SMTP sink and
    // runs as any user).
    let relay = docket_engine::config::SmtpConfig {
        host: "127.0.0.1".into(),
        port: 9,
        username: None,
        password: None,
        security: "none".into(),
        ca_file: None,
        timeout_secs: 1,
        connections: 1,
    };
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default(), &relay);
    let docket = firm.docket.clone();
    let reader = ImapReader::start(docket.clone(), inbound(&imap), "wrong".into()).unwrap();
    wait_until("the failure recorded", &imap, || {
        docket
            .inbound_status()
            .unwrap()
            .is_some_and(|s| s.failing_since.is_some())
    });
    let status = docket.inbound_status().unwrap().unwrap();
    let error = status.error.as_deref().unwrap();
    // The server's words, not Rust's debug output.
    assert!(error.contains("refused the login"), "{status:?}");
    assert!(error.contains("[AUTHENTICATIONFAILED]"), "{status:?}");
    assert!(
        error.contains("DOCKET_IMAP_PASSWORD"),
        "says what to check: {status:?}"
    );
    assert!(
        !error.contains("Some(") && !error.contains("code:"),
        "{status:?}"
    );
    let first_since = status.failing_since.unwrap();
    reader.stop();
    // A restart a day later with the same wrong password: the failure shown is this run's,
    // since it started, not since the first run's.
    firm.clock.advance(chrono::Duration::days(1));
    let reader = ImapReader::start(docket.clone(), inbound(&imap), "wrong".into()).unwrap();
    wait_until("the failure of this run recorded", &imap, || {
        docket
            .inbound_status()
            .unwrap()
            .and_then(|s| s.failing_since)
            .is_some_and(|since| since > first_since)
    });
    reader.stop();
    // The right password: the failure clears.
    let reader = ImapReader::start(docket.clone(), inbound(&imap), imap.password.clone()).unwrap();
    wait_until("the mailbox answering", &imap, || {
        docket
            .inbound_status()
            .unwrap()
            .is_some_and(|s| s.failing_since.is_none() && s.last_read_at.is_some())
    });
    reader.stop();
}

/// The reply mailbox over TLS, against a real dovecot with a test certificate: `starttls`
/// upgrades the plain connection before the login, `tls` speaks TLS from the first byte (dovecot's
/// log shows each login made over TLS); the server's certificate is checked against
/// `imap_ca_file`, and refused without it.
#[test]
fn the_reply_mailbox_is_read_over_starttls_and_implicit_tls() {
    let imap = Imap::start_tls();
    let relay = docket_engine::config::SmtpConfig {
        host: "127.0.0.1".into(),
        port: 9,
        username: None,
        password: None,
        security: "none".into(),
        ca_file: None,
        timeout_secs: 1,
        connections: 1,
    };
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default(), &relay);
    let docket = firm.docket.clone();
    let secure = |mode: &str, port: u16, ca: bool| InboundConfig {
        imap_tls: mode.into(),
        imap_port: Some(port),
        imap_ca_file: ca.then(|| imap.ca_pem.clone().unwrap()),
        ..inbound(&imap)
    };
    let failure = |config: InboundConfig| -> String {
        docket.inbound_answered().unwrap();
        let reader = ImapReader::start(docket.clone(), config, imap.password.clone()).unwrap();
        wait_until("the failure recorded", &imap, || {
            docket
                .inbound_status()
                .unwrap()
                .is_some_and(|s| s.failing_since.is_some())
        });
        reader.stop();
        docket.inbound_status().unwrap().unwrap().error.unwrap()
    };
    // The certificate is checked: without the CA it is unknown.
    let unknown = failure(secure("starttls", imap.port, false));
    assert!(
        unknown.contains("TLS with 127.0.0.1") && unknown.contains("certificate"),
        "{unknown}"
    );
    let unknown = failure(secure("tls", imap.tls_port.unwrap(), false));
    assert!(unknown.contains("certificate"), "{unknown}");

    for (n, (mode, port)) in [("starttls", imap.port), ("tls", imap.tls_port.unwrap())]
        .into_iter()
        .enumerate()
    {
        let reader = ImapReader::start(
            docket.clone(),
            secure(mode, port, true),
            imap.password.clone(),
        )
        .unwrap();
        imap.deliver(&reply(
            "someone@elsewhere.example",
            "office@smith.example",
            &format!("tls{n}"),
            "",
            &format!("Read over {mode}.\r\n"),
        ));
        wait_until(&format!("the reply read over {mode}"), &imap, || {
            docket.unmatched_replies().unwrap().len() == n + 1
        });
        assert_eq!(
            docket.unmatched_replies().unwrap()[0].text,
            format!("Read over {mode}.")
        );
        let status = docket.inbound_status().unwrap().unwrap();
        assert!(status.failing_since.is_none(), "{status:?}");
        assert_eq!(imap.tls_logins(), n + 1, "{mode}: {}", imap.log());
        reader.stop();
    }
}

/// `docket serve` with `[inbound]`: requests carry the reply address, and a reply dropped into
/// the mailbox shows as the client's comment through the API; without the password in the
/// environment, serve refuses to start and names the variable.
#[test]
fn docket_serve_reads_the_reply_mailbox() {
    use serde_json::{Value, json};

    use super::secure_sink;
    use super::support::{Server, docket, http, run_with, stderr};

    let sink = secure_sink();
    let imap = Imap::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("docket.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"
[firm]
name = "Smith & Co"

[mail]
from = "Smith & Co <office@smith.example>"

[smtp]
host = "localhost"
port = {port}
username = "docket"
password = "s3cret pass"
ca_file = "{ca}"

[inbound]
reply_address = "replies@smith.example"
imap_host = "127.0.0.1"
imap_port = {imap_port}
imap_user = "{user}"
imap_tls = "none"
imap_poll_secs = 1
"#,
            port = sink.port,
            ca = sink.ca_pem.as_ref().unwrap().display(),
            imap_port = imap.port,
            user = imap.user,
        ),
    )
    .unwrap();
    let data = dir.path().join("data");

    let refused = run_with(
        docket()
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data)
            .arg("--config")
            .arg(&cfg),
    );
    // Refused before anything is served, in one sentence of Docket's own.
    assert!(!refused.status.success());
    let said = stderr(&refused);
    assert!(said.contains("DOCKET_IMAP_PASSWORD"), "{said}");
    assert!(!said.contains("environment variable not found"), "{said}");
    let out = String::from_utf8_lossy(&refused.stdout);
    assert!(!out.contains("listening"), "{out}");
    assert!(
        !data.exists(),
        "the data folder was opened before the refusal"
    );

    let server = Server::start_with_env(
        &data,
        &["--demo", "--config", cfg.to_str().unwrap()],
        &[("DOCKET_IMAP_PASSWORD", &imap.password)],
    );
    let token = server.banner_value("API token:").expect("a demo token");
    let call = |method: &str, path: &str, body: Value| -> Value {
        let request = match method {
            "GET" => http().get(server.url(path)),
            _ => http().post(server.url(path)).json(&body),
        };
        let response = request.bearer_auth(&token).send().unwrap();
        assert!(
            response.status().is_success(),
            "{method} {path}: {}",
            response.status()
        );
        response.json().unwrap_or(Value::Null)
    };
    call(
        "POST",
        "/api/templates",
        json!({"name": "Reply test", "description": "", "groups": [{"name": "Documents",
            "tasks": [{"title": "P60", "due_offset_days": 7}]}]}),
    );
    call(
        "POST",
        "/api/contacts",
        json!({"name": "Jo Bloggs", "email": "jo@client.example"}),
    );
    let work = call(
        "POST",
        "/api/work",
        json!({"template": "Reply test", "start_date": "2026-03-02", "contacts": ["jo@client.example"]}),
    );
    let id = work["id"].as_str().unwrap().to_string();
    call("POST", &format!("/api/work/{id}/groups/0/send"), json!({}));
    // The demo's own work sends too: wait for Jo's request.
    let to_jo = || {
        sink.messages()
            .into_iter()
            .find(|m| m.rcpt_tos.iter().any(|r| r == "jo@client.example"))
    };
    wait_until("Jo's request email", &imap, || to_jo().is_some());
    let request = to_jo().unwrap();
    // Sent with the demo admin's token, so named for them: `"Demo Admin" <replies+…>`.
    let header = request.header("Reply-To").unwrap().to_string();
    let reply_to = header
        .rsplit_once('<')
        .map_or(header.as_str(), |(_, a)| a.trim_end_matches('>'))
        .to_string();
    assert!(
        header.starts_with("\"Demo Admin\" <") && reply_to.starts_with("replies+"),
        "{header}"
    );
    imap.deliver(&reply(
        "jo@client.example",
        &reply_to,
        "bin1",
        "",
        "Sent by post today.\r\n",
    ));
    wait_until("the reply as a comment through the API", &imap, || {
        call("GET", &format!("/api/work/{id}/comments"), Value::Null)
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["body"] == "Sent by post today."))
    });
    // The API says replies by email are set up and read, to which address.
    let listed = call("GET", "/api/replies/unmatched", Value::Null);
    assert_eq!(listed["setup"], "read", "{listed}");
    assert_eq!(listed["reply_address"], "replies@smith.example", "{listed}");
    assert!(listed["mailbox"]["last_read_at"].is_string(), "{listed}");
}

/// A mailbox nothing listens at: the state says it is failing (not "read", with no read ever
/// made), and why in plain words rather than the system's error.
#[test]
fn a_mailbox_that_cannot_be_reached_is_failing_in_plain_words() {
    use docket_engine::docket::RepliesByEmail;
    let relay = docket_engine::config::SmtpConfig {
        host: "127.0.0.1".into(),
        port: 9,
        username: None,
        password: None,
        security: "none".into(),
        ca_file: None,
        timeout_secs: 1,
        connections: 1,
    };
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default(), &relay);
    let docket = firm
        .docket
        .clone()
        .with_reply_address(Some("replies@smith.example"))
        .with_reply_mailbox(true);
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = InboundConfig {
        reply_address: "replies@smith.example".into(),
        imap_host: Some("127.0.0.1".into()),
        imap_port: Some(closed),
        imap_user: Some("replies".into()),
        imap_folder: "INBOX".into(),
        imap_tls: "none".into(),
        imap_ca_file: None,
        imap_poll_secs: 1,
    };
    assert_eq!(docket.replies_by_email(), RepliesByEmail::Read);
    let reader = ImapReader::start(docket.clone(), config, "secret".into()).unwrap();
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = docket.inbound_status().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "no failure recorded");
        std::thread::sleep(Duration::from_millis(50));
    };
    reader.stop();
    assert_eq!(
        status.error.as_deref(),
        Some(
            format!(
                "Docket cannot reach the mailbox at 127.0.0.1:{closed}: the connection was refused"
            )
            .as_str()
        )
    );
    assert_eq!(status.last_read_at, None);
    assert_eq!(docket.replies_by_email(), RepliesByEmail::Failing);
}
