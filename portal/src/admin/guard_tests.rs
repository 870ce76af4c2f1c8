//! Unit tests of `guard.rs`.

use super::*;

#[test]
fn only_admin_pages_are_gone_to_after_sign_in() {
    for (next, to) in [
        ("/admin/inbox", "/admin/inbox"),
        ("/admin/inbox?show=unread", "/admin/inbox?show=unread"),
        ("/admin", "/admin"),
        ("", "/admin"),
        ("https://evil.example/admin", "/admin"),
        ("//evil.example/admin/", "/admin"),
        ("/admin//evil.example", "/admin"),
        ("/admin/\\evil", "/admin"),
        ("/administrator", "/admin"),
        ("/c/token", "/admin"),
    ] {
        assert_eq!(safe_next(next), to, "{next}");
    }
}
