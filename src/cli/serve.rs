//! `docket serve`: open the data folder, seed the demo if asked, and run the web server until
//! Ctrl-C or SIGTERM, flushing the store on the way out. `serve` reads as its steps: mail, the
//! folder, the configuration, plugins, the claim on the folder, then the server with its
//! background work (`docket_engine::workers`).

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use docket_engine::config::Config;
use docket_engine::mail::Mailer;
use docket_engine::model::TokenCreator;
use docket_engine::plugin::{PluginHost, PluginWatch};
use docket_engine::store::Store;
use docket_engine::workers::{WorkerOptions, Workers};
use docket_engine::{Clock, Docket, ScaledClock, SystemClock};

/// `--clock-from` and `--clock-speed`.
#[derive(Debug, Clone, Copy)]
struct SimulatedClock {
    from: DateTime<Utc>,
    speed: f64,
}

/// `docket serve`'s options.
#[derive(Debug, clap::Args)]
#[command(after_help = super::logging::LOG_HELP)]
pub struct ServeArgs {
    /// Address to listen on; overrides `server.listen`. Unless the configuration sets
    /// `server.base_url`, links in emails use this address too.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Seed a demo firm into an empty data folder and print its credentials once.
    #[arg(long)]
    demo: bool,
    /// Run on a simulated clock starting at this instant (RFC 3339, e.g.
    /// 2026-03-01T08:00:00Z), for demos and end-to-end checks. Refuses a data folder ever
    /// served on the real clock and any [smtp] relay that is not on this machine.
    #[arg(long, value_name = "DATETIME", requires = "clock_speed", value_parser = parse_clock_from)]
    clock_from: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// How many times faster than real time the simulated clock runs (86400: a day per
    /// second).
    #[arg(long, value_name = "N", requires = "clock_from", value_parser = parse_speed)]
    clock_speed: Option<f64>,
}

/// `docket serve`: its options applied to the configuration, then `serve`.
pub fn run(args: ServeArgs, mut config: Config) -> anyhow::Result<()> {
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    // Links in emails must reach this server: without a base URL of its own, it follows
    // the address listened on.
    let listen = config.server.listen;
    if !config.server.base_url_set && listen.port() != 0 {
        let host = if listen.ip().is_loopback() || listen.ip().is_unspecified() {
            "localhost".to_string()
        } else {
            listen.ip().to_string()
        };
        config.server.base_url = format!("http://{host}:{}", listen.port());
    }
    let clock = args
        .clock_from
        .zip(args.clock_speed)
        .map(|(from, speed)| SimulatedClock {
            from: from.to_utc(),
            speed,
        });
    serve(config, args.demo, clock)
}

/// `--clock-from`: an RFC 3339 instant, in years a simulation can run from.
fn parse_clock_from(text: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
    use chrono::Datelike as _;
    let at = chrono::DateTime::parse_from_rfc3339(text).map_err(|_| {
        format!(
            "`{text}` is not a date and time; write it with a time and a zone, e.g. 2026-03-02T08:00:00Z"
        )
    })?;
    // Email dates stop at the year 9999; a simulation starting near it would soon run past it.
    if !(1970..=9000).contains(&at.year()) {
        return Err(format!(
            "`{text}`: start a simulated clock between the years 1970 and 9000"
        ));
    }
    Ok(at)
}

/// `--clock-speed`: from 1 to 10 000 000 times real time.
fn parse_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(speed) if (1.0..=10_000_000.0).contains(&speed) => Ok(speed),
        _ => Err(format!(
            "`{text}` is not a clock speed; give a number from 1 to 10000000 (86400: a day per second)"
        )),
    }
}

