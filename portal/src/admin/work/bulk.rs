//! `GET|POST /admin/work/bulk`: the same work for many clients in one step — a template, a start
//! date, and contacts ticked from a list (narrowed by a search) or pasted as emails; one work
//! item per contact, titled `{contact} — {template}` and named for the client `{template}
//! ({month})` unless staff say otherwise. All of it is made or nothing: a refusal is shown next
//! to its field (every bad contact named) with the form as it was filled in. What was made is
//! listed after, each item linked, its title and the name its client sees side by side.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_engine::docket::{
    BulkFormSent, DEFAULT_BULK_EXTERNAL_NAME, DEFAULT_BULK_TITLE, MAX_BULK_CONTACTS,
};
use docket_engine::model::{Actor, NewBulkWork};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::CallError::Engine;
use crate::admin::guard::{StaffForm, StaffSession};
use crate::admin::page_query::AdminQuery;
use crate::admin::{Layout, error_page, render, sentence};

/// Contacts listed to tick at most; a search narrows a larger directory.
const LISTED: usize = 200;

#[derive(Deserialize, Default)]
pub(in crate::admin) struct BulkQuery {
    #[serde(default)]
    template: String,
    /// Narrows the contacts listed: part of a name or an email.
    #[serde(default)]
    q: String,
    /// How many work items the last post made (after its redirect).
    #[serde(default)]
    made: Option<usize>,
    /// The first of them: the others were made with it (`Docket::work_made_with`).
    #[serde(default)]
    first: String,
    /// The form had been sent already: the summary is of what its first sending made.
    #[serde(default)]
    again: bool,
}

/// The form as filled in: what is shown again when it is refused.
#[derive(Default, Clone)]
struct Filled {
    template: String,
    start_date: String,
    assignee: String,
    title: String,
    external_name: String,
    /// Ids of the contacts ticked.
    ticked: Vec<String>,
    emails: String,
    /// Pasted emails that are not contacts yet are added (given as `Name <email>`).
    add_contacts: bool,
    /// The form's one-time id: a second sending of the same form makes nothing.
    once: String,
}

#[derive(Serialize)]
struct BulkPage {
    made: Option<Made>,
    q: String,
    templates: Vec<Choice>,
    template: String,
    start_date: String,
    assignees: Vec<Choice>,
    title: String,
    title_default: &'static str,
    external_name: String,
    external_name_default: &'static str,
    contacts: Vec<Choice>,
    /// The search found more than are listed.
    more: bool,
    emails: String,
    add_contacts: bool,
    most: usize,
    once: String,
    errors: Errors,
}

/// What the last post made: a sentence, and the items linked.
#[derive(Serialize)]
struct Made {
    sentence: String,
    items: Vec<MadeItem>,
}

#[derive(Serialize)]
struct MadeItem {
    href: String,
    title: String,
    external_name: String,
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
    start_date: Option<String>,
    assignee: Option<String>,
    title: Option<String>,
    external_name: Option<String>,
    contacts: Option<String>,
    form: Option<String>,
}

