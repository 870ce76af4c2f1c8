//! A contact's language and the firm's from the command line: set, shown, cleared, and an
//! unknown one refused in one line naming the languages there are, changing nothing.

use super::*;

#[test]
fn a_contacts_language_is_set_shown_cleared_and_checked_and_the_firms_is_a_setting() {
    let dir = tempfile::tempdir().unwrap();
    new_folder(dir.path());
    let data = data_arg(dir.path());
    ok(&[
        "contact",
        "add",
        "--email",
        "eve@client.example",
        "--name",
        "Ève",
        "--locale",
        "fr",
        "--data",
        &data,
    ]);
    let shown = ok(&["contact", "show", "eve@client.example", "--data", &data]);
    assert!(shown.contains("language: fr"), "{shown}");
    let err = fails(
        &[
            "contact",
            "add",
            "--email",
            "kim@client.example",
            "--name",
            "Kim",
            "--locale",
            "klingon",
            "--data",
            &data,
        ],
        "`klingon` is not a language",
    );
    assert!(
        err.contains("en (English), de (Deutsch), fr (Français)"),
        "{err}"
    );
    let list = ok(&["contact", "list", "--data", &data]);
    assert!(!list.contains("kim@client.example"), "{list}");
    ok(&[
        "contact",
        "edit",
        "eve@client.example",
        "--locale",
        "",
        "--data",
        &data,
    ]);
    let shown = ok(&["contact", "show", "eve@client.example", "--data", &data]);
    assert!(!shown.contains("language:"), "the firm's again: {shown}");

    ok(&["settings", "set", "locale", "de", "--data", &data]);
    let settings = ok(&["settings", "show", "--data", &data]);
    assert!(settings.contains("locale = de\n"), "{settings}");
    fails(
        &["settings", "set", "locale", "xx", "--data", &data],
        "`xx` is not a language",
    );
}
