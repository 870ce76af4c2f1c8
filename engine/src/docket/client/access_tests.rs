//! Unit tests of `access.rs`.

use crate::config::FirmConfig;
use crate::docket::client::{NoSession, Opened};
use crate::docket::test_firm::{Firm, token};
use crate::model::Actor;

/// The account secret of a contact signed in by the link emailed to `email`.
fn signed_in(firm: &Firm, email: &str) -> String {
    firm.docket.request_sign_in(email).unwrap();
    firm.deliver();
    let raw = firm.sent().last().unwrap().1.clone();
    let start = raw.find("/account/s/").expect("a sign-in link") + "/account/s/".len();
    firm.docket
        .sign_in(&raw[start..start + 43], "Firefox")
        .unwrap()
        .expect("the sign-in link signs in")
}

#[test]
fn a_checklist_opens_on_its_device_else_through_the_contacts_account() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    let link = Firm::link_of(&firm.sent()[0].1);
    let Opened::Checklist { new_secret, .. } = firm
        .docket
        .open_link(token(&link), None, "Firefox")
        .unwrap()
    else {
        panic!("the link opens the checklist");
    };
    let device = new_secret.unwrap();

    // The device the group is bound to: a session until its access expires.
    let by_device = firm
        .docket
        .checklist_session(id, 0, Some(&device), None)
        .unwrap()
        .unwrap();
    assert_eq!((by_device.work, by_device.group), (id, 0));
    assert!(by_device.device_until.is_some());

    // Another browser is refused as the device's session is, unless signed in to the account.
    let stranger = crate::docket::client::new_secret();
    assert_eq!(
        firm.docket
            .checklist_session(id, 0, Some(&stranger), None)
            .unwrap(),
        Err(NoSession::NotHere)
    );
    assert_eq!(
        firm.docket
            .checklist_session(id, 0, None, Some("not-a-session"))
            .unwrap(),
        Err(NoSession::NotHere)
    );
    let account = signed_in(&firm, "ann@client.example");
    let by_account = firm
        .docket
        .checklist_session(id, 0, Some(&stranger), Some(&account))
        .unwrap()
        .unwrap();
    assert_eq!(by_account.contact, by_device.contact);
    assert_eq!(by_account.device_until, None);
    // The device's own session comes first, with its expiry.
    assert_eq!(
        firm.docket
            .checklist_session(id, 0, Some(&device), Some(&account))
            .unwrap(),
        Ok(by_device)
    );

    // The account opens only the contact's own sent groups: not another contact's work.
    firm.contact("Bob Baker", "bob@client.example");
    let bobs = firm.work_for("Year end", "2026-03-02", "bob@client.example");
    firm.docket.send_group(bobs, 0, Actor::System).unwrap();
    assert_eq!(
        firm.docket
            .checklist_session(bobs, 0, None, Some(&account))
            .unwrap(),
        Err(NoSession::NotHere)
    );

    // Signed out, the account opens nothing.
    firm.docket.sign_out(&account).unwrap();
    assert_eq!(
        firm.docket
            .checklist_session(id, 0, None, Some(&account))
            .unwrap(),
        Err(NoSession::NotHere)
    );
}

#[test]
fn a_sign_in_email_answers_to_the_firms_admin() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    firm.docket
        .add_user(crate::NewUser {
            email: "ada@smith.example".into(),
            name: "Ada Admin".into(),
            role: crate::model::Role::Admin,
            password: "a long enough password".into(),
        })
        .unwrap();
    firm.docket.request_sign_in("ann@client.example").unwrap();
    firm.deliver();
    let raw = firm.sent().last().unwrap().1.clone();
    assert!(raw.contains("/account/s/"), "{raw}");
    assert!(raw.contains("Reply-To: ada@smith.example"), "{raw}");
}
