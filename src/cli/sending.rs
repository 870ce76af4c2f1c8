//! `docket sending`: whether the server sends, and resuming it. A folder restored from a backup
//! starts with sending paused, so trying a backup out never emails real clients.

use std::io::Write as _;

use clap::Subcommand;
use docket_engine::Docket;
use docket_engine::docket::pause_text;

use super::out::Out;

#[derive(Debug, Subcommand, serde::Serialize, serde::Deserialize)]
pub enum SendingCommand {
    /// Say whether sending is paused (a restored folder starts so), since when and why.
    Status,
    /// Pause sending (maintenance, moving the folder): the server serves as usual but emails
    /// and posts nothing until it is resumed; what falls due meanwhile waits.
    Pause,
    /// Let the server send again: the scheduler fires what is due (each group once, missed
    /// days collapsed) and the outbox goes out. Resuming when not paused changes nothing.
    Resume,
}

pub fn run(cmd: SendingCommand, docket: &Docket, out: &mut Out) -> anyhow::Result<()> {
    let zone = docket.firm_settings()?.timezone;
    match cmd {
        SendingCommand::Status => match docket.sending_pause()? {
            Some(pause) => writeln!(out, "{}", pause_text(&pause, zone))?,
            None => writeln!(out, "Sending goes on: the server emails what is due.")?,
        },
        SendingCommand::Pause => match docket.sending_pause()? {
            Some(pause) => writeln!(out, "Already paused. {}", pause_text(&pause, zone))?,
            None => {
                let pause = docket.pause_sending("paused from the command line")?;
                writeln!(out, "{}", pause_text(&pause, zone))?;
            }
        },
        SendingCommand::Resume => match docket.resume_sending("the command line")? {
            Some(_) => writeln!(
                out,
                "Sending is resumed: the server sends what is due, each group once (at once when it runs, else when `docket serve` starts)."
            )?,
            None => writeln!(out, "Sending was not paused; nothing changed.")?,
        },
    }
    Ok(())
}
