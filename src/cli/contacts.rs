//! `docket contact`: the firm's client contacts added, listed, shown, edited, archived and
//! restored from the shell. A contact is named by their email or id.

use std::io::Write as _;

use clap::Subcommand;
use docket_engine::Docket;
use docket_engine::docket::WorkFilter;
use docket_engine::model::{Actor, Contact, ContactUpdate, NewContact};

use super::out::Out;

#[derive(Debug, Subcommand, serde::Serialize, serde::Deserialize)]
pub enum ContactCommand {
    /// Add a client contact.
    Add {
        /// The contact's email address: where requests and reminders go.
        #[arg(long)]
        email: String,
        /// The contact's name, as emails greet them and staff see them.
        #[arg(long)]
        name: String,
        /// IANA timezone overriding the firm's for this contact's reminders.
        #[arg(long)]
        timezone: Option<String>,
        /// The language of the contact's portal pages and emails: en, fr or de (default: the
        /// firm's `locale` setting).
        #[arg(long, value_name = "LANG")]
        locale: Option<String>,
    },
    /// List contacts, or those whose name or email holds `--search TEXT`.
    List {
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Archived contacts too.
        #[arg(long)]
        archived: bool,
    },
    /// Show a contact: details, reminder pause, work (with its repeat and pause), portal state
    /// and latest timeline events.
    Show {
        /// A contact's email or id.
        contact: String,
    },
    /// Change a contact's name, email, timezone, language or quiet days. A new email ends the old address's links,
    /// bound devices and client-account sign-ins.
    Edit {
        /// A contact's email or id.
        contact: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// IANA timezone; empty (`--timezone ''`) for the firm's.
        #[arg(long)]
        timezone: Option<String>,
        /// The contact's own quiet days, `YYYY-MM-DD` separated by commas, replacing theirs;
        /// empty (`--holidays ''`) for none. The firm's holidays apply too.
        #[arg(long, value_name = "DAYS")]
        holidays: Option<String>,
        /// The language of the contact's portal pages and emails: en, fr or de; empty
        /// (`--locale ''`) for the firm's.
        #[arg(long, value_name = "LANG")]
        locale: Option<String>,
    },
    /// Archive a contact: their portal access and sign-in end until they are restored.
    Archive {
        /// A contact's email or id.
        contact: String,
    },
    /// Restore an archived contact.
    Restore {
        /// A contact's email or id.
        contact: String,
    },
}

