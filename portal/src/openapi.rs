//! The API's OpenAPI 3.1 document, `GET /api/openapi.json`: generated from the handlers' own
//! `#[utoipa::path]` declarations as the router is built (every API route is registered through
//! `utoipa_axum::routes!`, which adds it to the router and to the document at once), so it lists
//! exactly the routes served, with their parameters, request bodies and answers.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

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

/// The document's frame around the collected paths: what the API is and how it authenticates.
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
    openapi
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
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
