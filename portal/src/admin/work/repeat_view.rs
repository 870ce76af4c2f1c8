//! What the work page shows of a repeat: how often, until when, the next three dates, the work
//! it made, or the work whose repeat made this one (linked both ways), and what its form holds.

use docket_engine::Docket;
use docket_engine::model::WorkItem;
use serde::Serialize;

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

/// What staff typed in the repeat form, kept after a refusal.
pub(in crate::admin) struct RepeatTyped {
    pub every: String,
    pub cron: String,
    pub day: String,
    pub until: String,
    pub title: String,
}

impl RepeatView {
    /// The form holds what staff typed, not the stored (or default) repeat.
    pub(in crate::admin) fn keep(&mut self, typed: RepeatTyped) {
        self.every = typed.every;
        self.cron = typed.cron;
        self.day = typed.day;
        self.until = typed.until;
        self.title = typed.title;
    }
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

/// "Every quarter on day 7, until 31 December 2027", or "By the cron expression “…”".
pub(in crate::admin) fn rule_text(repeat: &docket_engine::model::Repeat) -> String {
    let every = match (repeat.every.as_str(), repeat.day) {
        (e @ ("month" | "quarter" | "year"), Some(day)) => format!("Every {e} on day {day}"),
        (cron, _) => format!("By the cron expression “{cron}”"),
    };
    match repeat.until {
        Some(u) => format!("{every}, until {}", u.format("%-d %B %Y")),
        None => every,
    }
}
