//! Part 3: delivery to a local SMTP server.

use super::*;

// --- 3. delivery to a local SMTP server -------------------------------------------------------

pub(crate) struct Sink {
    pub child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Sink {
    pub(crate) fn start() -> Sink {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/smtp/mailsink.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .arg("--dir")
            .arg(dir.path())
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 tests/smtp/mailsink.py (needs aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the mail sink said {line:?}, not READY <port>"));
        Sink { child, port, dir }
    }

    pub(crate) fn received(&self) -> usize {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".eml"))
            })
            .count()
    }

    /// CPU seconds the sink has used.
    pub(crate) fn cpu(&self) -> f64 {
        cpu_seconds(&format!("/proc/{}/stat", self.child.id()))
    }

    pub(crate) fn mailer(&self, connections: u32) -> Mailer {
        let transport = SmtpTransport::new(&SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            username: None,
            password: None,
            security: "none".into(),
            ca_file: None,
            timeout_secs: 10,
            connections,
        })
        .unwrap();
        Mailer::new(
            MailTemplates::load(None).unwrap(),
            "Bench <bench@bench.example>",
            Arc::new(transport),
        )
        .unwrap()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the workers until every queued message is delivered and settled; returns the wall time.
pub(crate) fn deliver_all(firm: &Firm, parallel: usize, connections: u32) -> Duration {
    let sink = Sink::start();
    let mailer = sink.mailer(connections);
    firm.store.stats.take();
    let (sink_cpu, own_cpu) = (sink.cpu(), cpu_seconds("/proc/self/stat"));
    let start = Instant::now();
    let workers = Workers::start(
        firm.docket.clone(),
        Arc::new(mailer),
        WorkerOptions {
            parallel_sends: parallel,
            send_batch: 64,
            ..Default::default()
        },
    )
    .unwrap();
    let deadline = start + Duration::from_secs(120);
    loop {
        std::thread::sleep(Duration::from_millis(10));
        if sink.received() >= MESSAGES
            && firm
                .store
                .inner
                .scan(Tree::OutboxQueue, b"", None, 1, false)
                .unwrap()
                .is_empty()
        {
            break;
        }
        assert!(Instant::now() < deadline, "delivery took over two minutes");
    }
    let took = start.elapsed();
    let (sink_cpu, own_cpu) = (
        sink.cpu() - sink_cpu,
        cpu_seconds("/proc/self/stat") - own_cpu,
    );
    let stats = firm.store.stats.take();
    workers.stop();
    println!(
        "  CPU during the run: the Python sink {sink_cpu:.1} s, this process (docket + lettre + sled) {own_cpu:.1} s, of {:.1} s wall on 2 cores (load average {})",
        took.as_secs_f64(),
        load()
    );
    assert_eq!(sink.received(), MESSAGES, "each message arrives once");
    println!(
        "  store during the run: {} commits (claims + settles, each flushed), mean {:.2} ms each, {:.1} s summed over the sender threads; {} gets {:.0} ms, {} scans {:.0} ms",
        thousands(stats.commits as usize),
        ns_ms(stats.commit_ns) / stats.commits.max(1) as f64,
        ns_ms(stats.commit_ns) / 1e3,
        thousands(stats.gets as usize),
        ns_ms(stats.get_ns),
        stats.scans,
        ns_ms(stats.scan_ns)
    );
    took
}

