//! Plugins on a running `docket serve`, through its API: the plugins served with what each is
//! granted, the plugin files refused with the reason (and no longer once deleted), and grants
//! changed by an admin applied at once — a webhook subscribed to comments posts only while its
//! host is granted, with no restart between.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::support;

/// A guest component built by `engine/build.rs` (the engine is built before these tests run).
fn guest(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/wasm-plugins/wasm32-wasip2/release")
        .join(file)
}

/// Records the path of every request it gets on 127.0.0.1, answering 200.
fn recorder() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            keep.lock()
                .unwrap()
                .push(first.split_whitespace().nth(1).unwrap_or("").to_string());
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        }
    });
    (port, seen)
}

fn api(server: &support::Server, token: &str, method: &str, path: &str, body: Value) -> Value {
    let client = support::http();
    let request = match method {
        "PUT" => client.put(server.url(path)).json(&body),
        "POST" => client.post(server.url(path)).json(&body),
        _ => client.get(server.url(path)),
    };
    let response = request.bearer_auth(token).send().unwrap();
    let status = response.status();
    let answer: Value = response.json().unwrap();
    assert!(status.is_success(), "{method} {path}: {status} {answer}");
    answer
}

fn plugin<'a>(served: &'a Value, name: &str) -> &'a Value {
    served["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {served}"))
}

