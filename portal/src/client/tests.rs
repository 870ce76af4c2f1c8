//! Unit tests of this folder's `mod.rs`.

use super::*;

#[test]
fn types_come_from_content_not_names() {
    assert_eq!(sniff(b"%PDF-1.7\n..."), "application/pdf");
    assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
    assert_eq!(
        sniff(b"  <!DOCTYPE html><script>alert(1)</script>"),
        "text/html"
    );
    assert_eq!(sniff(b"<svg onload=alert(1)>"), "image/svg+xml");
    assert_eq!(sniff(b"just some notes"), "text/plain");
    assert_eq!(sniff(&[0xff, 0x00, 0xfe, 0x01]), "application/octet-stream");
}

#[test]
fn tokens_are_hidden_from_logs() {
    assert_eq!(redact_path("/c/abcdef"), "/c/…");
    assert_eq!(redact_path("/c/abcdef/new-link"), "/c/…/new-link");
    assert_eq!(redact_path("/p/01ABC/1"), "/p/01ABC/1");
    assert_eq!(redact_path("/account/s/secret"), "/account/s/…");
    assert_eq!(redact_path("/admin/invite/secret"), "/admin/invite/…");
}
