//! The admin socket: how a `docket` command reaches the server that holds its data folder.
//! `docket serve` listens on `admin.sock` in the data folder, a Unix domain socket `0600` in a
//! folder `0700`, so only the folder's owner (and root) can connect, and whoever connects acts
//! as the firm's owner, with no token. A command sends one [`Call`] (or asks for a backup); the
//! server runs it on its own engine with the very function the command would run on the folder
//! (`job.rs`) and streams back what it prints, then whether it succeeded. The socket is removed
//! when the server stops cleanly; one a crash left is replaced at the next start, which holds
//! the folder's lock first, so no other server can be listening on it.
//!
//! On the wire each frame is one byte saying what it is, four bytes of length (big-endian) and
//! that many bytes.

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use docket_engine::Docket;
use docket_engine::backup::{self, Counts};
use docket_engine::config::Config;
use docket_engine::store::Store;
use serde::{Deserialize, Serialize};

use super::job::Call;
use super::out::{Out, Sink, Stream, Terminal};

/// The socket's name in the data folder.
pub const NAME: &str = "admin.sock";

/// Command → server: a [`Call`] as JSON.
const CALL: u8 = b'c';
/// Command → server: stream a backup of the folder.
const BACKUP: u8 = b'b';
/// Server → command: standard output, standard error, backup bytes.
const OUT: u8 = b'o';
const ERR: u8 = b'e';
const DATA: u8 = b'd';
/// Server → command, last: done (a backup's counts as JSON), or failed (the error, one line).
const DONE: u8 = b'k';
const FAILED: u8 = b'x';
/// The largest frame read: a template file is far smaller.
const MAX_FRAME: usize = 64 << 20;

fn write_frame(to: &mut dyn Write, kind: u8, bytes: &[u8]) -> io::Result<()> {
    let len = u32::try_from(bytes.len()).map_err(|_| io::Error::other("frame too large"))?;
    to.write_all(&[kind])?;
    to.write_all(&len.to_be_bytes())?;
    to.write_all(bytes)
}

/// The next frame, or `None` when the other side closed between frames.
fn read_frame(from: &mut dyn Read) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut head = [0u8; 5];
    match from.read_exact(&mut head[..1]) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    from.read_exact(&mut head[1..])?;
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::other(format!(
            "a frame of {len} bytes is over the {MAX_FRAME} allowed"
        )));
    }
    let mut bytes = vec![0; len];
    from.read_exact(&mut bytes)?;
    Ok(Some((head[0], bytes)))
}

/// A backup's counts as they travel.
#[derive(Serialize, Deserialize)]
struct SentCounts {
    records: u64,
    files: u64,
    bytes: u64,
    left_out: Vec<String>,
}

/// The server's end: listening while it lives, the socket file removed when dropped.
pub struct AdminSocket {
    path: PathBuf,
}

impl AdminSocket {
    /// Listens on `admin.sock` in `dir`, whose lock the caller holds: a socket already there was
    /// left by a server that did not stop cleanly, and is replaced. Each command is served on a
    /// thread of its own, on `docket` (and `store` for backups) as `config` says.
    pub fn open(
        dir: &Path,
        docket: Docket,
        store: Arc<dyn Store>,
        config: Config,
    ) -> anyhow::Result<AdminSocket> {
        use std::os::unix::fs::PermissionsExt as _;
        let path = dir.join(NAME);
        match std::fs::remove_file(&path) {
            Ok(()) => tracing::info!(
                path = %path.display(),
                "replaced the admin socket a server that did not stop cleanly left"
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("cannot replace {}", path.display()));
            }
        }
        let listener = UnixListener::bind(&path)
            .with_context(|| format!("cannot open the admin socket {}", path.display()))?;
        let socket = AdminSocket { path };
        // The folder is the owner's alone already; the socket is too, whatever the umask.
        std::fs::set_permissions(&socket.path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {}", socket.path.display()))?;
        let served = Arc::new(Served {
            docket,
            store,
            config,
        });
        std::thread::Builder::new()
            .name("docket-admin-socket".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    match stream {
                        Ok(stream) => {
                            let served = served.clone();
                            let spawned = std::thread::Builder::new()
                                .name("docket-admin-call".into())
                                .spawn(move || served.answer(stream));
                            if let Err(e) = spawned {
                                tracing::error!(error = %e, "cannot start a thread for a command on the admin socket");
                            }
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "cannot accept a command on the admin socket");
                            std::thread::sleep(std::time::Duration::from_millis(100));
                        }
                    }
                }
            })
            .context("cannot start the admin socket's thread")?;
        Ok(socket)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for AdminSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What the server answers commands with.
