//! What the plugin commands read from the firm's records: the grants admins made, the firm's
//! calendar (for `simulate`) and which templates and open work name a plugin (for `remove`).
//! The plugin files themselves are read and written where the command is typed; these records
//! come from the running server through its admin socket when one holds the folder (one
//! [`Call`], run by the same function as on the stopped folder), so every plugin command
//! answers beside a server as it does on the stopped folder.

use std::collections::BTreeMap;

use std::sync::Arc;

use anyhow::Context as _;
use docket_engine::config::{Config, StorageBackend};
use docket_engine::model::FirmSettings;
use docket_engine::store::Store;
use docket_engine::{Docket, SystemClock};
use serde::{Deserialize, Serialize};

use crate::cli::job::{Call, Job};
use crate::cli::out::{Out, Sink, Stream, Terminal};
use crate::cli::socket;

/// The records a plugin command needs.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Facts {
    /// Capabilities admins granted, by plugin.
    pub grants: BTreeMap<String, Vec<String>>,
    /// The firm's stored settings (its calendar).
    pub firm: FirmSettings,
    /// The templates and open work items naming the plugin asked about, when one was.
    pub users: Option<Vec<String>>,
}

/// The facts of the store `config` names, with the users of `users_of`: from the server holding
/// the data folder, else from the folder, or from the shared PostgreSQL database. `None` when
/// there is no data folder.
pub(crate) fn gather(config: &Config, users_of: Option<&str>) -> anyhow::Result<Option<Facts>> {
    let dir = &config.storage.data_dir;
    // On PostgreSQL the servers share the database, so it is read while they run.
    let postgres = config.storage.backend == StorageBackend::Postgres;
    if !postgres && !dir.join("db").is_dir() {
        return Ok(None);
    }
    let call = Call::new(Job::PluginFacts {
        users_of: users_of.map(str::to_string),
    })?;
    let server = if postgres {
        None
    } else {
        socket::Server::reach(dir)?
    };
    let text = match server {
        Some(server) => server.captured(&call)?,
        None => {
            let (docket, _store) = if postgres {
                crate::cli::backend::open_existing(config, Arc::new(SystemClock))?
            } else {
                let (docket, store) = crate::cli::open(config)?;
                (docket, store as Arc<dyn Store>)
            };
            let mut captured = Captured::default();
            call.run(&docket, config, false, &mut Out::new(&mut captured))?;
            captured.out
        }
    };
    let facts = serde_json::from_slice(&text)
        .context("cannot read the firm's plugin grants and settings as the server sent them")?;
    Ok(Some(facts))
}

/// The job's side: writes the facts of `docket` to `out` as JSON.
pub(crate) fn write(docket: &Docket, users_of: Option<&str>, out: &mut Out) -> anyhow::Result<()> {
    let facts = Facts {
        grants: docket_engine::docket::stored_plugin_grants(docket.store().as_ref())
            .context("cannot read the plugins' grants")?,
        firm: docket.firm_settings()?,
        users: users_of.map(|name| docket.plugin_users(name)).transpose()?,
    };
    serde_json::to_writer(out, &facts)?;
    Ok(())
}

/// Standard output kept, standard error passed on to this terminal.
#[derive(Default)]
pub(crate) struct Captured {
    pub out: Vec<u8>,
}

impl Sink for Captured {
    fn put(&mut self, stream: Stream, bytes: &[u8]) -> std::io::Result<()> {
        match stream {
            Stream::Out => {
                self.out.extend_from_slice(bytes);
                Ok(())
            }
            Stream::Err => Terminal.put(Stream::Err, bytes),
        }
    }
}
