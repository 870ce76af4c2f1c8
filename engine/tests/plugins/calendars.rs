//! Stock reminder calendars (gentle, urgent, custom) and the sending rule through their WASM
//! components, daylight-saving changes and the five-reminder cap included; the business-days
//! example's weekends and holidays.

use docket_engine::plugin::{
    FirmCalendar, GroupState, Params, PluginError, SendRequest, TaskState,
};

use super::{calendar, calendar_of, date, group, host, params, utc};

/// Policy, calendar, parameters, group, and the expected `(UTC instant, covered tasks)`.
type CalendarCase<'a> = (
    &'a str,
    &'a FirmCalendar,
    Params,
    GroupState,
    Vec<(&'a str, Vec<usize>)>,
);

#[test]
fn stock_calendars_through_wasm() {
    let london = calendar("Europe/London", "09:00");
    let new_york = calendar("America/New_York", "08:30");
    let early = calendar("Europe/London", "01:30");
    let both = vec![0, 1];
    let cases: Vec<CalendarCase> = vec![
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
/// A group's answer does not depend on the batch it comes in: the scheduler asks about
/// dozens of groups at once, the tools about one (a batch of one), through the same call.
fn a_group_answers_alike_alone_and_in_a_batch() {
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
fn a_batch_decided_group_by_group_is_checked_like_one_group() {
    // The misbehaving guest's `daily-all` answers a batch through the SDK's `each_group`: a
    // reminder the next day covering every task, which breaks the contract once a task is done;
    // the host refuses it alike in a batch and alone.
    let cal = calendar("Europe/London", "09:00");
    let p = params(&[("mode", "daily-all")]);
    let open = group("2026-03-01T10:00:00Z", &["2026-03-27", "2026-03-28"]);
    let mut with_done = group("2026-03-02T10:00:00Z", &["2026-03-27", "2026-03-28"]);
    with_done.tasks[1].done = true;
    let now = open.sent_at;
    let mut last = open.clone();
    last.last_reminder_at = Some(utc("2026-03-05T09:00:00Z"));
    let fine = [open.clone(), last.clone(), open];
    let batch = host()
        .next_reminders("misbehave", &cal, &p, now, &fine)
        .unwrap();
    for (g, got) in fine.iter().zip(&batch) {
        let single = host().next_reminder("misbehave", &cal, &p, now, g).unwrap();
        assert_eq!(&single, got, "{g:?}");
    }
    assert_eq!(batch[1].as_ref().unwrap().at, utc("2026-03-06T09:00:00Z"));
    let single = host()
        .next_reminder("misbehave", &cal, &p, now, &with_done)
        .unwrap_err();
    let batch = host()
        .next_reminders("misbehave", &cal, &p, now, &[last, with_done])
        .unwrap_err();
    assert!(matches!(batch, PluginError::BadOutput { .. }), "{batch}");
    assert_eq!(batch.to_string(), single.to_string());
    assert!(
        batch
            .to_string()
            .contains("covered index 1 (task 2) is done, in the reminder at 2026-03-03 09:00 GMT"),
        "{batch}"
    );
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
