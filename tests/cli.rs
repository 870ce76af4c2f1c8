//! The command line as an operator uses it: setup commands, backup and restore, and bad input
//! refused with one line, a non-zero exit and no change to data.

mod support;

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

#[test]
fn tokens_are_made_with_a_role_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    new_folder(dir.path());
    let data = data_arg(dir.path());
    let secret = ok(&[
        "token", "create", "--name", "zapier", "--role", "staff", "--data", &data,
    ]);
    assert!(secret.trim().starts_with("dkt_"), "{secret}");
    let made = run(&[
        "token",
        "create",
        "--name",
        "backup script",
        "--data",
        &data,
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(
        stderr(&made).starts_with("a staff token `backup script`"),
        "the least power unless asked: {}",
        stderr(&made)
    );
    let made = run(&[
        "token", "create", "--name", "backups", "--role", "admin", "--data", &data,
    ]);
    assert!(
        stderr(&made).starts_with("an admin token `backups`"),
        "{}",
        stderr(&made)
    );
    // A name a live token has is refused, whatever its case.
    fails(
        &["token", "create", "--name", "Zapier", "--data", &data],
        "a live token is already named `Zapier`",
    );
    let list = ok(&["token", "list", "--data", &data]);
    assert_eq!(list.lines().count(), 4, "a header and three tokens: {list}");
    assert!(!list.contains(secret.trim()), "a secret is listed: {list}");
    let zapier = list
        .lines()
        .find(|l| l.contains("\tzapier\t"))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(zapier.contains("\tstaff\t"), "{zapier}");
    assert!(zapier.ends_with("\t-"), "not revoked yet: {zapier}");
    let backup = list.lines().find(|l| l.contains("backup script")).unwrap();
    assert!(backup.contains("\tstaff\t"), "staff by default: {backup}");
    let backups = list.lines().find(|l| l.contains("\tbackups\t")).unwrap();
    assert!(backups.contains("\tadmin\t"), "{backups}");
    let id = zapier.split('\t').next().unwrap();
    let out = ok(&["token", "revoke", id, "--data", &data]);
    assert!(out.contains("revoked token `zapier`"), "{out}");
    let list = ok(&["token", "list", "--data", &data]);
    let zapier = list.lines().find(|l| l.contains("\tzapier\t")).unwrap();
    assert!(!zapier.ends_with("\t-"), "revoked: {zapier}");

    fails(
        &[
            "token",
            "revoke",
            "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "--data",
            &data,
        ],
        "not found",
    );
    fails(
        &["token", "revoke", "nonsense", "--data", &data],
        "nonsense",
    );
    let output = run(&["token", "create", "--role", "owner", "--data", &data]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("owner"), "{}", stderr(&output));
}

#[test]
fn settings_are_shown_and_set_and_the_configuration_wins_at_start_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_arg(dir.path());
    let config = dir.path().join("docket.toml");
    std::fs::write(&config, "[firm]\nname = \"Config & Co\"\n").unwrap();
    let config = config.to_str().unwrap().to_string();
    support::Server::start(dir.path(), &["--config", &config]).stop();

    let out = ok(&["settings", "set", "timezone", "Asia/Tokyo", "--data", &data]);
    assert!(out.contains("timezone is now Asia/Tokyo"), "{out}");
    ok(&[
        "settings",
        "set",
        "sub_statuses.waiting_on_client",
        "chased, stuck",
        "--data",
        &data,
    ]);
    ok(&["settings", "set", "name", "Edited name", "--data", &data]);
    // What is printed is what was stored, saying what was dropped.
    let out = ok(&[
        "settings",
        "set",
        "sub_statuses.planned",
        "a,,b, a",
        "--data",
        &data,
    ]);
    assert!(
        out.contains("sub_statuses.planned is now a,b (empty entries and repeats dropped)"),
        "{out}"
    );
    let out = ok(&["settings", "set", "send_time", "09:05", "--data", &data]);
    assert!(out.contains("send_time is now 09:05\n"), "{out}");
    // A sub-status name belongs to one status: hooks set it by name.
    fails(
        &[
            "settings",
            "set",
            "sub_statuses.in_progress",
            "chased",
            "--data",
            &data,
        ],
        "`chased` is already a sub-status of waiting_on_client",
    );
    // The logo and the links' address are shown, not as settings to set.
    fails(
        &[
            "settings",
            "set",
            "logo_url",
            "https://x.example/l.png",
            "--data",
            &data,
        ],
        "`logo_url` is not a setting: the logo is uploaded in the admin",
    );
    let shown = ok(&["settings", "show", "--data", &data]);
    assert!(!shown.contains("logo_url ="), "{shown}");
    assert!(
        shown.contains("# logo: none; upload one in the admin's Settings"),
        "{shown}"
    );
    assert!(
        shown.contains("from the address the server listened on (--listen"),
        "no server.base_url is configured: {shown}"
    );
    assert!(shown.contains("sub_statuses.planned = a,b\n"), "{shown}");
    assert!(shown.contains("timezone = Asia/Tokyo\n"), "{shown}");
    assert!(shown.contains("name = Edited name\n"), "{shown}");
    assert!(
        shown.contains("sub_statuses.waiting_on_client = chased,stuck"),
        "{shown}"
    );
    fails(
        &["settings", "set", "send_time", "25:00", "--data", &data],
        "send_time: `25:00` is not a time of day; write HH:MM",
    );
    fails(
        &["settings", "set", "holidays", "2026-13-01", "--data", &data],
        "write YYYY-MM-DD",
    );
    fails(
        &["settings", "set", "colour", "blue", "--data", &data],
        "`colour` is not a setting",
    );
    // A key the configuration sets is marked, and not changed here.
    let shown = ok(&["settings", "show", "--data", &data, "--config", &config]);
    assert!(
        shown.contains("name = Edited name  # set by `firm.name` in the configuration"),
        "{shown}"
    );
    fails(
        &[
            "settings", "set", "name", "Other", "--data", &data, "--config", &config,
        ],
        "set by `firm.name` in the configuration",
    );

    // The next start applies the configuration's name, and says so in one line.
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let server = support::Server::start_logged(dir.path(), &["--config", &config], log.clone());
    // While it runs, read-only commands name the API call to use instead.
    for (args, api) in [
        (vec!["settings", "show"], "GET /api/settings"),
        (vec!["user", "list"], "GET /api/users"),
        (vec!["token", "list"], "GET /api/tokens"),
        (vec!["template", "list"], "GET /api/templates"),
    ] {
        let mut args = args.clone();
        args.extend(["--data", &data]);
        let err = fails(
            &args,
            &format!("is in use by the running server, so ask it instead: {api}"),
        );
        // No server.base_url is configured, so the server's address is not guessed.
        assert!(
            !err.contains("localhost:8080") && err.contains("'SERVER/api/"),
            "{err}"
        );
    }
    fails(
        &["settings", "set", "name", "X", "--data", &data],
        "make this change through its admin or JSON API, or stop it first",
    );
    server.stop();
    let lines = log.lock().unwrap().clone();
    let said: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("differs from the stored firm settings"))
        .collect();
    assert_eq!(said.len(), 1, "{lines:?}");
    assert!(said[0].contains("firm.name"), "{}", said[0]);
    assert!(said[0].contains("docket settings set"), "{}", said[0]);
    let shown = ok(&["settings", "show", "--data", &data]);
    assert!(shown.contains("name = Config & Co\n"), "{shown}");
    assert!(
        shown.contains("timezone = Asia/Tokyo\n"),
        "unpinned keys stay: {shown}"
    );
}

