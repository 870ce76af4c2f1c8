//! The plugin host end to end: stock reminder calendars run through their WASM components,
//! the business-days example, the sandbox limits, the hook capability gate, and refusal of
//! bad installs.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use docket_engine::config::PluginsConfig;
use docket_engine::plugin::{
    Effect, FirmCalendar, GroupState, HookEvent, HookEventKind, Params, PluginError, PluginHost,
    RecordedEffects, SendRequest, TaskState,
};

const MISBEHAVE: &str = env!("DOCKET_TEST_MISBEHAVE_WASM");
const BUSINESS_DAYS: &str = env!("DOCKET_EXAMPLE_BUSINESS_DAYS_WASM");

/// A host with the stock plugins, the business-days example and the misbehaving guest
/// installed, shared by the tests that only call plugins (compiling is the slow part).
fn host() -> &'static PluginHost {
    static HOST: OnceLock<(tempfile::TempDir, PluginHost)> = OnceLock::new();
    &HOST
        .get_or_init(|| {
            let data = tempfile::tempdir().unwrap();
            let dir = data.path().join("plugins");
            install(
                &dir,
                "business-days",
                BUSINESS_DAYS,
                &std::fs::read_to_string(example_manifest()).unwrap(),
            );
            install(
                &dir,
                "misbehave",
                MISBEHAVE,
                "name = 'misbehave'\nversion = '0.1.0'\nworld = 'reminder-policy'\n",
            );
            let (host, refused) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
            assert!(refused.is_empty(), "{refused:?}");
            (data, host)
        })
        .1
}

fn example_manifest() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/plugins/business-days/business-days.toml")
}

fn install(dir: &Path, name: &str, wasm: &str, manifest: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(wasm, dir.join(format!("{name}.wasm"))).unwrap();
    std::fs::write(dir.join(format!("{name}.toml")), manifest).unwrap();
}

