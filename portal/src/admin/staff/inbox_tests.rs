//! Unit tests of `inbox.rs`.

use super::*;

#[test]
fn mark_read_goes_back_to_an_inbox_page_only() {
    for (back, to) in [
        (
            "/admin/inbox?before=01ABC&show=unread",
            "/admin/inbox?before=01ABC&show=unread",
        ),
        ("/admin/inbox", "/admin/inbox"),
        ("https://evil.example/admin/inbox", "/admin/inbox"),
        ("/admin/inbox//evil", "/admin/inbox"),
        ("/admin/settings", "/admin/inbox"),
        ("", "/admin/inbox"),
    ] {
        assert_eq!(back_to(back), to, "{back}");
    }
}