#[test]
fn without_a_configured_base_url_the_links_follow_the_listen_address_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_arg(dir.path());
    support::Server::start(dir.path(), &[]).stop();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let server = support::Server::start_logged_on(
        dir.path(),
        &format!("127.0.0.1:{port}"),
        &[],
        log.clone(),
    );
    let err = fails(
        &["settings", "show", "--data", &data],
        "so ask it instead: GET /api/settings",
    );
    assert!(
        !err.contains("localhost:8080") && err.contains("SERVER being the server's address"),
        "{err}"
    );
    server.stop();
    let lines = log.lock().unwrap().clone();
    let address = format!("http://localhost:{port}");
    assert!(
        lines.iter().any(|l| l.contains(&format!(
            "links in emails now start with {address}, the address the server listens on (--listen"
        ))),
        "{lines:?}"
    );
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("as the configuration says")),
        "no configuration set it: {lines:?}"
    );
    let shown = ok(&["settings", "show", "--data", &data]);
    assert!(
        shown.contains(&format!(
            "# client links start with {address}: from the address the server listened on (--listen"
        )),
        "{shown}"
    );
}

#[test]
fn work_is_listed_by_filter_shown_completed_and_reopened() {
    let dir = tempfile::tempdir().unwrap();
    small_firm(dir.path());
    let data = data_arg(dir.path());
    let listed = ok(&["work", "list", "--data", &data]);
    assert!(listed.contains("Annual tax return"), "{listed}");
    assert!(listed.contains("[planned]"), "{listed}");
    let id = listed.split_whitespace().next().unwrap().to_string();
    for (filters, found) in [
        (&["--assignee", "sam@firm.example"][..], true),
        (&["--assignee", "none"][..], false),
        (&["--status", "planned"][..], true),
        (&["--waiting-on-client"][..], false),
        (
            &["--due-from", "2028-02-01", "--due-to", "2028-02-28"][..],
            true,
        ),
        (&["--due-to", "2028-01-01"][..], false),
        (&["--contact", "ann@client.example"][..], true),
    ] {
        let mut args = vec!["work", "list", "--data", &data];
        args.extend(filters);
        let out = ok(&args);
        assert_eq!(out.contains(&id), found, "{filters:?}: {out}");
    }
    let shown = ok(&["work", "show", &id, "--data", &data]);
    assert!(shown.contains("assignee: sam@firm.example"), "{shown}");
    assert!(shown.contains("(due 2028-02-14, open)"), "{shown}");
    // Refused by the command line's parser, which adds its own hint line.
    for args in [
        &["work", "list", "--due-from", "14/02/2028", "--data", &data][..],
        &[
            "work",
            "create",
            "--template",
            "Annual tax return",
            "--start",
            "31-01-2028",
            "--contact",
            "ann@client.example",
            "--data",
            &data,
        ],
    ] {
        let output = run(args);
        assert!(!output.status.success(), "{args:?}");
        let err = stderr(&output);
        assert!(
            err.contains("is not a date; write dates as YYYY-MM-DD"),
            "{err}"
        );
    }
    fails(
        &[
            "work",
            "list",
            "--assignee",
            "nobody@firm.example",
            "--data",
            &data,
        ],
        "no staff user has email nobody@firm.example",
    );
    fails(
        &["work", "reopen", &id, "--data", &data],
        "only completed work can be reopened",
    );
    let out = ok(&["work", "complete", &id, "--data", &data]);
    assert!(out.contains("completed work"), "{out}");
    let out = ok(&["work", "list", "--status", "completed", "--data", &data]);
    assert!(out.contains(&id), "{out}");
    let out = ok(&["work", "reopen", &id, "--data", &data]);
    assert!(out.contains("it is planned"), "{out}");
    ok(&["check", "--data", &data]);
    // While the server runs, the folder is its own: reading work points to the API.
    let server = support::Server::start(dir.path(), &[]);
    fails(&["work", "list", "--data", &data], "/api/work");
    server.stop();
}

