//! `docket plugin test`'s cases files: reminders compared as the server sends them (held to the
//! send schedule and past the holidays, as `simulate` shows them), the guide's example case run
//! against the example it names, and case files, manifests and plugin names written wrong
//! refused with what to write.

use super::*;

/// The old-contract test policy (a reminder every three days) with a manifest in `dir`.
fn every_three_days(dir: &std::path::Path) -> (String, String) {
    let manifest = dir.join("old.toml");
    std::fs::write(
        &manifest,
        "name = 'old'\nversion = '0.1.0'\nworld = 'reminder-policy'\n",
    )
    .unwrap();
    (
        guest("docket_test_contract_0_1.wasm").display().to_string(),
        manifest.display().to_string(),
    )
}

#[test]
fn table_cases_compare_the_reminders_the_server_sends_as_simulate_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let (wasm, manifest) = every_three_days(dir.path());
    // The policy asks for Thursday 5 March, a holiday: the server sends on Friday 6th.
    let text = stdout(&docket(
        dir.path(),
        &[
            "plugin",
            "simulate",
            "--file",
            &wasm,
            "--manifest",
            &manifest,
            "--sent",
            "2026-03-02",
            "--due",
            "2026-03-20",
            "--tz",
            "Europe/London",
            "--send-time",
            "09:00",
            "--send-schedule",
            "0 9 * * MON-FRI",
            "--holiday",
            "2026-03-05",
            "--days",
            "14",
        ],
    ));
    let simulated: Vec<String> = text
        .lines()
        .filter(|l| l.contains("  reminder "))
        .map(|l| format!("{} tasks 1", &l[..16]))
        .collect();
    assert_eq!(
        simulated,
        [
            "2026-03-06 09:00 tasks 1",
            "2026-03-09 09:00 tasks 1",
            "2026-03-12 09:00 tasks 1"
        ],
        "{text}"
    );
    let cases = dir.path().join("cases.toml");
    std::fs::write(
        &cases,
        format!(
            "[calendar]\nsend_schedule = '0 9 * * MON-FRI'\n\n\
             [[case]]\nname = 'as simulate shows it'\nsent = '2026-03-02'\ndue = ['2026-03-20']\n\
             holidays = ['2026-03-05']\ndays = 14\nreminders = {simulated:?}\n\n\
             [[case]]\nname = 'the raw answer, on the holiday'\nsent = '2026-03-02'\ndue = ['2026-03-20']\n\
             holidays = ['2026-03-05']\ndays = 5\nreminders = ['2026-03-05 09:00 tasks 1']\n"
        ),
    )
    .unwrap();
    let out = docket(
        dir.path(),
        &[
            "plugin",
            "test",
            &wasm,
            cases.to_str().unwrap(),
            "--manifest",
            &manifest,
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "ok      as simulate shows it",
            "FAILED  the raw answer, on the holiday  (- expected, + answered)",
            "    - 2026-03-05 09:00 tasks 1",
            "    + 2026-03-06 09:00 tasks 1",
            "2 cases: 1 passed, 1 failed",
        ],
        "{text}"
    );

    // A send time the case's schedule never sends at is refused, as the settings refuse it.
    std::fs::write(
        &cases,
        "[[case]]\nname = 'at ten'\nsend_time = '10:00'\nsend_schedule = '0 9 * * *'\n\
         sent = '2026-03-02'\ndue = ['2026-03-20']\nreminders = []\n",
    )
    .unwrap();
    let out = docket(
        dir.path(),
        &[
            "plugin",
            "test",
            &wasm,
            cases.to_str().unwrap(),
            "--manifest",
            &manifest,
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(
            "case `at ten`: send_time and send_schedule: the send time 10:00 is not a time the send schedule `0 9 * * *` sends at (09:00)"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_guide_s_holiday_case_passes_against_the_example_it_names() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("docs/plugins.md")).unwrap();
    // The cases file of section 4: its [calendar] and the case "a holiday of its own".
    let block = guide
        .split("```toml\n")
        .map(|b| b.split("```").next().unwrap())
        .find(|b| b.starts_with("[calendar]"))
        .expect("the guide shows a cases file");
    let calendar = block.split("\n\n").next().unwrap();
    let case = block
        .split("\n\n")
        .find(|c| c.contains("name = \"a holiday of its own\""))
        .expect("the guide's holiday case");
    assert!(case.contains("examples/plugins/business-days"), "{case}");
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.toml");
    std::fs::write(&cases, format!("{calendar}\n\n{case}\n")).unwrap();
    let test = stdout(&docket(
        dir.path(),
        &[
            "plugin",
            "test",
            guest("business_days.wasm").to_str().unwrap(),
            cases.to_str().unwrap(),
            "--manifest",
            example_manifest().to_str().unwrap(),
        ],
    ));
    assert_eq!(
        test,
        "ok      a holiday of its own\n1 cases: 1 passed, 0 failed\n"
    );
}

#[test]
fn cases_manifests_and_names_written_wrong_say_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let (wasm, manifest) = every_three_days(dir.path());
    let cases = dir.path().join("cases.toml");
    let test = |text: &str| {
        std::fs::write(&cases, text).unwrap();
        let out = docket(
            dir.path(),
            &[
                "plugin",
                "test",
                &wasm,
                cases.to_str().unwrap(),
                "--manifest",
                &manifest,
            ],
        );
        assert!(!out.status.success(), "{text}");
        stderr(&out)
    };
    let case = "[[case]]\nname = 'x'\nsent = '2026-03-02'\ndue = ['2026-03-20']\n";
    let err = test(&format!("{case}event = 'task-completed'\nreminders = []\n"));
    assert!(
        err.contains("case `x`: `event` does not apply to a reminder-policy plugin's case; remove it (its cases take sent, due, done, days, reminders)"),
        "{err}"
    );
    let err = test(&format!(
        "{case}days = 7\nreminders = ['2026-03-05 9:00 task 1']\n"
    ));
    assert!(
        err.contains("reminders: `2026-03-05 9:00 task 1` is not a reminder line; write `YYYY-MM-DD HH:MM tasks N,N`"),
        "{err}"
    );
    let err =
        test("[[case]]\nname = 'x'\nsent = '2026-02-30'\ndue = ['2026-03-20']\nreminders = []\n");
    assert!(
        err.contains("case `x`: sent: 2026-02-30 is not a date: February 2026 has 28 days"),
        "{err}"
    );

    // A manifest's version is semver; a name other than the file's is said, with what it means.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = 'old'\nversion = 'one'\nworld = 'reminder-policy'\n",
    )
    .unwrap();
    let out = docket(
        dir.path(),
        &[
            "plugin",
            "check",
            &wasm,
            "--manifest",
            bad.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("version `one` is not a version: write it as semver, MAJOR.MINOR.PATCH, e.g. version = \"0.1.0\""),
        "{}",
        stderr(&out)
    );
    let check = stdout(&docket(
        dir.path(),
        &["plugin", "check", &wasm, "--manifest", &manifest],
    ));
    assert!(
        check.contains(
            "note:         the manifest names the plugin `old`, not `docket-test-contract-0-1` as"
        ),
        "{check}"
    );
    assert!(
        check.contains("it is installed as old.wasm and old.toml, and templates name it `old`"),
        "{check}"
    );

    // A stock plugin's name is refused at once, before anything is written.
    let out = docket(
        dir.path(),
        &["plugin", "new", "gentle", "--world", "reminder-policy"],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("`gentle` is the name of a stock plugin"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("gentle").exists());
}
