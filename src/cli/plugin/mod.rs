//! `docket plugin ...`: list the plugins, check and install a component, write a new plugin
//! project, run a plugin's table tests, and preview the reminder calendar a policy would follow.
//! This file holds the commands, the data folder they work on and the manifest they find;
//! `check.rs` checks, installs and removes, `project.rs` writes projects and runs their tests.

mod check;
mod facts;
mod project;
mod simulate;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use docket_engine::config::Config;
use docket_engine::plugin::{Origin, PluginHost, PluginInfo, name_of_stem, user_cache_dir};

pub(crate) use facts::{Captured, write as write_facts};
pub use simulate::SimulateArgs;

#[derive(Debug, clap::Subcommand)]
pub enum PluginCommand {
    /// List the stock and installed plugins: world, version, capabilities granted. Exits with
    /// an error when an installed plugin is refused, after saying why.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check a component and its manifest as the server would install them: the world the
    /// component implements, the manifest's world, name, capabilities and limits; then call it
    /// once on a sample input with its default parameters, which must not fail.
    Check {
        /// The `.wasm` component.
        file: PathBuf,
        /// The manifest; by default NAME.toml beside FILE or in a folder above it (NAME is the
        /// file's name, underscores read as hyphens).
        #[arg(long, value_name = "TOML")]
        manifest: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run every check `check` runs, the trial call included, and only when all pass copy the
    /// component and its manifest into the plugins folder of the data folder (`--data`, the
    /// one the server serves) as NAME.wasm and NAME.toml. Only that folder is written, so it
    /// works while the server runs: the server picks the plugin up within seconds.
    Install {
        /// The `.wasm` component.
        file: PathBuf,
        /// The manifest; found as for `check` when left out.
        #[arg(long, value_name = "TOML")]
        manifest: Option<PathBuf>,
    },
    /// Remove an installed plugin's files from the plugins folder of the data folder (`--data`,
    /// the one the server serves); a running server drops it within seconds. Refused while
    /// templates or open work items still name it.
    Remove {
        /// The plugin's name.
        name: String,
        /// Remove it even if templates or open work name it; they then fail until they name
        /// another plugin.
        #[arg(long)]
        force: bool,
    },
    /// Print the reminders the scheduler would send for one group under a policy: its answers
    /// held to the firm's send schedule (`firm.send_schedule`) and past its holidays, with what
    /// the policy would have sent meanwhile joined in, and the five-reminder cap applied. Each
    /// held reminder says from when and why.
    Simulate(SimulateArgs),
    /// Write a new plugin project: manifest, source, build command, table tests, and copies of
    /// the contract and the guest SDK. It builds and passes `check` as written.
    New {
        /// The plugin's name: lower-case letters, digits and hyphens, e.g. overdue-mondays.
        name: String,
        /// reminder-policy, sending-rule or notification-hook.
        #[arg(long)]
        world: String,
        /// rust or python.
        #[arg(long, default_value = "rust")]
        lang: String,
        /// The folder to write; by default NAME in the current folder. It must not exist or be
        /// empty.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Run table tests against a component (with its manifest, found as for `check`): each
    /// case of CASES.toml gives a calendar and tasks (or an event) and what the plugin should
    /// answer; a case that differs is printed as a diff and the command fails.
    Test {
        /// The `.wasm` component.
        file: PathBuf,
        /// The cases file.
        cases: PathBuf,
        /// The manifest of FILE.
        #[arg(long, value_name = "TOML")]
        manifest: Option<PathBuf>,
    },
}

/// The data folder a plugin command works on, when there is one: the one `--data` names, or
/// else `storage.data_dir` (`./data` by default) when it holds one.
pub(crate) struct DataFolder {
    dir: Option<PathBuf>,
}

impl DataFolder {
    /// `--data DIR` for a command this one suggests: the folder in use, or `DATA` when there is
    /// none here, which [`DataFolder::note`] then explains.
    pub(crate) fn arg(&self) -> String {
        match &self.dir {
            Some(dir) => format!("--data {}", dir.display()),
            None => "--data DATA".into(),
        }
    }

    /// What `DATA` in [`DataFolder::arg`] stands for, when it is there.
    pub(crate) fn note(&self) -> &'static str {
        match self.dir {
            Some(_) => "",
            None => " (DATA: the data folder your server serves)",
        }
    }
}

/// `data_named`: the data folder was named with `--data`, so a path holding none is a typo.
pub fn run(cmd: PluginCommand, config: &Config, data_named: bool) -> anyhow::Result<()> {
    // Only `serve` and `restore` make a data folder, and only they may: a `--data` that holds
    // none is refused by every command here, as elsewhere. Without `--data`, the commands that
    // read plugins work without one (from a throwaway folder, compiled components in the
    // user's cache folder); installing and removing write the server's plugins folder, so they
    // need that folder named.
    let dir = &config.storage.data_dir;
    // On PostgreSQL the records are in the database; the folder holds the server's plugins.
    let postgres = config.storage.backend == docket_engine::config::StorageBackend::Postgres;
    let data = DataFolder {
        dir: (dir.join("db").is_dir() || (postgres && dir.is_dir())).then(|| dir.clone()),
    };
    if let PluginCommand::New {
        name,
        world,
        lang,
        dir,
    } = cmd
    {
        return project::new(&name, &world, &lang, dir, &data);
    }
    if data.dir.is_none() {
        if data_named {
            return Err(docket_engine::store::no_data_folder(dir).into());
        }
        let writes = match &cmd {
            PluginCommand::Install { .. } => Some("install into"),
            PluginCommand::Remove { .. } => Some("remove from"),
            _ => None,
        };
        if let Some(verb) = writes {
            bail!(
                "there is no data folder at {} (storage.data_dir, ./data by default); pass --data DIR, the data folder the server serves, to {verb} its plugins folder",
                dir.display()
            );
        }
    }
    let scratch = tempfile::tempdir()?;
    let (host, _) = match &data.dir {
        Some(dir) => PluginHost::open(&config.plugins, dir)?,
        // Without a data folder, compiled components are kept in the user's cache folder, so a
        // Python plugin compiles once rather than at every command.
        None => match user_cache_dir() {
            Some(cache) => PluginHost::open_cached_in(&config.plugins, scratch.path(), &cache)?,
            None => PluginHost::open(&config.plugins, scratch.path())?,
        },
    };
    // The grants admins made, the firm's calendar and who names a plugin about to be removed
    // live in the records: the running server's, asked through its admin socket, or the
    // folder's. Without them (a folder that cannot be read) only the configuration's grants
    // are known here, and `remove` and `simulate` say why.
    let users_of = match &cmd {
        PluginCommand::Remove { name, force: false } => Some(name.as_str()),
        _ => None,
    };
    let facts = facts::gather(config, users_of);
    if let Ok(Some(facts)) = &facts {
        host.set_stored_grants(facts.grants.clone());
    }
    match cmd {
        PluginCommand::List { json } => list(&host, json),
        PluginCommand::Check {
            file,
            manifest,
            json,
        } => check::check(&host, &file, manifest, json, &data),
        PluginCommand::Install { file, manifest } => check::install(&host, &file, manifest, &data),
        PluginCommand::Remove { name, force } => {
            check::remove(&host, config, &name, force, facts, &data)
        }
        PluginCommand::Simulate(args) => simulate::run(&host, config, facts, args),
        PluginCommand::Test {
            file,
            cases,
            manifest,
        } => project::test(&host, &file, &cases, manifest),
        PluginCommand::New { .. } => unreachable!("written above, without a host"),
    }
}

fn list(host: &PluginHost, json: bool) -> anyhow::Result<()> {
    let refused = host.refused();
    let plugins = host.plugins();
    if json {
        let refused: Vec<String> = refused.iter().map(ToString::to_string).collect();
        let out = serde_json::json!({ "plugins": plugins, "refused": refused });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_list(&plugins);
    }
    for r in &refused {
        eprintln!("{r}");
    }
    match refused.len() {
        0 => Ok(()),
        1 => bail!("1 installed plugin was refused; fix it or remove its files"),
        n => bail!("{n} installed plugins were refused; fix them or remove their files"),
    }
}

fn print_list(plugins: &[PluginInfo]) {
    println!(
        "{:<16} {:<18} {:<8} {:<10} {:<9} GRANTED",
        "NAME", "WORLD", "VERSION", "ORIGIN", "CONTRACT"
    );
    for p in plugins {
        let origin = match p.origin {
            Origin::Stock => "stock",
            Origin::Installed(_) => "installed",
            Origin::File(_) => "file",
        };
        let granted = if p.granted.is_empty() {
            "-".to_string()
        } else {
            p.granted.join(",")
        };
        println!(
            "{:<16} {:<18} {:<8} {:<10} {:<9} {granted}",
            p.name,
            p.world.name(),
            p.version,
            origin,
            p.contract.to_string()
        );
    }
    // As `check` says it: a component of the old contract is served through the adapter.
    for p in plugins {
        if let Some(note) = p.contract.adapter_note(p.world) {
            println!("{}: contract: {note}", p.name);
        }
    }
}

/// The manifest of `wasm`: the one given, else `NAME.toml` beside it or in one of the four
/// folders above it (a cargo build leaves the component in `target/wasm32-wasip2/release/`,
/// three folders below the project's manifest), where NAME is the file's name with either
/// spelling of hyphens.
pub(crate) fn find_manifest(wasm: &Path, given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(given) = given {
        if !given.is_file() {
            bail!(
                "--manifest {}: no such file; give the plugin's NAME.toml",
                given.display()
            );
        }
        return Ok(given);
    }
    let stem = wasm
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .with_context(|| format!("{} has no file name", wasm.display()))?;
    let names = [
        format!("{stem}.toml"),
        format!("{}.toml", name_of_stem(&stem)),
    ];
    let start = wasm.parent().unwrap_or(Path::new("."));
    let start = if start.as_os_str().is_empty() {
        Path::new(".")
    } else {
        start
    };
    for dir in start.ancestors().take(5) {
        for name in &names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    bail!(
        "no manifest found for {}: looked for {} beside it and in the folders above; pass --manifest FILE",
        wasm.display(),
        names[1]
    )
}

/// What to do about the capabilities a plugin declares that the firm has not granted.
fn ungranted_note(info: &PluginInfo) -> String {
    format!(
        "the firm has not granted `{}` to {}: the server refuses it until an admin grants it on the Plugins page (or PUT /api/plugins/{}/grants), or the operator under [plugins.grants] in docket.toml; here its effects are denied",
        info.ungranted.join("`, `"),
        info.name,
        info.name
    )
}
