//! Choosing where an unmatched reply goes: the sender's open work first, with their group
//! chosen; open work found by client or title; completed work neither offered nor accepted.

use crate::Error;
use crate::config::FirmConfig;
use crate::docket::Received;
use crate::docket::test_firm::Firm;
use crate::model::{Actor, NewWork};

const TWO_GROUPS: &str = r#"
name = "Payroll"
[[groups]]
name = "Employer"
[[groups.tasks]]
title = "Timesheets"
due = 7
[[groups]]
name = "Accountant"
[[groups.tasks]]
title = "Journal"
due = 7
"#;

fn unmatched(firm: &Firm, from: &str, id: &str) -> String {
    unmatched_to(firm, from, "office@smith.example", id)
}

fn unmatched_to(firm: &Firm, from: &str, to: &str, id: &str) -> String {
    let raw = format!("From: {from}\r\nTo: {to}\r\nMessage-ID: <{id}@x>\r\n\r\nHello\r\n");
    match firm.docket.receive_reply(raw.as_bytes()).unwrap() {
        Received::Unmatched { id, .. } => id.to_string(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_senders_open_work_comes_first_and_completed_work_is_never_offered() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    firm.contact("Bob Baker", "bob@client.example");
    firm.docket.import_template(TWO_GROUPS).unwrap();
    let done = firm.work("2026-03-02");
    firm.docket.complete_work(done, Actor::System).unwrap();
    let open = firm.work("2026-03-09");
    // Payroll's second group goes to Ann, the first to Bob.
    let payroll = firm
        .docket
        .create_work(
            NewWork {
                template: "Payroll".into(),
                start_date: Some("2026-03-10".parse().unwrap()),
                contacts: vec!["bob@client.example".into(), "ann@client.example".into()],
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id;
    let reply = unmatched(&firm, "Ann@Client.example", "one");

    let choices = firm.docket.reply_choices(&reply, "").unwrap();
    assert_eq!(choices.sender.as_ref().unwrap().name, "Ann Archer");
    let offered: Vec<_> = choices.sender_work.iter().map(|w| w.id).collect();
    assert_eq!(
        offered,
        [payroll, open],
        "newest first, the completed one left out"
    );
    let groups = &choices.sender_work[0].groups;
    assert_eq!(groups.len(), 2);
    assert!(!groups[0].sender && groups[1].sender, "{groups:?}");
    assert_eq!(groups[1].recipient_name, "Ann Archer");
    let first = choices.first.unwrap();
    assert_eq!((first.work, first.group), (payroll, 1), "Ann's own group");
    assert!(choices.found.is_empty() && choices.named.is_none());

    // A sender who is no contact: nothing of theirs; the search finds open work by client or
    // title, never completed work.
    let stranger = unmatched(&firm, "someone@elsewhere.example", "two");
    let choices = firm.docket.reply_choices(&stranger, "").unwrap();
    assert!(choices.sender.is_none() && choices.sender_work.is_empty());
    assert!(choices.first.is_none());
    let by_client = firm.docket.reply_choices(&stranger, "archer").unwrap();
    let found: Vec<_> = by_client.found.iter().map(|w| w.id).collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.contains(&open) && found.contains(&payroll) && !found.contains(&done));
    let by_title = firm.docket.reply_choices(&stranger, "payr").unwrap();
    assert_eq!(by_title.found.len(), 1);
    assert_eq!(by_title.found[0].id, payroll);
    let first = by_title.first.unwrap();
    assert_eq!(
        (first.work, first.group),
        (payroll, 0),
        "the only one found"
    );

    // Attaching to the completed work is refused as a conflict, naming it; nothing changes.
    let refused = firm
        .docket
        .attach_unmatched_reply(&stranger, done, 0, Actor::System)
        .unwrap_err();
    assert!(matches!(refused, Error::Conflict(_)), "{refused:?}");
    assert!(
        refused
            .to_string()
            .contains("“Ann Archer — Year end” is completed"),
        "{refused}"
    );
    assert_eq!(firm.docket.unmatched_replies().unwrap().len(), 2);
    assert!(firm.docket.comments(done).unwrap().is_empty());
    // Open work takes it.
    firm.docket
        .attach_unmatched_reply(&stranger, open, 0, Actor::System)
        .unwrap();
    assert_eq!(firm.docket.comments(open).unwrap().len(), 1);
}

#[test]
fn the_work_a_reply_address_named_is_offered_while_it_is_open() {
    let mut firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    firm.docket = firm
        .docket
        .clone()
        .with_reply_address(Some("replies@smith.example"));
    let work = firm.work("2026-03-09");
    firm.docket.send_group(work, 0, Actor::System).unwrap();
    firm.deliver();
    let raw = &firm.sent()[0].1;
    let line = raw
        .lines()
        .find(|l| l.starts_with("Reply-To: "))
        .expect("a Reply-To");
    let address = line["Reply-To: ".len()..].trim().to_string();
    // Someone else answers with Ann's reply address: kept aside, naming Ann's work.
    let forged = unmatched_to(&firm, "mallory@evil.example", &address, "forged");
    let choices = firm.docket.reply_choices(&forged, "").unwrap();
    assert!(choices.sender.is_none());
    assert_eq!(choices.named.as_ref().map(|w| w.id), Some(work));
    let first = choices.first.unwrap();
    assert_eq!((first.work, first.group), (work, 0));
    // Completed, it is offered no more.
    firm.docket.complete_work(work, Actor::System).unwrap();
    let choices = firm.docket.reply_choices(&forged, "").unwrap();
    assert!(choices.named.is_none() && choices.first.is_none());
}
