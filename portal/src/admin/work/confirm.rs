//! What ends or loses something on a work item is asked first, on a page of its own that needs no
//! JavaScript: completing work whose client still has open tasks (`/complete`, and `/reopen`
//! beside it), removing a file (`/files/FILE/remove`) and giving a group another recipient
//! (`/groups/G/recipient`). The form on the work page posts without `confirmed`; the confirm page
//! (`admin/confirm.rs`) posts again with `confirmed=yes`.

use axum::extract::{Path, State};
use axum::response::Response;

use serde::Deserialize;

use super::actions::{actor, back, bad_address, failed, parse, saved};
use crate::AppState;
use crate::admin::confirm::{ConfirmPage, Confirmed, ask};
use crate::admin::guard::{StaffForm, StaffSession};

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
                "work",
                ConfirmPage {
                    heading: format!("Complete “{}”?", item.title),
                    question: format!(
                        "The client still has {open} open task{}. Completing the work stops every reminder and locks the client's checklist; reopening it later does not send anything by itself.",
                        if open == 1 { "" } else { "s" }
                    ),
                    action: format!("/admin/work/{work}/complete"),
                    fields: Vec::new(),
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
                "work",
                ConfirmPage {
                    heading: format!("Remove “{}”?", f.name),
                    question: "Staff and the client no longer see it, and it cannot be downloaded again from this work.".into(),
                    action: format!("/admin/work/{work}/files/{file}/remove"),
                    fields: Vec::new(),
                    confirm: "Remove the file".into(),
                    back: format!("/admin/work/{work}"),
                    back_text: "Back to the work, keeping the file".into(),
                },
            ),
            Ok(None) => crate::admin::missing::page(
                "file",
                crate::admin::Layout::signed_in(&state, &session, "work"),
            ),
            Err(e) => failed(&state, &session, work, e),
        };
    }
    let by = actor(&session);
    match state.call(move |d| d.remove_file(work, &file, by)).await {
        Ok(_) => back(work, "removed"),
        Err(e) => failed(&state, &session, work, e),
    }
}

#[derive(Deserialize)]
pub(in crate::admin) struct RecipientForm {
    #[serde(default)]
    contact: String,
    #[serde(default)]
    confirmed: String,
}

/// `POST /admin/work/ID/groups/G/recipient`: another contact, asked first; the group's links and
/// device binding stop working. An unknown contact is answered by the field, without asking.
pub(in crate::admin) async fn recipient(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, group)): Path<(String, String)>,
    StaffForm(form): StaffForm<RecipientForm>,
) -> Response {
    let Some((work, n)) = parse(&id, &[&group]) else {
        return bad_address(&state, &session);
    };
    let g = n[0];
    if form.confirmed != "yes" {
        let wanted = form.contact.clone();
        let found = state
            .call(move |d| {
                let item = d.work(work)?;
                let Some(group) = item.groups.get(g) else {
                    return Ok(None);
                };
                let old = d.contact(group.recipient)?;
                Ok(d.find_contact(wanted.trim())
                    .ok()
                    .filter(|new| new.id != old.id)
                    .map(|new| (group.name.clone(), old, new)))
            })
            .await;
        match found {
            Ok(Some((name, old, new))) => {
                return ask(
                    &state,
                    &session,
                    "work",
                    ConfirmPage {
                        heading: format!("Send “{name}” to {} instead?", new.name),
                        question: format!(
                            "The links {} ({}) was sent stop working and the checklist is unbound from their browser. {} gets nothing until you send the group again.",
                            old.name, old.email, new.name
                        ),
                        action: format!("/admin/work/{work}/groups/{g}/recipient"),
                        fields: vec![("contact", form.contact)],
                        confirm: format!("Change the recipient to {}", new.name),
                        back: format!("/admin/work/{work}"),
                        back_text: format!("Back to the work, keeping {}", old.name),
                    },
                );
            }
            // An unknown contact, the same one, or no such group: the change says why.
            Ok(None) => {}
            Err(e) => return failed(&state, &session, work, e),
        }
    }
    let by = actor(&session);
    let answer = state
        .run(move |d| d.change_recipient(work, g, &form.contact, by))
        .await;
    let form_id = format!("recipient-{g}");
    saved(&state, &session, &id, work, form_id, answer).await
}
