//! The command line beside a running server: every command that reads or changes the firm's
//! records answers through the server's admin socket exactly as it does on the stopped folder;
//! the socket is its owner's alone, a crash's leftover stops no start, and `check` runs while
//! the server serves.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::*;

/// `text` with what two firms built alike cannot share masked: ids (26-letter ULIDs), times of
/// day, the data folder's path, made-up passwords, token secrets and plugins' load times.
fn masked(text: &str, data: &str) -> String {
    let text = text.replace(data, "DATA");
    let mut out = String::new();
    for line in text.lines() {
        let line = if line.starts_with("password: ") {
            "password: SECRET".to_string()
        } else if line.starts_with("dkt_") {
            "SECRET".to_string()
        } else if line.trim_start().starts_with("\"ms\": ") {
            // How long a plugin took to load (`plugin list --json`).
            "\"ms\": MS".to_string()
        } else if line.starts_with("load:") {
            // How long `plugin check` took to load the component.
            "load: TIME".to_string()
        } else {
            mask_words(line)
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// ULIDs as `ID`, clock times (digits joined by colons) as `T`.
fn mask_words(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            .count();
        if run == 26 {
            out.push_str("ID");
            i += run;
            continue;
        }
        let time = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == ':' || **c == '.')
            .count();
        if time > 0 && chars[i..i + time].contains(&':') {
            out.push('T');
            i += time;
            continue;
        }
        let word = run.max(1);
        out.extend(&chars[i..i + word]);
        i += word;
    }
    out
}

/// Runs `docket ARGS --data DATA`: exit status, stdout and stderr, masked.
fn answer(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let data = data_arg(dir);
    let mut all = args.to_vec();
    all.extend(["--data", &data]);
    let output = run(&all);
    (
        output.status.success(),
        masked(&stdout(&output), &data),
        masked(&stderr(&output), &data),
    )
}

/// The id of the first work item `work list` prints.
fn first_work(dir: &Path) -> String {
    let listed = ok(&["work", "list", "--data", &data_arg(dir)]);
    listed.split_whitespace().next().unwrap().to_string()
}

/// Every data command, reads and changes, on the firm in `dir`.
fn script(dir: &Path, files: &Path) -> Vec<(String, (bool, String, String))> {
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/templates");
    let other = std::fs::read_dir(examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("annual-tax-return.toml"))
        .min()
        .unwrap();
    let other = other.to_str().unwrap();
    let exported = files.join("exported.toml");
    let mut answers = Vec::new();
    let mut ask = |args: &[&str]| answers.push((args.join(" "), answer(dir, args)));
    ask(&["user", "list"]);
    ask(&[
        "user",
        "add",
        "--email",
        "pat@firm.example",
        "--role",
        "admin",
    ]);
    ask(&[
        "user",
        "add",
        "--email",
        "pat@firm.example",
        "--role",
        "admin",
    ]);
    ask(&["user", "role", "sam@firm.example", "admin"]);
    ask(&["user", "disable", "sam@firm.example"]);
    ask(&["user", "enable", "sam@firm.example"]);
    ask(&[
        "user",
        "invite",
        "--email",
        "lee@firm.example",
        "--role",
        "staff",
    ]);
    ask(&["token", "create", "--name", "script", "--role", "admin"]);
    ask(&["token", "list"]);
    ask(&[
        "contact",
        "add",
        "--email",
        "bo@client.example",
        "--name",
        "Bo",
    ]);
    ask(&[
        "contact",
        "add",
        "--email",
        "bo@client.example",
        "--name",
        "Bo",
    ]);
    ask(&["contact", "edit", "bo@client.example", "--name", "Bob"]);
    ask(&["contact", "list"]);
    ask(&["contact", "show", "ann@client.example"]);
    ask(&["contact", "show", "nobody@client.example"]);
    ask(&["template", "list"]);
    ask(&["template", "show", "Annual tax return"]);
    ask(&["template", "import", other]);
    ask(&["template", "import", other]);
    ask(&["template", "archive", "Annual tax return"]);
    ask(&["template", "restore", "Annual tax return"]);
    ask(&["template", "export", "Annual tax return"]);
    let export = ok(&[
        "template",
        "export",
        "Annual tax return",
        "--data",
        &data_arg(dir),
    ]);
    std::fs::write(&exported, export).unwrap();
    ask(&[
        "template",
        "import",
        "--replace",
        exported.to_str().unwrap(),
    ]);
    ask(&[
        "work",
        "create",
        "--template",
        "Annual tax return",
        "--start",
        "2028-03-01",
        "--contact",
        "bo@client.example",
    ]);
    ask(&["work", "list"]);
    ask(&["work", "list", "--contact", "ann@client.example"]);
    let work = first_work(dir);
    ask(&["work", "show", &work]);
    ask(&["work", "complete", &work]);
    ask(&["work", "reopen", &work]);
    ask(&["work", "show", "not-an-id"]);
    ask(&[
        "settings",
        "set",
        "name",
        "Beside & Co",
        "holidays",
        "2028-12-25",
    ]);
    ask(&["settings", "set", "send_time", "25:00"]);
    ask(&["settings", "show"]);
    ask(&["sending", "status"]);
    ask(&["sending", "pause"]);
    ask(&["sending", "pause"]);
    ask(&["sending", "resume"]);
    ask(&["sending", "resume"]);
    plugin_script(&mut ask);
    ask(&["check"]);
    ask(&["check", "--quick"]);
    let backup = files.join("firm.backup");
    let (done, out, err) = answer(dir, &["backup", "--out", backup.to_str().unwrap()]);
    // How many records it holds follows what the server did meanwhile (it delivers the
    // invitation's email from its outbox); what the archive holds is compared below.
    let held: String = out
        .replace(files.to_str().unwrap(), "FILES")
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect();
    answers.push(("backup".into(), (done, held, err)));
    answers
}

/// The business-days example policy as the engine's build left it, and its manifest.
fn example_plugin() -> (String, String) {
    let root = env!("CARGO_MANIFEST_DIR");
    (
        format!("{root}/target/wasm-plugins/wasm32-wasip2/release/business_days.wasm"),
        format!("{root}/examples/plugins/business-days/business-days.toml"),
    )
}

/// Installs the example policy into the data folder `dir` by hand, as before a server starts.
fn preinstall_plugin(dir: &Path) {
    let (wasm, manifest) = example_plugin();
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(wasm, plugins.join("business-days.wasm")).unwrap();
    std::fs::copy(manifest, plugins.join("business-days.toml")).unwrap();
}

/// The plugin commands, which read the firm's grants, calendar and plugin users through the
/// admin socket while a server runs: list, check, install (replacing the plugin installed by
/// hand), remove refused while a template names it, a calendar preview in the firm's stored
/// settings, then remove forced.
fn plugin_script(ask: &mut dyn FnMut(&[&str])) {
    let (wasm, manifest) = example_plugin();
    ask(&["plugin", "list"]);
    ask(&["plugin", "list", "--json"]);
    ask(&["plugin", "check", &wasm, "--manifest", &manifest]);
    ask(&["plugin", "install", &wasm, "--manifest", &manifest]);
    // A template whose reminders the installed policy plans; its file's path is the same on
    // both sides, so what import prints is too.
    let tax = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/templates/annual-tax-return.toml"
    ))
    .unwrap();
    let named = tax
        .replacen(
            "name = \"Annual tax return\"",
            "name = \"Business days\"",
            1,
        )
        .replace("plugin = \"gentle\"", "plugin = \"business-days\"");
    assert!(
        named.contains("business-days"),
        "the template names the policy"
    );
    let shared = std::env::temp_dir().join(format!("docket-beside-{}", std::process::id()));
    std::fs::create_dir_all(&shared).unwrap();
    let template = shared.join("business-days-template.toml");
    std::fs::write(&template, named).unwrap();
    ask(&["template", "import", template.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&shared);
    ask(&["plugin", "remove", "business-days"]);
    ask(&[
        "plugin",
        "simulate",
        "--policy",
        "business-days",
        "--sent",
        "2028-03-01",
        "--due",
        "2028-03-20",
    ]);
    ask(&["plugin", "remove", "gentle"]);
    ask(&["plugin", "remove", "business-days", "--force"]);
    ask(&["plugin", "remove", "business-days"]);
}

