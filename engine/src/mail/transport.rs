//! Where rendered emails go: an SMTP relay (lettre's connections, pooled, with STARTTLS, implicit
//! TLS or plain, optional AUTH and a private CA), or `.eml` files in the outbox folder when no
//! relay is configured.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, MailBodyParameter, MailParameter};

use super::MailError;
use crate::config::SmtpConfig;

/// How a send failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// Worth retrying: connection refused or dropped, timeout, a 4xx answer.
    Transient(String),
    /// The server refused it for good (5xx).
    Permanent(String),
}

/// Sends one built email. Implementations are shared between sender threads.
pub trait Transport: Send + Sync {
    fn send(&self, email: &Message) -> Result<(), TransportError>;
    /// A short description for logs: `smtp://host:port (starttls)` or the outbox folder.
    fn describe(&self) -> String;
    /// Whether the transport can take email now, to warn at start; emails wait either way.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
    /// Whether emails are written to a folder of this server's rather than sent.
    fn writes_to_folder(&self) -> bool {
        false
    }
}

/// An SMTP relay, over lettre's `SmtpConnection`s kept in a small pool of our own.
///
/// lettre's own `SmtpTransport` writes a message's body and its closing `<CRLF>.<CRLF>` as two
/// writes on a socket without `TCP_NODELAY`, so every message waits for the relay's delayed
/// ACK (40 ms on Linux): about 20 messages a second per connection. Here the dot-stuffed body
/// and the terminator go out as one write (`SmtpConnection::command` with a `Display` of the
/// whole), which removes the stall; everything else — TLS, STARTTLS, AUTH, replies and their
/// codes — is lettre's.
pub struct SmtpTransport {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<Credentials>,
    timeout: Option<Duration>,
    hello: ClientId,
    idle: Mutex<Vec<(SmtpConnection, Instant)>>,
    max_idle: usize,
    description: String,
}

/// A pooled connection idle longer than this is checked with a NOOP before it is used.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(10);

impl SmtpTransport {
    pub fn new(config: &SmtpConfig) -> Result<SmtpTransport, MailError> {
        let tls = || -> Result<TlsParameters, MailError> {
            let mut builder = TlsParameters::builder(config.host.clone());
            if let Some(path) = &config.ca_file {
                let pem = std::fs::read(path).map_err(|e| {
                    MailError(format!(
                        "key `smtp.ca_file`: cannot read {}: {e}",
                        path.display()
                    ))
                })?;
                let cert = Certificate::from_pem(&pem).map_err(|e| {
                    MailError(format!(
                        "key `smtp.ca_file`: {} is not a PEM certificate: {e}",
                        path.display()
                    ))
                })?;
                builder = builder.add_root_certificate(cert);
            }
            builder
                .build()
                .map_err(|e| MailError(format!("[smtp]: cannot set up TLS: {e}")))
        };
        let tls = match config.security.as_str() {
            "starttls" => Tls::Required(tls()?),
            "tls" => Tls::Wrapper(tls()?),
            _ => Tls::None,
        };
        Ok(SmtpTransport {
            host: config.host.clone(),
            port: config.port,
            tls,
            credentials: match (&config.username, &config.password) {
                (Some(user), Some(password)) => {
                    Some(Credentials::new(user.clone(), password.clone()))
                }
                _ => None,
            },
            timeout: Some(Duration::from_secs(config.timeout_secs)),
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
            max_idle: config.connections as usize,
            description: format!(
                "smtp://{}:{} ({})",
                config.host, config.port, config.security
            ),
        })
    }

    /// Opens a connection, secures it and signs in: what every send needs first.
    fn connect(&self) -> Result<SmtpConnection, lettre::transport::smtp::Error> {
        let wrapper = match &self.tls {
            Tls::Wrapper(params) => Some(params),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            self.timeout,
            &self.hello,
            wrapper,
            None,
        )?;
        if let Tls::Required(params) = &self.tls {
            conn.starttls(params, &self.hello)?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials)?;
        }
        Ok(conn)
    }

    /// A pooled connection that still answers, or a new one.
    fn checkout(&self) -> Result<SmtpConnection, lettre::transport::smtp::Error> {
        loop {
            let pooled = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            match pooled {
                None => return self.connect(),
                Some((mut conn, since)) => {
                    if since.elapsed() < CHECK_IDLE_AFTER || conn.test_connected() {
                        return Ok(conn);
                    }
                    conn.abort();
                }
            }
        }
    }

    fn checkin(&self, mut conn: SmtpConnection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if !conn.has_broken() && idle.len() < self.max_idle {
            idle.push((conn, Instant::now()));
        } else {
            drop(idle);
            let _ = conn.quit();
        }
    }
}

