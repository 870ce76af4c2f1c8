//! The plugin host end to end, as one test binary: stock reminder calendars run through their
//! WASM components, the business-days example, the sandbox limits, the hook capability gate,
//! refusal of bad installs, and components of the old 0.1.0 contract served through the
//! adapter. This file holds the shared fixtures.

mod acting_hooks;
mod calendars;
mod contracts;
mod hooks;
mod installs;
mod sandbox;

use std::path::Path;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use docket_engine::config::PluginsConfig;
use docket_engine::plugin::{FirmCalendar, GroupState, Params, PluginHost, TaskState};

pub const MISBEHAVE: &str = env!("DOCKET_TEST_MISBEHAVE_WASM");
pub const BUSINESS_DAYS: &str = env!("DOCKET_EXAMPLE_BUSINESS_DAYS_WASM");

/// A host with the stock plugins, the business-days example and the misbehaving guest
/// installed, shared by the tests that only call plugins (compiling is the slow part).
pub fn host() -> &'static PluginHost {
    static HOST: OnceLock<(tempfile::TempDir, PluginHost)> = OnceLock::new();
    &HOST
        .get_or_init(|| {
            let data = tempfile::tempdir().unwrap();
            let dir = data.path().join("plugins");
            install(
                &dir,
                "business-days",
                BUSINESS_DAYS,
                &std::fs::read_to_string(example_manifest()).unwrap(),
            );
            install(
                &dir,
                "misbehave",
                MISBEHAVE,
                "name = 'misbehave'\nversion = '0.1.0'\nworld = 'reminder-policy'\n",
            );
            let (host, refused) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
            assert!(refused.is_empty(), "{refused:?}");
            (data, host)
        })
        .1
}

pub fn example_manifest() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/plugins/business-days/business-days.toml")
}

pub fn install(dir: &Path, name: &str, wasm: &str, manifest: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(wasm, dir.join(format!("{name}.wasm"))).unwrap();
    std::fs::write(dir.join(format!("{name}.toml")), manifest).unwrap();
}

pub fn calendar(tz: &str, send_time: &str) -> FirmCalendar {
    FirmCalendar {
        tz: tz.parse::<Tz>().unwrap(),
        send_time: NaiveTime::parse_from_str(send_time, "%H:%M").unwrap(),
        holidays: Vec::new(),
    }
}

pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

pub fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

pub fn group(sent: &str, dues: &[&str]) -> GroupState {
    GroupState {
        sent_at: utc(sent),
        last_reminder_at: None,
        tasks: dues
            .iter()
            .map(|d| TaskState {
                due: date(d),
                done: false,
                reminders_sent: 0,
            })
            .collect(),
    }
}

pub fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The previewed calendar as `(UTC instant, covered tasks)`.
pub fn calendar_of(
    policy: &str,
    cal: &FirmCalendar,
    p: &Params,
    g: GroupState,
) -> Vec<(String, Vec<usize>)> {
    let until = g.sent_at + chrono::Duration::days(400);
    host()
        .preview(policy, cal, p, g, until)
        .unwrap()
        .into_iter()
        .map(|r| (r.at.format("%Y-%m-%dT%H:%MZ").to_string(), r.tasks))
        .collect()
}
