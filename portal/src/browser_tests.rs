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
