//! The command line: global options, the subcommands, and opening the data folder they share.

mod backend;
mod contacts;
mod data;
mod plugin;
mod sending;
mod serve;
mod settings;
mod staff;
mod templates;
mod work;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use docket_engine::config::Config;
use docket_engine::docket::ServedClock;
use docket_engine::plugin::PluginHost;
use docket_engine::store::SledStore;
use docket_engine::{Docket, SystemClock};

/// Docket: client tasks, magic links and reminders for professional firms, in one binary.
#[derive(Debug, Parser)]
#[command(name = "docket", version, about, propagate_version = true, after_help = serve::LOG_HELP)]
pub struct Cli {
    /// Configuration file (TOML); without one, built-in defaults apply. `DOCKET_SECTION_KEY`
    /// environment variables override either.
    #[arg(long, global = true, env = "DOCKET_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data folder; overrides `storage.data_dir`.
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server: the JSON API, the client portal that emailed links open, and the
    /// scheduler and sender that email clients their requests and reminders.
    Serve(serve::ServeArgs),
    /// Manage staff users.
    #[command(subcommand)]
    User(staff::UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(staff::TokenCommand),
    /// Manage contacts.
    #[command(subcommand)]
    Contact(contacts::ContactCommand),
    /// Show or change the firm's settings (name, timezone, send time and schedule, holidays,
    /// sub-statuses).
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Manage templates.
    #[command(subcommand)]
    Template(templates::TemplateCommand),
    /// Manage work items.
    #[command(subcommand)]
    Work(work::WorkCommand),
    /// Whether the server sends email, and resuming it: a restored folder starts paused.
    #[command(subcommand)]
    Sending(sending::SendingCommand),
    /// Write a consistent copy of the whole data folder (records and files) to a new file.
    Backup {
        /// The backup file to write; an existing file is never overwritten.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Verify the data folder: every record readable, every index entry matching its record,
    /// every uploaded file present with its hash, and every planned send, reminder and comment
    /// digest on the schedule (one the scheduler would never act on is reported; `serve`
    /// re-plans it). Prints one line per problem; exits 1 if any.
    Check {
        /// Check files' sizes only, without reading and hashing every file.
        #[arg(long)]
        quick: bool,
    },
    /// List, check, install, write and test WebAssembly plugins, and preview their calendars.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
    /// Restore a backup file into a new or empty data folder; a bad file leaves nothing behind.
    Restore {
        /// The backup file to read.
        file: PathBuf,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.config.as_deref(), std::env::vars())?;
    let data_named = cli.data.is_some();
    if let Some(data) = cli.data {
        config.storage.data_dir = data;
    }
    // What a command writes — the data folder, the outbox, a backup, the plugin cache — is
    // readable by its owner only, whatever the umask; a new plugin project is the author's own
    // source and keeps their umask.
    if !matches!(
        cli.command,
        Command::Plugin(plugin::PluginCommand::New { .. })
    ) {
        docket_engine::owner_only::restrict_process();
    }
    match cli.command {
        Command::Serve(args) => serve::run(args, config),
        Command::User(cmd) => {
            let api = staff::user_api(&cmd);
            staff::user(cmd, &open_for(&config, api)?.0)
        }
        Command::Token(cmd) => {
            let api = staff::token_api(&cmd);
            staff::token(cmd, &open_for(&config, api)?.0)
        }
        Command::Sending(cmd) => {
            let api = Some(sending::api(&cmd));
            sending::run(cmd, &open_for(&config, api)?.0)
        }
        Command::Settings(cmd) => {
            let api = match cmd {
                settings::SettingsCommand::Show => "GET /api/settings",
                settings::SettingsCommand::Set { .. } => "PATCH /api/settings",
            };
            let api = Some(api);
            settings::run(
                cmd,
                &open_for(&config, api)?.0,
                &config.firm.explicit,
                config.server.base_url_set,
            )
        }
        Command::Contact(cmd) => {
            let api = contacts::api(&cmd);
            contacts::run(cmd, &open_for(&config, Some(&api))?.0)
        }
        Command::Template(cmd) => {
            let api = templates::api(&cmd);
            let (docket, store) = open_for(&config, Some(&api))?;
            let docket = docket.with_plugins(open_plugins(&config, store.as_ref())?);
            templates::run(cmd, &docket)
        }
        // Work is planned by its sending rule and reminder policy as it is created.
        Command::Work(cmd) => {
            let opened = open(&config).map_err(|e| match e.downcast_ref::<docket_engine::Error>() {
                Some(docket_engine::Error::Locked(_)) if cmd.reads_only() => anyhow::anyhow!(
                    "{e}; while it runs, read work from its API: curl -fH 'Authorization: Bearer TOKEN' {}",
                    server_url(&config, "/api/work")
                ),
                _ => e,
            })?;
            let docket = opened
                .0
                .with_plugins(open_plugins(&config, opened.1.as_ref())?);
            work::run(cmd, &docket)
        }
        Command::Backup { out } => {
            let (_, store) = open(&config).map_err(|e| match e.downcast_ref::<docket_engine::Error>() {
                Some(docket_engine::Error::Locked(_)) => anyhow::anyhow!(
                    "{e}; while it runs, take a live backup from it: curl -fH 'Authorization: Bearer TOKEN' {} -o {}",
                    server_url(&config, "/api/backup"),
                    out.display()
                ),
                _ => e,
            })?;
            data::backup(&store, &out)
        }
        Command::Check { quick } => data::check(&open(&config)?.0, quick),
        Command::Plugin(cmd) => plugin::run(cmd, &config, data_named),
        Command::Restore { file } => data::restore(&config, &file),
    }
}

/// Starts the plugin host: the stock plugins and the valid installed ones, with the grants
/// admins stored in the folder of `store`. Refused plugins are logged, never fatal.
fn open_plugins(
    config: &Config,
    store: &dyn docket_engine::store::Store,
) -> anyhow::Result<Arc<PluginHost>> {
    let stored = docket_engine::docket::stored_plugin_grants(store)
        .context("cannot read the plugins' grants")?;
    let (host, _refused) =
        PluginHost::open_granted(&config.plugins, &config.storage.data_dir, stored)
            .context("cannot start the plugin host")?;
    Ok(Arc::new(host))
}

/// Opens the existing data folder (taking its lock) and the engine over it, on the real clock;
/// a folder served on a simulated clock is worked on at the time its clock stopped, so what a
/// command writes fits its simulated dates. Only `serve` and `restore` may create a data
/// folder: elsewhere a mistyped `--data` is an error, not an empty firm.
fn open(config: &Config) -> anyhow::Result<(Docket, Arc<SledStore>)> {
    let store = Arc::new(SledStore::open_upgrading(
        &config.storage.data_dir,
        docket_engine::docket::UPGRADES,
    )?);
    docket_engine::backup::check_not_half_restored(store.as_ref())?;
    let clock: Arc<dyn docket_engine::Clock> = match docket_engine::docket::served_clock(
        store.as_ref(),
    )? {
        ServedClock::Simulated { until: Some(until) } => {
            Arc::new(docket_engine::ManualClock::new(until))
        }
        ServedClock::Simulated { until: None } => {
            eprintln!(
                "note: this folder was served on a simulated clock that did not stop cleanly, so where it stood is unknown; this command uses the real time"
            );
            Arc::new(SystemClock)
        }
        _ => Arc::new(SystemClock),
    };
    open_docket(config, store, clock)
}

/// `open`, for a command that the running server can answer instead: when the server holds
/// the folder's lock, the error names the API call to make (`api`, e.g. `GET /api/users`);
/// a command that changes records is told to stop the server or use the API.
fn open_for(config: &Config, api: Option<&str>) -> anyhow::Result<(Docket, Arc<SledStore>)> {
    open(config).map_err(|e| match e.downcast_ref::<docket_engine::Error>() {
        Some(docket_engine::Error::Locked(_)) => match api {
            Some(api) => {
                let (method, path) = api.split_once(' ').unwrap_or(("GET", api));
                let verb = if method == "GET" { "ask it" } else { "change it there" };
                anyhow::anyhow!(
                    "data folder {} is in use by the running server, so {verb} instead: {api} (curl -fH 'Authorization: Bearer TOKEN' -X {method} {})",
                    config.storage.data_dir.display(),
                    server_url(config, &path.replace(' ', "%20"))
                )
            }
            None => anyhow::anyhow!(
                "data folder {} is in use by the running server; make this change through its admin or JSON API, or stop the server first",
                config.storage.data_dir.display()
            ),
        },
        _ => e,
    })
}

/// The running server's URL for `path`, quoted for a shell: its address is known when the
/// configuration sets `server.base_url`; otherwise the server's links follow the address it
/// was started on (`--listen`), which this command cannot know, so it is named plainly.
fn server_url(config: &Config, path: &str) -> String {
    if config.server.base_url_set {
        format!("'{}{path}'", config.server.base_url.trim_end_matches('/'))
    } else {
        format!(
            "'SERVER{path}', SERVER being the server's address (the --listen address it was started with, or server.listen)"
        )
    }
}

fn open_with_clock(
    config: &Config,
    clock: Arc<dyn docket_engine::Clock>,
    create: bool,
) -> anyhow::Result<(Docket, Arc<SledStore>)> {
    let dir = &config.storage.data_dir;
    let store = Arc::new(if create {
        // Only `serve` creates: a server keeps its working set in sled's cache.
        SledStore::create_upgrading(
            dir,
            config.storage.cache_mib * 1_048_576,
            docket_engine::docket::UPGRADES,
        )?
    } else {
        SledStore::open_upgrading(dir, docket_engine::docket::UPGRADES)?
    });
    docket_engine::backup::check_not_half_restored(store.as_ref())?;
    open_docket(config, store, clock)
}

/// The engine over an opened store, on `clock`.
fn open_docket(
    config: &Config,
    store: Arc<SledStore>,
    clock: Arc<dyn docket_engine::Clock>,
) -> anyhow::Result<(Docket, Arc<SledStore>)> {
    let docket = Docket::open(store.clone(), clock, &config.firm, &config.server.base_url)
        .with_context(|| {
            format!(
                "cannot open data folder {}",
                config.storage.data_dir.display()
            )
        })?
        .with_max_upload(config.server.max_upload_bytes())
        .with_upload_quota(config.server.upload_quota());
    Ok((docket, store))
}

/// `text` as one word for a shell, quoted when it needs to be.
pub(crate) fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@+/:=,%".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// The command this process was run with, as a user would type it again, with `flag` added after
/// the word `after` (so a suggestion keeps `--data`, `--config` and the rest as typed).
pub(crate) fn command_again_with(after: &str, flag: &str) -> String {
    let mut words = vec!["docket".to_string()];
    let mut added = false;
    for arg in std::env::args().skip(1) {
        let is_after = arg == after;
        words.push(shell_word(&arg));
        if is_after && !added {
            words.push(flag.to_string());
            added = true;
        }
    }
    words.join(" ")
}
