//! Installing: bad plugins are refused with one line each while the rest load, a refused
//! plugin whose files are deleted is no longer listed, and compiled components are cached with
//! a checksum.

use chrono::{TimeZone, Utc};
use docket_engine::config::PluginsConfig;
use docket_engine::plugin::{BuildTarget, Params, PluginHost};

use super::{BUSINESS_DAYS, calendar, example_manifest, group, install};

#[test]
fn bad_installs_are_refused_with_one_line_and_the_rest_load() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("plugins");
    let manifest = |name: &str, world: &str| {
        format!("name = '{name}'\nversion = '1.0.0'\nworld = '{world}'\n")
    };
    install(
        &dir,
        "business-days",
        BUSINESS_DAYS,
        &std::fs::read_to_string(example_manifest()).unwrap(),
    );
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("garbage.wasm"),
        b"\0asm\x0d\0\x01\0this is not a component",
    )
    .unwrap();
    std::fs::write(
        dir.join("garbage.toml"),
        manifest("garbage", "reminder-policy"),
    )
    .unwrap();
    install(
        &dir,
        "wrong-world",
        env!("DOCKET_STOCK_SENDING_WASM"),
        &manifest("wrong-world", "reminder-policy"),
    );
    install(
        &dir,
        "bad-manifest",
        BUSINESS_DAYS,
        "name = 'bad-manifest'\nversion = '1.0.0'\nworld = 'reminder-policy'\ncolour = 'red'\n",
    );
    install(
        &dir,
        "greedy",
        env!("DOCKET_STOCK_HOOKS_WASM"),
        &format!(
            "{}capabilities = ['http:*']\n",
            manifest("greedy", "notification-hook")
        ),
    );
    std::fs::write(dir.join("lonely.wasm"), b"").unwrap();
    // Only components are installed: an artifact precompiled elsewhere is never loaded.
    let sending = std::fs::read(env!("DOCKET_STOCK_SENDING_WASM")).unwrap();
    let artifact = wasmtime::Engine::default()
        .precompile_component(&sending)
        .unwrap();
    std::fs::write(dir.join("precompiled.wasm"), artifact).unwrap();
    std::fs::write(
        dir.join("precompiled.toml"),
        manifest("precompiled", "sending-rule"),
    )
    .unwrap();
    // Numbers in a manifest's parameters are read as their text.
    install(
        &dir,
        "numeric",
        BUSINESS_DAYS,
        &format!(
            "{}[params]\npreset = 'custom'\nevery = 3\n",
            manifest("numeric", "reminder-policy")
        ),
    );

    let (host, refused) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
    let mut lines: Vec<String> = refused.iter().map(|r| r.to_string()).collect();
    lines.sort();
    let expect = [
        (
            "bad-manifest.toml",
            "bad manifest: line 4: unknown field `colour`",
        ),
        ("garbage.wasm", "not a WebAssembly component"),
        (
            "greedy.toml",
            "asks for capability `http:*`, which the firm has not granted",
        ),
        ("lonely.wasm", "no manifest beside it"),
        ("precompiled.wasm", "precompiled artifacts are not accepted"),
        ("wrong-world.wasm", "does not match world `reminder-policy`"),
    ];
    assert_eq!(lines.len(), expect.len(), "{lines:#?}");
    for (line, (file, reason)) in lines.iter().zip(expect) {
        assert!(
            line.contains(file) && line.contains(reason),
            "{line:?} should name {file} and say {reason}"
        );
        assert!(!line.contains('\n'), "not one line: {line:?}");
    }
    let plugins = host.plugins();
    let names: Vec<&str> = plugins.iter().map(|p| p.name.as_str()).collect();
    assert!(
        names.contains(&"business-days") && names.contains(&"gentle"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"garbage") && !names.contains(&"wrong-world"),
        "{names:?}"
    );
    let numeric = host.plugin("numeric").expect("numeric is installed");
    assert_eq!(numeric.params.get("every").map(String::as_str), Some("3"));
}