#[test]
fn templates_are_shown_exported_replaced_archived_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    small_firm(dir.path());
    let data = data_arg(dir.path());
    let shown = ok(&["template", "show", "annual tax return", "--data", &data]);
    assert!(
        shown.contains("group 0: Documents we need from you"),
        "{shown}"
    );
    assert!(shown.contains("sending: relative (days=-7)"), "{shown}");
    assert!(
        shown.contains("task 0: P60 or final payslip (due +14 days"),
        "{shown}"
    );

    // Export, edit, import again with --replace: the template changes in place.
    let exported = ok(&["template", "export", "Annual tax return", "--data", &data]);
    let file = dir.path().join("tax.toml");
    std::fs::write(
        &file,
        exported.replace("P60 or final payslip", "P60 (or your last payslip)"),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    // Importing it as a new template says how to replace instead.
    fails(
        &["template", "import", path, "--data", &data],
        "already exists; to replace it with this file: docket template import --replace",
    );
    // `--replace` takes no value: before the file or after it.
    let out = ok(&["template", "import", "--replace", path, "--data", &data]);
    assert!(
        out.contains("replaced template `Annual tax return`"),
        "{out}"
    );
    let out = ok(&["template", "import", path, "--replace", "--data", &data]);
    assert!(
        out.contains("replaced template `Annual tax return`"),
        "{out}"
    );
    let shown = ok(&["template", "show", "Annual tax return", "--data", &data]);
    assert!(
        shown.contains("task 0: P60 (or your last payslip)"),
        "{shown}"
    );

    // A bad file changes nothing.
    std::fs::write(
        &file,
        exported.replace("due_offset_days = 14", "due_offset_days = 99999"),
    )
    .unwrap();
    fails(
        &["template", "import", path, "--replace", "--data", &data],
        "more than ten years",
    );
    fails(
        &[
            "template",
            "import",
            path,
            "--replaces",
            "Nope",
            "--data",
            &data,
        ],
        "template `Nope` not found",
    );
    std::fs::write(
        &file,
        exported.replace("name = \"Annual tax return\"", "name = \"Tax return\""),
    )
    .unwrap();
    fails(
        &["template", "import", path, "--replace", "--data", &data],
        "no template is named `Tax return`; to rename one, name the template it replaces: --replaces OLD_NAME",
    );
    let again = ok(&["template", "show", "Annual tax return", "--data", &data]);
    assert_eq!(again, shown);
    // Named with its own flag, the renamed file replaces it, and the name goes back.
    let out = ok(&[
        "template",
        "import",
        path,
        "--replaces",
        "Annual tax return",
        "--data",
        &data,
    ]);
    assert!(out.contains("replaced template `Tax return`"), "{out}");
    std::fs::write(
        &file,
        exported.replace("P60 or final payslip", "P60 (or your last payslip)"),
    )
    .unwrap();
    ok(&[
        "template",
        "import",
        "--replaces",
        "tax return",
        path,
        "--data",
        &data,
    ]);

    // Archived: listed as such, and no new work from it until restored.
    ok(&["template", "archive", "Annual tax return", "--data", &data]);
    let listed = ok(&["template", "list", "--data", &data]);
    assert!(listed.contains("Annual tax return\tarchived"), "{listed}");
    let create = [
        "work",
        "create",
        "--template",
        "Annual tax return",
        "--start",
        "2028-01-31",
        "--contact",
        "ann@client.example",
        "--data",
        &data,
    ];
    fails(&create, "is archived; restore it");
    ok(&["template", "restore", "Annual tax return", "--data", &data]);
    let out = ok(&create);
    assert!(
        out.contains("P60 (or your last payslip) (due 2028-02-14)"),
        "{out}"
    );
}

