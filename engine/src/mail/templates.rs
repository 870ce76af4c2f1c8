//! The email templates: a subject, a text body and an HTML body per kind of email, embedded in
//! the binary and replaceable file by file from a folder. Every template, overrides included, is
//! rendered at start against a sample of its real context with every optional field empty and
//! again with every field set, in every language, so a template that fails stops start-up, never
//! a client's email. Their words are `t("id", …)` calls: Fluent messages in the contact's
//! language (`crate::i18n`, the context's `locale`).

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};

use super::MailError;
use crate::model::{CommentLine, MailContext, MessageKind, TaskLine};

/// Every template file, with its embedded text. The HTML bodies extend `layout.html`.
pub const TEMPLATE_FILES: [(&str, &str); 16] = [
    (
        "layout.html",
        include_str!("../../templates/mail/layout.html"),
    ),
    (
        "request.subject",
        include_str!("../../templates/mail/request.subject"),
    ),
    (
        "request.txt",
        include_str!("../../templates/mail/request.txt"),
    ),
    (
        "request.html",
        include_str!("../../templates/mail/request.html"),
    ),
    (
        "reminder.subject",
        include_str!("../../templates/mail/reminder.subject"),
    ),
    (
        "reminder.txt",
        include_str!("../../templates/mail/reminder.txt"),
    ),
    (
        "reminder.html",
        include_str!("../../templates/mail/reminder.html"),
    ),
    (
        "comment_digest.subject",
        include_str!("../../templates/mail/comment_digest.subject"),
    ),
    (
        "comment_digest.txt",
        include_str!("../../templates/mail/comment_digest.txt"),
    ),
    (
        "comment_digest.html",
        include_str!("../../templates/mail/comment_digest.html"),
    ),
    (
        "access_link.subject",
        include_str!("../../templates/mail/access_link.subject"),
    ),
    (
        "access_link.txt",
        include_str!("../../templates/mail/access_link.txt"),
    ),
    (
        "access_link.html",
        include_str!("../../templates/mail/access_link.html"),
    ),
    (
        "sign_in.subject",
        include_str!("../../templates/mail/sign_in.subject"),
    ),
    (
        "sign_in.txt",
        include_str!("../../templates/mail/sign_in.txt"),
    ),
    (
        "sign_in.html",
        include_str!("../../templates/mail/sign_in.html"),
    ),
];

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// The loaded and checked templates.
pub struct MailTemplates {
    env: Environment<'static>,
}

