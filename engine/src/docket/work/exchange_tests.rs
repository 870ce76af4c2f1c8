//! Unit tests of `exchange.rs`.

use chrono::NaiveDate;

use super::*;
use crate::demo::EXAMPLE_TEMPLATES;
use crate::docket::test_support::docket_at;
use crate::model::{NewContact, NewWork};

fn work(docket: &Docket) -> WorkId {
    docket.import_template(EXAMPLE_TEMPLATES[1]).unwrap();
    docket
        .create_contact(
            NewContact {
                name: "Bob".into(),
                email: "bob@client.example".into(),
                timezone: None,
                locale: None,
            },
            Actor::System,
        )
        .unwrap();
    docket
        .create_work(
            NewWork {
                template: "Monthly bookkeeping".into(),
                start_date: NaiveDate::from_ymd_opt(2027, 1, 1),
                contacts: vec!["bob@client.example".into()],
                ..NewWork::default()
            },
            Actor::System,
        )
        .unwrap()
        .id
}

#[test]
fn comments_and_files_are_kept_in_order_and_on_the_timeline() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let id = work(&docket);
    docket
        .add_comment(id, " First question ", Actor::System)
        .unwrap();
    docket.add_comment(id, "Second", Actor::System).unwrap();
    let bodies: Vec<_> = docket
        .comments(id)
        .unwrap()
        .into_iter()
        .map(|c| c.body)
        .collect();
    assert_eq!(bodies, ["First question", "Second"]);

    let upload = NewUpload {
        name: "../statements/jan.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.7 ...".to_vec(),
        task: Some((0, 0)),
    };
    let file = docket.add_file(id, upload.clone(), Actor::System).unwrap();
    assert_eq!(file.name, "jan.pdf");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut docket.file_reader(&file).unwrap(), &mut bytes).unwrap();
    assert_eq!(bytes, upload.bytes);
    assert_eq!(docket.files(id).unwrap(), vec![file.clone()]);
    let kinds: Vec<_> = docket
        .work_timeline(id, 3)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::FileUploaded,
            EventKind::CommentAdded,
            EventKind::CommentAdded
        ]
    );
    // Bytes lost from the file store: the download is refused as gone, naming the file.
    docket.store().files().remove(&file.content.sha256).unwrap();
    match docket.file_reader(&file) {
        Err(Error::Gone(m)) => assert!(m.contains("`jan.pdf` are missing"), "{m}"),
        other => panic!("{:?}", other.map(|_| ())),
    }
    docket.add_file(id, upload.clone(), Actor::System).unwrap();
    assert!(
        docket.file_reader(&file).is_ok(),
        "the same upload restores them"
    );
}

#[test]
fn collection_removes_only_old_unreferenced_files() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let id = work(&docket);
    let upload = NewUpload {
        name: "kept.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: b"kept".to_vec(),
        task: None,
    };
    let kept = docket.add_file(id, upload, Actor::System).unwrap();
    let files = docket.store().files();
    let orphan = files.write(&mut b"orphan".as_slice(), 100).unwrap();
    let now = std::time::SystemTime::now();
    assert_eq!(docket.collect_files(now).unwrap().young, 1);
    let later = now + crate::store::files::COLLECT_AFTER * 2;
    assert_eq!(docket.collect_files(later).unwrap().removed, 1);
    assert!(files.read(&orphan.sha256).unwrap().is_none());
    assert!(files.read(&kept.content.sha256).unwrap().is_some());
}

#[test]
fn collection_refuses_when_the_records_look_lost() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let id = work(&docket);
    for name in ["a.pdf", "b.pdf", "c.pdf"] {
        let upload = NewUpload {
            name: name.into(),
            content_type: "application/pdf".into(),
            bytes: name.as_bytes().to_vec(),
            task: None,
        };
        docket.add_file(id, upload, Actor::System).unwrap();
    }
    // The records' index is lost (a damaged or replaced store): no file is referenced.
    let refs = docket
        .store()
        .scan(Tree::FileRefs, b"", None, usize::MAX, false)
        .unwrap();
    let mut batch = Batch::default();
    for (key, _) in refs {
        batch.remove(Tree::FileRefs, key);
    }
    docket.store().commit(batch).unwrap();
    let later = std::time::SystemTime::now() + crate::store::files::COLLECT_AFTER * 2;
    let refused = docket.collect_files(later).unwrap_err().to_string();
    assert!(refused.contains("3 of the 3 uploaded files"), "{refused}");
    assert_eq!(
        docket.store().files().list().unwrap().len(),
        3,
        "nothing removed"
    );
}

#[test]
fn bad_comments_and_files_are_refused_and_change_nothing() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let id = work(&docket);
    assert!(docket.add_comment(id, "   ", Actor::System).is_err());
    assert!(
        docket
            .add_comment(id, &"x".repeat(MAX_COMMENT_CHARS + 1), Actor::System)
            .unwrap_err()
            .to_string()
            .contains("at most")
    );
    let big = NewUpload {
        name: "big.bin".into(),
        content_type: "application/octet-stream".into(),
        bytes: vec![0; MAX_UPLOAD_BYTES + 1],
        task: None,
    };
    assert!(
        docket
            .add_file(id, big, Actor::System)
            .unwrap_err()
            .to_string()
            .contains("files may be at most 50 MiB")
    );
    let stray = NewUpload {
        name: "a.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: vec![1],
        task: Some((5, 0)),
    };
    assert!(docket.add_file(id, stray, Actor::System).is_err());
    let nowhere = WorkId::new(docket.now());
    assert!(matches!(
        docket.add_comment(nowhere, "hi", Actor::System),
        Err(Error::NotFound { .. })
    ));
    assert!(docket.comments(id).unwrap().is_empty() && docket.files(id).unwrap().is_empty());
    assert!(docket.store().files().list().unwrap().is_empty());
    assert_eq!(docket.store().len(Tree::FileRefs).unwrap(), 0);
}
