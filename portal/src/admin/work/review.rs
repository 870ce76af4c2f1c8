//! `POST /admin/work/ID/groups/G/tasks/T/review`: staff accept what a client sent for a task, or
//! send the task back to them with a reason (which the client reads on the checklist and in the
//! comment email). A send-back with no reason is shown again with the message next to its field.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::actions::{actor, back, bad_address, failed, parse, refused};
use crate::AppState;
use crate::CallError::Engine;
use crate::admin::guard::{StaffForm, StaffSession};

#[derive(Deserialize)]
pub(in crate::admin) struct ReviewForm {
    /// `accept` or `send-back`: the button pressed.
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

pub(in crate::admin) async fn review(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group, task)): Path<(String, String, String)>,
    StaffForm(form): StaffForm<ReviewForm>,
) -> Response {
    let Some((work, n)) = parse(&id, &[&group, &task]) else {
        return bad_address(&state, &session);
    };
    let (g, t) = (n[0], n[1]);
    let review = match form.decision.as_str() {
        "accept" => docket_engine::model::Review {
            accept: true,
            reason: None,
        },
        "send-back" => docket_engine::model::Review {
            accept: false,
            reason: Some(form.reason),
        },
        _ => return bad_address(&state, &session),
    };
    let accepted = review.accept;
    let by = actor(&session);
    match state
        .run(move |d| d.review_task(work, g, t, review, by))
        .await
    {
        Ok(_) => back(work, if accepted { "accepted" } else { "sent-back" }),
        Err(Engine(e)) if e.is_invalid() => {
            refused(&state, &session, &id, format!("review-{g}-{t}"), &e).await
        }
        Err(e) => failed(&state, &session, work, e),
    }
}
