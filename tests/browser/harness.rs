//! The browser side: finding chromium, chromedriver and axe-core (failing with how to install
//! them, never skipping), a chromedriver child on a free port killed on drop, and sessions at a
//! given viewport with JavaScript on or off.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long starting chromedriver, a session or a page may take.
pub const WAIT: Duration = Duration::from_secs(60);

/// The axe-core release the pages are checked with (from npm).
const AXE_VERSION: &str = "4.14.1";

const INSTALL: &str = "install them with `apt-get install -y chromium chromium-driver npm` \
     (Debian), or run `.ci/run`, which does; DOCKET_CHROMIUM, DOCKET_CHROMEDRIVER and \
     DOCKET_AXE_JS name other copies";

pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    /// The source of `axe.min.js`.
    pub axe: String,
}

/// The browser, its driver and axe-core, found once. A missing one fails the test that needs it.
pub fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let chromium = from_env_or_path(
            "DOCKET_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        )
        .unwrap_or_else(|| {
            panic!("the browser tests need Chromium, which is not installed: {INSTALL}")
        });
        let chromedriver = from_env_or_path("DOCKET_CHROMEDRIVER", &["chromedriver"])
            .unwrap_or_else(|| {
                panic!("the browser tests need chromedriver, which is not installed: {INSTALL}")
            });
        let axe_path = axe_path();
        let axe = std::fs::read_to_string(&axe_path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", axe_path.display()));
        assert!(
            axe.contains("axe.run") || axe.contains("runVirtualRule"),
            "{} does not look like axe-core",
            axe_path.display()
        );
        Tools {
            chromium,
            chromedriver,
            axe,
        }
    })
}

fn from_env_or_path(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{var} names {}, which does not exist",
            path.display()
        );
        return Some(path);
    }
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&dirs)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// The build's target folder (`CARGO_TARGET_TMPDIR` is `TARGET/tmp`).
pub fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

/// `axe.min.js`: DOCKET_AXE_JS, or the npm package unpacked under the target folder, fetched
/// with `npm pack` the first time.
fn axe_path() -> PathBuf {
    if let Some(path) = std::env::var_os("DOCKET_AXE_JS") {
        return PathBuf::from(path);
    }
    let dir = target_dir().join(format!("axe-core-{AXE_VERSION}"));
    let js = dir.join("package").join("axe.min.js");
    if js.is_file() {
        return js;
    }
    let npm = from_env_or_path("DOCKET_NPM", &["npm"]).unwrap_or_else(|| {
        panic!(
            "the accessibility tests need axe-core from npm, and npm is not installed: {INSTALL}"
        )
    });
    // Unpacked beside, then renamed into place: a half-written copy is never used.
    let staging = target_dir().join(format!("axe-core-{AXE_VERSION}.partial"));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).unwrap();
    run_tool(
        Command::new(npm)
            .args(["pack", "--silent", &format!("axe-core@{AXE_VERSION}")])
            .arg("--pack-destination")
            .arg(&staging),
        "npm pack axe-core",
    );
    let tarball = staging.join(format!("axe-core-{AXE_VERSION}.tgz"));
    run_tool(
        Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&staging),
        "tar -xzf axe-core",
    );
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&staging, &dir).unwrap();
    assert!(js.is_file(), "npm's axe-core has no {}", js.display());
    js
}

