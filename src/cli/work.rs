//! `docket work create|list|show|complete|reopen|repeat`: work items made from a template, found,
//! read, moved on and repeated from the shell. A template is named by its name or id, a contact or a staff
//! member by their email or id; a work item by its id.

use std::io::Write as _;

use chrono::NaiveDate;
use clap::Subcommand;
use docket_engine::Docket;
use docket_engine::docket::{WorkListQuery, next_due};
use docket_engine::model::{Actor, FireAction, NewWork, WorkId};

use super::out::Out;

#[derive(Debug, Subcommand, serde::Serialize, serde::Deserialize)]
pub enum WorkCommand {
    /// Create a work item from a template.
    Create {
        /// A template's name (any case) or id.
        #[arg(long)]
        template: String,
        /// Start date, YYYY-MM-DD; due dates count from it.
        #[arg(long, value_parser = parse_date)]
        start: NaiveDate,
        /// Recipient contact, their email or id: once for every group, or once per group in
        /// template order.
        #[arg(long = "contact", required = true)]
        contacts: Vec<String>,
        /// The firm's own name for it; "{contact} — {template}" (the first group's contact's
        /// name and the template's) when left out.
        #[arg(long)]
        title: Option<String>,
        /// The name the client sees; defaults to the title given, else the template's name.
        #[arg(long)]
        external_name: Option<String>,
        /// The staff member responsible: their email or id.
        #[arg(long)]
        assignee: Option<String>,
    },
    /// List work items, newest first (soonest due first with --due-from or --due-to), each with
    /// its repeat and next three dates and a reminder pause in force.
    List(ListArgs),
    /// Show a work item: its groups, tasks, repeat, reminder pause and latest events.
    Show { id: String },
    /// Complete a work item: sending and reminders stop, the portal is locked.
    Complete { id: String },
    /// Reopen a completed work item.
    Reopen { id: String },
    /// Repeat a work item: on each date Docket makes the next one from the same template, for
    /// the same contacts and assignee (at the start of the day in the firm's zone), and its
    /// tasks go out by the template's sending rules. --stop ends the repeat.
    Repeat {
        /// The work item's id (as `work list` shows it).
        id: String,
        /// month, quarter, year (any case), or a five-field cron expression in the firm's zone
        /// (e.g. "0 6 1 * *"); its first date is after the work's start date.
        #[arg(long, required_unless_present = "stop")]
        every: Option<String>,
        /// The day of the month (1-31; a shorter month takes its last day) for month, quarter
        /// and year; the work's start day when left out.
        #[arg(long)]
        day: Option<u32>,
        /// The last start date, YYYY-MM-DD (no earlier than the first date the repeat makes); no end when left out.
        #[arg(long)]
        until: Option<String>,
        /// The title of each work item made, with {contact}, {template}, {month}, {quarter},
        /// {year}, {date} or {period}; "{contact} — {template} {period}" when left out.
        #[arg(long)]
        title: Option<String>,
        /// Stop the repeat; the work it made stays.
        #[arg(long, conflicts_with_all = ["every", "day", "until", "title"])]
        stop: bool,
    },
}

/// "repeats every month on day 5 until 2027-12-31; next 2026-02-05, 2026-03-05, 2026-04-05":
/// a work item's repeat as `work list`, `work show` and `contact show` print it.
pub(super) fn repeat_text(repeat: &docket_engine::model::Repeat) -> String {
    let next: Vec<String> = repeat
        .next
        .iter()
        .map(|o| o.start_date.to_string())
        .collect();
    format!(
        "repeats every {}{}{}; next {}",
        repeat.every,
        repeat
            .day
            .map_or_else(String::new, |d| format!(" on day {d}")),
        repeat
            .until
            .map_or_else(String::new, |u| format!(" until {u}")),
        if next.is_empty() {
            "none (ending)".to_string()
        } else {
            next.join(", ")
        }
    )
}

/// "reminders paused until 2027-01-10 (on holiday)" for a pause still in force, as the CLI
/// prints it.
pub(super) fn pause_text(
    docket: &Docket,
    pause: Option<&docket_engine::model::ReminderPause>,
) -> Option<String> {
    docket.pause_in_force(pause).map(|p| {
        let why = if p.note.is_empty() {
            String::new()
        } else {
            format!(" ({})", p.note)
        };
        format!("reminders paused until {}{why}", p.until)
    })
}

/// `1 task`, `2 tasks`.
pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Dates on the command line: `YYYY-MM-DD`, or a message saying so.
fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    docket_engine::dates::date_or_why(text)
}

