//! `docket plugin new`: the files of a ready plugin project for one world and language — the
//! manifest, the source, the build command, table tests and a copy of the contract and the
//! guest SDK, so the project builds wherever it is, without a Docket checkout.

use std::path::{Path, PathBuf};

use super::manifest::{World, valid_name};

/// The language a new plugin is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Rust,
    Python,
}

impl Language {
    pub fn parse(text: &str) -> Option<Language> {
        match text {
            "rust" => Some(Language::Rust),
            "python" => Some(Language::Python),
            _ => None,
        }
    }

    /// The language `bytes` (the file at `path`) was written in, when it shows: source code by
    /// its extension, a component or module by what built it (componentize-py leaves its name
    /// in the component; rustc names itself in the `producers` section). Looked at only when
    /// a file is refused, to name the right build command.
    pub(crate) fn of_file(path: &Path, bytes: &[u8]) -> Option<Language> {
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        match path.extension().and_then(|e| e.to_str()) {
            Some("py") => return Some(Language::Python),
            Some("rs") => return Some(Language::Rust),
            _ => {}
        }
        if has(b"componentize-py") {
            Some(Language::Python)
        } else if has(b"rustc") {
            Some(Language::Rust)
        } else {
            None
        }
    }

    /// How to build a component in `language` (both ways when it is not known), naming the
    /// plugin's file and world where `target` knows them.
    pub(crate) fn build_hint(language: Option<Language>, target: &BuildTarget) -> String {
        let stem = target.name.as_ref().map(|n| n.replace('-', "_"));
        let rust = match &stem {
            Some(stem) => format!(
                "`cargo build --release --target wasm32-wasip2` (the component is target/wasm32-wasip2/release/{stem}.wasm)"
            ),
            None => "`cargo build --release --target wasm32-wasip2` (it writes the component into target/wasm32-wasip2/release/, named after the crate)".to_string(),
        };
        let python = match (&stem, target.world) {
            (Some(stem), Some(world)) => format!(
                "componentize-py against Docket's wit/ folder (`sh build.sh` in a project of `docket plugin new --lang python`, which runs `componentize-py -d wit -w {world} componentize -p . app -o {stem}.wasm`)"
            ),
            _ => "componentize-py against Docket's wit/ folder and the plugin's world (`sh build.sh` in a project of `docket plugin new --lang python` runs it)".to_string(),
        };
        match language {
            Some(Language::Rust) => format!("build it with {rust}"),
            Some(Language::Python) => format!("build it with {python}"),
            None => format!("build it with {rust} for Rust, or with {python}"),
        }
    }
}

/// What a build hint names when it is known: the plugin, whose name gives the component's file
/// (`overdue-mondays` builds `overdue_mondays.wasm`), and its world.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildTarget {
    pub name: Option<String>,
    pub world: Option<World>,
}

impl BuildTarget {
    /// The plugin of component `wasm`: the name and world its manifest gives, as far as they
    /// can be read (a manifest with other faults still names them), else the name of the file.
    pub fn of(wasm: &Path, manifest: Option<&Path>) -> BuildTarget {
        let table = manifest
            .and_then(|m| std::fs::read_to_string(m).ok())
            .and_then(|text| text.parse::<toml::Table>().ok())
            .unwrap_or_default();
        let text = |key: &str| table.get(key).and_then(|v| v.as_str()).map(str::to_string);
        let from_file = wasm
            .file_stem()
            .map(|s| super::manifest::name_of_stem(&s.to_string_lossy()));
        BuildTarget {
            name: text("name").or(from_file).filter(|n| valid_name(n)),
            world: text("world").and_then(|w| World::parse(&w)),
        }
    }
}

/// A new project: files relative to its folder, and the command that builds the component.
#[derive(Debug)]
pub struct Scaffold {
    pub files: Vec<(PathBuf, String)>,
    /// The build command, run in the project's folder.
    pub build: String,
    /// The component the build writes, relative to the project's folder.
    pub component: PathBuf,
}

const WIT: [(&str, &str); 4] = [
    ("types.wit", include_str!("../../../wit/types.wit")),
    (
        "reminder-policy.wit",
        include_str!("../../../wit/reminder-policy.wit"),
    ),
    (
        "sending-rule.wit",
        include_str!("../../../wit/sending-rule.wit"),
    ),
    (
        "notification-hook.wit",
        include_str!("../../../wit/notification-hook.wit"),
    ),
];