#[test]
fn every_data_command_answers_beside_the_running_server_as_on_the_stopped_folder() {
    let served = tempfile::tempdir().unwrap();
    let stopped = tempfile::tempdir().unwrap();
    small_firm(served.path());
    small_firm(stopped.path());
    preinstall_plugin(served.path());
    preinstall_plugin(stopped.path());
    let served_files = tempfile::tempdir().unwrap();
    let stopped_files = tempfile::tempdir().unwrap();

    let server = support::Server::start(served.path(), &[]);
    let beside = script(served.path(), served_files.path());
    server.stop();
    let alone = script(stopped.path(), stopped_files.path());
    for ((command, beside), (_, alone)) in beside.iter().zip(&alone) {
        assert_eq!(beside, alone, "`docket {command}` beside the server");
    }
    assert!(
        beside.iter().filter(|(_, (done, _, _))| *done).count() > 30,
        "most commands succeed: {beside:?}"
    );
    assert!(
        beside.iter().any(|(_, (done, _, _))| !*done),
        "refusals are compared too"
    );
    // The plugin commands got the server's records: who names a plugin, the firm's calendar.
    let said = |command: &str| {
        beside
            .iter()
            .find(|(c, _)| c.as_str() == command)
            .map(|(_, answer)| answer.clone())
            .unwrap()
    };
    let (removed, _, why) = said("plugin remove business-days");
    assert!(
        !removed && why.contains("“Business days” still names `business-days`"),
        "{why}"
    );
    let (_, _, preview) =
        said("plugin simulate --policy business-days --sent 2028-03-01 --due 2028-03-20");
    assert!(
        preview.contains("stored in the data folder DATA"),
        "{preview}"
    );

    // What the commands changed is the same in both folders.
    for args in [
        &["user", "list"][..],
        &["contact", "list"],
        &["template", "list"],
        &["work", "list"],
        &["settings", "show"],
        &["check"],
    ] {
        assert_eq!(answer(served.path(), args), answer(stopped.path(), args));
    }
    // The backup taken beside the server restores into a sound firm.
    let restored = tempfile::tempdir().unwrap();
    let backup = served_files.path().join("firm.backup");
    ok(&[
        "restore",
        backup.to_str().unwrap(),
        "--data",
        &data_arg(restored.path()),
    ]);
    assert_eq!(
        answer(restored.path(), &["work", "list"]),
        answer(served.path(), &["work", "list"])
    );
}

