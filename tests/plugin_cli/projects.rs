//! Plugin projects: the Python example built, checked and followed, `docket plugin new` in each
//! world and language building and passing its own cases, the guide's Rust policy built as the
//! guide says without a warning, `docket plugin test`'s diff, and a Python plugin compiled once
//! without a data folder.

use super::*;

#[test]
fn the_python_example_builds_checks_and_follows_its_calendar() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let wasm = out.path().join("first_weekday.wasm");
    support::componentize::build_python_example(
        root,
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        &wasm,
    )
    .unwrap();
    let manifest = root.join("examples/plugins/first-weekday/first-weekday.toml");
    let data = data_folder();
    let wasm = wasm.to_str().unwrap();
    let manifest = manifest.to_str().unwrap();
    let check = stdout(&docket(
        data.path(),
        &["plugin", "check", wasm, "--manifest", manifest],
    ));
    assert!(check.contains("declares:     reminder-policy"), "{check}");
    assert!(check.contains("limits:       1000 ms, 128 MiB"), "{check}");
    // componentize-py's own plain-named export is no part of the plugin's contract.
    assert!(
        check.contains("\nexports:      docket:plugin/reminder@0.2.0\n"),
        "{check}"
    );
    assert!(check.contains("load:         compiled in"), "{check}");
    // The second load comes from the cache of compiled components.
    let again = stdout(&docket(
        data.path(),
        &["plugin", "check", wasm, "--manifest", manifest],
    ));
    assert!(
        again.contains("load:         loaded from the cache"),
        "{again}"
    );

    // Sent on Wednesday 4 March: every Monday after it, Tuesday 7 April for the Easter Monday
    // holiday, until task 1 is done and task 2 has had five reminders.
    let out = docket(
        data.path(),
        &["plugin", "install", wasm, "--manifest", manifest],
    );
    assert!(stdout(&out).starts_with("installed first-weekday"));
    let text = stdout(&docket(
        data.path(),
        &[
            "plugin",
            "simulate",
            "--policy",
            "first-weekday",
            "--sent",
            "2026-03-04",
            "--due",
            "2026-03-27",
            "--due",
            "2026-04-10",
            "--tz",
            "Europe/London",
            "--send-time",
            "09:00",
            "--done",
            "1@2026-03-20",
            "--params",
            "holidays=2026-04-06",
            "--days",
            "60",
        ],
    ));
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "2026-03-09 09:00 GMT  reminder 1  tasks 1 (due 2026-03-27), 2 (due 2026-04-10)",
            "2026-03-16 09:00 GMT  reminder 2  tasks 1 (due 2026-03-27), 2 (due 2026-04-10)",
            "2026-03-20 00:00 GMT  task 1 done",
            "2026-03-23 09:00 GMT  reminder 3  tasks 2 (due 2026-04-10)",
            "2026-03-30 09:00 BST  reminder 4  tasks 2 (due 2026-04-10)",
            "2026-04-07 09:00 BST  reminder 5  tasks 2 (due 2026-04-10)  [limit of 5 reached: task 2]",
            "end: no more reminders: every open task has had 5, the most until the group is resent",
        ]
    );
    // A parameter it does not know is refused by the Python code, as a parameter error.
    let out = docket(
        data.path(),
        &[
            "plugin",
            "simulate",
            "--policy",
            "first-weekday",
            "--sent",
            "2026-03-04",
            "--due",
            "2026-03-27",
            "--params",
            "every=2",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains("bad parameter: unknown parameter `every`: this plugin takes holidays"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn new_projects_build_check_and_pass_their_cases_in_each_world_and_language() {
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let componentize_py = support::componentize::componentize_py(tmp).unwrap();
    // One target folder for the Rust projects, kept between runs: the SDK compiles once.
    let rust_target = tmp.join("scaffold-target");
    let work = tempfile::tempdir().unwrap();
    // No data folder: the tools work without one.
    let data = work.path().to_path_buf();
    for lang in ["rust", "python"] {
        for world in ["reminder-policy", "sending-rule", "notification-hook"] {
            let name = format!("my-{lang}-{world}");
            let dir = work.path().join(&name);
            let out = docket(
                &data,
                &[
                    "plugin",
                    "new",
                    &name,
                    "--world",
                    world,
                    "--lang",
                    lang,
                    "--dir",
                    dir.to_str().unwrap(),
                ],
            );
            assert!(stdout(&out).starts_with(&format!("wrote the {world} plugin `{name}`")));
            let file = name.replace('-', "_");
            let wasm = if lang == "rust" {
                build_in(
                    &dir,
                    "cargo",
                    &[
                        "build",
                        "--release",
                        "--target",
                        "wasm32-wasip2",
                        "--target-dir",
                        rust_target.to_str().unwrap(),
                    ],
                    &[],
                );
                rust_target.join(format!("wasm32-wasip2/release/{file}.wasm"))
            } else {
                build_in(
                    &dir,
                    "sh",
                    &["build.sh"],
                    &[("COMPONENTIZE_PY", &componentize_py)],
                );
                dir.join(format!("{file}.wasm"))
            };
            let manifest = dir.join(format!("{name}.toml"));
            let (wasm, manifest) = (wasm.to_str().unwrap(), manifest.to_str().unwrap());
            let check = stdout(&docket(
                &data,
                &["plugin", "check", wasm, "--manifest", manifest],
            ));
            assert!(check.contains(&format!("declares:     {world}")), "{check}");
            assert!(check.contains("trial:        "), "{check}");
            let cases = dir.join("cases.toml");
            let test = stdout(&docket(
                &data,
                &[
                    "plugin",
                    "test",
                    wasm,
                    cases.to_str().unwrap(),
                    "--manifest",
                    manifest,
                ],
            ));
            // Each project's own cases, one of them an expected error, pass as written.
            assert!(
                test.ends_with("3 cases: 3 passed, 0 failed\n"),
                "{name}: {test}"
            );
        }
    }
    // An existing folder is never overwritten.
    let out = docket(
        &data,
        &[
            "plugin",
            "new",
            "again",
            "--world",
            "sending-rule",
            "--dir",
            work.path().join("my-rust-sending-rule").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("already exists and is not empty"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn plugin_test_prints_a_diff_when_a_case_differs() {
    let data = tempfile::tempdir().unwrap();
    let cases = data.path().join("cases.toml");
    std::fs::write(
        &cases,
        "[calendar]\ntimezone = 'Europe/London'\nsend_time = '09:00'\n\n\
         [[case]]\nname = 'gentle before and on the due date'\nsent = '2026-03-01'\n\
         due = ['2026-03-27']\ndays = 27\nparams = { preset = 'gentle' }\n\
         reminders = ['2026-03-20 09:00 tasks 1', '2026-03-26 09:00 tasks 1']\n",
    )
    .unwrap();
    let out = docket(
        data.path(),
        &[
            "plugin",
            "test",
            guest("business_days.wasm").to_str().unwrap(),
            cases.to_str().unwrap(),
            "--manifest",
            example_manifest().to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "FAILED  gentle before and on the due date  (- expected, + answered)",
            "      2026-03-20 09:00 tasks 1",
            "    - 2026-03-26 09:00 tasks 1",
            "    + 2026-03-27 09:00 tasks 1",
            "1 cases: 0 passed, 1 failed",
        ],
        "{text}"
    );
    assert!(
        stderr(&out).contains("1 of 1 cases failed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_guide_s_rust_policy_builds_without_warnings_and_checks() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let guide = std::fs::read_to_string(root.join("docs/plugins.md")).unwrap();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("overdue-mondays");
    stdout(&docket(
        work.path(),
        &[
            "plugin",
            "new",
            "overdue-mondays",
            "--world",
            "reminder-policy",
            "--dir",
            dir.to_str().unwrap(),
        ],
    ));
    // As section 2 says: its `decide` and `next_reminders` in place of the scaffold's, the
    // date helpers imported, `every` and its default deleted.
    let start = guide
        .find("fn decide(calendar: &Calendar, group: Group)")
        .expect("the guide's policy");
    let snippet = &guide[start..start + guide[start..].find("```").unwrap()];
    let assert_says = |text: &str| assert!(guide.contains(text), "the guide no longer says {text}");
    assert_says("use\ndocket_plugin_sdk::date::{Weekday, weekday};");
    assert_says("delete the\nscaffold's `every` function");
    let lib = dir.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap();
    let from = source.find("/// The `every` parameter").unwrap();
    let to = source
        .find("docket_plugin_sdk::export_reminder_policy!")
        .unwrap();
    let source = format!(
        "{}{snippet}\n{}",
        &source[..from],
        &source[to..]
    )
    .replace(
        "use docket_plugin_sdk::calendar::MAX_REMINDERS_PER_TASK;",
        "use docket_plugin_sdk::calendar::MAX_REMINDERS_PER_TASK;\nuse docket_plugin_sdk::date::{Weekday, weekday};",
    );
    std::fs::write(&lib, source).unwrap();
    let manifest = dir.join("overdue-mondays.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("every = 7\n", "")).unwrap();
    // Warnings are errors for this crate only, so the SDK built for the other projects is kept.
    let target = tmp.join("scaffold-target");
    build_in(
        &dir,
        "cargo",
        &[
            "rustc",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--target-dir",
            target.to_str().unwrap(),
            "--lib",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    );
    let wasm = target.join("wasm32-wasip2/release/overdue_mondays.wasm");
    let check = stdout(&docket(
        work.path(),
        &[
            "plugin",
            "check",
            wasm.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
        ],
    ));
    // Sent Monday 2 March with tasks due the 16th and 23rd: the Monday after the first is due.
    assert!(
        check.contains("first reminder 2026-03-23 09:00 GMT covering 1 task"),
        "{check}"
    );
}

#[test]
fn without_a_data_folder_a_python_plugin_compiles_once() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let wasm = out.path().join("first_weekday.wasm");
    support::componentize::build_python_example(
        root,
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        &wasm,
    )
    .unwrap();
    let manifest = root.join("examples/plugins/first-weekday/first-weekday.toml");
    // A cache folder of its own, and no data folder: the tools keep compiled components in
    // the user's cache folder.
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let started = std::time::Instant::now();
        let out = support::run_with(
            support::docket()
                .current_dir(out.path())
                .env("XDG_CACHE_HOME", cache.path())
                .args(args),
        );
        (stdout(&out), started.elapsed())
    };
    let (wasm, manifest) = (wasm.to_str().unwrap(), manifest.to_str().unwrap());
    let check = ["plugin", "check", wasm, "--manifest", manifest];
    let (first, took_first) = run(&check);
    assert!(first.contains("load:         compiled in"), "{first}");
    let (again, took_again) = run(&check);
    assert!(
        again.contains("load:         loaded from the cache"),
        "{again}"
    );
    let simulate = [
        "plugin",
        "simulate",
        "--file",
        wasm,
        "--manifest",
        manifest,
        "--sent",
        "2026-03-04",
        "--due",
        "2026-03-27",
    ];
    let (calendar, took_simulate) = run(&simulate);
    assert!(calendar.contains("reminder 1"), "{calendar}");
    eprintln!(
        "check without a data folder: {took_first:?} compiling, {took_again:?} from the cache; simulate from the cache: {took_simulate:?}"
    );
    // Well under a second on a quiet machine; the bound is generous for loaded CI boxes.
    assert!(took_again < took_first, "{took_again:?} vs {took_first:?}");
    assert!(took_again.as_secs() < 5, "{took_again:?}");
    assert!(took_simulate.as_secs() < 5, "{took_simulate:?}");
    assert!(
        std::fs::read_dir(cache.path().join("docket/plugin-cache"))
            .unwrap()
            .count()
            > 0
    );
}
