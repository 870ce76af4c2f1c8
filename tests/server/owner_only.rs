//! What the server writes is its owner's only, under the umask most systems give (`022`): the
//! data folder, sled's files, the file store, the outbox and its emails, the plugin cache, a
//! backup; a folder an older docket left open is closed at the next start. And which variable
//! sets the log: `DOCKET_LOG`, else `RUST_LOG`.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::get;
use super::support::{Server, docket, http, run_with, stderr, under_umask};

/// Every folder and file under `root` with its mode, `root` first (links are not followed).
fn modes(root: &Path) -> Vec<(PathBuf, bool, u32)> {
    let mut found = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(path) = todo.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            continue;
        }
        found.push((
            path.clone(),
            meta.is_dir(),
            meta.permissions().mode() & 0o777,
        ));
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                todo.push(entry.unwrap().path());
            }
        }
    }
    found
}

/// Folders 0700 and files 0600, everywhere under `root`.
fn assert_owner_only(root: &Path) {
    let found = modes(root);
    let open: Vec<_> = found
        .iter()
        .filter(|(_, dir, mode)| *mode != if *dir { 0o700 } else { 0o600 })
        .map(|(path, _, mode)| format!("{} {mode:o}", path.display()))
        .collect();
    assert!(open.is_empty(), "open to others: {open:#?}");
}

fn serve_under_022(data: &Path, extra: &[&str]) -> Server {
    let mut cmd = docket();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(extra);
    Server::start_command(under_umask(&cmd, "022"), data, None)
}

#[test]
fn the_data_folder_the_outbox_and_backups_are_the_owners_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve_under_022(&data, &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    // A client's file in the file store, and the demo's emails in the outbox.
    let (_, work) = get(&server, &token, "/api/work?status=planned");
    let id = work[0]["id"].as_str().unwrap().to_string();
    let uploaded = http()
        .post(server.url(&format!("/api/work/{id}/files?name=bank.pdf")))
        .bearer_auth(&token)
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.7 a statement".to_vec())
        .send()
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let outbox = data.join("outbox");
    let deadline = Instant::now() + Duration::from_secs(30);
    let emails = || {
        std::fs::read_dir(&outbox)
            .map(|d| {
                d.flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .count()
            })
            .unwrap_or(0)
    };
    while emails() == 0 {
        assert!(
            Instant::now() < deadline,
            "the demo's emails reach the outbox"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let found = modes(&data);
    for part in ["db", "files", "outbox", "plugin-cache", "docket.lock"] {
        assert!(
            found.iter().any(|(p, _, _)| p == &data.join(part)),
            "{part} is there to check: {found:?}"
        );
    }
    assert!(
        found
            .iter()
            .any(|(p, dir, _)| !dir && p.starts_with(data.join("files"))),
        "a stored file is there to check"
    );
    assert_owner_only(&data);
    assert!(server.stop().success());

    // A backup written by the command line.
    let backup = dir.path().join("firm.backup");
    let mut cmd = docket();
    cmd.args(["backup", "--out"])
        .arg(&backup)
        .arg("--data")
        .arg(&data);
    let out = run_with(&mut under_umask(&cmd, "022"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(modes(&backup)[0].2, 0o600);

    // A folder an older docket left open to others is closed at the next start.
    for (path, dir, mode) in modes(&data) {
        let open = mode | if dir { 0o055 } else { 0o044 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(open)).unwrap();
    }
    let server = serve_under_022(&data, &[]);
    assert_owner_only(&data);
    assert!(server.stop().success());
}

/// The log lines of a server started with these log variables, once it listens.
fn log_of(vars: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = docket();
    cmd.env_remove("DOCKET_LOG").env_remove("RUST_LOG");
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path());
    for (name, value) in vars {
        cmd.env(name, value);
    }
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = Server::start_command(cmd, dir.path(), Some(log.clone()));
    assert!(server.stop().success());
    log.lock().unwrap().clone()
}

#[test]
fn rust_log_sets_the_log_and_docket_log_wins() {
    let level = |lines: &[String], level: &str| lines.iter().any(|l| l.contains(level));
    let plain = log_of(&[]);
    assert!(
        level(&plain, " INFO ") && !level(&plain, " DEBUG "),
        "{plain:#?}"
    );
    let rust = log_of(&[("RUST_LOG", "debug")]);
    assert!(level(&rust, " DEBUG "), "RUST_LOG is read: {rust:#?}");
    let both = log_of(&[("RUST_LOG", "debug"), ("DOCKET_LOG", "warn")]);
    assert!(
        !level(&both, " DEBUG ") && !level(&both, " INFO "),
        "DOCKET_LOG wins: {both:#?}"
    );
    let bad = log_of(&[("RUST_LOG", "docket=[nonsense")]);
    assert!(
        bad.iter().any(|l| l.contains("WARN")
            && l.contains("RUST_LOG=")
            && l.contains("not a log filter")),
        "a bad filter is said: {bad:#?}"
    );
    assert!(level(&bad, " INFO "), "and the log runs at info: {bad:#?}");
}
