//! Unit tests of `manifest.rs`.

use super::*;

#[test]
fn names_and_their_file_spellings() {
    for good in ["mondays", "overdue-mondays", "a1-b2"] {
        assert!(valid_name(good), "{good}");
    }
    for bad in ["", "Mondays", "overdue_mondays", "-x", "x-", "a--b", "1st"] {
        assert!(!valid_name(bad), "{bad}");
    }
    assert_eq!(name_of_stem("overdue_mondays"), "overdue-mondays");
    assert_eq!(suggested_name("Overdue_Mondays"), "overdue-mondays");
}

#[test]
fn manifests_written_wrong_are_refused_at_the_line_and_with_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.toml");
    let refusal = |text: &str| {
        std::fs::write(&path, text).unwrap();
        match read_manifest(&path, None) {
            Err(PluginError::Manifest { reason, .. }) => reason,
            other => panic!("{other:?}"),
        }
    };
    let head = "name = 'x'\nversion = '0.1.0'\nworld = 'reminder-policy'\n";
    assert_eq!(
        refusal(&format!("{head}[params]\nevery = 7\ntimes = [1, 2]\n")),
        "line 6: parameter `times` is an array; write it as text, a number or a boolean, e.g. times = \"1,2\""
    );
    assert_eq!(
        refusal("name = 'x'\nversion = 'one'\nworld = 'reminder-policy'\n"),
        "version `one` is not a version: write it as semver, MAJOR.MINOR.PATCH, e.g. version = \"0.1.0\""
    );
}

#[test]
fn capabilities_parse_and_resolve() {
    assert_eq!(
        Capability::parse("http:Hooks.Example.com"),
        Ok(Capability::Http("hooks.example.com".into()))
    );
    assert!(Capability::parse("files").is_err());
    assert!(Capability::parse("http:a/b").is_err());
    let declared = [Capability::Http("*".into()), Capability::Log];
    let path = Path::new("x.toml");
    let grants = vec![
        "http:a.example".to_string(),
        "log".to_string(),
        "email".to_string(),
    ];
    let (got, missing) = resolve_grants(&declared, &grants, "grants", path).unwrap();
    assert_eq!(
        got,
        vec![Capability::Http("a.example".into()), Capability::Log]
    );
    assert!(missing.is_empty());
    let (got, missing) = resolve_grants(&declared, &["log".to_string()], "grants", path).unwrap();
    assert_eq!(got, vec![Capability::Log]);
    assert_eq!(missing, vec![Capability::Http("*".into())]);
    let err = resolve_grants(&declared, &["files".to_string()], "the grants", path).unwrap_err();
    assert!(
        err.to_string()
            .contains("the grants: unknown capability `files`"),
        "{err}"
    );
}
