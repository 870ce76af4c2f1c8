//! A private PostgreSQL cluster (the newest Debian has installed: 15 here) for tests: `initdb` into a temporary folder, started on a free
//! port of 127.0.0.1 with its Unix socket inside that folder, as the `postgres` user when the
//! tests run as root. Tests share one cluster while any of them holds it (`Cluster::shared`) and
//! each gets a database of its own (`TestDb`); the last holder stops the cluster
//! (`pg_ctl stop -m immediate`) and removes the folder. A machine without PostgreSQL fails the
//! test with what to install, never skips it.
//!
//! Only `std` and `tempfile`: the engine's unit tests compile it as a module and the integration
//! tests include the same file (`tests/support`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// Where Debian's `postgresql` packages put each version's programs (`VERSION/bin`); the newest
/// installed is used, and `DOCKET_PG_BIN` names another folder.
const DEBIAN_VERSIONS: &str = "/usr/lib/postgresql";
/// The superuser of the test cluster and its password (TCP connections need it; the Unix socket
/// trusts).
pub const USER: &str = "docket";
pub const PASSWORD: &str = "docket-test-password";
/// How long any one `initdb`, `pg_ctl` or `psql` may take on a loaded machine.
const STEP_TIMEOUT: Duration = Duration::from_secs(120);

/// A running cluster; stopped and removed when the last `Arc` goes.
pub struct Cluster {
    bin: PathBuf,
    /// Holds the data folder and the socket; removed on drop.
    dir: Option<tempfile::TempDir>,
    port: u16,
    /// Run the programs as `postgres` through `runuser` (the tests run as root).
    as_postgres: bool,
    databases: AtomicUsize,
}

static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());

/// The `bin` folder of the newest PostgreSQL Debian has installed (15 here), or version 15's
/// place when none is, for the message saying what to install.
fn newest_debian_bin() -> PathBuf {
    let newest = std::fs::read_dir(DEBIAN_VERSIONS)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .max_by_key(|(version, _)| *version);
    newest.map_or_else(|| Path::new(DEBIAN_VERSIONS).join("15/bin"), |(_, bin)| bin)
}

