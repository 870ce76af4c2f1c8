//! Hooks acting through the engine: a firm on the in-memory store with a manual clock and a
//! real plugin host, whose events reach the stock and installed hook components, whose
//! webhooks are posted to a small HTTP server on 127.0.0.1, and whose status changes and staff
//! notifications land on the work.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use docket_engine::config::{FirmConfig, HookConfig, PluginsConfig};
use docket_engine::docket::Delivery;
use docket_engine::model::{
    Actor, ContactId, EventKind, NewContact, NewWork, Role, StaffNotification, TimelineEvent,
    UserId, WorkId, WorkStatus,
};
use docket_engine::plugin::PluginHost;
use docket_engine::store::{Batch, MemoryStore, Tree};
use docket_engine::{Docket, ManualClock, NewUser, workers};

use super::{install, utc};

const MISBEHAVE_HOOK: &str = env!("DOCKET_TEST_MISBEHAVE_HOOK_WASM");
const STOCK_HOOKS: &str = env!("DOCKET_STOCK_HOOKS_WASM");
const SUB_STATUS: &str = "over reminder limit";

/// One request the test server received.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    /// Path and query, as sent.
    target: String,
    content_type: Option<String>,
    body: String,
}

/// An HTTP server on 127.0.0.1 that records every request: `/hook` answers 200, `/moved`
/// redirects to another host. It stops when dropped.
struct TestServer {
    port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => serve(stream, &requests),
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        TestServer {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            // The accept loop polls every 5 ms and a connection times out after 2 s.
            let _ = thread.join();
        }
    }
}

/// Reads one request (request line, headers, `Content-Length` body), records it, then answers
/// it: recorded before the client can see the answer, so a test that got its answer finds it.
fn serve(stream: TcpStream, requests: &Mutex<Vec<Request>>) {
    let Some((request, response, stream)) = read_request(stream) else {
        return;
    };
    requests.lock().unwrap().push(request);
    let mut stream = stream;
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// One request and the answer it gets.
fn read_request(stream: TcpStream) -> Option<(Request, String, TcpStream)> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(2)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut content_type = None;
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            break;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.to_string());
            } else if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let path = target.split('?').next().unwrap_or_default();
    let response = match path {
        "/hook" => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
        "/moved" => "HTTP/1.1 302 Found\r\nLocation: http://elsewhere.example/hook\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
        _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
    };
    let request = Request {
        method,
        target,
        content_type,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    Some((request, response, stream))
}

/// A host granting `webhook` POSTs to 127.0.0.1, with two installed hooks: the stock hooks
/// component again as `ungranted-hook` (granted another host only) and the misbehaving test
/// hook (granted notify-staff, which installed plugins need a grant for).
fn hook_host() -> Arc<PluginHost> {
    static HOST: OnceLock<(tempfile::TempDir, Arc<PluginHost>)> = OnceLock::new();
    HOST.get_or_init(|| {
        let data = tempfile::tempdir().unwrap();
        let dir = data.path().join("plugins");
        install(
            &dir,
            "ungranted-hook",
            STOCK_HOOKS,
            "name = 'ungranted-hook'\nversion = '0.1.0'\nworld = 'notification-hook'\ncapabilities = ['http:*']\n",
        );
        install(
            &dir,
            "misbehave-hook",
            MISBEHAVE_HOOK,
            "name = 'misbehave-hook'\nversion = '0.1.0'\nworld = 'notification-hook'\ncapabilities = ['notify-staff']\n",
        );
        let grants: BTreeMap<String, Vec<String>> = [
            ("webhook", "http:127.0.0.1"),
            // An installed plugin whose declared `http:*` matches no grant is refused at load
            // (installs.rs); this one loads, but 127.0.0.1 is not among its hosts.
            ("ungranted-hook", "http:elsewhere.example"),
            ("misbehave-hook", "notify-staff"),
        ]
        .into_iter()
        .map(|(name, cap)| (name.to_string(), vec![cap.to_string()]))
        .collect();
        let config = PluginsConfig {
            grants,
            ..PluginsConfig::default()
        };
        let (host, refused) = PluginHost::open(&config, data.path()).unwrap();
        assert!(refused.is_empty(), "{refused:?}");
        let ungranted = host.plugin("ungranted-hook").expect("ungranted-hook loads");
        assert_eq!(ungranted.granted, ["http:elsewhere.example"]);
        let webhook = host.plugin("webhook").unwrap();
        assert!(
            webhook.granted.iter().any(|g| g == "http:127.0.0.1"),
            "{:?}",
            webhook.granted
        );
        (data, Arc::new(host))
    })
    .1
    .clone()
}

