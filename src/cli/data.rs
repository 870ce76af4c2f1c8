//! `docket backup` and `docket restore`, with a progress bar on a terminal.

use std::io::BufReader;
use std::path::Path;

use anyhow::Context as _;
use docket_engine::backup;
use docket_engine::config::Config;
use docket_engine::store::{SledStore, Store};
use indicatif::{ProgressBar, ProgressStyle};

fn progress_bar() -> ProgressBar {
    // indicatif draws only when stderr is a terminal, so scripts see no bar.
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} records").expect("valid template"),
    );
    bar
}

pub fn backup(store: &SledStore, out: &Path) -> anyhow::Result<()> {
    // Written beside the target and renamed at the end, so a failed backup never leaves a file
    // that looks whole.
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    let bar = progress_bar();
    let count = {
        let mut writer = std::io::BufWriter::new(tmp.as_file_mut());
        backup::export(
            store,
            chrono::Utc::now(),
            &mut writer,
            &mut |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            },
        )?
    };
    tmp.as_file().sync_all()?;
    tmp.persist(out)
        .with_context(|| format!("cannot write {}", out.display()))?;
    bar.finish_and_clear();
    println!("backed up {count} records to {}", out.display());
    Ok(())
}

pub fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    let input =
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let store = SledStore::open(&config.storage.data_dir)?;
    let bar = progress_bar();
    let count = backup::restore(&store, &mut BufReader::new(input), &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .with_context(|| format!("{}", file.display()))?;
    store.flush()?;
    bar.finish_and_clear();
    println!(
        "restored {count} records into {}",
        config.storage.data_dir.display()
    );
    Ok(())
}
