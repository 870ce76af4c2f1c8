//! `docket plugin new`, which writes a plugin project, and `docket plugin test`, which runs a
//! component against the table tests of a cases file.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use docket_engine::plugin::{Cases, Language, PluginHost, World};

use super::{DataFolder, find_manifest, ungranted_note};

pub(super) fn new(
    name: &str,
    world: &str,
    lang: &str,
    dir: Option<PathBuf>,
    data: &DataFolder,
) -> anyhow::Result<()> {
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
    println!(
        "  docket plugin install {} {}{}",
        data.arg(),
        project.component.display(),
        data.note()
    );
    Ok(())
}

pub(super) fn test(
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
