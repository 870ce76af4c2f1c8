//! Staff, tokens, settings and plugins from the command line: roles, invitations, settings shown
//! and set (and the configuration winning at start), where the links' address comes from, the SMTP
//! password kept out of the data folder.

use super::*;

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
    // A send time and a schedule that must agree move together, in one change.
    let out = ok(&[
        "settings",
        "set",
        "send_time",
        "08:00",
        "send_schedule",
        "0 8 * * MON-FRI",
        "--data",
        &data,
    ]);
    assert!(
        out.contains("send_time is now 08:00\nsend_schedule is now 0 8 * * MON-FRI\n"),
        "{out}"
    );
    fails(
        &["settings", "set", "send_time", "09:00", "--data", &data],
        "to move both, set them together: docket settings set send_time HH:MM send_schedule",
    );
    // A bad time is not a disagreement: no advice to move both.
    let err = fails(
        &["settings", "set", "send_time", "25:00", "--data", &data],
        "send_time",
    );
    assert!(!err.contains("set them together"), "{err}");
    fails(
        &["settings", "set", "name", "A", "name", "B", "--data", &data],
        "`name` is given twice; give each setting once",
    );
    fails(
        &[
            "settings",
            "set",
            "send_time",
            "09:00",
            "name",
            "--data",
            &data,
        ],
        "`name` has no value; give each setting as KEY VALUE",
    );
    ok(&[
        "settings",
        "set",
        "send_schedule",
        "",
        "send_time",
        "09:05",
        "--data",
        &data,
    ]);
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
        shown.contains("from the port the server listens on (--listen")
            && shown.contains("set server.base_url for the address clients should use"),
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
        "holidays: 2026-13-01 is not a date: there is no month 13",
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
    // While it runs, commands answer through it, with the configuration it runs with: the
    // name is pinned even though this command names no configuration.
    for args in [
        ["settings", "show"],
        ["user", "list"],
        ["token", "list"],
        ["template", "list"],
    ] {
        let mut args = args.to_vec();
        args.extend(["--data", &data]);
        ok(&args);
    }
    let shown = ok(&["settings", "show", "--data", &data]);
    assert!(
        shown.contains("name = Config & Co  # set by `firm.name` in the configuration"),
        "{shown}"
    );
    fails(
        &["settings", "set", "name", "X", "--data", &data],
        "set by `firm.name` in the configuration",
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
    // Asked beside the server, the links are said to follow the address it listens on.
    let shown = ok(&["settings", "show", "--data", &data]);
    assert!(
        shown.contains(&format!(
            "# client links start with http://localhost:{port}: from the port the server listens on"
        )),
        "{shown}"
    );
    server.stop();
    let lines = log.lock().unwrap().clone();
    let address = format!("http://localhost:{port}");
    assert!(
        lines.iter().any(|l| l.contains(&format!(
            "links in emails now start with {address}, from the port the server listens on (--listen"
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
            "# client links start with {address}: from the port the server listens on (--listen"
        )),
        "{shown}"
    );
}

#[test]
fn a_token_made_for_a_member_is_theirs_and_ends_with_them() {
    let dir = tempfile::tempdir().unwrap();
    new_folder(dir.path());
    let data = data_arg(dir.path());
    for (email, role) in [("ada@firm.example", "admin"), ("sam@firm.example", "staff")] {
        ok(&[
            "user", "add", "--email", email, "--role", role, "--data", &data,
        ]);
    }
    ok(&[
        "token", "create", "--name", "cron", "--role", "admin", "--data", &data,
    ]);
    ok(&[
        "token",
        "create",
        "--name",
        "ada's",
        "--role",
        "admin",
        "--member",
        "ada@firm.example",
        "--data",
        &data,
    ]);
    // A member's token has no more than their role.
    fails(
        &[
            "token",
            "create",
            "--name",
            "sam's",
            "--role",
            "admin",
            "--member",
            "sam@firm.example",
            "--data",
            &data,
        ],
        "sam@firm.example has the staff role",
    );
    let list = ok(&["token", "list", "--data", &data]);
    assert!(
        list.lines().next().unwrap().contains("\tmade by\t"),
        "{list}"
    );
    let cron = list.lines().find(|l| l.contains("\tcron\t")).unwrap();
    assert!(cron.contains("\tcommand line\t"), "{cron}");
    let adas = list.lines().find(|l| l.contains("\tada's\t")).unwrap();
    assert!(adas.contains("\tada@firm.example\t"), "{adas}");

    ok(&[
        "user",
        "add",
        "--email",
        "bea@firm.example",
        "--role",
        "admin",
        "--data",
        &data,
    ]);
    ok(&["user", "disable", "ada@firm.example", "--data", &data]);
    let list = ok(&["token", "list", "--data", &data]);
    let adas = list.lines().find(|l| l.contains("\tada's\t")).unwrap();
    assert!(adas.ends_with("\tmember disabled"), "{adas}");
    let cron = list.lines().find(|l| l.contains("\tcron\t")).unwrap();
    assert!(
        cron.ends_with("\t-\t-"),
        "a command-line token is no one's: {cron}"
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
    // The list names each member's id, which every command that names a member takes.
    let kim = list
        .lines()
        .find(|l| l.contains("kim@firm.example"))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .to_string();
    ok(&["user", "role", &kim, "admin", "--data", &data]);
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
