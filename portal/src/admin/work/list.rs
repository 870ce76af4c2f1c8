//! `GET /admin/work`: every work item, filtered by status and sub-status, assignee, due window
//! and waiting on the client, sorted newest, oldest or soonest due first, or by client, status
//! or assignee (links in the column heads; the next page's link keeps the order), a page at a time, with the saved views as links above it. The filters are a plain
//! `GET` form, so a filtered list is a link staff can keep; a filter that is wrong re-shows the
//! form (422) with the message next to its field.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use docket_engine::docket::{WorkListQuery, WorkSort, parse_date, yes_or_no};
use docket_engine::model::{WorkId, WorkStatus};
use serde::{Deserialize, Serialize};

use super::{Row, firm_zone, row};
use crate::AppState;
use crate::admin::guard::StaffSession;
use crate::admin::page_query::AdminQuery;
use crate::admin::{Layout, Message, error_page, render, status_text};

/// Work items on one page of the list.
const PAGE: usize = 50;

/// The filter form's fields, as typed, and where the page starts.
#[derive(Deserialize, Default, Clone)]
pub(in crate::admin) struct Filters {
    #[serde(default)]
    status: String,
    #[serde(default)]
    sub_status: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    due_from: String,
    #[serde(default)]
    due_to: String,
    #[serde(default)]
    waiting_on_client: String,
    #[serde(default)]
    needs_attention: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    after: String,
    /// A saved view by name (`overdue`, …): its filters, decided when the page is asked for.
    #[serde(default)]
    view: String,
}

impl Filters {
    fn query(&self) -> WorkListQuery {
        let text = |v: &String| Some(v.clone()).filter(|v| !v.trim().is_empty());
        WorkListQuery {
            status: text(&self.status),
            sub_status: text(&self.sub_status),
            assignee: text(&self.assignee),
            due_from: text(&self.due_from),
            due_to: text(&self.due_to),
            waiting_on_client: text(&self.waiting_on_client),
            contact: None,
            needs_attention: text(&self.needs_attention),
            sort: text(&self.sort),
        }
    }

    /// The list's address with these filters in the order `sort`, from the first page.
    fn sorted_href(&self, sort: WorkSort) -> String {
        let mut filters = self.clone();
        filters.sort = sort.as_str().into();
        filters.after.clear();
        filters.address()
    }

    /// The list's address with these filters, starting after `after`.
    fn href(&self, after: WorkId) -> String {
        let mut filters = self.clone();
        filters.after = after.to_string();
        filters.address()
    }

    /// The list's address with these filters and this start.
    fn address(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("sub_status", &self.sub_status),
            ("assignee", &self.assignee),
            ("due_from", &self.due_from),
            ("due_to", &self.due_to),
            ("waiting_on_client", &self.waiting_on_client),
            ("needs_attention", &self.needs_attention),
            ("sort", &self.sort),
            ("after", &self.after),
            ("view", &self.view),
        ];
        let given: Vec<(&str, &str)> = pairs
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k, v.as_str()))
            .collect();
        let query = serde_urlencoded::to_string(&given).unwrap_or_default();
        format!("/admin/work?{query}")
    }
}

#[derive(Serialize)]
struct WorkListView {
    /// "All work", or the saved view's name.
    heading: &'static str,
    rows: Vec<Row>,
    statuses: Vec<Choice>,
    assignees: Vec<Choice>,
    sub_status: String,
    due_from: String,
    due_to: String,
    waiting_on_client: bool,
    needs_attention: bool,
    errors: FilterErrors,
    filtered: bool,
    next_href: Option<String>,
    first_page: bool,
    /// This order and these filters from the start.
    first_href: String,
    /// The column heads' links: newest or oldest first, and soonest due first.
    sort_by_work: String,
    sort_by_due: String,
    sort_by_client: String,
    sort_by_status: String,
    sort_by_assignee: String,
    /// Which order the list is in: `newest`, `oldest`, `due`, `client`, `status` or `assignee`.
    sorted: &'static str,
    views: Vec<View>,
    /// Who the selected work can be assigned to.
    members: Vec<Choice>,
    /// The selection form's one-time id: a second sending of the same form does nothing more.
    once: String,
}

