//! Unit tests of `switch.rs`: where a footer may send the browser back.

use super::portal_page;

#[test]
fn a_footer_sends_the_browser_back_to_a_portal_page_only() {
    assert!(portal_page("/account/sign-in"));
    assert!(portal_page("/account"));
    assert!(portal_page("/c/abc"));
    for elsewhere in [
        "//evil.example/account",
        "https://evil.example/",
        "/\\evil.example",
        "/admin",
        "/accountant",
        "/account/sign-in\r\nSet-Cookie: x=1",
        "",
    ] {
        assert!(!portal_page(elsewhere), "{elsewhere:?}");
    }
}
