//! `docket serve`: open the data folder, seed the demo if asked, and run the web server until
//! Ctrl-C or SIGTERM, flushing the store on the way out.

use anyhow::Context as _;
use docket_engine::config::Config;
use docket_engine::store::Store as _;
use tracing_subscriber::EnvFilter;

pub fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("DOCKET_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let (docket, store) = super::open(&config)?;
    // Installed plugins that are refused are logged with the file and the reason; the server
    // starts with the rest.
    let docket = docket.with_plugins(super::open_plugins(&config)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.server.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.server.listen))?;
        let addr = listener.local_addr()?;
        // Seeded only once the address is ours: credentials printed before a failed start would
        // be lost, since the demo seeds an empty folder only.
        if demo && let Some(seed) = docket_engine::demo::seed(&docket)? {
            println!("Demo firm created. These are shown only once:");
            println!("  admin email:    {}", seed.admin.email);
            println!("  admin password: {}", seed.admin_password);
            println!("  API token:      {}", seed.token_secret);
        }
        println!("Docket listening on http://{addr}");
        tracing::info!(%addr, data = %config.storage.data_dir.display(), "serving");
        let state = docket_portal::AppState { docket };
        docket_portal::run(listener, state, shutdown_signal())
            .await
            .context("server failed")
    })?;
    store
        .flush()
        .context("cannot flush the data folder on shutdown")?;
    tracing::info!("stopped; data flushed");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
