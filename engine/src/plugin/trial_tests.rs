//! Unit tests of `trial.rs`.

use super::*;
use crate::config::PluginsConfig;

#[test]
fn the_stock_plugins_pass_their_trial() {
    let data = tempfile::tempdir().unwrap();
    let (host, _) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
    assert_eq!(
        host.trial("gentle").unwrap(),
        "a group sent 2026-03-02 08:00 GMT with tasks due 2026-03-16 and 2026-03-23: first reminder 2026-03-09 09:00 GMT covering 1 task"
    );
    assert_eq!(
        host.trial("relative").unwrap(),
        "work starting 2026-03-16: sent by staff"
    );
    assert!(
        host.trial("email-staff")
            .unwrap()
            .contains("1 effect asked for"),
        "{:?}",
        host.trial("email-staff")
    );
    assert!(matches!(host.trial("nope"), Err(PluginError::Unknown(_))));
}
