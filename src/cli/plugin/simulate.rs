//! `docket plugin simulate`: the reminders the scheduler would send for one group under a policy
//! — its answers held to the firm's send schedule and past its holidays, the cap applied, tasks
//! done along the way — until the policy answers none (or the days asked for end), and a last
//! line saying where and why it ends, printed as text or JSON. The firm's calendar is the one stored in the
//! data folder when there is one (what the server follows), else the configuration's `[firm]`.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use docket_engine::config::Config;
use docket_engine::docket::{CalendarPreview, preview_calendar};
use docket_engine::plugin::{
    FirmCalendar, GroupState, MAX_REMINDERS_PER_TASK, Params, PluginHost, TaskState,
};
use docket_engine::schedule::SendSchedule;

use super::facts::Facts;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The reminder policy: gentle, urgent, custom or an installed one.
    #[arg(long, required_unless_present = "file")]
    policy: Option<String>,
    /// A component to simulate without installing it (with its manifest, found as for
    /// `check`).
    #[arg(long, value_name = "WASM", conflicts_with = "policy")]
    file: Option<PathBuf>,
    /// The manifest of `--file`.
    #[arg(long, value_name = "TOML", requires = "file")]
    manifest: Option<PathBuf>,
    /// Policy parameters, e.g. `--params before=7,3,1 every=2`.
    #[arg(long, value_name = "K=V", num_args = 1..)]
    params: Vec<String>,
    /// When the group is sent: `YYYY-MM-DD` (at local midnight) or `YYYY-MM-DDTHH:MM`, local.
    #[arg(long, value_name = "DATE")]
    sent: String,
    /// A task's due date; repeat for each task. Tasks are numbered from 1 in this order.
    #[arg(long, value_name = "DATE", required = true)]
    due: Vec<NaiveDate>,
    /// Task N is done at DATE (local midnight) or DATE`T`HH:MM, e.g. `--done 1@2026-04-01`;
    /// repeat for each task done. It must not be before `--sent`: a task done before its group
    /// is sent is not part of the group.
    #[arg(long, value_name = "N@DATE")]
    done: Vec<String>,
    /// Timezone; defaults to the firm's: stored in the data folder when there is one (as
    /// the server uses it), else `firm.timezone` of the configuration. So do the send time,
    /// send schedule and holidays below.
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// Local send time, `HH:MM`; defaults to the firm's (`firm.send_time`). It must be a time
    /// the send schedule sends at.
    #[arg(long, value_name = "HH:MM")]
    send_time: Option<String>,
    /// The firm's send schedule, a five-field cron expression read in the zone, e.g.
    /// `0 9 * * MON-FRI`; a reminder the policy puts outside it is held to its next slot.
    /// Defaults to `firm.send_schedule`, or every day at the send time.
    #[arg(long, value_name = "CRON")]
    send_schedule: Option<String>,
    /// A firm holiday: the policy is told of it, and a reminder falling on it is held to the
    /// next slot of the send schedule; repeat for each. Defaults to `firm.holidays`.
    #[arg(long, value_name = "DATE")]
    holiday: Vec<NaiveDate>,
    /// Preview only the first N days after sending; by default the whole calendar, until the
    /// policy answers no more (every task done or at the cap of five reminders).
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    /// Print JSON instead of one line per reminder.
    #[arg(long)]
    json: bool,
}

