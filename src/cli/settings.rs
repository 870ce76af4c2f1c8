//! `docket settings show|set`: the firm's settings from the shell, with the keys the
//! configuration sets (and so applies at every start) marked as such.

use std::io::Write as _;

use clap::Subcommand;
use docket_engine::Docket;
use docket_engine::docket::{SETTINGS_KEYS, SettingsChange, pinned_message};
use docket_engine::model::FirmSettings;

use super::out::Out;

#[derive(Debug, Subcommand, serde::Serialize, serde::Deserialize)]
pub enum SettingsCommand {
    /// Print the firm's settings, one `key = value` a line; a key the configuration sets is
    /// marked, since it is applied again at every start.
    Show,
    /// Change settings, as KEY VALUE pairs made in one change: name, timezone (IANA, e.g.
    /// Europe/London), send_time (HH:MM), send_schedule (five-field cron; empty: every day at
    /// the send time), holidays (YYYY-MM-DD, separated by commas), locale (the clients'
    /// language: en, fr or de) or sub_statuses.STATUS (names separated by commas). The send time must be one of the schedule's times, so change both
    /// at once when both move: `settings set send_time 08:00 send_schedule "0 8 * * MON-FRI"`.
    Set {
        #[arg(value_names = ["KEY", "VALUE"], num_args = 2.., required = true)]
        pairs: Vec<String>,
    },
}

/// `base_url_set`: whether the configuration sets `server.base_url` (otherwise the server's
/// links follow the address it listens on).
pub fn run(
    cmd: SettingsCommand,
    docket: &Docket,
    pinned: &[String],
    base_url_set: bool,
    out: &mut Out,
) -> anyhow::Result<()> {
    docket.pin_settings(pinned);
    let pinned = docket.pinned_settings();
    match cmd {
        SettingsCommand::Show => {
            let firm = docket.firm_settings()?;
            for key in &SETTINGS_KEYS[..6] {
                print_line(out, key, &value_of(key, &firm), &pinned)?;
            }
            for (status, names) in &firm.sub_statuses {
                print_line(
                    out,
                    &format!("sub_statuses.{status}"),
                    &names.join(","),
                    &pinned,
                )?;
            }
            // Shown, but not set here.
            // Without server.base_url the host is always localhost: only the port is the
            // server's, so say so rather than "the address it listened on".
            let from = if base_url_set {
                "server.base_url in the configuration, applied at every start"
            } else {
                "the port the server listens on (--listen, or server.listen), applied at every start; set server.base_url for the address clients should use"
            };
            writeln!(
                out,
                "# client links start with {}: from {from}",
                firm.base_url
            )?;
            match &firm.logo_url {
                Some(url) if pinned.iter().any(|p| p == "logo_url") => {
                    writeln!(out, "# logo: {url}  ({})", pinned_message("logo_url"))?;
                }
                Some(url) => writeln!(out, "# logo: {url}  (uploaded in the admin's Settings)")?,
                None => writeln!(out, "# logo: none; upload one in the admin's Settings")?,
            }
        }
        SettingsCommand::Set { pairs } => {
            if pairs.len() % 2 != 0 {
                anyhow::bail!(
                    "`{}` has no value; give each setting as KEY VALUE (an empty value as \"\")",
                    pairs.last().map(String::as_str).unwrap_or_default()
                );
            }
            let pairs: Vec<(&String, &String)> = pairs.chunks(2).map(|p| (&p[0], &p[1])).collect();
            for (i, (key, _)) in pairs.iter().enumerate() {
                if pairs[..i].iter().any(|(earlier, _)| earlier == key) {
                    anyhow::bail!("`{key}` is given twice; give each setting once");
                }
            }
            let mut change = SettingsChange::default();
            for (key, value) in &pairs {
                change = change.and(SettingsChange::from_key(key, value)?);
            }
            let firm = docket.try_change_settings(&change)?.map_err(|errors| {
                let mut text = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.key, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                if errors.iter().any(|e| e.agree_with.is_some()) {
                    text.push_str(
                        "; to move both, set them together: docket settings set send_time HH:MM send_schedule \"CRON\"",
                    );
                }
                anyhow::anyhow!(text)
            })?;
            for (key, value) in pairs {
                print_stored(out, key, value, &firm)?;
            }
        }
    }
    Ok(())
}

/// What `set` stored for `key`, given as `value`.
fn print_stored(out: &mut Out, key: &str, value: &str, firm: &FirmSettings) -> std::io::Result<()> {
    let stored = match key.strip_prefix("sub_statuses.") {
        Some(status) => firm
            .sub_statuses
            .get(status)
            .map(|names| names.join(","))
            .unwrap_or_default(),
        None => value_of(key, firm),
    };
    let typed: Vec<&str> = value.split(',').map(str::trim).collect();
    let kept: Vec<&str> = stored.split(',').collect();
    let listed = key == "holidays" || key.starts_with("sub_statuses.");
    let note = if listed
        && (typed.len() != kept.len() || (stored.is_empty() && !value.trim().is_empty()))
    {
        " (empty entries and repeats dropped)"
    } else {
        ""
    };
    if stored.is_empty() {
        writeln!(out, "{key} is now empty{note}")?;
    } else {
        writeln!(out, "{key} is now {stored}{note}")?;
    }
    Ok(())
}

/// One setting as `show` prints it and `set` takes it.
fn value_of(key: &str, firm: &FirmSettings) -> String {
    match key {
        "name" => firm.name.clone(),
        "timezone" => firm.timezone.name().to_string(),
        "send_time" => firm.send_time.format("%H:%M").to_string(),
        "send_schedule" => firm.send_schedule.clone().unwrap_or_default(),
        "locale" => firm.locale.clone(),
        "holidays" => firm
            .holidays
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    }
}

fn print_line(out: &mut Out, key: &str, value: &str, pinned: &[String]) -> std::io::Result<()> {
    let root = key.split('.').next().unwrap_or(key);
    if pinned.iter().any(|p| p == root) {
        writeln!(out, "{key} = {value}  # {}", pinned_message(root))?;
    } else {
        writeln!(out, "{key} = {value}")?;
    }
    Ok(())
}