fn calendar(tz: &str, send_time: &str) -> FirmCalendar {
    FirmCalendar {
        tz: tz.parse::<Tz>().unwrap(),
        send_time: NaiveTime::parse_from_str(send_time, "%H:%M").unwrap(),
        holidays: Vec::new(),
    }
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn group(sent: &str, dues: &[&str]) -> GroupState {
    GroupState {
        sent_at: utc(sent),
        last_reminder_at: None,
        tasks: dues
            .iter()
            .map(|d| TaskState {
                due: date(d),
                done: false,
                reminders_sent: 0,
            })
            .collect(),
    }
}

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The previewed calendar as `(UTC instant, covered tasks)`.
fn calendar_of(
    policy: &str,
    cal: &FirmCalendar,
    p: &Params,
    g: GroupState,
) -> Vec<(String, Vec<usize>)> {
    let until = g.sent_at + chrono::Duration::days(400);
    host()
        .preview(policy, cal, p, g, until)
        .unwrap()
        .into_iter()
        .map(|r| (r.at.format("%Y-%m-%dT%H:%MZ").to_string(), r.tasks))
        .collect()
}

#[test]
fn stock_calendars_through_wasm() {
    let london = calendar("Europe/London", "09:00");
    let new_york = calendar("America/New_York", "08:30");
    let early = calendar("Europe/London", "01:30");
    let both = vec![0, 1];
    let cases: Vec<(
        &str,
        &FirmCalendar,
        Params,
        GroupState,
        Vec<(&str, Vec<usize>)>,
    )> = vec![
        // Gentle across the spring change (29 March): 09:00 GMT is 09:00Z, 09:00 BST is 08:00Z.
        (
            "gentle",
            &london,
            params(&[]),
            group("2026-03-01T10:00:00Z", &["2026-03-27"]),
            vec![
                ("2026-03-20T09:00Z", vec![0]),
                ("2026-03-27T09:00Z", vec![0]),
                ("2026-03-28T09:00Z", vec![0]),
                ("2026-03-29T08:00Z", vec![0]),
                ("2026-03-30T08:00Z", vec![0]),
            ],
        ),
        // Two tasks: one reminder covers both when both are due one; each stops at five.
        (
            "gentle",
            &london,
            params(&[]),
            group("2026-04-20T10:00:00Z", &["2026-05-10", "2026-05-17"]),
            vec![
                ("2026-05-03T08:00Z", vec![0]),
                ("2026-05-10T08:00Z", vec![0, 1]),
                ("2026-05-11T08:00Z", vec![0]),
                ("2026-05-12T08:00Z", vec![0]),
                ("2026-05-13T08:00Z", vec![0]),
                ("2026-05-17T08:00Z", vec![1]),
                ("2026-05-18T08:00Z", vec![1]),
                ("2026-05-19T08:00Z", vec![1]),
                ("2026-05-20T08:00Z", vec![1]),
            ],
        ),
        // Urgent: daily from the day after sending, across the autumn change (25 October).
        (
            "urgent",
            &london,
            params(&[]),
            group("2026-10-20T14:00:00Z", &["2026-11-10", "2026-11-12"]),
            vec![
                ("2026-10-21T08:00Z", both.clone()),
                ("2026-10-22T08:00Z", both.clone()),
                ("2026-10-23T08:00Z", both.clone()),
                ("2026-10-24T08:00Z", both.clone()),
                ("2026-10-25T09:00Z", both.clone()),
            ],
        ),
        // Urgent sent before the send time: the same day counts.
        (
            "urgent",
            &london,
            params(&[]),
            group("2026-01-05T07:00:00Z", &["2026-01-06"]),
            vec![
                ("2026-01-05T09:00Z", vec![0]),
                ("2026-01-06T09:00Z", vec![0]),
                ("2026-01-07T09:00Z", vec![0]),
                ("2026-01-08T09:00Z", vec![0]),
                ("2026-01-09T09:00Z", vec![0]),
            ],
        ),
        // Custom: 3 and 1 days before, then every 2 days overdue, in New York (EDT, UTC-4).
        (
            "custom",
            &new_york,
            params(&[("before", "3,1"), ("every", "2")]),
            group("2026-06-01T12:00:00Z", &["2026-06-10"]),
            vec![
                ("2026-06-07T12:30Z", vec![0]),
                ("2026-06-09T12:30Z", vec![0]),
                ("2026-06-12T12:30Z", vec![0]),
                ("2026-06-14T12:30Z", vec![0]),
                ("2026-06-16T12:30Z", vec![0]),
            ],
        ),
        // Custom across New York's spring change (8 March): EST is UTC-5, EDT UTC-4.
        (
            "custom",
            &new_york,
            params(&[("before", "1"), ("every", "3")]),
            group("2026-03-01T12:00:00Z", &["2026-03-05"]),
            vec![
                ("2026-03-04T13:30Z", vec![0]),
                ("2026-03-08T12:30Z", vec![0]),
                ("2026-03-11T12:30Z", vec![0]),
                ("2026-03-14T12:30Z", vec![0]),
                ("2026-03-17T12:30Z", vec![0]),
            ],
        ),
        // A send time inside the spring-forward gap goes out at the first valid instant after
        // it (02:00 BST = 01:00Z); in the autumn overlap at the first of the two 01:30s.
        (
            "urgent",
            &early,
            params(&[]),
            group("2026-03-27T12:00:00Z", &["2026-04-30"]),
            vec![
                ("2026-03-28T01:30Z", vec![0]),
                ("2026-03-29T01:00Z", vec![0]),
                ("2026-03-30T00:30Z", vec![0]),
                ("2026-03-31T00:30Z", vec![0]),
                ("2026-04-01T00:30Z", vec![0]),
            ],
        ),
        (
            "urgent",
            &early,
            params(&[]),
            group("2026-10-22T12:00:00Z", &["2026-11-30"]),
            vec![
                ("2026-10-23T00:30Z", vec![0]),
                ("2026-10-24T00:30Z", vec![0]),
                ("2026-10-25T00:30Z", vec![0]),
                ("2026-10-26T01:30Z", vec![0]),
                ("2026-10-27T01:30Z", vec![0]),
            ],
        ),
    ];
    for (policy, cal, p, g, want) in cases {
        let label = format!(
            "{policy} {p:?} sent {} dues {:?}",
            g.sent_at,
            g.tasks.iter().map(|t| t.due).collect::<Vec<_>>()
        );
        let want: Vec<(String, Vec<usize>)> =
            want.into_iter().map(|(a, t)| (a.to_string(), t)).collect();
        assert_eq!(calendar_of(policy, cal, &p, g), want, "{label}");
    }
}

#[test]
fn done_tasks_and_capped_tasks_get_no_reminder() {
    let cal = calendar("Europe/London", "09:00");
    let now = utc("2026-05-01T10:00:00Z");
    let mut g = group(
        "2026-04-01T10:00:00Z",
        &["2026-04-10", "2026-04-12", "2026-04-20"],
    );
    g.tasks[0].done = true;
    g.tasks[1].reminders_sent = 5;
    let next = host()
        .next_reminder("gentle", &cal, &Params::new(), now, &g)
        .unwrap()
        .unwrap();
    assert_eq!(next.tasks, vec![2]);
    g.tasks[2].done = true;
    assert_eq!(
        host()
            .next_reminder("gentle", &cal, &Params::new(), now, &g)
            .unwrap(),
        None
    );
}

#[test]
fn a_batch_answers_like_single_calls() {
    let cal = calendar("Europe/Paris", "10:15");
    let now = utc("2026-02-01T00:00:00Z");
    let mut groups = Vec::new();
    for i in 0..60u32 {
        let sent = utc("2026-01-01T08:00:00Z") + chrono::Duration::hours(i64::from(i * 13));
        let tasks = (0..(i % 5))
            .map(|t| TaskState {
                due: date("2026-01-10") + chrono::Duration::days(i64::from((i * 7 + t * 11) % 40)),
                done: (i + t) % 4 == 0,
                reminders_sent: ((i + t) % 7) as u8,
            })
            .collect();
        let last_reminder_at = (i % 3 == 0).then(|| sent + chrono::Duration::days(2));
        groups.push(GroupState {
            sent_at: sent,
            last_reminder_at,
            tasks,
        });
    }
    for policy in ["gentle", "urgent", "custom", "business-days"] {
        let batch = host()
            .next_reminders(policy, &cal, &Params::new(), now, &groups)
            .unwrap();
        assert_eq!(batch.len(), groups.len());
        let mut some = 0;
        for (g, got) in groups.iter().zip(&batch) {
            let single = host()
                .next_reminder(policy, &cal, &Params::new(), now, g)
                .unwrap();
            assert_eq!(&single, got, "{policy} {g:?}");
            some += usize::from(got.is_some());
        }
        assert!(
            some > 10,
            "{policy}: only {some} groups have a reminder; the table is too thin"
        );
    }
}

#[test]
fn business_days_skip_weekends_and_holidays() {
    // 25 December 2026 is a Friday; the firm also closes Monday 28 December.
    let mut cal = calendar("Europe/London", "09:00");
    cal.holidays = vec![date("2026-12-28")];
    let p = params(&[("holidays", "2026-12-25")]);
    // Gentle would say Sat 19 Dec, Sat 26 Dec (due), then daily; each moves to a business day.
    let got = calendar_of(
        "business-days",
        &cal,
        &p,
        group("2026-12-01T10:00:00Z", &["2026-12-26"]),
    );
    let days: Vec<&str> = got.iter().map(|(at, _)| &at[..10]).collect();
    assert_eq!(
        days,
        [
            "2026-12-21",
            "2026-12-29",
            "2026-12-30",
            "2026-12-31",
            "2027-01-01"
        ]
    );

    // Urgent over two weeks: never a Saturday, Sunday or listed holiday, and five in all.
    let p = params(&[("preset", "urgent"), ("holidays", "2026-12-25")]);
    let got = calendar_of(
        "business-days",
        &cal,
        &p,
        group("2026-12-18T10:00:00Z", &["2027-01-31"]),
    );
    assert_eq!(got.len(), 5);
    for (at, _) in &got {
        let day = date(&at[..10]);
        let weekday = chrono::Datelike::weekday(&day);
        assert!(
            !matches!(weekday, chrono::Weekday::Sat | chrono::Weekday::Sun),
            "{at} is a weekend"
        );
        assert!(
            day != date("2026-12-25") && day != date("2026-12-28"),
            "{at} is a holiday"
        );
    }
    assert_eq!(&got[0].0[..10], "2026-12-21");
}

#[test]
fn sending_rule_through_wasm() {
    let cal = calendar("Europe/London", "09:00");
    let now = utc("2026-03-01T00:00:00Z");
    let request = SendRequest {
        start: date("2026-04-10"),
        first_due: Some(date("2026-04-30")),
        task_count: 3,
    };
    let at =
        |days: &str| host().send_at("relative", &cal, &params(&[("days", days)]), now, &request);
    assert_eq!(at("-7").unwrap(), Some(utc("2026-04-03T08:00:00Z")));
    assert_eq!(at("0").unwrap(), Some(utc("2026-04-10T08:00:00Z")));
    assert_eq!(at("manual").unwrap(), None);
    let err = at("soon").unwrap_err();
    assert!(matches!(err, PluginError::Refused { .. }), "{err}");
    assert!(err.to_string().contains("days: `soon`"), "{err}");
    let wrong = host()
        .send_at("gentle", &cal, &Params::new(), now, &request)
        .unwrap_err();
    assert!(matches!(wrong, PluginError::WrongKind { .. }), "{wrong}");
}

/// Runs the misbehaving guest in `mode` while another thread keeps calling a healthy policy;
/// returns the error, how long it took, and how many healthy calls succeeded meanwhile.
fn misbehave(mode: &str) -> (PluginError, Duration, usize) {
    let cal = calendar("Europe/London", "09:00");
    let g = group("2026-03-01T10:00:00Z", &["2026-03-27"]);
    let stop = AtomicBool::new(false);
    let healthy = AtomicUsize::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let next = host()
                    .next_reminder("gentle", &cal, &Params::new(), g.sent_at, &g)
                    .unwrap();
                assert!(next.is_some());
                healthy.fetch_add(1, Ordering::Relaxed);
            }
        });
        // Let the healthy thread get going, so it is mid-flight when the guest misbehaves.
        while healthy.load(Ordering::Relaxed) == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        let before = healthy.load(Ordering::Relaxed);
        let started = Instant::now();
        let err = host()
            .next_reminder("misbehave", &cal, &params(&[("mode", mode)]), g.sent_at, &g)
            .unwrap_err();
        let took = started.elapsed();
        std::thread::sleep(Duration::from_millis(20));
        stop.store(true, Ordering::Relaxed);
        (err, took, healthy.load(Ordering::Relaxed) - before)
    })
}

