//! The firm's vocabulary as types: settings, staff, contacts, templates, work items and their
//! timeline. Records here are what the store keeps; each carries a format version.

mod access;
mod contact;
mod exchange;
mod firm;
mod ids;
mod instant;
mod notice;
mod outbox;
mod repeat;
mod reply;
mod staff;
mod template;
mod timeline;
mod work;

pub use access::{
    FORMER_DEVICES_KEPT, FormerDevice, GroupAccess, LinkPurpose, LinkStatus, MagicLink,
};
pub use contact::{
    Contact, ContactUpdate, MAX_PAUSE_NOTE_CHARS, NewContact, PauseRequest, ReminderPause,
};

/// Longest name or title people type: a contact's, a template's, a group's, a task's or a work
/// item's, in characters. Longer is refused with a field error.
pub const MAX_NAME_CHARS: usize = 200;
pub use exchange::{Comment, StoredFile, TypeMismatch, UploadedFile, sanitise_file_name};
pub use firm::{FirmLogo, FirmSettings, Role, SendingPause, StaffInvite, StaffUser};
pub use ids::{ContactId, EventId, TemplateId, TokenId, UserId, WorkId, new_id};
pub use instant::KeyInstant;
pub use notice::{HookEventKind, QueuedEvent, StaffNotification, WebhookDelivery};
pub use outbox::{
    CommentLine, MailContext, MessageKind, MessageState, OutboundMessage, PendingDigest, TaskLine,
};
pub use repeat::{NOT_A_DAY, Occurrence, Repeat, RepeatRequest};
pub use reply::{InboundStatus, ReplyFate, UnmatchedReply};
pub use staff::{ApiToken, StaffMember, StaffSession, TokenCreator, TokenEnd};
pub use template::{
    DocumentRef, GroupTemplate, MAX_DUE_OFFSET_DAYS, NewTemplate, ParamItem, ParamValue, PluginRef,
    TaskTemplate, Template, TemplateFile,
};
pub use timeline::{Actor, EventKind, TimelineEvent};
pub use work::{
    ClientTask, ClientTaskGroup, Fire, FireAction, NewBulkWork, NewWork, Review, Stuck, TaskReview,
    WorkItem, WorkStatus,
};

/// A record kept in the store, inside an envelope carrying its format version. Reading a record
/// written by an older binary upgrades it through `upgrade`.
pub trait Record: serde::Serialize + serde::de::DeserializeOwned {
    /// What the record is, for error messages.
    const KIND: &'static str;
    /// The format version this binary writes.
    const VERSION: u16;

    /// Turns a record of an older format `version` into the current one. The first format has
    /// nothing older to upgrade from.
    fn upgrade(version: u16, _value: serde_json::Value) -> Result<serde_json::Value, String> {
        Err(format!(
            "no upgrade from {} format version {version}",
            Self::KIND
        ))
    }
}

/// The lower-cased host of an `http://` or `https://` URL; `None` for anything else, including
/// URLs with user info (`https://a@b/`), which could make the host ambiguous.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.contains('@') || authority.is_empty() {
        return None;
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        Some(_) => return None,
        None => authority,
    };
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    valid.then(|| host.to_ascii_lowercase())
}

/// Checks an email address the way a firm needs it checked: one `@`, something on each side, no
/// spaces. Delivery is the real test.
pub fn normalise_email(email: &str) -> Result<String, crate::Error> {
    let typed = email.trim();
    if typed.is_empty() {
        return Err(crate::Error::invalid("enter an email address"));
    }
    let email = typed.to_ascii_lowercase();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if valid {
        Ok(email)
    } else {
        // The message echoes what was typed, not its lower-cased form.
        let hint = match (typed.find('<'), typed.rfind('>')) {
            (Some(open), Some(close)) if open < close => format!(
                "; write the address alone, e.g. {}",
                &typed[open + 1..close].trim()
            ),
            _ => String::new(),
        };
        Err(crate::Error::invalid(format!(
            "`{typed}` is not an email address{hint}"
        )))
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