/// A saved view: a link to the list (or another page) with its filters.
#[derive(Serialize)]
pub(in crate::admin) struct View {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// The saved views of the work list: the name in its address (`/admin/work?view=overdue`),
/// resolved to filters when the page is asked for, so a kept link means the same tomorrow.
const SAVED: [(&str, &str); 4] = [
    ("mine", "My work"),
    ("waiting", "Waiting on the client"),
    ("overdue", "Overdue client tasks"),
    ("attention", "Needs attention"),
];

/// The saved views as links; `here` is the page's address, to mark the current one.
pub(in crate::admin) fn views(here: &str) -> Vec<View> {
    SAVED
        .into_iter()
        .map(|(name, label)| (label, format!("/admin/work?view={name}")))
        .chain([
            ("Failed emails", "/admin/activity/failed".to_string()),
            ("Recently active clients", "/admin/activity".to_string()),
        ])
        .map(|(label, href)| View {
            label,
            current: href == here,
            href,
        })
        .collect()
}

impl Filters {
    /// The filters of the saved view the address names, for `member` on `today`, over what
    /// else it gives; its name for the heading. `None` when it names none there is.
    fn resolve_view(&mut self, member: &str, today: NaiveDate) -> Option<&'static str> {
        let (name, label) = SAVED
            .into_iter()
            .find(|(name, _)| *name == self.view.trim())?;
        match name {
            "mine" => self.assignee = member.into(),
            "waiting" => self.status = "waiting_on_client".into(),
            "overdue" => {
                self.due_to = today.pred_opt().unwrap_or(today).to_string();
                self.waiting_on_client = "true".into();
            }
            _ => self.needs_attention = "true".into(),
        }
        Some(label)
    }
}

/// An option of a select.
#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A message next to each filter that is wrong.
#[derive(Serialize, Default)]
struct FilterErrors {
    status: Option<String>,
    sub_status: Option<String>,
    assignee: Option<String>,
    due_from: Option<String>,
    due_to: Option<String>,
    waiting_on_client: Option<String>,
    needs_attention: Option<String>,
    sort: Option<String>,
    after: Option<String>,
}

/// What was typed in the due field `field` (`due_from` or `due_to`).
fn typed<'a>(field: &str, filters: &'a Filters) -> &'a str {
    if field == "due_from" {
        &filters.due_from
    } else {
        &filters.due_to
    }
}

/// A filter's message as the page says it: in the words of the field's label, with the value
/// as typed (the engine's own words name query parameters, for the API and the CLI). Which rule
/// a field broke is told by what was typed: a due date that reads as a date is refused for the
/// window it makes, a ticked "waiting on the client" for the status it contradicts.
fn in_page_words(field: &str, message: &str, filters: &Filters) -> String {
    let label = match field {
        "due_from" => "Next due from",
        "due_to" => "Next due until",
        "waiting_on_client" => "Only work waiting on the client",
        "needs_attention" => "Only work that needs attention",
        "sub_status" => "Sub-status",
        _ => "",
    };
    match field {
        "status" => format!(
            "Status: “{}” is not a status; choose one from the list.",
            filters.status.trim()
        ),
        "assignee" => format!(
            "Assignee: “{}” is not a member of staff here; choose one from the list.",
            filters.assignee.trim()
        ),
        "due_from" | "due_to" if parse_date(field, typed(field, filters)).is_err() => {
            match docket_engine::dates::date_or_why(typed(field, filters)) {
                Err(why) => format!("{label}: {why}."),
                Ok(_) => String::new(),
            }
        }
        "waiting_on_client" if yes_or_no(filters.waiting_on_client.trim()) == Some(true) => {
            format!("{label}: that is a status of its own; choose it or another status, not both.")
        }
        "waiting_on_client" => format!(
            "{label}: “{}” is neither on nor off; tick the box or leave it empty.",
            filters.waiting_on_client.trim()
        ),
        "needs_attention" => format!(
            "{label}: “{}” is neither on nor off; tick the box or leave it empty.",
            filters.needs_attention.trim()
        ),
        "sort" => format!(
            "This list cannot be sorted by “{}”; use the links in the column heads.",
            filters.sort.trim()
        ),
        _ if label.is_empty() => message.to_string(),
        _ => format!("{label}: {message}."),
    }
}

