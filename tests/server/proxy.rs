//! Docket behind the shipped TLS proxy (`deploy/Caddyfile`, Debian's `caddy` with its internal
//! CA), all on loopback: cookies are `__Host-` and `Secure`, the sign-in throttle counts the
//! client's address from `X-Forwarded-For` (clients on 127.0.0.2 and 127.0.0.3, the proxy on
//! 127.0.0.1), a 40 MB upload and a live backup stream through, and the backup restores.

use std::net::{IpAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::Client;

use crate::support::{Server, TIMEOUT, run, stderr};

/// A `caddy run` child process, killed when dropped.
struct Caddy {
    child: Child,
    /// The root certificate of Caddy's internal CA, which the test's clients trust, once Caddy
    /// has made it.
    root: Option<reqwest::Certificate>,
}

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts Caddy on `https://localhost:PORT` with the shipped site block in front of `upstream`,
/// its state and certificates in `dir`, and waits until it answers through TLS.
fn start_caddy(dir: &Path, port: u16, upstream: &str) -> Caddy {
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/Caddyfile");
    let config = dir.join("Caddyfile");
    // The global options a loopback test needs (no admin endpoint, certificates from Caddy's
    // own CA, nothing installed in the system's trust store, state in the temporary folder),
    // then the shipped file as it is.
    std::fs::write(
        &config,
        format!(
            "{{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n\
             \thttp_port {http}\n\thttps_port {port}\n\tstorage file_system {{\n\t\troot {root}\n\t}}\n}}\n\
             import {site}\n",
            http = free_port(),
            root = dir.join("state").display(),
            site = site.display(),
        ),
    )
    .unwrap();
    let child = Command::new("caddy")
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&config)
        .env("DOCKET_SITE", format!("https://localhost:{port}"))
        .env("DOCKET_UPSTREAM", upstream)
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "caddy could not be started ({e}); install Debian's caddy package (.ci/run does)"
            )
        });
    let mut caddy = Caddy { child, root: None };
    let root_file = dir.join("state/pki/authorities/local/root.crt");
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = caddy.child.try_wait().unwrap() {
            let mut log = String::new();
            use std::io::Read;
            let err = caddy.child.stderr.take();
            err.map(|mut e| e.read_to_string(&mut log));
            panic!("caddy exited with {status}: {log}");
        }
        if let Ok(pem) = std::fs::read(&root_file) {
            caddy.root = Some(reqwest::Certificate::from_pem(&pem).expect("caddy's root"));
            let answer = client(&caddy, [127, 0, 0, 1])
                .get(format!("https://localhost:{port}/healthz"))
                .send();
            if answer.is_ok_and(|a| a.status() == StatusCode::OK) {
                return caddy;
            }
        }
        assert!(
            Instant::now() < deadline,
            "caddy did not serve https within {TIMEOUT:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A client from the loopback address `from` that trusts only Caddy's root and follows no
/// redirect (the test reads each answer as it comes).
fn client(caddy: &Caddy, from: [u8; 4]) -> Client {
    Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(caddy.root.clone().expect("caddy made its root"))
        .local_address(IpAddr::from(from))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// The first cookie an answer sets, as `name=value`, and the whole `Set-Cookie` line.
fn first_cookie(answer: &reqwest::blocking::Response) -> (String, String) {
    let line = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .next()
        .expect("a cookie is set")
        .to_str()
        .unwrap()
        .to_string();
    (line.split(';').next().unwrap().to_string(), line)
}

/// The hidden `form_token` of a page's form.
fn form_token(page: &str) -> String {
    let at = page
        .find("name=\"form_token\"")
        .expect("the form has a token");
    let value = &page[at..][page[at..].find("value=\"").unwrap() + 7..];
    value[..value.find('"').unwrap()].to_string()
}

/// One browser on one address: its sign-in form cookie and token.
struct Browser {
    http: Client,
    base: String,
    cookie: String,
    token: String,
}

impl Browser {
    fn open(caddy: &Caddy, base: &str, from: [u8; 4]) -> Browser {
        let http = client(caddy, from);
        let form = http.get(format!("{base}/admin/sign-in")).send().unwrap();
        assert_eq!(form.status(), StatusCode::OK);
        let (cookie, line) = first_cookie(&form);
        assert!(
            cookie.starts_with("__Host-") && line.contains("; Secure") && line.contains("Path=/"),
            "over https the form's cookie is __Host- and Secure: {line}"
        );
        let token = form_token(&form.text().unwrap());
        Browser {
            http,
            base: base.to_string(),
            cookie,
            token,
        }
    }

    fn sign_in(&self, email: &str, password: &str) -> reqwest::blocking::Response {
        self.http
            .post(format!("{}/admin/sign-in", self.base))
            .header("cookie", &self.cookie)
            .header("origin", &self.base)
            .form(&[
                ("email", email),
                ("password", password),
                ("form_token", &self.token),
            ])
            .send()
            .unwrap()
    }
}

#[test]
fn behind_the_shipped_caddy_config_cookies_addresses_uploads_and_backups_hold() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("https://localhost:{port}");
    let server = Server::start_with_env(
        &dir.path().join("data"),
        &["--demo"],
        &[
            ("DOCKET_SERVER_BASE_URL", &base),
            ("DOCKET_SERVER_TRUSTED_PROXIES", "[\"127.0.0.1\"]"),
        ],
    );
    let upstream = server.base.trim_start_matches("http://").to_string();
    let caddy_dir = dir.path().join("caddy");
    std::fs::create_dir(&caddy_dir).unwrap();
    let caddy = start_caddy(&caddy_dir, port, &upstream);
    let admin = server.banner_value("admin email:").unwrap();
    let password = server.banner_value("admin password:").unwrap();
    let token = server.banner_value("API token:").unwrap();

    // A stranger on 127.0.0.2 fails until the throttle makes them wait (each attempt for
    // another email, so only the address's count grows).
    let stranger = Browser::open(&caddy, &base, [127, 0, 0, 2]);
    let mut throttled = false;
    for attempt in 0..40 {
        let answer = stranger.sign_in(&format!("nobody{attempt}@example.com"), "wrong");
        match answer.status() {
            StatusCode::FORBIDDEN => continue,
            StatusCode::TOO_MANY_REQUESTS => {
                throttled = true;
                break;
            }
            other => panic!("a failed sign-in answered {other}"),
        }
    }
    assert!(
        throttled,
        "40 failures from one address were never throttled"
    );
    // The member on 127.0.0.3 reaches Docket through the same proxy (the same peer address,
    // 127.0.0.1) and is not held by the stranger's count: Docket read X-Forwarded-For.
    let member = Browser::open(&caddy, &base, [127, 0, 0, 3]);
    let answer = member.sign_in(&admin, &password);
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "the member signs in from their own address"
    );
    let (session, line) = first_cookie(&answer);
    assert!(
        session.starts_with("__Host-") && line.contains("; Secure") && line.contains("HttpOnly"),
        "the session cookie is __Host-, Secure and HttpOnly: {line}"
    );
    let overview = member
        .http
        .get(format!("{base}/admin"))
        .header("cookie", &session)
        .send()
        .unwrap();
    assert_eq!(overview.status(), StatusCode::OK, "the session works");

    // A 40 MB upload through the proxy, then a live backup streamed back through it.
    let api = client(&caddy, [127, 0, 0, 3]);
    let work: serde_json::Value = api
        .get(format!("{base}/api/work"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = work[0]["id"].as_str().unwrap();
    let bytes: Vec<u8> = (0..40 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let uploaded = api
        .post(format!("{base}/api/work/{id}/files?name=ledger.bin"))
        .bearer_auth(&token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .unwrap();
    assert_eq!(
        uploaded.status(),
        StatusCode::CREATED,
        "the upload is stored"
    );
    let file: serde_json::Value = uploaded.json().unwrap();
    assert_eq!(file["content"]["size"], 40 * 1024 * 1024);

    let mut backup = api
        .get(format!("{base}/api/backup"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(backup.status(), StatusCode::OK);
    let archive = dir.path().join("backup.tar");
    let written = backup
        .copy_to(&mut std::fs::File::create(&archive).unwrap())
        .unwrap();
    assert!(written > 40 * 1024 * 1024, "the backup holds the upload");
    drop(caddy);
    server.stop();

    let restored = dir.path().join("restored");
    let out = run(&[
        "restore",
        archive.to_str().unwrap(),
        "--data",
        restored.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "restore: {}", stderr(&out));
    let out = run(&["check", "--data", restored.to_str().unwrap()]);
    assert!(out.status.success(), "check: {}", stderr(&out));
}
