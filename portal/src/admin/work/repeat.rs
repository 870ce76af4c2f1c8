//! Work that repeats, from its page: the form that sets, changes or stops it (no script:
//! `every` is a choice, a cron expression its own field). What the page shows of a repeat is
//! `repeat_view.rs`.

use axum::extract::{Path, State};
use axum::response::Response;
use docket_engine::model::RepeatRequest;
use serde::Deserialize;

use axum::http::StatusCode;

use super::actions::{actor, back, bad_address, failed};
use super::item::{PageErrors, show_work_typed};
use super::repeat_view::RepeatTyped;
use crate::AppState;
use crate::CallError::Engine;
use crate::admin::guard::{StaffForm, StaffSession};
use crate::admin::sentence;

#[derive(Deserialize)]
pub(in crate::admin) struct RepeatForm {
    /// `set` or `stop`.
    action: String,
    #[serde(default)]
    every: String,
    #[serde(default)]
    cron: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    title: String,
}

/// `POST /admin/work/ID/repeat`: set or change this work's repeat, or stop it.
pub(in crate::admin) async fn repeat(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    StaffForm(form): StaffForm<RepeatForm>,
) -> Response {
    let Ok(work) = id.parse() else {
        return bad_address(&state, &session);
    };
    let by = actor(&session);
    let stop = form.action == "stop";
    let typed = RepeatTyped {
        every: form.every.clone(),
        cron: form.cron.clone(),
        day: form.day.clone(),
        until: form.until.clone(),
        title: form.title.clone(),
    };
    // The form holds a day for every choice (the stored or start day); a cron expression names
    // its own days, so the day is not read with it.
    let day = if form.every == "cron" {
        ""
    } else {
        form.day.trim()
    };
    let day = match day {
        "" => None,
        d => match d.parse::<u32>() {
            Ok(d) => Some(d),
            Err(_) => {
                let e = docket_engine::Error::invalid_field(
                    "day",
                    format!("`{d}` is not a day of the month; give 1 to 31"),
                );
                return refused(&state, &session, &id, "repeat-day".into(), &e, typed).await;
            }
        },
    };
    if !stop && form.every == "cron" && form.cron.trim().is_empty() {
        let e = docket_engine::Error::invalid_field(
            "every",
            "enter a cron expression, e.g. 0 6 1 * * (6:00 on the 1st of each month)",
        );
        return refused(&state, &session, &id, "repeat-every".into(), &e, typed).await;
    }
    let request = RepeatRequest {
        every: if form.every == "cron" {
            form.cron
        } else {
            form.every
        },
        day,
        until: Some(form.until),
        title: Some(form.title),
    };
    let answer = state
        .run(move |d| {
            if stop {
                d.stop_repeat(work, by).map(|(_, stopped)| stopped)
            } else {
                d.set_repeat(work, request, by).map(|_| true)
            }
        })
        .await;
    match answer {
        Ok(false) => back(work, "repeat-none"),
        Ok(true) => back(work, if stop { "repeat-stopped" } else { "repeat-set" }),
        Err(Engine(e)) if e.is_invalid() => {
            let field = format!("repeat-{}", e.field().unwrap_or("every"));
            refused(&state, &session, &id, field, &e, typed).await
        }
        Err(e) => failed(&state, &session, work, e),
    }
}

/// The work's page again (422) with the refusal `e` next to the repeat form's field `field`,
/// the form holding what staff typed.
async fn refused(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    field: String,
    e: &docket_engine::Error,
    typed: RepeatTyped,
) -> Response {
    let errors = PageErrors {
        field: Some((field, sentence(&e.to_string()))),
        ..PageErrors::default()
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    show_work_typed(state, session, id, status, None, errors, None, Some(typed)).await
}
