//! What a client is told when their checklist cannot do what they asked — a completed request,
//! a task already done, a comment empty or too long, an upload past the work item's quota or
//! the device's rate, a language Docket lacks — written in the client's language (the
//! `refusal-*` and `upload-*` messages of `portal.ftl`). The client paths check these before
//! the rules they share with staff, so the engine's English (staff's) never reaches a client.

use crate::Result;
use crate::docket::Docket;
use crate::docket::client::access::ClientSession;
use crate::i18n::{self, Arg};

/// A refusal as words still to be written in a language: a message and its values. A size is
/// kept in bytes and written each language's way.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    id: &'static str,
    values: Vec<(&'static str, Value)>,
}

#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Number(i64),
    Size(u64),
}

impl Refusal {
    pub(crate) fn new(id: &'static str) -> Refusal {
        Refusal {
            id,
            values: Vec::new(),
        }
    }

    pub(crate) fn text(mut self, name: &'static str, value: impl Into<String>) -> Refusal {
        self.values.push((name, Value::Text(value.into())));
        self
    }

    pub(crate) fn number(mut self, name: &'static str, value: usize) -> Refusal {
        let value = i64::try_from(value).unwrap_or(i64::MAX);
        self.values.push((name, Value::Number(value)));
        self
    }

    pub(crate) fn size(mut self, name: &'static str, bytes: u64) -> Refusal {
        self.values.push((name, Value::Size(bytes)));
        self
    }

    /// The refusal written in language `code`.
    pub(crate) fn words(&self, code: &str) -> String {
        let args: Vec<(&str, Arg)> = self
            .values
            .iter()
            .map(|(name, value)| {
                let arg = match value {
                    Value::Text(text) => Arg::Text(text.clone()),
                    Value::Number(n) => Arg::Number(*n),
                    Value::Size(bytes) => Arg::Text(i18n::size(code, *bytes)),
                };
                (*name, arg)
            })
            .collect();
        i18n::translate(code, self.id, &args).unwrap_or_else(|e| {
            tracing::error!(message = self.id, error = %e, "a client refusal has no text");
            self.id.to_string()
        })
    }

    /// The refusal as staff read it (the timeline, the log): in English.
    pub(crate) fn in_english(&self) -> String {
        self.words(i18n::DEFAULT)
    }
}

impl Docket {
    /// The language of `session`'s contact (their own, else the firm's).
    pub(crate) fn client_locale(&self, session: &ClientSession) -> Result<&'static str> {
        self.locale_of(&self.contact(session.contact)?)
    }

    /// `refusal` in the language of `session`'s contact.
    pub(crate) fn to_client(&self, session: &ClientSession, refusal: &Refusal) -> Result<String> {
        Ok(refusal.words(self.client_locale(session)?))
    }
}
