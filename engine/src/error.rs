//! The engine's error type: what went wrong, in words a staff member or operator can act on.

use crate::plugin::PluginError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input breaks a rule of the domain (missing start date, unknown contact…). `field`
    /// names the input it is about when it is about one (`start_date`, `name`…), so a page can
    /// say it next to that input; the message alone is what the API and the CLI say.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// A record the request names does not exist.
    #[error("{kind} `{key}` not found")]
    NotFound { kind: &'static str, key: String },
    /// The change collides with an existing record (a duplicate name, a concurrent change).
    #[error("{0}")]
    Conflict(String),
    /// An upload or a body is larger than its cap.
    #[error("{0}")]
    TooLarge(String),
    /// Too many requests of this kind from whoever is asking: try again later.
    #[error("{0}")]
    TooFast(String),
    /// Not allowed for who is asking (a client writing to a completed request or a done task).
    #[error("{0}")]
    Forbidden(String),
    /// The record is there but what it stands for is lost (an uploaded file's bytes missing or
    /// damaged on disk).
    #[error("{0}")]
    Gone(String),
    /// The data folder is opened by another running docket.
    #[error(
        "data folder {0} is in use by another running docket: if it is a server still starting or upgrading the folder, wait (once it serves, commands reach it through its socket); else stop it first or use another --data folder"
    )]
    Locked(String),
    /// The folder named as the data folder holds none.
    #[error(
        "there is no data folder at {0}; check --data (or storage.data_dir); `docket serve` starts a new one and `docket restore FILE` fills one from a backup"
    )]
    NoDataFolder(String),
    /// The data folder is unreadable, corrupt or out of space.
    #[error("storage: {0}")]
    Storage(String),
    /// The store does not answer just now (PostgreSQL stopped or out of reach): the same call
    /// may work in a moment.
    #[error("storage: {0}")]
    Unavailable(String),
    /// A stored record is of a format this binary cannot read.
    #[error(
        "stored {kind} record has format version {version}, newer than this docket understands; upgrade docket"
    )]
    FutureFormat { kind: &'static str, version: u16 },
    /// A backup file cannot be restored.
    #[error("backup: {0}")]
    Backup(String),
    #[error(transparent)]
    Plugin(#[from] PluginError),
}

impl Error {
    /// Input that breaks a rule, about no one field in particular.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid {
            field: None,
            message: message.into(),
        }
    }

    /// Input that breaks a rule, about `field`.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// This error as being about `field`, when it is invalid input that names no field yet: for
    /// a rule a shared check keeps (an email address, a date) without knowing which input it
    /// was given. Any other error is returned as it is.
    pub fn on_field(self, field: impl Into<String>) -> Self {
        match self {
            Error::Invalid {
                field: None,
                message,
            } => Error::Invalid {
                field: Some(field.into()),
                message,
            },
            other => other,
        }
    }

    /// Whether the input was refused for breaking a rule.
    pub fn is_invalid(&self) -> bool {
        matches!(self, Error::Invalid { .. })
    }

    /// The input an invalid-input error is about, when it names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// Whether the request was refused — bad input, a record that is not there, a conflict,
    /// too large, not allowed, gone — rather than failed: what the person asking can act on,
    /// where a failure (storage, a plugin, a locked folder) is for the server's log.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Error::Invalid { .. }
                | Error::NotFound { .. }
                | Error::Conflict(_)
                | Error::TooLarge(_)
                | Error::TooFast(_)
                | Error::Forbidden(_)
                | Error::Gone(_)
        )
    }

    pub fn not_found(kind: &'static str, key: impl ToString) -> Self {
        Error::NotFound {
            kind,
            key: key.to_string(),
        }
    }
}

impl From<sled::Error> for Error {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Io(io) => io.into(),
            other => Error::Storage(other.to_string()),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        crate::store::files::io_error("cannot write the data folder", e)
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