const TEMPLATE: &str = r#"
name = "Year end"
[[groups]]
name = "Documents"
sending = { plugin = "manual" }
reminders = { plugin = "gentle" }
[[groups.tasks]]
title = "Bank statements"
due = 14
[[groups.tasks]]
title = "P60"
due = 3
"#;

struct Firm {
    server: TestServer,
    docket: Docket,
    clock: Arc<ManualClock>,
    staff: UserId,
    contact: ContactId,
    work: WorkId,
    hooks: Vec<HookConfig>,
}

fn hook(plugin: &str, params: &[(&str, &str)], events: &[&str]) -> HookConfig {
    HookConfig {
        plugin: plugin.to_string(),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        events: events.iter().map(|e| e.to_string()).collect(),
    }
}

impl Firm {
    /// A firm whose work "Year end" was sent by its assignee on Monday 2 March 2026, 09:30
    /// London, with the hooks of the issue configured.
    fn new() -> Firm {
        let server = TestServer::start();
        let clock = Arc::new(ManualClock::new(utc("2026-03-02T09:30:00Z")));
        let firm = FirmConfig {
            sub_statuses: [(
                "waiting_on_client".to_string(),
                vec![SUB_STATUS.to_string()],
            )]
            .into_iter()
            .collect(),
            ..FirmConfig::default()
        };
        let docket = Docket::open(
            Arc::new(MemoryStore::new()),
            clock.clone(),
            &firm,
            "https://docket.example",
        )
        .unwrap()
        .with_plugins(hook_host());
        let staff = docket
            .add_user(NewUser {
                email: "sam@firm.example".into(),
                name: "Sam Staff".into(),
                role: Role::Staff,
                password: "a long enough password".into(),
            })
            .unwrap()
            .id;
        let contact = docket
            .create_contact(
                NewContact {
                    name: "Ann Archer".into(),
                    email: "ann@client.example".into(),
                    timezone: None,
                    locale: None,
                },
                Actor::System,
            )
            .unwrap()
            .id;
        docket.import_template(TEMPLATE).unwrap();
        let work = docket
            .create_work(
                NewWork {
                    template: "Year end".into(),
                    start_date: Some("2026-03-02".parse().unwrap()),
                    assignee: Some("sam@firm.example".into()),
                    contacts: vec!["ann@client.example".into()],
                    ..NewWork::default()
                },
                Actor::Staff(staff),
            )
            .unwrap()
            .id;
        docket.send_group(work, 0, Actor::Staff(staff)).unwrap();
        let on_task = &["task-completed"];
        let hooks = vec![
            hook("webhook", &[("url", &server.url("/hook"))], on_task),
            hook("webhook", &[("url", &server.url("/moved"))], on_task),
            hook(
                "ungranted-hook",
                &[
                    ("action", "webhook"),
                    ("url", &server.url("/hook?ungranted")),
                ],
                on_task,
            ),
            // An unknown status: the effect is refused by the engine, logged, and nothing else.
            hook(
                "set-status",
                &[
                    ("status", "nonsense"),
                    ("on", "task-completed,reminder-limit-reached"),
                ],
                &["task-completed", "reminder-limit-reached"],
            ),
            hook("misbehave-hook", &[("mode", "loop")], on_task),
            hook("misbehave-hook", &[("message", "still acting")], on_task),
            hook(
                "set-status",
                &[("status", SUB_STATUS)],
                &["reminder-limit-reached"],
            ),
        ];
        Firm {
            server,
            docket,
            clock,
            staff,
            contact,
            work,
            hooks,
        }
    }

    /// Delivers queued events to the hooks; returns how many and how long it took.
    fn deliver_events(&self) -> (usize, Duration) {
        let started = Instant::now();
        let n = self.docket.deliver_events(&self.hooks, 100).unwrap();
        (n, started.elapsed())
    }

