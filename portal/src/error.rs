//! Engine errors as HTTP answers: a status and a JSON body `{"error": "..."}`; and what an
//! engine call answers when it does not succeed, before it is one.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_engine::Error;
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

/// Every refusal's body: what went wrong, in words meant for the person reading it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody<'a> {
    error: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error; the server log has the details",
        )
    }
}

/// Why an engine call did not succeed: the engine's own error (which knows its kind and, for
/// invalid input, its field), or the task running it did not finish (it panicked).
#[derive(Debug)]
pub enum CallError {
    Engine(Error),
    Unfinished(String),
}

impl From<CallError> for ApiError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Engine(e) => e.into(),
            CallError::Unfinished(why) => Self::internal(format!("engine task failed: {why}")),
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::Invalid { .. } => Self::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
            Error::NotFound { .. } => Self::new(StatusCode::NOT_FOUND, e.to_string()),
            Error::Conflict(_) => Self::new(StatusCode::CONFLICT, e.to_string()),
            Error::TooLarge(_) => Self::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string()),
            Error::TooFast(_) => Self::new(StatusCode::TOO_MANY_REQUESTS, e.to_string()),
            Error::Forbidden(_) => Self::new(StatusCode::FORBIDDEN, e.to_string()),
            Error::Gone(_) => Self::new(StatusCode::GONE, e.to_string()),
            // Said once by the background loops, which meet it first; not again per request.
            Error::Unavailable(why) => {
                tracing::debug!(%why, "a request met the database not answering");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the database does not answer just now; try again in a minute",
                )
            }
            other => Self::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: &self.message,
            }),
        )
            .into_response()
    }
}

#[cfg(test)]
#[test]
fn a_database_that_does_not_answer_is_a_503_in_plain_words() {
    let answer = ApiError::from(Error::Unavailable(
        "cannot reach PostgreSQL at docket@db:5432/firm: connection refused".into(),
    ));
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        answer.message(),
        "the database does not answer just now; try again in a minute"
    );
    // A fault of the store is still a 500.
    let fault = ApiError::from(Error::Storage("corrupt record".into()));
    assert_eq!(fault.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
