//! Unit tests of `form.rs`.

use super::*;
use docket_engine::docket::params_text;

#[test]
fn parameters_read_as_typed() {
    let p = plugin(" custom ", "before=7,3; every = 2;").unwrap();
    assert_eq!(p.plugin, "custom");
    assert_eq!(p.params["before"], "7,3");
    assert_eq!(p.params["every"], "2");
    assert_eq!(params_text(&p), "before=7,3; every=2");
    assert!(
        plugin("custom", "every")
            .unwrap_err()
            .contains("name=value")
    );
    assert!(plugin("custom", "=2").unwrap_err().contains("has no name"));
    assert!(
        due_offset("two weeks")
            .unwrap_err()
            .contains("whole number")
    );
    assert_eq!(due_offset(" -3 ").unwrap(), -3);
    // A whole number too large to hold is too far off, not "not a number".
    for huge in ["99999999999", "-99999999999"] {
        let said = due_offset(huge).unwrap_err();
        assert!(said.contains("more than ten years"), "{said}");
        assert!(!said.contains("not a number"), "{said}");
    }
}