const RUST_SDK: [(&str, &str); 4] = [
    (
        "sdk/docket-plugin-sdk/src/lib.rs",
        include_str!("../../../plugins/sdk/src/lib.rs"),
    ),
    (
        "sdk/docket-plugin-sdk/src/panic.rs",
        include_str!("../../../plugins/sdk/src/panic.rs"),
    ),
    (
        "sdk/docket-plugin-sdk/src/date.rs",
        include_str!("../../../plugins/sdk/src/date.rs"),
    ),
    (
        "sdk/docket-reminder-core/src/lib.rs",
        include_str!("../../../plugins/reminder-core/src/lib.rs"),
    ),
];

const PYTHON_SDK: [(&str, &str); 6] = [
    (
        "docket_plugin/__init__.py",
        include_str!("../../../plugins/python/docket_plugin/__init__.py"),
    ),
    (
        "docket_plugin/days.py",
        include_str!("../../../plugins/python/docket_plugin/days.py"),
    ),
    (
        "docket_plugin/params.py",
        include_str!("../../../plugins/python/docket_plugin/params.py"),
    ),
    (
        "docket_plugin/times.py",
        include_str!("../../../plugins/python/docket_plugin/times.py"),
    ),
    (
        "docket_plugin/plugin.py",
        include_str!("../../../plugins/python/docket_plugin/plugin.py"),
    ),
    (
        "docket_plugin/reminders.py",
        include_str!("../../../plugins/python/docket_plugin/reminders.py"),
    ),
];

const SDK_CARGO: &str = r#"[package]
name = "docket-plugin-sdk"
description = "Write Docket plugins in Rust: the bindings of the docket:plugin WIT worlds plus date helpers"
version = "0.1.0"
edition = "2024"
publish = false

# Enable exactly one world per plugin.
[features]
default = []
reminder-policy = []
sending-rule = []
notification-hook = []

[dependencies]
docket-reminder-core = { path = "../docket-reminder-core" }
wit-bindgen = { version = "0.61", default-features = false, features = ["macros", "realloc", "std"] }
"#;

const CORE_CARGO: &str = r#"[package]
name = "docket-reminder-core"
description = "The stock reminder calendars (gentle, urgent, custom) as pure, dependency-free Rust"
version = "0.1.0"
edition = "2024"
publish = false
"#;

