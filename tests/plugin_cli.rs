//! `docket plugin ...` through the real binary: the simulated reminder calendar (text and
//! JSON), the listing, and one-line errors.

mod support;

use std::process::Output;

/// Runs `docket --data DATA ARGS` with the shared timeout and a clean environment. A folder that
/// holds neither records nor plugins is no data folder, which `simulate --data` refuses: there
/// it runs in DATA without `--data`, as an operator without a data folder runs it.
fn docket(data: &std::path::Path, args: &[&str]) -> Output {
    let no_folder = !data.join("db").is_dir() && !data.join("plugins").is_dir();
    if !(no_folder && args.contains(&"simulate")) {
        support::run_with(support::docket().arg("--data").arg(data).args(args))
    } else {
        support::run_with(support::docket().current_dir(data).args(args))
    }
}

#[test]
fn simulate_refuses_a_data_folder_that_is_not_there() {
    let dir = tempfile::tempdir().unwrap();
    let simulate = [
        "plugin",
        "simulate",
        "--policy",
        "gentle",
        "--sent",
        "2026-03-01",
        "--due",
        "2026-03-27",
    ];
    for named in [dir.path().join("nope"), dir.path().to_path_buf()] {
        let out = support::run_with(support::docket().arg("--data").arg(&named).args(simulate));
        assert!(
            !out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let err = stderr(&out);
        assert!(
            err.contains(&format!("there is no data folder at {}", named.display())),
            "{err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(!dir.path().join("nope").exists());
    }
    // Without `--data`, it runs on the configuration's calendar.
    let out = support::run_with(support::docket().current_dir(dir.path()).args(simulate));
    assert!(stdout(&out).contains("reminder 1"), "{}", stdout(&out));
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn simulate_prints_the_calendar_with_the_cap() {
    let data = tempfile::tempdir().unwrap();
    let out = docket(
        data.path(),
        &[
            "plugin",
            "simulate",
            "--policy",
            "gentle",
            "--sent",
            "2026-03-01",
            "--due",
            "2026-03-27",
            "--due",
            "2026-04-10",
            "--tz",
            "Europe/London",
            "--send-time",
            "09:00",
            "--days",
            "30",
        ],
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    // 29 March is the spring change: the zone abbreviation moves from GMT to BST, the local
    // time stays 09:00. Task 1 reaches five reminders on 30 March; task 2's overdue reminders
    // fall after the 30 days previewed.
    assert_eq!(
        lines,
        [
            "2026-03-20 09:00 GMT  reminder 1  tasks 1 (due 2026-03-27)",
            "2026-03-27 09:00 GMT  reminder 2  tasks 1 (due 2026-03-27)",
            "2026-03-28 09:00 GMT  reminder 3  tasks 1 (due 2026-03-27)",
            "2026-03-29 09:00 BST  reminder 4  tasks 1 (due 2026-03-27)",
            "2026-03-30 09:00 BST  reminder 5  tasks 1 (due 2026-03-27)  [limit of 5 reached: task 1]",
        ]
    );
}

#[test]
fn simulate_json_and_params() {
    let data = tempfile::tempdir().unwrap();
    let out = docket(
        data.path(),
        &[
            "plugin",
            "simulate",
            "--policy",
            "custom",
            "--params",
            "before=3,1",
            "every=2",
            "--sent",
            "2026-06-01T12:00",
            "--due",
            "2026-06-10",
            "--tz",
            "America/New_York",
            "--send-time",
            "08:30",
            "--json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let reminders = json["reminders"].as_array().unwrap();
    let local: Vec<&str> = reminders
        .iter()
        .map(|r| r["local"].as_str().unwrap())
        .collect();
    assert_eq!(
        local,
        [
            "2026-06-07T08:30:00-04:00",
            "2026-06-09T08:30:00-04:00",
            "2026-06-12T08:30:00-04:00",
            "2026-06-14T08:30:00-04:00",
            "2026-06-16T08:30:00-04:00",
        ]
    );
    assert_eq!(reminders[4]["capped"], serde_json::json!([1]));
    assert_eq!(json["timezone"], "America/New_York");
}

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
fn simulate_takes_the_firm_calendar_from_config() {
    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("docket.toml");
    std::fs::write(&config, "[firm]\ntimezone = 'Asia/Tokyo'\nsend_time = '08:30'\nholidays = ['2026-05-05', '2026-05-03']\n").unwrap();
    let args = [
        "plugin",
        "simulate",
        "--policy",
        "urgent",
        "--sent",
        "2026-05-01",
        "--due",
        "2026-05-04",
        "--json",
    ];
    let out = docket(
        data.path(),
        &[&["--config", config.to_str().unwrap()][..], &args[..]].concat(),
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["timezone"], "Asia/Tokyo");
    assert_eq!(json["send_time"], "08:30");
    assert_eq!(
        json["holidays"],
        serde_json::json!(["2026-05-03", "2026-05-05"])
    );
    assert_eq!(json["reminders"][0]["local"], "2026-05-01T08:30:00+09:00");
    // No `firm.send_schedule`: every day at the send time, as the server.
    assert_eq!(json["send_schedule"], "30 8 * * *");
    // An explicit --holiday replaces the firm's.
    let out = docket(
        data.path(),
        &[
            &["--config", config.to_str().unwrap()][..],
            &args[..],
            &["--holiday", "2026-05-06"][..],
        ]
        .concat(),
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["holidays"], serde_json::json!(["2026-05-06"]));
}

#[test]
fn simulate_holds_reminders_to_the_send_schedule_and_past_holidays() {
    let data = tempfile::tempdir().unwrap();
    // Weekdays only, Monday 9 March a holiday: the custom calendar's Saturdays and Sundays and
    // the holiday are held to the next weekday, with what fell meanwhile joined in (the same
    // calendar the engine's test compares with a scheduler run).
    let base = [
        "plugin",
        "simulate",
        "--policy",
        "custom",
        "--params",
        "before=3,1",
        "every=2",
        "--sent",
        "2026-03-02T08:00",
        "--due",
        "2026-03-10",
        "--due",
        "2026-03-20",
        "--due",
        "2026-03-16",
        "--tz",
        "Europe/London",
        "--send-time",
        "09:00",
        "--holiday",
        "2026-03-09",
        "--days",
        "24",
    ];
    let out = docket(
        data.path(),
        &[&base[..], &["--send-schedule", "0 9 * * MON-FRI"][..]].concat(),
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "2026-03-10 09:00 GMT  reminder 1  tasks 1 (due 2026-03-10)  held from Sat 7 Mar 09:00 (weekend, holiday)",
            "2026-03-12 09:00 GMT  reminder 2  tasks 1 (due 2026-03-10)",
            "2026-03-13 09:00 GMT  reminder 3  tasks 3 (due 2026-03-16)",
            "2026-03-16 09:00 GMT  reminder 4  tasks 1 (due 2026-03-10), 3 (due 2026-03-16)  held from Sat 14 Mar 09:00 (weekend)",
            "2026-03-17 09:00 GMT  reminder 5  tasks 2 (due 2026-03-20)",
            "2026-03-18 09:00 GMT  reminder 6  tasks 1 (due 2026-03-10), 3 (due 2026-03-16)",
            "2026-03-19 09:00 GMT  reminder 7  tasks 2 (due 2026-03-20)",
            "2026-03-20 09:00 GMT  reminder 8  tasks 1 (due 2026-03-10), 3 (due 2026-03-16)  [limit of 5 reached: task 1]",
            "2026-03-23 09:00 GMT  reminder 9  tasks 2 (due 2026-03-20), 3 (due 2026-03-16)  [limit of 5 reached: task 3]  held from Sun 22 Mar 09:00 (weekend)",
            "2026-03-24 09:00 GMT  reminder 10  tasks 2 (due 2026-03-20)",
        ],
        "{text}"
    );

    // The schedule from the config; `--send-schedule` replaces it.
    let config = data.path().join("docket.toml");
    std::fs::write(
        &config,
        "[firm]
send_schedule = '0 9 * * MON-FRI'
",
    )
    .unwrap();
    let with_config = [&["--config", config.to_str().unwrap()][..], &base[..]].concat();
    let out = docket(data.path(), &[&with_config[..], &["--json"][..]].concat());
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["send_schedule"], "0 9 * * MON-FRI");
    let first = &json["reminders"][0];
    assert_eq!(first["local"], "2026-03-10T09:00:00+00:00");
    assert_eq!(first["held_from"], "2026-03-07T09:00:00+00:00");
    assert_eq!(first["held_because"], "weekend, holiday");
    assert_eq!(json["reminders"][1]["held_from"], serde_json::Value::Null);
    let out = docket(
        data.path(),
        &[
            &with_config[..],
            &["--json", "--send-schedule", "0 9 * * *"][..],
        ]
        .concat(),
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // Every day: Saturday's reminder goes on Saturday; the holiday still holds Monday's.
    let first = &json["reminders"][0];
    assert_eq!(first["local"], "2026-03-07T09:00:00+00:00");
    assert_eq!(first["held_from"], serde_json::Value::Null);
    let second = &json["reminders"][1];
    assert_eq!(second["local"], "2026-03-10T09:00:00+00:00");
    assert_eq!(second["held_because"], "holiday");

    let out = docket(
        data.path(),
        &[&base[..], &["--send-schedule", "0 9 * *"][..]].concat(),
    );
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--send-schedule: `0 9 * *` is not a five-field"),
        "{err}"
    );
}

/// A guest component built by `engine/build.rs` (the engine is built before these tests run).
fn guest(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/wasm-plugins/wasm32-wasip2/release")
        .join(file)
}

fn example_manifest() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/plugins/business-days/business-days.toml")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
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
            "`docket plugin install --manifest {} {}`",
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
fn either_spelling_installs_and_refusals_are_explained() {
    let data = tempfile::tempdir().unwrap();
    let plugins = data.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    // As cargo builds it, beside a manifest named after the crate.
    std::fs::copy(
        guest("business_days.wasm"),
        plugins.join("business_days.wasm"),
    )
    .unwrap();
    std::fs::copy(example_manifest(), plugins.join("business-days.toml")).unwrap();
    let out = docket(data.path(), &["plugin", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("business-days"), "{}", stdout(&out));

    // A refused plugin: `list` fails after saying why, and `simulate` gives the reason.
    std::fs::write(
        plugins.join("late.toml"),
        "name = 'late'\nversion = '1'\nworld = 'reminder-policy'\n[limits]\ntimeout_ms = 60000\n",
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
fn simulate_marks_tasks_done_and_keeps_reminders_before_a_breach() {
    let data = tempfile::tempdir().unwrap();
    let base = [
        "plugin",
        "simulate",
        "--sent",
        "2026-03-01",
        "--due",
        "2026-03-27",
        "--due",
        "2026-04-10",
        "--tz",
        "Europe/London",
        "--send-time",
        "09:00",
        "--days",
        "45",
    ];
    let out = docket(
        data.path(),
        &[
            &base[..],
            &["--policy", "gentle", "--done", "1@2026-03-28"][..],
        ]
        .concat(),
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "2026-03-20 09:00 GMT  reminder 1  tasks 1 (due 2026-03-27)",
            "2026-03-27 09:00 GMT  reminder 2  tasks 1 (due 2026-03-27)",
            "2026-03-28 00:00 GMT  task 1 done",
            "2026-04-03 09:00 BST  reminder 3  tasks 2 (due 2026-04-10)",
        ],
        "{text}"
    );

    // A policy that reminds of every task daily breaks the contract once task 1 is done; the
    // reminders before the breach are shown, and the breach names the task as the calendar
    // does, in local time.
    let manifest = data.path().join("misbehave.toml");
    std::fs::write(
        &manifest,
        "name = 'misbehave'\nversion = '1'\nworld = 'reminder-policy'\n[params]\nmode = 'daily-all'\n",
    )
    .unwrap();
    let wasm = guest("docket_test_misbehave.wasm");
    let out = docket(
        data.path(),
        &[
            &base[..],
            &[
                "--file",
                wasm.to_str().unwrap(),
                "--manifest",
                manifest.to_str().unwrap(),
                "--done",
                "2@2026-03-03T12:00",
            ][..],
        ]
        .concat(),
    );
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "2026-03-02 09:00 GMT  reminder 1  tasks 1 (due 2026-03-27), 2 (due 2026-04-10)",
            "2026-03-03 09:00 GMT  reminder 2  tasks 1 (due 2026-03-27), 2 (due 2026-04-10)",
        ]
    );
    let err = stderr(&out);
    assert!(
        err.contains("the calendar stops after reminder 2")
            && err.contains(
                "covered index 1 (task 2) is done, in the reminder at 2026-03-04 09:00 GMT"
            ),
        "{err}"
    );
}

/// Waits up to the shared timeout for a log line containing every one of `parts`.
fn wait_for_log(log: &std::sync::Mutex<Vec<String>>, parts: &[&str]) -> String {
    let deadline = std::time::Instant::now() + support::TIMEOUT;
    loop {
        if let Some(line) = log
            .lock()
            .unwrap()
            .iter()
            .find(|l| parts.iter().all(|p| l.contains(p)))
        {
            return line.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no log line with {parts:?}; the log:\n{}",
            log.lock().unwrap().join("\n")
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
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
fn the_python_example_builds_checks_and_follows_its_calendar() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let wasm = out.path().join("first_weekday.wasm");
    support::componentize::build_python_example(
        root,
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        &wasm,
    )
    .unwrap();
    let manifest = root.join("examples/plugins/first-weekday/first-weekday.toml");
    let data = tempfile::tempdir().unwrap();
    let wasm = wasm.to_str().unwrap();
    let manifest = manifest.to_str().unwrap();
    let check = stdout(&docket(
        data.path(),
        &["plugin", "check", wasm, "--manifest", manifest],
    ));
    assert!(check.contains("declares:     reminder-policy"), "{check}");
    assert!(check.contains("limits:       1000 ms, 128 MiB"), "{check}");
    assert!(check.contains("load:         compiled in"), "{check}");
    // The second load comes from the cache of compiled components.
    let again = stdout(&docket(
        data.path(),
        &["plugin", "check", wasm, "--manifest", manifest],
    ));
    assert!(
        again.contains("load:         loaded from the cache"),
        "{again}"
    );

    // Sent on Wednesday 4 March: every Monday after it, Tuesday 7 April for the Easter Monday
    // holiday, until task 1 is done and task 2 has had five reminders.
    let out = docket(
        data.path(),
        &["plugin", "install", wasm, "--manifest", manifest],
    );
    assert!(stdout(&out).starts_with("installed first-weekday"));
    let text = stdout(&docket(
        data.path(),
        &[
            "plugin",
            "simulate",
            "--policy",
            "first-weekday",
            "--sent",
            "2026-03-04",
            "--due",
            "2026-03-27",
            "--due",
            "2026-04-10",
            "--tz",
            "Europe/London",
            "--send-time",
            "09:00",
            "--done",
            "1@2026-03-20",
            "--params",
            "holidays=2026-04-06",
            "--days",
            "60",
        ],
    ));
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "2026-03-09 09:00 GMT  reminder 1  tasks 1 (due 2026-03-27), 2 (due 2026-04-10)",
            "2026-03-16 09:00 GMT  reminder 2  tasks 1 (due 2026-03-27), 2 (due 2026-04-10)",
            "2026-03-20 00:00 GMT  task 1 done",
            "2026-03-23 09:00 GMT  reminder 3  tasks 2 (due 2026-04-10)",
            "2026-03-30 09:00 BST  reminder 4  tasks 2 (due 2026-04-10)",
            "2026-04-07 09:00 BST  reminder 5  tasks 2 (due 2026-04-10)  [limit of 5 reached: task 2]",
        ]
    );
    // A parameter it does not know is refused by the Python code, as a parameter error.
    let out = docket(
        data.path(),
        &[
            "plugin",
            "simulate",
            "--policy",
            "first-weekday",
            "--sent",
            "2026-03-04",
            "--due",
            "2026-03-27",
            "--params",
            "every=2",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains("bad parameter: unknown parameter `every`: this plugin takes holidays"),
        "{}",
        stderr(&out)
    );
}

/// Runs a build in `dir` to completion (ten minutes at most: the first Rust build compiles the
/// SDK's dependencies); panics with its output when it fails.
fn build_in(dir: &std::path::Path, program: &str, args: &[&str], env: &[(&str, &std::path::Path)]) {
    let mut cmd = std::process::Command::new(program);
    cmd.current_dir(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = support::run_for(&mut cmd, std::time::Duration::from_secs(600));
    assert!(
        out.status.success(),
        "{program} {args:?} in {} failed:\n{}",
        dir.display(),
        stderr(&out)
    );
}

#[test]
fn new_projects_build_check_and_pass_their_cases_in_each_world_and_language() {
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let componentize_py = support::componentize::componentize_py(tmp).unwrap();
    // One target folder for the Rust projects, kept between runs: the SDK compiles once.
    let rust_target = tmp.join("scaffold-target");
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    for lang in ["rust", "python"] {
        for world in ["reminder-policy", "sending-rule", "notification-hook"] {
            let name = format!("my-{lang}-{world}");
            let dir = work.path().join(&name);
            let out = docket(
                &data,
                &[
                    "plugin",
                    "new",
                    &name,
                    "--world",
                    world,
                    "--lang",
                    lang,
                    "--dir",
                    dir.to_str().unwrap(),
                ],
            );
            assert!(stdout(&out).starts_with(&format!("wrote the {world} plugin `{name}`")));
            let file = name.replace('-', "_");
            let wasm = if lang == "rust" {
                build_in(
                    &dir,
                    "cargo",
                    &[
                        "build",
                        "--release",
                        "--target",
                        "wasm32-wasip2",
                        "--target-dir",
                        rust_target.to_str().unwrap(),
                    ],
                    &[],
                );
                rust_target.join(format!("wasm32-wasip2/release/{file}.wasm"))
            } else {
                build_in(
                    &dir,
                    "sh",
                    &["build.sh"],
                    &[("COMPONENTIZE_PY", &componentize_py)],
                );
                dir.join(format!("{file}.wasm"))
            };
            let manifest = dir.join(format!("{name}.toml"));
            let (wasm, manifest) = (wasm.to_str().unwrap(), manifest.to_str().unwrap());
            let check = stdout(&docket(
                &data,
                &["plugin", "check", wasm, "--manifest", manifest],
            ));
            assert!(check.contains(&format!("declares:     {world}")), "{check}");
            let cases = dir.join("cases.toml");
            let test = stdout(&docket(
                &data,
                &[
                    "plugin",
                    "test",
                    wasm,
                    cases.to_str().unwrap(),
                    "--manifest",
                    manifest,
                ],
            ));
            assert!(
                test.ends_with("2 cases: 2 passed, 0 failed\n"),
                "{name}: {test}"
            );
        }
    }
    // An existing folder is never overwritten.
    let out = docket(
        &data,
        &[
            "plugin",
            "new",
            "again",
            "--world",
            "sending-rule",
            "--dir",
            work.path().join("my-rust-sending-rule").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("already exists and is not empty"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn plugin_test_prints_a_diff_when_a_case_differs() {
    let data = tempfile::tempdir().unwrap();
    let cases = data.path().join("cases.toml");
    std::fs::write(
        &cases,
        "[calendar]\ntimezone = 'Europe/London'\nsend_time = '09:00'\n\n\
         [[case]]\nname = 'gentle before and on the due date'\nsent = '2026-03-01'\n\
         due = ['2026-03-27']\ndays = 27\nparams = { preset = 'gentle' }\n\
         reminders = ['2026-03-20 09:00 tasks 1', '2026-03-26 09:00 tasks 1']\n",
    )
    .unwrap();
    let out = docket(
        data.path(),
        &[
            "plugin",
            "test",
            guest("business_days.wasm").to_str().unwrap(),
            cases.to_str().unwrap(),
            "--manifest",
            example_manifest().to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "FAILED  gentle before and on the due date  (- expected, + answered)",
            "      2026-03-20 09:00 tasks 1",
            "    - 2026-03-26 09:00 tasks 1",
            "    + 2026-03-27 09:00 tasks 1",
            "1 cases: 0 passed, 1 failed",
        ],
        "{text}"
    );
    assert!(
        stderr(&out).contains("1 of 1 cases failed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn removing_a_plugin_still_named_is_refused_unless_forced() {
    let data = tempfile::tempdir().unwrap();
    // A data folder is made by the first `docket serve`.
    assert!(support::Server::start(data.path(), &[]).stop().success());
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
        stderr(&out).contains("template “Business days” still name `business-days`"),
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

    // While the server holds the data folder the check cannot be made: refused unless forced.
    let server = support::Server::start(data.path(), &[]);
    let out = docket(data.path(), &["plugin", "remove", "business-days"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("pass --force"), "{}", stderr(&out));
    let out = docket(
        data.path(),
        &["plugin", "remove", "business-days", "--force"],
    );
    assert!(stdout(&out).starts_with("removed business-days"));
    assert!(!data.path().join("plugins/business-days.wasm").exists());
    assert!(!data.path().join("plugins/business-days.toml").exists());
    assert!(server.stop().success());
}

#[test]
fn simulate_reads_the_firm_calendar_stored_in_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let seeded = dir.path().join("seeded.toml");
    std::fs::write(
        &seeded,
        "[firm]\ntimezone = 'Asia/Tokyo'\nsend_time = '08:30'\nsend_schedule = '30 8 * * MON-FRI'\nholidays = ['2026-05-04']\n",
    )
    .unwrap();
    support::Server::start(&data, &["--config", seeded.to_str().unwrap()]).stop();
    // A later config says otherwise; the folder's settings are what the server follows.
    let later = dir.path().join("later.toml");
    std::fs::write(
        &later,
        "[firm]\ntimezone = 'Europe/London'\nsend_time = '10:00'\n",
    )
    .unwrap();
    let args = [
        "--config",
        later.to_str().unwrap(),
        "plugin",
        "simulate",
        "--policy",
        "urgent",
        "--sent",
        "2026-05-01",
        "--due",
        "2026-05-08",
        "--json",
    ];
    let out = docket(&data, &args);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["timezone"], "Asia/Tokyo");
    assert_eq!(json["send_schedule"], "30 8 * * MON-FRI");
    assert_eq!(json["holidays"], serde_json::json!(["2026-05-04"]));
    assert!(
        json["firm_settings_from"]
            .as_str()
            .unwrap()
            .starts_with("the data folder"),
        "{json}"
    );
    assert!(
        stderr(&out).contains("stored in the data folder"),
        "{}",
        stderr(&out)
    );
    // Friday 1 May, then Tuesday 5 May: the weekend and the Monday holiday are skipped.
    assert_eq!(json["reminders"][0]["local"], "2026-05-01T08:30:00+09:00");
    assert_eq!(json["reminders"][1]["local"], "2026-05-05T08:30:00+09:00");

    // While a server holds the folder: the configuration's, and the note says why.
    let server = support::Server::start(&data, &[]);
    let out = docket(&data, &args);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["timezone"], "Europe/London");
    assert_eq!(json["firm_settings_from"], "the configuration");
    assert!(
        stderr(&out).contains("a running server holds it"),
        "{}",
        stderr(&out)
    );
    server.stop();
}
