//! Unit tests of `templates.rs`.

use super::*;

#[test]
fn built_in_templates_render_and_escape_html() {
    let templates = MailTemplates::load(None).unwrap();
    let mut context = sample();
    context.tasks[0].title = "<b>P60</b>".into();
    let r = templates.render(MessageKind::Reminder, &context).unwrap();
    assert_eq!(r.subject, "Reminder: 2026 tax return: Documents we need");
    assert!(
        r.text
            .contains("- <b>P60</b> — was due Thursday 30 April 2026"),
        "{}",
        r.text
    );
    let html = r.html.unwrap();
    assert!(html.contains("&lt;b&gt;P60&lt;&#x2f;b&gt;"), "{html}");
    // Escaped in the attribute, which browsers and mail readers decode.
    assert!(
        html.contains("href=\"https:&#x2f;&#x2f;docket.example&#x2f;c&#x2f;TOKEN\""),
        "{html}"
    );
}

#[test]
fn a_broken_override_stops_loading_with_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("reminder.txt"),
        "Hello {{ contact_name }}\n{{ no_such_field }}\n",
    )
    .unwrap();
    let err = MailTemplates::load(Some(dir.path()))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("reminder.txt"), "{err}");
    assert!(err.contains("line 2"), "{err}");

    // An optional field used as if always set fails against the empty sample.
    std::fs::write(
        dir.path().join("reminder.txt"),
        "{{ firm_logo_url | length }}\n",
    )
    .unwrap();
    assert!(MailTemplates::load(Some(dir.path())).is_err());

    std::fs::remove_file(dir.path().join("reminder.txt")).unwrap();
    std::fs::write(dir.path().join("remindr.txt"), "x").unwrap();
    let err = MailTemplates::load(Some(dir.path()))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("`remindr.txt` is not a template name"),
        "{err}"
    );

    std::fs::remove_file(dir.path().join("remindr.txt")).unwrap();
    std::fs::write(
        dir.path().join("request.subject"),
        "Please: {{ work_name }}",
    )
    .unwrap();
    let templates = MailTemplates::load(Some(dir.path())).unwrap();
    let r = templates.render(MessageKind::Request, &sample()).unwrap();
    assert_eq!(r.subject, "Please: 2026 tax return");
}

#[test]
fn a_subject_carries_no_bidi_controls() {
    let templates = MailTemplates::load(None).unwrap();
    for c in [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
    ] {
        let mut context = sample();
        context.work_name = format!("2026 {c}xat return");
        let r = templates.render(MessageKind::Reminder, &context).unwrap();
        assert!(
            !r.subject.chars().any(crate::text::is_bidi_control),
            "{:04X}: {}",
            c as u32,
            r.subject
        );
        assert!(r.subject.contains("2026 xat return"), "{}", r.subject);
    }
}

#[test]
fn a_name_in_a_body_closes_what_it_opens() {
    let templates = MailTemplates::load(None).unwrap();
    let mut context = sample();
    context.contact_name = "Ann \u{202E}rehcrA".into();
    context.work_name = "2026 \u{2067}xat".into();
    let r = templates.render(MessageKind::Reminder, &context).unwrap();
    assert!(r.text.contains("Ann \u{202E}rehcrA\u{202C}"), "{}", r.text);
    let html = r.html.unwrap();
    assert!(html.contains("2026 \u{2067}xat\u{2069}"), "{html}");
}
