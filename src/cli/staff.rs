//! `docket user` and `docket token`: the firm's staff and the API tokens that act for them,
//! from the shell. A staff member is named by their email or id.

use std::io::{IsTerminal as _, Write as _};

use anyhow::bail;
use clap::Subcommand;
use docket_engine::demo::random_password;
use docket_engine::model::{Role, TokenCreator, TokenEnd};
use docket_engine::{Docket, NewUser};

use super::out::Out;

#[derive(Debug, Subcommand, serde::Serialize, serde::Deserialize)]
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
    /// List staff users: id, email, role, state (active, invited, disabled), name.
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
        /// A staff member's email or id.
        user: String,
        #[arg(value_parser = ["admin", "staff"])]
        role: String,
    },
    /// Disable a member: their sessions end, their API tokens are revoked and sign-in is refused
    /// (not the last active admin).
    Disable {
        /// A staff member's email or id.
        user: String,
    },
    /// Let a disabled member sign in again.
    Enable {
        /// A staff member's email or id.
        user: String,
    },
}

#[derive(Debug, Subcommand, serde::Serialize, serde::Deserialize)]
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
        /// The member (email or id) the token belongs to: it carries their rights, no more
        /// than their role, and ends when they are disabled. Without it the token belongs to
        /// no member and is listed as made on the command line.
        #[arg(long, value_name = "EMAIL")]
        member: Option<String>,
    },
    /// List API tokens: id, role, name, who made it, created, last used (recorded at most once
    /// a minute, so it may lag by up to a minute), revoked and why (never a secret).
    List,
    /// Revoke an API token by its id (from `docket token list`): requests with it get 401.
    Revoke { id: String },
}

/// `password`: the one `user add` was given (asked on the caller's terminal, or made up), and
/// whether it was made up, so it is printed.
pub fn user(
    cmd: UserCommand,
    docket: &Docket,
    password: Option<(String, bool)>,
    out: &mut Out,
) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add { email, role, name } => {
            let role: Role = role.parse()?;
            let (password, made_up) = match password {
                Some(given) => given,
                None => read_or_make_password()?,
            };
            let user = docket.add_user(NewUser {
                email,
                name,
                role,
                password: password.clone(),
            })?;
            writeln!(
                out,
                "added {} ({:?}) with id {}",
                user.email, user.role, user.id
            )?;
            if made_up {
                writeln!(out, "password: {password}")?;
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
                writeln!(
                    out,
                    "{}\t{}\t{:?}\t{state}\t{}",
                    user.id, user.email, user.role, user.name
                )?;
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
            writeln!(
                out,
                "invited {} ({}) with id {}; the email with their link goes out while `docket serve` runs",
                member.email, member.role, member.id
            )?;
        }
        UserCommand::Role { user, role } => {
            let member = docket.set_user_role(&user, role.parse()?)?;
            writeln!(out, "{} is now {}", member.email, member.role)?;
        }
        UserCommand::Disable { user } => {
            let member = docket.disable_user(&user)?;
            writeln!(
                out,
                "{} is disabled; their sessions and API tokens ended",
                member.email
            )?;
        }
        UserCommand::Enable { user } => {
            let member = docket.enable_user(&user)?;
            writeln!(out, "{} can sign in again", member.email)?;
        }
    }
    Ok(())
}

pub fn read_or_make_password() -> anyhow::Result<(String, bool)> {
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

pub fn token(cmd: TokenCommand, docket: &Docket, out: &mut Out) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create { name, role, member } => {
            let by = match member {
                Some(member) => {
                    let member = docket.find_staff(&member)?;
                    TokenCreator::Member {
                        id: member.id,
                        email: member.email,
                    }
                }
                None => TokenCreator::CommandLine,
            };
            let (token, secret) = docket.create_api_token(&name, role.parse()?, by)?;
            writeln!(out, "{secret}")?;
            let article = if token.role == Role::Admin { "an" } else { "a" };
            writeln!(
                out.err(),
                "{article} {} token `{}` with id {}; keep it secret: it is shown only once",
                token.role,
                token.name,
                token.id
            )?;
        }
        TokenCommand::List => {
            let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
                at.map_or_else(
                    || "-".to_string(),
                    |at| at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                )
            };
            writeln!(
                out,
                "id\trole\tname\tmade by\tcreated\tlast used\trevoked\twhy"
            )?;
            for token in docket.list_api_tokens()? {
                let by = match &token.created_by {
                    TokenCreator::Member { email, .. } => email.as_str(),
                    TokenCreator::CommandLine => "command line",
                    TokenCreator::Unknown => "unknown",
                };
                let why = match token.revoked_because {
                    Some(TokenEnd::Revoked) => "revoked",
                    Some(TokenEnd::MemberDisabled) => "member disabled",
                    None => "-",
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    token.id,
                    token.role,
                    token.name,
                    by,
                    when(Some(token.created_at)),
                    when(token.last_used_at),
                    when(token.revoked_at),
                    why
                )?;
            }
        }
        TokenCommand::Revoke { id } => {
            let token = docket.revoke_api_token(id.parse()?)?;
            writeln!(out, "revoked token `{}` ({})", token.name, token.id)?;
        }
    }
    Ok(())
}
