//! Unit tests of `grants.rs`.

use std::sync::Arc;

use super::*;
use crate::SystemClock;
use crate::config::{FirmConfig, PluginsConfig};
use crate::plugin::{HookEvent, HookEventKind, PluginHost, RecordedEffects};
use crate::store::MemoryStore;

fn event() -> HookEvent {
    HookEvent {
        kind: HookEventKind::TaskCompleted {
            title: "P60".into(),
        },
        at: chrono::Utc::now(),
        work_id: "01WORK".into(),
        work_title: "Annual return".into(),
        group_name: "Documents".into(),
        contact_email: "ann@client.example".into(),
        staff_emails: vec!["sam@firm.example".into()],
    }
}

#[test]
fn grants_apply_at_once_and_are_checked() {
    // A host of its own: the grants change what it serves.
    let data = tempfile::tempdir().unwrap();
    let (host, _) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
    let store: Arc<MemoryStore> = Arc::new(MemoryStore::new());
    let open = || {
        Docket::open(
            store.clone(),
            Arc::new(SystemClock),
            &FirmConfig::default(),
            "http://localhost:8080",
        )
        .unwrap()
    };
    let host = Arc::new(host);
    let docket = &open().with_plugins(host.clone());
    // The stock webhook posts only to granted hosts; none is granted yet.
    let params: crate::plugin::Params =
        [("url".to_string(), "https://hooks.example.com/x".to_string())].into();
    let mut effects = RecordedEffects::default();
    assert!(
        host.deliver("webhook", &params, &event(), &mut effects)
            .is_err()
    );
    let change = GrantsChange {
        grants: vec![
            " http:Hooks.Example.com ".into(),
            "http:hooks.example.com".into(),
        ],
    };
    let served = docket.set_plugin_grants("webhook", &change).unwrap();
    let webhook = served.plugins.iter().find(|p| p.name == "webhook").unwrap();
    assert_eq!(webhook.grants, ["http:hooks.example.com"]);
    assert_eq!(webhook.granted, ["http:hooks.example.com"]);
    assert!(!webhook.grants_pinned);
    // The very next call has the capability.
    host.deliver("webhook", &params, &event(), &mut effects)
        .unwrap();
    assert_eq!(effects.applied.len(), 1);
    assert_eq!(
        docket.plugin_grants().unwrap()["webhook"],
        ["http:hooks.example.com"]
    );
    // Taken back, the next call has it no more.
    docket
        .set_plugin_grants("webhook", &GrantsChange::default())
        .unwrap();
    assert!(
        host.deliver("webhook", &params, &event(), &mut effects)
            .is_err()
    );
    assert!(docket.plugin_grants().unwrap().is_empty());

    let refused = |plugin: &str, grants: &[&str]| {
        let change = GrantsChange {
            grants: grants.iter().map(|g| g.to_string()).collect(),
        };
        docket
            .set_plugin_grants(plugin, &change)
            .unwrap_err()
            .to_string()
    };
    assert!(refused("webhook", &["files"]).contains("unknown capability `files`"));
    assert!(refused("webhook", &["http:*"]).contains("grant each host"));
    assert!(refused("gentle", &["email"]).contains("pure and takes no capabilities"));
    assert!(refused("no-such", &["email"]).contains("not found"));

    // Stored grants reach a host given to the engine later (a restart).
    docket.set_plugin_grants("webhook", &change).unwrap();
    let (later, _) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
    let later = Arc::new(later);
    let _restarted = open().with_plugins(later.clone());
    assert_eq!(
        later.plugin("webhook").unwrap().granted,
        ["http:hooks.example.com"]
    );
}
