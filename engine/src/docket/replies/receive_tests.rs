//! Taking replies by email: matched, unmatched, automatic, revoked, over the limits, twice.

use crate::config::FirmConfig;
use crate::docket::test_firm::Firm;
use crate::docket::{Received, UNMATCHED_PAGE};
use crate::model::{Actor, EventKind, HookEventKind};
use crate::store::Tree;

/// A firm with a reply address and a sent "Year end" for Ann: the firm, the work and the
/// reply address of the request email.
fn sent() -> (Firm, crate::model::WorkId, String) {
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
    (firm, work, address)
}

fn mail(from: &str, to: &str, id: &str, extra: &str, body: &str) -> Vec<u8> {
    format!("From: {from}\r\nTo: {to}\r\nSubject: Re: Documents\r\nMessage-ID: <{id}@x>\r\n{extra}\r\n{body}\r\n")
        .into_bytes()
}

#[test]
fn without_inbound_the_sender_is_the_reply_address() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let work = firm.work("2026-03-09");
    firm.docket.send_group(work, 0, Actor::System).unwrap();
    firm.deliver();
    assert!(!firm.sent()[0].1.contains("replies+"));
}

#[test]
fn a_reply_from_the_contact_is_their_comment_once_and_staff_hear_of_it() {
    let (firm, work, address) = sent();
    assert!(
        address.starts_with("replies+") && address.ends_with("@smith.example"),
        "{address}"
    );
    let token = &address["replies+".len()..address.len() - "@smith.example".len()];
    assert_eq!(
        firm.docket
            .store
            .scan(Tree::ReplyTokens, b"", None, 10, false)
            .unwrap()
            .len(),
        1
    );
    assert!(
        firm.docket
            .store
            .scan(Tree::ReplyTokens, token.as_bytes(), None, 1, false)
            .unwrap()
            .is_empty(),
        "only the hash is stored"
    );
    let raw = mail(
        "Ann <ANN@client.example>",
        &address.to_uppercase(),
        "a",
        "",
        "Sent today.\r\n\r\nOn Monday Sam wrote:\r\n> Please",
    );
    assert_eq!(
        firm.docket.receive_reply(&raw).unwrap(),
        Received::Comment {
            work,
            group: 0,
            files: 0
        }
    );
    assert_eq!(
        firm.docket.receive_reply(&raw).unwrap(),
        Received::AlreadyTaken
    );
    let comments = firm.docket.comments(work).unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].body, "Sent today.");
    let events = firm
        .docket
        .store
        .scan(Tree::Events, b"", None, 100, false)
        .unwrap();
    let events: Vec<crate::model::QueuedEvent> = events
        .iter()
        .map(|(_, v)| crate::store::decode(v).unwrap())
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e.by_client && matches!(e.kind, HookEventKind::CommentAdded { .. }))
    );
}