/// Serves the folder the configuration names until Ctrl-C or SIGTERM, step by step.
fn serve(config: Config, demo: bool, simulated: Option<SimulatedClock>) -> anyhow::Result<()> {
    super::logging::start_logging(config.log.format);
    // Metrics are recorded from the start (the engine's loops count what they do).
    docket_portal::observe::install();
    if simulated.is_some() {
        refuse_real_mail(&config)?;
    }
    // The mailbox's password is asked for before anything is opened or served.
    let imap_password = super::inbound::imap_password(&config)?;
    // Templates and the transport are checked before anything else: a template that does not
    // render stops start-up, never a client's email.
    let mailer = Arc::new(Mailer::from_config(&config).context("cannot start mail")?);
    let _folder = hold_folder(&config)?;
    let (docket, store) = open_folder(&config, simulated)?;
    apply_configuration(&docket, &config)?;
    // Installed plugins that are refused are logged with the file and the reason; the server
    // starts with the rest. Hooks are checked against them (and tried once on sample events)
    // before the folder is marked as served.
    let plugins = super::open_plugins(&config, store.as_ref())?;
    // Several servers on one database share their plugins through it.
    if let Some(mirror) = docket_engine::plugin::Mirror::for_store(&store, plugins.dir()) {
        plugins.mirror_through(mirror);
    }
    let docket = docket
        .with_plugins(plugins.clone())
        .with_comment_digest_delay(chrono::Duration::minutes(i64::from(
            config.mail.comment_digest_minutes,
        )));
    let _plugin_watch = watch_plugins(&docket, &plugins);
    docket
        .check_hooks(&config.hooks)
        .map_err(|e| anyhow::anyhow!("{}: {e}", config.source))?;
    claim_folder(&docket, &config, simulated)?;
    let admin_socket = open_admin_socket(&docket, &store, &config);
    warn_of_risks(&config, simulated);
    say_what_waits(&docket, &config);
    warn_of_ownerless_tokens(&docket)?;
    // Engine calls run on blocking threads; two workers carry the HTTP side of one firm, and
    // each worker more keeps a thread and its allocator heap for good.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let served = runtime.block_on(run_until_shutdown(
        &config,
        &docket,
        mailer,
        demo,
        simulated,
        imap_password,
    ));
    // No command reaches a server that is stopping.
    drop(admin_socket);
    served?;
    store
        .flush()
        .context("cannot flush the data folder on shutdown")?;
    tracing::info!("stopped; data flushed");
    Ok(())
}

/// A server on PostgreSQL still has a folder of its own (its plugins, its admin socket, its
/// outbox folder): it is taken as a folder server takes its folder (sled does that itself), so a
/// second server started on it by mistake is refused rather than taking its socket.
fn hold_folder(config: &Config) -> anyhow::Result<Option<std::fs::File>> {
    if config.storage.backend != docket_engine::config::StorageBackend::Postgres {
        return Ok(None);
    }
    let dir = &config.storage.data_dir;
    docket_engine::owner_only::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    Ok(Some(docket_engine::store::lock_folder(dir)?))
}

/// Opens (or creates) the data folder, or the PostgreSQL database, and the engine over it, on
/// the real clock or the simulated one.
fn open_folder(
    config: &Config,
    simulated: Option<SimulatedClock>,
) -> anyhow::Result<(Docket, Arc<dyn Store>)> {
    let clock: Arc<dyn Clock> = match simulated {
        Some(sim) => Arc::new(ScaledClock::new(sim.from, sim.speed)),
        None => Arc::new(SystemClock),
    };
    super::backend::open_served(config, clock)
}

/// Applies the configuration's `[firm]` keys and base URL to the stored settings, saying in one
/// log line each what changed. On a database several servers share, a server without
/// `server.base_url` keeps the stored one rather than writing its own address over the others'.
fn apply_configuration(docket: &Docket, config: &Config) -> anyhow::Result<()> {
    let base_url = if docket.store().shared() && !config.server.base_url_set {
        let kept = docket.firm_settings()?.base_url;
        tracing::info!(
            "links in emails start with {kept}, as stored: server.base_url is not configured, and on a shared database a server does not write its own address; set server.base_url to the address clients reach (the load balancer's)"
        );
        kept
    } else {
        config.server.base_url.clone()
    };
    let changes = docket
        .apply_config(&config.firm, &base_url)
        .context("cannot apply the configuration to the firm's settings")?;
    let (address, firm): (Vec<String>, Vec<String>) = changes
        .into_iter()
        .partition(|c| c.starts_with("server.base_url"));
    if !firm.is_empty() {
        tracing::info!("{}", settings_log_line(&firm));
    }
    if !address.is_empty() {
        tracing::info!("{}", address_log_line(config));
    }
    Ok(())
}

