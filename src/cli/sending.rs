//! `docket sending`: whether the server sends, and resuming it. A folder restored from a backup
//! starts with sending paused, so trying a backup out never emails real clients.

use clap::Subcommand;
use docket_engine::Docket;
use docket_engine::docket::pause_text;

#[derive(Debug, Subcommand)]
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

/// The API call that does what a sending command does.
pub fn api(cmd: &SendingCommand) -> &'static str {
    match cmd {
        SendingCommand::Status => "GET /api/sending",
        SendingCommand::Pause => "POST /api/sending/pause",
        SendingCommand::Resume => "POST /api/sending/resume",
    }
}

pub fn run(cmd: SendingCommand, docket: &Docket) -> anyhow::Result<()> {
    let zone = docket.firm_settings()?.timezone;
    match cmd {
        SendingCommand::Status => match docket.sending_pause()? {
            Some(pause) => println!("{}", pause_text(&pause, zone)),
            None => println!("Sending goes on: the server emails what is due."),
        },
        SendingCommand::Pause => match docket.sending_pause()? {
            Some(pause) => println!("Already paused. {}", pause_text(&pause, zone)),
            None => {
                let pause = docket.pause_sending("paused from the command line")?;
                println!("{}", pause_text(&pause, zone));
            }
        },
        SendingCommand::Resume => match docket.resume_sending("the command line")? {
            Some(_) => println!(
                "Sending is resumed: the next `docket serve` sends what is due, each group once."
            ),
            None => println!("Sending was not paused; nothing changed."),
        },
    }
    Ok(())
}
