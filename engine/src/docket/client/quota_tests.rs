//! Unit tests of `quota.rs`.

use crate::Error;
use crate::config::{FirmConfig, UploadQuota};
use crate::docket::Docket;
use crate::docket::client::{ClientSession, Opened};
use crate::docket::test_firm::{Firm, token};
use crate::model::{Actor, EventKind, StoredFile};

/// A firm with Ann's work sent and open on her device; its session, through a docket with
/// `quota`.
fn session(quota: UploadQuota) -> (Firm, Docket, ClientSession) {
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
    let docket = firm.docket.clone().with_upload_quota(quota);
    let session = docket
        .client_session(id, 0, new_secret.as_deref())
        .unwrap()
        .unwrap();
    (firm, docket, session)
}

fn stored(docket: &Docket, bytes: &[u8]) -> StoredFile {
    docket
        .store()
        .files()
        .write(&mut &bytes[..], 1 << 20)
        .unwrap()
}

fn upload(docket: &Docket, session: &ClientSession, n: usize, bytes: &[u8]) -> crate::Result<()> {
    let file = stored(docket, bytes);
    docket
        .client_upload(
            session,
            0,
            &format!("file-{n}.pdf"),
            "application/pdf",
            file,
        )
        .map(|_| ())
}

#[test]
fn a_work_items_file_count_is_capped() {
    let quota = UploadQuota {
        files_per_work: 3,
        ..UploadQuota::default()
    };
    let (_firm, docket, session) = session(quota);
    for n in 0..3 {
        upload(&docket, &session, n, format!("%PDF {n}").as_bytes()).unwrap();
    }
    let err = upload(&docket, &session, 3, b"%PDF 3").unwrap_err();
    assert!(matches!(err, Error::TooLarge(_)), "{err}");
    assert!(err.to_string().contains("already has 3 files"), "{err}");
    // Asked before any byte is read, the answer is the same.
    assert!(matches!(
        docket.client_upload_allowed(&session, 0),
        Err(Error::TooLarge(_))
    ));
    assert_eq!(docket.files(session.work).unwrap().len(), 3);
    // Staff are told, once.
    let _ = upload(&docket, &session, 4, b"%PDF 4");
    let noted: Vec<_> = docket
        .work_timeline(session.work, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::FileUploaded && e.summary.contains("refused"))
        .collect();
    assert_eq!(noted.len(), 1, "{noted:?}");
}

#[test]
fn a_work_items_bytes_are_capped() {
    let quota = UploadQuota {
        bytes_per_work: 1024,
        ..UploadQuota::default()
    };
    let (_firm, docket, session) = session(quota);
    upload(&docket, &session, 0, &[b'a'; 1000]).unwrap();
    let err = upload(&docket, &session, 1, &[b'b'; 100]).unwrap_err();
    assert!(matches!(err, Error::TooLarge(_)), "{err}");
    assert!(
        err.to_string().contains("room for 24 bytes more") && err.to_string().contains("1 KB"),
        "{err}"
    );
    // One that fits still goes in.
    upload(&docket, &session, 2, &[b'c'; 24]).unwrap();
}

#[test]
fn one_device_is_limited_per_hour() {
    let quota = UploadQuota {
        per_device_per_hour: 2,
        ..UploadQuota::default()
    };
    let (firm, docket, session) = session(quota);
    upload(&docket, &session, 0, b"one").unwrap();
    upload(&docket, &session, 1, b"two").unwrap();
    let err = upload(&docket, &session, 2, b"three").unwrap_err();
    assert!(matches!(err, Error::TooFast(_)), "{err}");
    assert!(
        matches!(
            docket.client_upload_allowed(&session, 10),
            Err(Error::TooFast(_))
        ),
        "asked before reading, too"
    );
    firm.clock.advance(chrono::Duration::minutes(61));
    upload(&docket, &session, 3, b"four").unwrap();
}

#[test]
fn staff_uploads_are_not_counted() {
    let quota = UploadQuota {
        files_per_work: 1,
        ..UploadQuota::default()
    };
    let (_firm, docket, session) = session(quota);
    let file = stored(&docket, b"%PDF staff");
    docket
        .attach_file(
            session.work,
            crate::docket::work::exchange::UploadDetails {
                name: "letter.pdf".into(),
                content_type: "application/pdf".into(),
                task: Some((0, 0)),
            },
            file,
            Actor::System,
        )
        .unwrap();
    upload(&docket, &session, 0, b"%PDF client").unwrap();
}

#[test]
fn a_file_whose_content_disagrees_with_its_name_is_flagged() {
    let (_firm, docket, session) = session(UploadQuota::default());
    let file = stored(&docket, b"MZ\x90\0");
    let pe = "application/vnd.microsoft.portable-executable";
    let record = docket
        .client_upload(&session, 0, "invoice.pdf", pe, file)
        .unwrap();
    let mismatch = record.type_mismatch.expect("flagged");
    assert_eq!(mismatch.name_says, ".pdf");
    assert_eq!(mismatch.content_is, pe);
    let timeline = docket.work_timeline(session.work, 50).unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e.summary.contains("not what its name says")),
        "{timeline:?}"
    );
}
