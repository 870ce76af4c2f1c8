//! `docket settings show|set`: the firm's settings from the shell, with the keys the
//! configuration sets (and so applies at every start) marked as such.

use clap::Subcommand;
use docket_engine::Docket;
use docket_engine::docket::{SettingsChange, pinned_message};

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Print the firm's settings, one `key = value` a line; a key the configuration sets is
    /// marked, since it is applied again at every start.
    Show,
    /// Change one setting: name, timezone (IANA, e.g. Europe/London), send_time (HH:MM),
    /// send_schedule (five-field cron; empty: every day at the send time), holidays
    /// (YYYY-MM-DD, separated by commas) or sub_statuses.STATUS (names separated by commas).
    Set { key: String, value: String },
}

pub fn run(cmd: SettingsCommand, docket: &Docket, pinned: &[String]) -> anyhow::Result<()> {
    docket.pin_settings(pinned);
    let pinned = docket.pinned_settings();
    match cmd {
        SettingsCommand::Show => {
            let firm = docket.firm_settings()?;
            let mut lines = vec![
                ("name", firm.name.clone()),
                ("timezone", firm.timezone.name().to_string()),
                ("send_time", firm.send_time.format("%H:%M").to_string()),
                (
                    "send_schedule",
                    firm.send_schedule.clone().unwrap_or_default(),
                ),
                (
                    "holidays",
                    firm.holidays
                        .iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                ("logo_url", firm.logo_url.clone().unwrap_or_default()),
                ("base_url", firm.base_url.clone()),
            ];
            let subs: Vec<(String, String)> = firm
                .sub_statuses
                .iter()
                .map(|(status, names)| (format!("sub_statuses.{status}"), names.join(",")))
                .collect();
            for (key, value) in lines.drain(..) {
                print_line(key, &value, &pinned);
            }
            for (key, value) in &subs {
                print_line(key, value, &pinned);
            }
        }
        SettingsCommand::Set { key, value } => {
            let change = SettingsChange::from_key(&key, &value)?;
            docket.change_settings(&change)?;
            println!("{key} is now {}", value.trim());
        }
    }
    Ok(())
}

fn print_line(key: &str, value: &str, pinned: &[String]) {
    let root = key.split('.').next().unwrap_or(key);
    if key == "base_url" {
        println!("{key} = {value}  # from server.base_url in the configuration");
    } else if pinned.iter().any(|p| p == root) {
        println!("{key} = {value}  # {}", pinned_message(root));
    } else {
        println!("{key} = {value}");
    }
}
