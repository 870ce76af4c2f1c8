//! The command line as an operator uses it: setup commands, backup and restore, and bad input
//! refused with one line, a non-zero exit and no change to data.

#[path = "../support/mod.rs"]
mod support;

mod catalog;
mod naming;
mod plugin_grants;
mod staff;

use std::path::Path;

use support::{run, run_with, stderr, stdout};

fn data_arg(dir: &Path) -> String {
    dir.display().to_string()
}

fn ok(args: &[&str]) -> String {
    let output = run(args);
    assert!(
        output.status.success(),
        "docket {args:?} failed: {}",
        stderr(&output)
    );
    stdout(&output)
}

fn fails(args: &[&str], want: &str) -> String {
    let output = run(args);
    assert!(!output.status.success(), "docket {args:?} should fail");
    let err = stderr(&output);
    assert!(
        err.contains(want),
        "docket {args:?}: expected `{want}` in {err:?}"
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one-line error expected: {err:?}"
    );
    err
}

/// The entries of a backup archive (tar), name and size, without its header and manifest,
/// which carry the time of the backup. Record chunks and files are named by their SHA-256, so
/// equal names mean equal bytes.
fn entries(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let mut names = Vec::new();
    let mut at = 0;
    while at + 512 <= bytes.len() && bytes[at] != 0 {
        let header = &bytes[at..at + 512];
        let name = String::from_utf8_lossy(&header[..100])
            .trim_end_matches('\0')
            .to_string();
        let size_text = String::from_utf8_lossy(&header[124..136]);
        let size = u64::from_str_radix(size_text.trim_matches(|c: char| c == '\0' || c == ' '), 8)
            .unwrap();
        names.push(format!("{name} {size}"));
        at += 512 + size.div_ceil(512) as usize * 512;
    }
    assert_eq!(
        names.first().map(|n| n.starts_with("docket-backup.json")),
        Some(true)
    );
    assert_eq!(
        names.last().map(|n| n.starts_with("manifest.json")),
        Some(true)
    );
    names[1..names.len() - 1].to_vec()
}

/// Makes a new, empty data folder the way an operator does: the first `docket serve`.
fn new_folder(dir: &Path) {
    support::Server::start(dir, &[]).stop();
}

/// Builds a small firm through the CLI in a new data folder.
fn small_firm(dir: &Path) {
    new_folder(dir);
    let data = data_arg(dir);
    let tax = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/templates/annual-tax-return.toml"
    );
    ok(&["template", "import", tax, "--data", &data]);
    ok(&[
        "contact",
        "add",
        "--email",
        "ann@client.example",
        "--name",
        "Ann",
        "--data",
        &data,
    ]);
    let out = ok(&[
        "user",
        "add",
        "--email",
        "sam@firm.example",
        "--role",
        "staff",
        "--data",
        &data,
    ]);
    assert!(
        out.contains("password: "),
        "a made-up password is printed: {out}"
    );
    let out = ok(&[
        "work",
        "create",
        "--template",
        "Annual tax return",
        "--start",
        "2028-01-31",
        "--contact",
        "ann@client.example",
        "--assignee",
        "sam@firm.example",
        "--data",
        &data,
    ]);
    assert!(out.contains("(due 2028-02-14)"), "{out}");
    // Planned by its sending rule as it is created: a week before the start, at nine.
    assert!(
        out.contains("goes out automatically at 2028-01-24 09:00 UTC"),
        "{out}"
    );
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["user", "add", "--help"],
        &["token", "create", "--help"],
        &["token", "list", "--help"],
        &["token", "revoke", "--help"],
        &["settings", "show", "--help"],
        &["settings", "set", "--help"],
        &["contact", "add", "--help"],
        &["template", "import", "--help"],
        &["work", "create", "--help"],
        &["work", "list", "--help"],
        &["work", "show", "--help"],
        &["backup", "--help"],
        &["restore", "--help"],
    ] {
        let out = ok(args);
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
}

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

