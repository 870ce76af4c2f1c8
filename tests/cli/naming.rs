//! One way to name a record on the command line: a record is named by its id, or by the name
//! people know it by — a template by its name, a contact or a staff member by their email — and
//! every command that names a template, contact or staff member takes either.

use super::*;

/// The id a command printed as `... with id ID`.
fn printed_id(out: &str) -> String {
    let at = out.find("with id ").expect("an id is printed") + "with id ".len();
    out[at..].split_whitespace().next().unwrap().to_string()
}

/// A template, a contact and a staff member, as a command names them.
struct Names {
    template: String,
    contact: String,
    member: String,
}

#[test]
fn every_command_that_names_a_template_contact_or_staff_member_takes_its_name_or_its_id() {
    let dir = tempfile::tempdir().unwrap();
    small_firm(dir.path());
    let data = data_arg(dir.path());
    // An admin besides the member whose role changes, who is never the last one.
    ok(&[
        "user",
        "add",
        "--email",
        "kim@firm.example",
        "--role",
        "admin",
        "--data",
        &data,
    ]);
    let added = ok(&[
        "user",
        "add",
        "--email",
        "lee@firm.example",
        "--role",
        "staff",
        "--data",
        &data,
    ]);
    let listed = ok(&["template", "list", "--data", &data]);
    let template_id = listed.split('\t').next().unwrap().to_string();
    let listed = ok(&["contact", "list", "--data", &data]);
    let contact_id = listed.split('\t').next().unwrap().to_string();
    let by_name = Names {
        template: "Annual tax return".into(),
        contact: "ann@client.example".into(),
        member: "lee@firm.example".into(),
    };
    let by_id = Names {
        template: template_id,
        contact: contact_id,
        member: printed_id(&added),
    };
    let edited = dir.path().join("edited.toml");
    for (how, names) in [("by name", &by_name), ("by id", &by_id)] {
        let said = |args: &[&str], want: &str| {
            let mut args = args.to_vec();
            args.extend(["--data", &data]);
            let out = ok(&args);
            assert!(out.contains(want), "{how}: docket {args:?}: {out}");
            out
        };
        let (template, contact, member) = (&names.template, &names.contact, &names.member);

        said(&["template", "show", template], "Annual tax return (");
        let exported = said(
            &["template", "export", template],
            "name = \"Annual tax return\"",
        );
        std::fs::write(
            &edited,
            exported.replace("P60 or final payslip", &format!("P60, named {how}")),
        )
        .unwrap();
        let file = edited.to_str().unwrap();
        said(
            &["template", "import", file, "--replaces", template],
            "replaced template `Annual tax return`",
        );
        said(
            &["template", "archive", template],
            "archived template `Annual tax return`",
        );
        said(
            &["template", "restore", template],
            "restored template `Annual tax return`",
        );

        said(&["contact", "show", contact], "<ann@client.example>");
        said(
            &["contact", "edit", contact, "--name", &format!("Ann, {how}")],
            &format!("Ann, {how} <ann@client.example>"),
        );
        said(&["contact", "archive", contact], "archived ");
        said(&["contact", "restore", contact], "restored ");

        said(
            &["user", "role", member, "admin"],
            "lee@firm.example is now admin",
        );
        said(
            &["user", "role", member, "staff"],
            "lee@firm.example is now staff",
        );
        said(&["user", "disable", member], "lee@firm.example is disabled");
        said(
            &["user", "enable", member],
            "lee@firm.example can sign in again",
        );

        let created = said(
            &[
                "work",
                "create",
                "--template",
                template,
                "--start",
                "2028-03-31",
                "--contact",
                contact,
                "--assignee",
                member,
                "--title",
                &format!("Made {how}"),
            ],
            "created work `Made ",
        );
        let work = printed_id(&created);
        said(&["work", "show", &work], "assignee: lee@firm.example");
        said(&["work", "show", &work], "P60, named ");
        said(
            &["work", "list", "--assignee", member, "--contact", contact],
            &work,
        );
    }
}

#[test]
fn help_says_how_a_template_contact_or_staff_member_is_named() {
    for (args, says) in [
        (
            &["template", "show", "--help"][..],
            "A template's name (any case) or id",
        ),
        (
            &["template", "export", "--help"],
            "A template's name (any case) or id",
        ),
        (
            &["template", "archive", "--help"],
            "A template's name (any case) or id",
        ),
        (
            &["template", "restore", "--help"],
            "A template's name (any case) or id",
        ),
        (
            &["template", "import", "--help"],
            "Replace this template (its name or id)",
        ),
        (&["contact", "show", "--help"], "A contact's email or id"),
        (&["contact", "edit", "--help"], "A contact's email or id"),
        (&["contact", "archive", "--help"], "A contact's email or id"),
        (&["contact", "restore", "--help"], "A contact's email or id"),
        (&["user", "role", "--help"], "A staff member's email or id"),
        (
            &["user", "disable", "--help"],
            "A staff member's email or id",
        ),
        (
            &["user", "enable", "--help"],
            "A staff member's email or id",
        ),
        (
            &["work", "create", "--help"],
            "A template's name (any case) or id",
        ),
        (&["work", "create", "--help"], "their email or id"),
        (&["work", "list", "--help"], "A contact's email or id"),
        (&["work", "list", "--help"], "A staff member's email or id"),
    ] {
        let out = ok(args);
        assert!(out.contains(says), "docket {args:?}: {out}");
    }
}
