//! The server's log: to stderr, filtered by `DOCKET_LOG` or `RUST_LOG`, as text lines or one
//! JSON object per line, and what `--help` says of it.

use tracing_subscriber::EnvFilter;

/// What `serve --help` says of the log's variables.
pub const LOG_HELP: &str = "Logging: the server logs to stderr at `info` (the database connection pool's own messages only \
when they are errors). Set DOCKET_LOG or RUST_LOG to a filter to change \
that (`debug`, `warn`, `info,docket_engine=debug`); when both are set DOCKET_LOG wins. `log.format = \"json\"` in the configuration \
(or DOCKET_LOG_FORMAT=json) writes one JSON object per line.";

/// The filter without `DOCKET_LOG` or `RUST_LOG`: info, but the database connection pool
/// (deadpool) only at error. While PostgreSQL does not answer it warns of every connection it
/// drops or cannot recycle; the loops that need the database say so once themselves
/// (`docket_engine::outage`).
const DEFAULT_FILTER: &str = "info,deadpool=error";

/// Logs go to stderr, filtered by `DOCKET_LOG`, else by `RUST_LOG` (the variable every Rust
/// operator tries first), else at info (`DEFAULT_FILTER`): lines in colour on a terminal, or
/// one JSON object per line (`log.format = "json"`). A filter that does not parse is said in the
/// log, which then runs at the default.
pub(crate) fn start_logging(format: docket_engine::config::LogFormat) {
    let (filter, refused) = log_filter(
        std::env::var("DOCKET_LOG").ok(),
        std::env::var("RUST_LOG").ok(),
    );
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        docket_engine::config::LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        docket_engine::config::LogFormat::Json => logs.json().with_current_span(true).init(),
    }
    if let Some(refused) = refused {
        tracing::warn!("{refused}; logging at info");
    }
}

/// Commands other than `serve` say on stderr, as plain lines, only what the store says of an
/// upgrade of the folder's format and the recovery of one cut short (`store::compact`).
pub(crate) fn start_command_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new("off,docket_engine::store::compact=warn"))
        .with_writer(std::io::stderr)
        .without_time()
        .with_target(false)
        .with_level(false)
        .with_ansi(false)
        .try_init();
}

/// The log filter from `DOCKET_LOG` or, unset or empty, `RUST_LOG`; `DEFAULT_FILTER` without
/// either, or with a filter that does not parse (then also what is wrong with it).
fn log_filter(docket_log: Option<String>, rust_log: Option<String>) -> (EnvFilter, Option<String>) {
    let chosen = [("DOCKET_LOG", docket_log), ("RUST_LOG", rust_log)]
        .into_iter()
        .find_map(|(name, value)| value.filter(|v| !v.trim().is_empty()).map(|v| (name, v)));
    match chosen {
        None => (EnvFilter::new(DEFAULT_FILTER), None),
        Some((name, value)) => match EnvFilter::try_new(&value) {
            Ok(filter) => (filter, None),
            Err(e) => (
                EnvFilter::new(DEFAULT_FILTER),
                Some(format!("{name}={value:?} is not a log filter ({e})")),
            ),
        },
    }
}

#[cfg(test)]
#[path = "logging_tests.rs"]
mod tests;
