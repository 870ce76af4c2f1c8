//! Docket's web side: the JSON API, the staff admin and the client portal. Handlers are thin:
//! extractors (authentication is one), one engine call, a typed answer. Only this crate turns
//! engine errors into HTTP.

pub mod admin;
mod api;
mod auth;
mod browser;
pub mod client;
mod error;
mod extract;
pub mod observe;
mod openapi;
mod openapi_links;
mod stream;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use docket_engine::Docket;
use tokio::net::TcpListener;

pub use error::ApiError;
pub(crate) use error::CallError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub docket: Docket,
    /// Proxies whose `X-Forwarded-For` names the client (`server.trusted_proxies`).
    pub trusted_proxies: Arc<[IpAddr]>,
    /// Checklist pages as last rendered (`client::cache`).
    pages: Arc<client::cache::PageCache>,
    /// The server's mailer, for the admin's outbox view and mail status; without one, emails
    /// are shown with the built-in templates.
    pub mailer: Option<Arc<docket_engine::mail::Mailer>>,
    /// Whether the links' address follows the address listened on (`--listen`), as the
    /// configuration sets no `server.base_url`.
    pub base_url_from_listen: bool,
    /// Whether the background work (scheduler, sender, hooks) runs, for `/readyz`: set by
    /// whoever starts it.
    pub workers_running: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    pub fn new(docket: Docket) -> Self {
        Self {
            docket,
            trusted_proxies: Arc::new([]),
            pages: Default::default(),
            mailer: None,
            base_url_from_listen: false,
            workers_running: Default::default(),
        }
    }

    /// Says that the links' address is the address listened on, not `server.base_url`.
    pub fn with_base_url_from_listen(mut self, from_listen: bool) -> Self {
        self.base_url_from_listen = from_listen;
        self
    }

    /// The mailer the server sends with (its templates render the outbox view).
    pub fn with_mailer(mut self, mailer: Arc<docket_engine::mail::Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Believes `X-Forwarded-For` from these proxies (a TLS proxy in front of Docket).
    pub fn with_trusted_proxies(mut self, proxies: &[IpAddr]) -> Self {
        self.trusted_proxies = proxies.into();
        self
    }

    /// Runs a (blocking, storage-touching) engine call off the async threads, its error an
    /// HTTP answer.
    pub(crate) async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Docket) -> docket_engine::Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.run(f).await.map_err(ApiError::from)
    }

    /// `call`, its error the engine's own, which knows its kind and the field it is about: for
    /// pages that put a refusal next to its field. The call's reads are remembered until it
    /// commits (`remembering_reads`): on PostgreSQL a record read twice is one round trip.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Docket) -> docket_engine::Result<T> + Send + 'static,
    ) -> Result<T, CallError> {
        let docket = self.docket.clone();
        // The request's span (its id) goes with the call, so what the engine logs carries it.
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            span.in_scope(|| docket_engine::store::remembering_reads(|| f(&docket)))
        })
        .await
        .map_err(|e| CallError::Unfinished(e.to_string()))?
        .map_err(CallError::Engine)
    }
}

/// A path nothing serves: under `/api` a JSON answer saying so, elsewhere an empty 404.
async fn not_found(method: axum::http::Method, uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        openapi::unrouted(&method, &uri).into_response()
    } else {
        axum::http::StatusCode::NOT_FOUND.into_response()
    }
}

/// The whole web application.
pub fn router(state: AppState) -> Router {
    let app = Router::new()
        .route("/metrics", get(observe::metrics_page))
        .merge(openapi::api_router())
        .merge(client::routes())
        .merge(admin::routes())
        .fallback(not_found)
        .layer(
            // Request logs name the path with any link token hidden.
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |request: &axum::http::Request<axum::body::Body>| {
                    let id = request
                        .extensions()
                        .get::<observe::RequestId>()
                        .map_or("", |id| id.0.as_str());
                    tracing::info_span!(
                        "request",
                        id,
                        method = %request.method(),
                        path = %client::redact_path(request.uri().path()),
                    )
                },
            ),
        )
        // The probes answer outside the request log: a load balancer asks every few seconds,
        // and a 503 of /readyz (the store does not answer, which the background loops log once)
        // is an answer, not a failure of the server to log at every look.
        .route("/healthz", get(healthz))
        .route("/readyz", get(observe::readyz))
        // Outside the log span, so the span carries the request's id.
        .layer(axum::middleware::from_fn(observe::observe))
        .with_state(state);
    // Wrapped whole, so that the API's 405s are seen with their `Allow` header.
    Router::new()
        .fallback_service(app)
        .layer(axum::middleware::from_fn(openapi::method_not_allowed))
        .layer(axum::middleware::from_fn(openapi::no_store))
}

/// `Content-Disposition` for a download: always an attachment, with an ASCII fallback name and
/// the real one percent-encoded (RFC 6266), so no name can break out of the header.
pub(crate) fn attachment(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

async fn healthz() -> &'static str {
    "ok"
}

/// Serves `router(state)` on `listener` until `shutdown` completes, then lets requests in flight
/// finish.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer's address reaches handlers: staff sign-in is throttled per address.
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

#[cfg(all(test, feature = "fuzz"))]
#[path = "fuzz_tests.rs"]
mod fuzz_tests;
