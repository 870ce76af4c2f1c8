//! Where rendered emails go: an SMTP relay (lettre, pooled connections, STARTTLS, implicit TLS
//! or plain, optional AUTH and a private CA), or `.eml` files in the outbox folder when no
//! relay is configured.

use std::path::PathBuf;
use std::time::Duration;

use lettre::Message;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};

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
}

/// An SMTP relay.
pub struct SmtpTransport {
    inner: lettre::SmtpTransport,
    description: String,
}

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
        let mut builder = lettre::SmtpTransport::builder_dangerous(config.host.clone())
            .port(config.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(config.timeout_secs)))
            .pool_config(PoolConfig::new().max_size(config.connections));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(SmtpTransport {
            inner: builder.build(),
            description: format!(
                "smtp://{}:{} ({})",
                config.host, config.port, config.security
            ),
        })
    }

    /// Opens a connection and says hello, to warn at start when the relay cannot be reached.
    pub fn check(&self) -> Result<(), String> {
        match self.inner.test_connection() {
            Ok(true) => Ok(()),
            Ok(false) => Err("the relay did not answer as expected".into()),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl Transport for SmtpTransport {
    fn send(&self, email: &Message) -> Result<(), TransportError> {
        use lettre::Transport as _;
        self.inner.send(email).map(|_| ()).map_err(|e| {
            let reason = e.to_string();
            if e.is_permanent() {
                TransportError::Permanent(reason)
            } else {
                TransportError::Transient(reason)
            }
        })
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

/// The embedded default: each email becomes `ID.eml` in the outbox folder, written to a
/// temporary name and renamed, so a half-written file never shows.
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    pub fn new(dir: PathBuf) -> Result<FileTransport, MailError> {
        std::fs::create_dir_all(&dir).map_err(|e| {
            MailError(format!(
                "key `mail.outbox_dir`: cannot create {}: {e}",
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
            std::fs::write(&temp, email.formatted())?;
            std::fs::File::open(&temp)?.sync_all()?;
            std::fs::rename(&temp, &path)
        };
        write()
            .map_err(|e| TransportError::Transient(format!("cannot write {}: {e}", path.display())))
    }

    fn describe(&self) -> String {
        format!("the outbox folder {}", self.dir.display())
    }
}