pub fn run(
    host: &PluginHost,
    config: &Config,
    facts: anyhow::Result<Option<Facts>>,
    args: SimulateArgs,
) -> anyhow::Result<()> {
    let policy = match (&args.policy, &args.file) {
        (Some(policy), _) => policy.clone(),
        (None, Some(file)) => {
            let manifest = super::find_manifest(file, args.manifest.clone())?;
            host.load_file(file, &manifest)?.name
        }
        (None, None) => bail!("give --policy NAME or --file WASM"),
    };
    let firm = firm_calendar(config, facts);
    if let Some(note) = &firm.note {
        eprintln!("note: {note}");
    }
    let mut holidays = if args.holiday.is_empty() {
        firm.holidays.clone()
    } else {
        args.holiday.clone()
    };
    holidays.sort_unstable();
    holidays.dedup();
    let calendar = FirmCalendar::parse(
        args.tz.as_deref().unwrap_or(&firm.timezone),
        args.send_time.as_deref().unwrap_or(&firm.send_time),
        holidays,
    )
    .map_err(anyhow::Error::msg)?;
    // As the server: the firm's cron expression, or every day at the send time.
    let schedule = match (&args.send_schedule, &firm.send_schedule) {
        (Some(expr), _) => {
            SendSchedule::parse(expr).map_err(|e| anyhow::anyhow!("--send-schedule: {e}"))?
        }
        (None, Some(expr)) => SendSchedule::parse(expr)
            .map_err(|e| anyhow::anyhow!("{}'s send schedule: {e}", firm.from))?,
        (None, None) => SendSchedule::daily_at(calendar.send_time),
    };
    // A send time the schedule never sends at would hold every reminder; the server and the
    // settings refuse that pair, and so does this.
    if let Some(problem) = schedule.send_time_problem(calendar.send_time) {
        bail!(
            "{} with {}: {problem}",
            match &args.send_time {
                Some(time) => format!("--send-time {time}"),
                None => format!("the send time of {}", firm.from),
            },
            match &args.send_schedule {
                Some(expr) => format!("--send-schedule `{expr}`"),
                None => format!("the send schedule of {}", firm.from),
            }
        );
    }
    let params = parse_params(&args.params)?;
    let sent_at = local(&calendar, &args.sent, "--sent")?;
    let mut done = Vec::new();
    for text in &args.done {
        let (task, at) = text
            .split_once('@')
            .with_context(|| format!("--done `{text}`: write TASK@DATE, e.g. 1@2026-04-01"))?;
        let task: usize = task
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=args.due.len()).contains(n))
            .with_context(|| {
                format!(
                    "--done `{text}`: the task is a number from 1 to {} (the order of --due)",
                    args.due.len()
                )
            })?;
        let at = local(&calendar, at.trim(), "--done")?;
        if at < sent_at {
            bail!(
                "--done `{text}` is before the group is sent (--sent {}); a task done before the sending is not in the group, so leave it out or give a time after the sending",
                args.sent
            );
        }
        done.push((task - 1, at));
    }
    let group = GroupState {
        sent_at,
        last_reminder_at: None,
        tasks: args
            .due
            .iter()
            .map(|&due| TaskState {
                due,
                done: false,
                reminders_sent: 0,
            })
            .collect(),
    };
    let until = args
        .days
        .map(|days| sent_at + chrono::Duration::days(i64::from(days)));
    let preview = match host.reminder_session(&policy) {
        Ok(mut session) => preview_calendar(
            &mut session,
            &calendar,
            &params,
            &schedule,
            &calendar.holidays,
            group,
            &done,
            until,
        ),
        Err(e) => CalendarPreview::failed(Vec::new(), e),
    };
    // What falls after the days asked for is not shown, a task done then included.
    let shown: Vec<(usize, DateTime<Utc>)> = done
        .iter()
        .filter(|(_, at)| until.is_none_or(|until| *at <= until))
        .copied()
        .collect();
    print_calendar(
        &policy, &firm.from, &calendar, &schedule, &args.due, &shown, &preview, args.json,
    )?;
    match preview.error {
        Some(e) if preview.reminders.is_empty() => Err(e.into()),
        Some(e) => Err(anyhow::Error::from(e).context(format!(
            "the calendar stops after reminder {}",
            preview.reminders.len()
        ))),
        None => Ok(()),
    }
}

/// The firm's calendar as the command found it, and where from.
struct FirmSource {
    timezone: String,
    send_time: String,
    send_schedule: Option<String>,
    holidays: Vec<NaiveDate>,
    /// `the data folder DIR` or `the configuration`.
    from: String,
    /// What to tell the operator about the choice, when there is a data folder.
    note: Option<String>,
}

