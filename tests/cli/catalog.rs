//! What the firm already has, from the command line: templates shown, exported, replaced,
//! archived and restored; contacts edited by id or email; work listed by filter, completed and
//! reopened; and the API call each names while the server runs.

use super::*;

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
    // The command it suggests is the one typed, with `--replace`: it keeps `--data`.
    fails(
        &["template", "import", path, "--data", &data],
        &format!(
            "already exists; to replace it with this file: docket template import --replace {path} --data {data}"
        ),
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
    // A contact is named by email or id; a name says how to find it.
    fails(
        &["contact", "show", "Bob Baker", "--data", &data],
        "a contact is named by its email or its id; `docket contact list --search 'Bob Baker'` finds it by name",
    );
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

    // Their own quiet days, kept as well as the firm's holidays.
    fails(
        &[
            "contact",
            "edit",
            &id,
            "--holidays",
            "2026-05-13,Whit Monday",
            "--data",
            &data,
        ],
        "holidays: Whit Monday is not a date: write it as YYYY-MM-DD",
    );
    ok(&[
        "contact",
        "edit",
        &id,
        "--holidays",
        "2026-05-14, 2026-05-13",
        "--data",
        &data,
    ]);
    let shown = ok(&["contact", "show", &id, "--data", &data]);
    assert!(
        shown.contains("own quiet days: 2026-05-13, 2026-05-14"),
        "{shown}"
    );
    ok(&["contact", "edit", &id, "--holidays", "", "--data", &data]);
    let shown = ok(&["contact", "show", &id, "--data", &data]);
    assert!(!shown.contains("own quiet days:"), "{shown}");
}