/// The project for plugin `name` of `world` in `language`; `name` must be a plugin name.
pub fn scaffold(name: &str, world: World, language: Language) -> Result<Scaffold, String> {
    if !valid_name(name) {
        return Err(format!(
            "`{name}` is not a plugin name: use lower-case letters, digits and hyphens, starting with a letter (e.g. overdue-mondays)"
        ));
    }
    if super::stock::STOCK.iter().any(|s| s.name == name) {
        return Err(format!(
            "`{name}` is the name of a stock plugin, which an installed plugin cannot take; choose another name, e.g. my-{name}"
        ));
    }
    let file_stem = name.replace('-', "_");
    let (source, cases, description) = match (language, world) {
        (Language::Rust, World::ReminderPolicy) => (
            include_str!("scaffold/rust-reminder-policy.rs"),
            Some(include_str!("scaffold/cases-reminder-policy.toml")),
            "A reminder every `every` days until done",
        ),
        (Language::Rust, World::SendingRule) => (
            include_str!("scaffold/rust-sending-rule.rs"),
            Some(include_str!("scaffold/cases-sending-rule.toml")),
            "Sends `days` days before the start date",
        ),
        (Language::Rust, World::NotificationHook) => (
            include_str!("scaffold/rust-notification-hook.rs"),
            Some(include_str!("scaffold/cases-notification-hook.toml")),
            "Tells the staff when a client completes a task",
        ),
        (Language::Python, World::ReminderPolicy) => (
            include_str!("scaffold/py-reminder-policy.py"),
            Some(include_str!("scaffold/cases-reminder-policy.toml")),
            "A reminder every `every` days until done",
        ),
        (Language::Python, World::SendingRule) => (
            include_str!("scaffold/py-sending-rule.py"),
            Some(include_str!("scaffold/cases-sending-rule.toml")),
            "Sends `days` days before the start date",
        ),
        (Language::Python, World::NotificationHook) => (
            include_str!("scaffold/py-notification-hook.py"),
            Some(include_str!("scaffold/cases-notification-hook.toml")),
            "Tells the staff when a client completes a task",
        ),
    };
    let component = match language {
        Language::Rust => PathBuf::from(format!("target/wasm32-wasip2/release/{file_stem}.wasm")),
        Language::Python => PathBuf::from(format!("{file_stem}.wasm")),
    };
    let fill = |text: &str| {
        text.replace("{{name}}", name)
            .replace("{{world}}", world.name())
            .replace("{{file}}", &component.display().to_string())
    };
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for (file, text) in WIT {
        files.push((PathBuf::from("wit").join(file), text.to_string()));
    }
    let (limits, build) = match language {
        Language::Rust => {
            for (file, text) in RUST_SDK {
                files.push((file.into(), text.to_string()));
            }
            files.push(("sdk/docket-plugin-sdk/Cargo.toml".into(), SDK_CARGO.into()));
            files.push((
                "sdk/docket-reminder-core/Cargo.toml".into(),
                CORE_CARGO.into(),
            ));
            files.push(("src/lib.rs".into(), fill(source)));
            files.push(("Cargo.toml".into(), fill(RUST_CARGO)));
            files.push((
                "rust-toolchain.toml".into(),
                "[toolchain]\nchannel = \"stable\"\ntargets = [\"wasm32-wasip2\"]\n".into(),
            ));
            files.push((".gitignore".into(), "/target\n".into()));
            (
                "",
                "cargo build --release --target wasm32-wasip2".to_string(),
            )
        }
        Language::Python => {
            for (file, text) in PYTHON_SDK {
                files.push((file.into(), text.to_string()));
            }
            files.push(("app.py".into(), fill(source)));
            files.push((
                "build.sh".into(),
                format!(
                    "#!/bin/sh\n# Builds {} from app.py (pip install componentize-py; set COMPONENTIZE_PY to use\n# one that is not on the PATH).\nset -eu\ncd \"$(dirname \"$0\")\"\n\"${{COMPONENTIZE_PY:-componentize-py}}\" -d wit -w {} componentize -p . app -o {}\n",
                    component.display(),
                    world.name(),
                    component.display()
                ),
            ));
            files.push((".gitignore".into(), "*.wasm\n__pycache__/\n".into()));
            (PYTHON_LIMITS, "sh build.sh".to_string())
        }
    };
    let params = match world {
        World::ReminderPolicy => "every = 7\n",
        World::SendingRule => "days = 7\n",
        World::NotificationHook => "",
    };
    files.push((
        PathBuf::from(format!("{name}.toml")),
        format!(
            "# The manifest Docket reads beside the component: `docket plugin install --data DATA` copies both\n# into the plugins folder of DATA, the data folder the server serves, as {name}.wasm and\n# {name}.toml.\nname = \"{name}\"\nversion = \"0.1.0\"\nworld = \"{}\"\ndescription = \"{description}\"\n# Hooks only: email, http:HOST, set-status, notify-staff, log. The firm grants each: an admin\n# on the admin's Plugins page (or PUT /api/plugins/{name}/grants), or the operator, who may pin\n# them under [plugins.grants] in docket.toml instead.\ncapabilities = []\n{limits}\n# Defaults; a template's parameters override them one by one.\n[params]\n{params}",
            world.name()
        ),
    ));
    if let Some(cases) = cases {
        files.push(("cases.toml".into(), fill(cases)));
    }
    files.push((
        "README.md".into(),
        format!(
            "# {name}\n\nA Docket {} plugin. `docs/plugins.md` in Docket's repository explains the contract\n(copied in `wit/`).\n\n```sh\n{build}\ndocket plugin check {}\ndocket plugin test {} cases.toml\ndocket plugin install --data DATA {}\n```\n\nThe last command checks the plugin again and copies the component and `{name}.toml` into the\nplugins folder of DATA, the data folder your server serves; a running server picks it up within\nseconds. Then name `{name}` in a template's group.\n",
            world.name(),
            component.display(),
            component.display(),
            component.display()
        ),
    ));
    Ok(Scaffold {
        files,
        build,
        component,
    })
}

const RUST_CARGO: &str = r#"[package]
name = "{{name}}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
docket-plugin-sdk = { path = "sdk/docket-plugin-sdk", features = ["{{world}}"] }

# Plugins are small and run hot: optimise for speed. wasm32-wasip2 cannot unwind, so a panic aborts
# the call; the SDK reports its message and place to Docket first.
[profile.release]
opt-level = 3
lto = true
codegen-units = 1
panic = "abort"
strip = true

# A workspace of its own, so it builds wherever it is.
[workspace]
"#;

/// The Python runtime needs more than the firm's default limits; these stay within the
/// default ceilings.
const PYTHON_LIMITS: &str = "\n# The Python runtime needs more than the firm's default 32 MiB and 50 ms per call; these\n# stay within the default ceilings (plugins.max_memory_mib, plugins.max_timeout_ms).\n[limits]\nmemory_mib = 128\ntimeout_ms = 1000\n";

#[cfg(test)]
#[path = "scaffold_tests.rs"]
mod tests;
