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

/// Where a PostgreSQL URL came from, so its errors say what to fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlFrom {
    /// The configuration: `storage.url`, or DOCKET_STORAGE_URL.
    Config,
    /// The command line (`docket restore --to-url`).
    Given,
}

impl UrlFrom {
    /// The URL, as the operator knows it.
    fn name(self) -> &'static str {
        match self {
            UrlFrom::Config => "storage.url",
            UrlFrom::Given => "the URL given (--to-url)",
        }
    }

    /// Where the password goes.
    fn password_place(self) -> &'static str {
        match self {
            UrlFrom::Config => "DOCKET_STORAGE_URL (or storage.url)",
            UrlFrom::Given => "the URL given (--to-url)",
        }
    }
}

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
    /// Reads `url` (from `from`) and makes a pool of at most `size` connections; connects
    /// nothing yet.
    pub fn new(url: &str, size: usize, from: UrlFrom) -> Result<Self> {
        check_url(url, from)?;
        let (url, tls) = tls_of(url, from)?;
        let url = url.as_str();
        let mut config = tokio_postgres::Config::from_str(url).map_err(|e| {
            let cause = std::error::Error::source(&e).map(|c| c.to_string());
            if cause.is_some_and(|c| c.contains("`port`")) {
                return bad_port(from);
            }
            Error::invalid(format!(
                "{} is not a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE, the password in {}): {}",
                from.name(),
                from.password_place(),
                strip_url(&e.to_string(), url)
            ))
        })?;
        if config.get_ports().contains(&0) {
            return Err(bad_port(from));
        }
        let described = describe(&config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("docket-postgres")
            .enable_all()
            .build()
            .map_err(|e| Error::Storage(format!("cannot start the PostgreSQL client: {e}")))?;
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match tls {
            // `require`, or `prefer` (TLS when the server offers it), as the URL says.
            Some(tls) => Manager::from_config(config, tls, manager_config),
            // `prefer` (the client's default) would try TLS first; without a certificate to
            // check, Docket connects as asked: plainly.
            None => {
                config.ssl_mode(tokio_postgres::config::SslMode::Disable);
                Manager::from_config(config, tokio_postgres::NoTls, manager_config)
            }
        };
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
        Self::client_from(pool, described, UrlFrom::Config).await
    }

    /// [`Bridge::client`] of a pool whose URL came from `from`.
    pub async fn client_from(
        pool: &Pool,
        described: &str,
        from: UrlFrom,
    ) -> Result<deadpool_postgres::Object> {
        pool.get().await.map_err(|e| pool_error(described, e, from))
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

/// Refuses what the client would take and guess around: an empty URL (the client's defaults
/// would be tried) and a URL of another scheme (the client reads it as `key=value` words and
/// says only that the string is invalid).
fn check_url(url: &str, from: UrlFrom) -> Result<()> {
    if url.trim().is_empty() {
        return Err(Error::invalid(format!(
            "{} is empty: give the database's URL, postgres://USER:PASSWORD@HOST:PORT/DATABASE",
            from.name()
        )));
    }
    // The scheme is not echoed: a mangled URL may hold the password before `://`.
    if url
        .split_once("://")
        .is_some_and(|(scheme, _)| !matches!(scheme, "postgres" | "postgresql"))
    {
        return Err(Error::invalid(format!(
            "{} must start with postgres:// or postgresql:// (postgres://USER:PASSWORD@HOST:PORT/DATABASE)",
            from.name()
        )));
    }
    Ok(())
}

fn bad_port(from: UrlFrom) -> Error {
    Error::invalid(format!(
        "{} has a port out of range: the port must be 1 to 65535",
        from.name()
    ))
}

/// The URL as the client reads it, and the TLS to connect with: `sslmode=require` (or libpq's
/// `verify-ca` and `verify-full`, which mean the same here) connects over TLS, checking the
/// server's certificate and host name against the public roots and libpq's `sslrootcert=FILE`
/// (a PEM file, taken out of the URL: the client does not know the parameter); `prefer` does
/// the same when the server offers TLS and connects unencrypted when it does not; `disable`, or
/// no `sslmode`, connects without TLS; any other value is refused.
fn tls_of(
    url: &str,
    from: UrlFrom,
) -> Result<(String, Option<tokio_postgres_rustls::MakeRustlsConnect>)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), None));
    };
    let (mut kept, mut root, mut tls) = (Vec::new(), None, false);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            // A path may hold spaces, `%20` in a URL.
            "sslrootcert" => {
                root = Some(
                    percent_encoding::percent_decode_str(value)
                        .decode_utf8_lossy()
                        .into_owned(),
                )
            }
            "sslcert" | "sslkey" | "sslpassword" => {
                return Err(Error::invalid(format!(
                    "{}: {key}: Docket does not connect with a client certificate; let its user sign in with a password instead",
                    from.name()
                )));
            }
            "sslmode" if matches!(value, "require" | "verify-ca" | "verify-full") => {
                tls = true;
                kept.push("sslmode=require".to_string());
            }
            "sslmode" if value == "prefer" => {
                tls = true;
                kept.push(pair.to_string());
            }
            "sslmode" if value != "disable" => {
                return Err(Error::invalid(format!(
                    "{}: sslmode={value} is not one Docket takes: use sslmode=require (TLS, the certificate checked), prefer (the same when the server offers TLS, else unencrypted) or disable",
                    from.name()
                )));
            }
            _ => kept.push(pair.to_string()),
        }
    }
    let url = match kept.is_empty() {
        true => base.to_string(),
        false => format!("{base}?{}", kept.join("&")),
    };
    if !tls {
        if root.is_some() {
            return Err(Error::invalid(format!(
                "{} gives sslrootcert but no sslmode=require: add sslmode=require to connect over TLS (or take sslrootcert out)",
                from.name()
            )));
        }
        return Ok((url, None));
    }
    let path = root.as_deref().map(std::path::Path::new);
    let config = crate::tls::client_config(path, &format!("sslrootcert in {}", from.name()))
        .map_err(Error::invalid)?;
    Ok((
        url,
        Some(tokio_postgres_rustls::MakeRustlsConnect::new(
            std::sync::Arc::unwrap_or_clone(config),
        )),
    ))
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
pub(crate) fn pool_error(described: &str, e: PoolError, from: UrlFrom) -> Error {
    match e {
        PoolError::Backend(e) => pg_error_from(described, "cannot connect to PostgreSQL", e, from),
        PoolError::Timeout(_) => Error::Unavailable(format!(
            "PostgreSQL at {described} did not answer within {}s: is it running, and is {} right?",
            POOL_WAIT.as_secs(),
            from.name()
        )),
        other => Error::Storage(format!("PostgreSQL at {described}: {other}")),
    }
}

