//! Reminders on one work item paused by staff until a date, from its page: a form that pauses
//! (the day reminders resume, and a note) and a button that resumes them at once.

use axum::extract::{Path, State};
use axum::response::Response;
use docket_engine::model::PauseRequest;
use serde::Deserialize;

use super::actions::{actor, back, bad_address, failed, refused};
use crate::AppState;
use crate::CallError::Engine;
use crate::admin::guard::{StaffForm, StaffSession};

#[derive(Deserialize)]
pub(in crate::admin) struct PauseForm {
    /// `pause` or `resume`.
    action: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    note: String,
}

/// `POST /admin/work/ID/pause`: pause this work's reminders until a day, or resume them.
pub(in crate::admin) async fn pause(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    StaffForm(form): StaffForm<PauseForm>,
) -> Response {
    let Ok(work) = id.parse() else {
        return bad_address(&state, &session);
    };
    let by = actor(&session);
    let resume = form.action == "resume";
    let request = PauseRequest {
        until: form.until,
        note: Some(form.note),
    };
    let answer = state
        .run(move |d| {
            if resume {
                d.resume_work_reminders(work, by)
            } else {
                d.pause_work_reminders(work, request, by)
            }
        })
        .await;
    match answer {
        Ok(_) => back(work, if resume { "resumed" } else { "paused" }),
        Err(Engine(e)) if e.is_invalid() => {
            refused(&state, &session, &id, "pause".into(), &e).await
        }
        Err(e) => failed(&state, &session, work, e),
    }
}
