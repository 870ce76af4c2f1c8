//! `docket plugin check`, `install` and `remove`. Check and install run the same checks — the
//! component's world, the manifest, the plugin as the server would load it, and one trial call
//! with its defaults — and install copies the files only when every one of them passes.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use docket_engine::config::Config;
use docket_engine::plugin::{
    BuildTarget, CheckReport, Origin, PluginHost, PluginInfo, name_of_stem,
};

use super::facts::Facts;
use super::{DataFolder, find_manifest, ungranted_note};

/// What the checks found about a component and its manifest, in the order `check` prints it.
struct Checked {
    report: CheckReport,
    manifest: Result<PathBuf, String>,
    /// The plugin as the server would install it.
    installable: Result<PluginInfo, String>,
    /// The trial call on a sample with the manifest's defaults, once the plugin loads.
    trial: Option<Result<String, String>>,
}

impl Checked {
    /// Runs every check on `file`. Only a file that cannot be read or is no component at all is
    /// an error here; the rest is in the answer.
    fn run(host: &PluginHost, file: &Path, manifest: Option<PathBuf>) -> anyhow::Result<Checked> {
        if !file.is_file() {
            bail!(
                "{}: no such file; give the path of the plugin's `.wasm` component",
                file.display()
            );
        }
        let manifest = find_manifest(file, manifest).map_err(|e| e.to_string());
        let target = BuildTarget::of(file, manifest.as_deref().ok());
        let report = host.check_file(file, &target)?;
        // Checked as the server installs it, then tried once on a sample with its defaults, so
        // a plugin that fails (a refused default, an exception, a panic) fails here.
        let installable = manifest
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|m| host.load_file(file, m).map_err(|e| e.to_string()));
        let trial = installable
            .as_ref()
            .ok()
            .map(|info| host.trial(&info.name).map_err(|e| e.to_string()));
        Ok(Checked {
            report,
            manifest,
            installable,
            trial,
        })
    }

    /// Why the plugin cannot be installed, if it cannot: the first check that failed.
    fn refusal(&self) -> Option<String> {
        if let Some(refusal) = &self.report.refusal {
            return Some(refusal.clone());
        }
        if let Err(e) = &self.installable {
            return Some(e.clone());
        }
        match &self.trial {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        }
    }
}

