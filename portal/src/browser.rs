//! What the pages served to browsers share — the client portal's and the staff admin's: the
//! security headers on every answer, the same-origin check before every form post, cookies
//! (named `__Host-…` and `Secure` over https), and who is asking (user agent, address).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap, HeaderValue, header};
use axum::response::Response;

use crate::AppState;

/// Headers on every page: no referrer (links carry tokens), a strict CSP with no inline script
/// or style, scripts (the admin's one) and images from this site only (the logo is served here: `own_image`), no sniffing,
/// no framing, no caching of pages.
pub(crate) async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A page's image address for `url` when it is the logo this site serves (`…/firm/logo…`, as an
/// upload sets it): its path and query, so the CSP's `img-src 'self'` lets it show. Any other
/// address (a `firm.logo_url` elsewhere, which emails may still show) gives no image on a page,
/// and the page shows the firm's name alone. A minijinja filter in both page environments.
pub(crate) fn own_image(url: Option<String>) -> Option<String> {
    let url = url?;
    let path = match url.find("://") {
        Some(at) => {
            let rest = &url[at + 3..];
            &rest[rest.find('/')?..]
        }
        None => url.as_str(),
    };
    let own = path == "/firm/logo" || path.starts_with("/firm/logo?");
    own.then(|| path.to_string())
}

/// How both page environments print a value: escaped (minijinja's own formatter), after closing
/// whatever bidirectional embedding, override or isolate it opens (`text::close_bidi`), so a name,
/// title or comment cannot reverse what the page prints after it — in text, attributes and
/// titles alike. Templates also put user text in `<bdi>`, which isolates its direction.
pub(crate) fn page_formatter(
    out: &mut minijinja::Output<'_>,
    state: &minijinja::State<'_, '_>,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    if let Some(text) = value.as_str()
        && let std::borrow::Cow::Owned(closed) = docket_engine::text::close_bidi(text)
    {
        let closed = if value.is_safe() {
            minijinja::Value::from_safe_string(closed)
        } else {
            minijinja::Value::from(closed)
        };
        return minijinja::escape_formatter(out, state, &closed);
    }
    minijinja::escape_formatter(out, state, value)
}

/// A long text shortened for a button or label (`text::shorten`), a minijinja filter.
pub(crate) fn shorten(text: String, max: Option<usize>) -> String {
    docket_engine::text::shorten(&text, max.unwrap_or(60))
}

/// The CSRF check of every form post: the browser must say the request comes from this site —
/// `Sec-Fetch-Site: same-origin` (or `none`, typed by the user), else an `Origin` that is the
/// base URL's or this host's. A request that says neither is refused.
pub(crate) fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    let header_text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match header_text("sec-fetch-site") {
        Some(site) => site == "same-origin" || site == "none",
        None => match header_text("origin") {
            Some(origin) => {
                let base = state
                    .docket
                    .firm_settings()
                    .map(|f| f.base_url)
                    .unwrap_or_default();
                let host = header_text("host").unwrap_or("");
                origin_of(&base) == Some(origin.trim_end_matches('/'))
                    || origin == format!("http://{host}")
                    || origin == format!("https://{host}")
            }
            None => false,
        },
    }
}

/// `scheme://host[:port]` of a URL.
pub(crate) fn origin_of(url: &str) -> Option<&str> {
    let after_scheme = url.find("://")? + 3;
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    Some(&url[..end])
}

/// A cookie's value, under its https or its plain name.
pub(crate) fn cookie(headers: &HeaderMap, secure_name: &str, plain_name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == secure_name || *name == plain_name)
        .map(|(_, value)| value.trim().to_string())
}

/// An HttpOnly, SameSite=Lax cookie for the whole site; `Secure` over https.
pub(crate) fn cookie_header(name: &str, value: &str, max_age: u64, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("a base64url secret makes a valid header")
}

/// A cookie's name as the base URL allows: `__Host-` prefixed over https (browsers refuse the
/// prefix without `Secure`), plain on http.
pub(crate) fn cookie_name<'a>(
    state: &AppState,
    secure_name: &'a str,
    plain_name: &'a str,
) -> &'a str {
    if serves_https(state) {
        secure_name
    } else {
        plain_name
    }
}

pub(crate) fn serves_https(state: &AppState) -> bool {
    state
        .docket
        .firm_settings()
        .is_ok_and(|f| f.base_url.starts_with("https://"))
}

pub(crate) fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The address a request comes from: the connection's peer, or — when the peer is one of the
/// trusted proxies (`server.trusted_proxies`) — the last address in `X-Forwarded-For` that is
/// not a trusted proxy itself (the ones before it are whatever the client wrote). "unknown"
/// when the server was started without connection details (a bare router in a benchmark).
pub(crate) fn client_address(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &Extensions,
) -> String {
    let Some(ConnectInfo(peer)) = extensions.get::<ConnectInfo<SocketAddr>>() else {
        return "unknown".into();
    };
    let peer = canonical(peer.ip());
    if !state.trusted_proxies.contains(&peer) {
        return peer.to_string();
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect();
    let mut address = peer.to_string();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>().map(canonical) {
            Ok(ip) => {
                address = ip.to_string();
                if !state.trusted_proxies.contains(&ip) {
                    break;
                }
            }
            Err(_) => {
                // Not an address (a proxy that writes names, or "unknown"): counted as written.
                address = hop.chars().filter(|c| !c.is_control()).take(64).collect();
                break;
            }
        }
    }
    address
}

/// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
#[path = "browser_tests.rs"]
mod tests;
