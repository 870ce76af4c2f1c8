//! Unit tests of `replan.rs`.

use crate::config::FirmConfig;
use crate::docket::SettingsChange;
use crate::docket::test_firm::{Firm, utc};
use crate::model::Actor;

fn change(firm: &Firm, change: SettingsChange) {
    firm.docket.change_settings(&change).unwrap();
    assert!(firm.docket.replan_pending().unwrap());
}

fn drain(firm: &Firm, page: usize) {
    while firm
        .docket
        .replan_after_calendar_change(page)
        .unwrap()
        .is_some()
    {}
    assert!(!firm.docket.replan_pending().unwrap());
}

#[test]
fn a_new_calendar_moves_every_fire_already_planned() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let ids: Vec<_> = (0..5).map(|_| firm.work("2026-03-02")).collect();
    for id in &ids {
        firm.docket.send_group(*id, 0, Actor::System).unwrap();
    }
    firm.deliver();
    let at =
        |firm: &Firm| -> Vec<_> { ids.iter().map(|id| firm.next_fire(*id).at.get()).collect() };
    assert_eq!(at(&firm), vec![utc("2026-03-09T09:00:00Z"); 5]);

    change(
        &firm,
        SettingsChange {
            send_time: Some("10:00".into()),
            ..Default::default()
        },
    );
    // Nothing moves until the re-plan runs (the scheduler's loop runs it between ticks),
    // a page at a time.
    assert_eq!(at(&firm), vec![utc("2026-03-09T09:00:00Z"); 5]);
    drain(&firm, 2);
    assert_eq!(at(&firm), vec![utc("2026-03-09T10:00:00Z"); 5]);

    change(
        &firm,
        SettingsChange {
            timezone: Some("Europe/Paris".into()),
            ..Default::default()
        },
    );
    drain(&firm, 2);
    assert_eq!(at(&firm), vec![utc("2026-03-09T09:00:00Z"); 5]);

    change(
        &firm,
        SettingsChange {
            holidays: Some(vec!["2026-03-09".into()]),
            ..Default::default()
        },
    );
    drain(&firm, 2);
    assert_eq!(at(&firm), vec![utc("2026-03-10T09:00:00Z"); 5]);

    change(
        &firm,
        SettingsChange {
            send_schedule: Some("0 10 * * MON,WED".into()),
            ..Default::default()
        },
    );
    drain(&firm, 100);
    assert_eq!(at(&firm), vec![utc("2026-03-11T09:00:00Z"); 5]);
    assert!(firm.docket.check(false).unwrap().is_empty());
}

#[test]
fn a_fire_already_due_is_left_for_the_tick() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    firm.clock.set(utc("2026-03-09T09:00:00.500Z"));
    change(
        &firm,
        SettingsChange {
            send_time: Some("10:00".into()),
            ..Default::default()
        },
    );
    drain(&firm, 10);
    assert_eq!(firm.next_fire(id).at.get(), utc("2026-03-09T09:00:00Z"));
    firm.run_until(utc("2026-03-09T09:01:00Z"));
    assert_eq!(
        firm.reminders().len(),
        1,
        "it went at nine, as planned before"
    );
    // The next one follows the new send time.
    assert_eq!(firm.next_fire(id).at.get(), utc("2026-03-16T10:00:00Z"));
}

#[test]
fn a_change_that_leaves_the_calendar_alone_plans_nothing_again() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    firm.docket
        .change_settings(&SettingsChange {
            name: Some("Other & Co".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(!firm.docket.replan_pending().unwrap());
}
