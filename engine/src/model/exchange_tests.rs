//! Unit tests of `exchange.rs`.

use super::*;

#[test]
fn a_first_format_file_record_is_upgraded() {
    let v1 = br#"{"id":"01M8B2FX6WPP51V1V22EBA9W8H","work":"01M8B2FX6WPP51V1V22EBA9W8J","at":"2026-11-26T04:40:48Z","uploaded_by":{"type":"api","id":"fixture"},"name":"p60.pdf","content_type":"application/pdf","size":21,"sha256":"945ee3b092dec38d8491051812ee15ceee86256a0c78c56b53a311ca381b5159","task":[0,0]}"#;
    let mut bytes = 1u16.to_be_bytes().to_vec();
    bytes.extend_from_slice(v1);
    let file: UploadedFile = crate::store::decode(&bytes).unwrap();
    assert_eq!(file.content.size, 21);
    assert!(file.content.sha256.starts_with("945ee3b0"));
    assert_eq!(file.task, Some((0, 0)));
    let mut broken = 1u16.to_be_bytes().to_vec();
    broken.extend_from_slice(br#"{"id":"01M8B2FX6WPP51V1V22EBA9W8H"}"#);
    let err = crate::store::decode::<UploadedFile>(&broken).unwrap_err();
    assert!(err.to_string().contains("no sha256"), "{err}");
}

#[test]
fn file_names_lose_folders_and_control_characters() {
    let cases = [
        ("P60 2026.pdf", "P60 2026.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\bank.pdf", "bank.pdf"),
        (".htaccess", "htaccess"),
        ("evil\u{0}name\r\n.pdf", "evilname.pdf"),
        ("", "upload"),
        ("...", "upload"),
        (". .", "upload"),
        (" . .htaccess", "htaccess"),
        ("a<b>c?.txt", "abc.txt"),
        ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
        ("a\u{2066}b\u{200F}c.pdf", "abc.pdf"),
        ("x\r\nSet-Cookie: y.pdf", "xSet-Cookie y.pdf"),
    ];
    for (raw, want) in cases {
        assert_eq!(sanitise_file_name(raw), want, "{raw:?}");
    }
    assert_eq!(sanitise_file_name(&"x".repeat(500)).len(), 200);
    let long = sanitise_file_name(&format!("{}.pdf", "y".repeat(400)));
    assert_eq!(long.chars().count(), 200);
    assert!(long.ends_with("yy.pdf"), "{long}");
}
