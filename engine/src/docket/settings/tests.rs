//! Unit tests of this folder's `mod.rs`.

use super::*;
use crate::docket::test_support::docket_at;

#[test]
fn a_good_change_is_made_and_a_bad_one_changes_nothing() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let before = docket.firm_settings().unwrap();
    let change = SettingsChange {
        name: Some("  Smith & Co ".into()),
        timezone: Some("America/New_York".into()),
        send_time: Some("10:30".into()),
        send_schedule: Some("30 10 * * MON-FRI".into()),
        holidays: Some(vec!["2027-12-25".into(), "2027-01-01".into()]),
        locale: Some(" FR ".into()),
        sub_statuses: Some(BTreeMap::from([(
            "waiting_on_client".into(),
            vec!["chased".into(), " chased ".into(), "".into()],
        )])),
    };
    let after = docket.change_settings(&change).unwrap();
    assert_eq!(after.name, "Smith & Co");
    assert_eq!(after.timezone, chrono_tz::America::New_York);
    assert_eq!(after.send_time.to_string(), "10:30:00");
    assert_eq!(after.send_schedule.as_deref(), Some("30 10 * * MON-FRI"));
    assert_eq!(
        after.holidays,
        ["2027-01-01".parse().unwrap(), "2027-12-25".parse().unwrap()]
    );
    assert_eq!(after.sub_statuses["waiting_on_client"], ["chased"]);
    assert_eq!(after.locale, "fr");
    assert_eq!(docket.firm_settings().unwrap(), after);
    assert_ne!(before, after);

    let bad = SettingsChange {
        name: Some("Other".into()),
        timezone: Some("Mars/Base".into()),
        send_time: Some("25:00".into()),
        send_schedule: Some("whenever".into()),
        holidays: Some(vec!["2027-02-30".into()]),
        locale: Some("klingon".into()),
        sub_statuses: Some(BTreeMap::from([("dreaming".into(), vec!["x".into()])])),
    };
    let errors = docket.try_change_settings(&bad).unwrap().unwrap_err();
    let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "timezone",
            "send_time",
            "send_schedule",
            "holidays",
            "locale",
            "sub_statuses.dreaming"
        ]
    );
    assert_eq!(
        errors[3].message, "2027-02-30 is not a date: February 2027 has 28 days",
        "{errors:?}"
    );
    assert!(
        errors[4].message.contains("`klingon` is not a language")
            && errors[4].message.contains("de (Deutsch)"),
        "{errors:?}"
    );
    assert_eq!(docket.firm_settings().unwrap(), after, "nothing changed");
    let err = docket.change_settings(&bad).unwrap_err().to_string();
    assert!(err.starts_with("timezone: `Mars/Base` is not"), "{err}");
}

#[test]
fn a_send_time_the_schedule_never_sends_at_is_refused_where_it_is_set() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let schedule = |expr: &str| SettingsChange {
        send_schedule: Some(expr.into()),
        ..SettingsChange::default()
    };
    let time = |t: &str| SettingsChange {
        send_time: Some(t.into()),
        ..SettingsChange::default()
    };
    // The default send time is 09:00: a schedule at ten is refused on its own key...
    let errors = docket
        .try_change_settings(&schedule("0 10 * * MON-FRI"))
        .unwrap()
        .unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].key, "send_schedule");
    assert!(errors[0].message.contains("09:00"), "{}", errors[0].message);
    assert!(
        errors[0].message.contains("(10:00)"),
        "{}",
        errors[0].message
    );
    // ...one at nine is taken, and then a send time of ten is refused on its key.
    docket
        .change_settings(&schedule("0 9 * * MON-FRI"))
        .unwrap();
    let errors = docket
        .try_change_settings(&time("10:00"))
        .unwrap()
        .unwrap_err();
    assert_eq!(errors[0].key, "send_time");
    // Both at once, agreeing, are taken; clearing the schedule frees the send time.
    docket
        .change_settings(&SettingsChange {
            send_time: Some("10:00".into()),
            send_schedule: Some("0 10 * * MON-FRI".into()),
            ..SettingsChange::default()
        })
        .unwrap();
    docket.change_settings(&schedule("")).unwrap();
    assert_eq!(
        docket
            .change_settings(&time("16:45"))
            .unwrap()
            .send_time
            .to_string(),
        "16:45:00"
    );
}

#[test]
fn a_configured_schedule_that_disagrees_with_the_stored_send_time_stops_start() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let firm = crate::config::FirmConfig {
        send_schedule: "0 10 * * *".into(),
        explicit: vec!["send_schedule".into()],
        ..crate::config::FirmConfig::default()
    };
    let err = docket
        .apply_config(&firm, "http://localhost:8080")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("`send_time` in the stored settings and `firm.send_schedule` in the configuration disagree: the send time 09:00"),
        "{err}"
    );
    assert_eq!(
        docket.firm_settings().unwrap().send_schedule,
        None,
        "nothing changed"
    );
}

#[test]
fn an_empty_holiday_is_refused_and_an_empty_list_clears_them() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let holidays = |days: &[&str]| SettingsChange {
        holidays: Some(days.iter().map(|d| d.to_string()).collect()),
        ..SettingsChange::default()
    };
    docket.change_settings(&holidays(&["2027-12-25"])).unwrap();
    let errors = docket
        .try_change_settings(&holidays(&[""]))
        .unwrap()
        .unwrap_err();
    assert_eq!(errors[0].key, "holidays");
    assert!(
        errors[0].message.contains("an entry is empty"),
        "{}",
        errors[0].message
    );
    assert_eq!(
        docket.firm_settings().unwrap().holidays.len(),
        1,
        "nothing changed"
    );
    assert!(
        docket
            .change_settings(&holidays(&[]))
            .unwrap()
            .holidays
            .is_empty()
    );
}

