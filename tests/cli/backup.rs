//! Backup, restore and check as an operator runs them: a backup restores into an equal firm,
//! only `serve` and `restore` make a data folder, `check` names each problem on a line, and a
//! damaged upload is left out of a backup while the rest restores.

use super::*;

#[test]
fn backup_then_restore_reproduces_every_record() {
    let source = tempfile::tempdir().unwrap();
    small_firm(source.path());
    let files = tempfile::tempdir().unwrap();
    let first = files.path().join("first.backup");
    // What an interrupted backup to the same file left behind is cleared by the next one.
    let leftover = files.path().join(".first.backup.partial-AbC123");
    std::fs::write(&leftover, "half an archive").unwrap();
    let out = ok(&[
        "backup",
        "--out",
        first.to_str().unwrap(),
        "--data",
        &data_arg(source.path()),
    ]);
    assert!(out.starts_with("backed up "), "{out}");
    let names: Vec<String> = std::fs::read_dir(files.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["first.backup"], "nothing else beside it");

    let target = tempfile::tempdir().unwrap();
    let out = ok(&[
        "restore",
        first.to_str().unwrap(),
        "--data",
        &data_arg(target.path()),
    ]);
    assert!(out.starts_with("restored "), "{out}");
    // The restored folder is the backup's records and a pause of sending; resumed, it is the
    // backup's records alone.
    let resumed = ok(&["sending", "resume", "--data", &data_arg(target.path())]);
    assert!(resumed.contains("Sending is resumed"), "{resumed}");
    let second = files.path().join("second.backup");
    ok(&[
        "backup",
        "--out",
        second.to_str().unwrap(),
        "--data",
        &data_arg(target.path()),
    ]);

    // Every entry is identical (the header and trailer carry the time of the backup).
    let body = entries;
    assert_eq!(body(&first), body(&second));
    assert!(body(&first).iter().any(|e| e.starts_with("records/")));
    let listed = ok(&["template", "list", "--data", &data_arg(target.path())]);
    assert!(listed.contains("Annual tax return"));

    // Restoring again into the full folder is refused and changes nothing.
    fails(
        &[
            "restore",
            first.to_str().unwrap(),
            "--data",
            &data_arg(target.path()),
        ],
        "not empty",
    );
    let third = files.path().join("third.backup");
    ok(&[
        "backup",
        "--out",
        third.to_str().unwrap(),
        "--data",
        &data_arg(target.path()),
    ]);
    assert_eq!(body(&first), body(&third));

    // A damaged file is refused and leaves nothing behind: not the folder, not a lock, not
    // seeded settings; the retry with a good file then works.
    let damaged = files.path().join("damaged.backup");
    let bytes = std::fs::read(&first).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).unwrap();
    let parent = tempfile::tempdir().unwrap();
    let fresh = parent.path().join("data");
    fails(
        &[
            "restore",
            damaged.to_str().unwrap(),
            "--data",
            &data_arg(&fresh),
        ],
        "damaged.backup: backup: ",
    );
    let left: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
    assert!(left.is_empty(), "nothing restored: {left:?}");
    ok(&[
        "restore",
        first.to_str().unwrap(),
        "--data",
        &data_arg(&fresh),
    ]);
    assert!(ok(&["check", "--data", &data_arg(&fresh)]).contains("no problems found"));

    // A folder holding other files is not mixed into.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("notes.txt"), "mine").unwrap();
    fails(
        &[
            "restore",
            first.to_str().unwrap(),
            "--data",
            &data_arg(other.path()),
        ],
        "is not empty; restore only into a new or empty folder",
    );
    let names: Vec<_> = std::fs::read_dir(other.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);

    // An existing backup file is never overwritten.
    let before = std::fs::read(&first).unwrap();
    fails(
        &[
            "backup",
            "--out",
            first.to_str().unwrap(),
            "--data",
            &data_arg(target.path()),
        ],
        "already exists",
    );
    assert_eq!(std::fs::read(&first).unwrap(), before);
}

#[test]
fn only_serve_and_restore_make_a_data_folder() {
    let parent = tempfile::tempdir().unwrap();
    let typo = parent.path().join("dta");
    let out = parent.path().join("x.backup");
    for args in [
        vec!["user", "list"],
        vec!["template", "list"],
        vec!["token", "create"],
        vec!["check"],
        vec!["backup", "--out", out.to_str().unwrap()],
    ] {
        let mut args = args.clone();
        args.extend(["--data", typo.to_str().unwrap()]);
        fails(&args, "there is no data folder at");
    }
    assert!(!typo.exists(), "no folder made");
    assert!(!out.exists(), "no backup written");
}

