//! The whole flow once through the real binary: `docket serve` on a simulated clock, driven over
//! its API, mailing a real SMTP server; and what `serve` refuses at start.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::secure_sink;
use super::support::smtp::{MailSink, Received};
use super::support::{Server, docket, http, run_with, stderr};

fn config(dir: &Path, sink: &MailSink, extra: &str) -> std::path::PathBuf {
    let path = dir.join("docket.toml");
    let text = format!(
        r#"
[firm]
name = "Smith & Co"
timezone = "Europe/London"
{extra}

[mail]
from = "Smith & Co <office@smith.example>"

[smtp]
host = "localhost"
port = {port}
security = "starttls"
username = "docket"
password = "s3cret pass"
ca_file = "{ca}"
"#,
        port = sink.port,
        ca = sink.ca_pem.as_ref().unwrap().display(),
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn api(server: &Server, token: &str, method: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let client = http();
    let request = match method {
        "GET" => client.get(server.url(path)),
        _ => client.post(server.url(path)).json(&body),
    };
    let response = request.bearer_auth(token).send().unwrap();
    let status = response.status();
    (status, response.json().unwrap_or(Value::Null))
}

/// The server's clock, as the name of a live backup carries it (`docket-YYYYMMDDTHHMMSSZ.backup`):
/// on a simulated clock, the simulated time.
fn server_now(server: &Server, token: &str) -> DateTime<Utc> {
    let response = http()
        .get(server.url("/api/backup"))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let name = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    // Read to its end, so the backup finishes rather than fails on a closed connection.
    response.bytes().unwrap();
    let stamp = &name[name.find("docket-").unwrap() + "docket-".len()..][..16];
    NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ")
        .unwrap()
        .and_utc()
}

#[test]
fn a_simulated_month_through_the_binary_the_api_and_a_real_smtp_server() {
    let sink = secure_sink();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &sink, "");
    let data = dir.path().join("data");
    // Half a day of simulated time per real second, from Monday 2 March 2026, 07:00 London.
    let server = Server::start(
        &data,
        &[
            "--demo",
            "--config",
            cfg.to_str().unwrap(),
            "--clock-from",
            "2026-03-02T07:00:00Z",
            "--clock-speed",
            "43200",
        ],
    );
    let token = server
        .banner_value("API token:")
        .expect("the demo prints a token");
    let (status, _) = api(
        &server,
        &token,
        "POST",
        "/api/templates",
        json!({
            "name": "Signature",
            "description": "",
            "groups": [{
                "name": "Sign",
                "reminders": {"plugin": "urgent"},
                "tasks": [{"title": "Sign the engagement letter", "due_offset_days": 2}]
            }]
        }),
    );
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = api(
        &server,
        &token,
        "POST",
        "/api/contacts",
        json!({"name": "Zoe Zhang", "email": "zoe@zhang.example"}),
    );
    assert_eq!(status, StatusCode::CREATED);
    let (status, work) = api(
        &server,
        &token,
        "POST",
        "/api/work",
        json!({"template": "Signature", "start_date": "2026-03-02", "contacts": ["zoe@zhang.example"]}),
    );
    assert_eq!(status, StatusCode::CREATED, "{work}");
    let id = work["id"].as_str().unwrap().to_string();
    let (status, sent) = api(
        &server,
        &token,
        "POST",
        &format!("/api/work/{id}/groups/0/send"),
        json!({}),
    );
    assert_eq!(status, StatusCode::OK, "{sent}");
    let (status, again) = api(
        &server,
        &token,
        "POST",
        &format!("/api/work/{id}/groups/0/send"),
        json!({}),
    );
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a second send is refused: {again}"
    );

    // Urgent: daily at 09:00 until done, five reminders at most.
    let zoe = |all: Vec<Received>| -> Vec<Received> {
        all.into_iter()
            .filter(|m| m.rcpt_tos.iter().any(|r| r == "zoe@zhang.example"))
            .collect()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    let mails = loop {
        let mails = zoe(sink.messages());
        if mails.len() >= 6 || std::time::Instant::now() > deadline {
            break mails;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(mails.len(), 6, "a request and five reminders");
    // Five more simulated days on the server's clock (ten real seconds, more on a loaded
    // machine): still six (the cap).
    let last = DateTime::parse_from_rfc2822(mails[5].header("Date").unwrap())
        .unwrap()
        .to_utc();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while server_now(&server, &token) < last + chrono::Days::new(5) {
        assert!(
            std::time::Instant::now() < deadline,
            "the simulated clock did not reach five days after the last reminder"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_eq!(zoe(sink.messages()).len(), 6);

    let tz: Tz = "Europe/London".parse().unwrap();
    let dates: Vec<DateTime<Tz>> = mails
        .iter()
        .map(|m| {
            DateTime::parse_from_rfc2822(m.header("Date").unwrap())
                .unwrap()
                .with_timezone(&tz)
        })
        .collect();
    // The Date headers are the simulated clock's: March 2026, not today.
    assert!(
        dates.iter().all(|d| d.year() == 2026 && d.month() == 3),
        "{dates:?}"
    );
    // Reminders go at the send time (09:00): the first one the day after the request, or the
    // same day when a loaded machine let the simulated clock pass midnight before the request.
    let first_reminder_day = if dates[0].hour() < 9 {
        dates[0].date_naive()
    } else {
        dates[0].date_naive().succ_opt().unwrap()
    };
    for (i, date) in dates[1..].iter().enumerate() {
        assert_eq!(
            date.date_naive(),
            first_reminder_day + chrono::Days::new(i as u64),
            "reminder {i} on consecutive days: {dates:?}"
        );
        // At nine, give or take the real milliseconds a loaded machine takes to get there
        // (a simulated hour is 83 ms here; the exact times are the manual-clock tests' job).
        assert!((9..12).contains(&date.hour()), "at nine: {dates:?}");
    }
    assert!(
        mails
            .iter()
            .all(|m| m.tls && m.auth_user.as_deref() == Some("docket"))
    );
    assert!(mails[1].header("Subject").unwrap().starts_with("Reminder:"));
    // Sent with the demo's token, which is the demo admin's: from them, and answers reach
    // them, the request as the scheduler's reminders.
    for mail in &mails {
        assert_eq!(
            mail.header("From").map(|h| h.replace('"', "")).as_deref(),
            Some("Demo Admin via Smith & Co <office@smith.example>")
        );
        assert_eq!(
            mail.header("Reply-To")
                .map(|h| h.replace('"', ""))
                .as_deref(),
            Some("Demo Admin <admin@demo-firm.example>")
        );
    }
    // The demo's own sends went out too.
    assert!(sink.messages().len() >= 8);

    // The work's record and timeline say the same, and the outbox holds no link.
    let (_, work) = api(
        &server,
        &token,
        "GET",
        &format!("/api/work/{id}"),
        json!(null),
    );
    assert_eq!(work["groups"][0]["tasks"][0]["reminders_sent"], 5, "{work}");
    assert_eq!(work["status"], "waiting_on_client");
    let (_, timeline) = api(
        &server,
        &token,
        "GET",
        &format!("/api/work/{id}/timeline"),
        json!(null),
    );
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .filter(|k| k.ends_with("_sent") && *k != "group_sent")
        .collect();
    // Newest first: five reminders, then the request.
    assert_eq!(
        kinds,
        ["reminder_sent"; 5]
            .into_iter()
            .chain(["email_sent"])
            .collect::<Vec<_>>(),
        "{timeline}"
    );
    let (_, outbox) = api(&server, &token, "GET", "/api/outbox", json!(null));
    let outbox = outbox.as_array().unwrap();
    assert!(outbox.iter().all(|m| m["state"] == "sent"), "{outbox:?}");
    for mail in &mails {
        let start = mail.text.find("/c/").unwrap() + 3;
        let token_text = &mail.text[start..start + 43];
        assert!(
            !serde_json::to_string(outbox).unwrap().contains(token_text),
            "the outbox keeps no link token"
        );
    }
    // The client's part done through the API: the work moves on to staff.
    let (status, done) = api(
        &server,
        &token,
        "POST",
        &format!("/api/work/{id}/groups/0/tasks/0/done"),
        json!({}),
    );
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "in_progress");
    let (status, bad) = api(
        &server,
        &token,
        "POST",
        &format!("/api/work/{id}/groups/0/tasks/0/finish"),
        json!({}),
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        bad["error"]
            .as_str()
            .unwrap()
            .contains("use done or reopen"),
        "{bad}"
    );
    assert!(server.stop().success());
    // Started again from before where it stopped: refused, time never runs backwards.
    let out = run_with(
        docket()
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data)
            .arg("--config")
            .arg(&cfg)
            .args([
                "--clock-from",
                "2026-03-02T07:00:00Z",
                "--clock-speed",
                "43200",
            ]),
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("simulated clock already reached 2026-03"),
        "{}",
        stderr(&out)
    );
    let said = stderr(&out);
    let reached = &said[said.find("already reached ").unwrap() + 16..][..20];
    let suggested = &said[said.find("--clock-from ").unwrap() + 13..][..20];
    assert!(suggested >= reached, "{said}");

    // A command run on the stopped folder works at the time its clock stopped, not today's.
    let made = run_with(
        docket()
            .args([
                "work",
                "create",
                "--template",
                "Signature",
                "--start",
                "2026-04-01",
            ])
            .args([
                "--contact",
                "zoe@zhang.example",
                "--title",
                "Made by the CLI",
                "--data",
            ])
            .arg(&data)
            .arg("--config")
            .arg(&cfg),
    );
    assert!(made.status.success(), "{}", stderr(&made));
    // ...and the start the refusal suggested is accepted.
    let server = Server::start(
        &data,
        &[
            "--config",
            cfg.to_str().unwrap(),
            "--clock-from",
            suggested,
            "--clock-speed",
            "1",
        ],
    );
    let (_, work) = api(&server, &token, "GET", "/api/work", json!(null));
    let made = work
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["title"] == "Made by the CLI")
        .unwrap();
    let created = made["created_at"].as_str().unwrap();
    assert!(
        created.starts_with(&reached[..19]),
        "created {created}, clock stopped at {reached}"
    );
    assert!(server.stop().success());
}

#[test]
fn serve_refuses_what_it_cannot_run_safely() {
    let sink = secure_sink();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let serve = |cfg: &Path, extra: &[&str]| {
        let out = run_with(
            docket()
                .args(["serve", "--listen", "127.0.0.1:0", "--data"])
                .arg(&data)
                .arg("--config")
                .arg(cfg)
                .args(extra),
        );
        assert!(!out.status.success(), "serve should have refused");
        stderr(&out)
    };

    // A bad send schedule stops start-up, naming the key.
    let cfg = config(dir.path(), &sink, "send_schedule = \"0 9 * * FUNDAY\"");
    let err = serve(&cfg, &[]);
    assert!(err.contains("firm.send_schedule"), "{err}");
    assert!(err.contains("FUNDAY"), "{err}");

    // An email template that does not render stops start-up, naming the file and line.
    let templates = dir.path().join("mail-templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("reminder.txt"),
        "Hi {{ contact_name }}\n{{ nope }}\n",
    )
    .unwrap();
    let cfg = config(dir.path(), &sink, "");
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "[mail]\n",
        &format!("[mail]\ntemplates_dir = \"{}\"\n", templates.display()),
    );
    std::fs::write(&cfg, text).unwrap();
    let err = serve(&cfg, &[]);
    assert!(
        err.contains("reminder.txt") && err.contains("line 2"),
        "{err}"
    );
    assert!(!data.join("db").exists(), "nothing was written");

    // Hooks are tried at start: a webhook without its url, a status nobody defined, a plugin
    // that is no hook. The message names the file and the entry; the folder is not marked as
    // served, so a simulated clock may still use it. (A webhook granted nothing yet waits for
    // an admin's grant instead of stopping start-up, so this one is granted a host.)
    for (hooks, want) in [
        (
            "[plugins.grants]\nwebhook = [\"http:hooks.example.com\"]\n[[hooks]]\nplugin = \"webhook\"\nevents = [\"task-completed\"]\n",
            "key `hooks[0]`: hook `webhook` fails on a sample `task-completed` event",
        ),
        (
            "[[hooks]]\nplugin = \"set-status\"\nparams = { status = \"no such thing\" }\nevents = [\"reminder-limit-reached\"]\n",
            "would set the status to `no such thing`",
        ),
        (
            "[[hooks]]\nplugin = \"gentle\"\nevents = [\"task-completed\"]\n",
            "`gentle` is a reminder-policy, not a notification hook",
        ),
    ] {
        let text = std::fs::read_to_string(config(dir.path(), &sink, "")).unwrap() + hooks;
        let hooked = dir.path().join("hooks.toml");
        std::fs::write(&hooked, text).unwrap();
        let err = serve(&hooked, &[]);
        assert!(err.contains(want), "{err}");
        assert!(err.contains("hooks.toml"), "names the file: {err}");
    }

    // A simulated clock refuses a relay beyond this machine...
    let cfg = config(dir.path(), &sink, "").to_str().unwrap().to_string();
    let remote = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("host = \"localhost\"", "host = \"smtp.example.com\"");
    let remote_cfg = dir.path().join("remote.toml");
    std::fs::write(&remote_cfg, remote).unwrap();
    let err = serve(
        &remote_cfg,
        &[
            "--clock-from",
            "2026-03-02T07:00:00Z",
            "--clock-speed",
            "86400",
        ],
    );
    assert!(err.contains("refusing a simulated clock"), "{err}");

    // ...and a data folder once served on the real clock.
    let server = Server::start(&data, &["--config", &cfg]);
    assert!(server.stop().success());
    let err = serve(
        Path::new(&cfg),
        &[
            "--clock-from",
            "2026-03-02T07:00:00Z",
            "--clock-speed",
            "86400",
        ],
    );
    assert!(err.contains("served on the real clock"), "{err}");

    // A clock speed that is not a number is refused by the command line.
    let err = serve(
        Path::new(&cfg),
        &[
            "--clock-from",
            "2026-03-02T07:00:00Z",
            "--clock-speed",
            "fast",
        ],
    );
    assert!(err.contains("clock speed"), "{err}");
}

#[test]
fn without_smtp_the_demo_writes_its_emails_to_the_outbox_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &["--demo"]);
    let outbox = data.join("outbox");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let files = loop {
        let files: Vec<_> = std::fs::read_dir(&outbox)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        if files.len() >= 2 || std::time::Instant::now() > deadline {
            break files;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(files.len(), 2, "the demo sends two groups");
    for file in files {
        let mail = Received::parse(&std::fs::read(&file).unwrap());
        assert!(mail.header("Subject").is_some());
        assert!(
            mail.text.contains("http://localhost:8080/c/"),
            "{}",
            mail.text
        );
        assert!(mail.html.is_some());
    }
    assert!(server.stop().success());
}