#[test]
fn an_exported_template_keeps_its_parameters_and_imports_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    small_firm(dir.path());
    let data = data_arg(dir.path());
    let monthly = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/templates/monthly-bookkeeping.toml"
    );
    ok(&["template", "import", monthly, "--data", &data]);
    let tax = ok(&["template", "export", "Annual tax return", "--data", &data]);
    assert!(tax.contains("days = -7"), "{tax}");
    let exported = ok(&["template", "export", "Monthly bookkeeping", "--data", &data]);
    for written in ["days = 0", "before = [2]", "every = 3"] {
        assert!(exported.contains(written), "{written} in {exported}");
    }
    // Imported back, it is the same template, and exports the same again.
    let file = dir.path().join("monthly.toml");
    std::fs::write(&file, &exported).unwrap();
    let path = file.to_str().unwrap();
    ok(&["template", "import", "--replace", path, "--data", &data]);
    let again = ok(&["template", "export", "Monthly bookkeeping", "--data", &data]);
    assert_eq!(again, exported);
    // Imported as a new template (renamed), the copy equals the first.
    std::fs::write(
        &file,
        exported.replace("name = \"Monthly bookkeeping\"", "name = \"Copy\""),
    )
    .unwrap();
    ok(&["template", "import", path, "--data", &data]);
    let copy = ok(&["template", "export", "Copy", "--data", &data]);
    assert_eq!(
        copy.replace("name = \"Copy\"", "name = \"Monthly bookkeeping\""),
        exported
    );
}

