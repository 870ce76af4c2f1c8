//! Unit tests of `filetype.rs`.

use super::*;

const PE: &str = "application/vnd.microsoft.portable-executable";

#[test]
fn a_program_named_as_a_document_is_a_mismatch() {
    let found = mismatch("invoice.pdf", PE).expect("a mismatch");
    assert_eq!(found.name_says, ".pdf");
    assert_eq!(found.content_is, PE);
    assert!(mismatch("Invoice.PDF", PE).is_some());
    assert!(mismatch("scan.jpg", "text/html").is_some());
    assert!(
        mismatch("notes", PE).is_some(),
        "a program with no extension"
    );
    assert!(mismatch("notes.weird", "application/x-executable").is_some());
}

#[test]
fn honest_names_are_no_mismatch() {
    for (name, detected) in [
        ("invoice.pdf", "application/pdf"),
        ("photo.JPEG", "image/jpeg"),
        ("accounts.xlsx", "application/zip"),
        (
            "letter.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("old.doc", "application/x-ole-storage"),
        ("figures.csv", "text/plain"),
        ("setup.exe", PE),
        ("archive.7z", "application/x-7z-compressed"),
        ("no-extension", "text/plain"),
    ] {
        assert_eq!(mismatch(name, detected), None, "{name} {detected}");
    }
}

#[test]
fn a_download_is_named_for_what_it_is() {
    assert_eq!(extension_of(PE), "exe");
    assert_eq!(extension_of("text/html"), "html");
    assert_eq!(extension_of("application/x-unknown"), "bin");
}

#[test]
fn a_mismatched_file_downloads_under_what_it_is() {
    let mut file = crate::model::UploadedFile {
        id: ulid::Ulid::nil(),
        work: "01HZZZZZZZZZZZZZZZZZZZZZZZ".parse().unwrap(),
        at: chrono::Utc::now(),
        uploaded_by: crate::model::Actor::System,
        name: "invoice.pdf".into(),
        content_type: PE.into(),
        content: crate::model::StoredFile {
            sha256: String::new(),
            size: 1,
        },
        task: None,
        type_mismatch: None,
    };
    assert_eq!(download_name(&file), "invoice.pdf");
    file.type_mismatch = mismatch(&file.name, PE);
    assert_eq!(download_name(&file), "invoice.pdf.exe");
}
