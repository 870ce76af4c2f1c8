//! A real SMTP server for the integration tests, and what it received.
//!
//! [`MailSink::start`] runs `tests/smtp/mailsink.py` (Python 3 with aiosmtpd) as a child process
//! on 127.0.0.1, storing every accepted message in a temporary folder; [`MailSink::messages`] and
//! [`MailSink::wait_for`] read them back as [`Received`], with a small hand-written MIME reader
//! for the parts the tests look at. The sink can require STARTTLS (with a throwaway CA in
//! [`MailSink::ca_pem`] for the client to trust) and AUTH, and inject faults: see [`SinkOptions`].
//!
//! `support/mod.rs` declares it. It needs python3 with aiosmtpd (installed into a virtual
//! environment under the target folder when python3 lacks it) and, for TLS, `openssl`; a missing
//! one fails the test with that advice, never skips it. `MAILSINK_PYTHON` names another
//! interpreter than `python3`. The sink's stderr goes to a log file, shown when something fails
//! and readable with [`MailSink::log`].

#![allow(dead_code)]

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the sink may take to print `READY <port>`.
const START_TIMEOUT: Duration = Duration::from_secs(20);
const INSTALL_HINT: &str = "the SMTP sink needs python3 with aiosmtpd; \
                            install it: python3 -m pip install aiosmtpd";

/// The Python that runs the sink: `MAILSINK_PYTHON` if set, else one with aiosmtpd
/// (`super::python`). Any failure is reported by the caller when the sink does not start, with
/// what to install.
fn python() -> std::ffi::OsString {
    static PYTHON: std::sync::OnceLock<std::ffi::OsString> = std::sync::OnceLock::new();
    PYTHON
        .get_or_init(|| super::python::python_with("aiosmtpd", "aiosmtpd", "MAILSINK_PYTHON"))
        .clone()
}

/// How the sink behaves. `Default` is a plain server that accepts everything.
#[derive(Clone, Debug, Default)]
pub struct SinkOptions {
    /// Offer STARTTLS and require it before MAIL, with a certificate for `localhost` and
    /// `127.0.0.1` signed by the CA in [`MailSink::ca_pem`].
    pub tls: bool,
    /// Require AUTH (PLAIN or LOGIN) with this user and password before MAIL; others get 535.
    /// With `tls`, AUTH is only offered after STARTTLS.
    pub auth: Option<(String, String)>,
    /// The first N DATA transactions (across connections, counted from each start) get
    /// `451 4.3.0 try again later`.
    pub tempfail_first: u32,
    /// A RCPT TO containing this gets `550 5.1.1 no such user` (checked before `tempfail_rcpt`).
    pub reject_rcpt: Option<String>,
    /// A RCPT TO containing this gets `450 4.2.1 mailbox busy`.
    pub tempfail_rcpt: Option<String>,
    /// Wait this long before answering each DATA.
    pub delay_data_ms: u64,
    /// The N DATA transactions after the `tempfail_first` ones are stored, then the connection
    /// is closed without a reply (the sender cannot tell whether the message went through).
    pub drop_after_data: u32,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
}

/// A running (or stopped) sink. Killed when dropped; its folder is deleted with it.
#[derive(Debug)]
pub struct MailSink {
    /// The port it listens on (the same across [`MailSink::restart`]).
    pub port: u16,
    /// Where messages are stored: `NNNNNN.eml` (the DATA content as received) and
    /// `NNNNNN.json` (the envelope), numbered from 000001 in order of acceptance.
    pub dir: PathBuf,
    /// With `tls`: the CA certificate (PEM) the client must trust. Its siblings `cert.pem` and
    /// `key.pem` are the server's; they are kept across restarts.
    pub ca_pem: Option<PathBuf>,
    opts: SinkOptions,
    child: Option<Child>,
    log: PathBuf,
    root: tempfile::TempDir,
}

impl MailSink {
    /// Starts the sink and waits (up to 20 s) until it listens. Panics, with the sink's log and
    /// what to install, if it cannot start.
    pub fn start(opts: SinkOptions) -> MailSink {
        let root = tempfile::Builder::new()
            .prefix("mailsink-")
            .tempdir()
            .expect("create the mail sink's folder");
        let dir = root.path().join("mail");
        fs::create_dir_all(&dir).expect("create the mail sink's folder");
        let ca_pem = opts.tls.then(|| root.path().join("certs").join("ca.pem"));
        let mut sink = MailSink {
            port: opts.port,
            dir,
            ca_pem,
            log: root.path().join("mailsink.log"),
            opts,
            child: None,
            root,
        };
        if let Err(error) = sink.spawn(sink.opts.port) {
            panic!("{error}");
        }
        sink
    }