/// The firm's stored settings when the data folder holds a firm (the server's calendar, which
/// `[firm]` only seeded; the running server's when one holds the folder), else the
/// configuration's. A folder that cannot be read leaves the configuration's, and the note says
/// why.
fn firm_calendar(config: &Config, facts: anyhow::Result<Option<Facts>>) -> FirmSource {
    let dir = &config.storage.data_dir;
    let from_config = |note: Option<String>| FirmSource {
        timezone: config.firm.timezone.clone(),
        send_time: config.firm.send_time.clone(),
        send_schedule: config.firm.send_schedule(),
        holidays: config.firm.holidays(),
        from: "the configuration".into(),
        note,
    };
    match facts {
        Ok(None) => from_config(None),
        Ok(Some(Facts { firm, .. })) => FirmSource {
            timezone: firm.timezone.name().to_string(),
            send_time: firm.send_time.format("%H:%M").to_string(),
            send_schedule: firm.send_schedule,
            holidays: firm.holidays,
            from: format!("the data folder {}", dir.display()),
            note: Some(format!(
                "the firm's timezone, send time, send schedule and holidays are those stored in the data folder {}, which the server follows",
                dir.display()
            )),
        },
        Err(e) => {
            let why = match e.downcast_ref::<docket_engine::Error>() {
                Some(docket_engine::Error::Locked(_)) => {
                    "a running server holds it (GET /api/firm shows its settings)".to_string()
                }
                _ => format!("{e:#}"),
            };
            from_config(Some(format!(
                "cannot read the firm's settings in {}: {why}; using the configuration's [firm] instead",
                dir.display()
            )))
        }
    }
}

/// A local date (at midnight) or date and time in the calendar's zone, as an instant.
fn local(calendar: &FirmCalendar, text: &str, flag: &str) -> anyhow::Result<DateTime<Utc>> {
    let naive = parse_local(text)
        .with_context(|| format!("{flag} `{text}`: write YYYY-MM-DD or YYYY-MM-DDTHH:MM"))?;
    Ok(calendar
        .tz
        .from_local_datetime(&naive)
        .earliest()
        .with_context(|| format!("{flag} `{text}` does not exist in {}", calendar.tz))?
        .with_timezone(&Utc))
}

fn parse_params(pairs: &[String]) -> anyhow::Result<Params> {
    let mut params = Params::new();
    for pair in pairs {
        let Some((k, v)) = pair.split_once('=') else {
            bail!("--params `{pair}`: write NAME=VALUE, e.g. before=7,3,1");
        };
        params.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(params)
}

fn parse_local(text: &str) -> Option<NaiveDateTime> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(date.and_time(NaiveTime::MIN));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").ok()
}

#[derive(Serialize)]
struct ReminderLine {
    number: usize,
    /// Local date and time with offset, RFC 3339.
    local: String,
    utc: String,
    /// Covered tasks, numbered from 1 in the order of `--due`.
    tasks: Vec<usize>,
    /// Covered tasks that reached the cap with this reminder.
    capped: Vec<usize>,
    /// When the policy asked for it (local, RFC 3339), if the send schedule or a holiday held
    /// it until `local`; `null` when it goes out when asked.
    held_from: Option<String>,
    /// Why it was held, the day asked for first, then the days held over: `holiday`,
    /// `weekend` (a Saturday or Sunday the schedule skips) and/or `send schedule`.
    held_because: Option<String>,
}

#[derive(Serialize)]
struct DoneLine {
    /// The task, numbered from 1 in the order of `--due`.
    task: usize,
    local: String,
    utc: String,
}

