//! `GET|POST /admin/work/new`: work created from a template. Without JavaScript the form comes in
//! two steps: choose the template, then its start date, names, assignee and a contact for each of
//! its groups. A form with a field wrong is re-shown (422) with the message next to the field and
//! the values as typed; nothing is created.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::{
    WorkForm, WorkFormChoices, WorkFormProblems, archived_template_notice,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::admin::guard::{StaffForm, StaffSession};
use crate::admin::page_query::AdminQuery;
use crate::admin::{Layout, error_page, render, sentence};

#[derive(Deserialize, Default)]
pub(in crate::admin) struct Chosen {
    #[serde(default)]
    template: String,
}

#[derive(Serialize)]
struct NewWorkPage {
    templates: Vec<Choice>,
    /// The chosen template, whose form is shown.
    template: Option<ChosenTemplate>,
    start_date: String,
    title: String,
    external_name: String,
    assignees: Vec<Choice>,
    /// The contacts the contact fields suggest: email, and "Name (email)".
    contacts: Vec<(String, String)>,
    errors: Errors,
}

/// Contacts the contact fields suggest at most; past it, typing the email still works.
const SUGGESTED: usize = 500;

#[derive(Serialize)]
struct ChosenTemplate {
    id: String,
    name: String,
    groups: Vec<GroupField>,
}

#[derive(Serialize)]
struct GroupField {
    name: String,
    field: String,
    value: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize, Default)]
struct Errors {
    template: Option<String>,
    /// The archived template's page, where it is restored.
    template_href: Option<String>,
    start_date: Option<String>,
    assignee: Option<String>,
    form: Option<String>,
}

/// `GET /admin/work/new`: the template to start from, then its form.
pub(in crate::admin) async fn new_work_form(
    State(state): State<AppState>,
    session: StaffSession,
    AdminQuery(chosen): AdminQuery<Chosen>,
) -> Response {
    let template = chosen.template.clone();
    let choices = match state
        .call(move |d| d.work_form_choices(Some(&template)))
        .await
    {
        Ok(choices) => choices,
        Err(e) => return error_page(e, Layout::signed_in(&state, &session, "work")),
    };
    let mut problems = WorkFormProblems::default();
    if !chosen.template.trim().is_empty() && choices.template.is_none() {
        problems.template = Some("No such template; choose one of the list.".into());
    }
    if let Some(template) = &choices.template
        && let Some(archived) = archived_template_notice(template)
    {
        problems.template = Some(archived);
        problems.archived_template = Some(template.id);
    }
    let status = if problems.template.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let form = WorkForm {
        template: chosen.template,
        ..WorkForm::default()
    };
    page(&state, &session, status, &form, &choices, problems).await
}

/// `POST /admin/work/new`: creates the work and goes to its page, or shows the form again.
pub(in crate::admin) async fn create_work(
    State(state): State<AppState>,
    session: StaffSession,
    StaffForm(fields): StaffForm<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    // Every `contact_N` sent, in order, gaps left empty: one for a group the template does not
    // have is refused by the engine, not dropped here. (A number past any template's groups
    // stands at the end.)
    const MOST: usize = 256;
    let mut numbered: std::collections::BTreeMap<usize, String> = fields
        .iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix("contact_")?.parse::<usize>().ok()?;
            Some((n.min(MOST), v.clone()))
        })
        .collect();
    let given = numbered.keys().next_back().map_or(0, |n| n + 1);
    let contacts: Vec<String> = (0..given)
        .map(|n| numbered.remove(&n).unwrap_or_default())
        .collect();
    let form = WorkForm {
        template: field("template"),
        start_date: field("start_date"),
        title: field("title"),
        external_name: field("external_name"),
        assignee: field("assignee"),
        contacts,
    };
    let actor = docket_engine::model::Actor::Staff(session.member.staff.id);
    let submitted = form.clone();
    match state
        .call(move |d| d.create_work_from_form(submitted, actor))
        .await
    {
        Ok(Ok(work)) => Redirect::to(&format!("/admin/work/{}", work.id)).into_response(),
        Ok(Err(refused)) => {
            let refused = *refused;
            page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &refused.choices,
                refused.problems,
            )
            .await
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "work")),
    }
}

async fn page(
    state: &AppState,
    session: &StaffSession,
    status: StatusCode,
    form: &WorkForm,
    choices: &WorkFormChoices,
    problems: WorkFormProblems,
) -> Response {
    let chosen_id = choices
        .template
        .as_ref()
        .filter(|t| t.archived_at.is_none())
        .map(|t| t.id.to_string());
    let mut templates = vec![Choice {
        value: String::new(),
        label: "Choose a template".into(),
        selected: chosen_id.is_none(),
    }];
    templates.extend(choices.templates.iter().map(|t| Choice {
        value: t.id.to_string(),
        label: t.name.clone(),
        selected: chosen_id.as_deref() == Some(&t.id.to_string()),
    }));
    // An archived template's form is not offered: the message says where it is restored.
    let live = choices
        .template
        .as_ref()
        .filter(|t| t.archived_at.is_none());
    let template = live.map(|t| ChosenTemplate {
        id: t.id.to_string(),
        name: t.name.clone(),
        groups: t
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| GroupField {
                name: group.name.clone(),
                field: format!("contact_{g}"),
                value: form.contacts.get(g).cloned().unwrap_or_default(),
                error: problems
                    .contacts
                    .get(g)
                    .cloned()
                    .flatten()
                    .as_deref()
                    .map(sentence),
            })
            .collect(),
    });
    let chosen = form.assignee.trim();
    let mut assignees = vec![Choice {
        value: String::new(),
        label: "Nobody yet".into(),
        selected: chosen.is_empty(),
    }];
    assignees.extend(choices.staff.iter().map(|m| Choice {
        value: m.id.to_string(),
        label: m.name.clone(),
        selected: chosen == m.id.to_string() || chosen.eq_ignore_ascii_case(&m.email),
    }));
    // Suggested only once a template asks for contacts.
    let contacts = if template.is_some() {
        match state.call(|d| d.search_contacts("", None, SUGGESTED)).await {
            Ok(found) => found
                .into_iter()
                .filter(|c| c.archived_at.is_none())
                .map(|c| (c.email.clone(), format!("{} ({})", c.name, c.email)))
                .collect(),
            Err(e) => return error_page(e, Layout::signed_in(state, session, "work")),
        }
    } else {
        Vec::new()
    };
    let view = NewWorkPage {
        contacts,
        templates,
        template,
        start_date: form.start_date.clone(),
        title: form.title.clone(),
        external_name: form.external_name.clone(),
        assignees,
        errors: Errors {
            template: problems.template.as_deref().map(sentence),
            template_href: problems
                .archived_template
                .map(|id| format!("/admin/templates/{id}#state")),
            start_date: problems.start_date.as_deref().map(sentence),
            assignee: problems.assignee.as_deref().map(sentence),
            form: problems.form.as_deref().map(sentence),
        },
    };
    render(
        status,
        "admin/work_new.html",
        Layout::signed_in(state, session, "work"),
        &view,
    )
}
