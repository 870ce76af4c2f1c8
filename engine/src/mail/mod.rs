//! Email: rendering the outbox's messages with minijinja templates (text + HTML pairs and a
//! subject, embedded in the binary and overridable file by file from a folder) and handing them
//! to a transport — SMTP through lettre, or `.eml` files in the local outbox folder. The only
//! module that touches lettre; the rest of the engine only queues `OutboundMessage`s.

pub mod imap;
mod templates;
mod transport;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::{Mailbox, MultiPart, header};

pub use templates::{MailTemplates, Rendered, TEMPLATE_FILES};
pub use transport::{FileTransport, SmtpTransport, Transport, TransportError};

use crate::config::Config;
use crate::docket::Delivery;
use crate::model::OutboundMessage;

/// Why mail cannot start: a template that does not render, a bad address, a transport that
/// cannot be built. Stops start-up with the reason.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MailError(pub String);

/// Renders and sends outbox messages.
pub struct Mailer {
    templates: MailTemplates,
    from: Mailbox,
    transport: Arc<dyn Transport>,
}

impl Mailer {
    /// The mailer the configuration describes: templates checked, `[smtp]` or the outbox
    /// folder.
    pub fn from_config(config: &Config) -> Result<Mailer, MailError> {
        let templates = MailTemplates::load(config.mail.templates_dir.as_deref())?;
        let transport: Arc<dyn Transport> = match &config.smtp {
            Some(smtp) => Arc::new(SmtpTransport::new(smtp)?),
            None => Arc::new(FileTransport::new(
                config.data_path(&config.mail.outbox_dir),
            )?),
        };
        Mailer::new(templates, &config.mail.from, transport)
    }

    pub fn new(
        templates: MailTemplates,
        from: &str,
        transport: Arc<dyn Transport>,
    ) -> Result<Mailer, MailError> {
        let from: Mailbox = from.parse().map_err(|e| {
            MailError(format!(
                "key `mail.from`: `{from}` is not an email address ({e}); write e.g. \"Smith & Co <office@smith.example>\""
            ))
        })?;
        Ok(Mailer {
            templates,
            from,
            transport,
        })
    }

    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }

    /// The subject, text and HTML `message` would be sent with.
    pub fn render(&self, message: &OutboundMessage) -> Result<Rendered, MailError> {
        match &message.custom {
            Some((subject, body)) => Ok(Rendered {
                subject: one_line(subject),
                text: body.clone(),
                html: None,
            }),
            None => self.templates.render(message.kind, &message.context),
        }
    }

    /// Builds the email for `message`, dated `date` (the engine's clock, so a simulated clock
    /// shows in the `Date` header).
    pub fn build(
        &self,
        message: &OutboundMessage,
        date: DateTime<Utc>,
    ) -> Result<(Message, String), Delivery> {
        let rendered = self
            .render(message)
            .map_err(|e| Delivery::Permanent(format!("cannot render the email: {e}")))?;
        let to: Mailbox = format!("<{}>", message.to)
            .parse::<Mailbox>()
            .map(|m| Mailbox::new(message.to_name.as_deref().map(display_name), m.email))
            .map_err(|e| Delivery::Permanent(format!("`{}` is not an address: {e}", message.to)))?;
        let from = Mailbox::new(
            Some(display_name(&message.from_name)),
            self.from.email.clone(),
        );
        let domain = self.from.email.domain().to_string();
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(rendered.subject.clone())
            .date(date.into())
            .message_id(Some(message_id(&message.key, &domain)));
        if let Some(thread) = &message.thread {
            let id = message_id(thread, &domain);
            builder = builder.in_reply_to(id.clone()).references(id);
        }
        if let Some(language) = language(message) {
            builder = builder.header(ContentLanguage(language));
        }
        if let Some(reply_to) = &message.reply_to
            && let Ok(address) = reply_to.parse()
        {
            builder = builder.reply_to(Mailbox::new(
                message.context.sender_name.as_deref().map(display_name),
                address,
            ));
        }
        let email = match rendered.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(rendered.text, html)),
            None => builder
                .header(header::ContentType::TEXT_PLAIN)
                .body(rendered.text),
        }
        .map_err(|e| Delivery::Permanent(format!("cannot build the email: {e}")))?;
        Ok((email, rendered.subject))
    }

    /// One delivery attempt of `message`. A panic while building or sending it (a bug, or a
    /// record no header can carry) fails this message alone, never the sender.
    pub fn deliver(&self, message: &OutboundMessage, date: DateTime<Utc>) -> Delivery {
        let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.deliver_once(message, date)
        }));
        attempt.unwrap_or_else(|panic| {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Delivery::Permanent(format!("cannot build or send the email: {why}"))
        })
    }

    fn deliver_once(&self, message: &OutboundMessage, date: DateTime<Utc>) -> Delivery {
        let (email, subject) = match self.build(message, date) {
            Ok(built) => built,
            Err(failed) => return failed,
        };
        match self.transport.send(&email) {
            Ok(()) => Delivery::Sent { subject },
            Err(TransportError::Transient(e)) => Delivery::Transient(e),
            Err(TransportError::Permanent(e)) => Delivery::Permanent(e),
        }
    }
}

/// The language `message` is written in, for its `Content-Language`: a templated email's
/// (`context.locale`; English for one queued before languages), and a custom one's only when it
/// was given one (staff emails say English); a hook's words are the hook's, in no known language.
fn language(message: &OutboundMessage) -> Option<&'static str> {
    let locale = &message.context.locale;
    match &message.custom {
        Some(_) if locale.is_empty() => None,
        _ => Some(crate::i18n::resolve(Some(locale))),
    }
}

/// The `Content-Language` header (RFC 3282), which lettre does not have.
#[derive(Debug, Clone)]
struct ContentLanguage(&'static str);

impl header::Header for ContentLanguage {
    fn name() -> header::HeaderName {
        header::HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        crate::i18n::check_language(s)
            .map(ContentLanguage)
            .map_err(Into::into)
    }

    fn display(&self) -> header::HeaderValue {
        header::HeaderValue::new(Self::name(), self.0.to_string())
    }
}

/// `<KEY@DOMAIN>` with every character outside RFC 5322's atext made a dot: the same key gives
/// the same Message-ID, so a message sent twice is recognisably one.
fn message_id(key: &str, domain: &str) -> String {
    let left: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) {
                c
            } else {
                '.'
            }
        })
        .collect();
    format!("<{}@{domain}>", left.trim_matches('.'))
}

fn one_line(text: &str) -> String {
    crate::text::strip_bidi(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A display name safe in a header: control characters (a line break would end the header)
/// become spaces, and bidirectional controls go (a header cannot isolate them).
fn display_name(name: &str) -> String {
    one_line(&name.replace(char::is_control, " "))
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
