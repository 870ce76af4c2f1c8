//! Finding work and clients: `GET /admin/search?q=` (the header's search box: work by title,
//! external name, template and client; contacts by name and email), `GET /admin/activity` (the
//! clients active lately and what they did) and `GET /admin/activity/failed` (emails about work
//! that failed), the last two among the saved views.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use docket_engine::docket::{ActivityKind, ActivityLine, SEARCH_LIMIT};
use serde::{Deserialize, Serialize};

use super::list::{View, views};
use super::{Row, firm_zone, row};
use crate::AppState;
use crate::admin::guard::StaffSession;
use crate::admin::page_query::AdminQuery;
use crate::admin::{Layout, error_page, render};

/// Most lines the activity pages list.
const ACTIVITY_LINES: usize = 100;

#[derive(Deserialize, Default)]
pub(in crate::admin) struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
struct SearchView {
    q: String,
    rows: Vec<Row>,
    contacts: Vec<ContactRow>,
    more: bool,
    limit: usize,
    // The work table's column heads do not sort here: search results are in index order.
    sort_by_work: &'static str,
    sort_by_due: &'static str,
    sort_by_client: &'static str,
    sort_by_status: &'static str,
    sort_by_assignee: &'static str,
    sorted: &'static str,
}

#[derive(Serialize)]
struct ContactRow {
    href: String,
    name: String,
    email: String,
    archived: bool,
}

/// `GET /admin/search?q=`: work and contacts matching every word typed.
pub(in crate::admin) async fn search(
    State(state): State<AppState>,
    session: StaffSession,
    AdminQuery(query): AdminQuery<SearchQuery>,
) -> Response {
    let layout = Layout::signed_in(&state, &session, "work").searched(&query.q);
    let q = query.q.trim().to_string();
    let asked = q.clone();
    let found = match state.call(move |d| d.search(&asked)).await {
        Ok(found) => found,
        Err(e) => return error_page(e, layout),
    };
    let zone = firm_zone(&state);
    let today = state.docket.now().with_timezone(&zone).date_naive();
    let view = SearchView {
        q,
        rows: found.work.iter().map(|l| row(l, zone, today)).collect(),
        contacts: found
            .contacts
            .into_iter()
            .map(|c| ContactRow {
                href: format!("/admin/contacts/{}", c.id),
                name: c.name,
                email: c.email,
                archived: c.archived_at.is_some(),
            })
            .collect(),
        more: found.more,
        limit: SEARCH_LIMIT,
        sort_by_work: "",
        sort_by_due: "",
        sort_by_client: "",
        sort_by_status: "",
        sort_by_assignee: "",
        sorted: "",
    };
    render(StatusCode::OK, "admin/search.html", layout, &view)
}

#[derive(Serialize)]
struct ActivityView {
    heading: &'static str,
    intro: &'static str,
    empty: &'static str,
    views: Vec<View>,
    /// The clients active lately, each once (the active-clients page).
    clients: Vec<ClientLine>,
    /// Each failed email (the failed-emails page).
    lines: Vec<Line>,
}

#[derive(Serialize)]
struct ClientLine {
    href: String,
    name: String,
    email: String,
    last: Line,
}

/// An event of the activity feed as a page shows it.
#[derive(Serialize)]
pub(in crate::admin) struct Line {
    pub at: String,
    pub summary: String,
    pub work_href: String,
    pub work_title: String,
    pub client: Option<String>,
    /// Newer than the member's last look.
    pub new: bool,
}

pub(in crate::admin) fn line(
    l: &ActivityLine,
    zone: chrono_tz::Tz,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> Line {
    Line {
        at: l
            .event
            .at
            .with_timezone(&zone)
            .format("%-d %b %Y, %H:%M")
            .to_string(),
        summary: crate::admin::plain(&l.event.summary),
        work_href: l
            .event
            .work
            .map_or_else(String::new, |w| format!("/admin/work/{w}")),
        work_title: l.work_title.clone(),
        client: l.client.clone(),
        new: since.is_some_and(|s| l.event.at > s),
    }
}

/// `GET /admin/activity`: the clients who did something lately, most recent first.
pub(in crate::admin) async fn active_clients(
    State(state): State<AppState>,
    session: StaffSession,
) -> Response {
    let layout = Layout::signed_in(&state, &session, "work");
    let clients = match state.call(|d| d.active_clients(ACTIVITY_LINES)).await {
        Ok(clients) => clients,
        Err(e) => return error_page(e, layout),
    };
    let zone = firm_zone(&state);
    let view = ActivityView {
        heading: "Recently active clients",
        intro: "Clients who ticked, reopened, commented on or uploaded to a task lately, the most recent first, with what they did last.",
        empty: "No client has done anything yet.",
        views: views("/admin/activity"),
        clients: clients
            .iter()
            .map(|c| ClientLine {
                href: format!("/admin/contacts/{}", c.contact),
                name: c.name.clone(),
                email: c.email.clone(),
                last: line(&c.last, zone, None),
            })
            .collect(),
        lines: Vec::new(),
    };
    render(StatusCode::OK, "admin/activity.html", layout, &view)
}

/// `GET /admin/activity/failed`: emails about work that could not be delivered, newest first.
pub(in crate::admin) async fn failed_emails(
    State(state): State<AppState>,
    session: StaffSession,
) -> Response {
    let layout = Layout::signed_in(&state, &session, "work");
    let failed = match state
        .call(|d| d.activity(ActivityKind::FailedEmail, None, ACTIVITY_LINES))
        .await
    {
        Ok(failed) => failed,
        Err(e) => return error_page(e, layout),
    };
    let zone = firm_zone(&state);
    let view = ActivityView {
        heading: "Failed emails",
        intro: "Emails about work that could not be delivered, the newest first. Open the work to check the address and send again.",
        empty: "No email has failed.",
        views: views("/admin/activity/failed"),
        clients: Vec::new(),
        lines: failed.iter().map(|l| line(l, zone, None)).collect(),
    };
    render(StatusCode::OK, "admin/activity.html", layout, &view)
}
