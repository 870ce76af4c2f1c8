//! The command line as an operator uses it: setup commands and bad input refused with one line,
//! a non-zero exit and no change to data (here); backup, restore and check (`backup.rs`).

#[path = "../support/mod.rs"]
mod support;

mod backup;
mod beside;
mod catalog;
mod languages;
mod moving;
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
        "bad-template.toml: group 1, task 1 (line 4) has no `title`",
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
            "group `g`: reminder policy `nagging` is not installed; installed reminder policies: ",
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
fn a_reader_that_goes_away_is_not_an_error() {
    // `docket work list | head -1`: the reader closes the pipe before the list is written.
    let dir = tempfile::tempdir().unwrap();
    small_firm(dir.path());
    for args in [["template", "list"], ["work", "list"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut child = support::docket()
            .args(args)
            .arg("--data")
            .arg(dir.path())
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("{args:?} did not end");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert!(status.success(), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
    }
}