impl Cluster {
    /// The cluster the running tests share, started if none is running.
    pub fn shared() -> Arc<Cluster> {
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cluster) = shared.upgrade() {
            return cluster;
        }
        let cluster = Arc::new(Cluster::start());
        *shared = Arc::downgrade(&cluster);
        cluster
    }

    /// Starts a cluster of its own (for tests that stop it).
    pub fn start() -> Cluster {
        Self::start_with(false).0
    }

    /// Starts a cluster of its own that also takes TLS connections, with a certificate for
    /// 127.0.0.1 and localhost signed by a throwaway authority (its PEM file returned).
    pub fn start_tls() -> (Cluster, PathBuf) {
        let (cluster, ca) = Self::start_with(true);
        (cluster, ca.expect("the authority of a TLS cluster"))
    }

    fn start_with(tls: bool) -> (Cluster, Option<PathBuf>) {
        let bin = std::env::var_os("DOCKET_PG_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(newest_debian_bin);
        assert!(
            bin.join("initdb").is_file() && bin.join("pg_ctl").is_file(),
            "PostgreSQL is not installed ({} has no initdb or pg_ctl): install the Debian \
             `postgresql` package (apt-get install postgresql), or name the folder of its \
             programs in DOCKET_PG_BIN",
            bin.display()
        );
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("docket-pg-")
            .tempdir()
            .expect("a temporary folder for the PostgreSQL cluster");
        let pwfile = dir.path().join("pwfile");
        std::fs::write(&pwfile, PASSWORD).expect("the cluster's password file");
        let certs = dir.path().join("certs");
        let ca = tls.then(|| {
            let ca = super::test_certs::make_cert(&certs, "Docket test PostgreSQL CA");
            // PostgreSQL refuses a key others may read.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                certs.join("key.pem"),
                std::fs::Permissions::from_mode(0o600),
            )
            .expect("the key made private");
            ca
        });
        if as_postgres {
            run(
                Command::new("chown")
                    .arg("-R")
                    .arg("postgres:")
                    .arg(dir.path()),
                "chown the cluster folder to postgres",
            );
        }
        let mut cluster = Cluster {
            bin,
            dir: Some(dir),
            port: 0,
            as_postgres,
            databases: AtomicUsize::new(0),
        };
        let data = cluster.data_dir();
        run(
            cluster
                .program("initdb")
                .arg("--auth-local=trust")
                .arg("--auth-host=scram-sha-256")
                .arg("--username")
                .arg(USER)
                .arg("--pwfile")
                .arg(&pwfile)
                .arg("--no-sync")
                .arg("--encoding=UTF8")
                .arg("--locale=C")
                .arg("-D")
                .arg(&data),
            "initdb",
        );
        // A free port can be taken between our look and the server's bind: try a few.
        let mut last = String::new();
        for _ in 0..5 {
            cluster.port = free_port();
            let mut options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                cluster.port,
                cluster.socket_dir().display()
            );
            if tls {
                options.push_str(&format!(
                    " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                    certs.join("cert.pem").display(),
                    certs.join("key.pem").display()
                ));
            }
            let out = output(
                cluster
                    .program("pg_ctl")
                    .arg("-D")
                    .arg(&data)
                    .arg("-o")
                    .arg(options)
                    .arg("-l")
                    .arg(cluster.socket_dir().join("server.log"))
                    .arg("-w")
                    .arg("-t")
                    .arg("60")
                    .arg("start"),
                "pg_ctl start",
            );
            if out.status.success() {
                return (cluster, ca);
            }
            last = format!(
                "{}{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                std::fs::read_to_string(cluster.socket_dir().join("server.log"))
                    .unwrap_or_default()
            );
        }
        panic!("the test PostgreSQL cluster did not start: {last}");
    }

    fn data_dir(&self) -> PathBuf {
        self.socket_dir().join("data")
    }

    /// The folder of the cluster's Unix socket (the temporary folder itself).
    pub fn socket_dir(&self) -> &Path {
        self.dir.as_ref().expect("the cluster's folder").path()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A URL for database `db` over TCP, with the password.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{db}", self.port)
    }

    /// Runs SQL as the superuser in database `db` over the Unix socket; panics with psql's words
    /// when it fails.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = output(
            Command::new(self.bin.join("psql"))
                .arg("-X")
                .arg("-q")
                .arg("-At")
                .arg("-v")
                .arg("ON_ERROR_STOP=1")
                .arg("-h")
                .arg(self.socket_dir())
                .arg("-p")
                .arg(self.port.to_string())
                .arg("-U")
                .arg(USER)
                .arg("-d")
                .arg(db)
                .arg("-c")
                .arg(sql),
            "psql",
        );
        assert!(
            out.status.success(),
            "psql `{sql}` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A new empty database, dropped with the returned value.
    pub fn database(self: &Arc<Self>) -> TestDb {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            self.databases.fetch_add(1, Ordering::SeqCst)
        );
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        TestDb {
            url: self.url(&name),
            name,
            cluster: self.clone(),
        }
    }

    fn program(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.arg("-u").arg("postgres").arg("--").arg(path);
            c
        } else {
            Command::new(path)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.port != 0 {
            let data = self.data_dir();
            // The folder goes whatever pg_ctl says; a server it could not stop is killed by pid.
            let stopped = output(
                self.program("pg_ctl")
                    .arg("-D")
                    .arg(&data)
                    .arg("-m")
                    .arg("immediate")
                    .arg("-w")
                    .arg("-t")
                    .arg("30")
                    .arg("stop"),
                "pg_ctl stop",
            );
            if !stopped.status.success()
                && let Ok(pid) = std::fs::read_to_string(data.join("postmaster.pid"))
                && let Some(pid) = pid.lines().next()
            {
                let _ = Command::new("kill").arg("-9").arg(pid.trim()).status();
            }
        }
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
    }
}

/// One test's database in the shared cluster; dropped (with any connections left) on drop.
pub struct TestDb {
    pub url: String,
    pub name: String,
    pub cluster: Arc<Cluster>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.cluster.psql(
                "postgres",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            );
        }
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

/// Runs `command` to its end within `STEP_TIMEOUT` (killed past it) and returns its output.
fn output(command: &mut Command, what: &str) -> std::process::Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    // Readers on threads so a chatty program cannot fill a pipe and stall.
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut b);
        b
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for a child") {
            break status;
        }
        if started.elapsed() > STEP_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} took longer than {STEP_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

fn run(command: &mut Command, what: &str) {
    let out = output(command, what);
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