#[test]
fn check_names_each_problem_on_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    let http = support::http();
    let work: serde_json::Value = http
        .get(server.url("/api/work"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = work[0]["id"].as_str().unwrap().to_string();
    for (name, body) in [("a.pdf", "first file"), ("b.pdf", "second file")] {
        let res = http
            .post(server.url(&format!("/api/work/{id}/files?name={name}")))
            .bearer_auth(&token)
            .body(body)
            .send()
            .unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::CREATED);
    }
    server.stop();
    let data = data_arg(dir.path());
    assert!(ok(&["check", "--data", &data]).contains("no problems found"));

    // One file damaged, one gone.
    let sha = |text: &str| {
        let out = std::process::Command::new("sha256sum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write as _;
                c.stdin.take().unwrap().write_all(text.as_bytes())?;
                c.wait_with_output()
            })
            .unwrap();
        String::from_utf8(out.stdout).unwrap()[..64].to_string()
    };
    let path = |h: &str| dir.path().join("files").join(&h[..2]).join(h);
    std::fs::write(path(&sha("first file")), "tampered, and longer").unwrap();
    std::fs::remove_file(path(&sha("second file"))).unwrap();
    let output = run(&["check", "--data", &data]);
    assert!(!output.status.success());
    let lines = stdout(&output);
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("`a.pdf`") && l.contains("damaged"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("`b.pdf`") && l.contains("missing"))
    );
    // --quick checks sizes only: the damaged file has another size, so it is still seen.
    let quick = stdout(&run(&["check", "--quick", "--data", &data]));
    assert_eq!(quick.lines().count(), 2, "{quick}");

    // A stored file no record references, written over an hour ago (its record lost), is named
    // too: `serve` would collect it.
    let orphan = sha("an orphan");
    std::fs::create_dir_all(path(&orphan).parent().unwrap()).unwrap();
    std::fs::write(path(&orphan), "an orphan").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .append(true)
        .open(path(&orphan))
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    let lines = stdout(&run(&["check", "--quick", "--data", &data]));
    assert!(
        lines
            .lines()
            .any(|l| l.contains("1 of the 2 stored files are referenced by no record")),
        "{lines}"
    );
}

#[test]
fn a_damaged_upload_is_left_out_of_the_backup_and_the_rest_restores() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    let http = support::http();
    let work: serde_json::Value = http
        .get(server.url("/api/work"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = work[0]["id"].as_str().unwrap().to_string();
    let mut hashes = Vec::new();
    for (name, body) in [
        ("kept.pdf", "an intact file"),
        ("rotten.pdf", "a file that rots"),
    ] {
        let res = http
            .post(server.url(&format!("/api/work/{id}/files?name={name}")))
            .bearer_auth(&token)
            .body(body)
            .send()
            .unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::CREATED);
        let file: serde_json::Value = res.json().unwrap();
        hashes.push(file["content"]["sha256"].as_str().unwrap().to_string());
    }
    server.stop();
    let rotten = &hashes[1];
    let on_disk = dir.path().join("files").join(&rotten[..2]).join(rotten);
    std::fs::write(&on_disk, "a file that ROTS").unwrap();

    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("firm.backup");
    let data = data_arg(dir.path());
    let backup = run(&[
        "backup",
        "--data",
        &data,
        "--out",
        archive.to_str().unwrap(),
    ]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    let warning = stderr(&backup);
    assert!(
        warning.contains("missing or damaged on disk") && warning.contains(rotten.as_str()),
        "{warning}"
    );

    let restored = out.path().join("restored");
    let restore = run(&[
        "restore",
        archive.to_str().unwrap(),
        "--data",
        restored.to_str().unwrap(),
    ]);
    assert!(restore.status.success(), "{}", stderr(&restore));
    assert!(
        stderr(&restore).contains(rotten.as_str()),
        "{}",
        stderr(&restore)
    );
    let kept = restored
        .join("files")
        .join(&hashes[0][..2])
        .join(&hashes[0]);
    assert_eq!(std::fs::read_to_string(kept).unwrap(), "an intact file");
    // The rotten file's record remains without bytes, and check says so, on that one line.
    let check = run(&["check", "--data", restored.to_str().unwrap()]);
    let lines = stdout(&check);
    assert_eq!(lines.lines().count(), 1, "{lines}");
    assert!(
        lines.contains("`rotten.pdf`") && lines.contains("missing"),
        "{lines}"
    );

    // The restored folder backs up and restores again, the lost file still marked.
    let again = out.path().join("again.backup");
    let restored_arg = restored.to_str().unwrap();
    let backup = run(&[
        "backup",
        "--data",
        restored_arg,
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    assert!(
        stderr(&backup).contains(rotten.as_str()),
        "{}",
        stderr(&backup)
    );
    let second = out.path().join("second");
    let restore = run(&[
        "restore",
        again.to_str().unwrap(),
        "--data",
        second.to_str().unwrap(),
    ]);
    assert!(restore.status.success(), "{}", stderr(&restore));
    assert!(
        stderr(&restore).contains(rotten.as_str()),
        "{}",
        stderr(&restore)
    );
}
