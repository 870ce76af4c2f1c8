//! The admin socket where there is none: on a system without Unix domain sockets (`socket.rs`
//! is built on Unix only) a server opens no socket and says so once in its log, and a command
//! finds no server to reach, so it opens the data folder itself, which says when a running
//! server holds it.

use std::path::Path;
use std::sync::Arc;

use docket_engine::Docket;
use docket_engine::backup::Counts;
use docket_engine::config::Config;
use docket_engine::store::Store;

use super::job::Call;

/// What the server logs instead of opening the socket, and why a command cannot reach it.
const UNSUPPORTED: &str = "the admin socket needs Unix domain sockets, which this system does not offer; stop the server to run commands on its data folder";

/// Never made here: [`AdminSocket::open`] always says why not.
pub struct AdminSocket {
    never: std::convert::Infallible,
}

impl AdminSocket {
    /// Always refused, with the reason; the caller logs it and serves on without a socket.
    pub fn open(
        _dir: &Path,
        _docket: Docket,
        _store: Arc<dyn Store>,
        _config: Config,
    ) -> anyhow::Result<AdminSocket> {
        anyhow::bail!(UNSUPPORTED)
    }

    pub fn path(&self) -> &Path {
        match self.never {}
    }
}

/// Never made here: no server can be reached.
pub struct Server {
    never: std::convert::Infallible,
}

impl Server {
    /// No server is reachable without the socket: the command opens the folder itself.
    pub fn reach(_dir: &Path) -> anyhow::Result<Option<Server>> {
        Ok(None)
    }

    pub fn run(self, _call: &Call) -> anyhow::Result<()> {
        match self.never {}
    }

    pub fn captured(self, _call: &Call) -> anyhow::Result<Vec<u8>> {
        match self.never {}
    }

    pub fn backup(
        self,
        _out: &mut dyn std::io::Write,
        _progress: &mut dyn FnMut(u64),
    ) -> anyhow::Result<Counts> {
        match self.never {}
    }
}
