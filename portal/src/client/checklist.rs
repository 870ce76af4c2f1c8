//! The checklist: its page (`GET /p/WORK/GROUP`, served from the page cache while nothing it
//! shows has changed), the same page locked for staff's "view as client", and what a client does
//! on it — mark a task done, comment on it (uploads are `uploads.rs`), choose the language of
//! its pages and of their next emails — each answered with a redirect back, or a page saying why
//! not.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use docket_engine::docket::{Checklist, ClientSession, UploadReview, secret_hash};
use docket_engine::i18n;
use docket_engine::model::UploadedFile;
use minijinja::context;
use serde::Deserialize;

use super::guard::ClientSignIn;
use super::language::visitor_on;
use super::pages::{Firm, Message, invalid_link, render_html, say, trouble};
use super::{cache, checklist_path, device_cookie, parse_group, serde_urlencoded_form};
use crate::AppState;

#[derive(Deserialize)]
pub(super) struct Notice {
    notice: Option<String>,
}

/// `GET /p/WORK/GROUP`: the checklist, on the device it is bound to (or to the signed-in
/// account). A page cached for this device is served before anything else is read.
pub(super) async fn checklist(
    State(state): State<AppState>,
    Path((work, group)): Path<(String, String)>,
    Query(notice): Query<Notice>,
    headers: HeaderMap,
) -> Response {
    // Read before anything else: a write from here on makes the page rendered below stale.
    let generation = state.docket.store().generation();
    let now = state.docket.now();
    let key = match (parse_group(&work, &group), device_cookie(&headers)) {
        (Some((work, group)), Some(secret)) if notice.notice.is_none() => Some(cache::Key {
            work,
            group,
            device: secret_hash(&secret),
        }),
        _ => None,
    };
    if let Some((html, locale)) = key
        .as_ref()
        .and_then(|key| state.pages.get(key, generation, now))
    {
        return page_in(locale, html);
    }
    let work_id = work.parse().ok();
    let visitor = || visitor_on(&state, &headers, work_id);
    let cap = state.docket.max_upload();
    let session = match ClientSignIn::admit(&state, &headers, &work, &group, &visitor) {
        Ok(session) => session,
        Err(page) => return page,
    };
    // Reads only, on this thread, as the session's own reads are.
    let list = match state.docket.checklist(&session) {
        Ok(list) => list,
        Err(e) => return trouble(&visitor(), &crate::ApiError::from(e)),
    };
    let tz = list.timezone;
    let locale = list.locale;
    let html = match checklist_page(list, notice.notice.as_deref(), cap) {
        Ok(html) => Bytes::from(html),
        Err(failed) => return failed,
    };
    // Kept only for a device's session (the key's cookie is what opened it).
    if let (Some(key), Some(until)) = (key, session.device_until) {
        let day = now.with_timezone(&tz).date_naive();
        state.pages.put(
            key,
            cache::Cached {
                generation,
                until,
                tz,
                day,
                html: html.clone(),
                locale,
            },
        );
    }
    page_in(locale, html)
}

/// A checklist page, saying its language (its contact's: never negotiated).
fn page_in(locale: &'static str, html: Bytes) -> Response {
    ([(axum::http::header::CONTENT_LANGUAGE, locale)], Html(html)).into_response()
}

/// The checklist as its client sees it, for staff ("view as client", `admin/work/actions.rs`):
/// locked, with a banner saying it is a preview and a way back to `back`.
pub(crate) fn preview_page(list: Checklist, cap: u64, back: &str) -> Response {
    let locale = list.locale;
    match checklist_html(list, None, cap, Some(back)) {
        Ok(html) => page_in(locale, Bytes::from(html)),
        Err(failed) => failed,
    }
}

/// The checklist's HTML, or the answer to a page that could not be rendered.
fn checklist_page(
    list: Checklist,
    notice: Option<&str>,
    cap: u64,
) -> std::result::Result<String, Response> {
    checklist_html(list, notice, cap, None)
}

fn checklist_html(
    list: Checklist,
    notice: Option<&str>,
    cap: u64,
    preview: Option<&str>,
) -> std::result::Result<String, Response> {
    let tz = list.timezone;
    let locale = list.locale;
    let comment_view = |c: &docket_engine::docket::ChecklistComment| {
        context! {
            author => c.author,
            at => i18n::date_time(locale, &c.at.with_timezone(&tz)),
            body => c.body,
            by_client => c.by_client,
        }
    };
    let base = checklist_path(list.work, list.group);
    // The footer's language switch, on the client's own checklist (a completed one too: the
    // language is the contact's, not the work's), never on staff's preview.
    let language_action = preview.is_none().then(|| format!("{base}/language"));
    let done = list.tasks.iter().filter(|t| t.done).count();
    let total = list.tasks.len();
    let tasks: Vec<minijinja::Value> = list
        .tasks
        .iter()
        .map(|t| {
            context! {
                number => t.index + 1,
                title => t.title,
                description => t.description,
                due_text => i18n::long_date(locale, t.due_date),
                done => t.done,
                overdue => t.overdue,
                documents => t.documents.iter().map(file_view(tz, locale)).collect::<Vec<_>>(),
                links => t.links.iter().map(|(name, url)| context! { name, url }).collect::<Vec<_>>(),
                uploads => t.uploads.iter().zip(&t.upload_reviews).map(|(u, review)| {
                    let file = file_view(tz, locale)(u);
                    context! { review => review_words(review, locale), ..file }
                }).collect::<Vec<_>>(),
                sent_back => match &t.review {
                    Some(UploadReview::SentBack(reason)) => Some(reason.clone()),
                    _ => None,
                },
                accepted => matches!(t.review, Some(UploadReview::Accepted)),
                comments => t.comments.iter().map(comment_view).collect::<Vec<_>>(),
            }
        })
        .collect();
    let notice = match notice {
        Some("done") => Some("checklist-notice-done"),
        Some("uploaded") => Some("checklist-notice-uploaded"),
        Some("commented") => Some("checklist-notice-commented"),
        Some("language") => Some("checklist-notice-language"),
        _ => None,
    };
    render_html(
        "checklist.html",
        context! {
            firm_name => list.firm_name,
            firm_logo_url => list.firm_logo_url,
            locale,
            c => context! {
                work_name => list.work_name,
                group_name => list.group_name,
                contact_name => list.contact_name,
                locked => list.locked,
            },
            tasks,
            general => list.general.iter().map(comment_view).collect::<Vec<_>>(),
            // Staff previewing download through the admin: the client's route needs the client.
            documents => match preview {
                Some(_) => format!("/admin/work/{}/files", list.work),
                None => format!("{base}/documents"),
            },
            base,
            done,
            total,
            notice,
            max_upload => i18n::size(locale, cap),
            language_action,
            preview,
        },
    )
}

