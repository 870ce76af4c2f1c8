//! Commands that add records from the shell: users, tokens, contacts, templates, work items.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use docket_engine::demo::random_password;
use docket_engine::model::{Actor, FireAction, NewContact, NewWork, Role};
use docket_engine::{Docket, NewUser};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff user. On a terminal the password is asked for (empty: one is made up and
    /// printed); otherwise one is made up and printed.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["admin", "staff"])]
        role: String,
        /// Display name; defaults to the email.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List staff users.
    List,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print its secret (shown only this once).
    Create {
        /// What will use the token, e.g. "zapier" or "backup script".
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Add a client contact.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// IANA timezone overriding the firm's for this contact's reminders.
        #[arg(long)]
        timezone: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Import a template from a TOML file (see examples/templates/).
    Import { file: PathBuf },
    /// List templates.
    List,
}

#[derive(Debug, Subcommand)]
pub enum WorkCommand {
    /// Create a work item from a template.
    Create {
        /// Template name or id.
        #[arg(long)]
        template: String,
        /// Start date, YYYY-MM-DD; due dates count from it.
        #[arg(long, value_parser = super::work::parse_date)]
        start: NaiveDate,
        /// Recipient contact (email or id): once for every group, or once per group in template
        /// order.
        #[arg(long = "contact", required = true)]
        contacts: Vec<String>,
        #[arg(long)]
        title: Option<String>,
        /// The name the client sees; defaults to the title.
        #[arg(long)]
        external_name: Option<String>,
        /// Email (or id) of the staff user responsible.
        #[arg(long)]
        assignee: Option<String>,
    },
    /// List work items, newest first (soonest due first with --due-from or --due-to).
    List(super::work::ListArgs),
    /// Show a work item: its groups, tasks and latest events.
    Show { id: String },
    /// Complete a work item: sending and reminders stop, the portal is locked.
    Complete { id: String },
    /// Reopen a completed work item.
    Reopen { id: String },
}

impl WorkCommand {
    /// Whether the command only reads.
    pub fn reads_only(&self) -> bool {
        matches!(self, WorkCommand::List(_) | WorkCommand::Show { .. })
    }
}

pub fn user(cmd: UserCommand, docket: &Docket) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add { email, role, name } => {
            let role: Role = role.parse()?;
            let (password, made_up) = read_or_make_password()?;
            let user = docket.add_user(NewUser {
                email,
                name,
                role,
                password: password.clone(),
            })?;
            println!("added {} ({:?}) with id {}", user.email, user.role, user.id);
            if made_up {
                println!("password: {password}");
            }
        }
        UserCommand::List => {
            for user in docket.list_users()? {
                println!("{}\t{:?}\t{}", user.email, user.role, user.name);
            }
        }
    }
    Ok(())
}

fn read_or_make_password() -> anyhow::Result<(String, bool)> {
    if !std::io::stdin().is_terminal() {
        return Ok((random_password(), true));
    }
    let first = rpassword::prompt_password("password (empty to generate one): ")?;
    if first.is_empty() {
        return Ok((random_password(), true));
    }
    let again = rpassword::prompt_password("password again: ")?;
    if first != again {
        bail!("the passwords differ; nothing was changed");
    }
    Ok((first, false))
}

pub fn token(cmd: TokenCommand, docket: &Docket) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create { name } => {
            let (_, secret) = docket.create_api_token(&name)?;
            println!("{secret}");
            eprintln!("keep this token secret: it is shown only once");
        }
    }
    Ok(())
}

pub fn contact(cmd: ContactCommand, docket: &Docket) -> anyhow::Result<()> {
    match cmd {
        ContactCommand::Add {
            email,
            name,
            timezone,
        } => {
            let contact = docket.create_contact(
                NewContact {
                    name,
                    email,
                    timezone,
                },
                Actor::System,
            )?;
            println!(
                "added contact {} <{}> with id {}",
                contact.name, contact.email, contact.id
            );
        }
    }
    Ok(())
}

pub fn template(cmd: TemplateCommand, docket: &Docket) -> anyhow::Result<()> {
    match cmd {
        TemplateCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let template = docket
                .import_template(&text)
                .with_context(|| format!("{}", file.display()))?;
            let tasks: usize = template.groups.iter().map(|g| g.tasks.len()).sum();
            println!(
                "imported template `{}` ({} groups, {tasks} tasks) with id {}",
                template.name,
                template.groups.len(),
                template.id
            );
        }
        TemplateCommand::List => {
            for template in docket.list_templates()? {
                println!("{}\t{}", template.id, template.name);
            }
        }
    }
    Ok(())
}

pub fn work(cmd: WorkCommand, docket: &Docket) -> anyhow::Result<()> {
    match cmd {
        WorkCommand::List(args) => super::work::list(args, docket)?,
        WorkCommand::Show { id } => super::work::show(&id, docket)?,
        WorkCommand::Complete { id } => super::work::complete(&id, docket)?,
        WorkCommand::Reopen { id } => super::work::reopen(&id, docket)?,
        WorkCommand::Create {
            template,
            start,
            contacts,
            title,
            external_name,
            assignee,
        } => {
            let work = docket.create_work(
                NewWork {
                    template,
                    title,
                    external_name,
                    start_date: Some(start),
                    assignee,
                    contacts,
                },
                Actor::System,
            )?;
            println!("created work `{}` with id {}", work.title, work.id);
            for group in &work.groups {
                for task in &group.tasks {
                    println!("  {}: {} (due {})", group.name, task.title, task.due_date);
                }
            }
            for group in &work.groups {
                let when = match &group.next {
                    Some(fire) if fire.action == FireAction::Send => format!(
                        "goes out automatically at {} (while `docket serve` runs)",
                        fire.at.format("%Y-%m-%d %H:%M UTC")
                    ),
                    Some(_) => "is planned again when `docket serve` runs".to_string(),
                    None => "goes out when staff send it".to_string(),
                };
                println!("  “{}” {when}", group.name);
            }
        }
    }
    Ok(())
}