/// `contact add|list|show|edit|archive|restore`; a contact is named by email or id.
pub fn run(cmd: ContactCommand, docket: &Docket, out: &mut Out) -> anyhow::Result<()> {
    match cmd {
        ContactCommand::Add {
            email,
            name,
            timezone,
            locale,
        } => {
            let contact = docket.create_contact(
                NewContact {
                    name,
                    email,
                    timezone,
                    locale,
                },
                Actor::CommandLine,
            )?;
            writeln!(
                out,
                "added contact {} <{}> with id {}",
                contact.name, contact.email, contact.id
            )?;
        }
        ContactCommand::List { search, archived } => {
            let query = search.unwrap_or_default();
            let mut after = None;
            loop {
                let page = docket.search_contacts(&query, after, 500)?;
                for c in &page {
                    if c.archived_at.is_none() || archived {
                        writeln!(out, "{}", line(c))?;
                    }
                }
                match page.last() {
                    Some(last) if page.len() == 500 => after = Some(last.id),
                    _ => break,
                }
            }
        }
        ContactCommand::Show { contact } => {
            let c = find(docket, &contact)?;
            writeln!(out, "{}", line(&c))?;
            if let Some(zone) = c.timezone {
                writeln!(out, "timezone: {}", zone.name())?;
            }
            if let Some(locale) = &c.locale {
                writeln!(out, "language: {locale}")?;
            }
            if !c.holidays.is_empty() {
                let days: Vec<String> = c.holidays.iter().map(|d| d.to_string()).collect();
                writeln!(out, "own quiet days: {}", days.join(", "))?;
            }
            if let Some(paused) = super::work::pause_text(docket, c.paused.as_ref()) {
                writeln!(out, "{paused}")?;
            }
            let filter = WorkFilter {
                contact: Some(c.id),
                ..WorkFilter::default()
            };
            for work in docket.list_work(&filter, None, 100)? {
                let mut also = String::new();
                if let Some(repeat) = &work.repeat {
                    also.push_str(&format!("\t{}", super::work::repeat_text(repeat)));
                }
                if let Some(paused) = super::work::pause_text(docket, work.paused.as_deref()) {
                    also.push_str(&format!("\t{paused}"));
                }
                writeln!(
                    out,
                    "work {}\t{}\t{}{also}",
                    work.id,
                    work.title,
                    work.status.as_str()
                )?;
            }
            let portal = docket.contact_portal(c.id)?;
            for d in &portal.devices {
                let expired = if d.expired { " (access expired)" } else { "" };
                writeln!(
                    out,
                    "device bound: {} / {}{expired}",
                    d.work_title, d.group_name
                )?;
            }
            match portal.signed_in_until {
                Some(until) => writeln!(
                    out,
                    "client account: signed in until {}",
                    until.format("%Y-%m-%d %H:%M UTC")
                )?,
                None => writeln!(out, "client account: not signed in")?,
            }
            for e in docket.contact_timeline(c.id, 10)? {
                writeln!(out, "{}  {}", e.at.format("%Y-%m-%d %H:%M UTC"), e.summary)?;
            }
        }
        ContactCommand::Edit {
            contact,
            name,
            email,
            timezone,
            holidays,
            locale,
        } => {
            let before = find(docket, &contact)?;
            if name.is_none()
                && email.is_none()
                && timezone.is_none()
                && holidays.is_none()
                && locale.is_none()
            {
                anyhow::bail!(
                    "give what to change: --name, --email, --timezone, --holidays and/or --locale"
                );
            }
            let holidays = holidays.map(|days| {
                days.split(',')
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
                    .collect()
            });
            let c = docket.update_contact(
                before.id,
                ContactUpdate {
                    name,
                    email,
                    timezone,
                    holidays,
                    locale,
                },
                Actor::CommandLine,
            )?;
            writeln!(out, "saved {}", line(&c))?;
            if c.email != before.email {
                writeln!(
                    out,
                    "the links, bound devices and client-account sign-ins of {} were ended",
                    before.email
                )?;
            }
        }
        ContactCommand::Archive { contact } => {
            let c = find(docket, &contact)?;
            let c = docket.archive_contact(c.id, Actor::CommandLine)?;
            writeln!(
                out,
                "archived {}: their portal access and sign-in ended",
                line(&c)
            )?;
        }
        ContactCommand::Restore { contact } => {
            let c = find(docket, &contact)?;
            let c = docket.restore_contact(c.id, Actor::CommandLine)?;
            writeln!(out, "restored {}", line(&c))?;
        }
    }
    Ok(())
}

/// A contact on one line: id, name, email, and whether archived.
fn line(c: &Contact) -> String {
    let archived = if c.archived_at.is_some() {
        "\tarchived"
    } else {
        ""
    };
    format!("{}\t{} <{}>{archived}", c.id, c.name, c.email)
}

/// The contact a command names by its email or id; a name that is neither says how to find one.
fn find(docket: &Docket, contact: &str) -> anyhow::Result<Contact> {
    docket.find_contact(contact).map_err(|e| match e {
        docket_engine::Error::NotFound { .. } if !contact.contains('@') => anyhow::anyhow!(
            "{e}: a contact is named by its email or its id; `docket contact list --search {}` finds it by name",
            super::shell_word(contact)
        ),
        e => e.into(),
    })
}