#[test]
fn misbehaving_guests_are_stopped_within_100ms_while_others_go_on() {
    let cases: [(&str, fn(&PluginError) -> bool, &str); 4] = [
        (
            "loop",
            |e| matches!(e, PluginError::Timeout { ms: 50, .. }),
            "ran past its 50 ms budget",
        ),
        (
            "memory",
            |e| matches!(e, PluginError::MemoryLimit { mib: 32, .. }),
            "more than 32 MiB",
        ),
        (
            "recurse",
            |e| matches!(e, PluginError::Trap { .. }),
            "runaway recursion",
        ),
        (
            "trap",
            |e| matches!(e, PluginError::Trap { .. }),
            "it panicked",
        ),
    ];
    for (mode, is_expected, text) in cases {
        let (err, took, healthy) = misbehave(mode);
        let message = err.to_string();
        assert!(is_expected(&err), "{mode}: {message}");
        assert!(
            message.contains("plugin `misbehave`") && message.contains(text),
            "{mode}: {message}"
        );
        assert!(!message.contains('\n'), "{mode}: not one line: {message}");
        assert!(
            took < Duration::from_millis(100),
            "{mode}: stopped after {took:?}"
        );
        assert!(
            healthy > 0,
            "{mode}: the healthy plugin made no progress meanwhile"
        );
    }
    // The misbehaving plugin itself still answers calls that do not misbehave.
    let cal = calendar("Europe/London", "09:00");
    let g = group("2026-03-01T10:00:00Z", &["2026-03-27"]);
    assert_eq!(
        host()
            .next_reminder("misbehave", &cal, &Params::new(), g.sent_at, &g)
            .unwrap(),
        None
    );
}