/// The filters of `docket work list`.
#[derive(Debug, clap::Args, serde::Serialize, serde::Deserialize)]
pub struct ListArgs {
    /// planned, waiting_on_client, in_progress or completed.
    #[arg(long)]
    pub status: Option<String>,
    /// The firm's sub-status, e.g. "over reminder limit".
    #[arg(long)]
    pub sub_status: Option<String>,
    /// A staff member's email or id, or `none` for unassigned work.
    #[arg(long)]
    pub assignee: Option<String>,
    /// Only work whose next due date is on or after this date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    pub due_from: Option<chrono::NaiveDate>,
    /// Only work whose next due date is on or before this date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    pub due_to: Option<chrono::NaiveDate>,
    /// Only work waiting on the client.
    #[arg(long)]
    pub waiting_on_client: bool,
    /// A contact's email or id.
    #[arg(long)]
    pub contact: Option<String>,
    /// Only work that needs attention: a group whose sending rule or reminder policy fails.
    #[arg(long)]
    pub needs_attention: bool,
    /// How many to list at most, from 1 to 1000.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub limit: u16,
    /// List the page after this work item (the last id of the previous page).
    #[arg(long)]
    pub after: Option<String>,
}

/// `work create|list|show|complete|reopen|repeat`.
pub fn run(cmd: WorkCommand, docket: &Docket, out: &mut Out) -> anyhow::Result<()> {
    match cmd {
        WorkCommand::List(args) => list(args, docket, out)?,
        WorkCommand::Show { id } => show(&id, docket, out)?,
        WorkCommand::Complete { id } => complete(&id, docket, out)?,
        WorkCommand::Reopen { id } => reopen(&id, docket, out)?,
        WorkCommand::Repeat {
            id,
            every,
            day,
            until,
            title,
            stop,
        } => {
            let id: WorkId = id.parse()?;
            if stop {
                let (work, stopped) = docket.stop_repeat(id, Actor::CommandLine)?;
                if stopped {
                    writeln!(
                        out,
                        "work “{}” ({}) no longer repeats; what it made stays",
                        work.title, work.id
                    )?;
                } else {
                    writeln!(
                        out,
                        "work “{}” ({}) was not repeating; nothing changed",
                        work.title, work.id
                    )?;
                }
            } else {
                let request = docket_engine::model::RepeatRequest {
                    every: every.unwrap_or_default(),
                    day,
                    until,
                    title,
                };
                let work = docket.set_repeat(id, request, Actor::CommandLine)?;
                if let Some(repeat) = &work.repeat {
                    writeln!(
                        out,
                        "work “{}” ({}) {}, each titled “{}”",
                        work.title,
                        work.id,
                        repeat_text(repeat),
                        repeat.title,
                    )?;
                }
            }
        }
        WorkCommand::Create {
            template,
            start,
            contacts,
            title,
            external_name,
            assignee,
        } => {
            let work = docket.create_work(
                NewWork {
                    template,
                    title,
                    external_name,
                    start_date: Some(start),
                    assignee,
                    contacts,
                },
                Actor::CommandLine,
            )?;
            writeln!(out, "created work `{}` with id {}", work.title, work.id)?;
            for group in &work.groups {
                for task in &group.tasks {
                    writeln!(
                        out,
                        "  {}: {} (due {})",
                        group.name, task.title, task.due_date
                    )?;
                }
            }
            for group in &work.groups {
                let when = match &group.next {
                    Some(fire) if fire.action == FireAction::Send => format!(
                        "goes out automatically at {} (while `docket serve` runs)",
                        fire.at.get().format("%Y-%m-%d %H:%M UTC")
                    ),
                    Some(_) => "is planned again when `docket serve` runs".to_string(),
                    None => "goes out when staff send it".to_string(),
                };
                writeln!(out, "  “{}” {when}", group.name)?;
            }
        }
    }
    Ok(())
}

fn list(args: ListArgs, docket: &Docket, out: &mut Out) -> anyhow::Result<()> {
    let query = WorkListQuery {
        status: args.status,
        sub_status: args.sub_status,
        assignee: args.assignee,
        due_from: args.due_from.map(|d| d.to_string()),
        due_to: args.due_to.map(|d| d.to_string()),
        waiting_on_client: args.waiting_on_client.then(|| "true".to_string()),
        contact: args.contact,
        needs_attention: args.needs_attention.then(|| "true".to_string()),
        sort: None,
    };
    let after = args
        .after
        .as_deref()
        .map(str::parse::<WorkId>)
        .transpose()?;
    let items = docket.find_work(&query, after, usize::from(args.limit))?;
    if items.is_empty() {
        writeln!(out, "no work items match")?;
    }
    for work in items {
        let status = match &work.sub_status {
            Some(sub) => format!("{} — {sub}", work.status.as_str()),
            None => work.status.as_str().to_string(),
        };
        // Completed work is due nothing, whatever tasks it left open (as the admin's lists say).
        let due = match next_due(&work) {
            _ if work.status == docket_engine::model::WorkStatus::Completed => {
                "nothing due".to_string()
            }
            Some(d) => format!("next due {d}"),
            None => "nothing due".to_string(),
        };
        let attention = if docket_engine::docket::needs_attention(&work) {
            "  NEEDS ATTENTION"
        } else {
            ""
        };
        let mut also = String::new();
        if let Some(repeat) = &work.repeat {
            also.push_str(&format!("  {}", repeat_text(repeat)));
        }
        if let Some(paused) = pause_text(docket, work.paused.as_deref()) {
            also.push_str(&format!("  {paused}"));
        }
        writeln!(
            out,
            "{}  {}  [{status}]  {due}{attention}{also}",
            work.id, work.title
        )?;
    }
    Ok(())
}