#[test]
fn what_does_not_match_waits_for_staff() {
    let (firm, work, address) = sent();
    let cases = [
        (
            mail("eve@evil.example", &address, "1", "", "Hi"),
            "not from the request's contact",
        ),
        (
            mail(
                "ann@client.example",
                "replies+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@smith.example",
                "2",
                "",
                "Hi",
            ),
            "unknown",
        ),
        (
            mail("ann@client.example", "office@smith.example", "3", "", "Hi"),
            "no request's reply address",
        ),
        (
            mail("ann@client.example", &address, "4", "", "> only quoted"),
            "no new text",
        ),
    ];
    for (raw, why) in &cases {
        match firm.docket.receive_reply(raw).unwrap() {
            Received::Unmatched { reason, .. } => assert!(reason.contains(why), "{reason} / {why}"),
            other => panic!("{other:?} for {why}"),
        }
    }
    assert!(firm.docket.comments(work).unwrap().is_empty());
    assert_eq!(firm.docket.unmatched_replies().unwrap().len(), cases.len());
    assert!(UNMATCHED_PAGE >= cases.len());
    // Kept whole, its bytes referenced so the collector keeps them; `docket check` agrees.
    let problems = firm.docket.check(false).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn attached_and_discarded_replies_are_collected_without_the_lost_records_alarm() {
    let (firm, work, address) = sent();
    for n in 0..4 {
        let raw = mail(
            "eve@evil.example",
            &address,
            &format!("c{n}"),
            "",
            &format!("Hi {n}"),
        );
        assert!(matches!(
            firm.docket.receive_reply(&raw).unwrap(),
            Received::Unmatched { .. }
        ));
    }
    let stored = firm.docket.store.files().list().unwrap().len();
    let replies = firm.docket.unmatched_replies().unwrap();
    firm.docket
        .attach_unmatched_reply(&replies[0].id.to_string(), work, 0, Actor::System)
        .unwrap();
    for reply in &replies[1..] {
        firm.docket
            .discard_unmatched_reply(&reply.id.to_string(), Actor::System)
            .unwrap();
    }
    // All four emails are now referenced by no record, most of the stored files: let go on
    // purpose, they are collected as usual, and neither the collector nor `docket check` alarms.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(2 * 3600);
    let problems = firm.docket.check(false).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let collected = firm.docket.collect_files(later).unwrap();
    assert_eq!(collected.removed, 4, "of {stored} stored");
    assert_eq!(firm.docket.store.files().list().unwrap().len(), stored - 4);
    let marks = firm
        .docket
        .store
        .scan(Tree::Meta, b"released_file/", None, 10, false)
        .unwrap();
    assert!(marks.is_empty(), "the marks go with their files");
    let problems = firm.docket.check(false).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn an_out_of_office_is_a_timeline_note_and_a_resend_revokes_the_address() {
    let (firm, work, address) = sent();
    let away = mail(
        "ann@client.example",
        &address,
        "ooo",
        "Auto-Submitted: auto-replied\r\n",
        "Away until the 10th",
    );
    assert_eq!(
        firm.docket.receive_reply(&away).unwrap(),
        Received::AutoReplyNoted { work, group: 0 }
    );
    assert!(firm.docket.comments(work).unwrap().is_empty());
    assert!(
        firm.docket
            .work_timeline(work, 50)
            .unwrap()
            .iter()
            .any(|e| e.kind == EventKind::AutoReply)
    );
    firm.docket.resend_group(work, 0, Actor::System).unwrap();
    let late = mail("ann@client.example", &address, "late", "", "Here");
    match firm.docket.receive_reply(&late).unwrap() {
        Received::Unmatched { reason, .. } => assert!(reason.contains("revoked"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_attachment_over_the_cap_sends_the_whole_reply_to_staff() {
    let (firm, work, address) = sent();
    let docket = firm.docket.clone().with_max_upload(4);
    let raw = mail(
        "ann@client.example",
        &address,
        "big",
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n",
        "--b\r\nContent-Type: text/plain\r\n\r\nAttached\r\n--b\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCg==\r\n--b--",
    );
    match docket.receive_reply(&raw).unwrap() {
        Received::Unmatched { reason, .. } => assert!(reason.contains("upload checks"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(
        docket.comments(work).unwrap().is_empty(),
        "nothing half taken"
    );
    assert!(docket.files(work).unwrap().is_empty());
}

#[test]
fn replies_by_email_say_how_far_they_are_set_up() {
    use crate::docket::RepliesByEmail;
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    assert_eq!(firm.docket.replies_by_email(), RepliesByEmail::NotSetUp);
    let address = firm
        .docket
        .clone()
        .with_reply_address(Some("replies@smith.example"));
    assert_eq!(address.replies_by_email(), RepliesByEmail::NotRead);
    let read = address.with_reply_mailbox(true);
    assert_eq!(read.replies_by_email(), RepliesByEmail::Read);
    // A mailbox without a reply address reads nothing of Docket's.
    let no_address = firm.docket.clone().with_reply_mailbox(true);
    assert_eq!(no_address.replies_by_email(), RepliesByEmail::NotSetUp);
}