#[test]
fn a_session_recovers_after_a_trap() {
    let cal = calendar("Europe/London", "09:00");
    let g = group("2026-03-01T10:00:00Z", &["2026-03-27"]);
    let mut session = host().reminder_session("misbehave").unwrap();
    let trap = params(&[("mode", "trap")]);
    assert!(matches!(
        session.next_reminder(&cal, &trap, g.sent_at, &g),
        Err(PluginError::Trap { .. })
    ));
    // The trapped instance is gone; the next call gets a fresh one.
    assert_eq!(
        session
            .next_reminder(&cal, &Params::new(), g.sent_at, &g)
            .unwrap(),
        None
    );
}

fn event(kind: HookEventKind) -> HookEvent {
    HookEvent {
        kind,
        at: utc("2026-05-01T10:00:00Z"),
        work_id: "W1".into(),
        work_title: "Tax return 2025".into(),
        group_name: "Documents".into(),
        contact_email: "client@example.com".into(),
        staff_emails: vec!["ann@firm.example".into(), "bob@firm.example".into()],
    }
}

fn hook_host(grants: &[(&str, &[&str])]) -> (tempfile::TempDir, PluginHost) {
    let data = tempfile::tempdir().unwrap();
    let config = PluginsConfig {
        grants: grants
            .iter()
            .map(|(name, caps)| {
                (
                    name.to_string(),
                    caps.iter().map(|c| c.to_string()).collect(),
                )
            })
            .collect::<BTreeMap<_, _>>(),
        ..PluginsConfig::default()
    };
    let (host, refused) = PluginHost::open(&config, data.path()).unwrap();
    assert!(refused.is_empty(), "{refused:?}");
    (data, host)
}

