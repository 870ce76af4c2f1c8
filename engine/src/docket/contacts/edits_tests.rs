//! Unit tests of `edits.rs`.

use crate::config::FirmConfig;
use crate::docket::client::Opened;
use crate::docket::test_firm::{Firm, token};
use crate::model::{Actor, ContactUpdate, LinkStatus};

fn sign_in_token(raw: &str) -> String {
    let start = raw.find("/account/s/").expect("a sign-in link") + "/account/s/".len();
    raw[start..start + 43].to_string()
}

#[test]
fn an_email_change_ends_links_devices_and_sign_ins_of_the_old_address() {
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
    firm.docket.request_sign_in("ann@client.example").unwrap();
    firm.deliver();
    let signed_in = sign_in_token(&firm.sent().last().unwrap().1);
    let account = firm.docket.sign_in(&signed_in, "Firefox").unwrap().unwrap();
    firm.docket.request_sign_in("ann@client.example").unwrap();
    firm.deliver();
    let unused = sign_in_token(&firm.sent().last().unwrap().1);

    let ann = firm
        .docket
        .contact_by_email("ann@client.example")
        .unwrap()
        .unwrap();
    let portal = firm.docket.contact_portal(ann.id).unwrap();
    assert_eq!(portal.devices.len(), 1);
    assert_eq!(portal.sessions, 1);

    // A name change alone ends nothing.
    let renamed = firm
        .docket
        .update_contact(
            ann.id,
            ContactUpdate {
                name: Some("Ann Archer-Bell".into()),
                ..ContactUpdate::default()
            },
            Actor::System,
        )
        .unwrap();
    assert_eq!(renamed.name, "Ann Archer-Bell");
    assert!(
        firm.docket
            .client_session(id, 0, Some(&device))
            .unwrap()
            .is_ok()
    );

    // Bad input changes nothing.
    for (update, want) in [
        (
            ContactUpdate {
                email: Some("not an address".into()),
                ..ContactUpdate::default()
            },
            "email",
        ),
        (
            ContactUpdate {
                timezone: Some("Mars/Olympus".into()),
                ..ContactUpdate::default()
            },
            "IANA timezone",
        ),
        (
            ContactUpdate {
                name: Some("  ".into()),
                ..ContactUpdate::default()
            },
            "needs a name",
        ),
    ] {
        let err = firm
            .docket
            .update_contact(ann.id, update, Actor::System)
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err}");
    }
    assert_eq!(firm.docket.contact(ann.id).unwrap(), renamed);

    let moved = firm
        .docket
        .update_contact(
            ann.id,
            ContactUpdate {
                email: Some("Ann@New.example".into()),
                ..ContactUpdate::default()
            },
            Actor::System,
        )
        .unwrap();
    assert_eq!(moved.email, "ann@new.example");
    assert_eq!(
        firm.docket
            .contact_by_email("ann@new.example")
            .unwrap()
            .unwrap()
            .id,
        ann.id
    );
    assert!(
        firm.docket
            .contact_by_email("ann@client.example")
            .unwrap()
            .is_none()
    );
    // The old link is replaced, the device no longer opens the checklist, the account is
    // signed out and the unused sign-in link is worthless.
    assert!(matches!(
        firm.docket.resolve_link(token(&link)).unwrap(),
        LinkStatus::Replaced { .. }
    ));
    assert!(
        firm.docket
            .client_session(id, 0, Some(&device))
            .unwrap()
            .is_err()
    );
    assert_eq!(firm.docket.account_contact(Some(&account)).unwrap(), None);
    assert_eq!(
        firm.docket.sign_in_link(&unused).unwrap(),
        crate::docket::SignInLinkState::Invalid
    );
    let portal = firm.docket.contact_portal(ann.id).unwrap();
    assert!(
        portal.devices.is_empty() && portal.sessions == 0,
        "{portal:?}"
    );
    // Said on the contact's and the work's timelines.
    let said = |events: Vec<crate::model::TimelineEvent>| {
        events.iter().any(|e| e.summary.contains("ann@new.example"))
    };
    assert!(said(firm.docket.contact_timeline(ann.id, 10).unwrap()));
    assert!(said(firm.docket.work_timeline(id, 50).unwrap()));

    // Another contact's address is taken.
    firm.contact("Bob", "bob@client.example");
    let err = firm
        .docket
        .update_contact(
            ann.id,
            ContactUpdate {
                email: Some("bob@client.example".into()),
                ..ContactUpdate::default()
            },
            Actor::System,
        )
        .unwrap_err();
    assert!(matches!(err, crate::Error::Conflict(_)), "{err}");
    assert_eq!(firm.docket.contact(ann.id).unwrap(), moved);
}

#[test]
fn contacts_are_found_by_part_of_a_name_or_email() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    firm.contact("Bob Baker", "bob@bakery.example");
    firm.contact("Carla Diaz", "carla@diaz.example");
    let names = |q: &str| -> Vec<String> {
        firm.docket
            .search_contacts(q, None, 10)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect()
    };
    assert_eq!(names("BAKER"), ["Bob Baker"]);
    assert_eq!(names("example"), ["Ann Archer", "Bob Baker", "Carla Diaz"]);
    assert_eq!(names("carla@diaz.example"), ["Carla Diaz"]);
    assert!(names("zed").is_empty());
    assert_eq!(names("").len(), 3);
}

#[test]
fn a_contacts_language_is_checked_kept_cleared_and_the_firms_applies_without_one() {
    let firm = Firm::new(
        "2026-03-02T08:00:00Z",
        FirmConfig {
            locale: "de".into(),
            ..FirmConfig::default()
        },
    );
    let id = firm.work("2026-03-02");
    let ann = firm
        .docket
        .contact_by_email("ann@client.example")
        .unwrap()
        .unwrap();
    assert_eq!(ann.locale, None);
    assert_eq!(firm.docket.locale_of(&ann).unwrap(), "de");
    let set = |locale: &str| {
        firm.docket.update_contact(
            ann.id,
            ContactUpdate {
                locale: Some(locale.into()),
                ..ContactUpdate::default()
            },
            Actor::System,
        )
    };
    let refused = set("pt").unwrap_err();
    assert_eq!(refused.field(), Some("locale"));
    assert!(
        refused.to_string().contains("`pt` is not a language"),
        "{refused}"
    );
    let french = set("fr").unwrap();
    assert_eq!(french.locale.as_deref(), Some("fr"));
    assert_eq!(firm.docket.locale_of(&french).unwrap(), "fr");
    let timeline = firm.docket.contact_timeline(ann.id, 10).unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e.summary.contains("language from the firm's to fr")),
        "{timeline:?}"
    );
    // Her request is in French; cleared, the firm's German applies to what follows.
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    assert!(
        firm.sent()[0].1.contains("Bonjour Ann"),
        "{}",
        firm.sent()[0].1
    );
    let cleared = set(" ").unwrap();
    assert_eq!(cleared.locale, None);
    assert_eq!(firm.docket.locale_of(&cleared).unwrap(), "de");
    firm.docket.request_sign_in("ann@client.example").unwrap();
    firm.deliver();
    let sign_in = firm.sent().last().unwrap().1.clone();
    assert!(sign_in.contains("Guten Tag Ann"), "{sign_in}");
    // A tag with a region keeps the language Docket will use.
    let swiss = set("de-CH").unwrap();
    assert_eq!(swiss.locale.as_deref(), Some("de"));
}