struct Served {
    docket: Docket,
    store: Arc<dyn Store>,
    config: Config,
}

/// A command's words, sent back as frames.
struct Frames<'a> {
    to: &'a mut BufWriter<UnixStream>,
}

impl Sink for Frames<'_> {
    fn put(&mut self, stream: Stream, bytes: &[u8]) -> io::Result<()> {
        let kind = match stream {
            Stream::Out => OUT,
            Stream::Err => ERR,
        };
        write_frame(self.to, kind, bytes)
    }
}

/// Backup bytes, sent back as frames.
struct DataFrames<'a> {
    to: &'a mut BufWriter<UnixStream>,
}

impl Write for DataFrames<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        write_frame(self.to, DATA, buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.to.flush()
    }
}

impl Served {
    /// Reads one request from `stream`, runs it and says how it went.
    fn answer(&self, stream: UnixStream) {
        let mut reader = match stream.try_clone() {
            Ok(s) => BufReader::new(s),
            Err(e) => {
                tracing::error!(error = %e, "cannot read a command on the admin socket");
                return;
            }
        };
        let mut writer = BufWriter::with_capacity(64 * 1024, stream);
        let request = match read_frame(&mut reader) {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "a command on the admin socket sent no request");
                return;
            }
        };
        let answered = match request {
            (CALL, bytes) => self.call(&bytes, &mut writer).map(|()| Vec::new()),
            (BACKUP, _) => self.backup(&mut writer),
            (kind, _) => Err(anyhow::anyhow!(
                "the admin socket does not know request `{}`; is this `docket` the same version as the server?",
                kind as char
            )),
        };
        let sent = match answered {
            Ok(payload) => write_frame(&mut writer, DONE, &payload),
            Err(e) => write_frame(
                &mut writer,
                FAILED,
                format!("{e:#}").replace('\n', " ").as_bytes(),
            ),
        }
        .and_then(|()| writer.flush());
        if let Err(e) = sent {
            tracing::warn!(error = %e, "the command on the admin socket left before its answer");
        }
    }

    fn call(&self, bytes: &[u8], writer: &mut BufWriter<UnixStream>) -> anyhow::Result<()> {
        let call: Call = serde_json::from_slice(bytes).context(
            "the admin socket cannot read this command; is this `docket` the same version as the server?",
        )?;
        tracing::info!(command = %command_name(&call), "a command beside the server (admin socket)");
        let mut frames = Frames { to: writer };
        call.run(&self.docket, &self.config, true, &mut Out::new(&mut frames))
    }

    fn backup(&self, writer: &mut BufWriter<UnixStream>) -> anyhow::Result<Vec<u8>> {
        tracing::info!("a backup beside the server (admin socket)");
        let counts = backup::export(
            self.store.as_ref(),
            chrono::Utc::now(),
            &mut DataFrames { to: writer },
            &mut |_| {},
        )?;
        Ok(serde_json::to_vec(&SentCounts {
            records: counts.records,
            files: counts.files,
            bytes: counts.bytes,
            left_out: counts.left_out,
        })?)
    }
}

/// The command's end: a connection to the server that holds the data folder.
pub struct Server {
    stream: UnixStream,
}

