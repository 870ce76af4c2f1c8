//! API tokens in the JSON API, for admin tokens only: list them (with role, last use and
//! revocation, never a secret or its hash), create one with a role (its secret in that one
//! answer), revoke one.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use docket_engine::model::{ApiToken, Role, TokenId};
use serde::{Deserialize, Serialize};

use super::ApiResult;
use crate::auth::AdminCaller;
use crate::extract::{ApiJson, ApiPath};
use crate::{ApiError, AppState};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}/revoke", post(revoke_token))
}

/// `POST /api/tokens`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    /// What will use the token, e.g. "zapier".
    name: String,
    /// `admin` or `staff`.
    role: Role,
}

/// A new token and its secret: the only answer that ever carries the secret.
#[derive(Serialize)]
struct CreatedToken {
    token: ApiToken,
    /// `Authorization: Bearer SECRET`; shown only this once.
    secret: String,
}

async fn list_tokens(_: AdminCaller, State(state): State<AppState>) -> ApiResult<Vec<ApiToken>> {
    Ok(Json(state.call(|d| d.list_api_tokens()).await?))
}

async fn create_token(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let (token, secret) = state
        .call(move |d| d.create_role_token(&new.name, new.role))
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })))
}

async fn revoke_token(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<ApiToken> {
    let id: TokenId = id.parse()?;
    Ok(Json(state.call(move |d| d.revoke_api_token(id)).await?))
}
