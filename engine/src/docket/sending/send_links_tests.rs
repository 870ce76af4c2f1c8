//! Sending's links: how long a link opens, a reminder lengthening it, a resend or a new
//! recipient replacing the group's links; driven by a manual clock on the in-memory store.

use chrono::Duration;

use crate::config::FirmConfig;
use crate::docket::test_firm::{Firm, token, utc};
use crate::model::{Actor, LinkStatus, MessageState};
use crate::store::{Batch, Tree};

#[test]
fn links_expire_renew_and_are_replaced_by_a_resend() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    let first = Firm::link_of(&firm.sent()[0].1);
    assert!(matches!(
        firm.docket.resolve_link(token(&first)).unwrap(),
        LinkStatus::Valid { .. }
    ));
    // Sending twice is refused: resend is the way to a new link.
    assert!(firm.docket.send_group(id, 0, Actor::System).is_err());
    // The stored message keeps where the link went, not the key.
    let stored = firm.docket.outbox(None, 10).unwrap();
    assert_eq!(stored[0].state, MessageState::Sent);
    assert!(!stored[0].context.link.contains(token(&first)));
    assert!(stored[0].context.link.ends_with("/c/…"));

    firm.clock.advance(Duration::days(3));
    firm.docket.resend_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    let second = Firm::link_of(&firm.sent().last().unwrap().1);
    assert!(matches!(
        firm.docket.resolve_link(token(&first)).unwrap(),
        LinkStatus::Replaced { .. }
    ));
    // The resent email says which one it replaces and that its link is dead; the first did not.
    let unwrapped = |raw: &str| raw.replace("=\r\n", "").replace("=\n", "");
    let replaces = "This email replaces the one sent on 2 March 2026; its link no longer works.";
    assert!(!unwrapped(&firm.sent()[0].1).contains("This email replaces"));
    let resent = unwrapped(&firm.sent().last().unwrap().1);
    assert_eq!(
        resent.matches(replaces).count(),
        2,
        "text and html: {resent}"
    );
    assert!(matches!(
        firm.docket.resolve_link(token(&second)).unwrap(),
        LinkStatus::Valid { .. }
    ));
    let forged = "A".repeat(43);
    assert_eq!(
        firm.docket.resolve_link(&forged).unwrap(),
        LinkStatus::Unknown
    );
    assert_eq!(
        firm.docket.resolve_link("short").unwrap(),
        LinkStatus::Unknown
    );
    // 30 days after the resend, with no reminder in between, the access has expired.
    firm.clock.advance(Duration::days(30));
    assert!(matches!(
        firm.docket.resolve_link(token(&second)).unwrap(),
        LinkStatus::Expired { .. }
    ));
}

#[test]
fn a_reminder_extends_access_to_sixty_days() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.run_until(utc("2026-03-09T10:00:00Z"));
    let access = firm.docket.access(id, 0).unwrap().unwrap();
    assert_eq!(
        firm.docket.access_expiry(&access).unwrap(),
        utc("2026-03-09T09:00:00Z") + Duration::days(60)
    );
    // The reminder's link is valid until then, and not a moment longer.
    let link = Firm::link_of(&firm.reminders()[0].1);
    firm.clock
        .set(utc("2026-03-09T09:00:00Z") + Duration::days(60) - Duration::seconds(1));
    assert!(matches!(
        firm.docket.resolve_link(token(&link)).unwrap(),
        LinkStatus::Valid { .. }
    ));
    firm.clock.advance(Duration::seconds(1));
    assert!(matches!(
        firm.docket.resolve_link(token(&link)).unwrap(),
        LinkStatus::Expired { .. }
    ));
}