/// `GET /admin/work`: the filtered list.
pub(in crate::admin) async fn work_list(
    State(state): State<AppState>,
    session: StaffSession,
    AdminQuery(mut filters): AdminQuery<Filters>,
) -> Response {
    let layout = |s: &StaffSession| Layout::signed_in(&state, s, "work");
    let zone = firm_zone(&state);
    let today = state.docket.now().with_timezone(&zone).date_naive();
    let named = filters.view.trim().to_string();
    let heading = match named.as_str() {
        "" => "All work",
        name => {
            match filters.resolve_view(&session.member.staff.email, today) {
                Some(label) => label,
                None => {
                    return Message::new(
                    "No such saved view",
                    format!("There is no saved view called “{name}”; choose one above the work list."),
                )
                .back("/admin/work", "Open the work list")
                .render(StatusCode::NOT_FOUND, layout(&session));
                }
            }
        }
    };
    let mut errors = FilterErrors::default();
    let after = match filters.after.trim() {
        "" => None,
        text => match text.parse::<WorkId>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.after = Some("This page's address is damaged; list from the start.".into());
                None
            }
        },
    };
    let query = filters.query();
    let page = match state
        .call(move |d| d.work_list_page(&query, after, PAGE))
        .await
    {
        Ok(page) => page,
        Err(e) => return error_page(e, layout(&session)),
    };
    if let Some((field, message)) = &page.problem {
        let slot = match *field {
            "status" => &mut errors.status,
            "sub_status" => &mut errors.sub_status,
            "assignee" => &mut errors.assignee,
            "due_from" => &mut errors.due_from,
            "waiting_on_client" => &mut errors.waiting_on_client,
            "needs_attention" => &mut errors.needs_attention,
            "sort" => &mut errors.sort,
            _ => &mut errors.due_to,
        };
        *slot = Some(in_page_words(field, message, &filters));
    }
    let failed = page.problem.is_some() || errors.after.is_some();
    let mut statuses = vec![Choice {
        value: String::new(),
        label: "Any status".into(),
        selected: filters.status.trim().is_empty(),
    }];
    statuses.extend(WorkStatus::ALL.into_iter().map(|s| Choice {
        value: s.as_str().into(),
        label: status_text(s, None),
        selected: filters.status.trim() == s.as_str(),
    }));
    let chosen = filters.assignee.trim();
    let mut assignees = vec![
        Choice {
            value: String::new(),
            label: "Anyone".into(),
            selected: chosen.is_empty(),
        },
        Choice {
            value: "none".into(),
            label: "Nobody (unassigned)".into(),
            selected: chosen == "none",
        },
    ];
    assignees.extend(page.staff.iter().map(|m| Choice {
        value: m.id.to_string(),
        label: m.name.clone(),
        selected: chosen == m.id.to_string() || chosen.eq_ignore_ascii_case(&m.email),
    }));
    let sorted = WorkSort::ALL
        .into_iter()
        .find(|s| s.as_str() == filters.sort.trim().to_lowercase())
        .unwrap_or_default();
    let here = match filters.view.trim() {
        "" => {
            let mut f = filters.clone();
            f.after.clear();
            f.address()
        }
        name => format!("/admin/work?view={name}"),
    };
    let view = WorkListView {
        sort_by_work: filters.sorted_href(if sorted == WorkSort::Newest {
            WorkSort::Oldest
        } else {
            WorkSort::Newest
        }),
        sort_by_due: filters.sorted_href(WorkSort::NextDue),
        sort_by_client: filters.sorted_href(WorkSort::Client),
        sort_by_status: filters.sorted_href(WorkSort::Status),
        sort_by_assignee: filters.sorted_href(WorkSort::Assignee),
        sorted: sorted.as_str(),
        views: views(&here),
        heading,
        once: state.docket.new_bulk_form_id(),
        members: page
            .staff
            .iter()
            .map(|m| Choice {
                value: m.email.clone(),
                label: m.name.clone(),
                selected: false,
            })
            .collect(),
        rows: page.lines.iter().map(|l| row(l, zone, today)).collect(),
        statuses,
        assignees,
        sub_status: filters.sub_status.clone(),
        due_from: filters.due_from.clone(),
        due_to: filters.due_to.clone(),
        waiting_on_client: !filters.waiting_on_client.trim().is_empty(),
        needs_attention: !filters.needs_attention.trim().is_empty(),
        errors,
        filtered: [
            &filters.status,
            &filters.sub_status,
            &filters.assignee,
            &filters.due_from,
            &filters.due_to,
            &filters.waiting_on_client,
            &filters.needs_attention,
        ]
        .iter()
        .any(|v| !v.trim().is_empty()),
        next_href: page.next_after.map(|id| filters.href(id)),
        first_page: after.is_none(),
        first_href: filters.sorted_href(sorted),
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(status, "admin/work_list.html", layout(&session), &view)
}
