//! Staff in the JSON API, as the engine's `staff/` has them, for admin tokens only: the firm's
//! members (never with a password hash) — listed, invited, given a role, disabled and enabled
//! (here) —, each member's inbox (`inbox.rs`) and the API tokens (`tokens.rs`). A member is
//! named by id or email.

mod inbox;
mod tokens;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use docket_engine::docket::NewInvite;
use docket_engine::model::{Role, StaffMember};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiResult;
use super::refusals::{AdminBodyRefusals, AdminRecordRefusals, AdminRefusals};
use crate::auth::AdminCaller;
use crate::extract::{ApiJson, ApiPath};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, invite_user))
        .routes(routes!(get_user))
        .routes(routes!(set_role))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .merge(inbox::routes())
        .merge(tokens::routes())
}

#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    responses((status = 200, description = "done", body = Vec<StaffMember>), AdminRefusals)
)]
async fn list_users(_: AdminCaller, State(state): State<AppState>) -> ApiResult<Vec<StaffMember>> {
    Ok(Json(state.call(|d| d.list_staff()).await?))
}

#[utoipa::path(
    get,
    path = "/users/{user}",
    tag = "users",
    params(("user" = String, Path, description = "the staff member's id or email")),
    responses((status = 200, description = "done", body = StaffMember), AdminRecordRefusals)
)]
async fn get_user(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<StaffMember> {
    Ok(Json(state.call(move |d| d.find_staff(&user)).await?))
}

/// `POST /api/users`: who to invite; they are emailed a link to set their password.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Invite {
    email: String,
    #[serde(default)]
    name: String,
    role: Role,
}

#[utoipa::path(
    post,
    path = "/users",
    tag = "users",
    request_body = Invite,
    responses((status = 201, description = "created", body = StaffMember), AdminBodyRefusals)
)]
async fn invite_user(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiJson(invite): ApiJson<Invite>,
) -> Result<(StatusCode, Json<StaffMember>), ApiError> {
    let new = NewInvite {
        email: invite.email,
        name: invite.name,
        role: invite.role,
    };
    let member = state.call(move |d| d.invite_user(new, "An admin")).await?;
    Ok((StatusCode::CREATED, Json(member)))
}

/// `POST /api/users/{user}/role`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewRole {
    role: Role,
}

#[utoipa::path(
    post,
    path = "/users/{user}/role",
    tag = "users",
    params(("user" = String, Path, description = "the staff member's id or email")),
    request_body = NewRole,
    responses((status = 200, description = "done", body = StaffMember), AdminBodyRefusals)
)]
async fn set_role(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
    ApiJson(body): ApiJson<NewRole>,
) -> ApiResult<StaffMember> {
    Ok(Json(
        state
            .call(move |d| d.set_user_role(&user, body.role))
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/users/{user}/disable",
    tag = "users",
    params(("user" = String, Path, description = "the staff member's id or email")),
    responses((status = 200, description = "done", body = StaffMember), AdminRecordRefusals)
)]
async fn disable_user(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<StaffMember> {
    Ok(Json(state.call(move |d| d.disable_user(&user)).await?))
}

#[utoipa::path(
    post,
    path = "/users/{user}/enable",
    tag = "users",
    params(("user" = String, Path, description = "the staff member's id or email")),
    responses((status = 200, description = "done", body = StaffMember), AdminRecordRefusals)
)]
async fn enable_user(
    _: AdminCaller,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<StaffMember> {
    Ok(Json(state.call(move |d| d.enable_user(&user)).await?))
}
