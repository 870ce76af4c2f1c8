//! Unit tests of this folder's `mod.rs`.

use super::*;

#[test]
fn every_template_parses_and_the_stylesheet_and_script_have_hashed_names() {
    use assets::{CSS_PATH, JS_PATH};
    LazyLock::force(&PAGES);
    assert!(CSS_PATH.starts_with("/admin/assets/admin-") && CSS_PATH.ends_with(".css"));
    assert_eq!(CSS_PATH.len(), "/admin/assets/admin-.css".len() + 16);
    assert!(JS_PATH.starts_with("/admin/assets/admin-") && JS_PATH.ends_with(".js"));
    assert_eq!(JS_PATH.len(), "/admin/assets/admin-.js".len() + 16);
}

#[test]
fn statuses_read_as_words() {
    use docket_engine::model::WorkStatus;
    assert_eq!(
        status_text(WorkStatus::WaitingOnClient, Some("over reminder limit")),
        "Waiting on the client — over reminder limit"
    );
    assert_eq!(status_text(WorkStatus::Planned, None), "Planned");
}

#[test]
fn sentences_keep_email_addresses_and_quoted_names_as_typed() {
    use super::sentence;
    assert_eq!(sentence("the name is taken"), "The name is taken.");
    assert_eq!(
        sentence("ada@firm.example is the last active admin"),
        "ada@firm.example is the last active admin."
    );
    // What the engine marks as typed or code is quoted as prose quotes it.
    assert_eq!(sentence("`walk test` exists."), "“walk test” exists.");
    assert_eq!(
        sentence("the title's `{client}` and `` are wrong; a ` alone stays"),
        "The title's “{client}” and “” are wrong; a ` alone stays."
    );
    assert_eq!(sentence("really?"), "Really?");
    assert_eq!(
        sentence("due_date: 2027-02-30 is not a date: February 2027 has 28 days"),
        "Due date: 2027-02-30 is not a date: February 2027 has 28 days."
    );
    assert_eq!(sentence("  "), "");
}
