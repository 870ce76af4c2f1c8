//! What the integration tests share: running the real `docket` binary, as a command or as a
//! server on a free port, with timeouts and clean-up.

#![allow(dead_code)]

pub mod componentize;
pub mod dovecot;
pub mod in_process;
/// The engine's private PostgreSQL cluster for tests, shared with its unit tests.
#[path = "../../engine/src/store/pg_cluster.rs"]
pub mod pg_cluster;
pub mod python;
pub mod smtp;
/// Throwaway TLS certificates, shared with the engine's unit tests.
#[path = "../../engine/src/store/test_certs.rs"]
pub mod test_certs;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long any one command or server start may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The `docket` binary built with the tests, or for benches the one `DOCKET_BENCH_BINARY` names
/// (a release build, say, to compare profiles).
pub fn docket() -> Command {
    let binary = std::env::var_os("DOCKET_BENCH_BINARY")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_docket").into());
    let mut cmd = Command::new(binary);
    // Tests see only the variables they set, never the developer's own DOCKET_* settings.
    for (name, _) in std::env::vars() {
        if name.starts_with("DOCKET_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("DOCKET_LOG", "warn");
    // The plugin tools keep compiled components in the user's cache folder when they run
    // without a data folder: in tests, one under the target folder, never the developer's.
    cmd.env(
        "XDG_CACHE_HOME",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("user-cache"),
    );
    cmd
}

/// `cmd` (a `docket` command) run by `sh` under the file-creation mask `mask` (e.g. `022`), with
/// the same arguments and environment.
pub fn under_umask(cmd: &Command, mask: &str) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("umask {mask} && exec \"$0\" \"$@\""))
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (name, value) in cmd.get_envs() {
        match value {
            Some(value) => sh.env(name, value),
            None => sh.env_remove(name),
        };
    }
    sh
}

/// Runs `docket ARGS` to completion (killing it after `TIMEOUT`).
pub fn run(args: &[&str]) -> Output {
    run_with(docket().args(args))
}

pub fn run_with(cmd: &mut Command) -> Output {
    run_for(cmd, TIMEOUT)
}

/// [`run_with`] with a timeout of its own, for builds that take longer than a command.
pub fn run_for(cmd: &mut Command, timeout: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docket starts");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A `docket serve` child process, killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    /// Lines the server printed on stdout before it was listening (demo credentials and so on).
    pub banner: Vec<String>,
    pub data: PathBuf,
}

impl Server {
    /// Starts `docket serve --data DATA --listen 127.0.0.1:0 EXTRA...` and waits until it listens.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        Self::start_inner(data, "127.0.0.1:0", extra, &[], None)
    }

    /// [`Server::start`] with configuration from the environment (`DOCKET_SECTION_KEY`).
    pub fn start_with_env(data: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        Self::start_inner(data, "127.0.0.1:0", extra, env, None)
    }

    /// The same on a given address: a known port gives the server a base URL of its own
    /// (`http://localhost:PORT`), so the links it emails reach it.
    pub fn start_on(data: &Path, listen: &str, extra: &[&str]) -> Server {
        Self::start_inner(data, listen, extra, &[], None)
    }

    /// [`Server::start`] at log level `info`, with every line of its log collected in `log`.
    pub fn start_logged(
        data: &Path,
        extra: &[&str],
        log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    ) -> Server {
        Self::start_inner(data, "127.0.0.1:0", extra, &[], Some(log))
    }

    /// [`Server::start_logged`] with configuration from the environment.
    pub fn start_logged_with_env(
        data: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
        log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    ) -> Server {
        Self::start_inner(data, "127.0.0.1:0", extra, env, Some(log))
    }

    /// [`Server::start_logged`] on a given address.
    pub fn start_logged_on(
        data: &Path,
        listen: &str,
        extra: &[&str],
        log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    ) -> Server {
        Self::start_inner(data, listen, extra, &[], Some(log))
    }

    fn start_inner(
        data: &Path,
        listen: &str,
        extra: &[&str],
        env: &[(&str, &str)],
        log: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
    ) -> Server {
        let mut cmd = docket();
        cmd.args(["serve", "--listen", listen, "--data"])
            .arg(data)
            .args(extra)
            .envs(env.iter().copied());
        if log.is_some() {
            cmd.env("DOCKET_LOG", "info");
        }
        Self::start_command(cmd, data, log)
    }

    /// Starts `cmd`, a `docket serve` command made by the caller (with `docket()`, say, or
    /// `under_umask`), and waits until it listens; with `log`, its stderr is collected there.
    pub fn start_command(
        mut cmd: Command,
        data: &Path,
        log: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
    ) -> Server {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped());
        if log.is_some() {
            cmd.stderr(Stdio::piped());
        } else {
            cmd.stderr(Stdio::inherit());
        }
        let mut child = cmd.spawn().expect("docket serve starts");
        if let (Some(log), Some(err)) = (log, child.stderr.take()) {
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    log.lock().unwrap().push(line);
                }
            });
        }
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().expect("stdout piped");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + TIMEOUT;
        let mut banner = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(base) = line.strip_prefix("Docket listening on ") {
                        return Server {
                            child,
                            base: base.trim().to_string(),
                            banner,
                            data: data.to_path_buf(),
                        };
                    }
                    banner.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "docket serve did not start listening within {TIMEOUT:?}; printed {banner:?}"
                    );
                }
            }
        }
    }

    /// The value printed after `label` in the banner, e.g. `API token:`.
    pub fn banner_value(&self, label: &str) -> Option<String> {
        self.banner
            .iter()
            .find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_string()))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if start.elapsed() > TIMEOUT {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("docket serve did not stop within {TIMEOUT:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Server {
    /// Kills the server with SIGKILL, as a crash or power cut would.
    pub fn crash(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking HTTP client with a timeout.
pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}