fn run_tool(cmd: &mut Command, what: &str) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} cannot start: {e}"));
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{what} failed ({status}): {INSTALL}");
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A chromedriver child on a free loopback port, in a process group of its own so that the
/// browsers it starts die with it when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    pub fn start() -> Driver {
        let tools = tools();
        let port = free_port();
        let log = target_dir()
            .join("browser-screenshots")
            .join(format!("chromedriver-{port}.log"));
        std::fs::create_dir_all(log.parent().unwrap()).unwrap();
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new(&tools.chromedriver)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("chromedriver cannot start: {e}; {INSTALL}"))
        };
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + WAIT;
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return driver;
            }
            if let Some(status) = driver.child.try_wait().unwrap() {
                panic!(
                    "chromedriver exited at start ({status}); see {}",
                    log.display()
                );
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen within {WAIT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and any browser it left behind. (`--` matters: procps'
        // kill reads `-KILL -PGID` without it as something else entirely.)
        let group = self.child.id();
        if group > 1 {
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--", &format!("-{group}")])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
    /// A phone: mobile emulation (the viewport meta tag applies, touch, a device pixel ratio).
    pub phone: bool,
}

pub const PHONE_SMALL: Viewport = Viewport {
    width: 360,
    height: 740,
    phone: true,
};
pub const PHONE: Viewport = Viewport {
    width: 390,
    height: 844,
    phone: true,
};
/// The commonest laptop screen: what staff work at all day.
pub const LAPTOP: Viewport = Viewport {
    width: 1366,
    height: 768,
    phone: false,
};
pub const DESKTOP: Viewport = Viewport {
    width: 1280,
    height: 800,
    phone: false,
};

/// One browser session (a fresh profile, so a device of its own).
pub struct Browser {
    pub client: Client,
    pub viewport: Viewport,
    pub javascript: bool,
    cdp_url: String,
    http: reqwest::Client,
}

impl Browser {
    pub async fn open(driver: &Driver, viewport: Viewport, javascript: bool) -> Browser {
        let tools = tools();
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--hide-scrollbars".into(),
            format!("--window-size={},{}", viewport.width, viewport.height),
        ];
        if !javascript {
            // Belt and braces: the content setting below, and Blink's own switch.
            args.push("--blink-settings=scriptEnabled=false".into());
        }
        let mut options = json!({
            "binary": tools.chromium,
            "args": args,
            "prefs": {
                "profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 },
            },
        });
        if viewport.phone {
            options["mobileEmulation"] = json!({
                "deviceMetrics": {
                    "width": viewport.width,
                    "height": viewport.height,
                    "pixelRatio": 2,
                    "mobile": true,
                    "touch": true,
                },
            });
        }
        let caps = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": options,
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = tokio::time::timeout(
            WAIT,
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps)
                .connect(&driver.url),
        )
        .await
        .unwrap_or_else(|_| panic!("no browser session within {WAIT:?}"))
        .unwrap_or_else(|e| panic!("chromedriver cannot start chromium: {e}"));
        let session = client.session_id().await.unwrap().expect("a session id");
        let browser = Browser {
            client,
            viewport,
            javascript,
            cdp_url: format!("{}/session/{session}/goog/cdp/execute", driver.url),
            http: reqwest::Client::builder().timeout(WAIT).build().unwrap(),
        };
        if !viewport.phone {
            // An exact viewport (a window size counts the browser's own frame too).
            browser
                .cdp(
                    "Emulation.setDeviceMetricsOverride",
                    json!({
                        "width": viewport.width,
                        "height": viewport.height,
                        "deviceScaleFactor": 1,
                        "mobile": false,
                    }),
                )
                .await;
        }
        browser
    }

    /// A Chrome DevTools Protocol command through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let response = self
            .http
            .post(&self.cdp_url)
            .json(&json!({"cmd": cmd, "params": params}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"));
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "CDP {cmd}: {status} {body}");
        body["value"].clone()
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }

    pub async fn goto(&self, url: &str) {
        tokio::time::timeout(WAIT, self.client.goto(url))
            .await
            .unwrap_or_else(|_| panic!("{url} did not load within {WAIT:?}"))
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}` on the page within {WAIT:?}: {e}"))
    }

    /// Presses `element` as a person would. With scripting off, chromedriver's own click never
    /// returns (it loops on its in-view check), so the press is a real mouse press and release
    /// sent through DevTools at the element's centre, after scrolling it into view.
    pub async fn press(&self, element: &fantoccini::elements::Element) {
        if self.javascript {
            element.click().await.expect("a click");
            return;
        }
        let at = self
            .client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'}); \
                 const r = arguments[0].getBoundingClientRect(); \
                 return [r.x + r.width / 2, r.y + r.height / 2];",
                vec![serde_json::to_value(element).unwrap()],
            )
            .await
            .expect("the element's place on the page");
        let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.cdp(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            )
            .await;
        }
    }

    pub async fn url(&self) -> String {
        self.client.current_url().await.unwrap().to_string()
    }

    /// Waits until the page's address holds `part`: after a form's post, for the new page
    /// rather than the one it replaces (which may have an element of the same kind).
    pub async fn wait_for_url(&self, part: &str) -> String {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let url = self.url().await;
            if url.contains(part) {
                return url;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the address did not come to hold `{part}` within {WAIT:?}: {url}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// The text of the first `css` on the page. A page that was still being replaced (after a
    /// form's post) can drop the element between finding and reading it: then it is found again
    /// on the new page.
    pub async fn text(&self, css: &str) -> String {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            match self.wait_for(css).await.text().await {
                Ok(text) => return text,
                Err(e) if std::time::Instant::now() < deadline => {
                    eprintln!("`{css}` went away while being read ({e}); reading it again");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot read `{css}` within {WAIT:?}: {e}"),
            }
        }
    }

    /// Whether pages in this session run scripts, told without running one: a `<noscript>`
    /// element is parsed into the page only when scripting is off.
    pub async fn scripts_run(&self) -> bool {
        self.goto("data:text/html,<!doctype html><title>probe</title><noscript><p id=off>off</p></noscript>")
            .await;
        let found = self.client.find_all(Locator::Css("#off")).await.unwrap();
        found.is_empty()
    }

    /// How wide the page's content is against the viewport, read from the layout (DevTools),
    /// which needs no script in the page, and checked against the DOM's own figures.
    pub async fn sideways(&self) -> Sideways {
        let metrics = self.cdp("Page.getLayoutMetrics", json!({})).await;
        let content = metrics["cssContentSize"]["width"].as_f64().unwrap();
        let visual = metrics["cssVisualViewport"]["clientWidth"]
            .as_f64()
            .unwrap();
        let dom = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]",
                vec![],
            )
            .await
            .unwrap();
        Sideways {
            content_width: content,
            viewport_width: visual,
            scroll_width: dom[0].as_f64().unwrap(),
            client_width: dom[1].as_f64().unwrap(),
            expected_width: self.viewport.width as f64,
        }
    }

    /// Asserts that nothing on the page scrolls sideways at this viewport.
    pub async fn assert_no_sideways_scroll(&self, what: &str) {
        let s = self.sideways().await;
        assert!(
            s.fits(),
            "{what} scrolls sideways at {}×{} ({}): {s:?}",
            self.viewport.width,
            self.viewport.height,
            self.mode()
        );
    }

    pub fn mode(&self) -> &'static str {
        if self.javascript {
            "JavaScript on"
        } else {
            "JavaScript off"
        }
    }

    /// A PNG of the whole page, saved under `target/browser-screenshots/`; the path is printed.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let metrics = self.cdp("Page.getLayoutMetrics", json!({})).await;
        let height = metrics["cssContentSize"]["height"].as_f64().unwrap().ceil();
        let width = metrics["cssVisualViewport"]["clientWidth"]
            .as_f64()
            .unwrap();
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": {"x": 0, "y": 0, "width": width, "height": height.min(8000.0), "scale": 1},
                }),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("base64 screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let dir = target_dir().join("browser-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!(
            "{name}-{}x{}-{}.png",
            self.viewport.width,
            self.viewport.height,
            if self.javascript { "js" } else { "nojs" }
        ));
        std::fs::write(&path, png).unwrap();
        println!("screenshot: {}", path.display());
        path
    }
}

#[derive(Debug)]
pub struct Sideways {
    /// The layout's content width (CSS px).
    pub content_width: f64,
    /// The visual viewport's width.
    pub viewport_width: f64,
    /// `document.documentElement.scrollWidth` and `clientWidth`.
    pub scroll_width: f64,
    pub client_width: f64,
    /// The width asked for.
    pub expected_width: f64,
}

impl Sideways {
    /// A phone browser widens `innerWidth` to fit content that overflows, so the widths are
    /// held against the viewport asked for, not against `innerWidth`.
    pub fn fits(&self) -> bool {
        self.content_width <= self.expected_width
            && self.scroll_width <= self.expected_width
            && self.scroll_width <= self.client_width
            && self.viewport_width <= self.expected_width
    }
}
