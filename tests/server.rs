//! The server as a user meets it: the demo firm through the API, authentication, restarts on the
//! same data folder, and a second docket refused on a folder in use.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Server, http, run_with, stderr};

fn get(server: &Server, token: &str, path: &str) -> (StatusCode, Value) {
    let response = http()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .expect("request");
    let status = response.status();
    (status, response.json().unwrap_or(Value::Null))
}

#[test]
fn demo_firm_is_served_through_the_authenticated_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--demo"]);
    let token = server
        .banner_value("API token:")
        .expect("the demo prints an API token");
    assert!(
        server.banner_value("admin password:").is_some(),
        "the demo prints the admin password"
    );

    let health = http().get(server.url("/healthz")).send().unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().unwrap(), "ok");

    let (status, templates) = get(&server, &token, "/api/templates");
    assert_eq!(status, StatusCode::OK);
    let names: Vec<_> = templates
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.contains(&"Annual tax return".to_string())
            && names.contains(&"Monthly bookkeeping".to_string()),
        "{names:?}"
    );
    let (_, contacts) = get(&server, &token, "/api/contacts");
    assert_eq!(contacts.as_array().unwrap().len(), 3);
    let (_, work) = get(&server, &token, "/api/work");
    let mut statuses: Vec<_> = work
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["status"].as_str().unwrap().to_string())
        .collect();
    statuses.sort();
    assert_eq!(statuses, ["completed", "planned", "waiting_on_client"]);
    let (_, waiting) = get(&server, &token, "/api/work?status=waiting_on_client");
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    let id = waiting[0]["id"].as_str().unwrap();
    let (status, one) = get(&server, &token, &format!("/api/work/{id}"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["id"], waiting[0]["id"]);
    let (_, timeline) = get(&server, &token, &format!("/api/work/{id}/timeline"));
    assert!(timeline.as_array().unwrap().len() >= 3, "{timeline}");

    // Without a valid token: 401, and nothing is touched.
    let new_contact = json!({ "name": "Eve", "email": "eve@evil.example" });
    for auth in [None, Some("dkt_forged"), Some("not-even-a-docket-token")] {
        let mut request = http().post(server.url("/api/contacts")).json(&new_contact);
        if let Some(auth) = auth {
            request = request.bearer_auth(auth);
        }
        let response = request.send().unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(
            http().get(server.url("/api/work")).send().unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let (_, contacts) = get(&server, &token, "/api/contacts");
    assert_eq!(contacts.as_array().unwrap().len(), 3);

    // Bad input gets a clear error and changes nothing.
    let response = http()
        .post(server.url("/api/work"))
        .bearer_auth(&token)
        .json(&json!({ "template": "Annual tax return", "contacts": ["ann@archer-consulting.example"] }))
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().unwrap();
    assert_eq!(
        body["error"],
        "work from template `Annual tax return` needs a start date"
    );
    let (_, work) = get(&server, &token, "/api/work");
    assert_eq!(work.as_array().unwrap().len(), 3);
    // Malformed requests get the same JSON error shape as every other refusal.
    let malformed = http()
        .post(server.url("/api/contacts"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: Value = malformed.json().unwrap();
    assert!(body["error"].as_str().unwrap().contains("JSON"), "{body}");
    let unknown = http()
        .post(server.url("/api/contacts"))
        .bearer_auth(&token)
        .json(&json!({ "name": "X", "email": "x@y.example", "colour": "red" }))
        .send()
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = unknown.json().unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("the body has `colour`, which is not one of its fields"),
        "{body}"
    );
    let (status, body) = get(&server, &token, "/api/work?limit=lots");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("limit"), "{body}");
    let lower = http()
        .get(server.url("/api/work"))
        .header("authorization", format!("bearer {token}"))
        .send()
        .unwrap();
    assert_eq!(
        lower.status(),
        StatusCode::OK,
        "the auth scheme is case-insensitive"
    );
    let (status, _) = get(&server, &token, "/api/work/not-an-id");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = get(&server, &token, "/api/templates/No%20such");
    assert_eq!(status, StatusCode::NOT_FOUND);
}

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
    // A read-only command names the API call that answers it while the server runs.
    assert!(
        !cli.status.success()
            && stderr(&cli)
                .contains("is in use by the running server, so ask it instead: GET /api/templates"),
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

#[test]
fn comments_and_files_go_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    let (_, work) = get(&server, &token, "/api/work?status=planned");
    let id = work[0]["id"].as_str().unwrap().to_string();

    let posted = http()
        .post(server.url(&format!("/api/work/{id}/comments")))
        .bearer_auth(&token)
        .json(&json!({ "body": "Where is the P60?" }))
        .send()
        .unwrap();
    assert_eq!(posted.status(), StatusCode::CREATED);
    let empty = http()
        .post(server.url(&format!("/api/work/{id}/comments")))
        .bearer_auth(&token)
        .json(&json!({ "body": " " }))
        .send()
        .unwrap();
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, comments) = get(&server, &token, &format!("/api/work/{id}/comments"));
    assert_eq!(comments.as_array().unwrap().len(), 1);

    let pdf = b"%PDF-1.7 a statement".to_vec();
    let uploaded = http()
        .post(server.url(&format!(
            "/api/work/{id}/files?name=..%2Fbank.pdf&group=0&task=1"
        )))
        .bearer_auth(&token)
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let file: Value = uploaded.json().unwrap();
    assert_eq!(file["name"], "bank.pdf");
    let download = http()
        .get(server.url(&format!(
            "/api/work/{id}/files/{}",
            file["id"].as_str().unwrap()
        )))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"bank.pdf\"; filename*=UTF-8''bank.pdf"
    );
    assert_eq!(download.bytes().unwrap().to_vec(), pdf);

    // Oversized uploads are refused before they are read, and nothing is stored.
    let too_big = http()
        .post(server.url(&format!("/api/work/{id}/files?name=huge.bin")))
        .bearer_auth(&token)
        .body(vec![0u8; 51 * 1024 * 1024])
        .send()
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // A multipart form (what `curl -F` and browsers send) is refused, never stored whole.
    let form = http()
        .post(server.url(&format!("/api/work/{id}/files?name=x.txt")))
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\n\r\nhi\r\n--XyZ--\r\n")
        .send()
        .unwrap();
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(form.text().unwrap().contains("--data-binary"));
    let (_, files) = get(&server, &token, &format!("/api/work/{id}/files"));
    assert_eq!(files.as_array().unwrap().len(), 1);
    // The bytes are a file of their own under the data folder, named by their hash.
    let sha = file["content"]["sha256"].as_str().unwrap();
    let on_disk = dir.path().join("files").join(&sha[..2]).join(sha);
    assert_eq!(std::fs::read(on_disk).unwrap(), pdf);
    let (_, timeline) = get(&server, &token, &format!("/api/work/{id}/timeline"));
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(&kinds[..2], ["file_uploaded", "comment_added"]);
}

