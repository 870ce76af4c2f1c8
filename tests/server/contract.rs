//! The API keeps its own contract: schemathesis (pinned to 4.32) runs against the real server
//! over a demo firm, with an admin token, from the OpenAPI document the server serves. Its
//! stateful phase follows the document's links, so operations reach the demo's records (and the
//! ones the run creates). The run must find no server error and no failure of response
//! conformance, status code conformance or negative data rejection.
//!
//! Checks left out, and why:
//! - `positive_data_acceptance`: the document cannot say every rule a request must keep (an
//!   email must be deliverable-looking, a template's TOML must parse, a due date must follow
//!   its start), so a request valid by the document may rightly be refused with 422.
//! - `use_after_free`, `ensure_resource_availability`: Docket archives and revokes rather than
//!   deletes, and a revoked token or archived record stays readable by design.
//! - `ignored_auth`: every operation is checked with and without a token in
//!   `tests/admin/api.rs`, which knows which answers a token changes.
//! - `object_level_authorization`, `missing_required_header`, `content_type_conformance`,
//!   `response_headers_conformance`, `unsupported_method`, `allow_header_conformance`: checked
//!   by the admin tests where they apply (405 with `Allow`, the content types) and otherwise
//!   outside what this contract promises.
//!
//! `POST /api/tokens/{id}/revoke` runs after the rest, with the other token calls only:
//! following the token list's links it revokes the run's own token, and every later call is a
//! 401.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::support::{Server, docket, run_for, run_with, stderr, stdout};

/// The schemathesis release line the run is pinned to.
const PINNED: &str = "4.32.";

/// A Python with schemathesis 4.32: `DOCKET_SCHEMATHESIS_PYTHON` as is, else `python3` when it
/// has it, else a virtual environment under the target folder, installed from PyPI once.
fn schemathesis_python() -> OsString {
    if let Some(python) = std::env::var_os("DOCKET_SCHEMATHESIS_PYTHON") {
        return python;
    }
    let check =
        format!("import schemathesis; assert schemathesis.__version__.startswith('{PINNED}')");
    let has = |python: &Path| {
        Command::new(python)
            .args(["-c", &check])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if has(Path::new("python3")) {
        return "python3".into();
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("schemathesis-4.32-venv");
    let python = venv.join("bin").join("python3");
    if !has(&python) {
        eprintln!(
            "installing schemathesis 4.32 into {} (once)",
            venv.display()
        );
        let made = run_for(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            Duration::from_secs(120),
        );
        assert!(made.status.success(), "python3 -m venv: {}", stderr(&made));
        let installed = run_for(
            Command::new(&python).args(["-m", "pip", "install", "--quiet", "schemathesis==4.32.*"]),
            Duration::from_secs(600),
        );
        assert!(
            installed.status.success(),
            "schemathesis 4.32 could not be installed (pip install 'schemathesis==4.32.*'): {}",
            stderr(&installed)
        );
    }
    assert!(has(&python), "no schemathesis 4.32 in {}", python.display());
    python.into_os_string()
}

/// `st run` against `server` with `token`, and these extra arguments; its output, and whether
/// it passed.
fn schemathesis(python: &OsString, server: &Server, token: &str, extra: &[&str]) -> (bool, String) {
    let mut cmd = Command::new(python);
    cmd.args([
        "-c",
        "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'st'; sys.exit(schemathesis())",
        "run",
    ])
    .arg(server.url("/api/openapi.json"))
    .args(["--header", &format!("Authorization: Bearer {token}")])
    .args([
        "--checks",
        "not_a_server_error,status_code_conformance,response_schema_conformance,negative_data_rejection",
        "--max-examples",
        "25",
        "--seed",
        "20261205",
        "--workers",
        "1",
        "--no-color",
        "--request-timeout",
        "20",
    ])
    .args(extra)
    .current_dir(env!("CARGO_TARGET_TMPDIR"));
    let out = run_for(&mut cmd, Duration::from_secs(420));
    (
        out.status.success(),
        format!("{}\n{}", stdout(&out), stderr(&out)),
    )
}

#[test]
fn schemathesis_finds_the_api_keeping_its_contract() {
    let python = schemathesis_python();
    let dir = tempfile::tempdir().unwrap();
    // The demo firm, then an admin token of the command line's, which belongs to no member:
    // the run disables and demotes members, which would end a member's token.
    Server::start(dir.path(), &["--demo"]).stop();
    let made = run_with(
        docket()
            .args([
                "token",
                "create",
                "--role",
                "admin",
                "--name",
                "schemathesis",
                "--data",
            ])
            .arg(dir.path()),
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let token = stdout(&made).trim().to_string();
    let server = Server::start(dir.path(), &[]);

    let (passed, output) = schemathesis(
        &python,
        &server,
        &token,
        &["--exclude-operation-id", "revoke_token"],
    );
    eprintln!("{output}");
    assert!(
        passed,
        "schemathesis found the API breaking its contract:\n{output}"
    );
    assert!(
        output.contains("Stateful"),
        "the stateful phase ran:\n{output}"
    );
    let (passed, output) = schemathesis(
        &python,
        &server,
        &token,
        &["--include-path-regex", "^/api/tokens"],
    );
    assert!(
        passed,
        "schemathesis found revoking breaking the contract:\n{output}"
    );
    assert!(server.stop().success());
}
