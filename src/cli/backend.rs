//! Opening the store the configuration names for the server: the data folder (sled, the
//! default), or the PostgreSQL database at `storage.url` that several servers share.

use std::sync::Arc;

use anyhow::Context as _;
use docket_engine::config::{Config, StorageBackend};
use docket_engine::store::{PgStore, Store};
use docket_engine::{Clock, Docket};

/// The store and the engine over it, for `serve`: a data folder is created when missing; a
/// database has its tables created or upgraded.
pub(crate) fn open_served(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<(Docket, Arc<dyn Store>)> {
    open_store(config, clock, Firm::Start)
}

/// Whether opening the store may start a firm in it: only `serve` may (and `restore`, on its
/// own path); every other command refuses a database that holds none, as it refuses a
/// `--data` that holds no data folder.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Firm {
    Start,
    Existing,
}

/// [`open_served`] for a command: a database that holds no firm is refused, not prepared.
pub(crate) fn open_existing(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<(Docket, Arc<dyn Store>)> {
    open_store(config, clock, Firm::Existing)
}

fn open_store(
    config: &Config,
    clock: Arc<dyn Clock>,
    firm: Firm,
) -> anyhow::Result<(Docket, Arc<dyn Store>)> {
    match config.storage.backend {
        StorageBackend::Sled => {
            let (docket, store) = super::open_with_clock(config, clock, true)?;
            Ok((docket, store))
        }
        StorageBackend::Postgres => {
            let store = Arc::new(open_postgres(config, firm)?);
            docket_engine::backup::check_not_half_restored(store.as_ref())?;
            let described = store.described().to_string();
            let store: Arc<dyn Store> = store;
            let docket = Docket::open(store.clone(), clock, &config.firm, &config.server.base_url)
                .with_context(|| format!("cannot open the database {described}"))?
                .with_max_upload(config.server.max_upload_bytes())
                .with_upload_quota(config.server.upload_quota())
                .with_reply_address(config.inbound.as_ref().map(|i| i.reply_address.as_str()))
                .with_reply_mailbox(
                    config
                        .inbound
                        .as_ref()
                        .is_some_and(|i| i.imap_host.is_some()),
                );
            Ok((docket, store))
        }
    }
}

/// The PostgreSQL store at `storage.url` (or DOCKET_STORAGE_URL), upgraded if older; with
/// `Firm::Existing`, refused when the database holds no firm (nothing is created in it).
pub(crate) fn open_postgres(config: &Config, firm: Firm) -> anyhow::Result<PgStore> {
    let url = config
        .storage
        .url
        .as_deref()
        .context("storage.url is not set (set DOCKET_STORAGE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE)")?;
    if firm == Firm::Existing && !PgStore::prepared(url, docket_engine::store::UrlFrom::Config)? {
        anyhow::bail!(
            "the database in storage.url holds no firm yet (nothing was changed): `docket serve` starts one there, and `docket restore FILE` fills it from a backup"
        );
    }
    let store = PgStore::connect(
        url,
        config.storage.connections,
        docket_engine::docket::UPGRADES,
    )?;
    tracing::info!(database = %store.described(), "records and files are kept in PostgreSQL");
    Ok(store)
}
