//! `serve`'s reader of the reply mailbox (`[inbound]`): its password, asked for before anything
//! is opened or served, and the IMAP reader started beside the web server.

use anyhow::Context as _;
use docket_engine::Docket;
use docket_engine::config::Config;

/// With `[inbound] imap_host`, the mailbox's password: the environment's
/// `DOCKET_IMAP_PASSWORD`, refused in one sentence when it is missing.
pub(crate) fn imap_password(config: &Config) -> anyhow::Result<Option<String>> {
    if config
        .inbound
        .as_ref()
        .is_none_or(|i| i.imap_host.is_none())
    {
        return Ok(None);
    }
    let env = docket_engine::config::IMAP_PASSWORD_ENV;
    match std::env::var(env) {
        Ok(password) if !password.is_empty() => Ok(Some(password)),
        _ => anyhow::bail!(
            "{}: `inbound.imap_host` is set, so give the reply mailbox's password in the environment variable {env}",
            config.source
        ),
    }
}

/// With `[inbound] imap_host` (and its password, read at start), the reader of the reply
/// mailbox.
pub(crate) fn start_imap(
    docket: &Docket,
    config: &Config,
    password: Option<String>,
) -> anyhow::Result<Option<docket_engine::mail::imap::ImapReader>> {
    let (Some(inbound), Some(password)) = (
        config.inbound.as_ref().filter(|i| i.imap_host.is_some()),
        password,
    ) else {
        if let Some(inbound) = &config.inbound
            && inbound.imap_host.is_none()
        {
            tracing::warn!(
                reply_address = %inbound.reply_address,
                "replies by email are not read: emails to clients carry a reply address, but [inbound] imap_host is not set, so their answers wait in that mailbox; set imap_host (see the README's \"Replies by email\")"
            );
        }
        // No mailbox is read now: a failure an earlier configuration recorded is not shown.
        if let Err(e) = docket.inbound_restart() {
            tracing::error!("cannot clear the reply mailbox's failure of an earlier run: {e}");
        }
        return Ok(None);
    };
    let reader =
        docket_engine::mail::imap::ImapReader::start(docket.clone(), inbound.clone(), password)
            .context("cannot start the reply mailbox reader")?;
    Ok(Some(reader))
}
