//! Client emails in the contact's language, through the real sending path to a real SMTP
//! server: a German contact's request and reminder are German (dates too), a French one's
//! French, a contact without a language gets the firm's, and English stays as it was.

use docket_engine::config::FirmConfig;
use docket_engine::model::{Actor, NewContact};

use super::support::smtp::Received;
use super::{Firm, secure_sink, smtp_config, utc};

const URGENT: &str = r#"
name = "Urgent"
[[groups]]
name = "Signature"
reminders = { plugin = "urgent" }
[[groups.tasks]]
title = "Sign the return"
due = 3
"#;

fn kind_to<'a>(mails: &'a [Received], to: &str, reminder: bool) -> &'a Received {
    mails
        .iter()
        .find(|m| {
            m.header("To").is_some_and(|t| t.contains(to))
                && m.header("In-Reply-To").is_some() == reminder
        })
        .unwrap_or_else(|| {
            panic!(
                "no {} to {to}",
                if reminder { "reminder" } else { "request" }
            )
        })
}

#[test]
fn a_german_contacts_reminder_is_in_german_and_each_contact_reads_their_language() {
    let sink = secure_sink();
    let smtp = smtp_config(&sink, Some(("docket", "s3cret pass")));
    // Monday 2 March 2026; the task is due on Thursday 5 March.
    let firm = Firm::new(
        "2026-03-02T08:00:00Z",
        FirmConfig {
            name: "Smith & Co".into(),
            ..FirmConfig::default()
        },
        &smtp,
    );
    firm.docket.import_template(URGENT).unwrap();
    for (name, email, locale) in [
        ("Dieter Braun", "dieter@braun.example", Some("de")),
        ("Élise Martin", "elise@martin.example", Some("FR")),
        ("Ann Archer", "ann@archer.example", None),
    ] {
        firm.docket
            .create_contact(
                NewContact {
                    name: name.into(),
                    email: email.into(),
                    timezone: None,
                    locale: locale.map(str::to_string),
                },
                Actor::System,
            )
            .unwrap();
        let work = firm.work("Urgent", "2026-03-02", email, None);
        firm.docket
            .send_group(work, 0, Actor::Api("crm".into()))
            .unwrap();
    }
    // The requests go now; the urgent policy's first reminders the next morning at nine.
    firm.run_until(utc("2026-03-03T15:00:00Z"));
    let mails = sink.messages();

    let reminder = kind_to(&mails, "dieter@braun.example", true);
    assert_eq!(
        reminder.header("Subject"),
        Some("Erinnerung: Urgent 2026-03-02: Signature")
    );
    for german in [
        "Guten Tag Dieter Braun,",
        "Eine Erinnerung von Smith & Co: Wir warten noch auf Folgendes für „Urgent 2026-03-02“ (Signature).",
        "- Sign the return — fällig am Donnerstag, 5. März 2026",
        "Öffnen Sie Ihre Checkliste:",
    ] {
        assert!(
            reminder.text.contains(german),
            "no “{german}” in:\n{}",
            reminder.text
        );
    }
    assert_eq!(reminder.header("Content-Language"), Some("de"));
    let html = reminder.html.as_deref().expect("an HTML part");
    assert!(html.contains(r#"<html lang="de">"#), "{html}");
    assert!(html.contains("Meine Checkliste öffnen"), "{html}");
    assert!(
        html.contains("<strong>Urgent 2026-03-02</strong>"),
        "{html}"
    );
    let request = kind_to(&mails, "dieter@braun.example", false);
    assert!(
        request
            .text
            .contains("Smith & Co benötigt einige Unterlagen von Ihnen"),
        "{}",
        request.text
    );

    // French, typed in capitals: stored as `fr`.
    let french = kind_to(&mails, "elise@martin.example", true);
    assert_eq!(
        french.header("Subject"),
        Some("Rappel : Urgent 2026-03-02 : Signature")
    );
    assert_eq!(french.header("Content-Language"), Some("fr"));
    assert!(
        french
            .text
            .contains("- Sign the return — à fournir le jeudi 5 mars 2026"),
        "{}",
        french.text
    );

    // No language of her own and an English firm: exactly the English of before.
    let english = kind_to(&mails, "ann@archer.example", true);
    assert_eq!(
        english.header("Subject"),
        Some("Reminder: Urgent 2026-03-02: Signature")
    );
    assert_eq!(english.header("Content-Language"), Some("en"));
    assert!(
        english.text.starts_with(
            "Hello Ann Archer,\n\nA reminder from Smith & Co: we are still waiting for these for \"Urgent 2026-03-02\" (Signature).\n\n- Sign the return — due Thursday 5 March 2026\n"
        ),
        "{}",
        english.text
    );
    assert!(
        english
            .html
            .as_deref()
            .unwrap()
            .contains(r#"<html lang="en">"#)
    );
}

#[test]
fn a_contact_without_a_language_reads_the_firms_and_an_unknown_one_is_refused() {
    let sink = secure_sink();
    let smtp = smtp_config(&sink, Some(("docket", "s3cret pass")));
    let firm = Firm::new(
        "2026-03-02T08:00:00Z",
        FirmConfig {
            name: "Cabinet Dupont".into(),
            locale: "fr".into(),
            ..FirmConfig::default()
        },
        &smtp,
    );
    firm.docket.import_template(URGENT).unwrap();
    let refused = firm
        .docket
        .create_contact(
            NewContact {
                name: "Kim".into(),
                email: "kim@example.com".into(),
                timezone: None,
                locale: Some("klingon".into()),
            },
            Actor::System,
        )
        .unwrap_err();
    assert_eq!(refused.field(), Some("locale"));
    assert!(
        refused
            .to_string()
            .contains("en (English), de (Deutsch), fr (Français)"),
        "{refused}"
    );
    firm.contact("Paul Petit", "paul@petit.example", None);
    let work = firm.work("Urgent", "2026-03-02", "paul@petit.example", None);
    firm.docket
        .send_group(work, 0, Actor::Api("crm".into()))
        .unwrap();
    firm.deliver();
    let mails = sink.wait_for(1, std::time::Duration::from_secs(30));
    let request = kind_to(&mails, "paul@petit.example", false);
    assert_eq!(request.header("Content-Language"), Some("fr"));
    assert!(
        request.text.starts_with("Bonjour Paul Petit,"),
        "{}",
        request.text
    );
    assert!(
        request
            .text
            .contains("- Sign the return (à fournir le jeudi 5 mars 2026)"),
        "{}",
        request.text
    );
}

#[test]
fn staff_emails_say_they_are_english() {
    let sink = secure_sink();
    let smtp = smtp_config(&sink, Some(("docket", "s3cret pass")));
    let firm = Firm::new(
        "2026-03-02T08:00:00Z",
        FirmConfig {
            name: "Cabinet Dupont".into(),
            locale: "fr".into(),
            ..FirmConfig::default()
        },
        &smtp,
    );
    // Staff pages and emails are English, whatever the firm's clients read.
    firm.docket
        .invite_user(
            docket_engine::docket::NewInvite {
                email: "claire@dupont.example".into(),
                name: "Claire".into(),
                role: docket_engine::model::Role::Staff,
            },
            "Test",
        )
        .unwrap();
    firm.deliver();
    let mails = sink.wait_for(1, std::time::Duration::from_secs(30));
    let invite = mails
        .iter()
        .find(|m| {
            m.header("To")
                .is_some_and(|t| t.contains("claire@dupont.example"))
        })
        .expect("the invitation");
    assert_eq!(invite.header("Content-Language"), Some("en"));
    assert!(invite.text.starts_with("Hello Claire,"), "{}", invite.text);
}
