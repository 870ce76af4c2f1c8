//! Notification hooks: the HTTP capability gate and the stock email and set-status hooks.

use std::collections::BTreeMap;

use docket_engine::config::PluginsConfig;
use docket_engine::plugin::{
    Effect, HookEvent, HookEventKind, Params, PluginHost, RecordedEffects,
};

use super::{host, params, utc};

fn event(kind: HookEventKind) -> HookEvent {
    HookEvent {
        kind,
        at: utc("2026-05-01T10:00:00Z"),
        work_id: "W1".into(),
        work_title: "Tax return 2025".into(),
        group_name: "Documents".into(),
        contact_email: "client@example.com".into(),
        staff_emails: vec!["ann@firm.example".into(), "bob@firm.example".into()],
    }
}

fn hook_host(grants: &[(&str, &[&str])]) -> (tempfile::TempDir, PluginHost) {
    let data = tempfile::tempdir().unwrap();
    let config = PluginsConfig {
        grants: grants
            .iter()
            .map(|(name, caps)| {
                (
                    name.to_string(),
                    caps.iter().map(|c| c.to_string()).collect(),
                )
            })
            .collect::<BTreeMap<_, _>>(),
        ..PluginsConfig::default()
    };
    let (host, refused) = PluginHost::open(&config, data.path()).unwrap();
    assert!(refused.is_empty(), "{refused:?}");
    (data, host)
}

#[test]
fn a_hook_without_the_http_capability_cannot_post() {
    let url = params(&[("url", "https://hooks.example.com/docket")]);
    let done = event(HookEventKind::AllTasksCompleted);

    let mut effects = RecordedEffects::default();
    let err = host()
        .deliver("webhook", &url, &done, &mut effects)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("capability `http:hooks.example.com` is not granted"),
        "{err}"
    );
    assert!(effects.applied.is_empty(), "{effects:?}");

    let (_data, other) = hook_host(&[("webhook", &["http:other.example.com"])]);
    let err = other
        .deliver("webhook", &url, &done, &mut effects)
        .unwrap_err();
    assert!(err.to_string().contains("not granted"), "{err}");
    assert!(effects.applied.is_empty(), "{effects:?}");

    let (_data, granted) = hook_host(&[("webhook", &["http:hooks.example.com"])]);
    assert_eq!(
        granted
            .deliver("webhook", &url, &done, &mut effects)
            .unwrap(),
        1
    );
    let [(plugin, Effect::HttpPost { url, body, .. })] = effects.applied.as_slice() else {
        panic!("expected one POST, got {effects:?}");
    };
    assert_eq!(
        (plugin.as_str(), url.as_str()),
        ("webhook", "https://hooks.example.com/docket")
    );
    assert!(
        body.contains("\"event\":\"all-tasks-completed\"") && body.contains("\"work_id\":\"W1\""),
        "{body}"
    );
}

#[test]
fn stock_hooks_email_staff_and_set_status() {
    let mut effects = RecordedEffects::default();
    let n = host()
        .deliver(
            "email-staff",
            &Params::new(),
            &event(HookEventKind::CommentAdded {
                text: "Sent!".into(),
            }),
            &mut effects,
        )
        .unwrap();
    assert_eq!(n, 2);
    let to: Vec<&str> = effects
        .applied
        .iter()
        .filter_map(|(_, e)| match e {
            Effect::SendEmail { to, subject, .. } if subject.contains("new comment: Sent!") => {
                Some(to.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(to, ["ann@firm.example", "bob@firm.example"]);

    // set-status acts on "reminder limit reached" only, by default.
    let mut effects = RecordedEffects::default();
    let comment = event(HookEventKind::CommentAdded { text: "x".into() });
    assert_eq!(
        host()
            .deliver("set-status", &Params::new(), &comment, &mut effects)
            .unwrap(),
        0
    );
    let limit = event(HookEventKind::ReminderLimitReached {
        title: "Bank statements".into(),
    });
    assert_eq!(
        host()
            .deliver("set-status", &Params::new(), &limit, &mut effects)
            .unwrap(),
        1
    );
    assert_eq!(
        effects.applied,
        vec![(
            "set-status".to_string(),
            Effect::SetWorkStatus {
                work_id: "W1".into(),
                status: "in-progress".into()
            }
        )]
    );
}
