//! Unit tests of `effects.rs`.

use super::*;

#[test]
fn url_hosts() {
    let cases = [
        ("https://Hooks.Example.com/x?y", Some("hooks.example.com")),
        ("http://example.com:8080", Some("example.com")),
        ("https://user@evil.com/", None),
        ("ftp://example.com/", None),
        ("https://example.com:80@evil.com/", None),
        ("https:///path", None),
    ];
    for (url, want) in cases {
        assert_eq!(url_host(url).as_deref(), want, "{url}");
    }
}

#[test]
fn the_gate_denies_what_is_not_granted() {
    let mut ctx = HookCtx::new("p", "w1", vec![Capability::Http("ok.example".into())]);
    assert!(
        ctx.http_post(
            "https://ok.example/h".into(),
            "text/plain".into(),
            "x".into()
        )
        .is_ok()
    );
    let denied = ctx.http_post(
        "https://other.example/h".into(),
        "text/plain".into(),
        "x".into(),
    );
    assert!(matches!(denied, Err(Refusal::Denied(_))), "{denied:?}");
    assert!(matches!(
        ctx.set_work_status("done".into()),
        Err(Refusal::Denied(_))
    ));
    assert_eq!(ctx.queued.len(), 1);
}
