//! componentize-py, which builds Python plugins: `COMPONENTIZE_PY` if set, else
//! `componentize-py` on the PATH, else a virtual environment under the target folder into which
//! it is installed from PyPI once. Shared by the plugin tests and the benchmark (by path).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The componentize-py release the example and the scaffold are tested with.
pub const VERSION: &str = "0.25.1";

/// The componentize-py to run, installing it if need be; an error says what to install.
pub fn componentize_py(tmp: &Path) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("COMPONENTIZE_PY") {
        return Ok(PathBuf::from(path));
    }
    let works = |p: &Path| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works(Path::new("componentize-py")) {
        return Ok("componentize-py".into());
    }
    let venv = tmp.join("componentize-py-venv");
    let bin = venv.join("bin").join("componentize-py");
    // Test binaries run in parallel: one installs, the others wait on the lock.
    let _ = std::fs::create_dir_all(tmp);
    let lock = std::fs::File::create(venv.with_extension("lock"));
    let _guard = lock.as_ref().ok().map(|f| f.lock());
    if !works(&bin) {
        eprintln!(
            "componentize-py not found; installing it from PyPI into {} (once)",
            venv.display()
        );
        let _ = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status();
        let _ = Command::new(venv.join("bin").join("python3"))
            .args(["-m", "pip", "install", "--quiet"])
            .arg(format!("componentize-py=={VERSION}"))
            .status();
    }
    if works(&bin) {
        Ok(bin)
    } else {
        Err(format!(
            "cannot find or install componentize-py: install it (python3 -m pip install componentize-py=={VERSION}) or set COMPONENTIZE_PY"
        ))
    }
}

/// Builds the Python example `examples/plugins/first-weekday` into `out` with its build script.
pub fn build_python_example(root: &Path, tmp: &Path, out: &Path) -> Result<(), String> {
    let cpy = componentize_py(tmp)?;
    let script = root.join("examples/plugins/first-weekday/build.sh");
    let output = Command::new("sh")
        .arg(&script)
        .arg(out)
        .env("COMPONENTIZE_PY", &cpy)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}
