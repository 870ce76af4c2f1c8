//! A real IMAP server for the integration tests: Debian's dovecot (`/usr/sbin/dovecot`,
//! package `dovecot-imapd`) run in the foreground on a free 127.0.0.1 port, with a throwaway
//! configuration, one user (a passwd-file with a plain password) and its maildir, all in a
//! temporary folder removed afterwards. Tests feed it by dropping messages into the maildir
//! ([`Imap::deliver`]), as a delivery agent would. As root, its login process runs as
//! `dovenull` and the mailbox belongs to `nobody` (dovecot refuses root for both); as a normal
//! user everything runs as that user. A missing dovecot fails the test with what to install.
//! [`Imap::start_tls`] adds TLS: STARTTLS offered on `port` and implicit TLS on
//! `tls_port`, with a certificate for localhost and 127.0.0.1 signed by a throwaway CA
//! (`ca_pem`) made with `openssl`. Dovecot counts a connection from this machine as secure and
//! lets it log in without TLS, so a test tells a login over TLS by its `Login:` line in the log,
//! which says `TLS` ([`Imap::tls_logins`]).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DOVECOT: &str = "/usr/sbin/dovecot";
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A running dovecot; stopped (and its folder removed) when dropped.
pub struct Imap {
    /// Plain IMAP; with TLS, STARTTLS is required here before a login.
    pub port: u16,
    /// With TLS: the implicit-TLS port.
    pub tls_port: Option<u16>,
    /// With TLS: the CA certificate (PEM) that signed the server's.
    pub ca_pem: Option<PathBuf>,
    pub user: String,
    pub password: String,
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// The mailbox's owner, when it is not the current user (root runs the mailbox as nobody).
    owner: Option<(u32, u32)>,
    sequence: std::cell::Cell<u32>,
}

impl Imap {
    /// Plain IMAP only.
    pub fn start() -> Imap {
        Imap::launch(false)
    }

    /// STARTTLS offered on `port`, implicit TLS on `tls_port`.
    pub fn start_tls() -> Imap {
        Imap::launch(true)
    }

    fn launch(tls: bool) -> Imap {
        assert!(
            Path::new(DOVECOT).exists(),
            "the IMAP tests need dovecot: apt-get install dovecot-imapd"
        );
        let dir = tempfile::tempdir().unwrap();
        let root = id("-u") == 0;
        let (login_user, internal_user, internal_group, owner) = if root {
            (
                "dovenull".to_string(),
                "dovecot".to_string(),
                "dovecot".to_string(),
                Some((65534, 65534)),
            )
        } else {
            let me = whoami();
            let group = Command::new("id").arg("-gn").output().unwrap();
            let group = String::from_utf8_lossy(&group.stdout).trim().to_string();
            (me.clone(), me, group, None)
        };
        let (uid, gid) = owner.unwrap_or_else(|| (id("-u"), id("-g")));
        let base_dir = dir.path().to_path_buf();
        let base = base_dir.as_path();
        let mail = base.join("mail");
        let run = base.join("run");
        std::fs::create_dir_all(&run).unwrap();
        let port = free_port();
        let user = "replies".to_string();
        let password = "imap s3cret".to_string();
        std::fs::write(base.join("passwd"), format!("{user}:{{PLAIN}}{password}\n")).unwrap();
        let b = base.display();
        let (ssl, tls_port, ca_pem) = if tls {
            let ca = super::test_certs::make_cert(&base.join("certs"), "Docket test IMAP CA");
            let tls_port = free_port();
            (
                format!(
                    "ssl = required\nssl_cert = <{b}/certs/cert.pem\nssl_key = <{b}/certs/key.pem\ndisable_plaintext_auth = yes"
                ),
                Some(tls_port),
                Some(ca),
            )
        } else {
            (
                "ssl = no\ndisable_plaintext_auth = no".to_string(),
                None,
                None,
            )
        };
        let imaps = match tls_port {
            Some(p) => format!("address = 127.0.0.1\n    port = {p}\n    ssl = yes"),
            None => "port = 0".to_string(),
        };
        let config = format!(
            r#"protocols = imap
listen = 127.0.0.1
base_dir = {b}/run
state_dir = {b}/run
instance_name = docket-test-{port}
log_path = {b}/dovecot.log
{ssl}
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
mail_location = maildir:{b}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {b}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={b}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    {imaps}
  }}
  chroot =
  user = {login_user}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    user = {internal_user}
  }}
}}
"#
        );
        std::fs::write(base.join("dovecot.conf"), config).unwrap();
        let mut imap = Imap {
            port,
            tls_port,
            ca_pem,
            user,
            password,
            dir,
            child: None,
            owner,
            sequence: std::cell::Cell::new(0),
        };
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(imap.maildir().join(sub)).unwrap();
        }
        if root {
            // The mailbox's owner must reach and write its folder.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(base, std::fs::Permissions::from_mode(0o755)).unwrap();
            for path in [mail.clone(), mail.join(&imap.user)]
                .into_iter()
                .chain(["new", "cur", "tmp"].map(|s| imap.maildir().join(s)))
            {
                std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
            }
        }
        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(base.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot run dovecot");
        imap.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", imap.port)) {
                use std::io::Read;
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let mut greeting = [0u8; 64];
                if stream
                    .read(&mut greeting)
                    .is_ok_and(|n| greeting[..n].starts_with(b"* OK"))
                {
                    return imap;
                }
            }
            if let Some(status) = imap.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("dovecot exited ({status}) at start:\n{}", imap.log());
            }
            assert!(
                Instant::now() < deadline,
                "dovecot did not answer within {START_TIMEOUT:?}:\n{}",
                imap.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The user's maildir (its INBOX).
    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail").join(&self.user)
    }

    /// Delivers `raw` to the INBOX as a delivery agent does: written in `tmp/`, then moved into
    /// `new/`.
    pub fn deliver(&self, raw: &[u8]) {
        let n = self.sequence.get() + 1;
        self.sequence.set(n);
        let name = format!("{}.M{n}P{}.docket-test", chrono_now(), std::process::id());
        let tmp = self.maildir().join("tmp").join(&name);
        std::fs::write(&tmp, raw).unwrap();
        if let Some((uid, gid)) = self.owner {
            std::os::unix::fs::chown(&tmp, Some(uid), Some(gid)).unwrap();
        }
        std::fs::rename(&tmp, self.maildir().join("new").join(&name)).unwrap();
    }

    /// How many messages of the INBOX are flagged with the first keyword the mailbox learnt
    /// (dovecot's maildir writes it as the letter `a` among a file's flags) and none is new.
    pub fn taken(&self) -> usize {
        if std::fs::read_dir(self.maildir().join("new"))
            .unwrap()
            .count()
            > 0
        {
            return 0;
        }
        std::fs::read_dir(self.maildir().join("cur"))
            .unwrap()
            .filter(|entry| {
                let name = entry
                    .as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .into_owned();
                name.rsplit_once(":2,")
                    .is_some_and(|(_, flags)| flags.contains('a'))
            })
            .count()
    }

    /// How many logins the log shows made over TLS (from the first byte or after STARTTLS).
    pub fn tls_logins(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains("imap-login: Info: Login:") && l.contains(", TLS"))
            .count()
    }

    /// The server's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }
}

impl Drop for Imap {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM lets the master stop its login and mail processes; SIGKILL if it hangs.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn id(flag: &str) -> u32 {
    let out = Command::new("id").arg(flag).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn whoami() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn chrono_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
