//! The reply mailbox, read over IMAP (`[inbound] imap_*`): a thread of its own with a small
//! tokio runtime logs in, selects the folder and hands every message not yet taken to
//! `Docket::receive_reply`, then flags it `$DocketTaken` (and seen), so a restart does not take
//! it twice (and taking one twice would find its `Message-ID` anyway). It then waits in IDLE
//! where the server offers it, else looks again every `imap_poll_secs`. A message is flagged
//! only after its batch commits: a crash in between takes it again, as `AlreadyTaken`. When the
//! server cannot be reached or refuses the password, the failure is recorded for staff and
//! logged once (`Docket::inbound_failed`), and the reader tries again with backoff (1 second,
//! doubling to 5 minutes); nothing is taken meanwhile, so nothing is lost. `imap_tls` is `tls`
//! (implicit TLS, port 993), `starttls` (plain greeting on port 143, then `STARTTLS` before the
//! login; a server that refuses it is a failure) or `none` (plain, this machine only); the
//! certificate is checked against the web's roots and `imap_ca_file`.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::Session;
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls;

use crate::Docket;
use crate::config::InboundConfig;

/// The keyword a taken message is flagged with.
pub const TAKEN_FLAG: &str = "$DocketTaken";
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const LONGEST_BACKOFF: Duration = Duration::from_secs(300);
/// How long connecting and each command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The running reader; `stop` ends it (at once, even in IDLE).
pub struct ImapReader {
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ImapReader {
    /// Starts reading the mailbox `config` names with `password`.
    pub fn start(docket: Docket, config: InboundConfig, password: String) -> std::io::Result<Self> {
        // A failure an earlier run recorded is not this run's.
        if let Err(e) = docket.inbound_restart() {
            tracing::error!("cannot clear the reply mailbox's failure of an earlier run: {e}");
        }
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("imap".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::error!("cannot start the reply mailbox reader: {e}");
                        return;
                    }
                };
                runtime.block_on(read_forever(&docket, &config, &password, stopped));
            })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }

    pub fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn read_forever(
    docket: &Docket,
    config: &InboundConfig,
    password: &str,
    mut stopped: watch::Receiver<bool>,
) {
    let mut backoff = FIRST_BACKOFF;
    // Whether this run logged the failure going on: the first of each run is logged, whatever
    // an earlier run (or another server on the same database) recorded.
    let mut logged = false;
    while !*stopped.borrow() {
        let mut connected = false;
        let error = match read_session(docket, config, password, &mut stopped, &mut connected).await
        {
            Ok(()) => return,
            Err(e) => e,
        };
        if connected {
            backoff = FIRST_BACKOFF;
        }
        let starts = match docket.inbound_failed(&error) {
            Ok(starts) => starts,
            Err(e) => {
                tracing::error!("cannot record that the reply mailbox failed: {e}");
                false
            }
        };
        if starts || !logged {
            tracing::warn!(
                host = config.imap_host.as_deref().unwrap_or_default(),
                "cannot read the reply mailbox: {error}; trying again with backoff"
            );
            logged = true;
        } else {
            tracing::debug!("cannot read the reply mailbox: {error}");
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stopped.changed() => return,
        }
        backoff = (backoff * 2).min(LONGEST_BACKOFF);
    }
}