impl Server {
    /// The server serving `dir`, when one listens on its admin socket.
    pub fn reach(dir: &Path) -> anyhow::Result<Option<Server>> {
        let path = dir.join(NAME);
        match UnixStream::connect(&path) {
            Ok(stream) => Ok(Some(Server { stream })),
            // No socket, or one a crashed server left (its next start replaces it), or a path
            // too long for a socket: the folder is opened as usual, which says if it is held.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound
                        | io::ErrorKind::ConnectionRefused
                        | io::ErrorKind::InvalidInput
                ) =>
            {
                Ok(None)
            }
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => bail!(
                "the server's admin socket {} is not yours to use: run this command as the user the server runs as (e.g. sudo -u docket docket …)",
                path.display()
            ),
            Err(e) => {
                Err(e).with_context(|| format!("cannot reach the server at {}", path.display()))
            }
        }
    }

    /// Has the server run `call`, printing what it prints here.
    pub fn run(self, call: &Call) -> anyhow::Result<()> {
        self.call(call, &mut Terminal)
    }

    /// Has the server run `call`, returning what it prints on standard output (its standard
    /// error is printed here).
    pub fn captured(self, call: &Call) -> anyhow::Result<Vec<u8>> {
        let mut captured = super::plugin::Captured::default();
        self.call(call, &mut captured)?;
        Ok(captured.out)
    }

    fn call(self, call: &Call, out: &mut dyn Sink) -> anyhow::Result<()> {
        let request = serde_json::to_vec(call)?;
        self.exchange(CALL, &request, out, &mut |_| {
            Err(anyhow::anyhow!(
                "the server sent data for a command that prints"
            ))
        })
        .map(|_| ())
    }

    /// Has the server write a backup of its folder to `out`; `progress` gets the bytes so far.
    pub fn backup(
        self,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64),
    ) -> anyhow::Result<Counts> {
        let mut done = 0u64;
        let answer = self.exchange(BACKUP, &[], &mut Terminal, &mut |bytes| {
            out.write_all(bytes)?;
            done += bytes.len() as u64;
            progress(done);
            Ok(())
        })?;
        let sent: SentCounts =
            serde_json::from_slice(&answer).context("the server's backup answer is unreadable")?;
        Ok(Counts {
            records: sent.records,
            files: sent.files,
            bytes: sent.bytes,
            left_out: sent.left_out,
        })
    }

    /// Sends one request, relays what the server prints to `out` and its data to `data`, and
    /// returns the payload of its last frame when it succeeded.
    fn exchange(
        self,
        kind: u8,
        request: &[u8],
        out: &mut dyn Sink,
        data: &mut dyn FnMut(&[u8]) -> anyhow::Result<()>,
    ) -> anyhow::Result<Vec<u8>> {
        let gone = "the server stopped answering before the command finished (see its log)";
        let mut writer = BufWriter::new(&self.stream);
        write_frame(&mut writer, kind, request)
            .and_then(|()| writer.flush())
            .context("cannot send the command to the server")?;
        drop(writer);
        let mut reader = BufReader::with_capacity(256 * 1024, &self.stream);
        loop {
            match read_frame(&mut reader).context(gone)? {
                Some((OUT, bytes)) => out.put(Stream::Out, &bytes)?,
                Some((ERR, bytes)) => out.put(Stream::Err, &bytes)?,
                Some((DATA, bytes)) => data(&bytes)?,
                Some((DONE, payload)) => return Ok(payload),
                Some((FAILED, message)) => bail!("{}", String::from_utf8_lossy(&message)),
                Some((other, _)) => bail!(
                    "the server answered with a frame this `docket` does not know (`{}`); is it the same version?",
                    other as char
                ),
                None => bail!(gone),
            }
        }
    }
}

/// A command as typed, without its arguments (`work list`, `settings set`): what the log says
/// a command beside the server asked for. Read from the command's own serialisation, its enum
/// names down to the first that carries arguments.
fn command_name(call: &Call) -> String {
    name_of(serde_json::to_value(&call.job).unwrap_or_default())
}

fn name_of(mut value: serde_json::Value) -> String {
    let mut words = Vec::new();
    loop {
        match value {
            // A variant (named in CamelCase), not an argument (snake_case).
            serde_json::Value::Object(map)
                if map.len() == 1 && map.keys().all(|k| k.starts_with(char::is_uppercase)) =>
            {
                let (key, inner) = map.into_iter().next().expect("one entry");
                words.push(key.to_lowercase());
                value = inner;
            }
            serde_json::Value::String(unit) if unit.starts_with(char::is_uppercase) => {
                words.push(unit.to_lowercase());
                break;
            }
            _ => break,
        }
    }
    words.join(" ")
}

#[cfg(test)]
#[test]
fn a_command_is_logged_by_its_name_without_its_arguments() {
    use serde_json::json;
    let name = |v| name_of(v);
    assert_eq!(
        name(json!({"Work": {"List": {"status": null, "limit": 100}}})),
        "work list"
    );
    assert_eq!(
        name(json!({"Settings": {"Set": {"pairs": ["name", "Walk LLP"]}}})),
        "settings set"
    );
    assert_eq!(
        name(json!({"Work": {"Show": {"id": "01ABC"}}})),
        "work show"
    );
    assert_eq!(name(json!({"Sending": "Status"})), "sending status");
}
