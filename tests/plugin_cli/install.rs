//! `docket plugin list`, `check`, `install` and `remove`: the manifest found and checked, either
//! spelling of a name, refusals explained on one line, install refusing what check refuses and
//! writing only a data folder that is there, and a running server picking up what the folder
//! holds.

use super::*;

#[test]
fn list_shows_stock_plugins_and_errors_are_one_line() {
    let data = tempfile::tempdir().unwrap();
    let list: serde_json::Value =
        serde_json::from_str(&stdout(&docket(data.path(), &["plugin", "list", "--json"]))).unwrap();
    let names: Vec<&str> = list["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for stock in [
        "gentle",
        "urgent",
        "custom",
        "relative",
        "email-staff",
        "webhook",
        "set-status",
    ] {
        assert!(names.contains(&stock), "{stock} missing from {names:?}");
    }
    let out = docket(
        data.path(),
        &[
            "plugin",
            "simulate",
            "--policy",
            "custom",
            "--params",
            "every=soon",
            "--sent",
            "2026-06-01",
            "--due",
            "2026-06-10",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("plugin `custom` refused its input: bad parameter: every: `soon`"),
        "{err}"
    );
}

#[test]
fn check_reads_the_manifest_and_refuses_a_wrong_world() {
    let data = tempfile::tempdir().unwrap();
    let wasm = guest("business_days.wasm");
    let manifest = example_manifest();
    let args = |m: &std::path::Path| {
        vec![
            "plugin".to_string(),
            "check".into(),
            wasm.display().to_string(),
            "--manifest".into(),
            m.display().to_string(),
        ]
    };
    let run = |m: &std::path::Path| {
        let a = args(m);
        docket(
            data.path(),
            &a.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    let ok = stdout(&run(&manifest));
    assert!(ok.contains("declares:     reminder-policy"), "{ok}");
    // The install command it suggests names the manifest, as `install` would not find it.
    assert!(
        ok.contains(&format!(
            "`docket plugin install --data DATA --manifest {} {}`",
            manifest.display(),
            wasm.display()
        )),
        "{ok}"
    );
    assert!(ok.contains("install:      ok"), "{ok}");

    // A manifest naming another world, or the world in snake case, fails `check` itself.
    let text = std::fs::read_to_string(&manifest).unwrap();
    for (world, says) in [
        ("sending-rule", "does not match world `sending-rule`"),
        ("reminder_policy", "did you mean `reminder-policy`?"),
    ] {
        let bad = data.path().join("bad.toml");
        std::fs::write(&bad, text.replace("reminder-policy", world)).unwrap();
        let out = run(&bad);
        assert!(!out.status.success(), "{world} passed check");
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
    // Without a manifest beside the build output, `check` says where it looked.
    let out = docket(data.path(), &["plugin", "check", wasm.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("looked for business-days.toml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn install_runs_every_check_and_writes_only_the_data_folder_named() {
    // A plugin project, as an author has it after building: the component and its manifest.
    let project = tempfile::tempdir().unwrap();
    std::fs::copy(
        guest("business_days.wasm"),
        project.path().join("business_days.wasm"),
    )
    .unwrap();
    std::fs::copy(
        example_manifest(),
        project.path().join("business-days.toml"),
    )
    .unwrap();
    let install = ["plugin", "install", "business_days.wasm"];
    // Without --data, run in the project: refused, and no ./data made there.
    let out = docket(project.path(), &install);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("pass --data DIR, the data folder the server serves"),
        "{err}"
    );
    assert!(!project.path().join("data").exists());
    // A --data that holds no data folder is refused by every plugin command, and not made.
    let typo = project.path().join("dtaa");
    for args in [
        &install[..],
        &["plugin", "remove", "business-days"],
        &["plugin", "list"],
        &["plugin", "check", "business_days.wasm"],
        &["plugin", "test", "business_days.wasm", "cases.toml"],
    ] {
        let out = support::run_with(
            support::docket()
                .current_dir(project.path())
                .arg("--data")
                .arg(&typo)
                .args(args),
        );
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains(&format!("there is no data folder at {}", typo.display())),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!typo.exists(), "{args:?}");
    }
    // The folder of a server on PostgreSQL (its lock, no records) without the database named:
    // the command says to give it the server's storage settings.
    let replica = project.path().join("replica");
    std::fs::create_dir(&replica).unwrap();
    std::fs::write(replica.join("docket.lock"), b"").unwrap();
    for args in [&install[..], &["plugin", "list"]] {
        let out = support::run_with(
            support::docket()
                .current_dir(project.path())
                .arg("--data")
                .arg(&replica)
                .args(args),
        );
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains("is the folder of a server on PostgreSQL"),
            "{args:?}: {}",
            stderr(&out)
        );
    }

    // What check refuses, install refuses: a plugin whose trial call panics with its defaults.
    let data = data_folder();
    let manifest = project.path().join("misbehave.toml");
    std::fs::write(
        &manifest,
        "name = 'misbehave'\nversion = '0.1.0'\nworld = 'reminder-policy'\n[params]\nmode = 'panic'\n",
    )
    .unwrap();
    let wasm = guest("docket_test_misbehave.wasm");
    let args = [
        "plugin",
        "install",
        wasm.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
    ];
    let out = docket(data.path(), &args);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("failed: panic: misbehave was asked to panic")
            && err.contains("nothing was installed"),
        "{err}"
    );
    let plugins = data.path().join("plugins");
    assert!(!plugins.join("misbehave.wasm").exists() && !plugins.join("misbehave.toml").exists());

    // `check` suggests the install command with the data folder it checked against.
    let text = stdout(&docket(
        data.path(),
        &[
            "plugin",
            "check",
            guest("business_days.wasm").to_str().unwrap(),
            "--manifest",
            example_manifest().to_str().unwrap(),
        ],
    ));
    assert!(
        text.contains(&format!(
            "`docket plugin install --data {} --manifest {} {}`",
            data.path().display(),
            example_manifest().display(),
            guest("business_days.wasm").display()
        )),
        "{text}"
    );
}

#[test]
fn either_spelling_installs_and_refusals_are_explained() {
    let data = data_folder();
    let plugins = data.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    // As cargo builds it, beside a manifest named after the crate.
    std::fs::copy(
        guest("business_days.wasm"),
        plugins.join("business_days.wasm"),
    )
    .unwrap();
    std::fs::copy(example_manifest(), plugins.join("business-days.toml")).unwrap();
    // A component of the old contract, with the note `check` gives it.
    std::fs::copy(
        guest("docket_test_contract_0_1.wasm"),
        plugins.join("old.wasm"),
    )
    .unwrap();
    std::fs::write(
        plugins.join("old.toml"),
        "name = 'old'\nversion = '0.1.0'\nworld = 'reminder-policy'\n",
    )
    .unwrap();
    let out = docket(data.path(), &["plugin", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = stdout(&out);
    assert!(list.contains("business-days"), "{list}");
    assert!(
        list.contains("old: contract: docket:plugin@0.1.0, served through an adapter that calls only its batch `next-reminders`"),
        "{list}"
    );

    // A refused plugin: `list` fails after saying why, and `simulate` gives the reason.
    std::fs::write(
        plugins.join("late.toml"),
        "name = 'late'\nversion = '1.0.0'\nworld = 'reminder-policy'\n[limits]\ntimeout_ms = 60000\n",
    )
    .unwrap();
    std::fs::copy(guest("business_days.wasm"), plugins.join("late.wasm")).unwrap();
    let out = docket(data.path(), &["plugin", "list"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("late.toml") && err.contains("plugins.max_timeout_ms"),
        "{err}"
    );
    let out = docket(
        data.path(),
        &[
            "plugin",
            "simulate",
            "--policy",
            "late",
            "--sent",
            "2026-03-01",
            "--due",
            "2026-03-27",
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("plugin `late` is installed but was refused")
            && err.contains("timeout_ms = 60000"),
        "{err}"
    );
}

#[test]
fn a_running_server_picks_up_installed_replaced_and_removed_plugins() {
    let data = tempfile::tempdir().unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let server = support::Server::start_logged(data.path(), &["--demo"], log.clone());
    let token = server
        .banner_value("API token:")
        .expect("the demo prints a token");
    let http = support::http();
    let template = |name: &str| {
        let body = serde_json::json!({
            "name": name,
            "groups": [{
                "name": "Documents",
                "sending": {"plugin": "manual"},
                "reminders": {"plugin": "business-days"},
                "tasks": [{"title": "P60", "due_offset_days": 14}],
            }],
        });
        let resp = http
            .post(server.url("/api/templates"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .unwrap();
        let status = resp.status();
        (status, resp.text().unwrap())
    };
    let (status, body) = template("Before");
    assert_eq!(status, 422, "{body}");

    // Installed while the server runs: it is added and used to check a new template.
    let out = docket(
        data.path(),
        &[
            "plugin",
            "install",
            guest("business_days.wasm").to_str().unwrap(),
            "--manifest",
            example_manifest().to_str().unwrap(),
        ],
    );
    assert!(stdout(&out).starts_with("installed business-days"));
    // Readable by the folder's owner only, whatever the source file's mode.
    for file in ["business-days.wasm", "business-days.toml"] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(data.path().join("plugins").join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    wait_for_log(&log, &["plugin added", "business-days"]);
    let (status, body) = template("With business days");
    assert!(status.is_success(), "{status}: {body}");
    let contacts: serde_json::Value = http
        .get(server.url("/api/contacts"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let email = contacts[0]["email"]
        .as_str()
        .expect("the demo has contacts");
    let work: serde_json::Value = http
        .post(server.url("/api/work"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "template": "With business days",
            "start_date": "2026-04-06",
            "contacts": [email],
        }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let work_id = work["id"].as_str().expect("the work item was created");

    // A new version is served, and recorded on the timeline of the work it now decides for.
    let plugins = data.path().join("plugins");
    let manifest = std::fs::read_to_string(plugins.join("business-days.toml")).unwrap();
    std::fs::write(
        plugins.join("business-days.toml"),
        manifest.replace("version = \"0.1.0\"", "version = \"0.2.0\""),
    )
    .unwrap();
    wait_for_log(&log, &["plugin replaced", "business-days", "0.2.0"]);
    let deadline = std::time::Instant::now() + support::TIMEOUT;
    loop {
        let timeline = http
            .get(server.url(&format!("/api/work/{work_id}/timeline")))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .text()
            .unwrap();
        if timeline.contains("Plugin “business-days” replaced: version 0.1.0 → 0.2.0, now the reminder policy of “Documents”") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{timeline}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // A broken replacement is refused with its reason and the old version goes on serving.
    std::fs::write(
        plugins.join("business-days.wasm"),
        b"\0asm\x0d\0\x01\0broken",
    )
    .unwrap();
    let line = wait_for_log(
        &log,
        &["business-days.wasm", "previous version keeps serving"],
    );
    assert!(line.contains("not a WebAssembly component"), "{line}");
    let (status, body) = template("Still business days");
    assert!(status.is_success(), "{status}: {body}");

    // Removed from the folder: no longer served.
    std::fs::remove_file(plugins.join("business-days.wasm")).unwrap();
    std::fs::remove_file(plugins.join("business-days.toml")).unwrap();
    wait_for_log(&log, &["plugin removed", "business-days"]);
    let (status, body) = template("After");
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("business-days"), "{body}");
    assert!(server.stop().success());
}

#[test]
fn removing_a_plugin_still_named_is_refused_unless_forced() {
    let data = data_folder();
    let wasm = guest("business_days.wasm");
    let manifest = example_manifest();
    let install = || {
        docket(
            data.path(),
            &[
                "plugin",
                "install",
                wasm.to_str().unwrap(),
                "--manifest",
                manifest.to_str().unwrap(),
            ],
        )
    };
    assert!(install().status.success());
    let template = data.path().join("template.toml");
    std::fs::write(
        &template,
        "name = 'Business days'\n[[groups]]\nname = 'Documents'\n\
         sending = { plugin = 'manual' }\nreminders = { plugin = 'business-days' }\n\
         [[groups.tasks]]\ntitle = 'P60'\ndue = 14\n",
    )
    .unwrap();
    let out = docket(
        data.path(),
        &["template", "import", template.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let out = docket(data.path(), &["plugin", "remove", "business-days"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("template “Business days” still names `business-days`"),
        "{}",
        stderr(&out)
    );
    assert!(data.path().join("plugins/business-days.wasm").is_file());
    let out = docket(data.path(), &["plugin", "remove", "gentle"]);
    assert!(
        stderr(&out).contains("is a stock plugin"),
        "{}",
        stderr(&out)
    );

    // While the server holds the data folder it is asked, through its admin socket, which
    // templates and work name the plugin: refused as on the stopped folder unless forced.
    let server = support::Server::start(data.path(), &[]);
    let out = docket(data.path(), &["plugin", "remove", "business-days"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("template “Business days” still names `business-days`"),
        "{err}"
    );
    assert!(err.contains("pass --force"), "{err}");
    assert!(data.path().join("plugins/business-days.wasm").is_file());
    let out = docket(
        data.path(),
        &["plugin", "remove", "business-days", "--force"],
    );
    assert!(stdout(&out).starts_with("removed business-days"));
    assert!(!data.path().join("plugins/business-days.wasm").exists());
    assert!(!data.path().join("plugins/business-days.toml").exists());
    assert!(server.stop().success());
}
