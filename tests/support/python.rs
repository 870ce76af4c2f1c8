//! A Python 3 that has a given package: `python3` itself when it has it, else a virtual
//! environment under the target folder into which the package is installed from PyPI once, so
//! `cargo test` works on a machine with a plain python3. A test that still finds no such Python
//! fails with what to install, never skips.

use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

/// The Python to run for `module` (installed from PyPI as `package`); `override_var`, when set,
/// names one to use as is.
pub fn python_with(module: &str, package: &str, override_var: &str) -> OsString {
    if let Some(python) = std::env::var_os(override_var) {
        return python;
    }
    let has = |python: &Path| {
        Command::new(python)
            .args(["-c", &format!("import {module}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if has(Path::new("python3")) {
        return "python3".into();
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{package}-venv"));
    let venv_python = venv.join("bin").join("python3");
    // Test binaries run in parallel: one installs, the others wait on the lock.
    let _ = fs::create_dir_all(env!("CARGO_TARGET_TMPDIR"));
    let lock = fs::File::create(venv.with_extension("lock"));
    let _guard = lock.as_ref().ok().map(|f| f.lock());
    if !has(&venv_python) {
        eprintln!(
            "python3 has no {module}; installing {package} into {} (once)",
            venv.display()
        );
        let _ = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status();
        let _ = Command::new(&venv_python)
            .args(["-m", "pip", "install", "--quiet", package])
            .status();
    }
    if has(&venv_python) {
        venv_python.into_os_string()
    } else {
        "python3".into()
    }
}