#[test]
fn the_api_lists_the_plugins_served_and_the_files_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    let served = api(&server, &token, "GET", "/api/plugins", Value::Null);
    let relative = plugin(&served, "relative");
    assert_eq!(relative["world"], "sending-rule");
    assert_eq!(relative["contract"], "0.2.0");
    assert!(relative["granted"].is_array(), "{relative}");
    assert_eq!(served["refused"], json!([]));
    // Only the parameters a template may set are shown: a stock plugin's internal ones, which
    // make the shared component this plugin, are not.
    assert_eq!(plugin(&served, "gentle")["params"], json!({}));
    assert_eq!(
        plugin(&served, "custom")["params"],
        json!({"before": "7,3,1", "every": "2"})
    );
    assert_eq!(plugin(&served, "email-staff")["params"], json!({}));
    assert_eq!(
        plugin(&served, "set-status")["params"],
        json!({"status": "in-progress", "on": "reminder-limit-reached"})
    );

    // A file dropped into the folder that is no component is refused with the reason, and the
    // listing says so within the folder's next look.
    let plugins = dir.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::write(plugins.join("broken.wasm"), b"def next_reminders(): pass\n").unwrap();
    std::fs::write(
        plugins.join("broken.toml"),
        "name = 'broken'\nversion = '0.1.0'\nworld = 'reminder-policy'\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let refused = loop {
        let served = api(&server, &token, "GET", "/api/plugins", Value::Null);
        if let Some(r) = served["refused"].as_array().unwrap().first() {
            break r.clone();
        }
        assert!(Instant::now() < deadline, "never refused: {served}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(refused["name"], "broken");
    assert!(
        refused["file"].as_str().unwrap().ends_with("broken.wasm"),
        "{refused}"
    );
    let reason = refused["reason"].as_str().unwrap();
    assert!(
        reason.contains("not a WebAssembly component") && reason.contains("cargo build"),
        "{reason}"
    );
    assert_eq!(refused["serving_earlier"], false);

    // Its files deleted, it is no longer listed, as the guide says.
    std::fs::remove_file(plugins.join("broken.wasm")).unwrap();
    std::fs::remove_file(plugins.join("broken.toml")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let served = api(&server, &token, "GET", "/api/plugins", Value::Null);
        if served["refused"] == json!([]) {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {served}");
        std::thread::sleep(Duration::from_millis(200));
    }
    server.stop();
}

#[test]
fn a_grant_changed_through_the_api_applies_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (port, posted) = recorder();
    let config = dir.path().join("docket.toml");
    std::fs::write(
        &config,
        format!(
            "[[hooks]]\nplugin = \"webhook\"\nevents = [\"comment-added\"]\nparams = {{ url = \"http://127.0.0.1:{port}/hook\" }}\n"
        ),
    )
    .unwrap();
    // A hook that asks for a capability the firm has not granted is refused until it is.
    let plugins = dir.path().join("data/plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(
        guest("docket_test_misbehave_hook.wasm"),
        plugins.join("tell-staff.wasm"),
    )
    .unwrap();
    std::fs::write(
        plugins.join("tell-staff.toml"),
        "name = 'tell-staff'\nversion = '0.1.0'\nworld = 'notification-hook'\ncapabilities = ['notify-staff']\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    // The webhook is granted no host yet: the server starts anyway, for an admin to grant it.
    let server = support::Server::start(&data, &["--demo", "--config", config.to_str().unwrap()]);
    let token = server.banner_value("API token:").unwrap();
    let work = api(&server, &token, "GET", "/api/work", Value::Null);
    let id = work[0]["id"].as_str().unwrap().to_string();
    let comment = |text: &str| {
        api(
            &server,
            &token,
            "POST",
            &format!("/api/work/{id}/comments"),
            json!({ "body": text }),
        );
    };
    let wait_for = |count: usize| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while posted.lock().unwrap().len() < count {
            assert!(Instant::now() < deadline, "{:?}", posted.lock().unwrap());
            std::thread::sleep(Duration::from_millis(100));
        }
    };

    let served = api(&server, &token, "GET", "/api/plugins", Value::Null);
    assert_eq!(plugin(&served, "webhook")["granted"], json!([]));
    let refused = &served["refused"][0];
    assert_eq!(refused["name"], "tell-staff");
    assert_eq!(refused["needs_grant"], "notify-staff");

    // Without its host, the webhook's post is denied: nothing arrives.
    comment("before the grant");
    std::thread::sleep(Duration::from_secs(3));
    assert!(posted.lock().unwrap().is_empty());

    let served = api(
        &server,
        &token,
        "PUT",
        "/api/plugins/webhook/grants",
        json!({ "grants": ["http:127.0.0.1"] }),
    );
    assert_eq!(
        plugin(&served, "webhook")["granted"],
        json!(["http:127.0.0.1"])
    );
    assert_eq!(plugin(&served, "webhook")["grants_pinned"], false);
    comment("after the grant");
    wait_for(1);
    assert_eq!(posted.lock().unwrap()[0], "/hook");

    // Granted its capability, the refused hook is served at once.
    let served = api(
        &server,
        &token,
        "PUT",
        "/api/plugins/tell-staff/grants",
        json!({ "grants": ["notify-staff"] }),
    );
    assert_eq!(
        plugin(&served, "tell-staff")["granted"],
        json!(["notify-staff"])
    );
    assert_eq!(served["refused"], json!([]));

    // Taken back, the webhook posts no more.
    api(
        &server,
        &token,
        "PUT",
        "/api/plugins/webhook/grants",
        json!({ "grants": [] }),
    );
    comment("after the grant was taken back");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        posted.lock().unwrap().len(),
        1,
        "{:?}",
        posted.lock().unwrap()
    );

    // A grant that is no capability is refused with a 422 naming it; nothing changes.
    let bad = support::http()
        .put(server.url("/api/plugins/webhook/grants"))
        .bearer_auth(&token)
        .json(&json!({ "grants": ["files"] }))
        .send()
        .unwrap();
    assert_eq!(bad.status().as_u16(), 422);
    let message = bad.json::<Value>().unwrap()["error"].to_string();
    assert!(message.contains("unknown capability `files`"), "{message}");
    server.stop();

    // Restarted, the server serves the hook an admin granted from the first load: its log
    // never calls it refused on the way.
    let log = Arc::new(Mutex::new(Vec::new()));
    let server =
        support::Server::start_logged(&data, &["--config", config.to_str().unwrap()], log.clone());
    let served = api(&server, &token, "GET", "/api/plugins", Value::Null);
    assert_eq!(served["refused"], json!([]));
    assert_eq!(
        plugin(&served, "tell-staff")["granted"],
        json!(["notify-staff"])
    );
    server.stop();
    let log = log.lock().unwrap();
    assert!(
        !log.iter()
            .any(|l| l.contains("tell-staff") && l.contains("refused")),
        "{log:#?}"
    );
}