pub(super) fn check(
    host: &PluginHost,
    file: &Path,
    manifest: Option<PathBuf>,
    json: bool,
    data: &DataFolder,
) -> anyhow::Result<()> {
    // `install` finds the same manifest by itself unless it was named here.
    let named = manifest
        .as_ref()
        .map(|m| format!("--manifest {} ", m.display()))
        .unwrap_or_default();
    let checked = Checked::run(host, file, manifest)?;
    let refusal = checked.refusal();
    if json {
        let out = serde_json::json!({
            "report": checked.report,
            "manifest": checked.manifest.as_ref().ok(),
            "plugin": checked.installable.as_ref().ok(),
            "trial": checked.trial.as_ref().and_then(|t| t.as_ref().ok()),
            "error": refusal,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_check(&checked, file, &named, data);
    }
    match refusal {
        Some(e) => bail!("{e}"),
        None => Ok(()),
    }
}

fn print_check(checked: &Checked, file: &Path, named: &str, data: &DataFolder) {
    let report = &checked.report;
    // A missing manifest is said first: without one nothing installs, however good the file.
    if let Err(e) = &checked.manifest {
        println!("manifest:     missing: {e}");
    }
    let worlds: Vec<&str> = report.worlds.iter().map(|w| w.name()).collect();
    println!("file:         {}", report.file.display());
    println!(
        "world:        {}",
        match worlds.as_slice() {
            [] => "none".to_string(),
            [one] => one.to_string(),
            [many @ .., last] => format!(
                "{} and {last}, {} in this one component; it is served as the one its manifest declares",
                many.join(", "),
                if many.len() == 1 { "both" } else { "all" }
            ),
        }
    );
    println!("imports:      {}", report.imports.join(", "));
    println!("exports:      {}", report.exports.join(", "));
    println!("load:         {}", report.load);
    // The world it is served as: the manifest's, else the one it implements.
    let world = checked
        .installable
        .as_ref()
        .map(|info| info.world)
        .ok()
        .or(report.worlds.first().copied());
    if let (Some(contract), Some(world)) = (report.contract, world)
        && let Some(note) = contract.adapter_note(world)
    {
        println!("contract:     {note}");
    }
    if let Ok(m) = &checked.manifest {
        println!("manifest:     {}", m.display());
    }
    if let Ok(info) = &checked.installable {
        println!("name:         {} {}", info.name, info.version);
        if let Some(note) = name_note(file, checked.manifest.as_ref().ok(), info) {
            println!("note:         {note}");
        }
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
        match &checked.trial {
            Some(Ok(answer)) => println!("trial:        {answer}"),
            Some(Err(e)) => println!("trial:        failed: {e}"),
            None => {}
        }
        if let Some(Ok(_)) = &checked.trial {
            println!(
                "install:      ok; `docket plugin install {} {named}{}` copies it as {}.wasm and {}.toml into the server's plugins folder{}",
                data.arg(),
                file.display(),
                info.name,
                info.name,
                data.note()
            );
        }
    }
    if report.worlds.is_empty() {
        for (world, reason) in &report.mismatches {
            println!("not {world}: {reason}");
        }
    }
}

pub(super) fn install(
    host: &PluginHost,
    file: &Path,
    manifest: Option<PathBuf>,
    data: &DataFolder,
) -> anyhow::Result<()> {
    let named = manifest
        .as_ref()
        .map(|m| format!("--manifest {} ", m.display()))
        .unwrap_or_default();
    // Known before the checks, which load the file under its name in this process.
    let installed = |name: &str| {
        host.plugin(name)
            .is_some_and(|p| matches!(p.origin, Origin::Installed(_)))
    };
    let before: Vec<String> = host
        .plugins()
        .into_iter()
        .filter(|p| installed(&p.name))
        .map(|p| p.name)
        .collect();
    let checked = Checked::run(host, file, manifest)?;
    if let Some(refusal) = checked.refusal() {
        bail!(
            "{refusal}; nothing was installed (`docket plugin check {} {named}{}` shows every check)",
            data.arg(),
            file.display()
        );
    }
    let (Ok(manifest), Ok(info)) = (&checked.manifest, &checked.installable) else {
        unreachable!("a plugin without a manifest is refused above");
    };
    let dir = host.dir();
    docket_engine::owner_only::create_dir_all(dir)
        .with_context(|| format!("cannot create the plugins folder {}", dir.display()))?;
    let name = &info.name;
    let replacing = before.contains(name);
    // Each file is written under a hidden name and renamed into place, so a server watching
    // the folder never reads half a file; it waits for both to settle before loading them.
    let copy = |from: &Path, to: PathBuf| -> anyhow::Result<()> {
        let tmp = dir.join(format!(
            ".{}.tmp",
            to.file_name().unwrap_or_default().to_string_lossy()
        ));
        // Written afresh, readable by the folder's owner only as every file Docket makes.
        let _ = std::fs::remove_file(&tmp);
        let bytes =
            std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
        docket_engine::owner_only::write(&tmp, &bytes)
            .with_context(|| format!("cannot copy {} to {}", from.display(), tmp.display()))?;
        std::fs::rename(&tmp, &to)
            .with_context(|| format!("cannot move {} to {}", tmp.display(), to.display()))
    };
    copy(manifest, dir.join(format!("{name}.toml")))?;
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
        "{} {name} {} ({}) in {}; the server running on this folder picks it up within seconds (on PostgreSQL it passes it to the other servers too), a stopped one at its next start",
        if replacing { "replaced" } else { "installed" },
        info.version,
        info.world,
        dir.display()
    );
    if let Some(note) = name_note(file, Some(manifest), info) {
        println!("note: {note}");
    }
    if !info.ungranted.is_empty() {
        println!("note: {}", ungranted_note(info));
    }
    Ok(())
}

/// When the manifest names the plugin otherwise than its files are named: which name it gets.
fn name_note(file: &Path, manifest: Option<&PathBuf>, info: &PluginInfo) -> Option<String> {
    let stem = |path: &Path| path.file_stem().map(|s| name_of_stem(&s.to_string_lossy()));
    let other = [Some(file), manifest.map(PathBuf::as_path)]
        .into_iter()
        .flatten()
        .find(|path| stem(path).is_some_and(|s| s != info.name))?;
    Some(format!(
        "the manifest names the plugin `{}`, not `{}` as {} is named: it is installed as {}.wasm and {}.toml, and templates name it `{}`",
        info.name,
        stem(other).unwrap_or_default(),
        other.display(),
        info.name,
        info.name,
        info.name
    ))
}

pub(super) fn remove(
    host: &PluginHost,
    config: &Config,
    name: &str,
    force: bool,
    facts: anyhow::Result<Option<Facts>>,
    data: &DataFolder,
) -> anyhow::Result<()> {
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
            "no installed plugin `{name}` in {}; `docket plugin list {}` shows those there are",
            dir.display(),
            data.arg()
        );
    }
    if !force {
        // Gathered through the running server's admin socket when one holds the folder.
        let users = facts
            .map_err(|e| match e.downcast_ref::<docket_engine::Error>() {
                Some(docket_engine::Error::Locked(_)) => anyhow::anyhow!(
                    "a running server holds the data folder {} and cannot be reached through its admin socket, so Docket cannot check which templates and open work name `{name}`; stop the server first, or pass --force to remove the files regardless",
                    config.storage.data_dir.display()
                ),
                _ => e,
            })?
            .and_then(|facts| facts.users)
            .unwrap_or_default();
        if !users.is_empty() {
            bail!(
                "{} still {} `{name}`; point {} at another plugin first (re-import the template, PATCH /api/work/ID/groups/N), or pass --force",
                users.join(", "),
                if users.len() == 1 { "names" } else { "name" },
                if users.len() == 1 { "it" } else { "them" },
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