#[test]
fn a_document_uploaded_to_a_template_reaches_the_work_made_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    let base = "/api/templates/Annual%20tax%20return/groups/0/tasks/0/documents";
    let post = |path: &str, body: Vec<u8>| {
        http()
            .post(server.url(path))
            .bearer_auth(&token)
            .header("content-type", "application/pdf")
            .body(body)
            .send()
            .unwrap()
    };
    let letter = b"%PDF-1.7 engagement letter".to_vec();
    let added = post(
        &format!("{base}?name=..%2FEngagement%20letter.pdf"),
        letter.clone(),
    );
    assert_eq!(added.status(), StatusCode::CREATED);
    let template: Value = added.json().unwrap();
    let doc = &template["groups"][0]["tasks"][0]["documents"][0];
    assert_eq!(doc["name"], "Engagement letter.pdf");
    assert_eq!(doc["file"]["content"]["size"], letter.len());

    // Bad input is refused and changes nothing.
    let nowhere = post(
        "/api/templates/Annual%20tax%20return/groups/0/tasks/99/documents?name=x.pdf",
        letter.clone(),
    );
    assert_eq!(nowhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nowhere.text().unwrap().contains("no task 99 in group 0"));
    let unnamed = post(base, letter.clone());
    assert_eq!(unnamed.status(), StatusCode::BAD_REQUEST);
    assert!(
        unnamed
            .text()
            .unwrap()
            .contains("the query string (after `?`) is missing `name`")
    );
    let empty = post(&format!("{base}?name=empty.pdf"), Vec::new());
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = post(
        "/api/templates/No%20such/groups/0/tasks/0/documents?name=x.pdf",
        letter.clone(),
    );
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let too_big = post(
        &format!("{base}?name=huge.pdf"),
        vec![0u8; 51 * 1024 * 1024],
    );
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let named = http()
        .post(server.url("/api/templates"))
        .bearer_auth(&token)
        .json(
            &json!({ "name": "Forged", "groups": [{ "name": "G", "tasks": [{
            "title": "T", "due_offset_days": 1, "documents": [{ "name": "x", "file": {
                "id": "01J00000000000000000000000", "content_type": "text/plain",
                "content": { "sha256": "00", "size": 1 } } }] }] }] }),
        )
        .send()
        .unwrap();
    assert_eq!(named.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, template) = get(&server, &token, "/api/templates/Annual%20tax%20return");
    assert_eq!(
        template["groups"][0]["tasks"][0]["documents"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A date chrono cannot read says which format to write.
    let bad_date = http()
        .post(server.url("/api/work"))
        .bearer_auth(&token)
        .json(
            &json!({ "template": "Annual tax return", "start_date": "04/01/2027",
            "contacts": ["ann@archer-consulting.example"] }),
        )
        .send()
        .unwrap();
    assert_eq!(bad_date.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = bad_date.text().unwrap();
    assert!(
        said.contains("start_date") && said.contains("write dates as YYYY-MM-DD"),
        "{said}"
    );

    // Work made from the template carries the document on the same task, for its client.
    let create = |contact: &str| -> String {
        let made = http()
            .post(server.url("/api/work"))
            .bearer_auth(&token)
            .json(
                &json!({ "template": "Annual tax return", "start_date": "2027-01-04",
                "contacts": [contact] }),
            )
            .send()
            .unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
        made.json::<Value>().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = create("ann@archer-consulting.example");
    let (_, files) = get(&server, &token, &format!("/api/work/{first}/files"));
    assert_eq!(files.as_array().unwrap().len(), 1, "{files}");
    assert_eq!(files[0]["name"], "Engagement letter.pdf");
    assert_eq!(files[0]["task"], json!([0, 0]));
    let download = http()
        .get(server.url(&format!(
            "/api/work/{first}/files/{}",
            files[0]["id"].as_str().unwrap()
        )))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(download.bytes().unwrap().to_vec(), letter);

    // Removing it from the template leaves work already made as it was.
    let removed = http()
        .delete(server.url(&format!("{base}/0")))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(removed.status(), StatusCode::OK);
    let missing = http()
        .delete(server.url(&format!("{base}/0")))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let second = create("carol@chen-design.example");
    let (_, files) = get(&server, &token, &format!("/api/work/{second}/files"));
    assert_eq!(files.as_array().unwrap().len(), 0);
    let (_, files) = get(&server, &token, &format!("/api/work/{first}/files"));
    assert_eq!(files.as_array().unwrap().len(), 1);

    assert!(server.stop().success());
    let check = run_with(support::docket().arg("check").arg("--data").arg(dir.path()));
    assert!(check.status.success(), "{}", stderr(&check));
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

    // The CLI cannot open the folder while the server runs, and says how to back up instead.
    let cli = run_with(
        support::docket()
            .args(["backup", "--out"])
            .arg(dir.path().join("x.backup"))
            .arg("--data")
            .arg(dir.path()),
    );
    assert!(!cli.status.success());
    assert!(stderr(&cli).contains("/api/backup"), "{}", stderr(&cli));

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

/// The served OpenAPI document is valid OpenAPI 3.1 by an independent validator
/// (`openapi-spec-validator`, from PyPI; installed into the target folder when python3 lacks it).
#[test]
fn the_served_openapi_document_passes_an_openapi_3_1_validator() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let document = http()
        .get(server.url("/api/openapi.json"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, &document).unwrap();
    let python = support::python::python_with(
        "openapi_spec_validator",
        "openapi-spec-validator",
        "OPENAPI_VALIDATOR_PYTHON",
    );
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import json, sys\n\
             from openapi_spec_validator import validate\n\
             from openapi_spec_validator.validation import OpenAPIV31SpecValidator\n\
             document = json.load(open(sys.argv[1]))\n\
             assert document['openapi'].startswith('3.1'), document['openapi']\n\
             validate(document, cls=OpenAPIV31SpecValidator)\n\
             print(len(document['paths']), 'paths valid')",
        ])
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "the OpenAPI document is not valid OpenAPI 3.1 (or the validator is missing: python3 -m pip install openapi-spec-validator):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
