//! `docket plugin ...`: list the plugins, check and install a component, write a new plugin
//! project, run a plugin's table tests, and preview the reminder calendar a policy would follow.

mod simulate;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use docket_engine::config::Config;
use docket_engine::plugin::{
    Cases, Contract, Language, Origin, PluginHost, PluginInfo, World, name_of_stem, user_cache_dir,
};

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
    /// Check a component and its manifest, then copy both into the plugins folder as NAME.wasm
    /// and NAME.toml. Only that folder is written, so it works while the server runs: the
    /// server picks the plugin up within seconds.
    Install {
        /// The `.wasm` component.
        file: PathBuf,
        /// The manifest; found as for `check` when left out.
        #[arg(long, value_name = "TOML")]
        manifest: Option<PathBuf>,
    },
    /// Remove an installed plugin's files from the plugins folder; a running server drops it
    /// within seconds. Refused while templates or open work items still name it.
    Remove {
        /// The plugin's name.
        name: String,
        /// Remove it even if templates or open work name it, or while the server runs (which
        /// holds the data folder, so that cannot be checked); they then fail until they name
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

/// `data_named`: the data folder was named with `--data`, so a path holding none is a typo.
pub fn run(cmd: PluginCommand, config: &Config, data_named: bool) -> anyhow::Result<()> {
    // Only `serve` and `restore` make a data folder. Where the configured folder is not there,
    // the commands that read plugins work from a throwaway folder (no compiled cache is kept)
    // rather than create one; installing and removing need the real one.
    let data_dir = &config.storage.data_dir;
    // A simulation reads the firm's calendar from the folder `--data` names: one that holds
    // neither records nor plugins is refused, as every other command refuses it, rather than
    // answered with the built-in defaults.
    if data_named
        && matches!(cmd, PluginCommand::Simulate(_))
        && !data_dir.join("db").is_dir()
        && !config.data_path(&config.plugins.dir).is_dir()
    {
        return Err(docket_engine::Error::NoDataFolder(data_dir.display().to_string()).into());
    }
    let scratch = tempfile::tempdir()?;
    let writes = matches!(
        cmd,
        PluginCommand::Install { .. } | PluginCommand::Remove { .. }
    );
    let (host, _) = if data_dir.exists() || writes {
        PluginHost::open(&config.plugins, data_dir)?
    } else {
        // Without a data folder, compiled components are kept in the user's cache folder, so a
        // Python plugin compiles once rather than at every command.
        match user_cache_dir() {
            Some(cache) => PluginHost::open_cached_in(&config.plugins, scratch.path(), &cache)?,
            None => PluginHost::open(&config.plugins, scratch.path())?,
        }
    };
    // The grants an admin made live in the data folder; a running server holds it, and then
    // only the configuration's are known here.
    if let Some(grants) = stored_grants(config) {
        host.set_stored_grants(grants);
    }
    let refused = host.refused();
    match cmd {
        PluginCommand::List { json } => {
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
        PluginCommand::Check {
            file,
            manifest,
            json,
        } => check(&host, &file, manifest, json),
        PluginCommand::Install { file, manifest } => install(&host, &file, manifest),
        PluginCommand::Remove { name, force } => remove(&host, config, &name, force),
        PluginCommand::Simulate(args) => simulate::run(&host, config, args),
        PluginCommand::New {
            name,
            world,
            lang,
            dir,
        } => new(&name, &world, &lang, dir),
        PluginCommand::Test {
            file,
            cases,
            manifest,
        } => test(&host, &file, &cases, manifest),
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
}

/// The grants admins made in the data folder, when there is one that can be read now (a running
/// server holds it).
fn stored_grants(config: &Config) -> Option<std::collections::BTreeMap<String, Vec<String>>> {
    let dir = &config.storage.data_dir;
    if !dir.join("db").is_dir() {
        return None;
    }
    let store = docket_engine::store::SledStore::open(dir).ok()?;
    docket_engine::docket::stored_plugin_grants(&store).ok()
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

fn check(
    host: &PluginHost,
    file: &Path,
    manifest: Option<PathBuf>,
    json: bool,
) -> anyhow::Result<()> {
    // `install` finds the same manifest by itself unless it was named here.
    let named = manifest
        .as_ref()
        .map(|m| format!("--manifest {} ", m.display()))
        .unwrap_or_default();
    let manifest = find_manifest(file, manifest);
    // A missing manifest is said first: without one nothing installs, however good the file.
    if let (Err(e), false) = (&manifest, json) {
        println!("manifest:     missing: {e}");
    }
    let report = host.check_file(file)?;
    // Checked as the server installs it, then tried once on a sample with its defaults, so a
    // plugin that fails (a refused default, an exception, a panic) fails here.
    let installable = manifest
        .as_ref()
        .map_err(|e| e.to_string())
        .and_then(|m| host.load_file(file, m).map_err(|e| e.to_string()));
    let trial = installable
        .as_ref()
        .ok()
        .map(|info| host.trial(&info.name).map_err(|e| e.to_string()));
    if json {
        let out = serde_json::json!({
            "report": report,
            "manifest": manifest.as_ref().ok(),
            "plugin": installable.as_ref().ok(),
            "trial": trial.as_ref().and_then(|t| t.as_ref().ok()),
            "error": installable.as_ref().err().or(trial.as_ref().and_then(|t| t.as_ref().err())),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let worlds: Vec<&str> = report.worlds.iter().map(|w| w.name()).collect();
        println!("file:         {}", report.file.display());
        println!(
            "world:        {}",
            if worlds.is_empty() {
                "none".to_string()
            } else {
                worlds.join(", ")
            }
        );
        println!("imports:      {}", report.imports.join(", "));
        println!("exports:      {}", report.exports.join(", "));
        println!("load:         {}", report.load);
        if report.contract == Some(Contract::V0_1) {
            println!(
                "contract:     docket:plugin@0.1.0, served through an adapter that calls only its batch `next-reminders`; rebuild it against {} with this Docket's SDK (see docs/plugins.md)",
                Contract::CURRENT
            );
        }
        if let Ok(m) = &manifest {
            println!("manifest:     {}", m.display());
        }
        if let Ok(info) = &installable {
            println!("name:         {} {}", info.name, info.version);
            println!("declares:     {}", info.world);
            let caps = if info.declared.is_empty() {
                "none".to_string()
            } else {
                info.declared.join(", ")
            };
            println!("capabilities: {caps}");
            println!(
                "limits:       {} ms, {} MiB per call",
                info.limits.timeout_ms, info.limits.memory_mib
            );
            if !info.ungranted.is_empty() {
                println!("grants:       {}", ungranted_note(info));
            }
            match &trial {
                Some(Ok(answer)) => println!("trial:        {answer}"),
                Some(Err(e)) => println!("trial:        failed: {e}"),
                None => {}
            }
            if let Some(Ok(_)) = &trial {
                println!(
                    "install:      ok; `docket plugin install {named}{}` copies it as {}.wasm and {}.toml",
                    file.display(),
                    info.name,
                    info.name
                );
            }
        }
        if report.worlds.is_empty() {
            for (world, reason) in &report.mismatches {
                println!("not {world}: {reason}");
            }
        }
    }
    if report.worlds.is_empty() {
        bail!("{} implements no docket:plugin world", file.display());
    }
    installable.map_err(anyhow::Error::msg)?;
    if let Some(Err(e)) = trial {
        bail!("{e}");
    }
    Ok(())
}

fn install(host: &PluginHost, file: &Path, manifest: Option<PathBuf>) -> anyhow::Result<()> {
    let manifest = find_manifest(file, manifest)?;
    let info = host.check_install(file, &manifest)?;
    let dir = host.dir();
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the plugins folder {}", dir.display()))?;
    let name = &info.name;
    let replacing = host.plugin(name).is_some();
    // Each file is written under a hidden name and renamed into place, so a server watching
    // the folder never reads half a file; it waits for both to settle before loading them.
    let copy = |from: &Path, to: PathBuf| -> anyhow::Result<()> {
        let tmp = dir.join(format!(
            ".{}.tmp",
            to.file_name().unwrap_or_default().to_string_lossy()
        ));
        std::fs::copy(from, &tmp)
            .with_context(|| format!("cannot copy {} to {}", from.display(), tmp.display()))?;
        std::fs::rename(&tmp, &to)
            .with_context(|| format!("cannot move {} to {}", tmp.display(), to.display()))
    };
    copy(&manifest, dir.join(format!("{name}.toml")))?;
    copy(file, dir.join(format!("{name}.wasm")))?;
    // The other spelling of the same plugin would make two components for one name.
    let other = name.replace('-', "_");
    if other != *name {
        for ext in ["wasm", "toml"] {
            let stale = dir.join(format!("{other}.{ext}"));
            if stale.is_file() {
                std::fs::remove_file(&stale)
                    .with_context(|| format!("cannot remove {}", stale.display()))?;
            }
        }
    }
    println!(
        "{} {name} {} ({}) in {}; a running server picks it up within seconds, others at their next start",
        if replacing { "replaced" } else { "installed" },
        info.version,
        info.world,
        dir.display()
    );
    if !info.ungranted.is_empty() {
        println!("note: {}", ungranted_note(&info));
    }
    Ok(())
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

fn new(name: &str, world: &str, lang: &str, dir: Option<PathBuf>) -> anyhow::Result<()> {
    let world = World::parse(world).with_context(|| {
        format!("--world `{world}`: use reminder-policy, sending-rule or notification-hook")
    })?;
    let language =
        Language::parse(lang).with_context(|| format!("--lang `{lang}`: use rust or python"))?;
    let project =
        docket_engine::plugin::scaffold(name, world, language).map_err(anyhow::Error::msg)?;
    let dir = dir.unwrap_or_else(|| PathBuf::from(name));
    if dir.exists()
        && std::fs::read_dir(&dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} already exists and is not empty; choose another --dir",
            dir.display()
        );
    }
    for (file, text) in &project.files {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "wrote the {world} plugin `{name}` in {}; then, in that folder:",
        dir.display()
    );
    println!("  {}", project.build);
    println!("  docket plugin check {}", project.component.display());
    println!(
        "  docket plugin test {} cases.toml",
        project.component.display()
    );
    println!("  docket plugin install {}", project.component.display());
    Ok(())
}

fn test(
    host: &PluginHost,
    file: &Path,
    cases: &Path,
    manifest: Option<PathBuf>,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(cases)
        .with_context(|| format!("cannot read {}", cases.display()))?;
    let parsed = Cases::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", cases.display()))?;
    let manifest = find_manifest(file, manifest)?;
    let info = host.load_file(file, &manifest)?;
    if !info.ungranted.is_empty() {
        eprintln!("note: {}", ungranted_note(&info));
    }
    let results = host
        .run_cases(&info.name, &parsed)
        .map_err(|e| anyhow::anyhow!("{}: {e}", cases.display()))?;
    let mut failed = 0;
    for result in &results {
        match &result.diff {
            None => println!("ok      {}", result.name),
            Some(diff) => {
                failed += 1;
                println!("FAILED  {}  (- expected, + answered)", result.name);
                for line in diff {
                    println!("    {line}");
                }
            }
        }
    }
    println!(
        "{} cases: {} passed, {failed} failed",
        results.len(),
        results.len() - failed
    );
    if failed > 0 {
        bail!("{failed} of {} cases failed", results.len());
    }
    Ok(())
}

fn remove(host: &PluginHost, config: &Config, name: &str, force: bool) -> anyhow::Result<()> {
    if host.plugin(name).is_some_and(|p| p.origin == Origin::Stock) {
        bail!("`{name}` is a stock plugin; it cannot be removed");
    }
    let dir = host.dir();
    let files: Vec<PathBuf> = [name.to_string(), name.replace('-', "_")]
        .iter()
        .flat_map(|stem| ["wasm", "toml"].map(|ext| dir.join(format!("{stem}.{ext}"))))
        .filter(|f| f.is_file())
        .collect();
    if files.is_empty() {
        bail!(
            "no installed plugin `{name}` in {}; `docket plugin list` shows those there are",
            dir.display()
        );
    }
    if !force && config.storage.data_dir.exists() {
        let (docket, _store) = super::open(config).map_err(|e| {
            match e.downcast_ref::<docket_engine::Error>() {
                Some(docket_engine::Error::Locked(_)) => anyhow::anyhow!(
                    "{e}; while the server runs Docket cannot check which templates and open work name `{name}`: stop it first, or pass --force"
                ),
                _ => e,
            }
        })?;
        let users = docket.plugin_users(name)?;
        if !users.is_empty() {
            bail!(
                "{} still name `{name}`; point them at another plugin first (re-import the template, PATCH /api/work/ID/groups/N), or pass --force",
                users.join(", ")
            );
        }
    }
    for file in &files {
        std::fs::remove_file(file).with_context(|| format!("cannot remove {}", file.display()))?;
    }
    println!(
        "removed {name} from {}; a running server drops it within seconds",
        dir.display()
    );
    Ok(())
}