    /// `host:port` to give an SMTP client.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Asks the sink to exit (stdin closed and SIGTERM), kills it after 5 s, and waits for it.
    /// Stopping a stopped sink does nothing. Messages stored so far stay readable.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // Both make it exit cleanly; `kill` is not in std, so it is the command (if present).
        drop(child.stdin.take());
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Stops the sink if it runs, then starts it again on the same port with the same folder,
    /// certificate and options (fault counters start again from zero). Numbering continues
    /// after the messages already stored.
    pub fn restart(&mut self) {
        self.restart_with(self.opts.clone());
    }

    /// Like [`MailSink::restart`], with other options (say, no more faults). The port, folder
    /// and certificate stay; `opts.port` is ignored.
    pub fn restart_with(&mut self, opts: SinkOptions) {
        self.stop();
        self.ca_pem = opts
            .tls
            .then(|| self.root.path().join("certs").join("ca.pem"));
        self.opts = opts;
        // The port is normally free at once (the sink listens with SO_REUSEADDR); retry briefly
        // in case something else holds it.
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match self.spawn(self.port) {
                Ok(()) => return,
                Err(error) if Instant::now() < deadline && error.contains("in use") => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(error) => panic!("restarting the mail sink: {error}"),
            }
        }
    }

    /// Whether the sink process is running (false after `stop`, or if it died).
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Everything the sink has written to stderr, across restarts.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Every message stored so far, in order of acceptance.
    pub fn messages(&self) -> Vec<Received> {
        self.message_files()
            .iter()
            .map(|eml| Received::load(eml))
            .collect()
    }

    /// Polls until at least `count` messages are stored and returns them all; panics with what
    /// it has (and the sink's log) after `timeout`.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.message_files().len() >= count {
                return self.messages();
            }
            if Instant::now() >= deadline {
                let got = self.messages();
                let mut summary = String::new();
                for (i, m) in got.iter().enumerate() {
                    summary.push_str(&format!(
                        "  {}. from {} to {:?}, Subject: {}\n",
                        i + 1,
                        m.mail_from,
                        m.rcpt_tos,
                        m.header("Subject").unwrap_or("(none)")
                    ));
                }
                panic!(
                    "mail sink: expected at least {count} message(s) within {timeout:?}, got {}:\n\
                     {summary}--- mail sink log ---\n{}",
                    got.len(),
                    tail(&self.log(), 60)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn message_files(&self) -> Vec<PathBuf> {
        let mut found: Vec<(u64, PathBuf)> = fs::read_dir(&self.dir)
            .expect("read the mail sink's folder")
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                let stem = path.file_name()?.to_str()?.strip_suffix(".eml")?;
                if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Some((stem.parse().ok()?, path))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, path)| path).collect()
    }

    /// Starts the process and waits for `READY <port>`. The error says why, with the log.
    fn spawn(&mut self, port: u16) -> Result<(), String> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/mailsink.py");
        let python = python();
        let log_len = fs::metadata(&self.log).map(|m| m.len()).unwrap_or(0) as usize;
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("open the mail sink's log");

        let mut cmd = Command::new(&python);
        cmd.arg(&script)
            .arg("--dir")
            .arg(&self.dir)
            .arg("--port")
            .arg(port.to_string())
            .arg("--watch-stdin");
        let opts = &self.opts;
        if opts.tls {
            cmd.arg("--make-cert").arg(self.root.path().join("certs"));
        }
        if let Some((user, password)) = &opts.auth {
            cmd.arg("--auth").arg(format!("{user}:{password}"));
        }
        if opts.tempfail_first > 0 {
            cmd.arg("--tempfail-first")
                .arg(opts.tempfail_first.to_string());
        }
        if let Some(s) = &opts.reject_rcpt {
            cmd.arg("--reject-rcpt").arg(s);
        }
        if let Some(s) = &opts.tempfail_rcpt {
            cmd.arg("--tempfail-rcpt").arg(s);
        }
        if opts.delay_data_ms > 0 {
            cmd.arg("--delay-data-ms")
                .arg(opts.delay_data_ms.to_string());
        }
        if opts.drop_after_data > 0 {
            cmd.arg("--drop-after-data")
                .arg(opts.drop_after_data.to_string());
        }
        // stdin stays open while this process lives: if the test process dies without dropping
        // the sink, the sink sees end of file and exits (--watch-stdin).
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));

        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(error) => {
                return Err(format!(
                    "mail sink: cannot run {python:?} {}: {error}; {INSTALL_HINT}",
                    script.display()
                ));
            }
        };
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        // Reads READY, then keeps draining stdout until the sink exits.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });

        let deadline = Instant::now() + START_TIMEOUT;
        let mut other_output = String::new();
        let failure = loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(remaining) {
                Ok(line) => match line.strip_prefix("READY ").map(|p| p.trim().parse::<u16>()) {
                    Some(Ok(actual)) if port == 0 || actual == port => {
                        self.port = actual;
                        self.child = Some(child);
                        return Ok(());
                    }
                    _ => {
                        other_output.push_str(&line);
                        other_output.push('\n');
                    }
                },
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break format!("did not print READY within {START_TIMEOUT:?}");
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                    break format!("exited ({status}) before it was ready");
                }
            }
        };
        let log = self.log();
        let log = log.get(log_len..).unwrap_or(&log);
        let hint = if log.contains("aiosmtpd") || log.contains("No module named") {
            format!("; {INSTALL_HINT}")
        } else {
            String::new()
        };
        let mut message = format!(
            "mail sink {python:?} {} {failure}{hint}\n--- its stderr ---\n{log}",
            script.display()
        );
        if !other_output.is_empty() {
            message.push_str(&format!("--- its stdout ---\n{other_output}"));
        }
        Err(message)
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// One message the sink accepted.
#[derive(Clone, Debug)]
pub struct Received {
    /// The DATA content as received (invalid UTF-8 replaced).
    pub raw: String,
    /// The envelope sender (MAIL FROM).
    pub mail_from: String,
    /// The envelope recipients the sink accepted (RCPT TO).
    pub rcpt_tos: Vec<String>,
    /// The user that authenticated, if any.
    pub auth_user: Option<String>,
    /// Whether the message came over STARTTLS.
    pub tls: bool,
    /// The top-level headers in order, unfolded, with RFC 2047 encoded words left as they are
    /// ([`Received::header`] decodes them).
    pub headers: Vec<(String, String)>,
    /// The first text/plain part that is not an attachment (or the body of a single-part
    /// message without Content-Type), with its transfer encoding and charset decoded and line
    /// ends turned into `\n`; empty if there is none. The body of a single-part message runs
    /// to the end of the DATA, and lettre ends DATA with `\r\n.\r\n` after the message's own
    /// last line end, so such a body sent by lettre ends with one extra `\n`; a part of a
    /// multipart message is exact.
    pub text: String,
    /// The first text/html part that is not an attachment, decoded the same way.
    pub html: Option<String>,
    decoded_headers: Vec<(String, String)>,
}

