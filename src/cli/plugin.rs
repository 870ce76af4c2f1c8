//! `docket plugin ...`: list the plugins, check a component file, and preview the reminder
//! calendar a policy would follow.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use docket_engine::config::Config;
use docket_engine::plugin::{
    FirmCalendar, GroupState, MAX_REMINDERS_PER_TASK, Origin, Params, PluginHost, TaskState,
};
use serde::Serialize;

#[derive(Debug, clap::Subcommand)]
pub enum PluginCommand {
    /// List the stock and installed plugins: world, version, capabilities granted.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check a component file: the world it matches, its imports and exports, and the
    /// capabilities its manifest (FILE.toml beside it) asks for.
    Check {
        /// The `.wasm` component.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the exact reminder calendar a policy would follow for one group, five-reminder
    /// cap included.
    Simulate {
        /// The reminder policy: gentle, urgent, custom or an installed one.
        #[arg(long)]
        policy: String,
        /// Policy parameters, e.g. `--params before=7,3,1 every=2`.
        #[arg(long, value_name = "K=V", num_args = 1..)]
        params: Vec<String>,
        /// When the group is sent: `YYYY-MM-DD` (at local midnight) or `YYYY-MM-DDTHH:MM`, local.
        #[arg(long, value_name = "DATE")]
        sent: String,
        /// A task's due date; repeat for each task.
        #[arg(long, value_name = "DATE", required = true)]
        due: Vec<NaiveDate>,
        /// Timezone; defaults to the firm's (`firm.timezone`).
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// Local send time, `HH:MM`; defaults to the firm's (`firm.send_time`).
        #[arg(long, value_name = "HH:MM")]
        send_time: Option<String>,
        /// A holiday the firm does not send on; repeat for each. Defaults to `firm.holidays`.
        #[arg(long, value_name = "DATE")]
        holiday: Vec<NaiveDate>,
        /// How many days after sending to preview.
        #[arg(long, value_name = "N", default_value_t = 60)]
        days: u32,
        /// Print JSON instead of one line per reminder.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: PluginCommand, config: &Config) -> anyhow::Result<()> {
    let (host, refused) = PluginHost::open(&config.plugins, &config.storage.data_dir)?;
    match cmd {
        PluginCommand::List { json } => {
            let plugins: Vec<_> = host.plugins().collect();
            if json {
                let refused: Vec<String> = refused.iter().map(ToString::to_string).collect();
                let out = serde_json::json!({ "plugins": plugins, "refused": refused });
                println!("{}", serde_json::to_string_pretty(&out)?);
                return Ok(());
            }
            println!(
                "{:<16} {:<18} {:<8} {:<10} GRANTED",
                "NAME", "WORLD", "VERSION", "ORIGIN"
            );
            for p in plugins {
                let origin = match p.origin {
                    Origin::Stock => "stock",
                    Origin::Installed(_) => "installed",
                };
                let granted = if p.granted.is_empty() {
                    "-".to_string()
                } else {
                    p.granted.join(",")
                };
                println!(
                    "{:<16} {:<18} {:<8} {:<10} {granted}",
                    p.name,
                    p.world.name(),
                    p.version,
                    origin
                );
            }
            for r in refused {
                eprintln!("{r}");
            }
            Ok(())
        }
        PluginCommand::Check { file, json } => {
            let report = host.check_file(&file)?;
            let manifest = file.with_extension("toml");
            let capabilities = match std::fs::read_to_string(&manifest) {
                Ok(text) => {
                    let m = docket_engine::plugin::Manifest::parse(&text).map_err(|e| {
                        anyhow::anyhow!("{}: bad manifest: {e}", manifest.display())
                    })?;
                    Some(m.capabilities)
                }
                Err(_) => None,
            };
            if json {
                let out = serde_json::json!({ "report": report, "capabilities": capabilities });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                let worlds: Vec<&str> = report.worlds.iter().map(|w| w.name()).collect();
                println!("file:    {}", report.file.display());
                println!(
                    "world:   {}",
                    if worlds.is_empty() {
                        "none".to_string()
                    } else {
                        worlds.join(", ")
                    }
                );
                println!("imports: {}", report.imports.join(", "));
                println!("exports: {}", report.exports.join(", "));
                match &capabilities {
                    Some(caps) if caps.is_empty() => println!("capabilities: none"),
                    Some(caps) => println!("capabilities: {}", caps.join(", ")),
                    None => println!("capabilities: no manifest at {}", manifest.display()),
                }
                for (world, reason) in &report.mismatches {
                    println!("not {world}: {reason}");
                }
            }
            if report.worlds.is_empty() {
                bail!("{} implements no docket:plugin world", file.display());
            }
            Ok(())
        }
        PluginCommand::Simulate {
            policy,
            params,
            sent,
            due,
            tz,
            send_time,
            holiday,
            days,
            json,
        } => {
            let calendar = FirmCalendar::parse(
                tz.as_deref().unwrap_or(&config.firm.timezone),
                send_time.as_deref().unwrap_or(&config.firm.send_time),
                if holiday.is_empty() {
                    config.firm.holidays()
                } else {
                    holiday
                },
            )
            .map_err(anyhow::Error::msg)?;
            let params = parse_params(&params)?;
            let sent_local = parse_sent(&sent)?;
            let sent_at = calendar
                .tz
                .from_local_datetime(&sent_local)
                .earliest()
                .with_context(|| format!("{sent} does not exist in {}", calendar.tz))?
                .with_timezone(&Utc);
            let group = GroupState {
                sent_at,
                last_reminder_at: None,
                tasks: due
                    .iter()
                    .map(|&due| TaskState {
                        due,
                        done: false,
                        reminders_sent: 0,
                    })
                    .collect(),
            };
            let until = sent_at + chrono::Duration::days(i64::from(days));
            let reminders = host.preview(&policy, &calendar, &params, group, until)?;
            print_calendar(&policy, &calendar, &due, &reminders, json)
        }
    }
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

fn parse_sent(text: &str) -> anyhow::Result<NaiveDateTime> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_time(NaiveTime::MIN));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .with_context(|| format!("--sent `{text}`: write YYYY-MM-DD or YYYY-MM-DDTHH:MM"))
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
}

fn print_calendar(
    policy: &str,
    calendar: &FirmCalendar,
    due: &[NaiveDate],
    reminders: &[docket_engine::plugin::NextReminder],
    json: bool,
) -> anyhow::Result<()> {
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
        });
    }
    if json {
        let out = serde_json::json!({
            "policy": policy,
            "timezone": calendar.tz.name(),
            "send_time": calendar.send_time.format("%H:%M").to_string(),
            "holidays": calendar.holidays,
            "reminders": lines,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    if lines.is_empty() {
        println!("no reminders within the period");
    }
    for (line, r) in lines.iter().zip(reminders) {
        let local = r.at.with_timezone(&calendar.tz);
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
        println!(
            "{}  reminder {}  tasks {}{cap}",
            local.format("%Y-%m-%d %H:%M %Z"),
            line.number,
            tasks.join(", ")
        );
    }
    Ok(())
}
