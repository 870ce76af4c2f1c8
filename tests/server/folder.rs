//! The server on its data folder: data that survives a restart and a crash, the folder locked
//! while served, a live backup that restores into an equal firm, and starts that fail (a taken
//! port) or go on without what is broken (a bad plugin).

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::get;
use super::support::{self, Server, http, run_with, stderr, stdout};

#[test]
fn data_survives_a_restart_and_the_folder_is_locked_while_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();

    let created = http()
        .post(server.url("/api/contacts"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Dan Dean", "email": "Dan@Dean.example", "timezone": "Asia/Tokyo" }))
        .send()
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let contact: Value = created.json().unwrap();
    let duplicate = http()
        .post(server.url("/api/contacts"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Dan again", "email": "dan@dean.example" }))
        .send()
        .unwrap();
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    let work = http()
        .post(server.url("/api/work"))
        .bearer_auth(&token)
        .json(&json!({ "template": "Monthly bookkeeping", "start_date": "2028-02-28", "contacts": ["dan@dean.example"] }))
        .send()
        .unwrap();
    assert_eq!(work.status(), StatusCode::CREATED);
    let work: Value = work.json().unwrap();
    assert_eq!(work["groups"][0]["tasks"][0]["due_date"], "2028-03-04");

    // A second docket on the same folder is refused, with one line and a non-zero exit.
    let second = run_with(
        support::docket()
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir.path()),
    );
    assert!(!second.status.success());
    let err = stderr(&second);
    assert!(err.contains("is in use by another running docket"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let cli = run_with(
        support::docket()
            .args(["template", "list", "--data"])
            .arg(dir.path()),
    );
    // A command beside the server is answered by it, through its admin socket.
    assert!(
        cli.status.success() && stdout(&cli).contains("Monthly bookkeeping"),
        "{}",
        stderr(&cli)
    );

    assert!(server.stop().success(), "SIGTERM stops the server cleanly");

    // Same folder, no re-seeding: everything is as it was.
    let server = Server::start(dir.path(), &["--demo"]);
    assert!(
        server.banner_value("API token:").is_none(),
        "the demo seeds only an empty folder"
    );
    let (status, again) = get(
        &server,
        &token,
        &format!("/api/contacts/{}", contact["id"].as_str().unwrap()),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, contact);
    let (_, again) = get(
        &server,
        &token,
        &format!("/api/work/{}", work["id"].as_str().unwrap()),
    );
    assert_eq!(again, work);
    let (_, all) = get(&server, &token, "/api/work");
    assert_eq!(all.as_array().unwrap().len(), 4);
}

#[test]
fn every_acknowledged_write_survives_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    // Writes from several threads; each 201 is a promise that the contact is on disk.
    let acknowledged: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|thread| {
                let (server, token) = (&server, &token);
                scope.spawn(move || {
                    (0..25)
                        .filter_map(|i| {
                            let email = format!("c{thread}-{i}@crash.example");
                            let response = http()
                                .post(server.url("/api/contacts"))
                                .bearer_auth(token)
                                .json(&json!({ "name": "Crash Test", "email": email }))
                                .send()
                                .ok()?;
                            (response.status() == StatusCode::CREATED).then_some(email)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(acknowledged.len(), 100);
    server.crash();

    let server = Server::start(dir.path(), &[]);
    let (_, contacts) = get(&server, &token, "/api/contacts?limit=500");
    let stored: Vec<&str> = contacts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    for email in &acknowledged {
        assert!(
            stored.contains(&email.as_str()),
            "{email} was acknowledged but lost in the crash"
        );
    }
}

#[test]
fn a_live_backup_restores_into_an_equal_firm() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    assert_eq!(
        http()
            .get(server.url("/api/backup"))
            .send()
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Writers keep going while the backup is taken; the copy holds a consistent state.
    let backup = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for i in 0..20 {
                let response = http()
                    .post(server.url("/api/contacts"))
                    .bearer_auth(&token)
                    .json(&json!({ "name": "Busy", "email": format!("busy{i}@live.example") }))
                    .send()
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
            }
        });
        let response = http()
            .get(server.url("/api/backup"))
            .bearer_auth(&token)
            .send()
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let bytes = response.bytes().unwrap();
        writer.join().unwrap();
        bytes
    });
    let file = dir.path().join("live.backup");
    std::fs::write(&file, &backup).unwrap();

    // The CLI beside the server takes the same live backup, streamed through its admin socket.
    let cli = run_with(
        support::docket()
            .args(["backup", "--out"])
            .arg(dir.path().join("x.backup"))
            .arg("--data")
            .arg(dir.path()),
    );
    assert!(cli.status.success(), "{}", stderr(&cli));
    assert!(stdout(&cli).starts_with("backed up "), "{}", stdout(&cli));
    assert!(dir.path().join("x.backup").is_file());

    let restored = tempfile::tempdir().unwrap();
    let out = run_with(
        support::docket()
            .arg("restore")
            .arg(&file)
            .arg("--data")
            .arg(restored.path()),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let copy = Server::start(restored.path(), &[]);
    let (_, templates) = get(&copy, &token, "/api/templates");
    assert_eq!(templates, get(&server, &token, "/api/templates").1);
    let (_, work) = get(&copy, &token, "/api/work");
    assert_eq!(work, get(&server, &token, "/api/work").1);
    let (_, contacts) = get(&copy, &token, "/api/contacts?limit=500");
    let count = contacts.as_array().unwrap().len();
    assert!(
        (3..=23).contains(&count),
        "{count} contacts: the demo's three plus the writes that came first"
    );
    // A consistent copy: exactly the contacts created before some instant, none missing between.
    let (_, all) = get(&server, &token, "/api/contacts?limit=500");
    assert_eq!(
        contacts.as_array().unwrap()[..],
        all.as_array().unwrap()[..count]
    );
}

#[test]
fn a_taken_port_fails_before_the_demo_is_seeded() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = run_with(
        support::docket()
            .args(["serve", "--demo", "--listen", &port, "--data"])
            .arg(dir.path()),
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("cannot listen on {port}")), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("admin password"));
    // The next start, on a free port, still seeds and prints the credentials.
    let server = Server::start(dir.path(), &["--demo"]);
    assert!(server.banner_value("admin password:").is_some());
}

#[test]
fn a_bad_plugin_is_refused_and_the_server_starts_with_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::write(plugins.join("garbage.wasm"), b"this is not a component").unwrap();
    std::fs::write(
        plugins.join("garbage.toml"),
        "name = 'garbage'\nversion = '1.0.0'\nworld = 'reminder-policy'\n",
    )
    .unwrap();
    std::fs::write(plugins.join("muddled.wasm"), b"\0asm").unwrap();
    std::fs::write(
        plugins.join("muddled.toml"),
        "name = 'muddled'\nworld = 'no-such-world'\n",
    )
    .unwrap();

    let server = Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    let (status, templates) = get(&server, &token, "/api/templates");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        templates.as_array().unwrap().len(),
        2,
        "the demo's templates use the stock plugins"
    );

    let listed = run_with(
        support::docket()
            .args(["plugin", "list", "--json", "--data"])
            .arg(dir.path()),
    );
    // Refusals make `plugin list` fail, after it has listed everything with the reasons.
    assert!(!listed.status.success());
    assert!(
        stderr(&listed).contains("2 installed plugins were refused"),
        "{}",
        stderr(&listed)
    );
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let refused: Vec<&str> = listed["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused.iter().any(|r| r.contains("garbage.wasm")),
        "{refused:?}"
    );
    assert!(refused.iter().any(|r| r.contains("muddled")), "{refused:?}");
    assert!(refused.iter().all(|r| !r.contains('\n')), "{refused:?}");
    let names: Vec<&str> = listed["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for stock in [
        "gentle", "urgent", "custom", "manual", "relative", "webhook",
    ] {
        assert!(names.contains(&stock), "{stock} missing from {names:?}");
    }
}