/// `GET /admin/work/bulk`: the form, its contacts narrowed by `?q=`.
pub(in crate::admin) async fn bulk_form(
    State(state): State<AppState>,
    session: StaffSession,
    AdminQuery(query): AdminQuery<BulkQuery>,
) -> Response {
    let made = query.made.map(|n| match (query.again, n) {
        (true, 1) => {
            "This form was already sent; it made 1 work item, nothing more now.".to_string()
        }
        (true, n) => {
            format!("This form was already sent; it made {n} work items, nothing more now.")
        }
        (false, 1) => "Made 1 work item. It is in the work list.".to_string(),
        (false, n) => format!("Made {n} work items. They are in the work list."),
    });
    let made_items = match (query.made, query.first.parse()) {
        (Some(n), Ok(first)) => {
            match state
                .call(move |d| d.work_made_with(first, n.min(MAX_BULK_CONTACTS)))
                .await
            {
                Ok(items) => items
                    .into_iter()
                    .map(|w| MadeItem {
                        href: format!("/admin/work/{}", w.id),
                        title: w.title,
                        external_name: w.external_name,
                    })
                    .collect(),
                // Gone since (or a link edited by hand): the sentence alone says what was made.
                Err(_) => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    let filled = Filled {
        template: query.template,
        ..Filled::default()
    };
    let made = made.map(|sentence| Made {
        sentence,
        items: made_items,
    });
    page(
        &state,
        &session,
        StatusCode::OK,
        &filled,
        query.q,
        made,
        Errors::default(),
    )
    .await
}

/// Each wrong field of the bulk create as the engine checks it, placed by its field where the
/// form has not said that field already.
async fn every_problem(
    state: &AppState,
    new: &NewBulkWork,
    errors: &mut Errors,
) -> Result<(), crate::CallError> {
    let new = new.clone();
    for e in state.run(move |d| d.bulk_work_problems(&new)).await? {
        place(errors, &e);
    }
    Ok(())
}

/// An engine refusal beside its field, unless that field already has its message.
fn place(errors: &mut Errors, e: &docket_engine::Error) {
    let slot = match e.field() {
        Some("template") => &mut errors.template,
        Some("start_date") => &mut errors.start_date,
        Some("assignee") => &mut errors.assignee,
        Some("title") => &mut errors.title,
        Some("external_name") => &mut errors.external_name,
        Some("contacts") => &mut errors.contacts,
        _ => &mut errors.form,
    };
    if slot.is_none() {
        *slot = Some(sentence(&e.to_string()));
    }
}

/// `POST /admin/work/bulk`: makes the work and says how much, or shows the form again.
pub(in crate::admin) async fn create_bulk(
    State(state): State<AppState>,
    session: StaffSession,
    StaffForm(fields): StaffForm<Vec<(String, String)>>,
) -> Response {
    let mut filled = Filled::default();
    let mut q = String::new();
    for (name, value) in fields {
        match name.as_str() {
            "template" => filled.template = value,
            "start_date" => filled.start_date = value,
            "assignee" => filled.assignee = value,
            "title" => filled.title = value,
            "external_name" => filled.external_name = value,
            "contact" => filled.ticked.push(value),
            "emails" => filled.emails = value,
            "add_contacts" => filled.add_contacts = value == "yes",
            "once" => filled.once = value,
            "q" => q = value,
            _ => {}
        }
    }
    let mut errors = Errors::default();
    let start_date = match filled.start_date.trim() {
        "" => {
            errors.start_date = Some("Enter a start date, as YYYY-MM-DD.".into());
            None
        }
        text => match docket_engine::dates::date_or_why(text) {
            Ok(date) => Some(date),
            Err(why) => {
                errors.start_date = Some(format!("Start date: {why}."));
                None
            }
        },
    };
    if filled.template.trim().is_empty() {
        errors.template = Some("Choose a template.".into());
    }
    let mut contacts = filled.ticked.clone();
    if filled.add_contacts {
        contacts.extend(pasted_named(&filled.emails));
    } else {
        contacts.extend(pasted(&filled.emails));
    }
    if contacts.is_empty() {
        errors.contacts = Some("Tick at least one contact, or paste their emails.".into());
    }
    let new = NewBulkWork {
        template: filled.template.clone(),
        start_date,
        contacts,
        assignee: Some(filled.assignee.clone()),
        title: Some(filled.title.clone()),
        external_name: Some(filled.external_name.clone()),
        add_contacts: filled.add_contacts,
    };
    if errors.template.is_some() || errors.start_date.is_some() || errors.contacts.is_some() {
        // What the form saw is wrong; the engine's checks say the other fields' too.
        if let Err(e) = every_problem(&state, &new, &mut errors).await {
            return error_page(e, Layout::signed_in(&state, &session, "work"));
        }
        return page(
            &state,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            &filled,
            q,
            None,
            errors,
        )
        .await;
    }
    let actor = Actor::Staff(session.member.staff.id);
    let made = new.clone();
    let once = one_time_id(&filled.once);
    let sent = state
        .run(move |d| match once {
            Some(form) => d.create_work_bulk_from_form(made, &form, actor),
            // A form from before one-time ids (or one edited by hand) makes its work as asked.
            None => d.create_work_bulk(made, actor).map(BulkFormSent::Made),
        })
        .await;
    match sent {
        // Where the summary finds what was made: how many, and the first (the rest follow it).
        Ok(BulkFormSent::Made(made)) => Redirect::to(&format!(
            "/admin/work/bulk?made={}&first={}",
            made.len(),
            made.first().map(|w| w.id.to_string()).unwrap_or_default()
        ))
        .into_response(),
        Ok(BulkFormSent::Already { count, first }) => Redirect::to(&format!(
            "/admin/work/bulk?made={count}&first={}&again=true",
            first.map(|id| id.to_string()).unwrap_or_default()
        ))
        .into_response(),
        Err(Engine(e)) if e.is_invalid() => {
            // The engine stops at the first wrong field: every other one is said too.
            if let Err(e) = every_problem(&state, &new, &mut errors).await {
                return error_page(e, Layout::signed_in(&state, &session, "work"));
            }
            let said = |f: &Option<String>| f.is_some();
            if ![
                &errors.template,
                &errors.start_date,
                &errors.assignee,
                &errors.title,
                &errors.external_name,
                &errors.contacts,
            ]
            .into_iter()
            .any(said)
            {
                place(&mut errors, &e);
            }
            page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                &filled,
                q,
                None,
                errors,
            )
            .await
        }
        Err(e) => error_page(e, Layout::signed_in(&state, &session, "work")),
    }
}

/// The form's one-time id as sent, when it is one a page could have given (a ULID's letters).
pub(in crate::admin) fn one_time_id(sent: &str) -> Option<String> {
    let sent = sent.trim();
    (!sent.is_empty() && sent.len() <= 40 && sent.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| sent.to_string())
}

/// The emails in pasted text: one a line, or split by commas, semicolons or spaces, each taken
/// out of `Name <email>` when pasted from a mail program.
fn pasted(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(|word| word.trim_matches(|c| c == '<' || c == '>' || c == '"'))
        .filter(|word| word.contains('@'))
        .map(str::to_string)
        .collect()
}

/// The pasted lines as given, `Name <email>` kept whole so that a new contact has its name:
/// one a line, or split by commas or semicolons.
fn pasted_named(text: &str) -> Vec<String> {
    text.split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|line| line.contains('@'))
        .map(str::to_string)
        .collect()
}

async fn page(
    state: &AppState,
    session: &StaffSession,
    status: StatusCode,
    filled: &Filled,
    q: String,
    made: Option<Made>,
    errors: Errors,
) -> Response {
    let search = q.clone();
    let kept = one_time_id(&filled.once);
    let found = state
        .call(move |d| {
            let choices = d.work_form_choices(None)?;
            let mut contacts = d.search_contacts(&search, None, LISTED + 1)?;
            contacts.retain(|c| c.archived_at.is_none());
            // A refused form keeps its id (nothing was made); a fresh one gets its own.
            let once = kept.unwrap_or_else(|| d.new_bulk_form_id());
            Ok((choices, contacts, once))
        })
        .await;
    let (choices, mut found, once) = match found {
        Ok(found) => found,
        Err(e) => return error_page(e, Layout::signed_in(state, session, "work")),
    };
    let more = found.len() > LISTED;
    found.truncate(LISTED);
    let chosen = filled.template.trim();
    let mut templates = vec![Choice {
        value: String::new(),
        label: "Choose a template".into(),
        selected: chosen.is_empty(),
    }];
    templates.extend(choices.templates.iter().map(|t| Choice {
        value: t.id.to_string(),
        label: t.name.clone(),
        selected: chosen == t.id.to_string() || chosen.eq_ignore_ascii_case(&t.name),
    }));
    let assignee = filled.assignee.trim();
    let mut assignees = vec![Choice {
        value: String::new(),
        label: "Nobody yet".into(),
        selected: assignee.is_empty(),
    }];
    assignees.extend(choices.staff.iter().map(|m| Choice {
        value: m.id.to_string(),
        label: m.name.clone(),
        selected: assignee == m.id.to_string() || assignee.eq_ignore_ascii_case(&m.email),
    }));
    let contacts = found
        .iter()
        .map(|c| Choice {
            value: c.id.to_string(),
            label: format!("{} ({})", c.name, c.email),
            selected: filled.ticked.contains(&c.id.to_string()),
        })
        .collect();
    let view = BulkPage {
        made,
        q,
        templates,
        template: chosen.to_string(),
        start_date: filled.start_date.clone(),
        assignees,
        title: filled.title.clone(),
        title_default: DEFAULT_BULK_TITLE,
        external_name: filled.external_name.clone(),
        external_name_default: DEFAULT_BULK_EXTERNAL_NAME,
        contacts,
        more,
        emails: filled.emails.clone(),
        add_contacts: filled.add_contacts,
        most: MAX_BULK_CONTACTS,
        once,
        errors,
    };
    render(
        status,
        "admin/work_bulk.html",
        Layout::signed_in(state, session, "work"),
        &view,
    )
}

#[cfg(test)]
mod tests {
    use super::pasted;

    #[test]
    fn pasted_emails_are_found_however_they_are_separated() {
        assert_eq!(
            pasted("ann@a.example, bob@b.example;cy@c.example\n Dee <dee@d.example>\n\nnot-one"),
            [
                "ann@a.example",
                "bob@b.example",
                "cy@c.example",
                "dee@d.example"
            ]
        );
        assert!(pasted("  \n ").is_empty());
    }
}