/// Plugins added, replaced or removed in the folder are served without a restart; a
/// replacement is recorded on the timeline of the open work it now decides for. The watch
/// stops when the returned value is dropped.
fn watch_plugins(docket: &Docket, plugins: &Arc<PluginHost>) -> PluginWatch {
    let docket = docket.clone();
    plugins.watch(std::time::Duration::from_secs(1), move |report| {
        for (name, from, to) in &report.replaced {
            if let Err(e) = docket.record_plugin_replaced(name, from, to) {
                tracing::error!(plugin = %name, error = %e, "cannot record the plugin's replacement on the timeline of its work");
            }
        }
        // Groups a plugin could not plan are asked again at once by its new version (or by
        // it newly installed), not at the end of their backoff.
        for name in report.replaced.iter().map(|(n, _, _)| n).chain(&report.added) {
            if let Err(e) = docket.retry_stuck_on(name) {
                tracing::error!(plugin = %name, error = %e, "cannot ask the plugin again for the groups it could not plan");
            }
        }
        // Groups whose plugin was removed are found stuck now, not on the day they fall due.
        for name in &report.removed {
            if let Err(e) = docket.replan_work_naming(name) {
                tracing::error!(plugin = %name, error = %e, "cannot re-plan the work that named a removed plugin");
            }
        }
    })
}

/// Marks the folder as served on this clock: a folder served on the real clock is never served
/// on a simulated one, and a simulated clock never starts before where it stopped.
fn claim_folder(
    docket: &Docket,
    config: &Config,
    simulated: Option<SimulatedClock>,
) -> anyhow::Result<()> {
    let serving = || format!("cannot serve {}", config.storage.data_dir.display());
    docket
        .claim_clock(simulated.is_some())
        .with_context(serving)?;
    if let Some(sim) = simulated {
        docket
            .check_simulated_start(sim.from)
            .with_context(serving)?;
    }
    Ok(())
}

/// Opens the admin socket in the data folder, through which `docket` commands typed beside the
/// server work on its firm (removed when it is dropped, at a clean stop). Without it the server
/// still serves; the log says why those commands cannot reach it.
fn open_admin_socket(
    docket: &Docket,
    store: &Arc<dyn Store>,
    config: &Config,
) -> Option<super::socket::AdminSocket> {
    let store = store.clone();
    match super::socket::AdminSocket::open(
        &config.storage.data_dir,
        docket.clone(),
        store,
        config.clone(),
    ) {
        Ok(socket) => {
            tracing::info!(path = %socket.path().display(), "docket commands beside the server reach it through its admin socket");
            Some(socket)
        }
        Err(e) => {
            tracing::warn!(
                error = format!("{e:#}"),
                "docket commands on this data folder cannot reach the server while it runs (stop it to run them)"
            );
            None
        }
    }
}

/// Warns of a simulated clock, of links that would travel in clear, and of a TLS proxy whose
/// address would stand for every client.
fn warn_of_risks(config: &Config, simulated: Option<SimulatedClock>) {
    if let Some(sim) = simulated {
        tracing::warn!(
            from = %sim.from,
            speed = sim.speed,
            "THE CLOCK IS SIMULATED: time starts at {} and runs {}x real time; emails carry simulated dates",
            sim.from,
            sim.speed
        );
    }
    if !config.server.base_url.starts_with("https://") && !config.server.listen.ip().is_loopback() {
        tracing::warn!(
            base_url = %config.server.base_url,
            listen = %config.server.listen,
            "serving beyond this machine with a base_url that is not https: magic links would travel in clear; put Docket behind a TLS proxy and set server.base_url"
        );
    }
    if config.server.base_url.starts_with("https://") && config.server.trusted_proxies.is_empty() {
        tracing::warn!(
            "server.base_url is https, so a TLS proxy is likely in front of Docket, but server.trusted_proxies is empty: staff sign-in throttling will count every client as the proxy's address; list the proxy's address there"
        );
    }
}

