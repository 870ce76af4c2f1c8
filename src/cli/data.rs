//! `docket backup`, `docket restore` and `docket check`, with a progress bar on a terminal. A
//! backup is taken from the folder or the configured PostgreSQL database, or streamed from the
//! server that holds the folder (its admin socket); `check` runs where the folder is held, so
//! beside a server, it runs in the server. A restore goes into a new folder or an empty
//! database (`--to-url`, or the configured one).

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use docket_engine::Docket;
use docket_engine::backup;
use docket_engine::config::{Config, StorageBackend};
use docket_engine::store::UrlFrom;
use indicatif::{ProgressBar, ProgressStyle};

use super::out::Out;

fn progress_bar(total: u64) -> ProgressBar {
    // indicatif draws only when stderr is a terminal, so scripts see no bar.
    let bar = ProgressBar::new(total);
    let template = if total > 0 {
        "{bar:40} {bytes}/{total_bytes}"
    } else {
        "{spinner} {bytes}"
    };
    bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
    bar
}

/// Where a backup's archive comes from: it writes the archive to the writer given, reporting the
/// bytes written so far, and says what it holds.
pub type Source<'a> = &'a mut dyn FnMut(
    &mut dyn std::io::Write,
    &mut dyn FnMut(u64),
) -> anyhow::Result<backup::Counts>;

/// Writes a backup to `out`, the archive from `source` (the folder, or the server holding it).
pub fn backup(out: &Path, source: Source) -> anyhow::Result<()> {
    if out.exists() {
        anyhow::bail!(
            "{} already exists; give a new file name, or remove it first",
            out.display()
        );
    }
    // Written beside the target and renamed at the end, so a failed backup never leaves a file
    // that looks whole.
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Named after the target, so what an interrupted backup (Ctrl-C, a kill) left is known and
    // removed by the next backup to the same file.
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "backup".into());
    let prefix = format!(".{name}.partial-");
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    let bar = progress_bar(0);
    let counts = {
        let mut writer = std::io::BufWriter::with_capacity(256 * 1024, tmp.as_file_mut());
        let counts = source(&mut writer, &mut |done| bar.set_position(done))?;
        writer.flush()?;
        counts
    };
    tmp.as_file().sync_all()?;
    // Never replaces a file that appeared meanwhile.
    tmp.persist_noclobber(out)
        .with_context(|| format!("cannot write {}", out.display()))?;
    bar.finish_and_clear();
    println!(
        "backed up {} and {} ({} bytes) to {}",
        super::work::plural(counts.records as usize, "record", "records"),
        super::work::plural(counts.files as usize, "file", "files"),
        counts.bytes,
        out.display()
    );
    if !counts.left_out.is_empty() {
        eprintln!(
            "warning: {} uploaded files are missing or damaged on disk, so the backup marks them and a restore leaves them out: {}; `docket check` names the records they belong to, and uploading the same file again restores it",
            counts.left_out.len(),
            counts.left_out.join(", ")
        );
    }
    Ok(())
}

/// `docket restore`: into the data folder, or into the empty PostgreSQL database at `to_url`
/// (or the configured one, with `backend = "postgres"`).
pub fn restore(config: &Config, file: &Path, to_url: Option<String>) -> anyhow::Result<()> {
    let mut input =
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let total = input.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress_bar(total);
    let configured = to_url.is_none();
    let url = match (to_url, config.storage.backend) {
        (Some(url), _) => Some(url),
        (None, StorageBackend::Postgres) => Some(config.storage.url.clone().context(
            "storage.url is not set (set DOCKET_STORAGE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE, or give --to-url)",
        )?),
        (None, StorageBackend::Sled) => None,
    };
    let dir = &config.storage.data_dir;
    let (counts, place, resume) = match url {
        Some(url) => {
            let from = match configured {
                true => UrlFrom::Config,
                false => UrlFrom::Given,
            };
            let counts = backup::restore_postgres(
                &url,
                from,
                config.storage.connections,
                &mut input,
                &mut |done| bar.set_position(done),
            )
            .map_err(|e| match e {
                // An operator who meant a folder (`--data`) learns why the database was used.
                docket_engine::Error::Conflict(why) if configured => anyhow::anyhow!(
                    "{why}; the configured storage backend is PostgreSQL, so the restore went to the database: to restore into a folder, set storage.backend = \"sled\" (unset DOCKET_STORAGE_BACKEND and DOCKET_STORAGE_URL)"
                ),
                e => e.into(),
            })
            .with_context(|| format!("cannot restore {}", file.display()))?;
            let place = format!("the database {}", described(&url));
            let resume = "sending is paused in the restored database: nothing is emailed until an admin resumes it (the banner in the admin, or `docket sending resume` with DOCKET_STORAGE_BACKEND=postgres and DOCKET_STORAGE_URL set to the database)".to_string();
            (counts, place, resume)
        }
        None => {
            let counts = backup::restore(dir, &mut input, &mut |done| bar.set_position(done))
                .with_context(|| format!("cannot restore {}", file.display()))?;
            let resume = format!(
                "sending is paused in the restored folder: nothing is emailed until an admin resumes it (the banner in the admin, or `docket sending resume --data {}`)",
                crate::cli::shell_word(&dir.display().to_string())
            );
            (counts, dir.display().to_string(), resume)
        }
    };
    bar.finish_and_clear();
    if counts.left_out.is_empty() {
        println!(
            "restored {} and {} into {place}; checked: no problems",
            super::work::plural(counts.records as usize, "record", "records"),
            super::work::plural(counts.files as usize, "file", "files"),
        );
    } else {
        println!(
            "restored {} and {} into {place}; checked: no problems besides the files below",
            super::work::plural(counts.records as usize, "record", "records"),
            super::work::plural(
                counts.files.saturating_sub(counts.left_out.len() as u64) as usize,
                "file",
                "files"
            ),
        );
        eprintln!(
            "warning: {} files were already missing or damaged when the backup was made and are left out (their records remain, their download is refused until the same file is uploaded again): {}",
            counts.left_out.len(),
            counts.left_out.join(", ")
        );
    }
    println!("{resume}");
    Ok(())
}

/// `docket check`. `served`: the server runs it while it works, so a record and its index
/// entry may be read either side of a change; a problem is then reported only when a second
/// pass finds it again.
pub fn check(docket: &Docket, quick: bool, served: bool, out: &mut Out) -> anyhow::Result<()> {
    let mut problems = docket.check(!quick)?;
    if served && !problems.is_empty() {
        let again = docket.check(!quick)?;
        problems.retain(|line| again.contains(line));
    }
    if problems.is_empty() {
        writeln!(out, "no problems found")?;
        return Ok(());
    }
    for line in &problems {
        writeln!(out, "{line}")?;
    }
    anyhow::bail!("the data folder has problems (listed above)")
}

/// `HOST:PORT/DATABASE` of a PostgreSQL URL, without its user and password, for messages.
fn described(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split('?').next().unwrap_or(rest).to_string()
}
