//! The admin's two static files, served from `/admin/assets/` under names holding a hash of
//! their content (browsers keep them for a year and fetch a new one as soon as a build changes
//! it): the stylesheet, and the one small script — `admin.js`, which turns the forms that ask
//! before ending or losing something (`data-confirm`) into a `<dialog>`. The CSP allows scripts
//! from this site only (`script-src 'self'`); every page works without the script, the server's
//! confirm page (`confirm.rs`) asking instead.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;

const CSS: &str = include_str!("../../assets/admin.css");
const JS: &str = include_str!("../../assets/admin.js");

/// `/admin/assets/NAME-HASH.EXT` for `content`.
fn hashed(name: &str, ext: &str, content: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    content.hash(&mut hasher);
    format!("/admin/assets/{name}-{:016x}.{ext}", hasher.finish())
}

/// The stylesheet's address.
pub(super) static CSS_PATH: LazyLock<String> = LazyLock::new(|| hashed("admin", "css", CSS));
/// The script's address.
pub(super) static JS_PATH: LazyLock<String> = LazyLock::new(|| hashed("admin", "js", JS));

fn immutable(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
}

pub(super) async fn css() -> impl IntoResponse {
    immutable("text/css; charset=utf-8", CSS)
}

pub(super) async fn js() -> impl IntoResponse {
    immutable("text/javascript; charset=utf-8", JS)
}
