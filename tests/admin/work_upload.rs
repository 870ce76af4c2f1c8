//! A document attached to a work item's task from its page: a multipart form whose token and
//! origin are checked before the file is stored; refusals change nothing.

use docket_engine::model::Actor;
use reqwest::StatusCode;

use super::{Admin, STAFF, body, client};

const BOUNDARY: &str = "----docket-work-test";

/// A multipart form: the form token (when given), then a file.
fn attach_form(token: Option<&str>, file_name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(token) = token {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n{token}\r\n"
            )
            .bytes(),
        );
    }
    body.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").bytes());
    body
}

#[test]
fn staff_attach_a_document_to_a_task() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let id = admin.work;
    let path = format!("/admin/work/{id}/groups/0/tasks/1/attach");
    let post = |origin: &str, body: Vec<u8>| {
        client()
            .post(admin.url(&path))
            .header("X-Forwarded-For", super::HOME)
            .header("Cookie", &sam.cookie)
            .header("Origin", origin)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .unwrap()
    };
    // Without the token, with a wrong one, or from another site: nothing stored.
    for (origin, token) in [
        (admin.base.as_str(), None),
        (admin.base.as_str(), Some("forged")),
        ("https://evil.example", Some(sam.token.as_str())),
    ] {
        let answer = post(origin, attach_form(token, "letter.pdf", b"%PDF-1.4 letter"));
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{origin} {token:?}");
        assert!(admin.docket.files(id).unwrap().is_empty());
    }
    // An empty file: the form again, the message next to the field.
    let answer = post(&admin.base, attach_form(Some(&sam.token), "empty.pdf", b""));
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(answer).contains("id=\"attach-0-1-error\""));
    assert!(admin.docket.files(id).unwrap().is_empty());

    let answer = post(
        &admin.base,
        attach_form(Some(&sam.token), "letter.pdf", b"%PDF-1.4 letter"),
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let files = admin.docket.files(id).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].task, Some((0, 1)));
    assert_eq!(files[0].content_type, "application/pdf");
    assert!(matches!(files[0].uploaded_by, Actor::Staff(_)));
    // The client sees it on the checklist (shown here through "view as client").
    let page = body(admin.get(&format!("/admin/work/{id}/groups/0/as-client"), Some(&sam)));
    assert!(page.contains("letter.pdf"), "{page}");
}

#[test]
fn a_file_that_is_not_what_its_name_says_is_flagged_on_the_work_page() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let id = admin.work;
    let path = format!("/admin/work/{id}/groups/0/tasks/1/attach");
    // An ELF program named as a PDF.
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.resize(64, 0);
    let answer = client()
        .post(admin.url(&path))
        .header("X-Forwarded-For", super::HOME)
        .header("Cookie", &sam.cookie)
        .header("Origin", &admin.base)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(attach_form(Some(&sam.token), "invoice.pdf", &elf))
        .send()
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let file = admin.docket.files(id).unwrap().pop().unwrap();
    assert_eq!(file.content_type, "application/x-executable");
    let page = body(admin.get(&format!("/admin/work/{id}"), Some(&sam)));
    assert!(
        page.contains("Not what its name says")
            && page.contains("application/x-executable")
            && page.contains("invoice.pdf.elf"),
        "{page}"
    );
    // Its download is named for what it is.
    let got = admin.get(&format!("/admin/work/{id}/files/{}", file.id), Some(&sam));
    assert_eq!(got.status(), StatusCode::OK);
    let disposition = got.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("invoice.pdf.elf"), "{disposition}");
}