    /// Posts every due webhook, as the webhook loop would; returns how many were tried.
    fn post_webhooks(&self) -> usize {
        let client = workers::webhook_client().unwrap();
        let mut total = 0;
        for _ in 0..10 {
            let n = workers::post_due_webhooks(&self.docket, &client, 10).unwrap();
            if n == 0 {
                return total;
            }
            total += n;
        }
        panic!("webhooks kept coming back due");
    }

    /// Marks every due email as delivered, as the sender loop would.
    fn deliver_mail(&self) {
        loop {
            let claimed = self.docket.claim_due_messages(100).unwrap();
            if claimed.is_empty() {
                return;
            }
            let outcomes = claimed
                .into_iter()
                .map(|m| {
                    (
                        m,
                        Delivery::Sent {
                            subject: "sent".into(),
                        },
                    )
                })
                .collect();
            self.docket.settle_messages(outcomes).unwrap();
        }
    }

    fn timeline(&self) -> Vec<TimelineEvent> {
        self.docket.work_timeline(self.work, 100).unwrap()
    }

    fn notifications(&self) -> Vec<StaffNotification> {
        self.docket.notifications(self.staff, 100).unwrap()
    }

    fn status_changes_by_hooks(&self) -> Vec<TimelineEvent> {
        self.timeline()
            .into_iter()
            .filter(|e| e.kind == EventKind::StatusChanged && matches!(e.actor, Actor::Hook(_)))
            .collect()
    }
}

#[test]
fn task_completed_posts_granted_webhooks_once_and_stops_looping_hooks() {
    let firm = Firm::new();
    let waiting = firm.docket.work(firm.work).unwrap();
    assert_eq!(
        (waiting.status, waiting.sub_status.as_deref()),
        (WorkStatus::WaitingOnClient, None)
    );

    firm.docket
        .set_task_done(firm.work, 0, 0, true, Actor::Contact(firm.contact))
        .unwrap();
    // Kept to put back later, as if Docket crashed between the effects and the removal.
    let queued = firm
        .docket
        .store()
        .scan(Tree::Events, b"", None, 100, false)
        .unwrap();
    assert_eq!(queued.len(), 1, "one task-completed event");

    let (delivered, took) = firm.deliver_events();
    assert_eq!(delivered, 1);
    // Five hook calls, one of them looping until the 50 ms budget stops it.
    assert!(
        took < Duration::from_secs(3),
        "deliver_events took {took:?}"
    );
    assert_eq!(firm.docket.pending_events().unwrap(), 0);
    let posted = firm.post_webhooks();

    let requests = firm.server.requests();
    let to_hook: Vec<&Request> = requests.iter().filter(|r| r.target == "/hook").collect();
    let [granted] = to_hook.as_slice() else {
        panic!("expected exactly one POST to /hook, got {requests:#?}");
    };
    assert_eq!(granted.method, "POST");
    assert_eq!(granted.content_type.as_deref(), Some("application/json"));
    assert!(
        granted.body.contains("\"event\":\"task-completed\"")
            && granted.body.contains("Bank statements")
            && granted
                .body
                .contains(&format!("\"work_id\":\"{}\"", firm.work)),
        "{}",
        granted.body
    );
    assert!(
        !requests.iter().any(|r| r.target.contains("ungranted")),
        "the ungranted hook reached the server: {requests:#?}"
    );
    // The looping hook was stopped and its queued notification dropped; the hook after it
    // acted, and so did the one after the refused status.
    let notes = firm.notifications();
    let from_hooks: Vec<&str> = notes
        .iter()
        .filter(|n| n.source == "misbehave-hook")
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(
        from_hooks,
        ["Ann Archer — Year end: still acting"],
        "{notes:#?}"
    );
    assert!(
        !notes.iter().any(|n| n.message.contains("looping hook")),
        "{notes:#?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.source == "docket" && n.message.contains("Bank statements")),
        "the client's action lands in the inbox too: {notes:#?}"
    );
    // `status=nonsense` changed nothing.
    let work = firm.docket.work(firm.work).unwrap();
    assert_eq!(
        (work.status, work.sub_status.as_deref()),
        (WorkStatus::WaitingOnClient, None)
    );
    assert!(firm.status_changes_by_hooks().is_empty());

    // The second `webhook` entry on the same event acts too: one POST to /moved, whose
    // redirect to another host is not followed.
    let moved: Vec<&Request> = requests.iter().filter(|r| r.target == "/moved").collect();
    assert_eq!(
        moved.len(),
        1,
        "the second `webhook` entry must POST to /moved once ({posted} webhooks posted): {requests:#?}"
    );
    assert_eq!(
        requests.len(),
        2,
        "nothing else, and the redirect not followed: {requests:#?}"
    );
    // The redirect is given up at once, not retried, and the work's timeline says why.
    assert!(firm.docket.due_webhooks(10).unwrap().is_empty());
    assert_eq!(firm.docket.next_webhook_due().unwrap(), None);
    let timeline = firm.timeline();
    let failed: Vec<&TimelineEvent> = timeline
        .iter()
        .filter(|e| e.kind == EventKind::WebhookFailed)
        .collect();
    let [failed] = failed.as_slice() else {
        panic!("expected one webhook-failed event, got {timeline:#?}");
    };
    assert_eq!(failed.actor, Actor::Hook("webhook".into()));
    assert!(
        failed.summary.contains("/moved")
            && failed.summary.contains("not followed")
            && failed.summary.contains("elsewhere.example"),
        "{}",
        failed.summary
    );

    // Exactly once: nothing is left to deliver, and an event delivered a second time (a crash
    // before its removal) posts and notifies nothing more.
    assert_eq!(firm.deliver_events().0, 0);
    assert_eq!(firm.post_webhooks(), 0);
    let mut again = Batch::default();
    for (key, value) in queued {
        again.put(Tree::Events, key, value);
    }
    firm.docket.store().commit(again).unwrap();
    assert_eq!(firm.deliver_events().0, 1);
    assert_eq!(firm.post_webhooks(), 0);
    assert_eq!(
        firm.server.requests().len(),
        requests.len(),
        "{:#?}",
        firm.server.requests()
    );
    assert_eq!(
        firm.notifications().len(),
        notes.len(),
        "{:#?}",
        firm.notifications()
    );
}

