//! The language of a portal page: the contact's, when the request identifies one (a link's or a
//! sign-in link's token, the device cookie of a group of the work in the path, the signed-in
//! account), refusals and stale links included; else the visitor's choice from a footer (the
//! `docket_lang` cookie, `switch.rs`), else the best match of the browser's `Accept-Language`
//! among the languages Docket has, else the firm's `firm.locale`. A page whose language came
//! from the request's headers says `Vary: Accept-Language, Cookie` (`pages.rs` writes both).

use axum::http::{HeaderMap, header};
use docket_engine::i18n;

use docket_engine::model::WorkId;

use super::pages::{Firm, firm};
use super::{ACCOUNT_COOKIE_PLAIN, ACCOUNT_COOKIE_SECURE, device_cookie};
use crate::AppState;
use crate::browser::cookie;

/// The cookie that keeps a visitor's choice; not a secret, so the same name on http and https.
pub(super) const LANGUAGE_COOKIE: &str = "docket_lang";

/// The firm as a page outside any checklist shows it: in the signed-in account's language,
/// else the visitor's.
pub(super) fn visitor(state: &AppState, headers: &HeaderMap) -> Firm {
    visitor_on(state, headers, None)
}

/// The firm as a page under work `work`'s checklists (`/p/WORK/…`) shows it: in the language of
/// the contact this device holds (or held) one of its groups for, else as `visitor`'s.
pub(super) fn visitor_on(state: &AppState, headers: &HeaderMap, work: Option<WorkId>) -> Firm {
    let device = device_cookie(headers);
    let account = cookie(headers, ACCOUNT_COOKIE_SECURE, ACCOUNT_COOKIE_PLAIN);
    // Reads only, as the checklist's guard's are: done on this thread.
    let known = state
        .docket
        .visitor_locale(work, device.as_deref(), account.as_deref())
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot tell whose language a page is in");
            None
        });
    with_contact(browser(state, headers), known)
}

/// `firm` in the language of the contact a request identifies, when it identifies one.
pub(super) fn with_contact(firm: Firm, contact_locale: Option<&'static str>) -> Firm {
    match contact_locale {
        Some(locale) => Firm { locale, ..firm },
        None => firm,
    }
}

/// The firm in the language the request's headers ask for: the footer's choice, else the
/// browser's, else the firm's.
pub(super) fn browser(state: &AppState, headers: &HeaderMap) -> Firm {
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