/// One connection: log in, take what is new, wait for more; returns only on stop (`Ok`) or on
/// a failure (its words for staff).
async fn read_session(
    docket: &Docket,
    config: &InboundConfig,
    password: &str,
    stopped: &mut watch::Receiver<bool>,
    connected: &mut bool,
) -> Result<(), String> {
    let host = config.imap_host.as_deref().unwrap_or_default();
    let user = config.imap_user.as_deref().unwrap_or_default();
    let client = timed(connect(config)).await?;
    let mut session = timed(async {
        client
            .login(user, password)
            .await
            .map_err(|(e, _)| {
                format!(
                    "{host} refused the login of “{user}” ({}): check imap_user and the password in DOCKET_IMAP_PASSWORD, then restart Docket",
                    said(&e)
                )
            })
    })
    .await?;
    *connected = true;
    let folder = &config.imap_folder;
    timed(async {
        session
            .select(folder)
            .await
            .map_err(|e| format!("cannot open folder `{folder}`: {}", said(&e)))
    })
    .await?;
    let idle = timed(async { session.capabilities().await.map_err(|e| said(&e)) })
        .await?
        .has_str("IDLE");
    if docket.inbound_answered().map_err(|e| e.to_string())? {
        tracing::info!(host, "the reply mailbox answers again");
    }
    let poll = Duration::from_secs(config.imap_poll_secs);
    loop {
        take_new(docket, &mut session).await?;
        if *stopped.borrow() {
            let _ = session.logout().await;
            return Ok(());
        }
        if idle {
            let mut handle = session.idle();
            timed(async { handle.init().await.map_err(|e| said(&e)) }).await?;
            let stop = {
                let (wait, interrupt) = handle.wait_with_timeout(poll);
                tokio::select! {
                    answer = wait => {
                        answer.map_err(|e| format!("the mailbox stopped answering: {}", said(&e)))?;
                        false
                    }
                    _ = stopped.changed() => {
                        drop(interrupt);
                        true
                    }
                }
            };
            session = timed(async { handle.done().await.map_err(|e| said(&e)) }).await?;
            if stop {
                let _ = session.logout().await;
                return Ok(());
            }
        } else {
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = stopped.changed() => {
                    let _ = session.logout().await;
                    return Ok(());
                }
            }
            timed(async { session.noop().await.map_err(|e| said(&e)) }).await?;
        }
        docket.inbound_answered().map_err(|e| e.to_string())?;
    }
}

/// Takes every message of the folder not flagged taken, oldest first, flagging each once its
/// reply is recorded.
async fn take_new(docket: &Docket, session: &mut Session<Connection>) -> Result<(), String> {
    let query = format!("UNKEYWORD {TAKEN_FLAG}");
    let mut uids: Vec<u32> =
        timed(async { session.uid_search(&query).await.map_err(|e| said(&e)) })
            .await?
            .into_iter()
            .collect();
    uids.sort_unstable();
    for uid in uids {
        let fetched: Vec<_> = timed(async {
            session
                .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await
                .map_err(|e| said(&e))?
                .try_collect()
                .await
                .map_err(|e: async_imap::error::Error| said(&e))
        })
        .await?;
        for message in &fetched {
            let Some(raw) = message.body() else { continue };
            match docket.receive_reply(raw) {
                Ok(received) => tracing::info!(uid, %received, "took a reply by email"),
                // Not flagged: it is taken again on the next look.
                Err(e) => return Err(format!("cannot record a reply: {e}")),
            }
        }
        let flags = format!("+FLAGS ({TAKEN_FLAG} \\Seen)");
        timed(async {
            session
                .uid_store(uid.to_string(), &flags)
                .await
                .map_err(|e| said(&e))?
                .try_collect::<Vec<_>>()
                .await
                .map_err(|e| format!("cannot flag message {uid} taken: {}", said(&e)))
        })
        .await?;
    }
    Ok(())
}

/// An IMAP failure in words for staff: for a `NO` or `BAD` answer, the server's own text
/// (async-imap hands it over as Rust debug output, `code: None, info: Some("…")`).
fn said(e: &async_imap::error::Error) -> String {
    use async_imap::error::Error;
    let (answer, debug) = match e {
        Error::No(debug) => ("refused it", debug),
        Error::Bad(debug) => ("found the command bad", debug),
        other => return other.to_string(),
    };
    server_text(debug).unwrap_or_else(|| format!("the server {answer} without saying why"))
}

/// The text in the last `Some("…")` of async-imap's debug output, unescaped.
fn server_text(debug: &str) -> Option<String> {
    let start = debug.rfind("Some(\"")? + "Some(\"".len();
    let mut text = String::new();
    let mut chars = debug[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let text = text.trim().to_string();
                return (!text.is_empty()).then_some(text);
            }
            '\\' => match chars.next()? {
                'n' | 'r' | 't' => text.push(' '),
                other => text.push(other),
            },
            c => text.push(c),
        }
    }
    None
}

/// Why the mailbox at `host:port` cannot be reached, in words for staff rather than the
/// system's ("Connection refused (os error 111)").
fn cannot_reach(host: &str, port: u16, e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let why = match e.kind() {
        ErrorKind::ConnectionRefused => "the connection was refused".to_string(),
        ErrorKind::TimedOut => "it did not answer".to_string(),
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => {
            "no route leads there from this machine".to_string()
        }
        ErrorKind::PermissionDenied => "this machine does not allow the connection".to_string(),
        _ if e.to_string().contains("lookup address") => {
            "no such host is known (check imap_host)".to_string()
        }
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_lowercase(),
                None => text,
            }
        }
    };
    format!("Docket cannot reach the mailbox at {host}:{port}: {why}")
}

