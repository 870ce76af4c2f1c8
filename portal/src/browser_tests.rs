//! Unit tests of `browser.rs`.

use super::*;

#[test]
fn origins() {
    assert_eq!(
        origin_of("https://docket.example/x"),
        Some("https://docket.example")
    );
    assert_eq!(
        origin_of("http://127.0.0.1:8080"),
        Some("http://127.0.0.1:8080")
    );
}

#[test]
fn a_page_shows_only_the_logo_this_site_serves() {
    for (url, shown) in [
        (
            "https://docket.example/firm/logo?v=abc123",
            Some("/firm/logo?v=abc123"),
        ),
        ("http://127.0.0.1:8080/firm/logo", Some("/firm/logo")),
        ("/firm/logo?v=1", Some("/firm/logo?v=1")),
        ("https://example.com/logo.png", None),
        ("https://evil.example/firm/logo-tracker", None),
        ("https://evil.example", None),
        ("data:image/png;base64,AAAA", None),
    ] {
        assert_eq!(own_image(Some(url.into())).as_deref(), shown, "{url}");
    }
    assert_eq!(own_image(None), None);
}
