//! Unit tests of `renew.rs`: who may ask for a fresh link, and the limits that keep a stranger
//! from spending the client's.

use chrono::Duration;

use crate::config::FirmConfig;
use crate::docket::client::{
    Asker, LinkProof, NEW_LINKS_PER_ADDRESS_PER_HOUR, NEW_LINKS_PER_GROUP_PER_HOUR,
    NEW_LINKS_PER_PROOF_PER_HOUR, NewLink, Opened, new_secret,
};
use crate::docket::test_firm::{Firm, token};
use crate::model::{Actor, EventKind, MessageKind, WorkId};

const PHONE: Asker<'static> = Asker {
    device: "Ann's phone",
    address: "192.0.2.1",
};

/// A firm with Ann's work sent; its first link.
fn sent() -> (Firm, WorkId, String) {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    let link = Firm::link_of(&firm.sent()[0].1);
    (firm, id, link)
}

fn access_links(firm: &Firm) -> usize {
    firm.docket
        .outbox(None, 1000)
        .unwrap()
        .iter()
        .filter(|m| m.kind == MessageKind::AccessLink)
        .count()
}

fn bind(firm: &Firm, link: &str) -> String {
    let Opened::Checklist { new_secret, .. } =
        firm.docket.open_link(token(link), None, "Firefox").unwrap()
    else {
        panic!("the link opens the checklist");
    };
    new_secret.unwrap()
}

#[test]
fn knowing_the_work_id_asks_for_nothing() {
    let (firm, id, _) = sent();
    for secret in [new_secret(), "short".into(), String::new()] {
        let asked = firm
            .docket
            .request_new_link(
                LinkProof::Device {
                    work: id,
                    group: 0,
                    secret: &secret,
                },
                PHONE,
            )
            .unwrap();
        assert_eq!(asked, NewLink::Refused);
    }
    let forged = "A".repeat(43);
    assert_eq!(
        firm.docket
            .request_new_link(LinkProof::Token(&forged), PHONE)
            .unwrap(),
        NewLink::Refused
    );
    assert_eq!(access_links(&firm), 0);
}

#[test]
fn a_held_link_or_device_asks_and_the_timeline_says_which() {
    let (firm, id, link) = sent();
    let device = bind(&firm, &link);
    // The bound device, after its access expired.
    firm.clock.advance(Duration::days(31));
    let asked = firm
        .docket
        .request_new_link(
            LinkProof::Device {
                work: id,
                group: 0,
                secret: &device,
            },
            PHONE,
        )
        .unwrap();
    assert_eq!(asked, NewLink::Sent);
    // The first link, replaced by a resend.
    firm.docket.resend_group(id, 0, Actor::System).unwrap();
    let asked = firm
        .docket
        .request_new_link(LinkProof::Token(token(&link)), PHONE)
        .unwrap();
    assert_eq!(asked, NewLink::Sent);
    assert_eq!(access_links(&firm), 2);
    let summaries: Vec<String> = firm
        .docket
        .work_timeline(id, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::LinkRequested)
        .map(|e| {
            assert_eq!(e.actor, Actor::System, "not said to be the contact");
            e.summary
        })
        .collect();
    assert!(
        summaries.iter().any(|s| s
            .contains("the device the checklist is open on, after its access expired")
            && s.contains("192.0.2.1")),
        "{summaries:?}"
    );
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("a device holding a replaced link")),
        "{summaries:?}"
    );
}