/// One message on `conn`: MAIL, RCPT, DATA, then the body and its terminator in one write.
fn send_on(
    conn: &mut SmtpConnection,
    envelope: &lettre::address::Envelope,
    body: &[u8],
) -> Result<(), lettre::transport::smtp::Error> {
    let mut options = Vec::new();
    let non_ascii = envelope
        .to()
        .iter()
        .chain(envelope.from())
        .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii {
        options.push(MailParameter::SmtpUtfEight);
    }
    if !body.is_ascii() {
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), options))?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), Vec::new()))?;
    }
    conn.command(Data)?;
    match std::str::from_utf8(body) {
        Ok(text) => conn.command(DataBody(text))?,
        // Not text: lettre's own (slower) path.
        Err(_) => conn.message(body)?,
    };
    Ok(())
}

/// A message's content as SMTP sends it after DATA: lines starting with a dot get another,
/// then `.` alone on a line ends it.
struct DataBody<'a>(&'a str);

impl std::fmt::Display for DataBody<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut lines = self.0.split("\r\n").peekable();
        while let Some(line) = lines.next() {
            if lines.peek().is_none() && line.is_empty() {
                break;
            }
            if line.starts_with('.') {
                f.write_str(".")?;
            }
            f.write_str(line)?;
            f.write_str("\r\n")?;
        }
        f.write_str(".\r\n")
    }
}

impl Transport for SmtpTransport {
    fn send(&self, email: &Message) -> Result<(), TransportError> {
        let classify = |e: lettre::transport::smtp::Error| {
            let reason = e.to_string();
            if e.is_permanent() {
                TransportError::Permanent(reason)
            } else {
                TransportError::Transient(reason)
            }
        };
        let body = email.formatted();
        // Failing to connect, secure the connection or sign in is the relay's problem (or the
        // configuration's), not this email's: always worth another try once it is mended.
        let mut conn = self.checkout().map_err(|e| {
            TransportError::Transient(format!("cannot get a session with the relay: {e}"))
        })?;
        match send_on(&mut conn, email.envelope(), &body) {
            Ok(()) => {
                self.checkin(conn);
                Ok(())
            }
            Err(e) => {
                // Whatever state the session is in, it is not worth keeping.
                conn.abort();
                Err(classify(e))
            }
        }
    }

    fn describe(&self) -> String {
        self.description.clone()
    }

    /// Opens a session (connection, TLS, sign-in) and keeps it for the first email.
    fn check(&self) -> Result<(), String> {
        let conn = self.checkout().map_err(|e| e.to_string())?;
        self.checkin(conn);
        Ok(())
    }
}

/// The embedded default: each email becomes `ID.eml` in the outbox folder, written to a
/// temporary name and renamed, so a half-written file never shows.
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    pub fn new(dir: PathBuf) -> Result<FileTransport, MailError> {
        // Its emails carry live links: the folder and its files are its owner's only, and a
        // folder an older docket left open is closed, all of it.
        let open_to_others = crate::owner_only::is_open_to_others(&dir).unwrap_or(false);
        if open_to_others {
            tracing::warn!(
                folder = %dir.display(),
                "the outbox folder was readable by others (its emails hold live links); it is now its owner's only"
            );
        }
        crate::owner_only::create_dir_all(&dir)
            .and_then(|()| crate::owner_only::tighten(&dir, open_to_others))
            .map_err(|e| {
                MailError(format!(
                    "key `mail.outbox_dir`: cannot create {} readable by its owner only: {e}",
                    dir.display()
                ))
            })?;
        Ok(FileTransport { dir })
    }
}

impl Transport for FileTransport {
    fn send(&self, email: &Message) -> Result<(), TransportError> {
        let id = email
            .headers()
            .get_raw("Message-ID")
            .unwrap_or("message")
            .trim_matches(['<', '>'])
            .replace(['/', '\\'], "_");
        let path = self.dir.join(format!("{id}.eml"));
        let temp = self.dir.join(format!(".{id}.eml.tmp"));
        let write = || -> std::io::Result<()> {
            crate::owner_only::write(&temp, &email.formatted())?;
            std::fs::File::open(&temp)?.sync_all()?;
            std::fs::rename(&temp, &path)
        };
        write()
            .map_err(|e| TransportError::Transient(format!("cannot write {}: {e}", path.display())))
    }

    fn describe(&self) -> String {
        format!("the outbox folder {}", self.dir.display())
    }

    fn writes_to_folder(&self) -> bool {
        true
    }
}

#[cfg(test)]
#[path = "transport_tests.rs"]
mod tests;
