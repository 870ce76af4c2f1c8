//! The command line: global options, the subcommands, and opening the data folder they share.

mod backend;
mod contacts;
mod data;
mod inbound;
mod job;
mod logging;
mod out;
mod plugin;
mod sending;
mod serve;
mod settings;
// The admin socket is a Unix domain socket; elsewhere commands cannot reach a running server.
#[cfg_attr(not(unix), path = "no_socket.rs")]
mod socket;
mod staff;
mod templates;
mod work;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use docket_engine::config::{Config, StorageBackend};
use docket_engine::docket::ServedClock;
use docket_engine::plugin::PluginHost;
use docket_engine::store::SledStore;
use docket_engine::{Docket, SystemClock};

use job::{Call, Job};
use out::{Out, Terminal};

/// Docket: client tasks, magic links and reminders for professional firms, in one binary.
#[derive(Debug, Parser)]
#[command(name = "docket", version, about, propagate_version = true, after_help = logging::LOG_HELP)]
pub struct Cli {
    /// Configuration file (TOML); without one, built-in defaults apply. `DOCKET_SECTION_KEY`
    /// environment variables override either.
    #[arg(long, global = true, env = "DOCKET_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data folder; overrides `storage.data_dir`. While `docket serve` runs on it, the commands
    /// on its records (user, token, contact, settings, template, work, sending, backup, check)
    /// are run by that server through its admin socket (`admin.sock` in the folder), and the
    /// plugin commands read the records they need (grants, the firm's calendar, who names a
    /// plugin) through it, with the same output; run them as the user the server runs as.
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
    /// Write a consistent copy of the whole data folder (records and files) to a new file;
    /// while the server runs, it streams the copy. With `backend = "postgres"`, of the database.
    Backup {
        /// The backup file to write; an existing file is never overwritten.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Verify the data folder (or, with `backend = "postgres"`, the database): every record readable, every index entry matching its record,
    /// every uploaded file present with its hash, and every planned send, reminder and comment
    /// digest on the schedule (one the scheduler would never act on is reported; `serve`
    /// re-plans it). Prints one line per problem; exits 1 if any. While the server runs, it
    /// checks there without stopping it, printing a problem only when a second pass finds it
    /// again.
    Check {
        /// Check files' sizes only, without reading and hashing every file.
        #[arg(long)]
        quick: bool,
    },
    /// List, check, install, write and test WebAssembly plugins, and preview their calendars.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
    /// Restore a backup file into a new or empty data folder, or into an empty PostgreSQL
    /// database (`--to-url`, or `[storage] backend = "postgres"`); a bad file leaves nothing
    /// behind.
    Restore {
        /// The backup file to read.
        file: PathBuf,
        /// Restore into the empty PostgreSQL database at this URL
        /// (postgres://USER:PASSWORD@HOST:PORT/DATABASE) instead of the data folder.
        #[arg(long, value_name = "URL")]
        to_url: Option<String>,
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
    if !matches!(cli.command, Command::Serve(_)) {
        logging::start_command_logging();
    }
    let job = match cli.command {
        Command::Serve(args) => return serve::run(args, config),
        Command::Plugin(cmd) => return plugin::run(cmd, &config, data_named),
        Command::Restore { file, to_url } => return data::restore(&config, &file, to_url),
        Command::Backup { out } => return backup(&config, &out),
        Command::User(cmd) => Job::User(cmd),
        Command::Token(cmd) => Job::Token(cmd),
        Command::Sending(cmd) => Job::Sending(cmd),
        Command::Settings(cmd) => Job::Settings(cmd),
        Command::Contact(cmd) => Job::Contact(cmd),
        Command::Template(cmd) => Job::Template(cmd),
        // Work is planned by its sending rule and reminder policy as it is created.
        Command::Work(cmd) => Job::Work(cmd),
        Command::Check { quick } => Job::Check { quick },
    };
    run_job(&config, job)
}

/// Runs a command on the firm's records: through the server's admin socket when a server holds
/// the data folder (it runs the command on its own engine), else on the folder itself. Either
/// way the same function runs and prints the same.
fn run_job(config: &Config, job: Job) -> anyhow::Result<()> {
    let call = Call::new(job)?;
    if let Some(server) = socket::Server::reach(&config.storage.data_dir)? {
        return server.run(&call);
    }
    let (docket, store): (Docket, Arc<dyn docket_engine::store::Store>) =
        match config.storage.backend {
            StorageBackend::Sled => {
                let (docket, store) = open(config)?;
                (docket, store)
            }
            StorageBackend::Postgres => backend::open_existing(config, Arc::new(SystemClock))?,
        };
    let docket = if call.needs_plugins() {
        docket.with_plugins(open_plugins(config, store.as_ref())?)
    } else {
        docket
    };
    // Other servers may work on a shared database meanwhile, as a server works on its folder.
    let shared = store.shared();
    call.run(&docket, config, shared, &mut Out::new(&mut Terminal))
}

/// `docket backup`: the archive streamed from the server when one holds the folder, else read
/// from the folder.
fn backup(config: &Config, out: &std::path::Path) -> anyhow::Result<()> {
    let mut server = socket::Server::reach(&config.storage.data_dir)?;
    data::backup(out, &mut |writer, progress| match server.take() {
        Some(server) => server.backup(writer, progress),
        None => {
            let store: Arc<dyn docket_engine::store::Store> = match config.storage.backend {
                StorageBackend::Sled => open(config)?.1,
                StorageBackend::Postgres => {
                    Arc::new(backend::open_postgres(config, backend::Firm::Existing)?)
                }
            };
            Ok(docket_engine::backup::export(
                store.as_ref(),
                chrono::Utc::now(),
                writer,
                progress,
            )?)
        }
    })
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
        .with_upload_quota(config.server.upload_quota())
        .with_reply_address(config.inbound.as_ref().map(|i| i.reply_address.as_str()))
        .with_reply_mailbox(
            config
                .inbound
                .as_ref()
                .is_some_and(|i| i.imap_host.is_some()),
        );
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

/// The command run with `args` (its words after `docket`), as a user would type it again, with
/// `flag` added after the word `after` (so a suggestion keeps `--data`, `--config` and the rest
/// as typed).
pub(crate) fn command_again_with(args: &[String], after: &str, flag: &str) -> String {
    let mut words = vec!["docket".to_string()];
    let mut added = false;
    for arg in args {
        let is_after = arg == after;
        words.push(shell_word(arg));
        if is_after && !added {
            words.push(flag.to_string());
            added = true;
        }
    }
    words.join(" ")
}
