//! API tokens in the JSON API, for admin tokens only: list them (with role, who made them, last
//! use and revocation, never a secret or its hash), create one with a role (its secret in that
//! one answer), revoke one. A token made with a token belongs to that token's creator.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use docket_engine::model::{ApiToken, Role, TokenId};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiResult;
use crate::api::refusals::{AdminBodyRefusals, AdminRecordRefusals, AdminRefusals};
use crate::auth::AdminCaller;
use crate::extract::{ApiJson, ApiPath};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// `POST /api/tokens`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewToken {
    /// What will use the token, e.g. "zapier".
    name: String,
    /// `admin` or `staff`.
    role: Role,
}

/// A new token and its secret: the only answer that ever carries the secret.
#[derive(Serialize, utoipa::ToSchema)]
struct CreatedToken {
    token: ApiToken,
    /// `Authorization: Bearer SECRET`; shown only this once.
    secret: String,
}

#[utoipa::path(
    get,
    path = "/tokens",
    tag = "tokens",
    responses((status = 200, description = "done", body = Vec<ApiToken>), AdminRefusals)
)]
async fn list_tokens(_: AdminCaller, State(state): State<AppState>) -> ApiResult<Vec<ApiToken>> {
    Ok(Json(state.call(|d| d.list_api_tokens()).await?))
}

#[utoipa::path(
    post,
    path = "/tokens",
    tag = "tokens",
    request_body = NewToken,
    responses((status = 201, description = "created", body = CreatedToken), AdminBodyRefusals)
)]
async fn create_token(
    AdminCaller(caller): AdminCaller,
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let (token, secret) = state
        .call(move |d| d.create_api_token(&new.name, new.role, caller.0.created_by))
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })))
}

#[utoipa::path(
    post,
    path = "/tokens/{id}/revoke",
    tag = "tokens",
    params(("id" = String, Path, description = "the API token's id (not its secret)")),
    responses((status = 200, description = "done", body = ApiToken), AdminRecordRefusals)
)]
async fn revoke_token(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<ApiToken> {
    let id: TokenId = id.parse()?;
    Ok(Json(state.call(move |d| d.revoke_api_token(id)).await?))
}
