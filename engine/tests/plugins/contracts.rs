//! Components built for the old contract, `docket:plugin@0.1.0`, served through the host's
//! adapter: a reminder policy asked only through its batch call (its single-group function
//! answers otherwise and is never called), a sending rule, and a hook calling the effects of
//! 0.1.0 — each as a 0.2.0 plugin would be.

use docket_engine::config::PluginsConfig;
use docket_engine::plugin::{
    BuildTarget, Contract, Effect, HookEvent, HookEventKind, Params, PluginHost, RecordedEffects,
    SendRequest, World,
};

use super::{calendar, date, group, install, utc};

const OLD: &str = env!("DOCKET_TEST_CONTRACT_0_1_WASM");
const OLD_HOOK: &str = env!("DOCKET_TEST_CONTRACT_0_1_HOOK_WASM");

fn old_host() -> (tempfile::TempDir, PluginHost) {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("plugins");
    for (name, wasm, world, caps) in [
        ("old-policy", OLD, "reminder-policy", ""),
        ("old-rule", OLD, "sending-rule", ""),
        (
            "old-hook",
            OLD_HOOK,
            "notification-hook",
            "capabilities = ['notify-staff']\n",
        ),
    ] {
        install(
            &dir,
            name,
            wasm,
            &format!("name = '{name}'\nversion = '0.1.0'\nworld = '{world}'\n{caps}"),
        );
    }
    let config = PluginsConfig {
        grants: [("old-hook".to_string(), vec!["notify-staff".to_string()])].into(),
        ..PluginsConfig::default()
    };
    let (host, refused) = PluginHost::open(&config, data.path()).unwrap();
    assert!(refused.is_empty(), "{refused:?}");
    (data, host)
}

#[test]
fn a_policy_of_the_old_contract_answers_only_through_its_batch() {
    let (_data, host) = old_host();
    for name in ["old-policy", "old-rule", "old-hook"] {
        assert_eq!(
            host.plugin(name).unwrap().contract,
            Contract::V0_1,
            "{name}"
        );
    }
    assert_eq!(host.plugin("gentle").unwrap().contract, Contract::V0_2);
    let cal = calendar("Europe/London", "09:00");
    let g = group("2026-03-02T10:00:00Z", &["2026-03-20", "2026-03-27"]);
    // One group alone is a batch of one: three days on, never the single call's next day.
    let alone = host
        .next_reminder("old-policy", &cal, &Params::new(), g.sent_at, &g)
        .unwrap()
        .unwrap();
    assert_eq!(alone.at, utc("2026-03-05T09:00:00Z"));
    assert_eq!(alone.tasks, [0, 1]);
    let batch = host
        .next_reminders(
            "old-policy",
            &cal,
            &Params::new(),
            g.sent_at,
            &[g.clone(), g.clone()],
        )
        .unwrap();
    assert_eq!(batch, [Some(alone.clone()), Some(alone)]);
    // The whole calendar: every three days until both tasks had five.
    let calendar: Vec<String> = host
        .preview_with("old-policy", &cal, &Params::new(), g, &[], None)
        .reminders
        .iter()
        .map(|r| r.at.format("%m-%d").to_string())
        .collect();
    assert_eq!(calendar, ["03-05", "03-08", "03-11", "03-14", "03-17"]);
    // Its own refusal still reads as a refusal of the parameters.
    let err = host
        .next_reminder(
            "old-policy",
            &super::calendar("Europe/London", "09:00"),
            &super::params(&[("every", "2")]),
            utc("2026-03-02T10:00:00Z"),
            &super::group("2026-03-02T10:00:00Z", &["2026-03-20"]),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("refused its input: bad parameter: unknown parameter `every`"),
        "{err}"
    );
}

#[test]
fn a_rule_and_a_hook_of_the_old_contract_keep_working() {
    let (_data, host) = old_host();
    let cal = calendar("Europe/London", "09:00");
    let request = SendRequest {
        start: date("2026-04-06"),
        first_due: Some(date("2026-04-20")),
        task_count: 1,
    };
    let at = host
        .send_at(
            "old-rule",
            &cal,
            &Params::new(),
            utc("2026-03-01T00:00:00Z"),
            &request,
        )
        .unwrap();
    assert_eq!(at, Some(utc("2026-04-04T08:00:00Z")));

    let event = HookEvent {
        kind: HookEventKind::TaskCompleted {
            title: "P60".into(),
        },
        at: utc("2026-04-06T09:00:00Z"),
        work_id: "01WORK".into(),
        work_title: "Annual return".into(),
        group_name: "Documents".into(),
        contact_email: "ann@example.com".into(),
        staff_emails: vec!["sam@firm.example".into()],
    };
    let mut effects = RecordedEffects::default();
    assert_eq!(
        host.deliver("old-hook", &Params::new(), &event, &mut effects)
            .unwrap(),
        1
    );
    assert_eq!(
        effects.applied,
        [(
            "old-hook".to_string(),
            Effect::NotifyStaff {
                work_id: "01WORK".into(),
                message: "0.1.0 hook on Annual return: task completed: P60".into(),
            }
        )]
    );

    let report = host
        .check_file(std::path::Path::new(OLD), &BuildTarget::default())
        .unwrap();
    assert_eq!(report.worlds, [World::ReminderPolicy, World::SendingRule]);
    assert_eq!(report.contract, Some(Contract::V0_1));
    assert!(
        report
            .exports
            .iter()
            .any(|e| e == "docket:plugin/reminder@0.1.0"),
        "{:?}",
        report.exports
    );
}