#[allow(clippy::too_many_arguments)]
fn print_calendar(
    policy: &str,
    settings_from: &str,
    calendar: &FirmCalendar,
    schedule: &SendSchedule,
    due: &[NaiveDate],
    done: &[(usize, DateTime<Utc>)],
    preview: &CalendarPreview,
    json: bool,
) -> anyhow::Result<()> {
    let reminders = &preview.reminders;
    let error = preview.error.as_ref().map(ToString::to_string);
    let mut counts = vec![0u8; due.len()];
    let mut lines = Vec::new();
    for (i, r) in reminders.iter().enumerate() {
        let mut capped = Vec::new();
        for &t in &r.tasks {
            counts[t] += 1;
            if counts[t] == MAX_REMINDERS_PER_TASK {
                capped.push(t + 1);
            }
        }
        lines.push(ReminderLine {
            number: i + 1,
            local: r.at.with_timezone(&calendar.tz).to_rfc3339(),
            utc: r.at.to_rfc3339(),
            tasks: r.tasks.iter().map(|t| t + 1).collect(),
            capped,
            held_from: r
                .was_held()
                .then(|| r.asked.with_timezone(&calendar.tz).to_rfc3339()),
            held_because: r.was_held().then(|| {
                let why = r.held_over(calendar.tz, schedule, &calendar.holidays);
                let mut tokens: Vec<&str> = why.iter().map(|w| w.token()).collect();
                tokens.dedup();
                tokens.join(", ")
            }),
        });
    }
    let mut done: Vec<(usize, DateTime<Utc>)> = done.to_vec();
    done.sort_by_key(|(task, at)| (*at, *task));
    if json {
        let done: Vec<DoneLine> = done
            .iter()
            .map(|(task, at)| DoneLine {
                task: task + 1,
                local: at.with_timezone(&calendar.tz).to_rfc3339(),
                utc: at.to_rfc3339(),
            })
            .collect();
        let out = serde_json::json!({
            "policy": policy,
            "firm_settings_from": settings_from,
            "timezone": calendar.tz.name(),
            "send_time": calendar.send_time.format("%H:%M").to_string(),
            "send_schedule": schedule.as_str(),
            "holidays": calendar.holidays,
            "reminders": lines,
            "done": done,
            "end": preview.end,
            "ends": preview.end.describe(calendar.tz),
            "error": error,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    if lines.is_empty() && error.is_none() {
        println!("no reminders");
    }
    let format = |at: &DateTime<Utc>| {
        at.with_timezone(&calendar.tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    };
    let mut done = done.into_iter().peekable();
    for (line, r) in lines.iter().zip(reminders) {
        while let Some((task, at)) = done.next_if(|(_, at)| *at < r.at) {
            println!("{}  task {} done", format(&at), task + 1);
        }
        let tasks: Vec<String> = line
            .tasks
            .iter()
            .map(|t| format!("{t} (due {})", due[t - 1]))
            .collect();
        let cap = if line.capped.is_empty() {
            String::new()
        } else {
            let capped: Vec<String> = line.capped.iter().map(ToString::to_string).collect();
            format!(
                "  [limit of {MAX_REMINDERS_PER_TASK} reached: task {}]",
                capped.join(", ")
            )
        };
        let held = if r.was_held() {
            let why: Vec<String> = r
                .held_over(calendar.tz, schedule, &calendar.holidays)
                .iter()
                .map(|w| w.phrase())
                .collect();
            format!(
                "  held from {} ({})",
                r.asked
                    .with_timezone(&calendar.tz)
                    .format("%a %-d %b %H:%M"),
                why.join(", then ")
            )
        } else {
            String::new()
        };
        println!(
            "{}  reminder {}  tasks {}{cap}{held}",
            format(&r.at),
            line.number,
            tasks.join(", ")
        );
    }
    // Tasks done after the last reminder end the calendar only if it went on without an
    // error; after one, what follows was never asked.
    if error.is_none() {
        for (task, at) in done {
            println!("{}  task {} done", format(&at), task + 1);
        }
        // Where the calendar ends, and why; an error says so itself.
        println!("end: {}", preview.end.describe(calendar.tz));
    }
    Ok(())
}