#[test]
fn a_hook_without_the_http_capability_cannot_post() {
    let url = params(&[("url", "https://hooks.example.com/docket")]);
    let done = event(HookEventKind::AllTasksCompleted);

    let mut effects = RecordedEffects::default();
    let err = host()
        .deliver("webhook", &url, &done, &mut effects)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("capability `http:hooks.example.com` is not granted"),
        "{err}"
    );
    assert!(effects.applied.is_empty(), "{effects:?}");

    let (_data, other) = hook_host(&[("webhook", &["http:other.example.com"])]);
    let err = other
        .deliver("webhook", &url, &done, &mut effects)
        .unwrap_err();
    assert!(err.to_string().contains("not granted"), "{err}");
    assert!(effects.applied.is_empty(), "{effects:?}");

    let (_data, granted) = hook_host(&[("webhook", &["http:hooks.example.com"])]);
    assert_eq!(
        granted
            .deliver("webhook", &url, &done, &mut effects)
            .unwrap(),
        1
    );
    let [(plugin, Effect::HttpPost { url, body, .. })] = effects.applied.as_slice() else {
        panic!("expected one POST, got {effects:?}");
    };
    assert_eq!(
        (plugin.as_str(), url.as_str()),
        ("webhook", "https://hooks.example.com/docket")
    );
    assert!(
        body.contains("\"event\":\"all-tasks-completed\"") && body.contains("\"work_id\":\"W1\""),
        "{body}"
    );
}

