//! Authentication as extractor types: a handler that takes `ApiCaller` runs only for a request
//! with a valid (not revoked) API token of either role; one that takes `AdminCaller` only for an
//! admin token — a staff token gets 403 saying so.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use docket_engine::model::{Actor, ApiToken, Role};

use crate::{ApiError, AppState};

/// The API token a request was made with.
pub struct ApiCaller(pub ApiToken);

impl ApiCaller {
    pub fn actor(&self) -> Actor {
        Actor::Api(self.0.name.clone())
    }

    pub fn role(&self) -> Role {
        self.0.role
    }
}

/// A request made with an admin token: backups, settings, users, tokens, plugins, the outbox.
pub struct AdminCaller(pub ApiCaller);

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = ApiCaller::from_request_parts(parts, state).await?;
        if caller.role() == Role::Admin {
            return Ok(AdminCaller(caller));
        }
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "the API token `{}` has the staff role; backups, settings, users, tokens, plugins and the outbox need an admin token (an admin creates one in the admin under Tokens, or with `docket token create --role admin`)",
                caller.0.name
            ),
        )
        .into_response())
    }
}

/// A request without a valid token: 401 with a `WWW-Authenticate` challenge.
pub struct Unauthorized;

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let mut response = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing, invalid or revoked API token (a token ends when the member who made it is disabled); send `Authorization: Bearer dkt_...` (create one with `docket token create`)",
        )
        .into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
        response
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            // The scheme is case-insensitive (RFC 9110); the token is not.
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, secret)| secret.trim().to_string())
            .ok_or_else(|| Unauthorized.into_response())?;
        match state.call(move |d| d.authenticate_api_token(&secret)).await {
            Ok(Some(token)) => Ok(ApiCaller(token)),
            Ok(None) => Err(Unauthorized.into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}
