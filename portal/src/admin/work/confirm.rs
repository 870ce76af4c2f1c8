//! What ends or loses something on a work item is asked first, on a page of its own that needs no
//! JavaScript: completing work whose client still has open tasks (`/complete`, and `/reopen`
//! beside it), and removing a file (`/files/FILE/remove`). The form on the work page posts
//! without `confirmed`; the confirm page posts again with `confirmed=yes`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::actions::{actor, back, bad_address, failed, parse};
use crate::AppState;
use crate::admin::guard::{StaffForm, StaffSession};
use crate::admin::{Layout, render};

#[derive(Deserialize, Default)]
pub(in crate::admin) struct Confirmed {
    #[serde(default)]
    confirmed: String,
}

impl Confirmed {
    fn yes(&self) -> bool {
        self.confirmed == "yes"
    }
}

#[derive(Serialize)]
struct ConfirmPage {
    heading: String,
    question: String,
    action: String,
    confirm: String,
    back: String,
    back_text: String,
}

fn ask(state: &AppState, session: &StaffSession, page: ConfirmPage) -> Response {
    render(
        StatusCode::OK,
        "admin/confirm.html",
        Layout::signed_in(state, session, "work"),
        &page,
    )
}

/// `POST /admin/work/ID/complete` and `/reopen`; completing while the client has open tasks is
/// asked first.
pub(in crate::admin) async fn work_status(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, action)): Path<(String, String)>,
    StaffForm(form): StaffForm<Confirmed>,
) -> Response {
    let Some((work, _)) = parse(&id, &[]) else {
        return bad_address(&state, &session);
    };
    if action == "complete" && !form.yes() {
        let item = match state.call(move |d| d.work(work)).await {
            Ok(item) => item,
            Err(e) => return failed(&state, &session, work, e),
        };
        let open = item
            .groups
            .iter()
            .flat_map(|g| &g.tasks)
            .filter(|t| t.done_at.is_none())
            .count();
        if open > 0 {
            return ask(
                &state,
                &session,
                ConfirmPage {
                    heading: format!("Complete “{}”?", item.title),
                    question: format!(
                        "The client still has {open} open task{}. Completing the work stops every reminder and locks the client's checklist; reopening it later does not send anything by itself.",
                        if open == 1 { "" } else { "s" }
                    ),
                    action: format!("/admin/work/{work}/complete"),
                    confirm: "Complete the work anyway".into(),
                    back: format!("/admin/work/{work}"),
                    back_text: "Back to the work without completing it".into(),
                },
            );
        }
    }
    let by = actor(&session);
    let answer = match action.as_str() {
        "complete" => state.call(move |d| d.complete_work(work, by)).await,
        "reopen" => state.call(move |d| d.reopen_work(work, by)).await,
        _ => return bad_address(&state, &session),
    };
    match answer {
        Ok(_) if action == "complete" => back(work, "completed"),
        Ok(_) => back(work, "reopened"),
        Err(e) => failed(&state, &session, work, e),
    }
}

/// `POST /admin/work/ID/files/FILE/remove`, asked first.
pub(in crate::admin) async fn remove_file(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, file)): Path<(String, String)>,
    StaffForm(form): StaffForm<Confirmed>,
) -> Response {
    let Some((work, _)) = parse(&id, &[]) else {
        return bad_address(&state, &session);
    };
    if !form.yes() {
        let wanted = file.clone();
        let found = state
            .call(move |d| {
                Ok(d.files(work)?
                    .into_iter()
                    .find(|f| f.id.to_string() == wanted))
            })
            .await;
        return match found {
            Ok(Some(f)) => ask(
                &state,
                &session,
                ConfirmPage {
                    heading: format!("Remove “{}”?", f.name),
                    question: "Staff and the client no longer see it, and it cannot be downloaded again from this work.".into(),
                    action: format!("/admin/work/{work}/files/{file}/remove"),
                    confirm: "Remove the file".into(),
                    back: format!("/admin/work/{work}"),
                    back_text: "Back to the work, keeping the file".into(),
                },
            ),
            Ok(None) => bad_address(&state, &session),
            Err(e) => failed(&state, &session, work, e),
        };
    }
    let by = actor(&session);
    match state.call(move |d| d.remove_file(work, &file, by)).await {
        Ok(_) => back(work, "removed"),
        Err(e) => failed(&state, &session, work, e),
    }
}