/// Says once, at start, what waits for the operator: sending paused (a restored folder), and a
/// staging folder an interrupted restore left beside the data folder.
fn say_what_waits(docket: &Docket, config: &Config) {
    match docket.sending_pause() {
        Ok(Some(pause)) => tracing::warn!(
            since = %pause.since,
            "sending is paused ({}): nothing is emailed or posted until an admin resumes it (the banner in the admin, `docket sending resume`, or POST /api/sending/resume)",
            pause.reason
        ),
        Ok(None) => {}
        Err(e) => {
            tracing::error!(error = %e, "cannot read whether sending is paused; the loops wait until it can be read")
        }
    }
    if let Some(staging) = docket_engine::backup::interrupted_restore(&config.storage.data_dir) {
        tracing::warn!(
            path = %staging.display(),
            "a restore that did not finish left {} beside the data folder; Docket does not use it: remove it (rm -r {}), or the next restore there replaces it",
            staging.display(),
            staging.display()
        );
    }
}

/// Listens, seeds the demo if asked, starts the background work and serves the web until
/// Ctrl-C or SIGTERM; then stops the background work and, on a simulated clock, records how
/// far it got.
/// Tokens made before Docket recorded who made a token keep working but belong to no member:
/// disabling someone does not end them, so the log says how many are live, at every start.
fn warn_of_ownerless_tokens(docket: &Docket) -> anyhow::Result<()> {
    let ownerless = docket
        .list_api_tokens()?
        .iter()
        .filter(|t| t.revoked_at.is_none() && t.created_by == TokenCreator::Unknown)
        .count();
    if ownerless > 0 {
        tracing::warn!(
            "{ownerless} live API token(s) were made before Docket recorded who makes a token: they belong to no member, so disabling someone does not end them; make new tokens (admin → Settings → API tokens) and revoke these"
        );
    }
    Ok(())
}

async fn run_until_shutdown(
    config: &Config,
    docket: &Docket,
    mailer: Arc<Mailer>,
    demo: bool,
    simulated: Option<SimulatedClock>,
    imap_password: Option<String>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    let addr = listener.local_addr()?;
    let shutdown = shutdown_signal()?;
    // Seeded only once the address is ours: credentials printed before a failed start would
    // be lost, since the demo seeds an empty folder only.
    if demo {
        seed_demo(docket, config, addr)?;
    }
    offer_setup(docket, config, addr)?;
    println!("Docket listening on http://{addr}");
    tracing::info!(%addr, data = %config.storage.data_dir.display(), mail = %mailer.transport().describe(), "serving");
    check_relay_in_background(&mailer);
    let imap = super::inbound::start_imap(docket, config, imap_password)?;
    let workers = start_workers(docket, &mailer, config, simulated)?;
    let state = docket_portal::AppState::new(docket.clone());
    state
        .workers_running
        .store(true, std::sync::atomic::Ordering::Release);
    let running = state.workers_running.clone();
    let state = state
        .with_trusted_proxies(&config.server.trusted_proxies)
        .with_base_url_from_listen(!config.server.base_url_set)
        .with_mailer(mailer);
    let served = docket_portal::run(listener, state, shutdown)
        .await
        .context("server failed");
    running.store(false, std::sync::atomic::Ordering::Release);
    tokio::task::spawn_blocking(move || {
        workers.stop();
        if let Some(imap) = imap {
            imap.stop();
        }
    })
    .await
    .context("stopping the background work")?;
    if simulated.is_some() {
        docket
            .record_simulated_time()
            .context("cannot record how far the simulated clock got")?;
    }
    served
}

/// Seeds the demo firm into an empty folder and prints its credentials, once.
fn seed_demo(docket: &Docket, config: &Config, addr: SocketAddr) -> anyhow::Result<()> {
    if let Some(seed) = docket_engine::demo::seed(docket)? {
        println!("Demo firm created. These are shown only once:");
        println!("  admin email:    {}", seed.admin.email);
        println!("  admin password: {}", seed.admin_password);
        println!("  API token:      {}", seed.token_secret);
        let admin = public_base(config, addr);
        println!("  staff admin:    {admin}/ (sign in with the admin email and password)");
    }
    Ok(())
}

