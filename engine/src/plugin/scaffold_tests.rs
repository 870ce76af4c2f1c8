//! Unit tests of `scaffold.rs`.

use super::*;

#[test]
fn projects_name_their_files_and_refuse_bad_names() {
    let s = scaffold("overdue-mondays", World::ReminderPolicy, Language::Rust).unwrap();
    let names: Vec<String> = s
        .files
        .iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    for expected in [
        "Cargo.toml",
        "src/lib.rs",
        "overdue-mondays.toml",
        "cases.toml",
        "wit/types.wit",
    ] {
        assert!(names.contains(&expected.to_string()), "{names:?}");
    }
    assert_eq!(
        s.component,
        PathBuf::from("target/wasm32-wasip2/release/overdue_mondays.wasm")
    );
    let py = scaffold("hook", World::NotificationHook, Language::Python).unwrap();
    assert!(
        py.files
            .iter()
            .any(|(p, t)| p.ends_with("hook.toml") && t.contains("memory_mib = 128"))
    );
    // Grants are said as the guide says them: an admin on the Plugins page or the API, or
    // the operator in docket.toml.
    assert!(py.files.iter().any(|(p, t)| p.ends_with("hook.toml")
        && t.contains("on the admin's Plugins page (or PUT /api/plugins/hook/grants)")
        && t.contains("[plugins.grants] in docket.toml")));
    assert!(scaffold("Overdue_Mondays", World::SendingRule, Language::Rust).is_err());
    assert!(
        scaffold("gentle", World::ReminderPolicy, Language::Rust)
            .unwrap_err()
            .contains("`gentle` is the name of a stock plugin")
    );
    for (_, text) in s.files.iter().chain(&py.files) {
        assert!(!text.contains("{{"), "an unfilled placeholder: {text}");
        assert!(!text.contains("each granted by the firm in"), "{text}");
    }
}