impl Received {
    /// The first header with this name (case-insensitive), RFC 2047 encoded words decoded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.decoded_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Reads `NNNNNN.eml` and its `NNNNNN.json`.
    fn load(eml: &Path) -> Received {
        let raw = fs::read(eml).unwrap_or_else(|e| panic!("read {}: {e}", eml.display()));
        let json_path = eml.with_extension("json");
        let json = fs::read_to_string(&json_path)
            .unwrap_or_else(|e| panic!("read {}: {e}", json_path.display()));
        let meta =
            json::parse(&json).unwrap_or_else(|e| panic!("{}: {e}: {json}", json_path.display()));
        let mut received = Received::parse(&raw);
        received.mail_from = meta
            .get("mail_from")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        received.rcpt_tos = match meta.get("rcpt_tos") {
            Some(json::Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str())
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        received.auth_user = meta
            .get("auth_user")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        received.tls = matches!(meta.get("tls"), Some(json::Value::Bool(true)));
        received
    }

    /// Parses a message (envelope fields left empty).
    pub fn parse(raw: &[u8]) -> Received {
        let top = mime::Entity::parse(raw);
        let mut found = mime::Found::default();
        mime::walk(&top, 0, &mut found);
        let decoded_headers = top
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), mime::decode_words(v)))
            .collect();
        Received {
            raw: String::from_utf8_lossy(raw).into_owned(),
            mail_from: String::new(),
            rcpt_tos: Vec::new(),
            auth_user: None,
            tls: false,
            headers: top.headers,
            text: found.text.unwrap_or_default(),
            html: found.html,
            decoded_headers,
        }
    }
}

/// Just enough MIME for what Docket sends: nested multiparts, text parts in quoted-printable,
/// base64, 7bit or 8bit, and RFC 2047 encoded words in headers.
#[path = "mime.rs"]
mod mime;
use mime::json;
