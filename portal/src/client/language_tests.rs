//! Unit tests of `language.rs`: the browser's language chosen.

use axum::http::{HeaderMap, HeaderValue, header};

use super::accepted;

fn asking(value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT_LANGUAGE,
        HeaderValue::from_str(value).unwrap(),
    );
    headers
}

#[test]
fn the_browsers_best_language_among_dockets_is_chosen() {
    assert_eq!(accepted(&asking("fr-CH, fr;q=0.9, en;q=0.8")), Some("fr"));
    assert_eq!(accepted(&asking("de-DE")), Some("de"));
    // Weights, not order, decide; a language Docket lacks is passed over.
    assert_eq!(accepted(&asking("en;q=0.5, es, de;q=0.7")), Some("de"));
    // Equal weights: the first named.
    assert_eq!(accepted(&asking("FR, de")), Some("fr"));
    // Refused (q=0) or nothing Docket has: no answer, so the firm's language is used.
    assert_eq!(accepted(&asking("fr;q=0, es")), None);
    assert_eq!(accepted(&asking("*")), None);
    assert_eq!(accepted(&asking("fr;q=oops")), None);
    assert_eq!(accepted(&HeaderMap::new()), None);
}
