//! Contacts in the JSON API: list and search, create, read, edit (an email change ends the
//! old address's links, devices and sign-ins), archive and restore, their timeline and their
//! portal state. A contact is named by its id or its email address.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use docket_engine::docket::PortalState;
use docket_engine::model::{Contact, ContactId, ContactUpdate, NewContact, TimelineEvent};
use serde::Deserialize;

use super::{ApiResult, Page, unknown_action};
use crate::auth::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list_contacts).post(create_contact))
        .route("/contacts/{id}", get(get_contact).patch(update_contact))
        .route("/contacts/{id}/timeline", get(contact_timeline))
        .route("/contacts/{id}/portal", get(contact_portal))
        .route("/contacts/{id}/{action}", post(contact_action))
}

/// `?q=TEXT` (part of a name or email) with paging: `?after=ID&limit=N`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    q: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

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
    let limit = page.limit();
    let query = q.q.unwrap_or_default();
    Ok(Json(
        state
            .call(move |d| d.search_contacts(&query, after, limit))
            .await?,
    ))
}

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

async fn get_contact(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Contact> {
    Ok(Json(state.call(move |d| d.find_contact(&id)).await?))
}

/// `PATCH /api/contacts/{id}` with any of `name`, `email`, `timezone` (empty: the firm's).
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

async fn contact_timeline(
    _: ApiCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Vec<TimelineEvent>> {
    let limit = page.limit();
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
