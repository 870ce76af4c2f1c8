//! Work that repeats, from its page: what the page shows of a repeat (how often, until when,
//! the next three dates, the work it made, or the work whose repeat made this one, linked both
//! ways) and the form that sets, changes or stops it (no script: `every` is a choice, a cron
//! expression its own field).

use axum::extract::{Path, State};
use axum::response::Response;
use docket_engine::Docket;
use docket_engine::model::{RepeatRequest, WorkItem};
use serde::{Deserialize, Serialize};

use super::actions::{actor, back, bad_address, failed, refused};
use crate::AppState;
use crate::CallError::Engine;
use crate::admin::guard::{StaffForm, StaffSession};

/// Work made by a repeat shown on the series' page, newest last.
const MADE_SHOWN: usize = 24;

/// What the work page shows of a repeat, and what its form holds.
#[derive(Serialize, Default)]
pub(in crate::admin) struct RepeatView {
    /// "Every month on day 5, until 31 December 2027", while the work repeats.
    pub rule: Option<String>,
    /// The next dates, "5 March 2027".
    pub next: Vec<String>,
    /// The work this repeat made: (address, title).
    pub made: Vec<(String, String)>,
    /// The work whose repeat made this one: (address, title).
    pub from: Option<(String, String)>,
    /// The form's values: `month`, `quarter`, `year` or `cron`; the cron expression; the day;
    /// until; the title pattern.
    pub every: String,
    pub cron: String,
    pub day: String,
    pub until: String,
    pub title: String,
}

/// The repeat of `work`, read for its page.
pub(in crate::admin) fn repeat_view(
    d: &Docket,
    work: &WorkItem,
) -> docket_engine::Result<RepeatView> {
    let link = |id: docket_engine::model::WorkId| -> docket_engine::Result<(String, String)> {
        Ok((format!("/admin/work/{id}"), d.work(id)?.title))
    };
    let mut view = RepeatView {
        every: "month".into(),
        title: docket_engine::docket::DEFAULT_REPEAT_TITLE.into(),
        ..RepeatView::default()
    };
    if let Some(from) = work.repeated_from {
        view.from = link(from).ok();
    }
    let made = d.repeat_made(work.id, usize::MAX)?;
    let skip = made.len().saturating_sub(MADE_SHOWN);
    view.made = made
        .into_iter()
        .skip(skip)
        .map(link)
        .collect::<docket_engine::Result<_>>()?;
    if let Some(repeat) = work.repeat.as_deref() {
        view.rule = Some(rule_text(repeat));
        view.next = repeat
            .next
            .iter()
            .map(|o| o.start_date.format("%-d %B %Y").to_string())
            .collect();
        match repeat.every.as_str() {
            "month" | "quarter" | "year" => view.every = repeat.every.clone(),
            cron => {
                view.every = "cron".into();
                view.cron = cron.to_string();
            }
        }
        view.day = repeat.day.map(|d| d.to_string()).unwrap_or_default();
        view.until = repeat.until.map(|u| u.to_string()).unwrap_or_default();
        view.title = repeat.title.clone();
    }
    Ok(view)
}

/// "Every quarter on day 7, until 31 December 2027", or "By the cron expression `…`".
pub(in crate::admin) fn rule_text(repeat: &docket_engine::model::Repeat) -> String {
    let every = match (repeat.every.as_str(), repeat.day) {
        (e @ ("month" | "quarter" | "year"), Some(day)) => format!("Every {e} on day {day}"),
        (cron, _) => format!("By the cron expression `{cron}`"),
    };
    match repeat.until {
        Some(u) => format!("{every}, until {}", u.format("%-d %B %Y")),
        None => every,
    }
}

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
    let day = form.day.trim();
    let day = match day {
        "" => None,
        d => match d.parse::<u32>() {
            Ok(d) => Some(d),
            Err(_) => {
                let e = docket_engine::Error::invalid_field(
                    "day",
                    format!("`{d}` is not a day of the month; give 1 to 31"),
                );
                return refused(&state, &session, &id, "repeat-day".into(), &e).await;
            }
        },
    };
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
                d.stop_repeat(work, by)
            } else {
                d.set_repeat(work, request, by)
            }
        })
        .await;
    match answer {
        Ok(_) => back(work, if stop { "repeat-stopped" } else { "repeat-set" }),
        Err(Engine(e)) if e.is_invalid() => {
            let field = format!("repeat-{}", e.field().unwrap_or("every"));
            refused(&state, &session, &id, field, &e).await
        }
        Err(e) => failed(&state, &session, work, e),
    }
}