#[test]
fn a_refused_plugin_whose_files_are_deleted_is_no_longer_listed() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("plugins");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("broken.wasm"), b"not a component").unwrap();
    std::fs::write(
        dir.join("broken.toml"),
        "name = 'broken'\nversion = '0.1.0'\nworld = 'reminder-policy'\n",
    )
    .unwrap();
    let (host, refused) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(host.refusals().len(), 1);
    // A change of grants makes the folder's scan forget what it acted on; the refusal is
    // still the folder's, and goes with its files all the same.
    host.set_stored_grants(Default::default());
    std::fs::remove_file(dir.join("broken.wasm")).unwrap();
    std::fs::remove_file(dir.join("broken.toml")).unwrap();
    let report = host.reload();
    assert_eq!(report.forgotten, ["broken"], "{report:?}");
    assert!(host.refusals().is_empty(), "{:?}", host.refusals());
    assert!(host.refused().is_empty());
    // Said once: the next look finds nothing new.
    assert!(host.reload().is_empty());
}

#[test]
fn compiled_components_are_cached_and_damaged_artifacts_recompiled() {
    let data = tempfile::tempdir().unwrap();
    let (first, _) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
    drop(first);
    let cache = data.path().join("plugin-cache");
    let mut files: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    // Damage one artifact: it must be refused by its checksum and rewritten, not loaded.
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&files[0], &bytes).unwrap();
    let (host, _) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
    assert_ne!(std::fs::read(&files[0]).unwrap(), bytes);
    let cal = calendar("Europe/London", "09:00");
    let g = group("2026-03-01T10:00:00Z", &["2026-03-27"]);
    assert!(
        host.next_reminder("gentle", &cal, &Params::new(), g.sent_at, &g)
            .unwrap()
            .is_some()
    );
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    assert!(
        host.next_reminder("urgent", &cal, &Params::new(), now, &g)
            .unwrap()
            .is_some()
    );
}

#[test]
fn check_reports_world_imports_exports_and_refuses_non_components() {
    use docket_engine::plugin::World;

    let report = super::host()
        .check_file(std::path::Path::new(BUSINESS_DAYS), &BuildTarget::default())
        .unwrap();
    assert_eq!(report.worlds, [World::ReminderPolicy]);
    assert_eq!(report.contract, Some(docket_engine::plugin::Contract::V0_2));
    assert!(
        report
            .exports
            .iter()
            .any(|e| e == "docket:plugin/reminder@0.2.0"),
        "{:?}",
        report.exports
    );
    assert!(
        report
            .imports
            .iter()
            .any(|i| i == "docket:plugin/types@0.2.0"),
        "{:?}",
        report.imports
    );
    assert!(
        report.mismatches.contains_key("sending-rule"),
        "{:?}",
        report.mismatches
    );

    let hooks = super::host()
        .check_file(
            std::path::Path::new(env!("DOCKET_STOCK_HOOKS_WASM")),
            &BuildTarget::default(),
        )
        .unwrap();
    assert_eq!(hooks.worlds, [World::NotificationHook]);
    assert!(
        hooks
            .imports
            .iter()
            .any(|i| i.starts_with("docket:plugin/effects")),
        "{:?}",
        hooks.imports
    );

    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.wasm");
    std::fs::write(&junk, b"not wasm at all").unwrap();
    let err = super::host()
        .check_file(&junk, &BuildTarget::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("junk.wasm") && err.contains("not a WebAssembly component"),
        "{err}"
    );
    assert!(!err.contains('\n'), "{err}");

    // A core module is said to be one; the build commands name the plugin and its world.
    let core = dir.path().join("core.wasm");
    std::fs::write(&core, b"\0asm\x01\0\0\0").unwrap();
    let target = BuildTarget {
        name: Some("overdue-mondays".into()),
        world: Some(World::ReminderPolicy),
    };
    let err = super::host()
        .check_file(&core, &target)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("it is a core WebAssembly module")
            && err.contains("target/wasm32-wasip2/release/overdue_mondays.wasm")
            && err.contains("-w reminder-policy componentize -p . app -o overdue_mondays.wasm"),
        "{err}"
    );
    assert!(!err.contains("NAME") && !err.contains("WORLD"), "{err}");
}
