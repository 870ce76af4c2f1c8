//! Contacts in the JSON API: list and search, create, read, edit (an email change ends the
//! old address's links, devices and sign-ins), archive and restore, their timeline and their
//! portal state. A contact is named by its id or its email address.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use docket_engine::docket::PortalState;
use docket_engine::model::{Contact, ContactId, ContactUpdate, NewContact, TimelineEvent};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::refusals::{BodyRefusals, ListRefusals, RecordQueryRefusals, RecordRefusals};
use super::{ApiResult, Newest, Page, unknown_action};
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts, create_contact))
        .routes(routes!(get_contact, update_contact))
        .routes(routes!(contact_timeline))
        .routes(routes!(contact_portal))
        .routes(routes!(contact_action))
}

/// `?q=TEXT` (part of a name or email) with paging: `?after=ID&limit=N`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    q: Option<String>,
    /// The id of the last item of the page before (a ULID).
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$")]
    after: Option<String>,
    #[param(minimum = 1)]
    limit: Option<usize>,
}

#[utoipa::path(
    get,
    path = "/contacts",
    tag = "contacts",
    params(ListQuery),
    responses((status = 200, description = "done", body = Vec<Contact>), ListRefusals)
)]
async fn list_contacts(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Vec<Contact>> {
    let page = Page {
        after: q.after,
        limit: q.limit,
    };
    let after = page.after::<ContactId>()?;
    let limit = page.limit()?;
    let query = q.q.unwrap_or_default();
    Ok(Json(
        state
            .call(move |d| d.search_contacts(&query, after, limit))
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/contacts",
    tag = "contacts",
    request_body = NewContact,
    responses((status = 201, description = "created", body = Contact), BodyRefusals)
)]
async fn create_contact(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewContact>,
) -> Result<(StatusCode, Json<Contact>), ApiError> {
    let actor = caller.actor();
    Ok((
        StatusCode::CREATED,
        Json(state.call(move |d| d.create_contact(new, actor)).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/contacts/{id}",
    tag = "contacts",
    params(("id" = String, Path, description = "the contact's id")),
    responses((status = 200, description = "done", body = Contact), RecordRefusals)
)]
async fn get_contact(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Contact> {
    Ok(Json(state.call(move |d| d.find_contact(&id)).await?))
}

/// `PATCH /api/contacts/{id}` with any of `name`, `email`, `timezone` (empty: the firm's),
/// `locale` (`en`, `fr`, `de`; empty: the firm's) and `holidays`.
#[utoipa::path(
    patch,
    path = "/contacts/{id}",
    tag = "contacts",
    params(("id" = String, Path, description = "the contact's id")),
    request_body = ContactUpdate,
    responses((status = 200, description = "done", body = Contact), BodyRefusals)
)]
async fn update_contact(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(update): ApiJson<ContactUpdate>,
) -> ApiResult<Contact> {
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| {
                let id = d.find_contact(&id)?.id;
                d.update_contact(id, update, actor)
            })
            .await?,
    ))
}

/// `archive` (ends the contact's portal access and sign-in) or `restore`.
#[utoipa::path(
    post,
    path = "/contacts/{id}/{action}",
    tag = "contacts",
    params(("id" = String, Path, description = "the contact's id"), ("action" = String, Path, description = "what to do: `archive` or `restore`", pattern = "^(archive|restore)$", example = "archive")),
    responses((status = 200, description = "done", body = Contact), RecordRefusals)
)]
async fn contact_action(
    caller: ApiCaller,
    State(state): State<AppState>,
    ApiPath((id, action)): ApiPath<(String, String)>,
) -> ApiResult<Contact> {
    let archive = match action.as_str() {
        "archive" => true,
        "restore" => false,
        other => return Err(unknown_action(other, "archive or restore")),
    };
    let actor = caller.actor();
    Ok(Json(
        state
            .call(move |d| {
                let id = d.find_contact(&id)?.id;
                if archive {
                    d.archive_contact(id, actor)
                } else {
                    d.restore_contact(id, actor)
                }
            })
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/contacts/{id}/timeline",
    tag = "contacts",
    params(("id" = String, Path, description = "the contact's id"), Newest),
    responses((status = 200, description = "done", body = Vec<TimelineEvent>), RecordQueryRefusals)
)]
async fn contact_timeline(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<Newest>,
) -> ApiResult<Vec<TimelineEvent>> {
    let limit = page.limit()?;
    Ok(Json(
        state
            .call(move |d| {
                let id = d.find_contact(&id)?.id;
                d.contact_timeline(id, limit)
            })
            .await?,
    ))
}

/// `GET /api/contacts/{id}/portal`: the devices the contact's groups are bound to and their
/// client-account sessions.
#[utoipa::path(
    get,
    path = "/contacts/{id}/portal",
    tag = "contacts",
    params(("id" = String, Path, description = "the contact's id")),
    responses((status = 200, description = "done", body = PortalState), RecordRefusals)
)]
async fn contact_portal(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<PortalState> {
    Ok(Json(
        state
            .call(move |d| {
                let id = d.find_contact(&id)?.id;
                d.contact_portal(id)
            })
            .await?,
    ))
}
