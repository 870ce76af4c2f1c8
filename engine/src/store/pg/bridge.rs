//! The blocking face of an async PostgreSQL pool: the engine's store calls are synchronous and
//! may come from any thread, a tokio worker included, so every query runs as a task on the
//! store's own small runtime and the caller waits for its answer on a channel. No runtime is ever
//! entered from inside another, and dropping the store never blocks a runtime.
//!
//! Also: reading `storage.url` (errors name the field and never echo the password) and turning
//! the client's errors into words an operator can act on (wrong password, server unreachable,
//! no such database).

use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod};
use tokio_postgres::error::SqlState;

use crate::{Error, Result};

/// How long a caller waits for a free connection, or for a new one to be made.
const POOL_WAIT: Duration = Duration::from_secs(30);

/// The pool, and the runtime its connections live on.
pub(crate) struct Bridge {
    runtime: Option<tokio::runtime::Runtime>,
    pub pool: Pool,
    /// `user@host:port/database`, for messages (never the password).
    pub described: String,
    /// Round trips to the database so far (`count`).
    trips: std::sync::atomic::AtomicU64,
}

impl Bridge {
    /// Reads `url` and makes a pool of at most `size` connections; connects nothing yet.
    pub fn new(url: &str, size: usize) -> Result<Self> {
        let config = tokio_postgres::Config::from_str(url).map_err(|e| {
            Error::invalid(format!(
                "storage.url is not a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE, the password in DOCKET_STORAGE_URL): {}",
                strip_url(&e.to_string(), url)
            ))
        })?;
        let described = describe(&config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("docket-postgres")
            .enable_all()
            .build()
            .map_err(|e| Error::Storage(format!("cannot start the PostgreSQL client: {e}")))?;
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(size.max(2))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(POOL_WAIT))
            .build()
            .map_err(|e| Error::Storage(format!("cannot make the PostgreSQL pool: {e}")))?;
        Ok(Self {
            runtime: Some(runtime),
            pool,
            described,
            trips: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Counts `n` round trips: the store's own figure and `docket_store_round_trips_total`.
    pub fn count(&self, n: u64) {
        self.trips
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        metrics::counter!("docket_store_round_trips_total").increment(n);
    }

    /// Round trips counted so far.
    pub fn round_trips(&self) -> u64 {
        self.trips.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs `work` on the store's runtime and waits for its answer.
    pub fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T>> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.runtime
            .as_ref()
            .expect("the runtime lives as long as the store")
            .spawn(async move {
                let _ = tx.send(work.await);
            });
        rx.recv().unwrap_or_else(|_| {
            Err(Error::Storage(
                "a PostgreSQL query stopped before it answered".into(),
            ))
        })
    }

    /// A connection from the pool, for a task running on the store's runtime.
    pub async fn client(pool: &Pool, described: &str) -> Result<deadpool_postgres::Object> {
        pool.get().await.map_err(|e| pool_error(described, e))
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        // A runtime dropped inside another (a server's shutdown) must not wait for its tasks.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// `user@host:port/database` of a connection config.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or("(no user)"),
        config.get_dbname().unwrap_or("(no database)")
    )
}

/// The client's message with the URL's password taken out, should it quote the URL.
fn strip_url(message: &str, url: &str) -> String {
    match tokio_postgres::Config::from_str(url)
        .ok()
        .and_then(|c| c.get_password().map(<[u8]>::to_vec))
    {
        Some(pw) if !pw.is_empty() => message.replace(&*String::from_utf8_lossy(&pw), "***"),
        _ => message.to_string(),
    }
}

/// A failure to get a connection, in words.
pub(crate) fn pool_error(described: &str, e: PoolError) -> Error {
    match e {
        PoolError::Backend(e) => pg_error(described, "cannot connect to PostgreSQL", e),
        PoolError::Timeout(_) => Error::Storage(format!(
            "PostgreSQL at {described} did not answer within {}s: is it running, and is storage.url right?",
            POOL_WAIT.as_secs()
        )),
        other => Error::Storage(format!("PostgreSQL at {described}: {other}")),
    }
}

/// A client error, in words an operator can act on.
pub(crate) fn pg_error(described: &str, what: &str, e: tokio_postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::INVALID_PASSWORD {
            return Error::Storage(format!(
                "PostgreSQL at {described} refused the password: check the password in DOCKET_STORAGE_URL (or storage.url)"
            ));
        }
        if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            return Error::Storage(format!(
                "PostgreSQL at {described} refused the user: {}",
                db.message()
            ));
        }
        if *code == SqlState::INVALID_CATALOG_NAME {
            return Error::Storage(format!(
                "PostgreSQL at {described} has no such database: {}; create it (createdb) first",
                db.message()
            ));
        }
        return Error::Storage(format!(
            "{what} ({described}): PostgreSQL said: {}",
            db.message()
        ));
    }
    let io = std::error::Error::source(&e)
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .map(|io| io.to_string());
    match io {
        Some(io) => Error::Storage(format!(
            "cannot reach PostgreSQL at {described}: {io}; is the server running, and is storage.url right?"
        )),
        None if e.is_closed() => Error::Storage(format!(
            "the connection to PostgreSQL at {described} was closed"
        )),
        None => Error::Storage(format!("{what} ({described}): {e}")),
    }
}
