//! Moving a firm between a data folder and PostgreSQL as an operator does it: a backup of the
//! folder restores into an empty database (`restore --to-url`), `check` on the database finds no
//! problems, a backup of the database restores into a new folder, and the work list is the same
//! at every step; a database holding a firm and a bad URL are refused with one line.

use std::process::Command;

use super::*;
use support::Server;
use support::pg_cluster::Cluster;

/// `docket ARGS` on the PostgreSQL database at `url`, as a server configured for it would open
/// it; `--data` names an empty folder, so no local folder is involved.
fn on_pg(url: &str, empty: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd: Command = support::docket();
    cmd.env("DOCKET_STORAGE_BACKEND", "postgres")
        .env("DOCKET_STORAGE_URL", url)
        .args(args)
        .arg("--data")
        .arg(empty);
    run_with(&mut cmd)
}

fn pg_ok(url: &str, empty: &Path, args: &[&str]) -> String {
    let output = on_pg(url, empty, args);
    assert!(
        output.status.success(),
        "docket {args:?} on PostgreSQL failed: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// How many of Docket's tables the test database `db` holds.
fn docket_tables(db: &support::pg_cluster::TestDb) -> String {
    db.cluster.psql(
        &db.name,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relname LIKE 'docket%'",
    )
}

#[test]
fn a_firm_moves_from_sled_to_postgres_and_back() {
    let db = Cluster::shared().database();
    let source = tempfile::tempdir().unwrap();
    let server = Server::start(source.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    let work: serde_json::Value = support::http()
        .get(server.url("/api/work"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = work[0]["id"].as_str().unwrap().to_string();
    let uploaded = support::http()
        .post(server.url(&format!("/api/work/{id}/files?name=ledger.pdf")))
        .bearer_auth(&token)
        .body("the ledger's bytes")
        .send()
        .unwrap();
    assert_eq!(uploaded.status(), reqwest::StatusCode::CREATED);
    server.stop();
    let sled_list = ok(&["work", "list", "--data", &data_arg(source.path())]);
    assert!(
        sled_list.lines().count() > 1,
        "the demo has work: {sled_list}"
    );

    let files = tempfile::tempdir().unwrap();
    let first = files.path().join("folder.backup");
    let backed = ok(&[
        "backup",
        "--out",
        first.to_str().unwrap(),
        "--data",
        &data_arg(source.path()),
    ]);
    // `N records and M files`.
    let what = backed.split(" (").next().unwrap().replace("backed up ", "");
    assert!(
        what.ends_with(" and 1 file"),
        "the upload is in the backup: {backed}"
    );

    // A backup cut short is refused and leaves the database empty, so the whole one goes in.
    let bytes = std::fs::read(&first).unwrap();
    let cut = files.path().join("cut.backup");
    std::fs::write(&cut, &bytes[..bytes.len() - 2048]).unwrap();
    fails(
        &["restore", cut.to_str().unwrap(), "--to-url", &db.url],
        "cannot restore",
    );
    // As it was: not even Docket's tables are left in the database Docket had not prepared.
    assert_eq!(docket_tables(&db), "0");
    let out = ok(&["restore", first.to_str().unwrap(), "--to-url", &db.url]);
    assert!(
        out.starts_with(&format!("restored {what} into the database ")),
        "the records and files of the backup: {out} (backup: {backed})"
    );
    assert!(out.contains("checked: no problems"), "{out}");
    assert!(out.contains("sending is paused"), "{out}");
    assert!(!out.contains("docket_test_password"), "no password shown");

    let empty = tempfile::tempdir().unwrap();
    let checked = pg_ok(&db.url, empty.path(), &["check"]);
    assert_eq!(checked.trim(), "no problems found");
    assert_eq!(pg_ok(&db.url, empty.path(), &["work", "list"]), sled_list);
    let sending = pg_ok(&db.url, empty.path(), &["sending", "status"]);
    assert!(sending.to_lowercase().contains("paused"), "{sending}");

    // A database that holds a firm is refused and left as it was.
    let refused = run(&["restore", first.to_str().unwrap(), "--to-url", &db.url]);
    assert!(!refused.status.success());
    let err = stderr(&refused);
    assert!(err.contains("already holds a firm"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(
        err.contains(&format!("{}: the database", first.display()))
            && !err.contains("configured storage backend"),
        "no internal prefix, no word of a configured backend: {err}"
    );
    assert_eq!(pg_ok(&db.url, empty.path(), &["work", "list"]), sled_list);
    // With the database configured, a restore meant for a folder (`--data`) says where it went.
    let refused = on_pg(&db.url, empty.path(), &["restore", first.to_str().unwrap()]);
    assert!(!refused.status.success());
    let err = stderr(&refused);
    assert!(
        err.contains("already holds a firm")
            && err.contains("the configured storage backend is PostgreSQL")
            && err.contains("storage.backend = \"sled\"")
            && err.contains("unset DOCKET_STORAGE_BACKEND and DOCKET_STORAGE_URL")
            && err.contains(&format!("{}: the database", first.display())),
        "{err}"
    );
    assert_eq!(pg_ok(&db.url, empty.path(), &["work", "list"]), sled_list);

    // And back: a backup of the database restores into a new folder.
    let second = files.path().join("database.backup");
    let backed = pg_ok(
        &db.url,
        empty.path(),
        &["backup", "--out", second.to_str().unwrap()],
    );
    // The backup's records, and the pause of sending the restore added.
    let records = |line: &str| -> u64 {
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words.iter().position(|w| *w == "records").unwrap();
        words[at - 1].parse().unwrap()
    };
    assert_eq!(
        records(&backed),
        records(&what) + 1,
        "{backed} (first: {what})"
    );
    assert!(backed.contains(" and 1 file "), "{backed}");
    let target = tempfile::tempdir().unwrap();
    let folder = target.path().join("data");
    let out = ok(&[
        "restore",
        second.to_str().unwrap(),
        "--data",
        &data_arg(&folder),
    ]);
    assert!(out.contains("checked: no problems"), "{out}");
    assert_eq!(
        ok(&["work", "list", "--data", &data_arg(&folder)]),
        sled_list
    );
    assert_eq!(
        ok(&["check", "--data", &data_arg(&folder)]).trim(),
        "no problems found"
    );
    // The upload came back byte for byte.
    let server = Server::start(&folder, &[]);
    let files: serde_json::Value = support::http()
        .get(server.url(&format!("/api/work/{id}/files")))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let file = files[0]["id"]
        .as_str()
        .expect("the file is listed")
        .to_string();
    let body = support::http()
        .get(server.url(&format!("/api/work/{id}/files/{file}")))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .text()
        .unwrap();
    server.stop();
    assert_eq!(body, "the ledger's bytes");
}

#[test]
fn a_restore_to_a_bad_url_is_refused_in_one_line() {
    let source = tempfile::tempdir().unwrap();
    small_firm(source.path());
    let files = tempfile::tempdir().unwrap();
    let backup = files.path().join("firm.backup");
    ok(&[
        "backup",
        "--out",
        backup.to_str().unwrap(),
        "--data",
        &data_arg(source.path()),
    ]);
    // Each says what is wrong with the URL given, not with a configured one.
    let given = |err: &str| {
        assert!(
            err.contains("the URL given (--to-url)")
                && !err.contains("storage.url")
                && !err.contains("DOCKET_STORAGE_URL"),
            "{err}"
        );
    };
    given(&fails(
        &["restore", backup.to_str().unwrap(), "--to-url", "not-a-url"],
        "is not a PostgreSQL URL",
    ));
    given(&fails(
        &["restore", backup.to_str().unwrap(), "--to-url", ""],
        "the URL given (--to-url) is empty",
    ));
    // Nothing listens there; the password is never shown.
    let err = fails(
        &[
            "restore",
            backup.to_str().unwrap(),
            "--to-url",
            "postgres://docket:s3cret@127.0.0.1:1/firm",
        ],
        "cannot reach PostgreSQL at docket@127.0.0.1:1/firm",
    );
    assert!(!err.contains("s3cret"), "{err}");
    given(&err);
    // The test cluster asks for a password over TCP.
    let cluster = Cluster::shared();
    given(&fails(
        &[
            "restore",
            backup.to_str().unwrap(),
            "--to-url",
            &format!(
                "postgres://{}@127.0.0.1:{}/postgres",
                support::pg_cluster::USER,
                cluster.port()
            ),
        ],
        "asks for a password and the URL has none",
    ));
}

#[test]
fn a_restore_into_another_applications_database_is_refused_and_changes_nothing() {
    let db = Cluster::shared().database();
    db.cluster
        .psql(&db.name, "CREATE TABLE invoices (id integer PRIMARY KEY)");
    let source = tempfile::tempdir().unwrap();
    small_firm(source.path());
    let files = tempfile::tempdir().unwrap();
    let backup = files.path().join("firm.backup");
    ok(&[
        "backup",
        "--out",
        backup.to_str().unwrap(),
        "--data",
        &data_arg(source.path()),
    ]);
    let err = fails(
        &["restore", backup.to_str().unwrap(), "--to-url", &db.url],
        "holds tables of another application (such as invoices)",
    );
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(
        db.cluster.psql(
            &db.name,
            "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'"
        ),
        "invoices",
        "no table of Docket's was added"
    );
}

#[test]
fn a_command_on_a_database_with_no_firm_is_refused_and_prepares_nothing() {
    // An operator trying a new database's URL with `check` first: nothing is made there, so
    // the restore the README describes still goes in.
    let db = Cluster::shared().database();
    let empty = tempfile::tempdir().unwrap();
    for args in [
        &["check"][..],
        &["work", "list"],
        &["backup", "--out", "x.backup"],
    ] {
        let output = on_pg(&db.url, empty.path(), args);
        assert!(!output.status.success(), "{args:?}");
        let err = stderr(&output);
        assert!(
            err.contains("holds no firm yet (nothing was changed)") && err.contains("docket serve"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(docket_tables(&db), "0");
}