#[test]
fn the_admin_socket_is_the_owners_alone_and_a_crashed_servers_socket_stops_no_start() {
    use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
    let dir = tempfile::tempdir().unwrap();
    new_folder(dir.path());
    let data = data_arg(dir.path());
    let socket = dir.path().join("admin.sock");
    assert!(!socket.exists(), "a clean stop removes the socket");

    let server = support::Server::start(dir.path(), &[]);
    let meta = std::fs::metadata(&socket).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let folder = std::fs::metadata(dir.path()).unwrap().permissions().mode();
    assert_eq!(folder & 0o077, 0, "only the owner reaches into the folder");
    ok(&[
        "contact",
        "add",
        "--email",
        "a@client.example",
        "--name",
        "A",
        "--data",
        &data,
    ]);

    // SIGKILL leaves the socket behind, with nothing listening.
    server.crash();
    assert!(socket.exists());
    let listed = ok(&["contact", "list", "--data", &data]);
    assert!(listed.contains("a@client.example"), "{listed}");

    // The next start replaces it, and commands reach that server.
    let server = support::Server::start(dir.path(), &[]);
    ok(&[
        "contact",
        "add",
        "--email",
        "b@client.example",
        "--name",
        "B",
        "--data",
        &data,
    ]);
    let direct = run_with(
        support::docket()
            .args(["contact", "list", "--data"])
            .arg(dir.path()),
    );
    assert!(stdout(&direct).contains("b@client.example"));
    assert!(server.stop().success());
    assert!(!socket.exists(), "a clean stop removes the socket");
}

#[test]
fn check_runs_beside_the_server_while_it_serves_requests() {
    let dir = tempfile::tempdir().unwrap();
    small_firm(dir.path());
    let data = data_arg(dir.path());
    let server = support::Server::start(dir.path(), &[]);
    // A token made beside the server, for a client that keeps writing while `check` runs.
    let token = ok(&[
        "token", "create", "--name", "load", "--role", "admin", "--data", &data,
    ])
    .trim()
    .to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let made = Arc::new(AtomicUsize::new(0));
    let writer = {
        let stop = stop.clone();
        let count = made.clone();
        let base = server.base.clone();
        std::thread::spawn(move || {
            let client = support::http();
            let mut made = 0;
            while !stop.load(Ordering::Relaxed) {
                let response = client
                    .post(format!("{base}/api/contacts"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({
                        "email": format!("load{made}@client.example"),
                        "name": format!("Load {made}"),
                    }))
                    .send()
                    .unwrap();
                assert_eq!(response.status().as_u16(), 201, "{:?}", response.text());
                made += 1;
                count.store(made, Ordering::Relaxed);
                let listed = client
                    .get(format!("{base}/api/work"))
                    .bearer_auth(&token)
                    .send()
                    .unwrap();
                assert!(listed.status().is_success());
            }
            made
        })
    };
    let start = std::time::Instant::now();
    while made.load(Ordering::Relaxed) == 0 {
        assert!(start.elapsed() < support::TIMEOUT, "the server answers");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    for _ in 0..3 {
        assert_eq!(ok(&["check", "--data", &data]), "no problems found\n");
        assert_eq!(
            ok(&["check", "--quick", "--data", &data]),
            "no problems found\n"
        );
    }
    stop.store(true, Ordering::Relaxed);
    let made = writer.join().unwrap();
    assert!(made > 1, "the server served requests meanwhile");
    assert!(server.stop().success());
    assert_eq!(ok(&["check", "--data", &data]), "no problems found\n");
    let listed = ok(&["contact", "list", "--data", &data]);
    assert_eq!(
        listed.matches("@client.example").count(),
        made + 1,
        "{listed}"
    );
}