/// A client error, in words an operator can act on.
pub(crate) fn pg_error(described: &str, what: &str, e: tokio_postgres::Error) -> Error {
    pg_error_from(described, what, e, UrlFrom::Config)
}

/// [`pg_error`] on a connection whose URL came from `from`.
pub(crate) fn pg_error_from(
    described: &str,
    what: &str,
    e: tokio_postgres::Error,
    from: UrlFrom,
) -> Error {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::INVALID_PASSWORD {
            return Error::Storage(format!(
                "PostgreSQL at {described} refused the password: check the password in {}",
                from.password_place()
            ));
        }
        if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            return Error::Storage(format!(
                "PostgreSQL at {described} refused the user: {}",
                db.message()
            ));
        }
        if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            return Error::Storage(format!(
                "{what} ({described}): PostgreSQL said: {}; Docket's user must be able to create tables there: make it the database's owner (ALTER DATABASE … OWNER TO …) or GRANT CREATE ON SCHEMA public TO it",
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
    let source = std::error::Error::source(&e).map(|s| s.to_string());
    // The server asked for a password and the URL gives none (the client's own words are
    // only "invalid configuration").
    if source.as_deref() == Some("password missing") {
        return Error::Storage(format!(
            "PostgreSQL at {described} asks for a password and the URL has none: put it in {} (postgres://USER:PASSWORD@HOST:PORT/DATABASE)",
            from.password_place()
        ));
    }
    let io = std::error::Error::source(&e)
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .map(|io| io.to_string());
    if let Some(why) = source
        .as_deref()
        .filter(|s| s.contains("not valid for name"))
    {
        return Error::Storage(format!(
            "PostgreSQL at {described} showed a certificate for another name ({why}): connect with a host name (or address) the certificate holds"
        ));
    }
    if source
        .as_deref()
        .is_some_and(|s| s.contains("does not support TLS"))
    {
        return Error::Storage(format!(
            "PostgreSQL at {described} does not offer TLS: turn ssl on in the server, or take sslmode=require out of {}",
            from.name()
        ));
    }
    let certificate = source.filter(|s| s.contains("certificate"));
    if let Some(why) = certificate {
        return Error::Storage(format!(
            "PostgreSQL at {described} showed a certificate Docket does not trust ({why}): give the PEM file of the authority that signed it as sslrootcert=PATH in {}",
            from.name()
        ));
    }
    match io {
        Some(io) => Error::Unavailable(format!(
            "cannot reach PostgreSQL at {described}: {io}; is the server running, and is {} right?",
            from.name()
        )),
        None if e.is_closed() => Error::Unavailable(format!(
            "the connection to PostgreSQL at {described} was closed"
        )),
        None => Error::Storage(format!("{what} ({described}): {e}")),
    }
}