#[test]
fn contacts_are_listed_shown_edited_archived_and_restored_by_id_or_email() {
    let dir = tempfile::tempdir().unwrap();
    small_firm(dir.path());
    let data = data_arg(dir.path());
    ok(&[
        "contact",
        "add",
        "--email",
        "bob@bakery.example",
        "--name",
        "Bob Baker",
        "--data",
        &data,
    ]);
    let listed = ok(&["contact", "list", "--data", &data]);
    assert_eq!(listed.lines().count(), 2, "{listed}");
    let found = ok(&["contact", "list", "--search", "BAKER", "--data", &data]);
    assert!(found.contains("Bob Baker <bob@bakery.example>"), "{found}");
    assert_eq!(found.lines().count(), 1, "{found}");

    let shown = ok(&["contact", "show", "ann@client.example", "--data", &data]);
    assert!(shown.contains("Ann <ann@client.example>"), "{shown}");
    assert!(shown.contains("Annual tax return"), "{shown}");
    assert!(shown.contains("client account: not signed in"), "{shown}");

    // Bad input changes nothing.
    fails(
        &[
            "contact",
            "edit",
            "ann@client.example",
            "--timezone",
            "Mars/Base",
            "--data",
            &data,
        ],
        "is not an IANA timezone",
    );
    fails(
        &[
            "contact",
            "edit",
            "ann@client.example",
            "--email",
            "bob@bakery.example",
            "--data",
            &data,
        ],
        "already exists",
    );
    fails(
        &[
            "contact",
            "edit",
            "nobody@client.example",
            "--name",
            "X",
            "--data",
            &data,
        ],
        "not found",
    );
    assert_eq!(
        ok(&["contact", "show", "ann@client.example", "--data", &data]),
        shown
    );

    let out = ok(&[
        "contact",
        "edit",
        "ann@client.example",
        "--email",
        "ann@new.example",
        "--name",
        "Ann Archer",
        "--data",
        &data,
    ]);
    assert!(out.contains("Ann Archer <ann@new.example>"), "{out}");
    assert!(out.contains("of ann@client.example were ended"), "{out}");
    let id = out.split_whitespace().nth(1).unwrap().to_string();
    ok(&["contact", "archive", &id, "--data", &data]);
    let listed = ok(&["contact", "list", "--data", &data]);
    assert!(!listed.contains("ann@new.example"), "{listed}");
    let listed = ok(&["contact", "list", "--archived", "--data", &data]);
    assert!(listed.contains("ann@new.example>\tarchived"), "{listed}");
    ok(&["contact", "restore", "ann@new.example", "--data", &data]);
    let shown = ok(&["contact", "show", &id, "--data", &data]);
    assert!(
        shown.contains("email from ann@client.example to ann@new.example"),
        "{shown}"
    );
}

