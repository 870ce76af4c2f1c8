//! The language of a portal page. A page for a known contact (a live link's landing page, the
//! checklist, the account) is in the contact's language, else the firm's. A page shown before
//! Docket knows who is asking (a broken or expired link, the sign-in pages, a refused form) is
//! in the visitor's choice from a footer (the `docket_lang` cookie, `switch.rs`), else the best
//! match of the browser's `Accept-Language` among the languages Docket has, else the firm's
//! `firm.locale`; such a page says `Vary: Accept-Language, Cookie` (`pages.rs` writes both).

use axum::http::{HeaderMap, header};
use docket_engine::i18n;

use super::pages::{Firm, firm};
use crate::AppState;
use crate::browser::cookie;

/// The cookie that keeps a visitor's choice; not a secret, so the same name on http and https.
pub(super) const LANGUAGE_COOKIE: &str = "docket_lang";

/// The firm as a page for a visitor Docket does not know yet shows it, in their language.
pub(super) fn visitor(state: &AppState, headers: &HeaderMap) -> Firm {
    let firm = firm(state);
    let locale = chosen(headers)
        .or_else(|| accepted(headers))
        .unwrap_or(firm.locale);
    Firm {
        locale,
        negotiated: true,
        ..firm
    }
}

/// The language the visitor chose from a footer, if it is one Docket has.
fn chosen(headers: &HeaderMap) -> Option<&'static str> {
    let code = cookie(headers, LANGUAGE_COOKIE, LANGUAGE_COOKIE)?;
    i18n::check_language(&code).ok()
}

/// The best match of the request's `Accept-Language` among Docket's languages: the tag with
/// the highest weight (the first of equal ones) whose language Docket has; `fr-CH` matches
/// `fr`. None when it names none of them.
pub(crate) fn accepted(headers: &HeaderMap) -> Option<&'static str> {
    let mut offered: Vec<(u16, &'static str)> = Vec::new();
    for value in headers.get_all(header::ACCEPT_LANGUAGE) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), weight);
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            if let (Some(weight), Ok(code)) = (weight, i18n::check_language(primary))
                && weight > 0
            {
                offered.push((weight, code));
            }
        }
    }
    // A stable sort keeps the header's order among equal weights.
    offered.sort_by_key(|(weight, _)| std::cmp::Reverse(*weight));
    offered.first().map(|(_, code)| *code)
}

/// A `q=` weight in thousandths ("0.8" → 800); None when it is not one.
fn weight(q: &str) -> Option<u16> {
    let q: f32 = q.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&q)
        .then(|| (q * 1000.0).round() as u16)
}

#[cfg(test)]
#[path = "language_tests.rs"]
mod tests;