impl MailTemplates {
    /// The embedded templates, each replaced by the file of the same name in `overrides` when
    /// there is one. A file there that is no template's name is refused (a typo would otherwise
    /// be silently ignored).
    pub fn load(overrides: Option<&Path>) -> Result<MailTemplates, MailError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        crate::i18n::register(&mut env);
        // HTML bodies escape what they show; text and subjects do not.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        // A client's or work's name cannot reverse what the email says after it: whatever
        // bidirectional embedding, override or isolate a value opens is closed after it.
        env.set_formatter(|out, state, value| match value.as_str() {
            Some(text) => match crate::text::close_bidi(text) {
                std::borrow::Cow::Owned(closed) => {
                    let closed = if value.is_safe() {
                        minijinja::Value::from_safe_string(closed)
                    } else {
                        minijinja::Value::from(closed)
                    };
                    minijinja::escape_formatter(out, state, &closed)
                }
                std::borrow::Cow::Borrowed(_) => minijinja::escape_formatter(out, state, value),
            },
            None => minijinja::escape_formatter(out, state, value),
        });
        if let Some(dir) = overrides {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                MailError(format!(
                    "key `mail.templates_dir`: cannot read {}: {e}",
                    dir.display()
                ))
            })?;
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if name.starts_with('.') {
                    continue;
                }
                if !TEMPLATE_FILES.iter().any(|(known, _)| *known == name) {
                    return Err(MailError(format!(
                        "email template {}: `{name}` is not a template name; use {}",
                        entry.path().display(),
                        TEMPLATE_FILES
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
        }
        if let Some(dir) = overrides {
            // Half a pair would send a text part and an HTML part that say different things.
            for kind in MessageKind::TEMPLATED {
                let txt = dir.join(format!("{}.txt", kind.as_str())).exists();
                let html = dir.join(format!("{}.html", kind.as_str())).exists();
                if txt != html {
                    tracing::warn!(
                        folder = %dir.display(),
                        "only one of {0}.txt and {0}.html is overridden; the other is the built-in one, so the two parts of the email may differ",
                        kind.as_str()
                    );
                }
            }
        }
        for (name, embedded) in TEMPLATE_FILES {
            let (source, origin) = match overrides.map(|d| d.join(name)).filter(|p| p.exists()) {
                Some(path) => (
                    std::fs::read_to_string(&path).map_err(|e| {
                        MailError(format!("email template {}: {e}", path.display()))
                    })?,
                    path.display().to_string(),
                ),
                None => (embedded.to_string(), format!("built-in {name}")),
            };
            env.add_template_owned(name.to_string(), source)
                .map_err(|e| MailError(format!("email template {origin}: {}", describe(&e))))?;
        }
        let templates = MailTemplates { env };
        templates.check(overrides)?;
        Ok(templates)
    }

    /// Renders every kind against an empty and a full sample context.
    fn check(&self, overrides: Option<&Path>) -> Result<(), MailError> {
        let contexts = crate::i18n::codes().flat_map(|locale| {
            [MailContext::default(), sample()].map(|c| MailContext {
                locale: locale.to_string(),
                ..c
            })
        });
        let contexts: Vec<MailContext> = contexts.collect();
        for kind in MessageKind::TEMPLATED {
            for context in &contexts {
                self.render(kind, context).map_err(|e| {
                    let origin = overrides
                        .map(|d| format!(" (templates from {})", d.display()))
                        .unwrap_or_default();
                    MailError(format!("{e}{origin}"))
                })?;
            }
        }
        Ok(())
    }

    pub fn render(&self, kind: MessageKind, context: &MailContext) -> Result<Rendered, MailError> {
        // A message queued before languages, or in one since removed, is written in English.
        let context = minijinja::context! {
            locale => crate::i18n::resolve(Some(&context.locale)),
            ..minijinja::Value::from_serialize(context)
        };
        let render = |suffix: &str| {
            let name = format!("{}.{suffix}", kind.as_str());
            self.env
                .get_template(&name)
                .and_then(|t| t.render(&context))
                .map_err(|e| MailError(format!("email template {name}: {}", describe(&e))))
        };
        let subject = render("subject")?;
        // A header cannot isolate text: bidirectional controls (which would reverse what follows
        // a client's or work's name) are removed.
        let subject = crate::text::strip_bidi(&subject)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if subject.is_empty() {
            return Err(MailError(format!(
                "email template {}.subject renders an empty subject",
                kind.as_str()
            )));
        }
        Ok(Rendered {
            subject,
            text: render("txt")?,
            html: Some(render("html")?),
        })
    }
}

/// minijinja's error with its line and the detail that says what to fix.
fn describe(e: &minijinja::Error) -> String {
    let mut out = e.to_string();
    if let Some(line) = e.line() {
        out = format!("line {line}: {out}");
    }
    if let Some(detail) = e.detail()
        && !out.contains(detail)
    {
        out = format!("{out} ({detail})");
    }
    out
}

/// A context with every field set, to render each template once more at start.
fn sample() -> MailContext {
    MailContext {
        firm_name: "Smith & Co".into(),
        firm_logo_url: Some("https://example.com/logo.png".into()),
        contact_name: "Ann Archer".into(),
        work_name: "2026 tax return".into(),
        group_name: "Documents we need".into(),
        sender_name: Some("Sam Lee".into()),
        tasks: vec![TaskLine {
            title: "P60".into(),
            description: "From your employer".into(),
            due_date: "2026-04-30".into(),
            due_text: "Thursday 30 April 2026".into(),
            overdue: true,
            done: false,
        }],
        comments: vec![CommentLine {
            about: String::new(),
            author: "Sam Lee".into(),
            at_text: "3 April 2026, 10:15".into(),
            body: "Could you also send the bank letter?".into(),
        }],
        link: "https://docket.example/c/TOKEN".into(),
        reminder_number: 2,
        also_open: vec![TaskLine {
            title: "Bank statements".into(),
            description: String::new(),
            due_date: "2026-05-31".into(),
            due_text: "Sunday 31 May 2026".into(),
            overdue: false,
            done: false,
        }],
        locale: crate::i18n::DEFAULT.into(),
        replaces: "2 March 2026".into(),
    }
}

#[cfg(test)]
#[path = "templates_tests.rs"]
mod tests;
