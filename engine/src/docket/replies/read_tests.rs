//! Reading replies: new text, attachments and automatic answers, table-driven.

use super::*;

fn mail(headers: &str, body: &str) -> Vec<u8> {
    format!("{headers}\r\nMessage-ID: <m1@client.example>\r\n\r\n{body}")
        .replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

#[test]
fn new_text_cuts_quoted_history_and_signatures() {
    let cases = [
        (
            "Here it is.\n\nOn Mon, 3 Mar 2026, Sam Lee <sam@firm.example> wrote:\n> Please send",
            "Here it is.",
        ),
        (
            "Here it is.\nOn Mon, 3 Mar 2026 at 10:00, Sam Lee\n<sam@firm.example> wrote:\n> x",
            "Here it is.",
        ),
        (
            "Voici.\n\nLe lun. 3 mars 2026, Sam a écrit :\n> x",
            "Voici.",
        ),
        (
            "Anbei.\n\nAm 03.03.2026 um 10:00 schrieb Sam:\n> x",
            "Anbei.",
        ),
        ("Done\n\n-----Original Message-----\nFrom: Sam", "Done"),
        (
            "Done\n________________________________\nFrom: Sam\nSent: Monday\nSubject: x",
            "Done",
        ),
        (
            "Thanks,\nJo\n-- \nJo Bloggs, Bloggs Ltd\n07700 900000",
            "Thanks,\nJo",
        ),
        ("ok\n\nSent from my iPhone", "ok"),
        ("> only quoted\n> text", ""),
        ("line one\n> quoted\nline two", "line one\nline two"),
    ];
    for (body, want) in cases {
        assert_eq!(new_text(body), want, "{body:?}");
    }
}

#[test]
fn a_plain_reply_is_read_with_its_addresses() {
    let raw = mail(
        "From: Jo Bloggs <Jo@Client.example>\r\nTo: replies+abc@firm.example\r\nCc: sam@firm.example\r\nSubject: Re: Documents",
        "Attached.\r\n\r\nOn Mon, Sam wrote:\r\n> Please send your P60\r\n",
    );
    let read = read_reply(&raw).unwrap();
    assert_eq!(read.from, "jo@client.example");
    assert_eq!(read.message_id, "m1@client.example");
    assert_eq!(read.subject, "Re: Documents");
    assert_eq!(
        read.recipients,
        ["replies+abc@firm.example", "sam@firm.example"]
    );
    assert_eq!(read.text, "Attached.");
    assert_eq!(read.auto, None);
    assert!(read.attachments.is_empty());
}

#[test]
fn html_only_mail_becomes_text() {
    let raw = mail(
        "From: jo@client.example\r\nTo: replies+abc@firm.example\r\nSubject: Re\r\nContent-Type: text/html; charset=utf-8",
        "<html><body><p>Here is <b>my</b> P60.</p><blockquote>old</blockquote></body></html>",
    );
    let read = read_reply(&raw).unwrap();
    assert!(read.text.starts_with("Here is my P60."), "{:?}", read.text);
    assert!(!read.text.contains('<'));
}

#[test]
fn attachments_are_typed_from_their_bytes() {
    let raw = mail(
        "From: jo@client.example\r\nTo: replies+abc@firm.example\r\nSubject: Re\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"",
        "--b\r\nContent-Type: text/plain\r\n\r\nMy P60\r\n--b\r\nContent-Type: application/octet-stream; name=\"p60.pdf\"\r\nContent-Disposition: attachment; filename=\"p60.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCg==\r\n--b--\r\n",
    );
    let read = read_reply(&raw).unwrap();
    assert_eq!(read.text, "My P60");
    assert_eq!(read.attachments.len(), 1);
    assert_eq!(read.attachments[0].name, "p60.pdf");
    assert_eq!(read.attachments[0].content_type, "application/pdf");
    assert!(read.attachments[0].bytes.starts_with(b"%PDF-1.4"));
}

#[test]
fn automatic_answers_are_recognised() {
    let cases = [
        (
            "Auto-Submitted: auto-replied\r\nSubject: Away",
            Some(AutoReply::OutOfOffice),
        ),
        (
            "X-Autoreply: yes\r\nSubject: Re: Documents",
            Some(AutoReply::OutOfOffice),
        ),
        (
            "Auto-Submitted: auto-generated\r\nSubject: Out of Office: Re: Documents",
            Some(AutoReply::OutOfOffice),
        ),
        (
            "Auto-Submitted: auto-generated\r\nSubject: Your ticket",
            Some(AutoReply::Other),
        ),
        ("Precedence: bulk\r\nSubject: News", Some(AutoReply::Other)),
        ("Auto-Submitted: no\r\nSubject: Re: Documents", None),
        ("Subject: Re: Documents", None),
        (
            "Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\nSubject: Undelivered",
            Some(AutoReply::Bounce),
        ),
    ];
    for (headers, want) in cases {
        let raw = mail(
            &format!("From: jo@client.example\r\nTo: replies+abc@firm.example\r\n{headers}"),
            "Text\r\n",
        );
        assert_eq!(read_reply(&raw).unwrap().auto, want, "{headers}");
    }
    let daemon = mail(
        "From: MAILER-DAEMON@mx.client.example\r\nTo: replies+abc@firm.example\r\nSubject: failure",
        "x",
    );
    assert_eq!(read_reply(&daemon).unwrap().auto, Some(AutoReply::Bounce));
}

#[test]
fn a_message_without_message_id_is_known_by_its_hash() {
    let raw = b"From: jo@client.example\r\nSubject: x\r\n\r\nhi\r\n";
    let read = read_reply(raw).unwrap();
    assert!(read.message_id.starts_with("sha256:"));
    assert_eq!(read.message_id, read_reply(raw).unwrap().message_id);
}