/// What became of a client's file, in the client's words.
fn review_words(review: &UploadReview, locale: &str) -> String {
    let said = match review {
        UploadReview::Waiting => i18n::translate(locale, "review-waiting", &[]),
        UploadReview::Accepted => i18n::translate(locale, "review-accepted", &[]),
        // The reason is said once, in the banner above the task.
        UploadReview::SentBack(_) => i18n::translate(locale, "review-sent-back", &[]),
    };
    said.unwrap_or_default()
}

fn file_view(
    tz: chrono_tz::Tz,
    locale: &'static str,
) -> impl Fn(&UploadedFile) -> minijinja::Value {
    move |f| {
        context! {
            id => f.id.to_string(),
            name => f.name,
            size => i18n::size(locale, f.content.size),
            at => i18n::short_date(locale, f.at.with_timezone(&tz).date_naive()),
        }
    }
}

/// Answers a client write: back to the task with a notice, or a page saying why not.
pub(super) fn after_write(
    firm: &Firm,
    session: &ClientSession,
    task: usize,
    notice: &str,
    result: Result<(), crate::ApiError>,
) -> Response {
    let back = checklist_path(session.work, session.group);
    match result {
        Ok(()) => {
            Redirect::to(&format!("{back}?notice={notice}#task-{}", task + 1)).into_response()
        }
        Err(e) => {
            let status = e.status();
            if status.is_server_error() {
                return trouble(firm, &e);
            }
            Message {
                status,
                heading: "page-cannot",
                lines: vec![e.message().to_string()],
                action: None,
                back: Some((format!("{back}#task-{}", task + 1), "page-back-checklist")),
            }
            .render(firm)
        }
    }
}

/// A 1-based task number from the path, as a position.
pub(super) fn task_index(raw: &str) -> Option<usize> {
    raw.parse::<usize>().ok().filter(|&n| n >= 1).map(|n| n - 1)
}

/// `POST /p/WORK/GROUP/tasks/N/done`.
pub(super) async fn task_done(
    ClientSignIn { session, firm }: ClientSignIn,
    State(state): State<AppState>,
    Path((_, _, task)): Path<(String, String, String)>,
) -> Response {
    let Some(task) = task_index(&task) else {
        return invalid_link(&firm);
    };
    let s = session.clone();
    let result = state.call(move |d| d.client_complete_task(&s, task)).await;
    after_write(&firm, &session, task, "done", result)
}

#[derive(Deserialize)]
struct LanguageForm {
    locale: String,
}

/// `POST /p/WORK/GROUP/language`: the client's language, from the footer. Kept on the contact,
/// so their pages and their next emails are in it; back to the checklist, now in it.
pub(super) async fn language(
    ClientSignIn { session, firm }: ClientSignIn,
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Response {
    let back = checklist_path(session.work, session.group);
    let Some(form) = serde_urlencoded_form::<LanguageForm>(&body) else {
        return Redirect::to(&back).into_response();
    };
    let s = session.clone();
    match state
        .call(move |d| d.client_set_locale(&s, &form.locale))
        .await
    {
        Ok(()) => Redirect::to(&format!("{back}?notice=language")).into_response(),
        Err(e) if !e.status().is_server_error() => Message {
            status: e.status(),
            heading: "page-cannot",
            lines: vec![e.message().to_string()],
            action: None,
            back: Some((back, "page-back-checklist")),
        }
        .render(&firm),
        Err(e) => trouble(&firm, &e),
    }
}

#[derive(Deserialize)]
struct CommentForm {
    body: String,
}

/// `POST /p/WORK/GROUP/tasks/N/comment`.
pub(super) async fn task_comment(
    ClientSignIn { session, firm }: ClientSignIn,
    State(state): State<AppState>,
    Path((_, _, task)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let Some(task) = task_index(&task) else {
        return invalid_link(&firm);
    };
    let result = match serde_urlencoded_form::<CommentForm>(&body) {
        Some(form) => {
            let s = session.clone();
            state
                .call(move |d| d.client_comment(&s, task, &form.body))
                .await
        }
        None => Err(crate::ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            say(&firm, "refusal-comment-empty"),
        )),
    };
    after_write(&firm, &session, task, "commented", result)
}
