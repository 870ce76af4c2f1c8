//! The API's OpenAPI 3.1 document, `GET /api/openapi.json`: generated from the handlers' own
//! `#[utoipa::path]` declarations as the router is built (every API route is registered through
//! `utoipa_axum::routes!`, which adds it to the router and to the document at once), so it lists
//! exactly the routes served, with their parameters, request bodies and answers.

use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::{Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{ApiError, AppState};

/// The document as JSON, written once when the first router is built.
static DOCUMENT: OnceLock<String> = OnceLock::new();

/// The API's routes under `/api`, the document among them, as an axum router; the document is
/// kept for `document`.
pub(crate) fn api_router() -> axum::Router<AppState> {
    let (router, openapi) = OpenApiRouter::new()
        .nest("/api", crate::api::routes().routes(routes!(openapi_json)))
        .split_for_parts();
    DOCUMENT.get_or_init(|| finish(openapi));
    router
}

/// What a path under `/api` that no route serves answers (the application's fallback sends
/// those here): a JSON 404 pointing at the document that lists the routes.
pub(crate) fn unrouted(method: &Method, uri: &Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no such API route: {method} {}; the routes are listed at /api/openapi.json",
            uri.path()
        ),
    )
}

/// An API route asked with a method it does not take answers a JSON 405 naming the ones it
/// does, where axum's own has an empty body. It wraps the whole application (`crate::router`):
/// axum adds `Allow` as a route's answer leaves it, after any layer of the route's own.
pub(crate) async fn method_not_allowed(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let answer = next.run(request).await;
    if answer.status() != StatusCode::METHOD_NOT_ALLOWED || !path.starts_with("/api/") {
        return answer;
    }
    let allowed = answer
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let mut refused = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{path} does not take {method}; it takes {allowed}"),
    )
    .into_response();
    if let Some(allow) = answer.headers().get(header::ALLOW) {
        refused.headers_mut().insert(header::ALLOW, allow.clone());
    }
    refused
}

/// Every answer under `/api` — records, refusals, a new token's secret, a backup — is for its
/// caller alone: `Cache-Control: no-store`, so no browser, proxy or disk cache keeps a copy. It
/// wraps the whole application, so 404s and 405s of unrouted paths carry it too; an answer that
/// already says `no-store` (a file's download) keeps its own words.
pub(crate) async fn no_store(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let api = path == "/api" || path.starts_with("/api/");
    let mut answer = next.run(request).await;
    let says_no_store = answer
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"));
    if api && !says_no_store {
        answer.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    answer
}

/// The document's own path, the one operation that needs no token.
const DOCUMENT_PATH: &str = "/api/openapi.json";

/// The document's frame around the collected paths: what the API is, how it authenticates (every
/// operation but the document's own asks for the token, said here once rather than on each
/// handler) and the error body its refusals answer with.
fn finish(mut openapi: OpenApi) -> String {
    openapi.info = InfoBuilder::new()
        .title("Docket API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Docket's JSON API: templates, contacts, work items, their files and comments, \
             staff and their inboxes, the outbox and backups. Every call but this document's \
             needs an API token (`docket token create`) sent as `Authorization: Bearer dkt_...`. \
             A refusal answers a JSON body `{\"error\": \"...\"}` saying why.",
        ))
        .build();
    let components = openapi.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "api_token",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("dkt_...")
                .description(Some("An API token made with `docket token create`."))
                .build(),
        ),
    );
    crate::api::refusals::describe_error_body(components);
    for (path, item) in openapi.paths.paths.iter_mut() {
        if path == DOCUMENT_PATH {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            require_token(operation);
        }
    }
    let mut document = serde_json::to_value(&openapi).expect("the OpenAPI document serialises");
    crate::openapi_links::add_links_and_examples(&mut document);
    serde_json::to_string_pretty(&document).expect("the OpenAPI document serialises")
}

/// An operation asks for the API token.
fn require_token(operation: &mut Operation) {
    operation.security = Some(vec![SecurityRequirement::new(
        "api_token",
        Vec::<String>::new(),
    )]);
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "api",
    responses((status = 200, description = "the OpenAPI 3.1 document of this API", content_type = "application/json", body = Object))
)]
async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.get().map(String::as_str).unwrap_or("{}"),
    )
}
