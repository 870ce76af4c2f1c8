//! `docket plugin ...` through the real binary: the simulated reminder calendar (text and
//! JSON), the listing, and one-line errors.

mod support;

use std::process::Output;

/// Runs `docket --data DATA ARGS` with the shared timeout and a clean environment.
fn docket(data: &std::path::Path, args: &[&str]) -> Output {
    support::run_with(support::docket().arg("--data").arg(data).args(args))
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
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
