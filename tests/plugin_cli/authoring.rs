//! What helps a plugin author when a plugin goes wrong, through the real binary: a Rust panic
//! and a Python exception (`sys.exit` too) reaching `check`, `test` and `simulate` with their
//! message and place, and a reminder covering no task refused; table cases with holidays and
//! expected errors; the refusal naming the build command of the file's own language, and a WASI
//! program told it is no plugin; `check` saying first that the file or the manifest is missing;
//! and a component of the old 0.1.0 contract asked only through its batch call.

use std::path::{Path, PathBuf};

use super::*;

/// The misbehaving test policy with a manifest whose default `mode` is `mode`.
fn misbehave(dir: &Path, mode: &str) -> (PathBuf, PathBuf) {
    let manifest = dir.join("misbehave.toml");
    std::fs::write(
        &manifest,
        format!(
            "name = 'misbehave'\nversion = '0.1.0'\nworld = 'reminder-policy'\n[params]\nmode = '{mode}'\n"
        ),
    )
    .unwrap();
    (guest("docket_test_misbehave.wasm"), manifest)
}

#[test]
fn a_rust_panic_reaches_check_test_and_simulate_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let (wasm, manifest) = misbehave(dir.path(), "panic");
    let (wasm, manifest) = (wasm.to_str().unwrap(), manifest.to_str().unwrap());
    let panic = "plugin `misbehave` failed: panic: misbehave was asked to panic (mode = panic) at testing/misbehave/src/lib.rs:";

    let out = docket(
        dir.path(),
        &["plugin", "check", wasm, "--manifest", manifest],
    );
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("trial:        failed: {panic}")),
        "{text}"
    );
    assert!(!text.contains("install:"), "{text}");
    assert!(stderr(&out).contains(panic), "{}", stderr(&out));

    let cases = dir.path().join("cases.toml");
    std::fs::write(
        &cases,
        "[[case]]\nname = 'it panics'\nsent = '2026-03-02'\ndue = ['2026-03-20']\n\
         expect_error = 'failed: panic: misbehave was asked to panic'\n\n\
         [[case]]\nname = 'asked not to'\nsent = '2026-03-02'\ndue = ['2026-03-20']\n\
         params = { mode = 'ok' }\nreminders = []\n",
    )
    .unwrap();
    let test = stdout(&docket(
        dir.path(),
        &[
            "plugin",
            "test",
            wasm,
            cases.to_str().unwrap(),
            "--manifest",
            manifest,
        ],
    ));
    assert!(test.ends_with("2 cases: 2 passed, 0 failed\n"), "{test}");

    let out = docket(
        dir.path(),
        &[
            "plugin",
            "simulate",
            "--file",
            wasm,
            "--manifest",
            manifest,
            "--sent",
            "2026-03-02",
            "--due",
            "2026-03-20",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains(panic), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim_end().lines().count(),
        1,
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_python_exception_reaches_check_test_and_simulate_with_its_line() {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let componentize_py = support::componentize::componentize_py(tmp).unwrap();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("counting");
    stdout(&docket(
        work.path(),
        &[
            "plugin",
            "new",
            "counting",
            "--world",
            "reminder-policy",
            "--lang",
            "python",
            "--dir",
            dir.to_str().unwrap(),
        ],
    ));
    // A bug: `every` read with int() by hand, which raises for anything but digits.
    std::fs::write(
        dir.join("app.py"),
        "from docket_plugin import Params, local_time\n\
         from docket_plugin.reminders import Next, Policy, after, open_tasks\n\
         \n\
         \n\
         class Reminder(Policy):\n\
         \x20   def next_reminder(self, calendar, params, group):\n\
         \x20       every = int(Params(params, known={\"every\": \"7\"}).text(\"every\"))\n\
         \x20       tasks = open_tasks(group)\n\
         \x20       if not tasks:\n\
         \x20           return None\n\
         \x20       return Next(at=local_time(after(group).day + every, calendar.send_time), tasks=tasks)\n",
    )
    .unwrap();
    build_in(
        &dir,
        "sh",
        &["build.sh"],
        &[("COMPONENTIZE_PY", &componentize_py)],
    );
    let wasm = dir.join("counting.wasm");
    let manifest = dir.join("counting.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("every = 7", "every = \"soon\"")).unwrap();
    let (wasm, manifest) = (wasm.to_str().unwrap(), manifest.to_str().unwrap());
    let exception = "plugin `counting` failed: ValueError: invalid literal for int() with base 10: 'soon' at app.py:7";

    let out = docket(
        work.path(),
        &["plugin", "check", wasm, "--manifest", manifest],
    );
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("trial:        failed: {exception}")),
        "{text}"
    );

    let cases = dir.join("crash.toml");
    std::fs::write(
        &cases,
        "[[case]]\nname = 'a word for every'\nsent = '2026-03-02'\ndue = ['2026-03-20']\n\
         expect_error = \"ValueError: invalid literal for int() with base 10: 'soon' at app.py:7\"\n\n\
         [[case]]\nname = 'a number'\nsent = '2026-03-02'\ndue = ['2026-03-20']\nparams = { every = 30 }\n\
         reminders = ['2026-04-01 09:00 tasks 1', '2026-05-01 09:00 tasks 1', '2026-05-31 09:00 tasks 1', '2026-06-30 09:00 tasks 1', '2026-07-30 09:00 tasks 1']\n",
    )
    .unwrap();
    let test = stdout(&docket(
        work.path(),
        &[
            "plugin",
            "test",
            wasm,
            cases.to_str().unwrap(),
            "--manifest",
            manifest,
        ],
    ));
    assert!(test.ends_with("2 cases: 2 passed, 0 failed\n"), "{test}");

    let out = docket(
        work.path(),
        &[
            "plugin",
            "simulate",
            "--file",
            wasm,
            "--manifest",
            manifest,
            "--sent",
            "2026-03-02",
            "--due",
            "2026-03-20",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains(exception), "{}", stderr(&out));

    // A plugin that exits is caught as the failure it is, with its status and line; one that
    // answers a reminder covering no task is refused as an invalid answer.
    std::fs::write(
        dir.join("app.py"),
        "import sys\n\
         from docket_plugin import Params, local_time\n\
         from docket_plugin.reminders import Next, Policy, after\n\
         \n\
         \n\
         class Reminder(Policy):\n\
         \x20   def next_reminder(self, calendar, params, group):\n\
         \x20       mode = Params(params, known={\"every\": \"7\", \"mode\": \"\"}).text(\"mode\")\n\
         \x20       if mode == \"exit\":\n\
         \x20           raise SystemExit(3)\n\
         \x20       if mode == \"quit\":\n\
         \x20           sys.exit(0)\n\
         \x20       return Next(at=local_time(after(group).day + 1, calendar.send_time), tasks=[])\n",
    )
    .unwrap();
    build_in(
        &dir,
        "sh",
        &["build.sh"],
        &[("COMPONENTIZE_PY", &componentize_py)],
    );
    std::fs::write(
        &cases,
        "[[case]]\nname = 'exit'\nsent = '2026-03-02'\ndue = ['2026-03-20']\nparams = { mode = 'exit' }\n\
         expect_error = 'failed: SystemExit: the plugin exited (status 3) instead of answering at app.py:10'\n\n\
         [[case]]\nname = 'quit'\nsent = '2026-03-02'\ndue = ['2026-03-20']\nparams = { mode = 'quit' }\n\
         expect_error = 'failed: SystemExit: the plugin exited (status 0) instead of answering at app.py:12'\n\n\
         [[case]]\nname = 'empty'\nsent = '2026-03-02'\ndue = ['2026-03-20']\n\
         expect_error = 'failed: invalid answer: the reminder on 2026-03-03 at 09:00 covers no task; a reminder covers at least one task (return None for no reminder) at app.py:7'\n",
    )
    .unwrap();
    let test = stdout(&docket(
        work.path(),
        &[
            "plugin",
            "test",
            wasm,
            cases.to_str().unwrap(),
            "--manifest",
            manifest,
        ],
    ));
    assert!(test.ends_with("3 cases: 3 passed, 0 failed\n"), "{test}");
}

