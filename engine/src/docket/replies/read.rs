//! Reading a reply: who sent it and to which addresses, whether it is an automatic answer, its
//! new text (quoted history and signature cut, HTML-only mail turned to text) and its
//! attachments, typed from their bytes. Pure: no store, so every rule is a unit test.

use mail_parser::{MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

/// A message as Docket reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadReply {
    /// Its `Message-ID`, or the SHA-256 of the message when it has none.
    pub message_id: String,
    /// The `From` address, lower-cased.
    pub from: String,
    pub subject: String,
    /// Every address it was sent to (`To`, `Cc`, `Delivered-To`, `X-Original-To`).
    pub recipients: Vec<String>,
    pub auto: Option<AutoReply>,
    /// The reply's own words.
    pub text: String,
    pub attachments: Vec<ReplyAttachment>,
}

/// An automatic answer, never taken as the client's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoReply {
    /// Out of office, vacation notices (`Auto-Submitted: auto-replied`, `X-Autoreply`, …).
    OutOfOffice,
    /// A delivery failure (a DSN, or from the mailer daemon).
    Bounce,
    /// Any other machine-made mail (`Auto-Submitted: auto-generated`, `Precedence: bulk`).
    Other,
}

impl AutoReply {
    pub fn describe(self) -> &'static str {
        match self {
            AutoReply::OutOfOffice => "an out-of-office answer",
            AutoReply::Bounce => "a bounce (delivery failure)",
            AutoReply::Other => "an automatic email",
        }
    }
}

/// An attachment: its name as sent, its type read from its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyAttachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Reads `raw`; none when it is not an email at all.
pub fn read_reply(raw: &[u8]) -> Option<ReadReply> {
    let message = MessageParser::default().parse(raw)?;
    message.root_part().headers.first()?;
    let message_id = match message.message_id() {
        Some(id) if !id.trim().is_empty() => id.trim().to_string(),
        _ => format!("sha256:{}", crate::text::hex(&Sha256::digest(raw))),
    };
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let mut recipients = Vec::new();
    for list in [message.to(), message.cc()].into_iter().flatten() {
        recipients.extend(list.iter().filter_map(|a| a.address()).map(str::to_string));
    }
    for name in ["Delivered-To", "X-Original-To"] {
        for header in &message.root_part().headers {
            if header.name().eq_ignore_ascii_case(name)
                && let Some(text) = header.value().as_text()
            {
                recipients.push(text.trim().trim_matches(['<', '>']).to_string());
            }
        }
    }
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    let subject = message.subject().unwrap_or_default().trim().to_string();
    let auto = auto_reply(&message, &from, &subject, &header);
    let text = message
        .body_text(0)
        .map(|body| new_text(&body))
        .unwrap_or_default();
    let attachments = message
        .attachments()
        .filter(|part| {
            // Pictures a mail program put inside the text (a signature's logo) are not sent files.
            let inline = part
                .content_disposition()
                .is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline"));
            let embedded = inline && part.content_id().is_some();
            !(embedded || part.contents().is_empty())
        })
        .map(|part| {
            let bytes = part.contents().to_vec();
            let head = &bytes[..bytes.len().min(crate::filetype::SNIFF_BYTES)];
            ReplyAttachment {
                name: part.attachment_name().unwrap_or("attachment").to_string(),
                content_type: crate::filetype::sniff(head).to_string(),
                bytes,
            }
        })
        .collect();
    Some(ReadReply {
        message_id,
        from,
        subject,
        recipients,
        auto,
        text,
        attachments,
    })
}

fn auto_reply(
    message: &mail_parser::Message<'_>,
    from: &str,
    subject: &str,
    header: &dyn Fn(&str) -> Option<String>,
) -> Option<AutoReply> {
    let report = message.root_part().content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let daemon = from
        .split('@')
        .next()
        .is_some_and(|local| matches!(local, "mailer-daemon" | "postmaster"));
    if report || daemon || header("Return-Path").is_some_and(|p| p == "<>") {
        return Some(AutoReply::Bounce);
    }
    let lower = subject.to_lowercase();
    const AWAY: [&str; 8] = [
        "out of office",
        "out of the office",
        "automatic reply",
        "auto:",
        "autoreply",
        "absence",
        "abwesenheit",
        "vacation",
    ];
    let away_subject = AWAY.iter().any(|w| lower.contains(w));
    let submitted = header("Auto-Submitted").filter(|v| !v.starts_with("no"));
    if header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some()
        || submitted
            .as_deref()
            .is_some_and(|v| v.starts_with("auto-replied"))
        || header("Precedence").is_some_and(|p| p == "auto_reply")
        || (submitted.is_some() && away_subject)
    {
        return Some(AutoReply::OutOfOffice);
    }
    if submitted.is_some()
        || header("Precedence").is_some_and(|p| p == "bulk" || p == "junk")
        || (header("X-Auto-Response-Suppress").is_some() && away_subject)
    {
        return Some(AutoReply::Other);
    }
    None
}

/// The reply's own words in `body`: quoted lines (`>`), what follows an attribution line
/// (`On … wrote:`, `Le … a écrit :`, `Am … schrieb …:`), an `-----Original Message-----` or
/// Outlook's header block, and the signature (after `-- `, or `Sent from my …`) are cut.
pub fn new_text(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let lower = trimmed.to_lowercase();
        let next = lines
            .get(i + 1)
            .map(|l| l.trim().to_lowercase())
            .unwrap_or_default();
        let attribution = |l: &str| {
            l.ends_with("wrote:")
                || l.ends_with("a écrit :")
                || l.ends_with("a écrit:")
                || l.ends_with("schrieb:")
                || (l.starts_with("am ") && l.contains("schrieb"))
        };
        let starts_quote = attribution(&lower)
            || (lower.starts_with("on ") && attribution(&next))
            || (lower.starts_with("-----") && lower.contains("original message"))
            || (trimmed.len() >= 10 && trimmed.chars().all(|c| c == '_'))
            || (lower.starts_with("from:")
                && lines[i + 1..].iter().take(4).any(|l| {
                    l.trim().to_lowercase().starts_with("sent:")
                        || l.trim().to_lowercase().starts_with("subject:")
                }));
        let signature = *line == "-- " || trimmed == "--" || lower.starts_with("sent from my ");
        if starts_quote || signature {
            break;
        }
        if trimmed.starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    kept.join("\n").trim().to_string()
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