#[test]
fn stock_hooks_email_staff_and_set_status() {
    let mut effects = RecordedEffects::default();
    let n = host()
        .deliver(
            "email-staff",
            &Params::new(),
            &event(HookEventKind::CommentAdded {
                text: "Sent!".into(),
            }),
            &mut effects,
        )
        .unwrap();
    assert_eq!(n, 2);
    let to: Vec<&str> = effects
        .applied
        .iter()
        .filter_map(|(_, e)| match e {
            Effect::SendEmail { to, subject, .. } if subject.contains("new comment: Sent!") => {
                Some(to.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(to, ["ann@firm.example", "bob@firm.example"]);

    // set-status acts on "reminder limit reached" only, by default.
    let mut effects = RecordedEffects::default();
    let comment = event(HookEventKind::CommentAdded { text: "x".into() });
    assert_eq!(
        host()
            .deliver("set-status", &Params::new(), &comment, &mut effects)
            .unwrap(),
        0
    );
    let limit = event(HookEventKind::ReminderLimitReached {
        title: "Bank statements".into(),
    });
    assert_eq!(
        host()
            .deliver("set-status", &Params::new(), &limit, &mut effects)
            .unwrap(),
        1
    );
    assert_eq!(
        effects.applied,
        vec![(
            "set-status".to_string(),
            Effect::SetWorkStatus {
                work_id: "W1".into(),
                status: "waiting-on-staff".into()
            }
        )]
    );
}

#[test]
fn bad_installs_are_refused_with_one_line_and_the_rest_load() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("plugins");
    let manifest = |name: &str, world: &str| {
        format!("name = '{name}'\nversion = '1.0.0'\nworld = '{world}'\n")
    };
    install(
        &dir,
        "business-days",
        BUSINESS_DAYS,
        &std::fs::read_to_string(example_manifest()).unwrap(),
    );
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("garbage.wasm"),
        b"\0asm\x0d\0\x01\0this is not a component",
    )
    .unwrap();
    std::fs::write(
        dir.join("garbage.toml"),
        manifest("garbage", "reminder-policy"),
    )
    .unwrap();
    install(
        &dir,
        "wrong-world",
        env!("DOCKET_STOCK_SENDING_WASM"),
        &manifest("wrong-world", "reminder-policy"),
    );
    install(
        &dir,
        "bad-manifest",
        BUSINESS_DAYS,
        "name = 'bad-manifest'\nversion = '1'\nworld = 'reminder-policy'\ncolour = 'red'\n",
    );
    install(
        &dir,
        "greedy",
        env!("DOCKET_STOCK_HOOKS_WASM"),
        &format!(
            "{}capabilities = ['http:*']\n",
            manifest("greedy", "notification-hook")
        ),
    );
    std::fs::write(dir.join("lonely.wasm"), b"").unwrap();

    let (host, refused) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
    let mut lines: Vec<String> = refused.iter().map(|r| r.to_string()).collect();
    lines.sort();
    let expect = [
        (
            "bad-manifest.toml",
            "bad manifest: line 4: unknown field `colour`",
        ),
        ("garbage.wasm", "not a WebAssembly component"),
        (
            "greedy.toml",
            "asks for capability `http:*`, which the firm has not granted",
        ),
        ("lonely.wasm", "no manifest beside it"),
        ("wrong-world.wasm", "does not match world `reminder-policy`"),
    ];
    assert_eq!(lines.len(), expect.len(), "{lines:#?}");
    for (line, (file, reason)) in lines.iter().zip(expect) {
        assert!(
            line.contains(file) && line.contains(reason),
            "{line:?} should name {file} and say {reason}"
        );
        assert!(!line.contains('\n'), "not one line: {line:?}");
    }
    let names: Vec<&str> = host.plugins().map(|p| p.name.as_str()).collect();
    assert!(
        names.contains(&"business-days") && names.contains(&"gentle"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"garbage") && !names.contains(&"wrong-world"),
        "{names:?}"
    );
}

#[test]
fn compiled_components_are_cached_and_damaged_artifacts_recompiled() {
    let data = tempfile::tempdir().unwrap();
    let (first, _) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
    drop(first);
    let cache = data.path().join("plugin-cache");
    let mut files: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    // Damage one artifact: it must be refused by its checksum and rewritten, not loaded.
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&files[0], &bytes).unwrap();
    let (host, _) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
    assert_ne!(std::fs::read(&files[0]).unwrap(), bytes);
    let cal = calendar("Europe/London", "09:00");
    let g = group("2026-03-01T10:00:00Z", &["2026-03-27"]);
    assert!(
        host.next_reminder("gentle", &cal, &Params::new(), g.sent_at, &g)
            .unwrap()
            .is_some()
    );
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    assert!(
        host.next_reminder("urgent", &cal, &Params::new(), now, &g)
            .unwrap()
            .is_some()
    );
}