#[test]
fn table_cases_take_holidays_and_expect_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.toml");
    // Gentle under business days: the due date, Saturday 26 December 2026, moves past the
    // weekend and the case's holiday on Monday 28th to Tuesday 29th.
    std::fs::write(
        &cases,
        "[calendar]\ntimezone = 'Europe/London'\nsend_time = '09:00'\n\n\
         [[case]]\nname = 'past a holiday of the case'\nsent = '2026-12-01'\ndue = ['2026-12-26']\n\
         holidays = ['2026-12-28']\ndays = 29\n\
         reminders = ['2026-12-21 09:00 tasks 1', '2026-12-29 09:00 tasks 1']\n\n\
         [[case]]\nname = 'a refused parameter'\nsent = '2026-12-01'\ndue = ['2026-12-26']\n\
         params = { preset = 'sometimes' }\nexpect_error = 'bad parameter: unknown preset `sometimes`'\n\n\
         [[case]]\nname = 'an error that does not come'\nsent = '2026-12-01'\ndue = ['2026-12-26']\n\
         expect_error = 'bad parameter'\n",
    )
    .unwrap();
    let out = docket(
        dir.path(),
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
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "ok      past a holiday of the case", "{text}");
    assert_eq!(lines[1], "ok      a refused parameter", "{text}");
    assert_eq!(
        lines[2], "FAILED  an error that does not come  (- expected, + answered)",
        "{text}"
    );
    assert!(lines.contains(&"    - error: …bad parameter…"), "{text}");
    assert_eq!(lines.last(), Some(&"3 cases: 2 passed, 1 failed"), "{text}");

    // An answer the host refuses is an error a case can expect too.
    let (wasm, manifest) = misbehave(dir.path(), "daily-all");
    std::fs::write(
        &cases,
        "[[case]]\nname = 'a done task reminded'\nsent = '2026-03-02'\ndue = ['2026-03-20', '2026-03-27']\n\
         done = ['2@2026-03-02T12:00']\nreminders = []\n\
         expect_error = 'gave an invalid answer: covered index 1 (task 2) is done'\n",
    )
    .unwrap();
    let test = stdout(&docket(
        dir.path(),
        &[
            "plugin",
            "test",
            wasm.to_str().unwrap(),
            cases.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
        ],
    ));
    assert!(test.ends_with("1 cases: 1 passed, 0 failed\n"), "{test}");
}