pub(crate) fn smtp(host: &Arc<PluginHost>) {
    let firm = Firm::fresh(host);
    let start = Instant::now();
    let ids: Vec<WorkId> = (0..MESSAGES).map(|_| firm.create_work()).collect();
    let creating = start.elapsed();
    let start = Instant::now();
    for id in &ids {
        firm.docket.send_group(*id, 0, Actor::System).unwrap();
    }
    let queueing = start.elapsed();
    println!(
        "smtp setup: create_work x {} {:.1} s, send_group x {} (queues the emails) {:.1} s = {:.0} sends/s",
        thousands(MESSAGES),
        creating.as_secs_f64(),
        thousands(MESSAGES),
        queueing.as_secs_f64(),
        MESSAGES as f64 / queueing.as_secs_f64()
    );
    let runs: [(usize, u32); 4] = [(8, 8), (4, 8), (16, 8), (16, 16)];
    for (i, (parallel, connections)) in runs.into_iter().enumerate() {
        if i > 0 {
            // Queue another N: resend every group.
            let start = Instant::now();
            for id in &ids {
                firm.docket.resend_group(*id, 0, Actor::System).unwrap();
            }
            println!(
                "  (queued {} more with resend_group in {:.1} s)",
                thousands(MESSAGES),
                start.elapsed().as_secs_f64()
            );
        }
        let took = deliver_all(&firm, parallel, connections);
        println!(
            "smtp delivery, {} messages, parallel_sends {parallel}, send_batch 64, {connections} connections: {:.0} messages/s ({:.2} s) [goal >= 500/s]",
            thousands(MESSAGES),
            MESSAGES as f64 / took.as_secs_f64(),
            took.as_secs_f64()
        );
    }
    let sent = firm.docket.outbox(None, MESSAGES * runs.len() + 1).unwrap();
    assert_eq!(sent.len(), MESSAGES * runs.len());
    assert!(sent.iter().all(|m| m.state == MessageState::Sent));

    // The two halves on their own: the store without SMTP, SMTP without the store.
    for parallel in [1, 8] {
        for id in &ids {
            firm.docket.resend_group(*id, 0, Actor::System).unwrap();
        }
        let start = Instant::now();
        let mut claims = Duration::ZERO;
        loop {
            let claim = Instant::now();
            let claimed = firm.docket.claim_due_messages(64).unwrap();
            claims += claim.elapsed();
            if claimed.is_empty() {
                break;
            }
            let queue = std::sync::Mutex::new(claimed.into_iter());
            std::thread::scope(|scope| {
                for _ in 0..parallel {
                    scope.spawn(|| {
                        loop {
                            let next = queue.lock().unwrap().next();
                            let Some(m) = next else { break };
                            let subject = "Documents we need".to_string();
                            firm.docket
                                .settle_messages(vec![(m, Delivery::Sent { subject })])
                                .unwrap();
                        }
                    });
                }
            });
        }
        let took = start.elapsed();
        println!(
            "  store alone (claim 64, settle each as Sent on its own, no SMTP), {parallel} settling thread(s): {:.0} messages/s (claims {:.2} s of {:.2} s)",
            MESSAGES as f64 / took.as_secs_f64(),
            claims.as_secs_f64(),
            took.as_secs_f64()
        );
    }
    for id in &ids {
        firm.docket.resend_group(*id, 0, Actor::System).unwrap();
    }
    let start = Instant::now();
    loop {
        let claimed = firm.docket.claim_due_messages(64).unwrap();
        if claimed.is_empty() {
            break;
        }
        let outcomes = claimed
            .into_iter()
            .map(|m| {
                let subject = "Documents we need".to_string();
                (m, Delivery::Sent { subject })
            })
            .collect();
        firm.docket.settle_messages(outcomes).unwrap();
    }
    let took = start.elapsed();
    println!(
        "  store alone, what-if: claim 64 and settle the 64 in one commit: {:.0} messages/s",
        MESSAGES as f64 / took.as_secs_f64()
    );

    let sink = Sink::start();
    let mailer = sink.mailer(8);
    let sent = firm.docket.outbox(None, MESSAGES).unwrap();
    let start = Instant::now();
    let emails: Vec<_> = sent
        .iter()
        .map(|m| mailer.build(m, firm.docket.now()).unwrap().0)
        .collect();
    let rendering = start.elapsed();
    for threads in [1, 8] {
        let batch = &emails[..2_000];
        let sink_cpu = sink.cpu();
        let start = Instant::now();
        std::thread::scope(|scope| {
            for chunk in batch.chunks(batch.len().div_ceil(threads)) {
                let mailer = &mailer;
                scope.spawn(move || {
                    for email in chunk {
                        mailer.transport().send(email).unwrap();
                    }
                });
            }
        });
        let took = start.elapsed();
        println!(
            "  SMTP alone (lettre + the Python sink, no store), {threads} thread(s), 8 pooled connections, {} prebuilt emails: {:.0} messages/s (sink CPU {:.1} s of {:.1} s)",
            thousands(batch.len()),
            batch.len() as f64 / took.as_secs_f64(),
            sink.cpu() - sink_cpu,
            took.as_secs_f64()
        );
    }
    println!(
        "  rendering alone (Mailer::build, one thread): {:.0} µs per email",
        rendering.as_secs_f64() * 1e6 / emails.len() as f64
    );
}

/// User + system CPU seconds of the process whose `stat` file is `path`.
pub(crate) fn cpu_seconds(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are the 12th
    // and 13th, in clock ticks of 1/100 s.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

pub(crate) fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