#[test]
fn a_refusal_beside_the_running_server_reads_as_on_the_stopped_folder() {
    let dir = tempfile::tempdir().unwrap();
    new_folder(dir.path());
    let data = data_arg(dir.path());
    let show: &[&str] = &["template", "show", "Year end", "--data", &data];
    let edit: &[&str] = &[
        "contact",
        "edit",
        "ann@client.example",
        "--name",
        "Ann",
        "--data",
        &data,
    ];
    let stopped = [fails(show, "Year end"), fails(edit, "ann@client.example")];
    let server = support::Server::start(dir.path(), &[]);
    let served = [fails(show, "Year end"), fails(edit, "ann@client.example")];
    server.stop();
    assert_eq!(stopped, served);
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
        (&["--needs-attention"][..], false),
    ] {
        let mut args = vec!["work", "list", "--data", &data];
        args.extend(filters);
        let out = ok(&args);
        assert_eq!(out.contains(&id), found, "{filters:?}: {out}");
    }
    let shown = ok(&["work", "show", &id, "--data", &data]);
    assert!(shown.contains("assignee: sam@firm.example"), "{shown}");
    assert!(shown.contains("(due 2028-02-14, open)"), "{shown}");
    assert!(
        shown.contains("    next: "),
        "each group says what comes next: {shown}"
    );
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
            err.contains("is not a date: write it as YYYY-MM-DD"),
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
    // Completed with its tasks open, it is due nothing.
    assert!(
        out.contains("nothing due") && !out.contains("next due"),
        "{out}"
    );
    let out = ok(&["work", "reopen", &id, "--data", &data]);
    assert!(out.contains("it is planned"), "{out}");
    fails(
        &[
            "work", "repeat", &id, "--every", "month", "--day", "32", "--data", &data,
        ],
        "day 32 is not a day of the month",
    );
    fails(
        &[
            "work",
            "repeat",
            &id,
            "--every",
            "fortnight",
            "--data",
            &data,
        ],
        "every must be month, quarter, year or a five-field cron expression",
    );
    let out = ok(&[
        "work", "repeat", &id, "--every", "quarter", "--day", "7", "--data", &data,
    ]);
    assert!(
        out.contains("repeats every quarter on day 7; next "),
        "{out}"
    );
    assert!(
        out.contains(&format!("({id}) repeats every quarter on day 7; next "))
            && out.contains(", each titled “{contact} — {template} {period}”")
            && !out.contains('`'),
        "{out}"
    );
    // Until and the title pattern, as given, are in what it prints.
    let out = ok(&[
        "work",
        "repeat",
        &id,
        "--every",
        "quarter",
        "--day",
        "15",
        "--until",
        "2099-12-31",
        "--title",
        "{contact} — VAT {quarter}",
        "--data",
        &data,
    ]);
    let repeats =
        "repeats every quarter on day 15 until 2099-12-31; next 2028-04-15, 2028-07-15, 2028-10-15";
    assert!(
        out.contains(&format!(
            "{repeats}, each titled “{{contact}} — VAT {{quarter}}”"
        )),
        "{out}"
    );
    // A pause on the contact and one on the work, set through the engine (no command sets one).
    let back = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
    {
        use docket_engine::model::{Actor, PauseRequest};
        let store = std::sync::Arc::new(
            docket_engine::store::SledStore::open_upgrading(
                dir.path(),
                docket_engine::docket::UPGRADES,
            )
            .unwrap(),
        );
        let docket = docket_engine::Docket::open(
            store,
            std::sync::Arc::new(docket_engine::SystemClock),
            &docket_engine::config::FirmConfig::default(),
            "http://127.0.0.1:1",
        )
        .unwrap();
        let pause = |note: &str| PauseRequest {
            until: back.to_string(),
            note: Some(note.into()),
        };
        let ann = docket.find_contact("ann@client.example").unwrap();
        docket
            .pause_contact_reminders(ann.id, pause("on holiday"), Actor::System)
            .unwrap();
        docket
            .pause_work_reminders(
                id.parse().unwrap(),
                pause("waiting for the bank"),
                Actor::System,
            )
            .unwrap();
        docket
            .add_comment(
                id.parse().unwrap(),
                "First line of a note\nand its second line",
                Actor::Contact(ann.id),
            )
            .unwrap();
    }
    let paused_work = format!("reminders paused until {back} (waiting for the bank)");
    let listed = ok(&["work", "list", "--data", &data]);
    assert!(
        listed.contains(&format!("  {repeats}  {paused_work}")),
        "{listed}"
    );
    let shown = ok(&["work", "show", &id, "--data", &data]);
    assert!(
        shown.contains(&format!("  {repeats}, each titled")),
        "{shown}"
    );
    assert!(shown.contains(&format!("  {paused_work}\n")), "{shown}");
    // A comment's second line stays under its first, not at the line's start.
    assert!(
        shown.contains("First line of a note\n                      and its second line"),
        "{shown}"
    );
    // Set from the command line, and credited so on the timeline.
    assert!(
        shown.contains("Repeat changed: every quarter on day 15 until 2099-12-31; next on 15 April 2028  (the command line)"),
        "{shown}"
    );
    let contact = ok(&["contact", "show", "ann@client.example", "--data", &data]);
    assert!(
        contact.contains(&format!("reminders paused until {back} (on holiday)\n")),
        "{contact}"
    );
    assert!(
        contact.contains(&format!("\t{repeats}\t{paused_work}")),
        "{contact}"
    );
    ok(&["check", "--data", &data]);
    // While the server runs, it answers the same list.
    let listed = ok(&["work", "list", "--data", &data]);
    let server = support::Server::start(dir.path(), &[]);
    assert_eq!(ok(&["work", "list", "--data", &data]), listed);
    assert_eq!(
        ok(&["contact", "show", "ann@client.example", "--data", &data]),
        contact
    );
    assert_eq!(ok(&["work", "show", &id, "--data", &data]), shown);
    // Stopped through the server's socket, beside it.
    let out = ok(&["work", "repeat", &id, "--stop", "--data", &data]);
    assert!(
        out.contains(&format!("({id}) no longer repeats")) && !out.contains('`'),
        "names the work by its id too: {out}"
    );
    let out = ok(&["work", "repeat", &id, "--stop", "--data", &data]);
    assert!(out.contains("was not repeating; nothing changed"), "{out}");
    server.stop();
}