#[test]
fn reminder_limit_sets_the_firm_sub_status_named_by_the_hook() {
    let firm = Firm::new();
    // Gentle: 7 days before due (already past for the P60, due 5 March), on the due date,
    // then daily; the fifth reminder raises reminder-limit-reached.
    let mut days = 0;
    loop {
        firm.docket.tick().unwrap();
        firm.deliver_mail();
        let work = firm.docket.work(firm.work).unwrap();
        if work.groups[0].tasks[1].reminders_sent >= 5 {
            break;
        }
        days += 1;
        assert!(days <= 30, "no fifth reminder in 30 days: {work:#?}");
        firm.clock.advance(chrono::Duration::days(1));
    }
    let before = firm.docket.work(firm.work).unwrap();
    assert_eq!(before.groups[0].tasks[1].reminders_sent, 5);
    assert_eq!(
        (before.status, before.sub_status.as_deref()),
        (WorkStatus::WaitingOnClient, None)
    );

    let (delivered, _) = firm.deliver_events();
    assert!(delivered >= 1);
    let work = firm.docket.work(firm.work).unwrap();
    assert_eq!(
        (work.status, work.sub_status.as_deref()),
        (WorkStatus::WaitingOnClient, Some(SUB_STATUS))
    );
    // One status change, by the hook that asked for the firm's sub-status; the one asking for
    // `nonsense` before it changed nothing and did not stop it.
    let changes = firm.status_changes_by_hooks();
    let [change] = changes.as_slice() else {
        panic!("expected one status change by a hook, got {changes:#?}");
    };
    assert_eq!(change.actor, Actor::Hook("set-status".into()));
    assert!(
        change.summary.contains("set-status") && change.summary.contains(SUB_STATUS),
        "{}",
        change.summary
    );
    let notes = firm.notifications();
    assert!(
        notes.iter().any(|n| n.source == "docket"
            && n.message.contains("reached the reminder limit")
            && n.message.contains("P60")),
        "{notes:#?}"
    );
    // Nothing subscribed a webhook to this event.
    assert_eq!(firm.post_webhooks(), 0);
    assert!(firm.server.requests().is_empty());
    // Delivered once: a second pass finds nothing and changes nothing.
    assert_eq!(firm.deliver_events().0, 0);
    assert_eq!(firm.status_changes_by_hooks().len(), 1);
}