#[test]
fn one_link_cannot_spend_the_groups_allowance() {
    let (firm, _, link) = sent();
    for _ in 0..NEW_LINKS_PER_PROOF_PER_HOUR {
        assert_eq!(
            firm.docket
                .request_new_link(LinkProof::Token(token(&link)), PHONE)
                .unwrap(),
            NewLink::Sent
        );
    }
    let elsewhere = Asker {
        device: "curl",
        address: "198.51.100.7",
    };
    assert_eq!(
        firm.docket
            .request_new_link(LinkProof::Token(token(&link)), elsewhere)
            .unwrap(),
        NewLink::Limited,
        "the same link from another address"
    );
    // The client's newest link still asks, within the group's hourly allowance.
    const { assert!(NEW_LINKS_PER_PROOF_PER_HOUR < NEW_LINKS_PER_GROUP_PER_HOUR) };
    firm.deliver();
    let newest = Firm::link_of(&firm.sent().last().unwrap().1);
    assert_eq!(
        firm.docket
            .request_new_link(LinkProof::Token(token(&newest)), PHONE)
            .unwrap(),
        NewLink::Sent
    );
}

#[test]
fn one_address_is_limited_across_links() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let mut links = Vec::new();
    for i in 0..=NEW_LINKS_PER_ADDRESS_PER_HOUR {
        let email = format!("c{i}@client.example");
        firm.contact(&format!("Client {i}"), &email);
        let id = firm.work_for("Year end", "2026-03-02", &email);
        firm.docket.send_group(id, 0, Actor::System).unwrap();
        firm.deliver();
        links.push(Firm::link_of(&firm.sent().last().unwrap().1));
    }
    for (i, link) in links.iter().enumerate() {
        let asked = firm
            .docket
            .request_new_link(LinkProof::Token(token(link)), PHONE)
            .unwrap();
        let expected = if i < NEW_LINKS_PER_ADDRESS_PER_HOUR {
            NewLink::Sent
        } else {
            NewLink::Limited
        };
        assert_eq!(asked, expected, "request {}", i + 1);
    }
}

#[test]
fn completed_work_sends_nothing_and_says_so_to_staff() {
    let (firm, id, link) = sent();
    firm.docket.complete_work(id, Actor::System).unwrap();
    let before = access_links(&firm);
    assert_eq!(
        firm.docket
            .request_new_link(LinkProof::Token(token(&link)), PHONE)
            .unwrap(),
        NewLink::Complete
    );
    assert_eq!(access_links(&firm), before);
    let timeline = firm.docket.work_timeline(id, 50).unwrap();
    assert!(
        timeline.iter().any(|e| e
            .summary
            .contains("the work is complete, so nothing was sent")),
        "{timeline:?}"
    );
}

#[test]
fn a_device_moved_from_may_ask_and_is_told_so() {
    let (firm, id, link) = sent();
    let phone = bind(&firm, &link);
    // A link asked for and opened on a laptop moves the checklist there.
    firm.clock.advance(Duration::minutes(5));
    firm.docket
        .request_new_link(LinkProof::Token(token(&link)), PHONE)
        .unwrap();
    firm.deliver();
    let fresh = Firm::link_of(&firm.sent().last().unwrap().1);
    let laptop = bind(&firm, &fresh);
    assert_ne!(laptop, phone);
    assert_eq!(
        firm.docket.client_session(id, 0, Some(&phone)).unwrap(),
        Err(crate::docket::NoSession::MovedAway)
    );
    let asked = firm
        .docket
        .request_new_link(
            LinkProof::Device {
                work: id,
                group: 0,
                secret: &phone,
            },
            PHONE,
        )
        .unwrap();
    assert_eq!(asked, NewLink::Sent);
}

#[test]
fn a_limited_request_is_noted_for_staff_once_an_hour() {
    let (firm, id, link) = sent();
    for _ in 0..NEW_LINKS_PER_PROOF_PER_HOUR {
        firm.docket
            .request_new_link(LinkProof::Token(token(&link)), PHONE)
            .unwrap();
    }
    for _ in 0..3 {
        assert_eq!(
            firm.docket
                .request_new_link(LinkProof::Token(token(&link)), PHONE)
                .unwrap(),
            NewLink::Limited
        );
    }
    let noted = firm
        .docket
        .work_timeline(id, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.summary.contains("and not sent: too many"))
        .count();
    assert_eq!(noted, 1);
}