#[test]
fn members_are_invited_given_roles_disabled_and_enabled() {
    let dir = tempfile::tempdir().unwrap();
    new_folder(dir.path());
    let data = data_arg(dir.path());
    ok(&[
        "user",
        "add",
        "--email",
        "ada@firm.example",
        "--role",
        "admin",
        "--data",
        &data,
    ]);
    let out = ok(&[
        "user",
        "invite",
        "--email",
        "kim@firm.example",
        "--role",
        "staff",
        "--data",
        &data,
    ]);
    assert!(out.contains("invited kim@firm.example (staff)"), "{out}");
    let list = ok(&["user", "list", "--data", &data]);
    assert!(list.contains("kim@firm.example\tStaff\tinvited"), "{list}");
    ok(&["user", "role", "kim@firm.example", "admin", "--data", &data]);
    let out = ok(&["user", "disable", "kim@firm.example", "--data", &data]);
    assert!(out.contains("kim@firm.example is disabled"), "{out}");
    let list = ok(&["user", "list", "--data", &data]);
    assert!(list.contains("kim@firm.example\tAdmin\tdisabled"), "{list}");
    ok(&["user", "enable", "kim@firm.example", "--data", &data]);
    fails(
        &["user", "disable", "ada@firm.example", "--data", &data],
        "ada@firm.example is the last active admin; make another member an admin first",
    );
    fails(
        &["user", "role", "ada@firm.example", "staff", "--data", &data],
        "last active admin",
    );
    fails(
        &["user", "disable", "nobody@firm.example", "--data", &data],
        "not found",
    );
    fails(
        &[
            "user",
            "invite",
            "--email",
            "ada@firm.example",
            "--role",
            "staff",
            "--data",
            &data,
        ],
        "already exists",
    );
}

#[test]
fn the_smtp_password_reaches_neither_the_data_folder_nor_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data = data_arg(&data_dir);
    const PASSWORD: &str = "smtp-pass-7f3a9c1e-never-stored";
    let config = dir.path().join("docket.toml");
    std::fs::write(
        &config,
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = 9\nsecurity = \"none\"\nusername = \"relay-user\"\npassword = \"{PASSWORD}\"\n"
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    support::Server::start(&data_dir, &["--config", &config, "--demo"]).stop();
    let backup = dir.path().join("all.backup");
    ok(&[
        "backup",
        "--out",
        backup.to_str().unwrap(),
        "--data",
        &data,
        "--config",
        &config,
    ]);
    let mut files = vec![backup];
    let mut folders = vec![data_dir.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 3, "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "the SMTP password is in {}",
            file.display()
        );
    }
}

#[test]
fn the_api_lists_the_plugins_served_with_their_grants() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    let plugins: serde_json::Value = support::http()
        .get(server.url("/api/plugins"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let relative = plugins
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "relative")
        .unwrap_or_else(|| panic!("{plugins}"));
    assert_eq!(relative["world"], "sending-rule");
    assert!(relative["granted"].is_array(), "{relative}");
    server.stop();
}

#[test]
fn template_and_contact_commands_name_the_api_call_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    new_folder(dir.path());
    let data = data_arg(dir.path());
    let server = support::Server::start(dir.path(), &[]);
    fails(
        &["template", "show", "Year end", "--data", &data],
        "is in use by the running server, so ask it instead: GET /api/templates/Year end",
    );
    fails(
        &[
            "contact",
            "edit",
            "ann@client.example",
            "--name",
            "Ann",
            "--data",
            &data,
        ],
        "PATCH /api/contacts/ann@client.example",
    );
    server.stop();
}