#[test]
fn a_new_recipient_replaces_the_groups_links_and_drops_its_binding() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    firm.contact("Bea Baker", "bea@client.example");
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    let first = Firm::link_of(&firm.sent()[0].1);
    assert!(matches!(
        firm.docket.resolve_link(token(&first)).unwrap(),
        LinkStatus::Valid { .. }
    ));
    // Bound to Ann's device, as the portal's button does.
    let mut access = firm.docket.access(id, 0).unwrap().unwrap();
    access.device_hash = Some("ann's device".into());
    let mut batch = Batch::default();
    batch.put_record(
        Tree::Access,
        crate::docket::sending::access_key(id, 0),
        &access,
    );
    firm.docket.store().commit(batch).unwrap();

    // What staff said to Ann stays Ann's; what they say after the change is Bea's.
    firm.docket
        .add_comment_on(
            id,
            Some((0, Some(0))),
            "For Ann: a PDF is fine",
            Actor::System,
        )
        .unwrap();
    firm.clock.advance(Duration::minutes(1));
    let work = firm
        .docket
        .change_recipient(id, 0, "bea@client.example", Actor::System)
        .unwrap();
    let bea = firm
        .docket
        .contact_by_email("bea@client.example")
        .unwrap()
        .unwrap();
    assert_eq!(work.groups[0].recipient, bea.id);
    // Ann's link is worth nothing now — not even "replaced", which would offer her a fresh link
    // emailed to Bea — and nobody may ask for a link before staff send the group to Bea.
    assert!(matches!(
        firm.docket.resolve_link(token(&first)).unwrap(),
        LinkStatus::Reassigned { .. }
    ));
    let queued = firm.docket.outbox(None, 100).unwrap().len();
    let asked = firm
        .docket
        .request_new_link(
            crate::docket::LinkProof::Token(token(&first)),
            crate::docket::Asker {
                device: "Ann's phone",
                address: "192.0.2.1",
            },
        )
        .unwrap();
    assert_eq!(asked, crate::docket::NewLink::Reassigned);
    assert_eq!(firm.docket.outbox(None, 100).unwrap().len(), queued);
    let access = firm.docket.access(id, 0).unwrap().unwrap();
    assert_eq!((access.contact, access.device_hash), (bea.id, None));
    // Ann's device is remembered as hers, to be told the request moved.
    assert_eq!(access.former_devices.len(), 1);
    assert_eq!(access.former_devices[0].hash, "ann's device");
    assert_ne!(access.former_devices[0].contact, bea.id);
    // Sent again, the email goes to Bea with a link that works.
    firm.docket.resend_group(id, 0, Actor::System).unwrap();
    firm.deliver();
    let (_, raw) = firm.sent().pop().unwrap();
    assert!(
        raw.contains("To: bea@client.example") || raw.contains("<bea@client.example>"),
        "{raw}"
    );
    let bea_link = Firm::link_of(&raw);
    assert!(matches!(
        firm.docket.resolve_link(token(&bea_link)).unwrap(),
        LinkStatus::Valid { .. }
    ));
    assert!(
        matches!(
            firm.docket.resolve_link(token(&first)).unwrap(),
            LinkStatus::Reassigned { .. }
        ),
        "Ann's link stays dead after the group is sent to Bea"
    );
    firm.clock.advance(Duration::minutes(1));
    firm.docket
        .add_comment_on(id, Some((0, Some(0))), "For Bea: welcome", Actor::System)
        .unwrap();
    let crate::docket::Opened::Checklist {
        new_secret: Some(secret),
        ..
    } = firm
        .docket
        .open_link(token(&bea_link), None, "Bea's laptop")
        .unwrap()
    else {
        panic!("Bea's link opens her checklist");
    };
    let session = firm
        .docket
        .client_session(id, 0, Some(&secret))
        .unwrap()
        .unwrap();
    let checklist = firm.docket.checklist(&session).unwrap();
    let said: Vec<&str> = checklist.tasks[0]
        .comments
        .iter()
        .map(|c| c.body.as_str())
        .collect();
    assert_eq!(said, ["For Bea: welcome"]);
    assert!(
        crate::check::check(firm.docket.store().as_ref(), false)
            .unwrap()
            .iter()
            .all(|p| !p.starts_with("work_by"))
    );
    // The same recipient again changes nothing; an unknown one is refused.
    let before = firm.docket.work(id).unwrap();
    firm.docket
        .change_recipient(id, 0, &bea.id.to_string(), Actor::System)
        .unwrap();
    assert_eq!(firm.docket.work(id).unwrap(), before);
    let err = firm
        .docket
        .change_recipient(id, 0, "nobody@client.example", Actor::System)
        .unwrap_err();
    assert!(err.to_string().contains("unknown contact"), "{err}");
}