fn show(id: &str, docket: &Docket, out: &mut Out) -> anyhow::Result<()> {
    let summary = docket.work_summary(id.parse()?)?;
    let work = &summary.work;
    writeln!(out, "{}  {}", work.id, work.title)?;
    writeln!(out, "  client sees: {}", work.external_name)?;
    match &work.sub_status {
        Some(sub) => writeln!(out, "  status: {} — {sub}", work.status.as_str())?,
        None => writeln!(out, "  status: {}", work.status.as_str())?,
    }
    writeln!(out, "  starts: {}", work.start_date)?;
    match &summary.assignee {
        Some(member) => writeln!(out, "  assignee: {} <{}>", member.name, member.email)?,
        None => writeln!(out, "  assignee: none")?,
    }
    if let Some(repeat) = &work.repeat {
        writeln!(
            out,
            "  {}, each titled “{}”",
            repeat_text(repeat),
            repeat.title
        )?;
    }
    if let Some(series) = work.repeated_from {
        writeln!(out, "  made by the repeat of work {series}")?;
    }
    if let Some(paused) = pause_text(docket, work.paused.as_deref()) {
        writeln!(out, "  {paused}")?;
    }
    for (group, people) in work.groups.iter().zip(&summary.groups) {
        let sent = match (&people.sent_at, &people.sent_by) {
            (Some(at), Some(by)) => format!("sent {} by {by}", at.format("%Y-%m-%d %H:%M UTC")),
            (Some(at), None) => format!("sent {}", at.format("%Y-%m-%d %H:%M UTC")),
            _ => "not sent".to_string(),
        };
        writeln!(
            out,
            "  “{}” to {} <{}>, {sent}",
            group.name, people.recipient_name, people.recipient_email
        )?;
        match &group.next {
            Some(fire) => {
                let what = match &fire.action {
                    FireAction::Send => "automatic send".to_string(),
                    FireAction::Reminder { tasks } => {
                        format!("reminder covering {}", plural(tasks.len(), "task", "tasks"))
                    }
                    FireAction::Retry { .. } => "its plugin asked again".to_string(),
                };
                writeln!(
                    out,
                    "    next: {what} at {}",
                    fire.at.get().format("%Y-%m-%d %H:%M UTC")
                )?;
            }
            None => writeln!(out, "    next: nothing planned")?,
        }
        if let Some(stuck) = &group.stuck {
            let version = if stuck.version.is_empty() {
                " (not installed)".to_string()
            } else {
                format!(" {}", stuck.version)
            };
            writeln!(
                out,
                "    STUCK since {}: plugin `{}`{version} failed {}: {}",
                stuck.since.format("%Y-%m-%d %H:%M UTC"),
                stuck.plugin,
                plural(stuck.attempts as usize, "time", "times"),
                stuck.reason
            )?;
        }
        for task in &group.tasks {
            let done = match task.done_at {
                Some(at) => format!("done {}", at.format("%Y-%m-%d")),
                None => "open".to_string(),
            };
            writeln!(out, "    - {} (due {}, {done})", task.title, task.due_date)?;
        }
    }
    writeln!(out, "  latest events:")?;
    for (event, who) in summary.timeline.iter().take(10) {
        // A comment's later lines stay under its first, so the list still reads as a list.
        let summary = event
            .summary
            .trim()
            .replace('\n', "\n                      ");
        writeln!(
            out,
            "    {}  {summary}  ({who})",
            event.at.format("%Y-%m-%d %H:%M"),
        )?;
    }
    Ok(())
}

fn complete(id: &str, docket: &Docket, out: &mut Out) -> anyhow::Result<()> {
    let work = docket.complete_work(id.parse()?, Actor::CommandLine)?;
    writeln!(
        out,
        "completed work `{}`; its portal is locked and nothing more is sent",
        work.title
    )?;
    Ok(())
}

fn reopen(id: &str, docket: &Docket, out: &mut Out) -> anyhow::Result<()> {
    let work = docket.reopen_work(id.parse()?, Actor::CommandLine)?;
    writeln!(
        out,
        "reopened work `{}`; it is {}",
        work.title,
        work.status.as_str()
    )?;
    Ok(())
}