async fn timed<T>(work: impl Future<Output = Result<T, String>>) -> Result<T, String> {
    tokio::time::timeout(COMMAND_TIMEOUT, work)
        .await
        .map_err(|_| format!("the mailbox did not answer within {COMMAND_TIMEOUT:?}"))?
}

/// Connects as `imap_tls` says and reads the greeting: `tls` speaks TLS from the first byte,
/// `starttls` reads the plain greeting and upgrades with `STARTTLS` before anything else (a
/// server that refuses it is a failure: the password never goes in clear), `none` stays plain.
async fn connect(config: &InboundConfig) -> Result<async_imap::Client<Connection>, String> {
    let host = config.imap_host.as_deref().unwrap_or_default();
    let port = config.port();
    let tcp = TcpStream::connect((host, port))
        .await
        .map_err(|e| cannot_reach(host, port, &e))?;
    match config.imap_tls.as_str() {
        "none" => greeted(host, Connection::Plain(tcp)).await,
        "starttls" => {
            let mut client = greeted(host, Connection::Plain(tcp)).await?;
            client
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| format!("{host}:{port} refused STARTTLS: {}", said(&e)))?;
            // Whatever the server sent after its answer is dropped with the plain stream's
            // buffer: only what arrives over TLS is read.
            let Connection::Plain(tcp) = client.into_inner() else {
                return Err("the connection was upgraded to TLS twice".into());
            };
            let tls = tls(config, tcp).await?;
            Ok(async_imap::Client::new(Connection::Tls(Box::new(tls))))
        }
        _ => {
            let tls = tls(config, tcp).await?;
            greeted(host, Connection::Tls(Box::new(tls))).await
        }
    }
}

/// A client over `stream` once the server has greeted.
async fn greeted(host: &str, stream: Connection) -> Result<async_imap::Client<Connection>, String> {
    let mut client = async_imap::Client::new(stream);
    client
        .read_response()
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{host} closed the connection before greeting"))?;
    Ok(client)
}

/// TLS over `tcp`, checking the server's certificate for `imap_host` against the web's roots
/// and `imap_ca_file`.
async fn tls(config: &InboundConfig, tcp: TcpStream) -> Result<TlsStream<TcpStream>, String> {
    let host = config.imap_host.as_deref().unwrap_or_default();
    let port = config.port();
    let tls =
        crate::tls::client_config(config.imap_ca_file.as_deref(), "key `inbound.imap_ca_file`")?;
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| format!("key `inbound.imap_host`: `{host}`: {e}"))?;
    tokio_rustls::TlsConnector::from(tls)
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS with {host}:{port} failed: {e}"))
}

/// The connection to the server: plain (a server on this machine) or TLS (from the first byte,
/// or after `STARTTLS`).
#[derive(Debug)]
pub enum Connection {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_flush(cx),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use async_imap::error::Error;

    use super::{cannot_reach, said};

    #[test]
    fn a_mailbox_that_cannot_be_reached_is_said_in_plain_words() {
        use std::io::{Error, ErrorKind};
        let cases = [
            (
                Error::from(ErrorKind::ConnectionRefused),
                "the connection was refused",
            ),
            (Error::from(ErrorKind::TimedOut), "it did not answer"),
            (
                Error::other("failed to lookup address information: Name or service not known"),
                "no such host is known (check imap_host)",
            ),
        ];
        for (error, why) in cases {
            assert_eq!(
                cannot_reach("imap.firm.example", 993, &error),
                format!("Docket cannot reach the mailbox at imap.firm.example:993: {why}")
            );
        }
    }

    #[test]
    fn replies_mailbox_failures_are_in_the_servers_words() {
        let refused = Error::No(
            r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication \"failed\".")"#.into(),
        );
        assert_eq!(
            said(&refused),
            r#"[AUTHENTICATIONFAILED] Authentication "failed"."#
        );
        let silent = Error::Bad("code: None, info: None".into());
        assert_eq!(
            said(&silent),
            "the server found the command bad without saying why"
        );
        assert_eq!(said(&Error::ConnectionLost), "connection lost");
    }
}
