//! `docket plugin simulate`: the calendar in text and JSON, to its end or the days asked for,
//! the firm's calendar from the configuration or the data folder, the send schedule and
//! holidays, tasks done along the way and a breach that ends it.

use super::*;

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
            "end: stops at the end of the period previewed (2026-03-31 01:00 BST); the next reminder would go out 2026-04-03 09:00 BST",
        ]
    );
    // Without `--days`, the whole calendar: task 2's five reminders too, then why it ends.
    let text = stdout(&docket(
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
        ],
    ));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 11, "{text}");
    assert_eq!(
        lines[9],
        "2026-04-13 09:00 BST  reminder 10  tasks 2 (due 2026-04-10)  [limit of 5 reached: task 2]"
    );
    assert_eq!(
        lines[10],
        "end: no more reminders: every open task has had 5, the most until the group is resent"
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
            "2026-03-10 09:00 GMT  reminder 1  tasks 1 (due 2026-03-10)  held from Sat 7 Mar 09:00 (the weekend, then a holiday)",
            "2026-03-12 09:00 GMT  reminder 2  tasks 1 (due 2026-03-10)",
            "2026-03-13 09:00 GMT  reminder 3  tasks 3 (due 2026-03-16)",
            "2026-03-16 09:00 GMT  reminder 4  tasks 1 (due 2026-03-10), 3 (due 2026-03-16)  held from Sat 14 Mar 09:00 (the weekend)",
            "2026-03-17 09:00 GMT  reminder 5  tasks 2 (due 2026-03-20)",
            "2026-03-18 09:00 GMT  reminder 6  tasks 1 (due 2026-03-10), 3 (due 2026-03-16)",
            "2026-03-19 09:00 GMT  reminder 7  tasks 2 (due 2026-03-20)",
            "2026-03-20 09:00 GMT  reminder 8  tasks 1 (due 2026-03-10), 3 (due 2026-03-16)  [limit of 5 reached: task 1]",
            "2026-03-23 09:00 GMT  reminder 9  tasks 2 (due 2026-03-20), 3 (due 2026-03-16)  [limit of 5 reached: task 3]  held from Sun 22 Mar 09:00 (the weekend)",
            "2026-03-24 09:00 GMT  reminder 10  tasks 2 (due 2026-03-20)",
            // `--days 24` stops it, and the last line says what the next would have been.
            "end: stops at the end of the period previewed (2026-03-26 08:00 GMT); the next reminder would go out 2026-03-26 09:00 GMT",
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

    // A send time that is not a time of the schedule is refused, as everywhere else.
    let at_ten: Vec<&str> = base
        .iter()
        .map(|a| if *a == "09:00" { "10:00" } else { a })
        .collect();
    let out = docket(
        data.path(),
        &[&at_ten[..], &["--send-schedule", "0 9 * * MON-FRI"][..]].concat(),
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("--send-time 10:00 with --send-schedule `0 9 * * MON-FRI`: the send time 10:00 is not a time the send schedule `0 9 * * MON-FRI` sends at (09:00)"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");

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

    // A task done after the days asked for is not shown: nothing after them is.
    let short: Vec<&str> = base
        .iter()
        .map(|a| if *a == "45" { "10" } else { a })
        .collect();
    let text = stdout(&docket(
        data.path(),
        &[
            &short[..],
            &["--policy", "gentle", "--done", "1@2026-03-28"][..],
        ]
        .concat(),
    ));
    assert!(!text.contains("done"), "{text}");
    assert!(
        text.starts_with("no reminders\nend: stops at the end of the period previewed"),
        "{text}"
    );

    // A policy that reminds of every task daily breaks the contract once task 1 is done; the
    // reminders before the breach are shown, and the breach names the task as the calendar
    // does, in local time.
    let manifest = data.path().join("misbehave.toml");
    std::fs::write(
        &manifest,
        "name = 'misbehave'\nversion = '1.0.0'\nworld = 'reminder-policy'\n[params]\nmode = 'daily-all'\n",
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

    // While a server holds the folder: the same stored settings, read through its admin socket.
    let stopped = stdout(&out);
    let server = support::Server::start(&data, &[]);
    let out = docket(&data, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), stopped);
    assert!(
        stderr(&out).contains("stored in the data folder"),
        "{}",
        stderr(&out)
    );
    server.stop();
}
