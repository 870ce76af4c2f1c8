//! Plugins on two servers sharing one PostgreSQL database: a plugin installed through one with
//! `docket plugin install` is served by the other within seconds and usable in a template made
//! through it; a new version installed through one replaces it on both, and a plugin removed
//! from one folder goes from both.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::get;
use crate::replicas::on_database;
use crate::support::pg_cluster::Cluster;
use crate::support::{Server, docket, http, run_with, stderr};

/// A guest component built by `engine/build.rs` (the engine is built before these tests run).
fn guest(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/wasm-plugins/wasm32-wasip2/release")
        .join(file)
}

/// The version `server` serves of plugin `name`, if any.
fn served_version(server: &Server, token: &str, name: &str) -> Option<String> {
    let (status, served) = get(server, token, "/api/plugins");
    assert_eq!(status, StatusCode::OK, "{served}");
    served["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| p["version"].as_str().unwrap().to_string())
}

/// Waits up to 30 s until `server` serves `version` of `name` (`None`: serves no such plugin).
fn wait_for_version(server: &Server, token: &str, name: &str, version: Option<&str>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let served = served_version(server, token, name);
        if served.as_deref() == version {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} still serves {name} {served:?}, not {version:?}, 30 s on",
            server.base
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_plugin_installed_through_one_server_is_served_and_reloaded_by_the_other() {
    let db = Cluster::shared().database();
    let dir = tempfile::tempdir().unwrap();
    let (data_a, data_b) = (dir.path().join("a"), dir.path().join("b"));
    let env = on_database(&db.url);
    let a = Server::start_with_env(&data_a, &["--demo"], &env);
    let token = a.banner_value("API token:").expect("the demo's API token");
    let b = Server::start_with_env(&data_b, &[], &env);
    let template = |name: &str| {
        json!({
            "name": name,
            "description": "",
            "groups": [{
                "name": "Docs",
                "reminders": {"plugin": "business-days"},
                "tasks": [{"title": "Bank statements", "due_offset_days": 10}],
            }],
        })
    };
    let make_template = |server: &Server, name: &str| {
        http()
            .post(server.url("/api/templates"))
            .bearer_auth(&token)
            .json(&template(name))
            .send()
            .unwrap()
    };
    // Before: B knows no such plugin.
    assert_eq!(served_version(&b, &token, "business-days"), None);
    let refused = make_template(&b, "Before");
    assert!(refused.status().is_client_error(), "{:?}", refused.text());

    // Installed through A, as an operator installs a plugin on the server they are on.
    let install = |version: &str| {
        let manifest = dir.path().join("business-days.toml");
        std::fs::write(
            &manifest,
            format!(
                "name = \"business-days\"\nversion = \"{version}\"\nworld = \"reminder-policy\"\n\
                 capabilities = []\n[params]\npreset = \"gentle\"\nholidays = \"\"\n"
            ),
        )
        .unwrap();
        let out = run_with(
            docket()
                .arg("plugin")
                .arg("install")
                .arg("--data")
                .arg(&data_a)
                .arg("--manifest")
                .arg(&manifest)
                .arg(guest("business_days.wasm"))
                .envs(env),
        );
        assert!(out.status.success(), "{}", stderr(&out));
    };
    install("0.1.0");
    wait_for_version(&a, &token, "business-days", Some("0.1.0"));
    wait_for_version(&b, &token, "business-days", Some("0.1.0"));
    let made = make_template(&b, "Business days");
    assert_eq!(made.status(), StatusCode::CREATED, "{:?}", made.text());
    let made: Value = made.json().unwrap();
    assert_eq!(made["groups"][0]["reminders"]["plugin"], "business-days");

    // A new version through A replaces it on B, with no restart.
    install("0.2.0");
    wait_for_version(&b, &token, "business-days", Some("0.2.0"));

    // Removing it through A is refused while a template made through B names it (the shared
    // records are read); forced, it goes from both servers.
    let remove = |force: bool| {
        let mut cmd = docket();
        cmd.args(["plugin", "remove", "--data"])
            .arg(&data_a)
            .arg("business-days")
            .envs(env);
        if force {
            cmd.arg("--force");
        }
        run_with(&mut cmd)
    };
    let refused = remove(false);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("Business days"),
        "{}",
        stderr(&refused)
    );
    let removed = remove(true);
    assert!(removed.status.success(), "{}", stderr(&removed));
    wait_for_version(&a, &token, "business-days", None);
    wait_for_version(&b, &token, "business-days", None);
    assert!(!data_b.join("plugins/business-days.wasm").exists());

    assert!(a.stop().success());
    assert!(b.stop().success());
}
