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
    /// List staff users: email, role, state (active, invited, disabled), name.
    List,
    /// Invite a member: they are emailed a link to set their password (it goes out while
    /// `docket serve` runs, and works once for 72 hours).
    Invite {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["admin", "staff"])]
        role: String,
        /// Display name; defaults to the email.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Give a member another role (the last active admin stays one).
    Role {
        /// The member's email or id.
        user: String,
        #[arg(value_parser = ["admin", "staff"])]
        role: String,
    },
    /// Disable a member: their sessions end and sign-in is refused (not the last active admin).
    Disable {
        /// The member's email or id.
        user: String,
    },
    /// Let a disabled member sign in again.
    Enable {
        /// The member's email or id.
        user: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print its secret (shown only this once).
    Create {
        /// What will use the token, e.g. "zapier" or "backup script".
        #[arg(long, default_value = "cli")]
        name: String,
        /// What it may do: staff (templates, work, contacts) or admin (also backups, settings,
        /// users, tokens, plugins and the outbox). Staff when not given, the lesser power.
        #[arg(long, value_parser = ["admin", "staff"], default_value = "staff")]
        role: String,
    },
    /// List API tokens: id, role, name, created, last used (recorded at most once a minute, so
    /// it may lag by up to a minute), revoked (never a secret).
    List,
    /// Revoke an API token by its id (from `docket token list`): requests with it get 401.
    Revoke { id: String },
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
    /// List contacts, or those whose name or email holds `--search TEXT`.
    List {
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Archived contacts too.
        #[arg(long)]
        archived: bool,
    },
    /// Show a contact: details, work, portal state and latest timeline events.
    Show {
        /// Id or email.
        contact: String,
    },
    /// Change a contact's name, email or timezone. A new email ends the old address's links,
    /// bound devices and client-account sign-ins.
    Edit {
        /// Id or email.
        contact: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// IANA timezone; empty (`--timezone ''`) for the firm's.
        #[arg(long)]
        timezone: Option<String>,
    },
    /// Archive a contact: their portal access and sign-in end until they are restored.
    Archive {
        /// Id or email.
        contact: String,
    },
    /// Restore an archived contact.
    Restore {
        /// Id or email.
        contact: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Import a template from a TOML file (see examples/templates/), or edit one: `docket
    /// template export NAME > FILE`, edit FILE, then `docket template import --replace FILE`
    /// (or `import FILE --replace`; `import FILE --replaces OLD_NAME` when FILE renames it).
    Import {
        /// The template file (TOML), e.g. one `docket template export` printed.
        file: PathBuf,
        /// Replace the template of the file's name with the file rather than add one. Work
        /// already made from it keeps its copy.
        #[arg(long)]
        replace: bool,
        /// Replace this template (name or id) with the file, e.g. when the file renames it;
        /// implies --replace.
        #[arg(long, value_name = "NAME_OR_ID")]
        replaces: Option<String>,
    },
    /// List templates (archived ones marked).
    List,
    /// Show a template: its groups, sending rules, reminder policies and tasks.
    Show {
        /// Name (any case) or id.
        template: String,
    },
    /// Print a template as TOML, which `import --replace` reads back.
    Export {
        /// Name (any case) or id.
        template: String,
    },
    /// Archive a template: no new work is made from it until it is restored.
    Archive {
        /// Name (any case) or id.
        template: String,
    },
    /// Restore an archived template.
    Restore {
        /// Name (any case) or id.
        template: String,
    },
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
                let state = if user.disabled_at.is_some() {
                    "disabled"
                } else if user.invite.is_some() {
                    "invited"
                } else {
                    "active"
                };
                println!("{}\t{:?}\t{state}\t{}", user.email, user.role, user.name);
            }
        }
        UserCommand::Invite { email, role, name } => {
            let member = docket.invite_user(
                docket_engine::docket::NewInvite {
                    email,
                    name,
                    role: role.parse()?,
                },
                "An admin",
            )?;
            println!(
                "invited {} ({}) with id {}; the email with their link goes out while `docket serve` runs",
                member.email, member.role, member.id
            );
        }
        UserCommand::Role { user, role } => {
            let member = docket.set_user_role(&user, role.parse()?)?;
            println!("{} is now {}", member.email, member.role);
        }
        UserCommand::Disable { user } => {
            let member = docket.disable_user(&user)?;
            println!("{} is disabled; their sessions ended", member.email);
        }
        UserCommand::Enable { user } => {
            let member = docket.enable_user(&user)?;
            println!("{} can sign in again", member.email);
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
        TokenCommand::Create { name, role } => {
            let (token, secret) = docket.create_api_token(&name, role.parse()?)?;
            println!("{secret}");
            let article = if token.role == Role::Admin { "an" } else { "a" };
            eprintln!(
                "{article} {} token `{}` with id {}; keep it secret: it is shown only once",
                token.role, token.name, token.id
            );
        }
        TokenCommand::List => {
            let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
                at.map_or_else(
                    || "-".to_string(),
                    |at| at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                )
            };
            println!("id\trole\tname\tcreated\tlast used\trevoked");
            for token in docket.list_api_tokens()? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    token.id,
                    token.role,
                    token.name,
                    when(Some(token.created_at)),
                    when(token.last_used_at),
                    when(token.revoked_at)
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let token = docket.revoke_api_token(id.parse()?)?;
            println!("revoked token `{}` ({})", token.name, token.id);
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
        other => super::catalog::contact(other, docket)?,
    }
    Ok(())
}

pub fn template(cmd: TemplateCommand, docket: &Docket) -> anyhow::Result<()> {
    match cmd {
        TemplateCommand::Import {
            file,
            replaces: Some(target),
            ..
        } => super::catalog::replace_template(docket, &file, Some(&target))?,
        TemplateCommand::Import {
            file,
            replace: true,
            replaces: None,
        } => super::catalog::replace_template(docket, &file, None)?,
        TemplateCommand::Import {
            file,
            replace: false,
            replaces: None,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let template = docket.import_template(&text).map_err(|e| match e {
                // The one conflict a new template meets: another has its name.
                docket_engine::Error::Conflict(m) => {
                    anyhow::anyhow!(
                        "{}: {m}; to replace it with this file: docket template import --replace {}",
                        file.display(),
                        file.display()
                    )
                }
                e => anyhow::Error::from(e).context(format!("{}", file.display())),
            })?;
            let tasks: usize = template.groups.iter().map(|g| g.tasks.len()).sum();
            println!(
                "imported template `{}` ({} groups, {tasks} tasks) with id {}",
                template.name,
                template.groups.len(),
                template.id
            );
        }
        other => super::catalog::template(other, docket)?,
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
                        fire.at.get().format("%Y-%m-%d %H:%M UTC")
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
