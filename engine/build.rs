//! Builds Docket's guest plugins for wasm32-wasip2 — the stock plugins and the test guests of
//! `plugins/` (two of them against the old contract in `engine/wit/0.1.0/`), and the
//! business-days example — and tells rustc where the components are, so the
//! stock ones can be embedded with `include_bytes!` and the others found by tests and benches.
//! It also names the clients' languages: every folder of `engine/locales/` (English first), so
//! adding a language is adding its folder.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Environment variables the outer cargo sets that must not reach the guest build: they would
/// point it at the host target, the outer target folder (a deadlock on its lock), host-only
/// flags, or a lint wrapper.
const LEAKING: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
    "OUT_DIR",
    "TARGET",
    "HOST",
    "PROFILE",
    "OPT_LEVEL",
    "DEBUG",
    "NUM_JOBS",
    "RUSTC_LINKER",
    "RUSTDOC",
];

/// Prefixes of cargo's per-package variables, equally meaningless to the guest build.
const LEAKING_PREFIXES: &[&str] = &[
    "CARGO_CFG_",
    "CARGO_FEATURE_",
    "CARGO_PKG_",
    "CARGO_MANIFEST_",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_PROFILE_",
    "CARGO_ENCODED_",
    "CARGO_TARGET_",
];

/// `(variable, file)`: components the guest build produces.
const OUTPUTS: &[(&str, &str)] = &[
    ("DOCKET_STOCK_REMINDER_WASM", "docket_stock_reminder.wasm"),
    ("DOCKET_STOCK_SENDING_WASM", "docket_stock_sending.wasm"),
    ("DOCKET_STOCK_HOOKS_WASM", "docket_stock_hooks.wasm"),
    ("DOCKET_TEST_MISBEHAVE_WASM", "docket_test_misbehave.wasm"),
    (
        "DOCKET_TEST_MISBEHAVE_HOOK_WASM",
        "docket_test_misbehave_hook.wasm",
    ),
    (
        "DOCKET_TEST_CONTRACT_0_1_WASM",
        "docket_test_contract_0_1.wasm",
    ),
    (
        "DOCKET_TEST_CONTRACT_0_1_HOOK_WASM",
        "docket_test_contract_0_1_hook.wasm",
    ),
    ("DOCKET_EXAMPLE_BUSINESS_DAYS_WASM", "business_days.wasm"),
];

fn main() {
    let manifest_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let root = manifest_dir
        .parent()
        .expect("engine/ lives in the workspace root")
        .to_path_buf();
    let target_dir = root.join("target").join("wasm-plugins");
    let example = root.join("examples").join("plugins").join("business-days");

    declare_languages(&manifest_dir.join("locales"));

    for watched in [
        manifest_dir.join("locales"),
        root.join("wit"),
        manifest_dir.join("wit"),
        root.join("plugins").join("Cargo.toml"),
        root.join("plugins").join("reminder-core"),
        root.join("plugins").join("sdk"),
        root.join("plugins").join("stock"),
        root.join("plugins").join("testing"),
        example.join("Cargo.toml"),
        example.join("src"),
    ] {
        println!("cargo:rerun-if-changed={}", watched.display());
    }

    cargo_build(&root.join("plugins"), &target_dir, &["--workspace"]);
    cargo_build(&example, &target_dir, &[]);

    let out = target_dir.join("wasm32-wasip2").join("release");
    for (var, file) in OUTPUTS {
        let path = out.join(file);
        if !path.is_file() {
            panic!(
                "the guest build succeeded but {} is missing",
                path.display()
            );
        }
        println!("cargo:rustc-env={var}={}", path.display());
    }
}

/// Writes `$OUT_DIR/languages.rs`: the `languages!` call of `src/i18n/mod.rs` naming every
/// folder of `locales` that holds a language, English first and the others by code.
fn declare_languages(locales: &Path) {
    let entries = std::fs::read_dir(locales)
        .unwrap_or_else(|e| panic!("cannot read the languages in {}: {e}", locales.display()));
    let mut codes: Vec<String> = entries
        .map(|entry| entry.expect("a readable entry of engine/locales").path())
        .filter(|path| path.is_dir())
        .filter_map(|path| path.file_name()?.to_str().map(str::to_string))
        .filter(|code| code != "en")
        .collect();
    codes.sort();
    codes.insert(0, "en".to_string());
    let list = codes
        .iter()
        .map(|code| format!("{code:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("languages.rs"), format!("languages![{list}];\n"))
        .expect("cannot write languages.rs in OUT_DIR");
}

/// Runs `cargo build --release --target wasm32-wasip2` in `dir`; on failure, panics with the
/// guest build's own output so the reason is on screen.
fn cargo_build(dir: &Path, target_dir: &Path, extra: &[&str]) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(dir)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--target-dir",
        ])
        .arg(target_dir)
        .args(extra);
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if LEAKING.contains(&name) || LEAKING_PREFIXES.iter().any(|p| name.starts_with(p)) {
            command.env_remove(name);
        }
    }
    let output = command.output().unwrap_or_else(|e| {
        panic!(
            "cannot run cargo to build the plugins in {}: {e}",
            dir.display()
        )
    });
    if !output.status.success() {
        panic!(
            "building the WebAssembly plugins in {} failed ({}); is the wasm32-wasip2 target installed (`rustup target add wasm32-wasip2`)?\n{}",
            dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