#[test]
fn a_key_the_configuration_sets_is_refused_as_such_before_any_other_reason() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    docket
        .change_settings(&SettingsChange {
            send_schedule: Some("0 9 * * MON-FRI".into()),
            ..SettingsChange::default()
        })
        .unwrap();
    docket.pin_settings(&["send_time".into(), "send_schedule".into()]);
    let errors = docket
        .try_change_settings(&SettingsChange {
            send_time: Some("10:00".into()),
            ..SettingsChange::default()
        })
        .unwrap()
        .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, pinned_message("send_time"));
}

#[test]
fn keys_the_configuration_sets_are_not_changed_here() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    docket.pin_settings(&["timezone".into(), "base_url".into()]);
    assert_eq!(docket.pinned_settings(), ["timezone"]);
    let current = docket.firm_settings().unwrap();
    // Sent unchanged (as a form does), it is fine.
    let same = SettingsChange {
        timezone: Some(current.timezone.name().into()),
        name: Some("New name".into()),
        ..SettingsChange::default()
    };
    assert_eq!(docket.change_settings(&same).unwrap().name, "New name");
    let moved = SettingsChange {
        timezone: Some("Asia/Tokyo".into()),
        ..SettingsChange::default()
    };
    let err = docket.change_settings(&moved).unwrap_err().to_string();
    assert!(
        err.contains("set by `firm.timezone` in the configuration (or DOCKET_FIRM_TIMEZONE)"),
        "{err}"
    );
    assert_eq!(docket.firm_settings().unwrap().timezone, current.timezone);
}

#[test]
fn a_sub_status_name_belongs_to_one_status() {
    let (docket, _) = docket_at("2026-03-02T09:00:00Z");
    docket
        .change_settings(
            &SettingsChange::from_key("sub_statuses.waiting_on_client", "chasing").unwrap(),
        )
        .unwrap();
    let before = docket.firm_settings().unwrap();
    let err = docket
        .change_settings(
            &SettingsChange::from_key("sub_statuses.in_progress", "review, chasing").unwrap(),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("sub_statuses.in_progress")
            && err.contains("`chasing` is already a sub-status of waiting_on_client"),
        "{err}"
    );
    assert_eq!(docket.firm_settings().unwrap(), before, "nothing changed");
    // Moving a name from one status to another in one change is fine.
    let moved = SettingsChange {
        sub_statuses: Some(BTreeMap::from([
            ("waiting_on_client".into(), vec![]),
            ("in_progress".into(), vec!["chasing".into()]),
        ])),
        ..SettingsChange::default()
    };
    let after = docket.change_settings(&moved).unwrap();
    assert_eq!(after.sub_statuses["in_progress"], ["chasing"]);
}

#[test]
fn the_command_line_names_one_key() {
    assert_eq!(
        SettingsChange::from_key("holidays", "2027-12-25, 2027-12-26").unwrap(),
        SettingsChange {
            holidays: Some(vec!["2027-12-25".into(), "2027-12-26".into()]),
            ..SettingsChange::default()
        }
    );
    assert_eq!(
        SettingsChange::from_key("sub_statuses.in_progress", "review,")
            .unwrap()
            .sub_statuses
            .unwrap()["in_progress"],
        ["review"]
    );
    let err = SettingsChange::from_key("colour", "blue").unwrap_err();
    assert!(
        err.to_string().contains("`colour` is not a setting"),
        "{err}"
    );
}

#[test]
fn a_logo_is_an_image_of_limited_size() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 100]].concat();
    let settings = docket.set_firm_logo(&png).unwrap();
    let url = settings.logo_url.unwrap();
    assert!(
        url.starts_with("http://localhost:8080/firm/logo?v="),
        "{url}"
    );
    assert_eq!(
        docket.firm_logo().unwrap(),
        Some(("image/png".to_string(), png.clone()))
    );
    for (bad, why) in [
        (b"<svg onload=alert(1)>".to_vec(), "PNG, JPEG, GIF or WebP"),
        (vec![0xFF; MAX_LOGO_BYTES + 1], "at most 512 KiB"),
        (Vec::new(), "choose an image"),
    ] {
        let err = docket.set_firm_logo(&bad).unwrap_err().to_string();
        assert!(err.contains(why), "{err}");
    }
    assert_eq!(docket.firm_logo().unwrap().unwrap().1, png, "unchanged");
    // The server moves (another port, a public name): the uploaded logo's address follows.
    let version = url.rsplit('=').next().unwrap().to_string();
    let firm = crate::config::FirmConfig::default();
    docket
        .apply_config(&firm, "https://docket.example.com/")
        .unwrap();
    assert_eq!(
        docket.firm_settings().unwrap().logo_url.unwrap(),
        format!("https://docket.example.com/firm/logo?v={version}")
    );
    docket.pin_settings(&["logo_url".into()]);
    assert!(
        docket
            .set_firm_logo(&png)
            .unwrap_err()
            .to_string()
            .contains("firm.logo_url")
    );
}
