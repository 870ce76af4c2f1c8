//! `docket plugin ...` through the real binary, as one test binary: the simulated reminder
//! calendar (`simulate.rs`), checking, installing, listing and removing (`install.rs`), cases
//! files (`cases.rs`), plugin
//! projects and the examples built and tested (`projects.rs`), and what helps an author when a
//! plugin goes wrong (`authoring.rs`). This file holds the shared helpers.

#[path = "../support/mod.rs"]
mod support;

mod authoring;
mod cases;
mod install;
mod projects;
mod simulate;

use std::process::Output;

/// Runs `docket --data DATA ARGS` with the shared timeout and a clean environment. Only a
/// folder holding a data folder (its records, `db`, which only `serve` and `restore` make) may
/// be named with `--data`; DATA holding none, it runs in DATA without `--data`, as an author
/// without a data folder runs it.
pub fn docket(data: &std::path::Path, args: &[&str]) -> Output {
    if data.join("db").is_dir() {
        support::run_with(support::docket().arg("--data").arg(data).args(args))
    } else {
        support::run_with(support::docket().current_dir(data).args(args))
    }
}

/// A data folder as the first `docket serve` makes it, the server stopped again.
pub fn data_folder() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    assert!(support::Server::start(data.path(), &[]).stop().success());
    data
}

pub fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A guest component built by `engine/build.rs` (the engine is built before these tests run).
pub fn guest(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/wasm-plugins/wasm32-wasip2/release")
        .join(file)
}

pub fn example_manifest() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/plugins/business-days/business-days.toml")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Waits up to the shared timeout for a log line containing every one of `parts`.
pub fn wait_for_log(log: &std::sync::Mutex<Vec<String>>, parts: &[&str]) -> String {
    let deadline = std::time::Instant::now() + support::TIMEOUT;
    loop {
        if let Some(line) = log
            .lock()
            .unwrap()
            .iter()
            .find(|l| parts.iter().all(|p| l.contains(p)))
        {
            return line.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no log line with {parts:?}; the log:\n{}",
            log.lock().unwrap().join("\n")
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Runs a build in `dir` to completion (ten minutes at most: the first Rust build compiles the
/// SDK's dependencies); panics with its output when it fails.
pub fn build_in(
    dir: &std::path::Path,
    program: &str,
    args: &[&str],
    env: &[(&str, &std::path::Path)],
) {
    let mut cmd = std::process::Command::new(program);
    cmd.current_dir(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = support::run_for(&mut cmd, std::time::Duration::from_secs(600));
    assert!(
        out.status.success(),
        "{program} {args:?} in {} failed:\n{}",
        dir.display(),
        stderr(&out)
    );
}