#[test]
fn bad_config_is_refused_naming_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cases = [
        (
            "malformed.toml",
            "[server\nlisten = 1\n",
            "malformed.toml line 1:",
        ),
        (
            "unknown.toml",
            "[firm]\ncolour = 'red'\n",
            "key `firm.colour`: unknown field `colour`",
        ),
        (
            "timezone.toml",
            "[firm]\ntimezone = 'Europe/Lndon'\n",
            "key `firm.timezone`: `Europe/Lndon` is not an IANA timezone",
        ),
        (
            "sendtime.toml",
            "[firm]\nsend_time = '25:00'\n",
            "key `firm.send_time`: `25:00` is not a time of day",
        ),
    ];
    for (name, text, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let err = fails(
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--config",
                path.to_str().unwrap(),
                "--data",
                &data_arg(&data),
            ],
            want,
        );
        assert!(err.contains(name), "the error names the file: {err}");
        assert!(!data.exists(), "a bad config touches no data");
    }
    let output = run_with(
        support::docket()
            .args(["serve", "--data", &data_arg(&data)])
            .env("DOCKET_FIRM_SEND_TIME", "noon"),
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("`noon` is not a time of day"),
        "{}",
        stderr(&output)
    );
    assert!(!data.exists());
    fails(
        &[
            "serve",
            "--config",
            dir.path().join("missing.toml").to_str().unwrap(),
        ],
        "cannot read config file",
    );
}

#[test]
fn bad_input_changes_no_data() {
    let dir = tempfile::tempdir().unwrap();
    small_firm(dir.path());
    let data = data_arg(dir.path());
    let files = tempfile::tempdir().unwrap();
    let before = files.path().join("before.backup");
    ok(&["backup", "--out", before.to_str().unwrap(), "--data", &data]);

    let bad = files.path().join("bad-template.toml");
    std::fs::write(&bad, "name = 'Broken'\n[[groups]]\nname = 'g'\n[[groups.tasks]]\ndescription = 'no title'\ndue = 3\n").unwrap();
    fails(
        &["template", "import", bad.to_str().unwrap(), "--data", &data],
        "bad-template.toml: key `groups[0].tasks[0]`: line 4: missing field `title`",
    );
    std::fs::write(&bad, "name = 'Broken\n").unwrap();
    fails(
        &["template", "import", bad.to_str().unwrap(), "--data", &data],
        "bad-template.toml: line 1:",
    );
    // Plugins are checked at import: the name, the world, and the parameters.
    let plugin_cases = [
        (
            "reminders = { plugin = 'nagging' }",
            "group `g`: reminder policy `nagging` is not a plugin here",
        ),
        (
            "sending = { plugin = 'gentle' }",
            "group `g`: plugin `gentle` is a reminder-policy, not a sending rule",
        ),
        (
            "reminders = { plugin = 'custom', params = { every = 'often' } }",
            "group `g`: reminder policy `custom` does not accept its parameters",
        ),
        (
            "sending = { plugin = 'relative', params = { days = 'soon' } }",
            "group `g`: sending rule `relative` does not accept its parameters",
        ),
    ];
    for (line, want) in plugin_cases {
        std::fs::write(&bad, format!("name = 'Odd'\n[[groups]]\nname = 'g'\n{line}\n[[groups.tasks]]\ntitle = 't'\ndue = 3\n")).unwrap();
        fails(
            &["template", "import", bad.to_str().unwrap(), "--data", &data],
            want,
        );
    }
    let tax = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/templates/annual-tax-return.toml"
    );
    fails(
        &["template", "import", tax, "--data", &data],
        "a template named `Annual tax return` already exists",
    );
    fails(
        &[
            "work",
            "create",
            "--template",
            "Annual tax return",
            "--start",
            "2028-01-31",
            "--contact",
            "nobody@client.example",
            "--data",
            &data,
        ],
        "unknown contact nobody@client.example",
    );
    fails(
        &[
            "work",
            "create",
            "--template",
            "Nope",
            "--start",
            "2028-01-31",
            "--contact",
            "ann@client.example",
            "--data",
            &data,
        ],
        "template `Nope` not found",
    );
    fails(
        &[
            "contact",
            "add",
            "--email",
            "ann@client.example",
            "--name",
            "Ann 2",
            "--data",
            &data,
        ],
        "already exists",
    );
    fails(
        &[
            "contact",
            "add",
            "--email",
            "zed@client.example",
            "--name",
            "Zed",
            "--timezone",
            "Nowhere/Land",
            "--data",
            &data,
        ],
        "not an IANA timezone",
    );
    fails(
        &[
            "user",
            "add",
            "--email",
            "sam@firm.example",
            "--role",
            "staff",
            "--data",
            &data,
        ],
        "already exists",
    );

    let after = files.path().join("after.backup");
    ok(&["backup", "--out", after.to_str().unwrap(), "--data", &data]);
    let body = entries;
    assert_eq!(
        body(&before),
        body(&after),
        "refused commands changed nothing"
    );
}