/// The address people reach this server at: the base URL, which follows the address listened
/// on, except on a port picked at start.
fn public_base(config: &Config, addr: SocketAddr) -> String {
    if config.server.base_url_set || config.server.listen.port() != 0 {
        config.server.base_url.trim_end_matches('/').to_string()
    } else {
        format!("http://{addr}")
    }
}

/// A firm with no staff (a new folder, not the demo) gets a one-time setup address, printed
/// once: the first admin sets up the firm there in the browser.
fn offer_setup(docket: &Docket, config: &Config, addr: SocketAddr) -> anyhow::Result<()> {
    if let Some(secret) = docket.issue_setup_link()? {
        let base = public_base(config, addr);
        println!(
            "No staff yet. Set up the firm and its first admin in a browser, within the hour:"
        );
        println!("  setup address:  {base}/admin/setup/{secret}");
        println!(
            "  (it works once; restarting the server prints a new one; `docket user add` works too, beside the server or without it)"
        );
        tracing::info!("no staff yet: the setup address is printed on standard output");
    }
    Ok(())
}

/// A relay that cannot be reached is worth a warning now rather than at the first email;
/// emails wait in the outbox meanwhile.
fn check_relay_in_background(mailer: &Arc<Mailer>) {
    let relay = mailer.clone();
    std::thread::spawn(move || {
        if let Err(reason) = relay.transport().check() {
            tracing::warn!(
                relay = %relay.transport().describe(),
                %reason,
                "the mail relay cannot be reached or refused the connection or sign-in; emails wait in the outbox and are retried"
            );
        }
    });
}

/// Starts the scheduler, the sender, the hooks, the webhooks and the collector of uploaded
/// files no record references (at start and hourly).
fn start_workers(
    docket: &Docket,
    mailer: &Arc<Mailer>,
    config: &Config,
    simulated: Option<SimulatedClock>,
) -> anyhow::Result<Workers> {
    Workers::start(
        docket.clone(),
        mailer.clone(),
        WorkerOptions {
            hooks: config.hooks.clone(),
            parallel_sends: config.smtp.as_ref().map_or(4, |s| s.connections as usize),
            // On a fast simulated clock a quarter of a second is hours: look more often.
            idle: if simulated.is_some() {
                std::time::Duration::from_millis(20)
            } else {
                WorkerOptions::default().idle
            },
            ..WorkerOptions::default()
        },
    )
    .context("cannot start sending")
}

/// A simulated clock must never reach real clients: only a relay on this machine is allowed.
fn refuse_real_mail(config: &Config) -> anyhow::Result<()> {
    if let Some(smtp) = &config.smtp {
        let host = smtp.host.trim_matches(['[', ']']);
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if !loopback {
            anyhow::bail!(
                "refusing a simulated clock with [smtp] host `{}`: months of reminders would reach real clients in minutes; use a relay on 127.0.0.1 or no [smtp] (mail then goes to the outbox folder)",
                smtp.host
            );
        }
    }
    Ok(())
}

/// A future that completes on Ctrl-C or SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled: a SIGTERM that arrives as soon as the server
/// says it listens must stop it cleanly, not kill it.
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
        tracing::info!("shutting down");
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down");
    })
}

/// The start-up line saying that links in emails now start with another address, and where it
/// came from: `server.base_url`, or else the address listened on.
fn address_log_line(config: &Config) -> String {
    if config.server.base_url_set {
        format!(
            "links in emails now start with {}, as server.base_url in the configuration says",
            config.server.base_url
        )
    } else {
        format!(
            "links in emails now start with {}, from the port the server listens on (--listen or server.listen), as server.base_url is not configured; set server.base_url for the address clients should use",
            config.server.base_url
        )
    }
}

/// The one start-up line saying that the configuration's `[firm]` keys differed from the stored
/// settings and replaced them, and where the settings are changed.
fn settings_log_line(changes: &[String]) -> String {
    let keys: Vec<&str> = changes
        .iter()
        .map(|c| c.split(' ').next().unwrap_or_default())
        .collect();
    format!(
        "the configuration differs from the stored firm settings: {} now as the configuration says; keys set in the configuration are applied at every start, so change them there, or remove them from it and change the settings in the admin (Settings) or with `docket settings set KEY VALUE` (see `docket settings show`)",
        keys.join(", ")
    )
}
