//! Unit tests of `setup.rs`.

use super::*;
use crate::clock::ManualClock;
use crate::docket::test_support::docket_at;

fn setup() -> FirstSetup {
    FirstSetup {
        firm_name: "Hart & Co".into(),
        timezone: "Europe/Paris".into(),
        send_time: "08:30".into(),
        name: "Hana Hart".into(),
        email: "Hana@Hart.example".into(),
        password: "correct horse battery".into(),
    }
}

/// A docket with no staff at all, as a new folder is.
fn empty_firm() -> (Docket, std::sync::Arc<ManualClock>) {
    let (docket, clock) = docket_at("2027-01-10T09:00:00Z");
    assert!(docket.list_users().unwrap().is_empty());
    (docket, clock)
}

#[test]
fn a_new_firm_is_set_up_once_through_its_address() {
    let (docket, _) = empty_firm();
    let secret = docket
        .issue_setup_link()
        .unwrap()
        .expect("no staff: an address");
    assert_eq!(docket.check_setup_link(&secret).unwrap(), Ok(()));
    assert_eq!(
        docket.check_setup_link("x".repeat(43).as_str()).unwrap(),
        Err(SetupRefusal::Expired)
    );

    // Bad input is refused by field, with nothing changed and the address still good.
    for (field, bad) in [
        (
            "firm_name",
            FirstSetup {
                firm_name: " ".into(),
                ..setup()
            },
        ),
        (
            "timezone",
            FirstSetup {
                timezone: "Mars/Olympus".into(),
                ..setup()
            },
        ),
        (
            "send_time",
            FirstSetup {
                send_time: "25:00".into(),
                ..setup()
            },
        ),
        (
            "email",
            FirstSetup {
                email: "hana".into(),
                ..setup()
            },
        ),
        (
            "password",
            FirstSetup {
                password: "short".into(),
                ..setup()
            },
        ),
    ] {
        let err = docket.complete_setup(&secret, &bad).unwrap_err();
        assert_eq!(err.field(), Some(field), "{err}");
    }
    assert!(docket.list_users().unwrap().is_empty());
    assert_eq!(docket.check_setup_link(&secret).unwrap(), Ok(()));
    // All of a form's problems at once, for the page.
    let all_bad = FirstSetup {
        firm_name: "".into(),
        timezone: "Mars".into(),
        send_time: "9".into(),
        name: "".into(),
        email: "x".into(),
        password: "short".into(),
    };
    let fields: Vec<_> = docket
        .setup_problems(&all_bad)
        .unwrap()
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    assert_eq!(
        fields,
        ["firm_name", "timezone", "send_time", "email", "password"]
    );
    assert!(docket.setup_problems(&setup()).unwrap().is_empty());

    let admin = docket.complete_setup(&secret, &setup()).unwrap();
    assert_eq!(admin.email, "hana@hart.example");
    assert_eq!(admin.role, Role::Admin);
    let firm = docket.firm_settings().unwrap();
    assert_eq!(firm.name, "Hart & Co");
    assert_eq!(firm.timezone.name(), "Europe/Paris");
    assert_eq!(firm.send_time.format("%H:%M").to_string(), "08:30");
    assert!(
        docket
            .verify_password("hana@hart.example", "correct horse battery")
            .unwrap()
            .is_some()
    );

    // Used once; and a firm with staff gets no new address.
    let again = docket.complete_setup(&secret, &setup()).unwrap_err();
    assert!(matches!(again, Error::Gone(_)), "{again}");
    assert_eq!(
        docket.check_setup_link(&secret).unwrap(),
        Err(SetupRefusal::Done)
    );
    assert_eq!(docket.issue_setup_link().unwrap(), None);
}

#[test]
fn a_setup_address_lasts_an_hour_and_a_new_start_replaces_it() {
    let (docket, clock) = empty_firm();
    let first = docket.issue_setup_link().unwrap().unwrap();
    let second = docket.issue_setup_link().unwrap().unwrap();
    assert_eq!(
        docket.check_setup_link(&first).unwrap(),
        Err(SetupRefusal::Expired)
    );
    clock.advance(SETUP_LIFETIME);
    assert_eq!(
        docket.check_setup_link(&second).unwrap(),
        Err(SetupRefusal::Expired)
    );
    assert!(matches!(
        docket.complete_setup(&second, &setup()).unwrap_err(),
        Error::Gone(_)
    ));
    assert!(docket.list_users().unwrap().is_empty());
}
