//! A command that reads or changes the firm's records, as one value ([`Call`]): what it gathers
//! where it is typed (the file `template import` names, the password `user add` asks for, the
//! words it was typed with), then [`Call::run`] on an engine. The same `run` answers whether the
//! command opened the data folder itself or the running server runs it for the command through
//! its admin socket (`socket.rs`), so the two ways cannot answer differently.

use docket_engine::Docket;
use docket_engine::config::Config;
use serde::{Deserialize, Serialize};

use super::contacts::ContactCommand;
use super::out::Out;
use super::sending::SendingCommand;
use super::settings::SettingsCommand;
use super::staff::{TokenCommand, UserCommand};
use super::templates::TemplateCommand;
use super::work::WorkCommand;
use super::{contacts, data, plugin, sending, settings, staff, templates, work};

/// The commands that work on the firm's records, beside a running server or on the folder.
#[derive(Debug, Serialize, Deserialize)]
pub enum Job {
    User(UserCommand),
    Token(TokenCommand),
    Contact(ContactCommand),
    Settings(SettingsCommand),
    Template(TemplateCommand),
    Work(WorkCommand),
    Sending(SendingCommand),
    Check {
        quick: bool,
    },
    /// What the plugin commands read from the records (`plugin/facts.rs`), as JSON.
    PluginFacts {
        users_of: Option<String>,
    },
}

/// A job with what was gathered for it where it was typed.
#[derive(Debug, Serialize, Deserialize)]
pub struct Call {
    pub job: Job,
    /// The words after `docket`, for suggestions that repeat the command.
    args: Vec<String>,
    /// The text of the file `template import` names.
    file_text: Option<String>,
    /// The password `user add` sets, and whether it was made up (and so is printed).
    password: Option<(String, bool)>,
}

impl Call {
    /// Gathers what `job` needs from where it is typed: a file read, a password asked for on
    /// this terminal.
    pub fn new(job: Job) -> anyhow::Result<Call> {
        let file_text = match &job {
            Job::Template(cmd) => templates::file_text(cmd)?,
            _ => None,
        };
        let password = match &job {
            Job::User(UserCommand::Add { .. }) => Some(staff::read_or_make_password()?),
            _ => None,
        };
        Ok(Call {
            job,
            args: std::env::args().skip(1).collect(),
            file_text,
            password,
        })
    }

    /// Whether the job needs the plugin host (work is planned by its plugins, a template's
    /// plugins are checked as it is imported).
    pub fn needs_plugins(&self) -> bool {
        matches!(self.job, Job::Template(_) | Job::Work(_))
    }

    /// Runs the job on `docket`, writing what it says to `out`. `config` is the configuration
    /// of the process that holds the folder; `served`: that process is the server, working
    /// meanwhile.
    pub fn run(
        self,
        docket: &Docket,
        config: &Config,
        served: bool,
        out: &mut Out,
    ) -> anyhow::Result<()> {
        match self.job {
            Job::User(cmd) => staff::user(cmd, docket, self.password, out),
            Job::Token(cmd) => staff::token(cmd, docket, out),
            Job::Contact(cmd) => contacts::run(cmd, docket, out),
            Job::Settings(cmd) => settings::run(
                cmd,
                docket,
                &config.firm.explicit,
                config.server.base_url_set,
                out,
            ),
            Job::Template(cmd) => templates::run(cmd, docket, self.file_text, &self.args, out),
            Job::Work(cmd) => work::run(cmd, docket, out),
            Job::Sending(cmd) => sending::run(cmd, docket, out),
            Job::Check { quick } => data::check(docket, quick, served, out),
            Job::PluginFacts { users_of } => plugin::write_facts(docket, users_of.as_deref(), out),
        }
    }
}