#[test]
fn refusals_name_the_build_command_of_the_file_s_language() {
    let dir = tempfile::tempdir().unwrap();
    let python = dir.path().join("app.py");
    std::fs::write(&python, "class Reminder:\n    pass\n").unwrap();
    let rust = dir.path().join("lib.rs");
    std::fs::write(&rust, "fn main() {}\n").unwrap();
    for (file, says, not) in [
        (&python, "componentize-py", "cargo build"),
        (
            &rust,
            "cargo build --release --target wasm32-wasip2",
            "componentize-py",
        ),
    ] {
        let out = docket(dir.path(), &["plugin", "check", file.to_str().unwrap()]);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("not a WebAssembly component"), "{err}");
        assert!(err.contains(says) && !err.contains(not), "{err}");
    }

    // A plain WASI program, as `cargo new` writes it, is told it is a program, not a plugin,
    // with the project to start from and how to build it; a file that is not there is said
    // first.
    let hello = dir.path().join("hello");
    std::fs::create_dir_all(hello.join("src")).unwrap();
    std::fs::write(
        hello.join("Cargo.toml"),
        "[package]\nname = 'hello'\nversion = '0.1.0'\nedition = '2024'\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        hello.join("src/main.rs"),
        "fn main() {\n    println!(\"hello\");\n}\n",
    )
    .unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hello-target");
    build_in(
        &hello,
        "cargo",
        &[
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--target-dir",
            target.to_str().unwrap(),
        ],
        &[],
    );
    let program = target.join("wasm32-wasip2/release/hello.wasm");
    let out = docket(dir.path(), &["plugin", "check", program.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("it is a WASI program (it exports wasi:cli/run")
            && err.contains("`docket plugin new hello --world reminder-policy (or sending-rule, notification-hook)`")
            && err.contains("cargo build --release --target wasm32-wasip2` (the component is target/wasm32-wasip2/release/hello.wasm)"),
        "{err}"
    );
    let out = docket(dir.path(), &["plugin", "check", "missing.wasm"]);
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out).trim_end(),
        "error: missing.wasm: no such file; give the path of the plugin's `.wasm` component"
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // A missing manifest is the first thing `check` says, and the command fails.
    let wasm = dir.path().join("lonely.wasm");
    std::fs::copy(guest("business_days.wasm"), &wasm).unwrap();
    let out = docket(dir.path(), &["plugin", "check", wasm.to_str().unwrap()]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.starts_with("manifest:     missing: no manifest found for"),
        "{text}"
    );
    let out = docket(
        dir.path(),
        &[
            "plugin",
            "check",
            wasm.to_str().unwrap(),
            "--manifest",
            "nowhere.toml",
        ],
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("manifest:     missing: --manifest nowhere.toml: no such file"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Given, the manifest is kept in the install command `check` suggests.
    let manifest = example_manifest();
    let text = stdout(&docket(
        dir.path(),
        &[
            "plugin",
            "check",
            wasm.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
        ],
    ));
    assert!(
        text.contains(&format!(
            "`docket plugin install --data DATA --manifest {} {}`",
            manifest.display(),
            wasm.display()
        )),
        "{text}"
    );

    // `--done` before `--sent` is refused, never ignored.
    let out = docket(
        dir.path(),
        &[
            "plugin",
            "simulate",
            "--policy",
            "gentle",
            "--done",
            "1@2026-02-20",
            "--sent",
            "2026-03-01",
            "--due",
            "2026-03-27",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--done `1@2026-02-20` is before the group is sent"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_component_of_the_old_contract_is_checked_tested_and_simulated_through_its_batch() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = guest("docket_test_contract_0_1.wasm");
    let manifest = dir.path().join("old.toml");
    std::fs::write(
        &manifest,
        "name = 'old'\nversion = '0.1.0'\nworld = 'reminder-policy'\n",
    )
    .unwrap();
    let (wasm, manifest) = (wasm.to_str().unwrap(), manifest.to_str().unwrap());
    let check = stdout(&docket(
        dir.path(),
        &["plugin", "check", wasm, "--manifest", manifest],
    ));
    assert!(
        check.contains("contract:     docket:plugin@0.1.0, served through an adapter"),
        "{check}"
    );
    // The test component is a policy and a rule in one; the manifest says which it serves as.
    assert!(
        check.contains("world:        reminder-policy and sending-rule, both in this one component; it is served as the one its manifest declares"),
        "{check}"
    );
    // Checked, not installed: its origin is the file.
    let json: serde_json::Value = serde_json::from_str(&stdout(&docket(
        dir.path(),
        &["plugin", "check", wasm, "--manifest", manifest, "--json"],
    )))
    .unwrap();
    assert_eq!(
        json["plugin"]["origin"],
        serde_json::json!({ "file": wasm })
    );
    // The batch reminds every three days; the single-group call, never made, every day.
    assert!(
        check.contains("first reminder 2026-03-05 09:00 GMT"),
        "{check}"
    );
    let text = stdout(&docket(
        dir.path(),
        &[
            "plugin",
            "simulate",
            "--file",
            wasm,
            "--manifest",
            manifest,
            "--sent",
            "2026-03-02",
            "--due",
            "2026-03-20",
            "--tz",
            "Europe/London",
            "--send-time",
            "09:00",
        ],
    ));
    let days: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("  reminder "))
        .map(|l| &l[..10])
        .collect();
    assert_eq!(
        days,
        [
            "2026-03-05",
            "2026-03-08",
            "2026-03-11",
            "2026-03-14",
            "2026-03-17"
        ],
        "{text}"
    );
    assert!(
        text.ends_with("end: no more reminders: every open task has had 5, the most until the group is resent\n"),
        "{text}"
    );
    let cases = dir.path().join("cases.toml");
    std::fs::write(
        &cases,
        "[[case]]\nname = 'every three days'\nsent = '2026-03-02'\ndue = ['2026-03-20']\ndays = 7\n\
         reminders = ['2026-03-05 09:00 tasks 1', '2026-03-08 09:00 tasks 1']\n",
    )
    .unwrap();
    let test = stdout(&docket(
        dir.path(),
        &[
            "plugin",
            "test",
            wasm,
            cases.to_str().unwrap(),
            "--manifest",
            manifest,
        ],
    ));
    assert!(test.ends_with("1 cases: 1 passed, 0 failed\n"), "{test}");
}
