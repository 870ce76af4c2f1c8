//! API tokens, for admins: the list (role, who made it, created, last used, revoked and why), a
//! form to create one with a role — the token is the signed-in admin's, its secret shown on the
//! answer to that post only — and revoke buttons.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::model::{ApiToken, Role, TokenCreator, TokenEnd, TokenId};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::CallError::Engine;
use crate::admin::confirm::{ConfirmPage, Confirmed, ask};
use crate::admin::guard::{AdminSession, StaffForm, StaffSession};
use crate::admin::page_query::AdminQuery;
use crate::admin::sentence;
use crate::admin::{Layout, error_page, local_time, render};

#[derive(Serialize)]
struct TokensPage {
    tokens: Vec<Line>,
    form: TokenForm,
    errors: TokenErrors,
    created: Option<Created>,
    notice: Option<&'static str>,
}

#[derive(Serialize)]
struct Line {
    id: String,
    name: String,
    role: &'static str,
    made_by: String,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

#[derive(Serialize)]
struct Created {
    name: String,
    secret: String,
}

#[derive(Serialize, Deserialize, Default)]
pub(in crate::admin) struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

#[derive(Serialize, Default)]
struct TokenErrors {
    name: Option<String>,
    role: Option<String>,
}

#[derive(Deserialize, Default)]
pub(in crate::admin) struct TokensQuery {
    #[serde(default)]
    notice: String,
}

async fn page(
    state: &AppState,
    session: &StaffSession,
    status: StatusCode,
    form: TokenForm,
    errors: TokenErrors,
    created: Option<Created>,
    notice: Option<&'static str>,
) -> Response {
    let layout = Layout::signed_in(state, session, "settings");
    let tokens = match state.call(|d| d.list_api_tokens()).await {
        Ok(tokens) => tokens,
        Err(e) => return error_page(e, layout),
    };
    let line = |t: &ApiToken| Line {
        id: t.id.to_string(),
        name: t.name.clone(),
        role: match t.role {
            Role::Admin => "Admin",
            Role::Staff => "Staff",
        },
        created: local_time(state, t.created_at),
        last_used: t
            .last_used_at
            .map_or_else(|| "never".into(), |at| local_time(state, at)),
        made_by: match &t.created_by {
            TokenCreator::Member { email, .. } => email.clone(),
            TokenCreator::CommandLine => "the command line".into(),
            TokenCreator::Unknown => "unknown (made before Docket recorded it)".into(),
        },
        revoked: t.revoked_at.map(|at| {
            let when = local_time(state, at);
            match t.revoked_because {
                Some(TokenEnd::MemberDisabled) => format!("{when}, when its member was disabled"),
                _ => when,
            }
        }),
    };
    let page = TokensPage {
        tokens: tokens.iter().map(line).collect(),
        form,
        errors,
        created,
        notice,
    };
    render(status, "admin/tokens.html", layout, &page)
}

/// `GET /admin/tokens`.
pub(in crate::admin) async fn tokens(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    AdminQuery(query): AdminQuery<TokensQuery>,
) -> Response {
    let notice = match query.notice.as_str() {
        "revoked" => Some("The token is revoked: requests made with it are refused from now on."),
        _ => None,
    };
    let form = TokenForm {
        name: String::new(),
        role: "staff".into(),
    };
    page(
        &state,
        &session,
        StatusCode::OK,
        form,
        TokenErrors::default(),
        None,
        notice,
    )
    .await
}

/// `POST /admin/tokens`: creates a token and shows its secret once. The answer is the page
/// itself rather than a redirect, so the secret is never in an address or a later page.
pub(in crate::admin) async fn create(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    StaffForm(form): StaffForm<TokenForm>,
) -> Response {
    let role = match form.role.parse::<Role>() {
        Ok(role) => role,
        Err(_) => {
            // The name is said too when it is wrong: every wrong field at once.
            let errors = TokenErrors {
                role: Some("Choose admin or staff.".into()),
                name: docket_engine::docket::token_name_problem(&form.name)
                    .map(|e| sentence(&e.to_string())),
            };
            return page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
                None,
            )
            .await;
        }
    };
    let name = form.name.clone();
    let by = TokenCreator::Member {
        id: session.member.staff.id,
        email: session.member.staff.email.clone(),
    };
    match state
        .run(move |d| d.create_api_token(&name, role, by))
        .await
    {
        Ok((token, secret)) => {
            let created = Created {
                name: token.name,
                secret,
            };
            let form = TokenForm {
                name: String::new(),
                role: "staff".into(),
            };
            page(
                &state,
                &session,
                StatusCode::CREATED,
                form,
                TokenErrors::default(),
                Some(created),
                None,
            )
            .await
        }
        Err(Engine(e)) if e.is_invalid() => {
            let errors = TokenErrors {
                name: Some(sentence(&e.to_string())),
                ..TokenErrors::default()
            };
            page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
                None,
            )
            .await
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "settings")),
    }
}

/// `POST /admin/tokens/{id}/revoke`, asked first: a revoked token never works again.
pub(in crate::admin) async fn revoke(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    Path(id): Path<String>,
    StaffForm(form): StaffForm<Confirmed>,
) -> Response {
    let layout = || Layout::signed_in(&state, &session, "settings");
    let id: TokenId = match id.parse() {
        Ok(id) => id,
        Err(e) => return error_page(e, layout()),
    };
    if !form.yes() {
        let token = state
            .call(move |d| {
                d.list_api_tokens()?
                    .into_iter()
                    .find(|t| t.id == id)
                    .ok_or_else(|| docket_engine::Error::not_found("api token", id))
            })
            .await;
        return match token {
            Ok(t) => ask(
                &state,
                &session,
                "settings",
                ConfirmPage {
                    heading: format!("Revoke the token “{}”?", t.name),
                    question: "Every script or tool using it is refused from now on, and it cannot be made to work again: you would make a new token and give its secret to them.".into(),
                    action: format!("/admin/tokens/{id}/revoke"),
                    fields: Vec::new(),
                    confirm: "Revoke the token".into(),
                    back: "/admin/tokens".into(),
                    back_text: "Back to the tokens, keeping it".into(),
                },
            ),
            Err(e) => error_page(e, layout()),
        };
    }
    match state.call(move |d| d.revoke_api_token(id)).await {
        Ok(_) => Redirect::to("/admin/tokens?notice=revoked").into_response(),
        Err(e) => error_page(e, layout()),
    }
}
